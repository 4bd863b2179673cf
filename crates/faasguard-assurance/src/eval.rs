//! Evaluation: every function of a cloud scan report against every policy.

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;

use faasguard_core::{Finding, Severity};
use faasguard_report::{FunctionSummary, Report};
use serde::Serialize;

use crate::date::Date;
use crate::policy::{Action, Conditions, Policy, PolicyFile, SCANNERS, Scope};

/// Rules whose findings mean a secret is exposed (`no_secrets`): the secret scanner and
/// secrets in environment variables.
const SECRET_RULES: [&str; 2] = ["FG-SEC-", "FG-FN-009"];
/// Rules whose findings mean an administrator role (`no_admin_role`): the AWS managed
/// administrator policy and an `Action: "*"` allow.
const ADMIN_RULES: [&str; 2] = ["FG-IAM-006", "FG-IAM-001"];

/// What evaluation needs besides the policies and the report.
#[derive(Debug, Clone)]
pub struct EvalContext {
    /// Today: exceptions expire after their `expires` day.
    pub today: Date,
    /// CodeSha256 values recorded by CI (`faasguard scan --record`); `None` when no record was
    /// given (then `code_recorded` cannot be assessed).
    pub recorded: Option<BTreeSet<String>>,
}

/// Where one function stands against one policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Breaks a condition and no valid exception covers it.
    Violation,
    /// A condition could not be checked (missing facts) and none failed.
    Unassessed,
    /// Breaks a condition, but a valid exception covers it.
    Excepted,
    Pass,
    OutOfScope,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Violation => "VIOLATION",
            Status::Unassessed => "unassessed",
            Status::Excepted => "excepted",
            Status::Pass => "pass",
            Status::OutOfScope => "-",
        }
    }
}

/// A finding named as evidence (never a secret value: findings are redacted by the engine).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FindingRef {
    pub rule_id: String,
    pub severity: Severity,
    pub message: String,
    pub fingerprint: String,
}

impl From<&Finding> for FindingRef {
    fn from(f: &Finding) -> Self {
        FindingRef {
            rule_id: f.rule_id.clone(),
            severity: f.severity,
            message: f.message.clone(),
            fingerprint: f.fingerprint.clone(),
        }
    }
}

/// One failed condition, with what breaks it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Failure {
    /// The condition key (`max_severity.iam`, `no_secrets`, `allowed_runtimes` …).
    pub condition: String,
    pub message: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<FindingRef>,
}

/// The exception that applies (or applied until it expired).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppliedException {
    pub reason: String,
    pub expires: Date,
    pub expired: bool,
}

/// One function against one policy.
#[derive(Debug, Clone, Serialize)]
pub struct PolicyResult {
    pub policy: String,
    pub action: Action,
    pub status: Status,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub failures: Vec<Failure>,
    /// Conditions that could not be checked, and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unassessed: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exception: Option<AppliedException>,
}

/// One function against every policy.
#[derive(Debug, Clone, Serialize)]
pub struct FunctionResult {
    /// The report's display id.
    pub id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Reserved concurrency is 0: the function cannot be invoked.
    pub blocked: bool,
    pub reserved_concurrency: Option<i32>,
    pub results: Vec<PolicyResult>,
}

impl FunctionResult {
    /// The worst status over the policies.
    pub fn worst(&self) -> Status {
        self.results
            .iter()
            .map(|r| r.status)
            .min()
            .unwrap_or(Status::OutOfScope)
    }
}

/// An exception whose date has passed: reported, and no longer applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExpiredException {
    pub policy: String,
    pub function: String,
    pub reason: String,
    pub expires: Date,
}

/// The unified result: functions × policies.
#[derive(Debug, Clone, Serialize)]
pub struct Assessment {
    pub policies: Vec<String>,
    /// Blocked and violating functions first, then by account, region, name.
    pub functions: Vec<FunctionResult>,
    pub expired_exceptions: Vec<ExpiredException>,
    pub counts: Counts,
}

/// How many function × policy pairs ended in each status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub violation: usize,
    pub unassessed: usize,
    pub excepted: usize,
    pub pass: usize,
    pub out_of_scope: usize,
}

impl Assessment {
    pub fn has_violations(&self) -> bool {
        self.counts.violation > 0
    }

    pub fn has_unassessed(&self) -> bool {
        self.counts.unassessed > 0
    }
}

