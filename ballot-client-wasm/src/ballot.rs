//! Encryption, proofs and signature of the voter's ballot (protocol §5, R-44), and its
//! tracking code.

use std::sync::Mutex;

use scrutin_crypto::ballot::{Ballot, BallotEncryptor, BallotStyle, ContestChoice};
use serde::Deserialize;
use serde_json::{Value, json};
use zeroize::Zeroizing;

use crate::credentials::parse_code;
use crate::entropy::rng_from_hex;
use crate::error::ClientError;

/// The last style made ready for encryption: building its fixed-base tables costs about as
/// much as encrypting, so the page prepares it while the voter reads the ballot
/// (`prepare_style`) and `encrypt_ballot` finds it here. Only public data is kept.
static PREPARED: Mutex<Option<BallotEncryptor>> = Mutex::new(None);

fn parse_style(style: Value) -> Result<BallotStyle, ClientError> {
    serde_json::from_value(style).map_err(|e| ClientError::invalid_style(e.to_string()))
}

/// Runs `f` with an encryptor for `style`, from the cache or built (and cached) now.
fn with_encryptor<T>(style: &BallotStyle, f: impl FnOnce(&BallotEncryptor) -> T) -> T {
    let mut cache = PREPARED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    match cache.as_ref() {
        Some(prepared) if prepared.style() == style => {}
        _ => *cache = Some(BallotEncryptor::new(style)),
    }
    match cache.as_ref() {
        Some(prepared) => f(prepared),
        None => f(&BallotEncryptor::new(style)),
    }
}

/// `prepare_style`: `{style}` → `{contests}`: builds the style's tables ahead of encryption.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrepareStyle {
    style: Value,
}

impl PrepareStyle {
    /// Runs the operation.
    pub fn run(self) -> Result<Value, ClientError> {
        let style = parse_style(self.style)?;
        with_encryptor(&style, |_| ());
        Ok(json!({ "contests": style.contests().len() }))
    }
}

/// `encrypt_ballot`: `{style, choices, code, entropy}` → `{ballot, tracking_code,
/// tracking_code_short}`.
///
/// `style` is the ballot sheet's `ballot_style` (scrutin-crypto's JSON form); `choices` holds
/// one `{blank, selected}` per contest, in the style's order; `entropy` is 32 fresh bytes in
/// hex from `crypto.getRandomValues`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EncryptBallot {
    style: Value,
    choices: Vec<ContestChoice>,
    code: Zeroizing<String>,
    entropy: String,
}

impl EncryptBallot {
    /// Runs the operation.
    pub fn run(self) -> Result<Value, ClientError> {
        let style = parse_style(self.style)?;
        let code = parse_code(&self.code)?;
        let mut rng = rng_from_hex(&self.entropy)?;
        let key = code.voting_signing_key(style.election_id(), style.scrutin_id());
        let ballot =
            with_encryptor(&style, |e| e.encrypt(&self.choices, &key, &mut rng)).map_err(|e| {
                match e {
                    scrutin_crypto::CryptoError::InvalidInput(m) => ClientError::invalid_choice(m),
                    other => ClientError::internal(other.to_string()),
                }
            })?;
        let tracking = ballot.tracking_code();
        let ballot_json: Value = serde_json::from_str(&ballot.to_json())
            .map_err(|e| ClientError::internal(e.to_string()))?;
        Ok(json!({
            "ballot": ballot_json,
            "tracking_code": tracking.to_hex(),
            "tracking_code_short": tracking.short(),
        }))
    }
}

/// `tracking_code`: `{ballot}` → `{tracking_code, tracking_code_short}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrackingCodeOf {
    ballot: Value,
}

impl TrackingCodeOf {
    /// Runs the operation.
    pub fn run(self) -> Result<Value, ClientError> {
        let ballot = Ballot::from_json(&self.ballot.to_string())
            .map_err(|e| ClientError::invalid_ballot(e.to_string()))?;
        let tracking = ballot.tracking_code();
        Ok(json!({ "tracking_code": tracking.to_hex(), "tracking_code_short": tracking.short() }))
    }
}
