//! The Serverless Framework loader against realistic `serverless.yml` fixtures: model values,
//! their origins (explicit / default / unresolved) and the lines they point at.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::too_many_lines)]

use std::path::PathBuf;

use faasguard_core::{Attr, Origin};
use faasguard_iac::{SourceFile, serverless};
use faasguard_model::{
    Effect, EventKind, ExecutionRole, Function, Inventory, PolicyKind, Statement, StringOrPattern,
};

fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/serverless")
}

fn source(name: &str) -> SourceFile {
    let abs = fixture_dir().join(name);
    let text = std::fs::read_to_string(&abs).unwrap();
    SourceFile {
        path: format!("svc/{name}"),
        abs,
        text,
    }
}

fn load(name: &str) -> Inventory {
    serverless::load(&source(name))
}

fn func<'a>(inv: &'a Inventory, key: &str) -> &'a Function {
    inv.functions
        .iter()
        .find(|f| f.id.logical_id == key)
        .unwrap_or_else(|| panic!("no function {key}"))
}

fn line<T>(attr: &Attr<T>) -> u32 {
    attr.location()
        .and_then(|l| l.line)
        .expect("attr has a line")
}

fn role(f: &Function) -> &ExecutionRole {
    f.role.as_ref().expect("function has a role")
}

fn texts(list: &[StringOrPattern]) -> Vec<&str> {
    list.iter().map(|p| p.text.as_str()).collect()
}

fn all_statements(role: &ExecutionRole) -> Vec<&Statement> {
    role.policies
        .iter()
        .flat_map(|p| p.document.statements.iter())
        .collect()
}

