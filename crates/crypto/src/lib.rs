//! # scrutin-crypto
//!
//! The cryptographic core of scrutin: every ballot is encrypted in the voter's browser
//! with exponential ElGamal on Ristretto255, proven well-formed with zero-knowledge proofs,
//! signed with the voting credential, and tallied homomorphically under a threshold key
//! that no single party holds. The byte-level specification is `specs/protocol.md`.
//!
//! This crate is pure: no I/O, no clock, no global RNG (every random choice takes an RNG
//! argument). It builds for `wasm32-unknown-unknown`.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod ballot;
pub mod batch;
pub mod credentials;
pub mod dkg;
pub mod dleq;
pub mod elgamal;
pub mod encoding;
pub mod error;
pub mod hashchain;
pub mod keyfile;
pub mod merkle;
pub mod seal;
pub mod tally;
pub mod timestamp;
pub mod transcript;

pub use curve25519_dalek::ristretto::RistrettoPoint;
pub use curve25519_dalek::scalar::Scalar;
pub use error::{CryptoError, Result};
