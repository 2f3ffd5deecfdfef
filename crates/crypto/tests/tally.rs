//! Tally: any t of n trustees decrypt, t − 1 cannot, a wrong share is caught, and the
//! discrete logarithm is exact over its whole range.
#![allow(clippy::unwrap_used, clippy::type_complexity)] // test helpers; alteration tables

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::VartimeMultiscalarMul;
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use scrutin_crypto::dkg::{DkgParameters, TrusteeShare, run_local_ceremony};
use scrutin_crypto::elgamal::{Ciphertext, EncryptionKey, base_mul};
use scrutin_crypto::tally::{
    Aggregator, DecryptionShare, DlogTable, aggregate, combine, create_decryption_share, decrypt,
    lagrange_at_zero, verify_decryption_share, verify_decryption_shares,
};

const CONTEST: &[u8] = b"contest-fingerprint:ccir-75:6-options:3-seats";

struct Election {
    shares: Vec<TrusteeShare>,
    verification_keys: Vec<RistrettoPoint>,
    key: EncryptionKey,
    threshold: u32,
}

fn election(n: u32, t: u32, seed: u64) -> Election {
    let params = DkgParameters::new("election", "coe", n, t).unwrap();
    let (transcript, shares) =
        run_local_ceremony(&params, &mut ChaCha20Rng::seed_from_u64(seed)).unwrap();
    let outcome = transcript.verify().unwrap();
    Election {
        shares,
        verification_keys: outcome.verification_keys,
        key: EncryptionKey::new(outcome.public_key),
        threshold: t,
    }
}

/// Encrypts `ballots` random 0/1 rows of `width` and returns the rows and expected sums.
fn ballots(
    key: &EncryptionKey,
    width: usize,
    count: usize,
    rng: &mut ChaCha20Rng,
) -> (Vec<Vec<Ciphertext>>, Vec<u64>) {
    let mut sums = vec![0u64; width];
    let rows = (0..count)
        .map(|_| {
            (0..width)
                .map(|j| {
                    let m: u64 = rng.gen_range(0..2);
                    sums[j] += m;
                    key.encrypt(&Scalar::from(m), &Scalar::random(rng))
                })
                .collect()
        })
        .collect();
    (rows, sums)
}

fn all_subsets(n: u32, k: usize) -> Vec<Vec<u32>> {
    (0u32..(1 << n))
        .filter(|m| m.count_ones() as usize == k)
        .map(|m| (1..=n).filter(|i| m & (1 << (i - 1)) != 0).collect())
        .collect()
}

#[test]
fn any_t_of_n_trustees_decrypt_the_counts() {
    for (n, t) in [(1, 1), (3, 1), (3, 2), (3, 3), (5, 3)] {
        let e = election(n, t, u64::from(n * 7 + t));
        let mut rng = ChaCha20Rng::seed_from_u64(99);
        let (rows, sums) = ballots(&e.key, 7, 40, &mut rng);
        let aggregates = aggregate(7, rows.iter().map(Vec::as_slice)).unwrap();
        let dshares: Vec<DecryptionShare> = e
            .shares
            .iter()
            .map(|s| create_decryption_share(CONTEST, s, &aggregates, &mut rng).unwrap())
            .collect();
        verify_decryption_shares(
            CONTEST,
            &dshares,
            &e.verification_keys,
            &aggregates,
            &mut rng,
        )
        .unwrap();
        let table = DlogTable::new(40).unwrap();
        for subset in all_subsets(n, t as usize) {
            let chosen: Vec<DecryptionShare> = subset
                .iter()
                .map(|&i| dshares[i as usize - 1].clone())
                .collect();
            assert_eq!(
                decrypt(t, &aggregates, &chosen, &table).unwrap(),
                sums,
                "{subset:?}"
            );
        }
        // More than t shares interpolate to the same values.
        assert_eq!(decrypt(t, &aggregates, &dshares, &table).unwrap(), sums);
    }
}

#[test]
fn t_minus_one_trustees_cannot_decrypt() {
    let e = election(5, 3, 1);
    let mut rng = ChaCha20Rng::seed_from_u64(2);
    let (rows, sums) = ballots(&e.key, 4, 30, &mut rng);
    let aggregates = aggregate(4, rows.iter().map(Vec::as_slice)).unwrap();
    let dshares: Vec<DecryptionShare> = e.shares[..2]
        .iter()
        .map(|s| create_decryption_share(CONTEST, s, &aggregates, &mut rng).unwrap())
        .collect();
    // combine refuses.
    assert!(combine(e.threshold, &aggregates, &dshares).is_err());
    // And doing the interpolation anyway gives something else than the counts.
    let lambdas = lagrange_at_zero(&[1, 2]).unwrap();
    for (j, c) in aggregates.iter().enumerate() {
        let guess = c.beta
            - RistrettoPoint::vartime_multiscalar_mul(
                &lambdas,
                dshares.iter().map(|s| s.factors[j].factor),
            );
        assert_ne!(guess, base_mul(&Scalar::from(sums[j])));
        assert!(DlogTable::new(30).unwrap().solve(&guess).is_err());
    }
}

