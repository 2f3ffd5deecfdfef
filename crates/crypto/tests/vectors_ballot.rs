//! Test vectors `specs/vectors/ballot.json` and `specs/vectors/ballot-signatures.json`:
//! regenerated from fixed seeds and compared byte for byte, then checked against an
//! independent reading of `specs/protocol.md` (fingerprints, statement digest, Merlin
//! challenges, decryption). `SCRUTIN_WRITE_VECTORS=1` rewrites the files.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use curve25519_dalek::constants::EIGHT_TORSION;
use curve25519_dalek::edwards::EdwardsPoint;
use ed25519_dalek::SigningKey;
use merlin::Transcript;
use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore, SeedableRng};
use scrutin_crypto::ballot::signature::verify_signature;
use scrutin_crypto::ballot::*;
use scrutin_crypto::elgamal::base_mul;
use scrutin_crypto::encoding::{decode_point, decode_scalar};
use scrutin_crypto::{RistrettoPoint, Scalar};
use serde_json::{Value, json};
use sha2::{Digest, Sha256, Sha512};

fn vector_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../specs/vectors")
        .join(name)
}

/// Compares the regenerated vectors with the file, or writes them when asked.
fn check_or_write(name: &str, value: &Value) -> Value {
    let text = serde_json::to_string_pretty(value).unwrap() + "\n";
    let path = vector_path(name);
    if std::env::var("SCRUTIN_WRITE_VECTORS").as_deref() == Ok("1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &text).unwrap();
    }
    let stored = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (SCRUTIN_WRITE_VECTORS=1 writes it)",
            path.display()
        )
    });
    assert!(
        stored == text,
        "{} differs from what the code produces now; if the change is intended, rewrite it \
         with SCRUTIN_WRITE_VECTORS=1 and update specs/protocol.md",
        path.display()
    );
    serde_json::from_str(&stored).unwrap()
}

fn h(bytes: impl AsRef<[u8]>) -> String {
    hex::encode(bytes)
}

fn unhex32(v: &Value) -> [u8; 32] {
    hex::decode(v.as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap()
}

struct Case {
    name: &'static str,
    description: &'static str,
    contests: Vec<(&'static str, usize, u32)>,
    choices: Vec<ContestChoice>,
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "small",
            description: "one contest, 3 options, 2 seats; options 1 and 3 selected",
            contests: vec![("ccit-commerce", 3, 2)],
            choices: vec![ContestChoice::select([0, 2])],
        },
        Case {
            name: "typical",
            description: "CCIR 6 options / 3 seats (options 2, 5 selected) and CCIT 15 options \
                          / 8 seats (blank)",
            contests: vec![("ccir-industrie", 6, 3), ("ccit-industrie", 15, 8)],
            choices: vec![ContestChoice::select([1, 4]), ContestChoice::blank()],
        },
    ]
}

fn generate_ballots() -> Value {
    let mut out = Vec::new();
    for (n, case) in cases().into_iter().enumerate() {
        let mut rng = ChaCha20Rng::seed_from_u64(2026 + n as u64);
        let x = Scalar::random(&mut rng);
        let y = base_mul(&x);
        let contests: Vec<ContestParams> = case
            .contests
            .iter()
            .map(|(id, k, seats)| {
                ContestParams::new(
                    "cci-2026",
                    *id,
                    y,
                    (1..=*k).map(|i| format!("{id}-{i:02}")).collect(),
                    *seats,
                )
                .unwrap()
            })
            .collect();
        let style = BallotStyle::new("cci-2026", "scrutin-75-c2", contests).unwrap();
        let mut seed = [0u8; 32];
        rng.fill_bytes(&mut seed);
        let key = SigningKey::from_bytes(&seed);
        let ballot = encrypt_ballot(&style, &case.choices, &key, &mut rng).unwrap();
        let choices: Vec<Value> = case
            .choices
            .iter()
            .map(|c| serde_json::to_value(c).unwrap())
            .collect();
        out.push(json!({
            "name": case.name,
            "description": case.description,
            "election_secret_key": h(x.as_bytes()),
            "ballot_style": serde_json::to_value(&style).unwrap(),
            "contest_fingerprints": style.contests().iter().map(|c| h(c.fingerprint())).collect::<Vec<_>>(),
            "voting_key_seed": h(seed),
            "choices": choices,
            "ballot": serde_json::to_value(&ballot).unwrap(),
            "signed_bytes": h(ballot.signed_bytes()),
            "tracking_code": ballot.tracking_code().to_hex(),
            "tracking_code_short": ballot.tracking_code().short(),
        }));
    }
    json!({
        "description": "Encrypted ballots (specs/protocol.md §3–§5). Each case is generated \
                        with rand_chacha's ChaCha20Rng::seed_from_u64(2026 + case index): the \
                        election secret x, then the 32-byte Ed25519 seed of the voting key, \
                        then encrypt_ballot draws from the same generator. A verifier checks \
                        the fingerprints, the ballot (structure, signature, proofs), the \
                        signed bytes and the tracking code; with x it can decrypt each \
                        ciphertext and compare with the choices.",
        "cases": out,
    })
}

