//! # scrutin-ballot-client
//!
//! The voter's browser runs this crate, compiled to `wasm32-unknown-unknown`, to check the
//! typed credentials, derive the keys from the secret code, encrypt, prove and sign the
//! ballot, and check the public board. So the ballot is encrypted before it leaves the
//! voter's device and the secret code never leaves the browser (protocol §3).
//!
//! ## Build and load
//! `ballot-client-wasm/build.sh` builds the release cdylib with cargo alone and copies it to
//! `web/voter/wasm/scrutin_ballot.wasm`; `web/voter/js/ballot-client.js` loads it. The module
//! imports nothing and exports four functions (see [`abi`]): every operation is a JSON
//! request written into linear memory and a JSON response read back.
//!
//! ## Operations ([`ops`])
//! | `op` | request | result |
//! |---|---|---|
//! | `info` | — | `{abi_version, crate_version}` |
//! | `check_identifier` | `{identifier}` | `{identifier, display}` |
//! | `check_code` | `{code}` | `{code}` (canonical) |
//! | `login_sign` | `{election_id, identifier, code, nonce}` | `{login_public_key, signature}` |
//! | `voting_key` | `{election_id, scrutin_id, code}` | `{voting_public_key}` |
//! | `prepare_style` | `{style}` | `{contests}` (tables built and kept for `encrypt_ballot`) |
//! | `encrypt_ballot` | `{style, choices, code, entropy}` | `{ballot, tracking_code, tracking_code_short}` |
//! | `tracking_code` | `{ballot}` | `{tracking_code, tracking_code_short}` |
//! | `verify_inclusion` | `{head, board_key, tracking_code, proof}` | `{epoch, tree_size, leaf_index}` |
//!
//! Errors are `{"error": {"code", "message", "details"?}}` with a stable `code` (see
//! [`ClientError`]): `bad_request`, `identifier_length`, `identifier_character`,
//! `identifier_check`, `code_length`, `code_character`, `code_check`, `entropy`,
//! `invalid_style`, `invalid_choice`, `invalid_ballot`, `board_signature`, `inclusion_proof`,
//! `internal`. The page maps them to plain French; `details` carries positions and counts,
//! never the code.
//!
//! ## Randomness
//! The module does not use getrandom's JavaScript backend: that backend needs wasm-bindgen
//! imports (and its CLI), and it would make the module depend on the page's global objects.
//! Instead the page draws 32 bytes with `crypto.getRandomValues` for every randomised call
//! and passes them in the request (`entropy`); [`entropy`] seeds ChaCha20 with them. The
//! prover also hedges every nonce with the witness and the transcript
//! (`scrutin_crypto::transcript`), so a weak or repeated browser generator reveals neither
//! the vote nor the key; an all-zero buffer (never filled) is refused.
//!
//! ## Secrets
//! The secret code is parsed into scrutin-crypto's zeroizing `SecretCode`; derived keys never
//! leave the module; request buffers are overwritten with zeros when freed.
#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod abi;
pub mod ballot;
pub mod board;
pub mod credentials;
pub mod entropy;
pub mod error;
pub mod ops;

pub use error::ClientError;
