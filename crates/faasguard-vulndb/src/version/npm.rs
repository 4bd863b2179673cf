//! npm: SemVer 2.0 precedence (GHSA `ECOSYSTEM` ranges are ordered as SemVer), read the way
//! node-semver's loose mode and osv-scanner read advisory strings:
//!
//! - surrounding whitespace and a leading run of `v`, `V`, `=` and spaces are dropped
//!   (`v1.2.3`, `=1.2.3`, `= v1.2.3`);
//! - missing minor and patch count as 0: GHSA writes `"1.0"` (node-fetch GHSA-r683) and `"4.0"`
//!   (bootstrap) for 1.0.0 and 4.0.0. (In an npm *range* `1.0` means `>=1.0.0 <1.1.0-0`; an OSV
//!   event is a single version, and the notes ask for missing parts to count as 0.)
//! - leading zeros in the three numbers and in numeric pre-release identifiers are tolerated
//!   (`01.2.3` = `1.2.3`, `1.0.0-beta.01` = `1.0.0-beta.1`), and a pre-release may follow the
//!   three numbers without its hyphen (`1.2.3beta` = `1.2.3-beta`), as in loose mode;
//! - pre-release order is SemVer's (`alpha.9 < alpha.10`, numeric < alphanumeric), a pre-release
//!   sorts before its release, build metadata is ignored.
//!
//! Checked against npm's bundled `semver` (`parse(…, {loose: true})` + `compare`): no
//! disagreement where both read a string; node's loose mode reads a few more oddities
//! (`1.2.3-`, `1.2.3007.rc`) that are refused here, and refuses the short forms read here.
//!
//! Anything else is not a version: `"7.0.36, 8.2.13"`, ranges, tags, URLs.

use super::Semver;

/// Reads an npm version leniently (see the module docs).
pub fn parse(s: &str) -> Option<Semver> {
    // Fast path: almost every lockfile and advisory string is already strict SemVer.
    if let Ok(v) = semver::Version::parse(s) {
        return Some(Semver(v));
    }
    let s = s
        .trim()
        .trim_start_matches(|c: char| c == 'v' || c == 'V' || c == '=' || c.is_whitespace());
    let end = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let (core, rest) = s.split_at(end);
    let parts: Vec<&str> = core.split('.').collect();
    if !(1..=3).contains(&parts.len()) {
        return None;
    }
    let mut numbers = Vec::with_capacity(3);
    for part in &parts {
        if part.is_empty() {
            return None;
        }
        numbers.push(part.parse::<u64>().ok()?);
    }
    // Loose mode: `1.2.3beta` is `1.2.3-beta` (only after all three numbers).
    let hyphenless = rest.starts_with(|c: char| c.is_ascii_alphabetic());
    if hyphenless && parts.len() != 3 {
        return None;
    }
    let (pre, build) = match rest.split_once('+') {
        Some((pre, build)) => (pre, Some(build)),
        None => (rest, None),
    };
    let pre = pre.strip_prefix('-').unwrap_or(pre);
    if !(rest.is_empty() || rest.starts_with(['-', '+']) || hyphenless) {
        return None;
    }
    numbers.resize(3, 0);
    let mut text = format!("{}.{}.{}", numbers[0], numbers[1], numbers[2]);
    if !pre.is_empty() || rest.starts_with('-') {
        text.push('-');
        // Loose mode: numeric identifiers may carry leading zeros (`-beta.01` is `-beta.1`).
        let identifiers: Vec<&str> = pre
            .split('.')
            .map(|id| {
                if id.len() > 1 && id.bytes().all(|b| b.is_ascii_digit()) {
                    let trimmed = id.trim_start_matches('0');
                    if trimmed.is_empty() { "0" } else { trimmed }
                } else {
                    id
                }
            })
            .collect();
        text.push_str(&identifiers.join("."));
    }
    if let Some(build) = build {
        text.push('+');
        text.push_str(build);
    }
    semver::Version::parse(&text).ok().map(Semver)
}

