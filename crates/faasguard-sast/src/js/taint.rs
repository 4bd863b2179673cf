//! The taint walk: from the handler's event parameter to sinks.

use std::collections::{HashMap, HashSet};

use oxc_ast::ast::{
    Argument, ArrayExpressionElement, ArrowFunctionBody, ArrowFunctionExpression, AssignmentTarget,
    BindingPattern, CallExpression, Class, ClassElement, Declaration, ExportDefaultDeclarationKind,
    Expression, ForStatementInit, ForStatementLeft, FormalParameters, Function, FunctionBody,
    IdentifierReference, ModuleExportName, ObjectExpression, ObjectPropertyKind, Program,
    PropertyKey, SimpleAssignmentTarget, Statement, VariableDeclaration, VariableDeclarationKind,
};
use oxc_semantic::{Scoping, SemanticBuilder};
use oxc_span::{GetSpan, Span};
use oxc_syntax::operator::{AssignmentOperator, BinaryOperator, LogicalOperator, UnaryOperator};
use oxc_syntax::symbol::SymbolId;

use super::parse::{LineIndex, MAX_PARSE_NESTING, nesting_depth, with_program};
use super::sinks::{self, KindSet, SinkRule, bit};
use crate::{Analysis, Handler, Limits, Problem, SinkKind, Step, TaintFinding};

/// The walk does not descend deeper than this many nested expressions/statements.
pub(crate) const MAX_DEPTH: usize = 1_000;
/// Stack per level of the walk's recursion (measured: up to ~1.1 KiB in release, ~6 KiB in
/// debug builds, for nested calls).
const WALK_FRAME: usize = if cfg!(debug_assertions) {
    8 << 10
} else {
    2 << 10
};
/// Nested calls followed into local functions and modules.
const MAX_CALL_DEPTH: usize = 4;
/// Function bodies walked per analysis (each call followed costs one).
const MAX_FUNCTION_WALKS: usize = 2_000;
/// Expressions and statements visited per analysis, across every walk (bounds the time spent
/// on one handler whatever the shape of its code).
const MAX_VISITS: usize = 2_000_000;
/// A taint path keeps the source and the latest steps, so that with the sink it has at most 8.
const MAX_STEPS: usize = 7;
/// Text of an expression quoted in a note is cut at this many characters.
const MAX_QUOTE: usize = 60;

/// Event data held by a value: the path so far and the sink kinds it was sanitized for.
#[derive(Debug, Clone)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "independent facts about one value, each read by different sinks"
)]
struct Taint {
    steps: Vec<Step>,
    cleared: KindSet,
    /// The value is an object literal holding event data (`{ text: sql, values: [x] }`): the
    /// value as a whole is not attacker-chosen text.
    in_object: bool,
    /// The value came out of `JSON.parse` (or a query-string parser) and was not turned into a
    /// string since: it may be an object or array (`{"$ne": null}`), not only a string.
    parsed: bool,
    /// The value is a string built from event data by concatenation, interpolation or
    /// formatting (`'… WHERE id = ' + id`): what query sinks look for.
    built: bool,
    /// The value was read out of a document parsed from event text (`JSON.parse`, a query-string
    /// parser): a field, not a whole serialized document.
    from_document: bool,
}

impl Taint {
    fn with_step(mut self, step: Step) -> Taint {
        if self.steps.len() >= MAX_STEPS {
            self.steps.remove(1);
        }
        self.steps.push(step);
        self
    }

    fn merge(a: Option<Taint>, b: Option<Taint>) -> Option<Taint> {
        match (a, b) {
            (Some(mut a), Some(b)) => {
                a.cleared &= b.cleared;
                a.in_object &= b.in_object;
                a.parsed |= b.parsed;
                a.built |= b.built;
                a.from_document |= b.from_document;
                Some(a)
            }
            (a, b) => a.or(b),
        }
    }
}

/// A function value: a declaration/expression or an arrow.
#[derive(Clone, Copy)]
enum FnRef<'a> {
    Func(&'a Function<'a>),
    Arrow(&'a ArrowFunctionExpression<'a>),
}

impl<'a> FnRef<'a> {
    fn params(self) -> &'a FormalParameters<'a> {
        match self {
            FnRef::Func(f) => &f.params,
            FnRef::Arrow(a) => &a.params,
        }
    }

    fn span(self) -> Span {
        match self {
            FnRef::Func(f) => f.span,
            FnRef::Arrow(a) => a.span,
        }
    }
}

/// A resolved name: a module (`child_process`, `./helper`) or global, and member path.
#[derive(Debug, Clone)]
struct Name {
    root: String,
    members: Vec<String>,
}

impl Name {
    fn dotted(&self) -> String {
        let mut s = self.root.clone();
        for m in &self.members {
            if self.root == "fs" && m == "promises" {
                continue;
            }
            s.push('.');
            s.push_str(m);
        }
        s
    }

    fn is_local_module(&self) -> bool {
        self.root.starts_with('.')
    }
}

/// State shared across files: findings, problems and budgets.
struct Engine<'r> {
    read: &'r dyn Fn(&str) -> Option<String>,
    limits: Limits,
    findings: Vec<TaintFinding>,
    seen: HashSet<(String, u32, SinkKind)>,
    problems: Vec<Problem>,
    walks_left: usize,
    depth_reported: HashSet<String>,
    /// js-yaml version spec found for a directory (`node_modules/js-yaml/package.json` or the
    /// nearest `package.json`), cached.
    yaml_versions: HashMap<String, Option<String>>,
    visits_left: usize,
    budget_reported: bool,
}

/// One parsed file.
struct FileCtx<'a> {
    path: String,
    text: &'a str,
    lines: LineIndex,
    scoping: Scoping,
    /// Named functions of the file (top level), by symbol.
    functions: HashMap<SymbolId, FnRef<'a>>,
    /// `require`/`import` bindings and aliases of module members, by symbol.
    names: HashMap<SymbolId, Name>,
    /// Object literals bound to top-level constants (option objects: `{ shell: true }`).
    objects: HashMap<SymbolId, &'a ObjectExpression<'a>>,
    /// Classes declared at the top level, by symbol.
    classes: HashMap<SymbolId, &'a Class<'a>>,
    /// Top-level `const x = new SomeClass(…)` of a class of the file: variable → class symbol.
    instances: HashMap<SymbolId, SymbolId>,
    /// Top-level `const X = 'text'` (string literals and templates without substitutions).
    strings: HashMap<SymbolId, String>,
    /// Top-level `const RE = /…/`: the pattern text.
    regexes: HashMap<SymbolId, String>,
    import_depth: usize,
}

/// Entry point on the worker thread. `handler_text` is the handler file as read by the caller
/// (`None` when it could not be read).
pub(crate) fn run(
    read: &dyn Fn(&str) -> Option<String>,
    handler: &Handler,
    handler_text: Option<String>,
    limits: Limits,
) -> Analysis {
    let mut engine = Engine {
        read,
        limits,
        findings: Vec::new(),
        seen: HashSet::new(),
        problems: Vec::new(),
        walks_left: MAX_FUNCTION_WALKS,
        depth_reported: HashSet::new(),
        yaml_versions: HashMap::new(),
        visits_left: MAX_VISITS,
        budget_reported: false,
    };
    let Some(text) = check(&mut engine, &handler.file, handler_text) else {
        return Analysis {
            findings: Vec::new(),
            problems: engine.problems,
        };
    };
    with_file(
        &mut engine,
        &handler.file,
        &text,
        0,
        |engine, ctx, program| {
            let Some(func) = find_export(ctx, program, &handler.function) else {
                engine.problems.push(Problem {
                    file: ctx.path.clone(),
                    line: None,
                    message: format!(
                        "handler function `{}` not found in the file",
                        handler.function
                    ),
                });
                return;
            };
            let mut walker = Walker::new(ctx, engine);
            walker.current_class = class_of(ctx, func);
            walker.mark_sources(func.params());
            // Twice: the second pass sees taint assigned after a use (loops, closures).
            for _ in 0..2 {
                walker.walk_function_body(func);
            }
        },
    );
    engine.findings.sort_by(|a, b| {
        let key = |f: &TaintFinding| f.path.last().map(|s| (s.file.clone(), s.line, s.column));
        key(a).cmp(&key(b)).then(a.kind.cmp(&b.kind))
    });
    Analysis {
        findings: engine.findings,
        problems: engine.problems,
    }
}

/// Reads a file within the size limit, recording problems.
fn load(engine: &mut Engine<'_>, path: &str) -> Option<Source> {
    let text = (engine.read)(path);
    check(engine, path, text)
}

/// A file's text when it exists and is within the size and nesting limits; problems otherwise.
fn check(engine: &mut Engine<'_>, path: &str, text: Option<String>) -> Option<Source> {
    let Some(text) = text else {
        engine.problems.push(Problem {
            file: path.to_string(),
            line: None,
            message: "file not found or not text".into(),
        });
        return None;
    };
    if text.len() > engine.limits.max_file_bytes {
        engine.problems.push(Problem {
            file: path.to_string(),
            line: None,
            message: format!(
                "file is {} bytes, over the {}-byte limit; not analysed",
                text.len(),
                engine.limits.max_file_bytes
            ),
        });
        return None;
    }
    let depth = nesting_depth(&text);
    if depth > MAX_PARSE_NESTING {
        engine.problems.push(Problem {
            file: path.to_string(),
            line: None,
            message: format!(
                "brackets nested {depth} deep, over the {MAX_PARSE_NESTING} the parser can take safely; not analysed"
            ),
        });
        return None;
    }
    Some(Source {
        text,
        nesting: depth,
    })
}

/// A file accepted for parsing, with its bracket nesting (for the stack size).
struct Source {
    text: String,
    nesting: usize,
}

/// Parses a file, builds its context and runs `f` on it.
fn with_file<R>(
    engine: &mut Engine<'_>,
    path: &str,
    source: &Source,
    import_depth: usize,
    f: impl for<'x> FnOnce(&mut Engine<'_>, &FileCtx<'x>, &'x Program<'x>) -> R,
) -> R {
    // Stack for oxc's recursion on this file (see the module docs), plus the walk's own (at
    // most one level per source byte, and at most MAX_DEPTH).
    let walk_levels = source.text.len().min(MAX_DEPTH);
    let needed = source
        .nesting
        .saturating_mul(4 << 10)
        .saturating_add(source.text.len().saturating_mul(1 << 10))
        .saturating_add(walk_levels.saturating_mul(WALK_FRAME))
        .saturating_add(256 << 10);
    let text = source.text.as_str();
    stacker::maybe_grow(needed, needed, || {
        with_file_on_stack(engine, path, text, import_depth, f)
    })
}

fn with_file_on_stack<R>(
    engine: &mut Engine<'_>,
    path: &str,
    text: &str,
    import_depth: usize,
    f: impl for<'x> FnOnce(&mut Engine<'_>, &FileCtx<'x>, &'x Program<'x>) -> R,
) -> R {
    with_program(path, text, |program, errors| {
        for e in errors.iter().take(5) {
            engine.problems.push(Problem {
                file: path.to_string(),
                line: Some(e.line),
                message: format!(
                    "syntax error: {}; the rest of the file is analysed",
                    e.message
                ),
            });
        }
        let scoping = SemanticBuilder::new()
            .build(program)
            .semantic
            .into_scoping();
        let mut ctx = FileCtx {
            path: path.to_string(),
            text: program.source_text,
            lines: LineIndex::new(program.source_text),
            scoping,
            functions: HashMap::new(),
            names: HashMap::new(),
            objects: HashMap::new(),
            classes: HashMap::new(),
            instances: HashMap::new(),
            strings: HashMap::new(),
            regexes: HashMap::new(),
            import_depth,
        };
        collect_top_level(&mut ctx, program);
        f(engine, &ctx, program)
    })
}

fn ident_symbol(scoping: &Scoping, id: &IdentifierReference<'_>) -> Option<SymbolId> {
    id.reference_id
        .get()
        .and_then(|r| scoping.get_reference(r).symbol_id())
}

fn fn_of<'a>(expr: &'a Expression<'a>) -> Option<FnRef<'a>> {
    match expr.without_parentheses() {
        Expression::FunctionExpression(f) => Some(FnRef::Func(f)),
        Expression::ArrowFunctionExpression(a) => Some(FnRef::Arrow(a)),
        _ => None,
    }
}

