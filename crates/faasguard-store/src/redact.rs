//! Defence in depth: no secret value reaches the store, even if a finding carries one.
//!
//! The engine redacts secrets before they reach a report. The store does not rely on it: texts
//! it keeps go through faasguard's own secret rules ([`faasguard_secrets::Scanner`]) and a text
//! in which one matches is replaced by a note naming the rule. Evidence of secret findings
//! (`FG-SEC`) must already be in the [`faasguard_core::redact_secret`] form; anything else is
//! redacted again as a whole.

use std::sync::OnceLock;

use faasguard_secrets::{Scanner, Settings};

fn scanner() -> Option<&'static Scanner> {
    static SCANNER: OnceLock<Option<Scanner>> = OnceLock::new();
    SCANNER
        .get_or_init(|| {
            Scanner::new(Settings {
                // Stored texts are not files: no path allowlists apply.
                allow_paths: Vec::new(),
                doc_paths: Vec::new(),
                ..Settings::default()
            })
            .ok()
        })
        .as_ref()
}

/// `text` if no secret rule matches it, else a note that it was withheld (naming the rule). When
/// the secret rules cannot be built (never with the bundled rules), every text is withheld:
/// the store fails closed.
pub fn scrub(text: &str) -> String {
    let Some(scanner) = scanner() else {
        return "[withheld by the store: secret rules unavailable]".to_owned();
    };
    match scanner.scan_text("store", text).first() {
        None => text.to_owned(),
        Some(hit) => format!(
            "[withheld by the store: matched secret rule {} ({}), {}]",
            hit.rule_id, hit.rule_name, hit.redacted
        ),
    }
}

/// A named value (a JSON member, a tag): scanned together with its name, as an assignment,
/// so that rules that need the name's context (`aws_secret_access_key = …`, `password: …`)
/// see it; withheld when one matches.
pub fn scrub_named(name: &str, value: &str) -> String {
    if secret_like_name(name) && value.len() >= 8 && !value.contains(char::is_whitespace) {
        return faasguard_core::redact_secret(value);
    }
    let Some(scanner) = scanner() else {
        return "[withheld by the store: secret rules unavailable]".to_owned();
    };
    match scanner
        .scan_text("store", &format!("{name} = \"{value}\""))
        .first()
    {
        None => scrub(value),
        Some(hit) => format!(
            "[withheld by the store: matched secret rule {} ({}), {}]",
            hit.rule_id, hit.rule_name, hit.redacted
        ),
    }
}

/// A name that says its value is a credential (`DB_PASSWORD`, `apiKey`, `GITHUB_TOKEN`): its
/// value is redacted whatever it looks like, as the engine does for environment variables.
fn secret_like_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [
        "key",
        "secret",
        "token",
        "password",
        "passwd",
        "pwd",
        "credential",
        "private",
        "auth",
    ]
    .iter()
    .any(|word| lower.contains(word))
}

/// [`scrub`] for optional texts.
pub fn scrub_opt(text: Option<&str>) -> Option<String> {
    text.map(scrub)
}

/// Evidence of a secret finding as the store keeps it: the engine's redacted form
/// (`AKIA…(20 chars, sha256:1a2b3c4d)`) as is, anything else redacted as a whole.
pub fn secret_evidence(evidence: &str) -> String {
    if looks_redacted(evidence) {
        evidence.to_owned()
    } else {
        faasguard_core::redact_secret(evidence)
    }
}

/// `[≤4 chars]…(N chars, sha256:8 hex)`, the shape of [`faasguard_core::redact_secret`].
fn looks_redacted(text: &str) -> bool {
    let Some((shown, rest)) = text.split_once('…') else {
        return false;
    };
    let Some(inner) = rest.strip_prefix('(').and_then(|r| r.strip_suffix(')')) else {
        return false;
    };
    let Some((count, hash)) = inner.split_once(" chars, sha256:") else {
        return false;
    };
    shown.chars().count() <= 4
        && count.parse::<usize>().is_ok()
        && hash.len() == 8
        && hash.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A text holding a key is withheld; an ordinary message and a redacted value pass.
    #[test]
    fn secrets_are_withheld_and_plain_text_kept() {
        // Built at run time so that faasguard's own scan of this file finds no key.
        let key = &["AKIA", "Z7Q2WLMN4RTB3XKD"].concat();
        let out = scrub(&format!("leaked {key} in env"));
        assert!(!out.contains(key), "{out}");
        assert!(out.contains("FG-SEC-001"), "{out}");
        assert_eq!(
            scrub("Function URL has no authentication"),
            "Function URL has no authentication"
        );
        let redacted = faasguard_core::redact_secret(key);
        assert_eq!(secret_evidence(&redacted), redacted);
        assert_eq!(
            secret_evidence("hunter2"),
            faasguard_core::redact_secret("hunter2")
        );
        assert!(!secret_evidence("hunter2").contains("hunter2"));
        assert!(!scrub_named("DB_PASSWORD", "Tr0ub4dor&3").contains("Tr0ub4dor"));
        assert_eq!(scrub_named("team", "payments"), "payments");
    }
}
