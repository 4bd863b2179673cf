use serde::{Deserialize, Serialize};

use faasguard_core::Location;

/// `Allow` or `Deny`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Effect {
    Allow,
    Deny,
}

/// One entry of an `Action`, `NotAction`, `Resource` or `NotResource` list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StringOrPattern {
    /// The text as written, with IAM wildcards (`s3:Get*`, `*`). For an unresolved expression
    /// (`!Ref Bucket`, `${aws_s3_bucket.b.arn}`) the expression as written.
    pub text: String,
    /// True when `text` is an expression faasguard could not evaluate. Unresolved entries are
    /// never treated as `*`.
    pub unresolved: bool,
}

impl StringOrPattern {
    pub fn literal(text: impl Into<String>) -> Self {
        StringOrPattern {
            text: text.into(),
            unresolved: false,
        }
    }

    pub fn unresolved(expr: impl Into<String>) -> Self {
        StringOrPattern {
            text: expr.into(),
            unresolved: true,
        }
    }

    /// A literal `*`.
    pub fn is_star(&self) -> bool {
        !self.unresolved && self.text == "*"
    }
}

/// One IAM policy statement. String and list forms are both normalised into lists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Statement {
    pub sid: Option<String>,
    pub effect: Effect,
    pub action: Vec<StringOrPattern>,
    pub not_action: Vec<StringOrPattern>,
    pub resource: Vec<StringOrPattern>,
    pub not_resource: Vec<StringOrPattern>,
    /// `Principal` for resource and trust policies, as written (`"*"`, `{"AWS": …}`, `{"Service": …}`).
    pub principal: Option<serde_json::Value>,
    /// `Condition` block as written (`{"StringEquals": {"aws:SourceAccount": "1234"}}`).
    pub condition: Option<serde_json::Value>,
    /// Where the statement is written.
    pub at: Location,
}

impl Statement {
    /// An `Allow` statement with the given actions on the given resources, for sources that
    /// build statements (SAM policy templates, managed policies).
    pub fn allow(actions: &[&str], resources: &[&str], at: Location) -> Self {
        Statement {
            sid: None,
            effect: Effect::Allow,
            action: actions
                .iter()
                .map(|a| StringOrPattern::literal(*a))
                .collect(),
            not_action: Vec::new(),
            resource: resources
                .iter()
                .map(|r| StringOrPattern::literal(*r))
                .collect(),
            not_resource: Vec::new(),
            principal: None,
            condition: None,
            at,
        }
    }
}

/// A policy document: its statements, in order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PolicyDocument {
    pub statements: Vec<Statement>,
}

/// Where a role's policy comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PolicyKind {
    /// Written inline in the role or function (`Policies`, `inline_policy`, `iamRoleStatements`).
    Inline,
    /// A customer managed policy defined in the same sources (`AWS::IAM::ManagedPolicy`, `aws_iam_policy`).
    CustomerManaged,
    /// An AWS managed policy attached by ARN (`arn:aws:iam::aws:policy/AdministratorAccess`).
    /// `document` is filled from faasguard's data when the policy is known to it.
    AwsManaged { arn: String },
    /// A SAM policy template (`S3CrudPolicy`), expanded to its actions.
    SamTemplate { template: String },
    /// A managed policy attached by an ARN or expression faasguard cannot resolve.
    Unresolved { expr: String },
}

/// One policy attached to a role, with its document when known.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Policy {
    pub name: String,
    pub kind: PolicyKind,
    pub document: PolicyDocument,
    pub at: Location,
}
