//! Ballot and board operations through the JSON interface, checked natively with
//! scrutin-crypto: what the browser produces verifies and decrypts to the voter's choices.

use ed25519_dalek::SigningKey;
use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore, SeedableRng};
use scrutin_ballot_client::ops::handle;
use scrutin_crypto::Scalar;
use scrutin_crypto::ballot::{Ballot, BallotStyle, ContestParams, verify_ballot};
use scrutin_crypto::credentials::SecretCode;
use scrutin_crypto::elgamal::base_mul;
use scrutin_crypto::merkle::{MerkleTree, SignedTreeHead, leaf_hash};
use serde_json::{Value, json};

fn call(request: Value) -> Value {
    serde_json::from_str(&handle(request.to_string().as_bytes())).expect("JSON response")
}

fn error_code(v: &Value) -> &str {
    v["error"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("expected an error, got {v}"))
}

fn entropy(rng: &mut ChaCha20Rng) -> String {
    let mut b = [0u8; 32];
    rng.fill_bytes(&mut b);
    hex::encode(b)
}

/// A typical style: CCIR 6 options / 3 seats, CCIT 15 options / 8 seats, under key x·G.
fn style(x: &Scalar) -> BallotStyle {
    let y = base_mul(x);
    let ccir = ContestParams::new(
        "cci-2026",
        "181-C/CCIR",
        y,
        (0..6).map(|i| format!("r{i}")).collect(),
        3,
    )
    .expect("contest");
    let ccit = ContestParams::new(
        "cci-2026",
        "181-C/CCIT",
        y,
        (0..15).map(|i| format!("t{i}")).collect(),
        8,
    )
    .expect("contest");
    BallotStyle::new("cci-2026", "181-C", vec![ccir, ccit]).expect("style")
}

/// Decrypts every ciphertext of one contest with the full key (test only): blank flag and marks.
fn decrypt(ballot: &Ballot, contest: usize, x: &Scalar) -> (u8, Vec<u8>) {
    let (blank, options) = ballot.contests[contest].ciphertexts().expect("decodes");
    let bit = |c: scrutin_crypto::elgamal::Ciphertext| {
        let m = c.beta - c.alpha * x;
        if m == base_mul(&Scalar::ZERO) {
            0
        } else if m == base_mul(&Scalar::ONE) {
            1
        } else {
            panic!("not a 0/1 plaintext")
        }
    };
    (bit(blank), options.into_iter().map(bit).collect())
}

#[test]
fn the_browser_ballot_verifies_and_decrypts_to_the_choices() {
    let mut rng = ChaCha20Rng::seed_from_u64(10);
    let x = Scalar::from(987_654_321u64);
    let style = style(&x);
    let code = SecretCode::generate(&mut rng);
    let r = call(json!({
        "op": "encrypt_ballot",
        "style": serde_json::to_value(&style).expect("style JSON"),
        "choices": [ { "blank": false, "selected": [4, 0] }, { "blank": true, "selected": [] } ],
        "code": code.display().as_str(),
        "entropy": entropy(&mut rng),
    }));
    let ballot = Ballot::from_json(&r["ok"]["ballot"].to_string()).expect("ballot JSON");
    verify_ballot(&ballot, &style).expect("the ballot verifies");
    assert_eq!(
        ballot.voting_key,
        code.voting_signing_key("cci-2026", "181-C")
            .verifying_key()
            .to_bytes(),
        "signed by the voting key of this code and scrutin"
    );
    assert_eq!(r["ok"]["tracking_code"], ballot.tracking_code().to_hex());
    assert_eq!(
        r["ok"]["tracking_code_short"],
        ballot.tracking_code().short()
    );
    assert_eq!(decrypt(&ballot, 0, &x), (0, vec![1, 0, 0, 0, 1, 0]));
    assert_eq!(decrypt(&ballot, 1, &x), (1, vec![0; 15]));

    let again = call(json!({ "op": "tracking_code", "ballot": r["ok"]["ballot"] }));
    assert_eq!(again["ok"]["tracking_code"], r["ok"]["tracking_code"]);
}

