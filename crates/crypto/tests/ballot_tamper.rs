//! Tries to break every proof of a ballot (issue #2): each altered ballot must be refused
//! by the individual check and named, with the same reason, by the batch check.
//!
//! Most alterations are re-signed with the voting key, so that what refuses them is the
//! proof (or structure) check and not merely the signature.
#![allow(clippy::unwrap_used)]

mod ballot_support;

use ballot_support::*;
use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT as G;
use ed25519_dalek::{Signer, SigningKey};
use scrutin_crypto::CryptoError;
use scrutin_crypto::ballot::*;
use scrutin_crypto::batch::verify_ballots;
use scrutin_crypto::encoding::{decode_point, decode_scalar};
use scrutin_crypto::{RistrettoPoint, Scalar};

fn resign(b: &mut Ballot, key: &SigningKey) {
    b.voting_key = key.verifying_key().to_bytes();
    b.signature = key.sign(&b.signed_bytes()).to_bytes();
}

fn add_to_point(bytes: &mut [u8; 32], p: RistrettoPoint) {
    *bytes = (decode_point(bytes).unwrap() + p).compress().to_bytes();
}

struct Fixture {
    style: BallotStyle,
    key: SigningKey,
    good: Ballot,
    other: Ballot,
}

fn fixture() -> Fixture {
    let (_, y) = election_key(20);
    let style = typical_style(y);
    let key = voting_key(20);
    let choices = [ContestChoice::select([1, 4]), ContestChoice::blank()];
    let good = encrypt_ballot(&style, &choices, &key, &mut rng(21)).unwrap();
    let other = encrypt_ballot(&style, &choices, &voting_key(22), &mut rng(23)).unwrap();
    Fixture {
        style,
        key,
        good,
        other,
    }
}

/// Refused alone with an error containing `reason`, and named alone, with the same error,
/// between two good ballots in a batch.
fn assert_refused(bad: &Ballot, style: &BallotStyle, f: &Fixture, reason: &str) {
    let err = verify_ballot(bad, style).expect_err("altered ballot accepted");
    assert!(
        err.to_string().contains(reason),
        "expected «{reason}», got «{err}»"
    );
    let items = [(&f.good, &f.style), (bad, style), (&f.other, &f.style)];
    let failure = verify_ballots(&items, &mut rng(99)).expect_err("batch accepted it");
    assert_eq!(failure.total, 3);
    assert_eq!(failure.failures.len(), 1, "{failure}");
    assert_eq!(failure.failures[0].index, 1);
    assert_eq!(failure.failures[0].error, err);
}

#[test]
fn the_fixture_ballots_verify() {
    let f = fixture();
    verify_ballot(&f.good, &f.style).unwrap();
    verify_ballot(&f.other, &f.style).unwrap();
    verify_ballots(&[(&f.good, &f.style), (&f.other, &f.style)], &mut rng(1)).unwrap();
}

#[test]
fn changing_any_ciphertext_is_caught() {
    let f = fixture();
    let (_, y) = election_key(20);
    for c in 0..f.good.contests.len() {
        let k = f.good.contests[c].options.len();
        for j in 0..=k {
            // +1 on the plaintext, and a re-randomisation that keeps the plaintext.
            for (delta_alpha, delta_beta) in [(None, Some(G)), (Some(G), Some(y))] {
                let mut bad = f.good.clone();
                let ct = if j == 0 {
                    &mut bad.contests[c].blank
                } else {
                    &mut bad.contests[c].options[j - 1]
                };
                if let Some(d) = delta_alpha {
                    add_to_point(&mut ct.alpha, d);
                }
                if let Some(d) = delta_beta {
                    add_to_point(&mut ct.beta, d);
                }
                resign(&mut bad, &f.key);
                assert_refused(&bad, &f.style, &f, "challenges do not add up");
            }
        }
    }
}

#[test]
fn a_ciphertext_change_without_resigning_breaks_the_signature() {
    let f = fixture();
    let mut bad = f.good.clone();
    add_to_point(&mut bad.contests[0].options[2].beta, G);
    assert_refused(&bad, &f.style, &f, "signature does not hold");
}

