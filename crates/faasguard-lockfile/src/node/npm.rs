//! `package-lock.json` and `npm-shrinkwrap.json`, lockfile versions 1, 2 and 3.
//!
//! - v2 and v3 read `packages`, keyed by install path (`node_modules/a/node_modules/@s/b`).
//!   The name is the entry's `name` (npm writes it for aliases) or the last path component(s).
//!   Workspace sources (paths outside `node_modules`), `link: true` entries and versions that
//!   are not registry versions (`file:`, git, tarball URLs) are skipped.
//! - v1 (and a v2 file without `packages`, and an npm 2–4 shrinkwrap without
//!   `lockfileVersion`) reads the nested `dependencies` tree; an alias version
//!   `npm:string-width@4.2.3` names the real package.
//! - Scope: `dev` → Dev, `optional` and `devOptional` → Optional (a `devOptional` package is
//!   still installed by `npm install --omit=dev`), else Prod.
//! - Direct: v2/v3 only, a package at `node_modules/<n>` named in the root package's (or a
//!   workspace's) `dependencies`, `devDependencies`, `optionalDependencies` or
//!   `peerDependencies`; v1 records no root package, so direct is `None`.
//! - The same name@version at several paths is one package (scopes merged).
//! - Line: the line of the entry's key, found by a single forward search of the text.

use std::collections::HashSet;

use serde_json::{Map, Value};

use super::support::{Collector, KeyCursor, is_registry_version, json_error, utf8};
use crate::{Ecosystem, Origin, Package, ParseError, Scope};

const DEP_FIELDS: [&str; 4] = [
    "dependencies",
    "devDependencies",
    "optionalDependencies",
    "peerDependencies",
];

pub(crate) fn parse(path: &str, bytes: &[u8]) -> Result<Vec<Package>, ParseError> {
    let text = utf8(bytes)?;
    let doc: Value = serde_json::from_str(text).map_err(|e| json_error(&e))?;
    let Some(root) = doc.as_object() else {
        return Err(ParseError::new("a package lock must be a JSON object").at_line(1));
    };
    let version = match root.get("lockfileVersion") {
        Some(Value::Number(n)) => n.as_u64(),
        None => None,
        Some(other) => {
            return Err(ParseError::new(format!(
                "lockfileVersion must be a number, found {other}"
            )));
        }
    };
    let mut out = Collector::new(path, Ecosystem::Npm, Origin::Lockfile);
    let mut cursor = KeyCursor::new(text);
    match version {
        Some(1) => read_v1(root, &mut cursor, &mut out),
        Some(2 | 3) => match root.get("packages").and_then(Value::as_object) {
            Some(packages) => read_packages(packages, &mut cursor, &mut out),
            None => read_v1(root, &mut cursor, &mut out),
        },
        Some(v) => {
            return Err(ParseError::new(format!(
                "unsupported lockfileVersion {v} (known: 1, 2, 3)"
            )));
        }
        // npm 2–4 shrinkwraps predate lockfileVersion; their tree is the v1 one.
        None if root.get("dependencies").is_some_and(Value::is_object) => {
            read_v1(root, &mut cursor, &mut out);
        }
        None => {
            return Err(ParseError::new(
                "no lockfileVersion: not an npm package lock",
            ));
        }
    }
    Ok(out.finish())
}

fn flag(entry: &Map<String, Value>, key: &str) -> bool {
    entry.get(key).and_then(Value::as_bool).unwrap_or(false)
}

fn scope_of(entry: &Map<String, Value>) -> Scope {
    if flag(entry, "optional") || flag(entry, "devOptional") {
        Scope::Optional
    } else if flag(entry, "dev") {
        Scope::Dev
    } else {
        Scope::Prod
    }
}

/// The names the root project and its workspaces depend on directly.
fn direct_names(packages: &Map<String, Value>) -> HashSet<&str> {
    let mut names = HashSet::new();
    for (key, entry) in packages {
        if key.split('/').any(|c| c == "node_modules") {
            continue;
        }
        for field in DEP_FIELDS {
            if let Some(deps) = entry.get(field).and_then(Value::as_object) {
                names.extend(deps.keys().map(String::as_str));
            }
        }
    }
    names
}

fn read_packages(packages: &Map<String, Value>, cursor: &mut KeyCursor, out: &mut Collector) {
    let direct = direct_names(packages);
    for (key, entry) in packages {
        let Some(idx) = key.rfind("node_modules/") else {
            // The root ("") and workspace sources: the project's own code.
            continue;
        };
        let line = cursor.next_line(key);
        let Some(entry) = entry.as_object() else {
            continue;
        };
        if flag(entry, "link") {
            continue;
        }
        let dir_name = &key[idx + "node_modules/".len()..];
        let name = entry
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or(dir_name);
        let Some(version) = entry.get("version").and_then(Value::as_str) else {
            continue;
        };
        if !is_registry_version(version) || name.is_empty() {
            continue;
        }
        // A top-level install dir (`node_modules/x`, or a workspace's `ws/node_modules/x`).
        let top_level = !key[..idx].contains("node_modules/");
        let is_direct = top_level && direct.contains(dir_name);
        out.add(name, version, line, scope_of(entry), Some(is_direct));
    }
}

fn read_v1(root: &Map<String, Value>, cursor: &mut KeyCursor, out: &mut Collector) {
    if let Some(deps) = root.get("dependencies").and_then(Value::as_object) {
        read_v1_deps(deps, cursor, out, 0);
    }
}

/// Deepest `dependencies` nesting followed (npm never nests this deep; the bound keeps a
/// hostile file from exhausting the stack).
const MAX_DEPTH: usize = 128;

fn read_v1_deps(
    deps: &Map<String, Value>,
    cursor: &mut KeyCursor,
    out: &mut Collector,
    depth: usize,
) {
    if depth > MAX_DEPTH {
        return;
    }
    for (key, entry) in deps {
        let line = cursor.next_line(key);
        let Some(entry) = entry.as_object() else {
            continue;
        };
        if let Some(version) = entry.get("version").and_then(Value::as_str) {
            let (name, version) = match version.strip_prefix("npm:") {
                Some(alias) => match super::support::split_name_at(alias) {
                    Some((n, v)) => (n, v),
                    None => (key.as_str(), ""),
                },
                None => (key.as_str(), version),
            };
            if is_registry_version(version) {
                out.add(name, version, line, scope_of(entry), None);
            }
        }
        if let Some(nested) = entry.get("dependencies").and_then(Value::as_object) {
            read_v1_deps(nested, cursor, out, depth + 1);
        }
    }
}
