//! `faasguard cloud` end to end against a real moto server on 127.0.0.1 (started by the
//! harness), seeded through aws-sdk-rust; code downloads come from a loopback code server and
//! faults from a loopback proxy. Each test uses its own region so they can share one moto.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod cloud_harness;

use std::collections::HashMap;

use cloud_harness::{
    ACCOUNT, FnSpec, Serve, code_path, code_server, create_function, create_role, faasguard,
    fault_proxy, moto, public_url, publish_layer, put_invocations, reserve_concurrency,
    signing_region, zip_of,
};
use serde_json::Value;

fn json_of(output: &std::process::Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

fn rule_ids(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap().to_owned())
        .collect()
}

/// The inventory lists every column the issue names for a seeded function: account, region,
/// runtime with its end-of-life flag, architecture, memory, timeout, code size, last modified,
/// last invocation from CloudWatch and the days since, role, URL auth type, layers, tags and
/// reserved concurrency 0 (which GetFunction hides); table and CSV carry the same function.
#[test]
fn inventory_lists_every_column() {
    let region = "us-west-1";
    let role = create_role("inv-role", &[], &[]);
    let layer = publish_layer(region, "inv-libs");
    create_function(
        region,
        FnSpec {
            name: "inv-old-node",
            runtime: "nodejs12.x",
            role: &role,
            zip: zip_of(&[("index.js", "exports.handler = async () => 1;\n")]),
            tags: &[("team", "payments")],
            layers: vec![layer.clone()],
            ..FnSpec::default()
        },
    );
    public_url(region, "inv-old-node");
    reserve_concurrency(region, "inv-old-node", 0);
    put_invocations(region, "inv-old-node", "2026-11-20T10:00:00Z", 7);

    let out = faasguard()
        .args([
            "cloud",
            "inventory",
            "--format",
            "json",
            "--regions",
            region,
        ])
        .args(["--endpoint-url", &moto().url])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let inv = json_of(&out);
    assert_eq!(inv["accounts"], serde_json::json!([ACCOUNT]));
    let f = &inv["functions"][0];
    assert_eq!(f["name"], "inv-old-node");
    assert_eq!(f["account"], ACCOUNT);
    assert_eq!(f["region"], region);
    assert_eq!(f["runtime"], "nodejs12.x");
    assert_eq!(f["runtime_status"]["status"], "end-of-life");
    assert_eq!(f["architecture"], "x86_64");
    assert_eq!(f["memory_mb"], 128);
    assert!(f["code_size"].as_i64().unwrap() > 0);
    assert!(f["last_modified"].as_str().unwrap().starts_with("20"));
    assert_eq!(f["last_invocation"], "2026-11-20");
    assert_eq!(f["unused_days"], 4);
    assert_eq!(f["role"], role);
    assert_eq!(f["url_auth_type"], "NONE");
    assert_eq!(f["layers"], serde_json::json!([layer]));
    assert_eq!(f["tags"]["team"], "payments");
    assert_eq!(f["reserved_concurrency"], 0);
    assert!(
        f.get("code_location").is_none(),
        "the presigned URL is never written"
    );

    let csv = faasguard()
        .args(["cloud", "inventory", "--format", "csv", "--regions", region])
        .args(["--endpoint-url", &moto().url])
        .output()
        .unwrap();
    let text = String::from_utf8(csv.stdout).unwrap();
    assert!(text.starts_with("account,region,name,runtime,eol,"));
    assert!(text.contains("inv-old-node,nodejs12.x,end-of-life 2023-03-31,"));
    let table = faasguard()
        .args(["cloud", "inventory", "--regions", region])
        .args(["--endpoint-url", &moto().url])
        .output()
        .unwrap();
    let text = String::from_utf8(table.stdout).unwrap();
    assert!(text.contains("nodejs12.x (EOL 2023-03-31)"), "{text}");
    assert!(
        String::from_utf8_lossy(&table.stderr)
            .contains("read 1 function(s) in 1 account(s) and 1 region(s)")
    );
}

/// `cloud scan` builds the same model as the IaC loaders, so the same rules fire on live
/// configuration: the AWS managed AdministratorAccess policy (read at its default version),
/// the URL-encoded inline policy (decoded), the public URL, the end-of-life runtime and the
/// secret in an environment variable; the downloaded package (served by the loopback code
/// server through --code-endpoint-url, checked against CodeSha256) is scanned for secrets and
/// vulnerable packages (bundled snapshot), found inside the zip; exit code 1 at --fail-on high.
/// Every function of a cloud-scan report carries what the cloud said about it (for assurance
/// and the store).
fn assert_cloud_facts(report: &Value) {
    let functions = report["functions"].as_array().unwrap();
    assert!(!functions.is_empty());
    for f in functions {
        let cloud = &f["cloud"];
        assert_eq!(cloud["account"], ACCOUNT, "{f}");
        let arn = cloud["arn"].as_str().unwrap();
        assert!(arn.starts_with("arn:aws:lambda:"), "{f}");
        assert!(cloud["code_sha256"].is_string(), "{f}");
    }
}

