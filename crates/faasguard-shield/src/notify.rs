//! Kernel-level `alert` mode: a seccomp user-notification supervisor (opt-in,
//! `FAASGUARD_SHIELD_KERNEL_ALERT=true` or the policy file's `kernel_alert: true`).
//!
//! The wrapper forks. The **child** installs a seccomp filter whose action for the watched
//! system calls is `SECCOMP_RET_USER_NOTIF` (`SECCOMP_FILTER_FLAG_NEW_LISTENER`), hands the
//! listener to the parent over a socketpair (`SCM_RIGHTS`) and, once the parent says go, execs
//! the runtime exactly as the wrapper does without this feature. The **parent** becomes the
//! supervisor: for every notification it reads the call's arguments from the target
//! (`process_vm_readv`, `/proc/<pid>/cwd`, `/proc/<pid>/fd/<n>`), checks that the notification
//! is still valid, writes one alert line (mechanism `seccomp`) through a [`RateLimiter`] and
//! answers `SECCOMP_USER_NOTIF_FLAG_CONTINUE`: the call always goes through. This is an alerting
//! tool, not enforcement (the kernel rereads the arguments after the answer, so a second thread
//! can change them: the uapi header says the notifier "cannot be used to implement a security
//! policy"); `block` stays on Landlock and the `EPERM` filter.
//!
//! Watched, only for the controls in `alert` mode:
//! - `outbound_connectivity`: `connect`, `sendto` with a destination or `MSG_FASTOPEN`,
//!   `sendmsg`, `sendmmsg` (IPv4/IPv6 destinations the policy does not allow);
//! - `read_write_tmp`: `open`/`openat` with `O_WRONLY|O_RDWR|O_CREAT|O_TRUNC` (the filter tests
//!   the flags register), `openat2` (always: its flags are in memory), `creat`, `mkdir*`,
//!   `unlink*`, `rmdir`, `rename*`, `link*`, `symlink*`, `truncate`, reported when a path is
//!   under a tmp root;
//! - `create_child_process`: `execve` (except the wrapper's own, through its exec buffer) and
//!   `execveat`, reported when the program exists and is executable (a `PATH` search gives one
//!   line, not one per directory).
//!
//! The supervisor forwards `SIGTERM`, `SIGINT`, `SIGHUP`, `SIGQUIT`, `SIGUSR1` and `SIGUSR2` to
//! the child and exits with the child's status (`128 + signal` when it was killed). The child
//! has `PR_SET_PDEATHSIG` = `SIGKILL`: if the supervisor dies, the runtime dies with it instead
//! of running on with a filter nobody answers. If the supervisor stops reading notifications
//! (it gives up after repeated `SECCOMP_IOCTL_NOTIF_RECV` failures), it closes the listener:
//! from then on the watched calls fail with `ENOSYS` in the runtime (and its children) rather
//! than hang; an `error` line says so.

#![allow(
    unsafe_code,
    reason = "seccomp(2), its ioctls, fork, SCM_RIGHTS, signalfd and process_vm_readv have no \
              safe wrapper; each block states why it is sound"
)]

use std::collections::BTreeMap;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::path::{Component, Path, PathBuf};
use std::time::{Duration, SystemTime};

use seccompiler::{
    BpfProgram, SeccompAction, SeccompCmpArgLen, SeccompCmpOp, SeccompFilter, SeccompRule,
    TargetArch,
};
use serde_json::{Map, Value};

use crate::alert::{Action, Alert, Mechanism, RateLimiter, Verdict, error_line, suppressed_line};
use crate::kernel::{X32_SYSCALL_BIT, cond, errno_text, numbers, rule};
use crate::policy::{Control, Effective, Mode};
use crate::probe::Probe;

/// The variable that switches kernel-level alert mode on.
pub const KERNEL_ALERT_VAR: &str = "FAASGUARD_SHIELD_KERNEL_ALERT";

/// At most this many `argv` entries of at most this many bytes are read for an exec alert.
pub const MAX_ARGS: usize = 16;
/// See [`MAX_ARGS`].
pub const MAX_ARG_BYTES: usize = 256;
/// Longest path read from the target.
const MAX_PATH_BYTES: usize = 4096;
/// `sendmmsg` entries inspected per call.
const MAX_MMSG: usize = 8;
/// How long the wrapper waits for the child's listener before going on without it.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(5);
/// Consecutive `SECCOMP_IOCTL_NOTIF_RECV` failures after which the supervisor gives up.
const MAX_RECV_FAILURES: u32 = 16;

/// The signals the supervisor forwards to the child.
pub const FORWARDED_SIGNALS: [libc::c_int; 6] = [
    libc::SIGTERM,
    libc::SIGINT,
    libc::SIGHUP,
    libc::SIGQUIT,
    libc::SIGUSR1,
    libc::SIGUSR2,
];

/// Which controls the supervisor watches.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NotifyRules {
    /// `outbound_connectivity` is `alert`: connects and sends with a destination.
    pub outbound: bool,
    /// `read_write_tmp` is `alert`: write-opens and path changes.
    pub tmp: bool,
    /// `create_child_process` is `alert`: exec.
    pub exec: bool,
}

impl NotifyRules {
    /// What the policy asks for: nothing unless `kernel_alert` is on; then the controls in
    /// `alert` mode (`read_handler` is not watched: it would mean every read-open).
    pub fn wanted(effective: &Effective) -> NotifyRules {
        if !effective.policy.kernel_alert {
            return NotifyRules::default();
        }
        let modes = &effective.policy.policy;
        NotifyRules {
            outbound: modes.get(Control::OutboundConnectivity) == Mode::Alert,
            tmp: modes.get(Control::ReadWriteTmp) == Mode::Alert,
            exec: modes.get(Control::CreateChildProcess) == Mode::Alert,
        }
    }

    pub fn any(self) -> bool {
        self.outbound || self.tmp || self.exec
    }

    /// The rule names, as the `init` line lists them under `kernel_rules.seccomp_notify`.
    pub fn names(self) -> Vec<&'static str> {
        crate::kernel::flag_names(&[
            (self.outbound, "outbound"),
            (self.tmp, "tmp_write"),
            (self.exec, "exec"),
        ])
    }
}

/// Why the supervisor cannot run here (a `degraded` reason), or `None` when the probe says it
/// can.
pub fn unavailable(probe: &Probe) -> Option<String> {
    if !probe.user_notif {
        Some("seccomp_notify: SECCOMP_RET_USER_NOTIF not available (needs Linux 5.5)".to_owned())
    } else if !probe.seccomp_filter {
        Some(format!(
            "seccomp_notify: filter install refused ({})",
            errno_text(probe.seccomp_filter_errno)
        ))
    } else {
        None
    }
}

/// Adds `layers.seccomp_notify` and `kernel_rules.seccomp_notify` to an `init` line (with its
/// newline); `active` is the rules the supervisor watches, `None` when it is not running.
pub fn augment_init(line: &str, active: Option<NotifyRules>) -> String {
    let Ok(mut value) = serde_json::from_str::<Value>(line) else {
        return line.to_owned();
    };
    if let Some(layers) = value.get_mut("layers").and_then(Value::as_object_mut) {
        layers.insert("seccomp_notify".into(), Value::Bool(active.is_some()));
    }
    if let Some(rules) = value.get_mut("kernel_rules").and_then(Value::as_object_mut) {
        let names = active.map(NotifyRules::names).unwrap_or_default();
        rules.insert("seccomp_notify".into(), Value::from(names));
    }
    let mut out = value.to_string();
    out.push('\n');
    out
}

/// The errno the seccompiler filter returns for a watched call before [`program`] turns it
/// into `SECCOMP_RET_USER_NOTIF` (seccompiler has no user-notification action).
const MARK_ERRNO: u32 = 0x0f5a;

