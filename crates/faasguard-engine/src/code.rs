//! The code scan: every regular file under the targets, and every entry of the zip archives
//! among them (function packages, Lambda layers, archives nested in archives), read with bounds
//! and run through the secret engine on as many threads as the machine has.
//!
//! Archives are read in memory, never extracted, so entry names cannot write anywhere; a name
//! that would escape an extraction directory (zip slip) is still reported, because the tools
//! that deploy the package do extract it. Every bound that stops reading — size, compression
//! ratio, total expansion, entry count, nesting depth — becomes a diagnostic naming the archive
//! path and the cause; the rest of the scan goes on.

use std::fs::File;
use std::io::{BufReader, Cursor, Read, Seek};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use faasguard_core::{Diagnostic, Location};
use faasguard_lockfile::Package;
use faasguard_report::{CodeStats, SkippedFile};
use faasguard_secrets::{ScanOutcome, Scanner, SecretFinding, is_binary};

use crate::error::EngineError;
use crate::walk::{Excludes, walk_files};

/// Directories the code scan never enters: version control, IaC tool state, build output that
/// repeats the sources (`.aws-sam/build`, `cdk.out`, `.serverless` packages), caches and local
/// virtual environments. Unlike the IaC walk, `node_modules` *is* scanned: dependencies ship in
/// the function package.
pub const CODE_SKIPPED_DIRS: &[&str] = &[
    ".git",
    ".hg",
    ".svn",
    ".terraform",
    ".aws-sam",
    "cdk.out",
    ".serverless",
    ".venv",
    "__pycache__",
    ".mypy_cache",
    ".pytest_cache",
    ".tox",
];

/// The bounds of the code scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeLimits {
    /// Text files (and archive entries) larger than this are skipped (listed in the report).
    pub max_file_bytes: u64,
    /// An archive nested in another is read in memory up to this size.
    pub max_nested_archive_bytes: u64,
    /// All entries of one archive on disk, nested ones included, expand to at most this much.
    pub max_archive_total_bytes: u64,
    /// At most this many entries are read from one archive on disk, nested ones included.
    pub max_archive_entries: usize,
    /// An archive on disk is depth 1; an archive inside it depth 2, and so on.
    pub max_archive_depth: usize,
    /// Entries that expand more than this many times their compressed size (and to more than
    /// 1 MiB) are not read.
    pub max_compression_ratio: u64,
}

impl Default for CodeLimits {
    fn default() -> Self {
        CodeLimits {
            max_file_bytes: 64 << 20,
            max_nested_archive_bytes: 256 << 20,
            max_archive_total_bytes: 2 << 30,
            max_archive_entries: 200_000,
            max_archive_depth: 4,
            max_compression_ratio: 250,
        }
    }
}

/// One secret found, with the file on disk that holds it (the archive, for an entry).
#[derive(Debug)]
pub(crate) struct CodeHit {
    pub finding: SecretFinding,
    pub disk: PathBuf,
}

/// What the code scan found and covered.
#[derive(Debug, Default)]
pub(crate) struct CodeScan {
    pub hits: Vec<CodeHit>,
    /// Packages named by lockfiles, manifests, installed metadata and binaries, with the file
    /// on disk that holds them (the archive, for an entry).
    pub packages: Vec<(Package, PathBuf)>,
    pub diagnostics: Vec<Diagnostic>,
    pub skipped: Vec<SkippedFile>,
    pub stats: CodeStats,
}

impl CodeScan {
    pub(crate) fn merge(&mut self, mut other: CodeScan) {
        self.hits.append(&mut other.hits);
        self.packages.append(&mut other.packages);
        self.diagnostics.append(&mut other.diagnostics);
        self.skipped.append(&mut other.skipped);
        let (a, b) = (&mut self.stats, other.stats);
        a.files += b.files;
        a.bytes += b.bytes;
        a.archives += b.archives;
        a.archive_entries += b.archive_entries;
        a.binary_files += b.binary_files;
        a.allowlisted_files += b.allowlisted_files;
        a.inline_ignored += b.inline_ignored;
        a.long_lines_skipped += b.long_lines_skipped;
        a.package_files += b.package_files;
    }

