//! The Rust parsers on realistic files: Cargo.lock v1 and v4, and a real cargo-auditable
//! executable.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::fixture;
use faasguard_lockfile::{Ecosystem, Origin, Package, Scope, parsers_for};

/// Parses `bytes` with the crates.io parsers that claim `path`.
fn parse(path: &str, bytes: &[u8]) -> Vec<Package> {
    common::parse_among(path, bytes, Ecosystem::CratesIo)
}

fn summary(pkgs: &[Package]) -> Vec<(&str, &str, Option<bool>)> {
    pkgs.iter()
        .map(|p| (p.name.as_str(), p.version.as_str(), p.direct))
        .collect()
}

/// Cargo.lock v1: the root package (no source) is skipped; its `name version (source)`
/// dependencies are direct, the rest transitive; lines point at `[[package]]`.
#[test]
fn cargo_lock_v1_with_metadata() {
    let pkgs = parse(
        "svc/Cargo.lock",
        &fixture("rust/v1_with_metadata/Cargo.lock"),
    );
    assert_eq!(
        summary(&pkgs),
        vec![
            ("lambda_runtime", "0.8.3", Some(true)),
            ("serde", "1.0.188", Some(true)),
            ("tokio", "1.32.0", Some(false)),
        ]
    );
    assert_eq!(pkgs[0].location.line, Some(9));
    assert_eq!(pkgs[0].purl, "pkg:cargo/lambda_runtime@0.8.3");
    assert!(pkgs.iter().all(|p| p.origin == Origin::Lockfile));
}

/// Cargo.lock v4: workspace members skipped, both base64 versions kept and only the one a
/// member names by version is direct, git and sparse-registry sources reported.
#[test]
fn cargo_lock_v4_workspace_git_two_versions() {
    let pkgs = parse(
        "Cargo.lock",
        &fixture("rust/v4_workspace_git_two_versions/Cargo.lock"),
    );
    assert_eq!(
        summary(&pkgs),
        vec![
            ("aws-lambda-events", "0.15.1", Some(true)),
            ("base64", "0.13.1", Some(true)),
            ("base64", "0.21.7", Some(false)),
            ("serde", "1.0.203", Some(true)),
            ("smallvec", "1.6.0", Some(true)),
        ]
    );
    assert!(
        pkgs.iter()
            .all(|p| p.name != "shared-types" && p.name != "image-resizer")
    );
}

/// A real cargo-auditable executable: the root (`local`) crate is skipped, its dependencies
/// are direct, build-only crates are Dev scope, all with Origin::Binary.
#[test]
fn cargo_auditable_executable() {
    let path = "fn.zip!/bootstrap";
    let pkgs = parse(path, &fixture("rust/thumbnailer_cargo_auditable_x86_64"));
    assert_eq!(
        summary(&pkgs),
        vec![
            ("base64", "0.13.1", Some(true)),
            ("cc", "1.0.83", Some(true)),
            ("libc", "0.2.191", Some(false)),
            ("smallvec", "1.6.0", Some(true)),
        ]
    );
    let scopes: Vec<Scope> = pkgs.iter().map(|p| p.scope).collect();
    assert_eq!(
        scopes,
        vec![Scope::Prod, Scope::Dev, Scope::Dev, Scope::Prod]
    );
    assert!(
        pkgs.iter()
            .all(|p| p.origin == Origin::Binary && p.location.file == path)
    );
}

/// The Go executable has no `.dep-v0` section: no crates, and truncations of the auditable
/// binary never panic.
#[test]
fn cargo_auditable_absent_or_truncated() {
    assert_eq!(
        parse(
            "bootstrap",
            &fixture("go/bootstrap_go1.19_vendored_with_replace")
        ),
        vec![]
    );
    let bytes = fixture("rust/thumbnailer_cargo_auditable_x86_64");
    let p = parsers_for("bootstrap", &bytes[..4096])
        .find(|p| p.ecosystem == Ecosystem::CratesIo)
        .unwrap();
    for n in (0..bytes.len()).step_by(997) {
        let _ = (p.parse)("bootstrap", &bytes[..n]);
    }
}

/// Every prefix of each fixture, and each fixture with one byte replaced (at many positions,
/// by a quote, a newline or invalid UTF-8), is read by every parser claiming it without
/// panicking: an error or fewer packages.
#[test]
fn cargo_lock_truncated_and_corrupted_never_panic() {
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("Cargo.lock", fixture("rust/v1_with_metadata/Cargo.lock")),
        (
            "Cargo.lock",
            fixture("rust/v4_workspace_git_two_versions/Cargo.lock"),
        ),
    ];
    common::never_panics(&files);
}