/// Functions and module bindings declared at the top level.
fn collect_top_level<'a>(ctx: &mut FileCtx<'a>, program: &'a Program<'a>) {
    for stmt in &program.body {
        let decl = match stmt {
            Statement::ExportDeclaration(e) => Some(&e.declaration),
            _ => None,
        };
        match (stmt, decl) {
            (Statement::FunctionDeclaration(f), _)
            | (_, Some(Declaration::FunctionDeclaration(f))) => {
                if let Some(sym) = f.id.as_ref().and_then(|id| id.symbol_id.get()) {
                    ctx.functions.insert(sym, FnRef::Func(f));
                }
            }
            (Statement::ClassDeclaration(c), _) | (_, Some(Declaration::ClassDeclaration(c))) => {
                if let Some(sym) = c.id.as_ref().and_then(|id| id.symbol_id.get()) {
                    ctx.classes.insert(sym, c);
                }
            }
            (Statement::VariableDeclaration(v), _)
            | (_, Some(Declaration::VariableDeclaration(v))) => {
                if v.kind == VariableDeclarationKind::Const {
                    collect_constants(ctx, v);
                }
                for d in &v.declarations {
                    let (BindingPattern::BindingIdentifier(id), Some(init)) = (&d.id, &d.init)
                    else {
                        bind_module_names(ctx, &d.id, d.init.as_ref());
                        continue;
                    };
                    if let (Some(sym), Some(f)) = (id.symbol_id.get(), fn_of(init)) {
                        ctx.functions.insert(sym, f);
                    } else if let (Some(sym), Expression::ClassExpression(c)) =
                        (id.symbol_id.get(), init.without_parentheses())
                    {
                        ctx.classes.insert(sym, c);
                    } else if let (Some(sym), Expression::NewExpression(n)) =
                        (id.symbol_id.get(), init.without_parentheses())
                        && let Expression::Identifier(class) = n.callee.without_parentheses()
                        && let Some(class_sym) = ident_symbol(&ctx.scoping, class)
                    {
                        ctx.instances.insert(sym, class_sym);
                    } else if let (Some(sym), Expression::ObjectExpression(obj)) =
                        (id.symbol_id.get(), init.without_parentheses())
                    {
                        ctx.objects.insert(sym, obj);
                    } else {
                        bind_module_names(ctx, &d.id, Some(init));
                    }
                }
            }
            (Statement::ImportDeclaration(import), _) => {
                let module = sinks::normalize_module(import.source.value.as_str());
                for spec in import.specifiers.iter().flatten() {
                    use oxc_ast::ast::ImportDeclarationSpecifier as S;
                    let (local, member) = match spec {
                        S::ImportSpecifier(s) => (&s.local, Some(export_name(&s.imported))),
                        S::ImportDefaultSpecifier(s) => (&s.local, None),
                        S::ImportNamespaceSpecifier(s) => (&s.local, None),
                    };
                    if let Some(sym) = local.symbol_id.get() {
                        ctx.names.insert(
                            sym,
                            Name {
                                root: module.clone(),
                                members: member.into_iter().collect(),
                            },
                        );
                    }
                }
            }
            _ => {}
        }
    }
}

/// `const X = 'text'` and `const RE = /…/` declarations.
fn collect_constants(ctx: &mut FileCtx<'_>, v: &VariableDeclaration<'_>) {
    for d in &v.declarations {
        let (BindingPattern::BindingIdentifier(id), Some(init)) = (&d.id, &d.init) else {
            continue;
        };
        let Some(sym) = id.symbol_id.get() else {
            continue;
        };
        if let Some(text) = literal_text(init) {
            ctx.strings.insert(sym, text);
        } else if let Expression::RegExpLiteral(re) = init.without_parentheses() {
            ctx.regexes.insert(sym, regex_text(re));
        }
    }
}

/// A regular expression's pattern, as [`matches_whole_value`] reads it: with the `m` flag `^`
/// and `$` match at line breaks, so the pattern is given unanchored.
fn regex_text(re: &oxc_ast::ast::RegExpLiteral<'_>) -> String {
    let pattern = re.regex.pattern.text.as_str();
    if re.regex.flags.contains(oxc_ast::ast::RegExpFlags::M) {
        format!("(?:{pattern})")
    } else {
        pattern.to_string()
    }
}

/// The text of a string literal or of a template literal without substitutions.
fn literal_text(expr: &Expression<'_>) -> Option<String> {
    match expr.without_parentheses() {
        Expression::StringLiteral(s) => Some(s.value.as_str().to_string()),
        Expression::TemplateLiteral(t) if t.expressions.is_empty() => Some(
            t.quasis
                .iter()
                .map(|q| q.value.cooked.as_ref().unwrap_or(&q.value.raw).as_str())
                .collect(),
        ),
        _ => None,
    }
}

fn export_name(name: &ModuleExportName<'_>) -> String {
    match name {
        ModuleExportName::IdentifierName(n) => n.name.as_str().to_string(),
        ModuleExportName::IdentifierReference(n) => n.name.as_str().to_string(),
        ModuleExportName::StringLiteral(s) => s.value.as_str().to_string(),
    }
}

/// `const cp = require('child_process')`, `const { exec } = require('child_process')`,
/// `const run = cp.exec`, `const execP = util.promisify(cp.exec)`.
fn bind_module_names(
    ctx: &mut FileCtx<'_>,
    pattern: &BindingPattern<'_>,
    init: Option<&Expression<'_>>,
) {
    let Some(init) = init else { return };
    let Some(name) = resolve_name(ctx, init) else {
        return;
    };
    match pattern {
        BindingPattern::BindingIdentifier(id) => {
            if let Some(sym) = id.symbol_id.get() {
                ctx.names.insert(sym, name);
            }
        }
        BindingPattern::ObjectPattern(obj) => {
            for prop in &obj.properties {
                let Some(key) = prop_key_name(&prop.key) else {
                    continue;
                };
                let target = match &prop.value {
                    BindingPattern::BindingIdentifier(id) => Some(id),
                    BindingPattern::AssignmentPattern(a) => match &a.left {
                        BindingPattern::BindingIdentifier(id) => Some(id),
                        _ => None,
                    },
                    _ => None,
                };
                if let Some(sym) = target.and_then(|id| id.symbol_id.get()) {
                    let mut n = name.clone();
                    n.members.push(key);
                    ctx.names.insert(sym, n);
                }
            }
        }
        _ => {}
    }
}

fn prop_key_name(key: &PropertyKey<'_>) -> Option<String> {
    match key {
        PropertyKey::StaticIdentifier(id) => Some(id.name.as_str().to_string()),
        PropertyKey::StringLiteral(s) => Some(s.value.as_str().to_string()),
        _ => None,
    }
}

/// The module-qualified or global name of an expression used as a callee, when known.
fn resolve_name(ctx: &FileCtx<'_>, expr: &Expression<'_>) -> Option<Name> {
    resolve_name_depth(ctx, expr, 0)
}

fn resolve_name_depth(ctx: &FileCtx<'_>, expr: &Expression<'_>, depth: usize) -> Option<Name> {
    if depth > 16 {
        return None;
    }
    match expr.without_parentheses() {
        Expression::Identifier(id) => match ident_symbol(&ctx.scoping, id) {
            Some(sym) => ctx.names.get(&sym).cloned(),
            None => Some(Name {
                root: id.name.as_str().to_string(),
                members: Vec::new(),
            }),
        },
        Expression::StaticMemberExpression(m) => {
            let mut name = resolve_name_depth(ctx, &m.object, depth + 1)?;
            name.members.push(m.property.name.as_str().to_string());
            Some(name)
        }
        Expression::ComputedMemberExpression(m) => {
            let Expression::StringLiteral(s) = &m.expression else {
                return None;
            };
            let mut name = resolve_name_depth(ctx, &m.object, depth + 1)?;
            name.members.push(s.value.as_str().to_string());
            Some(name)
        }
        Expression::CallExpression(call) => {
            let callee = resolve_name_depth(ctx, &call.callee, depth + 1);
            let first = call.arguments.first().and_then(Argument::as_expression);
            match (callee.as_ref().map(Name::dotted).as_deref(), first) {
                (Some("require"), Some(Expression::StringLiteral(s))) => Some(Name {
                    root: sinks::normalize_module(s.value.as_str()),
                    members: Vec::new(),
                }),
                (Some("util.promisify" | "promisify" | "bluebird.promisify"), Some(arg)) => {
                    resolve_name_depth(ctx, arg, depth + 1)
                }
                _ => None,
            }
        }
        Expression::AwaitExpression(a) => resolve_name_depth(ctx, &a.argument, depth + 1),
        Expression::TSAsExpression(e) => resolve_name_depth(ctx, &e.expression, depth + 1),
        Expression::TSNonNullExpression(e) => resolve_name_depth(ctx, &e.expression, depth + 1),
        _ => None,
    }
}

/// The exported function `name` of a file (`exports.x = …`, `module.exports = { x }`,
/// `export const x = …`, `export { x }`, `export default` for `default`).
fn find_export<'a>(ctx: &FileCtx<'a>, program: &'a Program<'a>, name: &str) -> Option<FnRef<'a>> {
    let mut module_exports_value: Option<FnRef<'a>> = None;
    for stmt in &program.body {
        match stmt {
            Statement::ExpressionStatement(e) => {
                let Expression::AssignmentExpression(assign) = &e.expression else {
                    continue;
                };
                let target = assignment_target_text(&assign.left);
                match target.as_deref() {
                    Some(t)
                        if t == format!("exports.{name}")
                            || t == format!("module.exports.{name}") =>
                    {
                        if let Some(f) = fn_value(ctx, &assign.right) {
                            return Some(f);
                        }
                    }
                    Some("module.exports") => {
                        if let Expression::ObjectExpression(obj) =
                            assign.right.without_parentheses()
                        {
                            if let Some(f) = object_member_fn(ctx, obj, name) {
                                return Some(f);
                            }
                        } else if let Some(f) = fn_value(ctx, &assign.right) {
                            module_exports_value = Some(f);
                        }
                    }
                    _ => {}
                }
            }
            Statement::ExportDeclaration(e) => match &e.declaration {
                Declaration::FunctionDeclaration(f)
                    if f.id.as_ref().is_some_and(|id| id.name == name) =>
                {
                    return Some(FnRef::Func(f));
                }
                Declaration::VariableDeclaration(v) => {
                    if let Some(f) = declared_fn(ctx, v, name) {
                        return Some(f);
                    }
                }
                _ => {}
            },
            Statement::ExportNamedDeclaration(e) => {
                for spec in &e.specifiers {
                    if export_name(&spec.exported) != name {
                        continue;
                    }
                    if let ModuleExportName::IdentifierReference(local) = &spec.local
                        && let Some(f) =
                            ident_symbol(&ctx.scoping, local).and_then(|s| ctx.functions.get(&s))
                    {
                        return Some(*f);
                    }
                }
            }
            Statement::ExportDefaultDeclaration(e) if name == "default" => match &e.declaration {
                ExportDefaultDeclarationKind::FunctionDeclaration(f) => {
                    return Some(FnRef::Func(f));
                }
                other => {
                    if let Some(f) = other.as_expression().and_then(|x| fn_value(ctx, x)) {
                        return Some(f);
                    }
                }
            },
            // `export default { name() { … } }`
            Statement::ExportDefaultDeclaration(e) => {
                if let Some(Expression::ObjectExpression(obj)) = e
                    .declaration
                    .as_expression()
                    .map(Expression::without_parentheses)
                    && let Some(f) = object_member_fn(ctx, obj, name)
                {
                    return Some(f);
                }
            }
            _ => {}
        }
    }
    module_exports_value
}

fn declared_fn<'a>(
    ctx: &FileCtx<'a>,
    v: &'a VariableDeclaration<'a>,
    name: &str,
) -> Option<FnRef<'a>> {
    for d in &v.declarations {
        if let (BindingPattern::BindingIdentifier(id), Some(init)) = (&d.id, &d.init)
            && id.name == name
        {
            return fn_value(ctx, init);
        }
    }
    None
}

/// A function expression, arrow, identifier of a file function, or a wrapper call around one
/// (`middy(baseHandler)`, `wrap(async (event) => …)`).
fn fn_value<'a>(ctx: &FileCtx<'a>, expr: &'a Expression<'a>) -> Option<FnRef<'a>> {
    let mut expr = expr;
    for _ in 0..8 {
        if let Some(f) = fn_of(expr) {
            return Some(f);
        }
        match expr.without_parentheses() {
            Expression::Identifier(id) => {
                return ident_symbol(&ctx.scoping, id).and_then(|s| ctx.functions.get(&s).copied());
            }
            // `middy(base).use(…)`: the wrapped function is in the chain's innermost call.
            Expression::CallExpression(call) => match call.callee.without_parentheses() {
                // `service.handle.bind(service)`: the bound function.
                Expression::StaticMemberExpression(m) if m.property.name == "bind" => {
                    expr = &m.object;
                }
                Expression::StaticMemberExpression(m)
                    if matches!(
                        m.object.without_parentheses(),
                        Expression::CallExpression(_)
                    ) =>
                {
                    expr = &m.object;
                }
                _ => expr = call.arguments.first()?.as_expression()?,
            },
            Expression::StaticMemberExpression(m) => {
                // `service.handle` on an instance of a class of the file, or `Service.handle`.
                if let Some(f) = class_member_fn(ctx, &m.object, m.property.name.as_str()) {
                    return Some(f);
                }
                expr = &m.object;
            }
            _ => return None,
        }
    }
    None
}

