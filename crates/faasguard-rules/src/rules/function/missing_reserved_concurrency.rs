use faasguard_model::{Function, Inventory};

use crate::rules::function::support::is_aws;
use crate::{RuleSettings, Violation, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports AWS Lambda functions with no reserved concurrency cap: `ReservedConcurrentExecutions`
    /// (SAM, CloudFormation), `reservedConcurrency` (serverless.yml) or
    /// `reserved_concurrent_executions` (Terraform) is not written, or is written as `-1`
    /// (Terraform's "unreserved"). An explicit value of `0` or more is a cap (0 stops the
    /// function entirely, on purpose), and a value written as an unresolved expression is
    /// assumed to be one. Only a value written in the source counts: Lambda's default is no cap.
    ///
    /// ## Why is this bad?
    /// Without a cap, a flood of requests (an attack, a retry storm, a recursive trigger) scales
    /// the function up to the account's whole concurrency limit: the bill grows with it
    /// ("denial of wallet"), and every other function in the account and region is throttled
    /// because they share that limit.
    ///
    /// ## Example
    /// ```yaml
    /// AWSTemplateFormatVersion: "2010-09-09"
    /// Transform: AWS::Serverless-2016-10-31
    /// Resources:
    ///   SearchFunction:
    ///     Type: AWS::Serverless::Function
    ///     Properties:
    ///       Handler: app.handler
    ///       Runtime: python3.13
    ///       CodeUri: search/
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// AWSTemplateFormatVersion: "2010-09-09"
    /// Transform: AWS::Serverless-2016-10-31
    /// Resources:
    ///   SearchFunction:
    ///     Type: AWS::Serverless::Function
    ///     Properties:
    ///       Handler: app.handler
    ///       Runtime: python3.13
    ///       CodeUri: search/
    ///       ReservedConcurrentExecutions: 50
    /// ```
    ///
    /// ## References
    /// - OWASP Serverless Top 10 SAS-8: Denial of Service & Financial Resource Exhaustion
    /// - CWE-770: Allocation of Resources Without Limits or Throttling
    /// - <https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html>
    pub MissingReservedConcurrency {
        id: "FG-FN-006",
        name: "missing-reserved-concurrency",
        title: "Function has no reserved concurrency cap",
        severity: Low,
        family: Function,
        status: Stable,
        since: "0.1.0",
        remediation: "Set ReservedConcurrentExecutions (reservedConcurrency, reserved_concurrent_executions) to the most concurrent executions the function should ever need.",
        references: &[
            "OWASP Serverless Top 10 SAS-8: Denial of Service & Financial Resource Exhaustion",
            "CWE-770",
            "https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html",
        ],
    }
}

impl MissingReservedConcurrency {
    fn check_function(
        func: &Function,
        _inv: &Inventory,
        _settings: &RuleSettings,
        out: &mut Vec<Violation>,
    ) {
        if !is_aws(func) {
            return;
        }
        let rc = &func.reserved_concurrency;
        match rc.get() {
            Some(&n) if n < 0 && rc.is_explicit() => out.push(Violation::new(
                rc.location(),
                format!(
                    "reserved concurrency is {n} (unreserved): the function can scale to the account's whole concurrency limit"
                ),
            )),
            _ if rc.is_written() => {}
            _ => out.push(Violation::new(
                None,
                "no reserved concurrency cap: the function can scale to the account's whole concurrency limit",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use faasguard_core::Attr;

    use super::*;
    use crate::rules::function::support::testing::{self, aws_function, azure_function, line};

    fn run(rc: Attr<i64>) -> Vec<Violation> {
        let mut f = aws_function("Fn");
        f.reserved_concurrency = rc;
        testing::run(&MissingReservedConcurrency, &f)
    }

    /// Not written (absent, or a provider default such as Terraform's -1) fires at the function.
    #[test]
    fn unset_fires_at_function() {
        for rc in [Attr::absent(), Attr::default_value(-1)] {
            let out = run(rc);
            assert_eq!(out.len(), 1);
            assert_eq!(out[0].at, None);
        }
    }

    /// An explicit -1 fires at that line.
    #[test]
    fn explicit_unreserved_fires_at_value() {
        let out = run(Attr::explicit(-1, line(12)));
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].at, Some(line(12)));
    }

    /// Explicit caps (including 0) and unresolved expressions are silent, as are Azure functions.
    #[test]
    fn written_caps_are_silent() {
        assert!(run(Attr::explicit(50, line(12))).is_empty());
        assert!(run(Attr::explicit(0, line(12))).is_empty());
        assert!(run(Attr::unresolved("${self:custom.cap}", line(12))).is_empty());
        assert!(testing::run(&MissingReservedConcurrency, &azure_function("http")).is_empty());
    }
}
