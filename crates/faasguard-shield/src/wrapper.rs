//! The wrapper's pieces that do not touch the kernel: where the layer's files are, the
//! environment the runtime gets (the in-process layer), the `init` line, and an `execvp` that
//! passes every path through one fixed buffer (the seccomp exec rule allows that one pointer).
//!
//! Layer layout (docs/shield.md): the wrapper is `<dir>/faasguard-shield` and its files are under
//! `<dir>/faasguard/` (`/opt/faasguard-shield` and `/opt/faasguard/…` in Lambda);
//! `FAASGUARD_SHIELD_ROOT` names another root.

use std::ffi::{CString, OsStr, OsString};
use std::io;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::kernel::SeccompRules;
use crate::policy::Effective;
use crate::probe::Probe;

/// Names another layer root (default: `faasguard` next to the wrapper's executable).
pub const ROOT_VAR: &str = "FAASGUARD_SHIELD_ROOT";
/// The resolved policy as JSON ([`Effective::to_json`]).
pub const EFFECTIVE_VAR: &str = "FAASGUARD_SHIELD_EFFECTIVE";
/// The number of the private copy of stderr the in-process layer writes its lines to.
pub const LOG_FD_VAR: &str = "FAASGUARD_SHIELD_LOG_FD";

/// The `LD_PRELOAD` library, relative to the root.
pub const PRELOAD_LIB: &str = "lib/libfaasguard_shield.so";
/// The Python directory (holds `sitecustomize.py`), relative to the root.
pub const PYTHON_DIR: &str = "python";
/// The Node preload, relative to the root.
pub const NODE_PRELOAD: &str = "node/shield.cjs";

/// The layer root: `FAASGUARD_SHIELD_ROOT`, else `faasguard` in the directory of `exe`.
pub fn layer_root(var: Option<OsString>, exe: Option<&Path>) -> Option<PathBuf> {
    if let Some(v) = var.filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(v));
    }
    exe.and_then(Path::parent).map(|d| d.join("faasguard"))
}

/// The in-process pieces found under the root.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LayerFiles {
    pub preload: Option<PathBuf>,
    pub python: Option<PathBuf>,
    pub node: Option<PathBuf>,
}

/// Which pieces exist under `root`, and a `degraded` reason for each missing one.
pub fn find_layer(root: Option<&Path>) -> (LayerFiles, Vec<String>) {
    let mut degraded = Vec::new();
    let Some(root) = root else {
        degraded.push("layer: cannot locate the layer root (no executable path)".to_owned());
        return (LayerFiles::default(), degraded);
    };
    let mut found = |rel: &str, name: &str, is_ok: fn(&Path) -> bool| {
        let path = root.join(rel);
        let check = if rel == PYTHON_DIR {
            path.join("sitecustomize.py")
        } else {
            path.clone()
        };
        if is_ok(&check) && usable_in_lists(&path) {
            Some(path)
        } else if is_ok(&check) {
            degraded.push(format!(
                "{name}: {} contains a character the variable cannot carry (':' or whitespace)",
                path.display()
            ));
            None
        } else {
            degraded.push(format!("{name}: {} not found", check.display()));
            None
        }
    };
    let files = LayerFiles {
        preload: found(PRELOAD_LIB, "ld_preload", Path::is_file),
        python: found(PYTHON_DIR, "python", Path::is_file),
        node: found(NODE_PRELOAD, "node", Path::is_file),
    };
    (files, degraded)
}

/// `LD_PRELOAD` and `PYTHONPATH` split on ':' (and `LD_PRELOAD`, `NODE_OPTIONS` on spaces).
fn usable_in_lists(path: &Path) -> bool {
    !path
        .as_os_str()
        .as_bytes()
        .iter()
        .any(|b| *b == b':' || b.is_ascii_whitespace() || *b == b'"' || *b == b'\\')
}

fn contains_item(list: &OsStr, sep: impl Fn(u8) -> bool, item: &OsStr) -> bool {
    list.as_bytes()
        .split(|b| sep(*b))
        .any(|part| part == item.as_bytes())
}

