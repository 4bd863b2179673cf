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
    //! Builders for hand-made functions in unit tests.

    use faasguard_core::Location;
    use faasguard_model::{Function, FunctionId, Provider, SourceKind};

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
