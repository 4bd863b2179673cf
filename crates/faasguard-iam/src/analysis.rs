//! What a statement, a policy and a role allow: effective action sets (with `NotAction`
//! meaning "everything else"), wildcard resources, and a role's combined permissions.

use std::borrow::Cow;

use faasguard_model::{
    Effect, ExecutionRole, Policy, PolicyDocument, PolicyKind, Statement, StringOrPattern,
};

use crate::db::{ActionId, ActionSet};
use crate::managed::aws_managed_policy_at;
use crate::pattern::{Expansion, expand};

/// The actions one statement names, after expansion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementActions {
    /// The known actions the statement applies to. For `NotAction`, every known action except
    /// the listed ones.
    pub actions: ActionSet,
    /// True when the statement uses `NotAction`.
    pub negated: bool,
    /// Entries naming no known action or service (typos, or actions newer than the database),
    /// as written.
    pub unknown: Vec<String>,
    /// Entries faasguard could not evaluate (`!Ref`, `${var}`), as written. They are never
    /// treated as `*`: they add nothing to `actions` (and, under `NotAction`, remove nothing).
    pub unresolved: Vec<String>,
}

/// Expands a statement's `Action` or `NotAction` list.
pub fn statement_actions(stmt: &Statement) -> StatementActions {
    let negated = stmt.action.is_empty() && !stmt.not_action.is_empty();
    let entries = if negated {
        &stmt.not_action
    } else {
        &stmt.action
    };
    let mut set = ActionSet::new();
    let mut unknown = Vec::new();
    let mut unresolved = Vec::new();
    for entry in entries {
        if entry.unresolved {
            unresolved.push(entry.text.clone());
            continue;
        }
        match expand(&entry.text) {
            Expansion::Actions(s) => {
                set.union_with(&s);
            }
            Expansion::UnknownAction | Expansion::UnknownService => {
                unknown.push(entry.text.clone());
            }
        }
    }
    let actions = if negated { set.complement() } else { set };
    StatementActions {
        actions,
        negated,
        unknown,
        unresolved,
    }
}

/// True when one `Resource` entry covers every resource: `*`, or an ARN whose region, account
/// and resource parts are all wildcards (`arn:aws:s3:::*`, `arn:aws:*:*:*:*`, `arn:*:s3:::*/*`).
pub fn is_any_resource(entry: &StringOrPattern) -> bool {
    if entry.unresolved {
        return false;
    }
    let text = entry.text.trim();
    if text == "*" {
        return true;
    }
    let parts: Vec<&str> = text.splitn(6, ':').collect();
    let [arn, _partition, service, region, account, resource] = parts.as_slice() else {
        return false;
    };
    let wild = |s: &str| s.is_empty() || s.chars().all(|c| c == '*');
    arn.eq_ignore_ascii_case("arn")
        && !service.is_empty()
        && wild(region)
        && wild(account)
        && !resource.is_empty()
        && resource.chars().all(|c| matches!(c, '*' | '/' | ':'))
}

/// True when the statement applies to every resource: a wildcard `Resource` entry, or a
/// `NotResource` (everything except the listed resources).
pub fn applies_to_any_resource(stmt: &Statement) -> bool {
    stmt.resource.iter().any(is_any_resource)
        || (stmt.resource.is_empty() && !stmt.not_resource.is_empty())
}

/// The document to analyse for a policy: its own, or, for an AWS managed policy whose document
/// the loader left empty, faasguard's copy (with every statement located at the attachment).
pub fn effective_document(policy: &Policy) -> Cow<'_, PolicyDocument> {
    if policy.document.statements.is_empty()
        && let PolicyKind::AwsManaged { arn } = &policy.kind
        && let Some(doc) = aws_managed_policy_at(arn, &policy.at)
    {
        return Cow::Owned(doc);
    }
    Cow::Borrowed(&policy.document)
}

/// What a set of policies allows together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Permissions {
    /// Actions allowed on at least some resource.
    pub allowed: ActionSet,
    /// Actions allowed on every resource (`Resource: "*"` or equivalent, or `NotResource`).
    pub allowed_on_any_resource: ActionSet,
}

