//! IAM policy documents written in Terraform: `jsonencode({...})`, literal and heredoc JSON,
//! and `data "aws_iam_policy_document"` blocks (also when referenced as `data.….json`).
//!
//! Values that are references (`aws_s3_bucket.b.arn`, `"${var.x}/*"`) stay unresolved
//! ([`StringOrPattern::unresolved`]) with the expression as written. Statements from
//! `jsonencode` and policy-document blocks carry their own line; statements parsed from a
//! JSON string carry the location of the string (serde_json keeps no positions).

use hcl_edit::Span;
use hcl_edit::expr::{Expression, ObjectKey};
use hcl_edit::structure::Block;
use hcl_edit::template::Element;
use serde_json::{Map, Value};

use faasguard_core::Location;
use faasguard_model::{Effect, PolicyDocument, Statement, StringOrPattern};

use super::hcl::{Found, Module, TfFile, ref_parts};

/// Marks the start and end of an unresolved interpolation inside rendered JSON text.
const OPEN: char = '\u{E000}';
const CLOSE: char = '\u{E001}';
/// Depth bound for nested documents and values.
const MAX_DEPTH: usize = 32;

/// Why a policy expression gave no document.
#[derive(Debug)]
pub(crate) enum PolicyError {
    /// An expression faasguard cannot evaluate (`var.policy`, `file(...)`), as written.
    Unresolved(String),
    /// JSON that does not parse: the message and where the string is.
    Malformed(String, Location),
}

/// A policy value with unresolved leaves and object locations.
#[derive(Debug, Clone)]
enum Val {
    Str(String),
    Unresolved(String),
    Other(Value),
    List(Vec<Val>),
    Obj(Vec<(String, Val)>, Option<Location>),
}

impl Val {
    fn get(&self, key: &str) -> Option<&Val> {
        match self {
            Val::Obj(entries, _) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    fn to_json(&self) -> Value {
        match self {
            Val::Str(s) | Val::Unresolved(s) => Value::String(s.clone()),
            Val::Other(v) => v.clone(),
            Val::List(items) => Value::Array(items.iter().map(Val::to_json).collect()),
            Val::Obj(entries, _) => Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_json()))
                    .collect::<Map<_, _>>(),
            ),
        }
    }

    fn from_json(v: Value) -> Val {
        match v {
            Value::String(s) if s.contains(OPEN) => {
                Val::Unresolved(s.replace(OPEN, "${").replace(CLOSE, "}"))
            }
            Value::String(s) => Val::Str(s),
            Value::Array(items) => Val::List(items.into_iter().map(Val::from_json).collect()),
            Value::Object(map) => Val::Obj(
                map.into_iter()
                    .map(|(k, v)| (k, Val::from_json(v)))
                    .collect(),
                None,
            ),
            other => Val::Other(other),
        }
    }

    /// Entries of a string-or-list field.
    fn patterns(&self) -> Vec<StringOrPattern> {
        match self {
            Val::Str(s) => vec![StringOrPattern::literal(s)],
            Val::Unresolved(s) => vec![StringOrPattern::unresolved(s)],
            Val::Other(v) => vec![StringOrPattern::literal(v.to_string())],
            Val::List(items) => items.iter().flat_map(Val::patterns).collect(),
            Val::Obj(..) => vec![StringOrPattern::unresolved(self.to_json().to_string())],
        }
    }
}

impl<'a> Module<'a> {
    /// The policy document an expression denotes.
    pub(crate) fn policy(
        &self,
        file: &'a TfFile<'a>,
        expr: &'a Expression,
        ptr: &str,
    ) -> Result<PolicyDocument, PolicyError> {
        self.policy_at(file, expr, ptr, 0)
    }

    fn policy_at(
        &self,
        file: &'a TfFile<'a>,
        expr: &'a Expression,
        ptr: &str,
        depth: usize,
    ) -> Result<PolicyDocument, PolicyError> {
        let unresolved = || PolicyError::Unresolved(file.text(expr.span()));
        if depth > MAX_DEPTH {
            return Err(unresolved());
        }
        let found = self.deref(Found { file, expr });
        let at = found.file.loc(found.expr.span(), ptr);
        match found.expr {
            Expression::FuncCall(call) if call.name.name.as_str() == "jsonencode" => {
                let arg = call.args.iter().next().ok_or_else(unresolved)?;
                let val = self.hcl_val(found.file, arg, ptr, 0);
                Ok(document(&val, &at))
            }
            Expression::String(s) => parse_json(s.value(), &at, 0),
            Expression::StringTemplate(_) | Expression::HeredocTemplate(_) => {
                if let Some(doc) = self.policy_document_ref(found, depth)? {
                    return Ok(doc);
                }
                let (rendered, first_line) = match found.expr {
                    Expression::HeredocTemplate(h) => (render(found.file, h.template.iter()), 1),
                    Expression::StringTemplate(t) => (render(found.file, t.iter()), 0),
                    _ => (None, 0),
                };
                parse_json(&rendered.ok_or_else(unresolved)?, &at, first_line)
            }
            Expression::Traversal(_) => self
                .policy_document_ref(found, depth)?
                .ok_or_else(unresolved),
            _ => Err(unresolved()),
        }
    }

