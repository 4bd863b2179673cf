use faasguard_core::Severity;
use faasguard_iam::{ManagedPolicyClass, classify_managed_policy, managed_policy_name};
use faasguard_model::{Function, Inventory};

use crate::rules::iam::support::aws_managed_policies;
use crate::{RuleSettings, Violation, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports AWS managed policies attached to a function's execution role that make it an
    /// administrator or let it become one: `AdministratorAccess` (every action on every
    /// resource, **critical**), `PowerUserAccess` (everything except IAM and Organizations,
    /// **high**) and `IAMFullAccess` (all of IAM, so it can grant itself anything, **high**).
    /// The policy is recognised by its ARN in any partition or by its bare name, as SAM
    /// `Policies`, CloudFormation `ManagedPolicyArns`, Terraform `aws_iam_role_policy_attachment`
    /// and serverless `managedPolicies` write it. A customer policy that happens to be named
    /// `AdministratorAccess` in an account is not the AWS policy and is analysed by its document.
    ///
    /// ## Why is this bad?
    /// A function with administrator rights turns any code flaw into a full account takeover.
    /// Checkov flags an attached AdministratorAccess only in Terraform; faasguard flags it in
    /// every source.
    ///
    /// ## Example
    /// ```yaml
    /// AWSTemplateFormatVersion: "2010-09-09"
    /// Transform: AWS::Serverless-2016-10-31
    /// Resources:
    ///   AdminFunction:
    ///     Type: AWS::Serverless::Function
    ///     Properties:
    ///       Handler: app.handler
    ///       Runtime: python3.13
    ///       CodeUri: src/
    ///       Policies:
    ///         - arn:aws:iam::aws:policy/AdministratorAccess
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// AWSTemplateFormatVersion: "2010-09-09"
    /// Transform: AWS::Serverless-2016-10-31
    /// Resources:
    ///   AdminFunction:
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
    ///                 - sqs:SendMessage
    ///               Resource: arn:aws:sqs:us-east-1:123456789012:jobs
    /// ```
    ///
    /// ## References
    /// - OWASP Serverless Top 10 SAS-5: Over-Privileged Function Permissions and Roles
    /// - CWE-250: Execution with Unnecessary Privileges
    /// - <https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_job-functions.html>
    pub AwsManagedAdminPolicy {
        id: "FG-IAM-006",
        name: "aws-managed-admin-policy",
        title: "Execution role has AdministratorAccess, PowerUserAccess or IAMFullAccess attached",
        severity: Critical,
        family: Iam,
        status: Stable,
        since: "0.1.0",
        remediation: "Detach the managed policy and grant the function only the actions it calls, on its own resources.",
        references: &[
            "OWASP Serverless Top 10 SAS-5: Over-Privileged Function Permissions and Roles",
            "CWE-250",
            "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_job-functions.html",
        ],
    }
}

impl AwsManagedAdminPolicy {
    fn check_function(
        func: &Function,
        _inv: &Inventory,
        _settings: &RuleSettings,
        out: &mut Vec<Violation>,
    ) {
        for (policy, arn) in aws_managed_policies(func) {
            let (severity, what) = match classify_managed_policy(arn) {
                Some(ManagedPolicyClass::Administrator) => {
                    (Severity::Critical, "every action on every resource")
                }
                Some(ManagedPolicyClass::PowerUser) => (
                    Severity::High,
                    "every action except IAM, Organizations and Account management",
                ),
                Some(ManagedPolicyClass::IamFullAccess) => (
                    Severity::High,
                    "all of IAM, with which it can grant itself any permission",
                ),
                _ => continue,
            };
            let name = managed_policy_name(arn).unwrap_or(arn);
            let mut v = Violation::new(
                Some(&policy.at),
                format!("execution role has the AWS managed policy {name} attached: {what}"),
            )
            .with_evidence(arn);
            if severity != Severity::Critical {
                v = v.with_severity(severity);
            }
            out.push(v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::iam::support::testing::{allow, function_with, inline, line, managed, run};

    /// AdministratorAccess is critical, PowerUserAccess and IAMFullAccess high, each at the
    /// line that attaches it.
    #[test]
    fn admin_family_fires() {
        let f = function_with(vec![
            managed("arn:aws:iam::aws:policy/AdministratorAccess", 11),
            managed("arn:aws:iam::aws:policy/PowerUserAccess", 12),
            managed("IAMFullAccess", 13),
        ]);
        let out = run(&AwsManagedAdminPolicy, &f);
        assert_eq!(out.len(), 3);
        assert_eq!((out[0].at.clone(), out[0].severity), (Some(line(11)), None));
        assert_eq!(out[1].severity, Some(Severity::High));
        assert_eq!(out[2].severity, Some(Severity::High));
    }

    /// Other managed policies, a customer policy named AdministratorAccess and inline
    /// statements are silent.
    #[test]
    fn other_policies_are_silent() {
        let f = function_with(vec![
            managed("arn:aws:iam::aws:policy/AmazonS3FullAccess", 11),
            managed(
                "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
                12,
            ),
            managed("arn:aws:iam::123456789012:policy/AdministratorAccess", 13),
            inline(vec![allow(&["s3:GetObject"], &["*"], 14)]),
        ]);
        assert!(run(&AwsManagedAdminPolicy, &f).is_empty());
    }
}
