//! Users of the interface: from the authorised-users file (R-12, annex §7.1.4) or created in
//! the interface; each receives an activation link to choose a password (and enrol the
//! second factor where due, R-71). Only national user managers act here.

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use rand_core::{OsRng, RngCore};
use scrutin_election::{Perimeter, ReadOptions, read_users};
use scrutin_store::admin_access::NewAdminUser;
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::audit;
use crate::auth::session;
use crate::auth::{AdminUser, Caller, Permission, Role, password, perimeter_text};
use crate::error::{AdminError, AdminResult};
use crate::mail::Email;
use crate::state::AdminState;

/// The user routes.
pub fn routes() -> Router<AdminState> {
    Router::new()
        .route("/admin/api/users", get(list).post(create))
        .route(
            "/admin/api/users/import",
            post(import).layer(axum::extract::DefaultBodyLimit::max(8 * 1024 * 1024)),
        )
        .route("/admin/api/users/{id}", axum::routing::put(update))
        .route("/admin/api/users/{id}/disable", post(disable))
        .route("/admin/api/users/{id}/enable", post(enable))
        .route("/admin/api/users/{id}/reset", post(reset))
}

/// A user to create, from the interface or bootstrap code.
#[derive(Clone, Debug, Deserialize)]
pub struct UserSpec {
    /// Email address.
    pub email: String,
    /// Surname.
    pub last_name: String,
    /// First name.
    pub first_name: String,
    /// Role code (`coe_president`…).
    pub role: String,
    /// `NATIONAL` or chamber codes separated by commas.
    pub perimeter: String,
}

/// A created user and, when it must activate its account, the activation token.
#[derive(Clone, Debug)]
pub struct Created {
    /// The user.
    pub user: AdminUser,
    /// One-time activation token (to put in the link).
    pub activation_token: Option<String>,
}

