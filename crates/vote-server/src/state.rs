//! The shared state of a voting server: stores, configuration, clock and caches. Nothing
//! here is needed to serve a voter on another server: sessions are tokens, counters and
//! ballots are in the stores.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use scrutin_crypto::ballot::BallotStyle;
use scrutin_store::board::BoardCache;
use scrutin_store::sealing::DataKey;
use scrutin_store::{Scrutin, SharedClock, Stores};

use crate::casting::CastQueue;
use crate::config::VoteConfig;
use crate::error::ApiError;
use crate::session::TokenKey;
use crate::verify::BallotVerifier;

pub use scrutin_store::provision::ELECTION_ID_SETTING;

/// Cheap to clone: everything is behind one `Arc`.
#[derive(Clone)]
pub struct AppState(pub(crate) Arc<Inner>);

pub(crate) struct Inner {
    pub stores: Stores,
    pub config: VoteConfig,
    pub clock: SharedClock,
    pub tokens: TokenKey,
    pub verifier: BallotVerifier,
    pub casts: CastQueue,
    pub board: BoardCache,
    styles: Mutex<HashMap<String, (String, Arc<BallotStyle>)>>,
    data_keys: Mutex<HashMap<String, DataKey>>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState").finish_non_exhaustive()
    }
}

impl AppState {
    /// Builds the state; starts the ballot verification and cast queues (needs a Tokio
    /// runtime).
    pub fn new(stores: Stores, config: VoteConfig, clock: SharedClock) -> AppState {
        let verifier = BallotVerifier::start(
            config.verify_concurrency,
            config.verify_batch,
            config.verify_gather,
        );
        let casts = CastQueue::start(
            stores.clone(),
            clock.clone(),
            config.cast_concurrency,
            config.cast_batch,
        );
        let tokens = TokenKey::new(config.keys.session);
        AppState(Arc::new(Inner {
            stores,
            config,
            clock,
            tokens,
            verifier,
            casts,
            board: BoardCache::default(),
            styles: Mutex::new(HashMap::new()),
            data_keys: Mutex::new(HashMap::new()),
        }))
    }

    /// The stores.
    pub fn stores(&self) -> &Stores {
        &self.0.stores
    }

    /// The configuration.
    pub fn config(&self) -> &VoteConfig {
        &self.0.config
    }

    /// Now, from the injected clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.0.clock.now()
    }

    /// A scrutin, or `404 not_found`.
    pub(crate) async fn scrutin(&self, id: &str) -> Result<Scrutin, ApiError> {
        self.0
            .stores
            .registry
            .scrutin(id)
            .await?
            .ok_or_else(ApiError::not_found)
    }

    /// The parsed ballot style of a scrutin (cached while its JSON is unchanged).
    pub(crate) fn ballot_style(&self, scrutin: &Scrutin) -> Result<Arc<BallotStyle>, ApiError> {
        let mut styles = self.0.styles.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((json, style)) = styles.get(&scrutin.id)
            && *json == scrutin.ballot_style
        {
            return Ok(style.clone());
        }
        let style: BallotStyle = serde_json::from_str(&scrutin.ballot_style).map_err(|e| {
            tracing::error!(scrutin = %scrutin.id, error = %e, "stored ballot style does not parse");
            ApiError::internal()
        })?;
        let style = Arc::new(style);
        styles.insert(
            scrutin.id.clone(),
            (scrutin.ballot_style.clone(), style.clone()),
        );
        Ok(style)
    }

    /// The data key of a chamber, unwrapped with the master key (cached).
    pub(crate) async fn data_key(&self, chamber: &str) -> Result<DataKey, ApiError> {
        if let Some(k) = self
            .0
            .data_keys
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(chamber)
        {
            return Ok(k.clone());
        }
        let wrapped = self
            .0
            .stores
            .electors
            .data_key(chamber)
            .await?
            .ok_or_else(|| {
                tracing::error!(chamber, "no data key for this chamber (destroyed?)");
                ApiError::internal()
            })?;
        let key = self.0.config.keys.master.unwrap(chamber, &wrapped)?;
        self.0
            .data_keys
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(chamber.to_string(), key.clone());
        Ok(key)
    }

    /// The election identifier (registry setting).
    pub(crate) async fn election_id(&self) -> Result<String, ApiError> {
        self.0
            .stores
            .registry
            .setting(ELECTION_ID_SETTING)
            .await?
            .ok_or_else(|| {
                tracing::error!("the registry names no election");
                ApiError::internal()
            })
    }
}
