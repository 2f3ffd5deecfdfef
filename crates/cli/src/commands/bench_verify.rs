//! `scrutin bench verify`: verification of a large synthetic election record (typical
//! ballots of architecture.md spread over many contests) with the cost floor measured in
//! the same run: one point decompression plus one multiscalar term per transmitted point
//! (architecture.md, "≈ 10 µs per point"). Figures go to `docs/performance.md`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressStyle};
use scrutin_election::record::{BoardRecord, ElectionInfo, paths};
use scrutin_verify::synthetic::{Spec, point_floor, points_per_ballot, write_record};
use scrutin_verify::{Progress, VerifyOptions, verify_path};

/// Arguments of `scrutin bench verify`.
#[derive(clap::Args)]
pub struct VerifyArgs {
    /// Ballots in the record.
    #[arg(long, default_value_t = 300_000)]
    ballots: u64,
    /// Contests (two per chamber: CCIR and CCIT).
    #[arg(long, default_value_t = 500)]
    contests: u32,
    /// Where the record is written, and kept; a record already there is verified again
    /// instead of being generated (default: a temporary directory, removed at the end).
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Seed of the synthetic election.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

fn bar(len: u64, what: &str) -> ProgressBar {
    let b = ProgressBar::new(len);
    b.set_style(
        ProgressStyle::with_template("{msg:>12} [{bar:40}] {pos}/{len} ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    b.set_message(what.to_owned());
    b
}

/// Ballots and transmitted points of a record, from its election and board files.
fn size_of(dir: &std::path::Path) -> anyhow::Result<(u64, u64, [u8; 32])> {
    let info: ElectionInfo = serde_json::from_slice(&std::fs::read(dir.join(paths::ELECTION))?)?;
    let mut ballots = 0;
    let mut points = 0;
    for s in &info.scrutins {
        let board: BoardRecord =
            serde_json::from_slice(&std::fs::read(dir.join(paths::board(&s.id)))?)?;
        let n = board.heads.last().map_or(0, |h| h.tree_size);
        ballots += n;
        points += n * points_per_ballot(&s.ballot_style);
    }
    Ok((ballots, points, info.platform_key.unwrap_or_default()))
}

pub fn run(args: VerifyArgs) -> anyhow::Result<()> {
    let tmp;
    let dir = match &args.dir {
        Some(d) => d.clone(),
        None => {
            tmp = tempfile::tempdir()?;
            tmp.path().join("record")
        }
    };
    if dir.join(paths::MANIFEST).exists() {
        eprintln!("Record found in {}: verified again.", dir.display());
    } else {
        let b = bar(args.ballots, "generation");
        let t = Instant::now();
        let spec = Spec {
            election: "BENCH-2026".into(),
            ballots: args.ballots,
            contests: args.contests,
            epoch_size: 256,
            seed: args.seed,
        };
        let progress = |done: u64, _total: u64| b.set_position(done);
        write_record(&dir, &spec, Some(&progress))
            .map_err(|e| anyhow::anyhow!(e))
            .context("generating the synthetic record")?;
        b.finish_and_clear();
        eprintln!(
            "Generated {} ballots over {} contests in {:.1} s ({}).",
            args.ballots,
            args.contests,
            t.elapsed().as_secs_f64(),
            dir.display()
        );
    }
    let (ballots, points, key) = size_of(&dir)?;
    let bytes: u64 = walk_size(&dir);

    // The floor, measured now on this machine (best of three, one core).
    let per_point = (0..3)
        .map(|_| point_floor(1 << 14))
        .min()
        .unwrap_or_default();
    let threads = rayon::current_num_threads() as u64;

    let b = bar(ballots, "bulletins");
    let b2 = b.clone();
    let t = Instant::now();
    // When the ballots' pass started and ended, for the split of the time.
    let marks = Arc::new(std::sync::Mutex::new((None::<f64>, None::<f64>)));
    let m2 = marks.clone();
    let options = VerifyOptions {
        platform_key: Some(key),
        seed: None,
        progress: Some(Arc::new(move |p: Progress| {
            if p.stage == "bulletins" {
                b2.set_message("bulletins");
                b2.set_length(p.total);
                b2.set_position(p.done);
                let mut m = m2.lock().unwrap_or_else(|e| e.into_inner());
                let now = t.elapsed().as_secs_f64();
                m.0.get_or_insert(now);
                if p.done >= p.total {
                    m.1 = Some(now);
                }
            } else {
                b2.set_message("empreintes");
            }
        })),
    };
    let cpu0 = cpu_seconds();
    let report = verify_path(&dir, &options);
    let spent = t.elapsed();
    let cpu = cpu_seconds().zip(cpu0).map(|(a, b)| a - b);
    b.finish_and_clear();
    let (start, end) = *marks.lock().unwrap_or_else(|e| e.into_inner());
    let floor = per_point * points as u32 / threads.max(1) as u32;
    println!("{report}");
    println!();
    println!("Record: {ballots} ballots, {points} transmitted points, {bytes} bytes");
    println!(
        "Verification: {:.1} s on {threads} threads ({:.3} ms per ballot per thread)",
        spent.as_secs_f64(),
        spent.as_secs_f64() * 1000.0 * threads as f64 / ballots.max(1) as f64
    );
    if let (Some(a), Some(z)) = (start, end) {
        println!(
            "  of which: files hashed and read {a:.1} s, ballots (parse, batch-verify, aggregate) {:.1} s, the rest (board, tally, results) {:.1} s",
            z - a,
            spent.as_secs_f64() - z
        );
    }
    println!(
        "Floor (decompression + one multiscalar term per point): {:.2} µs per point, {:.1} s for the record on {threads} threads; verification = {:.2} × floor",
        per_point.as_secs_f64() * 1e6,
        floor.as_secs_f64(),
        spent.as_secs_f64() / floor.as_secs_f64().max(1e-9)
    );
    if let Some(cpu) = cpu {
        // On a machine shared with other work, CPU time against the one-core floor is the
        // fairer ratio: wall time also counts what other processes took.
        let one_core = per_point.as_secs_f64() * points as f64;
        println!(
            "CPU time of the verification: {cpu:.1} s = {:.2} × the one-core floor ({one_core:.1} s); load average {}",
            cpu / one_core.max(1e-9),
            std::fs::read_to_string("/proc/loadavg")
                .unwrap_or_default()
                .trim()
        );
    }
    if !report.passed() {
        bail!("the synthetic record did not verify");
    }
    Ok(())
}

/// CPU time (user + system) of this process so far, from `/proc/self/stat` (Linux).
pub(super) fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    // USER_HZ is 100 on Linux.
    Some((utime + stime) / 100.0)
}

fn walk_size(dir: &std::path::Path) -> u64 {
    let mut total = 0;
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                total += walk_size(&p);
            } else if let Ok(m) = e.metadata() {
                total += m.len();
            }
        }
    }
    total
}
