//! The JUnit XML writer, for Jenkins, Azure DevOps and GitLab: one test suite per function,
//! one test case per function × rule that ran (a failure when that rule found something on
//! that function), findings outside any function in their own suite, and diagnostics as
//! errored test cases.

use std::fmt::Write as _;
use std::io;

use faasguard_core::Finding;
use quick_junit::{NonSuccessKind, Property, TestCase, TestCaseStatus, TestSuite};

use crate::group::ByFunction;
use crate::rules::{RuleView, rules_in_play};
use crate::{Report, ReportError, Writer};

/// Suite for findings that name no function.
const LOOSE_SUITE: &str = "faasguard: not tied to a function";
/// Suite for diagnostics.
const DIAGNOSTICS_SUITE: &str = "faasguard: diagnostics";

#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct JunitWriter;

impl Writer for JunitWriter {
    fn write(&self, report: &Report, out: &mut dyn io::Write) -> Result<(), ReportError> {
        junit_report(report).serialize(out)?;
        Ok(())
    }
}

fn junit_report(report: &Report) -> quick_junit::Report {
    let rules = rules_in_play(report);
    let grouped = ByFunction::new(report);

    let mut junit = quick_junit::Report::new(report.tool.name.as_str());
    for function in &report.functions {
        let mut suite = function_suite(&function.id, &rules, grouped.of(&function.id));
        suite.add_property(Property::new("source", function.source.as_str()));
        suite.add_property(Property::new("location", function.location.to_string()));
        junit.add_test_suite(suite);
    }
    for &id in &grouped.unlisted {
        junit.add_test_suite(function_suite(id, &rules, grouped.of(id)));
    }

    if !grouped.loose.is_empty() {
        let mut suite = TestSuite::new(LOOSE_SUITE);
        for rule in &rules {
            let hits: Vec<&Finding> = grouped
                .loose
                .iter()
                .copied()
                .filter(|f| f.rule_id == rule.id)
                .collect();
            if !hits.is_empty() {
                suite.add_test_case(rule_case(rule, "not-tied-to-a-function", &hits));
            }
        }
        junit.add_test_suite(suite);
    }

    if !report.diagnostics.is_empty() {
        let mut suite = TestSuite::new(DIAGNOSTICS_SUITE);
        for diagnostic in &report.diagnostics {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
            status.set_message(diagnostic.message.as_str());
            status.set_type("diagnostic");
            status.set_description(format!("{}: {}", diagnostic.location, diagnostic.message));
            let mut case = TestCase::new(diagnostic.location.to_string(), status);
            case.set_classname("diagnostics");
            suite.add_test_case(case);
        }
        junit.add_test_suite(suite);
    }
    junit
}

fn function_suite(id: &str, rules: &[RuleView<'_>], findings: &[&Finding]) -> TestSuite {
    let mut suite = TestSuite::new(id);
    let classname = classname(id);
    for rule in rules {
        let hits: Vec<&Finding> = findings
            .iter()
            .copied()
            .filter(|f| f.rule_id == rule.id)
            .collect();
        suite.add_test_case(rule_case(rule, &classname, &hits));
    }
    suite
}

/// A function id as a JUnit class name. Jenkins splits class names at dots into packages, so
/// `template.yaml#Fn` would show as package `template`, class `yaml#Fn`; dots become `_`.
fn classname(id: &str) -> String {
    id.replace('.', "_")
}

/// The test case of one rule in one place: passed when `hits` is empty, else failed with the
/// first message and every finding in the body.
fn rule_case(rule: &RuleView<'_>, classname: &str, hits: &[&Finding]) -> TestCase {
    let name = format!("{} {}", rule.id, rule.name);
    let status = match hits {
        [] => TestCaseStatus::success(),
        [first, rest @ ..] => {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            let message = if rest.is_empty() {
                first.message.clone()
            } else {
                format!("{} (and {} more)", first.message, rest.len())
            };
            status.set_message(message);
            let worst = hits
                .iter()
                .map(|f| f.severity)
                .max()
                .unwrap_or(rule.severity);
            status.set_type(worst.as_str());
            status.set_description(findings_text(hits));
            status
        }
    };
    let mut case = TestCase::new(name, status);
    case.set_classname(classname);
    case
}

fn findings_text(findings: &[&Finding]) -> String {
    let mut text = String::new();
    for finding in findings {
        let _ = writeln!(
            text,
            "[{}] {} {}: {}",
            finding.severity, finding.rule_id, finding.location, finding.message
        );
        if let Some(evidence) = &finding.evidence {
            let _ = writeln!(text, "  evidence: {}", evidence.replace('\n', "\n    "));
        }
        if let Some(remediation) = &finding.remediation {
            let _ = writeln!(text, "  fix: {remediation}");
        }
        let _ = writeln!(text, "  fingerprint: {}", finding.fingerprint);
    }
    text
}
