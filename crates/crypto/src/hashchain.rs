//! The journal's SHA-256 hash chain and its signed checkpoints (R-50…R-55).
//!
//! Every journal entry hashes the one before it, so changing, dropping, reordering or
//! inserting an entry breaks the chain at that point. The operator signs checkpoints (the
//! head hash at a sequence number) with its Ed25519 key; published checkpoints pin the
//! chain, including its length, so truncation after a checkpoint is also detected.
//! Byte-level layout: `specs/protocol.md` §10.

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::encoding::{CanonicalWriter, serde_hex, sha256};
use crate::error::{CryptoError, Result};
use crate::timestamp::Timestamp;

/// Domain tag of a journal entry's canonical encoding.
pub const ENTRY_DOMAIN: &str = "scrutin-journal-entry-v1";
/// Domain tag of a checkpoint's signed encoding.
pub const CHECKPOINT_DOMAIN: &str = "scrutin-journal-checkpoint-v1";
/// The `previous` hash of the first entry.
pub const GENESIS_PREVIOUS: [u8; 32] = [0u8; 32];
/// Longest accepted entry kind, in bytes.
pub const MAX_KIND_LEN: usize = 64;

/// One journal entry. Its hash is [`JournalEntry::hash`]; the next entry's `previous`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JournalEntry {
    /// Position in the journal, from 0.
    pub sequence: u64,
    /// Hash of the entry at `sequence − 1`, or 32 zero bytes for the first entry.
    #[serde(with = "serde_hex::bytes32")]
    pub previous: [u8; 32],
    /// UTC time of the entry (strict RFC 3339, see [`Timestamp`]).
    pub time: String,
    /// What happened (`seal`, `epoch-head`, `admin-login`…): lowercase ASCII letters,
    /// digits, `-`, `_` and `.`.
    pub kind: String,
    /// The details, as canonical JSON produced by the caller; hex in JSON.
    #[serde(with = "serde_hex::bytes")]
    pub payload: Vec<u8>,
}

impl JournalEntry {
    /// The first entry of a journal.
    pub fn first(time: &str, kind: &str, payload: Vec<u8>) -> Result<JournalEntry> {
        JournalEntry::new(0, GENESIS_PREVIOUS, time, kind, payload)
    }

    /// An entry with explicit position and predecessor hash, validated.
    pub fn new(
        sequence: u64,
        previous: [u8; 32],
        time: &str,
        kind: &str,
        payload: Vec<u8>,
    ) -> Result<JournalEntry> {
        let entry = JournalEntry {
            sequence,
            previous,
            time: time.to_owned(),
            kind: kind.to_owned(),
            payload,
        };
        entry
            .validate_fields()
            .map_err(|f| CryptoError::invalid(f.to_string()))?;
        Ok(entry)
    }

    /// The entry that follows this one. Its time must not be earlier than this entry's: a
    /// journal server whose clock steps back must clamp to the last time it wrote.
    pub fn next(&self, time: &str, kind: &str, payload: Vec<u8>) -> Result<JournalEntry> {
        let entry = JournalEntry::new(self.sequence + 1, self.hash(), time, kind, payload)?;
        if Timestamp::parse(&entry.time)? < Timestamp::parse(&self.time)? {
            return Err(CryptoError::invalid(EntryFault::TimeBackwards.to_string()));
        }
        Ok(entry)
    }

    /// The canonical encoding that is hashed.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        let mut w = CanonicalWriter::new(ENTRY_DOMAIN);
        w.u64(self.sequence)
            .raw(&self.previous)
            .str(&self.time)
            .str(&self.kind)
            .bytes(&self.payload);
        w.finish()
    }

    /// SHA-256 of the canonical encoding.
    pub fn hash(&self) -> [u8; 32] {
        sha256(&self.canonical_bytes())
    }

    fn validate_fields(&self) -> Result<Timestamp, EntryFault> {
        let ok_kind = !self.kind.is_empty()
            && self.kind.len() <= MAX_KIND_LEN
            && self.kind.bytes().all(|c| {
                c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b'-' | b'_' | b'.')
            });
        if !ok_kind {
            return Err(EntryFault::Kind(self.kind.clone()));
        }
        if u32::try_from(self.payload.len()).is_err() {
            return Err(EntryFault::PayloadTooLong);
        }
        Timestamp::parse(&self.time).map_err(|e| EntryFault::Time(e.to_string()))
    }
}

