//! Python taint analysis over ruff's parser (`ruff_python_parser` 0.0.10).
//!
//! The handler's first parameter is the event. Statements are walked in order with an environment
//! of tainted names; branches are analysed separately and merged, loops twice. Calls to top-level
//! functions of the same file, or of a file imported locally (`import x`, `from x import f`,
//! relative imports), are followed with their tainted parameters, a few levels deep; so are
//! methods of first-party classes called on an instance (`Service().run(x)`, a module-level
//! `service = Service()`, `self.helper(x)` inside a method) and nested functions (closures). Every
//! evaluation counts against a budget so that time per handler is bounded, and recursion over the
//! tree is cut at [`MAX_NESTING`] levels (the parser itself grows its stack as needed). Parsed
//! trees are taken apart without recursion when dropped (`dispose`): a deep tree's recursive drop
//! would overflow the stack. Files with f-strings nested more than 2,000 levels are not parsed
//! (the parser is quadratic in that depth).
//!
//! Frameworks: AWS Lambda Powertools resolvers (`app.resolve(event, context)`), Mangum
//! (`handler = Mangum(app)`, FastAPI/Starlette), Chalice (`app = Chalice(…)` as the handler) and
//! serverless-wsgi / awsgi (Flask) dispatch to functions registered with `@app.<method>(…)`: those
//! run with `app` (`current_event`, `current_request`), their parameters (except `int`, `float`,
//! `bool` annotations, which the frameworks validate) and Flask's global `request` tainted.
//!
//! Decisions worth knowing:
//! - `subprocess.*` is a command sink with `shell=True` (any tainted part of the command), and
//!   without a shell only when the program itself comes from the event (a tainted string first
//!   argument, or a list whose first element is tainted): `run(["ping", host])` is not flagged.
//! - A value is safe for one sink kind after `shlex.quote` (commands) or `os.path.basename` /
//!   `secure_filename` (paths); `int`/`float`/`bool`/`len`/hashes/`ipaddress.*` end the taint.
//!   Guards with an early exit validate a name after the `if`: `x not in ALLOWED`,
//!   `not x.isdigit()`, `not re.fullmatch(P, x)`, and `urlparse(u).hostname not in ALLOWED`
//!   (which validates `u`); inside `if x in ALLOWED:` the name is validated. For file paths only:
//!   `".." in x` and `not p.startswith(BASE)` / `is_relative_to` when `p` was normalised
//!   (`realpath`/`abspath`/`normpath`/`resolve()`; a bare prefix check is not enough). For URLs
//!   only: `not u.startswith("https://host/")` (the slash after the host is required).
//! - SQL: the first argument of `execute`/`executemany`/`executescript`/`mogrify`/`raw` on any
//!   receiver, and `sqlalchemy.text`; a constant query with parameters is clean by construction.
//!   MongoDB: `$where` or computed keys in a literal filter, a whole filter parsed from event
//!   JSON, or a filter value that may still be a parsed JSON document (`{"user": body["user"]}`
//!   with `body = json.loads(…)`: operator injection such as `{"$ne": null}`); `str()`,
//!   concatenation, f-strings and string methods make it a plain string.
//! - Text comes from [`SourceFiles::read`]: the reader decides how non-UTF-8 files are decoded
//!   (lossily, in the engine); a file it cannot give as text is a problem.
//! - Dependencies installed into the code directory (listed in a `*.dist-info/RECORD`) are not
//!   followed as local imports: only first-party code is analysed.
//! - One finding per sink kind and line (`execute(text(f"…"))` is one flaw); paths keep the source
//!   and the last seven steps.

mod dispose;
mod sinks;
mod taint;

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use ruff_python_ast::{ModModule, PySourceType, Stmt, StmtFunctionDef};
use ruff_python_parser::{Parsed, parse_unchecked_source};
use ruff_text_size::TextSize;

use crate::{Analysis, Handler, Limits, Problem, SourceFiles, TaintFinding};

/// Expressions and blocks nested deeper than this are not analysed further (a problem is
/// reported once per file).
pub(crate) const MAX_NESTING: usize = 200;

