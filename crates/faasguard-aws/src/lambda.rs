//! One account: its regions, every function in each (paged), the per-function calls (run
//! together, bounded by the shared semaphore), the roles, the metrics, and the mapping to the
//! model.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use aws_config::Region;
use aws_sdk_lambda::error::ProvideErrorMetadata;
use aws_sdk_lambda::types::FunctionConfiguration;
use faasguard_core::{Attr, Location};
use faasguard_model::{
    Cors, DeadLetter, EnvVar, EventKind, EventSource, Function, FunctionId, FunctionUrl, Provider,
    SourceKind,
};
use faasguard_rules::rules::function::runtimes;
use tokio::sync::Semaphore;

use crate::accounts::Target;
use crate::iam::Roles;
use crate::policy::{decode_policy_text, resource_policy_permissions};
use crate::{
    CloudSettings, LayerCode, LiveFunction, Regions, RuntimeStatus, ScopeError, error_text, metrics,
};

/// What reading one account gave.
pub(crate) struct AccountResult {
    pub account: String,
    pub regions: Vec<String>,
    pub functions: Vec<LiveFunction>,
    pub errors: Vec<ScopeError>,
}

/// Whether an SDK error is the service's "not found" (no policy, no URL, no config).
fn is_not_found<E: ProvideErrorMetadata>(err: &E) -> bool {
    matches!(
        err.code(),
        Some("ResourceNotFoundException" | "ResourceNotFound")
    )
}

/// Reads every function of one account in every region the settings name.
pub(crate) async fn read_account(
    settings: &CloudSettings,
    target: Target,
    semaphore: Arc<Semaphore>,
) -> AccountResult {
    let mut result = AccountResult {
        account: target.account.clone(),
        regions: Vec::new(),
        functions: Vec::new(),
        errors: Vec::new(),
    };
    let regions = match &settings.regions {
        Regions::List(list) => list.clone(),
        Regions::All => match crate::regions::enabled_regions(&target.config, settings).await {
            Ok(list) => list,
            Err(message) => {
                result.errors.push(ScopeError {
                    account: target.account.clone(),
                    region: String::new(),
                    operation: "DescribeRegions".into(),
                    message,
                });
                return result;
            }
        },
    };
    let roles = Roles::new(&target.config);
    let mut tasks = tokio::task::JoinSet::new();
    for region in &regions {
        let settings = settings.clone();
        let config = target
            .config
            .clone()
            .into_builder()
            .region(Region::new(region.clone()))
            .build();
        let account = target.account.clone();
        let region = region.clone();
        let semaphore = semaphore.clone();
        tasks.spawn(
            async move { read_region(&settings, &config, &account, &region, semaphore).await },
        );
    }
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok(Ok((region, functions))) => {
                report(settings, &target.account, &region, functions.len(), false);
                result.regions.push(region);
                result.functions.extend(functions);
            }
            Ok(Err(e)) => {
                report(settings, &target.account, &e.region, 0, true);
                result.errors.push(e);
            }
            Err(e) => result.errors.push(ScopeError {
                account: target.account.clone(),
                region: String::new(),
                operation: "internal".into(),
                message: format!("a region task failed: {e}"),
            }),
        }
    }
    resolve_roles(&roles, &mut result.functions, &semaphore).await;
    result
}

/// Tells the progress sink, if any, that a region was read.
fn report(settings: &CloudSettings, account: &str, region: &str, functions: usize, failed: bool) {
    if let Some(sink) = &settings.progress {
        (sink.0)(&crate::Progress {
            account: account.to_owned(),
            region: region.to_owned(),
            functions,
            failed,
        });
    }
}

/// Resolves each distinct role once and attaches it to its functions.
async fn resolve_roles(roles: &Roles, functions: &mut [LiveFunction], semaphore: &Arc<Semaphore>) {
    let arns: BTreeSet<String> = functions.iter().filter_map(|f| f.role.clone()).collect();
    let mut tasks = tokio::task::JoinSet::new();
    for arn in arns {
        let roles = roles.clone();
        let semaphore = semaphore.clone();
        tasks.spawn(async move {
            let _permit = semaphore.acquire_owned().await;
            let at = Location::file(arn.clone());
            let resolved = roles.resolve(&arn, &at).await;
            (arn, resolved)
        });
    }
    let mut resolved = HashMap::new();
    while let Some(joined) = tasks.join_next().await {
        if let Ok((arn, value)) = joined {
            resolved.insert(arn, value);
        }
    }
    for f in functions {
        let Some(arn) = &f.role else { continue };
        match resolved.get(arn) {
            Some((role, problems)) => {
                let mut role = role.clone();
                role.arn = Attr::explicit(arn.clone(), f.function.at.clone().with_pointer("/Role"));
                f.function.role = Some(role);
                f.problems.extend(problems.iter().cloned());
            }
            None => f.problems.push(format!("role {arn} could not be resolved")),
        }
    }
}

