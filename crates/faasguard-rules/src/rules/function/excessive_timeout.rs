use faasguard_model::{Function, Inventory};

use crate::{RuleSettings, Violation, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a function whose timeout is longer than the configured maximum
    /// (`max-timeout-s` in `faasguard.toml`, 300 seconds by default). Lambda allows up to
    /// 900 seconds. A timeout written as an unresolved expression is not reported.
    ///
    /// ## Why is this bad?
    /// A long timeout turns every hung dependency, slow-loris input or injected infinite loop
    /// into minutes of billed compute per invocation, multiplied by concurrency and retries
    /// (denial of wallet). It also hides failures: callers wait minutes instead of seeing a
    /// fast error. Work that truly needs minutes is usually better as a queue-driven or Step
    /// Functions workflow with its own, deliberate limit.
    ///
    /// ## Example
    /// ```yaml
    /// AWSTemplateFormatVersion: "2010-09-09"
    /// Transform: AWS::Serverless-2016-10-31
    /// Resources:
    ///   ExportFunction:
    ///     Type: AWS::Serverless::Function
    ///     Properties:
    ///       Handler: app.handler
    ///       Runtime: python3.13
    ///       CodeUri: export/
    ///       Timeout: 900
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// AWSTemplateFormatVersion: "2010-09-09"
    /// Transform: AWS::Serverless-2016-10-31
    /// Resources:
    ///   ExportFunction:
    ///     Type: AWS::Serverless::Function
    ///     Properties:
    ///       Handler: app.handler
    ///       Runtime: python3.13
    ///       CodeUri: export/
    ///       Timeout: 60
    /// ```
    ///
    /// ## References
    /// - OWASP Serverless Top 10 SAS-8: Denial of Service & Financial Resource Exhaustion
    /// - CWE-400: Uncontrolled Resource Consumption
    /// - <https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html>
    pub ExcessiveTimeout {
        id: "FG-FN-007",
        name: "excessive-timeout",
        title: "Function timeout is longer than the configured maximum",
        severity: Low,
        family: Function,
        status: Stable,
        since: "0.1.0",
        remediation: "Lower the timeout to what the function needs (measure its p99 duration), or raise max-timeout-s in faasguard.toml if the long run is intended.",
        references: &[
            "OWASP Serverless Top 10 SAS-8: Denial of Service & Financial Resource Exhaustion",
            "CWE-400",
            "https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html",
        ],
    }
}

impl ExcessiveTimeout {
    fn check_function(
        func: &Function,
        _inv: &Inventory,
        settings: &RuleSettings,
        out: &mut Vec<Violation>,
    ) {
        let Some(&timeout) = func.timeout_s.get() else {
            return;
        };
        if timeout > settings.max_timeout_s {
            out.push(Violation::new(
                func.timeout_s.location(),
                format!(
                    "timeout is {timeout} s, above the {} s maximum",
                    settings.max_timeout_s
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use faasguard_core::Attr;

    use super::*;
    use crate::rules::function::support::testing::{self, aws_function, line};

    fn run(timeout: Attr<u32>, max: u32) -> Vec<Violation> {
        let mut f = aws_function("Fn");
        f.timeout_s = timeout;
        let settings = RuleSettings {
            max_timeout_s: max,
            ..RuleSettings::default()
        };
        testing::run_with(&ExcessiveTimeout, &f, &Inventory::default(), &settings)
    }

    /// 900 s against the default 300 s maximum fires at the Timeout line.
    #[test]
    fn long_timeout_fires() {
        let out = run(Attr::explicit(900, line(11)), 300);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].at, Some(line(11)));
        assert!(out[0].message.contains("900 s"));
    }

    /// At the maximum, below it, a raised maximum, the default 3 s and an unresolved timeout
    /// are silent.
    #[test]
    fn within_limit_is_silent() {
        assert!(run(Attr::explicit(300, line(11)), 300).is_empty());
        assert!(run(Attr::explicit(60, line(11)), 300).is_empty());
        assert!(run(Attr::explicit(900, line(11)), 900).is_empty());
        assert!(run(Attr::default_value(3), 300).is_empty());
        assert!(run(Attr::unresolved("!Ref Timeout", line(11)), 300).is_empty());
    }
}
