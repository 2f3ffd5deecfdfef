//! The interface's pages (`web/admin/`), and the rewriting of bare error answers (unknown
//! route, wrong method, body too large, malformed JSON) into the API's JSON error format.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::AdminError;

/// Turns the framework's plain-text rejections on `/admin/api/` into
/// `{"error":{"code","message"}}`.
pub async fn json_errors(request: Request, next: Next) -> Response {
    let is_api = request.uri().path().starts_with("/admin/api/");
    let response = next.run(request).await;
    let status = response.status();
    if !is_api || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json {
        return response;
    }
    let detail = match axum::body::to_bytes(response.into_body(), 4096).await {
        Ok(b) => String::from_utf8_lossy(&b).into_owned(),
        Err(_) => String::new(),
    };
    let error = match status {
        StatusCode::PAYLOAD_TOO_LARGE => AdminError::TooLarge,
        StatusCode::NOT_FOUND => AdminError::NotFound("cette adresse de l'API".into()),
        StatusCode::METHOD_NOT_ALLOWED => {
            AdminError::Invalid("Méthode HTTP non prise en charge à cette adresse.".into())
        }
        StatusCode::UNSUPPORTED_MEDIA_TYPE => AdminError::Refused {
            code: "unsupported_media_type",
            message: "Type de contenu refusé : JSON attendu.".into(),
            details: serde_json::json!({}),
        },
        s if s.is_client_error() => AdminError::Refused {
            code: "malformed",
            message: format!("Requête mal formée : {detail}"),
            details: serde_json::json!({}),
        },
        _ => AdminError::Internal(detail),
    };
    let mut out = error.into_response();
    if status != out.status() && status.is_client_error() {
        *out.status_mut() = status;
    }
    out
}

/// `GET /`: the interface lives under `/admin/`.
pub async fn root_redirect() -> Response {
    Response::builder()
        .status(StatusCode::SEE_OTHER)
        .header(header::LOCATION, "/admin/")
        .body(Body::empty())
        .unwrap_or_default()
}

/// Any unknown API address: a JSON 404 (not the pages' fallback).
pub async fn api_not_found() -> AdminError {
    AdminError::NotFound("cette adresse de l'API".into())
}
