//! Building a database from OSV JSON: folders (recursively, `*.json`), single files, or zips of
//! them (the official per-ecosystem `all.zip`). Malformed records are reported and skipped;
//! withdrawn advisories are dropped and counted; alias groups are computed over the whole set
//! (union-find over id ∪ aliases). The file is written atomically: a temporary file in the
//! destination's folder, fsync, rename.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use faasguard_lockfile::Ecosystem;

use crate::db::DbError;
use crate::format::{self, EcoStatus, Status, Stored};
use crate::matcher;
use crate::osv::{Advisory, Affected};
use crate::score;

/// The largest single OSV record read (bytes).
const MAX_RECORD: u64 = 32 << 20;
/// The most entries read from one zip.
const MAX_ZIP_ENTRIES: usize = 2_000_000;
/// The most files read from one folder tree.
const MAX_FILES: usize = 2_000_000;

/// How to build.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Ecosystems whose advisories in these sources are only a sample (a package without a
    /// match is then "not checked", not "clean"). Every other imported ecosystem is taken as
    /// the complete set.
    pub partial: Vec<Ecosystem>,
    /// The text for [`Status::source`]; by default the source paths.
    pub source: Option<String>,
    /// The build time (seconds since the epoch); by default now.
    pub built_at: Option<u64>,
}

/// A record that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed {
    /// The file (for a zip: `archive.zip!/entry.json`).
    pub file: String,
    pub cause: String,
}

/// A range bound that cannot be read under its ecosystem's version rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnreadableBound {
    pub id: String,
    pub ecosystem: Ecosystem,
    pub package: String,
    pub bound: String,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// JSON files read.
    pub files: usize,
    /// Advisories kept (at least one affected entry in a faasguard ecosystem).
    pub imported: usize,
    /// Withdrawn advisories dropped.
    pub withdrawn: usize,
    /// Records with an id already seen (the newest `modified` is kept).
    pub duplicates: usize,
    /// Records that could not be read, skipped.
    pub malformed: Vec<Malformed>,
    /// Affected entries in ecosystems faasguard does not read (`GitHub Actions`, `Pub`, …),
    /// counted per ecosystem string.
    pub skipped_ecosystems: BTreeMap<String, usize>,
    /// Advisories with no affected entry in a faasguard ecosystem.
    pub no_known_package: usize,
    /// Bounds the matcher will skip (the range is widened).
    pub unreadable_bounds: Vec<UnreadableBound>,
    /// Package names that can never match a real package (an npm name with capitals, like
    /// GHSA-8hc4's `Axios`), as `ecosystem/name (id)`.
    pub unmatchable_names: Vec<String>,
    /// The resulting status (as `db status` will show it).
    pub status: Status,
    /// Size of the written database in bytes.
    pub bytes: u64,
}

/// Reads every source, then builds and writes `dest` atomically. A source that cannot be read
/// at all (missing path, broken zip) fails the import and leaves `dest` untouched.
pub fn import(
    sources: &[PathBuf],
    dest: &Path,
    options: &ImportOptions,
) -> Result<ImportReport, DbError> {
    let (bytes, report) = build(sources, options)?;
    write_atomic(dest, &bytes)?;
    Ok(report)
}

/// Reads every source and encodes the database in memory.
pub fn build(
    sources: &[PathBuf],
    options: &ImportOptions,
) -> Result<(Vec<u8>, ImportReport), DbError> {
    let mut report = ImportReport::default();
    let mut records = Vec::new();
    for src in sources {
        read_source(src, &mut records, &mut report)?;
    }
    let source = options.source.clone().unwrap_or_else(|| {
        sources
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    });
    build_from(records, options, source, report)
}

/// Encodes a database from parsed advisories (used by [`build`], and by tests and benchmarks
/// that synthesise records).
pub fn build_from_advisories(
    advisories: impl IntoIterator<Item = Advisory>,
    options: &ImportOptions,
) -> Result<(Vec<u8>, ImportReport), DbError> {
    let source = options.source.clone().unwrap_or_default();
    build_from(advisories, options, source, ImportReport::default())
}