/// v3 `provider.iam.role`: statements with their lines, string and list forms, intrinsics
/// kept unresolved, `Condition` as JSON, an AWS managed policy with its document, the
/// boundary; and provider settings inherited (or overridden) per function with the line of
/// whichever level set them.
#[test]
fn provider_iam_role_statements() {
    let inv = load("provider_iam_role_statements.yml");
    assert!(inv.diagnostics.is_empty(), "{:?}", inv.diagnostics);
    assert_eq!(inv.functions.len(), 2);
    let create = func(&inv, "createOrder");
    let list = func(&inv, "listOrders");

    // One framework-generated role shared by both functions, not marked per-function.
    let r = role(create);
    assert_eq!(
        r.key,
        "svc/provider_iam_role_statements.yml#IamRoleLambdaExecution"
    );
    assert_eq!(r.key, role(list).key);
    assert!(!r.generated);
    assert_eq!(r.name.as_deref(), Some("orders-api-lambda"));
    assert_eq!(r.at.line, Some(23));

    let inline = &r.policies[0];
    assert_eq!(inline.kind, PolicyKind::Inline);
    assert_eq!(inline.at.line, Some(25));
    let [dynamo, s3] = inline.document.statements.as_slice() else {
        panic!("two statements expected");
    };
    assert_eq!(dynamo.effect, Effect::Allow);
    assert_eq!(
        texts(&dynamo.action),
        ["dynamodb:GetItem", "dynamodb:PutItem"]
    );
    assert_eq!(
        texts(&dynamo.resource),
        ["arn:aws:dynamodb:eu-west-1:123456789012:table/orders"]
    );
    assert_eq!(dynamo.at.line, Some(26));
    assert_eq!(
        dynamo.at.pointer.as_deref(),
        Some("/provider/iam/role/statements/0")
    );
    assert_eq!(texts(&s3.action), ["s3:*"]);
    assert_eq!(s3.at.line, Some(31));
    assert!(s3.resource[0].unresolved);
    assert!(s3.resource[0].text.contains("ReceiptsBucket"));
    assert_eq!(
        s3.condition,
        Some(serde_json::json!({"Bool": {"aws:SecureTransport": "true"}}))
    );

    let managed = &r.policies[1];
    assert_eq!(
        managed.kind,
        PolicyKind::AwsManaged {
            arn: "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess".into()
        }
    );
    assert_eq!(managed.name, "AmazonS3ReadOnlyAccess");
    assert_eq!(managed.at.line, Some(39));
    assert!(
        managed
            .document
            .statements
            .iter()
            .any(|s| s.action.iter().any(|a| a.text == "s3:Get*")),
        "managed policy document filled from faasguard-iam data"
    );
    let boundary = r.permissions_boundary.as_ref().unwrap();
    assert!(matches!(boundary.kind, PolicyKind::Unresolved { .. }));
    assert_eq!(boundary.at.line, Some(40));

    // Provider values inherited; function values win, each with its own line.
    assert_eq!(create.runtime.get().unwrap(), "nodejs18.x");
    assert_eq!(line(&create.runtime), 7);
    assert_eq!(list.runtime.get().unwrap(), "python3.12");
    assert_eq!(line(&list.runtime), 57);
    assert_eq!(create.timeout_s.get(), Some(&28));
    assert_eq!(line(&create.timeout_s), 45);
    assert_eq!(list.timeout_s.get(), Some(&10));
    assert_eq!(line(&list.timeout_s), 9);
    assert_eq!(create.memory_mb.get(), Some(&512));
    assert_eq!(list.memory_mb.get(), Some(&256));
    assert_eq!(create.architecture.get().unwrap(), "arm64");
    assert_eq!(create.kms_key.get().unwrap().split(':').nth(2), Some("kms"));
    assert_eq!(line(&create.kms_key), 12);
    assert_eq!(create.tracing.get().unwrap(), "Active");
    assert_eq!(line(&create.tracing), 14);
    assert_eq!(list.tracing.get().unwrap(), "PassThrough");
    assert!(list.tracing.is_explicit());
    assert_eq!(create.id.region.as_deref(), Some("eu-west-1"));

    // Environment: provider's merged under the function's.
    let env: Vec<(&str, &str, u32)> = create
        .environment
        .iter()
        .map(|e| {
            (
                e.name.as_str(),
                e.value.get().unwrap().as_str(),
                e.at.line.unwrap(),
            )
        })
        .collect();
    assert_eq!(
        env,
        [
            ("TABLE_NAME", "orders", 16),
            ("LOG_LEVEL", "debug", 47),
            ("PAYMENT_API_KEY", "fake-payment-key-0000", 48),
        ]
    );
    assert_eq!(list.environment.len(), 2);

    // Layers: the function's list replaces the provider's.
    assert_eq!(create.layers.len(), 1);
    assert_eq!(line(&create.layers[0]), 21);
    assert!(list.layers.is_empty());

    // Tags merged.
    assert_eq!(
        create.tags.get("team").map(String::as_str),
        Some("payments")
    );
    assert_eq!(
        create.tags.get("endpoint").map(String::as_str),
        Some("create")
    );
    assert_eq!(list.tags.len(), 1);

    // Events.
    assert_eq!(create.events[0].kind, EventKind::Api);
    assert_eq!(create.events[0].at.line, Some(52));
    assert_eq!(list.events[0].kind, EventKind::HttpApi);
    assert_eq!(create.at.line, Some(43));
    assert_eq!(create.at.pointer.as_deref(), Some("/functions/createOrder"));
}

