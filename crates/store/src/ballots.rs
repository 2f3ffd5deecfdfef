//! The ballots store: per-scrutin sets of voting public keys, the ballot box and the board's
//! epoch heads. Nothing here says who voted; ballot rows have no timestamp and no
//! arrival sequence: the box is keyed by tracking code.

use chrono::{DateTime, Utc};

use crate::backend::{BeginWrite, Db, Kind, with_db};
use crate::error::{Result, StoreError};

/// Handle on the ballots store.
#[derive(Debug, Clone)]
pub struct Ballots {
    pub(crate) db: Db,
}

const CHUNK: usize = 4000;

/// Why step 1 of a cast refused a ballot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PendingRefusal {
    /// The voting key is not in the scrutin's set.
    UnknownVotingKey,
    /// The voting key already cast a ballot (or one is in flight).
    VotingKeyUsed,
}

/// A ballot to record as pending (step 1 of the atomic cast).
#[derive(Debug, Clone)]
pub struct PendingBallot<'a> {
    /// Its scrutin.
    pub scrutin_id: &'a str,
    /// Voting public key (32 bytes).
    pub voting_key: &'a [u8; 32],
    /// Tracking code: SHA-256 of the ballot's canonical encoding.
    pub tracking_code: &'a [u8; 32],
    /// The ballot's JSON.
    pub ballot: &'a str,
    /// One-time token shared with the émargement while the cast is in flight.
    pub token: &'a [u8],
}

/// Where a ballot stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BallotStatus {
    /// Its scrutin.
    pub scrutin_id: String,
    /// Confirmed (not in flight).
    pub confirmed: bool,
    /// The epoch that published it, if closed.
    pub epoch: Option<i64>,
}

/// A signed epoch head of the public board (protocol §7).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct EpochHead {
    /// Its scrutin.
    pub scrutin_id: String,
    /// Epoch number, from 1.
    pub epoch: i64,
    /// Number of leaves in the log after this epoch.
    pub tree_size: i64,
    /// Merkle root (32 bytes).
    pub root: Vec<u8>,
    /// When it closed.
    pub closed_at: DateTime<Utc>,
    /// Platform signature of the head (64 bytes).
    pub signature: Vec<u8>,
}

impl Ballots {
    /// Adds voting public keys to a scrutin's set (all or none); a key already present is
    /// refused.
    pub async fn insert_voting_keys(&self, scrutin_id: &str, keys: &[[u8; 32]]) -> Result<()> {
        with_db!(
            &self.db,
            write | p | {
                let mut tx = p.begin_write().await?;
                for chunk in keys.chunks(CHUNK) {
                    let mut q = sqlx::QueryBuilder::new(
                        "INSERT INTO voting_keys (scrutin_id, voting_key) ",
                    );
                    q.push_values(chunk, |mut b, k| {
                        b.push_bind(scrutin_id).push_bind(k.to_vec());
                    });
                    q.build()
                        .execute(&mut *tx)
                        .await
                        .map_err(StoreError::unique_as_conflict(
                            "voting key already in the scrutin's set",
                        ))?;
                }
                tx.commit().await?;
                Ok(())
            }
        )
    }

    /// The scrutin's set of voting keys, sorted, with their "used" mark.
    pub async fn voting_keys(&self, scrutin_id: &str) -> Result<Vec<(Vec<u8>, bool)>> {
        with_db!(
            &self.db,
            read | p
                | {
                    Ok(sqlx::query_as(
                "SELECT voting_key, used FROM voting_keys WHERE scrutin_id = $1 ORDER BY voting_key",
            )
            .bind(scrutin_id)
            .fetch_all(p)
            .await?)
                }
        )
    }

    /// Number of voting keys of a scrutin.
    pub async fn count_voting_keys(&self, scrutin_id: &str) -> Result<i64> {
        with_db!(
            &self.db,
            read | p | {
                Ok(
                    sqlx::query_scalar("SELECT COUNT(*) FROM voting_keys WHERE scrutin_id = $1")
                        .bind(scrutin_id)
                        .fetch_one(p)
                        .await?,
                )
            }
        )
    }

    /// Whether a voting key is in the set (`None`: unknown; `Some(used)`).
    pub async fn voting_key_status(
        &self,
        scrutin_id: &str,
        voting_key: &[u8; 32],
    ) -> Result<Option<bool>> {
        with_db!(
            &self.db,
            read | p | {
                Ok(sqlx::query_scalar(
                    "SELECT used FROM voting_keys WHERE scrutin_id = $1 AND voting_key = $2",
                )
                .bind(scrutin_id)
                .bind(voting_key.to_vec())
                .fetch_optional(p)
                .await?)
            }
        )
    }

