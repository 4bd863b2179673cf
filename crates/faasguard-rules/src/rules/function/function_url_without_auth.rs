use faasguard_model::{Function, Inventory};

use crate::{RuleSettings, Violation, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a function URL whose `AuthType` is `NONE` (SAM `FunctionUrlConfig`,
    /// `AWS::Lambda::Url`, `aws_lambda_function_url`, serverless `url: true`). An `AuthType`
    /// written as an unresolved expression is not reported.
    ///
    /// ## Why is this bad?
    /// With `AuthType: NONE` anyone on the internet who knows (or scans for) the
    /// `*.lambda-url.<region>.on.aws` address can invoke the function, with any payload, as
    /// often as they like. Authentication, if any, is left to the function's own code, and every
    /// request is billed to the owner.
    ///
    /// Note: faasguard deliberately does **not** report functions that are outside a VPC. A VPC
    /// does not restrict who can call a function URL or the Invoke API; AWS recommends attaching
    /// a function to a VPC only when it needs private resources. Exposure is decided by the URL
    /// auth type and the resource policy (FG-FN-004), which is what faasguard checks.
    ///
    /// ## Example
    /// ```yaml
    /// AWSTemplateFormatVersion: "2010-09-09"
    /// Transform: AWS::Serverless-2016-10-31
    /// Resources:
    ///   WebhookFunction:
    ///     Type: AWS::Serverless::Function
    ///     Properties:
    ///       Handler: app.handler
    ///       Runtime: python3.13
    ///       CodeUri: webhook/
    ///       FunctionUrlConfig:
    ///         AuthType: NONE
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// AWSTemplateFormatVersion: "2010-09-09"
    /// Transform: AWS::Serverless-2016-10-31
    /// Resources:
    ///   WebhookFunction:
    ///     Type: AWS::Serverless::Function
    ///     Properties:
    ///       Handler: app.handler
    ///       Runtime: python3.13
    ///       CodeUri: webhook/
    ///       FunctionUrlConfig:
    ///         AuthType: AWS_IAM
    /// ```
    ///
    /// ## References
    /// - OWASP Serverless Top 10 SAS-2: Broken Authentication
    /// - CWE-306: Missing Authentication for Critical Function
    /// - <https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html>
    pub FunctionUrlWithoutAuth {
        id: "FG-FN-003",
        name: "function-url-without-auth",
        title: "Function URL allows unauthenticated invocation",
        severity: High,
        family: Function,
        status: Stable,
        since: "0.1.0",
        remediation: "Set the function URL's AuthType to AWS_IAM, or put the function behind API Gateway with an authorizer.",
        references: &[
            "OWASP Serverless Top 10 SAS-2: Broken Authentication",
            "CWE-306",
            "https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html",
        ],
    }
}

impl FunctionUrlWithoutAuth {
    fn check_function(
        func: &Function,
        _inv: &Inventory,
        _settings: &RuleSettings,
        out: &mut Vec<Violation>,
    ) {
        let Some(url) = &func.url else {
            return;
        };
        let Some(auth) = url.auth_type.get() else {
            return;
        };
        if auth.trim().eq_ignore_ascii_case("NONE") {
            out.push(Violation::new(
                Some(url.auth_type.location().unwrap_or(&url.at)),
                "function URL has AuthType NONE: anyone on the internet can invoke the function",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use faasguard_core::Attr;
    use faasguard_model::FunctionUrl;

    use super::*;
    use crate::rules::function::support::testing::{aws_function, line, run};

    fn with_url(auth: Attr<String>) -> Function {
        let mut f = aws_function("Fn");
        f.url = Some(FunctionUrl {
            auth_type: auth,
            cors: None,
            at: line(10),
        });
        f
    }

    /// AuthType NONE fires at the AuthType line.
    #[test]
    fn none_fires_at_auth_type() {
        let out = run(
            &FunctionUrlWithoutAuth,
            &with_url(Attr::explicit("NONE".to_owned(), line(11))),
        );
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].at, Some(line(11)));
    }

    /// A NONE auth type known only as a default (serverless `url: true`) fires at the URL.
    #[test]
    fn defaulted_none_fires_at_url() {
        let out = run(
            &FunctionUrlWithoutAuth,
            &with_url(Attr::default_value("NONE".to_owned())),
        );
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].at, Some(line(10)));
    }

    /// AWS_IAM, an unresolved auth type and no URL at all are silent.
    #[test]
    fn iam_unresolved_and_no_url_are_silent() {
        assert!(
            run(
                &FunctionUrlWithoutAuth,
                &with_url(Attr::explicit("AWS_IAM".to_owned(), line(11)))
            )
            .is_empty()
        );
        assert!(
            run(
                &FunctionUrlWithoutAuth,
                &with_url(Attr::unresolved("!Ref Auth", line(11)))
            )
            .is_empty()
        );
        assert!(run(&FunctionUrlWithoutAuth, &aws_function("Fn")).is_empty());
    }
}
