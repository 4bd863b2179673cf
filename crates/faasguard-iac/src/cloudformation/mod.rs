//! AWS SAM and CloudFormation templates (YAML with short-form tags, and JSON).
//!
//! [`load`] turns one template into model [`Function`]s: `AWS::Serverless::Function` (with
//! `Globals.Function` merged the way SAM merges it) and `AWS::Lambda::Function`, their execution
//! roles (`AWS::IAM::Role`, `AWS::IAM::Policy`, `AWS::IAM::ManagedPolicy`, `AWS::IAM::RolePolicy`,
//! or the role SAM generates from `Policies`), and the resources that point at a function
//! (`AWS::Lambda::Permission`, `AWS::Lambda::Url`, `AWS::Lambda::EventInvokeConfig`,
//! `AWS::Lambda::EventSourceMapping`), the `AWS::Lambda::LayerVersionPermission`s of the
//! layers a function's `Layers` names (by `!Ref` to the layer's logical id or by the same
//! literal layer version ARN; kept in [`Function::layer_permissions`]), and the event sources plain CloudFormation writes as
//! resources of their own: an `AWS::ApiGateway::Method` Lambda integration (REST API), an
//! `AWS::ApiGatewayV2::Integration` (HTTP API), S3 bucket `LambdaConfigurations`, SNS
//! subscriptions (`AWS::SNS::Subscription` and a topic's `Subscription` list),
//! `AWS::Events::Rule` targets (a schedule when the rule has a `ScheduleExpression`),
//! `AWS::Scheduler::Schedule`, `AWS::Logs::SubscriptionFilter`, `AWS::IoT::TopicRule` Lambda
//! actions, Lambda ALB target groups and Cognito user pool triggers. A function is named by
//! `!Ref`, `!GetAtt Fn.Arn`, `${Fn.Arn}` in a `!Sub`, a part of a `!Join`, an alias or version
//! of it, or its literal `FunctionName`/ARN. Every value carries its file, line, column and
//! JSON pointer (`/Resources/Fn/Properties/Runtime`).
//!
//! Decisions worth knowing:
//! - **Intrinsics stay symbolic.** `!Ref Param` is *not* replaced by the parameter's `Default`
//!   (the deployed value is whatever the stack was given): the attribute is unresolved with the
//!   expression as written (`!Ref MemoryParam`), and rules stay silent on it. Only what is
//!   static is evaluated: `!FindInMap` with literal keys (from `Mappings`), `!Sub` without
//!   variables, `!Join`/`!Select` over literals. `!Sub 'arn:${AWS::Partition}:iam::aws:policy/X'`
//!   is recognised as the AWS managed policy `X`.
//! - **Parameter defaults of environment variables.** An `Environment.Variables` value that is
//!   just one parameter (`!Ref DbPassword`, `!Sub '${DbPassword}'`) stays unresolved, but when
//!   that parameter has a literal `Default` the default is kept beside it in
//!   [`EnvVar::default_from`], explicit at the `Default:` line: a default is a value written in
//!   the template (a hard-coded secret if it is one). Only environment values get this, so no
//!   other attribute changes meaning. SSM-typed parameters (`AWS::SSM::Parameter::Value<…>`,
//!   whose default is a parameter name) and parameters without a `Default` (the `NoEcho`
//!   pattern) give `None`.
//! - **SAM `Globals`** follow samtranslator: the function's scalars win, maps merge by key
//!   (`Environment.Variables`, `Tags`), lists concatenate with the global entries first
//!   (`Layers`), and `Architectures` is replaced. `IgnoreGlobals` is honoured.
//! - **SAM-generated roles** (no `Role`): an [`ExecutionRole`] with `generated: true`, key
//!   `file#<Fn>Role`, holding `AWSLambdaBasicExecutionRole`, the `Policies`, and the managed
//!   policies SAM adds for `Tracing: Active`, `VpcConfig` and SQS/Kinesis/DynamoDB events.
//!   Permissions SAM adds to the function's resource policy for events and URLs are not
//!   synthesised (the URL itself is in [`Function::url`]).
//! - **SAM policy templates** come from aws-sam-translator's data (`data/sam/`); a resource
//!   that still holds a pseudo-parameter (`arn:${AWS::Partition}:s3:::bucket`) is unresolved.
//! - Lambda's defaults (timeout 3 s, 128 MB, `x86_64`, tracing `PassThrough`) are filled with
//!   `Origin::Default` when neither the function nor `Globals` set them.
//! - A missing local `CodeUri`/`Code` path is a diagnostic at the template line; the path is
//!   still recorded as written.

mod links;
mod policy;
mod sam;
mod trails;
mod view;

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use faasguard_core::{Attr, Diagnostic, Location};
use faasguard_model::{
    Cors, DeadLetter, EnvVar, EventKind, EventSource, ExecutionRole, Function, FunctionId,
    FunctionUrl, Inventory, LayerPermission, Permission, Policy, PolicyDocument, PolicyKind,
    Provider, SourceKind,
};

use crate::SourceFile;
use crate::cfn_lambda;
use crate::yaml::{self, Node, Value};
use view::{Slot, View, intrinsic, reference, render};

/// Most steps one [`Ctx::resolve`] takes (each scalar or intrinsic visited is one step).
const RESOLVE_FUEL: u32 = 4096;

/// Deepest nesting of intrinsics (and `!FindInMap` hops) [`Ctx::resolve`] follows.
const MAX_RESOLVE_DEPTH: usize = 64;

/// Longest string [`Ctx::resolve`] builds; longer results stay unresolved.
const MAX_RESOLVED_LEN: usize = 1024 * 1024;

/// The SAM transform that makes a template a SAM template.
const SAM_TRANSFORM: &str = "AWS::Serverless-2016-10-31";

/// Whether a YAML/JSON document is a CloudFormation or SAM template: a top-level mapping with
/// `AWSTemplateFormatVersion`, the SAM `Transform`, or a `Resources` mapping whose entries have
/// a `Type` like `AWS::…`. A document that does not parse is claimed only when its text
/// clearly says it is a template (so the loader can report the syntax error).
pub fn looks_like_template(text: &str) -> bool {
    let hinted = text.contains("AWSTemplateFormatVersion") || text.contains("AWS::Serverless");
    if !(hinted || text.contains("Resources") && text.contains("AWS::")) {
        return false;
    }
    match yaml::parse(text) {
        Ok(root) => {
            root.get("AWSTemplateFormatVersion").is_some()
                || is_sam(&root)
                || root.get("Resources").is_some_and(|r| {
                    r.entries().iter().any(|e| {
                        e.value
                            .get("Type")
                            .and_then(Node::as_str)
                            .is_some_and(|t| t.contains("::"))
                    })
                })
        }
        Err(_) => hinted,
    }
}

fn is_sam(root: &Node) -> bool {
    root.get("Transform").is_some_and(|t| match &t.value {
        Value::Str(s) => s == SAM_TRANSFORM,
        Value::Seq(items) => items.iter().any(|i| i.as_str() == Some(SAM_TRANSFORM)),
        _ => false,
    })
}

