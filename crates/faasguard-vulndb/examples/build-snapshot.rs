//! Builds the bundled advisory snapshot from the repository's advisory set.
//!
//! ```text
//! cargo run -p faasguard-vulndb --example build-snapshot -- \
//!     ../shared/advisories crates/faasguard-vulndb/data/osv-snapshot.fgdb
//! ```
//!
//! The GHSA folders (npm, Maven, NuGet, Packagist, RubyGems) hold only a sample, so those
//! ecosystems are marked partial: a package without a match there is "not checked", not
//! "clean". Go, crates.io and PyPI are the whole databases as of their commits.

#![expect(
    clippy::print_stdout,
    reason = "a command-line helper reports what it built"
)]

use std::path::PathBuf;
use std::process::ExitCode;

use faasguard_lockfile::Ecosystem;
use faasguard_vulndb::{Database, ImportOptions};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [src, dest] = args.as_slice() else {
        println!("usage: build-snapshot ADVISORIES_DIR OUTPUT.fgdb");
        return ExitCode::from(2);
    };
    let src = PathBuf::from(src);
    // Only the ecosystem folders (`*/*.json`), as SOURCES.md asks.
    let mut sources: Vec<PathBuf> = match std::fs::read_dir(&src) {
        Ok(rd) => rd
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect(),
        Err(e) => {
            println!("{}: {e}", src.display());
            return ExitCode::from(2);
        }
    };
    sources.sort();
    let options = ImportOptions {
        partial: vec![
            Ecosystem::Npm,
            Ecosystem::Maven,
            Ecosystem::NuGet,
            Ecosystem::Packagist,
            Ecosystem::RubyGems,
        ],
        source: Some(
            "bundled snapshot of the faasguard advisory set (pypa/advisory-database 3ccb6125, \
             rustsec/advisory-db osv 7fa931cb, golang/vulndb a752ea54, GHSA sample); \
             see crates/faasguard-vulndb/data/PROVENANCE.md"
                .to_owned(),
        ),
        built_at: None,
    };
    match Database::import_with(&sources, &PathBuf::from(dest), &options) {
        Ok(report) => {
            println!(
                "{} files, {} imported, {} withdrawn, {} duplicates, {} malformed, {} without a \
                 known package, {} unreadable bounds, {} bytes",
                report.files,
                report.imported,
                report.withdrawn,
                report.duplicates,
                report.malformed.len(),
                report.no_known_package,
                report.unreadable_bounds.len(),
                report.bytes
            );
            for m in &report.malformed {
                println!("malformed: {}: {}", m.file, m.cause);
            }
            for b in &report.unreadable_bounds {
                println!(
                    "unreadable bound: {} {} {}: `{}`",
                    b.id, b.ecosystem, b.package, b.bound
                );
            }
            for (eco, n) in &report.skipped_ecosystems {
                println!("skipped ecosystem {eco}: {n} affected entries");
            }
            for (eco, s) in &report.status.per_ecosystem {
                println!(
                    "{eco}: {} advisories, {} packages, newest {}, complete {}, unreadable bounds {}",
                    s.advisories,
                    s.packages,
                    s.newest_modified.as_deref().unwrap_or("-"),
                    s.complete,
                    s.unreadable_bounds
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            println!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
