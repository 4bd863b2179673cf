//! Findings grouped by the function they name, shared by the writers that print per function.

use std::collections::{HashMap, HashSet};

use faasguard_core::Finding;

use crate::Report;

/// A report's findings by function, each group in the report's order.
pub(crate) struct ByFunction<'r> {
    groups: HashMap<&'r str, Vec<&'r Finding>>,
    /// Functions that findings name but the report does not list, in order of first mention.
    pub(crate) unlisted: Vec<&'r str>,
    /// Findings that name no function, in the report's order.
    pub(crate) loose: Vec<&'r Finding>,
}

impl<'r> ByFunction<'r> {
    pub(crate) fn new(report: &'r Report) -> Self {
        let listed: HashSet<&str> = report.functions.iter().map(|f| f.id.as_str()).collect();
        let mut groups: HashMap<&str, Vec<&Finding>> = HashMap::new();
        let mut unlisted = Vec::new();
        let mut loose = Vec::new();
        for finding in &report.findings {
            match finding.function.as_deref() {
                Some(id) => {
                    let group = groups.entry(id).or_default();
                    if group.is_empty() && !listed.contains(id) {
                        unlisted.push(id);
                    }
                    group.push(finding);
                }
                None => loose.push(finding),
            }
        }
        Self {
            groups,
            unlisted,
            loose,
        }
    }

    /// The findings on function `id` (empty when it has none).
    pub(crate) fn of(&self, id: &str) -> &[&'r Finding] {
        self.groups.get(id).map_or(&[][..], Vec::as_slice)
    }
}
