//! CloudFormation templates through `cloudformation::load`: `AWS::Lambda::Function`, IAM roles
//! and policies, permissions, URLs, event invoke configs, event source mappings, intrinsics in
//! short and long form, detection, and malformed resources.
#![expect(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod common;

use std::path::Path;

use faasguard_iac::{SourceFile, cloudformation, detect};
use faasguard_model::{EventKind, Function, Origin, PolicyKind, SourceKind};

use common::{func, load, source};

fn unresolved(expr: &str) -> Origin {
    Origin::Unresolved { expr: expr.into() }
}

/// A JSON template: `AWS::Lambda::Permission` with `Principal: '*'` (a checkov blind spot) is in
/// the function's resource policy, linked by `Ref`, `GetAtt` and by an ARN naming the function;
/// a permission for a function outside the template is ignored; `AWS::Lambda::Url`,
/// `EventInvokeConfig` and event source mappings attach to the function; CloudFormation
/// spellings (`TracingConfig.Mode`, `DeadLetterConfig`, `Code.ZipFile`, list `Tags`) are read.
#[test]
fn cfn_permission_principal_star() {
    let inv = load("cloudformation/cfn_permission_principal_star.json");
    assert!(inv.diagnostics.is_empty(), "{:?}", inv.diagnostics);
    assert_eq!(inv.functions.len(), 1);
    let f = func(&inv, "PublicFunction");
    assert_eq!(f.id.source, SourceKind::Cloudformation);
    assert_eq!(f.id.name.as_deref(), Some("public-fn"));
    assert_eq!(f.at.line, Some(14));
    assert_eq!(f.runtime.get().map(String::as_str), Some("nodejs16.x"));
    assert_eq!(f.runtime.at.as_ref().unwrap().line, Some(18));
    assert_eq!(f.memory_mb.get(), Some(&256));
    assert_eq!(f.tracing.get().map(String::as_str), Some("Active"));
    assert_eq!(
        f.tracing.at.as_ref().unwrap().pointer.as_deref(),
        Some("/Resources/PublicFunction/Properties/TracingConfig/Mode")
    );
    assert_eq!(f.code.origin, unresolved("ZipFile"));
    assert_eq!(f.tags.get("team").map(String::as_str), Some("web"));

    let rp: Vec<(&str, &str, Option<u32>)> = f
        .resource_policy
        .iter()
        .map(|p| {
            (
                p.principal.get().unwrap().as_str(),
                p.action.get().unwrap().as_str(),
                p.at.line,
            )
        })
        .collect();
    assert_eq!(
        rp,
        [
            ("*", "lambda:InvokeFunction", Some(28)),
            ("s3.amazonaws.com", "lambda:InvokeFunction", Some(36)),
            ("*", "lambda:InvokeFunctionUrl", Some(46)),
        ]
    );
    let open = &f.resource_policy[0];
    assert_eq!(open.source_arn.origin, Origin::Absent);
    assert_eq!(open.at.pointer.as_deref(), Some("/Resources/OpenInvoke"));
    let s3 = &f.resource_policy[1];
    assert_eq!(
        s3.source_arn.get().map(String::as_str),
        Some("arn:aws:s3:::uploads")
    );
    assert_eq!(s3.source_account.origin, unresolved("!Ref AWS::AccountId"));
    assert_eq!(
        f.resource_policy[2]
            .function_url_auth_type
            .get()
            .map(String::as_str),
        Some("NONE")
    );

    let url = f.url.as_ref().unwrap();
    assert_eq!(url.auth_type.get().map(String::as_str), Some("NONE"));
    assert_eq!(url.at.line, Some(63));
    let cors = url.cors.as_ref().unwrap();
    assert_eq!(cors.allow_origins, ["https://example.com"]);
    assert_eq!(cors.allow_credentials.get(), Some(&false));

    let dl: Vec<(&str, &str)> = f
        .dead_letters
        .iter()
        .map(|d| (d.kind.as_str(), d.target.get().unwrap().as_str()))
        .collect();
    assert_eq!(
        dl,
        [
            ("dlq", "arn:aws:sqs:us-east-1:123456789012:dlq"),
            ("on-failure", "arn:aws:sns:us-east-1:123456789012:failures"),
        ]
    );
    assert_eq!(f.dead_letters[1].at.line, Some(76));
    let events: Vec<(&str, EventKind)> =
        f.events.iter().map(|e| (e.name.as_str(), e.kind)).collect();
    assert_eq!(
        events,
        [
            ("QueueMapping", EventKind::Sqs),
            ("StreamMapping", EventKind::Kinesis)
        ]
    );
    let role = f.role.as_ref().unwrap();
    assert_eq!(
        role.key,
        "cloudformation/cfn_permission_principal_star.json#ExecRole"
    );
    assert_eq!(
        role.trust_policy.as_ref().unwrap().statements[0].at.line,
        Some(9)
    );
}

