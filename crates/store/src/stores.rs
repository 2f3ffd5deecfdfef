//! The handle on the three isolated stores.

use std::path::Path;

use crate::backend::{Db, Kind, migrate};
use crate::ballots::Ballots;
use crate::electors::Electors;
use crate::error::{Result, StoreError};
use crate::location::StoreLocation;
use crate::registry::Registry;

/// The three stores, each on its own database (and, on PostgreSQL, its own role): no
/// connection of this handle can join voters to ballots.
#[derive(Debug, Clone)]
pub struct Stores {
    /// Structure, sheets, journal.
    pub registry: Registry,
    /// Rights, login keys, lockouts, émargement, resend requests.
    pub electors: Electors,
    /// Voting keys, ballot box, board.
    pub ballots: Ballots,
}

/// Connection sizes.
#[derive(Debug, Clone, Copy)]
pub struct PoolSizes {
    /// PostgreSQL connections per store.
    pub postgres: u32,
    /// SQLite read-only connections per store.
    pub sqlite_readers: u32,
}

impl Default for PoolSizes {
    fn default() -> Self {
        PoolSizes {
            postgres: 16,
            sqlite_readers: 4,
        }
    }
}

impl Stores {
    /// Opens (and migrates) the three stores.
    pub async fn open(location: &StoreLocation) -> Result<Stores> {
        Stores::open_with(location, PoolSizes::default()).await
    }

    /// Opens the three stores with explicit pool sizes.
    pub async fn open_with(location: &StoreLocation, sizes: PoolSizes) -> Result<Stores> {
        let (registry, electors, ballots) = match location {
            StoreLocation::Sqlite { dir } => {
                std::fs::create_dir_all(dir).map_err(|source| StoreError::Io {
                    path: dir.display().to_string(),
                    source,
                })?;
                let open = |name: &str| sqlite_path(dir, name);
                (
                    Db::open_sqlite(&open("registry"), sizes.sqlite_readers).await?,
                    Db::open_sqlite(&open("electors"), sizes.sqlite_readers).await?,
                    Db::open_sqlite(&open("ballots"), sizes.sqlite_readers).await?,
                )
            }
            StoreLocation::Postgres {
                registry,
                electors,
                ballots,
            } => (
                Db::open_postgres(registry, sizes.postgres).await?,
                Db::open_postgres(electors, sizes.postgres).await?,
                Db::open_postgres(ballots, sizes.postgres).await?,
            ),
        };
        migrate!(
            &registry,
            "./migrations/sqlite/registry",
            "./migrations/postgres/registry"
        );
        migrate!(
            &electors,
            "./migrations/sqlite/electors",
            "./migrations/postgres/electors"
        );
        migrate!(
            &ballots,
            "./migrations/sqlite/ballots",
            "./migrations/postgres/ballots"
        );
        Ok(Stores {
            registry: Registry { db: registry },
            electors: Electors { db: electors },
            ballots: Ballots { db: ballots },
        })
    }

    /// The engine.
    pub fn kind(&self) -> Kind {
        self.ballots.db.kind()
    }

    /// Closes every pool.
    pub async fn close(&self) {
        self.registry.db.close().await;
        self.electors.db.close().await;
        self.ballots.db.close().await;
    }
}

fn sqlite_path(dir: &Path, name: &str) -> std::path::PathBuf {
    dir.join(format!("{name}.sqlite"))
}
