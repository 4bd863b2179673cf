use faasguard_iam::statement_actions;
use faasguard_model::{Effect, Function, Inventory};

use crate::rules::iam::support::{list_actions, statement_location, written_statements};
use crate::{RuleSettings, Violation, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports `Allow` statements in a function's execution role written with `NotResource`.
    /// `Allow` + `NotResource` grants the listed actions on every resource in every account
    /// *except* the listed ones.
    ///
    /// ## Why is this bad?
    /// The statement reaches every resource that exists now and every one created later,
    /// including resources in other accounts that trust this role. It is almost never what was
    /// meant: the safe form is an `Allow` on the resources the function uses, plus a `Deny` when
    /// an exception is needed.
    ///
    /// ## Example
    /// ```yaml
    /// AWSTemplateFormatVersion: "2010-09-09"
    /// Transform: AWS::Serverless-2016-10-31
    /// Resources:
    ///   ArchiveFunction:
    ///     Type: AWS::Serverless::Function
    ///     Properties:
    ///       Handler: app.handler
    ///       Runtime: python3.13
    ///       CodeUri: src/
    ///       Policies:
    ///         - Version: "2012-10-17"
    ///           Statement:
    ///             - Effect: Allow
    ///               Action: s3:PutObject
    ///               NotResource: arn:aws:s3:::audit-logs/*
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// AWSTemplateFormatVersion: "2010-09-09"
    /// Transform: AWS::Serverless-2016-10-31
    /// Resources:
    ///   ArchiveFunction:
    ///     Type: AWS::Serverless::Function
    ///     Properties:
    ///       Handler: app.handler
    ///       Runtime: python3.13
    ///       CodeUri: src/
    ///       Policies:
    ///         - Version: "2012-10-17"
    ///           Statement:
    ///             - Effect: Allow
    ///               Action: s3:PutObject
    ///               Resource: arn:aws:s3:::archive-bucket/*
    /// ```
    ///
    /// ## References
    /// - OWASP Serverless Top 10 SAS-5: Over-Privileged Function Permissions and Roles
    /// - CWE-732: Incorrect Permission Assignment for Critical Resource
    /// - <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html>
    pub IamAllowNotResource {
        id: "FG-IAM-005",
        name: "iam-allow-not-resource",
        title: "Execution role uses Allow with NotResource",
        severity: Medium,
        family: Iam,
        status: Stable,
        since: "0.1.0",
        remediation: "Rewrite the statement with an explicit Resource list; use a separate Deny statement for exceptions.",
        references: &[
            "OWASP Serverless Top 10 SAS-5: Over-Privileged Function Permissions and Roles",
            "CWE-732",
            "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html",
        ],
    }
}

impl IamAllowNotResource {
    fn check_function(
        func: &Function,
        _inv: &Inventory,
        _settings: &RuleSettings,
        out: &mut Vec<Violation>,
    ) {
        for (policy, stmt) in written_statements(func) {
            if stmt.effect != Effect::Allow || stmt.not_resource.is_empty() {
                continue;
            }
            let excluded: Vec<&str> = stmt.not_resource.iter().map(|r| r.text.as_str()).collect();
            let granted = statement_actions(stmt).actions;
            out.push(
                Violation::new(
                    Some(statement_location(policy, stmt)),
                    format!(
                        "policy {} allows its actions on every resource except {}",
                        policy.name,
                        excluded.join(", ")
                    ),
                )
                .with_evidence(list_actions(granted.actions(), 10)),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use faasguard_model::StringOrPattern;

    use super::*;
    use crate::rules::iam::support::testing::{allow, function_with, inline, line, run};

    /// `Allow` + `NotResource` fires at the statement and names the excluded resource.
    #[test]
    fn allow_not_resource_fires() {
        let mut s = allow(&["s3:PutObject"], &[], 14);
        s.not_resource = vec![StringOrPattern::literal("arn:aws:s3:::audit-logs/*")];
        let f = function_with(vec![inline(vec![s])]);
        let out = run(&IamAllowNotResource, &f);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].at, Some(line(14)));
        assert!(out[0].message.contains("audit-logs"));
        assert_eq!(out[0].evidence.as_deref(), Some("s3:PutObject"));
    }

    /// `Deny` + `NotResource` and a plain `Resource` list are silent.
    #[test]
    fn deny_and_resource_are_silent() {
        let mut deny = allow(&["s3:*"], &[], 14);
        deny.effect = Effect::Deny;
        deny.not_resource = vec![StringOrPattern::literal("arn:aws:s3:::mine/*")];
        let f = function_with(vec![inline(vec![
            deny,
            allow(&["s3:PutObject"], &["arn:aws:s3:::mine/*"], 20),
        ])]);
        assert!(run(&IamAllowNotResource, &f).is_empty());
    }
}
