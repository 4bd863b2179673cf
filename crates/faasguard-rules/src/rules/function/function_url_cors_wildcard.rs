use faasguard_core::Severity;
use faasguard_model::{Function, Inventory};

use crate::{RuleSettings, Violation, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a function URL whose CORS configuration allows every origin (`AllowOrigins`
    /// containing `*`). With `AllowCredentials: true` the finding is **high**; with `*` alone
    /// it is **low** (a deliberate public API may want it, but it should be a decision).
    ///
    /// ## Why is this bad?
    /// CORS decides which websites may read the function's responses from a visitor's browser.
    /// `*` hands that to every website. Combined with `AllowCredentials: true`, the
    /// configuration asks for credentialed cross-origin access (cookies, HTTP authentication)
    /// from any site: browsers refuse a literal `*` for credentialed requests, and such setups
    /// are then usually "fixed" by reflecting the caller's origin, which lets any malicious page
    /// read responses made with the victim's session.
    ///
    /// ## Example
    /// ```yaml
    /// AWSTemplateFormatVersion: "2010-09-09"
    /// Transform: AWS::Serverless-2016-10-31
    /// Resources:
    ///   ProfileFunction:
    ///     Type: AWS::Serverless::Function
    ///     Properties:
    ///       Handler: app.handler
    ///       Runtime: python3.13
    ///       CodeUri: profile/
    ///       FunctionUrlConfig:
    ///         AuthType: AWS_IAM
    ///         Cors:
    ///           AllowOrigins:
    ///             - "*"
    ///           AllowCredentials: true
    ///           AllowMethods:
    ///             - GET
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// AWSTemplateFormatVersion: "2010-09-09"
    /// Transform: AWS::Serverless-2016-10-31
    /// Resources:
    ///   ProfileFunction:
    ///     Type: AWS::Serverless::Function
    ///     Properties:
    ///       Handler: app.handler
    ///       Runtime: python3.13
    ///       CodeUri: profile/
    ///       FunctionUrlConfig:
    ///         AuthType: AWS_IAM
    ///         Cors:
    ///           AllowOrigins:
    ///             - https://app.example.com
    ///           AllowCredentials: true
    ///           AllowMethods:
    ///             - GET
    /// ```
    ///
    /// ## References
    /// - OWASP Serverless Top 10 SAS-3: Insecure Serverless Deployment Configuration
    /// - CWE-942: Permissive Cross-domain Policy with Untrusted Domains
    /// - <https://docs.aws.amazon.com/lambda/latest/dg/urls-configuration.html>
    pub FunctionUrlCorsWildcard {
        id: "FG-FN-014",
        name: "function-url-cors-wildcard",
        title: "Function URL CORS allows any origin",
        severity: High,
        family: Function,
        status: Stable,
        since: "0.1.0",
        remediation: "List the exact origins that need access in AllowOrigins; never combine `*` with AllowCredentials.",
        references: &[
            "OWASP Serverless Top 10 SAS-3: Insecure Serverless Deployment Configuration",
            "CWE-942",
            "https://docs.aws.amazon.com/lambda/latest/dg/urls-configuration.html",
        ],
    }
}

impl FunctionUrlCorsWildcard {
    fn check_function(
        func: &Function,
        _inv: &Inventory,
        _settings: &RuleSettings,
        out: &mut Vec<Violation>,
    ) {
        let Some(url) = &func.url else {
            return;
        };
        let Some(cors) = &url.cors else {
            return;
        };
        if !cors.allow_origins.iter().any(|o| o.trim() == "*") {
            return;
        }
        let at = Some(cors.at.as_ref().unwrap_or(&url.at));
        if cors.allow_credentials.get() == Some(&true) {
            out.push(
                Violation::new(
                    cors.allow_credentials.location().or(at),
                    "function URL CORS allows any origin (`*`) together with AllowCredentials: true",
                )
                .with_evidence("AllowOrigins: [\"*\"], AllowCredentials: true"),
            );
        } else {
            out.push(
                Violation::new(at, "function URL CORS allows any origin (`*`)")
                    .with_severity(Severity::Low),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use faasguard_core::Attr;
    use faasguard_model::{Cors, FunctionUrl};

    use super::*;
    use crate::rules::function::support::testing::{self, aws_function, line};

    fn run(origins: &[&str], credentials: Attr<bool>) -> Vec<Violation> {
        let mut f = aws_function("Fn");
        f.url = Some(FunctionUrl {
            auth_type: Attr::explicit("AWS_IAM".to_owned(), line(11)),
            cors: Some(Cors {
                allow_origins: origins.iter().map(|o| (*o).to_owned()).collect(),
                allow_credentials: credentials,
                at: Some(line(12)),
            }),
            at: line(10),
        });
        testing::run(&FunctionUrlCorsWildcard, &f)
    }

    /// `*` with credentials is high, at the AllowCredentials line.
    #[test]
    fn star_with_credentials_is_high() {
        let out = run(&["*"], Attr::explicit(true, line(15)));
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].severity, None);
        assert_eq!(out[0].at, Some(line(15)));
    }

    /// `*` alone (credentials false or unset) is low, at the Cors block.
    #[test]
    fn star_alone_is_low() {
        for creds in [Attr::absent(), Attr::explicit(false, line(15))] {
            let out = run(&["https://a.example.com", "*"], creds);
            assert_eq!(out.len(), 1);
            assert_eq!(out[0].severity, Some(Severity::Low));
            assert_eq!(out[0].at, Some(line(12)));
        }
    }

    /// Named origins are silent, with or without credentials, and so is a URL without CORS.
    #[test]
    fn named_origins_are_silent() {
        assert!(run(&["https://app.example.com"], Attr::explicit(true, line(15))).is_empty());
        let mut f = aws_function("Fn");
        f.url = Some(FunctionUrl {
            auth_type: Attr::explicit("AWS_IAM".to_owned(), line(11)),
            cors: None,
            at: line(10),
        });
        assert!(testing::run(&FunctionUrlCorsWildcard, &f).is_empty());
    }
}