/// Files whose f-strings nest deeper than this are not parsed: ruff's parser takes time quadratic
/// in that depth (measured: 8,000 levels ≈ 0.1 s, 100,000 levels ≫ 10 s).
const MAX_FSTRING_NESTING: usize = 2000;

/// At most this many syntax errors are reported per file.
const MAX_SYNTAX_PROBLEMS: usize = 5;

/// Analyses one Python handler.
pub(crate) fn analyze(files: &dyn SourceFiles, handler: &Handler, limits: Limits) -> Analysis {
    Session::new(files, limits).analyze(handler)
}

/// Parsed files shared between the handlers of one code directory: each file is read and parsed
/// once (a syntax error is reported with the first handler that reads the file).
pub(crate) struct Session<'f> {
    files: &'f dyn SourceFiles,
    limits: Limits,
    modules: ModuleCache,
    vendored: Option<HashSet<String>>,
    /// Problems found while discovering a file's handlers, reported with the first of them.
    pending_problems: Vec<Problem>,
}

/// A session keeps at most about this many parsed files.
const MAX_CACHED_MODULES: usize = 1024;

/// Parsed files by path and import depth (`None`: unreadable, too large, or being loaded).
type ModuleCache = HashMap<(String, usize), Option<Rc<PyModule>>>;

impl<'f> Session<'f> {
    pub(crate) fn new(files: &'f dyn SourceFiles, limits: Limits) -> Self {
        Session {
            files,
            limits,
            modules: HashMap::new(),
            vendored: None,
            pending_problems: Vec::new(),
        }
    }

    /// The handler-shaped functions of `file` (discovery), parsing it into the session so that
    /// analysing them does not parse it again. The file's syntax errors are kept for the
    /// analysis of its first handler.
    pub(crate) fn discover(&mut self, file: &str, handler_file: bool) -> Vec<String> {
        if self.modules.len() > MAX_CACHED_MODULES {
            self.modules.clear();
        }
        let mut ctx = Ctx::new(self.files, self.limits);
        ctx.modules = std::mem::take(&mut self.modules);
        ctx.vendored = self.vendored.take();
        let found = ctx
            .load(file, 0)
            .map(|module| crate::handler::handlers_in(&module.parsed, handler_file))
            .unwrap_or_default();
        self.modules = std::mem::take(&mut ctx.modules);
        self.vendored = ctx.vendored.take();
        if !found.is_empty() {
            self.pending_problems = ctx.problems;
        }
        found
    }

    /// Analyses one handler with the files parsed so far.
    pub(crate) fn analyze(&mut self, handler: &Handler) -> Analysis {
        // Bounded memory over a large tree: handlers come file by file, and the files one
        // handler imports are near it, so starting afresh now and then costs a few re-parses.
        if self.modules.len() > MAX_CACHED_MODULES {
            self.modules.clear();
        }
        let mut ctx = Ctx::new(self.files, self.limits);
        ctx.modules = std::mem::take(&mut self.modules);
        ctx.vendored = self.vendored.take();
        ctx.problems = std::mem::take(&mut self.pending_problems);
        match ctx.load(&handler.file, 0) {
            Some(module) => taint::analyze_handler(&mut ctx, &module, &handler.function),
            None => {
                if !ctx.problems.iter().any(|p| p.file == handler.file) {
                    ctx.problem(
                        &handler.file,
                        None,
                        "cannot read the handler file (missing or not text)",
                    );
                }
            }
        }
        self.modules = std::mem::take(&mut ctx.modules);
        self.vendored = ctx.vendored.take();
        ctx.finish()
    }
}

impl std::fmt::Debug for Session<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("modules", &self.modules.len())
            .finish_non_exhaustive()
    }
}

/// Bytes between character-count checkpoints of non-ASCII text.
const CHECKPOINT_BYTES: usize = 4096;

/// Byte offsets of line starts, for 1-based line and character columns in O(log n): columns of
/// ASCII text are byte differences; otherwise character counts are kept every
/// [`CHECKPOINT_BYTES`], so a multi-MB line costs at most one block of counting per lookup.
#[derive(Debug)]
pub(crate) struct LineIndex {
    starts: Vec<usize>,
    /// `(byte offset, characters before it)` at the first character boundary of each block;
    /// empty for ASCII text.
    checkpoints: Vec<(usize, usize)>,
}

