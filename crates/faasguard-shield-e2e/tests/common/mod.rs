//! Test helpers shared by `tests/python.rs` and `tests/node.rs`: the built shield artifacts, the
//! layer root, the loopback targets the handlers aim at, the scripted checks, and the runner
//! that starts a real runtime interface client under the wrapper and collects what happened.

#![allow(dead_code, reason = "each test binary uses a part of the helpers")]

pub mod runtime_api;

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::io::Read;
use std::net::{TcpListener, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use serde_json::{Value, json};

use runtime_api::{FakeRuntimeApi, Invocation, Post, PostKind};

/// Where the runtime runs: the machine's kernel, or `faasguard-shield-sim`'s outer filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Config {
    Full,
    NoLandlock,
    Lambda,
}

/// The control modes the matrix runs (`FAASGUARD_SHIELD_MODE`, all four controls).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Block,
    Alert,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Block => "block",
            Mode::Alert => "alert",
        }
    }
}

/// The runtime interface client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Client {
    Python,
    Node,
}

/// `target/<profile>` of this test binary.
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.parent().unwrap().parent().unwrap().to_path_buf()
}

/// The wrapper, the simulator and the preload library, built once per test binary
/// (`cargo build` of the two packages: a no-op when they are fresh). Other packages' binaries
/// are not visible through `CARGO_BIN_EXE_*`, hence the build.
pub struct Artifacts {
    pub shield: PathBuf,
    pub sim: PathBuf,
    pub preload: PathBuf,
}

pub fn artifacts() -> &'static Artifacts {
    static ART: OnceLock<Artifacts> = OnceLock::new();
    ART.get_or_init(|| {
        let profile = profile_dir();
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut cmd = Command::new(cargo);
        cmd.args([
            "build",
            "-q",
            "-p",
            "faasguard-shield",
            "-p",
            "faasguard-shield-preload",
            "--bins",
            "--lib",
        ]);
        if profile.file_name().is_some_and(|n| n == "release") {
            cmd.arg("--release");
        }
        let status = cmd.status().expect("cargo runs");
        assert!(
            status.success(),
            "building faasguard-shield and its preload library failed"
        );
        let art = Artifacts {
            shield: profile.join("faasguard-shield"),
            sim: profile.join("faasguard-shield-sim"),
            preload: profile.join("libfaasguard_shield.so"),
        };
        for p in [&art.shield, &art.sim, &art.preload] {
            assert!(p.is_file(), "{} was not built", p.display());
        }
        art
    })
}

/// A required environment variable, with a message that says who sets it.
fn required_var(name: &str, what: &str) -> String {
    match std::env::var(name) {
        Ok(v) if !v.is_empty() => v,
        _ => panic!(
            "{name} is not set: it must name {what}. scripts/test.sh installs the runtime \
             interface clients into a cache outside the repository and sets it; to run this \
             suite by hand, run the \"runtime interface clients\" step of scripts/test.sh and \
             export the variables it prints"
        ),
    }
}

/// The Python interpreter with `awslambdaric` (`FAASGUARD_SHIELD_E2E_PY`). Launched as given
/// (a venv's `bin/python` is a symbolic link to the real ELF interpreter: one exec, which the
/// wrapper's seccomp exec rule allows); a shell-script shim would be refused its second exec.
pub fn python() -> String {
    let py = required_var(
        "FAASGUARD_SHIELD_E2E_PY",
        "a Python interpreter (not a shell shim) that can import awslambdaric",
    );
    let real = std::fs::canonicalize(&py).unwrap_or_else(|e| panic!("{py}: {e}"));
    let head = std::fs::read(&real)
        .map(|b| b[..4.min(b.len())].to_vec())
        .unwrap_or_default();
    assert_eq!(
        head,
        b"\x7fELF",
        "FAASGUARD_SHIELD_E2E_PY={py} resolves to {}, not an ELF interpreter (a shim would exec twice)",
        real.display()
    );
    py
}

