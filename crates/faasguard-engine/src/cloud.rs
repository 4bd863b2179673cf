//! Scanning functions that are not on disk (`faasguard cloud scan`): a model inventory built
//! from live configuration plus the packages downloaded for it, through the same rules, secret
//! scanner, package parsers and vulnerability check as `scan`; and the integrity rule that
//! compares deployed packages with the digests CI recorded.

use std::collections::BTreeMap;
use std::path::PathBuf;

use faasguard_core::{Diagnostic, Finding, Location, Severity, fingerprint};
use faasguard_model::Inventory;
use faasguard_report::{Report, RuleInfo, SCHEMA_VERSION, ToolInfo};
use faasguard_rules::check_inventory;

use crate::code::{CodeScan, Consumers, scan_memory_package};
use crate::error::EngineError;
use crate::secrets::Owners;
use crate::{ScanSettings, rule_enabled};

/// The id of the rule that reports a deployed package no pipeline scan recorded.
pub const UNRECORDED_CODE: &str = "FG-INT-001";

/// The integrity rules' metadata, for `faasguard rules`, the report and the selectors.
pub fn integrity_rule_infos() -> Vec<RuleInfo> {
    vec![RuleInfo {
        id: UNRECORDED_CODE.to_owned(),
        name: "deployed-code-not-recorded".to_owned(),
        title: "Deployed function code was not recorded by any pipeline scan".to_owned(),
        severity: Severity::High,
        family: "integrity".to_owned(),
        remediation: "Find out who deployed this package and how (CloudTrail UpdateFunctionCode); redeploy the function from the pipeline, which scans and records the package, and restrict lambda:UpdateFunctionCode to the pipeline's role.".to_owned(),
        references: vec![
            "OWASP Serverless Top 10 SAS-6: Insecure Deployment".to_owned(),
            "CWE-494: Download of Code Without Integrity Check".to_owned(),
        ],
        docs: "## What it does\nCompares the `CodeSha256` of every deployed function (`faasguard cloud scan --expect FILE`) with the SHA-256 digests of the packages that `faasguard scan --record FILE` recorded in the pipeline, and reports each function whose deployed package no scan recorded. Runs only when `--expect` is given.\n\n## Why is this bad?\nA package that did not come out of the pipeline was changed outside it: uploaded by hand from a laptop, hot-fixed in the console, or replaced by an attacker holding `lambda:UpdateFunctionCode`. None of the pipeline's checks ran on it.\n\n## Example\nCI ran `faasguard scan --record digests.json build/` on `function.zip`, but the deployed function's `CodeSha256` is the digest of another zip.\n\nUse instead:\nDeploy only the package the pipeline scanned, and pass the same record file to `faasguard cloud scan --expect digests.json`.\n\n## References\n- OWASP Serverless Top 10 SAS-6: Insecure Deployment\n- CWE-494: Download of Code Without Integrity Check\n".to_owned(),
    }]
}

/// The finding for a deployed function (display id `function`, ARN `arn`) whose package digest
/// (`CodeSha256`, base64) is not in the recorded set.
pub fn unrecorded_code_finding(function: &str, arn: &str, code_sha256: &str) -> Finding {
    let location = Location::file(arn).with_pointer("/CodeSha256");
    let info = integrity_rule_infos();
    Finding {
        rule_id: UNRECORDED_CODE.to_owned(),
        rule_name: "deployed-code-not-recorded".to_owned(),
        severity: Severity::High,
        function: Some(function.to_owned()),
        fingerprint: fingerprint(UNRECORDED_CODE, Some(function), &location, code_sha256),
        location,
        message: "the deployed package was not recorded by any pipeline scan: changed outside the pipeline".to_owned(),
        evidence: Some(format!("CodeSha256 {code_sha256}")),
        remediation: info.first().map(|i| i.remediation.clone()),
        flow: Vec::new(),
    }
}

/// One package held in memory: downloaded function code or a layer.
#[derive(Debug, Clone)]
pub struct MemoryPackage {
    /// The display ids of the functions that use it (a layer can be shared); findings inside
    /// it name the function when there is exactly one.
    pub functions: Vec<String>,
    /// How its files are named in findings (`<function ARN>.zip`; entries `…zip!/path`).
    pub display: String,
    pub bytes: Vec<u8>,
    /// The deployment package of `functions[0]` (not a layer): its handler is analysed for
    /// injection when [`InventoryScan::work_dir`] is given.
    pub function_code: bool,
}

/// Everything `scan_inventory` reads.
#[derive(Debug, Default)]
pub struct InventoryScan {
    /// What was scanned, as the report lists it (`aws:123456789012/us-east-1`).
    pub targets: Vec<String>,
    pub inventory: Inventory,
    pub packages: Vec<MemoryPackage>,
    /// Findings the caller made (integrity); dropped when their rule is not enabled.
    pub findings: Vec<Finding>,
    /// Rules of `findings` that ran (their metadata in the report).
    pub rules: Vec<RuleInfo>,
    /// Problems met while building the inventory (denied APIs, failed downloads).
    pub diagnostics: Vec<Diagnostic>,
    /// An empty scratch directory (made and removed by the caller) where function packages are
    /// written for the injection analysis, which reads packages from disk; `None` skips it.
    pub work_dir: Option<PathBuf>,
}

