use faasguard_iam::{AccessLevel, applies_to_any_resource, statement_actions};
use faasguard_model::{Effect, Function, Inventory};

use crate::rules::iam::support::{statement_location, with_levels, written_statements};
use crate::{RuleSettings, Violation, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports `Allow` statements in a function's execution role written with `NotAction`.
    /// `Allow` + `NotAction` grants every action of every service *except* the listed ones. The
    /// message says how many known actions the statement grants and how many of them are
    /// permissions-management actions.
    ///
    /// ## Why is this bad?
    /// An allow-list written as a deny-list is almost always far broader than intended:
    /// `NotAction: iam:*` still grants `lambda:UpdateFunctionCode`, `s3:DeleteBucket`,
    /// `kms:Decrypt` and every action AWS adds in the future. Combined with `Resource: "*"` it is
    /// close to administrator access (AWS's own PowerUserAccess is written this way).
    ///
    /// ## Example
    /// ```yaml
    /// AWSTemplateFormatVersion: "2010-09-09"
    /// Transform: AWS::Serverless-2016-10-31
    /// Resources:
    ///   ReportFunction:
    ///     Type: AWS::Serverless::Function
    ///     Properties:
    ///       Handler: app.handler
    ///       Runtime: python3.13
    ///       CodeUri: src/
    ///       Policies:
    ///         - Version: "2012-10-17"
    ///           Statement:
    ///             - Effect: Allow
    ///               NotAction: iam:*
    ///               Resource: "*"
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// AWSTemplateFormatVersion: "2010-09-09"
    /// Transform: AWS::Serverless-2016-10-31
    /// Resources:
    ///   ReportFunction:
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
    ///               Resource: arn:aws:s3:::reports-bucket/*
    /// ```
    ///
    /// ## References
    /// - OWASP Serverless Top 10 SAS-5: Over-Privileged Function Permissions and Roles
    /// - CWE-250: Execution with Unnecessary Privileges
    /// - <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html>
    pub IamAllowNotAction {
        id: "FG-IAM-004",
        name: "iam-allow-not-action",
        title: "Execution role uses Allow with NotAction",
        severity: High,
        family: Iam,
        status: Stable,
        since: "0.1.0",
        remediation: "Rewrite the statement as an Allow with an explicit Action list; use a separate Deny statement to carve out exceptions.",
        references: &[
            "OWASP Serverless Top 10 SAS-5: Over-Privileged Function Permissions and Roles",
            "CWE-250",
            "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html",
        ],
    }
}

impl IamAllowNotAction {
    fn check_function(
        func: &Function,
        _inv: &Inventory,
        _settings: &RuleSettings,
        out: &mut Vec<Violation>,
    ) {
        for (policy, stmt) in written_statements(func) {
            if stmt.effect != Effect::Allow || stmt.not_action.is_empty() {
                continue;
            }
            let granted = statement_actions(stmt);
            let perms = with_levels(&granted.actions, &[AccessLevel::PermissionsManagement]);
            let scope = if applies_to_any_resource(stmt) {
                "on every resource"
            } else {
                "on its resources"
            };
            let excluded: Vec<&str> = stmt.not_action.iter().map(|a| a.text.as_str()).collect();
            out.push(
                Violation::new(
                    Some(statement_location(policy, stmt)),
                    format!(
                        "policy {} allows every action except {} {scope}: {} known actions, {} of them permissions management",
                        policy.name,
                        excluded.join(", "),
                        granted.actions.len(),
                        perms.len()
                    ),
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::iam::support::testing::{
        allow, allow_not_action, function_with, inline, line, run,
    };

    /// `Allow` + `NotAction: iam:*` fires at the statement and counts what it grants.
    #[test]
    fn allow_not_action_fires() {
        let f = function_with(vec![inline(vec![allow_not_action(&["iam:*"], &["*"], 14)])]);
        let out = run(&IamAllowNotAction, &f);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].at, Some(line(14)));
        assert!(
            out[0].message.contains("except iam:*"),
            "{}",
            out[0].message
        );
        assert!(out[0].message.contains("every resource"));
    }

    /// `Deny` + `NotAction` (a common guard-rail) and plain `Action` lists are silent.
    #[test]
    fn deny_not_action_is_silent() {
        let mut deny = allow_not_action(&["s3:GetObject"], &["*"], 14);
        deny.effect = Effect::Deny;
        let f = function_with(vec![inline(vec![
            deny,
            allow(&["s3:GetObject"], &["*"], 20),
        ])]);
        assert!(run(&IamAllowNotAction, &f).is_empty());
    }
}
