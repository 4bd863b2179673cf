//! The walker: finds candidate IaC files under a target, honours `.faasguardignore` and the
//! configured excludes, skips dependency and build directories, and reads files with bounds.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use ignore::WalkBuilder;
use ignore::gitignore::{Gitignore, GitignoreBuilder};

use faasguard_core::{Diagnostic, Location};
use faasguard_iac::{MAX_SOURCE_BYTES, SourceFile, is_candidate_name};

use crate::error::EngineError;

/// The per-directory ignore file (gitignore syntax).
pub const IGNORE_FILE_NAME: &str = ".faasguardignore";

/// Directories never entered: version control, dependencies, and build output of the IaC tools.
pub const SKIPPED_DIRS: &[&str] = &[
    ".git",
    "node_modules",
    ".terraform",
    ".aws-sam",
    "cdk.out",
    ".serverless",
];

/// At most this many candidate files are read per scan; the rest get one diagnostic.
pub const MAX_FILES: usize = 100_000;

/// How much of an oversized file is read to decide whether it is IaC worth a diagnostic.
const SNIFF_BYTES: u64 = 64 * 1024;

/// Files read so far, keyed by absolute path so that overlapping targets read a file once.
#[derive(Debug, Default)]
pub(crate) struct Walked {
    pub files: BTreeMap<PathBuf, SourceFile>,
    pub diagnostics: Vec<Diagnostic>,
    pub skipped_for_count: bool,
    /// Every regular file each directory target's walk visited.
    pub listings: Vec<Listing>,
}

/// The regular files of one target directory as its walk found them (ignore files, excludes and
/// [`SKIPPED_DIRS`] applied): '/'-separated paths relative to `root`, sorted. The injection
/// analysis lists code directories from it instead of walking them again.
#[derive(Debug, Clone, Default)]
pub(crate) struct Listing {
    /// Canonical.
    pub root: PathBuf,
    pub files: Vec<String>,
}

impl Listing {
    /// The files under `dir` (a path relative to the root; empty for the root itself), relative
    /// to `dir`.
    pub(crate) fn under(&self, dir: &str) -> Vec<String> {
        if dir.is_empty() {
            return self.files.clone();
        }
        let prefix = format!("{dir}/");
        let start = self.files.partition_point(|f| f.as_str() < prefix.as_str());
        self.files[start..]
            .iter()
            .map_while(|f| f.strip_prefix(&prefix).map(str::to_owned))
            .collect()
    }
}

/// Config excludes: gitignore-syntax patterns relative to a base directory.
#[derive(Debug, Clone)]
pub(crate) struct Excludes(Vec<Gitignore>);

impl Excludes {
    pub fn new(groups: &[(PathBuf, Vec<String>)]) -> Result<Excludes, EngineError> {
        let mut out = Vec::new();
        for (base, patterns) in groups {
            let base = crate::canonical_dir(base);
            let mut builder = GitignoreBuilder::new(&base);
            for pattern in patterns {
                builder
                    .add_line(None, pattern)
                    .map_err(|e| EngineError::Exclude {
                        pattern: pattern.clone(),
                        message: e.to_string(),
                    })?;
            }
            let gi = builder.build().map_err(|e| EngineError::Exclude {
                pattern: patterns.join(", "),
                message: e.to_string(),
            })?;
            out.push(gi);
        }
        Ok(Excludes(out))
    }

    pub(crate) fn excluded(&self, abs: &Path, is_dir: bool) -> bool {
        self.0
            .iter()
            .any(|gi| abs.starts_with(gi.path()) && gi.matched(abs, is_dir).is_ignore())
    }
}

