//! `aws-lambda-ric` (npm), the real Node.js runtime interface client with its native Runtime
//! API client, started the way Lambda starts it (`faasguard-shield <node>
//! node_modules/aws-lambda-ric/bin/index.mjs handler.handler`) against the fake Runtime API,
//! with a handler that attempts one violation per invocation. For each control in `block` and
//! `alert` mode: the handler's outcome, the alert lines (parsed, with the trace id the fake API
//! sent), nothing during init, and every response reaching the API. Run under the full
//! kernel, without Landlock and Lambda-like (`faasguard-shield-sim`), the in-process layer
//! enforces the same everywhere. Nothing connects anywhere but 127.0.0.1.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod common;

use serde_json::json;

use common::{
    Check, Config, Dirs, Expect, ExpectedAlert, Launch, Mode, Targets, assert_init, assert_matrix,
    assert_targets, check, dirs, node, path, run_runtime, shared_checks,
};

/// The scripted checks, one invocation each, in order.
fn checks(d: &Dirs, t: &Targets) -> Vec<Check> {
    let mut all = shared_checks(d, t);
    all.extend([
        check("exec", json!({})),
        check("spawn", json!({})),
        check("execFile", json!({})),
        check("read_handler", json!({})),
    ]);
    all
}

/// What each check gives under `mode`.
fn expect(d: &Dirs, t: &Targets, mode: Mode, check: &Check) -> Expect {
    let block = mode == Mode::Block;
    let refused = |errno: &'static str| if block { errno } else { "ok" };
    // In block mode the Node shim refuses tmp and child-process calls (EPERM) before libuv's C
    // call; in alert mode it stays silent and the preload library reports. Outbound and
    // read_handler are the library's alone.
    let shim = if block { "node_preload" } else { "ld_preload" };
    let outbound = |details| ExpectedAlert::new("outbound_connectivity", "ld_preload", details);
    let tmp = |details| ExpectedAlert::new("read_write_tmp", shim, details);
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
            refused("EPERM"),
            tmp(json!({"path": path(d, "new.txt"), "operation": "create"})),
        ),
        "tmp_write" => one(
            refused("EPERM"),
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
        // `argv[0]` is `sh` for the shim and `/bin/sh` for libuv's exec: compared by name.
        "exec" => one(
            refused("EPERM"),
            ExpectedAlert {
                argv_tail: Some(("sh", vec!["-c", "exit 0"])),
                ..ExpectedAlert::new("create_child_process", shim, json!({"path": "/bin/sh"}))
            },
        ),
        "spawn" => one(
            refused("EPERM"),
            ExpectedAlert::new(
                "create_child_process",
                shim,
                json!({"path": "/usr/bin/true", "argv": ["true"]}),
            ),
        ),
        "execFile" => one(
            refused("EPERM"),
            ExpectedAlert::new(
                "create_child_process",
                shim,
                json!({"path": "/bin/true", "argv": ["/bin/true"]}),
            ),
        ),
        "read_handler" => one(
            refused("EACCES"),
            ExpectedAlert::new(
                "read_handler",
                "ld_preload",
                json!({"path": d.task.join("handler.js").to_str().unwrap()}),
            ),
        ),
        other => panic!("no expectation for {other}"),
    }
}

/// One runtime process for (`config`, `mode`) serving every check; asserts the whole matrix,
/// the init line, what reached the loopback targets and the files left in the tmp root.
fn run(config: Config, mode: Mode) {
    let (node, entry) = node();
    let d = dirs("node/handler.js");
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
    let command = [node, entry, "handler.handler".into()];
    let tag = format!("node-{config:?}-{}", mode.as_str());
    let r = run_runtime(
        config,
        mode,
        &d,
        &t,
        &Launch::Wrapper(&command),
        &tag,
        &checks,
    );
    assert_init(&r, config, mode);
    assert_matrix(&r, mode, &checks, |c| expect(&d, &t, mode, c));
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
}

/// Full kernel (Landlock and seccomp here): in block mode the in-process layer refuses every
/// violation first (EPERM/EACCES, one alert each, mechanism `node_preload` for tmp and child
/// processes, `ld_preload` for outbound and read_handler); in alert mode every call succeeds
/// with one `allowed` alert. Importing the handler is not an alert; every response reaches
/// the Runtime API.
#[test]
fn node_full_kernel() {
    run(Config::Full, Mode::Block);
    run(Config::Full, Mode::Alert);
}

/// Without Landlock (`faasguard-shield-sim --no-landlock`): the init line reports Landlock as
/// unavailable and the in-process layer gives the same outcomes and alerts as on the full
/// kernel.
#[test]
fn node_no_landlock() {
    run(Config::NoLandlock, Mode::Block);
    run(Config::NoLandlock, Mode::Alert);
}

/// Lambda-like (`faasguard-shield-sim --lambda`: prctl, Landlock and seccomp refused): the init
/// line reports both kernel pieces missing, and the in-process layer alone still refuses (block)
/// or reports (alert) every violation, with the Lambda trace id in each alert.
#[test]
fn node_lambda_like() {
    run(Config::Lambda, Mode::Block);
    run(Config::Lambda, Mode::Alert);
}
