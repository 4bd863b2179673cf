//! `read_write_tmp` and `read_handler`: the calls that open, create, write, truncate, rename,
//! link or delete files.

use std::ffi::{c_char, c_int, c_uint};

use faasguard_shield::{Control, Mode};
use serde_json::{Map, Value};

use super::common::{cbytes, resolve_at, text, tmp_one, tmp_two};
use crate::path::{fopen_flags, open_kind};
use crate::real::{Real, next, set_errno};
use crate::state::{self, Busy, Decision};

/// The decision for an `open` of `path` (relative to `dirfd`) with `flags`.
fn check_open(dirfd: c_int, path: *const c_char, flags: c_int) -> Decision {
    let Some(_busy) = Busy::enter() else {
        return Decision::Pass;
    };
    let Some(state) = state::get() else {
        return Decision::Pass;
    };
    let kind = open_kind(flags);
    if kind.writes && state.mode(Control::ReadWriteTmp) != Mode::Allow {
        let operation = || open_operation(dirfd, path, flags);
        if tmp_one(state, dirfd, path, operation) == Decision::Block {
            return Decision::Block;
        }
    }
    if kind.reads && state.handler_armed() {
        let Some(raw) = cbytes(path) else {
            return Decision::Pass;
        };
        if !state.handler_name(crate::path::file_name(raw)) {
            return Decision::Pass;
        }
        if let Some(abs) = resolve_at(dirfd, raw)
            && state.is_handler(&abs)
        {
            let mut details = Map::new();
            details.insert("path".into(), Value::String(abs.display()));
            return state.violation(Control::ReadHandler, details);
        }
    }
    Decision::Pass
}

/// `create` (a new file), `truncate` or `write`. Only asked when the path may be reported.
fn open_operation(dirfd: c_int, path: *const c_char, flags: c_int) -> &'static str {
    if flags & libc::O_CREAT != 0 && !path.is_null() {
        // SAFETY: faccessat only looks at the NUL-terminated path.
        let exists = unsafe { libc::faccessat(dirfd, path, libc::F_OK, 0) } == 0;
        if !exists {
            return "create";
        }
    }
    if flags & libc::O_TMPFILE == libc::O_TMPFILE {
        return "create";
    }
    if flags & libc::O_TRUNC != 0 {
        "truncate"
    } else {
        "write"
    }
}

/// Runs `body` unless a check (made with the re-entrancy guard) says block; then `errno` and
/// the failure value.
macro_rules! guarded {
    ($check:expr, $errno:expr, $fail:expr, $body:expr) => {{
        if $check == Decision::Block {
            set_errno($errno);
            return $fail;
        }
        $body
    }};
}

/// The decision for a tmp-changing call on one path.
fn one(dirfd: c_int, path: *const c_char, operation: &'static str) -> Decision {
    let Some(_busy) = Busy::enter() else {
        return Decision::Pass;
    };
    match state::get() {
        Some(state) if state.mode(Control::ReadWriteTmp) != Mode::Allow => {
            tmp_one(state, dirfd, path, || operation)
        }
        _ => Decision::Pass,
    }
}

/// The decision for a rename or link.
fn two(
    path_dir: c_int,
    path: *const c_char,
    target_dir: c_int,
    target: *const c_char,
    operation: &str,
) -> Decision {
    let Some(_busy) = Busy::enter() else {
        return Decision::Pass;
    };
    match (state::get(), cbytes(path), cbytes(target)) {
        (Some(state), Some(p), Some(t)) if state.mode(Control::ReadWriteTmp) != Mode::Allow => {
            tmp_two(state, (path_dir, p), (target_dir, t), operation)
        }
        _ => Decision::Pass,
    }
}

/// The decision for a symbolic link created at `linkpath` holding `contents`.
fn symlink_check(contents: *const c_char, dirfd: c_int, linkpath: *const c_char) -> Decision {
    let Some(_busy) = Busy::enter() else {
        return Decision::Pass;
    };
    let Some(state) = state::get() else {
        return Decision::Pass;
    };
    if state.mode(Control::ReadWriteTmp) == Mode::Allow {
        return Decision::Pass;
    }
    let Some(abs) = cbytes(linkpath).and_then(|raw| resolve_at(dirfd, raw)) else {
        return Decision::Pass;
    };
    if !state.effective.under_tmp(abs.as_path()) {
        return Decision::Pass;
    }
    let mut details = Map::new();
    details.insert("path".into(), Value::String(abs.display()));
    details.insert("operation".into(), Value::from("link"));
    details.insert("target".into(), text(cbytes(contents).unwrap_or_default()));
    state.violation(Control::ReadWriteTmp, details)
}

