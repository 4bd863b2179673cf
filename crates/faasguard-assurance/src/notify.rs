//! Notifications of a violation: a generic JSON webhook, a Slack-compatible incoming webhook,
//! and syslog (RFC 5424 with structured data, and/or a CEF line for SIEMs).
//!
//! A notice carries rule ids, severities, messages and fingerprints — never a secret value
//! (findings are redacted by the engine before they reach a report). Webhook URLs may hold a
//! token (Slack's do), so errors name the channel, never the URL.

use std::fmt::Write as _;
use std::io::Write as _;
use std::net::{TcpStream, ToSocketAddrs, UdpSocket};
use std::time::Duration;

use faasguard_core::Severity;
use serde::Serialize;

use crate::eval::{Failure, FunctionResult, PolicyResult};
use crate::policy::{Channel, ChannelKind, SyslogAddress, SyslogFormat};

/// Largest syslog message sent (a longer one is cut at a character boundary).
pub const MAX_SYSLOG_BYTES: usize = 8 * 1024;
/// Private enterprise number of the structured-data id (32473 is reserved for documentation
/// and examples by RFC 5612; faasguard has no number of its own).
pub const SD_ID: &str = "faasguard@32473";
/// Syslog facility 13: log audit.
const FACILITY: u8 = 13;

/// The function a notice is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NoticeFunction {
    pub name: String,
    pub arn: String,
    pub account: String,
    pub region: String,
}

/// One violation, as sent to every channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notice {
    /// Always `faasguard`.
    pub source: String,
    pub tool_version: String,
    /// Always `policy-violation`.
    pub event: String,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// Unix time in seconds of `at`.
    #[serde(skip)]
    pub epoch_s: i64,
    pub actor: String,
    pub policy: String,
    /// The policy's action: `notify` or `block`.
    pub action: String,
    /// What was done: `notified`, `blocked`, `already blocked`, `block failed: …`, or
    /// `dry run: would block`.
    pub outcome: String,
    /// The highest severity among the findings that break the policy (`medium` when no
    /// finding is involved, at least `high` for a block policy).
    pub severity: Severity,
    pub function: NoticeFunction,
    pub failures: Vec<Failure>,
}

impl Notice {
    /// The notice for `function` breaking `result`'s policy.
    pub fn new(
        function: &FunctionResult,
        result: &PolicyResult,
        outcome: &str,
        actor: &str,
        epoch_s: i64,
    ) -> Notice {
        let from_findings = result
            .failures
            .iter()
            .flat_map(|f| &f.findings)
            .map(|f| f.severity)
            .max()
            .unwrap_or(Severity::Medium);
        let severity = if result.action == crate::Action::Block {
            from_findings.max(Severity::High)
        } else {
            from_findings
        };
        Notice {
            source: "faasguard".to_owned(),
            tool_version: env!("CARGO_PKG_VERSION").to_owned(),
            event: "policy-violation".to_owned(),
            at: crate::date::rfc3339(epoch_s),
            epoch_s,
            actor: actor.to_owned(),
            policy: result.policy.clone(),
            action: result.action.as_str().to_owned(),
            outcome: outcome.to_owned(),
            severity,
            function: NoticeFunction {
                name: function.name.clone(),
                arn: function.arn.clone().unwrap_or_else(|| function.id.clone()),
                account: function.account.clone().unwrap_or_default(),
                region: function.region.clone().unwrap_or_default(),
            },
            failures: result.failures.clone(),
        }
    }

    /// The rule ids involved, sorted and deduplicated.
    pub fn rule_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .failures
            .iter()
            .flat_map(|f| &f.findings)
            .map(|f| f.rule_id.clone())
            .collect();
        ids.sort();
        ids.dedup();
        ids
    }

    /// One line: `policy P violated by NAME (ARN): cond: message; …`.
    pub fn summary(&self) -> String {
        let reasons: Vec<String> = self
            .failures
            .iter()
            .map(|f| format!("{}: {}", f.condition, f.message))
            .collect();
        format!(
            "policy {} violated by {} ({}): {} — {}",
            self.policy,
            self.function.name,
            self.function.arn,
            reasons.join("; "),
            self.outcome
        )
    }
}

/// A delivery that failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NotifyError {
    #[error("channel {channel}: {message}")]
    Failed { channel: String, message: String },
}

/// Sends notices; knows the local host name for syslog.
#[derive(Debug, Clone)]
pub struct Notifier {
    /// The HOSTNAME field of syslog messages (`-` when unknown).
    pub hostname: String,
    /// The PROCID field of syslog messages.
    pub procid: String,
}

