use faasguard_core::Severity;
use faasguard_iam::data_exfiltration_actions;
use faasguard_model::{Function, Inventory};

use crate::rules::iam::support::{granting_location, list_actions, risky_on_any_resource};
use crate::{RuleSettings, Violation, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a function's execution role when it allows actions that read stored data or
    /// secrets (`s3:GetObject`, `secretsmanager:GetSecretValue`, `ssm:GetParameter*`,
    /// `kms:Decrypt`, `dynamodb:Scan`/`Query`/`GetItem`, `sqs:ReceiveMessage` …, listed in
    /// `data/iam/sensitive-actions.tsv`) on every resource (`Resource: "*"` or an equivalent
    /// wildcard ARN, or `NotResource`). All of the role's policies are combined, AWS managed
    /// ones included. The finding is **high** when secrets (`secretsmanager`, `ssm`, `kms`) are
    /// reachable, **medium** otherwise. Roles that allow every action are left to FG-IAM-001 and
    /// FG-IAM-006.
    ///
    /// ## Why is this bad?
    /// A function that reads one bucket or one secret needs it on that ARN only. On `*`, any
    /// code flaw lets an attacker read every object, secret, parameter and table in the
    /// account, and decrypt whatever the KMS keys' policies allow.
    ///
    /// ## Example
    /// ```yaml
    /// AWSTemplateFormatVersion: "2010-09-09"
    /// Transform: AWS::Serverless-2016-10-31
    /// Resources:
    ///   ConfigFunction:
    ///     Type: AWS::Serverless::Function
    ///     Properties:
    ///       Handler: app.handler
    ///       Runtime: python3.13
    ///       CodeUri: src/
    ///       Policies:
    ///         - Version: "2012-10-17"
    ///           Statement:
    ///             - Effect: Allow
    ///               Action:
    ///                 - secretsmanager:GetSecretValue
    ///               Resource: "*"
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// AWSTemplateFormatVersion: "2010-09-09"
    /// Transform: AWS::Serverless-2016-10-31
    /// Resources:
    ///   ConfigFunction:
    ///     Type: AWS::Serverless::Function
    ///     Properties:
    ///       Handler: app.handler
    ///       Runtime: python3.13
    ///       CodeUri: src/
    ///       Policies:
    ///         - Version: "2012-10-17"
    ///           Statement:
    ///             - Effect: Allow
    ///               Action:
    ///                 - secretsmanager:GetSecretValue
    ///               Resource: arn:aws:secretsmanager:us-east-1:123456789012:secret:app/db-AbCdEf
    /// ```
    ///
    /// ## References
    /// - OWASP Serverless Top 10 SAS-5: Over-Privileged Function Permissions and Roles
    /// - OWASP Serverless Top 10 SAS-7: Insecure Application Secrets Storage
    /// - CWE-200: Exposure of Sensitive Information to an Unauthorized Actor
    pub IamDataExfiltrationOnAnyResource {
        id: "FG-IAM-009",
        name: "iam-data-exfiltration-on-any-resource",
        title: "Execution role can read data or secrets on every resource",
        severity: Medium,
        family: Iam,
        status: Stable,
        since: "0.1.0",
        remediation: "Scope the read actions to the ARNs of the buckets, tables, secrets, parameters and keys the function uses.",
        references: &[
            "OWASP Serverless Top 10 SAS-5: Over-Privileged Function Permissions and Roles",
            "OWASP Serverless Top 10 SAS-7: Insecure Application Secrets Storage",
            "CWE-200",
        ],
    }
}

impl IamDataExfiltrationOnAnyResource {
    fn check_function(
        func: &Function,
        _inv: &Inventory,
        _settings: &RuleSettings,
        out: &mut Vec<Violation>,
    ) {
        let Some((_, reach)) = risky_on_any_resource(func, data_exfiltration_actions()) else {
            return;
        };
        let Some(first) = reach.iter().next() else {
            return;
        };
        let secrets = reach
            .actions()
            .any(|a| matches!(a.service, "secretsmanager" | "ssm" | "kms"));
        let mut v = Violation::new(
            granting_location(func, first, true).as_ref(),
            format!(
                "execution role can read data or secrets on every resource ({} action(s))",
                reach.len()
            ),
        )
        .with_evidence(list_actions(reach.actions(), 10));
        if secrets {
            v = v.with_severity(Severity::High);
        }
        out.push(v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::iam::support::testing::{allow, function_with, inline, line, managed, run};

    /// secretsmanager:GetSecretValue on `*` is high, located at the granting statement.
    #[test]
    fn secrets_on_star_is_high() {
        let f = function_with(vec![inline(vec![
            allow(&["s3:PutObject"], &["*"], 12),
            allow(&["secretsmanager:GetSecretValue"], &["*"], 14),
        ])]);
        let out = run(&IamDataExfiltrationOnAnyResource, &f);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].at, Some(line(14)));
        assert_eq!(out[0].severity, Some(Severity::High));
        assert_eq!(
            out[0].evidence.as_deref(),
            Some("secretsmanager:GetSecretValue")
        );
    }

    /// `s3:Get*` on `arn:aws:s3:::*/*` reaches every object; AmazonS3ReadOnlyAccess too.
    #[test]
    fn s3_reads_fire() {
        let f = function_with(vec![inline(vec![allow(
            &["s3:Get*"],
            &["arn:aws:s3:::*/*"],
            14,
        )])]);
        let out = run(&IamDataExfiltrationOnAnyResource, &f);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].severity, None);
        let f = function_with(vec![managed("AmazonS3ReadOnlyAccess", 11)]);
        assert_eq!(run(&IamDataExfiltrationOnAnyResource, &f).len(), 1);
    }

    /// Reads scoped to ARNs, and an admin role (other rules' job), are silent.
    #[test]
    fn scoped_reads_are_silent() {
        let f = function_with(vec![inline(vec![allow(
            &["s3:GetObject", "secretsmanager:GetSecretValue"],
            &[
                "arn:aws:s3:::reports/*",
                "arn:aws:secretsmanager:us-east-1:123456789012:secret:app-AbCdEf",
            ],
            14,
        )])]);
        assert!(run(&IamDataExfiltrationOnAnyResource, &f).is_empty());
        let admin = function_with(vec![inline(vec![allow(&["*"], &["*"], 14)])]);
        assert!(run(&IamDataExfiltrationOnAnyResource, &admin).is_empty());
    }
}