/// The notifying filter: `SECCOMP_RET_USER_NOTIF` for the watched calls, everything else
/// allowed. `exec_path` is the wrapper's exec buffer (its own `execve` is not reported).
pub fn program(rules: NotifyRules, exec_path: u64) -> Result<BpfProgram, String> {
    use SeccompCmpArgLen::{Dword, Qword};
    use SeccompCmpOp::{MaskedEq, Ne};
    let arch = TargetArch::try_from(std::env::consts::ARCH).map_err(|e| e.to_string())?;
    let mut map: BTreeMap<i64, Vec<SeccompRule>> = BTreeMap::new();
    let mut always = |nr: libc::c_long, x32: i64| {
        for n in numbers(nr, Some(x32)) {
            map.insert(n, Vec::new());
        }
    };
    if rules.tmp {
        always(libc::SYS_openat2, 437);
        always(libc::SYS_mkdirat, 258);
        always(libc::SYS_unlinkat, 263);
        always(libc::SYS_renameat, 264);
        always(libc::SYS_renameat2, 316);
        always(libc::SYS_linkat, 265);
        always(libc::SYS_symlinkat, 266);
        always(libc::SYS_truncate, 76);
        #[cfg(target_arch = "x86_64")]
        {
            always(libc::SYS_creat, 85);
            always(libc::SYS_mkdir, 83);
            always(libc::SYS_unlink, 87);
            always(libc::SYS_rmdir, 84);
            always(libc::SYS_rename, 82);
            always(libc::SYS_link, 86);
            always(libc::SYS_symlink, 88);
        }
    }
    if rules.outbound {
        always(libc::SYS_connect, 42);
        always(libc::SYS_sendmsg, 518);
        always(libc::SYS_sendmmsg, 538);
    }
    if rules.exec {
        always(libc::SYS_execveat, 545);
    }
    if rules.tmp {
        let write_flags = |arg: u8| -> Result<Vec<SeccompRule>, String> {
            [libc::O_WRONLY, libc::O_RDWR, libc::O_CREAT, libc::O_TRUNC]
                .into_iter()
                .map(|f| {
                    let f = u64::try_from(f).unwrap_or(0);
                    rule(vec![cond(arg, Dword, MaskedEq(f), f)?])
                })
                .collect()
        };
        for n in numbers(libc::SYS_openat, Some(257)) {
            map.insert(n, write_flags(2)?);
        }
        #[cfg(target_arch = "x86_64")]
        for n in numbers(libc::SYS_open, Some(2)) {
            map.insert(n, write_flags(1)?);
        }
    }
    if rules.outbound {
        let fastopen = u64::try_from(libc::MSG_FASTOPEN).unwrap_or(0x2000_0000);
        for n in numbers(libc::SYS_sendto, Some(44)) {
            map.insert(
                n,
                vec![
                    rule(vec![cond(4, Qword, Ne, 0)?])?,
                    rule(vec![cond(3, Dword, MaskedEq(fastopen), fastopen)?])?,
                ],
            );
        }
    }
    if rules.exec {
        for n in numbers(libc::SYS_execve, Some(520)) {
            map.insert(n, vec![rule(vec![cond(0, Qword, Ne, exec_path)?])?]);
        }
    }
    let filter = SeccompFilter::new(
        map,
        SeccompAction::Allow,
        SeccompAction::Errno(MARK_ERRNO),
        arch,
    )
    .map_err(|e| e.to_string())?;
    let mut prog = BpfProgram::try_from(filter).map_err(|e| e.to_string())?;
    let ret = u16::try_from(libc::BPF_RET | libc::BPF_K).unwrap_or(6);
    let marked = libc::SECCOMP_RET_ERRNO | MARK_ERRNO;
    for ins in &mut prog {
        if ins.code == ret && ins.k == marked {
            ins.k = libc::SECCOMP_RET_USER_NOTIF;
        }
    }
    Ok(prog)
}

// ---------------------------------------------------------------------------------------------
// Fork and hand-off.

/// What [`fork`] returned in this process.
#[derive(Debug)]
pub enum Forked {
    /// The child: the filter is installed and the listener is with the parent. Call
    /// [`ChildGate::wait`], then exec the runtime.
    Child(ChildGate),
    /// The parent: print the `init` line, then [`Supervisor::release`] and [`Supervisor::run`].
    Supervisor(Supervisor),
}

/// The child's end of the hand-off socket.
#[derive(Debug)]
pub struct ChildGate {
    sock: OwnedFd,
}

impl ChildGate {
    /// Waits for the parent's go; exits (without running anything) if the parent says no or
    /// is gone.
    pub fn wait(self) {
        let mut byte = [0u8; 1];
        loop {
            // SAFETY: reading one byte into a live buffer from our own socket.
            let n = unsafe { libc::read(self.sock.as_raw_fd(), byte.as_mut_ptr().cast(), 1) };
            if n < 0 && io::Error::last_os_error().kind() == io::ErrorKind::Interrupted {
                continue;
            }
            if n == 1 && byte[0] == 1 {
                return;
            }
            // SAFETY: _exit ends the process without running anything else.
            unsafe { libc::_exit(0) };
        }
    }
}

/// The supervisor's state (the parent after a successful hand-off).
#[derive(Debug)]
pub struct Supervisor {
    child: libc::pid_t,
    listener: Option<OwnedFd>,
    sock: Option<OwnedFd>,
    sigfd: OwnedFd,
}

fn signal_set(signals: &[libc::c_int]) -> libc::sigset_t {
    // SAFETY: sigset_t is plain data; sigemptyset initialises it before use.
    let mut set: libc::sigset_t = unsafe { std::mem::zeroed() };
    // SAFETY: `set` is a valid sigset_t for both calls.
    unsafe {
        libc::sigemptyset(&raw mut set);
        for s in signals {
            libc::sigaddset(&raw mut set, *s);
        }
    }
    set
}

fn set_mask(how: libc::c_int, set: &libc::sigset_t) -> libc::sigset_t {
    // SAFETY: see signal_set.
    let mut old: libc::sigset_t = unsafe { std::mem::zeroed() };
    // SAFETY: both pointers are valid sigset_t values for the call.
    unsafe { libc::sigprocmask(how, set, &raw mut old) };
    old
}

fn last_errno() -> i32 {
    io::Error::last_os_error().raw_os_error().unwrap_or(0)
}

/// Sends `status` (0 = the listener follows as `SCM_RIGHTS`, else an errno).
fn send_status(sock: RawFd, status: i32, fd: Option<RawFd>) -> bool {
    let mut payload = status.to_ne_bytes();
    let mut iov = libc::iovec {
        iov_base: payload.as_mut_ptr().cast(),
        iov_len: payload.len(),
    };
    let mut cmsg_buf = [0u64; 8];
    // SAFETY: msghdr is plain data; all-zero is valid and the fields are set below.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = &raw mut iov;
    msg.msg_iovlen = 1;
    if let Some(fd) = fd {
        let fd_len = u32::try_from(std::mem::size_of::<RawFd>()).unwrap_or(4);
        // SAFETY: CMSG_SPACE/CMSG_LEN are pure arithmetic.
        let (space, len) = unsafe { (libc::CMSG_SPACE(fd_len), libc::CMSG_LEN(fd_len)) };
        msg.msg_control = cmsg_buf.as_mut_ptr().cast();
        msg.msg_controllen = usize::try_from(space).unwrap_or(24);
        // SAFETY: the control buffer (64 bytes, 8-aligned) holds one cmsghdr with one int;
        // CMSG_FIRSTHDR/CMSG_DATA point inside it.
        unsafe {
            let cmsg = libc::CMSG_FIRSTHDR(&raw const msg);
            (*cmsg).cmsg_level = libc::SOL_SOCKET;
            (*cmsg).cmsg_type = libc::SCM_RIGHTS;
            (*cmsg).cmsg_len = usize::try_from(len).unwrap_or(20);
            std::ptr::write_unaligned(libc::CMSG_DATA(cmsg).cast::<RawFd>(), fd);
        }
    }
    loop {
        // SAFETY: `msg` points at live buffers for the duration of the call.
        let n = unsafe { libc::sendmsg(sock, &raw const msg, libc::MSG_NOSIGNAL) };
        if n >= 0 {
            return true;
        }
        if io::Error::last_os_error().kind() != io::ErrorKind::Interrupted {
            return false;
        }
    }
}

