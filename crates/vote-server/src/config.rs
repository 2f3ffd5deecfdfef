//! Configuration of a voting server.

use std::path::PathBuf;
use std::time::Duration as StdDuration;

use chrono::Duration;
use scrutin_store::board::EpochPolicy;
use scrutin_store::keys::PlatformKeys;

/// Everything a voting server needs besides its stores and clock.
#[derive(Debug, Clone)]
pub struct VoteConfig {
    /// The platform's keys (receipts and board heads, sessions, data keys).
    pub keys: PlatformKeys,
    /// Directory of the voter pages (`web/voter/`), served as static files.
    pub web_dir: Option<PathBuf>,
    /// Served over TLS (adds HSTS).
    pub tls: bool,
    /// Failures in a row that lock a right.
    pub lockout_threshold: i64,
    /// How long a lock lasts; nothing shortens it.
    pub lockout_duration: Duration,
    /// Lifetime of a login challenge.
    pub challenge_ttl: Duration,
    /// Lifetime of a session.
    pub session_ttl: Duration,
    /// When board epochs close.
    pub epoch_policy: EpochPolicy,
    /// How long a pending ballot without émargement waits before recovery deletes it.
    pub recovery_grace: StdDuration,
    /// Period of the background tasks (recovery, board epochs, journal checkpoints).
    pub background_period: StdDuration,
    /// Ballot batches verified at once (one per core is right).
    pub verify_concurrency: usize,
    /// Largest batch of ballots verified in one random linear combination.
    pub verify_batch: usize,
    /// While a batch is being verified, the next starts only once this many ballots wait
    /// (or when a batch ends): larger batches cost less per ballot.
    pub verify_gather: usize,
    /// Batches of casts written at once (each waits on its stores' commits, not a core).
    pub cast_concurrency: usize,
    /// Largest batch of casts written with one commit per step.
    pub cast_batch: usize,
}

impl VoteConfig {
    /// The defaults of specs/api.md with the given keys.
    pub fn new(keys: PlatformKeys) -> VoteConfig {
        VoteConfig {
            keys,
            web_dir: None,
            tls: false,
            lockout_threshold: 5,
            lockout_duration: Duration::minutes(15),
            challenge_ttl: Duration::minutes(2),
            session_ttl: Duration::minutes(30),
            epoch_policy: EpochPolicy::default(),
            recovery_grace: StdDuration::from_secs(60),
            background_period: StdDuration::from_secs(15),
            verify_concurrency: std::thread::available_parallelism().map_or(2, |n| n.get()),
            verify_batch: 64,
            verify_gather: 16,
            cast_concurrency: 4,
            cast_batch: 64,
        }
    }
}
