use std::sync::LazyLock;

use faasguard_core::{Attr, Location, Origin, Severity, redact_secret};
use faasguard_model::{EnvVar, Function, Inventory, Provider};
use faasguard_secrets::{Pair, Scanner, Settings};

use crate::{RuleSettings, Violation, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports environment variables (Azure: app settings) that hold a secret written in the
    /// source, found two ways:
    /// - **by value**: faasguard's secret engine (the `FG-SEC` credential rules) runs over the
    ///   function's variables as `NAME=value` lines, so a credential is reported whatever the
    ///   variable is called (`PAYMENT_CFG=sk_live_…` is "a Stripe live secret key"), and an AWS
    ///   access key id and its secret access key in two variables are one **critical** finding
    ///   for the pair, at the key id's line;
    /// - **by name**: a name that looks sensitive (`PASSWORD`, `PASSWD`, `SECRET`, `TOKEN`,
    ///   `API_KEY`, `PRIVATE_KEY`, `ACCESS_KEY`, `CREDENTIALS`, `CONNECTION_STRING`, …) with a
    ///   literal value, which catches what has no credential format (`DB_PASSWORD=hunter2hunter2`).
    ///
    /// A value that only references a template parameter is checked against the parameter's
    /// literal default and reported at the default's line: CloudFormation/SAM `!Ref P` or
    /// `!Sub '${P}'` with `P`'s `Default`, Serverless `${param:p}` with a `params` literal in the
    /// same file, Terraform `var.p` with its `default`, ARM `[parameters('p')]` with its
    /// `defaultValue`. A parameter without a default (`NoEcho`, `securestring`, passed by the
    /// pipeline) is the right pattern and is not reported.
    ///
    /// Severity: the rule's own is **high** when the function has no customer managed KMS key
    /// for its environment (`KmsKeyArn`, `kms_key_arn`, `awsKmsKeyArn`) and **medium** when it
    /// has one (the literal still sits in the template and in version control); a credential the
    /// engine recognises raises it to that credential's severity when higher. One variable
    /// gives at most one finding. Values that are references (`!Ref`, `${ssm:…}`,
    /// `{{resolve:secretsmanager:…}}`, ARNs, Azure Key Vault references `@Microsoft.KeyVault(…)`)
    /// and names that describe a pointer rather than the secret (`SECRET_ARN`,
    /// `TOKEN_PARAMETER_NAME`, `PASSWORD_MIN_LENGTH`) are not reported. The value is never shown
    /// whole: the evidence holds a redacted form.
    ///
    /// ## Why is this bad?
    /// A secret in a template is readable by everyone with access to the repository, the CI
    /// logs and the deployed function configuration (`lambda:GetFunctionConfiguration`). It
    /// cannot be rotated without a redeploy, and without a customer key it is encrypted only
    /// with the AWS managed key, which every principal allowed to read the function can use.
    ///
    /// ## Example
    /// ```yaml
    /// AWSTemplateFormatVersion: "2010-09-09"
    /// Transform: AWS::Serverless-2016-10-31
    /// Resources:
    ///   BillingFunction:
    ///     Type: AWS::Serverless::Function
    ///     Properties:
    ///       Handler: app.handler
    ///       Runtime: python3.13
    ///       CodeUri: billing/
    ///       Environment:
    ///         Variables:
    ///           DB_HOST: billing.cluster-example.eu-west-1.rds.amazonaws.com
    ///           DB_PASSWORD: Tr0ub4dor-and-3-EXAMPLE
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// AWSTemplateFormatVersion: "2010-09-09"
    /// Transform: AWS::Serverless-2016-10-31
    /// Parameters:
    ///   PartnerApiToken:
    ///     Type: String
    ///     NoEcho: true
    /// Resources:
    ///   BillingDbSecret:
    ///     Type: AWS::SecretsManager::Secret
    ///     Properties:
    ///       GenerateSecretString:
    ///         PasswordLength: 32
    ///   BillingFunction:
    ///     Type: AWS::Serverless::Function
    ///     Properties:
    ///       Handler: app.handler
    ///       Runtime: python3.13
    ///       CodeUri: billing/
    ///       Policies:
    ///         - AWSSecretsManagerGetSecretValuePolicy:
    ///             SecretArn: !Ref BillingDbSecret
    ///       Environment:
    ///         Variables:
    ///           DB_HOST: billing.cluster-example.eu-west-1.rds.amazonaws.com
    ///           DB_PASSWORD_SECRET_ARN: !Ref BillingDbSecret
    ///           PARTNER_API_TOKEN: !Ref PartnerApiToken
    /// ```
    ///
    /// ## References
    /// - OWASP Serverless Top 10 SAS-7: Insecure Application Secrets Storage
    /// - CWE-798: Use of Hard-coded Credentials
    /// - CWE-312: Cleartext Storage of Sensitive Information
    /// - <https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars-encryption.html>
    pub SecretInEnvironment {
        id: "FG-FN-009",
        name: "secret-in-environment",
        title: "Environment variable holds a hard-coded secret",
        severity: High,
        family: Function,
        status: Stable,
        since: "0.1.0",
        remediation: "Store the secret in Secrets Manager or SSM Parameter Store (SecureString), pass its ARN or name in the environment, and read it at runtime; rotate the exposed value.",
        references: &[
            "OWASP Serverless Top 10 SAS-7: Insecure Application Secrets Storage",
            "CWE-798",
            "CWE-312",
            "https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars-encryption.html",
        ],
    }
}

