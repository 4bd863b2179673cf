//! The SARIF 2.1.0 writer, shaped for GitHub code scanning: rule metadata with
//! `security-severity`, results with `partialFingerprints`, suppressed findings as results
//! with `suppressions`, and diagnostics as tool execution notifications.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io;

use faasguard_core::{Finding, Location, Severity};
use serde_json::{Map, Value, json};

use crate::rules::{RuleView, docs_section, rules_in_play};
use crate::{Format, Report, ReportError, Writer};

/// The schema the output follows (the OASIS SARIF 2.1.0 schema, errata 01).
pub(crate) const SARIF_SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// Where to read about the tool (SARIF `tool.driver.informationUri`).
pub(crate) const INFORMATION_URI: &str = "https://github.com/faasguard/faasguard";

/// The key of faasguard's fingerprint in `partialFingerprints`; bump the suffix if the
/// fingerprint's inputs ever change.
pub(crate) const FINGERPRINT_KEY: &str = "faasguard/v1";

/// Artifact URIs are relative to the scanned repository's root.
const SRCROOT: &str = "%SRCROOT%";

#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct SarifWriter;

impl Writer for SarifWriter {
    fn write(&self, report: &Report, out: &mut dyn io::Write) -> Result<(), ReportError> {
        serde_json::to_writer_pretty(&mut *out, &sarif_log(report))
            .map_err(ReportError::json(Format::Sarif))?;
        out.write_all(b"\n").map_err(ReportError::io(Format::Sarif))
    }
}

/// The SARIF `level` of a severity: critical and high are errors, medium a warning, the rest
/// notes.
pub(crate) fn sarif_level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// The `security-severity` score GitHub code scanning reads (over 9.0 critical, 7.0–8.9 high,
/// 4.0–6.9 medium, 0.1–3.9 low). Info rules get none: they are notes, not security alerts.
pub(crate) fn security_severity(severity: Severity) -> Option<&'static str> {
    match severity {
        Severity::Critical => Some("9.5"),
        Severity::High => Some("8.0"),
        Severity::Medium => Some("5.5"),
        Severity::Low => Some("3.0"),
        Severity::Info => None,
    }
}

fn sarif_log(report: &Report) -> Value {
    let rules = rules_in_play(report);
    let index: HashMap<&str, usize> = rules
        .iter()
        .enumerate()
        .map(|(i, rule)| (rule.id, i))
        .collect();

    let mut results: Vec<Value> = report
        .findings
        .iter()
        .map(|finding| result(finding, &index, None))
        .collect();
    results.extend(report.suppressed.iter().map(|suppressed| {
        let kind = if suppressed.kind == "inline" {
            "inSource"
        } else {
            "external"
        };
        let mut suppression = Map::new();
        suppression.insert("kind".to_owned(), json!(kind));
        suppression.insert("status".to_owned(), json!("accepted"));
        let justification = match &suppressed.reason {
            Some(reason) => format!("{}: {reason}", suppressed.kind),
            None => suppressed.kind.clone(),
        };
        suppression.insert("justification".to_owned(), json!(justification));
        result(
            &suppressed.finding,
            &index,
            Some(Value::Object(suppression)),
        )
    }));

    let notifications: Vec<Value> = report
        .diagnostics
        .iter()
        .map(|diagnostic| {
            json!({
                "level": "error",
                "message": { "text": diagnostic.message },
                "locations": [{ "physicalLocation": physical_location(&diagnostic.location) }],
            })
        })
        .collect();

    json!({
        "$schema": SARIF_SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": report.tool.name,
                    "version": report.tool.version,
                    "semanticVersion": report.tool.version,
                    "informationUri": INFORMATION_URI,
                    "rules": rules.iter().map(rule_descriptor).collect::<Vec<_>>(),
                }
            },
            "invocations": [{
                "executionSuccessful": report.diagnostics.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    })
}

fn rule_descriptor(rule: &RuleView<'_>) -> Value {
    let mut descriptor = Map::new();
    descriptor.insert("id".to_owned(), json!(rule.id));
    descriptor.insert("name".to_owned(), json!(rule.name));
    let title = rule
        .info
        .map_or(rule.name, |info| info.title.as_str())
        .to_owned();
    let full = rule
        .info
        .and_then(|info| docs_section(&info.docs, "What it does"))
        .map_or_else(|| title.clone(), str::to_owned);
    descriptor.insert("shortDescription".to_owned(), json!({ "text": title }));
    descriptor.insert("fullDescription".to_owned(), json!({ "text": full }));
    if let Some(info) = rule.info {
        let help_uri = info
            .references
            .iter()
            .find(|r| r.starts_with("https://") || r.starts_with("http://"));
        if let Some(uri) = help_uri {
            descriptor.insert("helpUri".to_owned(), json!(uri));
        }
        let markdown = if info.docs.trim().is_empty() {
            info.remediation.clone()
        } else {
            info.docs.clone()
        };
        descriptor.insert(
            "help".to_owned(),
            json!({ "text": info.remediation, "markdown": markdown }),
        );
    }
    descriptor.insert(
        "defaultConfiguration".to_owned(),
        json!({ "level": sarif_level(rule.severity) }),
    );
    let mut tags = vec!["security".to_owned()];
    if let Some(info) = rule.info {
        tags.push(info.family.clone());
    }
    tags.push(rule.severity.as_str().to_owned());
    let mut properties = Map::new();
    properties.insert("tags".to_owned(), json!(tags));
    if let Some(score) = security_severity(rule.severity) {
        properties.insert("security-severity".to_owned(), json!(score));
    }
    properties.insert("precision".to_owned(), json!("high"));
    descriptor.insert("properties".to_owned(), Value::Object(properties));
    Value::Object(descriptor)
}

