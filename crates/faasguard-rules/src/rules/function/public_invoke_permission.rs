use faasguard_core::Severity;
use faasguard_model::{Function, Inventory, Permission};

use crate::{RuleSettings, Violation, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a statement of the function's resource-based policy (`AWS::Lambda::Permission`,
    /// `aws_lambda_permission`, a live `GetPolicy` statement) whose principal is `*` (or
    /// `{"AWS": "*"}`) and that has none of the conditions that narrow it: `SourceArn`,
    /// `SourceAccount` or `PrincipalOrgID`. Invoke actions (`lambda:InvokeFunction`,
    /// `lambda:InvokeFunctionUrl`, `lambda:*`) are **critical**; other actions are **high**.
    /// A principal or action written as an unresolved expression is not reported, and the
    /// `lambda:InvokeFunctionUrl` permission that accompanies a function URL with `AuthType: NONE`
    /// is left to FG-FN-003, which reports the URL itself. Layer version permissions (who may
    /// download a layer the function uses) are not part of the function's resource policy:
    /// FG-FN-016 reports a public one.
    ///
    /// ## Why is this bad?
    /// `Principal: "*"` without a condition lets every AWS account in the world (and, for a
    /// function URL, every anonymous caller) invoke the function through the Lambda API. The
    /// function then runs attacker-chosen input with its execution role's permissions, and the
    /// owner pays for every call. Being outside a VPC is irrelevant here (faasguard does not
    /// report it): the Invoke API is public by design and only this policy guards it.
    ///
    /// ## Example
    /// ```yaml
    /// AWSTemplateFormatVersion: "2010-09-09"
    /// Transform: AWS::Serverless-2016-10-31
    /// Resources:
    ///   ProcessorFunction:
    ///     Type: AWS::Serverless::Function
    ///     Properties:
    ///       Handler: app.handler
    ///       Runtime: python3.13
    ///       CodeUri: processor/
    ///   ProcessorInvokePermission:
    ///     Type: AWS::Lambda::Permission
    ///     Properties:
    ///       Action: lambda:InvokeFunction
    ///       FunctionName: !Ref ProcessorFunction
    ///       Principal: "*"
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// AWSTemplateFormatVersion: "2010-09-09"
    /// Transform: AWS::Serverless-2016-10-31
    /// Resources:
    ///   ProcessorFunction:
    ///     Type: AWS::Serverless::Function
    ///     Properties:
    ///       Handler: app.handler
    ///       Runtime: python3.13
    ///       CodeUri: processor/
    ///   ProcessorInvokePermission:
    ///     Type: AWS::Lambda::Permission
    ///     Properties:
    ///       Action: lambda:InvokeFunction
    ///       FunctionName: !Ref ProcessorFunction
    ///       Principal: "*"
    ///       PrincipalOrgID: o-a1b2c3d4e5
    /// ```
    ///
    /// ## References
    /// - OWASP Serverless Top 10 SAS-3: Insecure Serverless Deployment Configuration
    /// - CWE-284: Improper Access Control
    /// - <https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html>
    pub PublicInvokePermission {
        id: "FG-FN-004",
        name: "public-invoke-permission",
        title: "Resource policy lets anyone invoke the function",
        severity: Critical,
        family: Function,
        status: Stable,
        since: "0.1.0",
        remediation: "Name the calling account or service as the principal, or add SourceArn, SourceAccount or PrincipalOrgID to the permission.",
        references: &[
            "OWASP Serverless Top 10 SAS-3: Insecure Serverless Deployment Configuration",
            "CWE-284",
            "https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html",
        ],
    }
}

impl PublicInvokePermission {
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
            if !is_public_principal(principal) || is_narrowed(perm) {
                continue;
            }
            if perm.action.is_unresolved() || left_to_url_rule(func, perm) {
                continue;
            }
            let action = perm
                .action
                .get()
                .map_or("lambda:InvokeFunction", |a| a.trim());
            let mut v = Violation::new(
                Some(perm.principal.location().unwrap_or(&perm.at)),
                format!(
                    "resource policy grants {action} to principal `*` without a SourceArn, SourceAccount or PrincipalOrgID condition"
                ),
            )
            .with_evidence(format!("Principal: {}; Action: {action}", principal.trim()));
            if !is_invoke_action(action) {
                v = v.with_severity(Severity::High);
            }
            out.push(v);
        }
    }
}

