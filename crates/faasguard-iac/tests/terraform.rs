//! Terraform loader: fixtures under `tests/fixtures/terraform/<case>/` (one module each).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use faasguard_iac::{SourceFile, terraform};
use faasguard_model::{
    Attr, Effect, EventKind, Function, Inventory, Location, Origin, PolicyKind, Provider,
    SourceKind, StringOrPattern,
};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/terraform")
}

/// Loads every `.tf` file of one fixture directory, with paths relative to the fixture root.
fn load(case: &str) -> Inventory {
    let dir = fixtures().join(case);
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| Path::new(n).extension().is_some_and(|e| e == "tf"))
        .collect();
    names.sort();
    let files: Vec<SourceFile> = names
        .iter()
        .map(|n| SourceFile {
            path: format!("{case}/{n}"),
            abs: dir.join(n),
            text: std::fs::read_to_string(dir.join(n)).unwrap(),
        })
        .collect();
    let refs: Vec<&SourceFile> = files.iter().collect();
    terraform::load(&refs)
}

fn function<'a>(inv: &'a Inventory, address: &str) -> &'a Function {
    inv.functions
        .iter()
        .find(|f| f.id.logical_id == address)
        .unwrap_or_else(|| panic!("no function {address} in {:#?}", inv.functions))
}

fn line(a: &Attr<impl std::fmt::Debug>) -> u32 {
    a.at.as_ref().and_then(|l| l.line).expect("located value")
}

fn texts(list: &[StringOrPattern]) -> Vec<(&str, bool)> {
    list.iter()
        .map(|s| (s.text.as_str(), s.unresolved))
        .collect()
}

