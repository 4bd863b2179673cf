//! The OSV advisory schema (<https://ossf.github.io/osv-schema/>), read leniently: ecosystems,
//! range types and severity types are plain strings, so that a record naming an ecosystem or a
//! score type this crate does not know still loads (the `osv` crate's closed enums reject the
//! whole record). `null` is accepted wherever a list or an object is expected.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// Treats `null` like a missing field.
fn nullable<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// One OSV record.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Advisory {
    pub id: String,
    #[serde(default, deserialize_with = "nullable")]
    pub modified: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn: Option<String>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub aliases: Vec<String>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub related: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub severity: Vec<SeverityEntry>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub affected: Vec<Affected>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub references: Vec<Reference>,
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub database_specific: Value,
}

impl Advisory {
    /// Reads one record from JSON text.
    pub fn from_json(bytes: &[u8]) -> Result<Advisory, serde_json::Error> {
        let adv: Advisory = serde_json::from_slice(bytes)?;
        if adv.id.trim().is_empty() {
            return Err(serde::de::Error::custom("the record has an empty `id`"));
        }
        Ok(adv)
    }

    /// The GHSA label in the top-level `database_specific.severity` (`LOW`, `MODERATE`, `HIGH`,
    /// `CRITICAL`, any case), as a faasguard severity.
    pub fn database_severity(&self) -> Option<faasguard_core::Severity> {
        let label = self.database_specific.get("severity")?.as_str()?;
        ghsa_severity(label)
    }
}

/// A GHSA severity label (`LOW`, `MODERATE`, `HIGH`, `CRITICAL`, any case) as a faasguard severity.
pub fn ghsa_severity(label: &str) -> Option<faasguard_core::Severity> {
    use faasguard_core::Severity;
    match label.trim().to_ascii_uppercase().as_str() {
        "LOW" => Some(Severity::Low),
        "MODERATE" | "MEDIUM" => Some(Severity::Medium),
        "HIGH" => Some(Severity::High),
        "CRITICAL" => Some(Severity::Critical),
        _ => None,
    }
}

/// `severity[]`: a score type (`CVSS_V3`, `CVSS_V4`, …) and the vector.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SeverityEntry {
    #[serde(rename = "type", default, deserialize_with = "nullable")]
    pub kind: String,
    #[serde(default, deserialize_with = "nullable")]
    pub score: String,
}

/// `references[]`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Reference {
    #[serde(rename = "type", default, deserialize_with = "nullable")]
    pub kind: String,
    #[serde(default, deserialize_with = "nullable")]
    pub url: String,
}

/// `affected[]`: one package and the versions of it the advisory covers.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Affected {
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "PackageRef::is_empty"
    )]
    pub package: PackageRef,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub ranges: Vec<Range>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub versions: Vec<String>,
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub database_specific: Value,
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub ecosystem_specific: Value,
}

impl Affected {
    /// RustSec's `database_specific.informational` (`unmaintained`, `unsound`, `notice`).
    pub fn informational(&self) -> Option<&str> {
        self.database_specific
            .get("informational")?
            .as_str()
            .filter(|s| !s.is_empty())
    }

    /// RustSec's per-package `database_specific.cvss` vector.
    pub fn cvss(&self) -> Option<&str> {
        self.database_specific
            .get("cvss")?
            .as_str()
            .filter(|s| !s.is_empty())
    }
}

/// `affected[].package`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PackageRef {
    #[serde(default, deserialize_with = "nullable")]
    pub ecosystem: String,
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
}

impl PackageRef {
    /// No ecosystem, no name, no purl (the stored form, where the index names the package).
    pub fn is_empty(&self) -> bool {
        self.ecosystem.is_empty() && self.name.is_empty() && self.purl.is_none()
    }
}

/// `affected[].ranges[]`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Range {
    /// `SEMVER`, `ECOSYSTEM` or `GIT` (others are kept and never evaluated).
    #[serde(rename = "type", default, deserialize_with = "nullable")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repo: Option<String>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub events: Vec<Event>,
}

