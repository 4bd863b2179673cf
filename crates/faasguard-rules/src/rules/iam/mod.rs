//! Rules of the `iam` family (`FG-IAM-*`): what a function's execution role allows, analysed
//! over faasguard's IAM action database (`faasguard-iam`): wildcards expanded to real actions,
//! access levels, AWS managed policies resolved to their documents, privilege-escalation
//! combinations and sensitive actions across all of the role's policies.
//!
//! Per-statement rules (001–005, 011) look at statements the user wrote (inline, customer
//! managed, SAM policy templates); AWS managed policies are reported as a whole by 006 and 007.
//! Role-wide rules (008–010) combine every policy, AWS managed ones included.

mod aws_managed_admin_policy;
mod aws_managed_full_access_policy;
mod iam_action_wildcard;
mod iam_allow_not_action;
mod iam_allow_not_resource;
mod iam_credentials_exposure;
mod iam_data_exfiltration_on_any_resource;
mod iam_privilege_escalation;
mod iam_resource_wildcard_on_write;
mod iam_service_wildcard;
mod iam_unknown_action;
mod support;

pub use aws_managed_admin_policy::AwsManagedAdminPolicy;
pub use aws_managed_full_access_policy::AwsManagedFullAccessPolicy;
pub use iam_action_wildcard::IamActionWildcard;
pub use iam_allow_not_action::IamAllowNotAction;
pub use iam_allow_not_resource::IamAllowNotResource;
pub use iam_credentials_exposure::IamCredentialsExposure;
pub use iam_data_exfiltration_on_any_resource::IamDataExfiltrationOnAnyResource;
pub use iam_privilege_escalation::IamPrivilegeEscalation;
pub use iam_resource_wildcard_on_write::IamResourceWildcardOnWrite;
pub use iam_service_wildcard::IamServiceWildcard;
pub use iam_unknown_action::IamUnknownAction;

use crate::Rule;

/// Every rule of this family.
pub static RULES: &[&dyn Rule] = &[
    &IamActionWildcard,
    &IamServiceWildcard,
    &IamResourceWildcardOnWrite,
    &IamAllowNotAction,
    &IamAllowNotResource,
    &AwsManagedAdminPolicy,
    &AwsManagedFullAccessPolicy,
    &IamPrivilegeEscalation,
    &IamDataExfiltrationOnAnyResource,
    &IamCredentialsExposure,
    &IamUnknownAction,
];
