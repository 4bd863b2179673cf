use faasguard_core::Severity;
use faasguard_iam::{AccessLevel, Expansion, expand, has_wildcard};
use faasguard_model::{Effect, Function, Inventory};

use crate::rules::iam::support::{
    is_all_actions, list_actions, statement_location, with_levels, written_statements,
};
use crate::{RuleSettings, Violation, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports action wildcards in `Allow` statements of a function's execution role that grant
    /// a whole service (`s3:*`, `iam:*`) or that expand to write or permissions-management
    /// actions (`iam:Put*`, `lambda:Update*`). Each wildcard is expanded against faasguard's IAM
    /// action database and the evidence names the dangerous actions it grants. The finding is
    /// **high** when the wildcard reaches permissions-management actions (policies, resource
    /// policies, `iam:PassRole`), **medium** otherwise. Wildcards that only expand to read and
    /// list actions (`s3:Get*`, `dynamodb:Describe*`) are not reported; `Action: "*"` is
    /// FG-IAM-001's.
    ///
    /// ## Why is this bad?
    /// A wildcard grants every action that matches it today and every action AWS adds later.
    /// `s3:*` includes `s3:PutBucketPolicy` and `s3:DeleteBucket`; `iam:Put*` includes
    /// `iam:PutRolePolicy`, with which a compromised function grants itself administrator
    /// rights. Peers such as checkov pass `iam:*` and `s3:*` as long as the action is not `*`.
    ///
    /// ## Example
    /// ```yaml
    /// AWSTemplateFormatVersion: "2010-09-09"
    /// Transform: AWS::Serverless-2016-10-31
    /// Resources:
    ///   UploadFunction:
    ///     Type: AWS::Serverless::Function
    ///     Properties:
    ///       Handler: app.handler
    ///       Runtime: python3.13
    ///       CodeUri: src/
    ///       Policies:
    ///         - Version: "2012-10-17"
    ///           Statement:
    ///             - Effect: Allow
    ///               Action: s3:*
    ///               Resource: arn:aws:s3:::uploads-bucket/*
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// AWSTemplateFormatVersion: "2010-09-09"
    /// Transform: AWS::Serverless-2016-10-31
    /// Resources:
    ///   UploadFunction:
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
    ///               Resource: arn:aws:s3:::uploads-bucket/*
    /// ```
    ///
    /// ## References
    /// - OWASP Serverless Top 10 SAS-5: Over-Privileged Function Permissions and Roles
    /// - CWE-250: Execution with Unnecessary Privileges
    /// - <https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html>
    pub IamServiceWildcard {
        id: "FG-IAM-002",
        name: "iam-service-wildcard",
        title: "Execution role grants a service-wide or write-level action wildcard",
        severity: Medium,
        family: Iam,
        status: Stable,
        since: "0.1.0",
        remediation: "Replace the wildcard with the specific actions the function calls (the evidence lists what the wildcard grants).",
        references: &[
            "OWASP Serverless Top 10 SAS-5: Over-Privileged Function Permissions and Roles",
            "CWE-250",
            "https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html",
        ],
    }
}

impl IamServiceWildcard {
    fn check_function(
        func: &Function,
        _inv: &Inventory,
        _settings: &RuleSettings,
        out: &mut Vec<Violation>,
    ) {
        for (policy, stmt) in written_statements(func) {
            if stmt.effect != Effect::Allow {
                continue;
            }
            for entry in &stmt.action {
                let text = entry.text.trim();
                if entry.unresolved || !has_wildcard(text) || is_all_actions(text) {
                    continue;
                }
                let Expansion::Actions(set) = expand(text) else {
                    continue;
                };
                let service_wide = text
                    .split_once(':')
                    .is_some_and(|(_, a)| !a.is_empty() && a.chars().all(|c| c == '*'));
                let dangerous = with_levels(
                    &set,
                    &[AccessLevel::Write, AccessLevel::PermissionsManagement],
                );
                if !service_wide && dangerous.is_empty() {
                    continue;
                }
                let perms = with_levels(&set, &[AccessLevel::PermissionsManagement]);
                let what = if service_wide {
                    format!("grants every action of the service ({} actions)", set.len())
                } else {
                    format!(
                        "expands to {} write or permissions-management actions",
                        dangerous.len()
                    )
                };
                let mut evidence = String::new();
                if !perms.is_empty() {
                    evidence.push_str("permissions management: ");
                    evidence.push_str(&list_actions(perms.actions(), 8));
                }
                let writes = with_levels(&set, &[AccessLevel::Write]);
                if !writes.is_empty() {
                    if !evidence.is_empty() {
                        evidence.push_str("; ");
                    }
                    evidence.push_str("write: ");
                    evidence.push_str(&list_actions(writes.actions(), 8));
                }
                let mut v = Violation::new(
                    Some(statement_location(policy, stmt)),
                    format!("action wildcard `{text}` in policy {} {what}", policy.name),
                );
                if !evidence.is_empty() {
                    v = v.with_evidence(evidence);
                }
                if !perms.is_empty() {
                    v = v.with_severity(Severity::High);
                }
                out.push(v);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::iam::support::testing::{allow, function_with, inline, line, run};

    /// `iam:Put*` is high and names `iam:PutRolePolicy` in its evidence.
    #[test]
    fn put_wildcard_names_dangerous_actions() {
        let f = function_with(vec![inline(vec![allow(&["iam:Put*"], &["*"], 14)])]);
        let out = run(&IamServiceWildcard, &f);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].at, Some(line(14)));
        assert_eq!(out[0].severity, Some(Severity::High));
        let ev = out[0].evidence.as_deref().unwrap_or_default();
        assert!(ev.contains("iam:PutRolePolicy"), "{ev}");
    }

    /// `s3:*` is service-wide; each wildcard entry is its own finding.
    #[test]
    fn service_wide_wildcards_fire() {
        let f = function_with(vec![inline(vec![allow(
            &["s3:*", "dynamodb:*"],
            &["arn:aws:s3:::b/*"],
            14,
        )])]);
        let out = run(&IamServiceWildcard, &f);
        assert_eq!(out.len(), 2);
        assert!(out[0].message.contains("every action of the service"));
    }

    /// Read-only wildcards, exact actions, `*` (FG-IAM-001) and Deny statements are silent.
    #[test]
    fn read_only_wildcards_are_silent() {
        let mut deny = allow(&["s3:*"], &["*"], 20);
        deny.effect = Effect::Deny;
        let f = function_with(vec![inline(vec![
            allow(
                &["s3:Get*", "dynamodb:Describe*", "s3:PutObject", "*"],
                &["*"],
                14,
            ),
            deny,
        ])]);
        assert!(run(&IamServiceWildcard, &f).is_empty());
    }
}
