//! `faasguard serve` (the API, the dashboard and the scheduler of periodic cloud scans with
//! Function Assurance) and `faasguard token` (API tokens in the store).
//!
//! The server itself is `faasguard-server`; this module supplies what it needs from the rest of
//! faasguard: an [`Enforcer`] over `faasguard_aws::Enforcer`, a [`JobRunner`] that runs the
//! same cloud scan as `faasguard cloud scan`, records it in the store, evaluates the assurance
//! policies and (with `--enforce`) carries out their actions, and a [`Ledger`] over the store
//! so that a block made by the scheduler is the one the dashboard unblocks.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use faasguard_assurance::{
    AuditEntry, BlockRecord, Date, EvalContext, Ledger, LedgerError, Status, evaluate,
};
use faasguard_aws::{BlockOutcome as AwsBlock, UnblockOutcome as AwsUnblock};
use faasguard_server::{
    BoxFuture, EnforceError, EnforceOutcome, Enforcer, FunctionTarget, JobError, JobOutcome,
    JobRunner, ServeConfig,
};
use faasguard_store::{
    AuditInput, BlockInput, BlockOutcome, Job, Outcome, PolicyResultInput, Role, Store,
};

use crate::cloud::CloudScanInput;

/// The scheduler's job: one cloud scan (with assurance) of everything the AWS flags name.
const CLOUD_JOB: &str = "cloud-scan";

#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// The store: a SQLite file (created if missing) or a `postgres://` URL.
    #[arg(
        long,
        value_name = "URL|PATH",
        default_value = ".faasguard/faasguard.db"
    )]
    database: String,
    /// Where the API and dashboard listen (loopback by default).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8780")]
    listen: SocketAddr,
    /// The assurance policy file (assurance.yaml): evaluated after each scheduled scan, shown
    /// and edited (admin) through the API.
    #[arg(long, value_name = "FILE")]
    policy: Option<PathBuf>,
    /// How often the scheduled cloud scan runs (`30s`, `15m`, `6h`, `1d`).
    #[arg(long, value_name = "DURATION", default_value = "6h", value_parser = parse_duration)]
    every: Duration,
    /// Carry out the policies' actions (notify, block) after each scheduled scan; without
    /// it, the results are recorded and nothing is done to the functions.
    #[arg(long)]
    enforce: bool,
    /// Serve the API and dashboard only: no scheduled scans from this process.
    #[arg(long)]
    no_scheduler: bool,
    /// This worker's name in job leases [default: faasguard-<host>-<pid>].
    #[arg(long, value_name = "NAME")]
    worker_id: Option<String>,
    /// How long a worker's claim on a job lasts without renewal (renewed while the job runs;
    /// a dead worker's job is claimed again after it).
    #[arg(long, value_name = "DURATION", default_value = "2m", value_parser = parse_duration)]
    lease: Duration,
    /// Days of CloudWatch invocations read for `max_unused_days` (when a policy uses it).
    #[arg(long, default_value_t = 90, value_name = "DAYS")]
    window: u32,
    /// Scans (and their policy results) older than this many days are deleted after each
    /// scheduled scan; the findings' history, blocks and the audit log are kept.
    #[arg(long, default_value_t = 180, value_name = "DAYS")]
    retention_days: u32,
    #[command(flatten)]
    scan: CloudScanInput,
}

#[derive(Debug, Subcommand)]
pub(crate) enum TokenCommand {
    /// Create an API token and print it (the only time it is shown; the store keeps a hash).
    Create(TokenCreateArgs),
    /// List the tokens (names, roles, ids; never the tokens).
    List(TokenDbArgs),
    /// Revoke a token by id.
    Revoke(TokenRevokeArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum TokenRole {
    Viewer,
    Admin,
}

#[derive(Debug, Args)]
pub(crate) struct TokenDbArgs {
    /// The store: a SQLite file or a `postgres://` URL.
    #[arg(
        long,
        value_name = "URL|PATH",
        default_value = ".faasguard/faasguard.db"
    )]
    database: String,
}

