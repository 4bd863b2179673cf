//! Terraform HCL (one module per directory) → [`Function`] values.
//!
//! Files are parsed with hcl-edit, which keeps byte spans; every value's line and column come
//! from those spans and its pointer is the resource path (`/resource/aws_lambda_function/api/timeout`).
//! `var.x` and `local.x` resolve to their default / value when those are static (reported as
//! explicit at the place the value is written); see [`hcl`] for the evaluator.
//!
//! What is read: `aws_lambda_function`, `aws_iam_role` (trust policy, `inline_policy`,
//! `managed_policy_arns`, `permissions_boundary`), `aws_iam_role_policy`, `aws_iam_policy`,
//! `aws_iam_role_policy_attachment`, `aws_iam_policy_attachment`,
//! `data "aws_iam_policy_document"`, `aws_lambda_permission`, `aws_lambda_function_url`,
//! `aws_lambda_function_event_invoke_config`, `aws_lambda_event_source_mapping`,
//! `aws_s3_bucket_notification`, `aws_sns_topic_subscription`, `aws_cloudwatch_event_target`,
//! `aws_cloudwatch_log_subscription_filter`, API Gateway integrations,
//! `aws_lambda_layer_version_permission` and `data "archive_file"`.
//!
//! An `aws_lambda_layer_version_permission` (who may download a layer version) is modelled as
//! a [`LayerPermission`] on every function that uses the layer, apart from the function's
//! resource policy (who may invoke it).

mod hcl;
mod policy;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use hcl_edit::Span;
use hcl_edit::expr::Expression;

use faasguard_core::{Attr, Diagnostic, Location, Origin};
use faasguard_model::{
    Cors, DeadLetter, EnvVar, EventKind, EventSource, ExecutionRole, Function, FunctionId,
    FunctionUrl, Inventory, LayerPermission, Permission, Policy, PolicyDocument, PolicyKind,
    Provider, SourceKind,
};

use self::hcl::{Module, Res, TfFile};
use self::policy::PolicyError;
use crate::{MAX_SOURCE_BYTES, SourceFile, resolve_beside};

/// Loads the `.tf` files given, grouped by directory (one module per directory). A file that
/// does not parse becomes a diagnostic; the other files of its module are still loaded.
/// Terraform JSON syntax (`.tf.json`) is not read yet.
pub fn load(files: &[&SourceFile]) -> Inventory {
    let mut modules: BTreeMap<&str, Vec<&SourceFile>> = BTreeMap::new();
    for file in files {
        let dir = file.path.rsplit_once('/').map_or("", |(d, _)| d);
        modules.entry(dir).or_default().push(file);
    }
    let mut inv = Inventory::default();
    for group in modules.values() {
        inv.extend(load_module(group));
    }
    inv
}

/// Parses one module's files and adapts them.
fn load_module(files: &[&SourceFile]) -> Inventory {
    let mut diagnostics = Vec::new();
    let mut parsed = Vec::new();
    for &file in files {
        if file.path.to_ascii_lowercase().ends_with(".tf.json") {
            continue;
        }
        if u64::try_from(file.text.len()).unwrap_or(u64::MAX) > MAX_SOURCE_BYTES {
            diagnostics.push(Diagnostic::new(
                Location::file(&file.path),
                format!("file is larger than {MAX_SOURCE_BYTES} bytes; not parsed"),
            ));
            continue;
        }
        if file.text.contains('\0') {
            diagnostics.push(Diagnostic::new(
                Location::file(&file.path),
                "binary content (NUL byte) in a .tf file; not parsed",
            ));
            continue;
        }
        let deadline = parse_deadline(file.text.len());
        match parse_with_deadline(&file.text, deadline) {
            Parsed::Done(Ok(body)) => parsed.push(TfFile::new(file, body)),
            Parsed::TimedOut => diagnostics.push(Diagnostic::new(
                Location::file(&file.path),
                format!(
                    "HCL parser gave up after {} s (pathologically nested expressions); not parsed",
                    deadline.as_secs()
                ),
            )),
            Parsed::Crashed => diagnostics.push(Diagnostic::new(
                Location::file(&file.path),
                "the HCL parser failed on this file (internal error); not parsed",
            )),
            Parsed::Done(Err(e)) => {
                let loc = e.location();
                diagnostics.push(Diagnostic::new(
                    Location::at(
                        &file.path,
                        u32::try_from(loc.line()).unwrap_or(u32::MAX),
                        u32::try_from(loc.column()).unwrap_or(u32::MAX),
                    ),
                    format!("malformed HCL: {}", e.message()),
                ));
            }
        }
    }
    let module = Module::index(&parsed);
    let mut builder = Builder {
        m: &module,
        functions: Vec::new(),
        by_address: HashMap::new(),
        layer_refs: Vec::new(),
        diagnostics,
    };
    builder.build();
    Inventory {
        functions: builder.functions,
        diagnostics: builder.diagnostics,
    }
}

