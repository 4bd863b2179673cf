//! `create_child_process`: every public way to run a program — `execve`, `execv`, `execvp`,
//! `execvpe`, `execl`, `execlp`, `execle`, `fexecve`, `execveat`, `posix_spawn`,
//! `posix_spawnp`, `system`, `popen`. glibc implements most of them with internal calls to
//! `__execve`, so hooking `execve` alone would miss them.
//!
//! An exec of a file that cannot run (missing, not executable: what a `PATH` search tries
//! first) is not a violation: nothing starts, and the search's later attempts would otherwise
//! give one alert per directory.

use std::ffi::{c_char, c_int};

use faasguard_shield::{Control, Mode};
use serde_json::{Map, Value};

use super::common::{cbytes, fd_path, resolve_at};
use crate::path::PATH_CAP;
use crate::real::{Real, call_real, set_errno};
use crate::state::{self, Busy, Decision, State};

/// At most this many arguments, of at most this many bytes, go into an alert.
const MAX_ARGS: usize = 16;
const MAX_ARG_BYTES: usize = 256;

type Argv = *const *const c_char;

fn argv_value(argv: Argv) -> Value {
    let mut out = Vec::new();
    if !argv.is_null() {
        for i in 0..MAX_ARGS {
            // SAFETY: argv is a NULL-terminated array of C strings; we stop at the NULL.
            let arg = unsafe { *argv.add(i) };
            let Some(bytes) = cbytes(arg) else {
                break;
            };
            let bytes = &bytes[..bytes.len().min(MAX_ARG_BYTES)];
            out.push(Value::String(String::from_utf8_lossy(bytes).into_owned()));
        }
    }
    Value::Array(out)
}

fn executable(path: &[u8]) -> bool {
    let mut c = path.to_vec();
    c.push(0);
    // SAFETY: `c` is NUL-terminated; access only looks at the path.
    unsafe { libc::access(c.as_ptr().cast(), libc::X_OK) == 0 }
}

/// The program an exec of `file` would run (a `PATH` search when `search` and `file` has no
/// slash), or `None` when none can run.
fn program(file: &[u8], search: bool) -> Option<Vec<u8>> {
    if file.is_empty() {
        return None;
    }
    if !search || file.contains(&b'/') {
        return executable(file).then(|| file.to_vec());
    }
    // SAFETY: getenv with a NUL-terminated name.
    let path = cbytes(unsafe { libc::getenv(c"PATH".as_ptr()) })
        .unwrap_or(b"/bin:/usr/bin")
        .to_vec();
    path.split(|b| *b == b':').find_map(|dir| {
        let mut candidate = if dir.is_empty() {
            b".".to_vec()
        } else {
            dir.to_vec()
        };
        candidate.push(b'/');
        candidate.extend_from_slice(file);
        executable(&candidate).then_some(candidate)
    })
}

fn report(state: &State, path: &[u8], argv: Value) -> Decision {
    let mut details = Map::new();
    details.insert(
        "path".into(),
        Value::String(String::from_utf8_lossy(path).into_owned()),
    );
    details.insert("argv".into(), argv);
    state.violation(Control::CreateChildProcess, details)
}

fn enforced() -> Option<&'static State> {
    state::get().filter(|s| s.mode(Control::CreateChildProcess) != Mode::Allow)
}

/// The decision for running `file` with `argv`.
fn check(file: *const c_char, search: bool, argv: Argv) -> Decision {
    let Some(_busy) = Busy::enter() else {
        return Decision::Pass;
    };
    let Some(state) = enforced() else {
        return Decision::Pass;
    };
    match cbytes(file).and_then(|f| program(f, search)) {
        Some(path) => report(state, &path, argv_value(argv)),
        None => Decision::Pass,
    }
}

/// The decision for `sh -c command` (`system`, `popen`).
fn check_shell(command: *const c_char) -> Decision {
    let Some(_busy) = Busy::enter() else {
        return Decision::Pass;
    };
    let (Some(state), Some(command)) = (enforced(), cbytes(command)) else {
        return Decision::Pass;
    };
    let command = &command[..command.len().min(MAX_ARG_BYTES)];
    let argv = Value::Array(vec![
        Value::from("sh"),
        Value::from("-c"),
        Value::String(String::from_utf8_lossy(command).into_owned()),
    ]);
    report(state, b"/bin/sh", argv)
}

fn enosys() -> c_int {
    set_errno(libc::ENOSYS);
    -1
}

fn eperm() -> c_int {
    set_errno(libc::EPERM);
    -1
}

#[unsafe(no_mangle)]
pub extern "C" fn execve(path: *const c_char, argv: Argv, envp: Argv) -> c_int {
    static REAL: Real = Real::new(c"execve");
    if check(path, false, argv) == Decision::Block {
        return eperm();
    }
    call_real!(
        REAL,
        fn(*const c_char, Argv, Argv) -> c_int,
        (path, argv, envp),
        enosys()
    )
}

