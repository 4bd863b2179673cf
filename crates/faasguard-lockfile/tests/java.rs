//! The Java parsers on realistic files: a POM with properties, a parent, managed versions and
//! scopes; a Gradle lockfile; a Spring Boot fat jar with nested jars; and jar entries as the
//! engine's archive walk hands them over.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Cursor, Read};

mod common;

use common::fixture;
use faasguard_lockfile::{Ecosystem, Origin, Package, Scope, parsers_for};

fn parse(path: &str, bytes: &[u8]) -> Vec<Package> {
    common::parse_only(path, bytes, Ecosystem::Maven)
}

fn summary(pkgs: &[Package]) -> Vec<(&str, &str, Scope)> {
    pkgs.iter()
        .map(|p| (p.name.as_str(), p.version.as_str(), p.scope))
        .collect()
}

/// pom.xml: property chains and parent coordinates resolve, a dependencyManagement version
/// fills a missing one, BOM-managed, parent-property and range versions are skipped,
/// provided/test are Dev, optional is Optional, profiles and plugins are not read.
#[test]
fn pom_properties_parent_managed_scopes() {
    let pkgs = parse(
        "orders/pom.xml",
        &fixture("java/properties_parent_managed_scopes/pom.xml"),
    );
    assert_eq!(
        summary(&pkgs),
        vec![
            ("com.amazonaws:aws-lambda-java-core", "1.2.3", Scope::Prod),
            (
                "com.fasterxml.jackson.core:jackson-databind",
                "2.13.2.1",
                Scope::Prod
            ),
            ("org.apache.logging.log4j:log4j-core", "2.14.1", Scope::Prod),
            ("com.example:orders-model", "2.3.0", Scope::Prod),
            ("org.yaml:snakeyaml", "1.33", Scope::Prod),
            (
                "com.amazonaws:aws-lambda-java-runtime-interface-client",
                "2.4.1",
                Scope::Dev
            ),
            ("org.postgresql:postgresql", "42.3.1", Scope::Optional),
            ("junit:junit", "4.12", Scope::Dev),
        ]
    );
    assert_eq!(pkgs[0].location.line, Some(42));
    assert_eq!(
        pkgs[1].purl,
        "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.13.2.1"
    );
    assert!(
        pkgs.iter()
            .all(|p| p.origin == Origin::Manifest && p.direct == Some(true))
    );
}

/// gradle.lockfile: a dependency on any non-test classpath is Prod, test-only ones are Dev,
/// `empty=` and comments are skipped, lines are kept.
#[test]
fn gradle_lockfile_prod_test_classpaths() {
    let pkgs = parse(
        "gradle.lockfile",
        &fixture("java/gradle_prod_test_classpaths/gradle.lockfile"),
    );
    assert_eq!(
        summary(&pkgs),
        vec![
            ("com.amazonaws:aws-lambda-java-core", "1.2.3", Scope::Prod),
            (
                "com.amazonaws:aws-lambda-java-events",
                "3.11.0",
                Scope::Prod
            ),
            (
                "com.fasterxml.jackson.core:jackson-databind",
                "2.13.2.1",
                Scope::Prod
            ),
            ("org.apache.logging.log4j:log4j-core", "2.17.0", Scope::Prod),
            ("junit:junit", "4.12", Scope::Dev),
            ("org.hamcrest:hamcrest-core", "1.3", Scope::Dev),
        ]
    );
    assert_eq!(pkgs[3].location.line, Some(7));
    assert!(pkgs.iter().all(|p| p.origin == Origin::Lockfile));
}

/// A fat jar: its own descriptor, BOOT-INF/lib jars and jars inside those down to depth 3
/// are read (the depth-4 jar is not); the corrupt and descriptor-less jars are skipped;
/// locations name the nested entry.
#[test]
fn fat_jar_nested_and_corrupt() {
    let path = "fn.zip!/orders.jar";
    let pkgs = parse(
        path,
        &fixture("java/spring_boot_fat_jar_nested_corrupt.jar"),
    );
    let got: Vec<(&str, &str)> = pkgs
        .iter()
        .map(|p| (p.name.as_str(), p.version.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("com.example:orders-function", "1.0.0"),
            ("org.yaml:snakeyaml", "1.33"),
            ("com.amazonaws:aws-lambda-java-events", "3.11.0"),
            ("com.fasterxml.jackson.core:jackson-core", "2.13.2"),
            ("com.fasterxml.jackson.core:jackson-databind", "2.13.2.1"),
        ]
    );
    assert_eq!(
        pkgs[3].location.file,
        "fn.zip!/orders.jar!/BOOT-INF/lib/aws-lambda-java-events-3.11.0.jar!/lib/jackson-core-2.13.2.jar!/META-INF/maven/com.fasterxml.jackson.core/jackson-core/pom.properties"
    );
    assert!(pkgs.iter().all(|p| p.origin == Origin::Installed));
}

/// Every prefix of the fat jar is read without panicking (an error or fewer packages).
#[test]
fn fat_jar_truncated_never_panics() {
    let bytes = fixture("java/spring_boot_fat_jar_nested_corrupt.jar");
    let parser = parsers_for("a.jar", &bytes[..4])
        .find(|p| p.name == "jar")
        .unwrap();
    for n in 0..bytes.len() {
        let _ = (parser.parse)("a.jar", &bytes[..n]);
    }
}

/// Jar entries as the engine hands them over (`fn.zip!/lib/x.jar!/entry`): the
/// pom.properties is claimed and read; the jar's embedded pom.xml is not claimed (it lists the
/// library's own dependencies, not what is deployed).
#[test]
fn jar_entries_from_the_code_walk() {
    let bytes = fixture("java/snakeyaml-1.33.jar");
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut pkgs = Vec::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).unwrap();
        let path = format!("fn.zip!/lib/snakeyaml-1.33.jar!/{}", entry.name().unwrap());
        let mut data = Vec::new();
        entry.read_to_end(&mut data).unwrap();
        let head = &data[..data.len().min(4096)];
        for p in parsers_for(&path, head) {
            pkgs.extend((p.parse)(&path, &data).unwrap());
        }
    }
    assert_eq!(pkgs.len(), 1, "{pkgs:#?}");
    assert_eq!(pkgs[0].name, "org.yaml:snakeyaml");
    assert_eq!(pkgs[0].version, "1.33");
    assert_eq!(pkgs[0].location.line, Some(5));
}

/// Every prefix of each fixture, and each fixture with one byte replaced (at many positions,
/// by a quote, a newline or invalid UTF-8), is read by every parser claiming it without
/// panicking: an error or fewer packages.
#[test]
fn pom_and_gradle_truncated_and_corrupted_never_panic() {
    let files: Vec<(&str, Vec<u8>)> = vec![
        (
            "pom.xml",
            fixture("java/properties_parent_managed_scopes/pom.xml"),
        ),
        (
            "gradle.lockfile",
            fixture("java/gradle_prod_test_classpaths/gradle.lockfile"),
        ),
        (
            "x.jar!/META-INF/maven/org.yaml/snakeyaml/pom.properties",
            b"#Generated by Maven\ngroupId=org.yaml\nartifactId=snakeyaml\nversion=1.33\n".to_vec(),
        ),
    ];
    common::never_panics(&files);
}
