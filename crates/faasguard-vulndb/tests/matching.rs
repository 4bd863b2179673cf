//! Matching against real advisories (tests/fixtures/osv: copies of records from the project's
//! advisory set, see tests/fixtures/README.md) and against the bundled snapshot.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use faasguard_core::{Location, Severity};
use faasguard_lockfile::{Ecosystem, Origin, Package, Scope};
use faasguard_vulndb::{Check, Database, ImportOptions, ImportReport, SeveritySource, Vuln};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/osv")
}

/// The fixture records built into an in-memory database (every ecosystem complete).
fn fixture_db() -> &'static (Database, ImportReport) {
    static DB: OnceLock<(Database, ImportReport)> = OnceLock::new();
    DB.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("fixtures.fgdb");
        let report = Database::import(&[fixtures()], &dest).unwrap();
        let bytes = std::fs::read(&dest).unwrap();
        let db = Database::from_bytes(Cow::Owned(bytes), Path::new("fixtures")).unwrap();
        (db, report)
    })
}

fn pkg(ecosystem: Ecosystem, name: &str, version: &str) -> Package {
    Package {
        ecosystem,
        name: name.to_owned(),
        version: version.to_owned(),
        purl: faasguard_lockfile::purl(ecosystem, name, version),
        location: Location::file("package-lock.json"),
        scope: Scope::Prod,
        direct: None,
        origin: Origin::Lockfile,
    }
}

fn vulns(db: &Database, eco: Ecosystem, name: &str, version: &str) -> Vec<Vuln> {
    match db.check(&pkg(eco, name, version)) {
        Check::Vulnerable(v) => v,
        other => panic!("{name} {version}: expected vulnerable, got {other:?}"),
    }
}

fn ids(db: &Database, eco: Ecosystem, name: &str, version: &str) -> Vec<String> {
    match db.check(&pkg(eco, name, version)) {
        Check::Vulnerable(v) => v.into_iter().map(|v| v.id).collect(),
        Check::Clean => Vec::new(),
        Check::NotChecked(why) => panic!("{name} {version}: not checked: {why}"),
    }
}

/// node-jose 2.2.0 is the fixed version of GHSA-5h4j (DVSA's order-manager): not affected;
/// 2.1.1 is, with the fix named for remediation and the CVSS 3.1 score.
#[test]
fn node_jose_fixed_boundary() {
    let (db, _) = fixture_db();
    assert!(ids(db, Ecosystem::Npm, "node-jose", "2.2.0").is_empty());
    let v = vulns(db, Ecosystem::Npm, "node-jose", "2.1.1");
    assert_eq!(v.len(), 1);
    assert_eq!(v[0].id, "GHSA-5h4j-qrvg-9xhw");
    assert_eq!(v[0].aliases, vec!["CVE-2023-25653".to_owned()]);
    assert_eq!(v[0].fixed.as_deref(), Some("2.2.0"));
    assert_eq!(v[0].severity, Severity::High);
    assert_eq!(v[0].severity_source, SeveritySource::Cvss);
    assert_eq!(v[0].cvss.as_ref().and_then(|c| c.score), Some(7.5));
}

/// jsonpickle 1.4.2 is the fixed version of PYSEC-2020-49 (DVSA's admin function): not
/// affected; 1.4.1 is (range and versions list), and so is `1.4` written as `1.4.0`.
#[test]
fn jsonpickle_fixed_boundary() {
    let (db, _) = fixture_db();
    assert!(ids(db, Ecosystem::PyPI, "jsonpickle", "1.4.2").is_empty());
    assert_eq!(
        ids(db, Ecosystem::PyPI, "jsonpickle", "1.4.1"),
        vec!["PYSEC-2020-49"]
    );
    assert_eq!(
        ids(db, Ecosystem::PyPI, "JsonPickle", "1.4.0"),
        vec!["PYSEC-2020-49"]
    );
}

/// django 2.2.0 matches PYSEC-2019-10 although its `versions` list says `"2.2"` (PEP 440
/// equality, not string equality), and the unsorted event pairs give the right fix.
#[test]
fn django_pep440_equality() {
    let (db, _) = fixture_db();
    let v = vulns(db, Ecosystem::PyPI, "Django", "2.2.0");
    assert_eq!(v[0].id, "PYSEC-2019-10");
    assert_eq!(v[0].fixed.as_deref(), Some("2.2.3"));
    assert!(ids(db, Ecosystem::PyPI, "django", "2.2.3").is_empty());
    assert_eq!(
        ids(db, Ecosystem::PyPI, "django", "1.11.21"),
        vec!["PYSEC-2019-10"]
    );
}

