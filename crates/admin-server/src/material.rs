//! The voting material: credentials generation for a chamber's scrutins
//! (through `scrutin-store::credentials`, which writes the encrypted letters file), the
//! printable letters as one PDF (A4, chamber logo, instructions, identifier, secret code;
//! sorted by category/sub-category, postcode and surname), the test run of the voters'
//! email addresses, then the sending of the material by email. The letters file holds the
//! secret codes: it is kept encrypted under a passphrase the commission chooses and types
//! again to print or send; the server never stores that passphrase.

use std::path::PathBuf;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use scrutin_crypto::seal::SealKind;
use scrutin_store::letters::{Letter, LettersWriter, read_letters};
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::audit;
use crate::auth::{Caller, Permission};
use crate::error::{AdminError, AdminResult};
use crate::mail::Email;
use crate::pdf::{self, Document, Style};
use crate::seals;
use crate::state::AdminState;

/// The material routes.
pub fn routes() -> Router<AdminState> {
    Router::new()
        .route("/admin/api/chambers/{code}/credentials", post(generate))
        .route("/admin/api/chambers/{code}/letters", post(letters_pdf))
        .route("/admin/api/chambers/{code}/emails/test", post(email_test))
        .route("/admin/api/chambers/{code}/emails/send", post(email_send))
        .route(
            "/admin/api/chambers/{code}/logo",
            put(put_logo)
                .get(get_logo)
                .layer(DefaultBodyLimit::max(2 * 1024 * 1024)),
        )
        .route("/admin/api/chambers/{code}/material", get(status))
}

/// Shortest passphrase of a letters file.
pub const MIN_PASSPHRASE: usize = 12;

fn letters_path(state: &AdminState, chamber: &str) -> PathBuf {
    state
        .config
        .material_dir
        .join(format!("letters-{chamber}.scrutin"))
}

/// The passphrase that protects a chamber's letters file.
#[derive(Deserialize)]
pub struct PassphraseBody {
    /// The commission's passphrase.
    pub passphrase: String,
}

fn check_passphrase(p: &str) -> AdminResult<()> {
    if p.chars().count() < MIN_PASSPHRASE {
        return Err(AdminError::Invalid(format!(
            "La phrase de passe du fichier des courriers compte au moins {MIN_PASSPHRASE} caractères."
        )));
    }
    Ok(())
}

/// Scrutins of a chamber loaded in the registry, by id.
async fn chamber_scrutins(
    state: &AdminState,
    chamber: &str,
) -> AdminResult<Vec<scrutin_store::Scrutin>> {
    Ok(state
        .stores
        .registry
        .scrutins()
        .await?
        .into_iter()
        .filter(|s| s.chamber_code == chamber)
        .collect())
}

