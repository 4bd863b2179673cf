//! Which rules a report speaks of: the rules that ran, plus any rule a finding names that the
//! rule list lacks (so that SARIF `ruleIndex` and JUnit test cases always have a rule to point at).

use std::collections::HashSet;

use faasguard_core::Severity;

use crate::{Report, RuleInfo};

/// A rule as a writer sees it: its metadata when the report has it, else what a finding says.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RuleView<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub severity: Severity,
    pub info: Option<&'a RuleInfo>,
}

/// The report's rules in their order, then rules named only by findings (reported, then
/// suppressed), in order of first appearance.
pub(crate) fn rules_in_play(report: &Report) -> Vec<RuleView<'_>> {
    let mut seen: HashSet<&str> = HashSet::new();
    let mut rules = Vec::with_capacity(report.rules.len());
    for rule in &report.rules {
        if seen.insert(rule.id.as_str()) {
            rules.push(RuleView {
                id: &rule.id,
                name: &rule.name,
                severity: rule.severity,
                info: Some(rule),
            });
        }
    }
    let findings = report
        .findings
        .iter()
        .chain(report.suppressed.iter().map(|s| &s.finding));
    for finding in findings {
        if seen.insert(finding.rule_id.as_str()) {
            rules.push(RuleView {
                id: &finding.rule_id,
                name: &finding.rule_name,
                severity: finding.severity,
                info: None,
            });
        }
    }
    rules
}

/// The text of a `## Heading` section of a rule's Markdown docs, up to the next heading or
/// `Use instead:` line, trimmed; `None` when absent or empty.
pub(crate) fn docs_section<'a>(docs: &'a str, heading: &str) -> Option<&'a str> {
    let mut start = None;
    let mut offset = 0;
    let mut in_fence = false;
    for line in docs.split_inclusive('\n') {
        let trimmed = line.trim();
        if trimmed.starts_with("```") {
            in_fence = !in_fence;
        } else if !in_fence {
            if let Some(begin) = start {
                if trimmed.starts_with('#') || trimmed == "Use instead:" {
                    return non_empty(&docs[begin..offset]);
                }
            } else if trimmed.starts_with('#')
                && trimmed
                    .trim_start_matches('#')
                    .trim()
                    .eq_ignore_ascii_case(heading)
            {
                start = Some(offset + line.len());
            }
        }
        offset += line.len();
    }
    start.and_then(|begin| non_empty(&docs[begin..]))
}

fn non_empty(text: &str) -> Option<&str> {
    let text = text.trim();
    (!text.is_empty()).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A section is cut at the next heading and at `Use instead:` (not at a `#` comment inside a
    /// code block); missing headings give None.
    #[test]
    fn docs_sections_are_found_and_cut() {
        let docs = "## What it does\nChecks a thing.\n\nMore.\n\n## Why is this bad?\nBecause.\n\n## Example\n```yaml\n# a comment\na: 1\n```\nUse instead:\n```yaml\na: 2\n```\n";
        assert_eq!(
            docs_section(docs, "What it does"),
            Some("Checks a thing.\n\nMore.")
        );
        assert_eq!(docs_section(docs, "Why is this bad?"), Some("Because."));
        assert_eq!(
            docs_section(docs, "Example"),
            Some("```yaml\n# a comment\na: 1\n```")
        );
        assert_eq!(docs_section(docs, "References"), None);
    }
}
