//! Serverless Framework v3/v4 `serverless.yml`.
//!
//! [`load`] turns one `serverless.yml` into [`Function`] values, one per entry of
//! `functions`, with provider-level settings inherited the way the framework compiles them
//! (function value, else provider value, else the framework's default).
//!
//! # What is read
//! - `provider`: `name` (only `aws` yields functions; other providers are skipped without a
//!   diagnostic), `runtime`, `timeout`, `memorySize`, `architecture`, `environment`,
//!   `tracing.lambda`, `kmsKeyArn`, `layers`, `tags`, `vpc`, `region`, and IAM:
//!   `iam.role` (a role ARN or logical id, or a mapping with `name`, `statements`,
//!   `managedPolicies`, `permissionsBoundary`) and the legacy `role`, `iamRoleStatements`,
//!   `iamManagedPolicies`, `rolePermissionsBoundary`.
//! - per function: `name`, `handler`, `image`, `runtime`, `timeout`, `memorySize`,
//!   `architecture`, `environment` (merged over the provider's, the function winning),
//!   `kmsKeyArn`/`awsKmsKeyArn`, `role`, `iamRoleStatements` (the
//!   `serverless-iam-roles-per-function` plugin), `layers` (replacing the provider's, as the
//!   framework does), `reservedConcurrency`, `tracing`, `url`, `events`,
//!   `destinations.onFailure`, `onError`, `vpc`, `tags` (merged over the provider's),
//!   `package.artifact`.
//! - `resources.Resources`: `AWS::IAM::Role` resources named by a `role`, with their inline
//!   `Policies`, `ManagedPolicyArns`, `PermissionsBoundary`, trust policy, and the
//!   `AWS::IAM::Policy`/`ManagedPolicy` resources that attach to them through `Roles`; and
//!   `AWS::Lambda::Permission` (into the function's resource policy), `AWS::Lambda::Url` and
//!   `AWS::Lambda::EventInvokeConfig` on-failure destinations naming a function by its
//!   logical id (`HelloLambdaFunction` for `hello`) or its deployed name (see `links`).
//!   Other resources there (S3 notifications, SNS subscriptions, rules naming a function)
//!   are not read as events.
//! - top-level `layers.<name>.allowedAccounts` and `AWS::Lambda::LayerVersionPermission`
//!   resources: who may download a layer, recorded on the functions using it (see `layers`).
//!
//! # Roles
//! A function with its own `role` gets that role (key: the ARN, or `<file>#<LogicalId>`).
//! A function with its own `iamRoleStatements` gets the per-function role the plugin
//! generates (`generated: true`, key `<file>#<fn>IamRoleLambdaExecution`). Every other
//! function gets the provider's role. When the provider names a custom role, that role is it;
//! otherwise it is the role the framework generates for the whole service, keyed
//! `<file>#IamRoleLambdaExecution` (its real logical id) and **not** marked `generated`: the
//! framework attaches that one role to every function of the service, so several functions
//! of one `serverless.yml` really share one role and the union of their permissions. That is
//! the least-privilege problem the "one role shared by several functions" rule exists for,
//! so the loader leaves it visible. The implicit CloudWatch Logs, stream, queue and X-Ray
//! statements the framework adds to that role are not modelled; only what the file writes.
//! AWS managed policy ARNs (`arn:<partition>:iam::aws:policy/…`, also assembled with
//! `Fn::Join`/`Fn::Sub` over `AWS::Partition`) become [`PolicyKind::AwsManaged`](faasguard_model::PolicyKind::AwsManaged) with the
//! document from `faasguard_iam::aws_managed_policy_at` (empty for a policy faasguard has no
//! data for), located where the ARN is written; other ARNs and expressions become
//! [`PolicyKind::Unresolved`](faasguard_model::PolicyKind::Unresolved).
//!
//! # Variables
//! `${…}` variables (`self:`, `opt:`, `env:`, `ssm:`, `file(…)`, `sls:`, `param:`, `cf:`,
//! `s3:`, `aws:`) are never evaluated against the outside world. A value that is or contains
//! a variable is [`Origin::Unresolved`](faasguard_core::Origin) with the text as written, with
//! one exception: `${self:path}` is followed inside the same file (`${self:custom.timeout}`,
//! also into mappings and lists, and inside longer strings) when it leads to a literal. A
//! fallback (`${opt:stage, 'dev'}`) is not applied: the value stays unresolved, because the
//! deployed value is whatever the pipeline passes. An environment variable written as a whole
//! `${param:name}` stays unresolved too, but when the file's own `params` block sets `name` to a
//! literal (`params.default.name` first, else the first stage that sets it) that literal is kept
//! in [`EnvVar::default_from`] at its own line: it is a value written in the file. A whole block written as a variable
//! (`environment: ${file(./env.yml)}`) contributes nothing; an IAM statements block written
//! so becomes one policy of kind `Unresolved`.
//!
//! # Defaults ([`Origin::Default`](faasguard_core::Origin))
//! Taken from the framework (v3 `lib/plugins/aws/package/compile/functions.js` and its
//! function docs, "default is 6" / "default is 1024"): `timeout` 6 s, `memorySize` 1024 MB.
//! From Lambda itself: architecture `x86_64`, tracing `PassThrough`, no VPC. The runtime has
//! no default here (the framework's default changed between releases) and stays absent.
//!
//! # Bad input
//! Invalid YAML, an empty file, wrong types and dangling role names become diagnostics with
//! the file, line and JSON pointer; everything else in the file is still read. YAML merge
//! keys (`<<: *defaults`) are honoured.

