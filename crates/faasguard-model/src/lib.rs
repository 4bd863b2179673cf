//! The provider-neutral model every source builds and every rule reads.
//!
//! SAM, CloudFormation, Serverless Framework, Terraform, Azure Functions and (later) a live
//! cloud inventory all become [`Function`] values inside one [`Inventory`], so a rule is written
//! once and covers every source. Every value carries its provenance ([`Attr`]).

mod function;
mod policy;

pub use faasguard_core::{Attr, Location, Origin};
pub use function::{
    Cors, DeadLetter, EnvVar, EventKind, EventSource, ExecutionRole, Function, FunctionId,
    FunctionUrl, Inventory, LayerPermission, Permission, Provider, RoleAssignment, SourceKind,
};
pub use policy::{Effect, Policy, PolicyDocument, PolicyKind, Statement, StringOrPattern};
