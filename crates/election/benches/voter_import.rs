//! Voter file import: validate a synthetic 2,000,000-row voter file streamed from disk
//! (target < 60 s on 2 cores, architecture.md), and a 100,000-row file in memory.
//!
//! `cargo bench -p scrutin-election --bench voter_import`. The large file is generated
//! once into the system temporary directory (about 580 MB) and reused; set
//! `SCRUTIN_BENCH_VOTERS` to change its size. Under `cargo test` (no `--bench`), a small
//! file is used so the suite stays fast.

use std::fs::File;
use std::hint::black_box;
use std::io::{BufReader, BufWriter};
use std::path::PathBuf;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use scrutin_election::input::ReadOptions;
use scrutin_election::{Structure, generator, read_structure, validate_voters};

fn structure() -> Structure {
    let mut s = Vec::new();
    generator::write_structure(&mut s).expect("structure");
    read_structure(&s[..], &ReadOptions::default())
        .expect("structure")
        .structure
        .expect("valid structure")
}

fn large_rows() -> u64 {
    let benching = std::env::args().any(|a| a == "--bench");
    std::env::var("SCRUTIN_BENCH_VOTERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if benching { 2_000_000 } else { 10_000 })
}

fn voter_file(rows: u64) -> PathBuf {
    let path = std::env::temp_dir().join(format!("scrutin-bench-voters-{rows}.csv"));
    if !path.exists() {
        let tmp = path.with_extension("partial");
        let w = BufWriter::with_capacity(1 << 20, File::create(&tmp).expect("create"));
        generator::write_voters(w, rows, 2026).expect("generate");
        std::fs::rename(&tmp, &path).expect("rename");
    }
    path
}

fn bench(c: &mut Criterion) {
    let s = structure();

    let mut small = Vec::new();
    generator::write_voters(&mut small, 100_000, 1).expect("generate");
    let mut g = c.benchmark_group("voter_import");
    g.throughput(Throughput::Elements(100_000));
    g.bench_function("validate_100k_in_memory", |b| {
        b.iter(|| {
            let import = validate_voters(&s, &small[..], &ReadOptions::default()).expect("read");
            assert!(import.report.is_loadable());
            black_box(import.control[0].total)
        })
    });

    let rows = large_rows();
    let path = voter_file(rows);
    g.throughput(Throughput::Elements(rows));
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(60));
    g.bench_function(format!("validate_{rows}_rows_from_disk"), |b| {
        b.iter(|| {
            let file = BufReader::with_capacity(1 << 20, File::open(&path).expect("open"));
            let import = validate_voters(&s, file, &ReadOptions::default()).expect("read");
            assert_eq!(import.report.accepted, rows);
            black_box(import.control[0].digest.len())
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
