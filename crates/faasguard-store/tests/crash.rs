//! Durability: a process killed with SIGKILL in the middle of `record_scan` leaves a store that
//! is intact and consistent (SQLite `PRAGMA integrity_check`, no half-written scan), and the next
//! scan records normally. The test re-runs its own binary as the child (the `crash_child`
//! test, which loops when `FAASGUARD_STORE_CRASH_DB` is set).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    reason = "the crash child reports progress on stdout"
)]

mod common;

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use faasguard_store::testdata::{synthetic_report, synthetic_scope};
use faasguard_store::{FindingFilter, FindingStatus, FunctionFilter, Page, ScanStatus, Store};
use sqlx::Connection as _;

const ACCOUNT: &str = "210987654321";
const REGION: &str = "eu-north-1";
const FUNCTIONS: usize = 600;
const FINDINGS_PER_FUNCTION: usize = 10;

async fn record(store: &Store, seed: u64) -> faasguard_store::ScanSummary {
    let report = synthetic_report(ACCOUNT, REGION, FUNCTIONS, FINDINGS_PER_FUNCTION, seed);
    store
        .record_scan("cloud", &synthetic_scope(ACCOUNT, REGION), &report, true)
        .await
        .unwrap()
}

/// The crash child. With `FAASGUARD_STORE_CRASH_DB` set it records scans on that database
/// until it is killed, printing `begin N` / `committed N`; run plainly, it records one such
/// scan on a fresh SQLite file and checks that it committed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crash_child() {
    if let Ok(url) = std::env::var("FAASGUARD_STORE_CRASH_DB") {
        let store = Store::open(&url).await.unwrap();
        for n in 1u64.. {
            println!("begin {n}");
            common::flush();
            record(&store, n % 2).await;
            println!("committed {n}");
            common::flush();
        }
    }
    let db = common::sqlite_db().await;
    let scan = record(&db.store, 1).await;
    assert_eq!(scan.status, ScanStatus::Succeeded);
    assert_eq!(
        scan.findings_seen,
        i64::try_from(FUNCTIONS * FINDINGS_PER_FUNCTION).unwrap()
    );
}

/// Kills the child with SIGKILL while it records a scan; returns `(begins, commits)` it
/// printed.
fn run_and_kill(url: &str) -> (u64, u64) {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["crash_child", "--exact", "--nocapture", "--test-threads=1"])
        .env("FAASGUARD_STORE_CRASH_DB", url)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let (mut begins, mut commits) = (0, 0);
    // Wait until two scans are committed and a third has begun, then kill it mid-way.
    while begins < 3 {
        let line = rx
            .recv_timeout(Duration::from_mins(2))
            .expect("the crash child stopped reporting progress");
        if let Some(n) = line.strip_prefix("begin ") {
            begins = n.parse().unwrap();
        } else if let Some(n) = line.strip_prefix("committed ") {
            commits = n.parse().unwrap();
        }
    }
    std::thread::sleep(Duration::from_millis(60));
    child.kill().unwrap();
    child.wait().unwrap();
    while let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) {
        if let Some(n) = line.strip_prefix("begin ") {
            begins = n.parse().unwrap();
        } else if let Some(n) = line.strip_prefix("committed ") {
            commits = n.parse().unwrap();
        }
    }
    assert!(
        begins > commits,
        "the child was killed between scans, not during one ({begins} begun, {commits} committed)"
    );
    (begins, commits)
}

async fn check_after_crash(url: &str, begins: u64, commits: u64) {
    let store = Store::open(url).await.unwrap();
    let scans = store.list_scans(None, Page::new(100, 0)).await.unwrap();
    assert!(
        scans
            .items
            .iter()
            .all(|s| s.status == ScanStatus::Succeeded),
        "no half-written scan: {:?}",
        scans.items
    );
    let stored = u64::try_from(scans.total).unwrap();
    assert!(
        commits <= stored && stored <= begins,
        "{stored} scans stored, {commits} reported committed, {begins} begun"
    );
    let latest = &scans.items[0];
    let open = store
        .list_findings(
            &FindingFilter {
                status: Some(FindingStatus::Open),
                ..FindingFilter::default()
            },
            Page::new(1, 0),
        )
        .await
        .unwrap();
    assert_eq!(
        open.total, latest.findings_seen,
        "open findings are exactly those of the last committed complete scan"
    );
    let functions = store
        .list_functions(&FunctionFilter::default(), Page::new(1, 0))
        .await
        .unwrap();
    assert_eq!(functions.total, i64::try_from(FUNCTIONS).unwrap());
    let next = record(&store, 7).await;
    assert_eq!(next.status, ScanStatus::Succeeded);
}

/// SIGKILL during a SQLite write: the file passes `PRAGMA integrity_check` and holds only
/// whole scans.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_survives_kill_9_mid_scan() {
    let db = common::sqlite_db().await;
    db.store.close().await;
    let (begins, commits) = run_and_kill(&db.url);
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite:{}", db.url))
        .await
        .unwrap();
    let (check,): (String,) = sqlx::query_as("PRAGMA integrity_check")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(check, "ok");
    conn.close().await.unwrap();
    check_after_crash(&db.url, begins, commits).await;
}

/// SIGKILL of a PostgreSQL client mid-transaction: the server rolls the scan back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_survives_kill_9_mid_scan() {
    let db = common::postgres_db().await;
    db.store.close().await;
    let (begins, commits) = run_and_kill(&db.url);
    check_after_crash(&db.url, begins, commits).await;
}
