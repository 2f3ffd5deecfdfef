//! The provisioning API: what the CLI, the demo, the admin server and tests call to load an
//! election into the stores and drive its scrutins. Every step is journaled.
//!
//! 1. [`load_election`]: the election id, every scrutin with its ballot sheet (contests,
//!    groupings, candidates in registration order, R-21) and its `scrutin-crypto` ballot
//!    style under the contests' public keys → registry;
//! 2. [`import_voters`]: the voter-file rows, sealed under their chamber's data key
//!    (created on first use), with the birth-date check → electors;
//! 3. [`crate::credentials::generate_credentials`]: the voting material;
//! 4. [`open_scrutin`], [`suspend_scrutin`], [`resume_scrutin`], [`close_scrutin`];
//! 5. [`export_chamber`] (a commission's copy of its voter list, re-encrypted to it) and
//!    [`destroy_data_keys`].

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use ed25519_dalek::SigningKey;
use rand_core::{CryptoRng, RngCore};
use scrutin_crypto::RistrettoPoint;
use scrutin_crypto::ballot::{BallotStyle, ContestParams};
use scrutin_election::{BallotEntry, Candidate, Election, ScrutinDefinition, VoterRecord};
use serde_json::{Value, json};

use crate::addressee::Addressee;
use crate::board::{self, EpochPolicy};
use crate::electors::NewRight;
use crate::error::{Result, StoreError};
use crate::journal;
use crate::letters::{LettersWriter, SecretLines};
use crate::scrutin::{Scrutin, StoredState};
use crate::sealing::{DataKey, MasterKey};
use crate::stores::Stores;

/// The registry setting naming the election (used in key derivation by the browser).
pub const ELECTION_ID_SETTING: &str = "election_id";

/// The election public keys: one per commission (its trustees' joint key), by contest.
#[derive(Debug, Clone)]
pub enum ContestKeys {
    /// The same key for every contest (one commission: demo, tests).
    One(RistrettoPoint),
    /// A key per contest id.
    PerContest(BTreeMap<String, RistrettoPoint>),
}

impl ContestKeys {
    fn get(&self, contest: &str) -> Option<RistrettoPoint> {
        match self {
            ContestKeys::One(k) => Some(*k),
            ContestKeys::PerContest(m) => m.get(contest).copied(),
        }
    }
}

/// Opening and closing instants (UTC; closing is usually midnight Paris time, R-82).
#[derive(Debug, Clone, Copy)]
pub struct Schedule {
    /// Opening.
    pub opens_at: DateTime<Utc>,
    /// Closing.
    pub closes_at: DateTime<Utc>,
}

fn candidate_json(option: usize, c: &Candidate) -> Value {
    json!({
        "option": option,
        "id": c.option_id().as_str(),
        "civility": c.civility.as_str(),
        "surname": c.last_name,
        "given_name": c.first_name,
        "activity": c.activity,
        "locality": c.locality,
        "delegation": c.delegation,
        "substitute": c.substitute.as_ref().map(|s| json!({
            "civility": s.civility.as_str(),
            "surname": s.last_name,
            "given_name": s.first_name,
        })),
        "ballot_line": c.ballot_line(),
    })
}

fn scrutin_label(def: &ScrutinDefinition) -> String {
    match &def.sub_category_label {
        Some(sub) => format!("{} — {sub}", def.category_label),
        None => def.category_label.clone(),
    }
}