fn build_from(
    advisories: impl IntoIterator<Item = Advisory>,
    options: &ImportOptions,
    source: String,
    mut report: ImportReport,
) -> Result<(Vec<u8>, ImportReport), DbError> {
    // De-duplicate by id (the newest `modified` wins), drop withdrawn ones.
    let mut by_id: BTreeMap<String, Advisory> = BTreeMap::new();
    for mut adv in advisories {
        slim(&mut adv);
        if let Some(prev) = by_id.get(&adv.id) {
            report.duplicates += 1;
            if prev.modified >= adv.modified {
                continue;
            }
        }
        by_id.insert(adv.id.clone(), adv);
    }
    by_id.retain(|_, a| {
        let withdrawn = a.withdrawn.as_deref().is_some_and(|w| !w.trim().is_empty());
        if withdrawn {
            report.withdrawn += 1;
        }
        !withdrawn
    });

    // Only advisories whose group is not themselves need an entry.
    let groups: HashMap<String, String> = alias_groups(by_id.values())
        .into_iter()
        .filter(|(id, group)| id != group)
        .map(|(id, group)| (id.to_owned(), group.to_owned()))
        .collect();

    let mut packages: BTreeMap<(Ecosystem, String), Vec<Stored>> = BTreeMap::new();
    let mut per_eco: BTreeMap<Ecosystem, EcoStats> = BTreeMap::new();
    // Consumed one by one, so that the parsed records and the stored form are not both held.
    for adv in std::mem::take(&mut by_id).into_values() {
        let entries = entries_by_package(&adv, &mut report, &mut per_eco);
        if entries.is_empty() {
            report.no_known_package += 1;
            continue;
        }
        report.imported += 1;
        let extra_cvss: Vec<&str> = adv.affected.iter().filter_map(Affected::cvss).collect();
        let cvss = score::preferred(&adv.severity, &extra_cvss);
        let group = groups.get(&adv.id).cloned();
        let mut counted: Vec<Ecosystem> = Vec::new();
        for ((eco, name), affected) in entries {
            let stats = per_eco.entry(eco).or_default();
            if !counted.contains(&eco) {
                counted.push(eco);
                stats.0 += 1;
            }
            if !adv.modified.is_empty() && stats.1.as_deref().is_none_or(|m| *m < *adv.modified) {
                stats.1 = Some(adv.modified.clone());
            }
            packages.entry((eco, name)).or_default().push(Stored {
                id: adv.id.clone(),
                aliases: adv.aliases.clone(),
                related: adv.related.clone(),
                group: group.clone(),
                summary: adv.summary.clone().filter(|s| !s.trim().is_empty()),
                cvss: cvss.clone(),
                db_severity: adv.database_severity(),
                refs: adv
                    .references
                    .iter()
                    .map(|r| r.url.clone())
                    .filter(|u| !u.is_empty())
                    .collect(),
                affected,
            });
        }
    }

    let mut package_counts: BTreeMap<Ecosystem, usize> = BTreeMap::new();
    for (eco, _) in packages.keys() {
        *package_counts.entry(*eco).or_default() += 1;
    }
    let per_ecosystem = per_eco
        .into_iter()
        .map(|(eco, (advisories, newest, unreadable))| {
            (
                eco,
                EcoStatus {
                    advisories,
                    packages: package_counts.get(&eco).copied().unwrap_or(0),
                    newest_modified: newest,
                    complete: !options.partial.contains(&eco),
                    unreadable_bounds: unreadable,
                },
            )
        })
        .filter(|(_, s)| s.advisories > 0)
        .collect();
    let built_at = options.built_at.unwrap_or_else(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    });
    let status = Status {
        built_at,
        per_ecosystem,
        source,
    };
    let bytes = format::encode(&status, &packages).map_err(|cause| DbError::Corrupt {
        path: PathBuf::from("<build>"),
        cause,
    })?;
    report.status = status;
    report.bytes = bytes.len() as u64;
    Ok((bytes, report))
}

/// Per-ecosystem tallies while building: advisories, newest `modified`, unreadable bounds.
type EcoStats = (usize, Option<String>, usize);

