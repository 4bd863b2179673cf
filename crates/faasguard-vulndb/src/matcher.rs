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

use std::cmp::Ordering;

use faasguard_lockfile::Ecosystem;

use crate::osv::{Affected, EventKind, Range};
use crate::version;

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

/// Whether a version string can be read under the ecosystem's rules.
pub fn readable(ecosystem: Ecosystem, v: &str) -> bool {
    !v.trim().is_empty() && version::compare(ecosystem, v, v).is_some()
}

/// Whether `v` is affected by one `affected` entry. `v` must be [`readable`].
pub fn affected_entry(ecosystem: Ecosystem, entry: &Affected, v: &str) -> bool {
    entry
        .versions
        .iter()
        .any(|listed| version::compare(ecosystem, v, listed) == Some(Ordering::Equal))
        || entry
            .ranges
            .iter()
            .any(|range| range_contains(ecosystem, range, v))
}

/// Whether one range contains `v` (false for `GIT` and unknown range types).
pub fn range_contains(ecosystem: Ecosystem, range: &Range, v: &str) -> bool {
    if !range.is_version_range() {
        return false;
    }
    let events = sorted_events(ecosystem, range);
    let limits: Vec<&str> = events
        .iter()
        .filter(|(k, _)| *k == EventKind::Limit)
        .map(|(_, b)| *b)
        .collect();
    // No limit events means an implicit "*": every version is before it.
    let before_limits = limits.is_empty()
        || limits
            .iter()
            .any(|l| *l == "*" || version::compare(ecosystem, v, l) == Some(Ordering::Less));
    if !before_limits {
        return false;
    }
    let mut vulnerable = false;
    for (kind, bound) in events {
        match kind {
            EventKind::Introduced => {
                if bound == "0" || cmp(ecosystem, v, bound) != Ordering::Less {
                    vulnerable = true;
                }
            }
            EventKind::Fixed => {
                if cmp(ecosystem, v, bound) != Ordering::Less {
                    vulnerable = false;
                }
            }
            EventKind::LastAffected => {
                if cmp(ecosystem, v, bound) == Ordering::Greater {
                    vulnerable = false;
                }
            }
            EventKind::Limit => {}
        }
    }
    vulnerable
}

/// Compares two readable versions (both were checked by [`sorted_events`] / the caller).
fn cmp(ecosystem: Ecosystem, a: &str, b: &str) -> Ordering {
    version::compare(ecosystem, a, b).unwrap_or(Ordering::Equal)
}

/// The readable events of a range, sorted by version with `introduced: "0"` first. Events whose
/// version cannot be read are dropped (see [`unreadable_bounds`]).
pub fn sorted_events(ecosystem: Ecosystem, range: &Range) -> Vec<(EventKind, &str)> {
    let mut events: Vec<(EventKind, &str)> = range
        .events
        .iter()
        .flat_map(crate::osv::Event::kinds)
        .filter(|(k, b)| {
            (*k == EventKind::Introduced && *b == "0")
                || (*k == EventKind::Limit && *b == "*")
                || readable(ecosystem, b)
        })
        .collect();
    events.sort_by(|(ka, a), (kb, b)| {
        let zero_a = *ka == EventKind::Introduced && *a == "0";
        let zero_b = *kb == EventKind::Introduced && *b == "0";
        match (zero_a, zero_b) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            (false, false) => match (*a == "*", *b == "*") {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => cmp(ecosystem, a, b),
            },
        }
    });
    events
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
        .filter(|(k, b)| {
            !((*k == EventKind::Introduced && *b == "0")
                || (*k == EventKind::Limit && *b == "*")
                || readable(ecosystem, b))
        })
        .map(|(_, b)| b)
        .collect()
}

/// The lowest `fixed` version of the entry's version ranges above `v`, for remediation.
pub fn lowest_fix_above<'a>(ecosystem: Ecosystem, entry: &'a Affected, v: &str) -> Option<&'a str> {
    entry
        .ranges
        .iter()
        .filter(|r| r.is_version_range())
        .flat_map(|r| r.events.iter())
        .filter_map(|e| e.fixed.as_deref())
        .filter(|f| version::compare(ecosystem, f, v) == Some(Ordering::Greater))
        .min_by(|a, b| cmp(ecosystem, a, b))
}