fn join(first: &OsStr, sep: u8, second: &OsStr) -> OsString {
    if first.is_empty() {
        return second.to_owned();
    }
    if second.is_empty() {
        return first.to_owned();
    }
    let mut v = first.as_bytes().to_vec();
    v.push(sep);
    v.extend_from_slice(second.as_bytes());
    OsString::from_vec(v)
}

/// The variables to set for the runtime: `LD_PRELOAD` (appended), `PYTHONPATH` (prepended),
/// `NODE_OPTIONS` (`--require` appended), the effective policy and the log fd. `var` reads the
/// current environment. A piece already present (a nested wrapper) is not added twice.
pub fn layer_env(
    var: impl Fn(&str) -> Option<OsString>,
    files: &LayerFiles,
    effective: &Effective,
    log_fd: Option<i32>,
) -> Vec<(&'static str, OsString)> {
    let mut out = Vec::new();
    if let Some(lib) = &files.preload {
        let cur = var("LD_PRELOAD").unwrap_or_default();
        let is_sep = |b: u8| b == b':' || b == b' ';
        if !contains_item(&cur, is_sep, lib.as_os_str()) {
            out.push(("LD_PRELOAD", join(&cur, b':', lib.as_os_str())));
        }
    }
    if let Some(dir) = &files.python {
        let cur = var("PYTHONPATH").unwrap_or_default();
        if !contains_item(&cur, |b| b == b':', dir.as_os_str()) {
            out.push(("PYTHONPATH", join(dir.as_os_str(), b':', &cur)));
        }
    }
    if let Some(script) = &files.node {
        let cur = var("NODE_OPTIONS").unwrap_or_default();
        if !contains_item(&cur, |b| b == b' ', script.as_os_str()) {
            let mut req = OsString::from("--require ");
            req.push(script);
            out.push(("NODE_OPTIONS", join(&cur, b' ', &req)));
        }
    }
    out.push((EFFECTIVE_VAR, OsString::from(effective.to_json())));
    if let Some(fd) = log_fd {
        out.push((LOG_FD_VAR, OsString::from(fd.to_string())));
    }
    out
}

/// The runtime's environment: the current one with `changes` applied, as `KEY=VALUE` C strings.
pub fn environment(
    current: impl IntoIterator<Item = (OsString, OsString)>,
    changes: &[(&'static str, OsString)],
) -> Vec<CString> {
    let mut out = Vec::new();
    for (k, v) in current {
        if changes.iter().any(|(ck, _)| OsStr::new(ck) == k) {
            continue;
        }
        out.extend(pair(&k, &v));
    }
    for (k, v) in changes {
        out.extend(pair(OsStr::new(k), v));
    }
    out
}

fn pair(k: &OsStr, v: &OsStr) -> Option<CString> {
    let mut bytes = k.as_bytes().to_vec();
    bytes.push(b'=');
    bytes.extend_from_slice(v.as_bytes());
    CString::new(bytes).ok()
}

/// What the `init` line reports.
#[derive(Debug, Clone)]
pub struct InitReport<'a> {
    pub effective: &'a Effective,
    pub files: &'a LayerFiles,
    pub probe: &'a Probe,
    /// Landlock rule kinds applied (`tmp_write`, `tcp_connect`).
    pub landlock: &'a [&'static str],
    /// seccomp rules installed.
    pub seccomp: SeccompRules,
    pub degraded: &'a [String],
    pub setup_us: u128,
    pub ts: String,
}

impl InitReport<'_> {
    /// The `init` line (with its newline), format in docs/shield.md.
    pub fn to_line(&self) -> String {
        let p = self.probe;
        let value: Value = json!({
            "faasguard_shield": "init",
            "version": env!("CARGO_PKG_VERSION"),
            "policy": self.effective.policy.policy,
            "layers": {
                "ld_preload": self.files.preload.is_some(),
                "python": self.files.python.is_some(),
                "node": self.files.node.is_some(),
                "landlock": !self.landlock.is_empty(),
                "seccomp": self.seccomp.any(),
            },
            "kernel": {
                "release": p.release,
                "landlock_abi": p.landlock_abi,
                "seccomp_filter": p.seccomp_filter,
                "no_new_privs": p.no_new_privs || p.no_new_privs_set,
                "no_new_privs_set": p.no_new_privs_set,
                "seccomp_mode": p.seccomp_mode,
            },
            "kernel_rules": {
                "landlock": self.landlock,
                "seccomp": self.seccomp.names(),
            },
            "degraded": self.degraded,
            "setup_us": u64::try_from(self.setup_us).unwrap_or(u64::MAX),
            "ts": self.ts,
        });
        let mut line = value.to_string();
        line.push('\n');
        line
    }
}

