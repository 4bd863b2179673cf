//! The scanning engine: prefilter, regexes, validation, allowlists, pairing, redaction.

use std::fmt::Write as _;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use faasguard_core::{Severity, redact_secret};
use regex::bytes::Regex;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::checksum::github_token_checksum_ok;
use crate::rules::{Checksum, Rule, RuleError, ascii_regex, builtin_rules};

/// Placeholder values that are never secrets, matched against the secret.
const GLOBAL_ALLOW: &[&str] = &[
    r"(?i)example",
    r"x{4,}|X{4,}",
    r"(?i)changeme|change_me|change-me",
    r"(?i)placeholder|dummy|redacted|replace[-_]?me|your[-_]?(api[-_]?)?(key|token|secret|password)",
    r"^<[^>]*>$",
    r"<[A-Za-z_-]+>",
    r"\$\{[^}]*\}",
    r"\{\{[^}]*\}\}",
    r"(?i)\{\{resolve:",
    r"(?i)process\.env",
    r"(?i)os\.environ",
    r"(?i)getenv",
    r"^\$[A-Za-z_]",
    r"\*{3,}",
    r"^\.{3,}$",
    // A bracketed placeholder in documentation: `redis://[[username]:[password]]@localhost`.
    r"^\[+[A-Za-z _-]*\]+$",
    r"(?i)^(password|secret|token|pass|passwd|apikey|api_key|null|none|true|false|undefined)\d*$",
];

/// Extra stop patterns for `generic` (keyword-assignment) rules, matched against the value:
/// identifiers and prose rather than credentials.
const GENERIC_ALLOW: &[&str] = &[
    // A constant or environment-variable name: `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`.
    r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$",
    // Letters only (`IAmSensitive`, `WillAlsoBeIgnored`): words, not generated secrets.
    r"^[A-Za-z.]+$",
    // A hyphen/underscore slug of lower-case words: `something-secret-here`.
    r"^[a-z]+(?:[-_][a-z]+){2,}$",
    // A value that spells out "password", also in leetspeak or split: documentation
    // (`mypassword`, `PassWordMust…`, `supers3cr3t@passw0rd`, `pass/word`).
    r"(?i)p[a@4][s$5]{2}[\W_]?(?:w[o0]rd|wd)",
    // A lower-case path (`/notifier/slack-token`): an SSM parameter name or file path.
    r"^/[a-z0-9_.-]+(?:/[a-z0-9_.-]+)*/?$",
    // An absolute path of two or more segments in any case (`PWD: '/Users/alice'`).
    r"^/(?:[A-Za-z0-9_.-]+/)+[A-Za-z0-9_.-]*$",
    // A code token ending an expression, not a literal: `password: BinaryLike,`,
    // `Password: __string;`, `password: creds.SecretAccessKey,`, `password: Annotated[`,
    // `mysql_native_password: AuthPluginDefinition<{`, `password = undefined;`.
    r"^[A-Za-z_$][A-Za-z0-9_$]*(?:\.[A-Za-z_$][A-Za-z0-9_$]*)*(?:\[[^\]]*\])?(?:[,;\[]|<\{?)$",
    // A type annotation (`password: Optional[str]`).
    r"^[A-Za-z_.]+\[[A-Za-z_.,\[\]]*\]$",
    // Hex literals (`0xBABECAFE`) and dotted identifiers (`config.api_key`). Segments with
    // digits are not identifiers here: `Summer.Harbor2024` is a password.
    r"^0x[0-9A-Fa-f]+$",
    r"^[A-Za-z_]+(?:\.[A-Za-z_]+)+$",
];

/// Comments that suppress findings on their line.
const INLINE_IGNORES: &[&str] = &["faasguard:ignore", "pragma: allowlist secret"];

/// Default path allowlist: test and fixture directories.
const DEFAULT_ALLOW_PATHS: &[&str] = &[
    r"(?i)(^|/)(test|tests|__tests__|spec|specs|fixtures?|testdata|__fixtures__|__mocks__)/",
    r"(?i)(^|/)[^/]*\.(test|spec)\.[a-z]+$",
    r"(^|/)test_[^/]*\.py$",
    r"(^|/)[^/]*_test\.(py|go)$",
    // TypeScript declarations: types and doc comments, no runtime values.
    r"\.d\.[cm]?ts$",
];