/// A function with a role whose policies come from a policy-document data source, an inline
/// role policy and an AWS managed attachment; `var`/`local` values and the archive_file code
/// directory are resolved, with the line of every value.
#[test]
fn main_tf_with_policy_document() {
    let inv = load("main_tf_with_policy_document");
    assert_eq!(inv.diagnostics, vec![]);
    assert_eq!(inv.functions.len(), 1);
    let f = function(&inv, "aws_lambda_function.orders");
    assert_eq!(f.id.provider, Provider::Aws);
    assert_eq!(f.id.source, SourceKind::Terraform);
    assert_eq!(f.id.file, "main_tf_with_policy_document/main.tf");
    assert_eq!(f.id.name.as_deref(), Some("orders-api"));
    assert_eq!(f.at.line, Some(52));
    assert_eq!(
        f.at.pointer.as_deref(),
        Some("/resource/aws_lambda_function/orders")
    );

    assert_eq!(f.runtime.get().map(String::as_str), Some("python3.12"));
    assert_eq!(line(&f.runtime), 57);
    assert_eq!(f.handler.get().map(String::as_str), Some("app.handler"));
    // `timeout = var.timeout` resolves to the variable's default, located at the default.
    assert_eq!(f.timeout_s.get(), Some(&30));
    assert_eq!(f.timeout_s.origin, Origin::Explicit);
    assert_eq!(
        f.timeout_s.at.as_ref().unwrap().file,
        "main_tf_with_policy_document/variables.tf"
    );
    assert_eq!(line(&f.timeout_s), 3);
    // Unset values take Lambda's defaults.
    assert_eq!(f.memory_mb, Attr::default_value(128));
    assert_eq!(f.architecture, Attr::default_value("x86_64".to_owned()));
    assert_eq!(f.tracing, Attr::default_value("PassThrough".to_owned()));
    assert_eq!(f.reserved_concurrency, Attr::absent());
    assert_eq!(f.vpc, Attr::default_value(false));
    // `local.kms_key` resolves to the local's value, at the local.
    assert_eq!(
        f.kms_key.get().map(String::as_str),
        Some("arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab")
    );
    assert_eq!(line(&f.kms_key), 71);

    let env: Vec<_> = f
        .environment
        .iter()
        .map(|e| {
            (
                e.name.as_str(),
                e.value.get().map(String::as_str),
                e.at.line,
            )
        })
        .collect();
    assert_eq!(
        env,
        vec![
            ("TABLE_NAME", Some("orders"), Some(63)),
            ("DB_PASSWORD", Some("hunter2-not-real"), Some(64)),
            ("STAGE", None, Some(65)),
        ]
    );
    assert_eq!(
        f.environment[2].value.origin,
        Origin::Unresolved {
            expr: "var.stage".to_owned()
        }
    );

    // The archive_file source directory, resolved against the module directory.
    let code = f.code.get().unwrap();
    assert_eq!(
        code,
        &fixtures().join("main_tf_with_policy_document/src"),
        "code path"
    );
    assert_eq!(line(&f.code), 3);

    let role = f.role.as_ref().unwrap();
    assert_eq!(
        role.key,
        "main_tf_with_policy_document/main.tf#aws_iam_role.app"
    );
    assert_eq!(role.name.as_deref(), Some("orders-api-role"));
    assert_eq!(role.at.line, Some(36));
    let trust = role.trust_policy.as_ref().unwrap();
    assert_eq!(trust.statements.len(), 1);
    assert_eq!(
        trust.statements[0].principal,
        Some(serde_json::json!({"Service": ["lambda.amazonaws.com"]}))
    );

    assert_eq!(role.policies.len(), 2);
    let inline = &role.policies[0];
    assert_eq!(inline.name, "orders-api-inline");
    assert_eq!(inline.kind, PolicyKind::Inline);
    assert_eq!(inline.at.line, Some(41));
    let s = &inline.document.statements;
    assert_eq!(s.len(), 2);
    assert_eq!(s[0].sid.as_deref(), Some("ReadTable"));
    assert_eq!(s[0].effect, Effect::Allow);
    assert_eq!(
        texts(&s[0].action),
        vec![("dynamodb:GetItem", false), ("dynamodb:Query", false)]
    );
    // `var.table_arn` has no default: it stays unresolved, never `*`.
    assert_eq!(texts(&s[0].resource), vec![("var.table_arn", true)]);
    assert_eq!(s[0].at.line, Some(18));
    assert_eq!(texts(&s[1].not_action), vec![("iam:*", false)]);
    assert_eq!(
        texts(&s[1].not_resource),
        vec![("arn:aws:s3:::audit-logs/*", false)]
    );
    assert_eq!(
        s[1].condition,
        Some(serde_json::json!({"StringEquals": {"aws:RequestedRegion": ["eu-west-1"]}}))
    );
    assert_eq!(s[1].at.line, Some(24));

    let admin = &role.policies[1];
    assert_eq!(admin.name, "AdministratorAccess");
    assert_eq!(
        admin.kind,
        PolicyKind::AwsManaged {
            arn: "arn:aws:iam::aws:policy/AdministratorAccess".to_owned()
        }
    );
    assert_eq!(admin.at.line, Some(49));
    // The managed policy's document comes from faasguard's data, located at the attachment.
    let st = &admin.document.statements;
    assert_eq!(st.len(), 1);
    assert!(st[0].action[0].is_star());
    assert_eq!(st[0].at.line, Some(49));
}

