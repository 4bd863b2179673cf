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

/// Claims and runs jobs until `stop` becomes true (the job in progress is finished first).
pub async fn run_scheduler(
    store: Store,
    runner: Arc<dyn JobRunner>,
    config: SchedulerConfig,
    mut stop: watch::Receiver<bool>,
) {
    tracing::info!(worker = %config.worker_id, "scheduler started");
    while !*stop.borrow() {
        match store.claim_due(&config.worker_id, config.lease).await {
            Ok(Some(job)) => run_one(&store, runner.as_ref(), &config, &job).await,
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

async fn run_one(store: &Store, runner: &dyn JobRunner, config: &SchedulerConfig, job: &Job) {
    tracing::info!(job = %job.key, kind = %job.kind, "job started");
    let run = runner.run(job);
    tokio::pin!(run);
    let mut renew = tokio::time::interval((config.lease / 3).max(Duration::from_millis(100)));
    renew.tick().await;
    let result = loop {
        tokio::select! {
            result = &mut run => break result,
            _ = renew.tick() => {
                if let Err(e) = store.renew_lease(&job.key, &config.worker_id, config.lease).await {
                    tracing::warn!(job = %job.key, error = %e, "cannot renew the lease");
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
