//! The vulnerability database: OSV advisories, version order per ecosystem, matching of
//! packages against affected ranges, and a compact on-disk index.
//!
//! ```no_run
//! use faasguard_vulndb::{Check, Database};
//! # fn run(pkg: &faasguard_lockfile::Package) -> Result<(), faasguard_vulndb::DbError> {
//! let db = Database::bundled()?;
//! match db.check(pkg) {
//!     Check::Vulnerable(vulns) => { /* one Vuln per alias group */ }
//!     Check::Clean => {}
//!     Check::NotChecked(why) => { /* never report as clean */ }
//! }
//! # Ok(()) }
//! ```

mod db;
mod format;
mod import;
pub mod matcher;
pub mod osv;
pub mod score;
pub mod version;

use std::path::{Path, PathBuf};

pub use db::{Check, Database, DbError, SeveritySource, Vuln};
pub use format::{EcoStatus, Status, rfc3339};
pub use import::{ImportOptions, ImportReport, Malformed, UnreadableBound};
pub use score::CvssScore;

impl Database {
    /// Builds a database at `dest` from OSV sources (folders searched recursively for `*.json`,
    /// single JSON files, or zips such as the per-ecosystem `all.zip`), every ecosystem taken as
    /// complete. Malformed records are reported in the [`ImportReport`] and skipped. The file is
    /// replaced atomically: on any error the previous database at `dest` is left as it was.
    pub fn import(sources: &[PathBuf], dest: &Path) -> Result<ImportReport, DbError> {
        import::import(sources, dest, &ImportOptions::default())
    }

    /// [`Database::import`] with options (partial ecosystems, source text, build time).
    pub fn import_with(
        sources: &[PathBuf],
        dest: &Path,
        options: &ImportOptions,
    ) -> Result<ImportReport, DbError> {
        import::import(sources, dest, options)
    }

    /// Builds a database in memory from parsed advisories (tests, benchmarks that synthesise
    /// records); open the bytes with [`Database::from_bytes`].
    pub fn build(
        advisories: impl IntoIterator<Item = osv::Advisory>,
        options: &ImportOptions,
    ) -> Result<(Vec<u8>, ImportReport), DbError> {
        import::build_from_advisories(advisories, options)
    }
}
