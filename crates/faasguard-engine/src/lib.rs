//! The scan engine: walks the paths, loads sources into the model, runs the rules, applies
//! suppressions and the baseline, and returns a [`Report`].
//!
//! ```no_run
//! use faasguard_engine::{Config, ScanSettings, find_config, scan};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut settings = ScanSettings::new(vec!["infra".into()]);
//! if let Some(path) = find_config(std::path::Path::new("infra")) {
//!     settings.apply_config(Config::load(&path)?);
//! }
//! let report = scan(&settings)?;
//! # Ok(()) }
//! ```
//!
//! The engine reads files but never prints, exits, reads the environment or the clock: the caller
//! sets [`RuleSettings::today`].

mod cloud;
mod code;
mod config;
mod error;
mod sast;
mod secrets;
mod suppress;
mod vulns;
mod walk;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use faasguard_core::{Diagnostic, Finding};
use faasguard_model::{Function, Provider};
use faasguard_report::{FunctionSummary, Report, RuleInfo, SCHEMA_VERSION, ToolInfo};
use faasguard_rules::{RuleMeta, RuleSettings, all_rules, check_inventory};

pub use cloud::{
    InventoryScan, MemoryPackage, UNRECORDED_CODE, integrity_rule_infos, package_files,
    scan_inventory, unrecorded_code_finding,
};
pub use code::{CODE_SKIPPED_DIRS, CodeLimits, PackageScan, scan_package_bytes};
pub use config::{
    CONFIG_FILE_NAME, Config, ConfigOptions, FAMILY_PREFIXES, FORMAT_NAMES, FailOn, PerPathIgnore,
    SecretsOptions, find_config, resolve_rule, resolve_selector,
};
pub use error::{ConfigError, EngineError};
pub use sast::sast_rule_infos;
pub use secrets::{SECRET_REMEDIATION, secret_rule_info};
pub use suppress::{INLINE_MARKER, InlineIgnore, load_baseline, parse_inline};
pub use vulns::{INFORMATIONAL_ADVISORY, VULNERABLE_PACKAGE, dependency_rule_infos};
pub use walk::{IGNORE_FILE_NAME, MAX_FILES, SKIPPED_DIRS};

/// Validated settings for one scan: the command line merged over `faasguard.toml`.
#[derive(Debug, Clone)]
pub struct ScanSettings {
    /// Directories or files to scan, as given.
    pub targets: Vec<PathBuf>,
    /// Which rules run and their knobs. `today` must be set by the caller.
    pub rules: RuleSettings,
    /// Exit-code threshold (used by the caller; kept here so config and flags merge in one place).
    pub fail_on: FailOn,
    /// Report format named in the configuration (`table`, `json`, `sarif`, `junit`), if any.
    pub format: Option<String>,
    /// Gitignore-syntax exclude patterns, each group relative to its base directory.
    pub exclude: Vec<(PathBuf, Vec<String>)>,
    pub per_path_ignores: Vec<PerPathIgnore>,
    /// A previous JSON report whose findings are suppressed.
    pub baseline: Option<PathBuf>,
    /// The configuration file applied, if any.
    pub config_file: Option<PathBuf>,
    /// Path regexes the secret scan skips; `None` keeps the built-in list (test and fixture
    /// directories), an empty list scans everything.
    pub secret_allow_paths: Option<Vec<String>>,
    /// Path regexes of documentation files, where only provider-prefixed key rules run; `None`
    /// keeps the built-in list.
    pub secret_doc_paths: Option<Vec<String>>,
    /// Bounds of the code scan (file sizes, archive expansion).
    pub code_limits: CodeLimits,
    /// Worker threads for the code scan; 0 means one per available CPU.
    pub threads: usize,
    /// List packages even when no dependency rule runs (for an SBOM).
    pub packages: bool,
    /// The injection analysis follows calls into installed dependencies (`node_modules`,
    /// vendored Python packages) instead of stopping at first-party code.
    pub sast_deps: bool,
    /// The vulnerability database packages are checked against; without one every package is
    /// listed as not checked.
    pub vuln_db: Option<std::sync::Arc<faasguard_vulndb::Database>>,
    /// Where the database came from, for the report (`bundled snapshot`, a path).
    pub vuln_db_source: String,
}

