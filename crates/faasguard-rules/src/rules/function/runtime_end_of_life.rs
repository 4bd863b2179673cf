use faasguard_core::Severity;
use faasguard_model::{Function, Inventory};

use crate::rules::function::runtimes::{self, RuntimeLifecycle};
use crate::{RuleSettings, Violation, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports AWS Lambda functions whose runtime has passed its deprecation date, using the
    /// dated lifecycle table faasguard carries as data (`data/lambda-runtimes.json`, from
    /// cfn-lint). The finding is **high** once the deprecation date has passed and **critical**
    /// once AWS also blocks creating or updating functions on that runtime. The message names the
    /// dates and the successor runtime. Runtime names faasguard does not know (container images,
    /// new runtimes) and runtimes written as unresolved expressions are not reported.
    ///
    /// ## Why is this bad?
    /// After deprecation AWS no longer applies security patches to the runtime, so known
    /// vulnerabilities in the language runtime and its bundled libraries stay in production.
    /// Once updates are blocked, even an urgent code fix can no longer be deployed without first
    /// migrating the runtime.
    ///
    /// ## Example
    /// ```yaml
    /// AWSTemplateFormatVersion: "2010-09-09"
    /// Transform: AWS::Serverless-2016-10-31
    /// Resources:
    ///   ReportFunction:
    ///     Type: AWS::Serverless::Function
    ///     Properties:
    ///       Handler: app.handler
    ///       Runtime: python3.7
    ///       CodeUri: src/
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// AWSTemplateFormatVersion: "2010-09-09"
    /// Transform: AWS::Serverless-2016-10-31
    /// Resources:
    ///   ReportFunction:
    ///     Type: AWS::Serverless::Function
    ///     Properties:
    ///       Handler: app.handler
    ///       Runtime: python3.13
    ///       CodeUri: src/
    /// ```
    ///
    /// ## References
    /// - OWASP Serverless Top 10 SAS-6: Insecure Third-Party Dependencies
    /// - CWE-1104: Use of Unmaintained Third Party Components
    /// - <https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html>
    pub RuntimeEndOfLife {
        id: "FG-FN-001",
        name: "runtime-end-of-life",
        title: "Function runs on a deprecated Lambda runtime",
        severity: High,
        family: Function,
        status: Stable,
        since: "0.1.0",
        remediation: "Move the function to a supported runtime (the successor named in the message) and redeploy.",
        references: &[
            "OWASP Serverless Top 10 SAS-6: Insecure Third-Party Dependencies",
            "CWE-1104",
            "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html",
        ],
    }
}

impl RuntimeEndOfLife {
    fn check_function(
        func: &Function,
        _inv: &Inventory,
        settings: &RuleSettings,
        out: &mut Vec<Violation>,
    ) {
        let Some((runtime, lc, deprecated)) = runtimes::deprecation(func) else {
            return;
        };
        let today = settings.today.as_str();
        if !runtimes::reached(deprecated, today) {
            return;
        }
        let blocked = blocked_since(lc, today);
        let blocking = match blocked {
            Some(("create and update", date)) => {
                format!("; creating and updating functions on it is blocked since {date}")
            }
            Some((what, date)) => format!("; {what} of functions blocked since {date}"),
            None => lc
                .update_block
                .as_deref()
                .map(|date| format!("; updates will be blocked from {date}"))
                .unwrap_or_default(),
        };
        let migrate = lc.successor.as_deref().map_or_else(
            || "migrate to a supported runtime".to_owned(),
            |succ| format!("migrate to {succ}"),
        );
        let message = format!(
            "runtime {} reached end of support on {deprecated}{blocking}; {migrate}",
            runtime.trim()
        );
        let mut v = Violation::new(func.runtime.location(), message);
        if blocked.is_some() {
            v = v.with_severity(Severity::Critical);
        }
        out.push(v);
    }
}

/// What AWS blocks on `today` for this runtime, with the date it started.
fn blocked_since<'a>(lc: &'a RuntimeLifecycle, today: &str) -> Option<(&'static str, &'a str)> {
    let create = lc
        .create_block
        .as_deref()
        .filter(|d| runtimes::reached(d, today));
    let update = lc
        .update_block
        .as_deref()
        .filter(|d| runtimes::reached(d, today));
    match (create, update) {
        (Some(c), Some(u)) => Some(("create and update", c.max(u))),
        (Some(c), None) => Some(("creation", c)),
        (None, Some(u)) => Some(("update", u)),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use faasguard_core::Attr;

    use super::*;
    use crate::rules::function::support::testing::{self, aws_function, azure_function, line};

    fn run(func: &Function, today: &str) -> Vec<Violation> {
        let settings = RuleSettings {
            today: today.to_owned(),
            ..RuleSettings::default()
        };
        testing::run_with(&RuntimeEndOfLife, func, &Inventory::default(), &settings)
    }

    /// python3.7 (deprecated 2023-12-04, create and update blocked by 2027-03-03) is critical
    /// in 2027 and reported at the Runtime line with its dates and successor.
    #[test]
    fn blocked_runtime_is_critical() {
        let mut f = aws_function("Fn");
        f.runtime = Attr::explicit("python3.7".to_owned(), line(9));
        let out = run(&f, "2027-06-01");
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].severity, Some(Severity::Critical));
        assert_eq!(out[0].at, Some(line(9)));
        assert!(out[0].message.contains("2023-12-04"), "{}", out[0].message);
        assert!(out[0].message.contains("2027-03-03"), "{}", out[0].message);
        assert!(out[0].message.contains("python3.14"), "{}", out[0].message);
    }

    /// nodejs18.x is deprecated (2025-09-01) but not yet blocked on 2026-11-24: high, and the
    /// message says when updates will be blocked.
    #[test]
    fn deprecated_not_blocked_is_high() {
        let mut f = aws_function("Fn");
        f.runtime = Attr::explicit("nodejs18.x".to_owned(), line(9));
        let out = run(&f, "2026-11-24");
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].severity, None);
        assert!(out[0].message.contains("2025-09-01"));
        assert!(
            out[0]
                .message
                .contains("updates will be blocked from 2027-03-03")
        );
        assert!(out[0].message.contains("nodejs24.x"));
    }

    /// A supported runtime, an unknown name, an unresolved expression, an absent runtime and a
    /// non-AWS function give no finding (and never panic).
    #[test]
    fn supported_unknown_unresolved_are_silent() {
        let mut ok = aws_function("Fn");
        ok.runtime = Attr::explicit("python3.13".to_owned(), line(9));
        assert!(run(&ok, "2026-11-24").is_empty());
        let mut unknown = aws_function("Fn");
        unknown.runtime = Attr::explicit("cobol85".to_owned(), line(9));
        assert!(run(&unknown, "2026-11-24").is_empty());
        let mut unresolved = aws_function("Fn");
        unresolved.runtime = Attr::unresolved("!Ref Runtime", line(9));
        assert!(run(&unresolved, "2026-11-24").is_empty());
        assert!(run(&aws_function("Fn"), "2026-11-24").is_empty());
        let mut azure = azure_function("http");
        azure.runtime = Attr::explicit("nodejs".to_owned(), line(2));
        assert!(run(&azure, "2026-11-24").is_empty());
    }

    /// A malformed `today` never produces a finding.
    #[test]
    fn malformed_today_is_silent() {
        let mut f = aws_function("Fn");
        f.runtime = Attr::explicit("python2.7".to_owned(), line(9));
        assert!(run(&f, "yesterday").is_empty());
    }
}
