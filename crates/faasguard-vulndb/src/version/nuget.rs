//! NuGet: SemVer 2.0 extended with a fourth "revision" number, as NuGet's version rules define.
//!
//! - `Major[.Minor[.Patch[.Revision]]][-label(.label)*][+metadata]`; missing numbers are 0, so
//!   `1 == 1.0 == 1.0.0 == 1.0.0.0`. Leading zeros are normalised (`01.002` is `1.2`).
//! - A pre-release sorts before its release. Labels compare one by one: two numeric labels by
//!   value, a numeric label below an alphanumeric one, alphanumeric labels case-insensitively
//!   (`1.0.0-BETA == 1.0.0-beta`); with equal leading labels, fewer labels sort first.
//! - Build metadata is ignored. No `v` prefix (NuGet does not accept one).

use std::cmp::Ordering;

use super::Number;

/// A parsed NuGet version.
#[derive(Debug, Clone)]
pub struct NuGetVersion {
    numbers: [Number; 4],
    labels: Vec<Label>,
}

#[derive(Debug, Clone)]
enum Label {
    Num(Number),
    Text(Box<str>),
}

fn cmp_labels(a: &Label, b: &Label) -> Ordering {
    match (a, b) {
        (Label::Num(x), Label::Num(y)) => x.cmp(y),
        (Label::Num(_), Label::Text(_)) => Ordering::Less,
        (Label::Text(_), Label::Num(_)) => Ordering::Greater,
        (Label::Text(x), Label::Text(y)) => x
            .bytes()
            .map(|b| b.to_ascii_lowercase())
            .cmp(y.bytes().map(|b| b.to_ascii_lowercase())),
    }
}

fn identifier_ok(part: &str) -> bool {
    !part.is_empty() && part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// Reads a NuGet version.
pub fn parse(s: &str) -> Option<NuGetVersion> {
    let s = s.trim();
    let (rest, metadata) = match s.split_once('+') {
        Some((rest, metadata)) => (rest, Some(metadata)),
        None => (s, None),
    };
    if metadata.is_some_and(|m| !m.split('.').all(identifier_ok)) {
        return None;
    }
    let (core, pre) = match rest.split_once('-') {
        Some((core, pre)) => (core, Some(pre)),
        None => (rest, None),
    };
    let parts: Vec<&str> = core.split('.').collect();
    if !(1..=4).contains(&parts.len()) {
        return None;
    }
    let mut numbers = [
        Number::zero(),
        Number::zero(),
        Number::zero(),
        Number::zero(),
    ];
    for (slot, part) in numbers.iter_mut().zip(&parts) {
        *slot = Number::parse(part)?;
    }
    let mut labels = Vec::new();
    if let Some(pre) = pre {
        for part in pre.split('.') {
            if !identifier_ok(part) {
                return None;
            }
            labels.push(match Number::parse(part) {
                Some(n) => Label::Num(n),
                None => Label::Text(part.into()),
            });
        }
    }
    Some(NuGetVersion { numbers, labels })
}

impl NuGetVersion {
    /// Whether the version has a pre-release label.
    pub fn is_prerelease(&self) -> bool {
        !self.labels.is_empty()
    }
}

impl Ord for NuGetVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.numbers.cmp(&other.numbers).then_with(|| {
            match (self.labels.is_empty(), other.labels.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => {
                    for (a, b) in self.labels.iter().zip(&other.labels) {
                        let order = cmp_labels(a, b);
                        if order != Ordering::Equal {
                            return order;
                        }
                    }
                    self.labels.len().cmp(&other.labels.len())
                }
            }
        })
    }
}

impl PartialOrd for NuGetVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for NuGetVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for NuGetVersion {}

#[cfg(test)]
mod tests {
    use std::cmp::Ordering::Equal;

    use faasguard_lockfile::Ecosystem;

    use crate::version::compare;

    fn cmp(a: &str, b: &str) -> Option<std::cmp::Ordering> {
        compare(Ecosystem::NuGet, a, b)
    }

    fn assert_ascending(chain: &[&str]) {
        crate::version::assert_ascending(Ecosystem::NuGet, chain);
    }

    /// Short and padded forms, leading zeros, label case and build metadata do not change the
    /// version.
    #[test]
    fn nuget_equal_spellings() {
        for (a, b) in [
            ("1.0", "1.0.0"),
            ("1.0", "1.0.0.0"),
            ("1", "1.0.0.0"),
            ("01.002.03", "1.2.3"),
            ("1.0.0-BETA", "1.0.0-beta"),
            ("1.0.0-Beta.1", "1.0.0-beta.01"),
            ("1.0.0+build.5", "1.0.0"),
            ("1.0.0.0-rc.1+abc", "1.0.0-RC.1"),
        ] {
            assert_eq!(cmp(a, b), Some(Equal), "{a} == {b}");
        }
    }

    /// SemVer 2 order with the fourth number, from the NuGet advisories' bounds
    /// (Newtonsoft.Json `13.0.1`, System.Text.Json `8.0.4`, SharpZipLib `1.3.3`).
    #[test]
    fn nuget_order_with_revision_and_labels() {
        assert_ascending(&[
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "1.0.0.1",
            "1.0.1",
            "1.2.10",
            "1.3.3",
            "8.0.4",
            "13.0.1",
        ]);
        assert_ascending(&["4.0.0-preview1", "4.0.0-preview2", "4.0.0-rc1", "4.0.0"]);
        assert_ascending(&["2.1.7", "2.1.7.1", "2.1.7.10", "2.1.8"]);
    }

    /// Non-versions are refused: a `v` prefix, five numbers, empty parts, bad labels.
    #[test]
    fn nuget_rejects_junk() {
        for bad in [
            "",
            "v1.0.0",
            "1.0.0.0.0",
            "1..0",
            "1.0-",
            "1.0.0-beta..1",
            "1.0.0-be_ta",
            "1.0.0+",
            "[1.0,2.0)",
        ] {
            assert_eq!(cmp(bad, bad), None, "{bad:?} must not parse");
        }
    }
}
