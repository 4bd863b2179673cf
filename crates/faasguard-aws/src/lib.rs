//! Live AWS Lambda inventory for `faasguard cloud`: every function in every requested region
//! and account, read through aws-sdk-rust and mapped to the same [`faasguard_model::Function`]
//! values the IaC loaders build, so the configuration and IAM rules run unchanged.
//!
//! ```no_run
//! use faasguard_aws::{CloudSettings, Regions, collect_blocking};
//! let mut settings = CloudSettings::new(Regions::List(vec!["eu-west-1".into()]));
//! settings.now_epoch_s = 1_795_000_000; // the caller reads the clock
//! let inventory = collect_blocking(&settings).unwrap();
//! for f in &inventory.functions {
//!     println!("{} {:?}", f.arn, f.runtime);
//! }
//! ```
//!
//! Partial failure is data: an account that cannot be assumed, a region that fails, an API
//! denied for one function each become a [`ScopeError`] or a [`LiveFunction::problems`] entry,
//! and the rest goes on. The library never prints, exits or reads the clock; the AWS SDK reads
//! the standard credential chain (environment, profiles, SSO, IMDS/ECS) as it always does.

mod accounts;
mod download;
mod enforce;
mod iam;
mod lambda;
mod metrics;
mod policy;
mod query;
mod regions;
mod trails;

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;

pub use download::{DownloadError, DownloadSettings, download_code, rewrite_host, sha256_base64};
pub use enforce::{BLOCK_TAG, BlockOutcome, BlockTag, EnforceError, Enforcer, UnblockOutcome};
pub use policy::{decode_policy_text, resource_policy_permissions};

/// Which regions to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Regions {
    /// Every region enabled for the account (EC2 `DescribeRegions`, which lists only enabled
    /// regions unless asked for all).
    All,
    /// These regions, as given.
    List(Vec<String>),
}

/// One region of one account read (for progress display).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    pub account: String,
    pub region: String,
    /// Functions found there (0 when the region failed).
    pub functions: usize,
    /// The region could not be listed.
    pub failed: bool,
}

/// Where progress goes: called once per region read, from any thread.
#[derive(Clone)]
pub struct ProgressSink(pub std::sync::Arc<dyn Fn(&Progress) + Send + Sync>);

impl std::fmt::Debug for ProgressSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ProgressSink")
    }
}

/// Validated settings of one cloud inventory.
#[allow(
    clippy::struct_excessive_bools,
    reason = "independent switches of what to read, not a state machine"
)]
#[derive(Debug, Clone)]
pub struct CloudSettings {
    /// A named profile of the shared config/credentials files; `None` = the default chain.
    pub profile: Option<String>,
    pub regions: Regions,
    /// Roles to assume (each is one more account to read); empty = the caller's own account.
    pub assume_roles: Vec<String>,
    /// Organisation-wide: list the organisation's active accounts and assume this role name in
    /// each (the caller's own account is read with the caller's credentials).
    pub org_role: Option<String>,
    /// Send every AWS API call to this endpoint (moto, LocalStack); `None` = AWS.
    pub endpoint_url: Option<String>,
    /// At most this many functions are read at once (each takes a few API calls); regions and
    /// accounts share the bound.
    pub concurrency: usize,
    /// Attempts per call, with adaptive retry (client-side rate limiting on throttling).
    pub max_attempts: u32,
    /// Time limit of one API call, retries included.
    pub operation_timeout: Duration,
    /// Time limit to open a connection.
    pub connect_timeout: Duration,
    /// The CloudWatch `Invocations` window, in days (at most 455: CloudWatch keeps daily
    /// data points for 455 days).
    pub invocation_window_days: u32,
    /// Now, in seconds since the epoch (the window ends here); set by the caller.
    pub now_epoch_s: i64,
    /// Read CloudWatch metrics (off for `cloud scan` when the last invocation is not needed).
    pub metrics: bool,
    /// Read where each layer's package can be downloaded (`GetLayerVersionByArn`) for
    /// `cloud scan`.
    pub layer_code: bool,
    /// Read the CloudTrail trails of each region, to know whether a trail records each
    /// function's invocations (`cloud scan`).
    pub trails: bool,
    /// Read every function's event-invoke configuration (its on-failure destination), not only
    /// that of functions with an asynchronous trigger: one more call per function, for the
    /// opt-in rule FG-FN-019.
    pub invoke_config: bool,
    /// Told about each region as it is read.
    pub progress: Option<ProgressSink>,
}

