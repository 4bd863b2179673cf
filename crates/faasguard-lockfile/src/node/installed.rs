//! Installed packages: `node_modules/<name>/package.json` and
//! `node_modules/@scope/<name>/package.json` (also under pnpm's `node_modules/.pnpm/…`).
//!
//! The `name` field names the package (an alias directory `string-width-cjs` holds
//! `string-width`); a file without a string `name` and `version` names nothing. Scope is
//! Prod (an installed tree does not say), direct `None`, and the line is the one holding
//! the `"version"` field.

use serde::Deserialize;

use super::support::{Collector, is_registry_version, json_error, to_u32, utf8};
use crate::{Ecosystem, Origin, Package, ParseError, Scope, file_name};

/// Whether `path` is `…/node_modules/<name>/package.json` or
/// `…/node_modules/@scope/<name>/package.json`.
pub(crate) fn claims(path: &str, _head: &[u8]) -> bool {
    if file_name(path) != "package.json" {
        return false;
    }
    let mut parts = path.rsplit(['/', '!']).skip(1);
    let (Some(dir), Some(parent)) = (parts.next(), parts.next()) else {
        return false;
    };
    if dir.starts_with('@') || dir.starts_with('.') || dir.is_empty() {
        return false;
    }
    if parent == "node_modules" {
        return true;
    }
    parent.starts_with('@') && parent.len() > 1 && parts.next() == Some("node_modules")
}

#[derive(Deserialize)]
struct Manifest<'a> {
    #[serde(borrow, default)]
    name: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default)]
    version: Option<std::borrow::Cow<'a, str>>,
}

pub(crate) fn parse(path: &str, bytes: &[u8]) -> Result<Vec<Package>, ParseError> {
    let text = utf8(bytes)?;
    // Only `name` and `version` are typed: other fields of any shape are skipped.
    let manifest: serde_json::Result<Manifest> = serde_json::from_str(text);
    let manifest = match manifest {
        Ok(m) => m,
        Err(e) if e.is_data() => return Ok(Vec::new()),
        Err(e) => return Err(json_error(&e)),
    };
    let (Some(name), Some(version)) = (manifest.name, manifest.version) else {
        return Ok(Vec::new());
    };
    if name.is_empty() || !is_registry_version(&version) {
        return Ok(Vec::new());
    }
    let line = version_line(text);
    let mut out = Collector::new(path, Ecosystem::Npm, Origin::Installed);
    out.add(&name, &version, line, Scope::Prod, None);
    Ok(out.finish())
}

/// The line of the first `"version"` key (followed by `:`), usually the top-level one.
fn version_line(text: &str) -> Option<u32> {
    let mut from = 0;
    while let Some(found) = text.get(from..)?.find("\"version\"") {
        let at = from + found;
        let rest = text.get(at + 9..)?;
        if rest.trim_start().starts_with(':') {
            let newlines = text.get(..at)?.matches('\n').count();
            return Some(to_u32(newlines + 1));
        }
        from = at + 9;
    }
    None
}