/// Legacy `provider.iamRoleStatements` / `iamManagedPolicies`: `Action: '*'` as a string,
/// `NotAction`/`NotResource`, a `Deny`, AdministratorAccess with its document, a
/// partition-joined IAMFullAccess ARN, a customer ARN kept unresolved; framework defaults.
#[test]
fn legacy_iam_role_statements() {
    let inv = load("legacy_iamRoleStatements.yml");
    assert!(inv.diagnostics.is_empty(), "{:?}", inv.diagnostics);
    let f = func(&inv, "nightly");
    let r = role(f);
    assert_eq!(
        r.key,
        "svc/legacy_iamRoleStatements.yml#IamRoleLambdaExecution"
    );
    let inline = &r.policies[0];
    assert_eq!(inline.name, "provider.iamRoleStatements");
    assert_eq!(inline.at.line, Some(7));
    let [star, not_action, deny] = inline.document.statements.as_slice() else {
        panic!("three statements expected");
    };
    assert!(star.action[0].is_star() && star.resource[0].is_star());
    assert_eq!(star.at.line, Some(8));
    assert!(not_action.action.is_empty());
    assert_eq!(texts(&not_action.not_action), ["iam:*"]);
    assert_eq!(
        texts(&not_action.not_resource),
        ["arn:aws:s3:::audit-logs/*"]
    );
    assert_eq!(not_action.at.line, Some(11));
    assert_eq!(deny.effect, Effect::Deny);
    assert_eq!(texts(&deny.action), ["s3:DeleteBucket"]);

    let kinds: Vec<(&str, &PolicyKind, Option<u32>)> = r.policies[1..]
        .iter()
        .map(|p| (p.name.as_str(), &p.kind, p.at.line))
        .collect();
    assert_eq!(
        kinds,
        [
            (
                "AdministratorAccess",
                &PolicyKind::AwsManaged {
                    arn: "arn:aws:iam::aws:policy/AdministratorAccess".into()
                },
                Some(19)
            ),
            (
                "IAMFullAccess",
                &PolicyKind::AwsManaged {
                    arn: "arn:aws:iam::aws:policy/IAMFullAccess".into()
                },
                Some(20)
            ),
            (
                "arn:aws:iam::123456789012:policy/reports-extra",
                &PolicyKind::Unresolved {
                    expr: "arn:aws:iam::123456789012:policy/reports-extra".into()
                },
                Some(25)
            ),
        ]
    );
    let admin = &r.policies[1].document.statements;
    assert!(
        admin
            .iter()
            .any(|s| s.action.iter().any(StringOrPattern::is_star))
    );

    // Nothing set: the framework's defaults, with no location.
    assert_eq!(f.timeout_s.get(), Some(&6));
    assert_eq!(f.timeout_s.origin, Origin::Default);
    assert!(f.timeout_s.location().is_none());
    assert_eq!(f.memory_mb.get(), Some(&1024));
    assert_eq!(f.memory_mb.origin, Origin::Default);
    assert_eq!(f.tracing.get().unwrap(), "PassThrough");
    assert_eq!(f.tracing.origin, Origin::Default);
    assert_eq!(f.events[0].kind, EventKind::Schedule);
}

/// Per-function roles: a resource under `resources.Resources` (inline policies, managed
/// ARNs, trust policy, and an `AWS::IAM::Policy` attached through `Roles`), the same role
/// through `Fn::GetAtt`, an ARN, the per-function plugin role with inherited statements, the
/// provider role, and a dangling name reported at its line.
#[test]
fn per_function_role() {
    let inv = load("per_function_role.yml");
    let diags: Vec<(Option<u32>, &str)> = inv
        .diagnostics
        .iter()
        .map(|d| (d.location.line, d.message.as_str()))
        .collect();
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0].0, Some(44));
    assert!(diags[0].1.contains("MissingRole"));
    assert_eq!(
        inv.diagnostics[0].location.file,
        "svc/per_function_role.yml"
    );

    let resize = role(func(&inv, "resize"));
    assert_eq!(resize.key, "svc/per_function_role.yml#ResizeRole");
    assert_eq!(resize.name.as_deref(), Some("media-resize"));
    assert!(!resize.generated);
    assert!(resize.arn.is_unresolved());
    assert_eq!(resize.at.line, Some(48));
    let trust = resize.trust_policy.as_ref().unwrap();
    assert_eq!(
        trust.statements[0].principal,
        Some(serde_json::json!({"Service": "lambda.amazonaws.com"}))
    );
    let names: Vec<(&str, &PolicyKind)> = resize
        .policies
        .iter()
        .map(|p| (p.name.as_str(), &p.kind))
        .collect();
    assert_eq!(
        names,
        [
            ("resize-s3", &PolicyKind::Inline),
            (
                "AWSLambdaBasicExecutionRole",
                &PolicyKind::AwsManaged {
                    arn: "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole".into()
                }
            ),
            ("ResizeExtraPolicy", &PolicyKind::Inline),
        ]
    );
    let s3 = &resize.policies[0].document.statements[0];
    assert_eq!(texts(&s3.action), ["s3:GetObject", "s3:PutObject"]);
    assert!(s3.resource[0].unresolved, "!Sub stays unresolved");
    assert_eq!(s3.at.line, Some(66));
    let pass = &resize.policies[2].document.statements[0];
    assert_eq!(texts(&pass.action), ["iam:PassRole"]);
    assert!(pass.resource[0].is_star());
    assert_eq!(pass.at.line, Some(79));

    // Fn::GetAtt names the same role: same key, so sharing is visible.
    assert_eq!(role(func(&inv, "thumbnail")).key, resize.key);

    let transcode = role(func(&inv, "transcode"));
    assert_eq!(transcode.key, "arn:aws:iam::123456789012:role/transcoder");
    assert_eq!(transcode.name.as_deref(), Some("transcoder"));
    assert_eq!(line(&transcode.arn), 28);
    assert!(transcode.policies.is_empty());

    let notify = role(func(&inv, "notify"));
    assert!(notify.generated);
    assert_eq!(
        notify.key,
        "svc/per_function_role.yml#notifyIamRoleLambdaExecution"
    );
    let actions: Vec<&str> = all_statements(notify)
        .iter()
        .flat_map(|s| texts(&s.action))
        .collect();
    assert_eq!(actions, ["sns:Publish", "sqs:SendMessage"]);
    assert_eq!(notify.at.line, Some(36));

    let audit = role(func(&inv, "audit"));
    assert_eq!(
        audit.key,
        "svc/per_function_role.yml#IamRoleLambdaExecution"
    );
    assert!(!audit.generated);
    assert_eq!(all_statements(audit)[0].at.line, Some(14));

    let broken = role(func(&inv, "broken"));
    assert_eq!(broken.key, "svc/per_function_role.yml#MissingRole");
    assert!(broken.arn.is_unresolved());

    assert_eq!(func(&inv, "resize").events[0].kind, EventKind::S3);
}

