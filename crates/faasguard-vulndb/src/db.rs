//! The database: open (header and index only), check one package (one blob read), and the
//! answer per package ([`Check`]).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use faasguard_core::Severity;
use faasguard_lockfile::{Ecosystem, Package};
use serde::Serialize;

use crate::format::{self, FIXED_LEN, FormatError, IndexEntry, Status, Stored};
use crate::matcher;
use crate::score::CvssScore;
use crate::version::Version;

/// The snapshot that ships in the repository (see `data/PROVENANCE.md`).
static BUNDLED: &[u8] = include_bytes!("../data/osv-snapshot.fgdb");

/// Why a database could not be opened or built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DbError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: not a faasguard vulnerability database (bad magic)", path.display())]
    NotADatabase { path: PathBuf },
    #[error(
        "{}: database format version {version} is not supported (this build reads version {})",
        path.display(),
        format::FORMAT_VERSION
    )]
    UnsupportedFormat { path: PathBuf, version: u32 },
    #[error("{}: corrupt database: {cause}", path.display())]
    Corrupt { path: PathBuf, cause: String },
    #[error("{}: cannot read advisory source: {cause}", path.display())]
    Source { path: PathBuf, cause: String },
}

impl DbError {
    fn from_format(path: &Path, e: FormatError) -> DbError {
        let path = path.to_path_buf();
        match e {
            FormatError::NotADatabase => DbError::NotADatabase { path },
            FormatError::Version(version) => DbError::UnsupportedFormat { path, version },
            FormatError::Corrupt(cause) => DbError::Corrupt { path, cause },
        }
    }
}

/// Where the advisory blobs are read from.
enum Body {
    /// An open file; blobs at `start + offset`.
    File {
        file: Mutex<File>,
        start: u64,
        path: PathBuf,
    },
    /// Bytes in memory (the bundled snapshot, or a database built in memory); blobs at
    /// `start + offset`.
    Memory {
        bytes: Cow<'static, [u8]>,
        start: usize,
    },
}

impl std::fmt::Debug for Body {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Body::File { path, .. } => write!(f, "File({})", path.display()),
            Body::Memory { bytes, .. } => write!(f, "Memory({} bytes)", bytes.len()),
        }
    }
}

/// An opened vulnerability database.
#[derive(Debug)]
pub struct Database {
    status: Status,
    index: Vec<IndexEntry>,
    body: Body,
}

/// The answer for one package.
#[derive(Debug, Clone, PartialEq)]
pub enum Check {
    /// At least one advisory (or alias group) affects this version. Informational advisories
    /// (RustSec `unmaintained`, `unsound`, `notice`) are included with
    /// [`Vuln::informational`] set.
    Vulnerable(Vec<Vuln>),
    /// The ecosystem's whole advisory set was searched and nothing affects this version.
    Clean,
    /// The package could not be checked; the string says why (ecosystem not covered, only a
    /// partial advisory set, version unreadable, database entry unreadable). Never "clean".
    NotChecked(String),
}

/// Where [`Vuln::severity`] came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SeveritySource {
    /// A CVSS base score.
    Cvss,
    /// The database's own label (GHSA `database_specific.severity`).
    Database,
    /// No rating in the data: [`Severity::Medium`] for vulnerabilities, [`Severity::Info`] for
    /// informational advisories.
    Unrated,
}

/// One vulnerability affecting a package: an alias group of advisories, reported once.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Vuln {
    /// The primary id (the ecosystem's own database first: RUSTSEC, GO, PYSEC; then GHSA).
    pub id: String,
    /// Every other id of the group: other matching advisories and all their aliases (CVE …),
    /// sorted.
    pub aliases: Vec<String>,
    /// `related` ids of the group's advisories (similar or connected, *not* duplicates: OSV says
    /// they must not be merged), de-duplicated, sorted, without the group's own ids.
    pub related: Vec<String>,
    pub summary: Option<String>,
    pub severity: Severity,
    pub severity_source: SeveritySource,
    /// The highest-scoring CVSS vector of the group (or an unscorable vector kept raw).
    pub cvss: Option<CvssScore>,
    /// The lowest version above the installed one that the group's advisories name as fixed
    /// (the highest of each advisory's lowest fix); `None` when none names a fix above it.
    pub fixed: Option<String>,
    /// RustSec's `informational` kind when every advisory of the group is informational.
    pub informational: Option<String>,
    pub references: Vec<String>,
}

