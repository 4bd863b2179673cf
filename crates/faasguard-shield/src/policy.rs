//! The policy: FunctionShield's four controls, each `block`, `alert` or `allow`, the outbound
//! allowlist and the tmp roots, read from `FAASGUARD_SHIELD_*` variables and an optional JSON
//! file (whose keys win), then resolved with what is always allowed into an [`Effective`]
//! policy that the wrapper hands to the in-process layer as JSON.

use std::fmt;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::allow::{AllowEntry, AllowError};

/// What a control does when code does what it covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Refuse the call and write an alert.
    Block,
    /// Let the call through and write an alert.
    Alert,
    /// Nothing.
    Allow,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Block => "block",
            Mode::Alert => "alert",
            Mode::Allow => "allow",
        }
    }

    fn parse(text: &str) -> Option<Mode> {
        match text.trim().to_ascii_lowercase().as_str() {
            "block" => Some(Mode::Block),
            "alert" => Some(Mode::Alert),
            "allow" | "off" => Some(Mode::Allow),
            _ => None,
        }
    }
}

/// The four controls, with FunctionShield's names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Control {
    OutboundConnectivity,
    ReadWriteTmp,
    CreateChildProcess,
    ReadHandler,
}

impl Control {
    pub const ALL: [Control; 4] = [
        Control::OutboundConnectivity,
        Control::ReadWriteTmp,
        Control::CreateChildProcess,
        Control::ReadHandler,
    ];

    /// The policy key (`outbound_connectivity`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Control::OutboundConnectivity => "outbound_connectivity",
            Control::ReadWriteTmp => "read_write_tmp",
            Control::CreateChildProcess => "create_child_process",
            Control::ReadHandler => "read_handler",
        }
    }

    /// The environment variable that sets this control alone.
    pub fn env_var(self) -> &'static str {
        match self {
            Control::OutboundConnectivity => "FAASGUARD_SHIELD_OUTBOUND",
            Control::ReadWriteTmp => "FAASGUARD_SHIELD_TMP",
            Control::CreateChildProcess => "FAASGUARD_SHIELD_CHILD_PROCESS",
            Control::ReadHandler => "FAASGUARD_SHIELD_READ_HANDLER",
        }
    }
}

/// Whether the wrapper may start the runtime without the kernel layer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Require {
    /// Degrade to the in-process layer and say so in the `init` line.
    #[default]
    None,
    /// Refuse to start (exit 78) when the kernel layer is unavailable.
    Kernel,
}

/// The four modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Modes {
    pub outbound_connectivity: Mode,
    pub read_write_tmp: Mode,
    pub create_child_process: Mode,
    pub read_handler: Mode,
}

impl Modes {
    fn all(mode: Mode) -> Modes {
        Modes {
            outbound_connectivity: mode,
            read_write_tmp: mode,
            create_child_process: mode,
            read_handler: mode,
        }
    }

    pub fn get(&self, control: Control) -> Mode {
        match control {
            Control::OutboundConnectivity => self.outbound_connectivity,
            Control::ReadWriteTmp => self.read_write_tmp,
            Control::CreateChildProcess => self.create_child_process,
            Control::ReadHandler => self.read_handler,
        }
    }

    fn set(&mut self, control: Control, mode: Mode) {
        match control {
            Control::OutboundConnectivity => self.outbound_connectivity = mode,
            Control::ReadWriteTmp => self.read_write_tmp = mode,
            Control::CreateChildProcess => self.create_child_process = mode,
            Control::ReadHandler => self.read_handler = mode,
        }
    }
}

/// The policy as configured.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    pub policy: Modes,
    pub outbound_allow: Vec<AllowEntry>,
    pub allow_loopback: bool,
    pub tmp_paths: Vec<PathBuf>,
    pub require: Require,
    /// Kernel-level alert mode: a seccomp user-notification supervisor reports the calls of the
    /// controls in `alert` mode (`FAASGUARD_SHIELD_KERNEL_ALERT`, key `kernel_alert`; off by
    /// default).
    #[serde(default)]
    pub kernel_alert: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            policy: Modes::all(Mode::Alert),
            outbound_allow: Vec::new(),
            allow_loopback: true,
            tmp_paths: vec![PathBuf::from("/tmp")],
            require: Require::None,
            kernel_alert: false,
        }
    }
}

