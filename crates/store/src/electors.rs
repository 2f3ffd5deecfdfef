//! The electors store: voting rights with their encrypted personal data, login public keys,
//! lockouts, the émargement register and resend requests. It never holds a ballot
//! nor a voting key.

use chrono::{DateTime, Duration, Utc};

use crate::backend::{BeginWrite, Db, LockRightsList, RightsList, with_db};
use crate::copy_in::copy_rows;
use crate::error::{Result, StoreError};
use crate::lockout::{self, Counter};

/// Handle on the electors store.
#[derive(Debug, Clone)]
pub struct Electors {
    pub(crate) db: Db,
}

/// Rows per bulk statement (under both engines' limits on bound parameters).
const CHUNK: usize = 2000;
/// Logins per `INSERT … UNNEST` on PostgreSQL.
const LOGINS_PER_STATEMENT: usize = 50_000;

/// A voting right to insert (from the voter file, R-11).
#[derive(Debug, Clone)]
pub struct NewRight {
    /// System-wide identifier: chamber code + elector number (13 digits).
    pub right_id: String,
    /// The scrutin this right votes in.
    pub scrutin_id: String,
    /// Chamber code.
    pub chamber_code: String,
    /// The voter-file row, sealed under the chamber's data key.
    pub personal: Vec<u8>,
    /// What its letters print of it, sealed under the same key (`crate::addressee`).
    pub addressee: Vec<u8>,
    /// Keyed digest of the birth date, `None` when there is no check (`01011901`).
    pub birth_check: Option<Vec<u8>>,
}

/// What login needs about a right.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RightLogin {
    /// System-wide identifier.
    pub right_id: String,
    /// Its scrutin.
    pub scrutin_id: String,
    /// Its chamber.
    pub chamber_code: String,
    /// Login public key (32 bytes), `None` before credentials are generated.
    pub login_key: Option<Vec<u8>>,
    /// Keyed digest of the birth date, `None` for no check.
    pub birth_check: Option<Vec<u8>>,
    /// Generation of the voting material: 0, then +1 per resend.
    pub material: i64,
    /// Failures since the last success or lock.
    pub failures: i64,
    /// Locked until this instant.
    pub locked_until: Option<DateTime<Utc>>,
    /// Its émargement instant, once it voted.
    pub voted_at: Option<DateTime<Utc>>,
}

/// A right with its sealed personal data, for letters and exports.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RightPersonal {
    /// System-wide identifier.
    pub right_id: String,
    /// Its scrutin.
    pub scrutin_id: String,
    /// Its chamber.
    pub chamber_code: String,
    /// Sealed personal data.
    pub personal: Vec<u8>,
    /// Login identifier, once credentials exist.
    pub identifier: Option<String>,
}

/// A right's identifier and sealed addressee: what credential generation reads.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SealedRight {
    /// System-wide identifier.
    pub right_id: String,
    /// What its letters print, sealed; `None` for a right imported before addressees
    /// were sealed apart.
    pub addressee: Option<Vec<u8>>,
    /// Its sealed personal data, only where it has no addressee (letters are then read
    /// from it).
    pub personal: Option<Vec<u8>>,
}

/// Outcome of a counted failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureOutcome {
    /// Counted; `remaining` attempts before the lock.
    Counted {
        /// Attempts left.
        remaining: i64,
    },
    /// This failure locked the right until the instant.
    Locked(DateTime<Utc>),
}

/// A stored resend request.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ResendRow {
    /// Request identifier.
    pub id: String,
    /// Chamber the requester names.
    pub chamber_code: String,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// `pending`, `approved` or `refused`.
    pub status: String,
    /// The right the commission matched, once decided.
    pub right_id: Option<String>,
    /// The commission's reason (mandatory for a refusal).
    pub reason: Option<String>,
    /// When decided.
    pub decided_at: Option<DateTime<Utc>>,
    /// Sealed request fields and identity document.
    pub payload: Vec<u8>,
}

/// An émargement to record with its in-flight cast token (step 2 of the atomic cast).
#[derive(Debug, Clone, Copy)]
pub struct NewEmargement<'a> {
    /// The voting right.
    pub right_id: &'a str,
    /// Its scrutin.
    pub scrutin_id: &'a str,
    /// The cast's one-time token.
    pub token: &'a [u8],
}

