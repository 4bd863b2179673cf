//! The dashboard end to end: moto server on 127.0.0.1 holds a Lambda function with reserved
//! concurrency 7; the faasguard server (real SQLite store, the real `faasguard_aws::enforce`
//! enforcer pointed at moto) blocks it through the API; then headless Chromium, driven by
//! playwright-core (`tests/e2e/e2e.mjs`), signs in, sees the blocked function first, opens its
//! page, filters findings, draws the chart, and unblocks it through the confirmation dialog.
//! Finally the AWS API says the function's concurrency is 7 again.
//!
//! Needs: python3 with `moto[server]`, node + npm (runs `npm ci` in tests/e2e when
//! node_modules is missing) and /usr/bin/chromium (or `CHROMIUM`). Fails loudly without them.
//! Screenshots go to a temporary directory, or to docs/screenshots with
//! `FAASGUARD_UPDATE_SCREENSHOTS=1`.
//!
//! The AWS SDK reads credentials from the environment only, and a test may not set its own
//! environment (no `unsafe`), so the test runs itself again as a child process with fake
//! credentials in its environment.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stderr,
    reason = "test: fails loudly and shows the browser log"
)]

use std::io::Write as _;
use std::net::TcpListener as StdListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_config::{BehaviorVersion, Region};
use aws_sdk_lambda::primitives::Blob;
use faasguard_aws::{BlockOutcome as B, UnblockOutcome as U};
use faasguard_server::{
    AppState, BoxFuture, EnforceError, EnforceOutcome, Enforcer, FunctionTarget,
};
use faasguard_store::testdata::{synthetic_report, synthetic_scope};
use faasguard_store::{Outcome, PolicyResultInput, Role, Store};
use serde_json::json;

const ACCOUNT: &str = "123456789012";
const REGION: &str = "us-east-1";
const FUNCTION: &str = "fn-00000";
const ACCESS_KEY: &str = "AKIAFAKEFAKEFAKE0000";
const SECRET_KEY: &str = "fakesecretfakesecretfakesecret00";
/// The policy file the server starts with (edited in the browser).
const POLICY: &str = "policies:
  - name: no-critical-vulns
    conditions: {max_severity: {vuln: high}}
    action: block
  - name: no-secrets
    conditions: {no_secrets: true}
    action: notify
";

/// The production enforcer (`faasguard_aws::enforce`, blocking) behind the server's async trait.
#[derive(Debug)]
struct AwsEnforcer(Arc<faasguard_aws::Enforcer>);

impl Enforcer for AwsEnforcer {
    fn block<'a>(
        &'a self,
        target: &'a FunctionTarget,
    ) -> BoxFuture<'a, Result<EnforceOutcome, EnforceError>> {
        let inner = self.0.clone();
        let arn = target.arn.clone();
        Box::pin(async move {
            let outcome = tokio::task::spawn_blocking(move || {
                inner.block(&arn, "dashboard", "2026-11-24T00:00:00Z")
            })
            .await
            .map_err(|e| EnforceError(e.to_string()))?
            .map_err(|e| EnforceError(e.to_string()))?;
            Ok(match outcome {
                B::Blocked { previous } => EnforceOutcome {
                    previous,
                    current: Some(0),
                    changed: true,
                },
                B::AlreadyBlocked { tag } => EnforceOutcome {
                    previous: tag.previous,
                    current: Some(0),
                    changed: false,
                },
                B::AlreadyZero => EnforceOutcome {
                    previous: Some(0),
                    current: Some(0),
                    changed: false,
                },
            })
        })
    }

    fn unblock<'a>(
        &'a self,
        target: &'a FunctionTarget,
        previous: Option<i32>,
    ) -> BoxFuture<'a, Result<EnforceOutcome, EnforceError>> {
        let inner = self.0.clone();
        let arn = target.arn.clone();
        Box::pin(async move {
            let outcome = tokio::task::spawn_blocking(move || inner.unblock(&arn, Some(previous)))
                .await
                .map_err(|e| EnforceError(e.to_string()))?
                .map_err(|e| EnforceError(e.to_string()))?;
            Ok(match outcome {
                U::Restored { previous } => EnforceOutcome {
                    previous,
                    current: previous,
                    changed: true,
                },
                U::NotBlocked { current, .. } => EnforceOutcome {
                    previous,
                    current,
                    changed: false,
                },
                U::NothingRecorded => {
                    return Err(EnforceError("no previous concurrency recorded".into()));
                }
            })
        })
    }
}

