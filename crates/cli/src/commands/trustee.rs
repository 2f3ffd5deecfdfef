//! `scrutin trustee`: the tools of a key-share holder (COE president, assessors, backup
//! holder). Every secret is made and used here, on the holder's computer; the admin server
//! only relays public messages (protocol §7, §9).
//!
//! The key ceremony runs as separate, resumable steps: each invocation does the step that
//! is due and saves the trustee's state in a password-protected file (protocol §8.1), so
//! COE members need not keep a process running while they wait for each other, and a
//! closed laptop or a failed upload loses nothing. `scrutin trustee ceremony --wait` runs
//! every step in one go, polling the server until the key is published; `ceremony` without
//! `--wait` does what is possible now and says what it waits for.
//!
//! ```text
//! scrutin trustee ceremony --server https://admin.cci.example --email p.martin@cci.fr --chamber 011 --wait
//! scrutin trustee decrypt  --server … --email … --share-file coe-011-trustee-1.json --contest 011-C/CCIR
//! scrutin trustee open-export --file emargement-011-C.chiffre.json --out emargement.csv
//! ```
//!
//! Passwords come from the terminal (not echoed), or from environment variables for
//! scripted use: `SCRUTIN_ADMIN_PASSWORD` (the holder's account), `SCRUTIN_SHARE_PASSWORD`
//! (the state and key-share files), `SCRUTIN_EXPORT_PASSPHRASE` (an export).

mod ceremony;
mod client;
mod decrypt;
mod secrets;

use std::path::PathBuf;

pub use client::AdminClient;

/// How to reach the admin server and who the holder is.
#[derive(clap::Args, Clone, Debug)]
pub struct Connection {
    /// Address of the control interface (`https://admin.example`).
    #[arg(long, env = "SCRUTIN_ADMIN_URL")]
    pub server: String,
    /// The holder's account on the control interface.
    #[arg(long, env = "SCRUTIN_ADMIN_EMAIL")]
    pub email: String,
    /// A code of the authenticator app, if the account needs the second factor.
    #[arg(long)]
    pub totp: Option<String>,
    /// A PEM certificate to trust for the server (a private certification authority).
    #[arg(long)]
    pub ca_cert: Option<PathBuf>,
}

/// Subcommands of `scrutin trustee`.
#[derive(clap::Subcommand)]
pub enum Command {
    /// Key ceremony of a COE: does the step that is due (or every step with --wait).
    Ceremony {
        #[command(flatten)]
        connection: Connection,
        /// The COE's chamber code (3 digits).
        #[arg(long)]
        chamber: String,
        /// The file that keeps this holder's ceremony state between steps (default
        /// `coe-<chamber>-state.json`).
        #[arg(long)]
        state: Option<PathBuf>,
        /// Where to write the key-share file at the end (default
        /// `coe-<chamber>-trustee-<i>.json`).
        #[arg(long)]
        share_file: Option<PathBuf>,
        /// Keep going until the key is published, checking the server every few seconds.
        #[arg(long)]
        wait: bool,
        /// Seconds between two checks with --wait.
        #[arg(long, default_value_t = 5)]
        poll: u64,
    },
    /// Where a COE's ceremony stands.
    Status {
        #[command(flatten)]
        connection: Connection,
        /// The COE's chamber code.
        #[arg(long)]
        chamber: String,
    },
    /// Computes and uploads this holder's decryption share of a contest's tally.
    Decrypt {
        #[command(flatten)]
        connection: Connection,
        /// The holder's key-share file.
        #[arg(long)]
        share_file: PathBuf,
        /// The election (contest), e.g. `011-C/CCIR`.
        #[arg(long)]
        contest: String,
    },
    /// Decrypts an export of the control interface (émargement list) on this computer.
    OpenExport {
        /// The encrypted export (`….chiffre.json`).
        #[arg(long)]
        file: PathBuf,
        /// Where to write the decrypted file.
        #[arg(long)]
        out: PathBuf,
    },
}

/// Runs a `scrutin trustee` subcommand.
pub fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Ceremony {
            connection,
            chamber,
            state,
            share_file,
            wait,
            poll,
        } => {
            let client = AdminClient::login(&connection)?;
            let state = state.unwrap_or_else(|| PathBuf::from(format!("coe-{chamber}-state.json")));
            let outcome = ceremony::run(
                &client,
                &chamber,
                &state,
                share_file.as_deref(),
                wait,
                std::time::Duration::from_secs(poll.max(1)),
            )?;
            println!("{outcome}");
            Ok(())
        }
        Command::Status {
            connection,
            chamber,
        } => {
            let client = AdminClient::login(&connection)?;
            println!("{}", ceremony::status(&client, &chamber)?);
            Ok(())
        }
        Command::Decrypt {
            connection,
            share_file,
            contest,
        } => {
            let client = AdminClient::login(&connection)?;
            println!("{}", decrypt::run(&client, &share_file, &contest)?);
            Ok(())
        }
        Command::OpenExport { file, out } => {
            println!("{}", decrypt::open_export(&file, &out)?);
            Ok(())
        }
    }
}