#[test]
fn invalid_choices_never_produce_a_ballot() {
    let mut rng = ChaCha20Rng::seed_from_u64(11);
    let x = Scalar::from(5u64);
    let style = serde_json::to_value(style(&x)).expect("style JSON");
    let code = SecretCode::generate(&mut rng);
    let blank = json!({ "blank": true, "selected": [] });
    for (first, why) in [
        (
            json!({ "blank": false, "selected": [0, 1, 2, 3] }),
            "beyond N",
        ),
        (
            json!({ "blank": true, "selected": [1] }),
            "blank with a name",
        ),
        (
            json!({ "blank": false, "selected": [] }),
            "nothing and not blank",
        ),
        (json!({ "blank": false, "selected": [6] }), "out of range"),
        (json!({ "blank": false, "selected": [1, 1] }), "twice"),
    ] {
        let r = call(json!({
            "op": "encrypt_ballot", "style": style, "choices": [first, blank],
            "code": code.display().as_str(), "entropy": entropy(&mut rng),
        }));
        assert_eq!(error_code(&r), "invalid_choice", "{why}");
        assert!(r.get("ok").is_none());
    }
    let r = call(json!({
        "op": "encrypt_ballot", "style": style, "choices": [blank],
        "code": code.display().as_str(), "entropy": entropy(&mut rng),
    }));
    assert_eq!(
        error_code(&r),
        "invalid_choice",
        "one choice for two contests"
    );
}

#[test]
fn bad_style_code_or_entropy_are_named() {
    let mut rng = ChaCha20Rng::seed_from_u64(12);
    let x = Scalar::from(5u64);
    let style = serde_json::to_value(style(&x)).expect("style JSON");
    let code = SecretCode::generate(&mut rng);
    let choices = json!([{ "blank": true, "selected": [] }, { "blank": true, "selected": [] }]);
    let mut bad_style = style.clone();
    bad_style["contests"][0]["seats"] = json!(0);
    let r = call(
        json!({ "op": "encrypt_ballot", "style": bad_style, "choices": choices, "code": code.display().as_str(), "entropy": entropy(&mut rng) }),
    );
    assert_eq!(error_code(&r), "invalid_style");
    let r = call(
        json!({ "op": "encrypt_ballot", "style": style, "choices": choices, "code": "AAA", "entropy": entropy(&mut rng) }),
    );
    assert_eq!(error_code(&r), "code_length");
    let r = call(
        json!({ "op": "encrypt_ballot", "style": style, "choices": choices, "code": code.display().as_str(), "entropy": "00".repeat(32) }),
    );
    assert_eq!(error_code(&r), "entropy");
}

#[test]
fn two_encryptions_of_the_same_choice_differ() {
    let mut rng = ChaCha20Rng::seed_from_u64(13);
    let x = Scalar::from(77u64);
    let style = serde_json::to_value(style(&x)).expect("style JSON");
    let code = SecretCode::generate(&mut rng);
    let req = |e: String| json!({ "op": "encrypt_ballot", "style": style, "choices": [{ "blank": false, "selected": [1] }, { "blank": false, "selected": [2, 3] }], "code": code.display().as_str(), "entropy": e });
    let a = call(req(entropy(&mut rng)));
    let b = call(req(entropy(&mut rng)));
    assert_ne!(a["ok"]["tracking_code"], b["ok"]["tracking_code"]);
}

fn board(n: usize, signer: &SigningKey) -> (Vec<[u8; 32]>, MerkleTree, SignedTreeHead) {
    let codes: Vec<[u8; 32]> = (0..n)
        .map(|i| scrutin_crypto::encoding::sha256(&[i as u8]))
        .collect();
    let mut tree = MerkleTree::new();
    for c in &codes {
        tree.push(leaf_hash(c));
    }
    let head = SignedTreeHead::sign(
        "181-C",
        2,
        n as u64,
        tree.root(),
        "2026-11-26T09:05:00Z",
        signer,
    )
    .expect("head");
    (codes, tree, head)
}