/// The affected entries of one advisory, keyed by (ecosystem, normalised name), trimmed and
/// de-duplicated; unknown ecosystems, unreadable bounds and unmatchable names are reported.
fn entries_by_package(
    adv: &Advisory,
    report: &mut ImportReport,
    per_eco: &mut BTreeMap<Ecosystem, EcoStats>,
) -> BTreeMap<(Ecosystem, String), Vec<Affected>> {
    let mut entries: BTreeMap<(Ecosystem, String), Vec<Affected>> = BTreeMap::new();
    for affected in &adv.affected {
        let Some(eco) = matcher::ecosystem_of(&affected.package.ecosystem) else {
            *report
                .skipped_ecosystems
                .entry(affected.package.ecosystem.clone())
                .or_default() += 1;
            continue;
        };
        let raw_name = affected.package.name.trim();
        if raw_name.is_empty() {
            continue;
        }
        if eco == Ecosystem::Npm && raw_name.chars().any(|c| c.is_ascii_uppercase()) {
            report
                .unmatchable_names
                .push(format!("{eco}/{raw_name} ({})", adv.id));
        }
        let name = matcher::normalize_name(eco, raw_name);
        let stats = per_eco.entry(eco).or_default();
        for range in &affected.ranges {
            for bound in matcher::unreadable_bounds(eco, range) {
                stats.2 += 1;
                report.unreadable_bounds.push(UnreadableBound {
                    id: adv.id.clone(),
                    ecosystem: eco,
                    package: raw_name.to_owned(),
                    bound: bound.to_owned(),
                });
            }
        }
        let trimmed = trim_affected(affected);
        let list = entries.entry((eco, name)).or_default();
        // Identical entries (ghost GHSA-99vc) are kept once.
        if !list.contains(&trimmed) {
            list.push(trimmed);
        }
    }
    entries
}

/// The stored form of an affected entry (already through [`slim`]): no package (the index
/// names it), and of `database_specific` only RustSec's `informational`.
fn trim_affected(a: &Affected) -> Affected {
    let database_specific = match a.informational() {
        Some(kind) => serde_json::json!({ "informational": kind }),
        None => serde_json::Value::Null,
    };
    Affected {
        package: crate::osv::PackageRef::default(),
        ranges: a.ranges.clone(),
        versions: a.versions.clone(),
        database_specific,
        ecosystem_specific: serde_json::Value::Null,
    }
}

/// Union-find over id ∪ aliases: maps each advisory id to its group's smallest advisory id.
pub(crate) fn alias_groups<'a>(
    advisories: impl Iterator<Item = &'a Advisory>,
) -> HashMap<&'a str, &'a str> {
    let advisories: Vec<&Advisory> = advisories.collect();
    let mut slot: HashMap<&str, usize> = HashMap::new();
    let mut parent: Vec<usize> = Vec::new();
    let mut id_of = |s: &'a str, parent: &mut Vec<usize>| -> usize {
        *slot.entry(s).or_insert_with(|| {
            parent.push(parent.len());
            parent.len() - 1
        })
    };
    let mut adv_slots = Vec::with_capacity(advisories.len());
    let find = find_root;
    for adv in &advisories {
        let a = id_of(adv.id.as_str(), &mut parent);
        adv_slots.push(a);
        for alias in &adv.aliases {
            let b = id_of(alias.as_str(), &mut parent);
            let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
            if ra != rb {
                parent[rb] = ra;
            }
        }
    }
    // The smallest advisory id per root.
    let mut root_min: HashMap<usize, &str> = HashMap::new();
    for (adv, &s) in advisories.iter().zip(&adv_slots) {
        let r = find(&mut parent, s);
        let e = root_min.entry(r).or_insert(adv.id.as_str());
        if adv.id.as_str() < *e {
            *e = adv.id.as_str();
        }
    }
    let mut out = HashMap::new();
    for (adv, &s) in advisories.iter().zip(&adv_slots) {
        let r = find(&mut parent, s);
        if let Some(min) = root_min.get(&r) {
            out.insert(adv.id.as_str(), *min);
        }
    }
    out
}

