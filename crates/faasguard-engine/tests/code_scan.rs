//! The code scan through the public engine API: secrets in text files and zip packages, and
//! every bound on bad input (zip bombs, zip slip, deep nesting, corrupt archives, huge and
//! binary files, symlink loops) reported without stopping the rest of the scan.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use std::io::Write;
use std::path::Path;

use faasguard_core::Severity;
use faasguard_engine::{CodeLimits, ScanSettings, scan};
use faasguard_report::Report;
use zip::write::SimpleFileOptions;

/// Fake credentials, assembled at run time so that no whole token sits in the repository.
fn stripe(n: u8) -> String {
    format!("sk_live_{}{n}", "4eC39HqLyjWDarjtT1zdp7dcQ9Xz")
}

fn aws_pair() -> String {
    format!(
        "aws_access_key_id = {}\naws_secret_access_key = {}\n",
        ["AKIA", "Q4KZ7N2XW5RT3VYM"].concat(),
        ["kT9vQ2mW7xR4zL8p", "N1bC6yH3jF5dG0sA2eK7uI9o"].concat()
    )
}

fn write(root: &Path, rel: &str, bytes: impl AsRef<[u8]>) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

/// A zip of `(name, bytes)` entries, deflated.
fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in entries {
        w.start_file(*name, SimpleFileOptions::default()).unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn run(root: &Path, adjust: impl FnOnce(&mut ScanSettings)) -> Report {
    let mut settings = ScanSettings::new(vec![root.to_path_buf()]);
    adjust(&mut settings);
    scan(&settings).unwrap()
}

fn secret_hits(report: &Report) -> Vec<(String, String, Option<u32>)> {
    report
        .findings
        .iter()
        .filter(|f| f.rule_id.starts_with("FG-SEC-"))
        .map(|f| (f.rule_id.clone(), f.location.file.clone(), f.location.line))
        .collect()
}

fn diagnostic_for<'a>(report: &'a Report, file: &str) -> &'a str {
    &report
        .diagnostics
        .iter()
        .find(|d| d.location.file == file)
        .unwrap_or_else(|| panic!("no diagnostic for {file}: {:?}", report.diagnostics))
        .message
}

/// Secrets in source, `.env` and dependency files are found with their line; the dependency
/// one is one severity lower; the evidence never holds the secret.
#[test]
fn secrets_in_text_files() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "src/app.py",
        format!("import os\nKEY = \"{}\"\n", stripe(1)),
    );
    write(dir.path(), ".env", aws_pair());
    write(
        dir.path(),
        "node_modules/lib/index.js",
        format!("module.exports = '{}';\n", stripe(2)),
    );
    let report = run(dir.path(), |_| {});
    assert_eq!(
        secret_hits(&report),
        [
            ("FG-SEC-003".into(), ".env".into(), Some(1)),
            (
                "FG-SEC-066".into(),
                "node_modules/lib/index.js".into(),
                Some(1)
            ),
            ("FG-SEC-066".into(), "src/app.py".into(), Some(2)),
        ]
    );
    let sev: Vec<Severity> = report.findings.iter().map(|f| f.severity).collect();
    assert_eq!(
        sev,
        [Severity::Critical, Severity::High, Severity::Critical]
    );
    let json = serde_json::to_string(&report).unwrap();
    assert!(!json.contains(&stripe(1)) && !json.contains(&stripe(2)));
    assert!(!json.contains("N1bC6yH3jF5dG0sA2eK7uI9o"));
    assert_eq!(report.code.files, 3);
    assert!(report.diagnostics.is_empty(), "{:?}", report.diagnostics);
}

/// A secret in a function's code directory belongs to that function.
#[test]
fn secret_is_owned_by_its_function() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "template.yaml",
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  OrdersFunction:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: app.handler\n      Runtime: python3.13\n      CodeUri: orders/\n",
    );
    write(
        dir.path(),
        "orders/app.py",
        format!("KEY = '{}'\n", stripe(3)),
    );
    write(
        dir.path(),
        "scripts/seed.py",
        format!("KEY = '{}'\n", stripe(4)),
    );
    let report = run(dir.path(), |_| {});
    let owner = |file: &str| {
        report
            .findings
            .iter()
            .find(|f| f.location.file == file)
            .map(|f| f.function.clone())
            .unwrap()
    };
    assert_eq!(
        owner("orders/app.py").as_deref(),
        Some("template.yaml#OrdersFunction")
    );
    assert_eq!(owner("scripts/seed.py"), None);
}

