//! Lockfile, manifest and installed-package parsers: pure functions from a file's bytes to the
//! packages it names. No I/O: the engine's code walk hands each file (or archive entry) whose
//! name a parser claims to [`parse`], and the vulnerability matcher reads the packages.
//!
//! Every parser is registered in [`PARSERS`] with the file names it claims; a parser that meets
//! a file it cannot read returns a [`ParseError`] naming the line and the cause, never panics.

mod dotnet;
mod go;
mod java;
mod node;
mod php;
mod python;
mod ruby;
mod rust;

use std::fmt;
use std::fmt::Write as _;

use faasguard_core::Location;
use serde::{Deserialize, Serialize};

/// A package ecosystem, named as OSV names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Ecosystem {
    #[serde(rename = "npm")]
    Npm,
    PyPI,
    Go,
    #[serde(rename = "crates.io")]
    CratesIo,
    Maven,
    RubyGems,
    Packagist,
    NuGet,
}

impl Ecosystem {
    pub const ALL: [Ecosystem; 8] = [
        Ecosystem::Npm,
        Ecosystem::PyPI,
        Ecosystem::Go,
        Ecosystem::CratesIo,
        Ecosystem::Maven,
        Ecosystem::RubyGems,
        Ecosystem::Packagist,
        Ecosystem::NuGet,
    ];

    /// The OSV `affected[].package.ecosystem` string.
    pub fn osv_name(self) -> &'static str {
        match self {
            Ecosystem::Npm => "npm",
            Ecosystem::PyPI => "PyPI",
            Ecosystem::Go => "Go",
            Ecosystem::CratesIo => "crates.io",
            Ecosystem::Maven => "Maven",
            Ecosystem::RubyGems => "RubyGems",
            Ecosystem::Packagist => "Packagist",
            Ecosystem::NuGet => "NuGet",
        }
    }

    /// The ecosystem of an OSV ecosystem string (`"PyPI"`, `"crates.io"`, `"Debian:12"` → `None`).
    pub fn from_osv(name: &str) -> Option<Ecosystem> {
        Ecosystem::ALL.into_iter().find(|e| e.osv_name() == name)
    }

    /// The package-url type (`pkg:<type>/…`).
    pub fn purl_type(self) -> &'static str {
        match self {
            Ecosystem::Npm => "npm",
            Ecosystem::PyPI => "pypi",
            Ecosystem::Go => "golang",
            Ecosystem::CratesIo => "cargo",
            Ecosystem::Maven => "maven",
            Ecosystem::RubyGems => "gem",
            Ecosystem::Packagist => "composer",
            Ecosystem::NuGet => "nuget",
        }
    }
}

impl fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.osv_name())
    }
}

/// Which dependency group a package belongs to, when the format says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Needed at run time (the default when the format has no groups).
    Prod,
    /// Development or test only (`devDependencies`, poetry `dev` group, …).
    Dev,
    /// Optional (`optionalDependencies`, extras).
    Optional,
}

/// What kind of file named the package.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    /// A lockfile: the resolved version.
    Lockfile,
    /// A manifest with a literal version (`requirements.txt` pin, `pom.xml`).
    Manifest,
    /// Installed package metadata (`node_modules/*/package.json`, `*.dist-info/METADATA`,
    /// `META-INF/maven/**/pom.properties`, `*.deps.json`).
    Installed,
    /// Build information embedded in a binary (Go build info, cargo-auditable).
    Binary,
}

/// One package at one version, as a file names it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Package {
    pub ecosystem: Ecosystem,
    /// The name as the ecosystem spells it (Maven: `group:artifact`; Go: the module path).
    pub name: String,
    /// The version as written (normalised only where the format demands, e.g. Go's `v` prefix
    /// kept as in `go.sum`).
    pub version: String,
    /// The package URL (`pkg:npm/%40scope/name@1.2.3`).
    pub purl: String,
    /// The file (and line, when the format gives it) that names the package.
    pub location: Location,
    pub scope: Scope,
    /// Direct (named by the project) or transitive; `None` when the format does not say.
    pub direct: Option<bool>,
    pub origin: Origin,
}

/// A file a parser claims but cannot read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", match line { Some(l) => format!("line {l}: {message}"), None => message.clone() })]
pub struct ParseError {
    /// 1-based line of the problem, when known.
    pub line: Option<u32>,
    pub message: String,
}

impl ParseError {
    pub fn new(message: impl Into<String>) -> Self {
        ParseError {
            line: None,
            message: message.into(),
        }
    }

    #[must_use]
    pub fn at_line(mut self, line: u32) -> Self {
        self.line = Some(line);
        self
    }
}