/// Receives what [`send_status`] sent, waiting at most [`HANDSHAKE_TIMEOUT`].
fn recv_status(sock: RawFd) -> Result<(i32, Option<OwnedFd>), String> {
    let mut pfd = libc::pollfd {
        fd: sock,
        events: libc::POLLIN,
        revents: 0,
    };
    let timeout = i32::try_from(HANDSHAKE_TIMEOUT.as_millis()).unwrap_or(5000);
    loop {
        // SAFETY: one valid pollfd.
        let rc = unsafe { libc::poll(&raw mut pfd, 1, timeout) };
        if rc > 0 {
            break;
        }
        if rc == 0 {
            return Err("the child did not answer in time".to_owned());
        }
        if io::Error::last_os_error().kind() != io::ErrorKind::Interrupted {
            return Err(format!("poll: {}", io::Error::last_os_error()));
        }
    }
    let mut payload = [0u8; 4];
    let mut iov = libc::iovec {
        iov_base: payload.as_mut_ptr().cast(),
        iov_len: payload.len(),
    };
    let mut cmsg_buf = [0u64; 8];
    // SAFETY: msghdr is plain data; all-zero is valid and the fields are set below.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = &raw mut iov;
    msg.msg_iovlen = 1;
    msg.msg_control = cmsg_buf.as_mut_ptr().cast();
    msg.msg_controllen = std::mem::size_of_val(&cmsg_buf);
    let n = loop {
        // SAFETY: `msg` points at live buffers; MSG_CMSG_CLOEXEC marks the received fd.
        let n = unsafe { libc::recvmsg(sock, &raw mut msg, libc::MSG_CMSG_CLOEXEC) };
        if n >= 0 || io::Error::last_os_error().kind() != io::ErrorKind::Interrupted {
            break n;
        }
    };
    if n < 0 {
        return Err(format!("recvmsg: {}", io::Error::last_os_error()));
    }
    // SAFETY: walking the control messages the kernel wrote into `cmsg_buf`.
    let fd = unsafe {
        let mut found = None;
        let mut cmsg = libc::CMSG_FIRSTHDR(&raw const msg);
        while !cmsg.is_null() {
            if (*cmsg).cmsg_level == libc::SOL_SOCKET && (*cmsg).cmsg_type == libc::SCM_RIGHTS {
                let fd = std::ptr::read_unaligned(libc::CMSG_DATA(cmsg).cast::<RawFd>());
                found = Some(OwnedFd::from_raw_fd(fd));
            }
            cmsg = libc::CMSG_NXTHDR(&raw const msg, cmsg);
        }
        found
    };
    if n != 4 {
        return Err("the child closed the hand-off socket".to_owned());
    }
    Ok((i32::from_ne_bytes(payload), fd))
}

/// Installs `prog` with a new listener on the calling thread: first as is (enough with
/// `CAP_SYS_ADMIN`), else after setting no-new-privs. Returns the listener or the errno.
fn install_listener(prog: &BpfProgram) -> Result<RawFd, i32> {
    let fprog = libc::sock_fprog {
        len: u16::try_from(prog.len()).map_err(|_| libc::E2BIG)?,
        filter: prog.as_ptr().cast::<libc::sock_filter>().cast_mut(),
    };
    let install = || {
        // SAFETY: `fprog` points at `prog`, a live array of `len` instructions laid out like
        // `sock_filter`; the kernel copies it. No TSYNC: only this thread is filtered.
        unsafe {
            libc::syscall(
                libc::SYS_seccomp,
                libc::SECCOMP_SET_MODE_FILTER,
                libc::SECCOMP_FILTER_FLAG_NEW_LISTENER,
                &raw const fprog,
            )
        }
    };
    let fd = install();
    if fd >= 0 {
        return RawFd::try_from(fd).map_err(|_| libc::EBADF);
    }
    // SAFETY: prctl with plain integer arguments.
    if unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) } != 0 {
        return Err(last_errno());
    }
    let fd = install();
    if fd >= 0 {
        RawFd::try_from(fd).map_err(|_| libc::EBADF)
    } else {
        Err(last_errno())
    }
}

/// The child's side of [`fork`]: install the filter, hand the listener over, return.
/// Never returns on failure (it reports and exits; the parent runs the runtime itself).
fn child_setup(sock: &OwnedFd, prog: &BpfProgram, parent: libc::pid_t) {
    // SAFETY: plain prctl/getppid calls.
    unsafe {
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0);
        if libc::getppid() != parent {
            libc::_exit(0);
        }
    }
    // The listener goes out with sendmsg, which the filter may watch: a thread started before
    // the install (so it is not filtered) sends it, or the send would wait for a supervisor
    // that does not have the listener yet.
    let raw_sock = sock.as_raw_fd();
    let (tx, rx) = std::sync::mpsc::channel::<(i32, Option<RawFd>)>();
    let sender = std::thread::Builder::new()
        .name("fg-shield-handoff".into())
        .spawn(move || {
            rx.recv()
                .is_ok_and(|(status, fd)| send_status(raw_sock, status, fd))
        });
    let Ok(sender) = sender else {
        send_status(raw_sock, libc::EAGAIN, None);
        // SAFETY: _exit ends the child; nothing was installed.
        unsafe { libc::_exit(0) };
    };
    let result = install_listener(prog);
    let message = match result {
        Ok(fd) => (0, Some(fd)),
        Err(errno) => (errno, None),
    };
    let sent = tx.send(message).is_ok() && sender.join().unwrap_or(false);
    if let Ok(fd) = result {
        // SAFETY: the child's copy of the listener is ours to close (the parent has its own).
        unsafe { libc::close(fd) };
    }
    if !sent || result.is_err() {
        // SAFETY: _exit ends the child; the parent goes on without the supervisor.
        unsafe { libc::_exit(0) };
    }
}

