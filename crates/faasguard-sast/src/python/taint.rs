//! The taint walk over one function body.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use ruff_python_ast::{
    BoolOp, CmpOp, Expr, ExprCall, InterpolatedStringElement, Operator, Stmt, StmtFunctionDef,
    UnaryOp,
};
use ruff_text_size::{Ranged, TextSize};

use super::sinks;
use super::{Ctx, MAX_NESTING, PyModule};
use crate::{SinkKind, Step, TaintFinding};

/// Paths keep the source and the last steps up to this length.
const MAX_PATH: usize = 8;

/// Interprocedural calls are followed this many levels deep.
const MAX_CALL_DEPTH: usize = 4;

/// Attacker-controlled data and how it got here.
#[derive(Debug, Clone)]
pub(crate) struct Taint {
    /// Source first.
    pub(crate) path: Vec<Step>,
    /// Sink kinds this value has been made safe for (bit per [`SinkKind`]).
    pub(crate) safe_for: u8,
    /// The value is a list/tuple literal whose first element (a program name) is not tainted.
    pub(crate) head_clean: bool,
    /// The value may be a dict or list parsed from event JSON (not yet turned into a string):
    /// it can carry MongoDB operators such as `{"$ne": null}`.
    pub(crate) structured: bool,
}

pub(crate) fn bit(kind: SinkKind) -> u8 {
    1 << (kind as u8)
}

impl Taint {
    pub(crate) fn with_step(&self, step: Step) -> Taint {
        let mut t = self.clone();
        push_step(&mut t.path, step);
        t.head_clean = false;
        t
    }

    pub(crate) fn is_safe_for(&self, kind: SinkKind) -> bool {
        self.safe_for & bit(kind) != 0
    }
}

pub(crate) fn push_step(path: &mut Vec<Step>, step: Step) {
    if path.last().is_some_and(|last| *last == step) {
        return;
    }
    if path.len() >= MAX_PATH {
        path.remove(1);
    }
    path.push(step);
}

/// The value is now a string.
fn stringified(taint: Option<Taint>) -> Option<Taint> {
    taint.map(|mut t| {
        t.structured = false;
        t
    })
}

/// Either side tainted: the first path is kept; safe only for what both are safe for.
pub(crate) fn join(a: Option<Taint>, b: Option<Taint>) -> Option<Taint> {
    match (a, b) {
        (Some(mut a), Some(b)) => {
            a.safe_for &= b.safe_for;
            a.head_clean = false;
            a.structured |= b.structured;
            Some(a)
        }
        (Some(a), None) => Some(Taint {
            head_clean: false,
            ..a
        }),
        (None, Some(b)) => Some(Taint {
            head_clean: false,
            ..b
        }),
        (None, None) => None,
    }
}

/// Analyses the handler function named `function` in `module`: its first parameter is the event.
pub(crate) fn analyze_handler(ctx: &mut Ctx<'_>, module: &Rc<PyModule>, function: &str) {
    let Some(def) = module.function(function) else {
        analyze_wrapped_app(ctx, module, function);
        return;
    };
    let Some(event) = def
        .parameters
        .posonlyargs
        .iter()
        .chain(def.parameters.args.iter())
        .next()
    else {
        ctx.problem(
            &module.file,
            None,
            &format!("handler function `{function}` takes no event parameter"),
        );
        return;
    };
    let name = event.parameter.name.as_str().to_string();
    let (line, column) = module.locate(event.parameter.range().start());
    let source = Taint {
        path: vec![Step {
            file: module.file.clone(),
            line,
            column,
            note: format!("event parameter `{name}` of handler `{function}`"),
        }],
        safe_for: 0,
        head_clean: false,
        structured: false,
    };
    let mut run = FnRun::new(Rc::clone(module), 0);
    run.env.insert(name, source.clone());
    run.exec_block(ctx, &def.body, 0);

    // Dispatch to framework routes from inside the handler: AWS Lambda Powertools
    // (`app.resolve(event, context)`), serverless-wsgi (`handle_request(app, event, context)`),
    // awsgi (`awsgi.response(app, event, context)`).
    let range = def.range();
    let handler_text = module
        .text
        .get(usize::from(range.start())..usize::from(range.end()))
        .unwrap_or("");
    let mut apps: Vec<(String, String)> = Vec::new();
    for (marker, how) in [
        ("handle_request(", "serverless_wsgi.handle_request"),
        ("awsgi.response(", "awsgi.response"),
    ] {
        if let Some(app) = handler_text
            .split(marker)
            .nth(1)
            .and_then(|rest| rest.split([',', ')']).next())
            .map(str::trim)
            .filter(|a| !a.is_empty() && a.chars().all(|c| c.is_alphanumeric() || c == '_'))
        {
            apps.push((app.to_string(), how.to_string()));
        }
    }
    for stmt in module.body() {
        if let Stmt::Assign(assign) = stmt
            && let [Expr::Name(target)] = assign.targets.as_slice()
        {
            let app = target.id.as_str();
            if handler_text.contains(&format!("{app}.resolve(")) {
                apps.push((app.to_string(), format!("{app}.resolve")));
            }
        }
    }
    for (app, how) in apps {
        analyze_routes(ctx, module, &app, &how, &source);
    }
}

/// A handler bound by assignment: `handler = Mangum(app)` (FastAPI/Starlette) or
/// `app = Chalice(…)` (the Chalice app is the handler). Their routes are analysed with the
/// request tainted; anything else is reported as not analysable.
fn analyze_wrapped_app(ctx: &mut Ctx<'_>, module: &Rc<PyModule>, function: &str) {
    let assignment = module.body().iter().find_map(|stmt| match stmt {
        Stmt::Assign(assign)
            if assign
                .targets
                .iter()
                .any(|t| matches!(t, Expr::Name(n) if n.id.as_str() == function)) =>
        {
            Some(assign)
        }
        _ => None,
    });
    let Some(assign) = assignment else {
        ctx.problem(
            &module.file,
            None,
            &format!("handler function `{function}` not found at the top level"),
        );
        return;
    };
    let probe = FnRun::new(Rc::clone(module), 0);
    let wrapped = match assign.value.as_ref() {
        Expr::Call(call) => probe.qualname(&call.func).and_then(|name| {
            let last = name.rsplit('.').next().unwrap_or(&name).to_string();
            match (last.as_str(), call.arguments.args.first()) {
                ("Mangum", Some(Expr::Name(app))) => Some((
                    app.id.as_str().to_string(),
                    format!("Mangum({})", app.id.as_str()),
                )),
                ("Chalice", _) => Some((function.to_string(), "Chalice".to_string())),
                _ => None,
            }
        }),
        _ => None,
    };
    let (line, column) = module.locate(assign.range().start());
    let Some((app, how)) = wrapped else {
        ctx.problem(
            &module.file,
            Some(line),
            &format!(
                "handler `{function}` is assigned (line {line}), not defined with `def`; \
                 only Mangum and Chalice apps are followed"
            ),
        );
        return;
    };
    let source = Taint {
        path: vec![Step {
            file: module.file.clone(),
            line,
            column,
            note: format!("event of handler `{function}` ({how})"),
        }],
        safe_for: 0,
        head_clean: false,
        structured: false,
    };
    analyze_routes(ctx, module, &app, &how, &source);
}

