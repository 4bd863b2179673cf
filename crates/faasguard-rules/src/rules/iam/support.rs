//! Helpers shared by the IAM rules: walking a role's statements and writing evidence.

use std::borrow::Cow;

use faasguard_core::Location;
use faasguard_iam::{
    AccessLevel, ActionId, ActionSet, Permissions, effective_document, statement_actions,
};
use faasguard_model::{Effect, Function, Policy, PolicyDocument, PolicyKind, Statement};

/// Every policy of the function's role with the document to analyse (AWS managed policies
/// resolved through faasguard's data when the loader left them empty).
pub(crate) fn role_documents(func: &Function) -> Vec<(&Policy, Cow<'_, PolicyDocument>)> {
    func.role
        .iter()
        .flat_map(|r| r.policies.iter())
        .map(|p| (p, effective_document(p)))
        .collect()
}

/// The statements written by the user (inline, customer managed, SAM templates, unresolved
/// attachments), i.e. every statement except those of AWS managed policies, which the
/// managed-policy rules report as a whole.
pub(crate) fn written_statements(func: &Function) -> impl Iterator<Item = (&Policy, &Statement)> {
    func.role
        .iter()
        .flat_map(|r| r.policies.iter())
        .filter(|p| !matches!(p.kind, PolicyKind::AwsManaged { .. }))
        .flat_map(|p| p.document.statements.iter().map(move |s| (p, s)))
}

/// The AWS managed policies attached to the function's role, each with its ARN.
pub(crate) fn aws_managed_policies(func: &Function) -> impl Iterator<Item = (&Policy, &str)> {
    func.role
        .iter()
        .flat_map(|r| r.policies.iter())
        .filter_map(|p| match &p.kind {
            PolicyKind::AwsManaged { arn } => Some((p, arn.as_str())),
            _ => None,
        })
}

/// Where to report a statement: its own location, or the policy's when the statement has none.
pub(crate) fn statement_location<'a>(policy: &'a Policy, stmt: &'a Statement) -> &'a Location {
    if stmt.at.file.is_empty() {
        &policy.at
    } else {
        &stmt.at
    }
}

/// The location of the first `Allow` statement of the role that grants `action` (on every
/// resource when `on_any_resource`), or `None`.
pub(crate) fn granting_location(
    func: &Function,
    action: ActionId,
    on_any_resource: bool,
) -> Option<Location> {
    for (policy, doc) in role_documents(func) {
        for stmt in &doc.statements {
            if stmt.effect == Effect::Allow
                && (!on_any_resource || faasguard_iam::applies_to_any_resource(stmt))
                && statement_actions(stmt).actions.contains(action)
            {
                return Some(statement_location(policy, stmt).clone());
            }
        }
    }
    None
}

/// The role's permissions and the actions of `risky` it allows on every resource; `None` when
/// the function has no role, or when the role allows every action on every resource (the
/// wildcard rules report that once instead of every risk rule).
pub(crate) fn risky_on_any_resource(
    func: &Function,
    risky: &ActionSet,
) -> Option<(Permissions, ActionSet)> {
    let perms = Permissions::of_role(func.role.as_ref()?);
    if perms.allowed_on_any_resource.is_all() {
        return None;
    }
    let mut reach = risky.clone();
    reach.intersect_with(&perms.allowed_on_any_resource);
    Some((perms, reach))
}

/// `a, b, c` for at most `limit` actions, then `(+N more)`.
pub(crate) fn list_actions<'a>(
    actions: impl IntoIterator<Item = &'a faasguard_iam::Action>,
    limit: usize,
) -> String {
    let mut actions = actions.into_iter();
    let mut text = actions
        .by_ref()
        .take(limit)
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let more = actions.count();
    if more > 0 {
        text = format!("{text} (+{more} more)");
    }
    text
}

/// The actions of `set` whose access level is one of `levels`.
pub(crate) fn with_levels(set: &ActionSet, levels: &[AccessLevel]) -> ActionSet {
    let mut out = ActionSet::new();
    for level in levels {
        if let Some(at_level) = faasguard_iam::db().level_set(*level) {
            out.union_with(at_level);
        }
    }
    out.intersect_with(set);
    out
}