/// Why the policy cannot be read. The wrapper reports it and starts the runtime in `alert`
/// mode for everything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyError {
    /// A variable holds a value it cannot.
    Env {
        var: &'static str,
        value: String,
        expected: &'static str,
    },
    Allow(AllowError),
    /// The policy file cannot be read or parsed (serde's message names the line and column).
    File {
        path: PathBuf,
        cause: String,
    },
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PolicyError::Env {
                var,
                value,
                expected,
            } => {
                write!(f, "{var}={value:?}: expected {expected}")
            }
            PolicyError::Allow(e) => e.fmt(f),
            PolicyError::File { path, cause } => write!(f, "{}: {cause}", path.display()),
        }
    }
}

impl std::error::Error for PolicyError {}

/// Largest policy file read.
pub const MAX_POLICY_FILE_BYTES: u64 = 256 * 1024;

/// The policy file: every key optional; `policy` may name some controls only.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFile {
    #[serde(default)]
    policy: Option<PolicyFileModes>,
    #[serde(default)]
    outbound_allow: Option<Vec<String>>,
    #[serde(default)]
    allow_loopback: Option<bool>,
    #[serde(default)]
    tmp_paths: Option<Vec<PathBuf>>,
    #[serde(default)]
    require: Option<Require>,
    #[serde(default)]
    kernel_alert: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFileModes {
    outbound_connectivity: Option<Mode>,
    read_write_tmp: Option<Mode>,
    create_child_process: Option<Mode>,
    read_handler: Option<Mode>,
}

fn parse_allow_list<'a>(
    items: impl IntoIterator<Item = &'a str>,
) -> Result<Vec<AllowEntry>, AllowError> {
    let mut out = Vec::new();
    for item in items {
        if item.trim().is_empty() {
            continue;
        }
        out.extend(AllowEntry::parse(item)?);
    }
    Ok(out)
}