/// An `AWS::IAM::Role` with AdministratorAccess attached (a checkov blind spot in CloudFormation)
/// resolves into every function that uses it, with the managed policy's document; an
/// `AWS::IAM::ManagedPolicy` referenced from `ManagedPolicyArns` is customer managed with its
/// statements; an `AWS::IAM::RolePolicy` naming the role by `RoleName` attaches with its JSON-string
/// document; `!ImportValue` stays unresolved; two functions share the role key.
#[test]
fn cfn_role_admin_attached() {
    let inv = load("cloudformation/cfn_role_admin_attached.yaml");
    assert!(inv.diagnostics.is_empty(), "{:?}", inv.diagnostics);
    let first = func(&inv, "FirstFunction");
    let second = func(&inv, "SecondFunction");
    let role = first.role.as_ref().unwrap();
    assert_eq!(role, second.role.as_ref().unwrap());
    assert_eq!(
        role.key,
        "cloudformation/cfn_role_admin_attached.yaml#AdminRole"
    );
    assert_eq!(role.name.as_deref(), Some("lambda-admin"));
    assert_eq!(role.arn.origin, unresolved("!GetAtt AdminRole.Arn"));

    let summary: Vec<(&str, &PolicyKind, Option<u32>)> = role
        .policies
        .iter()
        .map(|p| (p.name.as_str(), &p.kind, p.at.line))
        .collect();
    assert_eq!(
        summary,
        [
            ("iam-everything", &PolicyKind::Inline, Some(19)),
            (
                "AdministratorAccess",
                &PolicyKind::AwsManaged {
                    arn: "arn:aws:iam::aws:policy/AdministratorAccess".into()
                },
                Some(14)
            ),
            ("team-policy", &PolicyKind::CustomerManaged, Some(15)),
            (
                "!ImportValue shared-policy-arn",
                &PolicyKind::Unresolved {
                    expr: "!ImportValue shared-policy-arn".into()
                },
                Some(16)
            ),
            ("by-name", &PolicyKind::Inline, Some(38)),
        ]
    );
    let admin = &role.policies[1].document.statements;
    assert_eq!(admin.len(), 1);
    assert!(admin[0].action[0].is_star() && admin[0].resource[0].is_star());
    assert_eq!(admin[0].at.line, Some(14));
    let inline = &role.policies[0].document.statements[0];
    assert_eq!(
        inline
            .action
            .iter()
            .map(|a| a.text.as_str())
            .collect::<Vec<_>>(),
        ["iam:*", "lambda:CreateFunction"]
    );
    assert_eq!(inline.at.line, Some(22));
    assert_eq!(
        role.policies[2].document.statements[0].action[0].text,
        "secretsmanager:GetSecretValue"
    );
    assert_eq!(
        role.policies[4].document.statements[0].action[0].text,
        "sts:AssumeRole"
    );
    assert_eq!(role.policies[4].document.statements[0].at.line, Some(41));
    assert_eq!(
        role.permissions_boundary.as_ref().unwrap().kind,
        PolicyKind::Unresolved {
            expr: "arn:aws:iam::123456789012:policy/boundary".into()
        }
    );

    assert_eq!(first.code.origin, unresolved("s3://artifacts/first.zip"));
    let orders = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sam/src/orders");
    assert_eq!(second.code.get(), Some(&orders));
}