#[test]
fn a_wrong_decryption_share_is_caught_and_named() {
    let e = election(3, 2, 3);
    let mut rng = ChaCha20Rng::seed_from_u64(4);
    let (rows, _) = ballots(&e.key, 3, 10, &mut rng);
    let aggregates = aggregate(3, rows.iter().map(Vec::as_slice)).unwrap();
    let good: Vec<DecryptionShare> = e
        .shares
        .iter()
        .map(|s| create_decryption_share(CONTEST, s, &aggregates, &mut rng).unwrap())
        .collect();
    let vk = &e.verification_keys;
    let check = |shares: &[DecryptionShare], rng: &mut ChaCha20Rng| {
        verify_decryption_shares(CONTEST, shares, vk, &aggregates, rng)
    };
    assert!(check(&good, &mut rng).is_ok());

    let mut bad = good.clone();
    bad[1].factors[2].factor += base_mul(&Scalar::ONE);
    let err = check(&bad, &mut rng).unwrap_err().to_string();
    assert!(
        err.contains("trustee 2") && err.contains("aggregate 2"),
        "{err}"
    );
    assert!(verify_decryption_share(CONTEST, &bad[1], &vk[1], &aggregates).is_err());

    let mut bad = good.clone();
    bad[0].factors[0].proof.response += Scalar::ONE;
    assert!(
        check(&bad, &mut rng)
            .unwrap_err()
            .to_string()
            .contains("trustee 1")
    );

    let mut bad = good.clone();
    bad[2].factors.swap(0, 1);
    assert!(
        check(&bad, &mut rng).is_err(),
        "factors swapped between aggregates"
    );

    let mut bad = good.clone();
    bad[0].trustee = 2;
    assert!(
        check(&bad, &mut rng).is_err(),
        "share claimed by another trustee"
    );

    let mut bad = good.clone();
    bad[0].factors.pop();
    assert!(check(&bad, &mut rng).is_err(), "missing factor");

    // Another contest's fingerprint, or other aggregates.
    assert!(verify_decryption_shares(b"other", &good, vk, &aggregates, &mut rng).is_err());
    let mut other = aggregates.clone();
    other[1] = other[1] + other[0];
    assert!(verify_decryption_shares(CONTEST, &good, vk, &other, &mut rng).is_err());
    // A share verified against the wrong verification key.
    assert!(verify_decryption_share(CONTEST, &good[0], &vk[1], &aggregates).is_err());
}

#[test]
fn duplicate_trustees_are_refused() {
    let e = election(3, 2, 5);
    let mut rng = ChaCha20Rng::seed_from_u64(6);
    let (rows, _) = ballots(&e.key, 2, 5, &mut rng);
    let aggregates = aggregate(2, rows.iter().map(Vec::as_slice)).unwrap();
    let s = create_decryption_share(CONTEST, &e.shares[0], &aggregates, &mut rng).unwrap();
    assert!(combine(2, &aggregates, &[s.clone(), s]).is_err());
    assert!(lagrange_at_zero(&[1, 0]).is_err());
}

#[test]
fn an_empty_contest_decrypts_to_zeros() {
    let e = election(3, 2, 7);
    let mut rng = ChaCha20Rng::seed_from_u64(8);
    let aggregates = Aggregator::new(4).finish();
    let dshares: Vec<DecryptionShare> = e.shares[1..]
        .iter()
        .map(|s| create_decryption_share(CONTEST, s, &aggregates, &mut rng).unwrap())
        .collect();
    verify_decryption_shares(
        CONTEST,
        &dshares,
        &e.verification_keys,
        &aggregates,
        &mut rng,
    )
    .unwrap();
    let table = DlogTable::new(0).unwrap();
    assert_eq!(
        decrypt(2, &aggregates, &dshares, &table).unwrap(),
        vec![0; 4]
    );
}

