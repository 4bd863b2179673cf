//! `outbound_connectivity`: `connect`, `sendto`, `sendmsg`, `sendmmsg` to `AF_INET`/`AF_INET6`
//! destinations (UDP and TCP Fast Open included), and `getaddrinfo`, which teaches the library
//! the host name behind an address (a lookup is not a violation). A connection to the Runtime
//! API arms `read_handler`.

use std::ffi::{c_char, c_int, c_uint};
use std::net::{IpAddr, SocketAddr};

use faasguard_shield::{Control, Mode};

use super::common::cbytes;
use crate::real::{Real, call_real, next, set_errno};
use crate::state::{self, Busy, Decision, State};

/// Longest `sockaddr` read.
const MAX_SOCKADDR: usize = 128;

/// The destination a `sockaddr` names, if it is an internet one.
fn destination(addr: *const libc::sockaddr, len: libc::socklen_t) -> Option<SocketAddr> {
    if addr.is_null() {
        return None;
    }
    let len = usize::try_from(len).ok()?.min(MAX_SOCKADDR);
    // SAFETY: the caller passes `len` readable bytes at `addr` (capped at 128).
    let bytes = unsafe { std::slice::from_raw_parts(addr.cast::<u8>(), len) };
    crate::sockaddr::parse(bytes)
}

/// `tcp`, `udp` or `raw` from the socket's type (asked only for an alert).
fn socket_proto(fd: c_int) -> &'static str {
    let mut kind: c_int = 0;
    let mut len = libc::socklen_t::try_from(std::mem::size_of::<c_int>()).unwrap_or(4);
    // SAFETY: SO_TYPE writes one int into `kind`, `len` holds its size.
    let r = unsafe {
        libc::getsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_TYPE,
            (&raw mut kind).cast(),
            &raw mut len,
        )
    };
    match (r, kind) {
        (0, libc::SOCK_STREAM) => "tcp",
        (0, libc::SOCK_DGRAM) => "udp",
        _ => "raw",
    }
}

/// The decision for sending to or connecting to `dest` from `fd`.
fn check(state: &State, fd: c_int, dest: SocketAddr, flags: c_int) -> Decision {
    state.maybe_arm(dest);
    if state.mode(Control::OutboundConnectivity) == Mode::Allow {
        return Decision::Pass;
    }
    state.outbound(dest, || {
        if flags & libc::MSG_FASTOPEN != 0 {
            "tcp_fastopen"
        } else {
            socket_proto(fd)
        }
    })
}

fn check_addr(
    fd: c_int,
    addr: *const libc::sockaddr,
    len: libc::socklen_t,
    flags: c_int,
) -> Decision {
    let Some(_busy) = Busy::enter() else {
        return Decision::Pass;
    };
    let Some(state) = state::get() else {
        return Decision::Pass;
    };
    match destination(addr, len) {
        Some(dest) => check(state, fd, dest, flags),
        None => Decision::Pass,
    }
}

/// The decision for a `msghdr`'s destination.
fn check_msg(fd: c_int, msg: *const libc::msghdr, flags: c_int) -> Decision {
    if msg.is_null() {
        return Decision::Pass;
    }
    // SAFETY: a non-null msghdr from the caller is readable.
    let (name, len) = unsafe { ((*msg).msg_name, (*msg).msg_namelen) };
    check_addr(fd, name.cast(), len, flags)
}

#[unsafe(no_mangle)]
pub extern "C" fn connect(fd: c_int, addr: *const libc::sockaddr, len: libc::socklen_t) -> c_int {
    static REAL: Real = Real::new(c"connect");
    if check_addr(fd, addr, len, 0) == Decision::Block {
        set_errno(libc::EPERM);
        return -1;
    }
    call_real!(
        REAL,
        fn(c_int, *const libc::sockaddr, libc::socklen_t) -> c_int,
        (fd, addr, len),
        {
            set_errno(libc::ENOSYS);
            -1
        }
    )
}

