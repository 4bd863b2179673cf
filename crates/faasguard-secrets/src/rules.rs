//! Rule data: the TOML schema, validation and compilation of the embedded rule files.

use std::collections::HashSet;
use std::sync::LazyLock;

use faasguard_core::Severity;
use regex::bytes::{Regex, RegexBuilder};
use serde::Deserialize;

/// The embedded rule files, `(file name, contents)`.
const RULE_FILES: &[(&str, &str)] = &[
    ("aws.toml", include_str!("../rules/aws.toml")),
    ("azure.toml", include_str!("../rules/azure.toml")),
    ("gcp.toml", include_str!("../rules/gcp.toml")),
    ("keys.toml", include_str!("../rules/keys.toml")),
    ("vcs.toml", include_str!("../rules/vcs.toml")),
    ("saas.toml", include_str!("../rules/saas.toml")),
    ("database.toml", include_str!("../rules/database.toml")),
    ("generic.toml", include_str!("../rules/generic.toml")),
];

/// Compiled-regex size limit per rule (bytes of compiled program).
const REGEX_SIZE_LIMIT: usize = 1 << 20;
/// Lazy-DFA cache limit per rule.
const DFA_SIZE_LIMIT: usize = 2 << 20;

/// Why a rule file was rejected.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum RuleError {
    #[error("rule file {file}: {cause}")]
    Parse { file: String, cause: String },
    #[error("rule file {file}, rule {rule}: {cause}")]
    Invalid {
        file: String,
        rule: String,
        cause: String,
    },
}

/// A checksum a token format carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Checksum {
    /// GitHub `gh?_` tokens: base62 CRC-32 of the 30 random characters.
    GithubCrc32,
}

/// A rule that reports two other rules' hits, found close together, as one finding.
#[derive(Debug, Clone)]
pub struct Pair {
    /// Name of the rule for the first half (e.g. the AWS access key id).
    pub first: String,
    /// Name of the rule for the second half (e.g. the AWS secret access key).
    pub second: String,
    /// Maximum distance in lines between the two halves.
    pub within_lines: usize,
}

/// One validated, compiled secret rule.
#[derive(Debug)]
pub struct Rule {
    /// Permanent id, `FG-SEC-NNN`.
    pub id: String,
    /// Kebab-case name.
    pub name: String,
    /// One-line title.
    pub title: String,
    pub severity: Severity,
    /// Lower-case prefilter keywords; the regex runs only when one occurs (case-insensitively).
    pub keywords: Vec<String>,
    /// The pattern; `None` only for pair rules.
    pub(crate) regex: Option<Regex>,
    /// Minimum Shannon entropy (bits per byte) of the secret.
    pub entropy: Option<f64>,
    pub checksum: Option<Checksum>,
    /// Per-rule allowlist, matched against the secret.
    pub(crate) allow: Vec<Regex>,
    /// A keyword/assignment rule: skipped on over-long lines and yields to specific rules.
    pub generic: bool,
    /// The match may span lines (PEM blocks): the regex runs from the keyword's line to the end.
    pub multiline: bool,
    /// Runs in documentation files (`Settings::doc_paths`). Off for formats that documentation
    /// shows as examples (keyword assignments, JWTs, database URLs); provider-prefixed keys are
    /// reported wherever they are, a README included.
    pub in_docs: bool,
    pub pair: Option<Pair>,
    /// True-positive samples (all fake).
    pub tp: Vec<String>,
    /// False-positive samples.
    pub fp: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    rule: Vec<RawRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: String,
    name: String,
    title: String,
    severity: String,
    #[serde(default)]
    keywords: Vec<String>,
    regex: Option<String>,
    entropy: Option<f64>,
    checksum: Option<String>,
    #[serde(default)]
    allow: Vec<String>,
    #[serde(default)]
    generic: bool,
    #[serde(default)]
    multiline: bool,
    /// Whether the rule runs in documentation files (default: all but generic rules).
    docs: Option<bool>,
    pair: Option<RawPair>,
    tp: Vec<String>,
    fp: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPair {
    first: String,
    second: String,
    within_lines: usize,
}

static BUILTIN: LazyLock<Result<Vec<Rule>, RuleError>> =
    LazyLock::new(|| load_rule_files(RULE_FILES));

/// The embedded rule set, parsed and validated once.
pub fn builtin_rules() -> Result<&'static [Rule], RuleError> {
    match &*BUILTIN {
        Ok(rules) => Ok(rules),
        Err(err) => Err(err.clone()),
    }
}

/// Build an ASCII regex: Unicode off (ASCII `\b`, `\w`, classes), bounded size.
pub(crate) fn ascii_regex(pattern: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(pattern)
        .unicode(false)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(DFA_SIZE_LIMIT)
        .build()
}