    /// Step 1 of the atomic cast: marks the voting key used and records the ballot as
    /// pending under `token`, in one transaction. The key's "used" mark and the unique
    /// (scrutin, voting key) pair make one ballot per key, whatever the concurrency.
    pub async fn insert_pending(
        &self,
        b: &PendingBallot<'_>,
    ) -> Result<std::result::Result<(), PendingRefusal>> {
        with_db!(
            &self.db,
            write
                | p
                | {
                    let mut tx = p.begin_write().await?;
                    let marked = sqlx::query(
                "UPDATE voting_keys SET used = TRUE WHERE scrutin_id = $1 AND voting_key = $2 AND used = FALSE",
            )
            .bind(b.scrutin_id)
            .bind(b.voting_key.to_vec())
            .execute(&mut *tx)
            .await?;
                    if marked.rows_affected() != 1 {
                        let known: Option<bool> = sqlx::query_scalar(
                    "SELECT used FROM voting_keys WHERE scrutin_id = $1 AND voting_key = $2",
                )
                .bind(b.scrutin_id)
                .bind(b.voting_key.to_vec())
                .fetch_optional(&mut *tx)
                .await?;
                        return Ok(Err(match known {
                            None => PendingRefusal::UnknownVotingKey,
                            Some(_) => PendingRefusal::VotingKeyUsed,
                        }));
                    }
                    let inserted = sqlx::query(
                "INSERT INTO ballots (tracking_code, scrutin_id, voting_key, ballot, pending_token) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(b.tracking_code.to_vec())
            .bind(b.scrutin_id)
            .bind(b.voting_key.to_vec())
            .bind(b.ballot)
            .bind(b.token)
            .execute(&mut *tx)
            .await;
                    match inserted {
                        Ok(_) => {}
                        Err(e) => {
                            let e = StoreError::from(e);
                            if e.is_unique_violation() {
                                return Ok(Err(PendingRefusal::VotingKeyUsed));
                            }
                            return Err(e);
                        }
                    }
                    tx.commit().await?;
                    Ok(Ok(()))
                }
        )
    }

    /// Undoes step 1: deletes the pending ballot of `token`, frees its voting key and
    /// keeps the token as aborted (see [`Ballots::is_aborted`]). Returns whether a pending
    /// ballot was there.
    pub async fn abort_pending(&self, token: &[u8]) -> Result<bool> {
        with_db!(
            &self.db,
            write | p | {
                let mut tx = p.begin_write().await?;
                let row: Option<(String, Vec<u8>)> = sqlx::query_as(
                    "SELECT scrutin_id, voting_key FROM ballots WHERE pending_token = $1",
                )
                .bind(token)
                .fetch_optional(&mut *tx)
                .await?;
                let Some((scrutin_id, voting_key)) = row else {
                    return Ok(false);
                };
                sqlx::query("DELETE FROM ballots WHERE pending_token = $1")
                    .bind(token)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(
                    "UPDATE voting_keys SET used = FALSE WHERE scrutin_id = $1 AND voting_key = $2",
                )
                .bind(&scrutin_id)
                .bind(&voting_key)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "INSERT INTO aborted_tokens (token) VALUES ($1) ON CONFLICT (token) DO NOTHING",
                )
                .bind(token)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(true)
            }
        )
    }

    /// Step 3 of the atomic cast: the ballot is in the box for good.
    pub async fn confirm_pending(&self, token: &[u8]) -> Result<bool> {
        with_db!(
            &self.db,
            write | p | {
                let done =
                    sqlx::query("UPDATE ballots SET pending_token = NULL WHERE pending_token = $1")
                        .bind(token)
                        .execute(p)
                        .await?;
                Ok(done.rows_affected() == 1)
            }
        )
    }

    /// Tokens of ballots still pending (in flight, or cut by a crash).
    pub async fn pending_tokens(&self) -> Result<Vec<Vec<u8>>> {
        with_db!(
            &self.db,
            read | p | {
                Ok(sqlx::query_scalar(
                    "SELECT pending_token FROM ballots WHERE pending_token IS NOT NULL",
                )
                .fetch_all(p)
                .await?)
            }
        )
    }

