//! Running a voting server from options: what the `scrutin-vote` binary and
//! `scrutin serve --vote` share.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use scrutin_store::keys::PlatformKeys;
use scrutin_store::{StoreLocation, Stores, SystemClock};

use crate::{AppState, TlsFiles, VoteConfig, background, recover_at_start, router, serve};

/// Options of a voting server process.
#[derive(Debug, Clone, clap::Args)]
pub struct VoteOptions {
    /// Stores: a directory of SQLite files, or three PostgreSQL URLs
    /// `registry,electors,ballots`.
    #[arg(long, env = "SCRUTIN_STORE")]
    pub store: String,
    /// Directory of the platform key files (platform.key, session.key, master.key).
    #[arg(long, env = "SCRUTIN_KEYS")]
    pub keys: PathBuf,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Directory of the voter pages.
    #[arg(long)]
    pub web: Option<PathBuf>,
    /// TLS certificate chain (PEM); required unless listening on loopback.
    #[arg(long, requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// TLS private key (PEM).
    #[arg(long, requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Seconds between background passes (recovery, epochs, checkpoints).
    #[arg(long, default_value_t = 15)]
    pub background_period: u64,
    /// PostgreSQL connections per store.
    #[arg(long, default_value_t = 16)]
    pub pg_connections: u32,
}

/// Opens the stores, recovers, and serves until the process ends. Prints
/// `listening on <url>` on standard output once the socket is bound.
pub async fn run(opts: VoteOptions) -> anyhow::Result<()> {
    let location = StoreLocation::parse(&opts.store)?;
    let stores = Stores::open_with(
        &location,
        scrutin_store::PoolSizes {
            postgres: opts.pg_connections,
            ..Default::default()
        },
    )
    .await?;
    let keys = PlatformKeys::load(&opts.keys)?;
    let mut config = VoteConfig::new(keys);
    config.web_dir = opts.web.clone();
    config.tls = opts.tls_cert.is_some();
    config.background_period = std::time::Duration::from_secs(opts.background_period.max(1));
    let state = AppState::new(stores, config, Arc::new(SystemClock));
    let recovery = recover_at_start(&state).await?;
    tokio::spawn(background(state.clone(), recovery));
    let tls = match (opts.tls_cert, opts.tls_key) {
        (Some(cert), Some(key)) => Some(TlsFiles { cert, key }),
        _ => None,
    };
    let scheme = if tls.is_some() { "https" } else { "http" };
    serve(router(state), opts.listen, tls, move |addr| {
        println!("listening on {scheme}://{addr}");
        tracing::info!(%addr, "voting server listening");
    })
    .await?;
    Ok(())
}
