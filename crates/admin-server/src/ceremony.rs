//! The key ceremony of each COE (protocol §7, R-55 "keys known only to their holders"):
//! the trustees (COE president, assessors, a backup holder) run Pedersen's DKG on their own
//! side (`scrutin trustee …`) and the server only relays their public messages. It checks
//! what anyone can check (proofs of the announcements and dealings, the form of complaints,
//! that each trustee speaks only for itself) and nothing secret. Once every trustee checked
//! every dealing, the server assembles and verifies the transcript, publishes the joint key
//! `Y`, journals it and seals the transcript (`custom:election-key`, `chamber/<code>`): `Y`
//! becomes the key of every contest of the chamber ([`election_key`]).
//!
//! Steps, each refused until the previous one is complete for every trustee:
//! 1. `announcements`: each trustee's transport key with its proof of possession;
//! 2. `dealings`: each trustee's commitments and encrypted shares;
//! 3. `checks`: each trustee's complaints after checking its shares (usually none);
//! 4. `confirmations`: each trustee says it saved its key-share file (`Y_i` and the
//!    transcript digest it found), which the page shows to the COE.
//!
//! The view's `step` is the step waited for, `completing` between the last check and the
//! publication of the key (the completion runs in the request that stored the last check),
//! `complete`, or `failed` with its `failure` when the full transcript does not verify.

use std::collections::BTreeMap;

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use scrutin_crypto::RistrettoPoint;
use scrutin_crypto::dkg::{
    Complaint, Dealing, DkgOutcome, DkgParameters, DkgTranscript, TransportKeyAnnouncement,
};
use scrutin_crypto::encoding::{decode_point, point_to_hex};
use scrutin_crypto::seal::SealKind;
use scrutin_store::ceremony_store::{CeremonyRow, NewCeremony};
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::audit;
use crate::auth::{AdminUser, Caller, Permission, Role};
use crate::error::{AdminError, AdminResult};
use crate::seals;
use crate::state::AdminState;

/// Step names, as stored and in the API paths.
pub const ANNOUNCEMENT: &str = "announcement";
/// Step 2.
pub const DEALING: &str = "dealing";
/// Step 3.
pub const CHECK: &str = "check";
/// After the key: the trustee saved its key-share file.
pub const CONFIRMATION: &str = "confirmation";

/// The seal kind of a chamber's ceremony transcript.
pub fn key_seal_kind() -> SealKind {
    SealKind::Custom("election-key".into())
}

/// The ceremony routes.
pub fn routes() -> Router<AdminState> {
    Router::new()
        .route("/admin/api/ceremonies", get(list))
        .route(
            "/admin/api/chambers/{chamber}/ceremony",
            get(view).post(start),
        )
        .route(
            "/admin/api/chambers/{chamber}/ceremony/announcements",
            post(announce),
        )
        .route(
            "/admin/api/chambers/{chamber}/ceremony/dealings",
            post(deal),
        )
        .route("/admin/api/chambers/{chamber}/ceremony/checks", post(check))
        .route(
            "/admin/api/chambers/{chamber}/ceremony/confirmations",
            post(confirm),
        )
        .route(
            "/admin/api/chambers/{chamber}/ceremony/transcript",
            get(transcript),
        )
}

/// Registers the recomputation of the `custom:election-key` seal's object (the transcript's
/// canonical encoding) for "check seals now".
pub fn register_seal_subjects(state: &AdminState) {
    state.register_seal_subject(
        &key_seal_kind().name(),
        std::sync::Arc::new(
            |state: AdminState, scope: String| -> crate::state::SubjectFuture {
                Box::pin(async move {
                    let chamber = scope.strip_prefix("chamber/").ok_or_else(|| {
                        AdminError::Invalid(format!(
                            "portée inattendue pour une clé d'élection : {scope}"
                        ))
                    })?;
                    let transcript =
                        stored_transcript(&state, chamber).await?.ok_or_else(|| {
                            AdminError::NotFound(format!("cérémonie des clés de la CCI {chamber}"))
                        })?;
                    Ok(transcript.canonical_bytes())
                })
            },
        ),
    );
}