    /// Whether a ballot is pending under this token.
    pub async fn is_pending(&self, token: &[u8]) -> Result<bool> {
        with_db!(
            &self.db,
            read | p | {
                let n: i64 =
                    sqlx::query_scalar("SELECT COUNT(*) FROM ballots WHERE pending_token = $1")
                        .bind(token)
                        .fetch_one(p)
                        .await?;
                Ok(n > 0)
            }
        )
    }

    /// Whether a cast with this token was undone (its pending ballot deleted).
    pub async fn is_aborted(&self, token: &[u8]) -> Result<bool> {
        with_db!(
            &self.db,
            read | p | {
                let n: i64 =
                    sqlx::query_scalar("SELECT COUNT(*) FROM aborted_tokens WHERE token = $1")
                        .bind(token)
                        .fetch_one(p)
                        .await?;
                Ok(n > 0)
            }
        )
    }

    /// Number of confirmed ballots of a scrutin.
    pub async fn count_ballots(&self, scrutin_id: &str) -> Result<i64> {
        with_db!(
            &self.db,
            read | p | {
                Ok(sqlx::query_scalar(
                    "SELECT COUNT(*) FROM ballots WHERE scrutin_id = $1 AND pending_token IS NULL",
                )
                .bind(scrutin_id)
                .fetch_one(p)
                .await?)
            }
        )
    }

    /// Where a ballot stands, by tracking code.
    pub async fn ballot_status(&self, tracking_code: &[u8; 32]) -> Result<Option<BallotStatus>> {
        with_db!(
            &self.db,
            read | p
                | {
                    let row: Option<(String, bool, Option<i64>)> = sqlx::query_as(
                "SELECT scrutin_id, pending_token IS NULL, epoch FROM ballots WHERE tracking_code = $1",
            )
            .bind(tracking_code.to_vec())
            .fetch_optional(p)
            .await?;
                    Ok(row.map(|(scrutin_id, confirmed, epoch)| BallotStatus {
                        scrutin_id,
                        confirmed,
                        epoch,
                    }))
                }
        )
    }

    /// A confirmed ballot's JSON, by tracking code.
    pub async fn ballot(&self, tracking_code: &[u8; 32]) -> Result<Option<String>> {
        with_db!(
            &self.db,
            read | p | {
                Ok(sqlx::query_scalar(
                    "SELECT ballot FROM ballots WHERE tracking_code = $1 AND pending_token IS NULL",
                )
                .bind(tracking_code.to_vec())
                .fetch_optional(p)
                .await?)
            }
        )
    }

    /// Confirmed ballots of a scrutin (tracking code, JSON), by tracking code: the box.
    pub async fn ballots(&self, scrutin_id: &str) -> Result<Vec<(Vec<u8>, String)>> {
        with_db!(
            &self.db,
            read | p
                | {
                    Ok(sqlx::query_as(
                "SELECT tracking_code, ballot FROM ballots WHERE scrutin_id = $1 AND pending_token IS NULL ORDER BY tracking_code",
            )
            .bind(scrutin_id)
            .fetch_all(p)
            .await?)
                }
        )
    }

    /// The epoch heads of a scrutin, in order.
    pub async fn epochs(&self, scrutin_id: &str) -> Result<Vec<EpochHead>> {
        with_db!(
            &self.db,
            read | p
                | {
                    Ok(sqlx::query_as(
                "SELECT scrutin_id, epoch, tree_size, root, closed_at, signature FROM epochs WHERE scrutin_id = $1 ORDER BY epoch",
            )
            .bind(scrutin_id)
            .fetch_all(p)
            .await?)
                }
        )
    }

    /// The tracking codes of one epoch, sorted.
    pub async fn epoch_codes(&self, scrutin_id: &str, epoch: i64) -> Result<Vec<Vec<u8>>> {
        with_db!(
            &self.db,
            read | p
                | {
                    Ok(sqlx::query_scalar(
                "SELECT tracking_code FROM ballots WHERE scrutin_id = $1 AND epoch = $2 ORDER BY tracking_code",
            )
            .bind(scrutin_id)
            .bind(epoch)
            .fetch_all(p)
            .await?)
                }
        )
    }

