//! The OSV evaluation algorithm (osv-schema `docs/schema.md`, "Evaluation"), per affected entry:
//! the version is affected when it equals (under the ecosystem's own ordering, not as a string)
//! an entry of the `versions` list, or when a `SEMVER`/`ECOSYSTEM` range contains it.
//!
//! A range is walked with its events sorted by version, `introduced: "0"` first: `introduced`
//! at or below the version opens it, `fixed` at or below closes it, `last_affected` strictly
//! below closes it (the bound is inclusive), and any `limit` event must lie above the version.
//! `GIT` ranges are skipped (they need the repository) and evaluation goes on with the next
//! range. A bound that cannot be read under the ecosystem's rules is skipped, which widens the
//! range (conservative): postcss's `fixed: "7.0.36, 8.2.13"` leaves `introduced: 0` open.

use faasguard_lockfile::Ecosystem;

use crate::osv::{Affected, EventKind, Range};
use crate::version::{self, Version};

/// A package name as the index stores it: PyPI per PEP 503 (lower case, runs of `-_.` become
/// `-`), NuGet and Packagist lower-cased, everything else exact (npm, crates.io, Go module
/// paths, Maven `group:artifact`, RubyGems).
pub fn normalize_name(ecosystem: Ecosystem, name: &str) -> String {
    let name = name.trim();
    match ecosystem {
        Ecosystem::PyPI => {
            let mut out = String::with_capacity(name.len());
            let mut in_sep = false;
            for c in name.chars() {
                if matches!(c, '-' | '_' | '.') {
                    if !in_sep {
                        out.push('-');
                    }
                    in_sep = true;
                } else {
                    out.push(c.to_ascii_lowercase());
                    in_sep = false;
                }
            }
            out
        }
        Ecosystem::NuGet | Ecosystem::Packagist => name.to_ascii_lowercase(),
        _ => name.to_owned(),
    }
}

/// The faasguard ecosystem of an OSV ecosystem string; a `:suffix` (`Maven:https://…`) is
/// ignored. `None` for ecosystems faasguard does not read (`GitHub Actions`, `Debian:12`).
pub fn ecosystem_of(osv: &str) -> Option<Ecosystem> {
    let base = osv.split(':').next().unwrap_or(osv).trim();
    Ecosystem::from_osv(base)
}

/// Reads a version under the ecosystem's rules (`None`: it cannot be ordered there, and the
/// package is "not checked").
pub fn parse(ecosystem: Ecosystem, v: &str) -> Option<Version> {
    let v = v.trim();
    if v.is_empty() {
        return None;
    }
    version::parse(ecosystem, v)
}

/// Whether a version string can be read under the ecosystem's rules.
pub fn readable(ecosystem: Ecosystem, v: &str) -> bool {
    parse(ecosystem, v).is_some()
}

/// Whether `v` is affected by one `affected` entry.
pub fn affected_entry(ecosystem: Ecosystem, entry: &Affected, v: &Version) -> bool {
    entry
        .versions
        .iter()
        .any(|listed| parse(ecosystem, listed).is_some_and(|l| l == *v))
        || entry
            .ranges
            .iter()
            .any(|range| range_contains(ecosystem, range, v))
}

/// A range bound, read.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Bound {
    /// `introduced: "0"`: before every version.
    Zero,
    Version(Version),
    /// `limit: "*"`: after every version.
    Star,
}

/// Whether one range contains `v` (false for `GIT` and unknown range types).
pub fn range_contains(ecosystem: Ecosystem, range: &Range, v: &Version) -> bool {
    if !range.is_version_range() {
        return false;
    }
    let events = sorted_events(ecosystem, range);
    // No limit events means an implicit "*": every version is before it.
    let mut limits = events
        .iter()
        .filter(|(k, _)| *k == EventKind::Limit)
        .peekable();
    let before_limits = limits.peek().is_none()
        || limits.any(|(_, b)| match b {
            Bound::Star => true,
            Bound::Zero => false,
            Bound::Version(l) => v < l,
        });
    if !before_limits {
        return false;
    }
    let mut vulnerable = false;
    for (kind, bound) in &events {
        let at_or_above = match bound {
            Bound::Zero => true,
            Bound::Star => false,
            Bound::Version(b) => v >= b,
        };
        match kind {
            EventKind::Introduced if at_or_above => vulnerable = true,
            EventKind::Fixed if at_or_above => vulnerable = false,
            EventKind::LastAffected
                if at_or_above && !matches!(bound, Bound::Version(b) if v == b) =>
            {
                vulnerable = false;
            }
            _ => {}
        }
    }
    vulnerable
}