    fn diagnostic(&mut self, file: &str, message: impl Into<String>) {
        self.diagnostics
            .push(Diagnostic::new(Location::file(file), message));
    }

    fn skip(&mut self, file: &str, reason: impl Into<String>) {
        self.skipped.push(SkippedFile {
            location: Location::file(file),
            reason: reason.into(),
        });
    }

    fn add_outcome(&mut self, outcome: ScanOutcome, disk: &Path) {
        let s = outcome.stats;
        self.stats.binary_files += s.binary as u64;
        self.stats.allowlisted_files += s.allowlisted_paths as u64;
        self.stats.inline_ignored += s.inline_ignored as u64;
        self.stats.long_lines_skipped += s.long_line_skips as u64;
        self.hits
            .extend(outcome.findings.into_iter().map(|finding| CodeHit {
                finding,
                disk: disk.to_path_buf(),
            }));
    }
}

/// What the code walk hands each file to.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Consumers<'a> {
    /// The secret scanner, when any secret rule runs.
    pub secrets: Option<&'a Scanner>,
    /// Whether lockfiles, manifests, installed metadata and binaries are parsed for packages.
    pub packages: bool,
}

/// Lockfiles and binaries read for packages may be this large (a 100k-entry lockfile, a Go
/// `bootstrap` binary); larger ones are skipped.
const MAX_PACKAGE_FILE_BYTES: u64 = 256 << 20;

impl Consumers<'_> {
    /// Whether any package parser claims this file.
    fn claims(self, path: &str, head: &[u8]) -> bool {
        self.packages && faasguard_lockfile::parsers_for(path, head).next().is_some()
    }

    /// Feeds one whole file (not an archive) to the package parsers and the secret scanner.
    fn consume(
        self,
        limits: CodeLimits,
        path: &str,
        bytes: &[u8],
        disk: &Path,
        out: &mut CodeScan,
    ) {
        if self.packages {
            let head = &bytes[..bytes.len().min(4096)];
            for parser in faasguard_lockfile::parsers_for(path, head) {
                match (parser.parse)(path, bytes) {
                    Ok(packages) => {
                        out.stats.package_files += 1;
                        out.packages
                            .extend(packages.into_iter().map(|p| (p, disk.to_path_buf())));
                        if parser.name == "requirements.txt" && disk.ends_with(path) {
                            follow_requirement_includes(path, bytes, disk, 0, out);
                        }
                    }
                    Err(err) => out.diagnostics.push(Diagnostic::new(
                        Location {
                            file: path.to_owned(),
                            line: err.line,
                            ..Location::default()
                        },
                        format!("cannot read {} file: {}", parser.name, err.message),
                    )),
                }
            }
        }
        let Some(scanner) = self.secrets else {
            return;
        };
        if is_binary(bytes) {
            out.stats.binary_files += 1;
            return;
        }
        if bytes.len() as u64 > limits.max_file_bytes {
            out.skip(
                path,
                format!(
                    "text of {} bytes is larger than the {} limit; not scanned for secrets",
                    bytes.len(),
                    mib(limits.max_file_bytes)
                ),
            );
            return;
        }
        out.stats.files += 1;
        out.stats.bytes += bytes.len() as u64;
        out.add_outcome(scanner.scan_bytes(path, bytes), disk);
    }
}

/// `-r`/`--requirement` and `-c`/`--constraint` lines of a requirements file: the paths they name.
fn requirement_includes(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|line| {
            let line = line.split(" #").next().unwrap_or("").trim();
            ["-r", "--requirement", "-c", "--constraint"]
                .iter()
                .find_map(|flag| {
                    let rest = line.strip_prefix(flag)?;
                    let rest = rest.strip_prefix('=').unwrap_or(rest);
                    (rest.starts_with([' ', '\t']) || line.contains('='))
                        .then(|| rest.trim().to_owned())
                })
                .filter(|p| !p.is_empty() && !p.contains("://"))
        })
        .collect()
}

