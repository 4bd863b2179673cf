//! Helpers the hooks share: C strings, `dirfd`-relative path resolution, and the
//! `read_write_tmp` checks.

use std::ffi::{CStr, c_char, c_int};

use faasguard_shield::Control;
use serde_json::{Map, Value};

use crate::path::{AbsPath, PATH_CAP};
use crate::state::{Decision, State};

/// The bytes of a C string (`None` for null).
pub fn cbytes<'a>(p: *const c_char) -> Option<&'a [u8]> {
    if p.is_null() {
        return None;
    }
    // SAFETY: a non-null path or argument from the caller is a NUL-terminated string that
    // stays alive for the duration of the call.
    Some(unsafe { CStr::from_ptr(p) }.to_bytes())
}

/// Text for an alert.
pub fn text(bytes: &[u8]) -> Value {
    Value::String(String::from_utf8_lossy(bytes).into_owned())
}

/// The directory `dirfd` stands for (`AT_FDCWD`: the working directory), into `buf`.
fn base_dir(dirfd: c_int, buf: &mut [u8; PATH_CAP]) -> Option<usize> {
    if dirfd == libc::AT_FDCWD {
        // SAFETY: getcwd writes at most `buf.len()` bytes, NUL-terminated, into `buf`.
        let p = unsafe { libc::getcwd(buf.as_mut_ptr().cast(), buf.len()) };
        if p.is_null() {
            return None;
        }
        return buf.iter().position(|b| *b == 0);
    }
    fd_path(dirfd, buf)
}

/// The path an open descriptor refers to (`/proc/self/fd/N`), into `buf`.
pub fn fd_path(fd: c_int, buf: &mut [u8; PATH_CAP]) -> Option<usize> {
    if fd < 0 {
        return None;
    }
    let mut link = [0u8; 40];
    let prefix = b"/proc/self/fd/";
    link[..prefix.len()].copy_from_slice(prefix);
    let digits = fd.to_string();
    let end = prefix.len() + digits.len();
    link.get_mut(prefix.len()..end)?
        .copy_from_slice(digits.as_bytes());
    // SAFETY: `link` is NUL-terminated (zero-filled past `end`); readlink writes at most
    // `buf.len()` bytes into `buf`.
    let n = unsafe { libc::readlink(link.as_ptr().cast(), buf.as_mut_ptr().cast(), buf.len()) };
    usize::try_from(n).ok().filter(|n| *n > 0 && *n < buf.len())
}

/// `path` resolved against `dirfd`, normalised. No system call for an absolute path.
pub fn resolve_at(dirfd: c_int, path: &[u8]) -> Option<AbsPath> {
    if path.first() == Some(&b'/') {
        return AbsPath::resolve(b"", path);
    }
    let mut buf = [0u8; PATH_CAP];
    let n = base_dir(dirfd, &mut buf)?;
    AbsPath::resolve(&buf[..n], path)
}

/// `read_write_tmp` for a call that changes `path` (relative to `dirfd`).
pub fn tmp_one(
    state: &State,
    dirfd: c_int,
    path: *const c_char,
    operation: impl FnOnce() -> &'static str,
) -> Decision {
    let Some(raw) = cbytes(path) else {
        return Decision::Pass;
    };
    let Some(abs) = resolve_at(dirfd, raw) else {
        return Decision::Pass;
    };
    if !state.effective.under_tmp(abs.as_path()) {
        return Decision::Pass;
    }
    let mut details = Map::new();
    details.insert("path".into(), Value::String(abs.display()));
    details.insert("operation".into(), Value::from(operation()));
    state.violation(Control::ReadWriteTmp, details)
}

/// `read_write_tmp` for a rename (`path` → `target`) or a link (`path` is the new name,
/// `target` what it points at): a violation when either is under a tmp root.
pub fn tmp_two(
    state: &State,
    (path_dir, path): (c_int, &[u8]),
    (target_dir, target): (c_int, &[u8]),
    operation: &str,
) -> Decision {
    let a = resolve_at(path_dir, path);
    let b = resolve_at(target_dir, target);
    let under = |p: &Option<AbsPath>| {
        p.as_ref()
            .is_some_and(|p| state.effective.under_tmp(p.as_path()))
    };
    if !under(&a) && !under(&b) {
        return Decision::Pass;
    }
    let show = |p: Option<AbsPath>, raw: &[u8]| {
        p.map_or_else(|| text(raw), |p| Value::String(p.display()))
    };
    let mut details = Map::new();
    details.insert("path".into(), show(a, path));
    details.insert("operation".into(), Value::from(operation));
    details.insert("target".into(), show(b, target));
    state.violation(Control::ReadWriteTmp, details)
}