impl Policy {
    /// The policy from the environment (`var` reads one variable), then the file named by
    /// `FAASGUARD_SHIELD_POLICY`, whose keys win.
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Result<Policy, PolicyError> {
        let mut p = Policy::default();
        if let Some(value) = var("FAASGUARD_SHIELD_MODE") {
            let mode = Mode::parse(&value).ok_or(PolicyError::Env {
                var: "FAASGUARD_SHIELD_MODE",
                value: value.clone(),
                expected: "block, alert or off",
            })?;
            p.policy = Modes::all(mode);
        }
        for control in Control::ALL {
            if let Some(value) = var(control.env_var()) {
                let mode = Mode::parse(&value).ok_or(PolicyError::Env {
                    var: control.env_var(),
                    value: value.clone(),
                    expected: "block, alert or allow",
                })?;
                p.policy.set(control, mode);
            }
        }
        if let Some(value) = var("FAASGUARD_SHIELD_ALLOW") {
            p.outbound_allow = parse_allow_list(value.split(',')).map_err(PolicyError::Allow)?;
        }
        if let Some(value) = var("FAASGUARD_SHIELD_ALLOW_LOOPBACK") {
            p.allow_loopback = match value.trim().to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" => true,
                "false" | "0" | "no" => false,
                _ => {
                    return Err(PolicyError::Env {
                        var: "FAASGUARD_SHIELD_ALLOW_LOOPBACK",
                        value,
                        expected: "true or false",
                    });
                }
            };
        }
        if let Some(value) = var("FAASGUARD_SHIELD_TMP_PATHS") {
            p.tmp_paths = value
                .split(':')
                .filter(|s| !s.is_empty())
                .map(PathBuf::from)
                .collect();
        }
        if let Some(value) = var("FAASGUARD_SHIELD_REQUIRE") {
            p.require = match value.trim().to_ascii_lowercase().as_str() {
                "none" | "" => Require::None,
                "kernel" => Require::Kernel,
                _ => {
                    return Err(PolicyError::Env {
                        var: "FAASGUARD_SHIELD_REQUIRE",
                        value,
                        expected: "none or kernel",
                    });
                }
            };
        }
        if let Some(value) = var("FAASGUARD_SHIELD_KERNEL_ALERT") {
            p.kernel_alert = match value.trim().to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" => true,
                "false" | "0" | "no" | "" => false,
                _ => {
                    return Err(PolicyError::Env {
                        var: "FAASGUARD_SHIELD_KERNEL_ALERT",
                        value,
                        expected: "true or false",
                    });
                }
            };
        }
        if let Some(path) = var("FAASGUARD_SHIELD_POLICY").filter(|p| !p.trim().is_empty()) {
            p.apply_file(Path::new(&path))?;
        }
        if p.tmp_paths.iter().any(|t| !t.is_absolute()) {
            return Err(PolicyError::Env {
                var: "FAASGUARD_SHIELD_TMP_PATHS",
                value: format!("{:?}", p.tmp_paths),
                expected: "absolute paths",
            });
        }
        Ok(p)
    }

    /// Applies the keys of the JSON policy file at `path`.
    pub fn apply_file(&mut self, path: &Path) -> Result<(), PolicyError> {
        let file_err = |cause: String| PolicyError::File {
            path: path.to_owned(),
            cause,
        };
        let meta = std::fs::metadata(path).map_err(|e| file_err(e.to_string()))?;
        if meta.len() > MAX_POLICY_FILE_BYTES {
            return Err(file_err(format!(
                "larger than {MAX_POLICY_FILE_BYTES} bytes"
            )));
        }
        let text = std::fs::read_to_string(path).map_err(|e| file_err(e.to_string()))?;
        self.apply_json(&text).map_err(file_err)
    }

    /// Applies the keys of a JSON policy document.
    pub fn apply_json(&mut self, text: &str) -> Result<(), String> {
        let file: PolicyFile = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if let Some(modes) = file.policy {
            for (control, mode) in [
                (Control::OutboundConnectivity, modes.outbound_connectivity),
                (Control::ReadWriteTmp, modes.read_write_tmp),
                (Control::CreateChildProcess, modes.create_child_process),
                (Control::ReadHandler, modes.read_handler),
            ] {
                if let Some(mode) = mode {
                    self.policy.set(control, mode);
                }
            }
        }
        if let Some(list) = file.outbound_allow {
            self.outbound_allow =
                parse_allow_list(list.iter().map(String::as_str)).map_err(|e| e.to_string())?;
        }
        if let Some(v) = file.allow_loopback {
            self.allow_loopback = v;
        }
        if let Some(v) = file.tmp_paths {
            self.tmp_paths = v;
        }
        if let Some(v) = file.require {
            self.require = v;
        }
        if let Some(v) = file.kernel_alert {
            self.kernel_alert = v;
        }
        Ok(())
    }

    /// Everything in `alert` mode: what the wrapper runs with when the policy is bad.
    pub fn alert_everything() -> Policy {
        Policy::default()
    }

    /// Whether any control blocks.
    pub fn blocks_anything(&self) -> bool {
        Control::ALL
            .into_iter()
            .any(|c| self.policy.get(c) == Mode::Block)
    }
}

/// The policy with what is always allowed resolved: the Runtime API, the DNS resolvers and the
/// handler's source files. The wrapper passes it to the in-process layer as JSON in
/// `FAASGUARD_SHIELD_EFFECTIVE`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Effective {
    #[serde(flatten)]
    pub policy: Policy,
    /// The Runtime API's addresses (`AWS_LAMBDA_RUNTIME_API`), always reachable.
    pub runtime_api: Vec<SocketAddr>,
    /// The resolvers of /etc/resolv.conf, reachable on port 53.
    pub resolvers: Vec<IpAddr>,
    /// The handler's source files, guarded by `read_handler` after init.
    pub handler_files: Vec<PathBuf>,
}