/// Follows a requirements file's includes (`-r base.txt`) on disk, up to 5 levels, parsing each
/// included file as requirements even when its name is not `requirements*.txt`. `path` is the
/// including file as the report names it and `disk` its path on disk. Included files that the
/// walk also reaches are listed twice and de-duplicated later.
fn follow_requirement_includes(
    path: &str,
    bytes: &[u8],
    disk: &Path,
    depth: usize,
    out: &mut CodeScan,
) {
    let Some(parser) = faasguard_lockfile::parsers().find(|p| p.name == "requirements.txt") else {
        return;
    };
    if depth >= 5 {
        return;
    }
    let text = String::from_utf8_lossy(bytes);
    for include in requirement_includes(&text) {
        let (Some(dir), Some(rel_dir)) = (disk.parent(), Path::new(path).parent()) else {
            continue;
        };
        let target = dir.join(&include);
        let Ok(target) = target.canonicalize() else {
            out.diagnostic(
                path,
                format!("requirements include `{include}` does not exist"),
            );
            continue;
        };
        let Ok(included) = std::fs::read(&target) else {
            continue;
        };
        let shown = rel_dir.join(&include);
        let shown: Vec<String> = shown
            .components()
            .filter(|c| !matches!(c, std::path::Component::CurDir))
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        let shown = shown.join("/");
        match (parser.parse)(&shown, &included) {
            Ok(packages) => {
                out.stats.package_files += 1;
                out.packages
                    .extend(packages.into_iter().map(|p| (p, target.clone())));
                follow_requirement_includes(&shown, &included, &target, depth + 1, out);
            }
            Err(err) => out.diagnostic(
                &shown,
                format!("cannot read requirements file: {}", err.message),
            ),
        }
    }
}

/// What scanning one in-memory package found.
#[derive(Debug, Default)]
pub struct PackageScan {
    /// Secrets, located by `display!/entry/path` and line.
    pub findings: Vec<SecretFinding>,
    /// Packages named by the lockfiles, installed metadata and binaries inside.
    pub packages: Vec<Package>,
    /// Entries that could not or should not be read (caps, corrupt data, zip-slip names).
    pub diagnostics: Vec<Diagnostic>,
    /// Entries over the size limit.
    pub skipped: Vec<SkippedFile>,
    pub stats: CodeStats,
}

/// Scans one package held in memory — a zip (function code or a layer, nested archives
/// included) or a single file — with the same bounds as the code walk, naming entries
/// `display!/path`. The cloud scan feeds downloaded function code through it.
pub fn scan_package_bytes(
    scanner: &Scanner,
    display: &str,
    bytes: Vec<u8>,
    limits: CodeLimits,
) -> PackageScan {
    let consumers = Consumers {
        secrets: Some(scanner),
        packages: true,
    };
    let out = scan_memory_package(consumers, display, bytes, limits);
    PackageScan {
        findings: out.hits.into_iter().map(|h| h.finding).collect(),
        packages: out.packages.into_iter().map(|(p, _)| p).collect(),
        diagnostics: out.diagnostics,
        skipped: out.skipped,
        stats: out.stats,
    }
}

/// Scans one package held in memory for whichever consumers run; files inside are named
/// `display!/path` and owned (for findings) by the disk path `display`.
pub(crate) fn scan_memory_package(
    consumers: Consumers<'_>,
    display: &str,
    bytes: Vec<u8>,
    limits: CodeLimits,
) -> CodeScan {
    let mut out = CodeScan::default();
    let disk = PathBuf::from(display);
    if is_zip(&bytes) {
        out.stats.archives += 1;
        let mut budget = Budget::new(limits);
        let ctx = ArchiveCtx {
            consumers,
            limits,
            disk: &disk,
        };
        scan_archive(&ctx, Cursor::new(bytes), display, 1, &mut budget, &mut out);
    } else {
        consumers.consume(limits, display, &bytes, &disk, &mut out);
    }
    out
}

