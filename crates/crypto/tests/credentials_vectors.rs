//! Test vectors `specs/vectors/credentials.json`: identifiers, secret codes and the keys
//! derived from them, regenerated from a fixed seed and compared byte for byte, then
//! checked against an independent reading of `specs/protocol.md` §2.
//! `SCRUTIN_WRITE_VECTORS=1` rewrites the file.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore, SeedableRng};
use scrutin_crypto::credentials::*;
use serde_json::{Value, json};
use sha2::{Digest, Sha512};

fn path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../specs/vectors/credentials.json")
}

fn generate() -> Value {
    let mut rng = ChaCha20Rng::seed_from_u64(2030);
    let election = "cci-2026";
    let scrutins = [
        "scrutin-75-industrie",
        "scrutin-69-commerce",
        "scrutin-13-services",
    ];
    let mut cases = Vec::new();
    for scrutin in scrutins {
        let (public, code) = generate_credential(election, scrutin, &mut rng);
        cases.push(json!({
            "election": election,
            "scrutin": scrutin,
            "identifier": public.identifier.as_str(),
            "identifier_display": public.identifier.display(),
            "secret_code": code.canonical().as_str(),
            "secret_code_display": code.display().as_str(),
            "login_public_key": hex::encode(public.login_key),
            "voting_public_key": hex::encode(public.voting_key),
        }));
    }
    let code = SecretCode::generate(&mut rng).canonical().to_string();
    let mut typo = code.clone().into_bytes();
    typo[3] = if typo[3] == b'A' { b'B' } else { b'A' };
    let mut swapped = code.clone().into_bytes();
    let i = (0..17).find(|&i| swapped[i] != swapped[i + 1]).unwrap();
    swapped.swap(i, i + 1);
    let parsing = vec![
        json!({"input": code.to_lowercase(), "result": code}),
        json!({"input": format!(" {} {} - {} ", &code[..5], &code[5..12], &code[12..]), "result": code}),
        json!({"input": String::from_utf8(typo).unwrap(), "error": "check character mismatch: a character is mistyped"}),
        json!({"input": String::from_utf8(swapped).unwrap(), "error": "check character mismatch: a character is mistyped"}),
        json!({"input": format!("{}O{}", &code[..2], &code[3..]), "error": "character 3 is not allowed"}),
        json!({"input": &code[..16], "error": "wrong length: expected 18 characters, found 16"}),
    ];
    // The login message (§2.4) of the first case, for a nonce drawn last, and its
    // signature by the case's login key (Ed25519 signatures are deterministic).
    let first = &cases[0];
    let identifier = Identifier::parse(first["identifier"].as_str().unwrap()).unwrap();
    let first_code = SecretCode::parse(first["secret_code"].as_str().unwrap()).unwrap();
    let mut nonce = [0u8; 32];
    rng.fill_bytes(&mut nonce);
    let message = login_message(election, &identifier, &nonce);
    let signature = login_signing_key(election, &identifier, &first_code).sign(&message);
    let login = json!({
        "election": election,
        "identifier": identifier.as_str(),
        "nonce": hex::encode(nonce),
        "message": hex::encode(&message),
        "login_public_key": first["login_public_key"],
        "signature": hex::encode(signature.to_bytes()),
    });
    json!({
        "description": "Voting credentials (specs/protocol.md §2), generated with \
                        ChaCha20Rng::seed_from_u64(2030) through generate_credential for each \
                        case in order (identifier digits, then code characters, by rejection \
                        sampling of single bytes), then one more code for the parsing cases, \
                        then 32 bytes for the nonce of the login message (§2.4) of the first case.",
        "alphabet": std::str::from_utf8(CODE_ALPHABET).unwrap(),
        "cases": cases,
        "parsing": parsing,
        "login": login,
    })
}

#[test]
fn credential_vectors_are_reproduced_and_verify() {
    let text = serde_json::to_string_pretty(&generate()).unwrap() + "\n";
    if std::env::var("SCRUTIN_WRITE_VECTORS").as_deref() == Ok("1") {
        std::fs::write(path(), &text).unwrap();
    }
    let stored = std::fs::read_to_string(path()).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (SCRUTIN_WRITE_VECTORS=1 writes it)",
            path().display()
        )
    });
    assert!(
        stored == text,
        "credentials.json differs from what the code produces now"
    );
    let v: Value = serde_json::from_str(&stored).unwrap();

    // Independent derivation: SHA-512 over length-prefixed fields, first 32 bytes as the
    // Ed25519 seed.
    let derive = |parts: &[&str]| {
        let mut h = Sha512::new();
        for p in parts {
            h.update((p.len() as u32).to_be_bytes());
            h.update(p.as_bytes());
        }
        let seed: [u8; 32] = h.finalize()[..32].try_into().unwrap();
        hex::encode(SigningKey::from_bytes(&seed).verifying_key().to_bytes())
    };
    for case in v["cases"].as_array().unwrap() {
        let s = |k: &str| case[k].as_str().unwrap();
        let id = Identifier::parse(s("identifier_display")).unwrap();
        assert_eq!(id.as_str(), s("identifier"));
        let code = SecretCode::parse(s("secret_code_display")).unwrap();
        assert_eq!(code.canonical().as_str(), s("secret_code"));
        assert_eq!(
            derive(&[
                "scrutin/credential/login-key/v1",
                s("election"),
                s("identifier"),
                s("secret_code")
            ]),
            s("login_public_key")
        );
        assert_eq!(
            derive(&[
                "scrutin/credential/voting-key/v1",
                s("election"),
                s("scrutin"),
                s("secret_code")
            ]),
            s("voting_public_key")
        );
        // The check character: Σ i·index(c_i) ≡ 0 (mod 31).
        let sum: usize = s("secret_code")
            .bytes()
            .enumerate()
            .map(|(i, c)| (i + 1) * CODE_ALPHABET.iter().position(|&a| a == c).unwrap())
            .sum();
        assert_eq!(sum % 31, 0);
    }
    // The login message rebuilt from §1.3 and §2.4 by hand, and its signature checked.
    let login = &v["login"];
    let l = |k: &str| login[k].as_str().unwrap();
    let mut message = Vec::new();
    for part in ["scrutin-login-v1", l("election"), l("identifier")] {
        message.extend_from_slice(&(part.len() as u32).to_be_bytes());
        message.extend_from_slice(part.as_bytes());
    }
    message.extend_from_slice(&hex::decode(l("nonce")).unwrap());
    assert_eq!(hex::encode(&message), l("message"));
    let key: [u8; 32] = hex::decode(l("login_public_key"))
        .unwrap()
        .try_into()
        .unwrap();
    let signature: [u8; 64] = hex::decode(l("signature")).unwrap().try_into().unwrap();
    VerifyingKey::from_bytes(&key)
        .unwrap()
        .verify_strict(&message, &ed25519_dalek::Signature::from_bytes(&signature))
        .unwrap();
    for case in v["parsing"].as_array().unwrap() {
        let input = case["input"].as_str().unwrap();
        match SecretCode::parse(input) {
            Ok(code) => assert_eq!(code.canonical().as_str(), case["result"].as_str().unwrap()),
            Err(e) => assert_eq!(e.to_string(), case["error"].as_str().unwrap(), "{input}"),
        }
    }
}