impl LineIndex {
    fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        let mut checkpoints = Vec::new();
        if !text.is_ascii() {
            let mut next = 0;
            for (chars, (byte, _)) in text.char_indices().enumerate() {
                if byte >= next {
                    checkpoints.push((byte, chars));
                    next = (byte / CHECKPOINT_BYTES + 1) * CHECKPOINT_BYTES;
                }
            }
        }
        LineIndex {
            starts,
            checkpoints,
        }
    }

    /// Characters before byte `offset` (a character boundary).
    fn chars_before(&self, text: &str, offset: usize) -> usize {
        if self.checkpoints.is_empty() {
            return offset;
        }
        let i = self
            .checkpoints
            .partition_point(|&(byte, _)| byte <= offset)
            .max(1);
        let (byte, chars) = self.checkpoints[i - 1];
        chars + text.get(byte..offset).map_or(0, |s| s.chars().count())
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub(crate) fn locate(&self, text: &str, offset: TextSize) -> (u32, u32) {
        let offset = usize::from(offset).min(text.len());
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts[line - 1];
        let column = self
            .chars_before(text, offset)
            .saturating_sub(self.chars_before(text, start));
        (
            u32::try_from(line).unwrap_or(u32::MAX),
            u32::try_from(column + 1).unwrap_or(u32::MAX),
        )
    }
}

/// One parsed Python file.
#[derive(Debug)]
pub(crate) struct PyModule {
    pub(crate) file: String,
    pub(crate) text: String,
    pub(crate) lines: LineIndex,
    pub(crate) parsed: Parsed<ModModule>,
    /// How many local imports away from the handler's file.
    pub(crate) depth: usize,
    /// Local name → dotted name it stands for (`sp` → `subprocess`, `run` → `subprocess.run`,
    /// `helper` → `.helpers.helper` for a relative import).
    pub(crate) aliases: HashMap<String, String>,
    /// Dotted module name as imported (with leading dots for relative imports) → file, for
    /// modules found in the code directory.
    pub(crate) local_modules: HashMap<String, String>,
    /// Top-level `def` name → index in the body (the last definition wins, as in Python).
    functions: HashMap<String, usize>,
    /// Top-level `class` name → index in the body.
    classes: HashMap<String, usize>,
    /// Module-level `x = Something(…)` → `Something()` (dotted as written), so that methods of
    /// module-level clients and service objects resolve inside functions.
    pub(crate) instances: HashMap<String, String>,
}

impl Drop for PyModule {
    fn drop(&mut self) {
        let empty = parse_unchecked_source("", PySourceType::Python);
        dispose::dispose(std::mem::replace(&mut self.parsed, empty));
    }
}

impl PyModule {
    pub(crate) fn body(&self) -> &[Stmt] {
        &self.parsed.syntax().body
    }

    /// A method of a top-level class (the last definition wins).
    pub(crate) fn method(&self, class: &str, name: &str) -> Option<&StmtFunctionDef> {
        let Some(Stmt::ClassDef(class)) = self.body().get(*self.classes.get(class)?) else {
            return None;
        };
        class.body.iter().rev().find_map(|stmt| match stmt {
            Stmt::FunctionDef(def) if def.name.as_str() == name => Some(def),
            _ => None,
        })
    }

    pub(crate) fn has_class(&self, class: &str) -> bool {
        self.classes.contains_key(class)
    }

    /// A top-level `def` (or `async def`) by name.
    pub(crate) fn function(&self, name: &str) -> Option<&StmtFunctionDef> {
        match self.body().get(*self.functions.get(name)?) {
            Some(Stmt::FunctionDef(def)) => Some(def),
            _ => None,
        }
    }

    pub(crate) fn locate(&self, offset: TextSize) -> (u32, u32) {
        self.lines.locate(&self.text, offset)
    }
}

