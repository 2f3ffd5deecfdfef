//! The operations the page can request, as JSON messages.
//!
//! A request is an object whose `op` field names the operation; the response is either
//! `{"ok": <result>}` or `{"error": {"code": <stable code>, "message": <text>}}`.

use serde::Deserialize;
use serde_json::{Value, json};

use crate::ballot::{EncryptBallot, PrepareStyle, TrackingCodeOf};
use crate::board::VerifyInclusion;
use crate::credentials::{CheckCode, CheckIdentifier, LoginSign, VotingKey};
use crate::error::ClientError;

/// One request from the page.
#[derive(Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
enum Request {
    /// Versions of the module, so the loader can check it talks to what it expects.
    Info,
    /// Checks a typed identifier (length, digits, check digit).
    CheckIdentifier(CheckIdentifier),
    /// Checks a typed secret code (length, alphabet, check character).
    CheckCode(CheckCode),
    /// Signs the server's login nonce with the login key.
    LoginSign(LoginSign),
    /// The voting public key for one scrutin.
    VotingKey(VotingKey),
    /// Builds a style's tables ahead of encryption.
    PrepareStyle(PrepareStyle),
    /// Encrypts, proves and signs a ballot.
    EncryptBallot(EncryptBallot),
    /// The tracking code of a ballot.
    TrackingCode(TrackingCodeOf),
    /// Checks a signed board head and a tracking code's inclusion under it.
    VerifyInclusion(VerifyInclusion),
}

/// Parses and runs one request; always returns a JSON response.
pub fn handle(request: &[u8]) -> String {
    let outcome = serde_json::from_slice::<Request>(request)
        .map_err(|e| ClientError::bad_request(e.to_string()))
        .and_then(run);
    let response = match outcome {
        Ok(result) => json!({ "ok": result }),
        Err(error) => json!({ "error": error }),
    };
    response.to_string()
}

fn run(request: Request) -> Result<Value, ClientError> {
    match request {
        Request::Info => Ok(json!({
            "abi_version": crate::abi::ABI_VERSION,
            "crate_version": env!("CARGO_PKG_VERSION"),
        })),
        Request::CheckIdentifier(r) => r.run(),
        Request::CheckCode(r) => r.run(),
        Request::LoginSign(r) => r.run(),
        Request::VotingKey(r) => r.run(),
        Request::PrepareStyle(r) => r.run(),
        Request::EncryptBallot(r) => r.run(),
        Request::TrackingCode(r) => r.run(),
        Request::VerifyInclusion(r) => r.run(),
    }
}
