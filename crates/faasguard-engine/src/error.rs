//! The engine's errors: problems that stop a scan before it starts (bad configuration, a missing
//! target, an unreadable baseline). Problems with individual files are diagnostics instead.

use std::fmt;
use std::path::PathBuf;

/// `faasguard.toml` could not be read or is invalid.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    #[error("{}: cannot read configuration", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}", InvalidDisplay { path, line: *line, message })]
    Invalid {
        path: PathBuf,
        /// 1-based line of the offending key or value, when known.
        line: Option<u32>,
        message: String,
    },
}

struct InvalidDisplay<'a> {
    path: &'a PathBuf,
    line: Option<u32>,
    message: &'a str,
}

impl fmt::Display for InvalidDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.path.display(), self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

/// Why a scan could not run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("{}: cannot scan", path.display())]
    Target {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: bad baseline: {message}", path.display())]
    Baseline { path: PathBuf, message: String },
    #[error("bad exclude pattern `{pattern}`: {message}")]
    Exclude { pattern: String, message: String },
    /// The secret scanner could not be built (a bad `secrets.allow-paths` pattern).
    #[error("secret scanning: {0}")]
    Secrets(String),
}