/// The root of `x` in a union-find forest (path halving).
fn find_root(parent: &mut [usize], mut x: usize) -> usize {
    while parent[x] != x {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    x
}

fn read_source(
    src: &Path,
    records: &mut Vec<Advisory>,
    report: &mut ImportReport,
) -> Result<(), DbError> {
    let err = |cause: String| DbError::Source {
        path: src.to_path_buf(),
        cause,
    };
    let meta = fs::metadata(src).map_err(|e| err(e.to_string()))?;
    if meta.is_dir() {
        let mut files = Vec::new();
        walk(src, &mut files).map_err(|e| err(e.to_string()))?;
        if files.len() > MAX_FILES {
            return Err(err(format!("more than {MAX_FILES} files")));
        }
        files.sort();
        for f in files {
            let label = f.display().to_string();
            match read_capped(&f) {
                Ok(bytes) => add_record(label, &bytes, records, report),
                Err(cause) => report.malformed.push(Malformed { file: label, cause }),
            }
        }
        return Ok(());
    }
    let mut head = [0u8; 4];
    let is_zip = fs::File::open(src)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok()
        && &head == b"PK\x03\x04";
    if is_zip {
        return read_zip(src, records, report);
    }
    let bytes = read_capped(src).map_err(err)?;
    add_record(src.display().to_string(), &bytes, records, report);
    Ok(())
}

fn read_capped(path: &Path) -> Result<Vec<u8>, String> {
    let f = fs::File::open(path).map_err(|e| e.to_string())?;
    let mut bytes = Vec::new();
    f.take(MAX_RECORD + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > MAX_RECORD {
        return Err(format!("larger than {MAX_RECORD} bytes"));
    }
    Ok(bytes)
}

/// Collects `*.json` files under `dir`, not following symbolic links.
fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let ty = entry.file_type()?;
        let path = entry.path();
        if ty.is_dir() {
            walk(&path, out)?;
        } else if ty.is_file()
            && path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        {
            out.push(path);
            if out.len() > MAX_FILES {
                return Ok(());
            }
        }
    }
    Ok(())
}

fn read_zip(
    src: &Path,
    records: &mut Vec<Advisory>,
    report: &mut ImportReport,
) -> Result<(), DbError> {
    let err = |cause: String| DbError::Source {
        path: src.to_path_buf(),
        cause,
    };
    let file = fs::File::open(src).map_err(|e| err(e.to_string()))?;
    let mut zip =
        zip::ZipArchive::new(file).map_err(|e| err(format!("not a readable zip: {e}")))?;
    if zip.len() > MAX_ZIP_ENTRIES {
        return Err(err(format!("more than {MAX_ZIP_ENTRIES} entries")));
    }
    for i in 0..zip.len() {
        let mut entry = match zip.by_index(i) {
            Ok(e) => e,
            Err(e) => {
                report.malformed.push(Malformed {
                    file: format!("{}!/#{i}", src.display()),
                    cause: e.to_string(),
                });
                continue;
            }
        };
        let name = match entry.name() {
            Ok(n) => n.into_owned(),
            Err(e) => {
                report.malformed.push(Malformed {
                    file: format!("{}!/#{i}", src.display()),
                    cause: e.to_string(),
                });
                continue;
            }
        };
        if !entry.is_file()
            || !Path::new(&name)
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        {
            continue;
        }
        let label = format!("{}!/{name}", src.display());
        if entry.size() > MAX_RECORD {
            report.malformed.push(Malformed {
                file: label,
                cause: format!("larger than {MAX_RECORD} bytes"),
            });
            continue;
        }
        let mut bytes = Vec::new();
        match (&mut entry).take(MAX_RECORD + 1).read_to_end(&mut bytes) {
            Ok(_) if bytes.len() as u64 <= MAX_RECORD => {
                add_record(label, &bytes, records, report);
            }
            Ok(_) => report.malformed.push(Malformed {
                file: label,
                cause: format!("larger than {MAX_RECORD} bytes"),
            }),
            Err(e) => report.malformed.push(Malformed {
                file: label,
                cause: e.to_string(),
            }),
        }
    }
    Ok(())
}

fn add_record(file: String, bytes: &[u8], records: &mut Vec<Advisory>, report: &mut ImportReport) {
    report.files += 1;
    match Advisory::from_json(bytes) {
        Ok(mut advisory) => {
            slim(&mut advisory);
            records.push(advisory);
        }
        Err(e) => report.malformed.push(Malformed {
            file,
            cause: e.to_string(),
        }),
    }
}

