//! The tally (R-60…R-64, protocol §9): per contest, in any order, once every scrutin of the
//! contest is closed with its box and émargement list sealed.
//!
//! 1. A COE member starts the tally: the server aggregates the contest's ballots from the
//!    box (homomorphically: no ballot is ever decrypted, R-44) and keeps the aggregates.
//! 2. Each participating trustee fetches them, computes its decryption share with DLEQ
//!    proofs on its own side (`scrutin trustee decrypt`) and uploads it; the server checks
//!    every proof against the trustee's verification key from the ceremony and refuses a
//!    wrong share.
//! 3. With `t` valid shares the server combines them, solves the small discrete logarithms
//!    and builds the results (registered, voters, blank, null, expressed, votes per
//!    candidate, ballots = émargements check) and the seats (R-62b); they are journaled and
//!    sealed (`results`, scope `contest/<id>`). With fewer shares nothing can be computed.
//! 4. Closing the tallying of a scrutin seals its archive object and freezes it: no
//!    tally action on its contests after that.
//!
//! Anyone may re-run the tally from the box ([`verify`]), as R-55 asks.

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use scrutin_crypto::ballot::EncodedCiphertext;
use scrutin_crypto::seal::SealKind;
use scrutin_crypto::tally::{DecryptionShare, verify_decryption_share, verify_decryption_shares};
use scrutin_election::{Contest, ContestCandidates, ContestId, Election, Structure};
use scrutin_store::ScrutinState;
use scrutin_store::tally_store::{NewTally, TallyRow};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::audit;
use crate::auth::{Caller, Permission, Role};
use crate::ceremony;
use crate::error::{AdminError, AdminResult};
use crate::seals;
use crate::state::AdminState;
use crate::tally_compute::{self, TallyResults};

/// The tally routes.
pub fn routes() -> Router<AdminState> {
    Router::new()
        .route("/admin/api/tally", get(list))
        .route(
            "/admin/api/contests/{scope}/{kind}/tally",
            get(view).post(start),
        )
        .route(
            "/admin/api/contests/{scope}/{kind}/tally/shares",
            post(submit_share),
        )
        .route(
            "/admin/api/contests/{scope}/{kind}/tally/verify",
            get(verify),
        )
        .route("/admin/api/scrutins/{id}/tally/close", post(close))
}

/// The scope of a contest's results seal.
pub fn contest_scope(contest: &str) -> String {
    format!("contest/{contest}")
}

/// Registers the recomputation of the `results` and `archive` seals' objects.
pub fn register_seal_subjects(state: &AdminState) {
    state.register_seal_subject(
        &SealKind::Results.name(),
        std::sync::Arc::new(
            |state: AdminState, scope: String| -> crate::state::SubjectFuture {
                Box::pin(async move {
                    let contest = scope.strip_prefix("contest/").ok_or_else(|| {
                        AdminError::Invalid(format!(
                            "portée inattendue pour des résultats : {scope}"
                        ))
                    })?;
                    results_object(&state, contest).await
                })
            },
        ),
    );
    state.register_seal_subject(
        &SealKind::Archive.name(),
        std::sync::Arc::new(
            |state: AdminState, scope: String| -> crate::state::SubjectFuture {
                Box::pin(async move {
                    let scrutin = scope.strip_prefix("scrutin/").ok_or_else(|| {
                        AdminError::Invalid(format!("portée inattendue pour une archive : {scope}"))
                    })?;
                    let structure = crate::uploads::require_structure(&state).await?;
                    archive_object(&state, &structure, scrutin).await
                })
            },
        ),
    );
}

/// The contest named by the path `{scope}/{kind}` (`011-C` and `CCIR`).
pub fn contest_id(scope: &str, kind: &str) -> AdminResult<ContestId> {
    ContestId::parse(&format!("{scope}/{kind}"))
        .map_err(|_| AdminError::NotFound(format!("élection {scope}/{kind}")))
}

