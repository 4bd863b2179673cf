//! API tests against a real SQLite store in a temporary directory: the route-enumeration auth
//! test, handlers through `tower::ServiceExt::oneshot`, and one request over a real socket.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use std::sync::{Arc, Mutex};

use axum::body::{Body, to_bytes};
use axum::http::{HeaderValue, Method, Request, StatusCode, header};
use faasguard_server::routes::API_ROUTES;
use faasguard_server::{
    AppState, BoxFuture, EnforceError, EnforceOutcome, Enforcer, FunctionTarget, Role, router,
};
use faasguard_store::testdata::{synthetic_report, synthetic_scope};
use faasguard_store::{Outcome, PolicyResultInput, Store};
use serde_json::{Value, json};
use tower::ServiceExt;

/// An enforcer that records its calls and keeps a concurrency per ARN (starting at 5).
#[derive(Debug, Default)]
struct Recording {
    calls: Mutex<Vec<String>>,
    concurrency: Mutex<std::collections::HashMap<String, Option<i32>>>,
}

impl Enforcer for Recording {
    fn block<'a>(
        &'a self,
        target: &'a FunctionTarget,
    ) -> BoxFuture<'a, Result<EnforceOutcome, EnforceError>> {
        Box::pin(async move {
            self.calls
                .lock()
                .unwrap()
                .push(format!("block {}", target.arn));
            let mut c = self.concurrency.lock().unwrap();
            let before = *c.entry(target.arn.clone()).or_insert(Some(5));
            c.insert(target.arn.clone(), Some(0));
            Ok(EnforceOutcome {
                previous: before,
                current: Some(0),
                changed: before != Some(0),
            })
        })
    }

    fn unblock<'a>(
        &'a self,
        target: &'a FunctionTarget,
        previous: Option<i32>,
    ) -> BoxFuture<'a, Result<EnforceOutcome, EnforceError>> {
        Box::pin(async move {
            self.calls
                .lock()
                .unwrap()
                .push(format!("unblock {} {previous:?}", target.arn));
            self.concurrency
                .lock()
                .unwrap()
                .insert(target.arn.clone(), previous);
            Ok(EnforceOutcome {
                previous,
                current: previous,
                changed: true,
            })
        })
    }
}

struct Fixture {
    _dir: tempfile::TempDir,
    store: Store,
    app: axum::Router,
    admin: String,
    viewer: String,
    enforcer: Arc<Recording>,
    policy_path: std::path::PathBuf,
}

const ACCOUNT: &str = "123456789012";
const REGION: &str = "eu-west-1";
/// How long the fixture's server trusts a verified token.
const TOKEN_TTL: std::time::Duration = std::time::Duration::from_millis(300);

async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("store.db").to_str().unwrap())
        .await
        .unwrap();
    let report = synthetic_report(ACCOUNT, REGION, 4, 10, 7);
    let summary = store
        .record_scan("cloud", &synthetic_scope(ACCOUNT, REGION), &report, true)
        .await
        .unwrap();
    let results: Vec<PolicyResultInput> = report
        .functions
        .iter()
        .enumerate()
        .map(|(i, f)| PolicyResultInput {
            policy: "no-critical".into(),
            function_key: f.id.clone(),
            outcome: if i == 1 {
                Outcome::Violation
            } else {
                Outcome::Pass
            },
            reasons: json!(["critical finding"]),
            action: Some("block".into()),
        })
        .collect();
    store
        .record_policy_results(summary.id, &results)
        .await
        .unwrap();
    let admin = store
        .create_token("alice", faasguard_store::Role::Admin, "test")
        .await
        .unwrap()
        .plaintext;
    let viewer = store
        .create_token("bob", faasguard_store::Role::Viewer, "test")
        .await
        .unwrap()
        .plaintext;
    let enforcer = Arc::new(Recording::default());
    let policy_path = dir.path().join("assurance.yaml");
    let state = AppState::new(store.clone())
        .with_enforcer(enforcer.clone())
        .with_policy_file(policy_path.clone())
        .with_token_cache_ttl(TOKEN_TTL);
    Fixture {
        app: router(state),
        _dir: dir,
        store,
        admin,
        viewer,
        enforcer,
        policy_path,
    }
}