impl ScanSettings {
    /// Defaults: every rule (preview included), fail on `high`, no excludes, no baseline.
    pub fn new(targets: Vec<PathBuf>) -> ScanSettings {
        ScanSettings {
            targets,
            rules: RuleSettings::default(),
            fail_on: FailOn::DEFAULT,
            format: None,
            exclude: Vec::new(),
            per_path_ignores: Vec::new(),
            baseline: None,
            config_file: None,
            secret_allow_paths: None,
            secret_doc_paths: None,
            code_limits: CodeLimits::default(),
            threads: 0,
            packages: false,
            sast_deps: false,
            vuln_db: None,
            vuln_db_source: String::new(),
        }
    }

    /// Applies a validated configuration file over the current settings. Apply it first and
    /// command-line flags after, so that flags win.
    pub fn apply_config(&mut self, config: Config) {
        if let Some(fail_on) = config.fail_on {
            self.fail_on = fail_on;
        }
        if let Some(format) = config.format {
            self.format = Some(format);
        }
        if let Some(select) = config.select {
            self.rules.select = select;
        }
        self.rules.ignore.extend(config.ignore);
        if let Some(preview) = config.preview {
            self.rules.preview = preview;
        }
        if let Some(deps) = config.sast_deps {
            self.sast_deps = deps;
        }
        if let Some(secs) = config.max_timeout_s {
            self.rules.max_timeout_s = secs;
        }
        if let Some(accounts) = config.trusted_accounts {
            self.rules.trusted_accounts = accounts;
        }
        let base = config
            .path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        if !config.exclude.is_empty() {
            self.exclude.push((base, config.exclude));
        }
        self.per_path_ignores.extend(config.per_path_ignores);
        if let Some(paths) = config.secret_allow_paths {
            self.secret_allow_paths = Some(paths);
        }
        if let Some(paths) = config.secret_doc_paths {
            self.secret_doc_paths = Some(paths);
        }
        self.config_file = Some(config.path);
    }
}

/// Runs one scan. Problems with individual files become diagnostics in the report; only a bad
/// setting (a missing target, an unreadable baseline, a bad pattern) is an error.
pub fn scan(settings: &ScanSettings) -> Result<Report, EngineError> {
    let excludes = walk::Excludes::new(&settings.exclude)?;
    let baseline = match &settings.baseline {
        Some(path) => Some((path.clone(), load_baseline(path)?)),
        None => None,
    };
    let per_path = settings
        .per_path_ignores
        .iter()
        .map(|entry| {
            let mut entry = entry.clone();
            entry.base = canonical_dir(&entry.base);
            Ok((suppress::compile_glob(&entry.glob)?, entry))
        })
        .collect::<Result<Vec<_>, EngineError>>()?;

    let mut walked = walk::Walked::default();
    let targets = prefixed_targets(&settings.targets);
    for (target, prefix) in &targets {
        walk::walk_target(target, prefix, &excludes, &mut walked)?;
    }
    let listings = std::mem::take(&mut walked.listings);
    let mut files: Vec<_> = walked.files.into_values().collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));

    let inventory = faasguard_iac::load(&files);
    let checked = check_inventory(&inventory, &settings.rules);
    let mut raw_findings = checked.findings;
    let mut extra = code_analyses(
        settings,
        &inventory,
        &targets,
        &listings,
        &excludes,
        &mut raw_findings,
    )?;
    raw_findings.sort_by(finding_order);

    let suppressor = suppress::Suppressor {
        inline: files
            .iter()
            .map(|f| (f.path.as_str(), suppress::inline_ignores(&f.text)))
            .collect(),
        abs: files
            .iter()
            .map(|f| (f.path.as_str(), f.abs.as_path()))
            .collect(),
        function_at: inventory
            .functions
            .iter()
            .map(|f| (f.display_id(), f.at.clone()))
            .collect(),
        per_path,
        baseline,
    };
    let (findings, suppressed) = suppressor.split(raw_findings);

    let mut diagnostics: Vec<Diagnostic> = walked.diagnostics;
    diagnostics.append(&mut extra.diagnostics);
    diagnostics.extend(inventory.diagnostics.iter().cloned());
    diagnostics.extend(checked.internal_errors);
    diagnostics.sort();
    diagnostics.dedup();

    let mut rules = structural_rules_run(settings);
    rules.append(&mut extra.rules_hit);

    Ok(Report {
        schema_version: SCHEMA_VERSION.to_owned(),
        tool: ToolInfo {
            name: "faasguard".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        },
        targets: settings
            .targets
            .iter()
            .map(|t| t.display().to_string())
            .collect(),
        functions: function_summaries(&inventory.functions),
        findings,
        suppressed,
        diagnostics,
        rules,
        skipped: extra.skipped,
        code: extra.stats,
        vuln_db: extra.vuln_db,
        packages: extra.packages,
    })
}

