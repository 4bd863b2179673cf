//! Enforcement for Function Assurance: block a function (reserved concurrency 0, the previous
//! setting recorded in a `faasguard:blocked` tag) and unblock it (restore exactly that setting
//! and remove the tag). Both are idempotent.
//!
//! The tag value is `previous=none|N policy=NAME at=TIMESTAMP`: Lambda tag values allow only
//! letters, digits, spaces and `_ . : / = + - @`, so the policy name is written with any other
//! character replaced by `_`. The current value is always read with `GetFunctionConcurrency`
//! (`GetFunction` leaves out a reserved concurrency of 0 on moto).

use aws_config::{Region, SdkConfig};
use aws_sdk_lambda::Client;

use crate::accounts::{Target, base_config, targets};
use crate::{AwsError, CloudSettings, ScopeError, error_text};

/// The tag that marks a function blocked by faasguard.
pub const BLOCK_TAG: &str = "faasguard:blocked";

/// What the block tag records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockTag {
    /// Reserved concurrency before the block; `None` = unreserved.
    pub previous: Option<i32>,
    pub policy: String,
    /// When (RFC 3339).
    pub at: String,
}

impl BlockTag {
    /// The tag value (at most 256 characters, Lambda's tag-value alphabet only).
    pub fn value(&self) -> String {
        let clean = |s: &str| -> String {
            s.chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || "_.:/+-@".contains(c) {
                        c
                    } else {
                        '_'
                    }
                })
                .collect()
        };
        let previous = self
            .previous
            .map_or_else(|| "none".to_owned(), |n| n.to_string());
        let mut out = format!(
            "previous={previous} policy={} at={}",
            clean(&self.policy),
            clean(&self.at)
        );
        out.truncate(256);
        out
    }

    /// Reads a tag value written by [`BlockTag::value`]; `None` when it is not one.
    pub fn parse(value: &str) -> Option<BlockTag> {
        let mut previous = None;
        let mut policy = String::new();
        let mut at = String::new();
        for part in value.split_whitespace() {
            let (k, v) = part.split_once('=')?;
            match k {
                "previous" if v == "none" => previous = Some(None),
                "previous" => previous = Some(Some(v.parse().ok()?)),
                "policy" => v.clone_into(&mut policy),
                "at" => v.clone_into(&mut at),
                _ => {}
            }
        }
        Some(BlockTag {
            previous: previous?,
            policy,
            at,
        })
    }
}

/// What a block did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlockOutcome {
    /// Reserved concurrency set to 0; `previous` was recorded in the tag.
    Blocked { previous: Option<i32> },
    /// Already blocked by faasguard: nothing changed (the recorded previous value is kept).
    AlreadyBlocked { tag: BlockTag },
    /// Already at 0 without faasguard's tag (someone else disabled it): nothing changed.
    AlreadyZero,
}

/// What an unblock did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnblockOutcome {
    /// The previous setting is back (`None`: the reservation was deleted) and the tag removed.
    Restored { previous: Option<i32> },
    /// The function was not at 0: nothing to restore (a leftover tag was removed).
    NotBlocked {
        current: Option<i32>,
        tag_removed: bool,
    },
    /// At 0, but neither the ledger nor a tag says what it was before: nothing changed.
    NothingRecorded,
}

/// A call that failed while enforcing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{operation} {arn}: {message}")]
pub struct EnforceError {
    pub operation: String,
    pub arn: String,
    pub message: String,
}

/// Blocks and unblocks functions with the credentials of a cloud settings (profile, endpoint,
/// retries, timeouts, `--assume-role` / `--org-role` accounts).
#[derive(Debug)]
pub struct Enforcer {
    runtime: tokio::runtime::Runtime,
    base: SdkConfig,
    targets: Vec<Target>,
    caller_arn: Option<String>,
    errors: Vec<ScopeError>,
}

/// The region and account of a Lambda function ARN.
fn arn_parts(arn: &str) -> Option<(&str, &str)> {
    let mut parts = arn.split(':');
    let (Some("arn"), Some(_), Some("lambda"), Some(region), Some(account), Some("function")) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    Some((region, account))
}

