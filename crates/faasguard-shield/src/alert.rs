//! Alert lines: one JSON object per line, at most [`MAX_LINE_BYTES`], written with a single
//! `write(2)`; and the per-invocation rate limit. The format is documented in docs/shield.md.

use std::collections::HashSet;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;
use serde_json::{Map, Value};

use crate::policy::{Control, Mode};

/// Longest line written (CloudWatch keeps it whole; below `PIPE_BUF`, so lines never interleave).
pub const MAX_LINE_BYTES: usize = 4096;

/// Identical alerts are written once per invocation, and at most this many lines in all.
pub const MAX_ALERTS_PER_INVOCATION: u32 = 100;

/// What happened to the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Blocked,
    Allowed,
}

/// Which layer saw the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mechanism {
    LdPreload,
    PythonAudit,
    NodePreload,
    Landlock,
    Seccomp,
}

/// One alert.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    pub policy: Control,
    pub mode: Mode,
    pub action: Action,
    /// By control: see docs/shield.md ("Log lines").
    pub details: Map<String, Value>,
    pub mechanism: Mechanism,
    pub pid: u32,
    pub request_id: Option<String>,
    pub trace_id: Option<String>,
}

#[derive(Serialize)]
struct Line<'a> {
    faasguard_shield: &'static str,
    policy: Control,
    mode: Mode,
    action: Action,
    details: &'a Map<String, Value>,
    mechanism: Mechanism,
    pid: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    request_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    trace_id: Option<&'a str>,
    ts: String,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    truncated: bool,
}

/// Cuts `s` to at most `max` bytes at a character boundary.
fn cut(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Shortens every string in `value` to `max` bytes; arrays keep their first `max_items`.
fn shorten(value: &Value, max: usize, max_items: usize) -> Value {
    match value {
        Value::String(s) => Value::String(cut(s, max).to_owned()),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .take(max_items)
                .map(|v| shorten(v, max, max_items))
                .collect(),
        ),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), shorten(v, max, max_items)))
                .collect(),
        ),
        other => other.clone(),
    }
}

impl Alert {
    /// The JSON line (with its newline), at most [`MAX_LINE_BYTES`]: details are shortened
    /// step by step (and `"truncated": true` added) until it fits.
    pub fn to_line(&self, now: SystemTime) -> String {
        let ts = rfc3339_millis(now);
        let mut details = self.details.clone();
        let mut truncated = false;
        for (max, items) in [
            (usize::MAX, usize::MAX),
            (256, 16),
            (64, 8),
            (16, 2),
            (0, 0),
        ] {
            if max != usize::MAX {
                truncated = true;
                details = self
                    .details
                    .iter()
                    .map(|(k, v)| (k.clone(), shorten(v, max, items)))
                    .collect();
            }
            let line = Line {
                faasguard_shield: "alert",
                policy: self.policy,
                mode: self.mode,
                action: self.action,
                details: &details,
                mechanism: self.mechanism,
                pid: self.pid,
                request_id: self.request_id.as_deref().map(|s| cut(s, 128)),
                trace_id: self.trace_id.as_deref().map(|s| cut(s, 256)),
                ts: ts.clone(),
                truncated,
            };
            if let Ok(mut text) = serde_json::to_string(&line)
                && text.len() < MAX_LINE_BYTES
            {
                text.push('\n');
                return text;
            }
        }
        // Unreachable in practice (the last step has empty strings); keep a valid line.
        format!(
            "{{\"faasguard_shield\":\"alert\",\"policy\":\"{}\",\"mode\":\"{}\",\"truncated\":true,\"ts\":\"{ts}\"}}\n",
            self.policy.as_str(),
            self.mode.as_str()
        )
    }

    /// The key identical alerts share (policy, action and details).
    fn key(&self) -> String {
        format!(
            "{}|{:?}|{}",
            self.policy.as_str(),
            self.action,
            Value::Object(self.details.clone())
        )
    }
}

/// What the rate limiter says about one alert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Write it.
    Write,
    /// Write a `suppressed` line for this many earlier alerts, then this one.
    WriteAfterSuppressed(u32),
    /// Drop it (a duplicate, or over the limit).
    Drop,
}

/// Per-invocation rate limit: an identical alert once, at most
/// [`MAX_ALERTS_PER_INVOCATION`] lines; a new invocation (another request id) starts over and
/// first reports how many were dropped.
#[derive(Debug, Default)]
pub struct RateLimiter {
    invocation: Option<String>,
    seen: HashSet<String>,
    written: u32,
    dropped: u32,
}