/// What the analyses of code (secrets, packages, injection) add to the IaC findings.
struct CodeAnalyses {
    diagnostics: Vec<Diagnostic>,
    rules_hit: Vec<RuleInfo>,
    skipped: Vec<faasguard_report::SkippedFile>,
    stats: faasguard_report::CodeStats,
    packages: Vec<faasguard_report::PackageEntry>,
    vuln_db: Option<faasguard_report::VulnDbInfo>,
}

/// The code walk (secrets and packages), the vulnerability check and the injection analysis;
/// their findings are appended to `findings`.
fn code_analyses(
    settings: &ScanSettings,
    inventory: &faasguard_model::Inventory,
    targets: &[(PathBuf, String)],
    listings: &[walk::Listing],
    excludes: &walk::Excludes,
    findings: &mut Vec<Finding>,
) -> Result<CodeAnalyses, EngineError> {
    let scanner = secrets::scanner(settings)?;
    let dependency_rules_on = vulns::dependency_rule_infos()
        .iter()
        .any(|r| rule_enabled(settings, &r.id, &r.name));
    let consumers = code::Consumers {
        secrets: scanner.as_ref(),
        packages: settings.packages || dependency_rules_on,
    };
    let code = if consumers.secrets.is_some() || consumers.packages {
        run_code_scan(consumers, settings, targets, excludes)?
    } else {
        code::CodeScan::default()
    };
    let owners = secrets::Owners::new(inventory);
    let mut rules_hit = secrets::merge_findings(findings, code.hits, &owners);
    let enabled = |id: &str| rule_enabled(settings, id, "");
    let db_info = settings
        .vuln_db
        .as_deref()
        .map(|db| vulns::db_info(db, &settings.vuln_db_source, &settings.rules.today));
    let checked_packages = vulns::check(
        code.packages,
        settings.vuln_db.as_deref().zip(db_info.as_ref()),
        &owners,
        &enabled,
    );
    findings.extend(checked_packages.findings);
    rules_hit.extend(checked_packages.rules_hit);
    let injection_on = sast::sast_rule_infos()
        .iter()
        .any(|r| rule_enabled(settings, &r.id, &r.name));
    let mut diagnostics = code.diagnostics;
    let mut skipped = code.skipped;
    if injection_on {
        let injections = sast::analyze(
            inventory,
            targets,
            listings,
            excludes,
            settings.sast_deps,
            &enabled,
        );
        findings.extend(injections.findings);
        diagnostics.extend(injections.diagnostics);
        rules_hit.extend(injections.rules_hit);
        skipped.extend(injections.skipped);
    }
    Ok(CodeAnalyses {
        diagnostics,
        rules_hit,
        skipped,
        stats: code.stats,
        vuln_db: db_info.filter(|_| !checked_packages.packages.is_empty()),
        packages: checked_packages.packages,
    })
}

/// The report's function list: sorted by id, one entry per id.
fn function_summaries(functions: &[Function]) -> Vec<FunctionSummary> {
    let mut out: Vec<FunctionSummary> = functions.iter().map(summary).collect();
    out.sort_by(|a, b| a.id.cmp(&b.id).then_with(|| a.location.cmp(&b.location)));
    out.dedup_by(|a, b| a.id == b.id);
    out
}

/// The metadata of the structural rules that ran.
fn structural_rules_run(settings: &ScanSettings) -> Vec<RuleInfo> {
    all_rules()
        .into_iter()
        .map(faasguard_rules::Rule::meta)
        .filter(|m| settings.rules.is_enabled(m))
        .map(rule_info)
        .collect()
}

