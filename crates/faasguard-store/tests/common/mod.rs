//! Test harness: a SQLite file in a temp dir, or a database on a throwaway PostgreSQL cluster
//! that this process starts on 127.0.0.1 (initdb + postgres into a temp dir; as root through
//! `runuser -u postgres`). The cluster runs under a watchdog shell that reads this process's
//! stdin pipe: when the test process exits (however it exits), the pipe closes and the shell
//! stops PostgreSQL and removes the directory. Missing PostgreSQL binaries fail the test.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::missing_panics_doc
)]

use std::fmt::Write as _;
use std::io::Write as _;
use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use faasguard_store::Store;
use sqlx::Connection as _;

/// A database for one test.
pub struct TestDb {
    pub url: String,
    pub store: Store,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    /// Another handle on the same database (another pool, as a second process would have).
    pub async fn reopen(&self) -> Store {
        Store::open(&self.url).await.unwrap()
    }
}

pub async fn sqlite_db() -> TestDb {
    let dir = tempfile::tempdir().unwrap();
    let url = dir.path().join("store.db").display().to_string();
    let store = Store::open(&url).await.unwrap();
    TestDb {
        url,
        store,
        _dir: Some(dir),
    }
}

pub async fn postgres_db() -> TestDb {
    static N: AtomicUsize = AtomicUsize::new(0);
    let pg = postgres();
    let name = format!(
        "t{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    );
    // The port opens before the server accepts sessions ("the database system is starting
    // up"): retry for a while.
    let deadline = Instant::now() + Duration::from_secs(90);
    let mut admin = loop {
        match sqlx::PgConnection::connect(&pg.url("postgres")).await {
            Ok(conn) => break conn,
            Err(_) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => panic!(
                "PostgreSQL on port {} never accepted a session: {e}",
                pg.port
            ),
        }
    };
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await
        .unwrap();
    admin.close().await.unwrap();
    let url = pg.url(&name);
    let store = Store::open(&url).await.unwrap();
    TestDb {
        url,
        store,
        _dir: None,
    }
}

/// A running throwaway cluster.
pub struct Postgres {
    pub port: u16,
    /// The watchdog's stdin: closed when this process exits.
    _watchdog: Child,
}

impl Postgres {
    pub fn url(&self, db: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{db}", self.port)
    }
}

/// The newest `/usr/lib/postgresql/<version>/bin` with `initdb` and `postgres`.
fn pg_bin() -> PathBuf {
    if let Some(dir) = std::env::var_os("FAASGUARD_PG_BIN") {
        return PathBuf::from(dir);
    }
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            (bin.join("initdb").exists() && bin.join("postgres").exists()).then_some((version, bin))
        })
        .collect();
    found.sort();
    match found.pop() {
        Some((_, bin)) => bin,
        None => panic!(
            "PostgreSQL server binaries not found (no /usr/lib/postgresql/*/bin/initdb): the store \
             tests need a real PostgreSQL. Install it with `apt-get install -y postgresql` (scripts/test.sh \
             does) or set FAASGUARD_PG_BIN to the directory holding initdb and postgres."
        ),
    }
}

fn is_root() -> bool {
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// `cmd args…`, through `runuser -u postgres --` when running as root (PostgreSQL refuses
/// to run as root).
fn as_pg_user(program: &Path) -> Command {
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn postgres() -> &'static Postgres {
    static PG: OnceLock<Postgres> = OnceLock::new();
    PG.get_or_init(start_postgres)
}

fn start_postgres() -> Postgres {
    let bin = pg_bin();
    let root = tempfile::Builder::new()
        .prefix("faasguard-pg-")
        .tempdir()
        .unwrap()
        .keep();
    if is_root() {
        let ok = Command::new("chown")
            .args(["postgres:postgres"])
            .arg(&root)
            .status()
            .unwrap()
            .success();
        assert!(ok, "chown postgres {}", root.display());
    }
    let data = root.join("data");
    let out = as_pg_user(&bin.join("initdb"))
        .arg("-D")
        .arg(&data)
        .args([
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "initdb failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let port = free_port();
    // The watchdog: start postgres in the background, wait for EOF on stdin (this process
    // exited), then stop it (SIGINT = fast shutdown) and remove the directory.
    let script = r#"
        "$@" >"$ROOT/server.log" 2>&1 &
        read _ignored
        if [ -f "$ROOT/data/postmaster.pid" ]; then kill -INT "$(head -n1 "$ROOT/data/postmaster.pid")" 2>/dev/null; fi
        wait
        rm -rf "$ROOT"
    "#;
    let postgres = as_pg_user(&bin.join("postgres"));
    let mut watchdog = Command::new("sh");
    watchdog
        .arg("-c")
        .arg(script)
        .arg("sh")
        .arg(postgres.get_program())
        .args(postgres.get_args())
        .arg("-D")
        .arg(&data)
        .args(["-p", &port.to_string(), "-k"])
        .arg(&root)
        .args([
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            "fsync=off",
            "-c",
            "synchronous_commit=off",
            "-c",
            "full_page_writes=off",
            "-c",
            "max_connections=200",
        ])
        .env("ROOT", &root)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let child = watchdog.spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "PostgreSQL did not start on 127.0.0.1:{port}: {}",
            std::fs::read_to_string(root.join("server.log")).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Postgres {
        port,
        _watchdog: child,
    }
}

/// Every value of every column of every table, as text (one line per row), to look for
/// strings that must not be stored.
pub async fn dump_all_tables(url: &str) -> String {
    let mut out = String::new();
    if url.starts_with("postgres") {
        let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
        let columns: Vec<(String, String)> = sqlx::query_as(
            "SELECT table_name::text, column_name::text FROM information_schema.columns \
             WHERE table_schema = 'public' ORDER BY table_name, ordinal_position",
        )
        .fetch_all(&mut conn)
        .await
        .unwrap();
        for (table, column) in columns {
            let rows: Vec<(Option<String>,)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT \"{column}\"::text FROM \"{table}\""
            )))
            .fetch_all(&mut conn)
            .await
            .unwrap();
            for (v,) in rows {
                let _ = writeln!(out, "{table}.{column}={}", v.unwrap_or_default());
            }
        }
    } else {
        let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite:{url}"))
            .await
            .unwrap();
        let tables: Vec<(String,)> =
            sqlx::query_as("SELECT name FROM sqlite_master WHERE type = 'table'")
                .fetch_all(&mut conn)
                .await
                .unwrap();
        for (table,) in tables {
            let columns: Vec<(String,)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT name FROM pragma_table_info('{table}')"
            )))
            .fetch_all(&mut conn)
            .await
            .unwrap();
            for (column,) in columns {
                // As bytes: blob columns (sqlx's checksums) need not be UTF-8.
                let rows: Vec<(Option<Vec<u8>>,)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "SELECT CAST(\"{column}\" AS BLOB) FROM \"{table}\""
                )))
                .fetch_all(&mut conn)
                .await
                .unwrap();
                for (v,) in rows {
                    let v = v.unwrap_or_default();
                    let _ = writeln!(out, "{table}.{column}={}", String::from_utf8_lossy(&v));
                }
            }
        }
    }
    out
}

/// Flushes stdout (the crash child reports progress line by line).
pub fn flush() {
    let _ = std::io::stdout().flush();
}
