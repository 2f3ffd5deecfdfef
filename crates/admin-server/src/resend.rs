//! Resend of the voting material: requests made by voters on the voting site (with
//! an identity document) or by the commission itself; the COE approves — the new material
//! makes the old one unusable at once — or refuses with a reason. Requests are kept (until
//! the end of the appeal period, then destroyed with the data keys, R-83).

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;
use serde_json::{Value, json};
use zeroize::Zeroizing;

use crate::audit;
use crate::auth::{Caller, Permission};
use crate::error::{AdminError, AdminResult};
use crate::material;
use crate::state::AdminState;
use crate::uploads::chamber_data_key;

/// The resend routes.
pub fn routes() -> Router<AdminState> {
    Router::new()
        .route("/admin/api/chambers/{code}/resend-requests", get(list))
        .route("/admin/api/resend-requests/{id}/document", get(document))
        .route("/admin/api/resend-requests/{id}/decision", post(decide))
        .route(
            "/admin/api/rights/{right_id}/resend",
            post(resend_by_commission),
        )
}

async fn open_payload(
    state: &AdminState,
    chamber: &str,
    id: &str,
    sealed: &[u8],
) -> AdminResult<Value> {
    let key = chamber_data_key(state, chamber).await?;
    let plain = Zeroizing::new(key.open_resend(id, sealed)?);
    serde_json::from_slice(&plain).map_err(AdminError::internal)
}

/// `GET /admin/api/chambers/{code}/resend-requests`: the chamber's requests, oldest first,
/// with the requester's fields (the document is fetched separately).
pub async fn list(
    State(state): State<AdminState>,
    caller: Caller,
    Path(code): Path<String>,
) -> AdminResult<Json<Value>> {
    caller.allow(Permission::DecideResend, &code)?;
    let mut out = Vec::new();
    for r in state.stores.electors.resend_requests(&code).await? {
        let payload = open_payload(&state, &code, &r.id, &r.payload).await?;
        out.push(json!({
            "id": r.id,
            "created_at": r.created_at,
            "created_at_paris": scrutin_store::clock::paris_text(r.created_at, true),
            "status": r.status,
            "right": r.right_id,
            "reason": r.reason,
            "decided_at": r.decided_at,
            "fields": payload["fields"],
            "document_type": payload["document"]["media_type"],
        }));
    }
    Ok(Json(json!({ "chamber": code, "requests": out })))
}

async fn request_row(
    state: &AdminState,
    id: &str,
) -> AdminResult<scrutin_store::electors::ResendRow> {
    state
        .stores
        .electors
        .resend_request(id)
        .await?
        .ok_or_else(|| AdminError::NotFound(format!("demande de renvoi {id}")))
}