/// `url: true` is a public URL (AuthType NONE) with the public invoke permission the
/// framework adds; `authorizer: aws_iam` is not; `cors: true` allows every origin; explicit
/// `allowCredentials` is kept with its line; `url: false` is no URL.
#[test]
fn url_true_public() {
    let inv = load("url_true_public.yml");
    assert!(inv.diagnostics.is_empty(), "{:?}", inv.diagnostics);

    let public = func(&inv, "publicHook");
    let url = public.url.as_ref().unwrap();
    assert_eq!(url.auth_type.get().unwrap(), "NONE");
    assert!(url.auth_type.is_explicit());
    assert_eq!(line(&url.auth_type), 11);
    assert_eq!(url.at.line, Some(11));
    assert!(url.cors.is_none());
    let [perm] = public.resource_policy.as_slice() else {
        panic!("one permission expected");
    };
    assert_eq!(perm.principal.get().unwrap(), "*");
    assert_eq!(perm.action.get().unwrap(), "lambda:InvokeFunctionUrl");
    assert_eq!(perm.function_url_auth_type.get().unwrap(), "NONE");
    assert_eq!(perm.at.line, Some(11));

    let iam = func(&inv, "iamHook");
    let url = iam.url.as_ref().unwrap();
    assert_eq!(url.auth_type.get().unwrap(), "AWS_IAM");
    assert_eq!(line(&url.auth_type), 15);
    assert!(iam.resource_policy.is_empty());

    let cors = func(&inv, "corsHook").url.as_ref().unwrap();
    assert_eq!(cors.auth_type.get().unwrap(), "NONE");
    let c = cors.cors.as_ref().unwrap();
    assert_eq!(c.allow_origins, ["*"]);
    assert_eq!(c.allow_credentials.origin, Origin::Default);
    assert_eq!(c.allow_credentials.get(), Some(&false));

    let creds = func(&inv, "credentialsHook").url.as_ref().unwrap();
    let c = creds.cors.as_ref().unwrap();
    assert_eq!(c.allow_origins, ["*"]);
    assert_eq!(c.allow_credentials.get(), Some(&true));
    assert_eq!(line(&c.allow_credentials), 26);
    assert_eq!(c.at.as_ref().and_then(|l| l.line), Some(23));

    let none = func(&inv, "noUrl");
    assert!(none.url.is_none() && none.resource_policy.is_empty());
}