#[test]
fn inclusion_is_verified_against_the_signed_head_and_tampering_is_caught() {
    let signer = SigningKey::from_bytes(&[9u8; 32]);
    let board_key = hex::encode(signer.verifying_key().as_bytes());
    let (codes, tree, head) = board(21, &signer);
    for i in [0usize, 7, 20] {
        let proof = tree.inclusion_proof(i as u64, 21).expect("proof");
        let r = call(
            json!({ "op": "verify_inclusion", "head": head, "board_key": board_key, "tracking_code": hex::encode(codes[i]), "proof": proof }),
        );
        assert_eq!(r["ok"]["leaf_index"], i, "{r}");
        assert_eq!(r["ok"]["epoch"], 2);
    }
    let proof = tree.inclusion_proof(7, 21).expect("proof");
    // Another tracking code under the same proof.
    let r = call(
        json!({ "op": "verify_inclusion", "head": head, "board_key": board_key, "tracking_code": hex::encode(codes[8]), "proof": proof }),
    );
    assert_eq!(error_code(&r), "inclusion_proof");
    // A head signed by someone else.
    let other = hex::encode(
        SigningKey::from_bytes(&[3u8; 32])
            .verifying_key()
            .as_bytes(),
    );
    let r = call(
        json!({ "op": "verify_inclusion", "head": head, "board_key": other, "tracking_code": hex::encode(codes[7]), "proof": proof }),
    );
    assert_eq!(error_code(&r), "board_signature");
    // A head whose root was changed after signing.
    let mut forged = serde_json::to_value(&head).expect("head JSON");
    forged["root"] = json!(hex::encode([1u8; 32]));
    let r = call(
        json!({ "op": "verify_inclusion", "head": forged, "board_key": board_key, "tracking_code": hex::encode(codes[7]), "proof": proof }),
    );
    assert_eq!(error_code(&r), "board_signature");
    // A proof for another tree size.
    let small = tree.inclusion_proof(7, 16).expect("proof");
    let r = call(
        json!({ "op": "verify_inclusion", "head": head, "board_key": board_key, "tracking_code": hex::encode(codes[7]), "proof": small }),
    );
    assert_eq!(error_code(&r), "inclusion_proof");
}

#[test]
fn a_prepared_style_is_used_and_another_style_still_encrypts() {
    let mut rng = ChaCha20Rng::seed_from_u64(14);
    let x = Scalar::from(31u64);
    let prepared = style(&x);
    let other = {
        let y = base_mul(&Scalar::from(32u64));
        let c = ContestParams::new(
            "cci-2026",
            "182-I/CCIT",
            y,
            (0..4).map(|i| format!("o{i}")).collect(),
            2,
        )
        .expect("contest");
        BallotStyle::new("cci-2026", "182-I", vec![c]).expect("style")
    };
    let r = call(json!({ "op": "prepare_style", "style": prepared }));
    assert_eq!(r["ok"]["contests"], 2);
    let code = SecretCode::generate(&mut rng);
    for (style, choices) in [
        (
            &prepared,
            json!([{ "blank": false, "selected": [1] }, { "blank": true, "selected": [] }]),
        ),
        (&other, json!([{ "blank": false, "selected": [0, 3] }])),
        (
            &prepared,
            json!([{ "blank": true, "selected": [] }, { "blank": false, "selected": [14] }]),
        ),
    ] {
        let r = call(
            json!({ "op": "encrypt_ballot", "style": style, "choices": choices, "code": code.display().as_str(), "entropy": entropy(&mut rng) }),
        );
        let ballot = Ballot::from_json(&r["ok"]["ballot"].to_string()).expect("ballot JSON");
        verify_ballot(&ballot, style).expect("verifies under its own style");
    }
    let mut bad = serde_json::to_value(&prepared).expect("style JSON");
    bad["contests"] = json!([]);
    assert_eq!(
        error_code(&call(json!({ "op": "prepare_style", "style": bad }))),
        "invalid_style"
    );
}
