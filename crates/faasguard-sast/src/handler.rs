//! Handler resolution: from a runtime and a `Handler` setting to the file and function, and
//! discovery of handler-shaped exports when there is no IaC.
//!
//! Paths are '/'-separated and relative to the function's code root (the directory named by
//! `CodeUri`, `package`, Terraform `filename`/`source_dir`; finding that root is the engine's job).
//!
//! - Node (`nodejs*`): `src/index.handler` → `src/index.js`, `.mjs`, `.cjs`, then `.ts`, `.mts`,
//!   `.cts` (compiled JavaScript wins over its TypeScript source when both exist); the function is
//!   everything after the first dot of the last path segment (`index.handlers.main` → `handlers.main`),
//!   as the Node runtime reads it.
//! - Python (`python*`): `app.lambda_handler` → `app.py`, `pkg.mod.fn` → `pkg/mod.py` (or
//!   `pkg/mod/__init__.py`); `src/app.handler` → `src/app.py`. The function must be bound at the
//!   top level (a `def`, an assignment such as `handler = Mangum(app)`, or an import).

use std::sync::LazyLock;

use regex::Regex;
use ruff_python_ast::{Expr, Stmt};

use crate::{Handler, Language, Limits, SourceFiles};

/// Why a runtime + handler pair could not be resolved to a file and a function.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ResolveError {
    #[error("runtime `{runtime}` is not analysed (only nodejs* and python* are)")]
    UnsupportedRuntime { runtime: String },
    #[error("handler `{handler}` is not of the form `file.function`")]
    Malformed { handler: String },
    #[error("handler `{handler}`: no file {tried} in the code directory", tried = .tried.join(" or "))]
    FileNotFound { handler: String, tried: Vec<String> },
    #[error("handler `{handler}`: `{file}` does not define `{function}`")]
    FunctionNotFound {
        handler: String,
        file: String,
        function: String,
    },
}

const NODE_EXTENSIONS: &[&str] = &["js", "mjs", "cjs", "ts", "mts", "cts"];

/// Resolves a function's `Handler` setting for its runtime to the file and function to analyse.
pub fn resolve(
    runtime: &str,
    handler: &str,
    files: &dyn SourceFiles,
) -> Result<Handler, ResolveError> {
    let runtime_lower = runtime.to_ascii_lowercase();
    if runtime_lower.starts_with("nodejs") {
        resolve_node(handler, files)
    } else if runtime_lower.starts_with("python") {
        resolve_python(handler, files)
    } else {
        Err(ResolveError::UnsupportedRuntime {
            runtime: runtime.to_string(),
        })
    }
}

fn resolve_node(handler: &str, files: &dyn SourceFiles) -> Result<Handler, ResolveError> {
    let malformed = || ResolveError::Malformed {
        handler: handler.to_string(),
    };
    let trimmed = handler.trim().trim_start_matches("./");
    let (dir, base) = match trimmed.rsplit_once('/') {
        Some((dir, base)) => (Some(dir), base),
        None => (None, trimmed),
    };
    let (module, function) = base.split_once('.').ok_or_else(malformed)?;
    if module.is_empty() || function.is_empty() {
        return Err(malformed());
    }
    let stem = match dir {
        Some(dir) => format!("{dir}/{module}"),
        None => module.to_string(),
    };
    let tried: Vec<String> = NODE_EXTENSIONS
        .iter()
        .map(|ext| format!("{stem}.{ext}"))
        .collect();
    let Some((file, text)) = tried
        .iter()
        .find_map(|path| files.read(path).map(|text| (path.clone(), text)))
    else {
        return Err(ResolveError::FileNotFound {
            handler: handler.to_string(),
            tried,
        });
    };
    // `handlers.main` is the property `main` of the export `handlers`.
    let export = function.split('.').next().unwrap_or(function);
    if !js_defines(&text, export) {
        return Err(ResolveError::FunctionNotFound {
            handler: handler.to_string(),
            file,
            function: function.to_string(),
        });
    }
    let language = if file.ends_with("ts") {
        Language::TypeScript
    } else {
        Language::JavaScript
    };
    Ok(Handler {
        language,
        file,
        function: function.to_string(),
    })
}