#[unsafe(no_mangle)]
pub extern "C" fn sendto(
    fd: c_int,
    buf: *const libc::c_void,
    n: libc::size_t,
    flags: c_int,
    addr: *const libc::sockaddr,
    len: libc::socklen_t,
) -> libc::ssize_t {
    static REAL: Real = Real::new(c"sendto");
    if check_addr(fd, addr, len, flags) == Decision::Block {
        set_errno(libc::EPERM);
        return -1;
    }
    call_real!(
        REAL,
        fn(
            c_int,
            *const libc::c_void,
            libc::size_t,
            c_int,
            *const libc::sockaddr,
            libc::socklen_t,
        ) -> libc::ssize_t,
        (fd, buf, n, flags, addr, len),
        {
            set_errno(libc::ENOSYS);
            -1
        }
    )
}

#[unsafe(no_mangle)]
pub extern "C" fn sendmsg(fd: c_int, msg: *const libc::msghdr, flags: c_int) -> libc::ssize_t {
    static REAL: Real = Real::new(c"sendmsg");
    if check_msg(fd, msg, flags) == Decision::Block {
        set_errno(libc::EPERM);
        return -1;
    }
    call_real!(
        REAL,
        fn(c_int, *const libc::msghdr, c_int) -> libc::ssize_t,
        (fd, msg, flags),
        {
            set_errno(libc::ENOSYS);
            -1
        }
    )
}

#[unsafe(no_mangle)]
pub extern "C" fn sendmmsg(
    fd: c_int,
    msgs: *mut libc::mmsghdr,
    count: c_uint,
    flags: c_int,
) -> c_int {
    static REAL: Real = Real::new(c"sendmmsg");
    if !msgs.is_null() {
        let mut blocked = false;
        for i in 0..usize::try_from(count).unwrap_or(0).min(1024) {
            // SAFETY: the caller passes `count` mmsghdr entries at `msgs`.
            let hdr = unsafe { &raw const (*msgs.add(i)).msg_hdr };
            blocked |= check_msg(fd, hdr, flags) == Decision::Block;
        }
        if blocked {
            set_errno(libc::EPERM);
            return -1;
        }
    }
    call_real!(
        REAL,
        fn(c_int, *mut libc::mmsghdr, c_uint, c_int) -> c_int,
        (fd, msgs, count, flags),
        {
            set_errno(libc::ENOSYS);
            -1
        }
    )
}

/// Remembers the addresses a lookup of `node` returned.
fn learn(node: *const c_char, res: *const libc::addrinfo) {
    let Some(_busy) = Busy::enter() else {
        return;
    };
    let Some(state) = state::get() else {
        return;
    };
    if state.mode(Control::OutboundConnectivity) == Mode::Allow {
        return;
    }
    let Some(host) = cbytes(node).and_then(|b| std::str::from_utf8(b).ok()) else {
        return;
    };
    let mut ips: Vec<IpAddr> = Vec::new();
    let mut cur = res;
    while !cur.is_null() && ips.len() < 64 {
        // SAFETY: `cur` walks the list getaddrinfo just returned.
        let ai = unsafe { &*cur };
        if let Some(dest) = destination(ai.ai_addr, ai.ai_addrlen) {
            ips.push(dest.ip());
        }
        cur = ai.ai_next;
    }
    state.learn_host(host, &ips);
}

#[unsafe(no_mangle)]
pub extern "C" fn getaddrinfo(
    node: *const c_char,
    service: *const c_char,
    hints: *const libc::addrinfo,
    res: *mut *mut libc::addrinfo,
) -> c_int {
    static REAL: Real = Real::new(c"getaddrinfo");
    let Some(real) = next!(
        REAL,
        fn(*const c_char, *const c_char, *const libc::addrinfo, *mut *mut libc::addrinfo) -> c_int
    ) else {
        return libc::EAI_SYSTEM;
    };
    // SAFETY: the caller's arguments, passed on unchanged.
    let r = unsafe { real(node, service, hints, res) };
    if r == 0 && !res.is_null() {
        // SAFETY: on success getaddrinfo stored the list head in `*res`.
        learn(node, unsafe { *res });
    }
    r
}