/// Evaluates every function of `report` against every policy of `file`.
pub fn evaluate(file: &PolicyFile, report: &Report, ctx: &EvalContext) -> Assessment {
    let mut by_function: HashMap<&str, Vec<&Finding>> = HashMap::new();
    for f in &report.findings {
        if let Some(id) = &f.function {
            by_function.entry(id.as_str()).or_default().push(f);
        }
    }
    let mut functions: Vec<FunctionResult> = report
        .functions
        .iter()
        .map(|summary| {
            let findings = by_function
                .get(summary.id.as_str())
                .map_or(&[][..], Vec::as_slice);
            function_result(file, summary, findings, ctx)
        })
        .collect();
    functions.sort_by(|a, b| {
        let key = |f: &FunctionResult| {
            (
                !f.blocked,
                f.worst() != Status::Violation,
                f.account.clone(),
                f.region.clone(),
                f.name.clone(),
            )
        };
        key(a).cmp(&key(b))
    });
    let mut counts = Counts::default();
    for r in functions.iter().flat_map(|f| &f.results) {
        match r.status {
            Status::Violation => counts.violation += 1,
            Status::Unassessed => counts.unassessed += 1,
            Status::Excepted => counts.excepted += 1,
            Status::Pass => counts.pass += 1,
            Status::OutOfScope => counts.out_of_scope += 1,
        }
    }
    let expired_exceptions = file
        .exceptions
        .iter()
        .filter(|e| e.expires < ctx.today)
        .map(|e| ExpiredException {
            policy: e.policy.clone(),
            function: e.function.text.clone(),
            reason: e.reason.clone(),
            expires: e.expires,
        })
        .collect();
    Assessment {
        policies: file.policies.iter().map(|p| p.name.clone()).collect(),
        functions,
        expired_exceptions,
        counts,
    }
}

fn function_result(
    file: &PolicyFile,
    summary: &FunctionSummary,
    findings: &[&Finding],
    ctx: &EvalContext,
) -> FunctionResult {
    let cloud = summary.cloud.as_ref();
    let name = summary.name.clone().unwrap_or_else(|| summary.id.clone());
    let results = file
        .policies
        .iter()
        .map(|policy| {
            let Some(cloud) = cloud else {
                return PolicyResult {
                    policy: policy.name.clone(),
                    action: policy.action,
                    status: Status::Unassessed,
                    failures: Vec::new(),
                    unassessed: vec![
                        "not a deployed function: the report has no cloud facts for it (use a `faasguard cloud scan` report)".to_owned(),
                    ],
                    exception: None,
                };
            };
            if !in_scope(&policy.scope, &name, summary, cloud) {
                return PolicyResult {
                    policy: policy.name.clone(),
                    action: policy.action,
                    status: Status::OutOfScope,
                    failures: Vec::new(),
                    unassessed: Vec::new(),
                    exception: None,
                };
            }
            policy_result(file, policy, &name, summary, findings, ctx)
        })
        .collect();
    FunctionResult {
        id: summary.id.clone(),
        name,
        arn: cloud.map(|c| c.arn.clone()),
        account: cloud.map(|c| c.account.clone()),
        region: cloud.map(|c| c.region.clone()),
        blocked: cloud.and_then(|c| c.reserved_concurrency) == Some(0),
        reserved_concurrency: cloud.and_then(|c| c.reserved_concurrency),
        results,
    }
}

fn in_scope(
    scope: &Scope,
    name: &str,
    summary: &FunctionSummary,
    cloud: &faasguard_report::CloudFacts,
) -> bool {
    let any = |patterns: &[crate::policy::Pattern], values: &[&str]| {
        patterns.is_empty()
            || patterns
                .iter()
                .any(|p| values.iter().any(|v| p.is_match(v)))
    };
    any(&scope.accounts, &[&cloud.account])
        && any(&scope.regions, &[&cloud.region])
        && any(&scope.functions, &[name, &cloud.arn, &summary.id])
        && (scope.tags.is_empty()
            || scope
                .tags
                .iter()
                .any(|(k, p)| cloud.tags.get(k).is_some_and(|v| p.is_match(v))))
}

fn policy_result(
    file: &PolicyFile,
    policy: &Policy,
    name: &str,
    summary: &FunctionSummary,
    findings: &[&Finding],
    ctx: &EvalContext,
) -> PolicyResult {
    let (failures, mut unassessed) = check(&policy.conditions, summary, findings, ctx);
    let problems = summary
        .cloud
        .as_ref()
        .map_or(&[][..], |c| c.problems.as_slice());
    if failures.is_empty() && !problems.is_empty() {
        unassessed.extend(problems.iter().map(|p| format!("not fully read: {p}")));
    }
    let arn = summary.cloud.as_ref().map_or("", |c| c.arn.as_str());
    let exception = file
        .exceptions
        .iter()
        .filter(|e| {
            e.policy == policy.name
                && (e.function.is_match(name)
                    || e.function.is_match(arn)
                    || e.function.is_match(&summary.id))
        })
        // A valid exception wins over an expired one; among valid ones, the latest expiry.
        .max_by_key(|e| (e.expires >= ctx.today, e.expires))
        .map(|e| AppliedException {
            reason: e.reason.clone(),
            expires: e.expires,
            expired: e.expires < ctx.today,
        });
    let status = if !failures.is_empty() {
        if exception.as_ref().is_some_and(|e| !e.expired) {
            Status::Excepted
        } else {
            Status::Violation
        }
    } else if !unassessed.is_empty() {
        Status::Unassessed
    } else {
        Status::Pass
    };
    PolicyResult {
        policy: policy.name.clone(),
        action: policy.action,
        status,
        exception: if failures.is_empty() { None } else { exception },
        failures,
        unassessed,
    }
}

