//! CycloneDX 1.6 JSON: the packages of a report as an SBOM, with the vulnerabilities that affect
//! them. Each package@version is one component (its locations as properties); each advisory is
//! one vulnerability entry with its ratings, aliases, fix and the components it affects. The
//! serial number is derived from the content, so the same report gives the same bytes.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io;

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::format::{Format, ReportError, Writer};
use crate::{Advisory, PackageEntry, Report};

/// Writes CycloneDX 1.6 JSON.
#[derive(Debug, Clone, Copy, Default)]
pub struct CycloneDxWriter;

/// `group` and `name` as CycloneDX splits them: Maven `g:a`, npm `@scope/name`, Packagist
/// `vendor/name`.
fn group_and_name(p: &PackageEntry) -> (Option<&str>, &str) {
    match p.ecosystem.as_str() {
        "Maven" => match p.name.split_once(':') {
            Some((g, a)) => (Some(g), a),
            None => (None, &p.name),
        },
        "npm" if p.name.starts_with('@') => match p.name.split_once('/') {
            Some((g, a)) => (Some(g), a),
            None => (None, &p.name),
        },
        "Packagist" => match p.name.split_once('/') {
            Some((g, a)) => (Some(g), a),
            None => (None, &p.name),
        },
        _ => (None, &p.name),
    }
}

fn scope(p: &PackageEntry) -> &'static str {
    match p.scope.as_str() {
        "dev" => "excluded",
        "optional" => "optional",
        _ => "required",
    }
}

fn location(p: &PackageEntry) -> String {
    match p.location.line {
        Some(line) => format!("{}:{line}", p.location.file),
        None => p.location.file.clone(),
    }
}

/// A version-5-shaped UUID from the SHA-256 of `seed`.
fn uuid_from(seed: &str) -> String {
    let digest = Sha256::digest(seed.as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let mut hex = String::with_capacity(36);
    for (i, byte) in b.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            hex.push('-');
        }
        let _ = write!(hex, "{byte:02x}");
    }
    format!("urn:uuid:{hex}")
}

fn rating(a: &Advisory) -> Value {
    let severity = match a.severity {
        faasguard_core::Severity::Critical => "critical",
        faasguard_core::Severity::High => "high",
        faasguard_core::Severity::Medium => "medium",
        faasguard_core::Severity::Low => "low",
        faasguard_core::Severity::Info => "info",
    };
    match &a.cvss {
        Some(c) => {
            let method = match c.version.as_str() {
                "3.0" => "CVSSv3",
                "4.0" => "CVSSv4",
                _ => "CVSSv31",
            };
            json!({"severity": severity, "score": c.score, "method": method, "vector": c.vector})
        }
        None => json!({"severity": severity, "method": "other"}),
    }
}

fn source_of(id: &str) -> Value {
    let (name, url) = if id.starts_with("CVE-") {
        ("NVD", format!("https://nvd.nist.gov/vuln/detail/{id}"))
    } else if id.starts_with("GHSA-") {
        ("GitHub", format!("https://github.com/advisories/{id}"))
    } else {
        ("OSV", format!("https://osv.dev/vulnerability/{id}"))
    };
    json!({"name": name, "url": url})
}

/// One vulnerability entry: the advisory, its ratings and aliases, the fix, what it affects.
fn vulnerability(a: &Advisory, affects: &[&str]) -> Value {
    let mut v = json!({
        "bom-ref": format!("vuln:{}", a.id),
        "id": a.id,
        "source": source_of(&a.id),
        "ratings": [rating(a)],
        "description": a.summary,
        "affects": affects.iter().map(|r| json!({"ref": r})).collect::<Vec<_>>(),
    });
    let Some(obj) = v.as_object_mut() else {
        return v;
    };
    if !a.aliases.is_empty() {
        obj.insert(
            "references".to_owned(),
            a.aliases
                .iter()
                .map(|id| json!({"id": id, "source": source_of(id)}))
                .collect(),
        );
    }
    if let Some(fixed) = &a.fixed {
        obj.insert(
            "recommendation".to_owned(),
            json!(format!("Upgrade to {fixed} or later.")),
        );
    }
    v
}

impl Writer for CycloneDxWriter {
    fn write(&self, report: &Report, out: &mut dyn io::Write) -> Result<(), ReportError> {
        // One component per purl; its locations in the order the report lists them.
        let mut components: BTreeMap<&str, (&PackageEntry, Vec<String>)> = BTreeMap::new();
        for p in &report.packages {
            components
                .entry(p.purl.as_str())
                .or_insert_with(|| (p, Vec::new()))
                .1
                .push(location(p));
        }
        // One vulnerability per advisory id, affecting every component it was found in.
        let mut vulns: BTreeMap<&str, (&Advisory, Vec<&str>)> = BTreeMap::new();
        for p in &report.packages {
            for a in &p.advisories {
                let entry = vulns
                    .entry(a.id.as_str())
                    .or_insert_with(|| (a, Vec::new()));
                if !entry.1.contains(&p.purl.as_str()) {
                    entry.1.push(p.purl.as_str());
                }
            }
        }
        let components_json: Vec<Value> = components
            .iter()
            .map(|(purl, (p, locations))| {
                let (group, name) = group_and_name(p);
                let mut props = vec![
                    json!({"name": "faasguard:ecosystem", "value": p.ecosystem}),
                    json!({"name": "faasguard:origin", "value": p.origin}),
                ];
                if let Some(direct) = p.direct {
                    props.push(json!({"name": "faasguard:direct", "value": direct.to_string()}));
                }
                for loc in locations {
                    props.push(json!({"name": "faasguard:location", "value": loc}));
                }
                let mut c = json!({
                    "type": "library",
                    "bom-ref": purl,
                    "name": name,
                    "version": p.version,
                    "purl": purl,
                    "scope": scope(p),
                    "properties": props,
                });
                if let (Some(group), Some(obj)) = (group, c.as_object_mut()) {
                    obj.insert("group".to_owned(), json!(group));
                }
                c
            })
            .collect();
        let vulns_json: Vec<Value> = vulns
            .values()
            .map(|(a, affects)| vulnerability(a, affects))
            .collect();
        let seed: String = components.keys().copied().collect::<Vec<_>>().join("\n");
        let bom = json!({
            "bomFormat": "CycloneDX",
            "specVersion": "1.6",
            "serialNumber": uuid_from(&seed),
            "version": 1,
            "metadata": {
                "tools": {"components": [{
                    "type": "application",
                    "name": report.tool.name,
                    "version": report.tool.version,
                }]},
            },
            "components": components_json,
            "vulnerabilities": vulns_json,
        });
        serde_json::to_writer_pretty(&mut *out, &bom)
            .map_err(ReportError::json(Format::CycloneDx))?;
        out.write_all(b"\n")
            .map_err(ReportError::io(Format::CycloneDx))?;
        Ok(())
    }
}