/// The sheet (specs/api.md §4) and the ballot style of one scrutin.
fn sheet_and_style(
    election: &Election,
    def: &ScrutinDefinition,
    keys: &ContestKeys,
) -> Result<(Value, BallotStyle)> {
    let scrutin_id = def.id();
    let contest_ids = election.ballot_style(&scrutin_id).unwrap_or_default();
    let mut contests = Vec::new();
    let mut params = Vec::new();
    for cid in contest_ids {
        let contest = election.contest(cid).ok_or_else(|| {
            StoreError::Invalid(format!("contest {} not in the structure", cid.as_str()))
        })?;
        let Some(cands) = election.candidates(cid) else {
            continue;
        };
        let options = cands.options();
        if options.is_empty() {
            // No candidate: nothing to vote on in this contest (seats stay vacant).
            continue;
        }
        let mut option = 0usize;
        let mut entries = Vec::new();
        for entry in &cands.entries {
            match entry {
                BallotEntry::Grouping(g) => {
                    let candidates: Vec<Value> = g
                        .candidates
                        .iter()
                        .map(|c| {
                            option += 1;
                            candidate_json(option - 1, c)
                        })
                        .collect();
                    entries.push(json!({ "type": "grouping", "name": g.name, "statement_url": Value::Null, "candidates": candidates }));
                }
                BallotEntry::Candidate(c) => {
                    option += 1;
                    entries.push(json!({ "type": "candidate", "candidate": candidate_json(option - 1, c), "statement_url": Value::Null }));
                }
            }
        }
        contests.push(json!({
            "id": cid.as_str(),
            "kind": contest.kind.as_str().to_lowercase(),
            "title": contest.ballot_title,
            "chamber_label": contest.chamber_ballot_label,
            "seats": contest.seats,
            "entries": entries,
        }));
        let key = keys.get(cid.as_str()).ok_or_else(|| {
            StoreError::Invalid(format!("no public key for contest {}", cid.as_str()))
        })?;
        params.push(ContestParams::new(
            election.id.clone(),
            cid.as_str(),
            key,
            options
                .iter()
                .map(|c| c.option_id().as_str().to_string())
                .collect(),
            contest.seats,
        )?);
    }
    if params.is_empty() {
        return Err(StoreError::Invalid(format!(
            "scrutin {}: no contest has candidates",
            scrutin_id.as_str()
        )));
    }
    let style = BallotStyle::new(election.id.clone(), scrutin_id.as_str(), params)?;
    let sheet = json!({
        "site_title": def.site_title,
        "assistance": {
            "message": def.assistance_message,
            "phone": def.phone,
            "email": def.email,
            "url": def.statements_url,
        },
        "statements_url": def.statements_url,
        "contests": contests,
    });
    Ok((sheet, style))
}

/// Loads the election into the registry: its id and every scrutin (as a draft) with its
/// sheet and ballot style. Scrutins without any candidate are skipped and reported.
/// Returns the scrutin ids loaded.
pub async fn load_election(
    stores: &Stores,
    election: &Election,
    keys: &ContestKeys,
    schedule: Schedule,
    now: DateTime<Utc>,
) -> Result<Vec<String>> {
    if schedule.closes_at <= schedule.opens_at {
        return Err(StoreError::Invalid(
            "the vote must close after it opens".into(),
        ));
    }
    if let Some(existing) = stores.registry.setting(ELECTION_ID_SETTING).await?
        && existing != election.id
    {
        return Err(StoreError::Conflict(format!(
            "the stores hold election {existing}, not {}",
            election.id
        )));
    }
    let mut loaded = Vec::new();
    let mut built = Vec::new();
    for def in election.structure.scrutins() {
        match sheet_and_style(election, def, keys) {
            Ok((sheet, style)) => built.push((def, sheet, style)),
            Err(StoreError::Invalid(why)) if why.contains("no contest has candidates") => {
                tracing::warn!(scrutin = %def.id().as_str(), "no candidates: scrutin not loaded");
            }
            Err(e) => return Err(e),
        }
    }
    stores
        .registry
        .put_setting(ELECTION_ID_SETTING, &election.id)
        .await?;
    for (def, sheet, style) in built {
        let s = Scrutin {
            id: def.id().as_str().to_string(),
            chamber_code: def.chamber.as_str().to_string(),
            chamber_label: def.chamber_label.clone(),
            category: def.category.as_str().to_string(),
            sub_category: def.sub_category.as_ref().map(|s| s.as_str().to_string()),
            label: scrutin_label(def),
            state: StoredState::Draft,
            message: None,
            opens_at: schedule.opens_at,
            closes_at: schedule.closes_at,
            sheet: sheet.to_string(),
            ballot_style: serde_json::to_string(&style)
                .map_err(|e| StoreError::Invalid(e.to_string()))?,
        };
        stores.registry.put_scrutin(&s).await?;
        loaded.push(s.id);
    }
    journal::append(
        &stores.registry,
        now,
        "election-loaded",
        &json!({ "election": election.id, "scrutins": loaded }),
    )
    .await?;
    Ok(loaded)
}