/// The contest of the structure, or 404.
pub fn find_contest<'a>(structure: &'a Structure, id: &ContestId) -> AdminResult<&'a Contest> {
    structure
        .contest(id)
        .ok_or_else(|| AdminError::NotFound(format!("élection {id}")))
}

/// The candidates of a contest, validated (option ids numbered in ballot order, as the
/// ballot styles use them).
pub async fn contest_candidates(
    state: &AdminState,
    id: &ContestId,
) -> AdminResult<ContestCandidates> {
    election(state)
        .await?
        .candidates(id)
        .filter(|c| !c.entries.is_empty())
        .cloned()
        .ok_or_else(|| {
            AdminError::Conflict(format!("Aucun candidat enregistré pour l'élection {id}."))
        })
}

/// The election (structure and the stored candidate lists, validated) the results and PV
/// are built on.
pub async fn election(state: &AdminState) -> AdminResult<Election> {
    let structure = crate::uploads::require_structure(state).await?;
    let file = crate::candidates::election_file(state, &structure).await?;
    let (candidates, _issues) = scrutin_election::candidates::validate_candidates(&structure, file);
    Ok(Election {
        id: state.config.election_id.clone(),
        structure,
        candidates,
    })
}

/// Why a contest cannot be tallied yet (empty: it can). R-61: nothing before the close.
pub async fn blockers(state: &AdminState, contest: &Contest) -> AdminResult<Vec<String>> {
    let mut out = Vec::new();
    if ceremony::election_key(state, contest.chamber.as_str())
        .await?
        .is_none()
    {
        out.push(format!(
            "la clé de l'élection de la CCI {} n'existe pas (cérémonie des clés)",
            contest.chamber
        ));
    }
    let now = state.now();
    for s in &contest.scrutins {
        let Some(scrutin) = state.stores.registry.scrutin(s.as_str()).await? else {
            out.push(format!("le scrutin {s} n'est pas préparé"));
            continue;
        };
        if scrutin.state_at(now) != ScrutinState::Closed {
            out.push(format!("le scrutin {s} n'est pas clos"));
        }
        let scope = seals::scrutin_scope(s.as_str());
        if !seals::is_sealed(state, &SealKind::BoxClosed, &scope).await? {
            out.push(format!("l'urne du scrutin {s} n'est pas scellée"));
        }
        if !seals::is_sealed(state, &SealKind::EmargementClosed, &scope).await? {
            out.push(format!(
                "la liste d'émargement du scrutin {s} n'est pas scellée"
            ));
        }
    }
    Ok(out)
}

/// The scrutins of a contest whose tallying is closed: the contest is frozen.
async fn frozen_by(state: &AdminState, contest: &Contest) -> AdminResult<Vec<String>> {
    let mut out = Vec::new();
    for s in &contest.scrutins {
        if state
            .stores
            .registry
            .tallying_closed(s.as_str())
            .await?
            .is_some()
        {
            out.push(s.to_string());
        }
    }
    Ok(out)
}

async fn ensure_not_frozen(state: &AdminState, contest: &Contest) -> AdminResult<()> {
    let frozen = frozen_by(state, contest).await?;
    if frozen.is_empty() {
        Ok(())
    } else {
        Err(AdminError::Conflict(format!(
            "Le dépouillement est clos pour {} : plus aucune action n'est possible (R-64).",
            frozen.join(", ")
        )))
    }
}

fn may_read(caller: &Caller, chamber: &str) -> AdminResult<()> {
    match caller.allow(Permission::Tally, chamber) {
        Ok(()) => Ok(()),
        Err(AdminError::Forbidden) => caller.allow(Permission::ViewResults, chamber),
        Err(e) => Err(e),
    }
}

/// The stored results of a contest, if decrypted.
pub fn stored_results(row: &TallyRow) -> AdminResult<Option<TallyResults>> {
    row.results
        .as_deref()
        .map(serde_json::from_str)
        .transpose()
        .map_err(AdminError::internal)
}

