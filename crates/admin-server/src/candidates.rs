//! Candidates and groupings (R-20…R-23): entered by the COE per contest, in registration
//! order, with their statements (professions de foi, PDF); editable until the candidates
//! seal of the chamber; validated by `scrutin-election` (blocking issues stop the seal, not
//! the draft).

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use rand_core::{OsRng, RngCore};
use scrutin_crypto::seal::SealKind;
use scrutin_election::candidates::{CANDIDATES_FORMAT, validate_candidates};
use scrutin_election::report::Outcome;
use scrutin_election::{BallotEntry, CandidateFile, ContestCandidates, ContestId, Structure};
use scrutin_store::preparation::{CandidateListRow, StatementRow};
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::audit;
use crate::auth::{Caller, Permission};
use crate::error::{AdminError, AdminResult};
use crate::seals;
use crate::state::AdminState;
use crate::uploads::require_structure;

/// The candidate routes.
pub fn routes(statement_limit: usize) -> Router<AdminState> {
    Router::new()
        .route(
            "/admin/api/chambers/{code}/candidates",
            get(chamber_candidates),
        )
        .route("/admin/api/candidates", put(put_list))
        .route(
            "/admin/api/statements",
            put(put_statement).layer(axum::extract::DefaultBodyLimit::max(statement_limit)),
        )
        .route(
            "/admin/api/statements/{id}",
            get(get_statement).delete(delete_statement),
        )
}

/// The candidate file of a chamber as stored (every contest of the structure).
pub async fn chamber_file(
    state: &AdminState,
    structure: &Structure,
    chamber: &str,
) -> AdminResult<CandidateFile> {
    let stored = state.stores.registry.candidate_lists(Some(chamber)).await?;
    let mut contests = Vec::new();
    for row in stored {
        let list: ContestCandidates =
            serde_json::from_str(&row.entries).map_err(AdminError::internal)?;
        if structure.contest(&list.contest).is_some() {
            contests.push(list);
        }
    }
    Ok(CandidateFile {
        format: CANDIDATES_FORMAT.into(),
        contests,
    })
}

/// The candidate file of every chamber (what the election's ballot sheets are built from).
pub async fn election_file(
    state: &AdminState,
    structure: &Structure,
) -> AdminResult<CandidateFile> {
    let mut contests = Vec::new();
    for row in state.stores.registry.candidate_lists(None).await? {
        let list: ContestCandidates =
            serde_json::from_str(&row.entries).map_err(AdminError::internal)?;
        if structure.contest(&list.contest).is_some() {
            contests.push(list);
        }
    }
    Ok(CandidateFile {
        format: CANDIDATES_FORMAT.into(),
        contests,
    })
}

fn issues_of_chamber(structure: &Structure, file: CandidateFile, chamber: &str) -> Vec<Value> {
    let (_, issues) = validate_candidates(structure, file);
    issues
        .into_iter()
        .filter(|i| {
            i.contest
                .as_ref()
                .and_then(|c| structure.contest(c))
                .is_none_or(|c| c.chamber.as_str() == chamber)
        })
        .map(|i| serde_json::to_value(i).unwrap_or(Value::Null))
        .collect()
}

/// Refuses the candidates seal while a blocking issue remains in the chamber's lists.
pub async fn ensure_valid(state: &AdminState, chamber: &str) -> AdminResult<()> {
    let structure = require_structure(state).await?;
    let file = chamber_file(state, &structure, chamber).await?;
    let issues = issues_of_chamber(&structure, file, chamber);
    let blocking: Vec<&Value> = issues
        .iter()
        .filter(|i| i["outcome"] == json!(Outcome::Blocking))
        .collect();
    if blocking.is_empty() {
        Ok(())
    } else {
        Err(AdminError::Refused {
            code: "candidates_invalid",
            message: format!(
                "{} erreur(s) bloquante(s) dans les candidatures.",
                blocking.len()
            ),
            details: json!({ "issues": blocking }),
        })
    }
}

fn contest_chamber(structure: &Structure, contest: &str) -> AdminResult<(ContestId, String)> {
    let id = ContestId::parse(contest)
        .map_err(|e| AdminError::Invalid(format!("élection « {contest} » : {e}")))?;
    let c = structure
        .contest(&id)
        .ok_or_else(|| AdminError::NotFound(format!("élection {contest}")))?;
    let chamber = c.chamber.as_str().to_owned();
    Ok((id, chamber))
}