/// The published election key of a chamber's COE, once its ceremony is complete: the
/// public key of every contest of the chamber (ballot styles, credentials).
pub async fn election_key(
    state: &AdminState,
    chamber: &str,
) -> AdminResult<Option<RistrettoPoint>> {
    match state.stores.registry.election_key(chamber).await? {
        Some(bytes) => Ok(Some(decode_point(&bytes).map_err(AdminError::internal)?)),
        None => Ok(None),
    }
}

/// The election key of a chamber, or a clear refusal naming the missing ceremony.
pub async fn require_election_key(
    state: &AdminState,
    chamber: &str,
) -> AdminResult<RistrettoPoint> {
    election_key(state, chamber).await?.ok_or_else(|| {
        AdminError::Conflict(format!(
            "La cérémonie des clés de la CCI {chamber} n'est pas terminée : la clé de l'élection n'existe pas encore."
        ))
    })
}

/// The verification keys `Y_i` and threshold of a chamber's completed ceremony.
pub async fn outcome(
    state: &AdminState,
    chamber: &str,
) -> AdminResult<Option<(DkgParameters, DkgOutcome)>> {
    let Some(row) = state.stores.registry.ceremony(chamber).await? else {
        return Ok(None);
    };
    let Some(outcome) = row.outcome.as_deref() else {
        return Ok(None);
    };
    let params: DkgParameters =
        serde_json::from_str(&row.parameters).map_err(AdminError::internal)?;
    let outcome: DkgOutcome = serde_json::from_str(outcome).map_err(AdminError::internal)?;
    Ok(Some((params, outcome)))
}

/// The trustee index of a user in a chamber's ceremony.
pub async fn trustee_index(
    state: &AdminState,
    chamber: &str,
    user_id: &str,
) -> AdminResult<Option<u32>> {
    Ok(state
        .stores
        .registry
        .ceremony_trustees(chamber)
        .await?
        .into_iter()
        .find(|(_, u)| u == user_id)
        .and_then(|(i, _)| u32::try_from(i).ok()))
}

/// The key identifier of attempt `attempt` of a chamber's ceremony.
pub fn key_id(chamber: &str, attempt: i64) -> String {
    if attempt <= 1 {
        format!("coe-{chamber}")
    } else {
        format!("coe-{chamber}-r{attempt}")
    }
}

fn params_of(row: &CeremonyRow) -> AdminResult<DkgParameters> {
    serde_json::from_str(&row.parameters).map_err(AdminError::internal)
}

async fn require_ceremony(state: &AdminState, chamber: &str) -> AdminResult<CeremonyRow> {
    state
        .stores
        .registry
        .ceremony(chamber)
        .await?
        .ok_or_else(|| AdminError::NotFound(format!("cérémonie des clés de la CCI {chamber}")))
}

/// Messages of one step, by trustee.
async fn step_messages<T: serde::de::DeserializeOwned>(
    state: &AdminState,
    chamber: &str,
    step: &str,
) -> AdminResult<BTreeMap<u32, T>> {
    let mut out = BTreeMap::new();
    for m in state
        .stores
        .registry
        .ceremony_messages(chamber, Some(step))
        .await?
    {
        let i = u32::try_from(m.trustee).map_err(AdminError::internal)?;
        out.insert(
            i,
            serde_json::from_str(&m.message).map_err(AdminError::internal)?,
        );
    }
    Ok(out)
}

/// What trustee `i` sends at step 3.
#[derive(Clone, Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct CheckMessage {
    /// Complaints against the dealers whose share did not check (usually none).
    pub complaints: Vec<Complaint>,
}

