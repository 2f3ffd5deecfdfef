//! Threshold keys and tally: DKG, decryption shares, the tally of a 50,000-ballot contest,
//! baby-step giant-step; with the unit costs that make their floors. Figures go to
//! `docs/performance.md` ("Threshold keys and tally").
#![allow(missing_docs, clippy::unwrap_used)]

use criterion::{Criterion, criterion_group, criterion_main};
use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::VartimeMultiscalarMul;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use scrutin_crypto::dkg::{DkgParameters, TrusteeShare, run_local_ceremony};
use scrutin_crypto::elgamal::{Ciphertext, EncryptionKey, base_mul};
use scrutin_crypto::tally::{
    DecryptionShare, DlogTable, aggregate, combine, create_decryption_share,
    verify_decryption_share, verify_decryption_shares,
};

const CONTEST: &[u8] = b"bench-contest";
/// A CCIT contest of 15 options plus the blank flag.
const WIDTH: usize = 16;
const BALLOTS: usize = 50_000;

fn units(c: &mut Criterion) {
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let x = Scalar::random(&mut rng);
    let y = Scalar::random(&mut rng);
    let p = RistrettoPoint::random(&mut rng);
    let q = RistrettoPoint::random(&mut rng);
    let batch: Vec<RistrettoPoint> = (0..128).map(|_| RistrettoPoint::random(&mut rng)).collect();
    let mut g = c.benchmark_group("trust-units");
    g.bench_function("basepoint_mul", |b| b.iter(|| base_mul(&x)));
    g.bench_function("variable_base_mul", |b| b.iter(|| p * x));
    g.bench_function("vartime_double_base", |b| {
        b.iter(|| RistrettoPoint::vartime_double_scalar_mul_basepoint(&x, &p, &y))
    });
    g.bench_function("point_add", |b| b.iter(|| p + q));
    g.bench_function("compress", |b| b.iter(|| p.compress()));
    g.bench_function("double_and_compress_batch_128", |b| {
        b.iter(|| RistrettoPoint::double_and_compress_batch(&batch))
    });
    // The size of the batch check of two 16-aggregate decryption shares.
    let points: Vec<RistrettoPoint> = (0..161).map(|_| RistrettoPoint::random(&mut rng)).collect();
    let scalars: Vec<Scalar> = (0..161).map(|_| Scalar::random(&mut rng)).collect();
    g.bench_function("vartime_multiscalar_161", |b| {
        b.iter(|| RistrettoPoint::vartime_multiscalar_mul(&scalars, &points))
    });
    g.finish();
}

fn election(seed: u64) -> (Vec<TrusteeShare>, Vec<RistrettoPoint>, EncryptionKey) {
    let params = DkgParameters::new("bench", "coe", 3, 2).unwrap();
    let (t, shares) = run_local_ceremony(&params, &mut ChaCha20Rng::seed_from_u64(seed)).unwrap();
    let o = t.verify().unwrap();
    (
        shares,
        o.verification_keys,
        EncryptionKey::new(o.public_key),
    )
}

fn dkg(c: &mut Criterion) {
    let params = DkgParameters::new("bench", "coe", 3, 2).unwrap();
    let mut rng = ChaCha20Rng::seed_from_u64(2);
    let mut g = c.benchmark_group("dkg");
    g.bench_function("3_trustees_all_rounds", |b| {
        b.iter(|| run_local_ceremony(&params, &mut rng).unwrap())
    });
    let (transcript, _) = run_local_ceremony(&params, &mut rng).unwrap();
    g.bench_function("3_trustees_transcript_verify", |b| {
        b.iter(|| transcript.verify().unwrap())
    });
    g.finish();
}