#[derive(Debug, Args)]
pub(crate) struct TokenCreateArgs {
    /// A name for the token (shown in the audit log as the actor).
    name: String,
    #[arg(long, value_enum, default_value_t = TokenRole::Viewer)]
    role: TokenRole,
    #[command(flatten)]
    db: TokenDbArgs,
}

#[derive(Debug, Args)]
pub(crate) struct TokenRevokeArgs {
    /// The token's id (from `faasguard token list`).
    id: String,
    #[command(flatten)]
    db: TokenDbArgs,
}

/// `30s`, `15m`, `6h`, `1d` (or plain seconds).
fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, unit) = text
        .find(|c: char| !c.is_ascii_digit())
        .map_or((text, "s"), |i| text.split_at(i));
    let n: u64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration such as 30s, 15m, 6h or 1d"))?;
    let seconds = match unit {
        "s" => n,
        "m" => n.saturating_mul(60),
        "h" => n.saturating_mul(3600),
        "d" => n.saturating_mul(86_400),
        _ => return Err(format!("`{text}`: the unit must be s, m, h or d")),
    };
    if seconds == 0 {
        return Err("the interval must be longer than zero".to_owned());
    }
    Ok(Duration::from_secs(seconds))
}

/// Creates the directory of a SQLite path, so that the default `.faasguard/faasguard.db`
/// works on first use.
pub(crate) fn prepare_database(database: &str) -> Result<()> {
    if database.starts_with("postgres://") || database.starts_with("postgresql://") {
        return Ok(());
    }
    let path = PathBuf::from(database.strip_prefix("sqlite:").unwrap_or(database));
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the directory of {}", path.display()))?;
    }
    Ok(())
}

pub(crate) fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

