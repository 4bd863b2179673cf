//! The capability probe: what the kernel lets this process do, found without changing the
//! process's own state. Reads (`uname`, `/proc/self/status`, the Landlock ABI query, the seccomp
//! action query) run in place; the probes that change state (`prctl(PR_SET_NO_NEW_PRIVS)` and
//! installing a seccomp filter) run in a forked child that reports over a pipe and exits.

use std::io;

use serde::Serialize;

/// What the kernel allows. Every field is a fact; none of them changes the caller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "independent yes/no facts, printed as JSON booleans"
)]
pub struct Probe {
    /// `uname -r`.
    pub release: String,
    /// `uname -m`.
    pub machine: String,
    /// `NoNewPrivs` of `/proc/self/status` (set by a parent, such as a sandbox).
    pub no_new_privs_set: bool,
    /// `Seccomp` of `/proc/self/status`: 0 none, 1 strict, 2 filter (an outer filter is active).
    pub seccomp_mode: u8,
    /// The Landlock ABI version (0: none; the query failed with `landlock_errno`).
    pub landlock_abi: i32,
    /// The errno of a failed Landlock ABI query (`ENOSYS`: not built or filtered out,
    /// `EOPNOTSUPP`: disabled at boot).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub landlock_errno: Option<i32>,
    /// `prctl(PR_SET_NO_NEW_PRIVS, 1)` succeeded in a child (or no-new-privs was already set).
    pub no_new_privs: bool,
    /// The errno of a failed `prctl(PR_SET_NO_NEW_PRIVS)`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub no_new_privs_errno: Option<i32>,
    /// A child could install a seccomp filter (`seccomp(SECCOMP_SET_MODE_FILTER)`).
    pub seccomp_filter: bool,
    /// The errno of a failed filter install.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seccomp_filter_errno: Option<i32>,
    /// `SECCOMP_RET_USER_NOTIF` is known to the kernel (`SECCOMP_GET_ACTION_AVAIL`).
    pub user_notif: bool,
    /// The probe child could not be run (fork or pipe failed): the child-side facts are false.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub child_error: Option<String>,
}

impl Probe {
    /// Probes the running kernel.
    pub fn run() -> Probe {
        let (release, machine) = uname();
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        let (no_new_privs_set, seccomp_mode) = parse_status(&status);
        let (landlock_abi, landlock_errno) = landlock_abi();
        let user_notif = user_notif_available();
        let mut probe = Probe {
            release,
            machine,
            no_new_privs_set,
            seccomp_mode,
            landlock_abi,
            landlock_errno,
            no_new_privs: false,
            no_new_privs_errno: None,
            seccomp_filter: false,
            seccomp_filter_errno: None,
            user_notif,
            child_error: None,
        };
        match child_probe() {
            Ok((nnp, filter)) => {
                probe.no_new_privs = nnp == 0;
                probe.no_new_privs_errno = (nnp != 0).then_some(nnp);
                probe.seccomp_filter = filter == 0;
                probe.seccomp_filter_errno = (filter != 0).then_some(filter);
            }
            Err(e) => probe.child_error = Some(e.to_string()),
        }
        probe
    }

    /// The probe as one JSON object (what `faasguard-shield --probe` prints).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// `NoNewPrivs` and `Seccomp` of a `/proc/<pid>/status` text.
pub fn parse_status(status: &str) -> (bool, u8) {
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.trim().parse::<u8>().ok())
            .unwrap_or(0)
    };
    (field("NoNewPrivs:") == 1, field("Seccomp:"))
}

fn c_field(bytes: &[libc::c_char]) -> String {
    let bytes: Vec<u8> = bytes
        .iter()
        .take_while(|c| **c != 0)
        .map(|c| c.to_ne_bytes()[0])
        .collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

#[allow(unsafe_code, reason = "uname(2) fills a plain C struct")]
fn uname() -> (String, String) {
    // SAFETY: `utsname` is plain old data (arrays of c_char); all-zero is a valid value.
    let mut uts: libc::utsname = unsafe { std::mem::zeroed() };
    // SAFETY: `uts` is a valid, writable `utsname` for the duration of the call.
    if unsafe { libc::uname(&raw mut uts) } != 0 {
        return (String::new(), String::new());
    }
    (c_field(&uts.release), c_field(&uts.machine))
}

const LANDLOCK_CREATE_RULESET_VERSION: libc::c_uint = 1;

/// The Landlock ABI version, or 0 and the errno.
#[allow(
    unsafe_code,
    reason = "landlock_create_ruleset has no libc wrapper; the version query changes nothing"
)]
pub fn landlock_abi() -> (i32, Option<i32>) {
    // SAFETY: with a NULL attribute, size 0 and the VERSION flag the kernel reads no memory and
    // creates nothing; it returns the ABI version or -1 with errno.
    let v = unsafe {
        libc::syscall(
            libc::SYS_landlock_create_ruleset,
            std::ptr::null::<libc::c_void>(),
            0usize,
            LANDLOCK_CREATE_RULESET_VERSION,
        )
    };
    if v < 0 {
        (0, io::Error::last_os_error().raw_os_error())
    } else {
        (i32::try_from(v).unwrap_or(i32::MAX), None)
    }
}

