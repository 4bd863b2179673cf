//! Version order per ecosystem.
//!
//! [`compare`] is the entry point the matcher uses: it answers `None` when either version cannot
//! be read under the ecosystem's rules, so that the caller reports "not checked" instead of
//! guessing. [`parse`] gives a parsed [`Version`] (totally ordered) so that one package version can
//! be read once and compared against many advisory bounds.
//!
//! | ecosystem | rules | module |
//! |---|---|---|
//! | crates.io | strict SemVer 2.0 precedence (`semver`, build metadata ignored) | [`crates_io`] |
//! | Go | SemVer after stripping `v`; `+incompatible` ignored; pseudo-versions; `go1.21rc2` toolchain forms | [`go`] |
//! | npm | SemVer with node-semver's loose prefix (`v`, `=`, spaces), missing minor/patch count as 0 | [`npm`] |
//! | PyPI | PEP 440 (`pep440_rs`); legacy strings are equal only to themselves | [`pypi`] |
//! | Maven | `ComparableVersion` (items, sub-lists at `-` and digit/letter transitions, qualifiers) | [`maven`] |
//! | RubyGems | `Gem::Version` (segments, letters make a pre-release, trailing zeros ignored) | [`rubygems`] |
//! | NuGet | NuGet SemVer (4 parts, case-insensitive labels, leading zeros normalised) | [`nuget`] |
//! | Packagist | composer's normalisation (4 parts, `dev < alpha < beta < RC < stable < patch`) | [`packagist`] |
//!
//! Maven, RubyGems, Packagist, npm and PyPI were checked pair by pair against the reference
//! implementations (`maven-artifact` 3.8.7, RubyGems 3.3.15, composer/semver 3.3.2 with PHP
//! `version_compare`, npm's `semver` in loose mode, Python `packaging` 23.2); the module docs
//! say what differs. NuGet follows NuGet's documented rules (no reference implementation here).
//!
//! The OSV sentinel `introduced: "0"` ("before every version") is the matcher's business: some
//! ecosystems read `"0"` as an ordinary version (npm `0.0.0`, PyPI `0`), strict SemVer does not.

use std::cmp::Ordering;

use faasguard_lockfile::Ecosystem;

pub mod crates_io;
pub mod go;
pub mod maven;
pub mod npm;
pub mod nuget;
pub mod packagist;
pub mod pypi;
pub mod rubygems;

/// Longest version string read at all; longer input is "cannot be read" (bounds the work per
/// string; real versions are far shorter).
pub const MAX_VERSION_LEN: usize = 256;

/// A version parsed under one ecosystem's rules.
///
/// Versions of the same ecosystem order by that ecosystem's rules; equality is the ecosystem's
/// equivalence (`2.2 == 2.2.0` in PyPI, `5.2.20.RELEASE == 5.2.20` in Maven), not string equality.
/// Versions of different ecosystems never meet in the matcher; if they do, they order by ecosystem
/// first so that the order stays total.
#[derive(Debug, Clone)]
pub enum Version {
    CratesIo(Semver),
    Go(Semver),
    Npm(Semver),
    PyPI(pep440_rs::Version),
    Maven(maven::MavenVersion),
    RubyGems(rubygems::GemVersion),
    NuGet(nuget::NuGetVersion),
    Packagist(packagist::ComposerVersion),
}

impl Version {
    /// The ecosystem whose rules read this version.
    pub fn ecosystem(&self) -> Ecosystem {
        match self {
            Version::CratesIo(_) => Ecosystem::CratesIo,
            Version::Go(_) => Ecosystem::Go,
            Version::Npm(_) => Ecosystem::Npm,
            Version::PyPI(_) => Ecosystem::PyPI,
            Version::Maven(_) => Ecosystem::Maven,
            Version::RubyGems(_) => Ecosystem::RubyGems,
            Version::NuGet(_) => Ecosystem::NuGet,
            Version::Packagist(_) => Ecosystem::Packagist,
        }
    }

    fn rank(&self) -> u8 {
        match self {
            Version::CratesIo(_) => 0,
            Version::Go(_) => 1,
            Version::Npm(_) => 2,
            Version::PyPI(_) => 3,
            Version::Maven(_) => 4,
            Version::RubyGems(_) => 5,
            Version::NuGet(_) => 6,
            Version::Packagist(_) => 7,
        }
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Version::CratesIo(a), Version::CratesIo(b))
            | (Version::Go(a), Version::Go(b))
            | (Version::Npm(a), Version::Npm(b)) => a.cmp(b),
            (Version::PyPI(a), Version::PyPI(b)) => a.cmp(b),
            (Version::Maven(a), Version::Maven(b)) => a.cmp(b),
            (Version::RubyGems(a), Version::RubyGems(b)) => a.cmp(b),
            (Version::NuGet(a), Version::NuGet(b)) => a.cmp(b),
            (Version::Packagist(a), Version::Packagist(b)) => a.cmp(b),
            _ => self.rank().cmp(&other.rank()),
        }
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Version {}