/// Every function of one region with its details; the error is the region's listing failure.
async fn read_region(
    settings: &CloudSettings,
    config: &aws_config::SdkConfig,
    account: &str,
    region: &str,
    semaphore: Arc<Semaphore>,
) -> Result<(String, Vec<LiveFunction>), ScopeError> {
    let client = aws_sdk_lambda::Client::new(config);
    let listed = list_functions(&client)
        .await
        .map_err(|message| ScopeError {
            account: account.to_owned(),
            region: region.to_owned(),
            operation: "ListFunctions".into(),
            message,
        })?;
    let mut tasks = tokio::task::JoinSet::new();
    for conf in listed {
        let client = client.clone();
        let semaphore = semaphore.clone();
        let account = account.to_owned();
        let region = region.to_owned();
        let today = metrics::day_string(settings.now_epoch_s);
        let invoke_config = settings.invoke_config;
        tasks.spawn(async move {
            let _permit = semaphore.acquire_owned().await;
            Box::pin(read_function(
                &client,
                conf,
                &account,
                &region,
                &today,
                invoke_config,
            ))
            .await
        });
    }
    // Event source mappings: one paged listing for the whole region instead of one per function.
    let mappings = {
        let _permit = semaphore.acquire().await;
        client
            .list_event_source_mappings()
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
    };
    let mut functions = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        if let Ok(f) = joined {
            functions.push(f);
        }
    }
    attach_mappings(&mut functions, mappings.map_err(|e| error_text(&e)));
    if settings.layer_code {
        read_layers(&client, &mut functions, &semaphore).await;
    }
    if settings.trails && !functions.is_empty() {
        let trails = {
            let _permit = semaphore.acquire().await;
            crate::trails::read(config, settings, region).await
        };
        apply_trails(&mut functions, trails);
    }
    if settings.metrics && !functions.is_empty() {
        let names: Vec<String> = functions.iter().map(|f| f.name.clone()).collect();
        let _permit = semaphore.acquire().await;
        let answer = match crate::query::QueryClient::new(config, settings, "monitoring").await {
            Ok(client) => {
                metrics::last_invocations(
                    &client,
                    &names,
                    settings.now_epoch_s,
                    settings.invocation_window_days,
                )
                .await
            }
            Err(e) => Err(format!("GetMetricData: {e}")),
        };
        match answer {
            Ok(last) => {
                for f in &mut functions {
                    match last.get(&f.name) {
                        Some(&t) => {
                            f.last_invocation = Some(metrics::day_string(t));
                            f.unused_days = Some(metrics::days_between(t, settings.now_epoch_s));
                        }
                        None => f.unused_days = Some(settings.invocation_window_days),
                    }
                }
            }
            Err(message) => {
                for f in &mut functions {
                    f.problems.push(message.clone());
                }
            }
        }
    }
    Ok((region.to_owned(), functions))
}

/// Where each distinct layer version of the region's functions can be downloaded, read once
/// (`GetLayerVersionByArn`, else `GetLayerVersion` by name and number, which moto serves);
/// a layer that cannot be read is a problem of each function that uses it.
async fn read_layers(
    client: &aws_sdk_lambda::Client,
    functions: &mut [LiveFunction],
    semaphore: &Arc<Semaphore>,
) {
    let arns: BTreeSet<String> = functions.iter().flat_map(|f| f.layers.clone()).collect();
    let mut tasks = tokio::task::JoinSet::new();
    for arn in arns {
        let client = client.clone();
        let semaphore = semaphore.clone();
        tasks.spawn(async move {
            let _permit = semaphore.acquire_owned().await;
            let read = layer_version(&client, &arn).await;
            (arn, read)
        });
    }
    let mut read = HashMap::new();
    while let Some(joined) = tasks.join_next().await {
        if let Ok((arn, value)) = joined {
            read.insert(arn, value);
        }
    }
    for f in functions {
        for arn in &f.layers {
            match read.get(arn) {
                Some(Ok(code)) => f.layer_code.push(code.clone()),
                Some(Err(message)) => f.problems.push(message.clone()),
                None => f.problems.push(format!("layer {arn} could not be read")),
            }
        }
    }
}

