//! Databases that cannot be used fail with a `StoreError` naming the database and the cause,
//! quickly: never a panic or a hang.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use faasguard_store::{OpenOptions, Store, StoreError};

async fn open_error(url: &str, options: &OpenOptions) -> (String, Duration) {
    let started = Instant::now();
    let result = Store::open_with(url, options).await;
    let elapsed = started.elapsed();
    match result {
        Err(e @ StoreError::Open { .. }) => (e.to_string(), elapsed),
        Err(other) => panic!("{url}: expected an open error, got {other:?}"),
        Ok(_) => panic!("{url}: opened"),
    }
}

fn quick() -> OpenOptions {
    OpenOptions {
        connect_timeout: Duration::from_secs(2),
        ..OpenOptions::default()
    }
}

/// A malformed PostgreSQL URL names the URL (without the password) and says it is malformed.
#[tokio::test]
async fn malformed_postgres_url() {
    let (msg, _) = open_error("postgres://app:hunter2@localhost:notaport/db", &quick()).await;
    assert!(msg.contains("malformed PostgreSQL URL"), "{msg}");
    assert!(msg.contains("postgres://app@localhost"), "{msg}");
    assert!(!msg.contains("hunter2"), "{msg}");
}

/// Nothing listening: a connection error naming the server, well within the timeout.
#[tokio::test]
async fn unreachable_postgres() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("postgres://postgres@127.0.0.1:{port}/x");
    let (msg, elapsed) = open_error(&url, &quick()).await;
    assert!(msg.contains(&url), "{msg}");
    assert!(msg.contains("cannot connect to PostgreSQL"), "{msg}");
    assert!(elapsed < Duration::from_secs(10), "{elapsed:?}");
}

/// A server that accepts the connection and never answers: the connect timeout ends it.
#[tokio::test]
async fn silent_server_times_out() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let holder = std::thread::spawn(move || {
        let held: Vec<_> = listener.incoming().take(4).collect();
        std::thread::sleep(Duration::from_secs(8));
        drop(held);
    });
    let (msg, elapsed) =
        open_error(&format!("postgres://postgres@127.0.0.1:{port}/x"), &quick()).await;
    assert!(msg.contains("cannot connect to PostgreSQL"), "{msg}");
    assert!(elapsed < Duration::from_secs(6), "took {elapsed:?}");
    drop(holder);
}

/// A SQLite path in a directory that does not exist (or cannot be written) names the path.
#[tokio::test]
async fn unwritable_sqlite_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("missing-dir").join("store.db");
    let (msg, _) = open_error(&path.display().to_string(), &quick()).await;
    assert!(msg.contains(&path.display().to_string()), "{msg}");
    assert!(msg.contains("cannot open the SQLite file"), "{msg}");
    let (msg, _) = open_error("/proc/version/store.db", &quick()).await;
    assert!(msg.contains("/proc/version/store.db"), "{msg}");
}

/// An unknown URL scheme is refused by name rather than opened as a file called `mysql:`.
#[tokio::test]
async fn unknown_scheme() {
    let (msg, _) = open_error("mysql://root@localhost/db", &quick()).await;
    assert!(
        msg.contains("unsupported database URL scheme `mysql`"),
        "{msg}"
    );
}

/// A file that is not a SQLite database is reported, not overwritten.
#[tokio::test]
async fn not_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    std::fs::write(&path, "these are notes, not a database\n".repeat(200)).unwrap();
    let err = Store::open(&path.display().to_string()).await.unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains(&path.display().to_string()), "{msg}");
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .starts_with("these are notes"),
        "the file was left alone"
    );
}