/// `node` (the real binary, symbolic links resolved) and the client's entry
/// (`node_modules/aws-lambda-ric/bin/index.mjs` under `FAASGUARD_SHIELD_E2E_NODE_RIC`).
pub fn node() -> (String, String) {
    let dir = required_var(
        "FAASGUARD_SHIELD_E2E_NODE_RIC",
        "a directory holding node_modules/aws-lambda-ric (built, with its native client)",
    );
    let entry = Path::new(&dir).join("node_modules/aws-lambda-ric/bin/index.mjs");
    assert!(
        entry.is_file(),
        "FAASGUARD_SHIELD_E2E_NODE_RIC={dir}: {} not found",
        entry.display()
    );
    let out = Command::new("node")
        .args(["-e", "process.stdout.write(process.execPath)"])
        .output()
        .expect("node runs");
    let node = String::from_utf8(out.stdout).unwrap();
    let node = std::fs::canonicalize(&node).unwrap();
    (
        node.to_str().unwrap().to_owned(),
        entry.to_str().unwrap().to_owned(),
    )
}

/// One test's directories: the layer root, the task root (the handler) and the tmp root.
pub struct Dirs {
    _base: tempfile::TempDir,
    pub layer: PathBuf,
    pub task: PathBuf,
    pub tmp: PathBuf,
}

/// Assembles the layer root (`lib/libfaasguard_shield.so`, `python/sitecustomize.py`,
/// `node/shield.cjs`: the built library and the shims as shipped), a task root holding
/// `handler_file` from `tests/handlers/`, and an empty tmp root.
pub fn dirs(handler_file: &str) -> Dirs {
    let base = tempfile::tempdir().unwrap();
    let root = base.path().canonicalize().unwrap();
    let layer = root.join("layer");
    let task = root.join("task");
    let tmp = root.join("tmp");
    for d in [
        &layer.join("lib"),
        &layer.join("python"),
        &layer.join("node"),
        &task,
        &tmp,
    ] {
        std::fs::create_dir_all(d).unwrap();
    }
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let assets = manifest.join("../faasguard-shield/assets");
    std::fs::copy(
        &artifacts().preload,
        layer.join("lib/libfaasguard_shield.so"),
    )
    .unwrap();
    for file in ["sitecustomize.py", "faasguard_shield_audit.py"] {
        std::fs::copy(
            assets.join("python").join(file),
            layer.join("python").join(file),
        )
        .unwrap();
    }
    std::fs::copy(
        assets.join("node/shield.cjs"),
        layer.join("node/shield.cjs"),
    )
    .unwrap();
    let name = Path::new(handler_file).file_name().unwrap();
    std::fs::copy(
        manifest.join("tests/handlers").join(handler_file),
        task.join(name),
    )
    .unwrap();
    Dirs {
        _base: base,
        layer,
        task,
        tmp,
    }
}

/// The loopback endpoints the handlers aim at: `allowed` (allowlisted as `127.0.0.1:port`),
/// `host` (allowlisted only as `localhost:port`), `denied` (on no list) and a UDP socket (on no
/// list). All on 127.0.0.1; they record what reached them.
pub struct Targets {
    pub allowed: TcpListener,
    pub host: TcpListener,
    pub denied: TcpListener,
    pub udp: UdpSocket,
}

fn port_of(l: &TcpListener) -> u16 {
    l.local_addr().unwrap().port()
}

impl Targets {
    pub fn new() -> Targets {
        let bind = || TcpListener::bind("127.0.0.1:0").unwrap();
        let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
        Targets {
            allowed: bind(),
            host: bind(),
            denied: bind(),
            udp,
        }
    }
    pub fn allowed_port(&self) -> u16 {
        port_of(&self.allowed)
    }
    pub fn host_port(&self) -> u16 {
        port_of(&self.host)
    }
    pub fn denied_port(&self) -> u16 {
        port_of(&self.denied)
    }
    pub fn udp_port(&self) -> u16 {
        self.udp.local_addr().unwrap().port()
    }

    /// `FAASGUARD_SHIELD_ALLOW`.
    pub fn allowlist(&self) -> String {
        format!(
            "127.0.0.1:{},localhost:{}",
            self.allowed_port(),
            self.host_port()
        )
    }

    /// Connections queued on a listener (accepted now, without waiting).
    pub fn connections(l: &TcpListener) -> usize {
        l.set_nonblocking(true).unwrap();
        let mut n = 0;
        while l.accept().is_ok() {
            n += 1;
        }
        n
    }

    /// Datagrams waiting on the UDP socket.
    pub fn datagrams(&self) -> Vec<Vec<u8>> {
        self.udp.set_nonblocking(true).unwrap();
        let mut out = Vec::new();
        let mut buf = [0u8; 512];
        while let Ok(n) = self.udp.recv(&mut buf) {
            out.push(buf[..n].to_vec());
        }
        out
    }
}

