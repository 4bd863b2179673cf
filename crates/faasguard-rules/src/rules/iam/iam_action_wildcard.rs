use faasguard_core::Severity;
use faasguard_iam::applies_to_any_resource;
use faasguard_model::{Effect, Function, Inventory};

use crate::rules::iam::support::{is_all_actions, statement_location, written_statements};
use crate::{RuleSettings, Violation, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports `Allow` statements in a function's execution role whose `Action` is `*` (or
    /// `*:*`): every action of every AWS service. The finding is **critical** when the statement
    /// also applies to every resource (`Resource: "*"`), **high** when its resources are
    /// scoped. AWS managed policies such as AdministratorAccess are reported by FG-IAM-006.
    ///
    /// ## Why is this bad?
    /// A function is code that runs on untrusted input. If it is compromised (an injection, a
    /// vulnerable dependency, a leaked deployment credential), the attacker acts with its role.
    /// `Action: "*"` makes that role an administrator: it can create users, read every secret,
    /// delete data and disable logging.
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
    ///       CodeUri: src/
    ///       Policies:
    ///         - Version: "2012-10-17"
    ///           Statement:
    ///             - Effect: Allow
    ///               Action: "*"
    ///               Resource: "*"
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// AWSTemplateFormatVersion: "2010-09-09"
    /// Transform: AWS::Serverless-2016-10-31
    /// Resources:
    ///   OrdersFunction:
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
    ///                 - dynamodb:GetItem
    ///                 - dynamodb:PutItem
    ///               Resource: arn:aws:dynamodb:us-east-1:123456789012:table/orders
    /// ```
    ///
    /// ## References
    /// - OWASP Serverless Top 10 SAS-5: Over-Privileged Function Permissions and Roles
    /// - CWE-250: Execution with Unnecessary Privileges
    /// - <https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege>
    pub IamActionWildcard {
        id: "FG-IAM-001",
        name: "iam-action-wildcard",
        title: "Execution role allows every action (Action: \"*\")",
        severity: Critical,
        family: Iam,
        status: Stable,
        since: "0.1.0",
        remediation: "List the specific actions the function calls instead of \"*\", scoped to the resources it uses.",
        references: &[
            "OWASP Serverless Top 10 SAS-5: Over-Privileged Function Permissions and Roles",
            "CWE-250",
            "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
        ],
    }
}

impl IamActionWildcard {
    fn check_function(
        func: &Function,
        _inv: &Inventory,
        _settings: &RuleSettings,
        out: &mut Vec<Violation>,
    ) {
        for (policy, stmt) in written_statements(func) {
            if stmt.effect != Effect::Allow
                || !stmt
                    .action
                    .iter()
                    .any(|a| !a.unresolved && is_all_actions(&a.text))
            {
                continue;
            }
            let at = statement_location(policy, stmt);
            let v = if applies_to_any_resource(stmt) {
                Violation::new(
                    Some(at),
                    format!(
                        "policy {} allows every action on every resource (Action: \"*\", Resource: \"*\")",
                        policy.name
                    ),
                )
            } else {
                Violation::new(
                    Some(at),
                    format!(
                        "policy {} allows every action (Action: \"*\") on its resources",
                        policy.name
                    ),
                )
                .with_severity(Severity::High)
            };
            out.push(v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::iam::support::testing::{allow, function_with, inline, line, managed, run};

    /// `Action: "*"` on `Resource: "*"` is critical and reported at the statement.
    #[test]
    fn star_on_star_fires() {
        let f = function_with(vec![inline(vec![allow(&["*"], &["*"], 14)])]);
        let out = run(&IamActionWildcard, &f);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].at, Some(line(14)));
        assert_eq!(out[0].severity, None);
        assert!(out[0].message.contains("every resource"));
    }

    /// `*:*` on a scoped resource is still every action, reported as high.
    #[test]
    fn star_colon_star_on_scoped_resource_is_high() {
        let f = function_with(vec![inline(vec![allow(
            &["*:*"],
            &["arn:aws:s3:::orders/*"],
            14,
        )])]);
        let out = run(&IamActionWildcard, &f);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].severity, Some(Severity::High));
    }

    /// Specific actions, service wildcards and AWS managed AdministratorAccess (FG-IAM-006's
    /// job) are silent here.
    #[test]
    fn specific_actions_are_silent() {
        let f = function_with(vec![
            inline(vec![allow(&["dynamodb:GetItem", "s3:*"], &["*"], 14)]),
            managed("arn:aws:iam::aws:policy/AdministratorAccess", 20),
        ]);
        assert!(run(&IamActionWildcard, &f).is_empty());
    }
}
