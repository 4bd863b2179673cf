//! AWS managed policies: faasguard's copy of the documents that matter for a function's role
//! (`data/iam/aws-managed-policies.json`, see `data/iam/PROVENANCE.md`), lookup by ARN or name,
//! and the classes of broad managed policies the rules report.

use std::collections::HashMap;
use std::sync::LazyLock;

use faasguard_core::Location;
use faasguard_model::{Effect, PolicyDocument, Statement, StringOrPattern};
use serde_json::Value;

const MANAGED_JSON: &str = include_str!("../../../data/iam/aws-managed-policies.json");

struct ManagedEntry {
    path: String,
    document: Value,
}

static MANAGED: LazyLock<HashMap<String, ManagedEntry>> = LazyLock::new(|| {
    let Ok(Value::Object(map)) = serde_json::from_str::<Value>(MANAGED_JSON) else {
        return HashMap::new();
    };
    map.into_iter()
        .filter_map(|(name, v)| {
            let path = v.get("path")?.as_str()?.to_owned();
            let document = v.get("document")?.clone();
            Some((name, ManagedEntry { path, document }))
        })
        .collect()
});

/// The policy name of an AWS managed policy ARN (`arn:aws:iam::aws:policy/service-role/X` →
/// `X`), or the text itself when it is a bare name. `None` for an ARN that is not an AWS
/// managed policy (a customer policy in an account, another service's ARN).
pub fn managed_policy_name(arn_or_name: &str) -> Option<&str> {
    let text = arn_or_name.trim();
    if text.is_empty() {
        return None;
    }
    if !text.starts_with("arn:") {
        return (!text.contains([':', '/', ' '])).then_some(text);
    }
    let parts: Vec<&str> = text.splitn(6, ':').collect();
    match parts.as_slice() {
        [_, _, "iam", "", "aws", resource] => resource
            .strip_prefix("policy/")
            .and_then(|r| r.rsplit('/').next())
            .filter(|n| !n.is_empty()),
        _ => None,
    }
}

/// The document of a known AWS managed policy, by ARN (any partition, with or without path)
/// or bare name (`AdministratorAccess`), with each statement located at
/// `aws-managed:<name>` and a JSON pointer to the statement. Prefer [`aws_managed_policy_at`]
/// in loaders so findings point at the line that attaches the policy.
pub fn aws_managed_policy(arn_or_name: &str) -> Option<PolicyDocument> {
    let name = managed_policy_name(arn_or_name)?;
    let (name, entry) = lookup(name)?;
    let base = Location::file(format!("aws-managed:{name}"));
    Some(parse_policy_document(&entry.document, &base))
}

/// Like [`aws_managed_policy`], with every statement located at `at` (where the policy is
/// attached: `ManagedPolicyArns`, `policy_arn`, SAM `Policies`).
pub fn aws_managed_policy_at(arn_or_name: &str, at: &Location) -> Option<PolicyDocument> {
    let name = managed_policy_name(arn_or_name)?;
    let (_, entry) = lookup(name)?;
    let mut doc = parse_policy_document(&entry.document, at);
    for s in &mut doc.statements {
        s.at = at.clone();
    }
    Some(doc)
}

/// The full ARN (standard partition) of a known AWS managed policy.
pub fn aws_managed_policy_arn(name: &str) -> Option<String> {
    let (name, entry) = lookup(name)?;
    Some(format!("arn:aws:iam::aws:policy{}{}", entry.path, name))
}

fn lookup(name: &str) -> Option<(&'static str, &'static ManagedEntry)> {
    let map: &'static HashMap<String, ManagedEntry> = &MANAGED;
    if let Some((k, v)) = map.get_key_value(name) {
        return Some((k.as_str(), v));
    }
    map.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(k, v)| (k.as_str(), v))
}

