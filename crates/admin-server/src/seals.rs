//! Seals (R-50…, protocol §8): each stage is sealed by signing the SHA-256 of a
//! canonical object recomputed from the stores, in one chain of seals. "Check seals now"
//! recomputes every object and compares, reading only — it never disturbs the vote.
//!
//! | kind | scope | object |
//! |---|---|---|
//! | `software` | `national` | the platform's executable and web assets, one line per file: `path sha256` |
//! | `voters` | `chamber/<code>` | one line per right: `right;scrutin;sha256(sealed row);birth check` |
//! | `candidates` | `chamber/<code>` | the chamber's candidate lists (JSON) and statement digests |
//! | `credentials` | `chamber/<code>` | per scrutin the sorted voting keys, per right its identifier and login key |
//! | `box-closed` | `scrutin/<id>` | the final board head and the ballot count |
//! | `emargement-closed` | `scrutin/<id>` | one line per émargement `right;instant`, and the count |
//! | `custom:national` | `national` | the digest of every seal before it (the final national seal, R-72) |
//!
//! Other kinds (results, archive) are computed by the modules that seal them, registered
//! with [`AdminState::register_seal_subject`].

use std::path::Path;

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use scrutin_crypto::seal::{Seal, SealKind};
use scrutin_store::StoredState;
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::audit;
use crate::auth::{AdminUser, Caller, Permission};
use crate::error::{AdminError, AdminResult};
use crate::state::AdminState;

/// The seal routes.
pub fn routes() -> Router<AdminState> {
    Router::new()
        .route("/admin/api/seals", get(list).post(create))
        .route("/admin/api/seals/check", get(check_now))
        .route(
            "/admin/api/seals/national",
            get(national_status).post(national_seal),
        )
}

/// The scope of a chamber.
pub fn chamber_scope(code: &str) -> String {
    format!("chamber/{code}")
}

/// The scope of a scrutin.
pub fn scrutin_scope(id: &str) -> String {
    format!("scrutin/{id}")
}

/// The national scope.
pub const NATIONAL: &str = "national";

/// The kind of the final national seal.
pub fn national_kind() -> SealKind {
    SealKind::Custom("national".into())
}

/// The chamber a scope concerns (`None` for national).
pub async fn scope_chamber(state: &AdminState, scope: &str) -> AdminResult<Option<String>> {
    if scope == NATIONAL {
        return Ok(None);
    }
    if let Some(code) = scope.strip_prefix("chamber/") {
        return Ok(Some(code.to_owned()));
    }
    if let Some(id) = scope.strip_prefix("scrutin/") {
        let s = state
            .stores
            .registry
            .scrutin(id)
            .await?
            .ok_or_else(|| AdminError::NotFound(format!("scrutin {id}")))?;
        return Ok(Some(s.chamber_code));
    }
    Err(AdminError::Invalid(format!(
        "portée de scellement inconnue : {scope}"
    )))
}

fn file_lines(root: &Path, dir: &Path, out: &mut Vec<String>) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let path = e.path();
        if e.file_type()?.is_dir() {
            file_lines(root, &path, out)?;
        } else {
            let bytes = std::fs::read(&path)?;
            let rel = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .display()
                .to_string();
            out.push(format!("{rel} {}", hex::encode(Sha256::digest(&bytes))));
        }
    }
    Ok(())
}

fn software_object(state: &AdminState) -> AdminResult<Vec<u8>> {
    let mut lines = Vec::new();
    let exe = std::env::current_exe().map_err(AdminError::internal)?;
    let bytes = std::fs::read(&exe).map_err(AdminError::internal)?;
    lines.push(format!(
        "executable {}",
        hex::encode(Sha256::digest(&bytes))
    ));
    // The web assets of the platform: web/admin and its siblings (web/voter, web/verify).
    let web = state
        .config
        .web_dir
        .parent()
        .unwrap_or(&state.config.web_dir)
        .to_path_buf();
    file_lines(&web, &web, &mut lines).map_err(AdminError::internal)?;
    Ok(lines.join("\n").into_bytes())
}

