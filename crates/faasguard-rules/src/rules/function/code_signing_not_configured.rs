use faasguard_model::{Function, Inventory};

use crate::rules::function::support::is_aws;
use crate::{RuleSettings, Violation, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports AWS Lambda functions deployed from a .zip package without a code-signing
    /// configuration (`CodeSigningConfigArn` in SAM and CloudFormation,
    /// `code_signing_config_arn` in Terraform). Container-image functions are skipped: Lambda
    /// code signing applies to .zip packages only (sign images in the registry instead). A value
    /// written as an unresolved expression counts as configured.
    ///
    /// ## Why is this bad?
    /// Without code signing, anyone who can call `lambda:UpdateFunctionCode` — a leaked CI
    /// credential, an over-privileged role, a compromised build step — can replace the
    /// function's code with their own, and Lambda runs it with the function's role. A
    /// code-signing configuration whose policy is `Enforce` makes Lambda reject packages that
    /// were not signed by your signing profiles, so only what your pipeline signed can run.
    ///
    /// ## Example
    /// ```yaml
    /// AWSTemplateFormatVersion: "2010-09-09"
    /// Transform: AWS::Serverless-2016-10-31
    /// Resources:
    ///   PayoutFunction:
    ///     Type: AWS::Serverless::Function
    ///     Properties:
    ///       Handler: app.handler
    ///       Runtime: python3.13
    ///       CodeUri: payout/
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// AWSTemplateFormatVersion: "2010-09-09"
    /// Transform: AWS::Serverless-2016-10-31
    /// Resources:
    ///   SigningConfig:
    ///     Type: AWS::Lambda::CodeSigningConfig
    ///     Properties:
    ///       AllowedPublishers:
    ///         SigningProfileVersionArns:
    ///           - arn:aws:signer:us-east-1:123456789012:/signing-profiles/release/abcdef1234
    ///       CodeSigningPolicies:
    ///         UntrustedArtifactOnDeployment: Enforce
    ///   PayoutFunction:
    ///     Type: AWS::Serverless::Function
    ///     Properties:
    ///       Handler: app.handler
    ///       Runtime: python3.13
    ///       CodeUri: payout/
    ///       CodeSigningConfigArn: !Ref SigningConfig
    /// ```
    ///
    /// ## References
    /// - OWASP Serverless Top 10 SAS-3: Insecure Serverless Deployment Configuration
    /// - CWE-494: Download of Code Without Integrity Check
    /// - <https://docs.aws.amazon.com/lambda/latest/dg/configuration-codesigning.html>
    pub CodeSigningNotConfigured {
        id: "FG-FN-015",
        name: "code-signing-not-configured",
        title: "Function package is not verified by a code-signing configuration",
        severity: Low,
        family: Function,
        status: Stable,
        since: "0.1.0",
        remediation: "Create an AWS::Lambda::CodeSigningConfig (aws_lambda_code_signing_config) with UntrustedArtifactOnDeployment: Enforce, sign packages in CI with AWS Signer, and set CodeSigningConfigArn on the function.",
        references: &[
            "OWASP Serverless Top 10 SAS-3: Insecure Serverless Deployment Configuration",
            "CWE-494",
            "https://docs.aws.amazon.com/lambda/latest/dg/configuration-codesigning.html",
        ],
    }
}

impl CodeSigningNotConfigured {
    fn check_function(
        func: &Function,
        _inv: &Inventory,
        _settings: &RuleSettings,
        out: &mut Vec<Violation>,
    ) {
        if !is_aws(func) || func.code_signing_config.is_written() {
            return;
        }
        let is_image = func
            .package_type
            .get()
            .is_some_and(|t| t.eq_ignore_ascii_case("Image"));
        if is_image || func.package_type.is_unresolved() {
            return;
        }
        out.push(Violation::new(
            None,
            "no code-signing configuration: Lambda accepts any package uploaded with lambda:UpdateFunctionCode",
        ));
    }
}

#[cfg(test)]
mod tests {
    use faasguard_core::Attr;

    use super::*;
    use crate::rules::function::support::testing::{aws_function, line, run};

    /// A .zip function without a code-signing configuration fires at the function.
    #[test]
    fn zip_without_config_fires() {
        let out = run(&CodeSigningNotConfigured, &aws_function("Fn"));
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].at, None);
    }

    /// A configured (even as an expression) or container-image function is silent.
    #[test]
    fn configured_or_image_is_silent() {
        let mut f = aws_function("Fn");
        f.code_signing_config = Attr::unresolved("!Ref SigningConfig", line(9));
        assert!(run(&CodeSigningNotConfigured, &f).is_empty());
        let mut f = aws_function("Fn");
        f.code_signing_config = Attr::explicit(
            "arn:aws:lambda:us-east-1:123456789012:code-signing-config:csc-1".to_owned(),
            line(9),
        );
        assert!(run(&CodeSigningNotConfigured, &f).is_empty());
        let mut f = aws_function("Fn");
        f.package_type = Attr::explicit("Image".to_owned(), line(4));
        assert!(run(&CodeSigningNotConfigured, &f).is_empty());
    }
}
