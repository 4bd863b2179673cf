//! The Python parsers, driven through the public registry (`parsers_for`) on fixture files
//! trimmed from real lockfiles, requirements files and installed metadata.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{find, names, parse_bytes};
use faasguard_lockfile::{Ecosystem, Origin, Scope, parsers_for};

/// Parses `python/<fixture>` as the file at `as_path`.
fn parse(
    fixture: &str,
    as_path: &str,
) -> Result<Vec<faasguard_lockfile::Package>, faasguard_lockfile::ParseError> {
    common::parse(&format!("python/{fixture}"), as_path)
}

/// The fixture `python/<fixture>`.
fn read(fixture: &str) -> Vec<u8> {
    common::fixture(&format!("python/{fixture}"))
}

/// A hand-written requirements file: only exact pins (`==`, `===`) are packages, with
/// extras, markers, trailing comments, hash continuations; includes, editables, URL
/// requirements, ranges, wildcards and unpinned names are not. Names stay as written and
/// the purl is normalised.
#[test]
fn requirements_hand_written_with_includes() {
    let pkgs = parse(
        "requirements_hand_written_with_includes.txt",
        "orders/requirements.txt",
    )
    .unwrap();
    assert_eq!(
        names(&pkgs),
        [
            "boto3@1.28.57",
            "requests@2.25.0",
            "Django@2.2.0",
            "PyYAML@5.3.1",
            "cryptography@3.3.2",
            "jinja2@2.10.1"
        ]
    );
    let django = find(&pkgs, "Django", "2.2.0");
    assert_eq!(django.purl, "pkg:pypi/django@2.2.0");
    assert_eq!(django.location.line, Some(8));
    assert_eq!(
        (django.ecosystem, django.origin),
        (Ecosystem::PyPI, Origin::Manifest)
    );
    assert_eq!((django.scope, django.direct), (Scope::Prod, Some(true)));
    assert_eq!(find(&pkgs, "cryptography", "3.3.2").location.line, Some(11));
}

/// pip-compile output: `# via -r requirements.in` marks direct pins, `# via <package>`
/// transitive ones; hashes on continuation lines are read past.
#[test]
fn requirements_pip_compile_with_hashes() {
    let pkgs = parse(
        "requirements_pip_compile_with_hashes.txt",
        "requirements.txt",
    )
    .unwrap();
    assert_eq!(
        names(&pkgs),
        [
            "boto3@1.26.0",
            "botocore@1.29.0",
            "jmespath@1.0.1",
            "pyjwt@2.4.0"
        ]
    );
    assert_eq!(find(&pkgs, "boto3", "1.26.0").direct, Some(true));
    assert_eq!(find(&pkgs, "botocore", "1.29.0").direct, Some(false));
    assert_eq!(find(&pkgs, "jmespath", "1.0.1").direct, Some(false));
    assert_eq!(find(&pkgs, "pyjwt", "2.4.0").direct, Some(true));
    assert_eq!(find(&pkgs, "botocore", "1.29.0").location.line, Some(11));
}

/// Requirements file names: development files are Dev; requirements files shipped inside
/// `site-packages` are not claimed.
#[test]
fn requirements_names_and_scopes() {
    let bytes = b"pytest==7.0.0\n";
    let pkgs = parse_bytes("requirements/test.txt", bytes).unwrap();
    assert_eq!(pkgs[0].scope, Scope::Dev);
    let pkgs = parse_bytes("requirements-dev.txt", bytes).unwrap();
    assert_eq!(pkgs[0].scope, Scope::Dev);
    let pkgs = parse_bytes("requirements/base.txt", bytes).unwrap();
    assert_eq!(pkgs[0].scope, Scope::Prod);
    assert_eq!(
        parsers_for(
            "python/lib/python3.12/site-packages/x/requirements.txt",
            b""
        )
        .count(),
        0
    );
}

