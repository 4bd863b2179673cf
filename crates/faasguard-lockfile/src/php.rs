//! PHP: Composer's `composer.lock`, and `vendor/composer/installed.json`, which Composer
//! writes into the `vendor` directory a deployed function (Bref) carries.

use std::collections::{HashMap, HashSet};

use faasguard_core::Location;
use serde::Deserialize;

use crate::{Ecosystem, Origin, Package, ParseError, Parser, Scope, file_name, purl};

/// This ecosystem's parsers.
pub(crate) const PARSERS: &[Parser] = &[
    Parser {
        name: "composer.lock",
        ecosystem: Ecosystem::Packagist,
        claims: |path, _| file_name(path) == "composer.lock",
        parse: parse_composer_lock,
    },
    Parser {
        name: "installed.json",
        ecosystem: Ecosystem::Packagist,
        claims: |path, _| path.ends_with("vendor/composer/installed.json"),
        parse: parse_installed_json,
    },
];

#[derive(Deserialize)]
struct Lock {
    #[serde(default)]
    packages: Vec<LockPackage>,
    #[serde(default, rename = "packages-dev")]
    packages_dev: Vec<LockPackage>,
}

/// `vendor/composer/installed.json`: Composer 2 writes an object, Composer 1 a bare array.
#[derive(Deserialize)]
#[serde(untagged)]
enum Installed {
    V2 {
        packages: Vec<LockPackage>,
        #[serde(default, rename = "dev-package-names")]
        dev_package_names: Vec<String>,
    },
    V1(Vec<LockPackage>),
}

#[derive(Deserialize)]
struct LockPackage {
    name: String,
    version: String,
}

/// The version as Packagist advisories spell it: a `v`/`V` before a digit is dropped
/// (`v5.4.21` → `5.4.21`); branch versions (`dev-main`, `2.x-dev`) are kept as written.
pub fn packagist_version(version: &str) -> &str {
    match version.strip_prefix(['v', 'V']) {
        Some(rest) if rest.starts_with(|c: char| c.is_ascii_digit()) => rest,
        _ => version,
    }
}

/// The line of the first `"name": "<value>"` pair of each value.
fn name_lines(text: &str) -> HashMap<&str, u32> {
    let strings = crate::dotnet::json_strings(text);
    let mut lines = HashMap::new();
    for pair in strings.windows(2) {
        if pair[0].key && pair[0].raw == "name" && !pair[1].key {
            lines.entry(pair[1].raw).or_insert(pair[1].line);
        }
    }
    lines
}

/// Reads a `composer.lock`: `packages` are [`Scope::Prod`], `packages-dev` [`Scope::Dev`] (a
/// package in both is production). The lockfile does not say which packages `composer.json`
/// requires, so `direct` is `None`.
pub(crate) fn parse_composer_lock(path: &str, bytes: &[u8]) -> Result<Vec<Package>, ParseError> {
    let text =
        std::str::from_utf8(bytes).map_err(|e| ParseError::new(format!("not UTF-8: {e}")))?;
    let lock: Lock = serde_json::from_str(text).map_err(|e| {
        ParseError::new(e.to_string()).at_line(u32::try_from(e.line()).unwrap_or(u32::MAX))
    })?;
    let prod: HashSet<(&str, &str)> = lock
        .packages
        .iter()
        .map(|p| (p.name.as_str(), p.version.as_str()))
        .collect();
    let dev = lock
        .packages_dev
        .iter()
        .filter(|p| !prod.contains(&(p.name.as_str(), p.version.as_str())));
    let all = lock
        .packages
        .iter()
        .map(|p| (p, Scope::Prod))
        .chain(dev.map(|p| (p, Scope::Dev)));
    Ok(packages(path, text, all, Origin::Lockfile))
}

fn packages<'a>(
    path: &str,
    text: &str,
    all: impl Iterator<Item = (&'a LockPackage, Scope)>,
    origin: Origin,
) -> Vec<Package> {
    let lines = name_lines(text);
    all.map(|(p, scope)| {
        let version = packagist_version(&p.version);
        Package {
            ecosystem: Ecosystem::Packagist,
            name: p.name.clone(),
            version: version.to_owned(),
            purl: purl(Ecosystem::Packagist, &p.name, version),
            location: Location {
                file: path.to_owned(),
                line: lines.get(p.name.as_str()).copied(),
                ..Location::default()
            },
            scope,
            direct: None,
            origin,
        }
    })
    .collect()
}

/// Reads `vendor/composer/installed.json` (Composer 2's object or Composer 1's array): the
/// packages installed in `vendor/`, [`Scope::Dev`] when Composer 2 lists them in
/// `dev-package-names` (a `composer install` without `--no-dev`).
pub(crate) fn parse_installed_json(path: &str, bytes: &[u8]) -> Result<Vec<Package>, ParseError> {
    let text =
        std::str::from_utf8(bytes).map_err(|e| ParseError::new(format!("not UTF-8: {e}")))?;
    let installed: Installed = serde_json::from_str(text).map_err(|e| {
        let err = ParseError::new(format!("not a Composer installed.json: {e}"));
        match e.line() {
            0 => err,
            line => err.at_line(u32::try_from(line).unwrap_or(u32::MAX)),
        }
    })?;
    let (list, dev_names) = match &installed {
        Installed::V2 {
            packages,
            dev_package_names,
        } => (
            packages,
            dev_package_names.iter().map(String::as_str).collect(),
        ),
        Installed::V1(packages) => (packages, HashSet::new()),
    };
    let all = list.iter().map(|p| {
        let scope = if dev_names.contains(p.name.as_str()) {
            Scope::Dev
        } else {
            Scope::Prod
        };
        (p, scope)
    });
    Ok(packages(path, text, all, Origin::Installed))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    /// `v` prefixes before digits are dropped; branch names are kept.
    #[test]
    fn versions_normalised_like_packagist() {
        assert_eq!(packagist_version("v5.4.21"), "5.4.21");
        assert_eq!(packagist_version("V1.0"), "1.0");
        assert_eq!(packagist_version("2.x-dev"), "2.x-dev");
        assert_eq!(packagist_version("dev-main"), "dev-main");
        assert_eq!(packagist_version("vendor"), "vendor");
    }

    /// Composer 1's bare-array installed.json is read; other JSON is an error.
    #[test]
    fn installed_json_composer1_array() {
        let pkgs = parse_installed_json(
            "vendor/composer/installed.json",
            br#"[{"name": "monolog/monolog", "version": "1.11.0"}]"#,
        )
        .unwrap();
        assert_eq!(pkgs[0].name, "monolog/monolog");
        assert_eq!(pkgs[0].scope, Scope::Prod);
        assert!(parse_installed_json("installed.json", br#"{"x": 1}"#).is_err());
    }

    /// Malformed JSON is an error with its line; a package without a version is an error.
    #[test]
    fn malformed_composer_lock() {
        let err = parse_composer_lock("composer.lock", b"{\n\"packages\": [\n{\"name\": }\n]}")
            .unwrap_err();
        assert_eq!(err.line, Some(3));
        assert!(parse_composer_lock("composer.lock", br#"{"packages":[{"name":"a/b"}]}"#).is_err());
    }
}
