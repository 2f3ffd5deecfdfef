//! The election record (protocol §10, R-55, R-66): every public object needed to re-check an
//! election without trusting the operator, as files in a directory (or one tar archive)
//! with a manifest of SHA-256 digests. The exporter (`scrutin-store`) writes these types;
//! the independent verifier (`scrutin-verify`) reads them. `specs/record-format.md`
//! describes every file and field for people who write their own verifier.
//!
//! The record never holds a secret (no key share, no platform or master key) nor any
//! voter's personal data: credential sets are public keys only, émargement is a count, and
//! ballots carry neither a time nor an arrival order.

use scrutin_crypto::ballot::{Ballot, BallotStyle, EncodedCiphertext};
use scrutin_crypto::dkg::{DkgOutcome, DkgTranscript};
use scrutin_crypto::encoding::serde_hex;
use scrutin_crypto::merkle::SignedTreeHead;
use scrutin_crypto::tally::DecryptionShare;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::results::{ContestCount, ContestResults};
use crate::seats::SeatAllocation;

pub mod archive;

/// `format` of the manifest.
pub const FORMAT: &str = "scrutin-election-record";
/// Version of the record format described in `specs/record-format.md`.
pub const VERSION: u32 = 1;
/// `format` of a decrypted contest's results (the admin server's results document).
pub const RESULTS_FORMAT: &str = "scrutin-tally-results/1";

/// Where each object lives inside a record.
pub mod paths {
    /// The manifest: every other file with its size and SHA-256.
    pub const MANIFEST: &str = "manifest.json";
    /// Election, scrutins (with ballot styles) and contests.
    pub const ELECTION: &str = "election.json";
    /// The election structure file as uploaded (public: chambers, categories, seats).
    pub const STRUCTURE: &str = "structure.csv";
    /// The journal's entries, one JSON object per line, from sequence 0.
    pub const JOURNAL_ENTRIES: &str = "journal/entries.jsonl";
    /// The journal's signed checkpoints.
    pub const JOURNAL_CHECKPOINTS: &str = "journal/checkpoints.json";
    /// The chain of seals, in order.
    pub const SEALS: &str = "seals.json";
    /// Émargement counts of the closed scrutins.
    pub const EMARGEMENTS: &str = "emargements.json";

    /// A file-name-safe form of an identifier: `/` (in contest ids) and anything outside
    /// `A–Z a–z 0–9 . _ -` become `_`.
    pub fn stem(id: &str) -> String {
        id.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '.' | '-') {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    }

    /// A chamber's key ceremony.
    pub fn trustees(chamber: &str) -> String {
        format!("trustees/{}.json", stem(chamber))
    }

    /// A chamber's candidate lists and statement digests (the `candidates` seal's object).
    pub fn candidates(chamber: &str) -> String {
        format!("candidates/{}.json", stem(chamber))
    }

    /// A scrutin's public voting credentials and counts.
    pub fn credentials(scrutin: &str) -> String {
        format!("credentials/{}.json", stem(scrutin))
    }

    /// A scrutin's ballots, one [`super::BallotLine`] per line, in board order.
    pub fn ballots(scrutin: &str) -> String {
        format!("ballots/{}.jsonl", stem(scrutin))
    }

    /// A scrutin's signed board heads.
    pub fn board(scrutin: &str) -> String {
        format!("board/{}.json", stem(scrutin))
    }

    /// A contest's tally.
    pub fn tally(contest: &str) -> String {
        format!("tally/{}.json", stem(contest))
    }
}

/// One file of the record, as the manifest lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileDigest {
    /// Path inside the record, `/`-separated.
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 of the file's bytes.
    #[serde(with = "serde_hex::bytes32")]
    pub sha256: [u8; 32],
}

impl FileDigest {
    /// The entry of a file with these bytes.
    pub fn of(path: impl Into<String>, bytes: &[u8]) -> FileDigest {
        FileDigest {
            path: path.into(),
            size: bytes.len() as u64,
            sha256: Sha256::digest(bytes).into(),
        }
    }
}

