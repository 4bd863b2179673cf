//! Azure Functions loader: fixtures under `tests/fixtures/azure/`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use faasguard_iac::{Format, SourceFile, azure, detect};
use faasguard_model::{
    Attr, EventKind, Function, Inventory, Location, Origin, Provider, SourceKind,
};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/azure")
}

fn source(rel: &str) -> SourceFile {
    let abs = fixtures().join(rel);
    SourceFile {
        path: rel.to_owned(),
        text: std::fs::read_to_string(&abs).unwrap(),
        abs,
    }
}

fn load(rels: &[&str]) -> Inventory {
    let files: Vec<SourceFile> = rels.iter().map(|r| source(r)).collect();
    let refs: Vec<&SourceFile> = files.iter().collect();
    azure::load_all(&refs)
}

fn function<'a>(inv: &'a Inventory, logical_id: &str) -> &'a Function {
    inv.functions
        .iter()
        .find(|f| f.id.logical_id == logical_id)
        .unwrap_or_else(|| panic!("no function {logical_id}"))
}

fn line<T>(a: &Attr<T>) -> u32 {
    a.at.as_ref().and_then(|l| l.line).expect("located value")
}

const APP: [&str; 5] = [
    "function_app/host.json",
    "function_app/local.settings.json",
    "function_app/HttpAnonymous/function.json",
    "function_app/HttpDefaultAuth/function.json",
    "function_app/QueueWorker/function.json",
];

/// Every Azure file kind is detected as Azure, and an ARM template by its `$schema`.
#[test]
fn detects_azure_files() {
    for rel in APP.iter().chain(&["arm_owner_assignment.json"]) {
        assert_eq!(detect(&source(rel)), Some(Format::Azure), "{rel}");
    }
}

/// An HTTP trigger with `authLevel: anonymous` is an AzureHttp event with that level at its
/// line; the app's local.settings.json values become environment variables (and the worker
/// runtime the runtime), host.json's functionTimeout the timeout.
#[test]
fn function_json_anonymous_http() {
    let inv = load(&APP);
    assert_eq!(inv.diagnostics, vec![]);
    assert_eq!(inv.functions.len(), 3);
    let f = function(&inv, "HttpAnonymous");
    assert_eq!(f.id.provider, Provider::Azure);
    assert_eq!(f.id.source, SourceKind::AzureFunctions);
    assert_eq!(f.id.file, "function_app/HttpAnonymous/function.json");
    assert_eq!(f.id.name.as_deref(), Some("HttpAnonymous"));
    assert_eq!(
        f.at,
        Location::at("function_app/HttpAnonymous/function.json", 1, 1)
    );
    assert_eq!(
        f.handler.get().map(String::as_str),
        Some("__init__.py:main")
    );
    assert_eq!(line(&f.handler), 2);
    assert_eq!(
        f.code.get().unwrap(),
        &fixtures().join("function_app/HttpAnonymous/__init__.py")
    );

    assert_eq!(f.events.len(), 1, "output bindings are not events");
    let e = &f.events[0];
    assert_eq!(e.kind, EventKind::AzureHttp);
    assert_eq!(e.name, "req");
    assert_eq!(e.at.line, Some(5));
    assert_eq!(e.at.pointer.as_deref(), Some("/bindings/0"));
    assert_eq!(e.auth_level.get().map(String::as_str), Some("anonymous"));
    assert_eq!(e.auth_level.origin, Origin::Explicit);
    assert_eq!(line(&e.auth_level), 6);

    assert_eq!(f.runtime.get().map(String::as_str), Some("python"));
    assert_eq!(
        f.runtime.at.as_ref().unwrap().file,
        "function_app/local.settings.json"
    );
    assert_eq!(line(&f.runtime), 4);
    assert_eq!(f.timeout_s.get(), Some(&600));
    assert_eq!(line(&f.timeout_s), 3);
    let env: Vec<_> = f
        .environment
        .iter()
        .map(|v| (v.name.as_str(), v.at.line))
        .collect();
    assert_eq!(
        env,
        vec![
            ("FUNCTIONS_WORKER_RUNTIME", Some(4)),
            ("AzureWebJobsStorage", Some(5)),
            ("PAYMENT_API_SECRET", Some(6)),
        ]
    );
    assert_eq!(
        f.environment[2].at.pointer.as_deref(),
        Some("/Values/PAYMENT_API_SECRET")
    );
}