const SECCOMP_GET_ACTION_AVAIL: libc::c_uint = 2;
const SECCOMP_RET_USER_NOTIF: u32 = 0x7fc0_0000;

#[allow(
    unsafe_code,
    reason = "seccomp(SECCOMP_GET_ACTION_AVAIL) has no libc wrapper; it only queries"
)]
fn user_notif_available() -> bool {
    let action: u32 = SECCOMP_RET_USER_NOTIF;
    // SAFETY: the kernel reads one u32 from `action`, which lives for the call.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_seccomp,
            SECCOMP_GET_ACTION_AVAIL,
            0u32,
            &raw const action,
        )
    };
    rc == 0
}

/// Forks a child that tries `prctl(PR_SET_NO_NEW_PRIVS)` then installs an allow-everything
/// seccomp filter, and writes both errnos (0 = success) to a pipe. The caller's state is
/// untouched. Must be called while the process has one thread (the wrapper's start).
#[allow(
    unsafe_code,
    reason = "fork/pipe/prctl/seccomp/_exit: the probe child runs only async-signal-safe calls"
)]
fn child_probe() -> io::Result<(i32, i32)> {
    let allow = [libc::sock_filter {
        code: u16::try_from(libc::BPF_RET | libc::BPF_K).unwrap_or(6),
        jt: 0,
        jf: 0,
        k: libc::SECCOMP_RET_ALLOW,
    }];
    let prog = libc::sock_fprog {
        len: 1,
        filter: allow.as_ptr().cast_mut(),
    };
    let mut fds = [0 as libc::c_int; 2];
    // SAFETY: `fds` is a valid array of two ints for pipe2 to fill.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(io::Error::last_os_error());
    }
    let [read_fd, write_fd] = fds;
    // SAFETY: the child only calls async-signal-safe functions (prctl, syscall, write, _exit)
    // on memory prepared before the fork, and never returns.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        let e = io::Error::last_os_error();
        // SAFETY: both fds are ours and open.
        unsafe {
            libc::close(read_fd);
            libc::close(write_fd);
        }
        return Err(e);
    }
    if pid == 0 {
        // SAFETY: see above; `errno_location` is async-signal-safe and thread-local.
        unsafe {
            let nnp = if libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 {
                0
            } else {
                *libc::__errno_location()
            };
            let filter = if libc::syscall(
                libc::SYS_seccomp,
                libc::SECCOMP_SET_MODE_FILTER,
                0u32,
                &raw const prog,
            ) == 0
            {
                0
            } else {
                *libc::__errno_location()
            };
            let mut out = [0u8; 8];
            out[..4].copy_from_slice(&nnp.to_ne_bytes());
            out[4..].copy_from_slice(&filter.to_ne_bytes());
            libc::write(write_fd, out.as_ptr().cast(), out.len());
            libc::_exit(0);
        }
    }
    // SAFETY: the parent's copy of the write end is ours to close.
    unsafe { libc::close(write_fd) };
    let mut buf = [0u8; 8];
    let mut got = 0usize;
    while got < buf.len() {
        // SAFETY: reading into the unread tail of `buf`.
        let n = unsafe { libc::read(read_fd, buf[got..].as_mut_ptr().cast(), buf.len() - got) };
        if n > 0 {
            got += n.unsigned_abs();
        } else if n == 0 || io::Error::last_os_error().kind() != io::ErrorKind::Interrupted {
            break; // end of file (the child died early) or a real error; EINTR retries
        }
    }
    let mut status = 0;
    // SAFETY: closing our read end and reaping our own child.
    unsafe {
        libc::close(read_fd);
        while libc::waitpid(pid, &raw mut status, 0) < 0
            && io::Error::last_os_error().kind() == io::ErrorKind::Interrupted
        {}
    }
    if got < buf.len() {
        return Err(io::Error::other("the probe child reported nothing"));
    }
    let nnp = i32::from_ne_bytes([buf[0], buf[1], buf[2], buf[3]]);
    let filter = i32::from_ne_bytes([buf[4], buf[5], buf[6], buf[7]]);
    Ok((nnp, filter))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `NoNewPrivs` and `Seccomp` are read from a status text; missing fields read as 0.
    #[test]
    fn status_fields() {
        let text = "Name:\tx\nNoNewPrivs:\t1\nSeccomp:\t2\nSeccomp_filters:\t3\n";
        assert_eq!(parse_status(text), (true, 2));
        assert_eq!(parse_status("Name:\tx\n"), (false, 0));
    }

    /// Probing leaves the caller without no-new-privs and without a filter when it had none.
    #[test]
    fn probe_does_not_change_the_caller() {
        let before =
            parse_status(&std::fs::read_to_string("/proc/self/status").unwrap_or_default());
        let probe = Probe::run();
        let after = parse_status(&std::fs::read_to_string("/proc/self/status").unwrap_or_default());
        assert_eq!(before, after);
        assert!(!probe.release.is_empty());
        assert!(probe.child_error.is_none(), "{:?}", probe.child_error);
    }
}
