//! The registry store: scrutins and their ballot sheets, the journal's rows.
//! It never holds personal voter data nor ballots.

use crate::backend::{BeginWrite, Db, with_db};
use crate::error::{Result, StoreError};
use crate::scrutin::{Scrutin, StoredState};
use chrono::{DateTime, Utc};

/// Handle on the registry store.
#[derive(Debug, Clone)]
pub struct Registry {
    pub(crate) db: Db,
}

/// One stored journal row: the entry's canonical JSON and its chained digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalRow {
    /// Position in the chain, from 0.
    pub seq: i64,
    /// The entry (JSON text of `scrutin-crypto::hashchain`'s entry).
    pub entry: String,
    /// The chained digest after this entry.
    pub digest: Vec<u8>,
}

const SCRUTIN_COLUMNS: &str = "id, chamber_code, chamber_label, category, sub_category, label, state, message, opens_at, closes_at, sheet, ballot_style";

#[derive(sqlx::FromRow)]
struct ScrutinRow {
    id: String,
    chamber_code: String,
    chamber_label: String,
    category: String,
    sub_category: Option<String>,
    label: String,
    state: String,
    message: Option<String>,
    opens_at: DateTime<Utc>,
    closes_at: DateTime<Utc>,
    sheet: String,
    ballot_style: String,
}

impl TryFrom<ScrutinRow> for Scrutin {
    type Error = StoreError;
    fn try_from(r: ScrutinRow) -> Result<Scrutin> {
        Ok(Scrutin {
            state: StoredState::parse(&r.state)
                .ok_or_else(|| StoreError::corrupt(format!("scrutin state {:?}", r.state)))?,
            id: r.id,
            chamber_code: r.chamber_code,
            chamber_label: r.chamber_label,
            category: r.category,
            sub_category: r.sub_category,
            label: r.label,
            message: r.message,
            opens_at: r.opens_at,
            closes_at: r.closes_at,
            sheet: r.sheet,
            ballot_style: r.ballot_style,
        })
    }
}

impl Registry {
    /// Inserts or replaces a scrutin's description (while it is a draft).
    pub async fn put_scrutin(&self, s: &Scrutin) -> Result<()> {
        with_db!(
            &self.db,
            write
                | p
                | {
                    let mut tx = p.begin_write().await?;
                    let current: Option<String> =
                        sqlx::query_scalar("SELECT state FROM scrutins WHERE id = $1")
                            .bind(&s.id)
                            .fetch_optional(&mut *tx)
                            .await?;
                    if let Some(state) = current
                        && state != StoredState::Draft.as_str()
                    {
                        return Err(StoreError::Conflict(format!(
                            "scrutin {} is {state}: its description can no longer change",
                            s.id
                        )));
                    }
                    sqlx::query(
                "INSERT INTO scrutins (id, chamber_code, chamber_label, category, sub_category, label, state, message, opens_at, closes_at, sheet, ballot_style) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
                 ON CONFLICT (id) DO UPDATE SET chamber_code = excluded.chamber_code, chamber_label = excluded.chamber_label, \
                 category = excluded.category, sub_category = excluded.sub_category, label = excluded.label, \
                 state = excluded.state, message = excluded.message, opens_at = excluded.opens_at, \
                 closes_at = excluded.closes_at, sheet = excluded.sheet, ballot_style = excluded.ballot_style",
            )
            .bind(&s.id)
            .bind(&s.chamber_code)
            .bind(&s.chamber_label)
            .bind(&s.category)
            .bind(&s.sub_category)
            .bind(&s.label)
            .bind(s.state.as_str())
            .bind(&s.message)
            .bind(s.opens_at)
            .bind(s.closes_at)
            .bind(&s.sheet)
            .bind(&s.ballot_style)
            .execute(&mut *tx)
            .await?;
                    tx.commit().await?;
                    Ok(())
                }
        )
    }

    /// One scrutin.
    pub async fn scrutin(&self, id: &str) -> Result<Option<Scrutin>> {
        with_db!(
            &self.db,
            read | p | {
                let row: Option<ScrutinRow> = sqlx::query_as(&format!(
                    "SELECT {SCRUTIN_COLUMNS} FROM scrutins WHERE id = $1"
                ))
                .bind(id)
                .fetch_optional(p)
                .await?;
                row.map(Scrutin::try_from).transpose()
            }
        )
    }

    /// Every scrutin, by identifier.
    pub async fn scrutins(&self) -> Result<Vec<Scrutin>> {
        with_db!(
            &self.db,
            read | p | {
                let rows: Vec<ScrutinRow> = sqlx::query_as(&format!(
                    "SELECT {SCRUTIN_COLUMNS} FROM scrutins ORDER BY id"
                ))
                .fetch_all(p)
                .await?;
                rows.into_iter().map(Scrutin::try_from).collect()
            }
        )
    }