/// `POST /admin/api/chambers/{code}/credentials`: generates the material of every right of
/// the chamber that has none (after the voters seal), writing the encrypted letters file.
pub async fn generate(
    State(state): State<AdminState>,
    caller: Caller,
    Path(code): Path<String>,
    Json(body): Json<PassphraseBody>,
) -> AdminResult<Json<Value>> {
    caller.allow(Permission::ProduceMaterial, &code)?;
    check_passphrase(&body.passphrase)?;
    let scope = seals::chamber_scope(&code);
    if !seals::is_sealed(&state, &SealKind::Voters, &scope).await? {
        return Err(AdminError::Conflict(
            "Scellez d'abord la liste électorale de la CCI.".into(),
        ));
    }
    seals::ensure_unsealed(&state, &SealKind::Credentials, &scope, "Matériel de vote").await?;
    let scrutins = chamber_scrutins(&state, &code).await?;
    if scrutins.is_empty() {
        return Err(AdminError::Conflict(
            "Les urnes de la CCI ne sont pas encore créées (candidatures scellées et clé de l'élection requises).".into(),
        ));
    }
    let path = letters_path(&state, &code);
    if path.exists() {
        return Err(AdminError::Conflict(
            "Le matériel de vote de cette CCI est déjà généré : un renvoi passe par une demande de renvoi.".into(),
        ));
    }
    std::fs::create_dir_all(&state.config.material_dir).map_err(AdminError::internal)?;
    let file = scrutin_store::letters::create_file(&path)?;
    let passphrase = Zeroizing::new(body.passphrase.into_bytes());
    let mut writer = LettersWriter::new(file, &passphrase, &mut rand::rngs::OsRng)?;
    let ids: Vec<String> = scrutins.iter().map(|s| s.id.clone()).collect();
    let summaries = scrutin_store::credentials::generate_credentials(
        &state.stores,
        &state.master_key,
        &state.config.election_id,
        &ids,
        &mut writer,
        state.now(),
    )
    .await;
    let summaries = match summaries {
        Ok(s) => s,
        Err(e) => {
            // Nothing half-written: without credentials the letters file is useless.
            let _ = std::fs::remove_file(&path);
            return Err(e.into());
        }
    };
    let (_, letters) = writer.finish()?;
    let per_scrutin: Vec<Value> = summaries
        .iter()
        .map(|s| json!({ "scrutin": s.scrutin, "generated": s.generated, "voting_keys_sha256": hex::encode(s.voting_keys_digest) }))
        .collect();
    audit::record(
        &state,
        Some(&caller.user),
        "material-generated",
        json!({ "chamber": code, "letters": letters, "scrutins": per_scrutin }),
    )
    .await?;
    Ok(Json(
        json!({ "chamber": code, "letters": letters, "scrutins": per_scrutin }),
    ))
}

fn read_chamber_letters(
    state: &AdminState,
    chamber: &str,
    passphrase: &str,
) -> AdminResult<Vec<Letter>> {
    let path = letters_path(state, chamber);
    let file = std::fs::File::open(&path).map_err(|_| {
        AdminError::Conflict("Le matériel de vote de cette CCI n'est pas encore généré.".into())
    })?;
    read_letters(std::io::BufReader::new(file), passphrase.as_bytes()).map_err(|e| match e {
        scrutin_store::StoreError::Sealed(_) => {
            AdminError::Invalid("Phrase de passe incorrecte pour le fichier des courriers.".into())
        }
        e => e.into(),
    })
}

/// The surname in a letter's name (« Prénom NOM »): its trailing upper-case words.
fn surname(name: &str) -> String {
    let words: Vec<&str> = name.split(' ').collect();
    let tail: Vec<&str> = words
        .iter()
        .rev()
        .take_while(|w| !w.is_empty() && w.chars().all(|c| !c.is_lowercase()))
        .copied()
        .collect();
    tail.into_iter().rev().collect::<Vec<_>>().join(" ")
}

/// Sorts letters for printing: by scrutin (category, then sub-category), postcode,
/// surname, then name.
pub fn sort_letters(letters: &mut [Letter]) {
    letters.sort_by(|a, b| {
        (&a.scrutin, &a.postcode, surname(&a.name), &a.name).cmp(&(
            &b.scrutin,
            &b.postcode,
            surname(&b.name),
            &b.name,
        ))
    });
}

fn draw_default_logo(doc: &mut Document, page: usize, chamber: &str) {
    doc.rect(page, 20.0, 15.0, 32.0, 20.0, Some(0.15), false);
    doc.text(
        page,
        25.0,
        27.0,
        Style {
            size: 16.0,
            bold: true,
            gray: 1.0,
        },
        "CCI",
    );
    doc.text(
        page,
        25.0,
        33.0,
        Style {
            size: 8.0,
            bold: false,
            gray: 1.0,
        },
        chamber,
    );
}

