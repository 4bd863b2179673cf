//! Reading typed values out of the `serverless.yml` tree: positions and JSON pointers,
//! YAML merge keys (`<<: *defaults`), `${…}` variables left symbolic (or resolved when they
//! point at a literal in the same file through `self:`), and type errors turned into
//! diagnostics.

use faasguard_core::{Attr, Diagnostic, Location};

use crate::SourceFile;
use crate::yaml::{Entry, Node, Value};

/// How many `${self:…}` hops are followed before giving up (also stops reference cycles).
const MAX_SELF_HOPS: usize = 16;

/// A value in the document together with where it is written: the line and column of its
/// key (or of the item, inside a list) and its JSON pointer. When the value was written as a
/// whole `${self:…}` reference to another node of the file, `node` is that other node while
/// the position stays at the place of use.
#[derive(Debug, Clone)]
pub(crate) struct Field<'a> {
    pub node: &'a Node,
    pub line: u32,
    pub col: u32,
    pub pointer: String,
}

/// `parent` extended by one JSON-pointer segment.
pub(crate) fn child_pointer(parent: &str, key: &str) -> String {
    let escaped = key.replace('~', "~0").replace('/', "~1");
    format!("{parent}/{escaped}")
}

/// What a scalar position holds once variables are looked at.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Text {
    /// A literal (strings as written; numbers and booleans rendered).
    Literal(String),
    /// An expression faasguard does not evaluate: a `${…}` variable, a CloudFormation
    /// intrinsic (`!Ref X`, `Fn::GetAtt: […]`, rendered as JSON).
    Unresolved(String),
    /// A mapping or list where a scalar was expected.
    WrongType,
    Null,
}

/// The reading context of one file: the document root (for `${self:…}`) and the
/// diagnostics collected so far.
#[derive(Debug)]
pub(crate) struct Ctx<'a> {
    pub file: &'a SourceFile,
    pub root: &'a Node,
    pub diagnostics: Vec<Diagnostic>,
}

impl<'a> Ctx<'a> {
    pub fn new(file: &'a SourceFile, root: &'a Node) -> Self {
        Ctx {
            file,
            root,
            diagnostics: Vec::new(),
        }
    }

    /// The location of a field: file, line, column and JSON pointer.
    pub fn loc(&self, f: &Field<'_>) -> Location {
        Location::at(self.file.path.clone(), f.line, f.col).with_pointer(f.pointer.clone())
    }

    /// Records a diagnostic at `f`.
    pub fn diag(&mut self, f: &Field<'_>, message: impl Into<String>) {
        let loc = self.loc(f);
        self.diagnostics.push(Diagnostic::new(loc, message));
    }

    /// Records a "wrong type" diagnostic naming the key and what was expected.
    pub fn wrong_type(&mut self, f: &Field<'_>, expected: &str) {
        let found = kind_name(f.node);
        // The root's pointer is empty: say "the file" rather than an empty name.
        let what = if f.pointer.is_empty() {
            "the file".to_owned()
        } else {
            format!("`{}`", f.pointer)
        };
        self.diag(
            f,
            format!("serverless: {what} must be {expected}, found {found}; ignored"),
        );
    }

