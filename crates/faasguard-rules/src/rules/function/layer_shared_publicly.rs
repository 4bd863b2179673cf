use faasguard_model::{Function, Inventory};

use crate::rules::function::public_invoke_permission::is_public_principal;
use crate::rules::function::support::is_aws;
use crate::{RuleSettings, Violation, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a layer the function uses whose layer version permission
    /// (`AWS::Lambda::LayerVersionPermission`, `aws_lambda_layer_version_permission`, a
    /// Serverless Framework `allowedAccounts` entry) grants principal `*` (every AWS account)
    /// without an organization restriction (`OrganizationId` / `organization_id`). A principal
    /// written as an unresolved expression, a named account, and a `*` limited to an
    /// organization (even one given as an expression) are not reported. The finding is on each
    /// function that uses the layer and names the layer.
    ///
    /// ## Why is this bad?
    /// Anyone with an AWS account can then call `GetLayerVersion` on that version and download
    /// the layer's code: your internal libraries, configuration files and any credential or
    /// key bundled into the layer. It does not let them invoke the function (that is
    /// FG-FN-004's concern), but it publishes code that runs inside the function with its
    /// role, which helps an attacker look for weaknesses in it. Publishing a layer to the world
    /// is rarely intended outside of public tooling.
    ///
    /// ## Example
    /// ```yaml
    /// AWSTemplateFormatVersion: "2010-09-09"
    /// Transform: AWS::Serverless-2016-10-31
    /// Resources:
    ///   SharedLibsLayer:
    ///     Type: AWS::Serverless::LayerVersion
    ///     Properties:
    ///       ContentUri: layers/shared/
    ///   SharedLibsLayerPermission:
    ///     Type: AWS::Lambda::LayerVersionPermission
    ///     Properties:
    ///       Action: lambda:GetLayerVersion
    ///       LayerVersionArn: !Ref SharedLibsLayer
    ///       Principal: "*"
    ///   ReportFunction:
    ///     Type: AWS::Serverless::Function
    ///     Properties:
    ///       Handler: app.handler
    ///       Runtime: python3.13
    ///       CodeUri: report/
    ///       Layers:
    ///         - !Ref SharedLibsLayer
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// AWSTemplateFormatVersion: "2010-09-09"
    /// Transform: AWS::Serverless-2016-10-31
    /// Resources:
    ///   SharedLibsLayer:
    ///     Type: AWS::Serverless::LayerVersion
    ///     Properties:
    ///       ContentUri: layers/shared/
    ///   SharedLibsLayerPermission:
    ///     Type: AWS::Lambda::LayerVersionPermission
    ///     Properties:
    ///       Action: lambda:GetLayerVersion
    ///       LayerVersionArn: !Ref SharedLibsLayer
    ///       Principal: "*"
    ///       OrganizationId: o-a1b2c3d4e5
    ///   ReportFunction:
    ///     Type: AWS::Serverless::Function
    ///     Properties:
    ///       Handler: app.handler
    ///       Runtime: python3.13
    ///       CodeUri: report/
    ///       Layers:
    ///         - !Ref SharedLibsLayer
    /// ```
    ///
    /// ## References
    /// - OWASP Serverless Top 10 SAS-3: Insecure Serverless Deployment Configuration
    /// - CWE-200: Exposure of Sensitive Information to an Unauthorized Actor
    /// - <https://docs.aws.amazon.com/lambda/latest/dg/permissions-layer-cross-account.html>
    pub LayerSharedPublicly {
        id: "FG-FN-016",
        name: "layer-shared-publicly",
        title: "Layer used by the function can be downloaded by any AWS account",
        severity: Medium,
        family: Function,
        status: Stable,
        since: "0.1.0",
        remediation: "Grant the layer permission to named account ids, or add OrganizationId (organization_id) so that only your organization's accounts can download it; keep secrets out of layers.",
        references: &[
            "OWASP Serverless Top 10 SAS-3: Insecure Serverless Deployment Configuration",
            "CWE-200",
            "https://docs.aws.amazon.com/lambda/latest/dg/permissions-layer-cross-account.html",
        ],
    }
}

impl LayerSharedPublicly {
    fn check_function(
        func: &Function,
        _inv: &Inventory,
        _settings: &RuleSettings,
        out: &mut Vec<Violation>,
    ) {
        if !is_aws(func) {
            return;
        }
        for perm in &func.layer_permissions {
            let Some(principal) = perm.principal.get() else {
                continue;
            };
            if !is_public_principal(principal) || perm.organization_id.is_written() {
                continue;
            }
            let layer = perm.layer.as_str();
            out.push(
                Violation::new(
                    Some(perm.principal.location().unwrap_or(&perm.at)),
                    format!(
                        "layer `{layer}` is shared with every AWS account (principal `*` without an organization restriction): anyone can download its code and any secret in it"
                    ),
                )
                .with_evidence(format!("Layer: {layer}; Principal: {}", principal.trim())),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use faasguard_core::Attr;

    use super::*;
    use crate::rules::function::support::testing::{
        aws_function, azure_function, layer_permission, line, permission, run,
    };

    /// `*` without an organization fires once per permission, at the Principal line, naming
    /// the layer.
    #[test]
    fn star_without_organization_fires() {
        let mut f = aws_function("Fn");
        f.layer_permissions.push(layer_permission("*"));
        let out = run(&LayerSharedPublicly, &f);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].at, Some(line(31)));
        assert_eq!(out[0].severity, None);
        assert!(out[0].message.contains("`SharedLibsLayer`"), "{out:?}");
    }

    /// An organization restriction (even unresolved), a named account and an unresolved
    /// principal are silent.
    #[test]
    fn organization_named_account_or_unresolved_is_silent() {
        let mut f = aws_function("Fn");
        let mut p = layer_permission("*");
        p.organization_id = Attr::explicit("o-a1b2c3d4e5".to_owned(), line(32));
        f.layer_permissions.push(p);
        let mut p = layer_permission("*");
        p.organization_id = Attr::unresolved("!Ref OrgId", line(32));
        f.layer_permissions.push(p);
        f.layer_permissions.push(layer_permission("111122223333"));
        let mut p = layer_permission("*");
        p.principal = Attr::unresolved("!Ref SharedWith", line(31));
        f.layer_permissions.push(p);
        assert!(run(&LayerSharedPublicly, &f).is_empty());
    }

    /// A public invoke permission in the function's resource policy is FG-FN-004's business,
    /// not this rule's; Azure functions are skipped.
    #[test]
    fn resource_policy_and_azure_are_ignored() {
        let mut f = aws_function("Fn");
        f.resource_policy
            .push(permission("*", "lambda:InvokeFunction"));
        assert!(run(&LayerSharedPublicly, &f).is_empty());
        let mut az = azure_function("Http");
        az.layer_permissions.push(layer_permission("*"));
        assert!(run(&LayerSharedPublicly, &az).is_empty());
    }
}
