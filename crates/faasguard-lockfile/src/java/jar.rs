//! Jars: the `META-INF/maven/<group>/<artifact>/pom.properties` Maven writes into every jar it
//! builds names the artifact and its version. Spring Boot fat jars (`BOOT-INF/lib/*.jar`),
//! WARs (`WEB-INF/lib/*.jar`) and shaded or Lambda-layer jars (`lib/*.jar`) carry further jars
//! inside: those are opened too, within bounds.
//!
//! Two ways in: the engine's code walk opens archives itself and hands each entry over, so a
//! `…x.jar!/META-INF/maven/g/a/pom.properties` entry reaches [`parse_pom_properties`]; a
//! caller holding a whole jar's bytes uses [`parse_jar`]. Jars without `pom.properties` (not
//! built by Maven, or with the descriptor stripped) give no packages: guessing coordinates from
//! a file name (`foo-1.2.jar`) has no group id to match advisories by.

use std::io::{Cursor, Read};

use super::package;
use crate::{Origin, Package, ParseError, Scope};

/// Jars nested this deep at most (the jar itself is depth 1).
const MAX_DEPTH: usize = 3;
/// Entries looked at in one jar and all jars inside it.
const MAX_ENTRIES: usize = 100_000;
/// Bytes decompressed from nested jars, in all.
const MAX_NESTED_TOTAL: u64 = 512 << 20;
/// Largest single nested jar read.
const MAX_NESTED_JAR: u64 = 128 << 20;
/// Largest `pom.properties` read.
const MAX_PROPERTIES: u64 = 64 << 10;

const MAVEN_DIR: &str = "META-INF/maven/";

/// `…META-INF/maven/<group>/<artifact>/pom.properties`.
pub(super) fn is_pom_properties(path: &str) -> bool {
    let Some(i) = path.rfind(MAVEN_DIR) else {
        return false;
    };
    let parts: Vec<&str> = path[i + MAVEN_DIR.len()..].split('/').collect();
    matches!(parts.as_slice(), [g, a, "pom.properties"] if !g.is_empty() && !a.is_empty())
}

fn is_jar_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [".jar", ".war", ".ear"].iter().any(|s| lower.ends_with(s))
}

/// A jar, WAR or EAR by name whose bytes start like a zip.
pub(super) fn claims(path: &str, head: &[u8]) -> bool {
    is_jar_name(crate::file_name(path)) && (head.starts_with(b"PK\x03\x04") || head.is_empty())
}

/// Reads a `pom.properties` (Java properties: `key=value`, `key: value`, `#`/`!`
/// comments). `groupId`, `artifactId` and `version` are required.
pub(super) fn parse_pom_properties(path: &str, bytes: &[u8]) -> Result<Vec<Package>, ParseError> {
    let text = String::from_utf8_lossy(bytes);
    let (mut group, mut artifact, mut version) = (None, None, None);
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_start();
        if line.is_empty() || line.starts_with(['#', '!']) {
            continue;
        }
        let Some(sep) = line.find(['=', ':']) else {
            continue;
        };
        let (key, value) = (line[..sep].trim(), line[sep + 1..].trim());
        let line_no = u32::try_from(i + 1).unwrap_or(u32::MAX);
        match key {
            "groupId" => group = Some(value.to_owned()),
            "artifactId" => artifact = Some(value.to_owned()),
            "version" => version = Some((value.to_owned(), line_no)),
            _ => {}
        }
    }
    let (Some(group), Some(artifact), Some((version, line))) = (group, artifact, version) else {
        return Err(ParseError::new(
            "pom.properties without groupId, artifactId and version",
        ));
    };
    if group.is_empty() || artifact.is_empty() || version.is_empty() {
        return Err(ParseError::new("pom.properties with an empty coordinate"));
    }
    Ok(vec![package(
        path,
        Some(line),
        &format!("{group}:{artifact}"),
        &version,
        Scope::Prod,
        None,
        Origin::Installed,
    )])
}

struct Budget {
    entries_left: usize,
    nested_bytes_left: u64,
}

