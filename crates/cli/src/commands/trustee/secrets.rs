//! Passwords: from an environment variable (scripts, tests) or typed at the terminal
//! without echo. Kept in `Zeroizing` strings and never printed.

use std::io::{BufRead, IsTerminal, Write};

use anyhow::{Context, bail};
use zeroize::Zeroizing;

/// The account password variable.
pub const ADMIN_PASSWORD_ENV: &str = "SCRUTIN_ADMIN_PASSWORD";
/// The state and key-share file password variable.
pub const SHARE_PASSWORD_ENV: &str = "SCRUTIN_SHARE_PASSWORD";
/// The export passphrase variable.
pub const EXPORT_PASSPHRASE_ENV: &str = "SCRUTIN_EXPORT_PASSPHRASE";

/// Shortest password accepted for a new state or key-share file.
pub const MIN_SHARE_PASSWORD: usize = 12;

fn from_env(var: &str) -> Option<Zeroizing<String>> {
    std::env::var(var)
        .ok()
        .filter(|v| !v.is_empty())
        .map(Zeroizing::new)
}

/// Reads a line from the terminal with echo off (`stty`), or from standard input when it
/// is not a terminal.
fn prompt(label: &str) -> anyhow::Result<Zeroizing<String>> {
    let stdin = std::io::stdin();
    let tty = stdin.is_terminal();
    eprint!("{label} : ");
    std::io::stderr().flush().ok();
    let echo_off = tty
        && std::process::Command::new("stty")
            .arg("-echo")
            .stdin(std::process::Stdio::inherit())
            .status()
            .is_ok_and(|s| s.success());
    let mut line = Zeroizing::new(String::new());
    let read = stdin.lock().read_line(&mut line);
    if echo_off {
        let _ = std::process::Command::new("stty")
            .arg("echo")
            .stdin(std::process::Stdio::inherit())
            .status();
        eprintln!();
    }
    read.context("reading the password")?;
    let trimmed = Zeroizing::new(line.trim_end_matches(['\r', '\n']).to_owned());
    if trimmed.is_empty() {
        bail!("no password given");
    }
    Ok(trimmed)
}

/// The holder's account password.
pub fn admin_password(email: &str) -> anyhow::Result<Zeroizing<String>> {
    match from_env(ADMIN_PASSWORD_ENV) {
        Some(p) => Ok(p),
        None => prompt(&format!("Mot de passe du compte {email}")),
    }
}

/// The password of an existing state or key-share file.
pub fn share_password() -> anyhow::Result<Zeroizing<String>> {
    match from_env(SHARE_PASSWORD_ENV) {
        Some(p) => Ok(p),
        None => prompt("Mot de passe de votre fichier de part de clé"),
    }
}

/// A new password for the state and key-share files: typed twice, 12 characters at least.
pub fn new_share_password() -> anyhow::Result<Zeroizing<String>> {
    let password = match from_env(SHARE_PASSWORD_ENV) {
        Some(p) => p,
        None => {
            let first =
                prompt("Choisissez le mot de passe de votre part de clé (12 caractères au moins)")?;
            let again = prompt("Répétez ce mot de passe")?;
            if *first != *again {
                bail!("the two passwords differ");
            }
            first
        }
    };
    if password.chars().count() < MIN_SHARE_PASSWORD {
        bail!("the key-share password needs {MIN_SHARE_PASSWORD} characters at least");
    }
    Ok(password)
}

/// The passphrase of an export.
pub fn export_passphrase() -> anyhow::Result<Zeroizing<String>> {
    match from_env(EXPORT_PASSPHRASE_ENV) {
        Some(p) => Ok(p),
        None => prompt("Phrase de passe de l'export"),
    }
}
