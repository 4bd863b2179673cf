//! The .NET parsers on realistic files: a multi-target packages.lock.json and a published
//! function's deps.json.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::fixture;
use faasguard_lockfile::{Ecosystem, Origin, Package};

fn parse(path: &str, bytes: &[u8]) -> Vec<Package> {
    common::parse_only(path, bytes, Ecosystem::NuGet)
}

fn summary(pkgs: &[Package]) -> Vec<(&str, &str, Option<bool>)> {
    pkgs.iter()
        .map(|p| (p.name.as_str(), p.version.as_str(), p.direct))
        .collect()
}

/// packages.lock.json: packages merged across frameworks case-insensitively, direct when any
/// framework says `Direct`, `CentralTransitive` transitive, `Project` entries skipped.
#[test]
fn packages_lock_two_frameworks_project_ref() {
    let pkgs = parse(
        "src/OrderFunction/packages.lock.json",
        &fixture("dotnet/two_frameworks_project_ref/packages.lock.json"),
    );
    assert_eq!(
        summary(&pkgs),
        vec![
            ("Amazon.Lambda.Core", "2.1.0", Some(true)),
            (
                "Amazon.Lambda.Serialization.SystemTextJson",
                "2.3.0",
                Some(true)
            ),
            ("Newtonsoft.Json", "12.0.3", Some(true)),
            ("System.Text.Encodings.Web", "4.7.2", Some(false)),
        ]
    );
    assert_eq!(pkgs[2].location.line, Some(20));
    assert_eq!(pkgs[2].purl, "pkg:nuget/Newtonsoft.Json@12.0.3");
    assert!(pkgs.iter().all(|p| p.origin == Origin::Lockfile));
}

/// deps.json: only `package` libraries; the app project (named like the file) gives the
/// direct packages; the referenced project's packages are transitive.
#[test]
fn deps_json_published_lambda() {
    let pkgs = parse(
        "fn.zip!/OrderFunction.deps.json",
        &fixture("dotnet/published_lambda/OrderFunction.deps.json"),
    );
    assert_eq!(
        summary(&pkgs),
        vec![
            ("Amazon.Lambda.Core", "2.2.0", Some(true)),
            ("AWSSDK.Core", "3.7.300.1", Some(false)),
            ("AWSSDK.DynamoDBv2", "3.7.300.1", Some(true)),
            ("System.Text.Json", "8.0.0", Some(false)),
        ]
    );
    assert!(pkgs.iter().all(|p| p.origin == Origin::Installed));
    assert_eq!(pkgs[0].location.line, Some(20));
}

/// Every prefix of each fixture, and each fixture with one byte replaced (at many positions,
/// by a quote, a newline or invalid UTF-8), is read by every parser claiming it without
/// panicking: an error or fewer packages.
#[test]
fn dotnet_files_truncated_and_corrupted_never_panic() {
    let files: Vec<(&str, Vec<u8>)> = vec![
        (
            "packages.lock.json",
            fixture("dotnet/two_frameworks_project_ref/packages.lock.json"),
        ),
        (
            "OrderFunction.deps.json",
            fixture("dotnet/published_lambda/OrderFunction.deps.json"),
        ),
    ];
    common::never_panics(&files);
}
