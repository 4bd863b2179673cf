use faasguard_model::{Function, FunctionId, Inventory};

use crate::{RuleSettings, Violation, declare_rule};

/// How many other functions the message names before summarising.
const NAMED: usize = 5;

declare_rule! {
    /// ## What it does
    /// Reports a function whose execution role is also the execution role of other functions
    /// in the scanned sources (the same role logical id, resource address or ARN). Roles the
    /// framework generates for one function (SAM `Policies`, serverless per-function roles)
    /// cannot be shared and are not considered. Each function sharing the role gets a finding
    /// naming the others.
    ///
    /// ## Why is this bad?
    /// A shared role holds the union of what every function using it needs, so each function
    /// gets permissions it does not use. A code-injection flaw in the least important function
    /// then reaches the data of the most sensitive one, and the role can never be narrowed
    /// without auditing every function at once.
    ///
    /// ## Example
    /// ```yaml
    /// AWSTemplateFormatVersion: "2010-09-09"
    /// Transform: AWS::Serverless-2016-10-31
    /// Resources:
    ///   AppRole:
    ///     Type: AWS::IAM::Role
    ///     Properties:
    ///       AssumeRolePolicyDocument:
    ///         Version: "2012-10-17"
    ///         Statement:
    ///           - Effect: Allow
    ///             Principal:
    ///               Service: lambda.amazonaws.com
    ///             Action: sts:AssumeRole
    ///       ManagedPolicyArns:
    ///         - arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole
    ///   ReadFunction:
    ///     Type: AWS::Serverless::Function
    ///     Properties:
    ///       Handler: read.handler
    ///       Runtime: python3.13
    ///       CodeUri: src/
    ///       Role: !GetAtt AppRole.Arn
    ///   WriteFunction:
    ///     Type: AWS::Serverless::Function
    ///     Properties:
    ///       Handler: write.handler
    ///       Runtime: python3.13
    ///       CodeUri: src/
    ///       Role: !GetAtt AppRole.Arn
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// AWSTemplateFormatVersion: "2010-09-09"
    /// Transform: AWS::Serverless-2016-10-31
    /// Resources:
    ///   ReadFunction:
    ///     Type: AWS::Serverless::Function
    ///     Properties:
    ///       Handler: read.handler
    ///       Runtime: python3.13
    ///       CodeUri: src/
    ///       Policies:
    ///         - DynamoDBReadPolicy:
    ///             TableName: orders
    ///   WriteFunction:
    ///     Type: AWS::Serverless::Function
    ///     Properties:
    ///       Handler: write.handler
    ///       Runtime: python3.13
    ///       CodeUri: src/
    ///       Policies:
    ///         - DynamoDBCrudPolicy:
    ///             TableName: orders
    /// ```
    ///
    /// ## References
    /// - OWASP Serverless Top 10 SAS-4: Over-Privileged Function Permissions and Roles
    /// - CWE-250: Execution with Unnecessary Privileges
    /// - <https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html>
    pub SharedExecutionRole {
        id: "FG-FN-012",
        name: "shared-execution-role",
        title: "Execution role is shared by several functions",
        severity: Medium,
        family: Function,
        status: Stable,
        since: "0.1.0",
        remediation: "Give each function its own execution role holding only the permissions that function uses.",
        references: &[
            "OWASP Serverless Top 10 SAS-4: Over-Privileged Function Permissions and Roles",
            "CWE-250",
            "https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html",
        ],
    }
}

