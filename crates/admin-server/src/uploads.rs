//! Uploads of the election structure and voter files: validated by
//! `scrutin-election` with the report shown in the page; refused as a whole when a row has
//! a blocking error; journaled with the file's SHA-256. Voter rows go to the electors store
//! sealed under their chamber's data key; the registry keeps only digests and counts.

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::routing::{get, post};
use rand_core::{OsRng, RngCore};
use scrutin_crypto::seal::SealKind;
use scrutin_election::input::EncodingChoice;
use scrutin_election::{ImportReport, ReadOptions, Structure, read_structure, read_voter_records};
use scrutin_store::electors::NewRight;
use scrutin_store::preparation::ElectionFileRow;
use scrutin_store::sealing::DataKey;
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::audit;
use crate::auth::{AdminUser, Caller, Permission};
use crate::error::{AdminError, AdminResult};
use crate::seals;
use crate::state::AdminState;

/// The upload routes (`limit`: largest file).
pub fn routes(limit: usize) -> Router<AdminState> {
    Router::new()
        .route(
            "/admin/api/structure",
            post(upload_structure)
                .get(structure_view)
                .layer(DefaultBodyLimit::max(limit)),
        )
        .route(
            "/admin/api/chambers/{code}/voters",
            post(upload_voters).layer(DefaultBodyLimit::max(limit)),
        )
        .route("/admin/api/uploads", get(history))
}

/// The structure of the latest accepted structure file, if any.
pub async fn current_structure(state: &AdminState) -> AdminResult<Option<Structure>> {
    let Some((_, content)) = state.stores.registry.current_structure_file().await? else {
        return Ok(None);
    };
    let imported = read_structure(&content[..], &ReadOptions::default())
        .map_err(|e| AdminError::internal(format!("stored structure file: {e}")))?;
    Ok(imported.structure)
}

/// The current structure, or a clear refusal when none was loaded.
pub async fn require_structure(state: &AdminState) -> AdminResult<Structure> {
    current_structure(state).await?.ok_or_else(|| {
        AdminError::Conflict(
            "Aucune structure électorale n'est chargée : commencez par elle.".into(),
        )
    })
}

/// How the page describes an uploaded file.
#[derive(Deserialize, Default)]
pub struct UploadQuery {
    /// File name as chosen.
    #[serde(default)]
    pub name: Option<String>,
    /// `auto` (default), `utf-8` or `windows-1252`.
    #[serde(default)]
    pub encoding: Option<String>,
    /// `;` or `,` (default: detected).
    #[serde(default)]
    pub delimiter: Option<String>,
}

impl UploadQuery {
    fn options(&self) -> AdminResult<ReadOptions> {
        let mut o = ReadOptions::default();
        if let Some(e) = self.encoding.as_deref().filter(|e| !e.is_empty()) {
            o.encoding = e
                .parse::<EncodingChoice>()
                .map_err(|_| AdminError::Invalid(format!("encodage inconnu : {e}")))?;
        }
        if let Some(d) = self.delimiter.as_deref().filter(|d| !d.is_empty()) {
            o.delimiter = match d {
                ";" => Some(b';'),
                "," => Some(b','),
                _ => return Err(AdminError::Invalid(format!("séparateur inconnu : {d}"))),
            };
        }
        Ok(o)
    }

    fn file_name(&self) -> String {
        self.name
            .clone()
            .unwrap_or_else(|| "fichier.csv".into())
            .chars()
            .filter(|c| !c.is_control())
            .take(200)
            .collect()
    }
}

fn report_json(report: &ImportReport) -> AdminResult<Value> {
    serde_json::from_str(&report.to_json()).map_err(AdminError::internal)
}

/// Counts of a report, without any value from the file (what the registry keeps).
fn summary(report: &ImportReport) -> Value {
    json!({
        "rows": report.rows,
        "accepted": report.accepted,
        "refused": report.refused,
        "blocking": report.counts.blocking,
        "truncated": report.counts.truncated,
        "warning": report.counts.warning,
        "encoding": report.encoding,
        "by_scrutin": report.by_scrutin,
    })
}