    /// Follows a whole-value `${self:path}` reference to the node it names, up to
    /// [`MAX_SELF_HOPS`] times. When the chain ends at another variable (`${opt:…}`), at a
    /// missing path or in a cycle, the node written at the place of use is returned, so an
    /// unresolved value always shows the expression written where it is used.
    pub fn deref(&self, node: &'a Node) -> &'a Node {
        let mut current = node;
        for _ in 0..MAX_SELF_HOPS {
            let Some(expr) = current.as_str().and_then(whole_variable) else {
                return current;
            };
            match self.self_target(expr) {
                Some(target) => current = target,
                None => return node,
            }
        }
        node
    }

    /// The node named by a variable's inner text when it is a plain `self:` reference
    /// (`self:custom.bucket`; a fallback after a comma is ignored when the path exists).
    fn self_target(&self, inner: &str) -> Option<&'a Node> {
        let first = split_top_level_comma(inner);
        let path = first.trim().strip_prefix("self:")?;
        if path.contains("${") {
            return None;
        }
        let mut node = self.root;
        for segment in path.split('.').filter(|s| !s.is_empty()) {
            node = match &node.value {
                Value::Map(_) => map_get(node, segment)?,
                Value::Seq(items) => items.get(segment.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(node)
    }

    /// A child of a mapping field, with merge keys honoured and `${self:…}` followed.
    pub fn get(&self, parent: &Field<'a>, key: &str) -> Option<Field<'a>> {
        let entry = map_entry(parent.node, key)?;
        Some(self.entry_field(entry, &parent.pointer))
    }

    /// A field for a mapping entry (position of its key).
    pub fn entry_field(&self, entry: &'a Entry, parent_pointer: &str) -> Field<'a> {
        Field {
            node: self.deref(&entry.value),
            line: entry.key_line,
            col: entry.key_col,
            pointer: child_pointer(parent_pointer, &entry.key),
        }
    }

    /// A field for the `index`th item of a list (position of the item).
    pub fn item_field(&self, item: &'a Node, parent_pointer: &str, index: usize) -> Field<'a> {
        Field {
            node: self.deref(item),
            line: item.line,
            col: item.col,
            pointer: format!("{parent_pointer}/{index}"),
        }
    }

    /// The entries of a mapping field as fields (merge keys honoured).
    pub fn fields(&self, parent: &Field<'a>) -> Vec<(&'a str, Field<'a>)> {
        map_entries(parent.node)
            .into_iter()
            .map(|e| (e.key.as_str(), self.entry_field(e, &parent.pointer)))
            .collect()
    }

    /// The items of a list field as fields.
    pub fn items(&self, parent: &Field<'a>) -> Vec<Field<'a>> {
        parent
            .node
            .items()
            .iter()
            .enumerate()
            .map(|(i, item)| self.item_field(item, &parent.pointer, i))
            .collect()
    }

    /// The scalar at `f` as text, with variables either resolved through `self:` or kept
    /// symbolic.
    pub fn text(&self, f: &Field<'_>) -> Text {
        self.text_of(f.node, 0)
    }

    fn text_of(&self, node: &Node, hops: usize) -> Text {
        match &node.value {
            Value::Null => Text::Null,
            Value::Str(s) if s.contains("${") => match self.substitute(s, hops) {
                Some(resolved) => Text::Literal(resolved),
                None => Text::Unresolved(s.clone()),
            },
            Value::Str(_) | Value::Int(_) | Value::Float(_) | Value::Bool(_) => {
                Text::Literal(node.value.as_key_text())
            }
            Value::Tagged(..) => Text::Unresolved(node.to_json().to_string()),
            Value::Map(entries) if is_intrinsic(entries) => {
                Text::Unresolved(node.to_json().to_string())
            }
            Value::Map(_) | Value::Seq(_) => Text::WrongType,
        }
    }

    /// Replaces every `${…}` in `s` by the literal it names through `self:`; `None` as soon as
    /// one cannot be resolved.
    fn substitute(&self, s: &str, hops: usize) -> Option<String> {
        if hops >= MAX_SELF_HOPS {
            return None;
        }
        let mut out = String::with_capacity(s.len());
        let mut rest = s;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let (inner, after) = variable_at(&rest[start..])?;
            let target = self.self_target(inner)?;
            match self.text_of(target, hops + 1) {
                Text::Literal(text) => out.push_str(&text),
                Text::Unresolved(_) | Text::WrongType | Text::Null => return None,
            }
            rest = after;
        }
        out.push_str(rest);
        Some(out)
    }

    /// A string attribute: explicit literal, unresolved expression, or absent (with a
    /// diagnostic for a wrong type).
    pub fn string_attr(&mut self, f: &Field<'_>) -> Attr<String> {
        match self.text(f) {
            Text::Literal(s) => Attr::explicit(s, self.loc(f)),
            Text::Unresolved(expr) => Attr::unresolved(expr, self.loc(f)),
            Text::Null => Attr::absent(),
            Text::WrongType => {
                self.wrong_type(f, "a string");
                Attr::absent()
            }
        }
    }

    /// A whole-number attribute in `min..=max`.
    pub fn int_attr(&mut self, f: &Field<'_>, min: i64, max: i64) -> Attr<i64> {
        match self.text(f) {
            Text::Literal(s) => match s.trim().parse::<i64>() {
                Ok(n) if (min..=max).contains(&n) => Attr::explicit(n, self.loc(f)),
                _ => {
                    let range = if max >= i64::from(u32::MAX) {
                        format!("at least {min}")
                    } else {
                        format!("from {min} to {max}")
                    };
                    self.diag(
                        f,
                        format!(
                            "serverless: `{}` must be a whole number {range}, found `{s}`; ignored",
                            f.pointer
                        ),
                    );
                    Attr::absent()
                }
            },
            Text::Unresolved(expr) => Attr::unresolved(expr, self.loc(f)),
            Text::Null => Attr::absent(),
            Text::WrongType => {
                self.wrong_type(f, "a number");
                Attr::absent()
            }
        }
    }

    /// A positive `u32` attribute (timeouts, memory sizes).
    pub fn u32_attr(&mut self, f: &Field<'_>) -> Attr<u32> {
        let attr = self.int_attr(f, 1, i64::from(u32::MAX));
        Attr {
            value: attr.value.and_then(|v| u32::try_from(v).ok()),
            origin: attr.origin,
            at: attr.at,
        }
    }

    /// A mapping at `f`, or `None`: silently when it is null or left symbolic (a variable
    /// or intrinsic), with a diagnostic when it is another type.
    pub fn expect_map(&mut self, f: &Field<'_>, expected: &str) -> bool {
        match &f.node.value {
            Value::Map(entries) => !is_intrinsic(entries),
            Value::Null | Value::Tagged(..) => false,
            Value::Str(s) if s.contains("${") => false,
            _ => {
                self.wrong_type(f, expected);
                false
            }
        }
    }

    /// Whether `f` is a list; otherwise `false`, with a diagnostic unless it is null or left
    /// symbolic.
    pub fn expect_seq(&mut self, f: &Field<'_>, expected: &str) -> bool {
        match &f.node.value {
            Value::Seq(_) => true,
            Value::Null | Value::Tagged(..) => false,
            Value::Map(entries) if is_intrinsic(entries) => false,
            Value::Str(s) if s.contains("${") => false,
            _ => {
                self.wrong_type(f, expected);
                false
            }
        }
    }
}

/// Whether the value at `f` is left symbolic as a whole (a `${…}` variable or an
/// intrinsic), and the expression if so.
pub(crate) fn symbolic(f: &Field<'_>) -> Option<String> {
    match &f.node.value {
        Value::Str(s) if s.contains("${") => Some(s.clone()),
        Value::Tagged(..) => Some(f.node.to_json().to_string()),
        Value::Map(entries) if is_intrinsic(entries) => Some(f.node.to_json().to_string()),
        _ => None,
    }
}

/// `${inner}` when `s` is exactly one variable, else `None`.
pub(crate) fn whole_variable(s: &str) -> Option<&str> {
    let trimmed = s.trim();
    let (inner, rest) = variable_at(trimmed)?;
    rest.is_empty().then_some(inner)
}

/// Splits `${inner}rest` with nested braces balanced; `None` when `s` does not start with
/// `${` or the braces never close.
fn variable_at(s: &str) -> Option<(&str, &str)> {
    let body = s.strip_prefix("${")?;
    let mut depth = 1usize;
    for (i, c) in body.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some((&body[..i], &body[i + 1..]));
                }
            }
            _ => {}
        }
    }
    None
}

/// The part of a variable's inner text before its first top-level comma (the fallback
/// separator), ignoring commas inside nested braces, brackets, parentheses and quotes.
fn split_top_level_comma(inner: &str) -> &str {
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    for (i, c) in inner.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (None, '\'' | '"') => quote = Some(c),
            (None, '{' | '[' | '(') => depth += 1,
            (None, '}' | ']' | ')') => depth -= 1,
            (None, ',') if depth == 0 => return &inner[..i],
            _ => {}
        }
    }
    inner
}