/// One layer version's package location and digest: `GetLayerVersionByArn`, else (an error,
/// or an answer without content, as moto gives) `GetLayerVersion` by name and number.
async fn layer_version(client: &aws_sdk_lambda::Client, arn: &str) -> Result<LayerCode, String> {
    let by_arn = match client.get_layer_version_by_arn().arn(arn).send().await {
        Ok(out) => match out.content() {
            Some(content) => return Ok(layer_code(arn, content)),
            None => "no content".to_owned(),
        },
        Err(e) => error_text(&e),
    };
    let (name, version) = arn
        .rsplit_once(':')
        .and_then(|(name, v)| Some((name, v.parse::<i64>().ok()?)))
        .ok_or_else(|| format!("GetLayerVersionByArn {arn}: {by_arn}"))?;
    let out = client
        .get_layer_version()
        .layer_name(name)
        .version_number(version)
        .send()
        .await
        .map_err(|e| {
            format!(
                "GetLayerVersionByArn {arn}: {by_arn}; GetLayerVersion: {}",
                error_text(&e)
            )
        })?;
    out.content()
        .map(|content| layer_code(arn, content))
        .ok_or_else(|| format!("GetLayerVersion {arn}: no content"))
}

fn layer_code(arn: &str, content: &aws_sdk_lambda::types::LayerVersionContentOutput) -> LayerCode {
    LayerCode {
        arn: arn.to_owned(),
        code_sha256: content.code_sha256().map(str::to_owned),
        code_size: content.code_size(),
        location: content.location().map(str::to_owned),
    }
}

/// Every function of the region (`ListFunctions`, following `NextMarker`).
pub(crate) async fn list_functions(
    client: &aws_sdk_lambda::Client,
) -> Result<Vec<FunctionConfiguration>, String> {
    client
        .list_functions()
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .map_err(|e| error_text(&e))
}

/// Answers of the per-function calls.
type Answer<T, E> =
    Result<T, aws_sdk_lambda::error::SdkError<E, aws_sdk_lambda::config::http::HttpResponse>>;

/// Where a value of the function's configuration is (`<function ARN>` + JSON pointer).
fn ptr(at: &Location, pointer: &str) -> Location {
    at.clone().with_pointer(pointer.to_owned())
}

/// The inventory entry and model value of one function, from its listing entry and the
/// per-function calls (made concurrently). A call that fails leaves its part unresolved and
/// adds a problem; "not found" answers mean "not configured".
async fn read_function(
    client: &aws_sdk_lambda::Client,
    listed: FunctionConfiguration,
    account: &str,
    region: &str,
    today: &str,
    always_invoke_config: bool,
) -> LiveFunction {
    let name = listed.function_name().unwrap_or_default().to_owned();
    let mut problems = Vec::new();
    let (got, concurrency, policy, url, signing) = tokio::join!(
        client.get_function().function_name(&name).send(),
        client
            .get_function_concurrency()
            .function_name(&name)
            .send(),
        client.get_policy().function_name(&name).send(),
        client.get_function_url_config().function_name(&name).send(),
        client
            .get_function_code_signing_config()
            .function_name(&name)
            .send(),
    );
    let (conf, code_location, tags) = match got {
        Ok(out) => (
            out.configuration()
                .cloned()
                .unwrap_or_else(|| listed.clone()),
            out.code().and_then(|c| c.location()).map(str::to_owned),
            out.tags().cloned().unwrap_or_default(),
        ),
        Err(e) => {
            problems.push(format!("GetFunction {name}: {}", error_text(&e)));
            (listed, None, HashMap::new())
        }
    };
    let mut f = base_function(&conf, &name, account, region);
    f.tags = tags.into_iter().collect::<BTreeMap<_, _>>();
    let reserved = apply_concurrency(&mut f, concurrency, &name, &mut problems);
    apply_policy(&mut f, policy, &name, &mut problems);
    let url_auth_type = apply_url(&mut f, url, &name, &mut problems);
    f.events.extend(policy_events(&f));
    // Destinations matter only for asynchronous triggers: read them only then (one call fewer
    // for most functions; FG-FN-010 looks at nothing else), unless the opt-in FG-FN-019 asks
    // about every function.
    if always_invoke_config || f.events.iter().any(|e| e.kind.is_async()) {
        let invoke_config = client
            .get_function_event_invoke_config()
            .function_name(&name)
            .send()
            .await;
        apply_invoke_config(&mut f, invoke_config, &name, &mut problems);
    }
    apply_signing(&mut f, signing, &name, &mut problems);
    let package_type = f.package_type.get().cloned().unwrap_or_default();
    let runtime = f.runtime.get().cloned();
    LiveFunction {
        runtime_status: runtime_status(runtime.as_deref(), &package_type, today),
        name,
        arn: conf.function_arn().unwrap_or_default().to_owned(),
        account: account.to_owned(),
        region: region.to_owned(),
        runtime,
        architecture: conf.architectures().first().map(|a| a.as_str().to_owned()),
        memory_mb: conf.memory_size(),
        timeout_s: conf.timeout(),
        code_size: conf.code_size(),
        code_sha256: conf.code_sha256().map(str::to_owned),
        last_modified: conf.last_modified().map(str::to_owned),
        last_invocation: None,
        unused_days: None,
        role: conf.role().map(str::to_owned),
        url_auth_type,
        layers: f.layers.iter().filter_map(|l| l.get().cloned()).collect(),
        tags: f.tags.clone(),
        env_plaintext: !f.environment.is_empty() && f.kms_key.get().is_none(),
        reserved_concurrency: reserved,
        code_location,
        layer_code: Vec::new(),
        problems,
        function: f,
    }
}

