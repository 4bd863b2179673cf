//! Secrets end to end: a project with known fake credentials in code, `.env`, a function
//! package with a nested layer, a PEM key and a template environment. Every output format, the
//! output file, standard error and the baseline file are searched for each secret: none may
//! hold one whole. Also the baseline workflow and inline suppression in code files.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use std::io::Write;
use std::path::Path;

use serde_json::Value;
use zip::write::SimpleFileOptions;

fn faasguard() -> assert_cmd::Command {
    let mut cmd = assert_cmd::cargo::cargo_bin_cmd!("faasguard");
    cmd.env("FAASGUARD_TODAY", "2026-11-24")
        .env_remove("NO_COLOR");
    cmd
}

/// Runs the binary; returns (exit code, stdout, stderr).
fn run(args: &[&str]) -> (i32, String, String) {
    let out = faasguard().args(args).output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// Deterministic pseudo-random characters from `alphabet` (a fixed LCG: fake, reproducible).
fn chars(seed: u64, n: usize, alphabet: &[u8]) -> String {
    let mut x = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
    (0..n)
        .map(|_| {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let idx = usize::try_from((x >> 33) % alphabet.len() as u64).unwrap();
            char::from(alphabet[idx])
        })
        .collect()
}

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// The fake secrets of the project, by what they are.
struct Secrets {
    stripe: String,
    aws_id: String,
    aws_secret: String,
    github: String,
    pem_body: String,
    db_password: String,
    env_password: String,
    postgres_password: String,
}

impl Secrets {
    fn new() -> Secrets {
        let random = chars(4, 30, ALNUM);
        Secrets {
            stripe: format!("sk_live_{}", chars(1, 28, ALNUM)),
            aws_id: format!("AKIA{}", chars(2, 16, B32)),
            aws_secret: chars(3, 40, B64),
            github: format!(
                "ghp_{random}{}",
                faasguard_secrets::github_checksum(&random)
            ),
            pem_body: chars(5, 64 * 12, B64),
            db_password: format!("Qz{}", chars(6, 14, ALNUM)),
            env_password: format!("hunter2{}", chars(8, 7, ALNUM)),
            postgres_password: chars(7, 18, ALNUM),
        }
    }

    /// Every secret, and for the long ones the part after the 4 characters a report may show.
    fn forbidden(&self) -> Vec<String> {
        let mut out = Vec::new();
        for s in [
            &self.stripe,
            &self.aws_id,
            &self.aws_secret,
            &self.github,
            &self.db_password,
            &self.env_password,
            &self.postgres_password,
        ] {
            out.push(s.clone());
            out.push(s.chars().skip(4).collect());
        }
        // Any 24-character slice of the key body.
        out.extend(
            self.pem_body
                .as_bytes()
                .chunks(24)
                .map(|c| String::from_utf8(c.to_vec()).unwrap()),
        );
        out
    }
}

fn write(root: &Path, rel: &str, bytes: impl AsRef<[u8]>) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in entries {
        w.start_file(*name, SimpleFileOptions::default()).unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// The project: a SAM function whose code, package and environment hold the secrets.
fn project(root: &Path, s: &Secrets) {
    std::fs::create_dir_all(root.join(".git")).unwrap();
    write(
        root,
        "template.yaml",
        format!(
            "Transform: AWS::Serverless-2016-10-31\nResources:\n  PayFunction:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: app.handler\n      Runtime: python3.13\n      CodeUri: src/\n      Environment:\n        Variables:\n          DB_PASSWORD: {}\n",
            s.env_password
        ),
    );
    write(
        root,
        "src/app.py",
        format!(
            "import os\n\nSTRIPE_KEY = \"{}\"\nDB_PASSWORD = \"{}\"\n\n\ndef handler(event, context):\n    return {{}}\n",
            s.stripe, s.db_password
        ),
    );
    write(
        root,
        ".env",
        format!(
            "AWS_ACCESS_KEY_ID={}\nAWS_SECRET_ACCESS_KEY={}\nDATABASE_URL=postgres://app:{}@db.internal:5432/app\n",
            s.aws_id, s.aws_secret, s.postgres_password
        ),
    );
    let mut pem = String::from("-----BEGIN RSA PRIVATE KEY-----\n");
    for line in s.pem_body.as_bytes().chunks(64) {
        pem.push_str(std::str::from_utf8(line).unwrap());
        pem.push('\n');
    }
    pem.push_str("-----END RSA PRIVATE KEY-----\n");
    let layer = zip_of(&[("python/deploy_key.pem", pem.as_bytes())]);
    let package = zip_of(&[
        (
            "ci.js",
            format!("const token = '{}';\n", s.github).as_bytes(),
        ),
        ("layer.zip", &layer),
    ]);
    write(root, "dist/package.zip", package);
}

/// No output of any format, no output file, no standard error and no baseline holds a secret;
/// and the findings are really there (one per planted credential type).
#[test]
fn no_output_holds_a_secret() {
    let s = Secrets::new();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("app");
    project(&root, &s);
    let root_arg = root.to_str().unwrap();

    let (code, json, stderr) = run(&["scan", "--format", "json", root_arg]);
    assert_eq!(code, 1, "{stderr}");
    let report: Value = serde_json::from_str(&json).unwrap();
    let mut found: Vec<(String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_owned(),
                f["location"]["file"].as_str().unwrap().to_owned(),
            )
        })
        .filter(|(id, _)| id.starts_with("FG-SEC") || id == "FG-FN-009")
        .collect();
    found.sort();
    let expect = [
        ("FG-FN-009", "template.yaml"),
        ("FG-SEC-003", ".env"),
        ("FG-SEC-066", "src/app.py"),
        ("FG-SEC-140", ".env"),
        ("FG-SEC-150", "src/app.py"),
    ];
    for (id, file) in expect {
        assert!(
            found.contains(&(id.to_owned(), file.to_owned())),
            "{id} in {file} missing: {found:?}"
        );
    }
    assert!(
        found.iter().any(|(_, f)| f == "dist/package.zip!/ci.js"),
        "GitHub token in the package: {found:?}"
    );
    assert!(
        found
            .iter()
            .any(|(_, f)| f == "dist/package.zip!/layer.zip!/python/deploy_key.pem"),
        "PEM key in the nested layer: {found:?}"
    );

    let mut outputs = vec![json, stderr];
    for format in ["table", "sarif", "junit"] {
        let (_, stdout, stderr) = run(&["scan", "--format", format, root_arg]);
        outputs.push(stdout);
        outputs.push(stderr);
    }
    let out_file = dir.path().join("report.sarif");
    let (_, stdout, stderr) = run(&[
        "scan",
        "--format",
        "sarif",
        "--output",
        out_file.to_str().unwrap(),
        root_arg,
    ]);
    outputs.extend([stdout, stderr, std::fs::read_to_string(&out_file).unwrap()]);
    let baseline = dir.path().join("baseline.json");
    let (code, stdout, stderr) = run(&[
        "baseline",
        "create",
        "--output",
        baseline.to_str().unwrap(),
        root_arg,
    ]);
    assert_eq!(code, 0, "{stderr}");
    outputs.extend([stdout, stderr, std::fs::read_to_string(&baseline).unwrap()]);

    for (k, secret) in s.forbidden().iter().enumerate() {
        for (i, out) in outputs.iter().enumerate() {
            assert!(
                !out.contains(secret),
                "output #{i} holds forbidden string #{k} (see Secrets::forbidden)"
            );
        }
    }
}

