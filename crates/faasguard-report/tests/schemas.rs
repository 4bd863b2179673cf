//! Schema checks: the SARIF writer's output against the official SARIF 2.1.0 schema, and the
//! committed JSON report schema against the one derived from the `Report` struct.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod common;

use std::path::PathBuf;

use common::{render, sample_report};
use faasguard_report::{Format, Report, json_schema};
use serde_json::Value;

fn repo_file(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(relative)
}

fn official_sarif_validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(repo_file("schemas/sarif-schema-2.1.0.json")).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap()
}

fn errors(validator: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

/// The SARIF log of a report with findings (with and without a line, inside and outside a
/// function), a suppression and a diagnostic is valid against the official SARIF 2.1.0 schema.
#[test]
fn sarif_is_valid_against_the_official_schema() {
    let validator = official_sarif_validator();
    let sarif: Value = serde_json::from_str(&render(&sample_report(), Format::Sarif)).unwrap();
    assert_eq!(errors(&validator, &sarif), Vec::<String>::new());
    let empty: Value =
        serde_json::from_str(&render(&Report::empty("faasguard", "0.1.0"), Format::Sarif)).unwrap();
    assert_eq!(errors(&validator, &empty), Vec::<String>::new());
}

/// The validator really checks: a result with a bad level and a run without a tool are refused.
#[test]
fn the_official_schema_rejects_broken_sarif() {
    let validator = official_sarif_validator();
    let mut sarif: Value = serde_json::from_str(&render(&sample_report(), Format::Sarif)).unwrap();
    sarif["runs"][0]["results"][0]["level"] = Value::from("fatal");
    assert!(!errors(&validator, &sarif).is_empty());
    let mut sarif: Value = serde_json::from_str(&render(&sample_report(), Format::Sarif)).unwrap();
    sarif["runs"][0].as_object_mut().unwrap().remove("tool");
    assert!(!errors(&validator, &sarif).is_empty());
}

/// The SARIF log carries what GitHub code scanning reads: levels from severities,
/// security-severity on rules, partial fingerprints, relative URIs, regions only when the line is
/// known, the function as a logical location, suppressions, and diagnostics as notifications.
#[test]
fn sarif_content() {
    let report = sample_report();
    let sarif: Value = serde_json::from_str(&render(&report, Format::Sarif)).unwrap();
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 3);
    assert_eq!(rules[0]["id"], "FG-FN-001");
    assert_eq!(rules[0]["defaultConfiguration"]["level"], "error");
    assert_eq!(rules[0]["properties"]["security-severity"], "9.5");
    assert_eq!(
        rules[0]["fullDescription"]["text"],
        "Flags a function URL whose `AuthType` is `NONE`."
    );
    assert_eq!(rules[0]["help"]["markdown"], report.rules[0].docs.as_str());
    assert_eq!(rules[1]["defaultConfiguration"]["level"], "note");

    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 5);
    let by_message = |needle: &str| {
        results
            .iter()
            .find(|r| r["message"]["text"].as_str().unwrap().contains(needle))
            .unwrap()
    };
    let url = by_message("AuthType NONE");
    assert_eq!(url["level"], "error");
    assert_eq!(url["ruleIndex"], 0);
    assert_eq!(
        url["partialFingerprints"]["faasguard/v1"],
        report.findings[2].fingerprint.as_str()
    );
    let physical = &url["locations"][0]["physicalLocation"];
    assert_eq!(physical["artifactLocation"]["uri"], "template.yaml");
    assert_eq!(physical["region"]["startLine"], 14);
    assert_eq!(physical["region"]["startColumn"], 7);
    assert_eq!(
        url["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
        "template.yaml#ApiFunction"
    );

    let no_line = by_message("hello does not enable");
    assert!(
        no_line["locations"][0]["physicalLocation"]
            .get("region")
            .is_none()
    );
    assert_eq!(no_line["level"], "note");

    let loose = by_message("SharedPolicy");
    assert_eq!(
        loose["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "policies/shared%20policy.json"
    );
    assert!(loose["locations"][0].get("logicalLocations").is_none());

    let suppressed = by_message("WorkerFunction");
    assert_eq!(suppressed["suppressions"][0]["kind"], "inSource");
    assert_eq!(
        suppressed["suppressions"][0]["justification"],
        "inline: traces go through the collector layer"
    );

    let invocation = &run["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let notification = &invocation["toolExecutionNotifications"][0];
    assert_eq!(notification["level"], "error");
    assert_eq!(
        notification["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "broken.yaml"
    );
}

/// `schemas/report.schema.json` is exactly the schema derived from the `Report` struct. Set
/// `UPDATE_SCHEMAS=1` to rewrite it after changing the struct (and bump `SCHEMA_VERSION` when
/// the change is incompatible).
#[test]
fn committed_report_schema_matches_the_struct() {
    let path = repo_file("schemas/report.schema.json");
    let generated = format!(
        "{}\n",
        serde_json::to_string_pretty(&json_schema()).unwrap()
    );
    if std::env::var_os("UPDATE_SCHEMAS").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "{} is out of date: run `UPDATE_SCHEMAS=1 cargo test -p faasguard-report --test schemas`",
        path.display()
    );
}

/// The JSON report validates against its own schema, and the schema notices a missing field.
#[test]
fn json_report_is_valid_against_its_schema() {
    let validator = jsonschema::validator_for(&json_schema()).unwrap();
    let json: Value = serde_json::from_str(&render(&sample_report(), Format::Json)).unwrap();
    assert_eq!(errors(&validator, &json), Vec::<String>::new());
    let mut broken = json.clone();
    broken.as_object_mut().unwrap().remove("schema_version");
    assert!(!errors(&validator, &broken).is_empty());
}

/// Serves the CycloneDX schemas' `$ref`s (`spdx.schema.json`, `jsf-0.82.schema.json`) from
/// `schemas/cyclonedx/`, never from the network.
struct LocalCycloneDx;

impl jsonschema::Retrieve for LocalCycloneDx {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let name = uri.as_str().rsplit('/').next().unwrap_or_default();
        let text = std::fs::read_to_string(repo_file(&format!("schemas/cyclonedx/{name}")))?;
        Ok(serde_json::from_str(&text)?)
    }
}

fn package_report() -> Report {
    use faasguard_core::{Location, Severity};
    use faasguard_report::{Advisory, Cvss, PackageEntry};
    let entry = |eco: &str, name: &str, version: &str, purl: &str, file: &str| PackageEntry {
        ecosystem: eco.to_owned(),
        name: name.to_owned(),
        version: version.to_owned(),
        purl: purl.to_owned(),
        location: Location::at(file, 12, 5),
        scope: "prod".to_owned(),
        direct: Some(true),
        origin: "lockfile".to_owned(),
        status: "clean".to_owned(),
        not_checked: None,
        advisories: Vec::new(),
    };
    let mut jose = entry(
        "npm",
        "node-jose",
        "2.2.0",
        "pkg:npm/node-jose@2.2.0",
        "package-lock.json",
    );
    "vulnerable".clone_into(&mut jose.status);
    jose.advisories.push(Advisory {
        id: "GHSA-5h4j-qrvg-9xhw".to_owned(),
        aliases: vec!["CVE-2023-25653".to_owned()],
        summary: "node-jose vulnerable to infinite CPU loop".to_owned(),
        severity: Severity::Medium,
        cvss: Some(Cvss {
            version: "3.1".to_owned(),
            score: 5.3,
            vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L".to_owned(),
        }),
        fixed: Some("2.2.0".to_owned()),
        informational: None,
    });
    let mut dev = entry(
        "Maven",
        "com.amazonaws:aws-lambda-java-core",
        "1.2.3",
        "pkg:maven/com.amazonaws/aws-lambda-java-core@1.2.3",
        "pom.xml",
    );
    "dev".clone_into(&mut dev.scope);
    dev.direct = None;
    let mut report = sample_report();
    report.packages = vec![
        jose,
        dev,
        entry(
            "npm",
            "@aws-sdk/client-s3",
            "3.600.0",
            "pkg:npm/%40aws-sdk/client-s3@3.600.0",
            "package-lock.json",
        ),
    ];
    report
}

/// The CycloneDX writer's output is valid CycloneDX 1.6 (the official schema, its `$ref`s served
/// locally): components with purls, groups and scopes, a vulnerability with ratings, aliases,
/// a recommendation and what it affects; the same report gives the same serial number.
#[test]
fn cyclonedx_is_valid_against_the_official_schema() {
    let text = std::fs::read_to_string(repo_file("schemas/cyclonedx/bom-1.6.schema.json")).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    let validator = jsonschema::options()
        .with_retriever(LocalCycloneDx)
        .build(&schema)
        .unwrap();
    let bom_text = render(&package_report(), Format::CycloneDx);
    let bom: Value = serde_json::from_str(&bom_text).unwrap();
    assert_eq!(errors(&validator, &bom), Vec::<String>::new());
    assert_eq!(bom["components"].as_array().unwrap().len(), 3);
    let maven = bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "aws-lambda-java-core")
        .unwrap();
    assert_eq!(maven["group"], "com.amazonaws");
    assert_eq!(maven["scope"], "excluded");
    let vuln = &bom["vulnerabilities"][0];
    assert_eq!(vuln["id"], "GHSA-5h4j-qrvg-9xhw");
    assert_eq!(vuln["affects"][0]["ref"], "pkg:npm/node-jose@2.2.0");
    assert_eq!(vuln["ratings"][0]["score"], 5.3);
    assert_eq!(render(&package_report(), Format::CycloneDx), bom_text);
    let empty: Value = serde_json::from_str(&render(
        &Report::empty("faasguard", "0.1.0"),
        Format::CycloneDx,
    ))
    .unwrap();
    assert_eq!(errors(&validator, &empty), Vec::<String>::new());
    let mut broken = bom.clone();
    broken["components"][0]["type"] = Value::from("not-a-type");
    assert!(!errors(&validator, &broken).is_empty());
}