/// One scripted check: the event sent to the handler.
#[derive(Debug, Clone)]
pub struct Check {
    pub name: &'static str,
    pub event: Value,
}

/// The invocation for check number `i` of run `tag` (unique request and trace ids).
pub fn invocation(tag: &str, i: usize, check: &Check) -> Invocation {
    Invocation {
        request_id: format!("{tag}-req-{i:02}"),
        trace_id: format!(
            "Root=1-6740c0de-{:016x}{i:08x};Parent=53995c3f42cd8ad8;Sampled=1",
            {
                let mut h = DefaultHasher::new();
                tag.hash(&mut h);
                h.finish()
            }
        ),
        body: check.event.to_string(),
    }
}

/// What one runtime process gave.
#[derive(Debug)]
pub struct RunResult {
    pub init: Value,
    /// Parsed `faasguard_shield` alert lines, in order.
    pub alerts: Vec<Value>,
    /// Every `faasguard_shield` line (init, alert, error, suppressed).
    pub shield_lines: Vec<Value>,
    pub posts: Vec<Post>,
    pub served: Vec<String>,
    pub requests: Vec<String>,
    pub invocations: Vec<Invocation>,
    pub stderr: String,
    pub stdout: String,
}

impl RunResult {
    /// The handler's response to invocation `i`, parsed.
    pub fn response(&self, i: usize) -> Value {
        let id = &self.invocations[i].request_id;
        let post = self
            .posts
            .iter()
            .find(|p| p.request_id.as_deref() == Some(id.as_str()))
            .unwrap_or_else(|| {
                panic!(
                    "no post for invocation {i} ({id}); posts: {:#?}\nstderr:\n{}\nstdout:\n{}",
                    self.posts, self.stderr, self.stdout
                )
            });
        assert_eq!(
            post.kind,
            PostKind::Response,
            "invocation {i} ({id}) posted an error: {}\nstderr:\n{}",
            post.body,
            self.stderr
        );
        serde_json::from_str(&post.body).unwrap()
    }

    /// Alerts carrying invocation `i`'s trace id.
    pub fn alerts_of(&self, i: usize) -> Vec<&Value> {
        let trace = &self.invocations[i].trace_id;
        self.alerts
            .iter()
            .filter(|a| a["trace_id"].as_str() == Some(trace.as_str()))
            .collect()
    }
}

