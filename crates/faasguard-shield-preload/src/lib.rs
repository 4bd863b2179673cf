//! `libfaasguard_shield.so`: the `LD_PRELOAD` part of faasguard-shield's in-process layer.
//!
//! Loaded into the runtime by the wrapper (docs/shield.md), it reads the effective policy from
//! `FAASGUARD_SHIELD_EFFECTIVE` once, when it is loaded; without a valid one it does nothing
//! at all. It hooks, through `dlsym(RTLD_NEXT)`:
//!
//! - `outbound_connectivity`: `connect`, `sendto`, `sendmsg`, `sendmmsg` to internet
//!   destinations (UDP and `MSG_FASTOPEN` included), and `getaddrinfo`, to learn the host name
//!   behind an address (for alerts and host / `*.suffix` allowlist entries);
//! - `read_write_tmp`: the `open` family, `creat`, `fopen` with a write mode, `rename*`,
//!   `unlink*`, `mkdir*`, `rmdir`, `truncate`, `link*`, `symlink*`, when the path (resolved
//!   against the working directory or the `dirfd`, `..` applied) is under a tmp root;
//! - `create_child_process`: every `exec*`, `posix_spawn*`, `system`, `popen`;
//! - `read_handler`: opening a handler file for reading, armed at the first connection to the
//!   Runtime API (the runtime clients import the handler before their first `/next`).
//!
//! `block` fails the call (`EACCES` for opens, `EPERM` otherwise; `posix_spawn` returns
//! `EPERM`, `popen` returns NULL) without calling the real function; `alert` calls it. Both
//! write one alert line (`mechanism: "ld_preload"`) through the rate limiter, with a single
//! `write(2)`, to `FAASGUARD_SHIELD_LOG_FD` (fd 2 when unset or not open at load).
//!
//! With the language shims in the same process, one violation gives one line: in `block`
//! mode the shim refuses first (the C call never happens); in `alert` mode the shim stays
//! silent and this library reports; outbound and `read_handler` are this library's alone.
//!
//! Blind spots: raw `syscall()`, `io_uring`, statically linked programs, code that clears
//! `LD_PRELOAD` before spawning, symbolic links into a tmp root (paths are normalised
//! lexically), files opened before `read_handler` was armed.
#![allow(
    unsafe_code,
    reason = "an LD_PRELOAD library: exported C symbols, raw pointers from callers, dlsym; every block says why it is sound"
)]
#![warn(clippy::undocumented_unsafe_blocks)]

// The hooks and their state are left out of the unit-test binary (which would otherwise export
// `open`, `execve`, … itself); the integration tests load the built library into real programs.
#[cfg(not(test))]
mod hooks;
mod path;
#[cfg(not(test))]
mod real;
mod sockaddr;
#[cfg(not(test))]
mod state;