/// `baseline create` then `scan --baseline` hides every known finding; a new secret still
/// fails the build.
#[test]
fn baseline_hides_known_secrets_only() {
    let s = Secrets::new();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("app");
    project(&root, &s);
    let root_arg = root.to_str().unwrap();
    let baseline = dir.path().join("baseline.json");
    let baseline_arg = baseline.to_str().unwrap();
    let (code, _, stderr) = run(&["baseline", "create", "-o", baseline_arg, root_arg]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("finding(s) to"), "{stderr}");

    let (code, json, _) = run(&["scan", "-f", "json", "--baseline", baseline_arg, root_arg]);
    assert_eq!(code, 0);
    let report: Value = serde_json::from_str(&json).unwrap();
    assert!(report["findings"].as_array().unwrap().is_empty());
    assert!(!report["suppressed"].as_array().unwrap().is_empty());

    // Moving a known secret down a few lines keeps it known; a new one is reported.
    let app = std::fs::read_to_string(root.join("src/app.py")).unwrap();
    let new_key = format!("sk_live_{}", chars(9, 28, ALNUM));
    write(
        &root,
        "src/app.py",
        format!("# moved\n\n{app}NEW_KEY = \"{new_key}\"\n"),
    );
    let (code, json, _) = run(&["scan", "-f", "json", "--baseline", baseline_arg, root_arg]);
    assert_eq!(code, 1);
    let report: Value = serde_json::from_str(&json).unwrap();
    let left: Vec<(&str, u64)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["location"]["file"].as_str().unwrap(),
                f["location"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(left, [("src/app.py", 11)]);
}

/// `faasguard:ignore` (and detect-secrets' `pragma: allowlist secret`) on a code line drops
/// that line's secret and counts it; the same secret on an unmarked line is reported.
#[test]
fn inline_ignore_in_code_files() {
    let key = format!("sk_live_{}", chars(11, 28, ALNUM));
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    write(
        dir.path(),
        "handler.js",
        format!(
            "const a = '{key}'; // faasguard:ignore FG-SEC-066 rotated, kept for the demo\nconst b = '{key}'; // pragma: allowlist secret\nconst c = '{key}';\n"
        ),
    );
    let (code, json, _) = run(&["scan", "-f", "json", dir.path().to_str().unwrap()]);
    assert_eq!(code, 1);
    let report: Value = serde_json::from_str(&json).unwrap();
    let lines: Vec<u64> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["location"]["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [3]);
    assert_eq!(report["code"]["inline_ignored"], 2);
}