/// The object the `results` seal of a contest covers: the stored aggregates, the shares
/// combined and the results, as one JSON text.
pub async fn results_object(state: &AdminState, contest: &str) -> AdminResult<Vec<u8>> {
    let row =
        state.stores.ballots.tally(contest).await?.ok_or_else(|| {
            AdminError::NotFound(format!("dépouillement de l'élection {contest}"))
        })?;
    let results = stored_results(&row)?
        .ok_or_else(|| AdminError::NotFound(format!("résultats de l'élection {contest}")))?;
    let shares: Vec<Value> = state
        .stores
        .ballots
        .decryption_shares(contest)
        .await?
        .into_iter()
        .filter(|(t, _)| results.trustees.iter().any(|u| i64::from(*u) == *t))
        .map(|(_, s)| serde_json::from_str(&s).map_err(AdminError::internal))
        .collect::<AdminResult<_>>()?;
    let aggregates: Value = serde_json::from_str(&row.aggregates).map_err(AdminError::internal)?;
    serde_json::to_vec(&json!({
        "contest": contest,
        "fingerprint": hex::encode(&row.fingerprint),
        "ballots": row.ballots,
        "emargements": row.emargements,
        "registered": row.registered,
        "aggregates": aggregates,
        "shares": shares,
        "results": results,
    }))
    .map_err(AdminError::internal)
}

/// The object the `archive` seal of a scrutin covers when its tallying closes: the digest of
/// each of its contests' results object.
pub async fn archive_object(
    state: &AdminState,
    structure: &Structure,
    scrutin: &str,
) -> AdminResult<Vec<u8>> {
    let mut contests = Vec::new();
    for c in structure.contests() {
        if !c.scrutins.iter().any(|s| s.as_str() == scrutin) {
            continue;
        }
        let object = results_object(state, c.id.as_str()).await?;
        contests.push(
            json!({ "contest": c.id, "results_sha256": hex::encode(Sha256::digest(&object)) }),
        );
    }
    serde_json::to_vec(&json!({ "scrutin": scrutin, "contests": contests }))
        .map_err(AdminError::internal)
}

async fn tally_json(state: &AdminState, contest: &Contest, caller: &Caller) -> AdminResult<Value> {
    let chamber = contest.chamber.as_str();
    let row = state.stores.ballots.tally(contest.id.as_str()).await?;
    let blockers = blockers(state, contest).await?;
    let frozen = frozen_by(state, contest).await?;
    let you = ceremony::trustee_index(state, chamber, &caller.user.id).await?;
    let ceremony = ceremony::outcome(state, chamber).await?;
    let shares = state
        .stores
        .ballots
        .decryption_shares(contest.id.as_str())
        .await?;
    let mut view = json!({
        "contest": contest.id,
        "kind": contest.kind,
        "chamber": chamber,
        "category": contest.category,
        "sub_category": contest.sub_category,
        "pooled": contest.pooled,
        "scrutins": contest.scrutins,
        "seats": contest.seats,
        "ballot_title": contest.ballot_title,
        "ready": blockers.is_empty(),
        "blockers": blockers,
        "frozen": !frozen.is_empty(),
        "you": you,
        "threshold": ceremony.as_ref().map(|(p, _)| p.threshold),
        "trustees": ceremony.as_ref().map(|(p, _)| p.trustees),
        "verification_keys": ceremony.as_ref().map(|(_, o)| o.verification_keys.iter().map(scrutin_crypto::encoding::point_to_hex).collect::<Vec<_>>()),
        "shares_from": shares.iter().map(|(t, _)| *t).collect::<Vec<_>>(),
        "status": "not_started",
    });
    if let Some(row) = row {
        let aggregates: Value =
            serde_json::from_str(&row.aggregates).map_err(AdminError::internal)?;
        view["status"] = json!(if row.results.is_some() {
            "decrypted"
        } else {
            "started"
        });
        view["fingerprint"] = json!(hex::encode(&row.fingerprint));
        view["aggregates"] = aggregates;
        view["ballots"] = json!(row.ballots);
        view["emargements"] = json!(row.emargements);
        view["registered"] = json!(row.registered);
        view["started_at"] = json!(row.started_at);
        view["decrypted_at"] = json!(row.decrypted_at);
        if let Some(results) = stored_results(&row)? {
            let election_ok = crate::pv::pv_of(state, contest, &results).await.ok();
            view["results"] = serde_json::to_value(&results).map_err(AdminError::internal)?;
            view["pv"] = serde_json::to_value(&election_ok).map_err(AdminError::internal)?;
        }
    }
    Ok(view)
}

