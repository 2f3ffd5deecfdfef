//! Login in two steps (R-40, specs/api.md §3).

use axum::Json;
use axum::extract::State;
use rand::RngCore;
use scrutin_crypto::ballot::signature::verify_signature;
use scrutin_crypto::credentials::Identifier;
use scrutin_store::clock::paris_rfc3339;
use scrutin_store::electors::{FailureOutcome, RightLogin};

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{JsonBody, Step1};
use crate::session::{Claims, TokenError};
use crate::state::AppState;
use crate::views::{
    BirthDateRequest, ChallengeRequest, ChallengeResponse, KeyRequest, KeyResponse, SessionResponse,
};

/// The login message and its domain tag are defined once, in `scrutin-crypto` (protocol
/// §2.4), and signed by the ballot client with the same function; re-exported here for the
/// callers that name them through the voting server.
pub use scrutin_crypto::credentials::{LOGIN_MESSAGE_DOMAIN, login_message};

fn canonical_identifier(typed: &str) -> String {
    Identifier::parse(typed)
        .map(|i| i.as_str().to_string())
        .unwrap_or_else(|_| typed.trim().to_string())
}

/// Step 1a: a nonce for an identifier (the same answer for unknown identifiers).
#[utoipa::path(post, path = "/api/v1/login/challenge", tag = "login",
    request_body = ChallengeRequest,
    responses((status = 200, body = ChallengeResponse), (status = 400, body = ErrorBody)))]
pub async fn challenge(
    State(state): State<AppState>,
    JsonBody(req): JsonBody<ChallengeRequest>,
) -> ApiResult<Json<ChallengeResponse>> {
    if req.identifier.len() > 64 {
        return Err(ApiError::malformed_request());
    }
    let now = state.now();
    let mut nonce = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let expires = now + state.config().challenge_ttl;
    let token = state.0.tokens.issue(&Claims::Challenge {
        i: canonical_identifier(&req.identifier),
        n: hex::encode(nonce),
        e: expires.timestamp(),
    });
    Ok(Json(ChallengeResponse {
        challenge: token,
        nonce: hex::encode(nonce),
        election_id: state.election_id().await?,
        expires_at: paris_rfc3339(expires),
    }))
}

fn locked(right: &RightLogin, now: chrono::DateTime<chrono::Utc>) -> Option<ApiError> {
    match right.locked_until {
        Some(until) if until > now => Some(ApiError::locked_for((until - now).num_seconds())),
        _ => None,
    }
}

async fn count_failure(state: &AppState, right: &RightLogin, failure: ApiError) -> ApiError {
    let now = state.now();
    let cfg = state.config();
    match state
        .stores()
        .electors
        .record_failure(
            &right.right_id,
            now,
            cfg.lockout_threshold,
            cfg.lockout_duration,
        )
        .await
    {
        Ok(FailureOutcome::Counted { .. }) => failure,
        Ok(FailureOutcome::Locked(until)) => {
            // Journaled without the right: the journal may be shown to auditors, and who
            // tried to vote is nobody's business there.
            if let Err(e) = scrutin_store::journal::append(
                &state.stores().registry,
                now,
                "login-lockout",
                &serde_json::json!({ "scrutin": right.scrutin_id, "until": scrutin_store::journal::signed_time(until) }),
            )
            .await
            {
                tracing::error!(error = %e, "could not journal a lockout");
            }
            ApiError::locked_for((until - now).num_seconds())
        }
        Err(e) => e.into(),
    }
}

/// Step 1b: the signature of the nonce by the login key.
#[utoipa::path(post, path = "/api/v1/login/key", tag = "login",
    request_body = KeyRequest,
    responses((status = 200, body = KeyResponse), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 423, body = ErrorBody)))]
