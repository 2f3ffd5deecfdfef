//! Exports of the tally: results and seats of every contest of the caller's
//! perimeter as CSV, and the émargement list of a scrutin encrypted for the COE.
//!
//! **CSV** files are what election staff open in a spreadsheet: `;`-separated (the French
//! list separator), UTF-8 with a byte-order mark so spreadsheets detect the encoding, RFC
//! 4180 quoting. Every text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage
//! return is prefixed with an apostrophe ([`neutralise`]): a candidate named `=HYPERLINK(…)`
//! stays text instead of becoming a formula (CSV injection). Numbers we write ourselves are
//! left alone.
//!
//! **The émargement list** names voters (personal data, R-83): it leaves the platform only
//! encrypted under a passphrase the requesting COE member chooses (Argon2id, then
//! XChaCha20-Poly1305 with the envelope's header as associated data, the same construction
//! as key-share files). `scrutin trustee open-export` decrypts it on the member's computer.

use axum::Json;
use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand_core::{CryptoRng, OsRng, RngCore};
use scrutin_crypto::encoding::CanonicalWriter;
use scrutin_crypto::keyfile::KdfParams;
use scrutin_election::seats::category_composition;
use scrutin_election::{ContestKind, VoterRecord};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::audit;
use crate::auth::{Caller, Permission, password};
use crate::error::{AdminError, AdminResult};
use crate::state::AdminState;
use crate::tally::{self, stored_results};

/// The export routes.
pub fn routes() -> Router<AdminState> {
    Router::new()
        .route("/admin/api/exports/results.csv", get(results_csv))
        .route("/admin/api/exports/seats.csv", get(seats_csv))
        .route(
            "/admin/api/scrutins/{id}/emargements/export",
            post(emargement_export),
        )
}

/// Neutralises a text cell against spreadsheet formula injection: a leading `=`, `+`, `-`,
/// `@`, tab or carriage return gets an apostrophe in front.
pub fn neutralise(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_owned(),
    }
}

/// One CSV cell: text (neutralised) or a number (as is).
#[derive(Clone, Debug)]
pub enum Cell {
    /// Text from users or files: neutralised.
    Text(String),
    /// A number we computed.
    Number(String),
}

impl Cell {
    /// A text cell.
    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    /// A number cell.
    pub fn num(n: impl std::fmt::Display) -> Cell {
        Cell::Number(n.to_string())
    }
}

/// Writes rows as a `;`-separated UTF-8 CSV with a byte-order mark, every text cell
/// neutralised.
pub fn write_csv(header: &[&str], rows: &[Vec<Cell>]) -> AdminResult<Vec<u8>> {
    let mut out = Vec::from("\u{feff}".as_bytes());
    {
        let mut w = csv::WriterBuilder::new()
            .delimiter(b';')
            .terminator(csv::Terminator::CRLF)
            .from_writer(&mut out);
        w.write_record(header.iter().map(|h| neutralise(h)))
            .map_err(AdminError::internal)?;
        for row in rows {
            w.write_record(row.iter().map(|c| match c {
                Cell::Text(s) => neutralise(s),
                Cell::Number(s) => s.clone(),
            }))
            .map_err(AdminError::internal)?;
        }
        w.flush().map_err(AdminError::internal)?;
    }
    Ok(out)
}

/// A download response.
pub fn download(bytes: Vec<u8>, content_type: &str, file_name: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        Body::from(bytes),
    )
        .into_response()
}

fn percent(p: f64) -> String {
    format!("{p:.2}").replace('.', ",")
}

