//! `yarn.lock`, classic (v1, yarn's own format) and berry (v2+, YAML with `__metadata`).
//!
//! - v1: an entry is a header line at column 0 (`"a@^1", a@~1.2:`) and indented fields;
//!   `version "1.2.3"` gives the version. The name comes from the first spec of the header
//!   (`alias@npm:real@^1` names `real`). Specs with a non-registry protocol (`file:`,
//!   `link:`, `workspace:`, git and tarball URLs, GitHub shorthands) are skipped.
//! - berry: the `resolution` field (`lodash@npm:4.17.21`) gives name and version;
//!   `workspace:` (the project's own packages) and other non-registry protocols are skipped;
//!   `patch:` resolutions name the npm package and version they patch.
//! - yarn.lock records neither groups nor the root's dependencies: scope Prod, direct None.
//! - Line: the entry's header line.

use super::support::{
    Collector, is_registry_version, split_name_at, utf8, yaml_docs, yentries, yget, yline, ytext,
};
use crate::{Ecosystem, Origin, Package, ParseError, Scope};

pub(crate) fn parse(path: &str, bytes: &[u8]) -> Result<Vec<Package>, ParseError> {
    let text = utf8(bytes)?;
    let berry = text.lines().any(|l| l.starts_with("__metadata:"));
    let mut out = Collector::new(path, Ecosystem::Npm, Origin::Lockfile);
    if berry {
        read_berry(text, &mut out)?;
    } else {
        read_classic(text, &mut out)?;
    }
    Ok(out.finish())
}

/// Whether a spec's range (after an optional `npm:` alias) is a registry range.
fn registry_range(range: &str) -> bool {
    const PROTOCOLS: [&str; 12] = [
        "file:",
        "link:",
        "portal:",
        "workspace:",
        "patch:",
        "exec:",
        "git:",
        "git+",
        "github:",
        "http:",
        "https:",
        "ssh:",
    ];
    !PROTOCOLS.iter().any(|p| range.starts_with(p)) && !range.contains('/')
}

/// The package name a v1 header spec names, or `None` for a non-registry spec.
fn classic_name(spec: &str) -> Option<&str> {
    let spec = spec.trim().trim_matches('"');
    let (name, range) = split_name_at(spec)?;
    match range.strip_prefix("npm:") {
        Some(aliased) => match split_name_at(aliased) {
            Some((real, range)) => registry_range(range).then_some(real),
            // `a@npm:^1.0.0`: an explicit registry range for the same name.
            None => registry_range(aliased).then_some(name),
        },
        None => registry_range(range).then_some(name),
    }
}

struct Entry<'a> {
    name: Option<&'a str>,
    line: u32,
    version: Option<&'a str>,
}

fn read_classic(text: &str, out: &mut Collector) -> Result<(), ParseError> {
    let mut current: Option<Entry> = None;
    let flush = |e: Option<Entry>, out: &mut Collector| {
        if let Some(Entry {
            name: Some(name),
            line,
            version: Some(version),
        }) = e
            && is_registry_version(version)
        {
            out.add(name, version, Some(line), Scope::Prod, None);
        }
    };
    for (i, raw) in text.lines().enumerate() {
        let line = super::support::to_u32(i + 1);
        let trimmed = raw.trim_end();
        if trimmed.is_empty() || trimmed.trim_start().starts_with('#') {
            continue;
        }
        if !raw.starts_with(' ') && !raw.starts_with('\t') {
            let Some(header) = trimmed.strip_suffix(':') else {
                return Err(ParseError::new(format!(
                    "expected an entry header ending in ':', found {trimmed:?}"
                ))
                .at_line(line));
            };
            flush(current.take(), out);
            let first = header.split(", ").next().unwrap_or(header);
            current = Some(Entry {
                name: classic_name(first),
                line,
                version: None,
            });
            continue;
        }
        // Fields of the entry sit at two spaces; deeper lines are dependency lists.
        let Some(field) = raw.strip_prefix("  ") else {
            continue;
        };
        if field.starts_with(' ') {
            continue;
        }
        if let Some(value) = field.trim_end().strip_prefix("version ")
            && let Some(e) = current.as_mut()
        {
            e.version = Some(value.trim().trim_matches('"'));
        }
    }
    flush(current.take(), out);
    Ok(())
}

fn read_berry(text: &str, out: &mut Collector) -> Result<(), ParseError> {
    let docs = yaml_docs(text)?;
    let Some(doc) = docs.first() else {
        return Ok(());
    };
    for (key, entry) in yentries(doc) {
        if ytext(key).as_deref() == Some("__metadata") {
            continue;
        }
        let Some(resolution) = yget(entry, "resolution").and_then(ytext) else {
            continue;
        };
        let Some((name, reference)) = split_name_at(&resolution) else {
            continue;
        };
        let (name, version) = if let Some(v) = reference.strip_prefix("npm:") {
            (name.to_owned(), v.to_owned())
        } else if let Some(patched) = reference.strip_prefix("patch:") {
            // `resolve@patch:resolve@npm%3A1.22.8#~builtin<compat/resolve>::version=…`
            let inner = patched.split('#').next().unwrap_or_default();
            let inner = inner.replace("%3A", ":");
            match split_name_at(&inner) {
                Some((n, r)) => match r.strip_prefix("npm:") {
                    Some(v) => (n.to_owned(), v.to_owned()),
                    None => continue,
                },
                None => continue,
            }
        } else {
            continue;
        };
        if is_registry_version(&version) {
            out.add(&name, &version, Some(yline(key)), Scope::Prod, None);
        }
    }
    Ok(())
}