/// Functions registered on `app` by a decorator call (`@app.get("/x")`, `@app.route(…)`,
/// `@app.on_s3_event(…)`) run with `app` (hence `app.current_event` / `app.current_request`),
/// their parameters (path parameters, the request) and a Flask-style global `request` tainted.
fn analyze_routes(ctx: &mut Ctx<'_>, module: &Rc<PyModule>, app: &str, how: &str, source: &Taint) {
    let request_globals: Vec<String> = module
        .aliases
        .iter()
        .filter(|(_, target)| matches!(target.as_str(), "flask.request" | "quart.request"))
        .map(|(local, _)| local.clone())
        .collect();
    for stmt in module.body() {
        let Stmt::FunctionDef(route) = stmt else {
            continue;
        };
        let registered = route.decorator_list.iter().any(|decorator| {
            let Expr::Call(call) = &decorator.expression else {
                return false;
            };
            matches!(call.func.as_ref(), Expr::Attribute(attr)
                if matches!(attr.value.as_ref(), Expr::Name(n) if n.id.as_str() == app))
        });
        if !registered {
            continue;
        }
        if !ctx.tick(&module.file) {
            return;
        }
        let mut run = FnRun::new(Rc::clone(module), 0);
        let routed = source.with_step(run.step(
            route.range().start(),
            format!("routed to `{}` by `{how}`", route.name.as_str()),
        ));
        run.env.insert(app.to_string(), routed.clone());
        for name in &request_globals {
            run.env.insert(name.clone(), routed.clone());
        }
        for p in route
            .parameters
            .posonlyargs
            .iter()
            .chain(route.parameters.args.iter())
            .chain(route.parameters.kwonlyargs.iter())
        {
            // FastAPI validates annotated scalars: `n: int` is a number.
            let scalar = matches!(
                p.parameter.annotation.as_deref(),
                Some(Expr::Name(t)) if matches!(t.id.as_str(), "int" | "float" | "bool")
            );
            if !scalar {
                run.env
                    .insert(p.parameter.name.as_str().to_string(), routed.clone());
            }
        }
        run.exec_block(ctx, &route.body, 0);
    }
}

/// The state of one function body's walk.
pub(crate) struct FnRun {
    pub(crate) module: Rc<PyModule>,
    pub(crate) env: HashMap<String, Taint>,
    /// Name → dotted constructor it was assigned from (`urllib3.PoolManager()`), for resolving
    /// method calls on objects.
    pub(crate) objects: HashMap<String, String>,
    /// Name → the variable it was parsed from (`parsed = urlparse(url)`), so that a guard on
    /// `parsed.hostname` validates `url`.
    url_parts: HashMap<String, String>,
    /// Names assigned from `os.path.realpath/abspath/normpath(…)` or `….resolve()`.
    normalized: HashSet<String>,
    /// The class whose method this is (`self` is an instance of it).
    class: Option<String>,
    /// Functions defined in this body (closures): name → offset of the `def`.
    nested: HashMap<String, TextSize>,
    returned: Option<Taint>,
    call_depth: usize,
}

impl FnRun {
    fn new(module: Rc<PyModule>, call_depth: usize) -> Self {
        FnRun {
            module,
            env: HashMap::new(),
            objects: HashMap::new(),
            url_parts: HashMap::new(),
            nested: HashMap::new(),
            class: None,
            normalized: HashSet::new(),
            returned: None,
            call_depth,
        }
    }

    pub(crate) fn step(&self, at: TextSize, note: String) -> Step {
        let (line, column) = self.module.locate(at);
        Step {
            file: self.module.file.clone(),
            line,
            column,
            note,
        }
    }

    fn line(&self, at: TextSize) -> u32 {
        self.module.locate(at).0
    }

    pub(crate) fn report(
        &self,
        ctx: &mut Ctx<'_>,
        kind: SinkKind,
        sink: &str,
        taint: &Taint,
        at: TextSize,
    ) {
        if taint.is_safe_for(kind) {
            return;
        }
        let mut path = taint.path.clone();
        push_step(&mut path, self.step(at, format!("reaches `{sink}`")));
        // One finding per kind and line: `execute(text(f"…"))` is one flaw, reported at the
        // innermost sink.
        let last = path.last().map(|s| (s.file.clone(), s.line));
        let duplicate = ctx
            .findings
            .iter()
            .any(|f| f.kind == kind && f.path.last().map(|s| (s.file.clone(), s.line)) == last);
        if !duplicate && path.len() >= 2 {
            ctx.findings.push(TaintFinding {
                kind,
                sink: sink.to_string(),
                path,
            });
        }
    }

    // ---- statements ------------------------------------------------------------------------

    pub(crate) fn exec_block(&mut self, ctx: &mut Ctx<'_>, body: &[Stmt], depth: usize) {
        for stmt in body {
            if !ctx.tick(&self.module.file) {
                return;
            }
            self.exec(ctx, stmt, depth);
        }
    }

    fn exec(&mut self, ctx: &mut Ctx<'_>, stmt: &Stmt, depth: usize) {
        if depth > MAX_NESTING {
            let line = self.line(stmt.range().start());
            ctx.too_deep(&self.module.file.clone(), line);
            return;
        }
        let d = depth + 1;
        match stmt {
            Stmt::Assign(assign) => self.exec_assign(ctx, assign, d),
            Stmt::AnnAssign(assign) => {
                if let Some(value) = &assign.value {
                    let taint = self.eval(ctx, value, d);
                    self.bind(&assign.target, taint.as_ref(), Some(value), d);
                }
            }
            Stmt::AugAssign(assign) => {
                let current = self.eval(ctx, &assign.target, d);
                let value = self.eval(ctx, &assign.value, d);
                let taint = join(current, value);
                self.bind(&assign.target, taint.as_ref(), None, d);
            }
            Stmt::Expr(expr) => {
                self.eval(ctx, &expr.value, d);
            }
            Stmt::Return(ret) => {
                if let Some(value) = &ret.value {
                    let taint = self.eval(ctx, value, d);
                    self.returned = join(self.returned.take(), taint);
                }
            }
            Stmt::If(stmt_if) => self.exec_if(ctx, stmt_if, d),
            Stmt::For(stmt_for) => {
                let taint = self.eval(ctx, &stmt_for.iter, d);
                self.bind(&stmt_for.target, taint.as_ref(), None, d);
                self.exec_block(ctx, &stmt_for.body, d);
                self.exec_block(ctx, &stmt_for.body, d);
                self.exec_block(ctx, &stmt_for.orelse, d);
            }
            Stmt::While(stmt_while) => {
                self.eval(ctx, &stmt_while.test, d);
                self.exec_block(ctx, &stmt_while.body, d);
                self.exec_block(ctx, &stmt_while.body, d);
                self.exec_block(ctx, &stmt_while.orelse, d);
            }
            Stmt::With(with) => {
                for item in &with.items {
                    let taint = self.eval(ctx, &item.context_expr, d);
                    if let Some(vars) = &item.optional_vars {
                        self.bind(vars, taint.as_ref(), Some(&item.context_expr), d);
                    }
                }
                self.exec_block(ctx, &with.body, d);
            }
            Stmt::Try(stmt_try) => {
                self.exec_block(ctx, &stmt_try.body, d);
                for handler in &stmt_try.handlers {
                    let ruff_python_ast::ExceptHandler::ExceptHandler(h) = handler;
                    if let Some(name) = &h.name {
                        self.env.remove(name.as_str());
                    }
                    self.exec_block(ctx, &h.body, d);
                }
                self.exec_block(ctx, &stmt_try.orelse, d);
                self.exec_block(ctx, &stmt_try.finalbody, d);
            }
            Stmt::Match(stmt_match) => {
                let taint = self.eval(ctx, &stmt_match.subject, d);
                for case in &stmt_match.cases {
                    // Capture patterns bind parts of the subject: taint every captured name.
                    if let Some(t) = &taint {
                        for name in pattern_names(&case.pattern) {
                            self.env.insert(name, t.clone());
                        }
                    }
                    if let Some(guard) = &case.guard {
                        self.eval(ctx, guard, d);
                    }
                    self.exec_block(ctx, &case.body, d);
                }
            }
            Stmt::Raise(raise) => {
                if let Some(exc) = &raise.exc {
                    self.eval(ctx, exc, d);
                }
            }
            Stmt::Assert(assert) => {
                self.eval(ctx, &assert.test, d);
            }
            Stmt::Delete(delete) => {
                for target in &delete.targets {
                    if let Expr::Name(name) = target {
                        self.env.remove(name.id.as_str());
                    }
                }
            }
            // A nested function is analysed where it is called, with the enclosing scope.
            Stmt::FunctionDef(def) => {
                let name = def.name.as_str().to_string();
                self.env.remove(&name);
                self.nested.insert(name, def.range().start());
            }
            // Classes defined inside functions are not followed.
            _ => {}
        }
    }