/// `GET /admin/api/resend-requests/{id}/document`: the identity document.
pub async fn document(
    State(state): State<AdminState>,
    caller: Caller,
    Path(id): Path<String>,
) -> AdminResult<Response> {
    let r = request_row(&state, &id).await?;
    caller.allow(Permission::DecideResend, &r.chamber_code)?;
    let payload = open_payload(&state, &r.chamber_code, &r.id, &r.payload).await?;
    let media = payload["document"]["media_type"]
        .as_str()
        .unwrap_or("application/octet-stream")
        .to_owned();
    let bytes = STANDARD
        .decode(payload["document"]["base64"].as_str().unwrap_or_default())
        .map_err(AdminError::internal)?;
    audit::record(
        &state,
        Some(&caller.user),
        "resend-document-viewed",
        json!({ "request": id }),
    )
    .await?;
    Ok((
        [
            (header::CONTENT_TYPE, media),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response())
}

/// A decision.
#[derive(Deserialize)]
pub struct Decision {
    /// Approve (new material) or refuse.
    pub approve: bool,
    /// The right the commission matched the request to (required to approve).
    #[serde(default)]
    pub right: Option<String>,
    /// The reason (required to refuse; kept with the request).
    #[serde(default)]
    pub reason: Option<String>,
}

/// Issues new material for a right and delivers it: by email when the right (or the
/// request) has an address, and always as a one-page PDF for the post.
async fn issue(
    state: &AdminState,
    actor: &crate::auth::AdminUser,
    right_id: &str,
    reason: &str,
    email: Option<String>,
) -> AdminResult<Value> {
    let letter = scrutin_store::credentials::resend_material(
        &state.stores,
        &state.master_key,
        &state.config.election_id,
        right_id,
        reason,
        state.now(),
    )
    .await?;
    // The credentials seal of the chamber follows the new set of keys.
    crate::seals::reseal(
        state,
        actor,
        scrutin_crypto::seal::SealKind::Credentials,
        &crate::seals::chamber_scope(&letter.chamber_code),
    )
    .await?;
    let to = email.or_else(|| letter.email.clone());
    let emailed = match (&to, state.mailer.enabled()) {
        (Some(to), true) => state
            .mailer
            .send(&material::material_email(
                &letter,
                to,
                &state.config.vote_url,
            ))
            .await
            .is_ok(),
        _ => false,
    };
    let logo = state
        .stores
        .registry
        .chamber_logo(&letter.chamber_code)
        .await?;
    let pdf = material::render_letters(
        std::slice::from_ref(&letter),
        logo.as_deref(),
        &state.config.vote_url,
        "Nouveau matériel de vote",
    )?;
    Ok(
        json!({ "emailed": emailed, "material": letter.material, "letter_pdf_base64": STANDARD.encode(pdf) }),
    )
}

/// `POST /admin/api/resend-requests/{id}/decision`.
pub async fn decide(
    State(state): State<AdminState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(d): Json<Decision>,
) -> AdminResult<Json<Value>> {
    let r = request_row(&state, &id).await?;
    caller.allow(Permission::DecideResend, &r.chamber_code)?;
    if r.status != "pending" {
        return Err(AdminError::Conflict(
            "Cette demande est déjà traitée.".into(),
        ));
    }
    let reason = d.reason.as_deref().map(str::trim).filter(|s| !s.is_empty());
    if d.approve {
        let right_id = d.right.as_deref().ok_or_else(|| {
            AdminError::Invalid(
                "Indiquez le droit de vote (numéro à 13 chiffres) du demandeur.".into(),
            )
        })?;
        let right = state
            .stores
            .electors
            .right(right_id)
            .await?
            .ok_or_else(|| AdminError::NotFound(format!("droit de vote {right_id}")))?;
        if right.chamber_code != r.chamber_code {
            return Err(AdminError::OutOfPerimeter);
        }
        let payload = open_payload(&state, &r.chamber_code, &r.id, &r.payload).await?;
        let email = payload["fields"]["email"].as_str().map(str::to_owned);
        let outcome = issue(
            &state,
            &caller.user,
            right_id,
            reason.unwrap_or("demande de l'électeur"),
            email,
        )
        .await?;
        state
            .stores
            .electors
            .decide_resend_request(&id, true, Some(right_id), reason, state.now())
            .await?;
        audit::record(
            &state,
            Some(&caller.user),
            "resend-approved",
            json!({ "request": id, "chamber": r.chamber_code, "emailed": outcome["emailed"] }),
        )
        .await?;
        Ok(Json(json!({ "status": "approved", "delivery": outcome })))
    } else {
        let reason =
            reason.ok_or_else(|| AdminError::Invalid("Un refus doit être motivé.".into()))?;
        state
            .stores
            .electors
            .decide_resend_request(&id, false, None, Some(reason), state.now())
            .await?;
        audit::record(
            &state,
            Some(&caller.user),
            "resend-refused",
            json!({ "request": id, "chamber": r.chamber_code, "reason": reason }),
        )
        .await?;
        Ok(Json(json!({ "status": "refused", "reason": reason })))
    }
}

/// Why the commission resends on its own.
#[derive(Deserialize)]
pub struct CommissionResend {
    /// The reason (letter returned undelivered…).
    pub reason: String,
}

/// `POST /admin/api/rights/{right_id}/resend`: a resend decided by the commission itself.
pub async fn resend_by_commission(
    State(state): State<AdminState>,
    caller: Caller,
    Path(right_id): Path<String>,
    Json(body): Json<CommissionResend>,
) -> AdminResult<Json<Value>> {
    let right = state
        .stores
        .electors
        .right(&right_id)
        .await?
        .ok_or_else(|| AdminError::NotFound(format!("droit de vote {right_id}")))?;
    caller.allow(Permission::DecideResend, &right.chamber_code)?;
    let reason = body.reason.trim();
    if reason.is_empty() {
        return Err(AdminError::Invalid("Indiquez le motif du renvoi.".into()));
    }
    let outcome = issue(&state, &caller.user, &right_id, reason, None).await?;
    audit::record(
        &state,
        Some(&caller.user),
        "resend-by-commission",
        json!({ "chamber": right.chamber_code, "reason": reason }),
    )
    .await?;
    Ok(Json(json!({ "status": "approved", "delivery": outcome })))
}
