//! pip requirements files: `requirements*.txt`, `*-requirements.txt` and `*.txt` under a
//! `requirements/` directory.
//!
//! - Only exact pins are versions: `name==1.2.3` and `name===1.2.3` (a wildcard `==1.*` is a
//!   range). Unpinned lines (`name`, `name>=1`, `name~=1.2`) are skipped, not guessed.
//! - Extras (`name[extra]==1`), environment markers (`; python_version < "3.8"`, kept
//!   whatever they say), `--hash=…` options, comments and `\` continuations are handled;
//!   the line of a package is the line its requirement starts on.
//! - `-r`/`--requirement` and `-c`/`--constraint` includes are **not followed** (a parser
//!   reads one file): only this file's pins are returned. The included files are read when
//!   the engine's walk reaches them under a requirements name.
//! - `-e`/editable lines, URL requirements (`name @ https://…`), other pip options and
//!   lines with `${VAR}` are skipped.
//! - `name` is kept as written; the purl is normalised; the matcher applies PEP 503.
//! - Scope: Dev when the file name marks it as such (`requirements-dev.txt`,
//!   `test-requirements.txt`, `requirements/test.txt`, …), else Prod. Origin Manifest.
//! - Direct: `Some(true)` unless pip-compile's `# via` annotations say the pin came from
//!   other packages only (`Some(false)`).

use super::super::node::support::{Collector, to_u32, utf8};
use crate::{Ecosystem, Origin, Package, ParseError, Scope, file_name};

/// Words in a requirements file name that mark development-only requirements.
const DEV_WORDS: [&str; 8] = [
    "dev", "develop", "test", "tests", "testing", "lint", "docs", "ci",
];

pub(crate) fn claims(path: &str, _head: &[u8]) -> bool {
    let name = file_name(path);
    let Some(stem) = name.strip_suffix(".txt") else {
        return false;
    };
    let parent = path.rsplit(['/', '!']).nth(1);
    stem.starts_with("requirements")
        || stem.ends_with("requirements")
        || parent == Some("requirements")
}

fn scope_for(path: &str) -> Scope {
    let name = file_name(path).trim_end_matches(".txt");
    let parent = path.rsplit(['/', '!']).nth(1);
    let words: Vec<&str> = name.split(['-', '_', '.']).collect();
    let in_reqs_dir = parent == Some("requirements");
    let dev = words
        .iter()
        .any(|w| DEV_WORDS.contains(&w.to_ascii_lowercase().as_str()));
    if dev && (in_reqs_dir || words.iter().any(|w| w.eq_ignore_ascii_case("requirements"))) {
        Scope::Dev
    } else {
        Scope::Prod
    }
}

/// One logical requirement line (continuations joined) and the line it starts on.
struct Logical {
    text: String,
    line: u32,
    /// pip-compile annotation: `Some(true)` if a `# via` names a requirements file or
    /// is absent, `Some(false)` if it names only packages.
    via_file: Option<bool>,
}

fn logical_lines(text: &str) -> Vec<Logical> {
    let mut out: Vec<Logical> = Vec::new();
    let mut current: Option<Logical> = None;
    let mut in_via = false;
    for (i, raw) in text.lines().enumerate() {
        let line = to_u32(i + 1);
        let raw = raw.trim_end();
        let trimmed = raw.trim_start();
        // pip-compile annotations after a requirement: `    # via -r requirements.in` or
        // `    # via\n    #   boto3\n    #   -r requirements.in`.
        if current.is_none()
            && let Some(last) = out.last_mut()
            && let Some(comment) = trimmed.strip_prefix('#')
        {
            let comment = comment.trim();
            let names = if let Some(rest) = comment.strip_prefix("via") {
                in_via = true;
                rest.trim()
            } else if in_via && raw.starts_with(' ') {
                comment
            } else {
                in_via = false;
                ""
            };
            if !names.is_empty() {
                // `-r requirements.in` names the user's own list; `-c` only constrains.
                let from_file = names.starts_with("-r");
                last.via_file = Some(last.via_file == Some(true) || from_file);
            }
            continue;
        }
        in_via = false;
        let (body, continues) = match raw.strip_suffix('\\') {
            Some(b) => (b, true),
            None => (raw, false),
        };
        let body = strip_comment(body);
        match current.as_mut() {
            Some(c) => {
                c.text.push(' ');
                c.text.push_str(body);
            }
            None => {
                current = Some(Logical {
                    text: body.to_owned(),
                    line,
                    via_file: None,
                });
            }
        }
        if !continues && let Some(c) = current.take() {
            out.push(c);
        }
    }
    out.extend(current);
    out
}

