//! Rust: `Cargo.lock` (v1–v4) and the dependency list `cargo auditable` embeds in binaries
//! (the `.dep-v0` section: zlib-compressed JSON).

pub(crate) mod exe;

use std::collections::{HashMap, HashSet};
use std::io::Read as _;

use faasguard_core::Location;
use serde::Deserialize;

use crate::{Ecosystem, Origin, Package, ParseError, Parser, Scope, file_name, purl};

/// This ecosystem's parsers.
pub(crate) const PARSERS: &[Parser] = &[
    Parser {
        name: "Cargo.lock",
        ecosystem: Ecosystem::CratesIo,
        claims: |path, _| file_name(path) == "Cargo.lock",
        parse: parse_cargo_lock,
    },
    Parser {
        name: "cargo-auditable",
        ecosystem: Ecosystem::CratesIo,
        claims: |_, head| crate::go::is_executable(head),
        parse: parse_auditable,
    },
];

fn package(
    path: &str,
    line: Option<u32>,
    name: &str,
    version: &str,
    scope: Scope,
    direct: Option<bool>,
    origin: Origin,
) -> Package {
    Package {
        ecosystem: Ecosystem::CratesIo,
        name: name.to_owned(),
        version: version.to_owned(),
        purl: purl(Ecosystem::CratesIo, name, version),
        location: Location {
            file: path.to_owned(),
            line,
            ..Location::default()
        },
        scope,
        direct,
        origin,
    }
}

// ---------------------------------------------------------------------------------------------
// Cargo.lock

#[derive(Deserialize)]
struct Lock {
    #[serde(default)]
    package: Vec<LockPackage>,
    /// The root package of very old (pre-2017) lockfiles, written as a `[root]` table.
    root: Option<LockPackage>,
}

#[derive(Deserialize)]
struct LockPackage {
    name: String,
    version: String,
    source: Option<String>,
    #[serde(default)]
    dependencies: Vec<String>,
}

/// 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> u32 {
    let n = text
        .as_bytes()
        .iter()
        .take(offset)
        .filter(|b| **b == b'\n')
        .count();
    u32::try_from(n + 1).unwrap_or(u32::MAX)
}

