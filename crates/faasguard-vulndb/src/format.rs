//! The on-disk format (`.fgdb`, little-endian):
//!
//! ```text
//! 0    8  magic "FGVULNDB"
//! 8    4  format version (1)
//! 12   8  total file length (a truncated file is caught at open)
//! 20   4  header length H
//! 24   4  index length I
//! 28   4  CRC-32 of the header and index bytes
//! 32   H  header: JSON (built_at, source, per-ecosystem counts)
//! 32+H I  index, sorted by (ecosystem, normalised name), one entry per package:
//!         ecosystem u8 | name length u16 | name | blob offset u64 | blob length u32 | blob CRC-32 u32
//! ...     body: one blob per package, raw DEFLATE of a JSON array of stored advisories
//! ```
//!
//! Opening reads only the fixed header, the header JSON and the index; a package's blob is read
//! with one seek and one read when that package is checked.
//!
//! The ecosystem code is the position in `Ecosystem::ALL`; the index is sorted by `Ecosystem`'s
//! `Ord`, which follows the same order. Reordering that enum, or changing the blob encoding
//! incompatibly, must bump [`FORMAT_VERSION`] (old files then fail with a clear "unsupported
//! format" error and are rebuilt by `db import` / `db update`). Adding optional fields to the
//! stored advisories does not: they are read with defaults.

use std::collections::BTreeMap;
use std::io::{Read, Write};

use faasguard_lockfile::Ecosystem;
use flate2::Compression;
use flate2::read::DeflateDecoder;
use flate2::write::DeflateEncoder;
use serde::{Deserialize, Serialize};

use crate::osv::Affected;
use crate::score::CvssScore;

pub(crate) const MAGIC: &[u8; 8] = b"FGVULNDB";
pub(crate) const FORMAT_VERSION: u32 = 1;
pub(crate) const FIXED_LEN: usize = 32;
/// The largest blob (one package's advisories, compressed) and its inflated size.
const MAX_BLOB: u32 = 64 << 20;
const MAX_INFLATED: u64 = 256 << 20;

/// Counts for one ecosystem.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct EcoStatus {
    /// Advisories naming at least one package of this ecosystem.
    pub advisories: usize,
    /// Distinct (normalised) package names with at least one advisory.
    pub packages: usize,
    /// The newest `modified` timestamp among those advisories, as written.
    pub newest_modified: Option<String>,
    /// Whether the source is the ecosystem's whole advisory set. A partial set (the bundled
    /// snapshot's GHSA sample for npm, Maven, NuGet, Packagist and RubyGems) cannot prove a
    /// package clean: [`crate::Database::check`] answers "not checked" when nothing matches.
    pub complete: bool,
    /// Range bounds that cannot be read under the ecosystem's version rules (skipped, which
    /// widens their ranges).
    #[serde(default)]
    pub unreadable_bounds: usize,
}

/// What `db status` shows.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Status {
    /// When the database was built, in seconds since the Unix epoch (UTC).
    pub built_at: u64,
    pub per_ecosystem: BTreeMap<Ecosystem, EcoStatus>,
    /// Where the advisories came from (paths, or the snapshot's provenance line).
    pub source: String,
}

impl Status {
    /// `built_at` as an RFC 3339 UTC timestamp.
    pub fn built_at_rfc3339(&self) -> String {
        rfc3339(self.built_at)
    }

    /// Whole days between `built_at` and `now` (seconds since the epoch); 0 when `now` is
    /// earlier.
    pub fn age_days(&self, now: u64) -> u64 {
        now.saturating_sub(self.built_at) / 86_400
    }
}

/// Seconds since the epoch as `YYYY-MM-DDTHH:MM:SSZ` (proleptic Gregorian, UTC).
pub fn rfc3339(secs: u64) -> String {
    faasguard_core::date::rfc3339_seconds(i64::try_from(secs).unwrap_or(i64::MAX / 2))
}