/// `GET /admin/api/tally`: every contest of the caller's perimeter and where its tally is.
pub async fn list(State(state): State<AdminState>, caller: Caller) -> AdminResult<Json<Value>> {
    if !caller.user.role.can(Permission::Tally) {
        caller.allow_role(Permission::ViewResults)?;
    }
    let structure = crate::uploads::require_structure(&state).await?;
    let tallies = state.stores.ballots.tallies().await?;
    let mut out = Vec::new();
    for c in structure.contests() {
        if !caller.sees(c.chamber.as_str()) {
            continue;
        }
        let row = tallies.iter().find(|t| t.contest_id == c.id.as_str());
        let status = match row {
            None => "not_started",
            Some(r) if r.results.is_some() => "decrypted",
            Some(_) => "started",
        };
        let shares = if row.is_some() {
            state
                .stores
                .ballots
                .decryption_shares(c.id.as_str())
                .await?
                .len()
        } else {
            0
        };
        out.push(json!({
            "contest": c.id,
            "kind": c.kind,
            "chamber": c.chamber,
            "category": c.category,
            "sub_category": c.sub_category,
            "scrutins": c.scrutins,
            "ballot_title": c.ballot_title,
            "seats": c.seats,
            "status": status,
            "shares": shares,
            "blockers": blockers(&state, c).await?,
            "frozen": !frozen_by(&state, c).await?.is_empty(),
        }));
    }
    Ok(Json(json!({ "contests": out })))
}

/// `GET /admin/api/contests/{scope}/{kind}/tally`: the aggregates (for the trustees), the
/// shares received, and the results once decrypted.
pub async fn view(
    State(state): State<AdminState>,
    caller: Caller,
    Path((scope, kind)): Path<(String, String)>,
) -> AdminResult<Json<Value>> {
    let id = contest_id(&scope, &kind)?;
    let structure = crate::uploads::require_structure(&state).await?;
    let contest = find_contest(&structure, &id)?;
    may_read(&caller, contest.chamber.as_str())?;
    Ok(Json(tally_json(&state, contest, &caller).await?))
}

/// `POST /admin/api/contests/{scope}/{kind}/tally`: aggregates the box (once; later calls
/// return the same aggregates).
pub async fn start(
    State(state): State<AdminState>,
    caller: Caller,
    Path((scope, kind)): Path<(String, String)>,
) -> AdminResult<Json<Value>> {
    let id = contest_id(&scope, &kind)?;
    let structure = crate::uploads::require_structure(&state).await?;
    let contest = find_contest(&structure, &id)?;
    caller.allow(Permission::Tally, contest.chamber.as_str())?;
    ensure_not_frozen(&state, contest).await?;
    if state.stores.ballots.tally(id.as_str()).await?.is_none() {
        let blockers = blockers(&state, contest).await?;
        if !blockers.is_empty() {
            return Err(AdminError::Refused {
                code: "not_ready",
                message: format!("Dépouillement impossible : {}.", blockers.join(" ; ")),
                details: json!({ "blockers": blockers }),
            });
        }
        let key = ceremony::require_election_key(&state, contest.chamber.as_str()).await?;
        let params = tally_compute::contest_params(&state, contest).await?;
        if params.public_key() != &key {
            return Err(AdminError::Conflict(format!(
                "Le bulletin de l'élection {id} n'est pas chiffré avec la clé de la COE."
            )));
        }
        let candidates = contest_candidates(&state, &id).await?;
        let options: Vec<String> = candidates
            .option_ids()
            .iter()
            .map(|o| o.to_string())
            .collect();
        if options != params.options() {
            return Err(AdminError::Conflict(format!(
                "Les candidats enregistrés ne sont pas ceux du bulletin de l'élection {id}."
            )));
        }
        let (aggregates, ballots) =
            tally_compute::aggregate_contest(&state, contest, &params).await?;
        let mut registered = 0;
        let mut emargements = 0;
        for s in &contest.scrutins {
            registered += state.stores.electors.count_rights(s.as_str()).await?;
            emargements += state.stores.electors.count_emargements(s.as_str()).await?;
        }
        let aggregates_json = serde_json::to_string(&tally_compute::encode_aggregates(&aggregates))
            .map_err(AdminError::internal)?;
        let row = state
            .stores
            .ballots
            .start_tally(&NewTally {
                contest_id: id.as_str(),
                chamber_code: contest.chamber.as_str(),
                fingerprint: params.fingerprint(),
                aggregates: &aggregates_json,
                ballots: i64::try_from(ballots).map_err(AdminError::internal)?,
                emargements,
                registered,
                started_at: state.now(),
            })
            .await?;
        if row.aggregates == aggregates_json {
            audit::record(
                &state,
                Some(&caller.user),
                "tally-started",
                json!({
                    "contest": id,
                    "ballots": ballots,
                    "emargements": emargements,
                    "registered": registered,
                    "fingerprint": hex::encode(params.fingerprint()),
                    "aggregates_sha256": hex::encode(Sha256::digest(aggregates_json.as_bytes())),
                }),
            )
            .await?;
        }
    }
    Ok(Json(tally_json(&state, contest, &caller).await?))
}