/// Walks one target for IaC sources. `prefix` is prepended to every relative path (used when
/// several targets are scanned at once, so their files stay apart).
pub(crate) fn walk_target(
    target: &Path,
    prefix: &str,
    excludes: &Excludes,
    out: &mut Walked,
) -> Result<(), EngineError> {
    // An explicitly named file is always read, whatever its name.
    let explicit = target.is_file();
    let mut diagnostics = Vec::new();
    let mut found = Vec::new();
    let mut listed = Vec::new();
    walk_files(
        target,
        prefix,
        excludes,
        SKIPPED_DIRS,
        &mut diagnostics,
        |abs, rel| {
            if !explicit {
                let unprefixed = if prefix.is_empty() {
                    Some(rel.as_str())
                } else {
                    rel.strip_prefix(prefix).and_then(|r| r.strip_prefix('/'))
                };
                if let Some(r) = unprefixed {
                    listed.push(r.to_owned());
                }
            }
            let name = rel.rsplit('/').next().unwrap_or(&rel);
            if explicit || is_candidate_name(name) {
                found.push((abs, rel));
            }
        },
    )?;
    out.diagnostics.append(&mut diagnostics);
    if !explicit && let Ok(root) = target.canonicalize() {
        listed.sort_unstable();
        out.listings.push(Listing {
            root,
            files: listed,
        });
    }
    for (abs, rel) in found {
        read_candidate(&abs, rel, out);
    }
    Ok(())
}

/// Visits every regular file under `target` as `(absolute path, relative '/'-separated path)`,
/// honouring `.faasguardignore`, the configured excludes and `skipped_dirs`, in file-name order.
/// A target that is itself a file is visited whatever the ignore files say, named by `prefix` or
/// its file name. Symlinks are never followed: a link inside the root is read at its target, and
/// a link out of the root must not pull outside files into the scan (this also makes link loops
/// harmless). Unreadable directories become diagnostics.
pub(crate) fn walk_files(
    target: &Path,
    prefix: &str,
    excludes: &Excludes,
    skipped_dirs: &'static [&'static str],
    diagnostics: &mut Vec<Diagnostic>,
    mut visit: impl FnMut(PathBuf, String),
) -> Result<(), EngineError> {
    let canonical = target
        .canonicalize()
        .map_err(|source| EngineError::Target {
            path: target.to_path_buf(),
            source,
        })?;
    if canonical.is_file() {
        let name = canonical
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let rel = if prefix.is_empty() {
            name
        } else {
            prefix.to_owned()
        };
        visit(canonical, rel);
        return Ok(());
    }
    let root = canonical;
    let filter_excludes = excludes.clone();
    let mut builder = WalkBuilder::new(&root);
    builder
        .hidden(false)
        .ignore(false)
        .git_ignore(false)
        .git_global(false)
        .git_exclude(false)
        .parents(true)
        .follow_links(false)
        .sort_by_file_name(std::cmp::Ord::cmp)
        .add_custom_ignore_filename(IGNORE_FILE_NAME)
        .filter_entry(move |entry| {
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            if is_dir && entry.depth() > 0 {
                let name = entry.file_name().to_string_lossy();
                if skipped_dirs.contains(&name.as_ref()) {
                    return false;
                }
            }
            !filter_excludes.excluded(entry.path(), is_dir)
        });
    for result in builder.build() {
        let entry = match result {
            Ok(entry) => entry,
            Err(err) => {
                // An unreadable directory or a broken ignore file: report and go on.
                diagnostics.push(Diagnostic::new(
                    Location::file(prefix_join(prefix, &walk_error_path(&err, &root))),
                    format!("cannot read: {err}"),
                ));
                continue;
            }
        };
        // Regular files only: directories are walked, symlinks are not followed, and FIFOs or
        // devices would block or never end.
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let path = entry.path();
        let Some(rel) = relative(path, &root) else {
            continue;
        };
        visit(path.to_path_buf(), prefix_join(prefix, &rel));
    }
    Ok(())
}

