//! The scheduler: claims due jobs from the store (a lease, so that several servers on one
//! PostgreSQL never run a job twice, and a job whose worker died is claimed again when the lease
//! expires), runs each through a [`JobRunner`], renews the lease while it runs, and records the
//! result.
//!
//! Jobs are put in the store with `Store::schedule(key, kind, payload, interval)` by whoever
//! knows the accounts (the CLI, from its configuration); the scheduler only claims and runs.

use std::sync::Arc;
use std::time::Duration;

use faasguard_store::{Job, Store};
use tokio::sync::watch;

use crate::enforce::BoxFuture;

/// How the scheduler claims work.
#[derive(Debug, Clone)]
pub struct SchedulerConfig {
    /// This worker's name in leases (unique per process: host and pid).
    pub worker_id: String,
    /// How long to wait before looking for due jobs again when none was due.
    pub poll_interval: Duration,
    /// How long a claim lasts without renewal; it is renewed every third of it while the job
    /// runs, so only a dead worker's job is claimed again.
    pub lease: Duration,
}

impl Default for SchedulerConfig {
    fn default() -> Self {
        SchedulerConfig {
            worker_id: format!("faasguard-{}", std::process::id()),
            poll_interval: Duration::from_secs(5),
            lease: Duration::from_mins(2),
        }
    }
}

/// What a finished job reports (kept as the job's last message).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobOutcome {
    pub message: String,
}

/// Why a job failed (kept as the job's last message; the job runs again at its next interval).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct JobError(pub String);

/// Runs one claimed job: for a cloud scan job, scan the account, store the report, evaluate
/// the assurance policies and carry out their actions.
pub trait JobRunner: Send + Sync + std::fmt::Debug {
    fn run<'a>(&'a self, job: &'a Job) -> BoxFuture<'a, Result<JobOutcome, JobError>>;
}

