//! Suppressions: inline `faasguard:ignore` comments, per-path ignores from `faasguard.toml`,
//! and the baseline. Each suppressed finding keeps its kind and reason.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use globset::{GlobBuilder, GlobMatcher};

use faasguard_core::{Finding, Location};
use faasguard_report::SuppressedFinding;

use crate::config::PerPathIgnore;
use crate::error::EngineError;

/// The marker that starts an inline suppression.
pub const INLINE_MARKER: &str = "faasguard:ignore";

/// Largest baseline file read.
const MAX_BASELINE_BYTES: u64 = 256 * 1024 * 1024;

/// One `faasguard:ignore RULES reason` comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlineIgnore {
    /// Rule ids or names, as written.
    pub rules: Vec<String>,
    pub reason: Option<String>,
}

impl InlineIgnore {
    fn covers(&self, finding: &Finding) -> bool {
        self.rules.iter().any(|r| {
            r.eq_ignore_ascii_case(&finding.rule_id) || r.eq_ignore_ascii_case(&finding.rule_name)
        })
    }
}

/// Parses an inline suppression out of one source line. The marker must sit in a comment
/// (after `#`, `//` or `/*` on the same line); the first word after it lists rule ids or names
/// separated by commas, and the rest of the line is the reason.
pub fn parse_inline(line: &str) -> Option<InlineIgnore> {
    let at = line.find(INLINE_MARKER)?;
    let before = &line[..at];
    if !(before.contains('#') || before.contains("//") || before.contains("/*")) {
        return None;
    }
    let rest = line[at + INLINE_MARKER.len()..]
        .trim_start_matches(':')
        .trim();
    let rest = rest.strip_suffix("*/").unwrap_or(rest).trim_end();
    let (list, reason) = match rest.split_once(char::is_whitespace) {
        Some((list, reason)) => (list, reason.trim()),
        None => (rest, ""),
    };
    let rules: Vec<String> = list
        .split(',')
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_owned)
        .collect();
    if rules.is_empty() {
        return None;
    }
    Some(InlineIgnore {
        rules,
        reason: (!reason.is_empty()).then(|| reason.to_owned()),
    })
}

/// The inline suppressions of a source file, by 0-based line index (read once per file, so
/// that each finding looks its lines up instead of rescanning the file).
pub(crate) fn inline_ignores(text: &str) -> BTreeMap<usize, InlineIgnore> {
    if !text.contains(INLINE_MARKER) {
        return BTreeMap::new();
    }
    text.lines()
        .enumerate()
        .filter_map(|(i, line)| parse_inline(line).map(|ignore| (i, ignore)))
        .collect()
}

/// Everything needed to decide whether a finding is suppressed.
pub(crate) struct Suppressor<'a> {
    /// Each source file's inline suppressions (by relative path), by 0-based line index.
    pub inline: BTreeMap<&'a str, BTreeMap<usize, InlineIgnore>>,
    /// Absolute path by relative path (for per-path globs relative to the config directory).
    pub abs: BTreeMap<&'a str, &'a Path>,
    /// Each function's defining location, by display id.
    pub function_at: BTreeMap<String, Location>,
    pub per_path: Vec<(GlobMatcher, PerPathIgnore)>,
    pub baseline: Option<(PathBuf, BTreeSet<String>)>,
}

impl Suppressor<'_> {
    /// Splits findings into those reported and those suppressed (with why).
    pub fn split(&self, raw: Vec<Finding>) -> (Vec<Finding>, Vec<SuppressedFinding>) {
        let mut findings = Vec::new();
        let mut suppressed = Vec::new();
        for finding in raw {
            match self.check(&finding) {
                Some(s) => suppressed.push(s),
                None => findings.push(finding),
            }
        }
        (findings, suppressed)
    }

    /// Why this finding is suppressed, if it is: checked in the order inline, config, baseline.
    pub fn check(&self, finding: &Finding) -> Option<SuppressedFinding> {
        let suppressed = |kind: &str, reason: Option<String>| SuppressedFinding {
            finding: finding.clone(),
            kind: kind.to_owned(),
            reason,
        };
        if let Some(ignore) = self.inline_for(finding) {
            return Some(suppressed("inline", ignore.reason));
        }
        if let Some(entry) = self.per_path_for(finding) {
            return Some(suppressed(
                "config",
                Some(format!(
                    "per-path-ignores `{}` in {}",
                    entry.glob,
                    entry.base.join(crate::config::CONFIG_FILE_NAME).display()
                )),
            ));
        }
        if let Some((path, prints)) = &self.baseline
            && prints.contains(&finding.fingerprint)
        {
            return Some(suppressed(
                "baseline",
                Some(format!("in baseline {}", path.display())),
            ));
        }
        None
    }

    /// A comment on the finding's line or the line above it, or on the function's first line or
    /// the line above that (which covers every finding about the function).
    fn inline_for(&self, finding: &Finding) -> Option<InlineIgnore> {
        let mut spots: Vec<&Location> = vec![&finding.location];
        if let Some(at) = finding
            .function
            .as_ref()
            .and_then(|f| self.function_at.get(f))
        {
            spots.push(at);
        }
        for loc in spots {
            let (Some(line), Some(ignores)) = (loc.line, self.inline.get(loc.file.as_str())) else {
                continue;
            };
            let Ok(line) = usize::try_from(line) else {
                continue;
            };
            // `line` is 1-based: index line-1 is the line itself, line-2 the one above.
            for idx in [line.checked_sub(1), line.checked_sub(2)]
                .into_iter()
                .flatten()
            {
                if let Some(ignore) = ignores.get(&idx)
                    && ignore.covers(finding)
                {
                    return Some(ignore.clone());
                }
            }
        }
        None
    }

    fn per_path_for(&self, finding: &Finding) -> Option<&PerPathIgnore> {
        let abs = self.abs.get(finding.location.file.as_str());
        self.per_path.iter().find_map(|(glob, entry)| {
            if !entry.rules.contains(&finding.rule_id) {
                return None;
            }
            let matched = match abs.and_then(|a| a.strip_prefix(&entry.base).ok()) {
                Some(rel) => glob.is_match(rel),
                None => glob.is_match(&finding.location.file),
            };
            matched.then_some(entry)
        })
    }
}