/// An HTTP trigger without `authLevel` gets the host's default, `function`, as a default
/// (not explicit) value; other triggers are `Other` events and a relative scriptFile is
/// resolved against the function folder.
#[test]
fn default_auth_level_and_other_triggers() {
    let inv = load(&APP);
    let f = function(&inv, "HttpDefaultAuth");
    assert_eq!(f.events.len(), 1);
    assert_eq!(
        f.events[0].auth_level,
        Attr::default_value("function".to_owned())
    );
    assert_eq!(f.handler, Attr::absent());
    assert_eq!(
        f.code.get().unwrap(),
        &fixtures().join("function_app/HttpDefaultAuth")
    );

    let q = function(&inv, "QueueWorker");
    assert_eq!(q.events.len(), 1);
    assert_eq!(q.events[0].kind, EventKind::Other);
    assert_eq!(q.events[0].name, "order");
    assert_eq!(q.events[0].auth_level, Attr::absent());
    assert_eq!(
        q.code.get().unwrap(),
        &fixtures().join("function_app/dist/worker.js")
    );
}

/// Loaded alone (without its app's files), a function.json still loads, with no settings.
#[test]
fn single_file_load() {
    let inv = azure::load(&source("function_app/HttpAnonymous/function.json"));
    assert_eq!(inv.functions.len(), 1);
    assert!(inv.functions[0].environment.is_empty());
    assert_eq!(inv.functions[0].timeout_s, Attr::absent());
}

/// An ARM template's function app gets the role assignments whose principalId references its
/// identity, with built-in role GUIDs (also through a variable) mapped to names; an assignment
/// to another principal is ignored.
#[test]
fn arm_template_with_owner_assignment() {
    let inv = load(&["arm_owner_assignment.json"]);
    assert_eq!(inv.diagnostics, vec![]);
    assert_eq!(inv.functions.len(), 1);
    let f = &inv.functions[0];
    assert_eq!(f.id.source, SourceKind::AzureArm);
    assert_eq!(f.id.provider, Provider::Azure);
    assert_eq!(f.id.logical_id, "[parameters('appName')]");
    assert_eq!(f.id.name, None);
    assert_eq!(f.at.line, Some(11));
    assert_eq!(f.at.pointer.as_deref(), Some("/resources/0"));
    assert_eq!(f.runtime.get().map(String::as_str), Some("Python|3.11"));
    assert_eq!(line(&f.runtime), 20);
    let env: Vec<_> = f
        .environment
        .iter()
        .map(|v| (v.name.as_str(), v.value.get().cloned(), v.at.line))
        .collect();
    assert_eq!(
        env,
        vec![
            (
                "FUNCTIONS_WORKER_RUNTIME",
                Some("python".to_owned()),
                Some(22)
            ),
            ("DB_CONNECTION", None, Some(23)),
        ]
    );
    assert!(f.environment[1].value.is_unresolved());

    let roles: Vec<_> = f
        .role_assignments
        .iter()
        .map(|r| (r.role.as_str(), r.at.line, r.scope.origin.clone()))
        .collect();
    assert_eq!(
        roles,
        vec![
            ("Owner", Some(28), Origin::Default),
            (
                "User Access Administrator",
                Some(48),
                Origin::Unresolved {
                    expr: "[format('Microsoft.Storage/storageAccounts/{0}', 'ordersdata')]"
                        .to_owned()
                }
            ),
        ]
    );
    assert_eq!(line(&f.role_assignments[1].scope), 52);
}

/// Malformed function.json and host.json are diagnostics at serde_json's line and column;
/// nothing panics and no function is invented.
#[test]
fn malformed_json_is_a_diagnostic() {
    let inv = load(&["malformed/host.json", "malformed/Broken/function.json"]);
    assert!(inv.functions.is_empty());
    let d: Vec<_> = inv.diagnostics.iter().map(|d| &d.location).collect();
    assert_eq!(
        d,
        vec![
            &Location::at("malformed/host.json", 4, 3),
            &Location::at("malformed/Broken/function.json", 4, 3),
        ]
    );
    assert!(
        inv.diagnostics
            .iter()
            .all(|d| d.message.starts_with("malformed JSON: "))
    );
}

/// Binary and truncated input never panics.
#[test]
fn hostile_input() {
    for text in ["\0\u{1}\u{2}", "{\"bindings\": [", "[[[[[[[[[[", ""] {
        let file = SourceFile {
            path: "x/function.json".to_owned(),
            abs: PathBuf::from("/nonexistent/x/function.json"),
            text: text.to_owned(),
        };
        let inv = azure::load(&file);
        assert!(inv.functions.is_empty(), "{text:?}");
        assert_eq!(inv.diagnostics.len(), 1, "{text:?}");
    }
}

/// Through the crate's `load` entry, a function.json still gets its app's settings.
#[test]
fn crate_load_groups_app_files() {
    let files: Vec<SourceFile> = APP.iter().map(|r| source(r)).collect();
    let inv = faasguard_iac::load(&files);
    assert_eq!(inv.functions.len(), 3);
    let f = function(&inv, "HttpAnonymous");
    assert_eq!(f.environment.len(), 3);
    assert_eq!(f.timeout_s.get(), Some(&600));
}