impl CloudSettings {
    /// Defaults: 16 functions at once, 5 attempts, 60 s per call, 90-day window.
    pub fn new(regions: Regions) -> CloudSettings {
        CloudSettings {
            profile: None,
            regions,
            assume_roles: Vec::new(),
            org_role: None,
            endpoint_url: None,
            concurrency: 16,
            max_attempts: 5,
            operation_timeout: Duration::from_mins(1),
            connect_timeout: Duration::from_secs(10),
            invocation_window_days: 90,
            now_epoch_s: 0,
            metrics: true,
            layer_code: false,
            trails: false,
            invoke_config: false,
            progress: None,
        }
    }
}

/// Why a whole inventory could not start (no usable configuration at all). Failures of one
/// account or region are [`ScopeError`]s instead.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AwsError {
    #[error("cannot start the async runtime: {0}")]
    Runtime(#[source] std::io::Error),
    #[error("invalid settings: {0}")]
    Settings(String),
}

/// An account, region or call that could not be read; the rest of the inventory goes on.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ScopeError {
    /// The account id, or the role ARN when the account could not be assumed.
    pub account: String,
    /// The region, or empty for account-wide calls (STS, IAM, Organizations).
    pub region: String,
    /// The call that failed (`ListFunctions`, `AssumeRole`).
    pub operation: String,
    pub message: String,
}

/// Where a runtime stands in AWS's lifecycle on the inventory date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "status")]
pub enum RuntimeStatus {
    /// Supported, with no deprecation date or one more than 180 days away.
    Supported,
    /// Deprecated within 180 days.
    DeprecationSoon { date: String },
    /// Past its deprecation date: no more security patches.
    EndOfLife { date: String },
    /// Not in faasguard's runtime table (custom runtimes, newer identifiers).
    Unknown,
    /// A container image: the image carries its own runtime.
    Image,
}

/// The package of one layer version a function uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LayerCode {
    /// The layer version ARN.
    pub arn: String,
    /// Base64 SHA-256 of the layer's package.
    pub code_sha256: Option<String>,
    pub code_size: i64,
    /// Presigned package URL. Never written out.
    #[serde(skip)]
    pub location: Option<String>,
}

/// One deployed function: the model value the rules read plus the inventory columns.
#[derive(Debug, Clone, Serialize)]
pub struct LiveFunction {
    /// The model value (same shape as the IaC loaders build).
    #[serde(skip)]
    pub function: faasguard_model::Function,
    pub name: String,
    pub arn: String,
    pub account: String,
    pub region: String,
    pub runtime: Option<String>,
    pub runtime_status: RuntimeStatus,
    pub architecture: Option<String>,
    pub memory_mb: Option<i32>,
    pub timeout_s: Option<i32>,
    pub code_size: i64,
    /// Base64 SHA-256 of the deployment package, as Lambda reports it.
    pub code_sha256: Option<String>,
    pub last_modified: Option<String>,
    /// The last day with invocations in the window (`YYYY-MM-DD`), `None` when there were none
    /// or metrics were not read.
    pub last_invocation: Option<String>,
    /// Days since the last invocation, or the whole window when there was none; `None` when
    /// metrics were not read.
    pub unused_days: Option<u32>,
    pub role: Option<String>,
    /// `NONE` or `AWS_IAM` when the function has a URL.
    pub url_auth_type: Option<String>,
    pub layers: Vec<String>,
    pub tags: BTreeMap<String, String>,
    /// Environment variables stored without a customer KMS key (AWS-managed key).
    pub env_plaintext: bool,
    /// Reserved concurrency (0 = blocked).
    pub reserved_concurrency: Option<i32>,
    /// Presigned package URL (valid ~10 minutes). Never written out: it grants download.
    #[serde(skip)]
    pub code_location: Option<String>,
    /// The packages of the function's layers, when `layer_code` was asked for (other
    /// accounts' layers included, when their permission allows reading them).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub layer_code: Vec<LayerCode>,
    /// What could not be read for this function (`GetPolicy: AccessDeniedException …`).
    pub problems: Vec<String>,
}