/// `aws_lambda_permission` (by reference, by literal name and by ARN) and
/// `aws_lambda_function_url` with CORS become the function's resource policy and URL.
#[test]
fn lambda_permission_public() {
    let inv = load("lambda_permission_public");
    assert_eq!(inv.diagnostics, vec![]);
    let f = function(&inv, "aws_lambda_function.webhook");
    assert_eq!(f.architecture.get().map(String::as_str), Some("arm64"));
    assert_eq!(line(&f.architecture), 7);
    assert_eq!(f.memory_mb.get(), Some(&256));
    assert_eq!(
        f.code.get().unwrap(),
        &fixtures().join("lambda_permission_public/build/webhook.zip")
    );
    let role = f.role.as_ref().unwrap();
    assert_eq!(role.key, "arn:aws:iam::123456789012:role/webhook-role");
    assert_eq!(role.name.as_deref(), Some("webhook-role"));
    assert!(role.policies.is_empty());

    let perms: Vec<_> = f
        .resource_policy
        .iter()
        .map(|p| {
            (
                p.action.get().map(String::as_str),
                p.principal.get().map(String::as_str),
                p.source_arn.is_written(),
                p.source_account.get().map(String::as_str),
                p.function_url_auth_type.get().map(String::as_str),
                p.at.line,
            )
        })
        .collect();
    assert_eq!(
        perms,
        vec![
            (
                Some("lambda:InvokeFunction"),
                Some("*"),
                false,
                None,
                None,
                Some(12)
            ),
            (
                Some("lambda:InvokeFunctionUrl"),
                Some("*"),
                false,
                None,
                Some("NONE"),
                Some(19)
            ),
            (
                Some("lambda:InvokeFunction"),
                Some("s3.amazonaws.com"),
                true,
                Some("123456789012"),
                None,
                Some(27)
            ),
        ]
    );
    assert_eq!(line(&f.resource_policy[0].principal), 16);
    assert_eq!(
        f.resource_policy[2].source_arn.origin,
        Origin::Unresolved {
            expr: "aws_s3_bucket.uploads.arn".to_owned()
        }
    );

    let url = f.url.as_ref().unwrap();
    assert_eq!(url.auth_type.get().map(String::as_str), Some("NONE"));
    assert_eq!(line(&url.auth_type), 37);
    assert_eq!(url.at.line, Some(35));
    let cors = url.cors.as_ref().unwrap();
    assert_eq!(cors.allow_origins, vec!["*".to_owned()]);
    assert_eq!(cors.allow_credentials.get(), Some(&true));
    assert_eq!(line(&cors.allow_credentials), 41);
}

/// `jsonencode` policies keep each statement's line and leave references unresolved; a heredoc
/// JSON policy with an interpolation parses; `managed_policy_arns` links AWS managed and
/// customer managed policies; an unresolvable `policy_arn` stays symbolic.
#[test]
fn jsonencode_policy() {
    let inv = load("jsonencode_policy");
    assert_eq!(inv.diagnostics, vec![]);
    let f = function(&inv, "aws_lambda_function.worker");
    assert_eq!(
        f.code.origin,
        Origin::Unresolved {
            expr: "s3://\"artifacts-bucket\"/\"worker/${var.version}.zip\"".to_owned()
        }
    );
    let role = f.role.as_ref().unwrap();
    let trust = role.trust_policy.as_ref().unwrap();
    assert_eq!(trust.statements[0].at.line, Some(9));
    assert_eq!(
        trust.statements[0].principal,
        Some(serde_json::json!({"Service": "lambda.amazonaws.com"}))
    );

    let names: Vec<_> = role.policies.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "everything",
            "AWSLambdaBasicExecutionRole",
            "reports-write",
            "var.extra_policy_arn"
        ]
    );
    let inline = &role.policies[0];
    assert_eq!(inline.kind, PolicyKind::Inline);
    assert_eq!(inline.at.line, Some(16));
    let s = &inline.document.statements;
    assert_eq!(s.len(), 2);
    assert!(s[0].action[0].is_star());
    assert!(s[0].resource[0].is_star());
    assert_eq!(s[0].at.line, Some(21));
    assert_eq!(s[1].sid.as_deref(), Some("ReadData"));
    assert_eq!(s[1].at.line, Some(26));
    assert_eq!(
        texts(&s[1].resource),
        vec![
            ("\"${aws_s3_bucket.data.arn}/*\"", true),
            ("aws_s3_bucket.data.arn", true)
        ]
    );

    assert_eq!(
        role.policies[1].kind,
        PolicyKind::AwsManaged {
            arn: "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole".to_owned()
        }
    );
    assert_eq!(role.policies[1].at.line, Some(37));

    let customer = &role.policies[2];
    assert_eq!(customer.kind, PolicyKind::CustomerManaged);
    assert_eq!(customer.at.line, Some(42));
    let st = &customer.document.statements;
    assert_eq!(st.len(), 1);
    assert_eq!(st[0].effect, Effect::Deny);
    assert_eq!(texts(&st[0].not_action), vec![("s3:PutObject", false)]);
    assert_eq!(
        texts(&st[0].resource),
        vec![("${aws_s3_bucket.data.arn}/reports/*", true)]
    );
    // A heredoc statement is located at the policy attribute.
    assert_eq!(st[0].at.line, Some(44));

    assert_eq!(
        role.policies[3].kind,
        PolicyKind::Unresolved {
            expr: "var.extra_policy_arn".to_owned()
        }
    );
    assert_eq!(role.policies[3].at.line, Some(58));
}

