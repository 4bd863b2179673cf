//! The Serverless Framework loader never panics or hangs on bad input: truncated and mutated
//! fixtures, every value shape at every key it reads, reference cycles, alias bombs, deep
//! nesting, binary content and a large service.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::too_many_lines)]

use std::fmt::Write as _;
use std::path::PathBuf;

use faasguard_core::Origin;
use faasguard_iac::{SourceFile, serverless};
use faasguard_model::Inventory;

fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/serverless")
}

fn file(text: String) -> SourceFile {
    SourceFile {
        path: "svc/serverless.yml".into(),
        abs: fixture_dir().join("serverless.yml"),
        text,
    }
}

fn fixtures() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = std::fs::read_dir(fixture_dir())
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

/// Every diagnostic names the file and a line.
fn assert_located(inv: &Inventory, what: &str) {
    for d in &inv.diagnostics {
        assert_eq!(d.location.file, "svc/serverless.yml", "{what}: {d:?}");
        assert!(d.location.line.is_some_and(|l| l >= 1), "{what}: {d:?}");
    }
}

/// Every prefix of every fixture (cut at each character) loads without a panic, and its
/// diagnostics carry a line.
#[test]
fn truncated_fixtures_never_panic() {
    let all = fixtures();
    assert!(all.len() >= 10);
    for (name, text) in &all {
        for (cut, _) in text.char_indices() {
            let inv = serverless::load(&file(text[..cut].to_owned()));
            assert_located(&inv, &format!("{name} cut at {cut}"));
        }
    }
}

/// Deterministic single-byte mutations toward YAML's structural characters (a small
/// in-test fuzzer) never panic.
#[test]
fn mutated_fixtures_never_panic() {
    const SYMBOLS: &[u8] = b":-{}[]$&*!|>'\"\n #,?%@`\t";
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for (name, text) in fixtures() {
        for round in 0..400 {
            let mut bytes = text.clone().into_bytes();
            for _ in 0..=(next() % 3) {
                let at = usize::try_from(next() % bytes.len() as u64).unwrap();
                let sym = SYMBOLS[usize::try_from(next() % SYMBOLS.len() as u64).unwrap()];
                bytes[at] = sym;
            }
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let inv = serverless::load(&file(text));
            assert_located(&inv, &format!("{name} round {round}"));
        }
    }
}

/// Every key the loader reads, given every shape of value (null, scalars, lists, mappings,
/// variables, tags, intrinsics), loads without a panic; the other function is still there.
#[test]
fn every_shape_at_every_key() {
    const SHAPES: &[&str] = &[
        "~",
        "true",
        "false",
        "0",
        "-1",
        "99999999999999999999",
        "1.5",
        "text",
        "'${opt:x}'",
        "'${self:custom.missing}'",
        "'${self:custom}'",
        "[]",
        "[1, [2]]",
        "{}",
        "{a: {b: c}}",
        "!Ref Thing",
        "{Ref: Thing}",
        "{'Fn::GetAtt': [Thing, Arn]}",
        "[{Effect: Allow}]",
        "[{Effect: Allow, Action: [{x: 1}], Resource: {y: 2}}]",
    ];
    const PROVIDER_KEYS: &[&str] = &[
        "runtime",
        "timeout",
        "memorySize",
        "architecture",
        "environment",
        "tracing",
        "kmsKeyArn",
        "layers",
        "tags",
        "vpc",
        "region",
        "role",
        "iam",
        "iamRoleStatements",
        "iamManagedPolicies",
        "rolePermissionsBoundary",
    ];
    const FUNCTION_KEYS: &[&str] = &[
        "name",
        "handler",
        "image",
        "runtime",
        "timeout",
        "memorySize",
        "architecture",
        "environment",
        "kmsKeyArn",
        "role",
        "iamRoleStatements",
        "iamRoleStatementsInherit",
        "url",
        "reservedConcurrency",
        "layers",
        "tracing",
        "destinations",
        "onError",
        "events",
        "vpc",
        "tags",
        "package",
    ];
    for shape in SHAPES {
        let iam_variants = [
            format!("  iam:\n    role: {shape}\n"),
            format!(
                "  iam:\n    role:\n      statements: {shape}\n      managedPolicies: {shape}\n      permissionsBoundary: {shape}\n      name: {shape}\n"
            ),
        ];
        let mut cases: Vec<String> = PROVIDER_KEYS
            .iter()
            .map(|k| format!("  {k}: {shape}\n"))
            .chain(iam_variants)
            .map(|provider_line| {
                format!(
                    "custom:\n  x: 1\nprovider:\n  name: aws\n{provider_line}functions:\n  ok:\n    handler: h.h\n"
                )
            })
            .collect();
        for k in FUNCTION_KEYS {
            cases.push(format!(
                "custom:\n  x: 1\nprovider:\n  name: aws\nfunctions:\n  ok:\n    handler: h.h\n  f:\n    {k}: {shape}\n"
            ));
            cases.push(format!(
                "provider:\n  name: aws\nfunctions:\n  ok:\n    handler: h.h\n  f:\n    url:\n      authorizer: {shape}\n      cors: {shape}\n    destinations:\n      onFailure: {shape}\n    events:\n      - {k}: {shape}\n      - stream: {shape}\n"
            ));
        }
        cases.push(format!(
            "provider: {shape}\nfunctions:\n  f:\n    handler: h\n"
        ));
        cases.push(format!("provider:\n  name: aws\nfunctions: {shape}\n"));
        cases.push(format!(
            "provider:\n  name: aws\nresources: {shape}\nfunctions:\n  f:\n    role: R\n"
        ));
        cases.push(format!(
            "provider:\n  name: aws\nresources:\n  Resources:\n    R:\n      Type: AWS::IAM::Role\n      Properties:\n        Policies: {shape}\n        ManagedPolicyArns: {shape}\n        AssumeRolePolicyDocument: {shape}\nfunctions:\n  f:\n    role: R\n"
        ));
        for case in cases {
            let inv = serverless::load(&file(case.clone()));
            assert_located(&inv, &case);
            if case.contains("  ok:\n") {
                assert!(
                    inv.functions.iter().any(|f| f.id.logical_id == "ok"),
                    "the healthy function survives:\n{case}"
                );
            }
        }
    }
}