/// Whether a JavaScript/TypeScript file plausibly exports `name`: an export form naming it, or
/// failing that the name anywhere in a file that exports something (bundlers rewrite exports in
/// many ways; a wrong "not found" would hide the function from the analysis).
fn js_defines(text: &str, name: &str) -> bool {
    let word = |hay: &str| {
        hay.match_indices(name).any(|(i, _)| {
            let before = hay[..i].chars().next_back();
            let after = hay[i + name.len()..].chars().next();
            !before.is_some_and(is_js_ident) && !after.is_some_and(is_js_ident)
        })
    };
    word(text) && text.contains("export")
}

fn is_js_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$'
}

fn resolve_python(handler: &str, files: &dyn SourceFiles) -> Result<Handler, ResolveError> {
    let malformed = || ResolveError::Malformed {
        handler: handler.to_string(),
    };
    let trimmed = handler.trim().trim_start_matches("./");
    let (module, function) = trimmed.rsplit_once('.').ok_or_else(malformed)?;
    if module.is_empty() || function.is_empty() || function.contains('/') {
        return Err(malformed());
    }
    let (dir, dotted) = match module.rsplit_once('/') {
        Some((dir, m)) => (format!("{dir}/"), m),
        None => (String::new(), module),
    };
    let rel = format!("{dir}{}", dotted.replace('.', "/"));
    let tried = vec![format!("{rel}.py"), format!("{rel}/__init__.py")];
    let Some((file, text)) = tried
        .iter()
        .find_map(|path| files.read(path).map(|text| (path.clone(), text)))
    else {
        return Err(ResolveError::FileNotFound {
            handler: handler.to_string(),
            tried,
        });
    };
    if text.len() <= Limits::default().max_file_bytes && !python_binds(&text, function) {
        return Err(ResolveError::FunctionNotFound {
            handler: handler.to_string(),
            file,
            function: function.to_string(),
        });
    }
    Ok(Handler {
        language: Language::Python,
        file,
        function: function.to_string(),
    })
}

/// Whether `name` is bound at the top level of a Python module (also inside top-level `if`,
/// `try` and `with` blocks).
fn python_binds(text: &str, name: &str) -> bool {
    let parsed = crate::python::parse_source(text);
    let found = binds_in(&parsed.syntax().body, name);
    crate::python::dispose_parsed(parsed);
    found
}

fn binds_in(body: &[Stmt], name: &str) -> bool {
    let mut stack: Vec<&[Stmt]> = vec![body];
    while let Some(body) = stack.pop() {
        for stmt in body {
            let found = match stmt {
                Stmt::FunctionDef(def) => def.name.as_str() == name,
                Stmt::ClassDef(class) => class.name.as_str() == name,
                Stmt::Assign(assign) => assign.targets.iter().any(|t| target_binds(t, name)),
                Stmt::AnnAssign(assign) => target_binds(&assign.target, name),
                Stmt::Import(import) => import
                    .names
                    .iter()
                    .any(|a| a.asname.as_ref().unwrap_or(&a.name).as_str() == name),
                Stmt::ImportFrom(from) => from.names.iter().any(|a| {
                    a.asname.as_ref().unwrap_or(&a.name).as_str() == name || a.name.as_str() == "*"
                }),
                Stmt::If(stmt_if) => {
                    stack.push(&stmt_if.body);
                    stack.extend(stmt_if.elif_else_clauses.iter().map(|c| c.body.as_slice()));
                    false
                }
                Stmt::Try(stmt_try) => {
                    stack.push(&stmt_try.body);
                    stack.push(&stmt_try.orelse);
                    stack.push(&stmt_try.finalbody);
                    for handler in &stmt_try.handlers {
                        let ruff_python_ast::ExceptHandler::ExceptHandler(h) = handler;
                        stack.push(&h.body);
                    }
                    false
                }
                Stmt::With(with) => {
                    stack.push(&with.body);
                    false
                }
                _ => false,
            };
            if found {
                return true;
            }
        }
    }
    false
}

fn target_binds(target: &Expr, name: &str) -> bool {
    match target {
        Expr::Name(n) => n.id.as_str() == name,
        Expr::Tuple(t) => t.elts.iter().any(|e| target_binds(e, name)),
        Expr::List(l) => l.elts.iter().any(|e| target_binds(e, name)),
        _ => false,
    }
}

