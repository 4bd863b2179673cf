//! AWS SAM templates through `cloudformation::load`: Globals merging, function URLs, policies
//! (inline, managed, SAM policy templates), events, dead letters, roles and bad input.
#![expect(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod common;

use std::path::Path;

use faasguard_model::{Effect, EventKind, Origin, PolicyKind, SourceKind, StringOrPattern};

use common::{func, load};

fn line<T>(attr: &faasguard_model::Attr<T>) -> Option<u32> {
    attr.at.as_ref().and_then(|l| l.line)
}

fn texts(list: &[StringOrPattern]) -> Vec<&str> {
    list.iter().map(|p| p.text.as_str()).collect()
}

/// Globals.Function is merged the way SAM merges it: the function's scalars win (with the
/// function's line), environment variables and tags merge by key, layers concatenate global
/// first, Architectures is replaced, IgnoreGlobals is honoured, and unset values get Lambda's
/// defaults with `Origin::Default`.
#[test]
fn sam_globals_merged() {
    let inv = load("sam/sam_globals_merged.yaml");
    assert!(inv.diagnostics.is_empty(), "{:?}", inv.diagnostics);
    assert_eq!(inv.functions.len(), 3);

    let orders = func(&inv, "OrdersFunction");
    assert_eq!(orders.id.source, SourceKind::Sam);
    assert_eq!(orders.id.name.as_deref(), Some("orders-api"));
    assert_eq!(orders.at.line, Some(20));
    assert_eq!(orders.runtime.get().map(String::as_str), Some("python3.12"));
    assert_eq!(line(&orders.runtime), Some(7));
    assert_eq!(
        orders.runtime.at.as_ref().unwrap().pointer.as_deref(),
        Some("/Globals/Function/Runtime")
    );
    assert_eq!(orders.timeout_s.get(), Some(&25));
    assert_eq!(line(&orders.timeout_s), Some(26));
    assert_eq!(
        orders.timeout_s.at.as_ref().unwrap().pointer.as_deref(),
        Some("/Resources/OrdersFunction/Properties/Timeout")
    );
    assert_eq!(orders.memory_mb.get(), Some(&128));
    assert_eq!(orders.memory_mb.origin, Origin::Default);
    assert_eq!(orders.architecture.get().map(String::as_str), Some("arm64"));
    assert_eq!(orders.tracing.get().map(String::as_str), Some("Active"));
    assert_eq!(line(&orders.tracing), Some(9));

    let env: Vec<(&str, &str, Option<u32>)> = orders
        .environment
        .iter()
        .map(|e| (e.name.as_str(), e.value.get().unwrap().as_str(), e.at.line))
        .collect();
    assert_eq!(
        env,
        [
            ("LOG_LEVEL", "INFO", Some(14)),
            ("TABLE_NAME", "orders-v2", Some(33)),
            ("STRIPE_KEY", "sk_test_fake", Some(34)),
        ]
    );
    let layers: Vec<&str> = orders
        .layers
        .iter()
        .map(|l| l.get().unwrap().as_str())
        .collect();
    assert_eq!(
        layers,
        [
            "arn:aws:lambda:eu-west-1:123456789012:layer:common:3",
            "arn:aws:lambda:eu-west-1:999999999999:layer:vendor:1"
        ]
    );
    assert_eq!(
        orders.tags.get("team").map(String::as_str),
        Some("payments")
    );
    assert_eq!(
        orders.tags.get("service").map(String::as_str),
        Some("orders")
    );
    let code_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sam/src/orders");
    assert_eq!(orders.code.get(), Some(&code_dir));
    assert_eq!(line(&orders.code), Some(24));

    let role = orders.role.as_ref().unwrap();
    assert!(role.generated);
    assert_eq!(role.key, "sam/sam_globals_merged.yaml#OrdersFunctionRole");
    let names: Vec<&str> = role.policies.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        ["AWSLambdaBasicExecutionRole", "AWSXrayWriteOnlyAccess"]
    );

    let reports = func(&inv, "ReportsFunction");
    assert!(reports.layers.is_empty(), "IgnoreGlobals: [Layers]");
    assert_eq!(reports.timeout_s.get(), Some(&10));
    assert_eq!(line(&reports.timeout_s), Some(8));
    assert_eq!(reports.memory_mb.get(), Some(&512));
    assert_eq!(
        reports.architecture.get().map(String::as_str),
        Some("x86_64")
    );
    assert_eq!(reports.architecture.origin, Origin::Default);
    assert_eq!(reports.code.get(), Some(&code_dir));

    let plain = func(&inv, "PlainFunction");
    assert_eq!(plain.runtime.get().map(String::as_str), Some("nodejs20.x"));
    assert_eq!(plain.timeout_s.get(), Some(&3));
    assert_eq!(plain.timeout_s.origin, Origin::Default);
    assert_eq!(plain.tracing.get().map(String::as_str), Some("PassThrough"));
    assert_eq!(plain.tracing.origin, Origin::Default);
    assert!(plain.environment.is_empty() && plain.layers.is_empty() && plain.tags.is_empty());
    assert_eq!(
        plain.code.origin,
        Origin::Unresolved {
            expr: "InlineCode".into()
        }
    );
}

