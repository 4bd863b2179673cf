//! `pnpm-lock.yaml`, lockfile versions 5.x (pnpm 3–7), 6.x (pnpm 8) and 9.x (pnpm 9+; also
//! the several-document files of pnpm 11, every document read).
//!
//! - Package keys: v5 `/name/1.2.3_peer@1.0.0`, v6 `/name@1.2.3(peer@1.0.0)`, v9
//!   `name@1.2.3`; peer suffixes are dropped. `name`/`version` fields override the key
//!   (tarball and git packages). Versions that are not registry versions are skipped.
//! - Scope: v5/v6 `dev: true` → Dev (pnpm writes it only for packages reached from
//!   devDependencies alone), else `optional: true` → Optional, else Prod. v9
//!   has no flags: the scope comes from reachability through `snapshots` from the importers'
//!   `dependencies` (Prod), `optionalDependencies` (Optional) and `devDependencies` (Dev).
//! - Direct: named in an importer's (or, before v6 workspaces, the top-level) dependency
//!   maps at that version.
//! - Line: the line of the package's key under `packages:`.

use std::collections::{HashMap, HashSet};

use saphyr::MarkedYaml;

use super::support::{
    Collector, is_registry_version, reach_scopes, split_name_at, utf8, yaml_docs, yentries, yget,
    yline, ytext, ytrue,
};
use crate::{Ecosystem, Origin, Package, ParseError, Scope};

const IMPORTER_FIELDS: [(&str, Scope); 3] = [
    ("dependencies", Scope::Prod),
    ("optionalDependencies", Scope::Optional),
    ("devDependencies", Scope::Dev),
];

pub(crate) fn parse(path: &str, bytes: &[u8]) -> Result<Vec<Package>, ParseError> {
    let text = utf8(bytes)?;
    let docs = yaml_docs(text)?;
    let mut out = Collector::new(path, Ecosystem::Npm, Origin::Lockfile);
    let mut seen_version = false;
    for doc in &docs {
        let Some(version) = yget(doc, "lockfileVersion") else {
            continue;
        };
        let line = yline(version);
        let version = ytext(version).unwrap_or_default();
        let major = version
            .split('.')
            .next()
            .and_then(|m| m.trim().parse::<u32>().ok());
        let Some(major @ (5 | 6 | 7 | 9)) = major else {
            return Err(ParseError::new(format!(
                "unsupported pnpm lockfileVersion {version:?} (known: 5.x, 6.x, 9.x)"
            ))
            .at_line(line));
        };
        seen_version = true;
        read_doc(doc, major, &mut out);
    }
    if !seen_version && !docs.is_empty() {
        return Err(ParseError::new("no lockfileVersion: not a pnpm lockfile"));
    }
    Ok(out.finish())
}

/// `(name, version)` from a package key, peer suffixes dropped.
fn parse_key(key: &str, major: u32) -> Option<(String, String)> {
    let key = key.strip_prefix('/').unwrap_or(key);
    let key = key.split('(').next().unwrap_or(key);
    if major == 5 {
        // `name/1.2.3_peer@1` or `@scope/name/1.2.3`
        let (name, version) = key.rsplit_once('/')?;
        let version = version.split('_').next().unwrap_or(version);
        return Some((name.to_owned(), version.to_owned()));
    }
    let (name, version) = split_name_at(key)?;
    Some((name.to_owned(), version.to_owned()))
}

