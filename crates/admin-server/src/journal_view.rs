//! The journal viewer: entries page by page with their decoded details, and the
//! verification of the whole hash chain and its signed checkpoints against the platform's
//! public key, as anyone can redo it with the published journal.

use axum::Json;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::get;
use scrutin_crypto::hashchain::verify_chain;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::{Caller, Permission};
use crate::error::AdminResult;
use crate::state::AdminState;

/// The journal routes.
pub fn routes() -> Router<AdminState> {
    Router::new()
        .route("/admin/api/journal", get(entries))
        .route("/admin/api/journal/verify", get(verify))
}

/// A page of the journal.
#[derive(Deserialize)]
pub struct PageQuery {
    /// First entry (default: the last page).
    #[serde(default)]
    pub from: Option<u64>,
    /// Entries per page (at most 500).
    #[serde(default)]
    pub limit: Option<u64>,
    /// Only entries of this kind.
    #[serde(default)]
    pub kind: Option<String>,
}

/// `GET /admin/api/journal?from=…&limit=…`.
pub async fn entries(
    State(state): State<AdminState>,
    caller: Caller,
    Query(q): Query<PageQuery>,
) -> AdminResult<Json<Value>> {
    caller.allow_role(Permission::ViewJournal)?;
    let limit = q.limit.unwrap_or(100).clamp(1, 500);
    let head = state.stores.registry.journal_head().await?;
    let length = head.as_ref().map_or(0, |h| h.seq as u64 + 1);
    let from = q.from.unwrap_or_else(|| length.saturating_sub(limit));
    let list = scrutin_store::journal::entries(&state.stores.registry, from, limit).await?;
    let items: Vec<Value> = list
        .iter()
        .filter(|e| q.kind.as_ref().is_none_or(|k| &e.kind == k))
        .map(|e| {
            json!({
                "sequence": e.sequence,
                "time": e.time,
                "time_paris": chrono::DateTime::parse_from_rfc3339(&e.time).ok().map(|t| scrutin_store::clock::paris_text(t.with_timezone(&chrono::Utc), true)),
                "kind": e.kind,
                "details": serde_json::from_slice::<Value>(&e.payload).unwrap_or(Value::Null),
                "hash": hex::encode(e.hash()),
            })
        })
        .collect();
    Ok(Json(
        json!({ "length": length, "from": from, "entries": items }),
    ))
}

/// `GET /admin/api/journal/verify`: the whole chain and its checkpoints.
pub async fn verify(State(state): State<AdminState>, caller: Caller) -> AdminResult<Json<Value>> {
    caller.allow_role(Permission::ViewJournal)?;
    let registry = &state.stores.registry;
    let mut all = Vec::new();
    let mut from = 0u64;
    loop {
        let page = scrutin_store::journal::entries(registry, from, 5000).await?;
        if page.is_empty() {
            break;
        }
        from += page.len() as u64;
        all.extend(page);
    }
    let checkpoints = scrutin_store::journal::checkpoints(registry).await?;
    let key = state.platform_key.verifying_key();
    let result = match verify_chain(&all, &checkpoints, &key) {
        Ok(summary) => json!({
            "valid": true,
            "length": summary.length,
            "head": hex::encode(summary.head),
            "last_checkpoint": summary.last_checkpoint,
            "checkpoints": checkpoints.len(),
            "message": format!("Journal intègre : {} entrées, {} points de contrôle signés.", summary.length, checkpoints.len()),
        }),
        Err(e) => json!({
            "valid": false,
            "length": all.len(),
            "error": e.to_string(),
            "message": format!("JOURNAL ALTÉRÉ : {e}"),
        }),
    };
    if result["valid"] == json!(false) {
        tracing::error!(error = %result["error"], "journal verification failed");
    }
    Ok(Json(json!({
        "platform_key": hex::encode(key.to_bytes()),
        "result": result,
    })))
}