impl SharedExecutionRole {
    fn check_function(
        func: &Function,
        inv: &Inventory,
        _settings: &RuleSettings,
        out: &mut Vec<Violation>,
    ) {
        let Some(role) = &func.role else {
            return;
        };
        if role.generated || role.key.is_empty() {
            return;
        }
        // This runs once per function over every function, so the inner loop is kept cheap:
        // compare role keys first, count the others, and keep only the NAMED smallest ids
        // (display ids are formatted only for those).
        let mut count = 0usize;
        let mut first: Vec<&FunctionId> = Vec::with_capacity(NAMED + 1);
        for f in &inv.functions {
            let Some(r) = &f.role else {
                continue;
            };
            if r.generated || r.key != role.key || f.id == func.id {
                continue;
            }
            count += 1;
            let pos = first.partition_point(|x| *x < &f.id);
            if pos < NAMED {
                first.insert(pos, &f.id);
                first.truncate(NAMED);
            }
        }
        if count == 0 {
            return;
        }
        let named: Vec<String> = first.iter().map(ToString::to_string).collect();
        let rest = count.saturating_sub(NAMED);
        let more = if rest > 0 {
            format!(" and {rest} more")
        } else {
            String::new()
        };
        out.push(
            Violation::new(
                None,
                format!(
                    "execution role {} is shared with {} other function{}: {}{more}",
                    role.key,
                    count,
                    if count == 1 { "" } else { "s" },
                    named.join(", ")
                ),
            )
            .with_evidence(format!("role defined at {}", role.at)),
        );
    }
}

#[cfg(test)]
mod tests {
    use faasguard_core::{Attr, Location};
    use faasguard_model::ExecutionRole;

    use super::*;
    use crate::rules::function::support::testing::{self, aws_function};

    fn role(key: &str, generated: bool) -> ExecutionRole {
        ExecutionRole {
            key: key.to_owned(),
            name: None,
            arn: Attr::absent(),
            generated,
            policies: Vec::new(),
            permissions_boundary: None,
            trust_policy: None,
            at: Location::at("template.yaml", 3, 3),
        }
    }

    fn with_role(name: &str, key: &str, generated: bool) -> Function {
        let mut f = aws_function(name);
        f.role = Some(role(key, generated));
        f
    }

    fn run(func: &Function, inv: &Inventory) -> Vec<Violation> {
        testing::run_with(&SharedExecutionRole, func, inv, &RuleSettings::default())
    }

    /// Two functions on one role each get a finding that names the other.
    #[test]
    fn shared_role_fires_for_each() {
        let inv = Inventory {
            functions: vec![
                with_role("Read", "template.yaml#AppRole", false),
                with_role("Write", "template.yaml#AppRole", false),
                with_role("Other", "template.yaml#OtherRole", false),
            ],
            diagnostics: Vec::new(),
        };
        let read = run(&inv.functions[0], &inv);
        assert_eq!(read.len(), 1);
        assert!(
            read[0].message.contains("template.yaml#Write"),
            "{}",
            read[0].message
        );
        assert!(!read[0].message.contains("Other"));
        let write = run(&inv.functions[1], &inv);
        assert!(write[0].message.contains("template.yaml#Read"));
        assert!(run(&inv.functions[2], &inv).is_empty());
    }

    /// Generated roles never count as shared, and a function alone on its role is silent.
    #[test]
    fn generated_or_alone_is_silent() {
        let inv = Inventory {
            functions: vec![
                with_role("Read", "template.yaml#ReadRole", true),
                with_role("Write", "template.yaml#ReadRole", true),
                with_role("Solo", "template.yaml#SoloRole", false),
            ],
            diagnostics: Vec::new(),
        };
        for f in &inv.functions {
            assert!(run(f, &inv).is_empty());
        }
        assert!(run(&aws_function("NoRole"), &inv).is_empty());
    }

    /// With many sharers the message names five and counts the rest.
    #[test]
    fn many_sharers_are_summarised() {
        let functions: Vec<Function> = (0..8)
            .map(|i| {
                with_role(
                    &format!("Fn{i}"),
                    "arn:aws:iam::123456789012:role/app",
                    false,
                )
            })
            .collect();
        let inv = Inventory {
            functions,
            diagnostics: Vec::new(),
        };
        let out = run(&inv.functions[0], &inv);
        assert!(
            out[0].message.contains("7 other functions"),
            "{}",
            out[0].message
        );
        assert!(out[0].message.ends_with("and 2 more"), "{}", out[0].message);
    }
}