/// The data key of a chamber, created (and stored wrapped) on first use.
pub async fn chamber_data_key(
    stores: &Stores,
    master: &MasterKey,
    chamber: &str,
) -> Result<DataKey> {
    if let Some(wrapped) = stores.electors.data_key(chamber).await? {
        return master.unwrap(chamber, &wrapped);
    }
    let key = DataKey::generate(&mut rand::rngs::OsRng);
    let wrapped = master.wrap(&mut rand::rngs::OsRng, chamber, &key)?;
    match stores.electors.put_data_key(chamber, &wrapped).await {
        Ok(()) => Ok(key),
        // Another process created it meanwhile: use theirs.
        Err(StoreError::Conflict(_)) => {
            let wrapped = stores
                .electors
                .data_key(chamber)
                .await?
                .ok_or_else(|| StoreError::corrupt("data key vanished"))?;
            master.unwrap(chamber, &wrapped)
        }
        Err(e) => Err(e),
    }
}

/// Seals one voter-file row as a voting right under its chamber's data key: the whole
/// record, what its letters print (`crate::addressee`) and the keyed digest of
/// the birth date for login step 2 (none when it is unknown, `01011901`).
pub fn seal_voter<R: RngCore + CryptoRng>(
    key: &DataKey,
    record: &VoterRecord,
    rng: &mut R,
) -> Result<NewRight> {
    let right_id = record.voter_id.to_string();
    // A buffer that zeroizes what it outgrows: the row is personal data.
    let mut row = SecretLines::with_capacity(1024);
    serde_json::to_writer(&mut row, record).map_err(|e| StoreError::Invalid(e.to_string()))?;
    let addressee = Addressee::of_voter(record).seal(key, rng, &right_id)?;
    let birth_check = match record.birth_date {
        scrutin_election::BirthDate::Unknown => None,
        known => Some(key.birth_check(&right_id, &known.to_jjmmaaaa())),
    };
    Ok(NewRight {
        personal: key.seal_personal(rng, &right_id, row.as_bytes())?,
        addressee,
        right_id,
        scrutin_id: record.scrutin.clone(),
        chamber_code: record.chamber.clone(),
        birth_check,
    })
}

/// Imports accepted voter-file rows as voting rights, all or none: personal data
/// sealed under the chamber's data key, birth date kept as a keyed digest. Rows whose
/// scrutin is not loaded are refused.
pub async fn import_voters(
    stores: &Stores,
    master: &MasterKey,
    records: &[VoterRecord],
    now: DateTime<Utc>,
) -> Result<usize> {
    use rayon::prelude::*;
    let scrutins: std::collections::HashSet<String> = stores
        .registry
        .scrutins()
        .await?
        .into_iter()
        .map(|s| s.id)
        .collect();
    let mut keys = BTreeMap::new();
    for r in records {
        if !scrutins.contains(&r.scrutin) {
            return Err(StoreError::Invalid(format!(
                "line {}: scrutin {} is not loaded",
                r.line, r.scrutin
            )));
        }
        if !keys.contains_key(&r.chamber) {
            keys.insert(
                r.chamber.clone(),
                chamber_data_key(stores, master, &r.chamber).await?,
            );
        }
    }
    let rights: Vec<NewRight> = records
        .par_iter()
        .map(|r| seal_voter(&keys[&r.chamber], r, &mut rand::rngs::OsRng))
        .collect::<Result<_>>()?;
    stores.electors.insert_rights(&rights).await?;
    // The planner's picture of `rights` now, not at autovacuum's next pass.
    stores.electors.refresh_statistics().await?;
    let mut per_chamber: BTreeMap<&str, usize> = BTreeMap::new();
    for r in records {
        *per_chamber.entry(&r.chamber).or_default() += 1;
    }
    journal::append(
        &stores.registry,
        now,
        "voters-imported",
        &json!({ "rights_per_chamber": per_chamber }),
    )
    .await?;
    Ok(rights.len())
}

