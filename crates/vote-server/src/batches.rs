//! Gathering concurrent requests into batches: proofs are cheaper to check many at a
//! time (one random linear combination), and writes cheaper to commit many at a time
//! (one durable commit). A request's job waits in a queue; a runner takes every job that
//! is waiting (up to a maximum) as one batch, with at most a fixed number of batches
//! running at once. Under low load a batch holds one job and nothing waits.

use std::future::Future;
use std::sync::Arc;

use tokio::sync::{Semaphore, mpsc};

/// Jobs that may wait at once before senders are slowed down.
const QUEUE: usize = 16 * 1024;

/// Starts a queue whose batches `run` handles, at most `concurrency` at once and each of
/// at most `max_batch` jobs. While batches run, new jobs gather for the next. Needs a
/// Tokio runtime.
pub(crate) fn start<J, F, Fut>(concurrency: usize, max_batch: usize, run: F) -> mpsc::Sender<J>
where
    J: Send + 'static,
    F: Fn(Vec<J>) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let (tx, mut rx) = mpsc::channel::<J>(QUEUE);
    let permits = Arc::new(Semaphore::new(concurrency.max(1)));
    let max_batch = max_batch.max(1);
    tokio::spawn(async move {
        loop {
            let Ok(permit) = permits.clone().acquire_owned().await else {
                return;
            };
            let Some(first) = rx.recv().await else {
                return;
            };
            let mut batch = vec![first];
            while batch.len() < max_batch {
                match rx.try_recv() {
                    Ok(job) => batch.push(job),
                    Err(_) => break,
                }
            }
            let running = run(batch);
            tokio::spawn(async move {
                running.await;
                drop(permit);
            });
        }
    });
    tx
}
