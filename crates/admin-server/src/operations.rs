//! Conduct of the vote: open, suspend (with a message for voters), resume and close
//! one scrutin, several or all. Each change is checked against the caller's perimeter for
//! every scrutin named, all or none, and journaled. Closing also seals the box and the
//! émargement list of each scrutin.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use scrutin_crypto::seal::SealKind;
use scrutin_store::{Scrutin, ScrutinState, StoredState};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::audit;
use crate::auth::{AdminUser, Caller, Permission};
use crate::error::{AdminError, AdminResult};
use crate::seals;
use crate::state::AdminState;

/// The operation routes.
pub fn routes() -> Router<AdminState> {
    Router::new()
        .route("/admin/api/scrutins", get(list))
        .route("/admin/api/scrutins/state", post(change))
}

/// What to do.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Open (voting between the opening and closing instants).
    Open,
    /// Suspend, with a message for voters.
    Suspend,
    /// Resume after a suspension.
    Resume,
    /// Close for good.
    Close,
}

/// A change of state.
#[derive(Deserialize)]
pub struct ChangeRequest {
    /// Scrutin ids, or `["*"]` for every scrutin of the caller's perimeter.
    pub scrutins: Vec<String>,
    /// The action.
    pub action: Action,
    /// The message voters see during a suspension (required to suspend).
    #[serde(default)]
    pub message: Option<String>,
}

fn state_label(s: ScrutinState) -> &'static str {
    match s {
        ScrutinState::NotOpenYet => "pas encore ouvert",
        ScrutinState::Open => "ouvert",
        ScrutinState::Suspended => "suspendu",
        ScrutinState::Closed => "clos",
    }
}

/// One scrutin as the conduct pages show it.
pub fn scrutin_json(s: &Scrutin, now: chrono::DateTime<chrono::Utc>) -> Value {
    json!({
        "id": s.id,
        "chamber": s.chamber_code,
        "chamber_label": s.chamber_label,
        "category": s.category,
        "sub_category": s.sub_category,
        "label": s.label,
        "stored_state": s.state,
        "state": s.state_at(now),
        "state_label": state_label(s.state_at(now)),
        "message": s.message,
        "opens_at": s.opens_at,
        "closes_at": s.closes_at,
        "opens_at_paris": scrutin_store::clock::paris_text(s.opens_at, false),
        "closes_at_paris": scrutin_store::clock::paris_text(s.closes_at, false),
    })
}

/// `GET /admin/api/scrutins`: the scrutins of the caller's perimeter and their state.
pub async fn list(State(state): State<AdminState>, caller: Caller) -> AdminResult<Json<Value>> {
    let now = state.now();
    let scrutins: Vec<Value> = state
        .stores
        .registry
        .scrutins()
        .await?
        .iter()
        .filter(|s| caller.sees(&s.chamber_code))
        .map(|s| scrutin_json(s, now))
        .collect();
    Ok(Json(
        json!({ "now": now, "now_paris": scrutin_store::clock::paris_text(now, true), "scrutins": scrutins }),
    ))
}

async fn check_ready(state: &AdminState, s: &Scrutin) -> AdminResult<()> {
    let chamber = seals::chamber_scope(&s.chamber_code);
    for kind in [
        SealKind::Voters,
        SealKind::Candidates,
        SealKind::Credentials,
    ] {
        if !seals::is_sealed(state, &kind, &chamber).await? {
            return Err(AdminError::Conflict(format!(
                "Le scrutin {} ne peut pas ouvrir : le scellement « {kind} » de la CCI {} manque.",
                s.id, s.chamber_code
            )));
        }
    }
    Ok(())
}

/// Applies an action to scrutins already checked against the perimeter.
pub async fn apply(
    state: &AdminState,
    actor: &AdminUser,
    targets: &[Scrutin],
    action: Action,
    message: Option<&str>,
) -> AdminResult<Vec<Value>> {
    let now = state.now();
    // Every target is checked before any is changed: all or none.
    for s in targets {
        let current = s.state_at(now);
        let allowed = match action {
            Action::Open => s.state == StoredState::Draft,
            Action::Suspend => {
                matches!(current, ScrutinState::Open | ScrutinState::NotOpenYet)
                    && s.state == StoredState::Open
            }
            Action::Resume => s.state == StoredState::Suspended && current != ScrutinState::Closed,
            Action::Close => s.state != StoredState::Closed,
        };
        if !allowed {
            return Err(AdminError::Conflict(format!(
                "Le scrutin {} est {} : action impossible.",
                s.id,
                state_label(current)
            )));
        }
        if action == Action::Open {
            check_ready(state, s).await?;
        }
    }
    let mut out = Vec::new();
    for s in targets {
        let (new_state, msg) = match action {
            Action::Open | Action::Resume => (StoredState::Open, None),
            Action::Suspend => (StoredState::Suspended, message),
            Action::Close => (StoredState::Closed, None),
        };
        state
            .stores
            .registry
            .set_state(&s.id, new_state, msg)
            .await?;
        audit::record(
            state,
            Some(actor),
            "scrutin-state",
            json!({ "scrutin": s.id, "action": format!("{action:?}").to_lowercase(), "message": msg }),
        )
        .await?;
        if action == Action::Close {
            for kind in [SealKind::BoxClosed, SealKind::EmargementClosed] {
                seals::seal(state, actor, kind, &seals::scrutin_scope(&s.id)).await?;
            }
        }
        let after = state
            .stores
            .registry
            .scrutin(&s.id)
            .await?
            .ok_or_else(|| AdminError::NotFound(format!("scrutin {}", s.id)))?;
        out.push(scrutin_json(&after, state.now()));
    }
    Ok(out)
}

/// `POST /admin/api/scrutins/state`.
pub async fn change(
    State(state): State<AdminState>,
    caller: Caller,
    Json(req): Json<ChangeRequest>,
) -> AdminResult<Json<Value>> {
    caller.allow_role(Permission::OperateVote)?;
    let message = req
        .message
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty());
    if req.action == Action::Suspend && message.is_none() {
        return Err(AdminError::Invalid(
            "Une suspension demande un message pour les électeurs.".into(),
        ));
    }
    if message.is_some_and(|m| m.chars().count() > 500) {
        return Err(AdminError::Invalid(
            "Message trop long (500 caractères au plus).".into(),
        ));
    }
    let all = state.stores.registry.scrutins().await?;
    let targets: Vec<Scrutin> = if req.scrutins.iter().any(|s| s == "*") {
        all.into_iter()
            .filter(|s| caller.sees(&s.chamber_code))
            .collect()
    } else {
        let mut t = Vec::new();
        for id in &req.scrutins {
            let s = all
                .iter()
                .find(|s| &s.id == id)
                .ok_or_else(|| AdminError::NotFound(format!("scrutin {id}")))?;
            t.push(s.clone());
        }
        t
    };
    if targets.is_empty() {
        return Err(AdminError::Invalid("Aucun scrutin désigné.".into()));
    }
    caller.allow_all(
        Permission::OperateVote,
        targets.iter().map(|s| s.chamber_code.as_str()),
    )?;
    let changed = apply(&state, &caller.user, &targets, req.action, message).await?;
    Ok(Json(json!({ "scrutins": changed })))
}
