//! Errors of the store.

/// The database driver's error, for callers that tell transient failures apart.
pub use sqlx::Error as SqlxError;

/// What can go wrong in the stores.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database refused or failed a query.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// A migration failed.
    #[error("migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// Something asked for does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// The request conflicts with what is stored (duplicate, wrong state).
    #[error("conflict: {0}")]
    Conflict(String),
    /// Input refused before anything was written.
    #[error("invalid input: {0}")]
    Invalid(String),
    /// Encryption at rest failed: wrong key, tampered data, or a destroyed key.
    #[error("encryption at rest: {0}")]
    Sealed(String),
    /// A cryptographic operation of `scrutin-crypto` failed.
    #[error("cryptography: {0}")]
    Crypto(#[from] scrutin_crypto::CryptoError),
    /// Reading or writing a file failed.
    #[error("file {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Stored data does not decode: the store was altered outside scrutin.
    #[error("corrupt stored data: {0}")]
    Corrupt(String),
}

impl StoreError {
    pub(crate) fn corrupt(what: impl std::fmt::Display) -> Self {
        StoreError::Corrupt(what.to_string())
    }

    /// True when the database reported a uniqueness (or primary key) violation.
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, StoreError::Database(sqlx::Error::Database(e)) if e.is_unique_violation())
    }

    /// True when the database reported a foreign key violation (a row naming one that
    /// does not exist).
    pub fn is_foreign_key_violation(&self) -> bool {
        matches!(self, StoreError::Database(sqlx::Error::Database(e)) if e.is_foreign_key_violation())
    }

    /// For `map_err`: a uniqueness violation becomes `instead`; any other database error
    /// stays as it is.
    pub(crate) fn unique_as(instead: StoreError) -> impl FnOnce(sqlx::Error) -> StoreError {
        move |e| {
            let e = StoreError::from(e);
            if e.is_unique_violation() { instead } else { e }
        }
    }

    /// For `map_err`: a uniqueness violation becomes a [`StoreError::Conflict`] saying
    /// `message`; any other database error stays as it is.
    pub(crate) fn unique_as_conflict(
        message: impl Into<String>,
    ) -> impl FnOnce(sqlx::Error) -> StoreError {
        StoreError::unique_as(StoreError::Conflict(message.into()))
    }
}

/// Result alias of the store.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;