/// Short-form tags stay symbolic with readable expressions (`!Ref DbPassword`), are never
/// replaced by a parameter's Default, and only static intrinsics are evaluated: `!FindInMap`
/// with literal keys, `!Join`/`!Select` over literals, `!Sub` without variables.
#[test]
fn cfn_short_form_tags() {
    let inv = load("cloudformation/cfn_short_form_tags.yaml");
    assert!(inv.diagnostics.is_empty(), "{:?}", inv.diagnostics);
    let f = func(&inv, "ApiFunction");
    assert_eq!(f.id.name, None);
    assert_eq!(f.runtime.get().map(String::as_str), Some("python3.12"));
    assert_eq!(f.runtime.origin, Origin::Explicit);
    assert_eq!(f.runtime.at.as_ref().unwrap().line, Some(24));
    assert_eq!(
        f.timeout_s.origin,
        unresolved("!FindInMap [StageConfig, !Ref Stage, Timeout]")
    );
    assert_eq!(f.memory_mb.origin, unresolved("!Ref MemoryParam"));
    assert_eq!(f.memory_mb.value, None);
    assert_eq!(f.handler.get().map(String::as_str), Some("app.handler"));
    assert_eq!(f.architecture.get().map(String::as_str), Some("arm64"));
    assert_eq!(
        f.kms_key.origin,
        unresolved("!If [IsProd, !GetAtt Key.Arn, !Ref AWS::NoValue]")
    );
    let layers: Vec<&Origin> = f.layers.iter().map(|l| &l.origin).collect();
    assert_eq!(
        layers,
        [
            &unresolved("!Ref SharedLayer"),
            &unresolved("!Sub arn:aws:lambda:${AWS::Region}:123456789012:layer:x:1")
        ]
    );
    assert_eq!(
        f.code.origin,
        unresolved("!Sub s3://artifacts-${AWS::AccountId}/api.zip")
    );
    let role = f.role.as_ref().unwrap();
    assert_eq!(role.key, "!ImportValue shared-role-arn");
    assert_eq!(role.arn.origin, unresolved("!ImportValue shared-role-arn"));

    let env: Vec<(&str, &Origin, Option<&String>, Option<u32>)> = f
        .environment
        .iter()
        .map(|e| (e.name.as_str(), &e.value.origin, e.value.get(), e.at.line))
        .collect();
    let empty = String::new();
    let plain = "plain-text".to_owned();
    assert_eq!(
        env,
        [
            (
                "DB_PASSWORD",
                &unresolved("!Ref DbPassword"),
                None,
                Some(37)
            ),
            ("REGION", &unresolved("!Ref AWS::Region"), None, Some(38)),
            ("TABLE", &unresolved("!GetAtt Table.Arn"), None, Some(39)),
            ("LITERAL", &Origin::Explicit, Some(&plain), Some(40)),
            ("EMPTY", &Origin::Explicit, Some(&empty), Some(41)),
        ]
    );
}

