//! The Go parsers on realistic files: a go.mod with every directive kind, and a real Go
//! executable's build info.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::fixture;
use faasguard_lockfile::{Ecosystem, Origin, Package, parsers_for};

/// Parses `bytes` with the one parser that claims `path` (by name or by magic bytes).
fn parse(path: &str, bytes: &[u8]) -> Vec<Package> {
    common::parse_among(path, bytes, Ecosystem::Go)
}

fn find<'a>(pkgs: &'a [Package], name: &str) -> &'a Package {
    pkgs.iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("{name} not found in {pkgs:#?}"))
}

/// go.mod: require blocks with `// indirect`, a local replace dropping the module, path-wide
/// and version-specific replaces applied, a version-specific replace for another version left
/// alone, and the stdlib at the toolchain version (OSV form, no `go` prefix).
#[test]
fn go_mod_blocks_indirect_replace_toolchain() {
    let path = "svc/go.mod";
    let pkgs = parse(
        path,
        &fixture("go/blocks_indirect_replace_toolchain/go.mod"),
    );
    let lambda = find(&pkgs, "github.com/aws/aws-lambda-go");
    assert_eq!(lambda.version, "v1.47.0");
    assert_eq!(lambda.direct, Some(true));
    assert_eq!(lambda.location.line, Some(8));
    assert_eq!(lambda.origin, Origin::Manifest);
    assert_eq!(
        lambda.purl,
        "pkg:golang/github.com/aws/aws-lambda-go@v1.47.0"
    );

    let smithy = find(&pkgs, "github.com/aws/smithy-go");
    assert_eq!(smithy.direct, Some(false));

    // replace golang.org/x/net => golang.org/x/net v0.23.0 (path-wide)
    assert_eq!(find(&pkgs, "golang.org/x/net").version, "v0.23.0");
    // replace golang.org/x/text v0.3.7 => … v0.3.8 (matches the required version)
    assert_eq!(find(&pkgs, "golang.org/x/text").version, "v0.3.8");
    // replace jwt v4.0.0 => … does not match the required v4.4.1
    assert_eq!(
        find(&pkgs, "github.com/golang-jwt/jwt/v4").version,
        "v4.4.1"
    );
    // replaced by ../internal-lib: local code, not the published module
    assert!(
        pkgs.iter()
            .all(|p| p.name != "github.com/example/internal-lib")
    );

    let stdlib = find(&pkgs, "stdlib");
    assert_eq!(stdlib.version, "1.22.5");
    assert_eq!(stdlib.location.line, Some(5));
    assert_eq!(pkgs.len(), 9);
}

/// A real go1.19 executable: the build info's deps (with the `=>` replacement applied) and the
/// stdlib at the release that built it; the `(devel)` main module is not a package.
#[test]
fn go_binary_vendored_with_replace() {
    let path = "function.zip!/bootstrap";
    let pkgs = parse(path, &fixture("go/bootstrap_go1.19_vendored_with_replace"));
    let got: Vec<(&str, &str)> = pkgs
        .iter()
        .map(|p| (p.name.as_str(), p.version.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("github.com/example-fork/aws-lambda-go", "v1.41.1"),
            ("golang.org/x/text", "v0.3.7"),
            ("stdlib", "1.19.8"),
        ]
    );
    assert!(pkgs.iter().all(|p| p.origin == Origin::Binary));
    assert!(pkgs.iter().all(|p| p.location.file == path));
}

/// Truncating the real binary anywhere never panics, and the magic-less ELF header of it
/// yields no packages.
#[test]
fn go_binary_truncated_never_panics() {
    let bytes = fixture("go/bootstrap_go1.19_vendored_with_replace");
    for n in (0..bytes.len()).step_by(4093) {
        let _ = parse_any(&bytes[..n]);
    }
    assert_eq!(parse_any(&bytes[..4096]).unwrap(), vec![]);
}

fn parse_any(bytes: &[u8]) -> Result<Vec<Package>, faasguard_lockfile::ParseError> {
    let head = &bytes[..bytes.len().min(4096)];
    let mut out = Vec::new();
    for p in parsers_for("bootstrap", head).filter(|p| p.ecosystem == Ecosystem::Go) {
        out.extend((p.parse)("bootstrap", bytes)?);
    }
    Ok(out)
}

/// Every prefix of each fixture, and each fixture with one byte replaced (at many positions,
/// by a quote, a newline or invalid UTF-8), is read by every parser claiming it without
/// panicking: an error or fewer packages.
#[test]
fn go_mod_truncated_and_corrupted_never_panic() {
    let files: Vec<(&str, Vec<u8>)> = vec![(
        "go.mod",
        fixture("go/blocks_indirect_replace_toolchain/go.mod"),
    )];
    common::never_panics(&files);
}
