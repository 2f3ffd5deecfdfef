//! The test-only control API: what a commission and its trustees would do through the admin
//! server (suspend, resume, publish the board, tally), plus the single-ballot decryption that
//! only a test may do. Listens on its own loopback port, never on the voters' one.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use ed25519_dalek::SigningKey;
use scrutin_crypto::ballot::{Ballot, BallotStyle};
use scrutin_store::board::{EpochPolicy, close_epoch};
use scrutin_store::{StoredState, Stores};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::trustees::Trustees;

/// What the control routes share.
pub struct Control {
    /// The election's stores (the same the voting server uses).
    pub stores: Stores,
    /// The platform key that signs board heads.
    pub platform: SigningKey,
    /// The test trustees.
    pub trustees: Trustees,
}

struct Failure(StatusCode, String);

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        (self.0, Json(json!({ "error": self.1 }))).into_response()
    }
}

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
    }
}

type Reply = Result<Json<Value>, Failure>;

/// The control router.
pub fn router(control: Arc<Control>) -> Router {
    Router::new()
        .route("/scrutins/{id}/suspend", post(suspend))
        .route("/scrutins/{id}/resume", post(resume))
        .route("/board/{id}/close-epoch", post(publish))
        .route("/ballots/{tracking_code}", get(ballot))
        .route("/tally/{id}", get(tally))
        .with_state(control)
}

#[derive(Deserialize)]
struct Suspension {
    message: String,
}

async fn suspend(
    State(c): State<Arc<Control>>,
    Path(id): Path<String>,
    Json(s): Json<Suspension>,
) -> Reply {
    c.stores
        .registry
        .set_state(&id, StoredState::Suspended, Some(&s.message))
        .await?;
    Ok(Json(json!({ "scrutin": id, "state": "suspended" })))
}

async fn resume(State(c): State<Arc<Control>>, Path(id): Path<String>) -> Reply {
    c.stores
        .registry
        .set_state(&id, StoredState::Open, None)
        .await?;
    Ok(Json(json!({ "scrutin": id, "state": "open" })))
}

/// Closes the scrutin's current epoch now, whatever its size and age (as at the close of
/// the vote), so the test need not wait five minutes.
async fn publish(State(c): State<Arc<Control>>, Path(id): Path<String>) -> Reply {
    let head = close_epoch(
        &c.stores,
        &id,
        chrono::Utc::now(),
        &c.platform,
        EpochPolicy::default(),
        true,
    )
    .await?
    .ok_or_else(|| {
        Failure(
            StatusCode::CONFLICT,
            "no ballot waits for publication".into(),
        )
    })?;
    Ok(Json(
        json!({ "epoch": head.epoch, "tree_size": head.tree_size }),
    ))
}

async fn style_of(stores: &Stores, scrutin_id: &str) -> Result<BallotStyle, Failure> {
    let scrutin = stores
        .registry
        .scrutin(scrutin_id)
        .await?
        .ok_or_else(|| Failure(StatusCode::NOT_FOUND, format!("scrutin {scrutin_id}")))?;
    Ok(serde_json::from_str(&scrutin.ballot_style)?)
}

async fn ballot(State(c): State<Arc<Control>>, Path(code): Path<String>) -> Reply {
    let mut tc = [0u8; 32];
    hex::decode_to_slice(&code, &mut tc)
        .map_err(|e| Failure(StatusCode::BAD_REQUEST, e.to_string()))?;
    let status = c
        .stores
        .ballots
        .ballot_status(&tc)
        .await?
        .ok_or_else(|| Failure(StatusCode::NOT_FOUND, "no such ballot".into()))?;
    let json_text = c
        .stores
        .ballots
        .ballot(&tc)
        .await?
        .ok_or_else(|| Failure(StatusCode::NOT_FOUND, "ballot not confirmed".into()))?;
    let ballot = Ballot::from_json(&json_text)?;
    if ballot.tracking_code().as_bytes() != &tc {
        return Err(Failure(
            StatusCode::INTERNAL_SERVER_ERROR,
            "stored under another tracking code".into(),
        ));
    }
    let style = style_of(&c.stores, &status.scrutin_id).await?;
    let contests = c.trustees.decrypt_ballot(&ballot, &style)?;
    Ok(Json(
        json!({ "scrutin": status.scrutin_id, "verified": true, "contests": contests }),
    ))
}

async fn tally(State(c): State<Arc<Control>>, Path(id): Path<String>) -> Reply {
    let style = style_of(&c.stores, &id).await?;
    let ballots = c
        .stores
        .ballots
        .ballots(&id)
        .await?
        .iter()
        .map(|(_, text)| Ballot::from_json(text))
        .collect::<scrutin_crypto::Result<Vec<_>>>()?;
    let emargements = c.stores.electors.count_emargements(&id).await?;
    let contests = c.trustees.tally(&ballots, &style)?;
    Ok(Json(
        json!({ "scrutin": id, "emargements": emargements, "contests": contests }),
    ))
}