/// A request to `path` with `method`, an optional bearer token and an optional JSON body.
fn request(
    method: &Method,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> Request<Body> {
    let mut b = Request::builder().method(method).uri(path);
    if let Some(t) = token {
        b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    match body {
        Some(v) => b
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(v.to_string()))
            .unwrap(),
        None => b.body(Body::empty()).unwrap(),
    }
}

async fn call(
    app: &axum::Router,
    method: &Method,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> (StatusCode, Value) {
    send(app, request(method, path, token, body)).await
}

async fn send(app: &axum::Router, request: Request<Body>) -> (StatusCode, Value) {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = to_bytes(response.into_body(), 1 << 24).await.unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// A concrete path for a route (path parameters filled with an existing function key).
fn concrete(path: &str, function_key: &str) -> String {
    path.replace("{id}", &function_key.replace('/', "%2F"))
}

/// Every route of the route table refuses a request without a token (401), with a wrong token
/// (401), with a malformed header (401), and — for admin routes — with a viewer token (403).
/// The routes come from the same table the router is built from, so a new route cannot skip
/// the check.
#[tokio::test]
async fn every_route_refuses_requests_without_a_valid_token() {
    let f = fixture().await;
    let key = format!("{ACCOUNT}/{REGION}/fn-00000");
    let body = json!({});
    assert!(API_ROUTES.len() >= 15, "the table lists every API route");
    for route in API_ROUTES {
        let path = concrete(route.path, &key);
        let with_body = (route.method != Method::GET).then_some(&body);
        let (status, err) = call(&f.app, &route.method, &path, None, with_body).await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "no token: {} {path}",
            route.method
        );
        assert_eq!(err["error"], "unauthorized");
        let wrong =
            "fgt_000000000000_0000000000000000000000000000000000000000000000000000000000000000";
        let (status, _) = call(&f.app, &route.method, &path, Some(wrong), with_body).await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "wrong token: {} {path}",
            route.method
        );
        // The right token with the wrong scheme is refused too.
        let response = f
            .app
            .clone()
            .oneshot(
                Request::builder()
                    .method(&route.method)
                    .uri(&path)
                    .header(header::AUTHORIZATION, format!("Basic {}", f.admin))
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "basic: {path}");
        let (status, _) = call(&f.app, &route.method, &path, Some(&f.viewer), with_body).await;
        if route.role == Role::Admin {
            assert_eq!(
                status,
                StatusCode::FORBIDDEN,
                "viewer on admin route {path}"
            );
        } else {
            assert!(
                status.is_success(),
                "viewer on {} {path}: {status}",
                route.method
            );
        }
    }
    // A token revoked in the store (another process: `faasguard token revoke`) is refused by
    // a server that never saw it, and by this one once its verification has expired (the
    // fixture's cache keeps verified tokens for TOKEN_TTL; revoking through the API is
    // immediate: `policy_and_tokens`).
    let tokens = f.store.list_tokens().await.unwrap();
    let bob = tokens.iter().find(|t| t.name == "bob").unwrap();
    f.store.revoke_token(&bob.id).await.unwrap();
    let other = router(AppState::new(f.store.clone()));
    let (status, _) = call(&other, &Method::GET, "/api/v1/me", Some(&f.viewer), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    tokio::time::sleep(TOKEN_TTL).await;
    let (status, _) = call(&f.app, &Method::GET, "/api/v1/me", Some(&f.viewer), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        f.enforcer.calls.lock().unwrap().is_empty(),
        "no refused call reached the enforcer"
    );
}

/// The function list puts blocked functions first, filters by violation and by name, and
/// paginates; the detail groups findings and redacts secrets.
#[tokio::test]
#[expect(
    clippy::too_many_lines,
    reason = "one scenario: list, block, view, detail"
)]
async fn functions_list_filters_and_detail() {
    let f = fixture().await;
    let token = Some(f.admin.as_str());
    let (status, page) = call(
        &f.app,
        &Method::GET,
        "/api/v1/functions?per_page=2",
        token,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["total"], 4);
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    let (_, violating) = call(
        &f.app,
        &Method::GET,
        "/api/v1/functions?violating=true",
        token,
        None,
    )
    .await;
    assert_eq!(violating["total"], 1);
    assert_eq!(violating["items"][0]["name"], "fn-00001");
    let (_, named) = call(
        &f.app,
        &Method::GET,
        "/api/v1/functions?q=fn-00003",
        token,
        None,
    )
    .await;
    assert_eq!(named["total"], 1);
    let (status, _) = call(
        &f.app,
        &Method::GET,
        "/api/v1/functions?per_page=0",
        token,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Block fn-00002: it comes first in the list and in the assurance view.
    let key = format!("{ACCOUNT}/{REGION}/fn-00002");
    let (status, result) = call(
        &f.app,
        &Method::POST,
        &format!("/api/v1/functions/{}/block", key.replace('/', "%2F")),
        token,
        Some(&json!({"reason": "test"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{result}");
    assert_eq!(result["previous"], 5);
    assert_eq!(result["changed"], true);
    let (_, page) = call(&f.app, &Method::GET, "/api/v1/functions", token, None).await;
    assert_eq!(page["items"][0]["name"], "fn-00002");
    assert_eq!(page["items"][0]["blocked"], true);
    let (_, view) = call(&f.app, &Method::GET, "/api/v1/assurance", token, None).await;
    assert_eq!(view["policies"], json!(["no-critical"]));
    assert_eq!(view["rows"][0]["name"], "fn-00002");
    assert_eq!(view["rows"][0]["blocked"], true);
    let violating_row = view["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "fn-00001")
        .unwrap();
    assert_eq!(violating_row["results"]["no-critical"], "violation");
    // The view takes the functions list's filters: violating (fn-00001) or blocked (fn-00002).
    for (filter, expected) in [
        ("violating=true", vec!["fn-00001"]),
        ("blocked=true", vec!["fn-00002"]),
        (
            "violating=false&blocked=false",
            vec!["fn-00000", "fn-00003"],
        ),
        ("q=fn-0000&region=nowhere", vec![]),
    ] {
        let (status, view) = call(
            &f.app,
            &Method::GET,
            &format!("/api/v1/assurance?{filter}"),
            token,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{filter}: {view}");
        let names: Vec<_> = view["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            (names, &view["total"]),
            (expected.clone(), &json!(expected.len())),
            "{filter}"
        );
    }

    let (status, detail) = call(
        &f.app,
        &Method::GET,
        &format!("/api/v1/functions/{}", key.replace('/', "%2F")),
        token,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(detail["function"]["blocked"], true);
    assert_eq!(detail["function"]["previous_concurrency"], 5);
    assert_eq!(
        detail["function"]["arn"],
        format!("arn:aws:lambda:{REGION}:{ACCOUNT}:function:fn-00002")
    );
    let vulns = detail["vulnerabilities"].as_array().unwrap();
    assert!(!vulns.is_empty());
    assert!(
        vulns
            .iter()
            .all(|v| v["installed"] == "1.0.0" && v["fixed"] == "1.0.1")
    );
    for v in vulns {
        let advisory = v["advisory"].as_str().unwrap();
        assert!(
            advisory.starts_with("GHSA-") && v["message"].as_str().unwrap().contains(advisory),
            "each vulnerability names the advisory of its message: {v}"
        );
    }
    let secrets = detail["secrets"].as_array().unwrap();
    assert!(!secrets.is_empty());
    for s in secrets {
        let evidence = s["evidence"].as_str().unwrap();
        assert!(
            evidence.contains('…') && evidence.contains("sha256:"),
            "secret evidence is redacted: {evidence}"
        );
    }
    assert!(!detail["permissions"].as_array().unwrap().is_empty());
    assert!(
        detail["history"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["event"] == "blocked" && h["detail"].as_str().unwrap().contains("alice"))
    );
    let (status, _) = call(&f.app, &Method::GET, "/api/v1/functions/nope", token, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// Block then unblock goes through the enforcer, restores the recorded concurrency, refuses a
/// second unblock, and writes both actions to the audit log with the token's name as actor.
#[tokio::test]
async fn block_unblock_round_trip_is_audited() {
    let f = fixture().await;
    let token = Some(f.admin.as_str());
    let key = format!("{ACCOUNT}/{REGION}/fn-00000");
    let enc = key.replace('/', "%2F");
    let (status, _) = call(
        &f.app,
        &Method::POST,
        &format!("/api/v1/functions/{enc}/unblock"),
        token,
        None,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "unblocking an unblocked function"
    );
    let (status, _) = call(
        &f.app,
        &Method::POST,
        &format!("/api/v1/functions/{enc}/block"),
        token,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, again) = call(
        &f.app,
        &Method::POST,
        &format!("/api/v1/functions/{enc}/block"),
        token,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["changed"], false, "blocking twice changes nothing");
    let (status, result) = call(
        &f.app,
        &Method::POST,
        &format!("/api/v1/functions/{enc}/unblock"),
        token,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(result["previous"], 5);
    let arn = format!("arn:aws:lambda:{REGION}:{ACCOUNT}:function:fn-00000");
    assert_eq!(
        *f.enforcer.calls.lock().unwrap(),
        vec![format!("block {arn}"), format!("unblock {arn} Some(5)")]
    );
    assert!(f.store.active_block(&key).await.unwrap().is_none());
    let (_, audit) = call(&f.app, &Method::GET, "/api/v1/audit", token, None).await;
    let actions: Vec<(&str, &str)> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["action"].as_str().unwrap(), a["actor"].as_str().unwrap()))
        .collect();
    assert_eq!(actions, vec![("unblock", "alice"), ("block", "alice")]);
}

/// The findings list filters by severity, rule and text, and the day series has one entry
/// per day with today's counts.
#[tokio::test]
async fn findings_filters_and_series() {
    let f = fixture().await;
    let token = Some(f.viewer.as_str());
    let (_, all) = call(
        &f.app,
        &Method::GET,
        "/api/v1/findings?per_page=500",
        token,
        None,
    )
    .await;
    assert_eq!(all["total"], 40);
    let (_, high) = call(
        &f.app,
        &Method::GET,
        "/api/v1/findings?severity=high",
        token,
        None,
    )
    .await;
    assert!(
        high["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x["severity"] == "high")
    );
    let (_, iam) = call(
        &f.app,
        &Method::GET,
        "/api/v1/findings?rule=FG-IAM",
        token,
        None,
    )
    .await;
    assert_eq!(iam["total"], 8);
    let (_, text) = call(
        &f.app,
        &Method::GET,
        "/api/v1/findings?q=access%20key",
        token,
        None,
    )
    .await;
    assert!(text["total"].as_i64().unwrap() > 0);
    assert!(text["items"].as_array().unwrap().iter().all(|x| {
        x["message"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("access key")
    }));
    let (status, _) = call(
        &f.app,
        &Method::GET,
        "/api/v1/findings?severity=bad",
        token,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (_, series) = call(
        &f.app,
        &Method::GET,
        "/api/v1/stats/findings-by-day?days=7",
        token,
        None,
    )
    .await;
    let days = series["days"].as_array().unwrap();
    assert_eq!(days.len(), 7);
    let today = &days[6];
    let total: i64 = ["critical", "high", "medium", "low", "info"]
        .iter()
        .map(|s| today[*s].as_i64().unwrap())
        .sum();
    assert_eq!(total, 40);
}

/// Cursor pages (next_cursor of each page) walk the same list as one long page; the last,
/// short page has no next_cursor; a malformed cursor is a 400.
#[tokio::test]
async fn cursor_pages_walk_the_whole_list() {
    let f = fixture().await;
    let token = Some(f.viewer.as_str());
    for (list, per_page) in [("findings", 7), ("functions", 3), ("assurance", 3)] {
        let key = if list == "assurance" { "rows" } else { "items" };
        let (_, whole) = call(
            &f.app,
            &Method::GET,
            &format!("/api/v1/{list}?per_page=500"),
            token,
            None,
        )
        .await;
        let mut walked: Vec<Value> = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let path = match &cursor {
                Some(c) => format!(
                    "/api/v1/{list}?per_page={per_page}&cursor={}",
                    c.replace('/', "%2F").replace(':', "%3A")
                ),
                None => format!("/api/v1/{list}?per_page={per_page}"),
            };
            let (status, page) = call(&f.app, &Method::GET, &path, token, None).await;
            assert_eq!(status, StatusCode::OK, "{path}: {page}");
            assert_eq!(page["total"], whole["total"], "{path}");
            walked.extend(page[key].as_array().unwrap().iter().cloned());
            match page["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => break,
            }
        }
        assert_eq!(&walked, whole[key].as_array().unwrap(), "{list}");
        // The same pages by offset: computed afresh (`Cache-Control: no-cache`), then from
        // where the memo says they start; one page past the end is empty.
        let items = whole[key].as_array().unwrap();
        for page in 1..=items.len().div_ceil(per_page) + 1 {
            for no_cache in [true, false, false] {
                let path = format!("/api/v1/{list}?per_page={per_page}&page={page}");
                let mut req = request(&Method::GET, &path, token, None);
                if no_cache {
                    req.headers_mut()
                        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
                }
                let (status, got) = send(&f.app, req).await;
                assert_eq!(status, StatusCode::OK, "{path}: {got}");
                let start = ((page - 1) * per_page).min(items.len());
                let end = (start + per_page).min(items.len());
                assert_eq!(got[key].as_array().unwrap(), &items[start..end], "{path}");
            }
        }
        let (status, _) = call(
            &f.app,
            &Method::GET,
            &format!("/api/v1/{list}?cursor=nonsense"),
            token,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{list}");
    }
}

/// PUT /policy validates with faasguard-assurance's parser (a bad document is 400 with the
/// line) and replaces the file; tokens are created (shown once), listed without secrets and
/// revoked.
#[tokio::test]
async fn policy_and_tokens() {
    let f = fixture().await;
    let token = Some(f.admin.as_str());
    let (status, doc) = call(&f.app, &Method::GET, "/api/v1/policy", token, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(doc["text"], "");
    let bad = json!({"text": "policies:\n  - name: x\n    action: explode\n"});
    let (status, err) = call(&f.app, &Method::PUT, "/api/v1/policy", token, Some(&bad)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("assurance.yaml:3"),
        "{err}"
    );
    assert!(!f.policy_path.exists(), "a rejected policy is not written");
    let good =
        "policies:\n  - name: no-secrets\n    conditions: {no_secrets: true}\n    action: notify\n";
    let (status, _) = call(
        &f.app,
        &Method::PUT,
        "/api/v1/policy",
        token,
        Some(&json!({"text": good})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(std::fs::read_to_string(&f.policy_path).unwrap(), good);

    let (status, created) = call(
        &f.app,
        &Method::POST,
        "/api/v1/tokens",
        token,
        Some(&json!({"name": "ci", "role": "viewer"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let plaintext = created["token"].as_str().unwrap().to_owned();
    let (status, me) = call(&f.app, &Method::GET, "/api/v1/me", Some(&plaintext), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me, json!({"name": "ci", "role": "viewer"}));
    let (_, list) = call(&f.app, &Method::GET, "/api/v1/tokens", token, None).await;
    let listed = list.to_string();
    assert!(listed.contains("\"ci\""));
    assert!(!listed.contains(&plaintext), "the list never shows a token");
    let id = created["id"].as_str().unwrap();
    let (status, _) = call(
        &f.app,
        &Method::DELETE,
        &format!("/api/v1/tokens/{id}"),
        token,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = call(&f.app, &Method::GET, "/api/v1/me", Some(&plaintext), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

/// Over a real socket on 127.0.0.1: the dashboard is served with a CSP that forbids external
/// sources, the OpenAPI document lists every route, and the API answers 401 without a token.
#[tokio::test]
async fn real_socket_dashboard_and_openapi() {
    let f = fixture().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = AppState::new(f.store.clone());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(faasguard_server::serve_listener(listener, state, async {
        let _ = stopped.await;
    }));
    let get = |path: &'static str, token: Option<String>| async move {
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        let auth = token
            .map(|t| format!("Authorization: Bearer {t}\r\n"))
            .unwrap_or_default();
        let req = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Connection: close\r\n\r\n");
        tokio::io::AsyncWriteExt::write_all(&mut stream, req.as_bytes())
            .await
            .unwrap();
        let mut out = Vec::new();
        tokio::io::AsyncReadExt::read_to_end(&mut stream, &mut out)
            .await
            .unwrap();
        String::from_utf8_lossy(&out).into_owned()
    };
    let index = get("/", None).await;
    assert!(index.starts_with("HTTP/1.1 200"), "{index}");
    let lower = index.to_lowercase();
    assert!(lower.contains("content-security-policy: default-src 'none'; script-src 'self'"));
    assert!(lower.contains("x-frame-options: deny"));
    let js = get("/assets/app.js", None).await;
    assert!(js.starts_with("HTTP/1.1 200") && js.contains("sessionStorage"));
    let refused = get("/api/v1/functions", None).await;
    assert!(refused.starts_with("HTTP/1.1 401"), "{refused}");
    assert!(refused.to_lowercase().contains("www-authenticate: bearer"));
    let doc = get("/api/v1/openapi.json", Some(f.viewer.clone())).await;
    assert!(doc.starts_with("HTTP/1.1 200"));
    let body = &doc[doc.find("\r\n\r\n").unwrap() + 4..];
    // The body may be chunked; the paths are plain text inside it either way.
    for route in API_ROUTES {
        assert!(
            body.contains(&format!("\"{}\"", route.path)),
            "{} missing",
            route.path
        );
    }
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}
