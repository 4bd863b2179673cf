//! End-to-end tests of the `faasguard` binary: exit codes, formats, output files, configuration,
//! suppressions, the baseline and the rule catalogue.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use std::path::{Path, PathBuf};

use serde_json::Value;

/// The string `field` of every element of the JSON array `list`, in order.
fn field_of_each<'a>(list: &'a Value, field: &str) -> Vec<&'a str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|f| f[field].as_str().unwrap())
        .collect()
}

/// The binary with a fixed date (for date-dependent rules) and no colour settings inherited.
fn faasguard() -> assert_cmd::Command {
    let mut cmd = assert_cmd::cargo::cargo_bin_cmd!("faasguard");
    cmd.env("FAASGUARD_TODAY", "2026-11-24")
        .env_remove("NO_COLOR");
    cmd
}

/// A copy of `tests/fixtures/<name>` in a fresh temporary directory (which is marked as a
/// repository root), so that no `faasguard.toml` or `.faasguardignore` from this repository
/// or above it leaks into the scan. Keep the guard alive while the path is used.
struct Fixture {
    _tmp: tempfile::TempDir,
    path: PathBuf,
}

fn fixture(name: &str) -> Fixture {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join(".git")).unwrap();
    let path = tmp.path().join(name);
    copy_dir(&src, &path);
    Fixture { _tmp: tmp, path }
}

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

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}