fn result(finding: &Finding, index: &HashMap<&str, usize>, suppression: Option<Value>) -> Value {
    let mut result = Map::new();
    result.insert("ruleId".to_owned(), json!(finding.rule_id));
    if let Some(i) = index.get(finding.rule_id.as_str()) {
        result.insert("ruleIndex".to_owned(), json!(i));
    }
    result.insert("level".to_owned(), json!(sarif_level(finding.severity)));
    result.insert("message".to_owned(), json!({ "text": finding.message }));
    let mut location = Map::new();
    location.insert(
        "physicalLocation".to_owned(),
        physical_location(&finding.location),
    );
    if let Some(function) = &finding.function {
        let name = function
            .rsplit_once('#')
            .map_or(function.as_str(), |(_, n)| n);
        location.insert(
            "logicalLocations".to_owned(),
            json!([{ "name": name, "fullyQualifiedName": function, "kind": "function" }]),
        );
    }
    result.insert("locations".to_owned(), json!([Value::Object(location)]));
    if !finding.flow.is_empty() {
        // One code flow with one thread: the steps from the source to the sink.
        let steps: Vec<Value> = finding
            .flow
            .iter()
            .map(|step| {
                json!({ "location": {
                    "physicalLocation": physical_location(&step.location),
                    "message": { "text": step.message },
                } })
            })
            .collect();
        result.insert(
            "codeFlows".to_owned(),
            json!([{ "threadFlows": [{ "locations": steps }] }]),
        );
    }
    result.insert(
        "partialFingerprints".to_owned(),
        json!({ FINGERPRINT_KEY: finding.fingerprint }),
    );
    if let Some(suppression) = suppression {
        result.insert("suppressions".to_owned(), json!([suppression]));
    }
    let mut properties = Map::new();
    properties.insert("severity".to_owned(), json!(finding.severity));
    if let Some(pointer) = &finding.location.pointer {
        properties.insert("pointer".to_owned(), json!(pointer));
    }
    if let Some(evidence) = &finding.evidence {
        properties.insert("evidence".to_owned(), json!(evidence));
    }
    if let Some(remediation) = &finding.remediation {
        properties.insert("remediation".to_owned(), json!(remediation));
    }
    result.insert("properties".to_owned(), Value::Object(properties));
    Value::Object(result)
}

/// `artifactLocation` (relative URI against `%SRCROOT%`) and, when the line is known, `region`.
fn physical_location(location: &Location) -> Value {
    let mut physical = Map::new();
    physical.insert(
        "artifactLocation".to_owned(),
        json!({ "uri": file_uri(&location.file), "uriBaseId": SRCROOT }),
    );
    if let Some(line) = location.line {
        let mut region = Map::new();
        region.insert("startLine".to_owned(), json!(line.max(1)));
        if let Some(column) = location.column {
            region.insert("startColumn".to_owned(), json!(column.max(1)));
        }
        physical.insert("region".to_owned(), Value::Object(region));
    }
    Value::Object(physical)
}

/// A relative, `/`-separated path as a URI reference: every byte outside the unreserved set,
/// `/` and a few safe sub-delimiters is percent-encoded (so `:` in a first segment cannot read
/// as a scheme, and spaces and non-ASCII names stay valid).
pub(crate) fn file_uri(path: &str) -> String {
    let mut uri = String::with_capacity(path.len());
    for byte in path.replace('\\', "/").bytes() {
        if byte.is_ascii_alphanumeric()
            || matches!(
                byte,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b'/'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b'@'
            )
        {
            uri.push(char::from(byte));
        } else {
            let _ = write!(uri, "%{byte:02X}");
        }
    }
    uri
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Paths with spaces, colons, percent signs and non-ASCII names become valid URI references.
    #[test]
    fn file_uris_are_percent_encoded() {
        assert_eq!(file_uri("infra/template.yaml"), "infra/template.yaml");
        assert_eq!(file_uri("my app/c:d%.yml"), "my%20app/c%3Ad%25.yml");
        assert_eq!(file_uri("fünf.tf"), "f%C3%BCnf.tf");
        assert_eq!(file_uri("a\\b.json"), "a/b.json");
    }

    /// Severities map to SARIF levels and GitHub security-severity bands as documented.
    #[test]
    fn severity_mapping() {
        assert_eq!(sarif_level(Severity::Critical), "error");
        assert_eq!(sarif_level(Severity::High), "error");
        assert_eq!(sarif_level(Severity::Medium), "warning");
        assert_eq!(sarif_level(Severity::Low), "note");
        assert_eq!(sarif_level(Severity::Info), "note");
        assert_eq!(security_severity(Severity::Critical), Some("9.5"));
        assert_eq!(security_severity(Severity::Info), None);
    }
}
