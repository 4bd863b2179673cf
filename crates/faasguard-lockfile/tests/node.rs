//! The JavaScript parsers, driven through the public registry (`parsers_for`) on fixture
//! files trimmed from real lockfiles and installed trees.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fmt::Write as _;

mod common;

use common::{find, fixture as read, names, parse, parse_bytes};
use faasguard_lockfile::{Ecosystem, Origin, Scope, parsers_for};

/// A v3 lockfile with a workspace: link entries and the workspace's own source are skipped,
/// nested installs and aliases are read, flags give scopes, the root's dependency lists
/// give direct packages, and each package points at its key's line.
#[test]
fn package_lock_v3_with_workspaces() {
    let pkgs = parse(
        "npm/package-lock_v3_with_workspaces.json",
        "svc/package-lock.json",
    )
    .unwrap();
    assert_eq!(
        names(&pkgs),
        [
            "@aws-sdk/client-dynamodb@3.600.0",
            "@smithy/util-waiter@3.1.0",
            "axios@1.6.0",
            "chokidar@3.5.3",
            "follow-redirects@1.15.3",
            "fsevents@2.3.3",
            "jest@29.7.0",
            "jest-cli@29.7.0",
            "uuid@8.3.2",
            "string-width@4.2.3",
            "uuid@9.0.1",
            "zod@3.22.4",
        ]
    );
    let sdk = find(&pkgs, "@aws-sdk/client-dynamodb", "3.600.0");
    assert_eq!(sdk.purl, "pkg:npm/%40aws-sdk/client-dynamodb@3.600.0");
    assert_eq!(sdk.location.file, "svc/package-lock.json");
    assert_eq!(sdk.location.line, Some(25));
    assert_eq!((sdk.scope, sdk.direct), (Scope::Prod, Some(true)));
    assert_eq!(
        (sdk.ecosystem, sdk.origin),
        (Ecosystem::Npm, Origin::Lockfile)
    );

    let follow = find(&pkgs, "follow-redirects", "1.15.3");
    assert_eq!((follow.scope, follow.direct), (Scope::Prod, Some(false)));
    let jest = find(&pkgs, "jest", "29.7.0");
    assert_eq!((jest.scope, jest.direct), (Scope::Dev, Some(true)));
    let nested = find(&pkgs, "uuid", "8.3.2");
    assert_eq!((nested.scope, nested.direct), (Scope::Dev, Some(false)));
    assert_eq!(nested.location.line, Some(99));
    assert_eq!(find(&pkgs, "fsevents", "2.3.3").scope, Scope::Optional);
    assert_eq!(find(&pkgs, "chokidar", "3.5.3").scope, Scope::Optional);
    // The alias directory is listed by the root; the package is the real one.
    let alias = find(&pkgs, "string-width", "4.2.3");
    assert_eq!(alias.direct, Some(true));
    assert_eq!(alias.purl, "pkg:npm/string-width@4.2.3");
    // A workspace's own dependency, installed under the workspace.
    assert_eq!(find(&pkgs, "zod", "3.22.4").direct, Some(true));
}

/// A v2 lockfile carries both `packages` and the v1 `dependencies`: only `packages` is
/// read, so nothing is doubled; the same name at two versions stays two packages.
#[test]
fn package_lock_v2_reads_packages_only() {
    let pkgs = parse(
        "npm/package-lock_v2_packages_and_dependencies.json",
        "package-lock.json",
    )
    .unwrap();
    assert_eq!(
        names(&pkgs),
        [
            "sharp@0.32.6",
            "semver@7.5.4",
            "eslint@8.50.0",
            "semver@6.3.1"
        ]
    );
    assert_eq!(find(&pkgs, "semver", "6.3.1").scope, Scope::Dev);
    assert_eq!(find(&pkgs, "semver", "7.5.4").scope, Scope::Prod);
    assert_eq!(find(&pkgs, "semver", "7.5.4").location.line, Some(26));
}

