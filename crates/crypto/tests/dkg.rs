//! Threshold key generation: honest ceremonies over a grid of sizes, and every way a relayed
//! message can be altered.
#![allow(clippy::unwrap_used, clippy::type_complexity)] // test helpers; alteration tables

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::Identity;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use scrutin_crypto::dkg::{
    Checked, Complaint, Dealing, DkgParameters, DkgTranscript, Registered,
    TransportKeyAnnouncement, run_local_ceremony,
};
use scrutin_crypto::elgamal::base_mul;

fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

/// Runs steps 1–3 for every trustee and returns the states awaiting the transcript.
fn until_finalize(
    params: &DkgParameters,
    r: &mut ChaCha20Rng,
) -> (
    Vec<Checked>,
    Vec<TransportKeyAnnouncement>,
    Vec<Dealing>,
    Vec<Complaint>,
) {
    let mut states = Vec::new();
    let mut roster = Vec::new();
    for i in 1..=params.trustees {
        let (s, a) = Registered::new(params.clone(), i, r).unwrap();
        states.push(s);
        roster.push(a);
    }
    let mut dealt = Vec::new();
    let mut dealings = Vec::new();
    for s in states {
        let (s, d) = s.deal(&roster, r).unwrap();
        dealt.push(s);
        dealings.push(d);
    }
    let mut checked = Vec::new();
    let mut complaints = Vec::new();
    for s in dealt {
        let (s, mut c) = s.check_dealings(&dealings, r).unwrap();
        checked.push(s);
        complaints.append(&mut c);
    }
    (checked, roster, dealings, complaints)
}

#[test]
fn honest_ceremonies_agree_on_keys_for_every_size() {
    for (n, t) in [
        (1, 1),
        (2, 1),
        (2, 2),
        (3, 1),
        (3, 2),
        (3, 3),
        (4, 3),
        (5, 3),
        (7, 4),
    ] {
        let params = DkgParameters::new("election-2026", "coe-75", n, t).unwrap();
        let (transcript, shares) =
            run_local_ceremony(&params, &mut rng(u64::from(n * 10 + t))).unwrap();
        let outcome = transcript.verify().unwrap();
        assert_eq!(
            outcome.qualified,
            (1..=n).collect::<Vec<_>>(),
            "n={n} t={t}"
        );
        assert!(outcome.disqualified.is_empty());
        let y: RistrettoPoint = transcript.dealings.iter().map(|d| d.commitments[0]).sum();
        assert_eq!(outcome.public_key, y);
        assert_eq!(shares.len(), n as usize);
        for s in &shares {
            assert_eq!(s.public_key(), y);
            assert_eq!(s.transcript_digest(), transcript.digest());
            assert_eq!(
                Some(s.verification_key()),
                outcome.verification_key(s.trustee())
            );
        }
        // The verification keys lie on a polynomial of degree t − 1 whose value at 0 is Y:
        // interpolating any t of them in the exponent gives Y.
        let idx: Vec<u32> = (1..=t).collect();
        let lambdas = scrutin_crypto::tally::lagrange_at_zero(&idx).unwrap();
        let y_again: RistrettoPoint = idx
            .iter()
            .zip(&lambdas)
            .map(|(&i, l)| outcome.verification_keys[i as usize - 1] * l)
            .sum();
        assert_eq!(y_again, y);
    }
}

#[test]
fn parameters_are_validated() {
    assert!(DkgParameters::new("e", "k", 3, 0).is_err());
    assert!(DkgParameters::new("e", "k", 3, 4).is_err());
    assert!(DkgParameters::new("e", "k", 0, 0).is_err());
    assert!(DkgParameters::new("e", "k", 256, 2).is_err());
    assert!(DkgParameters::new("", "k", 3, 2).is_err());
    assert!(DkgParameters::new("e", "k\n", 3, 2).is_err());
    let p = DkgParameters::new("e", "k", 3, 2).unwrap();
    assert!(Registered::new(p.clone(), 0, &mut rng(1)).is_err());
    assert!(Registered::new(p, 4, &mut rng(1)).is_err());
}