/// How long one file's parse may take: 5 s plus 5 s per MiB. hcl-edit backtracks exponentially
/// on some nested expressions (`fuzz/regressions/terraform/`: 1.6 KB of nested objects and
/// operator chains took over 15 s); real files parse far faster than this.
fn parse_deadline(len: usize) -> Duration {
    let mib = u64::try_from(len / (1024 * 1024)).unwrap_or(u64::MAX);
    Duration::from_secs(5_u64.saturating_add(mib.saturating_mul(5)))
}

/// The outcome of [`parse_with_deadline`].
enum Parsed {
    Done(Result<hcl_edit::structure::Body, hcl_edit::parser::Error>),
    /// The deadline passed; the parse thread is left to finish on its own and its result is
    /// dropped.
    TimedOut,
    /// The parse thread panicked.
    Crashed,
}

/// Parses on a worker thread (with its own 8 MiB stack) and waits at most `deadline`, so that a
/// pathological file costs a diagnostic instead of hanging the scan. When no thread can be
/// started, parses on the caller's thread.
fn parse_with_deadline(text: &str, deadline: Duration) -> Parsed {
    let (tx, rx) = mpsc::channel();
    let owned = text.to_owned();
    let spawned = std::thread::Builder::new()
        .name("faasguard-hcl-parse".to_owned())
        .stack_size(8 * 1024 * 1024)
        .spawn(move || {
            // The receiver is gone only after a timeout; nobody wants the result then.
            let _ = tx.send(hcl_edit::parser::parse_body(&owned));
        });
    if spawned.is_err() {
        return Parsed::Done(hcl_edit::parser::parse_body(text));
    }
    match rx.recv_timeout(deadline) {
        Ok(result) => Parsed::Done(result),
        Err(RecvTimeoutError::Timeout) => Parsed::TimedOut,
        Err(RecvTimeoutError::Disconnected) => Parsed::Crashed,
    }
}

struct Builder<'m, 'a> {
    m: &'m Module<'a>,
    functions: Vec<Function>,
    /// `aws_lambda_function.x` → index in `functions`.
    by_address: HashMap<String, usize>,
    /// Per function: the layer each `layers` entry names (a resource address or a literal ARN).
    layer_refs: Vec<Vec<String>>,
    diagnostics: Vec<Diagnostic>,
}

