//! Installed distributions: `*.dist-info/METADATA`, `*.egg-info/PKG-INFO`,
//! `EGG-INFO/PKG-INFO` inside eggs, and old single-file `*.egg-info` metadata.
//!
//! The RFC 822-style header block (up to the first blank line) gives `Name` and `Version`;
//! header names are case-insensitive, folded continuation lines are ignored. Origin
//! Installed, scope Prod, direct `None`, line of the `Version` header.
//!
//! Unlike the lockfile parsers, invalid UTF-8 is not an error here: old `PKG-INFO` files
//! written by Python 2 tools are Latin-1 (author names, descriptions), and an installed
//! package must not go unchecked for that. The bytes are decoded lossily; names and versions
//! are ASCII.

use super::super::node::support::{Collector, to_u32};
use crate::{Ecosystem, Origin, Package, ParseError, Scope, file_name};

pub(crate) fn claims(path: &str, _head: &[u8]) -> bool {
    let name = file_name(path);
    let parent = path.rsplit(['/', '!']).nth(1).unwrap_or_default();
    match name {
        "METADATA" => parent.ends_with(".dist-info"),
        "PKG-INFO" => parent.ends_with(".egg-info") || parent == "EGG-INFO",
        _ => name.ends_with(".egg-info"),
    }
}

pub(crate) fn parse(path: &str, bytes: &[u8]) -> Result<Vec<Package>, ParseError> {
    let text = String::from_utf8_lossy(bytes);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut name = None;
    let mut version = None;
    for (i, line) in text.lines().enumerate() {
        // The header block ends at an empty line; folded lines of old PKG-INFO descriptions
        // (`        ` for a blank description line) are continuations, not the end.
        if line.trim_end_matches('\r').is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            continue;
        }
        let Some((key, value)) = line.split_once(':') else {
            return Err(ParseError::new(format!(
                "expected a `Header: value` line, found {:?}",
                line.chars().take(80).collect::<String>()
            ))
            .at_line(to_u32(i + 1)));
        };
        let value = value.trim();
        if key.eq_ignore_ascii_case("name") && name.is_none() {
            name = Some(value);
        } else if key.eq_ignore_ascii_case("version") && version.is_none() {
            version = Some((value, to_u32(i + 1)));
        }
    }
    let mut out = Collector::new(path, Ecosystem::PyPI, Origin::Installed);
    if let (Some(name), Some((version, line))) = (name, version)
        && !name.is_empty()
        && !version.is_empty()
    {
        out.add(name, version, Some(line), Scope::Prod, None);
    }
    Ok(out.finish())
}
