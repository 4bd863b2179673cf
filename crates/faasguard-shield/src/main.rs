//! `faasguard-shield <command> [args…]`: the exec wrapper (`AWS_LAMBDA_EXEC_WRAPPER`).
//!
//! Reads the policy, probes the kernel, sets up the in-process layer in the runtime's
//! environment and, where the kernel allows it, Landlock and a seccomp filter; prints one `init`
//! line and execs the command exactly as given. It never leaves the runtime unstarted, except
//! under `FAASGUARD_SHIELD_REQUIRE=kernel` with the kernel layer missing, or with no command
//! (exit 78). `faasguard-shield --probe` prints the capability probe as JSON. The contract is
//! docs/shield.md.

use std::ffi::OsString;
use std::io::Write;
use std::time::{Instant, SystemTime};

use faasguard_shield::alert::{error_line, rfc3339_millis};
use faasguard_shield::kernel::{self, Plan, SeccompRules};
use faasguard_shield::notify::{self, Forked, NotifyRules, Supervisor};
use faasguard_shield::policy::{Effective, Environment, Policy, Require};
use faasguard_shield::probe::Probe;
use faasguard_shield::wrapper::{self, ExecBuffer, InitReport};

/// `EX_CONFIG`: no command, or the kernel layer required and missing.
const EXIT_CONFIG: i32 = 78;
/// The command could not be executed.
const EXIT_EXEC: i32 = 127;

/// One line to stderr with a single write (lines stay whole in CloudWatch).
fn emit(line: &str) {
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
}

fn error(text: &str) {
    emit(&error_line(text, SystemTime::now()));
}

#[allow(
    unsafe_code,
    reason = "dup(2) of stderr: a new descriptor without close-on-exec for the runtime"
)]
fn dup_stderr() -> Result<i32, std::io::Error> {
    // SAFETY: dup has no memory effects; the new fd is intentionally left open for the runtime.
    let fd = unsafe { libc::dup(2) };
    if fd < 0 {
        Err(std::io::Error::last_os_error())
    } else {
        Ok(fd)
    }
}

/// Applies Landlock, then the seccomp filter (last: it refuses any exec but the one through
/// `exec_buf`). Returns the Landlock rule kinds and seccomp rules in force, and whether a part
/// the plan wanted failed; failures are added to `degraded`.
fn apply_kernel(
    plan: &Plan,
    exec_buf: &ExecBuffer,
    degraded: &mut Vec<String>,
) -> (Vec<&'static str>, SeccompRules, bool) {
    let mut failed = false;
    let landlock = kernel::apply_landlock(plan).unwrap_or_else(|e| {
        degraded.push(e);
        failed = true;
        Vec::new()
    });
    let mut seccomp = SeccompRules::default();
    if plan.seccomp.any() {
        match kernel::seccomp_program(plan.seccomp, exec_buf.address())
            .map_err(|e| format!("seccomp: {e}"))
            .and_then(|prog| kernel::apply_seccomp(&prog))
        {
            Ok(()) => seccomp = plan.seccomp,
            Err(e) => {
                degraded.push(e);
                failed = true;
            }
        }
    }
    (landlock, seccomp, failed)
}

/// Kernel-level alert mode (`FAASGUARD_SHIELD_KERNEL_ALERT`): forks the supervisor when the
/// policy asks for it and the kernel allows it. Returns the supervisor (parent) and the rules it
/// watches; in the child, waits for the parent's go and returns `(None, None)` with `is_child`
/// set, and the caller execs the runtime. Any failure is a `degraded` entry and the wrapper goes
/// on without it.
fn start_notify(
    effective: &Effective,
    probe: &Probe,
    exec_buf: &ExecBuffer,
    degraded: &mut Vec<String>,
    is_child: &mut bool,
) -> (Option<Supervisor>, Option<NotifyRules>) {
    let rules = NotifyRules::wanted(effective);
    if !rules.any() {
        return (None, None);
    }
    if let Some(reason) = notify::unavailable(probe) {
        degraded.push(reason);
        return (None, None);
    }
    let forked = notify::program(rules, exec_buf.address())
        .map_err(|e| format!("seccomp_notify: {e}"))
        .and_then(|prog| notify::fork(&prog));
    match forked {
        Ok(Forked::Supervisor(sup)) => (Some(sup), Some(rules)),
        Ok(Forked::Child(gate)) => {
            gate.wait();
            *is_child = true;
            (None, None)
        }
        Err(e) => {
            degraded.push(e);
            (None, None)
        }
    }
}

