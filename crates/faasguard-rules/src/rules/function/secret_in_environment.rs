use faasguard_core::{Severity, redact_secret};
use faasguard_model::{EnvVar, Function, Inventory, Provider};

use crate::{RuleSettings, Violation, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports environment variables whose name looks sensitive (`PASSWORD`, `PASSWD`,
    /// `SECRET`, `TOKEN`, `API_KEY`, `PRIVATE_KEY`, `ACCESS_KEY`, `CREDENTIALS`,
    /// `CONNECTION_STRING`, …) and whose value is a literal written in the source. The finding
    /// is **high** when the function has no customer managed KMS key for its environment
    /// (`KmsKeyArn`, `kms_key_arn`, `awsKmsKeyArn`) and **medium** when it has one, because the
    /// literal still sits in the template and in version control. Values that are references
    /// (`!Ref`, `${ssm:…}`, `{{resolve:secretsmanager:…}}`, ARNs, Azure Key Vault references
    /// `@Microsoft.KeyVault(…)`) and names that describe a
    /// pointer rather than the secret (`SECRET_ARN`, `TOKEN_PARAMETER_NAME`, `PASSWORD_MIN_LENGTH`)
    /// are not reported. The value is never shown whole: the evidence holds a redacted form.
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
        title: "Sensitive environment variable holds a literal value",
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

impl SecretInEnvironment {
    fn check_function(
        func: &Function,
        _inv: &Inventory,
        _settings: &RuleSettings,
        out: &mut Vec<Violation>,
    ) {
        let has_cmk = func.kms_key.is_written();
        for var in &func.environment {
            let Some(value) = literal_secret_value(var) else {
                continue;
            };
            if !is_sensitive_name(&var.name) {
                continue;
            }
            let mut v = if has_cmk {
                Violation::new(
                    Some(var.value.location().unwrap_or(&var.at)),
                    format!(
                        "environment variable {} holds a literal secret in the source (a customer KMS key encrypts it at rest, but the value is still in the template)",
                        var.name
                    ),
                )
                .with_severity(Severity::Medium)
            } else if func.id.provider == Provider::Aws {
                Violation::new(
                    Some(var.value.location().unwrap_or(&var.at)),
                    format!(
                        "environment variable {} holds a literal secret and the function has no customer KMS key",
                        var.name
                    ),
                )
            } else {
                Violation::new(
                    Some(var.value.location().unwrap_or(&var.at)),
                    format!(
                        "app setting {} holds a literal secret instead of a Key Vault reference",
                        var.name
                    ),
                )
            };
            v = v.with_evidence(format!("{}={}", var.name, redact_secret(value)));
            out.push(v);
        }
    }
}

/// The variable's value when it is a literal that could be a secret (not empty, not a
/// reference or ARN, not a boolean or a number).
fn literal_secret_value(var: &EnvVar) -> Option<&str> {
    if !var.value.is_explicit() {
        return None;
    }
    let value = var.value.get()?.trim();
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
    use faasguard_core::Attr;

    use super::*;
    use crate::rules::function::support::testing::{aws_function, line, run};

    fn var(name: &str, value: Attr<String>) -> EnvVar {
        EnvVar {
            name: name.to_owned(),
            value,
            at: line(13),
        }
    }

    fn lit(s: &str) -> Attr<String> {
        Attr::explicit(s.to_owned(), line(14))
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
