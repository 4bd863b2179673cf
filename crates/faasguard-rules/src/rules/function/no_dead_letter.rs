use faasguard_model::{Function, Inventory};

use crate::rules::function::support::is_aws;
use crate::{RuleSettings, Violation, declare_rule};

declare_rule! {
    /// ## What it does
    /// **Opt-in** (runs only when selected by id or name, e.g. `--select FG-FN-019`). Reports
    /// AWS Lambda functions with neither a dead-letter queue nor an on-failure destination
    /// whose triggers faasguard does not know to be asynchronous. Functions with a known
    /// asynchronous trigger are FG-FN-010's (medium); together the two rules cover every
    /// function, which is what prowler (`awslambda_function_no_dead_letter_queue`) and checkov
    /// (CKV_AWS_116) report. In `faasguard cloud scan`, selecting this rule also reads each
    /// function's event-invoke configuration (one more API call per function), so on-failure
    /// destinations count.
    ///
    /// ## Why is this bad?
    /// Any principal allowed `lambda:InvokeFunction` may invoke the function asynchronously
    /// (`InvocationType: Event`), and triggers added later outside the template (an S3
    /// notification, an EventBridge rule in another stack) are asynchronous too. Lambda retries
    /// a failed asynchronous event twice and then discards it; without a dead-letter queue or
    /// an on-failure destination, nothing records that it failed.
    ///
    /// ## Example
    /// ```yaml
    /// AWSTemplateFormatVersion: "2010-09-09"
    /// Transform: AWS::Serverless-2016-10-31
    /// Resources:
    ///   BillingFunction:
    ///     Type: AWS::Serverless::Function
    ///     Properties:
    ///       Handler: app.handler
    ///       Runtime: python3.13
    ///       CodeUri: billing/
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// AWSTemplateFormatVersion: "2010-09-09"
    /// Transform: AWS::Serverless-2016-10-31
    /// Resources:
    ///   BillingDeadLetters:
    ///     Type: AWS::SQS::Queue
    ///   BillingFunction:
    ///     Type: AWS::Serverless::Function
    ///     Properties:
    ///       Handler: app.handler
    ///       Runtime: python3.13
    ///       CodeUri: billing/
    ///       DeadLetterQueue:
    ///         Type: SQS
    ///         TargetArn: !GetAtt BillingDeadLetters.Arn
    /// ```
    ///
    /// ## References
    /// - OWASP Serverless Top 10 SAS-10: Improper Exception Handling and Verbose Error Messages
    /// - CWE-755: Improper Handling of Exceptional Conditions
    /// - <https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html>
    pub NoDeadLetter {
        id: "FG-FN-019",
        name: "no-dead-letter",
        title: "Function has no dead-letter queue or on-failure destination (opt-in)",
        severity: Low,
        family: Function,
        status: OptIn,
        since: "0.1.0",
        remediation: "Add a DeadLetterQueue (SQS or SNS) or an EventInvokeConfig OnFailure destination, and alarm on it.",
        references: &[
            "OWASP Serverless Top 10 SAS-10: Improper Exception Handling and Verbose Error Messages",
            "CWE-755",
            "https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html",
        ],
    }
}

impl NoDeadLetter {
    fn check_function(
        func: &Function,
        _inv: &Inventory,
        _settings: &RuleSettings,
        out: &mut Vec<Violation>,
    ) {
        if !is_aws(func)
            || !func.dead_letters.is_empty()
            || func.events.iter().any(|e| e.kind.is_async())
        {
            return;
        }
        out.push(Violation::new(
            None,
            "no dead-letter queue or on-failure destination: an asynchronous invocation that fails after retries is discarded",
        ));
    }
}

#[cfg(test)]
mod tests {
    use faasguard_core::Attr;
    use faasguard_model::{DeadLetter, EventKind};

    use super::*;
    use crate::rules::function::support::testing::{self, aws_function, event, line};

    /// No destination and no known asynchronous trigger fires (a synchronous trigger too).
    #[test]
    fn no_destination_fires() {
        let mut f = aws_function("Fn");
        assert_eq!(testing::run(&NoDeadLetter, &f).len(), 1);
        f.events.push(event(EventKind::Api, "Get", 12));
        assert_eq!(testing::run(&NoDeadLetter, &f).len(), 1);
    }

    /// A destination (even unresolved) is silent, and so is an asynchronous trigger, which is
    /// FG-FN-010's to report.
    #[test]
    fn destination_or_async_trigger_is_silent() {
        let mut f = aws_function("Fn");
        f.dead_letters.push(DeadLetter {
            target: Attr::unresolved("!GetAtt Q.Arn", line(30)),
            kind: "dlq".to_owned(),
            at: line(30),
        });
        assert!(testing::run(&NoDeadLetter, &f).is_empty());
        let mut f = aws_function("Fn");
        f.events.push(event(EventKind::S3, "Upload", 15));
        assert!(testing::run(&NoDeadLetter, &f).is_empty());
    }
}
