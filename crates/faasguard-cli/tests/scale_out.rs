//! Scale-out of `faasguard serve`: several real server processes on one PostgreSQL (a throwaway
//! cluster on 127.0.0.1, `faasguard_store::testpg`) against moto (the cloud harness) share the scheduled
//! cloud scan without running it twice, and never block or unblock the same function twice,
//! whether the block comes from the scheduler or from admins calling both servers at once. A
//! worker killed with SIGKILL while it holds the job's lease leaves the job to the other worker
//! once the lease expires. Fake credentials only; nothing leaves 127.0.0.1.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod cloud_harness;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::time::{Duration, Instant};

use cloud_harness::{
    ACCESS_KEY, FnSpec, SECRET_KEY, api, concurrency, create_function, create_role, faasguard,
    free_port, moto, reserve_concurrency, wait_for, zip_of,
};
use faasguard_store::testpg::{Postgres, postgres};
use serde_json::Value;

/// The policy that blocks any function whose role is an administrator.
const BLOCK_ADMINS: &str =
    "policies:\n  - name: no-admin\n    conditions: {no_admin_role: true}\n    action: block\n";

/// A `faasguard serve` child process, killed (SIGKILL) when dropped so that a failing test
/// leaves no server behind. Its stderr goes to a file in the test's directory.
struct Server {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Server {
    fn pid(&self) -> String {
        self.child.id().to_string()
    }

    /// Sends `signal` (`STOP`, `CONT`, `KILL`) to this server only.
    fn signal(&self, signal: &str) {
        let ok = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.pid())
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill -{signal} {}", self.pid());
    }

    /// SIGKILL, and reap the process.
    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    fn stderr(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// What a server is started with.
struct ServeOpts<'a> {
    database: &'a str,
    region: &'a str,
    /// The AWS endpoint (moto, or a proxy in front of it).
    endpoint: &'a str,
    worker: &'a str,
    policy: Option<&'a Path>,
    extra: &'a [&'a str],
}