/// Default documentation paths: only rules with `in_docs` run there (provider-prefixed keys),
/// not those whose formats documentation shows as examples (passwords, JWTs, database URLs).
const DEFAULT_DOC_PATHS: &[&str] = &[
    // AWS SDK API example documents (`apis/*.examples.json`, botocore `examples-1.json`).
    r"(^|/)(?:[^/]*\.examples|examples-\d+)\.json$",
    // Documentation shipped inside dependencies (READMEs, package long descriptions).
    r"(^|/)(?:node_modules|site-packages|dist-packages)/(?:.*/)?[^/]*\.(?:md|markdown|rst)$",
    r"(^|/)(?:site-packages|dist-packages)/[^/]+\.dist-info/METADATA$",
];

/// Scanner configuration (validated by [`Scanner::new`]).
#[derive(Debug, Clone)]
pub struct Settings {
    /// Regexes over the '/'-separated relative path; a matching file is not scanned.
    pub allow_paths: Vec<String>,
    /// Regexes over the path of documentation files, where only rules with
    /// [`Rule::in_docs`](crate::Rule::in_docs) run.
    pub doc_paths: Vec<String>,
    /// Texts larger than this are not scanned (counted in [`ScanStats::too_large`]).
    pub max_file_bytes: usize,
    /// Generic rules skip matches on lines longer than this (minified code).
    pub max_line_bytes: usize,
    /// Rule ids or names to switch off.
    pub disabled_rules: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            allow_paths: DEFAULT_ALLOW_PATHS
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
            doc_paths: DEFAULT_DOC_PATHS.iter().map(|s| (*s).to_owned()).collect(),
            max_file_bytes: 64 << 20,
            max_line_bytes: 4096,
            disabled_rules: Vec::new(),
        }
    }
}

/// Why a scanner could not be built.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum SettingsError {
    #[error("built-in secret rules: {0}")]
    Rules(#[from] RuleError),
    #[error("path allowlist pattern {pattern:?}: {cause}")]
    AllowPath { pattern: String, cause: String },
    #[error("unknown rule {0} in disabled rules")]
    UnknownRule(String),
}

/// One secret found. Holds no secret: only a redacted preview and a hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SecretFinding {
    pub rule_id: String,
    pub rule_name: String,
    pub title: String,
    pub severity: Severity,
    /// Relative '/'-separated path as given to the scanner.
    pub path: String,
    /// 1-based line of the secret's first character.
    pub line: usize,
    /// 1-based column (in characters) of the secret's first character.
    pub column: usize,
    /// 1-based line of the secret's last character (differs for PEM keys).
    pub end_line: usize,
    /// `faasguard_core::redact_secret` of the secret.
    pub redacted: String,
    /// First 32 hex chars of SHA-256 over rule id and secret.
    pub fingerprint: String,
    /// The file sits in vendored dependency code (`node_modules/`, `site-packages/`, `vendor/`,
    /// `*.dist-info/`): shipped with the function, but ranked below first-party findings.
    pub dependency: bool,
}

/// Whether a '/'-separated path is inside vendored dependency code.
pub fn is_dependency_path(path: &str) -> bool {
    path.split('/').any(|part| {
        matches!(
            part,
            "node_modules" | "site-packages" | "dist-packages" | "vendor" | "bower_components"
        ) || part.ends_with(".dist-info")
            || part.ends_with(".egg-info")
    })
}

/// One environment variable to scan, with where its value sits in the source file.
#[derive(Debug, Clone, Copy)]
pub struct EnvVar<'a> {
    pub name: &'a str,
    pub value: &'a str,
    /// 1-based line of the value in the template (or 0 for a deployed function).
    pub line: usize,
    /// 1-based column of the value.
    pub column: usize,
}

