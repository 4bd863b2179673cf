use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use faasguard_core::{Attr, Diagnostic, Location};

use crate::policy::{Policy, PolicyDocument};

/// The cloud a function runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    Aws,
    Azure,
    Gcp,
}

/// Which kind of source a function was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    Sam,
    Cloudformation,
    Serverless,
    Terraform,
    AzureFunctions,
    AzureArm,
    AwsLive,
}

impl SourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Sam => "sam",
            SourceKind::Cloudformation => "cloudformation",
            SourceKind::Serverless => "serverless",
            SourceKind::Terraform => "terraform",
            SourceKind::AzureFunctions => "azure-functions",
            SourceKind::AzureArm => "azure-arm",
            SourceKind::AwsLive => "aws",
        }
    }
}

/// Identity of a function: where it was defined and what it is called there.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FunctionId {
    pub provider: Provider,
    pub source: SourceKind,
    /// The defining file (relative to the scan root), or empty for live functions.
    pub file: String,
    /// The logical id / resource address / function key in that file
    /// (`HelloFunction`, `aws_lambda_function.api`, `hello`), or the live function name.
    pub logical_id: String,
    /// The deployed name when known (`FunctionName`, `function_name`).
    pub name: Option<String>,
    pub account: Option<String>,
    pub region: Option<String>,
}

impl fmt::Display for FunctionId {
    /// `template.yaml#HelloFunction`, or `123456789012/us-east-1/fn` for a live function.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.file.is_empty() {
            let account = self.account.as_deref().unwrap_or("-");
            let region = self.region.as_deref().unwrap_or("-");
            write!(f, "{account}/{region}/{}", self.logical_id)
        } else {
            write!(f, "{}#{}", self.file, self.logical_id)
        }
    }
}

/// One environment variable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvVar {
    pub name: String,
    /// The literal value, or unresolved for references (`!Ref DbPassword`, `${ssm:/x}`).
    pub value: Attr<String>,
    pub at: Location,
    /// When `value` is unresolved and names one template parameter whose default is a literal
    /// written in the same file (CloudFormation `!Ref P` / `!Sub '${P}'` with `P`'s `Default`;
    /// Serverless `${param:p}` with a `params.<stage>.p` literal): that literal, explicit at the
    /// default's own location. `value` stays symbolic (the deployed value is whatever the stack
    /// is given); this is what the template hard-codes when nothing is given. `None` otherwise,
    /// e.g. for a `NoEcho` parameter without a `Default`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_from: Option<Attr<String>>,
}

/// The execution identity of a function with every policy resolved (managed, inline, boundary).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExecutionRole {
    /// Identity used to tell whether two functions share one role: the logical id / resource
    /// address / ARN of the role within its source (`template.yaml#AppRole`).
    pub key: String,
    pub name: Option<String>,
    pub arn: Attr<String>,
    /// The role was generated for this function alone by the framework (SAM `Policies`,
    /// serverless per-function role, …): it cannot be shared.
    pub generated: bool,
    pub policies: Vec<Policy>,
    pub permissions_boundary: Option<Policy>,
    pub trust_policy: Option<PolicyDocument>,
    pub at: Location,
}

/// One statement of the function's resource-based policy (`AWS::Lambda::Permission`,
/// `aws_lambda_permission`, serverless `url`/events that add permissions).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Permission {
    pub action: Attr<String>,
    /// `*`, an account id, an ARN or a service principal (`s3.amazonaws.com`).
    pub principal: Attr<String>,
    pub source_arn: Attr<String>,
    pub source_account: Attr<String>,
    pub principal_org_id: Attr<String>,
    /// `FunctionUrlAuthType` on `lambda:InvokeFunctionUrl` permissions.
    pub function_url_auth_type: Attr<String>,
    pub at: Location,
}

/// One statement of the resource-based policy of a layer version the function uses
/// (`AWS::Lambda::LayerVersionPermission`, `aws_lambda_layer_version_permission`, Serverless
/// Framework `layers.<name>.allowedAccounts`). It says who may *download* the layer's code,
/// not who may invoke the function, so it is kept apart from [`Function::resource_policy`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerPermission {
    /// The layer as the source names it: a logical id (`SharedLibsLayer`), a resource
    /// address (`aws_lambda_layer_version.libs`), a serverless `layers` key, a layer name or
    /// a layer version ARN.
    pub layer: String,
    /// `lambda:GetLayerVersion` (the only action a layer permission grants).
    pub action: Attr<String>,
    /// `*` (every AWS account) or an account id.
    pub principal: Attr<String>,
    /// `OrganizationId` / `organization_id`: restricts a `*` principal to one organization.
    pub organization_id: Attr<String>,
    pub at: Location,
}

/// Function URL CORS settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cors {
    pub allow_origins: Vec<String>,
    pub allow_credentials: Attr<bool>,
    pub at: Option<Location>,
}

/// A function URL (`FunctionUrlConfig`, `AWS::Lambda::Url`, `aws_lambda_function_url`, serverless `url`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunctionUrl {
    /// `NONE` or `AWS_IAM`.
    pub auth_type: Attr<String>,
    pub cors: Option<Cors>,
    pub at: Location,
}