/// One advisory as stored for one package: the fields a finding needs, and the `affected`
/// entries naming that package (package, `ecosystem_specific` and unrelated
/// `database_specific` fields removed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Stored {
    pub id: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// `related` ids (similar, not duplicates).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<String>,
    /// The alias group (smallest advisory id of the union-find class) when not `id` itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cvss: Option<CvssScore>,
    /// GHSA `database_specific.severity`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub db_severity: Option<faasguard_core::Severity>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub refs: Vec<String>,
    pub affected: Vec<Affected>,
}

/// One index entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IndexEntry {
    pub ecosystem: Ecosystem,
    pub name: Box<str>,
    pub offset: u64,
    pub len: u32,
    pub crc: u32,
}

pub(crate) fn eco_code(e: Ecosystem) -> u8 {
    Ecosystem::ALL
        .iter()
        .position(|x| *x == e)
        .and_then(|p| u8::try_from(p).ok())
        .unwrap_or(u8::MAX)
}

fn eco_of_code(c: u8) -> Option<Ecosystem> {
    Ecosystem::ALL.get(usize::from(c)).copied()
}

/// Serialises a whole database. `packages` must be sorted by (ecosystem, name) — a `BTreeMap`
/// keyed that way is.
pub(crate) fn encode(
    status: &Status,
    packages: &BTreeMap<(Ecosystem, String), Vec<Stored>>,
) -> Result<Vec<u8>, String> {
    let header = serde_json::to_vec(status).map_err(|e| e.to_string())?;
    let mut index = Vec::new();
    let mut body = Vec::new();
    for ((eco, name), advisories) in packages {
        let json = serde_json::to_vec(advisories).map_err(|e| e.to_string())?;
        let mut enc = DeflateEncoder::new(Vec::new(), Compression::best());
        enc.write_all(&json).map_err(|e| e.to_string())?;
        let blob = enc.finish().map_err(|e| e.to_string())?;
        let name_len =
            u16::try_from(name.len()).map_err(|_| format!("package name too long: {name}"))?;
        let len = u32::try_from(blob.len()).map_err(|_| format!("blob too large: {name}"))?;
        index.push(eco_code(*eco));
        index.extend_from_slice(&name_len.to_le_bytes());
        index.extend_from_slice(name.as_bytes());
        index.extend_from_slice(&(body.len() as u64).to_le_bytes());
        index.extend_from_slice(&len.to_le_bytes());
        index.extend_from_slice(&crc32fast::hash(&blob).to_le_bytes());
        body.extend_from_slice(&blob);
    }
    let header_len = u32::try_from(header.len()).map_err(|_| "header too large".to_owned())?;
    let index_len = u32::try_from(index.len()).map_err(|_| "index too large".to_owned())?;
    let total = (FIXED_LEN + header.len() + index.len() + body.len()) as u64;
    let mut crc = crc32fast::Hasher::new();
    crc.update(&header);
    crc.update(&index);
    let mut out = Vec::with_capacity(usize::try_from(total).unwrap_or(0));
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&total.to_le_bytes());
    out.extend_from_slice(&header_len.to_le_bytes());
    out.extend_from_slice(&index_len.to_le_bytes());
    out.extend_from_slice(&crc.finalize().to_le_bytes());
    out.extend_from_slice(&header);
    out.extend_from_slice(&index);
    out.extend_from_slice(&body);
    Ok(out)
}

/// The fixed-size prefix, read first.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fixed {
    pub total: u64,
    pub header_len: u32,
    pub index_len: u32,
    pub crc: u32,
}

/// Why bytes are not a readable database.
#[derive(Debug)]
pub(crate) enum FormatError {
    NotADatabase,
    Version(u32),
    Corrupt(String),
}

fn le_u32(b: &[u8], at: usize) -> u32 {
    let mut a = [0u8; 4];
    if let Some(s) = b.get(at..at + 4) {
        a.copy_from_slice(s);
    }
    u32::from_le_bytes(a)
}

fn le_u64(b: &[u8], at: usize) -> u64 {
    let mut a = [0u8; 8];
    if let Some(s) = b.get(at..at + 8) {
        a.copy_from_slice(s);
    }
    u64::from_le_bytes(a)
}

