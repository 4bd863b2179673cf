//! The library's state: the effective policy read once at load, the address → host map learned
//! from `getaddrinfo`, the `read_handler` arming flag, the rate limiter and the log fd; and the
//! thread-local re-entrancy guard.

use std::cell::Cell;
use std::collections::HashMap;
use std::ffi::CStr;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock, TryLockError};
use std::time::SystemTime;

use faasguard_shield::alert::suppressed_line;
use faasguard_shield::{Action, Alert, Control, Effective, Mechanism, Mode, RateLimiter, Verdict};
use serde_json::{Map, Value};

use crate::path::AbsPath;

/// Most address → host pairs remembered (the map is emptied when full).
const MAX_HOSTS: usize = 4096;

static STATE: OnceLock<State> = OnceLock::new();

thread_local! {
    static BUSY: Cell<bool> = const { Cell::new(false) };
}

/// Held while the library works; a hooked call made meanwhile (by the library itself, its
/// allocator or its formatting) passes straight through.
#[derive(Debug)]
pub struct Busy(());

impl Busy {
    /// `None` when this thread is already inside the library.
    pub fn enter() -> Option<Busy> {
        BUSY.try_with(|b| {
            if b.get() {
                None
            } else {
                b.set(true);
                Some(Busy(()))
            }
        })
        .ok()
        .flatten()
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        let _ = BUSY.try_with(|b| b.set(false));
    }
}

/// What a hook does with the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Pass,
    Block,
}

/// The state, once the library has loaded with a valid `FAASGUARD_SHIELD_EFFECTIVE`.
pub fn get() -> Option<&'static State> {
    STATE.get()
}

/// Reads the environment once (the library's constructor): absent or invalid policy → the
/// library stays a pass-through.
pub fn init() {
    let Some(_busy) = Busy::enter() else {
        return;
    };
    if let Some(state) = State::from_env() {
        let _ = STATE.set(state);
    }
}

fn env(name: &CStr) -> Option<String> {
    // SAFETY: getenv with a NUL-terminated name; the result (when not null) is a
    // NUL-terminated string owned by the environment, copied out at once.
    let value = unsafe { libc::getenv(name.as_ptr()) };
    if value.is_null() {
        return None;
    }
    // SAFETY: non-null getenv result, NUL-terminated.
    let text = unsafe { CStr::from_ptr(value) };
    Some(text.to_string_lossy().into_owned())
}

/// Locks, retrying briefly; `None` after that (a forked child whose parent held the lock in
/// another thread would otherwise wait forever).
fn lock<T>(mutex: &Mutex<T>) -> Option<MutexGuard<'_, T>> {
    for attempt in 0..2000 {
        match mutex.try_lock() {
            Ok(guard) => return Some(guard),
            Err(TryLockError::Poisoned(poisoned)) => return Some(poisoned.into_inner()),
            Err(TryLockError::WouldBlock) => {
                if attempt > 100 {
                    std::thread::yield_now();
                } else {
                    std::hint::spin_loop();
                }
            }
        }
    }
    None
}

#[derive(Debug)]
pub struct State {
    pub effective: Effective,
    /// The handler files, normalised, and their file names (a cheap first filter).
    handler_paths: Vec<Vec<u8>>,
    handler_names: Vec<Vec<u8>>,
    /// `read_handler` is enforced once the runtime has connected to its API.
    armed: AtomicBool,
    /// Whether arming can still happen (`read_handler` not `allow`, something to guard).
    arming: bool,
    hosts: Mutex<HashMap<IpAddr, String>>,
    limiter: Mutex<RateLimiter>,
    log_fd: libc::c_int,
    /// The process that loaded the library (a forked child that lost the log fd writes
    /// through `/proc/<owner>/fd/<log_fd>`).
    owner: libc::pid_t,
}