/// The kind of event that triggers a function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EventKind {
    /// API Gateway REST API (29 s integration timeout).
    Api,
    /// API Gateway HTTP API (30 s integration timeout).
    HttpApi,
    S3,
    Sns,
    Sqs,
    DynamoDb,
    Kinesis,
    Schedule,
    EventBridge,
    CloudWatchLogs,
    Iot,
    Cognito,
    Alexa,
    Alb,
    /// An Azure Functions HTTP trigger.
    AzureHttp,
    /// Any other trigger (Azure timer/queue/blob…, unknown SAM event types).
    Other,
}

impl EventKind {
    /// Lambda invokes the function asynchronously for this event source, so failed events are
    /// lost unless a dead-letter queue or an on-failure destination is set.
    pub fn is_async(self) -> bool {
        matches!(
            self,
            EventKind::S3
                | EventKind::Sns
                | EventKind::Schedule
                | EventKind::EventBridge
                | EventKind::CloudWatchLogs
                | EventKind::Iot
        )
    }

    /// Fronted by API Gateway, whose integration timeout caps useful function time.
    pub fn is_api_gateway(self) -> bool {
        matches!(self, EventKind::Api | EventKind::HttpApi)
    }
}

/// One trigger of a function.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventSource {
    pub kind: EventKind,
    /// The name of the event in its source (SAM event logical id, serverless event type, binding name).
    pub name: String,
    /// Azure HTTP trigger `authLevel` (`anonymous`, `function`, `admin`).
    pub auth_level: Attr<String>,
    pub at: Location,
}

/// Where failed asynchronous events go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadLetter {
    /// The target ARN or expression.
    pub target: Attr<String>,
    /// `dlq` (DeadLetterConfig) or `on-failure` (EventInvokeConfig destination).
    pub kind: String,
    pub at: Location,
}

/// An Azure role assignment granting a built-in role to the function's managed identity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleAssignment {
    /// Built-in role name when recognised (`Owner`, `Contributor`), else the role definition id.
    pub role: String,
    pub scope: Attr<String>,
    pub at: Location,
}

/// One serverless function as every source sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Function {
    pub id: FunctionId,
    /// Where the function is defined.
    pub at: Location,
    pub runtime: Attr<String>,
    pub handler: Attr<String>,
    pub memory_mb: Attr<u32>,
    pub timeout_s: Attr<u32>,
    pub architecture: Attr<String>,
    pub environment: Vec<EnvVar>,
    /// Customer KMS key for environment variables (`KmsKeyArn`, `kms_key_arn`, `awsKmsKeyArn`).
    pub kms_key: Attr<String>,
    pub role: Option<ExecutionRole>,
    pub resource_policy: Vec<Permission>,
    /// Who may download the layers the function uses (layer version permissions).
    #[serde(default)]
    pub layer_permissions: Vec<LayerPermission>,
    pub url: Option<FunctionUrl>,
    pub reserved_concurrency: Attr<i64>,
    /// Layer ARNs (or expressions).
    pub layers: Vec<Attr<String>>,
    /// `Active` or `PassThrough`.
    pub tracing: Attr<String>,
    pub dead_letters: Vec<DeadLetter>,
    pub events: Vec<EventSource>,
    pub vpc: Attr<bool>,
    /// Whether a CloudTrail trail records the function's `Invoke` calls as data events: true or
    /// false at the trail that decides it; absent when no trail is known (a template without
    /// one), unresolved when a trail's selectors could not be read.
    #[serde(default)]
    pub invoke_logging: Attr<bool>,
    pub tags: BTreeMap<String, String>,
    /// The code directory or package file on disk, resolved against the defining file.
    pub code: Attr<PathBuf>,
    /// `Zip` (the default) or `Image` (a container image, which carries its own runtime).
    pub package_type: Attr<String>,
    /// Code-signing configuration (`CodeSigningConfigArn`, `code_signing_config_arn`).
    pub code_signing_config: Attr<String>,
    /// Azure: role assignments granted to the function app's identity.
    pub role_assignments: Vec<RoleAssignment>,
}

impl Function {
    /// A function with nothing set but its identity and location; loaders fill in the rest.
    pub fn new(id: FunctionId, at: Location) -> Self {
        Function {
            id,
            at,
            runtime: Attr::absent(),
            handler: Attr::absent(),
            memory_mb: Attr::absent(),
            timeout_s: Attr::absent(),
            architecture: Attr::absent(),
            environment: Vec::new(),
            kms_key: Attr::absent(),
            role: None,
            resource_policy: Vec::new(),
            layer_permissions: Vec::new(),
            url: None,
            reserved_concurrency: Attr::absent(),
            layers: Vec::new(),
            tracing: Attr::absent(),
            dead_letters: Vec::new(),
            events: Vec::new(),
            vpc: Attr::absent(),
            invoke_logging: Attr::absent(),
            tags: BTreeMap::new(),
            code: Attr::absent(),
            package_type: Attr::default_value("Zip".to_owned()),
            code_signing_config: Attr::absent(),
            role_assignments: Vec::new(),
        }
    }

    /// The display id used in reports (`template.yaml#HelloFunction`).
    pub fn display_id(&self) -> String {
        self.id.to_string()
    }
}

/// Everything loaded from the scanned sources: the functions and the problems met on the way.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Inventory {
    pub functions: Vec<Function>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Inventory {
    pub fn extend(&mut self, other: Inventory) {
        self.functions.extend(other.functions);
        self.diagnostics.extend(other.diagnostics);
    }
}
