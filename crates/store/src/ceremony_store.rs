//! The key ceremony of each COE as the registry keeps it (protocol §7): parameters, which
//! user of the control interface is trustee `i`, the public messages the trustees publish
//! (the server only relays them), and the joint election key once the transcript is
//! complete. Also the close of tallying of each scrutin. Public data only.

use chrono::{DateTime, Utc};

use crate::backend::{BeginWrite, with_db};
use crate::error::{Result, StoreError};
use crate::registry::Registry;

/// A ceremony as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CeremonyRow {
    /// The COE's chamber.
    pub chamber_code: String,
    /// The key identifier bound into every message (changes at each attempt).
    pub key_id: String,
    /// 1 for the first attempt, then +1 at each restart.
    pub attempt: i64,
    /// `DkgParameters` JSON.
    pub parameters: String,
    /// `open` or `complete`.
    pub status: String,
    /// When it was (re)started.
    pub created_at: DateTime<Utc>,
    /// By whom (email).
    pub created_by: String,
    /// The joint key `Y` (32 bytes), once complete.
    pub public_key: Option<Vec<u8>>,
    /// `DkgOutcome` JSON, once complete.
    pub outcome: Option<String>,
    /// SHA-256 of the transcript's canonical encoding, once complete.
    pub transcript_digest: Option<Vec<u8>>,
    /// When the transcript was completed.
    pub completed_at: Option<DateTime<Utc>>,
}

/// A ceremony to (re)start.
#[derive(Debug, Clone)]
pub struct NewCeremony<'a> {
    /// The COE's chamber.
    pub chamber_code: &'a str,
    /// The key identifier (see [`Registry::next_ceremony_attempt`]).
    pub key_id: &'a str,
    /// The attempt number.
    pub attempt: i64,
    /// `DkgParameters` JSON.
    pub parameters: &'a str,
    /// User ids of trustees 1 … n, in order.
    pub trustees: &'a [String],
    /// When.
    pub created_at: DateTime<Utc>,
    /// By whom (email).
    pub created_by: &'a str,
}

/// One relayed message.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CeremonyMessageRow {
    /// `announcement`, `dealing`, `check` or `confirmation`.
    pub step: String,
    /// The sending trustee.
    pub trustee: i64,
    /// The message (JSON).
    pub message: String,
    /// When the server received it.
    pub received_at: DateTime<Utc>,
}

const CEREMONY_COLUMNS: &str = "chamber_code, key_id, attempt, parameters, status, created_at, created_by, public_key, outcome, transcript_digest, completed_at";

impl Registry {
    /// The attempt number the next (re)start of a chamber's ceremony takes.
    pub async fn next_ceremony_attempt(&self, chamber_code: &str) -> Result<i64> {
        with_db!(
            &self.db,
            read | p | {
                let current: Option<i64> =
                    sqlx::query_scalar("SELECT attempt FROM ceremonies WHERE chamber_code = $1")
                        .bind(chamber_code)
                        .fetch_optional(p)
                        .await?;
                Ok(current.map_or(1, |a| a + 1))
            }
        )
    }

