//! Java (Maven ecosystem): `pom.xml` with literal or same-file-property versions, Gradle
//! lockfiles, and the `META-INF/maven/<group>/<artifact>/pom.properties` that Maven writes
//! into every jar it builds — read from a jar entry the engine hands over, or from a whole jar
//! (fat jars and jars in jars included, bounded).
//!
//! Package names are `group:artifact`, as OSV names Maven packages.

mod gradle;
mod jar;
mod pom;

use faasguard_core::Location;

use crate::{Ecosystem, Origin, Package, Parser, Scope, file_name, purl};

/// This ecosystem's parsers.
pub(crate) const PARSERS: &[Parser] = &[
    Parser {
        name: "pom.xml",
        ecosystem: Ecosystem::Maven,
        // The pom.xml Maven copies into a jar's META-INF/maven describes that jar's own
        // dependencies, which a deployment bundles as jars of their own: not read.
        claims: |path, _| file_name(path) == "pom.xml" && !path.contains("META-INF/maven/"),
        parse: pom::parse_pom,
    },
    Parser {
        name: "gradle.lockfile",
        ecosystem: Ecosystem::Maven,
        claims: |path, _| gradle::claims(path),
        parse: gradle::parse_gradle_lockfile,
    },
    Parser {
        name: "pom.properties",
        ecosystem: Ecosystem::Maven,
        claims: |path, _| jar::is_pom_properties(path),
        parse: jar::parse_pom_properties,
    },
    Parser {
        name: "jar",
        ecosystem: Ecosystem::Maven,
        claims: jar::claims,
        parse: jar::parse_jar,
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
        ecosystem: Ecosystem::Maven,
        name: name.to_owned(),
        version: version.to_owned(),
        purl: purl(Ecosystem::Maven, name, version),
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