#[test]
fn ballot_vectors_are_reproduced_and_verify() {
    let stored = check_or_write("ballot.json", &generate_ballots());
    for case in stored["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let style: BallotStyle = serde_json::from_value(case["ballot_style"].clone()).unwrap();
        let ballot: Ballot = serde_json::from_value(case["ballot"].clone()).unwrap();
        verify_ballot(&ballot, &style).unwrap();
        assert_eq!(
            h(ballot.signed_bytes()),
            case["signed_bytes"].as_str().unwrap()
        );
        assert_eq!(
            h(Sha256::digest(ballot.to_bytes())),
            case["tracking_code"].as_str().unwrap()
        );
        independent_checks(name, case, &style, &ballot);
    }
}

/// Recomputes from the spec alone (no crate internals): fingerprints, the statement
/// digest, every challenge sum, every equation, and the plaintexts.
fn independent_checks(name: &str, case: &Value, style: &BallotStyle, ballot: &Ballot) {
    fn w_str(w: &mut Vec<u8>, s: &str) {
        w.extend((s.len() as u32).to_be_bytes());
        w.extend(s.as_bytes());
    }
    let x = decode_scalar(&unhex32(&case["election_secret_key"])).unwrap();
    let style_json = &case["ballot_style"];
    for (i, c) in style_json["contests"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        let mut w = Vec::new();
        w_str(&mut w, "scrutin/contest/v1");
        w_str(&mut w, c["election"].as_str().unwrap());
        w_str(&mut w, c["contest"].as_str().unwrap());
        w.extend(unhex32(&c["public_key"]));
        let options = c["options"].as_array().unwrap();
        w.extend((options.len() as u32).to_be_bytes());
        for o in options {
            w_str(&mut w, o.as_str().unwrap());
        }
        w.extend((c["seats"].as_u64().unwrap() as u32).to_be_bytes());
        assert_eq!(
            h(Sha256::digest(&w)),
            case["contest_fingerprints"][i].as_str().unwrap(),
            "{name}: fingerprint {i}"
        );
    }

    let mut w = Vec::new();
    w_str(&mut w, "scrutin/ballot-statement/v1");
    w.extend(ballot.version.to_be_bytes());
    w_str(&mut w, &ballot.election_id);
    w_str(&mut w, &ballot.scrutin_id);
    w.extend(ballot.voting_key);
    w.extend((ballot.contests.len() as u32).to_be_bytes());
    for c in &ballot.contests {
        w.extend(c.contest);
        w.extend(c.blank.alpha);
        w.extend(c.blank.beta);
        w.extend((c.options.len() as u32).to_be_bytes());
        for o in &c.options {
            w.extend(o.alpha);
            w.extend(o.beta);
        }
    }
    let digest: [u8; 32] = Sha256::digest(&w).into();

    let challenge = |mut t: Transcript| {
        let mut buf = [0u8; 64];
        t.challenge_bytes(b"challenge", &mut buf);
        Scalar::from_bytes_mod_order_wide(&buf)
    };
    let s = |b: &[u8; 32]| decode_scalar(b).unwrap();
    let p = |b: &[u8; 32]| decode_point(b).unwrap();
    let g = base_mul(&Scalar::ONE);
    let y = *style.contests()[0].public_key();
    // s·G = A + e·α and s·Y = B + e·(β − v·G).
    let holds = |alpha: RistrettoPoint,
                 beta: RistrettoPoint,
                 v: u64,
                 a: &[u8; 32],
                 b: &[u8; 32],
                 e: Scalar,
                 resp: Scalar| {
        g * resp == p(a) + alpha * e && y * resp == p(b) + (beta - g * Scalar::from(v)) * e
    };
    for (i, c) in ballot.contests.iter().enumerate() {
        for (j, proof) in c.option_proofs.iter().enumerate() {
            let mut t = Transcript::new(b"scrutin-protocol-v1");
            t.append_message(b"proof-type", b"ballot-option-0-1");
            t.append_message(b"statement", &digest);
            t.append_u64(b"contest", i as u64);
            t.append_u64(b"option", j as u64);
            t.append_message(b"a0", &proof.zero.a);
            t.append_message(b"b0", &proof.zero.b);
            t.append_message(b"a1", &proof.one.a);
            t.append_message(b"b1", &proof.one.b);
            assert_eq!(
                s(&proof.zero.challenge) + s(&proof.one.challenge),
                challenge(t),
                "{name}: contest {i} option {j}"
            );
            let (alpha, beta) = (p(&c.options[j].alpha), p(&c.options[j].beta));
            for (v, br) in [(0, &proof.zero), (1, &proof.one)] {
                assert!(holds(
                    alpha,
                    beta,
                    v,
                    &br.a,
                    &br.b,
                    s(&br.challenge),
                    s(&br.response)
                ));
            }
        }
        let mut t = Transcript::new(b"scrutin-protocol-v1");
        t.append_message(b"proof-type", b"ballot-blank-sum");
        t.append_message(b"statement", &digest);
        t.append_u64(b"contest", i as u64);
        t.append_u64(b"branches", c.sum_proof.len() as u64);
        let mut total = Scalar::ZERO;
        for br in &c.sum_proof {
            t.append_message(b"a-blank", &br.a_blank);
            t.append_message(b"b-blank", &br.b_blank);
            t.append_message(b"a-sum", &br.a_sum);
            t.append_message(b"b-sum", &br.b_sum);
            total += s(&br.challenge);
        }
        assert_eq!(total, challenge(t), "{name}: contest {i} sum proof");
        let (a0, b0) = (p(&c.blank.alpha), p(&c.blank.beta));
        let sum_alpha: RistrettoPoint = c.options.iter().map(|o| p(&o.alpha)).sum();
        let sum_beta: RistrettoPoint = c.options.iter().map(|o| p(&o.beta)).sum();
        for (v, br) in c.sum_proof.iter().enumerate() {
            let (blank, count) = if v == 0 { (1, 0) } else { (0, v as u64) };
            let e = s(&br.challenge);
            assert!(holds(
                a0,
                b0,
                blank,
                &br.a_blank,
                &br.b_blank,
                e,
                s(&br.response_blank)
            ));
            assert!(holds(
                sum_alpha,
                sum_beta,
                count,
                &br.a_sum,
                &br.b_sum,
                e,
                s(&br.response_sum)
            ));
        }

        // Decrypt and compare with the choice.
        let choice = &case["choices"][i];
        let dec = |a: &[u8; 32], b: &[u8; 32]| {
            let m = p(b) - p(a) * x;
            if m == RistrettoPoint::default() {
                0
            } else {
                assert_eq!(m, g);
                1
            }
        };
        assert_eq!(
            dec(&c.blank.alpha, &c.blank.beta),
            u64::from(choice["blank"].as_bool().unwrap())
        );
        let selected: Vec<u64> = choice["selected"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap())
            .collect();
        for (j, o) in c.options.iter().enumerate() {
            assert_eq!(
                dec(&o.alpha, &o.beta),
                u64::from(selected.contains(&(j as u64)))
            );
        }
    }

    // The signature: Ed25519 over the signed bytes, by the key of the seed.
    let seed = unhex32(&case["voting_key_seed"]);
    assert_eq!(
        SigningKey::from_bytes(&seed).verifying_key().to_bytes(),
        ballot.voting_key
    );
}