/// Loads one template. Syntax errors and malformed resources become diagnostics naming the
/// file and line; the rest of the template is still loaded.
pub fn load(file: &SourceFile) -> Inventory {
    let mut inv = Inventory::default();
    let root = match yaml::parse(&file.text) {
        Ok(root) => root,
        Err(e) => {
            inv.diagnostics.push(Diagnostic::new(
                Location::at(&file.path, e.line.max(1), e.col.max(1)),
                format!("cannot parse template: {}", e.message),
            ));
            return inv;
        }
    };
    let root_slot = Slot::root(&root);
    if !root.is_map() {
        inv.diagnostics.push(Diagnostic::new(
            Location::at(&file.path, root.line, root.col),
            "template is not a mapping",
        ));
        return inv;
    }
    let ctx = Ctx::new(file, &root_slot);
    let functions = Loader::new(&ctx, &root_slot).run();
    inv.functions = functions;
    inv.diagnostics = ctx.diags.into_inner();
    inv
}

/// What the loader knows about the template while it reads it.
pub(crate) struct Ctx<'a> {
    file: &'a SourceFile,
    mappings: Option<Slot<'a>>,
    /// The template's `Parameters` (read only for environment variable defaults).
    parameters: Option<Slot<'a>>,
    /// Resource logical id → its slot and `Type`.
    resources: Vec<(&'a str, Slot<'a>, &'a str)>,
    diags: RefCell<Vec<Diagnostic>>,
}

impl<'a> Ctx<'a> {
    fn new(file: &'a SourceFile, root: &Slot<'a>) -> Self {
        let ctx = Ctx {
            file,
            mappings: root.get("Mappings"),
            parameters: root.get("Parameters"),
            resources: Vec::new(),
            diags: RefCell::new(Vec::new()),
        };
        let mut resources = Vec::new();
        if let Some(res) = root.get("Resources") {
            if res.is_plain_map() {
                for (id, slot) in res.entries() {
                    if !slot.node.is_map() {
                        ctx.diag(&slot, format!("resource `{id}` is not a mapping"));
                        continue;
                    }
                    match slot.node.get("Type").and_then(Node::as_str) {
                        Some(ty) => {
                            if let Some(problem) = unknown_type(ty)
                                && let Some(at) = slot.get("Type")
                            {
                                ctx.diag(&at, format!("resource `{id}`: {problem}"));
                            }
                            resources.push((id, slot, ty));
                        }
                        None => ctx.diag(&slot, format!("resource `{id}` has no Type")),
                    }
                }
            } else {
                ctx.diag(&res, "Resources must be a mapping");
            }
        }
        Ctx { resources, ..ctx }
    }

    fn type_of(&self, id: &str) -> Option<&'a str> {
        self.resources
            .iter()
            .find(|(rid, _, _)| *rid == id)
            .map(|(_, _, ty)| *ty)
    }

    pub(crate) fn loc(&self, slot: &Slot<'_>) -> Location {
        Location {
            file: self.file.path.clone(),
            line: Some(slot.line),
            column: Some(slot.col),
            pointer: Some(if slot.ptr.is_empty() {
                "/".to_owned()
            } else {
                slot.ptr.clone()
            }),
        }
    }

    pub(crate) fn diag(&self, slot: &Slot<'_>, message: impl Into<String>) {
        self.diags
            .borrow_mut()
            .push(Diagnostic::new(self.loc(slot), message));
    }

    /// The static value of a node: a scalar, or an intrinsic that needs no stack input.
    /// Resolution is bounded ([`RESOLVE_FUEL`] steps, [`MAX_RESOLVE_DEPTH`] levels,
    /// [`MAX_RESOLVED_LEN`] bytes), so a
    /// `!FindInMap` that leads back to itself, or a chain of mappings that doubles at each
    /// step, is left unresolved instead of overflowing the stack or exhausting memory.
    pub(crate) fn resolve(&self, node: &Node) -> Option<String> {
        let mut fuel = RESOLVE_FUEL;
        self.resolve_with(node, 0, &mut fuel)
            .filter(|s| s.len() <= MAX_RESOLVED_LEN)
    }

    fn resolve_with(&self, node: &Node, depth: usize, fuel: &mut u32) -> Option<String> {
        *fuel = fuel.checked_sub(1)?;
        if depth > MAX_RESOLVE_DEPTH {
            return None;
        }
        if let Some(text) = node.scalar_text() {
            return Some(text);
        }
        let (name, arg) = intrinsic(node)?;
        match name {
            "Sub" => {
                let (text, vars) = match &arg.value {
                    Value::Str(s) => (s.as_str(), None),
                    Value::Seq(items) => (items.first()?.as_str()?, items.get(1)),
                    _ => return None,
                };
                let mut values = HashMap::new();
                if let Some(vars) = vars {
                    for e in vars.entries() {
                        values.insert(
                            e.key.as_str(),
                            self.resolve_with(&e.value, depth + 1, fuel)?,
                        );
                    }
                }
                substitute(text, &values)
            }
            "Join" => {
                let items = arg.items();
                let delim = self.resolve_with(items.first()?, depth + 1, fuel)?;
                let mut joined = String::new();
                for (i, n) in items.get(1)?.items().iter().enumerate() {
                    if i > 0 {
                        joined.push_str(&delim);
                    }
                    joined.push_str(&self.resolve_with(n, depth + 1, fuel)?);
                    if joined.len() > MAX_RESOLVED_LEN {
                        return None;
                    }
                }
                Some(joined)
            }
            "Select" => {
                let items = arg.items();
                let index: usize = self
                    .resolve_with(items.first()?, depth + 1, fuel)?
                    .parse()
                    .ok()?;
                self.resolve_with(items.get(1)?.items().get(index)?, depth + 1, fuel)
            }
            "FindInMap" => {
                let items = arg.items();
                let keys = items
                    .iter()
                    .take(3)
                    .map(|n| self.resolve_with(n, depth + 1, fuel))
                    .collect::<Option<Vec<_>>>()?;
                let [map, top, second] = keys.as_slice() else {
                    return None;
                };
                let value = self.mappings.as_ref()?.get(map)?.get(top)?.get(second)?;
                self.resolve_with(value.node, depth + 1, fuel)
            }
            _ => None,
        }
    }

    /// Like [`Ctx::resolve`], also taking `${AWS::Partition}` as `aws` (for managed policy ARNs).
    fn resolve_arn(&self, node: &Node) -> Option<String> {
        if let Some(v) = self.resolve(node) {
            return Some(v);
        }
        match intrinsic(node) {
            Some(("Sub", arg)) => {
                let text = arg.as_str()?.replace("${AWS::Partition}", "aws");
                (!text.contains("${")).then_some(text)
            }
            _ => None,
        }
    }

    /// A string-valued property.
    pub(crate) fn str_attr(&self, slot: &Slot<'_>) -> Attr<String> {
        if let Some(v) = self.resolve(slot.node) {
            return Attr::explicit(v, self.loc(slot));
        }
        if intrinsic(slot.node).is_none() {
            self.diag(
                slot,
                format!("expected a string, found {}", shape(slot.node)),
            );
        }
        Attr::unresolved(render(slot.node), self.loc(slot))
    }

    fn int_attr<T: TryFrom<i64>>(&self, slot: &Slot<'_>) -> Attr<T> {
        let parsed = match &slot.node.value {
            Value::Int(i) => Some(*i),
            Value::Str(s) => s.trim().parse().ok(),
            _ => self.resolve(slot.node).and_then(|s| s.trim().parse().ok()),
        };
        if let Some(v) = parsed.and_then(|i| T::try_from(i).ok()) {
            return Attr::explicit(v, self.loc(slot));
        }
        if intrinsic(slot.node).is_none() {
            self.diag(
                slot,
                format!("expected a whole number, found {}", render(slot.node)),
            );
        }
        Attr::unresolved(render(slot.node), self.loc(slot))
    }

    fn bool_attr(&self, slot: &Slot<'_>) -> Attr<bool> {
        let parsed = match &slot.node.value {
            Value::Bool(b) => Some(*b),
            _ => self
                .resolve(slot.node)
                .and_then(|s| match s.to_ascii_lowercase().as_str() {
                    "true" => Some(true),
                    "false" => Some(false),
                    _ => None,
                }),
        };
        match parsed {
            Some(b) => Attr::explicit(b, self.loc(slot)),
            None => Attr::unresolved(render(slot.node), self.loc(slot)),
        }
    }

    /// The value as text for lists of names (origins, tags): the literal or the expression.
    fn text(&self, node: &Node) -> String {
        self.resolve(node).unwrap_or_else(|| render(node))
    }
}