/// Reads one candidate file with bounds; problems become diagnostics.
fn read_candidate(abs: &Path, rel: String, out: &mut Walked) {
    if out.files.contains_key(abs) {
        return;
    }
    if out.files.len() >= MAX_FILES {
        if !out.skipped_for_count {
            out.skipped_for_count = true;
            out.diagnostics.push(Diagnostic::new(
                Location::file(rel),
                format!(
                    "more than {MAX_FILES} candidate files; this and later files were not scanned"
                ),
            ));
        }
        return;
    }
    let lower_name = rel.rsplit('/').next().unwrap_or(&rel).to_ascii_lowercase();
    let bytes = match read_bounded(abs, MAX_SOURCE_BYTES + 1) {
        Ok(bytes) => bytes,
        Err(err) => {
            out.diagnostics.push(Diagnostic::new(
                Location::file(rel),
                format!("cannot read file: {err}"),
            ));
            return;
        }
    };
    if bytes.len() as u64 > MAX_SOURCE_BYTES {
        let size = std::fs::metadata(abs).map_or(bytes.len() as u64, |m| m.len());
        let sniff_len = usize::try_from(SNIFF_BYTES)
            .unwrap_or(usize::MAX)
            .min(bytes.len());
        let head = String::from_utf8_lossy(&bytes[..sniff_len]);
        if named_like_iac(&lower_name) || looks_like_iac(&rel, abs, &head) {
            out.diagnostics.push(Diagnostic::new(
                Location::file(rel),
                format!(
                    "file is {size} bytes, larger than the {MAX_SOURCE_BYTES}-byte limit; not scanned"
                ),
            ));
        }
        return;
    }
    let text = match String::from_utf8(bytes) {
        Ok(text) if !text.contains('\0') => text,
        Ok(_) | Err(_) => {
            if named_like_iac(&lower_name) {
                out.diagnostics.push(Diagnostic::new(
                    Location::file(rel),
                    "binary file (NUL bytes or invalid UTF-8) where an IaC source was expected; not scanned",
                ));
            }
            return;
        }
    };
    out.files.insert(
        abs.to_path_buf(),
        SourceFile {
            path: rel,
            abs: abs.to_path_buf(),
            text,
        },
    );
}

fn read_bounded(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    File::open(path)?.take(limit).read_to_end(&mut buf)?;
    Ok(buf)
}

/// Names that say "this is infrastructure as code" whatever the content.
pub(crate) fn named_like_iac(lower_name: &str) -> bool {
    let ext = Path::new(lower_name).extension().and_then(|e| e.to_str());
    matches!(ext, Some("tf" | "template"))
        || lower_name.ends_with(".tf.json")
        || matches!(
            lower_name,
            "serverless.yml"
                | "serverless.yaml"
                | "template.yaml"
                | "template.yml"
                | "template.json"
                | "function.json"
                | "host.json"
                | "local.settings.json"
        )
}

fn looks_like_iac(rel: &str, abs: &Path, head: &str) -> bool {
    let probe = SourceFile {
        path: rel.to_owned(),
        abs: abs.to_path_buf(),
        text: head.to_owned(),
    };
    faasguard_iac::detect(&probe).is_some()
}

/// `path` relative to `root`, `/`-separated.
pub(crate) fn relative(path: &Path, root: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    Some(parts.join("/"))
}

/// `rel` under `prefix` (either may be empty), `/`-separated.
pub(crate) fn prefix_join(prefix: &str, rel: &str) -> String {
    match (prefix.is_empty(), rel.is_empty()) {
        (true, _) => rel.to_owned(),
        (false, true) => prefix.to_owned(),
        (false, false) => format!("{prefix}/{rel}"),
    }
}

fn walk_error_path(err: &ignore::Error, root: &Path) -> String {
    fn find(err: &ignore::Error) -> Option<&Path> {
        match err {
            ignore::Error::WithPath { path, .. } => Some(path),
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                find(err)
            }
            ignore::Error::Partial(errs) => errs.iter().find_map(find),
            _ => None,
        }
    }
    find(err)
        .and_then(|p| relative(p, root))
        .unwrap_or_default()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]
mod tests {
    use super::*;

    fn walk(root: &Path) -> Walked {
        let mut out = Walked::default();
        walk_target(root, "", &Excludes::new(&[]).unwrap(), &mut out).unwrap();
        out
    }

    fn paths(w: &Walked) -> Vec<String> {
        let mut v: Vec<String> = w.files.values().map(|f| f.path.clone()).collect();
        v.sort();
        v
    }

