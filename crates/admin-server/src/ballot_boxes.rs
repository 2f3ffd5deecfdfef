//! Creation of a chamber's ballot boxes: once its candidates are sealed and its
//! commission's election key is published (key ceremony, admin-tally), each scrutin of the
//! chamber is loaded into the registry with its ballot sheet (groupings and candidates in
//! registration order, statement links) and its ballot style under that key, with the
//! opening instant and the closing at midnight Paris time. Through
//! `scrutin-store::provision::load_election`, as the demo and the CLI do.

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::routing::post;
use chrono::{NaiveDate, NaiveDateTime, TimeZone, Utc};
use scrutin_crypto::seal::SealKind;
use scrutin_election::{CandidateFile, Election, Structure};
use scrutin_store::provision::{ContestKeys, Schedule, load_election};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::audit;
use crate::auth::{Caller, Permission};
use crate::candidates;
use crate::error::{AdminError, AdminResult};
use crate::seals;
use crate::state::AdminState;
use crate::uploads::require_structure;

/// The routes.
pub fn routes() -> Router<AdminState> {
    Router::new().route("/admin/api/chambers/{code}/ballot-boxes", post(create))
}

/// The dates of the vote, in Paris time.
#[derive(Deserialize)]
pub struct BoxesRequest {
    /// Opening, Paris time: `2026-12-01T09:00`.
    pub opens_at: String,
    /// Last day of the vote, Paris time; the vote closes at midnight after it.
    pub closes_on: String,
}

/// The opening and closing instants from Paris-time fields.
pub fn schedule(opens_at: &str, closes_on: &str) -> AdminResult<Schedule> {
    let local = NaiveDateTime::parse_from_str(opens_at, "%Y-%m-%dT%H:%M").map_err(|_| {
        AdminError::Invalid("Ouverture : date et heure attendues (AAAA-MM-JJTHH:MM).".into())
    })?;
    let opens = chrono_tz::Europe::Paris
        .from_local_datetime(&local)
        .earliest()
        .ok_or_else(|| {
            AdminError::Invalid("Cette heure n'existe pas à Paris (changement d'heure).".into())
        })?
        .with_timezone(&Utc);
    let day = NaiveDate::parse_from_str(closes_on, "%Y-%m-%d")
        .map_err(|_| AdminError::Invalid("Clôture : date attendue (AAAA-MM-JJ).".into()))?;
    let closes = scrutin_store::clock::paris_midnight_after(day)
        .ok_or_else(|| AdminError::Invalid("Date de clôture impossible.".into()))?;
    if closes <= opens {
        return Err(AdminError::Invalid(
            "La clôture doit suivre l'ouverture.".into(),
        ));
    }
    Ok(Schedule {
        opens_at: opens,
        closes_at: closes,
    })
}

/// The election restricted to one chamber: its scrutins and its candidate lists.
pub fn chamber_election(
    election_id: &str,
    structure: &Structure,
    file: CandidateFile,
    chamber: &str,
) -> AdminResult<Election> {
    let rows = structure
        .scrutins()
        .iter()
        .filter(|s| s.chamber.as_str() == chamber)
        .cloned()
        .collect();
    let own = Structure::new(rows)
        .map_err(|p| AdminError::internal(format!("chamber structure: {p:?}")))?;
    let (election, _) =
        Election::new(election_id, own, file).map_err(|issues| AdminError::Refused {
            code: "candidates_invalid",
            message: "Les candidatures contiennent des erreurs bloquantes.".into(),
            details: json!({ "issues": issues }),
        })?;
    Ok(election)
}

/// Loads a chamber's scrutins into the registry (as drafts); returns their ids.
pub async fn create_boxes(
    state: &AdminState,
    chamber: &str,
    schedule: Schedule,
) -> AdminResult<Vec<String>> {
    let scope = seals::chamber_scope(chamber);
    if !seals::is_sealed(state, &SealKind::Candidates, &scope).await? {
        return Err(AdminError::Conflict(
            "Scellez d'abord les candidatures de la CCI.".into(),
        ));
    }
    let key = state
        .stores
        .registry
        .election_key(chamber)
        .await?
        .ok_or_else(|| {
            AdminError::Conflict(
                "La clé de l'élection de la COE n'est pas encore générée (cérémonie des clés)."
                    .into(),
            )
        })?;
    let point = scrutin_crypto::encoding::decode_point(&key).map_err(AdminError::internal)?;
    let structure = require_structure(state).await?;
    let file = candidates::chamber_file(state, &structure, chamber).await?;
    let election = chamber_election(&state.config.election_id, &structure, file, chamber)?;
    let ids = load_election(
        &state.stores,
        &election,
        &ContestKeys::One(point),
        schedule,
        state.now(),
    )
    .await?;
    link_statements(state, chamber, &ids).await?;
    Ok(ids)
}

/// Fills the sheets' statement links with the statements the commission uploaded:
/// the voting site serves them at `/api/v1/statements/{id}`.
async fn link_statements(state: &AdminState, chamber: &str, ids: &[String]) -> AdminResult<()> {
    let statements = state.stores.registry.statements(Some(chamber)).await?;
    if statements.is_empty() {
        return Ok(());
    }
    for id in ids {
        let Some(mut s) = state.stores.registry.scrutin(id).await? else {
            continue;
        };
        let mut sheet: Value = serde_json::from_str(&s.sheet).map_err(AdminError::internal)?;
        if let Some(contests) = sheet["contests"].as_array_mut() {
            for contest in contests {
                let cid = contest["id"].as_str().unwrap_or_default().to_owned();
                if let Some(entries) = contest["entries"].as_array_mut() {
                    for e in entries {
                        let subject = match e["type"].as_str() {
                            Some("grouping") => {
                                format!("grouping:{}", e["name"].as_str().unwrap_or_default())
                            }
                            _ => format!(
                                "candidate:{}",
                                e["candidate"]["id"].as_str().unwrap_or_default()
                            ),
                        };
                        if let Some(st) = statements
                            .iter()
                            .find(|st| st.contest_id == cid && st.subject == subject)
                        {
                            e["statement_url"] = json!(format!("/api/v1/statements/{}", st.id));
                        }
                    }
                }
            }
        }
        s.sheet = sheet.to_string();
        state.stores.registry.put_scrutin(&s).await?;
    }
    Ok(())
}

/// `POST /admin/api/chambers/{code}/ballot-boxes`.
pub async fn create(
    State(state): State<AdminState>,
    caller: Caller,
    Path(code): Path<String>,
    Json(req): Json<BoxesRequest>,
) -> AdminResult<Json<Value>> {
    caller.allow(Permission::OperateVote, &code)?;
    let schedule = schedule(&req.opens_at, &req.closes_on)?;
    let ids = create_boxes(&state, &code, schedule).await?;
    audit::record(
        &state,
        Some(&caller.user),
        "ballot-boxes-created",
        json!({ "chamber": code, "scrutins": ids, "opens_at": schedule.opens_at, "closes_at": schedule.closes_at }),
    )
    .await?;
    Ok(Json(json!({
        "scrutins": ids,
        "opens_at_paris": scrutin_store::clock::paris_text(schedule.opens_at, false),
        "closes_at_paris": scrutin_store::clock::paris_text(schedule.closes_at, false),
    })))
}
