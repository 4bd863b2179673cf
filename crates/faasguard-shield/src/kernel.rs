//! The kernel layer: Landlock and a seccomp-bpf filter, applied by the wrapper to itself just
//! before it execs the runtime, only for controls in `block` mode and only where the
//! [`Probe`](crate::probe::Probe) says the kernel allows it. It is used in addition to the
//! in-process layer, never instead of it.
//!
//! - **Landlock, file system** (`read_write_tmp: block`): Landlock rules only grant, so the
//!   ruleset *handles* the write rights (write, truncate, create, remove, rename/link) and
//!   grants them on the complement of the tmp roots: every entry of every ancestor of a root,
//!   except the way down to a root ([`write_complement`]). Reads are not handled, so they stay
//!   allowed. Entries created later directly in an ancestor are not covered, and new entries in
//!   the ancestors themselves are refused; in Lambda only `/tmp` is writable, so this is
//!   harmless there. Symbolic links among the siblings are skipped (a grant on a link would
//!   follow it, possibly into a tmp root); what they point at is covered by its own entry.
//! - **Landlock, TCP** (`outbound_connectivity: block`, ABI ≥ 4): connect is allowed only to
//!   the allowlist's ports, the Runtime API's port and 53 ([`connect_ports`]). Landlock matches
//!   ports, not hosts: an allowed port is open to every host. So when the policy allows
//!   something that a port list cannot express — loopback on any port (`allow_loopback`, the
//!   default) or an allowlist entry without a port — the port rule would refuse allowed
//!   traffic; the wrapper then leaves TCP to the in-process layer and says so in `degraded`.
//!   The Runtime API's port is always in the list, so the rule never cuts the runtime off.
//! - **seccomp** (any control in `block`): `execve` is refused with `EPERM` unless its path
//!   argument is the exact pointer of the wrapper's own exec buffer, and `execveat` always
//!   (`create_child_process: block`); `io_uring_setup` is refused (io_uring would bypass the
//!   in-process hooks); `sendto`/`sendmsg`/`sendmmsg` with `MSG_FASTOPEN` and
//!   `setsockopt(IPPROTO_TCP, TCP_FASTOPEN_CONNECT)` are refused (`outbound_connectivity:
//!   block`: TCP Fast Open gets past Landlock's connect rule). The pointer rule is sound for
//!   the wrapper's one exec; after it the address space is replaced, and native code that maps
//!   memory at that same address and execs from it gets through (a documented limit).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use landlock::{
    ABI, AccessFs, AccessNet, NetPort, Ruleset, RulesetAttr, RulesetCreatedAttr, RulesetStatus,
    path_beneath_rules,
};
use seccompiler::{
    BpfProgram, SeccompAction, SeccompCmpArgLen, SeccompCmpOp, SeccompCondition, SeccompFilter,
    SeccompRule, TargetArch,
};

use crate::policy::{Control, Effective, Mode};
use crate::probe::Probe;

/// The DNS port, always allowed (resolvers fall back to TCP for large answers).
pub const DNS_PORT: u16 = 53;

/// The first Landlock ABI with TCP connect rules.
pub const LANDLOCK_NET_ABI: i32 = 4;

/// The seccomp rules the filter can hold.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SeccompRules {
    /// `execve` only through the wrapper's exec buffer; `execveat` never.
    pub exec: bool,
    /// `io_uring_setup` refused.
    pub io_uring: bool,
    /// `MSG_FASTOPEN` sends and `TCP_FASTOPEN_CONNECT` refused.
    pub tcp_fastopen: bool,
}

impl SeccompRules {
    pub fn any(self) -> bool {
        self.exec || self.io_uring || self.tcp_fastopen
    }

    /// The rule names, as the `init` line lists them.
    pub fn names(self) -> Vec<&'static str> {
        flag_names(&[
            (self.exec, "exec"),
            (self.io_uring, "io_uring"),
            (self.tcp_fastopen, "tcp_fastopen"),
        ])
    }
}