    /// `data.aws_iam_policy_document.x.json` (also inside `"${…}"`).
    fn policy_document_ref(
        &self,
        found: Found<'a>,
        depth: usize,
    ) -> Result<Option<PolicyDocument>, PolicyError> {
        let inner = match found.expr {
            Expression::StringTemplate(t) => {
                let mut it = t.iter();
                match (it.next(), it.next()) {
                    (Some(Element::Interpolation(i)), None) => &i.expr,
                    _ => return Ok(None),
                }
            }
            e => e,
        };
        let Some(parts) = ref_parts(inner) else {
            return Ok(None);
        };
        match parts.as_slice() {
            [data, rtype, name, attr]
                if data == "data"
                    && rtype == "aws_iam_policy_document"
                    && (attr == "json" || attr == "minified_json") =>
            {
                match self.find(true, rtype, name) {
                    Some(res) => Ok(Some(self.policy_document_block(
                        res.file,
                        res.block,
                        &res.pointer(),
                        depth + 1,
                    ))),
                    None => Err(PolicyError::Unresolved(found.file.text(inner.span()))),
                }
            }
            _ => Ok(None),
        }
    }

    /// The statements of a `data "aws_iam_policy_document"` block, after the statements of
    /// its `source_policy_documents` and before those of its `override_policy_documents`.
    pub(crate) fn policy_document_block(
        &self,
        file: &'a TfFile<'a>,
        block: &'a Block,
        ptr: &str,
        depth: usize,
    ) -> PolicyDocument {
        let mut doc = PolicyDocument::default();
        let include = |key: &str, doc: &mut PolicyDocument| {
            let Some(a) = block.body.get_attribute(key) else {
                return;
            };
            let found = self.deref(Found {
                file,
                expr: &a.value,
            });
            if let Expression::Array(items) = found.expr {
                for item in items {
                    if let Ok(d) = self.policy_at(found.file, item, ptr, depth + 1) {
                        doc.statements.extend(d.statements);
                    }
                }
            }
        };
        include("source_policy_documents", &mut doc);
        for (i, st) in block.body.get_blocks("statement").enumerate() {
            let statement = self.document_statement(file, st, &format!("{ptr}/statement/{i}"));
            doc.statements.push(statement);
        }
        include("override_policy_documents", &mut doc);
        doc
    }

    /// One `statement` block of a policy document.
    fn document_statement(&self, file: &'a TfFile<'a>, st: &'a Block, sptr: &str) -> Statement {
        let sptr = sptr.to_owned();
        let at = file.loc(st.span(), &sptr);
        let list = |key: &str| -> Vec<StringOrPattern> {
            st.body.get_attribute(key).map_or_else(Vec::new, |a| {
                self.strings(file, &a.value, &format!("{sptr}/{key}"))
                    .into_iter()
                    .map(|s| match (s.value, s.origin) {
                        (Some(v), _) => StringOrPattern::literal(v),
                        (None, faasguard_core::Origin::Unresolved { expr }) => {
                            StringOrPattern::unresolved(expr)
                        }
                        (None, _) => StringOrPattern::unresolved(String::new()),
                    })
                    .collect()
            })
        };
        let effect = st
            .body
            .get_attribute("effect")
            .and_then(|a| self.string(file, &a.value, &sptr).value);
        let sid = st
            .body
            .get_attribute("sid")
            .and_then(|a| self.string(file, &a.value, &sptr).value);
        let mut principal = Map::new();
        for p in st.body.get_blocks("principals") {
            let kind = p
                .body
                .get_attribute("type")
                .map(|a| self.string(file, &a.value, &sptr))
                .map(|s| s.value.unwrap_or_else(|| "?".to_owned()))
                .unwrap_or_default();
            let ids = p
                .body
                .get_attribute("identifiers")
                .map_or_else(Vec::new, |a| {
                    self.strings(file, &a.value, &sptr)
                        .into_iter()
                        .map(|s| Value::String(attr_text(s)))
                        .collect()
                });
            if let Some(Value::Array(existing)) = principal.get_mut(&kind) {
                existing.extend(ids);
            } else {
                principal.insert(kind, Value::Array(ids));
            }
        }
        let mut condition = Map::new();
        for c in st.body.get_blocks("condition") {
            let field = |k: &str| {
                c.body
                    .get_attribute(k)
                    .map(|a| attr_text(self.string(file, &a.value, &sptr)))
                    .unwrap_or_default()
            };
            let values: Vec<Value> = c.body.get_attribute("values").map_or_else(Vec::new, |a| {
                self.strings(file, &a.value, &sptr)
                    .into_iter()
                    .map(|s| Value::String(attr_text(s)))
                    .collect()
            });
            let test = condition
                .entry(field("test"))
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(m) = test {
                m.insert(field("variable"), Value::Array(values));
            }
        }
        Statement {
            sid,
            effect: if effect.as_deref() == Some("Deny") {
                Effect::Deny
            } else {
                Effect::Allow
            },
            action: list("actions"),
            not_action: list("not_actions"),
            resource: list("resources"),
            not_resource: list("not_resources"),
            principal: (!principal.is_empty()).then_some(Value::Object(principal)),
            condition: (!condition.is_empty()).then_some(Value::Object(condition)),
            at,
        }
    }