impl Range {
    /// Whether the matcher evaluates this range (`SEMVER` or `ECOSYSTEM`; `GIT` needs a
    /// repository and is skipped).
    pub fn is_version_range(&self) -> bool {
        matches!(self.kind.as_str(), "SEMVER" | "ECOSYSTEM")
    }
}

/// One event of a range. OSV writes each event as an object with one key; a malformed event
/// with several keys is read key by key by [`Event::kinds`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Event {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introduced: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_affected: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<String>,
}

/// What an event says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EventKind {
    Introduced,
    Fixed,
    LastAffected,
    Limit,
}

impl Event {
    /// Every (kind, version) pair this event holds (normally exactly one).
    pub fn kinds(&self) -> impl Iterator<Item = (EventKind, &str)> {
        [
            (EventKind::Introduced, &self.introduced),
            (EventKind::Fixed, &self.fixed),
            (EventKind::LastAffected, &self.last_affected),
            (EventKind::Limit, &self.limit),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.as_deref().map(|v| (k, v)))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use faasguard_core::Severity;

    use super::*;

    /// Unknown ecosystems and severity types, `null` lists and missing optional fields do not
    /// fail a record (the `osv` crate's closed enums would reject it whole).
    #[test]
    fn lenient_record() {
        let adv = Advisory::from_json(
            br#"{"id": "X-1", "modified": null, "aliases": null, "related": null,
                 "severity": [{"type": "UBUNTU", "score": "high"}, {"type": null, "score": null}],
                 "affected": [{"package": {"ecosystem": "Debian:12", "name": "openssl"},
                               "ranges": null, "versions": null,
                               "database_specific": {"informational": null}}],
                 "references": null, "schema_version": "9.9.9", "new_field": {"a": 1}}"#,
        )
        .unwrap();
        assert_eq!(adv.id, "X-1");
        assert!(adv.aliases.is_empty());
        assert_eq!(adv.severity[0].kind, "UBUNTU");
        assert_eq!(adv.affected[0].package.ecosystem, "Debian:12");
        assert_eq!(adv.affected[0].informational(), None);
        assert!(Advisory::from_json(br#"{"id": "  "}"#).is_err());
        assert!(Advisory::from_json(br#"{"id": "X", "affected": {}}"#).is_err());
    }

    /// GHSA labels map to faasguard severities in any case (`"moderate"` appears in lower case
    /// in GHSA-566m and GHSA-x5rq).
    #[test]
    fn ghsa_labels() {
        assert_eq!(ghsa_severity("moderate"), Some(Severity::Medium));
        assert_eq!(ghsa_severity("CRITICAL"), Some(Severity::Critical));
        assert_eq!(ghsa_severity("Low"), Some(Severity::Low));
        assert_eq!(ghsa_severity("unknown"), None);
    }

    /// RustSec keeps `informational` and `cvss` in the per-package `database_specific`.
    #[test]
    fn rustsec_database_specific() {
        let a: Affected = serde_json::from_str(
            r#"{"package": {"ecosystem": "crates.io", "name": "x"},
                "database_specific": {"informational": "unmaintained",
                  "cvss": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}}"#,
        )
        .unwrap();
        assert_eq!(a.informational(), Some("unmaintained"));
        assert!(a.cvss().is_some_and(|c| c.starts_with("CVSS:3.1")));
    }

    /// Each event yields its (kind, version) pairs; a malformed event with two keys yields both.
    #[test]
    fn event_kinds() {
        let e: Event = serde_json::from_str(r#"{"introduced": "1.0", "fixed": "2.0"}"#).unwrap();
        let kinds: Vec<_> = e.kinds().collect();
        assert_eq!(
            kinds,
            vec![(EventKind::Introduced, "1.0"), (EventKind::Fixed, "2.0")]
        );
    }
}
