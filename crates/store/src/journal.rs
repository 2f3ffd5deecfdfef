//! The journal (R-53, protocol §8): every action, hash-chained with
//! `scrutin-crypto::hashchain` in the registry store, with checkpoints signed by the
//! operator key. Entries never carry a voter–ballot link: casts are summarised by the
//! board's epoch heads, not journaled one by one (a per-cast entry would date each ballot).

use chrono::{DateTime, SecondsFormat, Utc};
use ed25519_dalek::SigningKey;
use scrutin_crypto::hashchain::{Checkpoint, JournalEntry};
use scrutin_crypto::timestamp::Timestamp;

use crate::error::{Result, StoreError};
use crate::registry::{JournalRow, Registry};

/// The strict UTC form the signed objects carry (`2026-11-26T09:00:00.123456Z`).
pub fn signed_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn decode(row: &JournalRow) -> Result<JournalEntry> {
    serde_json::from_str(&row.entry)
        .map_err(|e| StoreError::corrupt(format!("journal entry {}: {e}", row.seq)))
}

/// Appends an entry `kind` with a JSON payload at `now` (clamped to the previous entry's
/// time if the clock stepped back), and returns it.
pub async fn append(
    registry: &Registry,
    now: DateTime<Utc>,
    kind: &str,
    payload: &serde_json::Value,
) -> Result<JournalEntry> {
    append_once(registry, None, now, kind, payload)
        .await?
        .ok_or_else(|| StoreError::corrupt("journal append without key skipped"))
}

/// Appends like [`append`] unless an entry was already appended under `key`; returns
/// `None` then.
pub async fn append_once(
    registry: &Registry,
    key: Option<&str>,
    now: DateTime<Utc>,
    kind: &str,
    payload: &serde_json::Value,
) -> Result<Option<JournalEntry>> {
    // serde_json's maps are sorted by key: one byte string per payload.
    let payload = serde_json::to_vec(payload).map_err(|e| StoreError::Invalid(e.to_string()))?;
    let time = signed_time(now);
    let mut made = None;
    registry
        .append_journal_once(key, |head| {
            let entry = match head {
                None => JournalEntry::first(&time, kind, payload)?,
                Some(row) => {
                    let prev = decode(row)?;
                    let t = if Timestamp::parse(&time)? < Timestamp::parse(&prev.time)? {
                        prev.time.clone()
                    } else {
                        time.clone()
                    };
                    prev.next(&t, kind, payload)?
                }
            };
            let text =
                serde_json::to_string(&entry).map_err(|e| StoreError::Invalid(e.to_string()))?;
            let digest = entry.hash().to_vec();
            made = Some(entry);
            Ok((text, digest))
        })
        .await?;
    Ok(made)
}

/// Entries from `from`, at most `limit`.
pub async fn entries(registry: &Registry, from: u64, limit: u64) -> Result<Vec<JournalEntry>> {
    let rows = registry
        .journal(
            i64::try_from(from).unwrap_or(i64::MAX),
            i64::try_from(limit).unwrap_or(i64::MAX),
        )
        .await?;
    rows.iter().map(decode).collect()
}

/// Signs and stores a checkpoint of the current head; `None` for an empty journal.
pub async fn checkpoint(
    registry: &Registry,
    now: DateTime<Utc>,
    key: &SigningKey,
) -> Result<Option<Checkpoint>> {
    let Some(head) = registry.journal_head().await? else {
        return Ok(None);
    };
    let entry = decode(&head)?;
    let cp = Checkpoint::sign(&entry, &signed_time(now), key)?;
    let text = serde_json::to_string(&cp).map_err(|e| StoreError::Invalid(e.to_string()))?;
    registry.put_checkpoint(head.seq, &text).await?;
    Ok(Some(cp))
}

/// Every stored checkpoint.
pub async fn checkpoints(registry: &Registry) -> Result<Vec<Checkpoint>> {
    registry
        .checkpoints()
        .await?
        .into_iter()
        .map(|(seq, text)| {
            serde_json::from_str(&text)
                .map_err(|e| StoreError::corrupt(format!("checkpoint {seq}: {e}")))
        })
        .collect()
}
