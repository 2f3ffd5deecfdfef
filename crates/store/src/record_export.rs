//! Export of the election record (protocol §10, R-55, R-66; `specs/record-format.md`):
//! everything public that the independent verifier (`scrutin-verify`) needs to re-check the
//! whole deployment's election — every scrutin and contest in the stores — written as a
//! directory with a manifest of SHA-256 digests, or as one tar archive.
//!
//! Works during the vote too: it only reads, and a scrutin still open contributes
//! what is public already (its parameters, credentials, the ballots of closed board epochs,
//! the board heads), never its émargement count. Nothing secret is written: no key
//! share, no platform or master key, no personal data (rights appear as counts; the voting
//! keys are not linked to anybody).

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use ed25519_dalek::VerifyingKey;
use scrutin_crypto::ballot::{BallotStyle, EncodedCiphertext};
use scrutin_crypto::dkg::{
    Complaint, Dealing, DkgOutcome, DkgParameters, DkgTranscript, TransportKeyAnnouncement,
};
use scrutin_crypto::hashchain::Checkpoint;
use scrutin_crypto::seal::Seal;
use scrutin_crypto::tally::DecryptionShare;
use scrutin_election::record::archive::TarWriter;
use scrutin_election::record::{
    BoardRecord, ContestInfo, CredentialSet, ElectionInfo, EmargementCount, FORMAT, FileDigest,
    Manifest, PublishedResults, ScrutinInfo, TallyRecord, TrusteesRecord, VERSION, paths,
};
use scrutin_election::{ReadOptions, Structure, read_structure};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::backend::with_db;
use crate::ballots::Ballots;
use crate::board::signed_head;
use crate::error::{Result, StoreError};
use crate::journal::signed_time;
use crate::provision::ELECTION_ID_SETTING;
use crate::scrutin::ScrutinState;
use crate::stores::Stores;

/// Ballots and journal entries read per query.
const PAGE: i64 = 2000;

/// What [`export_record_with`] may be told.
#[derive(Debug, Clone, Default)]
pub struct ExportOptions {
    /// The instant that decides which scrutins are over (default: now).
    pub now: Option<DateTime<Utc>>,
    /// The platform's public key, written into the record; by default it is taken from the
    /// seals (their signer), when there are any.
    pub platform_key: Option<VerifyingKey>,
}

/// What was exported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordSummary {
    /// The record's directory (or archive file).
    pub path: PathBuf,
    /// The election.
    pub election: String,
    /// Some scrutin is still open or some contest not decrypted.
    pub partial: bool,
    /// Scrutins.
    pub scrutins: usize,
    /// Contests.
    pub contests: usize,
    /// Contests decrypted.
    pub tallied: usize,
    /// Ballots written (published ones).
    pub ballots: u64,
    /// Files besides the manifest.
    pub files: usize,
    /// Total size in bytes, manifest included.
    pub bytes: u64,
    /// SHA-256 of `manifest.json`: names the whole record.
    pub manifest_sha256: [u8; 32],
}

/// Writes the complete record of the stores' election into the directory `out` (created;
/// refused if it exists and is not empty), with its manifest.
pub async fn export_record(stores: &Stores, out: &Path) -> Result<RecordSummary> {
    export_record_with(stores, out, &ExportOptions::default()).await
}

/// Writes the record as one tar archive file (see `scrutin_election::record::archive`).
pub async fn export_record_archive(
    stores: &Stores,
    archive: &Path,
    options: &ExportOptions,
) -> Result<RecordSummary> {
    let parent = archive
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let staging = tempfile::tempdir_in(parent).map_err(|source| io(parent, source))?;
    let dir = staging.path().join("record");
    let summary = export_record_with(stores, &dir, options).await?;
    let manifest: Manifest = serde_json::from_slice(&read(&dir.join(paths::MANIFEST))?)
        .map_err(|e| StoreError::corrupt(format!("manifest just written: {e}")))?;
    let file = std::fs::File::create(archive).map_err(|source| io(archive, source))?;
    let mut tar = TarWriter::new(BufWriter::new(file));
    let mut bytes = 0u64;
    for path in std::iter::once(paths::MANIFEST.to_owned())
        .chain(manifest.files.iter().map(|f| f.path.clone()))
    {
        let content = read(&dir.join(&path))?;
        bytes += content.len() as u64;
        tar.append(&path, &content)
            .map_err(|source| io(archive, source))?;
    }
    tar.finish().map_err(|source| io(archive, source))?;
    Ok(RecordSummary {
        path: archive.to_path_buf(),
        bytes,
        ..summary
    })
}

