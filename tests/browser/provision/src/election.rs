//! The test election, loaded with `scrutin-store`'s provisioning API (what the demo and the
//! admin server use) from the sample files of `fixtures/` (structure, candidates, voter
//! files of two chambers), under the key of the test trustees' DKG. The letters file is
//! decrypted here so the test knows every secret code, as a voter reading the letter would.

use std::collections::HashMap;
use std::fs::File;
use std::path::Path;

use anyhow::{Context, Result, anyhow};
use chrono::{DateTime, Duration, Utc};
use rand_core::OsRng;
use scrutin_crypto::RistrettoPoint;
use scrutin_election::{ReadOptions, read_structure, read_voter_records};
use scrutin_store::Stores;
use scrutin_store::keys::PlatformKeys;
use scrutin_store::letters::{LettersWriter, read_letters};
use scrutin_store::provision::{
    ContestKeys, ElectionFiles, Schedule, open_scrutin, provision_files,
};
use serde::Serialize;
use serde_json::Value;

/// One contest of a right, as the test drives it.
#[derive(Debug, Clone, Serialize)]
pub struct ContestOut {
    /// Contest id.
    pub id: String,
    /// Seats.
    pub seats: u64,
    /// Option indices in the order the page shows them (registration order).
    pub options: Vec<u64>,
    /// Option indices of each grouping, in registration order.
    pub groupings: Vec<Vec<u64>>,
}

/// One voting right with its material: what the letter says, plus the birth date.
#[derive(Debug, Serialize)]
pub struct RightOut {
    /// Identifier as printed (`1234-5678-9012`).
    pub identifier: String,
    /// Secret code as printed (`ABC-DEF-…`).
    pub code: String,
    /// JJMMAAAA (`01011901`: no check).
    pub birth_date: String,
    /// Scrutin.
    pub scrutin: String,
    /// Chamber code.
    pub chamber_code: String,
    /// The person holding the right (rights of one person share it).
    pub holder: String,
    /// Contests in ballot order.
    pub contests: Vec<ContestOut>,
    /// Every candidate's surname as the ballot shows it (a receipt must show none).
    pub candidate_names: Vec<String>,
}

/// The election as loaded.
pub struct Provisioned {
    /// Election id.
    pub election_id: String,
    /// Rights with their codes.
    pub rights: Vec<RightOut>,
}

/// The contests of a stored ballot sheet (specs/api.md §4), as the test sees them.
fn contests_of(sheet: &Value) -> Result<(Vec<ContestOut>, Vec<String>)> {
    let mut contests = Vec::new();
    let mut names = Vec::new();
    let option = |c: &Value| c["option"].as_u64().context("candidate option");
    for contest in sheet["contests"].as_array().context("sheet contests")? {
        let mut out = ContestOut {
            id: contest["id"].as_str().context("contest id")?.to_string(),
            seats: contest["seats"].as_u64().context("seats")?,
            options: Vec::new(),
            groupings: Vec::new(),
        };
        for entry in contest["entries"].as_array().context("entries")? {
            let candidates: Vec<&Value> = match entry["type"].as_str() {
                Some("grouping") => entry["candidates"]
                    .as_array()
                    .context("grouping candidates")?
                    .iter()
                    .collect(),
                _ => vec![&entry["candidate"]],
            };
            let options = candidates
                .iter()
                .map(|c| option(c))
                .collect::<Result<Vec<_>>>()?;
            for c in &candidates {
                names.push(c["surname"].as_str().unwrap_or_default().to_uppercase());
            }
            out.options.extend(&options);
            if entry["type"] == "grouping" {
                out.groupings.push(options);
            }
        }
        contests.push(out);
    }
    Ok((contests, names))
}

/// Loads the chambers' files, generates the credentials, opens every scrutin (opened an
/// hour ago, closing in a week) and returns every right with its secret code.
pub async fn provision(
    stores: &Stores,
    keys: &PlatformKeys,
    fixtures: &Path,
    chambers: &[&str],
    election_id: &str,
    election_key: RistrettoPoint,
    now: DateTime<Utc>,
) -> Result<Provisioned> {
    let files = ElectionFiles {
        election_id: election_id.to_string(),
        structure: fixtures.join("structure.csv"),
        candidates: fixtures.join("candidates.json"),
        voters: chambers
            .iter()
            .map(|c| fixtures.join(format!("voters-{c}.csv")))
            .collect(),
    };
    let passphrase = b"browser-test-letters-passphrase";
    let mut letters = LettersWriter::new(Vec::new(), passphrase, &mut OsRng)?;
    let schedule = Schedule {
        opens_at: now - Duration::hours(1),
        closes_at: now + Duration::days(7),
    };
    let provisioned = provision_files(
        stores,
        &keys.master,
        &files,
        &ContestKeys::One(election_key),
        schedule,
        &mut letters,
        now,
    )
    .await
    .context("provisioning the test election")?;
    for scrutin in &provisioned.scrutins {
        open_scrutin(stores, scrutin, now).await?;
    }
    let (bytes, _) = letters.finish()?;
    let letters = read_letters(bytes.as_slice(), passphrase)?;

    // The birth dates and holders come from the voter files (letters do not print them).
    let structure = read_structure(File::open(&files.structure)?, &ReadOptions::default())?
        .structure
        .ok_or_else(|| anyhow!("fixtures/structure.csv has blocking errors"))?;
    let mut persons = HashMap::new();
    for path in &files.voters {
        let (records, _) =
            read_voter_records(&structure, File::open(path)?, &ReadOptions::default())?;
        for r in records {
            let holder = format!(
                "{}|{}|{}",
                r.usage_name,
                r.first_name.clone().unwrap_or_default(),
                r.birth_date.to_jjmmaaaa()
            );
            persons.insert(
                format!("{:013}", r.voter_id.value()),
                (r.birth_date.to_jjmmaaaa(), holder),
            );
        }
    }
    let mut sheets = HashMap::new();
    for scrutin in &provisioned.scrutins {
        let stored = stores
            .registry
            .scrutin(scrutin)
            .await?
            .context("loaded scrutin")?;
        sheets.insert(
            scrutin.clone(),
            contests_of(&serde_json::from_str(&stored.sheet)?)?,
        );
    }
    let mut rights = Vec::new();
    for letter in &letters {
        let (birth_date, holder) = persons
            .get(&letter.right_id)
            .context("a letter's right is in the voter files")?;
        let (contests, names) = sheets
            .get(&letter.scrutin)
            .context("a letter's scrutin was loaded")?;
        rights.push(RightOut {
            identifier: letter.identifier.clone(),
            code: letter.code.clone(),
            birth_date: birth_date.clone(),
            scrutin: letter.scrutin.clone(),
            chamber_code: letter.chamber_code.clone(),
            holder: holder.clone(),
            contests: contests.clone(),
            candidate_names: names.clone(),
        });
    }
    Ok(Provisioned {
        election_id: provisioned.election.id,
        rights,
    })
}
