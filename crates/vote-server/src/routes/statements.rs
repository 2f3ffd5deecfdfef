//! Candidates' statements (professions de foi, R-22): the PDF files the commissions upload
//! in the control interface, linked from the ballot sheets (specs/api.md §4, §4.1).

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::state::AppState;

/// The link a ballot sheet carries to a statement.
pub fn statement_url(id: &str) -> String {
    format!("/api/v1/statements/{id}")
}

/// A file name fit for a `Content-Disposition` header: ASCII letters, digits, `.-_`.
fn header_file_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .take(120)
        .collect();
    if cleaned.is_empty() {
        "profession-de-foi.pdf".into()
    } else {
        cleaned
    }
}

/// One statement's PDF. Only a statement that a stored ballot sheet links to is served:
/// the commission attaches statements when it creates the ballot boxes, after sealing the
/// candidates, so a file still being prepared (or replaced) is never public.
#[utoipa::path(get, path = "/api/v1/statements/{id}", tag = "scrutins",
    params(("id" = String, Path, description = "Statement identifier, as in the sheet's statement_url")),
    responses((status = 200, description = "The statement (PDF)", content_type = "application/pdf"),
        (status = 404, body = ErrorBody)))]
pub async fn statement(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    if id.is_empty() || id.len() > 64 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ApiError::not_found());
    }
    let row = state
        .stores()
        .registry
        .statement(&id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let link = statement_url(&id);
    let linked = state
        .stores()
        .registry
        .scrutins()
        .await?
        .iter()
        .any(|s| s.chamber_code == row.chamber_code && s.sheet.contains(&link));
    if !linked {
        return Err(ApiError::not_found());
    }
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{}\"", header_file_name(&row.file_name)),
            ),
        ],
        row.content,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_header_safe() {
        assert_eq!(
            header_file_name("Liste Équipe \"Ain\".pdf"),
            "Liste__quipe__Ain_.pdf"
        );
        assert_eq!(header_file_name(""), "profession-de-foi.pdf");
    }
}