/// A v1 lockfile: the nested `dependencies` tree, `npm:` aliases naming the real package,
/// git and `file:` dependencies skipped, direct unknown, lines found in document order
/// (the nested `ms` before the top-level one).
#[test]
fn package_lock_v1_nested_with_alias_and_git() {
    let pkgs = parse(
        "npm/package-lock_v1_nested_with_alias_and_git.json",
        "package-lock.json",
    )
    .unwrap();
    assert_eq!(
        names(&pkgs),
        [
            "debug@2.6.9",
            "ms@2.0.0",
            "express@4.17.1",
            "mocha@8.4.0",
            "ms@2.1.3",
            "lodash@4.17.20"
        ]
    );
    assert!(pkgs.iter().all(|p| p.direct.is_none()));
    assert_eq!(find(&pkgs, "ms", "2.0.0").location.line, Some(15));
    assert_eq!(find(&pkgs, "ms", "2.1.3").location.line, Some(39));
    assert_eq!(find(&pkgs, "mocha", "8.4.0").scope, Scope::Dev);
    assert_eq!(find(&pkgs, "lodash", "4.17.20").location.line, Some(45));
}

/// `npm-shrinkwrap.json` is read like a package lock.
#[test]
fn npm_shrinkwrap() {
    let pkgs = parse("npm/npm-shrinkwrap.json", "cli/npm-shrinkwrap.json").unwrap();
    assert_eq!(names(&pkgs), ["minimist@1.2.5"]);
    assert_eq!(pkgs[0].direct, Some(true));
}

/// An npm 2–4 shrinkwrap has no lockfileVersion; its nested tree is read as v1.
#[test]
fn npm_shrinkwrap_npm3_without_lockfile_version() {
    let pkgs = parse(
        "npm/npm-shrinkwrap_npm3_without_lockfile_version.json",
        "npm-shrinkwrap.json",
    )
    .unwrap();
    assert_eq!(names(&pkgs), ["async@1.5.2", "gm@1.21.1", "debug@2.2.0"]);
    assert_eq!(find(&pkgs, "debug", "2.2.0").location.line, Some(15));
}

/// Lockfiles that packages ship inside `node_modules` (and npm's hidden lockfile) are not
/// claimed: they describe how the package was developed, not what is installed.
#[test]
fn lockfiles_inside_node_modules_are_not_claimed() {
    for path in [
        "node_modules/.package-lock.json",
        "node_modules/left-pad/package-lock.json",
        "node_modules/x/yarn.lock",
        "app.zip!/node_modules/y/pnpm-lock.yaml",
    ] {
        assert_eq!(parsers_for(path, b"{}").count(), 0, "{path}");
    }
}

/// An unknown lockfileVersion is an error that says so; a truncated file is a JSON error
/// with the line where it ends; invalid UTF-8 is an error, not a panic.
#[test]
fn package_lock_bad_input() {
    let err = parse("npm/package-lock_unknown_version.json", "package-lock.json").unwrap_err();
    assert!(err.message.contains("lockfileVersion 4"), "{err}");
    let err = parse("npm/package-lock_truncated.json", "package-lock.json").unwrap_err();
    assert!(err.message.contains("JSON"), "{err}");
    // The file stops in the middle of line 27.
    assert_eq!(err.line, Some(27));
    let err = parse_bytes("package-lock.json", b"{\"lockfileVersion\": 3,\n\xC3\x28}").unwrap_err();
    assert_eq!(err.line, Some(2));
    let err = parse_bytes("package-lock.json", b"{\"name\": \"x\"}").unwrap_err();
    assert!(err.message.contains("no lockfileVersion"), "{err}");
    let err = parse_bytes("package-lock.json", b"[]").unwrap_err();
    assert!(err.message.contains("object"), "{err}");
}

/// A generated v3 lockfile with 100,000 packages parses completely (every one with a line).
#[test]
fn package_lock_with_100k_packages() {
    let mut text = String::from(
        "{\n  \"name\": \"big\",\n  \"lockfileVersion\": 3,\n  \"packages\": {\n    \"\": {\"name\": \"big\"}",
    );
    for i in 0..100_000 {
        let _ = write!(
            text,
            ",\n    \"node_modules/pkg-{i}\": {{\n      \"version\": \"1.0.{i}\",\n      \"dev\": {}\n    }}",
            i % 2 == 0
        );
    }
    text.push_str("\n  }\n}\n");
    let pkgs = parse_bytes("package-lock.json", text.as_bytes()).unwrap();
    assert_eq!(pkgs.len(), 100_000);
    assert!(pkgs.iter().all(|p| p.location.line.is_some()));
    assert_eq!(
        find(&pkgs, "pkg-99999", "1.0.99999").location.line,
        Some(5 + 4 * 99_999 + 1)
    );
}