/// Drops what the database never stores (`details`, `published`, `ecosystem_specific`, `GIT`
/// ranges, unrelated `database_specific` fields, `versions` entries the ranges cover, ranges of
/// ecosystems faasguard does not read) as soon as a record is read, so that importing a full
/// export holds only the matching data in memory.
fn slim(adv: &mut Advisory) {
    adv.details = None;
    adv.published = None;
    let severity = adv.database_specific.get("severity").cloned();
    adv.database_specific = severity.map_or(
        serde_json::Value::Null,
        |s| serde_json::json!({ "severity": s }),
    );
    for a in &mut adv.affected {
        a.ecosystem_specific = serde_json::Value::Null;
        let informational = a.informational().map(str::to_owned);
        let cvss = a.cvss().map(str::to_owned);
        a.database_specific = if informational.is_none() && cvss.is_none() {
            serde_json::Value::Null
        } else {
            serde_json::json!({ "informational": informational, "cvss": cvss })
        };
        a.ranges.retain(crate::osv::Range::is_version_range);
        // Of a `versions` list only the entries the ranges do not already cover are kept: a
        // version equal to a listed one under the ecosystem's order compares exactly like it
        // against every bound, so the result is the same, while pypa's long lists, which
        // mostly repeat the ranges, stop costing memory, space and matching time. Entries of
        // other ecosystems are only counted.
        if let Some(eco) = matcher::ecosystem_of(&a.package.ecosystem) {
            let ranges = &a.ranges;
            a.versions.retain(|listed| {
                matcher::parse(eco, listed)
                    .is_none_or(|v| !ranges.iter().any(|r| matcher::range_contains(eco, r, &v)))
            });
        } else {
            a.ranges.clear();
            a.versions.clear();
        }
    }
}

/// Writes `bytes` to `dest` through a temporary file in the same folder (fsync, rename, then
/// fsync of the folder where the platform allows it).
pub(crate) fn write_atomic(dest: &Path, bytes: &[u8]) -> Result<(), DbError> {
    let dir = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let io = |source| DbError::Io {
        path: dest.to_path_buf(),
        source,
    };
    fs::create_dir_all(&dir).map_err(io)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".fgdb-import-")
        .tempfile_in(&dir)
        .map_err(io)?;
    tmp.write_all(bytes).map_err(io)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // A database is public data: readable by all, like any file the user writes.
        tmp.as_file()
            .set_permissions(fs::Permissions::from_mode(0o644))
            .map_err(io)?;
    }
    tmp.as_file().sync_all().map_err(io)?;
    tmp.persist(dest).map_err(|e| io(e.error))?;
    if let Ok(d) = fs::File::open(&dir) {
        // Directory fsync makes the rename durable on Linux; not supported everywhere.
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn adv(id: &str, aliases: &[&str]) -> Advisory {
        Advisory {
            id: id.to_owned(),
            aliases: aliases.iter().map(|s| (*s).to_owned()).collect(),
            ..Advisory::default()
        }
    }

    /// Slimming a record (pruning `versions` entries the ranges cover, dropping GIT ranges)
    /// does not change any match: on every fixture record, every listed version and every range
    /// bound gets the same answer before and after.
    #[test]
    fn slimming_keeps_every_answer() {
        let mut files = Vec::new();
        walk(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/osv"),
            &mut files,
        )
        .unwrap();
        assert!(files.len() > 20);
        let mut probes = 0;
        for f in files {
            let original = Advisory::from_json(&fs::read(&f).unwrap()).unwrap();
            let mut slimmed = original.clone();
            slim(&mut slimmed);
            for (before, after) in original.affected.iter().zip(&slimmed.affected) {
                let Some(eco) = matcher::ecosystem_of(&before.package.ecosystem) else {
                    continue;
                };
                let candidates = before.versions.iter().map(String::as_str).chain(
                    before
                        .ranges
                        .iter()
                        .flat_map(|r| &r.events)
                        .flat_map(crate::osv::Event::kinds)
                        .map(|(_, b)| b),
                );
                for c in candidates {
                    let Some(v) = matcher::parse(eco, c) else {
                        continue;
                    };
                    probes += 1;
                    assert_eq!(
                        matcher::affected_entry(eco, before, &v),
                        matcher::affected_entry(eco, after, &v),
                        "{} {c}",
                        original.id
                    );
                }
            }
        }
        assert!(probes > 200, "{probes}");
    }

    /// Union-find joins chains: A~CVE-1, C~CVE-1 and CVE-2, B~CVE-2 are one group even though A
    /// and B share no alias (osv-scanner's pairwise merge can split this).
    #[test]
    fn alias_chains_are_one_group() {
        let list = [
            adv("GHSA-a", &["CVE-1"]),
            adv("PYSEC-c", &["CVE-1", "CVE-2"]),
            adv("GHSA-b", &["CVE-2"]),
            adv("GHSA-z", &["CVE-9"]),
        ];
        let g = alias_groups(list.iter());
        assert_eq!(g["GHSA-a"], "GHSA-a");
        assert_eq!(g["GHSA-b"], "GHSA-a");
        assert_eq!(g["PYSEC-c"], "GHSA-a");
        assert_eq!(g["GHSA-z"], "GHSA-z");
    }
}
