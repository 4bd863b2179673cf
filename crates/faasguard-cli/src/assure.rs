//! `faasguard assure` (Function Assurance: policies over a cloud scan, notify or block) and
//! `faasguard unblock`.
//!
//! The policies, evaluation, notifications and the ledger live in `faasguard-assurance`; block
//! and unblock in `faasguard_aws::Enforcer`. This module reads the files, runs the scan (or
//! reads a report), carries out the actions under `--enforce`, and writes the audit log.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use serde::Serialize;

use faasguard_assurance::{
    Action, Assessment, AuditEntry, BlockRecord, Date, EvalContext, FileLedger, FunctionResult,
    Ledger, LedgerError, Notice, Notifier, PolicyFile, PolicyResult, Status, evaluate,
    render_table,
};
use faasguard_aws::{BlockOutcome, Enforcer, UnblockOutcome};
use faasguard_report::Report;

use crate::cloud::{AwsArgs, CloudScanInput};

/// Largest report read with `--from`.
const MAX_REPORT_BYTES: u64 = 512 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum AssureFormat {
    Table,
    Json,
}

#[derive(Debug, Args)]
pub(crate) struct AssureArgs {
    /// The policy file (assurance.yaml).
    #[arg(long, value_name = "FILE")]
    policy: PathBuf,
    /// Evaluate this report of `faasguard cloud scan --format json` instead of scanning now
    /// (the AWS flags then only matter for --enforce).
    #[arg(long, value_name = "FILE")]
    from: Option<PathBuf>,
    #[command(flatten)]
    scan: CloudScanInput,
    /// Carry out the actions (notify, block); without it, print what would be done.
    #[arg(long)]
    enforce: bool,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = AssureFormat::Table)]
    format: AssureFormat,
    /// Write the result to this file instead of standard output.
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// Who acts, for the audit log [default: the AWS caller identity ARN, else $USER].
    #[arg(long, value_name = "NAME")]
    actor: Option<String>,
    /// Where blocks and the audit log are kept (blocks.json, audit.jsonl) without --database.
    #[arg(long, value_name = "DIR", default_value = ".faasguard")]
    state: PathBuf,
    /// Keep blocks and the audit log in this store (a SQLite path or postgres://…), the one
    /// `faasguard serve` uses, instead of --state; the scan and the policy results are
    /// recorded there too (a scan read with --from as an incomplete one: it marks nothing
    /// fixed or deleted).
    #[arg(long, value_name = "URL")]
    database: Option<String>,
    /// Days of CloudWatch invocations read for `max_unused_days` (when a policy uses it).
    #[arg(long, default_value_t = 90, value_name = "DAYS")]
    window: u32,
}

#[derive(Debug, Args)]
pub(crate) struct UnblockArgs {
    /// Function ARNs to unblock.
    #[arg(required = true, value_name = "FUNCTION_ARN")]
    arns: Vec<String>,
    #[command(flatten)]
    aws: AwsArgs,
    /// Who acts, for the audit log [default: the AWS caller identity ARN, else $USER].
    #[arg(long, value_name = "NAME")]
    actor: Option<String>,
    /// Where blocks and the audit log are kept (blocks.json, audit.jsonl) without --database.
    #[arg(long, value_name = "DIR", default_value = ".faasguard")]
    state: PathBuf,
    /// Take the blocks from this store (a SQLite path or postgres://…), the one `faasguard
    /// assure --database` and `faasguard serve` write, and audit there.
    #[arg(long, value_name = "URL")]
    database: Option<String>,
}

/// One action taken, attempted or (dry run) planned.
#[derive(Debug, Serialize)]
struct ActionLine {
    /// `block`, `notify`, `no-op`, `block-failed`, `notify-failed`, or `would-block` /
    /// `would-notify` in a dry run.
    action: String,
    policy: String,
    function: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    channel: Option<String>,
    detail: String,
}

/// The JSON output.
#[derive(Debug, Serialize)]
struct Output<'a> {
    faasguard_assurance: u32,
    enforced: bool,
    #[serde(flatten)]
    assessment: &'a Assessment,
    actions: &'a [ActionLine],
    /// Problems of the report (what could not be read or scanned).
    diagnostics: Vec<String>,
}

