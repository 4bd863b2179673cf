use faasguard_model::{Function, Inventory};

use crate::rules::function::support::is_aws;
use crate::{RuleSettings, Violation, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports AWS Lambda functions that have environment variables but no customer-managed KMS
    /// key for them (`KmsKeyArn`, `kms_key_arn`, `kmsKeyArn` / `awsKmsKeyArn` in
    /// serverless.yml, `KMSKeyArn` in the live configuration). A key written as an unresolved
    /// expression is not reported.
    ///
    /// ## Why is this bad?
    /// Without a key of its own, Lambda encrypts the variables with the account's AWS managed
    /// key `aws/lambda`, which every principal of the account may use through Lambda. Anyone
    /// allowed `lambda:GetFunctionConfiguration` (read-only roles, auditors, CI users, a
    /// compromised developer laptop) then reads every value in plain text. With a
    /// customer-managed key, the key policy decides who may decrypt them: the function's role
    /// and the people who need them, nobody else; the key's use is logged in CloudTrail, and the
    /// key can be disabled in an incident. Secrets themselves belong in Secrets Manager or SSM
    /// Parameter Store (FG-FN-009 reports the ones written into the variables).
    ///
    /// ## Example
    /// ```yaml
    /// AWSTemplateFormatVersion: "2010-09-09"
    /// Transform: AWS::Serverless-2016-10-31
    /// Resources:
    ///   OrdersFunction:
    ///     Type: AWS::Serverless::Function
    ///     Properties:
    ///       Handler: app.handler
    ///       Runtime: python3.13
    ///       CodeUri: orders/
    ///       Environment:
    ///         Variables:
    ///           TABLE_NAME: orders
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// AWSTemplateFormatVersion: "2010-09-09"
    /// Transform: AWS::Serverless-2016-10-31
    /// Resources:
    ///   EnvKey:
    ///     Type: AWS::KMS::Key
    ///     Properties:
    ///       EnableKeyRotation: true
    ///   OrdersFunction:
    ///     Type: AWS::Serverless::Function
    ///     Properties:
    ///       Handler: app.handler
    ///       Runtime: python3.13
    ///       CodeUri: orders/
    ///       KmsKeyArn: !GetAtt EnvKey.Arn
    ///       Environment:
    ///         Variables:
    ///           TABLE_NAME: orders
    /// ```
    ///
    /// ## References
    /// - OWASP Serverless Top 10 SAS-3: Insecure Serverless Deployment Configuration
    /// - CWE-311: Missing Encryption of Sensitive Data
    /// - <https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars-encryption.html>
    pub EnvironmentWithoutCustomerKey {
        id: "FG-FN-017",
        name: "environment-without-customer-key",
        title: "Environment variables are not encrypted with a customer-managed KMS key",
        severity: Low,
        family: Function,
        status: Stable,
        since: "0.1.0",
        remediation: "Set KmsKeyArn (kms_key_arn, kmsKeyArn) to a customer-managed key whose policy lets only the function's role and the people who need the values decrypt them.",
        references: &[
            "OWASP Serverless Top 10 SAS-3: Insecure Serverless Deployment Configuration",
            "CWE-311",
            "https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars-encryption.html",
        ],
    }
}

impl EnvironmentWithoutCustomerKey {
    fn check_function(
        func: &Function,
        _inv: &Inventory,
        _settings: &RuleSettings,
        out: &mut Vec<Violation>,
    ) {
        if !is_aws(func) || func.kms_key.is_unresolved() || func.kms_key.get().is_some() {
            return;
        }
        let Some(first) = func.environment.first() else {
            return;
        };
        let n = func.environment.len();
        out.push(Violation::new(
            Some(&first.at),
            format!(
                "{n} environment variable{} encrypted only with the AWS managed key aws/lambda: anyone allowed lambda:GetFunctionConfiguration reads {} in plain text",
                if n == 1 { " is" } else { "s are" },
                if n == 1 { "it" } else { "them" },
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use faasguard_core::Attr;
    use faasguard_model::EnvVar;

    use super::*;
    use crate::rules::function::support::testing::{self, aws_function, line};

    fn run(vars: u32, key: Attr<String>) -> Vec<Violation> {
        let mut f = aws_function("Fn");
        f.environment = (0..vars)
            .map(|i| EnvVar {
                name: format!("V{i}"),
                value: Attr::explicit("x".to_owned(), line(20 + i)),
                at: line(20 + i),
                default_from: None,
            })
            .collect();
        f.kms_key = key;
        testing::run(&EnvironmentWithoutCustomerKey, &f)
    }

    /// Variables without a key fire once, at the first variable; the count is in the message.
    #[test]
    fn variables_without_key_fire_at_the_first() {
        let out = run(2, Attr::absent());
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].at, Some(line(20)));
        assert!(
            out[0].message.starts_with("2 environment variables are"),
            "{}",
            out[0].message
        );
    }

    /// A key (literal or an expression), or no variables at all, is silent.
    #[test]
    fn key_or_no_variables_is_silent() {
        assert!(run(0, Attr::absent()).is_empty());
        let key = "arn:aws:kms:us-east-1:111122223333:key/k".to_owned();
        assert!(run(1, Attr::explicit(key, line(5))).is_empty());
        assert!(run(1, Attr::unresolved("!Ref KeyArn", line(5))).is_empty());
    }
}