mod events;
mod iam;
mod layers;
mod links;
mod value;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use faasguard_core::{Attr, Diagnostic, Location};
use faasguard_model::{
    DeadLetter, EnvVar, ExecutionRole, Function, FunctionId, Inventory, Provider, SourceKind,
};

use crate::SourceFile;
use crate::yaml::{self, Value};
use iam::Resources;
use value::{Ctx, Field, Text, map_entry, symbolic, whole_variable};

/// The framework's default function timeout, in seconds.
pub const DEFAULT_TIMEOUT_S: u32 = 6;
/// The framework's default function memory, in MB.
pub const DEFAULT_MEMORY_MB: u32 = 1024;

/// Loads one `serverless.yml`. Never fails: problems are diagnostics in the inventory.
pub fn load(file: &SourceFile) -> Inventory {
    let root = match yaml::parse(&file.text) {
        Ok(root) => root,
        Err(e) => {
            return Inventory {
                functions: Vec::new(),
                diagnostics: vec![Diagnostic::new(
                    Location::at(file.path.clone(), e.line.max(1), e.col.max(1)),
                    format!("serverless: invalid YAML: {}", e.message),
                )],
            };
        }
    };
    let mut ctx = Ctx::new(file, &root);
    let functions = read_service(&mut ctx);
    let mut diagnostics = ctx.diagnostics;
    diagnostics.sort_by_key(|d| (d.location.line, d.location.column));
    Inventory {
        functions,
        diagnostics,
    }
}

/// Settings written once under `provider` and inherited by every function.
#[derive(Debug, Default)]
struct ProviderSettings {
    runtime: Attr<String>,
    timeout: Attr<u32>,
    memory: Attr<u32>,
    architecture: Attr<String>,
    environment: Vec<EnvVar>,
    tracing: Attr<String>,
    kms_key: Attr<String>,
    layers: Option<Vec<Attr<String>>>,
    tags: BTreeMap<String, String>,
    vpc: Attr<bool>,
    region: Option<String>,
    artifact: Option<(String, Location)>,
}