/// Forks for the supervisor model. In the parent: blocks the forwarded signals (they go to a
/// signalfd), receives the child's listener and returns the [`Supervisor`]; on any failure the
/// child is reaped, the signal mask restored, and the reason returned (a `degraded` entry: the
/// caller goes on and execs the runtime itself). In the child: returns [`Forked::Child`] with
/// the filter installed. Must be called while the process has one thread.
pub fn fork(prog: &BpfProgram) -> Result<Forked, String> {
    let mut watched = FORWARDED_SIGNALS.to_vec();
    watched.push(libc::SIGCHLD);
    let set = signal_set(&watched);
    let old = set_mask(libc::SIG_BLOCK, &set);
    let restore = || {
        set_mask(libc::SIG_SETMASK, &old);
    };
    let mut fds = [0 as RawFd; 2];
    // SAFETY: `fds` is a valid array of two ints for socketpair to fill.
    if unsafe {
        libc::socketpair(
            libc::AF_UNIX,
            libc::SOCK_SEQPACKET | libc::SOCK_CLOEXEC,
            0,
            fds.as_mut_ptr(),
        )
    } != 0
    {
        restore();
        return Err(format!(
            "seccomp_notify: socketpair failed: {}",
            io::Error::last_os_error()
        ));
    }
    // SAFETY: socketpair returned two fresh descriptors that nothing else owns.
    let (parent_sock, child_sock) =
        unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    // SAFETY: getpid has no preconditions.
    let parent = unsafe { libc::getpid() };
    // SAFETY: the process has one thread (the wrapper's start), so the child may run ordinary
    // Rust code.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        restore();
        return Err(format!(
            "seccomp_notify: fork failed: {}",
            io::Error::last_os_error()
        ));
    }
    if pid == 0 {
        drop(parent_sock);
        restore();
        child_setup(&child_sock, prog, parent);
        return Ok(Forked::Child(ChildGate { sock: child_sock }));
    }
    drop(child_sock);
    let fail = |why: String| -> String {
        // SAFETY: killing and reaping our own child.
        unsafe {
            libc::kill(pid, libc::SIGKILL);
            let mut status = 0;
            while libc::waitpid(pid, &raw mut status, 0) < 0
                && io::Error::last_os_error().kind() == io::ErrorKind::Interrupted
            {}
        }
        restore();
        format!("seccomp_notify: {why}")
    };
    let listener = match recv_status(parent_sock.as_raw_fd()) {
        Ok((0, Some(fd))) => fd,
        Ok((0, None)) => return Err(fail("the listener did not arrive".to_owned())),
        Ok((errno, _)) => {
            return Err(fail(format!(
                "filter install refused ({})",
                errno_text(Some(errno))
            )));
        }
        Err(e) => return Err(fail(e)),
    };
    // SAFETY: `set` is a valid sigset; signalfd returns a new descriptor or -1.
    let sigfd = unsafe { libc::signalfd(-1, &raw const set, libc::SFD_CLOEXEC) };
    if sigfd < 0 {
        return Err(fail(format!(
            "signalfd failed: {}",
            io::Error::last_os_error()
        )));
    }
    Ok(Forked::Supervisor(Supervisor {
        child: pid,
        listener: Some(listener),
        sock: Some(parent_sock),
        // SAFETY: a fresh descriptor from signalfd.
        sigfd: unsafe { OwnedFd::from_raw_fd(sigfd) },
    }))
}

// ---------------------------------------------------------------------------------------------
// The supervisor.

/// One watched call, decoded from its registers (pointers still in the target).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Call {
    /// `connect(fd, addr, len)`, `sendto(…, addr, len)`.
    Dest {
        fd: i32,
        addr: u64,
        len: u64,
        fastopen: bool,
    },
    /// `sendmsg(fd, msg, flags)`.
    Msg { fd: i32, msg: u64, fastopen: bool },
    /// `sendmmsg(fd, vec, vlen, flags)`.
    Mmsg {
        fd: i32,
        vec: u64,
        vlen: u64,
        fastopen: bool,
    },
    /// `execve`/`execveat`.
    Exec {
        dirfd: i32,
        path: u64,
        argv: u64,
        empty_path: bool,
    },
    /// `open`/`openat`/`creat` with these flags.
    Open { dirfd: i32, path: u64, flags: u64 },
    /// `openat2(dirfd, path, how, size)`.
    Open2 { dirfd: i32, path: u64, how: u64 },
    /// One path changed (`mkdir*`, `unlink*`, `rmdir`, `truncate`).
    One {
        dirfd: i32,
        path: u64,
        operation: &'static str,
    },
    /// `rename*` (`path` → `target`), `link*` (`path` the new name, `target` the old one).
    Two {
        dirfd: i32,
        path: u64,
        target_dirfd: i32,
        target: u64,
        operation: &'static str,
    },
    /// `symlink*`: `path` the new name, `contents` the text it holds.
    Symlink {
        dirfd: i32,
        path: u64,
        contents: u64,
    },
}

/// The low 32 bits of a register as an `int` (file descriptors, `AT_FDCWD`).
#[expect(
    clippy::cast_possible_truncation,
    reason = "an int argument is the register's low 32 bits"
)]
fn int(reg: u64) -> i32 {
    (reg as u32).cast_signed()
}

/// The x86_64 system calls that take a path relative to the working directory only.
#[cfg(target_arch = "x86_64")]
fn decode_legacy(native: i64, a: [u64; 6]) -> Option<Call> {
    let cwd = libc::AT_FDCWD;
    match native {
        libc::SYS_open => Some(Call::Open {
            dirfd: cwd,
            path: a[0],
            flags: a[1],
        }),
        libc::SYS_creat => Some(Call::Open {
            dirfd: cwd,
            path: a[0],
            flags: u64::try_from(libc::O_CREAT | libc::O_WRONLY | libc::O_TRUNC).unwrap_or(0),
        }),
        libc::SYS_mkdir => Some(Call::One {
            dirfd: cwd,
            path: a[0],
            operation: "mkdir",
        }),
        libc::SYS_unlink | libc::SYS_rmdir => Some(Call::One {
            dirfd: cwd,
            path: a[0],
            operation: "delete",
        }),
        libc::SYS_rename => Some(Call::Two {
            dirfd: cwd,
            path: a[0],
            target_dirfd: cwd,
            target: a[1],
            operation: "rename",
        }),
        libc::SYS_link => Some(Call::Two {
            dirfd: cwd,
            path: a[1],
            target_dirfd: cwd,
            target: a[0],
            operation: "link",
        }),
        libc::SYS_symlink => Some(Call::Symlink {
            dirfd: cwd,
            path: a[1],
            contents: a[0],
        }),
        _ => None,
    }
}

/// Decodes a watched call from its number and registers (x32 numbers included).
pub fn decode(nr: i64, a: [u64; 6]) -> Option<Call> {
    let cwd = libc::AT_FDCWD;
    let fastopen = |flags: u64| flags & u64::try_from(libc::MSG_FASTOPEN).unwrap_or(0) != 0;
    let native = if cfg!(target_arch = "x86_64") && nr & X32_SYSCALL_BIT != 0 {
        match nr & !X32_SYSCALL_BIT {
            518 => libc::SYS_sendmsg,
            520 => libc::SYS_execve,
            538 => libc::SYS_sendmmsg,
            545 => libc::SYS_execveat,
            other => other,
        }
    } else {
        nr
    };
    #[cfg(target_arch = "x86_64")]
    if let Some(call) = decode_legacy(native, a) {
        return Some(call);
    }
    Some(match native {
        libc::SYS_connect => Call::Dest {
            fd: int(a[0]),
            addr: a[1],
            len: a[2],
            fastopen: false,
        },
        libc::SYS_sendto => Call::Dest {
            fd: int(a[0]),
            addr: a[4],
            len: a[5],
            fastopen: fastopen(a[3]),
        },
        libc::SYS_sendmsg => Call::Msg {
            fd: int(a[0]),
            msg: a[1],
            fastopen: fastopen(a[2]),
        },
        libc::SYS_sendmmsg => Call::Mmsg {
            fd: int(a[0]),
            vec: a[1],
            vlen: a[2],
            fastopen: fastopen(a[3]),
        },
        libc::SYS_execve => Call::Exec {
            dirfd: cwd,
            path: a[0],
            argv: a[1],
            empty_path: false,
        },
        libc::SYS_execveat => Call::Exec {
            dirfd: int(a[0]),
            path: a[1],
            argv: a[2],
            empty_path: a[4] & u64::try_from(libc::AT_EMPTY_PATH).unwrap_or(0) != 0,
        },
        libc::SYS_openat => Call::Open {
            dirfd: int(a[0]),
            path: a[1],
            flags: a[2],
        },
        libc::SYS_openat2 => Call::Open2 {
            dirfd: int(a[0]),
            path: a[1],
            how: a[2],
        },
        libc::SYS_mkdirat => Call::One {
            dirfd: int(a[0]),
            path: a[1],
            operation: "mkdir",
        },
        libc::SYS_unlinkat => Call::One {
            dirfd: int(a[0]),
            path: a[1],
            operation: "delete",
        },
        libc::SYS_truncate => Call::One {
            dirfd: cwd,
            path: a[0],
            operation: "truncate",
        },
        libc::SYS_renameat | libc::SYS_renameat2 => Call::Two {
            dirfd: int(a[0]),
            path: a[1],
            target_dirfd: int(a[2]),
            target: a[3],
            operation: "rename",
        },
        libc::SYS_linkat => Call::Two {
            dirfd: int(a[2]),
            path: a[3],
            target_dirfd: int(a[0]),
            target: a[1],
            operation: "link",
        },
        libc::SYS_symlinkat => Call::Symlink {
            dirfd: int(a[1]),
            path: a[2],
            contents: a[0],
        },
        _ => return None,
    })
}