pub(crate) fn read_fixed(b: &[u8], actual_len: u64) -> Result<Fixed, FormatError> {
    if b.len() < FIXED_LEN || &b[..8] != MAGIC {
        return Err(FormatError::NotADatabase);
    }
    let version = le_u32(b, 8);
    if version != FORMAT_VERSION {
        return Err(FormatError::Version(version));
    }
    let fixed = Fixed {
        total: le_u64(b, 12),
        header_len: le_u32(b, 20),
        index_len: le_u32(b, 24),
        crc: le_u32(b, 28),
    };
    if fixed.total != actual_len {
        return Err(FormatError::Corrupt(format!(
            "the file is {actual_len} bytes but its header says {} (truncated or overwritten)",
            fixed.total
        )));
    }
    let body_start = FIXED_LEN as u64 + u64::from(fixed.header_len) + u64::from(fixed.index_len);
    if body_start > actual_len {
        return Err(FormatError::Corrupt(
            "header and index lengths run past the end of the file".to_owned(),
        ));
    }
    Ok(fixed)
}

/// Reads the header JSON and the index (`meta` = header bytes followed by index bytes).
pub(crate) fn read_meta(
    fixed: &Fixed,
    meta: &[u8],
    body_len: u64,
) -> Result<(Status, Vec<IndexEntry>), FormatError> {
    if crc32fast::hash(meta) != fixed.crc {
        return Err(FormatError::Corrupt(
            "checksum mismatch in the header or index".to_owned(),
        ));
    }
    let hl = fixed.header_len as usize;
    let (header, index) = meta.split_at(hl.min(meta.len()));
    let status: Status =
        serde_json::from_slice(header).map_err(|e| FormatError::Corrupt(format!("header: {e}")))?;
    let mut entries = Vec::new();
    let mut at = 0usize;
    let bad = |what: &str| FormatError::Corrupt(format!("index: {what}"));
    while at < index.len() {
        let eco = *index.get(at).ok_or_else(|| bad("truncated entry"))?;
        let ecosystem = eco_of_code(eco).ok_or_else(|| bad("unknown ecosystem code"))?;
        let name_len = index
            .get(at + 1..at + 3)
            .map(|s| u16::from_le_bytes([s[0], s[1]]))
            .ok_or_else(|| bad("truncated entry"))? as usize;
        let name_start = at + 3;
        let name = index
            .get(name_start..name_start + name_len)
            .ok_or_else(|| bad("truncated name"))?;
        let name = std::str::from_utf8(name).map_err(|_| bad("name is not UTF-8"))?;
        let rest = name_start + name_len;
        if index.len() < rest + 16 {
            return Err(bad("truncated entry"));
        }
        let offset = le_u64(index, rest);
        let len = le_u32(index, rest + 8);
        let crc = le_u32(index, rest + 12);
        if len > MAX_BLOB || offset.saturating_add(u64::from(len)) > body_len {
            return Err(bad("a blob lies outside the file"));
        }
        let entry = IndexEntry {
            ecosystem,
            name: name.into(),
            offset,
            len,
            crc,
        };
        if let Some(prev) = entries.last()
            && key(prev) >= key(&entry)
        {
            return Err(bad("entries are not sorted"));
        }
        entries.push(entry);
        at = rest + 16;
    }
    Ok((status, entries))
}

fn key(e: &IndexEntry) -> (Ecosystem, &str) {
    (e.ecosystem, &e.name)
}

/// Decodes one blob (checked against its CRC first).
pub(crate) fn decode_blob(entry: &IndexEntry, blob: &[u8]) -> Result<Vec<Stored>, String> {
    if crc32fast::hash(blob) != entry.crc {
        return Err("checksum mismatch".to_owned());
    }
    let mut json = Vec::new();
    DeflateDecoder::new(blob)
        .take(MAX_INFLATED)
        .read_to_end(&mut json)
        .map_err(|e| format!("inflate: {e}"))?;
    serde_json::from_slice(&json).map_err(|e| format!("decode: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The epoch-seconds formatter gives RFC 3339 UTC, including leap days.
    #[test]
    fn rfc3339_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_795_000_000), "2026-11-18T11:06:40Z");
    }
}
