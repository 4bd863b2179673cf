//! Packages found by the code walk, as the report lists them (the SBOM), and — once a
//! vulnerability database is loaded — what it says about each.

use faasguard_lockfile::{Origin, Package, Scope};
use faasguard_report::PackageEntry;

fn scope_name(scope: Scope) -> &'static str {
    match scope {
        Scope::Prod => "prod",
        Scope::Dev => "dev",
        Scope::Optional => "optional",
    }
}

fn origin_name(origin: Origin) -> &'static str {
    match origin {
        Origin::Lockfile => "lockfile",
        Origin::Manifest => "manifest",
        Origin::Installed => "installed",
        Origin::Binary => "binary",
    }
}

/// The report entry of a package not (yet) checked against a database, and why.
pub(crate) fn unchecked_entry(p: &Package, why: &str) -> PackageEntry {
    PackageEntry {
        ecosystem: p.ecosystem.osv_name().to_owned(),
        name: p.name.clone(),
        version: p.version.clone(),
        purl: p.purl.clone(),
        location: p.location.clone(),
        scope: scope_name(p.scope).to_owned(),
        direct: p.direct,
        origin: origin_name(p.origin).to_owned(),
        status: "not-checked".to_owned(),
        not_checked: Some(why.to_owned()),
        advisories: Vec::new(),
    }
}

/// Sorted, de-duplicated packages: one entry per (ecosystem, name, version, location).
pub(crate) fn dedup(mut packages: Vec<Package>) -> Vec<Package> {
    packages.sort_by(|a, b| {
        (a.ecosystem, &a.name, &a.version, &a.location).cmp(&(
            b.ecosystem,
            &b.name,
            &b.version,
            &b.location,
        ))
    });
    packages.dedup_by(|a, b| {
        a.ecosystem == b.ecosystem
            && a.name == b.name
            && a.version == b.version
            && a.location == b.location
    });
    packages
}

/// The id of the rule that reports a package version affected by a known vulnerability.
pub const VULNERABLE_PACKAGE: &str = "FG-DEP-001";
/// The id of the rule that reports informational advisories (crates.io unmaintained, unsound).
pub const INFORMATIONAL_ADVISORY: &str = "FG-DEP-002";

/// The remediation shown with vulnerable-package findings.
const VULN_REMEDIATION: &str = "Upgrade the package to the fixed version (or later) named in the finding, regenerate the lockfile, redeploy; if no fix exists, remove the package or mitigate as the advisory says.";

/// The dependency rules' metadata, for `faasguard rules`, the report and the selectors.
pub fn dependency_rule_infos() -> Vec<faasguard_report::RuleInfo> {
    vec![
        faasguard_report::RuleInfo {
            id: VULNERABLE_PACKAGE.to_owned(),
            name: "vulnerable-package".to_owned(),
            title: "Package version affected by a known vulnerability".to_owned(),
            severity: faasguard_core::Severity::High,
            family: "dependencies".to_owned(),
            remediation: VULN_REMEDIATION.to_owned(),
            references: vec![
                "OWASP Serverless Top 10 SAS-9: Functions and Third-Party Dependencies".to_owned(),
                "CWE-1395: Dependency on Vulnerable Third-Party Component".to_owned(),
                "https://ossf.github.io/osv-schema/".to_owned(),
            ],
            docs: "## What it does\nReads every package a function ships or locks — `package-lock.json`, `yarn.lock`, `pnpm-lock.yaml`, installed `node_modules/*/package.json`, `requirements.txt` pins, `poetry.lock`, `Pipfile.lock`, `uv.lock`, installed `*.dist-info`, `go.mod` and the build info inside Go binaries, `Cargo.lock` and cargo-auditable data, `Gemfile.lock`, `composer.lock`, `pom.xml`, `gradle.lockfile`, `pom.properties` inside jars, .NET `packages.lock.json` and `*.deps.json`, also inside zip packages and layers — and matches each version against the OSV advisories of the vulnerability database with each ecosystem's own version order. One finding per package, version, file and vulnerability (aliases grouped), at the advisory's severity (CVSS score, else the GHSA rating), with the lowest fixed version.\n\nA package the database cannot judge (its ecosystem is not in the database, its version does not parse, no database) is listed in the report as `not-checked`, never as clean.\n\n## Why is this bad?\nA function is mostly third-party code, and a known vulnerability in it is exploitable through the function's event input or its dependencies' own network use. New advisories appear every day: scan deployed packages too, with a fresh database (`faasguard db update`).\n\n## References\n- OWASP Serverless Top 10 SAS-9: Functions and Third-Party Dependencies\n- CWE-1395: Dependency on Vulnerable Third-Party Component\n- <https://ossf.github.io/osv-schema/>\n".to_owned(),
        },
        faasguard_report::RuleInfo {
            id: INFORMATIONAL_ADVISORY.to_owned(),
            name: "informational-advisory".to_owned(),
            title: "Package has an informational advisory (unmaintained, unsound)".to_owned(),
            severity: faasguard_core::Severity::Low,
            family: "dependencies".to_owned(),
            remediation: "Plan a replacement: an unmaintained or unsound package gets no security fixes.".to_owned(),
            references: vec!["https://rustsec.org/categories/".to_owned()],
            docs: "## What it does\nReports packages whose advisory is informational rather than a vulnerability: RustSec marks crates `unmaintained`, `unsound` or `notice`. Reported at low severity.\n\n## Why is this bad?\nAn unmaintained package gets no fixes when a vulnerability is found; an unsound one can break memory safety in ways the compiler cannot catch.\n\n## References\n- <https://rustsec.org/categories/>\n".to_owned(),
        },
    ]
}
