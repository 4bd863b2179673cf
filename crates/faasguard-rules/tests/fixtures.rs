//! Per-rule fixture tests: for every rule, one fixture per input format it applies to, under
//! `tests/fixtures/<rule-name>/`, each holding `bad` functions (the rule must fire on each) and
//! `good` functions (it must never fire), loaded through the real loaders exactly as the
//! engine hands files over, with a snapshot of every finding's rule, file, line, function and
//! message per rule × format.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use faasguard_iac::{SourceFile, is_candidate_name};
use faasguard_rules::{RuleSettings, all_rules, check_inventory, find_rule};

/// An input format, and where its fixture sits inside `tests/fixtures/<rule-name>/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Fmt {
    /// `sam.yaml`: AWS SAM (`AWS::Serverless::Function`).
    Sam,
    /// `cloudformation.json`: plain CloudFormation JSON (`AWS::Lambda::Function`, IAM roles,
    /// `AWS::Lambda::Permission`, `AWS::Lambda::Url` …).
    Cfn,
    /// `serverless/serverless.yml` (a service must be alone in its directory).
    Serverless,
    /// `terraform/*.tf` (one module per directory).
    Terraform,
    /// `azure/`: an Azure Functions app (`<Function>/function.json`, `host.json`,
    /// `local.settings.json`) and ARM templates.
    Azure,
}

impl Fmt {
    const ALL: [Fmt; 5] = [
        Fmt::Sam,
        Fmt::Cfn,
        Fmt::Serverless,
        Fmt::Terraform,
        Fmt::Azure,
    ];

    /// The fixture's path relative to the rule folder (a file or a directory).
    fn entry(self) -> &'static str {
        match self {
            Fmt::Sam => "sam.yaml",
            Fmt::Cfn => "cloudformation.json",
            Fmt::Serverless => "serverless",
            Fmt::Terraform => "terraform",
            Fmt::Azure => "azure",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Fmt::Sam => "sam",
            Fmt::Cfn => "cloudformation",
            Fmt::Serverless => "serverless",
            Fmt::Terraform => "terraform",
            Fmt::Azure => "azure",
        }
    }
}

const AWS: &[Fmt] = &[Fmt::Sam, Fmt::Cfn, Fmt::Serverless, Fmt::Terraform];

/// Every rule and the formats it has a fixture for. A format left out is one the rule cannot
/// apply to; the reason is written next to it.
const TABLE: &[(&str, &[Fmt])] = &[
    // Azure rules read Azure constructs only: function.json HTTP triggers and ARM role
    // assignments. SAM, CloudFormation, serverless.yml (provider aws) and Terraform
    // aws_lambda_function cannot express them. (azurerm Terraform resources are not loaded.)
    ("FG-AZ-001", &[Fmt::Azure]),
    ("FG-AZ-002", &[Fmt::Azure]),
    // Lambda runtimes: the rules skip Azure functions (Azure has no Lambda runtime table).
    ("FG-FN-001", AWS),
    ("FG-FN-002", AWS),
    ("FG-FN-003", AWS),
    // serverless.yml: a resource-based policy statement is written there as an
    // `AWS::Lambda::Permission` under `resources.Resources`, naming the function by the
    // framework's logical id (`badPublicInvoke` → `BadPublicInvokeLambdaFunction`) or its
    // deployed name. (`url: true` yields a public InvokeFunctionUrl permission, left to
    // FG-FN-003.)
    ("FG-FN-004", AWS),
    ("FG-FN-005", AWS),
    ("FG-FN-006", AWS),
    // Also Azure: host.json functionTimeout is the function's timeout.
    (
        "FG-FN-007",
        &[
            Fmt::Sam,
            Fmt::Cfn,
            Fmt::Serverless,
            Fmt::Terraform,
            Fmt::Azure,
        ],
    ),
    // cloudformation.json is plain CloudFormation: an `AWS::ApiGateway::Method` (REST API) and
    // an `AWS::ApiGatewayV2::Integration` (HTTP API) linked to their functions through the
    // integration URI (`Fn::Sub` with `${Fn.Arn}`, `Fn::Join`, `Fn::GetAtt`).
    ("FG-FN-008", AWS),
    // Also Azure: local.settings.json Values are the function's environment.
    (
        "FG-FN-009",
        &[
            Fmt::Sam,
            Fmt::Cfn,
            Fmt::Serverless,
            Fmt::Terraform,
            Fmt::Azure,
        ],
    ),
    // cloudformation.json is plain CloudFormation: SNS topic subscriptions, S3 bucket
    // notifications and Events rule targets naming the functions; the good cases use a
    // `DeadLetterConfig`, an `AWS::Lambda::EventInvokeConfig` on-failure destination, or only
    // a synchronous SQS event source mapping.
    ("FG-FN-010", AWS),
    ("FG-FN-011", AWS),
    ("FG-FN-012", AWS),
    ("FG-FN-013", AWS),
    ("FG-FN-014", AWS),
    ("FG-FN-015", AWS),
    // Layer version permissions: `AWS::Lambda::LayerVersionPermission` (SAM, CloudFormation),
    // `layers.<name>.allowedAccounts` (serverless.yml), `aws_lambda_layer_version_permission`.
    ("FG-FN-016", AWS),
    ("FG-FN-017", AWS),
    ("FG-FN-018", AWS),
    // The good cases: a DeadLetterConfig (onError, dead_letter_config) or an on-failure
    // destination; SAM also has a function with an S3 trigger, which is FG-FN-010's.
    ("FG-FN-019", AWS),
    // Trails are read from CloudFormation and SAM templates (`AWS::CloudTrail::Trail`) and from
    // the live account; serverless.yml and Terraform trails (`resources`, `aws_cloudtrail`)
    // are not loaded yet, so those functions never carry the fact.
    ("FG-FN-020", &[Fmt::Sam, Fmt::Cfn]),
    // IAM rules read the AWS execution role; Azure identities are FG-AZ-002's.
    ("FG-IAM-001", AWS),
    ("FG-IAM-002", AWS),
    ("FG-IAM-003", AWS),
    ("FG-IAM-004", AWS),
    ("FG-IAM-005", AWS),
    ("FG-IAM-006", AWS),
    ("FG-IAM-007", AWS),
    ("FG-IAM-008", AWS),
    ("FG-IAM-009", AWS),
    ("FG-IAM-010", AWS),
    ("FG-IAM-011", AWS),
];

fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Every candidate IaC file under `dir` (recursively), sorted, with paths relative to `base`.
fn collect(base: &Path, dir: &Path, out: &mut Vec<SourceFile>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect(base, &path, out);
        } else if is_candidate_name(&path.file_name().unwrap().to_string_lossy()) {
            out.push(source(base, &path));
        }
    }
}

fn source(base: &Path, path: &Path) -> SourceFile {
    let rel = path
        .strip_prefix(base)
        .unwrap()
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/");
    SourceFile {
        path: rel,
        abs: path.to_path_buf(),
        text: std::fs::read_to_string(path).unwrap(),
    }
}

/// Loads one format's fixture of a rule and runs that rule alone. Returns the snapshot text.
fn run(rule_id: &str, fmt: Fmt) -> String {
    let rule = find_rule(rule_id).unwrap_or_else(|| panic!("no rule {rule_id}"));
    let meta = rule.meta();
    let base = fixtures_root().join(meta.name);
    let entry = base.join(fmt.entry());
    let mut files = Vec::new();
    if entry.is_dir() {
        collect(&base, &entry, &mut files);
    } else {
        files.push(source(&base, &entry));
    }
    let inv = faasguard_iac::load(&files);
    let ctx = format!("{rule_id} {}", fmt.label());
    assert_eq!(inv.diagnostics, vec![], "{ctx}: loader diagnostics");
    assert!(!inv.functions.is_empty(), "{ctx}: no functions loaded");

    let settings = RuleSettings {
        select: BTreeSet::from([meta.id.to_owned()]),
        today: "2026-11-24".to_owned(),
        ..RuleSettings::default()
    };
    let checked = check_inventory(&inv, &settings);
    assert!(
        checked.internal_errors.is_empty(),
        "{:?}",
        checked.internal_errors
    );
    let findings = checked.findings;

    let mut bad = 0;
    let mut good = 0;
    for func in &inv.functions {
        let id = func.display_id();
        let key = func.id.logical_id.to_ascii_lowercase();
        let hits = findings
            .iter()
            .filter(|f| f.function.as_deref() == Some(id.as_str()))
            .count();
        if key.contains("bad") {
            bad += 1;
            assert!(hits > 0, "{ctx}: rule does not fire on {id}");
        } else if key.contains("good") {
            good += 1;
            assert_eq!(hits, 0, "{ctx}: rule fires on {id}: {findings:#?}");
        } else {
            panic!("{ctx}: function {id} is named neither bad nor good");
        }
    }
    assert!(bad > 0 && good > 0, "{ctx}: needs a bad and a good case");
    for f in &findings {
        assert_eq!(f.rule_id, meta.id, "{ctx}: another rule ran");
    }

    let mut text = String::new();
    for f in &findings {
        let line = f
            .location
            .line
            .map_or_else(|| "-".to_owned(), |l| l.to_string());
        writeln!(
            text,
            "{} {}:{} {} {}",
            f.rule_id,
            f.location.file,
            line,
            f.function.as_deref().unwrap_or("-"),
            f.message
        )
        .unwrap();
    }
    text
}