/// `GET /admin/api/exports/results.csv`: one row per candidate of every decrypted contest
/// of the caller's perimeter, with the contest's figures.
pub async fn results_csv(State(state): State<AdminState>, caller: Caller) -> AdminResult<Response> {
    caller.allow_role(Permission::ViewResults)?;
    let election = tally::election(&state).await?;
    let mut rows = Vec::new();
    for row in state.stores.ballots.tallies().await? {
        if !caller.sees(&row.chamber_code) {
            continue;
        }
        let Some(results) = stored_results(&row)? else {
            continue;
        };
        let Some(contest) = election.structure.contest(&results.results.contest) else {
            continue;
        };
        let pv = scrutin_election::pv::build_pv(&election, &results.results, &results.seats)
            .map_err(|e| AdminError::Conflict(e.to_string()))?;
        let subs = pv
            .sub_categories
            .iter()
            .map(|(c, _)| c.as_str())
            .collect::<Vec<_>>()
            .join(",");
        for c in &pv.candidates {
            rows.push(vec![
                Cell::text(&pv.election_id),
                Cell::text(&pv.chamber),
                Cell::text(&pv.chamber_label),
                Cell::text(contest.id.as_str()),
                Cell::text(contest.kind.as_str()),
                Cell::text(&pv.category),
                Cell::text(&subs),
                Cell::num(pv.seats),
                Cell::num(pv.registered),
                Cell::num(pv.voters),
                Cell::num(pv.ballots),
                Cell::num(pv.blank),
                Cell::num(pv.null),
                Cell::num(pv.expressed),
                Cell::num(percent(pv.turnout_percent)),
                Cell::text(if pv.ballots_match_emargements {
                    "oui"
                } else {
                    "NON"
                }),
                Cell::num(c.position),
                Cell::text(c.civility.as_str()),
                Cell::text(&c.last_name),
                Cell::text(&c.first_name),
                Cell::text(c.grouping.clone().unwrap_or_default()),
                Cell::num(c.votes),
                Cell::num(c.rank),
                Cell::text(if c.elected { "élu" } else { "non élu" }),
            ]);
        }
    }
    let bytes = write_csv(
        &[
            "election",
            "cci",
            "libelle_cci",
            "election_id",
            "conseil",
            "categorie",
            "sous_categories",
            "sieges",
            "inscrits",
            "votants",
            "bulletins",
            "blancs",
            "nuls",
            "exprimes",
            "participation_pct",
            "bulletins_egal_emargements",
            "position",
            "civilite",
            "nom",
            "prenom",
            "groupement",
            "voix",
            "rang",
            "resultat",
        ],
        &rows,
    )?;
    audit::record(
        &state,
        Some(&caller.user),
        "export-results",
        json!({ "rows": rows.len() }),
    )
    .await?;
    Ok(download(bytes, "text/csv; charset=utf-8", "resultats.csv"))
}

/// `GET /admin/api/exports/seats.csv`: who sits where, per chamber and category, CCIR first
/// then CCIT (R-62b), from the decrypted contests of the caller's perimeter.
pub async fn seats_csv(State(state): State<AdminState>, caller: Caller) -> AdminResult<Response> {
    caller.allow_role(Permission::ViewResults)?;
    let election = tally::election(&state).await?;
    let mut allocations = std::collections::BTreeMap::new();
    for row in state.stores.ballots.tallies().await? {
        if !caller.sees(&row.chamber_code) {
            continue;
        }
        if let Some(r) = stored_results(&row)? {
            allocations.insert(r.seats.contest.clone(), r.seats);
        }
    }
    let mut pairs: Vec<_> = election
        .structure
        .contests()
        .iter()
        .filter(|c| allocations.contains_key(&c.id))
        .map(|c| (c.chamber.clone(), c.category.clone()))
        .collect();
    pairs.sort();
    pairs.dedup();
    let mut rows = Vec::new();
    for (chamber, category) in pairs {
        let comp = category_composition(&election, &chamber, &category, &allocations);
        for (council, members) in [
            (ContestKind::Ccir, &comp.ccir_members),
            (ContestKind::Ccit, &comp.ccit_members),
        ] {
            for m in members {
                rows.push(vec![
                    Cell::text(chamber.as_str()),
                    Cell::text(category.as_str()),
                    Cell::text(
                        m.sub_category
                            .as_ref()
                            .map(|s| s.as_str().to_owned())
                            .unwrap_or_default(),
                    ),
                    Cell::text(council.as_str()),
                    Cell::text(match m.origin {
                        scrutin_election::seats::MemberOrigin::CcirElected => "élu CCIR",
                        scrutin_election::seats::MemberOrigin::CcirSubstitute => {
                            "suppléant d'un élu CCIR"
                        }
                        scrutin_election::seats::MemberOrigin::CcitElected => "élu CCIT",
                    }),
                    Cell::text(m.contest.as_str()),
                    Cell::text(m.civility.as_str()),
                    Cell::text(&m.name),
                    Cell::text(m.delegation.clone().unwrap_or_default()),
                ]);
            }
        }
        rows.push(vec![
            Cell::text(chamber.as_str()),
            Cell::text(category.as_str()),
            Cell::text(""),
            Cell::text("sièges vacants"),
            Cell::text(format!(
                "CCIR {} ; CCIT {}",
                comp.vacant_ccir, comp.vacant_ccit
            )),
            Cell::text(""),
            Cell::text(""),
            Cell::text(""),
            Cell::text(""),
        ]);
    }
    let bytes = write_csv(
        &[
            "cci",
            "categorie",
            "sous_categorie",
            "conseil",
            "origine",
            "election_id",
            "civilite",
            "nom",
            "delegation",
        ],
        &rows,
    )?;
    audit::record(
        &state,
        Some(&caller.user),
        "export-seats",
        json!({ "rows": rows.len() }),
    )
    .await?;
    Ok(download(bytes, "text/csv; charset=utf-8", "sieges.csv"))
}