/// Renders letters as one A4 PDF, one page per letter.
pub fn render_letters(
    letters: &[Letter],
    logo: Option<&[u8]>,
    vote_url: &str,
    title: &str,
) -> AdminResult<Vec<u8>> {
    let mut doc = Document::new(title);
    for l in letters {
        let p = doc.add_page();
        match logo {
            Some(jpeg) => {
                doc.jpeg(p, 20.0, 15.0, 35.0, jpeg)?;
            }
            None => draw_default_logo(&mut doc, p, &l.chamber_code),
        }
        doc.text(p, 20.0, 45.0, Style::bold(10.0), &l.chamber_label);
        // The address sits in the window of a DL envelope.
        let mut y = 55.0;
        let who = format!("{} {}", l.civility, l.name).trim().to_owned();
        for line in std::iter::once(who)
            .chain((!l.company.is_empty()).then(|| l.company.clone()))
            .chain(l.address.iter().skip(1).cloned())
        {
            doc.text(p, 110.0, y, Style::regular(11.0), &line);
            y += 5.0;
        }
        doc.text(p, 20.0, 95.0, Style::bold(15.0), "Votre matériel de vote");
        doc.text(
            p,
            20.0,
            102.0,
            Style::regular(11.0),
            &format!("Élections des membres de la {}", l.chamber_label),
        );
        doc.text(
            p,
            20.0,
            108.0,
            Style::regular(11.0),
            &format!("Catégorie : {}", l.scrutin_label),
        );
        if l.material > 0 {
            doc.text(
                p,
                20.0,
                114.0,
                Style::bold(10.0),
                "Nouveau courrier : il remplace le précédent, qui ne fonctionne plus.",
            );
        }
        doc.rect(p, 20.0, 120.0, 170.0, 32.0, Some(0.93), true);
        doc.text(p, 26.0, 130.0, Style::regular(11.0), "Votre identifiant :");
        doc.text(p, 80.0, 130.0, Style::bold(15.0), &l.identifier);
        doc.text(p, 26.0, 144.0, Style::regular(11.0), "Votre code secret :");
        doc.text(p, 80.0, 144.0, Style::bold(15.0), &l.code);
        let mut y = doc.paragraph(
            p,
            20.0,
            165.0,
            170.0,
            Style::regular(11.0),
            &format!("Site de vote : {vote_url}"),
        );
        y = doc.paragraph(
            p,
            20.0,
            y + 3.0,
            170.0,
            Style::regular(11.0),
            &l.instructions,
        );
        doc.paragraph(
            p,
            20.0,
            y + 3.0,
            170.0,
            Style::regular(10.0),
            "Vérifier votre vote : après avoir voté, vous recevez un numéro de suivi. Vous pouvez vérifier qu'il \
             figure sur le tableau public de l'urne, avec le site de vote ou avec un outil de vérification \
             indépendant de la plate-forme.",
        );
        doc.line(p, (20.0, 275.0), (190.0, 275.0), 0.5);
        doc.text(
            p,
            20.0,
            281.0,
            Style::regular(8.0),
            "Document personnel et confidentiel. Ne communiquez jamais votre code secret, même à la CCI.",
        );
    }
    if doc.page_count() == 0 {
        let p = doc.add_page();
        doc.text(p, 20.0, 30.0, Style::regular(12.0), "Aucun courrier.");
    }
    Ok(doc.finish())
}

/// `POST /admin/api/chambers/{code}/letters`: the printable letters of the chamber (PDF).
pub async fn letters_pdf(
    State(state): State<AdminState>,
    caller: Caller,
    Path(code): Path<String>,
    Json(body): Json<PassphraseBody>,
) -> AdminResult<Response> {
    caller.allow(Permission::ProduceMaterial, &code)?;
    let mut letters = {
        let state = state.clone();
        let code = code.clone();
        tokio::task::spawn_blocking(move || read_chamber_letters(&state, &code, &body.passphrase))
            .await
            .map_err(AdminError::internal)??
    };
    sort_letters(&mut letters);
    let logo = state.stores.registry.chamber_logo(&code).await?;
    let title = format!("Matériel de vote — CCI {code}");
    let vote_url = state.config.vote_url.clone();
    let count = letters.len();
    let bytes = tokio::task::spawn_blocking(move || {
        render_letters(&letters, logo.as_deref(), &vote_url, &title)
    })
    .await
    .map_err(AdminError::internal)??;
    audit::record(
        &state,
        Some(&caller.user),
        "letters-printed",
        json!({ "chamber": code, "letters": count, "sha256": hex::encode(Sha256::digest(&bytes)) }),
    )
    .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"courriers-{code}.pdf\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response())
}

