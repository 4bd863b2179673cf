//! Execution roles with every policy resolved, as the IaC loaders build them: attached managed
//! policies at their default version, inline policies, the permissions boundary and the trust
//! policy. Managed policy documents are fetched once per account.

use std::collections::HashMap;
use std::sync::Arc;

use faasguard_core::{Attr, Location};
use faasguard_iam::{aws_managed_policy_at, parse_policy_document};
use faasguard_model::{ExecutionRole, Policy, PolicyDocument, PolicyKind};
use tokio::sync::{Mutex, OnceCell};

use crate::error_text;
use crate::policy::decode_policy_text;

/// The role name of a role ARN (`arn:aws:iam::1:role/path/name` → `name`).
pub(crate) fn role_name(arn: &str) -> Option<&str> {
    let (_, resource) = arn.split_once(":role/")?;
    resource.rsplit('/').next().filter(|n| !n.is_empty())
}

fn policy_name(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

fn is_aws_managed(arn: &str) -> bool {
    arn.split(':').nth(4) == Some("aws")
}

type PolicyCell = Arc<OnceCell<Result<PolicyDocument, String>>>;

/// Resolves roles of one account, sharing managed policy documents between them.
#[derive(Debug, Clone)]
pub(crate) struct Roles {
    client: aws_sdk_iam::Client,
    managed: Arc<Mutex<HashMap<String, PolicyCell>>>,
}

impl Roles {
    pub(crate) fn new(config: &aws_config::SdkConfig) -> Roles {
        Roles {
            client: aws_sdk_iam::Client::new(config),
            managed: Arc::default(),
        }
    }

    /// A managed policy's default version, parsed (fetched once per account).
    async fn managed_document(&self, arn: &str) -> Result<PolicyDocument, String> {
        let cell = {
            let mut map = self.managed.lock().await;
            map.entry(arn.to_owned()).or_default().clone()
        };
        cell.get_or_init(|| async {
            let policy = self
                .client
                .get_policy()
                .policy_arn(arn)
                .send()
                .await
                .map_err(|e| format!("GetPolicy {arn}: {}", error_text(&e)))?;
            let version = policy
                .policy()
                .and_then(|p| p.default_version_id())
                .ok_or_else(|| format!("GetPolicy {arn}: no default version"))?;
            let out = self
                .client
                .get_policy_version()
                .policy_arn(arn)
                .version_id(version)
                .send()
                .await
                .map_err(|e| format!("GetPolicyVersion {arn} {version}: {}", error_text(&e)))?;
            let text = out
                .policy_version()
                .and_then(|v| v.document())
                .ok_or_else(|| format!("GetPolicyVersion {arn} {version}: no document"))?;
            let json = decode_policy_text(text).ok_or_else(|| {
                format!("GetPolicyVersion {arn} {version}: the document is not JSON")
            })?;
            Ok(parse_policy_document(&json, &Location::file(arn)))
        })
        .await
        .clone()
    }

    /// A managed policy attached to a role (or used as its boundary). When an AWS managed
    /// policy cannot be read, faasguard's own copy of its document is used.
    async fn managed_policy(&self, arn: &str, problems: &mut Vec<String>) -> Policy {
        let kind = if is_aws_managed(arn) {
            PolicyKind::AwsManaged {
                arn: arn.to_owned(),
            }
        } else {
            PolicyKind::CustomerManaged
        };
        let at = Location::file(arn);
        let document = match self.managed_document(arn).await {
            Ok(doc) => doc,
            Err(message) => {
                problems.push(message);
                match &kind {
                    PolicyKind::AwsManaged { .. } => {
                        aws_managed_policy_at(arn, &at).unwrap_or_default()
                    }
                    _ => PolicyDocument::default(),
                }
            }
        };
        Policy {
            name: policy_name(arn).to_owned(),
            kind,
            document,
            at,
        }
    }

    /// The role behind `arn` with its policies; what could not be read is listed in the
    /// returned problems (the role is still returned with what could be read).
    pub(crate) async fn resolve(
        &self,
        arn: &str,
        used_at: &Location,
    ) -> (ExecutionRole, Vec<String>) {
        let mut problems = Vec::new();
        let name = role_name(arn).map(str::to_owned);
        let mut role = ExecutionRole {
            key: arn.to_owned(),
            name: name.clone(),
            arn: Attr::explicit(arn.to_owned(), used_at.clone()),
            generated: false,
            policies: Vec::new(),
            permissions_boundary: None,
            trust_policy: None,
            at: Location::file(arn),
        };
        let Some(name) = name else {
            problems.push(format!("{arn} is not a role ARN"));
            return (role, problems);
        };
        match self.client.get_role().role_name(&name).send().await {
            Ok(out) => {
                if let Some(r) = out.role() {
                    if let Some(text) = r.assume_role_policy_document() {
                        match decode_policy_text(text) {
                            Some(json) => {
                                role.trust_policy =
                                    Some(parse_policy_document(&json, &Location::file(arn)));
                            }
                            None => problems
                                .push(format!("GetRole {name}: the trust policy is not JSON")),
                        }
                    }
                    if let Some(boundary) = r
                        .permissions_boundary()
                        .and_then(|b| b.permissions_boundary_arn())
                    {
                        role.permissions_boundary =
                            Some(self.managed_policy(boundary, &mut problems).await);
                    }
                }
            }
            Err(e) => problems.push(format!("GetRole {name}: {}", error_text(&e))),
        }
        self.attached(&name, &mut role, &mut problems).await;
        self.inline(arn, &name, &mut role, &mut problems).await;
        (role, problems)
    }

    /// The attached managed policies at their default version.
    async fn attached(&self, name: &str, role: &mut ExecutionRole, problems: &mut Vec<String>) {
        let attached = self
            .client
            .list_attached_role_policies()
            .role_name(name)
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await;
        match attached {
            Ok(list) => {
                for policy in list {
                    if let Some(policy_arn) = policy.policy_arn() {
                        let p = self.managed_policy(policy_arn, problems).await;
                        role.policies.push(p);
                    }
                }
            }
            Err(e) => problems.push(format!(
                "ListAttachedRolePolicies {name}: {}",
                error_text(&e)
            )),
        }
    }

    /// The inline policies (URL-encoded documents on real AWS).
    async fn inline(
        &self,
        arn: &str,
        name: &str,
        role: &mut ExecutionRole,
        problems: &mut Vec<String>,
    ) {
        let inline = self
            .client
            .list_role_policies()
            .role_name(name)
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await;
        match inline {
            Ok(names) => {
                for policy_name in names {
                    let at = Location::file(format!("{arn}#{policy_name}"));
                    match self
                        .client
                        .get_role_policy()
                        .role_name(name)
                        .policy_name(&policy_name)
                        .send()
                        .await
                    {
                        Ok(out) => match decode_policy_text(out.policy_document()) {
                            Some(json) => role.policies.push(Policy {
                                name: policy_name.clone(),
                                kind: PolicyKind::Inline,
                                document: parse_policy_document(&json, &at),
                                at,
                            }),
                            None => problems.push(format!(
                                "GetRolePolicy {name}/{policy_name}: the document is not JSON"
                            )),
                        },
                        Err(e) => problems.push(format!(
                            "GetRolePolicy {name}/{policy_name}: {}",
                            error_text(&e)
                        )),
                    }
                }
            }
            Err(e) => problems.push(format!("ListRolePolicies {name}: {}", error_text(&e))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Role names come from the last path segment; AWS managed policies are told by account `aws`.
    #[test]
    fn arn_parts() {
        assert_eq!(
            role_name("arn:aws:iam::123456789012:role/svc/app-role"),
            Some("app-role")
        );
        assert_eq!(role_name("arn:aws:iam::123456789012:user/x"), None);
        assert!(is_aws_managed(
            "arn:aws:iam::aws:policy/AdministratorAccess"
        ));
        assert!(!is_aws_managed("arn:aws:iam::123456789012:policy/mine"));
        assert_eq!(policy_name("arn:aws:iam::aws:policy/service-role/X"), "X");
    }
}