/// Counters of what a scan skipped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ScanStats {
    /// Generic-rule matches dropped because their line exceeded `max_line_bytes`.
    pub long_line_skips: usize,
    /// Texts not scanned because larger than `max_file_bytes`.
    pub too_large: usize,
    /// Texts not scanned because their path is allowlisted.
    pub allowlisted_paths: usize,
    /// Buffers not scanned because they look binary ([`Scanner::scan_bytes`]).
    pub binary: usize,
    /// Matches dropped by an inline `faasguard:ignore` / `pragma: allowlist secret` comment.
    pub inline_ignored: usize,
}

/// Findings of one text plus counters.
#[derive(Debug, Clone, Default)]
pub struct ScanOutcome {
    pub findings: Vec<SecretFinding>,
    pub stats: ScanStats,
}

/// The secret scanner: immutable, shareable across threads.
#[derive(Debug)]
pub struct Scanner {
    rules: Vec<&'static Rule>,
    prefilter: AhoCorasick,
    /// For each prefilter pattern, the indices of rules it enables.
    keyword_rules: Vec<Vec<usize>>,
    global_allow: Vec<Regex>,
    generic_allow: Vec<Regex>,
    allow_paths: Vec<Regex>,
    doc_paths: Vec<Regex>,
    settings: Settings,
}

/// A raw hit before pairing and redaction. Holds the secret only transiently.
struct Hit {
    rule: usize,
    start: usize,
    end: usize,
    secret: String,
}

/// Whether a buffer looks binary: a NUL byte in its first 8 KiB.
pub fn is_binary(bytes: &[u8]) -> bool {
    bytes[..bytes.len().min(8192)].contains(&0)
}

/// Shannon entropy in bits per byte.
pub fn shannon_entropy(s: &str) -> f64 {
    let mut counts = [0u32; 256];
    for b in s.bytes() {
        counts[usize::from(b)] += 1;
    }
    #[expect(clippy::cast_precision_loss, reason = "lengths are far below 2^52")]
    let len = s.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / len;
            -p * p.log2()
        })
        .sum()
}

fn secret_fingerprint(rule_id: &str, secret: &str) -> String {
    let mut h = Sha256::new();
    h.update(rule_id.as_bytes());
    h.update([0u8]);
    h.update(secret.as_bytes());
    let mut out = String::with_capacity(32);
    for byte in h.finalize().iter().take(16) {
        let _ = write!(out, "{byte:02x}");
    }
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn all_same_char(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| chars.all(|d| d == c))
}

/// Offsets of line starts, for offset → (line, column).
struct Lines<'a> {
    text: &'a [u8],
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    fn new(text: &'a [u8]) -> Self {
        let mut starts = vec![0];
        starts.extend(
            text.iter()
                .enumerate()
                .filter(|(_, b)| **b == b'\n')
                .map(|(i, _)| i + 1),
        );
        Lines { text, starts }
    }

    /// 0-based line index of an offset.
    fn index(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset) - 1
    }

    /// 1-based (line, column in characters).
    fn position(&self, offset: usize) -> (usize, usize) {
        let idx = self.index(offset);
        let start = self.starts[idx];
        let column = self.text[start..offset]
            .iter()
            .filter(|b| (**b & 0xC0) != 0x80)
            .count();
        (idx + 1, column + 1)
    }

    /// Byte offset of the end of line `idx` (its `\n`, or the end of the text).
    fn end(&self, idx: usize) -> usize {
        self.starts.get(idx + 1).map_or(self.text.len(), |e| e - 1)
    }
}

