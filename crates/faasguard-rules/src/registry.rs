//! The one table of rule ids. Each family's `RULES` slice lists its rules; ids are permanent and
//! never reused (a test checks uniqueness and snapshots the list).

use crate::Rule;
use crate::rules::{azure, function, iam};

/// Every rule, in id order.
pub fn all_rules() -> Vec<&'static dyn Rule> {
    let mut rules: Vec<&'static dyn Rule> = function::RULES
        .iter()
        .chain(iam::RULES)
        .chain(azure::RULES)
        .copied()
        .collect();
    rules.sort_by_key(|r| r.meta().id);
    rules
}

/// Looks a rule up by id (`FG-IAM-001`) or name (`iam-action-wildcard`), case-insensitively.
pub fn find_rule(key: &str) -> Option<&'static dyn Rule> {
    all_rules()
        .into_iter()
        .find(|r| r.meta().id.eq_ignore_ascii_case(key) || r.meta().name.eq_ignore_ascii_case(key))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::fmt::Write as _;

    use super::*;

    /// Rule ids and names are unique, well formed, and every rule's docs carry the fixed headings.
    #[test]
    fn ids_unique_and_docs_complete() {
        let mut ids = BTreeSet::new();
        let mut names = BTreeSet::new();
        for rule in all_rules() {
            let m = rule.meta();
            assert!(ids.insert(m.id), "duplicate id {}", m.id);
            assert!(names.insert(m.name), "duplicate name {}", m.name);
            let prefix = match m.family {
                crate::Family::Function => "FG-FN-",
                crate::Family::Iam => "FG-IAM-",
                crate::Family::Azure => "FG-AZ-",
            };
            assert!(
                m.id.starts_with(prefix) && m.id.len() == prefix.len() + 3,
                "bad id {}",
                m.id
            );
            assert!(
                m.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '-' || c.is_ascii_digit()),
                "bad name {}",
                m.name
            );
            for heading in [
                "## What it does",
                "## Why is this bad?",
                "## Example",
                "Use instead:",
                "## References",
            ] {
                assert!(m.docs.contains(heading), "{} docs lack `{heading}`", m.id);
            }
        }
    }

    /// The id table, snapshotted: an id that changes meaning, is renumbered or disappears shows up
    /// in review. Ids are permanent; a retired rule stays listed as `deprecated`.
    #[test]
    fn id_table_snapshot() {
        let mut table = String::new();
        for r in all_rules() {
            let m = r.meta();
            let _ = writeln!(
                table,
                "{} {} {} {} since {}",
                m.id,
                m.name,
                m.severity,
                m.status.as_str(),
                m.since
            );
        }
        insta::assert_snapshot!(table);
    }
}