pub(crate) fn read_policy(path: &Path) -> Result<PolicyFile, ExitCode> {
    let shown = path.display().to_string();
    let text = match std::fs::metadata(path).and_then(|m| {
        if m.len() > faasguard_assurance::MAX_POLICY_BYTES as u64 {
            Err(std::io::Error::other(
                "the policy file is larger than 1 MiB",
            ))
        } else {
            std::fs::read_to_string(path)
        }
    }) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("error: cannot read {shown}: {e}");
            return Err(ExitCode::from(2));
        }
    };
    let known: BTreeSet<String> = faasguard_engine::rule_catalog()
        .into_iter()
        .map(|r| r.info.id)
        .chain(
            faasguard_engine::integrity_rule_infos()
                .into_iter()
                .map(|r| r.id),
        )
        .collect();
    PolicyFile::parse(&text, &shown, &known).map_err(|errors| {
        for e in &errors.0 {
            eprintln!("error: {e}");
        }
        eprintln!(
            "{} error(s) in {shown}; nothing was evaluated",
            errors.0.len()
        );
        ExitCode::from(2)
    })
}

fn read_report(path: &Path) -> Result<Report> {
    let size = std::fs::metadata(path)
        .with_context(|| format!("cannot read {}", path.display()))?
        .len();
    anyhow::ensure!(
        size <= MAX_REPORT_BYTES,
        "{} is larger than {} MiB",
        path.display(),
        MAX_REPORT_BYTES >> 20
    );
    let text = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_slice(&text).with_context(|| {
        format!(
            "{} is not a JSON report of `faasguard cloud scan --format json`",
            path.display()
        )
    })
}

pub(crate) fn local_user() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| "unknown".to_owned())
}

pub(crate) fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map(|h| h.trim().to_owned())
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "-".to_owned())
}

fn concurrency_json(v: Option<i32>) -> serde_json::Value {
    v.map_or(serde_json::Value::Null, serde_json::Value::from)
}

fn show_concurrency(v: Option<i32>) -> String {
    v.map_or_else(|| "unreserved".to_owned(), |n| n.to_string())
}

/// Carries out (or, in a dry run, lists) the actions for every violation.
pub(crate) struct Actor<'a> {
    file: &'a PolicyFile,
    enforcer: Option<std::sync::Arc<Enforcer>>,
    ledger: Box<dyn Ledger + Send>,
    notifier: Notifier,
    who: String,
    epoch_s: i64,
    lines: Vec<ActionLine>,
    failed: bool,
}