/// Each target with the prefix its files get: none for one target; the target as given when
/// there are several, so that their files stay apart.
fn prefixed_targets(targets: &[PathBuf]) -> Vec<(PathBuf, String)> {
    let several = targets.len() > 1;
    targets
        .iter()
        .map(|target| {
            let prefix = if several {
                target_prefix(target)
            } else {
                String::new()
            };
            (target.clone(), prefix)
        })
        .collect()
}

/// Whether a rule outside the structural registry (secret, dependency) runs: not ignored, and
/// selected when there is a selection.
pub(crate) fn rule_enabled(settings: &ScanSettings, id: &str, name: &str) -> bool {
    let named = |set: &BTreeSet<String>| set.contains(id) || set.contains(name);
    !named(&settings.rules.ignore)
        && (settings.rules.select.is_empty() || named(&settings.rules.select))
}

/// Report order: file, line, rule, function, message.
fn finding_order(a: &Finding, b: &Finding) -> std::cmp::Ordering {
    (&a.location.file, a.location.line, &a.rule_id, &a.function)
        .cmp(&(&b.location.file, b.location.line, &b.rule_id, &b.function))
        .then_with(|| a.message.cmp(&b.message))
}

fn run_code_scan(
    consumers: code::Consumers<'_>,
    settings: &ScanSettings,
    targets: &[(PathBuf, String)],
    excludes: &walk::Excludes,
) -> Result<code::CodeScan, EngineError> {
    let threads = if settings.threads == 0 {
        std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
    } else {
        settings.threads
    };
    code::scan_code(consumers, targets, excludes, settings.code_limits, threads)
}

/// One rule of any kind (structural, secret, dependency), as `faasguard rules` lists it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CatalogRule {
    #[serde(flatten)]
    pub info: RuleInfo,
    /// `stable`, `preview` or `deprecated`.
    pub status: &'static str,
    /// The faasguard version that introduced the rule.
    pub since: &'static str,
}

/// Every rule: the structural rules in id order, then the secret rules, the injection rules,
/// the dependency rules and the integrity rules.
pub fn rule_catalog() -> Vec<CatalogRule> {
    let mut out: Vec<CatalogRule> = all_rules()
        .into_iter()
        .map(|rule| {
            let meta = rule.meta();
            CatalogRule {
                info: rule_info(meta),
                status: meta.status.as_str(),
                since: meta.since,
            }
        })
        .collect();
    if let Ok(rules) = faasguard_secrets::builtin_rules() {
        out.extend(rules.iter().map(|rule| CatalogRule {
            info: secret_rule_info(rule),
            status: "stable",
            since: "0.1.0",
        }));
    }
    out.extend(sast::sast_rule_infos().into_iter().map(|info| CatalogRule {
        info,
        status: "preview",
        since: "0.1.0",
    }));
    out.extend(
        vulns::dependency_rule_infos()
            .into_iter()
            .map(|info| CatalogRule {
                info,
                status: "stable",
                since: "0.1.0",
            }),
    );
    out.extend(
        cloud::integrity_rule_infos()
            .into_iter()
            .map(|info| CatalogRule {
                info,
                status: "preview",
                since: "0.1.0",
            }),
    );
    out
}

/// Whether a report should fail the build: findings at or above the threshold.
pub fn has_failing_findings(report: &Report, fail_on: FailOn) -> bool {
    report.findings.iter().any(|f| fail_on.fails(f.severity))
}

/// A rule's metadata as the report carries it, with its docs as plain Markdown.
pub fn rule_info(meta: &RuleMeta) -> RuleInfo {
    RuleInfo {
        id: meta.id.to_owned(),
        name: meta.name.to_owned(),
        title: meta.title.to_owned(),
        severity: meta.severity,
        family: meta.family.as_str().to_owned(),
        remediation: meta.remediation.to_owned(),
        references: meta.references.iter().map(|r| (*r).to_owned()).collect(),
        docs: rule_docs_markdown(meta.docs),
    }
}

/// A rule's doc comment as Markdown: the one space rustdoc leaves after `///` is removed.
pub fn rule_docs_markdown(docs: &str) -> String {
    let mut out = String::with_capacity(docs.len());
    for line in docs.lines() {
        out.push_str(line.strip_prefix(' ').unwrap_or(line));
        out.push('\n');
    }
    out.trim().to_owned() + "\n"
}