#[test]
fn swapping_two_ciphertexts_or_two_proofs_is_caught() {
    let f = fixture();
    // Swap the ciphertexts of options 1 and 2 (one selected, one not).
    let mut bad = f.good.clone();
    bad.contests[0].options.swap(1, 4);
    resign(&mut bad, &f.key);
    assert_refused(&bad, &f.style, &f, "challenges do not add up");
    // Swap two proofs.
    let mut bad = f.good.clone();
    bad.contests[0].option_proofs.swap(0, 1);
    resign(&mut bad, &f.key);
    assert_refused(&bad, &f.style, &f, "challenges do not add up");
    // Swap ciphertexts together with their proofs: positions are bound too.
    let mut bad = f.good.clone();
    bad.contests[0].options.swap(0, 1);
    bad.contests[0].option_proofs.swap(0, 1);
    resign(&mut bad, &f.key);
    assert_refused(&bad, &f.style, &f, "challenges do not add up");
    // Swap the blank ciphertexts of the two contests.
    let mut bad = f.good.clone();
    let b0 = bad.contests[0].blank;
    bad.contests[0].blank = bad.contests[1].blank;
    bad.contests[1].blank = b0;
    resign(&mut bad, &f.key);
    assert_refused(&bad, &f.style, &f, "challenges do not add up");
    // Swap the two branches of a 0/1 proof.
    let mut bad = f.good.clone();
    let p = &mut bad.contests[1].option_proofs[3];
    core::mem::swap(&mut p.zero, &mut p.one);
    resign(&mut bad, &f.key);
    assert_refused(&bad, &f.style, &f, "challenges do not add up");
    // Swap two branches of the sum proof.
    let mut bad = f.good.clone();
    bad.contests[1].sum_proof.swap(0, 2);
    resign(&mut bad, &f.key);
    assert_refused(&bad, &f.style, &f, "challenges do not add up");
}

#[test]
fn moving_challenge_between_branches_breaks_the_equations() {
    let f = fixture();
    let delta = Scalar::from(5u64);
    let shift = |a: &mut [u8; 32], b: &mut [u8; 32]| {
        *a = (decode_scalar(a).unwrap() + delta).to_bytes();
        *b = (decode_scalar(b).unwrap() - delta).to_bytes();
    };
    let mut bad = f.good.clone();
    {
        let p = &mut bad.contests[0].option_proofs[2];
        shift(&mut p.zero.challenge, &mut p.one.challenge);
    }
    resign(&mut bad, &f.key);
    assert_refused(
        &bad,
        &f.style,
        &f,
        "option 3 (ccir-cand-3): 0/1 proof does not hold",
    );

    let mut bad = f.good.clone();
    {
        let (a, b) = bad.contests[1].sum_proof.split_at_mut(1);
        shift(&mut a[0].challenge, &mut b[0].challenge);
    }
    resign(&mut bad, &f.key);
    assert_refused(
        &bad,
        &f.style,
        &f,
        "contest 2 (ccit): sum proof does not hold",
    );

    // A response changed alone.
    let mut bad = f.good.clone();
    let r = &mut bad.contests[1].sum_proof[4].response_sum;
    *r = (decode_scalar(r).unwrap() + Scalar::ONE).to_bytes();
    resign(&mut bad, &f.key);
    assert_refused(
        &bad,
        &f.style,
        &f,
        "sum proof does not hold (branch 4 selected)",
    );
}

#[test]
fn another_credential_key_is_caught() {
    let f = fixture();
    let mut bad = f.good.clone();
    resign(&mut bad, &voting_key(77));
    assert_refused(&bad, &f.style, &f, "challenges do not add up");
}

#[test]
fn reusing_proofs_from_another_ballot_is_caught() {
    let f = fixture();
    // One option's ciphertext and proof, valid in the other ballot.
    let mut bad = f.good.clone();
    bad.contests[0].options[0] = f.other.contests[0].options[0];
    bad.contests[0].option_proofs[0] = f.other.contests[0].option_proofs[0];
    resign(&mut bad, &f.key);
    assert_refused(&bad, &f.style, &f, "challenges do not add up");
    // A whole contest.
    let mut bad = f.good.clone();
    bad.contests[1] = f.other.contests[1].clone();
    resign(&mut bad, &f.key);
    assert_refused(&bad, &f.style, &f, "challenges do not add up");
    // Everything but the key: the other ballot signed by this voter.
    let mut bad = f.other.clone();
    resign(&mut bad, &f.key);
    assert_refused(&bad, &f.style, &f, "challenges do not add up");
}

