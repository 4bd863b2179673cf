//! Positioned access to template values, SAM `Globals` merging, and CloudFormation intrinsics.
//!
//! A [`Slot`] is one node with its JSON pointer and the position of the key that holds it. A
//! [`View`] stacks slots from lowest to highest precedence (`Globals.Function`, then the
//! function's `Properties`) and merges them the way SAM's `Globals` plugin does: scalars and
//! intrinsics from the highest layer win, maps merge key by key, lists concatenate (global
//! entries first), and `Architectures` is replaced rather than concatenated.

use std::fmt::Write as _;

use crate::yaml::{Node, Value};

/// One value in the template with where it is.
#[derive(Debug, Clone)]
pub(crate) struct Slot<'a> {
    pub node: &'a Node,
    /// JSON pointer of the value (`/Resources/Fn/Properties/Runtime`).
    pub ptr: String,
    /// Line and column of the key holding the value (or of the value for list items).
    pub line: u32,
    pub col: u32,
}

impl<'a> Slot<'a> {
    pub fn root(node: &'a Node) -> Self {
        Slot {
            node,
            ptr: String::new(),
            line: node.line,
            col: node.col,
        }
    }

    /// The value under `key` of a mapping.
    pub fn get(&self, key: &str) -> Option<Slot<'a>> {
        let entry = self.node.entry(key)?;
        Some(Slot {
            node: &entry.value,
            ptr: format!("{}/{}", self.ptr, escape(key)),
            line: entry.key_line,
            col: entry.key_col,
        })
    }

    /// Mapping entries as slots, in document order.
    pub fn entries(&self) -> Vec<(&'a str, Slot<'a>)> {
        self.node
            .entries()
            .iter()
            .map(|e| {
                (
                    e.key.as_str(),
                    Slot {
                        node: &e.value,
                        ptr: format!("{}/{}", self.ptr, escape(&e.key)),
                        line: e.key_line,
                        col: e.key_col,
                    },
                )
            })
            .collect()
    }

    /// Sequence items as slots; a single non-sequence value is a one-item list (CloudFormation
    /// and IAM accept both forms in most places). Null is an empty list.
    pub fn list(&self) -> Vec<Slot<'a>> {
        match &self.node.value {
            Value::Seq(items) => items
                .iter()
                .enumerate()
                .map(|(i, n)| Slot {
                    node: n,
                    ptr: format!("{}/{i}", self.ptr),
                    line: n.line,
                    col: n.col,
                })
                .collect(),
            Value::Null => Vec::new(),
            _ => vec![self.clone()],
        }
    }

    /// A plain mapping (not an intrinsic function call).
    pub fn is_plain_map(&self) -> bool {
        self.node.is_map() && intrinsic(self.node).is_none()
    }
}

/// Escapes a JSON pointer token (`~` → `~0`, `/` → `~1`).
pub(crate) fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Layers of the same property, lowest precedence first.
#[derive(Debug, Clone)]
pub(crate) struct View<'a> {
    layers: Vec<Slot<'a>>,
    /// Dotted property path from the merge root (`Architectures`, `Environment.Variables`).
    path: String,
    /// Top-level properties for which the first layer (`Globals`) is ignored (`IgnoreGlobals`).
    ignored: Vec<String>,
}

impl<'a> View<'a> {
    pub fn new(layers: Vec<Slot<'a>>) -> Self {
        View {
            layers,
            path: String::new(),
            ignored: Vec::new(),
        }
    }

    /// A view over `Globals` (the first layer) and properties, with `IgnoreGlobals` names.
    pub fn with_globals(globals: Slot<'a>, props: Option<Slot<'a>>, ignored: Vec<String>) -> Self {
        let mut layers = vec![globals];
        layers.extend(props);
        View {
            layers,
            path: String::new(),
            ignored,
        }
    }