/// Whether a trail records each function's invocations; a region whose trails could not be
/// read leaves it unknown and says so on each function.
fn apply_trails(
    functions: &mut [LiveFunction],
    trails: Result<crate::trails::RegionTrails, String>,
) {
    match trails {
        Ok(trails) => {
            for f in functions {
                f.function.invoke_logging = match trails.covering(&f.arn) {
                    Some(trail) => Attr::explicit(true, Location::file(trail.to_owned())),
                    None => Attr::explicit(false, ptr(&f.function.at, "/DataEvents")),
                };
            }
        }
        Err(message) => {
            for f in functions {
                f.problems.push(message.clone());
            }
        }
    }
}

/// The model value of a function configuration (`GetFunction.Configuration`).
fn base_function(
    conf: &FunctionConfiguration,
    name: &str,
    account: &str,
    region: &str,
) -> Function {
    let at = Location::file(conf.function_arn().unwrap_or_default());
    let id = FunctionId {
        provider: Provider::Aws,
        source: SourceKind::AwsLive,
        file: String::new(),
        logical_id: name.to_owned(),
        name: Some(name.to_owned()),
        account: Some(account.to_owned()),
        region: Some(region.to_owned()),
    };
    let mut f = Function::new(id, at.clone());
    let package_type = conf.package_type().map_or("Zip", |p| p.as_str()).to_owned();
    f.package_type = Attr::explicit(package_type, ptr(&at, "/PackageType"));
    if let Some(r) = conf.runtime() {
        f.runtime = Attr::explicit(r.as_str().to_owned(), ptr(&at, "/Runtime"));
    }
    if let Some(h) = conf.handler() {
        f.handler = Attr::explicit(h.to_owned(), ptr(&at, "/Handler"));
    }
    if let Some(m) = conf.memory_size().and_then(|m| u32::try_from(m).ok()) {
        f.memory_mb = Attr::explicit(m, ptr(&at, "/MemorySize"));
    }
    if let Some(t) = conf.timeout().and_then(|t| u32::try_from(t).ok()) {
        f.timeout_s = Attr::explicit(t, ptr(&at, "/Timeout"));
    }
    f.architecture = match conf.architectures().first() {
        Some(a) => Attr::explicit(a.as_str().to_owned(), ptr(&at, "/Architectures")),
        None => Attr::default_value("x86_64".to_owned()),
    };
    let mut env: Vec<(&String, &String)> = conf
        .environment()
        .and_then(|e| e.variables())
        .map(|v| v.iter().collect())
        .unwrap_or_default();
    env.sort();
    for (key, value) in env {
        let var_at = ptr(&at, &format!("/Environment/Variables/{key}"));
        f.environment.push(EnvVar {
            name: key.clone(),
            value: Attr::explicit(value.clone(), var_at.clone()),
            at: var_at,
            default_from: None,
        });
    }
    if let Some(k) = conf.kms_key_arn().filter(|k| !k.is_empty()) {
        f.kms_key = Attr::explicit(k.to_owned(), ptr(&at, "/KMSKeyArn"));
    }
    let tracing = conf
        .tracing_config()
        .and_then(|t| t.mode())
        .map_or("PassThrough", |m| m.as_str());
    f.tracing = Attr::explicit(tracing.to_owned(), ptr(&at, "/TracingConfig/Mode"));
    if let Some(target) = conf.dead_letter_config().and_then(|d| d.target_arn()) {
        f.dead_letters.push(DeadLetter {
            target: Attr::explicit(target.to_owned(), ptr(&at, "/DeadLetterConfig/TargetArn")),
            kind: "dlq".into(),
            at: ptr(&at, "/DeadLetterConfig"),
        });
    }
    let in_vpc = conf
        .vpc_config()
        .is_some_and(|v| !v.subnet_ids().is_empty());
    f.vpc = Attr::explicit(in_vpc, ptr(&at, "/VpcConfig"));
    for (i, layer) in conf.layers().iter().filter_map(|l| l.arn()).enumerate() {
        f.layers.push(Attr::explicit(
            layer.to_owned(),
            ptr(&at, &format!("/Layers/{i}")),
        ));
    }
    f
}

