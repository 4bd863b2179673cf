//! Kernel-level alert mode (`FAASGUARD_SHIELD_KERNEL_ALERT=true`): the `faasguard-shield`
//! binary forks a seccomp user-notification supervisor and runs a real Python interpreter under
//! it, **without** the in-process layer (the layer root is an empty directory), so every alert
//! here comes from the kernel. Each violation succeeds and gives exactly one `seccomp` alert;
//! allowed calls give none; the exit status and signals go through the supervisor; a dead
//! supervisor takes the runtime with it; under the Lambda-like simulator the mode reports itself
//! unavailable and the program still runs. Nothing connects anywhere but 127.0.0.1.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value;

const SHIELD: &str = env!("CARGO_BIN_EXE_faasguard-shield");
const SIM: &str = env!("CARGO_BIN_EXE_faasguard-shield-sim");

/// The real Python interpreter (not a shim that would exec again).
fn python() -> &'static str {
    static PY: OnceLock<String> = OnceLock::new();
    PY.get_or_init(|| {
        let out = Command::new("python3")
            .args(["-c", "import sys; print(sys.executable)"])
            .output()
            .expect("python3 runs");
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    })
}

/// The wrapper with a clean environment, an empty layer root (no in-process layer) and `envs`.
fn command(sim: bool, root: &Path, envs: &[(&str, &str)], args: &[&str]) -> Command {
    let mut cmd = if sim {
        let mut c = Command::new(SIM);
        c.args(["--lambda", SHIELD]);
        c
    } else {
        Command::new(SHIELD)
    };
    cmd.env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("FAASGUARD_SHIELD_ROOT", root)
        .envs(envs.iter().copied())
        .args(args);
    cmd
}

fn lines(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .collect()
}

fn init_line(out: &Output) -> Value {
    let inits: Vec<Value> = lines(out)
        .into_iter()
        .filter(|v| v["faasguard_shield"] == "init")
        .collect();
    assert_eq!(inits.len(), 1, "{}", String::from_utf8_lossy(&out.stderr));
    inits.into_iter().next().unwrap()
}

fn alerts(out: &Output) -> Vec<Value> {
    lines(out)
        .into_iter()
        .filter(|v| v["faasguard_shield"] == "alert")
        .collect()
}

fn listener() -> (TcpListener, u16) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    (l, port)
}

/// The violations: an allowed and a denied TCP connect, a write-open under the tmp root, a
/// write-open outside it, a read-open under it, an exec, and a raw `syscall(SYS_openat)` with
/// `O_CREAT` (which the in-process layer cannot see). Prints the outcomes as JSON.
const VIOLATIONS: &str = r#"
import ctypes, errno, json, os, socket, subprocess, sys
tmp, outside, allowed, denied = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
def attempt(f):
    try:
        f()
        return "ok"
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e.errno))
def connect(port):
    with socket.socket() as s:
        s.connect(("127.0.0.1", port))
def raw_create():
    libc = ctypes.CDLL(None, use_errno=True)
    fd = libc.syscall(257, -100, os.path.join(tmp, "raw.txt").encode(), os.O_CREAT | os.O_WRONLY, 0o644)
    if fd < 0:
        raise OSError(ctypes.get_errno(), "raw openat")
    os.close(fd)
r = {}
r["allowed"] = attempt(lambda: connect(allowed))
r["denied"] = attempt(lambda: connect(denied))
r["write"] = attempt(lambda: open(os.path.join(tmp, "a.txt"), "w").write("x"))
r["outside"] = attempt(lambda: open(os.path.join(outside, "b.txt"), "w").write("x"))
r["read"] = attempt(lambda: open(os.path.join(tmp, "a.txt")).read())
r["exec"] = attempt(lambda: subprocess.run(["/bin/echo", "from-child"], check=True, stdout=subprocess.DEVNULL))
r["raw"] = attempt(raw_create)
r["raw_exists"] = os.path.exists(os.path.join(tmp, "raw.txt"))
print(json.dumps(r))
"#;

