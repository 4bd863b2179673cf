//! IAM in `serverless.yml`: policy statements, managed policy ARNs, the provider's execution
//! role, per-function roles, and the `AWS::IAM::Role` resources they name under
//! `resources.Resources`.

use std::cell::RefCell;
use std::collections::BTreeMap;

use faasguard_core::{Attr, Location};
use faasguard_model::{
    Effect, ExecutionRole, Policy, PolicyDocument, PolicyKind, Statement, StringOrPattern,
};

use super::value::{Ctx, Field, Text, symbolic};
use crate::yaml::Value;

/// The logical id the framework gives the role it generates for the service.
pub(crate) const GENERATED_ROLE_ID: &str = "IamRoleLambdaExecution";

/// Statements of a list (or, as CloudFormation also accepts, a single statement mapping).
pub(crate) fn statements<'a>(ctx: &mut Ctx<'a>, f: &Field<'a>) -> Vec<Statement> {
    match &f.node.value {
        Value::Seq(_) => ctx
            .items(f)
            .iter()
            .filter_map(|item| statement(ctx, item))
            .collect(),
        Value::Map(_) if symbolic(f).is_none() => statement(ctx, f).into_iter().collect(),
        _ => {
            ctx.expect_seq(f, "a list of IAM statements");
            Vec::new()
        }
    }
}

/// One statement. A statement without a valid `Effect` is reported and dropped; one whose
/// `Effect` is a variable is dropped silently (it cannot be judged either way).
fn statement<'a>(ctx: &mut Ctx<'a>, f: &Field<'a>) -> Option<Statement> {
    if !ctx.expect_map(f, "an IAM statement mapping") {
        return None;
    }
    let effect = match ctx.get(f, "Effect") {
        None => {
            ctx.diag(
                f,
                format!(
                    "serverless: IAM statement `{}` has no `Effect`; ignored",
                    f.pointer
                ),
            );
            return None;
        }
        Some(e) => match ctx.text(&e) {
            Text::Literal(s) if s == "Allow" => Effect::Allow,
            Text::Literal(s) if s == "Deny" => Effect::Deny,
            Text::Unresolved(_) => return None,
            _ => {
                ctx.diag(
                    &e,
                    format!(
                        "serverless: `{}` must be `Allow` or `Deny`; statement ignored",
                        e.pointer
                    ),
                );
                return None;
            }
        },
    };
    let mut list = |key: &str| {
        ctx.get(f, key)
            .map(|field| patterns(ctx, &field))
            .unwrap_or_default()
    };
    let action = list("Action");
    let not_action = list("NotAction");
    let resource = list("Resource");
    let not_resource = list("NotResource");
    let sid = ctx.get(f, "Sid").and_then(|s| match ctx.text(&s) {
        Text::Literal(t) => Some(t),
        _ => None,
    });
    Some(Statement {
        sid,
        effect,
        action,
        not_action,
        resource,
        not_resource,
        principal: ctx.get(f, "Principal").map(|p| p.node.to_json()),
        condition: ctx.get(f, "Condition").map(|c| c.node.to_json()),
        at: ctx.loc(f),
    })
}

/// `Action`/`Resource`-style values: one string or a list of them. Variables and
/// intrinsics become unresolved entries, never `*`.
pub(crate) fn patterns<'a>(ctx: &mut Ctx<'a>, f: &Field<'a>) -> Vec<StringOrPattern> {
    let items = match &f.node.value {
        Value::Seq(_) => ctx.items(f),
        _ => vec![f.clone()],
    };
    let mut out = Vec::with_capacity(items.len());
    for item in &items {
        match ctx.text(item) {
            Text::Literal(s) => out.push(StringOrPattern::literal(s)),
            Text::Unresolved(expr) => out.push(StringOrPattern::unresolved(expr)),
            Text::Null => {}
            Text::WrongType => ctx.wrong_type(item, "a string or a list of strings"),
        }
    }
    out
}

