//! Helpers shared by the parser test files: fixtures, parsing through the public registry, and
//! the truncation/corruption sweep every format must survive.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use faasguard_lockfile::{Ecosystem, Package, ParseError, parsers_for};

/// A fixture file under `tests/fixtures/`.
pub fn fixture(rel: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{rel}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Parses `bytes` as the file at `path` with the one parser that claims it, which must be of
/// `ecosystem`, and no other parser may claim it.
pub fn parse_only(path: &str, bytes: &[u8], ecosystem: Ecosystem) -> Vec<Package> {
    let head = &bytes[..bytes.len().min(4096)];
    let claimed: Vec<_> = parsers_for(path, head).collect();
    assert_eq!(claimed.len(), 1, "exactly one parser claims {path}");
    assert_eq!(claimed[0].ecosystem, ecosystem);
    (claimed[0].parse)(path, bytes).unwrap()
}

/// Parses `bytes` with the one parser of `ecosystem` that claims it (binaries are claimed by
/// the Go and the Rust parsers alike).
pub fn parse_among(path: &str, bytes: &[u8], ecosystem: Ecosystem) -> Vec<Package> {
    let head = &bytes[..bytes.len().min(4096)];
    let claimed: Vec<_> = parsers_for(path, head)
        .filter(|p| p.ecosystem == ecosystem)
        .collect();
    assert_eq!(
        claimed.len(),
        1,
        "exactly one {ecosystem} parser claims {path}"
    );
    (claimed[0].parse)(path, bytes).unwrap()
}

/// Every prefix of each file, and each file with one byte replaced (every 7th position, by a
/// quote, a newline or invalid UTF-8), is read by every parser claiming it without panicking.
pub fn never_panics(files: &[(&str, Vec<u8>)]) {
    for (path, bytes) in files {
        let run = |b: &[u8]| {
            for p in parsers_for(path, &b[..b.len().min(4096)]) {
                let _ = (p.parse)(path, b);
            }
        };
        for n in 0..bytes.len() {
            run(&bytes[..n]);
        }
        for at in (0..bytes.len()).step_by(7) {
            for byte in [b'"', b'\n', 0xff] {
                let mut b = bytes.clone();
                b[at] = byte;
                run(&b);
            }
        }
    }
}

/// Parses `bytes` as the file at `as_path` with the one parser that claims it.
pub fn parse_bytes(as_path: &str, bytes: &[u8]) -> Result<Vec<Package>, ParseError> {
    let head = &bytes[..bytes.len().min(4096)];
    let claimed: Vec<_> = parsers_for(as_path, head).collect();
    assert_eq!(
        claimed.len(),
        1,
        "{as_path}: claimed by {:?}",
        claimed.iter().map(|p| p.name).collect::<Vec<_>>()
    );
    (claimed[0].parse)(as_path, bytes)
}

/// Parses the fixture as the file at `as_path`.
pub fn parse(fixture_path: &str, as_path: &str) -> Result<Vec<Package>, ParseError> {
    parse_bytes(as_path, &fixture(fixture_path))
}

/// The package `name@version`, or a panic listing what there is.
pub fn find<'a>(pkgs: &'a [Package], name: &str, version: &str) -> &'a Package {
    pkgs.iter()
        .find(|p| p.name == name && p.version == version)
        .unwrap_or_else(|| panic!("{name}@{version} not in {:?}", names(pkgs)))
}

/// `name@version` of each package.
pub fn names(pkgs: &[Package]) -> Vec<String> {
    pkgs.iter()
        .map(|p| format!("{}@{}", p.name, p.version))
        .collect()
}