/// Resolves rule ids, names or family prefixes given on the command line (comma-separated
/// lists allowed).
pub fn resolve_rules<'a>(
    keys: impl IntoIterator<Item = &'a str>,
) -> Result<BTreeSet<String>, String> {
    let mut ids = BTreeSet::new();
    for key in keys.into_iter().flat_map(|k| k.split(',')).map(str::trim) {
        if !key.is_empty() {
            ids.extend(resolve_selector(key)?);
        }
    }
    Ok(ids)
}

fn summary(f: &Function) -> FunctionSummary {
    FunctionSummary {
        id: f.display_id(),
        provider: match f.id.provider {
            Provider::Aws => "aws",
            Provider::Azure => "azure",
            Provider::Gcp => "gcp",
        }
        .to_owned(),
        source: f.id.source.as_str().to_owned(),
        name: f.id.name.clone(),
        runtime: f.runtime.get().cloned(),
        location: f.at.clone(),
        cloud: None,
    }
}

/// A directory made absolute and canonical when possible (`""` means the current directory).
pub(crate) fn canonical_dir(dir: &Path) -> PathBuf {
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf())
}

/// The target as given, `/`-separated, without `./` or a trailing `/`.
fn target_prefix(target: &Path) -> String {
    let parts: Vec<String> = target
        .components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let joined = parts.join("/");
    joined
        .strip_prefix('/')
        .map_or(joined.clone(), |s| format!("/{s}"))
}

/// Counts findings per severity (for summaries).
pub fn severity_counts(report: &Report) -> BTreeMap<faasguard_core::Severity, usize> {
    let mut counts = BTreeMap::new();
    for f in &report.findings {
        *counts.entry(f.severity).or_insert(0) += 1;
    }
    counts
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]
mod tests {
    use super::*;

    /// Several targets keep their files apart by prefixing the target as given.
    #[test]
    fn several_targets_are_prefixed() {
        let dir = tempfile::tempdir().unwrap();
        for sub in ["a", "b"] {
            std::fs::create_dir(dir.path().join(sub)).unwrap();
            std::fs::write(dir.path().join(sub).join("template.yaml"), b"\0bin").unwrap();
        }
        let settings = ScanSettings::new(vec![dir.path().join("a"), dir.path().join("b")]);
        let report = scan(&settings).unwrap();
        let files: Vec<&str> = report
            .diagnostics
            .iter()
            .map(|d| d.location.file.as_str())
            .collect();
        assert_eq!(files.len(), 2);
        assert!(files[0].ends_with("/a/template.yaml") && files[1].ends_with("/b/template.yaml"));
        assert_eq!(target_prefix(Path::new("./infra/")), "infra");
    }

    /// A missing target is an error, not an empty report.
    #[test]
    fn missing_target_is_an_error() {
        let settings = ScanSettings::new(vec![PathBuf::from("/nonexistent/faasguard/x")]);
        assert!(matches!(scan(&settings), Err(EngineError::Target { .. })));
    }

    /// Configuration is applied over defaults, and its ignore list adds to flags given before.
    #[test]
    fn apply_config_merges() {
        let cfg = Config::parse(
            "fail-on = \"low\"\nmax-timeout = 30\nexclude = [\"build/\"]\n",
            Path::new("/repo/faasguard.toml"),
        )
        .unwrap();
        let mut s = ScanSettings::new(vec![".".into()]);
        s.apply_config(cfg);
        assert_eq!(s.fail_on, FailOn::AtOrAbove(faasguard_core::Severity::Low));
        assert_eq!(s.rules.max_timeout_s, 30);
        assert_eq!(
            s.exclude,
            [(PathBuf::from("/repo"), vec!["build/".to_owned()])]
        );
        assert_eq!(
            s.config_file.as_deref(),
            Some(Path::new("/repo/faasguard.toml"))
        );
    }

    /// Rule docs lose the leading space rustdoc keeps after `///`.
    #[test]
    fn docs_markdown() {
        assert_eq!(
            rule_docs_markdown(" ## What it does\n Checks.\n\n ```yaml\n a: 1\n ```\n"),
            "## What it does\nChecks.\n\n```yaml\na: 1\n```\n"
        );
    }
}