/// Malformed resources are diagnostics naming the resource and line, and loading goes on: a
/// resource that is not a mapping, one without Type, Properties that are a list, a number
/// written as a list, a Lambda function without Role, bad policy statements; unknown types are
/// ignored; the good function still loads with its role's valid policy parts.
#[test]
fn cfn_bad_resources_are_diagnostics() {
    let inv = load("cloudformation/cfn_bad_resources.yaml");
    let ids: Vec<&str> = inv
        .functions
        .iter()
        .map(|f| f.id.logical_id.as_str())
        .collect();
    assert_eq!(ids, ["NoRole", "GoodFunction"]);
    let mut diags: Vec<(u32, &str)> = inv
        .diagnostics
        .iter()
        .map(|d| (d.location.line.unwrap(), d.message.as_str()))
        .collect();
    diags.sort_unstable();
    assert_eq!(
        diags,
        [
            (3, "resource `NotAMap` is not a mapping"),
            (4, "resource `NoType` has no Type"),
            (
                8,
                "resource `ListProperties`: Properties must be a mapping, found a list"
            ),
            (10, "AWS::Lambda::Function `NoRole` has no Role (required)"),
            (15, "expected a whole number, found [30]"),
            (
                27,
                "policy statement Effect `Maybe` is neither Allow nor Deny"
            ),
            (29, "policy statement must be a mapping"),
            (30, "policy statement has no Effect"),
        ]
    );
    assert!(
        inv.diagnostics
            .iter()
            .all(|d| d.location.file == "cloudformation/cfn_bad_resources.yaml")
    );
    let no_role = func(&inv, "NoRole");
    assert!(no_role.role.is_none());
    assert_eq!(no_role.timeout_s.origin, unresolved("[30]"));
    let good = func(&inv, "GoodFunction");
    let role = good.role.as_ref().unwrap();
    assert_eq!(role.policies.len(), 1);
    assert!(role.policies[0].document.statements.is_empty());
}

/// Detection claims templates (YAML and JSON) but not JSON that merely mentions CloudFormation
/// words, nor YAML that is not a mapping.
#[test]
fn looks_like_template_is_accurate() {
    let pkg = source("cloudformation/not_a_template_package.json");
    assert!(!cloudformation::looks_like_template(&pkg.text));
    assert_eq!(detect(&pkg), None);
    assert!(!cloudformation::looks_like_template(
        "- Resources\n- AWS::Lambda::Function\n"
    ));
    assert!(cloudformation::looks_like_template(
        "{\"Resources\": {\"F\": {\"Type\": \"AWS::Lambda::Function\"}}}"
    ));
    assert!(cloudformation::looks_like_template(
        "Transform: AWS::Serverless-2016-10-31\nResources: {}\n"
    ));
    assert!(!cloudformation::looks_like_template("{\"name\": \"x\"}"));
}

/// Documents of every shape, including ones that are not templates at all, load without
/// panicking; every diagnostic names the file, and a non-mapping document says so.
#[test]
fn odd_shapes_never_panic() {
    for text in [
        "",
        "just text",
        "[1, 2]",
        "Resources: 3",
        "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties: !If [c, {}, {}]\n",
        "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      Policies: !Ref P\n      Events: [1]\n      Environment: {Variables: !Ref V}\n      Layers: !Ref L\n      Role: {}\n",
        "Globals: {Function: [1]}\nResources:\n  F:\n    Type: AWS::Lambda::Function\n    Properties: {Code: 3, Role: [a], Tags: 5, VpcConfig: 1}\n",
        "Resources:\n  P:\n    Type: AWS::Lambda::Permission\n    Properties: {FunctionName: {Fn::GetAtt: []}}\n",
    ] {
        let file = SourceFile {
            path: "odd.yaml".into(),
            abs: "/nonexistent/odd.yaml".into(),
            text: text.into(),
        };
        let inv = cloudformation::load(&file);
        assert!(
            inv.diagnostics
                .iter()
                .all(|d| d.location.file == "odd.yaml")
        );
        assert!(inv.functions.len() <= 1);
        if text.starts_with('[') || text == "just text" {
            assert_eq!(inv.diagnostics[0].message, "template is not a mapping");
        }
    }
}

/// The event kinds, names (the linking resource's logical id) and lines of a function's events.
fn events(f: &Function) -> Vec<(EventKind, &str, Option<u32>)> {
    f.events
        .iter()
        .map(|e| (e.kind, e.name.as_str(), e.at.line))
        .collect()
}