impl Actor<'_> {
    fn audit(&mut self, entry: &AuditEntry) {
        if let Err(e) = self.ledger.append_audit(entry) {
            eprintln!("error: audit log: {e}");
            self.failed = true;
        }
    }

    fn entry(&self, action: &str, policy: &str, function: &str) -> AuditEntry {
        AuditEntry {
            at: faasguard_assurance::rfc3339(self.epoch_s),
            actor: self.who.clone(),
            action: action.to_owned(),
            policy: Some(policy.to_owned()),
            function: function.to_owned(),
            channel: None,
            before: None,
            after: None,
            detail: String::new(),
        }
    }

    fn line(&mut self, action: &str, policy: &str, function: &str, detail: String) {
        self.lines.push(ActionLine {
            action: action.to_owned(),
            policy: policy.to_owned(),
            function: function.to_owned(),
            channel: None,
            detail,
        });
    }

    /// Blocks the function for `result`'s policy; returns the outcome for notices.
    /// Records a block this actor just made (the function was not at 0). An active record of
    /// the same previous concurrency was made by someone blocking at the same moment (an admin
    /// in the dashboard, another worker): it is kept and returned, and nothing is released.
    /// Any other active record is stale (the concurrency was restored outside faasguard): it is
    /// replaced.
    fn save_block(&mut self, record: &BlockRecord) -> Result<Option<BlockRecord>, LedgerError> {
        if self.ledger.record_block(record)? {
            return Ok(None);
        }
        match self.ledger.block_of(&record.arn)? {
            Some(existing) if existing.previous == record.previous => Ok(Some(existing)),
            _ => {
                self.ledger.take_block(&record.arn)?;
                self.ledger.record_block(record)?;
                Ok(None)
            }
        }
    }

    fn block(&mut self, f: &FunctionResult, result: &PolicyResult, arn: &str) -> String {
        let policy = result.policy.as_str();
        let Some(enforcer) = &self.enforcer else {
            let detail = if f.blocked {
                "already blocked".to_owned()
            } else {
                format!(
                    "would set reserved concurrency {} → 0",
                    show_concurrency(f.reserved_concurrency)
                )
            };
            self.line("would-block", policy, arn, detail);
            return "dry run: would block".to_owned();
        };
        let at = faasguard_assurance::rfc3339(self.epoch_s);
        match enforcer.block(arn, policy, &at) {
            Ok(BlockOutcome::Blocked { previous }) => {
                let record = BlockRecord {
                    arn: arn.to_owned(),
                    previous,
                    policy: policy.to_owned(),
                    at,
                    actor: self.who.clone(),
                };
                let (action, detail) = match self.save_block(&record) {
                    Ok(None) => (
                        "block",
                        format!("reserved concurrency {} → 0", show_concurrency(previous)),
                    ),
                    Ok(Some(other)) => (
                        "no-op",
                        format!(
                            "blocked at the same moment by {} (policy {}); their record of the \
                             previous concurrency {} is kept",
                            other.actor,
                            other.policy,
                            show_concurrency(previous)
                        ),
                    ),
                    Err(e) => {
                        eprintln!("error: ledger: {e} (the previous value is still in the tag)");
                        self.failed = true;
                        (
                            "block",
                            format!("reserved concurrency {} → 0", show_concurrency(previous)),
                        )
                    }
                };
                let mut entry = self.entry(action, policy, arn);
                entry.before = Some(concurrency_json(previous));
                entry.after = Some(serde_json::Value::from(0));
                entry.detail.clone_from(&detail);
                self.audit(&entry);
                self.line(action, policy, arn, detail);
                "blocked".to_owned()
            }
            Ok(BlockOutcome::AlreadyBlocked { tag }) => {
                let detail = format!(
                    "already blocked by policy {} at {} (previous {} kept)",
                    tag.policy,
                    tag.at,
                    show_concurrency(tag.previous)
                );
                let mut entry = self.entry("no-op", policy, arn);
                entry.before = Some(serde_json::Value::from(0));
                entry.after = Some(serde_json::Value::from(0));
                entry.detail.clone_from(&detail);
                self.audit(&entry);
                self.line("no-op", policy, arn, detail);
                "already blocked".to_owned()
            }
            Ok(BlockOutcome::AlreadyZero) => {
                let detail =
                    "reserved concurrency is already 0 (not set by faasguard); nothing changed"
                        .to_owned();
                let mut entry = self.entry("no-op", policy, arn);
                entry.before = Some(serde_json::Value::from(0));
                entry.after = Some(serde_json::Value::from(0));
                entry.detail.clone_from(&detail);
                self.audit(&entry);
                self.line("no-op", policy, arn, detail);
                "already at reserved concurrency 0".to_owned()
            }
            Err(e) => {
                eprintln!("error: block failed: {e}");
                self.failed = true;
                let mut entry = self.entry("block-failed", policy, arn);
                entry.detail = e.to_string();
                self.audit(&entry);
                self.line("block-failed", policy, arn, e.to_string());
                format!("block failed: {}", e.message)
            }
        }
    }

    fn notify(&mut self, f: &FunctionResult, result: &PolicyResult, outcome: &str) {
        let Some(policy) = self.file.policies.iter().find(|p| p.name == result.policy) else {
            return;
        };
        let notice = Notice::new(f, result, outcome, &self.who, self.epoch_s);
        for name in &policy.notify {
            let Some(channel) = self.file.channels.get(name) else {
                continue;
            };
            let (action, detail) = if self.enforcer.is_none() {
                ("would-notify", "dry run".to_owned())
            } else {
                match self.notifier.send(channel, &notice) {
                    Ok(detail) => ("notify", detail),
                    Err(e) => {
                        eprintln!("error: notification failed: {e}");
                        self.failed = true;
                        ("notify-failed", e.to_string())
                    }
                }
            };
            if self.enforcer.is_some() {
                let mut entry = self.entry(action, &result.policy, &notice.function.arn);
                entry.channel = Some(name.clone());
                entry.detail.clone_from(&detail);
                self.audit(&entry);
            }
            self.lines.push(ActionLine {
                action: action.to_owned(),
                policy: result.policy.clone(),
                function: notice.function.arn.clone(),
                channel: Some(name.clone()),
                detail,
            });
        }
    }
}

