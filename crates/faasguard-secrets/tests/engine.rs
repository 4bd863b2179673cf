//! Engine behaviour: positions, redaction, AWS pairing, allowlists, binary and long-line handling.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use faasguard_core::Severity;
use faasguard_secrets::{
    EnvVar, Scanner, SecretFinding, Settings, SettingsError, github_checksum, is_binary,
    shannon_entropy,
};

// Fake values, assembled at run time so the source holds no contiguous credential.
fn fake_akia() -> String {
    format!("AKIA{}", "Q7RZ2MXW4KPN3TV5")
}
fn fake_aws_secret() -> String {
    format!("{}{}", "fG7k2Pq9Lz/Xw4Rt8Vb1", "Nm6Yc3Hs0Jd5Ua+Ee2Ti")
}
fn fake_stripe() -> String {
    format!("sk_live_{}", "9fQk2LmZ7xR4tB8nC1vW6yH3")
}

fn scanner() -> Scanner {
    Scanner::new(Settings::default()).unwrap()
}

fn ids(found: &[SecretFinding]) -> Vec<&str> {
    found.iter().map(|f| f.rule_id.as_str()).collect()
}

/// Line and column point at the secret's first character (1-based, columns in characters,
/// counting a multi-byte character before it once).
#[test]
fn line_and_column_of_the_secret() {
    let text = format!("# config\n\nconst é = 1; key = '{}';\n", fake_stripe());
    let found = scanner().scan_text("app/config.js", &text);
    assert_eq!(ids(&found), ["FG-SEC-066"]);
    assert_eq!((found[0].line, found[0].column), (3, 21));
    assert_eq!(found[0].end_line, 3);
    assert_eq!(found[0].severity, Severity::Critical);
}

/// No finding's Debug or JSON form contains the secret; the preview is the core redaction.
#[test]
fn findings_never_hold_the_secret() {
    let secrets = [fake_akia(), fake_aws_secret(), fake_stripe()];
    let text = format!(
        "aws_access_key_id = {}\naws_secret_access_key = {}\nSTRIPE={}\n",
        secrets[0], secrets[1], secrets[2]
    );
    let found = scanner().scan_text("handler.py", &text);
    assert_eq!(found.len(), 2, "{found:?}");
    let debug = format!("{found:?}");
    let json = serde_json::to_string(&found).unwrap();
    for secret in &secrets {
        assert!(!debug.contains(secret.as_str()), "Debug leaks {secret}");
        assert!(!json.contains(secret.as_str()), "JSON leaks {secret}");
    }
    let stripe = found.iter().find(|f| f.rule_id == "FG-SEC-066").unwrap();
    assert_eq!(stripe.redacted, faasguard_core::redact_secret(&secrets[2]));
    assert_eq!(stripe.fingerprint.len(), 32);
}

/// An access key id with a secret access key within 5 lines is one critical finding; either
/// half alone is medium (id) or high (secret); halves far apart stay separate.
#[test]
fn aws_pair_logic() {
    let s = scanner();
    let pair = format!(
        "[default]\naws_access_key_id = {}\nregion = eu-west-1\naws_secret_access_key = {}\n",
        fake_akia(),
        fake_aws_secret()
    );
    let found = s.scan_text("creds", &pair);
    assert_eq!(ids(&found), ["FG-SEC-003"]);
    assert_eq!(found[0].severity, Severity::Critical);
    assert_eq!((found[0].line, found[0].end_line), (2, 4));

    let id_only = s.scan_text("a.py", &format!("KEY_ID = '{}'", fake_akia()));
    assert_eq!(ids(&id_only), ["FG-SEC-001"]);
    assert_eq!(id_only[0].severity, Severity::Medium);

    let secret_only = s.scan_text(
        "a.env",
        &format!("AWS_SECRET_ACCESS_KEY={}", fake_aws_secret()),
    );
    assert_eq!(ids(&secret_only), ["FG-SEC-002"], "generic rules yield");
    assert_eq!(secret_only[0].severity, Severity::High);

    let far = format!(
        "aws_access_key_id = {}\n{}aws_secret_access_key = {}\n",
        fake_akia(),
        "\n".repeat(20),
        fake_aws_secret()
    );
    assert_eq!(
        ids(&s.scan_text("creds", &far)),
        ["FG-SEC-001", "FG-SEC-002"]
    );
}