// ---- discovery ---------------------------------------------------------------------------------

/// Parameter names that mark the event.
const EVENT_NAMES: &[&str] = &["event", "evt", "e", "_event", "lambda_event"];
/// Parameter names that mark the Lambda context.
const CONTEXT_NAMES: &[&str] = &["context", "ctx", "_context", "_ctx", "lambda_context"];
/// File stems where any two-parameter top-level function is taken as a handler.
const HANDLER_STEMS: &[&str] = &[
    "handler",
    "handlers",
    "index",
    "app",
    "lambda_function",
    "lambda",
    "main",
];
/// Directories never searched for handlers: dependencies, virtualenvs, tests.
const SKIPPED_DIRS: &[&str] = &[
    "node_modules",
    "site-packages",
    "dist-packages",
    ".venv",
    "venv",
    "__pycache__",
    ".git",
    "test",
    "tests",
    "__tests__",
    ".serverless",
    ".aws-sam",
];

/// Handler-shaped functions of a code directory without IaC: Python top-level `def`s taking
/// `(event, context)` and JavaScript/TypeScript exports taking `(event, …)`, outside
/// dependencies (`node_modules`, `site-packages`, packages a root `*.dist-info/RECORD` lists) and
/// tests. Conservative: the
/// event parameter must be named like one (`event`, `evt`, `e` with a context), or the file must be
/// named like a handler file (`handler`, `index`, `app`, `lambda_function`, `main`) and the
/// function take exactly two parameters. Sorted by file, then function.
pub fn discover(files: &dyn SourceFiles) -> Vec<Handler> {
    let mut out = Vec::new();
    for candidate in candidates(files) {
        let Some(text) = files.read(&candidate.path) else {
            continue;
        };
        out.extend(candidate.handlers(&text));
    }
    out.sort_by(|a, b| (&a.file, &a.function).cmp(&(&b.file, &b.function)));
    out.dedup();
    out
}

/// A file discovery looks into: code of a handler language, outside dependencies and tests.
pub(crate) struct Candidate {
    pub(crate) path: String,
    pub(crate) language: Language,
    /// Named like a handler file (`handler`, `index`, `app`, …).
    pub(crate) handler_file: bool,
}

impl Candidate {
    /// The handler-shaped functions of the file's text (none when it is over the size limit).
    pub(crate) fn handlers(&self, text: &str) -> Vec<Handler> {
        if text.len() > Limits::default().max_file_bytes {
            return Vec::new();
        }
        let functions = if self.language == Language::Python {
            python_handlers(text, self.handler_file)
        } else {
            js_handlers(text, self.handler_file)
        };
        let mut out: Vec<Handler> = functions
            .into_iter()
            .map(|function| Handler {
                language: self.language,
                file: self.path.clone(),
                function,
            })
            .collect();
        out.sort_by(|a, b| a.function.cmp(&b.function));
        out.dedup();
        out
    }
}

/// The files [`discover`] reads, sorted by path.
pub(crate) fn candidates(files: &dyn SourceFiles) -> Vec<Candidate> {
    let mut paths = files.list();
    paths.sort();
    let vendored = crate::python::vendored_modules(files, &paths);
    let mut out = Vec::new();
    for path in paths {
        if path
            .split('/')
            .any(|segment| SKIPPED_DIRS.contains(&segment))
        {
            continue;
        }
        let first = path.split('/').next().unwrap_or(&path);
        if vendored.contains(first.strip_suffix(".py").unwrap_or(first)) {
            continue;
        }
        let name = path.rsplit('/').next().unwrap_or(&path);
        let Some((stem, ext)) = name.rsplit_once('.') else {
            continue;
        };
        let inner_ext = stem.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
        let is_test = stem.starts_with("test_")
            || stem.ends_with("_test")
            || matches!(inner_ext.as_deref(), Some("test" | "spec" | "d"));
        if is_test {
            continue;
        }
        let language = match ext {
            "py" => Language::Python,
            "js" | "mjs" | "cjs" => Language::JavaScript,
            "ts" | "mts" | "cts" => Language::TypeScript,
            _ => continue,
        };
        let handler_file = HANDLER_STEMS.contains(&stem);
        out.push(Candidate {
            path,
            language,
            handler_file,
        });
    }
    out
}

