//! The public board (protocol §7): per scrutin, an RFC 9162 Merkle log whose leaves are the
//! tracking codes, appended by **epochs**. An epoch takes every ballot confirmed since the
//! previous one, sorted by tracking code, and closes when it holds at least 16 ballots and
//! 5 minutes have passed since the previous epoch (or the opening), or at the close of the
//! vote. Each head is signed by the platform key and journaled. Within an epoch, nothing
//! tells the order of arrival.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, SecondsFormat, SubsecRound, Utc};
use ed25519_dalek::SigningKey;
use scrutin_crypto::merkle::{
    ConsistencyProof, Hash, InclusionProof, MerkleTree, SignedTreeHead, leaf_hash,
};

use crate::ballots::EpochHead;
use crate::error::{Result, StoreError};
use crate::journal;
use crate::scrutin::ScrutinState;
use crate::stores::Stores;

/// When an epoch may close.
#[derive(Debug, Clone, Copy)]
pub struct EpochPolicy {
    /// Fewest ballots in an epoch (except the last, at the close of the vote).
    pub min_ballots: i64,
    /// Shortest time since the previous epoch (or the opening).
    pub min_interval: Duration,
}

impl Default for EpochPolicy {
    fn default() -> Self {
        EpochPolicy {
            min_ballots: 16,
            min_interval: Duration::minutes(5),
        }
    }
}

/// The signed head as `scrutin-crypto` defines it, from a stored row.
pub fn signed_head(row: &EpochHead) -> Result<SignedTreeHead> {
    let root: Hash = row
        .root
        .as_slice()
        .try_into()
        .map_err(|_| StoreError::corrupt("epoch root length"))?;
    let signature: [u8; 64] = row
        .signature
        .as_slice()
        .try_into()
        .map_err(|_| StoreError::corrupt("epoch signature length"))?;
    Ok(SignedTreeHead {
        log_id: row.scrutin_id.clone(),
        epoch: u64::try_from(row.epoch).map_err(|_| StoreError::corrupt("epoch number"))?,
        tree_size: u64::try_from(row.tree_size).map_err(|_| StoreError::corrupt("tree size"))?,
        root,
        time: head_time(row.closed_at),
        signature,
    })
}

fn head_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn to_hash(code: &[u8]) -> Result<Hash> {
    code.try_into()
        .map_err(|_| StoreError::corrupt("tracking code length"))
}

/// Closes the next epoch of a scrutin if it is due at `now` (or, with `force`, if any
/// ballot waits: the close of the vote), signs its head with the platform key and
/// journals it. Returns the new head.
pub async fn close_epoch(
    stores: &Stores,
    scrutin_id: &str,
    now: DateTime<Utc>,
    key: &SigningKey,
    policy: EpochPolicy,
    force: bool,
) -> Result<Option<SignedTreeHead>> {
    let scrutin = stores
        .registry
        .scrutin(scrutin_id)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("scrutin {scrutin_id}")))?;
    let closed_at = now.trunc_subsecs(0);
    let opened = scrutin.opens_at;
    let mut signed = None;
    let row = stores
        .ballots
        .close_epoch(
            scrutin_id,
            |last, waiting| {
                force
                    || (waiting >= policy.min_ballots
                        && now - last.map_or(opened, |h| h.closed_at) >= policy.min_interval)
            },
            |last, old, new| {
                let mut leaves = Vec::with_capacity(old.len() + new.len());
                for c in old.iter().chain(new) {
                    leaves.push(leaf_hash(&to_hash(c)?));
                }
                let tree = MerkleTree::from_leaf_hashes(&leaves);
                let epoch = last.map_or(1, |h| h.epoch + 1);
                let closed_at = last.map_or(closed_at, |h| h.closed_at.max(closed_at));
                let head = SignedTreeHead::sign(
                    scrutin_id,
                    u64::try_from(epoch).map_err(|_| StoreError::corrupt("epoch number"))?,
                    tree.len(),
                    tree.root(),
                    &head_time(closed_at),
                    key,
                )?;
                let row = EpochHead {
                    scrutin_id: scrutin_id.to_string(),
                    epoch,
                    tree_size: i64::try_from(tree.len())
                        .map_err(|_| StoreError::corrupt("tree size"))?,
                    root: head.root.to_vec(),
                    closed_at,
                    signature: head.signature.to_vec(),
                };
                signed = Some(head);
                Ok(row)
            },
        )
        .await?;
    match (row, signed) {
        (Some(row), Some(head)) => {
            journal_head(stores, &row, &head, now).await?;
            tracing::info!(
                scrutin = scrutin_id,
                epoch = row.epoch,
                tree_size = row.tree_size,
                "epoch closed"
            );
            Ok(Some(head))
        }
        _ => Ok(None),
    }
}

