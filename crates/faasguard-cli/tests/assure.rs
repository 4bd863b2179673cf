//! `faasguard assure` and `faasguard unblock` end to end against a real moto server on
//! 127.0.0.1 (the cloud harness), with a loopback webhook server and a loopback syslog UDP
//! listener started by the test. Fake credentials only; nothing leaves 127.0.0.1.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::too_many_lines,
    reason = "tests fail loudly; one test follows one enforcement cycle step by step"
)]

mod cloud_harness;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, UdpSocket};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cloud_harness::{
    ACCOUNT, FnSpec, concurrency, create_function, create_role, faasguard, moto,
    reserve_concurrency, runtime, sdk_config, zip_of,
};
use serde_json::Value;

/// Requests received by the webhook server: (path, body).
type Received = Arc<Mutex<Vec<(String, Vec<u8>)>>>;

/// A loopback HTTP server that records every request and answers 200.
fn webhook_server() -> (String, Received) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let received: Received = Arc::default();
    let store = received.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(&stream);
            let mut head = String::new();
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                head.push_str(&line);
            }
            let length = head
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            let path = head.split_whitespace().nth(1).unwrap_or("/").to_owned();
            store.lock().unwrap().push((path, body));
            let mut out = &stream;
            let _ = out
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
        }
    });
    (url, received)
}

/// A loopback syslog UDP listener collecting every datagram.
fn syslog_listener() -> (String, Arc<Mutex<Vec<String>>>) {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    let address = format!("udp://{}", socket.local_addr().unwrap());
    let received: Arc<Mutex<Vec<String>>> = Arc::default();
    let store = received.clone();
    std::thread::spawn(move || {
        let mut buf = vec![0u8; 65_536];
        while let Ok(n) = socket.recv(&mut buf) {
            store
                .lock()
                .unwrap()
                .push(String::from_utf8_lossy(&buf[..n]).into_owned());
        }
    });
    (address, received)
}

/// A loopback port nobody listens on.
fn dead_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The function's `faasguard:blocked` tag, if any.
fn block_tag(region: &str, arn: &str) -> Option<String> {
    let lambda = aws_sdk_lambda::Client::new(&sdk_config(region));
    runtime().block_on(async {
        lambda
            .list_tags()
            .resource(arn)
            .send()
            .await
            .unwrap()
            .tags()
            .and_then(|t| t.get("faasguard:blocked").cloned())
    })
}

