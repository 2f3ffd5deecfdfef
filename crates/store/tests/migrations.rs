//! Stores created by an earlier version keep their data through later migrations: the
//! electors store of the first schema (logins inside `rights`) is filled, then opened by
//! the current code, on SQLite and on a real PostgreSQL.
#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

use std::path::Path;

use scrutin_store::testing::FreshLocation;
use scrutin_store::{Kind, StoreLocation, Stores};
use sqlx::migrate::Migrator;

/// A migrator holding only the first electors migration, as the first release shipped it.
async fn first_schema(engine: &str) -> (tempfile::TempDir, Migrator) {
    let dir = tempfile::tempdir().unwrap();
    let name = "0001_electors.sql";
    let source = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(engine)
        .join("electors")
        .join(name);
    std::fs::copy(source, dir.path().join(name)).unwrap();
    let migrator = Migrator::new(dir.path()).await.unwrap();
    (dir, migrator)
}

const OLD_RIGHTS: &str = "INSERT INTO rights (right_id, scrutin_id, chamber_code, personal, identifier, login_key, material) VALUES \
    ('1810000000001', '181-C', '181', $1, '100000000001', $2, 1), \
    ('1810000000002', '181-C', '181', $1, NULL, NULL, 0)";

async fn logins_survive_the_split(kind: Kind) {
    let fresh = FreshLocation::new(kind).await.unwrap();
    let personal = vec![7u8; 40];
    let login_key = vec![9u8; 32];
    // The first schema and its rows, written as that version would have.
    macro_rules! fill_first_schema {
        ($engine:literal, $pool:expr) => {{
            let (_dir, migrator) = first_schema($engine).await;
            let pool = $pool;
            migrator.run(&pool).await.unwrap();
            sqlx::query(OLD_RIGHTS)
                .bind(&personal)
                .bind(&login_key)
                .execute(&pool)
                .await
                .unwrap();
            pool.close().await;
        }};
    }
    match &fresh.location {
        StoreLocation::Sqlite { dir } => fill_first_schema!(
            "sqlite",
            sqlx::SqlitePool::connect_with(
                sqlx::sqlite::SqliteConnectOptions::new()
                    .filename(dir.join("electors.sqlite"))
                    .create_if_missing(true),
            )
            .await
            .unwrap()
        ),
        StoreLocation::Postgres { electors, .. } => {
            fill_first_schema!("postgres", sqlx::PgPool::connect(electors).await.unwrap())
        }
    }

    let stores = Stores::open(&fresh.location).await.unwrap();
    let login = stores
        .electors
        .right_by_identifier("100000000001")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(login.right_id, "1810000000001");
    assert_eq!(login.login_key.as_deref(), Some(&login_key[..]));
    assert_eq!(login.material, 1);
    let waiting = stores
        .electors
        .sealed_rights_page("181-C", "", usize::MAX)
        .await
        .unwrap();
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].right_id, "1810000000002");
    // Imported before addressees were sealed apart: its letter is read from its record.
    assert_eq!(waiting[0].addressee, None);
    assert_eq!(waiting[0].personal.as_ref(), Some(&personal));
    assert_eq!(
        stores.electors.all_identifiers().await.unwrap(),
        vec!["100000000001".to_string()]
    );
    assert_eq!(
        stores.electors.credential_counts("181-C").await.unwrap(),
        (1, 1)
    );
    // The rebuilt table (and its index by scrutin) still holds both rights.
    assert_eq!(stores.electors.count_rights("181-C").await.unwrap(), 2);
    stores.close().await;
    fresh.cleanup().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_logins_survive_the_split() {
    logins_survive_the_split(Kind::Sqlite).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_logins_survive_the_split() {
    logins_survive_the_split(Kind::Postgres).await
}
