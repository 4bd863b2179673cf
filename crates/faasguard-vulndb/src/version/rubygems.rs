//! RubyGems: the `Gem::Version` order.
//!
//! - A version is digits, then `.`-separated runs of letters and digits; a `-` means
//!   `.pre.` (`1.0.0-rc1` is `1.0.0.pre.rc1`). Blank strings are not versions here.
//! - Segments are the maximal runs of digits (numbers) and of letters (strings), so `1.0.0.rc1`
//!   and `1.0.0rc1` both give `1 0 0 "rc" 1`.
//! - Any letter makes a pre-release: `1.0.0.rc1 < 1.0.0`.
//! - Trailing zeros are dropped from the numeric part and from the part after the first string
//!   (`1.2 == 1.2.0`, `1.0.a.0 == 1.0.a`).
//! - Segment by segment, a missing segment is 0; a string is below a number; strings compare
//!   byte-wise (case-sensitive, as Ruby does), numbers numerically.
//!
//! Checked pair by pair against RubyGems 3.3.15 (`Gem::Version#<=>`, `Gem::Version.correct?`).
//!
//! Gemfile.lock's platform suffix (`1.13.4-x86_64-linux`) is the lockfile parser's business:
//! here a `-` is always a pre-release marker.

use std::cmp::Ordering;

use super::Number;

/// A parsed gem version: its canonical segments.
#[derive(Debug, Clone)]
pub struct GemVersion {
    segments: Vec<Segment>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Num(Number),
    Str(Box<str>),
}

impl Segment {
    fn is_zero(&self) -> bool {
        matches!(self, Segment::Num(n) if n.is_zero())
    }
}

fn cmp_segments(a: &Segment, b: &Segment) -> Ordering {
    match (a, b) {
        (Segment::Num(x), Segment::Num(y)) => x.cmp(y),
        (Segment::Str(x), Segment::Str(y)) => x.as_bytes().cmp(y.as_bytes()),
        (Segment::Str(_), Segment::Num(_)) => Ordering::Less,
        (Segment::Num(_), Segment::Str(_)) => Ordering::Greater,
    }
}

/// Whether `s` has the shape `Gem::Version` accepts: digits first, then `.`-separated
/// alphanumeric parts, then an optional `-` part of alphanumerics, `-` and `.`.
fn well_formed(s: &str) -> bool {
    let (main, pre) = match s.split_once('-') {
        Some((main, pre)) => (main, Some(pre)),
        None => (s, None),
    };
    let mut parts = main.split('.');
    let first_ok = parts
        .next()
        .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    let rest_ok = parts.all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric()));
    let pre_ok = pre.is_none_or(|pre| {
        pre.split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
    });
    first_ok && rest_ok && pre_ok
}

/// Reads a gem version; `None` when `Gem::Version` would call it malformed, or when blank.
pub fn parse(s: &str) -> Option<GemVersion> {
    let s = s.trim();
    if !well_formed(s) {
        return None;
    }
    let mut segments = Vec::new();
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let digit = bytes[i].is_ascii_digit();
        if !bytes[i].is_ascii_alphanumeric() {
            if bytes[i] == b'-' {
                segments.push(Segment::Str("pre".into()));
            }
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len()
            && bytes[i].is_ascii_alphanumeric()
            && bytes[i].is_ascii_digit() == digit
        {
            i += 1;
        }
        let run = &s[start..i];
        segments.push(if digit {
            Segment::Num(Number::parse(run)?)
        } else {
            Segment::Str(run.into())
        });
    }
    // Canonical form: drop trailing zeros of the numeric part and of the rest, separately.
    let split = segments
        .iter()
        .position(|seg| matches!(seg, Segment::Str(_)))
        .unwrap_or(segments.len());
    let mut rest = segments.split_off(split);
    while segments.last().is_some_and(Segment::is_zero) {
        segments.pop();
    }
    while rest.last().is_some_and(Segment::is_zero) {
        rest.pop();
    }
    segments.append(&mut rest);
    Some(GemVersion { segments })
}