/// `format` of an encrypted export.
pub const EXPORT_FORMAT: &str = "scrutin-encrypted-export";
/// Domain tag of its associated data.
pub const EXPORT_AAD_DOMAIN: &str = "scrutin-encrypted-export-v1";

/// A file encrypted under a passphrase (JSON).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EncryptedExport {
    /// [`EXPORT_FORMAT`].
    pub format: String,
    /// 1.
    pub version: u32,
    /// What it holds (`emargements`).
    pub content: String,
    /// The scrutin.
    pub scope: String,
    /// The name of the file inside.
    pub file_name: String,
    /// UTC time of the export.
    pub created_at: String,
    /// Argon2id memory (KiB).
    pub memory_kib: u32,
    /// Argon2id passes.
    pub iterations: u32,
    /// Argon2id lanes.
    pub parallelism: u32,
    /// Salt (base64, 16 bytes).
    pub salt: String,
    /// XChaCha20-Poly1305 nonce (base64, 24 bytes).
    pub nonce: String,
    /// Ciphertext (base64).
    pub ciphertext: String,
}

impl EncryptedExport {
    fn associated_data(&self) -> Vec<u8> {
        let mut w = CanonicalWriter::new(EXPORT_AAD_DOMAIN);
        w.str(&self.format)
            .u32(self.version)
            .str(&self.content)
            .str(&self.scope)
            .str(&self.file_name)
            .str(&self.created_at)
            .u32(self.memory_kib)
            .u32(self.iterations)
            .u32(self.parallelism)
            .str(&self.salt)
            .str(&self.nonce);
        w.finish()
    }
}

fn export_key(passphrase: &str, salt: &[u8], kdf: KdfParams) -> AdminResult<Zeroizing<[u8; 32]>> {
    if kdf.memory_kib > scrutin_crypto::keyfile::MAX_MEMORY_KIB
        || kdf.iterations == 0
        || kdf.iterations > scrutin_crypto::keyfile::MAX_ITERATIONS
        || kdf.parallelism == 0
        || kdf.parallelism > scrutin_crypto::keyfile::MAX_PARALLELISM
    {
        return Err(AdminError::Invalid(
            "paramètres de dérivation de clé inacceptables".into(),
        ));
    }
    let params = argon2::Params::new(kdf.memory_kib, kdf.iterations, kdf.parallelism, Some(32))
        .map_err(AdminError::internal)?;
    let mut key = Zeroizing::new([0u8; 32]);
    argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
        .hash_password_into(passphrase.as_bytes(), salt, key.as_mut_slice())
        .map_err(AdminError::internal)?;
    Ok(key)
}