/// `BALLOTS` rows of `WIDTH` ciphertexts of 0 or 1, drawn from a pool of real encryptions
/// (encrypting 800,000 fresh values would take longer than the benchmark itself; additions
/// cost the same whatever the points).
fn ballot_box(key: &EncryptionKey, rng: &mut ChaCha20Rng) -> Vec<Vec<Ciphertext>> {
    let pool: Vec<[Vec<Ciphertext>; 2]> = (0..WIDTH)
        .map(|_| {
            [0u64, 1].map(|m| {
                (0..32)
                    .map(|_| key.encrypt(&Scalar::from(m), &Scalar::random(&mut *rng)))
                    .collect()
            })
        })
        .collect();
    (0..BALLOTS)
        .map(|_| {
            (0..WIDTH)
                .map(|j| pool[j][rng.gen_range(0..2)][rng.gen_range(0..32)])
                .collect()
        })
        .collect()
}

fn decryption(c: &mut Criterion) {
    let (shares, vks, key) = election(3);
    let mut rng = ChaCha20Rng::seed_from_u64(4);
    let aggregates: Vec<Ciphertext> = (0..WIDTH)
        .map(|_| {
            key.encrypt(
                &Scalar::from(rng.gen_range(0..50_000u64)),
                &Scalar::random(&mut rng),
            )
        })
        .collect();
    let mut g = c.benchmark_group("decryption");
    g.bench_function("share_16_aggregates", |b| {
        b.iter(|| create_decryption_share(CONTEST, &shares[0], &aggregates, &mut rng).unwrap())
    });
    let ds: Vec<DecryptionShare> = shares[..2]
        .iter()
        .map(|s| create_decryption_share(CONTEST, s, &aggregates, &mut rng).unwrap())
        .collect();
    g.bench_function("verify_share_16_aggregates", |b| {
        b.iter(|| verify_decryption_share(CONTEST, &ds[0], &vks[0], &aggregates).unwrap())
    });
    g.bench_function("batch_verify_2_shares_16_aggregates", |b| {
        b.iter(|| verify_decryption_shares(CONTEST, &ds, &vks, &aggregates, &mut rng).unwrap())
    });
    g.bench_function("combine_2_shares_16_aggregates", |b| {
        b.iter(|| combine(2, &aggregates, &ds).unwrap())
    });
    g.finish();
}

fn tally(c: &mut Criterion) {
    let (shares, vks, key) = election(5);
    let mut rng = ChaCha20Rng::seed_from_u64(6);
    let rows = ballot_box(&key, &mut rng);
    let mut g = c.benchmark_group("tally");
    g.sample_size(10);
    g.bench_function("aggregate_50000x16", |b| {
        b.iter(|| aggregate(WIDTH, rows.iter().map(Vec::as_slice)).unwrap())
    });
    g.bench_function("full_50000x16_2_of_3", |b| {
        b.iter(|| {
            let aggregates = aggregate(WIDTH, rows.iter().map(Vec::as_slice)).unwrap();
            // Trustees 1 and 3 decrypt, each on its own side; the server verifies and combines.
            let ds: Vec<DecryptionShare> = [&shares[0], &shares[2]]
                .iter()
                .map(|s| create_decryption_share(CONTEST, s, &aggregates, &mut rng).unwrap())
                .collect();
            verify_decryption_shares(CONTEST, &ds, &vks, &aggregates, &mut rng).unwrap();
            let table = DlogTable::new(BALLOTS as u64).unwrap();
            let counts: Vec<u64> = combine(2, &aggregates, &ds)
                .unwrap()
                .iter()
                .map(|m| table.solve(m).unwrap())
                .collect();
            assert_eq!(counts.len(), WIDTH);
            counts
        })
    });
    g.finish();
}

fn dlog(c: &mut Criterion) {
    let mut g = c.benchmark_group("dlog");
    for (name, bound) in [("50000", 50_000u64), ("2^22", 1 << 22)] {
        g.bench_function(format!("table_{name}"), |b| {
            b.iter(|| DlogTable::new(bound).unwrap())
        });
        let table = DlogTable::new(bound).unwrap();
        let worst = base_mul(&Scalar::from(bound));
        g.bench_function(format!("solve_worst_{name}"), |b| {
            b.iter(|| table.solve(&worst).unwrap())
        });
    }
    g.finish();
}

criterion_group!(benches, units, dkg, decryption, tally, dlog);
criterion_main!(benches);
