//! Secret scanning for faasguard: hard-coded credentials in function code, packages and
//! configuration.
//!
//! Rules are data: TOML files under `rules/` are compiled in, parsed and validated once
//! ([`builtin_rules`]). A [`Scanner`] runs one case-insensitive Aho-Corasick automaton over the
//! union of all rule keywords, then only the regexes of rules whose keyword was seen, each built
//! with Unicode off (`regex::bytes`, ASCII classes and `\b`), then entropy, checksum and
//! allowlist checks. Findings ([`SecretFinding`]) never hold the secret: only a redacted preview
//! and a hash.
//!
//! Whole-text scanning: regexes run over the whole text (not line by line), so multi-line
//! PEM keys match as one span, and a minified single-line file costs linear time like any other.
//! Rules marked `generic` (keyword + literal assignments, which are noisy in bundled code) skip
//! matches on lines longer than [`Settings::max_line_bytes`]; each skip is counted in
//! [`ScanStats::long_line_skips`].

mod checksum;
mod engine;
mod rules;

pub use checksum::{crc32, github_checksum, github_token_checksum_ok};
pub use engine::{
    ScanOutcome, ScanStats, Scanner, SecretFinding, Settings, SettingsError, is_binary,
    shannon_entropy,
};
pub use rules::{Checksum, Pair, Rule, RuleError, builtin_rules};
