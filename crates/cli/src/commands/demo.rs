//! `scrutin demo`.

/// Arguments of `scrutin demo`.
#[derive(clap::Args)]
pub struct Args {}

pub fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("`scrutin demo` is not available yet")
}
