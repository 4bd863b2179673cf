//! The secret rules as the engine sees them: which run, how a [`SecretFinding`] becomes a
//! report [`Finding`] (owned by the function whose code holds it, redacted, fingerprinted by
//! the secret's hash rather than its line), and their metadata for the report and the CLI.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use faasguard_core::{Finding, Location, Severity, fingerprint};
use faasguard_model::Inventory;
use faasguard_report::RuleInfo;
use faasguard_secrets::{Rule, Scanner, Settings, builtin_rules};

use crate::ScanSettings;
use crate::code::CodeHit;
use crate::error::EngineError;

/// The remediation shown with every secret finding.
pub const SECRET_REMEDIATION: &str = "Remove the credential from the code and its history, rotate it (treat it as leaked), and load it at runtime from Secrets Manager, SSM Parameter Store (SecureString) or Key Vault.";

/// The rule that reports secrets in function environment variables; a code-scan hit on the
/// same template line is the same secret and is not reported twice.
const ENV_RULE_ID: &str = "FG-FN-009";

fn enabled(settings: &ScanSettings, rule: &Rule) -> bool {
    let named = |set: &std::collections::BTreeSet<String>| {
        set.contains(&rule.id) || set.contains(&rule.name)
    };
    !named(&settings.rules.ignore)
        && (settings.rules.select.is_empty() || named(&settings.rules.select))
}

/// The secret scanner for these settings, or `None` when every secret rule is switched off.
pub(crate) fn scanner(settings: &ScanSettings) -> Result<Option<Scanner>, EngineError> {
    let rules = builtin_rules().map_err(|e| EngineError::Secrets(e.to_string()))?;
    let disabled: Vec<String> = rules
        .iter()
        .filter(|r| !enabled(settings, r))
        .map(|r| r.id.clone())
        .collect();
    if disabled.len() == rules.len() {
        return Ok(None);
    }
    let mut scanner_settings = Settings {
        disabled_rules: disabled,
        max_file_bytes: usize::try_from(settings.code_limits.max_file_bytes).unwrap_or(usize::MAX),
        ..Settings::default()
    };
    if let Some(paths) = &settings.secret_allow_paths {
        scanner_settings.allow_paths.clone_from(paths);
    }
    if let Some(paths) = &settings.secret_doc_paths {
        scanner_settings.doc_paths.clone_from(paths);
    }
    Scanner::new(scanner_settings)
        .map(Some)
        .map_err(|e| EngineError::Secrets(e.to_string()))
}

/// The report metadata of a secret rule.
pub fn secret_rule_info(rule: &Rule) -> RuleInfo {
    let mut what = format!(
        "Reports a hard-coded {} in source code, configuration files, notebooks, function packages and layers (zip archives, nested ones included).",
        rule.title
    );
    if let Some(pair) = &rule.pair {
        let _ = write!(
            what,
            " It is reported when `{}` and `{}` are found within {} lines of each other: together they are a usable credential.",
            pair.first, pair.second, pair.within_lines
        );
    }
    if !rule.keywords.is_empty() {
        let words: Vec<String> = rule.keywords.iter().map(|k| format!("`{k}`")).collect();
        let _ = write!(
            what,
            " The pattern is only tried near one of the keywords {}.",
            words.join(", ")
        );
    }
    if rule.entropy.is_some() {
        what.push_str(" Low-entropy values (words, repeated characters) are not reported.");
    }
    if rule.checksum.is_some() {
        what.push_str(" The token's built-in checksum must be valid.");
    }
    let docs = format!(
        "## What it does\n{what}\n\nPlaceholders (`EXAMPLE`, `xxxx`, `<your-key>`, `${{VAR}}`, `process.env.X`), files under test and fixture directories, and lines marked `faasguard:ignore` or `pragma: allowlist secret` are not reported. Findings in dependency code (`node_modules`, `site-packages`, `vendor`) are reported one severity lower. The secret itself is never shown: only its first characters, its length and a hash.\n\n## Why is this bad?\nA credential written in code is readable by everyone who can read the repository, the CI logs or the deployed package (`lambda:GetFunction` returns a link to download the code). It cannot be rotated without a redeploy, and once committed it lives on in the history and in every copy.\n\n## References\n- CWE-798: Use of Hard-coded Credentials\n- OWASP Serverless Top 10 SAS-7: Insecure Application Secrets Storage\n"
    );
    RuleInfo {
        id: rule.id.clone(),
        name: rule.name.clone(),
        title: rule.title.clone(),
        severity: rule.severity,
        family: "secrets".to_owned(),
        remediation: SECRET_REMEDIATION.to_owned(),
        references: vec![
            "CWE-798".to_owned(),
            "OWASP Serverless Top 10 SAS-7: Insecure Application Secrets Storage".to_owned(),
        ],
        docs,
    }
}

