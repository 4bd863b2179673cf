//! Who may download the layers a function uses ([`LayerPermission`]).
//!
//! Two ways to write it in a `serverless.yml`:
//! - top-level `layers.<name>.allowedAccounts`: the framework compiles each account into an
//!   `AWS::Lambda::LayerVersionPermission` (action `lambda:GetLayerVersion`, the account as
//!   principal, no organization condition) on the layer's CloudFormation resource, whose
//!   logical id is the key normalized as function keys are, plus `LambdaLayer`
//!   (`shared-libs` → `SharedDashlibsLambdaLayer`);
//! - an `AWS::Lambda::LayerVersionPermission` under `resources.Resources`, naming the layer by
//!   `Ref` or by a literal layer version ARN.
//!
//! A function uses a layer when its `layers` (or the provider's) holds `{Ref: <LogicalId>}`,
//! or a literal ARN: the same version ARN as a permission's, or (for a layer of the service)
//! one naming the layer's deployed name (`name`, else the key).

use faasguard_core::Attr;
use faasguard_model::{Function, LayerPermission};
use serde_json::Value as J;

use super::iam::Resources;
use super::links::normalized_name;
use super::value::{Ctx, Field, Text, symbolic};

/// What a permission is about: the layer's logical id, its deployed name, or a literal layer
/// version ARN.
#[derive(Debug, Default)]
struct Target {
    logical_id: Option<String>,
    name: Option<String>,
    arn: Option<String>,
}

impl Target {
    /// Whether a function `layers` entry names this layer.
    fn used_by(&self, layer: &Attr<String>) -> bool {
        if let Some(arn) = layer.get() {
            let arn = arn.trim();
            return self.arn.as_deref() == Some(arn)
                || self.name.as_deref().is_some_and(|name| {
                    arn.contains(&format!(":layer:{name}:"))
                        || arn.ends_with(&format!(":layer:{name}"))
                });
        }
        match (&layer.origin, &self.logical_id) {
            (faasguard_core::Origin::Unresolved { expr }, Some(id)) => {
                ref_id(expr).is_some_and(|r| r == *id)
            }
            _ => false,
        }
    }
}

/// The logical id of a `{"Ref": "Id"}` written as JSON (how unresolved intrinsics are kept).
fn ref_id(expr: &str) -> Option<String> {
    let v: J = serde_json::from_str(expr).ok()?;
    v.as_object()?.get("Ref")?.as_str().map(str::to_owned)
}

/// The CloudFormation logical id the framework gives the layer `key`.
pub(crate) fn layer_logical_id(key: &str) -> String {
    format!("{}LambdaLayer", normalized_name(key))
}

/// Records every layer permission of the file on the functions using that layer.
pub(crate) fn attach<'a>(
    ctx: &mut Ctx<'a>,
    root: &Field<'a>,
    resources: &Resources<'a>,
    functions: &mut [Function],
) {
    let mut perms: Vec<(Target, LayerPermission)> = Vec::new();
    if let Some(layers) = ctx.get(root, "layers")
        && symbolic(&layers).is_none()
        && ctx.expect_map(&layers, "a mapping of layers")
    {
        for (key, layer) in ctx.fields(&layers) {
            allowed_accounts(ctx, key, &layer, &mut perms);
        }
    }
    for (id, res) in resources.of_type(ctx, "AWS::Lambda::LayerVersionPermission") {
        if let Some(p) = resource_permission(ctx, id, &res) {
            perms.push(p);
        }
    }
    for (target, perm) in &perms {
        for func in functions.iter_mut() {
            if func.layers.iter().any(|l| target.used_by(l)) {
                func.layer_permissions.push(perm.clone());
            }
        }
    }
}

/// `layers.<key>.allowedAccounts`: one permission per account.
fn allowed_accounts<'a>(
    ctx: &mut Ctx<'a>,
    key: &str,
    layer: &Field<'a>,
    out: &mut Vec<(Target, LayerPermission)>,
) {
    if symbolic(layer).is_some() || !ctx.expect_map(layer, "a layer mapping") {
        return;
    }
    let Some(accounts) = ctx.get(layer, "allowedAccounts") else {
        return;
    };
    let name = match ctx.get(layer, "name").map(|n| ctx.text(&n)) {
        Some(Text::Literal(n)) => Some(n),
        Some(_) => None,
        None => Some(key.to_owned()),
    };
    let items = if symbolic(&accounts).is_some() {
        vec![accounts]
    } else if ctx.expect_seq(&accounts, "a list of AWS account ids or `*`") {
        ctx.items(&accounts)
    } else {
        return;
    };
    for item in items {
        let principal = ctx.string_attr(&item);
        if !principal.is_written() {
            continue;
        }
        out.push((
            Target {
                logical_id: Some(layer_logical_id(key)),
                name: name.clone(),
                arn: None,
            },
            LayerPermission {
                layer: key.to_owned(),
                action: Attr::default_value("lambda:GetLayerVersion".to_owned()),
                principal,
                organization_id: Attr::absent(),
                at: ctx.loc(&item),
            },
        ));
    }
}

/// An `AWS::Lambda::LayerVersionPermission` under `resources.Resources`.
fn resource_permission<'a>(
    ctx: &mut Ctx<'a>,
    id: &str,
    res: &Field<'a>,
) -> Option<(Target, LayerPermission)> {
    let props = ctx.get(res, "Properties");
    let Some(arn) = props.as_ref().and_then(|p| ctx.get(p, "LayerVersionArn")) else {
        ctx.diag(
            res,
            format!("serverless: resource `{id}` has no LayerVersionArn"),
        );
        return None;
    };
    let props = props?;
    let target = match ctx.text(&arn) {
        Text::Literal(a) => Target {
            arn: Some(a.trim().to_owned()),
            ..Target::default()
        },
        Text::Unresolved(expr) => Target {
            logical_id: Some(ref_id(&expr)?),
            ..Target::default()
        },
        Text::Null | Text::WrongType => return None,
    };
    let layer = target
        .logical_id
        .clone()
        .or_else(|| target.arn.clone())
        .unwrap_or_default();
    let mut attr = |k: &str| {
        ctx.get(&props, k)
            .map_or_else(Attr::absent, |f| ctx.string_attr(&f))
    };
    let perm = LayerPermission {
        layer,
        action: attr("Action"),
        principal: attr("Principal"),
        organization_id: attr("OrganizationId"),
        at: ctx.loc(res),
    };
    Some((target, perm))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Layer logical ids follow the framework's normalization plus `LambdaLayer`.
    #[test]
    fn layer_logical_ids_follow_the_framework() {
        assert_eq!(layer_logical_id("shared"), "SharedLambdaLayer");
        assert_eq!(
            layer_logical_id("shared-libs_v2"),
            "SharedDashlibsUnderscorev2LambdaLayer"
        );
    }

    /// Only a `Ref` names a logical id; other intrinsics and variables do not.
    #[test]
    fn ref_ids_from_json() {
        assert_eq!(
            ref_id(r#"{"Ref":"SharedLambdaLayer"}"#).as_deref(),
            Some("SharedLambdaLayer")
        );
        assert_eq!(ref_id(r#"{"Fn::GetAtt":["X","Arn"]}"#), None);
        assert_eq!(ref_id("${self:custom.layer}"), None);
    }
}