fn test_key(chamber: &str) -> String {
    format!("email-test:{chamber}")
}

/// Voters' email addresses of a chamber (decrypted with its data key), one per right.
async fn chamber_emails(
    state: &AdminState,
    chamber: &str,
) -> AdminResult<Vec<(String, Option<String>)>> {
    let key = crate::uploads::chamber_data_key(state, chamber).await?;
    let mut out = Vec::new();
    for r in state.stores.electors.rights_of_chamber(chamber).await? {
        let plain = Zeroizing::new(key.open_personal(&r.right_id, &r.personal)?);
        let record: scrutin_election::VoterRecord =
            serde_json::from_slice(&plain).map_err(AdminError::internal)?;
        out.push((r.right_id, record.email));
    }
    Ok(out)
}

/// `POST /admin/api/chambers/{code}/emails/test`: sends a test email (no credentials) to
/// every voter address of the chamber and reports what the relay refused.
pub async fn email_test(
    State(state): State<AdminState>,
    caller: Caller,
    Path(code): Path<String>,
) -> AdminResult<Json<Value>> {
    caller.allow(Permission::ProduceMaterial, &code)?;
    if !state.mailer.enabled() {
        return Err(AdminError::Conflict(
            "Aucun serveur de messagerie n'est configuré.".into(),
        ));
    }
    let emails = chamber_emails(&state, &code).await?;
    let label = crate::uploads::current_structure(&state)
        .await?
        .and_then(|s| s.chamber_label(&code).map(str::to_owned))
        .unwrap_or_else(|| format!("CCI {code}"));
    let mut sent = 0;
    let mut without = 0;
    let mut refused = Vec::new();
    for (right, email) in emails {
        let Some(to) = email else {
            without += 1;
            continue;
        };
        let message = Email {
            to: to.clone(),
            subject: format!("[Élections {label}] Vérification de votre adresse"),
            text: format!(
                "Bonjour,\n\nCe message vérifie votre adresse électronique avant l'envoi de votre matériel \
                 de vote pour les élections de la {label}.\nVous n'avez rien à faire.\n"
            ),
            attachments: Vec::new(),
        };
        match state.mailer.send(&message).await {
            Ok(()) => sent += 1,
            Err(e) => refused.push(json!({ "right": right, "reason": e.message() })),
        }
    }
    state
        .stores
        .registry
        .put_setting(
            &test_key(&code),
            &scrutin_store::journal::signed_time(state.now()),
        )
        .await?;
    audit::record(
        &state,
        Some(&caller.user),
        "email-test-run",
        json!({ "chamber": code, "sent": sent, "refused": refused.len(), "without_address": without }),
    )
    .await?;
    Ok(Json(
        json!({ "sent": sent, "refused": refused, "without_address": without }),
    ))
}

/// The email that carries a voter's material.
pub fn material_email(l: &Letter, to: &str, vote_url: &str) -> Email {
    Email {
        to: to.to_owned(),
        subject: format!("[Élections {}] Votre matériel de vote", l.chamber_label),
        text: format!(
            "Bonjour {name},\n\nVoici votre matériel de vote pour les élections de la {chamber} ({scrutin}).\n\n\
             Votre identifiant : {id}\nVotre code secret : {code}\n\nSite de vote : {vote_url}\n\n{instr}\n\n\
             Ce message est personnel : ne le transférez pas et ne communiquez jamais votre code secret.\n",
            name = l.name,
            chamber = l.chamber_label,
            scrutin = l.scrutin_label,
            id = l.identifier,
            code = l.code,
            instr = l.instructions,
        ),
        attachments: Vec::new(),
    }
}

