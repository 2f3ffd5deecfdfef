//! The JSON objects of the API (specs/api.md), with their OpenAPI schemas.

use scrutin_store::clock::{paris_rfc3339, paris_text};
use scrutin_store::{Scrutin, ScrutinState};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Help contacts of a scrutin (from the structure file).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct Assistance {
    /// Assistance message.
    pub message: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Email.
    pub email: Option<String>,
    /// Web page (candidates' statements).
    pub url: Option<String>,
}

/// A scrutin as voters see it (specs/api.md §2).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ScrutinView {
    /// Identifier.
    pub id: String,
    /// Chamber code.
    pub chamber_code: String,
    /// Chamber label.
    pub chamber_label: String,
    /// Category code.
    pub category: String,
    /// Sub-category code.
    pub sub_category: Option<String>,
    /// Label.
    pub label: String,
    /// `not_open_yet`, `open`, `suspended`, `closed`.
    #[schema(value_type = String)]
    pub state: ScrutinState,
    /// The commission's message while suspended.
    pub message: Option<String>,
    /// Opening, RFC 3339 Paris time.
    pub opens_at: String,
    /// Closing, RFC 3339 Paris time.
    pub closes_at: String,
    /// Opening, French sentence.
    pub opens_at_text: String,
    /// Closing, French sentence.
    pub closes_at_text: String,
    /// Help contacts.
    pub assistance: Assistance,
}

impl ScrutinView {
    /// The view of a stored scrutin at `now`.
    pub fn new(s: &Scrutin, now: chrono::DateTime<chrono::Utc>) -> ScrutinView {
        let assistance = serde_json::from_str::<serde_json::Value>(&s.sheet)
            .ok()
            .and_then(|v| v.get("assistance").cloned())
            .and_then(|a| serde_json::from_value(a).ok())
            .unwrap_or_default();
        ScrutinView {
            id: s.id.clone(),
            chamber_code: s.chamber_code.clone(),
            chamber_label: s.chamber_label.clone(),
            category: s.category.clone(),
            sub_category: s.sub_category.clone(),
            label: s.label.clone(),
            state: s.state_at(now),
            message: if s.state_at(now) == ScrutinState::Suspended {
                s.message.clone()
            } else {
                None
            },
            opens_at: paris_rfc3339(s.opens_at),
            closes_at: paris_rfc3339(s.closes_at),
            opens_at_text: paris_text(s.opens_at, false),
            closes_at_text: paris_text(s.closes_at, false),
            assistance,
        }
    }
}

/// `GET /api/v1/scrutins`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ScrutinList {
    /// Server time, RFC 3339 Paris time.
    pub server_time: String,
    /// Every scrutin.
    pub scrutins: Vec<ScrutinView>,
}

/// `GET /api/v1/platform-key`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PlatformKey {
    /// Ed25519 public key (hex) that signs receipts and board heads.
    pub public_key: String,
}

/// Login step 1a request.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChallengeRequest {
    /// The identifier as printed on the letter (separators allowed).
    pub identifier: String,
}

/// Login step 1a answer.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ChallengeResponse {
    /// Opaque challenge to send back at step 1b.
    pub challenge: String,
    /// The nonce to sign (hex, 32 bytes).
    pub nonce: String,
    /// The election identifier used in key derivation.
    pub election_id: String,
    /// Expiry, RFC 3339 Paris time.
    pub expires_at: String,
}

/// Login step 1b request.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyRequest {
    /// The identifier.
    pub identifier: String,
    /// The challenge of step 1a.
    pub challenge: String,
    /// Ed25519 signature of the login message (hex, 64 bytes).
    pub signature: String,
}

/// Login step 1b answer.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct KeyResponse {
    /// Session token (step-1 token when `birth_date_required`).
    pub session: String,
    /// Whether step 2 is needed.
    pub birth_date_required: bool,
    /// Expiry, RFC 3339 Paris time.
    pub expires_at: String,
}

/// Login step 2 request.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BirthDateRequest {
    /// JJMMAAAA.
    pub birth_date: String,
}

/// Login step 2 answer.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SessionResponse {
    /// Full session token.
    pub session: String,
    /// Expiry, RFC 3339 Paris time.
    pub expires_at: String,
}

/// The receipt's content.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct ReceiptContent {
    /// Scrutin.
    pub scrutin: String,
    /// Tracking code (hex, 32 bytes).
    pub tracking_code: String,
    /// Short tracking code shown to voters.
    pub tracking_code_short: String,
    /// Émargement instant, RFC 3339 Paris time.
    pub emargement_at: String,
    /// Émargement instant, French sentence.
    pub emargement_text: String,
}

/// `POST /api/v1/ballots` answer.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CastResponse {
    /// The receipt.
    pub receipt: ReceiptContent,
    /// Platform signature of the receipt bytes (hex, 64 bytes).
    pub signature: String,
    /// Platform public key (hex).
    pub platform_key: String,
}

/// `GET /api/v1/receipts/{tracking_code}`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ReceiptStatus {
    /// Scrutin.
    pub scrutin: String,
    /// Tracking code.
    pub tracking_code: String,
    /// In the ballot box.
    pub in_ballot_box: bool,
    /// Epoch that published it.
    pub epoch: Option<i64>,
    /// Whether its epoch is closed.
    pub published: bool,
}

/// One signed epoch head, as `scrutin-crypto` signs it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SignedHeadView {
    /// The log (scrutin).
    pub log_id: String,
    /// Epoch.
    pub epoch: u64,
    /// Leaves.
    pub tree_size: u64,
    /// Root (hex).
    pub root: String,
    /// Strict UTC RFC 3339, as signed.
    pub time: String,
    /// Signature (hex).
    pub signature: String,
}

/// An epoch head.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct HeadView {
    /// Epoch.
    pub epoch: i64,
    /// Leaves after this epoch.
    pub tree_size: i64,
    /// Root (hex).
    pub root: String,
    /// Close, RFC 3339 Paris time.
    pub closed_at: String,
    /// Signature (hex).
    pub signature: String,
    /// Exactly what was signed (protocol §11).
    pub signed: SignedHeadView,
}

/// `GET /api/v1/board/{scrutin_id}`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BoardView {
    /// Scrutin.
    pub scrutin: String,
    /// Platform public key (hex).
    pub platform_key: String,
    /// Heads in order.
    pub heads: Vec<HeadView>,
}

/// `GET /api/v1/board/{scrutin_id}/epochs/{epoch}`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct EpochView {
    /// Epoch.
    pub epoch: i64,
    /// Its tracking codes, sorted.
    pub tracking_codes: Vec<String>,
}

/// An inclusion proof.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct InclusionView {
    /// Leaf position.
    pub leaf_index: u64,
    /// Tree size.
    pub tree_size: u64,
    /// Root at that size (hex).
    pub root: String,
    /// Audit path (hex).
    pub path: Vec<String>,
}

/// A consistency proof.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ConsistencyView {
    /// Older size.
    pub from: u64,
    /// Newer size.
    pub to: u64,
    /// Proof (hex).
    pub path: Vec<String>,
}

/// `POST /api/v1/resend-requests` answer.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ResendAccepted {
    /// Request identifier.
    pub request_id: String,
    /// `pending`.
    pub status: String,
    /// What happens next, for the requester.
    pub message: String,
}