/// The readable events of a range, sorted by version with `introduced: "0"` first. Events whose
/// version cannot be read are dropped (see [`unreadable_bounds`]).
fn sorted_events(ecosystem: Ecosystem, range: &Range) -> Vec<(EventKind, Bound)> {
    let mut events: Vec<(EventKind, Bound)> = range
        .events
        .iter()
        .flat_map(crate::osv::Event::kinds)
        .filter_map(|(k, b)| Some((k, read_bound(ecosystem, k, b)?)))
        .collect();
    events.sort_by(|a, b| a.1.cmp(&b.1));
    events
}

fn read_bound(ecosystem: Ecosystem, kind: EventKind, b: &str) -> Option<Bound> {
    match (kind, b.trim()) {
        (EventKind::Introduced, "0") => Some(Bound::Zero),
        (EventKind::Limit, "*") => Some(Bound::Star),
        (_, b) => parse(ecosystem, b).map(Bound::Version),
    }
}

/// The bounds of a range that cannot be read under the ecosystem's rules (skipped by the
/// matcher); reported by the import.
pub fn unreadable_bounds(ecosystem: Ecosystem, range: &Range) -> Vec<&str> {
    if !range.is_version_range() {
        return Vec::new();
    }
    range
        .events
        .iter()
        .flat_map(crate::osv::Event::kinds)
        .filter(|(k, b)| read_bound(ecosystem, *k, b).is_none())
        .map(|(_, b)| b)
        .collect()
}