#[allow(clippy::too_many_arguments)]
async fn record_file(
    state: &AdminState,
    actor: &AdminUser,
    kind: &str,
    chamber: Option<&str>,
    name: &str,
    body: &[u8],
    report: &ImportReport,
    content: Option<&[u8]>,
) -> AdminResult<String> {
    let digest = hex::encode(Sha256::digest(body));
    let mut id = [0u8; 12];
    OsRng.fill_bytes(&mut id);
    let accepted = report.is_loadable();
    state
        .stores
        .registry
        .insert_election_file(
            &ElectionFileRow {
                id: hex::encode(id),
                kind: kind.into(),
                chamber_code: chamber.map(str::to_owned),
                name: name.into(),
                digest: digest.clone(),
                size: body.len() as i64,
                uploaded_by: actor.email.clone(),
                uploaded_at: state.now(),
                accepted,
                summary: summary(report).to_string(),
            },
            if accepted { content } else { None },
        )
        .await?;
    audit::record(
        state,
        Some(actor),
        if accepted {
            "upload-accepted"
        } else {
            "upload-refused"
        },
        json!({
            "file": kind,
            "chamber": chamber,
            "name": name,
            "sha256": digest,
            "size": body.len(),
            "rows": report.rows,
            "accepted_rows": report.accepted,
            "blocking": report.counts.blocking,
            "truncated": report.counts.truncated,
        }),
    )
    .await?;
    Ok(digest)
}

fn unreadable(e: impl std::fmt::Display) -> AdminError {
    AdminError::Refused {
        code: "unreadable_file",
        message: format!("Fichier illisible : {e}"),
        details: json!({}),
    }
}

/// `POST /admin/api/structure?name=…`: the election structure file (CSV body).
pub async fn upload_structure(
    State(state): State<AdminState>,
    caller: Caller,
    Query(q): Query<UploadQuery>,
    body: Bytes,
) -> AdminResult<Json<Value>> {
    caller.allow_national(Permission::UploadStructure)?;
    if !state.stores.registry.seals().await?.is_empty()
        || !state.stores.registry.scrutins().await?.is_empty()
    {
        return Err(AdminError::Conflict(
            "La structure ne peut plus changer : des urnes sont déjà créées ou des scellements faits.".into(),
        ));
    }
    let imported = read_structure(&body[..], &q.options()?).map_err(unreadable)?;
    let name = q.file_name();
    let digest = record_file(
        &state,
        &caller.user,
        "structure",
        None,
        &name,
        &body,
        &imported.report,
        Some(&body),
    )
    .await?;
    let report = report_json(&imported.report)?;
    let Some(structure) = imported.structure.filter(|_| imported.report.is_loadable()) else {
        return Err(AdminError::Refused {
            code: "blocking_errors",
            message: "Structure électorale refusée : corrigez les erreurs bloquantes et chargez-la de nouveau.".into(),
            details: json!({ "report": report, "text": imported.report.to_text(), "sha256": digest }),
        });
    };
    Ok(Json(json!({
        "sha256": digest,
        "report": report,
        "text": imported.report.to_text(),
        "structure": structure_json(&structure, None),
    })))
}