/// A signed checkpoint: "the journal's entry `sequence` has hash `head`", at `time`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checkpoint {
    /// Sequence number of the last entry covered.
    pub sequence: u64,
    /// Hash of that entry.
    #[serde(with = "serde_hex::bytes32")]
    pub head: [u8; 32],
    /// UTC time of the checkpoint (strict RFC 3339).
    pub time: String,
    /// Ed25519 signature by the operator's key over [`Checkpoint::signed_bytes`].
    #[serde(with = "serde_hex::bytes64")]
    pub signature: [u8; 64],
}

impl Checkpoint {
    /// Signs a checkpoint at `head` (the latest entry).
    pub fn sign(head: &JournalEntry, time: &str, key: &SigningKey) -> Result<Checkpoint> {
        Timestamp::parse(time)?;
        let mut cp = Checkpoint {
            sequence: head.sequence,
            head: head.hash(),
            time: time.to_owned(),
            signature: [0u8; 64],
        };
        cp.signature = key.sign(&cp.signed_bytes()).to_bytes();
        Ok(cp)
    }

    /// The byte string the operator signs.
    pub fn signed_bytes(&self) -> Vec<u8> {
        let mut w = CanonicalWriter::new(CHECKPOINT_DOMAIN);
        w.u64(self.sequence).raw(&self.head).str(&self.time);
        w.finish()
    }

    /// Checks the signature (strict Ed25519) and the time's form.
    pub fn verify(&self, key: &VerifyingKey) -> Result<()> {
        Timestamp::parse(&self.time)?;
        key.verify_strict(
            &self.signed_bytes(),
            &Signature::from_bytes(&self.signature),
        )
        .map_err(|_| CryptoError::verification("checkpoint signature does not verify"))
    }
}

/// Why an entry breaks the chain.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum EntryFault {
    /// The sequence number is not the expected one.
    #[error("sequence number {found}, expected {expected}")]
    Sequence {
        /// The next sequence number the chain expects.
        expected: u64,
        /// The one the entry carries.
        found: u64,
    },
    /// `previous` is not the hash of the preceding entry.
    #[error("previous hash does not match the preceding entry")]
    PreviousHash,
    /// The time is not in the strict UTC form.
    #[error("malformed time: {0}")]
    Time(String),
    /// The time is earlier than the preceding entry's.
    #[error("time is earlier than the preceding entry's")]
    TimeBackwards,
    /// The kind is empty, too long or uses other characters.
    #[error("invalid kind {0:?}")]
    Kind(String),
    /// The payload does not fit a u32 length.
    #[error("payload longer than 4 GiB")]
    PayloadTooLong,
}

/// Why a checkpoint does not hold.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum CheckpointFault {
    /// The checkpoint's signature (or time form) does not verify.
    #[error("signature does not verify")]
    Signature,
    /// The checkpoint covers an entry the chain does not have (truncated chain).
    #[error("covers entry {sequence}, beyond the chain's {length} entries")]
    BeyondChain {
        /// The checkpoint's sequence number.
        sequence: u64,
        /// Number of entries in the chain.
        length: u64,
    },
    /// The head hash differs from the entry's hash.
    #[error("head hash differs from entry {0}")]
    HeadMismatch(u64),
    /// Checkpoints must come in increasing sequence and time.
    #[error("out of order with the previous checkpoint")]
    Order,
}

/// The first point where a journal fails verification.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ChainError {
    /// Entry at `index` (its position in the given list) breaks the chain.
    #[error("journal entry at index {index}: {fault}")]
    Entry {
        /// Position in the list of entries.
        index: usize,
        /// What is wrong.
        fault: EntryFault,
    },
    /// Checkpoint at `index` does not hold.
    #[error("checkpoint at index {index}: {fault}")]
    Checkpoint {
        /// Position in the list of checkpoints.
        index: usize,
        /// What is wrong.
        fault: CheckpointFault,
    },
}

