//! The holder's side of the key ceremony, one resumable step per call.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, anyhow, bail};
use rand::rngs::OsRng;
use scrutin_crypto::dkg::{
    Dealing, DkgParameters, DkgTranscript, Registered, SavedState, SavedStateFile,
    TransportKeyAnnouncement,
};
use scrutin_crypto::encoding::point_to_hex;
use scrutin_crypto::keyfile::{KdfParams, KeyShareFile};
use serde_json::{Value, json};
use zeroize::Zeroizing;

use super::client::AdminClient;
use super::secrets;

/// What one call achieved.
enum Progress {
    /// A step was done; there may be another one to do at once.
    Advanced(String),
    /// Waiting for the other holders.
    Waiting(String),
    /// The key-share file is written.
    Done(String),
}

/// Writes a file readable by its owner only, through a temporary file and a rename, so a
/// crash never leaves half a file.
pub fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    let tmp = path.with_extension("tmp");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options
        .open(&tmp)
        .with_context(|| format!("writing {}", tmp.display()))?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

fn save(state: &SavedState, password: &str, path: &Path) -> anyhow::Result<()> {
    let file = state
        .seal(password, KdfParams::RECOMMENDED, &mut OsRng)
        .context("sealing the ceremony state")?;
    write_private(path, file.to_json().as_bytes())
}

fn load(path: &Path, password: &str) -> anyhow::Result<SavedState> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let file = SavedStateFile::from_json(&text)
        .with_context(|| format!("{} is not a ceremony state", path.display()))?;
    file.open(password)
        .with_context(|| format!("opening {}", path.display()))
}

fn trustee_flag(view: &Value, i: u32, flag: &str) -> bool {
    view["trustees"]
        .as_array()
        .and_then(|ts| ts.iter().find(|t| t["trustee"] == json!(i)))
        .is_some_and(|t| t[flag] == json!(true))
}

fn transcript_part<T: serde::de::DeserializeOwned>(
    view: &Value,
    part: &str,
) -> anyhow::Result<Vec<T>> {
    serde_json::from_value(view["transcript"][part].clone())
        .with_context(|| format!("the server's {part} do not read"))
}

/// Where the ceremony stands, in a sentence.
pub fn status(client: &AdminClient, chamber: &str) -> anyhow::Result<String> {
    let view = client.get(&AdminClient::chamber_path(chamber)?)?;
    if view["status"] == "none" {
        return Ok(format!(
            "No key ceremony has been started for chamber {chamber}."
        ));
    }
    let mut out = format!(
        "Ceremony {} of chamber {chamber}: {} (waiting for: {}).",
        view["key_id"].as_str().unwrap_or_default(),
        view["status"].as_str().unwrap_or_default(),
        view["step"].as_str().unwrap_or_default()
    );
    if let Some(i) = view["you"].as_u64() {
        out.push_str(&format!(" You are trustee {i}."));
    }
    if let Some(y) = view["public_key"].as_str() {
        out.push_str(&format!(" Election key: {y}."));
    }
    Ok(out)
}

/// Runs the due step(s) of the ceremony; with `wait`, until the key-share file is written.
pub fn run(
    client: &AdminClient,
    chamber: &str,
    state_path: &Path,
    share_file: Option<&Path>,
    wait: bool,
    poll: Duration,
) -> anyhow::Result<String> {
    let password = if state_path.exists() {
        secrets::share_password()?
    } else {
        secrets::new_share_password()?
    };
    loop {
        match step(client, chamber, state_path, share_file, &password)? {
            Progress::Done(msg) => return Ok(msg),
            Progress::Advanced(msg) => eprintln!("{msg}"),
            Progress::Waiting(msg) if !wait => return Ok(msg),
            Progress::Waiting(msg) => {
                eprintln!("{msg}");
                // A client polling its server, not test synchronisation.
                std::thread::sleep(poll);
            }
        }
    }
}