fn read_service(ctx: &mut Ctx<'_>) -> Vec<Function> {
    let root = Field {
        node: ctx.root,
        line: 1,
        col: 1,
        pointer: String::new(),
    };
    match &root.node.value {
        Value::Map(_) => {}
        Value::Null => {
            ctx.diag(&root, "serverless: the file is empty");
            return Vec::new();
        }
        _ => {
            ctx.wrong_type(&root, "a mapping");
            return Vec::new();
        }
    }
    let Some(provider) = ctx.get(&root, "provider") else {
        ctx.diag(
            &root,
            "serverless: no `provider`; the file declares no deployable service",
        );
        return Vec::new();
    };
    // `provider: aws` (the oldest form) or `provider: {name: aws, …}`.
    let name = match &provider.node.value {
        Value::Map(_) => {
            if let Some(n) = ctx.get(&provider, "name") {
                ctx.text(&n)
            } else {
                ctx.diag(&provider, "serverless: `provider` has no `name`");
                return Vec::new();
            }
        }
        _ => ctx.text(&provider),
    };
    match name {
        Text::Literal(n) if n == "aws" => {}
        // Another cloud (azure, google, …) or a provider chosen at deploy time.
        Text::Literal(_) | Text::Unresolved(_) => return Vec::new(),
        Text::Null | Text::WrongType => {
            ctx.wrong_type(&provider, "`aws` or a mapping with `name`");
            return Vec::new();
        }
    }
    let resources_field = ctx.get(&root, "resources");
    let resources = Resources::read(ctx, resources_field.as_ref());
    let settings = provider_settings(ctx, &root, &provider);
    let provider_role = iam::provider_role(ctx, &provider, &resources);

    let Some(functions) = ctx.get(&root, "functions") else {
        return Vec::new();
    };
    // `functions` is a mapping, or a list of mappings (how `${file(…)}` parts are combined).
    let mut entries = Vec::new();
    match &functions.node.value {
        Value::Map(_) => entries.extend(ctx.fields(&functions)),
        Value::Seq(_) => {
            for part in ctx.items(&functions) {
                if ctx.expect_map(&part, "a mapping of functions") {
                    entries.extend(ctx.fields(&part));
                }
            }
        }
        _ => {
            ctx.expect_map(&functions, "a mapping of functions");
        }
    }
    let service_dir = ctx
        .file
        .abs
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let env = Env {
        settings: &settings,
        provider_role: &provider_role,
        resources: &resources,
        service_dir: &service_dir,
    };
    let mut functions: Vec<Function> = entries
        .iter()
        .filter_map(|(key, f)| read_function(ctx, &env, key, f))
        .collect();
    let default_names: Vec<Option<String>> = match default_name_prefix(ctx, &root, &provider) {
        Some(prefix) => functions
            .iter()
            .map(|f| Some(format!("{prefix}{}", f.id.logical_id)))
            .collect(),
        None => Vec::new(),
    };
    links::attach(ctx, &resources, &mut functions, &default_names);
    layers::attach(ctx, &root, &resources, &mut functions);
    functions
}

/// `<service>-<stage>-`, the prefix of the name the framework deploys a function under when
/// it has no `name`, when `service` (or `service.name`) and `provider.stage` are literals
/// (the stage is `dev` when unset).
fn default_name_prefix<'a>(
    ctx: &Ctx<'a>,
    root: &Field<'a>,
    provider: &Field<'a>,
) -> Option<String> {
    let service = ctx.get(root, "service")?;
    let service = match &service.node.value {
        Value::Map(_) => ctx.get(&service, "name")?,
        _ => service,
    };
    let Text::Literal(service) = ctx.text(&service) else {
        return None;
    };
    let stage = match ctx.get(provider, "stage") {
        None => "dev".to_owned(),
        Some(s) => match ctx.text(&s) {
            Text::Literal(stage) => stage,
            _ => return None,
        },
    };
    Some(format!("{service}-{stage}-"))
}

/// What every function of the service inherits.
#[derive(Debug)]
struct Env<'e, 'a> {
    settings: &'e ProviderSettings,
    provider_role: &'e ExecutionRole,
    resources: &'e Resources<'a>,
    service_dir: &'e Path,
}