pub(crate) fn run_assure(args: &AssureArgs) -> Result<ExitCode> {
    let file = match read_policy(&args.policy) {
        Ok(file) => file,
        Err(code) => return Ok(code),
    };
    let report = if let Some(path) = &args.from {
        read_report(path)?
    } else {
        let window = file
            .policies
            .iter()
            .any(|p| p.conditions.max_unused_days.is_some())
            .then_some(args.window);
        crate::cloud::scan_report(&args.scan, None, None, None, window)?.0
    };
    let recorded = if args.scan.expect.is_empty() {
        None
    } else {
        Some(crate::cloud::read_records(&args.scan.expect)?)
    };
    let today = crate::today()?;
    let ctx = EvalContext {
        today: Date::parse(&today).context("today's date")?,
        recorded,
    };
    let assessment = evaluate(&file, &report, &ctx);
    for e in &assessment.expired_exceptions {
        eprintln!(
            "warning: {}: the exception of {} from policy {} expired on {} ({}); it no longer applies",
            file.file, e.function, e.policy, e.expires, e.reason
        );
    }
    crate::print_diagnostics(&report);

    let enforcer = if args.enforce {
        let settings = crate::cloud::cloud_settings(&args.scan.aws)?;
        let enforcer = Enforcer::connect(&settings)?;
        for e in enforcer.errors() {
            eprintln!(
                "error: aws:{}: {} failed: {}",
                e.account, e.operation, e.message
            );
        }
        Some(enforcer)
    } else {
        None
    };
    let actor = args
        .actor
        .clone()
        .or_else(|| {
            enforcer
                .as_ref()
                .and_then(|e| e.caller_arn().map(str::to_owned))
        })
        .unwrap_or_else(local_user);
    let store = args.database.as_deref().map(open_store).transpose()?;
    if let Some(store) = &store {
        store.record(&report, args.from.is_none(), &args.scan.aws, &assessment)?;
    }
    let ledger: Box<dyn Ledger + Send> = match &store {
        Some(store) => Box::new(store.ledger()),
        None => Box::new(FileLedger::new(&args.state)),
    };
    let mut act = Actor::new(&file, enforcer.map(std::sync::Arc::new), ledger, actor)?;
    act.carry_out(&assessment);
    let text = render(args, &assessment, &act.lines, &report)?;
    emit(args.output.as_deref(), text.as_bytes())?;
    Ok(
        if act.failed || assessment.has_unassessed() || !report.diagnostics.is_empty() {
            ExitCode::from(2)
        } else if assessment.has_violations() {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        },
    )
}

impl<'a> Actor<'a> {
    /// An actor for `file`'s policies; without an enforcer, a dry run.
    pub(crate) fn new(
        file: &'a PolicyFile,
        enforcer: Option<std::sync::Arc<Enforcer>>,
        ledger: Box<dyn Ledger + Send>,
        who: String,
    ) -> Result<Actor<'a>> {
        Ok(Actor {
            file,
            enforcer,
            ledger,
            notifier: Notifier {
                hostname: hostname(),
                procid: std::process::id().to_string(),
            },
            who,
            epoch_s: crate::cloud::now_epoch_s()?,
            lines: Vec::new(),
            failed: false,
        })
    }

    /// Whether an action failed.
    pub(crate) fn failed(&self) -> bool {
        self.failed
    }

    /// Blocks and notifies for every violation of the assessment (or lists what it would do).
    pub(crate) fn carry_out(&mut self, assessment: &Assessment) {
        let act = self;
        for f in &assessment.functions {
            let mut blocked_by: Option<String> = None;
            for result in f.results.iter().filter(|r| r.status == Status::Violation) {
                let outcome = match (&f.arn, result.action) {
                    (Some(arn), Action::Block) => {
                        if let Some(outcome) = &blocked_by {
                            outcome.clone()
                        } else {
                            let outcome = act.block(f, result, arn);
                            blocked_by = Some(outcome.clone());
                            outcome
                        }
                    }
                    (_, Action::Block) if act.enforcer.is_none() => {
                        "dry run: would block".to_owned()
                    }
                    (_, Action::Block | Action::Notify) if act.enforcer.is_none() => {
                        "dry run: would notify".to_owned()
                    }
                    _ => "notified".to_owned(),
                };
                act.notify(f, result, &outcome);
            }
        }
    }
}

