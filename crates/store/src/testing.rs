//! Fresh stores for tests, demos and benches: a temporary SQLite directory, or three new
//! PostgreSQL databases with their roles (unique names), dropped when the handle goes.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::backend::Kind;
use crate::error::Result;
use crate::location::{StoreLocation, create_postgres_stores, drop_postgres_stores};

/// Environment variable naming the PostgreSQL server for tests (a superuser URL).
pub const TEST_PG_ENV: &str = "SCRUTIN_TEST_PG";
/// The default test server: local, trust authentication.
pub const DEFAULT_TEST_PG: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// The PostgreSQL admin URL tests use.
pub fn test_pg_url() -> String {
    std::env::var(TEST_PG_ENV).unwrap_or_else(|_| DEFAULT_TEST_PG.to_string())
}

/// A fresh store location that cleans up after itself.
#[derive(Debug)]
pub struct FreshLocation {
    /// Where the stores are.
    pub location: StoreLocation,
    kind: Kind,
    prefix: Option<String>,
    admin_url: String,
    _dir: Option<tempfile::TempDir>,
}

impl FreshLocation {
    /// The engine.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// Creates fresh, empty stores of the given kind (PostgreSQL: on [`test_pg_url`]).
    pub async fn new(kind: Kind) -> Result<FreshLocation> {
        FreshLocation::new_on(kind, &test_pg_url()).await
    }

    /// Creates fresh, empty stores; PostgreSQL ones on the server of `admin_url`.
    pub async fn new_on(kind: Kind, admin_url: &str) -> Result<FreshLocation> {
        let admin_url = admin_url.to_string();
        match kind {
            Kind::Sqlite => {
                let dir = tempfile::tempdir().map_err(|source| crate::StoreError::Io {
                    path: "temporary directory".into(),
                    source,
                })?;
                Ok(FreshLocation {
                    location: StoreLocation::Sqlite {
                        dir: dir.path().to_path_buf(),
                    },
                    kind,
                    prefix: None,
                    admin_url,
                    _dir: Some(dir),
                })
            }
            Kind::Postgres => {
                static N: AtomicU64 = AtomicU64::new(0);
                let prefix = format!(
                    "t{}_{}_{}",
                    std::process::id(),
                    N.fetch_add(1, Ordering::Relaxed),
                    rand::random::<u32>()
                );
                let location = create_postgres_stores(&admin_url, &prefix, None).await?;
                Ok(FreshLocation {
                    location,
                    kind,
                    prefix: Some(prefix),
                    admin_url,
                    _dir: None,
                })
            }
        }
    }

    /// Drops the PostgreSQL databases now (also done on drop).
    pub async fn cleanup(mut self) -> Result<()> {
        if let Some(prefix) = self.prefix.take() {
            drop_postgres_stores(&self.admin_url, &prefix).await?;
        }
        Ok(())
    }
}

impl Drop for FreshLocation {
    fn drop(&mut self) {
        if let Some(prefix) = self.prefix.take() {
            let admin_url = self.admin_url.clone();
            // Drop may run inside or outside a runtime: use a thread with its own.
            let done = std::thread::spawn(move || {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map(|rt| rt.block_on(drop_postgres_stores(&admin_url, &prefix)))
            })
            .join();
            if !matches!(done, Ok(Ok(Ok(())))) {
                tracing::warn!("could not drop test databases");
            }
        }
    }
}

