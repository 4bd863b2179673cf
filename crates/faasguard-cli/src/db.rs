//! `faasguard db …`: the vulnerability database — where it lives, import from OSV files,
//! update from the OSV export bucket (or a mirror), status; and opening it for a scan.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use faasguard_lockfile::Ecosystem;
use faasguard_vulndb::{Database, ImportOptions, ImportReport, Status};

/// The OSV export bucket: `<base>/<ecosystem>/all.zip`.
pub const DEFAULT_BASE_URL: &str = "https://osv-vulnerabilities.storage.googleapis.com";

/// Largest `all.zip` downloaded (the PyPI export is ~50 MB, Maven ~70 MB in 2026).
const MAX_DOWNLOAD_BYTES: u64 = 1 << 30;

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Build the database from OSV JSON files: folders (searched for *.json) or zips such as an
    /// ecosystem's `all.zip`.
    Import(ImportArgs),
    /// Download the OSV exports (`<url>/<ecosystem>/all.zip`) and rebuild the database. The old
    /// database stays in place until the new one is complete.
    Update(UpdateArgs),
    /// Show what the database holds and how old it is.
    Status(StatusArgs),
}

#[derive(Debug, Args)]
pub struct DbPath {
    /// The database file [default: $FAASGUARD_DB, else $XDG_CACHE_HOME/faasguard/osv.fgdb or
    /// ~/.cache/faasguard/osv.fgdb].
    #[arg(long, value_name = "FILE")]
    pub db: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Folders, JSON files or zips of OSV advisories.
    #[arg(required = true)]
    sources: Vec<PathBuf>,
    #[command(flatten)]
    db: DbPath,
}

#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// Base URL of the OSV export (a mirror may serve the same layout).
    #[arg(long, default_value = DEFAULT_BASE_URL)]
    url: String,
    /// Ecosystems to download (OSV names, comma-separated) [default: all eight].
    #[arg(long, value_delimiter = ',')]
    ecosystems: Vec<String>,
    /// Give up on a download after this many seconds.
    #[arg(long, default_value_t = 600)]
    timeout: u64,
    #[command(flatten)]
    db: DbPath,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    db: DbPath,
}

/// The default database path: `$FAASGUARD_DB`, else the user cache directory.
pub fn default_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("FAASGUARD_DB").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    Some(cache.join("faasguard").join("osv.fgdb"))
}

fn resolve(path: &DbPath) -> Result<PathBuf> {
    path.db
        .clone()
        .or_else(default_path)
        .context("no database path: pass --db or set FAASGUARD_DB (HOME is not set)")
}

