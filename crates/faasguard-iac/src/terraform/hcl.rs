//! One Terraform module parsed with hcl-edit (which keeps byte spans), its blocks indexed by
//! address, and a small static evaluator for the expressions faasguard needs.
//!
//! Evaluation is deliberately shallow: literals, string templates whose parts are literals,
//! `path.module`/`path.root` (the module directory, `.`), and `var.x` / `local.x` when the
//! variable's `default` or the local's value is itself statically known. Such values are
//! reported as explicit **at the default's / local's location** (a scanner should judge the
//! value the module ships with; `-var` overrides are outside what a file scan can see).
//! Anything else (resource attributes, module outputs, function calls, conditionals) stays
//! unresolved with the expression text as written.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::Range;

use hcl_edit::Span;
use hcl_edit::expr::{Expression, TraversalOperator};
use hcl_edit::structure::{Block, Body};
use hcl_edit::template::Element;

use faasguard_core::{Attr, Location};

use crate::SourceFile;

/// How deeply `var`/`local` references are followed (locals may refer to locals).
const MAX_DEPTH: usize = 16;

/// Byte offset → 1-based line and column.
#[derive(Debug)]
pub(crate) struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub(crate) fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    /// 1-based (line, column); the column counts characters.
    pub(crate) fn position(&self, text: &str, offset: usize) -> (u32, u32) {
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts[line - 1];
        let column = text
            .get(start..offset.min(text.len()))
            .map_or(0, |s| s.chars().count())
            + 1;
        (
            u32::try_from(line).unwrap_or(u32::MAX),
            u32::try_from(column).unwrap_or(u32::MAX),
        )
    }
}

/// One parsed `.tf` file.
#[derive(Debug)]
pub(crate) struct TfFile<'a> {
    pub(crate) src: &'a SourceFile,
    pub(crate) body: Body,
    lines: LineIndex,
}

impl<'a> TfFile<'a> {
    pub(crate) fn new(src: &'a SourceFile, body: Body) -> Self {
        TfFile {
            src,
            body,
            lines: LineIndex::new(&src.text),
        }
    }

    /// The location of a span (or of the file when the span is unknown), with a pointer.
    pub(crate) fn loc(&self, span: Option<Range<usize>>, pointer: &str) -> Location {
        let mut loc = match span {
            Some(r) => {
                let (line, column) = self.lines.position(&self.src.text, r.start);
                Location::at(&self.src.path, line, column)
            }
            None => Location::file(&self.src.path),
        };
        if !pointer.is_empty() {
            loc = loc.with_pointer(pointer);
        }
        loc
    }

    /// The source text of a span, trimmed (the expression as written).
    pub(crate) fn text(&self, span: Option<Range<usize>>) -> String {
        span.and_then(|r| self.src.text.get(r))
            .map(|s| s.trim().to_owned())
            .unwrap_or_default()
    }
}

/// A `resource` or `data` block with its address parts.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Res<'a> {
    pub(crate) file: &'a TfFile<'a>,
    pub(crate) block: &'a Block,
    pub(crate) rtype: &'a str,
    pub(crate) name: &'a str,
    /// `data` blocks.
    pub(crate) data: bool,
}

impl<'a> Res<'a> {
    /// `aws_lambda_function.api` or `data.aws_iam_policy_document.x`.
    pub(crate) fn address(&self) -> String {
        if self.data {
            format!("data.{}.{}", self.rtype, self.name)
        } else {
            format!("{}.{}", self.rtype, self.name)
        }
    }

    /// JSON-pointer-like path of the block (`/resource/aws_lambda_function/api`).
    pub(crate) fn pointer(&self) -> String {
        let kind = if self.data { "data" } else { "resource" };
        format!("/{kind}/{}/{}", self.rtype, self.name)
    }

    pub(crate) fn loc(&self) -> Location {
        self.file.loc(self.block.span(), &self.pointer())
    }

    pub(crate) fn attr(&self, key: &str) -> Option<&'a Expression> {
        self.block.body.get_attribute(key).map(|a| &a.value)
    }

    pub(crate) fn blocks(&self, ident: &'a str) -> impl Iterator<Item = &'a Block> + use<'a> {
        self.block.body.get_blocks(ident)
    }
}

/// A value found by following `var`/`local` references: the expression and its file.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Found<'a> {
    pub(crate) file: &'a TfFile<'a>,
    pub(crate) expr: &'a Expression,
}

