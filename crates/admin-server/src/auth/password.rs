//! Passwords of the control interface: a length and strength policy (CCTP §4.2.1.3: « mot
//! de passe de longueur suffisante, alphanumérique ») and Argon2id hashing, run on the
//! blocking pool so a login never stalls the server's other requests.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand_core::{OsRng, RngCore};
use zeroize::Zeroizing;

use crate::config::PasswordCost;
use crate::error::{AdminError, AdminResult};

/// Shortest accepted password.
pub const MIN_LENGTH: usize = 12;
/// Longest accepted password (Argon2 takes any length; this bounds the work per request).
pub const MAX_LENGTH: usize = 128;

/// Passwords people pick first: refused whatever their length.
const COMMON: [&str; 12] = [
    "motdepasse",
    "password",
    "azerty",
    "qwerty",
    "123456",
    "soleil",
    "bonjour",
    "admin",
    "election",
    "scrutin",
    "chambre",
    "commerce",
];

/// Checks the policy: at least 12 characters, at most 128; at least three kinds among
/// lowercase, uppercase, digits and other signs; not built on a common word, the user's
/// names or email. Returns every broken rule, in French.
pub fn check_policy(password: &str, personal: &[&str]) -> Result<(), Vec<String>> {
    let mut broken = Vec::new();
    let length = password.chars().count();
    if length < MIN_LENGTH {
        broken.push(format!(
            "au moins {MIN_LENGTH} caractères ({length} saisis)"
        ));
    }
    if length > MAX_LENGTH {
        broken.push(format!("au plus {MAX_LENGTH} caractères"));
    }
    let kinds = [
        password.chars().any(char::is_lowercase),
        password.chars().any(char::is_uppercase),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_alphanumeric()),
    ]
    .into_iter()
    .filter(|k| *k)
    .count();
    if kinds < 3 {
        broken.push(
            "au moins trois sortes de caractères parmi : minuscules, majuscules, chiffres, signes"
                .into(),
        );
    }
    let lower = password.to_lowercase();
    let simple: String = lower.chars().filter(|c| c.is_alphanumeric()).collect();
    if COMMON.iter().any(|w| simple.contains(w)) {
        broken.push("pas de mot trop courant (motdepasse, azerty, 123456…)".into());
    }
    for word in personal {
        let word = word.trim().to_lowercase();
        let base = word.split('@').next().unwrap_or_default();
        if base.chars().count() >= 4 && lower.contains(base) {
            broken.push("pas votre nom, votre prénom ni votre adresse électronique".into());
            break;
        }
    }
    let mut chars: Vec<char> = password.chars().collect();
    chars.dedup();
    if !password.is_empty() && chars.len() * 3 < length {
        broken.push("pas de longues répétitions d'un même caractère".into());
    }
    if broken.is_empty() {
        Ok(())
    } else {
        Err(broken)
    }
}

/// The policy failure as an error the interface shows.
pub fn policy_error(broken: Vec<String>) -> AdminError {
    AdminError::Refused {
        code: "weak_password",
        message: format!("Mot de passe refusé : {}.", broken.join(" ; ")),
        details: serde_json::json!({ "rules": broken }),
    }
}

fn argon2(cost: PasswordCost) -> AdminResult<Argon2<'static>> {
    let params =
        Params::new(cost.memory_kib, cost.passes, 1, None).map_err(AdminError::internal)?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes a password with Argon2id (PHC string), on the blocking pool.
pub async fn hash(password: &str, cost: PasswordCost) -> AdminResult<String> {
    let password = Zeroizing::new(password.to_owned());
    tokio::task::spawn_blocking(move || hash_now(&password, cost))
        .await
        .map_err(AdminError::internal)?
}

/// Hashes now, on the calling thread (bootstrap code outside the server).
pub fn hash_now(password: &str, cost: PasswordCost) -> AdminResult<String> {
    let mut salt = [0u8; 16];
    OsRng.fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(AdminError::internal)?;
    Ok(argon2(cost)?
        .hash_password(password.as_bytes(), &salt)
        .map_err(AdminError::internal)?
        .to_string())
}

/// Checks a password against a stored hash, on the blocking pool. With no stored hash
/// (unknown account, account not activated) a dummy hash is checked anyway, so the answer
/// takes the same time and tells nothing about which accounts exist.
pub async fn verify(password: &str, stored: Option<String>, cost: PasswordCost) -> bool {
    let password = Zeroizing::new(password.to_owned());
    tokio::task::spawn_blocking(move || {
        let (phc, real) = match stored {
            Some(h) => (h, true),
            None => (dummy_hash(cost), false),
        };
        let Ok(parsed) = PasswordHash::new(&phc) else {
            return false;
        };
        let ok = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        ok && real
    })
    .await
    .unwrap_or(false)
}

fn dummy_hash(cost: PasswordCost) -> String {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY
        .get_or_init(|| hash_now("scrutin-dummy-password-9!", cost).unwrap_or_default())
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHEAP: PasswordCost = PasswordCost {
        memory_kib: 1024,
        passes: 1,
    };

    #[test]
    fn policy_accepts_strong_and_names_each_broken_rule() {
        assert_eq!(
            check_policy("Vert-Galant-1607", &["Paul", "paul.martin@ain.cci.fr"]),
            Ok(())
        );
        let short = check_policy("Ab1!", &[]).unwrap_err();
        assert!(short[0].contains("12 caractères"), "{short:?}");
        let one_kind = check_policy("abcdefghijklmnop", &[]).unwrap_err();
        assert!(one_kind.iter().any(|r| r.contains("trois sortes")));
        let common = check_policy("MonMotDePasse-2026", &[]).unwrap_err();
        assert!(common.iter().any(|r| r.contains("courant")));
        let personal = check_policy("Martinique-Martin-99", &["Martin"]).unwrap_err();
        assert!(personal.iter().any(|r| r.contains("votre nom")));
        let email = check_policy("Xx-paul.martin-2026", &["paul.martin@ain.cci.fr"]).unwrap_err();
        assert!(email.iter().any(|r| r.contains("adresse")));
        let repeated = check_policy("Aaaaaaaaaaaaaaaa1!", &[]).unwrap_err();
        assert!(repeated.iter().any(|r| r.contains("répétitions")));
    }

    #[tokio::test]
    async fn hash_verifies_only_the_right_password() {
        let h = hash("Vert-Galant-1607", CHEAP).await.unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=1024,t=1,p=1$"), "{h}");
        assert!(verify("Vert-Galant-1607", Some(h.clone()), CHEAP).await);
        assert!(!verify("Vert-Galant-1608", Some(h), CHEAP).await);
        assert!(!verify("Vert-Galant-1607", None, CHEAP).await);
        assert!(!verify("x", Some("not a phc string".into()), CHEAP).await);
    }
}
