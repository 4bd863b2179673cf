//! `faasguard-shield-sim --no-landlock|--lambda|--full [--] <command> [args…]`: a **test tool**,
//! not shipped in the layer. It installs an outer seccomp filter that takes away kernel
//! features, then execs its arguments, so the shield's tests can run under the capabilities of
//! other kernels without leaving this machine:
//!
//! - `--full`: no filter (the machine's own kernel);
//! - `--no-landlock`: the `landlock_*` system calls fail with `ENOSYS` (a kernel before 5.13);
//! - `--lambda`: the AWS Lambda sandbox as described in the study (shared/notes/shield.md §3):
//!   `landlock_*` → `ENOSYS`, every `prctl` → `EPERM`, `seccomp(SECCOMP_SET_MODE_FILTER)` →
//!   `EPERM` (so `prctl(PR_SET_SECCOMP)` is refused too).
//!
//! When it can (as root), the filter is installed without setting no-new-privs, so the command
//! starts with `NoNewPrivs: 0`, as a Lambda function presumably does. On error it prints a
//! message and exits 70 (`EX_SOFTWARE`) or, when the command cannot be run, 127.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io::Write;
use std::os::unix::process::CommandExt;

use seccompiler::{
    BpfProgram, SeccompAction, SeccompCmpArgLen, SeccompCmpOp, SeccompCondition, SeccompFilter,
    SeccompRule, TargetArch,
};

const USAGE: &str =
    "usage: faasguard-shield-sim --full|--no-landlock|--lambda [--] <command> [args...]";

fn fail(msg: &str, code: i32) -> ! {
    let _ = std::io::stderr()
        .lock()
        .write_all(format!("faasguard-shield-sim: {msg}\n").as_bytes());
    std::process::exit(code);
}

fn filter(
    rules: BTreeMap<i64, Vec<SeccompRule>>,
    errno: i32,
) -> Result<BpfProgram, seccompiler::BackendError> {
    let arch = TargetArch::try_from(std::env::consts::ARCH)?;
    let errno = u32::try_from(errno).unwrap_or(1);
    BpfProgram::try_from(SeccompFilter::new(
        rules,
        SeccompAction::Allow,
        SeccompAction::Errno(errno),
        arch,
    )?)
}

/// Installs `prog`: first without no-new-privs (works with `CAP_SYS_ADMIN`), else with it.
#[allow(
    unsafe_code,
    reason = "seccomp(2) has no libc wrapper; the program outlives the call"
)]
fn install(prog: &BpfProgram) -> Result<(), String> {
    let fprog = libc::sock_fprog {
        len: u16::try_from(prog.len()).map_err(|_| "filter too long".to_owned())?,
        filter: prog.as_ptr().cast::<libc::sock_filter>().cast_mut(),
    };
    // SAFETY: `fprog` points at `prog`, a live array of `len` BPF instructions with the same
    // layout as `libc::sock_filter`; the kernel copies it.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_seccomp,
            libc::SECCOMP_SET_MODE_FILTER,
            0u32,
            &raw const fprog,
        )
    };
    if rc == 0 {
        return Ok(());
    }
    seccompiler::apply_filter(prog).map_err(|e| e.to_string())
}

fn landlock_rules() -> BTreeMap<i64, Vec<SeccompRule>> {
    [
        libc::SYS_landlock_create_ruleset,
        libc::SYS_landlock_add_rule,
        libc::SYS_landlock_restrict_self,
    ]
    .into_iter()
    .map(|nr| (nr, Vec::new()))
    .collect()
}

fn lambda_rules() -> Result<BTreeMap<i64, Vec<SeccompRule>>, seccompiler::BackendError> {
    let set_filter = SeccompCondition::new(
        0,
        SeccompCmpArgLen::Dword,
        SeccompCmpOp::Eq,
        u64::from(libc::SECCOMP_SET_MODE_FILTER),
    )?;
    Ok([
        (libc::SYS_prctl, Vec::new()),
        (libc::SYS_seccomp, vec![SeccompRule::new(vec![set_filter])?]),
    ]
    .into_iter()
    .collect())
}

fn main() {
    let mut args: Vec<OsString> = std::env::args_os().skip(1).collect();
    if args.is_empty() {
        fail(USAGE, 64);
    }
    let mode = args.remove(0);
    if args.first().is_some_and(|a| a == "--") {
        args.remove(0);
    }
    if args.is_empty() {
        fail(USAGE, 64);
    }
    let result = match mode.to_str() {
        Some("--full") => Ok(()),
        Some("--no-landlock") => filter(landlock_rules(), libc::ENOSYS)
            .map_err(|e| e.to_string())
            .and_then(|p| install(&p)),
        Some("--lambda") => filter(landlock_rules(), libc::ENOSYS)
            .map_err(|e| e.to_string())
            .and_then(|p| install(&p))
            .and_then(|()| {
                // Installed last: it refuses further filters.
                lambda_rules()
                    .and_then(|r| filter(r, libc::EPERM))
                    .map_err(|e| e.to_string())
                    .and_then(|p| install(&p))
            }),
        _ => fail(USAGE, 64),
    };
    if let Err(e) = result {
        fail(&format!("cannot install the outer filter: {e}"), 70);
    }
    let err = std::process::Command::new(&args[0]).args(&args[1..]).exec();
    fail(
        &format!("cannot execute `{}`: {err}", args[0].display()),
        127,
    );
}