/// A data-flow finding's path becomes one SARIF `codeFlows` thread (source to sink), valid
/// against the official schema, and the table prints it step by step.
#[test]
fn flows_become_sarif_code_flows() {
    use faasguard_core::{FlowStep, Location};
    let mut report = sample_report();
    let mut finding = report.findings[0].clone();
    finding.flow = vec![
        FlowStep {
            location: Location::at("src/app.js", 3, 25),
            message: "event.body (source)".to_owned(),
        },
        FlowStep {
            location: Location::at("src/app.js", 4, 9),
            message: "assigned to cmd".to_owned(),
        },
        FlowStep {
            location: Location::at("src/app.js", 5, 3),
            message: "passed to child_process.exec (sink)".to_owned(),
        },
    ];
    report.findings.push(finding);
    let sarif: Value = serde_json::from_str(&render(&report, Format::Sarif)).unwrap();
    assert_eq!(
        errors(&official_sarif_validator(), &sarif),
        Vec::<String>::new()
    );
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let with_flow: Vec<&Value> = results
        .iter()
        .filter(|r| r.get("codeFlows").is_some())
        .collect();
    assert_eq!(
        with_flow.len(),
        1,
        "only the finding with a flow has codeFlows"
    );
    let flow = &with_flow[0]["codeFlows"][0]["threadFlows"][0]["locations"];
    assert_eq!(flow.as_array().unwrap().len(), 3);
    assert_eq!(
        flow[2]["location"]["physicalLocation"]["region"]["startLine"],
        5
    );
    assert_eq!(
        flow[0]["location"]["message"]["text"],
        "event.body (source)"
    );
    let table = render(&report, Format::Table);
    assert!(
        table.contains("flow: src/app.js:3:25  event.body (source)"),
        "{table}"
    );
    assert!(
        table.contains("→ src/app.js:5:3  passed to child_process.exec (sink)"),
        "{table}"
    );
}