/// yarn v1: multi-spec headers give one package, scoped names and `npm:` aliases name the
/// real package, git and `file:` entries are skipped, lines are the header lines.
#[test]
fn yarn_v1_multi_spec_headers() {
    let pkgs = parse("yarn/yarn_v1_multi_spec_headers.lock", "web/yarn.lock").unwrap();
    assert_eq!(
        names(&pkgs),
        [
            "@babel/code-frame@7.22.13",
            "ansi-regex@5.0.1",
            "chalk@2.4.2",
            "lodash@4.17.20",
            "string-width@4.2.3"
        ]
    );
    assert_eq!(
        find(&pkgs, "@babel/code-frame", "7.22.13").location.line,
        Some(5)
    );
    assert_eq!(find(&pkgs, "lodash", "4.17.20").location.line, Some(23));
    assert!(
        pkgs.iter()
            .all(|p| p.scope == Scope::Prod && p.direct.is_none())
    );
}

/// yarn berry: `resolution` gives name and version, the workspace itself and git
/// packages are skipped, a `patch:` entry is the npm package it patches (merged with it),
/// aliases name the real package.
#[test]
fn yarn_berry_with_workspace_and_patch() {
    let pkgs = parse("yarn/yarn_berry_with_workspace_and_patch.lock", "yarn.lock").unwrap();
    assert_eq!(
        names(&pkgs),
        [
            "@types/aws-lambda@8.10.130",
            "jsonwebtoken@8.5.1",
            "resolve@1.22.8",
            "semver@5.7.1",
            "wrap-ansi@7.0.0"
        ]
    );
    assert_eq!(find(&pkgs, "jsonwebtoken", "8.5.1").location.line, Some(26));
    assert_eq!(
        find(&pkgs, "@types/aws-lambda", "8.10.130").purl,
        "pkg:npm/%40types/aws-lambda@8.10.130"
    );
}

/// Malformed yarn files are errors with a line, in both formats.
#[test]
fn yarn_bad_input() {
    let err = parse("yarn/yarn_v1_malformed.lock", "yarn.lock").unwrap_err();
    assert_eq!(err.line, Some(3));
    let err = parse("yarn/yarn_berry_malformed.lock", "yarn.lock").unwrap_err();
    assert!(err.message.contains("YAML"), "{err}");
    assert!(err.line.is_some());
}

/// pnpm v5 (pnpm 7): `/name/version` keys, `_peer` suffixes dropped, `dev` flags for scope
/// (`dev: true` wins over `optional: true`), the top-level maps for direct packages, and
/// packages from a mirror registry keyed `registry.host/name/version`.
#[test]
fn pnpm_v5_dev_flags_and_peer_suffix() {
    let pkgs = parse(
        "pnpm/pnpm-lock_v5_dev_flags_and_peer_suffix.yaml",
        "pnpm-lock.yaml",
    )
    .unwrap();
    assert_eq!(
        names(&pkgs),
        [
            "@middy/core@3.6.2",
            "body-parser@1.20.1",
            "express@4.18.2",
            "jest@29.7.0",
            "fsevents@2.3.3",
            "typescript@4.5.4"
        ]
    );
    // A package from another registry: keyed by host, named by its fields.
    let ts = find(&pkgs, "typescript", "4.5.4");
    assert_eq!((ts.scope, ts.direct), (Scope::Dev, Some(true)));
    let jest = find(&pkgs, "jest", "29.7.0");
    assert_eq!((jest.scope, jest.direct), (Scope::Dev, Some(true)));
    assert_eq!(jest.location.line, Some(36));
    let body = find(&pkgs, "body-parser", "1.20.1");
    assert_eq!((body.scope, body.direct), (Scope::Prod, Some(false)));
    assert_eq!(find(&pkgs, "fsevents", "2.3.3").scope, Scope::Dev);
}

