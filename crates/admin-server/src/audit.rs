//! Journaling of every action of the control interface in the hash chain of the
//! registry store (protocol §8). Entries name the acting account by its opaque id and role,
//! what was done and digests of files: never an email or a name (the journal is published
//! in the election record, `specs/record-format.md` §3.10; the registry keeps who holds an
//! id for the commission), never voter personal data and never a voter–ballot link.

use serde_json::{Value, json};

use crate::auth::AdminUser;
use crate::error::AdminResult;
use crate::state::AdminState;

/// Appends an entry of `kind` (`admin-login`, `upload-structure`…) with the actor merged
/// into the payload, and signs a checkpoint of the new head.
pub async fn record(
    state: &AdminState,
    actor: Option<&AdminUser>,
    kind: &str,
    payload: Value,
) -> AdminResult<()> {
    let mut payload = match payload {
        Value::Object(map) => Value::Object(map),
        Value::Null => json!({}),
        other => json!({ "details": other }),
    };
    if let Some(user) = actor {
        payload["actor"] = json!({
            "id": user.id,
            "role": user.role.code(),
        });
    }
    let now = state.now();
    scrutin_store::journal::append(&state.stores.registry, now, kind, &payload).await?;
    scrutin_store::journal::checkpoint(&state.stores.registry, now, &state.platform_key).await?;
    Ok(())
}
