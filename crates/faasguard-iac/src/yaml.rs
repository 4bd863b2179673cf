//! A small owned YAML/JSON tree with positions and tags, built from saphyr's marked nodes.
//!
//! saphyr keeps CloudFormation short-form tags (`!Ref`, `!GetAtt`, …) and source positions, and
//! bounds alias expansion (billion-laughs documents fail with an error instead of exhausting
//! memory). The loaders work on [`Node`] so they never see saphyr's borrowed types. JSON
//! templates go through the same parser (JSON is YAML 1.2 flow syntax), so they get line
//! numbers too.

use std::fmt;

use saphyr::{LoadableYamlNode, MarkedYaml, Scalar, YamlData};

/// Deepest nesting accepted; deeper documents are rejected rather than risking the stack.
pub const MAX_DEPTH: usize = 256;

/// A parsed node with its 1-based line and column.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub line: u32,
    pub col: u32,
}

/// One `key: value` entry of a mapping, with the key's position.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_line: u32,
    pub key_col: u32,
    pub value: Node,
}

/// The node's content.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    /// Entries in document order. Non-scalar keys are rendered as text.
    Map(Vec<Entry>),
    /// A node with a local tag: `!Ref X` is `Tagged("Ref", Str("X"))` (the `!` handle dropped).
    Tagged(String, Box<Node>),
}

/// The document could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub line: u32,
    pub col: u32,
    pub message: String,
}

impl fmt::Display for YamlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {} column {}: {}",
            self.line, self.col, self.message
        )
    }
}

impl std::error::Error for YamlError {}