/// Longest path the exec buffer holds (`PATH_MAX`, with its NUL).
pub const EXEC_PATH_MAX: usize = 4096;

/// One fixed, heap-allocated buffer that every path passed to `execve` goes through, so the
/// seccomp exec rule can allow exactly its address.
#[derive(Debug)]
pub struct ExecBuffer {
    buf: Box<[u8]>,
}

impl Default for ExecBuffer {
    fn default() -> Self {
        ExecBuffer {
            buf: vec![0u8; EXEC_PATH_MAX].into_boxed_slice(),
        }
    }
}

impl ExecBuffer {
    /// The address `execve` receives.
    pub fn address(&self) -> u64 {
        self.buf.as_ptr() as u64
    }

    fn set(&mut self, path: &[u8]) -> io::Result<()> {
        if path.len() >= self.buf.len() {
            return Err(io::Error::from_raw_os_error(libc::ENAMETOOLONG));
        }
        if path.contains(&0) {
            return Err(io::Error::from_raw_os_error(libc::EINVAL));
        }
        self.buf[..path.len()].copy_from_slice(path);
        self.buf[path.len()] = 0;
        Ok(())
    }

    #[allow(
        unsafe_code,
        reason = "execve(2) with NUL-terminated arrays built from owned CStrings"
    )]
    fn execve(&mut self, path: &[u8], argv: &[CString], envp: &[CString]) -> io::Error {
        if let Err(e) = self.set(path) {
            return e;
        }
        let mut argv_p: Vec<*const libc::c_char> = argv.iter().map(|a| a.as_ptr()).collect();
        argv_p.push(std::ptr::null());
        let mut envp_p: Vec<*const libc::c_char> = envp.iter().map(|e| e.as_ptr()).collect();
        envp_p.push(std::ptr::null());
        // SAFETY: `buf` is NUL-terminated (set above); `argv_p`/`envp_p` are NULL-terminated
        // arrays of pointers into CStrings that outlive the call. execve returns only on error.
        unsafe { libc::execve(self.buf.as_ptr().cast(), argv_p.as_ptr(), envp_p.as_ptr()) };
        io::Error::last_os_error()
    }

    /// `execvp` semantics through this buffer: a `command` with a '/' is run as is, any other is
    /// looked up in `path_var` (default `/bin:/usr/bin`; an empty element is the current
    /// directory); a file the kernel cannot execute (`ENOEXEC`) is run by `/bin/sh`. Returns the
    /// error when nothing could be run (`EACCES` if some candidate was not executable).
    pub fn execvp(
        &mut self,
        command: &OsStr,
        argv: &[CString],
        envp: &[CString],
        path_var: Option<&OsStr>,
    ) -> io::Error {
        let cmd = command.as_bytes();
        if cmd.is_empty() {
            return io::Error::from_raw_os_error(libc::ENOENT);
        }
        if cmd.contains(&b'/') {
            let err = self.execve(cmd, argv, envp);
            return self.maybe_shell(err, cmd, argv, envp);
        }
        let path_var = path_var.map_or(&b"/bin:/usr/bin"[..], OsStrExt::as_bytes);
        let mut saw_eacces = false;
        let mut last = io::Error::from_raw_os_error(libc::ENOENT);
        for dir in path_var.split(|b| *b == b':') {
            let mut candidate = if dir.is_empty() {
                Vec::new()
            } else {
                dir.to_vec()
            };
            if !candidate.is_empty() {
                candidate.push(b'/');
            }
            candidate.extend_from_slice(cmd);
            let err = self.execve(&candidate, argv, envp);
            let err = self.maybe_shell(err, &candidate, argv, envp);
            match err.raw_os_error() {
                Some(libc::EACCES) => saw_eacces = true,
                Some(
                    libc::ENOENT
                    | libc::ENOTDIR
                    | libc::ESTALE
                    | libc::ENODEV
                    | libc::ETIMEDOUT
                    | libc::ENAMETOOLONG,
                ) => {}
                _ => return err,
            }
            last = err;
        }
        if saw_eacces {
            io::Error::from_raw_os_error(libc::EACCES)
        } else {
            last
        }
    }

    fn maybe_shell(
        &mut self,
        err: io::Error,
        path: &[u8],
        argv: &[CString],
        envp: &[CString],
    ) -> io::Error {
        if err.raw_os_error() != Some(libc::ENOEXEC) {
            return err;
        }
        let Ok(script) = CString::new(path.to_vec()) else {
            return err;
        };
        let mut sh_argv = vec![c"/bin/sh".to_owned(), script];
        sh_argv.extend(argv.iter().skip(1).cloned());
        self.execve(b"/bin/sh", &sh_argv, envp)
    }
}