/// What trustee `i` sends once it saved its key-share file.
#[derive(Clone, Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Confirmation {
    /// `Y_i` as the trustee's file holds it (hex).
    pub verification_key: String,
    /// The transcript digest the trustee verified (hex).
    pub transcript_digest: String,
}

/// The transcript as far as the stored messages go: roster, dealings and complaints.
pub async fn partial_transcript(
    state: &AdminState,
    chamber: &str,
) -> AdminResult<Option<DkgTranscript>> {
    let Some(row) = state.stores.registry.ceremony(chamber).await? else {
        return Ok(None);
    };
    let params = params_of(&row)?;
    let roster: BTreeMap<u32, TransportKeyAnnouncement> =
        step_messages(state, chamber, ANNOUNCEMENT).await?;
    let dealings: BTreeMap<u32, Dealing> = step_messages(state, chamber, DEALING).await?;
    let checks: BTreeMap<u32, CheckMessage> = step_messages(state, chamber, CHECK).await?;
    let complaints = checks.into_values().flat_map(|c| c.complaints).collect();
    Ok(Some(DkgTranscript::assemble(
        params,
        roster.into_values().collect(),
        dealings.into_values().collect(),
        complaints,
    )))
}

/// The complete transcript of a chamber's ceremony, once complete.
pub async fn stored_transcript(
    state: &AdminState,
    chamber: &str,
) -> AdminResult<Option<DkgTranscript>> {
    let Some(row) = state.stores.registry.ceremony(chamber).await? else {
        return Ok(None);
    };
    if row.status != "complete" {
        return Ok(None);
    }
    partial_transcript(state, chamber).await
}

/// Which step the ceremony waits for, given what each trustee sent.
fn waiting_for(n: u32, counts: [usize; 3], complete: bool) -> &'static str {
    let n = n as usize;
    if complete {
        "complete"
    } else if counts[0] < n {
        "announcements"
    } else if counts[1] < n {
        "dealings"
    } else if counts[2] < n {
        "checks"
    } else {
        "failed"
    }
}

async fn ceremony_json(state: &AdminState, chamber: &str, caller: &Caller) -> AdminResult<Value> {
    let Some(row) = state.stores.registry.ceremony(chamber).await? else {
        return Ok(json!({ "chamber": chamber, "status": "none", "step": "none" }));
    };
    let params = params_of(&row)?;
    let trustees = state.stores.registry.ceremony_trustees(chamber).await?;
    let messages = state
        .stores
        .registry
        .ceremony_messages(chamber, None)
        .await?;
    let sent = |step: &str, i: i64| messages.iter().any(|m| m.step == step && m.trustee == i);
    let count = |step: &str| messages.iter().filter(|m| m.step == step).count();
    let mut trustee_views = Vec::new();
    let mut you = None;
    for (i, user_id) in &trustees {
        let user = state.stores.registry.admin_user(user_id).await?;
        if user_id == &caller.user.id {
            you = Some(*i);
        }
        trustee_views.push(json!({
            "trustee": i,
            "user_id": user_id,
            "name": user.as_ref().map(|u| format!("{} {}", u.first_name, u.last_name.to_uppercase())),
            "email": user.as_ref().map(|u| u.email.clone()),
            "role": user.as_ref().map(|u| u.role.clone()),
            "announced": sent(ANNOUNCEMENT, *i),
            "dealt": sent(DEALING, *i),
            "checked": sent(CHECK, *i),
            "confirmed": sent(CONFIRMATION, *i),
        }));
    }
    let complete = row.status == "complete";
    let step = waiting_for(
        params.trustees,
        [count(ANNOUNCEMENT), count(DEALING), count(CHECK)],
        complete,
    );
    let partial = partial_transcript(state, chamber).await?;
    // Every check is in but the request that stored the last one may still be completing
    // the ceremony: only a transcript that does not verify makes it a failure.
    let failure = if step == "failed" {
        partial
            .as_ref()
            .and_then(|t| t.verify().err())
            .map(|e| e.to_string())
    } else {
        None
    };
    let step = if step == "failed" && failure.is_none() {
        "completing"
    } else {
        step
    };
    let outcome: Option<Value> = row
        .outcome
        .as_deref()
        .map(serde_json::from_str)
        .transpose()
        .map_err(AdminError::internal)?;
    Ok(json!({
        "chamber": chamber,
        "key_id": row.key_id,
        "attempt": row.attempt,
        "status": row.status,
        "step": step,
        "failure": failure,
        "parameters": params,
        "trustees": trustee_views,
        "you": you,
        "created_at": row.created_at,
        "created_by": row.created_by,
        "transcript": partial,
        "public_key": row.public_key.as_deref().map(hex::encode),
        "transcript_digest": row.transcript_digest.as_deref().map(hex::encode),
        "completed_at": row.completed_at,
        "outcome": outcome,
        "confirmations": count(CONFIRMATION),
    }))
}

