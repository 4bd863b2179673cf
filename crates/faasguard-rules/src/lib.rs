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

use faasguard_core::{Finding, fingerprint};
use faasguard_model::{Function, Inventory};

/// Runs every rule on every function of the inventory and returns the findings, sorted.
/// A rule that panics is caught and reported as an internal-error finding naming the rule,
/// so one faulty rule never loses the others' results.
pub fn check_inventory(inv: &Inventory, settings: &RuleSettings) -> Vec<Finding> {
    let mut findings = Vec::new();
    for rule in all_rules() {
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
                Ok(violations) => {
                    findings.extend(
                        violations
                            .into_iter()
                            .map(|v| to_finding(rule.meta(), func, v)),
                    );
                }
                Err(_) => findings.push(internal_error(rule.meta(), func)),
            }
        }
    }
    findings.sort_by(|a, b| {
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
    findings.dedup_by(|a, b| a.fingerprint == b.fingerprint);
    findings
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
    }
}

fn internal_error(meta: &RuleMeta, func: &Function) -> Finding {
    let function = func.display_id();
    let message = format!(
        "internal error: rule {} ({}) panicked on this function; please report it",
        meta.id, meta.name
    );
    let fp = fingerprint(meta.id, Some(&function), &func.at, &message);
    Finding {
        rule_id: meta.id.to_owned(),
        rule_name: meta.name.to_owned(),
        severity: faasguard_core::Severity::Info,
        function: Some(function),
        location: func.at.clone(),
        message,
        evidence: None,
        remediation: None,
        fingerprint: fp,
    }
}
