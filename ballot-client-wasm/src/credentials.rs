//! Operations on the voter's credentials: typed identifier and secret code checked before
//! any request, the login signature, the voting public key (protocol §2–§4).
//!
//! The code arrives in the request, is parsed into a zeroizing `SecretCode`, and only public
//! values leave: keys are derived here and never returned.

use scrutin_crypto::credentials::{CredentialError, Identifier, SecretCode};
use serde::Deserialize;
use serde_json::{Value, json};
use zeroize::Zeroizing;

use crate::error::ClientError;

/// The login message the login key signs: one definition in `scrutin-crypto` (protocol
/// §2.4), the same the voting server checks.
pub use scrutin_crypto::credentials::{LOGIN_MESSAGE_DOMAIN, login_message};

/// Parses the typed identifier, with the page's error codes.
pub fn parse_identifier(text: &str) -> Result<Identifier, ClientError> {
    Identifier::parse(text).map_err(|e| match e {
        CredentialError::WrongLength { expected, found } => {
            ClientError::identifier_length(e.to_string())
                .with_details(json!({ "expected": expected, "found": found }))
        }
        CredentialError::BadCharacter { position } => {
            ClientError::identifier_character(e.to_string())
                .with_details(json!({ "position": position }))
        }
        CredentialError::CheckMismatch => ClientError::identifier_check(e.to_string()),
    })
}

/// Parses the typed secret code, with the page's error codes.
pub fn parse_code(text: &str) -> Result<SecretCode, ClientError> {
    SecretCode::parse(text).map_err(|e| match e {
        CredentialError::WrongLength { expected, found } => ClientError::code_length(e.to_string())
            .with_details(json!({ "expected": expected, "found": found })),
        CredentialError::BadCharacter { position } => {
            ClientError::code_character(e.to_string()).with_details(json!({ "position": position }))
        }
        CredentialError::CheckMismatch => ClientError::code_check(e.to_string()),
    })
}

/// `check_identifier`: `{identifier}` → `{identifier, display}` (canonical and grouped).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckIdentifier {
    identifier: String,
}

impl CheckIdentifier {
    /// Runs the operation.
    pub fn run(self) -> Result<Value, ClientError> {
        let id = parse_identifier(&self.identifier)?;
        Ok(json!({ "identifier": id.as_str(), "display": id.display() }))
    }
}

/// `check_code`: `{code}` → `{code}` in canonical form (the page keeps it for later steps).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckCode {
    code: Zeroizing<String>,
}

impl CheckCode {
    /// Runs the operation.
    pub fn run(self) -> Result<Value, ClientError> {
        let code = parse_code(&self.code)?;
        Ok(json!({ "code": code.canonical().as_str() }))
    }
}

/// `login_sign`: `{election_id, identifier, code, nonce}` → `{login_public_key, signature}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginSign {
    election_id: String,
    identifier: String,
    code: Zeroizing<String>,
    nonce: String,
}

impl LoginSign {
    /// Runs the operation.
    pub fn run(self) -> Result<Value, ClientError> {
        use ed25519_dalek::Signer;
        let identifier = parse_identifier(&self.identifier)?;
        let code = parse_code(&self.code)?;
        let mut nonce = [0u8; 32];
        hex::decode_to_slice(&self.nonce, &mut nonce)
            .map_err(|e| ClientError::bad_request(format!("nonce: {e}")))?;
        let key = code.login_signing_key(&self.election_id, &identifier);
        let signature = key.sign(&login_message(&self.election_id, &identifier, &nonce));
        Ok(json!({
            "login_public_key": hex::encode(key.verifying_key().as_bytes()),
            "signature": hex::encode(signature.to_bytes()),
        }))
    }
}

/// `voting_key`: `{election_id, scrutin_id, code}` → `{voting_public_key}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VotingKey {
    election_id: String,
    scrutin_id: String,
    code: Zeroizing<String>,
}

impl VotingKey {
    /// Runs the operation.
    pub fn run(self) -> Result<Value, ClientError> {
        let code = parse_code(&self.code)?;
        let key = code.voting_signing_key(&self.election_id, &self.scrutin_id);
        Ok(json!({ "voting_public_key": hex::encode(key.verifying_key().as_bytes()) }))
    }
}
