//! Absolute, lexically normalised paths built on the stack (no allocation), so that the file
//! hooks can tell whether a call touches a tmp root without allocating.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

/// Longest path handled (`PATH_MAX`); longer ones are not resolved (the call passes through).
pub const PATH_CAP: usize = 4096;

/// An absolute path without `.`, `..`, repeated or trailing slashes.
pub struct AbsPath {
    buf: [u8; PATH_CAP],
    len: usize,
}

impl std::fmt::Debug for AbsPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("AbsPath").field(&self.as_path()).finish()
    }
}

impl AbsPath {
    /// `path` resolved against `base` (an absolute directory; ignored when `path` is
    /// absolute), `.` and `..` applied lexically (symbolic links are not followed). `None`
    /// when `base` is needed and not absolute, or the result is too long.
    pub fn resolve(base: &[u8], path: &[u8]) -> Option<AbsPath> {
        let mut out = AbsPath {
            buf: [0; PATH_CAP],
            len: 1,
        };
        out.buf[0] = b'/';
        if path.first() != Some(&b'/') {
            if base.first() != Some(&b'/') {
                return None;
            }
            out.push_all(base)?;
        }
        out.push_all(path)?;
        Some(out)
    }

    fn push_all(&mut self, path: &[u8]) -> Option<()> {
        for component in path.split(|b| *b == b'/') {
            match component {
                b"" | b"." => {}
                b".." => {
                    let cut = self.buf[..self.len]
                        .iter()
                        .rposition(|b| *b == b'/')
                        .unwrap_or(0);
                    self.len = cut.max(1);
                }
                name => {
                    let sep = usize::from(self.len > 1);
                    if self.len + sep + name.len() > PATH_CAP {
                        return None;
                    }
                    if sep == 1 {
                        self.buf[self.len] = b'/';
                    }
                    let start = self.len + sep;
                    self.buf[start..start + name.len()].copy_from_slice(name);
                    self.len = start + name.len();
                }
            }
        }
        Some(())
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    pub fn as_path(&self) -> &Path {
        Path::new(OsStr::from_bytes(self.as_bytes()))
    }

    /// The text for an alert (lossy for names that are not UTF-8).
    pub fn display(&self) -> String {
        String::from_utf8_lossy(self.as_bytes()).into_owned()
    }
}

/// The last component of `path` (what the handler-file filter compares first).
pub fn file_name(path: &[u8]) -> &[u8] {
    let trimmed = match path.iter().rposition(|b| *b != b'/') {
        Some(end) => &path[..=end],
        None => return path,
    };
    match trimmed.iter().rposition(|b| *b == b'/') {
        Some(slash) => &trimmed[slash + 1..],
        None => trimmed,
    }
}

/// What an `open` with these flags does to the file, for `read_write_tmp` and `read_handler`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenKind {
    /// Creates, writes or truncates.
    pub writes: bool,
    /// Reads the content.
    pub reads: bool,
}

/// Classifies `open(2)` flags.
pub fn open_kind(flags: i32) -> OpenKind {
    if flags & libc::O_PATH != 0 {
        return OpenKind {
            writes: false,
            reads: false,
        };
    }
    let access = flags & libc::O_ACCMODE;
    OpenKind {
        writes: access == libc::O_WRONLY
            || access == libc::O_RDWR
            || flags & (libc::O_CREAT | libc::O_TRUNC) != 0,
        reads: access == libc::O_RDONLY || access == libc::O_RDWR,
    }
}

/// The `open(2)` flags an `fopen` mode string stands for (`r`, `w`, `a`, `+`, `x`, `e`, …).
pub fn fopen_flags(mode: &[u8]) -> i32 {
    let plus = mode.contains(&b'+');
    let base = match mode.first() {
        Some(b'w') => libc::O_CREAT | libc::O_TRUNC,
        Some(b'a') => libc::O_CREAT | libc::O_APPEND,
        _ => 0,
    };
    let access = match (mode.first(), plus) {
        (_, true) => libc::O_RDWR,
        (Some(b'w' | b'a'), false) => libc::O_WRONLY,
        _ => libc::O_RDONLY,
    };
    base | access
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;

    fn resolve(base: &str, path: &str) -> Option<String> {
        AbsPath::resolve(base.as_bytes(), path.as_bytes()).map(|p| p.display())
    }

    /// Relative paths join the base; `.`, `..` and extra slashes are applied lexically; `..`
    /// never climbs above the root; an unusable base or an overlong result gives `None`.
    #[test]
    fn normalises_paths() {
        assert_eq!(resolve("", "/tmp/x").as_deref(), Some("/tmp/x"));
        assert_eq!(
            resolve("/work", "a/./b//c/").as_deref(),
            Some("/work/a/b/c")
        );
        assert_eq!(
            resolve("/var/task", "../../tmp/x").as_deref(),
            Some("/tmp/x")
        );
        assert_eq!(resolve("/", "../../..").as_deref(), Some("/"));
        assert_eq!(
            resolve("/tmp/../etc", "passwd").as_deref(),
            Some("/etc/passwd")
        );
        assert_eq!(resolve("socket:[12]", "x"), None);
        assert_eq!(resolve("", "relative"), None);
        let long = "a/".repeat(PATH_CAP);
        assert_eq!(resolve("/", &long), None);
        let p = AbsPath::resolve(b"/", b"tmp/dir/../f").unwrap();
        assert!(p.as_path().starts_with("/tmp"));
        assert_eq!(file_name(b"/var/task/app.py"), b"app.py");
        assert_eq!(file_name(b"app.py"), b"app.py");
        assert_eq!(file_name(b"dir/"), b"dir");
    }

    /// Read-only opens do not write, `O_CREAT`/`O_TRUNC`/write access do, `O_PATH` does
    /// neither; fopen modes map to the same flags.
    #[test]
    fn classifies_opens() {
        assert_eq!(
            open_kind(libc::O_RDONLY | libc::O_CLOEXEC),
            OpenKind {
                writes: false,
                reads: true
            }
        );
        assert!(open_kind(libc::O_WRONLY | libc::O_CREAT).writes);
        assert!(open_kind(libc::O_RDONLY | libc::O_TRUNC).writes);
        let rw = open_kind(libc::O_RDWR);
        assert!(rw.writes && rw.reads);
        let path = open_kind(libc::O_PATH | libc::O_DIRECTORY);
        assert!(!path.writes && !path.reads);
        assert_eq!(fopen_flags(b"r"), libc::O_RDONLY);
        assert_eq!(fopen_flags(b"rb"), libc::O_RDONLY);
        assert_eq!(
            fopen_flags(b"w"),
            libc::O_WRONLY | libc::O_CREAT | libc::O_TRUNC
        );
        assert_eq!(
            fopen_flags(b"a+e"),
            libc::O_RDWR | libc::O_CREAT | libc::O_APPEND
        );
        assert!(open_kind(fopen_flags(b"r+")).writes);
    }
}
