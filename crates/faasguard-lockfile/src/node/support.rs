//! Helpers shared by the JavaScript and Python parsers: UTF-8 decoding with a line number,
//! byte offset → line, JSON key search for line numbers, YAML access, the package collector
//! that merges duplicates, and dependency-group propagation over a lockfile's graph.

use std::collections::{HashMap, HashSet, VecDeque};
use std::hash::Hash;

use faasguard_core::Location;
use saphyr::{LoadableYamlNode, MarkedYaml, Scalar, YamlData};

use crate::{Ecosystem, Origin, Package, ParseError, Scope, purl};

/// The text of `bytes` (a leading BOM dropped), or an error naming the line of the first
/// invalid byte.
pub(crate) fn utf8(bytes: &[u8]) -> Result<&str, ParseError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        let valid = bytes.get(..e.valid_up_to()).unwrap_or_default();
        let line = valid.split(|&b| b == b'\n').count();
        ParseError::new("not valid UTF-8").at_line(to_u32(line))
    })
}

pub(crate) fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Byte offset → 1-based line.
#[derive(Debug)]
pub(crate) struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub(crate) fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr_newlines(text.as_bytes()));
        LineIndex { starts }
    }

    pub(crate) fn line(&self, offset: usize) -> u32 {
        let idx = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        to_u32(idx + 1)
    }
}

fn memchr_newlines(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .map(|(i, _)| i + 1)
}

/// Finds, at or after `from`, the JSON object key `"key"` followed by `:` and an opening
/// `{` (whitespace allowed between). Returns the offset of the key's opening quote.
pub(crate) fn find_object_key(text: &str, from: usize, key: &str) -> Option<usize> {
    let needle = format!("\"{key}\"");
    let mut pos = from;
    while let Some(found) = text.get(pos..).and_then(|t| t.find(&needle)) {
        let start = pos + found;
        let rest = text.get(start + needle.len()..).unwrap_or_default();
        let rest = rest.trim_start();
        if let Some(after_colon) = rest.strip_prefix(':')
            && after_colon.trim_start().starts_with('{')
        {
            return Some(start);
        }
        pos = start + needle.len();
    }
    None
}

/// A cursor over a JSON text that finds object keys in document order, so a whole lockfile
/// costs one pass. A key not found leaves the cursor where it was (its package gets no line);
/// after [`MAX_MISSES`] misses the cursor stops searching, so an odd file cannot make every
/// lookup scan to the end.
#[derive(Debug)]
pub(crate) struct KeyCursor<'a> {
    text: &'a str,
    lines: LineIndex,
    pos: usize,
    misses: usize,
}

/// Keys a [`KeyCursor`] may fail to find before it gives up.
const MAX_MISSES: usize = 64;

impl<'a> KeyCursor<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        KeyCursor {
            text,
            lines: LineIndex::new(text),
            pos: 0,
            misses: 0,
        }
    }

    /// Moves to the first `"key": {` after the cursor; returns its line.
    pub(crate) fn next_line(&mut self, key: &str) -> Option<u32> {
        if self.misses >= MAX_MISSES {
            return None;
        }
        let Some(at) = find_object_key(self.text, self.pos, key) else {
            self.misses += 1;
            return None;
        };
        self.pos = at + key.len() + 2;
        Some(self.lines.line(at))
    }

    /// Moves to `"key": {` if found (used to enter a section); returns whether it was.
    pub(crate) fn seek(&mut self, key: &str) -> bool {
        self.next_line(key).is_some()
    }
}

/// A JSON parse error with serde_json's line.
pub(crate) fn json_error(e: &serde_json::Error) -> ParseError {
    let err = ParseError::new(format!("invalid JSON: {e}"));
    match e.line() {
        0 => err,
        l => err.at_line(to_u32(l)),
    }
}

/// A TOML parse error with the line of its span.
pub(crate) fn toml_error(text: &str, e: &toml::de::Error) -> ParseError {
    let err = ParseError::new(format!("invalid TOML: {}", e.message()));
    match e.span() {
        Some(span) => err.at_line(LineIndex::new(text).line(span.start)),
        None => err,
    }
}