/// A destination address from `sockaddr` bytes (IPv4/IPv6 only).
pub fn parse_sockaddr(bytes: &[u8]) -> Option<SocketAddr> {
    let family = i32::from(u16::from_ne_bytes([*bytes.first()?, *bytes.get(1)?]));
    let port = u16::from_be_bytes([*bytes.get(2)?, *bytes.get(3)?]);
    match family {
        libc::AF_INET => {
            let o: [u8; 4] = bytes.get(4..8)?.try_into().ok()?;
            Some(SocketAddr::new(IpAddr::V4(Ipv4Addr::from(o)), port))
        }
        libc::AF_INET6 => {
            let o: [u8; 16] = bytes.get(8..24)?.try_into().ok()?;
            Some(SocketAddr::new(IpAddr::V6(Ipv6Addr::from(o)), port))
        }
        _ => None,
    }
}

/// `path` with `.` and `..` applied lexically (symbolic links are not followed).
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::from("/");
    for c in path.components() {
        match c {
            Component::Normal(name) => out.push(name),
            Component::ParentDir => {
                out.pop();
            }
            Component::RootDir | Component::CurDir | Component::Prefix(_) => {}
        }
    }
    out
}

/// Reads the target's memory at `addr` into `buf`; the number of bytes read.
fn read_mem(pid: libc::pid_t, addr: u64, buf: &mut [u8]) -> usize {
    if addr == 0 || buf.is_empty() {
        return 0;
    }
    let local = libc::iovec {
        iov_base: buf.as_mut_ptr().cast(),
        iov_len: buf.len(),
    };
    let remote = libc::iovec {
        iov_base: usize::try_from(addr).unwrap_or(0) as *mut libc::c_void,
        iov_len: buf.len(),
    };
    // SAFETY: `local` describes our live buffer; the remote side is only read by the kernel,
    // which checks the target's mappings and our ptrace access.
    let n = unsafe { libc::process_vm_readv(pid, &raw const local, 1, &raw const remote, 1, 0) };
    usize::try_from(n).unwrap_or(0)
}

fn read_exact(pid: libc::pid_t, addr: u64, len: usize) -> Option<Vec<u8>> {
    let mut buf = vec![0u8; len];
    (read_mem(pid, addr, &mut buf) == len).then_some(buf)
}

/// A NUL-terminated string of at most `max` bytes, read page by page (a string near the end
/// of a mapping is still read).
fn read_cstr(pid: libc::pid_t, addr: u64, max: usize) -> Option<Vec<u8>> {
    const PAGE: u64 = 4096;
    if addr == 0 {
        return None;
    }
    let mut out = Vec::new();
    let mut at = addr;
    while out.len() < max {
        let to_page = usize::try_from(PAGE - at % PAGE).unwrap_or(1);
        let want = to_page.min(max - out.len());
        let mut chunk = vec![0u8; want];
        let n = read_mem(pid, at, &mut chunk);
        if n == 0 {
            return (!out.is_empty()).then_some(out);
        }
        if let Some(end) = chunk[..n].iter().position(|b| *b == 0) {
            out.extend_from_slice(&chunk[..end]);
            return Some(out);
        }
        out.extend_from_slice(&chunk[..n]);
        at += u64::try_from(n).unwrap_or(PAGE);
    }
    Some(out)
}

fn read_u64(pid: libc::pid_t, addr: u64) -> Option<u64> {
    let b = read_exact(pid, addr, 8)?;
    Some(u64::from_ne_bytes(b.try_into().ok()?))
}

fn text(bytes: &[u8]) -> Value {
    Value::String(String::from_utf8_lossy(bytes).into_owned())
}

/// The target's view of the file system: `/proc/<pid>/root` + `abs`.
fn in_target(pid: libc::pid_t, abs: &Path) -> PathBuf {
    let mut p = PathBuf::from(format!("/proc/{pid}/root"));
    p.push(abs.strip_prefix("/").unwrap_or(abs));
    p
}

/// What the notified call sees as `raw` relative to `dirfd`, made absolute and normalised.
fn resolve(pid: libc::pid_t, dirfd: i32, raw: &[u8]) -> Option<PathBuf> {
    let raw = Path::new(std::ffi::OsStr::from_bytes(raw));
    if raw.is_absolute() {
        return Some(normalize(raw));
    }
    let base = if dirfd == libc::AT_FDCWD {
        std::fs::read_link(format!("/proc/{pid}/cwd")).ok()?
    } else {
        std::fs::read_link(format!("/proc/{pid}/fd/{dirfd}")).ok()?
    };
    base.is_absolute().then(|| normalize(&base.join(raw)))
}

/// `SOCK_STREAM` → `tcp`, `SOCK_DGRAM` → `udp`, through a copy of the target's socket.
fn socket_proto(pid: libc::pid_t, fd: i32) -> Option<&'static str> {
    let tgid = || -> Option<libc::pid_t> {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("Tgid:"))
            .and_then(|v| v.trim().parse().ok())
    };
    // SAFETY: pidfd_open with plain integer arguments; returns a new fd or -1.
    let mut pidfd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    if pidfd < 0 {
        let leader = tgid()?;
        // SAFETY: as above.
        pidfd = unsafe { libc::syscall(libc::SYS_pidfd_open, leader, 0) };
    }
    let pidfd = RawFd::try_from(pidfd).ok().filter(|fd| *fd >= 0)?;
    // SAFETY: a fresh descriptor we own.
    let pidfd = unsafe { OwnedFd::from_raw_fd(pidfd) };
    // SAFETY: pidfd_getfd duplicates the target's fd into ours (or fails).
    let sock = unsafe { libc::syscall(libc::SYS_pidfd_getfd, pidfd.as_raw_fd(), fd, 0) };
    let sock = RawFd::try_from(sock).ok().filter(|fd| *fd >= 0)?;
    // SAFETY: a fresh descriptor we own.
    let sock = unsafe { OwnedFd::from_raw_fd(sock) };
    let mut kind: libc::c_int = 0;
    let mut len = libc::socklen_t::try_from(std::mem::size_of::<libc::c_int>()).unwrap_or(4);
    // SAFETY: `kind`/`len` are valid for getsockopt to write one int.
    let rc = unsafe {
        libc::getsockopt(
            sock.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_TYPE,
            (&raw mut kind).cast(),
            &raw mut len,
        )
    };
    match (rc, kind) {
        (0, libc::SOCK_STREAM) => Some("tcp"),
        (0, libc::SOCK_DGRAM) => Some("udp"),
        _ => None,
    }
}

/// One finding: the control and the alert's details.
type Finding = (Control, Map<String, Value>);