fn refs(findings: &[&Finding]) -> Vec<FindingRef> {
    findings.iter().map(|f| FindingRef::from(*f)).collect()
}

fn rule_ids(findings: &[FindingRef]) -> String {
    let ids: BTreeSet<&str> = findings.iter().map(|f| f.rule_id.as_str()).collect();
    ids.into_iter().collect::<Vec<_>>().join(", ")
}

fn matching<'a>(findings: &[&'a Finding], prefixes: &[&str]) -> Vec<&'a Finding> {
    findings
        .iter()
        .copied()
        .filter(|f| prefixes.iter().any(|p| f.rule_id.starts_with(p)))
        .collect()
}

#[expect(
    clippy::too_many_lines,
    reason = "one block per condition, in the order the file format lists them"
)]
fn check(
    conditions: &Conditions,
    summary: &FunctionSummary,
    findings: &[&Finding],
    ctx: &EvalContext,
) -> (Vec<Failure>, Vec<String>) {
    let mut failures = Vec::new();
    let mut unassessed = Vec::new();
    let mut fail = |condition: &str, message: String, findings: Vec<FindingRef>| {
        failures.push(Failure {
            condition: condition.to_owned(),
            message,
            findings,
        });
    };
    let Some(cloud) = summary.cloud.as_ref() else {
        return (failures, unassessed);
    };
    for (scanner, limit) in &conditions.max_severity {
        let prefixes = SCANNERS
            .iter()
            .find(|(n, _)| n == scanner)
            .map_or(&[][..], |(_, p)| *p);
        let over: Vec<&Finding> = matching(findings, prefixes)
            .into_iter()
            .filter(|f| limit.is_none_or(|max| f.severity > max))
            .collect();
        if !over.is_empty() {
            let found = refs(&over);
            let message = match limit {
                Some(max) => format!(
                    "{} {scanner} finding(s) above {max}: {}",
                    found.len(),
                    rule_ids(&found)
                ),
                None => format!(
                    "{} {scanner} finding(s), none allowed: {}",
                    found.len(),
                    rule_ids(&found)
                ),
            };
            fail(&format!("max_severity.{scanner}"), message, found);
        }
    }
    if conditions.no_secrets {
        let found = refs(&matching(findings, &SECRET_RULES));
        if !found.is_empty() {
            fail(
                "no_secrets",
                format!("{} secret(s) found: {}", found.len(), rule_ids(&found)),
                found,
            );
        }
    }
    if conditions.no_admin_role {
        let found = refs(&matching(findings, &ADMIN_RULES));
        if !found.is_empty() {
            fail(
                "no_admin_role",
                format!(
                    "the execution role{} has administrator permissions: {}",
                    cloud
                        .role
                        .as_deref()
                        .map(|r| format!(" {r}"))
                        .unwrap_or_default(),
                    rule_ids(&found)
                ),
                found,
            );
        }
    }
    if !conditions.allowed_runtimes.is_empty() {
        match summary.runtime.as_deref() {
            Some(rt) if conditions.allowed_runtimes.iter().any(|p| p.is_match(rt)) => {}
            Some(rt) => fail(
                "allowed_runtimes",
                format!(
                    "runtime {rt} is not allowed (allowed: {})",
                    pattern_list(&conditions.allowed_runtimes)
                ),
                Vec::new(),
            ),
            None => fail(
                "allowed_runtimes",
                format!(
                    "no managed runtime (container image) (allowed: {})",
                    pattern_list(&conditions.allowed_runtimes)
                ),
                Vec::new(),
            ),
        }
    }
    if conditions.code_recorded {
        match (&ctx.recorded, cloud.code_sha256.as_deref()) {
            (None, _) => {
                unassessed.push("code_recorded: no CI record given (--expect FILE)".to_owned());
            }
            (Some(_), None) => {
                unassessed.push("code_recorded: the function's CodeSha256 is unknown".to_owned());
            }
            (Some(set), Some(sha)) if !set.contains(sha) => fail(
                "code_recorded",
                format!("deployed code {sha} is in no CI record"),
                Vec::new(),
            ),
            (Some(_), Some(_)) => {}
        }
    }
    if let Some(max) = conditions.max_unused_days {
        match cloud.unused_days {
            Some(days) if days > max => fail(
                "max_unused_days",
                format!(
                    "not invoked for {days} day(s) (at most {max}; last invocation {})",
                    cloud
                        .last_invocation
                        .as_deref()
                        .unwrap_or("none in the window")
                ),
                Vec::new(),
            ),
            Some(_) => {}
            None => unassessed.push("max_unused_days: invocation metrics were not read".to_owned()),
        }
    }
    if conditions.require_concurrency_cap && cloud.reserved_concurrency.is_none() {
        if cloud
            .problems
            .iter()
            .any(|p| p.contains("GetFunctionConcurrency"))
        {
            unassessed.push(
                "require_concurrency_cap: the reserved concurrency could not be read".to_owned(),
            );
        } else {
            fail(
                "require_concurrency_cap",
                "no reserved concurrency cap".to_owned(),
                Vec::new(),
            );
        }
    }
    if !conditions.forbidden_rules.is_empty() {
        let found: Vec<FindingRef> = findings
            .iter()
            .filter(|f| conditions.forbidden_rules.contains(&f.rule_id))
            .map(|f| FindingRef::from(*f))
            .collect();
        if !found.is_empty() {
            fail(
                "forbidden_rules",
                format!("forbidden rule(s) fired: {}", rule_ids(&found)),
                found,
            );
        }
    }
    (failures, unassessed)
}