/// `*`, `{"AWS": "*"}` or `{"AWS": ["*"]}` as written.
pub(crate) fn is_public_principal(principal: &str) -> bool {
    let p = principal.trim();
    if p == "*" {
        return true;
    }
    match serde_json::from_str::<serde_json::Value>(p) {
        Ok(serde_json::Value::String(s)) => s == "*",
        Ok(serde_json::Value::Object(map)) => map.get("AWS").is_some_and(|aws| match aws {
            serde_json::Value::String(s) => s == "*",
            serde_json::Value::Array(items) => items.iter().any(|i| i.as_str() == Some("*")),
            _ => false,
        }),
        _ => false,
    }
}

/// A condition narrows the principal (even one faasguard cannot resolve).
fn is_narrowed(perm: &Permission) -> bool {
    perm.source_arn.is_written()
        || perm.source_account.is_written()
        || perm.principal_org_id.is_written()
}

fn is_invoke_action(action: &str) -> bool {
    let a = action.to_ascii_lowercase();
    a == "*" || a == "lambda:*" || a.starts_with("lambda:invoke")
}

/// The public `InvokeFunctionUrl` permission of a URL whose AuthType is NONE: FG-FN-003
/// reports the URL, so this rule does not report its permission twice.
fn left_to_url_rule(func: &Function, perm: &Permission) -> bool {
    let url_none = |a: Option<&String>| a.is_some_and(|s| s.trim().eq_ignore_ascii_case("NONE"));
    url_none(perm.function_url_auth_type.get())
        && func
            .url
            .as_ref()
            .is_some_and(|u| url_none(u.auth_type.get()))
}

#[cfg(test)]
mod tests {
    use faasguard_core::Attr;
    use faasguard_model::FunctionUrl;

    use super::*;
    use crate::rules::function::support::testing::{
        aws_function, layer_permission, line, permission, run,
    };

    /// `Principal: "*"` on InvokeFunction with no condition is critical, at the Principal line.
    #[test]
    fn star_principal_fires() {
        let mut f = aws_function("Fn");
        f.resource_policy
            .push(permission("*", "lambda:InvokeFunction"));
        let out = run(&PublicInvokePermission, &f);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].severity, None);
        assert_eq!(out[0].at, Some(line(21)));
    }

    /// `{"AWS": "*"}` is the same principal; a non-invoke action is high.
    #[test]
    fn aws_star_object_and_other_actions() {
        let mut f = aws_function("Fn");
        f.resource_policy
            .push(permission(r#"{"AWS": ["*"]}"#, "lambda:GetFunction"));
        let out = run(&PublicInvokePermission, &f);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].severity, Some(Severity::High));
    }

    /// SourceArn, SourceAccount or PrincipalOrgID (even unresolved) silence the rule, as do a
    /// named account principal and an unresolved principal.
    #[test]
    fn narrowed_or_named_is_silent() {
        let mut f = aws_function("Fn");
        let mut p = permission("*", "lambda:InvokeFunction");
        p.principal_org_id = Attr::explicit("o-a1b2c3d4e5".to_owned(), line(22));
        f.resource_policy.push(p);
        let mut p = permission("*", "lambda:InvokeFunction");
        p.source_account = Attr::unresolved("!Ref AWS::AccountId", line(22));
        f.resource_policy.push(p);
        f.resource_policy
            .push(permission("123456789012", "lambda:InvokeFunction"));
        let mut p = permission("*", "lambda:InvokeFunction");
        p.principal = Attr::unresolved("!Ref CallerPrincipal", line(21));
        f.resource_policy.push(p);
        assert!(run(&PublicInvokePermission, &f).is_empty());
    }

    /// A layer the function uses shared with `*` is not an invoke permission: this rule
    /// stays silent (FG-FN-016 reports it).
    #[test]
    fn layer_permissions_are_not_invoke_permissions() {
        let mut f = aws_function("Fn");
        f.layer_permissions.push(layer_permission("*"));
        assert!(run(&PublicInvokePermission, &f).is_empty());
    }

    /// The URL permission of an AuthType NONE URL is left to FG-FN-003; without such a URL it
    /// is reported.
    #[test]
    fn url_permission_left_to_url_rule() {
        let mut p = permission("*", "lambda:InvokeFunctionUrl");
        p.function_url_auth_type = Attr::explicit("NONE".to_owned(), line(23));
        let mut f = aws_function("Fn");
        f.resource_policy.push(p);
        assert_eq!(run(&PublicInvokePermission, &f).len(), 1);
        f.url = Some(FunctionUrl {
            auth_type: Attr::explicit("NONE".to_owned(), line(11)),
            cors: None,
            at: line(10),
        });
        assert!(run(&PublicInvokePermission, &f).is_empty());
    }
}