/// pnpm v6 (pnpm 8): `/name@version(peer)` keys, importer objects with aliases
/// (`version: /wrap-ansi@7.0.0`), optional packages, git packages keyed by URL.
#[test]
fn pnpm_v6_peers_in_parentheses() {
    let pkgs = parse(
        "pnpm/pnpm-lock_v6_peers_in_parentheses.yaml",
        "pnpm-lock.yaml",
    )
    .unwrap();
    assert_eq!(pkgs.len(), 9, "{:?}", names(&pkgs));
    let dom = find(&pkgs, "react-dom", "18.2.0");
    assert_eq!((dom.scope, dom.direct), (Scope::Prod, Some(true)));
    assert_eq!(dom.location.line, Some(47));
    // A git tarball package named by its `name` and `version` fields.
    assert_eq!(find(&pkgs, "lambda-utils", "1.4.0").location.line, Some(30));
    assert_eq!(find(&pkgs, "wrap-ansi", "7.0.0").direct, Some(true));
    assert_eq!(find(&pkgs, "loose-envify", "1.4.0").direct, Some(false));
    assert_eq!(find(&pkgs, "sharp", "0.33.0").scope, Scope::Optional);
    assert_eq!(find(&pkgs, "typescript", "5.2.2").scope, Scope::Dev);
}

/// pnpm v9: `name@version` keys, scopes by reachability through `snapshots` from the
/// importers (a dev-only transitive package is Dev), direct from every importer
/// (workspace projects too, `link:` skipped), tarball packages named by their fields.
#[test]
fn pnpm_v9_importers_and_snapshots() {
    let pkgs = parse(
        "pnpm/pnpm-lock_v9_importers_and_snapshots.yaml",
        "pnpm-lock.yaml",
    )
    .unwrap();
    assert_eq!(
        names(&pkgs),
        [
            "@corp/pdf-kit@2.1.0",
            "@middy/core@5.0.0",
            "js-tokens@4.0.0",
            "loose-envify@1.4.0",
            "react-dom@18.2.0",
            "react@18.2.0",
            "string-width@4.2.3",
            "tinypool@0.8.1",
            "vitest@1.0.4",
            "zod@3.22.4"
        ]
    );
    let tokens = find(&pkgs, "js-tokens", "4.0.0");
    assert_eq!((tokens.scope, tokens.direct), (Scope::Prod, Some(false)));
    let pool = find(&pkgs, "tinypool", "0.8.1");
    assert_eq!((pool.scope, pool.direct), (Scope::Dev, Some(false)));
    let vitest = find(&pkgs, "vitest", "1.0.4");
    assert_eq!((vitest.scope, vitest.direct), (Scope::Dev, Some(true)));
    assert_eq!(find(&pkgs, "string-width", "4.2.3").direct, Some(true));
    assert_eq!(find(&pkgs, "zod", "3.22.4").direct, Some(true));
    assert_eq!(find(&pkgs, "@middy/core", "5.0.0").location.line, Some(41));
}

/// Every YAML document of a several-document lockfile is read (pnpm 11 puts its own
/// environment document first).
#[test]
fn pnpm_v9_two_documents() {
    let pkgs = parse("pnpm/pnpm-lock_v9_two_documents.yaml", "pnpm-lock.yaml").unwrap();
    assert_eq!(names(&pkgs), ["aws-jwt-verify@4.0.1"]);
    assert_eq!(pkgs[0].location.line, Some(29));
    assert_eq!(pkgs[0].direct, Some(true));
}

/// An unknown lockfileVersion is an error saying so; broken YAML is an error with a line.
#[test]
fn pnpm_bad_input() {
    let err = parse("pnpm/pnpm-lock_unknown_version.yaml", "pnpm-lock.yaml").unwrap_err();
    assert!(err.message.contains("lockfileVersion \"3.9\""), "{err}");
    assert_eq!(err.line, Some(1));
    let err = parse("pnpm/pnpm-lock_malformed.yaml", "pnpm-lock.yaml").unwrap_err();
    assert!(err.message.contains("YAML"), "{err}");
    assert!(err.line.is_some());
    let err = parse_bytes("pnpm-lock.yaml", b"name: not-a-lock\n").unwrap_err();
    assert!(err.message.contains("lockfileVersion"), "{err}");
}