#[unsafe(no_mangle)]
pub extern "C" fn execv(path: *const c_char, argv: Argv) -> c_int {
    static REAL: Real = Real::new(c"execv");
    if check(path, false, argv) == Decision::Block {
        return eperm();
    }
    call_real!(
        REAL,
        fn(*const c_char, Argv) -> c_int,
        (path, argv),
        enosys()
    )
}

#[unsafe(no_mangle)]
pub extern "C" fn execvp(file: *const c_char, argv: Argv) -> c_int {
    static REAL: Real = Real::new(c"execvp");
    if check(file, true, argv) == Decision::Block {
        return eperm();
    }
    call_real!(
        REAL,
        fn(*const c_char, Argv) -> c_int,
        (file, argv),
        enosys()
    )
}

#[unsafe(no_mangle)]
pub extern "C" fn execvpe(file: *const c_char, argv: Argv, envp: Argv) -> c_int {
    static REAL: Real = Real::new(c"execvpe");
    if check(file, true, argv) == Decision::Block {
        return eperm();
    }
    call_real!(
        REAL,
        fn(*const c_char, Argv, Argv) -> c_int,
        (file, argv, envp),
        enosys()
    )
}

#[unsafe(no_mangle)]
pub extern "C" fn fexecve(fd: c_int, argv: Argv, envp: Argv) -> c_int {
    static REAL: Real = Real::new(c"fexecve");
    let decision = (|| {
        let _busy = Busy::enter()?;
        let state = enforced()?;
        let mut buf = [0u8; PATH_CAP];
        let n = fd_path(fd, &mut buf)?;
        Some(report(state, &buf[..n], argv_value(argv)))
    })();
    if decision == Some(Decision::Block) {
        return eperm();
    }
    call_real!(
        REAL,
        fn(c_int, Argv, Argv) -> c_int,
        (fd, argv, envp),
        enosys()
    )
}

#[unsafe(no_mangle)]
pub extern "C" fn execveat(
    dirfd: c_int,
    path: *const c_char,
    argv: Argv,
    envp: Argv,
    flags: c_int,
) -> c_int {
    static REAL: Real = Real::new(c"execveat");
    let decision = (|| {
        let _busy = Busy::enter()?;
        let state = enforced()?;
        let raw = cbytes(path)?;
        if raw.is_empty() {
            let mut buf = [0u8; PATH_CAP];
            let n = fd_path(dirfd, &mut buf)?;
            return Some(report(state, &buf[..n], argv_value(argv)));
        }
        // SAFETY: faccessat only looks at the NUL-terminated path.
        if unsafe { libc::faccessat(dirfd, path, libc::X_OK, 0) } != 0 {
            return None;
        }
        let abs = resolve_at(dirfd, raw)?;
        Some(report(state, abs.as_bytes(), argv_value(argv)))
    })();
    if decision == Some(Decision::Block) {
        return eperm();
    }
    // glibc before 2.34 has no wrapper: then the system call itself.
    call_real!(
        REAL,
        fn(c_int, *const c_char, Argv, Argv, c_int) -> c_int,
        (dirfd, path, argv, envp, flags),
        {
            // SAFETY: the caller's arguments, passed on unchanged.
            let r = unsafe { libc::syscall(libc::SYS_execveat, dirfd, path, argv, envp, flags) };
            c_int::try_from(r).unwrap_or(-1)
        }
    )
}

#[unsafe(no_mangle)]
pub extern "C" fn posix_spawn(
    pid: *mut libc::pid_t,
    path: *const c_char,
    actions: *const libc::posix_spawn_file_actions_t,
    attr: *const libc::posix_spawnattr_t,
    argv: Argv,
    envp: Argv,
) -> c_int {
    static REAL: Real = Real::new(c"posix_spawn");
    if check(path, false, argv) == Decision::Block {
        return libc::EPERM;
    }
    call_real!(
        REAL,
        fn(
            *mut libc::pid_t,
            *const c_char,
            *const libc::posix_spawn_file_actions_t,
            *const libc::posix_spawnattr_t,
            Argv,
            Argv,
        ) -> c_int,
        (pid, path, actions, attr, argv, envp),
        libc::ENOSYS
    )
}

#[unsafe(no_mangle)]
pub extern "C" fn posix_spawnp(
    pid: *mut libc::pid_t,
    file: *const c_char,
    actions: *const libc::posix_spawn_file_actions_t,
    attr: *const libc::posix_spawnattr_t,
    argv: Argv,
    envp: Argv,
) -> c_int {
    static REAL: Real = Real::new(c"posix_spawnp");
    if check(file, true, argv) == Decision::Block {
        return libc::EPERM;
    }
    call_real!(
        REAL,
        fn(
            *mut libc::pid_t,
            *const c_char,
            *const libc::posix_spawn_file_actions_t,
            *const libc::posix_spawnattr_t,
            Argv,
            Argv,
        ) -> c_int,
        (pid, file, actions, attr, argv, envp),
        libc::ENOSYS
    )
}

