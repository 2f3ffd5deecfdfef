//! The voting server as a process of its own (production behind a load balancer; the
//! crash test kills it with SIGKILL). `scrutin serve --vote` runs the same thing.

use clap::Parser;

#[derive(Parser)]
#[command(name = "scrutin-vote", about = "scrutin voting server")]
struct Cli {
    #[command(flatten)]
    options: scrutin_vote::run::VoteOptions,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    scrutin_vote::run::run(Cli::parse().options).await
}