/// `FunctionUrlConfig: AuthType: NONE` (a checkov blind spot) becomes a function URL with the
/// auth type, CORS origins and credentials, each at its line.
#[test]
fn sam_function_url_auth_none() {
    let inv = load("sam/sam_function_url_auth_none.yaml");
    assert!(inv.diagnostics.is_empty(), "{:?}", inv.diagnostics);
    let f = func(&inv, "WebhookFunction");
    let url = f.url.as_ref().expect("url");
    assert_eq!(url.auth_type.get().map(String::as_str), Some("NONE"));
    assert_eq!(line(&url.auth_type), Some(11));
    assert_eq!(url.at.line, Some(10));
    assert_eq!(
        url.at.pointer.as_deref(),
        Some("/Resources/WebhookFunction/Properties/FunctionUrlConfig")
    );
    let cors = url.cors.as_ref().expect("cors");
    assert_eq!(cors.allow_origins, ["*"]);
    assert_eq!(cors.allow_credentials.get(), Some(&true));
    assert_eq!(line(&cors.allow_credentials), Some(15));
}

/// Inline `Policies` statements with `Action: '*'` (a checkov blind spot) are parsed into model
/// statements with their own lines; managed policies by name and by `!Sub` partition ARN are
/// AWS managed with their documents; expressions in statements stay unresolved; a customer
/// policy ARN is unresolved. The Transform may be a list.
#[test]
fn sam_inline_policy_action_star() {
    let inv = load("sam/sam_inline_policy_action_star.yaml");
    assert!(inv.diagnostics.is_empty(), "{:?}", inv.diagnostics);
    let f = func(&inv, "AdminFunction");
    assert_eq!(f.id.source, SourceKind::Sam);
    let role = f.role.as_ref().unwrap();
    let kinds: Vec<(&str, &PolicyKind, Option<u32>)> = role
        .policies
        .iter()
        .map(|p| (p.name.as_str(), &p.kind, p.at.line))
        .collect();
    assert_eq!(kinds.len(), 5);
    assert_eq!(
        kinds[1],
        (
            "AmazonS3ReadOnlyAccess",
            &PolicyKind::AwsManaged {
                arn: "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess".into()
            },
            Some(13)
        )
    );
    assert_eq!(
        kinds[2].1,
        &PolicyKind::AwsManaged {
            arn: "arn:aws:iam::aws:policy/AdministratorAccess".into()
        }
    );
    assert_eq!(
        kinds[4].1,
        &PolicyKind::Unresolved {
            expr: "arn:aws:iam::123456789012:policy/team-boundary".into()
        }
    );

    let inline = &role.policies[3];
    assert_eq!(inline.kind, PolicyKind::Inline);
    assert_eq!(inline.name, "AdminFunctionRolePolicy2");
    let [star, deny] = inline.document.statements.as_slice() else {
        panic!("two statements");
    };
    assert_eq!(star.sid.as_deref(), Some("Everything"));
    assert_eq!(star.effect, Effect::Allow);
    assert!(star.action[0].is_star() && star.resource[0].is_star());
    assert_eq!(star.at.line, Some(17));
    assert_eq!(
        star.at.pointer.as_deref(),
        Some("/Resources/AdminFunction/Properties/Policies/2/Statement/0")
    );
    assert_eq!(deny.effect, Effect::Deny);
    assert_eq!(
        texts(&deny.not_action),
        ["s3:GetObject", "!Sub ssm:${Action}"]
    );
    assert!(deny.not_action[1].unresolved && !deny.not_action[0].unresolved);
    assert_eq!(texts(&deny.not_resource), ["!GetAtt Bucket.Arn"]);
    assert!(deny.not_resource[0].unresolved);
    assert_eq!(
        deny.condition,
        Some(serde_json::json!({"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}))
    );
    assert_eq!(deny.at.line, Some(21));
}

/// SAM policy templates expand to their actions from aws-sam-translator's data; literal
/// parameters are substituted, references become `${Id}` and keep the resource unresolved, an
/// unknown template is a diagnostic at its line, and a managed policy name resolves to its ARN.
#[test]
fn sam_policy_templates() {
    let inv = load("sam/sam_policy_templates.yaml");
    let f = func(&inv, "WorkerFunction");
    let role = f.role.as_ref().unwrap();
    let by_name = |n: &str| role.policies.iter().find(|p| p.name == n).unwrap();

    let s3 = by_name("S3CrudPolicy");
    assert_eq!(
        s3.kind,
        PolicyKind::SamTemplate {
            template: "S3CrudPolicy".into()
        }
    );
    assert_eq!(s3.at.line, Some(15));
    let st = &s3.document.statements[0];
    assert_eq!(
        texts(&st.action),
        [
            "s3:GetObject",
            "s3:ListBucket",
            "s3:GetBucketLocation",
            "s3:GetObjectVersion",
            "s3:PutObject",
            "s3:PutObjectAcl",
            "s3:GetLifecycleConfiguration",
            "s3:PutLifecycleConfiguration",
            "s3:DeleteObject"
        ]
    );
    assert_eq!(
        texts(&st.resource),
        [
            "arn:${AWS::Partition}:s3:::orders-archive",
            "arn:${AWS::Partition}:s3:::orders-archive/*"
        ]
    );
    assert!(st.resource.iter().all(|r| r.unresolved));

    let ddb = &by_name("DynamoDBCrudPolicy").document.statements[0];
    assert!(texts(&ddb.action).contains(&"dynamodb:PutItem"));
    assert_eq!(
        ddb.resource[0].text,
        "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${OrdersTable}"
    );
    let sqs = &by_name("SQSPollerPolicy").document.statements[0];
    assert!(sqs.resource[0].text.ends_with(":${WorkQueue.QueueName}"));
    assert!(texts(&sqs.action).contains(&"sqs:DeleteMessage"));

    let vpc = &by_name("VPCAccessPolicy").document.statements[0];
    assert!(vpc.resource[0].is_star());
    assert!(texts(&vpc.action).contains(&"ec2:CreateNetworkInterface"));

    assert_eq!(
        by_name("SecretsManagerReadWrite").kind,
        PolicyKind::AwsManaged {
            arn: "arn:aws:iam::aws:policy/SecretsManagerReadWrite".into()
        }
    );
    assert!(role.policies.iter().all(|p| p.name != "NoSuchPolicy"));
    assert_eq!(inv.diagnostics.len(), 1, "{:?}", inv.diagnostics);
    assert_eq!(inv.diagnostics[0].location.line, Some(22));
    assert!(inv.diagnostics[0].message.contains("NoSuchPolicy"));
}

/// Every SAM event type maps to its kind; a DeadLetterQueue and EventInvokeConfig on-failure
/// destinations become dead letters; `Role: !GetAtt` links the template role with policies
/// attached by `AWS::IAM::Policy`; a generated role gets the event/VPC/tracing managed policies
/// and attachments made to `!Ref <Fn>Role`; a literal role ARN is its own key.
#[test]
fn sam_events_dlq_and_role() {
    let inv = load("sam/sam_events_dlq_and_role.yaml");
    assert!(inv.diagnostics.is_empty(), "{:?}", inv.diagnostics);

    let ingest = func(&inv, "IngestFunction");
    let kinds: Vec<(&str, EventKind)> = ingest
        .events
        .iter()
        .map(|e| (e.name.as_str(), e.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            ("Upload", EventKind::S3),
            ("Api", EventKind::Api),
            ("Http", EventKind::HttpApi),
            ("Topic", EventKind::Sns),
            ("Nightly", EventKind::Schedule),
            ("Rule", EventKind::EventBridge),
            ("Logs", EventKind::CloudWatchLogs),
            ("Thing", EventKind::Iot),
            ("Pool", EventKind::Cognito),
            ("Skill", EventKind::Alexa),
            ("Stream", EventKind::Kinesis),
            ("Kafka", EventKind::Other),
        ]
    );
    assert_eq!(ingest.events[0].at.line, Some(39));
    assert_eq!(ingest.dead_letters.len(), 1);
    assert_eq!(ingest.dead_letters[0].kind, "dlq");
    assert_eq!(
        ingest.dead_letters[0].target.get().map(String::as_str),
        Some("arn:aws:sqs:eu-west-1:123456789012:ingest-dlq")
    );
    assert_eq!(ingest.dead_letters[0].at.line, Some(37));
    let role = ingest.role.as_ref().unwrap();
    assert_eq!(role.key, "sam/sam_events_dlq_and_role.yaml#IngestRole");
    assert_eq!(role.name.as_deref(), Some("ingest-role"));
    assert!(!role.generated);
    let trust = role.trust_policy.as_ref().unwrap();
    assert_eq!(
        trust.statements[0].principal,
        Some(serde_json::json!({"Service": "lambda.amazonaws.com"}))
    );
    let names: Vec<&str> = role.policies.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["AWSLambdaBasicExecutionRole", "extra"]);
    assert_eq!(
        texts(&role.policies[1].document.statements[0].action),
        ["s3:*"]
    );

    let queue = func(&inv, "QueueFunction");
    assert_eq!(queue.reserved_concurrency.get(), Some(&5));
    assert_eq!(queue.vpc.get(), Some(&true));
    assert_eq!(queue.dead_letters[0].kind, "on-failure");
    assert_eq!(
        queue.dead_letters[0].target.origin,
        Origin::Unresolved {
            expr: "SAM-generated SQS".into()
        }
    );
    let role = queue.role.as_ref().unwrap();
    assert!(role.generated);
    let names: Vec<&str> = role.policies.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "AWSLambdaBasicExecutionRole",
            "AWSXrayWriteOnlyAccess",
            "AWSLambdaVPCAccessExecutionRole",
            "AWSLambdaSQSQueueExecutionRole",
            "AWSLambdaDynamoDBExecutionRole",
            "extra"
        ]
    );

    let external = func(&inv, "ExternalRoleFunction");
    let role = external.role.as_ref().unwrap();
    assert_eq!(
        role.key,
        "arn:aws:iam::123456789012:role/shared-lambda-role"
    );
    assert_eq!(role.name.as_deref(), Some("shared-lambda-role"));
    assert!(role.policies.is_empty() && !role.generated);
    assert_eq!(
        external.dead_letters[0].target.origin,
        Origin::Unresolved {
            expr: "!Ref FailureTopic".into()
        }
    );
}

