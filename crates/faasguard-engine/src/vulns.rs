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

/// What checking the packages gave: the report's package list, findings, and the dependency
/// rules that found something.
pub(crate) struct Checked {
    pub packages: Vec<PackageEntry>,
    pub findings: Vec<faasguard_core::Finding>,
    pub rules_hit: Vec<faasguard_report::RuleInfo>,
}

fn advisory_of(v: &faasguard_vulndb::Vuln) -> faasguard_report::Advisory {
    faasguard_report::Advisory {
        id: v.id.clone(),
        aliases: v.aliases.clone(),
        summary: v.summary.clone().unwrap_or_default(),
        severity: v.severity,
        cvss: v.cvss.as_ref().and_then(|c| {
            c.score.map(|score| faasguard_report::Cvss {
                version: c.version.clone(),
                score,
                vector: c.vector.clone(),
            })
        }),
        fixed: v.fixed.clone(),
        informational: v.informational.clone(),
    }
}

/// The report entry of a checked package.
fn entry(p: &Package, check: &faasguard_vulndb::Check) -> PackageEntry {
    let mut e = unchecked_entry(p, "");
    match check {
        faasguard_vulndb::Check::Vulnerable(vulns) => {
            "vulnerable".clone_into(&mut e.status);
            e.not_checked = None;
            e.advisories = vulns.iter().map(advisory_of).collect();
        }
        faasguard_vulndb::Check::Clean => {
            "clean".clone_into(&mut e.status);
            e.not_checked = None;
        }
        faasguard_vulndb::Check::NotChecked(why) => e.not_checked = Some(why.clone()),
    }
    e
}

/// One finding for one vulnerability of one package in one file.
fn finding(
    p: &Package,
    v: &faasguard_vulndb::Vuln,
    function: Option<String>,
) -> faasguard_core::Finding {
    let informational = v.informational.is_some();
    let rule = if informational {
        INFORMATIONAL_ADVISORY
    } else {
        VULNERABLE_PACKAGE
    };
    let infos = dependency_rule_infos();
    let info = infos.iter().find(|r| r.id == rule);
    let mut severity = if informational {
        faasguard_core::Severity::Low
    } else {
        v.severity
    };
    let mut context = Vec::new();
    match p.direct {
        Some(true) => context.push("direct"),
        Some(false) => context.push("transitive"),
        None => {}
    }
    if p.scope == Scope::Dev {
        // Development dependencies are not deployed with the function.
        severity = crate::secrets::lowered(severity);
        context.push("dev dependency, reported one severity lower");
    }
    let context = if context.is_empty() {
        String::new()
    } else {
        format!(" ({})", context.join(", "))
    };
    let cve = v
        .aliases
        .iter()
        .find(|a| a.starts_with("CVE-"))
        .map(|c| format!(", {c}"))
        .unwrap_or_default();
    let what = match &v.informational {
        Some(kind) => format!("is marked {kind}"),
        None => "is affected".to_owned(),
    };
    let message = format!(
        "{} {} {}{context} {what} by {}{cve}{}",
        p.ecosystem,
        p.name,
        p.version,
        v.id,
        v.summary
            .as_deref()
            .map(|s| format!(": {s}"))
            .unwrap_or_default()
    );
    let mut evidence = match &v.fixed {
        Some(fixed) => format!("installed {}, fixed in {fixed}", p.version),
        None => format!("installed {}, no fixed version published", p.version),
    };
    if !v.aliases.is_empty() {
        evidence.push_str("; aliases ");
        evidence.push_str(&v.aliases.join(", "));
    }
    let key = format!("{}:{}@{}:{}", p.ecosystem, p.name, p.version, v.id);
    faasguard_core::Finding {
        rule_id: rule.to_owned(),
        rule_name: info.map(|i| i.name.clone()).unwrap_or_default(),
        severity,
        fingerprint: faasguard_core::fingerprint(
            rule,
            function.as_deref(),
            &faasguard_core::Location::file(p.location.file.clone()),
            &key,
        ),
        function,
        location: p.location.clone(),
        message,
        evidence: Some(evidence),
        remediation: info.map(|i| i.remediation.clone()),
        flow: Vec::new(),
    }
}