    fn exec_assign(&mut self, ctx: &mut Ctx<'_>, assign: &ruff_python_ast::StmtAssign, d: usize) {
        let taint = self.eval(ctx, &assign.value, d);
        for target in &assign.targets {
            self.bind(target, taint.as_ref(), Some(&assign.value), d);
        }
        if let [Expr::Name(target)] = assign.targets.as_slice() {
            let target = target.id.as_str().to_string();
            if self.is_normalized_path(&assign.value) {
                self.normalized.insert(target.clone());
            } else {
                self.normalized.remove(&target);
            }
            match self.parsed_url_of(&assign.value) {
                Some(source) => {
                    self.url_parts.insert(target, source);
                }
                None => {
                    self.url_parts.remove(&target);
                }
            }
        }
    }

    fn exec_if(&mut self, ctx: &mut Ctx<'_>, stmt_if: &ruff_python_ast::StmtIf, d: usize) {
        self.eval(ctx, &stmt_if.test, d);
        ctx.charge(self.env.len());
        let before = self.env.clone();
        let mut merged: Vec<HashMap<String, Taint>> = Vec::new();

        // `if x in ALLOWED:` — inside the branch, x is an allowlisted value.
        if let Some(name) = allowlisted_in_body(&stmt_if.test) {
            if let Some(source) = self.url_parts.get(&name) {
                self.env.remove(source);
            }
            self.env.remove(&name);
        }
        self.exec_block(ctx, &stmt_if.body, d);
        let body_ends = terminates(&stmt_if.body);
        if !body_ends {
            merged.push(std::mem::take(&mut self.env));
        }
        let mut has_else = false;
        for clause in &stmt_if.elif_else_clauses {
            self.env.clone_from(&before);
            if let Some(test) = &clause.test {
                self.eval(ctx, test, d);
            } else {
                has_else = true;
            }
            self.exec_block(ctx, &clause.body, d);
            if !terminates(&clause.body) {
                merged.push(std::mem::take(&mut self.env));
            }
        }
        if !has_else {
            let mut fallthrough = before;
            // `if x not in ALLOWED: return …` — after the if, x is allowlisted.
            if body_ends && stmt_if.elif_else_clauses.is_empty() {
                for (name, kind) in rejected_unless_valid(&stmt_if.test, &self.normalized) {
                    match kind {
                        None => {
                            if let Some(source) = self.url_parts.get(&name) {
                                fallthrough.remove(source);
                            }
                            fallthrough.remove(&name);
                        }
                        Some(kind) => {
                            if let Some(t) = fallthrough.get_mut(&name) {
                                t.safe_for |= bit(kind);
                            }
                        }
                    }
                }
            }
            merged.push(fallthrough);
        }
        let mut out: HashMap<String, Taint> = HashMap::new();
        for env in merged {
            for (name, taint) in env {
                let current = out.remove(&name);
                if let Some(t) = join(current, Some(taint)) {
                    out.insert(name, t);
                }
            }
        }
        self.env = out;
    }

    /// Binds an assignment target. Unpacking taints every name; `x[k] = t` / `x.a = t` taint `x`.
    fn bind(&mut self, target: &Expr, taint: Option<&Taint>, value: Option<&Expr>, depth: usize) {
        if depth > MAX_NESTING {
            return;
        }
        match target {
            Expr::Name(name) => {
                let id = name.id.as_str().to_string();
                match value.map(|v| self.object_type(v)) {
                    Some(Some(ty)) => {
                        self.objects.insert(id.clone(), ty);
                    }
                    _ => {
                        self.objects.remove(&id);
                    }
                }
                match taint {
                    Some(t) => {
                        let mut bound = t.with_step(
                            self.step(name.range.start(), format!("assigned to `{id}`")),
                        );
                        bound.head_clean = t.head_clean;
                        self.env.insert(id, bound);
                    }
                    None => {
                        self.env.remove(&id);
                    }
                }
            }
            Expr::Tuple(tuple) => {
                for elt in &tuple.elts {
                    self.bind(elt, taint, None, depth + 1);
                }
            }
            Expr::List(list) => {
                for elt in &list.elts {
                    self.bind(elt, taint, None, depth + 1);
                }
            }
            Expr::Starred(starred) => self.bind(&starred.value, taint, None, depth + 1),
            Expr::Subscript(sub) => {
                if let (Some(t), Some(base)) = (taint, root_name(&sub.value)) {
                    let joined = join(self.env.remove(&base), Some(t.clone()));
                    if let Some(j) = joined {
                        self.env.insert(base, j);
                    }
                }
            }
            Expr::Attribute(attr) => {
                if let (Some(t), Some(base)) = (taint, root_name(&attr.value)) {
                    let joined = join(self.env.remove(&base), Some(t.clone()));
                    if let Some(j) = joined {
                        self.env.insert(base, j);
                    }
                }
            }
            _ => {}
        }
    }

    /// `os.path.realpath(…)`, `abspath`, `normpath`, or `Path(…).resolve()`.
    fn is_normalized_path(&self, value: &Expr) -> bool {
        let Expr::Call(call) = value else {
            return false;
        };
        if let Expr::Attribute(attr) = call.func.as_ref()
            && attr.attr.as_str() == "resolve"
        {
            return true;
        }
        self.qualname(&call.func).is_some_and(|name| {
            matches!(
                name.as_str(),
                "os.path.realpath" | "os.path.abspath" | "os.path.normpath"
            )
        })
    }

    /// `urlparse(url)` / `urlsplit(url)` → `url`.
    fn parsed_url_of(&self, value: &Expr) -> Option<String> {
        let Expr::Call(call) = value else {
            return None;
        };
        let name = self.qualname(&call.func)?;
        if !matches!(
            name.as_str(),
            "urllib.parse.urlparse" | "urllib.parse.urlsplit" | "urlparse.urlparse"
        ) {
            return None;
        }
        match call.arguments.args.first() {
            Some(Expr::Name(arg)) => Some(arg.id.as_str().to_string()),
            _ => None,
        }
    }