async fn set_state(
    stores: &Stores,
    id: &str,
    state: StoredState,
    message: Option<&str>,
    now: DateTime<Utc>,
) -> Result<()> {
    stores.registry.set_state(id, state, message).await?;
    journal::append(
        &stores.registry,
        now,
        "scrutin-state",
        &json!({ "scrutin": id, "state": state.as_str(), "message": message }),
    )
    .await?;
    Ok(())
}

/// Opens a scrutin (voting starts at its opening instant). Refused while its voting keys
/// do not match its rights (protocol §3).
pub async fn open_scrutin(stores: &Stores, id: &str, now: DateTime<Utc>) -> Result<()> {
    crate::credentials::check_counts(stores, id).await?;
    set_state(stores, id, StoredState::Open, None, now).await
}

/// Suspends a scrutin with a message for voters.
pub async fn suspend_scrutin(
    stores: &Stores,
    id: &str,
    message: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    set_state(stores, id, StoredState::Suspended, Some(message), now).await
}

/// Resumes a suspended scrutin.
pub async fn resume_scrutin(stores: &Stores, id: &str, now: DateTime<Utc>) -> Result<()> {
    set_state(stores, id, StoredState::Open, None, now).await
}

/// Closes a scrutin for good and publishes its last epoch at once.
pub async fn close_scrutin(
    stores: &Stores,
    id: &str,
    platform_key: &SigningKey,
    now: DateTime<Utc>,
) -> Result<()> {
    set_state(stores, id, StoredState::Closed, None, now).await?;
    board::close_epoch(stores, id, now, platform_key, EpochPolicy::default(), true).await?;
    Ok(())
}

/// Exports a chamber's voter records for its commission, re-encrypted under the
/// commission's passphrase (format of [`crate::letters`]). Returns the number of rows.
pub async fn export_chamber<W: std::io::Write>(
    stores: &Stores,
    master: &MasterKey,
    chamber: &str,
    passphrase: &[u8],
    out: W,
    now: DateTime<Utc>,
) -> Result<u64> {
    let key = {
        let wrapped = stores
            .electors
            .data_key(chamber)
            .await?
            .ok_or_else(|| StoreError::Sealed(format!("chamber {chamber} has no data key")))?;
        master.unwrap(chamber, &wrapped)?
    };
    let mut w = LettersWriter::new(out, passphrase, &mut rand::rngs::OsRng)?;
    for r in stores.electors.rights_of_chamber(chamber).await? {
        let plain = zeroize::Zeroizing::new(key.open_personal(&r.right_id, &r.personal)?);
        let record: Value = serde_json::from_slice(&plain)
            .map_err(|e| StoreError::corrupt(format!("right {}: {e}", r.right_id)))?;
        w.write(&record)?;
    }
    let (_, n) = w.finish()?;
    journal::append(
        &stores.registry,
        now,
        "voters-exported",
        &json!({ "chamber": chamber, "rows": n }),
    )
    .await?;
    Ok(n)
}

/// Destroys the data keys of one chamber (or all): its sealed personal data and resend
/// requests become unreadable for good, in the stores and their backups.
/// Journaled. Returns how many keys were destroyed.
pub async fn destroy_data_keys(
    stores: &Stores,
    chamber: Option<&str>,
    now: DateTime<Utc>,
) -> Result<u64> {
    let n = stores.electors.delete_data_keys(chamber).await?;
    journal::append(
        &stores.registry,
        now,
        "data-keys-destroyed",
        &json!({ "chamber": chamber.unwrap_or("ALL"), "keys": n }),
    )
    .await?;
    Ok(n)
}