/// `GET /admin/api/ceremonies`: every ceremony of the caller's perimeter, in short.
pub async fn list(State(state): State<AdminState>, caller: Caller) -> AdminResult<Json<Value>> {
    caller.allow_role(Permission::CheckSeals)?;
    let mut out = Vec::new();
    for row in state.stores.registry.ceremonies().await? {
        if !caller.sees(&row.chamber_code) {
            continue;
        }
        let you = trustee_index(&state, &row.chamber_code, &caller.user.id).await?;
        out.push(json!({
            "chamber": row.chamber_code,
            "key_id": row.key_id,
            "status": row.status,
            "public_key": row.public_key.as_deref().map(hex::encode),
            "you": you,
        }));
    }
    Ok(Json(json!({ "ceremonies": out })))
}

/// `GET /admin/api/chambers/{chamber}/ceremony`: the ceremony and every public message.
pub async fn view(
    State(state): State<AdminState>,
    caller: Caller,
    Path(chamber): Path<String>,
) -> AdminResult<Json<Value>> {
    caller.allow(Permission::CheckSeals, &chamber)?;
    Ok(Json(ceremony_json(&state, &chamber, &caller).await?))
}

/// `GET /admin/api/chambers/{chamber}/ceremony/transcript`: the transcript so far (the
/// complete one once the key exists), as the election record holds it.
pub async fn transcript(
    State(state): State<AdminState>,
    caller: Caller,
    Path(chamber): Path<String>,
) -> AdminResult<Json<Value>> {
    caller.allow(Permission::CheckSeals, &chamber)?;
    let t = partial_transcript(&state, &chamber)
        .await?
        .ok_or_else(|| AdminError::NotFound(format!("cérémonie des clés de la CCI {chamber}")))?;
    Ok(Json(
        json!({ "transcript": t, "digest": hex::encode(t.digest()) }),
    ))
}

/// Request to start (or restart) a ceremony.
#[derive(Deserialize)]
pub struct StartRequest {
    /// Trustees 1 … n, by user id or email, in order.
    pub trustees: Vec<String>,
    /// How many of them together can decrypt (2 at least: the president and an assessor,
    ///
    pub threshold: u32,
}