#[test]
fn other_contest_parameters_are_caught() {
    let f = fixture();
    let (_, y) = election_key(20);
    let ccir = f.style.contests()[0].clone();
    let ccit = f.style.contests()[1].clone();
    let restyle = |contests: Vec<ContestParams>, scrutin: &str| {
        BallotStyle::new(ELECTION, scrutin, contests).unwrap()
    };
    // Same sizes, other parameters: the fingerprint in the ballot no longer matches.
    let renamed = ContestParams::new(
        ELECTION,
        "ccir",
        y,
        (1..=6).map(|i| format!("other-{i}")).collect(),
        3,
    )
    .unwrap();
    let other_key =
        ContestParams::new(ELECTION, "ccir", y + G, ccir.options().to_vec(), 3).unwrap();
    for changed in [renamed, other_key] {
        let style = restyle(vec![changed.clone(), ccit.clone()], SCRUTIN);
        assert_refused(&f.good, &style, &f, "fingerprint does not match");
        // Even with the ballot's fingerprint field rewritten and re-signed, the proofs are
        // bound to the original parameters.
        let mut bad = f.good.clone();
        bad.contests[0].contest = *changed.fingerprint();
        resign(&mut bad, &f.key);
        assert_refused(&bad, &style, &f, "challenges do not add up");
    }
    // Seats or option count: the shape differs.
    let more_seats = contest(y, "ccir", 6, 4);
    let more_options = contest(y, "ccir", 7, 3);
    assert_refused(
        &f.good,
        &restyle(vec![more_seats.clone(), ccit.clone()], SCRUTIN),
        &f,
        "fingerprint does not match",
    );
    let mut bad = f.good.clone();
    bad.contests[0].contest = *more_seats.fingerprint();
    resign(&mut bad, &f.key);
    assert_refused(
        &bad,
        &restyle(vec![more_seats, ccit.clone()], SCRUTIN),
        &f,
        "sum proof has 4 branches, expected 5",
    );
    let mut bad = f.good.clone();
    bad.contests[0].contest = *more_options.fingerprint();
    resign(&mut bad, &f.key);
    assert_refused(
        &bad,
        &restyle(vec![more_options, ccit.clone()], SCRUTIN),
        &f,
        "6 option ciphertexts, expected 7",
    );
    // Another scrutin, another election.
    let other_scrutin = restyle(vec![ccir.clone(), ccit.clone()], "scrutin-69");
    assert_refused(&f.good, &other_scrutin, &f, "not scrutin-69");
    let mut bad = f.good.clone();
    bad.scrutin_id = "scrutin-69".into();
    resign(&mut bad, &f.key);
    assert_refused(&bad, &other_scrutin, &f, "challenges do not add up");
}

#[test]
fn seats_beyond_the_option_count_are_still_bound() {
    // k = 2: seats 2 and 3 give the same proof shape; only the fingerprint differs.
    let (_, y) = election_key(30);
    let two = BallotStyle::new(ELECTION, SCRUTIN, vec![contest(y, "c", 2, 2)]).unwrap();
    let three = BallotStyle::new(ELECTION, SCRUTIN, vec![contest(y, "c", 2, 3)]).unwrap();
    let key = voting_key(30);
    let good = encrypt_ballot(&two, &[ContestChoice::select([0])], &key, &mut rng(31)).unwrap();
    verify_ballot(&good, &two).unwrap();
    let mut bad = good.clone();
    bad.contests[0].contest = *three.contests()[0].fingerprint();
    resign(&mut bad, &key);
    let err = verify_ballot(&bad, &three).unwrap_err();
    assert!(
        err.to_string().contains("challenges do not add up"),
        "{err}"
    );
    let failure = verify_ballots(&[(&bad, &three)], &mut rng(1)).unwrap_err();
    assert_eq!(failure.failures[0].error, err);
}

#[test]
fn forged_signatures_are_caught() {
    let f = fixture();
    let mut bad = f.good.clone();
    bad.signature[5] ^= 0x40;
    assert_refused(&bad, &f.style, &f, "ballot signature");
    // A valid signature by another key.
    let mut bad = f.good.clone();
    bad.signature = voting_key(5).sign(&bad.signed_bytes()).to_bytes();
    assert_refused(&bad, &f.style, &f, "signature does not hold");
    // The other ballot's signature.
    let mut bad = f.good.clone();
    bad.signature = f.other.signature;
    assert_refused(&bad, &f.style, &f, "signature does not hold");
    // s + ℓ: same value modulo ℓ, not canonical.
    let mut bad = f.good.clone();
    let mut s = [0u8; 32];
    s.copy_from_slice(&bad.signature[32..]);
    let l: [u8; 32] = (Scalar::ZERO - Scalar::ONE).to_bytes();
    let mut carry = 1u16; // ℓ = (ℓ − 1) + 1
    let mut sum = [0u8; 32];
    for i in 0..32 {
        let v = u16::from(s[i]) + u16::from(l[i]) + carry;
        sum[i] = v as u8;
        carry = v >> 8;
    }
    bad.signature[32..].copy_from_slice(&sum);
    assert_refused(&bad, &f.style, &f, "signature s");
}