/// Runs the rules on an inventory that is not on disk and the secret, package and
/// vulnerability analyses on in-memory packages; applies the baseline; returns a `Report` like
/// [`crate::scan`]'s.
pub fn scan_inventory(
    settings: &ScanSettings,
    input: InventoryScan,
) -> Result<Report, EngineError> {
    let baseline = match &settings.baseline {
        Some(path) => Some((path.clone(), crate::load_baseline(path)?)),
        None => None,
    };
    let mut inventory = input.inventory;
    let checked = check_inventory(&inventory, &settings.rules);
    let mut raw = checked.findings;
    raw.extend(
        input
            .findings
            .into_iter()
            .filter(|f| rule_enabled(settings, &f.rule_id, &f.rule_name)),
    );

    let owners = Owners::from_paths(input.packages.iter().flat_map(|p| {
        p.functions
            .iter()
            .map(|f| (PathBuf::from(&p.display), f.clone()))
    }));
    let mut work_diagnostics = Vec::new();
    let sast_root = injection_root(
        settings,
        input.work_dir.as_deref(),
        &input.packages,
        &mut inventory,
        &mut work_diagnostics,
    );
    let code = scan_packages(settings, input.packages)?;
    let mut rules_hit = crate::secrets::merge_findings(&mut raw, code.hits, &owners);
    let db_info = settings
        .vuln_db
        .as_deref()
        .map(|db| crate::vulns::db_info(db, &settings.vuln_db_source, &settings.rules.today));
    let enabled = |id: &str| rule_enabled(settings, id, "");
    let packages = crate::vulns::check(
        code.packages,
        settings.vuln_db.as_deref().zip(db_info.as_ref()),
        &owners,
        &enabled,
    );
    raw.extend(packages.findings);
    rules_hit.extend(packages.rules_hit);
    let mut skipped = code.skipped;
    if let Some(root) = sast_root {
        let injections = injection(settings, &inventory, root, &enabled)?;
        raw.extend(injections.findings);
        work_diagnostics.extend(injections.diagnostics);
        rules_hit.extend(injections.rules_hit);
        skipped.extend(injections.skipped);
    }
    raw.sort_by(crate::finding_order);

    let suppressor = crate::suppress::Suppressor {
        inline: BTreeMap::new(),
        abs: BTreeMap::new(),
        function_at: inventory
            .functions
            .iter()
            .map(|f| (f.display_id(), f.at.clone()))
            .collect(),
        per_path: Vec::new(),
        baseline,
    };
    let (findings, suppressed) = suppressor.split(raw);

    let mut diagnostics = input.diagnostics;
    diagnostics.extend(code.diagnostics);
    diagnostics.extend(work_diagnostics);
    diagnostics.extend(inventory.diagnostics.iter().cloned());
    diagnostics.extend(checked.internal_errors);
    diagnostics.sort();
    diagnostics.dedup();

    let mut rules = crate::structural_rules_run(settings);
    rules.append(&mut rules_hit);
    rules.extend(input.rules);
    Ok(Report {
        schema_version: SCHEMA_VERSION.to_owned(),
        tool: ToolInfo {
            name: "faasguard".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        },
        targets: input.targets,
        functions: crate::function_summaries(&inventory.functions),
        findings,
        suppressed,
        diagnostics,
        rules,
        skipped,
        code: code.stats,
        vuln_db: db_info.filter(|_| !packages.packages.is_empty()),
        packages: packages.packages,
    })
}

/// The secret and package scans of the in-memory packages, with the engine's bounds.
fn scan_packages(
    settings: &ScanSettings,
    packages: Vec<MemoryPackage>,
) -> Result<CodeScan, EngineError> {
    let scanner = crate::secrets::scanner(settings)?;
    let dependency_rules_on = crate::vulns::dependency_rule_infos()
        .iter()
        .any(|r| rule_enabled(settings, &r.id, &r.name));
    let consumers = Consumers {
        secrets: scanner.as_ref(),
        packages: settings.packages || dependency_rules_on,
    };
    let mut code = CodeScan::default();
    if consumers.secrets.is_some() || consumers.packages {
        for package in packages {
            code.merge(scan_memory_package(
                consumers,
                &package.display,
                package.bytes,
                settings.code_limits,
            ));
        }
    }
    Ok(code)
}