/// How the runtime is started.
#[derive(Debug, Clone, Copy)]
pub enum Launch<'a> {
    /// `[faasguard-shield-sim --mode --] faasguard-shield <command…>`, as Lambda runs
    /// `AWS_LAMBDA_EXEC_WRAPPER` with the runtime command.
    Wrapper(&'a [String]),
    /// `[faasguard-shield-sim --mode --] /bin/sh bootstrap <command…>`: a managed runtime's
    /// bootstrap script (`tests/handlers/bootstrap.sh`) that hands off with
    /// `exec "$AWS_LAMBDA_EXEC_WRAPPER" <command…> "$_HANDLER"`.
    Bootstrap(&'a [String]),
}

/// The command that starts the runtime: the wrapper (or the bootstrap script), behind the
/// simulator's outer filter unless `config` is `Full`.
fn launcher(config: Config, launch: &Launch<'_>) -> Command {
    let art = artifacts();
    let program: &Path = match launch {
        Launch::Wrapper(_) => &art.shield,
        Launch::Bootstrap(_) => Path::new("/bin/sh"),
    };
    let mut cmd = match config {
        Config::Full => Command::new(program),
        Config::NoLandlock | Config::Lambda => {
            let mut c = Command::new(&art.sim);
            c.arg(if config == Config::Lambda {
                "--lambda"
            } else {
                "--no-landlock"
            });
            c.arg("--").arg(program);
            c
        }
    };
    match launch {
        Launch::Wrapper(command) => {
            cmd.args(*command);
        }
        Launch::Bootstrap(command) => {
            let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
            cmd.arg(manifest.join("tests/handlers/bootstrap.sh"))
                .args(*command);
        }
    }
    cmd
}

/// Starts the runtime (`launch`) under `faasguard-shield` (behind the simulator unless `Full`) the way
/// Lambda starts a runtime: `AWS_LAMBDA_RUNTIME_API`, `LAMBDA_TASK_ROOT`, `_HANDLER`, cwd = the
/// task root; the policy is `mode` for every control, loopback not implicitly allowed, the
/// targets' allowlist and the test's tmp root. Serves one invocation per check, waits for
/// every post (60 s at most), kills the runtime and collects its stderr.
pub fn run_runtime(
    config: Config,
    mode: Mode,
    dirs: &Dirs,
    targets: &Targets,
    launch: &Launch<'_>,
    tag: &str,
    checks: &[Check],
) -> RunResult {
    let art = artifacts();
    let invocations: Vec<Invocation> = checks
        .iter()
        .enumerate()
        .map(|(i, c)| invocation(tag, i, c))
        .collect();
    let api = FakeRuntimeApi::start(invocations.clone());
    let mut cmd = launcher(config, launch);
    cmd.current_dir(&dirs.task)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", &dirs.task)
        .env("LANG", "C.UTF-8")
        .env("AWS_LAMBDA_RUNTIME_API", api.address())
        .env("LAMBDA_TASK_ROOT", &dirs.task)
        .env("_HANDLER", "handler.handler")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_LAMBDA_FUNCTION_NAME", "faasguard-e2e")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        .env("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/faasguard-e2e")
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "2026/01/01/[$LATEST]e2e")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("FAASGUARD_SHIELD_ROOT", &dirs.layer)
        .env("FAASGUARD_SHIELD_MODE", mode.as_str())
        .env("FAASGUARD_SHIELD_ALLOW", targets.allowlist())
        .env("FAASGUARD_SHIELD_ALLOW_LOOPBACK", "false")
        .env("FAASGUARD_SHIELD_TMP_PATHS", &dirs.tmp)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Launch::Bootstrap(_) = launch {
        cmd.env("AWS_LAMBDA_EXEC_WRAPPER", &art.shield);
    }
    // Pipes, as in Lambda (a forked child's alert line is appended, never overwritten).
    let mut child = cmd.spawn().expect("the wrapper starts");
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = r.read_to_end(&mut buf);
            String::from_utf8_lossy(&buf).into_owned()
        })
    };
    let stderr_reader = drain(Box::new(child.stderr.take().unwrap()));
    let stdout_reader = drain(Box::new(child.stdout.take().unwrap()));
    let posts = api.wait_posts(checks.len(), Duration::from_mins(1), || {
        matches!(child.try_wait(), Ok(Some(_)))
    });
    let exited = child.try_wait().unwrap();
    let _ = child.kill();
    let _ = child.wait();
    // Children of the runtime (alert mode) hold the pipes only while they run.
    let stderr = stderr_reader.join().unwrap();
    let stdout = stdout_reader.join().unwrap();
    assert!(
        exited.is_none(),
        "{tag}: the runtime exited ({exited:?}) before answering every invocation; posts: \
         {posts:#?}\nstderr:\n{stderr}\nstdout:\n{stdout}"
    );
    let shield_lines: Vec<Value> = stderr
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l.trim()).ok())
        .filter(|v| v.get("faasguard_shield").is_some())
        .collect();
    let inits: Vec<&Value> = shield_lines
        .iter()
        .filter(|v| v["faasguard_shield"] == "init")
        .collect();
    assert_eq!(inits.len(), 1, "{tag}: one init line\nstderr:\n{stderr}");
    let init = inits[0].clone();
    let alerts = shield_lines
        .iter()
        .filter(|v| v["faasguard_shield"] == "alert")
        .cloned()
        .collect();
    RunResult {
        init,
        alerts,
        shield_lines,
        posts,
        served: api.served(),
        requests: api.requests(),
        invocations,
        stderr,
        stdout,
    }
}

/// What a check should give: the handler's outcome and the alert lines (one per entry).
#[derive(Debug, Clone)]
pub struct Expect {
    /// `"ok"` or the error code the handler reports (`EPERM`, `EACCES`).
    pub outcome: &'static str,
    pub alerts: Vec<ExpectedAlert>,
}

#[derive(Debug, Clone)]
pub struct ExpectedAlert {
    pub policy: &'static str,
    pub mechanism: &'static str,
    /// Keys that must be present in `details` with these values.
    pub details: Value,
    /// `argv` when its first element depends on the mechanism: the arguments after `argv[0]`
    /// and the last path component `argv[0]` must have.
    pub argv_tail: Option<(&'static str, Vec<&'static str>)>,
}

impl ExpectedAlert {
    pub fn new(policy: &'static str, mechanism: &'static str, details: Value) -> ExpectedAlert {
        ExpectedAlert {
            policy,
            mechanism,
            details,
            argv_tail: None,
        }
    }
}