/// Reads `s` under the rules of `ecosystem`, or `None` when it is not a version there.
///
/// PyPI legacy (non-PEP 440) strings give `None` here; [`compare`] still answers `Equal` for two
/// identical legacy strings (see [`pypi`]).
pub fn parse(ecosystem: Ecosystem, s: &str) -> Option<Version> {
    if s.len() > MAX_VERSION_LEN {
        return None;
    }
    Some(match ecosystem {
        Ecosystem::CratesIo => Version::CratesIo(crates_io::parse(s)?),
        Ecosystem::Go => Version::Go(go::parse(s)?),
        Ecosystem::Npm => Version::Npm(npm::parse(s)?),
        Ecosystem::PyPI => Version::PyPI(pypi::parse(s)?),
        Ecosystem::Maven => Version::Maven(maven::parse(s)?),
        Ecosystem::RubyGems => Version::RubyGems(rubygems::parse(s)?),
        Ecosystem::NuGet => Version::NuGet(nuget::parse(s)?),
        Ecosystem::Packagist => Version::Packagist(packagist::parse(s)?),
    })
}

/// Orders two versions of one ecosystem, or `None` when either cannot be read under that
/// ecosystem's rules.
pub fn compare(ecosystem: Ecosystem, a: &str, b: &str) -> Option<Ordering> {
    match (parse(ecosystem, a), parse(ecosystem, b)) {
        (Some(a), Some(b)) => Some(a.cmp(&b)),
        (None, None) if ecosystem == Ecosystem::PyPI => pypi::legacy_equal(a, b),
        _ => None,
    }
}

/// A SemVer 2.0 version ordered by precedence: build metadata is ignored by both order and
/// equality (`semver::Version`'s own `Ord` compares build metadata, which OSV must not).
#[derive(Debug, Clone)]
pub struct Semver(pub semver::Version);

impl Ord for Semver {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.cmp_precedence(&other.0)
    }
}

impl PartialOrd for Semver {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Semver {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Semver {}

/// A non-negative integer of any size, kept as its decimal digits without leading zeros
/// (`"0"` for zero), ordered numerically. Maven, RubyGems and NuGet numbers are unbounded in
/// their reference implementations (BigInteger, Ruby integers), so no `u64` overflow here.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Number(Box<str>);

impl Number {
    /// Reads a run of ASCII digits; `None` if empty or not all digits.
    pub fn parse(digits: &str) -> Option<Number> {
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let trimmed = digits.trim_start_matches('0');
        Some(Number(
            if trimmed.is_empty() { "0" } else { trimmed }.into(),
        ))
    }

    /// Zero.
    pub fn zero() -> Number {
        Number("0".into())
    }

    pub fn is_zero(&self) -> bool {
        &*self.0 == "0"
    }
}

impl Ord for Number {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0
            .len()
            .cmp(&other.0.len())
            .then_with(|| self.0.cmp(&other.0))
    }
}

impl PartialOrd for Number {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Asserts that `chain` is in strictly ascending order under `ecosystem`'s rules, pair by pair
/// and in both directions (the table tests of every ecosystem use it).
#[cfg(test)]
pub(crate) fn assert_ascending(ecosystem: Ecosystem, chain: &[&str]) {
    for (i, low) in chain.iter().enumerate() {
        for high in &chain[i + 1..] {
            assert_eq!(
                compare(ecosystem, low, high),
                Some(Ordering::Less),
                "{low} < {high}"
            );
            assert_eq!(
                compare(ecosystem, high, low),
                Some(Ordering::Greater),
                "{high} > {low}"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Numbers of any size order numerically, and leading zeros do not count.
    #[test]
    fn number_orders_numerically_without_overflow() {
        let n = |s: &str| Number::parse(s).unwrap_or_else(Number::zero);
        assert!(n("9") < n("10"));
        assert_eq!(n("007"), n("7"));
        assert_eq!(n("000"), Number::zero());
        assert!(n("99999999999999999999999999") < n("100000000000000000000000000"));
        assert!(Number::parse("").is_none());
        assert!(Number::parse("1a").is_none());
    }

    /// Versions from different ecosystems still have a total order (ecosystem first), and a
    /// string longer than the cap is not read at all.
    #[test]
    fn cross_ecosystem_order_is_total_and_long_input_is_refused() {
        let npm = parse(Ecosystem::Npm, "9.9.9");
        let cargo = parse(Ecosystem::CratesIo, "0.0.1");
        assert!(npm.is_some() && cargo.is_some());
        assert!(cargo < npm);
        assert_eq!(
            parse(Ecosystem::Npm, "1.0.0").map(|v| v.ecosystem()),
            Some(Ecosystem::Npm)
        );
        let long = format!("1.0.0-{}", "a".repeat(MAX_VERSION_LEN));
        assert!(parse(Ecosystem::Npm, &long).is_none());
        assert_eq!(compare(Ecosystem::Npm, &long, &long), None);
    }

    /// `compare` answers `None` as soon as one side cannot be read.
    #[test]
    fn compare_is_none_when_one_side_is_unreadable() {
        assert_eq!(compare(Ecosystem::Npm, "7.0.36, 8.2.13", "7.0.0"), None);
        assert_eq!(compare(Ecosystem::CratesIo, "1.0.0", "1.0"), None);
        assert_eq!(
            compare(Ecosystem::CratesIo, "1.0.0", "1.0.1"),
            Some(Ordering::Less)
        );
    }
}