/// Parse, validate and compile rule files.
pub(crate) fn load_rule_files(files: &[(&str, &str)]) -> Result<Vec<Rule>, RuleError> {
    let mut rules = Vec::new();
    let mut ids = HashSet::new();
    let mut names = HashSet::new();
    for (file, text) in files {
        let raw: RawFile = toml::from_str(text).map_err(|e| RuleError::Parse {
            file: (*file).to_owned(),
            cause: e.to_string(),
        })?;
        for raw_rule in raw.rule {
            let rule_id = raw_rule.id.clone();
            let invalid = |cause: String| RuleError::Invalid {
                file: (*file).to_owned(),
                rule: rule_id.clone(),
                cause,
            };
            if !ids.insert(raw_rule.id.clone()) {
                return Err(invalid("duplicate id".into()));
            }
            if !names.insert(raw_rule.name.clone()) {
                return Err(invalid(format!("duplicate name {}", raw_rule.name)));
            }
            rules.push(compile(raw_rule).map_err(invalid)?);
        }
    }
    for rule in &rules {
        if let Some(pair) = &rule.pair {
            for part in [&pair.first, &pair.second] {
                if !rules.iter().any(|r| &r.name == part && r.regex.is_some()) {
                    return Err(RuleError::Invalid {
                        file: String::from("(pairs)"),
                        rule: rule.id.clone(),
                        cause: format!("pair names unknown regex rule {part}"),
                    });
                }
            }
        }
    }
    Ok(rules)
}

fn valid_id(id: &str) -> bool {
    id.strip_prefix("FG-SEC-")
        .is_some_and(|n| n.len() == 3 && n.bytes().all(|b| b.is_ascii_digit()))
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('-')
        && !name.ends_with('-')
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn compile(raw: RawRule) -> Result<Rule, String> {
    if !valid_id(&raw.id) {
        return Err("id must be FG-SEC-NNN".into());
    }
    if !valid_name(&raw.name) {
        return Err(format!("name {:?} is not kebab-case", raw.name));
    }
    if raw.title.trim().is_empty() {
        return Err("empty title".into());
    }
    let severity: Severity = raw.severity.parse().map_err(|e| format!("{e}"))?;
    if raw.tp.is_empty() || raw.fp.is_empty() {
        return Err("needs at least one tp and one fp sample".into());
    }
    let regex = match (&raw.regex, &raw.pair) {
        (Some(pattern), None) => {
            if raw.keywords.is_empty() {
                return Err("a regex rule needs keywords".into());
            }
            for kw in &raw.keywords {
                if kw.is_empty() || kw.to_ascii_lowercase() != *kw || !kw.is_ascii() {
                    return Err(format!("keyword {kw:?} must be non-empty lower-case ASCII"));
                }
            }
            let re = ascii_regex(pattern).map_err(|e| format!("regex: {e}"))?;
            if !re.capture_names().any(|n| n == Some("secret")) {
                return Err("regex has no `secret` capture group".into());
            }
            Some(re)
        }
        (None, Some(_)) => None,
        _ => return Err("exactly one of `regex` and `pair` is required".into()),
    };
    let checksum = match raw.checksum.as_deref() {
        None => None,
        Some("github-crc32") => Some(Checksum::GithubCrc32),
        Some(other) => return Err(format!("unknown checksum {other}")),
    };
    if let Some(e) = raw.entropy
        && !(0.0..=8.0).contains(&e)
    {
        return Err(format!("entropy {e} outside 0..=8"));
    }
    let allow = raw
        .allow
        .iter()
        .map(|p| ascii_regex(p).map_err(|e| format!("allow regex: {e}")))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Rule {
        id: raw.id,
        name: raw.name,
        title: raw.title,
        severity,
        keywords: raw.keywords,
        regex,
        entropy: raw.entropy,
        checksum,
        allow,
        generic: raw.generic,
        multiline: raw.multiline,
        in_docs: raw.docs.unwrap_or(!raw.generic),
        pair: raw.pair.map(|p| Pair {
            first: p.first,
            second: p.second,
            within_lines: p.within_lines,
        }),
        tp: raw.tp,
        fp: raw.fp,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The embedded rule set parses and validates, has unique ids, and covers ≥ 80 types.
    #[test]
    fn builtin_rules_are_valid() {
        let rules = match builtin_rules() {
            Ok(r) => r,
            Err(e) => panic!("{e}"),
        };
        assert!(rules.len() >= 80, "only {} rules", rules.len());
    }

    /// A rule without a `secret` group, or a bad id, is rejected with an error, not a panic.
    #[test]
    fn bad_rule_is_an_error() {
        let text = r#"
[[rule]]
id = "FG-SEC-999"
name = "x"
title = "x"
severity = "high"
keywords = ["x"]
regex = "x(y)"
tp = ["xy"]
fp = ["z"]
"#;
        let err = load_rule_files(&[("bad.toml", text)]).err();
        assert!(err.is_some_and(|e| e.to_string().contains("secret")));
        let bad_id = text.replace("FG-SEC-999", "SEC-1");
        assert!(load_rule_files(&[("bad.toml", &bad_id)]).is_err());
        assert!(load_rule_files(&[("bad.toml", "[[rule]]\nid = 3")]).is_err());
    }
}