fn handler_shaped(params: &[&str], handler_file: bool, allow_single: bool) -> bool {
    match params {
        [event] => allow_single && matches!(*event, "event" | "evt"),
        [event, context, ..] => {
            (EVENT_NAMES.contains(event) && CONTEXT_NAMES.contains(context))
                || (matches!(*event, "event" | "evt") && *context == "callback")
                || (handler_file && params.len() == 2)
        }
        [] => false,
    }
}

/// A top-level `def` whose first parameter is named like an event: files without one (outside
/// handler-named files) cannot hold a handler, so discovery does not parse them.
#[expect(
    clippy::expect_used,
    reason = "constant pattern, checked by the unit tests"
)]
static PY_EVENT_DEF: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?m)^(?:async\s+)?def\s+[A-Za-z_]\w*\s*\(\s*(?:{})\b",
        EVENT_NAMES.join("|")
    ))
    .expect("python event def pattern")
});

/// Whether a Python file can hold a handler at all (see [`PY_EVENT_DEF`]).
pub(crate) fn python_may_hold_handler(text: &str, handler_file: bool) -> bool {
    handler_file || PY_EVENT_DEF.is_match(text)
}

fn python_handlers(text: &str, handler_file: bool) -> Vec<String> {
    if !python_may_hold_handler(text, handler_file) {
        return Vec::new();
    }
    let parsed = crate::python::parse_source(text);
    let found = handlers_in(&parsed, handler_file);
    crate::python::dispose_parsed(parsed);
    found
}

pub(crate) fn handlers_in(
    parsed: &ruff_python_parser::Parsed<ruff_python_ast::ModModule>,
    handler_file: bool,
) -> Vec<String> {
    parsed
        .syntax()
        .body
        .iter()
        .filter_map(|stmt| match stmt {
            Stmt::FunctionDef(def) => {
                let p = &def.parameters;
                let names: Vec<&str> = p
                    .posonlyargs
                    .iter()
                    .chain(p.args.iter())
                    .map(|a| a.parameter.name.as_str())
                    .collect();
                // Lambda calls the handler with exactly two positional arguments.
                let required = p
                    .posonlyargs
                    .iter()
                    .chain(p.args.iter())
                    .filter(|a| a.default.is_none())
                    .count();
                let callable_with_two = required <= 2 && (names.len() >= 2 || p.vararg.is_some());
                (callable_with_two && handler_shaped(&names, handler_file, false))
                    .then(|| def.name.as_str().to_string())
            }
            _ => None,
        })
        .collect()
}

#[expect(
    clippy::expect_used,
    reason = "constant patterns, checked by the unit tests"
)]
static JS_EXPORTS: LazyLock<[Regex; 3]> = LazyLock::new(|| {
    let params = r"\(\s*([A-Za-z_$][\w$]*)?(?:\s*:\s*[^,)]+)?\s*(?:,\s*([A-Za-z_$][\w$]*))?";
    [
        Regex::new(&format!(
            r"(?m)^[ \t]*(?:module\.)?exports\.([A-Za-z_$][\w$]*)\s*=\s*(?:async\s+)?(?:function\b\s*[\w$]*\s*)?{params}"
        ))
        .expect("exports pattern"),
        Regex::new(&format!(
            r"(?m)^[ \t]*export\s+(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=\n]+)?=\s*(?:async\s+)?(?:function\b\s*[\w$]*\s*)?{params}"
        ))
        .expect("export const pattern"),
        Regex::new(&format!(
            r"(?m)^[ \t]*export\s+(?:async\s+)?function\s*\*?\s*([A-Za-z_$][\w$]*)\s*(?:<[^>]*>)?\s*{params}"
        ))
        .expect("export function pattern"),
    ]
});

/// `exports.handler = service.handle.bind(service)` / `export const handler = svc.run.bind(svc)`:
/// a bound method exported (its parameters are not in sight).
#[expect(
    clippy::expect_used,
    reason = "constant pattern, checked by the unit tests"
)]
static JS_BOUND_EXPORT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?m)^[ \t]*(?:(?:module\.)?exports\.|export\s+(?:const|let|var)\s+)([A-Za-z_$][\w$]*)\s*=\s*[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+\.bind\s*\(",
    )
    .expect("bound export pattern")
});

