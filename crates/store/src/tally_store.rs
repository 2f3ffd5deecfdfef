//! The tally as the ballots store keeps it (protocol §9, R-60…R-62): per contest, the
//! aggregates of the box, the trustees' verified decryption shares and, once `t` of them
//! combined, the results. Also a paged read of the box, so a tally streams large boxes
//! instead of loading them whole. Counts only: nothing here says who voted.

use chrono::{DateTime, Utc};

use crate::backend::{BeginWrite, with_db};
use crate::ballots::Ballots;
use crate::error::{Result, StoreError};

/// A contest's tally as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TallyRow {
    /// Contest (`011-C/CCIR`).
    pub contest_id: String,
    /// Its chamber.
    pub chamber_code: String,
    /// The contest fingerprint (32 bytes).
    pub fingerprint: Vec<u8>,
    /// Aggregates JSON: blank flag first, then the options in ballot order.
    pub aggregates: String,
    /// Ballots of the contest in the box(es).
    pub ballots: i64,
    /// Émargements of the contest's scrutins.
    pub emargements: i64,
    /// Registered rights of the contest's scrutins.
    pub registered: i64,
    /// When the aggregates were computed.
    pub started_at: DateTime<Utc>,
    /// Results JSON, once decrypted.
    pub results: Option<String>,
    /// When the results were computed.
    pub decrypted_at: Option<DateTime<Utc>>,
}

/// A tally to record.
#[derive(Debug, Clone)]
pub struct NewTally<'a> {
    /// Contest.
    pub contest_id: &'a str,
    /// Its chamber.
    pub chamber_code: &'a str,
    /// The contest fingerprint.
    pub fingerprint: &'a [u8],
    /// Aggregates JSON.
    pub aggregates: &'a str,
    /// Ballots.
    pub ballots: i64,
    /// Émargements.
    pub emargements: i64,
    /// Registered rights.
    pub registered: i64,
    /// When.
    pub started_at: DateTime<Utc>,
}

const TALLY_COLUMNS: &str = "contest_id, chamber_code, fingerprint, aggregates, ballots, emargements, registered, started_at, results, decrypted_at";

impl Ballots {
    /// Records a contest's aggregates, unless a tally of the contest exists: then the
    /// stored one is returned unchanged (the first aggregation is the one trustees decrypt).
    pub async fn start_tally(&self, t: &NewTally<'_>) -> Result<TallyRow> {
        with_db!(
            &self.db,
            write
                | p
                | {
                    let mut tx = p.begin_write().await?;
                    sqlx::query(
                "INSERT INTO tallies (contest_id, chamber_code, fingerprint, aggregates, ballots, emargements, registered, started_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (contest_id) DO NOTHING",
            )
            .bind(t.contest_id)
            .bind(t.chamber_code)
            .bind(t.fingerprint)
            .bind(t.aggregates)
            .bind(t.ballots)
            .bind(t.emargements)
            .bind(t.registered)
            .bind(t.started_at)
            .execute(&mut *tx)
            .await?;
                    let row: TallyRow = sqlx::query_as(&format!(
                        "SELECT {TALLY_COLUMNS} FROM tallies WHERE contest_id = $1"
                    ))
                    .bind(t.contest_id)
                    .fetch_one(&mut *tx)
                    .await?;
                    tx.commit().await?;
                    Ok(row)
                }
        )
    }

    /// A contest's tally.
    pub async fn tally(&self, contest_id: &str) -> Result<Option<TallyRow>> {
        with_db!(
            &self.db,
            read | p | {
                Ok(sqlx::query_as(&format!(
                    "SELECT {TALLY_COLUMNS} FROM tallies WHERE contest_id = $1"
                ))
                .bind(contest_id)
                .fetch_optional(p)
                .await?)
            }
        )
    }

