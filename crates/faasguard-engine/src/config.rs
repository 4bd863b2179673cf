//! `faasguard.toml`: the raw [`ConfigOptions`] as written, validated into a [`Config`] whose
//! errors name the file and the line.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::Deserialize;
use toml::Spanned;

use faasguard_core::Severity;

use crate::error::ConfigError;

/// The name of the configuration file searched upward from the scanned path.
pub const CONFIG_FILE_NAME: &str = "faasguard.toml";

/// The report formats a configuration may name (`format = "sarif"`).
pub const FORMAT_NAMES: &[&str] = &["table", "json", "sarif", "junit", "cyclonedx"];

/// The exit-code threshold: findings at or above it make `faasguard scan` exit 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOn {
    /// Never fail on findings (diagnostics still give exit code 2).
    Never,
    AtOrAbove(Severity),
}

impl FailOn {
    /// The default threshold: `high`.
    pub const DEFAULT: FailOn = FailOn::AtOrAbove(Severity::High);

    /// Whether a finding of this severity meets the threshold.
    pub fn fails(self, severity: Severity) -> bool {
        match self {
            FailOn::Never => false,
            FailOn::AtOrAbove(min) => severity >= min,
        }
    }
}

impl Default for FailOn {
    fn default() -> Self {
        FailOn::DEFAULT
    }
}

impl fmt::Display for FailOn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FailOn::Never => f.write_str("none"),
            FailOn::AtOrAbove(sev) => sev.fmt(f),
        }
    }
}

impl FromStr for FailOn {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.eq_ignore_ascii_case("none") {
            return Ok(FailOn::Never);
        }
        s.parse::<Severity>().map(FailOn::AtOrAbove).map_err(|_| {
            format!(
                "unknown fail-on level `{s}` (expected critical, high, medium, low, info or none)"
            )
        })
    }
}

/// `faasguard.toml` exactly as written. Unknown keys are rejected.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ConfigOptions {
    /// `critical`, `high`, `medium`, `low`, `info` or `none`.
    pub fail_on: Option<Spanned<String>>,
    /// Default report format: `table`, `json`, `sarif` or `junit`.
    pub format: Option<Spanned<String>>,
    /// Run only these rules (ids or names).
    pub select: Option<Vec<Spanned<String>>>,
    /// Never run these rules (ids or names).
    pub ignore: Option<Vec<Spanned<String>>>,
    /// Run rules whose status is `preview` (default true).
    pub preview: Option<bool>,
    /// Follow the injection analysis into installed dependencies (default false).
    pub sast_deps: Option<bool>,
    /// Timeout in seconds above which the timeout rule reports.
    pub max_timeout: Option<Spanned<i64>>,
    /// AWS account ids whose layers are trusted.
    pub trusted_accounts: Option<Vec<Spanned<String>>>,
    /// Paths (gitignore syntax, relative to this file's directory) that are not scanned.
    pub exclude: Option<Vec<Spanned<String>>>,
    /// Glob (relative to this file's directory) → rule ids or names suppressed in matching files.
    pub per_path_ignores: Option<BTreeMap<String, Spanned<Vec<Spanned<String>>>>>,
    /// The `[secrets]` table.
    pub secrets: Option<SecretsOptions>,
}

/// `[secrets]` in `faasguard.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SecretsOptions {
    /// Regexes over '/'-separated relative paths whose files the secret scan skips. Replaces the
    /// built-in list (test and fixture directories); `[]` scans every file.
    pub allow_paths: Option<Vec<Spanned<String>>>,
    /// Regexes over paths of documentation files, where only provider-prefixed key rules run.
    /// Replaces the built-in list (SDK example documents, READMEs inside dependencies).
    pub doc_paths: Option<Vec<Spanned<String>>>,
}