async fn journal_head(
    stores: &Stores,
    row: &EpochHead,
    head: &SignedTreeHead,
    now: DateTime<Utc>,
) -> Result<()> {
    journal::append_once(
        &stores.registry,
        Some(&format!("epoch-head:{}:{}", row.scrutin_id, row.epoch)),
        now,
        "epoch-head",
        &serde_json::json!({
            "scrutin": row.scrutin_id,
            "epoch": row.epoch,
            "tree_size": row.tree_size,
            "root": hex::encode(&row.root),
            "time": head.time,
            "signature": hex::encode(head.signature),
            "digest": hex::encode(head.digest()),
        }),
    )
    .await?;
    Ok(())
}

/// One pass of the board task: closes every due epoch (forced for closed scrutins) and
/// journals any head a crash left unjournaled. Returns the heads closed.
pub async fn tick(
    stores: &Stores,
    now: DateTime<Utc>,
    key: &SigningKey,
    policy: EpochPolicy,
) -> Result<Vec<SignedTreeHead>> {
    let mut closed = Vec::new();
    for scrutin in stores.registry.scrutins().await? {
        let force = scrutin.state_at(now) == ScrutinState::Closed;
        if let Some(head) = close_epoch(stores, &scrutin.id, now, key, policy, force).await? {
            closed.push(head);
        }
        for row in stores.ballots.epochs(&scrutin.id).await? {
            journal_head(stores, &row, &signed_head(&row)?, now).await?;
        }
    }
    Ok(closed)
}

/// Published log of a scrutin, cached per tree size (proof requests are frequent, the log
/// changes only when an epoch closes).
#[derive(Debug, Clone, Default)]
pub struct BoardCache {
    logs: Arc<Mutex<HashMap<String, Arc<PublishedLog>>>>,
}

/// A scrutin's published log at one size.
#[derive(Debug)]
pub struct PublishedLog {
    tree: MerkleTree,
    index: HashMap<Hash, u64>,
}

impl PublishedLog {
    /// Number of leaves.
    pub fn len(&self) -> u64 {
        self.tree.len()
    }

    /// Whether empty.
    pub fn is_empty(&self) -> bool {
        self.tree.is_empty()
    }

    /// Inclusion proof of a tracking code in the tree of `tree_size` leaves.
    pub fn inclusion(&self, tracking_code: &Hash, tree_size: u64) -> Option<InclusionProof> {
        let index = *self.index.get(tracking_code)?;
        self.tree.inclusion_proof(index, tree_size).ok()
    }

    /// Consistency proof between two sizes.
    pub fn consistency(&self, from: u64, to: u64) -> Option<ConsistencyProof> {
        self.tree.consistency_proof(from, to).ok()
    }

    /// Root at a size.
    pub fn root_at(&self, size: u64) -> Option<Hash> {
        self.tree.root_at(size).ok()
    }
}

impl BoardCache {
    /// The published log of a scrutin as of its latest epoch head.
    pub async fn log(
        &self,
        stores: &Stores,
        scrutin_id: &str,
        latest_size: u64,
    ) -> Result<Arc<PublishedLog>> {
        if let Some(log) = self
            .logs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(scrutin_id)
            && log.len() == latest_size
        {
            return Ok(log.clone());
        }
        let codes = stores.ballots.published_codes(scrutin_id).await?;
        let mut leaves = Vec::with_capacity(codes.len());
        let mut index = HashMap::with_capacity(codes.len());
        for (i, c) in codes.iter().enumerate() {
            let h = to_hash(c)?;
            index.insert(h, i as u64);
            leaves.push(leaf_hash(&h));
        }
        let log = Arc::new(PublishedLog {
            tree: MerkleTree::from_leaf_hashes(&leaves),
            index,
        });
        self.logs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(scrutin_id.to_string(), log.clone());
        Ok(log)
    }
}
