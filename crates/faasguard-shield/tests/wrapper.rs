//! The `faasguard-shield` wrapper binary, run for real on simple commands (`/bin/sh -c`,
//! `python3 -c`, `node -e`): its `init` and `error` lines, the command's argv and environment,
//! and the kernel layer's enforcement (Landlock TCP and tmp rules, the seccomp exec, io_uring and
//! TCP Fast Open rules), under the full kernel and under `faasguard-shield-sim`'s "no Landlock"
//! and "Lambda-like" outer filters. Every sandbox is applied in a child process; nothing
//! connects anywhere but 127.0.0.1.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::OnceLock;

use faasguard_shield::Effective;
use serde_json::Value;

const SHIELD: &str = env!("CARGO_BIN_EXE_faasguard-shield");
const SIM: &str = env!("CARGO_BIN_EXE_faasguard-shield-sim");

/// Where the command runs: the machine's kernel, or the simulator's outer filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Config {
    Full,
    NoLandlock,
    Lambda,
}

/// The real Python interpreter (not a shell shim: under `create_child_process: block` only the
/// wrapper's own exec is allowed, so a launcher that execs again would be refused).
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

/// An empty layer root: no in-process pieces, so only the kernel layer acts.
fn empty_root() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

/// The fixture layer copied to a temporary root, with an empty stand-in library.
fn fixture_root() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/layer");
    for (rel, name) in [("python", "sitecustomize.py"), ("node", "shield.cjs")] {
        std::fs::create_dir_all(dir.path().join(rel)).unwrap();
        std::fs::copy(src.join(rel).join(name), dir.path().join(rel).join(name)).unwrap();
    }
    std::fs::create_dir_all(dir.path().join("lib")).unwrap();
    std::fs::write(dir.path().join("lib/libfaasguard_shield.so"), b"").unwrap();
    dir
}

/// Runs `faasguard-shield <args>` under `config` with a clean environment plus `envs`.
fn run(config: Config, root: &Path, envs: &[(&str, &str)], args: &[&str]) -> Output {
    let mut cmd = match config {
        Config::Full => Command::new(SHIELD),
        Config::NoLandlock | Config::Lambda => {
            let mut c = Command::new(SIM);
            c.arg(if config == Config::Lambda {
                "--lambda"
            } else {
                "--no-landlock"
            });
            c.arg(SHIELD);
            c
        }
    };
    cmd.env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("FAASGUARD_SHIELD_ROOT", root)
        .envs(envs.iter().copied())
        .args(args);
    cmd.output().expect("the wrapper starts")
}

fn stderr_lines(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .collect()
}

/// The one `init` line.
fn init_line(out: &Output) -> Value {
    let inits: Vec<Value> = stderr_lines(out)
        .into_iter()
        .filter(|v| v["faasguard_shield"] == "init")
        .collect();
    assert_eq!(
        inits.len(),
        1,
        "one init line: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    inits.into_iter().next().unwrap()
}

fn error_lines(out: &Output) -> Vec<String> {
    stderr_lines(out)
        .into_iter()
        .filter(|v| v["faasguard_shield"] == "error")
        .map(|v| v["error"].as_str().unwrap().to_owned())
        .collect()
}

/// The last stdout line of a Python script that prints one JSON object.
fn result(out: &Output) -> Value {
    let text = String::from_utf8_lossy(&out.stdout);
    let last = text.lines().last().unwrap_or_else(|| {
        panic!(
            "no output; stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    serde_json::from_str(last).unwrap()
}

fn strs(v: &Value) -> Vec<&str> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect()
}

/// Python helpers for the scripts: `attempt(fn)` gives "ok" or the errno's name.
const PY_PRELUDE: &str = r#"
import ctypes, errno, json, os, socket, subprocess, sys
def attempt(f):
    try:
        f()
        return "ok"
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e.errno))
"#;

fn py(script: &str) -> String {
    format!("{PY_PRELUDE}\n{script}")
}

/// A listener on 127.0.0.1 and its port.
fn listener() -> (TcpListener, u16) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    (l, port)
}

