use faasguard_iam::{db, statement_actions};
use faasguard_model::{Function, Inventory};

use crate::rules::iam::support::{statement_location, written_statements};
use crate::{RuleSettings, Violation, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports entries of `Action` / `NotAction` in a function's execution role that name no
    /// action in faasguard's IAM action database: a typo (`lambda:InvokeFuction`), an unknown
    /// service prefix (`lamda:InvokeFunction`), a missing prefix, or a wildcard that matches
    /// nothing. When a known action of the same service is close, the message suggests it.
    /// Entries faasguard could not evaluate (`!Ref`, `${var}`) are not reported. Actions newer
    /// than the bundled database are reported too; refresh it with `scripts/refresh-iam-db.py`.
    ///
    /// ## Why is this bad?
    /// IAM accepts unknown action names silently, so a typo grants nothing and the function
    /// fails at run time, which tempts people into widening the statement to `*`. In a `Deny`
    /// or `NotAction`, a typo silently removes a guard-rail.
    ///
    /// ## Example
    /// ```yaml
    /// AWSTemplateFormatVersion: "2010-09-09"
    /// Transform: AWS::Serverless-2016-10-31
    /// Resources:
    ///   FanOutFunction:
    ///     Type: AWS::Serverless::Function
    ///     Properties:
    ///       Handler: app.handler
    ///       Runtime: python3.13
    ///       CodeUri: src/
    ///       Policies:
    ///         - Version: "2012-10-17"
    ///           Statement:
    ///             - Effect: Allow
    ///               Action: lambda:InvokeFuction
    ///               Resource: arn:aws:lambda:us-east-1:123456789012:function:worker
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// AWSTemplateFormatVersion: "2010-09-09"
    /// Transform: AWS::Serverless-2016-10-31
    /// Resources:
    ///   FanOutFunction:
    ///     Type: AWS::Serverless::Function
    ///     Properties:
    ///       Handler: app.handler
    ///       Runtime: python3.13
    ///       CodeUri: src/
    ///       Policies:
    ///         - Version: "2012-10-17"
    ///           Statement:
    ///             - Effect: Allow
    ///               Action: lambda:InvokeFunction
    ///               Resource: arn:aws:lambda:us-east-1:123456789012:function:worker
    /// ```
    ///
    /// ## References
    /// - CWE-1068: Inconsistency Between Implementation and Documented Design
    /// - <https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html>
    pub IamUnknownAction {
        id: "FG-IAM-011",
        name: "iam-unknown-action",
        title: "Execution role names an IAM action that does not exist",
        severity: Low,
        family: Iam,
        status: Stable,
        since: "0.1.0",
        remediation: "Correct the action name (see the suggestion in the message) or remove it.",
        references: &[
            "CWE-1068",
            "https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html",
        ],
    }
}

impl IamUnknownAction {
    fn check_function(
        func: &Function,
        _inv: &Inventory,
        _settings: &RuleSettings,
        out: &mut Vec<Violation>,
    ) {
        for (policy, stmt) in written_statements(func) {
            for name in statement_actions(stmt).unknown {
                let mut message =
                    format!("policy {} names unknown IAM action `{name}`", policy.name);
                if let Some(s) = suggestion(&name) {
                    message.push_str("; did you mean `");
                    message.push_str(&s);
                    message.push_str("`?");
                }
                out.push(Violation::new(
                    Some(statement_location(policy, stmt)),
                    message,
                ));
            }
        }
    }
}

/// The closest known action name (edit distance at most 2) in the same service, or the same
/// action in the closest service prefix.
fn suggestion(name: &str) -> Option<String> {
    let (service, action) = name.trim().split_once(':')?;
    let db = db();
    if let Some(range) = db.service_range(service) {
        return range
            .map(|i| db.action(faasguard_iam::ActionId(i)))
            .map(|a| {
                (
                    distance(&a.name.to_ascii_lowercase(), &action.to_ascii_lowercase()),
                    a,
                )
            })
            .filter(|(d, _)| *d <= 2)
            .min_by_key(|(d, _)| *d)
            .map(|(_, a)| a.to_string());
    }
    db.services()
        .map(|(p, _)| (distance(p, &service.to_ascii_lowercase()), p))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .and_then(|(_, p)| db.lookup(&format!("{p}:{action}")))
        .map(|id| db.action(id).to_string())
}

/// Levenshtein distance between two short ASCII strings.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<u8> = b.bytes().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.bytes().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use faasguard_model::StringOrPattern;

    use super::*;
    use crate::rules::iam::support::testing::{allow, function_with, inline, line, run};

    /// A typo and a misspelt prefix each fire, with the right suggestion.
    #[test]
    fn typos_fire_with_suggestions() {
        let f = function_with(vec![inline(vec![allow(
            &[
                "lambda:InvokeFuction",
                "lamda:InvokeFunction",
                "s3:GetObject",
            ],
            &["*"],
            14,
        )])]);
        let out = run(&IamUnknownAction, &f);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].at, Some(line(14)));
        assert!(
            out[0]
                .message
                .contains("did you mean `lambda:InvokeFunction`"),
            "{}",
            out[0].message
        );
        assert!(
            out[1]
                .message
                .contains("did you mean `lambda:InvokeFunction`"),
            "{}",
            out[1].message
        );
    }

    /// Known actions, matching wildcards and unresolved expressions are silent.
    #[test]
    fn known_and_unresolved_are_silent() {
        let mut s = allow(&["lambda:invokefunction", "s3:Get*", "*"], &["*"], 14);
        s.action
            .push(StringOrPattern::unresolved("!Ref ExtraAction"));
        let f = function_with(vec![inline(vec![s])]);
        assert!(run(&IamUnknownAction, &f).is_empty());
    }

    /// Edit distance counts insertions, deletions and substitutions.
    #[test]
    fn distance_table() {
        assert_eq!(distance("invokefunction", "invokefuction"), 1);
        assert_eq!(distance("lambda", "lamda"), 1);
        assert_eq!(distance("abc", "xyz"), 3);
        assert_eq!(distance("", "ab"), 2);
    }
}
