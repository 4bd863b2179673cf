use faasguard_model::{Function, Inventory};

use crate::rules::function::support::is_aws;
use crate::{RuleSettings, Violation, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports AWS Lambda functions whose `Invoke` calls no CloudTrail trail records as data
    /// events. `faasguard cloud scan` reads every trail that applies to the function's region
    /// (`DescribeTrails`, `GetEventSelectors`) and accepts basic selectors with a
    /// `AWS::Lambda::Function` data resource (`arn:aws:lambda` for every function, or the
    /// function's ARN) and advanced selectors on `resources.type` `AWS::Lambda::Function`
    /// (narrowed by `resources.ARN` when they are). In a CloudFormation or SAM template the rule
    /// looks only at the trails the template itself defines (`AWS::CloudTrail::Trail`): a
    /// template without one is not reported, since the account's trail usually lives elsewhere.
    ///
    /// ## Why is this bad?
    /// CloudTrail records management calls (who changed the function) by default, but not who
    /// invoked it. Without `Invoke` data events, an abused function (a leaked key calling it,
    /// a public URL hammered, a confused deputy invoking it for someone else) leaves no record
    /// of the caller, the source address or the time, and an investigation cannot say what was
    /// triggered. Data events are billed per event; selecting only the functions that matter is
    /// a legitimate choice, and this rule then names the ones left out.
    ///
    /// ## Example
    /// ```yaml
    /// AWSTemplateFormatVersion: "2010-09-09"
    /// Transform: AWS::Serverless-2016-10-31
    /// Resources:
    ///   AuditTrail:
    ///     Type: AWS::CloudTrail::Trail
    ///     Properties:
    ///       IsLogging: true
    ///       S3BucketName: audit-logs-111122223333
    ///       EventSelectors:
    ///         - ReadWriteType: All
    ///           DataResources:
    ///             - Type: AWS::S3::Object
    ///               Values: ["arn:aws:s3"]
    ///   PaymentsFunction:
    ///     Type: AWS::Serverless::Function
    ///     Properties:
    ///       Handler: app.handler
    ///       Runtime: python3.13
    ///       CodeUri: payments/
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// AWSTemplateFormatVersion: "2010-09-09"
    /// Transform: AWS::Serverless-2016-10-31
    /// Resources:
    ///   AuditTrail:
    ///     Type: AWS::CloudTrail::Trail
    ///     Properties:
    ///       IsLogging: true
    ///       S3BucketName: audit-logs-111122223333
    ///       EventSelectors:
    ///         - ReadWriteType: All
    ///           DataResources:
    ///             - Type: AWS::S3::Object
    ///               Values: ["arn:aws:s3"]
    ///             - Type: AWS::Lambda::Function
    ///               Values: [!GetAtt PaymentsFunction.Arn]
    ///   PaymentsFunction:
    ///     Type: AWS::Serverless::Function
    ///     Properties:
    ///       Handler: app.handler
    ///       Runtime: python3.13
    ///       CodeUri: payments/
    /// ```
    ///
    /// ## References
    /// - OWASP Serverless Top 10 SAS-5: Inadequate Function Monitoring and Logging
    /// - CWE-778: Insufficient Logging
    /// - <https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-data-events-with-cloudtrail.html>
    pub InvokeNotLogged {
        id: "FG-FN-020",
        name: "invoke-not-logged",
        title: "No CloudTrail trail records the function's invocations (data events)",
        severity: Low,
        family: Function,
        status: Stable,
        since: "0.1.0",
        remediation: "Add an AWS::Lambda::Function data-event selector to a trail (arn:aws:lambda for every function, or this function's ARN).",
        references: &[
            "OWASP Serverless Top 10 SAS-5: Inadequate Function Monitoring and Logging",
            "CWE-778",
            "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-data-events-with-cloudtrail.html",
        ],
    }
}

impl InvokeNotLogged {
    fn check_function(
        func: &Function,
        _inv: &Inventory,
        _settings: &RuleSettings,
        out: &mut Vec<Violation>,
    ) {
        if !is_aws(func) || func.invoke_logging.get() != Some(&false) {
            return;
        }
        out.push(Violation::new(
            func.invoke_logging.location(),
            "no CloudTrail trail records this function's Invoke calls as data events: who invoked it, from where and when is not recorded",
        ));
    }
}

#[cfg(test)]
mod tests {
    use faasguard_core::Attr;

    use super::*;
    use crate::rules::function::support::testing::{self, aws_function, line};

    fn run(logging: Attr<bool>) -> Vec<Violation> {
        let mut f = aws_function("Fn");
        f.invoke_logging = logging;
        testing::run(&InvokeNotLogged, &f)
    }

    /// A trail that does not cover the function fires at the trail.
    #[test]
    fn uncovered_fires_at_the_trail() {
        let out = run(Attr::explicit(false, line(4)));
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].at, Some(line(4)));
    }

    /// Covered, no trail known, or selectors that could not be read: silent.
    #[test]
    fn covered_unknown_or_unresolved_is_silent() {
        assert!(run(Attr::explicit(true, line(4))).is_empty());
        assert!(run(Attr::absent()).is_empty());
        assert!(run(Attr::unresolved("!Ref Selectors", line(4))).is_empty());
    }
}