    /// `.faasguardignore` (gitignore syntax) hides paths, dependency and build directories are
    /// skipped, non-candidate files are not read, and paths are relative and `/`-separated.
    #[test]
    fn honours_ignore_file_and_skips_dependency_dirs() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for rel in [
            "template.yaml",
            "app/serverless.yml",
            "app/handler.py",
            "node_modules/pkg/template.yaml",
            ".aws-sam/build/template.yaml",
            ".terraform/modules/main.tf",
            "legacy/old.yaml",
            "infra/main.tf",
            "infra/generated.tf",
        ] {
            let p = root.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, "x: 1\n").unwrap();
        }
        std::fs::write(root.join(IGNORE_FILE_NAME), "legacy/\n").unwrap();
        std::fs::write(root.join("infra").join(IGNORE_FILE_NAME), "generated.tf\n").unwrap();
        let w = walk(root);
        assert_eq!(
            paths(&w),
            ["app/serverless.yml", "infra/main.tf", "template.yaml"]
        );
        assert!(w.diagnostics.is_empty());
    }

    /// A `.faasguardignore` in a parent of the scanned directory applies too.
    #[test]
    fn ignore_file_in_parent_applies() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("infra");
        std::fs::create_dir_all(sub.join("legacy")).unwrap();
        std::fs::write(sub.join("legacy/main.tf"), "x = 1\n").unwrap();
        std::fs::write(sub.join("main.tf"), "x = 1\n").unwrap();
        std::fs::write(dir.path().join(IGNORE_FILE_NAME), "infra/legacy/\n").unwrap();
        assert_eq!(paths(&walk(&sub)), ["main.tf"]);
    }

    /// Config excludes use gitignore syntax relative to their base directory.
    #[test]
    fn config_excludes() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("build")).unwrap();
        std::fs::write(root.join("build/template.yaml"), "a: 1\n").unwrap();
        std::fs::write(root.join("keep.gen.yaml"), "a: 1\n").unwrap();
        std::fs::write(root.join("template.yaml"), "a: 1\n").unwrap();
        let ex = Excludes::new(&[(
            root.to_path_buf(),
            vec!["build/".into(), "*.gen.yaml".into()],
        )])
        .unwrap();
        let mut w = Walked::default();
        walk_target(root, "", &ex, &mut w).unwrap();
        assert_eq!(paths(&w), ["template.yaml"]);
    }

    /// Binary files named like IaC give a diagnostic; other binary candidates are skipped quietly.
    #[test]
    fn binary_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("template.yaml"), b"AWS\0\x01\x02").unwrap();
        std::fs::write(dir.path().join("data.json"), b"\xff\xfe\0\0").unwrap();
        let w = walk(dir.path());
        assert!(w.files.is_empty());
        assert_eq!(w.diagnostics.len(), 1, "{:?}", w.diagnostics);
        assert_eq!(w.diagnostics[0].location.file, "template.yaml");
        assert!(w.diagnostics[0].message.contains("binary"));
    }

    /// A file over the size limit is not read; when it is IaC the diagnostic names the size.
    #[test]
    fn oversized_files() {
        let dir = tempfile::tempdir().unwrap();
        let big = usize::try_from(MAX_SOURCE_BYTES).unwrap() + 10;
        let mut text = String::from("AWSTemplateFormatVersion: '2010-09-09'\n");
        text.push_str(&"#".repeat(big));
        std::fs::write(dir.path().join("stack.yaml"), &text).unwrap();
        std::fs::write(dir.path().join("data.json"), "[".repeat(big)).unwrap();
        let w = walk(dir.path());
        assert!(w.files.is_empty());
        assert_eq!(w.diagnostics.len(), 1, "{:?}", w.diagnostics);
        assert_eq!(w.diagnostics[0].location.file, "stack.yaml");
        assert!(
            w.diagnostics[0]
                .message
                .contains(&format!("{}", text.len()))
        );
    }

    /// Symlinks are not followed: neither out of the root nor to files already in it.
    #[cfg(unix)]
    #[test]
    fn symlinks_out_of_root_are_not_followed() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.yaml"), "a: 1\n").unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(
            outside.path().join("secret.yaml"),
            dir.path().join("link.yaml"),
        )
        .unwrap();
        std::os::unix::fs::symlink(outside.path(), dir.path().join("linkdir")).unwrap();
        std::fs::write(dir.path().join("real.yaml"), "a: 1\n").unwrap();
        std::os::unix::fs::symlink(dir.path().join("real.yaml"), dir.path().join("alias.yaml"))
            .unwrap();
        let w = walk(dir.path());
        assert_eq!(paths(&w), ["real.yaml"]);
    }
}