/// With kernel alert on and every control in `alert`, each violation succeeds and gives exactly
/// one `seccomp` alert with the documented details (the raw `openat` included); the allowed
/// connect, the write outside the tmp root and the read give none. The init line reports the
/// supervisor. Without the variable the same run gives no alert at all (no other layer is
/// there), so the lines come from the kernel.
#[test]
fn every_violation_gives_one_seccomp_alert() {
    let root = tempfile::tempdir().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let (_a, allowed) = listener();
    let (_d, denied) = listener();
    let allow = format!("127.0.0.1:{allowed}");
    let tmp_path = tmp.path().to_str().unwrap();
    let ports = [allowed.to_string(), denied.to_string()];
    let args = [
        python(),
        "-c",
        VIOLATIONS,
        tmp_path,
        outside.path().to_str().unwrap(),
        &ports[0],
        &ports[1],
    ];
    let envs = [
        ("FAASGUARD_SHIELD_ALLOW", allow.as_str()),
        ("FAASGUARD_SHIELD_ALLOW_LOOPBACK", "false"),
        ("FAASGUARD_SHIELD_TMP_PATHS", tmp_path),
    ];
    let mut with = envs.to_vec();
    with.push(("FAASGUARD_SHIELD_KERNEL_ALERT", "true"));
    let out = command(false, root.path(), &with, &args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stderr}");
    let r: Value =
        serde_json::from_str(String::from_utf8_lossy(&out.stdout).lines().last().unwrap()).unwrap();
    for key in [
        "allowed", "denied", "write", "outside", "read", "exec", "raw",
    ] {
        assert_eq!(r[key], "ok", "{key}: {r} {stderr}");
    }
    assert_eq!(r["raw_exists"], true);

    let init = init_line(&out);
    assert_eq!(init["layers"]["seccomp_notify"], true, "{init}");
    assert_eq!(init["layers"]["ld_preload"], false);
    assert_eq!(
        init["kernel_rules"]["seccomp_notify"],
        serde_json::json!(["outbound", "tmp_write", "exec"])
    );

    let seen = alerts(&out);
    for a in &seen {
        assert_eq!(a["mechanism"], "seccomp", "{a}");
        assert_eq!(a["mode"], "alert");
        assert_eq!(a["action"], "allowed");
        assert!(a["pid"].as_u64().unwrap() > 0);
    }
    let of = |policy: &str| -> Vec<&Value> {
        seen.iter()
            .filter(|a| a["policy"] == policy)
            .map(|a| &a["details"])
            .collect()
    };
    assert_eq!(
        of("outbound_connectivity"),
        [&serde_json::json!({"ip": "127.0.0.1", "port": denied, "proto": "tcp"})],
        "{stderr}"
    );
    let tmp_alerts = of("read_write_tmp");
    assert_eq!(
        tmp_alerts,
        [
            &serde_json::json!({"path": format!("{tmp_path}/a.txt"), "operation": "create"}),
            &serde_json::json!({"path": format!("{tmp_path}/raw.txt"), "operation": "create"}),
        ],
        "{stderr}"
    );
    assert_eq!(
        of("create_child_process"),
        [&serde_json::json!({"path": "/bin/echo", "argv": ["/bin/echo", "from-child"]})],
        "{stderr}"
    );
    assert_eq!(seen.len(), 4, "{stderr}");

    std::fs::remove_file(tmp.path().join("a.txt")).unwrap();
    std::fs::remove_file(tmp.path().join("raw.txt")).unwrap();
    let out = command(false, root.path(), &envs, &args).output().unwrap();
    assert!(out.status.success());
    assert_eq!(init_line(&out)["layers"]["seccomp_notify"], false);
    assert!(alerts(&out).is_empty(), "no layer left to alert");
}

/// A control in `block` keeps the `EPERM` filter (applied before the fork, so the child's exec
/// buffer rule still holds) and is not watched; the others still alert; other tmp changes
/// (mkdir, rename, unlink) are reported with their operation.
#[test]
fn block_controls_stay_on_the_errno_filter() {
    let root = tempfile::tempdir().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let tmp_path = tmp.path().to_str().unwrap();
    let script = r#"
import errno, json, os, subprocess, sys
tmp = sys.argv[1]
def attempt(f):
    try:
        f()
        return "ok"
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e.errno))
r = {}
r["exec"] = attempt(lambda: subprocess.run(["/bin/true"]))
r["mkdir"] = attempt(lambda: os.mkdir(os.path.join(tmp, "d")))
r["rename"] = attempt(lambda: os.rename(os.path.join(tmp, "d"), os.path.join(tmp, "e")))
r["rmdir"] = attempt(lambda: os.rmdir(os.path.join(tmp, "e")))
print(json.dumps(r))
"#;
    let out = command(
        false,
        root.path(),
        &[
            ("FAASGUARD_SHIELD_KERNEL_ALERT", "true"),
            ("FAASGUARD_SHIELD_CHILD_PROCESS", "block"),
            ("FAASGUARD_SHIELD_TMP_PATHS", tmp_path),
        ],
        &[python(), "-c", script, tmp_path],
    )
    .output()
    .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stderr}");
    let r: Value =
        serde_json::from_str(String::from_utf8_lossy(&out.stdout).lines().last().unwrap()).unwrap();
    assert_eq!(r["exec"], "EPERM", "{stderr}");
    for key in ["mkdir", "rename", "rmdir"] {
        assert_eq!(r[key], "ok", "{key}");
    }
    let init = init_line(&out);
    assert_eq!(
        init["kernel_rules"]["seccomp_notify"],
        serde_json::json!(["outbound", "tmp_write"])
    );
    assert!(
        init["kernel_rules"]["seccomp"]
            .as_array()
            .unwrap()
            .contains(&Value::from("exec"))
    );
    let details: Vec<Value> = alerts(&out)
        .into_iter()
        .map(|a| a["details"].clone())
        .collect();
    let d = format!("{tmp_path}/d");
    let e = format!("{tmp_path}/e");
    assert_eq!(
        details,
        [
            serde_json::json!({"path": d, "operation": "mkdir"}),
            serde_json::json!({"path": d, "operation": "rename", "target": e}),
            serde_json::json!({"path": e, "operation": "delete"}),
        ],
        "{stderr}"
    );
}