/// Merges duplicate name@version entries and builds [`Package`]s in first-seen order.
#[derive(Debug)]
pub(crate) struct Collector<'p> {
    path: &'p str,
    ecosystem: Ecosystem,
    origin: Origin,
    index: HashMap<(String, String), usize>,
    out: Vec<Package>,
}

/// Which of two scopes wins when one package is reached both ways: production beats
/// optional beats development.
fn scope_rank(s: Scope) -> u8 {
    match s {
        Scope::Prod => 0,
        Scope::Optional => 1,
        Scope::Dev => 2,
    }
}

pub(crate) fn wider_scope(a: Scope, b: Scope) -> Scope {
    if scope_rank(a) <= scope_rank(b) { a } else { b }
}

impl<'p> Collector<'p> {
    pub(crate) fn new(path: &'p str, ecosystem: Ecosystem, origin: Origin) -> Self {
        Collector {
            path,
            ecosystem,
            origin,
            index: HashMap::new(),
            out: Vec::new(),
        }
    }

    /// Adds a package; a second entry for the same name and version merges into the first
    /// (the widest scope, direct if either is, the first line).
    pub(crate) fn add(
        &mut self,
        name: &str,
        version: &str,
        line: Option<u32>,
        scope: Scope,
        direct: Option<bool>,
    ) {
        let key = (name.to_owned(), version.to_owned());
        if let Some(&i) = self.index.get(&key) {
            if let Some(p) = self.out.get_mut(i) {
                p.scope = wider_scope(p.scope, scope);
                p.direct = match (p.direct, direct) {
                    (Some(a), Some(b)) => Some(a || b),
                    (a, b) => a.or(b),
                };
                if p.location.line.is_none() {
                    p.location.line = line;
                }
            }
            return;
        }
        self.index.insert(key, self.out.len());
        self.out.push(Package {
            ecosystem: self.ecosystem,
            name: name.to_owned(),
            version: version.to_owned(),
            purl: purl(self.ecosystem, name, version),
            location: Location {
                file: self.path.to_owned(),
                line,
                column: None,
                pointer: None,
            },
            scope,
            direct,
            origin: self.origin,
        });
    }

    pub(crate) fn finish(self) -> Vec<Package> {
        self.out
    }
}

/// Scopes of the nodes of a dependency graph: reachable from a production root → `Prod`,
/// else from an optional root → `Optional`, else from a development root → `Dev`. Nodes
/// reached from no root are absent from the map.
pub(crate) fn reach_scopes<K: Clone + Eq + Hash>(
    edges: &HashMap<K, Vec<K>>,
    roots: &[(K, Scope)],
) -> HashMap<K, Scope> {
    let mut scopes: HashMap<K, Scope> = HashMap::new();
    for wanted in [Scope::Prod, Scope::Optional, Scope::Dev] {
        let mut seen: HashSet<K> = HashSet::new();
        let mut queue: VecDeque<K> = roots
            .iter()
            .filter(|(_, s)| *s == wanted)
            .map(|(k, _)| k.clone())
            .collect();
        while let Some(k) = queue.pop_front() {
            if !seen.insert(k.clone()) {
                continue;
            }
            if scopes.contains_key(&k) {
                continue;
            }
            scopes.insert(k.clone(), wanted);
            if let Some(next) = edges.get(&k) {
                queue.extend(next.iter().cloned());
            }
        }
    }
    scopes
}

/// Parses every YAML document of `text` (pnpm 11 writes several).
pub(crate) fn yaml_docs(text: &str) -> Result<Vec<MarkedYaml<'_>>, ParseError> {
    MarkedYaml::load_from_str(text).map_err(|e| {
        ParseError::new(format!("invalid YAML: {}", e.info())).at_line(to_u32(e.marker().line()))
    })
}

/// The value of `key` in a YAML mapping.
pub(crate) fn yget<'a, 'i>(node: &'a MarkedYaml<'i>, key: &str) -> Option<&'a MarkedYaml<'i>> {
    yentries(node)
        .find(|(k, _)| ytext(k).as_deref() == Some(key))
        .map(|(_, v)| v)
}