/// The text files of a function's zip package on disk whose paths `keep` accepts, as
/// `(path inside the package, text)`, read with the code walk's bounds (ratio, total size, entry
/// count; nested archives are not opened). Problems are diagnostics naming `display!/entry`.
pub(crate) fn package_texts(
    disk: &Path,
    display: &str,
    limits: CodeLimits,
    max_text_bytes: usize,
    keep: &dyn Fn(&str) -> bool,
) -> (Vec<(String, String)>, Vec<Diagnostic>) {
    let mut out = CodeScan::default();
    let mut texts = Vec::new();
    let file = match File::open(disk) {
        Ok(file) => file,
        Err(err) => {
            out.diagnostic(display, format!("cannot read package: {err}"));
            return (texts, out.diagnostics);
        }
    };
    let mut archive = match zip::ZipArchive::new(BufReader::new(file)) {
        Ok(archive) => archive,
        Err(err) => {
            out.diagnostic(display, format!("cannot read zip archive: {err}"));
            return (texts, out.diagnostics);
        }
    };
    let ctx = ArchiveCtx {
        consumers: Consumers {
            secrets: None,
            packages: false,
        },
        limits,
        disk,
    };
    let mut budget = Budget::new(limits);
    let prefix = format!("{display}!/");
    for index in 0..archive.len().min(limits.max_archive_entries) {
        if budget.stopped {
            break;
        }
        let wanted = match archive.name_for_index(index) {
            Some(Ok(name)) => keep(&sanitized(&name)),
            _ => false,
        };
        if !wanted {
            continue;
        }
        let Some((path, bytes)) =
            read_entry(&ctx, &mut archive, index, display, &mut budget, &mut out)
        else {
            continue;
        };
        if bytes.len() > max_text_bytes || is_binary(&bytes) || is_zip(&bytes) {
            continue;
        }
        let name = path.strip_prefix(&prefix).unwrap_or(&path).to_owned();
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(err) => String::from_utf8_lossy(err.as_bytes()).into_owned(),
        };
        texts.push((name, text));
    }
    (texts, out.diagnostics)
}

/// Whether a file starts like a zip archive (a function package or layer).
pub(crate) fn looks_like_zip(head: &[u8]) -> bool {
    is_zip(head)
}

/// Scans every file under the targets (`(target, prefix)` as the IaC walk takes them).
pub(crate) fn scan_code(
    consumers: Consumers<'_>,
    targets: &[(PathBuf, String)],
    excludes: &Excludes,
    limits: CodeLimits,
    threads: usize,
) -> Result<CodeScan, EngineError> {
    let mut walk_diagnostics = Vec::new();
    let mut files: Vec<(PathBuf, String)> = Vec::new();
    for (target, prefix) in targets {
        walk_files(
            target,
            prefix,
            excludes,
            CODE_SKIPPED_DIRS,
            &mut walk_diagnostics,
            |abs, rel| files.push((abs, rel)),
        )?;
    }
    // Overlapping targets name a file twice: read it once.
    files.sort();
    files.dedup_by(|a, b| a.0 == b.0);

    let next = AtomicUsize::new(0);
    let threads = threads.clamp(1, files.len().max(1));
    let work = |_: usize| {
        let mut out = CodeScan::default();
        while let Some((abs, rel)) = files.get(next.fetch_add(1, Ordering::Relaxed)) {
            scan_file(consumers, limits, abs, rel, &mut out);
        }
        out
    };
    let parts: Vec<CodeScan> = if threads == 1 {
        vec![work(0)]
    } else {
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads).map(|i| scope.spawn(move || work(i))).collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join().unwrap_or_else(|_| {
                        let mut failed = CodeScan::default();
                        failed.diagnostic(
                            "",
                            "internal error: a code-scan worker stopped; some files may not have been scanned",
                        );
                        failed
                    })
                })
                .collect()
        })
    };
    let mut out = CodeScan {
        diagnostics: walk_diagnostics,
        ..CodeScan::default()
    };
    for part in parts {
        out.merge(part);
    }
    out.hits.sort_by(|a, b| {
        let (a, b) = (&a.finding, &b.finding);
        (&a.path, a.line, a.column, &a.rule_id).cmp(&(&b.path, b.line, b.column, &b.rule_id))
    });
    out.skipped
        .sort_by(|a, b| a.location.file.cmp(&b.location.file));
    Ok(out)
}

