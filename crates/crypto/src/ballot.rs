//! Encrypted ballots (R-42, R-44): contest parameters and their fingerprint, ballot styles,
//! per-option 0/1 proofs and the blank/sum proof, the signature by the voting key, the
//! tracking code. Byte-level description: `specs/protocol.md` §3–§5.
//!
//! ```
//! # use scrutin_crypto::ballot::*;
//! # use scrutin_crypto::credentials::{SecretCode, voting_signing_key};
//! # use scrutin_crypto::elgamal::base_mul;
//! # use scrutin_crypto::Scalar;
//! # use rand_core::OsRng;
//! let y = base_mul(&Scalar::from(42u64)); // the election key (from the trustees' DKG)
//! let ccir = ContestParams::new("cci-2026", "ccir-industrie", y,
//!     (1..=6).map(|i| format!("cand-{i}")).collect(), 3)?;
//! let style = BallotStyle::new("cci-2026", "scrutin-75-industrie", vec![ccir])?;
//! let code = SecretCode::generate(&mut OsRng);
//! let key = voting_signing_key("cci-2026", "scrutin-75-industrie", &code);
//! let ballot = encrypt_ballot(&style, &[ContestChoice::select([0, 4])], &key, &mut OsRng)?;
//! verify_ballot(&ballot, &style)?;
//! println!("tracking code {}", ballot.tracking_code().short());
//! # Ok::<(), scrutin_crypto::CryptoError>(())
//! ```

mod choice;
mod contest;
mod prove;
pub mod signature;
mod statement;
pub(crate) mod verify;
mod wire;

pub use choice::ContestChoice;
pub use contest::{BallotStyle, ContestParams, MAX_CONTESTS, MAX_ID_LEN, MAX_OPTIONS};
pub use prove::{BallotEncryptor, encrypt_ballot};
pub use verify::verify_ballot;
pub use wire::{
    BALLOT_VERSION, Ballot, EncodedCiphertext, EncryptedContest, OptionProof, SumBranch,
    TrackingCode, ZeroOneBranch,
};