fn outbound(
    pid: libc::pid_t,
    effective: &Effective,
    fd: i32,
    dest: SocketAddr,
    fastopen: bool,
    out: &mut Vec<Finding>,
) {
    if effective.outbound_allowed(None, dest.ip(), dest.port()) {
        return;
    }
    let ip = crate::allow::canonical(dest.ip());
    let mut d = Map::new();
    d.insert("ip".into(), Value::String(ip.to_string()));
    d.insert("port".into(), Value::from(dest.port()));
    let proto = if fastopen {
        Some("tcp_fastopen")
    } else {
        socket_proto(pid, fd)
    };
    if let Some(p) = proto {
        d.insert("proto".into(), Value::from(p));
    }
    out.push((Control::OutboundConnectivity, d));
}

fn msghdr_dest(pid: libc::pid_t, msg: u64) -> Option<SocketAddr> {
    // struct msghdr: msg_name (pointer) at 0, msg_namelen (u32) at 8.
    let hdr = read_exact(pid, msg, 16)?;
    let name = u64::from_ne_bytes(hdr[0..8].try_into().ok()?);
    let len = u32::from_ne_bytes(hdr[8..12].try_into().ok()?);
    if name == 0 || len == 0 {
        return None;
    }
    let len = usize::try_from(len).ok()?.min(128);
    parse_sockaddr(&read_exact(pid, name, len)?)
}

/// The tmp finding for one path, if it is under a tmp root.
fn tmp_one(
    pid: libc::pid_t,
    effective: &Effective,
    dirfd: i32,
    raw: &[u8],
    operation: impl FnOnce(&Path) -> &'static str,
) -> Option<Finding> {
    let abs = resolve(pid, dirfd, raw)?;
    if !effective.under_tmp(&abs) {
        return None;
    }
    let mut d = Map::new();
    let op = operation(&abs);
    d.insert("path".into(), Value::String(abs.display().to_string()));
    d.insert("operation".into(), Value::from(op));
    Some((Control::ReadWriteTmp, d))
}

fn open_operation(pid: libc::pid_t, abs: &Path, flags: u64) -> &'static str {
    let flag = |f: libc::c_int| u64::try_from(f).unwrap_or(0);
    if flags & flag(libc::O_TMPFILE) == flag(libc::O_TMPFILE) {
        return "create";
    }
    if flags & flag(libc::O_CREAT) != 0 && std::fs::symlink_metadata(in_target(pid, abs)).is_err() {
        return "create";
    }
    if flags & flag(libc::O_TRUNC) != 0 {
        "truncate"
    } else {
        "write"
    }
}

fn is_write_open(flags: u64) -> bool {
    let mask =
        u64::try_from(libc::O_WRONLY | libc::O_RDWR | libc::O_CREAT | libc::O_TRUNC).unwrap_or(0);
    flags & mask != 0
}

/// The exec finding: the program (if it exists and is executable) and up to 16 arguments.
fn exec_finding(
    pid: libc::pid_t,
    dirfd: i32,
    path: u64,
    argv: u64,
    empty_path: bool,
) -> Option<Finding> {
    let raw = read_cstr(pid, path, MAX_PATH_BYTES).unwrap_or_default();
    let program = if raw.is_empty() && empty_path {
        std::fs::read_link(format!("/proc/{pid}/fd/{dirfd}")).ok()
    } else if raw.is_empty() {
        None
    } else {
        resolve(pid, dirfd, &raw)
    };
    let runnable = program.as_deref().is_some_and(|p| {
        std::fs::metadata(in_target(pid, p))
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    });
    let (Some(program), true) = (program, runnable) else {
        return None;
    };
    let mut args = Vec::new();
    for i in 0..MAX_ARGS {
        let slot = argv.saturating_add(8 * u64::try_from(i).unwrap_or(0));
        match read_u64(pid, slot) {
            Some(0) | None => break,
            Some(p) => args.push(text(&read_cstr(pid, p, MAX_ARG_BYTES).unwrap_or_default())),
        }
    }
    let mut d = Map::new();
    d.insert("path".into(), Value::String(program.display().to_string()));
    d.insert("argv".into(), Value::Array(args));
    Some((Control::CreateChildProcess, d))
}

/// The tmp finding for a rename or link, when either path is under a tmp root.
fn two_finding(
    pid: libc::pid_t,
    effective: &Effective,
    (dirfd, path): (i32, u64),
    (target_dirfd, target): (i32, u64),
    operation: &'static str,
) -> Option<Finding> {
    let a = read_cstr(pid, path, MAX_PATH_BYTES).unwrap_or_default();
    let b = read_cstr(pid, target, MAX_PATH_BYTES).unwrap_or_default();
    let pa = resolve(pid, dirfd, &a);
    let pb = resolve(pid, target_dirfd, &b);
    let under = |p: &Option<PathBuf>| p.as_deref().is_some_and(|p| effective.under_tmp(p));
    if !under(&pa) && !under(&pb) {
        return None;
    }
    let show = |p: Option<PathBuf>, raw: &[u8]| {
        p.map_or_else(|| text(raw), |p| Value::String(p.display().to_string()))
    };
    let mut d = Map::new();
    d.insert("path".into(), show(pa, &a));
    d.insert("operation".into(), Value::from(operation));
    d.insert("target".into(), show(pb, &b));
    Some((Control::ReadWriteTmp, d))
}

/// What a notified call reports (nothing when it is allowed or cannot be read).
fn inspect(pid: libc::pid_t, call: &Call, effective: &Effective) -> Vec<Finding> {
    let mut out = Vec::new();
    match *call {
        Call::Dest {
            fd,
            addr,
            len,
            fastopen,
        } => {
            let len = usize::try_from(len).unwrap_or(0).min(128);
            if let Some(dest) = read_exact(pid, addr, len).and_then(|b| parse_sockaddr(&b)) {
                outbound(pid, effective, fd, dest, fastopen, &mut out);
            }
        }
        Call::Msg { fd, msg, fastopen } => {
            if let Some(dest) = msghdr_dest(pid, msg) {
                outbound(pid, effective, fd, dest, fastopen, &mut out);
            }
        }
        Call::Mmsg {
            fd,
            vec,
            vlen,
            fastopen,
        } => {
            // struct mmsghdr: a msghdr (56 bytes) and an unsigned int, padded to 64.
            let n = usize::try_from(vlen).unwrap_or(0).min(MAX_MMSG);
            for i in 0..n {
                let at = vec.saturating_add(64 * u64::try_from(i).unwrap_or(0));
                if let Some(dest) = msghdr_dest(pid, at) {
                    outbound(pid, effective, fd, dest, fastopen, &mut out);
                }
            }
        }
        Call::Exec {
            dirfd,
            path,
            argv,
            empty_path,
        } => {
            out.extend(exec_finding(pid, dirfd, path, argv, empty_path));
        }
        Call::Open { dirfd, path, flags } => {
            if is_write_open(flags)
                && let Some(raw) = read_cstr(pid, path, MAX_PATH_BYTES)
            {
                out.extend(tmp_one(pid, effective, dirfd, &raw, |abs| {
                    open_operation(pid, abs, flags)
                }));
            }
        }
        Call::Open2 { dirfd, path, how } => {
            // struct open_how: flags (u64) first.
            if let Some(flags) = read_u64(pid, how)
                && is_write_open(flags)
                && let Some(raw) = read_cstr(pid, path, MAX_PATH_BYTES)
            {
                out.extend(tmp_one(pid, effective, dirfd, &raw, |abs| {
                    open_operation(pid, abs, flags)
                }));
            }
        }
        Call::One {
            dirfd,
            path,
            operation,
        } => {
            if let Some(raw) = read_cstr(pid, path, MAX_PATH_BYTES) {
                out.extend(tmp_one(pid, effective, dirfd, &raw, |_| operation));
            }
        }
        Call::Two {
            dirfd,
            path,
            target_dirfd,
            target,
            operation,
        } => {
            out.extend(two_finding(
                pid,
                effective,
                (dirfd, path),
                (target_dirfd, target),
                operation,
            ));
        }
        Call::Symlink {
            dirfd,
            path,
            contents,
        } => {
            if let Some(raw) = read_cstr(pid, path, MAX_PATH_BYTES)
                && let Some((control, mut d)) = tmp_one(pid, effective, dirfd, &raw, |_| "link")
            {
                let c = read_cstr(pid, contents, MAX_PATH_BYTES).unwrap_or_default();
                d.insert("target".into(), text(&c));
                out.push((control, d));
            }
        }
    }
    out
}