/// `GET /admin/api/chambers/{code}/candidates`: every contest of the chamber with its lists,
/// statements, issues and whether the candidates are sealed.
pub async fn chamber_candidates(
    State(state): State<AdminState>,
    caller: Caller,
    Path(code): Path<String>,
) -> AdminResult<Json<Value>> {
    caller.allow(Permission::ViewCandidates, &code)?;
    let structure = require_structure(&state).await?;
    let file = chamber_file(&state, &structure, &code).await?;
    let statements = state.stores.registry.statements(Some(&code)).await?;
    let mut contests = Vec::new();
    for c in structure
        .contests()
        .iter()
        .filter(|c| c.chamber.as_str() == code)
    {
        let list = file.contests.iter().find(|l| l.contest == c.id);
        let entries = list.map(|l| l.entries.clone()).unwrap_or_default();
        contests.push(json!({
            "id": c.id.to_string(),
            "kind": c.kind.to_string(),
            "title": c.ballot_title,
            "seats": c.seats,
            "pooled": c.pooled,
            "scrutins": c.scrutins.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
            "entries": entries,
            "statements": statements.iter().filter(|s| s.contest_id == c.id.to_string()).map(|s| json!({
                "id": s.id, "subject": s.subject, "file_name": s.file_name, "sha256": s.digest, "size": s.size,
            })).collect::<Vec<_>>(),
        }));
    }
    let issues = issues_of_chamber(&structure, file, &code);
    let sealed =
        seals::is_sealed(&state, &SealKind::Candidates, &seals::chamber_scope(&code)).await?;
    Ok(Json(
        json!({ "chamber": code, "sealed": sealed, "contests": contests, "issues": issues }),
    ))
}

/// Which contest a list or statement is for.
#[derive(Deserialize)]
pub struct ContestQuery {
    /// Contest id (`011-C/CCIR`).
    pub contest: String,
    /// For statements: `grouping:<name>` or `candidate:<option id>`.
    #[serde(default)]
    pub subject: Option<String>,
    /// For statements: the file name.
    #[serde(default)]
    pub name: Option<String>,
}

/// A contest's list as the page sends it.
#[derive(Deserialize)]
pub struct ListBody {
    /// Entries in registration order.
    pub entries: Vec<BallotEntry>,
}

/// `PUT /admin/api/candidates?contest=…`: replaces a contest's list (order as given). The
/// list is kept even with blocking issues (a draft); the answer lists them.
pub async fn put_list(
    State(state): State<AdminState>,
    caller: Caller,
    Query(q): Query<ContestQuery>,
    Json(body): Json<ListBody>,
) -> AdminResult<Json<Value>> {
    let structure = require_structure(&state).await?;
    let (id, chamber) = contest_chamber(&structure, &q.contest)?;
    caller.allow(Permission::EditCandidates, &chamber)?;
    seals::ensure_unsealed(
        &state,
        &SealKind::Candidates,
        &seals::chamber_scope(&chamber),
        "Candidatures",
    )
    .await?;
    let list = ContestCandidates {
        contest: id.clone(),
        entries: body.entries,
    };
    let text = serde_json::to_string(&list).map_err(AdminError::internal)?;
    state
        .stores
        .registry
        .put_candidate_list(&CandidateListRow {
            contest_id: id.to_string(),
            chamber_code: chamber.clone(),
            entries: text.clone(),
            updated_at: state.now(),
            updated_by: caller.user.email.clone(),
        })
        .await?;
    let file = chamber_file(&state, &structure, &chamber).await?;
    let issues: Vec<Value> = issues_of_chamber(&structure, file, &chamber)
        .into_iter()
        .filter(|i| i["contest"] == json!(id.to_string()))
        .collect();
    audit::record(
        &state,
        Some(&caller.user),
        "candidates-saved",
        json!({
            "contest": id.to_string(),
            "candidates": list.options().len(),
            "sha256": hex::encode(Sha256::digest(text.as_bytes())),
        }),
    )
    .await?;
    Ok(Json(
        json!({ "contest": id.to_string(), "entries": list.entries, "issues": issues }),
    ))
}