#[test]
fn scan_runs_the_iac_rules_and_scans_downloaded_code() {
    let region = "us-west-2";
    let role = create_role(
        "scan-admin-role",
        &["AdministratorAccess"],
        &[(
            "pass-any-role",
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"}]}"#,
        )],
    );
    let key_line = format!("const key = '{}{}';\n", "AKIA", "Q3EGV7K2MZ4R5X6T");
    let zip = zip_of(&[
        (
            "app.js",
            &format!("{key_line}exports.handler = async () => key.length;\n"),
        ),
        ("requirements.txt", "jsonpickle==1.4.1\n"),
    ]);
    create_function(
        region,
        FnSpec {
            name: "scan-bad",
            runtime: "nodejs12.x",
            role: &role,
            zip: zip.clone(),
            env: &[("DB_PASSWORD", "hunter2hunter2")],
            ..FnSpec::default()
        },
    );
    public_url(region, "scan-bad");
    let server = code_server(HashMap::from([(
        code_path(region, "scan-bad"),
        Serve::Bytes(zip),
    )]));

    let out = faasguard()
        .args(["cloud", "scan", "--format", "json", "--regions", region])
        .args([
            "--endpoint-url",
            &moto().url,
            "--code-endpoint-url",
            &server.url,
        ])
        .output()
        .unwrap();
    let report = json_of(&out);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(report["diagnostics"], serde_json::json!([]));
    assert_cloud_facts(&report);
    let ids = rule_ids(&report);
    for id in [
        "FG-IAM-006",
        "FG-IAM-003",
        "FG-FN-003",
        "FG-FN-001",
        "FG-FN-009",
    ] {
        assert!(ids.iter().any(|i| i == id), "{id} missing from {ids:?}");
    }
    let inline = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "FG-IAM-003")
        .unwrap();
    assert_eq!(inline["location"]["file"], format!("{role}#pass-any-role"));
    let secret = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"].as_str().unwrap().starts_with("FG-SEC"))
        .expect("the key in the package is found");
    let arn = format!("arn:aws:lambda:{region}:{ACCOUNT}:function:scan-bad");
    assert_eq!(secret["location"]["file"], format!("{arn}.zip!/app.js"));
    assert_eq!(secret["function"], format!("{ACCOUNT}/{region}/scan-bad"));
    assert_eq!(server.hits.load(std::sync::atomic::Ordering::SeqCst), 1);
    let vulnerable = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| {
            f["rule_id"] == "FG-DEP-001" && f["message"].as_str().unwrap().contains("PYSEC-2020-49")
        })
        .expect("the pinned jsonpickle in the package is checked against the bundled snapshot");
    assert_eq!(
        vulnerable["location"]["file"],
        format!("{arn}.zip!/requirements.txt")
    );
    assert_eq!(
        vulnerable["function"],
        format!("{ACCOUNT}/{region}/scan-bad")
    );
}

