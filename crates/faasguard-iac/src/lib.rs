//! IaC loaders: detect a source file's format, parse it (pure parsers), and adapt it to the
//! provider-neutral model ([`faasguard_model::Function`]) with provenance.
//!
//! The caller (the engine) reads files with bounds and hands them over as [`SourceFile`]s;
//! nothing here touches the file system except to check whether a referenced code path exists.

pub mod azure;
mod cfn_lambda;
pub mod cloudformation;
pub mod serverless;
pub mod terraform;
pub mod yaml;

use std::path::{Component, Path, PathBuf};

use faasguard_model::Inventory;

/// Largest IaC file faasguard parses; bigger files get a diagnostic instead.
pub const MAX_SOURCE_BYTES: u64 = 8 * 1024 * 1024;

/// One source file, already read.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path relative to the scan root, `/`-separated; used in every location.
    pub path: String,
    /// Absolute path on disk (to resolve `CodeUri`, `filename`, … relative to it).
    pub abs: PathBuf,
    pub text: String,
}

/// The formats faasguard understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    /// SAM or CloudFormation, YAML or JSON.
    CloudFormation,
    Serverless,
    Terraform,
    /// Azure `function.json`, `host.json`, `local.settings.json`, ARM templates.
    Azure,
}

/// Which loader wants this file, judged by its name and, for YAML/JSON, its content.
pub fn detect(file: &SourceFile) -> Option<Format> {
    let name = file.path.rsplit('/').next().unwrap_or(&file.path);
    let lower = name.to_ascii_lowercase();
    if lower == "serverless.yml" || lower == "serverless.yaml" {
        return Some(Format::Serverless);
    }
    if has_ext(&lower, &["tf"]) || lower.ends_with(".tf.json") {
        return Some(Format::Terraform);
    }
    if azure::wants(&lower, &file.text) {
        return Some(Format::Azure);
    }
    if has_ext(&lower, &["yaml", "yml", "json", "template"])
        && cloudformation::looks_like_template(&file.text)
    {
        return Some(Format::CloudFormation);
    }
    None
}

/// Whether a path could be an IaC source, by name alone (the walker reads only these).
pub fn is_candidate_name(name: &str) -> bool {
    has_ext(
        &name.to_ascii_lowercase(),
        &["yaml", "yml", "json", "template", "tf"],
    )
}

/// Whether an already lower-cased file name ends in `.<ext>` for one of `exts`.
fn has_ext(lower_name: &str, exts: &[&str]) -> bool {
    std::path::Path::new(lower_name)
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| exts.contains(&e))
}

/// `rel` resolved against the directory of the file at `abs`, with `.` and `..` folded.
pub(crate) fn resolve_beside(abs: &Path, rel: &str) -> PathBuf {
    let base = abs.parent().unwrap_or(Path::new(""));
    let mut out = PathBuf::new();
    for c in base.join(rel).components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Loads every recognised file into one inventory. Terraform files are grouped by directory
/// (one module) and Azure files are loaded together (a function.json takes its app's
/// local.settings.json and host.json); every other format is loaded per file. A file that
/// fails to load becomes a diagnostic naming the file and line; the other files are still
/// loaded.
pub fn load(files: &[SourceFile]) -> Inventory {
    let mut inv = Inventory::default();
    let mut terraform = Vec::new();
    let mut azure = Vec::new();
    for file in files {
        match detect(file) {
            Some(Format::CloudFormation) => inv.extend(cloudformation::load(file)),
            Some(Format::Serverless) => inv.extend(serverless::load(file)),
            Some(Format::Azure) => azure.push(file),
            Some(Format::Terraform) => terraform.push(file),
            None => {}
        }
    }
    inv.extend(terraform::load(&terraform));
    inv.extend(azure::load_all(&azure));
    inv
}
