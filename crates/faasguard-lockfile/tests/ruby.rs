//! The Gemfile.lock parser on a realistic Bundler 2.5 lockfile.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::fixture;
use faasguard_lockfile::{Ecosystem, Origin, Package};

fn parse(path: &str, bytes: &[u8]) -> Vec<Package> {
    common::parse_only(path, bytes, Ecosystem::RubyGems)
}

/// GEM and GIT specs are packages (platform variants merged, platform split off), PATH gems
/// and 6-space dependency ranges are not; DEPENDENCIES (with `!`) marks direct gems.
#[test]
fn gemfile_lock_git_path_platforms_checksums() {
    let pkgs = parse(
        "app/Gemfile.lock",
        &fixture("ruby/git_path_platforms_checksums/Gemfile.lock"),
    );
    let got: Vec<(&str, &str, Option<bool>)> = pkgs
        .iter()
        .map(|p| (p.name.as_str(), p.version.as_str(), p.direct))
        .collect();
    assert_eq!(
        got,
        vec![
            ("aws_lambda_ric", "2.0.0", Some(true)),
            ("aws-eventstream", "1.3.0", Some(false)),
            ("aws-partitions", "1.907.0", Some(false)),
            ("aws-sdk-core", "3.191.6", Some(true)),
            ("aws-sigv4", "1.8.0", Some(false)),
            ("jmespath", "1.6.2", Some(false)),
            ("json", "2.7.1", Some(false)),
            ("nokogiri", "1.13.6", Some(true)),
            ("racc", "1.7.3", Some(false)),
            ("rack", "2.2.8.1", Some(true)),
            ("rspec", "3.13.0", Some(true)),
        ]
    );
    let nokogiri = pkgs.iter().find(|p| p.name == "nokogiri").unwrap();
    assert_eq!(nokogiri.location.line, Some(28));
    assert_eq!(nokogiri.purl, "pkg:gem/nokogiri@1.13.6");
    assert!(pkgs.iter().all(|p| p.origin == Origin::Lockfile));
}

/// An installed platform gem's specification (vendor/bundle): the stub line gives name and
/// version without the platform; Origin::Installed.
#[test]
fn installed_gemspec_vendor_bundle_platform_gem() {
    let path =
        "fn.zip!/vendor/bundle/ruby/3.2.0/specifications/nokogiri-1.13.6-x86_64-linux.gemspec";
    let pkgs = parse(
        path,
        &fixture(
            "ruby/vendor_bundle/ruby/3.2.0/specifications/nokogiri-1.13.6-x86_64-linux.gemspec",
        ),
    );
    assert_eq!(pkgs.len(), 1);
    assert_eq!(
        (pkgs[0].name.as_str(), pkgs[0].version.as_str()),
        ("nokogiri", "1.13.6")
    );
    assert_eq!(pkgs[0].origin, Origin::Installed);
    assert_eq!(pkgs[0].location.line, Some(2));
}

/// Every prefix of each fixture, and each fixture with one byte replaced (at many positions,
/// by a quote, a newline or invalid UTF-8), is read by every parser claiming it without
/// panicking: an error or fewer packages.
#[test]
fn gemfile_lock_truncated_and_corrupted_never_panic() {
    let files: Vec<(&str, Vec<u8>)> = vec![
        (
            "Gemfile.lock",
            fixture("ruby/git_path_platforms_checksums/Gemfile.lock"),
        ),
        (
            "specifications/nokogiri-1.13.6-x86_64-linux.gemspec",
            fixture(
                "ruby/vendor_bundle/ruby/3.2.0/specifications/nokogiri-1.13.6-x86_64-linux.gemspec",
            ),
        ),
    ];
    common::never_panics(&files);
}
