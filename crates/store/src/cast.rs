//! The atomic cast across the ballots and electors stores, and its recovery rule
//! (R-45, R-47, R-48; protocol §6). The full argument is in `docs/operations.md`.
//!
//! The ballot and the émargement live in two databases that no transaction spans. A cast
//! therefore runs three steps tied by a random one-time **token**:
//! 1. *ballots*: mark the voting key used and insert the ballot as **pending** with the
//!    token (the key's mark and the unique (scrutin, key) pair: one ballot per key);
//! 2. *electors*: insert the émargement (right, time, token); the right's primary key makes
//!    one vote per right. On conflict the pending ballot is deleted (token kept as
//!    aborted) and the cast refused;
//! 3. *ballots*: confirm the ballot (clear its token); *electors*: clear the émargement's
//!    token. Only then is the receipt returned.
//!
//! **Recovery** ([`Recovery::run`], at start-up and periodically, safe with several
//! servers running):
//! * R1 pending ballot whose token has an émargement → confirm both (step 2 happened, so
//!   the vote counts);
//! * R2 pending ballot without émargement, already seen pending one pass and at least the
//!   grace period earlier → delete it, free the key, keep the token as aborted (the cast
//!   never reached step 2 and never returned a receipt);
//! * R3 émargement holding a token with no pending ballot → if the token was aborted,
//!   delete the émargement (its ballot is gone); otherwise clear the token (its ballot
//!   was confirmed).
//!
//! So a crash at any point loses no acknowledged ballot, leaves no ballot without its
//! émargement nor the reverse once recovery has run, and the token — the only link
//! between a voter and a ballot — never outlives the crash window.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use rand_core::RngCore;

use crate::ballots::{PendingBallot, PendingRefusal};
use crate::electors::NewEmargement;
use crate::error::Result;
use crate::stores::Stores;

/// Length of the one-time cast token.
const TOKEN_LEN: usize = 32;

/// A verified ballot to cast for a right (every check of protocol §6 up to the proofs has
/// passed).
#[derive(Debug, Clone)]
pub struct CastBallot<'a> {
    /// The voting right (electors store).
    pub right_id: &'a str,
    /// The scrutin of the right and of the ballot.
    pub scrutin_id: &'a str,
    /// The ballot's voting public key.
    pub voting_key: &'a [u8; 32],
    /// The ballot's tracking code.
    pub tracking_code: &'a [u8; 32],
    /// The ballot's JSON, as stored in the box.
    pub ballot: &'a str,
}

/// Why the stores refused a cast.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CastRefusal {
    /// The voting key is not in the scrutin's set.
    #[error("unknown voting key")]
    UnknownVotingKey,
    /// The voting key already cast a ballot.
    #[error("voting key already used")]
    VotingKeyUsed,
    /// The right already has an émargement.
    #[error("this right has already voted")]
    AlreadyVoted,
    /// The cast was undone by recovery while it was stalled; nothing is recorded.
    #[error("the cast took too long and was undone; nothing is recorded")]
    Undone,
}

/// Records a ballot and its émargement atomically (module doc). Returns the émargement
/// instant (`now`) for the receipt, or the refusal; on a refusal nothing stays stored.
pub async fn cast(stores: &Stores, now: DateTime<Utc>, ballot: &CastBallot<'_>) -> Result<Outcome> {
    let mut outcomes = cast_batch(stores, now, std::slice::from_ref(ballot)).await?;
    Ok(outcomes.pop().unwrap_or(Err(CastRefusal::Undone)))
}

/// What a cast gives: the émargement instant, or why nothing is recorded.
pub type Outcome = std::result::Result<DateTime<Utc>, CastRefusal>;