#[test]
fn structure_changes_are_caught() {
    let f = fixture();
    let mut bad = f.good.clone();
    bad.version = 2;
    resign(&mut bad, &f.key);
    assert_refused(&bad, &f.style, &f, "version 2");
    let mut bad = f.good.clone();
    bad.contests[1].options.pop();
    resign(&mut bad, &f.key);
    assert_refused(&bad, &f.style, &f, "14 option ciphertexts, expected 15");
    let mut bad = f.good.clone();
    bad.contests[1].option_proofs.pop();
    resign(&mut bad, &f.key);
    assert_refused(&bad, &f.style, &f, "14 option proofs, expected 15");
    let mut bad = f.good.clone();
    let first = bad.contests[0].sum_proof[0];
    bad.contests[0].sum_proof.push(first);
    resign(&mut bad, &f.key);
    assert_refused(&bad, &f.style, &f, "sum proof has 5 branches, expected 4");
    let mut bad = f.good.clone();
    bad.contests.pop();
    resign(&mut bad, &f.key);
    assert_refused(&bad, &f.style, &f, "ballot holds 1 contests");
    let mut bad = f.good.clone();
    bad.contests.swap(0, 1);
    resign(&mut bad, &f.key);
    assert_refused(&bad, &f.style, &f, "fingerprint does not match");
}

#[test]
fn non_canonical_encodings_in_json_are_caught() {
    let f = fixture();
    let json = f.good.to_json();
    let reparse = |from: &str, to: &str| -> Ballot {
        assert!(json.contains(from));
        let mut b = Ballot::from_json(&json.replacen(from, to, 1)).unwrap();
        resign(&mut b, &f.key);
        b
    };
    // A field element ≥ p is not a canonical Ristretto255 encoding.
    let alpha = hex::encode(f.good.contests[0].options[3].alpha);
    let bad = reparse(&alpha, &"ff".repeat(32));
    assert_refused(&bad, &f.style, &f, "option 4 (ccir-cand-4): alpha");
    // A negative field element (odd encoding) is refused too.
    let mut odd = f.good.contests[1].sum_proof[2].a_sum;
    odd[0] |= 1;
    let bad = reparse(
        &hex::encode(f.good.contests[1].sum_proof[2].a_sum),
        &hex::encode(odd),
    );
    assert_refused(&bad, &f.style, &f, "contest 2 (ccit): sum proof");
    // A response plus ℓ: the same value modulo ℓ, but not reduced.
    let resp = f.good.contests[0].option_proofs[1].one.response;
    let s = decode_scalar(&resp).unwrap();
    let big = add_l(&s.to_bytes());
    if let Some(big) = big {
        let bad = reparse(&hex::encode(resp), &hex::encode(big));
        assert_refused(&bad, &f.style, &f, "not reduced modulo the group order");
    }
    // A challenge plus ℓ.
    let ch = f.good.contests[1].option_proofs[0].zero.challenge;
    if let Some(big) = add_l(&ch) {
        let bad = reparse(&hex::encode(ch), &hex::encode(big));
        assert_refused(&bad, &f.style, &f, "not reduced modulo the group order");
    }
    // A voting key that is not a canonical Ed25519 encoding: y = p + 1 ≡ 1.
    let mut noncanon = [0xffu8; 32];
    noncanon[0] = 0xee;
    noncanon[31] = 0x7f;
    let mut bad = f.good.clone();
    bad.voting_key = noncanon;
    assert_refused(&bad, &f.style, &f, "not a canonical Ed25519 point encoding");
}

/// `x + ℓ` as 32 bytes, if it fits below 2²⁵⁶.
fn add_l(x: &[u8; 32]) -> Option<[u8; 32]> {
    let l_minus_1 = (Scalar::ZERO - Scalar::ONE).to_bytes();
    let mut out = [0u8; 32];
    let mut carry = 1u16;
    for i in 0..32 {
        let v = u16::from(x[i]) + u16::from(l_minus_1[i]) + carry;
        out[i] = v as u8;
        carry = v >> 8;
    }
    (carry == 0).then_some(out)
}

#[test]
fn errors_are_verification_or_encoding_errors() {
    let f = fixture();
    let mut bad = f.good.clone();
    bad.contests[0].options.swap(0, 1);
    resign(&mut bad, &f.key);
    assert!(matches!(
        verify_ballot(&bad, &f.style),
        Err(CryptoError::Verification(_))
    ));
}