/// `POST /admin/api/chambers/{code}/emails/send`: sends each letter that has an address,
/// only after a test run.
pub async fn email_send(
    State(state): State<AdminState>,
    caller: Caller,
    Path(code): Path<String>,
    Json(body): Json<PassphraseBody>,
) -> AdminResult<Json<Value>> {
    caller.allow(Permission::ProduceMaterial, &code)?;
    if state
        .stores
        .registry
        .setting(&test_key(&code))
        .await?
        .is_none()
    {
        return Err(AdminError::Conflict(
            "Faites d'abord l'envoi de test, qui vérifie les adresses des électeurs.".into(),
        ));
    }
    let letters = {
        let state = state.clone();
        let code = code.clone();
        tokio::task::spawn_blocking(move || read_chamber_letters(&state, &code, &body.passphrase))
            .await
            .map_err(AdminError::internal)??
    };
    let mut sent = 0;
    let mut failed = 0;
    let mut postal = 0;
    for l in &letters {
        let Some(to) = l.email.as_deref() else {
            postal += 1;
            continue;
        };
        match state
            .mailer
            .send(&material_email(l, to, &state.config.vote_url))
            .await
        {
            Ok(()) => sent += 1,
            Err(_) => failed += 1,
        }
    }
    audit::record(
        &state,
        Some(&caller.user),
        "material-emailed",
        json!({ "chamber": code, "sent": sent, "failed": failed, "postal_only": postal }),
    )
    .await?;
    Ok(Json(
        json!({ "sent": sent, "failed": failed, "postal_only": postal }),
    ))
}

/// `PUT /admin/api/chambers/{code}/logo`: the chamber's logo for its letters (JPEG body).
pub async fn put_logo(
    State(state): State<AdminState>,
    caller: Caller,
    Path(code): Path<String>,
    body: Bytes,
) -> AdminResult<Json<Value>> {
    caller.allow(Permission::ProduceMaterial, &code)?;
    if !pdf::is_embeddable_jpeg(&body) {
        return Err(AdminError::Refused {
            code: "not_a_jpeg",
            message: "Le logo doit être une image JPEG (niveaux de gris ou couleur RVB).".into(),
            details: json!({}),
        });
    }
    let digest = hex::encode(Sha256::digest(&body));
    state
        .stores
        .registry
        .put_chamber_logo(&code, &body, &digest, state.now(), &caller.user.email)
        .await?;
    audit::record(
        &state,
        Some(&caller.user),
        "logo-uploaded",
        json!({ "chamber": code, "sha256": digest }),
    )
    .await?;
    Ok(Json(json!({ "sha256": digest })))
}

/// `GET /admin/api/chambers/{code}/logo`.
pub async fn get_logo(
    State(state): State<AdminState>,
    caller: Caller,
    Path(code): Path<String>,
) -> AdminResult<Response> {
    caller.allow(Permission::ViewCandidates, &code)?;
    let logo = state
        .stores
        .registry
        .chamber_logo(&code)
        .await?
        .ok_or_else(|| AdminError::NotFound(format!("logo de la CCI {code}")))?;
    Ok(([(header::CONTENT_TYPE, "image/jpeg")], logo).into_response())
}

/// `GET /admin/api/chambers/{code}/material`: where the material of a chamber stands.
pub async fn status(
    State(state): State<AdminState>,
    caller: Caller,
    Path(code): Path<String>,
) -> AdminResult<Json<Value>> {
    caller.allow(Permission::ViewCandidates, &code)?;
    let rights = state.stores.electors.right_summaries(&code).await?;
    let with = rights.iter().filter(|r| r.login_key.is_some()).count();
    let scope = seals::chamber_scope(&code);
    Ok(Json(json!({
        "chamber": code,
        "rights": rights.len(),
        "with_credentials": with,
        "letters_file": letters_path(&state, &code).exists(),
        "email_test_at": state.stores.registry.setting(&test_key(&code)).await?,
        "voters_sealed": seals::is_sealed(&state, &SealKind::Voters, &scope).await?,
        "credentials_sealed": seals::is_sealed(&state, &SealKind::Credentials, &scope).await?,
        "scrutins": chamber_scrutins(&state, &code).await?.iter().map(|s| s.id.clone()).collect::<Vec<_>>(),
        "mail_enabled": state.mailer.enabled(),
        "has_logo": state.stores.registry.chamber_logo(&code).await?.is_some(),
    })))
}