    /// The winning (highest precedence) slot.
    pub fn top(&self) -> Option<&Slot<'a>> {
        self.layers.last()
    }

    /// The merged value under `key`.
    pub fn get(&self, key: &str) -> Option<View<'a>> {
        let skip = usize::from(self.path.is_empty() && self.ignored.iter().any(|k| k == key));
        let found: Vec<Slot<'a>> = self
            .layers
            .iter()
            .skip(skip)
            .filter_map(|s| s.get(key))
            .collect();
        let top = found.last()?.clone();
        let path = if self.path.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.path)
        };
        let layers = if top.is_plain_map() {
            found.into_iter().filter(Slot::is_plain_map).collect()
        } else if matches!(top.node.value, Value::Seq(_)) && path != "Architectures" {
            found
                .into_iter()
                .filter(|s| matches!(s.node.value, Value::Seq(_)))
                .collect()
        } else {
            vec![top]
        };
        Some(View {
            layers,
            path,
            ignored: Vec::new(),
        })
    }

    /// Merged mapping entries: every key of every layer once, the highest layer's value winning
    /// (merged recursively).
    pub fn entries(&self) -> Vec<(String, View<'a>)> {
        let mut keys: Vec<&str> = Vec::new();
        for layer in &self.layers {
            for entry in layer.node.entries() {
                if !keys.contains(&entry.key.as_str()) {
                    keys.push(&entry.key);
                }
            }
        }
        keys.into_iter()
            .filter_map(|k| self.get(k).map(|v| (k.to_owned(), v)))
            .collect()
    }

    /// Concatenated list items (global entries first); a scalar is a one-item list.
    pub fn list(&self) -> Vec<Slot<'a>> {
        self.layers.iter().flat_map(Slot::list).collect()
    }
}

/// The intrinsic function a node calls, as `(name, argument)`: the short form `!Sub x` and the
/// long form `{"Fn::Sub": x}` both give `("Sub", x)`; `Ref` and `Condition` keep their names.
pub(crate) fn intrinsic(node: &Node) -> Option<(&str, &Node)> {
    match &node.value {
        Value::Tagged(tag, inner) => Some((tag.as_str(), inner)),
        Value::Map(entries) if entries.len() == 1 => {
            let e = &entries[0];
            if e.key == "Ref" || e.key == "Condition" {
                Some((e.key.as_str(), &e.value))
            } else {
                e.key.strip_prefix("Fn::").map(|name| (name, &e.value))
            }
        }
        _ => None,
    }
}

/// The logical id a `Ref` or `GetAtt` names, with the attribute for `GetAtt`.
pub(crate) fn reference(node: &Node) -> Option<(&str, Option<String>)> {
    let (name, arg) = intrinsic(node)?;
    match name {
        "Ref" => arg.as_str().map(|s| (s, None)),
        "GetAtt" => match &arg.value {
            Value::Str(s) => Some(match s.split_once('.') {
                Some((id, attr)) => (id, Some(attr.to_owned())),
                None => (s.as_str(), None),
            }),
            Value::Seq(items) => {
                let id = items.first()?.as_str()?;
                let attr = items.get(1).and_then(Node::scalar_text);
                Some((id, attr))
            }
            _ => None,
        },
        _ => None,
    }
}

/// Longest expression text kept; longer renderings are cut with `…`.
const MAX_EXPR: usize = 200;

/// A readable short-form rendering of a value: `!Ref DbPassword`, `!GetAtt Role.Arn`,
/// `!Sub arn:${AWS::Partition}:s3:::${Bucket}`, `!Join ['', [a, !Ref B]]`.
pub(crate) fn render(node: &Node) -> String {
    let mut out = String::new();
    render_into(node, &mut out, 0);
    if out.chars().count() > MAX_EXPR {
        out = out.chars().take(MAX_EXPR).collect();
        out.push('…');
    }
    out
}

fn render_into(node: &Node, out: &mut String, depth: usize) {
    if depth > 16 || out.len() > MAX_EXPR * 2 {
        out.push('…');
        return;
    }
    if let Some((name, arg)) = intrinsic(node) {
        if name == "GetAtt"
            && let Some((id, attr)) = reference(node)
        {
            let _ = write!(out, "!GetAtt {id}");
            if let Some(attr) = attr {
                let _ = write!(out, ".{attr}");
            }
            return;
        }
        let _ = write!(out, "!{name} ");
        render_into(arg, out, depth + 1);
        return;
    }
    match &node.value {
        Value::Null => out.push_str("null"),
        Value::Str(s) if s.is_empty() => out.push_str("''"),
        Value::Str(s) if s.contains([',', '[', ']']) && depth > 0 => {
            let _ = write!(out, "'{}'", s.replace('\'', "''"));
        }
        Value::Seq(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                render_into(item, out, depth + 1);
            }
            out.push(']');
        }
        Value::Map(entries) => {
            out.push('{');
            for (i, e) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                let _ = write!(out, "{}: ", e.key);
                render_into(&e.value, out, depth + 1);
            }
            out.push('}');
        }
        other => out.push_str(&other.as_key_text()),
    }
}