/// Reads every `pom.properties` in a jar and in the jars inside it (depth ≤ 3, at most
/// 100,000 entries and 512 MiB of nested jars in all, nested jars ≤ 128 MiB each). Package
/// locations name the entry: `app.jar!/BOOT-INF/lib/x.jar!/META-INF/maven/g/a/pom.properties`.
/// A jar that is not a readable zip is an error; a corrupt nested jar, an unreadable entry or a
/// malformed `pom.properties` inside is skipped and the rest is read; past a bound, what was
/// found so far is returned.
pub(super) fn parse_jar(path: &str, bytes: &[u8]) -> Result<Vec<Package>, ParseError> {
    let mut out = Vec::new();
    let mut budget = Budget {
        entries_left: MAX_ENTRIES,
        nested_bytes_left: MAX_NESTED_TOTAL,
    };
    walk(path, bytes, 1, &mut budget, &mut out)?;
    Ok(out)
}

fn walk(
    path: &str,
    bytes: &[u8],
    depth: usize,
    budget: &mut Budget,
    out: &mut Vec<Package>,
) -> Result<(), ParseError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| ParseError::new(format!("not a readable jar: {e}")))?;
    for index in 0..archive.len() {
        if budget.entries_left == 0 {
            return Ok(());
        }
        budget.entries_left -= 1;
        let Ok(mut entry) = archive.by_index(index) else {
            continue;
        };
        let Ok(name) = entry.name().map(std::borrow::Cow::into_owned) else {
            continue;
        };
        let inner = format!("{path}!/{name}");
        if is_pom_properties(&name) {
            let mut data = Vec::new();
            if (&mut entry)
                .take(MAX_PROPERTIES)
                .read_to_end(&mut data)
                .is_ok()
                && let Ok(pkgs) = parse_pom_properties(&inner, &data)
            {
                out.extend(pkgs);
            }
        } else if is_jar_name(&name) && depth < MAX_DEPTH {
            let cap = MAX_NESTED_JAR.min(budget.nested_bytes_left);
            if entry.size() > cap {
                continue;
            }
            let mut data = Vec::new();
            if (&mut entry).take(cap + 1).read_to_end(&mut data).is_err() {
                continue;
            }
            let len = data.len() as u64;
            if len > cap {
                continue;
            }
            budget.nested_bytes_left -= len;
            drop(entry);
            // A corrupt jar inside is skipped; the rest of this one is still read.
            let _ = walk(&inner, &data, depth + 1, budget, out);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    /// Only `META-INF/maven/<group>/<artifact>/pom.properties` paths are descriptors.
    #[test]
    fn descriptor_paths() {
        assert!(is_pom_properties(
            "fn.zip!/lib/x.jar!/META-INF/maven/org.yaml/snakeyaml/pom.properties"
        ));
        assert!(!is_pom_properties("META-INF/maven/pom.properties"));
        assert!(!is_pom_properties("META-INF/maven/g/a/b/pom.properties"));
        assert!(!is_pom_properties("src/pom.properties"));
    }

    /// Comments, `:` separators and missing fields.
    #[test]
    fn properties_format() {
        let pkgs = parse_pom_properties(
            "p",
            b"#Generated by Maven\n#Tue Jan 02 10:00:00 UTC 2024\nartifactId: snakeyaml\ngroupId=org.yaml\nversion=1.33\n",
        )
        .unwrap();
        assert_eq!(pkgs[0].name, "org.yaml:snakeyaml");
        assert_eq!(pkgs[0].version, "1.33");
        assert_eq!(pkgs[0].location.line, Some(5));
        assert!(parse_pom_properties("p", b"groupId=a\nartifactId=b\n").is_err());
    }

    /// Bytes that are not a zip are an error; truncated zips never panic.
    #[test]
    fn corrupt_jars() {
        assert!(parse_jar("x.jar", b"PK\x03\x04garbage").is_err());
        assert!(parse_jar("x.jar", b"").is_err());
    }
}
