//! Request extractors whose rejections are our JSON errors, and the session extractors.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;

use crate::error::ApiError;
use crate::session::{Claims, TokenError};
use crate::state::AppState;

/// The raw body, with size and media-type errors in our format.
pub struct Body(pub Bytes);

fn body_error(e: BytesRejection) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::body_too_large()
    } else {
        ApiError::malformed_request()
    }
}

impl<S: Send + Sync> FromRequest<S> for Body {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        Ok(Body(
            Bytes::from_request(req, state).await.map_err(body_error)?,
        ))
    }
}

/// A JSON body: `415` unless `application/json`, `413` above the route's limit, `400`
/// when it does not parse (unknown fields included, where the type says so).
pub struct JsonBody<T>(pub T);

pub(crate) fn require_json(headers: &axum::http::HeaderMap) -> Result<(), ApiError> {
    let ok = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';')
                .next()
                .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
        });
    if ok {
        Ok(())
    } else {
        Err(ApiError::unsupported_media_type())
    }
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        require_json(req.headers())?;
        let Body(bytes) = Body::from_request(req, state).await?;
        serde_json::from_slice(&bytes)
            .map(JsonBody)
            .map_err(|_| ApiError::malformed_request())
    }
}

fn bearer(parts: &Parts) -> Result<&str, ApiError> {
    parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or_else(ApiError::unauthenticated)
}

fn claims(parts: &Parts, state: &AppState) -> Result<Claims, ApiError> {
    state
        .0
        .tokens
        .check(bearer(parts)?, state.now())
        .map_err(|e| match e {
            TokenError::Invalid => ApiError::unauthenticated(),
            TokenError::Expired => ApiError::session_expired(),
        })
}

/// A full session: the right and its scrutin, checked against the current material.
#[derive(Debug, Clone)]
pub struct Session {
    /// The right.
    pub right_id: String,
    /// Its scrutin.
    pub scrutin_id: String,
    /// When it voted, if it had when the request came (the cast checks again, atomically).
    pub voted_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl FromRequestParts<AppState> for Session {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match claims(parts, state)? {
            Claims::Session { r, s, m, .. } => {
                let right = state
                    .0
                    .stores
                    .electors
                    .right(&r)
                    .await?
                    .ok_or_else(ApiError::unauthenticated)?;
                if right.material != m {
                    return Err(ApiError::material_replaced());
                }
                Ok(Session {
                    right_id: r,
                    scrutin_id: s,
                    voted_at: right.voted_at,
                })
            }
            Claims::Step1 { .. } => Err(ApiError::wrong_login_step()),
            Claims::Challenge { .. } => Err(ApiError::unauthenticated()),
        }
    }
}

/// A step-1 token (before the birth date).
#[derive(Debug, Clone)]
pub struct Step1 {
    /// The right.
    pub right_id: String,
    /// Material generation at step 1.
    pub material: i64,
}

impl FromRequestParts<AppState> for Step1 {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match claims(parts, state)? {
            Claims::Step1 { r, m, .. } => Ok(Step1 {
                right_id: r,
                material: m,
            }),
            Claims::Session { .. } => {
                Err(ApiError::wrong_login_step().with_message("Vous êtes déjà connecté."))
            }
            Claims::Challenge { .. } => Err(ApiError::unauthenticated()),
        }
    }
}
