//! .NET: NuGet's `packages.lock.json` and the `*.deps.json` the SDK writes next to a published
//! application (what a deployed .NET Lambda package carries).

use std::collections::{HashMap, HashSet};

use faasguard_core::Location;
use serde_json::{Map, Value};

use crate::{Ecosystem, Origin, Package, ParseError, Parser, Scope, file_name, purl};

/// This ecosystem's parsers.
pub(crate) const PARSERS: &[Parser] = &[
    Parser {
        name: "packages.lock.json",
        ecosystem: Ecosystem::NuGet,
        claims: |path, _| file_name(path) == "packages.lock.json",
        parse: parse_packages_lock,
    },
    Parser {
        name: "deps.json",
        ecosystem: Ecosystem::NuGet,
        claims: |path, _| file_name(path).ends_with(".deps.json"),
        parse: parse_deps_json,
    },
];

fn json(bytes: &[u8]) -> Result<(&str, Map<String, Value>), ParseError> {
    let text =
        std::str::from_utf8(bytes).map_err(|e| ParseError::new(format!("not UTF-8: {e}")))?;
    // NuGet and the SDK may write a byte-order mark.
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    match serde_json::from_str::<Value>(body) {
        Ok(Value::Object(map)) => Ok((text, map)),
        Ok(_) => Err(ParseError::new("expected a JSON object")),
        Err(e) => {
            Err(ParseError::new(e.to_string()).at_line(u32::try_from(e.line()).unwrap_or(u32::MAX)))
        }
    }
}

/// One string literal of a JSON text: its raw contents (escapes left as written), its
/// 1-based line, and whether it is an object key (followed by `:`).
pub(crate) struct JsonString<'a> {
    pub raw: &'a str,
    pub line: u32,
    pub key: bool,
}