fn matches(alert: &Value, want: &ExpectedAlert) -> bool {
    if alert["policy"] != want.policy || alert["mechanism"] != want.mechanism {
        return false;
    }
    let Some(want_details) = want.details.as_object() else {
        return false;
    };
    if !want_details
        .iter()
        .all(|(k, v)| alert["details"].get(k) == Some(v))
    {
        return false;
    }
    if let Some((argv0_name, tail)) = &want.argv_tail {
        let Some(argv) = alert["details"]["argv"].as_array() else {
            return false;
        };
        let Some(first) = argv.first().and_then(Value::as_str) else {
            return false;
        };
        if Path::new(first).file_name().and_then(|n| n.to_str()) != Some(argv0_name) {
            return false;
        }
        let rest: Vec<&str> = argv[1..].iter().filter_map(Value::as_str).collect();
        if rest != *tail {
            return false;
        }
    }
    true
}

/// Asserts, for every check: the handler's outcome; that the response reached the fake API;
/// that the alerts carrying the invocation's trace id are exactly the expected ones (policy,
/// mode, action, mechanism, details); and that no alert lacks a trace id (nothing fired during
/// init, in particular no `read_handler` alert for importing the handler).
pub fn assert_matrix(
    r: &RunResult,
    mode: Mode,
    checks: &[Check],
    expect: impl Fn(&Check) -> Expect,
) {
    let ctx = |i: usize| {
        format!(
            "check {} ({}, {})\nalerts: {:#?}\nstderr:\n{}",
            checks[i].name,
            mode.as_str(),
            r.invocations[i].request_id,
            r.alerts_of(i),
            r.stderr
        )
    };
    assert_eq!(
        r.served.len(),
        checks.len(),
        "every scripted invocation was fetched"
    );
    // The handler imported cleanly (a refused read of it during init would be an init error).
    assert!(
        r.posts.iter().all(|p| p.kind != PostKind::InitError),
        "init error: {:#?}\nstderr:\n{}",
        r.posts,
        r.stderr
    );
    for (i, check) in checks.iter().enumerate() {
        let want = expect(check);
        let resp = r.response(i);
        assert_eq!(resp["check"], check.name, "{}", ctx(i));
        assert_eq!(
            resp["outcome"],
            want.outcome,
            "outcome of {}: {resp}\n{}",
            check.name,
            ctx(i)
        );
        let got = r.alerts_of(i);
        assert_eq!(
            got.len(),
            want.alerts.len(),
            "alert count of {}\n{}",
            check.name,
            ctx(i)
        );
        let action = if mode == Mode::Block {
            "blocked"
        } else {
            "allowed"
        };
        for w in &want.alerts {
            let found = got
                .iter()
                .find(|a| matches(a, w))
                .unwrap_or_else(|| panic!("{}: no alert matching {w:#?}\n{}", check.name, ctx(i)));
            assert_eq!(found["mode"], mode.as_str(), "{}", ctx(i));
            assert_eq!(found["action"], action, "{}", ctx(i));
            assert!(found["pid"].as_u64().is_some(), "{}", ctx(i));
            assert!(
                found["ts"].as_str().is_some_and(|t| t.ends_with('Z')),
                "{}",
                ctx(i)
            );
        }
    }
    let orphans: Vec<&Value> = r
        .alerts
        .iter()
        .filter(|a| {
            !r.invocations
                .iter()
                .any(|inv| a["trace_id"].as_str() == Some(inv.trace_id.as_str()))
        })
        .collect();
    assert!(
        orphans.is_empty(),
        "alerts outside any invocation (during init, or without the trace id): {orphans:#?}\nstderr:\n{}",
        r.stderr
    );
    for line in &r.shield_lines {
        assert_ne!(line["faasguard_shield"], "error", "{}", r.stderr);
    }
}