#[test]
fn transcript_survives_json_and_names_the_same_outcome() {
    let params = DkgParameters::new("e", "coe", 3, 2).unwrap();
    let (transcript, _) = run_local_ceremony(&params, &mut rng(2)).unwrap();
    let json = serde_json::to_string(&transcript).unwrap();
    let back: DkgTranscript = serde_json::from_str(&json).unwrap();
    assert_eq!(back, transcript);
    assert_eq!(back.digest(), transcript.digest());
    assert_eq!(back.verify().unwrap(), transcript.verify().unwrap());
    // Unknown fields are refused.
    let mut v: serde_json::Value = serde_json::from_str(&json).unwrap();
    v["dealings"][0]["extra"] = serde_json::json!(1);
    assert!(serde_json::from_value::<DkgTranscript>(v).is_err());
}

/// Alters one dealing of an honest transcript and returns the verification's outcome.
fn with_altered_dealing(alter: impl Fn(&mut Dealing)) -> scrutin_crypto::Result<Vec<u32>> {
    let params = DkgParameters::new("e", "coe", 4, 2).unwrap();
    let (mut transcript, _) = run_local_ceremony(&params, &mut rng(3)).unwrap();
    alter(&mut transcript.dealings[1]);
    transcript.verify().map(|o| o.qualified)
}

#[test]
fn any_change_to_a_dealing_disqualifies_its_dealer() {
    let other = base_mul(&Scalar::from(99u64));
    let cases: Vec<(&str, Box<dyn Fn(&mut Dealing)>)> = vec![
        ("commitment", Box::new(move |d| d.commitments[1] = other)),
        (
            "constant commitment",
            Box::new(move |d| d.commitments[0] = other),
        ),
        (
            "identity constant",
            Box::new(|d| d.commitments[0] = RistrettoPoint::identity()),
        ),
        (
            "extra commitment",
            Box::new(move |d| d.commitments.push(other)),
        ),
        (
            "missing commitment",
            Box::new(|d| {
                d.commitments.pop();
            }),
        ),
        (
            "ciphertext byte",
            Box::new(|d| d.shares[0].ciphertext[5] ^= 1),
        ),
        (
            "ephemeral",
            Box::new(move |d| d.shares[1].ephemeral = other),
        ),
        ("recipient", Box::new(|d| d.shares[0].recipient = 4)),
        ("swapped shares", Box::new(|d| d.shares.swap(0, 1))),
        (
            "missing share",
            Box::new(|d| {
                d.shares.pop();
            }),
        ),
        (
            "proof commitment",
            Box::new(move |d| d.proof.commit_constant = other),
        ),
        (
            "proof transport",
            Box::new(move |d| d.proof.commit_transport = other),
        ),
        (
            "proof response",
            Box::new(|d| d.proof.response_constant += Scalar::ONE),
        ),
        (
            "proof response z",
            Box::new(|d| d.proof.response_transport += Scalar::ONE),
        ),
    ];
    for (what, alter) in cases {
        assert_eq!(
            with_altered_dealing(alter).unwrap(),
            vec![1, 3, 4],
            "{what}"
        );
    }
}

#[test]
fn a_dealing_from_another_ceremony_or_dealer_is_refused() {
    let params = DkgParameters::new("e", "coe", 3, 2).unwrap();
    let (mut transcript, _) = run_local_ceremony(&params, &mut rng(4)).unwrap();
    let other = DkgParameters::new("e", "coe-bis", 3, 2).unwrap();
    let roster = transcript.roster.clone();
    assert!(transcript.dealings[0].verify(&params, &roster).is_ok());
    assert!(transcript.dealings[0].verify(&other, &roster).is_err());
    // Claiming someone else's dealing: the proof binds the dealer and its transport key.
    transcript.dealings[0].dealer = 2;
    assert!(transcript.dealings[0].verify(&params, &roster).is_err());
}