/// Checks every package (de-duplicated) against the database, or lists them as not checked
/// when there is none.
pub(crate) fn check(
    packages: Vec<(Package, std::path::PathBuf)>,
    db: Option<(&faasguard_vulndb::Database, &faasguard_report::VulnDbInfo)>,
    owners: &crate::secrets::Owners,
    enabled: &dyn Fn(&str) -> bool,
) -> Checked {
    let mut packages = packages;
    packages.sort_by(|a, b| {
        (a.0.ecosystem, &a.0.name, &a.0.version, &a.0.location).cmp(&(
            b.0.ecosystem,
            &b.0.name,
            &b.0.version,
            &b.0.location,
        ))
    });
    packages.dedup_by(|a, b| {
        a.0.ecosystem == b.0.ecosystem
            && a.0.name == b.0.name
            && a.0.version == b.0.version
            && a.0.location == b.0.location
    });
    let mut out = Checked {
        packages: Vec::with_capacity(packages.len()),
        findings: Vec::new(),
        rules_hit: Vec::new(),
    };
    let mut hit = std::collections::BTreeSet::new();
    for (p, disk) in &packages {
        let Some((db, info)) = db else {
            out.packages
                .push(unchecked_entry(p, "no vulnerability database was loaded"));
            continue;
        };
        let mut check = db.check(p);
        if info.stale && check == faasguard_vulndb::Check::Clean {
            // Old data cannot show that a version is free of vulnerabilities published since.
            check = faasguard_vulndb::Check::NotChecked(format!(
                "no match, but the vulnerability database is stale (built {}, newest advisories {})",
                info.built_at,
                info.newest.join(", ")
            ));
        }
        if let faasguard_vulndb::Check::Vulnerable(vulns) = &check {
            let function = owners.owner(disk);
            for v in vulns {
                let f = finding(p, v, function.clone());
                if enabled(&f.rule_id) {
                    hit.insert(f.rule_id.clone());
                    out.findings.push(f);
                }
            }
        }
        out.packages.push(entry(p, &check));
    }
    out.rules_hit = dependency_rule_infos()
        .into_iter()
        .filter(|r| hit.contains(&r.id))
        .collect();
    out
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date (or of its first 10 characters).
fn epoch_days(date: &str) -> Option<i64> {
    let y: i64 = date.get(0..4)?.parse().ok()?;
    let m: i64 = date.get(5..7)?.parse().ok()?;
    let d: i64 = date.get(8..10)?.parse().ok()?;
    // The inverse of the civil-from-days conversion (proleptic Gregorian).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// A database built more than this many days ago is stale.
pub const STALE_BUILD_DAYS: i64 = 7;
/// A database whose newest advisory is older than this many days is stale.
pub const STALE_DATA_DAYS: i64 = 30;

/// The report's description of the database: when built, the newest advisory per ecosystem,
/// and whether it is stale on `today`.
pub(crate) fn db_info(
    db: &faasguard_vulndb::Database,
    source: &str,
    today: &str,
) -> faasguard_report::VulnDbInfo {
    let status = db.status();
    let built_at = status.built_at_rfc3339();
    let newest: Vec<(String, String)> = status
        .per_ecosystem
        .iter()
        .filter_map(|(eco, s)| {
            s.newest_modified
                .as_ref()
                .map(|m| (eco.to_string(), m.get(0..10).unwrap_or(m).to_owned()))
        })
        .collect();
    let newest_overall = newest.iter().map(|(_, d)| d.as_str()).max();
    let today_days = epoch_days(today);
    let older_than = |date: Option<&str>, days: i64| match (date.and_then(epoch_days), today_days) {
        (Some(d), Some(t)) => t - d > days,
        _ => false,
    };
    faasguard_report::VulnDbInfo {
        source: if source.is_empty() {
            status.source.clone()
        } else {
            source.to_owned()
        },
        built_at: built_at.get(0..10).unwrap_or(&built_at).to_owned(),
        newest: newest
            .iter()
            .map(|(eco, d)| format!("{eco}: {d}"))
            .collect(),
        stale: older_than(Some(&built_at), STALE_BUILD_DAYS)
            || older_than(newest_overall, STALE_DATA_DAYS),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Day numbers agree with the calendar, so staleness counts whole days.
    #[test]
    fn epoch_days_of_dates() {
        assert_eq!(epoch_days("1970-01-01"), Some(0));
        assert_eq!(epoch_days("2000-03-01"), Some(11_017));
        assert_eq!(epoch_days("2026-11-24T10:00:00Z"), Some(20_781));
        assert_eq!(epoch_days("yesterday"), None);
    }
}