/// A local CodeUri that does not exist is a diagnostic naming the template line (the path is
/// still recorded); an S3 CodeUri is unresolved and not checked.
#[test]
fn missing_codeuri() {
    let inv = load("sam/missing_codeuri.yaml");
    assert_eq!(inv.functions.len(), 2);
    assert_eq!(inv.diagnostics.len(), 1, "{:?}", inv.diagnostics);
    let d = &inv.diagnostics[0];
    assert_eq!(d.location.file, "sam/missing_codeuri.yaml");
    assert_eq!(d.location.line, Some(7));
    assert_eq!(
        d.location.pointer.as_deref(),
        Some("/Resources/GhostFunction/Properties/CodeUri")
    );
    assert_eq!(
        d.message,
        "code path `./does-not-exist/` does not exist (looked for `sam/does-not-exist`)"
    );
    let ghost = func(&inv, "GhostFunction");
    assert!(ghost.code.is_explicit());
    let artifact = func(&inv, "ArtifactFunction");
    assert_eq!(
        artifact.code.origin,
        Origin::Unresolved {
            expr: "s3://my-artifacts/orders.zip".into()
        }
    );
}

/// Malformed YAML is one diagnostic with the file, line and cause; no function, no panic.
#[test]
fn malformed_yaml_is_a_diagnostic() {
    let inv = load("sam/malformed.yaml");
    assert!(inv.functions.is_empty());
    assert_eq!(inv.diagnostics.len(), 1);
    let d = &inv.diagnostics[0];
    assert_eq!(d.location.file, "sam/malformed.yaml");
    assert_eq!(d.location.line, Some(8));
    assert!(
        d.message.starts_with("cannot parse template: "),
        "{}",
        d.message
    );
}

