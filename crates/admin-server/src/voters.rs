//! Consultation of voter lists, control lists and spot checks, changes right
//! by right until the voters seal, and the émargement list of a scrutin for its
//! commission. Personal data is decrypted with the chamber's data key for the answer only.

use std::collections::BTreeMap;

use axum::Json;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::routing::{delete, get};
use scrutin_crypto::seal::SealKind;
use scrutin_election::control::spot_check;
use scrutin_election::{ChamberCode, SamplingParams, VoterId, VoterRecord};
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::audit;
use crate::auth::{Caller, Permission};
use crate::error::{AdminError, AdminResult};
use crate::seals;
use crate::state::AdminState;
use crate::uploads::chamber_data_key;

/// The voter-list routes.
pub fn routes() -> Router<AdminState> {
    Router::new()
        .route("/admin/api/chambers/{code}/voter-list", get(list))
        .route("/admin/api/chambers/{code}/control-list", get(control_list))
        .route("/admin/api/chambers/{code}/spot-check", get(spot))
        .route("/admin/api/rights/{right_id}", delete(remove))
        .route("/admin/api/scrutins/{id}/emargement", get(emargement))
}

/// A voter as the lists show it.
fn row_json(record: &VoterRecord, right_id: &str, has_credentials: bool) -> Value {
    json!({
        "right": right_id,
        "scrutin": record.scrutin,
        "civility": record.civility.map(|c| c.as_str()),
        "usage_name": record.usage_name,
        "first_name": record.first_name,
        "birth_date": record.birth_date.to_jjmmaaaa(),
        "company": record.company_name,
        "siren": record.siren,
        "postcode": record.mailing.postcode,
        "city": record.mailing.city,
        "email": record.email,
        "delegation": record.delegation,
        "has_credentials": has_credentials,
    })
}

/// Paging and filters of a list.
#[derive(Deserialize)]
pub struct ListQuery {
    /// Only this scrutin.
    #[serde(default)]
    pub scrutin: Option<String>,
    /// Text searched in names, company and right.
    #[serde(default)]
    pub q: Option<String>,
    /// First row.
    #[serde(default)]
    pub offset: Option<usize>,
    /// Rows (at most 1000).
    #[serde(default)]
    pub limit: Option<usize>,
}

async fn records(
    state: &AdminState,
    chamber: &str,
) -> AdminResult<Vec<(String, bool, VoterRecord)>> {
    let key = chamber_data_key(state, chamber).await?;
    let rows = state.stores.electors.right_summaries(chamber).await?;
    tokio::task::spawn_blocking(move || {
        rows.into_iter()
            .map(|r| {
                let plain = Zeroizing::new(key.open_personal(&r.right_id, &r.personal)?);
                let record: VoterRecord =
                    serde_json::from_slice(&plain).map_err(AdminError::internal)?;
                Ok((r.right_id, r.login_key.is_some(), record))
            })
            .collect::<AdminResult<Vec<_>>>()
    })
    .await
    .map_err(AdminError::internal)?
}

/// `GET /admin/api/chambers/{code}/voter-list`: the voter list, sorted by scrutin, name.
pub async fn list(
    State(state): State<AdminState>,
    caller: Caller,
    Path(code): Path<String>,
    Query(q): Query<ListQuery>,
) -> AdminResult<Json<Value>> {
    caller.allow(Permission::ViewVoters, &code)?;
    let mut all = records(&state, &code).await?;
    all.retain(|(right, _, r)| {
        q.scrutin.as_ref().is_none_or(|s| &r.scrutin == s)
            && q.q.as_ref().is_none_or(|needle| {
                let n = needle.to_lowercase();
                right.contains(&n)
                    || r.usage_name.to_lowercase().contains(&n)
                    || r.first_name
                        .as_deref()
                        .unwrap_or_default()
                        .to_lowercase()
                        .contains(&n)
                    || r.company_name
                        .as_deref()
                        .unwrap_or_default()
                        .to_lowercase()
                        .contains(&n)
            })
    });
    all.sort_by(|a, b| {
        (&a.2.scrutin, &a.2.usage_name, &a.0).cmp(&(&b.2.scrutin, &b.2.usage_name, &b.0))
    });
    let total = all.len();
    let offset = q.offset.unwrap_or(0);
    let limit = q.limit.unwrap_or(200).clamp(1, 1000);
    let rows: Vec<Value> = all
        .iter()
        .skip(offset)
        .take(limit)
        .map(|(right, creds, r)| row_json(r, right, *creds))
        .collect();
    let sealed = seals::is_sealed(&state, &SealKind::Voters, &seals::chamber_scope(&code)).await?;
    audit::record(
        &state,
        Some(&caller.user),
        "voter-list-viewed",
        json!({ "chamber": code, "rows": rows.len() }),
    )
    .await?;
    Ok(Json(
        json!({ "chamber": code, "sealed": sealed, "total": total, "offset": offset, "rows": rows }),
    ))
}