/// A truncated download and a package that is not the deployed one (digest mismatch) are
/// reported as diagnostics naming the function (exit 2), and the third function's package
/// is still scanned.
#[test]
fn scan_rejects_truncated_and_altered_packages() {
    let region = "eu-west-2";
    let role = create_role("integrity-dl-role", &[], &[]);
    let mut routes = HashMap::new();
    for (name, serve) in [("dl-truncated", 0), ("dl-altered", 1), ("dl-good", 2)] {
        let zip = zip_of(&[(
            "app.py",
            &format!("NAME = '{name}'\n\ndef handler(event, context):\n    return NAME\n"),
        )]);
        create_function(
            region,
            FnSpec {
                name,
                runtime: "python3.12",
                role: &role,
                zip: zip.clone(),
                ..FnSpec::default()
            },
        );
        let served = match serve {
            0 => Serve::Truncated(zip),
            1 => Serve::Bytes(zip_of(&[("app.py", "NAME = 'swapped'\n")])),
            _ => Serve::Bytes(zip),
        };
        routes.insert(code_path(region, name), served);
    }
    let server = code_server(routes);
    let out = faasguard()
        .args(["cloud", "scan", "--format", "json", "--regions", region])
        .args([
            "--endpoint-url",
            &moto().url,
            "--code-endpoint-url",
            &server.url,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let report = json_of(&out);
    let diags: Vec<(String, String)> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["location"]["file"].as_str().unwrap().to_owned(),
                d["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(diags.len(), 2, "{diags:?}");
    let altered = diags
        .iter()
        .find(|(f, _)| f.ends_with(":dl-altered"))
        .unwrap();
    assert!(
        altered.1.contains("does not match CodeSha256"),
        "{altered:?}"
    );
    let truncated = diags
        .iter()
        .find(|(f, _)| f.ends_with(":dl-truncated"))
        .unwrap();
    assert!(
        truncated.1.starts_with("code not scanned:"),
        "{truncated:?}"
    );
    assert_eq!(
        report["code"]["archives"], 1,
        "only the good package was scanned"
    );
}

/// Through a fault-injecting proxy: throttling (429) and server errors (500) on the first
/// calls are retried (adaptive retry) and the inventory is complete; ListFunctions failing for
/// one region becomes an error entry for that region while the other region is read; access
/// denied on GetPolicy for one function leaves the function reported with what could not be
/// read. Exit code 2 (something could not be assessed).
#[test]
fn faults_are_retried_or_reported_and_the_rest_goes_on() {
    let (good, bad) = ("ap-south-1", "eu-central-1");
    let role = create_role("faults-role", &[], &[]);
    for region in [good, bad] {
        create_function(
            region,
            FnSpec {
                name: "faults-fn",
                runtime: "python3.12",
                role: &role,
                zip: zip_of(&[("app.py", "X = 1\n")]),
                ..FnSpec::default()
            },
        );
    }
    let seen = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let throttled_list = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = seen.clone();
    let lists = throttled_list.clone();
    let json = "application/json";
    let xml = "text/xml";
    let proxy = fault_proxy(Box::new(move |line: &str, head: &str, _body: &[u8]| {
        let n = counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let region = signing_region(head).unwrap_or_default();
        // The first calls are STS GetCallerIdentity (Query protocol, XML errors).
        if n < 1 {
            return Some((400, xml, "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error></ErrorResponse>".to_owned()));
        }
        if n == 1 {
            return Some((500, xml, "<ErrorResponse><Error><Type>Receiver</Type><Code>InternalFailure</Code><Message>injected</Message></Error></ErrorResponse>".to_owned()));
        }
        let path = line.split_whitespace().nth(1).unwrap_or_default();
        let listing = matches!(
            path.split('?').next(),
            Some("/2015-03-31/functions" | "/2015-03-31/functions/")
        );
        if region == bad && listing {
            // What a region that is not enabled for the account answers.
            return Some((403, json, r#"{"__type":"UnrecognizedClientException","message":"The security token included in the request is invalid."}"#.to_owned()));
        }
        if region == good && listing && lists.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0
        {
            return Some((429, json, r#"{"__type":"TooManyRequestsException","message":"Rate exceeded","Reason":"CallerRateLimitExceeded"}"#.to_owned()));
        }
        if region == good && line.contains("/policy") {
            return Some((403, json, r#"{"__type":"AccessDeniedException","Message":"not authorized to perform lambda:GetPolicy"}"#.to_owned()));
        }
        None
    }));
    let out = faasguard()
        .args(["cloud", "inventory", "--format", "json"])
        .args(["--regions", &format!("{good},{bad}"), "--max-attempts", "5"])
        .args(["--endpoint-url", &proxy.url])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let inv = json_of(&out);
    let functions = inv["functions"].as_array().unwrap();
    assert_eq!(functions.len(), 1, "{inv}");
    assert_eq!(functions[0]["region"], good);
    let problems = functions[0]["problems"].as_array().unwrap();
    assert!(
        problems.iter().any(|p| p
            .as_str()
            .unwrap()
            .starts_with("GetPolicy faults-fn: AccessDeniedException")),
        "{problems:?}"
    );
    let errors = inv["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["region"], bad);
    assert_eq!(errors[0]["operation"], "ListFunctions");
    assert!(proxy.injected.load(std::sync::atomic::Ordering::SeqCst) >= 5);
    assert_eq!(
        throttled_list.load(std::sync::atomic::Ordering::SeqCst),
        2,
        "the throttled listing was retried once"
    );
    assert!(stderr.contains("ListFunctions failed"), "{stderr}");
}

/// `scan --record` writes the SHA-256 (base64, CodeSha256's form) of each zip package it
/// scanned; `cloud scan --expect` then reports FG-INT-001 for exactly the deployed function
/// whose package no scan recorded.
#[test]
fn record_then_expect_flags_code_changed_outside_the_pipeline() {
    let region = "ca-central-1";
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    let built = zip_of(&[("app.py", "def handler(e, c):\n    return 'built'\n")]);
    std::fs::write(dir.path().join("function.zip"), &built).unwrap();
    let record = dir.path().join("digests.json");
    let out = faasguard()
        .args(["scan", "--format", "json", "--record"])
        .arg(&record)
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let recorded: Value = serde_json::from_slice(&std::fs::read(&record).unwrap()).unwrap();
    assert_eq!(recorded["packages"][0]["path"], "function.zip");

    let role = create_role("integrity-role", &[], &[]);
    for (name, zip) in [
        ("int-from-pipeline", built),
        (
            "int-hotfixed",
            zip_of(&[("app.py", "def handler(e, c):\n    return 'hotfix'\n")]),
        ),
    ] {
        create_function(
            region,
            FnSpec {
                name,
                runtime: "python3.12",
                role: &role,
                zip,
                ..FnSpec::default()
            },
        );
    }
    let out = faasguard()
        .args([
            "cloud",
            "scan",
            "--format",
            "json",
            "--no-code",
            "--select",
            "FG-INT-001",
        ])
        .args([
            "--regions",
            region,
            "--endpoint-url",
            &moto().url,
            "--expect",
        ])
        .arg(&record)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = json_of(&out);
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0]["rule_id"], "FG-INT-001");
    assert_eq!(
        findings[0]["function"],
        format!("{ACCOUNT}/{region}/int-hotfixed")
    );
    let listed = faasguard().args(["rules", "FG-INT-001"]).output().unwrap();
    assert!(String::from_utf8_lossy(&listed.stdout).contains("deployed-code-not-recorded"));
}

/// `--assume-role` reads another account (moto maps assumed-role credentials to the role's
/// account), and only that account when no other is asked for.
#[test]
fn assume_role_reads_another_account() {
    let region = "sa-east-1";
    let other = "210987654321";
    cloud_harness::seed_account(other, region, "other-account-fn");
    let out = faasguard()
        .args([
            "cloud",
            "inventory",
            "--format",
            "json",
            "--regions",
            region,
        ])
        .args(["--assume-role", &format!("arn:aws:iam::{other}:role/Audit")])
        .args(["--endpoint-url", &moto().url])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let inv = json_of(&out);
    assert_eq!(inv["accounts"], serde_json::json!([other]));
    assert_eq!(inv["functions"][0]["account"], other);
    assert_eq!(inv["functions"][0]["name"], "other-account-fn");
}

/// `--regions all` reads every region EC2 DescribeRegions lists for the account.
#[test]
fn all_regions_are_the_enabled_regions() {
    let region = "ap-northeast-1";
    let role = create_role("all-regions-role", &[], &[]);
    create_function(
        region,
        FnSpec {
            name: "all-regions-fn",
            runtime: "python3.12",
            role: &role,
            zip: zip_of(&[("app.py", "X = 1\n")]),
            ..FnSpec::default()
        },
    );
    let out = faasguard()
        .args(["cloud", "inventory", "--format", "json", "--regions", "all"])
        .args(["--endpoint-url", &moto().url])
        .output()
        .unwrap();
    let inv = json_of(&out);
    let regions = inv["regions"].as_array().unwrap();
    assert!(regions.len() >= 16, "{regions:?}");
    assert!(regions.iter().any(|r| r == region));
    assert!(inv["accounts"] == serde_json::json!([ACCOUNT]));
    assert!(
        inv["functions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["name"] == "all-regions-fn" && f["region"] == region)
    );
}

/// `--org-role` lists the organisation's accounts (Organizations ListAccounts) and reads each;
/// the caller's own (management) account is read with the caller's credentials.
#[test]
fn org_role_reads_the_organisation() {
    let region = "eu-north-1";
    // An organisation with the caller's account only: --org-role reads it with the caller's
    // credentials (no role to assume in the management account itself).
    let body = r#"{"FeatureSet":"ALL"}"#;
    let (status, _) = cloud_harness::http_request(
        "POST",
        &format!("{}/", moto().url),
        &[
            ("Content-Type", "application/x-amz-json-1.1"),
            ("X-Amz-Target", "AWSOrganizationsV20161128.CreateOrganization"),
            (
                "Authorization",
                "AWS4-HMAC-SHA256 Credential=AKIAFAKEFAKEFAKE0000/20261124/us-east-1/organizations/aws4_request, SignedHeaders=host, Signature=0",
            ),
        ],
        body.as_bytes(),
    )
    .unwrap();
    assert!(
        status == 200 || status == 400,
        "CreateOrganization answered {status}"
    );
    let out = faasguard()
        .args([
            "cloud",
            "inventory",
            "--format",
            "json",
            "--regions",
            region,
        ])
        .args([
            "--org-role",
            "OrganizationAccountAccessRole",
            "--endpoint-url",
            &moto().url,
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let inv = json_of(&out);
    assert!(
        inv["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a == ACCOUNT),
        "{inv}"
    );
}

/// Without credentials (none in the environment, no profile, instance metadata off) the
/// command says which call failed and why, and exits 2; no function is invented.
#[test]
fn missing_credentials_is_a_clear_error() {
    let out = faasguard()
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .args([
            "cloud",
            "inventory",
            "--format",
            "json",
            "--regions",
            "us-east-1",
        ])
        .args(["--endpoint-url", &moto().url, "--max-attempts", "1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("GetCallerIdentity failed"), "{stderr}");
    assert_eq!(json_of(&out)["functions"], serde_json::json!([]));
}

/// A layer's package is downloaded once, checked against its CodeSha256 and scanned: a key in
/// it is reported inside `<layer ARN>.zip`, for the one function that uses the layer. (moto
/// answers `GetLayerVersionByArn` with 500 and `GetLayerVersion` with an empty `s3://`
/// location, which the code endpoint override maps to `/` on the code server.)
#[test]
fn layer_packages_are_downloaded_and_scanned() {
    let region = "ap-southeast-2";
    let role = create_role("layer-role", &[], &[]);
    let key_line = format!("TOKEN = '{}{}'\n", "AKIA", "Z7QW3ERT5YUI2OPA");
    let layer_zip = zip_of(&[("python/settings.py", &key_line)]);
    let layer = cloud_harness::publish_layer_zip(region, "layer-with-key", layer_zip.clone());
    let code = zip_of(&[("app.py", "def handler(e, c):\n    return 1\n")]);
    create_function(
        region,
        FnSpec {
            name: "layer-user",
            runtime: "python3.12",
            role: &role,
            zip: code.clone(),
            layers: vec![layer.clone()],
            ..FnSpec::default()
        },
    );
    let server = code_server(HashMap::from([
        (code_path(region, "layer-user"), Serve::Bytes(code)),
        ("/".to_owned(), Serve::Bytes(layer_zip)),
    ]));
    let out = faasguard()
        .args(["cloud", "scan", "--format", "json", "--regions", region])
        .args(["--select", "FG-SEC", "--max-attempts", "2"])
        .args([
            "--endpoint-url",
            &moto().url,
            "--code-endpoint-url",
            &server.url,
        ])
        .output()
        .unwrap();
    let report = json_of(&out);
    assert_eq!(report["diagnostics"], serde_json::json!([]), "{report}");
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(
        findings[0]["location"]["file"],
        format!("{layer}.zip!/python/settings.py")
    );
    assert_eq!(
        findings[0]["function"],
        format!("{ACCOUNT}/{region}/layer-user")
    );
    assert_eq!(report["code"]["archives"], 2);
}

/// Role resolution follows AWS: a customer managed policy is read at its *default* version
/// (v2 `s3:*`, not the older v1 `*`), and the permissions boundary caps what the reachability
/// rules see (privilege escalation through the inline PassRole + CreateFunction fires only on the
/// role without a boundary), while statement rules still report what is written.
#[test]
fn roles_use_default_versions_and_boundaries() {
    let region = "eu-west-3";
    let iam = aws_sdk_iam::Client::new(&cloud_harness::sdk_config("us-east-1"));
    let policy_arn = cloud_harness::create_policy(
        "versioned-policy",
        &[
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#,
        ],
    );
    let boundary_arn = cloud_harness::create_policy(
        "read-only-boundary",
        &[
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#,
        ],
    );
    let escalate = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:PassRole","lambda:CreateFunction","lambda:InvokeFunction"],"Resource":"*"}]}"#;
    for (role_name, bounded) in [("bounded-role", true), ("unbounded-role", false)] {
        let role = create_role(role_name, &[], &[("escalate", escalate)]);
        cloud_harness::runtime().block_on(async {
            iam.attach_role_policy()
                .role_name(role_name)
                .policy_arn(&policy_arn)
                .send()
                .await
                .unwrap();
            if bounded {
                iam.put_role_permissions_boundary()
                    .role_name(role_name)
                    .permissions_boundary(&boundary_arn)
                    .send()
                    .await
                    .unwrap();
            }
        });
        create_function(
            region,
            FnSpec {
                name: role_name.trim_end_matches("-role"),
                runtime: "python3.12",
                role: &role,
                zip: zip_of(&[("app.py", "X = 1\n")]),
                ..FnSpec::default()
            },
        );
    }
    let out = faasguard()
        .args([
            "cloud",
            "scan",
            "--format",
            "json",
            "--no-code",
            "--select",
            "FG-IAM",
        ])
        .args(["--regions", region, "--endpoint-url", &moto().url])
        .output()
        .unwrap();
    let report = json_of(&out);
    assert_eq!(report["diagnostics"], serde_json::json!([]), "{report}");
    let findings = report["findings"].as_array().unwrap();
    let has = |rule: &str, function: &str, file: Option<&str>| {
        findings.iter().any(|f| {
            f["rule_id"] == rule
                && f["function"] == format!("{ACCOUNT}/{region}/{function}")
                && file.is_none_or(|file| f["location"]["file"] == file)
        })
    };
    for function in ["bounded", "unbounded"] {
        assert!(
            has("FG-IAM-002", function, Some(&policy_arn)),
            "{findings:?}"
        );
        assert!(
            !has("FG-IAM-001", function, None),
            "v1 is not the default: {findings:?}"
        );
        assert!(has("FG-IAM-003", function, None), "{findings:?}");
    }
    assert!(has("FG-IAM-008", "unbounded", None), "{findings:?}");
    assert!(
        !has("FG-IAM-008", "bounded", None),
        "the boundary caps escalation: {findings:?}"
    );
}

/// Access denied on one IAM call (the inline policy) leaves the role with what could be read
/// (the AWS managed policy still fires FG-IAM-006) and says what is missing (exit 2).
#[test]
fn denied_iam_call_keeps_the_rest_of_the_role() {
    let region = "ap-northeast-2";
    let role = create_role(
        "denied-inline-role",
        &["AdministratorAccess"],
        &[(
            "secret-inline",
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#,
        )],
    );
    create_function(
        region,
        FnSpec {
            name: "denied-inline",
            runtime: "python3.12",
            role: &role,
            zip: zip_of(&[("app.py", "X = 1\n")]),
            ..FnSpec::default()
        },
    );
    let proxy = fault_proxy(Box::new(|_line: &str, _head: &str, body: &[u8]| {
        let body = String::from_utf8_lossy(body);
        body.contains("Action=GetRolePolicy").then(|| {
            (
                403,
                "text/xml",
                "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not authorized to perform iam:GetRolePolicy</Message></Error></ErrorResponse>".to_owned(),
            )
        })
    }));
    let out = faasguard()
        .args([
            "cloud",
            "scan",
            "--format",
            "json",
            "--no-code",
            "--select",
            "FG-IAM-006",
        ])
        .args(["--regions", region, "--endpoint-url", &proxy.url])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let report = json_of(&out);
    assert_eq!(rule_ids(&report), ["FG-IAM-006"]);
    let messages: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(
        messages[0].contains("GetRolePolicy denied-inline-role/secret-inline: AccessDenied"),
        "{messages:?}"
    );
}

/// A corrupt package (zip magic, then garbage) is a diagnostic naming the entry it could not
/// read, and a package over `--max-code-mib` is not downloaded at all (announced length
/// checked first): both exit 2 while the configuration rules still run.
#[test]
fn corrupt_and_oversized_packages_are_reported() {
    let region = "us-east-2";
    let role = create_role("corrupt-role", &[], &[]);
    let mut corrupt = b"PK\x03\x04".to_vec();
    corrupt.extend_from_slice(&[0xAB; 64]);
    create_function(
        region,
        FnSpec {
            name: "corrupt-zip",
            runtime: "nodejs12.x",
            role: &role,
            zip: corrupt.clone(),
            ..FnSpec::default()
        },
    );
    let server = code_server(HashMap::from([(
        code_path(region, "corrupt-zip"),
        Serve::Bytes(corrupt),
    )]));
    let run = |max_mib: &str| {
        let out = faasguard()
            .args(["cloud", "scan", "--format", "json", "--regions", region])
            .args(["--max-code-mib", max_mib])
            .args([
                "--endpoint-url",
                &moto().url,
                "--code-endpoint-url",
                &server.url,
            ])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        json_of(&out)
    };
    let report = run("1");
    let arn = format!("arn:aws:lambda:{region}:{ACCOUNT}:function:corrupt-zip");
    // The secret scan cannot read the archive; the injection analysis then finds no handler in
    // it. Both name the function (its ARN, or its package).
    let diagnostics = report["diagnostics"].as_array().unwrap();
    assert!(
        diagnostics
            .iter()
            .any(|d| d["location"]["file"] == format!("{arn}.zip")
                && d["message"]
                    .as_str()
                    .unwrap()
                    .starts_with("cannot read zip archive")),
        "{diagnostics:?}"
    );
    for d in diagnostics {
        let file = d["location"]["file"].as_str().unwrap();
        assert!(file.starts_with(&arn), "{diagnostics:?}");
    }
    assert!(rule_ids(&report).iter().any(|r| r == "FG-FN-001"));
    let hits_before = server.hits.load(std::sync::atomic::Ordering::SeqCst);
    let report = run("0");
    let diagnostics = report["diagnostics"].as_array().unwrap();
    assert_eq!(diagnostics[0]["location"]["file"], arn.as_str());
    assert!(
        diagnostics[0]["message"]
            .as_str()
            .unwrap()
            .contains("larger than 0 bytes"),
        "{diagnostics:?}"
    );
    assert_eq!(
        server.hits.load(std::sync::atomic::Ordering::SeqCst),
        hits_before + 1,
        "exactly one request for the oversized package"
    );
}

/// `cloud scan` writes SARIF like `scan`: version 2.1.0, one result per finding of the JSON
/// report, located at the function ARN.
#[test]
fn scan_writes_sarif() {
    let region = "eu-south-1";
    let role = create_role("sarif-role", &["AdministratorAccess"], &[]);
    create_function(
        region,
        FnSpec {
            name: "sarif-fn",
            runtime: "nodejs12.x",
            role: &role,
            zip: zip_of(&[("index.js", "exports.handler = async () => 1;\n")]),
            ..FnSpec::default()
        },
    );
    let run = |format: &str| {
        let out = faasguard()
            .args([
                "cloud",
                "scan",
                "--no-code",
                "--format",
                format,
                "--regions",
                region,
            ])
            .args(["--endpoint-url", &moto().url])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        json_of(&out)
    };
    let report = run("json");
    let sarif = run("sarif");
    assert_eq!(sarif["version"], "2.1.0");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), report["findings"].as_array().unwrap().len());
    assert!(results.len() >= 2, "{results:?}");
}

/// Triggers that only appear in the resource policy (an S3 bucket allowed to invoke) make the
/// function asynchronously invoked, so the dead-letter rule applies — and an on-failure
/// destination (GetFunctionEventInvokeConfig) satisfies it, as in IaC; a service principal
/// without SourceArn/SourceAccount is reported.
#[test]
fn policy_triggers_and_destinations() {
    let region = "ca-west-1";
    let role = create_role("trigger-role", &[], &[]);
    let lambda = aws_sdk_lambda::Client::new(&cloud_harness::sdk_config(region));
    for (name, conditions, destination) in [
        ("s3-no-dlq", true, false),
        ("s3-with-destination", true, true),
        ("s3-any-source", false, true),
    ] {
        create_function(
            region,
            FnSpec {
                name,
                runtime: "python3.12",
                role: &role,
                zip: zip_of(&[("app.py", "X = 1\n")]),
                ..FnSpec::default()
            },
        );
        cloud_harness::runtime().block_on(async {
            let mut permission = lambda
                .add_permission()
                .function_name(name)
                .statement_id("s3-invoke")
                .action("lambda:InvokeFunction")
                .principal("s3.amazonaws.com");
            if conditions {
                permission = permission
                    .source_arn("arn:aws:s3:::uploads-bucket")
                    .source_account(ACCOUNT);
            }
            permission.send().await.unwrap();
            if destination {
                lambda
                    .put_function_event_invoke_config()
                    .function_name(name)
                    .destination_config(
                        aws_sdk_lambda::types::DestinationConfig::builder()
                            .on_failure(
                                aws_sdk_lambda::types::OnFailure::builder()
                                    .destination(format!("arn:aws:sqs:{region}:{ACCOUNT}:failed"))
                                    .build(),
                            )
                            .build(),
                    )
                    .send()
                    .await
                    .unwrap();
            }
        });
    }
    let out = faasguard()
        .args([
            "cloud",
            "scan",
            "--format",
            "json",
            "--no-code",
            "--select",
            "FG-FN-010,FG-FN-005",
        ])
        .args(["--regions", region, "--endpoint-url", &moto().url])
        .output()
        .unwrap();
    let report = json_of(&out);
    assert_eq!(report["diagnostics"], serde_json::json!([]), "{report}");
    let mut found: Vec<(String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_owned(),
                f["function"]
                    .as_str()
                    .unwrap()
                    .rsplit('/')
                    .next()
                    .unwrap()
                    .to_owned(),
            )
        })
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            ("FG-FN-005".to_owned(), "s3-any-source".to_owned()),
            ("FG-FN-010".to_owned(), "s3-no-dlq".to_owned()),
        ]
    );
}

/// `RULE function-name` of every finding of a `--no-code` cloud scan of `region` with
/// `--select select`, sorted; the scan must have no diagnostics.
fn rule_and_function(region: &str, select: &str) -> Vec<String> {
    let out = faasguard()
        .args([
            "cloud",
            "scan",
            "--format",
            "json",
            "--no-code",
            "--select",
            select,
        ])
        .args(["--regions", region, "--endpoint-url", &moto().url])
        .output()
        .unwrap();
    let report = json_of(&out);
    assert_eq!(report["diagnostics"], serde_json::json!([]), "{report}");
    let mut found: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let function = f["function"].as_str().unwrap().rsplit('/').next().unwrap();
            format!("{} {function}", f["rule_id"].as_str().unwrap())
        })
        .collect();
    found.sort();
    found
}

/// FG-FN-020 reads the region's trails: a logging trail whose advanced selector names one
/// function covers it and not its neighbour; a stopped trail with an all-functions selector
/// covers nothing. The opt-in rules run only when selected: FG-FN-019 then also reads the
/// event-invoke configuration of functions without an asynchronous trigger, so an on-failure
/// destination counts; FG-FN-018 reports the function outside a VPC. FG-FN-017 reports the
/// function with variables and no key.
#[test]
fn trails_and_opt_in_rules() {
    let region = "eu-south-2";
    let role = create_role("trail-role", &[], &[]);
    let mut arns = HashMap::new();
    for name in ["logged-fn", "unlogged-fn"] {
        let arn = create_function(
            region,
            FnSpec {
                name,
                runtime: "python3.12",
                role: &role,
                zip: zip_of(&[("app.py", "X = 1\n")]),
                env: &[("STAGE", "prod")],
                ..FnSpec::default()
            },
        );
        arns.insert(name, arn);
    }
    let lambda = aws_sdk_lambda::Client::new(&cloud_harness::sdk_config(region));
    cloud_harness::runtime().block_on(async {
        lambda
            .put_function_event_invoke_config()
            .function_name("logged-fn")
            .destination_config(
                aws_sdk_lambda::types::DestinationConfig::builder()
                    .on_failure(
                        aws_sdk_lambda::types::OnFailure::builder()
                            .destination(format!("arn:aws:sqs:{region}:{ACCOUNT}:failed"))
                            .build(),
                    )
                    .build(),
            )
            .send()
            .await
            .unwrap();
    });
    cloud_harness::create_bucket("trail-logs-eu-south-2");
    let trail = |name: &str, selectors: serde_json::Value, start: bool| {
        cloud_harness::create_trail(region, name, "trail-logs-eu-south-2", &selectors, start);
    };
    trail(
        "one-function",
        serde_json::json!({"AdvancedEventSelectors": [{"Name": "logged", "FieldSelectors": [
            {"Field": "eventCategory", "Equals": ["Data"]},
            {"Field": "resources.type", "Equals": ["AWS::Lambda::Function"]},
            {"Field": "resources.ARN", "Equals": [arns["logged-fn"]]}]}]}),
        true,
    );
    trail(
        "stopped",
        serde_json::json!({"EventSelectors": [{"ReadWriteType": "All", "DataResources": [
            {"Type": "AWS::Lambda::Function", "Values": ["arn:aws:lambda"]}]}]}),
        false,
    );
    let run = |select: &str| rule_and_function(region, select);
    assert_eq!(run("FG-FN-020"), ["FG-FN-020 unlogged-fn"]);
    assert_eq!(
        run("FG-FN-017,FG-FN-018,FG-FN-019"),
        [
            "FG-FN-017 logged-fn",
            "FG-FN-017 unlogged-fn",
            "FG-FN-018 logged-fn",
            "FG-FN-018 unlogged-fn",
            "FG-FN-019 unlogged-fn",
        ]
    );
    // A family selection leaves the opt-in rules off.
    let family = run("FG-FN");
    assert!(
        !family
            .iter()
            .any(|f| f.starts_with("FG-FN-018") || f.starts_with("FG-FN-019")),
        "{family:?}"
    );
    assert!(
        family.contains(&"FG-FN-020 unlogged-fn".to_owned()),
        "{family:?}"
    );
}

/// `--profile` reads credentials from the shared credentials file (no credentials in the
/// environment); a profile that does not exist is a clear error, not a silent fallback.
#[test]
fn profile_credentials_are_used() {
    let dir = tempfile::tempdir().unwrap();
    let credentials = dir.path().join("credentials");
    std::fs::write(
        &credentials,
        format!(
            "[fgtest]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
            cloud_harness::ACCESS_KEY,
            cloud_harness::SECRET_KEY
        ),
    )
    .unwrap();
    let run = |profile: &str| {
        faasguard()
            .env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_SECRET_ACCESS_KEY")
            .env("AWS_SHARED_CREDENTIALS_FILE", &credentials)
            .args([
                "cloud",
                "inventory",
                "--format",
                "json",
                "--regions",
                "us-east-1",
            ])
            .args(["--profile", profile, "--max-attempts", "1"])
            .args(["--endpoint-url", &moto().url])
            .output()
            .unwrap()
    };
    let out = run("fgtest");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(json_of(&out)["accounts"], serde_json::json!([ACCOUNT]));
    let out = run("no-such-profile");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("GetCallerIdentity failed"), "{stderr}");
    assert!(stderr.contains("no-such-profile"), "{stderr}");
}

/// The injection analysis runs on the downloaded package of a function: the handler named by
/// the live configuration (`app.handler`) passes the event to `os.system`, reported as
/// FG-INJ-001 of the function inside `<ARN>.zip`, at the sink line.
#[test]
fn injection_analysis_runs_on_downloaded_code() {
    let region = "il-central-1";
    let role = create_role("injection-role", &[], &[]);
    let code = zip_of(&[(
        "app.py",
        "import os\n\n\ndef handler(event, context):\n    name = event[\"queryStringParameters\"][\"file\"]\n    os.system(\"convert /tmp/\" + name + \" out.png\")\n    return {\"statusCode\": 200}\n",
    )]);
    create_function(
        region,
        FnSpec {
            name: "inj-fn",
            runtime: "python3.12",
            role: &role,
            zip: code.clone(),
            ..FnSpec::default()
        },
    );
    let server = code_server(HashMap::from([(
        code_path(region, "inj-fn"),
        Serve::Bytes(code),
    )]));
    let out = faasguard()
        .args(["cloud", "scan", "--format", "json", "--scanners", "sast"])
        .args(["--regions", region, "--endpoint-url", &moto().url])
        .args(["--code-endpoint-url", &server.url])
        .output()
        .unwrap();
    let report = json_of(&out);
    assert_eq!(report["diagnostics"], serde_json::json!([]), "{report}");
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{findings:?}");
    let arn = format!("arn:aws:lambda:{region}:{ACCOUNT}:function:inj-fn");
    assert_eq!(findings[0]["rule_id"], "FG-INJ-001");
    assert_eq!(
        findings[0]["function"],
        format!("{ACCOUNT}/{region}/inj-fn")
    );
    assert_eq!(
        findings[0]["location"]["file"],
        format!("{arn}.zip!/app.py")
    );
    assert_eq!(findings[0]["location"]["line"], 6);
}

/// Account-level failures are clear errors, not empty inventories: expired credentials
/// (STS `ExpiredToken`) and `--regions all` when EC2 DescribeRegions is denied.
#[test]
fn expired_credentials_and_denied_region_listing() {
    let expired = fault_proxy(Box::new(|_line: &str, _head: &str, body: &[u8]| {
        String::from_utf8_lossy(body)
            .contains("Action=GetCallerIdentity")
            .then(|| {
                (
                    403,
                    "text/xml",
                    "<ErrorResponse><Error><Type>Sender</Type><Code>ExpiredToken</Code><Message>The security token included in the request is expired</Message></Error></ErrorResponse>".to_owned(),
                )
            })
    }));
    let out = faasguard()
        .args([
            "cloud",
            "inventory",
            "--format",
            "json",
            "--regions",
            "us-east-1",
        ])
        .args(["--endpoint-url", &expired.url])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("GetCallerIdentity failed: ExpiredToken: The security token included in the request is expired"),
        "{stderr}"
    );

    let denied = fault_proxy(Box::new(|_line: &str, _head: &str, body: &[u8]| {
        String::from_utf8_lossy(body)
            .contains("Action=DescribeRegions")
            .then(|| {
                (
                    403,
                    "text/xml",
                    "<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not authorized to perform this operation.</Message></Error></Errors></Response>".to_owned(),
                )
            })
    }));
    let out = faasguard()
        .args(["cloud", "inventory", "--format", "json", "--regions", "all"])
        .args(["--endpoint-url", &denied.url])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let inv = json_of(&out);
    assert_eq!(inv["errors"][0]["operation"], "DescribeRegions");
    assert_eq!(
        inv["errors"][0]["message"],
        "HTTP 403: UnauthorizedOperation: You are not authorized to perform this operation."
    );
    assert_eq!(inv["functions"], serde_json::json!([]));
}