/// Checks that bytes are a PDF document: `%PDF-` header and an `%%EOF` trailer.
pub fn looks_like_pdf(bytes: &[u8]) -> bool {
    let tail = &bytes[bytes.len().saturating_sub(1024)..];
    bytes.starts_with(b"%PDF-") && tail.windows(5).any(|w| w == b"%%EOF")
}

/// `PUT /admin/api/statements?contest=…&subject=…&name=…`: a statement (PDF body).
pub async fn put_statement(
    State(state): State<AdminState>,
    caller: Caller,
    Query(q): Query<ContestQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> AdminResult<Json<Value>> {
    let structure = require_structure(&state).await?;
    let (id, chamber) = contest_chamber(&structure, &q.contest)?;
    caller.allow(Permission::EditCandidates, &chamber)?;
    seals::ensure_unsealed(
        &state,
        &SealKind::Candidates,
        &seals::chamber_scope(&chamber),
        "Professions de foi",
    )
    .await?;
    let subject = q
        .subject
        .filter(|s| (s.starts_with("grouping:") || s.starts_with("candidate:")) && s.len() <= 300)
        .ok_or_else(|| {
            AdminError::Invalid("sujet : « grouping:<nom> » ou « candidate:<identifiant> »".into())
        })?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !content_type.starts_with("application/pdf") || !looks_like_pdf(&body) {
        return Err(AdminError::Refused {
            code: "not_a_pdf",
            message: "La profession de foi doit être un document PDF.".into(),
            details: json!({}),
        });
    }
    let name = q
        .name
        .unwrap_or_else(|| "profession-de-foi.pdf".into())
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | ' '))
        .take(120)
        .collect::<String>();
    let mut sid = [0u8; 12];
    OsRng.fill_bytes(&mut sid);
    let digest = hex::encode(Sha256::digest(&body));
    let row = StatementRow {
        id: hex::encode(sid),
        contest_id: id.to_string(),
        chamber_code: chamber,
        subject: subject.clone(),
        file_name: name,
        digest: digest.clone(),
        size: body.len() as i64,
        content: body.to_vec(),
        uploaded_at: state.now(),
        uploaded_by: caller.user.email.clone(),
    };
    state.stores.registry.put_statement(&row).await?;
    audit::record(
        &state,
        Some(&caller.user),
        "statement-uploaded",
        json!({ "contest": id.to_string(), "subject": subject, "sha256": digest, "size": row.size }),
    )
    .await?;
    Ok(Json(
        json!({ "id": row.id, "sha256": digest, "size": row.size }),
    ))
}

/// `GET /admin/api/statements/{id}`: the PDF.
pub async fn get_statement(
    State(state): State<AdminState>,
    caller: Caller,
    Path(id): Path<String>,
) -> AdminResult<Response> {
    let s = state
        .stores
        .registry
        .statement(&id)
        .await?
        .ok_or_else(|| AdminError::NotFound(format!("profession de foi {id}")))?;
    caller.allow(Permission::ViewCandidates, &s.chamber_code)?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{}\"", s.file_name),
            ),
        ],
        s.content,
    )
        .into_response())
}

/// `DELETE /admin/api/statements/{id}`.
pub async fn delete_statement(
    State(state): State<AdminState>,
    caller: Caller,
    Path(id): Path<String>,
) -> AdminResult<Json<Value>> {
    let s = state
        .stores
        .registry
        .statement(&id)
        .await?
        .ok_or_else(|| AdminError::NotFound(format!("profession de foi {id}")))?;
    caller.allow(Permission::EditCandidates, &s.chamber_code)?;
    seals::ensure_unsealed(
        &state,
        &SealKind::Candidates,
        &seals::chamber_scope(&s.chamber_code),
        "Professions de foi",
    )
    .await?;
    state.stores.registry.delete_statement(&id).await?;
    audit::record(
        &state,
        Some(&caller.user),
        "statement-deleted",
        json!({ "contest": s.contest_id, "subject": s.subject, "sha256": s.digest }),
    )
    .await?;
    Ok(Json(json!({ "ok": true })))
}