fn render(
    args: &AssureArgs,
    assessment: &Assessment,
    lines: &[ActionLine],
    report: &Report,
) -> Result<String> {
    Ok(match args.format {
        AssureFormat::Json => {
            let out = Output {
                faasguard_assurance: 1,
                enforced: args.enforce,
                assessment,
                actions: lines,
                diagnostics: report
                    .diagnostics
                    .iter()
                    .map(|d| format!("{}: {}", d.location.file, d.message))
                    .collect(),
            };
            let mut s = serde_json::to_string_pretty(&out)?;
            s.push('\n');
            s
        }
        AssureFormat::Table => {
            let mut s = render_table(assessment);
            if !lines.is_empty() {
                s.push_str(if args.enforce {
                    "\nActions:\n"
                } else {
                    "\nActions (dry run; --enforce carries them out):\n"
                });
                for l in lines {
                    let channel = l
                        .channel
                        .as_deref()
                        .map(|c| format!(" via {c}"))
                        .unwrap_or_default();
                    let _ = writeln!(
                        s,
                        "  {}{channel} {} ({}): {}",
                        l.action, l.function, l.policy, l.detail
                    );
                }
            }
            s
        }
    })
}

pub(crate) fn emit(output: Option<&Path>, bytes: &[u8]) -> Result<()> {
    if let Some(path) = output {
        return crate::write_file(path, bytes);
    }
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("cannot write to standard output"),
    }
}

/// The store of `--database`, with the runtime this synchronous command reaches it through.
struct OpenStore {
    runtime: tokio::runtime::Runtime,
    store: faasguard_store::Store,
}

fn open_store(database: &str) -> Result<OpenStore> {
    crate::serve::prepare_database(database)?;
    let runtime = crate::serve::runtime()?;
    let store = runtime
        .block_on(faasguard_store::Store::open(database))
        .with_context(|| format!("cannot open the store {database}"))?;
    Ok(OpenStore { runtime, store })
}

impl OpenStore {
    fn ledger(&self) -> crate::serve::StoreLedger {
        crate::serve::StoreLedger {
            store: self.store.clone(),
            handle: self.runtime.handle().clone(),
        }
    }

    /// Records the evaluated scan and its policy results, as a scheduled cycle of `faasguard
    /// serve` would (same scope: `aws:<regions>`). A report read from a file, or one with
    /// diagnostics, is recorded as incomplete: it adds and updates, and marks nothing fixed or
    /// deleted.
    fn record(
        &self,
        report: &Report,
        live: bool,
        aws: &AwsArgs,
        assessment: &Assessment,
    ) -> Result<()> {
        let scope = format!("aws:{}", aws.regions_text());
        let complete = live && report.diagnostics.is_empty();
        let summary = self
            .runtime
            .block_on(self.store.record_scan("cloud", &scope, report, complete))?;
        let results = crate::serve::policy_results(assessment);
        self.runtime
            .block_on(self.store.record_policy_results(summary.id, &results))?;
        Ok(())
    }
}

