//! # scrutin-election
//!
//! The election domain of the CCI member elections, pure (no I/O besides the readers and
//! writers it is handed):
//!
//! - the files election staff upload (CCTP annex §7.1): the election structure
//!   ([`structure_file`]), the voter file of each chamber ([`voters`], streaming, every
//!   column rule with its blocking or truncating outcome) and the authorised users
//!   ([`users`]), read from real-world CSV ([`input`]) with a report ([`report`]), a
//!   control list per chamber and a reproducible spot-check sample ([`control`]);
//! - the model: scrutins and their contests, the CCIR and CCIT elections held in one
//!   voting operation, pooled CCIR elections (R731-8) and each right's ballot style
//!   ([`structure`]); candidates and groupings ([`candidates`]); the election and the
//!   per-contest inputs of the cryptographic layer ([`election`]);
//! - ballot rules ([`ballot`]), results ([`results`]), seat allocation with the legal
//!   tie-breaks ([`seats`]) and the PV ([`pv`]);
//! - synthetic files for load tests ([`generator`]);
//! - the election record's files, shared by its exporter and the verifier ([`record`]).
//!
//! Requirements: R-10… …, R-62b, R-63
//! (`../shared/design/requirements.md`). File formats: `specs/csv-formats.md`; election
//! rules with worked examples: `specs/election-rules.md`.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod ballot;
pub mod candidates;
pub mod control;
pub mod election;
pub mod error;
mod fields;
pub mod generator;
pub mod ids;
pub mod input;
pub mod pv;
pub mod record;
pub mod report;
pub mod results;
pub mod seats;
pub mod structure;
pub mod structure_file;
pub mod users;
pub mod voters;

pub use ballot::{BallotError, ChoiceBuilder, ContestChoice};
pub use candidates::{
    BallotEntry, Candidate, CandidateFile, CandidateIssue, ContestCandidates, Grouping, Mandate,
    Substitute,
};
pub use control::{ControlList, SamplingParams, SpotCheck};
pub use election::{ContestSpec, Election};
pub use error::{IdError, ImportError, ResultsError};
pub use fields::email_is_valid;
pub use ids::{
    CategoryCode, ChamberCode, ContestId, ContestKind, OptionId, ScrutinId, SubCategoryCode,
    VoterId,
};
pub use input::{EncodingChoice, ReadOptions};
pub use pv::Pv;
pub use report::{ImportReport, Issue, Outcome, Rule};
pub use results::{ContestCount, ContestResults};
pub use seats::{DrawSeed, SeatAllocation};
pub use structure::{Contest, ScrutinDefinition, Structure};
pub use structure_file::{StructureImport, read_structure};
pub use users::{AuthorisedUser, Perimeter, UsersImport, read_users};
pub use voters::{
    BirthDate, Civility, VoterImport, VoterRecord, VoterRow, read_voter_records, read_voters,
    validate_voters,
};
