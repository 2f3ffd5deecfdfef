//! The atomic casts of concurrent requests, written in batches: each step of the cast
//! (`scrutin_store::cast`) commits once for a whole batch instead of once per ballot, so
//! the stores' durable commits no longer grow with the rate of casts. Every ballot keeps
//! its own token and its own outcome; a batch behaves as if its ballots were cast one
//! after the other.

use chrono::{DateTime, Utc};
use scrutin_store::cast::{CastBallot, Outcome, cast_batch};
use scrutin_store::{SharedClock, Stores};
use tokio::sync::{mpsc, oneshot};

use crate::error::ApiError;

/// A verified ballot waiting for its cast, and where its outcome goes.
struct Job {
    cast: Cast,
    reply: oneshot::Sender<Result<Outcome, ApiError>>,
}

/// Handle on the cast queue.
#[derive(Clone, Debug)]
pub struct CastQueue {
    tx: mpsc::Sender<Job>,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Job")
    }
}

/// One ballot to cast (every check of protocol §6 before the émargement has passed).
#[derive(Debug, Clone)]
pub struct Cast {
    /// The voting right.
    pub right_id: String,
    /// Its scrutin.
    pub scrutin_id: String,
    /// The ballot's voting public key.
    pub voting_key: [u8; 32],
    /// The ballot's tracking code.
    pub tracking_code: [u8; 32],
    /// The ballot's JSON, as stored in the box.
    pub ballot: String,
}

impl CastQueue {
    /// Starts the queue: at most `concurrency` batches of at most `max_batch` casts are
    /// written at once; each batch takes its émargement instant from `clock` when it starts.
    pub fn start(
        stores: Stores,
        clock: SharedClock,
        concurrency: usize,
        max_batch: usize,
    ) -> CastQueue {
        let policy = crate::batches::Policy {
            concurrency,
            max_batch,
            // Writes wait on commits, not on a core: start them at once.
            gather: 1,
        };
        let tx = crate::batches::start(policy, move |batch: Vec<Job>| {
            let (stores, now) = (stores.clone(), clock.now());
            async move { write_batch(&stores, now, batch).await }
        });
        CastQueue { tx }
    }

    /// Casts one ballot with whatever other casts are waiting; the émargement instant or
    /// the refusal.
    pub async fn cast(&self, cast: Cast) -> Result<Outcome, ApiError> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Job { cast, reply })
            .await
            .map_err(|_| ApiError::unavailable())?;
        rx.await.map_err(|_| ApiError::unavailable())?
    }
}

async fn write_batch(stores: &Stores, now: DateTime<Utc>, batch: Vec<Job>) {
    let ballots: Vec<CastBallot<'_>> = batch
        .iter()
        .map(|Job { cast: c, .. }| CastBallot {
            right_id: &c.right_id,
            scrutin_id: &c.scrutin_id,
            voting_key: &c.voting_key,
            tracking_code: &c.tracking_code,
            ballot: &c.ballot,
        })
        .collect();
    let outcomes = cast_batch(stores, now, &ballots).await;
    drop(ballots);
    match outcomes {
        Ok(outcomes) => {
            for (job, outcome) in batch.into_iter().zip(outcomes) {
                // The caller may have gone (client disconnected): its cast stands anyway.
                let _ = job.reply.send(Ok(outcome));
            }
        }
        Err(e) => {
            let error = ApiError::from(e);
            for job in batch {
                let _ = job.reply.send(Err(error.clone()));
            }
        }
    }
}
