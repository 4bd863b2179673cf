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
