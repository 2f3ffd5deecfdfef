//! The failure counter with a temporary lock, shared by voters' rights and admin
//! accounts: one transaction reads the count under a row lock, so concurrent failures are
//! all counted, and the `threshold`-th failure in a row locks until `now + lock_for`.

use chrono::{DateTime, Duration, Utc};

use crate::backend::{BeginWrite, Db, Kind, with_db};
use crate::electors::FailureOutcome;
use crate::error::{Result, StoreError};

/// Which rows hold a counter: a table with `failures` and `locked_until` columns, its key
/// column, and how a missing row is named in errors. Names are compile-time constants.
pub(crate) struct Counter {
    pub table: &'static str,
    pub key: &'static str,
    pub what: &'static str,
}

/// Counts one failure of row `id`; a failure while locked does not move the lock, and the
/// failure that locks restarts the count.
pub(crate) async fn record_failure(
    db: &Db,
    counter: &Counter,
    id: &str,
    now: DateTime<Utc>,
    threshold: i64,
    lock_for: Duration,
) -> Result<FailureOutcome> {
    let Counter { table, key, what } = counter;
    with_db!(
        db,
        write | p | {
            let mut tx = p.begin_write().await?;
            // PostgreSQL: lock the row so that concurrent failures are all counted; SQLite's
            // BEGIN IMMEDIATE already holds the only write lock.
            let lock = if db.kind() == Kind::Postgres {
                " FOR UPDATE"
            } else {
                ""
            };
            let row: Option<(i64, Option<DateTime<Utc>>)> = sqlx::query_as(&format!(
                "SELECT failures, locked_until FROM {table} WHERE {key} = $1{lock}"
            ))
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
            let (failures, locked_until) =
                row.ok_or_else(|| StoreError::NotFound(format!("{what} {id}")))?;
            if let Some(until) = locked_until
                && until > now
            {
                return Ok(FailureOutcome::Locked(until));
            }
            let failures = failures + 1;
            let outcome = if failures >= threshold {
                let until = crate::clock::plus(now, lock_for);
                sqlx::query(&format!(
                    "UPDATE {table} SET failures = 0, locked_until = $1 WHERE {key} = $2"
                ))
                .bind(until)
                .bind(id)
                .execute(&mut *tx)
                .await?;
                FailureOutcome::Locked(until)
            } else {
                sqlx::query(&format!(
                    "UPDATE {table} SET failures = $1 WHERE {key} = $2"
                ))
                .bind(failures)
                .bind(id)
                .execute(&mut *tx)
                .await?;
                FailureOutcome::Counted {
                    remaining: threshold - failures,
                }
            };
            tx.commit().await?;
            Ok(outcome)
        }
    )
}
