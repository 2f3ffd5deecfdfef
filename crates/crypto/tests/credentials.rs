//! Voting credentials: identifiers and secret codes catch typos before they are sent,
//! parse what people type, and derive distinct, well-bound keys.
#![allow(clippy::unwrap_used)]

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use scrutin_crypto::credentials::*;
use zeroize::Zeroize;

fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

#[test]
fn the_alphabet_has_no_look_alikes_and_enough_entropy() {
    let set: std::collections::BTreeSet<u8> = CODE_ALPHABET.iter().copied().collect();
    assert_eq!(set.len(), 31);
    for c in b"0O1IL" {
        assert!(!set.contains(c), "{}", *c as char);
    }
    assert!(
        set.iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    );
    assert!(CODE_RANDOM_CHARS as f64 * 31f64.log2() >= 80.0);
}

#[test]
fn codes_display_in_groups_and_parse_back() {
    let mut r = rng(1);
    for _ in 0..200 {
        let code = SecretCode::generate(&mut r);
        let shown = code.display();
        assert_eq!(shown.len(), 18 + 5);
        assert!(shown.split('-').all(|g| g.len() == 3));
        assert_eq!(SecretCode::parse(&shown).unwrap(), code);
        let canonical = code.canonical();
        assert_eq!(canonical.len(), 18);
        assert_eq!(SecretCode::parse(&canonical).unwrap(), code);
        // What people type: lower case, spaces, no dashes, dashes elsewhere.
        let typed = format!(" {} ", shown.to_lowercase().replace('-', " "));
        assert_eq!(SecretCode::parse(&typed).unwrap(), code);
        let odd = format!("{}-{}", &canonical[..7], &canonical[7..]);
        assert_eq!(SecretCode::parse(&odd).unwrap(), code);
    }
}

#[test]
fn every_single_typo_and_adjacent_swap_in_a_code_is_caught() {
    let mut r = rng(2);
    for _ in 0..20 {
        let code = SecretCode::generate(&mut r);
        let chars: Vec<u8> = code.canonical().bytes().collect();
        for i in 0..chars.len() {
            for &c in CODE_ALPHABET.iter().filter(|&&c| c != chars[i]) {
                let mut t = chars.clone();
                t[i] = c;
                let err = SecretCode::parse(std::str::from_utf8(&t).unwrap()).unwrap_err();
                assert_eq!(err, CredentialError::CheckMismatch);
            }
            if i + 1 < chars.len() && chars[i] != chars[i + 1] {
                let mut t = chars.clone();
                t.swap(i, i + 1);
                let err = SecretCode::parse(std::str::from_utf8(&t).unwrap()).unwrap_err();
                assert_eq!(err, CredentialError::CheckMismatch);
            }
        }
    }
}

#[test]
fn code_errors_say_what_is_wrong() {
    let code = SecretCode::generate(&mut rng(3));
    let canonical = code.canonical().to_string();
    assert_eq!(
        SecretCode::parse(&canonical[..17]).unwrap_err(),
        CredentialError::WrongLength {
            expected: 18,
            found: 17
        }
    );
    assert_eq!(
        SecretCode::parse(&format!("{canonical}A")).unwrap_err(),
        CredentialError::WrongLength {
            expected: 18,
            found: 19
        }
    );
    for bad in ['0', 'O', '1', 'I', 'L', '*', 'é'] {
        let mut t: Vec<char> = canonical.chars().collect();
        t[4] = bad;
        let typed: String = t.into_iter().collect();
        assert_eq!(
            SecretCode::parse(&typed).unwrap_err(),
            CredentialError::BadCharacter { position: 5 },
            "{bad}"
        );
    }
    // Positions count significant characters only.
    let grouped = code.display().to_string();
    let with_bad = format!("{}O{}", &grouped[..8], &grouped[9..]);
    // "ABC-DEF-X…": byte 8 is the 7th significant character.
    assert_eq!(
        SecretCode::parse(&with_bad).unwrap_err(),
        CredentialError::BadCharacter { position: 7 }
    );
    let msg = CredentialError::BadCharacter { position: 7 }.to_string();
    assert!(!msg.contains(&canonical[6..7]));
}

#[test]
fn codes_are_uniform_over_the_alphabet() {
    let mut r = rng(4);
    let mut counts = [0u32; 31];
    let n = 31 * 400;
    for _ in 0..n {
        let code = SecretCode::generate(&mut r);
        for c in code.canonical().bytes().take(CODE_RANDOM_CHARS) {
            counts[CODE_ALPHABET.iter().position(|&a| a == c).unwrap()] += 1;
        }
    }
    let expected = f64::from(n) * CODE_RANDOM_CHARS as f64 / 31.0;
    let chi2: f64 = counts
        .iter()
        .map(|&c| (f64::from(c) - expected).powi(2) / expected)
        .sum();
    // 30 degrees of freedom: the 0.999 quantile is about 59.7.
    assert!(chi2 < 59.7, "chi² = {chi2}");
}

#[test]
fn codes_stay_secret() {
    let mut code = SecretCode::generate(&mut rng(5));
    let canonical = code.canonical().to_string();
    assert_eq!(format!("{code:?}"), "SecretCode(<redacted>)");
    assert!(!format!("{code:?}").contains(&canonical[..3]));
    code.zeroize();
    assert_eq!(code.canonical().as_str(), "\0".repeat(18));
}