/// Malformed HCL in one file is a diagnostic at the parser's line; the module's other file is
/// still loaded, and an inline policy with malformed JSON is a diagnostic at the JSON's line
/// while its policy stays as unresolved.
#[test]
fn malformed_hcl_and_policy_json() {
    let inv = load("malformed");
    assert_eq!(inv.diagnostics.len(), 2, "{:#?}", inv.diagnostics);
    let hcl = &inv.diagnostics[0];
    assert_eq!(hcl.location, Location::at("malformed/broken.tf", 4, 19));
    assert!(
        hcl.message.starts_with("malformed HCL: "),
        "{}",
        hcl.message
    );
    let json = &inv.diagnostics[1];
    assert_eq!(json.location.file, "malformed/good.tf");
    assert_eq!(json.location.line, Some(15));
    assert!(
        json.message.starts_with("invalid JSON policy: "),
        "{}",
        json.message
    );

    assert_eq!(inv.functions.len(), 1);
    let f = function(&inv, "aws_lambda_function.fine");
    assert_eq!(f.id.name.as_deref(), Some("still-scanned"));
    let role = f.role.as_ref().unwrap();
    assert_eq!(role.policies.len(), 1);
    assert_eq!(role.policies[0].name, "bad-json");
    assert!(matches!(
        role.policies[0].kind,
        PolicyKind::Unresolved { .. }
    ));
    assert!(role.policies[0].document.statements.is_empty());
}

/// Event sources (SQS mapping, S3 notification, SNS subscription, scheduled EventBridge
/// target), dead-letter and on-failure destinations, tracing, reserved concurrency, a shared
/// role, and a public layer permission recorded on the function using the layer (apart from
/// its resource policy).
#[test]
fn events_and_layers() {
    let inv = load("events_and_layers");
    assert_eq!(inv.diagnostics, vec![]);
    let ingest = function(&inv, "aws_lambda_function.ingest");
    let notify = function(&inv, "aws_lambda_function.notify");

    assert_eq!(
        ingest.role.as_ref().unwrap().key,
        notify.role.as_ref().unwrap().key
    );
    assert_eq!(ingest.tracing.get().map(String::as_str), Some("Active"));
    assert_eq!(line(&ingest.tracing), 29);
    assert_eq!(ingest.reserved_concurrency.get(), Some(&5));
    let dlq = &ingest.dead_letters;
    assert_eq!(dlq.len(), 1);
    assert_eq!(dlq[0].kind, "dlq");
    assert_eq!(dlq[0].at.line, Some(32));
    assert_eq!(
        dlq[0].target.origin,
        Origin::Unresolved {
            expr: "aws_sqs_queue.dlq.arn".to_owned()
        }
    );

    let events = |f: &Function| -> Vec<(EventKind, String, Option<u32>)> {
        f.events
            .iter()
            .map(|e| (e.kind, e.name.clone(), e.at.line))
            .collect()
    };
    assert_eq!(
        events(ingest),
        vec![
            (
                EventKind::Sqs,
                "aws_lambda_event_source_mapping.queue".to_owned(),
                Some(45)
            ),
            (
                EventKind::Schedule,
                "aws_cloudwatch_event_target.nightly".to_owned(),
                Some(69)
            ),
        ]
    );
    assert_eq!(
        events(notify),
        vec![
            (
                EventKind::S3,
                "aws_s3_bucket_notification.uploads".to_owned(),
                Some(53)
            ),
            (
                EventKind::Sns,
                "aws_sns_topic_subscription.alerts".to_owned(),
                Some(59)
            ),
        ]
    );
    assert_eq!(notify.dead_letters.len(), 1);
    assert_eq!(notify.dead_letters[0].kind, "on-failure");
    assert_eq!(notify.dead_letters[0].at.line, Some(78));

    let layers: Vec<_> = ingest
        .layers
        .iter()
        .map(|l| (l.get().cloned(), l.is_unresolved()))
        .collect();
    assert_eq!(
        layers,
        vec![
            (None, true),
            (
                Some("arn:aws:lambda:us-east-1:999999999999:layer:thirdparty:2".to_owned()),
                false
            ),
        ]
    );
    // The layer is shared with `*`: recorded as a layer permission, not in the function's
    // resource policy (who may invoke it).
    assert!(ingest.resource_policy.is_empty());
    let [p] = ingest.layer_permissions.as_slice() else {
        panic!("{:?}", ingest.layer_permissions);
    };
    assert_eq!(p.layer, "aws_lambda_layer_version.utils");
    assert_eq!(
        p.action.get().map(String::as_str),
        Some("lambda:GetLayerVersion")
    );
    assert_eq!(p.principal.get().map(String::as_str), Some("*"));
    assert_eq!(line(&p.principal), 11);
    assert!(!p.organization_id.is_written());
    assert_eq!(p.at.line, Some(6));
    assert!(notify.resource_policy.is_empty() && notify.layer_permissions.is_empty());
}