/// Function packages and layers: secrets inside zips and zips inside zips are found and
/// named `package.zip!/inner/path`.
#[test]
fn secrets_inside_nested_archives() {
    let dir = tempfile::tempdir().unwrap();
    let layer = zip_of(&[("python/settings.py", aws_pair().as_bytes())]);
    let package = zip_of(&[
        (
            "handler.js",
            format!("const k = '{}';\n", stripe(5)).as_bytes(),
        ),
        ("layers/shared.zip", &layer),
        ("logo.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
    ]);
    write(dir.path(), "dist/package.zip", &package);
    let report = run(dir.path(), |_| {});
    assert_eq!(
        secret_hits(&report),
        [
            (
                "FG-SEC-066".into(),
                "dist/package.zip!/handler.js".into(),
                Some(1)
            ),
            (
                "FG-SEC-003".into(),
                "dist/package.zip!/layers/shared.zip!/python/settings.py".into(),
                Some(1)
            ),
        ]
    );
    assert_eq!(report.code.archives, 2);
    assert_eq!(report.code.binary_files, 1);
    assert!(report.diagnostics.is_empty(), "{:?}", report.diagnostics);
}

/// Entry names that would escape an extraction directory are reported (zip slip) and the
/// entry is still scanned under a safe name.
#[test]
fn zip_slip_names_are_reported_and_scanned() {
    let dir = tempfile::tempdir().unwrap();
    let evil = zip_of(&[
        (
            "../../etc/cron.d/job.js",
            format!("x='{}'\n", stripe(6)).as_bytes(),
        ),
        ("/abs/path.txt", b"hello\n"),
    ]);
    write(dir.path(), "evil.zip", &evil);
    let report = run(dir.path(), |_| {});
    assert!(diagnostic_for(&report, "evil.zip!/etc/cron.d/job.js").contains("zip slip"));
    assert!(diagnostic_for(&report, "evil.zip!/abs/path.txt").contains("zip slip"));
    assert_eq!(
        secret_hits(&report),
        [(
            "FG-SEC-066".into(),
            "evil.zip!/etc/cron.d/job.js".into(),
            Some(1)
        )]
    );
}

/// A highly compressed entry (a zip bomb) is not inflated; the next entry and the next file
/// are still scanned.
#[test]
fn zip_bomb_ratio_is_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let zeros = vec![b'0'; 40 << 20];
    let bomb = zip_of(&[
        ("bomb.txt", &zeros),
        ("after.js", format!("k='{}'\n", stripe(7)).as_bytes()),
    ]);
    assert!(bomb.len() < 1 << 20, "the bomb compresses well");
    write(dir.path(), "bomb.zip", &bomb);
    write(dir.path(), "app.py", format!("k='{}'\n", stripe(8)));
    let report = run(dir.path(), |_| {});
    let message = diagnostic_for(&report, "bomb.zip!/bomb.txt");
    assert!(
        message.contains("zip bomb") && message.contains(":1"),
        "{message}"
    );
    assert_eq!(
        secret_hits(&report),
        [
            ("FG-SEC-066".into(), "app.py".into(), Some(1)),
            ("FG-SEC-066".into(), "bomb.zip!/after.js".into(), Some(1)),
        ]
    );
}

/// The total expansion and entry-count caps stop reading one archive with a diagnostic; other
/// files go on.
#[test]
fn archive_total_and_entry_caps() {
    let dir = tempfile::tempdir().unwrap();
    let chunk = vec![b'a'; 300 << 10];
    let big = zip_of(&[("a.txt", &chunk), ("b.txt", &chunk), ("c.txt", &chunk)]);
    write(dir.path(), "big.zip", &big);
    let many: Vec<(String, Vec<u8>)> = (0..20)
        .map(|i| (format!("f{i}.txt"), b"x\n".to_vec()))
        .collect();
    let many_refs: Vec<(&str, &[u8])> = many
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    write(dir.path(), "many.zip", zip_of(&many_refs));
    write(dir.path(), "z.py", format!("k='{}'\n", stripe(9)));
    let report = run(dir.path(), |s| {
        s.code_limits = CodeLimits {
            max_archive_total_bytes: 700 << 10,
            max_archive_entries: 10,
            ..CodeLimits::default()
        };
    });
    assert!(diagnostic_for(&report, "big.zip!/c.txt").contains("in total"));
    assert!(diagnostic_for(&report, "many.zip").contains("more than 10 entries"));
    assert_eq!(
        secret_hits(&report),
        [("FG-SEC-066".into(), "z.py".into(), Some(1))]
    );
}

