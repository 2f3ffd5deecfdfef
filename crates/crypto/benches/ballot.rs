//! Unit costs of group operations, and the cost of ballots: encrypt + prove + sign,
//! individual verification, batch verification. Figures go to `docs/performance.md`
//! ("Group operations" and "Ballots: encrypt, prove, sign, verify").
//!
//! `cargo bench -p scrutin-crypto --bench ballot -- --warm-up-time 1 --measurement-time 3`
//! (add `--features parallel` for the two-core batch figure).
#![allow(missing_docs, clippy::unwrap_used)]

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use curve25519_dalek::constants::RISTRETTO_BASEPOINT_TABLE;
use curve25519_dalek::edwards::EdwardsPoint;
use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::VartimeMultiscalarMul;
use ed25519_dalek::SigningKey;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use scrutin_crypto::ballot::{
    Ballot, BallotEncryptor, BallotStyle, ContestChoice, ContestParams, encrypt_ballot,
    verify_ballot,
};
use scrutin_crypto::batch::verify_ballots;
use scrutin_crypto::credentials::{
    SecretCode, generate_credential, generate_credentials, voting_signing_key,
};
use scrutin_crypto::elgamal::{EncryptionKey, base_mul};

fn group_operations(c: &mut Criterion) {
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let x = Scalar::random(&mut rng);
    let p = RistrettoPoint::random(&mut rng);
    let enc = p.compress();
    let y_table = EncryptionKey::new(p);
    let ed = EdwardsPoint::mul_base(&x).compress();
    let mut g = c.benchmark_group("group");
    g.bench_function("basepoint_table_mul", |b| {
        b.iter(|| RISTRETTO_BASEPOINT_TABLE * &x)
    });
    g.bench_function("y_table_mul", |b| b.iter(|| y_table.mul(&x)));
    g.bench_function("variable_base_mul", |b| b.iter(|| p * x));
    g.bench_function("decompress", |b| b.iter(|| enc.decompress().unwrap()));
    g.bench_function("decompress_ed25519", |b| {
        b.iter(|| ed.decompress().unwrap())
    });
    g.bench_function("compress", |b| b.iter(|| p.compress()));
    let batch: Vec<RistrettoPoint> = (0..256).map(|_| RistrettoPoint::random(&mut rng)).collect();
    g.throughput(Throughput::Elements(256));
    g.bench_function("double_and_compress_batch_per_point", |b| {
        b.iter(|| RistrettoPoint::double_and_compress_batch(&batch))
    });
    g.sample_size(10);
    for n in [200usize, 1_000, 100_000] {
        let points: Vec<RistrettoPoint> =
            (0..n).map(|_| RistrettoPoint::random(&mut rng)).collect();
        let scalars: Vec<Scalar> = (0..n).map(|_| Scalar::random(&mut rng)).collect();
        g.throughput(Throughput::Elements(n as u64));
        g.bench_function(format!("vartime_multiscalar_{n}_per_term"), |b| {
            b.iter(|| RistrettoPoint::vartime_multiscalar_mul(&scalars, &points))
        });
    }
    g.finish();
}

fn contest(y: RistrettoPoint, id: &str, options: usize, seats: u32) -> ContestParams {
    ContestParams::new(
        "cci-2026",
        id,
        y,
        (1..=options).map(|i| format!("{id}-{i}")).collect(),
        seats,
    )
    .unwrap()
}

fn styles() -> (BallotStyle, BallotStyle) {
    let y = base_mul(&Scalar::from(123_456_789u64));
    let typical = BallotStyle::new(
        "cci-2026",
        "scrutin-75",
        vec![contest(y, "ccir", 6, 3), contest(y, "ccit", 15, 8)],
    )
    .unwrap();
    let worst =
        BallotStyle::new("cci-2026", "scrutin-75", vec![contest(y, "ccit", 100, 35)]).unwrap();
    (typical, worst)
}

fn typical_choices() -> Vec<ContestChoice> {
    vec![
        ContestChoice::select([0, 2, 4]),
        ContestChoice::select([1, 3, 5, 7, 9, 11, 13]),
    ]
}