/// Name words (after splitting on `_`, `-`, `.` and camelCase) that mark a secret.
const SECRET_WORDS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "PWD",
    "PASS",
    "PASSPHRASE",
    "SECRET",
    "SECRETS",
    "TOKEN",
    "APIKEY",
    "CREDENTIAL",
    "CREDENTIALS",
    "CONNECTIONSTRING",
];
/// Two-word name parts that mark a secret (`API_KEY`, `PRIVATE_KEY`, …).
const SECRET_PAIRS: &[(&str, &str)] = &[
    ("API", "KEY"),
    ("PRIVATE", "KEY"),
    ("ACCESS", "KEY"),
    ("SECRET", "KEY"),
    ("SIGNING", "KEY"),
    ("ENCRYPTION", "KEY"),
    ("CLIENT", "SECRET"),
    ("CONNECTION", "STRING"),
    ("AUTH", "KEY"),
];
/// A last name word that makes the variable a pointer to, or a property of, the secret.
const POINTER_SUFFIXES: &[&str] = &[
    "ARN",
    "NAME",
    "ID",
    "PARAM",
    "PARAMETER",
    "PATH",
    "URL",
    "URI",
    "ENDPOINT",
    "HEADER",
    "FILE",
    "TTL",
    "EXPIRY",
    "EXPIRATION",
    "LENGTH",
    "SIZE",
    "TYPE",
    "REGION",
    "ENABLED",
    "VERSION",
];

/// The secret engine, built once: built-in credential rules, no path allowlist (environment
/// variables belong to a deployable function wherever its template sits).
static SCANNER: LazyLock<Scanner> = LazyLock::new(|| {
    #[expect(
        clippy::expect_used,
        reason = "the built-in rules are compiled in and validated by faasguard-secrets' tests; \
                  a failure is a build defect, reported by the engine as this rule's internal error"
    )]
    Scanner::new(Settings {
        allow_paths: Vec::new(),
        ..Settings::default()
    })
    .expect("built-in secret rules compile")
});

/// Where a candidate value comes from.
enum Source<'a> {
    /// Written as the variable's value.
    Literal,
    /// The literal default of the parameter the value references (`!Ref DbPassword`).
    ParameterDefault { expr: &'a str },
}