/// Reserved concurrency (`GetFunctionConcurrency`: `GetFunction` omits a reservation of 0).
fn apply_concurrency(
    f: &mut Function,
    answer: Answer<
        aws_sdk_lambda::operation::get_function_concurrency::GetFunctionConcurrencyOutput,
        aws_sdk_lambda::operation::get_function_concurrency::GetFunctionConcurrencyError,
    >,
    name: &str,
    problems: &mut Vec<String>,
) -> Option<i32> {
    let at = ptr(&f.at, "/Concurrency");
    match answer {
        Ok(out) => {
            let r = out.reserved_concurrent_executions();
            if let Some(r) = r {
                f.reserved_concurrency = Attr::explicit(i64::from(r), at);
            }
            r
        }
        Err(e) => {
            problems.push(format!("GetFunctionConcurrency {name}: {}", error_text(&e)));
            f.reserved_concurrency = Attr::unresolved("GetFunctionConcurrency failed", at);
            None
        }
    }
}

/// The resource-based policy (`GetPolicy`; not found = none).
fn apply_policy(
    f: &mut Function,
    answer: Answer<
        aws_sdk_lambda::operation::get_policy::GetPolicyOutput,
        aws_sdk_lambda::operation::get_policy::GetPolicyError,
    >,
    name: &str,
    problems: &mut Vec<String>,
) {
    match answer {
        Ok(out) => {
            if let Some(text) = out.policy() {
                match decode_policy_text(text) {
                    Some(json) => {
                        f.resource_policy =
                            resource_policy_permissions(&json, &ptr(&f.at, "/Policy"));
                    }
                    None => problems.push(format!("GetPolicy {name}: the policy is not JSON")),
                }
            }
        }
        Err(e) if e.as_service_error().is_some_and(is_not_found) => {}
        Err(e) => problems.push(format!("GetPolicy {name}: {}", error_text(&e))),
    }
}

/// The function URL (`GetFunctionUrlConfig`; not found = none); returns its auth type.
fn apply_url(
    f: &mut Function,
    answer: Answer<
        aws_sdk_lambda::operation::get_function_url_config::GetFunctionUrlConfigOutput,
        aws_sdk_lambda::operation::get_function_url_config::GetFunctionUrlConfigError,
    >,
    name: &str,
    problems: &mut Vec<String>,
) -> Option<String> {
    match answer {
        Ok(out) => {
            let auth = out.auth_type().as_str().to_owned();
            let cors = out.cors().map(|c| Cors {
                allow_origins: c.allow_origins().to_vec(),
                allow_credentials: match c.allow_credentials() {
                    Some(b) => {
                        Attr::explicit(b, ptr(&f.at, "/FunctionUrlConfig/Cors/AllowCredentials"))
                    }
                    None => Attr::absent(),
                },
                at: Some(ptr(&f.at, "/FunctionUrlConfig/Cors")),
            });
            f.url = Some(FunctionUrl {
                auth_type: Attr::explicit(auth.clone(), ptr(&f.at, "/FunctionUrlConfig/AuthType")),
                cors,
                at: ptr(&f.at, "/FunctionUrlConfig"),
            });
            Some(auth)
        }
        Err(e) if e.as_service_error().is_some_and(is_not_found) => None,
        Err(e) => {
            problems.push(format!("GetFunctionUrlConfig {name}: {}", error_text(&e)));
            None
        }
    }
}

