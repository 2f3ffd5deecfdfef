//! Where the three stores live, and creating them on PostgreSQL with one role each.

use std::fmt;
use std::path::PathBuf;

use sqlx::Connection;
use sqlx::postgres::PgConnection;

use crate::error::{Result, StoreError};

/// Where the three isolated stores are (R-48).
#[derive(Clone, PartialEq, Eq)]
pub enum StoreLocation {
    /// Three SQLite files in one directory: `registry.sqlite`, `electors.sqlite`,
    /// `ballots.sqlite`.
    Sqlite {
        /// The directory.
        dir: PathBuf,
    },
    /// Three PostgreSQL databases, each reached with its own role.
    Postgres {
        /// URL of the registry database (its role sees only it).
        registry: String,
        /// URL of the electors database.
        electors: String,
        /// URL of the ballots database.
        ballots: String,
    },
}

impl StoreLocation {
    /// Parses the command-line form: a directory for SQLite, or
    /// `postgres://…registry…,postgres://…electors…,postgres://…ballots…`.
    pub fn parse(s: &str) -> Result<StoreLocation> {
        if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            let urls: Vec<&str> = s.split(',').map(str::trim).collect();
            match urls.as_slice() {
                [r, e, b] => Ok(StoreLocation::Postgres {
                    registry: r.to_string(),
                    electors: e.to_string(),
                    ballots: b.to_string(),
                }),
                _ => Err(StoreError::Invalid(
                    "a PostgreSQL location is three URLs separated by commas: registry, electors, ballots"
                        .into(),
                )),
            }
        } else {
            Ok(StoreLocation::Sqlite { dir: s.into() })
        }
    }

    /// The command-line form (see [`StoreLocation::parse`]); it contains passwords, if any.
    pub fn to_arg(&self) -> String {
        match self {
            StoreLocation::Sqlite { dir } => dir.display().to_string(),
            StoreLocation::Postgres {
                registry,
                electors,
                ballots,
            } => format!("{registry},{electors},{ballots}"),
        }
    }
}

/// Hides the password of a database URL, for logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme + 3],
                    &userinfo[..colon],
                    &url[at..]
                ),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

impl fmt::Debug for StoreLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreLocation::Sqlite { dir } => f.debug_struct("Sqlite").field("dir", dir).finish(),
            StoreLocation::Postgres {
                registry,
                electors,
                ballots,
            } => f
                .debug_struct("Postgres")
                .field("registry", &redact_url(registry))
                .field("electors", &redact_url(electors))
                .field("ballots", &redact_url(ballots))
                .finish(),
        }
    }
}

/// The three store names, which are also the suffixes of PostgreSQL database and role names.
pub const STORE_NAMES: [&str; 3] = ["registry", "electors", "ballots"];

fn check_prefix(prefix: &str) -> Result<()> {
    let ok = !prefix.is_empty()
        && prefix.len() <= 40
        && prefix
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && prefix.as_bytes()[0].is_ascii_lowercase();
    if ok {
        Ok(())
    } else {
        Err(StoreError::Invalid(format!(
            "database prefix {prefix:?}: lowercase letters, digits and '_', starting with a letter"
        )))
    }
}

fn with_user_and_db(
    admin_url: &str,
    user: &str,
    password: Option<&str>,
    db: &str,
) -> Result<String> {
    // postgres://[user[:pw]@]host[:port][/db][?params]
    let rest = admin_url
        .strip_prefix("postgres://")
        .or_else(|| admin_url.strip_prefix("postgresql://"))
        .ok_or_else(|| {
            StoreError::Invalid(format!("not a PostgreSQL URL: {}", redact_url(admin_url)))
        })?;
    let (authority_and_path, query) = match rest.find('?') {
        Some(q) => (&rest[..q], &rest[q..]),
        None => (rest, ""),
    };
    let authority = authority_and_path.split('/').next().unwrap_or_default();
    let host = authority.rsplit('@').next().unwrap_or(authority);
    let creds = match password {
        Some(pw) => format!("{user}:{pw}"),
        None => user.to_string(),
    };
    Ok(format!("postgres://{creds}@{host}/{db}{query}"))
}

