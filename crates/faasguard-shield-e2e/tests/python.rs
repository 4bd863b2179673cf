//! `awslambdaric` (PyPI), the real Python runtime interface client, started the way Lambda
//! starts it (`faasguard-shield <python> -m awslambdaric handler.handler`) against the fake
//! Runtime API, with a handler that attempts one violation per invocation. For each control in
//! `block` and `alert` mode: the handler's outcome, the alert lines (parsed, with the trace id
//! the fake API sent), nothing during init, and every response reaching the API. Run under the
//! full kernel, without Landlock and Lambda-like (`faasguard-shield-sim`), the in-process layer
//! enforces the same everywhere. Nothing connects anywhere but 127.0.0.1.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod common;

use serde_json::json;

use common::{
    Check, Config, Dirs, Expect, ExpectedAlert, Launch, Mode, Targets, assert_init, assert_matrix,
    assert_targets, check, dirs, path, python, run_runtime, shared_checks,
};

/// The scripted checks, one invocation each, in order.
fn checks(d: &Dirs, t: &Targets) -> Vec<Check> {
    let mut all = shared_checks(d, t);
    all.extend([
        check("subprocess", json!({})),
        check("os_system", json!({})),
        check("posix_spawn", json!({})),
        check("read_handler", json!({})),
        check("raw_syscall", json!({"path": path(d, "raw.txt")})),
    ]);
    all
}

/// What each check gives under `mode` and `config`.
fn expect(d: &Dirs, t: &Targets, config: Config, mode: Mode, check: &Check) -> Expect {
    let block = mode == Mode::Block;
    let refused = |errno: &'static str| if block { errno } else { "ok" };
    // In block mode the audit hook refuses tmp and child-process calls before the C call; in
    // alert mode it stays silent and the preload library reports. Outbound and read_handler
    // are the library's alone.
    let shim = if block { "python_audit" } else { "ld_preload" };
    let outbound = |details| ExpectedAlert::new("outbound_connectivity", "ld_preload", details);
    let tmp = |details| ExpectedAlert::new("read_write_tmp", shim, details);
    let child = |details| ExpectedAlert::new("create_child_process", shim, details);
    let none = |outcome| Expect {
        outcome,
        alerts: vec![],
    };
    let one = |outcome, alert| Expect {
        outcome,
        alerts: vec![alert],
    };
    match check.name {
        "tcp_allowed" | "host_allowed" | "tmp_read" => none("ok"),
        "tcp_denied" => one(
            refused("EPERM"),
            outbound(json!({"ip": "127.0.0.1", "port": t.denied_port(), "proto": "tcp"})),
        ),
        "udp_denied" => one(
            refused("EPERM"),
            outbound(json!({"ip": "127.0.0.1", "port": t.udp_port(), "proto": "udp"})),
        ),
        "host_denied" => one(
            refused("EPERM"),
            outbound(json!({"host": "localhost", "ip": "127.0.0.1",
                "port": t.denied_port(), "proto": "tcp"})),
        ),
        "tmp_create" => one(
            refused("EACCES"),
            tmp(json!({"path": path(d, "new.txt"), "operation": "create"})),
        ),
        "tmp_write" => one(
            refused("EACCES"),
            tmp(json!({"path": path(d, "existing.txt"), "operation": "write"})),
        ),
        "tmp_rename" => one(
            refused("EPERM"),
            tmp(
                json!({"path": path(d, "rename-src.txt"), "operation": "rename",
                "target": path(d, "rename-dst.txt")}),
            ),
        ),
        "tmp_delete" => one(
            refused("EPERM"),
            tmp(json!({"path": path(d, "delete.txt"), "operation": "delete"})),
        ),
        "subprocess" => one(
            refused("EPERM"),
            child(json!({"path": "/usr/bin/true", "argv": ["true"]})),
        ),
        "os_system" => one(
            refused("EPERM"),
            child(json!({"path": "/bin/sh", "argv": ["sh", "-c", "exit 0"]})),
        ),
        "posix_spawn" => one(
            refused("EPERM"),
            child(json!({"path": "/bin/true", "argv": ["true"]})),
        ),
        "read_handler" => one(
            refused("EACCES"),
            ExpectedAlert::new(
                "read_handler",
                "ld_preload",
                json!({"path": d.task.join("handler.py").to_str().unwrap()}),
            ),
        ),
        // The expected miss: no in-process alert in any configuration. Only the kernel layer
        // (Landlock's tmp rule, full kernel, block mode) refuses it.
        "raw_syscall" => none(if block && config == Config::Full {
            "EACCES"
        } else {
            "ok"
        }),
        other => panic!("no expectation for {other}"),
    }
}