#[test]
fn aggregation_checks_widths_and_merges() {
    let e = election(1, 1, 9);
    let mut rng = ChaCha20Rng::seed_from_u64(10);
    let (rows, _) = ballots(&e.key, 3, 6, &mut rng);
    let mut a = Aggregator::new(3);
    let mut b = Aggregator::new(3);
    for (k, row) in rows.iter().enumerate() {
        if k % 2 == 0 {
            a.add(row).unwrap()
        } else {
            b.add(row).unwrap()
        }
    }
    a.merge(&b).unwrap();
    assert_eq!(a.count(), 6);
    assert_eq!(
        a.finish(),
        aggregate(3, rows.iter().map(Vec::as_slice)).unwrap()
    );
    assert!(Aggregator::new(2).add(&rows[0]).is_err());
    assert!(Aggregator::new(2).merge(&Aggregator::new(3)).is_err());
}

#[cfg(feature = "parallel")]
#[test]
fn parallel_aggregation_gives_the_same_sums() {
    let e = election(1, 1, 14);
    let mut rng = ChaCha20Rng::seed_from_u64(15);
    let (rows, _) = ballots(&e.key, 3, 5000, &mut rng);
    assert_eq!(
        scrutin_crypto::tally::aggregate_parallel(3, &rows).unwrap(),
        aggregate(3, rows.iter().map(Vec::as_slice)).unwrap()
    );
    assert!(scrutin_crypto::tally::aggregate_parallel(2, &rows).is_err());
}

#[test]
fn decryption_share_json_round_trip() {
    let e = election(3, 2, 11);
    let mut rng = ChaCha20Rng::seed_from_u64(12);
    let (rows, _) = ballots(&e.key, 2, 3, &mut rng);
    let aggregates = aggregate(2, rows.iter().map(Vec::as_slice)).unwrap();
    let s = create_decryption_share(CONTEST, &e.shares[2], &aggregates, &mut rng).unwrap();
    let back: DecryptionShare = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
    assert_eq!(back, s);
}

#[test]
fn dlog_is_exact_at_the_edges_of_a_2_pow_22_bound() {
    let bound = 1u64 << 22;
    let table = DlogTable::new(bound).unwrap();
    assert_eq!(table.bound(), bound);
    let step = table.baby_steps();
    for m in [
        0,
        1,
        2,
        step - 1,
        step,
        step + 1,
        2 * step,
        bound - step,
        bound - 1,
        bound,
    ] {
        assert_eq!(
            table.solve(&base_mul(&Scalar::from(m))).unwrap(),
            m,
            "m = {m}"
        );
    }
    let mut rng = ChaCha20Rng::seed_from_u64(13);
    for _ in 0..20 {
        let m = rng.gen_range(0..=bound);
        assert_eq!(table.solve(&base_mul(&Scalar::from(m))).unwrap(), m);
    }
    let err = table
        .solve(&base_mul(&Scalar::from(bound + 1)))
        .unwrap_err();
    assert!(err.to_string().contains("between 0 and 4194304"), "{err}");
    assert!(table.solve(&base_mul(&-Scalar::ONE)).is_err());
    assert!(table.solve(&base_mul(&Scalar::from(1u64 << 40))).is_err());
    assert!(DlogTable::new((1 << 40) + 1).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn dlog_finds_every_value_up_to_any_bound(
        bound in 0u64..5000,
        baby in 1u64..200,
        frac in 0.0f64..=1.0,
    ) {
        let table = DlogTable::with_baby_steps(bound, baby).unwrap();
        let m = ((bound as f64) * frac) as u64;
        prop_assert_eq!(table.solve(&base_mul(&Scalar::from(m))).unwrap(), m);
        prop_assert_eq!(table.solve(&base_mul(&Scalar::from(bound))).unwrap(), bound);
        prop_assert!(table.solve(&base_mul(&Scalar::from(bound + 1))).is_err());
    }

    #[test]
    fn tally_matches_plaintext_sums(width in 1usize..6, count in 0usize..25, seed in any::<u64>()) {
        let e = election(3, 2, 21);
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let (rows, sums) = ballots(&e.key, width, count, &mut rng);
        let aggregates = aggregate(width, rows.iter().map(Vec::as_slice)).unwrap();
        let pick = 1 + (seed % 3) as usize;
        let dshares: Vec<DecryptionShare> = e.shares.iter().enumerate()
            .filter(|(k, _)| *k + 1 != pick)
            .map(|(_, s)| create_decryption_share(CONTEST, s, &aggregates, &mut rng).unwrap())
            .collect();
        let table = DlogTable::new(count as u64).unwrap();
        prop_assert_eq!(decrypt(2, &aggregates, &dshares, &table).unwrap(), sums);
    }
}
