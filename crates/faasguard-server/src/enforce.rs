//! The [`Enforcer`] trait: how the server blocks and unblocks a function in the cloud.
//!
//! The server does not talk to AWS itself. `faasguard serve` passes an implementation over
//! `faasguard-aws` (reserved concurrency 0 to block, the recorded setting restored to unblock);
//! tests pass a recording one. The server records the previous setting in the store and writes
//! every call to the audit log.

use std::future::Future;
use std::pin::Pin;

use serde::Serialize;

/// A boxed future, so that the traits stay object-safe (`Arc<dyn Enforcer>`).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The deployed function to act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FunctionTarget {
    /// The function's ARN.
    pub arn: String,
    pub account: String,
    pub region: String,
    pub name: String,
}

/// What a block or unblock did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct EnforceOutcome {
    /// For a block: the reserved concurrency to restore when unblocking (`None`: unreserved);
    /// for a function that was already blocked, the value recorded when it was first blocked.
    /// For an unblock: the value that was restored.
    pub previous: Option<i32>,
    /// Reserved concurrency after the call.
    pub current: Option<i32>,
    /// Whether the call changed anything (blocking a blocked function does not).
    pub changed: bool,
}

/// Why an enforcement call failed (the provider's message, never a credential).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct EnforceError(pub String);

/// Blocks and unblocks functions.
pub trait Enforcer: Send + Sync + std::fmt::Debug {
    /// Makes `target` impossible to invoke (Lambda: reserved concurrency 0). Idempotent.
    /// Returns the setting before, which the server records so that unblocking restores it.
    fn block<'a>(
        &'a self,
        target: &'a FunctionTarget,
    ) -> BoxFuture<'a, Result<EnforceOutcome, EnforceError>>;

    /// Restores `previous` (the setting recorded when the function was blocked; `None` removes
    /// the reservation). Idempotent.
    fn unblock<'a>(
        &'a self,
        target: &'a FunctionTarget,
        previous: Option<i32>,
    ) -> BoxFuture<'a, Result<EnforceOutcome, EnforceError>>;
}
