use faasguard_iam::{
    ManagedPolicyClass, classify_managed_policy, effective_document, managed_policy_name,
};
use faasguard_model::{Effect, Function, Inventory};

use crate::rules::iam::support::aws_managed_policies;
use crate::{RuleSettings, Violation, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports AWS managed policies attached to a function's execution role that grant full
    /// access to one or more services: the `*FullAccess` family (`AmazonS3FullAccess`,
    /// `AmazonDynamoDBFullAccess`, `AWSLambda_FullAccess` …), the `*ReadWrite` policies
    /// (`SecretsManagerReadWrite`), the service `AdministratorAccess-*` policies and the
    /// job-function administrator policies. The evidence lists the service wildcards the policy
    /// grants, read from faasguard's copy of the policy document. AdministratorAccess,
    /// PowerUserAccess and IAMFullAccess are FG-IAM-006's.
    ///
    /// ## Why is this bad?
    /// These policies are written for humans administering a service, not for one function's
    /// code. `AmazonS3FullAccess` lets the function read, overwrite, delete and make public every
    /// bucket in the account; `AWSLambda_FullAccess` lets it replace the code of every function.
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
    ///       CodeUri: src/
    ///       Policies:
    ///         - AmazonS3FullAccess
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
    ///       CodeUri: src/
    ///       Policies:
    ///         - Version: "2012-10-17"
    ///           Statement:
    ///             - Effect: Allow
    ///               Action:
    ///                 - s3:GetObject
    ///                 - s3:PutObject
    ///               Resource: arn:aws:s3:::thumbnails-bucket/*
    /// ```
    ///
    /// ## References
    /// - OWASP Serverless Top 10 SAS-5: Over-Privileged Function Permissions and Roles
    /// - CWE-250: Execution with Unnecessary Privileges
    /// - <https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html>
    pub AwsManagedFullAccessPolicy {
        id: "FG-IAM-007",
        name: "aws-managed-full-access-policy",
        title: "Execution role has an AWS managed *FullAccess policy attached",
        severity: Medium,
        family: Iam,
        status: Stable,
        since: "0.1.0",
        remediation: "Replace the managed policy with a statement listing the actions the function calls, scoped to its resources (SAM policy templates such as S3CrudPolicy do this).",
        references: &[
            "OWASP Serverless Top 10 SAS-5: Over-Privileged Function Permissions and Roles",
            "CWE-250",
            "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html",
        ],
    }
}

impl AwsManagedFullAccessPolicy {
    fn check_function(
        func: &Function,
        _inv: &Inventory,
        _settings: &RuleSettings,
        out: &mut Vec<Violation>,
    ) {
        for (policy, arn) in aws_managed_policies(func) {
            if classify_managed_policy(arn) != Some(ManagedPolicyClass::FullAccess) {
                continue;
            }
            let name = managed_policy_name(arn).unwrap_or(arn);
            let doc = effective_document(policy);
            let mut wildcards: Vec<&str> = doc
                .statements
                .iter()
                .filter(|s| s.effect == Effect::Allow)
                .flat_map(|s| s.action.iter())
                .map(|a| a.text.as_str())
                .filter(|a| a.ends_with(":*"))
                .collect();
            wildcards.sort_unstable();
            wildcards.dedup();
            let mut v = Violation::new(
                Some(&policy.at),
                format!(
                    "execution role has the AWS managed policy {name} attached, which grants full access to a service"
                ),
            );
            v = if wildcards.is_empty() {
                v.with_evidence(arn)
            } else {
                v.with_evidence(format!("{arn} grants {}", wildcards.join(", ")))
            };
            out.push(v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::iam::support::testing::{function_with, line, managed, run};

    /// AmazonS3FullAccess (bare name) fires at its attachment and names `s3:*`.
    #[test]
    fn s3_full_access_fires() {
        let f = function_with(vec![managed("AmazonS3FullAccess", 11)]);
        let out = run(&AwsManagedFullAccessPolicy, &f);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].at, Some(line(11)));
        let ev = out[0].evidence.as_deref().unwrap_or_default();
        assert!(ev.contains("s3:*"), "{ev}");
    }

    /// SecretsManagerReadWrite and AWSLambda_FullAccess are in the family.
    #[test]
    fn read_write_family_fires() {
        let f = function_with(vec![
            managed("arn:aws:iam::aws:policy/SecretsManagerReadWrite", 11),
            managed("arn:aws:iam::aws:policy/AWSLambda_FullAccess", 12),
        ]);
        assert_eq!(run(&AwsManagedFullAccessPolicy, &f).len(), 2);
    }

    /// AdministratorAccess (FG-IAM-006), read-only and execution-role policies are silent.
    #[test]
    fn other_managed_policies_are_silent() {
        let f = function_with(vec![
            managed("arn:aws:iam::aws:policy/AdministratorAccess", 11),
            managed("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess", 12),
            managed(
                "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
                13,
            ),
        ]);
        assert!(run(&AwsManagedFullAccessPolicy, &f).is_empty());
    }
}
