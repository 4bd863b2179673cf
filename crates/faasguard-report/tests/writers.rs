//! Every writer over one hand-built report: snapshots, determinism, and format-specific checks.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod common;

use common::{render, sample_report};
use faasguard_report::{Format, Report, WriterOptions, writer};
use quick_junit::{NonSuccessKind, TestCaseStatus};

/// The JSON report is the Report struct as is: it matches the snapshot and reads back into an
/// equal Report.
#[test]
fn json_snapshot_and_round_trip() {
    let report = sample_report();
    let json = render(&report, Format::Json);
    insta::assert_snapshot!("json", json);
    let back: Report = serde_json::from_str(&json).unwrap();
    assert_eq!(back, report);
}

/// The SARIF log matches the snapshot.
#[test]
fn sarif_snapshot() {
    insta::assert_snapshot!("sarif", render(&sample_report(), Format::Sarif));
}

/// The JUnit XML matches the snapshot.
#[test]
fn junit_snapshot() {
    insta::assert_snapshot!("junit", render(&sample_report(), Format::Junit));
}

/// The table without colour matches the snapshot and holds no escape sequences.
#[test]
fn table_snapshot_without_colour() {
    let table = render(&sample_report(), Format::Table);
    assert!(!table.contains('\u{1b}'));
    insta::assert_snapshot!("table", table);
}

/// With colour on, the table paints severities; the text under the paint is the same as without.
#[test]
fn table_with_colour_paints_severities() {
    let report = sample_report();
    let mut out = Vec::new();
    writer(Format::Table, WriterOptions::default().with_colour(true))
        .write(&report, &mut out)
        .unwrap();
    let coloured = String::from_utf8(out).unwrap();
    assert!(coloured.contains("\u{1b}[1m\u{1b}[31mCRITICAL"));
    let stripped = strip_ansi(&coloured);
    assert_eq!(stripped, render(&report, Format::Table));
}

/// The same report renders to the same bytes every time, in every format.
#[test]
fn output_is_deterministic() {
    for format in Format::ALL {
        let first = render(&sample_report(), format);
        for _ in 0..3 {
            assert_eq!(render(&sample_report(), format), first, "{format} differs");
        }
    }
}

/// A report with nothing in it still renders in every format (and says so in the table).
#[test]
fn empty_report_renders() {
    let report = Report::empty("faasguard", "0.1.0");
    let table = render(&report, Format::Table);
    assert!(table.starts_with("No findings."));
    assert!(table.contains("0 findings"));
    let sarif: serde_json::Value = serde_json::from_str(&render(&report, Format::Sarif)).unwrap();
    assert_eq!(sarif["runs"][0]["results"], serde_json::json!([]));
    assert_eq!(
        sarif["runs"][0]["invocations"][0]["executionSuccessful"],
        true
    );
    let junit = quick_junit::Report::deserialize_from_str(&render(&report, Format::Junit)).unwrap();
    assert!(junit.test_suites.is_empty());
}

/// The JUnit XML is well-formed and parses back: one suite per function with one case per rule
/// (failed where that rule found something on that function), a suite for the finding outside
/// any function, and the diagnostic as an errored case.
#[test]
fn junit_structure() {
    let xml = render(&sample_report(), Format::Junit);
    let junit = quick_junit::Report::deserialize_from_str(&xml).unwrap();
    let suites: Vec<&str> = junit.test_suites.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        suites,
        [
            "serverless.yml#hello",
            "template.yaml#ApiFunction",
            "template.yaml#WorkerFunction",
            "faasguard: not tied to a function",
            "faasguard: diagnostics",
        ]
    );
    let outcome = |suite: usize| -> Vec<(String, &'static str)> {
        junit.test_suites[suite]
            .test_cases
            .iter()
            .map(|case| {
                let kind = match &case.status {
                    TestCaseStatus::Success { .. } => "pass",
                    TestCaseStatus::NonSuccess {
                        kind: NonSuccessKind::Failure,
                        ..
                    } => "failure",
                    TestCaseStatus::NonSuccess {
                        kind: NonSuccessKind::Error,
                        ..
                    } => "error",
                    _ => "other",
                };
                (case.name.as_str().to_owned(), kind)
            })
            .collect()
    };
    let case = |name: &str, kind| (name.to_owned(), kind);
    assert_eq!(
        outcome(0),
        [
            case("FG-FN-001 function-url-without-auth", "pass"),
            case("FG-FN-010 tracing-disabled", "failure"),
            case("FG-IAM-001 wildcard-action", "pass"),
        ]
    );
    assert_eq!(
        outcome(1),
        [
            case("FG-FN-001 function-url-without-auth", "failure"),
            case("FG-FN-010 tracing-disabled", "pass"),
            case("FG-IAM-001 wildcard-action", "failure"),
        ]
    );
    // The suppressed finding on WorkerFunction does not fail it.
    assert!(outcome(2).iter().all(|(_, kind)| *kind == "pass"));
    assert_eq!(outcome(3), [case("FG-IAM-001 wildcard-action", "failure")]);
    assert_eq!(outcome(4), [case("broken.yaml:7:3", "error")]);
    assert_eq!(junit.tests, 11);
    assert_eq!(junit.failures, 4);
    assert_eq!(junit.errors, 1);
    // Class names avoid dots, which Jenkins reads as package separators.
    let classname = junit.test_suites[1].test_cases[0]
        .classname
        .as_ref()
        .unwrap();
    assert_eq!(classname.as_str(), "template_yaml#ApiFunction");
}

/// A finding whose rule is missing from the report's rule list still gets a rule in SARIF
/// (so `ruleIndex` is valid) and a test case in JUnit.
#[test]
fn findings_of_unlisted_rules_still_have_a_rule() {
    let mut report = sample_report();
    report.rules.retain(|rule| rule.id != "FG-IAM-001");
    let sarif: serde_json::Value = serde_json::from_str(&render(&report, Format::Sarif)).unwrap();
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert_eq!(rules[2]["id"], "FG-IAM-001");
    let result = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "FG-IAM-001")
        .unwrap();
    assert_eq!(result["ruleIndex"], 2);
    let junit = quick_junit::Report::deserialize_from_str(&render(&report, Format::Junit)).unwrap();
    assert!(
        junit.test_suites[1]
            .test_cases
            .iter()
            .any(|case| case.name.as_str() == "FG-IAM-001 wildcard-action")
    );
}

/// Removes ANSI SGR sequences (`ESC [ … m`).
fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}
