//! `scrutin export-record`: writes the public election record of the stores (every
//! scrutin and contest) for the independent verifier, as a directory or a `.tar` archive.
//! Reads only: it may run during the vote.

use std::path::PathBuf;

use anyhow::Context;
use scrutin_store::keys::PlatformKeys;
use scrutin_store::record_export::{ExportOptions, export_record_archive, export_record_with};
use scrutin_store::{StoreLocation, Stores};

/// Arguments of `scrutin export-record`.
#[derive(clap::Args)]
pub struct Args {
    /// Stores: a directory of SQLite files, or three PostgreSQL URLs
    /// `registry,electors,ballots`.
    #[arg(long, env = "SCRUTIN_STORE")]
    store: String,
    /// Where to write: a new directory, or a file ending in `.tar` for one archive.
    #[arg(long)]
    out: PathBuf,
    /// Directory of the platform key files: the record names the platform's public key
    /// (otherwise it is taken from the seals).
    #[arg(long, env = "SCRUTIN_KEYS")]
    keys: Option<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        let location = StoreLocation::parse(&args.store)?;
        let stores = Stores::open(&location).await.context("opening the stores")?;
        let platform_key = match &args.keys {
            Some(dir) => Some(
                PlatformKeys::load(dir)
                    .with_context(|| format!("reading the keys of {}", dir.display()))?
                    .platform_public(),
            ),
            None => None,
        };
        let options = ExportOptions {
            now: None,
            platform_key,
        };
        let archive = args.out.extension().is_some_and(|e| e == "tar");
        let summary = if archive {
            export_record_archive(&stores, &args.out, &options).await?
        } else {
            export_record_with(&stores, &args.out, &options).await?
        };
        stores.close().await;
        println!(
            "Dossier de l'élection {} écrit dans {} : {} scrutins, {} élections ({} dépouillées), {} bulletins, {} fichiers, {} octets{}.",
            summary.election,
            summary.path.display(),
            summary.scrutins,
            summary.contests,
            summary.tallied,
            summary.ballots,
            summary.files,
            summary.bytes,
            if summary.partial { " (dossier partiel : vote ou dépouillement en cours)" } else { "" }
        );
        println!("Empreinte du manifeste : {}", hex::encode(summary.manifest_sha256));
        println!("Vérifiez-le avec : scrutin verify {}", summary.path.display());
        Ok(())
    })
}