fn audit(state: &Path) -> Vec<Value> {
    std::fs::read_to_string(state.join("audit.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn run(args: &[&str]) -> std::process::Output {
    faasguard().args(args).output().unwrap()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Waits until `n` items arrived (UDP and the server thread are asynchronous).
fn wait_for<T>(items: &Mutex<Vec<T>>, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while items.lock().unwrap().len() < n && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The whole enforcement cycle on moto. A dry run changes nothing and lists what it would do.
/// `--enforce` blocks every function of a `block` policy with an administrator role
/// (reserved concurrency 0, checked through GetFunctionConcurrency) and tags it with the
/// previous value; the excepted function is left alone (reported `excepted` with its reason),
/// the function whose exception expired is blocked (with a warning); the webhook gets the
/// violation as JSON, the Slack endpoint a `text`, the syslog listener an RFC 5424 message
/// with structured data and a CEF line; the unreachable webhook is reported (exit 2) and the
/// blocks still happen. A second run is a no-op that keeps the recorded previous values.
/// `unblock` restores 7 where 7 was reserved and no reservation where there was none, removes
/// the tag, and a second unblock is a no-op recorded in the audit log.
#[test]
fn enforce_blocks_notifies_and_unblock_restores_exactly() {
    let region = "ap-south-1";
    let admin = create_role("assure-admin-role", &["AdministratorAccess"], &[]);
    let plain = create_role("assure-plain-role", &[], &[]);
    let zip = zip_of(&[("app.py", "def handler(event, context):\n    return 1\n")]);
    let mk = |name: &str, role: &str| {
        create_function(
            region,
            FnSpec {
                name,
                runtime: "python3.12",
                role,
                zip: zip.clone(),
                tags: &[("env", "prod")],
                ..FnSpec::default()
            },
        )
    };
    let capped = mk("as-capped", &admin);
    let open = mk("as-open", &admin);
    let excepted = mk("as-excepted", &admin);
    let expired = mk("as-expired", &admin);
    let fine = mk("as-fine", &plain);
    reserve_concurrency(region, "as-capped", 7);

    let (hook, received) = webhook_server();
    let (syslog, datagrams) = syslog_listener();
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("assurance.yaml");
    std::fs::write(
        &policy,
        format!(
            "channels:
  hook: {{type: webhook, url: '{hook}/hook'}}
  chat: {{type: slack, url: '{hook}/slack/T000/B000/XXXX'}}
  siem: {{type: syslog, address: '{syslog}', app_name: faasguard, format: both}}
  dead: {{type: webhook, url: 'http://127.0.0.1:{dead}/hook', timeout: 2}}
policies:
  - name: no-admin
    scope: {{functions: ['as-*'], tags: {{env: prod}}}}
    conditions: {{no_admin_role: true}}
    action: block
    notify: [hook, chat, siem, dead]
exceptions:
  - {{policy: no-admin, function: as-excepted, reason: 'migration SEC-42', expires: 2026-12-31}}
  - {{policy: no-admin, function: as-expired, reason: 'old waiver', expires: 2026-11-01}}
",
            dead = dead_port()
        ),
    )
    .unwrap();
    let state = dir.path().join("state");
    let base = [
        "assure",
        "--policy",
        policy.to_str().unwrap(),
        "--regions",
        region,
        "--endpoint-url",
        &moto().url,
        "--no-code",
        "--scanners",
        "iam",
        "--state",
        state.to_str().unwrap(),
        "--actor",
        "tester",
        "--format",
        "json",
    ];

    // Dry run: exit 1 (violations), nothing changes, nothing is sent or logged.
    let dry = run(&base);
    assert_eq!(dry.status.code(), Some(1), "{}", stderr(&dry));
    let result: Value = serde_json::from_slice(&dry.stdout).unwrap();
    assert_eq!(result["enforced"], false);
    let would: Vec<&str> = result["actions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["action"] == "would-block")
        .map(|a| a["function"].as_str().unwrap())
        .collect();
    assert_eq!(would.len(), 3, "{result:#}");
    assert_eq!(concurrency(region, "as-open"), None);
    assert_eq!(concurrency(region, "as-capped"), Some(7));
    assert!(received.lock().unwrap().is_empty());
    assert!(audit(&state).is_empty());

    // Enforce.
    let mut args = base.to_vec();
    args.push("--enforce");
    let first = run(&args);
    let err = stderr(&first);
    assert_eq!(first.status.code(), Some(2), "a failed notification: {err}");
    assert!(
        err.contains("error: notification failed: channel dead: POST to 127.0.0.1:"),
        "{err}"
    );
    assert!(
        err.contains("the exception of as-expired from policy no-admin expired on 2026-11-01"),
        "{err}"
    );
    let result: Value = serde_json::from_slice(&first.stdout).unwrap();
    let status = |name: &str| {
        result["functions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == name)
            .map(|f| f["results"][0].clone())
            .unwrap()
    };
    assert_eq!(status("as-capped")["status"], "violation");
    assert_eq!(
        status("as-capped")["failures"][0]["findings"][0]["rule_id"],
        "FG-IAM-006"
    );
    assert_eq!(status("as-excepted")["status"], "excepted");
    assert_eq!(
        status("as-excepted")["exception"]["reason"],
        "migration SEC-42"
    );
    assert_eq!(status("as-expired")["status"], "violation");
    assert_eq!(status("as-fine")["status"], "pass");

    assert_eq!(concurrency(region, "as-capped"), Some(0));
    assert_eq!(concurrency(region, "as-open"), Some(0));
    assert_eq!(concurrency(region, "as-expired"), Some(0));
    assert_eq!(concurrency(region, "as-excepted"), None);
    assert_eq!(concurrency(region, "as-fine"), None);
    assert_eq!(
        block_tag(region, &capped).as_deref(),
        Some("previous=7 policy=no-admin at=2026-11-24T12:00:00Z")
    );
    assert_eq!(
        block_tag(region, &open).as_deref(),
        Some("previous=none policy=no-admin at=2026-11-24T12:00:00Z")
    );
    assert_eq!(block_tag(region, &excepted), None);
    assert_eq!(block_tag(region, &fine), None);

    // Notifications: 3 violations × (webhook + slack) over HTTP, × 2 syslog messages.
    wait_for(&received, 6);
    wait_for(&datagrams, 6);
    let got = received.lock().unwrap().clone();
    let hook_bodies: Vec<Value> = got
        .iter()
        .filter(|(p, _)| p == "/hook")
        .map(|(_, b)| serde_json::from_slice(b).unwrap())
        .collect();
    assert_eq!(hook_bodies.len(), 3);
    let body = hook_bodies
        .iter()
        .find(|b| b["function"]["arn"] == capped.as_str())
        .unwrap();
    assert_eq!(body["event"], "policy-violation");
    assert_eq!(body["policy"], "no-admin");
    assert_eq!(body["action"], "block");
    assert_eq!(body["outcome"], "blocked");
    assert_eq!(body["actor"], "tester");
    assert_eq!(body["severity"], "critical");
    assert_eq!(body["failures"][0]["condition"], "no_admin_role");
    assert_eq!(body["failures"][0]["findings"][0]["rule_id"], "FG-IAM-006");
    let slack: Vec<Value> = got
        .iter()
        .filter(|(p, _)| p == "/slack/T000/B000/XXXX")
        .map(|(_, b)| serde_json::from_slice(b).unwrap())
        .collect();
    assert_eq!(slack.len(), 3);
    assert!(slack.iter().any(|s| s["text"]
        == format!(
            "faasguard: policy `no-admin` violated by `as-capped` ({capped}) [critical] — blocked"
        )));

    let lines = datagrams.lock().unwrap().clone();
    let rfc: Vec<&String> = lines
        .iter()
        .filter(|l| l.contains("[faasguard@32473 "))
        .collect();
    let cef: Vec<&String> = lines.iter().filter(|l| l.contains(" CEF:0|")).collect();
    assert_eq!((rfc.len(), cef.len()), (3, 3), "{lines:#?}");
    let header = rfc
        .iter()
        .find(|l| l.contains(&capped))
        .unwrap()
        .split(' ')
        .take(6)
        .collect::<Vec<_>>();
    // <PRI> = facility 13 (log audit) × 8 + 2 (critical); version 1; timestamp; host; app; procid.
    assert_eq!(&header[..3], ["<106>1", "2026-11-24T12:00:00Z", header[2]]);
    assert_eq!(header[3], "faasguard");
    assert!(header[4].parse::<u32>().is_ok(), "{header:?}");
    assert_eq!(header[5], "violation");
    let line = rfc.iter().find(|l| l.contains(&capped)).unwrap();
    assert!(
        line.contains(&format!(
            "[faasguard@32473 policy=\"no-admin\" action=\"block\" outcome=\"blocked\" severity=\"critical\" function=\"{capped}\""
        )),
        "{line}"
    );
    let cef_line = cef.iter().find(|l| l.contains(&capped)).unwrap();
    let cef_text = &cef_line[cef_line.find("CEF:0|").unwrap()..];
    assert!(
        cef_text.starts_with(
            "CEF:0|faasguard|faasguard|0.1.0|no-admin|Function Assurance policy violated: no-admin|10|rt=1795521600000 act=block outcome=blocked suser=tester "
        ),
        "{cef_text}"
    );
    assert!(cef_text.contains(&format!(
        "cs2Label=functionArn cs2={capped} cs3Label=rules cs3=FG-IAM-006"
    )));

    let log = audit(&state);
    let actions = |log: &[Value], action: &str| {
        log.iter()
            .filter(|e| e["action"] == action)
            .map(|e| e["function"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(actions(&log, "block").len(), 3);
    assert_eq!(actions(&log, "notify").len(), 9);
    assert_eq!(actions(&log, "notify-failed").len(), 3);
    let capped_block = log
        .iter()
        .find(|e| e["action"] == "block" && e["function"] == capped.as_str())
        .unwrap();
    assert_eq!(capped_block["before"], 7);
    assert_eq!(capped_block["after"], 0);
    assert_eq!(capped_block["actor"], "tester");
    assert_eq!(capped_block["policy"], "no-admin");
    assert_eq!(capped_block["at"], "2026-11-24T12:00:00Z");

    // A second run blocks nothing again and keeps the recorded previous values.
    let second = run(&args);
    assert_eq!(second.status.code(), Some(2), "{}", stderr(&second));
    let log = audit(&state);
    assert_eq!(actions(&log, "block").len(), 3);
    assert_eq!(actions(&log, "no-op").len(), 3);
    assert_eq!(
        block_tag(region, &capped).as_deref(),
        Some("previous=7 policy=no-admin at=2026-11-24T12:00:00Z")
    );

    // Unblock restores exactly and removes the tag.
    let aws = ["--endpoint-url", moto().url.as_str(), "--regions", region];
    let state_args = ["--state", state.to_str().unwrap(), "--actor", "tester"];
    let out = faasguard()
        .arg("unblock")
        .args([&capped, &open])
        .args(aws)
        .args(state_args)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(&format!("unblock {capped}: reserved concurrency 0 → 7")),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "unblock {open}: reserved concurrency 0 → unreserved"
        )),
        "{text}"
    );
    assert_eq!(concurrency(region, "as-capped"), Some(7));
    assert_eq!(concurrency(region, "as-open"), None);
    assert_eq!(block_tag(region, &capped), None);
    assert_eq!(block_tag(region, &open), None);

    // Twice in a row: a no-op, in the audit log too.
    let again = faasguard()
        .args(["unblock", &capped])
        .args(aws)
        .args(state_args)
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert_eq!(concurrency(region, "as-capped"), Some(7));
    let last = audit(&state).pop().unwrap();
    assert_eq!(last["action"], "no-op");
    assert_eq!(last["function"], capped.as_str());
    assert_eq!(last["before"], 7);
    assert_eq!(last["after"], 7);

    // The function whose exception expired is still blocked; the tag alone (no ledger entry)
    // is enough to restore it.
    std::fs::remove_file(state.join("blocks.json")).unwrap();
    let from_tag = faasguard()
        .args(["unblock", &expired])
        .args(aws)
        .args(state_args)
        .output()
        .unwrap();
    assert_eq!(from_tag.status.code(), Some(0), "{}", stderr(&from_tag));
    assert_eq!(concurrency(region, "as-expired"), None);
}

/// `--from` evaluates a saved `cloud scan --format json` report the same way (a table with the
/// violating function first, exit 1, and nothing changed without --enforce); an invalid policy
/// file is refused with `file:line:col` errors and exit 2 before anything is read.
#[test]
fn from_a_saved_report_and_invalid_policies() {
    let region = "sa-east-1";
    let admin = create_role("assure-from-admin", &["AdministratorAccess"], &[]);
    let zip = zip_of(&[("app.py", "def handler(event, context):\n    return 1\n")]);
    for name in ["from-bad", "from-good"] {
        create_function(
            region,
            FnSpec {
                name,
                runtime: if name == "from-bad" {
                    "python3.8"
                } else {
                    "python3.12"
                },
                role: &admin,
                zip: zip.clone(),
                ..FnSpec::default()
            },
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.json");
    let scan = faasguard()
        .args([
            "cloud",
            "scan",
            "--format",
            "json",
            "--no-code",
            "--scanners",
            "config",
        ])
        .args(["--regions", region, "--endpoint-url", &moto().url])
        .args(["-o", report.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(report.exists(), "{}", stderr(&scan));
    let policy = dir.path().join("assurance.yaml");
    std::fs::write(
        &policy,
        "policies:
  - name: runtimes
    conditions: {allowed_runtimes: ['python3.1*']}
    action: notify
",
    )
    .unwrap();
    let out = faasguard()
        .args(["assure", "--policy", policy.to_str().unwrap()])
        .args(["--from", report.to_str().unwrap()])
        .args(["--state", dir.path().join("state").to_str().unwrap()])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    assert_eq!(out.status.code(), Some(1), "{text}{}", stderr(&out));
    let rows: Vec<&str> = text.lines().take(3).collect();
    assert!(rows[0].starts_with("FUNCTION"), "{text}");
    assert!(
        rows[1].starts_with("from-bad") && rows[1].ends_with("VIOLATION"),
        "{text}"
    );
    assert!(
        rows[2].starts_with("from-good") && rows[2].ends_with("pass"),
        "{text}"
    );
    assert!(
        text.contains(
            "  - allowed_runtimes: runtime python3.8 is not allowed (allowed: python3.1*)"
        ),
        "{text}"
    );
    assert!(
        !dir.path().join("state").exists(),
        "a dry run writes nothing"
    );

    std::fs::write(
        &policy,
        "policies:
  - name: typo
    conditions:
      max_severty: high
      forbidden_rules: [FG-IAM-006, FG-XYZ-999]
    action: block
",
    )
    .unwrap();
    let bad = faasguard()
        .args(["assure", "--policy", policy.to_str().unwrap()])
        .args(["--from", report.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    let err = stderr(&bad);
    let shown = policy.display();
    assert!(
        err.contains(&format!("error: {shown}:4:7: unknown key \"max_severty\" in conditions (expected one of max_severity, ")),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "error: {shown}:5:37: unknown rule id \"FG-XYZ-999\""
        )),
        "{err}"
    );
    assert!(bad.stdout.is_empty());
}

/// With `--database`, `assure --enforce` keeps its block and audit in the store `faasguard
/// serve` uses (with the scan and the policy results, as a scheduled cycle records them), and
/// `unblock --database` takes the block from there and restores the concurrency exactly.
#[test]
fn database_ledger_is_shared_with_serve() {
    let region = "eu-north-1";
    let admin = create_role("assure-db-admin-role", &["AdministratorAccess"], &[]);
    let zip = zip_of(&[("app.py", "def handler(event, context):\n    return 1\n")]);
    let arn = create_function(
        region,
        FnSpec {
            name: "db-admin",
            runtime: "python3.12",
            role: &admin,
            zip,
            ..FnSpec::default()
        },
    );
    reserve_concurrency(region, "db-admin", 9);
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("assurance.yaml");
    std::fs::write(
        &policy,
        "policies:\n  - name: no-admin\n    conditions: {no_admin_role: true}\n    action: block\n",
    )
    .unwrap();
    let database = dir.path().join("db").join("store.db");
    let database = database.to_str().unwrap();
    let state = dir.path().join("state");
    let assure = run(&[
        "assure",
        "--policy",
        policy.to_str().unwrap(),
        "--regions",
        region,
        "--endpoint-url",
        &moto().url,
        "--no-code",
        "--scanners",
        "iam",
        "--database",
        database,
        "--state",
        state.to_str().unwrap(),
        "--actor",
        "tester",
        "--enforce",
    ]);
    assert_eq!(assure.status.code(), Some(1), "{}", stderr(&assure));
    assert_eq!(concurrency(region, "db-admin"), Some(0));
    assert!(
        !state.exists(),
        "with --database nothing is written to --state"
    );

    let key = format!("{ACCOUNT}/{region}/db-admin");
    let rt = runtime();
    let store = rt.block_on(faasguard_store::Store::open(database)).unwrap();
    let block = rt.block_on(store.active_block(&key)).unwrap().unwrap();
    assert_eq!(
        (
            block.previous_concurrency,
            block.policy.as_deref(),
            block.blocked_by.as_str()
        ),
        (Some(9), Some("no-admin"), "tester")
    );
    let listed = rt
        .block_on(store.list_functions(
            &faasguard_store::FunctionFilter {
                has_violation: Some(true),
                ..faasguard_store::FunctionFilter::default()
            },
            faasguard_store::Page::default(),
        ))
        .unwrap();
    assert_eq!(
        listed
            .items
            .iter()
            .map(|f| f.key.as_str())
            .collect::<Vec<_>>(),
        [key.as_str()],
        "the scan and its policy results are recorded"
    );
    assert!(listed.items[0].blocked);

    let unblock = run(&[
        "unblock",
        &arn,
        "--endpoint-url",
        &moto().url,
        "--regions",
        region,
        "--database",
        database,
        "--actor",
        "tester",
    ]);
    assert!(unblock.status.success(), "{}", stderr(&unblock));
    assert_eq!(concurrency(region, "db-admin"), Some(9));
    assert!(rt.block_on(store.active_block(&key)).unwrap().is_none());
    let audit = rt
        .block_on(store.list_audit(
            &faasguard_store::AuditFilter::default(),
            faasguard_store::Page::default(),
        ))
        .unwrap();
    let actions: Vec<&str> = audit.items.iter().map(|a| a.action.as_str()).collect();
    assert!(
        actions.contains(&"block") && actions.contains(&"unblock"),
        "{actions:?}"
    );
}