/// In alert mode the init line lists every in-process piece found under the root, no kernel
/// rules, the probe's kernel facts, and nothing else on stderr but that line.
#[test]
fn init_line_reports_layers_and_kernel_facts() {
    let root = fixture_root();
    let out = run(
        Config::Full,
        root.path(),
        &[],
        &["/bin/sh", "-c", "echo ran"],
    );
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout), "ran\n");
    let init = init_line(&out);
    assert_eq!(init["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(init["policy"]["outbound_connectivity"], "alert");
    for layer in ["ld_preload", "python", "node"] {
        assert_eq!(init["layers"][layer], true, "{layer}: {init}");
    }
    assert_eq!(init["layers"]["landlock"], false);
    assert_eq!(init["layers"]["seccomp"], false);
    assert_eq!(init["degraded"], serde_json::json!([]));
    let probe: Value =
        serde_json::from_slice(&Command::new(SHIELD).arg("--probe").output().unwrap().stdout)
            .unwrap();
    assert_eq!(init["kernel"]["release"], probe["release"]);
    assert_eq!(init["kernel"]["landlock_abi"], probe["landlock_abi"]);
    assert_eq!(init["kernel"]["seccomp_filter"], probe["seccomp_filter"]);
    assert!(init["setup_us"].as_u64().is_some());
    assert!(init["ts"].as_str().unwrap().ends_with('Z'));

    let out = run(Config::Full, empty_root().path(), &[], &["/bin/true"]);
    let degraded = strs(&init_line(&out)["degraded"]).join("\n");
    assert!(
        degraded.contains("ld_preload: ")
            && degraded.contains("python: ")
            && degraded.contains("node: "),
        "{degraded}"
    );
}

/// `--probe` prints the probe as JSON and exits 0; under the Lambda-like filter it reports no
/// Landlock, a refused `prctl` and a refused filter.
#[test]
fn probe_flag_prints_json() {
    let out = Command::new(SHIELD).arg("--probe").output().unwrap();
    assert!(out.status.success());
    let full: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(!full["release"].as_str().unwrap().is_empty());
    let out = Command::new(SIM)
        .args(["--lambda", SHIELD, "--probe"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let lambda: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(lambda["landlock_abi"], 0);
    assert_eq!(lambda["landlock_errno"], libc::ENOSYS);
    assert_eq!(lambda["no_new_privs"], false);
    assert_eq!(lambda["no_new_privs_errno"], libc::EPERM);
    assert_eq!(lambda["seccomp_filter"], false);
    assert_eq!(lambda["seccomp_mode"], 2);
}

/// The command gets its argv exactly, `LD_PRELOAD` appended, `PYTHONPATH` prepended,
/// `NODE_OPTIONS` with `--require`, the effective policy as JSON and a writable log fd (the
/// fixture `sitecustomize` writes to it, so `PYTHONPATH` reached Python).
#[test]
fn command_gets_argv_and_environment() {
    let root = fixture_root();
    let rootp = root.path().to_str().unwrap();
    let script = py(r#"
fd = int(os.environ["FAASGUARD_SHIELD_LOG_FD"])
os.write(fd, b'{"fixture":"written by the command"}\n')
print(json.dumps({"argv": sys.argv[1:], "env": {k: os.environ.get(k) for k in
    ["LD_PRELOAD", "PYTHONPATH", "NODE_OPTIONS", "FAASGUARD_SHIELD_EFFECTIVE", "KEEP"]}}))
"#);
    let args = [
        python(),
        "-c",
        &script,
        "a b",
        "",
        "--probe",
        "ünïcode",
        "$HOME",
    ];
    let out = run(
        Config::Full,
        root.path(),
        &[
            ("LD_PRELOAD", "/nonexistent/other.so"),
            ("PYTHONPATH", "/nonexistent/py"),
            ("NODE_OPTIONS", "--max-old-space-size=64"),
            ("KEEP", "kept"),
            ("FAASGUARD_SHIELD_ALLOW", "api.example.org:443"),
        ],
        &args,
    );
    assert!(out.status.success(), "{out:?}");
    let r = result(&out);
    assert_eq!(strs(&r["argv"]), ["a b", "", "--probe", "ünïcode", "$HOME"]);
    let env = &r["env"];
    assert_eq!(
        env["LD_PRELOAD"],
        format!("/nonexistent/other.so:{rootp}/lib/libfaasguard_shield.so")
    );
    assert_eq!(env["PYTHONPATH"], format!("{rootp}/python:/nonexistent/py"));
    assert_eq!(
        env["NODE_OPTIONS"],
        format!("--max-old-space-size=64 --require {rootp}/node/shield.cjs")
    );
    assert_eq!(env["KEEP"], "kept");
    let eff = Effective::from_json(env["FAASGUARD_SHIELD_EFFECTIVE"].as_str().unwrap()).unwrap();
    assert_eq!(eff.policy.outbound_allow.len(), 1);
    let markers: Vec<Value> = stderr_lines(&out)
        .into_iter()
        .filter(|v| v.get("fixture").is_some())
        .collect();
    assert_eq!(
        markers,
        [
            serde_json::json!({"fixture": "sitecustomize loaded"}),
            serde_json::json!({"fixture": "written by the command"})
        ]
    );
}

/// Node gets `--require <root>/node/shield.cjs` and runs it before the script.
#[test]
fn node_preload_runs() {
    let root = fixture_root();
    let out = run(
        Config::Full,
        root.path(),
        &[],
        &["node", "-e", "console.log('node ran')"],
    );
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "node ran\n");
    assert!(
        stderr_lines(&out)
            .iter()
            .any(|v| v["fixture"] == "shield.cjs loaded")
    );
}

/// A bad variable or policy file is an `error` line; the command still runs, with every
/// control in alert mode.
#[test]
fn bad_policy_reports_error_and_still_runs() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("policy.json");
    std::fs::write(&file, "{\"policy\": {\"read_handler\": \"maybe\"}}").unwrap();
    for envs in [
        vec![("FAASGUARD_SHIELD_MODE", "bogus")],
        vec![
            ("FAASGUARD_SHIELD_MODE", "block"),
            ("FAASGUARD_SHIELD_POLICY", file.to_str().unwrap()),
        ],
    ] {
        let out = run(
            Config::Full,
            empty_root().path(),
            &envs,
            &["/bin/sh", "-c", "echo ran"],
        );
        assert!(out.status.success());
        assert_eq!(String::from_utf8_lossy(&out.stdout), "ran\n");
        let errors = error_lines(&out);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].contains("FAASGUARD_SHIELD_MODE") || errors[0].contains("policy.json"),
            "{errors:?}"
        );
        let init = init_line(&out);
        for control in [
            "outbound_connectivity",
            "read_write_tmp",
            "create_child_process",
            "read_handler",
        ] {
            assert_eq!(init["policy"][control], "alert");
        }
    }
}