/// Shared state of one handler's analysis.
pub(crate) struct Ctx<'f> {
    files: &'f dyn SourceFiles,
    limits: Limits,
    modules: ModuleCache,
    pub(crate) findings: Vec<TaintFinding>,
    pub(crate) problems: Vec<Problem>,
    /// Expression evaluations left before the analysis stops.
    pub(crate) budget: u64,
    /// Function bodies left to analyse (interprocedural calls).
    pub(crate) calls_left: u32,
    budget_reported: bool,
    nesting_reported: Vec<String>,
    /// Top-level module names of vendored distributions (from `*.dist-info/RECORD`), computed on
    /// first use.
    vendored: Option<HashSet<String>>,
}

impl<'f> Ctx<'f> {
    fn new(files: &'f dyn SourceFiles, limits: Limits) -> Self {
        Ctx {
            files,
            limits,
            modules: HashMap::new(),
            findings: Vec::new(),
            problems: Vec::new(),
            budget: 2_000_000,
            calls_left: 300,
            budget_reported: false,
            nesting_reported: Vec::new(),
            vendored: None,
        }
    }

    fn finish(mut self) -> Analysis {
        self.findings.sort_by(|a, b| {
            let ka = a.path.last().map(|s| (s.file.clone(), s.line, s.column));
            let kb = b.path.last().map(|s| (s.file.clone(), s.line, s.column));
            ka.cmp(&kb).then(a.kind.cmp(&b.kind))
        });
        Analysis {
            findings: self.findings,
            problems: self.problems,
        }
    }

    pub(crate) fn problem(&mut self, file: &str, line: Option<u32>, message: &str) {
        self.problems.push(Problem {
            file: file.to_string(),
            line,
            message: message.to_string(),
        });
    }

    /// Counts one evaluation; false once the budget is spent (reported once).
    pub(crate) fn tick(&mut self, file: &str) -> bool {
        if self.budget == 0 {
            if !self.budget_reported {
                self.budget_reported = true;
                self.problem(
                    file,
                    None,
                    "analysis budget exhausted; the rest of the handler was not analysed",
                );
            }
            return false;
        }
        self.budget -= 1;
        true
    }

    /// Charges work proportional to `units` (environment copies) against the budget.
    pub(crate) fn charge(&mut self, units: usize) {
        let units = u64::try_from(units / 8).unwrap_or(u64::MAX);
        self.budget = self.budget.saturating_sub(units);
    }

    pub(crate) fn too_deep(&mut self, file: &str, line: u32) {
        if !self.nesting_reported.iter().any(|f| f == file) {
            self.nesting_reported.push(file.to_string());
            self.problem(
                file,
                Some(line),
                &format!("code nested deeper than {MAX_NESTING} levels is not analysed"),
            );
        }
    }

    /// Reads and parses a file once (cached); syntax errors and size overruns are problems.
    pub(crate) fn load(&mut self, file: &str, depth: usize) -> Option<Rc<PyModule>> {
        // Keyed by depth too: a file imported by one handler can be another handler's own file,
        // whose imports are then followed.
        let key = (file.to_string(), depth);
        if let Some(cached) = self.modules.get(&key) {
            return cached.clone();
        }
        // Placeholder first: an import cycle finds `None` instead of recursing.
        self.modules.insert(key.clone(), None);
        let mut module = self.parse(file, depth)?;
        module.local_modules = self.local_imports(&module);
        let module = Rc::new(module);
        self.modules.insert(key, Some(Rc::clone(&module)));
        Some(module)
    }