fn io(path: &Path, source: std::io::Error) -> StoreError {
    StoreError::Io {
        path: path.display().to_string(),
        source,
    }
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|source| io(path, source))
}

fn json<T: serde::Serialize>(value: &T) -> Result<Vec<u8>> {
    let mut bytes =
        serde_json::to_vec_pretty(value).map_err(|e| StoreError::Invalid(e.to_string()))?;
    bytes.push(b'\n');
    Ok(bytes)
}

fn parse<T: serde::de::DeserializeOwned>(what: &str, text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| StoreError::corrupt(format!("{what}: {e}")))
}

fn unsigned(what: &str, v: i64) -> Result<u64> {
    u64::try_from(v).map_err(|_| StoreError::corrupt(format!("{what}: negative count {v}")))
}

/// The files of a record being written, with their digests.
struct Writer {
    dir: PathBuf,
    files: Vec<FileDigest>,
}

impl Writer {
    fn put(&mut self, path: &str, bytes: &[u8]) -> Result<()> {
        let full = self.dir.join(path);
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent).map_err(|source| io(parent, source))?;
        }
        std::fs::write(&full, bytes).map_err(|source| io(&full, source))?;
        self.files.push(FileDigest::of(path, bytes));
        Ok(())
    }

    /// A file written piece by piece (ballots, journal), hashed as it goes.
    fn stream(&self, path: &str) -> Result<Streamed> {
        let full = self.dir.join(path);
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent).map_err(|source| io(parent, source))?;
        }
        let file = std::fs::File::create(&full).map_err(|source| io(&full, source))?;
        Ok(Streamed {
            path: path.to_owned(),
            full,
            out: BufWriter::new(file),
            hash: Sha256::new(),
            size: 0,
        })
    }

    fn close(&mut self, mut s: Streamed) -> Result<()> {
        s.out.flush().map_err(|source| io(&s.full, source))?;
        s.out
            .get_ref()
            .sync_all()
            .map_err(|source| io(&s.full, source))?;
        self.files.push(FileDigest {
            path: s.path,
            size: s.size,
            sha256: s.hash.finalize().into(),
        });
        Ok(())
    }
}

struct Streamed {
    path: String,
    full: PathBuf,
    out: BufWriter<std::fs::File>,
    hash: Sha256,
    size: u64,
}

impl Streamed {
    fn write(&mut self, bytes: &[u8]) -> Result<()> {
        self.out
            .write_all(bytes)
            .map_err(|source| io(&self.full, source))?;
        self.hash.update(bytes);
        self.size += bytes.len() as u64;
        Ok(())
    }
}

/// What trustee `i` sent at step 3 of the ceremony (the admin server's check message).
#[derive(Deserialize)]
struct CheckMessage {
    complaints: Vec<Complaint>,
}

