//! `scrutin verify`.

/// Arguments of `scrutin verify`.
#[derive(clap::Args)]
pub struct Args {}

pub fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("`scrutin verify` is not available yet")
}
