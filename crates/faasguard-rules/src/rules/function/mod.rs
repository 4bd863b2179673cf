//! Rules of the `function` family (`FG-FN-*`): how a function is configured, whatever source
//! it came from (runtime lifecycle, function URL, resource policy, concurrency, timeout,
//! environment, failure handling, tracing, role sharing, layers and who may download them).
//!
//! Not in a VPC is deliberately **not** a finding. A Lambda function outside a VPC has no
//! inbound network path (it is reached only through the Lambda API), and AWS advises attaching
//! a function to a VPC only when it must reach private resources; doing so without need adds
//! NAT cost, cold-start latency and ENI/IP exhaustion risk without improving isolation. The
//! exposure that matters (who may invoke the function) is what FG-FN-003, FG-FN-004 and
//! FG-FN-014 check.

mod api_gateway_timeout;
mod async_without_dead_letter;
mod code_signing_not_configured;
mod cross_account_layer;
mod excessive_timeout;
mod function_url_cors_wildcard;
mod function_url_without_auth;
mod layer_shared_publicly;
mod missing_reserved_concurrency;
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
pub use excessive_timeout::ExcessiveTimeout;
pub use function_url_cors_wildcard::FunctionUrlCorsWildcard;
pub use function_url_without_auth::FunctionUrlWithoutAuth;
pub use layer_shared_publicly::LayerSharedPublicly;
pub use missing_reserved_concurrency::MissingReservedConcurrency;
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
];