    /// Every published tracking code of a scrutin, in log order (epoch, then code).
    pub async fn published_codes(&self, scrutin_id: &str) -> Result<Vec<Vec<u8>>> {
        with_db!(
            &self.db,
            read | p
                | {
                    Ok(sqlx::query_scalar(
                "SELECT tracking_code FROM ballots WHERE scrutin_id = $1 AND epoch IS NOT NULL ORDER BY epoch, tracking_code",
            )
            .bind(scrutin_id)
            .fetch_all(p)
            .await?)
                }
        )
    }

    /// Number of confirmed ballots not yet in an epoch.
    pub async fn count_unpublished(&self, scrutin_id: &str) -> Result<i64> {
        with_db!(
            &self.db,
            read | p
                | {
                    Ok(sqlx::query_scalar(
                "SELECT COUNT(*) FROM ballots WHERE scrutin_id = $1 AND epoch IS NULL AND pending_token IS NULL",
            )
            .bind(scrutin_id)
            .fetch_one(p)
            .await?)
                }
        )
    }

    /// Closes the next epoch of a scrutin in one transaction: takes every confirmed,
    /// unpublished ballot, lets `make_head` compute the signed head from the previous
    /// log (codes in log order) and the new codes (sorted), stores the head and marks the
    /// ballots. `decide` sees the previous head and the number of waiting ballots and
    /// says whether to close now. Returns the new head, or `None` when nothing was closed.
    /// Concurrent closers (several servers) are serialised by the write lock (SQLite) or
    /// a lock on the scrutin's epochs (PostgreSQL); the loser sees the new state.
    pub async fn close_epoch<D, M>(
        &self,
        scrutin_id: &str,
        decide: D,
        make_head: M,
    ) -> Result<Option<EpochHead>>
    where
        D: FnOnce(Option<&EpochHead>, i64) -> bool + Send,
        M: FnOnce(Option<&EpochHead>, &[Vec<u8>], &[Vec<u8>]) -> Result<EpochHead> + Send,
    {
        with_db!(
            &self.db,
            write
                | p
                | {
                    let mut tx = p.begin_write().await?;
                    if self.db.kind() == Kind::Postgres {
                        sqlx::query(
                            "SELECT pg_advisory_xact_lock(hashtext('scrutin-epochs:' || $1))",
                        )
                        .bind(scrutin_id)
                        .execute(&mut *tx)
                        .await?;
                    }
                    let last: Option<EpochHead> = sqlx::query_as(
                "SELECT scrutin_id, epoch, tree_size, root, closed_at, signature FROM epochs WHERE scrutin_id = $1 ORDER BY epoch DESC LIMIT 1",
            )
            .bind(scrutin_id)
            .fetch_optional(&mut *tx)
            .await?;
                    let new_codes: Vec<Vec<u8>> = sqlx::query_scalar(
                "SELECT tracking_code FROM ballots WHERE scrutin_id = $1 AND epoch IS NULL AND pending_token IS NULL ORDER BY tracking_code",
            )
            .bind(scrutin_id)
            .fetch_all(&mut *tx)
            .await?;
                    if new_codes.is_empty() || !decide(last.as_ref(), new_codes.len() as i64) {
                        return Ok(None);
                    }
                    let old_codes: Vec<Vec<u8>> = sqlx::query_scalar(
                "SELECT tracking_code FROM ballots WHERE scrutin_id = $1 AND epoch IS NOT NULL ORDER BY epoch, tracking_code",
            )
            .bind(scrutin_id)
            .fetch_all(&mut *tx)
            .await?;
                    let head = make_head(last.as_ref(), &old_codes, &new_codes)?;
                    sqlx::query(
                "INSERT INTO epochs (scrutin_id, epoch, tree_size, root, closed_at, signature) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&head.scrutin_id)
            .bind(head.epoch)
            .bind(head.tree_size)
            .bind(&head.root)
            .bind(head.closed_at)
            .bind(&head.signature)
            .execute(&mut *tx)
            .await?;
                    for chunk in new_codes.chunks(CHUNK) {
                        let mut q = sqlx::QueryBuilder::new("UPDATE ballots SET epoch = ");
                        q.push_bind(head.epoch);
                        q.push(" WHERE scrutin_id = ");
                        q.push_bind(scrutin_id);
                        q.push(" AND tracking_code IN (");
                        let mut sep = q.separated(", ");
                        for c in chunk {
                            sep.push_bind(c.clone());
                        }
                        q.push(")");
                        q.build().execute(&mut *tx).await?;
                    }
                    tx.commit().await?;
                    Ok(Some(head))
                }
        )
    }
}
