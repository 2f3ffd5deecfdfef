//! Election preparation for the control interface (admin server): uploaded files' digests
//! and report counts, the structure file, candidate lists and statements until the
//! candidates seal (R-20…R-23), the chain of seals (R-50, protocol §8) in the registry
//! store; and the voter-list changes a CELE may make until the voters seal in the
//! electors store.

use chrono::{DateTime, Utc};

use crate::backend::{BeginWrite, Db, LockRightsList, RightsList, with_db};
use crate::electors::Electors;
use crate::error::{Result, StoreError};
use crate::registry::Registry;

/// An uploaded file's record (the content itself only for the structure file).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ElectionFileRow {
    /// Identifier.
    pub id: String,
    /// `structure`, `voters` or `users`.
    pub kind: String,
    /// The chamber of a voter file.
    pub chamber_code: Option<String>,
    /// File name as uploaded.
    pub name: String,
    /// SHA-256 of the file, hex.
    pub digest: String,
    /// Size in bytes.
    pub size: i64,
    /// Who uploaded it (email).
    pub uploaded_by: String,
    /// When.
    pub uploaded_at: DateTime<Utc>,
    /// Whether it was loaded (no blocking error).
    pub accepted: bool,
    /// Report counts (JSON, no personal data).
    pub summary: String,
}

/// A candidate list as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CandidateListRow {
    /// Contest identifier (`011-C/CCIR`).
    pub contest_id: String,
    /// Its chamber.
    pub chamber_code: String,
    /// `ContestCandidates` JSON.
    pub entries: String,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// By whom (email).
    pub updated_by: String,
}

/// A statement (profession de foi) as stored; `content` is empty in listings.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StatementRow {
    /// Identifier.
    pub id: String,
    /// Its contest.
    pub contest_id: String,
    /// Its chamber.
    pub chamber_code: String,
    /// `grouping:<name>` or `candidate:<option id>`.
    pub subject: String,
    /// File name as uploaded.
    pub file_name: String,
    /// SHA-256 of the PDF, hex.
    pub digest: String,
    /// Size in bytes.
    pub size: i64,
    /// The PDF (empty in listings).
    pub content: Vec<u8>,
    /// When.
    pub uploaded_at: DateTime<Utc>,
    /// By whom.
    pub uploaded_by: String,
}

/// A stored seal of the chain.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SealRow {
    /// Position in the chain, from 0.
    pub seq: i64,
    /// Kind name (`voters`, `box-closed`…).
    pub kind: String,
    /// Scope (`national`, `chamber/011`, `scrutin/011-C`).
    pub scope: String,
    /// The seal (`scrutin-crypto` JSON).
    pub seal: String,
}

const FILE_COLUMNS: &str =
    "id, kind, chamber_code, name, digest, size, uploaded_by, uploaded_at, accepted, summary";
const STATEMENT_LIST: &str =
    "id, contest_id, chamber_code, subject, file_name, digest, size, uploaded_at, uploaded_by";

