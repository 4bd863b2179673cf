//! Handler resolution (runtime + `Handler` setting → file and function) and discovery of
//! handler-shaped functions without IaC, on the code directories under
//! `tests/fixtures/handler/`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use faasguard_sast::handler::{ResolveError, discover, resolve};
use faasguard_sast::{Handler, Language, SourceFiles};

/// A code directory on disk.
struct DirFiles(PathBuf);

impl SourceFiles for DirFiles {
    fn read(&self, path: &str) -> Option<String> {
        std::fs::read_to_string(self.0.join(path)).ok()
    }

    fn list(&self) -> Vec<String> {
        fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(root, &path, out);
                } else {
                    let rel = path.strip_prefix(root).unwrap();
                    out.push(rel.to_string_lossy().replace('\\', "/"));
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.0, &self.0, &mut out);
        out
    }
}

fn dir(name: &str) -> DirFiles {
    DirFiles(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/handler")
            .join(name),
    )
}

fn handler(language: Language, file: &str, function: &str) -> Handler {
    Handler {
        language,
        file: file.to_string(),
        function: function.to_string(),
    }
}

/// `src/index.handler` with both the compiled `.js` and its `.ts` source resolves to the `.js`
/// (what the runtime loads).
#[test]
fn node_prefers_compiled_javascript() {
    let got = resolve("nodejs20.x", "src/index.handler", &dir("node_compiled_ts")).unwrap();
    assert_eq!(
        got,
        handler(Language::JavaScript, "src/index.js", "handler")
    );
}

/// With only a TypeScript source, the `.ts` file is analysed as TypeScript.
#[test]
fn node_typescript_only() {
    let got = resolve("nodejs22.x", "src/index.main", &dir("node_ts_only")).unwrap();
    assert_eq!(got, handler(Language::TypeScript, "src/index.ts", "main"));
}

/// ES modules (`.mjs`) resolve too.
#[test]
fn node_esm_module() {
    let got = resolve("nodejs18.x", "app.handler", &dir("node_esm")).unwrap();
    assert_eq!(got, handler(Language::JavaScript, "app.mjs", "handler"));
}

/// A Node handler whose file is missing names every file tried; one whose export is missing
/// names the file and the function.
#[test]
fn node_missing_file_or_function() {
    let err = resolve("nodejs20.x", "lib/main.handler", &dir("node_esm")).unwrap_err();
    assert!(matches!(&err, ResolveError::FileNotFound { tried, .. } if tried.len() == 6));
    assert!(err.to_string().contains("lib/main.js or lib/main.mjs"));
    let err = resolve("nodejs20.x", "app.process", &dir("node_esm")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "handler `app.process`: `app.mjs` does not define `process`"
    );
}

/// Python: `app.lambda_handler` → `app.py`; dotted modules map to directories and packages;
/// a path-style handler (`src/main.handler`) works; a handler bound by assignment or import
/// (`handler = Mangum(app)`, `from .impl import run as handler`) counts.
#[test]
fn python_modules_and_packages() {
    let files = dir("python_project");
    assert_eq!(
        resolve("python3.12", "app.lambda_handler", &files).unwrap(),
        handler(Language::Python, "app.py", "lambda_handler")
    );
    assert_eq!(
        resolve("python3.11", "pkg.mod.fn", &files).unwrap(),
        handler(Language::Python, "pkg/mod.py", "fn")
    );
    assert_eq!(
        resolve("python3.13", "pkg.sub.handler", &files).unwrap(),
        handler(Language::Python, "pkg/sub/__init__.py", "handler")
    );
    assert_eq!(
        resolve("python3.12", "src/main.handler", &files).unwrap(),
        handler(Language::Python, "src/main.py", "handler")
    );
}

/// Python errors: missing module file, missing function, malformed handler, other runtimes.
#[test]
fn python_and_runtime_errors() {
    let files = dir("python_project");
    let err = resolve("python3.12", "missing.handler", &files).unwrap_err();
    assert_eq!(
        err.to_string(),
        "handler `missing.handler`: no file missing.py or missing/__init__.py in the code directory"
    );
    let err = resolve("python3.12", "app.handler", &files).unwrap_err();
    assert_eq!(
        err,
        ResolveError::FunctionNotFound {
            handler: "app.handler".to_string(),
            file: "app.py".to_string(),
            function: "handler".to_string(),
        }
    );
    assert!(matches!(
        resolve("python3.12", "app", &files),
        Err(ResolveError::Malformed { .. })
    ));
    assert!(matches!(
        resolve("java21", "com.example.Handler::handleRequest", &files),
        Err(ResolveError::UnsupportedRuntime { .. })
    ));
}

/// Discovery without IaC finds `(event, context)`-shaped Python defs and JS/TS exports, and any
/// two-parameter function in a handler-named file; it skips helpers, methods, dependencies
/// (`node_modules`, packages listed in a `*.dist-info/RECORD`), tests and declaration files.
#[test]
fn discovery_is_conservative() {
    let found = discover(&dir("discovery"));
    assert_eq!(
        found,
        vec![
            handler(Language::TypeScript, "functions/api.ts", "api"),
            handler(Language::Python, "functions/orders.py", "handle"),
            handler(Language::JavaScript, "functions/queue.js", "process"),
            handler(Language::Python, "lambda_function.py", "lambda_handler"),
        ]
    );
}
