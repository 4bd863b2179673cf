//! SAM data carried in `data/sam/` (see its PROVENANCE.md): policy templates and the names of
//! AWS managed policies, and the expansion of a `Policies` entry like `S3CrudPolicy: {BucketName: x}`.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use faasguard_model::{Effect, Location, PolicyDocument, Statement, StringOrPattern};
use serde::Deserialize;

use super::Ctx;
use super::view::{Slot, intrinsic, reference};
use crate::yaml::Value;

const TEMPLATES_JSON: &str = include_str!("../../data/sam/policy_templates.json");
const MANAGED_TXT: &str = include_str!("../../data/sam/aws_managed_policies.txt");

#[derive(Debug, Default, Deserialize)]
struct Data {
    templates: BTreeMap<String, Template>,
}

#[derive(Debug, Deserialize)]
struct Template {
    parameters: Vec<String>,
    statements: Vec<TemplateStatement>,
}

#[derive(Debug, Deserialize)]
struct TemplateStatement {
    effect: String,
    action: Vec<String>,
    resource: Vec<String>,
    condition: Option<serde_json::Value>,
}

fn data() -> &'static Data {
    static DATA: OnceLock<Data> = OnceLock::new();
    // The data is compiled in; a unit test proves it parses, so the fallback never applies.
    DATA.get_or_init(|| serde_json::from_str(TEMPLATES_JSON).unwrap_or_default())
}

/// Whether `name` is a SAM policy template.
pub(crate) fn is_template(name: &str) -> bool {
    data().templates.contains_key(name)
}

/// The parameters a policy template takes.
pub(crate) fn template_parameters(name: &str) -> Option<&'static [String]> {
    data().templates.get(name).map(|t| t.parameters.as_slice())
}

/// Expands a policy template with its arguments. Parameters given as literals are
/// substituted; `!Ref X` / `!GetAtt X.Y` become `${X}` / `${X.Y}` (Sub syntax). A resource that
/// still holds a `${…}` placeholder (a pseudo-parameter or an unresolved argument) stays
/// unresolved, so it is never mistaken for `*`.
pub(crate) fn expand(
    ctx: &Ctx<'_>,
    name: &str,
    args: &Slot<'_>,
    at: &Location,
) -> Option<PolicyDocument> {
    let template = data().templates.get(name)?;
    let mut values: Vec<(String, String)> = Vec::new();
    for param in &template.parameters {
        let Some(arg) = args.get(param) else {
            ctx.diag(
                args,
                format!("SAM policy template {name} needs parameter {param}"),
            );
            continue;
        };
        let text = if let Some(lit) = ctx.resolve(arg.node) {
            lit
        } else if let Some((id, attr)) = reference(arg.node) {
            match attr {
                Some(attr) => format!("${{{id}.{attr}}}"),
                None => format!("${{{id}}}"),
            }
        } else if let Some(("Sub", sub)) = intrinsic(arg.node) {
            match &sub.value {
                Value::Str(s) => s.clone(),
                _ => continue,
            }
        } else {
            continue;
        };
        values.push((format!("${{{param}}}"), text));
    }
    let subst = |pattern: &str| -> String {
        let mut out = pattern.to_owned();
        for (placeholder, value) in &values {
            out = out.replace(placeholder, value);
        }
        out
    };
    let statements = template
        .statements
        .iter()
        .map(|st| {
            let resource = st
                .resource
                .iter()
                .map(|r| {
                    let text = subst(r);
                    if text.contains("${") {
                        StringOrPattern::unresolved(text)
                    } else {
                        StringOrPattern::literal(text)
                    }
                })
                .collect();
            Statement {
                sid: None,
                effect: if st.effect == "Deny" {
                    Effect::Deny
                } else {
                    Effect::Allow
                },
                action: st
                    .action
                    .iter()
                    .map(|a| StringOrPattern::literal(a.clone()))
                    .collect(),
                not_action: Vec::new(),
                resource,
                not_resource: Vec::new(),
                principal: None,
                condition: st.condition.as_ref().map(|c| subst_json(c, &subst)),
                at: at.clone(),
            }
        })
        .collect();
    Some(PolicyDocument { statements })
}

fn subst_json(value: &serde_json::Value, subst: &dyn Fn(&str) -> String) -> serde_json::Value {
    use serde_json::Value as J;
    match value {
        J::String(s) => J::String(subst(s)),
        J::Array(items) => J::Array(items.iter().map(|v| subst_json(v, subst)).collect()),
        J::Object(map) => J::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), subst_json(v, subst)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The ARN of an AWS managed policy given by ARN (any partition) or by name
/// (`AWSLambdaExecute`, `AmazonS3ReadOnlyAccess`); `None` for anything else (a customer
/// managed policy ARN, an unknown name).
pub(crate) fn aws_managed_arn(name_or_arn: &str) -> Option<String> {
    if name_or_arn.starts_with("arn:") {
        let mut parts = name_or_arn.splitn(6, ':');
        let ok = parts.next() == Some("arn")
            && parts.next().is_some()
            && parts.next() == Some("iam")
            && parts.next() == Some("")
            && parts.next() == Some("aws")
            && parts.next().is_some_and(|rest| rest.starts_with("policy/"));
        return ok.then(|| name_or_arn.to_owned());
    }
    MANAGED_TXT
        .lines()
        .find(|suffix| suffix.rsplit('/').next() == Some(name_or_arn))
        .map(|suffix| format!("arn:aws:iam::aws:policy/{suffix}"))
}

#[cfg(test)]
mod tests {
    #![expect(clippy::expect_used, reason = "tests")]

    use super::*;

    /// The compiled-in template data parses and holds the templates the loader relies on.
    #[test]
    fn data_parses() {
        let d: Data = serde_json::from_str(TEMPLATES_JSON).expect("policy_templates.json parses");
        assert!(d.templates.len() >= 80, "{}", d.templates.len());
        let s3 = &d.templates["S3CrudPolicy"];
        assert_eq!(s3.parameters, ["BucketName"]);
        assert!(s3.statements[0].action.contains(&"s3:PutObject".to_owned()));
        assert_eq!(
            s3.statements[0].resource[0],
            "arn:${AWS::Partition}:s3:::${BucketName}"
        );
        for name in [
            "DynamoDBCrudPolicy",
            "SQSPollerPolicy",
            "LambdaInvokePolicy",
            "AWSSecretsManagerGetSecretValuePolicy",
        ] {
            assert!(is_template(name), "{name}");
        }
    }

    /// Managed policy names map to ARNs with their path; customer ARNs are not AWS managed.
    #[test]
    fn managed_names() {
        assert_eq!(
            aws_managed_arn("AWSLambdaBasicExecutionRole").as_deref(),
            Some("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
        );
        assert_eq!(
            aws_managed_arn("SecretsManagerReadWrite").as_deref(),
            Some("arn:aws:iam::aws:policy/SecretsManagerReadWrite")
        );
        assert_eq!(
            aws_managed_arn("arn:aws-us-gov:iam::aws:policy/AdministratorAccess").as_deref(),
            Some("arn:aws-us-gov:iam::aws:policy/AdministratorAccess")
        );
        assert_eq!(
            aws_managed_arn("arn:aws:iam::123456789012:policy/Mine"),
            None
        );
        assert_eq!(aws_managed_arn("NoSuchPolicyName"), None);
    }
}