/// One write of `line` to stderr.
fn write_line(line: &str) {
    let bytes = line.as_bytes();
    // SAFETY: writing a live buffer to fd 2.
    unsafe { libc::write(2, bytes.as_ptr().cast(), bytes.len()) };
}

/// The kernel's sizes of the notification structures (they may be larger than libc's).
fn notif_sizes() -> (usize, usize) {
    let mut sizes = libc::seccomp_notif_sizes {
        seccomp_notif: 0,
        seccomp_notif_resp: 0,
        seccomp_data: 0,
    };
    // SAFETY: the kernel writes one seccomp_notif_sizes into `sizes`.
    unsafe {
        libc::syscall(
            libc::SYS_seccomp,
            libc::SECCOMP_GET_NOTIF_SIZES,
            0u32,
            &raw mut sizes,
        );
    }
    (
        usize::from(sizes.seccomp_notif).max(std::mem::size_of::<libc::seccomp_notif>()),
        usize::from(sizes.seccomp_notif_resp).max(std::mem::size_of::<libc::seccomp_notif_resp>()),
    )
}

impl Supervisor {
    /// Lets the child exec the runtime (call after the `init` line is written).
    pub fn release(&mut self) {
        if let Some(sock) = self.sock.take() {
            let go = [1u8];
            // SAFETY: writing one byte from a live buffer to our socket.
            unsafe { libc::write(sock.as_raw_fd(), go.as_ptr().cast(), 1) };
        }
    }

