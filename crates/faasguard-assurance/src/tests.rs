#![expect(clippy::unwrap_used, reason = "tests fail loudly")]

use std::collections::{BTreeMap, BTreeSet};

use faasguard_core::{Finding, Location, Severity};
use faasguard_report::{CloudFacts, FunctionSummary, Report};

use crate::*;

fn known_rules() -> BTreeSet<String> {
    [
        "FG-FN-001",
        "FG-FN-009",
        "FG-IAM-001",
        "FG-IAM-006",
        "FG-SEC-001",
        "FG-DEP-001",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect()
}

fn parse(text: &str) -> Result<PolicyFile, Vec<String>> {
    PolicyFile::parse(text, "assurance.yaml", &known_rules())
        .map_err(|e| e.0.iter().map(ToString::to_string).collect())
}

const GOOD: &str = r#"channels:
  sec-hook:
    type: webhook
    url: http://127.0.0.1:9/hook
  siem:
    type: syslog
    address: udp://127.0.0.1:514
    app_name: faasguard
    format: both
policies:
  - name: prod-no-admin
    description: production functions never run with an admin role
    scope:
      accounts: ["123456789012"]
      regions: [eu-*]
      functions: ["pay-*"]
      tags: {env: prod}
    conditions:
      no_admin_role: true
      no_secrets: true
      max_severity: {vuln: high, config: none}
      allowed_runtimes: ["python3.1*"]
      require_concurrency_cap: true
      forbidden_rules: [fg-fn-001]
      max_unused_days: 90
      code_recorded: true
    action: block
    notify: [sec-hook, siem]
exceptions:
  - policy: prod-no-admin
    function: pay-legacy
    reason: migration ticket SEC-42
    expires: 2026-12-31
"#;

/// A complete file parses: channels, scope globs, every condition (rule ids normalised to
/// upper case), action, notify list and an exception.
#[test]
fn a_complete_file_parses() {
    let file = parse(GOOD).unwrap();
    assert_eq!(file.channels.len(), 2);
    let p = &file.policies[0];
    assert_eq!(p.name, "prod-no-admin");
    assert_eq!(p.action, Action::Block);
    assert_eq!(p.notify, ["sec-hook", "siem"]);
    assert!(p.scope.accounts[0].is_match("123456789012"));
    assert!(p.scope.regions[0].is_match("eu-west-1"));
    assert_eq!(p.conditions.forbidden_rules, ["FG-FN-001"]);
    assert_eq!(p.conditions.max_severity["vuln"], Some(Severity::High));
    assert_eq!(p.conditions.max_severity["config"], None);
    assert_eq!(p.conditions.max_unused_days, Some(90));
    assert!(p.conditions.code_recorded && p.conditions.require_concurrency_cap);
    assert_eq!(file.exceptions[0].expires.to_string(), "2026-12-31");
    match &file.channels["siem"].kind {
        ChannelKind::Syslog {
            address, format, ..
        } => {
            assert_eq!(*address, SyslogAddress::Udp("127.0.0.1:514".into()));
            assert_eq!(*format, SyslogFormat::Both);
        }
        other => panic!("{other:?}"),
    }
}

/// Every mistake is reported at once, each as `file:line:col: message` pointing at the
/// offending key or value: a misspelt key, a wrong type, a bad severity, a bad date, an
/// unknown rule id, an unknown channel, an unknown action, an exception without a reason.
#[test]
fn mistakes_are_reported_with_line_and_column() {
    let text = r#"channels:
  hook:
    type: webhook
    url: http://127.0.0.1:9/
policies:
  - name: p1
    conditions:
      max_severty: high
      no_secrets: "yes"
      max_severity: {iam: severe}
      forbidden_rules: [FG-NOPE-001]
    action: quarantine
    notify: [hook, pager]
exceptions:
  - policy: p1
    function: f
    expires: 2026-02-30
"#;
    let errors = parse(text).unwrap_err();
    let expected = [
        r#"assurance.yaml:8:7: unknown key "max_severty" in conditions (expected one of max_severity, no_secrets, no_admin_role, allowed_runtimes, code_recorded, max_unused_days, require_concurrency_cap, forbidden_rules)"#,
        "assurance.yaml:9:19: no_secrets must be true or false, not a string",
        r#"assurance.yaml:10:27: unknown severity "severe" (expected info, low, medium, high, critical or none)"#,
        r#"assurance.yaml:11:25: unknown rule id "FG-NOPE-001" (`faasguard rules` lists them)"#,
        r#"assurance.yaml:12:13: unknown action "quarantine" (expected notify or block)"#,
        r#"assurance.yaml:13:20: unknown channel "pager" (defined under `channels:`: hook)"#,
        "assurance.yaml:15:5: an exception needs `reason`",
    ];
    assert_eq!(errors, expected, "{errors:#?}");
}

/// Structural mistakes: not YAML at all (with the parser's position), no policies list,
/// channels of an unknown type or missing their address, an unknown syslog format, keys that
/// do not apply to the channel type, a date that is not a date, an exception for an unknown
/// policy, a duplicate policy name. None panics.
#[test]
fn structural_mistakes() {
    let errors = parse("policies: [unclosed\n").unwrap_err();
    assert!(
        errors[0].starts_with("assurance.yaml:2:1: not YAML:"),
        "{errors:?}"
    );

    let errors = parse("channels: {}\n").unwrap_err();
    assert_eq!(errors, ["assurance.yaml:1:1: no `policies:` list"]);

    let text = "channels:
  a: {type: pager}
  b: {type: syslog}
  c: {type: syslog, address: 'udp://127.0.0.1:514', format: leef}
  d: {type: slack, url: 'http://127.0.0.1:1/', app_name: x}
policies:
  - {name: p, conditions: {no_secrets: true}, action: notify}
  - {name: p, conditions: {no_secrets: true}, action: notify}
exceptions:
  - {policy: q, function: f, reason: r, expires: tomorrow}
";
    let errors = parse(text).unwrap_err();
    let expected = [
        r#"assurance.yaml:2:13: unknown channel type "pager" (expected webhook, slack or syslog)"#,
        "assurance.yaml:3:6: channel \"b\" of type syslog needs an `address` (udp://HOST:PORT or tcp://HOST:PORT)",
        r#"assurance.yaml:4:61: unknown syslog format "leef" (expected rfc5424, cef or both)"#,
        r#"assurance.yaml:5:48: key "app_name" does not apply to a slack channel (expected one of type, url, timeout)"#,
        r#"assurance.yaml:8:12: duplicate policy name "p""#,
        r#"assurance.yaml:10:14: exception for unknown policy "q""#,
        "assurance.yaml:10:50: expires must be a date as YYYY-MM-DD, not `tomorrow`",
    ];
    assert_eq!(errors, expected, "{errors:#?}");
    // Binary junk and deep nesting are errors, not panics.
    assert!(parse("\u{0}\u{1}\u{2}").is_err());
    assert!(parse(&"[".repeat(5_000)).is_err());
}

fn finding(rule: &str, severity: Severity, function: &str) -> Finding {
    Finding {
        rule_id: rule.to_owned(),
        rule_name: "x".to_owned(),
        severity,
        function: Some(function.to_owned()),
        location: Location::file(function),
        message: format!("{rule} fired"),
        evidence: None,
        remediation: None,
        fingerprint: format!("fp-{rule}-{function}"),
        flow: Vec::new(),
    }
}

fn function(name: &str, runtime: &str, tags: &[(&str, &str)]) -> FunctionSummary {
    let arn = format!("arn:aws:lambda:eu-west-1:123456789012:function:{name}");
    FunctionSummary {
        id: arn.clone(),
        provider: "aws".into(),
        source: "aws-live".into(),
        name: Some(name.into()),
        runtime: Some(runtime.into()),
        location: Location::file(arn.clone()),
        cloud: Some(CloudFacts {
            arn,
            account: "123456789012".into(),
            region: "eu-west-1".into(),
            tags: tags
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect::<BTreeMap<_, _>>(),
            code_sha256: Some(format!("sha-{name}")),
            reserved_concurrency: None,
            unused_days: Some(10),
            ..CloudFacts::default()
        }),
    }
}

fn report() -> Report {
    let mut r = Report::empty("faasguard", "0.1.0");
    r.functions = vec![
        function("pay-api", "python3.12", &[("env", "prod")]),
        function("pay-legacy", "python3.8", &[("env", "prod")]),
        function("pay-dev", "python3.12", &[("env", "dev")]),
        function("pay-old", "python3.12", &[("env", "prod")]),
    ];
    if let Some(c) = r.functions[3].cloud.as_mut() {
        c.reserved_concurrency = Some(0);
        c.unused_days = None;
    }
    let id = |i: usize| r.functions[i].id.clone();
    r.findings = vec![
        finding("FG-IAM-006", Severity::Critical, &id(0)),
        finding("FG-DEP-001", Severity::Medium, &id(0)),
        finding("FG-SEC-001", Severity::High, &id(1)),
        finding("FG-IAM-006", Severity::Critical, &id(2)),
    ];
    r
}

fn ctx(today: &str) -> EvalContext {
    EvalContext {
        today: Date::parse(today).unwrap(),
        recorded: Some(BTreeSet::from(["sha-pay-api".to_owned()])),
    }
}

const EVAL: &str = r#"policies:
  - name: prod-guard
    scope: {functions: ["pay-*"], tags: {env: prod}}
    conditions:
      no_admin_role: true
      no_secrets: true
      max_severity: {vuln: low}
      allowed_runtimes: ["python3.1*"]
    action: block
  - name: recorded
    scope: {functions: [pay-api, pay-old]}
    conditions: {code_recorded: true, max_unused_days: 30}
    action: notify
exceptions:
  - {policy: prod-guard, function: pay-legacy, reason: "migration SEC-42", expires: 2026-12-31}
"#;

/// Evaluation over a hand-built report: scope by name glob AND tag (the dev function is out of
/// scope), each failed condition names the findings or facts that break it, a valid
/// exception turns a violation into `excepted` with its reason and expiry, missing facts make
/// a result `unassessed`, and blocked/violating functions come first.
#[test]
fn evaluation_over_a_report() {
    let file = parse(EVAL).unwrap();
    let a = evaluate(&file, &report(), &ctx("2026-11-24"));
    let order: Vec<&str> = a.functions.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(order, ["pay-old", "pay-api", "pay-dev", "pay-legacy"]);
    let get = |name: &str, policy: usize| {
        a.functions
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.results[policy].clone())
            .unwrap()
    };
    let api = get("pay-api", 0);
    assert_eq!(api.status, Status::Violation);
    let conditions: Vec<&str> = api.failures.iter().map(|f| f.condition.as_str()).collect();
    assert_eq!(conditions, ["max_severity.vuln", "no_admin_role"]);
    assert_eq!(api.failures[1].findings[0].rule_id, "FG-IAM-006");
    assert_eq!(
        api.failures[0].message,
        "1 vuln finding(s) above low: FG-DEP-001"
    );

    let legacy = get("pay-legacy", 0);
    assert_eq!(legacy.status, Status::Excepted);
    let e = legacy.exception.unwrap();
    assert_eq!((e.reason.as_str(), e.expired), ("migration SEC-42", false));
    assert_eq!(
        legacy
            .failures
            .iter()
            .map(|f| f.condition.as_str())
            .collect::<Vec<_>>(),
        ["no_secrets", "allowed_runtimes"]
    );
    assert_eq!(get("pay-dev", 0).status, Status::OutOfScope);
    assert_eq!(get("pay-old", 0).status, Status::Pass);
    assert!(a.functions[0].blocked);

    // pay-api's code is recorded and it ran 10 days ago; pay-old's code is not recorded and its
    // metrics were not read (a violation wins over what could not be checked).
    assert_eq!(get("pay-api", 1).status, Status::Pass);
    let old = get("pay-old", 1);
    assert_eq!(old.status, Status::Violation);
    assert_eq!(
        old.failures[0].message,
        "deployed code sha-pay-old is in no CI record"
    );
    assert_eq!(
        old.unassessed,
        ["max_unused_days: invocation metrics were not read"]
    );

    // Without records, code_recorded cannot be assessed.
    let mut no_records = ctx("2026-11-24");
    no_records.recorded = None;
    let b = evaluate(&file, &report(), &no_records);
    let api = b.functions.iter().find(|f| f.name == "pay-api").unwrap();
    assert_eq!(api.results[1].status, Status::Unassessed);
    assert!(b.has_unassessed());

    let table = render_table(&a);
    let header = table.lines().next().unwrap();
    assert_eq!(
        header.split_whitespace().collect::<Vec<_>>(),
        [
            "FUNCTION",
            "ACCOUNT",
            "REGION",
            "BLOCKED",
            "prod-guard",
            "recorded"
        ]
    );
    assert!(
        table.contains(
            "VIOLATION arn:aws:lambda:eu-west-1:123456789012:function:pay-api — prod-guard (block)"
        ),
        "{table}"
    );
    assert!(
        table.contains("[excepted until 2026-12-31: migration SEC-42]"),
        "{table}"
    );
}