/// No command → `error` and exit 78; a command that cannot be executed → `error` naming it and
/// the errno, exit 127; a command without '/' is looked up in PATH.
#[test]
fn exit_codes_and_path_lookup() {
    let out = run(Config::Full, empty_root().path(), &[], &[]);
    assert_eq!(out.status.code(), Some(78));
    assert!(error_lines(&out)[0].contains("no command"));

    let out = run(
        Config::Full,
        empty_root().path(),
        &[],
        &["/nonexistent/runtime"],
    );
    assert_eq!(out.status.code(), Some(127));
    let err = &error_lines(&out)[0];
    assert!(
        err.contains("/nonexistent/runtime") && err.contains("errno 2"),
        "{err}"
    );

    let out = run(
        Config::Full,
        empty_root().path(),
        &[("PATH", "/nonexistent:/usr/bin:/bin")],
        &["sh", "-c", "echo found"],
    );
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout), "found\n");
}

/// `FAASGUARD_SHIELD_REQUIRE=kernel` refuses to start under the Lambda-like filter (exit 78, an
/// `error` line, the command never runs) and starts under the full kernel.
#[test]
fn require_kernel() {
    let envs = [
        ("FAASGUARD_SHIELD_REQUIRE", "kernel"),
        ("FAASGUARD_SHIELD_MODE", "block"),
    ];
    let out = run(
        Config::Lambda,
        empty_root().path(),
        &envs,
        &["/bin/sh", "-c", "echo ran"],
    );
    assert_eq!(out.status.code(), Some(78), "{out:?}");
    assert!(out.stdout.is_empty());
    let errors = error_lines(&out);
    assert!(
        errors[0].contains("REQUIRE=kernel") && errors[0].contains("landlock"),
        "{errors:?}"
    );
    let out = run(
        Config::Full,
        empty_root().path(),
        &envs,
        &["/bin/sh", "-c", "echo ran"],
    );
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "ran\n");
}