/// One environment variable whose value (or referenced parameter default) is a literal.
struct Candidate<'a> {
    var: &'a EnvVar,
    value: &'a str,
    at: &'a Location,
    source: Source<'a>,
}

/// What the secret engine found for one candidate.
struct EngineHit {
    title: String,
    severity: Severity,
    generic: bool,
    redacted: String,
    /// The other variable of an AWS key id + secret pair.
    partner: Option<usize>,
}

impl SecretInEnvironment {
    fn check_function(
        func: &Function,
        _inv: &Inventory,
        _settings: &RuleSettings,
        out: &mut Vec<Violation>,
    ) {
        let has_cmk = func.kms_key.is_written();
        let candidates: Vec<Candidate<'_>> =
            func.environment.iter().filter_map(candidate).collect();
        let mut hits = engine_hits(&candidates);
        let azure = func.id.provider == Provider::Azure;
        let noun = if azure {
            "app setting"
        } else {
            "environment variable"
        };
        // The rule's own severity: lower when a customer KMS key encrypts the environment.
        let own = if has_cmk {
            Severity::Medium
        } else {
            Severity::High
        };
        // The second variable of a key pair is reported with the first.
        let mut covered = vec![false; candidates.len()];
        for j in hits.iter().flatten().filter_map(|h| h.partner) {
            covered[j] = true;
        }
        for (i, c) in candidates.iter().enumerate() {
            if covered[i] {
                continue;
            }
            let name = &c.var.name;
            let via = match c.source {
                Source::Literal => String::new(),
                Source::ParameterDefault { expr } => {
                    format!(" is `{expr}`, whose template default")
                }
            };
            let (message, severity, redacted) = if let Some(hit) = hits[i].take() {
                let what = if hit.generic {
                    format!("a literal secret ({})", hit.title.to_ascii_lowercase())
                } else {
                    format!("{} {}", article(&hit.title), hit.title)
                };
                let message = match hit.partner {
                    Some(j) => {
                        format!(
                            "{noun}s {name} and {}{via} hold {what}",
                            candidates[j].var.name
                        )
                    }
                    None => format!("{noun} {name}{via} holds {what}"),
                };
                (message, own.max(hit.severity), hit.redacted)
            } else if is_sensitive_name(name) {
                let message = if has_cmk {
                    format!(
                        "{noun} {name}{via} holds a literal secret in the source (a customer KMS key encrypts it at rest, but the value is still in the template)"
                    )
                } else if azure {
                    format!(
                        "{noun} {name}{via} holds a literal secret instead of a Key Vault reference"
                    )
                } else {
                    format!(
                        "{noun} {name}{via} holds a literal secret and the function has no customer KMS key"
                    )
                };
                (message, own, redact_secret(c.value))
            } else {
                continue;
            };
            let mut v =
                Violation::new(Some(c.at), message).with_evidence(format!("{name}={redacted}"));
            if severity != Severity::High {
                v = v.with_severity(severity);
            }
            out.push(v);
        }
    }
}

/// The variable as a candidate: its literal value, or the literal default of the one
/// parameter it references (at the default's location).
fn candidate(var: &EnvVar) -> Option<Candidate<'_>> {
    if let Some(value) = literal_secret_value(&var.value) {
        return Some(Candidate {
            var,
            value,
            at: var.value.location().unwrap_or(&var.at),
            source: Source::Literal,
        });
    }
    let Origin::Unresolved { expr } = &var.value.origin else {
        return None;
    };
    let default = var.default_from.as_ref()?;
    let value = literal_secret_value(default)?;
    Some(Candidate {
        var,
        value,
        at: default.location().unwrap_or(&var.at),
        source: Source::ParameterDefault { expr },
    })
}