/// postcss 5.2.18 and 6.0.23 match GHSA-566m only because its unreadable `fixed` value
/// (`"7.0.36, 8.2.13"`) is skipped, leaving the range open; the import reports the bound.
#[test]
fn postcss_unreadable_fixed() {
    let (db, report) = fixture_db();
    for v in ["5.2.18", "6.0.23"] {
        let found = vulns(db, Ecosystem::Npm, "postcss", v);
        assert_eq!(found[0].id, "GHSA-566m-qj78-rww5");
        assert_eq!(found[0].fixed, None);
        // `database_specific.severity: "moderate"` in lower case, but the CVSS vector wins.
        assert_eq!(found[0].severity, Severity::Medium);
    }
    assert!(
        report
            .unreadable_bounds
            .iter()
            .any(|b| b.id == "GHSA-566m-qj78-rww5" && b.bound == "7.0.36, 8.2.13")
    );
    assert!(
        report
            .unreadable_bounds
            .iter()
            .any(|b| b.id == "GHSA-h755-8qp9-cq85" && b.bound == "7.2.4, 6.11.4")
    );
}

/// node-fetch GHSA-r683 has `introduced: "1.0"` (not full semver), read leniently: its two
/// entries (`1.0`..`3.1.1` and `0`..`2.6.7`) overlap, so 2.6.7 is still affected and the fix
/// that clears every matching entry is 3.1.1; 0.9.0 is only in the second entry.
#[test]
fn short_npm_bounds() {
    let (db, _) = fixture_db();
    let id = "GHSA-r683-j2x4-v87g";
    let v = vulns(db, Ecosystem::Npm, "node-fetch", "2.6.6");
    assert_eq!(
        (v[0].id.as_str(), v[0].fixed.as_deref()),
        (id, Some("3.1.1"))
    );
    let v = vulns(db, Ecosystem::Npm, "node-fetch", "2.6.7");
    assert_eq!(
        (v[0].id.as_str(), v[0].fixed.as_deref()),
        (id, Some("3.1.1"))
    );
    let v = vulns(db, Ecosystem::Npm, "node-fetch", "0.9.0");
    assert_eq!(
        (v[0].id.as_str(), v[0].fixed.as_deref()),
        (id, Some("2.6.7"))
    );
    assert!(ids(db, Ecosystem::Npm, "node-fetch", "3.1.1").is_empty());
}

/// Wrong names inside GHSA (`Sri13` for css-what, `node-tar` for tar) never match the real
/// packages; `Axios` with a capital is reported as unmatchable; `GitHub Actions` entries are
/// skipped and counted; NuGet `set-value-nuget` stays a NuGet name.
#[test]
fn wrong_names_and_ecosystems() {
    let (db, report) = fixture_db();
    assert!(ids(db, Ecosystem::Npm, "css-what", "4.0.0").is_empty());
    assert!(
        report
            .unmatchable_names
            .iter()
            .any(|n| n.contains("Axios") && n.contains("GHSA-8hc4"))
    );
    assert_eq!(report.skipped_ecosystems.get("GitHub Actions"), Some(&2));
    assert!(
        !db.packages()
            .any(|(e, n)| e == Ecosystem::Npm && n == "set-value-nuget")
    );
}

/// The remaining SOURCES.md oddities: `node-tar` (GHSA-f5x3) never matches `tar`; protobufjs
/// GHSA-h755's unreadable `fixed` leaves `introduced: 6.10.0` open; lodash GHSA-x5rq has
/// `severity: []` and a lower-case `"moderate"` label (→ medium from the database); shelljs
/// GHSA-4rq4 (`published` after `modified`) imports and matches normally; `Axios` (GHSA-8hc4)
/// is indexed exactly as written, so lower-case `axios` from a lockfile does not match it.
#[test]
fn more_source_oddities() {
    let (db, _) = fixture_db();
    assert!(ids(db, Ecosystem::Npm, "tar", "6.2.0").is_empty());
    assert_eq!(
        ids(db, Ecosystem::Npm, "protobufjs", "7.2.5"),
        vec!["GHSA-h755-8qp9-cq85"]
    );
    assert!(ids(db, Ecosystem::Npm, "protobufjs", "6.9.0").is_empty());
    let lodash = vulns(db, Ecosystem::Npm, "lodash", "4.17.10");
    assert_eq!(lodash[0].id, "GHSA-x5rq-j2xg-h7qm");
    assert_eq!(lodash[0].severity, Severity::Medium);
    assert_eq!(lodash[0].severity_source, SeveritySource::Database);
    assert_eq!(lodash[0].fixed.as_deref(), Some("4.17.11"));
    assert_eq!(
        ids(db, Ecosystem::Npm, "shelljs", "0.8.4"),
        vec!["GHSA-4rq4-32rv-6wp6"]
    );
    assert!(ids(db, Ecosystem::Npm, "axios", "1.7.3").is_empty());
    assert_eq!(
        ids(db, Ecosystem::Npm, "Axios", "1.7.3"),
        vec!["GHSA-8hc4-vh64-cxmj"]
    );
}