/// Where things are, for [`Effective::resolve`]: the environment and the resolver file.
#[derive(Debug, Clone, Default)]
pub struct Environment {
    /// `AWS_LAMBDA_RUNTIME_API` (`host:port`).
    pub runtime_api: Option<String>,
    /// `LAMBDA_TASK_ROOT`.
    pub task_root: Option<PathBuf>,
    /// `_HANDLER` (`module.function`, `dir/module.function`).
    pub handler: Option<String>,
    /// The text of /etc/resolv.conf.
    pub resolv_conf: Option<String>,
}

impl Environment {
    /// From the process environment and /etc/resolv.conf.
    pub fn current() -> Environment {
        Environment {
            runtime_api: std::env::var("AWS_LAMBDA_RUNTIME_API").ok(),
            task_root: std::env::var_os("LAMBDA_TASK_ROOT").map(PathBuf::from),
            handler: std::env::var("_HANDLER").ok(),
            resolv_conf: std::fs::read_to_string("/etc/resolv.conf").ok(),
        }
    }
}

/// The nameserver addresses of a resolv.conf text.
pub fn nameservers(text: &str) -> Vec<IpAddr> {
    text.lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            (words.next() == Some("nameserver"))
                .then(|| words.next())
                .flatten()
                .and_then(|w| w.split('%').next())
                .and_then(|w| w.parse::<IpAddr>().ok())
        })
        .map(crate::allow::canonical)
        .collect()
}

/// The source files a Lambda `_HANDLER` names under `task_root`: `dir/module.function` →
/// `dir/module.py`, `.js`, `.mjs`, `.cjs` (those that exist; all candidates when none does, so
/// a file created later is still guarded).
pub fn handler_files(task_root: &Path, handler: &str) -> Vec<PathBuf> {
    let Some((module, _function)) = handler.rsplit_once('.') else {
        return Vec::new();
    };
    if module.is_empty() || module.split('/').any(|part| part == "..") {
        return Vec::new();
    }
    let candidates: Vec<PathBuf> = ["py", "js", "mjs", "cjs"]
        .iter()
        .map(|ext| task_root.join(format!("{module}.{ext}")))
        .collect();
    let existing: Vec<PathBuf> = candidates.iter().filter(|p| p.is_file()).cloned().collect();
    if existing.is_empty() {
        candidates
    } else {
        existing
    }
}

impl Effective {
    /// Resolves `policy` in `env`. The Runtime API host is resolved now (it is an address or
    /// `localhost` in Lambda).
    pub fn resolve(policy: Policy, env: &Environment) -> Effective {
        let runtime_api = env
            .runtime_api
            .as_deref()
            .and_then(|a| a.to_socket_addrs().ok())
            .map(|addrs| {
                addrs
                    .map(|a| SocketAddr::new(crate::allow::canonical(a.ip()), a.port()))
                    .collect()
            })
            .unwrap_or_default();
        let resolvers = env
            .resolv_conf
            .as_deref()
            .map(nameservers)
            .unwrap_or_default();
        let handler_files = match (&env.task_root, &env.handler) {
            (Some(root), Some(handler)) => handler_files(root, handler),
            _ => Vec::new(),
        };
        Effective {
            policy,
            runtime_api,
            resolvers,
            handler_files,
        }
    }

    /// Whether a connection or datagram to `ip:port` (looked up as `host`, if known) is
    /// allowed without an alert: the Runtime API, a resolver on port 53, loopback (unless
    /// disabled) or an allowlist entry.
    pub fn outbound_allowed(&self, host: Option<&str>, ip: IpAddr, port: u16) -> bool {
        let ip = crate::allow::canonical(ip);
        self.runtime_api
            .iter()
            .any(|a| a.ip() == ip && a.port() == port)
            || (port == 53 && self.resolvers.contains(&ip))
            || (self.policy.allow_loopback && crate::allow::is_loopback(ip))
            || self
                .policy
                .outbound_allow
                .iter()
                .any(|e| e.matches(host, ip, port))
    }

