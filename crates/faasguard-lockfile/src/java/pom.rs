//! `pom.xml`: the project's declared dependencies.
//!
//! Offline and without the parent POM or imported BOMs, only what the file itself says can be
//! resolved: literal versions, `${property}` versions defined in the same file's
//! `<properties>` (recursively) or by the project/parent coordinates (`${project.version}`,
//! `${project.parent.version}`, …), and versions supplied by the same file's
//! `<dependencyManagement>`. A dependency whose version is still unresolved after that (a
//! property from a parent, a BOM-managed version, a range such as `[1.0,2.0)`) is **not
//! reported**: reporting a guessed version would give wrong findings either way.

use std::collections::HashMap;

use roxmltree::{Document, Node};

use super::package;
use crate::{Origin, Package, ParseError, Scope};

/// Properties may refer to properties this many levels deep.
const MAX_INTERPOLATION_DEPTH: usize = 16;

fn child<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    node.children()
        .find(|c| c.is_element() && c.tag_name().name() == name)
}

fn child_text<'a>(node: Node<'a, '_>, name: &str) -> Option<&'a str> {
    child(node, name)
        .and_then(|c| c.text())
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

struct Properties<'a> {
    values: HashMap<String, &'a str>,
}

impl Properties<'_> {
    /// `text` with every `${name}` replaced, or `None` when one is unknown or the
    /// substitution does not terminate.
    fn resolve(&self, text: &str) -> Option<String> {
        let mut out = text.to_owned();
        for _ in 0..MAX_INTERPOLATION_DEPTH {
            let Some(start) = out.find("${") else {
                return Some(out);
            };
            let end = start + out[start..].find('}')?;
            let value = self.values.get(&out[start + 2..end])?;
            out.replace_range(start..=end, value);
        }
        (!out.contains("${")).then_some(out)
    }
}

/// A version Maven would use as is: not empty, not a range.
fn is_literal(version: &str) -> bool {
    !version.is_empty() && !version.starts_with(['[', '(']) && !version.contains(',')
}

/// Reads a `pom.xml`'s `<dependencies>` (direct by definition). Scopes: `test` and
/// `provided` (supplied by the runtime, not packaged) are [`Scope::Dev`]; `<optional>true`
/// is [`Scope::Optional`]; the rest [`Scope::Prod`]. Dependencies in `<profiles>`, plugins
/// and `<dependencyManagement>` itself are not reported.
pub(super) fn parse_pom(path: &str, bytes: &[u8]) -> Result<Vec<Package>, ParseError> {
    let text =
        std::str::from_utf8(bytes).map_err(|e| ParseError::new(format!("not UTF-8: {e}")))?;
    let doc =
        Document::parse(text).map_err(|e| ParseError::new(e.to_string()).at_line(e.pos().row))?;
    let project = doc.root_element();
    if project.tag_name().name() != "project" {
        return Err(ParseError::new(format!(
            "root element is <{}>, not <project>",
            project.tag_name().name()
        )));
    }
    let parent = child(project, "parent");
    let mut values: HashMap<String, &str> = HashMap::new();
    if let Some(props) = child(project, "properties") {
        for p in props.children().filter(Node::is_element) {
            values.insert(
                p.tag_name().name().to_owned(),
                p.text().unwrap_or("").trim(),
            );
        }
    }
    for field in ["groupId", "artifactId", "version"] {
        let own = child_text(project, field);
        let inherited = parent.and_then(|p| child_text(p, field));
        if let Some(v) = inherited {
            values.insert(format!("project.parent.{field}"), v);
            values.insert(format!("parent.{field}"), v);
        }
        let Some(v) = own.or(if field == "artifactId" {
            None
        } else {
            inherited
        }) else {
            continue;
        };
        for prefix in ["project.", "pom.", ""] {
            values.insert(format!("{prefix}{field}"), v);
        }
    }
    let props = Properties { values };

    let coordinates = |dep: Node<'_, '_>| -> Option<(String, Option<String>)> {
        let group = props.resolve(child_text(dep, "groupId")?)?;
        let artifact = props.resolve(child_text(dep, "artifactId")?)?;
        let version = child_text(dep, "version").and_then(|v| props.resolve(v));
        Some((format!("{group}:{artifact}"), version))
    };
    let mut managed: HashMap<String, String> = HashMap::new();
    if let Some(deps) =
        child(project, "dependencyManagement").and_then(|m| child(m, "dependencies"))
    {
        for dep in deps
            .children()
            .filter(|c| c.tag_name().name() == "dependency")
        {
            if let Some((name, Some(version))) = coordinates(dep) {
                managed.insert(name, version);
            }
        }
    }

    let mut out = Vec::new();
    let Some(deps) = child(project, "dependencies") else {
        return Ok(out);
    };
    for dep in deps
        .children()
        .filter(|c| c.tag_name().name() == "dependency")
    {
        let Some((name, version)) = coordinates(dep) else {
            continue;
        };
        let Some(version) = version.or_else(|| managed.get(&name).cloned()) else {
            continue;
        };
        if !is_literal(&version) {
            continue;
        }
        let scope = match child_text(dep, "scope") {
            Some("test" | "provided") => Scope::Dev,
            _ if child_text(dep, "optional") == Some("true") => Scope::Optional,
            _ => Scope::Prod,
        };
        let line = doc.text_pos_at(dep.range().start).row;
        out.push(package(
            path,
            Some(line),
            &name,
            &version,
            scope,
            Some(true),
            Origin::Manifest,
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    /// Property chains resolve; unknown and self-referencing properties do not.
    #[test]
    fn property_interpolation() {
        let mut values = HashMap::new();
        values.insert("a".to_owned(), "${b}.1");
        values.insert("b".to_owned(), "2");
        values.insert("loop".to_owned(), "${loop}");
        let p = Properties { values };
        assert_eq!(p.resolve("${a}").as_deref(), Some("2.1"));
        assert_eq!(p.resolve("x-${b}-${b}").as_deref(), Some("x-2-2"));
        assert_eq!(p.resolve("${missing}"), None);
        assert_eq!(p.resolve("${loop}"), None);
        assert_eq!(p.resolve("${unterminated"), None);
    }

    /// An entity-expansion bomb ("billion laughs") is refused with an error, not expanded.
    #[test]
    fn entity_bomb_is_bounded() {
        let mut xml =
            String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE project [\n<!ENTITY l0 \"lol\">\n");
        for i in 1..10 {
            let prev = i - 1;
            let body = format!("&l{prev};").repeat(10);
            xml += &["<!ENTITY l", &i.to_string(), " \"", &body, "\">\n"].concat();
        }
        xml.push_str("]>\n<project><dependencies><dependency><groupId>a</groupId>\
            <artifactId>&l9;</artifactId><version>1</version></dependency></dependencies></project>\n");
        let err = parse_pom("pom.xml", xml.as_bytes()).unwrap_err();
        assert!(!err.message.is_empty());
    }

    /// Malformed XML is an error with its line; a non-POM root is an error.
    #[test]
    fn malformed_pom() {
        let err = parse_pom("pom.xml", b"<project>\n<dependencies>\n</project>").unwrap_err();
        assert_eq!(err.line, Some(3));
        assert!(parse_pom("pom.xml", b"<settings/>").is_err());
    }
}