/// `POST /admin/api/chambers/{chamber}/ceremony`: the COE president names the trustees
/// and the threshold. Restarting is possible until the key exists.
pub async fn start(
    State(state): State<AdminState>,
    caller: Caller,
    Path(chamber): Path<String>,
    Json(req): Json<StartRequest>,
) -> AdminResult<Json<Value>> {
    caller.allow(Permission::Ceremony, &chamber)?;
    if caller.user.role != Role::CoePresident {
        return Err(AdminError::Forbidden);
    }
    let structure = crate::uploads::require_structure(&state).await?;
    if !structure
        .scrutins()
        .iter()
        .any(|s| s.chamber.as_str() == chamber)
    {
        return Err(AdminError::NotFound(format!(
            "CCI {chamber} dans la structure électorale"
        )));
    }
    let n = u32::try_from(req.trustees.len()).unwrap_or(u32::MAX);
    if req.threshold < 2 || req.threshold > n {
        return Err(AdminError::Invalid(format!(
            "Il faut au moins 2 détenteurs de clé pour déchiffrer (le président et un assesseur, R-60), \
             et pas plus que le nombre de détenteurs ({n})."
        )));
    }
    let users = state.stores.registry.admin_users().await?;
    let mut ids = Vec::new();
    for wanted in &req.trustees {
        let wanted = wanted.trim();
        let row = users
            .iter()
            .find(|u| u.id == wanted || u.email.eq_ignore_ascii_case(wanted))
            .ok_or_else(|| AdminError::Invalid(format!("Utilisateur inconnu : {wanted}.")))?;
        let user = AdminUser::from_row(row)?;
        if user.disabled || !user.role.can(Permission::Ceremony) || !user.sees(&chamber) {
            return Err(AdminError::Invalid(format!(
                "{} ne peut pas détenir une part de la clé de la CCI {chamber} : seuls les membres \
                 actifs de sa COE le peuvent.",
                user.display()
            )));
        }
        if ids.contains(&user.id) {
            return Err(AdminError::Invalid(format!(
                "{} est nommé deux fois.",
                user.display()
            )));
        }
        ids.push(user.id);
    }
    let attempt = state
        .stores
        .registry
        .next_ceremony_attempt(&chamber)
        .await?;
    let key_id = key_id(&chamber, attempt);
    let params = DkgParameters::new(&state.config.election_id, &key_id, n, req.threshold)
        .map_err(|e| AdminError::Invalid(e.to_string()))?;
    let params_json = serde_json::to_string(&params).map_err(AdminError::internal)?;
    state
        .stores
        .registry
        .start_ceremony(&NewCeremony {
            chamber_code: &chamber,
            key_id: &key_id,
            attempt,
            parameters: &params_json,
            trustees: &ids,
            created_at: state.now(),
            created_by: &caller.user.email,
        })
        .await?;
    audit::record(
        &state,
        Some(&caller.user),
        "ceremony-started",
        json!({ "chamber": chamber, "key_id": key_id, "attempt": attempt, "trustees": ids, "threshold": req.threshold }),
    )
    .await?;
    Ok(Json(ceremony_json(&state, &chamber, &caller).await?))
}

/// The caller as trustee of the chamber's current ceremony.
async fn as_trustee(
    state: &AdminState,
    caller: &Caller,
    chamber: &str,
) -> AdminResult<(CeremonyRow, DkgParameters, u32)> {
    caller.allow(Permission::Ceremony, chamber)?;
    let row = require_ceremony(state, chamber).await?;
    let i = trustee_index(state, chamber, &caller.user.id)
        .await?
        .ok_or_else(|| AdminError::Refused {
            code: "not_a_trustee",
            message: format!("Vous n'êtes pas détenteur d'une part de la clé de la CCI {chamber}."),
            details: json!({}),
        })?;
    Ok((row.clone(), params_of(&row)?, i))
}

fn refused(code: &'static str, message: String) -> AdminError {
    AdminError::Refused {
        code,
        message,
        details: json!({}),
    }
}

async fn store_message(
    state: &AdminState,
    caller: &Caller,
    row: &CeremonyRow,
    step: &str,
    trustee: u32,
    message: &impl serde::Serialize,
) -> AdminResult<bool> {
    let text = serde_json::to_string(message).map_err(AdminError::internal)?;
    let fresh = state
        .stores
        .registry
        .put_ceremony_message(
            &row.chamber_code,
            &row.key_id,
            step,
            i64::from(trustee),
            &text,
            state.now(),
        )
        .await?;
    if fresh {
        audit::record(
            state,
            Some(&caller.user),
            "ceremony-message",
            json!({
                "chamber": row.chamber_code,
                "key_id": row.key_id,
                "step": step,
                "trustee": trustee,
                "sha256": hex::encode(Sha256::digest(text.as_bytes())),
            }),
        )
        .await?;
    }
    Ok(fresh)
}

