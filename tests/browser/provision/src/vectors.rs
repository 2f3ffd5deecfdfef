//! Requests to the ballot client with fixed inputs (entropy included) and the responses of
//! its native build. The browser test replays the requests in Chromium and expects the same
//! bytes, which shows that the wasm build computes exactly what the native build computes,
//! whatever the current version of scrutin-crypto is (nothing is recorded in a file).

use anyhow::Result;
use ed25519_dalek::SigningKey;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use scrutin_ballot_client::ops::handle;
use scrutin_crypto::Scalar;
use scrutin_crypto::ballot::{BallotStyle, ContestParams};
use scrutin_crypto::credentials::{SecretCode, generate_identifier};
use scrutin_crypto::elgamal::base_mul;
use scrutin_crypto::merkle::{MerkleTree, SignedTreeHead, leaf_hash};
use serde_json::{Value, json};

fn requests() -> Result<Vec<Value>> {
    let mut rng = ChaCha20Rng::seed_from_u64(2026);
    let identifier = generate_identifier(&mut rng);
    let code = SecretCode::generate(&mut rng);
    let y = base_mul(&Scalar::from(123_456_789u64));
    let ccir = ContestParams::new(
        "cci-2026",
        "181-C/CCIR",
        y,
        (0..6).map(|i| format!("r{i}")).collect(),
        3,
    )?;
    let ccit = ContestParams::new(
        "cci-2026",
        "181-C/CCIT",
        y,
        (0..15).map(|i| format!("t{i}")).collect(),
        8,
    )?;
    let style = BallotStyle::new("cci-2026", "181-C", vec![ccir, ccit])?;
    let signer = SigningKey::from_bytes(&[42u8; 32]);
    let codes: Vec<[u8; 32]> = (0u8..19)
        .map(|i| scrutin_crypto::encoding::sha256(&[i]))
        .collect();
    let mut tree = MerkleTree::new();
    for c in &codes {
        tree.push(leaf_hash(c));
    }
    let head = SignedTreeHead::sign("181-C", 1, 19, tree.root(), "2026-11-26T09:05:00Z", &signer)?;
    let sloppy = code.display().to_lowercase().replace('-', " ");
    let mistyped = format!("{}X", &code.canonical()[..17]);
    Ok(vec![
        json!({ "op": "info" }),
        json!({ "op": "check_identifier", "identifier": identifier.display() }),
        json!({ "op": "check_code", "code": sloppy }),
        json!({ "op": "check_code", "code": mistyped }),
        json!({ "op": "login_sign", "election_id": "cci-2026", "identifier": identifier.display(), "code": sloppy, "nonce": hex::encode([5u8; 32]) }),
        json!({ "op": "voting_key", "election_id": "cci-2026", "scrutin_id": "181-C", "code": sloppy }),
        json!({ "op": "encrypt_ballot", "style": style, "choices": [{ "blank": false, "selected": [2, 5] }, { "blank": false, "selected": [0, 1, 2, 3, 4, 5, 6, 14] }], "code": sloppy, "entropy": hex::encode([7u8; 32]) }),
        json!({ "op": "encrypt_ballot", "style": style, "choices": [{ "blank": true, "selected": [] }, { "blank": false, "selected": [0, 1, 2, 3, 4, 5, 6, 7, 8] }], "code": sloppy, "entropy": hex::encode([7u8; 32]) }),
        json!({ "op": "verify_inclusion", "head": head, "board_key": hex::encode(signer.verifying_key().as_bytes()), "tracking_code": hex::encode(codes[11]), "proof": tree.inclusion_proof(11, 19)? }),
        json!({ "op": "verify_inclusion", "head": head, "board_key": hex::encode(signer.verifying_key().as_bytes()), "tracking_code": hex::encode(codes[12]), "proof": tree.inclusion_proof(11, 19)? }),
    ])
}

/// Every request with the native response, as `[{request, response}]`.
pub fn vectors() -> Result<Value> {
    let pairs = requests()?
        .into_iter()
        .map(|request| {
            let response: Value = serde_json::from_str(&handle(request.to_string().as_bytes()))?;
            Ok(json!({ "request": request, "response": response }))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Value::Array(pairs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectors_cover_successes_and_refusals_and_are_deterministic() {
        let a = vectors().expect("vectors");
        let b = vectors().expect("vectors");
        assert_eq!(a, b, "fixed inputs give fixed outputs");
        let list = a.as_array().expect("array");
        let code_of = |v: &Value| v["response"]["error"]["code"].as_str().map(str::to_owned);
        assert!(
            list.iter()
                .any(|v| code_of(v).as_deref() == Some("code_check"))
        );
        assert!(
            list.iter()
                .any(|v| code_of(v).as_deref() == Some("invalid_choice"))
        );
        assert!(
            list.iter()
                .any(|v| code_of(v).as_deref() == Some("inclusion_proof"))
        );
        assert!(
            list.iter()
                .filter(|v| v["response"]["ok"].is_object())
                .count()
                >= 6
        );
    }
}