/// Which function's code holds a file on disk.
pub(crate) struct Owners(BTreeMap<PathBuf, Vec<String>>);

impl Owners {
    /// Each function's code directory or package, made canonical.
    pub(crate) fn new(inventory: &Inventory) -> Owners {
        let mut owners: BTreeMap<PathBuf, Vec<String>> = BTreeMap::new();
        for func in &inventory.functions {
            if let Some(code) = func.code.get()
                && let Ok(code) = code.canonicalize()
            {
                owners.entry(code).or_default().push(func.display_id());
            }
        }
        Owners(owners)
    }

    /// Owners given directly: each in-memory package's display path and its function.
    pub(crate) fn from_paths(paths: impl IntoIterator<Item = (PathBuf, String)>) -> Owners {
        let mut owners: BTreeMap<PathBuf, Vec<String>> = BTreeMap::new();
        for (path, id) in paths {
            owners.entry(path).or_default().push(id);
        }
        Owners(owners)
    }

    /// The function whose code path is the longest prefix of `disk`, when exactly one function
    /// has that code path.
    pub(crate) fn owner(&self, disk: &std::path::Path) -> Option<String> {
        self.0
            .iter()
            .filter(|(code, _)| disk.starts_with(code))
            .max_by_key(|(code, _)| code.components().count())
            .and_then(|(_, ids)| match ids.as_slice() {
                [only] => Some(only.clone()),
                _ => None,
            })
    }
}

/// One severity lower (dependency code), never below `info`.
pub(crate) fn lowered(severity: Severity) -> Severity {
    Severity::ALL[(severity as usize).saturating_sub(1)]
}

/// Adds the code scan's secrets to the findings and returns the metadata of the secret rules
/// that found something. A secret on a line where the environment-variable rule already
/// reported is that rule's finding; a secret inside a function's code directory or package
/// belongs to that function (when exactly one function owns the path).
pub(crate) fn merge_findings(
    findings: &mut Vec<Finding>,
    hits: Vec<CodeHit>,
    owners: &Owners,
) -> Vec<RuleInfo> {
    let env_lines: std::collections::BTreeSet<(String, Option<u32>)> = findings
        .iter()
        .filter(|f| f.rule_id == ENV_RULE_ID)
        .map(|f| (f.location.file.clone(), f.location.line))
        .collect();
    let mut hit_rules = BTreeMap::new();
    for hit in hits {
        let f = hit.finding;
        let line = u32::try_from(f.line).ok();
        if env_lines.contains(&(f.path.clone(), line)) {
            continue;
        }
        let function = owners.owner(&hit.disk);
        let what = if f.title.to_ascii_lowercase().starts_with("hard-coded") {
            f.title.clone()
        } else {
            format!("Hard-coded {}", f.title)
        };
        let (severity, message) = if f.dependency {
            (
                lowered(f.severity),
                format!("{what} in dependency code (reported one severity lower)"),
            )
        } else {
            (f.severity, what)
        };
        let location = Location {
            file: f.path.clone(),
            line,
            column: u32::try_from(f.column).ok(),
            pointer: None,
        };
        let print = fingerprint(
            &f.rule_id,
            function.as_deref(),
            &Location::file(f.path.clone()),
            &f.fingerprint,
        );
        if let Ok(rules) = builtin_rules()
            && let Some(rule) = rules.iter().find(|r| r.id == f.rule_id)
        {
            hit_rules
                .entry(rule.id.clone())
                .or_insert_with(|| secret_rule_info(rule));
        }
        findings.push(Finding {
            rule_id: f.rule_id,
            rule_name: f.rule_name,
            severity,
            function,
            location,
            message,
            evidence: Some(f.redacted),
            remediation: Some(SECRET_REMEDIATION.to_owned()),
            fingerprint: print,
            flow: Vec::new(),
        });
    }
    hit_rules.into_values().collect()
}