impl Notifier {
    /// Delivers `notice` through `channel`; `Ok` carries what was sent, for the audit log.
    pub fn send(&self, channel: &Channel, notice: &Notice) -> Result<String, NotifyError> {
        let fail = |message: String| NotifyError::Failed {
            channel: channel.name.clone(),
            message,
        };
        match &channel.kind {
            ChannelKind::Webhook { url } => {
                let body = serde_json::to_vec(notice).map_err(|e| fail(e.to_string()))?;
                post_json(url, &body, channel.timeout).map_err(fail)?;
                Ok("webhook: JSON posted".to_owned())
            }
            ChannelKind::Slack { url } => {
                let body = slack_body(notice).to_string();
                post_json(url, body.as_bytes(), channel.timeout).map_err(fail)?;
                Ok("slack: message posted".to_owned())
            }
            ChannelKind::Syslog {
                address,
                app_name,
                format,
            } => {
                let mut messages = Vec::new();
                if matches!(format, SyslogFormat::Rfc5424 | SyslogFormat::Both) {
                    messages.push(self.rfc5424(
                        notice,
                        app_name,
                        &structured_data(notice),
                        &notice.summary(),
                    ));
                }
                if matches!(format, SyslogFormat::Cef | SyslogFormat::Both) {
                    messages.push(self.rfc5424(
                        notice,
                        app_name,
                        "-",
                        &cef_line(notice, &self.hostname),
                    ));
                }
                send_syslog(address, &messages, channel.timeout).map_err(fail)?;
                Ok(format!("syslog: {} message(s) sent", messages.len()))
            }
        }
    }

    /// An RFC 5424 message: `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD MSG`.
    pub fn rfc5424(&self, notice: &Notice, app_name: &str, sd: &str, msg: &str) -> String {
        let pri = FACILITY * 8 + syslog_severity(notice.severity);
        let field = |s: &str, max: usize| -> String {
            let clean: String = s.chars().filter(char::is_ascii_graphic).take(max).collect();
            if clean.is_empty() {
                "-".to_owned()
            } else {
                clean
            }
        };
        let mut out = format!(
            "<{pri}>1 {} {} {} {} violation {sd} {msg}",
            notice.at,
            field(&self.hostname, 255),
            field(app_name, 48),
            field(&self.procid, 128),
        );
        truncate(&mut out, MAX_SYSLOG_BYTES);
        out
    }
}

/// Syslog severity of a finding severity: critical → 2 (crit), high → 3 (err),
/// medium → 4 (warning), low → 5 (notice), info → 6 (informational).
pub fn syslog_severity(s: Severity) -> u8 {
    match s {
        Severity::Critical => 2,
        Severity::High => 3,
        Severity::Medium => 4,
        Severity::Low => 5,
        Severity::Info => 6,
    }
}

/// CEF severity (0–10) of a finding severity.
pub fn cef_severity(s: Severity) -> u8 {
    match s {
        Severity::Critical => 10,
        Severity::High => 8,
        Severity::Medium => 5,
        Severity::Low => 3,
        Severity::Info => 1,
    }
}

fn truncate(s: &mut String, max: usize) {
    if s.len() > max {
        let mut end = max;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
    }
}

/// An SD-PARAM value: `"`, `\` and `]` escaped with a backslash (RFC 5424 §6.3.3).
fn sd_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '"' | '\\' | ']') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The structured-data element of a notice.
pub fn structured_data(notice: &Notice) -> String {
    let params = [
        ("policy", notice.policy.clone()),
        ("action", notice.action.clone()),
        ("outcome", notice.outcome.clone()),
        ("severity", notice.severity.as_str().to_owned()),
        ("function", notice.function.arn.clone()),
        ("account", notice.function.account.clone()),
        ("region", notice.function.region.clone()),
        ("rules", notice.rule_ids().join(",")),
        ("actor", notice.actor.clone()),
    ];
    let mut out = format!("[{SD_ID}");
    for (k, v) in params {
        let _ = write!(out, " {k}=\"{}\"", sd_escape(&v));
    }
    out.push(']');
    out
}

/// A CEF header field: `\` and `|` escaped, line breaks replaced by spaces.
fn cef_header(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\r', '\n'], " ")
}

/// A CEF extension value: `\` and `=` escaped, line breaks written as `\n` / `\r`.
fn cef_value(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('=', "\\=")
        .replace('\n', "\\n")
        .replace('\r', "\\r")
}

