use faasguard_model::{Function, Inventory};

use crate::rules::function::support::is_aws;
use crate::{RuleSettings, Violation, declare_rule};

declare_rule! {
    /// ## What it does
    /// **Opt-in** (runs only when selected by id or name, e.g. `--select FG-FN-018`). Reports
    /// AWS Lambda functions that are not attached to a VPC: no `VpcConfig` (`vpc_config`,
    /// `vpc` in serverless.yml) with subnets, or an empty one. A configuration written as an
    /// unresolved expression is not reported. prowler (`awslambda_function_inside_vpc`) and
    /// checkov (CKV_AWS_117) make this check on every function; faasguard leaves it off by
    /// default because for most functions it is advice, not a weakness.
    ///
    /// ## Why is this bad?
    /// A function outside a VPC reaches the internet and every public AWS endpoint directly, so
    /// network controls (security groups, network ACLs, VPC endpoint policies, egress filtering
    /// through a NAT or a firewall) cannot restrict where a compromised function sends data.
    /// Teams whose policy is to route all egress through inspected paths want every function
    /// inside a VPC. The trade-off is real: attaching a function to a VPC adds NAT cost and
    /// consumes subnet addresses, and it does not change who may invoke the function (that is
    /// what FG-FN-003, FG-FN-004 and FG-FN-014 check). The runtime shield's outbound allow-list
    /// restricts egress without a VPC.
    ///
    /// ## Example
    /// ```yaml
    /// AWSTemplateFormatVersion: "2010-09-09"
    /// Transform: AWS::Serverless-2016-10-31
    /// Resources:
    ///   ReportsFunction:
    ///     Type: AWS::Serverless::Function
    ///     Properties:
    ///       Handler: app.handler
    ///       Runtime: python3.13
    ///       CodeUri: reports/
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// AWSTemplateFormatVersion: "2010-09-09"
    /// Transform: AWS::Serverless-2016-10-31
    /// Resources:
    ///   ReportsFunction:
    ///     Type: AWS::Serverless::Function
    ///     Properties:
    ///       Handler: app.handler
    ///       Runtime: python3.13
    ///       CodeUri: reports/
    ///       VpcConfig:
    ///         SecurityGroupIds: [sg-0123456789abcdef0]
    ///         SubnetIds: [subnet-0123456789abcdef0, subnet-0fedcba9876543210]
    /// ```
    ///
    /// ## References
    /// - CWE-923: Improper Restriction of Communication Channel to Intended Endpoints
    /// - <https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html>
    pub OutsideVpc {
        id: "FG-FN-018",
        name: "function-outside-vpc",
        title: "Function is not attached to a VPC (opt-in)",
        severity: Low,
        family: Function,
        status: OptIn,
        since: "0.1.0",
        remediation: "Attach the function to private subnets in at least two Availability Zones (VpcConfig) and route its egress through a NAT or firewall you control.",
        references: &[
            "CWE-923",
            "https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html",
        ],
    }
}

impl OutsideVpc {
    fn check_function(
        func: &Function,
        _inv: &Inventory,
        _settings: &RuleSettings,
        out: &mut Vec<Violation>,
    ) {
        if !is_aws(func) || func.vpc.is_unresolved() || func.vpc.get() == Some(&true) {
            return;
        }
        let at = func.vpc.location();
        out.push(Violation::new(
            at,
            "not attached to a VPC: its outbound traffic cannot be restricted by security groups, network ACLs or VPC endpoint policies",
        ));
    }
}

#[cfg(test)]
mod tests {
    use faasguard_core::Attr;

    use super::*;
    use crate::rules::function::support::testing::{self, aws_function, line};

    fn run(vpc: Attr<bool>) -> Vec<Violation> {
        let mut f = aws_function("Fn");
        f.vpc = vpc;
        testing::run(&OutsideVpc, &f)
    }

    /// No VPC configuration fires at the function; an empty one at its line.
    #[test]
    fn absent_or_empty_fires() {
        let out = run(Attr::absent());
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].at, None);
        let out = run(Attr::explicit(false, line(12)));
        assert_eq!(out[0].at, Some(line(12)));
    }

    /// Attached, or written as an expression, is silent.
    #[test]
    fn attached_or_unresolved_is_silent() {
        assert!(run(Attr::explicit(true, line(12))).is_empty());
        assert!(run(Attr::unresolved("!If [Prod, ...]", line(12))).is_empty());
    }
}