/// `!Sub` in one pass over `text`: each `${Name}` becomes its value from `vars`, `${!Literal}`
/// stays as `${Literal}`, and any other `${…}` (a parameter, a pseudo-parameter, an attribute)
/// leaves the whole string unresolved. One pass keeps a template with thousands of variables
/// linear, and matches CloudFormation, which does not substitute inside substituted values.
fn substitute(text: &str, vars: &HashMap<&str, String>) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        if let Some(literal) = after.strip_prefix('!') {
            out.push_str("${");
            rest = literal;
            continue;
        }
        let end = after.find('}')?;
        out.push_str(vars.get(&after[..end])?);
        if out.len() > MAX_RESOLVED_LEN {
            return None;
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

/// The resource types the loader reads.
const LOADED_TYPES: &[&str] = &[
    "AWS::Serverless::Function",
    "AWS::Lambda::Function",
    "AWS::Lambda::Permission",
    "AWS::Lambda::Url",
    "AWS::Lambda::EventInvokeConfig",
    "AWS::Lambda::EventSourceMapping",
    "AWS::Lambda::LayerVersionPermission",
    "AWS::IAM::Role",
    "AWS::IAM::Policy",
    "AWS::IAM::ManagedPolicy",
    "AWS::IAM::RolePolicy",
    "AWS::CloudTrail::Trail",
];

/// Why a resource `Type` is unknown, when it is: not of the `Provider::Service::Resource` (or
/// `Custom::Name`) shape CloudFormation requires, or a near miss of a type the loader reads
/// (`AWS::Serverless::Functon`, `aws::lambda::function`), which would otherwise drop the
/// function from the scan without a word. Other types (S3 buckets, registry types, types
/// newer than faasguard) are none of faasguard's business and pass.
fn unknown_type(ty: &str) -> Option<String> {
    if LOADED_TYPES.contains(&ty) || links::EVENT_TYPES.contains(&ty) {
        return None;
    }
    let parts: Vec<&str> = ty.split("::").collect();
    if parts.len() < 2
        || parts
            .iter()
            .any(|p| p.is_empty() || p.contains(char::is_whitespace))
    {
        return Some(format!(
            "unknown resource type `{ty}` (expected `Provider::Service::Resource`); not scanned"
        ));
    }
    LOADED_TYPES
        .iter()
        .chain(links::EVENT_TYPES)
        .find(|known| known.eq_ignore_ascii_case(ty) || near_miss(known, ty))
        .map(|known| format!("unknown resource type `{ty}` (did you mean `{known}`?); not scanned"))
}

/// `ty` is one slip away from the loaded type `known`: one edit in all (`AWS::IAM:Role`), or
/// the same provider and service (or the service one edit away) and the resource name at most
/// two edits away. Real types that
/// resemble a loaded one (`AWS::IoT::Policy`, `AWS::IAM::UserPolicy`) are further than that.
fn near_miss(known: &str, ty: &str) -> bool {
    // Two names whose lengths differ by more than the edits allowed cannot be a near miss.
    if known.len().abs_diff(ty.len()) > 3 {
        return false;
    }
    if edit_distance(known, ty) == 1 {
        return true;
    }
    let (Some((known_ns, known_name)), Some((ns, name))) =
        (known.rsplit_once("::"), ty.rsplit_once("::"))
    else {
        return false;
    };
    let ns_distance = edit_distance(known_ns, ns);
    let name_distance = edit_distance(known_name, name);
    ns_distance <= 1 && name_distance <= 2 && ns_distance + name_distance > 0
}

/// Levenshtein distance between two short ASCII-ish strings (by `char`).
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = substitute.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

fn shape(node: &Node) -> &'static str {
    match node.value {
        Value::Null => "nothing",
        Value::Seq(_) => "a list",
        Value::Map(_) => "a mapping",
        _ => "a scalar",
    }
}

/// An optional property through a view: the winning slot.
fn top<'a>(view: &View<'a>, key: &str) -> Option<Slot<'a>> {
    view.get(key).and_then(|v| v.top().cloned())
}

/// Marker: a resource's `Properties` had the wrong shape (already reported).
struct Malformed;

struct Loader<'c, 'a> {
    ctx: &'c Ctx<'a>,
    source: SourceKind,
    globals: Option<Slot<'a>>,
    /// Roles defined in the template by logical id.
    roles: HashMap<&'a str, ExecutionRole>,
    /// Policies attached to a role logical id by `AWS::IAM::Policy` & co.
    attachments: Vec<(String, Policy)>,
}

impl<'c, 'a> Loader<'c, 'a> {
    fn new(ctx: &'c Ctx<'a>, root: &Slot<'a>) -> Self {
        let root_node = root.node;
        Loader {
            ctx,
            source: if is_sam(root_node) {
                SourceKind::Sam
            } else {
                SourceKind::Cloudformation
            },
            globals: root
                .get("Globals")
                .and_then(|g| g.get("Function"))
                .filter(Slot::is_plain_map),
            roles: HashMap::new(),
            attachments: Vec::new(),
        }
    }