    /// The dotted constructor of a value assigned from a call (`urllib3.PoolManager()`), with a
    /// `[xxe]` marker for XML parsers built with external entities on.
    fn object_type(&self, value: &Expr) -> Option<String> {
        if matches!(value, Expr::List(list) if !list.elts.is_empty()) {
            return Some("[list]".to_string());
        }
        if matches!(value, Expr::Dict(_)) && is_constant_value(value, 0) {
            return Some(CONSTANT_DICT.to_string());
        }
        let Expr::Call(call) = value else {
            return None;
        };
        let name = self.qualname(&call.func)?;
        let mut ty = format!("{name}()");
        if sinks::builds_xxe_parser(&name, call) {
            ty.push_str("[xxe]");
        }
        Some(ty)
    }

    /// The taint of a pure lookup (`name`, `name["k"]`, `name.attr`) without evaluating anything.
    /// `x.get("k")` and `x.pop("k")` are lookups too.
    pub(crate) fn lookup(&self, expr: &Expr) -> Option<&Taint> {
        match expr {
            Expr::Name(_) | Expr::Subscript(_) | Expr::Attribute(_) => {
                self.env.get(&root_name(expr)?)
            }
            Expr::Call(call) => match call.func.as_ref() {
                Expr::Attribute(attr) if matches!(attr.attr.as_str(), "get" | "pop") => {
                    self.lookup(&attr.value)
                }
                _ => None,
            },
            _ => None,
        }
    }

    /// The value `name` is bound to at the top level of the module, when it is bound there
    /// exactly once and is not tainted here.
    fn module_constant(&self, name: &str) -> Option<&Expr> {
        if self.env.contains_key(name) {
            return None;
        }
        let mut found = None;
        for stmt in self.module.body() {
            let value = match stmt {
                Stmt::Assign(assign)
                    if assign
                        .targets
                        .iter()
                        .any(|t| matches!(t, Expr::Name(n) if n.id.as_str() == name)) =>
                {
                    Some(assign.value.as_ref())
                }
                Stmt::AnnAssign(assign) if matches!(assign.target.as_ref(), Expr::Name(n) if n.id.as_str() == name) => {
                    assign.value.as_deref()
                }
                _ => continue,
            };
            if found.is_some() {
                return None;
            }
            found = Some(value?);
        }
        found
    }

    /// A dict literal of constants, inline, bound in this function, or bound once at the top
    /// level of the module.
    fn is_constant_dict(&self, ctx: &mut Ctx<'_>, expr: &Expr) -> bool {
        match expr {
            Expr::Dict(_) => is_constant_value(expr, 0),
            Expr::Name(name) => {
                let id = name.id.as_str();
                if self.env.contains_key(id) {
                    return false;
                }
                if let Some(ty) = self.objects.get(id) {
                    return ty == CONSTANT_DICT;
                }
                // The module's top level is scanned: its length is charged.
                ctx.charge(self.module.body().len());
                self.module_constant(id)
                    .is_some_and(|v| matches!(v, Expr::Dict(_)) && is_constant_value(v, 0))
            }
            _ => false,
        }
    }