impl Registry {
    /// Records an uploaded file (`content` kept for the structure file only).
    pub async fn insert_election_file(
        &self,
        row: &ElectionFileRow,
        content: Option<&[u8]>,
    ) -> Result<()> {
        with_db!(
            &self.db,
            write
                | p
                | {
                    sqlx::query(
                "INSERT INTO election_files (id, kind, chamber_code, name, digest, size, uploaded_by, uploaded_at, accepted, summary, content) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(&row.id)
            .bind(&row.kind)
            .bind(&row.chamber_code)
            .bind(&row.name)
            .bind(&row.digest)
            .bind(row.size)
            .bind(&row.uploaded_by)
            .bind(row.uploaded_at)
            .bind(row.accepted)
            .bind(&row.summary)
            .bind(content)
            .execute(p)
            .await?;
                    Ok(())
                }
        )
    }

    /// Uploaded files, newest first, optionally of one kind and chamber.
    pub async fn election_files(
        &self,
        kind: Option<&str>,
        chamber_code: Option<&str>,
    ) -> Result<Vec<ElectionFileRow>> {
        with_db!(
            &self.db,
            read | p | {
                let mut q = sqlx::QueryBuilder::new(format!(
                    "SELECT {FILE_COLUMNS} FROM election_files WHERE 1 = 1"
                ));
                if let Some(k) = kind {
                    q.push(" AND kind = ").push_bind(k);
                }
                if let Some(c) = chamber_code {
                    q.push(" AND chamber_code = ").push_bind(c);
                }
                q.push(" ORDER BY uploaded_at DESC, id");
                Ok(q.build_query_as().fetch_all(p).await?)
            }
        )
    }

    /// The latest accepted structure file and its content.
    pub async fn current_structure_file(&self) -> Result<Option<(ElectionFileRow, Vec<u8>)>> {
        with_db!(
            &self.db,
            read | p
                | {
                    let row: Option<ElectionFileRow> = sqlx::query_as(&format!(
                "SELECT {FILE_COLUMNS} FROM election_files WHERE kind = 'structure' AND accepted = $1 ORDER BY uploaded_at DESC, id DESC LIMIT 1"
            ))
            .bind(true)
            .fetch_optional(p)
            .await?;
                    let Some(row) = row else { return Ok(None) };
                    let content: Option<Vec<u8>> =
                        sqlx::query_scalar("SELECT content FROM election_files WHERE id = $1")
                            .bind(&row.id)
                            .fetch_one(p)
                            .await?;
                    let content = content
                        .ok_or_else(|| StoreError::corrupt("structure file without content"))?;
                    Ok(Some((row, content)))
                }
        )
    }

    /// Inserts or replaces a contest's candidate list.
    pub async fn put_candidate_list(&self, row: &CandidateListRow) -> Result<()> {
        with_db!(
            &self.db,
            write
                | p
                | {
                    sqlx::query(
                "INSERT INTO candidate_lists (contest_id, chamber_code, entries, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (contest_id) DO UPDATE SET chamber_code = excluded.chamber_code, entries = excluded.entries, \
                 updated_at = excluded.updated_at, updated_by = excluded.updated_by",
            )
            .bind(&row.contest_id)
            .bind(&row.chamber_code)
            .bind(&row.entries)
            .bind(row.updated_at)
            .bind(&row.updated_by)
            .execute(p)
            .await?;
                    Ok(())
                }
        )
    }

    /// Candidate lists, of one chamber or all, by contest.
    pub async fn candidate_lists(
        &self,
        chamber_code: Option<&str>,
    ) -> Result<Vec<CandidateListRow>> {
        with_db!(
            &self.db,
            read | p
                | {
                    let mut q = sqlx::QueryBuilder::new(
                        "SELECT contest_id, chamber_code, entries, updated_at, updated_by FROM candidate_lists",
                    );
                    if let Some(c) = chamber_code {
                        q.push(" WHERE chamber_code = ").push_bind(c);
                    }
                    q.push(" ORDER BY contest_id");
                    Ok(q.build_query_as().fetch_all(p).await?)
                }
        )
    }

    /// Inserts or replaces the statement of a grouping or candidate of a contest.
    pub async fn put_statement(&self, row: &StatementRow) -> Result<()> {
        with_db!(
            &self.db,
            write
                | p
                | {
                    sqlx::query(
                "INSERT INTO statements (id, contest_id, chamber_code, subject, file_name, digest, size, content, uploaded_at, uploaded_by) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
                 ON CONFLICT (contest_id, subject) DO UPDATE SET id = excluded.id, file_name = excluded.file_name, \
                 digest = excluded.digest, size = excluded.size, content = excluded.content, \
                 uploaded_at = excluded.uploaded_at, uploaded_by = excluded.uploaded_by",
            )
            .bind(&row.id)
            .bind(&row.contest_id)
            .bind(&row.chamber_code)
            .bind(&row.subject)
            .bind(&row.file_name)
            .bind(&row.digest)
            .bind(row.size)
            .bind(&row.content)
            .bind(row.uploaded_at)
            .bind(&row.uploaded_by)
            .execute(p)
            .await?;
                    Ok(())
                }
        )
    }

    /// One statement with its PDF (what the vote server serves to voters, R-22).
    pub async fn statement(&self, id: &str) -> Result<Option<StatementRow>> {
        with_db!(
            &self.db,
            read | p
                | {
                    Ok(sqlx::query_as(
                "SELECT id, contest_id, chamber_code, subject, file_name, digest, size, content, uploaded_at, uploaded_by FROM statements WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(p)
            .await?)
                }
        )
    }

    /// Statements (without their PDF) of one chamber or all, by contest and subject.
    pub async fn statements(&self, chamber_code: Option<&str>) -> Result<Vec<StatementRow>> {
        with_db!(
            &self.db,
            read | p | {
                let mut q = sqlx::QueryBuilder::new(format!(
                    "SELECT {STATEMENT_LIST}, CAST(x'' AS BLOB) AS content FROM statements"
                ));
                if matches!(self.db, Db::Postgres(_)) {
                    q = sqlx::QueryBuilder::new(format!(
                        "SELECT {STATEMENT_LIST}, ''::bytea AS content FROM statements"
                    ));
                }
                if let Some(c) = chamber_code {
                    q.push(" WHERE chamber_code = ").push_bind(c);
                }
                q.push(" ORDER BY contest_id, subject");
                Ok(q.build_query_as().fetch_all(p).await?)
            }
        )
    }

    /// Deletes a statement.
    pub async fn delete_statement(&self, id: &str) -> Result<bool> {
        with_db!(
            &self.db,
            write | p | {
                let done = sqlx::query("DELETE FROM statements WHERE id = $1")
                    .bind(id)
                    .execute(p)
                    .await?;
                Ok(done.rows_affected() > 0)
            }
        )
    }

    /// Appends a seal to the chain atomically: `make` receives the previous seal's JSON
    /// (`None` for the first) and returns the new seal's kind, scope and JSON.
    pub async fn append_seal<F>(&self, make: F) -> Result<SealRow>
    where
        F: FnOnce(Option<&str>) -> Result<(String, String, String)> + Send,
    {
        with_db!(
            &self.db,
            write | p | {
                let mut tx = p.begin_write().await?;
                if matches!(self.db, Db::Postgres(_)) {
                    sqlx::query("LOCK TABLE seals IN SHARE ROW EXCLUSIVE MODE")
                        .execute(&mut *tx)
                        .await?;
                }
                let last: Option<(i64, String)> =
                    sqlx::query_as("SELECT seq, seal FROM seals ORDER BY seq DESC LIMIT 1")
                        .fetch_optional(&mut *tx)
                        .await?;
                let (kind, scope, seal) = make(last.as_ref().map(|(_, s)| s.as_str()))?;
                let seq = last.map_or(0, |(s, _)| s + 1);
                sqlx::query("INSERT INTO seals (seq, kind, scope, seal) VALUES ($1, $2, $3, $4)")
                    .bind(seq)
                    .bind(&kind)
                    .bind(&scope)
                    .bind(&seal)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(SealRow {
                    seq,
                    kind,
                    scope,
                    seal,
                })
            }
        )
    }

    /// The whole chain of seals, in order.
    pub async fn seals(&self) -> Result<Vec<SealRow>> {
        with_db!(
            &self.db,
            read | p | {
                Ok(
                    sqlx::query_as("SELECT seq, kind, scope, seal FROM seals ORDER BY seq")
                        .fetch_all(p)
                        .await?,
                )
            }
        )
    }

    /// Seals of one kind for one scope, in order.
    pub async fn seals_of(&self, kind: &str, scope: &str) -> Result<Vec<SealRow>> {
        with_db!(
            &self.db,
            read | p
                | {
                    Ok(sqlx::query_as(
                "SELECT seq, kind, scope, seal FROM seals WHERE kind = $1 AND scope = $2 ORDER BY seq",
            )
            .bind(kind)
            .bind(scope)
            .fetch_all(p)
            .await?)
                }
        )
    }
}

impl Registry {
    /// Stores (or replaces) a chamber's logo (JPEG).
    pub async fn put_chamber_logo(
        &self,
        chamber_code: &str,
        content: &[u8],
        digest: &str,
        now: DateTime<Utc>,
        by: &str,
    ) -> Result<()> {
        with_db!(
            &self.db,
            write
                | p
                | {
                    sqlx::query(
                "INSERT INTO chamber_logos (chamber_code, content, digest, uploaded_at, uploaded_by) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (chamber_code) DO UPDATE SET content = excluded.content, digest = excluded.digest, \
                 uploaded_at = excluded.uploaded_at, uploaded_by = excluded.uploaded_by",
            )
            .bind(chamber_code)
            .bind(content)
            .bind(digest)
            .bind(now)
            .bind(by)
            .execute(p)
            .await?;
                    Ok(())
                }
        )
    }

    /// The SHA-256 (hex) of a chamber's logo, if one was uploaded: enough to link to it.
    pub async fn chamber_logo_digest(&self, chamber_code: &str) -> Result<Option<String>> {
        with_db!(
            &self.db,
            read | p | {
                Ok(
                    sqlx::query_scalar("SELECT digest FROM chamber_logos WHERE chamber_code = $1")
                        .bind(chamber_code)
                        .fetch_optional(p)
                        .await?,
                )
            }
        )
    }

    /// A chamber's logo, if one was uploaded.
    pub async fn chamber_logo(&self, chamber_code: &str) -> Result<Option<Vec<u8>>> {
        with_db!(
            &self.db,
            read | p | {
                Ok(
                    sqlx::query_scalar("SELECT content FROM chamber_logos WHERE chamber_code = $1")
                        .bind(chamber_code)
                        .fetch_optional(p)
                        .await?,
                )
            }
        )
    }
}

/// One right as the voter-list views and the seal of the voters need it: no personal data
/// in clear (the sealed row is opened by the caller with the chamber's data key).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RightSummary {
    /// System-wide identifier.
    pub right_id: String,
    /// Its scrutin.
    pub scrutin_id: String,
    /// Its chamber.
    pub chamber_code: String,
    /// Sealed personal data.
    pub personal: Vec<u8>,
    /// Keyed digest of the birth date.
    pub birth_check: Option<Vec<u8>>,
    /// Login identifier, once credentials exist.
    pub identifier: Option<String>,
    /// Login public key, once credentials exist.
    pub login_key: Option<Vec<u8>>,
}

impl Electors {
    /// Every right of a chamber with what the voters seal covers, by identifier.
    pub async fn right_summaries(&self, chamber_code: &str) -> Result<Vec<RightSummary>> {
        with_db!(
            &self.db,
            read | p
                | {
                    Ok(sqlx::query_as(
                "SELECT r.right_id, r.scrutin_id, r.chamber_code, r.personal, r.birth_check, l.identifier, l.login_key FROM rights r LEFT JOIN logins l ON l.right_id = r.right_id WHERE r.chamber_code = $1 ORDER BY r.right_id",
            )
            .bind(chamber_code)
            .fetch_all(p)
            .await?)
                }
        )
    }