/// The names whose flag is set, in order (the rule lists of the `init` line).
pub(crate) fn flag_names(flags: &[(bool, &'static str)]) -> Vec<&'static str> {
    flags
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, name)| *name)
        .collect()
}

/// What the kernel layer will do, decided from the policy and the probe.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// Landlock: no writes under these (canonical) tmp roots.
    pub landlock_tmp: Option<Vec<PathBuf>>,
    /// Landlock: TCP connect only to these ports.
    pub landlock_ports: Option<Vec<u16>>,
    /// The seccomp filter's rules (none = no filter).
    pub seccomp: SeccompRules,
    /// Kernel protection the policy asks for that the kernel cannot give (`unavailable`), or the
    /// policy cannot be expressed in (`inexpressible`), each as `"<layer>: <reason>"`.
    pub degraded: Vec<String>,
    /// Some part was wanted but the kernel lacks the mechanism (`FAASGUARD_SHIELD_REQUIRE=kernel`
    /// refuses to start then).
    pub unavailable: bool,
}

impl Plan {
    /// Decides the kernel layer. `runtime_api` is the raw `AWS_LAMBDA_RUNTIME_API` value (its
    /// port is allowed even when the host could not be resolved).
    pub fn new(effective: &Effective, probe: &Probe, runtime_api: Option<&str>) -> Plan {
        let modes = &effective.policy.policy;
        let mut plan = Plan::default();
        let tmp_block = modes.get(Control::ReadWriteTmp) == Mode::Block;
        let out_block = modes.get(Control::OutboundConnectivity) == Mode::Block;
        let exec_block = modes.get(Control::CreateChildProcess) == Mode::Block;
        if tmp_block || out_block {
            if probe.landlock_abi < 1 {
                plan.unavailable = true;
                plan.degraded.push(format!(
                    "landlock: not available ({})",
                    errno_text(probe.landlock_errno)
                ));
            } else {
                if tmp_block {
                    let roots = canonical_roots(&effective.policy.tmp_paths);
                    plan.landlock_tmp = Some(roots);
                }
                if out_block {
                    if probe.landlock_abi < LANDLOCK_NET_ABI {
                        plan.unavailable = true;
                        plan.degraded.push(format!(
                            "landlock: ABI {} has no TCP rules (needs {LANDLOCK_NET_ABI})",
                            probe.landlock_abi
                        ));
                    } else {
                        match connect_ports(effective, runtime_api) {
                            Ok(ports) => plan.landlock_ports = Some(ports),
                            Err(why) => plan.degraded.push(format!("landlock: {why}")),
                        }
                    }
                }
            }
        }
        let wanted = SeccompRules {
            exec: exec_block,
            io_uring: effective.policy.blocks_anything(),
            tcp_fastopen: out_block,
        };
        if wanted.any() {
            if probe.seccomp_filter {
                plan.seccomp = wanted;
            } else {
                plan.unavailable = true;
                let why = if probe.no_new_privs || probe.no_new_privs_set {
                    format!(
                        "filter install refused ({})",
                        errno_text(probe.seccomp_filter_errno)
                    )
                } else {
                    format!(
                        "prctl refused ({}), filter install refused ({})",
                        errno_text(probe.no_new_privs_errno),
                        errno_text(probe.seccomp_filter_errno)
                    )
                };
                plan.degraded.push(format!("seccomp: {why}"));
            }
        }
        plan
    }
}

pub(crate) fn errno_text(errno: Option<i32>) -> String {
    match errno {
        Some(e) => {
            let err = std::io::Error::from_raw_os_error(e);
            let name = match e {
                libc::ENOSYS => "ENOSYS",
                libc::EPERM => "EPERM",
                libc::EACCES => "EACCES",
                libc::EINVAL => "EINVAL",
                libc::EOPNOTSUPP => "EOPNOTSUPP",
                _ => "",
            };
            let mut text = String::new();
            if name.is_empty() {
                let _ = write!(text, "errno {e}");
            } else {
                text.push_str(name);
            }
            let msg = err.to_string();
            let msg = msg.split(" (os error").next().unwrap_or_default();
            let _ = write!(text, ": {msg}");
            text
        }
        None => "unknown cause".to_owned(),
    }
}

fn canonical_roots(roots: &[PathBuf]) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = roots
        .iter()
        .map(|r| std::fs::canonicalize(r).unwrap_or_else(|_| r.clone()))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The TCP ports Landlock may allow for `connect`, or why a port list cannot express the