/// Prints the `init` line; under `REQUIRE=kernel` with the kernel layer missing prints the
/// error and exits 78; with a supervisor, lets the child go and supervises it until it exits
/// (never returns then).
fn report_and_supervise(
    report: &InitReport<'_>,
    notify_rules: Option<NotifyRules>,
    supervisor: Option<Supervisor>,
    refuse: bool,
) {
    emit(&notify::augment_init(&report.to_line(), notify_rules));
    if refuse {
        error(&require_message(report.degraded, report.probe));
        std::process::exit(EXIT_CONFIG);
    }
    if let Some(sup) = supervisor {
        std::process::exit(sup.run(report.effective));
    }
}

/// The `error` text when `FAASGUARD_SHIELD_REQUIRE=kernel` cannot be met.
fn require_message(degraded: &[String], probe: &Probe) -> String {
    let mut reasons: Vec<String> = degraded
        .iter()
        .filter(|d| d.starts_with("landlock") || d.starts_with("seccomp"))
        .cloned()
        .collect();
    if probe.landlock_abi < 1 && !reasons.iter().any(|d| d.starts_with("landlock")) {
        reasons.push("landlock: not available".to_owned());
    }
    if !probe.seccomp_filter && !reasons.iter().any(|d| d.starts_with("seccomp")) {
        reasons.push("seccomp: filter install refused".to_owned());
    }
    format!(
        "FAASGUARD_SHIELD_REQUIRE=kernel but the kernel layer is unavailable: {}",
        reasons.join("; ")
    )
}

fn main() {
    let start = Instant::now();
    let mut args: Vec<OsString> = std::env::args_os().skip(1).collect();
    match args.first().and_then(|a| a.to_str()) {
        Some("--probe") => {
            let mut text = Probe::run().to_json();
            text.push('\n');
            let _ = std::io::stdout().lock().write_all(text.as_bytes());
            std::process::exit(0);
        }
        Some("--") => {
            args.remove(0);
        }
        _ => {}
    }
    if args.is_empty() {
        error("no command to run: usage: faasguard-shield <command> [args...]");
        std::process::exit(EXIT_CONFIG);
    }

    let policy = Policy::from_env(|k| std::env::var(k).ok()).unwrap_or_else(|e| {
        error(&format!(
            "bad policy, running with every control in alert mode: {e}"
        ));
        Policy::alert_everything()
    });
    let effective = Effective::resolve(policy, &Environment::current());
    let probe = Probe::run();

    // The in-process layer.
    let exe = std::env::current_exe().ok();
    let root = wrapper::layer_root(std::env::var_os(wrapper::ROOT_VAR), exe.as_deref());
    let (files, mut degraded) = wrapper::find_layer(root.as_deref());
    let log_fd = match dup_stderr() {
        Ok(fd) => Some(fd),
        Err(e) => {
            degraded.push(format!("log fd: dup of stderr failed: {e}"));
            None
        }
    };
    let changes = wrapper::layer_env(|k| std::env::var_os(k), &files, &effective, log_fd);
    let envp = wrapper::environment(std::env::vars_os(), &changes);
    let argv = match wrapper::c_argv(&args) {
        Ok(a) => a,
        Err(e) => {
            error(&format!("cannot run `{}`: {e}", args[0].display()));
            std::process::exit(EXIT_EXEC);
        }
    };
    let path_var = std::env::var_os("PATH");
    let mut exec_buf = ExecBuffer::default();

    // The kernel layer.
    let runtime_api = std::env::var("AWS_LAMBDA_RUNTIME_API").ok();
    let plan = Plan::new(&effective, &probe, runtime_api.as_deref());
    degraded.extend(plan.degraded.iter().cloned());
    let (landlock, seccomp, kernel_failed) = apply_kernel(&plan, &exec_buf, &mut degraded);
    let kernel_missing =
        plan.unavailable || probe.landlock_abi < 1 || !probe.seccomp_filter || kernel_failed;
    let refuse = effective.policy.require == Require::Kernel && kernel_missing;

    // Kernel-level alert mode: the child comes back here with the filter installed and execs.
    let mut is_child = false;
    let (supervisor, notify_rules) = if refuse {
        (None, None)
    } else {
        start_notify(&effective, &probe, &exec_buf, &mut degraded, &mut is_child)
    };
    if !is_child {
        report_and_supervise(
            &InitReport {
                effective: &effective,
                files: &files,
                probe: &probe,
                landlock: &landlock,
                seccomp,
                degraded: &degraded,
                setup_us: start.elapsed().as_micros(),
                ts: rfc3339_millis(SystemTime::now()),
            },
            notify_rules,
            supervisor,
            refuse,
        );
    }

    let err = exec_buf.execvp(&args[0], &argv, &envp, path_var.as_deref());
    let errno = err.raw_os_error().unwrap_or(0);
    error(&format!(
        "cannot execute `{}`: {} (errno {errno})",
        args[0].display(),
        err.to_string()
            .split(" (os error")
            .next()
            .unwrap_or_default()
    ));
    std::process::exit(EXIT_EXEC);
}