async fn voters_object(state: &AdminState, chamber: &str) -> AdminResult<Vec<u8>> {
    let mut out = String::new();
    for r in state.stores.electors.right_summaries(chamber).await? {
        out.push_str(&format!(
            "{};{};{};{}\n",
            r.right_id,
            r.scrutin_id,
            hex::encode(Sha256::digest(&r.personal)),
            r.birth_check
                .as_deref()
                .map(hex::encode)
                .unwrap_or_default()
        ));
    }
    Ok(out.into_bytes())
}

async fn candidates_object(state: &AdminState, chamber: &str) -> AdminResult<Vec<u8>> {
    let lists: Vec<Value> = state
        .stores
        .registry
        .candidate_lists(Some(chamber))
        .await?
        .into_iter()
        .map(|l| json!({ "contest": l.contest_id, "entries": serde_json::from_str::<Value>(&l.entries).unwrap_or(Value::Null) }))
        .collect();
    let statements: Vec<Value> = state
        .stores
        .registry
        .statements(Some(chamber))
        .await?
        .into_iter()
        .map(|s| json!({ "contest": s.contest_id, "subject": s.subject, "sha256": s.digest }))
        .collect();
    serde_json::to_vec(&json!({ "candidates": lists, "statements": statements }))
        .map_err(AdminError::internal)
}

async fn credentials_object(state: &AdminState, chamber: &str) -> AdminResult<Vec<u8>> {
    let mut out = String::new();
    for s in state.stores.registry.scrutins().await? {
        if s.chamber_code != chamber {
            continue;
        }
        out.push_str(&format!("scrutin {}\n", s.id));
        for (key, _) in state.stores.ballots.voting_keys(&s.id).await? {
            out.push_str(&format!("voting-key {}\n", hex::encode(key)));
        }
    }
    for r in state.stores.electors.right_summaries(chamber).await? {
        out.push_str(&format!(
            "right {};{};{}\n",
            r.right_id,
            r.identifier.unwrap_or_default(),
            r.login_key.as_deref().map(hex::encode).unwrap_or_default()
        ));
    }
    Ok(out.into_bytes())
}

async fn box_object(state: &AdminState, scrutin: &str) -> AdminResult<Vec<u8>> {
    let epochs = state.stores.ballots.epochs(scrutin).await?;
    let count = state.stores.ballots.count_ballots(scrutin).await?;
    let head = epochs.last().map(|h| {
        json!({ "epoch": h.epoch, "tree_size": h.tree_size, "root": hex::encode(&h.root), "signature": hex::encode(&h.signature) })
    });
    serde_json::to_vec(&json!({ "scrutin": scrutin, "head": head, "ballots": count }))
        .map_err(AdminError::internal)
}

async fn emargement_object(state: &AdminState, scrutin: &str) -> AdminResult<Vec<u8>> {
    let list = state.stores.electors.emargements(scrutin).await?;
    let mut out = format!("scrutin {scrutin}\ncount {}\n", list.len());
    for (right, at) in list {
        out.push_str(&format!(
            "{right};{}\n",
            scrutin_store::journal::signed_time(at)
        ));
    }
    Ok(out.into_bytes())
}

async fn national_object(state: &AdminState, before_seq: Option<i64>) -> AdminResult<Vec<u8>> {
    let mut out = String::new();
    for row in state.stores.registry.seals().await? {
        if before_seq.is_some_and(|s| row.seq >= s) {
            break;
        }
        if row.kind == national_kind().name() {
            continue;
        }
        let seal: Seal = serde_json::from_str(&row.seal).map_err(AdminError::internal)?;
        out.push_str(&format!(
            "{} {} {}\n",
            row.kind,
            row.scope,
            hex::encode(seal.digest())
        ));
    }
    Ok(out.into_bytes())
}