/// Runs the secret engine over the candidates as consecutive `NAME=value` lines (so an access
/// key id and its secret in two variables pair up) and keeps, per candidate, its most severe
/// finding. A generic (keyword + assignment) finding counts only when the value alone
/// produces it: a keyword in the *name* is the name check's business, with its pointer-name
/// exceptions (`SECRET_NAME`, `TOKEN_PARAMETER`).
fn engine_hits(candidates: &[Candidate<'_>]) -> Vec<Option<EngineHit>> {
    let mut hits: Vec<Option<EngineHit>> = candidates.iter().map(|_| None).collect();
    let Some(first) = candidates.first() else {
        return hits;
    };
    let path = first.at.file.as_str();
    let mut text = String::new();
    // 1-based first text line of each candidate.
    let mut starts = Vec::with_capacity(candidates.len());
    let mut line = 1;
    for c in candidates {
        starts.push(line);
        text.push_str(&c.var.name);
        text.push('=');
        text.push_str(c.value);
        text.push('\n');
        line += 1 + c.value.matches('\n').count();
    }
    let index = |line: usize| starts.partition_point(|&s| s <= line).saturating_sub(1);
    for f in SCANNER.scan_text(path, &text) {
        let i = index(f.line);
        let end = index(f.end_line);
        let rule = SCANNER.rules().find(|r| r.id == f.rule_id);
        let generic = rule.is_some_and(|r| r.generic);
        if generic
            && !SCANNER
                .scan_text(path, candidates[i].value)
                .iter()
                .any(|g| g.rule_id == f.rule_id)
        {
            continue;
        }
        let partner = if end == i {
            // A pair whose second half is written first ends on the first half's line.
            rule.and_then(|r| r.pair.as_ref())
                .and_then(|pair| pair_partner(candidates, &starts, i, pair))
        } else {
            Some(end)
        };
        let better = hits[i]
            .as_ref()
            .is_none_or(|h| (f.severity, partner.is_some()) > (h.severity, h.partner.is_some()));
        if better {
            hits[i] = Some(EngineHit {
                title: f.title,
                severity: f.severity,
                generic,
                redacted: f.redacted,
                partner,
            });
        }
    }
    hits
}

/// The candidate nearest to `i` (within the pair's distance) holding the pair's second half,
/// when the engine reported the pair on `i` alone (the second half was written before it).
fn pair_partner(
    candidates: &[Candidate<'_>],
    starts: &[usize],
    i: usize,
    pair: &Pair,
) -> Option<usize> {
    (0..candidates.len())
        .filter(|&j| j != i && starts[j].abs_diff(starts[i]) <= pair.within_lines)
        .filter(|&j| {
            let c = &candidates[j];
            SCANNER
                .scan_text(&c.at.file, &format!("{}={}", c.var.name, c.value))
                .iter()
                .any(|f| f.rule_name == pair.second)
        })
        .min_by_key(|&j| starts[j].abs_diff(starts[i]))
}

/// `a` or `an` before a credential title (`an AWS access key id`, `a Stripe live secret key`).
fn article(title: &str) -> &'static str {
    match title.chars().next() {
        Some('A' | 'E' | 'I' | 'O' | 'U' | 'a' | 'e' | 'i' | 'o' | 'u') => "an",
        _ => "a",
    }
}

/// The value when it is a literal that could be a secret (not empty, not a reference or ARN,
/// not a boolean or a number).
fn literal_secret_value(attr: &Attr<String>) -> Option<&str> {
    if !attr.is_explicit() {
        return None;
    }
    let value = attr.get()?.trim();
    let lower = value.to_ascii_lowercase();
    let is_reference = value.is_empty()
        || value.starts_with("{{resolve:")
        || value.starts_with("${")
        || lower.starts_with("arn:")
        || lower.starts_with("ssm:")
        || lower.starts_with("secretsmanager:")
        // Azure App Service / Functions Key Vault reference, resolved by the platform.
        || lower.starts_with("@microsoft.keyvault(");
    let is_trivial = matches!(
        lower.as_str(),
        "true" | "false" | "yes" | "no" | "none" | "null"
    ) || value.parse::<f64>().is_ok();
    (!is_reference && !is_trivial).then_some(value)
}

/// Splits `dbPassword`, `DB_PASSWORD`, `db-password` into upper-case words.
fn name_words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        current.push(c.to_ascii_uppercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// The name looks like it holds a secret, not a pointer to one.
fn is_sensitive_name(name: &str) -> bool {
    let words = name_words(name);
    let Some(last) = words.last() else {
        return false;
    };
    if POINTER_SUFFIXES.contains(&last.as_str()) {
        return false;
    }
    words.iter().any(|w| SECRET_WORDS.contains(&w.as_str()))
        || words
            .windows(2)
            .any(|p| SECRET_PAIRS.contains(&(p[0].as_str(), p[1].as_str())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::function::support::testing::{aws_function, azure_function, line, run};

    fn var(name: &str, value: Attr<String>) -> EnvVar {
        EnvVar {
            name: name.to_owned(),
            value,
            at: line(13),
            default_from: None,
        }
    }

    fn lit(s: &str) -> Attr<String> {
        Attr::explicit(s.to_owned(), line(14))
    }

    /// A variable with a literal value at `at_line`.
    fn lit_var(name: &str, value: &str, at_line: u32) -> EnvVar {
        EnvVar {
            name: name.to_owned(),
            value: Attr::explicit(value.to_owned(), line(at_line)),
            at: line(at_line),
            default_from: None,
        }
    }

    // Fake credentials (random, not real), assembled at run time so that this source file
    // holds none (faasguard scans its own repository).
    static STRIPE_LIVE: LazyLock<String> =
        LazyLock::new(|| ["sk", "live", "38AibNyyurlGFb0EkjKWREhbiGjlvhkT"].join("_"));
    static AWS_ID: LazyLock<String> = LazyLock::new(|| ["AK", "IA7R4F6QKKS6RFGY35"].concat());
    static AWS_SECRET: LazyLock<String> =
        LazyLock::new(|| ["8D+Cn511CFUBWkNhBm2b", "d2AG2/B2TFu2aWo/C7VL"].concat());

    /// Neither the message nor the evidence of any violation holds any of `secrets`.
    fn assert_redacted(out: &[Violation], secrets: &[&str]) {
        for v in out {
            for s in secrets {
                assert!(!v.message.contains(s), "{}", v.message);
                let evidence = v.evidence.clone().unwrap_or_default();
                assert!(!evidence.contains(s), "{evidence}");
            }
        }
    }

    /// A literal DB_PASSWORD without a KMS key is high, at the value, and the evidence never
    /// holds the value.
    #[test]
    fn literal_password_fires_redacted() {
        let secret = "Tr0ub4dor-and-3-EXAMPLE";
        let mut f = aws_function("Fn");
        f.environment
            .push(var("DB_HOST", lit("db.example.internal")));
        f.environment.push(var("DB_PASSWORD", lit(secret)));
        let out = run(&SecretInEnvironment, &f);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].severity, None);
        assert_eq!(out[0].at, Some(line(14)));
        let evidence = out[0].evidence.clone().unwrap_or_default();
        assert!(
            evidence.starts_with("DB_PASSWORD=Tr0u…(23 chars"),
            "{evidence}"
        );
        assert!(!evidence.contains(secret));
        assert!(!out[0].message.contains(secret));
    }

    /// With a customer KMS key the literal is still reported, at medium.
    #[test]
    fn with_kms_key_is_medium() {
        let mut f = aws_function("Fn");
        f.kms_key = Attr::unresolved("!GetAtt EnvKey.Arn", line(9));
        f.environment
            .push(var("stripeApiKey", lit("sk_test_EXAMPLE0000000000")));
        let out = run(&SecretInEnvironment, &f);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].severity, Some(Severity::Medium));
    }

    /// References, ARNs, pointer names, booleans, numbers and harmless names are silent.
    #[test]
    fn references_and_pointers_are_silent() {
        let mut f = aws_function("Fn");
        f.environment.push(var(
            "DB_PASSWORD",
            Attr::unresolved("!Ref DbPassword", line(14)),
        ));
        f.environment.push(var(
            "API_TOKEN",
            lit("{{resolve:secretsmanager:api:SecretString:token}}"),
        ));
        f.environment.push(var(
            "DB_SECRET",
            lit("arn:aws:secretsmanager:eu-west-1:123456789012:secret:db"),
        ));
        f.environment.push(var(
            "PAYMENT_API_SECRET",
            lit("@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/api/)"),
        ));
        f.environment
            .push(var("DB_PASSWORD_SECRET_ARN", lit("db-secret")));
        f.environment.push(var("TOKEN_TTL", lit("3600")));
        f.environment.push(var("USE_PASSWORD_AUTH", lit("true")));
        f.environment.push(var("PASSWORD_MIN_LENGTH", lit("12")));
        f.environment.push(var("TABLE_NAME", lit("orders")));
        f.environment.push(var("KEYCLOAK_REALM", lit("prod")));
        f.environment.push(var("API_TOKEN", lit("")));
        assert!(run(&SecretInEnvironment, &f).is_empty());
    }

    /// A credential recognised by the secret engine is reported under an innocuous name, with
    /// its type in the message and the secret rule's (critical) severity, at the value, redacted.
    #[test]
    fn credential_value_under_innocuous_name() {
        let mut f = aws_function("Fn");
        f.environment.push(lit_var("REGION_NAME", "eu-west-1", 12));
        f.environment
            .push(lit_var("PAYMENT_CFG", STRIPE_LIVE.as_str(), 13));
        let out = run(&SecretInEnvironment, &f);
        assert_eq!(out.len(), 1);
        assert_eq!(
            out[0].message,
            "environment variable PAYMENT_CFG holds a Stripe live secret key"
        );
        assert_eq!(out[0].severity, Some(Severity::Critical));
        assert_eq!(out[0].at, Some(line(13)));
        assert!(
            out[0]
                .evidence
                .as_deref()
                .is_some_and(|e| e.starts_with("PAYMENT_CFG=sk_l")),
            "{:?}",
            out[0].evidence
        );
        assert_redacted(&out, &[STRIPE_LIVE.as_str()]);
    }

    /// The secret rule's severity wins over the rule's own lower one: a customer KMS key does
    /// not make a live Stripe key medium.
    #[test]
    fn severity_is_the_maximum_of_both() {
        let mut f = aws_function("Fn");
        f.kms_key = Attr::explicit(
            "arn:aws:kms:eu-west-1:123456789012:key/1111aaaa-22bb-33cc-44dd-555555eeeeee".into(),
            line(9),
        );
        f.environment
            .push(lit_var("PAYMENT_CFG", STRIPE_LIVE.as_str(), 13));
        f.environment
            .push(lit_var("DB_PASSWORD", "hunter2hunter2", 14));
        let out = run(&SecretInEnvironment, &f);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].severity, Some(Severity::Critical));
        assert_eq!(out[1].severity, Some(Severity::Medium));
    }

    /// An AWS access key id and its secret in two variables are one critical violation at the
    /// id's line naming both variables; the secret's variable is not reported again.
    #[test]
    fn aws_key_pair_across_two_variables_is_critical() {
        let mut f = aws_function("Fn");
        f.environment
            .push(lit_var("AWS_ACCESS_KEY_ID", AWS_ID.as_str(), 20));
        f.environment
            .push(lit_var("AWS_SECRET_ACCESS_KEY", AWS_SECRET.as_str(), 21));
        let out = run(&SecretInEnvironment, &f);
        assert_eq!(out.len(), 1, "{out:#?}");
        assert_eq!(out[0].severity, Some(Severity::Critical));
        assert_eq!(out[0].at, Some(line(20)));
        assert!(
            out[0]
                .message
                .contains("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"),
            "{}",
            out[0].message
        );
        assert_redacted(&out, &[AWS_ID.as_str(), AWS_SECRET.as_str()]);
    }

    /// The pair is one violation also when the secret access key is written before the id.
    #[test]
    fn aws_key_pair_in_reverse_order() {
        let mut f = aws_function("Fn");
        f.environment
            .push(lit_var("AWS_SECRET_ACCESS_KEY", AWS_SECRET.as_str(), 20));
        f.environment.push(lit_var("TABLE_NAME", "orders", 21));
        f.environment
            .push(lit_var("AWS_ACCESS_KEY_ID", AWS_ID.as_str(), 22));
        let out = run(&SecretInEnvironment, &f);
        assert_eq!(out.len(), 1, "{out:#?}");
        assert_eq!(out[0].severity, Some(Severity::Critical));
        assert_eq!(out[0].at, Some(line(22)));
        assert!(
            out[0]
                .message
                .contains("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"),
            "{}",
            out[0].message
        );
        assert_redacted(&out, &[AWS_ID.as_str(), AWS_SECRET.as_str()]);
    }

    /// `DB_PASSWORD=hunter2hunter2` (no credential format, low entropy) is still reported by
    /// the name check, at the rule's own severity.
    #[test]
    fn short_password_under_sensitive_name() {
        let mut f = aws_function("Fn");
        f.environment
            .push(lit_var("DB_PASSWORD", "hunter2hunter2", 14));
        let out = run(&SecretInEnvironment, &f);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].severity, None);
        assert!(out[0].message.contains("holds a literal secret"));
        assert_redacted(&out, &["hunter2hunter2"]);
    }

    /// A password keyword inside the value (a JSON blob under an innocuous name) is found by a
    /// generic secret rule; a keyword only in a pointer-named variable's name is not.
    #[test]
    fn generic_rules_count_only_for_keywords_in_the_value() {
        let mut f = aws_function("Fn");
        f.environment.push(lit_var(
            "DB_CONFIG",
            concat!(r#"{"user":"billing","pass"#, r#"word":"Qm7TzW2pLr9XcV4b"}"#),
            14,
        ));
        f.environment
            .push(lit_var("DB_PASSWORD_NAME", "Qm7TzW2pLr9XcV4bN8kJ", 15));
        let out = run(&SecretInEnvironment, &f);
        assert_eq!(out.len(), 1, "{out:#?}");
        assert_eq!(out[0].at, Some(line(14)));
        assert!(
            out[0]
                .message
                .contains("DB_CONFIG holds a literal secret (")
        );
        assert_redacted(&out, &["Qm7TzW2pLr9XcV4b"]);
    }

    /// A value that references a parameter with a literal default is reported at the
    /// default's location, naming the expression; a parameter without a default is silent.
    #[test]
    fn parameter_default_is_reported_at_the_default() {
        let mut f = aws_function("Fn");
        f.environment.push(EnvVar {
            name: "DB_PASSWORD".into(),
            value: Attr::unresolved("!Ref LegacyDbPassword", line(30)),
            at: line(30),
            default_from: Some(Attr::explicit("hunter2-legacy".into(), line(8))),
        });
        f.environment.push(EnvVar {
            name: "PAYMENT_CFG".into(),
            value: Attr::unresolved("!Ref PaymentCfg", line(31)),
            at: line(31),
            default_from: Some(Attr::explicit(STRIPE_LIVE.as_str().into(), line(10))),
        });
        f.environment.push(EnvVar {
            name: "API_TOKEN".into(),
            value: Attr::unresolved("!Ref ApiToken", line(32)),
            at: line(32),
            default_from: None,
        });
        let out = run(&SecretInEnvironment, &f);
        assert_eq!(out.len(), 2, "{out:#?}");
        assert_eq!(out[0].at, Some(line(8)));
        assert!(
            out[0]
                .message
                .starts_with("environment variable DB_PASSWORD is `!Ref LegacyDbPassword`, whose template default holds a literal secret"),
            "{}",
            out[0].message
        );
        assert_eq!(out[1].at, Some(line(10)));
        assert_eq!(out[1].severity, Some(Severity::Critical));
        assert_redacted(&out, &["hunter2-legacy", STRIPE_LIVE.as_str()]);
    }

    /// Azure app settings get the same engine: a storage connection string with an account
    /// key is reported under the platform's own setting name.
    #[test]
    fn azure_connection_string() {
        let key = [
            "c+fQ7ZvqsP3CCT+nKEBJMhw5k62rOjlqnFCraP+c0YsHh",
            "47lft6zNHIA33NbEI3p85cRbGIEV45gO/V+RrwlIM==",
        ]
        .concat();
        let mut f = azure_function("Charge");
        f.environment.push(lit_var(
            "AzureWebJobsStorage",
            &format!("DefaultEndpointsProtocol=https;AccountName=fgfakeacct;AccountKey={key};EndpointSuffix=core.windows.net"),
            6,
        ));
        f.environment.push(lit_var(
            "AzureWebJobsStorageDev",
            "UseDevelopmentStorage=true",
            7,
        ));
        let out = run(&SecretInEnvironment, &f);
        assert_eq!(out.len(), 1, "{out:#?}");
        assert_eq!(
            out[0].message,
            "app setting AzureWebJobsStorage holds an Azure Storage connection string with account key"
        );
        assert_eq!(out[0].severity, Some(Severity::Critical));
        assert_redacted(&out, &[key.as_str()]);
    }

    /// Through the real SAM loader: the fixture's pair and Stripe key are critical at their
    /// template lines, the parameter default is reported at its `Default:` line, and the
    /// `NoEcho` parameter without a default stays silent.
    #[test]
    fn sam_fixture_severities_and_lines() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/secret-in-environment/sam.yaml");
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let file = faasguard_iac::SourceFile {
            path: "sam.yaml".into(),
            abs: path,
            text,
        };
        let inv = faasguard_iac::load(std::slice::from_ref(&file));
        let check = |logical_id: &str| {
            let f = inv
                .functions
                .iter()
                .find(|f| f.id.logical_id == logical_id)
                .map(|f| run(&SecretInEnvironment, f))
                .unwrap_or_default();
            f.iter()
                .map(|v| (v.at.as_ref().and_then(|l| l.line), v.severity))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            check("BadAwsKeysFunction"),
            vec![(Some(70), Some(Severity::Critical))]
        );
        assert_eq!(
            check("BadPaymentConfigFunction"),
            vec![(Some(60), Some(Severity::Critical))]
        );
        assert_eq!(check("BadParameterDefaultFunction"), vec![(Some(12), None)]);
        assert_eq!(check("GoodNoEchoFunction"), vec![]);
    }

    /// Name classification covers snake, kebab and camel case and the two-word forms.
    #[test]
    fn name_classification() {
        for name in [
            "DB_PASSWORD",
            "dbPassword",
            "github-token",
            "API_KEY",
            "apiKey",
            "PRIVATE_KEY",
            "CLIENT_SECRET",
            "AWS_SECRET_KEY",
            "MONGO_CONNECTION_STRING",
            "SMTP_PASS",
        ] {
            assert!(is_sensitive_name(name), "{name}");
        }
        for name in [
            "TABLE_NAME",
            "SECRET_ARN",
            "TOKEN_URL",
            "PASSPORT_BUCKET",
            "KEY_PREFIX",
            "BYPASS_CACHE",
            "TOKENIZER_MODEL_ID",
        ] {
            assert!(!is_sensitive_name(name), "{name}");
        }
    }
}