/// `POST …/ceremony/announcements`: step 1, the caller's transport key.
pub async fn announce(
    State(state): State<AdminState>,
    caller: Caller,
    Path(chamber): Path<String>,
    Json(ann): Json<TransportKeyAnnouncement>,
) -> AdminResult<Json<Value>> {
    let (row, params, i) = as_trustee(&state, &caller, &chamber).await?;
    if ann.trustee != i {
        return Err(refused(
            "wrong_trustee",
            format!("Vous êtes le détenteur n° {i}, pas le n° {}.", ann.trustee),
        ));
    }
    ann.verify(&params)
        .map_err(|e| refused("invalid_message", format!("Annonce refusée : {e}.")))?;
    let roster: BTreeMap<u32, TransportKeyAnnouncement> =
        step_messages(&state, &chamber, ANNOUNCEMENT).await?;
    if roster
        .iter()
        .any(|(j, other)| *j != i && other.transport_key == ann.transport_key)
    {
        return Err(refused(
            "invalid_message",
            "Annonce refusée : cette clé de transport est déjà celle d'un autre détenteur.".into(),
        ));
    }
    store_message(&state, &caller, &row, ANNOUNCEMENT, i, &ann).await?;
    Ok(Json(ceremony_json(&state, &chamber, &caller).await?))
}

/// `POST …/ceremony/dealings`: step 2, once every transport key is known.
pub async fn deal(
    State(state): State<AdminState>,
    caller: Caller,
    Path(chamber): Path<String>,
    Json(dealing): Json<Dealing>,
) -> AdminResult<Json<Value>> {
    let (row, params, i) = as_trustee(&state, &caller, &chamber).await?;
    if dealing.dealer != i {
        return Err(refused(
            "wrong_trustee",
            format!(
                "Vous êtes le détenteur n° {i}, pas le n° {}.",
                dealing.dealer
            ),
        ));
    }
    let roster: BTreeMap<u32, TransportKeyAnnouncement> =
        step_messages(&state, &chamber, ANNOUNCEMENT).await?;
    if roster.len() != params.trustees as usize {
        return Err(AdminError::Conflict(format!(
            "Étape 2 trop tôt : {} détenteur(s) sur {} ont annoncé leur clé de transport.",
            roster.len(),
            params.trustees
        )));
    }
    let roster: Vec<TransportKeyAnnouncement> = roster.into_values().collect();
    dealing
        .verify(&params, &roster)
        .map_err(|e| refused("invalid_message", format!("Distribution refusée : {e}.")))?;
    store_message(&state, &caller, &row, DEALING, i, &dealing).await?;
    Ok(Json(ceremony_json(&state, &chamber, &caller).await?))
}

