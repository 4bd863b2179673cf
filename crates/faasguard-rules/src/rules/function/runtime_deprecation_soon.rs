use faasguard_core::Severity;
use faasguard_model::{Function, Inventory};

use crate::rules::function::runtimes;
use crate::{RuleSettings, Violation, declare_rule};

/// How far ahead (days) an upcoming deprecation is reported.
const HORIZON_DAYS: i64 = 180;
/// Within this many days the finding is raised to medium.
const URGENT_DAYS: i64 = 60;

declare_rule! {
    /// ## What it does
    /// Reports AWS Lambda functions whose runtime will be deprecated within the next 180 days,
    /// counted from the scan date (`today` in the settings), using the dated lifecycle table
    /// faasguard carries as data. The finding is **low**, or **medium** when fewer than 60 days
    /// are left. The message names the deprecation date and the successor runtime. Runtimes
    /// already deprecated are reported by FG-FN-001 instead.
    ///
    /// ## Why is this bad?
    /// A runtime migration needs testing time: dependencies, native modules and behaviour
    /// change between language versions. Teams that learn of the deprecation on the day it
    /// happens run unpatched code until the migration is done.
    ///
    /// ## Example
    /// On 2026-11-24, `nodejs22.x` (deprecated 2027-04-30) is reported:
    /// ```yaml
    /// AWSTemplateFormatVersion: "2010-09-09"
    /// Transform: AWS::Serverless-2016-10-31
    /// Resources:
    ///   OrdersFunction:
    ///     Type: AWS::Serverless::Function
    ///     Properties:
    ///       Handler: index.handler
    ///       Runtime: nodejs22.x
    ///       CodeUri: orders/
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// AWSTemplateFormatVersion: "2010-09-09"
    /// Transform: AWS::Serverless-2016-10-31
    /// Resources:
    ///   OrdersFunction:
    ///     Type: AWS::Serverless::Function
    ///     Properties:
    ///       Handler: index.handler
    ///       Runtime: nodejs24.x
    ///       CodeUri: orders/
    /// ```
    ///
    /// ## References
    /// - OWASP Serverless Top 10 SAS-6: Insecure Third-Party Dependencies
    /// - CWE-1104: Use of Unmaintained Third Party Components
    /// - <https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html>
    pub RuntimeDeprecationSoon {
        id: "FG-FN-002",
        name: "runtime-deprecation-soon",
        title: "Function runtime will be deprecated within 180 days",
        severity: Low,
        family: Function,
        status: Stable,
        since: "0.1.0",
        remediation: "Plan the migration to the successor runtime named in the message before the deprecation date.",
        references: &[
            "OWASP Serverless Top 10 SAS-6: Insecure Third-Party Dependencies",
            "CWE-1104",
            "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html",
        ],
    }
}

impl RuntimeDeprecationSoon {
    fn check_function(
        func: &Function,
        _inv: &Inventory,
        settings: &RuleSettings,
        out: &mut Vec<Violation>,
    ) {
        let Some((runtime, lc, deprecated)) = runtimes::deprecation(func) else {
            return;
        };
        let (Some(date), Some(today)) = (
            runtimes::day_number(deprecated),
            runtimes::day_number(&settings.today),
        ) else {
            return;
        };
        let left = date - today;
        if left <= 0 || left > HORIZON_DAYS {
            return;
        }
        let successor = lc.successor.as_deref().map_or_else(
            || "plan the move to a supported runtime".to_owned(),
            |s| format!("plan the move to {s}"),
        );
        let message = format!(
            "runtime {} will be deprecated on {deprecated} ({left} days from {}); {successor}",
            runtime.trim(),
            settings.today
        );
        let mut v = Violation::new(func.runtime.location(), message);
        if left <= URGENT_DAYS {
            v = v.with_severity(Severity::Medium);
        }
        out.push(v);
    }
}

#[cfg(test)]
mod tests {
    use faasguard_core::Attr;

    use super::*;
    use crate::rules::function::support::testing::{self, aws_function, line};

    fn run(runtime: &str, today: &str) -> Vec<Violation> {
        let mut f = aws_function("Fn");
        f.runtime = Attr::explicit(runtime.to_owned(), line(8));
        let settings = RuleSettings {
            today: today.to_owned(),
            ..RuleSettings::default()
        };
        testing::run_with(
            &RuntimeDeprecationSoon,
            &f,
            &Inventory::default(),
            &settings,
        )
    }

    /// nodejs22.x (2027-04-30) seen from 2026-11-24 is 157 days away: low, with date and successor.
    #[test]
    fn within_horizon_is_low() {
        let out = run("nodejs22.x", "2026-11-24");
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].severity, None);
        assert_eq!(out[0].at, Some(line(8)));
        assert!(out[0].message.contains("2027-04-30"), "{}", out[0].message);
        assert!(out[0].message.contains("157 days"), "{}", out[0].message);
        assert!(out[0].message.contains("nodejs24.x"), "{}", out[0].message);
    }

    /// Fewer than 60 days left raises the finding to medium.
    #[test]
    fn close_deprecation_is_medium() {
        let out = run("nodejs22.x", "2027-04-01");
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].severity, Some(Severity::Medium));
    }

    /// Runtimes far from deprecation, already deprecated (FG-FN-001's job) or unknown are silent.
    #[test]
    fn outside_horizon_is_silent() {
        assert!(run("nodejs24.x", "2026-11-24").is_empty());
        assert!(run("python3.7", "2026-11-24").is_empty());
        assert!(run("nodejs22.x", "2027-04-30").is_empty());
        assert!(run("fortran77.x", "2026-11-24").is_empty());
        assert!(run("nodejs22.x", "not-a-date").is_empty());
    }
}
