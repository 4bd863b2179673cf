//! The TOML lockfiles: `poetry.lock` and `uv.lock`.
//!
//! `poetry.lock` (lock-version 1.x and 2.x):
//! - every `[[package]]` with a `name` and `version`, except `directory` and `file` sources
//!   (local code, not the PyPI package of that name); git and url sources are kept.
//! - Scope: `groups` (2.x) containing `main` → Prod, other groups only → Dev; old
//!   `category = "dev"` → Dev; `optional = true` on a production package → Optional.
//! - Direct: `None` (the lock does not say; pyproject.toml does).
//!
//! `uv.lock` (version 1):
//! - every `[[package]]` except `editable`, `virtual`, `path` and `directory` sources (the
//!   project itself and local packages).
//! - Direct: named in a local project's `dependencies`, `optional-dependencies` or
//!   `dev-dependencies`. Scope by reachability from those: Prod, Optional (extras), Dev
//!   (dependency groups); a package reached from none is Prod.
//! - The same name at several versions (forked resolution) gives one package per version.
//!
//! Line: the line of the package's `name` key.

use std::collections::{HashMap, HashSet};

use serde::Deserialize;
use toml::Spanned;

use super::super::node::support::{Collector, LineIndex, reach_scopes, toml_error, utf8};
use crate::{Ecosystem, Origin, Package, ParseError, Scope};

#[derive(Deserialize)]
struct PoetryLock {
    #[serde(default)]
    package: Vec<PoetryPackage>,
    #[serde(default)]
    metadata: Option<PoetryMetadata>,
}

#[derive(Deserialize)]
struct PoetryMetadata {
    #[serde(rename = "lock-version")]
    lock_version: Option<String>,
}

#[derive(Deserialize)]
struct PoetryPackage {
    name: Spanned<String>,
    version: String,
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    optional: bool,
    #[serde(default)]
    groups: Option<Vec<String>>,
    #[serde(default)]
    source: Option<PoetrySource>,
}

#[derive(Deserialize)]
struct PoetrySource {
    #[serde(rename = "type")]
    kind: Option<String>,
}

pub(crate) fn parse_poetry(path: &str, bytes: &[u8]) -> Result<Vec<Package>, ParseError> {
    let text = utf8(bytes)?;
    let lock: PoetryLock = toml::from_str(text).map_err(|e| toml_error(text, &e))?;
    if let Some(v) = lock
        .metadata
        .as_ref()
        .and_then(|m| m.lock_version.as_deref())
    {
        let major = v.split('.').next().unwrap_or_default();
        if !matches!(major, "1" | "2") {
            return Err(ParseError::new(format!(
                "unsupported poetry lock-version {v:?} (known: 1.x, 2.x)"
            )));
        }
    }
    let lines = LineIndex::new(text);
    let mut out = Collector::new(path, Ecosystem::PyPI, Origin::Lockfile);
    for p in &lock.package {
        let kind = p.source.as_ref().and_then(|s| s.kind.as_deref());
        if matches!(kind, Some("directory" | "file")) {
            continue;
        }
        let prod = match &p.groups {
            Some(groups) => groups.iter().any(|g| g == "main") || groups.is_empty(),
            None => p.category.as_deref() != Some("dev"),
        };
        let scope = match (prod, p.optional) {
            (false, _) => Scope::Dev,
            (true, true) => Scope::Optional,
            (true, false) => Scope::Prod,
        };
        let line = lines.line(p.name.span().start);
        out.add(p.name.get_ref(), &p.version, Some(line), scope, None);
    }
    Ok(out.finish())
}

#[derive(Deserialize)]
struct UvLock {
    version: Option<i64>,
    #[serde(default)]
    package: Vec<UvPackage>,
}

#[derive(Deserialize)]
struct UvPackage {
    name: Spanned<String>,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    source: HashMap<String, toml::Value>,
    #[serde(default)]
    dependencies: Vec<UvDep>,
    #[serde(default, rename = "optional-dependencies")]
    optional_dependencies: HashMap<String, Vec<UvDep>>,
    #[serde(default, rename = "dev-dependencies")]
    dev_dependencies: HashMap<String, Vec<UvDep>>,
}

#[derive(Deserialize)]
struct UvDep {
    name: String,
    #[serde(default)]
    version: Option<String>,
}

/// uv normalises names in the lock already; compare case-insensitively anyway.
fn norm(name: &str) -> String {
    name.to_ascii_lowercase().replace(['_', '.'], "-")
}

pub(crate) fn parse_uv(path: &str, bytes: &[u8]) -> Result<Vec<Package>, ParseError> {
    let text = utf8(bytes)?;
    let lock: UvLock = toml::from_str(text).map_err(|e| toml_error(text, &e))?;
    match lock.version {
        Some(1) => {}
        Some(v) => {
            return Err(ParseError::new(format!(
                "unsupported uv.lock version {v} (known: 1)"
            )));
        }
        None => return Err(ParseError::new("no version: not a uv lockfile")),
    }
    let is_local = |p: &UvPackage| {
        ["editable", "virtual", "path", "directory"]
            .iter()
            .any(|k| p.source.contains_key(*k))
    };
    // Node key: (normalised name, version). A dependency without a version names the only
    // package of that name.
    let mut versions_of: HashMap<String, Vec<String>> = HashMap::new();
    for p in &lock.package {
        versions_of
            .entry(norm(p.name.get_ref()))
            .or_default()
            .push(p.version.clone().unwrap_or_default());
    }
    let resolve = |d: &UvDep| -> Vec<(String, String)> {
        let n = norm(&d.name);
        match &d.version {
            Some(v) => vec![(n, v.clone())],
            None => versions_of
                .get(&n)
                .map(|vs| vs.iter().map(|v| (n.clone(), v.clone())).collect())
                .unwrap_or_default(),
        }
    };
    let mut edges: HashMap<(String, String), Vec<(String, String)>> = HashMap::new();
    let mut roots: Vec<((String, String), Scope)> = Vec::new();
    for p in &lock.package {
        let key = (
            norm(p.name.get_ref()),
            p.version.clone().unwrap_or_default(),
        );
        let local = is_local(p);
        let targets = edges.entry(key).or_default();
        for d in &p.dependencies {
            let r = resolve(d);
            if local {
                roots.extend(r.iter().cloned().map(|k| (k, Scope::Prod)));
            }
            targets.extend(r);
        }
        for deps in p.optional_dependencies.values() {
            for d in deps {
                let r = resolve(d);
                if local {
                    roots.extend(r.iter().cloned().map(|k| (k, Scope::Optional)));
                }
                targets.extend(r);
            }
        }
        if local {
            for deps in p.dev_dependencies.values() {
                for d in deps {
                    roots.extend(resolve(d).into_iter().map(|k| (k, Scope::Dev)));
                }
            }
        }
    }
    let direct: HashSet<&(String, String)> = roots.iter().map(|(k, _)| k).collect();
    let scopes = reach_scopes(&edges, &roots);
    let lines = LineIndex::new(text);
    let mut out = Collector::new(path, Ecosystem::PyPI, Origin::Lockfile);
    for p in &lock.package {
        let Some(version) = &p.version else {
            continue;
        };
        if is_local(p) {
            continue;
        }
        let key = (norm(p.name.get_ref()), version.clone());
        let scope = scopes.get(&key).copied().unwrap_or(Scope::Prod);
        let line = lines.line(p.name.span().start);
        out.add(
            p.name.get_ref(),
            version,
            Some(line),
            scope,
            Some(direct.contains(&key)),
        );
    }
    Ok(out.finish())
}
