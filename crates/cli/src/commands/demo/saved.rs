//! What the demo keeps in its data directory between two starts: `demo.json` with the
//! demo accounts and their secrets, the passwords of the key-share and letters files.
//! Everything here is demo material on a loopback-only installation; a real platform
//! never writes passwords to disk.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Format tag of `demo.json`.
pub const FORMAT: &str = "scrutin-demo/1";
/// Written first when a directory becomes a demo directory: `--fresh` only ever removes a
/// directory holding it (or an empty one).
pub const MARKER: &str = "scrutin-demo-data";
/// The saved settings, written last: a directory without it holds an unfinished set-up.
pub const SAVED: &str = "demo.json";

/// One demo account of the control interface.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Account {
    /// Login.
    pub email: String,
    /// Role code (`coe_president`…).
    pub role: String,
    /// What the person is, for the printout.
    pub label: String,
    /// Chambers or NATIONAL.
    pub perimeter: String,
    /// Surname.
    pub last_name: String,
    /// First name.
    pub first_name: String,
    /// The account's password.
    pub password: String,
    /// TOTP secret (base32) when the account needs the second factor.
    pub totp_secret: Option<String>,
    /// Key-share holder number in the ceremony, if a trustee.
    pub trustee: Option<u32>,
}

/// The demo's settings and secrets.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Saved {
    /// [`FORMAT`].
    pub format: String,
    /// Election identifier.
    pub election_id: String,
    /// The demo chamber.
    pub chamber: String,
    /// When the set-up ran.
    pub created_at: DateTime<Utc>,
    /// Control-interface accounts.
    pub accounts: Vec<Account>,
    /// Password of the three key-share files.
    pub share_password: String,
    /// Passphrase of the encrypted letters file (the voters' secret codes).
    pub letters_passphrase: String,
    /// The key-share files, relative to the data directory, trustee 1 first.
    pub share_files: Vec<PathBuf>,
}

impl Saved {
    /// Reads `demo.json` of a data directory.
    pub fn load(dir: &Path) -> anyhow::Result<Saved> {
        let path = dir.join(SAVED);
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        let saved: Saved = serde_json::from_str(&text)
            .with_context(|| format!("{} is not a demo settings file", path.display()))?;
        if saved.format != FORMAT {
            bail!(
                "{} has format {:?}, not {FORMAT}: start over with --fresh",
                path.display(),
                saved.format
            );
        }
        Ok(saved)
    }

    /// Writes `demo.json`, readable by its owner only.
    pub fn write(&self, dir: &Path) -> anyhow::Result<()> {
        let text = serde_json::to_string_pretty(self)?;
        write_private(&dir.join(SAVED), text.as_bytes())
    }

    /// The account with a role.
    pub fn account(&self, role: &str) -> anyhow::Result<&Account> {
        self.accounts
            .iter()
            .find(|a| a.role == role)
            .with_context(|| format!("demo.json has no {role} account"))
    }

    /// The key-share holders, trustee 1 first.
    pub fn trustees(&self) -> Vec<&Account> {
        let mut t: Vec<&Account> = self
            .accounts
            .iter()
            .filter(|a| a.trustee.is_some())
            .collect();
        t.sort_by_key(|a| a.trustee);
        t
    }
}

/// What a data directory holds.
#[derive(Debug, PartialEq, Eq)]
pub enum DirState {
    /// Nothing (missing or empty): set up a new demo.
    Empty,
    /// A complete demo.
    Ready,
    /// A demo whose set-up did not finish.
    Unfinished,
    /// Files that are not the demo's.
    Foreign,
}

/// What `dir` holds.
pub fn dir_state(dir: &Path) -> anyhow::Result<DirState> {
    if !dir.exists() {
        return Ok(DirState::Empty);
    }
    let mut entries =
        std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))?;
    if entries.next().is_none() {
        return Ok(DirState::Empty);
    }
    if !dir.join(MARKER).exists() {
        return Ok(DirState::Foreign);
    }
    Ok(if dir.join(SAVED).exists() {
        DirState::Ready
    } else {
        DirState::Unfinished
    })
}

/// Empties a demo directory for `--fresh`; refuses a directory that is not the demo's.
pub fn remove_demo_dir(dir: &Path) -> anyhow::Result<()> {
    match dir_state(dir)? {
        DirState::Empty => Ok(()),
        DirState::Foreign => bail!(
            "{} holds files that are not demo data ({MARKER} is missing): not removing it; \
             choose another directory with --data",
            dir.display()
        ),
        DirState::Ready | DirState::Unfinished => {
            std::fs::remove_dir_all(dir).with_context(|| format!("removing {}", dir.display()))
        }
    }
}

/// Writes a file readable by its owner only (secrets of the demo).
pub fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("writing {}", path.display()))?;
    file.write_all(bytes)
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}
