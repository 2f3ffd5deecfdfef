//! The crate's error type.

use thiserror::Error;

/// Everything that can go wrong in scrutin-crypto. Verification failures name the check
/// that failed, so a verifier can report it precisely.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum CryptoError {
    /// Bytes that are not a canonical encoding of the expected object.
    #[error("invalid encoding of {what}: {reason}")]
    Encoding {
        /// What was being decoded (point, scalar, signature, ...).
        what: &'static str,
        /// Why it was refused.
        reason: String,
    },
    /// A proof, signature or consistency check did not hold.
    #[error("verification failed: {0}")]
    Verification(String),
    /// Input that the operation cannot accept (invalid choice, wrong sizes, ...).
    #[error("invalid input: {0}")]
    InvalidInput(String),
}

impl CryptoError {
    pub(crate) fn encoding(what: &'static str, reason: impl Into<String>) -> Self {
        CryptoError::Encoding {
            what,
            reason: reason.into(),
        }
    }

    pub(crate) fn verification(msg: impl Into<String>) -> Self {
        CryptoError::Verification(msg.into())
    }

    pub(crate) fn invalid(msg: impl Into<String>) -> Self {
        CryptoError::InvalidInput(msg.into())
    }
}

/// Result alias of this crate.
pub type Result<T, E = CryptoError> = core::result::Result<T, E>;