/// Documented example keys and placeholders are allowlisted; test paths are skipped by
/// default and scanned when the path allowlist is emptied; a bad path pattern is an error.
#[test]
fn allowlists() {
    let s = scanner();
    for placeholder in [
        "aws_access_key_id = AKIAIOSFODNN7EXAMPLE",
        "DB_PASSWORD=${DB_PASSWORD}",
        "password = process.env.DB_PASSWORD",
        "password: '<your-password>'",
        "MasterUserPassword: '{{resolve:secretsmanager:db:SecretString:password}}'",
        "API_TOKEN=aaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "DB_PASSWORD=changeme123",
        "postgres://user:password@localhost/db",
    ] {
        let found = s.scan_text("app.py", placeholder);
        assert!(found.is_empty(), "{placeholder}: {found:?}");
    }
    let text = format!("key = '{}'", fake_stripe());
    let outcome = s.scan("src/tests/fixtures/keys.js", &text);
    assert!(outcome.findings.is_empty());
    assert_eq!(outcome.stats.allowlisted_paths, 1);
    let all_paths = Scanner::new(Settings {
        allow_paths: Vec::new(),
        ..Settings::default()
    })
    .unwrap();
    assert_eq!(
        all_paths
            .scan_text("src/tests/fixtures/keys.js", &text)
            .len(),
        1
    );
    let bad = Scanner::new(Settings {
        allow_paths: vec!["(".into()],
        ..Settings::default()
    });
    assert!(matches!(bad, Err(SettingsError::AllowPath { .. })));
}

/// `DB_PASSWORD=hunter2hunter2` in a function's environment is reported (a gap of every peer).
#[test]
fn plain_env_password_is_found() {
    let found = scanner().scan_text(".env", "DB_HOST=db\nDB_PASSWORD=hunter2hunter2\n");
    assert_eq!(ids(&found), ["FG-SEC-151"]);
    assert_eq!(found[0].line, 2);
}

/// A multi-line PEM key is one finding spanning its lines.
#[test]
fn pem_key_is_one_span() {
    let row = "q7Lz9Xw4Rt8Vb1Nm6Yc3Hs0Jd5Ua2Ee2TiFg7k2Pq9Lz+Xw4Rt8Vb1Nm6Yc3Hs0Jd5";
    let body = format!("MIIE{row}0\n{row}1\n{row}2\n");
    let text =
        format!("x = 1\n-----BEGIN RSA PRIVATE KEY-----\n{body}-----END RSA PRIVATE KEY-----\n");
    let found = scanner().scan_text("key.pem", &text);
    assert_eq!(ids(&found), ["FG-SEC-030"]);
    assert_eq!((found[0].line, found[0].end_line), (2, 6));
}

/// Generic rules skip matches on an over-long (minified) line and count the skip; provider
/// rules still fire on that line; too-large texts are skipped and counted.
#[test]
fn long_lines_and_large_texts() {
    let filler = "a=1;".repeat(2000);
    let line = format!(
        "{filler}var password=\"Zq8-Lm2-Rt7-Wx4\";var k=\"{}\";",
        fake_stripe()
    );
    let outcome = scanner().scan("dist/app.min.js", &line);
    assert_eq!(ids(&outcome.findings), ["FG-SEC-066"]);
    // Two generic rules (password in code, password in env) had a keyword on that line.
    assert_eq!(outcome.stats.long_line_skips, 2);
    let short = scanner().scan_text("app.js", "var password=\"Zq8-Lm2-Rt7-Wx4\";");
    assert_eq!(ids(&short), ["FG-SEC-150"]);

    let small = Scanner::new(Settings {
        max_file_bytes: 100,
        ..Settings::default()
    })
    .unwrap();
    let outcome = small.scan("big.js", &line);
    assert!(outcome.findings.is_empty());
    assert_eq!(outcome.stats.too_large, 1);
}