fn provider_settings<'a>(ctx: &mut Ctx<'a>, root: &Field<'a>, p: &Field<'a>) -> ProviderSettings {
    let mut s = ProviderSettings::default();
    if !matches!(p.node.value, Value::Map(_)) {
        return s;
    }
    if let Some(f) = ctx.get(p, "runtime") {
        s.runtime = ctx.string_attr(&f);
    }
    if let Some(f) = ctx.get(p, "timeout") {
        s.timeout = ctx.u32_attr(&f);
    }
    if let Some(f) = ctx.get(p, "memorySize") {
        s.memory = ctx.u32_attr(&f);
    }
    if let Some(f) = ctx.get(p, "architecture") {
        s.architecture = ctx.string_attr(&f);
    }
    if let Some(f) = ctx.get(p, "environment") {
        s.environment = environment(ctx, &f);
    }
    if let Some(t) = ctx.get(p, "tracing")
        && ctx.expect_map(&t, "a mapping with `lambda`")
        && let Some(l) = ctx.get(&t, "lambda")
    {
        s.tracing = tracing(ctx, &l);
    }
    if let Some(f) = ctx.get(p, "kmsKeyArn") {
        s.kms_key = ctx.string_attr(&f);
    } else if let Some(f) = ctx.get(root, "awsKmsKeyArn") {
        s.kms_key = ctx.string_attr(&f);
    }
    if let Some(f) = ctx.get(p, "layers") {
        s.layers = Some(layers(ctx, &f));
    }
    if let Some(f) = ctx.get(p, "tags") {
        s.tags = tags(ctx, &f);
    }
    if let Some(f) = ctx.get(p, "vpc") {
        s.vpc = vpc(ctx, &f);
    }
    if let Some(f) = ctx.get(p, "region") {
        s.region = ctx.string_attr(&f).value;
    }
    if let Some(pkg) = ctx.get(root, "package")
        && ctx.expect_map(&pkg, "a mapping")
        && let Some(a) = ctx.get(&pkg, "artifact")
        && let Some(path) = ctx.string_attr(&a).value
    {
        s.artifact = Some((path, ctx.loc(&a)));
    }
    s
}

fn read_function<'a>(
    ctx: &mut Ctx<'a>,
    env: &Env<'_, 'a>,
    key: &str,
    f: &Field<'a>,
) -> Option<Function> {
    if !matches!(f.node.value, Value::Map(_)) {
        if symbolic(f).is_none() {
            ctx.wrong_type(f, "a function mapping");
        }
        return None;
    }
    let s = env.settings;
    let name = ctx.get(f, "name").and_then(|n| match ctx.text(&n) {
        Text::Literal(t) => Some(t),
        _ => None,
    });
    let id = FunctionId {
        provider: Provider::Aws,
        source: SourceKind::Serverless,
        file: ctx.file.path.clone(),
        logical_id: key.to_owned(),
        name,
        account: None,
        region: s.region.clone(),
    };
    let mut func = Function::new(id, ctx.loc(f));

    if let Some(h) = ctx.get(f, "handler") {
        func.handler = ctx.string_attr(&h);
    }
    let image = ctx.get(f, "image");
    if let Some(img) = &image {
        func.package_type = Attr::explicit("Image".to_owned(), ctx.loc(img));
    }
    func.runtime = match ctx.get(f, "runtime") {
        Some(r) => ctx.string_attr(&r),
        // A container image carries its own runtime.
        None if image.is_some() => Attr::absent(),
        None => s.runtime.clone(),
    };
    func.timeout_s = inherit(
        ctx.get(f, "timeout").map(|t| ctx.u32_attr(&t)),
        &s.timeout,
        DEFAULT_TIMEOUT_S,
    );
    func.memory_mb = inherit(
        ctx.get(f, "memorySize").map(|m| ctx.u32_attr(&m)),
        &s.memory,
        DEFAULT_MEMORY_MB,
    );
    func.architecture = inherit(
        ctx.get(f, "architecture").map(|a| ctx.string_attr(&a)),
        &s.architecture,
        "x86_64".to_owned(),
    );

    func.environment.clone_from(&s.environment);
    if let Some(e) = ctx.get(f, "environment") {
        for var in environment(ctx, &e) {
            match func.environment.iter_mut().find(|v| v.name == var.name) {
                Some(existing) => *existing = var,
                None => func.environment.push(var),
            }
        }
    }

    func.kms_key = match ctx
        .get(f, "kmsKeyArn")
        .or_else(|| ctx.get(f, "awsKmsKeyArn"))
    {
        Some(k) => ctx.string_attr(&k),
        None => s.kms_key.clone(),
    };

    func.role = Some(function_role(ctx, env, key, f));

    if let Some(u) = ctx.get(f, "url") {
        let (url, permission) = events::url(ctx, &u);
        func.url = url;
        func.resource_policy.extend(permission);
    }
    if let Some(r) = ctx.get(f, "reservedConcurrency") {
        func.reserved_concurrency = ctx.int_attr(&r, 0, 1_000_000);
    }
    func.layers = match ctx.get(f, "layers") {
        Some(l) => layers(ctx, &l),
        None => s.layers.clone().unwrap_or_default(),
    };
    func.tracing = match ctx.get(f, "tracing") {
        Some(t) => tracing(ctx, &t),
        None if s.tracing.is_written() => s.tracing.clone(),
        None => Attr::default_value("PassThrough".to_owned()),
    };
    func.dead_letters = dead_letters(ctx, f);
    if let Some(e) = ctx.get(f, "events") {
        func.events = events::events(ctx, &e);
    }
    func.vpc = match ctx.get(f, "vpc") {
        Some(v) => vpc(ctx, &v),
        None if s.vpc.is_written() => s.vpc.clone(),
        None => Attr::default_value(false),
    };
    func.tags = s.tags.clone();
    if let Some(t) = ctx.get(f, "tags") {
        func.tags.extend(tags(ctx, &t));
    }
    func.code = code(ctx, env, f, image.is_some());
    Some(func)
}