/// poetry.lock 1.x: `category` gives Dev, `optional` Optional; directory sources are local
/// code and skipped; git sources are kept; direct is unknown.
#[test]
fn poetry_v1_categories() {
    let pkgs = parse("poetry_v1_categories.lock", "poetry.lock").unwrap();
    assert_eq!(
        names(&pkgs),
        [
            "boto3@1.26.0",
            "pyjwt@1.7.1",
            "pytest@7.2.0",
            "aws-lambda-powertools@2.5.0"
        ]
    );
    assert_eq!(find(&pkgs, "pytest", "7.2.0").scope, Scope::Dev);
    assert_eq!(find(&pkgs, "pyjwt", "1.7.1").scope, Scope::Optional);
    let boto = find(&pkgs, "boto3", "1.26.0");
    assert_eq!(
        (boto.scope, boto.direct, boto.origin),
        (Scope::Prod, None, Origin::Lockfile)
    );
    assert_eq!(boto.location.line, Some(2));
}

/// poetry.lock 2.1: `groups` containing `main` is Prod, other groups only are Dev.
#[test]
fn poetry_v2_groups() {
    let pkgs = parse("poetry_v2_groups.lock", "poetry.lock").unwrap();
    assert_eq!(
        names(&pkgs),
        [
            "certifi@2022.12.7",
            "mypy@1.5.1",
            "pillow@9.0.0",
            "pytest@7.4.0"
        ]
    );
    assert_eq!(find(&pkgs, "certifi", "2022.12.7").scope, Scope::Prod);
    assert_eq!(find(&pkgs, "mypy", "1.5.1").scope, Scope::Dev);
    assert_eq!(find(&pkgs, "pillow", "9.0.0").scope, Scope::Optional);
    assert_eq!(find(&pkgs, "pytest", "7.4.0").location.line, Some(34));
}

/// Pipfile.lock: `default` is Prod and `develop` Dev, a package in both is Prod, entries
/// without a version (editable paths) are skipped, `==` is stripped.
#[test]
fn pipfile_lock_default_and_develop() {
    let pkgs = parse("Pipfile.lock", "svc/Pipfile.lock").unwrap();
    assert_eq!(
        names(&pkgs),
        [
            "certifi@2022.12.7",
            "requests@2.28.2",
            "urllib3@1.26.14",
            "pytest@7.2.1"
        ]
    );
    let certifi = find(&pkgs, "certifi", "2022.12.7");
    assert_eq!((certifi.scope, certifi.direct), (Scope::Prod, None));
    assert_eq!(certifi.location.line, Some(19));
    let pytest = find(&pkgs, "pytest", "7.2.1");
    assert_eq!(pytest.scope, Scope::Dev);
    assert_eq!(pytest.location.line, Some(53));
}

/// uv.lock: the virtual project and editable packages are skipped, both versions of a
/// forked resolution are kept, direct packages come from the project's dependency lists,
/// and scopes from reachability (extras Optional, dependency groups Dev).
#[test]
fn uv_forked_resolution_with_groups() {
    let pkgs = parse("uv_forked_resolution_with_groups.lock", "uv.lock").unwrap();
    assert_eq!(
        names(&pkgs),
        [
            "annotated-types@0.7.0",
            "aws-xray-sdk@2.14.0",
            "iniconfig@2.0.0",
            "numpy@1.26.4",
            "numpy@2.1.0",
            "pydantic@2.8.2",
            "pytest@8.3.2",
            "wrapt@1.16.0"
        ]
    );
    let np = find(&pkgs, "numpy", "2.1.0");
    assert_eq!((np.scope, np.direct), (Scope::Prod, Some(true)));
    let types = find(&pkgs, "annotated-types", "0.7.0");
    assert_eq!((types.scope, types.direct), (Scope::Prod, Some(false)));
    assert_eq!(types.location.line, Some(10));
    assert_eq!(find(&pkgs, "wrapt", "1.16.0").scope, Scope::Optional);
    assert_eq!(find(&pkgs, "aws-xray-sdk", "2.14.0").direct, Some(true));
    let ini = find(&pkgs, "iniconfig", "2.0.0");
    assert_eq!((ini.scope, ini.direct), (Scope::Dev, Some(false)));
}

