//! The one error type of the admin server, turned into `{"error":{"code","message"}}`
//! responses like the vote server's: a stable machine code and a French message for the
//! people using the interface. Internal details are logged, never sent.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use scrutin_store::StoreError;
use serde_json::json;

/// What can go wrong while serving a request of the control interface.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// No valid session.
    #[error("not authenticated")]
    Unauthenticated,
    /// Wrong email or password (one message for both, so accounts cannot be probed).
    #[error("bad credentials")]
    BadCredentials,
    /// The account needs its second factor: a TOTP code must come with the login.
    #[error("second factor required")]
    TotpRequired,
    /// The TOTP code is wrong or was already used.
    #[error("bad second factor")]
    BadTotp,
    /// Too many failures: locked until the instant.
    #[error("account locked until {0}")]
    Locked(DateTime<Utc>),
    /// The role may not do this.
    #[error("forbidden for this role")]
    Forbidden,
    /// The chamber (or scrutin) is outside the user's perimeter.
    #[error("outside the perimeter")]
    OutOfPerimeter,
    /// A state-changing request without the session's CSRF token.
    #[error("missing or wrong CSRF token")]
    Csrf,
    /// Something asked for does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// The request conflicts with the current state (sealed, closed, duplicate).
    #[error("conflict: {0}")]
    Conflict(String),
    /// Input refused; the message says why, in French.
    #[error("invalid: {0}")]
    Invalid(String),
    /// Input refused with a structured report (file validation, password policy).
    #[error("refused: {message}")]
    Refused {
        /// Stable code.
        code: &'static str,
        /// French message.
        message: String,
        /// Details (validation report…).
        details: serde_json::Value,
    },
    /// The body is larger than allowed.
    #[error("payload too large")]
    TooLarge,
    /// A store failure.
    #[error("store: {0}")]
    Store(#[from] StoreError),
    /// Anything else that is our fault.
    #[error("internal: {0}")]
    Internal(String),
}

impl AdminError {
    /// Wraps an unexpected failure.
    pub fn internal(e: impl std::fmt::Display) -> Self {
        AdminError::Internal(e.to_string())
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            AdminError::Unauthenticated
            | AdminError::BadCredentials
            | AdminError::TotpRequired
            | AdminError::BadTotp => StatusCode::UNAUTHORIZED,
            AdminError::Locked(_) => StatusCode::TOO_MANY_REQUESTS,
            AdminError::Forbidden | AdminError::OutOfPerimeter | AdminError::Csrf => {
                StatusCode::FORBIDDEN
            }
            AdminError::NotFound(_) => StatusCode::NOT_FOUND,
            AdminError::Conflict(_) => StatusCode::CONFLICT,
            AdminError::Invalid(_) | AdminError::Refused { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AdminError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AdminError::Store(e) => match e {
                StoreError::NotFound(_) => StatusCode::NOT_FOUND,
                StoreError::Conflict(_) => StatusCode::CONFLICT,
                StoreError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            },
            AdminError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            AdminError::Unauthenticated => "unauthenticated",
            AdminError::BadCredentials => "bad_credentials",
            AdminError::TotpRequired => "totp_required",
            AdminError::BadTotp => "bad_totp",
            AdminError::Locked(_) => "locked",
            AdminError::Forbidden => "forbidden",
            AdminError::OutOfPerimeter => "out_of_perimeter",
            AdminError::Csrf => "csrf",
            AdminError::NotFound(_) => "not_found",
            AdminError::Conflict(_) => "conflict",
            AdminError::Invalid(_) => "invalid",
            AdminError::Refused { code, .. } => code,
            AdminError::TooLarge => "too_large",
            AdminError::Store(e) => match e {
                StoreError::NotFound(_) => "not_found",
                StoreError::Conflict(_) => "conflict",
                StoreError::Invalid(_) => "invalid",
                _ => "internal",
            },
            AdminError::Internal(_) => "internal",
        }
    }

    /// The French message.
    pub fn message(&self) -> String {
        match self {
            AdminError::Unauthenticated => {
                "Vous n'êtes pas connecté, ou votre session a expiré.".into()
            }
            AdminError::BadCredentials => "Adresse électronique ou mot de passe incorrect.".into(),
            AdminError::TotpRequired => {
                "Votre compte demande un code à usage unique (application d'authentification)."
                    .into()
            }
            AdminError::BadTotp => "Code à usage unique incorrect ou déjà utilisé.".into(),
            AdminError::Locked(until) => format!(
                "Trop d'essais : compte bloqué jusqu'à {}.",
                scrutin_store::clock::paris_text(*until, false).trim_start_matches("le ")
            ),
            AdminError::Forbidden => "Votre profil ne permet pas cette action.".into(),
            AdminError::OutOfPerimeter => "Cette CCI n'est pas dans votre périmètre.".into(),
            AdminError::Csrf => {
                "Requête refusée : jeton de sécurité absent ou incorrect. Rechargez la page.".into()
            }
            AdminError::NotFound(what) => format!("Introuvable : {what}."),
            AdminError::Conflict(why) => why.clone(),
            AdminError::Invalid(why) => why.clone(),
            AdminError::Refused { message, .. } => message.clone(),
            AdminError::TooLarge => "Fichier ou requête trop volumineux.".into(),
            AdminError::Store(e) => match e {
                StoreError::NotFound(w) => format!("Introuvable : {w}."),
                StoreError::Conflict(w) => format!("Opération impossible : {w}."),
                StoreError::Invalid(w) => format!("Donnée refusée : {w}."),
                _ => "Erreur interne. L'incident est journalisé.".into(),
            },
            AdminError::Internal(_) => "Erreur interne. L'incident est journalisé.".into(),
        }
    }
}

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(error = %self, "admin request failed");
        } else {
            tracing::debug!(error = %self, "admin request refused");
        }
        let mut error = json!({ "code": self.code(), "message": self.message() });
        if let AdminError::Refused { details, .. } = &self {
            error["details"] = details.clone();
        }
        (status, Json(json!({ "error": error }))).into_response()
    }
}

/// Result alias of the admin server.
pub type AdminResult<T> = Result<T, AdminError>;
