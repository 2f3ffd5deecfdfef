//! Gathering concurrent requests into batches: proofs are cheaper to check many at a
//! time (one random linear combination), and writes cheaper to commit many at a time
//! (one durable commit). A request's job waits in a queue; a runner takes every job that
//! is waiting (up to a maximum) as one batch, with at most a fixed number of batches
//! running at once. Under low load a batch holds one job and nothing waits.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::{Notify, Semaphore, mpsc};

/// Jobs that may wait at once before senders are slowed down.
const QUEUE: usize = 16 * 1024;

/// How a queue forms its batches.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Policy {
    /// Batches running at once.
    pub concurrency: usize,
    /// Largest batch.
    pub max_batch: usize,
    /// While another batch runs, a new one starts only once this many jobs wait (or when
    /// a running batch ends): larger batches cost less per job, and a job never waits
    /// longer than the batch ahead of it. 1 starts a batch as soon as a slot is free.
    pub gather: usize,
}

/// Starts a queue whose batches `run` handles as `policy` says. While batches run, new
/// jobs gather for the next. Needs a Tokio runtime.
pub(crate) fn start<J, F, Fut>(policy: Policy, run: F) -> mpsc::Sender<J>
where
    J: Send + 'static,
    F: Fn(Vec<J>) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let (tx, mut rx) = mpsc::channel::<J>(QUEUE);
    let permits = Arc::new(Semaphore::new(policy.concurrency.max(1)));
    let max_batch = policy.max_batch.max(1);
    let gather = policy.gather.clamp(1, max_batch);
    let running = Arc::new(AtomicUsize::new(0));
    let ended = Arc::new(Notify::new());
    tokio::spawn(async move {
        loop {
            let Ok(permit) = permits.clone().acquire_owned().await else {
                return;
            };
            let Some(first) = rx.recv().await else {
                return;
            };
            let mut batch = vec![first];
            let drain = |batch: &mut Vec<J>, rx: &mut mpsc::Receiver<J>| {
                while batch.len() < max_batch {
                    match rx.try_recv() {
                        Ok(job) => batch.push(job),
                        Err(_) => break,
                    }
                }
            };
            drain(&mut batch, &mut rx);
            while batch.len() < gather {
                // Registered before `running` is read, so an end in between still wakes us;
                // `notify_waiters` keeps no permit, so an old end does not cut a batch short.
                let notified = ended.notified();
                tokio::pin!(notified);
                notified.as_mut().enable();
                if running.load(Ordering::Acquire) == 0 {
                    break;
                }
                tokio::select! {
                    job = rx.recv() => match job {
                        Some(job) => {
                            batch.push(job);
                            drain(&mut batch, &mut rx);
                        }
                        None => break,
                    },
                    () = &mut notified => break,
                }
            }
            running.fetch_add(1, Ordering::AcqRel);
            let running = running.clone();
            let ended = ended.clone();
            let work = run(batch);
            tokio::spawn(async move {
                work.await;
                running.fetch_sub(1, Ordering::AcqRel);
                ended.notify_waiters();
                drop(permit);
            });
        }
    });
    tx
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use tokio::sync::oneshot;

    /// A job: its number, and what holds its batch running until the test lets it end.
    type Job = (u32, oneshot::Receiver<()>);

    /// While a batch runs, the next one forms until `gather` jobs wait, or until a running
    /// batch ends; with no batch running, a job starts at once.
    #[tokio::test]
    async fn batches_gather_while_another_runs() {
        let (started_tx, mut started) = mpsc::unbounded_channel::<Vec<u32>>();
        let policy = Policy {
            concurrency: 2,
            max_batch: 64,
            gather: 4,
        };
        let queue = start(policy, move |batch: Vec<Job>| {
            let started_tx = started_tx.clone();
            async move {
                started_tx
                    .send(batch.iter().map(|(n, _)| *n).collect())
                    .unwrap();
                for (_, hold) in batch {
                    let _ = hold.await;
                }
            }
        });
        let mut release = Vec::new();
        let mut send = async |n: u32| {
            let (tx, rx) = oneshot::channel();
            release.push(tx);
            queue.send((n, rx)).await.unwrap();
            // One thread: the runner takes the job before the test sends the next one.
            tokio::task::yield_now().await;
        };
        send(1).await;
        assert_eq!(started.recv().await.unwrap(), vec![1], "alone: at once");
        for n in 2..=5 {
            send(n).await;
        }
        assert_eq!(
            started.recv().await.unwrap(),
            vec![2, 3, 4, 5],
            "gathered to 4"
        );
        // Both slots busy: 6 and 7 wait for a slot, then for the other batch's end.
        send(6).await;
        send(7).await;
        let (first, second) = (release.remove(0), release.remove(0));
        first.send(()).unwrap();
        drop(second);
        for tx in release.drain(..3) {
            tx.send(()).unwrap();
        }
        assert_eq!(
            started.recv().await.unwrap(),
            vec![6, 7],
            "started when batches ended"
        );
    }
}