/// Starts `faasguard serve` on a free loopback port with the harness's fake-credential
/// environment and waits until its API answers `token`.
fn serve(dir: &Path, opts: &ServeOpts<'_>, token: &str) -> Server {
    let port = free_port();
    let log = dir.join(format!("{}.stderr", opts.worker));
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin!("faasguard"));
    cmd.env_clear()
        .env("HOME", std::env::temp_dir())
        .env("FAASGUARD_TODAY", "2026-11-24")
        .env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .args(["serve", "--database", opts.database])
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .args(["--worker-id", opts.worker])
        .args(["--regions", opts.region, "--endpoint-url", opts.endpoint])
        .args(["--no-code", "--scanners", "iam"]);
    if let Some(policy) = opts.policy {
        cmd.arg("--policy").arg(policy);
    }
    let child = cmd
        .args(opts.extra)
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let mut server = Server { child, port, log };
    let start = Instant::now();
    loop {
        if api(port, "GET", "/api/v1/me", token).0 == 200 {
            return server;
        }
        if let Ok(Some(status)) = server.child.try_wait() {
            panic!(
                "{} exited early ({status}): {}",
                opts.worker,
                server.stderr()
            );
        }
        assert!(
            start.elapsed() < Duration::from_mins(1),
            "{} never answered: {}",
            opts.worker,
            server.stderr()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// `faasguard token create` against the shared database; the token.
fn token(database: &str, role: &str) -> String {
    let out = faasguard()
        .args(["token", "create", &format!("{role}-tester"), "--role", role])
        .args(["--database", database])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// One integer from a query.
fn count(pg: &Postgres, db: &str, sql: &str) -> i64 {
    let text = pg.psql(db, sql);
    text.parse()
        .unwrap_or_else(|_| panic!("`{sql}` gave `{text}`, not a number"))
}

/// The job's current lease owner (`""` while nobody holds it).
fn lease_owner(pg: &Postgres, db: &str) -> String {
    pg.psql(
        db,
        "SELECT COALESCE(lease_owner, '') FROM jobs WHERE jkey = 'cloud-scan'",
    )
}

/// A Lambda function with an administrator role and reserved concurrency 5 in `region`.
fn admin_function(region: &str, name: &str) {
    let role = create_role(&format!("{name}-role"), &["AdministratorAccess"], &[]);
    create_function(
        region,
        FnSpec {
            name,
            runtime: "python3.12",
            role: &role,
            zip: zip_of(&[("app.py", "X = 1\n")]),
            ..FnSpec::default()
        },
    );
    reserve_concurrency(region, name, 5);
}

/// Records every lease owner it sees on the job (polling PostgreSQL every 100 ms) until
/// stopped.
struct OwnerWatch {
    seen: Arc<Mutex<BTreeSet<String>>>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl OwnerWatch {
    fn start(db: &str) -> OwnerWatch {
        let seen = Arc::new(Mutex::new(BTreeSet::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (seen2, stop2, db) = (seen.clone(), stop.clone(), db.to_owned());
        let thread = std::thread::spawn(move || {
            while !stop2.load(Ordering::SeqCst) {
                let owner = lease_owner(postgres(), &db);
                if !owner.is_empty() {
                    seen2.lock().unwrap().insert(owner);
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        });
        OwnerWatch {
            seen,
            stop,
            thread: Some(thread),
        }
    }

    fn seen(&self) -> BTreeSet<String> {
        self.seen.lock().unwrap().clone()
    }

    fn finish(mut self) -> BTreeSet<String> {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            t.join().unwrap();
        }
        self.seen()
    }
}

/// Asserts that every stored scan succeeded and started no earlier than `interval_ms` after
/// the previous one finished (one run per period, never two at once); the number of scans.
fn assert_runs_spaced(pg: &Postgres, db: &str, interval_ms: i64) -> usize {
    let rows = pg.psql(
        db,
        "SELECT started_at || ' ' || COALESCE(finished_at, -1) || ' ' || status FROM scans ORDER BY id",
    );
    let runs: Vec<(i64, i64, String)> = rows
        .lines()
        .map(|l| {
            let parts: Vec<&str> = l.split(' ').collect();
            (
                parts[0].parse().unwrap(),
                parts[1].parse().unwrap(),
                parts[2].to_owned(),
            )
        })
        .collect();
    for (_, _, status) in &runs {
        assert_eq!(status, "succeeded", "{rows}");
    }
    for pair in runs.windows(2) {
        let ((_, finished, _), (next_start, _, _)) = (&pair[0], &pair[1]);
        assert!(
            *next_start >= finished + interval_ms,
            "a run started {} ms after the previous one finished: {rows}",
            next_start - finished
        );
    }
    runs.len()
}

/// Two `faasguard serve --enforce --every 2s` workers on one PostgreSQL database: over several
/// periods the scheduled scan never runs twice — every scan starts at least one interval
/// after the previous one finished, so no two runs overlap or share a period — both workers
/// take the job (one is paused with SIGSTOP between runs, so the other must), and the
/// administrator-role function is blocked exactly once: one `block` audit entry, one block
/// row recording the previous reserved concurrency 5, Lambda at 0, and every later run a
/// no-op.
#[test]
fn two_workers_share_the_schedule_and_block_once() {
    let region = "ca-central-1";
    let name = "scale-sched-fn";
    admin_function(region, name);
    let pg = postgres();
    let (db, url) = pg.create_database("cli");
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("assurance.yaml");
    std::fs::write(&policy, BLOCK_ADMINS).unwrap();
    let viewer = token(&url, "viewer");
    let watch = OwnerWatch::start(&db);
    let endpoint = moto().url.clone();
    let opts = |worker| ServeOpts {
        database: &url,
        region,
        endpoint: &endpoint,
        worker,
        policy: Some(&policy),
        extra: &["--enforce", "--every", "2s", "--lease", "6s"],
    };
    let a = serve(dir.path(), &opts("worker-a"), &viewer);
    let b = serve(dir.path(), &opts("worker-b"), &viewer);
    let scans = || count(pg, &db, "SELECT count(*) FROM scans");

    // The first run blocks the function.
    wait_for(Duration::from_secs(40), "the first scan's block", || {
        (concurrency(region, name) == Some(0)).then_some(())
    });
    // Pause the worker that ran first, between runs (lease free), so the other must take
    // the next run; then let it go again.
    let first = wait_for(Duration::from_secs(20), "the first run's owner", || {
        watch.seen().into_iter().next()
    });
    let (paused, other) = if first == "worker-a" {
        (&a, "worker-b")
    } else {
        (&b, "worker-a")
    };
    wait_for(Duration::from_secs(20), "a free lease", || {
        lease_owner(pg, &db).is_empty().then_some(())
    });
    let before = scans();
    paused.signal("STOP");
    wait_for(Duration::from_secs(30), "the other worker's run", || {
        (watch.seen().contains(other) && scans() > before && lease_owner(pg, &db).is_empty())
            .then_some(())
    });
    paused.signal("CONT");
    // A few more periods with both workers polling.
    wait_for(Duration::from_secs(40), "five scans", || {
        (scans() >= 5).then_some(())
    });
    let (_, listed) = api(b.port, "GET", "/api/v1/functions?blocked=true", &viewer);
    let (_, listed_a) = api(a.port, "GET", "/api/v1/functions?blocked=true", &viewer);
    drop(a);
    drop(b);
    let owners = watch.finish();

    assert_eq!(
        owners,
        BTreeSet::from(["worker-a".to_owned(), "worker-b".to_owned()]),
        "both workers took the job"
    );
    assert_eq!(count(pg, &db, "SELECT count(*) FROM jobs"), 1);
    let runs = assert_runs_spaced(pg, &db, 2000);
    assert!(runs >= 5, "{runs} runs");
    // One block, made once, by the scheduler, remembering 5.
    let key = format!("123456789012/{region}/{name}");
    assert_eq!(concurrency(region, name), Some(0));
    assert_eq!(
        pg.psql(
            &db,
            "SELECT function_key || ' ' || COALESCE(previous_concurrency::text, 'none') || ' ' || \
             COALESCE(released_at::text, 'active') FROM blocks"
        ),
        format!("{key} 5 active")
    );
    assert_eq!(
        count(
            pg,
            &db,
            "SELECT count(*) FROM audit_log WHERE action = 'block'"
        ),
        1
    );
    assert_eq!(
        count(
            pg,
            &db,
            "SELECT count(*) FROM audit_log WHERE action = 'unblock'"
        ),
        0
    );
    // Every later run found the block in place (the last one may have been cut short by the
    // kill after its scan was stored).
    let noops = count(
        pg,
        &db,
        "SELECT count(*) FROM audit_log WHERE action = 'no-op'",
    );
    let n = i64::try_from(runs).unwrap();
    assert!((n - 2..n).contains(&noops), "{noops} no-ops for {n} runs");
    for listed in [&listed, &listed_a] {
        assert_eq!(listed["total"], 1, "{listed}");
        assert_eq!(listed["items"][0]["id"], key.as_str(), "{listed}");
    }
}

/// Sends the same admin request to both servers at the same instant; the two answers.
fn both_at_once(ports: [u16; 2], path: &str, token: &str) -> Vec<(u16, Value)> {
    let barrier = Arc::new(Barrier::new(2));
    let threads: Vec<_> = ports
        .into_iter()
        .map(|port| {
            let (barrier, path, token) = (barrier.clone(), path.to_owned(), token.to_owned());
            std::thread::spawn(move || {
                barrier.wait();
                api(port, "POST", &path, &token)
            })
        })
        .collect();
    threads.into_iter().map(|t| t.join().unwrap()).collect()
}

/// Two servers on one database; admins send block, then unblock, for the same function to
/// both servers at the same instant, three rounds. Each block round makes exactly one block
/// (one `block` audit entry, one active block remembering 5, Lambda at 0); each unblock round
/// restores exactly once: one answer is a change, the other a conflict or a no-op, one
/// `unblock` audit entry, Lambda back at 5. Both workers also start with the job due: it runs
/// once.
#[test]
fn concurrent_admin_block_and_unblock_act_once() {
    let region = "sa-east-1";
    let name = "scale-admin-fn";
    admin_function(region, name);
    let pg = postgres();
    let (db, url) = pg.create_database("cli");
    let dir = tempfile::tempdir().unwrap();
    let admin = token(&url, "admin");
    let endpoint = moto().url.clone();
    let opts = |worker| ServeOpts {
        database: &url,
        region,
        endpoint: &endpoint,
        worker,
        policy: None,
        extra: &["--every", "1h"],
    };
    let a = serve(dir.path(), &opts("worker-a"), &admin);
    let b = serve(dir.path(), &opts("worker-b"), &admin);
    let key = format!("123456789012/{region}/{name}");
    wait_for(Duration::from_secs(40), "the scan of the function", || {
        let (status, body) = api(a.port, "GET", "/api/v1/functions", &admin);
        (status == 200 && body["total"] == 1).then_some(())
    });
    let encoded = key.replace('/', "%2F");
    let audits = |action: &str| {
        count(
            pg,
            &db,
            &format!("SELECT count(*) FROM audit_log WHERE action = '{action}'"),
        )
    };
    for round in 1..=3 {
        let answers = both_at_once(
            [a.port, b.port],
            &format!("/api/v1/functions/{encoded}/block"),
            &admin,
        );
        for (status, body) in &answers {
            assert!(matches!(status, 200 | 409), "block: {status} {body}");
        }
        assert!(answers.iter().any(|(s, _)| *s == 200), "{answers:?}");
        let changed = answers
            .iter()
            .filter(|(_, body)| body["changed"] == true)
            .count();
        assert!(changed <= 1, "two blocks reported a change: {answers:?}");
        assert_eq!(concurrency(region, name), Some(0), "round {round}");
        assert_eq!(
            pg.psql(
                &db,
                "SELECT COALESCE(previous_concurrency::text, 'none') FROM blocks WHERE released_at IS NULL"
            ),
            "5",
            "round {round}: one active block remembering 5"
        );
        assert_eq!(audits("block"), round, "round {round}: {answers:?}");

        let answers = both_at_once(
            [a.port, b.port],
            &format!("/api/v1/functions/{encoded}/unblock"),
            &admin,
        );
        let restored = answers
            .iter()
            .filter(|(s, body)| *s == 200 && body["changed"] == true)
            .count();
        assert_eq!(restored, 1, "round {round}: {answers:?}");
        let others_ok = answers.iter().all(|(s, body)| {
            (*s == 200 && (body["changed"] == true || body["changed"] == false)) || *s == 409
        });
        assert!(others_ok, "round {round}: {answers:?}");
        assert_eq!(concurrency(region, name), Some(5), "round {round}");
        assert_eq!(
            count(
                pg,
                &db,
                "SELECT count(*) FROM blocks WHERE released_at IS NULL"
            ),
            0
        );
        assert_eq!(audits("unblock"), round, "round {round}: {answers:?}");
    }
    assert_eq!(
        pg.psql(
            &db,
            "SELECT string_agg(COALESCE(previous_concurrency::text, 'none'), ',' ORDER BY id) FROM blocks"
        ),
        "5,5,5"
    );
    // Both workers started with the job due; one of them ran it.
    assert_eq!(count(pg, &db, "SELECT count(*) FROM scans"), 1);
    drop(a);
    drop(b);
}

/// A worker stalled in the middle of a scan (its AWS calls go through a proxy that holds
/// ListFunctions) keeps the job while alive: the second worker, polling, does not take it
/// even after more than one lease length, since the lease is renewed. Killed with SIGKILL, it
/// leaves its lease to expire (`--lease 3s`); the second worker claims the job only after that
/// and completes it, and the scan is stored exactly once.
#[test]
fn killed_worker_leaves_the_job_to_the_other() {
    let region = "eu-north-1";
    let name = "scale-kill-fn";
    admin_function(region, name);
    let pg = postgres();
    let (db, url) = pg.create_database("cli");
    let dir = tempfile::tempdir().unwrap();
    let viewer = token(&url, "viewer");
    let stall = cloud_harness::fault_proxy(Box::new(|line: &str, _head: &str, _body: &[u8]| {
        if line.starts_with("GET /2015-03-31/functions") {
            std::thread::sleep(Duration::from_secs(30));
        }
        None
    }));
    let endpoint = moto().url.clone();
    let extra = ["--every", "1h", "--lease", "3s"];
    let mut doomed = serve(
        dir.path(),
        &ServeOpts {
            database: &url,
            region,
            endpoint: &stall.url,
            worker: "doomed",
            policy: None,
            extra: &extra,
        },
        &viewer,
    );
    wait_for(Duration::from_secs(20), "the first worker's claim", || {
        (lease_owner(pg, &db) == "doomed").then_some(())
    });
    let survivor = serve(
        dir.path(),
        &ServeOpts {
            database: &url,
            region,
            endpoint: &endpoint,
            worker: "survivor",
            policy: None,
            extra: &extra,
        },
        &viewer,
    );
    // The survivor polls at start and then every 5 s; 6 s is two lease lengths.
    std::thread::sleep(Duration::from_secs(6));
    assert_eq!(
        lease_owner(pg, &db),
        "doomed",
        "a live worker keeps its job"
    );
    assert_eq!(count(pg, &db, "SELECT count(*) FROM scans"), 0);

    doomed.kill(); // SIGKILL, in the middle of ListFunctions
    // Its last renewal: the lease the survivor must wait out.
    let lease_until = count(pg, &db, "SELECT lease_until FROM jobs");
    wait_for(Duration::from_secs(20), "the survivor's claim", || {
        (lease_owner(pg, &db) == "survivor").then_some(())
    });
    let started = count(pg, &db, "SELECT last_started_at FROM jobs");
    assert!(
        started >= lease_until,
        "claimed {} ms before the dead worker's lease expired",
        lease_until - started
    );
    wait_for(Duration::from_secs(30), "the job's completion", || {
        (count(pg, &db, "SELECT COALESCE(last_ok, 0) FROM jobs") == 1).then_some(())
    });
    assert_eq!(count(pg, &db, "SELECT count(*) FROM scans"), 1);
    assert_eq!(
        pg.psql(&db, "SELECT status || ' ' || functions_seen FROM scans"),
        "succeeded 1"
    );
    assert_eq!(lease_owner(pg, &db), "");
    let (status, body) = api(survivor.port, "GET", "/api/v1/functions", &viewer);
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["items"][0]["id"],
        format!("123456789012/{region}/{name}")
    );
    drop(survivor);
}

/// A worker paused (SIGSTOP) in the middle of a scan for longer than its lease loses the job:
/// the other worker claims it and stores its scan; when the paused worker resumes, it finds
/// its lease gone at the next renewal and abandons the run, so its own scan, which finishes
/// afterwards, is neither stored nor acted on: one scan in the store, not two.
#[test]
fn paused_worker_that_lost_its_lease_stores_nothing() {
    let region = "eu-west-3";
    let name = "scale-pause-fn";
    admin_function(region, name);
    let pg = postgres();
    let (db, url) = pg.create_database("cli");
    let dir = tempfile::tempdir().unwrap();
    let viewer = token(&url, "viewer");
    // Only the first ListFunctions is held, so that the rest of the paused worker's scan runs
    // at full speed once it resumes.
    let held = AtomicBool::new(false);
    let stall =
        cloud_harness::fault_proxy(Box::new(move |line: &str, _head: &str, _body: &[u8]| {
            if line.starts_with("GET /2015-03-31/functions?") && !held.swap(true, Ordering::SeqCst)
            {
                std::thread::sleep(Duration::from_secs(12));
            }
            None
        }));
    let endpoint = moto().url.clone();
    let extra = ["--every", "1h", "--lease", "3s"];
    let paused = serve(
        dir.path(),
        &ServeOpts {
            database: &url,
            region,
            endpoint: &stall.url,
            worker: "paused",
            policy: None,
            extra: &extra,
        },
        &viewer,
    );
    wait_for(Duration::from_secs(20), "the first worker's claim", || {
        (lease_owner(pg, &db) == "paused").then_some(())
    });
    let stalled_at = Instant::now();
    paused.signal("STOP");
    let other = serve(
        dir.path(),
        &ServeOpts {
            database: &url,
            region,
            endpoint: &endpoint,
            worker: "other",
            policy: None,
            extra: &extra,
        },
        &viewer,
    );
    wait_for(Duration::from_secs(15), "the other worker's claim", || {
        (lease_owner(pg, &db) == "other").then_some(())
    });
    paused.signal("CONT");
    wait_for(Duration::from_secs(30), "the other worker's scan", || {
        (count(pg, &db, "SELECT COALESCE(last_ok, 0) FROM jobs") == 1).then_some(())
    });
    // The paused worker's ListFunctions answers 12 s after it was sent; give the rest of its
    // scan time to finish (and, without the fix, be stored).
    let done = Duration::from_secs(20);
    if let Some(rest) = done.checked_sub(stalled_at.elapsed()) {
        std::thread::sleep(rest);
    }
    assert_eq!(count(pg, &db, "SELECT count(*) FROM scans"), 1);
    assert_eq!(lease_owner(pg, &db), "");
    drop(paused);
    drop(other);
}
