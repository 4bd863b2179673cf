use faasguard_model::{Function, Inventory};

use crate::rules::function::support::is_aws;
use crate::{RuleSettings, Violation, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports AWS Lambda functions whose X-Ray tracing mode is not `Active`: `Tracing`
    /// (SAM, `TracingConfig.Mode` in CloudFormation, `tracing_config` in Terraform,
    /// `tracing.lambda` in serverless.yml) is not written (Lambda's default is `PassThrough`)
    /// or is written as `PassThrough`. A value written as an unresolved expression is not
    /// reported.
    ///
    /// ## Why is this bad?
    /// Without tracing, an attack or a failure that crosses several functions and services
    /// (an injected payload travelling from API Gateway through a queue into a database) cannot
    /// be followed end to end, and abnormal call patterns or latencies go unnoticed.
    /// Investigations then depend on whatever each function happened to log.
    ///
    /// ## Example
    /// ```yaml
    /// AWSTemplateFormatVersion: "2010-09-09"
    /// Transform: AWS::Serverless-2016-10-31
    /// Resources:
    ///   CheckoutFunction:
    ///     Type: AWS::Serverless::Function
    ///     Properties:
    ///       Handler: app.handler
    ///       Runtime: python3.13
    ///       CodeUri: checkout/
    ///       Tracing: PassThrough
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// AWSTemplateFormatVersion: "2010-09-09"
    /// Transform: AWS::Serverless-2016-10-31
    /// Resources:
    ///   CheckoutFunction:
    ///     Type: AWS::Serverless::Function
    ///     Properties:
    ///       Handler: app.handler
    ///       Runtime: python3.13
    ///       CodeUri: checkout/
    ///       Tracing: Active
    /// ```
    ///
    /// ## References
    /// - OWASP Serverless Top 10 SAS-5: Inadequate Function Monitoring and Logging
    /// - CWE-778: Insufficient Logging
    /// - <https://docs.aws.amazon.com/lambda/latest/dg/services-xray.html>
    pub TracingDisabled {
        id: "FG-FN-011",
        name: "tracing-disabled",
        title: "X-Ray active tracing is off",
        severity: Low,
        family: Function,
        status: Stable,
        since: "0.1.0",
        remediation: "Set Tracing: Active (TracingConfig Mode Active, tracing_config mode = \"Active\", provider.tracing.lambda: true).",
        references: &[
            "OWASP Serverless Top 10 SAS-5: Inadequate Function Monitoring and Logging",
            "CWE-778",
            "https://docs.aws.amazon.com/lambda/latest/dg/services-xray.html",
        ],
    }
}

impl TracingDisabled {
    fn check_function(
        func: &Function,
        _inv: &Inventory,
        _settings: &RuleSettings,
        out: &mut Vec<Violation>,
    ) {
        if !is_aws(func) || func.tracing.is_unresolved() {
            return;
        }
        match func.tracing.get().map(|m| m.trim()) {
            Some(mode) if mode.eq_ignore_ascii_case("Active") => {}
            Some(mode) if func.tracing.is_explicit() => out.push(Violation::new(
                func.tracing.location(),
                format!("X-Ray tracing mode is {mode}, not Active"),
            )),
            _ => out.push(Violation::new(
                None,
                "X-Ray tracing is not enabled (Lambda's default is PassThrough)",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use faasguard_core::Attr;

    use super::*;
    use crate::rules::function::support::testing::{self, aws_function, line};

    fn run(tracing: Attr<String>) -> Vec<Violation> {
        let mut f = aws_function("Fn");
        f.tracing = tracing;
        testing::run(&TracingDisabled, &f)
    }

    /// Explicit PassThrough fires at the Tracing line; unset (or defaulted) fires at the function.
    #[test]
    fn passthrough_or_unset_fires() {
        let out = run(Attr::explicit("PassThrough".to_owned(), line(10)));
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].at, Some(line(10)));
        for unset in [
            Attr::absent(),
            Attr::default_value("PassThrough".to_owned()),
        ] {
            let out = run(unset);
            assert_eq!(out.len(), 1);
            assert_eq!(out[0].at, None);
        }
    }

    /// Active and unresolved expressions are silent.
    #[test]
    fn active_or_unresolved_is_silent() {
        assert!(run(Attr::explicit("Active".to_owned(), line(10))).is_empty());
        assert!(
            run(Attr::unresolved(
                "!If [IsProd, Active, PassThrough]",
                line(10)
            ))
            .is_empty()
        );
    }
}