fn new_id() -> String {
    let mut b = [0u8; 12];
    OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

fn parse_spec(spec: &UserSpec) -> AdminResult<(Role, Perimeter)> {
    let role = Role::parse(&spec.role)
        .ok_or_else(|| AdminError::Invalid(format!("rôle inconnu : {}", spec.role)))?;
    let perimeter = Perimeter::parse(&spec.perimeter).ok_or_else(|| {
        AdminError::Invalid(
            "périmètre : « NATIONAL » ou codes CCI à 3 chiffres séparés par des virgules".into(),
        )
    })?;
    if !scrutin_election::email_is_valid(&spec.email) {
        return Err(AdminError::Invalid(format!(
            "adresse électronique invalide : {}",
            spec.email
        )));
    }
    if spec.last_name.trim().is_empty() || spec.first_name.trim().is_empty() {
        return Err(AdminError::Invalid("nom et prénom obligatoires".into()));
    }
    Ok((role, perimeter))
}

/// Creates a user. With `password` the account is active at once (bootstrap, demo, tests;
/// the policy still applies), and `totp_secret` enrols the second factor; otherwise the
/// account waits for activation through the returned token.
pub async fn create_user(
    state: &AdminState,
    spec: &UserSpec,
    origin: &str,
    password_text: Option<&str>,
    totp_secret: Option<&[u8]>,
) -> AdminResult<Created> {
    let (role, perimeter) = parse_spec(spec)?;
    let now = state.now();
    let (password_hash, activation) = match password_text {
        Some(p) => {
            password::check_policy(p, &[&spec.email, &spec.last_name, &spec.first_name])
                .map_err(password::policy_error)?;
            (
                Some(password::hash(p, state.config.password_cost).await?),
                None,
            )
        }
        None => {
            let (token, hash) = session::new_token();
            (None, Some((token, hash)))
        }
    };
    let id = new_id();
    state
        .stores
        .registry
        .insert_admin_user(&NewAdminUser {
            id: id.clone(),
            email: spec.email.trim().to_lowercase(),
            last_name: spec.last_name.trim().to_owned(),
            first_name: spec.first_name.trim().to_owned(),
            role: role.code().to_owned(),
            perimeter: perimeter_text(&perimeter),
            password_hash,
            totp_secret: totp_secret
                .map(|secret| state.master_key.seal_totp(&mut OsRng, &id, secret))
                .transpose()?,
            activation_hash: activation.as_ref().map(|(_, h)| h.to_vec()),
            activation_expires: activation
                .as_ref()
                .map(|_| now + state.config.activation_valid),
            origin: origin.to_owned(),
            created_at: now,
        })
        .await
        .map_err(|e| match e {
            scrutin_store::StoreError::Conflict(_) => {
                AdminError::Conflict(format!("Un compte existe déjà pour {}.", spec.email))
            }
            e => e.into(),
        })?;
    let row = state
        .stores
        .registry
        .admin_user(&id)
        .await?
        .ok_or_else(|| AdminError::internal("user vanished"))?;
    Ok(Created {
        user: AdminUser::from_row(&row)?,
        activation_token: activation.map(|(t, _)| t),
    })
}

fn activation_link(state: &AdminState, token: &str) -> String {
    format!(
        "{}/admin/#/activation?jeton={token}",
        state.config.admin_url.trim_end_matches('/')
    )
}

/// Emails the activation link when a relay is configured; returns whether it was sent.
async fn send_activation(state: &AdminState, user: &AdminUser, token: &str) -> bool {
    if !state.mailer.enabled() {
        return false;
    }
    let link = activation_link(state, token);
    let second = if user.needs_totp() {
        "\nVotre profil demande aussi une application d'authentification (code à usage unique) : \
         la page d'activation vous guidera.\n"
    } else {
        ""
    };
    let email = Email {
        to: user.email.clone(),
        subject: "[Élections CCI] Activez votre compte de l'interface de contrôle".into(),
        text: format!(
            "Bonjour {},\n\nUn compte « {} » vous a été ouvert sur l'interface de contrôle des \
             élections CCI.\nChoisissez votre mot de passe avec ce lien, valable {} heures :\n{link}\n{second}",
            user.first_name,
            user.role.label_fr(),
            state.config.activation_valid.num_hours()
        ),
        attachments: Vec::new(),
    };
    match state.mailer.send(&email).await {
        Ok(()) => true,
        Err(e) => {
            tracing::warn!(error = %e, "activation email not sent");
            false
        }
    }
}

async fn active_view(state: &AdminState, user: &AdminUser) -> AdminResult<Value> {
    let row = state.stores.registry.admin_user(&user.id).await?;
    let active = row.is_some_and(|r| r.password_hash.is_some());
    serde_json::to_value(user.view(active)).map_err(AdminError::internal)
}

/// `GET /admin/api/users`.
pub async fn list(State(state): State<AdminState>, caller: Caller) -> AdminResult<Json<Value>> {
    caller.allow_national(Permission::ManageUsers)?;
    let mut users = Vec::new();
    for row in state.stores.registry.admin_users().await? {
        let user = AdminUser::from_row(&row)?;
        let mut v = serde_json::to_value(user.view(row.password_hash.is_some()))
            .map_err(AdminError::internal)?;
        v["origin"] = json!(row.origin);
        v["locked"] = json!(row.locked_until.is_some_and(|t| t > state.now()));
        users.push(v);
    }
    Ok(Json(json!({ "users": users })))
}

/// `POST /admin/api/users`: creates one user and sends the activation link.
pub async fn create(
    State(state): State<AdminState>,
    caller: Caller,
    Json(spec): Json<UserSpec>,
) -> AdminResult<Json<Value>> {
    caller.allow_national(Permission::ManageUsers)?;
    let created = create_user(&state, &spec, "interface", None, None).await?;
    let token = created.activation_token.clone().unwrap_or_default();
    let emailed = send_activation(&state, &created.user, &token).await;
    audit::record(
        &state,
        Some(&caller.user),
        "user-created",
        json!({ "user": created.user.id, "role": created.user.role.code(), "perimeter": perimeter_text(&created.user.perimeter), "emailed": emailed }),
    )
    .await?;
    Ok(Json(json!({
        "user": active_view(&state, &created.user).await?,
        "activation_link": activation_link(&state, &token),
        "emailed": emailed,
    })))
}

/// `POST /admin/api/users/import`: the authorised-users file (CSV body). Refused as a
/// whole when a row has a blocking error; otherwise new users are created (activation
/// links sent) and known ones get the file's role and perimeter.
pub async fn import(
    State(state): State<AdminState>,
    caller: Caller,
    body: Bytes,
) -> AdminResult<Json<Value>> {
    caller.allow_national(Permission::ManageUsers)?;
    let digest = hex::encode(Sha256::digest(&body));
    let structure = crate::uploads::current_structure(&state).await?;
    let imported =
        read_users(&body[..], structure.as_ref(), &ReadOptions::default()).map_err(|e| {
            AdminError::Refused {
                code: "unreadable_file",
                message: format!("Fichier illisible : {e}"),
                details: json!({}),
            }
        })?;
    let mut report: Value =
        serde_json::from_str(&imported.report.to_json()).map_err(AdminError::internal)?;
    // Unknown groups are a blocking error of this platform (the annex leaves groups open).
    let mut unknown = Vec::new();
    for u in &imported.users {
        if Role::from_group(&u.group).is_none() {
            unknown.push(json!({
                "line": u.line, "column": 1, "column_name": "GROUPE", "rule": "unknown_group",
                "value": u.group, "outcome": "blocking",
                "message": format!("groupe inconnu : {} (groupes reconnus : {})", u.group, Role::GROUPS),
            }));
        }
    }
    if !unknown.is_empty()
        && let Some(issues) = report.get_mut("issues").and_then(Value::as_array_mut)
    {
        issues.extend(unknown.iter().cloned());
    }
    if !imported.report.is_loadable() || !unknown.is_empty() {
        audit::record(
            &state,
            Some(&caller.user),
            "upload-users-refused",
            json!({ "digest": digest, "size": body.len() }),
        )
        .await?;
        return Err(AdminError::Refused {
            code: "blocking_errors",
            message: "Fichier des personnes habilitées refusé : corrigez les erreurs bloquantes."
                .into(),
            details: json!({ "report": report, "text": imported.report.to_text() }),
        });
    }
    let mut created = 0;
    let mut updated = 0;
    let mut links = Vec::new();
    for u in &imported.users {
        let role = Role::from_group(&u.group).ok_or(AdminError::Forbidden)?;
        let spec = UserSpec {
            email: u.email.clone(),
            last_name: u.last_name.clone(),
            first_name: u.first_name.clone(),
            role: role.code().to_owned(),
            perimeter: perimeter_text(&u.perimeter),
        };
        match state.stores.registry.admin_user_by_email(&u.email).await? {
            Some(existing) => {
                state
                    .stores
                    .registry
                    .update_admin_user(
                        &existing.id,
                        &spec.last_name,
                        &spec.first_name,
                        &spec.role,
                        &spec.perimeter,
                    )
                    .await?;
                updated += 1;
            }
            None => {
                let c = create_user(&state, &spec, "file", None, None).await?;
                let token = c.activation_token.clone().unwrap_or_default();
                let emailed = send_activation(&state, &c.user, &token).await;
                links.push(json!({ "email": c.user.email, "activation_link": activation_link(&state, &token), "emailed": emailed }));
                created += 1;
            }
        }
    }
    audit::record(
        &state,
        Some(&caller.user),
        "upload-users",
        json!({ "digest": digest, "size": body.len(), "created": created, "updated": updated }),
    )
    .await?;
    Ok(Json(json!({
        "report": report,
        "text": imported.report.to_text(),
        "digest": digest,
        "created": created,
        "updated": updated,
        "activations": links,
    })))
}

async fn target(state: &AdminState, id: &str) -> AdminResult<AdminUser> {
    let row = state
        .stores
        .registry
        .admin_user(id)
        .await?
        .ok_or_else(|| AdminError::NotFound(format!("utilisateur {id}")))?;
    AdminUser::from_row(&row)
}

/// `PUT /admin/api/users/{id}`: changes names, role and perimeter.
pub async fn update(
    State(state): State<AdminState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(spec): Json<UserSpec>,
) -> AdminResult<Json<Value>> {
    caller.allow_national(Permission::ManageUsers)?;
    let before = target(&state, &id).await?;
    let (role, perimeter) = parse_spec(&spec)?;
    state
        .stores
        .registry
        .update_admin_user(
            &id,
            spec.last_name.trim(),
            spec.first_name.trim(),
            role.code(),
            &perimeter_text(&perimeter),
        )
        .await?;
    // New rights take effect at the next login.
    state.stores.registry.delete_admin_sessions_of(&id).await?;
    audit::record(
        &state,
        Some(&caller.user),
        "user-updated",
        json!({ "user": before.id, "role": role.code(), "perimeter": perimeter_text(&perimeter) }),
    )
    .await?;
    let after = target(&state, &id).await?;
    Ok(Json(json!({ "user": active_view(&state, &after).await? })))
}

async fn set_disabled(
    state: &AdminState,
    caller: &Caller,
    id: &str,
    disabled: bool,
) -> AdminResult<Json<Value>> {
    caller.allow_national(Permission::ManageUsers)?;
    let user = target(state, id).await?;
    if user.id == caller.user.id {
        return Err(AdminError::Conflict(
            "Vous ne pouvez pas désactiver votre propre compte.".into(),
        ));
    }
    state
        .stores
        .registry
        .set_admin_disabled(id, disabled)
        .await?;
    audit::record(
        state,
        Some(&caller.user),
        if disabled {
            "user-disabled"
        } else {
            "user-enabled"
        },
        json!({ "user": user.id }),
    )
    .await?;
    Ok(Json(json!({ "ok": true })))
}

/// `POST /admin/api/users/{id}/disable`.
pub async fn disable(
    State(state): State<AdminState>,
    caller: Caller,
    Path(id): Path<String>,
) -> AdminResult<Json<Value>> {
    set_disabled(&state, &caller, &id, true).await
}

/// `POST /admin/api/users/{id}/enable`.
pub async fn enable(
    State(state): State<AdminState>,
    caller: Caller,
    Path(id): Path<String>,
) -> AdminResult<Json<Value>> {
    set_disabled(&state, &caller, &id, false).await
}

/// `POST /admin/api/users/{id}/reset`: a new activation link (lost password or phone).
pub async fn reset(
    State(state): State<AdminState>,
    caller: Caller,
    Path(id): Path<String>,
) -> AdminResult<Json<Value>> {
    caller.allow_national(Permission::ManageUsers)?;
    let user = target(&state, &id).await?;
    let (token, hash) = session::new_token();
    let now = state.now();
    state
        .stores
        .registry
        .set_admin_activation(&id, &hash, now + state.config.activation_valid)
        .await?;
    // A reset starts the second factor over: the old phone may be the lost one.
    state.stores.registry.set_admin_totp(&id, &[]).await?;
    state.stores.registry.delete_admin_sessions_of(&id).await?;
    let emailed = send_activation(&state, &user, &token).await;
    audit::record(
        &state,
        Some(&caller.user),
        "user-reset",
        json!({ "user": user.id, "emailed": emailed }),
    )
    .await?;
    Ok(Json(
        json!({ "activation_link": activation_link(&state, &token), "emailed": emailed }),
    ))
}
