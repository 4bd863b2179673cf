//! The scan [`Report`] and its writers (table, JSON, SARIF, JUnit).
//!
//! The `Report` struct *is* the JSON schema: the JSON writer serialises it as is, and
//! `schema_version` changes whenever a field changes meaning or is removed.

use serde::{Deserialize, Serialize};

use faasguard_core::{Diagnostic, Finding, Location, Severity};

/// Version of the JSON report schema. Bump on any incompatible change.
pub const SCHEMA_VERSION: &str = "1.0.0";

/// Everything one scan found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub schema_version: String,
    pub tool: ToolInfo,
    /// The paths that were scanned, as given.
    pub targets: Vec<String>,
    /// Every function found, sorted by id, with the sources it came from.
    pub functions: Vec<FunctionSummary>,
    /// Findings after suppressions and the baseline, sorted by file, line, rule.
    pub findings: Vec<Finding>,
    /// Findings that a suppression or the baseline hid, with the reason.
    pub suppressed: Vec<SuppressedFinding>,
    /// Files or resources that could not be read or understood (make the exit code 2).
    pub diagnostics: Vec<Diagnostic>,
    /// The rules that ran, with their metadata (SARIF `rules`, JUnit test cases).
    pub rules: Vec<RuleInfo>,
}

/// The tool that produced the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolInfo {
    pub name: String,
    pub version: String,
}

/// A function as listed in the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunctionSummary {
    /// Display id (`template.yaml#HelloFunction`), the key findings refer to.
    pub id: String,
    pub provider: String,
    /// `sam`, `cloudformation`, `serverless`, `terraform`, `azure-functions`, …
    pub source: String,
    pub name: Option<String>,
    pub runtime: Option<String>,
    pub location: Location,
}

/// A finding that was not reported, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuppressedFinding {
    pub finding: Finding,
    /// `inline` (a `faasguard:ignore` comment), `baseline`, `ignore-file` or `config`.
    pub kind: String,
    pub reason: Option<String>,
}

/// Metadata of a rule that ran.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleInfo {
    pub id: String,
    pub name: String,
    pub title: String,
    pub severity: Severity,
    pub family: String,
    pub remediation: String,
    pub references: Vec<String>,
    /// Markdown documentation.
    pub docs: String,
}