#[unsafe(no_mangle)]
pub extern "C" fn system(command: *const c_char) -> c_int {
    static REAL: Real = Real::new(c"system");
    if check_shell(command) == Decision::Block {
        return eperm();
    }
    call_real!(REAL, fn(*const c_char) -> c_int, (command), enosys())
}

#[unsafe(no_mangle)]
pub extern "C" fn popen(command: *const c_char, kind: *const c_char) -> *mut libc::FILE {
    static REAL: Real = Real::new(c"popen");
    if check_shell(command) == Decision::Block {
        set_errno(libc::EPERM);
        return std::ptr::null_mut();
    }
    call_real!(
        REAL,
        fn(*const c_char, *const c_char) -> *mut libc::FILE,
        (command, kind),
        {
            set_errno(libc::ENOSYS);
            std::ptr::null_mut()
        }
    )
}

/// Which variadic exec is being collected.
const EXECL: usize = 0;
const EXECLP: usize = 1;
const EXECLE: usize = 2;

/// Most arguments collected from a variadic exec call.
const MAX_VARARGS: usize = 1 << 16;

/// The second half of `execl`, `execlp` and `execle`: the assembly entry points below store
/// the register arguments in `regs` (`nregs` of them, after `path`) and point `stack` at the
/// caller's stack arguments, which is where the System V (x86-64) and AAPCS64 (Linux) calling
/// conventions put the rest of a variadic pointer list. Collects `arg0, …, NULL` (then `envp`
/// for `execle`) and calls the matching vector hook, which does the check.
unsafe extern "C" fn execl_collect(
    path: *const c_char,
    regs: *const *const c_char,
    nregs: usize,
    stack: *const *const c_char,
    kind: usize,
) -> c_int {
    // SAFETY: index < nregs reads the saved registers; beyond that, the caller's stack
    // arguments, which a well-formed call ends with a NULL (and envp for execle).
    let arg = |i: usize| unsafe {
        if i < nregs {
            *regs.add(i)
        } else {
            *stack.add(i - nregs)
        }
    };
    let mut argv: Vec<*const c_char> = Vec::with_capacity(16);
    let mut i = 0;
    loop {
        let a = arg(i);
        argv.push(a);
        i += 1;
        if a.is_null() || i >= MAX_VARARGS {
            break;
        }
    }
    if argv.last().is_some_and(|a| !a.is_null()) {
        argv.push(std::ptr::null());
    }
    match kind {
        EXECLP => execvp(path, argv.as_ptr()),
        EXECLE => execve(path, argv.as_ptr(), arg(i).cast()),
        _ => {
            // execl runs with the current environment.
            // SAFETY: reading the process's environ pointer.
            let env = unsafe { environ };
            execve(path, argv.as_ptr(), env)
        }
    }
}

unsafe extern "C" {
    static environ: *const *const c_char;
}

macro_rules! variadic_exec {
    ($name:ident, $kind:expr) => {
        #[cfg(target_arch = "x86_64")]
        #[unsafe(no_mangle)]
        #[unsafe(naked)]
        pub extern "C" fn $name() -> c_int {
            // rdi = path; rsi, rdx, rcx, r8, r9 = the first five list items; the rest are on
            // the caller's stack above the return address.
            core::arch::naked_asm!(
                "push rbp",
                "mov rbp, rsp",
                "sub rsp, 48",
                "mov [rsp], rsi",
                "mov [rsp + 8], rdx",
                "mov [rsp + 16], rcx",
                "mov [rsp + 24], r8",
                "mov [rsp + 32], r9",
                "mov rsi, rsp",
                "mov edx, 5",
                "lea rcx, [rbp + 16]",
                "mov r8d, {kind}",
                "call {collect}",
                "leave",
                "ret",
                kind = const $kind,
                collect = sym execl_collect,
            )
        }

        #[cfg(target_arch = "aarch64")]
        #[unsafe(no_mangle)]
        #[unsafe(naked)]
        pub extern "C" fn $name() -> c_int {
            // x0 = path; x1..x7 = the first seven list items; the rest on the caller's stack.
            core::arch::naked_asm!(
                "stp x29, x30, [sp, #-80]!",
                "mov x29, sp",
                "stp x1, x2, [sp, #16]",
                "stp x3, x4, [sp, #32]",
                "stp x5, x6, [sp, #48]",
                "str x7, [sp, #64]",
                "add x1, sp, #16",
                "mov x2, #7",
                "add x3, sp, #80",
                "mov x4, #{kind}",
                "bl {collect}",
                "ldp x29, x30, [sp], #80",
                "ret",
                kind = const $kind,
                collect = sym execl_collect,
            )
        }
    };
}

variadic_exec!(execl, EXECL);
variadic_exec!(execlp, EXECLP);
variadic_exec!(execle, EXECLE);