/// Files of an election to provision from (CCI formats, read with `scrutin-election`).
#[derive(Debug, Clone)]
pub struct ElectionFiles {
    /// Election id (« CCI-2026 »), bound into every key and fingerprint.
    pub election_id: String,
    /// The structure file.
    pub structure: std::path::PathBuf,
    /// The candidate file (`scrutin-candidates/1`).
    pub candidates: std::path::PathBuf,
    /// Voter files, one per chamber.
    pub voters: Vec<std::path::PathBuf>,
}

/// What [`provision_files`] did.
#[derive(Debug, Clone)]
pub struct Provisioned {
    /// The election.
    pub election: Election,
    /// Scrutins loaded.
    pub scrutins: Vec<String>,
    /// Rights imported.
    pub rights: usize,
    /// Credentials generated, per scrutin.
    pub credentials: Vec<crate::credentials::CredentialSummary>,
}

fn read_file(path: &std::path::Path) -> Result<std::fs::File> {
    std::fs::File::open(path).map_err(|source| StoreError::Io {
        path: path.display().to_string(),
        source,
    })
}

/// Everything from files: reads and validates the structure, candidates and voter files
/// (any blocking error refuses the whole lot, with the report's text), loads the
/// election, imports the voters, and generates the credentials into `letters`. Scrutins
/// stay drafts: open them with [`open_scrutin`].
pub async fn provision_files<W: std::io::Write>(
    stores: &Stores,
    master: &MasterKey,
    files: &ElectionFiles,
    keys: &ContestKeys,
    schedule: Schedule,
    letters: &mut LettersWriter<W>,
    now: DateTime<Utc>,
) -> Result<Provisioned> {
    use scrutin_election::{CandidateFile, ReadOptions, read_structure, read_voter_records};
    let options = ReadOptions::default();
    let import = read_structure(read_file(&files.structure)?, &options)
        .map_err(|e| StoreError::Invalid(format!("{}: {e}", files.structure.display())))?;
    let structure = import.structure.ok_or_else(|| {
        StoreError::Invalid(format!(
            "{}: the structure has blocking errors\n{}",
            files.structure.display(),
            import.report.to_text()
        ))
    })?;
    let text = std::fs::read_to_string(&files.candidates).map_err(|source| StoreError::Io {
        path: files.candidates.display().to_string(),
        source,
    })?;
    let candidates = CandidateFile::from_json(&text)
        .map_err(|e| StoreError::Invalid(format!("{}: {e}", files.candidates.display())))?;
    let (election, _warnings) = Election::new(files.election_id.clone(), structure, candidates)
        .map_err(|issues| {
            StoreError::Invalid(format!(
                "{}: blocking issues: {}",
                files.candidates.display(),
                issues
                    .iter()
                    .map(|i| format!("{} ({:?})", i.location, i.rule))
                    .collect::<Vec<_>>()
                    .join("; ")
            ))
        })?;
    let mut records = Vec::new();
    for path in &files.voters {
        let (rows, import) = read_voter_records(&election.structure, read_file(path)?, &options)
            .map_err(|e| StoreError::Invalid(format!("{}: {e}", path.display())))?;
        if !import.report.is_loadable() {
            return Err(StoreError::Invalid(format!(
                "{}: blocking errors\n{}",
                path.display(),
                import.report.to_text()
            )));
        }
        records.extend(rows);
    }
    let scrutins = load_election(stores, &election, keys, schedule, now).await?;
    let loaded: std::collections::HashSet<&String> = scrutins.iter().collect();
    records.retain(|r| loaded.contains(&r.scrutin));
    let rights = import_voters(stores, master, &records, now).await?;
    let credentials = crate::credentials::generate_credentials(
        stores,
        master,
        &election.id,
        &scrutins,
        letters,
        now,
    )
    .await?;
    Ok(Provisioned {
        election,
        scrutins,
        rights,
        credentials,
    })
}