/// The method `name` of the class `object` is (an instance of), at the top level of the file.
fn class_member_fn<'a>(
    ctx: &FileCtx<'a>,
    object: &Expression<'_>,
    name: &str,
) -> Option<FnRef<'a>> {
    let Expression::Identifier(id) = strip(object) else {
        return None;
    };
    let sym = ident_symbol(&ctx.scoping, id)?;
    let class_sym = ctx.instances.get(&sym).copied().unwrap_or(sym);
    let class = ctx.classes.get(&class_sym)?;
    class.body.body.iter().find_map(|el| match el {
        ClassElement::MethodDefinition(md) if prop_key_name(&md.key).as_deref() == Some(name) => {
            Some(FnRef::Func(&md.value))
        }
        _ => None,
    })
}

/// The class of the file whose method `func` is.
fn class_of<'a>(ctx: &FileCtx<'a>, func: FnRef<'a>) -> Option<&'a Class<'a>> {
    let span = func.span();
    ctx.classes.values().copied().find(|class| {
        class
            .body
            .body
            .iter()
            .any(|el| matches!(el, ClassElement::MethodDefinition(md) if md.value.span == span))
    })
}

fn object_member_fn<'a>(
    ctx: &FileCtx<'a>,
    obj: &'a ObjectExpression<'a>,
    name: &str,
) -> Option<FnRef<'a>> {
    for prop in &obj.properties {
        let ObjectPropertyKind::ObjectProperty(p) = prop else {
            continue;
        };
        if prop_key_name(&p.key).as_deref() == Some(name) {
            return fn_value(ctx, &p.value);
        }
    }
    None
}

fn assignment_target_text(target: &AssignmentTarget<'_>) -> Option<String> {
    let member = target.as_member_expression()?;
    let mut parts = Vec::new();
    let mut cur = member;
    loop {
        parts.push(cur.static_property_name()?.to_string());
        match cur.object().without_parentheses() {
            Expression::Identifier(id) => {
                parts.push(id.name.as_str().to_string());
                break;
            }
            other => cur = other.as_member_expression()?,
        }
        if parts.len() > 4 {
            return None;
        }
    }
    parts.reverse();
    Some(parts.join("."))
}

/// Does this statement always leave the enclosing block (return/throw)?
fn exits(stmt: &Statement<'_>) -> bool {
    match stmt {
        Statement::ReturnStatement(_) | Statement::ThrowStatement(_) => true,
        Statement::BlockStatement(b) => b.body.last().is_some_and(exits),
        Statement::IfStatement(i) => {
            exits(&i.consequent) && i.alternate.as_ref().is_some_and(exits)
        }
        _ => false,
    }
}

/// A check in an `if` test on a tainted variable.
struct Guard {
    sym: SymbolId,
    /// The check is negated (`!ok(x)`): it holds on the else/fall-through path.
    negated: bool,
    /// The sink kinds the variable is safe for where the check holds (all: validated).
    kinds: KindSet,
}

/// A regular expression anchored at both ends with no `.` wildcard repeated (`^\w+$`,
/// `^[a-z0-9-]{1,32}$`): a match constrains the whole value. `^https?://` does not.
fn matches_whole_value(pattern: &str) -> bool {
    let Some(body) = pattern.strip_prefix('^') else {
        return false;
    };
    if !body.ends_with('$') || body.ends_with("\\$") {
        return false;
    }
    let mut escaped = false;
    let mut in_class = false;
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' => escaped = true,
            '[' => in_class = true,
            ']' => in_class = false,
            '.' if !in_class && matches!(chars.peek(), Some('*' | '+' | '{')) => return false,
            _ => {}
        }
    }
    true
}

/// The walker over one file's functions.
struct Walker<'a, 'c, 'e, 'r> {
    ctx: &'c FileCtx<'a>,
    engine: &'e mut Engine<'r>,
    env: HashMap<SymbolId, Taint>,
    /// Event parameters and names destructured from them, with the name for the source note.
    sources: HashMap<SymbolId, String>,
    /// Aliases of modules found inside functions (`const { exec } = require(…)` in the body).
    names: HashMap<SymbolId, Name>,
    /// Object literals bound to constants in the file and in walked functions.
    objects: HashMap<SymbolId, &'a ObjectExpression<'a>>,
    /// String constants of the file and of walked functions.
    strings: HashMap<SymbolId, String>,
    /// Functions declared inside walked functions (closures over event data).
    local_fns: HashMap<SymbolId, FnRef<'a>>,
    /// Variables holding `new SomeClass(…)` of a class of the file, declared in walked code.
    instances: HashMap<SymbolId, SymbolId>,
    /// Variables holding a path normalised by `path.resolve`/`join`/`normalize` (no `..` left).
    normalized: HashSet<SymbolId>,
    /// The class whose method is being followed (for `this.m(…)`).
    current_class: Option<&'a Class<'a>>,
    /// Objects written through a member or a method (`o.x = …`, `a.push(…)`): their fields are
    /// no longer read from the literal.
    mutated: HashSet<SymbolId>,
    ret: Option<Taint>,
    depth: usize,
    call_stack: Vec<u32>,
    /// Loops entered (the outermost ones are walked twice, inner ones once, so that nested
    /// loops do not double the work per level).
    loop_depth: usize,
}

impl<'a, 'c, 'e, 'r> Walker<'a, 'c, 'e, 'r> {
    fn new(ctx: &'c FileCtx<'a>, engine: &'e mut Engine<'r>) -> Self {
        Walker {
            ctx,
            engine,
            env: HashMap::new(),
            sources: HashMap::new(),
            names: HashMap::new(),
            objects: ctx.objects.clone(),
            strings: ctx.strings.clone(),
            local_fns: HashMap::new(),
            mutated: HashSet::new(),
            instances: HashMap::new(),
            normalized: HashSet::new(),
            current_class: None,
            ret: None,
            depth: 0,
            call_stack: Vec::new(),
            loop_depth: 0,
        }
    }

    fn step(&self, span: Span, note: String) -> Step {
        let (line, column) = self.ctx.lines.position(self.ctx.text, span.start);
        Step {
            file: self.ctx.path.clone(),
            line,
            column,
            note,
        }
    }

    fn quote(&self, span: Span) -> String {
        let text = self
            .ctx
            .text
            .get(span.start as usize..span.end as usize)
            .unwrap_or("");
        let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if one_line.chars().count() > MAX_QUOTE {
            let cut: String = one_line.chars().take(MAX_QUOTE).collect();
            format!("{cut}…")
        } else {
            one_line
        }
    }

    /// Marks the first parameter (the event) as the source; destructured names too.
    fn mark_sources(&mut self, params: &FormalParameters<'_>) {
        let Some(first) = params.items.first() else {
            return;
        };
        let mut ids = Vec::new();
        pattern_ids(&first.pattern, &mut ids);
        for (sym, name) in ids {
            self.sources.insert(sym, name);
        }
    }

    /// Whether to stop descending: nesting past [`MAX_DEPTH`] or the visit budget spent.
    fn too_deep(&mut self) -> bool {
        if self.engine.visits_left == 0 {
            if !self.engine.budget_reported {
                self.engine.budget_reported = true;
                self.engine.problems.push(Problem {
                    file: self.ctx.path.clone(),
                    line: None,
                    message: format!(
                        "analysis budget of {MAX_VISITS} visited nodes spent; the rest of the handler is not analysed"
                    ),
                });
            }
            return true;
        }
        self.engine.visits_left -= 1;
        if self.depth < MAX_DEPTH {
            return false;
        }
        if self.engine.depth_reported.insert(self.ctx.path.clone()) {
            self.engine.problems.push(Problem {
                file: self.ctx.path.clone(),
                line: None,
                message: format!(
                    "code nested deeper than {MAX_DEPTH} levels; the deeper part is not analysed"
                ),
            });
        }
        true
    }

    fn resolve(&self, expr: &Expression<'_>) -> Option<Name> {
        if let Expression::Identifier(id) = expr.without_parentheses()
            && let Some(n) = ident_symbol(&self.ctx.scoping, id).and_then(|s| self.names.get(&s))
        {
            return Some(n.clone());
        }
        if let Expression::StaticMemberExpression(m) = expr.without_parentheses()
            && let Expression::Identifier(id) = m.object.without_parentheses()
            && let Some(n) = ident_symbol(&self.ctx.scoping, id).and_then(|s| self.names.get(&s))
        {
            let mut n = n.clone();
            n.members.push(m.property.name.as_str().to_string());
            return Some(n);
        }
        resolve_name(self.ctx, expr)
    }

    // ---------------------------------------------------------------- functions

    fn walk_function_body(&mut self, func: FnRef<'a>) {
        if self.engine.walks_left == 0 {
            if !self.engine.budget_reported {
                self.engine.budget_reported = true;
                self.engine.problems.push(Problem {
                    file: self.ctx.path.clone(),
                    line: None,
                    message: format!(
                        "analysis budget of {MAX_FUNCTION_WALKS} function walks spent; the rest of the handler is not analysed"
                    ),
                });
            }
            return;
        }
        self.engine.walks_left -= 1;
        match func {
            FnRef::Func(f) => {
                if let Some(body) = &f.body {
                    self.walk_body(body);
                }
            }
            FnRef::Arrow(a) => match &a.body {
                ArrowFunctionBody::FunctionBody(body) => self.walk_body(body),
                other => {
                    if let Some(expr) = other.as_expression() {
                        let t = self.eval(expr);
                        self.ret = Taint::merge(self.ret.take(), t);
                    }
                }
            },
        }
    }

    fn walk_body(&mut self, body: &'a FunctionBody<'a>) {
        self.walk_stmts(&body.statements);
    }

    /// Binds argument taints to a function's parameters and walks it; returns the taint of its
    /// return value.
    fn call_function(
        &mut self,
        func: FnRef<'a>,
        args: &[Option<Taint>],
        callee: &str,
    ) -> Option<Taint> {
        if self.call_stack.len() >= MAX_CALL_DEPTH || self.call_stack.contains(&func.span().start) {
            return None;
        }
        for (i, param) in func.params().items.iter().enumerate() {
            let Some(Some(t)) = args.get(i) else { continue };
            let mut ids = Vec::new();
            pattern_ids(&param.pattern, &mut ids);
            for (sym, pname) in ids {
                let step = self.step(param.span, format!("passed to `{callee}` as `{pname}`"));
                self.env.insert(sym, t.clone().with_step(step));
            }
        }
        self.call_stack.push(func.span().start);
        let saved = self.ret.take();
        self.walk_function_body(func);
        let ret = std::mem::replace(&mut self.ret, saved);
        self.call_stack.pop();
        ret
    }

    // ---------------------------------------------------------------- statements

