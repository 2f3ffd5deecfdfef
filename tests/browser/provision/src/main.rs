//! `scrutin-browser-fixture`: the real voting server on a test election, for the browser
//! tests of `tests/browser` (never for production).
//!
//! It creates SQLite stores in `--data-dir`, runs a DKG among three test trustees, loads the
//! sample election of `fixtures/` (chambers 011 and 381) under the joint key with fresh
//! credentials (`scrutin_store::provision`), then serves the voter API and pages (`scrutin_vote::router`, exactly what
//! `scrutin-vote` serves) and a test-only control API on two loopback ports. When both
//! listen, it prints one JSON line: the two URLs and every right with its secret code.
//! The test kills it at the end.
//!
//! With `--vectors` it prints the ballot client's native responses to fixed requests instead
//! (see `vectors.rs`), which the browser test replays in Chromium.

mod control;
mod election;
mod trustees;
mod vectors;

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result};
use clap::Parser;
use rand_core::OsRng;
use scrutin_store::keys::PlatformKeys;
use scrutin_store::{StoreLocation, Stores, SystemClock};
use scrutin_vote::{AppState, VoteConfig, background, recover_at_start, router};
use serde_json::json;

use crate::control::Control;
use crate::trustees::Trustees;

/// Options.
#[derive(Parser)]
struct Args {
    /// Print the ballot client's native request/response vectors as JSON and exit.
    #[arg(long)]
    vectors: bool,
    /// Directory for the SQLite stores (created; the test removes it).
    #[arg(long, required_unless_present = "vectors")]
    data_dir: Option<PathBuf>,
    /// The voter pages to serve (`web/voter`).
    #[arg(long, required_unless_present = "vectors")]
    web_dir: Option<PathBuf>,
    /// The sample files (`fixtures/`).
    #[arg(long, default_value = "fixtures")]
    fixtures: PathBuf,
}

/// Chambers whose scrutins and rights the test election holds: 011 (categories without
/// sub-categories, persons with two rights) and 381 (sub-categories, a pooled CCIR election).
const CHAMBERS: &[&str] = &["011", "381"];

#[tokio::main]
async fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    if args.vectors {
        println!("{}", vectors::vectors()?);
        return Ok(());
    }
    let (Some(data_dir), Some(web_dir)) = (args.data_dir, args.web_dir) else {
        anyhow::bail!("--data-dir and --web-dir are required");
    };
    std::fs::create_dir_all(&data_dir)?;
    let stores = Stores::open(&StoreLocation::Sqlite { dir: data_dir })
        .await
        .context("opening the SQLite stores")?;
    let keys = PlatformKeys::generate(&mut OsRng);

    let election_id = "cci-2026-browser-test";
    let trustees = Trustees::ceremony(election_id)?;
    trustees
        .transcript
        .verify()
        .context("the DKG transcript verifies")?;
    let provisioned = election::provision(
        &stores,
        &keys,
        &args.fixtures,
        CHAMBERS,
        election_id,
        trustees.public_key(),
        chrono::Utc::now(),
    )
    .await
    .context("loading the test election")?;

    let mut config = VoteConfig::new(keys.clone());
    config.web_dir = Some(web_dir);
    let state = AppState::new(stores.clone(), config, Arc::new(SystemClock));
    let recovery = recover_at_start(&state).await?;
    tokio::spawn(background(state.clone(), recovery));

    let voters = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let controls = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let line = json!({
        "url": format!("http://{}", voters.local_addr()?),
        "control_url": format!("http://{}", controls.local_addr()?),
        "election_id": provisioned.election_id,
        "platform_key": hex::encode(keys.platform_public().as_bytes()),
        "rights": provisioned.rights,
    });
    let control = Arc::new(Control {
        stores,
        platform: keys.platform.clone(),
        trustees,
    });
    let voter_app = router(state);
    let control_app = control::router(control);
    println!("{line}");
    tokio::try_join!(
        async { axum::serve(voters, voter_app).await.context("voter server") },
        async {
            axum::serve(controls, control_app)
                .await
                .context("control server")
        },
    )?;
    Ok(())
}
