//! Rules of the `azure` family (`FG-AZ-*`): Azure Functions specifics (HTTP trigger auth
//! level, the function identity's role assignments).

mod http_trigger_anonymous;
mod identity_privileged_role;

pub use http_trigger_anonymous::HttpTriggerAnonymous;
pub use identity_privileged_role::IdentityPrivilegedRole;

use crate::Rule;

/// Every rule of this family, in id order.
pub static RULES: &[&dyn Rule] = &[&HttpTriggerAnonymous, &IdentityPrivilegedRole];