/// policy: the allowlist's ports (`aws` → 443), the Runtime API's port, and 53.
pub fn connect_ports(effective: &Effective, runtime_api: Option<&str>) -> Result<Vec<u16>, String> {
    if effective.policy.allow_loopback {
        return Err(
            "TCP port rule not applied: loopback is allowed on every port and \
             Landlock cannot tell loopback from other hosts (set allow_loopback to false \
             to get it)"
                .to_owned(),
        );
    }
    let mut ports = vec![DNS_PORT];
    for entry in &effective.policy.outbound_allow {
        match entry.port {
            Some(p) => ports.push(p),
            None => {
                return Err(format!(
                    "TCP port rule not applied: the outbound allowlist entry {entry} has no port \
                     and Landlock matches ports only"
                ));
            }
        }
    }
    ports.extend(effective.runtime_api.iter().map(std::net::SocketAddr::port));
    if let Some(port) = runtime_api
        .and_then(|a| a.rsplit_once(':'))
        .and_then(|(_, p)| p.parse::<u16>().ok())
    {
        ports.push(port);
    }
    ports.sort_unstable();
    ports.dedup();
    Ok(ports)
}

/// The paths to grant write access on so that everything but the `roots` stays writable: for
/// every proper ancestor of a root, its entries that are neither a root nor an ancestor of one,
/// skipping symbolic links. `roots` must be absolute and canonical.
pub fn write_complement(roots: &[PathBuf]) -> Vec<PathBuf> {
    let is_root_or_ancestor = |p: &Path| roots.iter().any(|r| r.starts_with(p));
    let mut ancestors: Vec<&Path> = roots.iter().flat_map(|r| r.ancestors().skip(1)).collect();
    ancestors.sort();
    ancestors.dedup();
    let mut out = Vec::new();
    for dir in ancestors {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if is_root_or_ancestor(&path) {
                continue;
            }
            match entry.file_type() {
                Ok(t) if !t.is_symlink() => out.push(path),
                _ => {}
            }
        }
    }
    out.sort();
    out
}

/// The write rights the file-system rule handles (ABI 3: write, truncate, create, remove,
/// rename and link; device ioctls are left alone).
fn fs_write_access() -> landlock::BitFlags<AccessFs> {
    AccessFs::from_write(ABI::V3)
}

/// What applying Landlock did: the rule kinds enforced (`tmp_write`, `tcp_connect`).
pub fn apply_landlock(plan: &Plan) -> Result<Vec<&'static str>, String> {
    let mut kinds = Vec::new();
    if plan.landlock_tmp.is_none() && plan.landlock_ports.is_none() {
        return Ok(kinds);
    }
    let err = |e: landlock::RulesetError| format!("landlock: {e}");
    let mut ruleset = Ruleset::default();
    if plan.landlock_tmp.is_some() {
        ruleset = ruleset.handle_access(fs_write_access()).map_err(err)?;
    }
    if plan.landlock_ports.is_some() {
        ruleset = ruleset.handle_access(AccessNet::ConnectTcp).map_err(err)?;
    }
    let mut created = ruleset.create().map_err(err)?;
    if let Some(roots) = &plan.landlock_tmp {
        let grants = write_complement(roots);
        created = created
            .add_rules(path_beneath_rules(&grants, fs_write_access()))
            .map_err(err)?;
        kinds.push("tmp_write");
    }
    if let Some(ports) = &plan.landlock_ports {
        for port in ports {
            created = created
                .add_rule(NetPort::new(*port, AccessNet::ConnectTcp))
                .map_err(err)?;
        }
        kinds.push("tcp_connect");
    }
    let status = created.restrict_self().map_err(err)?;
    match status.ruleset {
        RulesetStatus::FullyEnforced | RulesetStatus::PartiallyEnforced => Ok(kinds),
        RulesetStatus::NotEnforced => Err("landlock: ruleset not enforced".to_owned()),
    }
}

/// x32 system calls carry this bit on x86_64 (the filter lists them too, in case the kernel
/// has the x32 ABI on).
pub(crate) const X32_SYSCALL_BIT: i64 = 0x4000_0000;

/// Syscall numbers: (native, x32) for x86_64; (native, none) elsewhere.
pub(crate) fn numbers(native: libc::c_long, x32: Option<i64>) -> Vec<i64> {
    let mut out = vec![native];
    if cfg!(target_arch = "x86_64")
        && let Some(n) = x32
    {
        out.push(X32_SYSCALL_BIT | n);
    }
    out
}