pub(crate) fn run_unblock(args: &UnblockArgs) -> Result<ExitCode> {
    let settings = crate::cloud::cloud_settings(&args.aws)?;
    let enforcer = Enforcer::connect(&settings)?;
    for e in enforcer.errors() {
        eprintln!(
            "error: aws:{}: {} failed: {}",
            e.account, e.operation, e.message
        );
    }
    let actor = args
        .actor
        .clone()
        .or_else(|| enforcer.caller_arn().map(str::to_owned))
        .unwrap_or_else(local_user);
    let at = faasguard_assurance::rfc3339(crate::cloud::now_epoch_s()?);
    let store = args.database.as_deref().map(open_store).transpose()?;
    let mut ledger: Box<dyn Ledger> = match &store {
        Some(store) => Box::new(store.ledger()),
        None => Box::new(FileLedger::new(&args.state)),
    };
    let mut failed = false;
    let mut out = String::new();
    for arn in &args.arns {
        let record = ledger.block_of(arn)?;
        let mut entry = AuditEntry {
            at: at.clone(),
            actor: actor.clone(),
            action: String::new(),
            policy: record.as_ref().map(|r| r.policy.clone()),
            function: arn.clone(),
            channel: None,
            before: None,
            after: None,
            detail: String::new(),
        };
        match enforcer.unblock(arn, record.as_ref().map(|r| r.previous)) {
            Ok(UnblockOutcome::Restored { previous }) => {
                ledger.take_block(arn)?;
                entry.action = "unblock".into();
                entry.before = Some(serde_json::Value::from(0));
                entry.after = Some(concurrency_json(previous));
                entry.detail = format!("reserved concurrency 0 → {}", show_concurrency(previous));
            }
            Ok(UnblockOutcome::NotBlocked {
                current,
                tag_removed,
            }) => {
                ledger.take_block(arn)?;
                entry.action = "no-op".into();
                entry.before = Some(concurrency_json(current));
                entry.after = Some(concurrency_json(current));
                entry.detail = format!(
                    "not blocked (reserved concurrency {}){}",
                    show_concurrency(current),
                    if tag_removed {
                        "; a leftover faasguard:blocked tag was removed"
                    } else {
                        ""
                    }
                );
            }
            Ok(UnblockOutcome::NothingRecorded) => {
                entry.action = "no-op".into();
                entry.before = Some(serde_json::Value::from(0));
                entry.after = Some(serde_json::Value::from(0));
                entry.detail = "reserved concurrency is 0, but neither the ledger nor a faasguard:blocked tag records a previous value; nothing changed".into();
            }
            Err(e) => {
                eprintln!("error: unblock failed: {e}");
                failed = true;
                entry.action = "unblock-failed".into();
                entry.detail = e.to_string();
            }
        }
        let _ = writeln!(out, "{} {arn}: {}", entry.action, entry.detail);
        ledger.append_audit(&entry)?;
    }
    emit(None, out.as_bytes())?;
    Ok(if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;

    fn record(previous: Option<i32>, actor: &str) -> BlockRecord {
        BlockRecord {
            arn: "arn:aws:lambda:eu-west-1:111122223333:function:pay".to_owned(),
            previous,
            policy: "no-admin".to_owned(),
            at: "2026-11-24T12:00:00Z".to_owned(),
            actor: actor.to_owned(),
        }
    }

    /// A block recorded at the same moment by someone else (same previous concurrency) is
    /// kept and nothing is released; a stale one (another previous value) is replaced.
    #[test]
    fn concurrent_block_is_kept_and_stale_one_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let file = PolicyFile::parse(
            "policies:\n  - name: no-admin\n    conditions: {no_admin_role: true}\n    action: block\n",
            "assurance.yaml",
            &BTreeSet::new(),
        )
        .unwrap();
        let mut seed = FileLedger::new(dir.path());
        assert!(seed.record_block(&record(Some(7), "admin")).unwrap());
        let mut actor = Actor::new(
            &file,
            None,
            Box::new(FileLedger::new(dir.path())),
            "scheduler".to_owned(),
        )
        .unwrap();
        let kept = actor.save_block(&record(Some(7), "scheduler")).unwrap();
        assert_eq!(kept.map(|r| r.actor).as_deref(), Some("admin"));
        assert_eq!(
            seed.block_of(&record(None, "").arn).unwrap().unwrap().actor,
            "admin"
        );
        assert_eq!(
            actor.save_block(&record(Some(3), "scheduler")).unwrap(),
            None
        );
        let now = seed.block_of(&record(None, "").arn).unwrap().unwrap();
        assert_eq!((now.previous, now.actor.as_str()), (Some(3), "scheduler"));
    }
}