/// After its expiry date an exception no longer applies: the function is a violation again
/// and the expired exception is listed (with a warning in the table).
#[test]
fn expired_exceptions_stop_applying() {
    let file = parse(EVAL).unwrap();
    let on_the_day = evaluate(&file, &report(), &ctx("2026-12-31"));
    assert!(on_the_day.expired_exceptions.is_empty());
    let a = evaluate(&file, &report(), &ctx("2027-01-01"));
    let legacy = a.functions.iter().find(|f| f.name == "pay-legacy").unwrap();
    assert_eq!(legacy.results[0].status, Status::Violation);
    assert!(legacy.results[0].exception.as_ref().unwrap().expired);
    assert_eq!(a.expired_exceptions.len(), 1);
    assert!(render_table(&a).contains(
        "warning: the exception of pay-legacy from prod-guard expired on 2026-12-31 (migration SEC-42); it no longer applies"
    ));
}

/// A function without cloud facts (a file scan's report) cannot be assessed.
#[test]
fn functions_without_cloud_facts_are_unassessed() {
    let file = parse(EVAL).unwrap();
    let mut r = report();
    r.functions[0].cloud = None;
    let a = evaluate(&file, &r, &ctx("2026-11-24"));
    let f = a.functions.iter().find(|f| f.name == "pay-api").unwrap();
    assert!(f.results.iter().all(|r| r.status == Status::Unassessed));
}

