//! The ballot sheet of the session's right (R-41, specs/api.md §4).

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::Session;
use crate::state::AppState;
use crate::views::ScrutinView;

/// The contests with their groupings and candidates, and the crypto ballot style.
#[utoipa::path(get, path = "/api/v1/ballot-sheet", tag = "ballot",
    responses((status = 200, description = "The ballot sheet (specs/api.md §4)", body = Object),
        (status = 401, body = ErrorBody)),
    security(("session" = [])))]
pub async fn sheet(State(state): State<AppState>, session: Session) -> ApiResult<Json<Value>> {
    let scrutin = state.scrutin(&session.scrutin_id).await?;
    let mut sheet: Value = serde_json::from_str(&scrutin.sheet).map_err(|e| {
        tracing::error!(error = %e, scrutin = %scrutin.id, "stored sheet does not parse");
        ApiError::internal()
    })?;
    let style: Value =
        serde_json::from_str(&scrutin.ballot_style).map_err(|_| ApiError::internal())?;
    let already_voted = state
        .stores()
        .electors
        .emargement(&session.right_id)
        .await?
        .is_some();
    let Some(obj) = sheet.as_object_mut() else {
        return Err(ApiError::internal());
    };
    let mut view = serde_json::to_value(ScrutinView::new(&scrutin, state.now()))
        .map_err(|_| ApiError::internal())?;
    if let Some(digest) = state
        .stores()
        .registry
        .chamber_logo_digest(&scrutin.chamber_code)
        .await?
    {
        view["logo_url"] = json!(super::logo::logo_url(&scrutin.chamber_code, &digest));
    }
    obj.insert("scrutin".into(), view);
    obj.insert("right".into(), json!({ "already_voted": already_voted }));
    obj.insert("ballot_style".into(), style);
    Ok(Json(sheet))
}
