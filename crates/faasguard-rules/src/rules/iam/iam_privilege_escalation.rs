use faasguard_iam::{Permissions, db, escalations};
use faasguard_model::{Function, Inventory};

use crate::rules::iam::support::granting_location;
use crate::{RuleSettings, Violation, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports combinations of actions in a function's execution role that let it escalate its
    /// privileges, one finding per method: `iam:PassRole` with `lambda:CreateFunction` and
    /// `lambda:InvokeFunction` (or `lambda:CreateEventSourceMapping`, `lambda:AddPermission`),
    /// `lambda:UpdateFunctionCode`, `iam:CreatePolicyVersion`, `iam:SetDefaultPolicyVersion`,
    /// `iam:Attach*Policy`, `iam:Put*Policy`, `iam:UpdateAssumeRolePolicy` with `sts:AssumeRole`,
    /// `iam:CreateAccessKey`, `iam:CreateLoginProfile`, `iam:UpdateLoginProfile`,
    /// `iam:AddUserToGroup`, PassRole with Glue, CloudFormation, EC2, Data Pipeline, SageMaker,
    /// CodeBuild or ECS, and `sts:AssumeRole` on `*`. The methods are data
    /// (`data/iam/privilege-escalation.tsv`). A method fires when every one of its actions is
    /// allowed by the role's policies together (wildcards expanded, AWS managed policies
    /// resolved), minus actions an unconditional `Deny` removes on every resource, within the
    /// permissions boundary. The evidence lists the actions. A role that already allows every
    /// action gets one finding instead of one per method.
    ///
    /// ## Why is this bad?
    /// Each combination lets code running as the function obtain permissions it was not given,
    /// up to administrator: for example, create a new function that runs as a more privileged
    /// role and invoke it, or attach AdministratorAccess to its own role. A least-privilege
    /// review of each statement alone misses these because the danger is in the combination.
    ///
    /// ## Example
    /// ```yaml
    /// AWSTemplateFormatVersion: "2010-09-09"
    /// Transform: AWS::Serverless-2016-10-31
    /// Resources:
    ///   DeployerFunction:
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
    ///                 - iam:PassRole
    ///                 - lambda:CreateFunction
    ///                 - lambda:InvokeFunction
    ///               Resource: "*"
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// AWSTemplateFormatVersion: "2010-09-09"
    /// Transform: AWS::Serverless-2016-10-31
    /// Resources:
    ///   DeployerFunction:
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
    ///                 - lambda:InvokeFunction
    ///               Resource: arn:aws:lambda:us-east-1:123456789012:function:worker
    /// ```
    ///
    /// ## References
    /// - OWASP Serverless Top 10 SAS-5: Over-Privileged Function Permissions and Roles
    /// - CWE-269: Improper Privilege Management
    /// - <https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/>
    pub IamPrivilegeEscalation {
        id: "FG-IAM-008",
        name: "iam-privilege-escalation",
        title: "Execution role allows a privilege-escalation combination",
        severity: High,
        family: Iam,
        status: Stable,
        since: "0.1.0",
        remediation: "Remove one of the listed actions, or scope it to specific resources (for iam:PassRole, the one role the function must pass, with an iam:PassedToService condition).",
        references: &[
            "OWASP Serverless Top 10 SAS-5: Over-Privileged Function Permissions and Roles",
            "CWE-269",
            "https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/",
        ],
    }
}

impl IamPrivilegeEscalation {
    fn check_function(
        func: &Function,
        _inv: &Inventory,
        _settings: &RuleSettings,
        out: &mut Vec<Violation>,
    ) {
        let Some(role) = &func.role else {
            return;
        };
        let perms = Permissions::of_role(role);
        let methods = escalations(&perms);
        if methods.is_empty() {
            return;
        }
        if perms.allowed_on_any_resource.is_all() {
            let at = db()
                .lookup("iam:PutRolePolicy")
                .and_then(|id| granting_location(func, id, true));
            out.push(
                Violation::new(
                    at.as_ref(),
                    format!(
                        "execution role allows every action on every resource, so all {} known privilege-escalation methods apply",
                        methods.len()
                    ),
                )
                .with_evidence("*"),
            );
            return;
        }
        for m in methods {
            let at = m
                .actions
                .first()
                .and_then(|id| granting_location(func, *id, m.needs_any_resource));
            let scope = if m.needs_any_resource {
                " on every resource"
            } else {
                ""
            };
            out.push(
                Violation::new(
                    at.as_ref(),
                    format!(
                        "execution role allows privilege escalation ({}): {}",
                        m.id, m.description
                    ),
                )
                .with_evidence(format!("{}{scope}", m.action_names.join(" + "))),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::iam::support::testing::{allow, function_with, inline, line, managed, run};

    /// PassRole + CreateFunction + InvokeFunction fires once, at the statement granting
    /// iam:PassRole, with the actions as evidence.
    #[test]
    fn pass_role_lambda_combo_fires() {
        let f = function_with(vec![inline(vec![
            allow(&["iam:PassRole"], &["*"], 14),
            allow(
                &["lambda:CreateFunction", "lambda:InvokeFunction"],
                &["*"],
                20,
            ),
        ])]);
        let out = run(&IamPrivilegeEscalation, &f);
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!(out[0].at, Some(line(14)));
        assert!(out[0].message.contains("PassRoleToNewLambdaThenInvoke"));
        assert_eq!(
            out[0].evidence.as_deref(),
            Some("iam:PassRole + lambda:CreateFunction + lambda:InvokeFunction")
        );
    }

    /// An unconditional Deny of lambda:CreateFunction on `*` removes the method.
    #[test]
    fn explicit_deny_removes_method() {
        let mut deny = allow(&["lambda:CreateFunction"], &["*"], 30);
        deny.effect = faasguard_model::Effect::Deny;
        let f = function_with(vec![inline(vec![
            allow(
                &[
                    "iam:PassRole",
                    "lambda:CreateFunction",
                    "lambda:InvokeFunction",
                ],
                &["*"],
                14,
            ),
            deny,
        ])]);
        assert!(run(&IamPrivilegeEscalation, &f).is_empty());
    }

    /// AWSLambda_FullAccess (lambda:* plus PassRole to Lambda) gives several Lambda methods
    /// through the managed policy's document.
    #[test]
    fn managed_policy_methods_fire() {
        let f = function_with(vec![managed(
            "arn:aws:iam::aws:policy/AWSLambda_FullAccess",
            11,
        )]);
        let out = run(&IamPrivilegeEscalation, &f);
        assert!(out.len() >= 3, "{out:?}");
        assert!(out.iter().all(|v| v.at == Some(line(11))));
    }

    /// `Action: "*"` gives one summary finding, not one per method.
    #[test]
    fn admin_role_gets_one_summary() {
        let f = function_with(vec![inline(vec![allow(&["*"], &["*"], 14)])]);
        let out = run(&IamPrivilegeEscalation, &f);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].at, Some(line(14)));
    }

    /// Ordinary data-plane permissions are silent.
    #[test]
    fn data_plane_role_is_silent() {
        let f = function_with(vec![inline(vec![allow(
            &["dynamodb:GetItem", "dynamodb:PutItem", "s3:GetObject"],
            &["*"],
            14,
        )])]);
        assert!(run(&IamPrivilegeEscalation, &f).is_empty());
    }
}
