use faasguard_core::Severity;
use faasguard_iam::{AccessLevel, ActionSet, db, is_any_resource, statement_actions};
use faasguard_model::{Effect, Function, Inventory};

use crate::rules::iam::support::{
    is_all_actions, list_actions, statement_location, written_statements,
};
use crate::{RuleSettings, Violation, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports `Allow` statements in a function's execution role that grant write,
    /// permissions-management or tagging actions on `Resource: "*"` (or an ARN that is a
    /// wildcard in every part, such as `arn:aws:s3:::*`), when those actions accept specific
    /// resource ARNs. Actions that AWS only authorises on `*` (`xray:PutTraceSegments`,
    /// `cloudwatch:PutMetricData`) legitimately need `*` and are not reported; faasguard knows which is which from its IAM action database. The
    /// finding is **high** when permissions-management actions are included, **medium**
    /// otherwise. Statements with `Action: "*"` are FG-IAM-001's and `NotResource` is FG-IAM-005's.
    ///
    /// ## Why is this bad?
    /// `Resource: "*"` turns a narrow need ("write to the orders table") into the same action on
    /// every table, bucket, queue or function in the account, including other teams' and
    /// production data. A compromised function can then modify or delete resources it never
    /// needed to touch.
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
    ///               Action:
    ///                 - dynamodb:PutItem
    ///                 - dynamodb:DeleteItem
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
    ///                 - dynamodb:PutItem
    ///                 - dynamodb:DeleteItem
    ///               Resource: arn:aws:dynamodb:us-east-1:123456789012:table/orders
    /// ```
    ///
    /// ## References
    /// - OWASP Serverless Top 10 SAS-5: Over-Privileged Function Permissions and Roles
    /// - CWE-732: Incorrect Permission Assignment for Critical Resource
    /// - <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html>
    pub IamResourceWildcardOnWrite {
        id: "FG-IAM-003",
        name: "iam-resource-wildcard-on-write",
        title: "Execution role grants write or permissions actions on Resource \"*\"",
        severity: Medium,
        family: Iam,
        status: Stable,
        since: "0.1.0",
        remediation: "Scope the statement's Resource to the ARNs the function writes to (tables, buckets, queues, functions).",
        references: &[
            "OWASP Serverless Top 10 SAS-5: Over-Privileged Function Permissions and Roles",
            "CWE-732",
            "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html",
        ],
    }
}

impl IamResourceWildcardOnWrite {
    fn check_function(
        func: &Function,
        _inv: &Inventory,
        _settings: &RuleSettings,
        out: &mut Vec<Violation>,
    ) {
        for (policy, stmt) in written_statements(func) {
            if stmt.effect != Effect::Allow
                || stmt.action.is_empty()
                || stmt
                    .action
                    .iter()
                    .any(|a| !a.unresolved && is_all_actions(&a.text))
                || !stmt.resource.iter().any(is_any_resource)
            {
                continue;
            }
            let granted = statement_actions(stmt).actions;
            let mut scopable = ActionSet::new();
            let mut perms = false;
            for id in granted.iter() {
                let a = db().action(id);
                if a.level.is_mutating() && a.resource_level {
                    perms |= a.level == AccessLevel::PermissionsManagement;
                    scopable.insert(id);
                }
            }
            if scopable.is_empty() {
                continue;
            }
            let mut v = Violation::new(
                Some(statement_location(policy, stmt)),
                format!(
                    "policy {} grants {} write/permissions/tagging action(s) on every resource although they can be scoped to ARNs",
                    policy.name,
                    scopable.len()
                ),
            )
            .with_evidence(list_actions(scopable.actions(), 10));
            if perms {
                v = v.with_severity(Severity::High);
            }
            out.push(v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::iam::support::testing::{allow, function_with, inline, line, run};

    /// Write actions that accept ARNs, on `*`, fire and are listed in the evidence.
    #[test]
    fn write_on_star_fires() {
        let f = function_with(vec![inline(vec![allow(
            &["dynamodb:PutItem", "dynamodb:GetItem"],
            &["*"],
            14,
        )])]);
        let out = run(&IamResourceWildcardOnWrite, &f);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].at, Some(line(14)));
        assert_eq!(out[0].severity, None);
        assert_eq!(out[0].evidence.as_deref(), Some("dynamodb:PutItem"));
    }

    /// `arn:aws:s3:::*` counts as every resource; `iam:PassRole` makes it high.
    #[test]
    fn effectively_star_with_permissions_is_high() {
        let f = function_with(vec![inline(vec![allow(
            &["s3:PutObject", "iam:PassRole"],
            &["arn:aws:s3:::*", "arn:aws:iam::123456789012:role/x"],
            14,
        )])]);
        let out = run(&IamResourceWildcardOnWrite, &f);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].severity, Some(Severity::High));
    }

    /// Actions that only work on `*` (X-Ray, CloudWatch metrics), reads on `*`, and writes on scoped
    /// ARNs are silent.
    #[test]
    fn star_only_actions_and_scoped_writes_are_silent() {
        let f = function_with(vec![inline(vec![
            allow(
                &[
                    "xray:PutTraceSegments",
                    "cloudwatch:PutMetricData",
                    "s3:GetObject",
                ],
                &["*"],
                14,
            ),
            allow(
                &["dynamodb:PutItem"],
                &["arn:aws:dynamodb:us-east-1:123456789012:table/orders"],
                20,
            ),
        ])]);
        assert!(run(&IamResourceWildcardOnWrite, &f).is_empty());
    }
}