/// Plain CloudFormation event sources written as their own resources are linked to the function
/// they name, with the right kind and the line of the entry naming it: an API Gateway method
/// with a `!Sub` integration URI (REST API), an HTTP API integration by `!GetAtt` and a
/// WebSocket one by a literal ARN inside the URI (`Other`), S3 `LambdaConfigurations` items, an
/// SNS topic's lambda subscription through an `AWS::Lambda::Alias`, an `AWS::SNS::Subscription`
/// by literal function ARN, a scheduled and a pattern `AWS::Events::Rule` (the latter by a
/// `!Join`), an `AWS::Scheduler::Schedule`, a log subscription filter through `!Sub` variables,
/// an IoT rule's Lambda action, an ALB target group and Cognito triggers. A `MOCK` integration,
/// an email subscription, a function outside the template and a KMS key are not events.
#[test]
fn cfn_event_sources_linked() {
    let inv = load("cloudformation/cfn_event_sources_linked.yaml");
    assert!(inv.diagnostics.is_empty(), "{:?}", inv.diagnostics);
    assert_eq!(inv.functions.len(), 2);
    assert_eq!(
        events(func(&inv, "OrdersFunction")),
        [
            (EventKind::Api, "OrdersMethod", Some(36)),
            (EventKind::HttpApi, "OrdersHttpIntegration", Some(60)),
            (EventKind::Sns, "AlertsSubscription", Some(84)),
            (EventKind::EventBridge, "OrderPlacedRule", Some(102)),
            (EventKind::CloudWatchLogs, "LogsFilter", Some(112)),
            (EventKind::Cognito, "Users", Some(139)),
            (EventKind::Other, "SocketIntegration", Some(152)),
        ]
    );
    let worker = func(&inv, "WorkerFunction");
    assert_eq!(
        events(worker),
        [
            (EventKind::Sqs, "QueueMapping", Some(144)),
            (EventKind::S3, "UploadsBucket", Some(72)),
            (EventKind::Sns, "AlertsTopic", Some(82)),
            (EventKind::Schedule, "NightlyRule", Some(95)),
            (EventKind::Schedule, "HourlySchedule", Some(104)),
            (EventKind::Iot, "DeviceRule", Some(127)),
            (EventKind::Alb, "WorkerTargets", Some(134)),
            (EventKind::Cognito, "Users", Some(140)),
        ]
    );
    let s3 = &worker.events[1].at;
    assert_eq!(s3.file, "cloudformation/cfn_event_sources_linked.yaml");
    assert_eq!(
        s3.pointer.as_deref(),
        Some(
            "/Resources/UploadsBucket/Properties/NotificationConfiguration/LambdaConfigurations/0"
        )
    );
}

/// JSON: an `AWS::Lambda::LayerVersionPermission` naming its layer by `{"Ref": …}` is recorded
/// on the function whose `Layers` holds the same `Ref`, not on one without layers, and never in
/// a resource policy.
#[test]
fn cfn_layer_version_permission() {
    let inv = load("cloudformation/cfn_layer_version_permission.json");
    assert!(inv.diagnostics.is_empty(), "{:?}", inv.diagnostics);
    let app = func(&inv, "AppFunction");
    let [p] = app.layer_permissions.as_slice() else {
        panic!("{:?}", app.layer_permissions);
    };
    assert_eq!(p.layer, "LibsLayer");
    assert_eq!(p.principal.get().map(String::as_str), Some("*"));
    assert_eq!(p.principal.at.as_ref().unwrap().line, Some(17));
    assert!(!p.organization_id.is_written());
    assert_eq!(p.at.line, Some(12));
    assert!(app.resource_policy.is_empty());
    assert!(func(&inv, "PlainFunction").layer_permissions.is_empty());
}
