//! What CloudFormation templates and the Serverless Framework's `resources` section (which
//! is CloudFormation) share about naming a Lambda function: the `${…}` variables of a
//! `Fn::Sub` string, the function name in a literal ARN or name, and the properties of an
//! `AWS::Lambda::Permission`.

use faasguard_core::{Attr, Location};
use faasguard_model::Permission;

/// The text inside each `${…}` of a `Fn::Sub` string, in order and as written (escapes such
/// as `${!Literal}` included); an unclosed `${` ends the list.
pub(crate) fn sub_placeholders(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        let start = rest.find("${")?;
        let after = &rest[start + 2..];
        let end = after.find('}')?;
        rest = &after[end + 1..];
        Some(&after[..end])
    })
}

/// The function name a literal names: the part after `:function:` in an ARN (also inside an
/// API Gateway integration URI `…/functions/arn:…:function:name/invocations`), up to a
/// qualifier; or a bare name (with any `:qualifier` dropped). `None` for other ARNs and when
/// the name holds a `${…}` placeholder.
pub(crate) fn function_name_in(text: &str) -> Option<&str> {
    let name = match text.split_once(":function:") {
        Some((_, rest)) => rest.split([':', '/']).next()?,
        None if text.starts_with("arn:") || text.contains('/') => return None,
        None => text.split(':').next()?,
    };
    (!name.is_empty() && !name.contains("${")).then_some(name)
}

/// An `AWS::Lambda::Permission` located at `at`, each property read by `attr` (called in
/// the order of the fields, with the CloudFormation property name).
pub(crate) fn permission(mut attr: impl FnMut(&str) -> Attr<String>, at: Location) -> Permission {
    Permission {
        action: attr("Action"),
        principal: attr("Principal"),
        source_arn: attr("SourceArn"),
        source_account: attr("SourceAccount"),
        principal_org_id: attr("PrincipalOrgID"),
        function_url_auth_type: attr("FunctionUrlAuthType"),
        at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Names are found in function ARNs, qualified ARNs, integration URIs and bare names; an ARN
    /// of another service, a placeholder name, or an empty name is not a function name.
    #[test]
    fn function_names_in_literals() {
        assert_eq!(
            function_name_in("arn:aws:lambda:eu-west-1:123456789012:function:orders"),
            Some("orders")
        );
        assert_eq!(
            function_name_in("arn:aws:lambda:eu-west-1:123456789012:function:orders:live"),
            Some("orders")
        );
        assert_eq!(
            function_name_in(
                "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:orders/invocations"
            ),
            Some("orders")
        );
        assert_eq!(function_name_in("orders"), Some("orders"));
        assert_eq!(function_name_in("orders:prod"), Some("orders"));
        assert_eq!(function_name_in("arn:aws:sqs:eu-west-1:1:queue"), None);
        assert_eq!(
            function_name_in("arn:aws:lambda:${AWS::Region}:1:function:${Name}"),
            None
        );
        assert_eq!(function_name_in(""), None);
    }

    /// Placeholders are listed in order and as written (escapes included), and an unclosed
    /// `${` ends the list.
    #[test]
    fn sub_placeholders_in_order() {
        assert_eq!(
            sub_placeholders("arn:${AWS::Partition}:x/${Fn.Arn}/${!Lit}/${ Other }/${open}x${")
                .collect::<Vec<_>>(),
            ["AWS::Partition", "Fn.Arn", "!Lit", " Other ", "open"]
        );
    }
}
