//! Resend of the voting material, without login (R-32, specs/api.md §8). The request and
//! the identity document are sealed under the chamber's data key at once; the commission
//! decides later (admin side).

use axum::Json;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::StatusCode;
use rand::RngCore;
use serde_json::json;

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::state::AppState;
use crate::views::ResendAccepted;

/// Largest identity document.
pub const MAX_DOCUMENT: usize = 5 * 1024 * 1024;

fn invalid(field: &str, why: &str) -> ApiError {
    ApiError::invalid_resend_request().with_message(format!("{field} : {why}"))
}

/// Form fields with their French names for messages.
const FIELDS: [(&str, &str); 7] = [
    ("chamber_code", "Le code de la CCI"),
    ("surname", "Le nom"),
    ("given_name", "Le prénom"),
    ("birth_date", "La date de naissance"),
    ("company", "Le nom de l'entreprise"),
    ("siren", "Le numéro SIREN"),
    ("email", "L'adresse e-mail"),
];

fn label(field: &str) -> &'static str {
    FIELDS
        .iter()
        .find(|(f, _)| *f == field)
        .map_or("Un champ", |(_, l)| l)
}

fn sniff_document(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else {
        None
    }
}

fn plausible_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
        && s.len() <= 254
}

/// Files a resend request.
#[utoipa::path(post, path = "/api/v1/resend-requests", tag = "resend",
    request_body(content_type = "multipart/form-data", content = Object,
        description = "chamber_code, surname, given_name, birth_date, company, siren (optional), email, document (PDF, JPEG or PNG, ≤ 5 MiB)"),
    responses((status = 202, body = ResendAccepted), (status = 413, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn request(
    State(state): State<AppState>,
    req: Request,
) -> ApiResult<(StatusCode, Json<ResendAccepted>)> {
    let mut multipart = Multipart::from_request(req, &state)
        .await
        .map_err(|_| ApiError::unsupported_media_type())?;
    let mut fields = serde_json::Map::new();
    let mut document: Option<(String, Vec<u8>)> = None;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(ApiError::body_too_large());
            }
            Err(_) => return Err(ApiError::malformed_request()),
        };
        let name = field.name().unwrap_or_default().to_string();
        if name == "document" {
            let bytes = field.bytes().await.map_err(|e| {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::body_too_large()
                } else {
                    ApiError::malformed_request()
                }
            })?;
            if bytes.len() > MAX_DOCUMENT {
                return Err(ApiError::body_too_large());
            }
            let kind = sniff_document(&bytes).ok_or_else(|| {
                invalid("La pièce d'identité", "envoyez un fichier PDF, JPEG ou PNG")
            })?;
            document = Some((kind.to_string(), bytes.to_vec()));
        } else if FIELDS.iter().any(|(f, _)| *f == name) {
            let text = field
                .text()
                .await
                .map_err(|_| ApiError::malformed_request())?;
            let text = text.trim().to_string();
            if text.chars().count() > 200 {
                return Err(invalid(label(&name), "le texte est trop long"));
            }
            fields.insert(name, json!(text));
        } else {
            return Err(ApiError::malformed_request());
        }
    }
    let get = |f: &str| {
        fields
            .get(f)
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string()
    };
    for required in [
        "chamber_code",
        "surname",
        "given_name",
        "birth_date",
        "company",
        "email",
    ] {
        if get(required).is_empty() {
            return Err(invalid(label(required), "il manque"));
        }
    }
    let chamber = get("chamber_code");
    if chamber.len() != 3 || !chamber.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid(label("chamber_code"), "il faut 3 chiffres"));
    }
    let birth = get("birth_date");
    if birth.len() != 8 || !birth.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid(
            label("birth_date"),
            "il faut 8 chiffres (JJMMAAAA)",
        ));
    }
    let siren = get("siren");
    if !siren.is_empty() && (siren.len() != 9 || !siren.bytes().all(|b| b.is_ascii_digit())) {
        return Err(invalid(label("siren"), "il faut 9 chiffres"));
    }
    if !plausible_email(&get("email")) {
        return Err(invalid(label("email"), "l'adresse n'est pas valable"));
    }
    let Some((kind, bytes)) = document else {
        return Err(invalid("La pièce d'identité", "il manque le fichier"));
    };
    // A chamber without a data key is not on this platform (or its data was destroyed).
    if state.stores().electors.data_key(&chamber).await?.is_none() {
        return Err(invalid(label("chamber_code"), "cette CCI n'est pas connue"));
    }
    let key = state.data_key(&chamber).await?;
    let mut id = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut id);
    let id = hex::encode(id);
    let payload = json!({
        "fields": fields,
        "document": { "media_type": kind, "base64": base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &bytes) },
    });
    let sealed = key.seal_resend(
        &mut rand::rngs::OsRng,
        &id,
        &serde_json::to_vec(&payload).map_err(|_| ApiError::internal())?,
    )?;
    let now = state.now();
    state
        .stores()
        .electors
        .insert_resend_request(&id, &chamber, now, &sealed)
        .await?;
    scrutin_store::journal::append(
        &state.stores().registry,
        now,
        "resend-request",
        &json!({ "chamber": chamber, "request": id }),
    )
    .await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(ResendAccepted {
            request_id: id,
            status: "pending".into(),
            message: "Votre demande est enregistrée. La commission de votre CCI va l'étudier. Vous recevrez sa réponse par e-mail.".into(),
        }),
    ))
}
