//! The public board (protocol §7, specs/api.md §6).

use axum::Json;
use axum::extract::{Path, Query, State};
use scrutin_store::board::signed_head;
use scrutin_store::clock::paris_rfc3339;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::routes::cast::parse_code;
use crate::state::AppState;
use crate::views::{
    BoardView, ConsistencyView, EpochView, HeadView, InclusionView, SignedHeadView,
};

/// The epoch heads of a scrutin.
#[utoipa::path(get, path = "/api/v1/board/{scrutin_id}", tag = "board",
    params(("scrutin_id" = String, Path, description = "Scrutin identifier")),
    responses((status = 200, body = BoardView), (status = 404, body = ErrorBody)))]
pub async fn heads(
    State(state): State<AppState>,
    Path(scrutin_id): Path<String>,
) -> ApiResult<Json<BoardView>> {
    state.scrutin(&scrutin_id).await?;
    let rows = state.stores().ballots.epochs(&scrutin_id).await?;
    let mut heads = Vec::with_capacity(rows.len());
    for row in &rows {
        let signed = signed_head(row)?;
        heads.push(HeadView {
            epoch: row.epoch,
            tree_size: row.tree_size,
            root: hex::encode(&row.root),
            closed_at: paris_rfc3339(row.closed_at),
            signature: hex::encode(&row.signature),
            signed: SignedHeadView {
                log_id: signed.log_id,
                epoch: signed.epoch,
                tree_size: signed.tree_size,
                root: hex::encode(signed.root),
                time: signed.time,
                signature: hex::encode(signed.signature),
            },
        });
    }
    Ok(Json(BoardView {
        scrutin: scrutin_id,
        platform_key: hex::encode(state.config().keys.platform_public().as_bytes()),
        heads,
    }))
}

/// The sorted tracking codes of one epoch.
#[utoipa::path(get, path = "/api/v1/board/{scrutin_id}/epochs/{epoch}", tag = "board",
    params(("scrutin_id" = String, Path), ("epoch" = i64, Path)),
    responses((status = 200, body = EpochView), (status = 404, body = ErrorBody)))]
pub async fn epoch(
    State(state): State<AppState>,
    Path((scrutin_id, epoch)): Path<(String, i64)>,
) -> ApiResult<Json<EpochView>> {
    let codes = state
        .stores()
        .ballots
        .epoch_codes(&scrutin_id, epoch)
        .await?;
    if codes.is_empty() {
        return Err(ApiError::not_found());
    }
    Ok(Json(EpochView {
        epoch,
        tracking_codes: codes.iter().map(hex::encode).collect(),
    }))
}

/// Optional tree size.
#[derive(Debug, Deserialize, IntoParams)]
pub struct SizeQuery {
    /// Tree size (default: the latest head).
    pub tree_size: Option<u64>,
}

async fn latest_size(state: &AppState, scrutin_id: &str) -> ApiResult<u64> {
    let rows = state.stores().ballots.epochs(scrutin_id).await?;
    let last = rows.last().ok_or_else(ApiError::not_found)?;
    u64::try_from(last.tree_size).map_err(|_| ApiError::internal())
}

/// The audit path of a tracking code.
#[utoipa::path(get, path = "/api/v1/board/{scrutin_id}/inclusion/{tracking_code}", tag = "board",
    params(("scrutin_id" = String, Path), ("tracking_code" = String, Path), SizeQuery),
    responses((status = 200, body = InclusionView), (status = 404, body = ErrorBody)))]
pub async fn inclusion(
    State(state): State<AppState>,
    Path((scrutin_id, code)): Path<(String, String)>,
    Query(q): Query<SizeQuery>,
) -> ApiResult<Json<InclusionView>> {
    let code = parse_code(&code)?;
    let latest = latest_size(&state, &scrutin_id).await?;
    let size = q.tree_size.unwrap_or(latest);
    if size > latest {
        return Err(ApiError::not_found());
    }
    let log = state
        .0
        .board
        .log(state.stores(), &scrutin_id, latest)
        .await?;
    let proof = log.inclusion(&code, size).ok_or_else(ApiError::not_found)?;
    let root = log.root_at(size).ok_or_else(ApiError::not_found)?;
    Ok(Json(InclusionView {
        leaf_index: proof.leaf_index,
        tree_size: proof.tree_size,
        root: hex::encode(root),
        path: proof.path.iter().map(hex::encode).collect(),
    }))
}

/// Two sizes.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ConsistencyQuery {
    /// Older size.
    pub from: u64,
    /// Newer size.
    pub to: u64,
}

/// The consistency proof between two head sizes.
#[utoipa::path(get, path = "/api/v1/board/{scrutin_id}/consistency", tag = "board",
    params(("scrutin_id" = String, Path), ConsistencyQuery),
    responses((status = 200, body = ConsistencyView), (status = 404, body = ErrorBody)))]
pub async fn consistency(
    State(state): State<AppState>,
    Path(scrutin_id): Path<String>,
    Query(q): Query<ConsistencyQuery>,
) -> ApiResult<Json<ConsistencyView>> {
    let latest = latest_size(&state, &scrutin_id).await?;
    if q.to > latest {
        return Err(ApiError::not_found());
    }
    let log = state
        .0
        .board
        .log(state.stores(), &scrutin_id, latest)
        .await?;
    let proof = log
        .consistency(q.from, q.to)
        .ok_or_else(ApiError::not_found)?;
    Ok(Json(ConsistencyView {
        from: q.from,
        to: q.to,
        path: proof.path.iter().map(hex::encode).collect(),
    }))
}
