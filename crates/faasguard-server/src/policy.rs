//! The assurance policy document (assurance.yaml) behind `GET/PUT /api/v1/policy`.
//!
//! A PUT is validated by faasguard-assurance's parser (every mistake with its line and column)
//! and only then replaces the file, atomically (a temporary file in the same directory, renamed
//! over it), so a reader never sees half a policy.

use std::collections::BTreeSet;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use faasguard_assurance::{MAX_POLICY_BYTES, PolicyFile};
use tokio::sync::Mutex;

use crate::error::ApiError;

/// Where the policy document lives, and the rule ids it may name.
#[derive(Debug)]
pub struct PolicySource {
    path: Option<PathBuf>,
    known_rules: BTreeSet<String>,
    /// Serialises writers (two admins saving at once).
    write: Mutex<()>,
}

impl PolicySource {
    /// No policy file: the policy routes answer 503.
    pub fn none() -> PolicySource {
        PolicySource {
            path: None,
            known_rules: BTreeSet::new(),
            write: Mutex::new(()),
        }
    }

    /// The policy file at `path` (it need not exist yet: GET then returns an empty text).
    pub fn file(path: PathBuf) -> PolicySource {
        PolicySource {
            path: Some(path),
            ..PolicySource::none()
        }
    }

    /// Rule ids that `forbidden_rules` may name (the CLI passes the rule catalogue); with an
    /// empty set, rule ids are not checked against a catalogue.
    #[must_use]
    pub fn with_known_rules(mut self, rules: BTreeSet<String>) -> PolicySource {
        self.known_rules = rules;
        self
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    fn require_path(&self) -> Result<&Path, ApiError> {
        self.path.as_deref().ok_or_else(|| {
            ApiError::Unavailable("this server was started without a policy file".into())
        })
    }

    fn display_name(path: &Path) -> String {
        path.file_name().map_or_else(
            || "assurance.yaml".to_owned(),
            |n| n.to_string_lossy().into_owned(),
        )
    }

    /// The document's text (empty when the file does not exist yet).
    pub async fn read(&self) -> Result<String, ApiError> {
        let path = self.require_path()?;
        match tokio::fs::read(path).await {
            Ok(bytes) if bytes.len() > MAX_POLICY_BYTES => Err(ApiError::BadRequest(format!(
                "{} is larger than {MAX_POLICY_BYTES} bytes",
                path.display()
            ))),
            Ok(bytes) => String::from_utf8(bytes).map_err(|_| {
                ApiError::BadRequest(format!("{} is not UTF-8", Self::display_name(path)))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
            Err(e) => Err(ApiError::Store(format!(
                "cannot read {}: {e}",
                Self::display_name(path)
            ))),
        }
    }

    /// Validates `text` and replaces the document with it. Returns the number of policies.
    pub async fn write(&self, text: &str) -> Result<usize, ApiError> {
        let path = self.require_path()?.to_owned();
        let name = Self::display_name(&path);
        let parsed = PolicyFile::parse(text, &name, &self.known_rules)
            .map_err(|errors| ApiError::BadRequest(errors.to_string()))?;
        let _guard = self.write.lock().await;
        let bytes = text.as_bytes().to_vec();
        tokio::task::spawn_blocking(move || replace_file(&path, &bytes))
            .await
            .map_err(|e| ApiError::Store(format!("writing {name}: {e}")))?
            .map_err(|e| ApiError::Store(format!("cannot write {name}: {e}")))?;
        Ok(parsed.policies.len())
    }
}

/// Writes `bytes` to a temporary file beside `path`, syncs it and renames it over `path`.
fn replace_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
