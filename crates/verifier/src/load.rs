//! Reading the record's files into their types. A file that is missing or does not parse
//! is not fatal here: the check that needs it reports it and the others go on.

use std::collections::{BTreeMap, BTreeSet};
use std::io::BufRead;

use ed25519_dalek::VerifyingKey;
use scrutin_crypto::hashchain::{Checkpoint, JournalEntry};
use scrutin_crypto::seal::Seal;
use scrutin_election::record::{
    BoardRecord, CandidatesObject, CredentialSet, ElectionInfo, EmargementCount, Manifest,
    TallyRecord, TrusteesRecord, paths,
};
use scrutin_election::{ReadOptions, Structure, read_structure};
use serde::de::DeserializeOwned;

use crate::source::Source;

/// A file's parsed content, or why it could not be had.
pub(crate) type Loaded<T> = Result<T, String>;

pub(crate) fn json<T: DeserializeOwned>(src: &dyn Source, path: &str) -> Loaded<T> {
    let bytes = src.read(path)?;
    serde_json::from_slice(&bytes).map_err(|e| format!("{path} : contenu invalide ({e})"))
}

/// A journal entry's payload as JSON (entries hold canonical JSON; anything else is kept
/// out of the cross-checks).
pub(crate) fn payload(entry: &JournalEntry) -> Option<serde_json::Value> {
    serde_json::from_slice(&entry.payload).ok()
}

/// Everything but the ballots, which are streamed.
pub(crate) struct Record {
    pub manifest: Manifest,
    pub election: Loaded<ElectionInfo>,
    /// `None`: the record has no structure file.
    pub structure: Option<Loaded<Structure>>,
    /// By chamber.
    pub trustees: BTreeMap<String, Loaded<TrusteesRecord>>,
    /// By chamber: the file's bytes (what a `candidates` seal covers) and content.
    pub candidates: BTreeMap<String, Loaded<(Vec<u8>, CandidatesObject)>>,
    /// By scrutin.
    pub credentials: BTreeMap<String, Loaded<CredentialSet>>,
    /// By scrutin.
    pub boards: BTreeMap<String, Loaded<BoardRecord>>,
    pub journal: Loaded<Vec<JournalEntry>>,
    pub checkpoints: Loaded<Vec<Checkpoint>>,
    pub seals: Loaded<Vec<Seal>>,
    pub emargements: Loaded<Vec<EmargementCount>>,
    /// By contest.
    pub tallies: BTreeMap<String, Loaded<TallyRecord>>,
    /// The key signatures are checked against, if any.
    pub platform_key: Option<VerifyingKey>,
}

impl Record {
    /// The scrutins, or none when `election.json` is unreadable.
    pub fn scrutins(&self) -> &[scrutin_election::record::ScrutinInfo] {
        self.election.as_ref().map_or(&[], |e| &e.scrutins)
    }

    /// The contests, or none when `election.json` is unreadable.
    pub fn contests(&self) -> &[scrutin_election::record::ContestInfo] {
        self.election.as_ref().map_or(&[], |e| &e.contests)
    }

    /// The journal entries, or none.
    pub fn journal_entries(&self) -> &[JournalEntry] {
        self.journal.as_deref().unwrap_or(&[])
    }

    /// The time of the last journal entry, to second precision (`YYYY-MM-DDTHH:MM:SS`):
    /// objects dated at or after it may be newer than the exported journal.
    pub fn journal_end(&self) -> Option<&str> {
        self.journal_entries().last().and_then(|e| e.time.get(..19))
    }

    /// Whether an object dated `time` may postdate the exported journal.
    pub fn after_journal(&self, time: &str) -> bool {
        match (self.journal_end(), time.get(..19)) {
            (Some(end), Some(t)) => t >= end,
            _ => false,
        }
    }

    /// Journal entries of one kind with their JSON payloads.
    pub fn journaled(&self, kind: &str) -> Vec<serde_json::Value> {
        self.journal_entries()
            .iter()
            .filter(|e| e.kind == kind)
            .filter_map(payload)
            .collect()
    }

    /// The émargement count of a closed scrutin.
    pub fn emargement(&self, scrutin: &str) -> Option<u64> {
        self.emargements
            .as_ref()
            .ok()?
            .iter()
            .find(|e| e.scrutin == scrutin)
            .map(|e| e.count)
    }
}