impl GemVersion {
    /// Whether any segment is a string (`Gem::Version#prerelease?`).
    pub fn is_prerelease(&self) -> bool {
        self.segments.iter().any(|s| matches!(s, Segment::Str(_)))
    }
}

impl Ord for GemVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        let zero = Segment::Num(Number::zero());
        for i in 0..self.segments.len().max(other.segments.len()) {
            let a = self.segments.get(i).unwrap_or(&zero);
            let b = other.segments.get(i).unwrap_or(&zero);
            let order = cmp_segments(a, b);
            if order != Ordering::Equal {
                return order;
            }
        }
        Ordering::Equal
    }
}

impl PartialOrd for GemVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for GemVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for GemVersion {}

#[cfg(test)]
mod tests {
    use std::cmp::Ordering::{Equal, Less};

    use faasguard_lockfile::Ecosystem;

    use crate::version::{compare, parse};

    fn cmp(a: &str, b: &str) -> Option<std::cmp::Ordering> {
        compare(Ecosystem::RubyGems, a, b)
    }

    fn assert_ascending(chain: &[&str]) {
        crate::version::assert_ascending(Ecosystem::RubyGems, chain);
    }

    /// Pre-releases (any letter) sort before their release; four-part security releases from
    /// the Rails advisories (`7.0.3.1`, `6.1.6.1`) sort between the patch releases.
    #[test]
    fn rubygems_prerelease_and_four_part_order() {
        assert_ascending(&[
            "1.0.0.a",
            "1.0.0.a1",
            "1.0.0.b1",
            "1.0.0.beta",
            "1.0.0.beta.2",
            "1.0.0.pre",
            "1.0.0.rc1",
            "1.0.0",
            "1.0.0.1",
            "1.0.1",
        ]);
        assert_ascending(&["2.0.9", "2.0.9.1", "2.0.10", "2.1", "2.1.4.1", "2.2"]);
        assert_ascending(&[
            "6.1.6", "6.1.6.1", "6.1.7", "6.1.7.1", "7.0.0", "7.0.3.1", "7.0.4.1",
        ]);
        assert_ascending(&["1.2", "1.13.4", "1.53.0"]);
        assert_ascending(&["7.0.0.alpha", "7.0.0.rc1", "7.0.0"]);
    }

    /// Trailing zeros are insignificant, `-` is `.pre.`, and letters are a segment of their own.
    #[test]
    fn rubygems_equal_spellings() {
        for (a, b) in [
            ("1.2", "1.2.0"),
            ("1.2", "1.2.0.0"),
            ("0", "0.0"),
            ("1.0.0.rc1", "1.0.0rc1"),
            ("1.0.0-rc1", "1.0.0.pre.rc1"),
            ("1.0.a.0", "1.0.a"),
            ("01.2", "1.2"),
            (" 1.2 ", "1.2"),
        ] {
            assert_eq!(cmp(a, b), Some(Equal), "{a} == {b}");
        }
        assert!(parse(Ecosystem::RubyGems, "1.0.0.rc1").is_some());
    }

    /// Strings compare case-sensitively, as Ruby does (`"RC1" < "rc1"` byte-wise).
    #[test]
    fn rubygems_strings_compare_bytewise() {
        assert_eq!(cmp("1.0.RC1", "1.0.rc1"), Some(Less));
        assert_eq!(cmp("1.0.a", "1.0.b"), Some(Less));
    }

    /// Malformed strings are refused, as `Gem::Version.correct?` refuses them.
    #[test]
    fn rubygems_rejects_malformed() {
        for bad in [
            "", "a1.0", "1..0", "1.0.", ".1", "1.0 beta", "1.0_1", "1.0-", "1.0,2.0",
        ] {
            assert_eq!(cmp(bad, bad), None, "{bad:?} must not parse");
        }
    }
}