    /// An HCL value (the argument of `jsonencode`) as a policy value.
    fn hcl_val(&self, file: &'a TfFile<'a>, expr: &'a Expression, ptr: &str, depth: usize) -> Val {
        let unresolved = || Val::Unresolved(file.text(expr.span()));
        if depth > MAX_DEPTH {
            return unresolved();
        }
        let found = self.deref(Found { file, expr });
        match found.expr {
            Expression::Null(_) => Val::Other(Value::Null),
            Expression::Bool(b) => Val::Other(Value::Bool(*b.value())),
            Expression::Number(n) => serde_json::from_str(&n.value().to_string())
                .map_or_else(|_| unresolved(), Val::Other),
            Expression::Array(items) => Val::List(
                items
                    .iter()
                    .map(|e| self.hcl_val(found.file, e, ptr, depth + 1))
                    .collect(),
            ),
            Expression::Object(obj) => Val::Obj(
                obj.iter()
                    .map(|(k, v)| {
                        let key = match k {
                            ObjectKey::Ident(i) => i.as_str().to_owned(),
                            ObjectKey::Expression(e) => self
                                .static_str(
                                    Found {
                                        file: found.file,
                                        expr: e,
                                    },
                                    0,
                                )
                                .unwrap_or_else(|| found.file.text(e.span())),
                        };
                        (key, self.hcl_val(found.file, v.expr(), ptr, depth + 1))
                    })
                    .collect(),
                Some(found.file.loc(found.expr.span(), ptr)),
            ),
            _ => match self.static_str(found, 0) {
                Some(s) => Val::Str(s),
                None => unresolved(),
            },
        }
    }
}

/// The text of a string attribute: its value, or the expression as written.
fn attr_text(a: faasguard_core::Attr<String>) -> String {
    match (a.value, a.origin) {
        (Some(v), _) => v,
        (None, faasguard_core::Origin::Unresolved { expr }) => expr,
        (None, _) => String::new(),
    }
}

/// Renders a template to text, with interpolations wrapped in markers; `None` when it has
/// directives (`%{ if }`), which faasguard does not evaluate.
fn render<'t>(file: &TfFile<'_>, elements: impl Iterator<Item = &'t Element>) -> Option<String> {
    let mut out = String::new();
    for el in elements {
        match el {
            Element::Literal(l) => out.push_str(l.value()),
            Element::Interpolation(i) => {
                out.push(OPEN);
                out.push_str(&file.text(i.expr.span()));
                out.push(CLOSE);
            }
            Element::Directive(_) => return None,
        }
    }
    Some(out)
}

/// Parses a JSON policy string. `first_line` is how many lines below `at` the text starts
/// (1 for heredocs, whose content starts below the `<<EOF` marker).
fn parse_json(text: &str, at: &Location, first_line: u32) -> Result<PolicyDocument, PolicyError> {
    match serde_json::from_str::<Value>(text) {
        Ok(v) => Ok(document(&Val::from_json(v), at)),
        Err(e) => {
            let mut loc = at.clone();
            if let Some(line) = loc.line {
                let offset = u32::try_from(e.line()).unwrap_or(1);
                loc.line = Some(line + first_line + offset.saturating_sub(1));
                loc.column = None;
            }
            Err(PolicyError::Malformed(
                format!("invalid JSON policy: {e}"),
                loc,
            ))
        }
    }
}

/// A policy value as a document: `Statement` as an object or a list.
fn document(val: &Val, at: &Location) -> PolicyDocument {
    let statements = match val.get("Statement") {
        Some(Val::List(items)) => items.iter().collect(),
        Some(one @ Val::Obj(..)) => vec![one],
        _ => Vec::new(),
    };
    PolicyDocument {
        statements: statements.into_iter().map(|s| statement(s, at)).collect(),
    }
}

fn statement(val: &Val, fallback: &Location) -> Statement {
    let at = match val {
        Val::Obj(_, Some(loc)) => loc.clone(),
        _ => fallback.clone(),
    };
    let text = |key: &str| match val.get(key) {
        Some(Val::Str(s)) => Some(s.clone()),
        _ => None,
    };
    let list = |key: &str| val.get(key).map(Val::patterns).unwrap_or_default();
    Statement {
        sid: text("Sid"),
        effect: if text("Effect").as_deref() == Some("Deny") {
            Effect::Deny
        } else {
            Effect::Allow
        },
        action: list("Action"),
        not_action: list("NotAction"),
        resource: list("Resource"),
        not_resource: list("NotResource"),
        principal: val.get("Principal").map(Val::to_json),
        condition: val.get("Condition").map(Val::to_json),
        at,
    }
}
