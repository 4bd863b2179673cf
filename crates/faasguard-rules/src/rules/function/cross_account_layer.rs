use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde::Deserialize;

use faasguard_model::{Function, Inventory};

use crate::rules::function::support::{arn_fields, is_account_id, is_aws};
use crate::{RuleSettings, Violation, declare_rule};

#[derive(Debug, Deserialize)]
struct Publisher {
    account: String,
    publisher: String,
}

#[derive(Debug, Deserialize)]
struct Publishers {
    publishers: Vec<Publisher>,
}

/// Accounts that publish layers for AWS itself (`data/aws-layer-publishers.json`), by account id.
static AWS_PUBLISHERS: LazyLock<BTreeMap<String, String>> = LazyLock::new(|| {
    serde_json::from_str::<Publishers>(include_str!("../../../data/aws-layer-publishers.json"))
        .map(|p| {
            p.publishers
                .into_iter()
                .map(|p| (p.account, p.publisher))
                .collect()
        })
        .unwrap_or_default()
});

/// The AWS-published layer source for `account`, when faasguard knows it.
pub fn aws_layer_publisher(account: &str) -> Option<&'static str> {
    AWS_PUBLISHERS.get(account).map(String::as_str)
}

declare_rule! {
    /// ## What it does
    /// Reports Lambda layers whose ARN names an AWS account that is neither the function's own
    /// account (when known, as in a live scan), nor listed in `trusted-accounts` in
    /// `faasguard.toml`, nor one of the accounts that publish layers for AWS itself (Powertools
    /// for AWS Lambda, Lambda Insights, the Parameters and Secrets extension, the AppConfig
    /// extension, ADOT; see `data/aws-layer-publishers.json`). The account is read from literal
    /// ARNs and from `!Sub`/`${…}` ARNs whose account part is literal; an account written as an
    /// expression (`${AWS::AccountId}`, `var.account_id`) or a layer referenced by logical id
    /// (`!Ref SharedLayer`) is the deployer's own and is not reported.
    ///
    /// ## Why is this bad?
    /// A layer's code runs inside the function, with its execution role's credentials and
    /// access to every event and environment variable. A layer from an account you do not
    /// control is third-party code you did not review, that its publisher can replace by
    /// publishing a new version (for unpinned references) or delete, breaking deployments.
    ///
    /// ## Example
    /// ```yaml
    /// AWSTemplateFormatVersion: "2010-09-09"
    /// Transform: AWS::Serverless-2016-10-31
    /// Resources:
    ///   ResizeFunction:
    ///     Type: AWS::Serverless::Function
    ///     Properties:
    ///       Handler: app.handler
    ///       Runtime: python3.13
    ///       CodeUri: resize/
    ///       Layers:
    ///         - arn:aws:lambda:us-east-1:770693421928:layer:Klayers-p312-Pillow:2
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// AWSTemplateFormatVersion: "2010-09-09"
    /// Transform: AWS::Serverless-2016-10-31
    /// Resources:
    ///   PillowLayer:
    ///     Type: AWS::Serverless::LayerVersion
    ///     Properties:
    ///       ContentUri: layers/pillow/
    ///       CompatibleRuntimes:
    ///         - python3.13
    ///   ResizeFunction:
    ///     Type: AWS::Serverless::Function
    ///     Properties:
    ///       Handler: app.handler
    ///       Runtime: python3.13
    ///       CodeUri: resize/
    ///       Layers:
    ///         - !Ref PillowLayer
    ///         - !Sub arn:aws:lambda:${AWS::Region}:017000801446:layer:AWSLambdaPowertoolsPythonV3-python313-x86_64:7
    /// ```
    ///
    /// ## References
    /// - OWASP Serverless Top 10 SAS-6: Insecure Third-Party Dependencies
    /// - CWE-829: Inclusion of Functionality from Untrusted Control Sphere
    /// - <https://docs.aws.amazon.com/lambda/latest/dg/chapter-layers.html>
    pub CrossAccountLayer {
        id: "FG-FN-013",
        name: "cross-account-layer",
        title: "Function uses a layer from an untrusted account",
        severity: Medium,
        family: Function,
        status: Stable,
        since: "0.1.0",
        remediation: "Build the layer in your own account from reviewed sources, or add the publishing account to trusted-accounts in faasguard.toml after reviewing it; pin the layer version.",
        references: &[
            "OWASP Serverless Top 10 SAS-6: Insecure Third-Party Dependencies",
            "CWE-829",
            "https://docs.aws.amazon.com/lambda/latest/dg/chapter-layers.html",
        ],
    }
}