    /// Whether `path` (absolute, normalised) is under one of the tmp roots.
    pub fn under_tmp(&self, path: &Path) -> bool {
        self.policy
            .tmp_paths
            .iter()
            .any(|root| path.starts_with(root))
    }

    /// The JSON handed to the in-process layer.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads what [`Effective::to_json`] wrote.
    pub fn from_json(text: &str) -> Result<Effective, String> {
        serde_json::from_str(text).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use std::collections::HashMap;

    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |k| map.get(k).cloned()
    }

    /// The mode sets every control, a control's variable overrides it, and the file's keys
    /// win over both; bad values name the variable.
    #[test]
    fn env_then_file_precedence() {
        let p = Policy::from_env(env(&[])).unwrap();
        assert_eq!(p, Policy::default());
        let p = Policy::from_env(env(&[
            ("FAASGUARD_SHIELD_MODE", "block"),
            ("FAASGUARD_SHIELD_TMP", "alert"),
            (
                "FAASGUARD_SHIELD_ALLOW",
                "aws, api.stripe.com:443,,10.0.0.0/8",
            ),
            ("FAASGUARD_SHIELD_ALLOW_LOOPBACK", "false"),
            ("FAASGUARD_SHIELD_TMP_PATHS", "/tmp:/var/scratch"),
        ]))
        .unwrap();
        assert_eq!(p.policy.get(Control::OutboundConnectivity), Mode::Block);
        assert_eq!(p.policy.get(Control::ReadWriteTmp), Mode::Alert);
        assert_eq!(p.outbound_allow.len(), 5);
        assert!(!p.allow_loopback);
        assert_eq!(
            p.tmp_paths,
            [PathBuf::from("/tmp"), PathBuf::from("/var/scratch")]
        );

        let dir = std::env::temp_dir().join(format!("fg-shield-policy-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("policy.json");
        std::fs::write(
            &file,
            r#"{"policy": {"read_handler": "allow"}, "outbound_allow": ["*.example.org"], "require": "kernel"}"#,
        )
        .unwrap();
        let p = Policy::from_env(env(&[
            ("FAASGUARD_SHIELD_MODE", "block"),
            ("FAASGUARD_SHIELD_ALLOW", "api.stripe.com"),
            ("FAASGUARD_SHIELD_POLICY", file.to_str().unwrap()),
        ]))
        .unwrap();
        assert_eq!(p.policy.get(Control::ReadHandler), Mode::Allow);
        assert_eq!(p.policy.get(Control::CreateChildProcess), Mode::Block);
        assert_eq!(p.outbound_allow.len(), 1);
        assert_eq!(p.require, Require::Kernel);

        std::fs::write(&file, "{\n  \"policy\": {\"read_handler\": \"maybe\"}\n}").unwrap();
        let err = Policy::from_env(env(&[("FAASGUARD_SHIELD_POLICY", file.to_str().unwrap())]))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("policy.json") && err.contains("line 2"),
            "{err}"
        );
        std::fs::write(&file, r#"{"polcy": {}}"#).unwrap();
        let err = Policy::from_env(env(&[("FAASGUARD_SHIELD_POLICY", file.to_str().unwrap())]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown field `polcy`"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();

        for (var, value) in [
            ("FAASGUARD_SHIELD_MODE", "maybe"),
            ("FAASGUARD_SHIELD_OUTBOUND", "deny"),
            ("FAASGUARD_SHIELD_ALLOW_LOOPBACK", "perhaps"),
            ("FAASGUARD_SHIELD_REQUIRE", "always"),
            ("FAASGUARD_SHIELD_TMP_PATHS", "tmp"),
            ("FAASGUARD_SHIELD_ALLOW", "bad host"),
        ] {
            let err = Policy::from_env(env(&[(var, value)]))
                .unwrap_err()
                .to_string();
            assert!(
                err.contains(var) || err.contains("bad host"),
                "{var}: {err}"
            );
        }
        let missing = Policy::from_env(env(&[("FAASGUARD_SHIELD_POLICY", "/nonexistent/p.json")]))
            .unwrap_err()
            .to_string();
        assert!(missing.starts_with("/nonexistent/p.json: "), "{missing}");
    }

    /// `FAASGUARD_SHIELD_KERNEL_ALERT` switches kernel-level alert mode on (off by default),
    /// the file's `kernel_alert` key wins, a bad value names the variable, and a resolved
    /// policy without the key (an older wrapper's JSON) reads as off.
    #[test]
    fn kernel_alert_switch() {
        assert!(!Policy::from_env(env(&[])).unwrap().kernel_alert);
        let on = Policy::from_env(env(&[("FAASGUARD_SHIELD_KERNEL_ALERT", "true")])).unwrap();
        assert!(on.kernel_alert);
        let err = Policy::from_env(env(&[("FAASGUARD_SHIELD_KERNEL_ALERT", "sometimes")]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("FAASGUARD_SHIELD_KERNEL_ALERT"), "{err}");
        let mut p = on.clone();
        p.apply_json(r#"{"kernel_alert": false}"#).unwrap();
        assert!(!p.kernel_alert);
        p.apply_json(r#"{"kernel_alert": true}"#).unwrap();
        assert!(p.kernel_alert);
        let mut json: serde_json::Value =
            serde_json::from_str(&Effective::resolve(on, &Environment::default()).to_json())
                .unwrap();
        json.as_object_mut().unwrap().remove("kernel_alert");
        assert!(
            !Effective::from_json(&json.to_string())
                .unwrap()
                .policy
                .kernel_alert
        );
    }

    /// The Runtime API, resolvers on port 53 and loopback are allowed; loopback can be
    /// refused; handler files come from `_HANDLER`; the JSON round-trips.
    #[test]
    fn effective_policy() {
        let mut policy =
            Policy::from_env(env(&[("FAASGUARD_SHIELD_ALLOW", "*.example.org:443")])).unwrap();
        let e = Effective::resolve(
            policy.clone(),
            &Environment {
                runtime_api: Some("127.0.0.1:9001".into()),
                task_root: Some(PathBuf::from("/var/task")),
                handler: Some("src/app.handler".into()),
                resolv_conf: Some(
                    "# comment\nnameserver 169.254.78.1\nnameserver fe80::1%eth0\nsearch x\n"
                        .into(),
                ),
            },
        );
        assert_eq!(e.runtime_api, ["127.0.0.1:9001".parse().unwrap()]);
        assert_eq!(
            e.resolvers,
            [
                "169.254.78.1".parse::<IpAddr>().unwrap(),
                "fe80::1".parse().unwrap()
            ]
        );
        assert_eq!(e.handler_files.len(), 4);
        assert!(
            e.handler_files
                .contains(&PathBuf::from("/var/task/src/app.py"))
        );
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert!(e.outbound_allowed(None, ip("169.254.78.1"), 53));
        assert!(!e.outbound_allowed(None, ip("169.254.78.1"), 80));
        assert!(e.outbound_allowed(None, ip("127.0.0.1"), 5432));
        assert!(e.outbound_allowed(Some("api.example.org"), ip("203.0.113.5"), 443));
        assert!(!e.outbound_allowed(Some("api.example.com"), ip("203.0.113.5"), 443));
        assert!(e.under_tmp(Path::new("/tmp/x/y")) && !e.under_tmp(Path::new("/tmpfoo")));
        assert_eq!(Effective::from_json(&e.to_json()).unwrap(), e);

        policy.allow_loopback = false;
        let strict = Effective::resolve(
            policy,
            &Environment {
                runtime_api: Some("127.0.0.1:9001".into()),
                ..Environment::default()
            },
        );
        assert!(
            strict.outbound_allowed(None, ip("127.0.0.1"), 9001),
            "the Runtime API stays reachable"
        );
        assert!(!strict.outbound_allowed(None, ip("127.0.0.1"), 5432));
        assert!(handler_files(Path::new("/var/task"), "../etc/passwd.x").is_empty());
        assert!(handler_files(Path::new("/var/task"), "nodot").is_empty());
    }
}