/// The structure as the pages show it, limited to some chambers.
pub fn structure_json(structure: &Structure, visible: Option<&dyn Fn(&str) -> bool>) -> Value {
    let shows = |c: &str| visible.is_none_or(|f| f(c));
    let chambers: Vec<Value> = structure
        .chambers()
        .into_iter()
        .filter(|c| shows(c.as_str()))
        .map(|c| json!({ "code": c.as_str(), "label": structure.chamber_label(c.as_str()) }))
        .collect();
    let scrutins: Vec<Value> = structure
        .scrutins()
        .iter()
        .filter(|s| shows(s.chamber.as_str()))
        .map(|s| {
            json!({
                "id": s.id().as_str(),
                "chamber": s.chamber.as_str(),
                "chamber_label": s.chamber_label,
                "category": s.category.as_str(),
                "category_label": s.category_label,
                "sub_category": s.sub_category.as_ref().map(|x| x.as_str()),
                "sub_category_label": s.sub_category_label,
                "seats_ccir": s.seats_ccir,
                "seats_ccit": s.seats_ccit,
                "contests": structure.ballot_style(&s.id()).map(|st| st.iter().map(|c| c.to_string()).collect::<Vec<_>>()),
            })
        })
        .collect();
    let contests: Vec<Value> = structure
        .contests()
        .iter()
        .filter(|c| shows(c.chamber.as_str()))
        .map(|c| {
            json!({
                "id": c.id.to_string(),
                "kind": c.kind.to_string(),
                "chamber": c.chamber.as_str(),
                "seats": c.seats,
                "title": c.ballot_title,
                "pooled": c.pooled,
                "scrutins": c.scrutins.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({ "chambers": chambers, "scrutins": scrutins, "contests": contests })
}

/// `GET /admin/api/structure`: the loaded structure within the caller's perimeter.
pub async fn structure_view(
    State(state): State<AdminState>,
    caller: Caller,
) -> AdminResult<Json<Value>> {
    let file = state
        .stores
        .registry
        .election_files(Some("structure"), None)
        .await?;
    let Some(structure) = current_structure(&state).await? else {
        return Ok(Json(json!({ "loaded": false, "files": file.len() })));
    };
    let user = caller.user.clone();
    let sees = move |c: &str| user.sees(c);
    let current = state
        .stores
        .registry
        .current_structure_file()
        .await?
        .map(|(r, _)| r);
    Ok(Json(json!({
        "loaded": true,
        "sha256": current.as_ref().map(|r| r.digest.clone()),
        "uploaded_at": current.as_ref().map(|r| r.uploaded_at),
        "structure": structure_json(&structure, Some(&sees)),
    })))
}

/// The data key of a chamber, created (and stored wrapped by the master key) on first use.
pub async fn chamber_data_key(state: &AdminState, chamber: &str) -> AdminResult<DataKey> {
    let electors = &state.stores.electors;
    if let Some(wrapped) = electors.data_key(chamber).await? {
        return Ok(state.master_key.unwrap(chamber, &wrapped)?);
    }
    let key = DataKey::generate(&mut OsRng);
    let wrapped = state.master_key.wrap(&mut OsRng, chamber, &key)?;
    match electors.put_data_key(chamber, &wrapped).await {
        Ok(()) => Ok(key),
        // Another request created it first: use that one.
        Err(scrutin_store::StoreError::Conflict(_)) => {
            let wrapped = electors
                .data_key(chamber)
                .await?
                .ok_or_else(|| AdminError::internal("data key vanished"))?;
            Ok(state.master_key.unwrap(chamber, &wrapped)?)
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /admin/api/chambers/{code}/voters?name=…`: a CELE's voter file for its chamber
/// (CSV body). Accepted only without blocking errors and before the voters seal; it then
/// replaces the chamber's list.
pub async fn upload_voters(
    State(state): State<AdminState>,
    caller: Caller,
    Path(code): Path<String>,
    Query(q): Query<UploadQuery>,
    body: Bytes,
) -> AdminResult<Json<Value>> {
    caller.allow(Permission::EditVoters, &code)?;
    let structure = require_structure(&state).await?;
    if !structure.has_chamber(&code) {
        return Err(AdminError::NotFound(format!(
            "CCI {code} dans la structure électorale"
        )));
    }
    seals::ensure_unsealed(
        &state,
        &SealKind::Voters,
        &seals::chamber_scope(&code),
        "Liste électorale",
    )
    .await?;
    let options = q.options()?;
    let (records, imported) = tokio::task::spawn_blocking({
        let body = body.clone();
        move || read_voter_records(&structure, &body[..], &options)
    })
    .await
    .map_err(AdminError::internal)?
    .map_err(unreadable)?;
    let mut report = imported.report;
    let foreign = records.iter().filter(|r| r.chamber != code).count();
    let name = q.file_name();
    if foreign > 0 {
        // A file of another chamber is refused as a whole: a CELE acts on its own list.
        report.counts.blocking += foreign as u64;
    }
    let digest = record_file(
        &state,
        &caller.user,
        "voters",
        Some(&code),
        &name,
        &body,
        &report,
        None,
    )
    .await?;
    let control: Vec<Value> = imported
        .control
        .iter()
        .map(|c| {
            json!({
                "chamber": c.chamber.as_str(),
                "chamber_label": c.chamber_label,
                "total": c.total,
                "by_scrutin": c.by_scrutin.iter().map(|s| json!({
                    "scrutin": s.scrutin.as_str(), "category": s.category, "category_label": s.category_label,
                    "sub_category": s.sub_category, "sub_category_label": s.sub_category_label, "rights": s.rights,
                })).collect::<Vec<_>>(),
                "digest": c.digest,
                "text": c.to_text(),
            })
        })
        .collect();
    let report_value = report_json(&report)?;
    if foreign > 0 {
        return Err(AdminError::Refused {
            code: "wrong_chamber",
            message: format!(
                "{foreign} ligne(s) concernent une autre CCI que la {code} : fichier refusé."
            ),
            details: json!({ "report": report_value, "sha256": digest }),
        });
    }
    if !report.is_loadable() {
        return Err(AdminError::Refused {
            code: "blocking_errors",
            message: "Fichier des électeurs refusé : corrigez les erreurs bloquantes et chargez-le de nouveau.".into(),
            details: json!({ "report": report_value, "text": report.to_text(), "sha256": digest, "control": control }),
        });
    }
    let key = chamber_data_key(&state, &code).await?;
    let rights = tokio::task::spawn_blocking(move || seal_rights(&key, &records))
        .await
        .map_err(AdminError::internal)??;
    state
        .stores
        .electors
        .replace_chamber_rights(&code, &rights)
        .await?;
    audit::record(
        &state,
        Some(&caller.user),
        "voters-loaded",
        json!({ "chamber": code, "rights": rights.len(), "sha256": digest, "control": imported.control.iter().map(|c| c.digest.clone()).collect::<Vec<_>>() }),
    )
    .await?;
    Ok(Json(json!({
        "sha256": digest,
        "rights": rights.len(),
        "report": report_value,
        "text": report.to_text(),
        "control": control,
    })))
}

/// Seals each record under the chamber's data key, with the keyed birth-date check.
pub fn seal_rights(
    key: &DataKey,
    records: &[scrutin_election::VoterRecord],
) -> AdminResult<Vec<NewRight>> {
    records
        .iter()
        .map(|r| Ok(scrutin_store::provision::seal_voter(key, r, &mut OsRng)?))
        .collect()
}

/// Which uploads to list.
#[derive(Deserialize)]
pub struct HistoryQuery {
    /// `structure`, `voters` or `users`.
    #[serde(default)]
    pub kind: Option<String>,
    /// One chamber.
    #[serde(default)]
    pub chamber: Option<String>,
}

/// `GET /admin/api/uploads`: the uploads journal of the caller's chambers.
pub async fn history(
    State(state): State<AdminState>,
    caller: Caller,
    Query(q): Query<HistoryQuery>,
) -> AdminResult<Json<Value>> {
    if let Some(c) = &q.chamber {
        caller.allow(Permission::ViewCandidates, c)?;
    }
    let rows = state
        .stores
        .registry
        .election_files(q.kind.as_deref(), q.chamber.as_deref())
        .await?;
    let files: Vec<Value> = rows
        .into_iter()
        .filter(|r| r.chamber_code.as_deref().is_none_or(|c| caller.sees(c)))
        .map(|r| {
            json!({
                "id": r.id, "kind": r.kind, "chamber": r.chamber_code, "name": r.name, "sha256": r.digest,
                "size": r.size, "uploaded_by": r.uploaded_by, "uploaded_at": r.uploaded_at,
                "uploaded_at_paris": scrutin_store::clock::paris_text(r.uploaded_at, true),
                "accepted": r.accepted, "summary": serde_json::from_str::<Value>(&r.summary).unwrap_or(Value::Null),
            })
        })
        .collect();
    Ok(Json(json!({ "files": files })))
}