/// Withdrawn advisories (GHSA-6r5x for handlebars, RUSTSEC-2019-0031 for spin) are dropped at
/// import and counted.
#[test]
fn withdrawn_are_dropped() {
    let (db, report) = fixture_db();
    assert_eq!(report.withdrawn, 2);
    assert!(ids(db, Ecosystem::Npm, "handlebars", "4.0.0").is_empty());
    assert!(ids(db, Ecosystem::CratesIo, "spin", "0.4.0").is_empty());
}

/// Open-ended ranges (express GHSA-jj78: `introduced` 3.4.5 and nothing else) cover every
/// later version; `last_known_affected_version_range` does not change that.
#[test]
fn open_ended_range() {
    let (db, _) = fixture_db();
    assert_eq!(
        ids(db, Ecosystem::Npm, "express", "4.17.1"),
        vec!["GHSA-jj78-5fmv-mv28"]
    );
    assert_eq!(
        ids(db, Ecosystem::Npm, "express", "5.0.0"),
        vec!["GHSA-jj78-5fmv-mv28"]
    );
    assert!(ids(db, Ecosystem::Npm, "express", "3.4.4").is_empty());
}

/// `last_affected` is inclusive (elliptic GHSA-49q7 up to 6.5.6; ghost GHSA-99vc with two
/// identical entries gives one finding; laravel GHSA-qvqm in Packagist).
#[test]
fn last_affected_inclusive() {
    let (db, _) = fixture_db();
    assert_eq!(
        ids(db, Ecosystem::Npm, "elliptic", "6.5.6"),
        vec!["GHSA-49q7-c7j4-3p7m"]
    );
    assert!(ids(db, Ecosystem::Npm, "elliptic", "6.5.7").is_empty());
    assert!(ids(db, Ecosystem::Npm, "elliptic", "5.2.0").is_empty());
    let ghost = vulns(db, Ecosystem::Npm, "ghost", "5.76.0");
    assert_eq!(ghost.len(), 1);
    assert_eq!(ghost[0].fixed, None);
    assert!(ids(db, Ecosystem::Npm, "ghost", "5.76.1").is_empty());
    let laravel = "laravel/framework";
    assert_eq!(
        ids(db, Ecosystem::Packagist, laravel, "5.5.40"),
        vec!["GHSA-qvqm-h22r-4cp9"]
    );
    assert!(ids(db, Ecosystem::Packagist, laravel, "5.5.41").is_empty());
    assert_eq!(
        ids(db, Ecosystem::Packagist, laravel, "v5.6.29"),
        vec!["GHSA-qvqm-h22r-4cp9"]
    );
}

/// electron GHSA-7m48 mixes `fixed` and `last_affected` across 6 unsorted entries, with
/// pre-release bounds; each entry is evaluated on its own.
#[test]
fn electron_mixed_entries() {
    let (db, _) = fixture_db();
    let id = "GHSA-7m48-wc93-9g85";
    assert_eq!(ids(db, Ecosystem::Npm, "electron", "22.3.23"), vec![id]);
    assert!(ids(db, Ecosystem::Npm, "electron", "22.3.24").is_empty());
    assert_eq!(ids(db, Ecosystem::Npm, "electron", "23.3.13"), vec![id]);
    assert_eq!(
        ids(db, Ecosystem::Npm, "electron", "27.0.0-alpha.6"),
        vec![id]
    );
    assert!(ids(db, Ecosystem::Npm, "electron", "27.0.0-alpha.7").is_empty());
    assert!(ids(db, Ecosystem::Npm, "electron", "24.8.3").is_empty());
    let v = vulns(db, Ecosystem::Npm, "electron", "25.1.0");
    assert_eq!(v[0].fixed.as_deref(), Some("25.8.1"));
}