/// A CloudFormation intrinsic written in long form: a one-key mapping `Ref` / `Fn::…` /
/// `Condition`.
pub(crate) fn is_intrinsic(entries: &[Entry]) -> bool {
    matches!(entries, [e] if e.key == "Ref" || e.key == "Condition" || e.key.starts_with("Fn::"))
}

/// The entry for `key` in a mapping, looking through YAML merge keys (`<<: *anchor` or
/// `<<: [*a, *b]`) when the mapping does not set it itself.
pub(crate) fn map_entry<'n>(node: &'n Node, key: &str) -> Option<&'n Entry> {
    map_entry_depth(node, key, 0)
}

fn map_entry_depth<'n>(node: &'n Node, key: &str, depth: usize) -> Option<&'n Entry> {
    let Value::Map(entries) = &node.value else {
        return None;
    };
    if let Some(e) = entries.iter().find(|e| e.key == key) {
        return Some(e);
    }
    if depth >= MAX_SELF_HOPS {
        return None;
    }
    let merge = entries.iter().find(|e| e.key == "<<")?;
    match &merge.value.value {
        Value::Map(_) => map_entry_depth(&merge.value, key, depth + 1),
        Value::Seq(items) => items
            .iter()
            .find_map(|item| map_entry_depth(item, key, depth + 1)),
        _ => None,
    }
}