    fn walk_stmts(&mut self, stmts: &'a [Statement<'a>]) {
        for stmt in stmts {
            self.walk_stmt(stmt);
        }
    }

    /// How many times to walk a loop body: twice for the outer loops, once deeper.
    fn loop_reps(&self) -> usize {
        if self.loop_depth < 3 { 2 } else { 1 }
    }

    fn walk_stmt(&mut self, stmt: &'a Statement<'a>) {
        if self.too_deep() {
            return;
        }
        self.depth += 1;
        let is_loop = matches!(
            stmt,
            Statement::ForStatement(_)
                | Statement::ForOfStatement(_)
                | Statement::ForInStatement(_)
                | Statement::WhileStatement(_)
                | Statement::DoWhileStatement(_)
        );
        self.loop_depth += usize::from(is_loop);
        self.walk_stmt_inner(stmt);
        self.loop_depth -= usize::from(is_loop);
        self.depth -= 1;
    }

    fn walk_stmt_inner(&mut self, stmt: &'a Statement<'a>) {
        match stmt {
            Statement::BlockStatement(b) => self.walk_stmts(&b.body),
            Statement::ExpressionStatement(e) => {
                self.eval(&e.expression);
            }
            Statement::VariableDeclaration(v) => self.walk_var_decl(v),
            Statement::FunctionDeclaration(f) => {
                // Walked for captured event data; calls walk it again with their arguments.
                if let Some(sym) = f.id.as_ref().and_then(|id| id.symbol_id.get()) {
                    self.local_fns.insert(sym, FnRef::Func(f));
                }
                let saved = self.ret.take();
                self.walk_function_body(FnRef::Func(f));
                self.ret = saved;
            }
            Statement::ReturnStatement(r) => {
                if let Some(arg) = &r.argument {
                    let t = self.eval(arg);
                    self.ret = Taint::merge(self.ret.take(), t);
                }
            }
            Statement::ThrowStatement(t) => {
                self.eval(&t.argument);
            }
            Statement::IfStatement(i) => self.walk_if(i),
            Statement::ForStatement(f) => {
                match &f.init {
                    Some(ForStatementInit::VariableDeclaration(v)) => self.walk_var_decl(v),
                    Some(init) => {
                        if let Some(e) = init.as_expression() {
                            self.eval(e);
                        }
                    }
                    None => {}
                }
                for _ in 0..self.loop_reps() {
                    if let Some(t) = &f.test {
                        self.eval(t);
                    }
                    self.walk_stmt(&f.body);
                    if let Some(u) = &f.update {
                        self.eval(u);
                    }
                }
            }
            Statement::ForOfStatement(f) => {
                let t = self.eval(&f.right);
                self.bind_for_left(&f.left, t, f.right.span());
                for _ in 0..self.loop_reps() {
                    self.walk_stmt(&f.body);
                }
            }
            Statement::ForInStatement(f) => {
                let t = self.eval(&f.right);
                self.bind_for_left(&f.left, t, f.right.span());
                for _ in 0..self.loop_reps() {
                    self.walk_stmt(&f.body);
                }
            }
            Statement::WhileStatement(w) => {
                for _ in 0..self.loop_reps() {
                    self.eval(&w.test);
                    self.walk_stmt(&w.body);
                }
            }
            Statement::DoWhileStatement(w) => {
                for _ in 0..self.loop_reps() {
                    self.walk_stmt(&w.body);
                    self.eval(&w.test);
                }
            }
            Statement::TryStatement(t) => {
                self.walk_stmts(&t.block.body);
                if let Some(h) = &t.handler {
                    self.walk_stmts(&h.body.body);
                }
                if let Some(f) = &t.finalizer {
                    self.walk_stmts(&f.body);
                }
            }
            Statement::SwitchStatement(s) => {
                self.eval(&s.discriminant);
                for case in &s.cases {
                    if let Some(t) = &case.test {
                        self.eval(t);
                    }
                    self.walk_stmts(&case.consequent);
                }
            }
            Statement::LabeledStatement(l) => self.walk_stmt(&l.body),
            Statement::WithStatement(w) => {
                self.eval(&w.object);
                self.walk_stmt(&w.body);
            }
            _ => {}
        }
    }

    fn bind_for_left(&mut self, left: &'a ForStatementLeft<'a>, taint: Option<Taint>, span: Span) {
        match left {
            ForStatementLeft::VariableDeclaration(v) => {
                for d in &v.declarations {
                    self.bind_pattern(&d.id, taint.as_ref(), span);
                }
            }
            other => {
                if let Some(t) = other.as_simple_assignment_target() {
                    self.assign_simple(t, taint, span);
                }
            }
        }
    }

    fn walk_var_decl(&mut self, v: &'a VariableDeclaration<'a>) {
        for d in &v.declarations {
            let Some(init) = &d.init else { continue };
            if v.kind == VariableDeclarationKind::Const
                && let BindingPattern::BindingIdentifier(id) = &d.id
                && let Some(sym) = id.symbol_id.get()
                && let Some(text) = literal_text(init)
            {
                self.strings.insert(sym, text);
            }
            if let Some(name) = self.resolve_module_init(init) {
                self.bind_names(&d.id, &name);
                continue;
            }
            if let (BindingPattern::BindingIdentifier(id), Expression::ObjectExpression(obj)) =
                (&d.id, init.without_parentheses())
                && let Some(sym) = id.symbol_id.get()
            {
                self.objects.insert(sym, obj);
            }
            if let (BindingPattern::BindingIdentifier(id), Some(f)) = (&d.id, fn_of(init))
                && let Some(sym) = id.symbol_id.get()
            {
                self.local_fns.insert(sym, f);
            }
            if let (BindingPattern::BindingIdentifier(id), Expression::NewExpression(n)) =
                (&d.id, strip(init))
                && let Expression::Identifier(class) = n.callee.without_parentheses()
                && let Some(class_sym) = ident_symbol(&self.ctx.scoping, class)
                && let Some(sym) = id.symbol_id.get()
            {
                self.instances.insert(sym, class_sym);
            }
            if let BindingPattern::BindingIdentifier(id) = &d.id
                && let Some(sym) = id.symbol_id.get()
            {
                if self.is_normalized_path(init) {
                    self.normalized.insert(sym);
                } else {
                    self.normalized.remove(&sym);
                }
            }
            let t = self.eval(init);
            self.bind_pattern(&d.id, t.as_ref(), init.span());
        }
    }

    /// `path.resolve(…)`, `path.join(…)`, `path.normalize(…)`, `fs.realpath(…)`: `..` segments
    /// are resolved, so a prefix check on the result is a containment check.
    fn is_normalized_path(&self, init: &Expression<'_>) -> bool {
        let Expression::CallExpression(call) = strip_await(init) else {
            return false;
        };
        self.resolve(&call.callee).is_some_and(|n| {
            matches!(
                n.dotted().as_str(),
                "path.resolve"
                    | "path.join"
                    | "path.normalize"
                    | "path.posix.resolve"
                    | "path.posix.join"
                    | "path.posix.normalize"
                    | "fs.realpath"
                    | "fs.realpathSync"
            )
        })
    }

    /// `require(…)`/`promisify(cp.exec)`/`cp.exec` initialisers: module names, not values.
    fn resolve_module_init(&self, init: &Expression<'_>) -> Option<Name> {
        let e = init.without_parentheses();
        let is_module_expr = match e {
            Expression::CallExpression(c) => matches!(
                self.resolve(&c.callee).map(|n| n.dotted()).as_deref(),
                Some("require" | "util.promisify" | "promisify")
            ),
            Expression::StaticMemberExpression(_) | Expression::Identifier(_) => true,
            _ => false,
        };
        if !is_module_expr {
            return None;
        }
        let name = self.resolve(e)?;
        // Only bind names that come from a module (not globals like `process.env`).
        let from_module = match e {
            Expression::Identifier(id) => ident_symbol(&self.ctx.scoping, id).is_some(),
            Expression::StaticMemberExpression(m) => {
                !matches!(m.object.without_parentheses(), Expression::Identifier(id) if ident_symbol(&self.ctx.scoping, id).is_none())
            }
            _ => true,
        };
        from_module.then_some(name)
    }

    fn bind_names(&mut self, pattern: &BindingPattern<'_>, name: &Name) {
        match pattern {
            BindingPattern::BindingIdentifier(id) => {
                if let Some(sym) = id.symbol_id.get() {
                    self.names.insert(sym, name.clone());
                }
            }
            BindingPattern::ObjectPattern(obj) => {
                for prop in &obj.properties {
                    let Some(key) = prop_key_name(&prop.key) else {
                        continue;
                    };
                    let mut n = name.clone();
                    n.members.push(key);
                    self.bind_names(&prop.value, &n);
                }
            }
            BindingPattern::AssignmentPattern(a) => self.bind_names(&a.left, name),
            BindingPattern::ArrayPattern(_) => {}
        }
    }

    /// Binds every name in a pattern to `taint` (a step notes the assignment), or clears them.
    fn bind_pattern(&mut self, pattern: &BindingPattern<'_>, taint: Option<&Taint>, span: Span) {
        let mut ids = Vec::new();
        pattern_ids(pattern, &mut ids);
        for (sym, name) in ids {
            match taint {
                Some(t) => {
                    let step = self.step(span, format!("assigned to `{name}`"));
                    self.env.insert(sym, t.clone().with_step(step));
                }
                None => {
                    self.env.remove(&sym);
                }
            }
        }
    }

    fn walk_if(&mut self, i: &'a oxc_ast::ast::IfStatement<'a>) {
        self.eval(&i.test);
        let guards = self.guards(&i.test);
        let before = self.env.clone();
        let sources_before = self.sources.clone();

        // Consequent.
        for guard in guards.iter().filter(|g| !g.negated) {
            self.apply_guard(guard);
        }
        self.walk_stmt(&i.consequent);
        let after_then = std::mem::replace(&mut self.env, before);
        let sources_then = std::mem::replace(&mut self.sources, sources_before);

        // Alternate (or the fall-through path).
        for guard in guards.iter().filter(|g| g.negated) {
            self.apply_guard(guard);
        }
        if let Some(alt) = &i.alternate {
            self.walk_stmt(alt);
        }
        let else_exits = i.alternate.as_ref().is_some_and(exits);
        if exits(&i.consequent) {
            if else_exits {
                // Neither path continues; keep the state as it was before the `if`.
                self.merge_env(after_then, sources_then);
            }
        } else if else_exits {
            self.env = after_then;
            self.sources = sources_then;
        } else {
            self.merge_env(after_then, sources_then);
        }
    }

    fn merge_env(&mut self, env: HashMap<SymbolId, Taint>, sources: HashMap<SymbolId, String>) {
        for (k, v) in env {
            self.env.entry(k).or_insert(v);
        }
        for (k, v) in sources {
            self.sources.entry(k).or_insert(v);
        }
    }

    /// Allowlist/validator tests on tainted variables in an `if` test: each symbol, and whether
    /// its test is negated (`!ok(x)`: the validated path is the else/fall-through path).
    /// `!ok(a) || !ok(b)` validates both on the fall-through path; `ok(a) && ok(b)` both in the
    /// consequent.
    fn guards(&self, test: &Expression<'_>) -> Vec<Guard> {
        let mut out = Vec::new();
        self.collect_guards(test, None, &mut out, 0);
        out
    }

    fn collect_guards(
        &self,
        test: &Expression<'_>,
        chain: Option<LogicalOperator>,
        out: &mut Vec<Guard>,
        depth: usize,
    ) {
        if depth > 32 {
            return;
        }
        match test.without_parentheses() {
            Expression::LogicalExpression(l)
                if matches!(l.operator, LogicalOperator::Or | LogicalOperator::And)
                    && chain.is_none_or(|c| c == l.operator) =>
            {
                self.collect_guards(&l.left, Some(l.operator), out, depth + 1);
                self.collect_guards(&l.right, Some(l.operator), out, depth + 1);
            }
            other => {
                if let Some(guard) = self.guard(other) {
                    // In `a || b` only negated checks hold on the fall-through path; in `a && b`
                    // only positive ones hold in the consequent.
                    let holds = match chain {
                        Some(LogicalOperator::Or) => guard.negated,
                        Some(LogicalOperator::And) => !guard.negated,
                        _ => true,
                    };
                    if holds {
                        out.push(guard);
                    }
                }
            }
        }
    }

    /// One allowlist/validator call (`ALLOWED.includes(x)`, `validator.isInt(x)`,
    /// `/^\w+$/.test(x)`, `!…`) on a tainted variable or a member of one.
    fn guard(&self, test: &Expression<'_>) -> Option<Guard> {
        let (negated, inner) = match test.without_parentheses() {
            Expression::UnaryExpression(u) if u.operator == UnaryOperator::LogicalNot => {
                (true, u.argument.without_parentheses())
            }
            // `ALLOWED.indexOf(x) === -1` (not found) / `!== -1`, `>= 0`, `> -1` (found).
            Expression::BinaryExpression(b) => {
                let minus_one = matches!(b.right.without_parentheses(),
                    Expression::UnaryExpression(u) if u.operator == UnaryOperator::UnaryNegation
                        && matches!(&u.argument, Expression::NumericLiteral(n) if (n.value - 1.0).abs() < f64::EPSILON));
                let zero = matches!(b.right.without_parentheses(), Expression::NumericLiteral(n) if n.value.abs() < f64::EPSILON);
                let not_found = (minus_one
                    && matches!(
                        b.operator,
                        BinaryOperator::StrictEquality | BinaryOperator::Equality
                    ))
                    || (zero && b.operator == BinaryOperator::LessThan);
                let found = (minus_one
                    && matches!(
                        b.operator,
                        BinaryOperator::StrictInequality
                            | BinaryOperator::Inequality
                            | BinaryOperator::GreaterThan
                    ))
                    || (zero && b.operator == BinaryOperator::GreaterEqualThan);
                if !not_found && !found {
                    return None;
                }
                let negated = not_found;
                (negated, b.left.without_parentheses())
            }
            other => (false, other),
        };
        let compared = matches!(test.without_parentheses(), Expression::BinaryExpression(_));
        let Expression::CallExpression(call) = inner else {
            return None;
        };
        let method = call
            .callee
            .get_member_expr()
            .and_then(oxc_ast::ast::MemberExpression::static_property_name)
            .or_else(|| match call.callee.without_parentheses() {
                Expression::Identifier(id) => Some(id.name.as_str()),
                _ => None,
            })?;
        if compared != (method == "indexOf") {
            return None;
        }
        if method == "startsWith" {
            return self.prefix_guard(call, negated);
        }
        // A regular expression validates only when it matches the whole value.
        if method == "test" && self.tests_part_of_value(call) {
            return None;
        }
        let is_check = matches!(
            method,
            "includes" | "has" | "test" | "hasOwnProperty" | "indexOf"
        ) || method.starts_with("is")
            || method.starts_with("validate")
            || method.starts_with("matches");
        if !is_check {
            return None;
        }
        for arg in &call.arguments {
            let Some(expr) = arg.as_expression().map(strip) else {
                continue;
            };
            // `x` or a member of `x` (`parsed.hostname`); never the event parameter itself
            // through a member (that would clear every other field of the event).
            let (root, is_member) = match expr {
                Expression::Identifier(id) => (id, false),
                other => {
                    let mut e = other;
                    let mut hops = 0;
                    while let Some(m) = e.as_member_expression() {
                        e = strip(m.object());
                        hops += 1;
                        if hops > 16 {
                            break;
                        }
                    }
                    match e {
                        Expression::Identifier(id) if hops > 0 => (id, true),
                        _ => continue,
                    }
                }
            };
            let Some(sym) = ident_symbol(&self.ctx.scoping, root) else {
                continue;
            };
            if is_member && self.sources.contains_key(&sym) {
                continue;
            }
            if self.env.contains_key(&sym) || self.sources.contains_key(&sym) {
                return Some(Guard {
                    sym,
                    negated,
                    kinds: sinks::ALL_KINDS,
                });
            }
        }
        None
    }

    /// `x.startsWith(…)` as a guard: a path normalised by `path.resolve`/`join`/`normalize`
    /// checked against a base directory is contained (file paths); a URL checked against a
    /// prefix that fixes the scheme and host goes there (outbound URLs).
    fn prefix_guard(&self, call: &CallExpression<'_>, negated: bool) -> Option<Guard> {
        let member = call.callee.get_member_expr()?;
        let Expression::Identifier(id) = strip(member.object()) else {
            return None;
        };
        let sym = ident_symbol(&self.ctx.scoping, id)?;
        if !self.env.contains_key(&sym) {
            return None;
        }
        let kinds = if self.normalized.contains(&sym) {
            bit(SinkKind::FilePath)
        } else if call
            .arguments
            .first()
            .and_then(Argument::as_expression)
            .and_then(|prefix| self.constant_text(prefix, 0))
            .is_some_and(|(prefix, _)| fixes_origin(&prefix))
        {
            bit(SinkKind::OutboundUrl)
        } else {
            return None;
        };
        Some(Guard {
            sym,
            negated,
            kinds,
        })
    }

    /// `RE.test(x)` where `RE` (a literal or a constant) may match only part of the value.
    fn tests_part_of_value(&self, call: &CallExpression<'_>) -> bool {
        call.callee
            .get_member_expr()
            .and_then(|m| self.regex_pattern(m.object()))
            .is_some_and(|pattern| !matches_whole_value(&pattern))
    }

    /// The pattern of a regular expression literal, or of a constant holding one.
    fn regex_pattern(&self, expr: &Expression<'_>) -> Option<String> {
        match strip(expr) {
            Expression::RegExpLiteral(re) => Some(regex_text(re)),
            Expression::Identifier(id) => ident_symbol(&self.ctx.scoping, id)
                .and_then(|sym| self.ctx.regexes.get(&sym))
                .cloned(),
            _ => None,
        }
    }

    /// A guard holds on one path: a full validation forgets the taint, a partial one clears
    /// the kinds it makes safe.
    fn apply_guard(&mut self, guard: &Guard) {
        if guard.kinds == sinks::ALL_KINDS {
            self.env.remove(&guard.sym);
            self.sources.remove(&guard.sym);
        } else if let Some(t) = self.env.get_mut(&guard.sym) {
            t.cleared |= guard.kinds;
        }
    }

    // ---------------------------------------------------------------- expressions

    fn eval(&mut self, expr: &'a Expression<'a>) -> Option<Taint> {
        if self.too_deep() {
            return None;
        }
        self.depth += 1;
        let t = self.eval_inner(expr);
        self.depth -= 1;
        t
    }

    #[expect(clippy::too_many_lines, reason = "one arm per expression kind")]
    fn eval_inner(&mut self, expr: &'a Expression<'a>) -> Option<Taint> {
        match expr {
            Expression::Identifier(id) => self.ident_taint(id),
            Expression::StaticMemberExpression(_)
            | Expression::ComputedMemberExpression(_)
            | Expression::PrivateFieldExpression(_) => self.member_taint(expr),
            Expression::TemplateLiteral(t) => {
                let mut acc = None;
                for e in &t.expressions {
                    let et = self.eval(e);
                    acc = Taint::merge(acc, et);
                }
                let built = acc.map(|t| Taint {
                    in_object: false,
                    parsed: false,
                    built: true,
                    ..t
                });
                self.pin_origin(expr, built)
            }
            Expression::TaggedTemplateExpression(t) => {
                // `sql\`…${x}\`` tags parameterise; only `String.raw` builds a plain string.
                let mut acc = None;
                for e in &t.quasi.expressions {
                    let et = self.eval(e);
                    acc = Taint::merge(acc, et);
                }
                let raw = self
                    .resolve(&t.tag)
                    .is_some_and(|n| n.dotted() == "String.raw");
                if raw { acc } else { None }
            }
            Expression::BinaryExpression(b) => {
                let l = self.eval(&b.left);
                let r = self.eval(&b.right);
                if b.operator == BinaryOperator::Addition {
                    let built = Taint::merge(l, r).map(|t| Taint {
                        in_object: false,
                        parsed: false,
                        built: true,
                        ..t
                    });
                    self.pin_origin(expr, built)
                } else {
                    None
                }
            }
            Expression::LogicalExpression(l) => {
                let a = self.eval(&l.left);
                let b = self.eval(&l.right);
                match l.operator {
                    LogicalOperator::Or | LogicalOperator::Coalesce | LogicalOperator::And => {
                        Taint::merge(a, b)
                    }
                }
            }
            Expression::ConditionalExpression(c) => {
                self.eval(&c.test);
                let a = self.eval(&c.consequent);
                let b = self.eval(&c.alternate);
                Taint::merge(a, b)
            }
            Expression::AssignmentExpression(a) => self.eval_assignment(a),
            Expression::SequenceExpression(s) => {
                let mut last = None;
                for e in &s.expressions {
                    last = self.eval(e);
                }
                last
            }
            Expression::ParenthesizedExpression(p) => self.eval(&p.expression),
            Expression::AwaitExpression(a) => self.eval(&a.argument),
            Expression::TSAsExpression(e) => self.eval(&e.expression),
            Expression::TSSatisfiesExpression(e) => self.eval(&e.expression),
            Expression::TSNonNullExpression(e) => self.eval(&e.expression),
            Expression::TSTypeAssertion(e) => self.eval(&e.expression),
            Expression::TSInstantiationExpression(e) => self.eval(&e.expression),
            Expression::ChainExpression(c) => match &c.expression {
                oxc_ast::ast::ChainElement::CallExpression(call) => self.eval_call(call),
                oxc_ast::ast::ChainElement::TSNonNullExpression(e) => self.eval(&e.expression),
                other => other.as_member_expression().and_then(|m| {
                    let obj = m.object();
                    let t = self.eval(obj);
                    t.filter(|_| m.static_property_name().is_none_or(|p| p != "length"))
                }),
            },
            Expression::UnaryExpression(u) => {
                self.eval(&u.argument);
                None
            }
            Expression::ArrayExpression(arr) => {
                let mut acc = None;
                for el in &arr.elements {
                    let t = match el {
                        ArrayExpressionElement::SpreadElement(s) => self.eval(&s.argument),
                        other => other.as_expression().and_then(|e| self.eval(e)),
                    };
                    acc = Taint::merge(acc, t);
                }
                acc
            }
            Expression::ObjectExpression(obj) => {
                let mut acc = None;
                for prop in &obj.properties {
                    let t = match prop {
                        ObjectPropertyKind::ObjectProperty(p) => {
                            if let PropertyKey::StaticIdentifier(_)
                            | PropertyKey::StringLiteral(_) = &p.key
                            {
                            } else if let Some(k) = p.key.as_expression() {
                                self.eval(k);
                            }
                            self.eval(&p.value)
                        }
                        ObjectPropertyKind::SpreadProperty(s) => self.eval(&s.argument),
                    };
                    acc = Taint::merge(acc, t);
                }
                acc.map(|t| Taint {
                    in_object: true,
                    ..t
                })
            }
            Expression::CallExpression(call) => self.eval_call(call),
            Expression::NewExpression(n) => self.eval_new(n),
            Expression::FunctionExpression(f) => {
                self.walk_nested_fn(FnRef::Func(f), &[]);
                None
            }
            Expression::ArrowFunctionExpression(a) => {
                self.walk_nested_fn(FnRef::Arrow(a), &[]);
                None
            }
            Expression::ImportExpression(i) => {
                // `import(x)`: loading a module named by the event runs its code.
                if let Some(t) = self.eval(&i.source) {
                    self.report(SinkKind::CodeEval, "import()", i.span, &t);
                }
                None
            }
            // What a generator yields is what iterating its result gives (`for await (const
            // x of gen(event.Records))`): it flows out like a return value.
            Expression::YieldExpression(y) => {
                if let Some(a) = &y.argument {
                    let t = self.eval(a);
                    self.ret = Taint::merge(self.ret.take(), t);
                }
                None
            }
            _ => None,
        }
    }

    /// Walks a nested function (a callback) for captured taint, with `params` bound.
    fn walk_nested_fn(&mut self, func: FnRef<'a>, params: &[(usize, Taint)]) {
        for (index, taint) in params {
            if let Some(param) = func.params().items.get(*index) {
                let mut ids = Vec::new();
                pattern_ids(&param.pattern, &mut ids);
                for (sym, name) in ids {
                    let step = self.step(
                        param.span,
                        format!("element passed to callback parameter `{name}`"),
                    );
                    self.env.insert(sym, taint.clone().with_step(step));
                }
            }
        }
        let saved = self.ret.take();
        let depth = self.depth;
        self.walk_function_body(func);
        self.depth = depth;
        self.ret = saved;
    }

    fn ident_taint(&mut self, id: &IdentifierReference<'_>) -> Option<Taint> {
        let sym = ident_symbol(&self.ctx.scoping, id)?;
        if let Some(name) = self.sources.get(&sym) {
            let note = format!("event data `{name}` (handler parameter)");
            let step = self.step(id.span, note);
            return Some(Taint {
                steps: vec![step],
                cleared: 0,
                in_object: false,
                parsed: false,
                built: false,
                from_document: false,
            });
        }
        self.env.get(&sym).cloned()
    }

    /// A member read: `.length` is a number; a read rooted at the event starts a path there.
    fn member_taint(&mut self, expr: &'a Expression<'a>) -> Option<Taint> {
        let member = expr.as_member_expression()?;
        if let oxc_ast::ast::MemberExpression::ComputedMemberExpression(c) = member {
            self.eval(&c.expression);
        }
        if member.static_property_name() == Some("length") {
            self.eval(member.object());
            return None;
        }
        // Rooted at an event source: quote the whole read.
        let mut root = strip(member.object());
        let mut hops = 0;
        while let Some(m) = root.as_member_expression() {
            root = strip(m.object());
            hops += 1;
            if hops > 64 {
                break;
            }
        }
        if let Expression::Identifier(id) = root
            && let Some(sym) = ident_symbol(&self.ctx.scoping, id)
            && self.sources.contains_key(&sym)
        {
            let note = format!("event data `{}`", self.quote(member.span()));
            let step = self.step(member.span(), note);
            return Some(Taint {
                steps: vec![step],
                cleared: 0,
                in_object: false,
                parsed: false,
                built: false,
                from_document: false,
            });
        }
        // A field of an object literal held in a variable and never written since: that
        // field's own value (`const input = { cmd: 'ls', user: event.user }; input.cmd`).
        if let (Some(prop), Expression::Identifier(id)) =
            (member.static_property_name(), strip(member.object()))
            && let Some(sym) = ident_symbol(&self.ctx.scoping, id)
            && !self.mutated.contains(&sym)
            && let Some(obj) = self.objects.get(&sym).copied()
            && obj
                .properties
                .iter()
                .all(|p| matches!(p, ObjectPropertyKind::ObjectProperty(_)))
        {
            let value = obj.properties.iter().find_map(|p| match p {
                ObjectPropertyKind::ObjectProperty(p)
                    if prop_key_name(&p.key).as_deref() == Some(prop) =>
                {
                    Some(&p.value)
                }
                _ => None,
            });
            return value.and_then(|v| self.peek(v)).map(|t| Taint {
                in_object: false,
                ..t
            });
        }
        let t = self.eval(member.object())?;
        Some(Taint {
            in_object: false,
            ..t
        })
    }

    fn eval_assignment(&mut self, a: &'a oxc_ast::ast::AssignmentExpression<'a>) -> Option<Taint> {
        let rhs = self.eval(&a.right);
        let span = a.right.span();
        let value = if a.operator == AssignmentOperator::Assign {
            rhs
        } else if a.operator == AssignmentOperator::Addition {
            let current = a.left.as_simple_assignment_target().and_then(|t| match t {
                SimpleAssignmentTarget::AssignmentTargetIdentifier(id) => self.ident_taint(id),
                _ => None,
            });
            Taint::merge(current, rhs).map(|t| Taint { built: true, ..t })
        } else {
            None
        };
        if let Some(t) = a.left.as_simple_assignment_target() {
            self.assign_simple(t, value.clone(), span);
        }
        value
    }

    fn assign_simple(
        &mut self,
        target: &'a SimpleAssignmentTarget<'a>,
        taint: Option<Taint>,
        span: Span,
    ) {
        match target {
            SimpleAssignmentTarget::AssignmentTargetIdentifier(id) => {
                let Some(sym) = ident_symbol(&self.ctx.scoping, id) else {
                    return;
                };
                // Reassigned: no longer the literal it was declared with.
                self.objects.remove(&sym);
                self.normalized.remove(&sym);
                match taint {
                    Some(t) => {
                        let step = self.step(span, format!("assigned to `{}`", id.name.as_str()));
                        self.env.insert(sym, t.with_step(step));
                    }
                    None => {
                        self.env.remove(&sym);
                    }
                }
            }
            other => {
                // `obj.prop = tainted`: the object now holds event data (weak update).
                let Some(member) = other.as_member_expression() else {
                    return;
                };
                let mut root = member.object();
                while let Some(m) = root.without_parentheses().as_member_expression() {
                    root = m.object();
                }
                if let Expression::Identifier(id) = root.without_parentheses()
                    && let Some(sym) = ident_symbol(&self.ctx.scoping, id)
                {
                    self.mutated.insert(sym);
                    let Some(t) = taint else { return };
                    let step =
                        self.step(span, format!("stored in `{}`", self.quote(member.span())));
                    let t = t.with_step(step);
                    let merged = Taint::merge(self.env.remove(&sym), Some(t));
                    if let Some(m) = merged {
                        self.env.insert(sym, m);
                    }
                }
            }
        }
    }

    fn eval_args(&mut self, args: &'a [Argument<'a>]) -> Vec<Option<Taint>> {
        args.iter()
            .map(|arg| match arg {
                Argument::SpreadElement(s) => self.eval(&s.argument),
                other => match other.as_expression() {
                    // Functions are walked later, once their parameters are known.
                    Some(e) if fn_of(e).is_none() => self.eval(e),
                    _ => None,
                },
            })
            .collect()
    }

    fn eval_new(&mut self, n: &'a oxc_ast::ast::NewExpression<'a>) -> Option<Taint> {
        let taints = self.eval_args(&n.arguments);
        self.walk_callbacks(&n.arguments, None, None);
        let name = self.resolve(&n.callee).map(|n| n.dotted());
        let callee_text = self.quote(n.callee.span());
        if let Some(rule) = sinks::sink_rule(name.as_deref(), None, false, true) {
            let sink = format!("new {}", name.as_deref().unwrap_or(&callee_text));
            self.check_rule(rule, &sink, n.span, &n.arguments, &taints);
        }
        let name = name?;
        if let Some(note) = sinks::propagator(&name) {
            let t = taints.into_iter().flatten().next()?;
            let step = self.step(n.span, note.to_string());
            return Some(t.with_step(step));
        }
        None
    }

    /// Walks function arguments of a call; iteration callbacks on a tainted receiver get the
    /// element taint on their element parameter.
    fn walk_callbacks(
        &mut self,
        args: &'a [Argument<'a>],
        method: Option<&str>,
        receiver: Option<&Taint>,
    ) {
        let element = match (method.and_then(sinks::callback_element_param), receiver) {
            (Some(i), Some(t)) => Some((i, t)),
            _ => None,
        };
        for arg in args {
            let Some(expr) = arg.as_expression() else {
                continue;
            };
            if let Some(f) = fn_of(expr) {
                let params: Vec<(usize, Taint)> = element
                    .map(|(i, t)| vec![(i, t.clone())])
                    .unwrap_or_default();
                self.walk_nested_fn(f, &params);
            } else if let (Some((i, t)), Expression::Identifier(id)) =
                (element, expr.without_parentheses())
                && let Some(f) = ident_symbol(&self.ctx.scoping, id)
                    .and_then(|s| self.ctx.functions.get(&s))
                    .copied()
            {
                // `event.Records.map(processRecord)`: a named function of the file.
                let mut taints = vec![None; i + 1];
                taints[i] = Some(t.clone());
                self.call_function(f, &taints, id.name.as_str());
            }
        }
    }

    fn eval_call(&mut self, call: &'a CallExpression<'a>) -> Option<Taint> {
        let member = call.callee.without_parentheses().as_member_expression();
        let method = member.and_then(oxc_ast::ast::MemberExpression::static_property_name);
        let receiver = member.and_then(|m| self.eval(m.object()));
        let taints = self.eval_args(&call.arguments);
        self.walk_callbacks(&call.arguments, method, receiver.as_ref());
        let name = self.resolve(&call.callee);
        let dotted = name.as_ref().map(Name::dotted);
        let callee_text = self.quote(call.callee.span());

        // Sinks.
        if let Some(rule) = sinks::sink_rule(dotted.as_deref(), method, receiver.is_some(), false) {
            let sink = dotted
                .clone()
                .filter(|_| !matches!(rule, SinkRule::QueryText | SinkRule::MongoFilter))
                .unwrap_or(callee_text.clone());
            self.check_rule(rule, &sink, call.span, &call.arguments, &taints);
        }
        let any_arg = taints.iter().flatten().next().cloned();

        // Sanitizers.
        if let Some(d) = &dotted {
            if let Some(kinds) = sinks::sanitizer(d, method) {
                let t = any_arg.or(receiver)?;
                if kinds == sinks::ALL_KINDS {
                    return None;
                }
                let step = self.step(call.span, format!("passed through `{callee_text}`"));
                let mut t = t.with_step(step);
                t.cleared |= kinds;
                return Some(t);
            }
        } else if let Some(kinds) = method.and_then(|m| sinks::sanitizer("", Some(m))) {
            let mut t = any_arg.or(receiver)?;
            t.cleared |= kinds;
            return Some(t);
        }

        // Methods of classes of the file: `svc.handle(x)` on an instance, `Svc.run(x)` static,
        // `this.run(x)` inside a method.
        let outer_class = self.current_class;
        if let (Some(member), Some(m), true) = (member, method, any_arg.is_some())
            && let Some(f) = self.class_method(member.object(), m)
        {
            let ret = self.call_function(f, &taints, m);
            self.current_class = outer_class;
            return ret;
        }

        // Functions of this file and of local modules. Nested functions are followed even
        // without tainted arguments: they may return event data they close over.
        if let Expression::Identifier(id) = call.callee.without_parentheses()
            && let Some(sym) = ident_symbol(&self.ctx.scoping, id)
        {
            if let Some(f) = self.ctx.functions.get(&sym).copied() {
                if any_arg.is_some() {
                    return self.call_function(f, &taints, id.name.as_str());
                }
                return None;
            }
            if let Some(f) = self.local_fns.get(&sym).copied() {
                return self.call_function(f, &taints, id.name.as_str());
            }
        }
        if let Some(n) = &name {
            if n.is_local_module() {
                return self.call_import(Some(n), &taints, call.span);
            }
            let dotted = n.dotted();
            if let Some(note) = sinks::propagator(&dotted) {
                let mut t = any_arg?;
                t.parsed = match dotted.as_str() {
                    "JSON.parse" | "qs.parse" | "querystring.parse" => true,
                    "String" | "util.format" | "format" | "JSON.stringify" => false,
                    _ => t.parsed,
                };
                t.built |= matches!(dotted.as_str(), "util.format" | "format");
                t.from_document |= t.parsed;
                let step = self.step(call.span, note.to_string());
                return Some(t.with_step(step));
            }
        }

        if let Some(t) = self.call_import(name.as_ref(), &taints, call.span) {
            return Some(t);
        }

        // Methods.
        if let Some(m) = method {
            if sinks::method_kills_taint(m) {
                return None;
            }
            if sinks::method_stores_arg(m) {
                if let Some(member) = member {
                    self.store_into_receiver(member, any_arg, call.span);
                }
                return None;
            }
            if let Some(r) = receiver {
                let parsed = r.parsed && !sinks::method_returns_string(m);
                let built = r.built || sinks::method_takes_arg_taint(m);
                return Some(Taint {
                    in_object: false,
                    parsed,
                    built,
                    ..r
                });
            }
            if sinks::method_takes_arg_taint(m) {
                return any_arg.map(|t| Taint { built: true, ..t });
            }
        }
        None
    }

    /// The method `name` of the class an expression is (static call), is an instance of, or
    /// `this` inside a method being followed.
    fn class_method(&mut self, object: &Expression<'a>, name: &str) -> Option<FnRef<'a>> {
        let class = match strip(object) {
            Expression::ThisExpression(_) => self.current_class?,
            Expression::Identifier(id) => {
                let sym = ident_symbol(&self.ctx.scoping, id)?;
                let class_sym = self
                    .instances
                    .get(&sym)
                    .or_else(|| self.ctx.instances.get(&sym))
                    .copied()
                    .unwrap_or(sym);
                *self.ctx.classes.get(&class_sym)?
            }
            _ => return None,
        };
        class.body.body.iter().find_map(|el| match el {
            ClassElement::MethodDefinition(md)
                if prop_key_name(&md.key).as_deref() == Some(name) =>
            {
                self.current_class = Some(class);
                Some(FnRef::Func(&md.value))
            }
            _ => None,
        })
    }

    /// `parts.push(x)`: the receiver variable now holds `x` (and is no longer its literal).
    fn store_into_receiver(
        &mut self,
        member: &'a oxc_ast::ast::MemberExpression<'a>,
        taint: Option<Taint>,
        span: Span,
    ) {
        let Expression::Identifier(id) = member.object().without_parentheses() else {
            return;
        };
        let Some(sym) = ident_symbol(&self.ctx.scoping, id) else {
            return;
        };
        self.mutated.insert(sym);
        if let Some(t) = taint {
            let step = self.step(span, format!("added to `{}`", id.name.as_str()));
            let merged = Taint::merge(self.env.remove(&sym), Some(t.with_step(step)));
            if let Some(m) = merged {
                self.env.insert(sym, m);
            }
        }
    }

    /// A call with tainted arguments into a local module (`./helper`), or — with
    /// `--sast-deps` — into an installed package (`node_modules`), followed. Sinks, sanitizers
    /// and propagators keep their meaning: they are checked before this.
    fn call_import(
        &mut self,
        name: Option<&Name>,
        taints: &[Option<Taint>],
        call_span: Span,
    ) -> Option<Taint> {
        let n = name?;
        let followed =
            n.is_local_module() || (self.engine.limits.dependencies && !n.root.starts_with('/'));
        if !followed || !taints.iter().any(Option::is_some) {
            return None;
        }
        self.call_module(n, taints, call_span)
    }

    /// Follows a call into an exported function of a local module (one level by default).
    fn call_module(
        &mut self,
        name: &Name,
        taints: &[Option<Taint>],
        call_span: Span,
    ) -> Option<Taint> {
        if self.ctx.import_depth >= self.engine.limits.max_import_depth
            || self.call_stack.len() >= MAX_CALL_DEPTH
            || self.engine.walks_left == 0
        {
            return None;
        }
        let export = name.members.first().map_or("default", String::as_str);
        let path = if name.is_local_module() {
            resolve_module_path(self.engine.read, &self.ctx.path, &name.root)?
        } else {
            resolve_package_path(self.engine.read, &self.ctx.path, &name.root)?
        };
        let text = load(self.engine, &path)?;
        let callee = format!("{}.{export}", name.root);
        let step = self.step(call_span, format!("passed to `{callee}` in {path}"));
        let taints: Vec<Option<Taint>> = taints
            .iter()
            .map(|t| t.clone().map(|t| t.with_step(step.clone())))
            .collect();
        let depth = self.ctx.import_depth + 1;
        with_file(self.engine, &path, &text, depth, |engine, ctx, program| {
            let func = find_export(ctx, program, export).or_else(|| {
                (export != "default")
                    .then(|| find_export(ctx, program, "default"))
                    .flatten()
            })?;
            let mut walker = Walker::new(ctx, engine);
            walker.current_class = class_of(ctx, func);
            walker.call_stack.push(u32::MAX);
            walker.call_function(func, &taints, &callee)
        })
        .map(|t| {
            let step = self.step(call_span, format!("returned from `{callee}`"));
            t.with_step(step)
        })
    }

    /// Reports a finding when a rule's relevant argument is tainted.
    #[expect(clippy::too_many_lines, reason = "one arm per sink rule")]
    fn check_rule(
        &mut self,
        rule: SinkRule,
        sink: &str,
        span: Span,
        args: &'a [Argument<'a>],
        taints: &[Option<Taint>],
    ) {
        let arg = |i: usize| args.get(i).and_then(Argument::as_expression);
        let taint = |i: usize| taints.get(i).cloned().flatten();
        match rule {
            SinkRule::Arg0(kind) => {
                if let Some(t) = taint(0) {
                    self.report(kind, sink, span, &t);
                }
            }
            SinkRule::AnyArg(kind) => {
                if let Some(t) = taints.iter().flatten().next().cloned() {
                    self.report(kind, sink, span, &t);
                }
            }
            SinkRule::SpawnLike => {
                if let Some(t) = taint(0) {
                    self.report(SinkKind::Command, sink, span, &t);
                } else if args
                    .iter()
                    .any(|a| a.as_expression().is_some_and(|e| self.shell_option(e)))
                    && let Some(t) = taints.iter().flatten().next().cloned()
                {
                    self.report(SinkKind::Command, &format!("{sink}(shell: true)"), span, &t);
                } else if arg(0).is_some_and(|p| self.is_shell_program(p))
                    && arg(1).is_some_and(has_command_flag)
                    && let Some(t) = taint(1)
                {
                    // `spawn('/bin/sh', ['-c', line])`: a shell without `shell: true`.
                    self.report(SinkKind::Command, &format!("{sink}(sh -c)"), span, &t);
                }
            }
            SinkRule::Eval => {
                let Some(t) = taint(0) else { return };
                // `eval('(' + text + ')')` parses a serialized document; a field of an already
                // parsed document evaluated that way is code (a formula, an expression).
                if arg(0).is_some_and(starts_with_paren_literal) && !t.from_document {
                    self.report(SinkKind::Deserialization, "eval('(' + … + ')')", span, &t);
                } else {
                    self.report(SinkKind::CodeEval, sink, span, &t);
                }
            }
            SinkRule::YamlLoad => {
                let Some(t) = taint(0) else { return };
                if arg(1).is_some_and(|e| self.safe_yaml_schema(e)) {
                    return;
                }
                let version = self.js_yaml_version();
                match version.as_deref().and_then(major_version) {
                    Some(major) if major >= 4 => {}
                    Some(_) => {
                        let note = format!(
                            " (js-yaml {} is before 4: `load` builds functions from !!js/function tags)",
                            version.as_deref().unwrap_or_default()
                        );
                        self.report_with_note(SinkKind::Deserialization, sink, span, &t, &note);
                    }
                    None => self.report_with_note(
                        SinkKind::Deserialization,
                        sink,
                        span,
                        &t,
                        " (js-yaml before 4 builds functions from !!js/function tags; the installed version is not known)",
                    ),
                }
            }
            SinkRule::QueryText => {
                let t = match arg(0).map(Expression::without_parentheses) {
                    Some(Expression::ObjectExpression(obj)) => {
                        let mut found = None;
                        for prop in &obj.properties {
                            let ObjectPropertyKind::ObjectProperty(p) = prop else {
                                continue;
                            };
                            if matches!(
                                prop_key_name(&p.key).as_deref(),
                                Some("sql" | "text" | "query")
                            ) {
                                found = found.or_else(|| self.peek(&p.value));
                            }
                        }
                        found
                    }
                    _ => taint(0).filter(|t| !t.in_object),
                };
                if let Some(t) = t.filter(|t| t.built) {
                    self.report(SinkKind::Query, sink, span, &t);
                }
            }
            SinkRule::MongoFilter => match arg(0).map(Expression::without_parentheses) {
                Some(Expression::ObjectExpression(obj)) => {
                    for prop in &obj.properties {
                        let ObjectPropertyKind::ObjectProperty(p) = prop else {
                            continue;
                        };
                        if prop_key_name(&p.key).as_deref() == Some("$where")
                            && let Some(t) = self.peek(&p.value)
                        {
                            self.report(SinkKind::Query, &format!("{sink}($where)"), span, &t);
                        } else if let Some(t) = self.peek(&p.value).filter(|t| t.parsed) {
                            self.report(SinkKind::Query, &format!("{sink} (raw filter)"), span, &t);
                        }
                    }
                }
                Some(
                    Expression::FunctionExpression(_) | Expression::ArrowFunctionExpression(_),
                )
                | None => {}
                Some(_) => {
                    if let Some(t) = taint(0).filter(|t| !t.in_object) {
                        self.report(SinkKind::Query, &format!("{sink} (raw filter)"), span, &t);
                    }
                }
            },
            SinkRule::PartiQl => {
                let statement = arg(0).and_then(|e| self.object_prop(e, "Statement"));
                if let Some(t) = statement
                    .and_then(|v| self.peek(v))
                    .filter(|t| !t.in_object && t.built)
                {
                    let name = sink.rsplit(['.', ' ']).next().unwrap_or(sink);
                    self.report(SinkKind::Query, &format!("{name}(Statement)"), span, &t);
                }
            }
            SinkRule::FsPath { two } => {
                let t = taint(0).or_else(|| if two { taint(1) } else { None });
                if let Some(t) = t {
                    self.report(SinkKind::FilePath, sink, span, &t);
                }
            }
            SinkRule::Url => {
                let t = match arg(0).map(Expression::without_parentheses) {
                    Some(Expression::ObjectExpression(obj)) => {
                        let mut found = None;
                        for prop in &obj.properties {
                            let ObjectPropertyKind::ObjectProperty(p) = prop else {
                                continue;
                            };
                            if matches!(
                                prop_key_name(&p.key).as_deref(),
                                Some("url" | "uri" | "host" | "hostname" | "baseURL")
                            ) {
                                found = found.or_else(|| self.peek(&p.value));
                            }
                        }
                        found
                    }
                    _ => taint(0),
                };
                if let Some(t) = t {
                    self.report(SinkKind::OutboundUrl, sink, span, &t);
                }
            }
            SinkRule::XmlParse => {
                let Some(t) = taint(0) else { return };
                if args
                    .iter()
                    .skip(1)
                    .any(|a| a.as_expression().is_some_and(|e| self.noent_option(e)))
                {
                    self.report(
                        SinkKind::XmlEntities,
                        &format!("{sink}(noent: true)"),
                        span,
                        &t,
                    );
                }
            }
        }
    }

    /// The taint of an expression already walked (re-evaluated without reporting twice: sinks
    /// are de-duplicated by position).
    fn peek(&mut self, expr: &'a Expression<'a>) -> Option<Taint> {
        self.eval(expr)
    }

    /// The js-yaml version (installed, or the range declared in the nearest `package.json`)
    /// for the current file, walking up from its directory.
    fn js_yaml_version(&mut self) -> Option<String> {
        let mut dir = self
            .ctx
            .path
            .rsplit_once('/')
            .map_or("", |(d, _)| d)
            .to_string();
        if let Some(v) = self.engine.yaml_versions.get(&dir) {
            return v.clone();
        }
        let start = dir.clone();
        let mut found = None;
        for _ in 0..8 {
            let prefix = if dir.is_empty() {
                String::new()
            } else {
                format!("{dir}/")
            };
            let installed =
                (self.engine.read)(&format!("{prefix}node_modules/js-yaml/package.json"));
            if let Some(v) = installed
                .as_deref()
                .and_then(|t| json_string_after(t, "version"))
            {
                found = Some(v.to_string());
                break;
            }
            if let Some(manifest) = (self.engine.read)(&format!("{prefix}package.json")) {
                found = json_string_after(&manifest, "js-yaml").map(str::to_string);
                break;
            }
            if dir.is_empty() {
                break;
            }
            dir = dir
                .rsplit_once('/')
                .map_or(String::new(), |(d, _)| d.to_string());
        }
        self.engine.yaml_versions.insert(start, found.clone());
        found
    }

    /// The object literal an options argument is (inline, or a constant holding one).
    fn object_of(&self, expr: &'a Expression<'a>) -> Option<&'a ObjectExpression<'a>> {
        match expr.without_parentheses() {
            Expression::ObjectExpression(obj) => Some(obj),
            Expression::Identifier(id) => ident_symbol(&self.ctx.scoping, id)
                .and_then(|s| self.objects.get(&s))
                .copied(),
            _ => None,
        }
    }

    fn object_prop(&self, expr: &'a Expression<'a>, key: &str) -> Option<&'a Expression<'a>> {
        self.object_of(expr)?
            .properties
            .iter()
            .find_map(|p| match p {
                ObjectPropertyKind::ObjectProperty(p)
                    if prop_key_name(&p.key).as_deref() == Some(key) =>
                {
                    Some(&p.value)
                }
                _ => None,
            })
    }

    /// `{ shell: true }` (any value but a literal `false`).
    fn shell_option(&self, expr: &'a Expression<'a>) -> bool {
        self.object_prop(expr, "shell")
            .is_some_and(|v| !matches!(v, Expression::BooleanLiteral(b) if !b.value))
    }

    /// The constant text a string expression starts with, and whether that is all of it:
    /// literals, string constants, template literals and `+` chains.
    fn constant_text(&self, expr: &Expression<'_>, depth: usize) -> Option<(String, bool)> {
        if depth > 16 {
            return None;
        }
        match strip(expr) {
            Expression::StringLiteral(s) => Some((s.value.as_str().to_string(), true)),
            Expression::Identifier(id) => ident_symbol(&self.ctx.scoping, id)
                .and_then(|sym| self.strings.get(&sym))
                .map(|text| (text.clone(), true)),
            Expression::TemplateLiteral(t) => {
                let mut text = String::new();
                for (i, quasi) in t.quasis.iter().enumerate() {
                    text.push_str(quasi.value.cooked.as_ref().unwrap_or(&quasi.value.raw));
                    let Some(e) = t.expressions.get(i) else {
                        break;
                    };
                    match self.constant_text(e, depth + 1) {
                        Some((part, true)) => text.push_str(&part),
                        _ => return Some((text, false)),
                    }
                }
                Some((text, true))
            }
            Expression::BinaryExpression(b) if b.operator == BinaryOperator::Addition => {
                let (left, complete) = self.constant_text(&b.left, depth + 1)?;
                if !complete {
                    return Some((left, false));
                }
                match self.constant_text(&b.right, depth + 1) {
                    Some((right, complete)) => Some((left + &right, complete)),
                    None => Some((left, false)),
                }
            }
            _ => None,
        }
    }

    /// A URL built on a constant origin (`` `${API}/items/${id}` ``, `BASE + '?' + params`):
    /// event data after the scheme, the host and the `/`, `?` or `#` that ends them cannot
    /// choose where the request goes, so the value is safe for outbound URLs.
    fn pin_origin(&self, expr: &Expression<'_>, taint: Option<Taint>) -> Option<Taint> {
        let mut t = taint?;
        if self
            .constant_text(expr, 0)
            .is_some_and(|(prefix, _)| fixes_origin(&prefix))
        {
            t.cleared |= bit(SinkKind::OutboundUrl);
        }
        Some(t)
    }

    /// A shell program (`'/bin/sh'`, `'bash'`, or a constant holding one).
    fn is_shell_program(&self, expr: &Expression<'_>) -> bool {
        self.constant_text(expr, 0)
            .is_some_and(|(program, complete)| {
                complete && SHELLS.contains(&program.rsplit('/').next().unwrap_or(&program))
            })
    }

    /// `{ noent: true }`.
    fn noent_option(&self, expr: &'a Expression<'a>) -> bool {
        self.object_prop(expr, "noent")
            .is_some_and(|v| matches!(v, Expression::BooleanLiteral(b) if b.value))
    }

    /// js-yaml options with a schema that cannot build functions.
    fn safe_yaml_schema(&self, expr: &'a Expression<'a>) -> bool {
        self.object_prop(expr, "schema").is_some_and(|v| {
            let text = match v.without_parentheses() {
                Expression::Identifier(id) => id.name.as_str(),
                Expression::StaticMemberExpression(m) => m.property.name.as_str(),
                _ => return false,
            };
            matches!(
                text,
                "JSON_SCHEMA"
                    | "FAILSAFE_SCHEMA"
                    | "CORE_SCHEMA"
                    | "DEFAULT_SAFE_SCHEMA"
                    | "SAFE_SCHEMA"
            )
        })
    }

    fn report(&mut self, kind: SinkKind, sink: &str, span: Span, taint: &Taint) {
        self.report_with_note(kind, sink, span, taint, "");
    }

    fn report_with_note(
        &mut self,
        kind: SinkKind,
        sink: &str,
        span: Span,
        taint: &Taint,
        note: &str,
    ) {
        if taint.cleared & bit(kind) != 0 {
            return;
        }
        if !self
            .engine
            .seen
            .insert((self.ctx.path.clone(), span.start, kind))
        {
            return;
        }
        let mut path = taint.steps.clone();
        path.push(self.step(span, format!("reaches `{sink}`{note}")));
        self.engine.findings.push(TaintFinding {
            kind,
            sink: sink.to_string(),
            path,
        });
    }
}

