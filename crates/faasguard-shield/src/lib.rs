//! faasguard-shield: runtime protection for a serverless function with no code change.
//!
//! This crate holds what every layer shares: the [`policy`] (FunctionShield's four controls,
//! each `block`, `alert` or `allow`; read from `FAASGUARD_SHIELD_*` variables and a JSON file),
//! the outbound [`allow`]list (hosts, `*.suffix`, CIDRs, ports, the keyword `aws`) and the
//! [`alert`] line format with its per-invocation rate limit. The wrapper binary and the
//! `LD_PRELOAD` library build on it. The contract between the pieces is docs/shield.md.

pub mod alert;
pub mod allow;
pub mod kernel;
pub mod notify;
pub mod policy;
pub mod probe;
pub mod wrapper;

pub use alert::{Action, Alert, MAX_LINE_BYTES, Mechanism, RateLimiter, Verdict};
pub use allow::{AllowEntry, AllowError, Target};
pub use policy::{Control, Effective, Environment, Mode, Modes, Policy, PolicyError, Require};
