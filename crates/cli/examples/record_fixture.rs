//! Test-only: a real election record for the browser test of the verification page
//! (`tests/browser/tests/verify.test.mjs`). Runs the election of chamber 011 end to end
//! through the admin server (as `tests/record_verify.rs` does), exports its record as a
//! directory and as one `.tar` archive into `--out DIR`, prints one JSON line
//! `{"dir", "tar", "platform_key"}` and exits.
//!
//! `cargo run -p scrutin --example record_fixture -- --out DIR`
#![allow(clippy::unwrap_used)]

#[path = "../../admin-server/tests/tally_support/mod.rs"]
mod tally_support;

#[path = "../tests/record_support/mod.rs"]
mod record_support;

use std::path::PathBuf;

use scrutin_store::Kind;
use scrutin_store::record_export::{ExportOptions, export_record_archive, export_record_with};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let out = args
        .iter()
        .position(|a| a == "--out")
        .and_then(|i| args.get(i + 1))
        .map(PathBuf::from)
        .expect("--out DIR");
    std::fs::create_dir_all(&out).unwrap();
    let done = record_support::run_election(Kind::Sqlite).await;
    let options = ExportOptions {
        now: Some(done.h.state.now()),
        platform_key: Some(done.h.state.platform_key.verifying_key()),
    };
    let dir = out.join("record");
    export_record_with(&done.h.state.stores, &dir, &options)
        .await
        .unwrap();
    let tar = out.join("record.tar");
    export_record_archive(&done.h.state.stores, &tar, &options)
        .await
        .unwrap();
    println!(
        "{}",
        serde_json::json!({
            "dir": dir,
            "tar": tar,
            "platform_key": hex::encode(done.platform_key),
        })
    );
}