#[cfg(test)]
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
        assert!(range_contains(e, &r, "2.2.0"));
        assert!(range_contains(e, &r, "1.11.21"));
        assert!(!range_contains(e, &r, "1.11.22"));
        assert!(!range_contains(e, &r, "2.1.10"));
        assert!(!range_contains(e, &r, "2.2.3"));
        assert!(!range_contains(e, &r, "1.10.0"));
    }

    /// `last_affected` is inclusive.
    #[test]
    fn last_affected_is_inclusive() {
        let r = range("SEMVER", &[(Introduced, "0"), (LastAffected, "6.5.4")]);
        assert!(range_contains(Ecosystem::Npm, &r, "6.5.4"));
        assert!(range_contains(Ecosystem::Npm, &r, "0.0.1"));
        assert!(!range_contains(Ecosystem::Npm, &r, "6.5.5"));
    }

    /// A `limit` event caps the range: versions at or above it are not affected even though no
    /// `fixed` event closes the range.
    #[test]
    fn limit_caps_the_range() {
        let r = range("SEMVER", &[(Introduced, "1.0.0"), (Limit, "2.0.0")]);
        assert!(range_contains(Ecosystem::Go, &r, "1.5.0"));
        assert!(!range_contains(Ecosystem::Go, &r, "2.0.0"));
        assert!(!range_contains(Ecosystem::Go, &r, "3.0.0"));
        assert!(!range_contains(Ecosystem::Go, &r, "0.9.0"));
        let star = range("SEMVER", &[(Introduced, "1.0.0"), (Limit, "*")]);
        assert!(range_contains(Ecosystem::Go, &star, "9.0.0"));
    }

    /// An `introduced` with no closing event covers every later version (express GHSA-jj78).
    #[test]
    fn open_ended_range() {
        let r = range("ECOSYSTEM", &[(Introduced, "4.0.0")]);
        assert!(range_contains(Ecosystem::Npm, &r, "4.17.1"));
        assert!(range_contains(Ecosystem::Npm, &r, "99.0.0"));
        assert!(!range_contains(Ecosystem::Npm, &r, "3.9.9"));
    }

    /// An unreadable `fixed` bound is skipped and reported; the range stays open from
    /// `introduced: 0` (postcss GHSA-566m).
    #[test]
    fn unreadable_bound_widens_the_range() {
        let r = range("ECOSYSTEM", &[(Introduced, "0"), (Fixed, "7.0.36, 8.2.13")]);
        assert!(range_contains(Ecosystem::Npm, &r, "5.2.18"));
        assert!(range_contains(Ecosystem::Npm, &r, "8.4.0"));
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
        assert!(affected_entry(Ecosystem::CratesIo, &entry, "1.1.0"));
        assert!(!affected_entry(Ecosystem::CratesIo, &entry, "1.2.0"));
        let git_only = Affected {
            ranges: vec![range("GIT", &[(Introduced, "0")])],
            ..Affected::default()
        };
        assert!(!affected_entry(Ecosystem::CratesIo, &git_only, "1.1.0"));
    }

    /// Pre-release bounds order with pre-release precedence: RustSec's `0.3.1-0` is below
    /// `0.3.1-alpha`.
    #[test]
    fn prerelease_bounds() {
        let r = range("SEMVER", &[(Introduced, "0.3.1-0"), (Fixed, "0.3.4")]);
        assert!(range_contains(Ecosystem::CratesIo, &r, "0.3.1-alpha"));
        assert!(!range_contains(Ecosystem::CratesIo, &r, "0.3.0"));
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
            lowest_fix_above(Ecosystem::CratesIo, &entry, "2.2.0"),
            Some("2.2.3")
        );
        assert_eq!(
            lowest_fix_above(Ecosystem::CratesIo, &entry, "1.11.3"),
            Some("1.11.22")
        );
        assert_eq!(lowest_fix_above(Ecosystem::CratesIo, &entry, "3.0.0"), None);
    }
}