/// GHSA-f598 and GHSA-8mwq (sequelize) share CVE-2023-22578: one finding listing both ids, with
/// the fix GHSA-f598 names (GHSA-8mwq's `last_affected` names none).
#[test]
fn alias_group_is_one_finding() {
    let (db, _) = fixture_db();
    let v = vulns(db, Ecosystem::Npm, "sequelize", "6.28.2");
    assert_eq!(v.len(), 1);
    let mut all = v[0].aliases.clone();
    all.push(v[0].id.clone());
    all.sort();
    assert_eq!(
        all,
        vec![
            "CVE-2023-22578",
            "GHSA-8mwq-mj73-qv68",
            "GHSA-f598-mfpv-gmfx"
        ]
    );
    assert_eq!(v[0].fixed.as_deref(), Some("6.29.0"));
    assert_eq!(v[0].severity, Severity::Critical);
    // 6.28.3 is only in GHSA-f598's range.
    assert_eq!(
        ids(db, Ecosystem::Npm, "sequelize", "6.28.3"),
        vec!["GHSA-f598-mfpv-gmfx"]
    );
}

/// Severity quirks: `score: ""` (GHSA-cqmj) falls back to the GHSA label; a trailing `/`
/// (GHSA-pc5p) keeps the raw vector; CVSS v4 only (rollup GHSA-gcx4) is scored; `severity: []`
/// (GHSA-773h) uses the label.
#[test]
fn severity_quirks() {
    let (db, _) = fixture_db();
    let cqmj = vulns(db, Ecosystem::Npm, "socket.io-parser", "4.2.2");
    assert_eq!(cqmj[0].severity, Severity::High);
    assert_eq!(cqmj[0].severity_source, SeveritySource::Database);
    let pc5p = vulns(db, Ecosystem::Npm, "https-proxy-agent", "2.2.2");
    let c = pc5p[0].cvss.as_ref().unwrap();
    assert!(c.vector.ends_with("/A:N/"));
    assert_eq!(c.version, "3.1");
    let rollup = vulns(db, Ecosystem::Npm, "rollup", "3.29.4");
    let c = rollup[0].cvss.as_ref().unwrap();
    assert_eq!(c.version, "4.0");
    assert!(c.score.is_some());
    assert_eq!(rollup[0].severity_source, SeveritySource::Cvss);
    let libxml = vulns(db, Ecosystem::Npm, "libxmljs", "0.19.7");
    assert_eq!(libxml[0].severity, Severity::High);
    assert_eq!(libxml[0].cvss, None);
}

/// Multi-ecosystem advisories are matched per (ecosystem, name): bootstrap GHSA-pj7m names
/// npm, NuGet (case-insensitive ids), RubyGems, Packagist and Maven; GHSA-3wqf's short bound
/// `"4.0"` is read leniently; log4j GHSA-jfh8 has unsorted Maven entries.
#[test]
fn multi_ecosystem_and_maven() {
    let (db, _) = fixture_db();
    let mut npm = ids(db, Ecosystem::Npm, "bootstrap", "4.0.0");
    npm.sort();
    assert_eq!(npm, vec!["GHSA-3wqf-4x89-9g79", "GHSA-pj7m-g53m-7638"]);
    assert!(ids(db, Ecosystem::Npm, "bootstrap", "4.1.2").is_empty());
    assert_eq!(
        ids(db, Ecosystem::NuGet, "Bootstrap", "4.1.1"),
        vec!["GHSA-pj7m-g53m-7638"]
    );
    assert_eq!(
        ids(db, Ecosystem::Packagist, "TYPO3/cms-core", "9.5.3"),
        vec!["GHSA-pj7m-g53m-7638"]
    );
    let log4j = "org.apache.logging.log4j:log4j-core";
    assert_eq!(
        ids(db, Ecosystem::Maven, log4j, "2.14.1"),
        vec!["GHSA-jfh8-c2jp-5v3q"]
    );
    assert_eq!(
        ids(db, Ecosystem::Maven, log4j, "2.0"),
        vec!["GHSA-jfh8-c2jp-5v3q"]
    );
    assert!(ids(db, Ecosystem::Maven, log4j, "2.15.0").is_empty());
    assert!(ids(db, Ecosystem::Maven, log4j, "2.12.2").is_empty());
    // actionpack GHSA-9chr has an open `introduced: 0` entry besides its fixed ones.
    assert_eq!(
        ids(db, Ecosystem::RubyGems, "actionpack", "7.0.4.1"),
        vec!["GHSA-9chr-4fjh-5rgw"]
    );
}

/// RustSec informational advisories (serde_yml `unsound`, open from `0.0.0-0`) are reported
/// with the flag set and info severity, not as plain vulnerabilities.
#[test]
fn rustsec_informational() {
    let (db, _) = fixture_db();
    let v = vulns(db, Ecosystem::CratesIo, "serde_yml", "0.0.12");
    assert_eq!(v[0].id, "RUSTSEC-2025-0068");
    assert_eq!(v[0].informational.as_deref(), Some("unsound"));
    assert_eq!(v[0].severity, Severity::Info);
    assert_eq!(v[0].aliases, vec!["GHSA-hhw4-xg65-fp2x".to_owned()]);
}