    /// Sets the commission's state and message. Closing is final.
    pub async fn set_state(
        &self,
        id: &str,
        state: StoredState,
        message: Option<&str>,
    ) -> Result<()> {
        with_db!(
            &self.db,
            write | p | {
                let mut tx = p.begin_write().await?;
                let current: Option<String> =
                    sqlx::query_scalar("SELECT state FROM scrutins WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&mut *tx)
                        .await?;
                let current =
                    current.ok_or_else(|| StoreError::NotFound(format!("scrutin {id}")))?;
                if current == StoredState::Closed.as_str() && state != StoredState::Closed {
                    return Err(StoreError::Conflict(format!(
                        "scrutin {id} is closed for good"
                    )));
                }
                sqlx::query("UPDATE scrutins SET state = $1, message = $2 WHERE id = $3")
                    .bind(state.as_str())
                    .bind(message)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(())
            }
        )
    }

    /// Appends one journal row after the current head, atomically: `make` receives the head
    /// (`None` for an empty journal) and returns the new row's entry text and digest.
    /// Concurrent appenders (several servers) queue on the database's write lock.
    pub async fn append_journal<F>(&self, make: F) -> Result<JournalRow>
    where
        F: FnOnce(Option<&JournalRow>) -> Result<(String, Vec<u8>)> + Send,
    {
        self.append_journal_once(None, make)
            .await?
            .ok_or_else(|| StoreError::corrupt("journal append without key skipped"))
    }

    /// Like [`Registry::append_journal`], but when `key` is given and an entry was already
    /// appended under it, appends nothing and returns `None` (idempotent journaling of
    /// events that several servers may report, like an epoch head).
    pub async fn append_journal_once<F>(
        &self,
        key: Option<&str>,
        make: F,
    ) -> Result<Option<JournalRow>>
    where
        F: FnOnce(Option<&JournalRow>) -> Result<(String, Vec<u8>)> + Send,
    {
        with_db!(
            &self.db,
            write | p | {
                let mut tx = p.begin_write().await?;
                if matches!(self.db, Db::Postgres(_)) {
                    // Serialises appenders of all servers on the chain's head.
                    sqlx::query("LOCK TABLE journal IN SHARE ROW EXCLUSIVE MODE")
                        .execute(&mut *tx)
                        .await?;
                }
                if let Some(key) = key {
                    let done: Option<i64> =
                        sqlx::query_scalar("SELECT seq FROM journal_keys WHERE key = $1")
                            .bind(key)
                            .fetch_optional(&mut *tx)
                            .await?;
                    if done.is_some() {
                        return Ok(None);
                    }
                }
                let head: Option<(i64, String, Vec<u8>)> = sqlx::query_as(
                    "SELECT seq, entry, digest FROM journal ORDER BY seq DESC LIMIT 1",
                )
                .fetch_optional(&mut *tx)
                .await?;
                let head = head.map(|(seq, entry, digest)| JournalRow { seq, entry, digest });
                let (entry, digest) = make(head.as_ref())?;
                let seq = head.map_or(0, |h| h.seq + 1);
                sqlx::query("INSERT INTO journal (seq, entry, digest) VALUES ($1, $2, $3)")
                    .bind(seq)
                    .bind(&entry)
                    .bind(&digest)
                    .execute(&mut *tx)
                    .await?;
                if let Some(key) = key {
                    sqlx::query("INSERT INTO journal_keys (key, seq) VALUES ($1, $2)")
                        .bind(key)
                        .bind(seq)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(Some(JournalRow { seq, entry, digest }))
            }
        )
    }

    /// Journal rows from `from` (inclusive), at most `limit`.
    pub async fn journal(&self, from: i64, limit: i64) -> Result<Vec<JournalRow>> {
        with_db!(
            &self.db,
            read | p | {
                let rows: Vec<(i64, String, Vec<u8>)> = sqlx::query_as(
                    "SELECT seq, entry, digest FROM journal WHERE seq >= $1 ORDER BY seq LIMIT $2",
                )
                .bind(from)
                .bind(limit)
                .fetch_all(p)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(seq, entry, digest)| JournalRow { seq, entry, digest })
                    .collect())
            }
        )
    }

    /// The last journal row.
    pub async fn journal_head(&self) -> Result<Option<JournalRow>> {
        with_db!(
            &self.db,
            read | p | {
                let row: Option<(i64, String, Vec<u8>)> = sqlx::query_as(
                    "SELECT seq, entry, digest FROM journal ORDER BY seq DESC LIMIT 1",
                )
                .fetch_optional(p)
                .await?;
                Ok(row.map(|(seq, entry, digest)| JournalRow { seq, entry, digest }))
            }
        )
    }

    /// Stores a signed checkpoint (JSON text) of the journal at `seq`.
    pub async fn put_checkpoint(&self, seq: i64, checkpoint: &str) -> Result<()> {
        with_db!(
            &self.db,
            write
                | p
                | {
                    sqlx::query(
                "INSERT INTO journal_checkpoints (seq, checkpoint) VALUES ($1, $2) ON CONFLICT (seq) DO NOTHING",
            )
            .bind(seq)
            .bind(checkpoint)
            .execute(p)
            .await?;
                    Ok(())
                }
        )
    }

    /// Every stored checkpoint, by position.
    pub async fn checkpoints(&self) -> Result<Vec<(i64, String)>> {
        with_db!(
            &self.db,
            read | p | {
                Ok(
                    sqlx::query_as("SELECT seq, checkpoint FROM journal_checkpoints ORDER BY seq")
                        .fetch_all(p)
                        .await?,
                )
            }
        )
    }

    /// A platform setting.
    pub async fn setting(&self, key: &str) -> Result<Option<String>> {
        with_db!(
            &self.db,
            read | p | {
                Ok(
                    sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
                        .bind(key)
                        .fetch_optional(p)
                        .await?,
                )
            }
        )
    }

    /// Sets a platform setting.
    pub async fn put_setting(&self, key: &str, value: &str) -> Result<()> {
        with_db!(
            &self.db,
            write
                | p
                | {
                    sqlx::query(
                "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )
            .bind(key)
            .bind(value)
            .execute(p)
            .await?;
                    Ok(())
                }
        )
    }
}