macro_rules! open_hook {
    ($name:ident, $sym:literal) => {
        #[unsafe(no_mangle)]
        pub extern "C" fn $name(path: *const c_char, flags: c_int, mode: c_uint) -> c_int {
            static REAL: Real = Real::new($sym);
            guarded!(check_open(libc::AT_FDCWD, path, flags), libc::EACCES, -1, {
                match next!(REAL, fn(*const c_char, c_int, c_uint) -> c_int) {
                    // SAFETY: the caller's arguments, passed on unchanged.
                    Some(real) => unsafe { real(path, flags, mode) },
                    None => {
                        set_errno(libc::ENOSYS);
                        -1
                    }
                }
            })
        }
    };
}

macro_rules! openat_hook {
    ($name:ident, $sym:literal) => {
        #[unsafe(no_mangle)]
        pub extern "C" fn $name(
            dirfd: c_int,
            path: *const c_char,
            flags: c_int,
            mode: c_uint,
        ) -> c_int {
            static REAL: Real = Real::new($sym);
            guarded!(check_open(dirfd, path, flags), libc::EACCES, -1, {
                match next!(REAL, fn(c_int, *const c_char, c_int, c_uint) -> c_int) {
                    // SAFETY: the caller's arguments, passed on unchanged.
                    Some(real) => unsafe { real(dirfd, path, flags, mode) },
                    None => {
                        set_errno(libc::ENOSYS);
                        -1
                    }
                }
            })
        }
    };
}

/// `__open_2` and friends: what `_FORTIFY_SOURCE` builds call for an `open` without a mode.
macro_rules! open2_hook {
    ($name:ident, $sym:literal) => {
        #[unsafe(no_mangle)]
        pub extern "C" fn $name(path: *const c_char, flags: c_int) -> c_int {
            static REAL: Real = Real::new($sym);
            guarded!(check_open(libc::AT_FDCWD, path, flags), libc::EACCES, -1, {
                match next!(REAL, fn(*const c_char, c_int) -> c_int) {
                    // SAFETY: the caller's arguments, passed on unchanged.
                    Some(real) => unsafe { real(path, flags) },
                    None => {
                        set_errno(libc::ENOSYS);
                        -1
                    }
                }
            })
        }
    };
}

macro_rules! openat2_hook {
    ($name:ident, $sym:literal) => {
        #[unsafe(no_mangle)]
        pub extern "C" fn $name(dirfd: c_int, path: *const c_char, flags: c_int) -> c_int {
            static REAL: Real = Real::new($sym);
            guarded!(check_open(dirfd, path, flags), libc::EACCES, -1, {
                match next!(REAL, fn(c_int, *const c_char, c_int) -> c_int) {
                    // SAFETY: the caller's arguments, passed on unchanged.
                    Some(real) => unsafe { real(dirfd, path, flags) },
                    None => {
                        set_errno(libc::ENOSYS);
                        -1
                    }
                }
            })
        }
    };
}

macro_rules! creat_hook {
    ($name:ident, $sym:literal) => {
        #[unsafe(no_mangle)]
        pub extern "C" fn $name(path: *const c_char, mode: libc::mode_t) -> c_int {
            static REAL: Real = Real::new($sym);
            let flags = libc::O_CREAT | libc::O_WRONLY | libc::O_TRUNC;
            guarded!(check_open(libc::AT_FDCWD, path, flags), libc::EACCES, -1, {
                match next!(REAL, fn(*const c_char, libc::mode_t) -> c_int) {
                    // SAFETY: the caller's arguments, passed on unchanged.
                    Some(real) => unsafe { real(path, mode) },
                    None => {
                        set_errno(libc::ENOSYS);
                        -1
                    }
                }
            })
        }
    };
}