/// Programs that run their `-c` argument as a shell command line.
const SHELLS: &[&str] = &["sh", "bash", "dash", "zsh", "ksh", "ash", "busybox"];

/// An array literal holding `'-c'` (or short options that include it, `'-lc'`).
fn has_command_flag(expr: &Expression<'_>) -> bool {
    let Expression::ArrayExpression(arr) = expr.without_parentheses() else {
        return false;
    };
    arr.elements.iter().any(|el| {
        matches!(el.as_expression(), Some(Expression::StringLiteral(s)) if s.value.strip_prefix('-').is_some_and(|flags| {
            !flags.is_empty() && flags.chars().all(|c| c.is_ascii_alphabetic()) && flags.contains('c')
        }))
    })
}

/// `scheme://host` followed by `/`, `?` or `#` (see [`crate::fixes_origin`]), with this
/// language's placeholder characters.
fn fixes_origin(prefix: &str) -> bool {
    crate::fixes_origin(prefix, &['$', '{', '\\'])
}

/// [`strip`], then the operand of `await`.
fn strip_await<'x>(expr: &'x Expression<'x>) -> &'x Expression<'x> {
    match strip(expr) {
        Expression::AwaitExpression(a) => strip(&a.argument),
        other => other,
    }
}

/// The expression without parentheses and TypeScript-only wrappers (`x!`, `x as T`).
fn strip<'x>(expr: &'x Expression<'x>) -> &'x Expression<'x> {
    let mut e = expr;
    for _ in 0..64 {
        e = match e {
            Expression::ParenthesizedExpression(p) => &p.expression,
            Expression::TSNonNullExpression(t) => &t.expression,
            Expression::TSAsExpression(t) => &t.expression,
            Expression::TSSatisfiesExpression(t) => &t.expression,
            Expression::TSTypeAssertion(t) => &t.expression,
            _ => return e,
        };
    }
    e
}

