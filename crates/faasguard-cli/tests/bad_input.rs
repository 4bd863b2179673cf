//! Bad input end to end: one scan over a directory holding every kind of broken source next to
//! one good SAM template. Each bad file must be named on stderr with its line (where it has one)
//! and the cause, the good template must still be scanned, the exit code must be 2, and the run
//! must end (no hang on an alias bomb or a huge file).
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;

/// Far longer than a scan of a few small files takes; only a hang reaches it.
const NO_HANG: Duration = Duration::from_mins(2);

/// A copy of `tests/fixtures/bad_input` in a fresh temporary repository root, plus the inputs
/// that are generated rather than committed: an alias bomb, a template over the 8 MiB limit and
/// a binary file, each named `template.yaml`.
struct BadTree {
    _tmp: tempfile::TempDir,
    root: PathBuf,
}

fn bad_tree() -> BadTree {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bad_input");
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join(".git")).unwrap();
    let root = tmp.path().join("bad_input");
    copy_dir(&src, &root);

    // Billion laughs: 10 levels of 10 references each would expand to 10^10 nodes.
    let mut bomb = String::from(
        "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\nMappings:\n  Laughs:\n    l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n",
    );
    for i in 1..=10 {
        let refs = vec![format!("*l{}", i - 1); 10].join(", ");
        writeln!(bomb, "    l{i}: &l{i} [{refs}]").unwrap();
    }
    bomb.push_str("Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n      Handler: app.handler\n      InlineCode: x\n      Tags: *l10\n");
    write(&root.join("alias_bomb/template.yaml"), bomb.as_bytes());

    // A real-looking template padded past the 8 MiB limit.
    let mut huge = String::from(
        "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\nResources:\n",
    );
    let mut i = 0;
    while huge.len() <= 9 * 1024 * 1024 {
        write!(
            huge,
            "  Fn{i}:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n      Handler: app.handler\n      InlineCode: x\n"
        )
        .unwrap();
        i += 1;
    }
    write(&root.join("huge/template.yaml"), huge.as_bytes());

    // A PNG (header, NUL bytes, bytes that are not UTF-8) saved under a template's name.
    let mut binary = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    binary.extend((0..4096_u32).map(|n| u8::try_from(n * 7919 % 251).unwrap()));
    write(&root.join("binary/template.yaml"), &binary);

    BadTree { _tmp: tmp, root }
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

fn write(path: &Path, bytes: &[u8]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// `faasguard scan <root> --format json` with a fixed date, stopped after [`NO_HANG`].
fn scan_json(root: &Path) -> Run {
    let out = assert_cmd::cargo::cargo_bin_cmd!("faasguard")
        .env("FAASGUARD_TODAY", "2026-11-24")
        .env_remove("NO_COLOR")
        .args(["scan", root.to_str().unwrap(), "--format", "json"])
        .timeout(NO_HANG)
        .output()
        .unwrap();
    Run {
        code: out
            .status
            .code()
            .unwrap_or_else(|| panic!("faasguard did not exit normally (hang or crash): {out:?}")),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// The stderr line about `file`; `line` (when given) must follow the file name, and the line
/// must state `cause`.
fn assert_reported(stderr: &str, file: &str, line: Option<u32>, cause: &str) {
    let prefix = match line {
        Some(n) => format!("error: {file}:{n}: "),
        None => format!("error: {file}: "),
    };
    assert!(
        stderr
            .lines()
            .any(|l| l.starts_with(&prefix) && l.contains(cause)),
        "no stderr line starting with {prefix:?} and containing {cause:?}:\n{stderr}"
    );
}

/// Every broken file is named with its line and cause, the scan of the good template still
/// reports its finding, and the exit code is 2 because some files could not be scanned.
#[test]
fn every_bad_file_is_reported_and_the_good_one_is_still_scanned() {
    let tree = bad_tree();
    let run = scan_json(&tree.root);
    assert_eq!(run.code, 2, "stderr:\n{}", run.stderr);

    let err = &run.stderr;
    assert_reported(
        err,
        "malformed_yaml/template.yaml",
        Some(10),
        "cannot parse template",
    );
    assert_reported(
        err,
        "malformed_json/template.json",
        Some(8),
        "did not find expected ','",
    );
    assert_reported(err, "malformed_tf/main.tf", Some(9), "malformed HCL");
    // The line where expansion passed saphyr's node budget (the fifth level, `l4`).
    assert_reported(
        err,
        "alias_bomb/template.yaml",
        Some(9),
        "alias expansion exceeded",
    );
    assert_reported(
        err,
        "huge/template.yaml",
        None,
        "larger than the 8388608-byte limit",
    );
    assert_reported(err, "binary/template.yaml", None, "binary file");
    assert_reported(
        err,
        "unknown_type/template.yaml",
        Some(5),
        "unknown resource type `AWS::Serverless::Functon` (did you mean `AWS::Serverless::Function`?)",
    );
    assert_reported(
        err,
        "missing_codeuri/template.yaml",
        Some(9),
        "code path `build/resize/` does not exist",
    );
    assert_reported(
        err,
        "serverless_list/serverless.yml",
        Some(1),
        "serverless: the file must be a mapping, found a list",
    );
    assert!(
        !err.contains("good/"),
        "the good template has no problem to report:\n{err}"
    );
    assert!(
        !err.contains("panicked"),
        "a loader or rule panicked:\n{err}"
    );

    let report: Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", run.stdout));
    let findings = report["findings"].as_array().unwrap();
    assert!(
        findings
            .iter()
            .any(|f| f["rule_id"] == "FG-FN-003" && f["location"]["file"] == "good/template.yaml"),
        "the good template's public function URL (FG-FN-003) is missing: {findings:#?}"
    );
    // The function declared with a mistyped type was not scanned as a function.
    assert!(
        !findings
            .iter()
            .any(|f| f["location"]["file"] == "unknown_type/template.yaml"),
        "{findings:#?}"
    );
}

/// The good template alone scans cleanly apart from its finding: exit 1 (a finding at the
/// default threshold), nothing on stderr. This pins that exit 2 above comes from the bad files.
#[test]
fn the_good_template_alone_exits_with_its_finding() {
    let tree = bad_tree();
    let run = scan_json(&tree.root.join("good"));
    assert_eq!(run.code, 1, "stderr:\n{}", run.stderr);
    assert_eq!(run.stderr, "");
}