/// Function value, else provider value, else the framework default.
fn inherit<T: Clone>(own: Option<Attr<T>>, provider: &Attr<T>, default: T) -> Attr<T> {
    match own {
        Some(a) if a.is_written() => a,
        _ if provider.is_written() => provider.clone(),
        _ => Attr::default_value(default),
    }
}

fn function_role<'a>(
    ctx: &mut Ctx<'a>,
    env: &Env<'_, 'a>,
    key: &str,
    f: &Field<'a>,
) -> ExecutionRole {
    if let Some(r) = ctx.get(f, "role")
        && let Some(role) = iam::role_reference(ctx, &r, env.resources)
    {
        return role;
    }
    if let Some(st) = ctx.get(f, "iamRoleStatements") {
        return iam::per_function_role(ctx, key, f, &st, env.provider_role);
    }
    env.provider_role.clone()
}

/// `environment` as a mapping of names to values. A whole block left as a variable
/// contributes nothing.
fn environment<'a>(ctx: &mut Ctx<'a>, f: &Field<'a>) -> Vec<EnvVar> {
    if !ctx.expect_map(f, "a mapping of environment variables") {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (name, var) in ctx.fields(f) {
        let value = ctx.string_attr(&var);
        let default_from = if value.is_unresolved() {
            param_default(ctx, &var)
        } else {
            None
        };
        out.push(EnvVar {
            name: name.to_owned(),
            value,
            at: ctx.loc(&var),
            default_from,
        });
    }
    out
}

/// The literal a whole-value `${param:name}` takes from the file's own `params` block
/// (`params.default.name` first, then the first stage that sets it), explicit at that key's
/// line. `None` when the value is anything else, has a fallback, or no stage sets a literal.
fn param_default(ctx: &Ctx<'_>, f: &Field<'_>) -> Option<Attr<String>> {
    let inner = whole_variable(f.node.as_str()?)?;
    let name = inner.trim().strip_prefix("param:")?.trim();
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
    {
        return None;
    }
    let params = map_entry(ctx.root, "params")?;
    let stages = value::map_entries(&params.value);
    let ordered = stages
        .iter()
        .filter(|e| e.key == "default")
        .chain(stages.iter().filter(|e| e.key != "default"));
    for stage in ordered {
        let Some(entry) = map_entry(&stage.value, name) else {
            continue;
        };
        let pointer = value::child_pointer("/params", &stage.key);
        let field = ctx.entry_field(entry, &pointer);
        if let Text::Literal(s) = ctx.text(&field) {
            return Some(Attr::explicit(s, ctx.loc(&field)));
        }
    }
    None
}