/// Claims and runs jobs until `stop` becomes true (a job in progress is then abandoned and its
/// lease released: it runs again on the next worker to claim it).
pub async fn run_scheduler(
    store: Store,
    runner: Arc<dyn JobRunner>,
    config: SchedulerConfig,
    mut stop: watch::Receiver<bool>,
) {
    tracing::info!(worker = %config.worker_id, "scheduler started");
    while !*stop.borrow() {
        match store.claim_due(&config.worker_id, config.lease).await {
            Ok(Some(job)) => run_one(&store, runner.as_ref(), &config, &job, &mut stop).await,
            Ok(None) => {
                tokio::select! {
                    () = tokio::time::sleep(config.poll_interval) => {}
                    _ = stop.changed() => {}
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot claim a job");
                tokio::select! {
                    () = tokio::time::sleep(config.poll_interval) => {}
                    _ = stop.changed() => {}
                }
            }
        }
    }
    tracing::info!(worker = %config.worker_id, "scheduler stopped");
}

/// Runs one claimed job, renewing its lease, until it finishes; abandons it when the lease is
/// lost to another worker, and when `stop` is signalled (the run is dropped and the lease
/// released, so the job is claimed again at once instead of after the lease expires).
async fn run_one(
    store: &Store,
    runner: &dyn JobRunner,
    config: &SchedulerConfig,
    job: &Job,
    stop: &mut watch::Receiver<bool>,
) {
    tracing::info!(job = %job.key, kind = %job.kind, "job started");
    let run = runner.run(job);
    tokio::pin!(run);
    let mut renew = tokio::time::interval((config.lease / 3).max(Duration::from_millis(100)));
    renew.tick().await;
    let result = loop {
        tokio::select! {
            result = &mut run => break result,
            _ = stop.changed() => {
                tracing::info!(job = %job.key, "stopping; job abandoned and its lease released");
                if let Err(e) = store.release_lease(&job.key, &config.worker_id).await {
                    tracing::warn!(job = %job.key, error = %e, "cannot release the lease");
                }
                return;
            }
            _ = renew.tick() => {
                match store.renew_lease(&job.key, &config.worker_id, config.lease).await {
                    Ok(true) => {}
                    // The lease expired (this worker was paused or cut off from the database
                    // for longer than it) and another worker claimed the job: stop, so that
                    // the job does not run twice. Dropping `run` cancels the runner's future;
                    // the job is the other worker's to complete.
                    Ok(false) => {
                        tracing::warn!(job = %job.key, "lease lost to another worker; job abandoned");
                        return;
                    }
                    Err(e) => {
                        tracing::warn!(job = %job.key, error = %e, "cannot renew the lease");
                    }
                }
            }
        }
    };
    let (ok, message) = match result {
        Ok(outcome) => (true, outcome.message),
        Err(e) => (false, e.0),
    };
    tracing::info!(job = %job.key, ok, message = %message, "job finished");
    if let Err(e) = store
        .complete(&job.key, &config.worker_id, ok, &message)
        .await
    {
        tracing::warn!(job = %job.key, error = %e, "cannot record the job's result");
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

    use std::sync::atomic::{AtomicBool, Ordering};

    use super::*;

    /// A job that never finishes on its own and records that its future was dropped.
    #[derive(Debug, Default)]
    struct Endless {
        started: Arc<AtomicBool>,
        dropped: Arc<AtomicBool>,
    }

    struct SetOnDrop(Arc<AtomicBool>);

    impl Drop for SetOnDrop {
        fn drop(&mut self) {
            self.0.store(true, Ordering::SeqCst);
        }
    }

    impl JobRunner for Endless {
        fn run<'a>(&'a self, _job: &'a Job) -> BoxFuture<'a, Result<JobOutcome, JobError>> {
            let guard = SetOnDrop(self.dropped.clone());
            self.started.store(true, Ordering::SeqCst);
            Box::pin(async move {
                let _guard = guard;
                std::future::pending::<()>().await;
                Ok(JobOutcome {
                    message: "never".to_owned(),
                })
            })
        }
    }

    async fn until(flag: &AtomicBool) {
        for _ in 0..100 {
            if flag.load(Ordering::SeqCst) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("timed out");
    }

    /// A scheduler with an [`Endless`] runner as `worker`, on a fresh SQLite store holding one
    /// job due now and every `interval`.
    struct Worker {
        store: Store,
        started: Arc<AtomicBool>,
        dropped: Arc<AtomicBool>,
        stop: watch::Sender<bool>,
        task: tokio::task::JoinHandle<()>,
        _dir: tempfile::TempDir,
    }

    async fn endless_worker(worker: &str, interval: Duration, lease: Duration) -> Worker {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.db");
        let store = Store::open(&path.display().to_string()).await.unwrap();
        store
            .schedule("scan", "test", &serde_json::json!({}), interval)
            .await
            .unwrap();
        let runner = Arc::new(Endless::default());
        let (started, dropped) = (runner.started.clone(), runner.dropped.clone());
        let (stop, stopped) = watch::channel(false);
        let config = SchedulerConfig {
            worker_id: worker.to_owned(),
            poll_interval: Duration::from_millis(50),
            lease,
        };
        let task = tokio::spawn(run_scheduler(store.clone(), runner, config, stopped));
        Worker {
            store,
            started,
            dropped,
            stop,
            task,
            _dir: dir,
        }
    }

    /// Stopping the scheduler in the middle of a job (a job that would never end) returns at
    /// once and releases the lease: another worker claims the job right away.
    #[tokio::test(flavor = "multi_thread")]
    async fn stopping_abandons_the_running_job_and_releases_it() {
        let w = endless_worker("leaving", Duration::from_hours(1), Duration::from_hours(1)).await;
        until(&w.started).await;
        w.stop.send(true).unwrap();
        tokio::time::timeout(Duration::from_secs(10), w.task)
            .await
            .expect("the scheduler stops while its job runs")
            .unwrap();
        assert!(w.dropped.load(Ordering::SeqCst), "the run was dropped");
        let jobs = w.store.list_jobs().await.unwrap();
        assert_eq!(jobs[0].lease_owner, None, "the lease was released");
        let next = w
            .store
            .claim_due("staying", Duration::from_hours(1))
            .await
            .unwrap()
            .expect("the job is due again at once");
        assert_eq!(next.attempts, 2);
    }

    /// A worker whose lease was taken over by another worker (its own lease had expired, as
    /// after a pause longer than the lease) stops running the job at its next renewal instead
    /// of running it a second time alongside the new owner, and never completes the job over
    /// the new owner's claim.
    #[tokio::test(flavor = "multi_thread")]
    async fn a_worker_that_lost_its_lease_abandons_the_job() {
        let Worker {
            store,
            started,
            dropped,
            stop: stop_tx,
            task,
            _dir,
        } = endless_worker(
            "paused",
            Duration::from_millis(1),
            Duration::from_millis(600),
        )
        .await;
        until(&started).await;
        // What an expired lease allows: the job is free again and another worker claims it.
        assert!(
            store
                .complete("scan", "paused", false, "expired")
                .await
                .unwrap()
        );
        let taken = store
            .claim_due("other", Duration::from_hours(1))
            .await
            .unwrap();
        until(&dropped).await;
        // (In the rare case that the renewal ran between the release and the other claim, the
        // paused worker saw its lease gone, abandoned the run and claimed the job again.)
        if taken.is_some() {
            let jobs = store.list_jobs().await.unwrap();
            assert_eq!(
                jobs[0].lease_owner.as_deref(),
                Some("other"),
                "the paused worker completed over the other's claim"
            );
        }
        stop_tx.send(true).unwrap();
        task.await.unwrap();
    }
}
