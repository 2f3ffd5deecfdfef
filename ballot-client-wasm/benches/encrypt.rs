//! Native cost of the ballot client's `encrypt_ballot` operation, JSON included, for the
//! same ballots as the Chromium benchmark (`tests/browser/bench/wasm-bench.mjs`), so the two
//! figures in docs/performance.md compare the same work.

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use scrutin_ballot_client::ops::handle;
use serde_json::{Value, json};

const KEY: &str = "e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76";
const CODE: &str = "6MW-UT4-A5H-TGH-PEU-85U";

fn request(contests: &[(usize, usize)]) -> String {
    let style = json!({
        "election": "bench",
        "scrutin": "bench-box",
        "contests": contests.iter().enumerate().map(|(c, &(k, n))| json!({
            "election": "bench",
            "contest": format!("c{c}"),
            "public_key": KEY,
            "options": (0..k).map(|i| format!("c{c}-o{i}")).collect::<Vec<_>>(),
            "seats": n,
        })).collect::<Vec<_>>(),
    });
    let choices: Vec<Value> = contests
        .iter()
        .map(|&(_, n)| json!({ "blank": false, "selected": (0..n).collect::<Vec<_>>() }))
        .collect();
    json!({ "op": "encrypt_ballot", "style": style, "choices": choices, "code": CODE, "entropy": "2a".repeat(32) })
        .to_string()
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("ballot-client encrypt_ballot (JSON in/out)");
    group.sample_size(20);
    for (name, contests) in [
        ("typical 6-3 + 15-8", vec![(6, 3), (15, 8)]),
        ("20-8", vec![(20, 8)]),
        ("100-35", vec![(100, 35)]),
    ] {
        let req = request(&contests);
        assert!(
            handle(req.as_bytes()).starts_with("{\"ok\""),
            "the benchmark request must succeed"
        );
        // `encrypt_ballot` keeps the last style's tables: preparing another style first
        // (not timed) makes the call build them, as a page that never called prepare_style.
        let other = request(&[(3, 1)]);
        group.bench_function(format!("{name}, cold"), |b| {
            b.iter_batched(
                || handle(other.as_bytes()),
                |_| handle(req.as_bytes()),
                BatchSize::PerIteration,
            )
        });
        group.bench_function(format!("{name}, prepared"), |b| {
            b.iter(|| handle(req.as_bytes()))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
