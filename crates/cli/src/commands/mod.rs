//! One module per subcommand.

pub mod bench;
pub mod bench_verify;
pub mod demo;
pub mod export_record;
pub mod fixtures;
pub mod import;
pub mod serve;
pub mod trustee;
pub mod verify;

/// Logs to stderr, filtered by `RUST_LOG` when set, else at `default` (`"info"`, `"warn"`).
pub(crate) fn init_logs(default: &str) {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default)),
        )
        .with_writer(std::io::stderr)
        .init();
}