    fn parse(&mut self, file: &str, depth: usize) -> Option<PyModule> {
        let text = self.files.read(file)?;
        if text.len() > self.limits.max_file_bytes {
            self.problem(
                file,
                None,
                &format!(
                    "file is {} bytes, over the {}-byte limit; not analysed",
                    text.len(),
                    self.limits.max_file_bytes
                ),
            );
            return None;
        }
        let nesting = fstring_nesting(&text);
        if nesting > MAX_FSTRING_NESTING {
            self.problem(
                file,
                None,
                &format!(
                    "f-strings nested about {nesting} levels deep (limit {MAX_FSTRING_NESTING}); \
                     not parsed"
                ),
            );
            return None;
        }
        let parsed = parse_unchecked_source(&text, PySourceType::Python);
        let lines = LineIndex::new(&text);
        for error in parsed.errors().iter().take(MAX_SYNTAX_PROBLEMS) {
            let (line, _) = lines.locate(&text, error.location.start());
            self.problems.push(Problem {
                file: file.to_string(),
                line: Some(line),
                message: format!("syntax error: {}", error.error),
            });
        }
        let mut module = PyModule {
            file: file.to_string(),
            text: String::new(),
            lines,
            parsed,
            depth,
            aliases: HashMap::new(),
            local_modules: HashMap::new(),
            functions: HashMap::new(),
            classes: HashMap::new(),
            instances: HashMap::new(),
        };
        let functions: HashMap<String, usize> = module
            .body()
            .iter()
            .enumerate()
            .filter_map(|(i, stmt)| match stmt {
                Stmt::FunctionDef(def) => Some((def.name.as_str().to_string(), i)),
                _ => None,
            })
            .collect();
        module.functions = functions;
        let mut classes = HashMap::new();
        let mut instances = HashMap::new();
        for (i, stmt) in module.body().iter().enumerate() {
            match stmt {
                Stmt::ClassDef(class) => {
                    classes.insert(class.name.as_str().to_string(), i);
                }
                Stmt::Assign(assign) => {
                    if let [ruff_python_ast::Expr::Name(target)] = assign.targets.as_slice()
                        && let ruff_python_ast::Expr::Call(call) = assign.value.as_ref()
                        && let Some(callee) = dotted(&call.func)
                    {
                        instances.insert(target.id.as_str().to_string(), format!("{callee}()"));
                    }
                }
                _ => {}
            }
        }
        module.classes = classes;
        module.instances = instances;
        collect_imports(
            module.parsed.syntax().body.as_slice(),
            &mut module.aliases,
            0,
        );
        module.text = text;
        Some(module)
    }

    /// Finds which imported modules are files of the code directory (within the import depth).
    fn local_imports(&mut self, module: &PyModule) -> HashMap<String, String> {
        let mut found = HashMap::new();
        if module.depth >= self.limits.max_import_depth {
            return found;
        }
        let mut wanted: Vec<String> = Vec::new();
        for target in module.aliases.values() {
            // `helpers` (import helpers) or `helpers.f` (from helpers import f): try both the
            // whole name and its parent.
            wanted.push(target.clone());
            if let Some((parent, _)) = target.rsplit_once('.')
                && !parent.is_empty()
                && !parent.chars().all(|c| c == '.')
            {
                wanted.push(parent.to_string());
            }
        }
        wanted.sort();
        wanted.dedup();
        // Vendored packages are dependencies: followed only when asked.
        let vendored = if self.limits.dependencies {
            HashSet::new()
        } else {
            self.vendored_modules()
        };
        wanted.retain(|dotted| {
            let first = dotted.split('.').next().unwrap_or(dotted);
            first.is_empty() || !vendored.contains(first)
        });
        for dotted in wanted {
            for candidate in module_files(&module.file, &dotted) {
                if candidate != module.file && self.load(&candidate, module.depth + 1).is_some() {
                    found.insert(dotted.clone(), candidate);
                    break;
                }
            }
        }
        found
    }
}

impl Ctx<'_> {
    /// Modules installed into the code directory by pip (`pip install -t .`): every top-level
    /// name a `*.dist-info/RECORD` lists. They are dependencies, not first-party code.
    fn vendored_modules(&mut self) -> HashSet<String> {
        if let Some(set) = &self.vendored {
            return set.clone();
        }
        let set = vendored_modules(self.files, &self.files.list());
        self.vendored = Some(set.clone());
        set
    }
}

impl std::fmt::Debug for Ctx<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ctx")
            .field("findings", &self.findings.len())
            .field("problems", &self.problems.len())
            .finish_non_exhaustive()
    }
}