/// The command's argv as C strings (an argument with a NUL byte cannot be passed).
pub fn c_argv(args: &[OsString]) -> Result<Vec<CString>, String> {
    args.iter()
        .map(|a| {
            CString::new(a.as_bytes().to_vec())
                .map_err(|_| format!("argument `{}` contains a NUL byte", a.display()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use std::collections::HashMap;

    use super::*;
    use crate::policy::{Environment, Policy};

    /// Existing entries are kept: the library is appended, the Python dir prepended, the Node
    /// `--require` appended; nothing is added twice.
    #[test]
    fn env_additions_keep_existing_entries() {
        let files = LayerFiles {
            preload: Some("/opt/faasguard/lib/libfaasguard_shield.so".into()),
            python: Some("/opt/faasguard/python".into()),
            node: Some("/opt/faasguard/node/shield.cjs".into()),
        };
        let eff = Effective::resolve(Policy::default(), &Environment::default());
        let cur: HashMap<&str, &str> = [
            ("LD_PRELOAD", "/opt/other.so"),
            ("PYTHONPATH", "/var/task"),
            ("NODE_OPTIONS", "--max-old-space-size=100"),
        ]
        .into();
        let changes = layer_env(|k| cur.get(k).map(OsString::from), &files, &eff, Some(9));
        let get = |k: &str| {
            changes
                .iter()
                .find(|(ck, _)| *ck == k)
                .map(|(_, v)| v.to_str().unwrap().to_owned())
        };
        assert_eq!(
            get("LD_PRELOAD").unwrap(),
            "/opt/other.so:/opt/faasguard/lib/libfaasguard_shield.so"
        );
        assert_eq!(
            get("PYTHONPATH").unwrap(),
            "/opt/faasguard/python:/var/task"
        );
        assert_eq!(
            get("NODE_OPTIONS").unwrap(),
            "--max-old-space-size=100 --require /opt/faasguard/node/shield.cjs"
        );
        assert_eq!(get(LOG_FD_VAR).unwrap(), "9");
        assert_eq!(
            Effective::from_json(&get(EFFECTIVE_VAR).unwrap()).unwrap(),
            eff
        );

        let nested: HashMap<&str, String> = changes
            .iter()
            .map(|(k, v)| (*k, v.to_str().unwrap().to_owned()))
            .collect();
        let again = layer_env(|k| nested.get(k).map(OsString::from), &files, &eff, None);
        assert!(again.iter().all(|(k, _)| *k == EFFECTIVE_VAR), "{again:?}");
    }

    /// The default root is `faasguard` next to the executable; the variable wins; missing
    /// pieces are reported.
    #[test]
    fn root_and_missing_pieces() {
        assert_eq!(
            layer_root(None, Some(Path::new("/opt/faasguard-shield"))),
            Some(PathBuf::from("/opt/faasguard"))
        );
        assert_eq!(
            layer_root(Some("/x".into()), Some(Path::new("/opt/faasguard-shield"))),
            Some(PathBuf::from("/x"))
        );
        let (files, degraded) = find_layer(Some(Path::new("/nonexistent-fg-root")));
        assert_eq!(files, LayerFiles::default());
        assert_eq!(degraded.len(), 3);
        assert!(degraded[0].starts_with("ld_preload: /nonexistent-fg-root/lib/"));
    }
}