impl Ballots {
    /// Up to `limit` published ballots of a scrutin (epoch, tracking code, JSON) after
    /// `after`, in board order: by epoch, then tracking code. Ballots of an epoch not yet
    /// closed are not published and not returned.
    pub async fn published_ballot_page(
        &self,
        scrutin_id: &str,
        after: Option<(i64, &[u8])>,
        limit: i64,
    ) -> Result<Vec<(i64, Vec<u8>, String)>> {
        with_db!(
            &self.db,
            read | p | {
                let rows = match after {
                    Some((epoch, code)) => {
                        sqlx::query_as(
                            "SELECT epoch, tracking_code, ballot FROM ballots \
                             WHERE scrutin_id = $1 AND epoch IS NOT NULL AND pending_token IS NULL \
                             AND (epoch > $2 OR (epoch = $2 AND tracking_code > $3)) \
                             ORDER BY epoch, tracking_code LIMIT $4",
                        )
                        .bind(scrutin_id)
                        .bind(epoch)
                        .bind(code)
                        .bind(limit)
                        .fetch_all(p)
                        .await?
                    }
                    None => {
                        sqlx::query_as(
                            "SELECT epoch, tracking_code, ballot FROM ballots \
                             WHERE scrutin_id = $1 AND epoch IS NOT NULL AND pending_token IS NULL \
                             ORDER BY epoch, tracking_code LIMIT $2",
                        )
                        .bind(scrutin_id)
                        .bind(limit)
                        .fetch_all(p)
                        .await?
                    }
                };
                Ok(rows)
            }
        )
    }
}