/// Archives nested deeper than the limit are reported, not opened.
#[test]
fn nesting_depth_is_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let mut inner = zip_of(&[("deep.py", format!("k='{}'\n", stripe(1)).as_bytes())]);
    for _ in 0..5 {
        inner = zip_of(&[("inner.zip", &inner)]);
    }
    write(dir.path(), "onion.zip", &inner);
    let report = run(dir.path(), |_| {});
    let deepest = "onion.zip!/inner.zip!/inner.zip!/inner.zip!/inner.zip";
    assert!(diagnostic_for(&report, deepest).contains("nested more than 4 levels"));
    assert!(secret_hits(&report).is_empty());
}

/// A corrupt archive is a diagnostic naming it; the other files are scanned.
#[test]
fn corrupt_archive_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let mut truncated = zip_of(&[("a.js", b"let a = 1;\n")]);
    truncated.truncate(truncated.len() / 2);
    write(dir.path(), "broken.zip", &truncated);
    write(dir.path(), "ok.py", format!("k='{}'\n", stripe(2)));
    let report = run(dir.path(), |_| {});
    assert!(diagnostic_for(&report, "broken.zip").contains("cannot read zip archive"));
    assert_eq!(
        secret_hits(&report),
        [("FG-SEC-066".into(), "ok.py".into(), Some(1))]
    );
}

/// A huge single-line file is scanned to its end; a file over the size limit is listed as
/// skipped (not an error); invalid UTF-8 around a secret does not hide it; binary files are
/// passed over.
#[test]
fn huge_invalid_and_binary_files() {
    let dir = tempfile::tempdir().unwrap();
    let mut line = "var a=1;".repeat(1 << 20);
    line.push_str("var k=\"");
    line.push_str(&stripe(3));
    line.push_str("\";\n");
    write(dir.path(), "bundle.min.js", &line);
    let mut latin1 = b"caf\xe9 = 1\n".to_vec();
    latin1.extend_from_slice(format!("key = '{}'\n", stripe(4)).as_bytes());
    write(dir.path(), "latin1.py", &latin1);
    let mut binary = b"\0\x01\x02ELF".to_vec();
    binary.extend_from_slice(stripe(5).as_bytes());
    write(dir.path(), "lib.so", &binary);
    write(dir.path(), "huge.log", vec![b'x'; 3 << 20]);
    let report = run(dir.path(), |s| s.code_limits.max_file_bytes = 2 << 20);
    assert_eq!(
        secret_hits(&report),
        [("FG-SEC-066".into(), "latin1.py".into(), Some(2))]
    );
    assert!(
        report
            .skipped
            .iter()
            .any(|s| s.location.file == "bundle.min.js")
    );
    assert!(report.skipped.iter().any(|s| s.location.file == "huge.log"));
    assert!(report.diagnostics.is_empty(), "{:?}", report.diagnostics);

    let report = run(dir.path(), |_| {});
    assert_eq!(
        secret_hits(&report),
        [
            ("FG-SEC-066".into(), "bundle.min.js".into(), Some(1)),
            ("FG-SEC-066".into(), "latin1.py".into(), Some(2)),
        ]
    );
    assert_eq!(report.code.binary_files, 1);
}

/// Symlink loops and FIFOs neither hang nor fail the scan.
#[cfg(unix)]
#[test]
fn symlink_loops_and_fifos() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a/app.py", format!("k='{}'\n", stripe(6)));
    std::os::unix::fs::symlink(dir.path(), dir.path().join("a/loop")).unwrap();
    std::os::unix::fs::symlink(dir.path().join("a/self"), dir.path().join("a/self")).unwrap();
    let fifo = dir.path().join("a/pipe");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(status.success());
    let report = run(dir.path(), |_| {});
    assert_eq!(
        secret_hits(&report),
        [("FG-SEC-066".into(), "a/app.py".into(), Some(1))]
    );
}

