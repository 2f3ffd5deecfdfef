//! Key-share files: round trip, wrong password, and any altered character refused.
#![allow(clippy::unwrap_used, clippy::type_complexity)] // test helpers; alteration tables

use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use scrutin_crypto::dkg::{DkgParameters, TrusteeShare, run_local_ceremony};
use scrutin_crypto::keyfile::{KdfParams, KeyFileError, KeyShareFile};

/// Low costs so the tests run fast; production uses `KdfParams::RECOMMENDED`.
const TEST_KDF: KdfParams = KdfParams {
    memory_kib: 256,
    iterations: 1,
    parallelism: 1,
};
const PASSWORD: &str = "correct horse battery staple — été";

fn share() -> TrusteeShare {
    let params = DkgParameters::new("élection-2026", "coe-75", 3, 2).unwrap();
    let (_, mut shares) = run_local_ceremony(&params, &mut ChaCha20Rng::seed_from_u64(1)).unwrap();
    shares.remove(1)
}

#[test]
fn a_sealed_share_opens_with_its_password() {
    let s = share();
    let mut rng = ChaCha20Rng::seed_from_u64(2);
    let file = KeyShareFile::seal(&s, PASSWORD, TEST_KDF, &mut rng).unwrap();
    let text = file.to_json();
    let opened = KeyShareFile::from_json(&text)
        .unwrap()
        .open(PASSWORD)
        .unwrap();
    assert_eq!(opened.trustee(), 2);
    assert_eq!(opened.verification_key(), s.verification_key());
    assert_eq!(opened.public_key(), s.public_key());
    assert_eq!(opened.transcript_digest(), s.transcript_digest());
    assert_eq!(opened.parameters(), s.parameters());
    // The secret never shows in JSON or Debug output.
    assert!(!format!("{opened:?}").contains("secret: 0x"));
    assert!(format!("{opened:?}").contains("<redacted>"));
    // Two seals of the same share differ (fresh salt and nonce).
    let again = KeyShareFile::seal(&s, PASSWORD, TEST_KDF, &mut rng).unwrap();
    assert_ne!(again.cipher.ciphertext, file.cipher.ciphertext);
}

#[test]
fn a_wrong_password_is_refused_clearly() {
    let file = KeyShareFile::seal(
        &share(),
        PASSWORD,
        TEST_KDF,
        &mut ChaCha20Rng::seed_from_u64(3),
    )
    .unwrap();
    for wrong in ["", "correct horse battery staple — ete", "x"] {
        assert_eq!(
            file.open(wrong).unwrap_err(),
            KeyFileError::WrongPasswordOrAltered
        );
    }
    assert!(
        KeyShareFile::seal(&share(), "", TEST_KDF, &mut ChaCha20Rng::seed_from_u64(3)).is_err()
    );
}

#[test]
fn every_altered_character_is_refused() {
    let file = KeyShareFile::seal(
        &share(),
        PASSWORD,
        TEST_KDF,
        &mut ChaCha20Rng::seed_from_u64(4),
    )
    .unwrap();
    let text = file.to_json();
    let chars: Vec<char> = text.chars().collect();
    let mut tried = 0;
    for (i, &c) in chars.iter().enumerate() {
        if c.is_whitespace() {
            continue;
        }
        let replacement = match c {
            '0'..='8' => char::from(c as u8 + 1),
            '9' => '0',
            'a'..='e' => char::from(c as u8 + 1),
            'f' => 'a',
            'x' => 'y',
            _ => 'x',
        };
        let mut altered = chars.clone();
        altered[i] = replacement;
        let altered: String = altered.into_iter().collect();
        let result = KeyShareFile::from_json(&altered).and_then(|f| f.open(PASSWORD));
        assert!(result.is_err(), "changing {c:?} at {i} went unnoticed");
        tried += 1;
    }
    assert!(tried > 400);
}

#[test]
fn format_errors_say_what_is_wrong() {
    let file = KeyShareFile::seal(
        &share(),
        PASSWORD,
        TEST_KDF,
        &mut ChaCha20Rng::seed_from_u64(5),
    )
    .unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&file.to_json()).unwrap();

    let mut w = v.clone();
    w["version"] = 2.into();
    assert_eq!(
        KeyShareFile::from_json(&w.to_string()).unwrap_err(),
        KeyFileError::UnsupportedVersion(2)
    );

    let mut w = v.clone();
    w["kdf"]["memory_kib"] = (1u32 << 21).into();
    let f = KeyShareFile::from_json(&w.to_string()).unwrap();
    assert!(matches!(f.open(PASSWORD), Err(KeyFileError::Parameters(_))));

    let mut w = v.clone();
    w["cipher"]["nonce"] = "00".into();
    assert!(matches!(
        KeyShareFile::from_json(&w.to_string()),
        Err(KeyFileError::Format(_))
    ));

    let mut w = v.clone();
    w["public"]["trustee"] = 4.into();
    assert!(matches!(
        KeyShareFile::from_json(&w.to_string()),
        Err(KeyFileError::Format(_))
    ));

    let mut w = v.clone();
    w["cipher"]["ciphertext"] = w["cipher"]["ciphertext"]
        .as_str()
        .unwrap()
        .to_uppercase()
        .into();
    assert!(matches!(
        KeyShareFile::from_json(&w.to_string()),
        Err(KeyFileError::Format(_))
    ));

    v["comment"] = "hello".into();
    assert!(matches!(
        KeyShareFile::from_json(&v.to_string()),
        Err(KeyFileError::Format(_))
    ));
    assert!(matches!(
        KeyShareFile::from_json("{}"),
        Err(KeyFileError::Format(_))
    ));
}

#[test]
fn the_recommended_parameters_are_strong() {
    let p = KdfParams::default();
    assert_eq!(p, KdfParams::RECOMMENDED);
    assert!(p.memory_kib >= 64 * 1024 && p.iterations >= 3);
}