/// `CEF:0|faasguard|faasguard|VERSION|POLICY|NAME|SEVERITY|extension`.
pub fn cef_line(notice: &Notice, hostname: &str) -> String {
    let name = format!("Function Assurance policy violated: {}", notice.policy);
    let ext = [
        ("rt", (notice.epoch_s.saturating_mul(1000)).to_string()),
        ("act", notice.action.clone()),
        ("outcome", notice.outcome.clone()),
        ("suser", notice.actor.clone()),
        ("dvchost", hostname.to_owned()),
        ("cs1Label", "policy".to_owned()),
        ("cs1", notice.policy.clone()),
        ("cs2Label", "functionArn".to_owned()),
        ("cs2", notice.function.arn.clone()),
        ("cs3Label", "rules".to_owned()),
        ("cs3", notice.rule_ids().join(",")),
        ("cs4Label", "account".to_owned()),
        ("cs4", notice.function.account.clone()),
        ("cs5Label", "region".to_owned()),
        ("cs5", notice.function.region.clone()),
        ("msg", notice.summary()),
    ];
    let mut out = format!(
        "CEF:0|faasguard|faasguard|{}|{}|{}|{}|",
        cef_header(&notice.tool_version),
        cef_header(&notice.policy),
        cef_header(&name),
        cef_severity(notice.severity)
    );
    let mut first = true;
    for (k, v) in ext {
        if v.is_empty() {
            continue;
        }
        if !first {
            out.push(' ');
        }
        first = false;
        let _ = write!(out, "{k}={}", cef_value(&v));
    }
    out
}

/// The Slack incoming-webhook body: a `text` fallback and one section block per failure.
pub fn slack_body(notice: &Notice) -> serde_json::Value {
    let text = format!(
        "faasguard: policy `{}` violated by `{}` ({}) [{}] — {}",
        notice.policy, notice.function.name, notice.function.arn, notice.severity, notice.outcome
    );
    let mut blocks = vec![serde_json::json!({
        "type": "section",
        "text": {"type": "mrkdwn", "text": text},
    })];
    for f in &notice.failures {
        blocks.push(serde_json::json!({
            "type": "section",
            "text": {"type": "mrkdwn", "text": format!("• *{}*: {}", f.condition, f.message)},
        }));
    }
    serde_json::json!({"text": text, "blocks": blocks})
}

fn post_json(url: &str, body: &[u8], timeout: Duration) -> Result<(), String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .build()
        .into();
    let host = url
        .split("://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .unwrap_or("?");
    let response = agent
        .post(url)
        .header("Content-Type", "application/json")
        .header(
            "User-Agent",
            concat!("faasguard/", env!("CARGO_PKG_VERSION")),
        )
        .send(body)
        .map_err(|e| format!("POST to {host} failed: {e}"))?;
    let status = response.status().as_u16();
    if (200..300).contains(&status) {
        Ok(())
    } else {
        Err(format!("POST to {host} answered HTTP {status}"))
    }
}

fn send_syslog(
    address: &SyslogAddress,
    messages: &[String],
    timeout: Duration,
) -> Result<(), String> {
    let resolve = |addr: &str| {
        addr.to_socket_addrs()
            .map_err(|e| format!("bad syslog address {addr}: {e}"))?
            .next()
            .ok_or_else(|| format!("syslog address {addr} resolves to nothing"))
    };
    match address {
        SyslogAddress::Udp(addr) => {
            let target = resolve(addr)?;
            let local = if target.is_ipv6() {
                "[::]:0"
            } else {
                "0.0.0.0:0"
            };
            let socket = UdpSocket::bind(local).map_err(|e| format!("udp socket: {e}"))?;
            for m in messages {
                socket
                    .send_to(m.as_bytes(), target)
                    .map_err(|e| format!("udp send to {addr}: {e}"))?;
            }
            Ok(())
        }
        SyslogAddress::Tcp(addr) => {
            let target = resolve(addr)?;
            let mut stream = TcpStream::connect_timeout(&target, timeout)
                .map_err(|e| format!("tcp connect to {addr}: {e}"))?;
            stream
                .set_write_timeout(Some(timeout))
                .map_err(|e| format!("tcp {addr}: {e}"))?;
            // RFC 6587 octet counting: `LEN SP MSG`.
            let mut framed = Vec::new();
            for m in messages {
                framed.extend_from_slice(format!("{} {m}", m.len()).as_bytes());
            }
            stream
                .write_all(&framed)
                .and_then(|()| stream.flush())
                .map_err(|e| format!("tcp send to {addr}: {e}"))
        }
    }
}
