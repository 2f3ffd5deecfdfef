//! Scrutins and their state (specs/api.md §2).

use axum::Json;
use axum::extract::{Path, State};
use scrutin_store::clock::paris_rfc3339;

use crate::error::{ApiResult, ErrorBody};
use crate::state::AppState;
use crate::views::{PlatformKey, ScrutinList, ScrutinView};

/// Every scrutin with its state.
#[utoipa::path(get, path = "/api/v1/scrutins", tag = "scrutins",
    responses((status = 200, body = ScrutinList)))]
pub async fn list(State(state): State<AppState>) -> ApiResult<Json<ScrutinList>> {
    let now = state.now();
    let scrutins = state.stores().registry.scrutins().await?;
    Ok(Json(ScrutinList {
        server_time: paris_rfc3339(now),
        scrutins: scrutins.iter().map(|s| ScrutinView::new(s, now)).collect(),
    }))
}

/// One scrutin.
#[utoipa::path(get, path = "/api/v1/scrutins/{scrutin_id}", tag = "scrutins",
    params(("scrutin_id" = String, Path, description = "Scrutin identifier")),
    responses((status = 200, body = ScrutinView), (status = 404, body = ErrorBody)))]
pub async fn one(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<ScrutinView>> {
    let s = state.scrutin(&id).await?;
    Ok(Json(ScrutinView::new(&s, state.now())))
}

/// The platform's public key (receipts, board heads).
#[utoipa::path(get, path = "/api/v1/platform-key", tag = "scrutins",
    responses((status = 200, body = PlatformKey)))]
pub async fn platform_key(State(state): State<AppState>) -> Json<PlatformKey> {
    Json(PlatformKey {
        public_key: hex::encode(state.config().keys.platform_public().as_bytes()),
    })
}