/// Names bound by a pattern, with their symbols.
fn pattern_ids(pattern: &BindingPattern<'_>, out: &mut Vec<(SymbolId, String)>) {
    if out.len() > 256 {
        return;
    }
    match pattern {
        BindingPattern::BindingIdentifier(id) => {
            if let Some(sym) = id.symbol_id.get() {
                out.push((sym, id.name.as_str().to_string()));
            }
        }
        BindingPattern::ObjectPattern(obj) => {
            for p in &obj.properties {
                pattern_ids(&p.value, out);
            }
            if let Some(rest) = &obj.rest {
                pattern_ids(&rest.argument, out);
            }
        }
        BindingPattern::ArrayPattern(arr) => {
            for el in arr.elements.iter().flatten() {
                pattern_ids(el, out);
            }
            if let Some(rest) = &arr.rest {
                pattern_ids(&rest.argument, out);
            }
        }
        BindingPattern::AssignmentPattern(a) => pattern_ids(&a.left, out),
    }
}

/// The string value following `"key":` in JSON text (first occurrence).
fn json_string_after<'t>(text: &'t str, key: &str) -> Option<&'t str> {
    let needle = format!("\"{key}\"");
    let mut rest = text;
    while let Some(i) = rest.find(&needle) {
        rest = &rest[i + needle.len()..];
        let after = rest.trim_start();
        let Some(after) = after.strip_prefix(':') else {
            continue;
        };
        let after = after.trim_start();
        let Some(value) = after.strip_prefix('"') else {
            continue;
        };
        return value.split('"').next();
    }
    None
}