/// A pypa record whose GIT range comes first (PYSEC-2012-1, beaker) is still matched through
/// its ECOSYSTEM range and `versions` list.
#[test]
fn git_range_first() {
    let (db, _) = fixture_db();
    assert_eq!(
        ids(db, Ecosystem::PyPI, "Beaker", "1.6.4"),
        vec!["PYSEC-2012-1"]
    );
    assert!(ids(db, Ecosystem::PyPI, "beaker", "1.6.5.post1").is_empty());
}

/// Versions that cannot be read, and ecosystems the database does not hold, are "not checked"
/// with a reason, never clean.
#[test]
fn not_checked_is_never_clean() {
    let (db, _) = fixture_db();
    match db.check(&pkg(Ecosystem::Npm, "lodash", "not a version")) {
        Check::NotChecked(why) => assert!(why.contains("cannot be read"), "{why}"),
        other => panic!("{other:?}"),
    }
    match db.check(&pkg(Ecosystem::Go, "golang.org/x/net", "v0.1.0")) {
        Check::NotChecked(why) => assert!(why.contains("no Go advisories"), "{why}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        db.check(&pkg(Ecosystem::Npm, "left-pad", "1.3.0")),
        Check::Clean
    );
}

/// The bundled snapshot opens offline, holds every ecosystem of the advisory set, and finds
/// django 2.2.0 in at least 28 PYSEC advisories (PEP 440 equality with `"2.2"`).
#[test]
fn bundled_snapshot() {
    let db = Database::bundled().unwrap();
    let status = db.status();
    for eco in [
        Ecosystem::PyPI,
        Ecosystem::Go,
        Ecosystem::CratesIo,
        Ecosystem::Npm,
    ] {
        assert!(status.per_ecosystem[&eco].advisories > 100, "{eco}");
    }
    assert!(status.per_ecosystem[&Ecosystem::Go].complete);
    assert!(!status.per_ecosystem[&Ecosystem::Npm].complete);
    let django = vulns(&db, Ecosystem::PyPI, "django", "2.2.0");
    let pysec = django
        .iter()
        .flat_map(|v| std::iter::once(&v.id).chain(&v.aliases))
        .filter(|id| id.starts_with("PYSEC-"))
        .count();
    assert!(pysec >= 28, "{pysec}");
    // A partial ecosystem cannot prove a package clean.
    assert!(matches!(
        db.check(&pkg(Ecosystem::Npm, "left-pad", "1.3.0")),
        Check::NotChecked(_)
    ));
    assert_eq!(
        db.check(&pkg(Ecosystem::CratesIo, "serde", "1.0.200")),
        Check::Clean
    );
}

/// `related` ids are carried apart from aliases and never merge findings (GO-2020-0050 names
/// CVE-2020-26290 as related, CVE-2020-15216 as an alias); Go module versions keep their `v`.
#[test]
fn related_is_not_alias() {
    let db = Database::bundled().unwrap();
    let v = vulns(
        &db,
        Ecosystem::Go,
        "github.com/russellhaering/goxmldsig",
        "v1.0.0",
    );
    let go = v.iter().find(|v| v.id == "GO-2020-0050").unwrap();
    assert!(go.aliases.contains(&"CVE-2020-15216".to_owned()));
    assert!(go.related.contains(&"CVE-2020-26290".to_owned()));
    assert!(!go.aliases.contains(&"CVE-2020-26290".to_owned()));
    assert_eq!(go.fixed.as_deref(), Some("1.1.0"));
}

/// Options mark an ecosystem partial, and an empty import source list gives an empty database
/// that checks nothing.
#[test]
fn partial_and_empty() {
    let opts = ImportOptions {
        partial: vec![Ecosystem::Npm],
        ..ImportOptions::default()
    };
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("p.fgdb");
    Database::import_with(&[fixtures().join("npm")], &dest, &opts).unwrap();
    let db = Database::open(&dest).unwrap();
    assert!(matches!(
        db.check(&pkg(Ecosystem::Npm, "left-pad", "1.3.0")),
        Check::NotChecked(_)
    ));
    assert_eq!(ids(&db, Ecosystem::Npm, "node-jose", "2.1.1").len(), 1);
    let empty = dir.path().join("e.fgdb");
    Database::import(&[], &empty).unwrap();
    let db = Database::open(&empty).unwrap();
    assert!(matches!(
        db.check(&pkg(Ecosystem::Npm, "node-jose", "2.1.1")),
        Check::NotChecked(_)
    ));
}
