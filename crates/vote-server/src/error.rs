//! The one error type of the API: a stable code for programs and a plain French message
//! for voters (FALC), as `{ "error": { "code", "message" } }` (specs/api.md §1.1).

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// An error answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable code.
    pub code: &'static str,
    /// Message for voters.
    pub message: String,
    /// Seconds to wait (lockout).
    pub retry_after: Option<i64>,
}

/// JSON body of an error.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// The error's fields.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable code, see specs/api.md §1.1.
    pub code: String,
    /// Plain French message for voters.
    pub message: String,
    /// Seconds before a locked account may try again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after_seconds: Option<i64>,
}

macro_rules! errors {
    ($($(#[$doc:meta])* $name:ident => ($status:ident, $code:literal, $msg:literal);)*) => {
        impl ApiError {
            $(
                $(#[$doc])*
                pub fn $name() -> ApiError {
                    ApiError::new(StatusCode::$status, $code, $msg)
                }
            )*
        }
        /// Every error code with its status, for the OpenAPI description and tests.
        pub const ERROR_CODES: &[(u16, &str)] = &[$((StatusCode::$status.as_u16(), $code)),*];
    };
}

errors! {
    /// Not JSON, wrong fields.
    malformed_request => (BAD_REQUEST, "malformed_request",
        "La demande est mal formée. Rechargez la page et recommencez.");
    /// The ballot does not decode.
    malformed_ballot => (BAD_REQUEST, "malformed_ballot",
        "Le bulletin reçu est illisible. Rien n'a été enregistré. Rechargez la page et votez à nouveau.");
    /// Birth date not JJMMAAAA.
    invalid_birth_date => (BAD_REQUEST, "invalid_birth_date",
        "Écrivez votre date de naissance avec 8 chiffres : le jour, le mois, puis l'année. Exemple : 02031970.");
    /// No or bad session token.
    unauthenticated => (UNAUTHORIZED, "unauthenticated",
        "Vous n'êtes pas connecté. Connectez-vous avec votre identifiant et votre code secret.");
    /// Session too old.
    session_expired => (UNAUTHORIZED, "session_expired",
        "Votre connexion a expiré. Connectez-vous à nouveau.");
    /// Login challenge too old.
    challenge_expired => (UNAUTHORIZED, "challenge_expired",
        "Le temps pour vous connecter est dépassé. Recommencez.");
    /// Identifier or code wrong.
    login_failed => (UNAUTHORIZED, "login_failed",
        "L'identifiant ou le code secret n'est pas bon. Vérifiez-les sur votre courrier et recommencez.");
    /// Birth date wrong.
    birth_date_mismatch => (UNAUTHORIZED, "birth_date_mismatch",
        "La date de naissance n'est pas bonne. Vérifiez-la et recommencez.");
    /// Step-1 token where a full session is needed, or the reverse.
    wrong_login_step => (FORBIDDEN, "wrong_login_step",
        "Finissez d'abord de vous connecter : donnez votre date de naissance.");
    /// Old material after a resend.
    material_replaced => (FORBIDDEN, "material_replaced",
        "Ce code secret ne marche plus : vous avez reçu un nouveau courrier. Utilisez le nouveau code.");
    /// Unknown path or object.
    not_found => (NOT_FOUND, "not_found",
        "Cette page ou cet élément n'existe pas.");
    /// Wrong method.
    method_not_allowed => (METHOD_NOT_ALLOWED, "method_not_allowed",
        "Cette action n'est pas possible ici.");
    /// The right already voted.
    already_voted => (CONFLICT, "already_voted",
        "Vous avez déjà voté avec ce code. On ne peut voter qu'une fois.");
    /// The voting key already cast a ballot.
    voting_key_used => (CONFLICT, "voting_key_used",
        "Ce bulletin a déjà été déposé dans l'urne. On ne peut voter qu'une fois.");
    /// The ballot names another scrutin.
    ballot_wrong_scrutin => (CONFLICT, "ballot_wrong_scrutin",
        "Ce bulletin n'est pas celui de votre élection. Rien n'a été enregistré. Rechargez la page.");
    /// Body above the limit.
    body_too_large => (PAYLOAD_TOO_LARGE, "body_too_large",
        "Ce que vous envoyez est trop gros.");
    /// Not JSON (or not multipart).
    unsupported_media_type => (UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
        "Le format de la demande n'est pas le bon.");
    /// Signature does not verify.
    ballot_bad_signature => (UNPROCESSABLE_ENTITY, "ballot_bad_signature",
        "Le bulletin n'est pas signé avec votre code. Rien n'a été enregistré.");
    /// Voting key not in the set.
    ballot_unknown_voting_key => (UNPROCESSABLE_ENTITY, "ballot_unknown_voting_key",
        "Le bulletin n'est pas signé avec un code de cette élection. Rien n'a été enregistré.");
    /// A proof does not verify.
    ballot_invalid_proof => (UNPROCESSABLE_ENTITY, "ballot_invalid_proof",
        "Le bulletin n'est pas valable. Rien n'a été enregistré. Rechargez la page et votez à nouveau.");
    /// Resend request field wrong.
    invalid_resend_request => (UNPROCESSABLE_ENTITY, "invalid_resend_request",
        "La demande n'est pas complète.");
    /// Too many failures.
    account_locked => (LOCKED, "account_locked",
        "Trop d'essais ratés : votre compte est bloqué pendant quelques minutes. Attendez, puis recommencez.");
    /// Before opening.
    scrutin_not_open => (LOCKED, "scrutin_not_open",
        "Le vote n'est pas encore ouvert.");
    /// Suspended (the commission's message replaces this one).
    scrutin_suspended => (LOCKED, "scrutin_suspended",
        "Le vote est suspendu pour le moment. Revenez plus tard.");
    /// Closed.
    scrutin_closed => (LOCKED, "scrutin_closed",
        "Le vote est terminé.");
    /// Anything else.
    internal => (INTERNAL_SERVER_ERROR, "internal",
        "Une erreur s'est produite. Rien n'a été enregistré. Recommencez dans un moment.");
    /// Store unreachable.
    unavailable => (SERVICE_UNAVAILABLE, "unavailable",
        "Le service est très occupé. Recommencez dans un moment.");
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: &str) -> ApiError {
        ApiError {
            status,
            code,
            message: message.to_string(),
            retry_after: None,
        }
    }

    /// Replaces the message.
    pub fn with_message(mut self, message: impl Into<String>) -> ApiError {
        self.message = message.into();
        self
    }

    /// Locked for `seconds` more.
    pub fn locked_for(seconds: i64) -> ApiError {
        let minutes = (seconds + 59) / 60;
        ApiError::account_locked()
            .with_message(format!(
                "Trop d'essais ratés : votre compte est bloqué pendant {minutes} minute{}. Attendez, puis recommencez.",
                if minutes > 1 { "s" } else { "" }
            ))
            .with_retry_after(seconds)
    }

    fn with_retry_after(mut self, seconds: i64) -> ApiError {
        self.retry_after = Some(seconds.max(1));
        self
    }
}

impl From<scrutin_store::StoreError> for ApiError {
    fn from(e: scrutin_store::StoreError) -> ApiError {
        match &e {
            scrutin_store::StoreError::Database(
                scrutin_store::error::SqlxError::PoolTimedOut
                | scrutin_store::error::SqlxError::Io(_),
            ) => {
                tracing::error!(error = %e, "store unavailable");
                ApiError::unavailable()
            }
            _ => {
                tracing::error!(error = %e, "store error");
                ApiError::internal()
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            tracing::warn!(code = self.code, "request failed");
        }
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.to_string(),
                message: self.message,
                retry_after_seconds: self.retry_after,
            },
        };
        let mut resp = (self.status, Json(body)).into_response();
        if let Some(s) = self.retry_after
            && let Ok(v) = HeaderValue::from_str(&s.to_string())
        {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
        resp
    }
}

/// Result of a handler.
pub type ApiResult<T> = Result<T, ApiError>;