/// Starts the wrapper with piped stdout and waits for the program's `ready` line.
fn start_ready(root: &Path, args: &[&str]) -> (Child, BufReader<std::process::ChildStdout>) {
    let mut child = command(
        false,
        root,
        &[("FAASGUARD_SHIELD_KERNEL_ALERT", "true")],
        args,
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    assert!(line.starts_with("ready"), "{line:?}");
    (child, reader)
}

fn kill(pid: u32, signal: &str) {
    let status = Command::new("kill")
        .args([signal, &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// The child's exit status is the wrapper's; SIGTERM sent to the wrapper reaches the child
/// (its handler runs and picks the exit code), and a child killed by it makes the wrapper exit
/// 143.
#[test]
fn exit_status_and_signals_go_through_the_supervisor() {
    let root = tempfile::tempdir().unwrap();
    let out = command(
        false,
        root.path(),
        &[("FAASGUARD_SHIELD_KERNEL_ALERT", "true")],
        &[python(), "-c", "import sys; sys.exit(7)"],
    )
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(7));
    assert_eq!(init_line(&out)["layers"]["seccomp_notify"], true);

    let handler = r#"
import os, signal, sys, time
def on_term(sig, frame):
    os.write(1, b"got %d\n" % sig)  # not print: the signal may land inside print("ready")
    os._exit(9)
signal.signal(signal.SIGTERM, on_term)
print("ready", flush=True)
time.sleep(30)
"#;
    let (mut child, mut reader) = start_ready(root.path(), &[python(), "-c", handler]);
    kill(child.id(), "-TERM");
    let status = child.wait().unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut reader, &mut rest).unwrap();
    assert_eq!(rest.trim(), format!("got {}", libc::SIGTERM));
    assert_eq!(status.code(), Some(9));

    let plain = "import time; print('ready', flush=True); time.sleep(30)";
    let (mut child, _reader) = start_ready(root.path(), &[python(), "-c", plain]);
    kill(child.id(), "-TERM");
    assert_eq!(child.wait().unwrap().code(), Some(143));
}

/// A supervisor that dies (SIGKILL) takes the runtime with it (`PR_SET_PDEATHSIG`): nothing is
/// left waiting on a listener nobody reads.
#[test]
fn a_dead_supervisor_does_not_leave_the_runtime_hanging() {
    let root = tempfile::tempdir().unwrap();
    let script = "import os, time; print('ready', os.getpid(), flush=True); time.sleep(30)";
    let mut child = command(
        false,
        root.path(),
        &[("FAASGUARD_SHIELD_KERNEL_ALERT", "true")],
        &[python(), "-c", script],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::null())
    .spawn()
    .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    let runtime: u32 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    assert_ne!(runtime, child.id(), "the runtime is the supervisor's child");
    kill(child.id(), "-KILL");
    child.wait().unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while Path::new(&format!("/proc/{runtime}")).exists() {
        let state = std::fs::read_to_string(format!("/proc/{runtime}/stat")).unwrap_or_default();
        if state.contains(") Z ") {
            break; // a zombie waiting for init to reap it: dead
        }
        assert!(
            Instant::now() < deadline,
            "the runtime outlived its supervisor"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Under the Lambda-like simulator (no seccomp filter can be installed) the init line says the
/// supervisor is not running and why, and the program runs as usual.
#[test]
fn lambda_like_reports_it_unavailable_and_runs() {
    let root = tempfile::tempdir().unwrap();
    let out = command(
        true,
        root.path(),
        &[("FAASGUARD_SHIELD_KERNEL_ALERT", "true")],
        &[python(), "-c", "print('ran')"],
    )
    .output()
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "ran\n");
    let init = init_line(&out);
    assert_eq!(init["layers"]["seccomp_notify"], false);
    assert_eq!(
        init["kernel_rules"]["seccomp_notify"],
        serde_json::json!([])
    );
    let degraded: Vec<&str> = init["degraded"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap())
        .collect();
    assert!(
        degraded
            .iter()
            .any(|d| d.starts_with("seccomp_notify: filter install refused (EPERM")),
        "{degraded:?}"
    );
}