/// One runtime process for (`config`, `mode`), started directly by the wrapper or through a
/// bootstrap script's hand-off, serving every check; asserts the whole matrix,
/// the init line, what reached the loopback targets and the files left in the tmp root.
fn run(config: Config, mode: Mode, bootstrap: bool) {
    let py = python();
    let d = dirs("python/handler.py");
    for (name, text) in [
        ("existing.txt", "x"),
        ("rename-src.txt", "x"),
        ("delete.txt", "x"),
        ("read.txt", "readable"),
    ] {
        std::fs::write(d.tmp.join(name), text).unwrap();
    }
    let t = Targets::new();
    let checks = checks(&d, &t);
    let tag = format!("py-{config:?}-{}-{bootstrap}", mode.as_str());
    let r = if bootstrap {
        // The bootstrap appends `$_HANDLER`.
        let command = [py, "-m".into(), "awslambdaric".into()];
        run_runtime(
            config,
            mode,
            &d,
            &t,
            &Launch::Bootstrap(&command),
            &tag,
            &checks,
        )
    } else {
        let command = [
            py,
            "-m".into(),
            "awslambdaric".into(),
            "handler.handler".into(),
        ];
        run_runtime(
            config,
            mode,
            &d,
            &t,
            &Launch::Wrapper(&command),
            &tag,
            &checks,
        )
    };
    assert_init(&r, config, mode);
    assert_matrix(&r, mode, &checks, |c| expect(&d, &t, config, mode, c));
    assert_targets(&t, mode, 2);
    // The refused changes did not happen; the allowed ones did.
    let block = mode == Mode::Block;
    assert_eq!(d.tmp.join("new.txt").exists(), !block);
    assert_eq!(d.tmp.join("rename-src.txt").exists(), block);
    assert_eq!(d.tmp.join("delete.txt").exists(), block);
    assert_eq!(
        std::fs::read_to_string(d.tmp.join("existing.txt")).unwrap(),
        if block { "x" } else { "xappended" }
    );
    // The raw syscall went past the in-process layer (the file exists) except where Landlock
    // is in force.
    assert_eq!(
        d.tmp.join("raw.txt").exists(),
        !(block && config == Config::Full),
        "raw openat"
    );
}

/// Full kernel (Landlock ABI ≥ 4 and seccomp here): in block mode the in-process layer refuses
/// every violation first (EPERM/EACCES, one alert each, mechanism `python_audit` for tmp and
/// child processes, `ld_preload` for outbound and read_handler) and Landlock additionally
/// refuses the raw `openat` the in-process layer cannot see; in alert mode every call
/// succeeds with one `allowed` alert. Importing the handler is not an alert; every response
/// reaches the Runtime API.
#[test]
fn python_full_kernel() {
    run(Config::Full, Mode::Block, false);
    run(Config::Full, Mode::Alert, false);
}

/// Without Landlock (`faasguard-shield-sim --no-landlock`): the init line reports Landlock as
/// unavailable (seccomp still applies in block mode) and the in-process layer gives the same
/// outcomes and alerts as on the full kernel; the raw `openat` now succeeds unseen (the known
/// limit of the in-process layer).
#[test]
fn python_no_landlock() {
    run(Config::NoLandlock, Mode::Block, false);
    run(Config::NoLandlock, Mode::Alert, false);
}

/// Lambda-like (`faasguard-shield-sim --lambda`: prctl, Landlock and seccomp refused): the init
/// line reports both kernel pieces missing, and the in-process layer alone still refuses (block)
/// or reports (alert) every violation, with the Lambda trace id in each alert; the raw
/// `openat` is the documented miss.
#[test]
fn python_lambda_like() {
    run(Config::Lambda, Mode::Block, false);
    run(Config::Lambda, Mode::Alert, false);
}

/// The managed runtime's hand-off: a bootstrap shell script execs `$AWS_LAMBDA_EXEC_WRAPPER`
/// with the runtime command and `$_HANDLER`, and the wrapper execs the runtime (one exec after
/// the wrapper's, so the seccomp exec rule lets it through on the full kernel). The whole
/// matrix gives the same results as a direct start, on the full kernel in block mode and
/// Lambda-like in alert mode.
#[test]
fn python_bootstrap_hand_off() {
    run(Config::Full, Mode::Block, true);
    run(Config::Lambda, Mode::Alert, true);
}