/// NUL bytes in the first 8 KiB mark a buffer as binary; text and later NULs do not.
#[test]
fn binary_detection() {
    assert!(is_binary(b"\x7fELF\0\0\x01"));
    assert!(!is_binary(b"plain text\n"));
    let mut late = vec![b'a'; 9000];
    late.push(0);
    assert!(!is_binary(&late));
}

/// Disabled rules do not fire; an unknown rule name is an error.
#[test]
fn disabled_rules() {
    let s = Scanner::new(Settings {
        disabled_rules: vec!["stripe-live-secret-key".into()],
        ..Settings::default()
    })
    .unwrap();
    assert!(
        s.scan_text("a.js", &format!("k='{}'", fake_stripe()))
            .is_empty()
    );
    let bad = Scanner::new(Settings {
        disabled_rules: vec!["no-such-rule".into()],
        ..Settings::default()
    });
    assert!(matches!(bad, Err(SettingsError::UnknownRule(_))));
}

/// The fingerprint depends on rule and secret, not on file or position.
#[test]
fn fingerprint_is_position_independent() {
    let s = scanner();
    let a = s.scan_text("a.js", &format!("k='{}'", fake_stripe()));
    let b = s.scan_text("b/c.js", &format!("\n\n  other = '{}'", fake_stripe()));
    assert_eq!(a[0].fingerprint, b[0].fingerprint);
    let random = "Zk3Lm9Qr2Tx7Wb5Nc8Vd1Yf4Hg6Js0";
    let gh = s.scan_text(
        "a.js",
        &format!("t = ghp_{random}{}", github_checksum(random)),
    );
    assert_ne!(a[0].fingerprint, gh[0].fingerprint);
}

/// Shannon entropy: 0 for one repeated byte, 2 bits for four equally frequent bytes.
#[test]
fn entropy() {
    assert!(shannon_entropy("aaaa").abs() < f64::EPSILON);
    assert!((shannon_entropy("abcd") - 2.0).abs() < 1e-9);
}

/// `faasguard:ignore` and detect-secrets' `pragma: allowlist secret` on the line suppress a
/// finding and are counted; two generic rules on one value report it once.
#[test]
fn inline_ignore_and_generic_dedupe() {
    let s = scanner();
    let text = format!(
        "k = '{}'  # faasguard:ignore\nAPI_KEY = 'Zq8Lm2Rt7Wx4Pn5Kd3Vb9Hc6'  # pragma: allowlist secret\n",
        fake_stripe()
    );
    let outcome = s.scan("app.py", &text);
    assert!(outcome.findings.is_empty(), "{:?}", outcome.findings);
    assert!(outcome.stats.inline_ignored >= 2);
    let once = s.scan_text("app.py", "API_KEY = 'Zq8Lm2Rt7Wx4Pn5Kd3Vb9Hc6'\n");
    assert_eq!(once.len(), 1, "{once:?}");
}

/// Environment variables are scanned as `NAME=value` lines: findings point at each variable's
/// template line and value column; `DB_PASSWORD=hunter2hunter2` and a Stripe live key are
/// reported, a `${ssm:…}` reference is not, and an access key id and secret in two variables
/// pair into one critical finding.
#[test]
fn env_var_scanning() {
    let s = scanner();
    let var = |name, value, line, column| EnvVar {
        name,
        value,
        line,
        column,
    };
    let found = s.scan_env_var(
        "tests/serverless.yml",
        &var("DB_PASSWORD", "hunter2hunter2", 12, 20),
    );
    assert_eq!(ids(&found), ["FG-SEC-151"]);
    assert_eq!((found[0].line, found[0].column), (12, 20));
    let stripe = fake_stripe();
    let found = s.scan_env_vars(
        "template.yaml",
        &[
            var("REF", "${ssm:/app/db}", 29, 14),
            var("PaymentKey", &stripe, 30, 21),
        ],
    );
    assert_eq!(ids(&found), ["FG-SEC-066"]);
    assert_eq!((found[0].line, found[0].column), (30, 21));
    let (id, secret) = (fake_akia(), fake_aws_secret());
    let found = s.scan_env_vars(
        "template.yaml",
        &[
            var("AWS_ACCESS_KEY_ID", &id, 40, 30),
            var("AWS_SECRET_ACCESS_KEY", &secret, 41, 34),
        ],
    );
    assert_eq!(ids(&found), ["FG-SEC-003"]);
    assert_eq!((found[0].line, found[0].column), (40, 30));
}

