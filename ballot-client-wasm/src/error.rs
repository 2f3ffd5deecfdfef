//! Errors returned to the page, each with a stable code the JavaScript side switches on.

use serde::Serialize;

/// An error of one operation: a stable machine code and a developer-facing message.
///
/// The pages never show `message` to voters; they map `code` to plain French text, so the
/// codes below are part of the interface (see the crate docs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClientError {
    /// Stable code: one of the `ClientError::*` constructors' codes.
    pub code: &'static str,
    /// What went wrong, for logs and developers.
    pub message: String,
    /// Facts the page may show (e.g. the position of a mistyped character), never secrets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<serde_json::Value>,
}

impl ClientError {
    fn new(code: &'static str, message: impl Into<String>) -> Self {
        ClientError {
            code,
            message: message.into(),
            details: None,
        }
    }

    /// The same error with facts for the page.
    pub fn with_details(mut self, details: serde_json::Value) -> Self {
        self.details = Some(details);
        self
    }

    /// `bad_request`: the request is not valid JSON for a known operation.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new("bad_request", message)
    }

    /// `identifier_length`: the identifier has too few or too many digits.
    pub fn identifier_length(message: impl Into<String>) -> Self {
        Self::new("identifier_length", message)
    }

    /// `identifier_character`: the identifier holds something else than digits.
    pub fn identifier_character(message: impl Into<String>) -> Self {
        Self::new("identifier_character", message)
    }

    /// `identifier_check`: the identifier's check digit does not match (a typo).
    pub fn identifier_check(message: impl Into<String>) -> Self {
        Self::new("identifier_check", message)
    }

    /// `code_length`: the secret code has too few or too many characters.
    pub fn code_length(message: impl Into<String>) -> Self {
        Self::new("code_length", message)
    }

    /// `code_character`: the secret code holds a character outside its alphabet.
    pub fn code_character(message: impl Into<String>) -> Self {
        Self::new("code_character", message)
    }

    /// `code_check`: the check character does not match (a typo somewhere).
    pub fn code_check(message: impl Into<String>) -> Self {
        Self::new("code_check", message)
    }

    /// `entropy`: the page did not supply 32 bytes of fresh randomness.
    pub fn entropy(message: impl Into<String>) -> Self {
        Self::new("entropy", message)
    }

    /// `invalid_style`: the ballot style from the server cannot be used.
    pub fn invalid_style(message: impl Into<String>) -> Self {
        Self::new("invalid_style", message)
    }

    /// `invalid_choice`: the choices break the contest's rules (too many, blank with names…).
    pub fn invalid_choice(message: impl Into<String>) -> Self {
        Self::new("invalid_choice", message)
    }

    /// `invalid_ballot`: a ballot given back to the module does not parse.
    pub fn invalid_ballot(message: impl Into<String>) -> Self {
        Self::new("invalid_ballot", message)
    }

    /// `board_signature`: the board head's signature does not verify under the board key.
    pub fn board_signature(message: impl Into<String>) -> Self {
        Self::new("board_signature", message)
    }

    /// `inclusion_proof`: the proof does not place the tracking code under the signed root.
    pub fn inclusion_proof(message: impl Into<String>) -> Self {
        Self::new("inclusion_proof", message)
    }

    /// `internal`: a failure that well-formed input should never cause.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new("internal", message)
    }
}

impl core::fmt::Display for ClientError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for ClientError {}