/// All files of one module directory, indexed.
#[derive(Debug)]
pub(crate) struct Module<'a> {
    pub(crate) resources: Vec<Res<'a>>,
    /// `(data, type, name)` → index of the first such block in `resources`, so that resolving a
    /// reference is a lookup, not a scan (thousands of resources made loading quadratic).
    by_key: HashMap<(bool, &'a str, &'a str), usize>,
    /// What [`Module::referenced`] found for an expression (by address), since every role
    /// asks about every attachment in the module.
    ref_cache: RefCell<HashMap<usize, Option<usize>>>,
    variables: HashMap<&'a str, Found<'a>>,
    locals: HashMap<&'a str, Found<'a>>,
}

impl<'a> Module<'a> {
    pub(crate) fn index(files: &'a [TfFile<'a>]) -> Self {
        let mut m = Module {
            resources: Vec::new(),
            by_key: HashMap::new(),
            ref_cache: RefCell::new(HashMap::new()),
            variables: HashMap::new(),
            locals: HashMap::new(),
        };
        for file in files {
            for block in file.body.blocks() {
                let labels: Vec<&str> = block
                    .labels
                    .iter()
                    .map(hcl_edit::structure::BlockLabel::as_str)
                    .collect();
                match (block.ident.as_str(), labels.as_slice()) {
                    ("resource" | "data", [rtype, name]) => {
                        let data = block.ident.as_str() == "data";
                        m.by_key
                            .entry((data, rtype, name))
                            .or_insert(m.resources.len());
                        m.resources.push(Res {
                            file,
                            block,
                            rtype,
                            name,
                            data,
                        });
                    }
                    ("variable", [name]) => {
                        if let Some(a) = block.body.get_attribute("default") {
                            m.variables.insert(
                                name,
                                Found {
                                    file,
                                    expr: &a.value,
                                },
                            );
                        }
                    }
                    ("locals", []) => {
                        for a in block.body.attributes() {
                            m.locals.insert(
                                a.key.as_str(),
                                Found {
                                    file,
                                    expr: &a.value,
                                },
                            );
                        }
                    }
                    _ => {}
                }
            }
        }
        m
    }

    pub(crate) fn of_type(&self, rtype: &'a str) -> impl Iterator<Item = &Res<'a>> {
        self.resources
            .iter()
            .filter(move |r| !r.data && r.rtype == rtype)
    }

    pub(crate) fn find(&self, data: bool, rtype: &str, name: &str) -> Option<&Res<'a>> {
        let index = *self.by_key.get(&(data, rtype, name))?;
        self.resources.get(index)
    }

    /// Follows `var.x`, `local.x` and parentheses to the expression that defines the value.
    pub(crate) fn deref(&self, mut at: Found<'a>) -> Found<'a> {
        for _ in 0..MAX_DEPTH {
            if let Expression::Parenthesis(p) = at.expr {
                at = Found {
                    file: at.file,
                    expr: p.inner(),
                };
                continue;
            }
            let next = match ref_parts(at.expr).as_deref() {
                Some([root, name]) if root == "var" => self.variables.get(name.as_str()),
                Some([root, name]) if root == "local" => self.locals.get(name.as_str()),
                _ => None,
            };
            match next {
                Some(n) => at = *n,
                None => return at,
            }
        }
        at
    }

    /// A string value: literal, known, or unresolved with the expression text.
    pub(crate) fn string(
        &self,
        file: &'a TfFile<'a>,
        expr: &'a Expression,
        ptr: &str,
    ) -> Attr<String> {
        let written = file.loc(expr.span(), ptr);
        let found = self.deref(Found { file, expr });
        match self.static_str(found, 0) {
            Some(s) => Attr::explicit(s, found.file.loc(found.expr.span(), ptr)),
            None => Attr::unresolved(file.text(expr.span()), written),
        }
    }

    /// The statically known string value of an expression, if any.
    pub(crate) fn static_str(&self, at: Found<'a>, depth: usize) -> Option<String> {
        if depth > MAX_DEPTH {
            return None;
        }
        let at = self.deref(at);
        match at.expr {
            Expression::String(s) => Some(s.value().clone()),
            Expression::Number(n) => Some(n.value().to_string()),
            Expression::Bool(b) => Some(b.value().to_string()),
            Expression::StringTemplate(t) => {
                let mut out = String::new();
                for el in t {
                    match el {
                        Element::Literal(l) => out.push_str(l.value()),
                        Element::Interpolation(i) => {
                            let inner = Found {
                                file: at.file,
                                expr: &i.expr,
                            };
                            out.push_str(&self.static_str(inner, depth + 1)?);
                        }
                        Element::Directive(_) => return None,
                    }
                }
                Some(out)
            }
            Expression::Traversal(_) => match ref_parts(at.expr).as_deref() {
                Some([root, what]) if root == "path" && (what == "module" || what == "root") => {
                    Some(".".to_owned())
                }
                _ => None,
            },
            _ => None,
        }
    }

    /// A list of strings (`["a", var.b]`); a non-list expression becomes one entry.
    pub(crate) fn strings(
        &self,
        file: &'a TfFile<'a>,
        expr: &'a Expression,
        ptr: &str,
    ) -> Vec<Attr<String>> {
        let found = self.deref(Found { file, expr });
        match found.expr {
            Expression::Array(a) => a
                .iter()
                .enumerate()
                .map(|(i, e)| self.string(found.file, e, &format!("{ptr}/{i}")))
                .collect(),
            _ => vec![self.string(file, expr, ptr)],
        }
    }

    /// A number attribute, with an unresolved value for anything not static.
    pub(crate) fn number<T: TryFrom<i64>>(
        &self,
        file: &'a TfFile<'a>,
        expr: &'a Expression,
        ptr: &str,
    ) -> Attr<T> {
        let s = self.string(file, expr, ptr);
        match s.value.as_deref().map(str::parse::<i64>) {
            Some(Ok(n)) => match T::try_from(n) {
                Ok(v) => Attr {
                    value: Some(v),
                    origin: s.origin,
                    at: s.at,
                },
                Err(_) => Attr::unresolved(file.text(expr.span()), file.loc(expr.span(), ptr)),
            },
            _ => Attr::unresolved(file.text(expr.span()), file.loc(expr.span(), ptr)),
        }
    }

    /// A boolean attribute.
    pub(crate) fn boolean(
        &self,
        file: &'a TfFile<'a>,
        expr: &'a Expression,
        ptr: &str,
    ) -> Attr<bool> {
        let s = self.string(file, expr, ptr);
        match s.value.as_deref() {
            Some("true") => Attr {
                value: Some(true),
                origin: s.origin,
                at: s.at,
            },
            Some("false") => Attr {
                value: Some(false),
                origin: s.origin,
                at: s.at,
            },
            _ => Attr::unresolved(file.text(expr.span()), file.loc(expr.span(), ptr)),
        }
    }

    /// The resource a reference points at (`aws_iam_role.x.arn` → that role block), following
    /// `var`/`local` first.
    pub(crate) fn referenced(
        &self,
        file: &'a TfFile<'a>,
        expr: &'a Expression,
    ) -> Option<&Res<'a>> {
        let key = std::ptr::from_ref(expr).addr();
        let cached = self.ref_cache.borrow().get(&key).copied();
        let index = if let Some(index) = cached {
            index
        } else {
            let index = self.referenced_index(file, expr);
            self.ref_cache.borrow_mut().insert(key, index);
            index
        };
        self.resources.get(index?)
    }

    fn referenced_index(&self, file: &'a TfFile<'a>, expr: &'a Expression) -> Option<usize> {
        let found = self.deref(Found { file, expr });
        let inner = single_interpolation(found.expr).unwrap_or(found.expr);
        let parts = ref_parts(inner)?;
        let (data, rtype, name) = match parts.as_slice() {
            [data, rtype, name, ..] if data == "data" => (true, rtype, name),
            [rtype, name, ..] => (false, rtype, name),
            _ => return None,
        };
        self.by_key
            .get(&(data, rtype.as_str(), name.as_str()))
            .copied()
    }
}

/// `"${x}"` written as a template: the single interpolated expression.
fn single_interpolation(expr: &Expression) -> Option<&Expression> {
    let Expression::StringTemplate(t) = expr else {
        return None;
    };
    let mut it = t.iter();
    match (it.next(), it.next()) {
        (Some(Element::Interpolation(i)), None) => Some(&i.expr),
        _ => None,
    }
}

/// The names of a plain reference: `aws_iam_role.x[0].arn` → `["aws_iam_role", "x", "arn"]`.
/// Index and splat operators are skipped. `None` for anything that is not a reference.
pub(crate) fn ref_parts(expr: &Expression) -> Option<Vec<String>> {
    match expr {
        Expression::Variable(v) => Some(vec![v.as_str().to_owned()]),
        Expression::Traversal(t) => {
            let mut parts = ref_parts(&t.expr)?;
            for op in &t.operators {
                if let TraversalOperator::GetAttr(ident) = op.value() {
                    parts.push(ident.as_str().to_owned());
                }
            }
            Some(parts)
        }
        _ => None,
    }
}
