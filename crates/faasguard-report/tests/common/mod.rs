//! A hand-built report shared by the writer tests: three functions (one without findings), three
//! rules, findings with and without a line, one outside any function in a file whose name
//! needs URI encoding, one suppressed finding and one diagnostic.

use faasguard_core::{Diagnostic, Finding, Location, Severity, fingerprint};
use faasguard_report::{FunctionSummary, Report, RuleInfo, SuppressedFinding};

const URL_DOCS: &str = "## What it does
Flags a function URL whose `AuthType` is `NONE`.

## Why is this bad?
Anyone on the internet can invoke the function.

## Example
```yaml
FunctionUrlConfig:
  AuthType: NONE
```
Use instead:
```yaml
FunctionUrlConfig:
  AuthType: AWS_IAM
```

## References
- https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html
";

fn rule(
    id: &str,
    name: &str,
    title: &str,
    severity: Severity,
    family: &str,
    docs: &str,
) -> RuleInfo {
    RuleInfo {
        id: id.to_owned(),
        name: name.to_owned(),
        title: title.to_owned(),
        severity,
        family: family.to_owned(),
        remediation: format!("Fix {name}."),
        references: if docs.is_empty() {
            vec!["OWASP Serverless Top 10: SAS-5".to_owned()]
        } else {
            vec![
                "OWASP Serverless Top 10: SAS-3".to_owned(),
                "https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html".to_owned(),
            ]
        },
        docs: docs.to_owned(),
    }
}

fn finding(
    rule: &RuleInfo,
    severity: Severity,
    function: Option<&str>,
    location: Location,
    message: &str,
    evidence: Option<&str>,
) -> Finding {
    Finding {
        rule_id: rule.id.clone(),
        rule_name: rule.name.clone(),
        severity,
        function: function.map(str::to_owned),
        fingerprint: fingerprint(&rule.id, function, &location, message),
        location,
        message: message.to_owned(),
        evidence: evidence.map(str::to_owned),
        remediation: Some(rule.remediation.clone()),
        flow: Vec::new(),
    }
}

fn function(id: &str, source: &str, runtime: Option<&str>, location: Location) -> FunctionSummary {
    FunctionSummary {
        id: id.to_owned(),
        provider: "aws".to_owned(),
        source: source.to_owned(),
        name: id.rsplit_once('#').map(|(_, n)| n.to_owned()),
        runtime: runtime.map(str::to_owned),
        location,
        cloud: None,
    }
}

/// The three rules of the sample: a critical one with full docs, a high and a low one without.
fn sample_rules() -> [RuleInfo; 3] {
    let url = rule(
        "FG-FN-001",
        "function-url-without-auth",
        "Function URL allows unauthenticated invocation",
        Severity::Critical,
        "function",
        URL_DOCS,
    );
    let wildcard = rule(
        "FG-IAM-001",
        "wildcard-action",
        "Policy allows every action",
        Severity::High,
        "iam",
        "",
    );
    let tracing = rule(
        "FG-FN-010",
        "tracing-disabled",
        "Active tracing is off",
        Severity::Low,
        "function",
        "",
    );
    [url, wildcard, tracing]
}

pub fn sample_report() -> Report {
    let [url, wildcard, tracing] = sample_rules();

    let api = "template.yaml#ApiFunction";
    let hello = "serverless.yml#hello";
    let mut report = Report::empty("faasguard", "0.1.0");
    report.targets = vec![".".to_owned()];
    report.functions = vec![
        function(
            hello,
            "serverless",
            None,
            Location::at("serverless.yml", 9, 3),
        ),
        function(
            api,
            "sam",
            Some("python3.8"),
            Location::at("template.yaml", 10, 3),
        ),
        function(
            "template.yaml#WorkerFunction",
            "sam",
            Some("nodejs20.x"),
            Location::at("template.yaml", 30, 3),
        ),
    ];
    report.findings = vec![
        finding(
            &wildcard,
            Severity::High,
            None,
            Location::at("policies/shared policy.json", 3, 5),
            "Managed policy SharedPolicy allows `*` on `*`",
            Some("{\"Effect\": \"Allow\", \"Action\": \"*\"}"),
        ),
        finding(
            &tracing,
            Severity::Low,
            Some(hello),
            Location::file("serverless.yml").with_pointer("/functions/hello"),
            "Function hello does not enable active tracing",
            None,
        ),
        finding(
            &url,
            Severity::Critical,
            Some(api),
            Location::at("template.yaml", 14, 7)
                .with_pointer("/Resources/ApiFunction/Properties/FunctionUrlConfig/AuthType"),
            "Function URL of ApiFunction has AuthType NONE",
            Some("AuthType: NONE"),
        ),
        finding(
            &wildcard,
            Severity::High,
            Some(api),
            Location::at("template.yaml", 22, 13),
            "Inline policy of ApiFunction allows `*`",
            Some("- Effect: Allow\n  Action: '*'\n  Resource: '*'"),
        ),
    ];
    report.suppressed = vec![SuppressedFinding {
        finding: finding(
            &tracing,
            Severity::Low,
            Some("template.yaml#WorkerFunction"),
            Location::at("template.yaml", 30, 3),
            "Function WorkerFunction does not enable active tracing",
            None,
        ),
        kind: "inline".to_owned(),
        reason: Some("traces go through the collector layer".to_owned()),
    }];
    report.diagnostics = vec![Diagnostic::new(
        Location::at("broken.yaml", 7, 3),
        "could not parse YAML: mapping values are not allowed here",
    )];
    report.rules = vec![url, tracing, wildcard];
    report
}

/// The report rendered by `format` without colour, as text.
pub fn render(report: &Report, format: faasguard_report::Format) -> String {
    let mut out = Vec::new();
    faasguard_report::writer(format, faasguard_report::WriterOptions::default())
        .write(report, &mut out)
        .expect("writing to a Vec does not fail");
    String::from_utf8(out).expect("writers emit UTF-8")
}