/// The synthetic "typical ballot" election of the performance budget
/// (architecture.md): one scrutin `999-S` with two contests, CCIR 6 candidates / 3 seats
/// and CCIT 15 candidates / 8 seats, and `rights` voters from the `scrutin-election`
/// generator. Returns the election and its voter records.
pub fn typical_election(
    election_id: &str,
    rights: u64,
    seed: u64,
) -> Result<(
    scrutin_election::Election,
    Vec<scrutin_election::VoterRecord>,
)> {
    use scrutin_election::{CandidateFile, Election, ReadOptions, read_structure, read_voters};
    let invalid = |e: String| crate::StoreError::Invalid(e);
    let mut structure_csv = Vec::new();
    scrutin_election::generator::write_structure(&mut structure_csv)
        .map_err(|e| invalid(e.to_string()))?;
    let text = String::from_utf8(structure_csv).map_err(|e| invalid(e.to_string()))?;
    // Keep the header and the category S row (no sub-category), with 8 CCIT seats.
    let mut lines = text.lines();
    let header = lines.next().unwrap_or_default();
    let row = lines
        .find(|l| l.contains(";S;Services;;;"))
        .ok_or_else(|| invalid("synthetic structure has no S row".into()))?
        .replacen(";S;Services;;;3;12;", ";S;Services;;;3;8;", 1);
    let structure_csv = format!("{header}\n{row}\n");
    let structure = read_structure(structure_csv.as_bytes(), &ReadOptions::default())
        .map_err(|e| invalid(e.to_string()))?
        .structure
        .ok_or_else(|| invalid("synthetic structure refused".into()))?;
    let person = |i: usize, civ: &str| {
        serde_json::json!({
            "civility": civ,
            "last_name": format!("Candidat{i}"),
            "first_name": format!("Prénom{i}"),
            "birth_date": format!("19{:02}-0{}-1{}", 50 + i % 40, 1 + i % 9, i % 10),
            "activity": "commerçant",
            "locality": "Synthèse",
        })
    };
    let ccir: Vec<serde_json::Value> = (0..6)
        .map(|i| {
            let mut c = person(i, if i % 2 == 0 { "M." } else { "MME" });
            c["substitute"] = serde_json::json!({
                "civility": if i % 2 == 0 { "MME" } else { "M." },
                "last_name": format!("Suppléant{i}"),
                "first_name": format!("Prénom{i}"),
            });
            c
        })
        .collect();
    let ccit: Vec<serde_json::Value> = (0..15).map(|i| person(100 + i, "MME")).collect();
    let candidates = serde_json::json!({
        "format": "scrutin-candidates/1",
        "contests": [
            { "contest": "999-S/CCIR", "entries": [
                { "grouping": { "name": "Groupement A", "candidates": ccir[..3] } },
                { "grouping": { "name": "Groupement B", "candidates": ccir[3..] } } ] },
            { "contest": "999-S/CCIT", "entries": [
                { "grouping": { "name": "Groupement A", "candidates": ccit[..8] } },
                { "grouping": { "name": "Groupement B", "candidates": ccit[8..14] } },
                { "candidate": ccit[14] } ] },
        ],
    });
    let candidates =
        CandidateFile::from_json(&candidates.to_string()).map_err(|e| invalid(e.to_string()))?;
    let (election, _) = Election::new(election_id, structure, candidates)
        .map_err(|issues| invalid(format!("synthetic candidates refused: {issues:?}")))?;
    // The generator spreads voters over five scrutins; keep those of 999-S.
    let mut records = Vec::with_capacity(rights as usize);
    let mut batch_seed = seed;
    while (records.len() as u64) < rights {
        let mut csv = Vec::new();
        let want = (rights - records.len() as u64) * 23 / 10 + 16;
        scrutin_election::generator::write_voters(&mut csv, want, batch_seed)
            .map_err(|e| invalid(e.to_string()))?;
        batch_seed += 1;
        let offset = records.len() as u64;
        read_voters(
            &election.structure,
            &csv[..],
            &ReadOptions::default(),
            |row| {
                if (records.len() as u64) < rights {
                    let mut r = row.to_record();
                    // Unique elector numbers across batches.
                    let n: u64 = offset * 4 + r.elector_number.parse::<u64>().unwrap_or(0);
                    r.elector_number = format!("{n:010}");
                    if let Ok(id) = scrutin_election::VoterId::from_parts(
                        &scrutin_election::ChamberCode::parse(&r.chamber)
                            .unwrap_or_else(|_| unreachable!()),
                        n,
                    ) {
                        r.voter_id = id;
                    }
                    records.push(r);
                }
                std::ops::ControlFlow::Continue(())
            },
        )
        .map_err(|e| invalid(e.to_string()))?;
    }
    Ok((election, records))
}