    /// The `Properties` of a resource (`Ok(None)` when there are none); a diagnostic and
    /// `Err` when they have the wrong shape.
    fn properties(&self, id: &str, res: &Slot<'a>) -> Result<Option<Slot<'a>>, Malformed> {
        match res.get("Properties") {
            None => Ok(None),
            Some(p) if p.is_plain_map() => Ok(Some(p)),
            Some(p) if matches!(p.node.value, Value::Null) => Ok(None),
            Some(p) => {
                self.ctx.diag(
                    &p,
                    format!(
                        "resource `{id}`: Properties must be a mapping, found {}",
                        shape(p.node)
                    ),
                );
                Err(Malformed)
            }
        }
    }

    /// The template's roles, with the policies attached to them by separate resources.
    fn load_roles(&mut self, resources: &[(&'a str, Slot<'a>, &'a str)]) {
        for (id, res, ty) in resources {
            if *ty == "AWS::IAM::Role"
                && let Ok(props) = self.properties(id, res)
            {
                let role = self.iam_role(id, res, props.as_ref());
                self.roles.insert(id, role);
            }
        }
        for (id, res, ty) in resources {
            if matches!(
                *ty,
                "AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy" | "AWS::IAM::RolePolicy"
            ) && let Ok(Some(props)) = self.properties(id, res)
            {
                self.attached_policy(id, ty, &props);
            }
        }
    }

    fn run(mut self) -> Vec<Function> {
        let resources = self.ctx.resources.clone();
        self.load_roles(&resources);
        let mut functions = Vec::new();
        let mut index: HashMap<&str, usize> = HashMap::new();
        // Per function: the layers its `Layers` names (a logical id or a literal ARN).
        let mut layer_keys: Vec<Vec<String>> = Vec::new();
        for (id, res, ty) in &resources {
            let sam = match *ty {
                "AWS::Serverless::Function" => true,
                "AWS::Lambda::Function" => false,
                _ => continue,
            };
            let Ok(props) = self.properties(id, res) else {
                continue;
            };
            let ignored = ignored_globals(res);
            let view = match &self.globals {
                Some(g) if sam && !ignored.iter().any(|k| k == "*") => {
                    View::with_globals(g.clone(), props, ignored)
                }
                _ => View::new(props.into_iter().collect()),
            };
            index.insert(id, functions.len());
            functions.push(self.function(id, res, &view, sam));
            layer_keys.push(self.layer_keys(&view));
        }
        for (id, res, ty) in &resources {
            let linked = match *ty {
                "AWS::Lambda::Url" => "TargetFunctionArn",
                "AWS::Lambda::Permission"
                | "AWS::Lambda::EventInvokeConfig"
                | "AWS::Lambda::EventSourceMapping" => "FunctionName",
                _ => continue,
            };
            let Ok(Some(props)) = self.properties(id, res) else {
                continue;
            };
            let Some(target) = props.get(linked) else {
                self.ctx
                    .diag(res, format!("resource `{id}` has no {linked}"));
                continue;
            };
            let Some(&i) = self
                .link(target.node, &functions)
                .and_then(|f| index.get(f))
            else {
                continue;
            };
            let func = &mut functions[i];
            match *ty {
                "AWS::Lambda::Permission" => {
                    func.resource_policy.push(self.permission(res, &props));
                }
                "AWS::Lambda::Url" => func.url = Some(self.url(res, &props)),
                "AWS::Lambda::EventInvokeConfig" => {
                    if let Some(dest) = props
                        .get("DestinationConfig")
                        .and_then(|d| d.get("OnFailure"))
                        .and_then(|o| o.get("Destination"))
                    {
                        func.dead_letters.push(DeadLetter {
                            target: self.ctx.str_attr(&dest),
                            kind: "on-failure".to_owned(),
                            at: self.ctx.loc(&dest),
                        });
                    }
                }
                _ => func.events.push(EventSource {
                    kind: props
                        .get("EventSourceArn")
                        .map_or(EventKind::Other, |a| self.stream_kind(a.node)),
                    name: (*id).to_owned(),
                    auth_level: Attr::absent(),
                    at: self.ctx.loc(res),
                }),
            }
        }
        for (id, res, _) in resources
            .iter()
            .filter(|(_, _, ty)| *ty == "AWS::Lambda::LayerVersionPermission")
        {
            self.layer_permission(id, res, &layer_keys, &mut functions);
        }
        self.link_events(&resources, &mut functions);
        self.link_trails(&resources, &mut functions);
        functions
    }

    /// What each entry of a function's `Layers` names (see [`Loader::layer_key`]).
    fn layer_keys(&self, props: &View<'a>) -> Vec<String> {
        props
            .get("Layers")
            .map(|l| {
                l.list()
                    .iter()
                    .filter_map(|s| self.layer_key(s.node))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// What a `Layers` entry or a `LayerVersionArn` names: the logical id of a layer of the
    /// template (`!Ref SharedLayer`), or a literal layer version ARN.
    fn layer_key(&self, node: &Node) -> Option<String> {
        if let Some((id, None)) = reference(node) {
            return Some(id.to_owned());
        }
        self.ctx
            .resolve(node)
            .map(|arn| arn.trim().to_owned())
            .filter(|arn| !arn.is_empty())
    }

    /// `AWS::Lambda::LayerVersionPermission`: recorded as a [`LayerPermission`] on every
    /// function whose `Layers` names the same layer version.
    fn layer_permission(
        &self,
        id: &str,
        res: &Slot<'a>,
        layer_keys: &[Vec<String>],
        functions: &mut [Function],
    ) {
        let ctx = self.ctx;
        let Ok(Some(props)) = self.properties(id, res) else {
            return;
        };
        let Some(arn) = props.get("LayerVersionArn") else {
            ctx.diag(res, format!("resource `{id}` has no LayerVersionArn"));
            return;
        };
        let Some(key) = self.layer_key(arn.node) else {
            return;
        };
        let attr = |k: &str| props.get(k).map_or_else(Attr::absent, |s| ctx.str_attr(&s));
        let perm = LayerPermission {
            layer: key.clone(),
            action: attr("Action"),
            principal: attr("Principal"),
            organization_id: attr("OrganizationId"),
            at: ctx.loc(res),
        };
        for (func, keys) in functions.iter_mut().zip(layer_keys) {
            if keys.contains(&key) {
                func.layer_permissions.push(perm.clone());
            }
        }
    }

    fn stream_kind(&self, arn: &Node) -> EventKind {
        let service = if let Some((id, _)) = reference(arn) {
            match self.ctx.type_of(id) {
                Some("AWS::SQS::Queue") => "sqs",
                Some("AWS::DynamoDB::Table" | "AWS::DynamoDB::GlobalTable") => "dynamodb",
                Some("AWS::Kinesis::Stream") => "kinesis",
                _ => "",
            }
            .to_owned()
        } else {
            self.ctx
                .resolve(arn)
                .and_then(|a| a.split(':').nth(2).map(str::to_owned))
                .unwrap_or_default()
        };
        match service.as_str() {
            "sqs" => EventKind::Sqs,
            "dynamodb" => EventKind::DynamoDb,
            "kinesis" => EventKind::Kinesis,
            _ => EventKind::Other,
        }
    }

    fn function(&self, id: &str, res: &Slot<'a>, props: &View<'a>, sam: bool) -> Function {
        let ctx = self.ctx;
        let name = top(props, "FunctionName").and_then(|n| ctx.resolve(n.node));
        let mut f = Function::new(
            FunctionId {
                provider: Provider::Aws,
                source: self.source,
                file: ctx.file.path.clone(),
                logical_id: id.to_owned(),
                name,
                account: None,
                region: None,
            },
            ctx.loc(res),
        );
        f.runtime = top(props, "Runtime").map_or_else(Attr::absent, |s| ctx.str_attr(&s));
        f.handler = top(props, "Handler").map_or_else(Attr::absent, |s| ctx.str_attr(&s));
        f.memory_mb =
            top(props, "MemorySize").map_or_else(|| Attr::default_value(128), |s| ctx.int_attr(&s));
        f.timeout_s =
            top(props, "Timeout").map_or_else(|| Attr::default_value(3), |s| ctx.int_attr(&s));
        f.architecture = match props.get("Architectures") {
            Some(arch) => match arch.top() {
                Some(t) if intrinsic(t.node).is_some() => {
                    Attr::unresolved(render(t.node), ctx.loc(t))
                }
                _ => arch.list().first().map_or_else(
                    || Attr::default_value("x86_64".to_owned()),
                    |s| ctx.str_attr(s),
                ),
            },
            None => Attr::default_value("x86_64".to_owned()),
        };
        if let Some(vars) = props.get("Environment").and_then(|e| e.get("Variables")) {
            f.environment = environment(ctx, &vars);
        }
        f.kms_key = top(props, "KmsKeyArn").map_or_else(Attr::absent, |s| ctx.str_attr(&s));
        f.code_signing_config =
            top(props, "CodeSigningConfigArn").map_or_else(Attr::absent, |s| ctx.str_attr(&s));
        if let Some(pt) = top(props, "PackageType") {
            f.package_type = ctx.str_attr(&pt);
        } else if top(props, "ImageUri").is_some()
            || top(props, "Code").is_some_and(|c| c.get("ImageUri").is_some())
        {
            f.package_type = Attr::default_value("Image".to_owned());
        }
        f.reserved_concurrency = top(props, "ReservedConcurrentExecutions")
            .map_or_else(Attr::absent, |s| ctx.int_attr(&s));
        if let Some(layers) = props.get("Layers") {
            f.layers = layers.list().iter().map(|s| ctx.str_attr(s)).collect();
        }
        let tracing = if sam {
            top(props, "Tracing")
        } else {
            props
                .get("TracingConfig")
                .and_then(|t| t.get("Mode"))
                .and_then(|m| m.top().cloned())
        };
        f.tracing = tracing.map_or_else(
            || Attr::default_value("PassThrough".to_owned()),
            |s| ctx.str_attr(&s),
        );
        f.dead_letters = self.dead_letters(props, sam);
        f.vpc = props
            .get("VpcConfig")
            .map_or_else(Attr::absent, |vpc| self.vpc(&vpc));
        f.tags = self.tags(props);
        f.code = self.code(props, sam);
        if sam {
            if let Some(url) = top(props, "FunctionUrlConfig") {
                f.url = Some(self.url(&url, &url));
            }
            if let Some(events) = top(props, "Events") {
                for (name, ev) in events.entries() {
                    let ty = ev.get("Type").and_then(|t| ctx.resolve(t.node));
                    f.events.push(EventSource {
                        kind: sam_event_kind(ty.as_deref().unwrap_or("")),
                        name: name.to_owned(),
                        auth_level: Attr::absent(),
                        at: ctx.loc(&ev),
                    });
                }
            }
        }
        f.role = self.role(id, res, props, sam, &f);
        f
    }

    /// `DeadLetterQueue` / `DeadLetterConfig` and SAM's `EventInvokeConfig` on-failure destination.
    fn dead_letters(&self, props: &View<'a>, sam: bool) -> Vec<DeadLetter> {
        let ctx = self.ctx;
        let mut out = Vec::new();
        let dlq = if sam {
            "DeadLetterQueue"
        } else {
            "DeadLetterConfig"
        };
        if let Some(target) = props.get(dlq).and_then(|d| d.get("TargetArn"))
            && let Some(slot) = target.top()
        {
            out.push(DeadLetter {
                target: ctx.str_attr(slot),
                kind: "dlq".to_owned(),
                at: ctx.loc(slot),
            });
        }
        if sam
            && let Some(on_failure) = props
                .get("EventInvokeConfig")
                .and_then(|e| e.get("DestinationConfig"))
                .and_then(|d| d.get("OnFailure"))
        {
            let target = match (top(&on_failure, "Destination"), top(&on_failure, "Type")) {
                (Some(dest), _) => Some(ctx.str_attr(&dest)),
                // SAM creates the queue or topic when only the Type is given.
                (None, Some(ty)) => Some(Attr::unresolved(
                    format!("SAM-generated {}", ctx.text(ty.node)),
                    ctx.loc(&ty),
                )),
                (None, None) => None,
            };
            if let (Some(target), Some(at)) = (target, on_failure.top()) {
                out.push(DeadLetter {
                    target,
                    kind: "on-failure".to_owned(),
                    at: ctx.loc(at),
                });
            }
        }
        out
    }

    /// Whether `VpcConfig` puts the function in subnets.
    fn vpc(&self, vpc: &View<'a>) -> Attr<bool> {
        let ctx = self.ctx;
        let Some(t) = vpc.top() else {
            return Attr::absent();
        };
        if intrinsic(t.node).is_some() {
            return Attr::unresolved(render(t.node), ctx.loc(t));
        }
        match vpc.get("SubnetIds") {
            Some(subnets) => {
                let unresolved = subnets.top().is_some_and(|s| intrinsic(s.node).is_some());
                Attr::explicit(unresolved || !subnets.list().is_empty(), ctx.loc(t))
            }
            None => Attr::explicit(false, ctx.loc(t)),
        }
    }

    fn tags(&self, props: &View<'a>) -> BTreeMap<String, String> {
        let mut tags = BTreeMap::new();
        let Some(view) = props.get("Tags") else {
            return tags;
        };
        let Some(t) = view.top() else {
            return tags;
        };
        if matches!(t.node.value, Value::Seq(_)) {
            for item in view.list() {
                if let (Some(k), Some(v)) = (item.node.get("Key"), item.node.get("Value")) {
                    tags.insert(self.ctx.text(k), self.ctx.text(v));
                }
            }
        } else {
            for (k, v) in view.entries() {
                if let Some(slot) = v.top() {
                    tags.insert(k, self.ctx.text(slot.node));
                }
            }
        }
        tags
    }

    fn code(&self, props: &View<'a>, sam: bool) -> Attr<PathBuf> {
        let ctx = self.ctx;
        if sam {
            if let Some(inline) = top(props, "InlineCode") {
                return Attr::unresolved("InlineCode", ctx.loc(&inline));
            }
            if let Some(image) = top(props, "ImageUri") {
                return Attr::unresolved(ctx.text(image.node), ctx.loc(&image));
            }
            let Some(uri) = top(props, "CodeUri") else {
                return Attr::absent();
            };
            if uri.is_plain_map() {
                let part = |k: &str| uri.get(k).map(|s| ctx.text(s.node)).unwrap_or_default();
                return Attr::unresolved(
                    format!("s3://{}/{}", part("Bucket"), part("Key")),
                    ctx.loc(&uri),
                );
            }
            return self.local_code(&uri);
        }
        let Some(code) = top(props, "Code") else {
            return Attr::absent();
        };
        if !code.is_plain_map() {
            return self.local_code(&code);
        }
        if let Some(zip) = code.get("ZipFile") {
            return Attr::unresolved("ZipFile", ctx.loc(&zip));
        }
        if let Some(image) = code.get("ImageUri") {
            return Attr::unresolved(ctx.text(image.node), ctx.loc(&image));
        }
        let part = |k: &str| code.get(k).map(|s| ctx.text(s.node)).unwrap_or_default();
        Attr::unresolved(
            format!("s3://{}/{}", part("S3Bucket"), part("S3Key")),
            ctx.loc(&code),
        )
    }

    /// A code path written as a string: local paths are resolved against the template's
    /// directory and checked; S3 URIs and expressions stay unresolved.
    fn local_code(&self, slot: &Slot<'_>) -> Attr<PathBuf> {
        let ctx = self.ctx;
        let Some(uri) = ctx.resolve(slot.node) else {
            return Attr::unresolved(render(slot.node), ctx.loc(slot));
        };
        if uri.contains("://") {
            return Attr::unresolved(uri, ctx.loc(slot));
        }
        let dir = ctx.file.abs.parent().map(PathBuf::from).unwrap_or_default();
        let path = clean_join(&dir, &uri);
        if !path.exists() {
            let rel_dir = ctx.file.path.rsplit_once('/').map_or("", |(d, _)| d);
            let shown = clean_join(std::path::Path::new(rel_dir), &uri);
            ctx.diag(
                slot,
                format!(
                    "code path `{uri}` does not exist (looked for `{}`)",
                    shown.to_string_lossy().replace('\\', "/")
                ),
            );
        }
        Attr::explicit(path, ctx.loc(slot))
    }

    fn url(&self, at: &Slot<'_>, cfg: &Slot<'_>) -> FunctionUrl {
        let ctx = self.ctx;
        FunctionUrl {
            auth_type: cfg
                .get("AuthType")
                .map_or_else(Attr::absent, |s| ctx.str_attr(&s)),
            cors: cfg.get("Cors").filter(Slot::is_plain_map).map(|c| Cors {
                allow_origins: c
                    .get("AllowOrigins")
                    .map(|o| o.list().iter().map(|s| ctx.text(s.node)).collect())
                    .unwrap_or_default(),
                allow_credentials: c
                    .get("AllowCredentials")
                    .map_or_else(Attr::absent, |s| ctx.bool_attr(&s)),
                at: Some(ctx.loc(&c)),
            }),
            at: ctx.loc(at),
        }
    }

    fn permission(&self, res: &Slot<'_>, props: &Slot<'_>) -> Permission {
        let ctx = self.ctx;
        cfn_lambda::permission(
            |k| props.get(k).map_or_else(Attr::absent, |s| ctx.str_attr(&s)),
            ctx.loc(res),
        )
    }

    fn iam_role(&self, id: &str, res: &Slot<'a>, props: Option<&Slot<'a>>) -> ExecutionRole {
        let ctx = self.ctx;
        let get = |k: &str| props.and_then(|p| p.get(k));
        let mut policies = Vec::new();
        if let Some(inline) = get("Policies") {
            for (i, p) in inline.list().iter().enumerate() {
                if let Some(doc) = p.get("PolicyDocument") {
                    policies.push(Policy {
                        name: p
                            .get("PolicyName")
                            .and_then(|n| ctx.resolve(n.node))
                            .unwrap_or_else(|| format!("{id}Policy{i}")),
                        kind: PolicyKind::Inline,
                        document: policy::document(ctx, &doc),
                        at: ctx.loc(p),
                    });
                } else if intrinsic(p.node).is_none() {
                    ctx.diag(p, format!("role `{id}`: policy has no PolicyDocument"));
                }
            }
        }
        if let Some(managed) = get("ManagedPolicyArns") {
            for m in managed.list() {
                policies.push(self.managed_policy(&m));
            }
        }
        ExecutionRole {
            key: format!("{}#{id}", ctx.file.path),
            name: get("RoleName").and_then(|n| ctx.resolve(n.node)),
            arn: Attr::unresolved(format!("!GetAtt {id}.Arn"), ctx.loc(res)),
            generated: false,
            policies,
            permissions_boundary: get("PermissionsBoundary").map(|b| self.managed_policy(&b)),
            trust_policy: get("AssumeRolePolicyDocument").map(|d| policy::document(ctx, &d)),
            at: ctx.loc(res),
        }
    }

    /// A managed policy given by ARN, name or reference.
    fn managed_policy(&self, slot: &Slot<'_>) -> Policy {
        let ctx = self.ctx;
        let at = ctx.loc(slot);
        if let Some(text) = ctx.resolve_arn(slot.node) {
            let name = text.rsplit('/').next().unwrap_or(&text).to_owned();
            return match sam::aws_managed_arn(&text) {
                Some(arn) => Policy {
                    name,
                    document: aws_managed_document(&arn, &at),
                    kind: PolicyKind::AwsManaged { arn },
                    at,
                },
                None => Policy {
                    name,
                    kind: PolicyKind::Unresolved { expr: text },
                    document: PolicyDocument::default(),
                    at,
                },
            };
        }
        if let Some((id, _)) = reference(slot.node)
            && let Some((_, res, "AWS::IAM::ManagedPolicy")) =
                ctx.resources.iter().find(|(rid, _, _)| *rid == id)
        {
            {
                let props = res.get("Properties");
                return Policy {
                    name: props
                        .as_ref()
                        .and_then(|p| p.get("ManagedPolicyName"))
                        .and_then(|n| ctx.resolve(n.node))
                        .unwrap_or_else(|| id.to_owned()),
                    kind: PolicyKind::CustomerManaged,
                    document: props
                        .and_then(|p| p.get("PolicyDocument"))
                        .map(|d| policy::document(ctx, &d))
                        .unwrap_or_default(),
                    at,
                };
            }
        }
        let expr = render(slot.node);
        Policy {
            name: expr.clone(),
            kind: PolicyKind::Unresolved { expr },
            document: PolicyDocument::default(),
            at,
        }
    }

    /// `AWS::IAM::Policy`, `AWS::IAM::ManagedPolicy` and `AWS::IAM::RolePolicy`: remember the
    /// policy for every role it names.
    fn attached_policy(&mut self, id: &str, ty: &str, props: &Slot<'a>) {
        let ctx = self.ctx;
        let Some(doc) = props.get("PolicyDocument") else {
            ctx.diag(props, format!("resource `{id}` has no PolicyDocument"));
            return;
        };
        let (kind, name_key, roles_key) = match ty {
            "AWS::IAM::ManagedPolicy" => {
                (PolicyKind::CustomerManaged, "ManagedPolicyName", "Roles")
            }
            "AWS::IAM::RolePolicy" => (PolicyKind::Inline, "PolicyName", "RoleName"),
            _ => (PolicyKind::Inline, "PolicyName", "Roles"),
        };
        let policy = Policy {
            name: props
                .get(name_key)
                .and_then(|n| ctx.resolve(n.node))
                .unwrap_or_else(|| id.to_owned()),
            kind,
            document: policy::document(ctx, &doc),
            at: ctx.loc(props),
        };
        let Some(roles) = props.get(roles_key) else {
            return;
        };
        for role in roles.list() {
            let target = if let Some((rid, _)) = reference(role.node) {
                Some(rid.to_owned())
            } else {
                ctx.resolve(role.node).map(|name| {
                    self.roles
                        .iter()
                        .find(|(_, r)| r.name.as_deref() == Some(name.as_str()))
                        .map_or(name.clone(), |(rid, _)| (*rid).to_owned())
                })
            };
            if let Some(target) = target {
                self.attachments.push((target, policy.clone()));
            }
        }
    }

    fn attach(&self, role_id: &str, role: &mut ExecutionRole) {
        role.policies.extend(
            self.attachments
                .iter()
                .filter(|(id, _)| id == role_id)
                .map(|(_, p)| p.clone()),
        );
    }

    fn role(
        &self,
        id: &str,
        res: &Slot<'a>,
        props: &View<'a>,
        sam: bool,
        f: &Function,
    ) -> Option<ExecutionRole> {
        let ctx = self.ctx;
        if let Some(role) = top(props, "Role") {
            if let Some((rid, _)) = reference(role.node)
                && let Some(r) = self.roles.get(rid)
            {
                let mut r = r.clone();
                self.attach(rid, &mut r);
                return Some(r);
            }
            let arn = ctx.str_attr(&role);
            let key = arn.get().cloned().unwrap_or_else(|| render(role.node));
            return Some(ExecutionRole {
                name: arn
                    .get()
                    .and_then(|a| a.rsplit('/').next())
                    .map(str::to_owned),
                key,
                arn,
                generated: false,
                policies: Vec::new(),
                permissions_boundary: None,
                trust_policy: None,
                at: ctx.loc(&role),
            });
        }
        if !sam {
            ctx.diag(
                res,
                format!("AWS::Lambda::Function `{id}` has no Role (required)"),
            );
            return None;
        }
        let mut policies = vec![managed(
            "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
            ctx.loc(res),
        )];
        if f.tracing.get().map(String::as_str) == Some("Active") {
            policies.push(managed(
                "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess",
                ctx.loc(res),
            ));
        }
        if f.vpc.is_written() {
            policies.push(managed(
                "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole",
                ctx.loc(res),
            ));
        }
        for ev in &f.events {
            let arn = match ev.kind {
                EventKind::Sqs => {
                    "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole"
                }
                EventKind::Kinesis => {
                    "arn:aws:iam::aws:policy/service-role/AWSLambdaKinesisExecutionRole"
                }
                EventKind::DynamoDb => {
                    "arn:aws:iam::aws:policy/service-role/AWSLambdaDynamoDBExecutionRole"
                }
                _ => continue,
            };
            if !policies.iter().any(|p| {
                p.kind
                    == PolicyKind::AwsManaged {
                        arn: arn.to_owned(),
                    }
            }) {
                policies.push(managed(arn, ev.at.clone()));
            }
        }
        if let Some(list) = props.get("Policies") {
            policies.extend(self.sam_policies(id, &list));
        }
        let role_id = format!("{id}Role");
        let mut role = ExecutionRole {
            key: format!("{}#{role_id}", ctx.file.path),
            name: None,
            arn: Attr::unresolved(format!("!GetAtt {role_id}.Arn"), ctx.loc(res)),
            generated: true,
            policies,
            permissions_boundary: top(props, "PermissionsBoundary")
                .map(|b| self.managed_policy(&b)),
            trust_policy: top(props, "AssumeRolePolicyDocument").map(|d| policy::document(ctx, &d)),
            at: ctx.loc(res),
        };
        self.attach(&role_id, &mut role);
        Some(role)
    }

    /// SAM `Policies`: managed policy names/ARNs, inline statements, and policy templates.
    fn sam_policies(&self, id: &str, list: &View<'a>) -> Vec<Policy> {
        let ctx = self.ctx;
        let mut out = Vec::new();
        for (i, item) in list.list().iter().enumerate() {
            if !item.is_plain_map() {
                out.push(self.managed_policy(item));
                continue;
            }
            if item.get("Statement").is_some() {
                out.push(Policy {
                    name: format!("{id}RolePolicy{i}"),
                    kind: PolicyKind::Inline,
                    document: policy::document(ctx, item),
                    at: ctx.loc(item),
                });
                continue;
            }
            for (name, args) in item.entries() {
                let at = ctx.loc(&args);
                if !sam::is_template(name) {
                    ctx.diag(&args, format!("unknown SAM policy template `{name}`"));
                    continue;
                }
                let needs_args = sam::template_parameters(name).is_some_and(|p| !p.is_empty());
                if needs_args && !args.is_plain_map() {
                    ctx.diag(
                        &args,
                        format!("SAM policy template `{name}` needs a mapping of parameters"),
                    );
                    continue;
                }
                if let Some(document) = sam::expand(ctx, name, &args, &at) {
                    out.push(Policy {
                        name: name.to_owned(),
                        kind: PolicyKind::SamTemplate {
                            template: name.to_owned(),
                        },
                        document,
                        at,
                    });
                }
            }
        }
        out
    }
}

/// An AWS managed policy attached by the loader itself (SAM's generated role).
fn managed(arn: &str, at: Location) -> Policy {
    Policy {
        name: arn.rsplit('/').next().unwrap_or(arn).to_owned(),
        kind: PolicyKind::AwsManaged {
            arn: arn.to_owned(),
        },
        document: aws_managed_document(arn, &at),
        at,
    }
}

/// The document of an AWS managed policy when faasguard carries it (from faasguard-iam's
/// data), each statement located where the policy is attached; empty otherwise.
fn aws_managed_document(arn: &str, at: &Location) -> PolicyDocument {
    faasguard_iam::aws_managed_policy_at(arn, at).unwrap_or_default()
}

/// `Environment.Variables` (merged with `Globals`), each value with its parameter default.
fn environment(ctx: &Ctx<'_>, vars: &View<'_>) -> Vec<EnvVar> {
    let mut out = Vec::new();
    for (name, value) in vars.entries() {
        if let Some(slot) = value.top() {
            let value = env_value(ctx, slot);
            let default_from = if value.is_unresolved() {
                parameter_default(ctx, slot.node)
            } else {
                None
            };
            out.push(EnvVar {
                name,
                value,
                at: ctx.loc(slot),
                default_from,
            });
        }
    }
    out
}

fn env_value(ctx: &Ctx<'_>, slot: &Slot<'_>) -> Attr<String> {
    match ctx.resolve(slot.node) {
        Some(v) => Attr::explicit(v, ctx.loc(slot)),
        None if matches!(slot.node.value, Value::Null) => {
            Attr::explicit(String::new(), ctx.loc(slot))
        }
        None => Attr::unresolved(render(slot.node), ctx.loc(slot)),
    }
}

/// The literal `Default` of the one parameter an environment value consists of (`!Ref P`,
/// `!Sub '${P}'`, `!Sub ['${P}', {}]`), explicit at the `Default` key's line. `None` for anything
/// else: a parameter without a `Default` (the `NoEcho` pattern), a non-literal default, an
/// SSM-typed parameter (`AWS::SSM::Parameter::Value<…>`, whose default is a parameter *name*),
/// a pseudo parameter or a resource.
fn parameter_default(ctx: &Ctx<'_>, node: &Node) -> Option<Attr<String>> {
    let (func, arg) = intrinsic(node)?;
    let name = match func {
        "Ref" => arg.as_str()?,
        "Sub" => {
            let text = match &arg.value {
                Value::Str(s) => s.as_str(),
                Value::Seq(items) if items.get(1).is_none_or(|v| v.entries().is_empty()) => {
                    items.first()?.as_str()?
                }
                _ => return None,
            };
            let inner = text.trim().strip_prefix("${")?.strip_suffix('}')?;
            if inner.contains(['$', '{', '}', '.', '!']) {
                return None;
            }
            inner
        }
        _ => return None,
    };
    let param = ctx.parameters.as_ref()?.get(name)?;
    if param
        .node
        .get("Type")
        .and_then(Node::as_str)
        .is_some_and(|t| t.starts_with("AWS::SSM::Parameter"))
    {
        return None;
    }
    let default = param.get("Default")?;
    let text = default.node.scalar_text()?;
    Some(Attr::explicit(text, ctx.loc(&default)))
}

/// The resource's `IgnoreGlobals` attribute: `'*'` or a list of property names.
fn ignored_globals(res: &Slot<'_>) -> Vec<String> {
    res.get("IgnoreGlobals")
        .map(|g| {
            g.list()
                .iter()
                .filter_map(|s| s.node.scalar_text())
                .collect()
        })
        .unwrap_or_default()
}

fn sam_event_kind(ty: &str) -> EventKind {
    match ty {
        "Api" => EventKind::Api,
        "HttpApi" => EventKind::HttpApi,
        "S3" => EventKind::S3,
        "SNS" => EventKind::Sns,
        "SQS" => EventKind::Sqs,
        "DynamoDB" => EventKind::DynamoDb,
        "Kinesis" => EventKind::Kinesis,
        "Schedule" | "ScheduleV2" => EventKind::Schedule,
        "EventBridgeRule" | "CloudWatchEvent" => EventKind::EventBridge,
        "CloudWatchLogs" => EventKind::CloudWatchLogs,
        "IoTRule" => EventKind::Iot,
        "Cognito" => EventKind::Cognito,
        "AlexaSkill" => EventKind::Alexa,
        _ => EventKind::Other,
    }
}

/// Joins `rel` to `dir` lexically, dropping `.` and resolving `..` where possible.
fn clean_join(dir: &std::path::Path, rel: &str) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for comp in dir.join(rel).components() {
        match comp {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Near misses of the types the loader reads, and types of the wrong shape, are reported;
    /// the loaded types and every other well-formed type (including custom and registry types)
    /// pass.
    #[test]
    fn unknown_types_are_near_misses_or_malformed() {
        for bad in [
            "AWS::Serverless::Functon",
            "aws::lambda::function",
            "AWS::Lambda::Functions",
            "AWS::IAM:Role",
            "AWS::Lamda::Function",
            "LambdaFunction",
            "AWS::Lambda::",
            "AWS:: Lambda::Function",
        ] {
            assert!(unknown_type(bad).is_some(), "{bad} should be unknown");
        }
        for good in [
            "AWS::Serverless::Function",
            "AWS::Lambda::Url",
            "AWS::S3::Bucket",
            "AWS::Serverless::Api",
            "AWS::Lambda::LayerVersion",
            "AWS::Lambda::Alias",
            "AWS::IoT::Policy",
            "AWS::IAM::UserPolicy",
            "Custom::OrderSeeder",
            "MyOrg::Security::Baseline::MODULE",
        ] {
            assert_eq!(unknown_type(good), None, "{good} should pass");
        }
    }

    /// `!Sub` substitutes its variables, keeps `${!Literal}` as `${Literal}`, does not
    /// substitute inside a substituted value, and is unresolved when any other `${…}` remains.
    #[test]
    fn sub_substitutes_in_one_pass() {
        let vars: HashMap<&str, String> = [("A", "x".to_owned()), ("B", "${A}".to_owned())]
            .into_iter()
            .collect();
        assert_eq!(
            substitute("a-${A}-${!A}-${B}", &vars).as_deref(),
            Some("a-x-${A}-${A}")
        );
        assert_eq!(substitute("plain", &vars).as_deref(), Some("plain"));
        assert_eq!(substitute("${AWS::Region}-${A}", &vars), None);
        assert_eq!(substitute("${A", &vars), None);
    }

    /// A typo in a function's type is a diagnostic at the `Type` line naming the type it
    /// resembles, and the other resources still load.
    #[test]
    fn typo_in_function_type_is_a_diagnostic_at_its_line() {
        let file = SourceFile {
            path: "template.yaml".to_owned(),
            abs: PathBuf::from("/nonexistent/template.yaml"),
            text: "Transform: AWS::Serverless-2016-10-31\nResources:\n  Typo:\n    Type: AWS::Serverless::Functon\n    Properties: {Runtime: python3.12, Handler: a.h, InlineCode: x}\n  Ok:\n    Type: AWS::Serverless::Function\n    Properties: {Runtime: python3.12, Handler: a.h, InlineCode: x}\n".to_owned(),
        };
        let inv = load(&file);
        assert_eq!(inv.functions.len(), 1);
        let d = inv
            .diagnostics
            .iter()
            .find(|d| d.message.contains("AWS::Serverless::Functon"))
            .unwrap_or_else(|| panic!("no diagnostic: {:?}", inv.diagnostics));
        assert_eq!(d.location.line, Some(4));
        assert!(
            d.message
                .contains("did you mean `AWS::Serverless::Function`")
        );
    }

    /// An environment value that is one parameter (`!Ref`, `!Sub '${P}'`, long-form
    /// `Fn::Sub`) stays unresolved and carries the parameter's literal `Default` at the
    /// `Default:` line; a `NoEcho` parameter without a default, an SSM-typed parameter, a
    /// `!Sub` with more text and a resource reference carry nothing.
    #[test]
    fn env_parameter_defaults() {
        let text = "\
AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  DbPassword:
    Type: String
    NoEcho: true
    Default: hunter2-default
  Token:
    Type: String
    Default: tok-default-value
  NoDefault:
    Type: String
    NoEcho: true
  SsmName:
    Type: AWS::SSM::Parameter::Value<String>
    Default: /app/db-password
Resources:
  Secret:
    Type: AWS::SecretsManager::Secret
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Handler: app.handler
      Runtime: python3.13
      Role: arn:aws:iam::123456789012:role/app
      Code: {S3Bucket: b, S3Key: k}
      Environment:
        Variables:
          A: !Ref DbPassword
          B: !Sub '${Token}'
          C: {'Fn::Sub': ['${Token}', {}]}
          D: !Ref NoDefault
          E: !Ref SsmName
          F: !Sub 'prefix-${Token}'
          G: !Ref Secret
          H: literal
";
        let file = SourceFile {
            path: "t.yaml".to_owned(),
            abs: PathBuf::new(),
            text: text.to_owned(),
        };
        let inv = load(&file);
        assert_eq!(inv.diagnostics, vec![]);
        let env = &inv.functions[0].environment;
        let default = |i: usize| {
            env[i]
                .default_from
                .as_ref()
                .map(|a| (a.get().cloned(), a.location().and_then(|l| l.line)))
        };
        assert!(env[0].value.is_unresolved());
        assert_eq!(
            default(0),
            Some((Some("hunter2-default".to_owned()), Some(6)))
        );
        assert_eq!(
            default(1),
            Some((Some("tok-default-value".to_owned()), Some(9)))
        );
        assert_eq!(
            default(2),
            Some((Some("tok-default-value".to_owned()), Some(9)))
        );
        for var in &env[3..8] {
            assert_eq!(var.default_from, None, "{}", var.name);
        }
        assert_eq!(
            env[0]
                .default_from
                .as_ref()
                .and_then(|a| a.location())
                .and_then(|l| l.pointer.clone()),
            Some("/Parameters/DbPassword/Default".to_owned())
        );
    }
}