/// `manifest.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// [`FORMAT`].
    pub format: String,
    /// [`VERSION`].
    pub version: u32,
    /// The election identifier.
    pub election: String,
    /// When the record was exported (UTC, strict RFC 3339).
    pub exported_at: String,
    /// True while some scrutin is not closed or some contest not decrypted: the checks
    /// that need what is missing are skipped, not failed.
    pub partial: bool,
    /// Every other file of the record, sorted by path.
    pub files: Vec<FileDigest>,
}

/// `election.json`: the election, its scrutins and contests.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ElectionInfo {
    /// The election identifier (bound into every key and fingerprint).
    pub election: String,
    /// The platform's Ed25519 public key (signs seals, journal checkpoints, board heads),
    /// as the exporter knew it; a verifier should compare it with the published one.
    #[serde(with = "opt_bytes32")]
    pub platform_key: Option<[u8; 32]>,
    /// Scrutins (ballot boxes), by identifier.
    pub scrutins: Vec<ScrutinInfo>,
    /// Contests, in structure order when the structure is known.
    pub contests: Vec<ContestInfo>,
}

/// One scrutin (ballot box).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScrutinInfo {
    /// Identifier (`011-C`).
    pub id: String,
    /// Chamber code.
    pub chamber: String,
    /// Label shown to voters.
    pub label: String,
    /// State set by the commission: `draft`, `open`, `suspended` or `closed`.
    pub state: String,
    /// Opening instant (UTC).
    pub opens_at: String,
    /// Closing instant (UTC).
    pub closes_at: String,
    /// Whether the vote was over at export time (closed by the commission or past its
    /// closing instant): only then are its émargement count and full box published.
    pub closed: bool,
    /// The ballot style every ballot of this box follows (protocol §3.2).
    pub ballot_style: BallotStyle,
}

/// One contest (an election of the CCIR or the CCIT for a category).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContestInfo {
    /// Identifier (`011-C/CCIR`).
    pub id: String,
    /// Chamber code (its COE holds the election key).
    pub chamber: String,
    /// The scrutins whose ballots hold a part for this contest.
    pub scrutins: Vec<String>,
    /// The contest fingerprint (protocol §3.1).
    #[serde(with = "serde_hex::bytes32")]
    pub fingerprint: [u8; 32],
}

/// `trustees/<chamber>.json`: a COE's key ceremony as the server relayed it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrusteesRecord {
    /// Chamber code.
    pub chamber: String,
    /// Key identifier of the attempt (bound into every message).
    pub key_id: String,
    /// `open` or `complete`.
    pub status: String,
    /// Every public message of the ceremony (protocol §7.5).
    pub transcript: DkgTranscript,
    /// The outcome the server published, once complete.
    pub outcome: Option<DkgOutcome>,
    /// The published election key `Y`, once complete.
    #[serde(with = "opt_bytes32")]
    pub public_key: Option<[u8; 32]>,
    /// The published transcript digest, once complete.
    #[serde(with = "opt_bytes32")]
    pub transcript_digest: Option<[u8; 32]>,
}

/// `credentials/<scrutin>.json`: the public voting credentials of a scrutin and the counts
/// they must match (protocol §3: |voting keys| = rights with credentials + resends).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CredentialSet {
    /// Scrutin.
    pub scrutin: String,
    /// Registered rights (inscrits).
    pub rights: u64,
    /// Rights that received voting material.
    pub rights_with_credentials: u64,
    /// Material resent (each adds a voting key, R-32).
    pub resends: u64,
    /// The voting public keys, sorted, each once.
    #[serde(with = "hex_keys")]
    pub voting_keys: Vec<[u8; 32]>,
}