fn map_get<'n>(node: &'n Node, key: &str) -> Option<&'n Node> {
    map_entry(node, key).map(|e| &e.value)
}

/// The entries of a mapping in document order, with merged (`<<`) entries the mapping does
/// not override appended after its own.
pub(crate) fn map_entries(node: &Node) -> Vec<&Entry> {
    let mut out: Vec<&Entry> = Vec::new();
    collect_entries(node, &mut out, 0);
    out
}

fn collect_entries<'n>(node: &'n Node, out: &mut Vec<&'n Entry>, depth: usize) {
    let Value::Map(entries) = &node.value else {
        return;
    };
    let mut merges = Vec::new();
    for e in entries {
        if e.key == "<<" {
            merges.push(&e.value);
        } else if !out.iter().any(|o| o.key == e.key) {
            out.push(e);
        }
    }
    if depth >= MAX_SELF_HOPS {
        return;
    }
    for m in merges {
        match &m.value {
            Value::Map(_) => collect_entries(m, out, depth + 1),
            Value::Seq(items) => {
                for item in items {
                    collect_entries(item, out, depth + 1);
                }
            }
            _ => {}
        }
    }
}

/// A short name for a node's type, for diagnostics.
pub(crate) fn kind_name(node: &Node) -> &'static str {
    match &node.value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Int(_) | Value::Float(_) => "a number",
        Value::Str(_) => "a string",
        Value::Seq(_) => "a list",
        Value::Map(_) => "a mapping",
        Value::Tagged(..) => "a tagged value",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Nested braces and fallbacks are split the way the framework reads them.
    #[test]
    fn variable_syntax_is_split_with_nesting() {
        assert_eq!(
            whole_variable("${self:custom.${opt:stage}}"),
            Some("self:custom.${opt:stage}")
        );
        assert_eq!(whole_variable("x-${opt:stage}"), None);
        assert_eq!(split_top_level_comma("opt:stage, 'a,b'"), "opt:stage");
        assert_eq!(split_top_level_comma("file(./a.yml):x"), "file(./a.yml):x");
        assert_eq!(variable_at("${unclosed"), None);
    }
}