/// Drops a comment: `#` at the start or after whitespace.
fn strip_comment(s: &str) -> &str {
    if s.trim_start().starts_with('#') {
        return "";
    }
    let bytes = s.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'#' && i > 0 && bytes.get(i - 1).is_some_and(u8::is_ascii_whitespace) {
            return s.get(..i).unwrap_or(s);
        }
    }
    s
}

/// `(name, version)` of an exact pin, or `None`.
fn pin(requirement: &str) -> Option<(&str, &str)> {
    let req = requirement.trim();
    if req.is_empty() || req.starts_with('-') || req.contains("${") {
        return None;
    }
    // Options after the requirement (`--hash=…`) and the marker.
    let req = req.split(" --").next().unwrap_or(req);
    let req = req.split(';').next().unwrap_or(req).trim();
    let name_end = req
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(req.len());
    let (name, mut rest) = req.split_at(name_end);
    if name.is_empty() {
        return None;
    }
    rest = rest.trim_start();
    if let Some(after) = rest.strip_prefix('[') {
        rest = after.split_once(']')?.1.trim_start();
    }
    if rest.starts_with('@') {
        return None;
    }
    // Exactly one exact clause; other clauses (`!=`) may accompany it.
    let mut version = None;
    for clause in rest.split(',') {
        let clause = clause.trim();
        let v = clause
            .strip_prefix("===")
            .or_else(|| clause.strip_prefix("=="))
            .map(str::trim);
        if let Some(v) = v {
            if v.is_empty() || v.contains('*') || version.is_some() {
                return None;
            }
            version = Some(v);
        }
    }
    Some((name, version?))
}

pub(crate) fn parse(path: &str, bytes: &[u8]) -> Result<Vec<Package>, ParseError> {
    let text = utf8(bytes)?;
    let scope = scope_for(path);
    let mut out = Collector::new(path, Ecosystem::PyPI, Origin::Manifest);
    for logical in logical_lines(text) {
        if let Some((name, version)) = pin(&logical.text) {
            let direct = logical.via_file.unwrap_or(true);
            out.add(name, version, Some(logical.line), scope, Some(direct));
        }
    }
    Ok(out.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Only exact pins give versions; extras, markers and hashes are read past.
    #[test]
    fn pins() {
        assert_eq!(pin("Django==2.2.0"), Some(("Django", "2.2.0")));
        assert_eq!(
            pin("requests[socks] == 2.31.0 ; python_version >= \"3.7\" --hash=sha256:ab"),
            Some(("requests", "2.31.0"))
        );
        assert_eq!(pin("pkg===1.0-local"), Some(("pkg", "1.0-local")));
        assert_eq!(pin("boto3>=1.26"), None);
        assert_eq!(pin("boto3~=1.26.0"), None);
        assert_eq!(pin("boto3==1.*"), None);
        assert_eq!(pin("boto3"), None);
        assert_eq!(pin("pkg @ https://example.com/pkg-1.0.tar.gz"), None);
        assert_eq!(pin("-e git+https://github.com/x/y#egg=y"), None);
        assert_eq!(pin("${PKG}==1.0"), None);
    }

    /// File names mark development requirements only with a development word.
    #[test]
    fn scopes_from_file_names() {
        assert_eq!(scope_for("requirements.txt"), Scope::Prod);
        assert_eq!(scope_for("requirements-dev.txt"), Scope::Dev);
        assert_eq!(scope_for("test-requirements.txt"), Scope::Dev);
        assert_eq!(scope_for("requirements/test.txt"), Scope::Dev);
        assert_eq!(scope_for("requirements/prod.txt"), Scope::Prod);
        assert_eq!(scope_for("requirements-devops.txt"), Scope::Prod);
    }

    /// The claimed names: `requirements*.txt`, `*requirements.txt`, `requirements/*.txt`.
    #[test]
    fn claimed_names() {
        assert!(claims("app/requirements.txt", b""));
        assert!(claims("requirements-dev.txt", b""));
        assert!(claims("dev-requirements.txt", b""));
        assert!(claims("requirements/base.txt", b""));
        assert!(!claims("notes.txt", b""));
        assert!(!claims("requirements.in", b""));
    }
}