macro_rules! fopen_hook {
    ($name:ident, $sym:literal) => {
        #[unsafe(no_mangle)]
        pub extern "C" fn $name(path: *const c_char, mode: *const c_char) -> *mut libc::FILE {
            static REAL: Real = Real::new($sym);
            let flags = fopen_flags(cbytes(mode).unwrap_or_default());
            guarded!(
                check_open(libc::AT_FDCWD, path, flags),
                libc::EACCES,
                std::ptr::null_mut(),
                {
                    match next!(REAL, fn(*const c_char, *const c_char) -> *mut libc::FILE) {
                        // SAFETY: the caller's arguments, passed on unchanged.
                        Some(real) => unsafe { real(path, mode) },
                        None => {
                            set_errno(libc::ENOSYS);
                            std::ptr::null_mut()
                        }
                    }
                }
            )
        }
    };
}

open_hook!(open, c"open");
open_hook!(open64, c"open64");
openat_hook!(openat, c"openat");
openat_hook!(openat64, c"openat64");
open2_hook!(__open_2, c"__open_2");
open2_hook!(__open64_2, c"__open64_2");
openat2_hook!(__openat_2, c"__openat_2");
openat2_hook!(__openat64_2, c"__openat64_2");
creat_hook!(creat, c"creat");
creat_hook!(creat64, c"creat64");
fopen_hook!(fopen, c"fopen");
fopen_hook!(fopen64, c"fopen64");

/// Defines a hook whose check is `$check` (with the arguments in scope) and whose real call
/// has the given prototype; blocked calls fail with `EPERM`.
macro_rules! path_hook {
    ($name:ident, $sym:literal, ($($arg:ident: $ty:ty),*), $check:expr) => {
        #[unsafe(no_mangle)]
        pub extern "C" fn $name($($arg: $ty),*) -> c_int {
            static REAL: Real = Real::new($sym);
            guarded!($check, libc::EPERM, -1, {
                match next!(REAL, fn($($ty),*) -> c_int) {
                    // SAFETY: the caller's arguments, passed on unchanged.
                    Some(real) => unsafe { real($($arg),*) },
                    None => {
                        set_errno(libc::ENOSYS);
                        -1
                    }
                }
            })
        }
    };
}

const CWD: c_int = libc::AT_FDCWD;

path_hook!(rename, c"rename", (old: *const c_char, new: *const c_char),
    two(CWD, old, CWD, new, "rename"));
path_hook!(renameat, c"renameat",
    (olddir: c_int, old: *const c_char, newdir: c_int, new: *const c_char),
    two(olddir, old, newdir, new, "rename"));
path_hook!(renameat2, c"renameat2",
    (olddir: c_int, old: *const c_char, newdir: c_int, new: *const c_char, flags: c_uint),
    two(olddir, old, newdir, new, "rename"));
path_hook!(unlink, c"unlink", (path: *const c_char), one(CWD, path, "delete"));
path_hook!(unlinkat, c"unlinkat", (dir: c_int, path: *const c_char, flags: c_int),
    one(dir, path, "delete"));
path_hook!(rmdir, c"rmdir", (path: *const c_char), one(CWD, path, "delete"));
path_hook!(mkdir, c"mkdir", (path: *const c_char, mode: libc::mode_t), one(CWD, path, "mkdir"));
path_hook!(mkdirat, c"mkdirat", (dir: c_int, path: *const c_char, mode: libc::mode_t),
    one(dir, path, "mkdir"));
path_hook!(truncate, c"truncate", (path: *const c_char, length: libc::off_t),
    one(CWD, path, "truncate"));
path_hook!(truncate64, c"truncate64", (path: *const c_char, length: libc::off64_t),
    one(CWD, path, "truncate"));
path_hook!(link, c"link", (old: *const c_char, new: *const c_char),
    two(CWD, new, CWD, old, "link"));
path_hook!(linkat, c"linkat",
    (olddir: c_int, old: *const c_char, newdir: c_int, new: *const c_char, flags: c_int),
    two(newdir, new, olddir, old, "link"));
path_hook!(symlink, c"symlink", (contents: *const c_char, linkpath: *const c_char),
    symlink_check(contents, CWD, linkpath));
path_hook!(symlinkat, c"symlinkat",
    (contents: *const c_char, dir: c_int, linkpath: *const c_char),
    symlink_check(contents, dir, linkpath));
