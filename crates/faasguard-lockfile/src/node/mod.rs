//! Parsers for the JavaScript (npm) ecosystem: npm, yarn and pnpm lockfiles, and installed
//! `node_modules/**/package.json` files. [`support`] also serves the Python parsers.

mod installed;
mod npm;
mod pnpm;
pub(crate) mod support;
mod yarn;

use crate::{Ecosystem, Parser, file_name};
use support::inside_installed_tree;

/// This ecosystem's parsers.
pub(crate) const PARSERS: &[Parser] = &[
    Parser {
        name: "package-lock.json",
        ecosystem: Ecosystem::Npm,
        claims: claims_package_lock,
        parse: npm::parse,
    },
    Parser {
        name: "yarn.lock",
        ecosystem: Ecosystem::Npm,
        claims: claims_yarn_lock,
        parse: yarn::parse,
    },
    Parser {
        name: "pnpm-lock.yaml",
        ecosystem: Ecosystem::Npm,
        claims: claims_pnpm_lock,
        parse: pnpm::parse,
    },
    Parser {
        name: "node_modules package.json",
        ecosystem: Ecosystem::Npm,
        claims: installed::claims,
        parse: installed::parse,
    },
];

/// `package-lock.json` and `npm-shrinkwrap.json` of a project (not the ones packages ship
/// inside `node_modules`, nor npm's hidden `node_modules/.package-lock.json`).
fn claims_package_lock(path: &str, _head: &[u8]) -> bool {
    matches!(file_name(path), "package-lock.json" | "npm-shrinkwrap.json")
        && !inside_installed_tree(path)
}

fn claims_yarn_lock(path: &str, _head: &[u8]) -> bool {
    file_name(path) == "yarn.lock" && !inside_installed_tree(path)
}

fn claims_pnpm_lock(path: &str, _head: &[u8]) -> bool {
    file_name(path) == "pnpm-lock.yaml" && !inside_installed_tree(path)
}