/// The major version of a version or range (`^3.14.0`, `~4.1`, `>=4`, `3.x`); `None` for
/// tags, URLs and aliases.
fn major_version(spec: &str) -> Option<u32> {
    let s = spec.trim_start_matches(['^', '~', '>', '=', 'v', ' ']);
    let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
    if digits.is_empty() {
        return None;
    }
    digits.parse().ok()
}

/// `'(' + x + ')'`: the leftmost operand is a string literal starting with `(`.
fn starts_with_paren_literal(expr: &Expression<'_>) -> bool {
    let mut e = expr.without_parentheses();
    for _ in 0..64 {
        match e {
            Expression::BinaryExpression(b) if b.operator == BinaryOperator::Addition => {
                e = b.left.without_parentheses();
            }
            Expression::StringLiteral(s) => return s.value.as_str().trim_start().starts_with('('),
            Expression::TemplateLiteral(t) => {
                return t
                    .quasis
                    .first()
                    .is_some_and(|q| q.value.raw.as_str().trim_start().starts_with('('));
            }
            _ => return false,
        }
    }
    false
}

/// `./helper` relative to the importing file: `.js`, `.ts`, `.mjs`, `.cjs`, `/index.js`, `/index.ts`.
fn resolve_module_path(
    read: &dyn Fn(&str) -> Option<String>,
    from: &str,
    spec: &str,
) -> Option<String> {
    let dir = from.rsplit_once('/').map_or("", |(d, _)| d);
    let mut parts: Vec<&str> = if dir.is_empty() {
        Vec::new()
    } else {
        dir.split('/').collect()
    };
    for seg in spec.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    let base = parts.join("/");
    let stem = base.strip_suffix(".js").unwrap_or(&base);
    let candidates = [
        base.clone(),
        format!("{base}.js"),
        format!("{base}.ts"),
        format!("{base}.mjs"),
        format!("{base}.cjs"),
        format!("{stem}.ts"),
        format!("{base}/index.js"),
        format!("{base}/index.ts"),
    ];
    candidates.into_iter().find(|c| {
        let ext = c.rsplit('.').next().unwrap_or("");
        matches!(ext, "js" | "ts" | "mjs" | "cjs" | "jsx" | "tsx") && read(c).is_some()
    })
}