/// `POST …/ceremony/checks`: step 3, the caller's complaints (usually none) once every
/// dealing is in. The last check completes the ceremony.
pub async fn check(
    State(state): State<AdminState>,
    caller: Caller,
    Path(chamber): Path<String>,
    Json(msg): Json<CheckMessage>,
) -> AdminResult<Json<Value>> {
    let (row, params, i) = as_trustee(&state, &caller, &chamber).await?;
    let roster: Vec<TransportKeyAnnouncement> = step_messages(&state, &chamber, ANNOUNCEMENT)
        .await?
        .into_values()
        .collect();
    let dealings: BTreeMap<u32, Dealing> = step_messages(&state, &chamber, DEALING).await?;
    if dealings.len() != params.trustees as usize {
        return Err(AdminError::Conflict(format!(
            "Étape 3 trop tôt : {} distribution(s) sur {} reçues.",
            dealings.len(),
            params.trustees
        )));
    }
    let mut against = Vec::new();
    for c in &msg.complaints {
        if c.complainer != i {
            return Err(refused(
                "wrong_trustee",
                format!("Une réclamation ne peut être faite qu'en votre nom (n° {i})."),
            ));
        }
        if against.contains(&c.dealer) {
            return Err(refused(
                "invalid_message",
                format!("Deux réclamations contre le détenteur n° {}.", c.dealer),
            ));
        }
        let dealing = dealings.get(&c.dealer).ok_or_else(|| {
            refused(
                "invalid_message",
                format!("Pas de distribution du n° {}.", c.dealer),
            )
        })?;
        c.verify(&params, &roster, dealing)
            .map_err(|e| refused("invalid_message", format!("Réclamation refusée : {e}.")))?;
        against.push(c.dealer);
    }
    store_message(&state, &caller, &row, CHECK, i, &msg).await?;
    if !against.is_empty() {
        tracing::warn!(chamber, trustee = i, ?against, "ceremony complaint");
    }
    try_complete(&state, Some(&caller.user), &chamber).await?;
    Ok(Json(ceremony_json(&state, &chamber, &caller).await?))
}

/// Completes the ceremony if every trustee checked: verifies the transcript, publishes the
/// key, journals and seals. Returns the key when the ceremony is (now) complete.
async fn try_complete(
    state: &AdminState,
    actor: Option<&AdminUser>,
    chamber: &str,
) -> AdminResult<Option<RistrettoPoint>> {
    let row = require_ceremony(state, chamber).await?;
    let params = params_of(&row)?;
    let checks = state
        .stores
        .registry
        .ceremony_messages(chamber, Some(CHECK))
        .await?;
    if checks.len() < params.trustees as usize {
        return Ok(None);
    }
    let transcript = partial_transcript(state, chamber)
        .await?
        .ok_or_else(|| AdminError::internal("ceremony vanished"))?;
    let outcome = transcript.verify().map_err(|e| {
        refused(
            "ceremony_failed",
            format!("La cérémonie a échoué : {e}. Le président de la COE doit la recommencer."),
        )
    })?;
    let digest = transcript.digest();
    let outcome_json = serde_json::to_string(&outcome).map_err(AdminError::internal)?;
    let key = outcome.public_key.compress().to_bytes();
    let fresh = state
        .stores
        .registry
        .complete_ceremony(
            chamber,
            &row.key_id,
            &key,
            &outcome_json,
            &digest,
            state.now(),
        )
        .await?;
    if fresh {
        audit::record(
            state,
            actor,
            "ceremony-complete",
            json!({
                "chamber": chamber,
                "key_id": row.key_id,
                "public_key": hex::encode(key),
                "transcript_sha256": hex::encode(digest),
                "qualified": outcome.qualified,
                "disqualified": outcome.disqualified,
                "verification_keys": outcome.verification_keys.iter().map(point_to_hex).collect::<Vec<_>>(),
            }),
        )
        .await?;
        let sealer = match actor {
            Some(a) => a.clone(),
            None => platform_actor(),
        };
        seals::seal_object(
            state,
            &sealer,
            key_seal_kind(),
            &seals::chamber_scope(chamber),
            &transcript.canonical_bytes(),
        )
        .await?;
    }
    Ok(Some(outcome.public_key))
}

/// The actor named in journal entries of actions no user made (provisioning by the demo).
fn platform_actor() -> AdminUser {
    AdminUser {
        id: "platform".into(),
        email: "platform@scrutin.invalid".into(),
        last_name: "Plate-forme".into(),
        first_name: "La".into(),
        role: Role::NationalAdmin,
        perimeter: scrutin_election::Perimeter::National,
        disabled: false,
    }
}

