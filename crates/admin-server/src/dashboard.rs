//! Participation figures: per scrutin, for the COE and authorised users of its
//! chamber only — registered voters, voters so far, turnout, voters by day (Paris time).
//! Nothing here reads the ballots: no partial result exists anywhere during the vote.
//! Usage indicators for CCI France are national aggregates that identify nobody.

use std::collections::BTreeMap;

use axum::Json;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::get;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::{Caller, Permission};
use crate::error::AdminResult;
use crate::state::AdminState;

/// The dashboard routes.
pub fn routes() -> Router<AdminState> {
    Router::new()
        .route("/admin/api/participation", get(participation))
        .route("/admin/api/usage", get(usage))
}

/// Which chamber.
#[derive(Deserialize)]
pub struct ChamberQuery {
    /// One chamber (default: every chamber of the perimeter).
    #[serde(default)]
    pub chamber: Option<String>,
}

fn turnout(voters: i64, registered: i64) -> f64 {
    if registered == 0 {
        0.0
    } else {
        ((voters as f64) * 10000.0 / registered as f64).round() / 100.0
    }
}

async fn by_day(state: &AdminState, scrutin: &str) -> AdminResult<BTreeMap<String, i64>> {
    let mut days = BTreeMap::new();
    for at in state.stores.electors.emargement_instants(scrutin).await? {
        let day = scrutin_store::clock::to_paris(at).date_naive().to_string();
        *days.entry(day).or_insert(0) += 1;
    }
    Ok(days)
}

/// `GET /admin/api/participation?chamber=…`: per scrutin of the caller's chambers.
pub async fn participation(
    State(state): State<AdminState>,
    caller: Caller,
    Query(q): Query<ChamberQuery>,
) -> AdminResult<Json<Value>> {
    match &q.chamber {
        Some(c) => caller.allow(Permission::ViewParticipation, c)?,
        None => caller.allow_role(Permission::ViewParticipation)?,
    }
    let now = state.now();
    let mut out = Vec::new();
    for s in state.stores.registry.scrutins().await? {
        if !caller.sees(&s.chamber_code) || q.chamber.as_ref().is_some_and(|c| c != &s.chamber_code)
        {
            continue;
        }
        let registered = state.stores.electors.count_rights(&s.id).await?;
        let voters = state.stores.electors.count_emargements(&s.id).await?;
        let days = by_day(&state, &s.id).await?;
        out.push(json!({
            "scrutin": s.id,
            "chamber": s.chamber_code,
            "label": s.label,
            "state": s.state_at(now),
            "registered": registered,
            "voters": voters,
            "turnout": turnout(voters, registered),
            "by_day": days.iter().map(|(d, n)| json!({ "day": d, "voters": n })).collect::<Vec<_>>(),
        }));
    }
    Ok(Json(
        json!({ "at": now, "at_paris": scrutin_store::clock::paris_text(now, true), "scrutins": out }),
    ))
}

/// `GET /admin/api/usage`: national, anonymous indicators for CCI France: totals,
/// confirmed votes by day, scrutins by state, resend requests. No figure per person and no
/// location finer than the chamber count.
pub async fn usage(State(state): State<AdminState>, caller: Caller) -> AdminResult<Json<Value>> {
    caller.allow_national(Permission::ViewUsage)?;
    let now = state.now();
    let mut registered = 0;
    let mut voters = 0;
    let mut days: BTreeMap<String, i64> = BTreeMap::new();
    let mut states: BTreeMap<String, i64> = BTreeMap::new();
    let mut chambers = std::collections::BTreeSet::new();
    for s in state.stores.registry.scrutins().await? {
        registered += state.stores.electors.count_rights(&s.id).await?;
        voters += state.stores.electors.count_emargements(&s.id).await?;
        for (d, n) in by_day(&state, &s.id).await? {
            *days.entry(d).or_insert(0) += n;
        }
        let label = serde_json::to_value(s.state_at(now)).unwrap_or(Value::Null);
        *states
            .entry(label.as_str().unwrap_or("?").to_owned())
            .or_insert(0) += 1;
        chambers.insert(s.chamber_code.clone());
    }
    let mut resend = json!({ "pending": 0, "approved": 0, "refused": 0 });
    for c in &chambers {
        for r in state.stores.electors.resend_requests(c).await? {
            if let Some(n) = resend.get_mut(&r.status) {
                *n = json!(n.as_i64().unwrap_or(0) + 1);
            }
        }
    }
    let logins_by_day = state.stores.registry.logins_by_day().await?;
    let logins: i64 = logins_by_day.iter().map(|(_, n)| n).sum();
    Ok(Json(json!({
        "at": now,
        "logins": logins,
        "logins_by_day": logins_by_day.iter().map(|(d, n)| json!({ "day": d, "logins": n })).collect::<Vec<_>>(),
        // Confirmed votes per 100 voter logins (a voter may log in more than once).
        "confirmed_vote_rate": turnout(voters, logins),
        "chambers": chambers.len(),
        "registered": registered,
        "voters": voters,
        "turnout": turnout(voters, registered),
        "votes_by_day": days.iter().map(|(d, n)| json!({ "day": d, "votes": n })).collect::<Vec<_>>(),
        "scrutins_by_state": states,
        "resend_requests": resend,
    })))
}