/// A zip local-file header or an empty archive's end record.
fn is_zip(head: &[u8]) -> bool {
    head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06")
}

fn mib(bytes: u64) -> String {
    format!("{} MiB", bytes >> 20)
}

/// Shared libraries: their build data is not read (Go and Rust build information lives in
/// executables), so a package-only scan need not open them.
fn is_shared_library(path: &str) -> bool {
    let name = faasguard_lockfile::file_name(path);
    [".so", ".node", ".dylib", ".dll", ".pyd"]
        .iter()
        .any(|ext| name.ends_with(ext) || name.contains(".so."))
}

/// Whether a package-only scan (no secret rules) must open the file: a parser claims it by
/// name, it is an archive by name, or it may be an executable with build information.
fn package_only_candidate(abs: &Path, rel: &str) -> bool {
    if faasguard_lockfile::parsers_for(rel, b"").next().is_some() {
        return true;
    }
    let name = faasguard_lockfile::file_name(rel).to_ascii_lowercase();
    if [".zip", ".jar", ".war", ".ear", ".whl", ".nupkg"]
        .iter()
        .any(|ext| name.ends_with(ext))
    {
        return true;
    }
    if is_shared_library(rel) {
        return false;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        name == "bootstrap"
            || std::fs::metadata(abs).is_ok_and(|m| m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        let _ = abs;
        name == "bootstrap" || name.ends_with(".exe")
    }
}

fn scan_file(
    consumers: Consumers<'_>,
    limits: CodeLimits,
    abs: &Path,
    rel: &str,
    out: &mut CodeScan,
) {
    if consumers.secrets.is_none() && !package_only_candidate(abs, rel) {
        return;
    }
    let mut file = match File::open(abs) {
        Ok(file) => file,
        Err(err) => {
            out.diagnostic(rel, format!("cannot read file: {err}"));
            return;
        }
    };
    // One read for the head (a spare capacity avoids the standard library's small probe reads).
    let mut bytes = Vec::with_capacity(8192);
    if let Err(err) = (&mut file).take(8192).read_to_end(&mut bytes) {
        out.diagnostic(rel, format!("cannot read file: {err}"));
        return;
    }
    if is_zip(&bytes) {
        if let Err(err) = file.rewind() {
            out.diagnostic(rel, format!("cannot read file: {err}"));
            return;
        }
        out.stats.archives += 1;
        let mut budget = Budget::new(limits);
        let ctx = ArchiveCtx {
            consumers,
            limits,
            disk: abs,
        };
        scan_archive(&ctx, BufReader::new(file), rel, 1, &mut budget, out);
        return;
    }
    let claimed = if is_shared_library(rel) {
        consumers.claims(rel, b"")
    } else {
        consumers.claims(rel, &bytes[..bytes.len().min(4096)])
    };
    if is_binary(&bytes) && !claimed {
        if consumers.secrets.is_some() {
            out.stats.binary_files += 1;
        }
        return;
    }
    if !claimed && consumers.secrets.is_none() {
        return;
    }
    let cap = if claimed {
        limits.max_file_bytes.max(MAX_PACKAGE_FILE_BYTES)
    } else {
        limits.max_file_bytes
    };
    if bytes.len() == 8192
        && let Ok(meta) = file.metadata()
    {
        let want = usize::try_from(meta.len().min(cap + 1)).unwrap_or(usize::MAX);
        bytes.reserve_exact(want.saturating_sub(bytes.len()) + 1);
    }
    if let Err(err) = (&mut file)
        .take(cap + 1 - bytes.len() as u64)
        .read_to_end(&mut bytes)
    {
        out.diagnostic(rel, format!("cannot read file: {err}"));
        return;
    }
    if bytes.len() as u64 > cap {
        let size = std::fs::metadata(abs).map_or(bytes.len() as u64, |m| m.len());
        out.skip(
            rel,
            format!(
                "file of {size} bytes is larger than the {} limit; not scanned",
                mib(cap)
            ),
        );
        return;
    }
    consumers.consume(limits, rel, &bytes, abs, out);
}

/// What one archive on disk may still expand to.
struct Budget {
    bytes_left: u64,
    entries_left: usize,
    /// A cap was hit and reported: read nothing more from this archive.
    stopped: bool,
}

impl Budget {
    fn new(limits: CodeLimits) -> Budget {
        Budget {
            bytes_left: limits.max_archive_total_bytes,
            entries_left: limits.max_archive_entries,
            stopped: false,
        }
    }
}

struct ArchiveCtx<'a> {
    consumers: Consumers<'a>,
    limits: CodeLimits,
    disk: &'a Path,
}