/// One line of `ballots/<scrutin>.jsonl`: a ballot and the board epoch that published it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BallotLine {
    /// Epoch number, from 1.
    pub epoch: u64,
    /// The ballot (protocol §3.4).
    pub ballot: Ballot,
}

/// `board/<scrutin>.json`: the signed heads of a scrutin's board, epoch by epoch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoardRecord {
    /// Scrutin (the log's identifier).
    pub scrutin: String,
    /// Heads, epoch 1 first.
    pub heads: Vec<SignedTreeHead>,
}

/// One entry of `emargements.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmargementCount {
    /// Scrutin (closed).
    pub scrutin: String,
    /// Rights émargés: voters who voted.
    pub count: u64,
}

/// `candidates/<chamber>.json`: exactly the object the chamber's `candidates` seal covers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CandidatesObject {
    /// The candidate lists, by contest.
    pub candidates: Vec<CandidateList>,
    /// Digests of the statements (professions de foi), by contest and subject.
    pub statements: Vec<StatementDigest>,
}

/// One contest's candidate list as stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CandidateList {
    /// Contest id.
    pub contest: String,
    /// The `ContestCandidates` JSON, in registration order.
    pub entries: serde_json::Value,
}

/// A statement's digest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatementDigest {
    /// Contest id.
    pub contest: String,
    /// `grouping:<name>` or `candidate:<option id>`.
    pub subject: String,
    /// SHA-256 of the PDF, hex.
    pub sha256: String,
}

/// A decrypted contest's results, as published (same JSON as the admin server's).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PublishedResults {
    /// [`RESULTS_FORMAT`].
    pub format: String,
    /// Contest id.
    pub contest: String,
    /// The trustees whose decryption shares were combined.
    pub trustees: Vec<u32>,
    /// The decrypted counts.
    pub counts: ContestCount,
    /// Registered, voters, blank, null, expressed, votes per candidate.
    pub results: ContestResults,
    /// Seats (R-62b).
    pub seats: SeatAllocation,
}

/// `tally/<contest>.json`: a contest's tally.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TallyRecord {
    /// Contest id.
    pub contest: String,
    /// Chamber code.
    pub chamber: String,
    /// Contest fingerprint, bound into every decryption-share proof.
    #[serde(with = "serde_hex::bytes32")]
    pub fingerprint: [u8; 32],
    /// Aggregates: the blank flag first, then the options in ballot order (protocol §9.1).
    pub aggregates: Vec<EncodedCiphertext>,
    /// Ballots aggregated.
    pub ballots: u64,
    /// Émargements of the contest's scrutins.
    pub emargements: u64,
    /// Registered rights of the contest's scrutins.
    pub registered: u64,
    /// When the aggregates were computed.
    pub started_at: String,
    /// Every decryption share received, with its proofs, by trustee.
    pub shares: Vec<DecryptionShare>,
    /// The results, once decrypted.
    pub results: Option<PublishedResults>,
    /// When the results were computed.
    pub decrypted_at: Option<String>,
}

impl TallyRecord {
    /// The object a contest's `results` seal covers (the admin server's): the aggregates,
    /// the shares combined and the results, as one JSON text with sorted keys.
    pub fn results_object(&self) -> Option<Vec<u8>> {
        let results = self.results.as_ref()?;
        let shares: Vec<&DecryptionShare> = self
            .shares
            .iter()
            .filter(|s| results.trustees.contains(&s.trustee))
            .collect();
        serde_json::to_vec(&serde_json::json!({
            "contest": self.contest,
            "fingerprint": hex::encode(self.fingerprint),
            "ballots": self.ballots,
            "emargements": self.emargements,
            "registered": self.registered,
            "aggregates": self.aggregates,
            "shares": shares,
            "results": results,
        }))
        .ok()
    }
}