/// An installed package as Node finds it from `from`: `node_modules/<spec>` in the importing
/// file's directory or one of its parents (within the code root), at the package's `main` (from
/// its `package.json`), `index.js`, or the sub-path the specifier names (`pkg/lib/run`).
fn resolve_package_path(
    read: &dyn Fn(&str) -> Option<String>,
    from: &str,
    spec: &str,
) -> Option<String> {
    let spec = spec.strip_prefix("node:").unwrap_or(spec);
    let mut parts = spec.splitn(3, '/');
    let first = parts.next().filter(|p| !p.is_empty())?;
    let (package, sub) = if first.starts_with('@') {
        let name = parts.next()?;
        (format!("{first}/{name}"), parts.next().unwrap_or(""))
    } else {
        let rest: Vec<&str> = parts.collect();
        (
            first.to_string(),
            if rest.is_empty() {
                ""
            } else {
                &spec[first.len() + 1..]
            },
        )
    };
    if package.split('/').any(|p| p == ".." || p == ".") {
        return None;
    }
    let mut dir = from.rsplit_once('/').map_or("", |(d, _)| d).to_string();
    loop {
        let base = if dir.is_empty() {
            format!("node_modules/{package}")
        } else {
            format!("{dir}/node_modules/{package}")
        };
        // `resolve_module_path` resolves `./x` relative to a file's directory.
        let inside = format!("{base}/package.json");
        let found = if sub.is_empty() {
            let main = read(&inside).and_then(|text| {
                let json: serde_json::Value = serde_json::from_str(&text).ok()?;
                json.get("main")?.as_str().map(str::to_owned)
            });
            main.and_then(|m| resolve_module_path(read, &inside, &format!("./{m}")))
                .or_else(|| resolve_module_path(read, &inside, "./index.js"))
        } else {
            resolve_module_path(read, &inside, &format!("./{sub}"))
        };
        if found.is_some() {
            return found;
        }
        if dir.is_empty() {
            return None;
        }
        dir = dir
            .rsplit_once('/')
            .map_or(String::new(), |(d, _)| d.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::{fixes_origin, matches_whole_value, resolve_package_path};

    /// Packages resolve as Node finds them: `main` from package.json, `index.js` without one,
    /// scoped names, sub-paths, and `node_modules` of a parent directory; names that are not
    /// installed (built-ins, globals) and `..` in a name resolve to nothing.
    #[test]
    fn package_paths() {
        let files = [
            ("node_modules/plain/index.js", ""),
            (
                "node_modules/withmain/package.json",
                "{\"main\": \"dist/main\"}",
            ),
            ("node_modules/withmain/dist/main.js", ""),
            ("node_modules/@scope/tool/index.js", ""),
            ("node_modules/@scope/tool/lib/run.js", ""),
            ("src/node_modules/near/index.js", ""),
        ];
        let read = |path: &str| {
            files
                .iter()
                .find(|(p, _)| *p == path)
                .map(|(_, text)| (*text).to_string())
        };
        let cases: [(&str, &str, Option<&str>); 8] = [
            ("src/a.js", "plain", Some("node_modules/plain/index.js")),
            (
                "a.js",
                "withmain",
                Some("node_modules/withmain/dist/main.js"),
            ),
            (
                "a.js",
                "@scope/tool",
                Some("node_modules/@scope/tool/index.js"),
            ),
            (
                "a.js",
                "@scope/tool/lib/run",
                Some("node_modules/@scope/tool/lib/run.js"),
            ),
            ("src/x/a.js", "near", Some("src/node_modules/near/index.js")),
            ("a.js", "near", None),
            ("a.js", "fs", None),
            ("a.js", "../plain", None),
        ];
        for (from, spec, want) in cases {
            assert_eq!(
                resolve_package_path(&read, from, spec).as_deref(),
                want,
                "{spec} from {from}"
            );
        }
    }

    /// Only patterns anchored at both ends without a repeated `.` constrain the whole value.
    #[test]
    fn whole_value_patterns() {
        for pattern in [
            r"^\w+$",
            r"^[a-z0-9.-]{1,63}$",
            r"^(asc|desc)$",
            r"^[^/]+\.png$",
        ] {
            assert!(matches_whole_value(pattern), "{pattern}");
        }
        for pattern in [
            r"^https?:\/\/",
            r"\w+$",
            r"^\w+",
            r"^.*$",
            r"^https:\/\/.+$",
            r"^\w+\$",
            r"(?:^\w+$)",
        ] {
            assert!(!matches_whole_value(pattern), "{pattern}");
        }
    }

    /// A prefix fixes the origin once scheme, host and the `/`, `?` or `#` after the host are
    /// all constant.
    #[test]
    fn origin_fixing_prefixes() {
        for prefix in [
            "https://api.example.com/",
            "https://api.example.com/v1/items/",
            "http://10.0.0.1:8080?",
            "https://user@api.example.com#",
        ] {
            assert!(fixes_origin(prefix), "{prefix}");
        }
        for prefix in [
            "https://",
            "https://api.example.com",
            "https://api.",
            "//api.example.com/",
            "api.example.com/",
            "https://${host}/",
        ] {
            assert!(!fixes_origin(prefix), "{prefix}");
        }
    }
}
