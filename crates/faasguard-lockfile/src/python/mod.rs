//! Parsers for the Python (PyPI) ecosystem: pip requirements files, `poetry.lock`,
//! `Pipfile.lock`, `uv.lock`, and installed `*.dist-info`/`*.egg-info` metadata.
//!
//! Names are kept as the file writes them; the purl is normalised by [`crate::purl`] and the
//! matcher normalises names per PEP 503. Versions are kept as written (`2.2.0` stays
//! `2.2.0`; PEP 440 equality is the matcher's job).

mod metadata;
mod pipfile;
mod requirements;
mod toml_locks;

use crate::node::support::inside_installed_tree;
use crate::{Ecosystem, Parser, file_name};

/// This ecosystem's parsers.
pub(crate) const PARSERS: &[Parser] = &[
    Parser {
        name: "requirements.txt",
        ecosystem: Ecosystem::PyPI,
        claims: claims_requirements,
        parse: requirements::parse,
    },
    Parser {
        name: "poetry.lock",
        ecosystem: Ecosystem::PyPI,
        claims: claims_poetry,
        parse: toml_locks::parse_poetry,
    },
    Parser {
        name: "Pipfile.lock",
        ecosystem: Ecosystem::PyPI,
        claims: claims_pipfile,
        parse: pipfile::parse,
    },
    Parser {
        name: "uv.lock",
        ecosystem: Ecosystem::PyPI,
        claims: claims_uv,
        parse: toml_locks::parse_uv,
    },
    Parser {
        name: "python-metadata",
        ecosystem: Ecosystem::PyPI,
        claims: metadata::claims,
        parse: metadata::parse,
    },
];

/// Requirements files of a project, not the ones packages ship inside `site-packages` or
/// `node_modules`.
fn claims_requirements(path: &str, head: &[u8]) -> bool {
    requirements::claims(path, head) && !inside_installed_tree(path)
}

fn claims_poetry(path: &str, _head: &[u8]) -> bool {
    file_name(path) == "poetry.lock" && !inside_installed_tree(path)
}

fn claims_pipfile(path: &str, _head: &[u8]) -> bool {
    file_name(path) == "Pipfile.lock" && !inside_installed_tree(path)
}

fn claims_uv(path: &str, _head: &[u8]) -> bool {
    file_name(path) == "uv.lock" && !inside_installed_tree(path)
}