fn notice() -> Notice {
    let file = parse(EVAL).unwrap();
    let a = evaluate(&file, &report(), &ctx("2026-11-24"));
    let f = a.functions.iter().find(|f| f.name == "pay-api").unwrap();
    Notice::new(
        f,
        &f.results[0],
        "blocked",
        "arn:aws:iam::123456789012:user/a=b|c",
        20_781 * 86_400,
    )
}

/// The RFC 5424 message has PRI (log audit facility, `crit` for a critical finding), version 1,
/// timestamp, host, app name, procid, msgid and a structured-data element with escaped values;
/// the CEF line escapes `|` in the header and `=`/`\` in extension values.
#[test]
fn syslog_and_cef_formats() {
    let n = notice();
    assert_eq!(n.severity, Severity::Critical);
    let notifier = Notifier {
        hostname: "scanner-1".into(),
        procid: "42".into(),
    };
    let sd = structured_data(&n);
    let msg = notifier.rfc5424(&n, "faasguard", &sd, &n.summary());
    assert!(
        msg.starts_with("<106>1 2026-11-24T00:00:00Z scanner-1 faasguard 42 violation [faasguard@32473 policy=\"prod-guard\" action=\"block\" outcome=\"blocked\" severity=\"critical\" function=\"arn:aws:lambda:eu-west-1:123456789012:function:pay-api\""),
        "{msg}"
    );
    assert!(msg.contains(r#"rules="FG-DEP-001,FG-IAM-006""#), "{msg}");
    let cef = cef_line(&n, "scanner-1");
    assert!(
        cef.starts_with("CEF:0|faasguard|faasguard|0.1.0|prod-guard|Function Assurance policy violated: prod-guard|10|rt=1795478400000 act=block outcome=blocked suser=arn:aws:iam::123456789012:user/a\\=b|c "),
        "{cef}"
    );
    assert!(
        cef.contains(" cs3Label=rules cs3=FG-DEP-001,FG-IAM-006 "),
        "{cef}"
    );

    let mut odd = n.clone();
    odd.policy = "a|b\\c".into();
    odd.outcome = "x]\"y".into();
    assert!(cef_line(&odd, "h").starts_with("CEF:0|faasguard|faasguard|0.1.0|a\\|b\\\\c|"));
    assert!(structured_data(&odd).contains(r#"outcome="x\]\"y""#));
}

/// The webhook body is the notice as JSON (rule ids, severities, messages, no evidence); the
/// Slack body has a `text` naming policy, function and outcome.
#[test]
fn webhook_and_slack_bodies() {
    let n = notice();
    let json = serde_json::to_value(&n).unwrap();
    assert_eq!(json["event"], "policy-violation");
    assert_eq!(json["function"]["name"], "pay-api");
    assert_eq!(json["failures"][1]["findings"][0]["rule_id"], "FG-IAM-006");
    assert!(json["failures"][1]["findings"][0].get("evidence").is_none());
    let slack = slack_body(&n);
    assert_eq!(
        slack["text"],
        "faasguard: policy `prod-guard` violated by `pay-api` (arn:aws:lambda:eu-west-1:123456789012:function:pay-api) [critical] — blocked"
    );
    assert_eq!(slack["blocks"].as_array().unwrap().len(), 3);
}