/// Compiles a per-path glob: `*` stays within one path segment, `**` crosses them.
pub(crate) fn compile_glob(glob: &str) -> Result<GlobMatcher, EngineError> {
    GlobBuilder::new(glob)
        .literal_separator(true)
        .build()
        .map(|g| g.compile_matcher())
        .map_err(|e| EngineError::Exclude {
            pattern: glob.to_owned(),
            message: e.to_string(),
        })
}

/// Reads the fingerprints of a previous JSON report (its findings and its suppressed findings).
pub fn load_baseline(path: &Path) -> Result<BTreeSet<String>, EngineError> {
    use std::io::Read;

    #[derive(serde::Deserialize)]
    struct Fp {
        fingerprint: String,
    }
    #[derive(serde::Deserialize)]
    struct Suppressed {
        finding: Fp,
    }
    #[derive(serde::Deserialize)]
    struct BaselineFile {
        findings: Vec<Fp>,
        #[serde(default)]
        suppressed: Vec<Suppressed>,
    }

    let bad = |message: String| EngineError::Baseline {
        path: path.to_path_buf(),
        message,
    };
    let mut text = String::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_BASELINE_BYTES).read_to_string(&mut text))
        .map_err(|e| bad(e.to_string()))?;
    let parsed: BaselineFile = serde_json::from_str(&text).map_err(|e| {
        bad(format!(
            "not a faasguard JSON report (line {}, column {}): {e}",
            e.line(),
            e.column()
        ))
    })?;
    Ok(parsed
        .findings
        .into_iter()
        .chain(parsed.suppressed.into_iter().map(|s| s.finding))
        .map(|f| f.fingerprint)
        .collect())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]
mod tests {
    use faasguard_core::{Severity, fingerprint};

    use super::*;

    fn finding(rule: &str, name: &str, file: &str, line: u32, function: &str) -> Finding {
        let location = Location::at(file, line, 1);
        Finding {
            rule_id: rule.into(),
            rule_name: name.into(),
            severity: Severity::High,
            function: Some(function.into()),
            fingerprint: fingerprint(rule, Some(function), &location, "m"),
            location,
            message: "m".into(),
            evidence: None,
            remediation: None,
            flow: Vec::new(),
        }
    }

    fn suppressor<'a>(texts: &[(&'a str, &'a str)]) -> Suppressor<'a> {
        Suppressor {
            inline: texts
                .iter()
                .map(|&(path, text)| (path, inline_ignores(text)))
                .collect(),
            abs: BTreeMap::new(),
            function_at: BTreeMap::new(),
            per_path: Vec::new(),
            baseline: None,
        }
    }

    /// The marker is read only inside YAML/HCL comments, with comma lists and an optional reason.
    #[test]
    fn parses_inline_comments() {
        assert_eq!(
            parse_inline(
                "  Runtime: python3.7  # faasguard:ignore FG-FN-001 legacy app, retired in Q3"
            ),
            Some(InlineIgnore {
                rules: vec!["FG-FN-001".into()],
                reason: Some("legacy app, retired in Q3".into())
            })
        );
        assert_eq!(
            parse_inline("// faasguard:ignore FG-IAM-001,function-url-without-auth"),
            Some(InlineIgnore {
                rules: vec!["FG-IAM-001".into(), "function-url-without-auth".into()],
                reason: None
            })
        );
        assert_eq!(
            parse_inline("/* faasguard:ignore FG-FN-002 public webhook */")
                .unwrap()
                .reason
                .as_deref(),
            Some("public webhook")
        );
        // Not in a comment, or no rule named: nothing is suppressed.
        assert_eq!(
            parse_inline("Description: faasguard:ignore FG-FN-001"),
            None
        );
        assert_eq!(parse_inline("# faasguard:ignore"), None);
    }