    /// Every tally, by contest.
    pub async fn tallies(&self) -> Result<Vec<TallyRow>> {
        with_db!(
            &self.db,
            read | p | {
                Ok(sqlx::query_as(&format!(
                    "SELECT {TALLY_COLUMNS} FROM tallies ORDER BY contest_id"
                ))
                .fetch_all(p)
                .await?)
            }
        )
    }

    /// Stores trustee `trustee`'s verified decryption share of a contest. The same share
    /// again is accepted (`Ok(false)`); a different one is refused: a trustee decrypts once.
    pub async fn put_decryption_share(
        &self,
        contest_id: &str,
        trustee: i64,
        share: &str,
        at: DateTime<Utc>,
    ) -> Result<bool> {
        with_db!(
            &self.db,
            write
                | p
                | {
                    let mut tx = p.begin_write().await?;
                    let existing: Option<String> = sqlx::query_scalar(
                "SELECT share FROM decryption_shares WHERE contest_id = $1 AND trustee = $2",
            )
            .bind(contest_id)
            .bind(trustee)
            .fetch_optional(&mut *tx)
            .await?;
                    if let Some(existing) = existing {
                        return if existing == share {
                            Ok(false)
                        } else {
                            Err(StoreError::Conflict(format!(
                                "trustee {trustee} already sent a different decryption share for {contest_id}"
                            )))
                        };
                    }
                    sqlx::query(
                "INSERT INTO decryption_shares (contest_id, trustee, share, received_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(contest_id)
            .bind(trustee)
            .bind(share)
            .bind(at)
            .execute(&mut *tx)
            .await?;
                    tx.commit().await?;
                    Ok(true)
                }
        )
    }

    /// A contest's decryption shares: (trustee, share JSON), by trustee.
    pub async fn decryption_shares(&self, contest_id: &str) -> Result<Vec<(i64, String)>> {
        with_db!(
            &self.db,
            read | p
                | {
                    Ok(sqlx::query_as(
                "SELECT trustee, share FROM decryption_shares WHERE contest_id = $1 ORDER BY trustee",
            )
            .bind(contest_id)
            .fetch_all(p)
            .await?)
                }
        )
    }

    /// Records a contest's results once. Returns `false` if they were already recorded.
    pub async fn set_tally_results(
        &self,
        contest_id: &str,
        results: &str,
        at: DateTime<Utc>,
    ) -> Result<bool> {
        with_db!(
            &self.db,
            write
                | p
                | {
                    let done = sqlx::query(
                "UPDATE tallies SET results = $1, decrypted_at = $2 WHERE contest_id = $3 AND results IS NULL",
            )
            .bind(results)
            .bind(at)
            .bind(contest_id)
            .execute(p)
            .await?;
                    Ok(done.rows_affected() == 1)
                }
        )
    }

    /// Up to `limit` confirmed ballots (JSON) of a scrutin with a tracking code above
    /// `after`, by tracking code: page by page, the whole box in a stable order.
    pub async fn ballot_page(
        &self,
        scrutin_id: &str,
        after: Option<&[u8]>,
        limit: i64,
    ) -> Result<Vec<(Vec<u8>, String)>> {
        with_db!(
            &self.db,
            read | p
                | {
                    let rows = match after {
                Some(code) => sqlx::query_as(
                    "SELECT tracking_code, ballot FROM ballots WHERE scrutin_id = $1 AND pending_token IS NULL AND tracking_code > $2 ORDER BY tracking_code LIMIT $3",
                )
                .bind(scrutin_id)
                .bind(code)
                .bind(limit)
                .fetch_all(p)
                .await?,
                None => sqlx::query_as(
                    "SELECT tracking_code, ballot FROM ballots WHERE scrutin_id = $1 AND pending_token IS NULL ORDER BY tracking_code LIMIT $2",
                )
                .bind(scrutin_id)
                .bind(limit)
                .fetch_all(p)
                .await?,
            };
                    Ok(rows)
                }
        )
    }
}