/// A validated `faasguard.toml`: every value checked, rule names turned into ids.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    /// The file it came from (absolute when it was found by searching).
    pub path: PathBuf,
    pub fail_on: Option<FailOn>,
    pub format: Option<String>,
    pub select: Option<BTreeSet<String>>,
    pub ignore: BTreeSet<String>,
    pub preview: Option<bool>,
    /// `sast-deps`, when written.
    pub sast_deps: Option<bool>,
    pub max_timeout_s: Option<u32>,
    pub trusted_accounts: Option<BTreeSet<String>>,
    pub exclude: Vec<String>,
    pub per_path_ignores: Vec<PerPathIgnore>,
    /// `[secrets] allow-paths`, when written.
    pub secret_allow_paths: Option<Vec<String>>,
    /// `[secrets] doc-paths`, when written.
    pub secret_doc_paths: Option<Vec<String>>,
}

/// Rules suppressed in files matching a glob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PerPathIgnore {
    /// The glob as written (matched against paths relative to `base`).
    pub glob: String,
    /// Rule ids.
    pub rules: BTreeSet<String>,
    /// The directory the glob is relative to (the configuration file's directory).
    pub base: PathBuf,
}

impl Config {
    /// Reads and validates a configuration file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Config::parse(&text, path)
    }

    /// Validates configuration text; `path` names the file in errors and anchors relative paths.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let err = |span: Option<std::ops::Range<usize>>, message: String| ConfigError::Invalid {
            path: path.to_path_buf(),
            line: span.map(|s| line_of(text, s.start)),
            message,
        };
        let raw: ConfigOptions =
            toml::from_str(text).map_err(|e| err(e.span(), e.message().trim().to_owned()))?;
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let mut config = Config {
            path: path.to_path_buf(),
            preview: raw.preview,
            sast_deps: raw.sast_deps,
            ..Config::default()
        };
        if let Some(v) = raw.fail_on {
            config.fail_on = Some(v.get_ref().parse().map_err(|m| err(Some(v.span()), m))?);
        }
        if let Some(v) = raw.format {
            let name = v.get_ref().to_ascii_lowercase();
            if !FORMAT_NAMES.contains(&name.as_str()) {
                return Err(err(
                    Some(v.span()),
                    format!(
                        "unknown format `{}` (expected {})",
                        v.get_ref(),
                        FORMAT_NAMES.join(", ")
                    ),
                ));
            }
            config.format = Some(name);
        }
        let rule_ids = |list: Vec<Spanned<String>>| selected_ids(list, &err);
        if let Some(list) = raw.select {
            config.select = Some(rule_ids(list)?);
        }
        if let Some(list) = raw.ignore {
            config.ignore = rule_ids(list)?;
        }
        if let Some(v) = raw.max_timeout {
            let secs = u32::try_from(*v.get_ref())
                .ok()
                .filter(|s| *s > 0)
                .ok_or_else(|| {
                    err(
                        Some(v.span()),
                        format!(
                            "max-timeout must be a positive number of seconds, not {}",
                            v.get_ref()
                        ),
                    )
                })?;
            config.max_timeout_s = Some(secs);
        }
        if let Some(list) = raw.trusted_accounts {
            let mut accounts = BTreeSet::new();
            for acct in list {
                let a = acct.get_ref();
                if a.len() != 12 || !a.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(err(
                        Some(acct.span()),
                        format!("trusted account `{a}` is not a 12-digit AWS account id"),
                    ));
                }
                accounts.insert(a.clone());
            }
            config.trusted_accounts = Some(accounts);
        }
        if let Some(list) = raw.exclude {
            for pat in list {
                // Check the pattern now so that a bad one is reported with its line.
                ignore::gitignore::GitignoreBuilder::new(&base)
                    .add_line(None, pat.get_ref())
                    .map_err(|e| err(Some(pat.span()), format!("bad exclude pattern: {e}")))?;
                config.exclude.push(pat.into_inner());
            }
        }
        if let Some(table) = raw.per_path_ignores {
            for (glob, rules) in table {
                globset::Glob::new(&glob).map_err(|e| {
                    err(
                        Some(rules.span()),
                        format!("bad per-path-ignores glob `{glob}`: {e}"),
                    )
                })?;
                config.per_path_ignores.push(PerPathIgnore {
                    glob,
                    rules: rule_ids(rules.into_inner())?,
                    base: base.clone(),
                });
            }
        }
        let strings =
            |list: Vec<Spanned<String>>| list.into_iter().map(Spanned::into_inner).collect();
        if let Some(secrets) = raw.secrets {
            config.secret_allow_paths = secrets.allow_paths.map(strings);
            config.secret_doc_paths = secrets.doc_paths.map(strings);
        }
        Ok(config)
    }
}