#[test]
fn malformed_transcripts_are_refused() {
    let params = DkgParameters::new("e", "coe", 3, 2).unwrap();
    let (transcript, _) = run_local_ceremony(&params, &mut rng(5)).unwrap();

    let mut t = transcript.clone();
    t.dealings.swap(0, 1);
    assert!(t.verify().is_err(), "out of order");

    let mut t = transcript.clone();
    let dup = t.dealings[1].clone();
    t.dealings.insert(1, dup);
    assert!(t.verify().is_err(), "duplicate dealing");

    let mut t = transcript.clone();
    t.roster[1].proof.response += Scalar::ONE;
    assert!(t.verify().is_err(), "bad transport key proof");

    let mut t = transcript.clone();
    t.roster.swap(0, 1);
    assert!(t.verify().is_err(), "roster out of order");

    let mut t = transcript.clone();
    t.roster[2].transport_key = t.roster[0].transport_key;
    assert!(t.verify().is_err(), "reused transport key");

    let mut t = transcript.clone();
    t.roster.pop();
    assert!(t.verify().is_err(), "short roster");

    let mut t = transcript.clone();
    t.parameters.threshold = 3;
    assert!(t.verify().is_err(), "changed threshold");

    let mut t = transcript.clone();
    t.dealings.truncate(1);
    assert!(
        t.verify().is_err(),
        "fewer qualified dealers than the threshold"
    );
}

#[test]
fn a_missing_dealer_is_simply_left_out() {
    let params = DkgParameters::new("e", "coe", 3, 2).unwrap();
    let (mut transcript, _) = run_local_ceremony(&params, &mut rng(6)).unwrap();
    transcript.dealings.remove(2);
    let outcome = transcript.verify().unwrap();
    assert_eq!(outcome.qualified, vec![1, 2]);
    let y: RistrettoPoint = transcript.dealings.iter().map(|d| d.commitments[0]).sum();
    assert_eq!(outcome.public_key, y);
}

#[test]
fn the_roster_must_hold_the_trustees_own_key() {
    let params = DkgParameters::new("e", "coe", 2, 2).unwrap();
    let mut r = rng(7);
    let (s1, _) = Registered::new(params.clone(), 1, &mut r).unwrap();
    let (_, a1bis) = Registered::new(params.clone(), 1, &mut r).unwrap();
    let (_, a2) = Registered::new(params.clone(), 2, &mut r).unwrap();
    assert!(s1.deal(&[a1bis, a2], &mut r).is_err());
}

#[test]
fn a_trustee_refuses_a_transcript_that_differs_from_what_it_saw() {
    let params = DkgParameters::new("e", "coe", 3, 2).unwrap();

    // A dealing replaced after step 3 (by a valid dealing of another run).
    let (checked, roster, dealings, complaints) = until_finalize(&params, &mut rng(8));
    let (_, _, other_dealings, _) = until_finalize(&params, &mut rng(9));
    let mut altered = dealings.clone();
    altered[1] = other_dealings[1].clone();
    let t = DkgTranscript::assemble(params.clone(), roster.clone(), altered, complaints.clone());
    for s in checked {
        assert!(s.finalize(&t).is_err());
    }

    // The trustee's own dealing dropped.
    let (checked, roster, dealings, complaints) = until_finalize(&params, &mut rng(10));
    let t = DkgTranscript::assemble(params.clone(), roster, dealings[1..].to_vec(), complaints);
    let mut it = checked.into_iter();
    assert!(it.next().unwrap().finalize(&t).is_err());
    // The others accept it: trustee 1 simply did not deal.
    let share = it.next().unwrap().finalize(&t).unwrap();
    assert_eq!(share.public_key(), t.verify().unwrap().public_key);
}

#[test]
fn a_trustee_refuses_a_dealing_forged_in_its_name() {
    let params = DkgParameters::new("e", "coe", 3, 2).unwrap();
    let mut r = rng(11);
    let mut states = Vec::new();
    let mut roster = Vec::new();
    for i in 1..=3 {
        let (s, a) = Registered::new(params.clone(), i, &mut r).unwrap();
        states.push(s);
        roster.push(a);
    }
    let mut dealt = Vec::new();
    let mut dealings = Vec::new();
    for s in states {
        let (s, d) = s.deal(&roster, &mut r).unwrap();
        dealt.push(s);
        dealings.push(d);
    }
    dealings[0].commitments[1] = base_mul(&Scalar::from(3u64));
    let first = dealt.remove(0);
    assert!(first.check_dealings(&dealings, &mut r).is_err());
    // The others see an invalid dealing from 1: no complaint, it is publicly invalid.
    let (_, complaints) = dealt.remove(0).check_dealings(&dealings, &mut r).unwrap();
    assert!(complaints.is_empty());
}