/// Creates the three PostgreSQL databases `<prefix>_registry`, `<prefix>_electors`,
/// `<prefix>_ballots`, each owned by a role of the same name that may connect to it alone
/// (R-48: no connection can join voters to ballots). `admin_url` must be a superuser (or a
/// role with CREATEROLE and CREATEDB). `password`, when given, is set on the three roles
/// (production also restricts them in `pg_hba.conf`; see docs/operations.md).
pub async fn create_postgres_stores(
    admin_url: &str,
    prefix: &str,
    password: Option<&str>,
) -> Result<StoreLocation> {
    check_prefix(prefix)?;
    let mut admin = PgConnection::connect(admin_url).await?;
    let mut urls = Vec::new();
    for store in STORE_NAMES {
        let name = format!("{prefix}_{store}");
        let create_role = match password {
            Some(pw) => format!(
                "CREATE ROLE {name} LOGIN PASSWORD '{}'",
                pw.replace('\'', "''")
            ),
            None => format!("CREATE ROLE {name} LOGIN"),
        };
        sqlx::query(&create_role).execute(&mut admin).await?;
        sqlx::query(&format!("CREATE DATABASE {name} OWNER {name}"))
            .execute(&mut admin)
            .await?;
        sqlx::query(&format!("REVOKE ALL ON DATABASE {name} FROM PUBLIC"))
            .execute(&mut admin)
            .await?;
        sqlx::query(&format!(
            "GRANT CONNECT, TEMPORARY ON DATABASE {name} TO {name}"
        ))
        .execute(&mut admin)
        .await?;
        urls.push(with_user_and_db(admin_url, &name, password, &name)?);
    }
    admin.close().await?;
    let mut urls = urls.into_iter();
    let (Some(registry), Some(electors), Some(ballots)) = (urls.next(), urls.next(), urls.next())
    else {
        return Err(StoreError::Invalid("three stores expected".into()));
    };
    Ok(StoreLocation::Postgres {
        registry,
        electors,
        ballots,
    })
}

/// Drops the databases and roles made by [`create_postgres_stores`] (tests, demo reset).
pub async fn drop_postgres_stores(admin_url: &str, prefix: &str) -> Result<()> {
    check_prefix(prefix)?;
    let mut admin = PgConnection::connect(admin_url).await?;
    for store in STORE_NAMES {
        let name = format!("{prefix}_{store}");
        sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut admin)
            .await?;
        sqlx::query(&format!("DROP ROLE IF EXISTS {name}"))
            .execute(&mut admin)
            .await?;
    }
    admin.close().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_redacted_and_rewritten() {
        assert_eq!(
            redact_url("postgres://u:secret@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(
            with_user_and_db(
                "postgres://postgres@127.0.0.1:5432/postgres",
                "p_ballots",
                None,
                "p_ballots"
            )
            .unwrap(),
            "postgres://p_ballots@127.0.0.1:5432/p_ballots"
        );
        assert_eq!(
            with_user_and_db("postgres://a:b@h/x?sslmode=disable", "r", Some("pw"), "r").unwrap(),
            "postgres://r:pw@h/r?sslmode=disable"
        );
    }

    #[test]
    fn location_parses_both_forms() {
        assert_eq!(
            StoreLocation::parse("/var/lib/scrutin").unwrap(),
            StoreLocation::Sqlite {
                dir: "/var/lib/scrutin".into()
            }
        );
        let pg =
            StoreLocation::parse("postgres://a@h/r,postgres://b@h/e,postgres://c@h/b").unwrap();
        assert!(matches!(pg, StoreLocation::Postgres { .. }));
        assert_eq!(StoreLocation::parse(&pg.to_arg()).unwrap(), pg);
        assert!(StoreLocation::parse("postgres://a@h/r").is_err());
        assert!(check_prefix("Robert'); drop").is_err());
    }
}