/// Turns a rule id or name (structural, secret or dependency rule) into its id; unknown keys are
/// an error naming the key.
pub fn resolve_rule(key: &str) -> Result<String, String> {
    let key = key.trim();
    crate::rule_catalog()
        .into_iter()
        .find(|r| r.info.id.eq_ignore_ascii_case(key) || r.info.name.eq_ignore_ascii_case(key))
        .map(|r| r.info.id)
        .ok_or_else(|| format!("unknown rule `{key}` (see `faasguard rules`)"))
}

/// The rule-id prefixes that select a whole family (`FG-SEC` = every secret rule).
pub const FAMILY_PREFIXES: &[&str] = &["FG-FN", "FG-IAM", "FG-AZ", "FG-SEC", "FG-DEP", "FG-INJ"];

/// Every rule id a selector names: one rule by id or name, or a family by its id prefix
/// (`FG-SEC`, `FG-IAM`, …).
pub fn resolve_selector(key: &str) -> Result<Vec<String>, String> {
    let key = key.trim();
    if let Some(prefix) = FAMILY_PREFIXES
        .iter()
        .find(|p| p.eq_ignore_ascii_case(key.trim_end_matches('-')))
    {
        let dash = format!("{prefix}-");
        // Opt-in rules are turned on only by their own id or name.
        return Ok(crate::rule_catalog()
            .into_iter()
            .filter(|r| r.status != "opt-in")
            .map(|r| r.info.id)
            .filter(|id| id.starts_with(&dash))
            .collect());
    }
    resolve_rule(key).map(|id| vec![id])
}

/// Finds `faasguard.toml` in `start` (a directory or a file's directory) or its ancestors,
/// stopping after the first directory that holds `.git` (the repository root).
pub fn find_config(start: &Path) -> Option<PathBuf> {
    let start = if start.is_file() {
        start.parent()?
    } else {
        start
    };
    for dir in start.ancestors() {
        let candidate = dir.join(CONFIG_FILE_NAME);
        if candidate.is_file() {
            return Some(candidate);
        }
        if dir.join(".git").exists() {
            break;
        }
    }
    None
}

/// The rule ids named by a list of selectors, each error at its key's span.
fn selected_ids(
    list: Vec<Spanned<String>>,
    err: &impl Fn(Option<std::ops::Range<usize>>, String) -> ConfigError,
) -> Result<BTreeSet<String>, ConfigError> {
    let mut ids = BTreeSet::new();
    for key in list {
        ids.extend(resolve_selector(key.get_ref()).map_err(|m| err(Some(key.span()), m))?);
    }
    Ok(ids)
}