pub(crate) fn run_token(command: &TokenCommand) -> Result<ExitCode> {
    let db = match command {
        TokenCommand::Create(a) => &a.db,
        TokenCommand::List(a) => a,
        TokenCommand::Revoke(a) => &a.db,
    };
    prepare_database(&db.database)?;
    let rt = runtime()?;
    rt.block_on(async {
        let store = Store::open(&db.database).await?;
        match command {
            TokenCommand::Create(a) => {
                let role = match a.role {
                    TokenRole::Viewer => Role::Viewer,
                    TokenRole::Admin => Role::Admin,
                };
                let token = store
                    .create_token(&a.name, role, &crate::assure::local_user())
                    .await?;
                crate::assure::emit(None, format!("{}\n", token.plaintext).as_bytes())?;
                eprintln!(
                    "created token {} ({}, {}); it is not shown again",
                    token.info.id,
                    token.info.name,
                    role.as_str()
                );
            }
            TokenCommand::List(_) => {
                let mut out = String::new();
                for t in store.list_tokens().await? {
                    let state = if t.revoked_at.is_some() {
                        "revoked"
                    } else {
                        "active"
                    };
                    let _ = writeln!(out, "{}\t{}\t{}\t{state}", t.id, t.name, t.role.as_str());
                }
                crate::assure::emit(None, out.as_bytes())?;
            }
            TokenCommand::Revoke(a) => {
                if store.revoke_token(&a.id).await? {
                    eprintln!("revoked {}", a.id);
                } else {
                    anyhow::bail!("no active token {}", a.id);
                }
            }
        }
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn run_serve(args: ServeArgs) -> Result<ExitCode> {
    prepare_database(&args.database)?;
    if let Some(policy) = &args.policy
        && let Err(code) = crate::assure::read_policy(policy)
    {
        return Ok(code);
    }
    let settings = crate::cloud::cloud_settings(&args.scan.aws)?;
    let enforcer = Arc::new(faasguard_aws::Enforcer::connect(&settings)?);
    for e in enforcer.errors() {
        eprintln!(
            "warning: aws:{}: {} failed: {} (block/unblock there will fail)",
            e.account, e.operation, e.message
        );
    }
    let worker_id = args.worker_id.clone().unwrap_or_else(|| {
        format!(
            "faasguard-{}-{}",
            crate::assure::hostname(),
            std::process::id()
        )
    });
    let rt = runtime()?;
    let args = Arc::new(args);
    rt.block_on(async move {
        let mut config = ServeConfig::new(args.database.clone());
        config.listen = args.listen;
        config.policy_path.clone_from(&args.policy);
        config.enforcer = Some(Arc::new(AwsEnforcer(enforcer.clone())));
        config.scheduler.worker_id = worker_id;
        config.scheduler.lease = args.lease;
        if !args.no_scheduler {
            let store = Store::open(&args.database).await?;
            schedule_jobs(&store, &args, &settings).await?;
            config.runner = Some(Arc::new(CloudRunner {
                args: args.clone(),
                store,
                enforcer,
            }));
        }
        eprintln!(
            "faasguard serve: http://{} (database {})",
            args.listen,
            if args.database.contains("://") && !args.database.starts_with("sqlite:") {
                "postgres"
            } else {
                args.database.as_str()
            }
        );
        faasguard_server::serve(config).await?;
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// The scheduled jobs: one per account, so that several workers scan different accounts at
/// once — one per `--assume-role`, and with `--org-role` one for the caller's account plus one
/// per account of the organisation (listed now) — or one job for everything otherwise. Jobs
/// of accounts no longer named are removed.
async fn schedule_jobs(
    store: &Store,
    args: &ServeArgs,
    settings: &faasguard_aws::CloudSettings,
) -> Result<()> {
    let mut jobs: Vec<(String, serde_json::Value)> = Vec::new();
    let mut roles: Vec<String> = args.scan.aws.assume_roles().to_vec();
    if args.scan.aws.has_org_role() {
        match faasguard_aws::organisation_roles(settings).await {
            Ok(found) => {
                jobs.push((
                    format!("{CLOUD_JOB}:caller"),
                    serde_json::json!({ "caller": true }),
                ));
                roles.extend(found);
            }
            Err(e) => {
                eprintln!(
                    "warning: cannot list the organisation's accounts ({e}); one job reads the whole organisation"
                );
                jobs.push((CLOUD_JOB.to_owned(), serde_json::json!({})));
            }
        }
    } else if roles.is_empty() {
        jobs.push((CLOUD_JOB.to_owned(), serde_json::json!({})));
    }
    roles.sort();
    roles.dedup();
    jobs.extend(roles.into_iter().map(|role| {
        (
            format!("{CLOUD_JOB}:{role}"),
            serde_json::json!({ "assume_role": role }),
        )
    }));
    for old in store.list_jobs().await? {
        if old.kind == CLOUD_JOB && !jobs.iter().any(|(key, _)| *key == old.key) {
            store.unschedule(&old.key).await?;
        }
    }
    for (key, payload) in &jobs {
        store.schedule(key, CLOUD_JOB, payload, args.every).await?;
    }
    Ok(())
}

/// Block and unblock from the dashboard and API, through `faasguard_aws::Enforcer` (which
/// blocks its thread, so it runs on the blocking pool).
#[derive(Debug)]
struct AwsEnforcer(Arc<faasguard_aws::Enforcer>);

fn epoch_now() -> i64 {
    crate::cloud::now_epoch_s().unwrap_or_default()
}

impl Enforcer for AwsEnforcer {
    fn block<'a>(
        &'a self,
        target: &'a FunctionTarget,
    ) -> BoxFuture<'a, Result<EnforceOutcome, EnforceError>> {
        let inner = self.0.clone();
        let arn = target.arn.clone();
        Box::pin(async move {
            let at = faasguard_assurance::rfc3339(epoch_now());
            let outcome = tokio::task::spawn_blocking(move || inner.block(&arn, "dashboard", &at))
                .await
                .map_err(|e| EnforceError(e.to_string()))?
                .map_err(|e| EnforceError(e.to_string()))?;
            Ok(match outcome {
                AwsBlock::Blocked { previous } => EnforceOutcome {
                    previous,
                    current: Some(0),
                    changed: true,
                },
                AwsBlock::AlreadyBlocked { tag } => EnforceOutcome {
                    previous: tag.previous,
                    current: Some(0),
                    changed: false,
                },
                AwsBlock::AlreadyZero => EnforceOutcome {
                    previous: Some(0),
                    current: Some(0),
                    changed: false,
                },
            })
        })
    }

    fn unblock<'a>(
        &'a self,
        target: &'a FunctionTarget,
        previous: Option<i32>,
    ) -> BoxFuture<'a, Result<EnforceOutcome, EnforceError>> {
        let inner = self.0.clone();
        let arn = target.arn.clone();
        Box::pin(async move {
            let outcome = tokio::task::spawn_blocking(move || inner.unblock(&arn, Some(previous)))
                .await
                .map_err(|e| EnforceError(e.to_string()))?
                .map_err(|e| EnforceError(e.to_string()))?;
            match outcome {
                AwsUnblock::Restored { previous } => Ok(EnforceOutcome {
                    previous,
                    current: previous,
                    changed: true,
                }),
                AwsUnblock::NotBlocked { current, .. } => Ok(EnforceOutcome {
                    previous,
                    current,
                    changed: false,
                }),
                AwsUnblock::NothingRecorded => Err(EnforceError(
                    "no previous reserved concurrency is recorded for this function".into(),
                )),
            }
        })
    }
}

/// Runs the scheduled cloud scan with assurance.
#[derive(Debug)]
struct CloudRunner {
    args: Arc<ServeArgs>,
    store: Store,
    enforcer: Arc<faasguard_aws::Enforcer>,
}

impl JobRunner for CloudRunner {
    fn run<'a>(&'a self, job: &'a Job) -> BoxFuture<'a, Result<JobOutcome, JobError>> {
        Box::pin(async move {
            if job.kind != CLOUD_JOB {
                return Err(JobError(format!("unknown job kind `{}`", job.kind)));
            }
            let mut cycle_args = Cycle::of(&self.args);
            if let Some(role) = job.payload.get("assume_role").and_then(|r| r.as_str()) {
                cycle_args.scan.aws = cycle_args.scan.aws.only_role(role);
                cycle_args.scope = Some(format!("aws:{role}"));
            } else if job.payload.get("caller").is_some() {
                cycle_args.scan.aws = cycle_args.scan.aws.only_caller();
                cycle_args.scope = Some("aws:caller".to_owned());
            }
            let args = Arc::new(cycle_args);
            let store = self.store.clone();
            let enforcer = self.enforcer.clone();
            let handle = tokio::runtime::Handle::current();
            // The scheduler drops this future when it loses the job's lease to another
            // worker; the blocking scan cannot be interrupted, but it then stores and does
            // nothing.
            let abandoned = Arc::new(AtomicBool::new(false));
            let _on_drop = SetOnDrop(abandoned.clone());
            tokio::task::spawn_blocking(move || {
                cycle(&args, &store, &enforcer, &handle, &abandoned)
            })
            .await
            .map_err(|e| JobError(format!("the scan task failed: {e}")))?
            .map_err(|e| JobError(format!("{e:#}")))
        })
    }
}

/// Sets its flag when dropped (with the job's future, when the scheduler abandons the job).
struct SetOnDrop(Arc<AtomicBool>);

impl Drop for SetOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// A line on standard error from the scheduler (the server logs nothing else there).
fn note(text: &str) {
    eprintln!("faasguard serve: {text}");
}

/// Fails once the scheduler abandoned the job (another worker holds it now).
fn still_ours(abandoned: &AtomicBool) -> Result<()> {
    if abandoned.load(Ordering::SeqCst) {
        anyhow::bail!("abandoned: the job's lease was lost to another worker");
    }
    Ok(())
}

/// What one scheduled cycle needs from the command line (the scan narrowed to one account for
/// a per-account job).
#[derive(Debug)]
struct Cycle {
    policy: Option<PathBuf>,
    window: u32,
    retention_days: u32,
    enforce: bool,
    scan: CloudScanInput,
    /// The scan scope's account part (`aws:<role ARN>`, `aws:caller`); `None` = `aws`.
    scope: Option<String>,
}

impl Cycle {
    fn of(args: &ServeArgs) -> Cycle {
        Cycle {
            scope: None,
            policy: args.policy.clone(),
            window: args.window,
            retention_days: args.retention_days,
            enforce: args.enforce,
            scan: args.scan.clone(),
        }
    }
}

/// One scheduled cycle: scan, record, evaluate, act. Runs on a blocking thread. Stores and
/// acts only while `abandoned` is false.
fn cycle(
    args: &Cycle,
    store: &Store,
    enforcer: &Arc<faasguard_aws::Enforcer>,
    handle: &tokio::runtime::Handle,
    abandoned: &AtomicBool,
) -> Result<JobOutcome> {
    let policy = match &args.policy {
        Some(path) => Some(
            crate::assure::read_policy(path)
                .map_err(|_| anyhow::anyhow!("{} is not a valid policy file", path.display()))?,
        ),
        None => None,
    };
    let window = policy
        .as_ref()
        .filter(|f| {
            f.policies
                .iter()
                .any(|p| p.conditions.max_unused_days.is_some())
        })
        .map(|_| args.window);
    let (report, _, _) = crate::cloud::scan_report(&args.scan, None, None, None, window)?;
    // A scan with diagnostics (a region, role or function that could not be read) is
    // incomplete: it adds and updates, but marks nothing fixed or deleted.
    let complete = report.diagnostics.is_empty();
    // The scope decides what a complete scan may mark fixed or deleted: each account's job has
    // its own.
    let scope = format!(
        "{}:{}",
        args.scope.as_deref().unwrap_or("aws"),
        args.scan.aws.regions_text()
    );
    still_ours(abandoned)?;
    let summary = handle.block_on(store.record_scan("cloud", &scope, &report, complete))?;
    let pruned = handle.block_on(store.prune(args.retention_days))?;
    if pruned.scans > 0 {
        note(&format!(
            "retention: {} scans older than {} days deleted",
            pruned.scans, args.retention_days
        ));
    }
    let mut message = format!(
        "{} functions, {} findings{}",
        report.functions.len(),
        report.findings.len(),
        if complete { "" } else { " (incomplete scan)" }
    );
    let Some(file) = policy else {
        return Ok(JobOutcome { message });
    };
    let recorded = if args.scan.expect.is_empty() {
        None
    } else {
        Some(crate::cloud::read_records(&args.scan.expect)?)
    };
    let ctx = EvalContext {
        today: Date::parse(&crate::today()?).context("today's date")?,
        recorded,
    };
    let assessment = evaluate(&file, &report, &ctx);
    let results = policy_results(&assessment);
    still_ours(abandoned)?;
    handle.block_on(store.record_policy_results(summary.id, &results))?;
    let violations = results
        .iter()
        .filter(|r| r.outcome == Outcome::Violation)
        .count();
    let _ = write!(message, ", {violations} policy violations");
    if args.enforce {
        still_ours(abandoned)?;
        let ledger = StoreLedger {
            store: store.clone(),
            handle: handle.clone(),
        };
        let mut actor = crate::assure::Actor::new(
            &file,
            Some(enforcer.clone()),
            Box::new(ledger),
            "scheduler".to_owned(),
        )?;
        actor.carry_out(&assessment);
        if actor.failed() {
            message.push_str("; some actions failed (see the audit log)");
        }
    }
    Ok(JobOutcome { message })
}

/// The store's policy results of an assessment (an unassessed condition counts as a violation).
pub(crate) fn policy_results(
    assessment: &faasguard_assurance::Assessment,
) -> Vec<PolicyResultInput> {
    assessment
        .functions
        .iter()
        .flat_map(|f| {
            f.results.iter().map(move |r| PolicyResultInput {
                policy: r.policy.clone(),
                function_key: f.id.clone(),
                outcome: match r.status {
                    Status::Pass => Outcome::Pass,
                    Status::Violation | Status::Unassessed => Outcome::Violation,
                    Status::Excepted => Outcome::Excepted,
                    Status::OutOfScope => Outcome::OutOfScope,
                },
                reasons: serde_json::to_value(r).unwrap_or_default(),
                action: (r.status == Status::Violation).then(|| r.action.as_str().to_owned()),
            })
        })
        .collect()
}

/// The assurance ledger over the store: blocks the scheduler makes are the store's blocks,
/// which the dashboard shows and unblocks. Store calls run on `handle` from a blocking thread.
pub(crate) struct StoreLedger {
    pub(crate) store: Store,
    pub(crate) handle: tokio::runtime::Handle,
}

/// The store's key of a Lambda function ARN: `account/region/name` (the cloud report's id).
fn key_of(arn: &str) -> String {
    let parts: Vec<&str> = arn.split(':').collect();
    match parts.as_slice() {
        ["arn", _, "lambda", region, account, "function", name, ..] => {
            format!("{account}/{region}/{name}")
        }
        _ => arn.to_owned(),
    }
}

fn ledger_error(e: &faasguard_store::StoreError) -> LedgerError {
    LedgerError::Other(e.to_string())
}

impl Ledger for StoreLedger {
    fn block_of(&self, arn: &str) -> Result<Option<BlockRecord>, LedgerError> {
        let block = self
            .handle
            .block_on(self.store.active_block(&key_of(arn)))
            .map_err(|e| ledger_error(&e))?;
        Ok(block.map(|b| BlockRecord {
            arn: arn.to_owned(),
            previous: b.previous_concurrency.and_then(|v| i32::try_from(v).ok()),
            policy: b.policy.unwrap_or_default(),
            at: faasguard_assurance::rfc3339(b.blocked_at / 1000),
            actor: b.blocked_by,
        }))
    }

    fn record_block(&mut self, record: &BlockRecord) -> Result<bool, LedgerError> {
        let outcome = self
            .handle
            .block_on(self.store.record_block(&BlockInput {
                function_key: key_of(&record.arn),
                previous_concurrency: record.previous.map(i64::from),
                policy: Some(record.policy.clone()),
                actor: record.actor.clone(),
            }))
            .map_err(|e| ledger_error(&e))?;
        Ok(matches!(outcome, BlockOutcome::Recorded(_)))
    }

    fn take_block(&mut self, arn: &str) -> Result<Option<BlockRecord>, LedgerError> {
        let key = key_of(arn);
        // Only an active block is taken (the store audits the release itself).
        let Some(existing) = self.block_of(arn)? else {
            return Ok(None);
        };
        self.handle
            .block_on(self.store.take_block(&key, &existing.actor))
            .map_err(|e| ledger_error(&e))?;
        Ok(Some(existing))
    }

    fn append_audit(&mut self, entry: &AuditEntry) -> Result<(), LedgerError> {
        // The store writes the block's own audit entry with the block, in one transaction.
        if entry.action == "block" {
            return Ok(());
        }
        self.handle
            .block_on(self.store.append_audit(&AuditInput {
                actor: entry.actor.clone(),
                action: entry.action.clone(),
                function_key: Some(key_of(&entry.function)),
                policy: entry.policy.clone(),
                details: serde_json::json!({
                    "channel": entry.channel,
                    "before": entry.before,
                    "after": entry.after,
                    "detail": entry.detail,
                }),
            }))
            .map(|_| ())
            .map_err(|e| ledger_error(&e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Durations take s/m/h/d and refuse zero and unknown units; ARNs map to store keys.
    #[test]
    fn durations_and_keys() {
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("15m"), Ok(Duration::from_mins(15)));
        assert_eq!(parse_duration("6h"), Ok(Duration::from_hours(6)));
        assert_eq!(parse_duration("1d"), Ok(Duration::from_hours(24)));
        assert_eq!(parse_duration("45"), Ok(Duration::from_secs(45)));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("5w").is_err());
        assert!(parse_duration("soon").is_err());
        assert_eq!(
            key_of("arn:aws:lambda:eu-west-1:111122223333:function:pay"),
            "111122223333/eu-west-1/pay"
        );
        assert_eq!(
            key_of("arn:aws:lambda:eu-west-1:111122223333:function:pay:prod"),
            "111122223333/eu-west-1/pay"
        );
    }
}