    /// A comment on the finding's line or the line directly above suppresses it; two lines above
    /// does not; another rule's comment does not.
    #[test]
    fn inline_matches_line_and_line_above() {
        let text = "a: 1\n# faasguard:ignore FG-FN-001 reviewed\nRuntime: python2.7\nb: 2\n";
        let s = suppressor(&[("t.yaml", text)]);
        let hit = s
            .check(&finding("FG-FN-001", "x", "t.yaml", 3, "t.yaml#F"))
            .unwrap();
        assert_eq!(hit.kind, "inline");
        assert_eq!(hit.reason.as_deref(), Some("reviewed"));
        assert!(
            s.check(&finding("FG-FN-001", "x", "t.yaml", 2, "t.yaml#F"))
                .is_some()
        );
        assert!(
            s.check(&finding("FG-FN-001", "x", "t.yaml", 4, "t.yaml#F"))
                .is_none()
        );
        assert!(
            s.check(&finding("FG-FN-002", "y", "t.yaml", 3, "t.yaml#F"))
                .is_none()
        );
        assert!(
            s.check(&finding("FG-FN-001", "x", "other.yaml", 3, "t.yaml#F"))
                .is_none()
        );
    }

    /// A comment on the function's first line covers findings anywhere in that function,
    /// matched by rule name as well as id.
    #[test]
    fn inline_on_function_covers_the_function() {
        let text = "Resources:\n  Fn: # faasguard:ignore iam-wildcard internal tool\n    Type: x\n    Policies: '*'\n";
        let mut s = suppressor(&[("t.yaml", text)]);
        s.function_at
            .insert("t.yaml#Fn".into(), Location::at("t.yaml", 2, 3));
        let hit = s.check(&finding(
            "FG-IAM-001",
            "iam-wildcard",
            "t.yaml",
            4,
            "t.yaml#Fn",
        ));
        assert_eq!(hit.unwrap().reason.as_deref(), Some("internal tool"));
        assert!(
            s.check(&finding(
                "FG-IAM-001",
                "iam-wildcard",
                "t.yaml",
                4,
                "t.yaml#Other"
            ))
            .is_none()
        );
    }

    /// Per-path ignores match globs relative to the configuration directory, for listed rules only.
    #[test]
    fn per_path_ignores() {
        let entry = PerPathIgnore {
            glob: "tests/**".into(),
            rules: ["FG-FN-001".to_owned()].into(),
            base: PathBuf::from("/repo"),
        };
        let mut s = suppressor(&[]);
        s.abs
            .insert("tests/a/t.yaml", Path::new("/repo/tests/a/t.yaml"));
        s.abs.insert("src/t.yaml", Path::new("/repo/src/t.yaml"));
        s.per_path.push((compile_glob(&entry.glob).unwrap(), entry));
        let hit = s
            .check(&finding("FG-FN-001", "x", "tests/a/t.yaml", 1, "f"))
            .unwrap();
        assert_eq!(hit.kind, "config");
        assert!(
            s.check(&finding("FG-FN-002", "x", "tests/a/t.yaml", 1, "f"))
                .is_none()
        );
        assert!(
            s.check(&finding("FG-FN-001", "x", "src/t.yaml", 1, "f"))
                .is_none()
        );
    }

    /// A baseline made from a previous JSON report suppresses exactly the fingerprints in it,
    /// including ones that report itself had suppressed.
    #[test]
    fn baseline_by_fingerprint() {
        let old = finding("FG-FN-001", "x", "t.yaml", 3, "t.yaml#F");
        let quiet = finding("FG-FN-003", "z", "t.yaml", 3, "t.yaml#F");
        let new = finding("FG-FN-002", "y", "t.yaml", 3, "t.yaml#F");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("baseline.json");
        let report = serde_json::json!({
            "schema_version": "1.0.0",
            "findings": [old],
            "suppressed": [{"finding": quiet, "kind": "inline", "reason": null}],
        });
        std::fs::write(&path, report.to_string()).unwrap();
        let prints = load_baseline(&path).unwrap();
        let mut s = suppressor(&[]);
        s.baseline = Some((path, prints));
        assert_eq!(s.check(&old).unwrap().kind, "baseline");
        assert!(s.check(&quiet).is_some());
        assert!(s.check(&new).is_none());
    }

    /// A baseline that is not a JSON report is an error naming the file and position.
    #[test]
    fn bad_baseline_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b.json");
        std::fs::write(&path, "{\n  \"nope\": 1\n}").unwrap();
        let err = load_baseline(&path).unwrap_err().to_string();
        assert!(
            err.contains("b.json") && err.contains("not a faasguard JSON report"),
            "{err}"
        );
        assert!(load_baseline(&dir.path().join("missing.json")).is_err());
    }
}