/// `${…}` variables never crash and stay symbolic with the text as written, except
/// `${self:…}` chains that end at a literal in the same file (also inside strings and for
/// whole mappings); fallbacks are not applied.
#[test]
fn variables_symbolic() {
    let inv = load("variables_symbolic.yml");
    assert!(inv.diagnostics.is_empty(), "{:?}", inv.diagnostics);
    let sync = func(&inv, "sync");
    let report = func(&inv, "report");

    assert_eq!(
        sync.runtime.origin,
        Origin::Unresolved {
            expr: "${env:NODE_RUNTIME}".into()
        }
    );
    assert_eq!(line(&sync.runtime), 14);
    assert!(sync.memory_mb.is_unresolved());
    assert_eq!(line(&sync.memory_mb), 16);
    // ${self:custom.timeouts.sync} → 20, located where it is used.
    assert_eq!(sync.timeout_s.get(), Some(&20));
    assert!(sync.timeout_s.is_explicit());
    assert_eq!(line(&sync.timeout_s), 30);
    // `${opt:concurrency, 5}`: the fallback is not taken.
    assert_eq!(
        sync.reserved_concurrency.origin,
        Origin::Unresolved {
            expr: "${opt:concurrency, 5}".into()
        }
    );

    let env = |f: &Function, name: &str| {
        f.environment
            .iter()
            .find(|e| e.name == name)
            .unwrap()
            .value
            .clone()
    };
    assert_eq!(env(sync, "TABLE").get().unwrap(), "inventory-items");
    assert_eq!(
        env(sync, "TABLE_ARN").get().unwrap(),
        "arn:aws:dynamodb:*:*:table/inventory-items"
    );
    let pw = env(sync, "DB_PASSWORD");
    assert_eq!(
        pw.origin,
        Origin::Unresolved {
            expr: "${ssm:/inventory/db-password}".into()
        }
    );
    assert_eq!(line(&pw), 20);
    assert!(env(sync, "STAGE_TABLE").is_unresolved());
    assert!(env(sync, "BUCKET").is_unresolved());
    // `environment: ${self:custom.sharedEnv}` adds the mapping it names.
    assert_eq!(env(sync, "REGION_NAME").get().unwrap(), "eu-central-1");
    assert!(report.environment.iter().all(|e| e.name != "REGION_NAME"));

    // A role from another stack and statements from another file stay symbolic.
    let sync_role = role(sync);
    assert_eq!(
        sync_role.arn.origin,
        Origin::Unresolved {
            expr: "${cf:iam-stack.SyncRoleArn}".into()
        }
    );
    let provider_role = role(report);
    assert_eq!(
        provider_role.policies[0].kind,
        PolicyKind::Unresolved {
            expr: "${file(./iam-statements.yml)}".into()
        }
    );
    assert_eq!(provider_role.policies[0].at.line, Some(25));

    assert!(report.kms_key.is_unresolved());
    assert_eq!(
        report.id.name, None,
        "a name with ${{sls:stage}} is not known"
    );
    assert_eq!(report.layers.len(), 2);
    assert!(report.layers.iter().all(Attr::is_unresolved));
    assert_eq!(line(&report.layers[1]), 40);
    assert_eq!(report.events[0].kind, EventKind::Sqs);
}

/// Every event type maps to its kind (streams by `type` or by ARN), and `onError` /
/// `destinations.onFailure` (string and v3 mapping forms) become dead letters.
#[test]
fn events_all_kinds() {
    let inv = load("events_all_kinds.yml");
    assert!(inv.diagnostics.is_empty(), "{:?}", inv.diagnostics);
    let f = func(&inv, "triggers");
    let kinds: Vec<(EventKind, &str)> =
        f.events.iter().map(|e| (e.kind, e.name.as_str())).collect();
    assert_eq!(
        kinds,
        [
            (EventKind::Api, "http"),
            (EventKind::HttpApi, "httpApi"),
            (EventKind::S3, "s3"),
            (EventKind::Sns, "sns"),
            (EventKind::Sqs, "sqs"),
            (EventKind::DynamoDb, "stream"),
            (EventKind::Kinesis, "stream"),
            (EventKind::Schedule, "schedule"),
            (EventKind::EventBridge, "eventBridge"),
            (EventKind::EventBridge, "cloudwatchEvent"),
            (EventKind::CloudWatchLogs, "cloudwatchLog"),
            (EventKind::Iot, "iot"),
            (EventKind::Alexa, "alexaSkill"),
            (EventKind::Cognito, "cognitoUserPool"),
            (EventKind::Alb, "alb"),
            (EventKind::Other, "websocket"),
            (EventKind::Other, "kafka"),
        ]
    );
    assert_eq!(f.events[0].at.line, Some(15));
    let dl: Vec<(&str, &str, Option<u32>)> = f
        .dead_letters
        .iter()
        .map(|d| (d.kind.as_str(), d.target.get().unwrap().as_str(), d.at.line))
        .collect();
    assert_eq!(
        dl,
        [
            (
                "dlq",
                "arn:aws:sns:us-east-1:123456789012:zoo-dlq",
                Some(11)
            ),
            (
                "on-failure",
                "arn:aws:sqs:us-east-1:123456789012:zoo-failures",
                Some(13)
            ),
        ]
    );
    let v3 = func(&inv, "v3Destination");
    assert_eq!(
        v3.dead_letters[0].target.get().unwrap(),
        "arn:aws:sqs:us-east-1:123456789012:zoo-v3-failures"
    );
    assert_eq!(v3.dead_letters[0].kind, "on-failure");
}