/// Encrypts `plain` under `passphrase`.
#[allow(clippy::too_many_arguments)]
pub fn seal_export<R: RngCore + CryptoRng>(
    plain: &[u8],
    passphrase: &str,
    content: &str,
    scope: &str,
    file_name: &str,
    created_at: &str,
    kdf: KdfParams,
    rng: &mut R,
) -> AdminResult<EncryptedExport> {
    let mut salt = [0u8; 16];
    rng.fill_bytes(&mut salt);
    let mut nonce = [0u8; 24];
    rng.fill_bytes(&mut nonce);
    let mut out = EncryptedExport {
        format: EXPORT_FORMAT.into(),
        version: 1,
        content: content.into(),
        scope: scope.into(),
        file_name: file_name.into(),
        created_at: created_at.into(),
        memory_kib: kdf.memory_kib,
        iterations: kdf.iterations,
        parallelism: kdf.parallelism,
        salt: B64.encode(salt),
        nonce: B64.encode(nonce),
        ciphertext: String::new(),
    };
    let key = export_key(passphrase, &salt, kdf)?;
    let ct = XChaCha20Poly1305::new(key.as_slice().into())
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: plain,
                aad: &out.associated_data(),
            },
        )
        .map_err(|_| AdminError::internal("export encryption failed"))?;
    out.ciphertext = B64.encode(ct);
    Ok(out)
}

/// Decrypts an export with its passphrase; a wrong passphrase or any altered byte fails.
pub fn open_export(export: &EncryptedExport, passphrase: &str) -> AdminResult<Zeroizing<Vec<u8>>> {
    if export.format != EXPORT_FORMAT || export.version != 1 {
        return Err(AdminError::Invalid(
            "ce fichier n'est pas un export chiffré de scrutin (version 1)".into(),
        ));
    }
    let decode = |what: &str, s: &str, len: Option<usize>| {
        let v = B64
            .decode(s)
            .map_err(|_| AdminError::Invalid(format!("{what} illisible")))?;
        if len.is_some_and(|l| l != v.len()) {
            return Err(AdminError::Invalid(format!(
                "{what} de longueur incorrecte"
            )));
        }
        Ok(v)
    };
    let salt = decode("sel", &export.salt, Some(16))?;
    let nonce = decode("nonce", &export.nonce, Some(24))?;
    let ct = decode("contenu", &export.ciphertext, None)?;
    let kdf = KdfParams {
        memory_kib: export.memory_kib,
        iterations: export.iterations,
        parallelism: export.parallelism,
    };
    let key = export_key(passphrase, &salt, kdf)?;
    let plain = XChaCha20Poly1305::new(key.as_slice().into())
        .decrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: &ct,
                aad: &export.associated_data(),
            },
        )
        .map_err(|_| {
            AdminError::Invalid("phrase de passe incorrecte, ou fichier modifié".into())
        })?;
    Ok(Zeroizing::new(plain))
}

/// Request for an émargement export.
#[derive(Deserialize)]
pub struct ExportRequest {
    /// The passphrase that will protect the file (the password policy applies).
    pub passphrase: String,
}