/// A managed policy attached by ARN. AWS managed policies (`arn:aws:iam::aws:policy/…`, also
/// written with `AWS::Partition` through `Fn::Join`/`Fn::Sub`) are recognised; any other ARN or
/// expression is kept as [`PolicyKind::Unresolved`].
pub(crate) fn managed_policy<'a>(ctx: &mut Ctx<'a>, f: &Field<'a>) -> Option<Policy> {
    let written = match ctx.text(f) {
        Text::Literal(s) => s,
        Text::Unresolved(expr) => {
            match partition_arn(&f.node.to_json()).filter(|a| is_aws_managed(a)) {
                Some(arn) => arn,
                None => {
                    return Some(Policy {
                        name: expr.clone(),
                        kind: PolicyKind::Unresolved { expr },
                        document: PolicyDocument::default(),
                        at: ctx.loc(f),
                    });
                }
            }
        }
        Text::Null => return None,
        Text::WrongType => {
            ctx.wrong_type(f, "a policy ARN");
            return None;
        }
    };
    let at = ctx.loc(f);
    if is_aws_managed(&written) {
        let name = faasguard_iam::managed_policy_name(&written)
            .unwrap_or(&written)
            .to_owned();
        let document = faasguard_iam::aws_managed_policy_at(&written, &at).unwrap_or_default();
        return Some(Policy {
            name,
            kind: PolicyKind::AwsManaged { arn: written },
            document,
            at,
        });
    }
    Some(Policy {
        name: written.clone(),
        kind: PolicyKind::Unresolved { expr: written },
        document: PolicyDocument::default(),
        at,
    })
}

/// An AWS managed policy ARN, in any partition (`arn:aws-us-gov:iam::aws:policy/…`).
fn is_aws_managed(arn: &str) -> bool {
    arn.starts_with("arn:") && faasguard_iam::managed_policy_name(arn).is_some()
}

/// Flattens `Fn::Join`/`Fn::Sub` over literals and `AWS::Partition` into a string, with the
/// partition taken as `aws` (only used to recognise AWS managed policy ARNs).
fn partition_arn(v: &serde_json::Value) -> Option<String> {
    use serde_json::Value as J;
    let J::Object(obj) = v else {
        return None;
    };
    if let Some(J::String(s)) = obj.get("Fn::Sub") {
        let out = s.replace("${AWS::Partition}", "aws");
        return (!out.contains("${")).then_some(out);
    }
    let J::Array(args) = obj.get("Fn::Join")? else {
        return None;
    };
    let [J::String(delim), J::Array(parts)] = args.as_slice() else {
        return None;
    };
    let mut texts = Vec::with_capacity(parts.len());
    for part in parts {
        match part {
            J::String(s) => texts.push(s.clone()),
            J::Object(o) if o.get("Ref").and_then(J::as_str) == Some("AWS::Partition") => {
                texts.push("aws".to_owned());
            }
            _ => return None,
        }
    }
    Some(texts.join(delim))
}

/// The trust policy of roles the framework generates: Lambda may assume them.
fn lambda_trust(at: &Location) -> PolicyDocument {
    let mut st = Statement::allow(&["sts:AssumeRole"], &[], at.clone());
    st.principal = Some(serde_json::json!({"Service": ["lambda.amazonaws.com"]}));
    PolicyDocument {
        statements: vec![st],
    }
}

/// The `AWS::IAM::*` resources of `resources.Resources`, by logical id.
#[derive(Debug, Default)]
pub(crate) struct Resources<'a> {
    /// Logical id → the resource's field.
    by_id: BTreeMap<String, Field<'a>>,
    /// `resources` could not be read completely (variables, `${file(…)}` includes), so a
    /// missing logical id is not an error.
    pub incomplete: bool,
    /// Roles already read, so that a role shared by several functions is read (and
    /// diagnosed) once.
    roles: RefCell<BTreeMap<String, Option<ExecutionRole>>>,
}

impl<'a> Resources<'a> {
    /// Reads `resources` (a mapping with `Resources`, or a list of such mappings as the
    /// framework also accepts).
    pub fn read(ctx: &mut Ctx<'a>, resources: Option<&Field<'a>>) -> Self {
        let mut out = Resources::default();
        let Some(resources) = resources else {
            return out;
        };
        let blocks = match &resources.node.value {
            Value::Seq(_) => ctx.items(resources),
            _ => vec![resources.clone()],
        };
        for block in &blocks {
            if symbolic(block).is_some() {
                out.incomplete = true;
                continue;
            }
            if !ctx.expect_map(block, "a mapping with `Resources`") {
                continue;
            }
            let Some(map) = ctx.get(block, "Resources") else {
                continue;
            };
            if symbolic(&map).is_some() {
                out.incomplete = true;
                continue;
            }
            if !ctx.expect_map(&map, "a mapping of CloudFormation resources") {
                continue;
            }
            for (key, field) in ctx.fields(&map) {
                if symbolic(&field).is_some() {
                    out.incomplete = true;
                }
                out.by_id.insert(key.to_owned(), field);
            }
        }
        out
    }

    fn type_of(&self, ctx: &Ctx<'a>, id: &str) -> Option<String> {
        let res = self.by_id.get(id)?;
        match ctx.text(&ctx.get(res, "Type")?) {
            Text::Literal(t) => Some(t),
            _ => None,
        }
    }