    /// The constant text a string-building expression starts with, and whether that is all of
    /// it: literals, constant names of the module, f-strings, `+` and `%` formatting.
    fn constant_prefix(&self, expr: &Expr, depth: usize) -> Option<(String, bool)> {
        if depth > 16 {
            return None;
        }
        match expr {
            Expr::StringLiteral(s) => Some((s.value.to_str().to_string(), true)),
            Expr::Name(name) => match self.module_constant(name.id.as_str())? {
                Expr::StringLiteral(s) => Some((s.value.to_str().to_string(), true)),
                _ => None,
            },
            Expr::FString(fstring) => {
                let mut text = String::new();
                for part in &fstring.value {
                    match part {
                        ruff_python_ast::FStringPart::Literal(lit) => text.push_str(&lit.value),
                        ruff_python_ast::FStringPart::FString(f) => {
                            for element in &f.elements {
                                match element {
                                    InterpolatedStringElement::Literal(lit) => {
                                        text.push_str(&lit.value);
                                    }
                                    InterpolatedStringElement::Interpolation(i) => {
                                        match self.constant_prefix(&i.expression, depth + 1) {
                                            Some((t, true)) if i.format_spec.is_none() => {
                                                text.push_str(&t);
                                            }
                                            _ => return Some((text, false)),
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                Some((text, true))
            }
            Expr::BinOp(bin) if bin.op == Operator::Add => {
                let (left, complete) = self.constant_prefix(&bin.left, depth + 1)?;
                if !complete {
                    return Some((left, false));
                }
                match self.constant_prefix(&bin.right, depth + 1) {
                    Some((right, complete)) => Some((left + &right, complete)),
                    None => Some((left, false)),
                }
            }
            Expr::BinOp(bin) if bin.op == Operator::Mod => {
                let (format, _) = self.constant_prefix(&bin.left, depth + 1)?;
                let head = format.split('%').next().unwrap_or("").to_string();
                Some((head, false))
            }
            _ => None,
        }
    }

    /// A URL built on a constant origin (`f"{API}/users/{x}"`, `BASE + "?" + urlencode(q)`):
    /// event data after the scheme, host and the `/`, `?` or `#` that ends them cannot
    /// choose where the request goes, so the value is safe for outbound URLs.
    fn pin_origin(&self, ctx: &mut Ctx<'_>, expr: &Expr, taint: Option<Taint>) -> Option<Taint> {
        let mut t = taint?;
        // Constant names are looked up on the module's top level: its length is charged.
        ctx.charge(self.module.body().len());
        let prefix = match expr {
            // `"https://host/{}".format(x)`: the text before the first field.
            Expr::StringLiteral(_) | Expr::Name(_) => self
                .constant_prefix(expr, 0)
                .map(|(text, _)| text.split('{').next().unwrap_or("").to_string()),
            _ => self.constant_prefix(expr, 0).map(|(text, _)| text),
        };
        if prefix.as_deref().is_some_and(fixes_origin) {
            t.safe_for |= bit(SinkKind::OutboundUrl);
        }
        Some(t)
    }

    /// The dotted name of a callee or receiver, through import aliases and known objects.
    pub(crate) fn qualname(&self, expr: &Expr) -> Option<String> {
        let mut parts: Vec<String> = Vec::new();
        let mut cur = expr;
        for _ in 0..64 {
            match cur {
                Expr::Attribute(attr) => {
                    parts.push(attr.attr.as_str().to_string());
                    cur = &attr.value;
                }
                Expr::Call(call) => {
                    parts.push("()".to_string());
                    cur = &call.func;
                }
                Expr::Subscript(sub) => {
                    parts.push("[]".to_string());
                    cur = &sub.value;
                }
                Expr::Name(name) => {
                    let id = name.id.as_str();
                    let head = if let Some(object) = self.objects.get(id) {
                        object.clone()
                    } else if let (Some(class), "self") = (&self.class, id) {
                        format!("{class}()")
                    } else if let Some(instance) = self.module.instances.get(id) {
                        // `Client()` / `urllib3.PoolManager()`: resolve its first name.
                        let (first, rest) = instance
                            .find(['.', '('])
                            .map_or((instance.as_str(), ""), |i| instance.split_at(i));
                        let first = self.module.aliases.get(first).map_or(first, String::as_str);
                        format!("{first}{rest}")
                    } else {
                        self.module
                            .aliases
                            .get(id)
                            .cloned()
                            .unwrap_or_else(|| id.to_string())
                    };
                    let mut out = head;
                    for part in parts.iter().rev() {
                        if part == "()" || part == "[]" {
                            out.push_str(part);
                        } else {
                            out.push('.');
                            out.push_str(part);
                        }
                    }
                    return Some(out);
                }
                _ => return None,
            }
        }
        None
    }

    // ---- expressions -----------------------------------------------------------------------

    /// The taint of an expression; sinks reached inside it are reported on the way.
    #[expect(clippy::too_many_lines, reason = "one arm per expression kind")]
    pub(crate) fn eval(&mut self, ctx: &mut Ctx<'_>, expr: &Expr, depth: usize) -> Option<Taint> {
        if depth > MAX_NESTING {
            let line = self.line(expr.range().start());
            ctx.too_deep(&self.module.file.clone(), line);
            return None;
        }
        if !ctx.tick(&self.module.file) {
            return None;
        }
        let d = depth + 1;
        match expr {
            Expr::Name(name) => self.env.get(name.id.as_str()).cloned(),
            Expr::Attribute(attr) => self.eval(ctx, &attr.value, d),
            Expr::Subscript(sub) => {
                // `CONSTANT[tainted]` looks a value up: the result is not attacker text.
                self.eval(ctx, &sub.slice, d);
                self.eval(ctx, &sub.value, d)
            }
            Expr::Call(call) => self.eval_call(ctx, call, d),
            Expr::BinOp(bin) => {
                let left = self.eval(ctx, &bin.left, d);
                let right = self.eval(ctx, &bin.right, d);
                match bin.op {
                    Operator::Add | Operator::Mod => {
                        self.pin_origin(ctx, expr, stringified(join(left, right)))
                    }
                    Operator::Mult | Operator::Div => stringified(join(left, right)),
                    // Arithmetic and bitwise results of event data are numbers, not strings.
                    _ => None,
                }
            }
            Expr::BoolOp(bool_op) => {
                let mut out = None;
                // `a or b` / `a and b` evaluate to one of the operands.
                for value in &bool_op.values {
                    let t = self.eval(ctx, value, d);
                    out = join(out, t);
                }
                out
            }
            Expr::UnaryOp(unary) => {
                let t = self.eval(ctx, &unary.operand, d);
                if unary.op == UnaryOp::Not { None } else { t }
            }
            Expr::Compare(compare) => {
                self.eval(ctx, &compare.left, d);
                for c in &compare.comparators {
                    self.eval(ctx, c, d);
                }
                None
            }
            Expr::If(if_exp) => {
                self.eval(ctx, &if_exp.test, d);
                let a = self.eval(ctx, &if_exp.body, d);
                let b = self.eval(ctx, &if_exp.orelse, d);
                join(a, b)
            }
            Expr::Named(named) => {
                let t = self.eval(ctx, &named.value, d);
                self.bind(&named.target, t.as_ref(), Some(&named.value), d);
                t
            }
            Expr::Await(inner) => self.eval(ctx, &inner.value, d),
            Expr::Starred(inner) => self.eval(ctx, &inner.value, d),
            Expr::FString(fstring) => {
                let mut out = None;
                for part in &fstring.value {
                    if let ruff_python_ast::FStringPart::FString(f) = part {
                        for element in &f.elements {
                            if let InterpolatedStringElement::Interpolation(i) = element {
                                let t = self.eval(ctx, &i.expression, d);
                                out = join(out, t);
                            }
                        }
                    }
                }
                self.pin_origin(ctx, expr, stringified(out))
            }
            Expr::List(list) => self.eval_sequence(ctx, &list.elts, d),
            Expr::Tuple(tuple) => self.eval_sequence(ctx, &tuple.elts, d),
            Expr::Set(set) => {
                let mut out = None;
                for e in &set.elts {
                    let t = self.eval(ctx, e, d);
                    out = join(out, t);
                }
                out
            }
            Expr::Dict(dict) => {
                let mut out = None;
                for item in &dict.items {
                    if let Some(key) = &item.key {
                        let t = self.eval(ctx, key, d);
                        out = join(out, t);
                    }
                    let t = self.eval(ctx, &item.value, d);
                    out = join(out, t);
                }
                out
            }
            Expr::ListComp(comp) => self.eval_comprehension(ctx, &comp.generators, &[&comp.elt], d),
            Expr::SetComp(comp) => self.eval_comprehension(ctx, &comp.generators, &[&comp.elt], d),
            Expr::Generator(comp) => {
                self.eval_comprehension(ctx, &comp.generators, &[&comp.elt], d)
            }
            Expr::DictComp(comp) => {
                let mut parts: Vec<&Expr> = vec![&comp.value];
                if let Some(key) = &comp.key {
                    parts.push(key);
                }
                self.eval_comprehension(ctx, &comp.generators, &parts, d)
            }
            Expr::Lambda(lambda) => self.eval_lambda(ctx, lambda, None, d),
            Expr::Yield(y) => y.value.as_ref().and_then(|v| self.eval(ctx, v, d)),
            Expr::YieldFrom(y) => self.eval(ctx, &y.value, d),
            Expr::Slice(slice) => {
                for e in [&slice.lower, &slice.upper, &slice.step]
                    .into_iter()
                    .flatten()
                {
                    self.eval(ctx, e, d);
                }
                None
            }
            _ => None,
        }
    }

    /// A lambda's body, in the enclosing scope, with its parameters bound to `params` (the taint
    /// of what it is applied to, when known). Its value is the body's taint.
    fn eval_lambda(
        &mut self,
        ctx: &mut Ctx<'_>,
        lambda: &ruff_python_ast::ExprLambda,
        params: Option<&Taint>,
        d: usize,
    ) -> Option<Taint> {
        ctx.charge(self.env.len());
        let saved = self.env.clone();
        if let Some(parameters) = &lambda.parameters {
            for p in parameters
                .posonlyargs
                .iter()
                .chain(parameters.args.iter())
                .chain(parameters.kwonlyargs.iter())
            {
                let name = p.parameter.name.as_str().to_string();
                match params {
                    Some(t) => {
                        self.env.insert(name, t.clone());
                    }
                    None => {
                        self.env.remove(&name);
                    }
                }
            }
        }
        let out = self.eval(ctx, &lambda.body, d);
        self.env = saved;
        out
    }

    fn eval_sequence(&mut self, ctx: &mut Ctx<'_>, elts: &[Expr], d: usize) -> Option<Taint> {
        let mut out = None;
        let mut head_clean = true;
        for (i, e) in elts.iter().enumerate() {
            let t = self.eval(ctx, e, d);
            if i == 0 && t.is_some() {
                head_clean = false;
            }
            out = join(out, t);
        }
        out.map(|mut t| {
            t.head_clean = head_clean;
            t
        })
    }

    fn eval_comprehension(
        &mut self,
        ctx: &mut Ctx<'_>,
        generators: &[ruff_python_ast::Comprehension],
        parts: &[&Expr],
        d: usize,
    ) -> Option<Taint> {
        ctx.charge(self.env.len());
        let saved = self.env.clone();
        let saved_objects = self.objects.clone();
        for generator in generators {
            let t = self.eval(ctx, &generator.iter, d);
            self.bind(&generator.target, t.as_ref(), None, d);
            for cond in &generator.ifs {
                self.eval(ctx, cond, d);
            }
        }
        let mut out = None;
        for part in parts {
            let t = self.eval(ctx, part, d);
            out = join(out, t);
        }
        self.env = saved;
        self.objects = saved_objects;
        out
    }

    fn eval_call(&mut self, ctx: &mut Ctx<'_>, call: &ExprCall, d: usize) -> Option<Taint> {
        let receiver = match call.func.as_ref() {
            Expr::Attribute(attr) => self.eval(ctx, &attr.value, d),
            other => {
                self.eval(ctx, other, d);
                None
            }
        };
        // Lambdas passed along (`map(lambda k: …, keys)`) get the other arguments' taint.
        let mut args: Vec<Option<Taint>> = call
            .arguments
            .args
            .iter()
            .map(|a| {
                if matches!(a, Expr::Lambda(_)) {
                    None
                } else {
                    self.eval(ctx, a, d)
                }
            })
            .collect();
        let passed = args.iter().cloned().fold(None, join);
        for (slot, arg) in args.iter_mut().zip(call.arguments.args.iter()) {
            if let Expr::Lambda(lambda) = arg {
                *slot = self.eval_lambda(ctx, lambda, passed.as_ref(), d);
            }
        }
        let keywords: Vec<(Option<String>, Option<Taint>)> = call
            .arguments
            .keywords
            .iter()
            .map(|k| {
                (
                    k.arg.as_ref().map(|a| a.as_str().to_string()),
                    self.eval(ctx, &k.value, d),
                )
            })
            .collect();
        let qual = self.qualname(&call.func);
        let method = match call.func.as_ref() {
            Expr::Attribute(attr) => Some(attr.attr.as_str().to_string()),
            _ => None,
        };
        if sinks::enables_external_entities(call)
            && let Expr::Attribute(attr) = call.func.as_ref()
            && let Expr::Name(name) = attr.value.as_ref()
            && let Some(ty) = self.objects.get_mut(name.id.as_str())
            && !ty.ends_with("[xxe]")
        {
            ty.push_str("[xxe]");
        }
        let site = sinks::CallSite {
            call,
            qual: qual.as_deref(),
            method: method.as_deref(),
            receiver: receiver.as_ref(),
            args: &args,
            keywords: &keywords,
        };
        sinks::check(self, ctx, &site);

        let any_arg = args
            .iter()
            .cloned()
            .chain(keywords.iter().map(|(_, t)| t.clone()))
            .fold(None, join);

        // Calls into first-party code: follow the tainted arguments (closures also see the
        // tainted names of the enclosing scope).
        if let Some(q) = &qual
            && !sinks::is_known_api(q)
            && let Some(callee) = self.resolve_local(ctx, q)
            && (any_arg.is_some() || (callee.closure && !self.env.is_empty()))
        {
            return self.follow_local_call(ctx, callee, call, &args, &keywords);
        }

        if self.record_mutation(call, method.as_deref(), receiver.as_ref(), any_arg.as_ref()) {
            return None;
        }

        if let Expr::Attribute(attr) = call.func.as_ref() {
            // `CONSTANT.get(key, default)`: a value of a constant mapping, or the default.
            if method.as_deref() == Some("get")
                && receiver.is_none()
                && any_arg.is_some()
                && self.is_constant_dict(ctx, &attr.value)
            {
                return args.get(1).cloned().flatten();
            }
            // `"https://host/{}".format(x)`: the origin is fixed by the format string.
            if method.as_deref() == Some("format") {
                let out =
                    self.call_result(call, qual.as_deref(), method.as_deref(), receiver, any_arg);
                return self.pin_origin(ctx, &attr.value, out);
            }
        }
        self.call_result(call, qual.as_deref(), method.as_deref(), receiver, any_arg)
    }

    /// The taint of a call's value from its callee, receiver and arguments.
    fn call_result(
        &self,
        call: &ExprCall,
        qual: Option<&str>,
        method: Option<&str>,
        receiver: Option<Taint>,
        any_arg: Option<Taint>,
    ) -> Option<Taint> {
        let name = qual.unwrap_or("");
        if sinks::is_sanitizer(name) || sinks::returns_file_handle(name) {
            return None;
        }
        if let Some(kind) = sinks::sanitizer_for(name) {
            return any_arg.map(|mut t| {
                t.safe_for |= bit(kind);
                t
            });
        }
        if let Some(note) = sinks::decoder_note(name) {
            let at = call.range().start();
            return any_arg.map(|t| {
                let mut parsed = t.with_step(self.step(at, note.to_string()));
                parsed.structured = note.starts_with("parsed by json");
                parsed
            });
        }
        if let Some(m) = method
            && receiver.is_some()
        {
            if sinks::returns_non_text(m) {
                return None;
            }
            let out = join(receiver, any_arg);
            // Lookups keep a parsed document's shape; string methods give strings.
            return if matches!(m, "get" | "pop" | "copy" | "setdefault" | "values") {
                out
            } else {
                stringified(out)
            };
        }
        if matches!(name, "str" | "repr" | "format") {
            return stringified(any_arg);
        }
        any_arg
    }

    /// `args.append(tainted)`: the collection now holds event data. True when recorded.
    fn record_mutation(
        &mut self,
        call: &ExprCall,
        method: Option<&str>,
        receiver: Option<&Taint>,
        any_arg: Option<&Taint>,
    ) -> bool {
        if let Some(m) = method
            && matches!(
                m,
                "append" | "extend" | "insert" | "add" | "update" | "appendleft" | "setdefault"
            )
            && let Some(t) = any_arg
            && let Expr::Attribute(attr) = call.func.as_ref()
            && let Some(root) = root_name(&attr.value)
        {
            let at = call.range().start();
            let head_clean = receiver.is_none()
                && m != "insert"
                && self.objects.get(&root).is_some_and(|ty| ty == "[list]");
            let mut added = t.with_step(self.step(at, format!("added to `{root}`")));
            added.head_clean = head_clean;
            let merged = match self.env.remove(&root) {
                Some(existing) => join(Some(existing), Some(added)),
                None => Some(added),
            };
            if let Some(merged) = merged {
                self.env.insert(root, merged);
            }
            return true;
        }
        false
    }

    /// A call to a top-level function of this file or of a locally imported file: analyse it with
    /// its tainted parameters; the result is the taint of its return value.
    fn follow_local_call(
        &mut self,
        ctx: &mut Ctx<'_>,
        callee_ref: Callee,
        call: &ExprCall,
        args: &[Option<Taint>],
        keywords: &[(Option<String>, Option<Taint>)],
    ) -> Option<Taint> {
        let fallback = || {
            args.iter()
                .cloned()
                .chain(keywords.iter().map(|(_, t)| t.clone()))
                .fold(None, join)
        };
        if self.call_depth >= MAX_CALL_DEPTH || ctx.calls_left == 0 {
            return fallback();
        }
        ctx.calls_left -= 1;
        let Callee {
            module,
            function,
            closure,
            at: def_at,
            class,
        } = callee_ref;
        let def = match (def_at, &class) {
            (Some(offset), _) => find_def_at(module.body(), offset, 0),
            (None, Some(class)) => module.method(class, &function),
            (None, None) => module.function(&function),
        };
        let Some(def) = def else {
            return fallback();
        };
        let at = call.range().start();
        let mut callee = FnRun::new(Rc::clone(&module), self.call_depth + 1);
        if closure {
            ctx.charge(self.env.len());
            callee.env.clone_from(&self.env);
            callee.objects.clone_from(&self.objects);
            callee.nested.clone_from(&self.nested);
            for p in def
                .parameters
                .posonlyargs
                .iter()
                .chain(def.parameters.args.iter())
                .chain(def.parameters.kwonlyargs.iter())
            {
                callee.env.remove(p.parameter.name.as_str());
            }
        }
        let is_static = def
            .decorator_list
            .iter()
            .any(|d| matches!(&d.expression, Expr::Name(n) if n.id.as_str() == "staticmethod"));
        let skip_self = usize::from(class.is_some() && !is_static);
        let params: Vec<&ruff_python_ast::ParameterWithDefault> = def
            .parameters
            .posonlyargs
            .iter()
            .chain(def.parameters.args.iter())
            .skip(skip_self)
            .collect();
        callee.class = class;
        let bind_param = |callee: &mut FnRun, name: &str, taint: &Taint| {
            let step = self.step(at, format!("passed to `{function}` as `{name}`"));
            callee.env.insert(name.to_string(), taint.with_step(step));
        };
        for (i, taint) in args.iter().enumerate() {
            let Some(taint) = taint else { continue };
            if let Some(p) = params.get(i) {
                bind_param(&mut callee, p.parameter.name.as_str(), taint);
            } else if let Some(vararg) = &def.parameters.vararg {
                bind_param(&mut callee, vararg.name.as_str(), taint);
            }
        }
        for (name, taint) in keywords {
            let Some(taint) = taint else { continue };
            match name {
                Some(n) => bind_param(&mut callee, n, taint),
                None => {
                    if let Some(kwarg) = &def.parameters.kwarg {
                        bind_param(&mut callee, kwarg.name.as_str(), taint);
                    }
                }
            }
        }
        callee.exec_block(ctx, &def.body, 0);
        callee.returned.map(|t| {
            let step = self.step(at, format!("returned from `{function}`"));
            t.with_step(step)
        })
    }

    /// `f` (a nested def of this body, or a top-level def here) or `helpers.f` / imported `f`
    /// (a def in a local module).
    fn resolve_local(&self, ctx: &mut Ctx<'_>, qual: &str) -> Option<Callee> {
        let bare = !qual.contains('.') && !qual.contains('(') && !qual.contains('[');
        if bare && let Some(&offset) = self.nested.get(qual) {
            return Some(Callee {
                module: Rc::clone(&self.module),
                function: qual.to_string(),
                closure: true,
                at: Some(offset),
                class: None,
            });
        }
        if bare && self.module.function(qual).is_some() {
            return Some(Callee {
                module: Rc::clone(&self.module),
                function: qual.to_string(),
                closure: false,
                at: None,
                class: None,
            });
        }
        let (prefix, function) = qual.rsplit_once('.')?;
        if function.contains('(') || function.contains('[') {
            return None;
        }
        // `Class().method` / `module.Class().method`: a method of a first-party class.
        if let Some(class_path) = prefix.strip_suffix("()") {
            if class_path.contains(['(', '[']) {
                return None;
            }
            let (module, class) = match class_path.rsplit_once('.') {
                None => (Rc::clone(&self.module), class_path),
                Some((module_name, class)) => {
                    let file = self.module.local_modules.get(module_name)?;
                    (ctx.load(file, self.module.depth + 1)?, class)
                }
            };
            if !module.has_class(class) {
                // `from services import OrderService` → `services.OrderService`.
                return None;
            }
            module.method(class, function)?;
            return Some(Callee {
                module,
                function: function.to_string(),
                closure: false,
                at: None,
                class: Some(class.to_string()),
            });
        }
        let file = self.module.local_modules.get(prefix)?;
        let module = ctx.load(file, self.module.depth + 1)?;
        module.function(function)?;
        Some(Callee {
            module,
            function: function.to_string(),
            closure: false,
            at: None,
            class: None,
        })
    }
}

/// A first-party function a call resolves to.
struct Callee {
    module: Rc<PyModule>,
    function: String,
    /// A method of this class (its first parameter is `self`).
    class: Option<String>,
    /// A nested def: it sees the caller's names.
    closure: bool,
    /// Offset of a nested def (top-level ones are found by name).
    at: Option<TextSize>,
}

/// The `def` starting at `offset`, anywhere in the module.
fn find_def_at(body: &[Stmt], offset: TextSize, depth: usize) -> Option<&StmtFunctionDef> {
    if depth > MAX_NESTING {
        return None;
    }
    for stmt in body {
        if let Stmt::FunctionDef(def) = stmt
            && def.range().start() == offset
        {
            return Some(def);
        }
        if stmt.range().start() > offset || stmt.range().end() < offset {
            continue;
        }
        for block in child_blocks(stmt) {
            if let Some(def) = find_def_at(block, offset, depth + 1) {
                return Some(def);
            }
        }
    }
    None
}

/// The statement blocks directly inside a compound statement.
fn child_blocks(stmt: &Stmt) -> Vec<&[Stmt]> {
    match stmt {
        Stmt::FunctionDef(def) => vec![&def.body],
        Stmt::ClassDef(class) => vec![&class.body],
        Stmt::If(stmt_if) => std::iter::once(stmt_if.body.as_slice())
            .chain(stmt_if.elif_else_clauses.iter().map(|c| c.body.as_slice()))
            .collect(),
        Stmt::For(stmt_for) => vec![&stmt_for.body, &stmt_for.orelse],
        Stmt::While(stmt_while) => vec![&stmt_while.body, &stmt_while.orelse],
        Stmt::With(with) => vec![&with.body],
        Stmt::Try(stmt_try) => {
            let mut out: Vec<&[Stmt]> = vec![&stmt_try.body, &stmt_try.orelse, &stmt_try.finalbody];
            for handler in &stmt_try.handlers {
                let ruff_python_ast::ExceptHandler::ExceptHandler(h) = handler;
                out.push(&h.body);
            }
            out
        }
        Stmt::Match(stmt_match) => stmt_match.cases.iter().map(|c| c.body.as_slice()).collect(),
        _ => Vec::new(),
    }
}

/// The names a `match` pattern captures.
fn pattern_names(pattern: &ruff_python_ast::Pattern) -> Vec<String> {
    use ruff_python_ast::Pattern;
    let mut out = Vec::new();
    let mut stack = vec![pattern];
    while let Some(p) = stack.pop() {
        if out.len() > 256 {
            break;
        }
        match p {
            Pattern::MatchAs(m) => {
                if let Some(name) = &m.name {
                    out.push(name.as_str().to_string());
                }
                if let Some(inner) = &m.pattern {
                    stack.push(inner);
                }
            }
            Pattern::MatchStar(m) => {
                if let Some(name) = &m.name {
                    out.push(name.as_str().to_string());
                }
            }
            Pattern::MatchSequence(m) => stack.extend(m.patterns.iter()),
            Pattern::MatchOr(m) => stack.extend(m.patterns.iter()),
            Pattern::MatchMapping(m) => {
                stack.extend(m.patterns.iter());
                if let Some(rest) = &m.rest {
                    out.push(rest.as_str().to_string());
                }
            }
            Pattern::MatchClass(m) => {
                stack.extend(m.arguments.patterns.iter());
                stack.extend(m.arguments.keywords.iter().map(|k| &k.pattern));
            }
            _ => {}
        }
    }
    out
}

/// `objects` marker of a name bound to a dict literal of constants.
const CONSTANT_DICT: &str = "[constant dict]";

/// A literal made only of constants (strings, numbers, booleans, `None`, and tuples, lists,
/// sets and dicts of those).
fn is_constant_value(expr: &Expr, depth: usize) -> bool {
    if depth > 16 {
        return false;
    }
    match expr {
        Expr::StringLiteral(_)
        | Expr::BytesLiteral(_)
        | Expr::NumberLiteral(_)
        | Expr::BooleanLiteral(_)
        | Expr::NoneLiteral(_) => true,
        Expr::Tuple(t) => t.elts.iter().all(|e| is_constant_value(e, depth + 1)),
        Expr::List(l) => l.elts.iter().all(|e| is_constant_value(e, depth + 1)),
        Expr::Set(s) => s.elts.iter().all(|e| is_constant_value(e, depth + 1)),
        Expr::Dict(d) => d.items.iter().all(|item| {
            item.key
                .as_ref()
                .is_some_and(|k| is_constant_value(k, depth + 1))
                && is_constant_value(&item.value, depth + 1)
        }),
        _ => false,
    }
}

/// `scheme://host` followed by `/`, `?` or `#` (see [`crate::fixes_origin`]), with this
/// language's placeholder characters.
fn fixes_origin(prefix: &str) -> bool {
    crate::fixes_origin(prefix, &['{', '%', '\\'])
}

/// The variable at the root of `a.b[c].d`.
fn root_name(expr: &Expr) -> Option<String> {
    let mut cur = expr;
    for _ in 0..64 {
        match cur {
            Expr::Name(name) => return Some(name.id.as_str().to_string()),
            Expr::Attribute(attr) => cur = &attr.value,
            Expr::Subscript(sub) => cur = &sub.value,
            _ => return None,
        }
    }
    None
}

/// The block ends by leaving (return, raise, continue, break).
fn terminates(body: &[Stmt]) -> bool {
    matches!(
        body.last(),
        Some(Stmt::Return(_) | Stmt::Raise(_) | Stmt::Continue(_) | Stmt::Break(_))
    )
}

/// `x in ALLOWED` → `x` (the body runs only for allowlisted values).
fn allowlisted_in_body(test: &Expr) -> Option<String> {
    let Expr::Compare(compare) = test else {
        return None;
    };
    if compare.ops.as_ref() != [CmpOp::In] {
        return None;
    }
    let name = guard_subject(&compare.left)?;
    is_constant_collection(compare.comparators.first()?).then_some(name)
}

/// The variable a membership guard checks: `x`, or `parsed` in `parsed.hostname`.
fn guard_subject(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Name(name) => Some(name.id.as_str().to_string()),
        Expr::Attribute(attr) if matches!(attr.attr.as_str(), "hostname" | "netloc") => {
            match attr.value.as_ref() {
                Expr::Name(name) => Some(name.id.as_str().to_string()),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Names a guard `if <test>: return` proves valid on fall-through, fully (`None`) or for one
/// sink kind: `x not in ALLOWED`, `not x.isdigit()` / `isalnum()`, `not re.fullmatch(P, x)`
/// (fully); `".." in x` and `not x.startswith(BASE)` / `is_relative_to` on a normalised path
/// (file paths); `not x.startswith("https://host/…")` (outbound URLs).
fn rejected_unless_valid(
    test: &Expr,
    normalized: &HashSet<String>,
) -> Vec<(String, Option<SinkKind>)> {
    let mut out = Vec::new();
    match test {
        Expr::Compare(compare) if compare.ops.as_ref() == [CmpOp::NotIn] => {
            if let (Some(name), Some(coll)) =
                (guard_subject(&compare.left), compare.comparators.first())
                && is_constant_collection(coll)
            {
                out.push((name, None));
            }
        }
        Expr::Compare(compare) if compare.ops.as_ref() == [CmpOp::In] => {
            if let Expr::StringLiteral(lit) = compare.left.as_ref()
                && lit.value.to_str().contains("..")
                && let Some(Expr::Name(name)) = compare.comparators.first()
            {
                out.push((name.id.as_str().to_string(), Some(SinkKind::FilePath)));
            }
        }
        Expr::UnaryOp(unary) if unary.op == UnaryOp::Not => {
            if let Expr::Call(call) = unary.operand.as_ref()
                && let Expr::Attribute(attr) = call.func.as_ref()
            {
                out.extend(validated_by_check(call, attr, normalized));
            }
        }
        Expr::BoolOp(bool_op) if bool_op.op == BoolOp::Or => {
            for value in &bool_op.values {
                out.extend(rejected_unless_valid(value, normalized));
            }
        }
        _ => {}
    }
    out
}

/// `x.isdigit()`, `re.fullmatch(P, x)`, `x.startswith(…)`, `x.is_relative_to(…)`: what a
/// failing check (with an early exit) leaves validated.
fn validated_by_check(
    call: &ExprCall,
    attr: &ruff_python_ast::ExprAttribute,
    normalized: &HashSet<String>,
) -> Option<(String, Option<SinkKind>)> {
    let m = attr.attr.as_str();
    let subject = match attr.value.as_ref() {
        Expr::Name(name) => Some(name.id.as_str().to_string()),
        _ => None,
    };
    match m {
        "isdigit" | "isalnum" | "isnumeric" | "isdecimal" | "isidentifier" => {
            subject.map(|s| (s, None))
        }
        // re.fullmatch(PATTERN, x) or compiled.fullmatch(x)
        "fullmatch" | "match" => match call.arguments.args.last() {
            Some(Expr::Name(name)) => Some((name.id.as_str().to_string(), None)),
            _ => None,
        },
        "startswith" | "is_relative_to" => {
            // `os.path.realpath(p).startswith(BASE)` checks `p` itself.
            let normalized_inline = match attr.value.as_ref() {
                Expr::Call(inner) => match (inner.func.as_ref(), inner.arguments.args.first()) {
                    (Expr::Attribute(f), Some(Expr::Name(arg)))
                        if matches!(f.attr.as_str(), "realpath" | "abspath" | "normpath") =>
                    {
                        Some(arg.id.as_str().to_string())
                    }
                    _ => None,
                },
                _ => None,
            };
            if let Some(p) = normalized_inline {
                return Some((p, Some(SinkKind::FilePath)));
            }
            let subject = subject?;
            if normalized.contains(&subject) {
                return Some((subject, Some(SinkKind::FilePath)));
            }
            // A URL prefix that fixes scheme, host and the slash after it.
            if m == "startswith"
                && let Some(Expr::StringLiteral(prefix)) = call.arguments.args.first()
            {
                let prefix = prefix.value.to_str();
                let rest = prefix
                    .strip_prefix("https://")
                    .or_else(|| prefix.strip_prefix("http://"));
                if rest.is_some_and(|r| r.find('/').is_some_and(|i| i > 0)) {
                    return Some((subject, Some(SinkKind::OutboundUrl)));
                }
            }
            None
        }
        _ => None,
    }
}

/// An allowlist: a literal collection or an UPPER_CASE constant name.
fn is_constant_collection(expr: &Expr) -> bool {
    match expr {
        Expr::List(_) | Expr::Tuple(_) | Expr::Set(_) | Expr::Dict(_) => true,
        Expr::Name(name) => {
            let id = name.id.as_str();
            id.chars().any(char::is_alphabetic)
                && id
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        }
        Expr::Attribute(attr) => attr
            .attr
            .as_str()
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::fixes_origin;

    /// A prefix fixes the origin once scheme, host and the `/`, `?` or `#` after the host are
    /// all constant; `%` and `{` placeholders in the host do not.
    #[test]
    fn origin_fixing_prefixes() {
        for prefix in [
            "https://api.example.com/",
            "https://geo.example.com/v1/search?",
            "http://localhost:9000#",
        ] {
            assert!(fixes_origin(prefix), "{prefix}");
        }
        for prefix in [
            "https://",
            "https://api.example.com",
            "https://%s/",
            "https://{}/",
            "api.example.com/",
        ] {
            assert!(!fixes_origin(prefix), "{prefix}");
        }
    }
}
