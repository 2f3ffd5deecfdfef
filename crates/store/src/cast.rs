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
pub async fn cast(
    stores: &Stores,
    now: DateTime<Utc>,
    ballot: &CastBallot<'_>,
) -> Result<std::result::Result<DateTime<Utc>, CastRefusal>> {
    let mut token = [0u8; TOKEN_LEN];
    rand::rngs::OsRng.fill_bytes(&mut token);

    // Step 1.
    let pending = PendingBallot {
        scrutin_id: ballot.scrutin_id,
        voting_key: ballot.voting_key,
        tracking_code: ballot.tracking_code,
        ballot: ballot.ballot,
        token: &token,
    };
    match stores.ballots.insert_pending(&pending).await? {
        Ok(()) => {}
        Err(PendingRefusal::UnknownVotingKey) => return Ok(Err(CastRefusal::UnknownVotingKey)),
        Err(PendingRefusal::VotingKeyUsed) => return Ok(Err(CastRefusal::VotingKeyUsed)),
    }

    // Step 2. A database error here leaves the outcome unknown (the insert may have
    // committed): the pending ballot stays for recovery, which decides by the émargement.
    let inserted = stores
        .electors
        .insert_emargement(ballot.right_id, ballot.scrutin_id, now, &token)
        .await?;
    if !inserted {
        stores.ballots.abort_pending(&token).await?;
        return Ok(Err(CastRefusal::AlreadyVoted));
    }

    // Step 3.
    if !stores.ballots.confirm_pending(&token).await? && stores.ballots.is_aborted(&token).await? {
        // Recovery took the pending ballot for a dead cast (a stall longer than its grace
        // period): undo the émargement too, so neither survives. (Not aborted means
        // recovery confirmed it already, R1: the vote stands.)
        stores.electors.delete_emargement_by_token(&token).await?;
        return Ok(Err(CastRefusal::Undone));
    }
    stores.electors.clear_emargement_token(&token).await?;
    Ok(Ok(now))
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