/// Asserts the init line: the policy, the in-process pieces, and the kernel layer each
/// configuration allows (full kernel: Landlock and seccomp in block mode; no Landlock: seccomp
/// only and the Landlock degradation; Lambda-like: neither, both degradations).
pub fn assert_init(r: &RunResult, config: Config, mode: Mode) {
    let init = &r.init;
    for control in [
        "outbound_connectivity",
        "read_write_tmp",
        "create_child_process",
        "read_handler",
    ] {
        assert_eq!(init["policy"][control], mode.as_str(), "{init}");
    }
    for piece in ["ld_preload", "python", "node"] {
        assert_eq!(init["layers"][piece], true, "{piece}: {init}");
    }
    let degraded: Vec<&str> = init["degraded"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap())
        .collect();
    let block = mode == Mode::Block;
    match config {
        Config::Full => {
            assert_eq!(init["layers"]["landlock"], block, "{init}");
            assert_eq!(init["layers"]["seccomp"], block, "{init}");
            if block {
                assert_eq!(
                    init["kernel_rules"]["landlock"],
                    json!(["tmp_write", "tcp_connect"]),
                    "{init}"
                );
            }
            assert!(degraded.is_empty(), "{init}");
        }
        Config::NoLandlock => {
            assert_eq!(init["kernel"]["landlock_abi"], 0, "{init}");
            assert_eq!(init["layers"]["landlock"], false, "{init}");
            assert_eq!(init["layers"]["seccomp"], block, "{init}");
            if block {
                assert!(
                    degraded
                        .iter()
                        .any(|d| d.starts_with("landlock: not available (ENOSYS")),
                    "{init}"
                );
            }
        }
        Config::Lambda => {
            assert_eq!(init["kernel"]["landlock_abi"], 0, "{init}");
            assert_eq!(init["kernel"]["seccomp_filter"], false, "{init}");
            assert_eq!(init["kernel"]["no_new_privs"], false, "{init}");
            assert_eq!(init["layers"]["landlock"], false, "{init}");
            assert_eq!(init["layers"]["seccomp"], false, "{init}");
            if block {
                assert!(
                    degraded
                        .iter()
                        .any(|d| d.starts_with("landlock: not available (ENOSYS")),
                    "{init}"
                );
                assert!(
                    degraded
                        .iter()
                        .any(|d| d.starts_with("seccomp: prctl refused (EPERM")),
                    "{init}"
                );
            }
        }
    }
}

/// Asserts what reached the loopback targets: the allowed ones in both modes, the denied TCP
/// port and the UDP socket only in alert mode (`denied_connects` connections expected then).
pub fn assert_targets(targets: &Targets, mode: Mode, denied_connects: usize) {
    assert_eq!(Targets::connections(&targets.allowed), 1, "allowed port");
    assert_eq!(
        Targets::connections(&targets.host),
        1,
        "host-allowlisted port"
    );
    let denied = Targets::connections(&targets.denied);
    let datagrams = targets.datagrams();
    match mode {
        Mode::Block => {
            assert_eq!(denied, 0, "nothing reached the denied port");
            assert!(
                datagrams.is_empty(),
                "no datagram got through: {datagrams:?}"
            );
        }
        Mode::Alert => {
            assert_eq!(
                denied, denied_connects,
                "alert mode lets the connections through"
            );
            assert_eq!(datagrams, vec![b"faasguard".to_vec()]);
        }
    }
}

/// A path in the run's tmp root.
pub fn path(d: &Dirs, name: &str) -> String {
    d.tmp.join(name).to_str().unwrap().to_owned()
}

/// One scripted check: the handler reads its name from the event's `check`.
pub fn check(name: &'static str, event: serde_json::Value) -> Check {
    let mut event = event;
    event["check"] = serde_json::json!(name);
    Check { name, event }
}

/// The checks both runtimes' handlers make, in order: outbound (allowed and denied TCP, UDP,
/// an allowed and a denied host) and the tmp root (create, write, rename, delete, read).
pub fn shared_checks(d: &Dirs, t: &Targets) -> Vec<Check> {
    use serde_json::json;
    let c = check;
    vec![
        c("tcp_allowed", json!({"port": t.allowed_port()})),
        c("tcp_denied", json!({"port": t.denied_port()})),
        c("udp_denied", json!({"port": t.udp_port()})),
        c(
            "host_allowed",
            json!({"host": "localhost", "port": t.host_port()}),
        ),
        c(
            "host_denied",
            json!({"host": "localhost", "port": t.denied_port()}),
        ),
        c("tmp_create", json!({"path": path(d, "new.txt")})),
        c("tmp_write", json!({"path": path(d, "existing.txt")})),
        c(
            "tmp_rename",
            json!({"path": path(d, "rename-src.txt"), "target": path(d, "rename-dst.txt")}),
        ),
        c("tmp_delete", json!({"path": path(d, "delete.txt")})),
        c("tmp_read", json!({"path": path(d, "read.txt")})),
    ]
}