/// True when a pattern is `*` (or `*:*`, `**`): every action.
pub(crate) fn is_all_actions(pattern: &str) -> bool {
    let p = pattern.trim();
    !p.is_empty() && p.chars().all(|c| c == '*' || c == ':') && p.contains('*')
}

#[cfg(test)]
pub(crate) mod testing {
    //! Builders for hand-made functions with an execution role.

    use faasguard_core::Location;
    use faasguard_model::{
        ExecutionRole, Function, Policy, PolicyDocument, PolicyKind, Statement, StringOrPattern,
    };

    use crate::rules::function::support::testing::aws_function;
    pub(crate) use crate::rules::function::support::testing::run;

    /// `template.yaml` line `n`, column 13.
    pub(crate) fn line(n: u32) -> Location {
        Location::at("template.yaml", n, 13)
    }

    /// An AWS function `Fn` defined in `template.yaml` with a generated role holding `policies`.
    pub(crate) fn function_with(policies: Vec<Policy>) -> Function {
        let mut f = aws_function("Fn");
        f.at = line(3);
        f.role = Some(ExecutionRole {
            key: "template.yaml#FnRole".to_owned(),
            name: None,
            arn: faasguard_core::Attr::absent(),
            generated: true,
            policies,
            permissions_boundary: None,
            trust_policy: None,
            at: line(3),
        });
        f
    }

    /// An inline policy holding these statements.
    pub(crate) fn inline(statements: Vec<Statement>) -> Policy {
        Policy {
            name: "FnRolePolicy0".to_owned(),
            kind: PolicyKind::Inline,
            document: PolicyDocument { statements },
            at: line(10),
        }
    }

    /// An `Allow` statement at `template.yaml:<n>`.
    pub(crate) fn allow(actions: &[&str], resources: &[&str], n: u32) -> Statement {
        Statement::allow(actions, resources, line(n))
    }

    /// An `Allow` statement with `NotAction`.
    pub(crate) fn allow_not_action(not_actions: &[&str], resources: &[&str], n: u32) -> Statement {
        let mut s = Statement::allow(&[], resources, line(n));
        s.not_action = not_actions
            .iter()
            .map(|a| StringOrPattern::literal(*a))
            .collect();
        s
    }

    /// An AWS managed policy attached by ARN at line `n`, with the document left empty (as a
    /// loader that does not resolve it would).
    pub(crate) fn managed(arn: &str, n: u32) -> Policy {
        Policy {
            name: arn.rsplit('/').next().unwrap_or(arn).to_owned(),
            kind: PolicyKind::AwsManaged {
                arn: arn.to_owned(),
            },
            document: PolicyDocument::default(),
            at: line(n),
        }
    }
}

#[cfg(test)]
mod tests {
    use faasguard_iam::{AccessLevel, ActionSet, db};

    use super::{list_actions, with_levels};

    /// `list_actions` shows at most `limit` actions in database order and counts the rest;
    /// `with_levels` keeps exactly the actions at the asked levels.
    #[test]
    fn list_and_filter_actions() {
        let mut set = ActionSet::new();
        for name in ["s3:PutObject", "s3:GetObject", "iam:PassRole"] {
            set.insert(db().lookup(name).unwrap_or_else(|| panic!("{name} known")));
        }
        assert_eq!(
            list_actions(set.actions(), 2),
            "iam:PassRole, s3:GetObject (+1 more)"
        );
        assert_eq!(
            list_actions(set.actions(), 3),
            "iam:PassRole, s3:GetObject, s3:PutObject"
        );
        let writes = with_levels(&set, &[AccessLevel::Write]);
        assert_eq!(list_actions(writes.actions(), 10), "s3:PutObject");
        let mutating = with_levels(
            &set,
            &[AccessLevel::Write, AccessLevel::PermissionsManagement],
        );
        assert_eq!(
            list_actions(mutating.actions(), 10),
            "iam:PassRole, s3:PutObject"
        );
        assert!(with_levels(&set, &[AccessLevel::Tagging]).is_empty());
    }
}