/// Writes the complete record of the stores' election into the directory `out`.
pub async fn export_record_with(
    stores: &Stores,
    out: &Path,
    options: &ExportOptions,
) -> Result<RecordSummary> {
    if out.exists() {
        let mut entries = std::fs::read_dir(out).map_err(|source| io(out, source))?;
        if entries.next().is_some() {
            return Err(StoreError::Conflict(format!(
                "{} exists and is not empty: export the record into a new directory",
                out.display()
            )));
        }
    }
    std::fs::create_dir_all(out).map_err(|source| io(out, source))?;
    let now = options.now.unwrap_or_else(Utc::now);
    let election = stores
        .registry
        .setting(ELECTION_ID_SETTING)
        .await?
        .ok_or_else(|| StoreError::NotFound("no election is loaded in these stores".into()))?;
    let mut w = Writer {
        dir: out.to_path_buf(),
        files: Vec::new(),
    };

    // First the journal (its checkpoints, then its entries), then everything else: what
    // the journal names (seals, board heads) is stored before it is journaled, so every
    // journaled seal or head is in the record, and objects made during the export are
    // newer than the journal (the verifier tells them apart by time).
    let checkpoints: Vec<Checkpoint> = stores
        .registry
        .checkpoints()
        .await?
        .iter()
        .map(|(seq, text)| parse(&format!("checkpoint {seq}"), text))
        .collect::<Result<_>>()?;
    w.put(paths::JOURNAL_CHECKPOINTS, &json(&checkpoints)?)?;

    // The entries, as stored.
    let mut file = w.stream(paths::JOURNAL_ENTRIES)?;
    let mut from = 0i64;
    loop {
        let rows = stores.registry.journal(from, PAGE).await?;
        for row in &rows {
            file.write(row.entry.as_bytes())?;
            file.write(b"\n")?;
        }
        match rows.last() {
            Some(last) if rows.len() as i64 == PAGE => from = last.seq + 1,
            _ => break,
        }
    }
    w.close(file)?;

    // Seals.
    let seals: Vec<Seal> = stores
        .registry
        .seals()
        .await?
        .iter()
        .map(|row| parse(&format!("seal {}", row.seq), &row.seal))
        .collect::<Result<_>>()?;
    w.put(paths::SEALS, &json(&seals)?)?;

    // Scrutins and their ballot styles.
    let scrutins = stores.registry.scrutins().await?;
    let mut infos = Vec::new();
    for s in &scrutins {
        let style: BallotStyle = parse(&format!("ballot style of {}", s.id), &s.ballot_style)?;
        infos.push(ScrutinInfo {
            id: s.id.clone(),
            chamber: s.chamber_code.clone(),
            label: s.label.clone(),
            state: s.state.as_str().to_owned(),
            opens_at: signed_time(s.opens_at),
            closes_at: signed_time(s.closes_at),
            closed: s.state_at(now) == ScrutinState::Closed,
            ballot_style: style,
        });
    }

    // The structure file (public), which orders the contests.
    let structure: Option<Structure> = match stores.registry.current_structure_file().await? {
        Some((_, content)) => {
            w.put(paths::STRUCTURE, &content)?;
            read_structure(&content[..], &ReadOptions::default())
                .map_err(|e| StoreError::corrupt(format!("stored structure file: {e}")))?
                .structure
        }
        None => None,
    };
    let tallies: BTreeMap<String, crate::tally_store::TallyRow> = stores
        .ballots
        .tallies()
        .await?
        .into_iter()
        .map(|t| (t.contest_id.clone(), t))
        .collect();
    let contests = contests_of(&infos, structure.as_ref(), &tallies);

    // Key ceremonies.
    let mut chambers: BTreeSet<String> = infos.iter().map(|s| s.chamber.clone()).collect();
    for row in stores.registry.ceremonies().await? {
        chambers.insert(row.chamber_code.clone());
        let record = trustees_record(stores, &row).await?;
        w.put(&paths::trustees(&row.chamber_code), &json(&record)?)?;
    }

    // Candidates: what each chamber's `candidates` seal covers, byte for byte.
    let lists = stores.registry.candidate_lists(None).await?;
    for row in &lists {
        chambers.insert(row.chamber_code.clone());
    }
    for chamber in &chambers {
        let lists = stores.registry.candidate_lists(Some(chamber)).await?;
        if lists.is_empty() {
            continue;
        }
        let candidates: Vec<serde_json::Value> = lists
            .iter()
            .map(|l| {
                serde_json::json!({
                    "contest": l.contest_id,
                    "entries": serde_json::from_str::<serde_json::Value>(&l.entries)
                        .unwrap_or(serde_json::Value::Null),
                })
            })
            .collect();
        let statements: Vec<serde_json::Value> = stores
            .registry
            .statements(Some(chamber))
            .await?
            .into_iter()
            .map(|s| serde_json::json!({ "contest": s.contest_id, "subject": s.subject, "sha256": s.digest }))
            .collect();
        let object = serde_json::to_vec(
            &serde_json::json!({ "candidates": candidates, "statements": statements }),
        )
        .map_err(|e| StoreError::Invalid(e.to_string()))?;
        w.put(&paths::candidates(chamber), &object)?;
    }

    // Per scrutin: credentials, published ballots, board heads; émargement once closed.
    let mut emargements = Vec::new();
    let mut ballots_written = 0u64;
    for s in &infos {
        let keys: Vec<[u8; 32]> = stores
            .ballots
            .voting_keys(&s.id)
            .await?
            .into_iter()
            .map(|(k, _)| {
                k.as_slice()
                    .try_into()
                    .map_err(|_| StoreError::corrupt("voting key length"))
            })
            .collect::<Result<_>>()?;
        let (with_credentials, resends) = stores.electors.credential_counts(&s.id).await?;
        let set = CredentialSet {
            scrutin: s.id.clone(),
            rights: unsigned("rights", stores.electors.count_rights(&s.id).await?)?,
            rights_with_credentials: unsigned("rights with credentials", with_credentials)?,
            resends: unsigned("resends", resends)?,
            voting_keys: keys,
        };
        w.put(&paths::credentials(&s.id), &json(&set)?)?;

        let heads = stores
            .ballots
            .epochs(&s.id)
            .await?
            .iter()
            .map(signed_head)
            .collect::<Result<Vec<_>>>()?;
        // Ballots of epochs closed after the heads were read wait for the next export.
        let last_epoch = heads.last().map_or(0, |h| h.epoch);
        w.put(
            &paths::board(&s.id),
            &json(&BoardRecord {
                scrutin: s.id.clone(),
                heads,
            })?,
        )?;
        let mut file = w.stream(&paths::ballots(&s.id))?;
        let mut after: Option<(i64, Vec<u8>)> = None;
        loop {
            let page = stores
                .ballots
                .published_ballot_page(&s.id, after.as_ref().map(|(e, c)| (*e, c.as_slice())), PAGE)
                .await?;
            let full = page.len() as i64 == PAGE;
            for (epoch, _, ballot) in page.iter().filter(|(e, _, _)| *e as u64 <= last_epoch) {
                // The stored text is the ballot's JSON as received and verified; it is
                // written as is (the verifier parses and checks it).
                file.write(format!("{{\"epoch\":{epoch},\"ballot\":{ballot}}}\n").as_bytes())?;
                ballots_written += 1;
            }
            match page.into_iter().last() {
                Some((epoch, code, _)) if full => after = Some((epoch, code)),
                _ => break,
            }
        }
        w.close(file)?;

        if s.closed {
            emargements.push(EmargementCount {
                scrutin: s.id.clone(),
                count: unsigned(
                    "émargements",
                    stores.electors.count_emargements(&s.id).await?,
                )?,
            });
        }
    }
    w.put(paths::EMARGEMENTS, &json(&emargements)?)?;

    // Tallies.
    let mut tallied = 0usize;
    for t in tallies.values() {
        let record = tally_record(stores, t).await?;
        tallied += usize::from(record.results.is_some());
        w.put(&paths::tally(&t.contest_id), &json(&record)?)?;
    }

    let platform_key = options
        .platform_key
        .map(|k| k.to_bytes())
        .or_else(|| seals.first().map(|s| s.signer));
    let info = ElectionInfo {
        election: election.clone(),
        platform_key,
        scrutins: infos,
        contests,
    };
    w.put(paths::ELECTION, &json(&info)?)?;

    let partial = info.scrutins.iter().any(|s| !s.closed)
        || info
            .contests
            .iter()
            .any(|c| tallies.get(&c.id).is_none_or(|t| t.results.is_none()));
    let mut files = std::mem::take(&mut w.files);
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let manifest = Manifest {
        format: FORMAT.into(),
        version: VERSION,
        election: election.clone(),
        exported_at: signed_time(now),
        partial,
        files,
    };
    let manifest_bytes = json(&manifest)?;
    let manifest_path = out.join(paths::MANIFEST);
    std::fs::write(&manifest_path, &manifest_bytes).map_err(|source| io(&manifest_path, source))?;
    let bytes = manifest.files.iter().map(|f| f.size).sum::<u64>() + manifest_bytes.len() as u64;
    tracing::info!(
        path = %out.display(),
        files = manifest.files.len(),
        ballots = ballots_written,
        partial,
        "election record exported"
    );
    Ok(RecordSummary {
        path: out.to_path_buf(),
        election,
        partial,
        scrutins: info.scrutins.len(),
        contests: info.contests.len(),
        tallied,
        ballots: ballots_written,
        files: manifest.files.len(),
        bytes,
        manifest_sha256: Sha256::digest(&manifest_bytes).into(),
    })
}

