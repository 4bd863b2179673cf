//! A throwaway PostgreSQL cluster for tests (feature `testdata`): the store's tests and the
//! CLI's scale-out tests share it.
//!
//! [`postgres`] starts one cluster per test process on 127.0.0.1 from Debian's server binaries
//! (the newest `/usr/lib/postgresql/<version>/bin`, or `FAASGUARD_PG_BIN`): `initdb` into a
//! fresh temporary directory, then `postgres -k <dir>`, both through `runuser -u postgres`
//! when the tests run as root (PostgreSQL refuses root). The server runs under a watchdog shell
//! that waits for EOF on a pipe this process holds: when the test process exits, however it
//! exits, the shell stops PostgreSQL and removes the directory. Durability is off (`fsync`,
//! `synchronous_commit`, `full_page_writes`): the data is thrown away. Missing binaries fail
//! the test loudly; they are never a reason to skip it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::missing_panics_doc,
    clippy::panic,
    reason = "a test harness: every failure is a test failure, with its cause"
)]

use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// A running throwaway cluster.
#[derive(Debug)]
pub struct Postgres {
    pub port: u16,
    /// The directory of `initdb`, `postgres` and (usually) `psql`.
    pub bin: PathBuf,
    /// The cluster's directory (data, socket, server.log).
    pub root: PathBuf,
    /// The watchdog: its stdin is the pipe whose EOF stops the cluster.
    _watchdog: Child,
}

impl Postgres {
    /// The URL of database `db` (trust authentication on 127.0.0.1; no password exists).
    pub fn url(&self, db: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{db}", self.port)
    }

    /// Runs `sql` on database `db` with `psql` (unaligned, tuples only, stop on error) and
    /// returns its output; panics with psql's message when it fails.
    pub fn psql(&self, db: &str, sql: &str) -> String {
        let out = self
            .psql_command(db, sql)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", self.psql_path().display()));
        assert!(
            out.status.success(),
            "psql failed on `{sql}`: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    }

    /// Creates a fresh database named `<prefix><pid>_<n>` and returns its name and URL.
    pub fn create_database(&self, prefix: &str) -> (String, String) {
        static N: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "{prefix}{}_{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        );
        self.psql("postgres", &format!("CREATE DATABASE {name}"));
        let url = self.url(&name);
        (name, url)
    }

    /// `psql` (unaligned, tuples only) for `sql` on `db`, not yet run.
    fn psql_command(&self, db: &str, sql: &str) -> Command {
        let mut cmd = Command::new(self.psql_path());
        cmd.args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"])
            .args(["-h", "127.0.0.1", "-p", &self.port.to_string()])
            .args(["-U", "postgres", "-d", db, "-c", sql])
            .env("PGCONNECT_TIMEOUT", "10")
            .stdin(Stdio::null());
        cmd
    }

    fn psql_path(&self) -> PathBuf {
        let beside = self.bin.join("psql");
        if beside.exists() {
            beside
        } else {
            PathBuf::from("psql")
        }
    }
}

/// The cluster of this test process (started on first use).
pub fn postgres() -> &'static Postgres {
    static PG: OnceLock<Postgres> = OnceLock::new();
    PG.get_or_init(start)
}

/// The newest `/usr/lib/postgresql/<version>/bin` holding `initdb` and `postgres`, or
/// `FAASGUARD_PG_BIN`.
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
            "PostgreSQL server binaries not found (no /usr/lib/postgresql/*/bin/initdb): these \
             tests need a real PostgreSQL. Install it with `apt-get install -y postgresql` \
             (scripts/test.sh does) or set FAASGUARD_PG_BIN to the directory holding initdb, \
             postgres and psql."
        ),
    }
}

fn is_root() -> bool {
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// `program`, through `runuser -u postgres --` when running as root.
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

/// A new directory under the system's temporary directory.
fn fresh_dir() -> PathBuf {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let dir = std::env::temp_dir().join(format!("faasguard-pg-{}-{nanos}", std::process::id()));
    std::fs::create_dir(&dir).unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    dir
}

fn start() -> Postgres {
    let bin = pg_bin();
    let root = fresh_dir();
    if is_root() {
        let ok = Command::new("chown")
            .arg("postgres:postgres")
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
        .args(["-U", "postgres", "--auth=trust", "-E", "UTF8"])
        .args(["--locale=C.UTF-8", "--no-sync"])
        .output()
        .unwrap_or_else(|e| panic!("cannot run initdb from {}: {e}", bin.display()));
    assert!(
        out.status.success(),
        "initdb failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let port = free_port();
    // Start postgres in the background, wait for EOF on stdin (this process is gone), then
    // stop it (SIGINT: fast shutdown), wait for it and remove the directory.
    let script = r#"
        "$@" >"$ROOT/server.log" 2>&1 &
        read _ignored
        if [ -f "$ROOT/data/postmaster.pid" ]; then kill -INT "$(head -n1 "$ROOT/data/postmaster.pid")" 2>/dev/null; fi
        wait
        rm -rf "$ROOT"
    "#;
    let server = as_pg_user(&bin.join("postgres"));
    let watchdog = Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg("sh")
        .arg(server.get_program())
        .args(server.get_args())
        .arg("-D")
        .arg(&data)
        .args(["-p", &port.to_string(), "-k"])
        .arg(&root)
        .args(["-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"])
        .args(["-c", "synchronous_commit=off", "-c", "full_page_writes=off"])
        .args(["-c", "max_connections=200"])
        .env("ROOT", &root)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pg = Postgres {
        port,
        bin,
        root: root.clone(),
        _watchdog: watchdog,
    };
    // The port opens before sessions are accepted ("the database system is starting up"):
    // wait until psql gets an answer.
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let ready = pg
            .psql_command("postgres", "SELECT 1")
            .output()
            .is_ok_and(|o| o.status.success());
        if ready {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "PostgreSQL did not accept sessions on 127.0.0.1:{port}: {}",
            std::fs::read_to_string(root.join("server.log")).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    pg
}
