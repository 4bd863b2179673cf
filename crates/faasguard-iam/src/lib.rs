//! IAM analysis over the policy model: the IAM action database (service → action → access
//! level, resource-level support), case-insensitive wildcard expansion, effective action sets
//! of statements (with `NotAction`), wildcard resources, a role's combined permissions, AWS
//! managed policy documents, privilege-escalation methods and sensitive actions.
//!
//! All data lives in `data/iam/` (see its `PROVENANCE.md`) and is compiled in; each table is
//! parsed once, on first use.

mod analysis;
mod db;
mod managed;
mod pattern;
mod risk;

pub use analysis::{
    Permissions, StatementActions, applies_to_any_resource, effective_document, is_any_resource,
    statement_actions,
};
pub use db::{AccessLevel, Action, ActionDb, ActionId, ActionSet, db};
pub use managed::{
    ManagedPolicyClass, aws_managed_policy, aws_managed_policy_arn, aws_managed_policy_at,
    classify_managed_policy, managed_policy_name, parse_policy_document,
};
pub use pattern::{Expansion, expand, has_wildcard, wildcard_match};
pub use risk::{
    EscalationMethod, credentials_exposure_actions, data_exfiltration_actions, data_problems,
    escalation_methods, escalations,
};