impl RateLimiter {
    pub fn check(&mut self, alert: &Alert) -> Verdict {
        let mut carried = 0;
        if alert.request_id != self.invocation {
            carried = self.dropped;
            self.invocation.clone_from(&alert.request_id);
            self.seen.clear();
            self.written = 0;
            self.dropped = 0;
        }
        if self.written >= MAX_ALERTS_PER_INVOCATION || !self.seen.insert(alert.key()) {
            self.dropped += 1;
            return Verdict::Drop;
        }
        self.written += 1;
        if carried > 0 {
            Verdict::WriteAfterSuppressed(carried)
        } else {
            Verdict::Write
        }
    }
}

/// The `suppressed` line: how many alerts of the previous invocation were dropped.
pub fn suppressed_line(count: u32, now: SystemTime) -> String {
    format!(
        "{{\"faasguard_shield\":\"suppressed\",\"count\":{count},\"ts\":\"{}\"}}\n",
        rfc3339_millis(now)
    )
}

/// An `error` line.
pub fn error_line(error: &str, now: SystemTime) -> String {
    let value = serde_json::json!({
        "faasguard_shield": "error",
        "error": cut(error, 3000),
        "ts": rfc3339_millis(now),
    });
    format!("{value}\n")
}

/// `2026-11-24T12:00:01.250Z`.
pub fn rfc3339_millis(t: SystemTime) -> String {
    let d = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (year, month, day) = faasguard_core::date::civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        d.subsec_millis()
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use std::time::Duration;

    use super::*;

    fn alert(details: &Value, request: Option<&str>) -> Alert {
        Alert {
            policy: Control::OutboundConnectivity,
            mode: Mode::Block,
            action: Action::Blocked,
            details: details.as_object().unwrap().clone(),
            mechanism: Mechanism::LdPreload,
            pid: 8,
            request_id: request.map(str::to_owned),
            trace_id: None,
        }
    }

    /// The line has the documented keys; an oversized one is cut below 4 KB and says so.
    #[test]
    fn line_format_and_cap() {
        let t = UNIX_EPOCH + Duration::from_millis(1_795_521_601_250);
        assert_eq!(rfc3339_millis(t), "2026-11-24T12:00:01.250Z");
        assert_eq!(rfc3339_millis(UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            rfc3339_millis(UNIX_EPOCH + Duration::from_hours(264_384)),
            "2000-02-29T00:00:00.000Z"
        );
        let a = alert(
            &serde_json::json!({"host": "evil.example", "ip": "203.0.113.9", "port": 443, "proto": "tcp"}),
            Some("req-1"),
        );
        let line = a.to_line(t);
        assert!(line.ends_with('\n'));
        let v: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["faasguard_shield"], "alert");
        assert_eq!(v["policy"], "outbound_connectivity");
        assert_eq!(v["mode"], "block");
        assert_eq!(v["action"], "blocked");
        assert_eq!(v["mechanism"], "ld_preload");
        assert_eq!(v["details"]["port"], 443);
        assert_eq!(v["request_id"], "req-1");
        assert_eq!(v["ts"], "2026-11-24T12:00:01.250Z");
        assert!(v.get("truncated").is_none() && v.get("trace_id").is_none());

        let argv: Vec<String> = (0..200)
            .map(|i| format!("arg-{i}-{}", "é".repeat(100)))
            .collect();
        let big = alert(&serde_json::json!({"path": "/bin/sh", "argv": argv}), None);
        let line = big.to_line(t);
        assert!(line.len() <= MAX_LINE_BYTES, "{}", line.len());
        let v: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["truncated"], true);
        assert_eq!(v["details"]["path"], "/bin/sh");
    }

    /// Duplicates are dropped within an invocation, the total is capped, and the next
    /// invocation reports what was dropped.
    #[test]
    fn rate_limit_per_invocation() {
        let mut limiter = RateLimiter::default();
        let same = alert(&serde_json::json!({"port": 1}), Some("a"));
        assert_eq!(limiter.check(&same), Verdict::Write);
        assert_eq!(limiter.check(&same), Verdict::Drop);
        for port in 2..=MAX_ALERTS_PER_INVOCATION {
            assert_eq!(
                limiter.check(&alert(&serde_json::json!({"port": port}), Some("a"))),
                Verdict::Write
            );
        }
        assert_eq!(
            limiter.check(&alert(&serde_json::json!({"port": 999}), Some("a"))),
            Verdict::Drop
        );
        assert_eq!(limiter.check(&same.clone()), Verdict::Drop);
        let next = alert(&serde_json::json!({"port": 1}), Some("b"));
        assert_eq!(limiter.check(&next), Verdict::WriteAfterSuppressed(3));
        assert_eq!(limiter.check(&next), Verdict::Drop);
        let line = suppressed_line(3, UNIX_EPOCH);
        assert_eq!(serde_json::from_str::<Value>(&line).unwrap()["count"], 3);
        let err: Value = serde_json::from_str(&error_line("bad \"policy\"", UNIX_EPOCH)).unwrap();
        assert_eq!(err["error"], "bad \"policy\"");
    }
}