    /// Number of rights of a chamber.
    pub async fn count_rights_of_chamber(&self, chamber_code: &str) -> Result<i64> {
        with_db!(
            &self.db,
            read | p | {
                Ok(
                    sqlx::query_scalar("SELECT COUNT(*) FROM rights WHERE chamber_code = $1")
                        .bind(chamber_code)
                        .fetch_one(p)
                        .await?,
                )
            }
        )
    }

    /// Replaces the voter list of a chamber by `rights` in one transaction (a CELE's new
    /// file, R-13). Refused once any right of the chamber has credentials: from then on the
    /// list only changes right by right.
    pub async fn replace_chamber_rights(
        &self,
        chamber_code: &str,
        rights: &[crate::electors::NewRight],
    ) -> Result<()> {
        with_db!(
            &self.db,
            write
                | p
                | {
                    let mut tx = p.begin_write().await?;
                    tx.lock_rights_list(RightsList::Change).await?;
                    let with_credentials: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM logins l JOIN rights r ON r.right_id = l.right_id WHERE r.chamber_code = $1",
            )
            .bind(chamber_code)
            .fetch_one(&mut *tx)
            .await?;
                    if with_credentials > 0 {
                        return Err(StoreError::Conflict(format!(
                            "chamber {chamber_code} already has voting material: change its list right by right"
                        )));
                    }
                    sqlx::query("DELETE FROM rights WHERE chamber_code = $1")
                        .bind(chamber_code)
                        .execute(&mut *tx)
                        .await?;
                    for chunk in rights.chunks(2000) {
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
                            StoreError::unique_as_conflict(
                                "a voting right is already registered in another chamber",
                            ),
                        )?;
                    }
                    tx.commit().await?;
                    Ok(())
                }
        )
    }

    /// Removes one right (a court decision, R-13) if it has not voted.
    pub async fn remove_right(&self, right_id: &str) -> Result<()> {
        with_db!(
            &self.db,
            write | p | {
                let mut tx = p.begin_write().await?;
                tx.lock_rights_list(RightsList::Change).await?;
                let voted: i64 =
                    sqlx::query_scalar("SELECT COUNT(*) FROM emargements WHERE right_id = $1")
                        .bind(right_id)
                        .fetch_one(&mut *tx)
                        .await?;
                if voted > 0 {
                    return Err(StoreError::Conflict(format!("right {right_id} has voted")));
                }
                // Its login first: PostgreSQL's logins have no cascading foreign key.
                sqlx::query("DELETE FROM logins WHERE right_id = $1")
                    .bind(right_id)
                    .execute(&mut *tx)
                    .await?;
                let done = sqlx::query("DELETE FROM rights WHERE right_id = $1")
                    .bind(right_id)
                    .execute(&mut *tx)
                    .await?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::NotFound(format!("right {right_id}")));
                }
                tx.commit().await?;
                Ok(())
            }
        )
    }

    /// Émargements per Paris day of a scrutin (participation by day, R-73): only counts.
    pub async fn emargement_instants(&self, scrutin_id: &str) -> Result<Vec<DateTime<Utc>>> {
        with_db!(
            &self.db,
            read | p | {
                Ok(
                    sqlx::query_scalar("SELECT at FROM emargements WHERE scrutin_id = $1")
                        .bind(scrutin_id)
                        .fetch_all(p)
                        .await?,
                )
            }
        )
    }
}
