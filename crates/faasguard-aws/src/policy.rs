//! Policy text as the APIs return it: IAM role and inline documents come URL-encoded
//! (percent-decode when the text starts with `%`), Lambda's resource policy as plain JSON.

use faasguard_core::{Attr, Location};
use faasguard_model::Permission;
use serde_json::Value;

/// The policy JSON of an API answer: percent-decoded when it starts with `%` (IAM's
/// `GetRolePolicy`, `GetPolicyVersion`, `AssumeRolePolicyDocument` on real AWS), then parsed.
/// `None` when it is not JSON after that.
pub fn decode_policy_text(text: &str) -> Option<Value> {
    let trimmed = text.trim();
    let decoded;
    let json = if trimmed.starts_with('%') {
        decoded = percent_decode(trimmed)?;
        decoded.as_str()
    } else {
        trimmed
    };
    serde_json::from_str(json).ok()
}

/// RFC 3986 percent-decoding (`+` is left alone: IAM encodes spaces as `%20`). `None` when the
/// result is not UTF-8 or an escape is malformed.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The strings of a JSON string or list of strings.
fn strings(value: &Value) -> Vec<String> {
    match value {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items
            .iter()
            .filter_map(|i| i.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

/// The first value of a condition key under any operator (`ArnLike`, `StringEquals` …),
/// compared case-insensitively (`AWS:SourceArn` and `aws:SourceArn` both occur).
fn condition_value(condition: Option<&Value>, key: &str) -> Option<String> {
    let Value::Object(ops) = condition? else {
        return None;
    };
    ops.values().find_map(|keys| {
        let Value::Object(keys) = keys else {
            return None;
        };
        keys.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .and_then(|(_, v)| strings(v).into_iter().next())
    })
}

/// Every principal of a statement as the IaC loaders write it: `*`, an account id or ARN, or a
/// service principal.
fn principals(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Object(map)) => map.values().flat_map(strings).collect(),
        _ => Vec::new(),
    }
}

/// The `Allow` statements of a function's resource policy (`GetPolicy`) as model permissions,
/// one per action and principal, located at `base` with a pointer to the statement.
pub fn resource_policy_permissions(policy: &Value, base: &Location) -> Vec<Permission> {
    let statements: Vec<&Value> = match policy.get("Statement") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(v @ Value::Object(_)) => vec![v],
        _ => Vec::new(),
    };
    let mut out = Vec::new();
    for (i, st) in statements.into_iter().enumerate() {
        if st.get("Effect").and_then(Value::as_str) != Some("Allow") {
            continue;
        }
        let at = base.clone().with_pointer(format!("/Statement/{i}"));
        let condition = st.get("Condition");
        let attr = |v: Option<String>| match v {
            Some(v) => Attr::explicit(v, at.clone()),
            None => Attr::absent(),
        };
        // moto writes `FunctionUrlAuthType` next to the statement's keys; AWS in a condition.
        let url_auth = condition_value(condition, "lambda:FunctionUrlAuthType").or_else(|| {
            st.get("FunctionUrlAuthType")
                .and_then(Value::as_str)
                .map(str::to_owned)
        });
        let actions = st.get("Action").map(strings).unwrap_or_default();
        for action in &actions {
            for principal in principals(st.get("Principal")) {
                out.push(Permission {
                    action: Attr::explicit(action.clone(), at.clone()),
                    principal: Attr::explicit(principal, at.clone()),
                    source_arn: attr(condition_value(condition, "aws:SourceArn")),
                    source_account: attr(condition_value(condition, "aws:SourceAccount")),
                    principal_org_id: attr(condition_value(condition, "aws:PrincipalOrgID")),
                    function_url_auth_type: attr(url_auth.clone()),
                    at: at.clone(),
                });
            }
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests fail loudly")]
mod tests {
    use super::*;

    /// URL-encoded documents (IAM) are decoded; plain JSON passes through; junk is `None`.
    #[test]
    fn decodes_percent_encoded_policies() {
        let encoded = "%7B%22Version%22%3A%20%222012-10-17%22%2C%20%22Statement%22%3A%20%5B%5D%7D";
        let doc = decode_policy_text(encoded).unwrap();
        assert_eq!(doc["Version"], "2012-10-17");
        assert_eq!(
            decode_policy_text(r#"{"Statement": []}"#).unwrap()["Statement"],
            Value::Array(vec![])
        );
        assert!(decode_policy_text("%7").is_none());
        assert!(decode_policy_text("%ZZ").is_none());
        assert!(decode_policy_text("not json").is_none());
    }

    /// A real resource-policy shape: conditions in either key case, service and public
    /// principals, moto's top-level `FunctionUrlAuthType`, and Deny statements skipped.
    #[test]
    fn resource_policy_to_permissions() {
        let policy: Value = serde_json::from_str(
            r#"{"Version":"2012-10-17","Id":"default","Statement":[
              {"Sid":"s3","Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},
               "Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:us-east-1:123456789012:function:f",
               "Condition":{"StringEquals":{"AWS:SourceAccount":"123456789012"},
                            "ArnLike":{"AWS:SourceArn":"arn:aws:s3:::bucket"}}},
              {"Sid":"url","Effect":"Allow","Principal":"*","Action":"lambda:InvokeFunctionUrl",
               "Resource":"x","FunctionUrlAuthType":"NONE"},
              {"Sid":"deny","Effect":"Deny","Principal":"*","Action":"lambda:InvokeFunction","Resource":"x"}]}"#,
        )
        .unwrap();
        let perms = resource_policy_permissions(&policy, &Location::file("arn:f"));
        assert_eq!(perms.len(), 2);
        assert_eq!(perms[0].principal.get().unwrap(), "s3.amazonaws.com");
        assert_eq!(perms[0].source_account.get().unwrap(), "123456789012");
        assert_eq!(perms[0].source_arn.get().unwrap(), "arn:aws:s3:::bucket");
        assert!(perms[0].principal_org_id.get().is_none());
        assert_eq!(perms[1].principal.get().unwrap(), "*");
        assert_eq!(perms[1].function_url_auth_type.get().unwrap(), "NONE");
        assert_eq!(perms[1].at.pointer.as_deref(), Some("/Statement/1"));
    }
}