pub(crate) fn cond(
    arg: u8,
    len: SeccompCmpArgLen,
    op: SeccompCmpOp,
    value: u64,
) -> Result<SeccompCondition, String> {
    SeccompCondition::new(arg, len, op, value).map_err(|e| e.to_string())
}

pub(crate) fn rule(conditions: Vec<SeccompCondition>) -> Result<SeccompRule, String> {
    SeccompRule::new(conditions).map_err(|e| e.to_string())
}

/// The seccomp program: `EPERM` for what `rules` names, everything else allowed. `exec_path`
/// is the address of the buffer holding the path the wrapper passes to `execve`.
pub fn seccomp_program(rules: SeccompRules, exec_path: u64) -> Result<BpfProgram, String> {
    use SeccompCmpArgLen::{Dword, Qword};
    use SeccompCmpOp::{Eq, MaskedEq, Ne};
    let arch = TargetArch::try_from(std::env::consts::ARCH).map_err(|e| e.to_string())?;
    let mut map: BTreeMap<i64, Vec<SeccompRule>> = BTreeMap::new();
    if rules.exec {
        for nr in numbers(libc::SYS_execve, Some(520)) {
            map.insert(nr, vec![rule(vec![cond(0, Qword, Ne, exec_path)?])?]);
        }
        for nr in numbers(libc::SYS_execveat, Some(545)) {
            map.insert(nr, Vec::new());
        }
    }
    if rules.io_uring {
        for nr in numbers(libc::SYS_io_uring_setup, Some(425)) {
            map.insert(nr, Vec::new());
        }
    }
    if rules.tcp_fastopen {
        let fastopen = u64::try_from(libc::MSG_FASTOPEN).unwrap_or(0x2000_0000);
        let flag = |arg| -> Result<Vec<SeccompRule>, String> {
            Ok(vec![rule(vec![cond(
                arg,
                Dword,
                MaskedEq(fastopen),
                fastopen,
            )?])?])
        };
        for nr in numbers(libc::SYS_sendto, Some(44)) {
            map.insert(nr, flag(3)?);
        }
        for nr in numbers(libc::SYS_sendmsg, Some(518)) {
            map.insert(nr, flag(2)?);
        }
        for nr in numbers(libc::SYS_sendmmsg, Some(538)) {
            map.insert(nr, flag(3)?);
        }
        let level = u64::try_from(libc::IPPROTO_TCP).unwrap_or(6);
        let opt = u64::try_from(libc::TCP_FASTOPEN_CONNECT).unwrap_or(30);
        for nr in numbers(libc::SYS_setsockopt, Some(541)) {
            map.insert(
                nr,
                vec![rule(vec![
                    cond(1, Dword, Eq, level)?,
                    cond(2, Dword, Eq, opt)?,
                ])?],
            );
        }
    }
    let errno = u32::try_from(libc::EPERM).unwrap_or(1);
    let filter = SeccompFilter::new(map, SeccompAction::Allow, SeccompAction::Errno(errno), arch)
        .map_err(|e| e.to_string())?;
    BpfProgram::try_from(filter).map_err(|e| e.to_string())
}