/// An upper estimate of f-string nesting: `{f"` / `{f'` openers (any prefix case, optional `r`)
/// not yet closed by a `}"` / `}'`. Real code stays in single digits.
fn fstring_nesting(text: &str) -> usize {
    let bytes = text.as_bytes();
    let (mut depth, mut max) = (0usize, 0usize);
    let mut i = 0;
    while i + 2 < bytes.len() {
        match bytes[i] {
            b'{' => {
                let mut j = i + 1;
                while j < bytes.len() && j <= i + 3 && matches!(bytes[j], b'f' | b'F' | b'r' | b'R')
                {
                    j += 1;
                }
                let has_f = bytes[i + 1..j].iter().any(|b| matches!(b, b'f' | b'F'));
                if has_f && j < bytes.len() && matches!(bytes[j], b'"' | b'\'') {
                    depth += 1;
                    max = max.max(depth);
                }
            }
            b'}' if matches!(bytes[i + 1], b'"' | b'\'') => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    max
}

/// Parses Python source for a quick look (handler resolution and discovery); hand the result to
/// [`dispose_parsed`] when done so deep trees do not overflow the stack on drop.
pub(crate) fn parse_source(text: &str) -> Parsed<ModModule> {
    parse_unchecked_source(text, PySourceType::Python)
}

/// Drops a parsed module without recursion.
pub(crate) fn dispose_parsed(parsed: Parsed<ModModule>) {
    dispose::dispose(parsed);
}

/// Modules installed into a code directory by pip (`pip install -t .`): every top-level name a
/// `*.dist-info/RECORD` at the root lists.
pub(crate) fn vendored_modules(files: &dyn SourceFiles, paths: &[String]) -> HashSet<String> {
    let mut set = HashSet::new();
    for path in paths {
        let Some((dir, "RECORD")) = path.rsplit_once('/') else {
            continue;
        };
        if dir.contains('/') || !dir.ends_with(".dist-info") {
            continue;
        }
        let Some(record) = files.read(path) else {
            continue;
        };
        for line in record.lines() {
            let file = line.split(',').next().unwrap_or("");
            let first = file.split('/').next().unwrap_or("");
            let name = first.strip_suffix(".py").unwrap_or(first);
            // Identifiers only: skips `*.dist-info`, `*.data`, `..` and paths with dots.
            if !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_') {
                set.insert(name.to_string());
            }
        }
    }
    set
}

/// `a.b.c` as written (names and attributes only).
fn dotted(expr: &ruff_python_ast::Expr) -> Option<String> {
    match expr {
        ruff_python_ast::Expr::Name(name) => Some(name.id.as_str().to_string()),
        ruff_python_ast::Expr::Attribute(attr) => {
            Some(format!("{}.{}", dotted(&attr.value)?, attr.attr.as_str()))
        }
        _ => None,
    }
}

/// Candidate files for a dotted module name imported from `from_file`: relative to the code
/// root, then to the importing file's directory (leading dots: relative to the package).
fn module_files(from_file: &str, dotted: &str) -> Vec<String> {
    let level = dotted.chars().take_while(|&c| c == '.').count();
    let name = &dotted[level..];
    if name.is_empty() {
        return Vec::new();
    }
    let rel = name.replace('.', "/");
    let dir = from_file.rsplit_once('/').map_or("", |(d, _)| d);
    let mut bases: Vec<String> = Vec::new();
    if level == 0 {
        bases.push(String::new());
        if !dir.is_empty() {
            bases.push(dir.to_string());
        }
    } else {
        let mut d = dir.to_string();
        for _ in 1..level {
            d = d
                .rsplit_once('/')
                .map_or(String::new(), |(p, _)| p.to_string());
        }
        bases.push(d);
    }
    let mut out = Vec::new();
    for base in bases {
        let prefix = if base.is_empty() {
            String::new()
        } else {
            format!("{base}/")
        };
        out.push(format!("{prefix}{rel}.py"));
        out.push(format!("{prefix}{rel}/__init__.py"));
    }
    out
}

/// Records `import` and `from … import` bindings anywhere in the file (imports inside functions
/// and `try:` blocks included).
fn collect_imports(body: &[Stmt], aliases: &mut HashMap<String, String>, depth: usize) {
    if depth > MAX_NESTING {
        return;
    }
    for stmt in body {
        match stmt {
            Stmt::Import(import) => {
                for alias in &import.names {
                    let full = alias.name.as_str();
                    if let Some(asname) = &alias.asname {
                        aliases.insert(asname.as_str().to_string(), full.to_string());
                    } else {
                        let first = full.split('.').next().unwrap_or(full);
                        aliases.insert(first.to_string(), first.to_string());
                        if full.contains('.') {
                            // `import a.b` binds `a`; remember the submodule too so that a
                            // local `a/b.py` is found.
                            aliases.insert(format!("{full} (submodule)"), full.to_string());
                        }
                    }
                }
            }
            Stmt::ImportFrom(from) => {
                let dots = ".".repeat(usize::try_from(from.level).unwrap_or(0));
                let module = from.module.as_ref().map_or("", |m| m.as_str());
                let base = format!("{dots}{module}");
                for alias in &from.names {
                    let name = alias.name.as_str();
                    if name == "*" {
                        continue;
                    }
                    let local = alias.asname.as_ref().unwrap_or(&alias.name).as_str();
                    let target = if base.ends_with('.') || base.is_empty() {
                        format!("{base}{name}")
                    } else {
                        format!("{base}.{name}")
                    };
                    aliases.insert(local.to_string(), target);
                }
            }
            Stmt::FunctionDef(def) => collect_imports(&def.body, aliases, depth + 1),
            Stmt::ClassDef(class) => collect_imports(&class.body, aliases, depth + 1),
            Stmt::If(stmt_if) => {
                collect_imports(&stmt_if.body, aliases, depth + 1);
                for clause in &stmt_if.elif_else_clauses {
                    collect_imports(&clause.body, aliases, depth + 1);
                }
            }
            Stmt::Try(stmt_try) => {
                collect_imports(&stmt_try.body, aliases, depth + 1);
                for handler in &stmt_try.handlers {
                    let ruff_python_ast::ExceptHandler::ExceptHandler(h) = handler;
                    collect_imports(&h.body, aliases, depth + 1);
                }
                collect_imports(&stmt_try.orelse, aliases, depth + 1);
                collect_imports(&stmt_try.finalbody, aliases, depth + 1);
            }
            Stmt::With(with) => collect_imports(&with.body, aliases, depth + 1),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lines and character columns are 1-based and count characters, not bytes.
    #[test]
    fn line_index_counts_characters() {
        let text = "a = 1\nb = 'é' + x\n";
        let index = LineIndex::new(text);
        let offset = text
            .find('x')
            .map(|i| TextSize::try_from(i).unwrap_or_default());
        assert_eq!(index.locate(text, offset.unwrap_or_default()), (2, 11));
        assert_eq!(index.locate(text, TextSize::from(0)), (1, 1));
    }

    /// Columns across checkpoint blocks of a long non-ASCII line match plain character counting.
    #[test]
    fn line_index_checkpoints_agree_with_counting() {
        let text = format!("x = 1\n{}y", "é_".repeat(10_000));
        let index = LineIndex::new(&text);
        assert!(index.checkpoints.len() > 2);
        for offset in (6..text.len())
            .step_by(997)
            .filter(|&o| text.is_char_boundary(o))
        {
            let expected = text[6..offset].chars().count() + 1;
            let at = TextSize::try_from(offset).unwrap_or_default();
            assert_eq!(
                index.locate(&text, at),
                (2, u32::try_from(expected).unwrap_or(0))
            );
        }
    }

    /// The f-string nesting estimate counts nested openers and stays low for ordinary code.
    #[test]
    fn fstring_nesting_estimate() {
        assert_eq!(fstring_nesting("x = f\"{a}\" + f'{b!r}'\n"), 0);
        assert_eq!(fstring_nesting("x = f\"{f'{a}'}\"\n"), 1);
        let deep = format!("{}x{}", "f\"{".repeat(50), "}\"".repeat(50));
        assert_eq!(fstring_nesting(&deep), 49);
        assert_eq!(fstring_nesting("d = {f\"k{i}\": i for i in r}\n"), 1);
    }

    /// Relative imports resolve against the importing file's package, absolute ones against the
    /// code root first and then the file's directory.
    #[test]
    fn module_file_candidates() {
        assert_eq!(
            module_files("src/app.py", "helpers"),
            vec![
                "helpers.py",
                "helpers/__init__.py",
                "src/helpers.py",
                "src/helpers/__init__.py"
            ]
        );
        assert_eq!(
            module_files("pkg/sub/app.py", "..util"),
            vec!["pkg/util.py", "pkg/util/__init__.py"]
        );
        assert!(module_files("app.py", ".").is_empty());
    }
}