/// A billion-laughs template fails fast with a diagnostic instead of exhausting memory.
#[test]
fn alias_bomb_is_a_diagnostic() {
    let inv = load("sam/alias_bomb.yaml");
    assert!(inv.functions.is_empty());
    assert_eq!(inv.diagnostics.len(), 1);
    assert!(
        inv.diagnostics[0].message.contains("alias expansion"),
        "{}",
        inv.diagnostics[0].message
    );
}

/// A layer permission as (layer, principal, principal line, organization id).
type LayerSummary = (String, Option<String>, Option<u32>, Option<String>);

/// `AWS::Lambda::LayerVersionPermission`s are recorded on the functions whose `Layers` (their
/// own or from `Globals`) name the layer: by `!Ref` to the layer's logical id, or by the same
/// literal layer version ARN (another version of the layer does not match); `OrganizationId`
/// is kept; nothing lands in the resource policy.
#[test]
fn sam_layer_permissions() {
    let inv = load("sam/sam_layer_permissions.yaml");
    assert!(inv.diagnostics.is_empty(), "{:?}", inv.diagnostics);
    let summary = |id: &str| -> Vec<LayerSummary> {
        let f = func(&inv, id);
        assert!(f.resource_policy.is_empty());
        f.layer_permissions
            .iter()
            .map(|p| {
                (
                    p.layer.clone(),
                    p.principal.get().cloned(),
                    line(&p.principal),
                    p.organization_id.get().cloned(),
                )
            })
            .collect()
    };
    let shared = (
        "SharedLayer".to_owned(),
        Some("*".to_owned()),
        Some(21),
        None,
    );
    assert_eq!(
        summary("WithVendorFunction"),
        vec![
            shared.clone(),
            (
                "arn:aws:lambda:eu-west-1:123456789012:layer:vendor:3".to_owned(),
                Some("*".to_owned()),
                Some(27),
                Some("o-a1b2c3d4e5".to_owned()),
            ),
        ]
    );
    assert_eq!(summary("OlderVendorFunction"), vec![shared]);
    assert_eq!(summary("NoGlobalsFunction"), vec![]);
    let p = &func(&inv, "WithVendorFunction").layer_permissions[0];
    assert_eq!(p.at.line, Some(16));
    assert_eq!(
        p.action.get().map(String::as_str),
        Some("lambda:GetLayerVersion")
    );
}