/// The resolved `(name, version)` an importer's dependency points at: a plain version
/// (`1.2.3(react@18.0.0)`) for `name`, or an alias (`/real@1.2.3`, `real@1.2.3`).
fn resolve_ref(name: &str, reference: &str, major: u32) -> Option<(String, String)> {
    let reference = reference.split('(').next().unwrap_or(reference);
    if reference.starts_with("link:") || reference.starts_with("file:") {
        return None;
    }
    if major == 5 {
        // `/real/1.0.0` (an alias), `registry.npmmirror.com/name/1.0.0` (another registry),
        // or a plain `1.0.0_peer@2.0.0`.
        if reference.starts_with('/') {
            return parse_key(reference, 5);
        }
        let last = reference.rsplit('/').next().unwrap_or(reference);
        let v = last.split('_').next().unwrap_or(last);
        return Some((name.to_owned(), v.to_owned()));
    }
    if split_name_at(reference.trim_start_matches('/')).is_some() {
        return parse_key(reference, major);
    }
    Some((name.to_owned(), reference.to_owned()))
}

/// `(name, reference)` pairs of a dependency map; v6+ importers write
/// `{specifier, version}` objects, v5 plain strings.
fn dep_refs(map: Option<&MarkedYaml<'_>>) -> Vec<(String, String)> {
    let Some(map) = map else {
        return Vec::new();
    };
    yentries(map)
        .filter_map(|(k, v)| {
            let name = ytext(k)?;
            let reference = yget(v, "version").and_then(ytext).or_else(|| ytext(v))?;
            Some((name, reference))
        })
        .collect()
}

type Key = (String, String);

fn read_doc(doc: &MarkedYaml<'_>, major: u32, out: &mut Collector) {
    // Importers: the workspace's projects, or the single project at the top level.
    let mut importers: Vec<&MarkedYaml<'_>> = Vec::new();
    if let Some(map) = yget(doc, "importers") {
        importers.extend(yentries(map).map(|(_, v)| v));
    } else {
        importers.push(doc);
    }
    let mut roots: Vec<(Key, Scope)> = Vec::new();
    for importer in importers {
        for (field, scope) in IMPORTER_FIELDS {
            for (name, reference) in dep_refs(yget(importer, field)) {
                if let Some(key) = resolve_ref(&name, &reference, major) {
                    roots.push((key, scope));
                }
            }
        }
    }
    let direct: HashSet<&Key> = roots.iter().map(|(k, _)| k).collect();

    // v9: scopes by reachability through `snapshots` (or `packages` when absent).
    let reached = if major >= 9 {
        let graph_src = yget(doc, "snapshots").or_else(|| yget(doc, "packages"));
        let mut edges: HashMap<Key, Vec<Key>> = HashMap::new();
        if let Some(graph_src) = graph_src {
            for (k, v) in yentries(graph_src) {
                let Some(key) = ytext(k).and_then(|k| parse_key(&k, major)) else {
                    continue;
                };
                let targets = edges.entry(key).or_default();
                for field in ["dependencies", "optionalDependencies"] {
                    for (name, reference) in dep_refs(yget(v, field)) {
                        targets.extend(resolve_ref(&name, &reference, major));
                    }
                }
            }
        }
        Some(reach_scopes(&edges, &roots))
    } else {
        None
    };

    let Some(packages) = yget(doc, "packages") else {
        return;
    };
    for (k, v) in yentries(packages) {
        let Some(key_text) = ytext(k) else {
            continue;
        };
        // Git and tarball keys (`github.com/org/repo/<sha>`) may not parse; their `name`
        // and `version` fields still name the package.
        let mut key = parse_key(&key_text, major).unwrap_or_default();
        if let Some(name) = yget(v, "name").and_then(ytext) {
            key.0 = name;
        }
        if let Some(version) = yget(v, "version").and_then(ytext) {
            key.1 = version;
        }
        if key.0.is_empty() || !is_registry_version(&key.1) {
            continue;
        }
        let scope = match &reached {
            Some(reached) => reached.get(&key).copied().unwrap_or(Scope::Prod),
            None if ytrue(yget(v, "dev")) => Scope::Dev,
            None if ytrue(yget(v, "optional")) => Scope::Optional,
            None => Scope::Prod,
        };
        let is_direct = direct.contains(&key);
        out.add(&key.0, &key.1, Some(yline(k)), scope, Some(is_direct));
    }
}