fn pattern_list(patterns: &[crate::policy::Pattern]) -> String {
    patterns
        .iter()
        .map(|p| p.text.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The unified view as text: one row per function, one column per policy (blocked and
/// violating functions first), then every violation with its reasons, expired exceptions and
/// what could not be assessed.
pub fn render_table(assessment: &Assessment) -> String {
    let mut header = vec![
        "FUNCTION".to_owned(),
        "ACCOUNT".to_owned(),
        "REGION".to_owned(),
        "BLOCKED".to_owned(),
    ];
    header.extend(assessment.policies.iter().cloned());
    let rows: Vec<Vec<String>> = assessment
        .functions
        .iter()
        .map(|f| {
            let mut row = vec![
                f.name.clone(),
                f.account.clone().unwrap_or_else(|| "-".into()),
                f.region.clone().unwrap_or_else(|| "-".into()),
                if f.blocked { "yes" } else { "no" }.to_owned(),
            ];
            row.extend(f.results.iter().map(|r| r.status.as_str().to_owned()));
            row
        })
        .collect();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(&header).chain(&rows) {
        let mut line = String::new();
        for (cell, w) in row.iter().zip(&widths) {
            let _ = write!(line, "{cell:w$}  ");
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    let mut details = String::new();
    for f in &assessment.functions {
        for r in &f.results {
            match r.status {
                Status::Violation | Status::Excepted => {
                    let _ = write!(
                        details,
                        "\n{} {} — {} ({})",
                        r.status.as_str(),
                        f.arn.as_deref().unwrap_or(&f.id),
                        r.policy,
                        r.action.as_str()
                    );
                    if let Some(e) = &r.exception {
                        if e.expired {
                            let _ =
                                write!(details, " [exception expired {}: {}]", e.expires, e.reason);
                        } else {
                            let _ =
                                write!(details, " [excepted until {}: {}]", e.expires, e.reason);
                        }
                    }
                    details.push('\n');
                    for failure in &r.failures {
                        let _ = writeln!(details, "  - {}: {}", failure.condition, failure.message);
                    }
                }
                Status::Unassessed => {
                    let _ = writeln!(
                        details,
                        "\nunassessed {} — {}",
                        f.arn.as_deref().unwrap_or(&f.id),
                        r.policy
                    );
                    for reason in &r.unassessed {
                        let _ = writeln!(details, "  - {reason}");
                    }
                }
                Status::Pass | Status::OutOfScope => {}
            }
        }
    }
    out.push_str(&details);
    for e in &assessment.expired_exceptions {
        let _ = writeln!(
            out,
            "\nwarning: the exception of {} from {} expired on {} ({}); it no longer applies",
            e.function, e.policy, e.expires, e.reason
        );
    }
    let c = assessment.counts;
    let _ = writeln!(
        out,
        "\n{} function(s) × {} polic(ies): {} violation(s), {} excepted, {} unassessed, {} pass, {} out of scope",
        assessment.functions.len(),
        assessment.policies.len(),
        c.violation,
        c.excepted,
        c.unassessed,
        c.pass,
        c.out_of_scope
    );
    out
}