fn free_port() -> u16 {
    StdListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// moto server under an `sh` guard that kills it when our end of its stdin closes.
fn start_moto() -> (Child, String) {
    let port = free_port();
    let python = std::env::var("FAASGUARD_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let child = Command::new("sh")
        .args([
            "-c",
            "\"$0\" -m moto.server -H 127.0.0.1 -p \"$1\" >/dev/null 2>&1 & pid=$!; read _; kill $pid; wait $pid",
            &python,
            &port.to_string(),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("cannot start sh for moto");
    let url = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(90);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "moto server did not start on {url}; install it with `pip install 'moto[server]'`"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    (child, url)
}

async fn lambda_client(moto: &str) -> aws_sdk_lambda::Client {
    let conf = aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(moto)
        .region(Region::new(REGION))
        .credentials_provider(aws_sdk_lambda::config::Credentials::new(
            ACCESS_KEY,
            SECRET_KEY,
            None,
            None,
            "faasguard-test",
        ))
        .load()
        .await;
    aws_sdk_lambda::Client::new(&conf)
}

async fn seed_moto(moto: &str) -> String {
    let conf = aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(moto)
        .region(Region::new(REGION))
        .credentials_provider(aws_sdk_lambda::config::Credentials::new(
            ACCESS_KEY,
            SECRET_KEY,
            None,
            None,
            "faasguard-test",
        ))
        .load()
        .await;
    let role = aws_sdk_iam::Client::new(&conf)
        .create_role()
        .role_name("e2e-role")
        .assume_role_policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#)
        .send()
        .await
        .unwrap()
        .role()
        .unwrap()
        .arn()
        .to_owned();
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file("app.py", zip::write::SimpleFileOptions::default())
        .unwrap();
    zip.write_all(b"def handler(event, context):\n    return 1\n")
        .unwrap();
    let bytes = zip.finish().unwrap().into_inner();
    let lambda = lambda_client(moto).await;
    let arn = lambda
        .create_function()
        .function_name(FUNCTION)
        .runtime(aws_sdk_lambda::types::Runtime::Python312)
        .role(role)
        .handler("app.handler")
        .code(
            aws_sdk_lambda::types::FunctionCode::builder()
                .zip_file(Blob::new(bytes))
                .build(),
        )
        .send()
        .await
        .unwrap()
        .function_arn()
        .unwrap()
        .to_owned();
    lambda
        .put_function_concurrency()
        .function_name(FUNCTION)
        .reserved_concurrent_executions(7)
        .send()
        .await
        .unwrap();
    arn
}

async fn reserved(moto: &str) -> Option<i32> {
    lambda_client(moto)
        .await
        .get_function_concurrency()
        .function_name(FUNCTION)
        .send()
        .await
        .unwrap()
        .reserved_concurrent_executions()
}

fn e2e_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/e2e")
}

/// `npm ci` when node_modules is missing; panics with the fix when node or npm is missing.
fn npm_ci() {
    let dir = e2e_dir();
    if dir.join("node_modules/playwright-core").is_dir() {
        return;
    }
    let status = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(&dir)
        .status()
        .unwrap_or_else(|e| panic!("cannot run npm ({e}); install Debian `nodejs` and `npm`"));
    assert!(status.success(), "npm ci failed in {}", dir.display());
}

#[expect(
    clippy::too_many_lines,
    reason = "one end-to-end scenario, read top to bottom"
)]
async fn scenario() {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        Path::new(&chromium).exists(),
        "{chromium} is missing: `apt-get install -y chromium` (or set CHROMIUM)"
    );
    npm_ci();
    let (mut moto_guard, moto) = start_moto();
    let arn = Box::pin(seed_moto(&moto)).await;

    // The store: a synthetic cloud scan whose first function is the one in moto.
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("store.db").to_str().unwrap())
        .await
        .unwrap();
    let mut report = synthetic_report(ACCOUNT, REGION, 3, 20, 7);
    assert_eq!(report.functions[0].cloud.as_ref().unwrap().arn, arn);
    report.functions[0]
        .cloud
        .as_mut()
        .unwrap()
        .reserved_concurrency = Some(7);
    let scan = store
        .record_scan("cloud", &synthetic_scope(ACCOUNT, REGION), &report, true)
        .await
        .unwrap();
    let results: Vec<PolicyResultInput> = report
        .functions
        .iter()
        .flat_map(|f| {
            let bad = f.name.as_deref() == Some(FUNCTION);
            [
                PolicyResultInput {
                    policy: "no-critical-vulns".into(),
                    function_key: f.id.clone(),
                    outcome: if bad {
                        Outcome::Violation
                    } else {
                        Outcome::Pass
                    },
                    reasons: json!(["critical vulnerability in a dependency"]),
                    action: Some("block".into()),
                },
                PolicyResultInput {
                    policy: "no-secrets".into(),
                    function_key: f.id.clone(),
                    outcome: Outcome::Pass,
                    reasons: json!([]),
                    action: Some("notify".into()),
                },
            ]
        })
        .collect();
    store
        .record_policy_results(scan.id, &results)
        .await
        .unwrap();
    let admin = store
        .create_token("e2e-admin", Role::Admin, "test")
        .await
        .unwrap()
        .plaintext;
    let viewer = store
        .create_token("e2e-viewer", Role::Viewer, "test")
        .await
        .unwrap()
        .plaintext;

    // The production enforcer on moto.
    let mut settings =
        faasguard_aws::CloudSettings::new(faasguard_aws::Regions::List(vec![REGION.into()]));
    settings.endpoint_url = Some(moto.clone());
    let enforcer = tokio::task::spawn_blocking(move || faasguard_aws::Enforcer::connect(&settings))
        .await
        .unwrap()
        .unwrap();
    let enforcer = Arc::new(enforcer);
    let policy_path = dir.path().join("assurance.yaml");
    std::fs::write(&policy_path, POLICY).unwrap();
    let state = AppState::new(store.clone())
        .with_enforcer(Arc::new(AwsEnforcer(enforcer.clone())))
        .with_policy_file(policy_path.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(faasguard_server::serve_listener(listener, state, async {
        let _ = stopped.await;
    }));

    // Block through the API (as the scheduler's assurance or an admin would).
    let key = report.functions[0].id.clone();
    let block = {
        let mut stream = tokio::net::TcpStream::connect(url.trim_start_matches("http://"))
            .await
            .unwrap();
        let path = format!("/api/v1/functions/{}/block", key.replace('/', "%2F"));
        let req = format!(
            "POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {admin}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        );
        tokio::io::AsyncWriteExt::write_all(&mut stream, req.as_bytes())
            .await
            .unwrap();
        let mut out = Vec::new();
        tokio::io::AsyncReadExt::read_to_end(&mut stream, &mut out)
            .await
            .unwrap();
        String::from_utf8_lossy(&out).into_owned()
    };
    assert!(block.starts_with("HTTP/1.1 200"), "{block}");
    assert_eq!(
        reserved(&moto).await,
        Some(0),
        "the API blocked the function in AWS"
    );

    // The browser.
    let shots = if std::env::var_os("FAASGUARD_UPDATE_SCREENSHOTS").is_some() {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/screenshots")
    } else {
        dir.path().join("screenshots")
    };
    let node = tokio::process::Command::new("node")
        .arg("e2e.mjs")
        .current_dir(e2e_dir())
        .env("FAASGUARD_URL", &url)
        .env("FAASGUARD_ADMIN_TOKEN", &admin)
        .env("FAASGUARD_VIEWER_TOKEN", &viewer)
        .env("FAASGUARD_BLOCKED", FUNCTION)
        .env("FAASGUARD_SCREENSHOTS", &shots)
        .env("CHROMIUM", &chromium)
        .output()
        .await
        .unwrap_or_else(|e| panic!("cannot run node ({e}); install Debian `nodejs`"));
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&node.stdout),
        String::from_utf8_lossy(&node.stderr)
    );
    eprintln!("{log}");
    assert!(node.status.success(), "the browser test failed:\n{log}");
    assert!(log.contains("ok - after confirming, the function is shown unblocked"));

    // Through the AWS API: the concurrency recorded at the block is back.
    assert_eq!(
        reserved(&moto).await,
        Some(7),
        "unblocking restored the concurrency"
    );
    assert!(store.active_block(&key).await.unwrap().is_none());
    let audit = store
        .list_audit(
            &faasguard_store::AuditFilter::default(),
            faasguard_store::Page::default(),
        )
        .await
        .unwrap();
    let unblock = audit
        .items
        .iter()
        .find(|a| a.action == "unblock")
        .expect("an unblock entry");
    assert_eq!(unblock.actor, "e2e-admin");
    for action in ["policy-update", "token-create", "token-revoke"] {
        assert!(
            audit
                .items
                .iter()
                .any(|a| a.action == action && a.actor == "e2e-admin"),
            "audited: {action}"
        );
    }
    // The policy saved in the browser is the file the scheduler reads.
    let saved = std::fs::read_to_string(&policy_path).unwrap();
    assert!(
        saved.starts_with(POLICY.trim_end()) && saved.ends_with("# edited in the dashboard\n"),
        "{saved}"
    );
    let tokens = store.list_tokens().await.unwrap();
    let ci = tokens
        .iter()
        .find(|t| t.name == "e2e-ci")
        .expect("created in the browser");
    assert!(ci.revoked_at.is_some());
    for name in [
        "signin",
        "assurance",
        "function",
        "findings",
        "trends",
        "audit",
        "policy",
        "tokens",
    ] {
        assert!(
            shots.join(format!("{name}.png")).is_file(),
            "screenshot {name}.png"
        );
    }

    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
    // The AWS enforcer owns a runtime, which may only be dropped outside async code.
    tokio::task::spawn_blocking(move || drop(enforcer))
        .await
        .unwrap();
    drop(moto_guard.stdin.take());
    let _ = moto_guard.wait();
}

/// Signing in, seeing the blocked function first and unblocking it in headless Chromium
/// restores its reserved concurrency in AWS (moto), with the unblock in the audit log under
/// the token's name.
#[test]
fn dashboard_unblock_restores_concurrency_on_moto() {
    if std::env::var("AWS_ACCESS_KEY_ID").as_deref() == Ok(ACCESS_KEY) {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
            .block_on(scenario());
        return;
    }
    // Run this test again in a child process whose environment holds fake credentials.
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "dashboard_unblock_restores_concurrency_on_moto",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
        .env("AWS_REGION", REGION)
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN")
        .output()
        .unwrap();
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "the end-to-end run failed:\n{log}");
    assert!(
        log.contains("1 passed"),
        "the child ran the scenario:\n{log}"
    );
}