/// The database a scan uses: `--db` (must open), else the default path when it exists, else the
/// bundled snapshot. Returns the database and a label for the report.
pub fn open_for_scan(explicit: Option<&Path>) -> Result<(Arc<Database>, String)> {
    if let Some(path) = explicit {
        let db = Database::open(path)
            .with_context(|| format!("cannot open vulnerability database {}", path.display()))?;
        return Ok((Arc::new(db), path.display().to_string()));
    }
    if let Some(path) = default_path().filter(|p| p.is_file()) {
        let db = Database::open(&path)
            .with_context(|| format!("cannot open vulnerability database {}", path.display()))?;
        return Ok((Arc::new(db), path.display().to_string()));
    }
    let db = Database::bundled().context("cannot open the bundled vulnerability snapshot")?;
    Ok((Arc::new(db), "bundled snapshot".to_owned()))
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

pub fn run(command: &DbCommand) -> Result<std::process::ExitCode> {
    match command {
        DbCommand::Import(args) => {
            let dest = resolve(&args.db)?;
            let report = import(&args.sources, &dest, None)?;
            print_import(&report, &dest);
            Ok(exit_for(&report))
        }
        DbCommand::Update(args) => update(args),
        DbCommand::Status(args) => {
            let path = resolve(&args.db)?;
            let (db, label) = if path.is_file() {
                let db = Database::open(&path)
                    .with_context(|| format!("cannot open {}", path.display()))?;
                (db, path.display().to_string())
            } else {
                eprintln!(
                    "no database at {}; showing the bundled snapshot (run `faasguard db update`)",
                    path.display()
                );
                (
                    Database::bundled().context("cannot open the bundled snapshot")?,
                    "bundled snapshot".to_owned(),
                )
            };
            let mut out = std::io::stdout().lock();
            write!(out, "{}", status_text(db.status(), &label, now_secs()))?;
            Ok(std::process::ExitCode::SUCCESS)
        }
    }
}

/// Exit 0, or 2 when records were malformed (they were skipped; the rest is in the database).
fn exit_for(report: &ImportReport) -> std::process::ExitCode {
    if report.malformed.is_empty() {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::from(2)
    }
}

fn import(sources: &[PathBuf], dest: &Path, source_text: Option<String>) -> Result<ImportReport> {
    if let Some(dir) = dest.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let options = ImportOptions {
        source: source_text,
        built_at: Some(now_secs()),
        ..ImportOptions::default()
    };
    Ok(Database::import_with(sources, dest, &options)?)
}

fn print_import(report: &ImportReport, dest: &Path) {
    eprintln!(
        "imported {} advisories from {} files into {} ({} bytes); {} withdrawn dropped, {} duplicates",
        report.imported,
        report.files,
        dest.display(),
        report.bytes,
        report.withdrawn,
        report.duplicates
    );
    for m in report.malformed.iter().take(20) {
        eprintln!("error: {}: {}", m.file, m.cause);
    }
    if report.malformed.len() > 20 {
        eprintln!(
            "… and {} more malformed records",
            report.malformed.len() - 20
        );
    }
    if !report.malformed.is_empty() {
        eprintln!(
            "{} malformed records were skipped; the others were imported",
            report.malformed.len()
        );
    }
}

/// `db status` as text.
pub fn status_text(status: &Status, label: &str, now: u64) -> String {
    use std::fmt::Write as _;
    let mut out = format!(
        "database: {label}\nbuilt:    {} ({} days ago)\nsource:   {}\n\n{:<10} {:>10} {:>9}  {:<10} {}\n",
        status.built_at_rfc3339(),
        status.age_days(now),
        status.source,
        "ECOSYSTEM",
        "ADVISORIES",
        "PACKAGES",
        "NEWEST",
        "COVERAGE"
    );
    for (eco, s) in &status.per_ecosystem {
        let _ = writeln!(
            out,
            "{:<10} {:>10} {:>9}  {:<10} {}",
            eco.osv_name(),
            s.advisories,
            s.packages,
            s.newest_modified
                .as_deref()
                .map_or("-", |m| m.get(0..10).unwrap_or(m)),
            if s.complete {
                "complete"
            } else {
                "partial (no match is not proof of absence)"
            }
        );
    }
    if status.age_days(now) > 7 {
        let _ = writeln!(
            out,
            "\nThe database is more than 7 days old: run `faasguard db update`."
        );
    }
    out
}

fn update(args: &UpdateArgs) -> Result<std::process::ExitCode> {
    let dest = resolve(&args.db)?;
    let ecosystems: Vec<Ecosystem> = if args.ecosystems.is_empty() {
        Ecosystem::ALL.to_vec()
    } else {
        args.ecosystems
            .iter()
            .map(|e| {
                Ecosystem::ALL
                    .into_iter()
                    .find(|x| x.osv_name().eq_ignore_ascii_case(e.trim()))
                    .with_context(|| {
                        format!(
                            "unknown ecosystem `{e}` (expected one of {})",
                            Ecosystem::ALL.map(Ecosystem::osv_name).join(", ")
                        )
                    })
            })
            .collect::<Result<_>>()?
    };
    let dir = dest
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let staging = tempfile::Builder::new()
        .prefix(".faasguard-db-update-")
        .tempdir_in(&dir)
        .with_context(|| format!("cannot create a staging directory in {}", dir.display()))?;
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(args.timeout)))
        .build()
        .into();
    let base = args.url.trim_end_matches('/');
    let mut sources = Vec::new();
    for eco in &ecosystems {
        let url = format!("{base}/{}/all.zip", eco.osv_name());
        eprintln!("downloading {url}");
        let bytes = download(&agent, &url)?;
        let path = staging.path().join(format!("{}.zip", eco.osv_name()));
        std::fs::write(&path, &bytes)
            .with_context(|| format!("cannot write {}", path.display()))?;
        sources.push(path);
    }
    let source_text = format!(
        "OSV export {base} ({})",
        ecosystems
            .iter()
            .map(|e| e.osv_name())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let report = import(&sources, &dest, Some(source_text))?;
    print_import(&report, &dest);
    Ok(exit_for(&report))
}

/// GETs a URL into memory, bounded; any failure names the URL and the cause.
fn download(agent: &ureq::Agent, url: &str) -> Result<Vec<u8>> {
    let response = agent
        .get(url)
        .call()
        .map_err(|e| anyhow::anyhow!("cannot download {url}: {e}"))?;
    let mut bytes = Vec::new();
    response
        .into_body()
        .into_reader()
        .take(MAX_DOWNLOAD_BYTES + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("cannot download {url}"))?;
    if bytes.len() as u64 > MAX_DOWNLOAD_BYTES {
        bail!("{url} is larger than {MAX_DOWNLOAD_BYTES} bytes; not used");
    }
    Ok(bytes)
}