/// `POST …/ceremony/confirmations`: the caller saved its key-share file; what it holds must
/// match the published outcome.
pub async fn confirm(
    State(state): State<AdminState>,
    caller: Caller,
    Path(chamber): Path<String>,
    Json(msg): Json<Confirmation>,
) -> AdminResult<Json<Value>> {
    let (row, _, i) = as_trustee(&state, &caller, &chamber).await?;
    let Some(outcome) = row.outcome.as_deref() else {
        return Err(AdminError::Conflict(
            "La clé de l'élection n'existe pas encore.".into(),
        ));
    };
    let outcome: DkgOutcome = serde_json::from_str(outcome).map_err(AdminError::internal)?;
    let expected_key = outcome
        .verification_key(i)
        .map(|k| point_to_hex(&k))
        .unwrap_or_default();
    let expected_digest = row
        .transcript_digest
        .as_deref()
        .map(hex::encode)
        .unwrap_or_default();
    if msg.verification_key != expected_key || msg.transcript_digest != expected_digest {
        return Err(refused(
            "mismatch",
            "Votre fichier de part de clé ne correspond pas à la cérémonie publiée : ne l'utilisez pas \
             et prévenez le président de la COE."
                .into(),
        ));
    }
    store_message(&state, &caller, &row, CONFIRMATION, i, &msg).await?;
    Ok(Json(ceremony_json(&state, &chamber, &caller).await?))
}

/// Installs a ceremony run elsewhere (the demo runs every trustee locally): stores its
/// messages as if relayed, for the given trustees (user ids, in order), then completes it
/// like the last check does. Returns the election key.
pub async fn import_transcript(
    state: &AdminState,
    chamber: &str,
    transcript: &DkgTranscript,
    trustees: &[String],
) -> AdminResult<RistrettoPoint> {
    let params = &transcript.parameters;
    if trustees.len() != params.trustees as usize {
        return Err(AdminError::Invalid(format!(
            "{} trustees named for a ceremony of {}",
            trustees.len(),
            params.trustees
        )));
    }
    transcript
        .verify()
        .map_err(|e| AdminError::Invalid(format!("transcript: {e}")))?;
    let attempt = state.stores.registry.next_ceremony_attempt(chamber).await?;
    let params_json = serde_json::to_string(params).map_err(AdminError::internal)?;
    state
        .stores
        .registry
        .start_ceremony(&NewCeremony {
            chamber_code: chamber,
            key_id: &params.key_id,
            attempt,
            parameters: &params_json,
            trustees,
            created_at: state.now(),
            created_by: "platform",
        })
        .await?;
    let now = state.now();
    let reg = &state.stores.registry;
    let put = |step: &'static str, trustee: u32, text: String| async move {
        reg.put_ceremony_message(
            chamber,
            &params.key_id,
            step,
            i64::from(trustee),
            &text,
            now,
        )
        .await
    };
    for a in &transcript.roster {
        put(
            ANNOUNCEMENT,
            a.trustee,
            serde_json::to_string(a).map_err(AdminError::internal)?,
        )
        .await?;
    }
    for d in &transcript.dealings {
        put(
            DEALING,
            d.dealer,
            serde_json::to_string(d).map_err(AdminError::internal)?,
        )
        .await?;
    }
    for i in 1..=params.trustees {
        let complaints: Vec<Complaint> = transcript
            .complaints
            .iter()
            .filter(|c| c.complainer == i)
            .cloned()
            .collect();
        let text =
            serde_json::to_string(&CheckMessage { complaints }).map_err(AdminError::internal)?;
        put(CHECK, i, text).await?;
    }
    audit::record(
        state,
        None,
        "ceremony-imported",
        json!({ "chamber": chamber, "key_id": params.key_id, "transcript_sha256": hex::encode(transcript.digest()) }),
    )
    .await?;
    try_complete(state, None, chamber)
        .await?
        .ok_or_else(|| AdminError::internal("imported ceremony did not complete"))
}
