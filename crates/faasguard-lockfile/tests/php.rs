//! The composer.lock parser on a realistic lockfile.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::fixture;
use faasguard_lockfile::{Ecosystem, Origin, Package, Scope};

fn parse(path: &str, bytes: &[u8]) -> Vec<Package> {
    common::parse_only(path, bytes, Ecosystem::Packagist)
}

/// `packages` are prod, `packages-dev` dev (twig, in both, once as prod); `v` prefixes are
/// dropped, `dev-main` is kept; lines point at each package's `"name"`.
#[test]
fn composer_lock_prod_dev_v_prefix_branch() {
    let pkgs = parse(
        "fn/composer.lock",
        &fixture("php/prod_dev_v_prefix_branch/composer.lock"),
    );
    let got: Vec<(&str, &str, Scope)> = pkgs
        .iter()
        .map(|p| (p.name.as_str(), p.version.as_str(), p.scope))
        .collect();
    assert_eq!(
        got,
        vec![
            ("bref/bref", "2.1.13", Scope::Prod),
            ("guzzlehttp/guzzle", "7.4.3", Scope::Prod),
            ("symfony/http-foundation", "5.4.21", Scope::Prod),
            ("example/internal-tools", "dev-main", Scope::Prod),
            ("twig/twig", "3.4.2", Scope::Prod),
            ("phpunit/phpunit", "9.6.13", Scope::Dev),
        ]
    );
    let guzzle = &pkgs[1];
    assert_eq!(guzzle.location.line, Some(24));
    assert_eq!(guzzle.purl, "pkg:composer/guzzlehttp/guzzle@7.4.3");
    assert!(
        pkgs.iter()
            .all(|p| p.origin == Origin::Lockfile && p.direct.is_none())
    );
}

/// vendor/composer/installed.json (Composer 2): installed packages, `v` prefixes dropped,
/// `dev-package-names` marked Dev, Origin::Installed.
#[test]
fn installed_json_bref_vendor_composer2() {
    let path = "fn.zip!/vendor/composer/installed.json";
    let pkgs = parse(
        path,
        &fixture("php/bref_vendor_composer2/vendor/composer/installed.json"),
    );
    let got: Vec<(&str, &str, Scope)> = pkgs
        .iter()
        .map(|p| (p.name.as_str(), p.version.as_str(), p.scope))
        .collect();
    assert_eq!(
        got,
        vec![
            ("bref/bref", "2.1.13", Scope::Prod),
            ("guzzlehttp/psr7", "2.4.4", Scope::Prod),
            ("symfony/process", "6.4.7", Scope::Prod),
            ("phpunit/phpunit", "9.6.13", Scope::Dev),
        ]
    );
    assert_eq!(pkgs[2].location.line, Some(18));
    assert!(pkgs.iter().all(|p| p.origin == Origin::Installed));
}

/// Every prefix of each fixture, and each fixture with one byte replaced (at many positions,
/// by a quote, a newline or invalid UTF-8), is read by every parser claiming it without
/// panicking: an error or fewer packages.
#[test]
fn composer_lock_truncated_and_corrupted_never_panic() {
    let files: Vec<(&str, Vec<u8>)> = vec![
        (
            "composer.lock",
            fixture("php/prod_dev_v_prefix_branch/composer.lock"),
        ),
        (
            "vendor/composer/installed.json",
            fixture("php/bref_vendor_composer2/vendor/composer/installed.json"),
        ),
    ];
    common::never_panics(&files);
}