/// `${self:…}` cycles terminate and stay unresolved, showing the expression written where
/// the value is used.
#[test]
fn reference_cycles_terminate() {
    let text = "custom:\n  a: ${self:custom.b}\n  b: ${self:custom.a}\n  c: x-${self:custom.c}\nprovider:\n  name: aws\n  timeout: ${self:custom.a}\n  runtime: ${self:custom.c}\nfunctions:\n  f:\n    handler: h.h\n";
    let inv = serverless::load(&file(text.into()));
    let f = &inv.functions[0];
    assert_eq!(
        f.timeout_s.origin,
        Origin::Unresolved {
            expr: "${self:custom.a}".into()
        }
    );
    assert!(f.runtime.is_unresolved());
}

/// An alias bomb, pathological nesting and binary content are diagnostics with a line, not
/// crashes or memory blow-ups.
#[test]
fn hostile_documents_are_diagnostics() {
    let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        writeln!(bomb, "a{i}: &a{i} [{refs}]").unwrap();
    }
    bomb.push_str("provider:\n  name: aws\n");
    let deep = format!(
        "provider:\n  name: aws\nfunctions: {}{}\n",
        "[".repeat(2000),
        "]".repeat(2000)
    );
    let binary: String = (0u8..=255).cycle().take(4096).map(char::from).collect();
    let not_a_map = "- provider\n- functions\n".to_owned();
    let empty = String::new();
    for text in [bomb, deep, binary, not_a_map, empty] {
        let inv = serverless::load(&file(text));
        assert!(inv.functions.is_empty());
        assert_eq!(inv.diagnostics.len(), 1, "{:?}", inv.diagnostics);
        assert_located(&inv, "hostile");
    }
}

/// A large service (2,000 functions sharing provider settings through `self:` references)
/// loads completely.
#[test]
fn large_service_loads() {
    let mut text = String::from(
        "custom:\n  timeout: 12\nprovider:\n  name: aws\n  runtime: python3.12\n  iamRoleStatements:\n    - Effect: Allow\n      Action: s3:GetObject\n      Resource: '*'\nfunctions:\n",
    );
    for i in 0..2000 {
        write!(
            text,
            "  fn{i}:\n    handler: app.h{i}\n    timeout: ${{self:custom.timeout}}\n    events:\n      - sqs: arn:aws:sqs:us-east-1:123456789012:q{i}\n"
        )
        .unwrap();
    }
    let inv = serverless::load(&file(text));
    assert!(inv.diagnostics.is_empty());
    assert_eq!(inv.functions.len(), 2000);
    assert!(inv.functions.iter().all(|f| f.timeout_s.get() == Some(&12)));
    let last = inv.functions.last().unwrap();
    assert_eq!(last.at.line, Some(10 + 5 * 1999 + 1));
}
