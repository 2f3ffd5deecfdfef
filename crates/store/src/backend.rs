//! The two database backends behind each store, and the one code path that serves both.
//!
//! sqlx's `Any` driver is too weak for us (no checked types, no `BEGIN IMMEDIATE`), and
//! generic code over `sqlx::Database` drowns in trait bounds. Instead each store holds a
//! [`Db`] and writes its queries once inside [`with_db!`]: the macro expands the same body
//! for the SQLite pool and for the PostgreSQL pool, so each expansion is checked against a
//! concrete driver. The SQL is written in the dialect both accept (`$1` placeholders,
//! `ON CONFLICT`); the few places that differ branch on [`Db::kind`].

use std::path::Path;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};

use crate::error::Result;

/// Which database engine a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Embedded SQLite file (demo, tests, a single chamber).
    Sqlite,
    /// PostgreSQL (production).
    Postgres,
}

/// The pools of one store.
#[derive(Debug, Clone)]
pub enum Db {
    /// SQLite: one writer connection (SQLite has one writer anyway; a single connection
    /// turns lock contention into a queue) and a few readers (WAL lets them read while the
    /// writer writes).
    Sqlite {
        /// The only connection that writes.
        writer: SqlitePool,
        /// Read-only connections.
        reader: SqlitePool,
    },
    /// PostgreSQL: one pool, connected with the store's own role.
    Postgres(PgPool),
}

impl Db {
    /// The engine.
    pub fn kind(&self) -> Kind {
        match self {
            Db::Sqlite { .. } => Kind::Sqlite,
            Db::Postgres(_) => Kind::Postgres,
        }
    }

    /// Closes the pools.
    pub async fn close(&self) {
        match self {
            Db::Sqlite { writer, reader } => {
                reader.close().await;
                writer.close().await;
            }
            Db::Postgres(p) => p.close().await,
        }
    }

    /// Opens (creating if needed) an SQLite store file in WAL mode with `synchronous=FULL`:
    /// every commit is on disk before it returns, as durable votes need.
    pub(crate) async fn open_sqlite(path: &Path, readers: u32) -> Result<Db> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(30))
            .foreign_keys(true)
            // Deleted rows (a refused cast's pending ballot) are overwritten, not left in
            // free pages.
            .pragma("secure_delete", "ON");
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(60))
            // A 64 MB page cache for the one writer (SQLite's default is 2 MB): bulk
            // inserts into an index in random key order (2,000,000 login identifiers)
            // otherwise spill and re-read pages at every row: 25 s → 15 s at 2,000,000.
            // Temporary tables and statement journals in memory, not in files.
            .connect_with(
                options
                    .clone()
                    .pragma("cache_size", "-65536")
                    .pragma("temp_store", "MEMORY"),
            )
            .await?;
        let reader = SqlitePoolOptions::new()
            .max_connections(readers.max(1))
            .acquire_timeout(Duration::from_secs(60))
            .connect_with(options.read_only(true).create_if_missing(false))
            .await?;
        Ok(Db::Sqlite { writer, reader })
    }

    /// Connects to a PostgreSQL store.
    pub(crate) async fn open_postgres(url: &str, max_connections: u32) -> Result<Db> {
        let options: PgConnectOptions = url.parse()?;
        // No ping before each use: it cost a round trip per query (a cast makes eleven)
        // and ≈ 6 % of the voting server's CPU under load. A connection the server
        // dropped fails its next query with an error, which the request reports.
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .test_before_acquire(false)
            .acquire_timeout(Duration::from_secs(60))
            .connect_with(options)
            .await?;
        Ok(Db::Postgres(pool))
    }
}

/// Starts a write transaction the way each engine needs.
pub(crate) trait BeginWrite {
    /// The engine.
    type Database: sqlx::Database;
    /// `BEGIN IMMEDIATE` on SQLite (takes the write lock now, so a transaction that reads
    /// then writes never fails half-way on a lock upgrade); plain `BEGIN` on PostgreSQL,
    /// where row locks and unique indexes do the work.
    fn begin_write(
        &self,
    ) -> impl std::future::Future<Output = Result<Transaction<'static, Self::Database>>> + Send;
}

impl BeginWrite for SqlitePool {
    type Database = Sqlite;
    async fn begin_write(&self) -> Result<Transaction<'static, Sqlite>> {
        Ok(self.begin_with("BEGIN IMMEDIATE").await?)
    }
}

impl BeginWrite for PgPool {
    type Database = Postgres;
    async fn begin_write(&self) -> Result<Transaction<'static, Postgres>> {
        Ok(self.begin().await?)
    }
}

/// Whether a transaction writes credentials for rights it read (shared: generations go
/// side by side) or changes the list of rights (exclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RightsList {
    /// Writing logins for existing rights.
    Credentials,
    /// Removing or replacing rights.
    Change,
}

/// PostgreSQL's logins carry no foreign key (it row-locked every right, migration
/// `0003_logins_without_row_locks`): instead a change to the list of rights waits for the
/// credential transactions in progress, and they for it, so a right cannot disappear
/// between the check of a login's right and its commit. SQLite has one writer and keeps
/// its foreign key: nothing to take.
pub(crate) trait LockRightsList {
    /// Takes the lock until the end of the transaction.
    fn lock_rights_list(
        &mut self,
        how: RightsList,
    ) -> impl std::future::Future<Output = Result<()>> + Send;
}

/// The advisory lock's key ("scrutin" in ASCII, then 1: the list of rights).
const RIGHTS_LIST_LOCK: i64 = 0x7363_7275_7469_6e01;

impl LockRightsList for Transaction<'static, Sqlite> {
    async fn lock_rights_list(&mut self, _how: RightsList) -> Result<()> {
        Ok(())
    }
}

impl LockRightsList for Transaction<'static, Postgres> {
    async fn lock_rights_list(&mut self, how: RightsList) -> Result<()> {
        let sql = match how {
            RightsList::Credentials => "SELECT pg_advisory_xact_lock_shared($1)",
            RightsList::Change => "SELECT pg_advisory_xact_lock($1)",
        };
        sqlx::query(sql)
            .bind(RIGHTS_LIST_LOCK)
            .execute(&mut **self)
            .await?;
        Ok(())
    }
}

/// Runs `$body` with `$p` bound to the pool of the store's engine: the writer pool with
/// `write`, a reader pool with `read`. The body is compiled once per engine.
macro_rules! with_db {
    ($db:expr, write |$p:ident| $body:expr) => {
        match $db {
            $crate::backend::Db::Sqlite { writer, .. } => {
                let $p = writer;
                $body
            }
            $crate::backend::Db::Postgres(pool) => {
                let $p = pool;
                $body
            }
        }
    };
    ($db:expr, read |$p:ident| $body:expr) => {
        match $db {
            $crate::backend::Db::Sqlite { reader, .. } => {
                let $p = reader;
                $body
            }
            $crate::backend::Db::Postgres(pool) => {
                let $p = pool;
                $body
            }
        }
    };
}
pub(crate) use with_db;

/// Runs the embedded migrations of one store.
macro_rules! migrate {
    ($db:expr, $sqlite:literal, $postgres:literal) => {
        match $db {
            $crate::backend::Db::Sqlite { writer, .. } => {
                sqlx::migrate!($sqlite).run(writer).await?
            }
            $crate::backend::Db::Postgres(pool) => sqlx::migrate!($postgres).run(pool).await?,
        }
    };
}
pub(crate) use migrate;
