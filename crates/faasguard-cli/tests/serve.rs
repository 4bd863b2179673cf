//! `faasguard serve` and `faasguard token` end to end: the real binary against a real moto
//! server on 127.0.0.1 (the cloud harness) with a SQLite store in a temporary directory. The
//! scheduler scans, records, evaluates a `block` policy and blocks through Lambda; the API shows
//! the block; an admin unblocks through the API and the previous reserved concurrency is back.
//! A server killed with SIGKILL in the middle of a scan loses nothing: after a restart the job
//! is claimed again and completes. Fake credentials only; nothing leaves 127.0.0.1.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod cloud_harness;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use cloud_harness::{
    ACCESS_KEY, FnSpec, SECRET_KEY, api, concurrency, create_function, create_role, faasguard,
    free_port, http_request, moto, reserve_concurrency, wait_for, zip_of,
};
use serde_json::Value;

/// Runs a Python script over the test's SQLite store (Python's sqlite3 module; the harness
/// already needs Python for moto) and parses the JSON it prints.
fn query_store(dir: &Path, script: &str) -> Value {
    let python = std::env::var("FAASGUARD_TEST_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let out = Command::new(python)
        .args(["-c", script])
        .arg(dir.join("store.db"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The scheduled job's row and SQLite's integrity check.
fn job_row(dir: &Path) -> Value {
    query_store(
        dir,
        "import json, sqlite3, sys\n\
        db = sqlite3.connect(sys.argv[1])\n\
        db.row_factory = sqlite3.Row\n\
        row = db.execute('SELECT * FROM jobs').fetchone()\n\
        out = dict(row) if row else {}\n\
        out['integrity'] = db.execute('PRAGMA integrity_check').fetchone()[0]\n\
        print(json.dumps(out))\n",
    )
}

/// The keys of the scheduled jobs and the scopes of the stored scans, sorted.
fn jobs_and_scopes(dir: &Path) -> Value {
    query_store(
        dir,
        "import json, sqlite3, sys\n\
        db = sqlite3.connect(sys.argv[1])\n\
        jobs = [r[0] for r in db.execute('SELECT jkey FROM jobs ORDER BY jkey')]\n\
        scopes = sorted({r[0] for r in db.execute('SELECT scope FROM scans')})\n\
        print(json.dumps({'jobs': jobs, 'scopes': scopes}))\n",
    )
}

/// A `faasguard serve` child process, killed when dropped (also when a test fails).
struct Server(Child);

impl Server {
    /// SIGKILL and reap.
    fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// `faasguard serve` on moto as a child process with the harness's fake-credential
/// environment.
fn spawn_serve(dir: &Path, port: u16, region: &str, extra: &[&str]) -> Server {
    spawn_serve_via(dir, port, region, &moto().url, extra)
}

/// `faasguard serve` sending its AWS calls to `endpoint`.
fn spawn_serve_via(dir: &Path, port: u16, region: &str, endpoint: &str, extra: &[&str]) -> Server {
    let policy = dir.join("assurance.yaml");
    Command::new(assert_cmd::cargo::cargo_bin!("faasguard"))
        .env_clear()
        .env("HOME", std::env::temp_dir())
        .env("FAASGUARD_TODAY", "2026-11-24")
        .env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .args(["serve", "--database"])
        .arg(dir.join("store.db"))
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .arg("--policy")
        .arg(&policy)
        .args(["--regions", region, "--endpoint-url", endpoint])
        .args(["--no-code", "--scanners", "iam", "--every", "1h"])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map(Server)
        .unwrap()
}

fn token(dir: &Path, role: &str) -> String {
    let out = faasguard()
        .args(["token", "create", "tester", "--role", role, "--database"])
        .arg(dir.join("store.db"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// The scheduler of `faasguard serve --enforce` scans moto, stores the scan, evaluates the
/// policy and blocks the admin-role function (reserved concurrency 7 → 0, recorded in the
/// store); the API lists it as blocked and violating; an admin token unblocks it through the
/// API and Lambda reports 7 again; a viewer token may not unblock.
#[test]
fn scheduler_blocks_and_the_api_unblocks() {
    let region = "me-south-1";
    let admin_role = create_role("serve-admin-role", &["AdministratorAccess"], &[]);
    create_function(
        region,
        FnSpec {
            name: "serve-admin-fn",
            runtime: "python3.12",
            role: &admin_role,
            zip: zip_of(&[("app.py", "X = 1\n")]),
            ..FnSpec::default()
        },
    );
    reserve_concurrency(region, "serve-admin-fn", 7);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("assurance.yaml"),
        "policies:\n  - name: no-admin\n    conditions: {no_admin_role: true}\n    action: block\n",
    )
    .unwrap();
    let admin = token(dir.path(), "admin");
    let viewer = token(dir.path(), "viewer");
    let port = free_port();
    let mut server = spawn_serve(dir.path(), port, region, &["--enforce"]);

    let key = "123456789012/me-south-1/serve-admin-fn";
    let listed = wait_for(Duration::from_mins(2), "the blocked function", || {
        let (status, body) = api(port, "GET", "/api/v1/functions?blocked=true", &viewer);
        (status == 200 && body["total"] == 1).then_some(body)
    });
    assert_eq!(listed["items"][0]["id"], key, "{listed}");
    assert_eq!(listed["items"][0]["violating"], true, "{listed}");
    assert_eq!(concurrency(region, "serve-admin-fn"), Some(0));

    let path = format!("/api/v1/functions/{}/unblock", key.replace('/', "%2F"));
    let (status, _) = api(port, "POST", &path, &viewer);
    assert_eq!(status, 403, "a viewer may not unblock");
    let (status, body) = api(port, "POST", &path, &admin);
    assert_eq!(status, 200, "{body}");
    assert_eq!(concurrency(region, "serve-admin-fn"), Some(7));
    let (_, audit) = api(port, "GET", "/api/v1/audit", &viewer);
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert!(actions.contains(&"block"), "{audit}");
    assert!(actions.contains(&"unblock"), "{audit}");

    server.kill();
}

/// SIGKILL in the middle of a scheduled scan (moto answers through a proxy that stalls) and a
/// restart: the store opens cleanly, the interrupted job is claimed again once its lease
/// expires, and the scan then completes and is stored.
#[test]
fn killed_server_retries_the_interrupted_job() {
    let region = "af-south-1";
    let role = create_role("serve-kill-role", &[], &[]);
    create_function(
        region,
        FnSpec {
            name: "serve-kill-fn",
            runtime: "python3.12",
            role: &role,
            zip: zip_of(&[("app.py", "X = 1\n")]),
            ..FnSpec::default()
        },
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("assurance.yaml"),
        "policies:\n  - name: runtimes\n    conditions: {allowed_runtimes: ['python3.*']}\n    action: notify\n",
    )
    .unwrap();
    let viewer = token(dir.path(), "viewer");
    // A proxy in front of moto that holds every ListFunctions answer for 30 s, so the first
    // scan is still running when the server is killed.
    let slow = cloud_harness::fault_proxy(Box::new(|line: &str, _head: &str, _body: &[u8]| {
        if line.starts_with("GET /2015-03-31/functions") {
            std::thread::sleep(Duration::from_secs(30));
        }
        None
    }));
    let port = free_port();
    let mut server = spawn_serve_via(
        dir.path(),
        port,
        region,
        &slow.url,
        &["--lease", "3s", "--worker-id", "first"],
    );
    wait_for(Duration::from_mins(1), "the killed worker's claim", || {
        let job = job_row(dir.path());
        (job["lease_owner"] == "first").then_some(())
    });
    server.kill(); // SIGKILL, in the middle of ListFunctions
    let job = job_row(dir.path());
    assert_eq!(job["integrity"], "ok", "{job}");
    assert!(job["last_finished_at"].is_null(), "{job}");

    // Restart against moto directly: the stale lease expires and the job runs to the end.
    let port = free_port();
    let mut server = spawn_serve(
        dir.path(),
        port,
        region,
        &["--lease", "3s", "--worker-id", "second"],
    );
    let listed = wait_for(Duration::from_mins(2), "the scan after restart", || {
        let (status, body) = api(port, "GET", "/api/v1/functions", &viewer);
        (status == 200 && body["total"] == 1).then_some(body)
    });
    assert_eq!(
        listed["items"][0]["id"],
        "123456789012/af-south-1/serve-kill-fn"
    );
    let job = wait_for(Duration::from_secs(30), "the job's completion", || {
        let job = job_row(dir.path());
        (job["last_ok"] == 1).then_some(job)
    });
    assert_eq!(job["integrity"], "ok", "{job}");
    server.kill();
}

/// With `--assume-role` given twice, the scheduler has one job per account, each scan is
/// stored under its own scope (so a complete scan of one account never marks the other's
/// functions deleted), and the API lists both accounts' functions.
#[test]
fn one_job_per_assumed_account() {
    let region = "ap-east-1";
    let (a, b) = ("310987654321", "410987654321");
    cloud_harness::seed_account(a, region, "serve-acct-a");
    cloud_harness::seed_account(b, region, "serve-acct-b");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("assurance.yaml"),
        "policies:\n  - name: runtimes\n    conditions: {allowed_runtimes: ['python3.*']}\n    action: notify\n",
    )
    .unwrap();
    let viewer = token(dir.path(), "viewer");
    let port = free_port();
    let roles = [
        format!("arn:aws:iam::{a}:role/Audit"),
        format!("arn:aws:iam::{b}:role/Audit"),
    ];
    let mut server = spawn_serve(
        dir.path(),
        port,
        region,
        &["--assume-role", &roles[0], "--assume-role", &roles[1]],
    );
    let listed = wait_for(Duration::from_mins(2), "both accounts' functions", || {
        let (status, body) = api(port, "GET", "/api/v1/functions", &viewer);
        (status == 200 && body["total"] == 2).then_some(body)
    });
    let mut ids: Vec<&str> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["id"].as_str())
        .collect();
    ids.sort_unstable();
    assert_eq!(
        ids,
        [
            format!("{a}/{region}/serve-acct-a"),
            format!("{b}/{region}/serve-acct-b")
        ]
    );
    // One job per account, and each scan stored under its own scope.
    let seen = jobs_and_scopes(dir.path());
    assert_eq!(
        seen["jobs"],
        serde_json::json!([
            format!("cloud-scan:{}", roles[0]),
            format!("cloud-scan:{}", roles[1])
        ])
    );
    assert_eq!(
        seen["scopes"],
        serde_json::json!([
            format!("aws:{}:{region}", roles[0]),
            format!("aws:{}:{region}", roles[1])
        ])
    );
    server.kill();
}

/// One Organizations call on moto (JSON 1.1 over plain HTTP; moto does not check signatures).
fn organizations(operation: &str, body: &str) -> (u16, Value) {
    let target = format!("AWSOrganizationsV20161128.{operation}");
    let auth = format!(
        "AWS4-HMAC-SHA256 Credential={ACCESS_KEY}/20261124/us-east-1/organizations/aws4_request, SignedHeaders=host, Signature=0"
    );
    let (status, answer) = http_request(
        "POST",
        &format!("{}/", moto().url),
        &[
            ("Content-Type", "application/x-amz-json-1.1"),
            ("X-Amz-Target", &target),
            ("Authorization", &auth),
        ],
        body.as_bytes(),
    )
    .unwrap();
    (
        status,
        serde_json::from_slice(&answer).unwrap_or(Value::Null),
    )
}

/// With `--org-role`, the scheduler lists the organisation's accounts at start and makes one
/// job for the caller's own account and one per member account (the role to assume in it);
/// the caller's job scans and stores under its own scope.
#[test]
fn one_job_per_organisation_account() {
    let region = "il-central-1";
    let (status, _) = organizations("CreateOrganization", r#"{"FeatureSet":"ALL"}"#);
    assert!(
        status == 200 || status == 400,
        "CreateOrganization: {status}"
    );
    let (status, created) = organizations(
        "CreateAccount",
        r#"{"Email":"member@example.com","AccountName":"member"}"#,
    );
    assert_eq!(status, 200, "{created}");
    let role = create_role("serve-org-role", &[], &[]);
    create_function(
        region,
        FnSpec {
            name: "serve-org-fn",
            runtime: "python3.12",
            role: &role,
            zip: zip_of(&[("app.py", "X = 1\n")]),
            ..FnSpec::default()
        },
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("assurance.yaml"),
        "policies:\n  - name: runtimes\n    conditions: {allowed_runtimes: ['python3.*']}\n    action: notify\n",
    )
    .unwrap();
    let viewer = token(dir.path(), "viewer");
    let port = free_port();
    let mut server = spawn_serve(
        dir.path(),
        port,
        region,
        &["--org-role", "OrganizationAccountAccessRole"],
    );
    wait_for(Duration::from_mins(2), "the caller's function", || {
        let (status, body) = api(port, "GET", "/api/v1/functions", &viewer);
        (status == 200
            && body["items"]
                .as_array()
                .is_some_and(|items| items.iter().any(|f| f["name"] == "serve-org-fn")))
        .then_some(())
    });
    let seen = jobs_and_scopes(dir.path());
    let jobs: Vec<&str> = seen["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(jobs.contains(&"cloud-scan:caller"), "{seen}");
    let members: Vec<&&str> = jobs
        .iter()
        .filter(|j| j.starts_with("cloud-scan:arn:aws:iam::"))
        .collect();
    assert!(!members.is_empty(), "{seen}");
    for job in &members {
        assert!(
            job.ends_with(":role/OrganizationAccountAccessRole"),
            "{seen}"
        );
        assert!(
            !job.contains(cloud_harness::ACCOUNT),
            "the caller is not assumed: {seen}"
        );
    }
    assert_eq!(jobs.len(), members.len() + 1, "{seen}");
    assert!(
        seen["scopes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| *s == format!("aws:caller:{region}")),
        "{seen}"
    );
    server.kill();
}
