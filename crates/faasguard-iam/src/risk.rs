//! Privilege-escalation methods and sensitive actions, both kept as hand-written data:
//! `data/iam/privilege-escalation.tsv` and `data/iam/sensitive-actions.tsv`.

use std::sync::LazyLock;

use crate::analysis::Permissions;
use crate::db::{ActionId, ActionSet, db};

const PRIVESC_TSV: &str = include_str!("../../../data/iam/privilege-escalation.tsv");
const SENSITIVE_TSV: &str = include_str!("../../../data/iam/sensitive-actions.tsv");

/// One privilege-escalation method: a set of actions that together let the holder gain more
/// permissions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EscalationMethod {
    /// Short name (`PassRoleToNewLambdaThenInvoke`).
    pub id: &'static str,
    /// Every action must be allowed on every resource, not just on some.
    pub needs_any_resource: bool,
    /// The actions, as written in the data file.
    pub action_names: Vec<&'static str>,
    /// The actions, resolved against the database.
    pub actions: Vec<ActionId>,
    /// What an attacker does with them.
    pub description: &'static str,
}

struct RiskData {
    methods: Vec<EscalationMethod>,
    data_exfiltration: ActionSet,
    credentials_exposure: ActionSet,
    /// Data-file entries that did not parse or name no known action (a test keeps it empty).
    problems: Vec<String>,
}

static RISK: LazyLock<RiskData> = LazyLock::new(load);

fn data_lines(text: &'static str) -> impl Iterator<Item = &'static str> {
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
}

fn load() -> RiskData {
    let mut problems = Vec::new();
    let mut methods = Vec::new();
    for line in data_lines(PRIVESC_TSV) {
        let cols: Vec<&str> = line.split('\t').collect();
        let [id, resource, actions, description] = cols.as_slice() else {
            problems.push(line.to_owned());
            continue;
        };
        let action_names: Vec<&'static str> = actions.split(',').map(str::trim).collect();
        let mut ids = Vec::new();
        for name in &action_names {
            match db().lookup(name) {
                Some(id) => ids.push(id),
                None => problems.push(format!("{id}: unknown action {name}")),
            }
        }
        if ids.len() != action_names.len() {
            continue;
        }
        methods.push(EscalationMethod {
            id,
            needs_any_resource: *resource == "star",
            action_names,
            actions: ids,
            description,
        });
    }
    let mut data_exfiltration = ActionSet::new();
    let mut credentials_exposure = ActionSet::new();
    for line in data_lines(SENSITIVE_TSV) {
        let Some((category, action)) = line.split_once('\t') else {
            problems.push(line.to_owned());
            continue;
        };
        let Some(id) = db().lookup(action.trim()) else {
            problems.push(format!("unknown action {action}"));
            continue;
        };
        match category {
            "data-exfiltration" => data_exfiltration.insert(id),
            "credentials-exposure" => credentials_exposure.insert(id),
            _ => problems.push(line.to_owned()),
        }
    }
    RiskData {
        methods,
        data_exfiltration,
        credentials_exposure,
        problems,
    }
}

/// Problems met reading the compiled-in data (lines that do not parse, action names the
/// database does not know). Empty for the shipped data; a test keeps it so.
pub fn data_problems() -> Vec<String> {
    let mut out: Vec<String> = db()
        .bad_lines()
        .iter()
        .map(|n| format!("data/iam/actions.tsv line {n} does not parse"))
        .collect();
    out.extend(RISK.problems.iter().cloned());
    out
}

/// Every known privilege-escalation method.
pub fn escalation_methods() -> &'static [EscalationMethod] {
    &RISK.methods
}

/// The methods whose actions the permissions allow (all of them).
pub fn escalations(perms: &Permissions) -> Vec<&'static EscalationMethod> {
    RISK.methods
        .iter()
        .filter(|m| {
            m.actions
                .iter()
                .all(|a| perms.allows(*a, m.needs_any_resource))
        })
        .collect()
}

/// Actions that read stored data or secrets (`s3:GetObject`, `secretsmanager:GetSecretValue`,
/// `ssm:GetParameter*`, `kms:Decrypt`, `dynamodb:Scan` …).
pub fn data_exfiltration_actions() -> &'static ActionSet {
    &RISK.data_exfiltration
}

/// Actions that return credentials or tokens (`sts:AssumeRole`, `iam:CreateAccessKey`,
/// `ecr:GetAuthorizationToken` …).
pub fn credentials_exposure_actions() -> &'static ActionSet {
    &RISK.credentials_exposure
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used)]

    use faasguard_core::Location;
    use faasguard_model::{PolicyDocument, Statement};

    use super::*;

    /// Both data files parse completely and every action they name is in the database.
    #[test]
    fn data_files_are_clean() {
        assert!(data_problems().is_empty(), "{:?}", data_problems());
        assert!(escalation_methods().len() >= 25);
        assert!(data_exfiltration_actions().len() >= 10);
        assert!(credentials_exposure_actions().len() >= 20);
    }

    fn fired(actions: &[&str], resources: &[&str]) -> Vec<&'static str> {
        let doc = PolicyDocument {
            statements: vec![Statement::allow(actions, resources, Location::default())],
        };
        let perms = Permissions::from_documents([&doc], None);
        escalations(&perms).into_iter().map(|m| m.id).collect()
    }

    /// A method fires only when all its actions are allowed; wildcards count; `sts:AssumeRole`
    /// fires only on every resource.
    #[test]
    fn escalation_table() {
        let cases: &[(&[&str], &[&str], &[&str])] = &[
            (
                &[
                    "iam:PassRole",
                    "lambda:CreateFunction",
                    "lambda:InvokeFunction",
                ],
                &["*"],
                &["PassRoleToNewLambdaThenInvoke"],
            ),
            (&["iam:PassRole", "lambda:CreateFunction"], &["*"], &[]),
            (
                &["lambda:UpdateFunctionCode"],
                &["arn:aws:lambda:*:*:function:x"],
                &["UpdateExistingLambdaCode"],
            ),
            (
                &["iam:Put*"],
                &["*"],
                &["PutGroupPolicy", "PutRolePolicy", "PutUserPolicy"],
            ),
            (
                &["sts:AssumeRole"],
                &["arn:aws:iam::123456789012:role/x"],
                &[],
            ),
            (&["sts:AssumeRole"], &["*"], &["AssumeAnyRole"]),
            (&["s3:GetObject"], &["*"], &[]),
        ];
        for (actions, resources, want) in cases {
            let mut got = fired(actions, resources);
            got.sort_unstable();
            assert_eq!(&got, want, "{actions:?} on {resources:?}");
        }
        assert!(fired(&["*"], &["*"]).len() == escalation_methods().len());
    }
}
