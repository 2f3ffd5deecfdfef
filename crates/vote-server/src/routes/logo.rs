//! The chambers' logos: the JPEG a commission uploads in the control interface for
//! its letters, shown in the voter pages' header once the voter's chamber is known.

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::state::AppState;

/// The link the ballot sheet gives to its chamber's logo. The digest in the query makes a
/// replaced logo a new address, so the long cache below never shows an old one.
pub fn logo_url(chamber_code: &str, digest: &str) -> String {
    format!(
        "/api/v1/chambers/{chamber_code}/logo?v={}",
        &digest[..digest.len().min(16)]
    )
}

/// A chamber's logo (JPEG).
#[utoipa::path(get, path = "/api/v1/chambers/{chamber_code}/logo", tag = "scrutins",
    params(("chamber_code" = String, Path, description = "Chamber code, three characters")),
    responses((status = 200, description = "The chamber's logo", content_type = "image/jpeg"),
        (status = 404, body = ErrorBody)))]
pub async fn logo(
    State(state): State<AppState>,
    Path(chamber_code): Path<String>,
) -> ApiResult<Response> {
    if chamber_code.is_empty()
        || chamber_code.len() > 8
        || !chamber_code.bytes().all(|b| b.is_ascii_alphanumeric())
    {
        return Err(ApiError::not_found());
    }
    let content = state
        .stores()
        .registry
        .chamber_logo(&chamber_code)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/jpeg"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        content,
    )
        .into_response())
}