/// Invalid YAML is one diagnostic naming the file, the line and the parser's reason; no
/// function is invented.
#[test]
fn malformed() {
    let inv = load("malformed.yml");
    assert!(inv.functions.is_empty());
    let [d] = inv.diagnostics.as_slice() else {
        panic!("one diagnostic expected: {:?}", inv.diagnostics);
    };
    assert_eq!(d.location.file, "svc/malformed.yml");
    assert!(d.location.line.unwrap() >= 8, "{d:?}");
    assert!(d.message.contains("invalid YAML"), "{}", d.message);
}

/// Wrong types are reported one by one with their line and JSON pointer, in line order, and
/// the rest of the file is still loaded.
#[test]
fn wrong_types() {
    let inv = load("wrong_types.yml");
    let got: Vec<(u32, &str)> = inv
        .diagnostics
        .iter()
        .map(|d| {
            (
                d.location.line.unwrap(),
                d.location.pointer.as_deref().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (6, "/provider/runtime"),
            (7, "/provider/timeout"),
            (8, "/provider/memorySize"),
            (9, "/provider/environment"),
            (13, "/provider/iam/role/statements/0/Effect"),
            (16, "/provider/iam/role/statements/1"),
            (18, "/provider/iam/role/statements/2"),
            (21, "/provider/iam/role/statements/3/Action/0"),
            (27, "/functions/listInsteadOfMap"),
            (31, "/functions/badEvents/events"),
            (32, "/functions/badEvents/url"),
            (33, "/functions/badEvents/tracing"),
            (34, "/functions/badEvents/reservedConcurrency"),
            (35, "/functions/badEvents/layers"),
        ]
    );
    assert!(
        inv.diagnostics
            .iter()
            .all(|d| d.location.file == "svc/wrong_types.yml"
                && d.message.starts_with("serverless:"))
    );
    let keys: Vec<&str> = inv
        .functions
        .iter()
        .map(|f| f.id.logical_id.as_str())
        .collect();
    assert_eq!(keys, ["good", "badEvents"]);
    let good = func(&inv, "good");
    assert_eq!(good.timeout_s.origin, Origin::Default);
    assert!(good.runtime.get().is_none());
    // Only the well-formed statement survives (its bad Action item dropped).
    let statements = all_statements(role(good));
    assert_eq!(statements.len(), 1);
    assert_eq!(statements[0].at.line, Some(19));
}

/// Another provider's service has no AWS functions and is not an error.
#[test]
fn non_aws_provider() {
    let inv = load("non_aws_provider.yml");
    assert!(inv.functions.is_empty());
    assert!(inv.diagnostics.is_empty());
}

/// YAML anchors with merge keys share settings between functions; a function's own key
/// still wins, and merged values point at the anchor's lines.
#[test]
fn yaml_anchors_merge() {
    let inv = load("yaml_anchors_merge.yml");
    assert!(inv.diagnostics.is_empty(), "{:?}", inv.diagnostics);
    let first = func(&inv, "first");
    let second = func(&inv, "second");
    assert_eq!(first.timeout_s.get(), Some(&45));
    assert_eq!(line(&first.timeout_s), 5);
    assert_eq!(first.memory_mb.get(), Some(&2048));
    assert_eq!(second.timeout_s.get(), Some(&5));
    assert_eq!(line(&second.timeout_s), 21);
    assert_eq!(second.environment[0].name, "SHARED");
    assert_eq!(first.handler.get().unwrap(), "com.example.First");
}

/// Code locations: the service directory by default, an artifact resolved against it (and a
/// diagnostic when it is missing), an S3 artifact left symbolic, no local code or runtime
/// for a container image.
#[test]
fn package_artifact() {
    let inv = load("package_artifact.yml");
    let [d] = inv.diagnostics.as_slice() else {
        panic!("one diagnostic expected: {:?}", inv.diagnostics);
    };
    assert_eq!(d.location.line, Some(18));
    assert!(d.message.contains("build/missing.zip"));

    let from_service = func(&inv, "fromService");
    assert_eq!(from_service.code.get(), Some(&fixture_dir()));
    assert_eq!(from_service.code.origin, Origin::Default);
    let missing = func(&inv, "missingZip");
    assert_eq!(
        missing.code.get(),
        Some(&fixture_dir().join("build/missing.zip"))
    );
    assert!(missing.code.is_explicit());
    assert!(func(&inv, "fromS3").code.is_unresolved());
    let container = func(&inv, "container");
    assert_eq!(container.code.origin, Origin::Absent);
    assert_eq!(container.runtime.origin, Origin::Absent);
}

/// A minimal service: everything not written carries the documented default and no line.
#[test]
fn defaults_minimal() {
    let inv = load("defaults_minimal.yml");
    assert!(inv.diagnostics.is_empty());
    let f = func(&inv, "hello");
    assert_eq!(f.timeout_s.get(), Some(&serverless::DEFAULT_TIMEOUT_S));
    assert_eq!(f.memory_mb.get(), Some(&serverless::DEFAULT_MEMORY_MB));
    assert_eq!(f.architecture.get().unwrap(), "x86_64");
    assert_eq!(f.vpc.get(), Some(&false));
    for origin in [
        &f.timeout_s.origin,
        &f.memory_mb.origin,
        &f.architecture.origin,
        &f.tracing.origin,
        &f.vpc.origin,
    ] {
        assert_eq!(origin, &Origin::Default);
    }
    assert_eq!(f.runtime.origin, Origin::Absent);
    assert!(f.reserved_concurrency.get().is_none());
    assert!(f.url.is_none() && f.events.is_empty() && f.dead_letters.is_empty());
}

/// A file named `serverless.yml` is detected and loaded through the crate's entry point.
#[test]
fn detected_through_crate_load() {
    let abs = fixture_dir().join("detected/serverless.yml");
    let file = SourceFile {
        path: "detected/serverless.yml".into(),
        text: std::fs::read_to_string(&abs).unwrap(),
        abs,
    };
    assert_eq!(
        faasguard_iac::detect(&file),
        Some(faasguard_iac::Format::Serverless)
    );
    let inv = faasguard_iac::load(&[file]);
    assert_eq!(inv.functions.len(), 1);
    assert_eq!(inv.functions[0].display_id(), "detected/serverless.yml#api");
    assert_eq!(
        inv.functions[0]
            .url
            .as_ref()
            .unwrap()
            .auth_type
            .get()
            .unwrap(),
        "NONE"
    );
}

/// `AWS::Lambda::Permission` resources under `resources.Resources` land in the resource policy
/// of the function they name, at the resource's line: by `!Ref` and `Fn::GetAtt` on the
/// framework's logical id (`hello` → `HelloLambdaFunction`, `my-fn` → `MyDashfnLambdaFunction`),
/// by `${…Arn}` in `!Sub`, by the function's `name`, and by an ARN holding the default name
/// `<service>-<stage>-<key>` (stage `dev` when unset). A permission for a function outside the
/// service is ignored. `AWS::Lambda::Url` sets the function URL with its CORS settings, and an
/// `AWS::Lambda::EventInvokeConfig` on-failure destination is a dead letter.
#[test]
fn resources_lambda_permissions() {
    let inv = load("resources_lambda_permissions.yml");
    assert!(inv.diagnostics.is_empty(), "{:?}", inv.diagnostics);
    let policy = |key: &str| -> Vec<(String, Option<u32>)> {
        func(&inv, key)
            .resource_policy
            .iter()
            .map(|p| (p.principal.get().unwrap().clone(), p.at.line))
            .collect()
    };
    assert_eq!(
        policy("hello"),
        [
            ("*".to_owned(), Some(21)),
            ("apigateway.amazonaws.com".to_owned(), Some(48)),
        ]
    );
    assert_eq!(policy("my-fn"), [("s3.amazonaws.com".to_owned(), Some(27))]);
    assert_eq!(
        policy("named"),
        [("events.amazonaws.com".to_owned(), Some(35))]
    );
    assert_eq!(
        policy("plain"),
        [("sns.amazonaws.com".to_owned(), Some(42))]
    );

    let hello = &func(&inv, "hello").resource_policy[0];
    assert_eq!(hello.action.get().unwrap(), "lambda:InvokeFunction");
    assert_eq!(
        hello.at.pointer.as_deref(),
        Some("/resources/Resources/HelloPublicInvoke")
    );
    assert_eq!(hello.at.file, "svc/resources_lambda_permissions.yml");
    let s3 = &func(&inv, "my-fn").resource_policy[0];
    assert!(s3.source_account.is_unresolved());
    assert_eq!(line(&s3.source_account), 34);
    let events = &func(&inv, "named").resource_policy[0];
    assert_eq!(
        events.source_arn.get().unwrap(),
        "arn:aws:events:eu-west-1:123456789012:rule/nightly"
    );

    let url = func(&inv, "plain").url.as_ref().expect("url");
    assert_eq!(url.auth_type.get().unwrap(), "NONE");
    assert_eq!(url.at.line, Some(60));
    let cors = url.cors.as_ref().expect("cors");
    assert_eq!(cors.allow_origins, ["*"]);
    assert_eq!(cors.allow_credentials.get(), Some(&true));

    let dl = &func(&inv, "my-fn").dead_letters;
    assert_eq!(dl.len(), 1);
    assert_eq!(dl[0].kind, "on-failure");
    assert_eq!(
        dl[0].target.get().unwrap(),
        "arn:aws:sqs:eu-west-1:123456789012:failed"
    );
    assert_eq!(dl[0].at.line, Some(75));
}

/// A permission naming an `…LambdaFunction` logical id that is neither a function of the
/// service nor a resource is a diagnostic at its `FunctionName` line; with the stage left to the
/// command line, the default deployed name is unknown, so a literal default name links nothing.
#[test]
fn resources_permission_dangling() {
    let inv = load("resources_permission_dangling.yml");
    assert_eq!(inv.diagnostics.len(), 1, "{:?}", inv.diagnostics);
    let d = &inv.diagnostics[0];
    assert_eq!(d.location.line, Some(14));
    assert!(d.message.contains("HeloLambdaFunction"), "{}", d.message);
    assert!(func(&inv, "hello").resource_policy.is_empty());
}

/// Top-level `layers.<name>.allowedAccounts` become one layer permission per account (action
/// `lambda:GetLayerVersion` by default, no organization), recorded on the functions whose
/// `layers` (their own or the provider's) hold `Ref: <Name>LambdaLayer` or an ARN naming the
/// layer's deployed `name`; a layer without `allowedAccounts` adds none; an
/// `AWS::Lambda::LayerVersionPermission` under `resources.Resources` with a literal version
/// ARN is recorded on the function using that ARN, with its `OrganizationId`.
#[test]
fn layers_allowed_accounts() {
    let inv = load("layers_allowed_accounts.yml");
    assert!(inv.diagnostics.is_empty(), "{:?}", inv.diagnostics);
    let perms = |key: &str| -> Vec<(String, String, u32, bool)> {
        let f = func(&inv, key);
        assert!(f.resource_policy.is_empty());
        f.layer_permissions
            .iter()
            .map(|p| {
                (
                    p.layer.clone(),
                    p.principal.get().cloned().unwrap_or_default(),
                    line(&p.principal),
                    p.organization_id.is_written(),
                )
            })
            .collect()
    };
    assert_eq!(
        perms("inherits"),
        vec![
            ("shared-libs".to_owned(), "*".to_owned(), 12, false),
            (
                "shared-libs".to_owned(),
                "111122223333".to_owned(),
                13,
                false
            ),
        ]
    );
    assert_eq!(
        perms("byArn"),
        vec![("pdf".to_owned(), "*".to_owned(), 18, false)]
    );
    assert_eq!(perms("privateOnly"), vec![]);
    assert_eq!(
        perms("vendor"),
        vec![(
            "arn:aws:lambda:eu-west-1:999988887777:layer:vendor:2".to_owned(),
            "*".to_owned(),
            43,
            true
        )]
    );
    let p = &func(&inv, "inherits").layer_permissions[0];
    assert_eq!(
        p.action.get().map(String::as_str),
        Some("lambda:GetLayerVersion")
    );
    assert!(!p.action.is_explicit());
}
