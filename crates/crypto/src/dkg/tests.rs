//! Ceremonies with a cheating trustee, which need the module's internals to build.

use curve25519_dalek::scalar::Scalar;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

use super::share_transport::encrypt_share;
use super::*;
use crate::elgamal::base_mul;

/// Trustee `cheat` deals like an honest trustee except that the share for `victim` is
/// `f(victim) + 1`, properly encrypted and proven (the proof binds ciphertexts, not values).
fn cheating_ceremony(
    params: &DkgParameters,
    cheat: u32,
    victim: u32,
    rng: &mut ChaCha20Rng,
) -> (Vec<Option<Checked>>, DkgTranscript, Vec<Complaint>) {
    let mut honest = Vec::new();
    let mut roster = Vec::new();
    let cheat_secret = Scalar::random(rng);
    for i in 1..=params.trustees {
        if i == cheat {
            honest.push(None);
            roster.push(TransportKeyAnnouncement::create(params, i, &cheat_secret, rng).unwrap());
        } else {
            let (state, ann) = Registered::new(params.clone(), i, rng).unwrap();
            honest.push(Some(state));
            roster.push(ann);
        }
    }
    let coefficients: Vec<Scalar> = (0..params.threshold).map(|_| Scalar::random(rng)).collect();
    let f = |x: u32| {
        coefficients
            .iter()
            .rev()
            .fold(Scalar::ZERO, |acc, a| acc * Scalar::from(x) + a)
    };
    let shares = roster
        .iter()
        .filter(|a| a.trustee != cheat)
        .map(|a| {
            let mut value = f(a.trustee);
            if a.trustee == victim {
                value += Scalar::ONE;
            }
            encrypt_share(params, cheat, a.trustee, &a.transport_key, &value, rng).unwrap()
        })
        .collect();
    let bad = Dealing::create(
        params,
        &roster,
        cheat,
        &coefficients,
        &cheat_secret,
        shares,
        rng,
    )
    .unwrap();
    bad.verify(params, &roster).unwrap();
    let mut dealt = Vec::new();
    let mut dealings = vec![bad];
    for state in honest {
        match state {
            Some(s) => {
                let (s, d) = s.deal(&roster, rng).unwrap();
                dealings.push(d);
                dealt.push(Some(s));
            }
            None => dealt.push(None),
        }
    }
    let mut checked = Vec::new();
    let mut complaints = Vec::new();
    for state in dealt {
        match state {
            Some(s) => {
                let (s, mut c) = s.check_dealings(&dealings, rng).unwrap();
                complaints.append(&mut c);
                checked.push(Some(s));
            }
            None => checked.push(None),
        }
    }
    let transcript = DkgTranscript::assemble(params.clone(), roster, dealings, complaints.clone());
    (checked, transcript, complaints)
}

#[test]
fn a_bad_share_draws_a_founded_complaint_and_disqualifies_its_dealer() {
    let mut rng = ChaCha20Rng::seed_from_u64(7);
    let params = DkgParameters::new("e", "coe", 4, 2).unwrap();
    let (checked, transcript, complaints) = cheating_ceremony(&params, 3, 2, &mut rng);
    assert_eq!(complaints.len(), 1);
    assert_eq!((complaints[0].complainer, complaints[0].dealer), (2, 3));
    let outcome = transcript.verify().unwrap();
    assert_eq!(outcome.qualified, vec![1, 2, 4]);
    assert_eq!(outcome.disqualified.len(), 1);
    assert_eq!(outcome.disqualified[0].dealer, 3);
    assert_eq!(outcome.verdicts[0].verdict, ComplaintVerdict::Founded);
    // The honest trustees still end with consistent shares of a key without trustee 3.
    let shares: Vec<TrusteeShare> = checked
        .into_iter()
        .flatten()
        .map(|s| s.finalize(&transcript).unwrap())
        .collect();
    assert_eq!(shares.len(), 3);
    let y: curve25519_dalek::ristretto::RistrettoPoint = transcript
        .dealings
        .iter()
        .filter(|d| d.dealer != 3)
        .map(|d| d.commitments[0])
        .sum();
    for s in &shares {
        assert_eq!(s.public_key(), y);
        assert_eq!(
            base_mul(s.secret()),
            outcome.verification_keys[s.trustee() as usize - 1]
        );
    }
}

#[test]
fn a_false_complaint_is_unfounded_and_changes_nothing() {
    let mut rng = ChaCha20Rng::seed_from_u64(8);
    let params = DkgParameters::new("e", "coe", 3, 2).unwrap();
    // Trustee 1 keeps its transport secret at hand to lie about trustee 2's good share.
    let secret = Scalar::random(&mut rng);
    let mut roster = vec![TransportKeyAnnouncement::create(&params, 1, &secret, &mut rng).unwrap()];
    let mut states = Vec::new();
    for i in 2..=3 {
        let (s, a) = Registered::new(params.clone(), i, &mut rng).unwrap();
        roster.push(a);
        states.push(s);
    }
    let dealings: Vec<Dealing> = states
        .into_iter()
        .map(|s| s.deal(&roster, &mut rng).unwrap().1)
        .collect();
    let lie = Complaint::create(&params, &roster, 1, &secret, &dealings[0], &mut rng).unwrap();
    assert!(!lie.judge(&params, &roster, &dealings[0]).unwrap());
    let t = DkgTranscript::assemble(params.clone(), roster, dealings, vec![lie]);
    let outcome = t.verify().unwrap();
    assert_eq!(outcome.qualified, vec![2, 3]);
    assert_eq!(outcome.verdicts[0].verdict, ComplaintVerdict::Unfounded);
}

#[test]
fn a_forged_complaint_has_no_effect() {
    let mut rng = ChaCha20Rng::seed_from_u64(9);
    let params = DkgParameters::new("e", "coe", 4, 2).unwrap();
    let (_, mut transcript, complaints) = cheating_ceremony(&params, 3, 2, &mut rng);
    // Someone else than trustee 2 cannot reveal a valid secret for trustee 2's share.
    let mut forged = complaints[0].clone();
    forged.shared_secret = base_mul(&Scalar::from(5u64));
    transcript.complaints = vec![forged];
    let outcome = transcript.verify().unwrap();
    assert_eq!(outcome.verdicts[0].verdict, ComplaintVerdict::Invalid);
    assert_eq!(outcome.qualified, vec![1, 2, 3, 4]);
}

#[test]
fn polynomial_shares_interpolate_to_the_secret() {
    let mut rng = ChaCha20Rng::seed_from_u64(10);
    let params = DkgParameters::new("e", "coe", 5, 3).unwrap();
    let (transcript, shares) = run_local_ceremony(&params, &mut rng).unwrap();
    let outcome = transcript.verify().unwrap();
    let subset = [&shares[0], &shares[2], &shares[4]];
    let idx: Vec<u32> = subset.iter().map(|s| s.trustee()).collect();
    let lambdas = crate::tally::lagrange_at_zero(&idx).unwrap();
    let x: Scalar = subset
        .iter()
        .zip(&lambdas)
        .map(|(s, l)| l * s.secret())
        .sum();
    assert_eq!(base_mul(&x), outcome.public_key);
}
