//! crates.io: strict SemVer 2.0 (OSV `SEMVER` ranges; Cargo.lock always holds full versions).
//! Ordered by precedence, so build metadata is ignored: `1.0.0+build.2 == 1.0.0+build.10`.

use super::Semver;

/// Reads a strict SemVer version (surrounding whitespace tolerated, nothing else).
pub fn parse(s: &str) -> Option<Semver> {
    semver::Version::parse(s.trim()).ok().map(Semver)
}

#[cfg(test)]
mod tests {
    use std::cmp::Ordering::{Equal, Greater, Less};

    use faasguard_lockfile::Ecosystem;

    use crate::version::compare;

    fn cmp(a: &str, b: &str) -> Option<std::cmp::Ordering> {
        compare(Ecosystem::CratesIo, a, b)
    }

    /// SemVer precedence from the spec's own example chain, plus the rustsec `-0` bounds:
    /// `x.y.z-0` is the lowest pre-release of `x.y.z` and sorts below `-alpha` and the release.
    #[test]
    fn crates_io_semver_precedence_and_rustsec_zero_bounds() {
        let chain = [
            "0.0.0-0",
            "0.3.1-0",
            "0.3.1-alpha",
            "0.3.1-alpha.1",
            "0.3.1-alpha.beta",
            "0.3.1-beta",
            "0.3.1-beta.2",
            "0.3.1-beta.11",
            "0.3.1-rc.1",
            "0.3.1",
            "0.3.2",
            "1.0.0",
            "1.10.0",
        ];
        for pair in chain.windows(2) {
            assert_eq!(
                cmp(pair[0], pair[1]),
                Some(Less),
                "{} < {}",
                pair[0],
                pair[1]
            );
            assert_eq!(cmp(pair[1], pair[0]), Some(Greater));
        }
    }

    /// Build metadata is ignored (semver's own `Ord` would say `+build.2 < +build.10`).
    #[test]
    fn crates_io_build_metadata_is_ignored() {
        assert_eq!(cmp("1.0.0+build.2", "1.0.0+build.10"), Some(Equal));
        assert_eq!(cmp("1.0.0+build", "1.0.0"), Some(Equal));
    }

    /// Cargo versions are strict: short forms, a `v` prefix and leading zeros are not versions.
    #[test]
    fn crates_io_rejects_non_semver() {
        for bad in [
            "1.0",
            "v1.0.0",
            "01.0.0",
            "1.0.0-01",
            "",
            "0",
            "1.0.0 garbage",
        ] {
            assert_eq!(cmp(bad, bad), None, "{bad:?} must not parse");
        }
    }
}
