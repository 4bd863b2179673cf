//! Function Assurance: policies in `assurance.yaml` evaluated over a cloud scan
//! [`faasguard_report::Report`], with the notifications and the ledger that enforcement uses.
//!
//! ```
//! use std::collections::BTreeSet;
//! use faasguard_assurance::{Date, EvalContext, PolicyFile, evaluate};
//! let yaml = "policies:\n  - name: no-secrets\n    conditions: {no_secrets: true}\n    action: notify\n";
//! let file = PolicyFile::parse(yaml, "assurance.yaml", &BTreeSet::new()).unwrap();
//! let report = faasguard_report::Report::empty("faasguard", "0.1.0");
//! let ctx = EvalContext { today: Date::parse("2026-11-24").unwrap(), recorded: None };
//! assert!(!evaluate(&file, &report, &ctx).has_violations());
//! ```
//!
//! The library decides and formats; it does not touch AWS (blocking is
//! `faasguard_aws::enforce`) and never prints. Notifications are sent by [`Notifier`] over
//! HTTP (webhook, Slack) and syslog (UDP or TCP), each bounded by the channel's timeout.

mod date;
mod eval;
mod ledger;
mod notify;
mod policy;

pub use date::{Date, rfc3339};
pub use eval::{
    AppliedException, Assessment, Counts, EvalContext, ExpiredException, Failure, FindingRef,
    FunctionResult, PolicyResult, Status, evaluate, render_table,
};
pub use ledger::{AuditEntry, BlockRecord, FileLedger, Ledger, LedgerError};
pub use notify::{
    MAX_SYSLOG_BYTES, Notice, NoticeFunction, Notifier, NotifyError, SD_ID, cef_line, cef_severity,
    slack_body, structured_data, syslog_severity,
};
pub use policy::{
    Action, Channel, ChannelKind, Conditions, Exception, MAX_POLICY_BYTES, Pattern, Policy,
    PolicyError, PolicyErrors, PolicyFile, SCANNERS, Scope, SyslogAddress, SyslogFormat,
};

#[cfg(test)]
mod tests;