/// Adds each event source mapping of the region to the function it invokes (matched on the
/// unqualified function ARN), before the triggers named by the resource policy.
fn attach_mappings(
    functions: &mut [LiveFunction],
    mappings: Result<Vec<aws_sdk_lambda::types::EventSourceMappingConfiguration>, String>,
) {
    let list = match mappings {
        Ok(list) => list,
        Err(message) => {
            for f in functions {
                f.problems
                    .push(format!("ListEventSourceMappings: {message}"));
            }
            return;
        }
    };
    for f in functions {
        let events: Vec<EventSource> = list
            .iter()
            .filter(|m| {
                m.function_arn()
                    .is_some_and(|a| unqualified(a) == unqualified(&f.arn))
            })
            .map(|m| mapping_event(m, &f.function.at))
            .collect();
        f.function.events.splice(0..0, events);
    }
}

/// A function ARN without its version or alias qualifier.
fn unqualified(arn: &str) -> &str {
    // arn:aws:lambda:region:account:function:name[:qualifier]
    match arn.match_indices(':').nth(6) {
        Some((i, _)) => &arn[..i],
        None => arn,
    }
}

/// An event source mapping (queues and streams Lambda polls) as a trigger.
fn mapping_event(
    m: &aws_sdk_lambda::types::EventSourceMappingConfiguration,
    at: &Location,
) -> EventSource {
    let kind = m
        .event_source_arn()
        .and_then(|a| a.split(':').nth(2))
        .map_or(EventKind::Other, |service| match service {
            "sqs" => EventKind::Sqs,
            "kinesis" => EventKind::Kinesis,
            "dynamodb" => EventKind::DynamoDb,
            _ => EventKind::Other,
        });
    EventSource {
        kind,
        name: m.uuid().unwrap_or_default().to_owned(),
        auth_level: Attr::absent(),
        at: ptr(at, "/EventSourceMappings"),
    }
}

/// The on-failure destination of asynchronous invocations (`GetFunctionEventInvokeConfig`).
fn apply_invoke_config(
    f: &mut Function,
    answer: Answer<
        aws_sdk_lambda::operation::get_function_event_invoke_config::GetFunctionEventInvokeConfigOutput,
        aws_sdk_lambda::operation::get_function_event_invoke_config::GetFunctionEventInvokeConfigError,
    >,
    name: &str,
    problems: &mut Vec<String>,
) {
    let at = ptr(&f.at, "/EventInvokeConfig");
    match answer {
        Ok(out) => {
            if let Some(dest) = out
                .destination_config()
                .and_then(|d| d.on_failure())
                .and_then(|o| o.destination())
            {
                f.dead_letters.push(DeadLetter {
                    target: Attr::explicit(
                        dest.to_owned(),
                        ptr(&f.at, "/EventInvokeConfig/DestinationConfig/OnFailure"),
                    ),
                    kind: "on-failure".into(),
                    at,
                });
            }
        }
        Err(e) if e.as_service_error().is_some_and(is_not_found) => {}
        Err(e) => {
            problems.push(format!(
                "GetFunctionEventInvokeConfig {name}: {}",
                error_text(&e)
            ));
            // Unknown destinations: the dead-letter rule must not guess.
            f.dead_letters.push(DeadLetter {
                target: Attr::unresolved("GetFunctionEventInvokeConfig failed", at.clone()),
                kind: "on-failure".into(),
                at,
            });
        }
    }
}

/// The code-signing configuration (`GetFunctionCodeSigningConfig`).
fn apply_signing(
    f: &mut Function,
    answer: Answer<
        aws_sdk_lambda::operation::get_function_code_signing_config::GetFunctionCodeSigningConfigOutput,
        aws_sdk_lambda::operation::get_function_code_signing_config::GetFunctionCodeSigningConfigError,
    >,
    name: &str,
    problems: &mut Vec<String>,
) {
    let at = ptr(&f.at, "/CodeSigningConfigArn");
    match answer {
        Ok(out) => {
            let arn = out.code_signing_config_arn();
            if !arn.is_empty() {
                f.code_signing_config = Attr::explicit(arn.to_owned(), at);
            }
        }
        Err(e) if e.as_service_error().is_some_and(is_not_found) => {}
        Err(e) => {
            problems.push(format!(
                "GetFunctionCodeSigningConfig {name}: {}",
                error_text(&e)
            ));
            f.code_signing_config = Attr::unresolved("GetFunctionCodeSigningConfig failed", at);
        }
    }
}