/// The object a seal of `kind` over `scope` fixes, recomputed now. `at_seq` is the position
/// of the seal being checked (the national seal covers the seals before it).
pub async fn subject_object(
    state: &AdminState,
    kind: &SealKind,
    scope: &str,
    at_seq: Option<i64>,
) -> AdminResult<Vec<u8>> {
    let chamber = scope.strip_prefix("chamber/");
    let scrutin = scope.strip_prefix("scrutin/");
    match (kind, chamber, scrutin) {
        (SealKind::Software, _, _) if scope == NATIONAL => software_object(state),
        (SealKind::Voters, Some(c), _) => voters_object(state, c).await,
        (SealKind::Candidates, Some(c), _) => candidates_object(state, c).await,
        (SealKind::Credentials, Some(c), _) => credentials_object(state, c).await,
        (SealKind::BoxClosed, _, Some(s)) => box_object(state, s).await,
        (SealKind::EmargementClosed, _, Some(s)) => emargement_object(state, s).await,
        (SealKind::Custom(name), _, _) if name == "national" && scope == NATIONAL => {
            national_object(state, at_seq).await
        }
        _ => match state.seal_subject_fn(&kind.name()) {
            Some(f) => f(state.clone(), scope.to_owned()).await,
            None => Err(AdminError::Invalid(format!(
                "scellement « {kind} » impossible pour la portée « {scope} »"
            ))),
        },
    }
}

/// Whether a seal of this kind exists for the scope.
pub async fn is_sealed(state: &AdminState, kind: &SealKind, scope: &str) -> AdminResult<bool> {
    Ok(!state
        .stores
        .registry
        .seals_of(&kind.name(), scope)
        .await?
        .is_empty())
}

/// Refuses a change of a stage once it is sealed.
pub async fn ensure_unsealed(
    state: &AdminState,
    kind: &SealKind,
    scope: &str,
    what: &str,
) -> AdminResult<()> {
    if is_sealed(state, kind, scope).await? {
        Err(AdminError::Conflict(format!(
            "{what} : déjà scellé ({kind}, {scope}), plus aucune modification n'est possible."
        )))
    } else {
        Ok(())
    }
}

async fn check_prerequisites(state: &AdminState, kind: &SealKind, scope: &str) -> AdminResult<()> {
    let scrutin_state = |id: &str| {
        let id = id.to_owned();
        let state = state.clone();
        async move {
            let s = state
                .stores
                .registry
                .scrutin(&id)
                .await?
                .ok_or_else(|| AdminError::NotFound(format!("scrutin {id}")))?;
            Ok::<_, AdminError>(s.state_at(state.now()))
        }
    };
    match kind {
        SealKind::Voters => {
            let code = scope.trim_start_matches("chamber/");
            if state.stores.electors.count_rights_of_chamber(code).await? == 0 {
                return Err(AdminError::Conflict(format!(
                    "Aucun électeur chargé pour la CCI {code}."
                )));
            }
        }
        SealKind::Candidates => {
            let code = scope.trim_start_matches("chamber/");
            crate::candidates::ensure_valid(state, code).await?;
        }
        SealKind::Credentials => {
            let code = scope.trim_start_matches("chamber/");
            let rights = state.stores.electors.right_summaries(code).await?;
            if rights.is_empty() || rights.iter().any(|r| r.login_key.is_none()) {
                return Err(AdminError::Conflict(
                    "Le matériel de vote n'est pas encore généré pour tous les électeurs.".into(),
                ));
            }
        }
        SealKind::BoxClosed | SealKind::EmargementClosed => {
            let id = scope.trim_start_matches("scrutin/");
            if scrutin_state(id).await? != scrutin_store::ScrutinState::Closed {
                return Err(AdminError::Conflict(format!(
                    "Le scrutin {id} n'est pas clos."
                )));
            }
        }
        _ => {}
    }
    Ok(())
}