    /// The role `id` with its inline policies, managed policy ARNs, boundary and trust
    /// policy, plus `AWS::IAM::Policy`/`ManagedPolicy` resources that attach to it through
    /// `Roles: [!Ref id]`. `None` when there is no `AWS::IAM::Role` of that id.
    pub fn role(&self, ctx: &mut Ctx<'a>, id: &str) -> Option<ExecutionRole> {
        if let Some(cached) = self.roles.borrow().get(id) {
            return cached.clone();
        }
        let role = self.read_role(ctx, id);
        self.roles.borrow_mut().insert(id.to_owned(), role.clone());
        role
    }

    fn read_role(&self, ctx: &mut Ctx<'a>, id: &str) -> Option<ExecutionRole> {
        if self.type_of(ctx, id).as_deref() != Some("AWS::IAM::Role") {
            return None;
        }
        let res = self.by_id.get(id)?.clone();
        let at = ctx.loc(&res);
        let mut role = ExecutionRole {
            key: format!("{}#{id}", ctx.file.path),
            name: None,
            arn: Attr::unresolved(format!("{{\"Fn::GetAtt\":[\"{id}\",\"Arn\"]}}"), at.clone()),
            generated: false,
            policies: Vec::new(),
            permissions_boundary: None,
            trust_policy: None,
            at,
        };
        let Some(props) = ctx.get(&res, "Properties") else {
            return Some(role);
        };
        if !ctx.expect_map(&props, "a mapping") {
            return Some(role);
        }
        if let Some(n) = ctx.get(&props, "RoleName") {
            role.name = ctx.string_attr(&n).value;
        }
        if let Some(doc) = ctx.get(&props, "AssumeRolePolicyDocument") {
            role.trust_policy = Some(document(ctx, &doc));
        }
        if let Some(policies) = ctx.get(&props, "Policies")
            && ctx.expect_seq(&policies, "a list of inline policies")
        {
            for p in ctx.items(&policies) {
                if !ctx.expect_map(&p, "an inline policy mapping") {
                    continue;
                }
                let name = ctx
                    .get(&p, "PolicyName")
                    .and_then(|n| ctx.string_attr(&n).value)
                    .unwrap_or_else(|| p.pointer.clone());
                let document = ctx
                    .get(&p, "PolicyDocument")
                    .map(|d| document(ctx, &d))
                    .unwrap_or_default();
                role.policies.push(Policy {
                    name,
                    kind: PolicyKind::Inline,
                    document,
                    at: ctx.loc(&p),
                });
            }
        }
        if let Some(arns) = ctx.get(&props, "ManagedPolicyArns") {
            role.policies.extend(managed_list(ctx, &arns));
        }
        if let Some(b) = ctx.get(&props, "PermissionsBoundary") {
            role.permissions_boundary = managed_policy(ctx, &b);
        }
        self.attach_standalone_policies(ctx, id, &mut role);
        Some(role)
    }

    /// `AWS::IAM::Policy` and `AWS::IAM::ManagedPolicy` resources whose `Roles` name `id`.
    fn attach_standalone_policies(&self, ctx: &mut Ctx<'a>, id: &str, role: &mut ExecutionRole) {
        for (pid, res) in &self.by_id {
            let kind = match self.type_of(ctx, pid).as_deref() {
                Some("AWS::IAM::Policy") => PolicyKind::Inline,
                Some("AWS::IAM::ManagedPolicy") => PolicyKind::CustomerManaged,
                _ => continue,
            };
            let Some(props) = ctx.get(res, "Properties") else {
                continue;
            };
            let names_role = ctx.get(&props, "Roles").is_some_and(|roles| {
                roles
                    .node
                    .items()
                    .iter()
                    .any(|r| refers_to(&r.to_json(), id))
            });
            if !names_role {
                continue;
            }
            let document = ctx
                .get(&props, "PolicyDocument")
                .map(|d| document(ctx, &d))
                .unwrap_or_default();
            role.policies.push(Policy {
                name: pid.clone(),
                kind,
                document,
                at: ctx.loc(res),
            });
        }
    }