/// One parser: the files it claims and how it reads them.
#[derive(Debug, Clone, Copy)]
pub struct Parser {
    /// A short name for messages and docs (`package-lock.json`, `go-binary`).
    pub name: &'static str,
    pub ecosystem: Ecosystem,
    /// Whether this parser reads the file at `path` ('/'-separated, possibly inside an
    /// archive: `pkg.zip!/node_modules/a/package.json`) whose first bytes are `head` (up to
    /// 4 KiB; binary parsers look for their magic there).
    pub claims: fn(path: &str, head: &[u8]) -> bool,
    /// Reads the packages. `path` is used for [`Package::location`].
    pub parse: fn(path: &str, bytes: &[u8]) -> Result<Vec<Package>, ParseError>,
}

/// Every parser, ecosystem by ecosystem.
pub fn parsers() -> impl Iterator<Item = &'static Parser> {
    node::PARSERS
        .iter()
        .chain(python::PARSERS)
        .chain(go::PARSERS)
        .chain(rust::PARSERS)
        .chain(ruby::PARSERS)
        .chain(php::PARSERS)
        .chain(java::PARSERS)
        .chain(dotnet::PARSERS)
}

/// The parsers that claim a file.
pub fn parsers_for<'a>(
    path: &'a str,
    head: &'a [u8],
) -> impl Iterator<Item = &'static Parser> + 'a {
    parsers().filter(move |p| (p.claims)(path, head))
}

/// The last '/'-separated component of a path (after any `archive.zip!/`).
pub fn file_name(path: &str) -> &str {
    path.rsplit(['/', '!']).next().unwrap_or(path)
}

/// A package URL: `pkg:<type>/<namespace>/<name>@<version>`, percent-encoding what the purl
/// spec requires (`@` in npm scopes, spaces, …). Maven `group:artifact` becomes
/// `group/artifact`; Go module paths keep their `/`.
pub fn purl(ecosystem: Ecosystem, name: &str, version: &str) -> String {
    fn enc(s: &str, keep_slash: bool) -> String {
        let mut out = String::with_capacity(s.len());
        for b in s.bytes() {
            let keep = b.is_ascii_alphanumeric()
                || matches!(b, b'.' | b'-' | b'_' | b'~')
                || (keep_slash && b == b'/');
            if keep {
                out.push(char::from(b));
            } else {
                let _ = write!(out, "%{b:02X}");
            }
        }
        out
    }
    let path = match ecosystem {
        Ecosystem::Maven => name.replacen(':', "/", 1),
        Ecosystem::PyPI => name.to_ascii_lowercase().replace('_', "-"),
        _ => name.to_owned(),
    };
    let path = match ecosystem {
        Ecosystem::Npm | Ecosystem::Packagist | Ecosystem::Maven | Ecosystem::Go => path
            .split('/')
            .map(|p| enc(p, false))
            .collect::<Vec<_>>()
            .join("/"),
        _ => enc(&path, false),
    };
    format!(
        "pkg:{}/{path}@{}",
        ecosystem.purl_type(),
        enc(version, false)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Package URLs follow the purl spec per type: npm scopes are encoded, Maven splits group
    /// and artifact, PyPI names are normalised.
    #[test]
    fn purls() {
        assert_eq!(
            purl(Ecosystem::Npm, "@aws-sdk/client-s3", "3.600.0"),
            "pkg:npm/%40aws-sdk/client-s3@3.600.0"
        );
        assert_eq!(
            purl(
                Ecosystem::Maven,
                "com.amazonaws:aws-lambda-java-core",
                "1.2.3"
            ),
            "pkg:maven/com.amazonaws/aws-lambda-java-core@1.2.3"
        );
        assert_eq!(
            purl(Ecosystem::PyPI, "Django_Rest", "2.2.0"),
            "pkg:pypi/django-rest@2.2.0"
        );
        assert_eq!(
            purl(Ecosystem::Go, "github.com/aws/aws-lambda-go", "v1.47.0"),
            "pkg:golang/github.com/aws/aws-lambda-go@v1.47.0"
        );
    }

    /// OSV ecosystem names round-trip; unknown ecosystems are `None`.
    #[test]
    fn ecosystem_names() {
        for e in Ecosystem::ALL {
            assert_eq!(Ecosystem::from_osv(e.osv_name()), Some(e));
        }
        assert_eq!(Ecosystem::from_osv("Debian:12"), None);
        assert_eq!(
            file_name("a.zip!/node_modules/x/package.json"),
            "package.json"
        );
        assert_eq!(file_name("pkg.jar"), "pkg.jar");
    }
}
