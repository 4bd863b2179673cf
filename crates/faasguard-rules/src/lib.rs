//! Structural rules over the function model.
//!
//! One rule = one file under `rules/<family>/`, declared with [`declare_rule!`], whose doc
//! comment (with the fixed headings `## What it does`, `## Why is this bad?`, `## Example`,
//! `Use instead:`, `## References`) is the rule's documentation. [`registry`] is the one table
//! of permanent ids.

mod meta;
pub mod registry;
pub mod rules;

pub use meta::{Family, Rule, RuleMeta, RuleSettings, Status, Violation};
pub use registry::{all_rules, find_rule};

use faasguard_core::{Diagnostic, Finding, fingerprint};
use faasguard_model::{Function, Inventory};

/// What running the rules produced.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Checked {
    /// Findings, sorted by file, line, rule, function and message, de-duplicated by fingerprint.
    pub findings: Vec<Finding>,
    /// One diagnostic per rule × function where the rule panicked: the scan is incomplete
    /// there, which the caller must report (exit code 2), but every other result is kept.
    pub internal_errors: Vec<Diagnostic>,
}

/// Runs every enabled rule of the registry on every function of the inventory.
pub fn check_inventory(inv: &Inventory, settings: &RuleSettings) -> Checked {
    check_with(&all_rules(), inv, settings)
}

/// Runs the given rules (those enabled by `settings`) on every function of the inventory.
/// A rule that panics is caught and reported as an internal error naming the rule and the
/// function, so one faulty rule never loses the others' results.
pub fn check_with(rules: &[&dyn Rule], inv: &Inventory, settings: &RuleSettings) -> Checked {
    let mut checked = Checked::default();
    for rule in rules {
        if !settings.is_enabled(rule.meta()) {
            continue;
        }
        for func in &inv.functions {
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let mut out = Vec::new();
                rule.check(func, inv, settings, &mut out);
                out
            }));
            match result {
                Ok(violations) => checked.findings.extend(
                    violations
                        .into_iter()
                        .map(|v| to_finding(rule.meta(), func, v)),
                ),
                Err(_) => checked.internal_errors.push(Diagnostic::new(
                    func.at.clone(),
                    format!(
                        "internal error: rule {} ({}) failed on function {}; its results for this function are missing (please report this)",
                        rule.meta().id,
                        rule.meta().name,
                        func.display_id()
                    ),
                )),
            }
        }
    }
    checked.findings.sort_by(|a, b| {
        (
            &a.location.file,
            a.location.line,
            &a.rule_id,
            &a.function,
            &a.message,
        )
            .cmp(&(
                &b.location.file,
                b.location.line,
                &b.rule_id,
                &b.function,
                &b.message,
            ))
    });
    checked
        .findings
        .dedup_by(|a, b| a.fingerprint == b.fingerprint);
    checked
}

/// Turns a rule's violation into a finding with the rule's metadata and a stable fingerprint.
pub fn to_finding(meta: &RuleMeta, func: &Function, v: Violation) -> Finding {
    let function = func.display_id();
    let location = v.at.unwrap_or_else(|| func.at.clone());
    let fp = fingerprint(meta.id, Some(&function), &location, &v.message);
    Finding {
        rule_id: meta.id.to_owned(),
        rule_name: meta.name.to_owned(),
        severity: v.severity.unwrap_or(meta.severity),
        function: Some(function),
        location,
        message: v.message,
        evidence: v.evidence,
        remediation: Some(meta.remediation.to_owned()),
        fingerprint: fp,
        flow: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::function::support::testing::aws_function;

    declare_rule! {
        /// ## What it does
        /// Panics, to prove that a faulty rule cannot take the scan down.
        ///
        /// ## Why is this bad?
        /// It is a test double.
        ///
        /// ## Example
        /// Any function.
        ///
        /// Use instead:
        /// Nothing.
        ///
        /// ## References
        /// - none
        pub PanickingRule {
            id: "FG-FN-999",
            name: "panicking-rule",
            title: "Always panics",
            severity: Low,
            family: Function,
            status: Preview,
            since: "0.1.0",
            remediation: "None.",
            references: &[],
        }
    }

    impl PanickingRule {
        #[expect(clippy::panic, reason = "the rule exists to panic")]
        fn check_function(
            _func: &Function,
            _inv: &Inventory,
            _settings: &RuleSettings,
            _out: &mut Vec<Violation>,
        ) {
            panic!("rule bug");
        }
    }

    /// A rule that panics yields an internal-error diagnostic naming the rule and the function,
    /// and the other rules' findings on the same function are kept.
    #[test]
    fn panicking_rule_is_an_internal_error() {
        let inv = Inventory {
            functions: vec![aws_function("Fn")],
            diagnostics: Vec::new(),
        };
        let tracing = rules::function::TracingDisabled;
        let rules: [&dyn Rule; 2] = [&PanickingRule, &tracing];
        let checked = check_with(&rules, &inv, &RuleSettings::default());
        assert_eq!(checked.internal_errors.len(), 1);
        let msg = &checked.internal_errors[0].message;
        assert!(
            msg.contains("FG-FN-999") && msg.contains("template.yaml#Fn"),
            "{msg}"
        );
        assert_eq!(checked.findings.len(), 1);
        assert_eq!(checked.findings[0].rule_id, "FG-FN-011");
    }
}
