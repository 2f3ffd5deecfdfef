//! Login, logout, the current session, account activation and password change (R-70,
//!
//!
//! Login takes the email, the password and, for accounts that need it, a TOTP code in one
//! request; failures of either count towards the lockout. Activation (the link a new user
//! receives) sets the password and, where the second factor is due, enrols TOTP: the first
//! call returns the secret, the second confirms it with a code.

use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use rand_core::{OsRng, RngCore};
use serde::Deserialize;
use serde_json::json;

use crate::audit;
use crate::auth::session::{self, clear_cookie, session_cookie};
use crate::auth::{AdminUser, Caller, password, totp};
use crate::error::{AdminError, AdminResult};
use crate::notify;
use crate::state::AdminState;
use scrutin_store::electors::FailureOutcome;

/// Login request.
#[derive(Deserialize)]
pub struct LoginRequest {
    /// Email address.
    pub email: String,
    /// Password.
    pub password: String,
    /// TOTP code, for accounts that need the second factor.
    #[serde(default)]
    pub totp: Option<String>,
}

async fn count_failure(state: &AdminState, user: &AdminUser, error: AdminError) -> AdminError {
    let outcome = state
        .stores
        .registry
        .record_admin_failure(
            &user.id,
            state.now(),
            state.config.login_failures,
            state.config.lock_for,
        )
        .await;
    let _ = audit::record(
        state,
        Some(user),
        "admin-login-failed",
        json!({ "reason": error.code() }),
    )
    .await;
    match outcome {
        Ok(FailureOutcome::Locked(until)) => AdminError::Locked(until),
        Ok(FailureOutcome::Counted { .. }) => error,
        Err(e) => e.into(),
    }
}

/// `POST /admin/api/session`: opens a session.
pub async fn login(
    State(state): State<AdminState>,
    Json(req): Json<LoginRequest>,
) -> AdminResult<Response> {
    let registry = &state.stores.registry;
    let now = state.now();
    let row = registry.admin_user_by_email(&req.email).await?;
    if let Some(r) = &row
        && let Some(until) = r.locked_until
        && until > now
    {
        return Err(AdminError::Locked(until));
    }
    let stored = row.as_ref().and_then(|r| r.password_hash.clone());
    let ok = password::verify(&req.password, stored, state.config.password_cost).await;
    let Some(row) = row else {
        return Err(AdminError::BadCredentials);
    };
    let user = AdminUser::from_row(&row)?;
    if !ok {
        return Err(count_failure(&state, &user, AdminError::BadCredentials).await);
    }
    if user.disabled {
        return Err(AdminError::BadCredentials);
    }
    if user.needs_totp() {
        let secret = stored_totp(&state, &row)?;
        let (Some(secret), true) = (secret.as_deref(), row.totp_confirmed) else {
            return Err(AdminError::Refused {
                code: "totp_not_enrolled",
                message: "Votre compte demande un code à usage unique mais n'en a pas encore : \
                          demandez un nouveau lien d'activation à votre administrateur."
                    .into(),
                details: json!({}),
            });
        };
        let Some(code) = req.totp.as_deref().filter(|c| !c.trim().is_empty()) else {
            return Err(AdminError::TotpRequired);
        };
        let Some(step) = totp::verify(secret, now.timestamp(), code) else {
            return Err(count_failure(&state, &user, AdminError::BadTotp).await);
        };
        if !registry.accept_admin_totp_step(&user.id, step).await? {
            return Err(count_failure(&state, &user, AdminError::BadTotp).await);
        }
    }
    registry.reset_admin_failures(&user.id).await?;
    let (token, hash) = session::new_token();
    let expires = now + state.config.session_idle.min(state.config.session_max);
    registry
        .insert_admin_session(&hash, &user.id, now, expires)
        .await?;
    audit::record(
        &state,
        Some(&user),
        "admin-login",
        json!({ "second_factor": user.needs_totp() }),
    )
    .await?;
    if user.role == crate::auth::Role::Operator {
        notify::operator_access(&state, &user, "connexion à l'interface de contrôle").await?;
    }
    let cookie = session_cookie(
        &token,
        state.config.secure_cookies,
        state.config.session_max.num_seconds(),
    );
    let body = json!({
        "user": user.view(true),
        "csrf": session::csrf_token(&token),
        "expires_at": expires,
    });
    Ok(([(header::SET_COOKIE, cookie)], Json(body)).into_response())
}

/// `GET /admin/api/session`: who is logged in, with the CSRF token for the page.
pub async fn me(caller: Caller) -> Json<serde_json::Value> {
    Json(json!({ "user": caller.user.view(true), "csrf": caller.csrf }))
}