/// Seals `object` as `kind` over `scope` with the platform key, appends it to the chain and
/// journals it. For kinds whose object this module cannot recompute, register a subject
/// function so that checks cover them.
pub async fn seal_object(
    state: &AdminState,
    actor: &AdminUser,
    kind: SealKind,
    scope: &str,
    object: &[u8],
) -> AdminResult<Seal> {
    let subject: [u8; 32] = Sha256::digest(object).into();
    let time = scrutin_store::journal::signed_time(state.now());
    let key = state.platform_key.clone();
    let kind_name = kind.name();
    let scope_owned = scope.to_owned();
    let mut made = None;
    state
        .stores
        .registry
        .append_seal(|previous| {
            let previous: Option<Seal> = previous
                .map(serde_json::from_str)
                .transpose()
                .map_err(|e| scrutin_store::StoreError::Corrupt(format!("stored seal: {e}")))?;
            let seal = Seal::sign(
                kind.clone(),
                &scope_owned,
                subject,
                previous.as_ref(),
                &time,
                &key,
            )?;
            let text = serde_json::to_string(&seal)
                .map_err(|e| scrutin_store::StoreError::Invalid(e.to_string()))?;
            made = Some(seal);
            Ok((kind_name.clone(), scope_owned.clone(), text))
        })
        .await?;
    let seal = made.ok_or_else(|| AdminError::internal("seal not made"))?;
    audit::record(
        state,
        Some(actor),
        "seal",
        json!({
            "kind": seal.kind.name(),
            "scope": seal.scope,
            "subject": hex::encode(seal.subject),
            "digest": hex::encode(seal.digest()),
            "time": seal.time,
        }),
    )
    .await?;
    Ok(seal)
}

/// Seals a stage: checks its prerequisites, refuses a second seal of the same stage,
/// recomputes the object and seals it.
pub async fn seal(
    state: &AdminState,
    actor: &AdminUser,
    kind: SealKind,
    scope: &str,
) -> AdminResult<Seal> {
    if is_sealed(state, &kind, scope).await? {
        return Err(AdminError::Conflict(format!(
            "Déjà scellé : {kind} ({scope})."
        )));
    }
    check_prerequisites(state, &kind, scope).await?;
    if matches!(kind, SealKind::BoxClosed) {
        // The last ballots go on the board before the box is sealed.
        let id = scope.trim_start_matches("scrutin/");
        scrutin_store::board::close_epoch(
            &state.stores,
            id,
            state.now(),
            &state.platform_key,
            scrutin_store::board::EpochPolicy::default(),
            true,
        )
        .await?;
    }
    let object = subject_object(state, &kind, scope, None).await?;
    seal_object(state, actor, kind, scope, &object).await
}

/// Seals a stage again after a legitimate, journaled change (the credentials of a chamber
/// after a resend of material, R-32): the new seal supersedes the previous one of the same
/// stage, which stays in the chain.
pub async fn reseal(
    state: &AdminState,
    actor: &AdminUser,
    kind: SealKind,
    scope: &str,
) -> AdminResult<Option<Seal>> {
    if !is_sealed(state, &kind, scope).await? {
        return Ok(None);
    }
    let object = subject_object(state, &kind, scope, None).await?;
    Ok(Some(seal_object(state, actor, kind, scope, &object).await?))
}

/// Request to seal a stage.
#[derive(Deserialize)]
pub struct SealRequest {
    /// Kind name (`voters`, `candidates`, `credentials`, `box-closed`, `emargement-closed`, `software`).
    pub kind: String,
    /// Scope (`chamber/011`, `scrutin/011-C`, `national`).
    pub scope: String,
}