/// Triggers that only show in the resource policy: a service principal allowed to invoke the
/// function (S3, SNS, EventBridge … push events; queues and streams are event source mappings).
fn policy_events(f: &Function) -> Vec<EventSource> {
    let mut out = Vec::new();
    for perm in &f.resource_policy {
        let Some(principal) = perm.principal.get() else {
            continue;
        };
        let kind = match principal.trim_end_matches(".amazonaws.com") {
            "s3" => EventKind::S3,
            "sns" => EventKind::Sns,
            "events" => EventKind::EventBridge,
            "logs" => EventKind::CloudWatchLogs,
            "iot" => EventKind::Iot,
            "apigateway" => EventKind::Api,
            "elasticloadbalancing" => EventKind::Alb,
            "cognito-idp" => EventKind::Cognito,
            "alexa-appkit" => EventKind::Alexa,
            _ => continue,
        };
        out.push(EventSource {
            kind,
            name: principal.clone(),
            auth_level: Attr::absent(),
            at: perm.at.clone(),
        });
    }
    out
}

/// The runtime's lifecycle status on `today` (from faasguard's runtime table).
fn runtime_status(runtime: Option<&str>, package_type: &str, today: &str) -> RuntimeStatus {
    if package_type == "Image" {
        return RuntimeStatus::Image;
    }
    let Some(lc) = runtime.and_then(runtimes::lookup) else {
        return RuntimeStatus::Unknown;
    };
    let Some(date) = lc.deprecated.as_deref() else {
        return RuntimeStatus::Supported;
    };
    match (runtimes::day_number(date), runtimes::day_number(today)) {
        (Some(d), Some(t)) if d <= t => RuntimeStatus::EndOfLife {
            date: date.to_owned(),
        },
        (Some(d), Some(t)) if d - t <= 180 => RuntimeStatus::DeprecationSoon {
            date: date.to_owned(),
        },
        _ => RuntimeStatus::Supported,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests fail loudly")]
mod tests {
    use aws_sdk_lambda::primitives::SdkBody;
    use aws_smithy_http_client::test_util::{ReplayEvent, StaticReplayClient};

    use super::*;

    fn page(functions: &[&str], next: Option<&str>) -> String {
        let items: Vec<String> = functions
            .iter()
            .map(|n| {
                format!(
                    r#"{{"FunctionName":"{n}","FunctionArn":"arn:aws:lambda:us-east-1:123456789012:function:{n}","Runtime":"python3.12"}}"#
                )
            })
            .collect();
        match next {
            Some(marker) => format!(
                r#"{{"Functions":[{}],"NextMarker":"{marker}"}}"#,
                items.join(",")
            ),
            None => format!(r#"{{"Functions":[{}]}}"#, items.join(",")),
        }
    }

    fn event(uri: &str, body: String) -> ReplayEvent {
        ReplayEvent::new(
            http::Request::builder()
                .uri(uri)
                .body(SdkBody::empty())
                .unwrap(),
            http::Response::builder()
                .status(200)
                .body(SdkBody::from(body))
                .unwrap(),
        )
    }

    /// ListFunctions is followed page by page through `NextMarker` (moto ignores `MaxItems`,
    /// so paging is checked against canned answers of the SDK's replay client): three pages,
    /// the second and third requests carry the previous page's marker, every function is kept.
    #[tokio::test]
    async fn list_functions_follows_every_page() {
        let base = "https://lambda.us-east-1.amazonaws.com/2015-03-31/functions";
        let replay = StaticReplayClient::new(vec![
            event(&format!("{base}/"), page(&["a", "b"], Some("m1"))),
            event(&format!("{base}/?Marker=m1"), page(&["c"], Some("m2"))),
            event(&format!("{base}/?Marker=m2"), page(&["d"], None)),
        ]);
        let config = aws_sdk_lambda::Config::builder()
            .behavior_version(aws_sdk_lambda::config::BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .credentials_provider(aws_sdk_lambda::config::Credentials::new(
                "AKIAFAKEFAKEFAKE0000",
                "fake",
                None,
                None,
                "test",
            ))
            .http_client(replay.clone())
            .build();
        let client = aws_sdk_lambda::Client::from_conf(config);
        let listed = list_functions(&client).await.unwrap();
        let names: Vec<&str> = listed.iter().filter_map(|f| f.function_name()).collect();
        assert_eq!(names, ["a", "b", "c", "d"]);
        let uris: Vec<String> = replay
            .actual_requests()
            .map(|r| r.uri().to_owned())
            .collect();
        assert_eq!(uris.len(), 3);
        assert!(!uris[0].contains("Marker="));
        assert!(uris[1].ends_with("Marker=m1"), "{uris:?}");
        assert!(uris[2].ends_with("Marker=m2"), "{uris:?}");
    }

    fn live(arn: &str) -> LiveFunction {
        let conf = FunctionConfiguration::builder()
            .function_name("f")
            .function_arn(arn)
            .build();
        LiveFunction {
            function: base_function(&conf, "f", "123456789012", "us-east-1"),
            name: "f".into(),
            arn: arn.into(),
            account: "123456789012".into(),
            region: "us-east-1".into(),
            runtime: None,
            runtime_status: RuntimeStatus::Unknown,
            architecture: None,
            memory_mb: None,
            timeout_s: None,
            code_size: 0,
            code_sha256: None,
            last_modified: None,
            last_invocation: None,
            unused_days: None,
            role: None,
            url_auth_type: None,
            layers: Vec::new(),
            tags: BTreeMap::new(),
            env_plaintext: false,
            reserved_concurrency: None,
            code_location: None,
            layer_code: Vec::new(),
            problems: Vec::new(),
        }
    }

    /// The region's event source mappings go to the function they invoke (an alias-qualified
    /// ARN included), as SQS/Kinesis/DynamoDB triggers; a failed listing is a problem of every
    /// function.
    #[test]
    fn mappings_attach_to_their_function() {
        use aws_sdk_lambda::types::EventSourceMappingConfiguration as Esm;
        let arn = "arn:aws:lambda:us-east-1:123456789012:function:f";
        let mut functions = vec![
            live(arn),
            live("arn:aws:lambda:us-east-1:123456789012:function:g"),
        ];
        let list = vec![
            Esm::builder()
                .uuid("u1")
                .function_arn(format!("{arn}:live"))
                .event_source_arn("arn:aws:sqs:us-east-1:123456789012:orders")
                .build(),
            Esm::builder()
                .uuid("u2")
                .function_arn(arn)
                .event_source_arn("arn:aws:kinesis:us-east-1:123456789012:stream/clicks")
                .build(),
        ];
        attach_mappings(&mut functions, Ok(list));
        let kinds: Vec<EventKind> = functions[0]
            .function
            .events
            .iter()
            .map(|e| e.kind)
            .collect();
        assert_eq!(kinds, [EventKind::Sqs, EventKind::Kinesis]);
        assert!(functions[1].function.events.is_empty());
        attach_mappings(&mut functions, Err("AccessDeniedException: no".into()));
        assert_eq!(
            functions[1].problems,
            ["ListEventSourceMappings: AccessDeniedException: no"]
        );
    }

    /// Qualified ARNs (version, alias) match their function.
    #[test]
    fn unqualified_arns() {
        let arn = "arn:aws:lambda:us-east-1:123456789012:function:f";
        assert_eq!(unqualified(&format!("{arn}:live")), arn);
        assert_eq!(unqualified(arn), arn);
    }

    /// Lifecycle dates decide the status; images and unknown identifiers are told apart.
    #[test]
    fn runtime_lifecycle() {
        assert!(matches!(
            runtime_status(Some("nodejs12.x"), "Zip", "2026-11-24"),
            RuntimeStatus::EndOfLife { .. }
        ));
        assert_eq!(
            runtime_status(Some("python3.13"), "Zip", "2026-11-24"),
            RuntimeStatus::Supported
        );
        assert_eq!(
            runtime_status(None, "Image", "2026-11-24"),
            RuntimeStatus::Image
        );
        assert_eq!(
            runtime_status(Some("cobol9"), "Zip", "2026-11-24"),
            RuntimeStatus::Unknown
        );
    }
}