impl State {
    fn from_env() -> Option<State> {
        let text = env(c"FAASGUARD_SHIELD_EFFECTIVE")?;
        let effective = Effective::from_json(&text).ok()?;
        let log_fd = env(c"FAASGUARD_SHIELD_LOG_FD")
            .and_then(|v| v.trim().parse::<libc::c_int>().ok())
            .filter(|fd| {
                // SAFETY: F_GETFD only asks whether the descriptor is open.
                *fd >= 0 && unsafe { libc::fcntl(*fd, libc::F_GETFD) } != -1
            })
            .unwrap_or(libc::STDERR_FILENO);
        let handler_paths: Vec<Vec<u8>> = effective
            .handler_files
            .iter()
            .filter_map(|p| {
                use std::os::unix::ffi::OsStrExt;
                AbsPath::resolve(b"/", p.as_os_str().as_bytes()).map(|a| a.as_bytes().to_vec())
            })
            .collect();
        let handler_names = handler_paths
            .iter()
            .map(|p| crate::path::file_name(p).to_vec())
            .collect();
        let arming = effective.policy.policy.read_handler != Mode::Allow
            && !handler_paths.is_empty()
            && !effective.runtime_api.is_empty();
        Some(State {
            effective,
            handler_paths,
            handler_names,
            armed: AtomicBool::new(false),
            arming,
            hosts: Mutex::new(HashMap::new()),
            limiter: Mutex::new(RateLimiter::default()),
            log_fd,
            // SAFETY: getpid has no preconditions.
            owner: unsafe { libc::getpid() },
        })
    }

    pub fn mode(&self, control: Control) -> Mode {
        self.effective.policy.policy.get(control)
    }

    /// Arms `read_handler` when `dest` is the Runtime API (the runtime has imported the
    /// handler before its first `/next`).
    pub fn maybe_arm(&self, dest: SocketAddr) {
        if self.arming
            && !self.armed.load(Ordering::Relaxed)
            && self.effective.runtime_api.iter().any(|a| {
                faasguard_shield::allow::canonical(a.ip())
                    == faasguard_shield::allow::canonical(dest.ip())
                    && a.port() == dest.port()
            })
        {
            self.armed.store(true, Ordering::Relaxed);
        }
    }

    /// Whether `read_handler` is enforced now.
    pub fn handler_armed(&self) -> bool {
        self.arming && self.armed.load(Ordering::Relaxed)
    }

    /// Whether `name` (a path's last component) is a handler file's name.
    pub fn handler_name(&self, name: &[u8]) -> bool {
        self.handler_names.iter().any(|n| n == name)
    }

    pub fn is_handler(&self, path: &AbsPath) -> bool {
        self.handler_paths.iter().any(|p| p == path.as_bytes())
    }

    /// Remembers that `ip` was returned by a lookup of `host`.
    pub fn learn_host(&self, host: &str, ips: &[IpAddr]) {
        if ips.is_empty() || host.parse::<IpAddr>().is_ok() {
            return;
        }
        if let Some(mut map) = lock(&self.hosts) {
            if map.len() + ips.len() > MAX_HOSTS {
                map.clear();
            }
            for ip in ips {
                map.insert(faasguard_shield::allow::canonical(*ip), host.to_owned());
            }
        }
    }

    fn host_of(&self, ip: IpAddr) -> Option<String> {
        lock(&self.hosts)?
            .get(&faasguard_shield::allow::canonical(ip))
            .cloned()
    }