/// `DELETE /admin/api/session`: ends the session.
pub async fn logout(State(state): State<AdminState>, caller: Caller) -> AdminResult<Response> {
    state
        .stores
        .registry
        .delete_admin_session(&caller.session_hash)
        .await?;
    audit::record(&state, Some(&caller.user), "admin-logout", json!({})).await?;
    Ok((
        [(
            header::SET_COOKIE,
            clear_cookie(state.config.secure_cookies),
        )],
        Json(json!({ "ok": true })),
    )
        .into_response())
}

/// Activation request.
#[derive(Deserialize)]
pub struct ActivationRequest {
    /// The token of the activation link.
    pub token: String,
    /// The chosen password.
    pub password: String,
    /// The first TOTP code, to confirm enrolment.
    #[serde(default)]
    pub totp: Option<String>,
}

/// `POST /admin/api/activation`: sets the password of a new (or reset) account, enrolling
/// the second factor where due.
pub async fn activate(
    State(state): State<AdminState>,
    Json(req): Json<ActivationRequest>,
) -> AdminResult<Json<serde_json::Value>> {
    let registry = &state.stores.registry;
    let now = state.now();
    let hash = session::token_hash(req.token.trim());
    let row = registry
        .admin_user_by_activation(&hash, now)
        .await?
        .ok_or_else(|| {
            AdminError::Invalid(
                "Lien d'activation inconnu ou expiré : demandez-en un nouveau.".into(),
            )
        })?;
    let user = AdminUser::from_row(&row)?;
    password::check_policy(
        &req.password,
        &[&user.email, &user.last_name, &user.first_name],
    )
    .map_err(password::policy_error)?;
    if user.needs_totp() {
        let stored = stored_totp(&state, &row)?;
        match (req.totp.as_deref(), stored.as_deref()) {
            (Some(code), Some(secret)) if !code.trim().is_empty() => {
                let step =
                    totp::verify(secret, now.timestamp(), code).ok_or(AdminError::BadTotp)?;
                if !registry.accept_admin_totp_step(&user.id, step).await? {
                    return Err(AdminError::BadTotp);
                }
            }
            _ => {
                let mut secret = [0u8; totp::SECRET_LEN];
                OsRng.fill_bytes(&mut secret);
                let sealed = state.master_key.seal_totp(&mut OsRng, &user.id, &secret)?;
                registry.set_admin_totp(&user.id, &sealed).await?;
                return Ok(Json(json!({
                    "status": "totp_enrolment",
                    "totp_secret": totp::base32(&secret),
                    "otpauth_uri": totp::otpauth_uri(&state.config.totp_issuer, &user.email, &secret),
                })));
            }
        }
    }
    let hashed = password::hash(&req.password, state.config.password_cost).await?;
    registry.set_admin_password(&user.id, &hashed).await?;
    registry.delete_admin_sessions_of(&user.id).await?;
    audit::record(
        &state,
        Some(&user),
        "admin-activation",
        json!({ "second_factor": user.needs_totp() }),
    )
    .await?;
    Ok(Json(json!({ "status": "active" })))
}

/// Password change request.
#[derive(Deserialize)]
pub struct PasswordChange {
    /// Current password.
    pub current: String,
    /// New password.
    pub new: String,
}

/// `POST /admin/api/password`: changes the caller's password; other sessions end.
pub async fn change_password(
    State(state): State<AdminState>,
    caller: Caller,
    Json(req): Json<PasswordChange>,
) -> AdminResult<Json<serde_json::Value>> {
    let registry = &state.stores.registry;
    let row = registry
        .admin_user(&caller.user.id)
        .await?
        .ok_or(AdminError::Unauthenticated)?;
    if !password::verify(&req.current, row.password_hash, state.config.password_cost).await {
        return Err(count_failure(&state, &caller.user, AdminError::BadCredentials).await);
    }
    let u = &caller.user;
    password::check_policy(&req.new, &[&u.email, &u.last_name, &u.first_name])
        .map_err(password::policy_error)?;
    let hashed = password::hash(&req.new, state.config.password_cost).await?;
    registry.set_admin_password(&u.id, &hashed).await?;
    registry.delete_admin_sessions_of(&u.id).await?;
    // The current session stays: re-open it under the same token.
    let now = state.now();
    registry
        .insert_admin_session(
            &caller.session_hash,
            &u.id,
            now,
            now + state.config.session_idle,
        )
        .await?;
    audit::record(&state, Some(u), "admin-password-changed", json!({})).await?;
    Ok(Json(json!({ "ok": true })))
}

/// The account's TOTP secret, opened with the master key; `None` before enrolment and after
/// a reset (stored empty).
fn stored_totp(
    state: &AdminState,
    row: &scrutin_store::admin_access::AdminUserRow,
) -> AdminResult<Option<zeroize::Zeroizing<Vec<u8>>>> {
    match row.totp_secret.as_deref() {
        None | Some([]) => Ok(None),
        Some(sealed) => Ok(Some(state.master_key.open_totp(&row.id, sealed)?)),
    }
}
