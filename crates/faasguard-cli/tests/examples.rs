//! The bundled example apps (`examples/`) give exactly the findings their READMEs describe.
//!
//! Each example is copied into a fresh temporary repository (so no configuration from this
//! repository applies), scanned by the real binary with a fixed date, and its findings are compared
//! with a reviewed snapshot: rule, location and function, one line per finding. A few findings
//! each README promises are also asserted by hand, so a wrong snapshot cannot be accepted blindly.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use std::fmt::Write as _;
use std::path::Path;

use serde_json::Value;

fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for entry in std::fs::read_dir(src).unwrap() {
        let entry = entry.unwrap();
        let to = dst.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &to);
        } else {
            std::fs::copy(entry.path(), &to).unwrap();
        }
    }
}

/// Scans `examples/<name>` and returns the exit code and the JSON report.
fn scan_example(name: &str) -> (i32, Value) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(name);
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join(".git")).unwrap();
    let dir = tmp.path().join(name);
    copy_dir(&src, &dir);
    let out = assert_cmd::cargo::cargo_bin_cmd!("faasguard")
        .env("FAASGUARD_TODAY", "2026-11-24")
        .args(["scan", "--format", "json"])
        .arg(&dir)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    (out.status.code().unwrap(), report)
}

/// One line per finding: `RULE severity file:line function`, in report order.
fn finding_lines(report: &Value) -> String {
    let mut lines = String::new();
    for f in report["findings"].as_array().unwrap() {
        let loc = &f["location"];
        let function = f["function"].as_str().unwrap_or("");
        let function = function.rsplit('#').next().unwrap_or(function);
        writeln!(
            lines,
            "{} {} {}:{} {}",
            f["rule_id"].as_str().unwrap(),
            f["severity"].as_str().unwrap(),
            loc["file"].as_str().unwrap(),
            loc["line"],
            function,
        )
        .unwrap();
    }
    lines
}

fn has(report: &Value, rule: &str, function_suffix: &str) -> bool {
    report["findings"].as_array().unwrap().iter().any(|f| {
        f["rule_id"] == rule
            && f["function"]
                .as_str()
                .unwrap_or("")
                .ends_with(function_suffix)
    })
}

fn assert_common(code: i32, report: &Value) {
    assert_eq!(
        report["diagnostics"],
        Value::Array(vec![]),
        "no diagnostics expected"
    );
    assert_eq!(code, 1, "high findings make the scan fail by default");
}

/// SAM: the findings promised in examples/sam-orders-api/README.md, and nothing on the clean function.
#[test]
fn sam_orders_api() {
    let (code, report) = scan_example("sam-orders-api");
    assert_common(code, &report);
    for (rule, function) in [
        ("FG-FN-001", "#GetOrderFunction"),
        ("FG-FN-008", "#GetOrderFunction"),
        ("FG-FN-003", "#PaymentWebhookFunction"),
        ("FG-FN-014", "#PaymentWebhookFunction"),
        ("FG-FN-009", "#PaymentWebhookFunction"),
        ("FG-IAM-001", "#PaymentWebhookFunction"),
        ("FG-FN-004", "#NightlyReportFunction"),
        ("FG-FN-010", "#NightlyReportFunction"),
        ("FG-IAM-002", "#NightlyReportFunction"),
        ("FG-IAM-008", "#NightlyReportFunction"),
    ] {
        assert!(has(&report, rule, function), "missing {rule} on {function}");
    }
    assert!(!finding_lines(&report).contains("CreateOrderFunction"));
    insta::assert_snapshot!(finding_lines(&report));
}

/// Serverless Framework: the findings promised in examples/serverless-image-pipeline/README.md.
#[test]
fn serverless_image_pipeline() {
    let (code, report) = scan_example("serverless-image-pipeline");
    assert_common(code, &report);
    for (rule, function) in [
        ("FG-IAM-002", "#thumbnail"),
        ("FG-IAM-004", "#thumbnail"),
        ("FG-FN-012", "#thumbnail"),
        ("FG-FN-001", "#metadata"),
        ("FG-FN-008", "#metadata"),
        ("FG-FN-003", "#share"),
        ("FG-FN-009", "#share"),
        ("FG-FN-010", "#share"),
        ("FG-FN-013", "#admin"),
    ] {
        assert!(has(&report, rule, function), "missing {rule} on {function}");
    }
    // `admin` has its own role given by ARN: none of the provider role's IAM findings apply to it.
    assert!(!has(&report, "FG-IAM-002", "#admin"));
    insta::assert_snapshot!(finding_lines(&report));
}

/// Terraform: the findings promised in examples/terraform-payments/README.md.
#[test]
fn terraform_payments() {
    let (code, report) = scan_example("terraform-payments");
    assert_common(code, &report);
    for (rule, function) in [
        ("FG-IAM-006", "aws_lambda_function.charge"),
        ("FG-IAM-006", "aws_lambda_function.refund"),
        ("FG-FN-012", "aws_lambda_function.charge"),
        ("FG-FN-001", "aws_lambda_function.charge"),
        ("FG-FN-003", "aws_lambda_function.charge"),
        ("FG-FN-009", "aws_lambda_function.charge"),
        ("FG-FN-004", "aws_lambda_function.refund"),
        ("FG-FN-005", "aws_lambda_function.refund"),
    ] {
        assert!(has(&report, rule, function), "missing {rule} on {function}");
    }
    // refund is on a current runtime with tracing and a concurrency cap.
    for rule in ["FG-FN-001", "FG-FN-006", "FG-FN-011"] {
        assert!(
            !has(&report, rule, "aws_lambda_function.refund"),
            "{rule} on refund"
        );
    }
    insta::assert_snapshot!(finding_lines(&report));
}