/// The contests of the loaded scrutins: in structure order when the structure is known,
/// then any other contest found in a ballot style or a tally.
fn contests_of(
    scrutins: &[ScrutinInfo],
    structure: Option<&Structure>,
    tallies: &BTreeMap<String, crate::tally_store::TallyRow>,
) -> Vec<ContestInfo> {
    // Contest id → (chamber, scrutins holding it, fingerprint), from the ballot styles.
    let mut found: BTreeMap<String, (String, Vec<String>, [u8; 32])> = BTreeMap::new();
    for s in scrutins {
        for c in s.ballot_style.contests() {
            let entry = found
                .entry(c.contest_id().to_owned())
                .or_insert_with(|| (s.chamber.clone(), Vec::new(), *c.fingerprint()));
            entry.1.push(s.id.clone());
        }
    }
    let mut order: Vec<String> = structure
        .map(|st| {
            st.contests()
                .iter()
                .map(|c| c.id.as_str().to_owned())
                .filter(|id| found.contains_key(id))
                .collect()
        })
        .unwrap_or_default();
    for id in found.keys() {
        if !order.contains(id) {
            order.push(id.clone());
        }
    }
    let mut out: Vec<ContestInfo> = order
        .into_iter()
        .filter_map(|id| {
            let (chamber, scrutins, fingerprint) = found.remove(&id)?;
            Some(ContestInfo {
                id,
                chamber,
                scrutins,
                fingerprint,
            })
        })
        .collect();
    // A tally of a contest no loaded ballot style holds (should not happen): listed so the
    // verifier reports it rather than it being silently left out.
    for t in tallies.values() {
        if !out.iter().any(|c| c.id == t.contest_id) {
            let mut fingerprint = [0u8; 32];
            if t.fingerprint.len() == 32 {
                fingerprint.copy_from_slice(&t.fingerprint);
            }
            out.push(ContestInfo {
                id: t.contest_id.clone(),
                chamber: t.chamber_code.clone(),
                scrutins: Vec::new(),
                fingerprint,
            });
        }
    }
    out
}

