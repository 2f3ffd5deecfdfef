//! `scrutin serve`: the voting server (and, later, the admin server) from the command line.

/// Arguments of `scrutin serve`.
#[derive(clap::Args)]
pub struct Args {
    /// Run the voting server.
    #[arg(long)]
    vote: bool,
    /// Run the admin server (separate port; not available in this build yet).
    #[arg(long)]
    admin: bool,
    #[command(flatten)]
    options: scrutin_vote::run::VoteOptions,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    if args.admin {
        anyhow::bail!(
            "the admin server is not available in this build yet; run `scrutin serve --vote`"
        );
    }
    if !args.vote {
        anyhow::bail!("say which server to run: `scrutin serve --vote`");
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    tokio::runtime::Runtime::new()?.block_on(scrutin_vote::run::run(args.options))
}