/// The entries of a YAML mapping (none for other nodes).
pub(crate) fn yentries<'a, 'i>(
    node: &'a MarkedYaml<'i>,
) -> impl Iterator<Item = (&'a MarkedYaml<'i>, &'a MarkedYaml<'i>)> {
    let map = match &node.data {
        YamlData::Mapping(m) => Some(m),
        _ => None,
    };
    map.into_iter().flat_map(|m| m.iter())
}

/// A YAML scalar as text (numbers and booleans rendered).
pub(crate) fn ytext(node: &MarkedYaml<'_>) -> Option<String> {
    match &node.data {
        YamlData::Value(s) => match s {
            Scalar::String(s) => Some(s.to_string()),
            Scalar::Integer(i) => Some(i.to_string()),
            Scalar::FloatingPoint(f) => Some(f.into_inner().to_string()),
            Scalar::Boolean(b) => Some(b.to_string()),
            Scalar::Null => None,
        },
        YamlData::Representation(s, _, _) => Some(s.to_string()),
        _ => None,
    }
}

/// Whether a YAML node is the boolean `true`.
pub(crate) fn ytrue(node: Option<&MarkedYaml<'_>>) -> bool {
    matches!(
        node.map(|n| &n.data),
        Some(YamlData::Value(Scalar::Boolean(true)))
    )
}

/// The 1-based line a YAML node starts on.
pub(crate) fn yline(node: &MarkedYaml<'_>) -> u32 {
    to_u32(node.span.start.line())
}

/// Whether a resolved version looks like a registry version (starts with a digit, after an
/// optional `v`); `file:`, `link:`, git URLs and tarball URLs do not.
pub(crate) fn is_registry_version(v: &str) -> bool {
    let v = v.strip_prefix('v').unwrap_or(v);
    v.as_bytes().first().is_some_and(u8::is_ascii_digit)
}

/// Splits an npm `name@spec` at the `@` that is not the scope's leading one.
pub(crate) fn split_name_at(s: &str) -> Option<(&str, &str)> {
    let at = s.get(1..)?.find('@')? + 1;
    Some((s.get(..at)?, s.get(at + 1..)?))
}

/// Whether a path lies inside an installed dependency tree (`node_modules/`,
/// `site-packages/`), where lockfiles and manifests shipped by packages describe how the
/// package was developed, not what is installed.
pub(crate) fn inside_installed_tree(path: &str) -> bool {
    path.split(['/', '!'])
        .any(|c| c == "node_modules" || c == "site-packages" || c == "dist-packages")
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    /// Invalid UTF-8 is an error naming the line of the first bad byte; a BOM is dropped.
    #[test]
    fn utf8_errors_name_the_line() {
        let err = utf8(b"a\nb\n\xFFc").unwrap_err();
        assert_eq!(err.line, Some(3));
        assert_eq!(utf8(b"\xEF\xBB\xBFok").unwrap(), "ok");
    }

    /// Object keys are found only where they open an object, in document order.
    #[test]
    fn object_keys_in_order() {
        let text = "{\n\"a\": \"x\",\n\"b\": {\n\"a\" : {}\n}\n}";
        let mut c = KeyCursor::new(text);
        assert_eq!(c.next_line("a"), Some(4));
        assert_eq!(c.next_line("b"), None);
    }

    /// Production reachability wins over optional and development reachability.
    #[test]
    fn scopes_by_reachability() {
        let edges: HashMap<&str, Vec<&str>> = HashMap::from([
            ("app", vec!["shared"]),
            ("jest", vec!["shared", "dev-only"]),
        ]);
        let s = reach_scopes(&edges, &[("jest", Scope::Dev), ("app", Scope::Prod)]);
        assert_eq!(s["shared"], Scope::Prod);
        assert_eq!(s["dev-only"], Scope::Dev);
        assert_eq!(s.get("other"), None);
    }

    /// Scoped npm specs split after the scope.
    #[test]
    fn name_at_spec() {
        assert_eq!(split_name_at("@a/b@^1"), Some(("@a/b", "^1")));
        assert_eq!(split_name_at("lodash@npm:4"), Some(("lodash", "npm:4")));
        assert_eq!(split_name_at("lodash"), None);
    }
}
