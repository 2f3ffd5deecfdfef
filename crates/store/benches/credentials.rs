//! Credential generation: identifiers, codes, login and voting keys for every right
//! of a scrutin, written to both stores and to the encrypted letters file. Only the
//! generation is timed; stores and voters are prepared beforehand for each sample.
//! The full 2,000,000-right run is `scrutin bench credentials` (docs/performance.md).
#![allow(clippy::unwrap_used)] // tests and benches: a panic is the failure report

use std::time::{Duration, Instant};

use chrono::Utc;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use scrutin_store::keys::PlatformKeys;
use scrutin_store::letters::LettersWriter;
use scrutin_store::provision::{self, ContestKeys, Schedule};
use scrutin_store::testing::{FreshLocation, typical_election};
use scrutin_store::{Kind, Stores};

const RIGHTS: u64 = 20_000;

fn generation(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (election, records) = typical_election("BENCH-2026", RIGHTS, 11).unwrap();
    let mut group = c.benchmark_group("credentials");
    group.sample_size(10);
    group.throughput(Throughput::Elements(RIGHTS));
    group.bench_function("generate_20000_rights_sqlite", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                total += rt.block_on(async {
                    let fresh = FreshLocation::new(Kind::Sqlite).await.unwrap();
                    let stores = Stores::open(&fresh.location).await.unwrap();
                    let keys = PlatformKeys::generate(&mut rand::rngs::OsRng);
                    let now = Utc::now();
                    let y = scrutin_crypto::elgamal::base_mul(&scrutin_crypto::Scalar::from(5u64));
                    provision::load_election(
                        &stores,
                        &election,
                        &ContestKeys::One(y),
                        Schedule {
                            opens_at: now,
                            closes_at: now + chrono::Duration::days(1),
                        },
                        now,
                    )
                    .await
                    .unwrap();
                    provision::import_voters(&stores, &keys.master, &records, now)
                        .await
                        .unwrap();
                    let mut w = LettersWriter::new(
                        std::io::sink(),
                        b"bench passphrase",
                        &mut rand::rngs::OsRng,
                    )
                    .unwrap();
                    let t = Instant::now();
                    scrutin_store::credentials::generate_credentials(
                        &stores,
                        &keys.master,
                        "BENCH-2026",
                        &["999-S".to_string()],
                        &mut w,
                        now,
                    )
                    .await
                    .unwrap();
                    w.finish().unwrap();
                    let spent = t.elapsed();
                    stores.close().await;
                    spent
                });
            }
            total
        })
    });
    group.finish();
}

criterion_group!(benches, generation);
criterion_main!(benches);