/// [`cast`] for several ballots at once, each with its own token and outcome (in input
/// order), as if cast one after the other in that order. Each step of the module doc runs
/// for the whole batch in one transaction per store, so a batch costs the durable commits
/// of one cast; the recovery rule is unchanged, since it works token by token. A database
/// error fails the whole batch: what was written by then is left to recovery, as for one
/// cast.
pub async fn cast_batch(
    stores: &Stores,
    now: DateTime<Utc>,
    batch: &[CastBallot<'_>],
) -> Result<Vec<Outcome>> {
    let tokens: Vec<[u8; TOKEN_LEN]> = batch
        .iter()
        .map(|_| {
            let mut token = [0u8; TOKEN_LEN];
            rand::rngs::OsRng.fill_bytes(&mut token);
            token
        })
        .collect();
    let mut outcomes: Vec<Outcome> = vec![Ok(now); batch.len()];

    // Step 1.
    let pending: Vec<PendingBallot<'_>> = batch
        .iter()
        .zip(&tokens)
        .map(|(b, token)| PendingBallot {
            scrutin_id: b.scrutin_id,
            voting_key: b.voting_key,
            tracking_code: b.tracking_code,
            ballot: b.ballot,
            token,
        })
        .collect();
    let step1 = stores.ballots.insert_pending_batch(&pending).await?;
    let mut live = Vec::with_capacity(batch.len());
    for (i, r) in step1.into_iter().enumerate() {
        match r {
            Ok(()) => live.push(i),
            Err(PendingRefusal::UnknownVotingKey) => {
                outcomes[i] = Err(CastRefusal::UnknownVotingKey)
            }
            Err(PendingRefusal::VotingKeyUsed) => outcomes[i] = Err(CastRefusal::VotingKeyUsed),
        }
    }

    // Step 2. A database error here leaves the outcome unknown (the insert may have
    // committed): the pending ballots stay for recovery, which decides by the émargement.
    let emargements: Vec<NewEmargement<'_>> = live
        .iter()
        .map(|&i| NewEmargement {
            right_id: batch[i].right_id,
            scrutin_id: batch[i].scrutin_id,
            token: &tokens[i],
        })
        .collect();
    let inserted = stores
        .electors
        .insert_emargements(&emargements, now)
        .await?;
    let mut voted = Vec::with_capacity(live.len());
    let mut refused = Vec::new();
    for (&i, ok) in live.iter().zip(inserted) {
        if ok { voted.push(i) } else { refused.push(i) }
    }
    if !refused.is_empty() {
        let refused_tokens: Vec<&[u8]> = refused.iter().map(|&i| &tokens[i][..]).collect();
        stores.ballots.abort_pending_batch(&refused_tokens).await?;
        for &i in &refused {
            outcomes[i] = Err(CastRefusal::AlreadyVoted);
        }
    }

    // Step 3.
    let voted_tokens: Vec<&[u8]> = voted.iter().map(|&i| &tokens[i][..]).collect();
    let confirmed = stores.ballots.confirm_pending_batch(&voted_tokens).await?;
    let mut clear = Vec::with_capacity(voted.len());
    for (&i, confirmed) in voted.iter().zip(confirmed) {
        let token = &tokens[i][..];
        if !confirmed && stores.ballots.is_aborted(token).await? {
            // Recovery took the pending ballot for a dead cast (a stall longer than its
            // grace period): undo the émargement too, so neither survives. (Not aborted
            // means recovery confirmed it already, R1: the vote stands.)
            stores.electors.delete_emargement_by_token(token).await?;
            outcomes[i] = Err(CastRefusal::Undone);
        } else {
            clear.push(token);
        }
    }
    stores.electors.clear_emargement_tokens(&clear).await?;
    Ok(outcomes)
}

/// What one recovery pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RecoveryReport {
    /// R1: pending ballots confirmed because their émargement exists.
    pub confirmed: usize,
    /// R2: pending ballots deleted because their cast never reached the émargement.
    pub deleted: usize,
    /// R3: émargement tokens cleared (their ballot was confirmed).
    pub cleared: usize,
    /// R3: émargements deleted because their ballot was undone.
    pub emargements_deleted: usize,
    /// Pending ballots without émargement seen for the first time (left for a later pass).
    pub waiting: usize,
}

/// The recovery rule (module doc). Keeps, between passes, the tokens it saw pending
/// without émargement: only those still pending after the grace period are deleted, so a
/// cast in flight on another server is never undone (ballot rows have no timestamp to
/// tell their age).
#[derive(Debug)]
pub struct Recovery {
    grace: Duration,
    seen: HashMap<Vec<u8>, Instant>,
}

impl Recovery {
    /// A recovery whose R2 waits `grace` (much longer than any cast; 60 s in servers).
    pub fn new(grace: Duration) -> Recovery {
        Recovery {
            grace,
            seen: HashMap::new(),
        }
    }

    /// One pass of R1, R2, R3.
    pub async fn run(&mut self, stores: &Stores) -> Result<RecoveryReport> {
        let mut report = RecoveryReport::default();
        let now = Instant::now();
        let mut still_seen = HashMap::new();
        for token in stores.ballots.pending_tokens().await? {
            if stores.electors.has_emargement_token(&token).await? {
                // R1
                if stores.ballots.confirm_pending(&token).await? {
                    report.confirmed += 1;
                }
                stores.electors.clear_emargement_token(&token).await?;
                continue;
            }
            match self.seen.get(&token) {
                Some(&first) if now.duration_since(first) >= self.grace => {
                    // R2
                    if stores.ballots.abort_pending(&token).await? {
                        report.deleted += 1;
                    }
                }
                Some(&first) => {
                    still_seen.insert(token, first);
                    report.waiting += 1;
                }
                None => {
                    still_seen.insert(token, now);
                    report.waiting += 1;
                }
            }
        }
        self.seen = still_seen;
        for token in stores.electors.emargement_tokens().await? {
            if stores.ballots.is_pending(&token).await? {
                continue; // a cast between steps 2 and 3, or R1 above will see it
            }
            // R3
            if stores.ballots.is_aborted(&token).await? {
                if stores.electors.delete_emargement_by_token(&token).await? {
                    report.emargements_deleted += 1;
                }
            } else {
                stores.electors.clear_emargement_token(&token).await?;
                report.cleared += 1;
            }
        }
        if report != RecoveryReport::default() {
            tracing::info!(?report, "cast recovery pass");
        }
        Ok(report)
    }
}