/// Installed metadata: `*.dist-info/METADATA` and `*.egg-info/PKG-INFO` headers give name
/// and version (not the body, not folded description lines, whatever the encoding);
/// origin Installed; other files of those names are not claimed.
#[test]
fn installed_dist_info_and_egg_info() {
    let pkgs = parse(
        "PyYAML-5.3.1.dist-info_METADATA",
        "fn.zip!/python/PyYAML-5.3.1.dist-info/METADATA",
    )
    .unwrap();
    assert_eq!(names(&pkgs), ["PyYAML@5.3.1"]);
    assert_eq!(
        (pkgs[0].origin, pkgs[0].direct, pkgs[0].location.line),
        (Origin::Installed, None, Some(3))
    );
    assert_eq!(pkgs[0].purl, "pkg:pypi/pyyaml@5.3.1");

    let pkgs = parse(
        "simplejson.egg-info_PKG-INFO",
        "site-packages/simplejson-3.17.2-py3.8.egg-info/PKG-INFO",
    )
    .unwrap();
    assert_eq!(names(&pkgs), ["simplejson@3.17.2"]);
    let pkgs = parse(
        "simplejson.egg-info_PKG-INFO",
        "site-packages/simplejson-3.17.2-py2.7.egg-info",
    )
    .unwrap();
    assert_eq!(names(&pkgs), ["simplejson@3.17.2"]);
    // A Latin-1 author name in an old PKG-INFO does not hide the package.
    let pkgs = parse_bytes(
        "x.egg-info/PKG-INFO",
        b"Metadata-Version: 1.0\nName: docutils\nAuthor: David Goodger \xe9\nVersion: 0.14\n",
    )
    .unwrap();
    assert_eq!(names(&pkgs), ["docutils@0.14"]);
    for path in [
        "METADATA",
        "docs/METADATA",
        "x.dist-info/RECORD",
        "pkg/PKG-INFO",
    ] {
        assert_eq!(parsers_for(path, b"").count(), 0, "{path}");
    }
}

/// Bad input: malformed TOML and headers are errors with a line, an unknown uv.lock
/// version says so, invalid UTF-8 is an error, and truncations never panic.
#[test]
fn python_bad_input() {
    let err = parse("poetry_malformed.lock", "poetry.lock").unwrap_err();
    assert!(err.message.contains("TOML"), "{err}");
    assert_eq!(err.line, Some(3));
    let err = parse("uv_unknown_version.lock", "uv.lock").unwrap_err();
    assert!(err.message.contains("version 7"), "{err}");
    let err = parse("broken.dist-info_METADATA", "a.dist-info/METADATA").unwrap_err();
    assert_eq!(err.line, Some(3));
    let err = parse_bytes("Pipfile.lock", b"{\"default\": {").unwrap_err();
    assert!(err.message.contains("JSON"), "{err}");
    let err = parse_bytes("requirements.txt", b"boto3==1.0\n\xFF\n").unwrap_err();
    assert_eq!(err.line, Some(2));
    let cases = [
        (
            "requirements_pip_compile_with_hashes.txt",
            "requirements.txt",
        ),
        ("poetry_v1_categories.lock", "poetry.lock"),
        ("Pipfile.lock", "Pipfile.lock"),
        ("uv_forked_resolution_with_groups.lock", "uv.lock"),
        ("simplejson.egg-info_PKG-INFO", "x.egg-info/PKG-INFO"),
    ];
    for (fixture, as_path) in cases {
        let bytes = read(fixture);
        for cut in (0..bytes.len()).step_by(5) {
            let _ = parse_bytes(as_path, &bytes[..cut]);
        }
    }
}