/// Runs every format in the table for one rule and snapshots each.
fn check(rule_id: &str) {
    let (_, formats) = TABLE
        .iter()
        .find(|(id, _)| *id == rule_id)
        .unwrap_or_else(|| panic!("{rule_id} not in TABLE"));
    let name = find_rule(rule_id).unwrap().meta().name;
    for fmt in *formats {
        let text = run(rule_id, *fmt);
        insta::assert_snapshot!(format!("{name}__{}", fmt.label()), text);
    }
}

/// The table names every registered rule exactly once, and each rule's fixture folder holds
/// exactly the formats the table lists (a missing fixture or an unlisted one fails).
#[test]
fn table_covers_every_rule_and_fixture() {
    let registered: Vec<&str> = all_rules().iter().map(|r| r.meta().id).collect();
    let listed: Vec<&str> = TABLE.iter().map(|(id, _)| *id).collect();
    assert_eq!(listed, registered);
    for (id, formats) in TABLE {
        let base = fixtures_root().join(find_rule(id).unwrap().meta().name);
        for fmt in Fmt::ALL {
            let present = base.join(fmt.entry()).exists();
            assert_eq!(
                present,
                formats.contains(&fmt),
                "{id}: fixture {} present={present} but table says {}",
                fmt.entry(),
                formats.contains(&fmt)
            );
        }
    }
}

macro_rules! rule_tests {
    ($($test:ident => $id:literal),* $(,)?) => {
        $(
            /// The rule fires on every `bad` function and on no `good` one in each of its
            /// fixtures, the fixtures load without diagnostics, and the findings match the
            /// reviewed snapshot.
            #[test]
            fn $test() {
                check($id);
            }
        )*
    };
}

rule_tests! {
    az_001_http_trigger_anonymous => "FG-AZ-001",
    az_002_identity_privileged_role => "FG-AZ-002",
    fn_001_runtime_end_of_life => "FG-FN-001",
    fn_002_runtime_deprecation_soon => "FG-FN-002",
    fn_003_function_url_without_auth => "FG-FN-003",
    fn_004_public_invoke_permission => "FG-FN-004",
    fn_005_service_permission_without_source => "FG-FN-005",
    fn_006_missing_reserved_concurrency => "FG-FN-006",
    fn_007_excessive_timeout => "FG-FN-007",
    fn_008_timeout_exceeds_api_gateway => "FG-FN-008",
    fn_009_secret_in_environment => "FG-FN-009",
    fn_010_async_without_dead_letter => "FG-FN-010",
    fn_011_tracing_disabled => "FG-FN-011",
    fn_012_shared_execution_role => "FG-FN-012",
    fn_013_cross_account_layer => "FG-FN-013",
    fn_014_function_url_cors_wildcard => "FG-FN-014",
    fn_015_code_signing_not_configured => "FG-FN-015",
    fn_016_layer_shared_publicly => "FG-FN-016",
    fn_017_environment_without_customer_key => "FG-FN-017",
    fn_018_function_outside_vpc => "FG-FN-018",
    fn_019_no_dead_letter => "FG-FN-019",
    fn_020_invoke_not_logged => "FG-FN-020",
    iam_001_action_wildcard => "FG-IAM-001",
    iam_002_service_wildcard => "FG-IAM-002",
    iam_003_resource_wildcard_on_write => "FG-IAM-003",
    iam_004_allow_not_action => "FG-IAM-004",
    iam_005_allow_not_resource => "FG-IAM-005",
    iam_006_aws_managed_admin_policy => "FG-IAM-006",
    iam_007_aws_managed_full_access_policy => "FG-IAM-007",
    iam_008_privilege_escalation => "FG-IAM-008",
    iam_009_data_exfiltration_on_any_resource => "FG-IAM-009",
    iam_010_credentials_exposure => "FG-IAM-010",
    iam_011_unknown_action => "FG-IAM-011",
}