/// Broad AWS managed policies, as the rules tell them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ManagedPolicyClass {
    /// `AdministratorAccess`: every action on every resource.
    Administrator,
    /// `PowerUserAccess`: everything except IAM, Organizations and Account management.
    PowerUser,
    /// `IAMFullAccess`: all of IAM, so it can grant itself anything.
    IamFullAccess,
    /// Another `*FullAccess`, `*ReadWrite`, `AdministratorAccess-*` or job-function
    /// administrator policy: everything on one or more services.
    FullAccess,
}

/// Classifies an AWS managed policy ARN or name; `None` for narrower or non-AWS policies.
pub fn classify_managed_policy(arn_or_name: &str) -> Option<ManagedPolicyClass> {
    let name = managed_policy_name(arn_or_name)?;
    Some(match name {
        "AdministratorAccess" => ManagedPolicyClass::Administrator,
        "PowerUserAccess" => ManagedPolicyClass::PowerUser,
        "IAMFullAccess" => ManagedPolicyClass::IamFullAccess,
        n if n.contains("FullAccess")
            || n.ends_with("ReadWrite")
            || n.starts_with("AdministratorAccess-")
            || n.ends_with("Administrator") =>
        {
            ManagedPolicyClass::FullAccess
        }
        _ => return None,
    })
}

/// Reads an IAM policy document in AWS's JSON form (`Statement` as an object or a list,
/// `Action`/`Resource` as a string or a list). Statements get `base` with a pointer to them.
/// Entries that are not strings are kept as unresolved text.
pub fn parse_policy_document(json: &Value, base: &Location) -> PolicyDocument {
    let stmts: Vec<&Value> = match json.get("Statement") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(v @ Value::Object(_)) => vec![v],
        _ => Vec::new(),
    };
    let statements = stmts
        .into_iter()
        .enumerate()
        .filter_map(|(i, s)| {
            let effect = match s.get("Effect").and_then(Value::as_str) {
                Some("Allow") => Effect::Allow,
                Some("Deny") => Effect::Deny,
                _ => return None,
            };
            Some(Statement {
                sid: s.get("Sid").and_then(Value::as_str).map(str::to_owned),
                effect,
                action: list(s.get("Action")),
                not_action: list(s.get("NotAction")),
                resource: list(s.get("Resource")),
                not_resource: list(s.get("NotResource")),
                principal: s.get("Principal").cloned(),
                condition: s.get("Condition").cloned(),
                at: base.clone().with_pointer(format!("/Statement/{i}")),
            })
        })
        .collect();
    PolicyDocument { statements }
}