impl Electors {
    /// Stores a chamber's wrapped data key; refuses to replace an existing one.
    pub async fn put_data_key(&self, chamber_code: &str, wrapped: &[u8]) -> Result<()> {
        with_db!(
            &self.db,
            write
                | p
                | {
                    let done = sqlx::query(
                "INSERT INTO data_keys (chamber_code, wrapped) VALUES ($1, $2) ON CONFLICT (chamber_code) DO NOTHING",
            )
            .bind(chamber_code)
            .bind(wrapped)
            .execute(p)
            .await?;
                    if done.rows_affected() == 0 {
                        return Err(StoreError::Conflict(format!(
                            "chamber {chamber_code} already has a data key"
                        )));
                    }
                    Ok(())
                }
        )
    }

    /// A chamber's wrapped data key.
    pub async fn data_key(&self, chamber_code: &str) -> Result<Option<Vec<u8>>> {
        with_db!(
            &self.db,
            read | p | {
                Ok(
                    sqlx::query_scalar("SELECT wrapped FROM data_keys WHERE chamber_code = $1")
                        .bind(chamber_code)
                        .fetch_optional(p)
                        .await?,
                )
            }
        )
    }

    /// Deletes data keys (one chamber, or all with `None`) and returns how many were
    /// deleted. With `secure_delete` (SQLite) the key bytes are overwritten; see
    /// docs/operations.md for PostgreSQL and backups.
    pub async fn delete_data_keys(&self, chamber_code: Option<&str>) -> Result<u64> {
        with_db!(
            &self.db,
            write | p | {
                let done = match chamber_code {
                    Some(c) => {
                        sqlx::query("DELETE FROM data_keys WHERE chamber_code = $1")
                            .bind(c)
                            .execute(p)
                            .await?
                    }
                    None => sqlx::query("DELETE FROM data_keys").execute(p).await?,
                };
                Ok(done.rows_affected())
            }
        )
    }

    /// Inserts voting rights in one transaction: all or none.
    pub async fn insert_rights(&self, rights: &[NewRight]) -> Result<()> {
        with_db!(
            &self.db,
            write
                | p
                | {
                    let mut tx = p.begin_write().await?;
                    for chunk in rights.chunks(CHUNK) {
                        let mut q = sqlx::QueryBuilder::new(
                            "INSERT INTO rights (right_id, scrutin_id, chamber_code, personal, addressee, birth_check) ",
                        );
                        q.push_values(chunk, |mut b, r| {
                            b.push_bind(&r.right_id)
                                .push_bind(&r.scrutin_id)
                                .push_bind(&r.chamber_code)
                                .push_bind(&r.personal)
                                .push_bind(&r.addressee)
                                .push_bind(&r.birth_check);
                        });
                        q.build().execute(&mut *tx).await.map_err(
                            StoreError::unique_as_conflict("a voting right is already registered"),
                        )?;
                    }
                    tx.commit().await?;
                    Ok(())
                }
        )
    }

    /// Rights of a scrutin, by identifier, with their login identifier once they have one.
    pub async fn rights_of_scrutin(&self, scrutin_id: &str) -> Result<Vec<RightPersonal>> {
        with_db!(
            &self.db,
            read | p
                | {
                    Ok(sqlx::query_as(
                        "SELECT r.right_id, r.scrutin_id, r.chamber_code, r.personal, l.identifier FROM rights r LEFT JOIN logins l ON l.right_id = r.right_id WHERE r.scrutin_id = $1 ORDER BY r.right_id",
                    )
                    .bind(scrutin_id)
                    .fetch_all(p)
                    .await?)
                }
        )
    }