    /// Supervises until the child exits; returns the exit code to exit with (the child's, or
    /// 128 + the signal that killed it).
    pub fn run(mut self, effective: &Effective) -> i32 {
        self.release();
        let (notif_size, resp_size) = notif_sizes();
        let mut notif_buf = vec![0u64; notif_size.div_ceil(8)];
        let mut resp_buf = vec![0u64; resp_size.div_ceil(8)];
        let mut limiter = RateLimiter::default();
        let mut failures = 0u32;
        loop {
            let listener = self.listener.as_ref().map(AsRawFd::as_raw_fd);
            let mut fds = [
                libc::pollfd {
                    fd: self.sigfd.as_raw_fd(),
                    events: libc::POLLIN,
                    revents: 0,
                },
                libc::pollfd {
                    fd: listener.unwrap_or(-1),
                    events: libc::POLLIN,
                    revents: 0,
                },
            ];
            // SAFETY: two valid pollfds (a negative fd is ignored by poll).
            let rc = unsafe { libc::poll(fds.as_mut_ptr(), 2, -1) };
            if rc < 0 {
                if io::Error::last_os_error().kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                // Nothing sensible left to wait on: wait for the child plainly.
                return self.wait_blocking();
            }
            if fds[0].revents & libc::POLLIN != 0
                && let Some(code) = self.signals()
            {
                return code;
            }
            let Some(lfd) = listener else { continue };
            if fds[1].revents & libc::POLLIN != 0 {
                match handle_one(lfd, &mut notif_buf, &mut resp_buf, effective, &mut limiter) {
                    Ok(()) => failures = 0,
                    Err(e) => {
                        failures += 1;
                        if failures >= MAX_RECV_FAILURES {
                            write_line(&error_line(
                                &format!(
                                    "seccomp_notify: the supervisor stopped reading \
                                     notifications ({e}); watched calls now fail with ENOSYS"
                                ),
                                SystemTime::now(),
                            ));
                            // Closing the listener is what makes the calls fail, not hang.
                            self.listener = None;
                        }
                    }
                }
            } else if fds[1].revents & (libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0 {
                // No task is left in the filter (the runtime and its children are gone).
                self.listener = None;
            }
        }
    }

    /// Drains the signalfd: forwards the forwarded signals, and on `SIGCHLD` returns the exit
    /// code if the child has exited.
    fn signals(&self) -> Option<i32> {
        loop {
            // SAFETY: signalfd_siginfo is plain data.
            let mut info: libc::signalfd_siginfo = unsafe { std::mem::zeroed() };
            let size = std::mem::size_of::<libc::signalfd_siginfo>();
            // SAFETY: reading one signalfd_siginfo into `info`. The signalfd is blocking, so
            // read only while poll says there is something (checked with a zero-timeout poll).
            let mut pfd = libc::pollfd {
                fd: self.sigfd.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            };
            // SAFETY: one valid pollfd.
            if unsafe { libc::poll(&raw mut pfd, 1, 0) } <= 0 {
                return None;
            }
            // SAFETY: see above.
            let n = unsafe { libc::read(self.sigfd.as_raw_fd(), (&raw mut info).cast(), size) };
            if usize::try_from(n).ok() != Some(size) {
                return None;
            }
            let signo = i32::try_from(info.ssi_signo).unwrap_or(0);
            if signo == libc::SIGCHLD {
                if let Some(code) = self.reap(libc::WNOHANG) {
                    return Some(code);
                }
            } else {
                // SAFETY: sending a signal to our own child.
                unsafe { libc::kill(self.child, signo) };
            }
        }
    }

    /// The child's exit code once it has exited (`flags` = `WNOHANG` to poll).
    fn reap(&self, flags: libc::c_int) -> Option<i32> {
        let mut status = 0;
        loop {
            // SAFETY: waiting for our own child.
            let rc = unsafe { libc::waitpid(self.child, &raw mut status, flags) };
            if rc == self.child {
                return Some(exit_code(status));
            }
            if rc < 0 && io::Error::last_os_error().kind() == io::ErrorKind::Interrupted {
                continue;
            }
            if rc < 0 {
                return Some(1); // ECHILD: nothing to wait for
            }
            return None;
        }
    }

    fn wait_blocking(&self) -> i32 {
        self.reap(0).unwrap_or(1)
    }
}

/// The shell's convention: the exit status, or 128 + the signal.
pub fn exit_code(status: libc::c_int) -> i32 {
    if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else if libc::WIFSIGNALED(status) {
        128 + libc::WTERMSIG(status)
    } else {
        1
    }
}

/// Receives one notification, reports it, answers `CONTINUE`.
fn handle_one(
    listener: RawFd,
    notif_buf: &mut [u64],
    resp_buf: &mut [u64],
    effective: &Effective,
    limiter: &mut RateLimiter,
) -> Result<(), io::Error> {
    notif_buf.fill(0);
    // SAFETY: `notif_buf` is zeroed, 8-aligned and at least as large as both libc's and the
    // kernel's seccomp_notif.
    let rc = unsafe {
        libc::ioctl(
            listener,
            libc::SECCOMP_IOCTL_NOTIF_RECV,
            notif_buf.as_mut_ptr(),
        )
    };
    if rc < 0 {
        let e = io::Error::last_os_error();
        return match e.raw_os_error() {
            // Interrupted, or the target was gone before we got it: not a failure.
            Some(libc::EINTR | libc::ENOENT) => Ok(()),
            _ => Err(e),
        };
    }
    // SAFETY: the kernel filled a seccomp_notif at the start of the buffer.
    let notif: libc::seccomp_notif = unsafe { std::ptr::read_unaligned(notif_buf.as_ptr().cast()) };
    let pid = libc::pid_t::try_from(notif.pid).unwrap_or(0);
    let call = decode(i64::from(notif.data.nr), notif.data.args);
    let findings = match (&call, pid) {
        (Some(call), p) if p > 0 => inspect(p, call, effective),
        _ => Vec::new(),
    };
    let mut id = notif.id;
    // SAFETY: the kernel reads one u64 id.
    let valid =
        unsafe { libc::ioctl(listener, libc::SECCOMP_IOCTL_NOTIF_ID_VALID, &raw mut id) } == 0;
    if valid {
        let now = SystemTime::now();
        for (control, details) in findings {
            let alert = Alert {
                policy: control,
                mode: Mode::Alert,
                action: Action::Allowed,
                details,
                mechanism: Mechanism::Seccomp,
                pid: notif.pid,
                request_id: None,
                trace_id: None,
            };
            match limiter.check(&alert) {
                Verdict::Write => write_line(&alert.to_line(now)),
                Verdict::WriteAfterSuppressed(n) => {
                    let mut text = suppressed_line(n, now);
                    text.push_str(&alert.to_line(now));
                    write_line(&text);
                }
                Verdict::Drop => {}
            }
        }
    }
    resp_buf.fill(0);
    let resp = libc::seccomp_notif_resp {
        id: notif.id,
        val: 0,
        error: 0,
        flags: u32::try_from(libc::SECCOMP_USER_NOTIF_FLAG_CONTINUE).unwrap_or(1),
    };
    // SAFETY: `resp_buf` is 8-aligned and large enough for the kernel's seccomp_notif_resp;
    // the first bytes are libc's layout, the rest stays zero.
    unsafe {
        std::ptr::write_unaligned(resp_buf.as_mut_ptr().cast(), resp);
        libc::ioctl(
            listener,
            libc::SECCOMP_IOCTL_NOTIF_SEND,
            resp_buf.as_mut_ptr(),
        );
    }
    // A failed answer (ENOENT: the target was interrupted or died) needs nothing more: an
    // interrupted call is restarted and notified again.
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use std::collections::HashMap;

    use super::*;
    use crate::policy::{Environment, Policy};

    fn effective(pairs: &[(&str, &str)]) -> Effective {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Effective::resolve(
            Policy::from_env(|k| map.get(k).cloned()).unwrap(),
            &Environment::default(),
        )
    }

    /// Nothing is watched unless `kernel_alert` is on; then exactly the controls in `alert`.
    #[test]
    fn rules_follow_kernel_alert_and_modes() {
        assert!(!NotifyRules::wanted(&effective(&[])).any());
        let e = effective(&[
            (KERNEL_ALERT_VAR, "true"),
            ("FAASGUARD_SHIELD_OUTBOUND", "block"),
        ]);
        let r = NotifyRules::wanted(&e);
        assert_eq!(r.names(), ["tmp_write", "exec"]);
        assert!(!r.outbound);
    }

    /// The program compiles, and every watched call ends in `SECCOMP_RET_USER_NOTIF` (no
    /// placeholder errno is left).
    #[test]
    fn program_notifies_instead_of_the_placeholder() {
        let all = NotifyRules {
            outbound: true,
            tmp: true,
            exec: true,
        };
        let prog = program(all, 0x7fff_0000_1000).unwrap();
        let ret = u16::try_from(libc::BPF_RET | libc::BPF_K).unwrap();
        let rets: Vec<u32> = prog.iter().filter(|i| i.code == ret).map(|i| i.k).collect();
        assert!(rets.contains(&libc::SECCOMP_RET_USER_NOTIF));
        assert!(!rets.contains(&(libc::SECCOMP_RET_ERRNO | MARK_ERRNO)));
        let exec_only = program(
            NotifyRules {
                exec: true,
                ..NotifyRules::default()
            },
            1,
        )
        .unwrap();
        assert!(exec_only.len() < prog.len());
    }

    /// Registers decode to the call's pieces (openat flags, sendto's destination, linkat's
    /// order, execveat's empty path).
    #[test]
    fn decode_calls() {
        let cwd = libc::AT_FDCWD;
        let at = u64::from(cwd.cast_unsigned());
        assert_eq!(
            decode(libc::SYS_openat, [at, 0x10, 0o1101, 0, 0, 0]),
            Some(Call::Open {
                dirfd: cwd,
                path: 0x10,
                flags: 0o1101
            })
        );
        assert_eq!(
            decode(libc::SYS_sendto, [3, 0, 0, 0x2000_0000, 0x20, 16]),
            Some(Call::Dest {
                fd: 3,
                addr: 0x20,
                len: 16,
                fastopen: true
            })
        );
        assert_eq!(
            decode(libc::SYS_linkat, [5, 0x1, 6, 0x2, 0, 0]),
            Some(Call::Two {
                dirfd: 6,
                path: 0x2,
                target_dirfd: 5,
                target: 0x1,
                operation: "link"
            })
        );
        assert_eq!(
            decode(libc::SYS_execveat, [7, 0x3, 0x4, 0, 0x1000, 0]),
            Some(Call::Exec {
                dirfd: 7,
                path: 0x3,
                argv: 0x4,
                empty_path: true
            })
        );
        assert_eq!(decode(libc::SYS_read, [0; 6]), None);
    }

    /// IPv4 and IPv6 sockaddrs parse; other families and short buffers do not.
    #[test]
    fn sockaddrs() {
        let mut v4 = vec![0u8; 16];
        v4[..2].copy_from_slice(&u16::try_from(libc::AF_INET).unwrap().to_ne_bytes());
        v4[2..4].copy_from_slice(&8080u16.to_be_bytes());
        v4[4..8].copy_from_slice(&[127, 0, 0, 1]);
        assert_eq!(parse_sockaddr(&v4), Some("127.0.0.1:8080".parse().unwrap()));
        let mut v6 = vec![0u8; 28];
        v6[..2].copy_from_slice(&u16::try_from(libc::AF_INET6).unwrap().to_ne_bytes());
        v6[2..4].copy_from_slice(&443u16.to_be_bytes());
        v6[23] = 1;
        assert_eq!(parse_sockaddr(&v6), Some("[::1]:443".parse().unwrap()));
        assert_eq!(parse_sockaddr(&v4[..6]), None);
        let unix = u16::try_from(libc::AF_UNIX).unwrap().to_ne_bytes();
        assert_eq!(parse_sockaddr(&[unix[0], unix[1], 0, 0, 0, 0, 0, 0]), None);
    }

    /// Paths normalise lexically; the init line gains the notify fields.
    #[test]
    fn normalise_and_augment() {
        assert_eq!(
            normalize(Path::new("/tmp/a/../b/./c")),
            PathBuf::from("/tmp/b/c")
        );
        assert_eq!(normalize(Path::new("/../x")), PathBuf::from("/x"));
        let line = "{\"layers\":{\"seccomp\":false},\"kernel_rules\":{\"seccomp\":[]}}\n";
        let v: Value = serde_json::from_str(&augment_init(
            line,
            Some(NotifyRules {
                exec: true,
                ..NotifyRules::default()
            }),
        ))
        .unwrap();
        assert_eq!(v["layers"]["seccomp_notify"], true);
        assert_eq!(
            v["kernel_rules"]["seccomp_notify"],
            serde_json::json!(["exec"])
        );
        let v: Value = serde_json::from_str(&augment_init(line, None)).unwrap();
        assert_eq!(v["layers"]["seccomp_notify"], false);
        assert_eq!(exit_code(0x0f00), 15);
        assert_eq!(exit_code(libc::SIGTERM), 143);
    }
}