/// An entry name made safe to show: `/`-separated, without a root, drive or `..` parts.
fn sanitized(name: &str) -> String {
    name.replace('\\', "/")
        .split('/')
        .filter(|part| !part.is_empty() && *part != "." && *part != ".." && !part.ends_with(':'))
        .collect::<Vec<_>>()
        .join("/")
}

/// Whether an entry name would land outside the directory it is extracted into: a root, a
/// drive, or a `..` part (with either separator).
fn escapes(name: &str) -> bool {
    let name = name.replace('\\', "/");
    let first = name.split('/').next().unwrap_or("");
    name.starts_with('/')
        || (first.len() == 2 && first.ends_with(':'))
        || name.split('/').any(|part| part == "..")
}

/// At most 200 characters of an entry name, for messages.
fn shown(name: &str) -> String {
    let mut out: String = name.chars().take(200).collect();
    if out.len() < name.len() {
        out.push('…');
    }
    out
}

fn scan_archive<R: Read + Seek>(
    ctx: &ArchiveCtx<'_>,
    reader: R,
    display: &str,
    depth: usize,
    budget: &mut Budget,
    out: &mut CodeScan,
) {
    let mut archive = match zip::ZipArchive::new(reader) {
        Ok(archive) => archive,
        Err(err) => {
            out.diagnostic(display, format!("cannot read zip archive: {err}"));
            return;
        }
    };
    for index in 0..archive.len() {
        if budget.stopped {
            return;
        }
        if budget.entries_left == 0 {
            budget.stopped = true;
            out.diagnostic(
                display,
                format!(
                    "archive holds more than {} entries (nested archives included); the rest were not scanned",
                    ctx.limits.max_archive_entries
                ),
            );
            return;
        }
        budget.entries_left -= 1;
        if let Some((path, bytes)) = read_entry(ctx, &mut archive, index, display, budget, out) {
            scan_entry(ctx, &path, bytes, depth, budget, out);
        }
    }
}