/// Where the injection analysis reads the function packages from, once they are written there;
/// `None` when no injection rule runs or no scratch directory was given.
fn injection_root(
    settings: &ScanSettings,
    work_dir: Option<&std::path::Path>,
    packages: &[MemoryPackage],
    inventory: &mut Inventory,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<PathBuf> {
    let injection_on = crate::sast::sast_rule_infos()
        .iter()
        .any(|r| rule_enabled(settings, &r.id, &r.name));
    match work_dir {
        Some(dir) if injection_on => write_function_packages(dir, packages, inventory, diagnostics),
        _ => None,
    }
}

/// The injection analysis of the functions whose packages are under `root`.
fn injection(
    settings: &ScanSettings,
    inventory: &Inventory,
    root: PathBuf,
    enabled: &dyn Fn(&str) -> bool,
) -> Result<crate::sast::SastOutcome, EngineError> {
    let excludes = crate::walk::Excludes::new(&[])?;
    Ok(crate::sast::analyze(
        inventory,
        &[(root, String::new())],
        &[],
        &excludes,
        settings.sast_deps,
        enabled,
    ))
}

/// Writes each function's own package to `dir` under its display name and points the
/// function's `code` at it, so that the injection analysis reads it like a package on disk
/// (findings then name `<display>!/file`, as the secret scan does). Returns `dir` when at least
/// one package was written.
fn write_function_packages(
    dir: &std::path::Path,
    packages: &[MemoryPackage],
    inventory: &mut Inventory,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<PathBuf> {
    let mut written = false;
    for package in packages.iter().filter(|p| p.function_code) {
        let Some(owner) = package.functions.first() else {
            continue;
        };
        let name = package.display.replace(['/', '\\'], "_");
        let path = dir.join(&name);
        if let Err(e) = std::fs::write(&path, &package.bytes) {
            diagnostics.push(Diagnostic::new(
                Location::file(package.display.clone()),
                format!(
                    "injection analysis skipped: cannot write {}: {e}",
                    path.display()
                ),
            ));
            continue;
        }
        for f in inventory
            .functions
            .iter_mut()
            .filter(|f| &f.display_id() == owner)
        {
            f.code = faasguard_core::Attr::explicit(path.clone(), f.at.clone());
        }
        written = true;
    }
    written.then(|| dir.to_path_buf())
}

/// Every zip package (by content, not name) under the scan targets, honouring the excludes,
/// as (path as reported, path on disk): what `faasguard scan --record` digests.
pub fn package_files(settings: &ScanSettings) -> Result<Vec<(String, PathBuf)>, EngineError> {
    let excludes = crate::walk::Excludes::new(&settings.exclude)?;
    let mut out = Vec::new();
    let mut diagnostics = Vec::new();
    for (target, prefix) in crate::prefixed_targets(&settings.targets) {
        crate::walk::walk_files(
            &target,
            &prefix,
            &excludes,
            crate::CODE_SKIPPED_DIRS,
            &mut diagnostics,
            |abs, rel| {
                let mut head = [0u8; 4];
                let is_zip = std::fs::File::open(&abs)
                    .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head))
                    .is_ok()
                    && crate::code::looks_like_zip(&head);
                if is_zip {
                    out.push((rel, abs));
                }
            },
        )?;
    }
    out.sort();
    out.dedup();
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]
mod tests {
    use super::*;

    /// A secret inside an in-memory package is reported for the function that owns it, with
    /// the entry path inside the package; the integrity finding passes through when enabled.
    #[test]
    fn memory_package_findings_are_owned() {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        zip.start_file("app.py", zip::write::SimpleFileOptions::default())
            .unwrap();
        // Assembled at run time so that faasguard's scan of its own sources finds no key here.
        let line = format!("aws_access_key_id = {}{}\n", "AKIA", "Q3EGV7K2MZ4R5X6T");
        std::io::Write::write_all(&mut zip, line.as_bytes()).unwrap();
        let bytes = zip.finish().unwrap().into_inner();
        let settings = ScanSettings::new(Vec::new());
        let report = scan_inventory(
            &settings,
            InventoryScan {
                targets: vec!["aws:1/r".into()],
                packages: vec![MemoryPackage {
                    functions: vec!["1/r/fn".into()],
                    display: "arn:aws:lambda:r:1:function:fn.zip".into(),
                    bytes,
                    function_code: true,
                }],
                findings: vec![unrecorded_code_finding("1/r/fn", "arn:f", "abc=")],
                rules: integrity_rule_infos(),
                ..InventoryScan::default()
            },
        )
        .unwrap();
        let secret = report
            .findings
            .iter()
            .find(|f| f.rule_id.starts_with("FG-SEC"))
            .expect("the token is found");
        assert_eq!(secret.function.as_deref(), Some("1/r/fn"));
        assert_eq!(
            secret.location.file,
            "arn:aws:lambda:r:1:function:fn.zip!/app.py"
        );
        assert!(report.findings.iter().any(|f| f.rule_id == UNRECORDED_CODE));
        assert!(report.rules.iter().any(|r| r.id == UNRECORDED_CODE));
    }
}