impl<'a> Builder<'_, 'a> {
    fn build(&mut self) {
        let m = self.m;
        for res in m.of_type("aws_lambda_function") {
            let f = self.function(res);
            self.by_address.insert(res.address(), self.functions.len());
            self.functions.push(f);
        }
        for res in &m.resources {
            if res.data {
                continue;
            }
            match res.rtype {
                "aws_lambda_permission" => self.permission(res),
                "aws_lambda_function_url" => self.url(res),
                "aws_lambda_function_event_invoke_config" => self.invoke_config(res),
                "aws_lambda_event_source_mapping" => self.event_source_mapping(res),
                "aws_s3_bucket_notification" => {
                    for b in res.blocks("lambda_function") {
                        if let Some(a) = b.body.get_attribute("lambda_function_arn") {
                            self.event(res, &a.value, EventKind::S3, b.span());
                        }
                    }
                }
                "aws_sns_topic_subscription" => {
                    let protocol = res.attr("protocol").map(|e| self.m.string(res.file, e, ""));
                    let lambda = protocol
                        .as_ref()
                        .and_then(|p| p.get())
                        .is_none_or(|p| p == "lambda");
                    if let (true, Some(e)) = (lambda, res.attr("endpoint")) {
                        self.event(res, e, EventKind::Sns, res.block.span());
                    }
                }
                "aws_cloudwatch_event_target" => {
                    let scheduled = res
                        .attr("rule")
                        .and_then(|e| m.referenced(res.file, e))
                        .is_some_and(|rule| rule.attr("schedule_expression").is_some());
                    let kind = if scheduled {
                        EventKind::Schedule
                    } else {
                        EventKind::EventBridge
                    };
                    if let Some(e) = res.attr("arn") {
                        self.event(res, e, kind, res.block.span());
                    }
                }
                "aws_cloudwatch_log_subscription_filter" => {
                    if let Some(e) = res.attr("destination_arn") {
                        self.event(res, e, EventKind::CloudWatchLogs, res.block.span());
                    }
                }
                "aws_api_gateway_integration" => {
                    if let Some(e) = res.attr("uri") {
                        self.event(res, e, EventKind::Api, res.block.span());
                    }
                }
                "aws_apigatewayv2_integration" => {
                    if let Some(e) = res.attr("integration_uri") {
                        self.event(res, e, EventKind::HttpApi, res.block.span());
                    }
                }
                "aws_lambda_layer_version_permission" => self.layer_permission(res),
                _ => {}
            }
        }
    }

    /// One `aws_lambda_function`.
    fn function(&mut self, res: &Res<'a>) -> Function {
        let m = self.m;
        let file = res.file;
        let ptr = res.pointer();
        let p = |key: &str| format!("{ptr}/{key}");
        let name = res
            .attr("function_name")
            .and_then(|e| m.string(file, e, "").value);
        let id = FunctionId {
            provider: Provider::Aws,
            source: SourceKind::Terraform,
            file: file.src.path.clone(),
            logical_id: res.address(),
            name,
            account: None,
            region: None,
        };
        let mut f = Function::new(id, res.loc());
        let string = |key: &str| {
            res.attr(key)
                .map_or_else(Attr::absent, |e| m.string(file, e, &p(key)))
        };
        f.runtime = string("runtime");
        f.handler = string("handler");
        f.kms_key = string("kms_key_arn");
        f.code_signing_config = string("code_signing_config_arn");
        if res.attr("package_type").is_some() {
            f.package_type = string("package_type");
        } else if res.attr("image_uri").is_some() {
            f.package_type = Attr::default_value("Image".to_owned());
        }
        f.memory_mb = res.attr("memory_size").map_or_else(
            || Attr::default_value(128),
            |e| m.number(file, e, &p("memory_size")),
        );
        f.timeout_s = res.attr("timeout").map_or_else(
            || Attr::default_value(3),
            |e| m.number(file, e, &p("timeout")),
        );
        f.architecture = res
            .attr("architectures")
            .and_then(|e| m.strings(file, e, &p("architectures")).into_iter().next())
            .unwrap_or_else(|| Attr::default_value("x86_64".to_owned()));
        if let Some(e) = res.attr("reserved_concurrent_executions") {
            f.reserved_concurrency = m.number(file, e, &p("reserved_concurrent_executions"));
        }
        f.tracing = res
            .blocks("tracing_config")
            .find_map(|b| b.body.get_attribute("mode"))
            .map_or_else(
                || Attr::default_value("PassThrough".to_owned()),
                |a| m.string(file, &a.value, &p("tracing_config/mode")),
            );
        for b in res.blocks("dead_letter_config") {
            if let Some(a) = b.body.get_attribute("target_arn") {
                f.dead_letters.push(DeadLetter {
                    target: m.string(file, &a.value, &p("dead_letter_config/target_arn")),
                    kind: "dlq".to_owned(),
                    at: file.loc(b.span(), &p("dead_letter_config")),
                });
            }
        }
        f.vpc = match res.blocks("vpc_config").next() {
            Some(b) => Attr::explicit(true, file.loc(b.span(), &p("vpc_config"))),
            None => Attr::default_value(false),
        };
        self.environment_and_tags(res, &mut f);
        let mut layer_refs = Vec::new();
        if let Some(e) = res.attr("layers") {
            let found = m.deref(hcl::Found { file, expr: e });
            let items: Vec<&Expression> = match found.expr {
                Expression::Array(a) => a.iter().collect(),
                other => vec![other],
            };
            for (i, item) in items.into_iter().enumerate() {
                let attr = m.string(found.file, item, &p(&format!("layers/{i}")));
                layer_refs.push(match m.referenced(found.file, item) {
                    Some(layer) => layer.address(),
                    None => attr.get().cloned().unwrap_or_default(),
                });
                f.layers.push(attr);
            }
        }
        self.layer_refs.push(layer_refs);
        f.code = self.code(res);
        if let Some(e) = res.attr("role") {
            f.role = Some(self.role_for(file, e, &p("role")));
        }
        f
    }

    /// `environment { variables }` and `tags`.
    fn environment_and_tags(&self, res: &Res<'a>, f: &mut Function) {
        let m = self.m;
        let file = res.file;
        let ptr = res.pointer();
        let p = |key: &str| format!("{ptr}/{key}");
        for env in res.blocks("environment") {
            let Some(vars) = env.body.get_attribute("variables") else {
                continue;
            };
            let found = m.deref(hcl::Found {
                file,
                expr: &vars.value,
            });
            if let Expression::Object(obj) = found.expr {
                for (k, v) in obj {
                    let key = object_key(found.file, k);
                    let vptr = p(&format!("environment/variables/{key}"));
                    f.environment.push(EnvVar {
                        name: key,
                        value: m.string(found.file, v.expr(), &vptr),
                        at: found.file.loc(k.span(), &vptr),
                        default_from: None,
                    });
                }
            }
        }
        if let Some(e) = res.attr("tags") {
            let found = m.deref(hcl::Found { file, expr: e });
            if let Expression::Object(obj) = found.expr {
                for (k, v) in obj {
                    let value = m.string(found.file, v.expr(), "");
                    let text = match (value.value, value.origin) {
                        (Some(v), _) => v,
                        (None, Origin::Unresolved { expr }) => expr,
                        (None, _) => String::new(),
                    };
                    f.tags.insert(object_key(found.file, k), text);
                }
            }
        }
    }

    /// The code path: `filename`, a `data "archive_file"` source, or an S3 object / image.
    fn code(&mut self, res: &Res<'a>) -> Attr<PathBuf> {
        let m = self.m;
        let file = res.file;
        let ptr = res.pointer();
        if let Some(e) = res.attr("filename") {
            if let Some(archive) = m
                .referenced(file, e)
                .filter(|r| r.data && r.rtype == "archive_file")
            {
                for key in ["source_dir", "source_file"] {
                    if let Some(src) = archive.attr(key) {
                        let aptr = format!("{}/{key}", archive.pointer());
                        let value = m.string(archive.file, src, &aptr);
                        return match (value.value, value.at) {
                            (Some(rel), Some(at)) => {
                                let path = resolve_beside(&archive.file.src.abs, &rel);
                                if !path.exists() {
                                    self.diagnostics.push(Diagnostic::new(
                                        at.clone(),
                                        format!(
                                            "{} {key} `{rel}` does not exist",
                                            archive.address()
                                        ),
                                    ));
                                }
                                Attr::explicit(path, at)
                            }
                            (_, at) => Attr {
                                value: None,
                                origin: value.origin,
                                at,
                            },
                        };
                    }
                }
            }
            // A `filename` package is usually a build output, so a missing one is not an error.
            let value = m.string(file, e, &format!("{ptr}/filename"));
            return Attr {
                value: value.value.map(|rel| resolve_beside(&file.src.abs, &rel)),
                origin: value.origin,
                at: value.at,
            };
        }
        if let Some(key) = res.attr("s3_key") {
            let bucket = res
                .attr("s3_bucket")
                .map(|b| file.text(b.span()))
                .unwrap_or_default();
            return Attr::unresolved(
                format!("s3://{bucket}/{}", file.text(key.span())),
                file.loc(key.span(), &format!("{ptr}/s3_key")),
            );
        }
        if let Some(image) = res.attr("image_uri") {
            return Attr::unresolved(
                file.text(image.span()),
                file.loc(image.span(), &format!("{ptr}/image_uri")),
            );
        }
        Attr::absent()
    }

    /// The execution role a function's `role` expression names.
    fn role_for(&mut self, file: &'a TfFile<'a>, expr: &'a Expression, ptr: &str) -> ExecutionRole {
        let m = self.m;
        if let Some(role) = m
            .referenced(file, expr)
            .filter(|r| !r.data && r.rtype == "aws_iam_role")
        {
            return self.role(role);
        }
        let arn = m.string(file, expr, ptr);
        let key = match (&arn.value, &arn.origin) {
            (Some(v), _) => v.clone(),
            (None, Origin::Unresolved { expr }) => format!("{}#{expr}", file.src.path),
            (None, _) => String::new(),
        };
        let name = arn
            .get()
            .and_then(|a| a.rsplit_once('/'))
            .map(|(_, n)| n.to_owned());
        ExecutionRole {
            key,
            name,
            at: arn.at.clone().unwrap_or_else(|| file.loc(expr.span(), ptr)),
            arn,
            generated: false,
            policies: Vec::new(),
            permissions_boundary: None,
            trust_policy: None,
        }
    }

    /// An `aws_iam_role` with every policy attached to it in the module.
    fn role(&mut self, role: &Res<'a>) -> ExecutionRole {
        let m = self.m;
        let file = role.file;
        let ptr = role.pointer();
        let name = role.attr("name").and_then(|e| m.string(file, e, "").value);
        let mut policies = Vec::new();
        for (i, b) in role.blocks("inline_policy").enumerate() {
            let bptr = format!("{ptr}/inline_policy/{i}");
            let pname = b
                .body
                .get_attribute("name")
                .and_then(|a| m.string(file, &a.value, "").value)
                .unwrap_or_else(|| format!("inline_policy[{i}]"));
            if let Some(a) = b.body.get_attribute("policy") {
                policies.push(self.inline(file, &a.value, pname, &bptr, file.loc(b.span(), &bptr)));
            }
        }
        if let Some(e) = role.attr("managed_policy_arns") {
            let found = m.deref(hcl::Found { file, expr: e });
            if let Expression::Array(items) = found.expr {
                for (i, item) in items.iter().enumerate() {
                    let mptr = format!("{ptr}/managed_policy_arns/{i}");
                    policies.push(self.managed(found.file, item, &mptr));
                }
            }
        }
        for other in &m.resources {
            if other.data {
                continue;
            }
            match other.rtype {
                "aws_iam_role_policy" if self.names_role(other, "role", role, name.as_deref()) => {
                    if let Some(e) = other.attr("policy") {
                        let pname = other
                            .attr("name")
                            .and_then(|n| m.string(other.file, n, "").value)
                            .unwrap_or_else(|| other.address());
                        let optr = other.pointer();
                        policies.push(self.inline(
                            other.file,
                            e,
                            pname,
                            &format!("{optr}/policy"),
                            other.loc(),
                        ));
                    }
                }
                "aws_iam_role_policy_attachment"
                    if self.names_role(other, "role", role, name.as_deref()) =>
                {
                    if let Some(e) = other.attr("policy_arn") {
                        policies.push(self.managed(
                            other.file,
                            e,
                            &format!("{}/policy_arn", other.pointer()),
                        ));
                    }
                }
                "aws_iam_policy_attachment" => {
                    let attached = other.attr("roles").is_some_and(|e| {
                        let found = m.deref(hcl::Found {
                            file: other.file,
                            expr: e,
                        });
                        match found.expr {
                            Expression::Array(items) => items.iter().any(|item| {
                                self.same_role(found.file, item, role, name.as_deref())
                            }),
                            _ => false,
                        }
                    });
                    if let (true, Some(e)) = (attached, other.attr("policy_arn")) {
                        policies.push(self.managed(
                            other.file,
                            e,
                            &format!("{}/policy_arn", other.pointer()),
                        ));
                    }
                }
                _ => {}
            }
        }
        let permissions_boundary = role
            .attr("permissions_boundary")
            .map(|e| self.managed(file, e, &format!("{ptr}/permissions_boundary")));
        let trust_policy = role
            .attr("assume_role_policy")
            .and_then(|e| self.document(file, e, &format!("{ptr}/assume_role_policy")));
        ExecutionRole {
            key: format!("{}#{}", file.src.path, role.address()),
            name,
            arn: Attr::unresolved(format!("{}.arn", role.address()), role.loc()),
            generated: false,
            policies,
            permissions_boundary,
            trust_policy,
            at: role.loc(),
        }
    }

    /// Whether `res.key` names `role` (by reference, or by its literal name).
    fn names_role(
        &self,
        res: &Res<'a>,
        key: &str,
        role: &Res<'a>,
        role_name: Option<&str>,
    ) -> bool {
        res.attr(key)
            .is_some_and(|e| self.same_role(res.file, e, role, role_name))
    }

    fn same_role(
        &self,
        file: &'a TfFile<'a>,
        expr: &'a Expression,
        role: &Res<'a>,
        role_name: Option<&str>,
    ) -> bool {
        match self.m.referenced(file, expr) {
            Some(r) => !r.data && !role.data && r.rtype == role.rtype && r.name == role.name,
            None => role_name.is_some_and(|n| {
                self.m
                    .string(file, expr, "")
                    .get()
                    .is_some_and(|v| v == n || v.ends_with(&format!(":role/{n}")))
            }),
        }
    }

    /// An inline policy from an expression; an unresolvable one keeps its expression.
    fn inline(
        &mut self,
        file: &'a TfFile<'a>,
        expr: &'a Expression,
        name: String,
        ptr: &str,
        at: Location,
    ) -> Policy {
        match self.m.policy(file, expr, ptr) {
            Ok(document) => Policy {
                name,
                kind: PolicyKind::Inline,
                document,
                at,
            },
            Err(e) => Policy {
                name,
                kind: PolicyKind::Unresolved {
                    expr: self.policy_error(e),
                },
                document: PolicyDocument::default(),
                at,
            },
        }
    }

    /// A trust (or other) document, `None` when it cannot be read.
    fn document(
        &mut self,
        file: &'a TfFile<'a>,
        expr: &'a Expression,
        ptr: &str,
    ) -> Option<PolicyDocument> {
        match self.m.policy(file, expr, ptr) {
            Ok(doc) => Some(doc),
            Err(e) => {
                self.policy_error(e);
                None
            }
        }
    }

    /// Records a malformed policy as a diagnostic; returns the text to keep as the expression.
    fn policy_error(&mut self, e: PolicyError) -> String {
        match e {
            PolicyError::Unresolved(expr) => expr,
            PolicyError::Malformed(msg, at) => {
                self.diagnostics.push(Diagnostic::new(at, msg));
                "<malformed JSON>".to_owned()
            }
        }
    }

    /// A policy attached by ARN: AWS managed, a customer managed `aws_iam_policy` in the
    /// module, or an ARN / expression faasguard cannot resolve.
    fn managed(&mut self, file: &'a TfFile<'a>, expr: &'a Expression, ptr: &str) -> Policy {
        let m = self.m;
        if let Some(p) = m
            .referenced(file, expr)
            .filter(|r| !r.data && r.rtype == "aws_iam_policy")
        {
            let name = p
                .attr("name")
                .and_then(|e| m.string(p.file, e, "").value)
                .unwrap_or_else(|| p.address());
            let mut policy = match p.attr("policy") {
                Some(e) => self.inline(
                    p.file,
                    e,
                    name.clone(),
                    &format!("{}/policy", p.pointer()),
                    p.loc(),
                ),
                None => Policy {
                    name: name.clone(),
                    kind: PolicyKind::Inline,
                    document: PolicyDocument::default(),
                    at: p.loc(),
                },
            };
            if policy.kind == PolicyKind::Inline {
                policy.kind = PolicyKind::CustomerManaged;
            }
            return policy;
        }
        let arn = m.string(file, expr, ptr);
        let at = arn.at.clone().unwrap_or_else(|| file.loc(expr.span(), ptr));
        match (arn.value, arn.origin) {
            (Some(a), _) if is_aws_managed_arn(&a) => Policy {
                name: a.rsplit('/').next().unwrap_or(&a).to_owned(),
                document: aws_managed_document(&a, &at),
                kind: PolicyKind::AwsManaged { arn: a },
                at,
            },
            (Some(a), _) => Policy {
                name: a.rsplit('/').next().unwrap_or(&a).to_owned(),
                kind: PolicyKind::Unresolved { expr: a },
                document: PolicyDocument::default(),
                at,
            },
            (None, origin) => {
                let expr = match origin {
                    Origin::Unresolved { expr } => expr,
                    _ => file.text(expr.span()),
                };
                Policy {
                    name: expr.clone(),
                    kind: PolicyKind::Unresolved { expr },
                    document: PolicyDocument::default(),
                    at,
                }
            }
        }
    }

    /// The function a `function_name` / ARN expression names: by reference to an
    /// `aws_lambda_function`, or by its literal name or ARN.
    fn target(&self, file: &'a TfFile<'a>, expr: &'a Expression) -> Option<usize> {
        if let Some(r) = self.m.referenced(file, expr) {
            return self.by_address.get(&r.address()).copied();
        }
        let literal = self.m.string(file, expr, "").value?;
        let name = literal
            .split_once(":function:")
            .map_or(literal.as_str(), |(_, rest)| {
                rest.split(':').next().unwrap_or(rest)
            });
        self.functions
            .iter()
            .position(|f| f.id.name.as_deref() == Some(name))
    }

    /// The function the resource's `function_name` names.
    fn named_function(&self, res: &Res<'a>) -> Option<usize> {
        self.target(res.file, res.attr("function_name")?)
    }

    fn permission(&mut self, res: &Res<'a>) {
        let m = self.m;
        let Some(target) = self.named_function(res) else {
            return;
        };
        let ptr = res.pointer();
        let get = |key: &str| {
            res.attr(key).map_or_else(Attr::absent, |e| {
                m.string(res.file, e, &format!("{ptr}/{key}"))
            })
        };
        let perm = Permission {
            action: get("action"),
            principal: get("principal"),
            source_arn: get("source_arn"),
            source_account: get("source_account"),
            principal_org_id: get("principal_org_id"),
            function_url_auth_type: get("function_url_auth_type"),
            at: res.loc(),
        };
        self.functions[target].resource_policy.push(perm);
    }

    fn url(&mut self, res: &Res<'a>) {
        let m = self.m;
        let Some(target) = self.named_function(res) else {
            return;
        };
        let ptr = res.pointer();
        let cors = res.blocks("cors").next().map(|b| {
            let cptr = format!("{ptr}/cors");
            Cors {
                allow_origins: b
                    .body
                    .get_attribute("allow_origins")
                    .map_or_else(Vec::new, |a| {
                        m.strings(res.file, &a.value, &format!("{cptr}/allow_origins"))
                            .into_iter()
                            .map(|s| match (s.value, s.origin) {
                                (Some(v), _) => v,
                                (None, Origin::Unresolved { expr }) => expr,
                                (None, _) => String::new(),
                            })
                            .collect()
                    }),
                allow_credentials: b.body.get_attribute("allow_credentials").map_or_else(
                    || Attr::default_value(false),
                    |a| m.boolean(res.file, &a.value, &format!("{cptr}/allow_credentials")),
                ),
                at: Some(res.file.loc(b.span(), &cptr)),
            }
        });
        self.functions[target].url = Some(FunctionUrl {
            auth_type: res
                .attr("authorization_type")
                .map_or_else(Attr::absent, |e| {
                    m.string(res.file, e, &format!("{ptr}/authorization_type"))
                }),
            cors,
            at: res.loc(),
        });
    }

    fn invoke_config(&mut self, res: &Res<'a>) {
        let m = self.m;
        let Some(target) = self.named_function(res) else {
            return;
        };
        let ptr = res.pointer();
        for dc in res.blocks("destination_config") {
            for of in dc.body.get_blocks("on_failure") {
                if let Some(a) = of.body.get_attribute("destination") {
                    let dptr = format!("{ptr}/destination_config/on_failure");
                    self.functions[target].dead_letters.push(DeadLetter {
                        target: m.string(res.file, &a.value, &format!("{dptr}/destination")),
                        kind: "on-failure".to_owned(),
                        at: res.file.loc(of.span(), &dptr),
                    });
                }
            }
        }
    }

    fn event_source_mapping(&mut self, res: &Res<'a>) {
        let Some(target) = self.named_function(res) else {
            return;
        };
        let source = res
            .attr("event_source_arn")
            .map(|e| {
                let text = res.file.text(e.span());
                let value = self.m.string(res.file, e, "").value.unwrap_or_default();
                format!("{text} {value}")
            })
            .unwrap_or_default();
        let kind = if source.contains("aws_sqs_queue") || source.contains(":sqs:") {
            EventKind::Sqs
        } else if source.contains("aws_kinesis_stream") || source.contains(":kinesis:") {
            EventKind::Kinesis
        } else if source.contains("aws_dynamodb_table") || source.contains(":dynamodb:") {
            EventKind::DynamoDb
        } else {
            EventKind::Other
        };
        self.functions[target].events.push(EventSource {
            kind,
            name: res.address(),
            auth_level: Attr::absent(),
            at: res.loc(),
        });
    }

    /// An event that names the function through `expr` (an ARN or invoke ARN reference).
    fn event(
        &mut self,
        res: &Res<'a>,
        expr: &'a Expression,
        kind: EventKind,
        span: Option<std::ops::Range<usize>>,
    ) {
        if let Some(target) = self.target(res.file, expr) {
            self.functions[target].events.push(EventSource {
                kind,
                name: res.address(),
                auth_level: Attr::absent(),
                at: res.file.loc(span, &res.pointer()),
            });
        }
    }

    /// `aws_lambda_layer_version_permission`: recorded as a [`LayerPermission`] on every
    /// function using the layer (named by reference to an `aws_lambda_layer_version`, or by
    /// the layer name or ARN the function's `layers` ARN contains).
    fn layer_permission(&mut self, res: &Res<'a>) {
        let m = self.m;
        let Some(layer) = res.attr("layer_name") else {
            return;
        };
        let (address, literal) = match m
            .referenced(res.file, layer)
            .filter(|r| !r.data && r.rtype == "aws_lambda_layer_version")
        {
            Some(r) => (
                Some(r.address()),
                r.attr("layer_name")
                    .and_then(|e| m.string(r.file, e, "").value),
            ),
            None => (None, m.string(res.file, layer, "").value),
        };
        // `layer_name` takes a name or a layer ARN (without version).
        let name = literal
            .as_deref()
            .map(|l| l.rsplit_once(":layer:").map_or(l, |(_, n)| n))
            .map(|n| n.split(':').next().unwrap_or(n).to_owned());
        let ptr = res.pointer();
        let get = |key: &str| {
            res.attr(key).map_or_else(Attr::absent, |e| {
                m.string(res.file, e, &format!("{ptr}/{key}"))
            })
        };
        let perm = LayerPermission {
            layer: address
                .clone()
                .or_else(|| literal.clone())
                .unwrap_or_else(|| res.file.text(layer.span())),
            action: get("action"),
            principal: get("principal"),
            organization_id: get("organization_id"),
            at: res.loc(),
        };
        for (i, refs) in self.layer_refs.iter().enumerate() {
            let uses = refs.iter().any(|r| {
                address.as_deref() == Some(r.as_str())
                    || name.as_deref().is_some_and(|name| {
                        !name.is_empty()
                            && (r.contains(&format!(":layer:{name}:"))
                                || r.ends_with(&format!(":layer:{name}")))
                    })
            });
            if uses {
                self.functions[i].layer_permissions.push(perm.clone());
            }
        }
    }
}

/// An object key as text (`KEY` or `"KEY"`).
fn object_key(file: &TfFile<'_>, key: &hcl_edit::expr::ObjectKey) -> String {
    match key {
        hcl_edit::expr::ObjectKey::Ident(i) => i.as_str().to_owned(),
        hcl_edit::expr::ObjectKey::Expression(Expression::String(s)) => s.value().clone(),
        hcl_edit::expr::ObjectKey::Expression(e) => file.text(e.span()),
    }
}

/// The document of an AWS managed policy (statements located where it is attached), or an
/// empty document when faasguard's data does not know it.
fn aws_managed_document(arn: &str, at: &Location) -> PolicyDocument {
    faasguard_iam::aws_managed_policy_at(arn, at).unwrap_or_default()
}

/// `arn:<partition>:iam::aws:policy/...`: an AWS managed policy.
fn is_aws_managed_arn(arn: &str) -> bool {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    matches!(parts.as_slice(), ["arn", _, "iam", "", "aws", rest] if rest.starts_with("policy/"))
}
