//! The scan [`Report`] and its writers (table, JSON, SARIF, JUnit, CycloneDX).
//!
//! The `Report` struct *is* the JSON schema: the JSON writer serialises it as is, and
//! `schema_version` changes whenever a field changes meaning or is removed. [`json_schema`]
//! derives the JSON Schema from it (committed as `schemas/report.schema.json`).
//!
//! Every output format implements [`Writer`]; pick one with [`writer`]:
//!
//! ```
//! use faasguard_report::{Format, WriterOptions, writer};
//! # let report = faasguard_report::Report::empty("faasguard", "0.1.0");
//! let format: Format = "sarif".parse().unwrap();
//! let mut out = Vec::new();
//! writer(format, WriterOptions::default()).write(&report, &mut out).unwrap();
//! assert!(String::from_utf8(out).unwrap().contains("\"version\": \"2.1.0\""));
//! ```
//!
//! Writers print what the report holds, in the order it holds it: the engine sorts and
//! redacts, so the same report always gives the same bytes.

mod cyclonedx;
mod format;
mod group;
mod json;
mod junit;
mod rules;
mod sarif;
mod table;

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use faasguard_core::{Diagnostic, Finding, Location, Severity};

pub use format::{Format, ParseFormatError, ReportError, Writer, WriterOptions, writer};
pub use json::json_schema;

/// Version of the JSON report schema. Bump on any incompatible change.
pub const SCHEMA_VERSION: &str = "1.2.0";

/// Everything one scan found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
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
    /// The rules that ran, with their metadata (SARIF `rules`, JUnit test cases). Secret rules
    /// are listed only when they found something (there are over a hundred).
    pub rules: Vec<RuleInfo>,
    /// Files and archive entries deliberately not read (too large): not errors, the exit code is
    /// unchanged.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<SkippedFile>,
    /// What the code scan for secrets covered.
    #[serde(default)]
    pub code: CodeStats,
    /// Every package found in the scanned code (lockfiles, manifests with pinned versions,
    /// installed metadata, binaries), sorted by ecosystem, name, version and file, with what the
    /// vulnerability check said: the SBOM that `--format cyclonedx` writes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub packages: Vec<PackageEntry>,
    /// The vulnerability database the packages were checked against.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vuln_db: Option<VulnDbInfo>,
}

/// One package at one version in one file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PackageEntry {
    /// The OSV ecosystem name (`npm`, `PyPI`, `Go`, `crates.io`, `Maven`, …).
    pub ecosystem: String,
    pub name: String,
    pub version: String,
    pub purl: String,
    /// The file (and line, when known) that names the package.
    pub location: Location,
    /// `prod`, `dev` or `optional`.
    pub scope: String,
    /// Direct or transitive, when the file says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direct: Option<bool>,
    /// `lockfile`, `manifest`, `installed` or `binary`.
    pub origin: String,
    /// `vulnerable`, `clean` or `not-checked`: a package that could not be checked is never
    /// reported as clean.
    pub status: String,
    /// Why the package was not checked (ecosystem not in the database, unreadable version, no
    /// database).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_checked: Option<String>,
    /// The advisories that affect this version (one per alias group).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub advisories: Vec<Advisory>,
}

/// An advisory that affects a package.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Advisory {
    /// The advisory id (`GHSA-…`, `PYSEC-…`, `GO-…`, `RUSTSEC-…`).
    pub id: String,
    /// The other ids of the same vulnerability (`CVE-…`), sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    pub summary: String,
    pub severity: Severity,
    /// CVSS base score and vector, when the advisory has one that parses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cvss: Option<Cvss>,
    /// The lowest fixed version above the installed one, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed: Option<String>,
    /// Set for informational advisories (crates.io `unmaintained`, `unsound`, `notice`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub informational: Option<String>,
}

/// A CVSS rating.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Cvss {
    /// `3.0`, `3.1` or `4.0`.
    pub version: String,
    pub score: f64,
    pub vector: String,
}

/// The vulnerability database a scan used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct VulnDbInfo {
    /// Where it came from (`bundled snapshot`, a path).
    pub source: String,
    /// When it was built (`YYYY-MM-DD`).
    pub built_at: String,
    /// Newest `modified` date among its advisories, per ecosystem, as `ecosystem: YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub newest: Vec<String>,
    /// Older than the staleness threshold: newly published vulnerabilities are missing.
    pub stale: bool,
}

