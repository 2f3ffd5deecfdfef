//! Casting and receipts (R-43…R-47, protocol §6, specs/api.md §5).

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use scrutin_crypto::CryptoError;
use scrutin_crypto::ballot::Ballot;
use scrutin_crypto::ballot::signature::verify_signature;
use scrutin_store::ScrutinState;
use scrutin_store::cast::CastRefusal;
use scrutin_store::clock::{paris_rfc3339, paris_text};

use crate::casting::Cast;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Body, Session, require_json};
use crate::receipt::sign_receipt;
use crate::state::AppState;
use crate::verify::VerifyError;
use crate::views::{CastResponse, ReceiptContent, ReceiptStatus};

pub(crate) fn state_error(state: ScrutinState, message: Option<&str>) -> Option<ApiError> {
    match state {
        ScrutinState::Open => None,
        ScrutinState::NotOpenYet => Some(ApiError::scrutin_not_open()),
        ScrutinState::Closed => Some(ApiError::scrutin_closed()),
        ScrutinState::Suspended => Some(match message {
            Some(m) if !m.trim().is_empty() => ApiError::scrutin_suspended().with_message(m),
            _ => ApiError::scrutin_suspended(),
        }),
    }
}

/// Casts a ballot: the checks of protocol §6 in order, the atomic cast, a signed receipt.
#[utoipa::path(post, path = "/api/v1/ballots", tag = "ballot",
    request_body(content = Object, description = "The ballot JSON of protocol §5"),
    responses((status = 201, body = CastResponse), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 413, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 423, body = ErrorBody)),
    security(("session" = [])))]
pub async fn cast(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Body(body): Body,
) -> ApiResult<(StatusCode, Json<CastResponse>)> {
    // 1. session (the extractor) and 2. scrutin open.
    let scrutin = state.scrutin(&session.scrutin_id).await?;
    if let Some(e) = state_error(scrutin.state_at(state.now()), scrutin.message.as_deref()) {
        return Err(e);
    }
    // 3. the ballot decodes and names this scrutin.
    require_json(&headers)?;
    let text = std::str::from_utf8(&body).map_err(|_| ApiError::malformed_request())?;
    // Parsed once; only a body that is not a ballot is parsed again, to tell JSON that is
    // not a ballot from text that is not JSON.
    let ballot = Ballot::from_json(text).map_err(|_| {
        match serde_json::from_str::<serde::de::IgnoredAny>(text) {
            Ok(_) => ApiError::malformed_ballot(),
            Err(_) => ApiError::malformed_request(),
        }
    })?;
    let style = state.ballot_style(&scrutin)?;
    if ballot.scrutin_id != scrutin.id || ballot.election_id != style.election_id() {
        return Err(ApiError::ballot_wrong_scrutin());
    }
    // 4. signature by the voting key.
    if verify_signature(
        &ballot.voting_key,
        &ballot.signed_bytes(),
        &ballot.signature,
    )
    .is_err()
    {
        return Err(ApiError::ballot_bad_signature());
    }
    // 5. voting key in the scrutin's set, unused.
    match state
        .stores()
        .ballots
        .voting_key_status(&scrutin.id, &ballot.voting_key)
        .await?
    {
        None => return Err(ApiError::ballot_unknown_voting_key()),
        Some(true) => return Err(ApiError::voting_key_used()),
        Some(false) => {}
    }
    // 6. proofs (batched with concurrent casts).
    let ballot = Arc::new(ballot);
    match state.0.verifier.verify(ballot.clone(), style).await {
        Ok(()) => {}
        Err(VerifyError::Refused(CryptoError::Verification(reason))) => {
            tracing::info!(%reason, "ballot refused");
            return Err(ApiError::ballot_invalid_proof());
        }
        Err(VerifyError::Refused(other)) => {
            tracing::info!(reason = %other, "ballot refused");
            return Err(ApiError::malformed_ballot());
        }
        Err(VerifyError::Stopped) => return Err(ApiError::unavailable()),
    }
    // 7. the right had not voted when the session was read (checked again, atomically,
    // by the cast).
    if session.voted_at.is_some() {
        return Err(ApiError::already_voted());
    }
    let tracking_code = *ballot.tracking_code().as_bytes();
    let outcome = state
        .0
        .casts
        .cast(Cast {
            right_id: session.right_id,
            scrutin_id: scrutin.id.clone(),
            voting_key: ballot.voting_key,
            tracking_code,
            ballot: ballot.to_json(),
        })
        .await?;
    let at = match outcome {
        Ok(at) => at,
        Err(CastRefusal::UnknownVotingKey) => return Err(ApiError::ballot_unknown_voting_key()),
        Err(CastRefusal::VotingKeyUsed) => return Err(ApiError::voting_key_used()),
        Err(CastRefusal::AlreadyVoted) => return Err(ApiError::already_voted()),
        Err(CastRefusal::Undone) => return Err(ApiError::unavailable()),
    };
    let signature = sign_receipt(
        &state.config().keys.platform,
        &scrutin.id,
        &tracking_code,
        at,
    );
    let code = ballot.tracking_code();
    Ok((
        StatusCode::CREATED,
        Json(CastResponse {
            receipt: ReceiptContent {
                scrutin: scrutin.id.clone(),
                tracking_code: code.to_hex(),
                tracking_code_short: code.short(),
                emargement_at: paris_rfc3339(at),
                emargement_text: paris_text(at, true),
            },
            signature: hex::encode(signature),
            platform_key: hex::encode(state.config().keys.platform_public().as_bytes()),
        }),
    ))
}

pub(crate) fn parse_code(s: &str) -> Result<[u8; 32], ApiError> {
    scrutin_crypto::encoding::decode_hex(s, 32, "tracking code")
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(ApiError::not_found)
}

/// Is this ballot in the box? Never says when it was cast.
#[utoipa::path(get, path = "/api/v1/receipts/{tracking_code}", tag = "ballot",
    params(("tracking_code" = String, Path, description = "64 hex characters")),
    responses((status = 200, body = ReceiptStatus), (status = 404, body = ErrorBody)))]
pub async fn receipt(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> ApiResult<Json<ReceiptStatus>> {
    let bytes = parse_code(&code)?;
    let status = state
        .stores()
        .ballots
        .ballot_status(&bytes)
        .await?
        .filter(|s| s.confirmed)
        .ok_or_else(ApiError::not_found)?;
    Ok(Json(ReceiptStatus {
        scrutin: status.scrutin_id,
        tracking_code: hex::encode(bytes),
        in_ballot_box: true,
        published: status.epoch.is_some(),
        epoch: status.epoch,
    }))
}