/// Test and fixture paths are skipped by default; `secret_allow_paths = []` scans them.
#[test]
fn test_paths_allowlist_is_configurable() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "tests/test_api.py",
        format!("k='{}'\n", stripe(7)),
    );
    let report = run(dir.path(), |_| {});
    assert!(secret_hits(&report).is_empty());
    assert_eq!(report.code.allowlisted_files, 1);
    let report = run(dir.path(), |s| s.secret_allow_paths = Some(Vec::new()));
    assert_eq!(secret_hits(&report).len(), 1);
}

/// Selecting only structural rules skips the code scan entirely; `FG-SEC` selects the family.
#[test]
fn selection_switches_the_code_scan() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "app.py", format!("k='{}'\n", stripe(8)));
    let report = run(dir.path(), |s| {
        s.rules.select = faasguard_engine::resolve_rules(["FG-IAM-001"]).unwrap();
    });
    assert_eq!(report.code.files, 0);
    assert!(secret_hits(&report).is_empty());
    let report = run(dir.path(), |s| {
        s.rules.select = faasguard_engine::resolve_rules(["FG-SEC"]).unwrap();
    });
    assert_eq!(secret_hits(&report).len(), 1);
    assert!(
        report
            .findings
            .iter()
            .all(|f| f.rule_id.starts_with("FG-SEC-"))
    );
    let report = run(dir.path(), |s| {
        s.rules.ignore = faasguard_engine::resolve_rules(["stripe-live-secret-key"]).unwrap();
    });
    assert!(secret_hits(&report).is_empty());
}

/// A secret in a function's environment is reported once, by the environment rule at the
/// template line, not again by the code scan of the template.
#[test]
fn environment_secret_is_reported_once() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "template.yaml",
        format!(
            "Transform: AWS::Serverless-2016-10-31\nResources:\n  PayFunction:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: app.handler\n      Runtime: python3.13\n      InlineCode: x\n      Environment:\n        Variables:\n          STRIPE_SECRET_KEY: {}\n",
            stripe(9)
        ),
    );
    let report = run(dir.path(), |_| {});
    let at_line: Vec<&str> = report
        .findings
        .iter()
        .filter(|f| f.location.line == Some(11))
        .map(|f| f.rule_id.as_str())
        // The variable's line also carries FG-FN-017 (no customer key), a different concern.
        .filter(|id| *id == "FG-FN-009" || id.starts_with("FG-SEC"))
        .collect();
    assert_eq!(at_line, ["FG-FN-009"]);
}

/// A package held in memory (as the cloud scan downloads it) is scanned like one on disk:
/// nested entries are named `display!/path`, plain text is scanned directly, caps apply.
#[test]
fn package_bytes_in_memory() {
    let scanner = faasguard_secrets::Scanner::new(faasguard_secrets::Settings::default()).unwrap();
    let layer = zip_of(&[(
        "nodejs/config.js",
        format!("k='{}'\n", stripe(1)).as_bytes(),
    )]);
    let package = zip_of(&[
        ("index.js", b"exports.handler = async () => 1;\n"),
        ("opt/layer.zip", &layer),
    ]);
    let scan = faasguard_engine::scan_package_bytes(
        &scanner,
        "orders-api:$LATEST",
        package,
        CodeLimits::default(),
    );
    let found: Vec<(&str, usize)> = scan
        .findings
        .iter()
        .map(|f| (f.path.as_str(), f.line))
        .collect();
    assert_eq!(
        found,
        [("orders-api:$LATEST!/opt/layer.zip!/nodejs/config.js", 1)]
    );
    assert_eq!(scan.stats.archives, 2);

    let text = faasguard_engine::scan_package_bytes(
        &scanner,
        "env.txt",
        format!("A=1\nKEY={}\n", stripe(2)).into_bytes(),
        CodeLimits::default(),
    );
    assert_eq!(text.findings.len(), 1);
    assert_eq!(text.findings[0].line, 2);

    let garbage = faasguard_engine::scan_package_bytes(
        &scanner,
        "bad.zip",
        b"PK\x03\x04garbage".to_vec(),
        CodeLimits::default(),
    );
    assert!(garbage.findings.is_empty());
    assert!(
        garbage.diagnostics[0]
            .message
            .contains("cannot read zip archive")
    );
}