/// Installed packages: plain and scoped package directories, pnpm's `.pnpm` store, and
/// alias directories (the `name` field wins); the line is the `"version"` line.
#[test]
fn installed_package_json() {
    let pkgs = parse(
        "node_modules/lodash_package.json",
        "fn.zip!/node_modules/lodash/package.json",
    )
    .unwrap();
    assert_eq!(names(&pkgs), ["lodash@4.17.20"]);
    assert_eq!(pkgs[0].origin, Origin::Installed);
    assert_eq!(pkgs[0].location.line, Some(3));
    assert_eq!(
        pkgs[0].location.file,
        "fn.zip!/node_modules/lodash/package.json"
    );

    let pkgs = parse(
        "node_modules/aws-sdk_client-s3_package.json",
        "node_modules/.pnpm/@aws-sdk+client-s3@3.400.0/node_modules/@aws-sdk/client-s3/package.json",
    )
    .unwrap();
    assert_eq!(names(&pkgs), ["@aws-sdk/client-s3@3.400.0"]);
    assert_eq!(pkgs[0].location.line, Some(4));

    let pkgs = parse(
        "node_modules/string-width-cjs_alias_package.json",
        "node_modules/string-width-cjs/package.json",
    )
    .unwrap();
    assert_eq!(names(&pkgs), ["string-width@4.2.3"]);
}

/// Only package directories are claimed: not a project's own package.json, not files deeper
/// inside a package, not a scope directory. A claimed file without name and version names
/// nothing; a truncated one is an error.
#[test]
fn installed_package_json_claims_and_bad_input() {
    for path in [
        "package.json",
        "app/package.json",
        "node_modules/x/lib/package.json",
        "node_modules/x/dist/esm/package.json",
        "node_modules/@scope/package.json",
        "node_modules/@babel/runtime/helpers/esm/package.json",
    ] {
        assert_eq!(parsers_for(path, b"{}").count(), 0, "{path}");
    }
    let pkgs = parse(
        "node_modules/esm_marker_package.json",
        "node_modules/weird/package.json",
    )
    .unwrap();
    assert!(pkgs.is_empty());
    let err = parse(
        "node_modules/truncated_package.json",
        "node_modules/broken/package.json",
    )
    .unwrap_err();
    assert!(err.line.is_some());
    let pkgs = parse_bytes(
        "node_modules/odd/package.json",
        b"{\"name\": 1, \"version\": []}",
    )
    .unwrap();
    assert!(pkgs.is_empty());
}

/// No parser panics on arbitrary bytes: truncations of every fixture, and binary junk.
#[test]
fn never_panics_on_truncated_or_binary_input() {
    let cases = [
        (
            "npm/package-lock_v3_with_workspaces.json",
            "package-lock.json",
        ),
        (
            "npm/package-lock_v1_nested_with_alias_and_git.json",
            "package-lock.json",
        ),
        ("yarn/yarn_v1_multi_spec_headers.lock", "yarn.lock"),
        ("yarn/yarn_berry_with_workspace_and_patch.lock", "yarn.lock"),
        (
            "pnpm/pnpm-lock_v9_importers_and_snapshots.yaml",
            "pnpm-lock.yaml",
        ),
        (
            "pnpm/pnpm-lock_v5_dev_flags_and_peer_suffix.yaml",
            "pnpm-lock.yaml",
        ),
        (
            "node_modules/lodash_package.json",
            "node_modules/a/package.json",
        ),
    ];
    for (fixture, as_path) in cases {
        let bytes = read(fixture);
        for cut in (0..bytes.len()).step_by(7) {
            let _ = parse_bytes(as_path, &bytes[..cut]);
        }
        let mut junk = bytes.clone();
        for (i, b) in junk.iter_mut().enumerate() {
            if i % 5 == 0 {
                *b = b.wrapping_mul(31).wrapping_add(0x80);
            }
        }
        let _ = parse_bytes(as_path, &junk);
    }
}
