use std::fmt::Write as _;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{Location, Severity};

/// One problem found by one rule in one place.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Permanent rule id, `FG-<AREA>-<NNN>`.
    pub rule_id: String,
    /// Kebab-case rule name (`function-url-without-auth`).
    pub rule_name: String,
    pub severity: Severity,
    /// The function the finding is about (its display id), when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub function: Option<String>,
    pub location: Location,
    pub message: String,
    /// Supporting detail (a policy statement, a value). Never holds a whole secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remediation: Option<String>,
    /// Stable across runs and unrelated edits: rule id, function, file, pointer and message
    /// (not the line number), hashed.
    pub fingerprint: String,
    /// For data-flow findings: the path from the source to the sink (the last step is the
    /// finding's location). Written as SARIF `codeFlows`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flow: Vec<FlowStep>,
}

/// One step of a data flow: where, and what happens there.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowStep {
    pub location: Location,
    pub message: String,
}

/// A problem with the input or the run rather than with a function: a file that does not
/// parse, a reference to a missing file. Diagnostics make the exit code 2 but never stop the scan.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Diagnostic {
    pub location: Location,
    pub message: String,
}

impl Diagnostic {
    pub fn new(location: Location, message: impl Into<String>) -> Self {
        Diagnostic {
            location,
            message: message.into(),
        }
    }
}

/// The stable fingerprint of a finding: hex SHA-256 (first 16 bytes) over its identifying parts.
/// Line numbers are left out on purpose so that inserting a line above does not change it.
pub fn fingerprint(
    rule_id: &str,
    function: Option<&str>,
    location: &Location,
    message: &str,
) -> String {
    let mut h = Sha256::new();
    for part in [
        rule_id,
        function.unwrap_or(""),
        &location.file,
        location.pointer.as_deref().unwrap_or(""),
        message,
    ] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    let digest = h.finalize();
    let mut out = String::with_capacity(32);
    for byte in digest.iter().take(16) {
        let _ = write!(out, "{byte:02x}");
    }
    out
}

/// A secret shown safely: at most the first 4 characters, the length and a short hash.
/// `AKIAIOSFODNN7EXAMPLE` becomes `AKIA…(20 chars, sha256:1a2b3c4d)`. Secrets shorter than 20
/// characters (typically passwords, where every character counts) show no characters at all;
/// provider tokens are longer and their first characters are the type prefix (`AKIA`, `ghp_`).
pub fn redact_secret(secret: &str) -> String {
    let chars = secret.chars().count();
    let shown: String = if chars >= 20 {
        secret.chars().take(4).collect()
    } else {
        String::new()
    };
    let digest = Sha256::digest(secret.as_bytes());
    let mut short = String::with_capacity(8);
    for byte in digest.iter().take(4) {
        let _ = write!(short, "{byte:02x}");
    }
    format!("{shown}…({chars} chars, sha256:{short})")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fingerprint ignores line numbers but not the file or the rule.
    #[test]
    fn fingerprint_is_line_independent() {
        let a = Location::at("t.yaml", 3, 1).with_pointer("/Resources/Fn");
        let b = Location::at("t.yaml", 9, 5).with_pointer("/Resources/Fn");
        assert_eq!(
            fingerprint("FG-FN-001", Some("Fn"), &a, "m"),
            fingerprint("FG-FN-001", Some("Fn"), &b, "m")
        );
        assert_ne!(
            fingerprint("FG-FN-001", Some("Fn"), &a, "m"),
            fingerprint("FG-FN-002", Some("Fn"), &a, "m")
        );
    }

    /// Redaction never contains the secret and keeps short secrets fully hidden.
    #[test]
    fn redaction_hides_secret() {
        let s = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
        let r = redact_secret(s);
        assert!(!r.contains(s));
        assert!(r.starts_with("wJal…(40 chars"));
        assert!(redact_secret("hunter2").starts_with("…(7 chars"));
        assert!(redact_secret("Zq8vN3kP9mR2x7Lw").starts_with("…(16 chars"));
    }
}
