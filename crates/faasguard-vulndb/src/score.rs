//! CVSS vectors to base scores and levels (through the `cvss` crate, v3.0, v3.1 and v4.0). A
//! vector that does not parse (an empty `score`, a trailing `/`) keeps its raw text with no
//! score; it never fails the record.

use std::str::FromStr;

use faasguard_core::Severity;
use serde::{Deserialize, Serialize};

use crate::osv::SeverityEntry;

/// One CVSS vector and, when it parses, its base score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CvssScore {
    /// The vector as the advisory writes it.
    pub vector: String,
    /// The base score (0.0–10.0), or `None` when the vector does not parse.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// `"3.0"`, `"3.1"`, `"4.0"`, or the advisory's type (`CVSS_V3`) when the vector does not
    /// say.
    pub version: String,
}

impl CvssScore {
    /// Scores a vector. `kind` is the OSV severity type, used for [`CvssScore::version`] when
    /// the vector has no readable `CVSS:x.y` prefix.
    pub fn parse(kind: &str, vector: &str) -> CvssScore {
        let trimmed = vector.trim();
        let version = trimmed
            .strip_prefix("CVSS:")
            .and_then(|rest| rest.split('/').next())
            .filter(|v| !v.is_empty())
            .map_or_else(|| kind.to_owned(), str::to_owned);
        let score = cvss::Cvss::from_str(trimmed)
            .ok()
            .map(|c| c.score())
            .filter(|s| s.is_finite() && (0.0..=10.0).contains(s));
        CvssScore {
            vector: vector.to_owned(),
            score,
            version,
        }
    }

    /// The CVSS qualitative rating of the score (v3 and v4 share the scale); `None` without a
    /// score. A 0.0 score ("none") maps to [`Severity::Info`].
    pub fn severity(&self) -> Option<Severity> {
        self.score.map(severity_of_score)
    }
}

/// The CVSS v3/v4 qualitative rating scale.
pub fn severity_of_score(score: f64) -> Severity {
    if score >= 9.0 {
        Severity::Critical
    } else if score >= 7.0 {
        Severity::High
    } else if score >= 4.0 {
        Severity::Medium
    } else if score > 0.0 {
        Severity::Low
    } else {
        Severity::Info
    }
}

/// The preferred vector of an advisory: a scoring CVSS v3 vector first (most policies are
/// calibrated on v3), then a scoring v4 vector, then the first CVSS vector at all (kept raw).
/// `extra` carries vectors found elsewhere (RustSec's per-package `database_specific.cvss`).
pub fn preferred(entries: &[SeverityEntry], extra: &[&str]) -> Option<CvssScore> {
    let mut all: Vec<CvssScore> = entries
        .iter()
        .filter(|e| e.kind.starts_with("CVSS") && !e.score.trim().is_empty())
        .map(|e| CvssScore::parse(&e.kind, &e.score))
        .collect();
    all.extend(
        extra
            .iter()
            .filter(|v| !v.trim().is_empty())
            .map(|v| CvssScore::parse("CVSS", v)),
    );
    let rank = |c: &CvssScore| match (c.score.is_some(), c.version.starts_with('3')) {
        (true, true) => 0,
        (true, false) => 1,
        (false, _) => 2,
    };
    all.into_iter().min_by_key(rank)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A CVSS 3.1 vector gets its base score (postcss GHSA-566m: A:L only → 5.3, medium).
    #[test]
    fn v31_scores() {
        let c = CvssScore::parse("CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L");
        assert_eq!(c.score, Some(5.3));
        assert_eq!(c.version, "3.1");
        assert_eq!(c.severity(), Some(Severity::Medium));
        let crit = CvssScore::parse("CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H");
        assert_eq!(crit.score, Some(10.0));
        assert_eq!(crit.severity(), Some(Severity::Critical));
    }

    /// The oddities of GHSA-cqmj (`score: ""`) and GHSA-pc5p (a trailing `/`) keep the raw
    /// text and never panic; an empty score is not a vector at all.
    #[test]
    fn malformed_vectors_are_kept_raw() {
        let trailing = CvssScore::parse("CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/");
        assert_eq!(
            trailing.vector,
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/"
        );
        assert_eq!(trailing.version, "3.1");
        let junk = CvssScore::parse("CVSS_V3", "not a vector");
        assert_eq!(junk.score, None);
        assert_eq!(junk.version, "CVSS_V3");
        let empty = [SeverityEntry {
            kind: "CVSS_V3".into(),
            score: String::new(),
        }];
        assert_eq!(preferred(&empty, &[]), None);
    }

    /// A CVSS v4-only advisory (rollup GHSA-gcx4) is scored through v4.
    #[test]
    fn v4_scores() {
        let c = CvssScore::parse(
            "CVSS_V4",
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
        );
        assert_eq!(c.version, "4.0");
        assert_eq!(c.score, Some(9.3));
        assert_eq!(c.severity(), Some(Severity::Critical));
    }

    /// With both v3 and v4 vectors, the scoring v3 vector is preferred; an unscorable vector
    /// loses to any scorable one.
    #[test]
    fn preference_order() {
        let entries = [
            SeverityEntry {
                kind: "CVSS_V4".into(),
                score: "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N".into(),
            },
            SeverityEntry {
                kind: "CVSS_V3".into(),
                score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L".into(),
            },
        ];
        assert_eq!(
            preferred(&entries, &[]).map(|c| c.version),
            Some("3.1".into())
        );
        let best = preferred(&entries[..1], &["garbage"]);
        assert_eq!(best.map(|c| c.version), Some("4.0".into()));
    }
}
