//! Small helpers shared by the function-family rules.

use faasguard_model::{Function, Provider};

/// The function runs on AWS Lambda (the AWS-specific rules skip other providers).
pub fn is_aws(func: &Function) -> bool {
    func.id.provider == Provider::Aws
}

/// Splits an ARN (or an ARN written with `${…}` substitutions, as in `!Sub`) into its
/// colon-separated fields, treating a `${…}` as one opaque piece even when it contains colons
/// (`${AWS::Region}`).
pub fn arn_fields(arn: &str) -> Vec<&str> {
    let mut fields = Vec::new();
    let mut depth = 0usize;
    let mut start = 0usize;
    let bytes = arn.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'{' if i > 0 && bytes[i - 1] == b'$' => depth += 1,
            b'}' if depth > 0 => depth -= 1,
            b':' if depth == 0 => {
                fields.push(&arn[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    fields.push(&arn[start..]);
    fields
}

/// A 12-digit AWS account id.
pub fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
pub mod testing {
    //! Builders for hand-made functions in unit tests, and the runner every rule test uses.

    use faasguard_core::{Attr, Location};
    use faasguard_model::{
        EventKind, EventSource, Function, FunctionId, Inventory, LayerPermission, Permission,
        Provider, SourceKind,
    };

    use crate::{Rule, RuleSettings, Violation};

    /// Runs one rule on one function with an empty inventory and default settings.
    pub fn run(rule: &dyn Rule, func: &Function) -> Vec<Violation> {
        run_with(rule, func, &Inventory::default(), &RuleSettings::default())
    }

    /// Runs one rule on one function with the given inventory and settings.
    pub fn run_with(
        rule: &dyn Rule,
        func: &Function,
        inv: &Inventory,
        settings: &RuleSettings,
    ) -> Vec<Violation> {
        let mut out = Vec::new();
        rule.check(func, inv, settings, &mut out);
        out
    }

    /// An AWS SAM function `logical_id` defined at `template.yaml` line 5.
    pub fn aws_function(logical_id: &str) -> Function {
        let id = FunctionId {
            provider: Provider::Aws,
            source: SourceKind::Sam,
            file: "template.yaml".to_owned(),
            logical_id: logical_id.to_owned(),
            name: None,
            account: None,
            region: None,
        };
        Function::new(id, Location::at("template.yaml", 5, 3))
    }

    /// An Azure function `name` defined in `<name>/function.json`.
    pub fn azure_function(name: &str) -> Function {
        let file = format!("{name}/function.json");
        let id = FunctionId {
            provider: Provider::Azure,
            source: SourceKind::AzureFunctions,
            file: file.clone(),
            logical_id: name.to_owned(),
            name: Some(name.to_owned()),
            account: None,
            region: None,
        };
        Function::new(id, Location::at(&file, 1, 1))
    }

    /// A location in `template.yaml` at `line`, column 7.
    pub fn line(line: u32) -> Location {
        Location::at("template.yaml", line, 7)
    }

    /// A resource-policy statement granting `action` to `principal` (Action at line 20,
    /// Principal at line 21, the permission at line 18), with no condition.
    pub fn permission(principal: &str, action: &str) -> Permission {
        Permission {
            action: Attr::explicit(action.to_owned(), line(20)),
            principal: Attr::explicit(principal.to_owned(), line(21)),
            source_arn: Attr::absent(),
            source_account: Attr::absent(),
            principal_org_id: Attr::absent(),
            function_url_auth_type: Attr::absent(),
            at: line(18),
        }
    }

    /// A `lambda:GetLayerVersion` permission on `SharedLibsLayer` for `principal` (Principal
    /// at line 31, the permission at line 28), with no organization restriction.
    pub fn layer_permission(principal: &str) -> LayerPermission {
        LayerPermission {
            layer: "SharedLibsLayer".to_owned(),
            action: Attr::explicit("lambda:GetLayerVersion".to_owned(), line(30)),
            principal: Attr::explicit(principal.to_owned(), line(31)),
            organization_id: Attr::absent(),
            at: line(28),
        }
    }

    /// An event source of `kind` named `name` at `template.yaml` line `at`.
    pub fn event(kind: EventKind, name: &str, at: u32) -> EventSource {
        EventSource {
            kind,
            name: name.to_owned(),
            auth_level: Attr::absent(),
            at: line(at),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// ARN fields split on colons but keep `${AWS::Region}` whole.
    #[test]
    fn arn_fields_keep_substitutions_whole() {
        assert_eq!(
            arn_fields("arn:aws:lambda:${AWS::Region}:017000801446:layer:X:3"),
            [
                "arn",
                "aws",
                "lambda",
                "${AWS::Region}",
                "017000801446",
                "layer",
                "X",
                "3"
            ]
        );
        assert_eq!(arn_fields("plain"), ["plain"]);
        assert!(is_account_id("123456789012"));
        assert!(!is_account_id("${AWS::AccountId}"));
    }
}