/// Incremental chain verification, for journals too long to hold in memory and for the
/// journal server's own appends.
#[derive(Clone, Debug)]
pub struct ChainVerifier {
    next_sequence: u64,
    head: [u8; 32],
    last_time: Option<Timestamp>,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        ChainVerifier::new()
    }
}

impl ChainVerifier {
    /// Starts at the genesis of a journal.
    pub fn new() -> ChainVerifier {
        ChainVerifier {
            next_sequence: 0,
            head: GENESIS_PREVIOUS,
            last_time: None,
        }
    }

    /// Resumes after a trusted entry (for example one covered by a verified checkpoint).
    pub fn resume_after(entry: &JournalEntry) -> Result<ChainVerifier> {
        let time = Timestamp::parse(&entry.time)?;
        Ok(ChainVerifier {
            next_sequence: entry.sequence + 1,
            head: entry.hash(),
            last_time: Some(time),
        })
    }

    /// Checks the next entry and advances; returns its hash.
    pub fn push(&mut self, entry: &JournalEntry) -> Result<[u8; 32], EntryFault> {
        if entry.sequence != self.next_sequence {
            return Err(EntryFault::Sequence {
                expected: self.next_sequence,
                found: entry.sequence,
            });
        }
        if entry.previous != self.head {
            return Err(EntryFault::PreviousHash);
        }
        let time = entry.validate_fields()?;
        if self.last_time.is_some_and(|last| time < last) {
            return Err(EntryFault::TimeBackwards);
        }
        let hash = entry.hash();
        self.next_sequence += 1;
        self.head = hash;
        self.last_time = Some(time);
        Ok(hash)
    }

    /// Hash of the last entry pushed (zeros before the first).
    pub fn head(&self) -> [u8; 32] {
        self.head
    }

    /// Number of entries verified so far, counting from the start point.
    pub fn next_sequence(&self) -> u64 {
        self.next_sequence
    }
}

/// What a verified journal amounts to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainSummary {
    /// Number of entries.
    pub length: u64,
    /// Hash of the last entry (zeros for an empty journal).
    pub head: [u8; 32],
    /// Sequence number of the last entry covered by a checkpoint, if any.
    pub last_checkpoint: Option<u64>,
}

/// Verifies a whole journal from its first entry, and its checkpoints against the
/// operator's key. Returns the first break found: entries are checked in order first, then
/// checkpoints in order.
pub fn verify_chain(
    entries: &[JournalEntry],
    checkpoints: &[Checkpoint],
    operator_key: &VerifyingKey,
) -> Result<ChainSummary, ChainError> {
    let mut verifier = ChainVerifier::new();
    let mut hashes = Vec::with_capacity(entries.len());
    for (index, entry) in entries.iter().enumerate() {
        let hash = verifier
            .push(entry)
            .map_err(|fault| ChainError::Entry { index, fault })?;
        hashes.push(hash);
    }
    let length = hashes.len() as u64;
    let mut previous: Option<(u64, Timestamp)> = None;
    for (index, cp) in checkpoints.iter().enumerate() {
        let fail = |fault| ChainError::Checkpoint { index, fault };
        cp.verify(operator_key)
            .map_err(|_| fail(CheckpointFault::Signature))?;
        let time = Timestamp::parse(&cp.time).map_err(|_| fail(CheckpointFault::Signature))?;
        if let Some((seq, t)) = previous
            && (cp.sequence < seq || time < t)
        {
            return Err(fail(CheckpointFault::Order));
        }
        let position = usize::try_from(cp.sequence).ok();
        let hash = position.and_then(|p| hashes.get(p)).ok_or_else(|| {
            fail(CheckpointFault::BeyondChain {
                sequence: cp.sequence,
                length,
            })
        })?;
        if *hash != cp.head {
            return Err(fail(CheckpointFault::HeadMismatch(cp.sequence)));
        }
        previous = Some((cp.sequence, time));
    }
    Ok(ChainSummary {
        length,
        head: verifier.head(),
        last_checkpoint: previous.map(|(s, _)| s),
    })
}