/// Garbage, binary and deeply nested input never panics: it becomes diagnostics.
#[test]
fn hostile_input_is_a_diagnostic() {
    let cases = [
        ("a/garbage.tf", "resource \"x\" {{{{ \u{1F4A5} ".to_owned()),
        ("b/binary.tf", "resource\0\u{1}\u{2}".to_owned()),
        ("c/deep.tf", format!("x = {}", "[".repeat(50_000))),
        ("d/unclosed.tf", "x = <<EOF\nnever closed".to_owned()),
    ];
    let files: Vec<SourceFile> = cases
        .iter()
        .map(|(p, t)| SourceFile {
            path: (*p).to_owned(),
            abs: PathBuf::from("/nonexistent").join(p),
            text: t.clone(),
        })
        .collect();
    let refs: Vec<&SourceFile> = files.iter().collect();
    let inv = terraform::load(&refs);
    assert!(inv.functions.is_empty());
    let files: Vec<_> = inv
        .diagnostics
        .iter()
        .map(|d| d.location.file.as_str())
        .collect();
    assert_eq!(
        files,
        vec!["a/garbage.tf", "b/binary.tf", "c/deep.tf", "d/unclosed.tf"]
    );
}

/// A layer permission naming the layer by a literal ARN (without version) is recorded on the
/// function whose `layers` ARN names that layer, with its `organization_id`; a function using
/// a layer whose name merely starts the same way gets nothing.
#[test]
fn layer_permission_by_literal_name() {
    let inv = load("layer_permission_by_name");
    assert_eq!(inv.diagnostics, vec![]);
    let uses = function(&inv, "aws_lambda_function.uses_shared");
    let [p] = uses.layer_permissions.as_slice() else {
        panic!("{:?}", uses.layer_permissions);
    };
    assert_eq!(
        p.layer,
        "arn:aws:lambda:us-east-1:123456789012:layer:shared-libs"
    );
    assert_eq!(p.principal.get().map(String::as_str), Some("*"));
    assert_eq!(
        p.organization_id.get().map(String::as_str),
        Some("o-a1b2c3d4e5")
    );
    assert_eq!(line(&p.organization_id), 9);
    assert!(uses.resource_policy.is_empty());
    let other = function(&inv, "aws_lambda_function.other");
    assert!(other.layer_permissions.is_empty());
}