impl Database {
    /// Opens a database file, reading only its header and index.
    pub fn open(path: &Path) -> Result<Database, DbError> {
        let io = |source| DbError::Io {
            path: path.to_path_buf(),
            source,
        };
        let mut file = File::open(path).map_err(io)?;
        let actual = file.metadata().map_err(io)?.len();
        let mut fixed_bytes = [0u8; FIXED_LEN];
        let got = read_up_to(&mut file, &mut fixed_bytes).map_err(io)?;
        let fixed = format::read_fixed(&fixed_bytes[..got], actual)
            .map_err(|e| DbError::from_format(path, e))?;
        let meta_len = fixed.header_len as usize + fixed.index_len as usize;
        let mut meta = vec![0u8; meta_len];
        file.read_exact(&mut meta).map_err(io)?;
        let start = FIXED_LEN as u64 + meta_len as u64;
        let (status, index) = format::read_meta(&fixed, &meta, actual - start)
            .map_err(|e| DbError::from_format(path, e))?;
        Ok(Database {
            status,
            index,
            body: Body::File {
                file: Mutex::new(file),
                start,
                path: path.to_path_buf(),
            },
        })
    }

    /// The snapshot built from the repository's advisory set, compiled into the binary (works
    /// offline and from an installed binary).
    pub fn bundled() -> Result<Database, DbError> {
        Database::from_bytes(Cow::Borrowed(BUNDLED), Path::new("<bundled snapshot>"))
    }

    /// Opens a database held in memory; `label` names it in errors.
    pub fn from_bytes(bytes: Cow<'static, [u8]>, label: &Path) -> Result<Database, DbError> {
        let actual = bytes.len() as u64;
        let fixed =
            format::read_fixed(&bytes, actual).map_err(|e| DbError::from_format(label, e))?;
        let meta_len = fixed.header_len as usize + fixed.index_len as usize;
        let start = FIXED_LEN + meta_len;
        let meta = bytes
            .get(FIXED_LEN..start)
            .ok_or_else(|| DbError::Corrupt {
                path: label.to_path_buf(),
                cause: "header and index run past the end".to_owned(),
            })?;
        let (status, index) = format::read_meta(&fixed, meta, (bytes.len() - start) as u64)
            .map_err(|e| DbError::from_format(label, e))?;
        Ok(Database {
            status,
            index,
            body: Body::Memory { bytes, start },
        })
    }

    /// Counts per ecosystem, build time and source.
    pub fn status(&self) -> &Status {
        &self.status
    }

    /// Every (ecosystem, normalised name) in the index, in index order.
    pub fn packages(&self) -> impl Iterator<Item = (Ecosystem, &str)> {
        self.index.iter().map(|e| (e.ecosystem, &*e.name))
    }

    /// Checks one package at its version.
    pub fn check(&self, pkg: &Package) -> Check {
        let eco = pkg.ecosystem;
        let Some(eco_status) = self
            .status
            .per_ecosystem
            .get(&eco)
            .filter(|s| s.advisories > 0)
        else {
            return Check::NotChecked(format!("the database has no {eco} advisories"));
        };
        let raw_version = pkg.version.trim();
        if raw_version.is_empty() {
            return Check::NotChecked("no version".to_owned());
        }
        let Some(version) = matcher::parse(eco, raw_version) else {
            return Check::NotChecked(format!(
                "version `{raw_version}` cannot be read under {eco} version rules"
            ));
        };
        let name = matcher::normalize_name(eco, &pkg.name);
        let partial = || {
            Check::NotChecked(format!(
                "the database holds only a partial {eco} advisory set ({} advisories); \
                 no match is not proof of absence",
                eco_status.advisories
            ))
        };
        let Ok(pos) = self
            .index
            .binary_search_by(|e| (e.ecosystem, &*e.name).cmp(&(eco, name.as_str())))
        else {
            return if eco_status.complete {
                Check::Clean
            } else {
                partial()
            };
        };
        let stored = match self.read_blob(&self.index[pos]) {
            Ok(s) => s,
            Err(cause) => {
                return Check::NotChecked(format!(
                    "the database entry for {eco} {name} cannot be read: {cause}"
                ));
            }
        };
        let vulns = evaluate(eco, &stored, &version);
        if !vulns.is_empty() {
            Check::Vulnerable(vulns)
        } else if eco_status.complete {
            Check::Clean
        } else {
            partial()
        }
    }

    fn read_blob(&self, entry: &IndexEntry) -> Result<Vec<Stored>, String> {
        match &self.body {
            Body::Memory { bytes, start } => {
                let from = start + usize::try_from(entry.offset).map_err(|e| e.to_string())?;
                let blob = bytes
                    .get(from..from + entry.len as usize)
                    .ok_or_else(|| "blob outside the database".to_owned())?;
                format::decode_blob(entry, blob)
            }
            Body::File { file, start, .. } => {
                let mut blob = vec![0u8; entry.len as usize];
                {
                    let mut f = file.lock().map_err(|_| "file lock poisoned".to_owned())?;
                    f.seek(SeekFrom::Start(start + entry.offset))
                        .map_err(|e| e.to_string())?;
                    f.read_exact(&mut blob).map_err(|e| e.to_string())?;
                }
                format::decode_blob(entry, &blob)
            }
        }
    }
}