fn share_refused(message: String) -> AdminError {
    AdminError::Refused {
        code: "invalid_share",
        message,
        details: json!({}),
    }
}

/// `POST /admin/api/contests/{scope}/{kind}/tally/shares`: the caller's decryption share,
/// checked against its verification key; the `t`-th valid share yields the results.
pub async fn submit_share(
    State(state): State<AdminState>,
    caller: Caller,
    Path((scope, kind)): Path<(String, String)>,
    Json(share): Json<DecryptionShare>,
) -> AdminResult<Json<Value>> {
    let id = contest_id(&scope, &kind)?;
    let structure = crate::uploads::require_structure(&state).await?;
    let contest = find_contest(&structure, &id)?;
    let chamber = contest.chamber.as_str();
    caller.allow(Permission::Tally, chamber)?;
    ensure_not_frozen(&state, contest).await?;
    let i = ceremony::trustee_index(&state, chamber, &caller.user.id)
        .await?
        .ok_or_else(|| AdminError::Refused {
            code: "not_a_trustee",
            message: format!("Vous n'êtes pas détenteur d'une part de la clé de la CCI {chamber}."),
            details: json!({}),
        })?;
    if share.trustee != i {
        return Err(share_refused(format!(
            "Vous êtes le détenteur n° {i} : la part envoyée est au nom du n° {}.",
            share.trustee
        )));
    }
    let row = state
        .stores
        .ballots
        .tally(id.as_str())
        .await?
        .ok_or_else(|| {
            AdminError::Conflict(format!(
                "Le dépouillement de l'élection {id} n'est pas commencé."
            ))
        })?;
    if row.results.is_some() {
        return Err(AdminError::Conflict(format!(
            "L'élection {id} est déjà dépouillée."
        )));
    }
    let (params, outcome) = ceremony::outcome(&state, chamber)
        .await?
        .ok_or_else(|| AdminError::Conflict("La clé de l'élection n'existe pas.".into()))?;
    let y_i = outcome
        .verification_key(i)
        .ok_or_else(|| AdminError::internal("no verification key"))?;
    if !outcome.qualified.contains(&i) {
        tracing::warn!(
            chamber,
            trustee = i,
            "share from a disqualified dealer (its share is still valid)"
        );
    }
    let aggregates = tally_compute::decode_aggregates(&row.aggregates)?;
    verify_decryption_share(&row.fingerprint, &share, &y_i, &aggregates)
        .map_err(|e| share_refused(format!("Part de déchiffrement refusée : {e}.")))?;
    let text = serde_json::to_string(&share).map_err(AdminError::internal)?;
    let fresh = state
        .stores
        .ballots
        .put_decryption_share(id.as_str(), i64::from(i), &text, state.now())
        .await?;
    if fresh {
        audit::record(
            &state,
            Some(&caller.user),
            "decryption-share",
            json!({ "contest": id, "trustee": i, "sha256": hex::encode(Sha256::digest(text.as_bytes())) }),
        )
        .await?;
    }
    let stored = state.stores.ballots.decryption_shares(id.as_str()).await?;
    if stored.len() >= params.threshold as usize {
        let shares: Vec<DecryptionShare> = stored
            .iter()
            .map(|(_, s)| serde_json::from_str(s).map_err(AdminError::internal))
            .collect::<AdminResult<_>>()?;
        let trustees: Vec<u32> = shares.iter().map(|s| s.trustee).collect();
        let ballots = u64::try_from(row.ballots).map_err(AdminError::internal)?;
        let counts =
            tally_compute::decrypt_counts(params.threshold, aggregates, shares, ballots).await?;
        let candidates = contest_candidates(&state, &id).await?;
        let results = tally_compute::results_of(
            contest,
            &candidates,
            u64::try_from(row.registered).map_err(AdminError::internal)?,
            u64::try_from(row.emargements).map_err(AdminError::internal)?,
            ballots,
            &counts,
            trustees,
        )?;
        let results_json = serde_json::to_string(&results).map_err(AdminError::internal)?;
        if state
            .stores
            .ballots
            .set_tally_results(id.as_str(), &results_json, state.now())
            .await?
        {
            audit::record(
                &state,
                Some(&caller.user),
                "tally-decrypted",
                json!({
                    "contest": id,
                    "trustees": results.trustees,
                    "ballots": results.results.ballots,
                    "voters": results.results.voters,
                    "blank": results.results.blank,
                    "expressed": results.results.expressed,
                    "ballots_match_emargements": results.results.ballots_match_emargements,
                    "elected": results.seats.elected,
                }),
            )
            .await?;
            let object = results_object(&state, id.as_str()).await?;
            seals::seal_object(
                &state,
                &caller.user,
                SealKind::Results,
                &contest_scope(id.as_str()),
                &object,
            )
            .await?;
        }
    }
    Ok(Json(tally_json(&state, contest, &caller).await?))
}