/// Raw bytes: binary buffers are skipped and counted, invalid UTF-8 elsewhere in the file does
/// not hide a secret; findings under `node_modules/` are marked as dependency code.
#[test]
fn bytes_binary_and_dependency() {
    let s = scanner();
    let mut data = b"\xff\xfe latin-1 \xe9\n".to_vec();
    data.extend_from_slice(format!("k = '{}'\n", fake_stripe()).as_bytes());
    let outcome = s.scan_bytes("node_modules/pkg/index.js", &data);
    assert_eq!(ids(&outcome.findings), ["FG-SEC-066"]);
    assert!(outcome.findings[0].dependency);
    assert_eq!(outcome.findings[0].line, 2);
    let first_party = s.scan_bytes("src/index.js", &data);
    assert!(!first_party.findings[0].dependency);
    data.insert(0, 0);
    let binary = s.scan_bytes("lib.so", &data);
    assert!(binary.findings.is_empty());
    assert_eq!(binary.stats.binary, 1);
}

/// The scanner can be shared across threads.
#[test]
fn scanner_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Scanner>();
}

/// CRLF line endings keep line numbers right and the `\r` out of env values; keyword soup
/// with multi-byte characters, unterminated PEM headers and NUL-free noise never panics.
#[test]
fn crlf_and_adversarial_input() {
    let s = scanner();
    let found = s.scan_text(".env", "A=1\r\nDB_PASSWORD=hunter2hunter2\r\nB=2\r\n");
    assert_eq!(ids(&found), ["FG-SEC-151"]);
    assert_eq!((found[0].line, found[0].column), (2, 13));
    let mut soup = String::new();
    for i in 0..500 {
        soup.push_str(match i % 7 {
            0 => "-----BEGIN RSA PRIVATE KEY-----é",
            1 => "password=\"ü",
            2 => "AKIA",
            3 => "ghp_",
            4 => "\r",
            5 => "€ xoxb- postgres://a:",
            _ => "\n",
        });
    }
    let outcome = s.scan("soup.txt", &soup);
    assert!(outcome.findings.is_empty(), "{:?}", outcome.findings);
}

/// Documentation files (SDK example documents, READMEs inside dependencies) run only the rules
/// for provider-prefixed keys: a Slack webhook there is reported, a database URL or a password
/// assignment (formats documentation shows as examples) is not; TypeScript declarations are
/// skipped entirely. The same text elsewhere reports all of them.
#[test]
fn documentation_paths_run_only_strong_rules() {
    let scanner = Scanner::new(Settings::default()).unwrap();
    let text = format!(
        "webhook = \"https://hooks.slack.com/services/T{}/B{}/{}\"\nurl = \"postgres://app:{}@db.internal:5432/app\"\npassword = \"{}\"\n",
        "0A1B2C3D4E",
        "5F6G7H8I9J",
        "Zq8vN3kP9mR2xT5wY7uL4sQ1",
        "Wq7vN3kP9mR2xT5z",
        "Hx4tR8mQ2vK9pL6w"
    );
    let rules = |path: &str| -> Vec<String> {
        scanner
            .scan_text(path, &text)
            .into_iter()
            .map(|f| f.rule_name)
            .collect()
    };
    assert_eq!(
        rules("src/app.py"),
        [
            "slack-webhook-url",
            "postgres-url-password",
            "generic-password-assignment"
        ]
    );
    for doc in [
        "node_modules/pg/README.md",
        "site-packages/botocore/data/rds/2014-10-31/examples-1.json",
        "node_modules/aws-sdk/apis/iam-2010-05-08.examples.json",
        "site-packages/requests-2.32.3.dist-info/METADATA",
    ] {
        assert_eq!(rules(doc), ["slack-webhook-url"], "{doc}");
    }
    assert!(rules("node_modules/@types/pg/index.d.ts").is_empty());
    assert!(
        rules("README.md").len() == 3,
        "a project's own README is not a dependency's"
    );
}
