//! The tally of a contest (R-60…R-62, `specs/protocol.md` §9).
//!
//! 1. [`aggregate`]: the ciphertexts of every ballot are added position by position (each
//!    option and the blank flag), which adds the plaintexts without decrypting any ballot.
//! 2. [`create_decryption_share`]: each participating trustee `i` computes, on its own side,
//!    `D_j = x_i·α_j` for every aggregate `(α_j, β_j)`, with a DLEQ proof that
//!    `log_G Y_i = log_{α_j} D_j`.
//! 3. [`verify_decryption_share`] / [`verify_decryption_shares`] check the proofs (the
//!    latter with one multiscalar multiplication, naming the faulty trustee on failure).
//! 4. [`combine`]: any `t` valid shares give `m_j·G = β_j − Σ_i λ_i·D_ij` with the Lagrange
//!    coefficients `λ_i` at 0.
//! 5. [`DlogTable::solve`]: baby-step giant-step finds `m_j`, with one table per contest.

mod aggregate;
mod combine;
mod decryption;
mod dlog;

#[cfg(feature = "parallel")]
pub use aggregate::aggregate_parallel;
pub use aggregate::{Aggregator, aggregate};
pub use combine::{combine, decrypt, lagrange_at_zero};
pub use decryption::{
    DECRYPTION_SHARE_PROOF, DecryptionShare, PartialDecryption, create_decryption_share,
    verify_decryption_share, verify_decryption_shares,
};
pub use dlog::{DlogTable, MAX_BOUND};