pub async fn key(
    State(state): State<AppState>,
    JsonBody(req): JsonBody<KeyRequest>,
) -> ApiResult<Json<KeyResponse>> {
    let now = state.now();
    let claims = state
        .0
        .tokens
        .check(&req.challenge, now)
        .map_err(|e| match e {
            TokenError::Invalid => ApiError::login_failed(),
            TokenError::Expired => ApiError::challenge_expired(),
        })?;
    let Claims::Challenge { i, n, .. } = claims else {
        return Err(ApiError::login_failed());
    };
    let identifier = Identifier::parse(&req.identifier).map_err(|_| ApiError::login_failed())?;
    if identifier.as_str() != i {
        return Err(ApiError::login_failed());
    }
    let nonce: [u8; 32] = hex::decode(&n)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(ApiError::login_failed)?;
    let signature: [u8; 64] = scrutin_crypto::encoding::decode_hex(&req.signature, 64, "signature")
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(ApiError::login_failed)?;
    let message = login_message(&state.election_id().await?, &identifier, &nonce);
    let verifies = |key: &[u8]| {
        <[u8; 32]>::try_from(key).is_ok_and(|k| verify_signature(&k, &message, &signature).is_ok())
    };

    let Some(right) = state
        .stores()
        .electors
        .right_by_identifier(identifier.as_str())
        .await?
    else {
        if let Some((old_key, _)) = state
            .stores()
            .electors
            .replaced_material(identifier.as_str())
            .await?
            && verifies(&old_key)
        {
            return Err(ApiError::material_replaced());
        }
        return Err(ApiError::login_failed());
    };
    if let Some(e) = locked(&right, now) {
        return Err(e);
    }
    let Some(login_key) = right.login_key.as_deref() else {
        return Err(ApiError::login_failed());
    };
    if !verifies(login_key) {
        return Err(count_failure(&state, &right, ApiError::login_failed()).await);
    }
    state
        .stores()
        .electors
        .reset_failures(&right.right_id)
        .await?;
    let expires = now + state.config().session_ttl;
    let (session, birth_date_required) = match right.birth_check {
        None => (
            Claims::Session {
                r: right.right_id.clone(),
                s: right.scrutin_id.clone(),
                m: right.material,
                e: expires.timestamp(),
            },
            false,
        ),
        Some(_) => (
            Claims::Step1 {
                r: right.right_id.clone(),
                m: right.material,
                e: expires.timestamp(),
            },
            true,
        ),
    };
    if !birth_date_required {
        count_login(&state, now).await;
    }
    Ok(Json(KeyResponse {
        session: state.0.tokens.issue(&session),
        birth_date_required,
        expires_at: paris_rfc3339(expires),
    }))
}

/// Counts a login that reached a full session, for CCI France's anonymous usage indicators
/// one number per day, nothing about the voter). Failing to count never refuses the
/// voter.
async fn count_login(state: &AppState, now: chrono::DateTime<chrono::Utc>) {
    if let Err(e) = state.stores().registry.count_login(now).await {
        tracing::warn!(error = %e, "could not count a login for the usage indicators");
    }
}

fn valid_birth_date(s: &str) -> bool {
    s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) && {
        let d: u32 = s[0..2].parse().unwrap_or(0);
        let m: u32 = s[2..4].parse().unwrap_or(0);
        (1..=31).contains(&d) && (1..=12).contains(&m)
    }
}

/// Step 2: the birth date (JJMMAAAA).
#[utoipa::path(post, path = "/api/v1/login/birth-date", tag = "login",
    request_body = BirthDateRequest,
    responses((status = 200, body = SessionResponse), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 423, body = ErrorBody)),
    security(("session" = [])))]
pub async fn birth_date(
    State(state): State<AppState>,
    step1: Step1,
    JsonBody(req): JsonBody<BirthDateRequest>,
) -> ApiResult<Json<SessionResponse>> {
    let now = state.now();
    let right = state
        .stores()
        .electors
        .right(&step1.right_id)
        .await?
        .ok_or_else(ApiError::unauthenticated)?;
    if right.material != step1.material {
        return Err(ApiError::material_replaced());
    }
    if let Some(e) = locked(&right, now) {
        return Err(e);
    }
    let birth = req.birth_date.trim();
    if !valid_birth_date(birth) {
        return Err(ApiError::invalid_birth_date());
    }
    if let Some(stored) = right.birth_check.as_deref() {
        let key = state.data_key(&right.chamber_code).await?;
        if !key.birth_matches(&right.right_id, birth, stored) {
            return Err(count_failure(&state, &right, ApiError::birth_date_mismatch()).await);
        }
    }
    state
        .stores()
        .electors
        .reset_failures(&right.right_id)
        .await?;
    count_login(&state, now).await;
    let expires = now + state.config().session_ttl;
    Ok(Json(SessionResponse {
        session: state.0.tokens.issue(&Claims::Session {
            r: right.right_id.clone(),
            s: right.scrutin_id.clone(),
            m: right.material,
            e: expires.timestamp(),
        }),
        expires_at: paris_rfc3339(expires),
    }))
}
