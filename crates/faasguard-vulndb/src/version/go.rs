//! Go modules and the Go toolchain (OSV `SEMVER` ranges without the `v`).
//!
//! - Module versions: strip the `v`, then strict SemVer precedence. `+incompatible` is build
//!   metadata, so it is ignored. Pseudo-versions (`v0.0.0-20191109021931-daa7c04131f5`,
//!   `vX.Y.Z-pre.0.yyyymmddhhmmss-hash`, `vX.Y.(Z+1)-0.yyyymmddhhmmss-hash`) are ordinary
//!   pre-releases and order by their fixed-width timestamps.
//! - `stdlib` / `toolchain` versions as written by go.mod and binaries: `go1.22`, `1.21`,
//!   `1.21rc2`, `go1.20beta1`. `1.21` and `1.21.0` are both `1.21.0`; `1.21rc2` is
//!   `1.21.0-rc.2` (the form golang/vulndb uses in its OSV ranges).

use super::Semver;

/// Reads a Go module or toolchain version.
pub fn parse(s: &str) -> Option<Semver> {
    let s = s.trim();
    if let Some(rest) = s.strip_prefix("go") {
        return toolchain(rest);
    }
    let bare = s.strip_prefix('v').unwrap_or(s);
    match semver::Version::parse(bare) {
        Ok(v) => Some(Semver(v)),
        Err(_) => toolchain(bare),
    }
}

/// `1.21`, `1.21.3`, `1.21rc2`, `1.20beta1` → SemVer. A lone number (`"0"`, OSV's "before
/// everything" sentinel) is not a toolchain version.
fn toolchain(s: &str) -> Option<Semver> {
    let split = s.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(s.len());
    let (numbers, pre) = s.split_at(split);
    let parts: Vec<&str> = numbers.split('.').collect();
    if !(2..=3).contains(&parts.len())
        || parts.iter().any(|p| {
            p.is_empty()
                || !p.bytes().all(|b| b.is_ascii_digit())
                || (p.len() > 1 && p.starts_with('0'))
        })
    {
        return None;
    }
    let mut text = format!(
        "{}.{}.{}",
        parts[0],
        parts.get(1).unwrap_or(&"0"),
        parts.get(2).unwrap_or(&"0")
    );
    if !pre.is_empty() {
        let digits = pre.find(|c: char| c.is_ascii_digit())?;
        let (word, n) = pre.split_at(digits);
        if !matches!(word, "alpha" | "beta" | "rc") || !n.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        text = format!("{text}-{word}.{n}");
    }
    semver::Version::parse(&text).ok().map(Semver)
}

#[cfg(test)]
mod tests {
    use std::cmp::Ordering::{Equal, Less};

    use faasguard_lockfile::Ecosystem;

    use crate::version::compare;

    fn cmp(a: &str, b: &str) -> Option<std::cmp::Ordering> {
        compare(Ecosystem::Go, a, b)
    }

    /// The `v` prefix is optional (go.mod has it, golang/vulndb OSV does not) and
    /// `+incompatible` is ignored.
    #[test]
    fn go_v_prefix_and_incompatible() {
        assert_eq!(cmp("v1.2.3", "1.2.3"), Some(Equal));
        assert_eq!(cmp("v2.0.0+incompatible", "2.0.0"), Some(Equal));
        assert_eq!(
            cmp("17.0.1+incompatible", "17.0.2+incompatible"),
            Some(Less)
        );
        assert_eq!(cmp("v1.9.9", "v2.0.0+incompatible"), Some(Less));
    }

    /// The three pseudo-version forms order before the release they precede, after the one
    /// they build on, and among themselves by timestamp (strings from the Go advisories).
    #[test]
    fn go_pseudo_versions_order_by_base_and_timestamp() {
        let chain = [
            "0.0.0-20191109021931-daa7c04131f5",
            "0.0.0-20200131131040-063a3fb69896",
            "0.1.0",
            "1.0.0-rc8.0.20190930145003-cad42f6e0932",
            "1.0.0-rc9",
            "1.0.0-rc9.0.20200122160610-2fc03cc11c77",
            "1.0.0-rc91",
            "1.0.0",
            "1.11.0-rc.1",
            "1.11.0-rc.1.0.20260511152149-cd7240c4099a",
            "1.11.0-rc.1.0.20260512123500-2a09fd62c238",
            "1.11.0",
            "1.11.1-0.20260101000000-abcdefabcdef",
            "1.11.1",
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
    }

    /// Toolchain forms: `go1.21` == `1.21.0`, `1.21rc2` == `1.21.0-rc.2`, and golang/vulndb's
    /// stdlib bounds `1.21.0-0` and `1.21.0-rc.4` order below the release.
    #[test]
    fn go_toolchain_versions() {
        assert_eq!(cmp("go1.21", "1.21.0"), Some(Equal));
        assert_eq!(cmp("1.21", "v1.21.0"), Some(Equal));
        assert_eq!(cmp("go1.22", "go1.22.0"), Some(Equal));
        assert_eq!(cmp("1.21rc2", "1.21.0-rc.2"), Some(Equal));
        assert_eq!(cmp("go1.20beta1", "1.20.0-beta.1"), Some(Equal));
        let chain = [
            "1.21.0-0",
            "go1.21rc2",
            "1.21.0-rc.4",
            "go1.21",
            "1.21.1",
            "go1.22",
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
    }

    /// Strings that are neither module nor toolchain versions are not read.
    #[test]
    fn go_rejects_junk() {
        for bad in [
            "",
            "0",
            "master",
            "1.2.3.4",
            "v01.2.3",
            "go1.21xx2",
            "1.21rc",
            "gov1.2.3",
        ] {
            assert_eq!(cmp(bad, bad), None, "{bad:?} must not parse");
        }
    }
}