/// The result of one inventory.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CloudInventory {
    /// Sorted by account, region, name.
    pub functions: Vec<LiveFunction>,
    /// Accounts, regions and account-wide calls that failed, sorted.
    pub errors: Vec<ScopeError>,
    /// The accounts read (id), sorted.
    pub accounts: Vec<String>,
    /// The regions read, sorted.
    pub regions: Vec<String>,
}

impl CloudInventory {
    /// The functions as a model inventory for the rules.
    pub fn model(&self) -> faasguard_model::Inventory {
        faasguard_model::Inventory {
            functions: self.functions.iter().map(|f| f.function.clone()).collect(),
            diagnostics: Vec::new(),
        }
    }
}

/// The role ARN to assume in each active account of the organisation (`--org-role NAME`),
/// the caller's own account left out (it is read with the caller's credentials): what a
/// scheduler needs to make one job per account.
pub async fn organisation_roles(settings: &CloudSettings) -> Result<Vec<String>, String> {
    let Some(name) = &settings.org_role else {
        return Ok(Vec::new());
    };
    let base = accounts::base_config(settings).await;
    accounts::org_roles(&base, name).await
}

/// Reads the inventory on a new multi-threaded tokio runtime (for synchronous callers).
pub fn collect_blocking(settings: &CloudSettings) -> Result<CloudInventory, AwsError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(AwsError::Runtime)?;
    runtime.block_on(collect(settings))
}

/// Reads every function of every account and region the settings name.
pub async fn collect(settings: &CloudSettings) -> Result<CloudInventory, AwsError> {
    if settings.concurrency == 0 {
        return Err(AwsError::Settings("concurrency must be at least 1".into()));
    }
    if let Regions::List(list) = &settings.regions
        && list.is_empty()
    {
        return Err(AwsError::Settings("no region given".into()));
    }
    let base = accounts::base_config(settings).await;
    let mut out = CloudInventory::default();
    let targets = accounts::targets(settings, &base, &mut out.errors).await;
    let semaphore = std::sync::Arc::new(tokio::sync::Semaphore::new(settings.concurrency));
    let mut tasks = tokio::task::JoinSet::new();
    for target in targets {
        let settings = settings.clone();
        let semaphore = semaphore.clone();
        tasks.spawn(async move { lambda::read_account(&settings, target, semaphore).await });
    }
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok(account) => {
                out.accounts.push(account.account);
                out.regions.extend(account.regions);
                out.functions.extend(account.functions);
                out.errors.extend(account.errors);
            }
            Err(e) => out.errors.push(ScopeError {
                account: String::new(),
                region: String::new(),
                operation: "internal".into(),
                message: format!("an account task failed: {e}"),
            }),
        }
    }
    out.accounts.sort();
    out.accounts.dedup();
    out.regions.sort();
    out.regions.dedup();
    out.functions
        .sort_by(|a, b| (&a.account, &a.region, &a.name).cmp(&(&b.account, &b.region, &b.name)));
    out.errors.sort();
    out.errors.dedup();
    Ok(out)
}

/// An SDK error as one line: the service's error code and message when it sent one, else the
/// whole chain of causes (timeouts, connection failures).
pub(crate) fn error_text<E>(err: &E) -> String
where
    E: std::error::Error + aws_sdk_lambda::error::ProvideErrorMetadata,
{
    match (err.code(), err.message()) {
        (Some(code), Some(message)) => format!("{code}: {message}"),
        (Some(code), None) => code.to_owned(),
        _ => {
            let mut text = err.to_string();
            let mut source = err.source();
            while let Some(s) = source {
                text.push_str(": ");
                text.push_str(&s.to_string());
                source = s.source();
            }
            text
        }
    }
}