fn worst_choices() -> Vec<ContestChoice> {
    vec![ContestChoice::select(0..35)]
}

fn ballots(c: &mut Criterion) {
    let (typical, worst) = styles();
    let key = SigningKey::from_bytes(&[7u8; 32]);
    let mut rng = ChaCha20Rng::seed_from_u64(2);
    let mut g = c.benchmark_group("ballot");
    for (name, style, choices) in [
        ("typical", &typical, typical_choices()),
        ("worst", &worst, worst_choices()),
    ] {
        g.bench_function(format!("encrypt_prove_sign_{name}"), |b| {
            b.iter(|| encrypt_ballot(style, &choices, &key, &mut rng).unwrap())
        });
        let encryptor = BallotEncryptor::new(style);
        g.bench_function(format!("encrypt_prove_sign_{name}_prepared"), |b| {
            b.iter(|| encryptor.encrypt(&choices, &key, &mut rng).unwrap())
        });
        let ballot = encrypt_ballot(style, &choices, &key, &mut rng).unwrap();
        g.bench_function(format!("verify_{name}"), |b| {
            b.iter(|| verify_ballot(&ballot, style).unwrap())
        });
        let json = ballot.to_json();
        g.bench_function(format!("parse_json_and_verify_{name}"), |b| {
            b.iter(|| verify_ballot(&Ballot::from_json(&json).unwrap(), style).unwrap())
        });
    }
    g.finish();
}

fn batch(c: &mut Criterion) {
    let (typical, _) = styles();
    // Ballots are verified in chunks of `batch::CHUNK`, so the cost per ballot does not
    // depend on n beyond a few chunks; SCRUTIN_BENCH_BATCH lowers n on a busy machine.
    let n: usize = std::env::var("SCRUTIN_BENCH_BATCH")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    let choices = typical_choices();
    let ballots: Vec<Ballot> = (0..n)
        .map(|i| {
            let key = SigningKey::from_bytes(&Scalar::from(i as u64 + 1).to_bytes());
            encrypt_ballot(&typical, &choices, &key, &mut rng).unwrap()
        })
        .collect();
    let items: Vec<(&Ballot, &BallotStyle)> = ballots.iter().map(|b| (b, &typical)).collect();
    let jsons: Vec<String> = ballots.iter().map(Ballot::to_json).collect();
    let mut g = c.benchmark_group("batch");
    g.sample_size(10);
    g.throughput(Throughput::Elements(n as u64));
    g.bench_function(format!("verify_{n}_typical_per_ballot"), |b| {
        b.iter(|| verify_ballots(&items, &mut rng).unwrap())
    });
    g.bench_function(
        format!("parse_json_and_verify_{n}_typical_per_ballot"),
        |b| {
            b.iter_batched(
                || (),
                |_| {
                    let parsed: Vec<Ballot> = jsons
                        .iter()
                        .map(|j| Ballot::from_json(j).unwrap())
                        .collect();
                    let items: Vec<(&Ballot, &BallotStyle)> =
                        parsed.iter().map(|b| (b, &typical)).collect();
                    verify_ballots(&items, &mut rng).unwrap()
                },
                BatchSize::PerIteration,
            )
        },
    );
    g.finish();
}

fn credentials(c: &mut Criterion) {
    let mut rng = ChaCha20Rng::seed_from_u64(4);
    let code = SecretCode::generate(&mut rng);
    let mut g = c.benchmark_group("credentials");
    g.bench_function("voting_signing_key", |b| {
        b.iter(|| voting_signing_key("cci-2026", "scrutin-75", &code))
    });
    g.bench_function("generate_credential", |b| {
        b.iter(|| generate_credential("cci-2026", "scrutin-75", &mut rng))
    });
    // As the generation step draws them: one shared inversion per 2,048 credentials.
    g.throughput(criterion::Throughput::Elements(2048));
    g.bench_function("generate_credentials_2048", |b| {
        b.iter(|| generate_credentials("cci-2026", "scrutin-75", 2048, &mut rng))
    });
    g.finish();
}

criterion_group!(benches, group_operations, ballots, batch, credentials);
criterion_main!(benches);