/// `GET /admin/api/contests/{scope}/{kind}/tally/verify`: runs the tally again from the
/// box: the aggregates recomputed, every stored share verified, the combination
/// redone, compared with what is stored.
pub async fn verify(
    State(state): State<AdminState>,
    caller: Caller,
    Path((scope, kind)): Path<(String, String)>,
) -> AdminResult<Json<Value>> {
    let id = contest_id(&scope, &kind)?;
    let structure = crate::uploads::require_structure(&state).await?;
    let contest = find_contest(&structure, &id)?;
    may_read(&caller, contest.chamber.as_str())?;
    let row = state
        .stores
        .ballots
        .tally(id.as_str())
        .await?
        .ok_or_else(|| AdminError::NotFound(format!("dépouillement de l'élection {id}")))?;
    let params = tally_compute::contest_params(&state, contest).await?;
    let (aggregates, ballots) = tally_compute::aggregate_contest(&state, contest, &params).await?;
    let stored_aggregates = tally_compute::decode_aggregates(&row.aggregates)?;
    let aggregates_match = aggregates == stored_aggregates && ballots == row.ballots as u64;
    let (cparams, outcome) = ceremony::outcome(&state, contest.chamber.as_str())
        .await?
        .ok_or_else(|| AdminError::Conflict("La clé de l'élection n'existe pas.".into()))?;
    let shares: Vec<DecryptionShare> = state
        .stores
        .ballots
        .decryption_shares(id.as_str())
        .await?
        .iter()
        .map(|(_, s)| serde_json::from_str(s).map_err(AdminError::internal))
        .collect::<AdminResult<_>>()?;
    let shares_valid = verify_decryption_shares(
        &row.fingerprint,
        &shares,
        &outcome.verification_keys,
        &aggregates,
        &mut rand::rngs::OsRng,
    )
    .map_err(|e| e.to_string());
    let stored = stored_results(&row)?;
    let mut results_match = None;
    if let (Some(stored), Ok(())) = (&stored, &shares_valid) {
        let used: Vec<DecryptionShare> = shares
            .iter()
            .filter(|s| stored.trustees.contains(&s.trustee))
            .cloned()
            .collect();
        let counts =
            tally_compute::decrypt_counts(cparams.threshold, aggregates.clone(), used, ballots)
                .await?;
        let mut again_counts = vec![stored.counts.blank];
        again_counts.extend(&stored.counts.votes);
        results_match = Some(counts == again_counts);
    }
    let all_ok = aggregates_match && shares_valid.is_ok() && results_match != Some(false);
    audit::record(
        &state,
        Some(&caller.user),
        "tally-verified",
        json!({ "contest": id, "all_ok": all_ok }),
    )
    .await?;
    Ok(Json(json!({
        "contest": id,
        "all_ok": all_ok,
        "ballots": ballots,
        "aggregates_match": aggregates_match,
        "aggregates": aggregates.iter().map(|c| EncodedCiphertext { alpha: c.alpha.compress().to_bytes(), beta: c.beta.compress().to_bytes() }).collect::<Vec<_>>(),
        "shares_valid": shares_valid.is_ok(),
        "shares_error": shares_valid.err(),
        "results_match": results_match,
    })))
}