/// `tracing`: `true`/`Active` → `Active`, `false`/`PassThrough` → `PassThrough`.
fn tracing<'a>(ctx: &mut Ctx<'a>, f: &Field<'a>) -> Attr<String> {
    match ctx.text(f) {
        Text::Literal(s) => {
            let mode = match s.as_str() {
                "true" | "Active" => "Active",
                "false" | "PassThrough" => "PassThrough",
                _ => {
                    ctx.diag(
                        f,
                        format!(
                            "serverless: `{}` must be `Active`, `PassThrough` or a boolean, found `{s}`; ignored",
                            f.pointer
                        ),
                    );
                    return Attr::absent();
                }
            };
            Attr::explicit(mode.to_owned(), ctx.loc(f))
        }
        Text::Unresolved(expr) => Attr::unresolved(expr, ctx.loc(f)),
        Text::Null => Attr::absent(),
        Text::WrongType => {
            ctx.wrong_type(f, "`Active`, `PassThrough` or a boolean");
            Attr::absent()
        }
    }
}

/// Layer ARNs (or `{Ref: …}` / variables, kept unresolved).
fn layers<'a>(ctx: &mut Ctx<'a>, f: &Field<'a>) -> Vec<Attr<String>> {
    if let Some(expr) = symbolic(f) {
        return vec![Attr::unresolved(expr, ctx.loc(f))];
    }
    if !ctx.expect_seq(f, "a list of layer ARNs") {
        return Vec::new();
    }
    ctx.items(f)
        .iter()
        .map(|item| ctx.string_attr(item))
        .filter(Attr::is_written)
        .collect()
}

/// Tags as written (variables kept as their text).
fn tags<'a>(ctx: &mut Ctx<'a>, f: &Field<'a>) -> BTreeMap<String, String> {
    if !ctx.expect_map(f, "a mapping of tags") {
        return BTreeMap::new();
    }
    let mut out = BTreeMap::new();
    for (k, v) in ctx.fields(f) {
        match ctx.text(&v) {
            Text::Literal(s) | Text::Unresolved(s) => {
                out.insert(k.to_owned(), s);
            }
            Text::Null => {
                out.insert(k.to_owned(), String::new());
            }
            Text::WrongType => ctx.wrong_type(&v, "a string"),
        }
    }
    out
}

/// `vpc` with both `securityGroupIds` and `subnetIds` attaches the function to a VPC.
fn vpc<'a>(ctx: &mut Ctx<'a>, f: &Field<'a>) -> Attr<bool> {
    if let Some(expr) = symbolic(f) {
        return Attr::unresolved(expr, ctx.loc(f));
    }
    match &f.node.value {
        Value::Null => Attr::explicit(false, ctx.loc(f)),
        Value::Map(_) => {
            let attached =
                ctx.get(f, "securityGroupIds").is_some() && ctx.get(f, "subnetIds").is_some();
            Attr::explicit(attached, ctx.loc(f))
        }
        _ => {
            ctx.wrong_type(f, "a mapping with `securityGroupIds` and `subnetIds`");
            Attr::absent()
        }
    }
}

/// `onError` (a dead-letter SNS topic) and `destinations.onFailure`.
fn dead_letters<'a>(ctx: &mut Ctx<'a>, f: &Field<'a>) -> Vec<DeadLetter> {
    let mut out = Vec::new();
    if let Some(e) = ctx.get(f, "onError") {
        let target = ctx.string_attr(&e);
        if target.is_written() {
            out.push(DeadLetter {
                target,
                kind: "dlq".to_owned(),
                at: ctx.loc(&e),
            });
        }
    }
    if let Some(d) = ctx.get(f, "destinations")
        && ctx.expect_map(&d, "a mapping with `onSuccess`/`onFailure`")
        && let Some(fail) = ctx.get(&d, "onFailure")
    {
        // `onFailure: arn:…`, or `{type: sqs, arn: …}` in v3.
        let target_field = match &fail.node.value {
            Value::Map(_) if symbolic(&fail).is_none() => ctx.get(&fail, "arn"),
            _ => Some(fail.clone()),
        };
        if let Some(t) = target_field {
            let target = ctx.string_attr(&t);
            if target.is_written() {
                out.push(DeadLetter {
                    target,
                    kind: "on-failure".to_owned(),
                    at: ctx.loc(&fail),
                });
            }
        }
    }
    out
}