/// 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> u32 {
    let end = offset.min(text.len());
    let newlines = text.get(..end).unwrap_or(text).matches('\n').count();
    u32::try_from(newlines + 1).unwrap_or(u32::MAX)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Path::new("/repo/faasguard.toml"))
    }

    /// An unknown key is rejected with the file and the line it is on.
    #[test]
    fn unknown_key_names_file_and_line() {
        let err = parse("fail-on = \"high\"\n\nfail_on_typo = 1\n").unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("/repo/faasguard.toml:3:"), "{msg}");
        assert!(msg.contains("fail_on_typo"), "{msg}");
    }

    /// Every key is read and validated; `none` disables the threshold.
    #[test]
    fn keys_parse() {
        let cfg = parse(
            "fail-on = \"none\"\nformat = \"SARIF\"\npreview = false\nsast-deps = true\nmax-timeout = 60\n\
             trusted-accounts = [\"123456789012\"]\nexclude = [\"build/\", \"*.gen.yaml\"]\n",
        )
        .unwrap();
        assert_eq!(cfg.fail_on, Some(FailOn::Never));
        assert_eq!(cfg.format.as_deref(), Some("sarif"));
        assert_eq!(cfg.preview, Some(false));
        assert_eq!(cfg.sast_deps, Some(true));
        assert_eq!(cfg.max_timeout_s, Some(60));
        assert!(cfg.trusted_accounts.unwrap().contains("123456789012"));
        assert_eq!(cfg.exclude, ["build/", "*.gen.yaml"]);
    }

    /// Bad values name their own line, not just the file.
    #[test]
    fn bad_values_name_their_line() {
        let err = parse("preview = true\nfail-on = \"severe\"\n").unwrap_err();
        assert!(
            err.to_string().starts_with("/repo/faasguard.toml:2:"),
            "{err}"
        );
        let err = parse("\n\ntrusted-accounts = [\n  \"12\",\n]\n").unwrap_err();
        assert!(
            err.to_string().starts_with("/repo/faasguard.toml:4:"),
            "{err}"
        );
        let err = parse("max-timeout = -5\n").unwrap_err();
        assert!(err.to_string().contains("positive"), "{err}");
        let err = parse("format = \"xml\"\n").unwrap_err();
        assert!(err.to_string().contains("unknown format `xml`"), "{err}");
    }

    /// A rule key that is not in the registry is an error naming it.
    #[test]
    fn unknown_rule_is_an_error() {
        let err = parse("ignore = [\"FG-NOPE-999\"]\n").unwrap_err();
        assert!(
            err.to_string().contains("unknown rule `FG-NOPE-999`"),
            "{err}"
        );
        assert!(
            err.to_string().starts_with("/repo/faasguard.toml:1:"),
            "{err}"
        );
    }

    /// Invalid TOML syntax is reported with its line.
    #[test]
    fn syntax_error_has_line() {
        let err = parse("fail-on = \"high\"\nexclude = [\n").unwrap_err();
        assert!(
            err.to_string().starts_with("/repo/faasguard.toml:"),
            "{err}"
        );
        assert!(matches!(err, ConfigError::Invalid { line: Some(_), .. }));
    }

    /// The upward search finds the nearest file and stops at the repository root.
    #[test]
    fn find_config_walks_up_to_repo_root() {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().join("repo");
        let sub = repo.join("app/src");
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::create_dir(repo.join(".git")).unwrap();
        // A config above the repository root is not picked up.
        std::fs::write(dir.path().join(CONFIG_FILE_NAME), "").unwrap();
        assert_eq!(find_config(&sub), None);
        std::fs::write(repo.join(CONFIG_FILE_NAME), "").unwrap();
        assert_eq!(find_config(&sub), Some(repo.join(CONFIG_FILE_NAME)));
    }

    /// The fail-on threshold compares severities inclusively.
    #[test]
    fn fail_on_threshold() {
        assert!(FailOn::DEFAULT.fails(Severity::High));
        assert!(FailOn::DEFAULT.fails(Severity::Critical));
        assert!(!FailOn::DEFAULT.fails(Severity::Medium));
        assert!(!FailOn::Never.fails(Severity::Critical));
        assert_eq!(
            "LOW".parse::<FailOn>(),
            Ok(FailOn::AtOrAbove(Severity::Low))
        );
    }

    /// A family prefix leaves opt-in rules out; their own id or name selects them, and the rule
    /// settings run them only when so selected.
    #[test]
    fn opt_in_rules_need_their_own_name() {
        let family = resolve_selector("FG-FN").unwrap();
        assert!(family.contains(&"FG-FN-017".to_owned()));
        assert!(!family.contains(&"FG-FN-018".to_owned()));
        assert_eq!(
            resolve_selector("function-outside-vpc").unwrap(),
            ["FG-FN-018"]
        );
        let meta = &faasguard_rules::rules::function::OutsideVpc::META;
        let mut rules = faasguard_rules::RuleSettings::default();
        assert!(!rules.is_enabled(meta));
        rules.select = family.into_iter().collect();
        assert!(!rules.is_enabled(meta));
        rules.select.insert("FG-FN-018".to_owned());
        assert!(rules.is_enabled(meta));
        rules.ignore.insert("function-outside-vpc".to_owned());
        assert!(!rules.is_enabled(meta));
    }
}