/// Parses the first document of `text`. An empty document is `Null`.
pub fn parse(text: &str) -> Result<Node, YamlError> {
    let docs = MarkedYaml::load_from_str(text).map_err(|e| YamlError {
        line: to_u32(e.marker().line()),
        col: to_u32(e.marker().col() + 1),
        message: e.info().to_owned(),
    })?;
    match docs.first() {
        Some(doc) => convert(doc, 0),
        None => Ok(Node {
            value: Value::Null,
            line: 1,
            col: 1,
        }),
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn convert(node: &MarkedYaml<'_>, depth: usize) -> Result<Node, YamlError> {
    let line = to_u32(node.span.start.line());
    let col = to_u32(node.span.start.col() + 1);
    if depth > MAX_DEPTH {
        return Err(YamlError {
            line,
            col,
            message: format!("nesting deeper than {MAX_DEPTH} levels"),
        });
    }
    let value = match &node.data {
        YamlData::Value(s) => scalar(s),
        YamlData::Representation(text, _, _) => Value::Str(text.to_string()),
        YamlData::Sequence(items) => Value::Seq(
            items
                .iter()
                .map(|n| convert(n, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        YamlData::Mapping(map) => {
            let mut entries = Vec::with_capacity(map.len());
            for (k, v) in map {
                let key = convert(k, depth + 1)?;
                entries.push(Entry {
                    key: key.value.as_key_text(),
                    key_line: key.line,
                    key_col: key.col,
                    value: convert(v, depth + 1)?,
                });
            }
            Value::Map(entries)
        }
        YamlData::Tagged(tag, inner) => {
            let inner = convert(inner, depth + 1)?;
            if tag.handle == "!" {
                Value::Tagged(tag.suffix.clone(), Box::new(inner))
            } else {
                // Core-schema tags (`!!str`, `!!int`) and unknown handles: keep the content.
                inner.value
            }
        }
        YamlData::Alias(_) | YamlData::BadValue => Value::Null,
    };
    Ok(Node { value, line, col })
}

fn scalar(s: &Scalar<'_>) -> Value {
    match s {
        Scalar::Null => Value::Null,
        Scalar::Boolean(b) => Value::Bool(*b),
        Scalar::Integer(i) => Value::Int(*i),
        Scalar::FloatingPoint(f) => Value::Float(f.into_inner()),
        Scalar::String(s) => Value::Str(s.to_string()),
    }
}

impl Value {
    /// A scalar rendered as text (for keys and for string-typed properties written as numbers).
    pub fn as_key_text(&self) -> String {
        match self {
            Value::Null => String::new(),
            Value::Bool(b) => b.to_string(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => f.to_string(),
            Value::Str(s) => s.clone(),
            Value::Seq(_) | Value::Map(_) | Value::Tagged(..) => format!("{self:?}"),
        }
    }
}

impl Node {
    /// The value of `key` when this node is a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    /// The entry for `key` (with the key's position) when this node is a mapping.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|e| e.key == key),
            _ => None,
        }
    }

    /// Mapping entries, or an empty slice.
    pub fn entries(&self) -> &[Entry] {
        match &self.value {
            Value::Map(entries) => entries,
            _ => &[],
        }
    }

    /// Sequence items, or an empty slice.
    pub fn items(&self) -> &[Node] {
        match &self.value {
            Value::Seq(items) => items,
            _ => &[],
        }
    }

    /// The string content of a plain string scalar.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// A scalar as text: strings as is, numbers and booleans rendered; `None` otherwise.
    pub fn scalar_text(&self) -> Option<String> {
        match &self.value {
            Value::Str(s) => Some(s.clone()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(f.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Null | Value::Seq(_) | Value::Map(_) | Value::Tagged(..) => None,
        }
    }

    pub fn is_map(&self) -> bool {
        matches!(self.value, Value::Map(_))
    }

    /// Converts to JSON. Tags become CloudFormation long form: `!Ref X` → `{"Ref": "X"}`,
    /// `!GetAtt A.B` → `{"Fn::GetAtt": ["A", "B"]}`, any other `!Name v` → `{"Fn::Name": v}`
    /// (`!Condition` → `{"Condition": v}`).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            Value::Str(s) => J::String(s.clone()),
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => J::Object(
                entries
                    .iter()
                    .map(|e| (e.key.clone(), e.value.to_json()))
                    .collect(),
            ),
            Value::Tagged(tag, inner) => {
                let mut obj = serde_json::Map::new();
                let (key, value) = match tag.as_str() {
                    "Ref" | "Condition" => (tag.clone(), inner.to_json()),
                    "GetAtt" => {
                        let value = match inner.as_str() {
                            Some(s) => match s.split_once('.') {
                                Some((res, attr)) => {
                                    J::Array(vec![J::String(res.into()), J::String(attr.into())])
                                }
                                None => J::String(s.into()),
                            },
                            None => inner.to_json(),
                        };
                        ("Fn::GetAtt".to_owned(), value)
                    }
                    _ => (format!("Fn::{tag}"), inner.to_json()),
                };
                obj.insert(key, value);
                J::Object(obj)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![expect(clippy::unwrap_used, reason = "tests")]

    use super::*;

    /// Short-form tags survive with their positions, and convert to the long form.
    #[test]
    fn keeps_cfn_tags_and_lines() {
        let doc = parse(
            "Resources:\n  Fn:\n    Role: !GetAtt FnRole.Arn\n    Env: !Sub '${AWS::Region}-x'\n    List: !Join ['', [!Ref A, b]]\n",
        )
        .unwrap();
        let f = doc.get("Resources").unwrap().get("Fn").unwrap();
        let role = f.get("Role").unwrap();
        assert_eq!(role.line, 3);
        assert!(matches!(&role.value, Value::Tagged(t, _) if t == "GetAtt"));
        assert_eq!(
            role.to_json(),
            serde_json::json!({"Fn::GetAtt": ["FnRole", "Arn"]})
        );
        assert_eq!(
            f.get("List").unwrap().to_json(),
            serde_json::json!({"Fn::Join": ["", [{"Ref": "A"}, "b"]]})
        );
        assert_eq!(f.entry("Env").unwrap().key_line, 4);
    }

    /// JSON templates parse through the same path, with line numbers.
    #[test]
    fn parses_json_with_lines() {
        let doc = parse(
            "{\n  \"Resources\": {\n    \"Fn\": {\"Type\": \"AWS::Lambda::Function\"}\n  }\n}\n",
        )
        .unwrap();
        let f = doc.get("Resources").unwrap().get("Fn").unwrap();
        assert_eq!(f.line, 3);
        assert_eq!(
            f.get("Type").unwrap().as_str(),
            Some("AWS::Lambda::Function")
        );
    }

    /// Tab-indented JSON (common in hand-edited templates) parses too.
    #[test]
    fn parses_tab_indented_json() {
        let doc = parse("{\n\t\"Resources\": {\n\t\t\"Fn\": {\"Type\": \"X\"}\n\t}\n}\n").unwrap();
        assert_eq!(doc.get("Resources").unwrap().get("Fn").unwrap().line, 3);
    }

    /// Malformed YAML is an error with a line, not a panic.
    #[test]
    fn malformed_is_error_with_line() {
        let err = parse("a: [1, 2\nb: c\n").unwrap_err();
        assert!(err.line >= 1, "{err}");
    }

    /// An alias bomb fails with an error instead of exhausting memory.
    #[test]
    fn alias_bomb_is_rejected() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let prev = i - 1;
            let refs = vec![format!("*a{prev}"); 10].join(", ");
            text.extend([format!("a{i}: &a{i} [{refs}]"), "\n".to_owned()]);
        }
        assert!(parse(&text).is_err());
    }

    /// Excessive nesting is rejected with an error.
    #[test]
    fn deep_nesting_is_rejected() {
        let text = format!("{}{}", "[".repeat(400), "]".repeat(400));
        assert!(parse(&text).is_err());
    }
}
