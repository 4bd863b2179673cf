//! Version order per ecosystem. [`compare`] is the one entry point the matcher uses: it answers
//! `None` when either version cannot be read under the ecosystem's rules, so that the caller
//! reports "not checked" instead of guessing.

use std::cmp::Ordering;

use faasguard_lockfile::Ecosystem;

/// Orders two versions of one ecosystem, or `None` when either does not parse.
pub fn compare(ecosystem: Ecosystem, a: &str, b: &str) -> Option<Ordering> {
    match ecosystem {
        Ecosystem::CratesIo | Ecosystem::Npm | Ecosystem::Go => {
            let parse = |s: &str| semver::Version::parse(s.trim().trim_start_matches('v')).ok();
            Some(parse(a)?.cmp_precedence(&parse(b)?))
        }
        _ => None,
    }
}