/// `POST /admin/api/seals`.
pub async fn create(
    State(state): State<AdminState>,
    caller: Caller,
    Json(req): Json<SealRequest>,
) -> AdminResult<Json<Value>> {
    let kind: SealKind = req
        .kind
        .parse()
        .map_err(|_| AdminError::Invalid(format!("sorte de scellement inconnue : {}", req.kind)))?;
    match scope_chamber(&state, &req.scope).await? {
        None => caller.allow_national(Permission::SealNational)?,
        Some(chamber) => caller.allow(Permission::Seal, &chamber)?,
    }
    let seal = seal(&state, &caller.user, kind, &req.scope).await?;
    Ok(Json(seal_view(&seal, None)))
}

fn seal_view(seal: &Seal, seq: Option<i64>) -> Value {
    json!({
        "seq": seq,
        "kind": seal.kind.name(),
        "scope": seal.scope,
        "subject": hex::encode(seal.subject),
        "digest": hex::encode(seal.digest()),
        "previous": hex::encode(seal.previous),
        "time": seal.time,
        "time_paris": chrono::DateTime::parse_from_rfc3339(&seal.time).ok().map(|t| scrutin_store::clock::paris_text(t.with_timezone(&chrono::Utc), true)),
        "seal": seal,
    })
}

/// `GET /admin/api/seals`: the whole chain (seals are public).
pub async fn list(State(state): State<AdminState>, caller: Caller) -> AdminResult<Json<Value>> {
    caller.allow_role(Permission::CheckSeals)?;
    let mut out = Vec::new();
    for row in state.stores.registry.seals().await? {
        let seal: Seal = serde_json::from_str(&row.seal).map_err(AdminError::internal)?;
        out.push(seal_view(&seal, Some(row.seq)));
    }
    Ok(Json(json!({
        "platform_key": hex::encode(state.platform_key.verifying_key().to_bytes()),
        "seals": out,
    })))
}

/// The check of one seal.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SealCheck {
    /// Position in the chain.
    pub seq: i64,
    /// Kind name.
    pub kind: String,
    /// Scope.
    pub scope: String,
    /// Signature and chain link verify.
    pub signature_ok: bool,
    /// The recomputed object still has the sealed digest.
    pub subject_ok: bool,
    /// What was found, in French.
    pub message: String,
}

/// Checks every seal now: the chain and signatures, then each object recomputed
/// from the stores. Read-only.
pub async fn check_all(state: &AdminState) -> AdminResult<(bool, Vec<SealCheck>)> {
    let rows = state.stores.registry.seals().await?;
    let mut seals = Vec::with_capacity(rows.len());
    for row in &rows {
        seals.push(serde_json::from_str::<Seal>(&row.seal).map_err(AdminError::internal)?);
    }
    let public = state.platform_key.verifying_key();
    let chain = scrutin_crypto::seal::verify_chain(&seals, &public);
    let broken_at = chain.as_ref().err().map(|e| e.index);
    let mut checks = Vec::with_capacity(rows.len());
    for (i, (row, seal)) in rows.iter().zip(&seals).enumerate() {
        let signature_ok = broken_at.is_none_or(|b| i < b);
        // A stage sealed again (the credentials after a resend, R-32) is checked against
        // its latest seal; the earlier one stays in the chain, signed, as history.
        let superseded = rows[i + 1..]
            .iter()
            .find(|r| r.kind == row.kind && r.scope == row.scope)
            .map(|r| r.seq);
        let (subject_ok, message) = match superseded {
            Some(by) => (true, format!("remplacé par le scellement n° {by}")),
            None => match subject_object(state, &seal.kind, &seal.scope, Some(row.seq)).await {
                Ok(object) if seal.matches_subject(&object) => (true, "intact".to_owned()),
                Ok(_) => (
                    false,
                    "MODIFIÉ : l'empreinte recalculée diffère de l'empreinte scellée".to_owned(),
                ),
                Err(e) => (false, format!("vérification impossible : {}", e.message())),
            },
        };
        let message = if signature_ok {
            message
        } else {
            format!("signature ou chaînage invalide ; {message}")
        };
        checks.push(SealCheck {
            seq: row.seq,
            kind: row.kind.clone(),
            scope: row.scope.clone(),
            signature_ok,
            subject_ok,
            message,
        });
    }
    let all_ok = chain.is_ok() && checks.iter().all(|c| c.subject_ok);
    Ok((all_ok, checks))
}