    /// The resources whose `Type` is `ty`, in document order.
    pub fn of_type(&self, ctx: &Ctx<'a>, ty: &str) -> Vec<(&str, Field<'a>)> {
        let mut out: Vec<(&str, Field<'a>)> = self
            .by_id
            .iter()
            .filter(|(id, _)| self.type_of(ctx, id).as_deref() == Some(ty))
            .map(|(id, res)| (id.as_str(), res.clone()))
            .collect();
        out.sort_by_key(|(_, res)| (res.line, res.col));
        out
    }

    /// Whether `id` is a resource under `resources.Resources`.
    pub fn contains(&self, id: &str) -> bool {
        self.by_id.contains_key(id)
    }

    /// Whether `id` is absent while `resources` was read completely (a dangling reference).
    pub fn is_missing(&self, id: &str) -> bool {
        !self.incomplete && !self.by_id.contains_key(id)
    }
}

/// `!Ref id`, `{Ref: id}` or the bare logical id.
fn refers_to(v: &serde_json::Value, id: &str) -> bool {
    match v {
        serde_json::Value::String(s) => s == id,
        serde_json::Value::Object(o) => o.get("Ref").and_then(|r| r.as_str()) == Some(id),
        _ => false,
    }
}

/// A policy document mapping (its `Statement`).
fn document<'a>(ctx: &mut Ctx<'a>, f: &Field<'a>) -> PolicyDocument {
    if !ctx.expect_map(f, "a policy document mapping") {
        return PolicyDocument::default();
    }
    PolicyDocument {
        statements: ctx
            .get(f, "Statement")
            .map(|s| statements(ctx, &s))
            .unwrap_or_default(),
    }
}

/// A list of managed policy ARNs.
fn managed_list<'a>(ctx: &mut Ctx<'a>, f: &Field<'a>) -> Vec<Policy> {
    if let Some(expr) = symbolic(f) {
        return vec![Policy {
            name: expr.clone(),
            kind: PolicyKind::Unresolved { expr },
            document: PolicyDocument::default(),
            at: ctx.loc(f),
        }];
    }
    if !ctx.expect_seq(f, "a list of policy ARNs") {
        return Vec::new();
    }
    ctx.items(f)
        .iter()
        .filter_map(|item| managed_policy(ctx, item))
        .collect()
}

/// A statements block that is a variable as a whole (`${file(./iam.yml)}`) becomes one
/// inline policy of unknown content, so that the role still shows that something is there.
fn inline_policy<'a>(ctx: &mut Ctx<'a>, f: &Field<'a>, name: &str) -> Policy {
    match symbolic(f) {
        Some(expr) => Policy {
            name: name.to_owned(),
            kind: PolicyKind::Unresolved { expr },
            document: PolicyDocument::default(),
            at: ctx.loc(f),
        },
        None => Policy {
            name: name.to_owned(),
            kind: PolicyKind::Inline,
            document: PolicyDocument {
                statements: statements(ctx, f),
            },
            at: ctx.loc(f),
        },
    }
}

/// The execution role a role reference names: an ARN, the logical id of an
/// `AWS::IAM::Role` under `resources.Resources` (also as `Fn::GetAtt: [Id, Arn]`), or an
/// expression kept symbolic.
pub(crate) fn role_reference<'a>(
    ctx: &mut Ctx<'a>,
    f: &Field<'a>,
    resources: &Resources<'a>,
) -> Option<ExecutionRole> {
    let at = ctx.loc(f);
    let logical = match ctx.text(f) {
        Text::Literal(s) if s.starts_with("arn:") => {
            let name = s.rsplit('/').next().map(str::to_owned);
            return Some(ExecutionRole {
                key: s.clone(),
                name,
                arn: Attr::explicit(s, at.clone()),
                generated: false,
                policies: Vec::new(),
                permissions_boundary: None,
                trust_policy: None,
                at,
            });
        }
        Text::Literal(s) => s,
        Text::Unresolved(expr) => match getatt_target(&f.node.to_json()) {
            Some(id) => id,
            None => {
                return Some(ExecutionRole {
                    key: format!("{}#{expr}", ctx.file.path),
                    name: None,
                    arn: Attr::unresolved(expr, at.clone()),
                    generated: false,
                    policies: Vec::new(),
                    permissions_boundary: None,
                    trust_policy: None,
                    at,
                });
            }
        },
        Text::Null => return None,
        Text::WrongType => {
            ctx.wrong_type(f, "a role ARN or the logical id of an AWS::IAM::Role");
            return None;
        }
    };
    if let Some(role) = resources.role(ctx, &logical) {
        return Some(role);
    }
    if resources.is_missing(&logical) {
        ctx.diag(
            f,
            format!(
                "serverless: role `{logical}` is neither an ARN nor a resource under `resources.Resources`"
            ),
        );
    }
    Some(ExecutionRole {
        key: format!("{}#{logical}", ctx.file.path),
        name: None,
        arn: Attr::unresolved(logical, at.clone()),
        generated: false,
        policies: Vec::new(),
        permissions_boundary: None,
        trust_policy: None,
        at,
    })
}