fn step(
    client: &AdminClient,
    chamber: &str,
    state_path: &Path,
    share_file: Option<&Path>,
    password: &Zeroizing<String>,
) -> anyhow::Result<Progress> {
    let base = AdminClient::chamber_path(chamber)?;
    let view = client.get(&base)?;
    if view["status"] == "none" {
        bail!(
            "no key ceremony has been started for chamber {chamber}: the COE president starts it"
        );
    }
    let i = view["you"]
        .as_u64()
        .and_then(|i| u32::try_from(i).ok())
        .ok_or_else(|| anyhow!("you are not a key holder of chamber {chamber}'s ceremony"))?;
    let params: DkgParameters =
        serde_json::from_value(view["parameters"].clone()).context("the ceremony's parameters")?;
    let n = params.trustees as usize;

    if !state_path.exists() {
        if view["status"] == "complete" {
            bail!(
                "the election key of chamber {chamber} already exists and {} is missing: \
                 this holder's share cannot be recovered",
                state_path.display()
            );
        }
        let (state, announcement) = Registered::new(params, i, &mut OsRng)?;
        save(&SavedState::Registered(state), password, state_path)?;
        client.post(&format!("{base}/announcements"), &announcement)?;
        return Ok(Progress::Advanced(format!(
            "Step 1 done: transport key of trustee {i} announced (state kept in {}).",
            state_path.display()
        )));
    }

    let state = load(state_path, password)?;
    if state.parameters() != &params || state.trustee() != i {
        bail!(
            "{} belongs to ceremony {} (trustee {}), but the server runs {} where you are trustee {i}: \
             the ceremony was restarted; move the old file away and run again",
            state_path.display(),
            state.parameters().key_id,
            state.trustee(),
            params.key_id
        );
    }
    match state {
        SavedState::Registered(s) => {
            if !trustee_flag(&view, i, "announced") {
                client.post(&format!("{base}/announcements"), s.announcement())?;
            }
            let roster: Vec<TransportKeyAnnouncement> = transcript_part(&view, "roster")?;
            if roster.len() < n {
                return Ok(Progress::Waiting(format!(
                    "Waiting for the other holders' transport keys ({}/{n}).",
                    roster.len()
                )));
            }
            let (dealt, dealing) = s.deal(&roster, &mut OsRng)?;
            save(&SavedState::Dealt(dealt), password, state_path)?;
            client.post(&format!("{base}/dealings"), &dealing)?;
            Ok(Progress::Advanced(format!(
                "Step 2 done: trustee {i}'s shares dealt."
            )))
        }
        SavedState::Dealt(d) => {
            if !trustee_flag(&view, i, "dealt") {
                client.post(&format!("{base}/dealings"), d.dealing())?;
            }
            let dealings: Vec<Dealing> = transcript_part(&view, "dealings")?;
            if dealings.len() < n {
                return Ok(Progress::Waiting(format!(
                    "Waiting for the other holders' dealings ({}/{n}).",
                    dealings.len()
                )));
            }
            let (checked, complaints) = d.check_dealings(&dealings, &mut OsRng)?;
            save(&SavedState::Checked(checked), password, state_path)?;
            client.post(
                &format!("{base}/checks"),
                &json!({ "complaints": complaints }),
            )?;
            Ok(Progress::Advanced(if complaints.is_empty() {
                format!("Step 3 done: every share to trustee {i} checks.")
            } else {
                format!(
                    "Step 3 done: trustee {i} complained against trustee(s) {:?}.",
                    complaints.iter().map(|c| c.dealer).collect::<Vec<_>>()
                )
            }))
        }
        SavedState::Checked(c) => {
            if !trustee_flag(&view, i, "checked") {
                client.post(
                    &format!("{base}/checks"),
                    &json!({ "complaints": c.complaints() }),
                )?;
            }
            let view = client.get(&base)?;
            match view["step"].as_str() {
                Some("complete") => {}
                Some("failed") => bail!(
                    "the ceremony failed: {}; the COE president must restart it",
                    view["failure"].as_str().unwrap_or("unknown reason")
                ),
                _ => {
                    return Ok(Progress::Waiting(
                        "Waiting for the other holders to check their shares.".into(),
                    ));
                }
            }
            let t = client.get(&format!("{base}/transcript"))?;
            let transcript: DkgTranscript = serde_json::from_value(t["transcript"].clone())
                .context("the ceremony's transcript")?;
            let share = c
                .finalize(&transcript)
                .context("the published transcript does not check")?;
            let file = KeyShareFile::seal(&share, password, KdfParams::RECOMMENDED, &mut OsRng)
                .context("sealing the key-share file")?;
            let out: PathBuf = share_file
                .map(Path::to_path_buf)
                .unwrap_or_else(|| PathBuf::from(format!("coe-{chamber}-trustee-{i}.json")));
            if out.exists() {
                bail!(
                    "{} exists: key-share files are never overwritten",
                    out.display()
                );
            }
            write_private(&out, file.to_json().as_bytes())?;
            let vk = point_to_hex(&share.verification_key());
            let digest = hex::encode(share.transcript_digest());
            client.post(
                &format!("{base}/confirmations"),
                &json!({ "verification_key": vk, "transcript_digest": digest }),
            )?;
            // The state held this holder's secrets; the key-share file replaces it.
            std::fs::remove_file(state_path).ok();
            Ok(Progress::Done(format!(
                "Key ceremony complete. Election key {}; transcript digest {digest}. \
                 Your key-share file (trustee {i}): {}. Keep it and its password apart.",
                point_to_hex(&share.public_key()),
                out.display()
            )))
        }
    }
}
