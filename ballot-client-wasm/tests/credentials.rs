//! The credential operations through the JSON interface, against scrutin-crypto natively.

use ed25519_dalek::{Signature, VerifyingKey};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use scrutin_ballot_client::credentials::login_message;
use scrutin_ballot_client::ops::handle;
use scrutin_crypto::credentials::{SecretCode, generate_identifier};
use serde_json::{Value, json};

fn call(request: Value) -> Value {
    serde_json::from_str(&handle(request.to_string().as_bytes())).expect("JSON response")
}

fn error_code(v: &Value) -> &str {
    v["error"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("expected an error, got {v}"))
}

/// A sloppy but valid way to type a code: lower case, spaces instead of dashes.
fn sloppy(display: &str) -> String {
    display.to_lowercase().replace('-', " ")
}

#[test]
fn a_code_typed_loosely_is_accepted_and_normalised() {
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let code = SecretCode::generate(&mut rng);
    let r = call(json!({ "op": "check_code", "code": sloppy(&code.display()) }));
    assert_eq!(r["ok"]["code"], code.canonical().as_str());
}

#[test]
fn every_single_typo_and_adjacent_swap_is_caught_before_any_request() {
    let mut rng = ChaCha20Rng::seed_from_u64(2);
    let code = SecretCode::generate(&mut rng);
    let canonical: Vec<char> = code.canonical().chars().collect();
    for i in 0..canonical.len() {
        for replacement in "23456789ABCDEFGHJKMNPQRSTUVWXYZ".chars() {
            if replacement == canonical[i] {
                continue;
            }
            let mut typo = canonical.clone();
            typo[i] = replacement;
            let r = call(json!({ "op": "check_code", "code": typo.iter().collect::<String>() }));
            assert_eq!(error_code(&r), "code_check");
        }
        if i + 1 < canonical.len() && canonical[i] != canonical[i + 1] {
            let mut swapped = canonical.clone();
            swapped.swap(i, i + 1);
            let r = call(json!({ "op": "check_code", "code": swapped.iter().collect::<String>() }));
            assert_eq!(error_code(&r), "code_check");
        }
    }
}

#[test]
fn length_and_alphabet_errors_have_their_own_codes_and_details() {
    let r = call(json!({ "op": "check_code", "code": "ABC-DEF" }));
    assert_eq!(error_code(&r), "code_length");
    assert_eq!(r["error"]["details"]["expected"], 18);
    assert_eq!(r["error"]["details"]["found"], 6);
    let r = call(json!({ "op": "check_code", "code": "ABC-DEF-GH0-KMN-PQR-STU" }));
    assert_eq!(error_code(&r), "code_character");
    assert_eq!(r["error"]["details"]["position"], 9);
    // The code itself never comes back in an error.
    assert!(!r.to_string().contains("GH0"));
}

#[test]
fn identifiers_are_checked_with_their_check_digit() {
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    let id = generate_identifier(&mut rng);
    let r = call(
        json!({ "op": "check_identifier", "identifier": format!(" {} ", id.display().replace('-', " ")) }),
    );
    assert_eq!(r["ok"]["identifier"], id.as_str());
    let mut digits: Vec<u8> = id.as_str().bytes().collect();
    digits[4] = if digits[4] == b'9' {
        b'0'
    } else {
        digits[4] + 1
    };
    let r = call(
        json!({ "op": "check_identifier", "identifier": String::from_utf8(digits).expect("ascii") }),
    );
    assert_eq!(error_code(&r), "identifier_check");
    let r = call(json!({ "op": "check_identifier", "identifier": "1234" }));
    assert_eq!(error_code(&r), "identifier_length");
}

#[test]
fn the_login_signature_verifies_under_the_key_the_store_keeps() {
    let mut rng = ChaCha20Rng::seed_from_u64(4);
    let id = generate_identifier(&mut rng);
    let code = SecretCode::generate(&mut rng);
    let nonce = [7u8; 32];
    let r = call(json!({
        "op": "login_sign", "election_id": "cci-2026", "identifier": id.display(),
        "code": sloppy(&code.display()), "nonce": hex::encode(nonce),
    }));
    let expected = code.login_signing_key("cci-2026", &id).verifying_key();
    assert_eq!(
        r["ok"]["login_public_key"],
        hex::encode(expected.as_bytes())
    );
    let sig_bytes: [u8; 64] = hex::decode(r["ok"]["signature"].as_str().expect("hex"))
        .expect("hex")
        .try_into()
        .expect("64 bytes");
    let key = VerifyingKey::from_bytes(expected.as_bytes()).expect("key");
    key.verify_strict(
        &login_message("cci-2026", &id, &nonce),
        &Signature::from_bytes(&sig_bytes),
    )
    .expect("signature verifies");
    // Bound to the nonce and the election.
    assert!(
        key.verify_strict(
            &login_message("cci-2026", &id, &[8u8; 32]),
            &Signature::from_bytes(&sig_bytes)
        )
        .is_err()
    );
    assert!(
        key.verify_strict(
            &login_message("other", &id, &nonce),
            &Signature::from_bytes(&sig_bytes)
        )
        .is_err()
    );
}

#[test]
fn the_voting_key_matches_the_generation_step() {
    let mut rng = ChaCha20Rng::seed_from_u64(5);
    let code = SecretCode::generate(&mut rng);
    let r = call(
        json!({ "op": "voting_key", "election_id": "e", "scrutin_id": "181-C", "code": code.display().as_str() }),
    );
    let expected = code.voting_signing_key("e", "181-C").verifying_key();
    assert_eq!(
        r["ok"]["voting_public_key"],
        hex::encode(expected.as_bytes())
    );
}

#[test]
fn unknown_fields_and_bad_nonces_are_refused() {
    let r = call(json!({ "op": "check_code", "code": "x", "extra": 1 }));
    assert_eq!(error_code(&r), "bad_request");
    let r = call(
        json!({ "op": "login_sign", "election_id": "e", "identifier": "1", "code": "x", "nonce": "zz" }),
    );
    assert_eq!(error_code(&r), "identifier_length");
}
