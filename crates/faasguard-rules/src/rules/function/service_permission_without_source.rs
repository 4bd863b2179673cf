use faasguard_model::{Function, Inventory};

use crate::{RuleSettings, Violation, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a statement of the function's resource-based policy that lets an AWS service
    /// principal (`s3.amazonaws.com`, `sns.amazonaws.com`, `events.amazonaws.com`, …) invoke
    /// the function without a `SourceArn` or `SourceAccount` condition. A condition written as
    /// an unresolved expression counts as present.
    ///
    /// ## Why is this bad?
    /// A service principal stands for that service acting on behalf of **any** AWS customer.
    /// Without `SourceArn`/`SourceAccount`, another account's S3 bucket, SNS topic or
    /// EventBridge rule can be pointed at the function, and the service will invoke it: the
    /// "confused deputy" problem. The function then processes events that attacker controls.
    ///
    /// ## Example
    /// ```yaml
    /// AWSTemplateFormatVersion: "2010-09-09"
    /// Transform: AWS::Serverless-2016-10-31
    /// Resources:
    ///   ThumbnailFunction:
    ///     Type: AWS::Serverless::Function
    ///     Properties:
    ///       Handler: app.handler
    ///       Runtime: python3.13
    ///       CodeUri: thumbnail/
    ///   S3InvokePermission:
    ///     Type: AWS::Lambda::Permission
    ///     Properties:
    ///       Action: lambda:InvokeFunction
    ///       FunctionName: !Ref ThumbnailFunction
    ///       Principal: s3.amazonaws.com
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// AWSTemplateFormatVersion: "2010-09-09"
    /// Transform: AWS::Serverless-2016-10-31
    /// Resources:
    ///   ThumbnailFunction:
    ///     Type: AWS::Serverless::Function
    ///     Properties:
    ///       Handler: app.handler
    ///       Runtime: python3.13
    ///       CodeUri: thumbnail/
    ///   S3InvokePermission:
    ///     Type: AWS::Lambda::Permission
    ///     Properties:
    ///       Action: lambda:InvokeFunction
    ///       FunctionName: !Ref ThumbnailFunction
    ///       Principal: s3.amazonaws.com
    ///       SourceArn: arn:aws:s3:::acme-uploads-prod
    ///       SourceAccount: !Ref AWS::AccountId
    /// ```
    ///
    /// ## References
    /// - OWASP Serverless Top 10 SAS-3: Insecure Serverless Deployment Configuration
    /// - CWE-441: Unintended Proxy or Intermediary ('Confused Deputy')
    /// - <https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html>
    /// - <https://docs.aws.amazon.com/lambda/latest/dg/permissions-function-services.html>
    pub ServicePermissionWithoutSource {
        id: "FG-FN-005",
        name: "service-permission-without-source",
        title: "Service principal may invoke the function without a source condition",
        severity: Medium,
        family: Function,
        status: Stable,
        since: "0.1.0",
        remediation: "Add SourceArn (the bucket, topic or rule ARN) and SourceAccount to the permission.",
        references: &[
            "OWASP Serverless Top 10 SAS-3: Insecure Serverless Deployment Configuration",
            "CWE-441",
            "https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html",
            "https://docs.aws.amazon.com/lambda/latest/dg/permissions-function-services.html",
        ],
    }
}

impl ServicePermissionWithoutSource {
    fn check_function(
        func: &Function,
        _inv: &Inventory,
        _settings: &RuleSettings,
        out: &mut Vec<Violation>,
    ) {
        for perm in &func.resource_policy {
            let Some(principal) = perm.principal.get() else {
                continue;
            };
            let principal = principal.trim();
            if !is_service_principal(principal) {
                continue;
            }
            if perm.source_arn.is_written() || perm.source_account.is_written() {
                continue;
            }
            out.push(
                Violation::new(
                    Some(perm.principal.location().unwrap_or(&perm.at)),
                    format!(
                        "service principal {principal} may invoke the function on behalf of any account: no SourceArn or SourceAccount condition"
                    ),
                )
                .with_evidence(format!("Principal: {principal}")),
            );
        }
    }
}

/// `<service>.amazonaws.com` (and the China partition's `.amazonaws.com.cn`).
fn is_service_principal(principal: &str) -> bool {
    let p = principal.to_ascii_lowercase();
    let service = p
        .strip_suffix(".amazonaws.com")
        .or_else(|| p.strip_suffix(".amazonaws.com.cn"));
    service.is_some_and(|s| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
    })
}

#[cfg(test)]
mod tests {
    use faasguard_core::Attr;

    use super::*;
    use crate::rules::function::support::testing::{
        aws_function, layer_permission, line, permission, run,
    };

    /// A permission letting `principal` call `lambda:InvokeFunction`, with no condition.
    fn invoke(principal: &str) -> faasguard_model::Permission {
        permission(principal, "lambda:InvokeFunction")
    }

    /// An S3 service principal without SourceArn/SourceAccount fires at the Principal line.
    #[test]
    fn service_without_source_fires() {
        let mut f = aws_function("Fn");
        f.resource_policy.push(invoke("s3.amazonaws.com"));
        let out = run(&ServicePermissionWithoutSource, &f);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].at, Some(line(21)));
        assert!(out[0].message.contains("s3.amazonaws.com"));
    }

    /// A layer permission is not a statement of the function's resource policy: a layer
    /// shared with an account or `*` is never reported here.
    #[test]
    fn layer_permissions_are_ignored() {
        let mut f = aws_function("Fn");
        f.layer_permissions.push(layer_permission("*"));
        assert!(run(&ServicePermissionWithoutSource, &f).is_empty());
    }

    /// SourceArn (even unresolved) or SourceAccount silence it; `*` and account principals are
    /// other rules' business.
    #[test]
    fn with_source_or_not_a_service_is_silent() {
        let mut f = aws_function("Fn");
        let mut p = invoke("sns.amazonaws.com");
        p.source_arn = Attr::unresolved("!Ref Topic", line(22));
        f.resource_policy.push(p);
        let mut p = invoke("events.amazonaws.com");
        p.source_account = Attr::explicit("123456789012".to_owned(), line(22));
        f.resource_policy.push(p);
        f.resource_policy.push(invoke("*"));
        f.resource_policy.push(invoke("123456789012"));
        f.resource_policy.push(invoke(".amazonaws.com"));
        assert!(run(&ServicePermissionWithoutSource, &f).is_empty());
    }
}