impl Enforcer {
    /// Loads the credentials and the accounts to act in (one `GetCallerIdentity`, plus the
    /// role assumptions the settings ask for). Accounts that fail are in [`Enforcer::errors`].
    pub fn connect(settings: &CloudSettings) -> Result<Enforcer, AwsError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(AwsError::Runtime)?;
        let (base, targets, caller_arn, errors) = runtime.block_on(async {
            let base = base_config(settings).await;
            let mut errors = Vec::new();
            let targets = targets(settings, &base, &mut errors).await;
            let caller = aws_sdk_sts::Client::new(&base)
                .get_caller_identity()
                .send()
                .await
                .ok()
                .and_then(|o| o.arn().map(str::to_owned));
            (base, targets, caller, errors)
        });
        Ok(Enforcer {
            runtime,
            base,
            targets,
            caller_arn,
            errors,
        })
    }

    /// The caller's identity ARN (`sts:GetCallerIdentity`), when it could be read.
    pub fn caller_arn(&self) -> Option<&str> {
        self.caller_arn.as_deref()
    }

    /// Accounts that could not be reached.
    pub fn errors(&self) -> &[ScopeError] {
        &self.errors
    }

    fn client(&self, arn: &str) -> Result<Client, EnforceError> {
        let (region, account) = arn_parts(arn).ok_or_else(|| EnforceError {
            operation: "parse".into(),
            arn: arn.to_owned(),
            message:
                "not a Lambda function ARN (arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME)"
                    .into(),
        })?;
        let config = self
            .targets
            .iter()
            .find(|t| t.account == account)
            .map_or(&self.base, |t| &t.config);
        let config = config
            .clone()
            .into_builder()
            .region(Region::new(region.to_owned()))
            .build();
        Ok(Client::new(&config))
    }

    /// The reserved concurrency (`None` = unreserved) and faasguard's block tag, if any.
    pub fn state(&self, arn: &str) -> Result<(Option<i32>, Option<BlockTag>), EnforceError> {
        let client = self.client(arn)?;
        self.runtime.block_on(state(&client, arn))
    }

    /// Blocks `arn`: records the current reserved concurrency in the tag, then sets it to 0.
    /// A function already blocked is left alone, its recorded value untouched.
    pub fn block(&self, arn: &str, policy: &str, at: &str) -> Result<BlockOutcome, EnforceError> {
        let client = self.client(arn)?;
        self.runtime.block_on(async {
            let (current, tag) = state(&client, arn).await?;
            if current == Some(0) {
                return Ok(match tag {
                    Some(tag) => BlockOutcome::AlreadyBlocked { tag },
                    None => BlockOutcome::AlreadyZero,
                });
            }
            // Tag first: if the block fails, the tag still says what to restore.
            let tag = BlockTag {
                previous: current,
                policy: policy.to_owned(),
                at: at.to_owned(),
            };
            client
                .tag_resource()
                .resource(arn)
                .tags(BLOCK_TAG, tag.value())
                .send()
                .await
                .map_err(|e| fail("TagResource", arn, &e))?;
            if let Err(e) = client
                .put_function_concurrency()
                .function_name(arn)
                .reserved_concurrent_executions(0)
                .send()
                .await
            {
                let _ = client
                    .untag_resource()
                    .resource(arn)
                    .tag_keys(BLOCK_TAG)
                    .send()
                    .await;
                return Err(fail("PutFunctionConcurrency", arn, &e));
            }
            Ok(BlockOutcome::Blocked { previous: current })
        })
    }

    /// Unblocks `arn`: restores the reserved concurrency recorded in the ledger (`recorded`,
    /// when given) or else in the tag — `DeleteFunctionConcurrency` when there was none,
    /// `PutFunctionConcurrency N` otherwise — and removes the tag. A function that is not at 0
    /// is not changed.
    pub fn unblock(
        &self,
        arn: &str,
        recorded: Option<Option<i32>>,
    ) -> Result<UnblockOutcome, EnforceError> {
        let client = self.client(arn)?;
        self.runtime.block_on(async {
            let (current, tag) = state(&client, arn).await?;
            let untag = || async {
                client
                    .untag_resource()
                    .resource(arn)
                    .tag_keys(BLOCK_TAG)
                    .send()
                    .await
                    .map_err(|e| fail("UntagResource", arn, &e))
            };
            if current != Some(0) {
                let tag_removed = tag.is_some();
                if tag_removed {
                    untag().await?;
                }
                return Ok(UnblockOutcome::NotBlocked {
                    current,
                    tag_removed,
                });
            }
            let Some(previous) = recorded.or_else(|| tag.as_ref().map(|t| t.previous)) else {
                return Ok(UnblockOutcome::NothingRecorded);
            };
            match previous {
                None => {
                    client
                        .delete_function_concurrency()
                        .function_name(arn)
                        .send()
                        .await
                        .map_err(|e| fail("DeleteFunctionConcurrency", arn, &e))?;
                }
                Some(n) => {
                    client
                        .put_function_concurrency()
                        .function_name(arn)
                        .reserved_concurrent_executions(n)
                        .send()
                        .await
                        .map_err(|e| fail("PutFunctionConcurrency", arn, &e))?;
                }
            }
            if tag.is_some() {
                untag().await?;
            }
            Ok(UnblockOutcome::Restored { previous })
        })
    }
}