/// Every string literal of a JSON text, in order, in one pass (so that locating thousands of
/// packages stays linear in the file size).
pub(crate) fn json_strings(text: &str) -> Vec<JsonString<'_>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut line: u32 = 1;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => line = line.saturating_add(1),
            b'"' => {
                let start = i + 1;
                let mut j = start;
                while j < bytes.len() && bytes[j] != b'"' {
                    j += if bytes[j] == b'\\' { 2 } else { 1 };
                }
                let end = j.min(bytes.len());
                let mut k = end + 1;
                while k < bytes.len() && bytes[k].is_ascii_whitespace() {
                    k += 1;
                }
                out.push(JsonString {
                    raw: text.get(start..end).unwrap_or(""),
                    line,
                    key: bytes.get(k) == Some(&b':'),
                });
                // A JSON string holds no raw newline; count any in malformed input anyway.
                let newlines = text.get(start..end).map_or(0, |s| s.matches('\n').count());
                line = line.saturating_add(u32::try_from(newlines).unwrap_or(u32::MAX));
                i = end + 1;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// The line of the first occurrence of each object key.
fn key_lines(text: &str) -> HashMap<&str, u32> {
    let mut lines = HashMap::new();
    for s in json_strings(text).into_iter().filter(|s| s.key) {
        lines.entry(s.raw).or_insert(s.line);
    }
    lines
}

fn package(
    path: &str,
    line: Option<u32>,
    name: &str,
    version: &str,
    direct: Option<bool>,
    origin: Origin,
) -> Package {
    Package {
        ecosystem: Ecosystem::NuGet,
        name: name.to_owned(),
        version: version.to_owned(),
        purl: purl(Ecosystem::NuGet, name, version),
        location: Location {
            file: path.to_owned(),
            line,
            ..Location::default()
        },
        scope: Scope::Prod,
        direct,
        origin,
    }
}

/// Reads a `packages.lock.json`: every package of every target framework (de-duplicated by
/// case-insensitive id and resolved version), direct when any framework lists it as `Direct`
/// (`Transitive` and `CentralTransitive` are transitive). `Project` entries are other projects
/// of the solution, not packages.
pub(crate) fn parse_packages_lock(path: &str, bytes: &[u8]) -> Result<Vec<Package>, ParseError> {
    let (text, root) = json(bytes)?;
    let lines = key_lines(text);
    let frameworks = root
        .get("dependencies")
        .and_then(Value::as_object)
        .ok_or_else(|| ParseError::new("no `dependencies` object: not a packages.lock.json"))?;
    let mut order: Vec<(String, String, String)> = Vec::new();
    let mut direct: HashMap<(String, String), bool> = HashMap::new();
    for packages in frameworks.values().filter_map(Value::as_object) {
        for (id, entry) in packages {
            let kind = entry.get("type").and_then(Value::as_str).unwrap_or("");
            if kind.eq_ignore_ascii_case("Project") {
                continue;
            }
            let Some(version) = entry.get("resolved").and_then(Value::as_str) else {
                continue;
            };
            let key = (id.to_ascii_lowercase(), version.to_owned());
            let is_direct = kind.eq_ignore_ascii_case("Direct");
            direct
                .entry(key)
                .and_modify(|d| *d |= is_direct)
                .or_insert_with(|| {
                    order.push((id.clone(), id.to_ascii_lowercase(), version.to_owned()));
                    is_direct
                });
        }
    }
    Ok(order
        .into_iter()
        .map(|(id, lower, version)| {
            let d = direct.get(&(lower, version.clone())).copied();
            package(
                path,
                lines.get(id.as_str()).copied(),
                &id,
                &version,
                d,
                Origin::Lockfile,
            )
        })
        .collect())
}

/// Reads a `<App>.deps.json`: the `libraries` of type `package` (`Name/1.2.3` keys). The
/// application's own project entry (`<App>/…` of type `project`, or the only project) names
/// the direct packages in its `targets` dependencies; without it `direct` is `None`.
pub(crate) fn parse_deps_json(path: &str, bytes: &[u8]) -> Result<Vec<Package>, ParseError> {
    let (text, root) = json(bytes)?;
    let lines = key_lines(text);
    let libraries = root
        .get("libraries")
        .and_then(Value::as_object)
        .ok_or_else(|| ParseError::new("no `libraries` object: not a .deps.json"))?;
    let kind = |v: &Value| {
        v.get("type")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned()
    };
    let projects: Vec<&String> = libraries
        .iter()
        .filter(|(_, v)| kind(v) == "project")
        .map(|(k, _)| k)
        .collect();
    let app = file_name(path).trim_end_matches(".deps.json");
    let main = projects
        .iter()
        .find(|k| k.split('/').next() == Some(app))
        .or(if projects.len() == 1 {
            projects.first()
        } else {
            None
        });
    let direct: Option<HashSet<String>> = main.map(|key| {
        root.get("targets")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|t| t.values())
            .filter_map(|t| t.get(key.as_str()))
            .filter_map(|entry| entry.get("dependencies").and_then(Value::as_object))
            .flat_map(|deps| deps.keys().map(|k| k.to_ascii_lowercase()))
            .collect()
    });
    let mut out = Vec::new();
    for (key, value) in libraries {
        if kind(value) != "package" {
            continue;
        }
        let Some((name, version)) = key.split_once('/') else {
            let err = ParseError::new(format!("library key `{key}` is not `name/version`"));
            return Err(match lines.get(key.as_str()).copied() {
                Some(line) => err.at_line(line),
                None => err,
            });
        };
        let d = direct
            .as_ref()
            .map(|set| set.contains(&name.to_ascii_lowercase()));
        out.push(package(
            path,
            lines.get(key.as_str()).copied(),
            name,
            version,
            d,
            Origin::Installed,
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    /// Malformed JSON and JSON of the wrong shape are errors; the JSON error carries its line.
    #[test]
    fn malformed_dotnet_files() {
        let err = parse_packages_lock("packages.lock.json", b"{\n  \"version\": 1,\n  oops\n}")
            .unwrap_err();
        assert_eq!(err.line, Some(3));
        assert!(parse_packages_lock("packages.lock.json", b"[]").is_err());
        assert!(parse_deps_json("a.deps.json", b"{\"targets\": {}}").is_err());
        assert!(
            parse_deps_json(
                "a.deps.json",
                br#"{"libraries": {"NoSlash": {"type": "package"}}}"#
            )
            .is_err()
        );
    }
}