// ---------------------------------------------------------------------------------------
// Signature rule vectors
// ---------------------------------------------------------------------------------------

fn sign_raw(
    a: &Scalar,
    a_extra: EdwardsPoint,
    r: &Scalar,
    r_extra: EdwardsPoint,
    msg: &[u8],
) -> ([u8; 32], [u8; 64]) {
    let public = (EdwardsPoint::mul_base(a) + a_extra).compress().to_bytes();
    let big_r = (EdwardsPoint::mul_base(r) + r_extra).compress().to_bytes();
    let mut hsh = Sha512::new();
    hsh.update(big_r);
    hsh.update(public);
    hsh.update(msg);
    let k = Scalar::from_bytes_mod_order_wide(&hsh.finalize().into());
    let s = r + k * a;
    let mut sig = [0u8; 64];
    sig[..32].copy_from_slice(&big_r);
    sig[32..].copy_from_slice(s.as_bytes());
    (public, sig)
}

fn generate_signatures() -> Value {
    let mut rng = ChaCha20Rng::seed_from_u64(8032);
    let msg = b"scrutin signature rule";
    let a = Scalar::random(&mut rng);
    let r = Scalar::random(&mut rng);
    let id = EIGHT_TORSION[0];
    let mut cases = Vec::new();
    let mut push = |name: &str, public: [u8; 32], sig: [u8; 64], valid: bool| {
        cases.push(json!({
            "name": name,
            "public_key": h(public),
            "message": h(msg),
            "signature": h(sig),
            "valid": valid,
        }));
    };
    let (pk, sig) = sign_raw(&a, id, &r, id, msg);
    push("honest", pk, sig, true);
    let (pk, sig) = sign_raw(&a, id, &r, EIGHT_TORSION[1], msg);
    push(
        "R with an order-8 component (refused by cofactorless checks)",
        pk,
        sig,
        true,
    );
    let (pk, sig) = sign_raw(&a, EIGHT_TORSION[3], &r, id, msg);
    push("A with an order-8 component", pk, sig, true);
    let small = EIGHT_TORSION[2].compress().to_bytes();
    let mut zero_sig = [0u8; 64];
    zero_sig[..32].copy_from_slice(&small);
    push(
        "A of small order (s = 0, R of small order)",
        small,
        zero_sig,
        false,
    );
    let (pk, mut sig) = sign_raw(&a, id, &r, id, msg);
    let s = Scalar::from_canonical_bytes(sig[32..].try_into().unwrap()).unwrap();
    let l_minus_1 = (Scalar::ZERO - Scalar::ONE).to_bytes();
    let mut carry = 1u16;
    for i in 0..32 {
        let v = u16::from(s.as_bytes()[i]) + u16::from(l_minus_1[i]) + carry;
        sig[32 + i] = v as u8;
        carry = v >> 8;
    }
    push("s + ℓ (not reduced)", pk, sig, false);
    // R = the order-4 point y = 0 written as y = p, with s = k·a.
    let mut y_p = [0xffu8; 32];
    y_p[0] = 0xed;
    y_p[31] = 0x7f;
    let public = EdwardsPoint::mul_base(&a).compress().to_bytes();
    let mut hsh = Sha512::new();
    hsh.update(y_p);
    hsh.update(public);
    hsh.update(msg);
    let k = Scalar::from_bytes_mod_order_wide(&hsh.finalize().into());
    let mut sig = [0u8; 64];
    sig[..32].copy_from_slice(&y_p);
    sig[32..].copy_from_slice((k * a).as_bytes());
    push("R not canonically encoded (y = p)", public, sig, false);
    let (pk, mut sig) = sign_raw(&a, id, &r, id, msg);
    sig[40] ^= 1;
    push("s altered", pk, sig, false);
    json!({
        "description": "Ed25519 signatures under the rule of specs/protocol.md §5.2 \
                        (canonical A and R, s < ℓ, A not of small order, cofactored \
                        equation). Generated with ChaCha20Rng::seed_from_u64(8032): the \
                        secret scalar a, then the nonce r; signatures are made by hand \
                        (s = r + k·a) so that torsion can be added.",
        "cases": cases,
    })
}

#[test]
fn signature_vectors_are_reproduced_and_verify() {
    let stored = check_or_write("ballot-signatures.json", &generate_signatures());
    for case in stored["cases"].as_array().unwrap() {
        let public = unhex32(&case["public_key"]);
        let msg = hex::decode(case["message"].as_str().unwrap()).unwrap();
        let sig: [u8; 64] = hex::decode(case["signature"].as_str().unwrap())
            .unwrap()
            .try_into()
            .unwrap();
        assert_eq!(
            verify_signature(&public, &msg, &sig).is_ok(),
            case["valid"].as_bool().unwrap(),
            "{}",
            case["name"]
        );
    }
}