/// Reads until `buf` is full or the reader ends; returns the bytes read.
fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// One matching advisory, before grouping.
struct Hit<'a> {
    stored: &'a Stored,
    fix: Option<(&'a str, Version)>,
    informational: Option<&'a str>,
}

/// Evaluates every stored advisory of one package against a readable version, then folds the
/// hits into one [`Vuln`] per alias group.
fn evaluate(eco: Ecosystem, stored: &[Stored], version: &Version) -> Vec<Vuln> {
    let mut groups: BTreeMap<&str, Vec<Hit<'_>>> = BTreeMap::new();
    for adv in stored {
        let matching: Vec<_> = adv
            .affected
            .iter()
            .filter(|a| matcher::affected_entry(eco, a, version))
            .collect();
        if matching.is_empty() {
            continue;
        }
        // The fix: the highest of the matching entries' lowest fixes above the version (each
        // entry that says the version is affected must be fixed); entries naming no fix
        // (`last_affected`, open ranges) do not veto a fix another entry names.
        let fix = matching
            .iter()
            .filter_map(|a| matcher::lowest_fix_above(eco, a, version))
            .max_by(|a, b| a.1.cmp(&b.1));
        let informational = if matching.iter().all(|a| a.informational().is_some()) {
            matching.iter().find_map(|a| a.informational())
        } else {
            None
        };
        let group = adv.group.as_deref().unwrap_or(&adv.id);
        groups.entry(group).or_default().push(Hit {
            stored: adv,
            fix,
            informational,
        });
    }
    groups.into_values().map(|hits| fold(&hits)).collect()
}

fn id_rank(id: &str) -> u8 {
    if id.starts_with("GHSA-") {
        1
    } else if id.starts_with("CVE-") {
        2
    } else {
        0
    }
}

fn fold(hits: &[Hit<'_>]) -> Vuln {
    let primary = hits
        .iter()
        .map(|h| h.stored)
        .min_by(|a, b| (id_rank(&a.id), &a.id).cmp(&(id_rank(&b.id), &b.id)));
    let id = primary.map(|p| p.id.clone()).unwrap_or_default();
    let mut aliases: Vec<String> = hits
        .iter()
        .flat_map(|h| std::iter::once(&h.stored.id).chain(&h.stored.aliases))
        .filter(|a| **a != id)
        .cloned()
        .collect();
    aliases.sort();
    aliases.dedup();
    let mut related: Vec<String> = hits
        .iter()
        .flat_map(|h| &h.stored.related)
        .filter(|r| **r != id && aliases.binary_search(r).is_err())
        .cloned()
        .collect();
    related.sort();
    related.dedup();
    let summary = primary
        .and_then(|p| p.summary.clone())
        .or_else(|| hits.iter().find_map(|h| h.stored.summary.clone()));
    let cvss = hits
        .iter()
        .filter_map(|h| h.stored.cvss.as_ref())
        .max_by(|a, b| {
            let key = |c: &CvssScore| (c.score.is_some(), c.score.unwrap_or(0.0));
            let (ka, kb) = (key(a), key(b));
            ka.0.cmp(&kb.0).then(ka.1.total_cmp(&kb.1))
        })
        .cloned();
    let informational = if hits.iter().all(|h| h.informational.is_some()) {
        hits.iter().find_map(|h| h.informational.map(str::to_owned))
    } else {
        None
    };
    let db_severity = hits.iter().filter_map(|h| h.stored.db_severity).max();
    let (severity, severity_source) =
        match (cvss.as_ref().and_then(CvssScore::severity), db_severity) {
            (Some(s), _) => (s, SeveritySource::Cvss),
            (None, Some(s)) => (s, SeveritySource::Database),
            (None, None) if informational.is_some() => (Severity::Info, SeveritySource::Unrated),
            (None, None) => (Severity::Medium, SeveritySource::Unrated),
        };
    // The group's fix is the highest of its advisories' fixes (each advisory must be fixed;
    // one naming no fix, e.g. with `last_affected`, does not veto another's).
    let fixed = hits
        .iter()
        .filter_map(|h| h.fix.as_ref())
        .max_by(|a, b| a.1.cmp(&b.1))
        .map(|f| f.0.to_owned());
    let mut references = Vec::new();
    for r in hits.iter().flat_map(|h| &h.stored.refs) {
        if !references.contains(r) {
            references.push(r.clone());
        }
    }
    Vuln {
        id,
        aliases,
        related,
        summary,
        severity,
        severity_source,
        cvss,
        fixed,
        informational,
        references,
    }
}