impl CrossAccountLayer {
    fn check_function(
        func: &Function,
        _inv: &Inventory,
        settings: &RuleSettings,
        out: &mut Vec<Violation>,
    ) {
        if !is_aws(func) {
            return;
        }
        for layer in &func.layers {
            let text = match (&layer.value, &layer.origin) {
                (Some(v), _) => v.as_str(),
                (None, faasguard_core::Origin::Unresolved { expr }) => expr.as_str(),
                (None, _) => continue,
            };
            let Some((arn, account)) = layer_account(text) else {
                continue;
            };
            if settings.trusted_accounts.contains(account)
                || func.id.account.as_deref() == Some(account)
                || aws_layer_publisher(account).is_some()
            {
                continue;
            }
            out.push(
                Violation::new(
                    layer.location(),
                    format!(
                        "layer from account {account}, which is not a trusted account: its code runs with this function's role"
                    ),
                )
                .with_evidence(arn.to_owned()),
            );
        }
    }
}

/// The layer ARN inside `text` and its literal account id, when both are there.
fn layer_account(text: &str) -> Option<(&str, &str)> {
    let start = text.find("arn:")?;
    let arn = text[start..].trim_end_matches(['"', '\'', ' ']);
    let fields = arn_fields(arn);
    let is_layer = fields.get(2) == Some(&"lambda") && fields.get(5) == Some(&"layer");
    let account = *fields.get(4)?;
    (is_layer && is_account_id(account)).then_some((arn, account))
}

#[cfg(test)]
mod tests {
    use faasguard_core::Attr;

    use super::*;
    use crate::rules::function::support::testing::{self, aws_function, line};

    fn run(layers: Vec<Attr<String>>, settings: &RuleSettings) -> Vec<Violation> {
        let mut f = aws_function("Fn");
        f.layers = layers;
        testing::run_with(&CrossAccountLayer, &f, &Inventory::default(), settings)
    }

    /// A literal third-party layer ARN fires at the layer line with the ARN as evidence.
    #[test]
    fn third_party_layer_fires() {
        let arn = "arn:aws:lambda:us-east-1:770693421928:layer:Klayers-p312-Pillow:2";
        let out = run(
            vec![Attr::explicit(arn.to_owned(), line(12))],
            &RuleSettings::default(),
        );
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].at, Some(line(12)));
        assert!(out[0].message.contains("770693421928"));
        assert_eq!(out[0].evidence.as_deref(), Some(arn));
    }

    /// A `!Sub` ARN with `${AWS::Region}` but a literal foreign account still fires.
    #[test]
    fn sub_with_literal_account_fires() {
        let expr = "!Sub arn:aws:lambda:${AWS::Region}:464622532012:layer:Datadog-Python313:100";
        let out = run(
            vec![Attr::unresolved(expr, line(12))],
            &RuleSettings::default(),
        );
        assert_eq!(out.len(), 1);
        assert!(out[0].message.contains("464622532012"));
    }

    /// Trusted accounts, AWS publishers, own-account expressions and `!Ref` layers are silent.
    #[test]
    fn trusted_or_own_is_silent() {
        let settings = RuleSettings {
            trusted_accounts: ["111122223333".to_owned()].into(),
            ..RuleSettings::default()
        };
        let layers = vec![
            Attr::explicit(
                "arn:aws:lambda:eu-west-1:111122223333:layer:shared:4".to_owned(),
                line(12),
            ),
            Attr::unresolved(
                "!Sub arn:aws:lambda:${AWS::Region}:017000801446:layer:AWSLambdaPowertoolsPythonV3-python313-x86_64:7",
                line(13),
            ),
            Attr::unresolved(
                "!Sub arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:layer:common:1",
                line(14),
            ),
            Attr::unresolved("!Ref PillowLayer", line(15)),
            Attr::explicit("not-an-arn".to_owned(), line(16)),
            Attr::explicit("arn:aws:s3:::770693421928".to_owned(), line(17)),
        ];
        assert!(run(layers, &settings).is_empty());
    }

    /// In a live scan, layers from the function's own account are silent.
    #[test]
    fn own_account_is_silent() {
        let mut f = aws_function("Fn");
        f.id.account = Some("123456789012".to_owned());
        f.layers.push(Attr::explicit(
            "arn:aws:lambda:us-east-1:123456789012:layer:mine:1".to_owned(),
            line(12),
        ));
        assert!(testing::run(&CrossAccountLayer, &f).is_empty());
    }
}