/// Reads one entry within the bounds: its display path and contents, or `None` when it is a
/// directory or link, or could not or should not be read (reported).
fn read_entry<R: Read + Seek>(
    ctx: &ArchiveCtx<'_>,
    archive: &mut zip::ZipArchive<R>,
    index: usize,
    display: &str,
    budget: &mut Budget,
    out: &mut CodeScan,
) -> Option<(String, Vec<u8>)> {
    let limits = ctx.limits;
    let raw_name = match archive.name_for_index(index) {
        Some(Ok(name)) => name.into_owned(),
        _ => format!("entry #{index}"),
    };
    let mut entry = match archive.by_index(index) {
        Ok(entry) => entry,
        Err(err) => {
            out.diagnostic(
                &format!("{display}!/{}", sanitized(&raw_name)),
                format!("cannot read archive entry: {err}"),
            );
            return None;
        }
    };
    if entry.is_dir() || entry.is_symlink() {
        return None;
    }
    let name = sanitized(&raw_name);
    if escapes(&raw_name) {
        out.diagnostic(
            &format!("{display}!/{name}"),
            format!(
                "archive entry name `{}` escapes the extraction directory (absolute, drive or `..` path: zip slip); scanned under the name `{name}`",
                shown(&raw_name)
            ),
        );
    }
    let path = format!("{display}!/{name}");
    out.stats.archive_entries += 1;
    let declared = entry.size();
    let compressed = entry.compressed_size();
    if declared > 1 << 20 && declared / compressed.max(1) > limits.max_compression_ratio {
        out.diagnostic(
            &path,
            format!(
                "entry expands {}:1 ({compressed} to {declared} bytes), more than the {}:1 allowed (zip bomb?); not scanned",
                declared / compressed.max(1),
                limits.max_compression_ratio
            ),
        );
        return None;
    }
    if declared > budget.bytes_left {
        budget.stopped = true;
        out.diagnostic(
            &path,
            format!(
                "archive expands past {} in total (zip bomb?); this and later entries were not scanned",
                mib(limits.max_archive_total_bytes)
            ),
        );
        return None;
    }
    let cap = limits.max_file_bytes.max(limits.max_nested_archive_bytes);
    if declared > cap {
        out.skip(
            &path,
            format!(
                "archive entry of {declared} bytes is larger than the {} limit; not scanned",
                mib(cap)
            ),
        );
        return None;
    }
    let mut bytes = Vec::new();
    let read = (&mut entry).take(declared + 1).read_to_end(&mut bytes);
    budget.bytes_left = budget.bytes_left.saturating_sub(bytes.len() as u64);
    if let Err(err) = read {
        out.diagnostic(&path, format!("cannot read archive entry: {err}"));
        return None;
    }
    if bytes.len() as u64 > declared {
        out.diagnostic(
            &path,
            format!(
                "entry inflates past its declared size of {declared} bytes (a crafted archive); not scanned"
            ),
        );
        return None;
    }
    Some((path, bytes))
}

/// Scans one entry's contents: a nested archive, a binary (passed over) or text.
fn scan_entry(
    ctx: &ArchiveCtx<'_>,
    path: &str,
    bytes: Vec<u8>,
    depth: usize,
    budget: &mut Budget,
    out: &mut CodeScan,
) {
    let limits = ctx.limits;
    if is_zip(&bytes) {
        if depth >= limits.max_archive_depth {
            out.diagnostic(
                path,
                format!(
                    "archive nested more than {} levels deep; not scanned",
                    limits.max_archive_depth
                ),
            );
            return;
        }
        out.stats.archives += 1;
        scan_archive(ctx, Cursor::new(bytes), path, depth + 1, budget, out);
        return;
    }
    ctx.consumers.consume(limits, path, &bytes, ctx.disk, out);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Names with a root, a drive or `..` escape; the sanitized form keeps only normal parts.
    #[test]
    fn entry_names() {
        for name in [
            "../x",
            "a/../../x",
            "/etc/passwd",
            "C:/win.ini",
            "..\\x",
            "a\\..\\..\\b",
        ] {
            assert!(escapes(name), "{name}");
        }
        for name in ["a/b.js", "python/lib/x..y.py", ".env", "a/.../b"] {
            assert!(!escapes(name), "{name}");
        }
        assert_eq!(sanitized("../../etc/passwd"), "etc/passwd");
        assert_eq!(sanitized("C:\\dir\\f.txt"), "dir/f.txt");
        assert_eq!(sanitized("./a//b"), "a/b");
    }
}