fn list(v: Option<&Value>) -> Vec<StringOrPattern> {
    let one = |v: &Value| match v {
        Value::String(s) => StringOrPattern::literal(s.clone()),
        other => StringOrPattern::unresolved(other.to_string()),
    };
    match v {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a.iter().map(one).collect(),
        Some(other) => vec![one(other)],
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used)]

    use super::*;
    use crate::analysis::Permissions;
    use crate::db::db;

    /// ARNs of every partition and path resolve to the policy name; customer policy ARNs do not.
    #[test]
    fn policy_name_table() {
        let cases = [
            (
                "arn:aws:iam::aws:policy/AdministratorAccess",
                Some("AdministratorAccess"),
            ),
            (
                "arn:aws-us-gov:iam::aws:policy/AmazonS3FullAccess",
                Some("AmazonS3FullAccess"),
            ),
            (
                "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
                Some("AWSLambdaBasicExecutionRole"),
            ),
            ("AmazonDynamoDBFullAccess", Some("AmazonDynamoDBFullAccess")),
            ("arn:aws:iam::123456789012:policy/AdministratorAccess", None),
            ("arn:aws:s3:::bucket", None),
            ("", None),
        ];
        for (input, want) in cases {
            assert_eq!(managed_policy_name(input), want, "{input}");
        }
    }

    /// The shipped documents are the real ones: AdministratorAccess allows `*`, PowerUserAccess
    /// allows everything but IAM (except a few service-linked-role actions), AmazonS3FullAccess
    /// is `s3:*`, and the basic execution role only writes logs.
    #[test]
    fn shipped_documents() {
        let perms = |name: &str| {
            let doc = aws_managed_policy(name).unwrap_or_else(|| panic!("{name} missing"));
            Permissions::from_documents([&doc], None)
        };
        let id = |a: &str| db().lookup(a).expect("known");
        assert!(perms("AdministratorAccess").allowed.is_all());
        let pu = perms("arn:aws:iam::aws:policy/PowerUserAccess");
        assert!(pu.allows(id("lambda:CreateFunction"), true));
        assert!(!pu.allows(id("iam:PassRole"), false));
        assert!(pu.allows(id("iam:CreateServiceLinkedRole"), true));
        assert!(perms("IAMFullAccess").allows(id("iam:PutRolePolicy"), true));
        assert!(perms("AmazonS3FullAccess").allows(id("s3:PutBucketPolicy"), true));
        assert!(perms("AmazonDynamoDBFullAccess").allows(id("dynamodb:Scan"), true));
        assert!(perms("AWSLambda_FullAccess").allows(id("lambda:UpdateFunctionCode"), true));
        assert!(perms("SecretsManagerReadWrite").allows(id("secretsmanager:GetSecretValue"), true));
        let basic = perms("AWSLambdaBasicExecutionRole");
        assert!(basic.allows(id("logs:PutLogEvents"), false));
        assert!(!basic.allows(id("s3:GetObject"), false));
        assert!(aws_managed_policy("NoSuchPolicyAnywhere").is_none());
        assert_eq!(
            aws_managed_policy_arn("AWSLambdaBasicExecutionRole").as_deref(),
            Some("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
        );
    }

    /// Located lookups put every statement at the attachment.
    #[test]
    fn located_lookup() {
        let at = Location::at("template.yaml", 12, 9);
        let doc = aws_managed_policy_at("AdministratorAccess", &at).expect("known");
        assert!(doc.statements.iter().all(|s| s.at == at));
    }

    /// Broad managed policies are classified by name; narrow ones are not.
    #[test]
    fn classification_table() {
        use ManagedPolicyClass::*;
        let cases = [
            (
                "arn:aws:iam::aws:policy/AdministratorAccess",
                Some(Administrator),
            ),
            ("PowerUserAccess", Some(PowerUser)),
            ("IAMFullAccess", Some(IamFullAccess)),
            ("AmazonS3FullAccess", Some(FullAccess)),
            ("AWSLambda_FullAccess", Some(FullAccess)),
            ("SecretsManagerReadWrite", Some(FullAccess)),
            ("AmazonS3ReadOnlyAccess", None),
            ("AWSLambdaBasicExecutionRole", None),
            ("arn:aws:iam::123456789012:policy/AdministratorAccess", None),
        ];
        for (input, want) in cases {
            assert_eq!(classify_managed_policy(input), want, "{input}");
        }
    }

    /// Policy JSON in string and list forms parses into statements; bad effects are skipped.
    #[test]
    fn parse_forms() {
        let json = serde_json::json!({
            "Statement": [
                {"Effect": "Allow", "Action": "s3:GetObject", "Resource": ["a", "b"]},
                {"Effect": "Deny", "NotAction": ["iam:*"], "NotResource": "x", "Condition": {"Bool": {"k": "v"}}},
                {"Effect": "Maybe", "Action": "*"}
            ]
        });
        let doc = parse_policy_document(&json, &Location::file("p.json"));
        assert_eq!(doc.statements.len(), 2);
        assert_eq!(doc.statements[0].resource.len(), 2);
        assert_eq!(doc.statements[1].effect, Effect::Deny);
        assert_eq!(doc.statements[1].not_action[0].text, "iam:*");
        assert_eq!(
            doc.statements[1].at.pointer.as_deref(),
            Some("/Statement/1")
        );
    }
}