/// Files of the listing under a directory of the record.
fn under<'a>(listed: &'a BTreeSet<String>, dir: &'a str) -> impl Iterator<Item = &'a String> {
    listed.iter().filter(move |p| {
        p.strip_prefix(dir)
            .is_some_and(|rest| rest.starts_with('/') && !rest[1..].contains('/'))
    })
}

/// Loads every file but the ballots. `platform_key` is the key given by the person
/// verifying, if any.
pub(crate) fn load(
    src: &dyn Source,
    manifest: Manifest,
    platform_key: Option<[u8; 32]>,
) -> (Record, Option<&'static str>) {
    let mut listed: BTreeSet<String> = manifest.files.iter().map(|f| f.path.clone()).collect();
    listed.extend(src.list());
    let election: Loaded<ElectionInfo> = json(src, paths::ELECTION);
    let structure = listed.contains(paths::STRUCTURE).then(|| {
        let bytes = src.read(paths::STRUCTURE)?;
        read_structure(&bytes[..], &ReadOptions::default())
            .map_err(|e| format!("{} : {e}", paths::STRUCTURE))?
            .structure
            .ok_or_else(|| {
                format!(
                    "{} : la structure a des erreurs bloquantes",
                    paths::STRUCTURE
                )
            })
    });
    let mut trustees = BTreeMap::new();
    for path in under(&listed, "trustees") {
        let t: Loaded<TrusteesRecord> = json(src, path);
        let key = match &t {
            Ok(t) => t.chamber.clone(),
            Err(_) => path.clone(),
        };
        trustees.insert(key, t);
    }
    let mut candidates = BTreeMap::new();
    for path in under(&listed, "candidates") {
        let chamber = path
            .trim_start_matches("candidates/")
            .trim_end_matches(".json")
            .to_owned();
        let loaded = src.read(path).and_then(|bytes| {
            serde_json::from_slice::<CandidatesObject>(&bytes)
                .map(|c| (bytes.clone(), c))
                .map_err(|e| format!("{path} : contenu invalide ({e})"))
        });
        candidates.insert(chamber, loaded);
    }
    let mut credentials = BTreeMap::new();
    let mut boards = BTreeMap::new();
    if let Ok(e) = &election {
        for s in &e.scrutins {
            credentials.insert(s.id.clone(), json(src, &paths::credentials(&s.id)));
            boards.insert(s.id.clone(), json(src, &paths::board(&s.id)));
        }
    }
    let journal = src.lines(paths::JOURNAL_ENTRIES).and_then(|mut reader| {
        let mut out = Vec::new();
        let mut n = 0usize;
        loop {
            let mut line = String::new();
            let read = reader
                .read_line(&mut line)
                .map_err(|e| format!("{} : {e}", paths::JOURNAL_ENTRIES))?;
            if read == 0 {
                break;
            }
            n += 1;
            if line.trim().is_empty() {
                continue;
            }
            out.push(serde_json::from_str::<JournalEntry>(&line).map_err(|e| {
                format!(
                    "{} ligne {n} : entrée invalide ({e})",
                    paths::JOURNAL_ENTRIES
                )
            })?);
        }
        Ok(out)
    });
    let mut tallies = BTreeMap::new();
    for path in under(&listed, "tally") {
        let t: Loaded<TallyRecord> = json(src, path);
        let key = match &t {
            Ok(t) => t.contest.clone(),
            Err(_) => path.clone(),
        };
        tallies.insert(key, t);
    }
    let (platform_key, source) = match platform_key {
        Some(k) => (VerifyingKey::from_bytes(&k).ok(), Some("given")),
        None => match election.as_ref().ok().and_then(|e| e.platform_key) {
            Some(k) => (VerifyingKey::from_bytes(&k).ok(), Some("record")),
            None => (None, None),
        },
    };
    let record = Record {
        manifest,
        election,
        structure,
        trustees,
        candidates,
        credentials,
        boards,
        journal,
        checkpoints: json(src, paths::JOURNAL_CHECKPOINTS),
        seals: json(src, paths::SEALS),
        emargements: json(src, paths::EMARGEMENTS),
        tallies,
        platform_key,
    };
    (record, source)
}
