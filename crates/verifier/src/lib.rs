//! # scrutin-verify
//!
//! The independent verifier of scrutin election records (protocol §10, R-55, R-66): it
//! reads a record exported by the platform (a directory or a tar archive, format in
//! `specs/record-format.md`) and re-checks all of it without trusting the operator — the
//! manifest's digests, the parameters, the key ceremonies, the journal's chain and signed
//! checkpoints, the seals and the objects they cover, the credential sets, the public
//! board, every ballot (signature and proofs, batch-verified once each on every core), the
//! ballots against the émargements, the aggregates, the decryption shares, the
//! decryption, the results and the seats. Each check is one line of the [`Report`].
//!
//! It depends only on `scrutin-crypto` and `scrutin-election` (never on the store or the
//! servers), and builds for wasm32 for the browser's verification page (`verifier-wasm/`).
//! A partial record (vote still open, contests not decrypted) is verified as far as it
//! goes: checks with nothing to check yet are *skipped*, which is not failing.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod checks;
mod load;
mod parallel;
pub mod report;
mod scan;
pub mod source;
pub mod synthetic;

use std::path::Path;
use std::sync::Arc;

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use scrutin_election::record::{Manifest, paths};

pub use report::{Check, Report, Status};
pub use source::{ArchiveSource, DirSource, Source, TarFileSource};

/// Where the verification stands, for a progress bar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// `empreintes` (hashing the files) or `bulletins` (verifying the ballots).
    pub stage: &'static str,
    /// Units done (files, ballots).
    pub done: u64,
    /// Units in all (0 when unknown).
    pub total: u64,
}

/// A progress callback.
pub type ProgressFn = Arc<dyn Fn(Progress) + Send + Sync>;

/// How to verify.
#[derive(Clone, Default)]
pub struct VerifyOptions {
    /// The platform's public key as the person verifying got it (from the commission, the
    /// voting site's board page…). Without it, the key written in the record is used and
    /// the report says so: a record could then be re-signed by anyone.
    pub platform_key: Option<[u8; 32]>,
    /// Seed of the batch verification's random weights. By default drawn from the
    /// operating system; the browser passes 32 bytes from `crypto.getRandomValues`. Never
    /// let the record's producer choose it.
    pub seed: Option<[u8; 32]>,
    /// Called as the long stages advance.
    pub progress: Option<ProgressFn>,
}

impl std::fmt::Debug for VerifyOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifyOptions")
            .field("platform_key", &self.platform_key.map(hex::encode))
            .field("seed", &self.seed.map(|_| "…"))
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

/// Verifies the record at `path`: a directory, or a `.tar` archive.
pub fn verify_path(path: &Path, options: &VerifyOptions) -> Report {
    let name = path.display().to_string();
    if path.is_dir() {
        return verify_source(&DirSource::new(path), options);
    }
    match TarFileSource::open(path) {
        Ok(src) => verify_source(&src, options),
        Err(e) => Report::unreadable(name, e),
    }
}

/// Verifies a record held in memory as a tar archive.
pub fn verify_archive(name: &str, bytes: &[u8], options: &VerifyOptions) -> Report {
    match ArchiveSource::new(name, bytes) {
        Ok(src) => verify_source(&src, options),
        Err(e) => Report::unreadable(name, e),
    }
}

fn seed(options: &VerifyOptions) -> [u8; 32] {
    match options.seed {
        Some(s) => s,
        None => {
            let mut s = [0u8; 32];
            rand_core::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut s);
            s
        }
    }
}

/// Verifies a record from any source.
pub fn verify_source(src: &dyn Source, options: &VerifyOptions) -> Report {
    let name = src.describe();
    let manifest: Manifest = match src.read(paths::MANIFEST) {
        Err(e) => {
            return Report::unreadable(
                name,
                format!("pas de manifeste ({e}) : ce n'est pas un dossier d'élection"),
            );
        }
        Ok(bytes) => match serde_json::from_slice(&bytes) {
            Ok(m) => m,
            Err(e) => return Report::unreadable(name, format!("manifeste illisible : {e}")),
        },
    };
    let mut rng = ChaCha20Rng::from_seed(seed(options));
    let manifest_check = checks::setup::manifest(src, &manifest, options);
    let (record, key_source) = load::load(src, manifest, options.platform_key);
    let mut ctx = checks::setup::Context::default();
    let parameters = checks::setup::parameters(&record, options.platform_key, &mut ctx);
    let dkg = checks::setup::dkg(&record, &mut ctx);
    let scan = scan::scan(src, &record, options, &mut rng);
    let checks = vec![
        manifest_check,
        parameters,
        dkg,
        checks::integrity::journal(&record),
        checks::integrity::seals(&record),
        checks::integrity::seal_subjects(&record, &scan),
        checks::boxes::credentials(&record),
        checks::boxes::board(&record, &scan),
        checks::boxes::voting_keys(&record, &scan),
        checks::boxes::ballots(&record, &scan),
        checks::boxes::emargements(&record, &scan),
        checks::tally::aggregates(&record, &scan),
        checks::tally::decryption_shares(&record, &ctx, &mut rng),
        checks::tally::decryption(&record, &ctx),
        checks::tally::results(&record, &ctx),
        checks::tally::seats(&record, &ctx),
    ];
    Report {
        record: name,
        election: Some(record.manifest.election.clone()),
        exported_at: Some(record.manifest.exported_at.clone()),
        partial: record.manifest.partial,
        platform_key: record.platform_key.map(|k| hex::encode(k.to_bytes())),
        platform_key_source: key_source,
        error: None,
        checks,
    }
}