#[test]
fn identifiers_catch_every_single_typo_and_adjacent_swap() {
    let mut r = rng(6);
    for _ in 0..50 {
        let id = generate_identifier(&mut r);
        let digits: Vec<u8> = id.as_str().bytes().collect();
        assert_eq!(digits.len(), 12);
        assert_eq!(Identifier::parse(id.as_str()).unwrap(), id);
        for i in 0..12 {
            for d in b'0'..=b'9' {
                if d == digits[i] {
                    continue;
                }
                let mut t = digits.clone();
                t[i] = d;
                assert_eq!(
                    Identifier::parse(std::str::from_utf8(&t).unwrap()).unwrap_err(),
                    CredentialError::CheckMismatch
                );
            }
            if i + 1 < 12 && digits[i] != digits[i + 1] {
                let mut t = digits.clone();
                t.swap(i, i + 1);
                assert_eq!(
                    Identifier::parse(std::str::from_utf8(&t).unwrap()).unwrap_err(),
                    CredentialError::CheckMismatch
                );
            }
        }
    }
}

#[test]
fn identifiers_display_in_groups_and_parse_what_people_type() {
    let id = generate_identifier(&mut rng(7));
    let shown = id.display();
    assert_eq!(shown.len(), 14);
    assert_eq!(&shown[4..5], "-");
    assert_eq!(shown, id.to_string());
    assert_eq!(Identifier::parse(&shown).unwrap(), id);
    assert_eq!(Identifier::parse(&shown.replace('-', " ")).unwrap(), id);
    assert_eq!(
        Identifier::parse("1234").unwrap_err(),
        CredentialError::WrongLength {
            expected: 12,
            found: 4
        }
    );
    assert_eq!(
        Identifier::parse("1234-567a-9012").unwrap_err(),
        CredentialError::BadCharacter { position: 8 }
    );
}

#[test]
fn keys_are_bound_to_what_they_must_be_bound_to() {
    let mut r = rng(8);
    let code = SecretCode::generate(&mut r);
    let other_code = SecretCode::generate(&mut r);
    let id = generate_identifier(&mut r);
    let other_id = generate_identifier(&mut r);
    let pk = |k: ed25519_dalek::SigningKey| k.verifying_key().to_bytes();

    let login = pk(login_signing_key("e1", &id, &code));
    let voting = pk(voting_signing_key("e1", "s1", &code));
    // Deterministic.
    assert_eq!(login, pk(login_signing_key("e1", &id, &code)));
    assert_eq!(voting, pk(code.voting_signing_key("e1", "s1")));
    assert_eq!(login, pk(code.login_signing_key("e1", &id)));
    // Distinct roles, and each input matters.
    assert_ne!(login, voting);
    assert_ne!(login, pk(login_signing_key("e2", &id, &code)));
    assert_ne!(login, pk(login_signing_key("e1", &other_id, &code)));
    assert_ne!(login, pk(login_signing_key("e1", &id, &other_code)));
    assert_ne!(voting, pk(voting_signing_key("e2", "s1", &code)));
    assert_ne!(voting, pk(voting_signing_key("e1", "s2", &code)));
    assert_ne!(voting, pk(voting_signing_key("e1", "s1", &other_code)));
    // Length prefixes: moving a character between election and scrutin changes the key.
    assert_ne!(
        pk(voting_signing_key("e1s", "1", &code)),
        pk(voting_signing_key("e1", "s1", &code))
    );
    // A typed code with spaces and lower case derives the same keys.
    let typed = SecretCode::parse(&code.display().to_lowercase().replace('-', " ")).unwrap();
    assert_eq!(voting, pk(voting_signing_key("e1", "s1", &typed)));
}

#[test]
fn a_generated_credential_matches_its_code() {
    let (public, code) = generate_credential("e1", "s1", &mut rng(9));
    assert_eq!(
        public.login_key,
        login_signing_key("e1", &public.identifier, &code)
            .verifying_key()
            .to_bytes()
    );
    assert_eq!(
        public.voting_key,
        voting_signing_key("e1", "s1", &code)
            .verifying_key()
            .to_bytes()
    );
}

/// The batch path compresses every key of a batch with one shared inversion: each key must
/// still be the one ed25519-dalek derives from the code, and the draws must come in the
/// order of one-by-one generation (the test vectors depend on it).
#[test]
fn a_batch_of_credentials_matches_their_codes_and_the_one_by_one_draws() {
    for count in [0usize, 1, 2, 7, 300] {
        let batch = generate_credentials("e1", "s1", count, &mut rng(11));
        assert_eq!(batch.len(), count);
        let mut one_by_one = rng(11);
        for (public, code) in &batch {
            let (single, single_code) = generate_credential("e1", "s1", &mut one_by_one);
            assert_eq!(public, &single);
            assert_eq!(code, &single_code);
            assert_eq!(
                public.login_key,
                login_signing_key("e1", &public.identifier, code)
                    .verifying_key()
                    .to_bytes()
            );
            assert_eq!(
                public.voting_key,
                voting_signing_key("e1", "s1", code)
                    .verifying_key()
                    .to_bytes()
            );
        }
    }
}