    /// The outbound decision for a connection or datagram to `dest` (`proto` for the alert).
    pub fn outbound(&self, dest: SocketAddr, proto: impl FnOnce() -> &'static str) -> Decision {
        let mode = self.mode(Control::OutboundConnectivity);
        if mode == Mode::Allow
            || self
                .effective
                .outbound_allowed(None, dest.ip(), dest.port())
        {
            return Decision::Pass;
        }
        let host = self.host_of(dest.ip());
        if host.is_some()
            && self
                .effective
                .outbound_allowed(host.as_deref(), dest.ip(), dest.port())
        {
            return Decision::Pass;
        }
        let mut details = Map::new();
        if let Some(host) = host {
            details.insert("host".into(), Value::String(host));
        }
        details.insert(
            "ip".into(),
            Value::String(faasguard_shield::allow::canonical(dest.ip()).to_string()),
        );
        details.insert("port".into(), Value::from(dest.port()));
        details.insert("proto".into(), Value::from(proto()));
        self.violation(Control::OutboundConnectivity, details)
    }

    /// Reports a violation of `control` and says what to do with the call.
    pub fn violation(&self, control: Control, details: Map<String, Value>) -> Decision {
        let mode = self.mode(control);
        let decision = match mode {
            Mode::Allow => return Decision::Pass,
            Mode::Alert => Decision::Pass,
            Mode::Block => Decision::Block,
        };
        let alert = Alert {
            policy: control,
            mode,
            action: if decision == Decision::Block {
                Action::Blocked
            } else {
                Action::Allowed
            },
            details,
            mechanism: Mechanism::LdPreload,
            // SAFETY: getpid has no preconditions.
            pid: u32::try_from(unsafe { libc::getpid() }).unwrap_or(0),
            request_id: None,
            trace_id: env(c"_X_AMZN_TRACE_ID").filter(|t| !t.is_empty()),
        };
        self.write_alert(&alert);
        decision
    }

    fn write_alert(&self, alert: &Alert) {
        // The invocation is told apart by the trace id while no request id is known.
        let keyed = Alert {
            request_id: alert.request_id.clone().or_else(|| alert.trace_id.clone()),
            ..alert.clone()
        };
        let verdict = match lock(&self.limiter) {
            Some(mut limiter) => limiter.check(&keyed),
            None => Verdict::Write,
        };
        let now = SystemTime::now();
        match verdict {
            Verdict::Drop => return,
            Verdict::WriteAfterSuppressed(count) => {
                self.write_line(suppressed_line(count, now).as_bytes());
            }
            Verdict::Write => {}
        }
        self.write_line(alert.to_line(now).as_bytes());
    }

    /// One `write(2)` per line. When the log fd is closed (a forked child, such as Python's
    /// `subprocess` with `close_fds`, reporting its exec), the parent's log fd is reopened
    /// through `/proc`; failing that, fd 2.
    fn write_line(&self, line: &[u8]) {
        if write_fd(self.log_fd, line) != Some(libc::EBADF) {
            return;
        }
        // SAFETY: getpid has no preconditions.
        if unsafe { libc::getpid() } != self.owner {
            let path = format!("/proc/{}/fd/{}\0", self.owner, self.log_fd);
            // SAFETY: `path` is NUL-terminated; the call is made inside the library's guard,
            // so the hooked `open` passes straight through.
            let fd = unsafe {
                libc::open(
                    path.as_ptr().cast(),
                    libc::O_WRONLY | libc::O_APPEND | libc::O_CLOEXEC,
                )
            };
            if fd >= 0 {
                let written = write_fd(fd, line);
                // SAFETY: closing the descriptor opened just above.
                unsafe { libc::close(fd) };
                if written.is_none() {
                    return;
                }
            }
        }
        let _ = write_fd(libc::STDERR_FILENO, line);
    }
}

/// Writes `line` with one `write(2)` (retried on EINTR); the errno on failure.
fn write_fd(fd: libc::c_int, line: &[u8]) -> Option<i32> {
    loop {
        // SAFETY: writes `line.len()` bytes from a live buffer to a descriptor.
        let n = unsafe { libc::write(fd, line.as_ptr().cast(), line.len()) };
        if n >= 0 {
            return None;
        }
        let errno = std::io::Error::last_os_error().raw_os_error().unwrap_or(0);
        if errno != libc::EINTR {
            return Some(errno);
        }
    }
}