/// `X` from `{"Fn::GetAtt": ["X", "Arn"]}` or `{"Ref": "X"}`.
fn getatt_target(v: &serde_json::Value) -> Option<String> {
    let obj = v.as_object()?;
    if let Some(args) = obj.get("Fn::GetAtt").and_then(|a| a.as_array()) {
        return args.first()?.as_str().map(str::to_owned);
    }
    obj.get("Ref")?.as_str().map(str::to_owned)
}

/// Which role the provider gives functions that have no `role` of their own.
pub(crate) fn provider_role<'a>(
    ctx: &mut Ctx<'a>,
    provider: &Field<'a>,
    resources: &Resources<'a>,
) -> ExecutionRole {
    let iam_role = ctx
        .get(provider, "iam")
        .filter(|iam| ctx.expect_map(iam, "a mapping"))
        .and_then(|iam| ctx.get(&iam, "role"));
    // A custom role for the whole service: `provider.iam.role: <arn | logical id>` or the
    // legacy `provider.role`.
    let custom = match &iam_role {
        Some(r) if !matches!(r.node.value, Value::Map(_)) || symbolic(r).is_some() => {
            Some(r.clone())
        }
        _ => ctx.get(provider, "role"),
    };
    if let Some(r) = custom
        && let Some(role) = role_reference(ctx, &r, resources)
    {
        return role;
    }

    let at = iam_role
        .as_ref()
        .map_or_else(|| ctx.loc(provider), |r| ctx.loc(r));
    let mut role = ExecutionRole {
        key: format!("{}#{GENERATED_ROLE_ID}", ctx.file.path),
        name: None,
        arn: Attr::absent(),
        generated: false,
        policies: Vec::new(),
        permissions_boundary: None,
        trust_policy: Some(lambda_trust(&at)),
        at,
    };
    if let Some(r) = iam_role.filter(|r| ctx.expect_map(r, "a role ARN or a mapping")) {
        if let Some(n) = ctx.get(&r, "name") {
            role.name = ctx.string_attr(&n).value;
        }
        if let Some(s) = ctx.get(&r, "statements") {
            let policy = inline_policy(ctx, &s, "provider.iam.role.statements");
            role.policies.push(policy);
        }
        if let Some(m) = ctx.get(&r, "managedPolicies") {
            role.policies.extend(managed_list(ctx, &m));
        }
        if let Some(b) = ctx.get(&r, "permissionsBoundary") {
            role.permissions_boundary = managed_policy(ctx, &b);
        }
    }
    if let Some(s) = ctx.get(provider, "iamRoleStatements") {
        let policy = inline_policy(ctx, &s, "provider.iamRoleStatements");
        role.policies.push(policy);
    }
    if let Some(m) = ctx.get(provider, "iamManagedPolicies") {
        role.policies.extend(managed_list(ctx, &m));
    }
    if role.permissions_boundary.is_none()
        && let Some(b) = ctx.get(provider, "rolePermissionsBoundary")
    {
        role.permissions_boundary = managed_policy(ctx, &b);
    }
    role
}

/// The role the `serverless-iam-roles-per-function` plugin generates for a function with its
/// own `iamRoleStatements` (inheriting the provider's statements when
/// `iamRoleStatementsInherit: true`).
pub(crate) fn per_function_role<'a>(
    ctx: &mut Ctx<'a>,
    key: &str,
    function: &Field<'a>,
    statements_field: &Field<'a>,
    provider_role: &ExecutionRole,
) -> ExecutionRole {
    let at = ctx.loc(statements_field);
    let mut policies = vec![inline_policy(
        ctx,
        statements_field,
        &format!("functions.{key}.iamRoleStatements"),
    )];
    let inherit = ctx
        .get(function, "iamRoleStatementsInherit")
        .is_some_and(|f| ctx.text(&f) == Text::Literal("true".to_owned()));
    if inherit && !provider_role.generated && provider_role.key.ends_with(GENERATED_ROLE_ID) {
        policies.extend(provider_role.policies.iter().cloned());
    }
    let name = ctx
        .get(function, "iamRoleStatementsName")
        .and_then(|n| ctx.string_attr(&n).value);
    ExecutionRole {
        key: format!("{}#{key}{GENERATED_ROLE_ID}", ctx.file.path),
        name,
        arn: Attr::absent(),
        generated: true,
        policies,
        permissions_boundary: provider_role.permissions_boundary.clone(),
        trust_policy: Some(lambda_trust(&at)),
        at,
    }
}
