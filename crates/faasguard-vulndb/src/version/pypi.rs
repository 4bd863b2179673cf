//! PyPI: PEP 440 through `pep440_rs` (epochs, pre/post/dev releases, local versions,
//! normalisation of spellings and separators, `2.2 == 2.2.0`).
//!
//! Legacy fallback (decided per the notes, section 4.1 item 6 and section 5): a string that is
//! not PEP 440 (`"0.3.2d"`, `"3.0.0b3-"`, `"trunk"`) has no place in the PEP 440 order, so
//! [`crate::version::parse`] refuses it and [`crate::version::compare`] answers `None` against
//! any PEP 440 version (the matcher skips that bound, or reports the package "not checked").
//! Two legacy strings compare `Equal` when they are the same string after trimming and
//! lower-casing, so an installed legacy version is still found in an advisory's explicit
//! `versions` list. No invented order between different legacy strings: packaging's old
//! `LegacyVersion` put them all before every PEP 440 version, which would silently decide
//! ranges on a guess.

use std::cmp::Ordering;
use std::str::FromStr;

/// Reads a PEP 440 version.
pub fn parse(s: &str) -> Option<pep440_rs::Version> {
    pep440_rs::Version::from_str(s.trim()).ok()
}

/// The legacy fallback: `Some(Equal)` for two identical (trimmed, case-insensitive) non-empty
/// strings, `None` otherwise.
pub fn legacy_equal(a: &str, b: &str) -> Option<Ordering> {
    let (a, b) = (a.trim(), b.trim());
    (!a.is_empty() && a.len() <= super::MAX_VERSION_LEN && a.eq_ignore_ascii_case(b))
        .then_some(Ordering::Equal)
}

#[cfg(test)]
mod tests {
    use std::cmp::Ordering::{Equal, Less};

    use faasguard_lockfile::Ecosystem;

    use crate::version::{compare, parse};

    fn cmp(a: &str, b: &str) -> Option<std::cmp::Ordering> {
        compare(Ecosystem::PyPI, a, b)
    }

    /// The PEP 440 order measured in the notes:
    /// `dev < a < b < rc < final < +local < post < next epoch`.
    #[test]
    fn pypi_pep440_order() {
        let chain = [
            "1.0.dev0",
            "1.0a1",
            "1.0a2.dev1",
            "1.0a2",
            "1.0b1",
            "1.0rc1",
            "1.0",
            "1.0+local",
            "1.0.post1.dev0",
            "1.0.post1",
            "1.1",
            "2.1.10",
            "2.2",
            "2.2.3",
            "1!0.1",
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

    /// Trailing zeros and spelling variants are the same version: django's `2.2.0` matches the
    /// `"2.2"` in the advisories' `versions` lists.
    #[test]
    fn pypi_equivalent_spellings() {
        for (a, b) in [
            ("2.2.0", "2.2"),
            ("2.2", "2.2.0.0"),
            ("1.0alpha1", "1.0a1"),
            ("1.0-beta.2", "1.0b2"),
            ("1.0c1", "1.0rc1"),
            ("1.0preview1", "1.0rc1"),
            ("1.0-1", "1.0.post1"),
            ("1.0rev1", "1.0.post1"),
            ("v1.0", "1.0"),
            ("1.0.DEV0", "1.0.dev0"),
            ("0!1.0", "1.0"),
            (" 1.4.2 ", "1.4.2"),
        ] {
            assert_eq!(cmp(a, b), Some(Equal), "{a} == {b}");
        }
    }

    /// Legacy strings found in pypa data: not ordered against PEP 440 versions, equal only to
    /// themselves (case-insensitively), and not returned by `parse`.
    #[test]
    fn pypi_legacy_fallback_is_equality_only() {
        for legacy in ["0.3.2d", "3.0.0b3-", "trunk", "0.2.0-n653", "2019-09-12x"] {
            assert!(parse(Ecosystem::PyPI, legacy).is_none(), "{legacy}");
            assert_eq!(cmp(legacy, legacy), Some(Equal), "{legacy}");
            assert_eq!(cmp(legacy, "1.0"), None, "{legacy}");
            assert_eq!(cmp("1.0", legacy), None, "{legacy}");
        }
        assert_eq!(cmp("TRUNK", "trunk"), Some(Equal));
        assert_eq!(cmp("0.3.2d", "0.3.2f"), None);
        assert_eq!(cmp("", ""), None);
    }
}