impl Permissions {
    /// Combines documents: the union of their `Allow` statements, minus actions an unconditional
    /// `Deny` removes on every resource, intersected with the permissions boundary's allowance
    /// when a boundary with statements is given.
    pub fn from_documents<'a>(
        docs: impl IntoIterator<Item = &'a PolicyDocument>,
        boundary: Option<&PolicyDocument>,
    ) -> Self {
        let mut allowed = ActionSet::new();
        let mut on_any = ActionSet::new();
        let mut denied = ActionSet::new();
        for doc in docs {
            for stmt in &doc.statements {
                let acts = statement_actions(stmt).actions;
                match stmt.effect {
                    Effect::Allow => {
                        if applies_to_any_resource(stmt) {
                            on_any.union_with(&acts);
                        }
                        allowed.union_with(&acts);
                    }
                    Effect::Deny => {
                        if stmt.condition.is_none() && applies_to_any_resource(stmt) {
                            denied.union_with(&acts);
                        }
                    }
                }
            }
        }
        allowed.difference_with(&denied);
        on_any.difference_with(&denied);
        if let Some(b) = boundary.filter(|b| !b.statements.is_empty()) {
            let limit = Permissions::from_documents([b], None);
            allowed.intersect_with(&limit.allowed);
            on_any.intersect_with(&limit.allowed);
        }
        Permissions {
            allowed,
            allowed_on_any_resource: on_any,
        }
    }

    /// The permissions of an execution role: every policy (AWS managed ones resolved through
    /// faasguard's data when the loader left them empty), limited by its boundary.
    pub fn of_role(role: &ExecutionRole) -> Self {
        let docs: Vec<Cow<'_, PolicyDocument>> =
            role.policies.iter().map(effective_document).collect();
        let boundary = role.permissions_boundary.as_ref().map(effective_document);
        Permissions::from_documents(docs.iter().map(AsRef::as_ref), boundary.as_deref())
    }

    /// True when the action is allowed (on any resource when `on_any_resource`).
    pub fn allows(&self, id: ActionId, on_any_resource: bool) -> bool {
        if on_any_resource {
            self.allowed_on_any_resource.contains(id)
        } else {
            self.allowed.contains(id)
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used)]

    use faasguard_core::Location;
    use faasguard_model::Statement;

    use super::*;
    use crate::db::db;

    fn id(name: &str) -> ActionId {
        db().lookup(name).expect("known action")
    }

    fn doc(stmts: Vec<Statement>) -> PolicyDocument {
        PolicyDocument { statements: stmts }
    }

    /// `Action` lists expand to their actions; `NotAction` becomes every other action;
    /// unresolved and unknown entries are reported and never widen the set to `*`.
    #[test]
    fn statement_action_sets() {
        let s = Statement::allow(
            &["s3:GetObject", "lambda:InvokeFuction"],
            &["*"],
            Location::default(),
        );
        let a = statement_actions(&s);
        assert_eq!(a.actions.len(), 1);
        assert_eq!(a.unknown, ["lambda:InvokeFuction"]);

        let mut n = Statement::allow(&[], &["*"], Location::default());
        n.not_action = vec![StringOrPattern::literal("iam:*")];
        let a = statement_actions(&n);
        assert!(a.negated);
        assert!(!a.actions.contains(id("iam:PassRole")));
        assert!(a.actions.contains(id("s3:PutObject")));

        let mut u = Statement::allow(&[], &["*"], Location::default());
        u.action = vec![StringOrPattern::unresolved("!Ref ActionParam")];
        let a = statement_actions(&u);
        assert!(a.actions.is_empty());
        assert_eq!(a.unresolved, ["!Ref ActionParam"]);
    }

    /// Resource entries that cover every resource are recognised; scoped ARNs and unresolved
    /// expressions are not.
    #[test]
    fn any_resource_table() {
        let cases = [
            ("*", true),
            ("arn:aws:s3:::*", true),
            ("arn:aws:s3:::*/*", true),
            ("arn:aws:*:*:*:*", true),
            ("arn:*:*:*:*:*", true),
            ("arn:aws:dynamodb:*:*:table/*", false),
            ("arn:aws:s3:::my-bucket/*", false),
            ("arn:aws:lambda:us-east-1:123456789012:function:*", false),
            ("arn:aws:iam::123456789012:role/*", false),
            ("bucket", false),
        ];
        for (r, want) in cases {
            assert_eq!(is_any_resource(&StringOrPattern::literal(r)), want, "{r}");
        }
        assert!(!is_any_resource(&StringOrPattern::unresolved("*")));
    }

    /// A role's permissions union its Allow statements, drop what an unconditional Deny on `*`
    /// removes, keep a conditional Deny's actions, and respect a permissions boundary.
    #[test]
    fn combined_permissions() {
        let allow = doc(vec![
            Statement::allow(&["iam:PassRole", "lambda:*"], &["*"], Location::default()),
            Statement::allow(
                &["s3:GetObject"],
                &["arn:aws:s3:::b/*"],
                Location::default(),
            ),
        ]);
        let mut deny = Statement::allow(&["lambda:CreateFunction"], &["*"], Location::default());
        deny.effect = Effect::Deny;
        let mut cond_deny =
            Statement::allow(&["lambda:InvokeFunction"], &["*"], Location::default());
        cond_deny.effect = Effect::Deny;
        cond_deny.condition = Some(serde_json::json!({"Bool": {"aws:SecureTransport": "false"}}));
        let denies = doc(vec![deny, cond_deny]);
        let p = Permissions::from_documents([&allow, &denies], None);
        assert!(p.allows(id("iam:PassRole"), true));
        assert!(!p.allows(id("lambda:CreateFunction"), false));
        assert!(p.allows(id("lambda:InvokeFunction"), true));
        assert!(p.allows(id("s3:GetObject"), false));
        assert!(!p.allows(id("s3:GetObject"), true));

        let boundary = doc(vec![Statement::allow(
            &["s3:*"],
            &["*"],
            Location::default(),
        )]);
        let p = Permissions::from_documents([&allow], Some(&boundary));
        assert!(!p.allows(id("iam:PassRole"), false));
        assert!(p.allows(id("s3:GetObject"), false));
    }
}