fn run(args: &[&str]) -> Run {
    let out = faasguard().args(args).output().unwrap();
    Run {
        code: out.status.code().expect("exited normally"),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn path_arg(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn rule_ids(findings: &Value) -> Vec<&str> {
    field_of_each(findings, "rule_id")
}

/// A directory without IaC scans cleanly: exit 0, a JSON report with the schema version and
/// nothing in it.
#[test]
fn no_iac_exits_0_with_empty_json_report() {
    let fix_no_iac = fixture("no_iac");
    let r = run(&["scan", path_arg(&fix_no_iac.path), "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let report = r.json();
    assert_eq!(report["schema_version"], "1.2.0");
    assert_eq!(report["tool"]["name"], "faasguard");
    assert_eq!(report["functions"], Value::Array(vec![]));
    assert_eq!(report["findings"], Value::Array(vec![]));
    assert_eq!(report["diagnostics"], Value::Array(vec![]));
}

/// The default table output is written without ANSI colour when stdout is not a terminal.
#[test]
fn table_output_has_no_colour_off_a_terminal() {
    let fix_terraform_eol_runtime = fixture("terraform_eol_runtime");
    let r = run(&["scan", path_arg(&fix_terraform_eol_runtime.path)]);
    assert!(!r.stdout.contains('\u{1b}'), "{}", r.stdout);
    assert!(!r.stdout.is_empty());
}

/// A function on an end-of-life runtime is a high finding: with the default threshold (high)
/// the scan exits 1, and the finding points at the `runtime` line of the file, relative to the
/// scan root.
#[test]
fn finding_at_threshold_exits_1() {
    let dir = fixture("terraform_eol_runtime");
    let r = run(&[
        "scan",
        path_arg(&dir.path),
        "--format",
        "json",
        "--select",
        "FG-FN-001",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let report = r.json();
    assert_eq!(rule_ids(&report["findings"]), ["FG-FN-001"]);
    let f = &report["findings"][0];
    assert_eq!(f["location"]["file"], "main.tf");
    assert_eq!(f["location"]["line"], 5);
    assert_eq!(f["severity"], "high", "deprecated, not yet blocked: {f}");
    assert_eq!(f["function"], "main.tf#aws_lambda_function.report");
    assert_eq!(
        report["rules"].as_array().unwrap().len(),
        1,
        "only the selected rule ran"
    );
}

/// `--fail-on none` and a threshold above the finding's severity both give exit 0 while the
/// finding is still reported.
#[test]
fn fail_on_none_and_higher_threshold_exit_0() {
    let dir = fixture("terraform_eol_runtime");
    for level in ["none", "critical"] {
        let r = run(&[
            "scan",
            path_arg(&dir.path),
            "--format",
            "json",
            "--select",
            "FG-FN-001",
            "--fail-on",
            level,
        ]);
        assert_eq!(r.code, 0, "--fail-on {level}: {}", r.stderr);
        assert_eq!(rule_ids(&r.json()["findings"]), ["FG-FN-001"]);
    }
}

/// `--output` writes the report to the file and nothing to stdout.
#[test]
fn output_file() {
    let fix_terraform_eol_runtime = fixture("terraform_eol_runtime");
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("report.json");
    let r = run(&[
        "scan",
        path_arg(&fix_terraform_eol_runtime.path),
        "--format",
        "json",
        "--select",
        "FG-FN-001",
        "--output",
        path_arg(&out),
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(rule_ids(&report["findings"]), ["FG-FN-001"]);
}

/// A `# faasguard:ignore FG-FN-001 reason` comment on the line above suppresses the finding:
/// exit 0, and the report keeps it under `suppressed` with kind and reason.
#[test]
fn inline_suppression_moves_finding_to_suppressed() {
    let fix_terraform_eol_runtime_suppressed = fixture("terraform_eol_runtime_suppressed");
    let r = run(&[
        "scan",
        path_arg(&fix_terraform_eol_runtime_suppressed.path),
        "--format",
        "json",
        "--select",
        "FG-FN-001",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let report = r.json();
    assert_eq!(report["findings"], Value::Array(vec![]));
    let s = &report["suppressed"][0];
    assert_eq!(s["kind"], "inline");
    assert_eq!(
        s["reason"],
        "legacy batch job, retired with the Q3 migration"
    );
    assert_eq!(s["finding"]["rule_id"], "FG-FN-001");
}

/// A previous JSON report used as `--baseline` suppresses the findings it holds.
#[test]
fn baseline_suppresses_known_findings() {
    let tmp = tempfile::tempdir().unwrap();
    let baseline = tmp.path().join("baseline.json");
    let dir = fixture("terraform_eol_runtime");
    let first = run(&[
        "scan",
        path_arg(&dir.path),
        "--format",
        "json",
        "--select",
        "FG-FN-001",
        "--output",
        path_arg(&baseline),
    ]);
    assert_eq!(first.code, 1, "{}", first.stderr);
    let second = run(&[
        "scan",
        path_arg(&dir.path),
        "--format",
        "json",
        "--select",
        "FG-FN-001",
        "--baseline",
        path_arg(&baseline),
    ]);
    assert_eq!(second.code, 0, "{}", second.stderr);
    let report = second.json();
    assert_eq!(report["findings"], Value::Array(vec![]));
    assert_eq!(report["suppressed"][0]["kind"], "baseline");
}

/// A baseline that is not a faasguard report is an error (exit 2) naming the file.
#[test]
fn bad_baseline_exits_2() {
    let fix_no_iac = fixture("no_iac");
    let tmp = tempfile::tempdir().unwrap();
    let baseline = tmp.path().join("baseline.json");
    std::fs::write(&baseline, "[1, 2, 3]").unwrap();
    let r = run(&[
        "scan",
        path_arg(&fix_no_iac.path),
        "--baseline",
        path_arg(&baseline),
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("baseline.json: bad baseline"),
        "{}",
        r.stderr
    );
}

/// Paths listed in `.faasguardignore` are not scanned.
#[test]
fn faasguardignore_hides_paths() {
    let fix_ignored_by_faasguardignore = fixture("ignored_by_faasguardignore");
    let r = run(&[
        "scan",
        path_arg(&fix_ignored_by_faasguardignore.path),
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["functions"], Value::Array(vec![]));
}

/// An unknown key in `faasguard.toml` (found by searching upward from the target) stops the
/// scan with exit 2 and an error naming the file and the line.
#[test]
fn unknown_config_key_exits_2_with_file_and_line() {
    let fix_unknown_config_key = fixture("unknown_config_key");
    let r = run(&["scan", path_arg(&fix_unknown_config_key.path)]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("unknown_config_key/faasguard.toml:3:"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("fail_on_critical"), "{}", r.stderr);
    assert!(r.stdout.is_empty());
}

/// `--config FILE` is used instead of the search, and its settings apply (here `fail-on`).
#[test]
fn explicit_config_file_applies() {
    let fix_terraform_eol_runtime = fixture("terraform_eol_runtime");
    let tmp = tempfile::tempdir().unwrap();
    let cfg = tmp.path().join("ci.toml");
    std::fs::write(&cfg, "fail-on = \"none\"\nselect = [\"FG-FN-001\"]\n").unwrap();
    let r = run(&[
        "scan",
        path_arg(&fix_terraform_eol_runtime.path),
        "--config",
        path_arg(&cfg),
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(rule_ids(&r.json()["findings"]), ["FG-FN-001"]);
    // A flag wins over the file.
    let r = run(&[
        "scan",
        path_arg(&fix_terraform_eol_runtime.path),
        "--config",
        path_arg(&cfg),
        "--fail-on",
        "high",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
}

/// One malformed file does not stop the scan: the good file's function is still reported,
/// the error names the file and line on stderr, and the exit code is 2.
#[test]
fn malformed_file_is_a_diagnostic_and_the_rest_is_scanned() {
    let fix_one_malformed_one_good = fixture("one_malformed_one_good");
    let r = run(&[
        "scan",
        path_arg(&fix_one_malformed_one_good.path),
        "--format",
        "json",
        "--fail-on",
        "none",
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let report = r.json();
    let ids = field_of_each(&report["functions"], "id");
    assert_eq!(ids, ["good/main.tf#aws_lambda_function.fine"]);
    assert_eq!(
        report["diagnostics"][0]["location"]["file"],
        "broken/main.tf"
    );
    assert!(
        r.stderr.contains("error: broken/main.tf:4: "),
        "{}",
        r.stderr
    );
}

/// A binary file named like a template is reported (exit 2) rather than parsed or skipped
/// silently.
#[test]
fn binary_template_is_a_diagnostic() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("template.yaml"), b"\x7fELF\0\0\x01\x02").unwrap();
    let r = run(&["scan", path_arg(tmp.path())]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("error: template.yaml: binary file"),
        "{}",
        r.stderr
    );
}

/// Usage errors exit 2: a bad `--fail-on`, an unknown rule in `--ignore`, a missing path, a
/// malformed FAASGUARD_TODAY.
#[test]
fn usage_errors_exit_2() {
    let dir = fixture("no_iac");
    let r = run(&["scan", path_arg(&dir.path), "--fail-on", "severe"]);
    assert_eq!(r.code, 2);
    let r = run(&["scan", path_arg(&dir.path), "--ignore", "FG-NOPE-999"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("unknown rule `FG-NOPE-999`"),
        "{}",
        r.stderr
    );
    let r = run(&["scan", "/nonexistent/faasguard-test-path"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("/nonexistent/faasguard-test-path"),
        "{}",
        r.stderr
    );
    let out = faasguard()
        .env("FAASGUARD_TODAY", "tomorrow")
        .args(["scan", path_arg(&dir.path)])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// `faasguard rules` lists every registered rule with id, name, severity and title.
#[test]
fn rules_lists_every_rule() {
    let r = run(&["rules"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with("ID"), "{}", r.stdout);
    for rule in faasguard_rules::all_rules() {
        let m = rule.meta();
        let line = r
            .stdout
            .lines()
            .find(|l| l.starts_with(m.id))
            .unwrap_or_else(|| panic!("{} missing:\n{}", m.id, r.stdout));
        assert!(line.contains(m.name) && line.contains(m.title), "{line}");
        assert!(line.contains(m.severity.as_str()), "{line}");
    }
}

/// `faasguard rules --format json` is a JSON array with one entry per rule (structural, secret,
/// injection, dependency and integrity rules), docs included.
#[test]
fn rules_json() {
    let r = run(&["rules", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let list = r.json();
    let list = list.as_array().unwrap();
    let secret_rules = faasguard_secrets::builtin_rules().unwrap();
    assert_eq!(
        list.len(),
        faasguard_rules::all_rules().len() + secret_rules.len() + 7 + 2 + 1,
        "structural, secret, the seven injection, the two dependency rules and the integrity rule"
    );
    assert!(list.iter().any(|e| e["id"] == "FG-INT-001"));
    assert!(list.iter().any(|e| e["id"] == "FG-DEP-001"));
    let aws = list
        .iter()
        .find(|e| e["id"] == "FG-SEC-001")
        .expect("secret rules are listed");
    assert_eq!(aws["family"], "secrets");
    assert_eq!(aws["name"], "aws-access-key-id");
    for entry in list {
        for key in ["id", "name", "title", "severity", "status", "since", "docs"] {
            assert!(entry.get(key).is_some(), "{key} missing in {entry}");
        }
    }
}

/// `faasguard rules <ID>` and `faasguard rules <name>` print that rule's documentation;
/// an unknown rule exits 2.
#[test]
fn rule_docs_by_id_and_name() {
    for rule in faasguard_rules::all_rules() {
        let m = rule.meta();
        for key in [m.id, m.name] {
            let r = run(&["rules", key]);
            assert_eq!(r.code, 0, "{}", r.stderr);
            assert!(
                r.stdout.starts_with(&format!("# {} {}", m.id, m.name)),
                "{}",
                r.stdout
            );
            assert!(r.stdout.contains("## What it does"), "{}", r.stdout);
        }
        let r = run(&["rules", m.id, "--format", "json"]);
        assert_eq!(r.json()["id"], m.id);
    }
    let r = run(&["rules", "FG-NOPE-999"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("unknown rule"), "{}", r.stderr);
}

/// A `faasguard:ignore` comment on a SAM function's logical-id line suppresses that rule for
/// the whole function, and only for that function.
#[test]
fn inline_suppression_on_function_line_covers_the_function() {
    let fix_sam_url_without_auth_suppressed_on_function =
        fixture("sam_url_without_auth_suppressed_on_function");
    let r = run(&[
        "scan",
        path_arg(&fix_sam_url_without_auth_suppressed_on_function.path),
        "--format",
        "json",
        "--select",
        "FG-FN-003",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let report = r.json();
    let reported = field_of_each(&report["findings"], "function");
    assert_eq!(reported, ["template.yaml#AdminFunction"]);
    let s = &report["suppressed"][0];
    assert_eq!(s["kind"], "inline");
    assert_eq!(s["finding"]["function"], "template.yaml#WebhookFunction");
    assert_eq!(s["reason"], "public webhook, payloads are HMAC-verified");
}

/// `[per-path-ignores]` in faasguard.toml suppresses a rule in matching files only, with kind
/// `config`.
#[test]
fn per_path_ignores_from_config() {
    let fix_per_path_ignores = fixture("per_path_ignores");
    let r = run(&[
        "scan",
        path_arg(&fix_per_path_ignores.path),
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let report = r.json();
    assert_eq!(rule_ids(&report["findings"]), ["FG-FN-001"]);
    assert_eq!(report["findings"][0]["location"]["file"], "current/main.tf");
    let s = &report["suppressed"][0];
    assert_eq!(s["kind"], "config");
    assert_eq!(s["finding"]["location"]["file"], "legacy/main.tf");
    assert!(s["reason"].as_str().unwrap().contains("legacy/**"), "{s}");
}