/// `GET /admin/api/seals/check`: "check seals now".
pub async fn check_now(
    State(state): State<AdminState>,
    caller: Caller,
) -> AdminResult<Json<Value>> {
    caller.allow_role(Permission::CheckSeals)?;
    let (all_ok, checks) = check_all(&state).await?;
    audit::record(
        &state,
        Some(&caller.user),
        "seals-checked",
        json!({ "all_ok": all_ok, "count": checks.len() }),
    )
    .await?;
    Ok(Json(
        json!({ "all_ok": all_ok, "checked_at": state.now(), "checks": checks }),
    ))
}

/// The seals each scrutin has, and whether the platform may take its national seal.
pub async fn national(state: &AdminState) -> AdminResult<Value> {
    let rows = state.stores.registry.seals().await?;
    let has = |kind: &str, scope: &str| rows.iter().any(|r| r.kind == kind && r.scope == scope);
    let mut boxes = Vec::new();
    let mut missing = 0;
    let now = state.now();
    for s in state.stores.registry.scrutins().await? {
        let chamber = chamber_scope(&s.chamber_code);
        let scope = scrutin_scope(&s.id);
        let closed = s.state_at(now) == scrutin_store::ScrutinState::Closed
            || s.state == StoredState::Closed;
        let mut need = vec![
            ("voters", has("voters", &chamber)),
            ("candidates", has("candidates", &chamber)),
            ("credentials", has("credentials", &chamber)),
        ];
        if closed {
            need.push(("box-closed", has("box-closed", &scope)));
            need.push(("emargement-closed", has("emargement-closed", &scope)));
        }
        let sealed = need.iter().all(|(_, ok)| *ok);
        if !sealed {
            missing += 1;
        }
        boxes.push(json!({
            "scrutin": s.id,
            "chamber": s.chamber_code,
            "label": s.label,
            "closed": closed,
            "seals": need.iter().map(|(k, ok)| json!({ "kind": k, "sealed": ok })).collect::<Vec<_>>(),
            "sealed": sealed,
        }));
    }
    let national = rows
        .iter()
        .filter(|r| r.kind == national_kind().name())
        .map(|r| serde_json::from_str::<Value>(&r.seal).unwrap_or(Value::Null))
        .collect::<Vec<_>>();
    Ok(json!({
        "software_sealed": has("software", NATIONAL),
        "all_boxes_sealed": missing == 0 && !boxes.is_empty(),
        "missing": missing,
        "boxes": boxes,
        "national_seals": national,
    }))
}

/// `GET /admin/api/seals/national`.
pub async fn national_status(
    State(state): State<AdminState>,
    caller: Caller,
) -> AdminResult<Json<Value>> {
    caller.allow_national(Permission::CheckSeals)?;
    Ok(Json(national(&state).await?))
}

/// `POST /admin/api/seals/national`: the platform's final national seal, only when every
/// box is sealed. It covers the digests of every seal before it.
pub async fn national_seal(
    State(state): State<AdminState>,
    caller: Caller,
) -> AdminResult<Json<Value>> {
    caller.allow_national(Permission::SealNational)?;
    let status = national(&state).await?;
    if status["all_boxes_sealed"] != json!(true) || status["software_sealed"] != json!(true) {
        return Err(AdminError::Refused {
            code: "boxes_not_sealed",
            message: "Scellement national refusé : toutes les urnes (et le logiciel) doivent être scellées d'abord.".into(),
            details: status,
        });
    }
    let object = national_object(&state, None).await?;
    let seal = seal_object(&state, &caller.user, national_kind(), NATIONAL, &object).await?;
    Ok(Json(seal_view(&seal, None)))
}