/// Installs `program` on the calling thread (the wrapper is single-threaded here); it sets
/// no-new-privs first.
pub fn apply_seccomp(program: &BpfProgram) -> Result<(), String> {
    seccompiler::apply_filter(program).map_err(|e| format!("seccomp: {e}"))
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
        let policy = Policy::from_env(|k| map.get(k).cloned()).unwrap();
        Effective::resolve(
            policy,
            &Environment {
                runtime_api: Some("127.0.0.1:9001".into()),
                ..Environment::default()
            },
        )
    }

    /// The port list holds the allowlist's ports, `aws` as 443, the Runtime API and 53; a
    /// port-less entry or loopback-on-any-port makes the rule inexpressible.
    #[test]
    fn ports_from_the_policy() {
        let e = effective(&[
            ("FAASGUARD_SHIELD_ALLOW", "aws,db.example.org:5432"),
            ("FAASGUARD_SHIELD_ALLOW_LOOPBACK", "false"),
        ]);
        assert_eq!(
            connect_ports(&e, Some("localhost:9002")).unwrap(),
            [53, 443, 5432, 9001, 9002]
        );
        let e = effective(&[
            ("FAASGUARD_SHIELD_ALLOW", "10.0.0.0/8"),
            ("FAASGUARD_SHIELD_ALLOW_LOOPBACK", "false"),
        ]);
        assert!(connect_ports(&e, None).unwrap_err().contains("10.0.0.0/8"));
        let e = effective(&[]);
        assert!(connect_ports(&e, None).unwrap_err().contains("loopback"));
    }

    /// The complement of a root holds its siblings and its ancestors' siblings, never the root,
    /// its ancestors or a symbolic link.
    #[test]
    fn complement_of_a_tmp_root() {
        let base =
            std::env::temp_dir().join(format!("fg-shield-complement-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        std::fs::create_dir_all(base.join("a/tmp/inner")).unwrap();
        std::fs::create_dir_all(base.join("a/sibling")).unwrap();
        std::fs::write(base.join("a/file"), "x").unwrap();
        std::os::unix::fs::symlink(base.join("a/tmp"), base.join("a/link")).unwrap();
        std::fs::create_dir_all(base.join("b")).unwrap();
        let root = std::fs::canonicalize(base.join("a/tmp")).unwrap();
        let base = std::fs::canonicalize(&base).unwrap();
        let grants = write_complement(std::slice::from_ref(&root));
        assert!(grants.contains(&base.join("a/sibling")));
        assert!(grants.contains(&base.join("a/file")));
        assert!(grants.contains(&base.join("b")));
        assert!(!grants.contains(&base.join("a/link")));
        assert!(
            !grants
                .iter()
                .any(|g| root.starts_with(g) || g.starts_with(&root))
        );
        std::fs::remove_dir_all(&base).unwrap();
    }

    /// The plan follows the probe: no Landlock → TCP and tmp unavailable; no seccomp → the
    /// filter is unavailable; with both, the rules the modes ask for.
    #[test]
    fn plan_follows_probe_and_modes() {
        let e = effective(&[
            ("FAASGUARD_SHIELD_MODE", "block"),
            ("FAASGUARD_SHIELD_ALLOW_LOOPBACK", "false"),
        ]);
        let full = Probe {
            release: "6.18".into(),
            machine: "x86_64".into(),
            no_new_privs_set: false,
            seccomp_mode: 0,
            landlock_abi: 7,
            landlock_errno: None,
            no_new_privs: true,
            no_new_privs_errno: None,
            seccomp_filter: true,
            seccomp_filter_errno: None,
            user_notif: true,
            child_error: None,
        };
        let plan = Plan::new(&e, &full, None);
        assert!(!plan.unavailable && plan.degraded.is_empty(), "{plan:?}");
        assert_eq!(plan.landlock_ports, Some(vec![53, 9001]));
        assert_eq!(plan.seccomp.names(), ["exec", "io_uring", "tcp_fastopen"]);
        let lambda = Probe {
            landlock_abi: 0,
            landlock_errno: Some(libc::ENOSYS),
            no_new_privs: false,
            no_new_privs_errno: Some(libc::EPERM),
            seccomp_filter: false,
            seccomp_filter_errno: Some(libc::EPERM),
            ..full
        };
        let plan = Plan::new(&e, &lambda, None);
        assert!(plan.unavailable);
        assert!(plan.landlock_tmp.is_none() && !plan.seccomp.any());
        assert!(
            plan.degraded[0].starts_with("landlock: not available (ENOSYS"),
            "{plan:?}"
        );
        assert!(
            plan.degraded[1].starts_with("seccomp: prctl refused (EPERM"),
            "{plan:?}"
        );
        let alert = effective(&[]);
        let plan = Plan::new(&alert, &lambda, None);
        assert_eq!(
            plan,
            Plan::default(),
            "alert mode asks nothing of the kernel"
        );
    }

    /// The filter compiles with every rule and refuses nothing by itself when empty.
    #[test]
    fn program_builds() {
        let all = SeccompRules {
            exec: true,
            io_uring: true,
            tcp_fastopen: true,
        };
        let prog = seccomp_program(all, 0x7fff_1234_5678).unwrap();
        assert!(prog.len() > 20);
        let only_uring = seccomp_program(
            SeccompRules {
                io_uring: true,
                ..SeccompRules::default()
            },
            0,
        )
        .unwrap();
        assert!(only_uring.len() < prog.len());
    }
}
