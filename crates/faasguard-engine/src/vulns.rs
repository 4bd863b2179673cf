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
