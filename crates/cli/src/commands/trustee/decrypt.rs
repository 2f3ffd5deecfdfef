//! The holder's decryption share of a contest's tally (protocol §9.2), and the opening of
//! an encrypted export.

use std::path::Path;

use anyhow::{Context, anyhow, bail};
use rand::rngs::OsRng;
use scrutin_crypto::ballot::EncodedCiphertext;
use scrutin_crypto::elgamal::Ciphertext;
use scrutin_crypto::encoding::point_to_hex;
use scrutin_crypto::keyfile::KeyShareFile;
use scrutin_crypto::tally::create_decryption_share;

use super::ceremony::write_private;
use super::client::AdminClient;
use super::secrets;

/// Computes this holder's decryption share of `contest` and uploads it; starts the tally
/// (aggregation of the box) if nobody did yet.
pub fn run(client: &AdminClient, share_file: &Path, contest: &str) -> anyhow::Result<String> {
    let (scope, kind) = contest
        .split_once('/')
        .filter(|(s, k)| {
            !s.is_empty() && matches!(*k, "CCIR" | "CCIT") && !s.contains(['?', '#', '/'])
        })
        .ok_or_else(|| anyhow!("a contest is written like 011-C/CCIR, not {contest:?}"))?;
    let path = format!("/admin/api/contests/{scope}/{kind}/tally");
    let text = std::fs::read_to_string(share_file)
        .with_context(|| format!("reading {}", share_file.display()))?;
    let file = KeyShareFile::from_json(&text)
        .with_context(|| format!("{} is not a key-share file", share_file.display()))?;

    let mut view = client.get(&path)?;
    if view["status"] == "not_started" {
        view = client.post(&path, &serde_json::json!({}))?;
    }
    if view["status"] == "decrypted" {
        return Ok(format!(
            "Contest {contest} is already decrypted: nothing to do."
        ));
    }
    let i = file.public.trustee;
    if view["you"].as_u64() != Some(u64::from(i)) {
        bail!(
            "this key-share file is trustee {i}'s, but your account is not that holder of the contest's COE"
        );
    }
    let expected = view["verification_keys"][(i - 1) as usize]
        .as_str()
        .unwrap_or_default();
    if expected != point_to_hex(&file.public.verification_key) {
        bail!("this key-share file does not belong to the ceremony whose key encrypted {contest}");
    }
    let fingerprint = hex::decode(view["fingerprint"].as_str().unwrap_or_default())
        .context("the contest fingerprint")?;
    let encoded: Vec<EncodedCiphertext> =
        serde_json::from_value(view["aggregates"].clone()).context("the aggregates")?;
    let aggregates: Vec<Ciphertext> = encoded
        .iter()
        .map(EncodedCiphertext::decode)
        .collect::<Result<_, _>>()
        .context("the aggregates")?;
    let password = secrets::share_password()?;
    let share = file.open(&password).context("opening the key-share file")?;
    let decryption = create_decryption_share(&fingerprint, &share, &aggregates, &mut OsRng)?;
    let after = client.post(&format!("{path}/shares"), &decryption)?;
    let received = after["shares_from"].as_array().map_or(0, Vec::len);
    let threshold = after["threshold"].as_u64().unwrap_or(0);
    Ok(if after["status"] == "decrypted" {
        format!(
            "Decryption share of trustee {i} accepted: contest {contest} is decrypted ({} ballots).",
            after["ballots"]
        )
    } else {
        format!(
            "Decryption share of trustee {i} accepted ({received} of the {threshold} needed for {contest})."
        )
    })
}

/// Decrypts an encrypted export into `out`.
pub fn open_export(file: &Path, out: &Path) -> anyhow::Result<String> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let export: scrutin_admin::exports::EncryptedExport = serde_json::from_str(&text)
        .with_context(|| format!("{} is not an encrypted export", file.display()))?;
    let passphrase = secrets::export_passphrase()?;
    let plain = scrutin_admin::exports::open_export(&export, &passphrase)
        .map_err(|e| anyhow!(e.message()))?;
    if out.exists() {
        bail!("{} exists: choose another name", out.display());
    }
    write_private(out, &plain)?;
    Ok(format!(
        "{} ({}) decrypted into {}.",
        export.file_name,
        export.content,
        out.display()
    ))
}
