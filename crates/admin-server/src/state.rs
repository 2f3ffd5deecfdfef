//! The shared state of the admin server: the stores, settings, clock, keys and mailer.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, RwLock};

use chrono::{DateTime, Utc};
use ed25519_dalek::SigningKey;
use scrutin_store::sealing::MasterKey;
use scrutin_store::{SharedClock, Stores, SystemClock};

use crate::config::AdminConfig;
use crate::error::AdminResult;
use crate::mail::Mailer;

/// A future returned by a seal-subject function.
pub type SubjectFuture = Pin<Box<dyn Future<Output = AdminResult<Vec<u8>>> + Send>>;

/// Recomputes the object a seal of one kind fixes, for a scope (`national`,
/// `chamber/<code>`, `scrutin/<id>`): the bytes whose SHA-256 is the seal's subject. Modules
/// that seal their own kinds (admin-tally: results, archive) register one with
/// [`AdminState::register_seal_subject`], so "check seals now" covers them.
pub type SubjectFn = Arc<dyn Fn(AdminState, String) -> SubjectFuture + Send + Sync>;

/// Everything a request handler needs; cheap to clone.
#[derive(Clone)]
pub struct AdminState(Arc<Inner>);

/// The state's parts.
pub struct Inner {
    /// The three stores.
    pub stores: Stores,
    /// Settings.
    pub config: AdminConfig,
    /// Time source.
    pub clock: SharedClock,
    /// The platform's seal key: signs seals and journal checkpoints (protocol §8).
    pub platform_key: SigningKey,
    /// Wraps the chambers' data keys (voter personal data at rest, R-83).
    pub master_key: MasterKey,
    /// Outgoing email.
    pub mailer: Mailer,
    subjects: RwLock<HashMap<String, SubjectFn>>,
}

impl std::fmt::Debug for AdminState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdminState")
            .field("stores", &self.0.stores)
            .field("config", &self.0.config)
            .finish_non_exhaustive()
    }
}

impl std::ops::Deref for AdminState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AdminState {
    /// A state on the system clock. The mailer follows `config.smtp`.
    pub fn new(
        stores: Stores,
        config: AdminConfig,
        platform_key: SigningKey,
        master_key: MasterKey,
    ) -> AdminResult<AdminState> {
        AdminState::with_clock(
            stores,
            config,
            platform_key,
            master_key,
            Arc::new(SystemClock),
        )
    }

    /// A state from the platform's key files (`scrutin-store::keys`), on the system clock.
    pub fn from_keys(
        stores: Stores,
        config: AdminConfig,
        keys: &scrutin_store::keys::PlatformKeys,
    ) -> AdminResult<AdminState> {
        AdminState::new(stores, config, keys.platform.clone(), keys.master.clone())
    }

    /// A state on a given clock (tests move time).
    pub fn with_clock(
        stores: Stores,
        config: AdminConfig,
        platform_key: SigningKey,
        master_key: MasterKey,
        clock: SharedClock,
    ) -> AdminResult<AdminState> {
        let mailer = Mailer::new(config.smtp.as_ref(), &config.mail_from)?;
        Ok(AdminState(Arc::new(Inner {
            stores,
            config,
            clock,
            platform_key,
            master_key,
            mailer,
            subjects: RwLock::new(HashMap::new()),
        })))
    }

    /// The current instant.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Registers how to recompute the object of a seal kind (by its name, e.g. `results`).
    pub fn register_seal_subject(&self, kind: &str, f: SubjectFn) {
        self.subjects
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(kind.to_owned(), f);
    }

    /// The registered subject function of a seal kind.
    pub fn seal_subject_fn(&self, kind: &str) -> Option<SubjectFn> {
        self.subjects
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(kind)
            .cloned()
    }
}