#[cfg(test)]
mod tests {
    use std::cmp::Ordering::{Equal, Less};

    use faasguard_lockfile::Ecosystem;

    use crate::version::compare;

    fn cmp(a: &str, b: &str) -> Option<std::cmp::Ordering> {
        compare(Ecosystem::Npm, a, b)
    }

    /// The pre-release bounds listed in the advisories' SOURCES.md, in SemVer precedence,
    /// including numeric identifiers compared as numbers (`alpha.7 < alpha.20`).
    #[test]
    fn npm_prerelease_precedence_from_ghsa_bounds() {
        let chain = [
            "0.9.0-beta.1",
            "0.9.0-beta.2",
            "0.9.0-beta.4",
            "0.10.0-beta",
            "0.10.0",
            "2.0.0-5",
            "2.0.0",
            "4.0.0-next.0",
            "4.0.0",
            "5.0.0-alpha.1",
            "5.0.0-beta.3",
            "5.0.0",
            "7.0.0-alpha.1",
            "7.0.0-alpha.20",
            "7.0.0-alpha.29",
            "7.0.0",
            "27.0.0-alpha.1",
            "27.0.0-alpha.7",
            "27.0.0-beta.1",
            "27.0.0-beta.2",
            "27.0.0",
        ];
        for pair in chain.windows(2) {
            assert_eq!(
                cmp(pair[0], pair[1]),
                Some(Less),
                "{} < {}",
                pair[0],
                pair[1]
            );
        }
        assert_eq!(cmp("1.0.0-alpha.9", "1.0.0-alpha.10"), Some(Less));
        assert_eq!(cmp("1.0.0-alpha.10", "1.0.0-alpha.beta"), Some(Less));
    }

    /// Short GHSA bounds (`"1.0"`, `"4.0"`) and loose prefixes read as full versions.
    #[test]
    fn npm_lenient_forms() {
        assert_eq!(cmp("1.0", "1.0.0"), Some(Equal));
        assert_eq!(cmp("4.0", "4.0.0"), Some(Equal));
        assert_eq!(cmp("4", "4.0.0"), Some(Equal));
        assert_eq!(cmp("v1.2.3", "1.2.3"), Some(Equal));
        assert_eq!(cmp("=1.2.3", "1.2.3"), Some(Equal));
        assert_eq!(cmp(" = v1.2.3 ", "1.2.3"), Some(Equal));
        assert_eq!(cmp("01.002.3", "1.2.3"), Some(Equal));
        assert_eq!(cmp("1.0-beta.1", "1.0.0"), Some(Less));
        assert_eq!(cmp("1.2.3+build.2", "1.2.3+build.10"), Some(Equal));
        assert_eq!(cmp("1.2.3beta", "1.2.3-beta"), Some(Equal));
        assert_eq!(cmp("1.0.0-beta.01", "1.0.0-beta.1"), Some(Equal));
        assert_eq!(cmp("1.0.0-beta.00", "1.0.0-beta.0"), Some(Equal));
    }

    /// The unparsable GHSA `fixed` values and other non-versions are refused, never truncated
    /// to their first version (nodejs-semver would read `"7.2.4, 6.11.4"` as 7.2.4).
    #[test]
    fn npm_rejects_lists_ranges_and_junk() {
        for bad in [
            "7.0.36, 8.2.13",
            "7.2.4, 6.11.4",
            "1.2.3 garbage",
            "^1.2.3",
            ">=1.0.0",
            "1.x",
            "latest",
            "1.2.3.4",
            "",
            "v",
            "1..2",
            "1.2.3-",
            "1.2beta",
            "1.2.3-a..b",
            "1.2.3_beta",
        ] {
            assert_eq!(cmp(bad, bad), None, "{bad:?} must not parse");
        }
    }
}
