//! The ballots store: per-scrutin sets of voting public keys, the ballot box and the board's
//! epoch heads. Nothing here says who voted; ballot rows have no timestamp and no
//! arrival sequence: the box is keyed by tracking code.

use chrono::{DateTime, Utc};

use crate::backend::{BeginWrite, Db, Kind, with_db};
use crate::copy_in::copy_rows;
use crate::error::{Result, StoreError};

/// Handle on the ballots store.
#[derive(Debug, Clone)]
pub struct Ballots {
    pub(crate) db: Db,
}

const CHUNK: usize = 4000;

/// Indexes of `items` in the order of `key` (stable): batched writes take their row locks
/// in this order.
pub(crate) fn sorted_order<T, K: Ord>(items: &[T], key: impl Fn(&T) -> K) -> Vec<usize> {
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by_key(|&i| key(&items[i]));
    order
}

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
        let taken = || StoreError::unique_as_conflict("voting key already in the scrutin's set");
        match &self.db {
            Db::Postgres(pool) => {
                let mut tx = pool.begin_write().await?;
                copy_rows(
                    &mut tx,
                    "COPY voting_keys (scrutin_id, voting_key) FROM STDIN (FORMAT binary)",
                    keys.iter().map(|k| [scrutin_id.as_bytes(), &k[..]]),
                    |e| taken()(e),
                )
                .await?;
                tx.commit().await?;
            }
            Db::Sqlite { writer, .. } => {
                let mut tx = writer.begin_write().await?;
                for chunk in keys.chunks(CHUNK) {
                    let mut q = sqlx::QueryBuilder::new(
                        "INSERT INTO voting_keys (scrutin_id, voting_key) ",
                    );
                    q.push_values(chunk, |mut b, k| {
                        b.push_bind(scrutin_id).push_bind(k.to_vec());
                    });
                    q.build().execute(&mut *tx).await.map_err(taken())?;
                }
                tx.commit().await?;
            }
        }
        Ok(())
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

    /// Step 1 of the atomic cast for one ballot: [`Ballots::insert_pending_batch`] of one.
    pub async fn insert_pending(
        &self,
        b: &PendingBallot<'_>,
    ) -> Result<std::result::Result<(), PendingRefusal>> {
        let mut outcomes = self.insert_pending_batch(std::slice::from_ref(b)).await?;
        Ok(outcomes.pop().unwrap_or(Err(PendingRefusal::VotingKeyUsed)))
    }

    /// Step 1 of the atomic cast for several ballots, in one transaction: for each, marks
    /// its voting key used and inserts it as pending, or says why not. The key's "used"
    /// mark and the unique (scrutin, voting key) pair make one ballot per key, whatever the
    /// concurrency; a key named twice in a batch is refused the second time (the first mark
    /// is already visible). One outcome per ballot, in input order.
    pub async fn insert_pending_batch(
        &self,
        batch: &[PendingBallot<'_>],
    ) -> Result<Vec<std::result::Result<(), PendingRefusal>>> {
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        match &self.db {
            Db::Postgres(pool) => insert_pending_pg(pool, batch).await,
            Db::Sqlite { writer, .. } => insert_pending_sqlite(writer, batch).await,
        }
    }

    /// Undoes step 1: deletes the pending ballot of `token`, frees its voting key and
    /// keeps the token as aborted (see [`Ballots::is_aborted`]). Returns whether a pending
    /// ballot was there.
    pub async fn abort_pending(&self, token: &[u8]) -> Result<bool> {
        Ok(self.abort_pending_batch(&[token]).await?.pop() == Some(true))
    }

    /// [`Ballots::abort_pending`] for several tokens in one transaction; whether each had a
    /// pending ballot, in input order.
    pub async fn abort_pending_batch(&self, tokens: &[&[u8]]) -> Result<Vec<bool>> {
        if tokens.is_empty() {
            return Ok(Vec::new());
        }
        with_db!(
            &self.db,
            write
                | p
                | {
                    let mut tx = p.begin_write().await?;
                    let mut found = Vec::with_capacity(tokens.len());
                    for &token in tokens {
                        let row: Option<(String, Vec<u8>)> = sqlx::query_as(
                            "SELECT scrutin_id, voting_key FROM ballots WHERE pending_token = $1",
                        )
                        .bind(token)
                        .fetch_optional(&mut *tx)
                        .await?;
                        let Some((scrutin_id, voting_key)) = row else {
                            found.push(false);
                            continue;
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
                        found.push(true);
                    }
                    tx.commit().await?;
                    Ok(found)
                }
        )
    }

    /// Step 3 of the atomic cast: the ballot is in the box for good.
    pub async fn confirm_pending(&self, token: &[u8]) -> Result<bool> {
        Ok(self.confirm_pending_batch(&[token]).await?.pop() == Some(true))
    }

    /// [`Ballots::confirm_pending`] for several tokens in one transaction (one durable
    /// commit); whether each was still pending, in input order.
    pub async fn confirm_pending_batch(&self, tokens: &[&[u8]]) -> Result<Vec<bool>> {
        if tokens.is_empty() {
            return Ok(Vec::new());
        }
        match &self.db {
            Db::Postgres(pool) => {
                let confirmed: Vec<Vec<u8>> = sqlx::query_scalar(
                    "UPDATE ballots b SET pending_token = NULL FROM UNNEST($1::bytea[]) AS t(token) \
                     WHERE b.pending_token = t.token RETURNING t.token",
                )
                .bind(tokens)
                .fetch_all(pool)
                .await?;
                Ok(tokens
                    .iter()
                    .map(|t| confirmed.iter().any(|c| c == t))
                    .collect())
            }
            Db::Sqlite { writer, .. } => {
                let mut tx = writer.begin_write().await?;
                let mut done = Vec::with_capacity(tokens.len());
                for &token in tokens {
                    let r = sqlx::query(
                        "UPDATE ballots SET pending_token = NULL WHERE pending_token = $1",
                    )
                    .bind(token)
                    .execute(&mut *tx)
                    .await?;
                    done.push(r.rows_affected() == 1);
                }
                tx.commit().await?;
                Ok(done)
            }
        }
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

/// Step 1 on PostgreSQL, in four statements whatever the batch size: the keys' rows are
/// read and locked in key order (so batches sharing keys queue instead of deadlocking),
/// the winners chosen here, then marked and inserted with arrays.
async fn insert_pending_pg(
    pool: &sqlx::PgPool,
    batch: &[PendingBallot<'_>],
) -> Result<Vec<std::result::Result<(), PendingRefusal>>> {
    let scrutins: Vec<&str> = batch.iter().map(|b| b.scrutin_id).collect();
    let keys: Vec<&[u8]> = batch.iter().map(|b| &b.voting_key[..]).collect();
    let mut tx = pool.begin().await?;
    let mut known: Vec<(String, Vec<u8>, bool)> = sqlx::query_as(
        "SELECT scrutin_id, voting_key, used FROM voting_keys \
         WHERE (scrutin_id, voting_key) IN (SELECT * FROM UNNEST($1::text[], $2::bytea[])) \
         ORDER BY scrutin_id, voting_key FOR UPDATE",
    )
    .bind(&scrutins)
    .bind(&keys)
    .fetch_all(&mut *tx)
    .await?;
    let mut outcomes = Vec::with_capacity(batch.len());
    let mut winners = Vec::new();
    for (i, b) in batch.iter().enumerate() {
        let row = known
            .iter_mut()
            .find(|(s, k, _)| s == b.scrutin_id && k[..] == b.voting_key[..]);
        outcomes.push(match row {
            None => Err(PendingRefusal::UnknownVotingKey),
            Some((_, _, used)) if *used => Err(PendingRefusal::VotingKeyUsed),
            Some((_, _, used)) => {
                // Later ballots of the same key in this batch see it used.
                *used = true;
                winners.push(i);
                Ok(())
            }
        });
    }
    if !winners.is_empty() {
        let w_scrutins: Vec<&str> = winners.iter().map(|&i| batch[i].scrutin_id).collect();
        let w_keys: Vec<&[u8]> = winners.iter().map(|&i| &batch[i].voting_key[..]).collect();
        let w_codes: Vec<&[u8]> = winners
            .iter()
            .map(|&i| &batch[i].tracking_code[..])
            .collect();
        let w_tokens: Vec<&[u8]> = winners.iter().map(|&i| batch[i].token).collect();
        mark_keys_pg(&mut tx, &w_scrutins, &w_keys, true).await?;
        let w_ballots: Vec<&str> = winners.iter().map(|&i| batch[i].ballot).collect();
        let inserted: Vec<Vec<u8>> = sqlx::query_scalar(
            "INSERT INTO ballots (tracking_code, scrutin_id, voting_key, ballot, pending_token) \
             SELECT * FROM UNNEST($1::bytea[], $2::text[], $3::bytea[], $4::text[], $5::bytea[]) \
             ON CONFLICT DO NOTHING RETURNING pending_token",
        )
        .bind(&w_codes)
        .bind(&w_scrutins)
        .bind(&w_keys)
        .bind(&w_ballots)
        .bind(&w_tokens)
        .fetch_all(&mut *tx)
        .await?;
        // A conflict (a ballot of this key or code already in the box while the key was
        // unmarked) refuses that ballot alone, and its key's mark is undone as a rollback
        // would.
        let clashed: Vec<usize> = winners
            .iter()
            .copied()
            .filter(|&i| !inserted.iter().any(|t| t[..] == *batch[i].token))
            .collect();
        if !clashed.is_empty() {
            let c_scrutins: Vec<&str> = clashed.iter().map(|&i| batch[i].scrutin_id).collect();
            let c_keys: Vec<&[u8]> = clashed.iter().map(|&i| &batch[i].voting_key[..]).collect();
            mark_keys_pg(&mut tx, &c_scrutins, &c_keys, false).await?;
            for i in clashed {
                outcomes[i] = Err(PendingRefusal::VotingKeyUsed);
            }
        }
    }
    tx.commit().await?;
    Ok(outcomes)
}

/// Sets the "used" mark of the keys `(scrutins[n], keys[n])` on PostgreSQL.
async fn mark_keys_pg(
    tx: &mut sqlx::Transaction<'static, sqlx::Postgres>,
    scrutins: &[&str],
    keys: &[&[u8]],
    used: bool,
) -> Result<()> {
    sqlx::query(
        "UPDATE voting_keys SET used = $3 \
         WHERE (scrutin_id, voting_key) IN (SELECT * FROM UNNEST($1::text[], $2::bytea[]))",
    )
    .bind(scrutins)
    .bind(keys)
    .bind(used)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Step 1 on SQLite: one statement per ballot (no round trips in process), in key order,
/// in one write transaction.
async fn insert_pending_sqlite(
    writer: &sqlx::SqlitePool,
    batch: &[PendingBallot<'_>],
) -> Result<Vec<std::result::Result<(), PendingRefusal>>> {
    let order = sorted_order(batch, |b| (b.scrutin_id, b.voting_key));
    let mut tx = writer.begin_write().await?;
    let mut outcomes = vec![Err(PendingRefusal::VotingKeyUsed); batch.len()];
    for &i in &order {
        let b = &batch[i];
        let marked = sqlx::query(
            "UPDATE voting_keys SET used = TRUE WHERE scrutin_id = $1 AND voting_key = $2 AND used = FALSE",
        )
        .bind(b.scrutin_id)
        .bind(&b.voting_key[..])
        .execute(&mut *tx)
        .await?;
        if marked.rows_affected() != 1 {
            let known: Option<bool> = sqlx::query_scalar(
                "SELECT used FROM voting_keys WHERE scrutin_id = $1 AND voting_key = $2",
            )
            .bind(b.scrutin_id)
            .bind(&b.voting_key[..])
            .fetch_optional(&mut *tx)
            .await?;
            if known.is_none() {
                outcomes[i] = Err(PendingRefusal::UnknownVotingKey);
            }
            continue;
        }
        // As on PostgreSQL: a conflict refuses this ballot alone and undoes its key's mark.
        let inserted = sqlx::query(
            "INSERT INTO ballots (tracking_code, scrutin_id, voting_key, ballot, pending_token) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        )
        .bind(&b.tracking_code[..])
        .bind(b.scrutin_id)
        .bind(&b.voting_key[..])
        .bind(b.ballot)
        .bind(b.token)
        .execute(&mut *tx)
        .await?;
        if inserted.rows_affected() == 1 {
            outcomes[i] = Ok(());
        } else {
            sqlx::query(
                "UPDATE voting_keys SET used = FALSE WHERE scrutin_id = $1 AND voting_key = $2",
            )
            .bind(b.scrutin_id)
            .bind(&b.voting_key[..])
            .execute(&mut *tx)
            .await?;
        }
    }
    tx.commit().await?;
    Ok(outcomes)
}
