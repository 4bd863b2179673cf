//! Rules of the `function` family (`FG-FN-*`): how a function is configured, whatever source
//! it came from (runtime lifecycle, function URL, resource policy, concurrency, timeout,
//! environment, failure handling, tracing, role sharing, layers and who may download them).
//!
//! Not in a VPC (FG-FN-018) and no dead-letter queue without a known asynchronous trigger
//! (FG-FN-019) are **opt-in** rules: peers report them on every function, faasguard only when
//! selected. A Lambda function outside a VPC has no inbound network path (it is reached only
//! through the Lambda API), and AWS advises attaching a function to a VPC only when it must
//! reach private resources; doing so without need adds NAT cost, cold-start latency and
//! ENI/IP exhaustion risk. The exposure that matters by default (who may invoke the function)
//! is what FG-FN-003, FG-FN-004 and FG-FN-014 check; teams that route all egress through a
//! VPC select FG-FN-018.

mod api_gateway_timeout;
mod async_without_dead_letter;
mod code_signing_not_configured;
mod cross_account_layer;
mod environment_without_customer_key;
mod excessive_timeout;
mod function_url_cors_wildcard;
mod function_url_without_auth;
mod invoke_not_logged;
mod layer_shared_publicly;
mod missing_reserved_concurrency;
mod no_dead_letter;
mod outside_vpc;
mod public_invoke_permission;
mod runtime_deprecation_soon;
mod runtime_end_of_life;
pub mod runtimes;
mod secret_in_environment;
mod service_permission_without_source;
mod shared_execution_role;
pub(crate) mod support;
mod tracing_disabled;

pub use api_gateway_timeout::ApiGatewayTimeout;
pub use async_without_dead_letter::AsyncWithoutDeadLetter;
pub use code_signing_not_configured::CodeSigningNotConfigured;
pub use cross_account_layer::CrossAccountLayer;
pub use cross_account_layer::aws_layer_publisher;
pub use environment_without_customer_key::EnvironmentWithoutCustomerKey;
pub use excessive_timeout::ExcessiveTimeout;
pub use function_url_cors_wildcard::FunctionUrlCorsWildcard;
pub use function_url_without_auth::FunctionUrlWithoutAuth;
pub use invoke_not_logged::InvokeNotLogged;
pub use layer_shared_publicly::LayerSharedPublicly;
pub use missing_reserved_concurrency::MissingReservedConcurrency;
pub use no_dead_letter::NoDeadLetter;
pub use outside_vpc::OutsideVpc;
pub use public_invoke_permission::PublicInvokePermission;
pub use runtime_deprecation_soon::RuntimeDeprecationSoon;
pub use runtime_end_of_life::RuntimeEndOfLife;
pub use secret_in_environment::SecretInEnvironment;
pub use service_permission_without_source::ServicePermissionWithoutSource;
pub use shared_execution_role::SharedExecutionRole;
pub use tracing_disabled::TracingDisabled;

use crate::Rule;

/// Every rule of this family, in id order.
pub static RULES: &[&dyn Rule] = &[
    &RuntimeEndOfLife,
    &RuntimeDeprecationSoon,
    &FunctionUrlWithoutAuth,
    &PublicInvokePermission,
    &ServicePermissionWithoutSource,
    &MissingReservedConcurrency,
    &ExcessiveTimeout,
    &ApiGatewayTimeout,
    &SecretInEnvironment,
    &AsyncWithoutDeadLetter,
    &TracingDisabled,
    &SharedExecutionRole,
    &CrossAccountLayer,
    &FunctionUrlCorsWildcard,
    &CodeSigningNotConfigured,
    &LayerSharedPublicly,
    &EnvironmentWithoutCustomerKey,
    &OutsideVpc,
    &NoDeadLetter,
    &InvokeNotLogged,
];