/// Exported functions of the three common shapes (`exports.x = …`, `export const x = …`,
/// `export function x(…)`) whose parameters look like a handler's. A text-level scan: the JS
/// analysis parses the file properly.
fn js_handlers(text: &str, handler_file: bool) -> Vec<String> {
    let mut out = Vec::new();
    for pattern in JS_EXPORTS.iter() {
        for caps in pattern.captures_iter(text) {
            let Some(name) = caps.get(1) else { continue };
            let params: Vec<&str> = [caps.get(2), caps.get(3)]
                .into_iter()
                .flatten()
                .map(|m| m.as_str())
                .collect();
            // `async ({ body, queryStringParameters }) => …`: the event destructured in the
            // parameter list; taken when the export or its file is named like a handler.
            let destructured = params.is_empty()
                && text[caps.get(0).map_or(0, |m| m.end())..]
                    .trim_start()
                    .starts_with(['{', '['])
                && (handler_file || name.as_str().to_ascii_lowercase().contains("handler"));
            if destructured || handler_shaped(&params, handler_file, true) {
                out.push(name.as_str().to_string());
            }
        }
    }
    // A bound method: taken when the export or its file is named like a handler.
    for caps in JS_BOUND_EXPORT.captures_iter(text) {
        if let Some(name) = caps.get(1)
            && (handler_file || name.as_str().to_ascii_lowercase().contains("handler"))
        {
            out.push(name.as_str().to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The three export shapes are recognised with JS and TS parameter syntax, and functions
    /// whose parameters do not look like a handler's are left out.
    #[test]
    fn js_export_shapes() {
        let text = "exports.handler = async (event, context) => {};\n\
                    module.exports.other = function (evt, ctx) {};\n\
                    export const tsHandler = async (event: APIGatewayProxyEvent, context: Context) => {};\n\
                    export async function fnHandler(event) {}\n\
                    export function helper(a, b) {}\n\
                    exports.util = (x) => x;\n";
        assert_eq!(
            js_handlers(text, false),
            vec!["handler", "other", "tsHandler", "fnHandler"]
        );
        // A destructured event counts when the export or the file is named like a handler.
        let destructured = "exports.handler = async ({ queryStringParameters }) => {};\n\
                            exports.util = ({ a }) => a;\n";
        assert_eq!(js_handlers(destructured, false), vec!["handler"]);
        assert_eq!(js_handlers(destructured, true), vec!["handler", "util"]);
        // A bound method export is a handler when named like one.
        let bound = "const service = new ReportService();\n\
                     exports.handler = service.handle.bind(service);\n\
                     export const tool = service.other.bind(service);\n";
        assert_eq!(js_handlers(bound, false), vec!["handler"]);
        assert_eq!(js_handlers(bound, true), vec!["handler", "tool"]);
        // In a handler-named file any two-parameter export counts.
        assert!(js_handlers(text, true).contains(&"helper".to_string()));
    }

    /// Outside handler-named files, Python discovery parses only files with a top-level `def`
    /// whose first parameter is named like an event (on one line or several), and finds the
    /// same handlers as a full parse.
    #[test]
    fn python_prefilter() {
        let multi_line =
            "import json\n\nasync def process(\n    event: dict,\n    context,\n):\n    return 1\n";
        assert!(PY_EVENT_DEF.is_match(multi_line));
        assert_eq!(python_handlers(multi_line, false), vec!["process"]);
        // A method (indented) or a function taking other parameters is not a handler.
        let other =
            "class A:\n    def run(event, context):\n        pass\n\ndef helper(a, b):\n    pass\n";
        assert!(!PY_EVENT_DEF.is_match(other));
        assert!(python_handlers(other, false).is_empty());
        // In a handler-named file any two-parameter function counts, so the file is parsed.
        assert_eq!(python_handlers(other, true), vec!["helper"]);
    }

    /// `js_defines` matches whole words only.
    #[test]
    fn js_defines_whole_words() {
        assert!(js_defines("export const handler = 1", "handler"));
        assert!(!js_defines("export const handlerX = 1", "handler"));
        assert!(!js_defines("const handler = 1", "handler"));
    }
}
