use faasguard_model::{Function, Inventory};

use crate::rules::function::support::is_aws;
use crate::{RuleSettings, Violation, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports AWS Lambda functions triggered asynchronously (S3, SNS, EventBridge, schedules,
    /// CloudWatch Logs, IoT) that have neither a dead-letter queue (`DeadLetterQueue`,
    /// `DeadLetterConfig`, `dead_letter_config`) nor an on-failure destination
    /// (`EventInvokeConfig` / `AWS::Lambda::EventInvokeConfig` `DestinationConfig.OnFailure`).
    /// Poll-based sources (SQS, Kinesis, DynamoDB streams) keep failed records on the source
    /// side and are not considered; neither are synchronous triggers (API Gateway, ALB).
    ///
    /// ## Why is this bad?
    /// Lambda retries a failed asynchronous event twice and then discards it. Without a
    /// dead-letter queue or an on-failure destination, those events (an uploaded file, a
    /// payment notification, a scheduled job) are lost silently: nothing records that they
    /// failed, so the failure can be neither investigated nor replayed.
    ///
    /// ## Example
    /// ```yaml
    /// AWSTemplateFormatVersion: "2010-09-09"
    /// Transform: AWS::Serverless-2016-10-31
    /// Resources:
    ///   UploadsBucket:
    ///     Type: AWS::S3::Bucket
    ///   IngestFunction:
    ///     Type: AWS::Serverless::Function
    ///     Properties:
    ///       Handler: app.handler
    ///       Runtime: python3.13
    ///       CodeUri: ingest/
    ///       Events:
    ///         Upload:
    ///           Type: S3
    ///           Properties:
    ///             Bucket: !Ref UploadsBucket
    ///             Events: s3:ObjectCreated:*
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// AWSTemplateFormatVersion: "2010-09-09"
    /// Transform: AWS::Serverless-2016-10-31
    /// Resources:
    ///   UploadsBucket:
    ///     Type: AWS::S3::Bucket
    ///   IngestDeadLetters:
    ///     Type: AWS::SQS::Queue
    ///   IngestFunction:
    ///     Type: AWS::Serverless::Function
    ///     Properties:
    ///       Handler: app.handler
    ///       Runtime: python3.13
    ///       CodeUri: ingest/
    ///       DeadLetterQueue:
    ///         Type: SQS
    ///         TargetArn: !GetAtt IngestDeadLetters.Arn
    ///       Events:
    ///         Upload:
    ///           Type: S3
    ///           Properties:
    ///             Bucket: !Ref UploadsBucket
    ///             Events: s3:ObjectCreated:*
    /// ```
    ///
    /// ## References
    /// - OWASP Serverless Top 10 SAS-10: Improper Exception Handling and Verbose Error Messages
    /// - CWE-755: Improper Handling of Exceptional Conditions
    /// - <https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html>
    pub AsyncWithoutDeadLetter {
        id: "FG-FN-010",
        name: "async-without-dead-letter",
        title: "Asynchronously triggered function has no dead-letter queue or on-failure destination",
        severity: Medium,
        family: Function,
        status: Stable,
        since: "0.1.0",
        remediation: "Add a DeadLetterQueue (SQS or SNS) or an EventInvokeConfig OnFailure destination, and alarm on it.",
        references: &[
            "OWASP Serverless Top 10 SAS-10: Improper Exception Handling and Verbose Error Messages",
            "CWE-755",
            "https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html",
        ],
    }
}

impl AsyncWithoutDeadLetter {
    fn check_function(
        func: &Function,
        _inv: &Inventory,
        _settings: &RuleSettings,
        out: &mut Vec<Violation>,
    ) {
        if !is_aws(func) || !func.dead_letters.is_empty() {
            return;
        }
        let mut async_events = func.events.iter().filter(|e| e.kind.is_async());
        let Some(first) = async_events.next() else {
            return;
        };
        let mut names = vec![first.name.as_str()];
        names.extend(async_events.map(|e| e.name.as_str()));
        out.push(Violation::new(
            Some(&first.at),
            format!(
                "asynchronous trigger{} {} but no dead-letter queue or on-failure destination: events that fail after retries are discarded",
                if names.len() > 1 { "s" } else { "" },
                names.join(", ")
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use faasguard_core::Attr;
    use faasguard_model::{DeadLetter, EventKind};

    use super::*;
    use crate::rules::function::support::testing::{aws_function, event, line, run};

    /// S3 and SNS triggers without a DLQ give one finding at the first async event, naming both.
    #[test]
    fn async_without_dlq_fires_once() {
        let mut f = aws_function("Fn");
        f.events.push(event(EventKind::Api, "Get", 12));
        f.events.push(event(EventKind::S3, "Upload", 15));
        f.events.push(event(EventKind::Sns, "Alerts", 20));
        let out = run(&AsyncWithoutDeadLetter, &f);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].at, Some(line(15)));
        assert!(
            out[0].message.contains("Upload, Alerts"),
            "{}",
            out[0].message
        );
    }

    /// A DLQ (or on-failure destination) silences it, and poll-based or sync triggers never fire.
    #[test]
    fn dlq_or_non_async_is_silent() {
        let mut f = aws_function("Fn");
        f.events.push(event(EventKind::Schedule, "Nightly", 15));
        f.dead_letters.push(DeadLetter {
            target: Attr::unresolved("!GetAtt Dlq.Arn", line(11)),
            kind: "on-failure".to_owned(),
            at: line(10),
        });
        assert!(run(&AsyncWithoutDeadLetter, &f).is_empty());
        let mut g = aws_function("Fn");
        g.events.push(event(EventKind::Sqs, "Queue", 15));
        g.events.push(event(EventKind::HttpApi, "Http", 18));
        assert!(run(&AsyncWithoutDeadLetter, &g).is_empty());
    }
}
