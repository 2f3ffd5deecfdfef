//! `scrutin verify`: the independent verifier of an election record. Prints
//! one line per check; exits 0 only when every check passes, 2 when one fails, 1 when the
//! record cannot be read.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use scrutin_verify::{Progress, VerifyOptions, verify_path};

/// Arguments of `scrutin verify`.
#[derive(clap::Args)]
pub struct Args {
    /// The record: a directory, or a `.tar` archive (`scrutin export-record`).
    path: PathBuf,
    /// Print the report as JSON on standard output.
    #[arg(long)]
    json: bool,
    /// The platform's public key (64 hex characters) as published by the commission or the
    /// voting site; without it the key written in the record is used.
    #[arg(long, env = "SCRUTIN_PLATFORM_KEY")]
    platform_key: Option<String>,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
}

/// Exit code when a check fails.
pub const EXIT_FAILED: i32 = 2;
/// Exit code when the record cannot be read.
pub const EXIT_UNREADABLE: i32 = 1;

fn progress_bar() -> (ProgressBar, scrutin_verify::ProgressFn) {
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{msg:>12} [{bar:40}] {pos}/{len} ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let stage = Arc::new(Mutex::new(""));
    let b = bar.clone();
    let f: scrutin_verify::ProgressFn = Arc::new(move |p: Progress| {
        let mut current = stage.lock().unwrap_or_else(|e| e.into_inner());
        if *current != p.stage {
            *current = p.stage;
            b.reset();
            b.set_message(p.stage);
        }
        b.set_length(p.total);
        b.set_position(p.done);
    });
    (bar, f)
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let platform_key = args
        .platform_key
        .as_deref()
        .map(|h| {
            let bytes = hex::decode(h.trim()).context("--platform-key: hexadecimal expected")?;
            <[u8; 32]>::try_from(bytes.as_slice()).map_err(|_| {
                anyhow::anyhow!("--platform-key: 32 bytes (64 hex characters) expected")
            })
        })
        .transpose()?;
    let mut options = VerifyOptions {
        platform_key,
        ..VerifyOptions::default()
    };
    let bar = if args.quiet {
        None
    } else {
        let (bar, f) = progress_bar();
        options.progress = Some(f);
        Some(bar)
    };
    let started = std::time::Instant::now();
    let report = verify_path(&args.path, &options);
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    if args.json {
        println!("{}", report.to_json());
    } else {
        println!("{report}");
        println!("Durée : {:.1} s.", started.elapsed().as_secs_f64());
    }
    if !report.readable() {
        std::process::exit(EXIT_UNREADABLE);
    }
    if !report.passed() {
        std::process::exit(EXIT_FAILED);
    }
    Ok(())
}