/// The émargement list of a scrutin as CSV: elector, names, company, émargement instant
/// (Paris time), sorted by surname.
async fn emargement_csv(
    state: &AdminState,
    scrutin: &str,
    chamber: &str,
) -> AdminResult<(Zeroizing<Vec<u8>>, usize)> {
    let wrapped = state
        .stores
        .electors
        .data_key(chamber)
        .await?
        .ok_or_else(|| {
            AdminError::Conflict(format!(
                "Aucune liste électorale chargée pour la CCI {chamber}."
            ))
        })?;
    let key = state.master_key.unwrap(chamber, &wrapped)?;
    let emargements = state.stores.electors.emargements(scrutin).await?;
    let rights = state.stores.electors.rights_of_scrutin(scrutin).await?;
    let mut lines = Vec::with_capacity(emargements.len());
    for (right_id, at) in &emargements {
        let record = rights
            .iter()
            .find(|r| &r.right_id == right_id)
            .map(|r| key.open_personal(&r.right_id, &r.personal))
            .transpose()?
            .map(|plain| serde_json::from_slice::<VoterRecord>(&Zeroizing::new(plain)))
            .transpose()
            .map_err(AdminError::internal)?;
        let (last, first, company, number) = match &record {
            Some(r) => (
                r.usage_name.clone(),
                r.first_name.clone().unwrap_or_default(),
                r.company_name.clone().unwrap_or_default(),
                r.elector_number.clone(),
            ),
            None => (String::new(), String::new(), String::new(), String::new()),
        };
        lines.push((last, first, company, number, right_id.clone(), *at));
    }
    lines.sort_by(|a, b| (&a.0, &a.1, &a.4).cmp(&(&b.0, &b.1, &b.4)));
    let rows: Vec<Vec<Cell>> = lines
        .iter()
        .map(|(last, first, company, number, right, at)| {
            vec![
                Cell::text(right),
                Cell::text(number),
                Cell::text(last),
                Cell::text(first),
                Cell::text(company),
                Cell::text(scrutin_store::clock::paris_rfc3339(*at)),
            ]
        })
        .collect();
    let count = rows.len();
    let bytes = write_csv(
        &[
            "identifiant",
            "numero_electeur",
            "nom",
            "prenom",
            "raison_sociale",
            "emargement_heure_de_paris",
        ],
        &rows,
    )?;
    Ok((Zeroizing::new(bytes), count))
}

/// `POST /admin/api/scrutins/{id}/emargements/export`: the émargement list of a closed,
/// sealed scrutin, encrypted under the member's passphrase.
pub async fn emargement_export(
    State(state): State<AdminState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(req): Json<ExportRequest>,
) -> AdminResult<Response> {
    let scrutin = state
        .stores
        .registry
        .scrutin(&id)
        .await?
        .ok_or_else(|| AdminError::NotFound(format!("scrutin {id}")))?;
    caller.allow(Permission::Tally, &scrutin.chamber_code)?;
    if !crate::seals::is_sealed(
        &state,
        &scrutin_crypto::seal::SealKind::EmargementClosed,
        &crate::seals::scrutin_scope(&id),
    )
    .await?
    {
        return Err(AdminError::Conflict(format!(
            "La liste d'émargement du scrutin {id} n'est pas encore close et scellée."
        )));
    }
    password::check_policy(
        &req.passphrase,
        &[&caller.user.email, &caller.user.last_name],
    )
    .map_err(|broken| AdminError::Refused {
        code: "weak_passphrase",
        message: format!("Phrase de passe refusée : {}.", broken.join(" ; ")),
        details: json!({ "rules": broken }),
    })?;
    let (plain, count) = emargement_csv(&state, &id, &scrutin.chamber_code).await?;
    let created = scrutin_store::journal::signed_time(state.now());
    let file_name = format!("emargement-{id}.csv");
    let passphrase = Zeroizing::new(req.passphrase);
    let (scope, created_c, file_c) = (format!("scrutin/{id}"), created.clone(), file_name.clone());
    let export = tokio::task::spawn_blocking(move || {
        seal_export(
            &plain,
            &passphrase,
            "emargements",
            &scope,
            &file_c,
            &created_c,
            KdfParams::RECOMMENDED,
            &mut OsRng,
        )
    })
    .await
    .map_err(AdminError::internal)??;
    let bytes = serde_json::to_vec_pretty(&export).map_err(AdminError::internal)?;
    audit::record(
        &state,
        Some(&caller.user),
        "export-emargements",
        json!({ "scrutin": id, "emargements": count, "sha256": hex::encode(Sha256::digest(&bytes)) }),
    )
    .await?;
    Ok(download(
        bytes,
        "application/json",
        &format!("emargement-{id}.chiffre.json"),
    ))
}