const CONNECT_SCRIPT: &str = r#"
def connect(port):
    s = socket.socket()
    s.settimeout(5)
    try:
        return attempt(lambda: s.connect(("127.0.0.1", port)))
    finally:
        s.close()
allowed, denied = int(sys.argv[1]), int(sys.argv[2])
print(json.dumps({"allowed": connect(allowed), "denied": connect(denied)}))
"#;

/// Outbound `block` with loopback not allowed: Landlock lets the child connect to the
/// allowlisted 127.0.0.1 port and refuses another (EACCES); with loopback allowed (the
/// default) the port rule is not applied, says so, and both connect.
#[test]
fn landlock_tcp_port_rule() {
    let (_a, allowed) = listener();
    let (_d, denied) = listener();
    let allow = format!("127.0.0.1:{allowed}");
    let script = py(CONNECT_SCRIPT);
    let (a, d) = (allowed.to_string(), denied.to_string());
    let args = [python(), "-c", &script, &a, &d];
    let out = run(
        Config::Full,
        empty_root().path(),
        &[
            ("FAASGUARD_SHIELD_MODE", "allow"),
            ("FAASGUARD_SHIELD_OUTBOUND", "block"),
            ("FAASGUARD_SHIELD_ALLOW", &allow),
            ("FAASGUARD_SHIELD_ALLOW_LOOPBACK", "false"),
        ],
        &args,
    );
    let init = init_line(&out);
    assert_eq!(init["layers"]["landlock"], true, "{init}");
    assert_eq!(strs(&init["kernel_rules"]["landlock"]), ["tcp_connect"]);
    let r = result(&out);
    assert_eq!(r["allowed"], "ok");
    assert_eq!(r["denied"], "EACCES");

    let out = run(
        Config::Full,
        empty_root().path(),
        &[
            ("FAASGUARD_SHIELD_MODE", "allow"),
            ("FAASGUARD_SHIELD_OUTBOUND", "block"),
            ("FAASGUARD_SHIELD_ALLOW", &allow),
        ],
        &args,
    );
    let init = init_line(&out);
    assert!(
        strs(&init["degraded"])
            .iter()
            .any(|d| d.starts_with("landlock: ") && d.contains("loopback")),
        "{init}"
    );
    let r = result(&out);
    assert_eq!((&r["allowed"], &r["denied"]), (&"ok".into(), &"ok".into()));
}