/// A file or archive entry the scan did not read, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SkippedFile {
    pub location: Location,
    pub reason: String,
}

/// Counters of the code scan: text read, archives opened, what was passed over.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CodeStats {
    /// Text files and text archive entries scanned.
    pub files: u64,
    /// Bytes of text scanned.
    pub bytes: u64,
    /// Zip archives opened (nested ones included).
    pub archives: u64,
    /// Archive entries listed (directories and links excluded).
    pub archive_entries: u64,
    /// Binary files and entries passed over (a NUL byte in the first 8 KiB).
    pub binary_files: u64,
    /// Files not scanned because their path is on the secrets path allowlist (tests, fixtures).
    pub allowlisted_files: u64,
    /// Secrets dropped by an inline `faasguard:ignore` / `pragma: allowlist secret` comment.
    pub inline_ignored: u64,
    /// Keyword-rule windows passed over because the line was too long (minified code).
    pub long_lines_skipped: u64,
    /// Lockfiles, manifests, installed-package metadata and binaries read for packages.
    #[serde(default)]
    pub package_files: u64,
}

/// The tool that produced the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ToolInfo {
    pub name: String,
    pub version: String,
}

/// A function as listed in the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct FunctionSummary {
    /// Display id (`template.yaml#HelloFunction`), the key findings refer to.
    pub id: String,
    pub provider: String,
    /// `sam`, `cloudformation`, `serverless`, `terraform`, `azure-functions`, …
    pub source: String,
    pub name: Option<String>,
    pub runtime: Option<String>,
    pub location: Location,
    /// What the cloud reports about a deployed function (`faasguard cloud scan`); absent for
    /// functions read from files. Function Assurance policies and the store read it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloud: Option<CloudFacts>,
}

/// Live facts of a deployed function, as read from the cloud provider's API.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CloudFacts {
    pub arn: String,
    pub account: String,
    pub region: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
    /// Base64 SHA-256 of the deployment package, as Lambda reports it (`CodeSha256`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_sha256: Option<String>,
    /// Reserved concurrency; 0 means the function cannot be invoked (blocked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reserved_concurrency: Option<i32>,
    /// Days since the last invocation (the whole window when there was none); absent when
    /// metrics were not read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unused_days: Option<u32>,
    /// The last day with invocations (`YYYY-MM-DD`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_invocation: Option<String>,
    /// The execution role's ARN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// `NONE` or `AWS_IAM` when the function has a URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url_auth_type: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub layers: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    /// What could not be read for this function (`GetPolicy: AccessDeniedException …`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
}

/// A finding that was not reported, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SuppressedFinding {
    pub finding: Finding,
    /// `inline` (a `faasguard:ignore` comment), `baseline` (`--baseline`) or `config`
    /// (`[per-path-ignores]` in `faasguard.toml`). Files excluded by `.faasguardignore` are never read,
    /// so they produce no suppressed findings.
    pub kind: String,
    pub reason: Option<String>,
}

/// Metadata of a rule that ran.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
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

impl Report {
    /// A report with no targets, functions, findings, diagnostics or rules, stamped with the
    /// current [`SCHEMA_VERSION`]: the starting point the engine fills in.
    pub fn empty(tool_name: impl Into<String>, tool_version: impl Into<String>) -> Self {
        Report {
            schema_version: SCHEMA_VERSION.to_owned(),
            tool: ToolInfo {
                name: tool_name.into(),
                version: tool_version.into(),
            },
            targets: Vec::new(),
            functions: Vec::new(),
            findings: Vec::new(),
            suppressed: Vec::new(),
            diagnostics: Vec::new(),
            rules: Vec::new(),
            skipped: Vec::new(),
            code: CodeStats::default(),
            packages: Vec::new(),
            vuln_db: None,
        }
    }

    /// How many findings there are at each severity, from `info` to `critical`
    /// (indexed like [`Severity::ALL`]).
    pub fn counts_by_severity(&self) -> [usize; 5] {
        let mut counts = [0usize; 5];
        for finding in &self.findings {
            counts[finding.severity as usize] += 1;
        }
        counts
    }
}
