use std::collections::BTreeSet;

use faasguard_core::{Location, Severity};
use faasguard_model::{Function, Inventory};

/// The rule families, one folder each under `rules/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Family {
    /// `FG-FN-*`: function configuration (runtime, URL, resource policy, concurrency …).
    Function,
    /// `FG-IAM-*`: the execution role's permissions.
    Iam,
    /// `FG-AZ-*`: Azure Functions specifics.
    Azure,
}

impl Family {
    pub fn as_str(self) -> &'static str {
        match self {
            Family::Function => "function",
            Family::Iam => "iam",
            Family::Azure => "azure",
        }
    }
}

/// Rule lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    Preview,
    Stable,
    /// Stable, but off unless selected by id or name (`--select FG-FN-018`): checks that peer
    /// tools make and that some teams want, whose findings are noise for most functions.
    /// A family prefix (`--select FG-FN`) does not turn them on.
    OptIn,
    Deprecated,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Preview => "preview",
            Status::Stable => "stable",
            Status::OptIn => "opt-in",
            Status::Deprecated => "deprecated",
        }
    }
}

/// Static metadata of a rule. `docs` is the rule's doc comment.
#[derive(Debug, Clone, Copy)]
pub struct RuleMeta {
    /// Permanent id, `FG-<AREA>-<NNN>`; never reused.
    pub id: &'static str,
    /// Kebab-case name of the bad pattern (`function-url-without-auth`).
    pub name: &'static str,
    /// One-line summary.
    pub title: &'static str,
    pub severity: Severity,
    pub family: Family,
    pub status: Status,
    /// The faasguard version that introduced the rule.
    pub since: &'static str,
    /// How to fix it, in one or two sentences (shown with each finding).
    pub remediation: &'static str,
    /// OWASP Serverless Top 10, CWE, CIS and AWS documentation references.
    pub references: &'static [&'static str],
    /// The Markdown documentation (the rule's doc comment).
    pub docs: &'static str,
}

/// What a rule reports: where, what, and optionally evidence and a severity other than the rule's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Where the problem is written; `None` means the function's own definition.
    pub at: Option<Location>,
    pub message: String,
    pub evidence: Option<String>,
    pub severity: Option<Severity>,
}

impl Violation {
    pub fn new(at: Option<&Location>, message: impl Into<String>) -> Self {
        Violation {
            at: at.cloned(),
            message: message.into(),
            evidence: None,
            severity: None,
        }
    }

    #[must_use]
    pub fn with_evidence(mut self, evidence: impl Into<String>) -> Self {
        self.evidence = Some(evidence.into());
        self
    }

    #[must_use]
    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = Some(severity);
        self
    }
}

/// Settings the rules read (from `faasguard.toml`): which rules run and the knobs some rules have.
#[derive(Debug, Clone)]
pub struct RuleSettings {
    /// When non-empty, only these rule ids run.
    pub select: BTreeSet<String>,
    /// These rule ids never run.
    pub ignore: BTreeSet<String>,
    /// Run rules whose status is `preview`.
    pub preview: bool,
    /// Timeout (seconds) above which FG-FN timeout rules report.
    pub max_timeout_s: u32,
    /// AWS account ids whose layers are trusted (the organisation's own accounts).
    pub trusted_accounts: BTreeSet<String>,
    /// Today, as `YYYY-MM-DD`, for date-dependent rules (runtime end of life). Set by the caller
    /// so that library code never reads the clock and tests are reproducible.
    pub today: String,
}

impl Default for RuleSettings {
    fn default() -> Self {
        RuleSettings {
            select: BTreeSet::new(),
            ignore: BTreeSet::new(),
            preview: true,
            max_timeout_s: 300,
            trusted_accounts: BTreeSet::new(),
            today: "2026-11-24".to_owned(),
        }
    }
}

impl RuleSettings {
    pub fn is_enabled(&self, meta: &RuleMeta) -> bool {
        if self.ignore.contains(meta.id) || self.ignore.contains(meta.name) {
            return false;
        }
        let selected = self.select.contains(meta.id) || self.select.contains(meta.name);
        if meta.status == Status::OptIn {
            return selected;
        }
        if !self.select.is_empty() && !selected {
            return false;
        }
        self.preview || meta.status != Status::Preview
    }
}

/// A rule: metadata plus a check over one function (with the whole inventory in view for rules
/// that compare functions, such as a role shared by several functions).
pub trait Rule: Sync {
    fn meta(&self) -> &'static RuleMeta;
    fn check(
        &self,
        func: &Function,
        inv: &Inventory,
        settings: &RuleSettings,
        out: &mut Vec<Violation>,
    );
}

/// Declares a rule type whose doc comment becomes its documentation.
///
/// ```text
/// declare_rule! {
///     /// ## What it does
///     /// …
///     pub FunctionUrlWithoutAuth {
///         id: "FG-FN-002",
///         name: "function-url-without-auth",
///         title: "Function URL allows unauthenticated invocation",
///         severity: High,
///         family: Function,
///         status: Stable,
///         since: "0.1.0",
///         remediation: "Set AuthType to AWS_IAM …",
///         references: &["OWASP-SAS-2"],
///     }
/// }
/// ```
/// The type then implements [`Rule`] through a `check` method written next to it:
/// `impl FunctionUrlWithoutAuth { fn check_function(func, inv, settings, out) { … } }`
/// (an associated function: rules hold no state).
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        pub $ty:ident {
            id: $id:literal,
            name: $name:literal,
            title: $title:literal,
            severity: $sev:ident,
            family: $family:ident,
            status: $status:ident,
            since: $since:literal,
            remediation: $remediation:literal,
            references: $refs:expr $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Copy, Default)]
        pub struct $ty;

        impl $ty {
            pub const META: $crate::RuleMeta = $crate::RuleMeta {
                id: $id,
                name: $name,
                title: $title,
                severity: faasguard_core::Severity::$sev,
                family: $crate::Family::$family,
                status: $crate::Status::$status,
                since: $since,
                remediation: $remediation,
                references: $refs,
                docs: concat!($($doc, "\n"),*),
            };
        }

        impl $crate::Rule for $ty {
            fn meta(&self) -> &'static $crate::RuleMeta {
                &Self::META
            }

            fn check(
                &self,
                func: &faasguard_model::Function,
                inv: &faasguard_model::Inventory,
                settings: &$crate::RuleSettings,
                out: &mut Vec<$crate::Violation>,
            ) {
                Self::check_function(func, inv, settings, out);
            }
        }
    };
}