/// `read_write_tmp: block`: under the tmp root, creating, appending, deleting and making a
/// directory are refused (EACCES) while reading works; writing outside the root works.
#[test]
fn landlock_tmp_writes_refused_reads_allowed() {
    let base = tempfile::tempdir().unwrap();
    let scratch = base.path().join("scratch");
    std::fs::create_dir(&scratch).unwrap();
    std::fs::write(scratch.join("existing"), "kept").unwrap();
    std::fs::create_dir(base.path().join("elsewhere")).unwrap();
    let script = py(r#"
root, other = sys.argv[1], sys.argv[2]
r = {
  "read": open(os.path.join(root, "existing")).read(),
  "create": attempt(lambda: open(os.path.join(root, "new"), "w").close()),
  "append": attempt(lambda: open(os.path.join(root, "existing"), "a").close()),
  "unlink": attempt(lambda: os.unlink(os.path.join(root, "existing"))),
  "mkdir": attempt(lambda: os.mkdir(os.path.join(root, "d"))),
  "outside": attempt(lambda: open(os.path.join(other, "file"), "w").close()),
}
print(json.dumps(r))
"#);
    let out = run(
        Config::Full,
        empty_root().path(),
        &[
            ("FAASGUARD_SHIELD_MODE", "allow"),
            ("FAASGUARD_SHIELD_TMP", "block"),
            ("FAASGUARD_SHIELD_TMP_PATHS", scratch.to_str().unwrap()),
        ],
        &[
            python(),
            "-c",
            &script,
            scratch.to_str().unwrap(),
            base.path().join("elsewhere").to_str().unwrap(),
        ],
    );
    let init = init_line(&out);
    assert_eq!(strs(&init["kernel_rules"]["landlock"]), ["tmp_write"]);
    let r = result(&out);
    assert_eq!(r["read"], "kept");
    for op in ["create", "append", "unlink", "mkdir"] {
        assert_eq!(r[op], "EACCES", "{op}: {r}");
    }
    assert_eq!(r["outside"], "ok");
    assert!(scratch.join("existing").exists());
}

/// `create_child_process: block`: the wrapper's own exec (after a PATH search through several
/// candidates) works, and every exec the command tries — `os.execv`, `subprocess`,
/// `os.posix_spawn`, `os.system`'s shell — is refused with EPERM.
#[test]
fn seccomp_exec_refused_after_own_exec() {
    let script = py(r#"
def spawn():
    os.waitpid(os.posix_spawn("/bin/true", ["true"], os.environ), 0)
r = {
  "execv": attempt(lambda: os.execv("/bin/true", ["true"])),
  "subprocess": attempt(lambda: subprocess.run(["/bin/true"])),
  "posix_spawn": attempt(spawn),
  "system": os.waitstatus_to_exitcode(os.system("/bin/true")),
}
print(json.dumps(r))
"#);
    let py_name = Path::new(python()).file_name().unwrap().to_str().unwrap();
    let py_dir = Path::new(python()).parent().unwrap().to_str().unwrap();
    let path = format!("/nonexistent:{py_dir}:/usr/bin:/bin");
    let out = run(
        Config::Full,
        empty_root().path(),
        &[
            ("FAASGUARD_SHIELD_MODE", "allow"),
            ("FAASGUARD_SHIELD_CHILD_PROCESS", "block"),
            ("PATH", &path),
        ],
        &[py_name, "-c", &script],
    );
    let init = init_line(&out);
    assert_eq!(strs(&init["kernel_rules"]["seccomp"]), ["exec", "io_uring"]);
    let r = result(&out);
    assert_eq!(r["execv"], "EPERM");
    assert_eq!(r["subprocess"], "EPERM");
    assert_eq!(r["posix_spawn"], "EPERM");
    assert_eq!(r["system"], 127, "the shell could not be executed");
}

/// `outbound_connectivity: block`: TCP Fast Open (`sendto(MSG_FASTOPEN)`) and
/// `TCP_FASTOPEN_CONNECT` are refused by seccomp (EPERM) even to a port Landlock allows, which
/// Landlock alone would miss.
#[test]
fn seccomp_tcp_fast_open_refused() {
    let (_a, allowed) = listener();
    let allow = format!("127.0.0.1:{allowed}");
    let script = py(r#"
port = int(sys.argv[1])
s = socket.socket()
fastopen = attempt(lambda: s.sendto(b"x", socket.MSG_FASTOPEN, ("127.0.0.1", port)))
s2 = socket.socket()
opt = attempt(lambda: s2.setsockopt(socket.IPPROTO_TCP, 30, 1))
s3 = socket.socket()
plain = attempt(lambda: s3.connect(("127.0.0.1", port)))
print(json.dumps({"fastopen": fastopen, "connect_opt": opt, "connect": plain}))
"#);
    let out = run(
        Config::Full,
        empty_root().path(),
        &[
            ("FAASGUARD_SHIELD_MODE", "allow"),
            ("FAASGUARD_SHIELD_OUTBOUND", "block"),
            ("FAASGUARD_SHIELD_ALLOW", &allow),
            ("FAASGUARD_SHIELD_ALLOW_LOOPBACK", "false"),
        ],
        &[python(), "-c", &script, &allowed.to_string()],
    );
    let init = init_line(&out);
    assert!(strs(&init["kernel_rules"]["seccomp"]).contains(&"tcp_fastopen"));
    let r = result(&out);
    assert_eq!(r["fastopen"], "EPERM");
    assert_eq!(r["connect_opt"], "EPERM");
    assert_eq!(r["connect"], "ok");
}

const URING_SCRIPT: &str = r#"
libc = ctypes.CDLL(None, use_errno=True)
params = ctypes.create_string_buffer(120)
fd = libc.syscall(425, 4, params)
print(json.dumps({"fd": fd, "errno": errno.errorcode.get(ctypes.get_errno()) if fd < 0 else None}))
"#;

/// Any control in `block`: `io_uring_setup` is refused (EPERM); in alert mode it works (when the
/// kernel has io_uring enabled).
#[test]
fn seccomp_io_uring_refused() {
    let script = py(URING_SCRIPT);
    let out = run(
        Config::Full,
        empty_root().path(),
        &[
            ("FAASGUARD_SHIELD_MODE", "allow"),
            ("FAASGUARD_SHIELD_TMP", "block"),
            ("FAASGUARD_SHIELD_TMP_PATHS", "/nonexistent-fg-tmp"),
        ],
        &[python(), "-c", &script],
    );
    let r = result(&out);
    assert_eq!(r["fd"], -1);
    assert_eq!(r["errno"], "EPERM");
    let enabled = std::fs::read_to_string("/proc/sys/kernel/io_uring_disabled")
        .map_or(true, |t| t.trim() == "0");
    if enabled {
        let out = run(
            Config::Full,
            empty_root().path(),
            &[],
            &[python(), "-c", &script],
        );
        assert!(result(&out)["fd"].as_i64().unwrap() >= 0);
    }
}

/// Under the simulator's "no Landlock" filter the init line says Landlock is missing and seccomp
/// still applies; under the Lambda-like filter both are missing (prctl refused); the command
/// runs in both.
#[test]
fn degrades_under_simulated_kernels() {
    for config in [Config::NoLandlock, Config::Lambda] {
        let out = run(
            config,
            empty_root().path(),
            &[("FAASGUARD_SHIELD_MODE", "block")],
            &["/bin/sh", "-c", "echo ran"],
        );
        assert!(out.status.success(), "{config:?}: {out:?}");
        assert_eq!(String::from_utf8_lossy(&out.stdout), "ran\n");
        let init = init_line(&out);
        assert_eq!(init["layers"]["landlock"], false);
        assert_eq!(init["kernel"]["landlock_abi"], 0);
        let degraded = strs(&init["degraded"]);
        assert!(
            degraded
                .iter()
                .any(|d| d.starts_with("landlock: not available (ENOSYS")),
            "{degraded:?}"
        );
        if config == Config::Lambda {
            assert_eq!(init["layers"]["seccomp"], false);
            assert!(
                degraded
                    .iter()
                    .any(|d| d.starts_with("seccomp: prctl refused (EPERM")),
                "{degraded:?}"
            );
        } else {
            assert_eq!(init["layers"]["seccomp"], true);
        }
    }
}

/// A command the kernel cannot execute (a script without `#!`) is run by `/bin/sh`, as
/// `execvp` does, also under `create_child_process: block` (the second exec goes through the
/// same allowed buffer).
#[test]
fn script_without_shebang_runs_through_sh() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("no-shebang");
    std::fs::write(&script, "echo \"sh ran $0 $1\"\n").unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!("{}:/usr/bin:/bin", dir.path().display());
    let out = run(
        Config::Full,
        empty_root().path(),
        &[
            ("FAASGUARD_SHIELD_MODE", "allow"),
            ("FAASGUARD_SHIELD_CHILD_PROCESS", "block"),
            ("PATH", &path),
        ],
        &["no-shebang", "arg1"],
    );
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("sh ran {} arg1\n", script.display())
    );
}