    /// Up to `limit` rights of a scrutin that have no credentials yet, after `after` in
    /// identifier order (`""` for the first page), with only what the generation needs:
    /// the generation reads the next page while the previous one's keys are derived.
    pub async fn sealed_rights_page(
        &self,
        scrutin_id: &str,
        after: &str,
        limit: usize,
    ) -> Result<Vec<SealedRight>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        with_db!(
            &self.db,
            read | p
                | {
                    // `l.right_id > $2` says nothing new, but it starts PostgreSQL's merge
                    // anti-join at the page instead of at the first login: without it each
                    // page read every login written so far (uncommitted, each checked for
                    // visibility), 0.2 s a page at 1,000,000, quadratic over a generation.
                    Ok(sqlx::query_as(
                        "SELECT r.right_id, r.addressee, CASE WHEN r.addressee IS NULL THEN r.personal END AS personal \
                         FROM rights r WHERE r.scrutin_id = $1 AND r.right_id > $2 \
                         AND NOT EXISTS (SELECT 1 FROM logins l WHERE l.right_id = r.right_id AND l.right_id > $2) \
                         ORDER BY r.right_id LIMIT $3",
                    )
                    .bind(scrutin_id)
                    .bind(after)
                    .bind(limit)
                    .fetch_all(p)
                    .await?)
                }
        )
    }

    /// One right's sealed personal data (a resend's letter), `None` for an unknown right.
    pub async fn sealed_personal(&self, right_id: &str) -> Result<Option<Vec<u8>>> {
        with_db!(
            &self.db,
            read | p | {
                Ok(
                    sqlx::query_scalar("SELECT personal FROM rights WHERE right_id = $1")
                        .bind(right_id)
                        .fetch_optional(p)
                        .await?,
                )
            }
        )
    }

    /// Rights of a chamber, for a commission's export.
    pub async fn rights_of_chamber(&self, chamber_code: &str) -> Result<Vec<RightPersonal>> {
        with_db!(
            &self.db,
            read | p
                | {
                    Ok(sqlx::query_as(
                "SELECT r.right_id, r.scrutin_id, r.chamber_code, r.personal, l.identifier FROM rights r LEFT JOIN logins l ON l.right_id = r.right_id WHERE r.chamber_code = $1 ORDER BY r.right_id",
            )
            .bind(chamber_code)
            .fetch_all(p)
            .await?)
                }
        )
    }

    /// Number of rights of a scrutin (registered voters).
    pub async fn count_rights(&self, scrutin_id: &str) -> Result<i64> {
        with_db!(
            &self.db,
            read | p | {
                Ok(
                    sqlx::query_scalar("SELECT COUNT(*) FROM rights WHERE scrutin_id = $1")
                        .bind(scrutin_id)
                        .fetch_one(p)
                        .await?,
                )
            }
        )
    }

    /// Sets the login identifier and public key of rights that have none, in one
    /// transaction; refuses, writing nothing, if any right is unknown, already has
    /// credentials, or appears twice, or if an identifier is taken.
    pub async fn set_credentials(&self, creds: &[(String, String, [u8; 32])]) -> Result<()> {
        let mut logins = self.begin_logins().await?;
        logins.add(creds.to_vec()).await?;
        logins.commit().await
    }

    /// Starts writing logins in one transaction, a batch at a time ([`Logins::add`]), so
    /// that the credential generation sends each page's logins while the next page's keys
    /// are derived; nothing is visible, and nothing stays if [`Logins::commit`] is not
    /// reached. Same refusals as [`Electors::set_credentials`].
    pub async fn begin_logins(&self) -> Result<Logins> {
        self.open_logins(true).await
    }

    /// [`Electors::begin_logins`] for rights the caller reads from this store after the
    /// call: on PostgreSQL their existence is not checked again, row by row (2.3 µs of the
    /// server's CPU per login). The transaction holds the shared lock on the list of
    /// rights from its start, so a right read afterwards cannot be removed before the
    /// commit. SQLite checks anyway (its foreign key).
    pub(crate) async fn begin_logins_of_read_rights(&self) -> Result<Logins> {
        self.open_logins(false).await
    }

    async fn open_logins(&self, check_rights: bool) -> Result<Logins> {
        Ok(Logins(match &self.db {
            Db::Sqlite { writer, .. } => LoginsTx::Sqlite {
                writer: writer.clone(),
                rows: Vec::new(),
            },
            Db::Postgres(pool) => {
                let mut tx = pool.begin_write().await?;
                tx.lock_rights_list(RightsList::Credentials).await?;
                LoginsTx::Postgres {
                    tx,
                    check_rights,
                    refused: false,
                }
            }
        }))
    }

    /// Refreshes PostgreSQL's statistics of the rights and logins (`ANALYZE`). Right
    /// after a bulk import they still describe empty tables, and the planner answered
    /// each page of [`Electors::sealed_rights_page`] by sorting every right of the
    /// scrutin on disk (1.2 s a page at 500,000 rights, the whole generation read-bound).
    /// SQLite plans these queries from the indexes alone: nothing to do there.
    pub async fn refresh_statistics(&self) -> Result<()> {
        if let Db::Postgres(pool) = &self.db {
            sqlx::query("ANALYZE rights, logins").execute(pool).await?;
        }
        Ok(())
    }

    /// The right that holds a login identifier.
    pub async fn right_by_identifier(&self, identifier: &str) -> Result<Option<RightLogin>> {
        with_db!(
            &self.db,
            read | p
                | {
                    Ok(sqlx::query_as(
                "SELECT r.right_id, r.scrutin_id, r.chamber_code, l.login_key, r.birth_check, r.material, r.failures, r.locked_until, e.at AS voted_at FROM logins l JOIN rights r ON r.right_id = l.right_id LEFT JOIN emargements e ON e.right_id = r.right_id WHERE l.identifier = $1",
            )
            .bind(identifier)
            .fetch_optional(p)
            .await?)
                }
        )
    }

    /// One right.
    pub async fn right(&self, right_id: &str) -> Result<Option<RightLogin>> {
        with_db!(
            &self.db,
            read | p
                | {
                    Ok(sqlx::query_as(
                "SELECT r.right_id, r.scrutin_id, r.chamber_code, l.login_key, r.birth_check, r.material, r.failures, r.locked_until, e.at AS voted_at FROM rights r LEFT JOIN logins l ON l.right_id = r.right_id LEFT JOIN emargements e ON e.right_id = r.right_id WHERE r.right_id = $1",
            )
            .bind(right_id)
            .fetch_optional(p)
            .await?)
                }
        )
    }

    /// The login key of replaced material under this identifier, with its right.
    pub async fn replaced_material(&self, identifier: &str) -> Result<Option<(Vec<u8>, String)>> {
        with_db!(
            &self.db,
            read | p | {
                Ok(sqlx::query_as(
                    "SELECT login_key, right_id FROM replaced_material WHERE identifier = $1",
                )
                .bind(identifier)
                .fetch_optional(p)
                .await?)
            }
        )
    }

    /// Counts one login failure; the `threshold`-th failure in a row locks the right until
    /// `now + lock_for` and restarts the count. A failure while locked does not
    /// move the lock.
    pub async fn record_failure(
        &self,
        right_id: &str,
        now: DateTime<Utc>,
        threshold: i64,
        lock_for: Duration,
    ) -> Result<FailureOutcome> {
        let rights = Counter {
            table: "rights",
            key: "right_id",
            what: "right",
        };
        lockout::record_failure(&self.db, &rights, right_id, now, threshold, lock_for).await
    }

    /// Clears the failure count after a successful login step.
    pub async fn reset_failures(&self, right_id: &str) -> Result<()> {
        with_db!(
            &self.db,
            write | p | {
                sqlx::query("UPDATE rights SET failures = 0 WHERE right_id = $1 AND failures <> 0")
                    .bind(right_id)
                    .execute(p)
                    .await?;
                Ok(())
            }
        )
    }

    /// Replaces a right's voting material: the old identifier and login key stop
    /// working at once (kept only to tell their holder to use the new letter), the
    /// material generation moves on, and any lock is lifted.
    pub async fn replace_material(
        &self,
        right_id: &str,
        identifier: &str,
        login_key: &[u8; 32],
    ) -> Result<i64> {
        with_db!(
            &self.db,
            write
                | p
                | {
                    let mut tx = p.begin_write().await?;
                    tx.lock_rights_list(RightsList::Credentials).await?;
                    let old: Option<(Option<String>, Option<Vec<u8>>, i64)> = sqlx::query_as(
                        "SELECT l.identifier, l.login_key, r.material FROM rights r LEFT JOIN logins l ON l.right_id = r.right_id WHERE r.right_id = $1",
                    )
                    .bind(right_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                    let (old_identifier, old_key, material) =
                        old.ok_or_else(|| StoreError::NotFound(format!("right {right_id}")))?;
                    if let (Some(old_identifier), Some(old_key)) = (old_identifier, old_key) {
                        sqlx::query(
                    "INSERT INTO replaced_material (identifier, login_key, right_id) VALUES ($1, $2, $3)",
                )
                .bind(old_identifier)
                .bind(old_key)
                .bind(right_id)
                .execute(&mut *tx)
                .await?;
                    }
                    sqlx::query(
                "INSERT INTO logins (right_id, identifier, login_key) VALUES ($1, $2, $3) \
                 ON CONFLICT (right_id) DO UPDATE SET identifier = excluded.identifier, login_key = excluded.login_key",
            )
            .bind(right_id)
            .bind(identifier)
            .bind(login_key.to_vec())
            .execute(&mut *tx)
            .await
            .map_err(StoreError::unique_as_conflict("duplicate login identifier"))?;
                    sqlx::query(
                "UPDATE rights SET material = $1, failures = 0, locked_until = NULL WHERE right_id = $2",
            )
            .bind(material + 1)
            .bind(right_id)
            .execute(&mut *tx)
            .await?;
                    tx.commit().await?;
                    Ok(material + 1)
                }
        )
    }

    /// Records an émargement with an in-flight cast token (step 2 of the atomic cast).
    /// Returns `false`, writing nothing, when the right already has one.
    pub async fn insert_emargement(
        &self,
        right_id: &str,
        scrutin_id: &str,
        at: DateTime<Utc>,
        token: &[u8],
    ) -> Result<bool> {
        let one = NewEmargement {
            right_id,
            scrutin_id,
            token,
        };
        Ok(self.insert_emargements(&[one], at).await?.pop() == Some(true))
    }

    /// [`Electors::insert_emargement`] for several casts in one transaction (one durable
    /// commit): whether each was recorded, in input order. A right named twice is
    /// recorded once, the first time.
    pub async fn insert_emargements(
        &self,
        batch: &[NewEmargement<'_>],
        at: DateTime<Utc>,
    ) -> Result<Vec<bool>> {
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        // Index entries are taken in right order, so two batches naming the same rights
        // wait for each other instead of deadlocking (PostgreSQL).
        let order = crate::ballots::sorted_order(batch, |e| e.right_id);
        match &self.db {
            Db::Postgres(pool) => {
                // One statement, its own transaction: the rows go in in array order.
                let rights: Vec<&str> = order.iter().map(|&i| batch[i].right_id).collect();
                let scrutins: Vec<&str> = order.iter().map(|&i| batch[i].scrutin_id).collect();
                let tokens: Vec<&[u8]> = order.iter().map(|&i| batch[i].token).collect();
                let inserted: Vec<Vec<u8>> = sqlx::query_scalar(
                    "INSERT INTO emargements (right_id, scrutin_id, at, token) \
                     SELECT r, s, $3, t FROM UNNEST($1::text[], $2::text[], $4::bytea[]) AS u(r, s, t) \
                     ON CONFLICT (right_id) DO NOTHING RETURNING token",
                )
                .bind(&rights)
                .bind(&scrutins)
                .bind(at)
                .bind(&tokens)
                .fetch_all(pool)
                .await?;
                Ok(batch
                    .iter()
                    .map(|e| inserted.iter().any(|t| t[..] == *e.token))
                    .collect())
            }
            Db::Sqlite { writer, .. } => {
                let mut tx = writer.begin_write().await?;
                let mut inserted = vec![false; batch.len()];
                for &i in &order {
                    let e = &batch[i];
                    let done = sqlx::query(
                        "INSERT INTO emargements (right_id, scrutin_id, at, token) \
                         VALUES ($1, $2, $3, $4) ON CONFLICT (right_id) DO NOTHING",
                    )
                    .bind(e.right_id)
                    .bind(e.scrutin_id)
                    .bind(at)
                    .bind(e.token)
                    .execute(&mut *tx)
                    .await?;
                    inserted[i] = done.rows_affected() == 1;
                }
                tx.commit().await?;
                Ok(inserted)
            }
        }
    }

    /// Clears an émargement's cast token (step 3 of the atomic cast, and recovery).
    pub async fn clear_emargement_token(&self, token: &[u8]) -> Result<()> {
        self.clear_emargement_tokens(&[token]).await
    }

    /// [`Electors::clear_emargement_token`] for several tokens in one transaction.
    pub async fn clear_emargement_tokens(&self, tokens: &[&[u8]]) -> Result<()> {
        if tokens.is_empty() {
            return Ok(());
        }
        match &self.db {
            Db::Postgres(pool) => {
                sqlx::query("UPDATE emargements SET token = NULL WHERE token = ANY($1)")
                    .bind(tokens)
                    .execute(pool)
                    .await?;
            }
            Db::Sqlite { writer, .. } => {
                let mut tx = writer.begin_write().await?;
                for &token in tokens {
                    sqlx::query("UPDATE emargements SET token = NULL WHERE token = $1")
                        .bind(token)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
            }
        }
        Ok(())
    }

    /// Deletes the émargement that holds `token`: only for a cast whose ballot was undone
    /// (recovery rule, docs/operations.md). Returns whether one was deleted.
    pub async fn delete_emargement_by_token(&self, token: &[u8]) -> Result<bool> {
        with_db!(
            &self.db,
            write | p | {
                let done = sqlx::query("DELETE FROM emargements WHERE token = $1")
                    .bind(token)
                    .execute(p)
                    .await?;
                Ok(done.rows_affected() == 1)
            }
        )
    }

    /// Tokens of émargements whose cast is still in flight (or was cut by a crash).
    pub async fn emargement_tokens(&self) -> Result<Vec<Vec<u8>>> {
        with_db!(
            &self.db,
            read | p | {
                Ok(
                    sqlx::query_scalar("SELECT token FROM emargements WHERE token IS NOT NULL")
                        .fetch_all(p)
                        .await?,
                )
            }
        )
    }

    /// Whether these tokens have an émargement (recovery).
    pub async fn has_emargement_token(&self, token: &[u8]) -> Result<bool> {
        with_db!(
            &self.db,
            read | p | {
                let n: i64 =
                    sqlx::query_scalar("SELECT COUNT(*) FROM emargements WHERE token = $1")
                        .bind(token)
                        .fetch_one(p)
                        .await?;
                Ok(n > 0)
            }
        )
    }

    /// The émargement instant of a right, if it voted.
    pub async fn emargement(&self, right_id: &str) -> Result<Option<DateTime<Utc>>> {
        with_db!(
            &self.db,
            read | p | {
                Ok(
                    sqlx::query_scalar("SELECT at FROM emargements WHERE right_id = $1")
                        .bind(right_id)
                        .fetch_optional(p)
                        .await?,
                )
            }
        )
    }

    /// Number of émargements of a scrutin (voters).
    pub async fn count_emargements(&self, scrutin_id: &str) -> Result<i64> {
        with_db!(
            &self.db,
            read | p | {
                Ok(
                    sqlx::query_scalar("SELECT COUNT(*) FROM emargements WHERE scrutin_id = $1")
                        .bind(scrutin_id)
                        .fetch_one(p)
                        .await?,
                )
            }
        )
    }

    /// The émargement register of a scrutin, by right (for the commission, R-74).
    pub async fn emargements(&self, scrutin_id: &str) -> Result<Vec<(String, DateTime<Utc>)>> {
        with_db!(
            &self.db,
            read | p | {
                Ok(sqlx::query_as(
                    "SELECT right_id, at FROM emargements WHERE scrutin_id = $1 ORDER BY right_id",
                )
                .bind(scrutin_id)
                .fetch_all(p)
                .await?)
            }
        )
    }

    /// Stores a resend request.
    pub async fn insert_resend_request(
        &self,
        id: &str,
        chamber_code: &str,
        created_at: DateTime<Utc>,
        payload: &[u8],
    ) -> Result<()> {
        with_db!(
            &self.db,
            write
                | p
                | {
                    sqlx::query(
                "INSERT INTO resend_requests (id, chamber_code, created_at, payload) VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(chamber_code)
            .bind(created_at)
            .bind(payload)
            .execute(p)
            .await?;
                    Ok(())
                }
        )
    }

    /// Resend requests of a chamber, oldest first.
    pub async fn resend_requests(&self, chamber_code: &str) -> Result<Vec<ResendRow>> {
        with_db!(
            &self.db,
            read | p
                | {
                    Ok(sqlx::query_as(
                "SELECT id, chamber_code, created_at, status, right_id, reason, decided_at, payload FROM resend_requests WHERE chamber_code = $1 ORDER BY created_at, id",
            )
            .bind(chamber_code)
            .fetch_all(p)
            .await?)
                }
        )
    }

    /// One resend request.
    pub async fn resend_request(&self, id: &str) -> Result<Option<ResendRow>> {
        with_db!(
            &self.db,
            read | p
                | {
                    Ok(sqlx::query_as(
                "SELECT id, chamber_code, created_at, status, right_id, reason, decided_at, payload FROM resend_requests WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(p)
            .await?)
                }
        )
    }

    /// Records the commission's decision on a pending request.
    pub async fn decide_resend_request(
        &self,
        id: &str,
        approved: bool,
        right_id: Option<&str>,
        reason: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<()> {
        with_db!(
            &self.db,
            write
                | p
                | {
                    let done = sqlx::query(
                "UPDATE resend_requests SET status = $1, right_id = $2, reason = $3, decided_at = $4 WHERE id = $5 AND status = 'pending'",
            )
            .bind(if approved { "approved" } else { "refused" })
            .bind(right_id)
            .bind(reason)
            .bind(at)
            .bind(id)
            .execute(p)
            .await?;
                    if done.rows_affected() == 0 {
                        return Err(StoreError::Conflict(format!(
                            "resend request {id} is unknown or already decided"
                        )));
                    }
                    Ok(())
                }
        )
    }

    /// Every login identifier in use or replaced (to draw new ones without collision).
    pub async fn all_identifiers(&self) -> Result<Vec<String>> {
        with_db!(
            &self.db,
            read | p | {
                Ok(sqlx::query_scalar(
                "SELECT identifier FROM logins UNION ALL SELECT identifier FROM replaced_material",
            )
            .fetch_all(p)
            .await?)
            }
        )
    }

    /// For a scrutin: rights with credentials, and resends (material generations past
    /// the first). Voting keys of the scrutin must number their sum (protocol §3).
    pub async fn credential_counts(&self, scrutin_id: &str) -> Result<(i64, i64)> {
        with_db!(
            &self.db,
            read | p
                | {
                    Ok(sqlx::query_as(
                "SELECT CAST(COUNT(l.identifier) AS BIGINT), CAST(COALESCE(SUM(r.material), 0) AS BIGINT) FROM rights r LEFT JOIN logins l ON l.right_id = r.right_id WHERE r.scrutin_id = $1",
            )
            .bind(scrutin_id)
            .fetch_one(p)
            .await?)
                }
        )
    }
}

/// Logins being written in one transaction ([`Electors::begin_logins`]).
pub struct Logins(LoginsTx);

enum LoginsTx {
    /// SQLite: the rows wait for [`Logins::commit`], which writes them in one statement.
    /// SQLite journals, for each statement after the first of a transaction, every page it
    /// dirties that an earlier one had dirtied: with identifiers in random order, a 4 KB
    /// page per login over batches of inserts (8 GB for 2,000,000).
    Sqlite {
        writer: sqlx::SqlitePool,
        rows: Vec<(String, String, [u8; 32])>,
    },
    /// PostgreSQL: each batch goes at once, in the open transaction, which holds the
    /// shared lock on the list of rights.
    Postgres {
        tx: sqlx::Transaction<'static, sqlx::Postgres>,
        /// Whether each login's right is looked up (see `begin_logins_of_read_rights`).
        check_rights: bool,
        /// A batch was refused: nothing commits.
        refused: bool,
    },
}

impl Logins {
    /// Adds a batch of `(right, identifier, login public key)`; SQLite keeps the rows
    /// themselves until the commit, hence taken by value.
    pub async fn add(&mut self, creds: Vec<(String, String, [u8; 32])>) -> Result<()> {
        match &mut self.0 {
            LoginsTx::Sqlite { rows, .. } => rows.extend(creds),
            LoginsTx::Postgres {
                tx,
                check_rights,
                refused,
            } => {
                if *refused {
                    return Err(earlier_batch_refused());
                }
                let written = insert_logins(tx, *check_rights, &creds).await;
                // A refused batch may leave part of itself in the transaction (PostgreSQL
                // raises nothing for the logins of unknown rights): nothing commits after.
                *refused = written.is_err();
                written?;
            }
        }
        Ok(())
    }

    /// Writes what is left and commits: every login added, or none.
    pub async fn commit(self) -> Result<()> {
        match self.0 {
            LoginsTx::Sqlite { writer, rows } => {
                let mut tx = writer.begin_write().await?;
                // The rows as one JSON array, read by `json_each` in their order (the
                // rights' order, so the table's B-tree is appended to).
                let json = serde_json::to_string(&LoginRows(&rows))
                    .map_err(|e| StoreError::Invalid(e.to_string()))?;
                sqlx::query(
                    "INSERT INTO logins (right_id, identifier, login_key) SELECT value->>0, value->>1, unhex(value->>2) FROM json_each($1)",
                )
                .bind(json)
                .execute(&mut *tx)
                .await
                .map_err(login_conflict)?;
                tracing::debug!(rows = rows.len(), "logins inserted");
                tx.commit().await?;
            }
            LoginsTx::Postgres { tx, refused, .. } => {
                if refused {
                    tx.rollback().await?;
                    return Err(earlier_batch_refused());
                }
                tx.commit().await?;
            }
        }
        Ok(())
    }
}

/// One batch of logins into PostgreSQL's open transaction.
async fn insert_logins(
    tx: &mut sqlx::Transaction<'static, sqlx::Postgres>,
    check_rights: bool,
    creds: &[(String, String, [u8; 32])],
) -> Result<()> {
    // In identifier order: the batch's inserts into the identifiers' B-tree then go from
    // leaf to leaf instead of to a random leaf each (about 15 % of the batch's cost).
    let mut sorted: Vec<&(String, String, [u8; 32])> = creds.iter().collect();
    sorted.sort_unstable_by(|a, b| a.1.cmp(&b.1));
    if !check_rights {
        // The generation's rights are known to exist (`begin_logins_of_read_rights`); COPY
        // takes every row or fails.
        copy_rows(
            tx,
            "COPY logins (right_id, identifier, login_key) FROM STDIN (FORMAT binary)",
            sorted
                .iter()
                .map(|c| [c.0.as_bytes(), c.1.as_bytes(), &c.2[..]]),
            login_conflict,
        )
        .await?;
        return Ok(());
    }
    // Three arrays per statement, unnested by the server: one bind per column instead of
    // one per value. A login whose right does not exist is left out and the count tells
    // (no foreign key here, migration 0003); the lateral subquery keeps the planner on the
    // primary key, where a join chose to hash every right of the table for each statement.
    for chunk in sorted.chunks(LOGINS_PER_STATEMENT) {
        let rights: Vec<&str> = chunk.iter().map(|c| c.0.as_str()).collect();
        let identifiers: Vec<&str> = chunk.iter().map(|c| c.1.as_str()).collect();
        let keys: Vec<&[u8]> = chunk.iter().map(|c| &c.2[..]).collect();
        let written = sqlx::query(
            "INSERT INTO logins (right_id, identifier, login_key) \
             SELECT u.right_id, u.identifier, u.login_key \
             FROM UNNEST($1::text[], $2::text[], $3::bytea[]) AS u(right_id, identifier, login_key) \
             CROSS JOIN LATERAL (SELECT 1 FROM rights r WHERE r.right_id = u.right_id LIMIT 1) AS known",
        )
        .bind(rights)
        .bind(identifiers)
        .bind(keys)
        .execute(&mut **tx)
        .await
        .map_err(login_conflict)?;
        if written.rows_affected() != chunk.len() as u64 {
            return Err(unknown_right());
        }
    }
    Ok(())
}

fn earlier_batch_refused() -> StoreError {
    StoreError::Conflict("an earlier batch of credentials was refused: none is written".into())
}

fn login_conflict(e: sqlx::Error) -> StoreError {
    let e = StoreError::from(e);
    if e.is_unique_violation() {
        StoreError::Conflict("a right already has credentials, or an identifier is taken".into())
    } else if e.is_foreign_key_violation() {
        unknown_right()
    } else {
        e
    }
}

fn unknown_right() -> StoreError {
    StoreError::Conflict("credentials for an unknown right".into())
}

/// Logins as one JSON array of `[right, identifier, hex key]` (SQLite's `json_each`).
struct LoginRows<'a>(&'a [(String, String, [u8; 32])]);

impl serde::Serialize for LoginRows<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_seq(
            self.0
                .iter()
                .map(|(right, identifier, key)| (right, identifier, HexKey(key))),
        )
    }
}

/// A key as 64 hex digits, without an allocation per key.
struct HexKey<'a>(&'a [u8; 32]);

impl serde::Serialize for HexKey<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::Error;
        let mut hex = [0u8; 64];
        hex::encode_to_slice(self.0, &mut hex).map_err(S::Error::custom)?;
        s.serialize_str(std::str::from_utf8(&hex).map_err(S::Error::custom)?)
    }
}