fn fail<E>(operation: &str, arn: &str, err: &E) -> EnforceError
where
    E: std::error::Error + aws_sdk_lambda::error::ProvideErrorMetadata,
{
    EnforceError {
        operation: operation.to_owned(),
        arn: arn.to_owned(),
        message: error_text(err),
    }
}

async fn state(
    client: &Client,
    arn: &str,
) -> Result<(Option<i32>, Option<BlockTag>), EnforceError> {
    let concurrency = client
        .get_function_concurrency()
        .function_name(arn)
        .send()
        .await
        .map_err(|e| fail("GetFunctionConcurrency", arn, &e))?
        .reserved_concurrent_executions();
    let tags = client
        .list_tags()
        .resource(arn)
        .send()
        .await
        .map_err(|e| fail("ListTags", arn, &e))?;
    let tag = tags
        .tags()
        .and_then(|t| t.get(BLOCK_TAG))
        .and_then(|v| BlockTag::parse(v));
    Ok((concurrency, tag))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tag value round-trips, stays within Lambda's tag alphabet and length, and a value
    /// that is not faasguard's is not taken for one.
    #[test]
    fn tag_values() {
        let tag = BlockTag {
            previous: Some(7),
            policy: "prod: no admin; ever!".into(),
            at: "2026-11-24T10:00:00Z".into(),
        };
        let value = tag.value();
        assert_eq!(
            value,
            "previous=7 policy=prod:_no_admin__ever_ at=2026-11-24T10:00:00Z"
        );
        let back = BlockTag::parse(&value);
        assert_eq!(back.as_ref().map(|t| t.previous), Some(Some(7)));
        assert_eq!(
            BlockTag::parse("previous=none policy=p at=x").map(|t| t.previous),
            Some(None)
        );
        assert_eq!(BlockTag::parse("blocked by hand"), None);
        assert_eq!(BlockTag::parse("policy=p"), None);
        let long = BlockTag {
            previous: None,
            policy: "x".repeat(400),
            at: String::new(),
        };
        assert_eq!(long.value().len(), 256);
    }

    /// Function ARNs give their region and account; anything else is refused.
    #[test]
    fn arns() {
        assert_eq!(
            arn_parts("arn:aws:lambda:eu-west-1:123456789012:function:f"),
            Some(("eu-west-1", "123456789012"))
        );
        assert_eq!(arn_parts("arn:aws:iam::123456789012:role/r"), None);
        assert_eq!(arn_parts("f"), None);
    }
}