impl Scanner {
    /// Build a scanner over the built-in rules.
    pub fn new(settings: Settings) -> Result<Self, SettingsError> {
        let all = builtin_rules()?;
        for d in &settings.disabled_rules {
            if !all.iter().any(|r| &r.id == d || &r.name == d) {
                return Err(SettingsError::UnknownRule(d.clone()));
            }
        }
        let rules: Vec<&'static Rule> = all
            .iter()
            .filter(|r| {
                !settings
                    .disabled_rules
                    .iter()
                    .any(|d| d == &r.id || d == &r.name)
            })
            .collect();
        let mut keywords: Vec<&str> = Vec::new();
        let mut keyword_rules: Vec<Vec<usize>> = Vec::new();
        for (i, rule) in rules.iter().enumerate() {
            for kw in &rule.keywords {
                if let Some(pos) = keywords.iter().position(|k| k == kw) {
                    keyword_rules[pos].push(i);
                } else {
                    keywords.push(kw);
                    keyword_rules.push(vec![i]);
                }
            }
        }
        let prefilter = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .kind(Some(AhoCorasickKind::DFA))
            .match_kind(MatchKind::Standard)
            .build(&keywords)
            .map_err(|e| {
                SettingsError::Rules(RuleError::Parse {
                    file: "(keywords)".into(),
                    cause: e.to_string(),
                })
            })?;
        let global_allow = GLOBAL_ALLOW
            .iter()
            .map(|p| ascii_regex(p))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| {
                SettingsError::Rules(RuleError::Parse {
                    file: "(global allowlist)".into(),
                    cause: e.to_string(),
                })
            })?;
        let generic_allow = GENERIC_ALLOW
            .iter()
            .map(|p| ascii_regex(p))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| {
                SettingsError::Rules(RuleError::Parse {
                    file: "(generic allowlist)".into(),
                    cause: e.to_string(),
                })
            })?;
        let allow_paths = settings
            .allow_paths
            .iter()
            .map(|p| {
                ascii_regex(p).map_err(|e| SettingsError::AllowPath {
                    pattern: p.clone(),
                    cause: e.to_string(),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let doc_paths = settings
            .doc_paths
            .iter()
            .map(|p| {
                ascii_regex(p).map_err(|e| SettingsError::AllowPath {
                    pattern: p.clone(),
                    cause: e.to_string(),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Scanner {
            rules,
            prefilter,
            keyword_rules,
            global_allow,
            generic_allow,
            allow_paths,
            doc_paths,
            settings,
        })
    }

    /// The active rules.
    pub fn rules(&self) -> impl Iterator<Item = &'static Rule> + '_ {
        self.rules.iter().copied()
    }

    /// Scan one text; see [`Scanner::scan`] for the counters.
    pub fn scan_text(&self, path: &str, text: &str) -> Vec<SecretFinding> {
        self.scan(path, text).findings
    }

    /// Scan one text, returning findings and what was skipped.
    pub fn scan(&self, path: &str, text: &str) -> ScanOutcome {
        let mut out = ScanOutcome::default();
        if self
            .allow_paths
            .iter()
            .any(|re| re.is_match(path.as_bytes()))
        {
            out.stats.allowlisted_paths += 1;
            return out;
        }
        self.scan_inner(path, text.as_bytes(), self.is_doc(path))
    }

    /// Scan raw file contents: binary buffers (NUL in the first 8 KiB) are skipped and counted;
    /// invalid UTF-8 is scanned as bytes (secrets must be UTF-8 to be reported).
    pub fn scan_bytes(&self, path: &str, bytes: &[u8]) -> ScanOutcome {
        if is_binary(bytes) {
            let mut out = ScanOutcome::default();
            out.stats.binary = 1;
            return out;
        }
        if self
            .allow_paths
            .iter()
            .any(|re| re.is_match(path.as_bytes()))
        {
            let mut out = ScanOutcome::default();
            out.stats.allowlisted_paths = 1;
            return out;
        }
        self.scan_inner(path, bytes, self.is_doc(path))
    }

    /// Whether the path is a documentation file (only `in_docs` rules run).
    fn is_doc(&self, path: &str) -> bool {
        self.doc_paths.iter().any(|re| re.is_match(path.as_bytes()))
    }

    fn scan_inner(&self, path: &str, bytes: &[u8], doc: bool) -> ScanOutcome {
        let mut out = ScanOutcome::default();
        if bytes.len() > self.settings.max_file_bytes {
            out.stats.too_large += 1;
            return out;
        }
        let mut matches = self.prefilter.find_overlapping_iter(bytes).peekable();
        if matches.peek().is_none() {
            return out;
        }
        let lines = Lines::new(bytes);
        // Per rule, the merged byte windows to run its regex over: the whole lines holding a
        // keyword hit (to the end of the text for multi-line rules).
        let mut windows: Vec<Vec<(usize, usize)>> = vec![Vec::new(); self.rules.len()];
        for m in matches {
            let first = lines.index(m.start());
            let last = lines.index(m.end().saturating_sub(1).max(m.start()));
            let ws = lines.starts[first];
            for &r in &self.keyword_rules[m.pattern().as_usize()] {
                let we = if self.rules[r].multiline {
                    bytes.len()
                } else {
                    lines.end(last)
                };
                let list = &mut windows[r];
                match list.last_mut() {
                    Some(prev) if ws <= prev.1 + 1 => prev.1 = prev.1.max(we),
                    _ => list.push((ws, we)),
                }
            }
        }
        let mut hits = Vec::new();
        for (idx, rule) in self.rules.iter().enumerate() {
            let Some(regex) = &rule.regex else { continue };
            if doc && !rule.in_docs {
                continue;
            }
            for &(ws, we) in &windows[idx] {
                if rule.generic && we - ws > self.settings.max_line_bytes {
                    // Over-long lines (minified bundles): keyword rules are noise there.
                    out.stats.long_line_skips += 1;
                    continue;
                }
                for caps in regex.captures_iter(&bytes[ws..we]) {
                    let Some(m) = caps.name("secret") else {
                        continue;
                    };
                    let Ok(secret) = std::str::from_utf8(m.as_bytes()) else {
                        continue;
                    };
                    let start = ws + m.start();
                    if !self.accept(rule, secret) {
                        continue;
                    }
                    let line = lines.index(start);
                    let line_text = &bytes[lines.starts[line]..lines.end(line)];
                    if INLINE_IGNORES
                        .iter()
                        .any(|c| contains(line_text, c.as_bytes()))
                    {
                        out.stats.inline_ignored += 1;
                        continue;
                    }
                    hits.push(Hit {
                        rule: idx,
                        start,
                        end: ws + m.end(),
                        secret: secret.to_owned(),
                    });
                }
            }
        }
        let hits = self.drop_generic_overlaps(hits);
        out.findings = self.pair_and_finish(path, &lines, &hits);
        out.findings
            .sort_by(|a, b| (a.line, a.column, &a.rule_id).cmp(&(b.line, b.column, &b.rule_id)));
        out
    }

    /// Scan one environment variable; see [`Scanner::scan_env_vars`].
    pub fn scan_env_var(&self, path: &str, var: &EnvVar<'_>) -> Vec<SecretFinding> {
        self.scan_env_vars(path, std::slice::from_ref(var))
    }

    /// Scan a function's environment variables (from a template or a deployed function) as
    /// consecutive `NAME=value` lines, so an access key id and its secret in two variables pair
    /// up. Findings point at each variable's own line and value column in `path`. Path
    /// allowlists do not apply: the variables belong to a deployable function.
    pub fn scan_env_vars(&self, path: &str, vars: &[EnvVar<'_>]) -> Vec<SecretFinding> {
        let mut text = String::new();
        // (first text line, 1-based, of each variable)
        let mut starts = Vec::with_capacity(vars.len());
        let mut line = 1;
        for var in vars {
            starts.push(line);
            text.push_str(var.name);
            text.push('=');
            text.push_str(var.value);
            text.push('\n');
            line += 1 + var.value.matches('\n').count();
        }
        let mut findings = self.scan_inner(path, text.as_bytes(), false).findings;
        for f in &mut findings {
            let idx = starts.partition_point(|&s| s <= f.line).saturating_sub(1);
            let Some(var) = vars.get(idx) else { continue };
            let value_col = var.name.chars().count() + 2;
            f.column = if f.line == starts[idx] {
                var.column + f.column.saturating_sub(value_col)
            } else {
                var.column
            };
            f.line = var.line;
            f.end_line = var.line;
        }
        findings
    }

    /// Entropy, checksum and allowlists.
    fn accept(&self, rule: &Rule, secret: &str) -> bool {
        if secret.is_empty() || all_same_char(secret) {
            return false;
        }
        if let Some(min) = rule.entropy
            && shannon_entropy(secret) < min
        {
            return false;
        }
        match rule.checksum {
            Some(Checksum::GithubCrc32) if !github_token_checksum_ok(secret) => return false,
            _ => {}
        }
        let s = secret.as_bytes();
        let allowed = rule.allow.iter().any(|re| re.is_match(s))
            || self.global_allow.iter().any(|re| re.is_match(s))
            || (rule.generic && self.generic_allow.iter().any(|re| re.is_match(s)));
        !allowed
    }

    /// A generic rule's hit that overlaps a specific rule's hit is dropped; exact duplicates too.
    fn drop_generic_overlaps(&self, mut hits: Vec<Hit>) -> Vec<Hit> {
        hits.sort_by_key(|h| (h.start, h.end, h.rule));
        hits.dedup_by(|a, b| a.start == b.start && a.end == b.end && a.rule == b.rule);
        let specific: Vec<(usize, usize)> = hits
            .iter()
            .filter(|h| !self.rules[h.rule].generic)
            .map(|h| (h.start, h.end))
            .collect();
        hits.retain(|h| {
            !self.rules[h.rule].generic || !specific.iter().any(|&(s, e)| s < h.end && h.start < e)
        });
        // Two generic rules on the same span: keep the first.
        let mut kept: Vec<(usize, usize)> = Vec::new();
        hits.retain(|h| {
            if !self.rules[h.rule].generic {
                return true;
            }
            if kept.iter().any(|&(s, e)| s < h.end && h.start < e) {
                return false;
            }
            kept.push((h.start, h.end));
            true
        });
        hits
    }

    fn pair_and_finish(&self, path: &str, lines: &Lines<'_>, hits: &[Hit]) -> Vec<SecretFinding> {
        let mut used = vec![false; hits.len()];
        let mut findings = Vec::new();
        for pair_rule in self.rules.iter().filter(|r| r.pair.is_some()) {
            let Some(pair) = &pair_rule.pair else {
                continue;
            };
            for i in 0..hits.len() {
                if used[i] || self.rules[hits[i].rule].name != pair.first {
                    continue;
                }
                let line_i = lines.index(hits[i].start);
                let partner = (0..hits.len()).find(|&j| {
                    !used[j]
                        && self.rules[hits[j].rule].name == pair.second
                        && lines.index(hits[j].start).abs_diff(line_i) <= pair.within_lines
                });
                if let Some(j) = partner {
                    used[i] = true;
                    used[j] = true;
                    let joined = format!("{}:{}", hits[i].secret, hits[j].secret);
                    let (line, column) = lines.position(hits[i].start);
                    let (end_line, _) = lines.position(hits[j].end.saturating_sub(1));
                    findings.push(SecretFinding {
                        rule_id: pair_rule.id.clone(),
                        rule_name: pair_rule.name.clone(),
                        title: pair_rule.title.clone(),
                        severity: pair_rule.severity,
                        path: path.to_owned(),
                        line,
                        column,
                        end_line: end_line.max(line),
                        redacted: redact_secret(&hits[i].secret),
                        fingerprint: secret_fingerprint(&pair_rule.id, &joined),
                        dependency: is_dependency_path(path),
                    });
                }
            }
        }
        for (hit, used) in hits.iter().zip(used) {
            if used {
                continue;
            }
            let rule = self.rules[hit.rule];
            let (line, column) = lines.position(hit.start);
            let (end_line, _) = lines.position(hit.end.saturating_sub(1).max(hit.start));
            findings.push(SecretFinding {
                rule_id: rule.id.clone(),
                rule_name: rule.name.clone(),
                title: rule.title.clone(),
                severity: rule.severity,
                path: path.to_owned(),
                line,
                column,
                end_line,
                redacted: redact_secret(&hit.secret),
                fingerprint: secret_fingerprint(&rule.id, &hit.secret),
                dependency: is_dependency_path(path),
            });
        }
        findings
    }
}