    /// Starts (or restarts) a chamber's ceremony: its messages and trustees are replaced.
    /// Refused once the ceremony is complete (the key is in use), or if another restart
    /// took the same attempt number meanwhile.
    pub async fn start_ceremony(&self, c: &NewCeremony<'_>) -> Result<()> {
        with_db!(
            &self.db,
            write
                | p
                | {
                    let mut tx = p.begin_write().await?;
                    let current: Option<(String, i64)> = sqlx::query_as(
                        "SELECT status, attempt FROM ceremonies WHERE chamber_code = $1",
                    )
                    .bind(c.chamber_code)
                    .fetch_optional(&mut *tx)
                    .await?;
                    if let Some((status, attempt)) = current {
                        if status == "complete" {
                            return Err(StoreError::Conflict(format!(
                                "the election key of chamber {} is already generated",
                                c.chamber_code
                            )));
                        }
                        if attempt >= c.attempt {
                            return Err(StoreError::Conflict(format!(
                                "attempt {} of the ceremony of chamber {} already exists",
                                c.attempt, c.chamber_code
                            )));
                        }
                    }
                    for table in ["ceremony_messages", "ceremony_trustees", "ceremonies"] {
                        sqlx::query(&format!("DELETE FROM {table} WHERE chamber_code = $1"))
                            .bind(c.chamber_code)
                            .execute(&mut *tx)
                            .await?;
                    }
                    sqlx::query(
                "INSERT INTO ceremonies (chamber_code, key_id, attempt, parameters, status, created_at, created_by) \
                 VALUES ($1, $2, $3, $4, 'open', $5, $6)",
            )
            .bind(c.chamber_code)
            .bind(c.key_id)
            .bind(c.attempt)
            .bind(c.parameters)
            .bind(c.created_at)
            .bind(c.created_by)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::unique_as_conflict(format!(
                "the ceremony of chamber {} was restarted meanwhile",
                c.chamber_code
            )))?;
                    for (i, user) in c.trustees.iter().enumerate() {
                        sqlx::query(
                    "INSERT INTO ceremony_trustees (chamber_code, trustee, user_id) VALUES ($1, $2, $3)",
                )
                .bind(c.chamber_code)
                .bind(i as i64 + 1)
                .bind(user)
                .execute(&mut *tx)
                .await
                .map_err(StoreError::unique_as(StoreError::Invalid(format!(
                    "user {user} is named twice as trustee"
                ))))?;
                    }
                    tx.commit().await?;
                    Ok(())
                }
        )
    }

    /// A chamber's ceremony.
    pub async fn ceremony(&self, chamber_code: &str) -> Result<Option<CeremonyRow>> {
        with_db!(
            &self.db,
            read | p | {
                Ok(sqlx::query_as(&format!(
                    "SELECT {CEREMONY_COLUMNS} FROM ceremonies WHERE chamber_code = $1"
                ))
                .bind(chamber_code)
                .fetch_optional(p)
                .await?)
            }
        )
    }

    /// Every ceremony, by chamber.
    pub async fn ceremonies(&self) -> Result<Vec<CeremonyRow>> {
        with_db!(
            &self.db,
            read | p | {
                Ok(sqlx::query_as(&format!(
                    "SELECT {CEREMONY_COLUMNS} FROM ceremonies ORDER BY chamber_code"
                ))
                .fetch_all(p)
                .await?)
            }
        )
    }

    /// The trustees of a chamber's ceremony: (index, user id), by index.
    pub async fn ceremony_trustees(&self, chamber_code: &str) -> Result<Vec<(i64, String)>> {
        with_db!(
            &self.db,
            read | p
                | {
                    Ok(sqlx::query_as(
                "SELECT trustee, user_id FROM ceremony_trustees WHERE chamber_code = $1 ORDER BY trustee",
            )
            .bind(chamber_code)
            .fetch_all(p)
            .await?)
                }
        )
    }

    /// Stores trustee `trustee`'s message of `step` for the ceremony attempt `key_id`.
    /// Sending the same message again is accepted (`Ok(false)`: already there); a different
    /// one is refused, as is a message for an attempt that is no longer the current one or
    /// for a ceremony no longer open.
    pub async fn put_ceremony_message(
        &self,
        chamber_code: &str,
        key_id: &str,
        step: &str,
        trustee: i64,
        message: &str,
        at: DateTime<Utc>,
    ) -> Result<bool> {
        with_db!(
            &self.db,
            write
                | p
                | {
                    let mut tx = p.begin_write().await?;
                    let current: Option<(String, String)> = sqlx::query_as(
                        "SELECT key_id, status FROM ceremonies WHERE chamber_code = $1",
                    )
                    .bind(chamber_code)
                    .fetch_optional(&mut *tx)
                    .await?;
                    match current {
                        Some((k, _)) if k != key_id => {
                            return Err(StoreError::Conflict(format!(
                                "the ceremony of chamber {chamber_code} was restarted: this message is for {key_id}, the current one is {k}"
                            )));
                        }
                        Some((_, status)) if status != "open" && step != "confirmation" => {
                            return Err(StoreError::Conflict(format!(
                                "the ceremony of chamber {chamber_code} is {status}"
                            )));
                        }
                        Some(_) => {}
                        None => {
                            return Err(StoreError::NotFound(format!(
                                "ceremony of chamber {chamber_code}"
                            )));
                        }
                    }
                    let existing: Option<String> = sqlx::query_scalar(
                "SELECT message FROM ceremony_messages WHERE chamber_code = $1 AND step = $2 AND trustee = $3",
            )
            .bind(chamber_code)
            .bind(step)
            .bind(trustee)
            .fetch_optional(&mut *tx)
            .await?;
                    if let Some(existing) = existing {
                        return if existing == message {
                            Ok(false)
                        } else {
                            Err(StoreError::Conflict(format!(
                                "trustee {trustee} already sent a different {step} message"
                            )))
                        };
                    }
                    sqlx::query(
                "INSERT INTO ceremony_messages (chamber_code, step, trustee, message, received_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(chamber_code)
            .bind(step)
            .bind(trustee)
            .bind(message)
            .bind(at)
            .execute(&mut *tx)
            .await?;
                    tx.commit().await?;
                    Ok(true)
                }
        )
    }

    /// Messages of a chamber's ceremony, of one step or all, by step then trustee.
    pub async fn ceremony_messages(
        &self,
        chamber_code: &str,
        step: Option<&str>,
    ) -> Result<Vec<CeremonyMessageRow>> {
        with_db!(
            &self.db,
            read | p
                | {
                    let mut q = sqlx::QueryBuilder::new(
                        "SELECT step, trustee, message, received_at FROM ceremony_messages WHERE chamber_code = ",
                    );
                    q.push_bind(chamber_code);
                    if let Some(s) = step {
                        q.push(" AND step = ").push_bind(s);
                    }
                    q.push(" ORDER BY step, trustee");
                    Ok(q.build_query_as().fetch_all(p).await?)
                }
        )
    }

    /// Marks the ceremony attempt `key_id` complete with its outcome. Returns `false` when it
    /// was already complete (another request completed it first).
    pub async fn complete_ceremony(
        &self,
        chamber_code: &str,
        key_id: &str,
        public_key: &[u8],
        outcome: &str,
        transcript_digest: &[u8],
        at: DateTime<Utc>,
    ) -> Result<bool> {
        with_db!(
            &self.db,
            write
                | p
                | {
                    let done = sqlx::query(
                "UPDATE ceremonies SET status = 'complete', public_key = $1, outcome = $2, transcript_digest = $3, completed_at = $4 \
                 WHERE chamber_code = $5 AND key_id = $6 AND status = 'open'",
            )
            .bind(public_key)
            .bind(outcome)
            .bind(transcript_digest)
            .bind(at)
            .bind(chamber_code)
            .bind(key_id)
            .execute(p)
            .await?;
                    Ok(done.rows_affected() == 1)
                }
        )
    }

    /// The published election key (`Y`, 32 bytes) of a chamber's COE, once its ceremony is
    /// complete: what contests' parameters and ballot styles use.
    pub async fn election_key(&self, chamber_code: &str) -> Result<Option<Vec<u8>>> {
        with_db!(
            &self.db,
            read | p | {
                let key: Option<Option<Vec<u8>>> = sqlx::query_scalar(
                "SELECT public_key FROM ceremonies WHERE chamber_code = $1 AND status = 'complete'",
            )
            .bind(chamber_code)
            .fetch_optional(p)
            .await?;
                Ok(key.flatten())
            }
        )
    }

    /// Closes tallying for a scrutin: from then on its results are frozen. Closing
    /// twice is refused.
    pub async fn close_tallying(
        &self,
        scrutin_id: &str,
        at: DateTime<Utc>,
        by: &str,
    ) -> Result<()> {
        with_db!(
            &self.db,
            write
                | p
                | {
                    sqlx::query("INSERT INTO tally_closures (scrutin_id, closed_at, closed_by) VALUES ($1, $2, $3)")
                .bind(scrutin_id)
                .bind(at)
                .bind(by)
                .execute(p)
                .await
                .map_err(StoreError::unique_as_conflict(format!(
                    "tallying of scrutin {scrutin_id} is already closed"
                )))?;
                    Ok(())
                }
        )
    }

    /// When tallying of a scrutin was closed, and by whom.
    pub async fn tallying_closed(
        &self,
        scrutin_id: &str,
    ) -> Result<Option<(DateTime<Utc>, String)>> {
        with_db!(
            &self.db,
            read | p | {
                Ok(sqlx::query_as(
                    "SELECT closed_at, closed_by FROM tally_closures WHERE scrutin_id = $1",
                )
                .bind(scrutin_id)
                .fetch_optional(p)
                .await?)
            }
        )
    }
}
