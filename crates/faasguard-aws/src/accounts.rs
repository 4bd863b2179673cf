//! The SDK configuration (credential chain, profile, adaptive retry, timeouts, endpoint) and the
//! accounts to read: the caller's own, each `--assume-role` ARN, and with `--org-role` every
//! active account of the organisation.

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_organizations::types::AccountState;
use aws_sdk_sts::config::SharedCredentialsProvider;

use crate::{CloudSettings, Regions, ScopeError, error_text};

/// The region used for account-wide calls when none is given or configured.
pub(crate) const DEFAULT_REGION: &str = "us-east-1";

/// One account to read, with credentials for it.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    pub account: String,
    pub config: SdkConfig,
}

/// The caller's configuration: the standard credential chain (or `profile`), adaptive retry,
/// timeouts and the endpoint override. Its region is the first listed one, else the profile's,
/// else us-east-1.
pub(crate) async fn base_config(settings: &CloudSettings) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(RetryConfig::adaptive().with_max_attempts(settings.max_attempts.max(1)))
        .timeout_config(
            TimeoutConfig::builder()
                .operation_timeout(settings.operation_timeout)
                .connect_timeout(settings.connect_timeout)
                .build(),
        );
    if let Some(profile) = &settings.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(url) = &settings.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    if let Regions::List(list) = &settings.regions
        && let Some(first) = list.first()
    {
        loader = loader.region(Region::new(first.clone()));
    }
    let config = loader.load().await;
    if config.region().is_some() {
        config
    } else {
        config
            .into_builder()
            .region(Region::new(DEFAULT_REGION))
            .build()
    }
}

/// The account id and ARN behind a configuration (`sts:GetCallerIdentity`).
async fn caller_identity(config: &SdkConfig) -> Result<(String, String), String> {
    let sts = aws_sdk_sts::Client::new(config);
    let out = sts
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| error_text(&e))?;
    let account = out
        .account()
        .map(str::to_owned)
        .ok_or_else(|| "GetCallerIdentity returned no account".to_owned())?;
    Ok((account, out.arn().unwrap_or_default().to_owned()))
}

/// The configuration for `role_arn`, assumed with the base credentials, and its account.
async fn assume(base: &SdkConfig, role_arn: &str) -> Result<Target, String> {
    let provider = aws_config::sts::AssumeRoleProvider::builder(role_arn)
        .session_name("faasguard")
        .configure(base)
        .build()
        .await;
    let config = base
        .clone()
        .into_builder()
        .credentials_provider(SharedCredentialsProvider::new(provider))
        .build();
    let (account, _) = caller_identity(&config).await?;
    Ok(Target { account, config })
}

/// The partition of an ARN (`aws`, `aws-cn`, `aws-us-gov`), `aws` when it is not an ARN
/// (the caller's ARN decides the partition of the organisation's role ARNs).
fn partition_of(arn: &str) -> &str {
    arn.split(':')
        .nth(1)
        .filter(|p| !p.is_empty())
        .unwrap_or("aws")
}

/// Every account to read. Failures (bad credentials, a role that cannot be assumed, no
/// organisation access) are pushed to `errors`; the accounts that work are returned.
pub(crate) async fn targets(
    settings: &CloudSettings,
    base: &SdkConfig,
    errors: &mut Vec<ScopeError>,
) -> Vec<Target> {
    let mut out: Vec<Target> = Vec::new();
    let needs_caller = settings.assume_roles.is_empty() || settings.org_role.is_some();
    let mut partition = "aws".to_owned();
    if needs_caller {
        match caller_identity(base).await {
            Ok((account, arn)) => {
                partition_of(&arn).clone_into(&mut partition);
                out.push(Target {
                    account,
                    config: base.clone(),
                });
            }
            Err(message) => errors.push(ScopeError {
                account: "caller".into(),
                region: String::new(),
                operation: "GetCallerIdentity".into(),
                message,
            }),
        }
    }
    let mut roles: Vec<String> = settings.assume_roles.clone();
    if let Some(name) = &settings.org_role {
        match org_accounts(base).await {
            Ok(ids) => {
                for id in ids {
                    if out.iter().any(|t| t.account == id) {
                        continue;
                    }
                    roles.push(format!("arn:{partition}:iam::{id}:role/{name}"));
                }
            }
            Err(message) => errors.push(ScopeError {
                account: out.first().map(|t| t.account.clone()).unwrap_or_default(),
                region: String::new(),
                operation: "ListAccounts".into(),
                message,
            }),
        }
    }
    for arn in &roles {
        match assume(base, arn).await {
            Ok(target) if out.iter().any(|t| t.account == target.account) => {}
            Ok(target) => out.push(target),
            Err(message) => errors.push(ScopeError {
                account: arn.clone(),
                region: String::new(),
                operation: "AssumeRole".into(),
                message,
            }),
        }
    }
    out
}

/// `arn:<partition>:iam::<id>:role/<name>` for every active account of the organisation but
/// the caller's own.
pub(crate) async fn org_roles(base: &SdkConfig, name: &str) -> Result<Vec<String>, String> {
    let (caller, arn) = caller_identity(base).await?;
    let partition = partition_of(&arn).to_owned();
    Ok(org_accounts(base)
        .await?
        .into_iter()
        .filter(|id| *id != caller)
        .map(|id| format!("arn:{partition}:iam::{id}:role/{name}"))
        .collect())
}

/// The ids of the organisation's active accounts (`organizations:ListAccounts`, paged).
async fn org_accounts(base: &SdkConfig) -> Result<Vec<String>, String> {
    let client = aws_sdk_organizations::Client::new(base);
    let mut pages = client.list_accounts().into_paginator().send();
    let mut ids = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| error_text(&e))?;
        for account in page.accounts() {
            let active = account.state().is_none_or(|s| *s == AccountState::Active);
            if let (Some(id), true) = (account.id(), active) {
                ids.push(id.to_owned());
            }
        }
    }
    ids.sort();
    ids.dedup();
    Ok(ids)
}
