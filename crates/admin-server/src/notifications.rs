//! The notifications a commission sees in its interface: operator accesses to its
//! chambers, newest first, with a read mark per user.

use axum::Json;
use axum::extract::{Path, State};
use serde_json::{Value, json};

use crate::auth::Caller;
use crate::error::AdminResult;
use crate::state::AdminState;

/// `GET /admin/api/notifications`: the notifications of the caller's chambers.
pub async fn list(State(state): State<AdminState>, caller: Caller) -> AdminResult<Json<Value>> {
    let chambers = caller.user.chambers();
    let rows = state
        .stores
        .registry
        .notifications(chambers.as_deref(), &caller.user.id, 200)
        .await?;
    let unread = rows.iter().filter(|r| !r.read).count();
    let items: Vec<Value> = rows
        .into_iter()
        .map(|r| {
            json!({
                "id": r.id,
                "chamber": r.chamber_code,
                "created_at": r.created_at,
                "created_at_paris": scrutin_store::clock::paris_text(r.created_at, true),
                "kind": r.kind,
                "message": r.message,
                "actor": r.actor,
                "read": r.read,
            })
        })
        .collect();
    Ok(Json(json!({ "unread": unread, "notifications": items })))
}

/// `POST /admin/api/notifications/{id}/read`: marks one read for the caller.
pub async fn mark_read(
    State(state): State<AdminState>,
    caller: Caller,
    Path(id): Path<String>,
) -> AdminResult<Json<Value>> {
    state
        .stores
        .registry
        .mark_notification_read(&id, &caller.user.id)
        .await?;
    Ok(Json(json!({ "ok": true })))
}