async fn trustees_record(
    stores: &Stores,
    row: &crate::ceremony_store::CeremonyRow,
) -> Result<TrusteesRecord> {
    let chamber = &row.chamber_code;
    let parameters: DkgParameters = parse(
        &format!("ceremony parameters of {chamber}"),
        &row.parameters,
    )?;
    let mut roster: BTreeMap<i64, TransportKeyAnnouncement> = BTreeMap::new();
    let mut dealings = Vec::new();
    let mut complaints = Vec::new();
    for m in stores.registry.ceremony_messages(chamber, None).await? {
        let what = format!("ceremony {} message of trustee {}", m.step, m.trustee);
        match m.step.as_str() {
            "announcement" => {
                roster.insert(m.trustee, parse(&what, &m.message)?);
            }
            "dealing" => dealings.push(parse::<Dealing>(&what, &m.message)?),
            "check" => complaints.extend(parse::<CheckMessage>(&what, &m.message)?.complaints),
            // Confirmations only say that a trustee saved its key-share file.
            _ => {}
        }
    }
    let transcript = DkgTranscript::assemble(
        parameters,
        roster.into_values().collect(),
        dealings,
        complaints,
    );
    let outcome: Option<DkgOutcome> = row
        .outcome
        .as_deref()
        .map(|o| parse(&format!("ceremony outcome of {chamber}"), o))
        .transpose()?;
    let key32 = |what: &str, v: &Option<Vec<u8>>| -> Result<Option<[u8; 32]>> {
        v.as_deref()
            .map(|b| {
                b.try_into()
                    .map_err(|_| StoreError::corrupt(format!("{what} of {chamber}: length")))
            })
            .transpose()
    };
    Ok(TrusteesRecord {
        chamber: chamber.clone(),
        key_id: row.key_id.clone(),
        status: row.status.clone(),
        transcript,
        outcome,
        public_key: key32("election key", &row.public_key)?,
        transcript_digest: key32("transcript digest", &row.transcript_digest)?,
    })
}

async fn tally_record(stores: &Stores, t: &crate::tally_store::TallyRow) -> Result<TallyRecord> {
    let contest = &t.contest_id;
    let aggregates: Vec<EncodedCiphertext> =
        parse(&format!("aggregates of {contest}"), &t.aggregates)?;
    let shares: Vec<DecryptionShare> = stores
        .ballots
        .decryption_shares(contest)
        .await?
        .iter()
        .map(|(i, s)| parse(&format!("decryption share {i} of {contest}"), s))
        .collect::<Result<_>>()?;
    let results: Option<PublishedResults> = t
        .results
        .as_deref()
        .map(|r| parse(&format!("results of {contest}"), r))
        .transpose()?;
    Ok(TallyRecord {
        contest: contest.clone(),
        chamber: t.chamber_code.clone(),
        fingerprint: t
            .fingerprint
            .as_slice()
            .try_into()
            .map_err(|_| StoreError::corrupt(format!("fingerprint of {contest}: length")))?,
        aggregates,
        ballots: unsigned("ballots", t.ballots)?,
        emargements: unsigned("émargements", t.emargements)?,
        registered: unsigned("registered", t.registered)?,
        started_at: signed_time(t.started_at),
        shares,
        results,
        decrypted_at: t.decrypted_at.map(signed_time),
    })
}