/// `POST /admin/api/scrutins/{id}/tally/close`: the COE president closes the tallying of a
/// scrutin once all its contests are decrypted; the archive object is sealed and
/// the scrutin's tally frozen.
pub async fn close(
    State(state): State<AdminState>,
    caller: Caller,
    Path(id): Path<String>,
) -> AdminResult<Json<Value>> {
    let scrutin = state
        .stores
        .registry
        .scrutin(&id)
        .await?
        .ok_or_else(|| AdminError::NotFound(format!("scrutin {id}")))?;
    caller.allow(Permission::Tally, &scrutin.chamber_code)?;
    if caller.user.role != Role::CoePresident {
        return Err(AdminError::Forbidden);
    }
    let structure = crate::uploads::require_structure(&state).await?;
    let mut missing = Vec::new();
    for c in structure.contests() {
        if !c.scrutins.iter().any(|s| s.as_str() == id) {
            continue;
        }
        let done = state
            .stores
            .ballots
            .tally(c.id.as_str())
            .await?
            .is_some_and(|r| r.results.is_some());
        if !done {
            missing.push(c.id.to_string());
        }
    }
    if !missing.is_empty() {
        return Err(AdminError::Refused {
            code: "not_tallied",
            message: format!(
                "Clôture impossible : élection(s) non dépouillée(s) : {}.",
                missing.join(", ")
            ),
            details: json!({ "contests": missing }),
        });
    }
    let object = archive_object(&state, &structure, &id).await?;
    state
        .stores
        .registry
        .close_tallying(&id, state.now(), &caller.user.email)
        .await?;
    audit::record(
        &state,
        Some(&caller.user),
        "tally-closed",
        json!({ "scrutin": id, "archive_sha256": hex::encode(Sha256::digest(&object)) }),
    )
    .await?;
    let seal = seals::seal_object(
        &state,
        &caller.user,
        SealKind::Archive,
        &seals::scrutin_scope(&id),
        &object,
    )
    .await?;
    Ok(Json(json!({
        "scrutin": id,
        "closed": true,
        "seal": { "kind": seal.kind.name(), "scope": seal.scope, "digest": hex::encode(seal.digest()) },
    })))
}

/// Whether tallying of a scrutin is closed: other modules refuse changes then.
pub async fn is_frozen(state: &AdminState, scrutin: &str) -> AdminResult<bool> {
    Ok(state
        .stores
        .registry
        .tallying_closed(scrutin)
        .await?
        .is_some())
}