/// `GET /admin/api/chambers/{code}/control-list`: rights per scrutin and the digest of
/// the stored list, to compare with the CELE's own count.
pub async fn control_list(
    State(state): State<AdminState>,
    caller: Caller,
    Path(code): Path<String>,
) -> AdminResult<Json<Value>> {
    caller.allow(Permission::ViewVoters, &code)?;
    let rows = state.stores.electors.right_summaries(&code).await?;
    let mut per: BTreeMap<String, u64> = BTreeMap::new();
    let mut h = Sha256::new();
    for r in &rows {
        *per.entry(r.scrutin_id.clone()).or_insert(0) += 1;
        h.update(format!("{};{}\n", r.right_id, r.scrutin_id).as_bytes());
    }
    let files = state
        .stores
        .registry
        .election_files(Some("voters"), Some(&code))
        .await?;
    let last = files.iter().find(|f| f.accepted);
    Ok(Json(json!({
        "chamber": code,
        "total": rows.len(),
        "by_scrutin": per.iter().map(|(s, n)| json!({ "scrutin": s, "rights": n })).collect::<Vec<_>>(),
        "rights_digest": hex::encode(h.finalize()),
        "last_file": last.map(|f| json!({
            "name": f.name, "sha256": f.digest, "uploaded_at": f.uploaded_at, "uploaded_by": f.uploaded_by,
            "summary": serde_json::from_str::<Value>(&f.summary).unwrap_or(Value::Null),
        })),
    })))
}

/// The seed of a spot check.
#[derive(Deserialize)]
pub struct SpotQuery {
    /// Chosen by the CELE, so that anyone can redraw the same sample.
    pub seed: String,
}

/// `GET /admin/api/chambers/{code}/spot-check?seed=…`: the reproducible sample.
pub async fn spot(
    State(state): State<AdminState>,
    caller: Caller,
    Path(code): Path<String>,
    Query(q): Query<SpotQuery>,
) -> AdminResult<Json<Value>> {
    caller.allow(Permission::ViewVoters, &code)?;
    if q.seed.trim().is_empty() || q.seed.len() > 200 {
        return Err(AdminError::Invalid(
            "Graine du tirage : 1 à 200 caractères.".into(),
        ));
    }
    let chamber = ChamberCode::parse(&code).map_err(|e| AdminError::Invalid(e.to_string()))?;
    let mut ids: Vec<VoterId> = state
        .stores
        .electors
        .right_summaries(&code)
        .await?
        .iter()
        .filter_map(|r| VoterId::parse(&r.right_id).ok())
        .collect();
    ids.sort_unstable();
    let sample = spot_check(&chamber, &ids, q.seed.trim(), &SamplingParams::default());
    audit::record(
        &state,
        Some(&caller.user),
        "spot-check",
        json!({ "chamber": code, "seed": sample.seed, "size": sample.sample_size }),
    )
    .await?;
    Ok(Json(
        serde_json::to_value(&sample).map_err(AdminError::internal)?,
    ))
}

/// `DELETE /admin/api/rights/{right_id}`: removes one right (a court decision), before the
/// voters seal of its chamber.
pub async fn remove(
    State(state): State<AdminState>,
    caller: Caller,
    Path(right_id): Path<String>,
) -> AdminResult<Json<Value>> {
    let right = state
        .stores
        .electors
        .right(&right_id)
        .await?
        .ok_or_else(|| AdminError::NotFound(format!("droit de vote {right_id}")))?;
    caller.allow(Permission::EditVoters, &right.chamber_code)?;
    seals::ensure_unsealed(
        &state,
        &SealKind::Voters,
        &seals::chamber_scope(&right.chamber_code),
        "Liste électorale",
    )
    .await?;
    state.stores.electors.remove_right(&right_id).await?;
    audit::record(
        &state,
        Some(&caller.user),
        "right-removed",
        json!({ "chamber": right.chamber_code, "right": right_id }),
    )
    .await?;
    Ok(Json(json!({ "ok": true })))
}

/// `GET /admin/api/scrutins/{id}/emargement`: who voted, with date and time, for
/// the commission. Names only: nothing links to a ballot.
pub async fn emargement(
    State(state): State<AdminState>,
    caller: Caller,
    Path(id): Path<String>,
) -> AdminResult<Json<Value>> {
    let s = state
        .stores
        .registry
        .scrutin(&id)
        .await?
        .ok_or_else(|| AdminError::NotFound(format!("scrutin {id}")))?;
    caller.allow(Permission::ViewParticipation, &s.chamber_code)?;
    caller.allow(Permission::ViewVoters, &s.chamber_code)?;
    let list = state.stores.electors.emargements(&id).await?;
    let all = records(&state, &s.chamber_code).await?;
    let by_right: BTreeMap<&str, &VoterRecord> =
        all.iter().map(|(r, _, rec)| (r.as_str(), rec)).collect();
    let rows: Vec<Value> = list
        .iter()
        .map(|(right, at)| {
            let rec = by_right.get(right.as_str());
            json!({
                "right": right,
                "usage_name": rec.map(|r| r.usage_name.clone()),
                "first_name": rec.and_then(|r| r.first_name.clone()),
                "company": rec.and_then(|r| r.company_name.clone()),
                "at": at,
                "at_paris": scrutin_store::clock::paris_text(*at, true),
            })
        })
        .collect();
    audit::record(
        &state,
        Some(&caller.user),
        "emargement-viewed",
        json!({ "scrutin": id, "rows": rows.len() }),
    )
    .await?;
    Ok(Json(
        json!({ "scrutin": id, "count": rows.len(), "rows": rows }),
    ))
}
