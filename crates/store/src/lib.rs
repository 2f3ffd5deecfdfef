//! # scrutin-store
//!
//! Persistence of scrutin in **three isolated stores** (R-48), on SQLite (embedded default:
//! three files, WAL, `synchronous=FULL`) or PostgreSQL (production: three databases, three
//! roles):
//!
//! | store | holds |
//! |---|---|
//! | [`Registry`] | scrutins, ballot sheets, the journal (R-53) |
//! | [`Electors`] | rights with personal data sealed per chamber, login keys, lockouts, émargement, resend requests |
//! | [`Ballots`] | per-scrutin voting keys, the ballot box (no timestamp, no arrival order), board epochs |
//!
//! On top of the stores: the atomic cast across electors and ballots with its recovery
//! rule ([`cast`]), the public board ([`board`]), the journal ([`journal`]), encryption at
//! rest ([`sealing`]), credential generation ([`credentials`]) and the provisioning API
//! used by the CLI, the demo, the admin server and tests ([`provision`]); the export of
//! the public election record for the independent verifier ([`record_export`]).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod addressee;
pub mod admin_access;
mod backend;
pub mod ballots;
pub mod board;
pub mod cast;
pub mod ceremony_store;
pub mod clock;
mod copy_in;
pub mod credentials;
mod drawn_letters;
pub mod electors;
pub mod error;
pub mod journal;
pub mod keys;
pub mod letters;
pub mod location;
mod lockout;
pub mod preparation;
pub mod provision;
pub mod record_export;
pub mod registry;
pub mod scrutin;
pub mod sealing;
pub mod stores;
pub mod tally_store;
pub mod testing;
mod visits;

pub use backend::Kind;
pub use ballots::Ballots;
pub use clock::{Clock, ManualClock, SharedClock, SystemClock};
pub use electors::Electors;
pub use error::{Result, StoreError};
pub use location::{StoreLocation, create_postgres_stores, drop_postgres_stores};
pub use registry::Registry;
pub use scrutin::{Scrutin, ScrutinState, StoredState};
pub use stores::{PoolSizes, Stores};
