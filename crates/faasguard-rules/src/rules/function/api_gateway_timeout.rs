use faasguard_model::{EventKind, Function, Inventory};

use crate::{RuleSettings, Violation, declare_rule};

/// API Gateway REST API default maximum integration timeout (seconds).
const REST_API_LIMIT_S: u32 = 29;
/// API Gateway HTTP API maximum integration timeout (seconds).
const HTTP_API_LIMIT_S: u32 = 30;

declare_rule! {
    /// ## What it does
    /// Reports a function triggered by API Gateway whose timeout is longer than the
    /// integration timeout API Gateway will wait: 29 seconds for a REST API (`Api` event,
    /// the default quota) and 30 seconds for an HTTP API (`HttpApi` event).
    ///
    /// ## Why is this bad?
    /// When the function runs past the integration timeout, API Gateway has already answered
    /// the client with `504 Gateway Timeout`, but the function keeps running, and billing, until
    /// its own timeout. Clients retry, so each slow request can start several executions that
    /// nobody will read (denial of wallet), and side effects happen for requests the client
    /// believes failed. (Regional and private REST APIs can have the 29-second quota raised on
    /// request; if yours has, suppress this finding with a reason.)
    ///
    /// ## Example
    /// ```yaml
    /// AWSTemplateFormatVersion: "2010-09-09"
    /// Transform: AWS::Serverless-2016-10-31
    /// Resources:
    ///   OrdersApiFunction:
    ///     Type: AWS::Serverless::Function
    ///     Properties:
    ///       Handler: app.handler
    ///       Runtime: python3.13
    ///       CodeUri: orders/
    ///       Timeout: 120
    ///       Events:
    ///         GetOrders:
    ///           Type: Api
    ///           Properties:
    ///             Path: /orders
    ///             Method: get
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// AWSTemplateFormatVersion: "2010-09-09"
    /// Transform: AWS::Serverless-2016-10-31
    /// Resources:
    ///   OrdersApiFunction:
    ///     Type: AWS::Serverless::Function
    ///     Properties:
    ///       Handler: app.handler
    ///       Runtime: python3.13
    ///       CodeUri: orders/
    ///       Timeout: 10
    ///       Events:
    ///         GetOrders:
    ///           Type: Api
    ///           Properties:
    ///             Path: /orders
    ///             Method: get
    /// ```
    ///
    /// ## References
    /// - OWASP Serverless Top 10 SAS-8: Denial of Service & Financial Resource Exhaustion
    /// - CWE-400: Uncontrolled Resource Consumption
    /// - <https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html>
    /// - <https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html>
    pub ApiGatewayTimeout {
        id: "FG-FN-008",
        name: "timeout-exceeds-api-gateway",
        title: "Function timeout exceeds the API Gateway integration timeout",
        severity: Low,
        family: Function,
        status: Stable,
        since: "0.1.0",
        remediation: "Set the timeout at or below the API Gateway integration timeout (29 s REST, 30 s HTTP API), or move long work to an asynchronous flow.",
        references: &[
            "OWASP Serverless Top 10 SAS-8: Denial of Service & Financial Resource Exhaustion",
            "CWE-400",
            "https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html",
            "https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html",
        ],
    }
}

impl ApiGatewayTimeout {
    fn check_function(
        func: &Function,
        _inv: &Inventory,
        _settings: &RuleSettings,
        out: &mut Vec<Violation>,
    ) {
        let Some(&timeout) = func.timeout_s.get() else {
            return;
        };
        // The strictest API Gateway in front of the function decides.
        let Some(event) = func
            .events
            .iter()
            .filter(|e| e.kind.is_api_gateway())
            .min_by_key(|e| limit(e.kind))
        else {
            return;
        };
        let limit = limit(event.kind);
        if timeout > limit {
            let api = if event.kind == EventKind::HttpApi {
                "HTTP API"
            } else {
                "REST API"
            };
            out.push(Violation::new(
                Some(func.timeout_s.location().unwrap_or(&event.at)),
                format!(
                    "timeout is {timeout} s but the function is behind an API Gateway {api} (event `{}`) that gives up after {limit} s",
                    event.name
                ),
            ));
        }
    }
}

fn limit(kind: EventKind) -> u32 {
    if kind == EventKind::HttpApi {
        HTTP_API_LIMIT_S
    } else {
        REST_API_LIMIT_S
    }
}

#[cfg(test)]
mod tests {
    use faasguard_core::Attr;
    use faasguard_model::EventSource;

    use super::*;
    use crate::rules::function::support::testing::{self, aws_function, line};

    /// An event of `kind` named `name` at line 14.
    fn event(kind: EventKind, name: &str) -> EventSource {
        testing::event(kind, name, 14)
    }

    fn run(timeout: u32, events: Vec<EventSource>) -> Vec<Violation> {
        let mut f = aws_function("Fn");
        f.timeout_s = Attr::explicit(timeout, line(11));
        f.events = events;
        testing::run(&ApiGatewayTimeout, &f)
    }

    /// 120 s behind a REST API fires at the Timeout line and names the event.
    #[test]
    fn rest_api_over_29_fires() {
        let out = run(120, vec![event(EventKind::Api, "GetOrders")]);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].at, Some(line(11)));
        assert!(out[0].message.contains("GetOrders"));
        assert!(out[0].message.contains("29 s"));
        assert_eq!(run(30, vec![event(EventKind::Api, "GetOrders")]).len(), 1);
    }

    /// An HTTP API allows 30 s, so 30 is fine and 31 is not; with both kinds, 29 s decides.
    #[test]
    fn http_api_limit_is_30() {
        assert!(run(30, vec![event(EventKind::HttpApi, "Http")]).is_empty());
        assert_eq!(run(31, vec![event(EventKind::HttpApi, "Http")]).len(), 1);
        let both = vec![
            event(EventKind::HttpApi, "Http"),
            event(EventKind::Api, "Rest"),
        ];
        let out = run(30, both);
        assert_eq!(out.len(), 1);
        assert!(out[0].message.contains("Rest"));
    }

    /// Short timeouts and non-API triggers are silent.
    #[test]
    fn short_or_not_api_is_silent() {
        assert!(run(29, vec![event(EventKind::Api, "Get")]).is_empty());
        assert!(run(900, vec![event(EventKind::Sqs, "Queue")]).is_empty());
        assert!(run(900, Vec::new()).is_empty());
    }
}
