use faasguard_iam::{credentials_exposure_actions, escalations};
use faasguard_model::{Function, Inventory};

use crate::rules::iam::support::{granting_location, list_actions, risky_on_any_resource};
use crate::{RuleSettings, Violation, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a function's execution role when it allows, on every resource, actions that
    /// return credentials or tokens: `sts:GetSessionToken`, `sts:GetFederationToken`,
    /// `ecr:GetAuthorizationToken`, `iam:CreateServiceSpecificCredential`,
    /// `redshift:GetClusterCredentials`, `rds-db:connect`, `cognito-identity:GetCredentialsForIdentity`
    /// … (listed in `data/iam/sensitive-actions.tsv`). Actions that are already part of a
    /// privilege-escalation method the role allows (`sts:AssumeRole` on `*`,
    /// `iam:CreateAccessKey`, `iam:CreateLoginProfile`) are reported by FG-IAM-008 instead, so
    /// each grant is reported once. Roles that allow every action are left to FG-IAM-001 and
    /// FG-IAM-006.
    ///
    /// ## Why is this bad?
    /// Credentials outlive the function invocation that obtained them. A compromised function
    /// that can mint tokens for databases, registries or other identities hands the attacker
    /// access that survives a redeploy and bypasses the function's own role.
    ///
    /// ## Example
    /// ```yaml
    /// AWSTemplateFormatVersion: "2010-09-09"
    /// Transform: AWS::Serverless-2016-10-31
    /// Resources:
    ///   ReportingFunction:
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
    ///                 - redshift:GetClusterCredentials
    ///               Resource: "*"
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// AWSTemplateFormatVersion: "2010-09-09"
    /// Transform: AWS::Serverless-2016-10-31
    /// Resources:
    ///   ReportingFunction:
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
    ///                 - redshift:GetClusterCredentials
    ///               Resource:
    ///                 - arn:aws:redshift:us-east-1:123456789012:dbuser:reports/report_reader
    ///                 - arn:aws:redshift:us-east-1:123456789012:dbname:reports/analytics
    /// ```
    ///
    /// ## References
    /// - OWASP Serverless Top 10 SAS-5: Over-Privileged Function Permissions and Roles
    /// - CWE-522: Insufficiently Protected Credentials
    /// - <https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp.html>
    pub IamCredentialsExposure {
        id: "FG-IAM-010",
        name: "iam-credentials-exposure",
        title: "Execution role can obtain credentials or tokens on every resource",
        severity: High,
        family: Iam,
        status: Stable,
        since: "0.1.0",
        remediation: "Scope credential-issuing actions to the specific users, clusters, databases or registries the function needs, or remove them.",
        references: &[
            "OWASP Serverless Top 10 SAS-5: Over-Privileged Function Permissions and Roles",
            "CWE-522",
            "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp.html",
        ],
    }
}

impl IamCredentialsExposure {
    fn check_function(
        func: &Function,
        _inv: &Inventory,
        _settings: &RuleSettings,
        out: &mut Vec<Violation>,
    ) {
        let Some((perms, mut reach)) = risky_on_any_resource(func, credentials_exposure_actions())
        else {
            return;
        };
        for method in escalations(&perms) {
            for id in &method.actions {
                reach.remove(*id);
            }
        }
        let Some(first) = reach.iter().next() else {
            return;
        };
        out.push(
            Violation::new(
                granting_location(func, first, true).as_ref(),
                format!(
                    "execution role can obtain credentials or tokens on every resource ({} action(s))",
                    reach.len()
                ),
            )
            .with_evidence(list_actions(reach.actions(), 10)),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::iam::support::testing::{allow, function_with, inline, line, run};

    /// Token-issuing actions on `*` fire at the granting statement.
    #[test]
    fn token_actions_on_star_fire() {
        let f = function_with(vec![inline(vec![allow(
            &[
                "ecr:GetAuthorizationToken",
                "redshift:GetClusterCredentials",
            ],
            &["*"],
            14,
        )])]);
        let out = run(&IamCredentialsExposure, &f);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].at, Some(line(14)));
        assert_eq!(
            out[0].evidence.as_deref(),
            Some("ecr:GetAuthorizationToken, redshift:GetClusterCredentials")
        );
    }

    /// sts:AssumeRole on `*` is FG-IAM-008's (AssumeAnyRole), so it is not repeated here.
    #[test]
    fn escalation_actions_are_left_to_008() {
        let f = function_with(vec![inline(vec![allow(
            &["sts:AssumeRole", "iam:CreateAccessKey"],
            &["*"],
            14,
        )])]);
        assert!(run(&IamCredentialsExposure, &f).is_empty());
    }

    /// Scoped credential actions are silent.
    #[test]
    fn scoped_credentials_are_silent() {
        let f = function_with(vec![inline(vec![allow(
            &["redshift:GetClusterCredentials"],
            &["arn:aws:redshift:us-east-1:123456789012:dbuser:reports/reader"],
            14,
        )])]);
        assert!(run(&IamCredentialsExposure, &f).is_empty());
    }
}