/// The lowest `fixed` version of the entry's version ranges above `v`, for remediation.
pub fn lowest_fix_above<'a>(
    ecosystem: Ecosystem,
    entry: &'a Affected,
    v: &Version,
) -> Option<(&'a str, Version)> {
    entry
        .ranges
        .iter()
        .filter(|r| r.is_version_range())
        .flat_map(|r| r.events.iter())
        .filter_map(|e| e.fixed.as_deref())
        .filter_map(|f| Some((f, parse(ecosystem, f)?)))
        .filter(|(_, f)| f > v)
        .min_by(|a, b| a.1.cmp(&b.1))
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use super::*;
    use crate::osv::Event;

    fn ev(kind: EventKind, v: &str) -> Event {
        let mut e = Event::default();
        let slot = match kind {
            EventKind::Introduced => &mut e.introduced,
            EventKind::Fixed => &mut e.fixed,
            EventKind::LastAffected => &mut e.last_affected,
            EventKind::Limit => &mut e.limit,
        };
        *slot = Some(v.to_owned());
        e
    }

    fn range(kind: &str, events: &[(EventKind, &str)]) -> Range {
        Range {
            kind: kind.to_owned(),
            repo: None,
            events: events.iter().map(|(k, v)| ev(*k, v)).collect(),
        }
    }

    use EventKind::{Fixed, Introduced, LastAffected, Limit};

    fn read(e: Ecosystem, s: &str) -> Version {
        parse(e, s).expect("test versions are valid")
    }
    fn v(s: &str) -> Version {
        read(Ecosystem::CratesIo, s)
    }
    fn npm(s: &str) -> Version {
        read(Ecosystem::Npm, s)
    }
    fn go(s: &str) -> Version {
        read(Ecosystem::Go, s)
    }

    /// PEP 503 for PyPI, lower case for NuGet and Packagist, exact elsewhere.
    #[test]
    fn names_are_normalised_per_ecosystem() {
        assert_eq!(
            normalize_name(Ecosystem::PyPI, "Django_REST.-framework"),
            "django-rest-framework"
        );
        assert_eq!(
            normalize_name(Ecosystem::NuGet, "Newtonsoft.Json"),
            "newtonsoft.json"
        );
        assert_eq!(
            normalize_name(Ecosystem::Packagist, "Laravel/Framework"),
            "laravel/framework"
        );
        assert_eq!(normalize_name(Ecosystem::Npm, "Axios"), "Axios");
        assert_eq!(
            normalize_name(Ecosystem::Maven, "org.apache.logging.log4j:log4j-core"),
            "org.apache.logging.log4j:log4j-core"
        );
        assert_eq!(
            ecosystem_of("Maven:https://repo.example"),
            Some(Ecosystem::Maven)
        );
        assert_eq!(ecosystem_of("GitHub Actions"), None);
    }

    /// Several unsorted introduced/fixed pairs in one range (the shape of django
    /// PYSEC-2019-10) are sorted before the walk.
    #[test]
    fn unsorted_pairs() {
        let r = range(
            "SEMVER",
            &[
                (Introduced, "2.1.0"),
                (Fixed, "2.1.10"),
                (Introduced, "2.2.0"),
                (Fixed, "2.2.3"),
                (Introduced, "1.11.0"),
                (Fixed, "1.11.22"),
            ],
        );
        let e = Ecosystem::CratesIo;
        assert!(range_contains(e, &r, &v("2.2.0")));
        assert!(range_contains(e, &r, &v("1.11.21")));
        assert!(!range_contains(e, &r, &v("1.11.22")));
        assert!(!range_contains(e, &r, &v("2.1.10")));
        assert!(!range_contains(e, &r, &v("2.2.3")));
        assert!(!range_contains(e, &r, &v("1.10.0")));
    }

    /// `last_affected` is inclusive.
    #[test]
    fn last_affected_is_inclusive() {
        let r = range("SEMVER", &[(Introduced, "0"), (LastAffected, "6.5.4")]);
        assert!(range_contains(Ecosystem::Npm, &r, &npm("6.5.4")));
        assert!(range_contains(Ecosystem::Npm, &r, &npm("0.0.1")));
        assert!(!range_contains(Ecosystem::Npm, &r, &npm("6.5.5")));
    }

    /// A `limit` event caps the range: versions at or above it are not affected even though no
    /// `fixed` event closes the range.
    #[test]
    fn limit_caps_the_range() {
        let r = range("SEMVER", &[(Introduced, "1.0.0"), (Limit, "2.0.0")]);
        assert!(range_contains(Ecosystem::Go, &r, &go("1.5.0")));
        assert!(!range_contains(Ecosystem::Go, &r, &go("2.0.0")));
        assert!(!range_contains(Ecosystem::Go, &r, &go("3.0.0")));
        assert!(!range_contains(Ecosystem::Go, &r, &go("0.9.0")));
        let star = range("SEMVER", &[(Introduced, "1.0.0"), (Limit, "*")]);
        assert!(range_contains(Ecosystem::Go, &star, &go("9.0.0")));
    }

    /// An `introduced` with no closing event covers every later version (express GHSA-jj78).
    #[test]
    fn open_ended_range() {
        let r = range("ECOSYSTEM", &[(Introduced, "4.0.0")]);
        assert!(range_contains(Ecosystem::Npm, &r, &npm("4.17.1")));
        assert!(range_contains(Ecosystem::Npm, &r, &npm("99.0.0")));
        assert!(!range_contains(Ecosystem::Npm, &r, &npm("3.9.9")));
    }

    /// An unreadable `fixed` bound is skipped and reported; the range stays open from
    /// `introduced: 0` (postcss GHSA-566m).
    #[test]
    fn unreadable_bound_widens_the_range() {
        let r = range("ECOSYSTEM", &[(Introduced, "0"), (Fixed, "7.0.36, 8.2.13")]);
        assert!(range_contains(Ecosystem::Npm, &r, &npm("5.2.18")));
        assert!(range_contains(Ecosystem::Npm, &r, &npm("8.4.0")));
        assert_eq!(
            unreadable_bounds(Ecosystem::Npm, &r),
            vec!["7.0.36, 8.2.13"]
        );
    }

    /// A GIT range before the version range is skipped, and the version range still decides
    /// (the osv-scalibr early return is not copied).
    #[test]
    fn git_range_first_does_not_stop_evaluation() {
        let entry = Affected {
            ranges: vec![
                range("GIT", &[(Introduced, "0"), (Fixed, "a1b2c3d4")]),
                range("ECOSYSTEM", &[(Introduced, "0"), (Fixed, "1.2.0")]),
            ],
            ..Affected::default()
        };
        assert!(affected_entry(Ecosystem::CratesIo, &entry, &v("1.1.0")));
        assert!(!affected_entry(Ecosystem::CratesIo, &entry, &v("1.2.0")));
        let git_only = Affected {
            ranges: vec![range("GIT", &[(Introduced, "0")])],
            ..Affected::default()
        };
        assert!(!affected_entry(Ecosystem::CratesIo, &git_only, &v("1.1.0")));
    }

    /// Pre-release bounds order with pre-release precedence: RustSec's `0.3.1-0` is below
    /// `0.3.1-alpha`.
    #[test]
    fn prerelease_bounds() {
        let r = range("SEMVER", &[(Introduced, "0.3.1-0"), (Fixed, "0.3.4")]);
        assert!(range_contains(Ecosystem::CratesIo, &r, &v("0.3.1-alpha")));
        assert!(!range_contains(Ecosystem::CratesIo, &r, &v("0.3.0")));
    }

    /// The remediation version is the lowest `fixed` above the installed one.
    #[test]
    fn lowest_fix() {
        let entry = Affected {
            ranges: vec![range(
                "SEMVER",
                &[
                    (Introduced, "2.1.0"),
                    (Fixed, "2.1.10"),
                    (Introduced, "2.2.0"),
                    (Fixed, "2.2.3"),
                    (Introduced, "1.11.0"),
                    (Fixed, "1.11.22"),
                ],
            )],
            ..Affected::default()
        };
        assert_eq!(
            lowest_fix_above(Ecosystem::CratesIo, &entry, &v("2.2.0")).map(|f| f.0),
            Some("2.2.3")
        );
        assert_eq!(
            lowest_fix_above(Ecosystem::CratesIo, &entry, &v("1.11.3")).map(|f| f.0),
            Some("1.11.22")
        );
        assert!(lowest_fix_above(Ecosystem::CratesIo, &entry, &v("3.0.0")).is_none());
    }
}
