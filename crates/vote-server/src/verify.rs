//! Ballot proofs verified in batches: concurrent casts queue their ballots here and one
//! random linear combination checks a whole batch (`scrutin_crypto::batch`), several
//! times cheaper per ballot than one by one. A batch that fails is re-checked ballot by
//! ballot by the crypto crate, so a bad ballot is refused with its reason and never makes
//! a good one fail.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use scrutin_crypto::CryptoError;
use scrutin_crypto::ballot::{Ballot, BallotStyle};
use tokio::sync::{mpsc, oneshot};

struct Job {
    ballot: Arc<Ballot>,
    style: Arc<BallotStyle>,
    reply: oneshot::Sender<Result<(), CryptoError>>,
}

/// Handle on the verification queue.
#[derive(Clone, Debug)]
pub struct BallotVerifier {
    tx: mpsc::Sender<Job>,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Job")
    }
}

impl BallotVerifier {
    /// Starts the queue: at most `concurrency` batches run at once (on the blocking pool),
    /// each of at most `max_batch` ballots; while one runs, the next waits for `gather`
    /// ballots or for a running batch to end. While they run, new ballots gather.
    pub fn start(concurrency: usize, max_batch: usize, gather: usize) -> BallotVerifier {
        let policy = crate::batches::Policy {
            concurrency,
            max_batch,
            gather,
        };
        let tx = crate::batches::start(policy, |batch: Vec<Job>| async move {
            // A panic in the check drops the batch's replies: those casts fail, the server
            // goes on.
            let _ = tokio::task::spawn_blocking(move || verify_batch(batch)).await;
        });
        BallotVerifier { tx }
    }

    /// Verifies one ballot against its style (structure, signature, every proof).
    pub async fn verify(
        &self,
        ballot: Arc<Ballot>,
        style: Arc<BallotStyle>,
    ) -> Result<(), VerifyError> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Job {
                ballot,
                style,
                reply,
            })
            .await
            .map_err(|_| VerifyError::Stopped)?;
        rx.await
            .map_err(|_| VerifyError::Stopped)?
            .map_err(VerifyError::Refused)
    }
}

/// Why verification did not accept a ballot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyError {
    /// The ballot is refused, with the crypto crate's reason.
    Refused(CryptoError),
    /// The verification queue is gone (server shutting down).
    Stopped,
}

static BATCHES: AtomicU64 = AtomicU64::new(0);
static BALLOTS: AtomicU64 = AtomicU64::new(0);

/// Batches verified and ballots in them since the process started (for the load
/// generator's report: the average batch size shows whether batching works).
pub fn batch_stats() -> (u64, u64) {
    (
        BATCHES.load(Ordering::Relaxed),
        BALLOTS.load(Ordering::Relaxed),
    )
}

fn verify_batch(batch: Vec<Job>) {
    BATCHES.fetch_add(1, Ordering::Relaxed);
    BALLOTS.fetch_add(batch.len() as u64, Ordering::Relaxed);
    let pairs: Vec<(&Ballot, &BallotStyle)> =
        batch.iter().map(|j| (&*j.ballot, &*j.style)).collect();
    let mut results: Vec<Result<(), CryptoError>> = vec![Ok(()); batch.len()];
    if let Err(failure) = scrutin_crypto::batch::verify_ballots(&pairs, &mut rand::rngs::OsRng) {
        for f in failure.failures {
            if let Some(r) = results.get_mut(f.index) {
                *r = Err(f.error);
            }
        }
    }
    for (job, result) in batch.into_iter().zip(results) {
        // The caller may have gone (client disconnected): nothing to do then.
        let _ = job.reply.send(result);
    }
}