/// The code the function runs: the `package.artifact` zip (function, then service), an S3
/// artifact left unresolved, or the service directory (the framework packages it by
/// default). Container-image functions have no local code. A local artifact that does not
/// exist is a diagnostic.
fn code<'a>(ctx: &mut Ctx<'a>, env: &Env<'_, 'a>, f: &Field<'a>, image: bool) -> Attr<PathBuf> {
    if image && ctx.get(f, "handler").is_none() {
        return Attr::absent();
    }
    let own = ctx
        .get(f, "package")
        .filter(|p| ctx.expect_map(p, "a mapping"))
        .and_then(|p| ctx.get(&p, "artifact"));
    let artifact = match own {
        Some(a) => match ctx.string_attr(&a) {
            Attr {
                value: Some(path),
                at: Some(loc),
                ..
            } => Some((path, loc)),
            Attr {
                origin,
                at: Some(loc),
                ..
            } if matches!(origin, faasguard_core::Origin::Unresolved { .. }) => {
                return Attr {
                    value: None,
                    origin,
                    at: Some(loc),
                };
            }
            _ => None,
        },
        None => env.settings.artifact.clone(),
    };
    match artifact {
        Some((path, loc)) if path.starts_with("s3://") || path.starts_with("https://") => {
            Attr::unresolved(path, loc)
        }
        Some((path, loc)) => {
            let full = env.service_dir.join(&path);
            if !env.service_dir.as_os_str().is_empty() && !full.exists() {
                ctx.diagnostics.push(Diagnostic::new(
                    loc.clone(),
                    format!("serverless: package.artifact `{path}` does not exist"),
                ));
            }
            Attr::explicit(full, loc)
        }
        None => Attr::default_value(env.service_dir.to_path_buf()),
    }
}

#[cfg(test)]
mod tests {
    #![expect(clippy::unwrap_used, reason = "tests")]

    use super::*;

    fn file(text: &str) -> SourceFile {
        SourceFile {
            path: "svc/serverless.yml".to_owned(),
            abs: PathBuf::new(),
            text: text.to_owned(),
        }
    }

    /// `${self:custom.x}` is followed to a literal (also inside a longer string and through
    /// a chain), while `opt:` and fallbacks stay unresolved.
    #[test]
    fn self_references_resolve_others_stay_symbolic() {
        let text = "custom:\n  t: 30\n  stage: prod\n  bucket: data-${self:custom.stage}\n  alias: ${self:custom.t}\nprovider:\n  name: aws\n  timeout: ${self:custom.alias}\n  environment:\n    B: ${self:custom.bucket}\n    S: ${opt:stage, 'dev'}\nfunctions:\n  f:\n    handler: h.h\n";
        let inv = load(&file(text));
        assert!(inv.diagnostics.is_empty(), "{:?}", inv.diagnostics);
        let f = inv.functions.first().unwrap();
        assert_eq!(f.timeout_s.get(), Some(&30));
        assert!(f.timeout_s.is_explicit());
        assert_eq!(f.environment[0].value.get().unwrap(), "data-prod");
        assert!(f.environment[1].value.is_unresolved());
    }

    /// A whole `${param:x}` environment value stays unresolved and carries the file's own
    /// `params.default.x` literal (else the first stage's) at that line; a param the file
    /// does not set, a fallback form and a longer string carry nothing.
    #[test]
    fn env_param_defaults() {
        let text = "params:\n  prod:\n    a: from-prod\n    b: prod-only\n  default:\n    a: from-default\nprovider:\n  name: aws\nfunctions:\n  f:\n    handler: h.h\n    environment:\n      A: ${param:a}\n      B: ${param:b}\n      C: ${param:missing}\n      D: ${param:a, 'x'}\n      E: pre-${param:a}\n";
        let inv = load(&file(text));
        assert_eq!(inv.diagnostics, vec![]);
        let env = &inv.functions[0].environment;
        let default = |i: usize| {
            env[i].default_from.as_ref().map(|a| {
                (
                    a.get().cloned().unwrap(),
                    a.location().unwrap().line.unwrap(),
                )
            })
        };
        assert!(env[0].value.is_unresolved());
        assert_eq!(default(0), Some(("from-default".to_owned(), 6)));
        assert_eq!(default(1), Some(("prod-only".to_owned(), 4)));
        for var in &env[2..5] {
            assert_eq!(var.default_from, None, "{}", var.name);
        }
    }
}