/// Reads a `Cargo.lock` (v1 with `[metadata]` and the old `[root]` table, v2, v3, v4).
/// Packages without a `source` are workspace members or path crates — local code, not the
/// published crate of that name — and are not reported; the crates they depend on are the
/// direct dependencies (`direct: Some(true)`), the rest transitive. Git and alternative-registry sources are reported under their crate name.
pub(crate) fn parse_cargo_lock(path: &str, bytes: &[u8]) -> Result<Vec<Package>, ParseError> {
    let text =
        std::str::from_utf8(bytes).map_err(|e| ParseError::new(format!("not UTF-8: {e}")))?;
    let lock: Lock = toml::from_str(text).map_err(|e| {
        let err = ParseError::new(e.message().to_owned());
        match e.span() {
            Some(span) => err.at_line(line_of(text, span.start)),
            None => err,
        }
    })?;
    // The `[[package]]` headers in order: the n-th is the n-th package.
    let header_lines: Vec<u32> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.trim() == "[[package]]")
        .map(|(i, _)| u32::try_from(i + 1).unwrap_or(u32::MAX))
        .collect();
    // `name`, `name version` or `name version (source)` as named by local packages.
    let mut direct: HashMap<&str, Vec<Option<&str>>> = HashMap::new();
    let locals: Vec<&LockPackage> = lock
        .package
        .iter()
        .filter(|p| p.source.is_none())
        .chain(&lock.root)
        .collect();
    let has_local = !locals.is_empty();
    for p in locals {
        for dep in &p.dependencies {
            let mut parts = dep.split_whitespace();
            if let Some(name) = parts.next() {
                direct.entry(name).or_default().push(parts.next());
            }
        }
    }
    let mut out = Vec::new();
    for (i, p) in lock.package.iter().enumerate() {
        if p.source.is_none() {
            continue;
        }
        let is_direct = direct
            .get(p.name.as_str())
            .is_some_and(|versions| versions.iter().any(|v| v.is_none_or(|v| v == p.version)));
        out.push(package(
            path,
            header_lines.get(i).copied(),
            &p.name,
            &p.version,
            Scope::Prod,
            has_local.then_some(is_direct),
            Origin::Lockfile,
        ));
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// cargo auditable

/// The section `cargo auditable` writes (ELF and PE; `__DATA,.dep-v0` on Mach-O).
const AUDITABLE_SECTION: &str = ".dep-v0";
/// Largest decompressed dependency list we read (real ones are a few KiB).
const MAX_AUDIT_JSON: u64 = 8 << 20;

#[derive(Deserialize)]
struct Audit {
    packages: Vec<AuditPackage>,
}

#[derive(Deserialize)]
struct AuditPackage {
    name: String,
    version: String,
    source: String,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    dependencies: Vec<usize>,
    #[serde(default)]
    root: bool,
}

/// Reads the `cargo auditable` dependency list of a Rust executable. The root crate and
/// `local` (path) crates are local code and not reported; crates the root depends on are
/// direct; `build` dependencies (build scripts, proc macros: not in the binary at run time)
/// are [`Scope::Dev`]. An executable without the section has no packages.
pub(crate) fn parse_auditable(path: &str, bytes: &[u8]) -> Result<Vec<Package>, ParseError> {
    let Some(compressed) = exe::section(bytes, AUDITABLE_SECTION) else {
        return Ok(Vec::new());
    };
    let mut json = Vec::new();
    flate2::read::ZlibDecoder::new(compressed)
        .take(MAX_AUDIT_JSON + 1)
        .read_to_end(&mut json)
        .map_err(|e| ParseError::new(format!("cargo-auditable data: bad zlib stream: {e}")))?;
    if json.len() as u64 > MAX_AUDIT_JSON {
        return Err(ParseError::new(format!(
            "cargo-auditable data: more than {MAX_AUDIT_JSON} bytes decompressed"
        )));
    }
    let audit: Audit = serde_json::from_slice(&json)
        .map_err(|e| ParseError::new(format!("cargo-auditable data: {e}")))?;
    let roots: HashSet<usize> = audit
        .packages
        .iter()
        .enumerate()
        .filter(|(_, p)| p.root)
        .map(|(i, _)| i)
        .collect();
    let direct: HashSet<usize> = roots
        .iter()
        .filter_map(|i| audit.packages.get(*i))
        .flat_map(|p| p.dependencies.iter().copied())
        .collect();
    let mut out = Vec::new();
    for (i, p) in audit.packages.iter().enumerate() {
        if p.root || p.source == "local" {
            continue;
        }
        let scope = if p.kind.as_deref() == Some("build") {
            Scope::Dev
        } else {
            Scope::Prod
        };
        out.push(package(
            path,
            None,
            &p.name,
            &p.version,
            scope,
            (!roots.is_empty()).then_some(direct.contains(&i)),
            Origin::Binary,
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    /// A Cargo.lock that is not TOML is an error with the line of the problem.
    #[test]
    fn malformed_cargo_lock_has_line() {
        let err = parse_cargo_lock(
            "Cargo.lock",
            b"version = 3\n\n[[package]]\nname = \"a\"\nversion = \n",
        )
        .unwrap_err();
        assert_eq!(err.line, Some(5));
        let err = parse_cargo_lock("Cargo.lock", b"[[package]]\nname = \"a\"\n").unwrap_err();
        assert!(err.message.contains("version"), "{err}");
    }

    /// The `[root]` table of very old lockfiles names the direct dependencies.
    #[test]
    fn old_root_table() {
        let pkgs = parse_cargo_lock(
            "Cargo.lock",
            b"[root]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\n \"libc 0.2.20 (registry+https://github.com/rust-lang/crates.io-index)\",\n]\n\n[[package]]\nname = \"libc\"\nversion = \"0.2.20\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n",
        )
        .unwrap();
        assert_eq!(pkgs.len(), 1);
        assert_eq!(pkgs[0].direct, Some(true));
        assert_eq!(pkgs[0].location.line, Some(8));
    }

    /// Without any local package the lockfile cannot say what is direct.
    #[test]
    fn no_local_package_means_direct_unknown() {
        let pkgs = parse_cargo_lock(
            "Cargo.lock",
            b"[[package]]\nname = \"a\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n",
        )
        .unwrap();
        assert_eq!(pkgs.len(), 1);
        assert_eq!(pkgs[0].direct, None);
        assert_eq!(pkgs[0].location.line, Some(1));
    }

    /// Bad zlib data and bad JSON in the section are errors; a binary without the section has
    /// no packages.
    #[test]
    fn corrupt_auditable_sections() {
        let elf = exe::tests::elf64_with_section(".dep-v0", b"not zlib");
        assert!(parse_auditable("b", &elf).is_err());
        let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut enc, b"{\"packages\": 3}").unwrap();
        let elf = exe::tests::elf64_with_section(".dep-v0", &enc.finish().unwrap());
        assert!(parse_auditable("b", &elf).is_err());
        let elf = exe::tests::elf64_with_section(".text", b"code");
        assert_eq!(parse_auditable("b", &elf).unwrap(), vec![]);
    }
}