/// The object a scrutin's `box-closed` seal covers: its final board head and ballot count.
pub fn box_closed_object(scrutin: &str, last: Option<&SignedTreeHead>, ballots: u64) -> Vec<u8> {
    let head = last.map(|h| {
        serde_json::json!({
            "epoch": h.epoch,
            "tree_size": h.tree_size,
            "root": hex::encode(h.root),
            "signature": hex::encode(h.signature),
        })
    });
    serde_json::to_vec(&serde_json::json!({ "scrutin": scrutin, "head": head, "ballots": ballots }))
        .unwrap_or_default()
}

/// The object a scrutin's `archive` seal covers: the SHA-256 of each of its contests'
/// results objects, in structure order.
pub fn archive_object(scrutin: &str, contests: &[(String, [u8; 32])]) -> Vec<u8> {
    let contests: Vec<serde_json::Value> = contests
        .iter()
        .map(|(c, d)| serde_json::json!({ "contest": c, "results_sha256": hex::encode(d) }))
        .collect();
    serde_json::to_vec(&serde_json::json!({ "scrutin": scrutin, "contests": contests }))
        .unwrap_or_default()
}

/// The object the final national seal covers: `kind scope digest` of every seal before it
/// (national seals excepted), one per line.
pub fn national_object(seals: &[scrutin_crypto::seal::Seal]) -> Vec<u8> {
    let national = scrutin_crypto::seal::SealKind::Custom("national".into());
    let mut out = String::new();
    for s in seals.iter().filter(|s| s.kind != national) {
        out.push_str(&format!(
            "{} {} {}\n",
            s.kind.name(),
            s.scope,
            hex::encode(s.digest())
        ));
    }
    out.into_bytes()
}

mod opt_bytes32 {
    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(b: &Option<[u8; 32]>, s: S) -> Result<S::Ok, S::Error> {
        match b {
            Some(b) => s.serialize_str(&hex::encode(b)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<[u8; 32]>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(s) => super::decode_key(&s).map(Some).map_err(D::Error::custom),
        }
    }
}

mod hex_keys {
    use serde::de::Error as _;
    use serde::ser::SerializeSeq;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(keys: &[[u8; 32]], s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(keys.len()))?;
        for k in keys {
            seq.serialize_element(&hex::encode(k))?;
        }
        seq.end()
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<[u8; 32]>, D::Error> {
        Vec::<String>::deserialize(d)?
            .iter()
            .map(|s| super::decode_key(s).map_err(D::Error::custom))
            .collect()
    }
}

/// 64 lowercase hex characters → 32 bytes (protocol §1.2: one JSON form only).
fn decode_key(s: &str) -> Result<[u8; 32], String> {
    if s.len() != 64 || s.bytes().any(|c| c.is_ascii_uppercase()) {
        return Err(format!("expected 64 lowercase hex characters, got {s:?}"));
    }
    let v = hex::decode(s).map_err(|e| e.to_string())?;
    let mut out = [0u8; 32];
    out.copy_from_slice(&v);
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn stems_keep_ids_readable_and_safe() {
        assert_eq!(paths::stem("011-C/CCIR"), "011-C_CCIR");
        assert_eq!(paths::stem("181-S-2"), "181-S-2");
        assert_eq!(paths::stem("../x"), ".._x");
        assert_eq!(paths::tally("011-C/CCIR"), "tally/011-C_CCIR.json");
    }

    #[test]
    fn credential_keys_travel_as_lowercase_hex_only() {
        let set = CredentialSet {
            scrutin: "011-C".into(),
            rights: 2,
            rights_with_credentials: 2,
            resends: 0,
            voting_keys: vec![[1; 32], [0xab; 32]],
        };
        let text = serde_json::to_string(&set).unwrap();
        assert!(text.contains(&"ab".repeat(32)));
        assert_eq!(serde_json::from_str::<CredentialSet>(&text).unwrap(), set);
        let upper = text.replace(&"ab".repeat(32), &"AB".repeat(32));
        assert!(serde_json::from_str::<CredentialSet>(&upper).is_err());
    }
}
