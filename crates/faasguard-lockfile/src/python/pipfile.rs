//! `Pipfile.lock` (JSON): the `default` (Prod) and `develop` (Dev) sections.
//!
//! - `"version": "==1.2.3"` gives the version; entries without one (git, editable, path)
//!   are skipped. A package in both sections is Prod (the collector merges scopes).
//! - Direct: `None` (the Pipfile, not the lock, names the direct packages).
//! - Line: the line of the package's key in its section.

use serde_json::Value;

use super::super::node::support::{Collector, KeyCursor, json_error, utf8};
use crate::{Ecosystem, Origin, Package, ParseError, Scope};

pub(crate) fn parse(path: &str, bytes: &[u8]) -> Result<Vec<Package>, ParseError> {
    let text = utf8(bytes)?;
    let doc: Value = serde_json::from_str(text).map_err(|e| json_error(&e))?;
    let Some(root) = doc.as_object() else {
        return Err(ParseError::new("a Pipfile.lock must be a JSON object").at_line(1));
    };
    if !root.contains_key("_meta") && !root.contains_key("default") {
        return Err(ParseError::new(
            "neither `_meta` nor `default`: not a Pipfile.lock",
        ));
    }
    let mut out = Collector::new(path, Ecosystem::PyPI, Origin::Lockfile);
    for (section, scope) in [("default", Scope::Prod), ("develop", Scope::Dev)] {
        let Some(entries) = root.get(section).and_then(Value::as_object) else {
            continue;
        };
        // Sections are searched from their own key so a name in both gets the right line.
        let mut cursor = KeyCursor::new(text);
        let found = cursor.seek(section);
        for (name, entry) in entries {
            let line = if found { cursor.next_line(name) } else { None };
            let Some(spec) = entry.get("version").and_then(Value::as_str) else {
                continue;
            };
            let Some(version) = spec
                .strip_prefix("===")
                .or_else(|| spec.strip_prefix("=="))
                .map(str::trim)
            else {
                continue;
            };
            if !version.is_empty() && !version.contains('*') {
                out.add(name, version, line, scope, None);
            }
        }
    }
    Ok(out.finish())
}
