//! Resources under `resources.Resources` that point at a function of the service:
//! `AWS::Lambda::Permission` (the function's resource policy), `AWS::Lambda::Url` and
//! `AWS::Lambda::EventInvokeConfig` (an on-failure destination).
//!
//! The framework names the CloudFormation resource of function `key` after the key,
//! normalized: `-` becomes `Dash`, `_` becomes `Underscore`, the first letter is upper-cased,
//! and `LambdaFunction` is appended (`hello` → `HelloLambdaFunction`, `my-fn` →
//! `MyDashfnLambdaFunction`). A resource names a function by `Ref`/`Fn::GetAtt … Arn` on that
//! logical id (also inside `Fn::Sub` as `${Id.Arn}`), or by its deployed name or ARN written
//! literally: the function's `name`, or the framework's default `<service>-<stage>-<key>` when
//! `service` and `provider.stage` are literals (stage `dev` when unset).

use std::collections::HashMap;

use faasguard_core::Attr;
use faasguard_model::{Cors, DeadLetter, Function, FunctionUrl, Permission};
use serde_json::Value as J;

use super::iam::Resources;
use super::value::{Ctx, Field, Text};
use crate::cfn_lambda::{self, function_name_in, sub_placeholders};

/// A function or layer key as the framework normalizes it for logical ids: `-` → `Dash`,
/// `_` → `Underscore`, first letter upper-cased.
pub(crate) fn normalized_name(key: &str) -> String {
    let normalized = key.replace('-', "Dash").replace('_', "Underscore");
    let mut chars = normalized.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The CloudFormation logical id the framework gives the function `key`.
pub(crate) fn function_logical_id(key: &str) -> String {
    format!("{}LambdaFunction", normalized_name(key))
}

/// Attaches the permissions, URLs and on-failure destinations of `resources.Resources` to
/// the functions they name. `default_names` holds each function's default deployed name
/// (by index), when it is known.
pub(crate) fn attach<'a>(
    ctx: &mut Ctx<'a>,
    resources: &Resources<'a>,
    functions: &mut [Function],
    default_names: &[Option<String>],
) {
    let index = FunctionIndex::new(functions, default_names);
    for (ty, key) in [
        ("AWS::Lambda::Permission", "FunctionName"),
        ("AWS::Lambda::Url", "TargetFunctionArn"),
        ("AWS::Lambda::EventInvokeConfig", "FunctionName"),
    ] {
        for (id, res) in resources.of_type(ctx, ty) {
            let Some(props) = ctx.get(&res, "Properties") else {
                ctx.diag(&res, format!("serverless: resource `{id}` has no {key}"));
                continue;
            };
            if !ctx.expect_map(&props, "a mapping") {
                continue;
            }
            let Some(target) = ctx.get(&props, key) else {
                ctx.diag(&res, format!("serverless: resource `{id}` has no {key}"));
                continue;
            };
            let Some(i) = find(ctx, resources, &target, &index) else {
                continue;
            };
            let func = &mut functions[i];
            match ty {
                "AWS::Lambda::Permission" => {
                    func.resource_policy.push(permission(ctx, &res, &props));
                }
                "AWS::Lambda::Url" => func.url = Some(url(ctx, &res, &props)),
                _ => func.dead_letters.extend(on_failure(ctx, &props)),
            }
        }
    }
}

/// The functions by the names a resource can give them, each name mapped to the first
/// function that has it: by the CloudFormation logical id the framework gives the function,
/// and by its deployed name (`name`, or the default name when known).
struct FunctionIndex {
    by_id: HashMap<String, usize>,
    by_name: HashMap<String, usize>,
}

impl FunctionIndex {
    fn new(functions: &[Function], default_names: &[Option<String>]) -> Self {
        let mut by_id = HashMap::new();
        let mut by_name = HashMap::new();
        for (i, f) in functions.iter().enumerate() {
            by_id
                .entry(function_logical_id(&f.id.logical_id))
                .or_insert(i);
            for name in [
                f.id.name.as_ref(),
                default_names.get(i).and_then(Option::as_ref),
            ]
            .into_iter()
            .flatten()
            {
                by_name.entry(name.clone()).or_insert(i);
            }
        }
        Self { by_id, by_name }
    }
}

/// The index of the function `target` names. A reference to an `…LambdaFunction` logical id
/// that is neither a function of the service nor a resource is a diagnostic.
fn find<'a>(
    ctx: &mut Ctx<'a>,
    resources: &Resources<'a>,
    target: &Field<'a>,
    index: &FunctionIndex,
) -> Option<usize> {
    let by_id = |id: &str| index.by_id.get(id).copied();
    let by_name = |name: &str| index.by_name.get(name).copied();
    match ctx.text(target) {
        Text::Literal(s) => by_name(function_name_in(&s)?),
        Text::Unresolved(_) => {
            let json = target.node.to_json();
            let ids = referenced_ids(&json);
            if let Some(i) = ids.iter().find_map(|id| by_id(id)) {
                return Some(i);
            }
            if let Some(i) = sub_text(&json).and_then(function_name_in).and_then(by_name) {
                return Some(i);
            }
            if let Some(dangling) = ids.iter().find(|id| {
                id.ends_with("LambdaFunction") && !resources.contains(id) && !resources.incomplete
            }) {
                ctx.diag(
                    target,
                    format!(
                        "serverless: `{}` names `{dangling}`, which is neither a function of this service nor a resource",
                        target.pointer
                    ),
                );
            }
            None
        }
        Text::Null | Text::WrongType => None,
    }
}

/// The logical ids an intrinsic refers to: `Ref`, `Fn::GetAtt [Id, Arn]`, and `${Id}` /
/// `${Id.Arn}` in `Fn::Sub`.
fn referenced_ids(v: &J) -> Vec<String> {
    let Some(obj) = v.as_object() else {
        return Vec::new();
    };
    if let Some(id) = obj.get("Ref").and_then(J::as_str) {
        return vec![id.to_owned()];
    }
    if let Some(args) = obj.get("Fn::GetAtt").and_then(J::as_array) {
        let attr = args.get(1).and_then(J::as_str);
        return match args.first().and_then(J::as_str) {
            Some(id) if attr.is_none_or(|a| a == "Arn") => vec![id.to_owned()],
            _ => Vec::new(),
        };
    }
    let Some(text) = sub_text(v) else {
        return Vec::new();
    };
    sub_placeholders(text)
        .filter_map(|var| match var.split_once('.') {
            Some((id, "Arn")) => Some(id.to_owned()),
            None if !var.starts_with('!') => Some(var.to_owned()),
            _ => None,
        })
        .collect()
}

/// The template string of a `Fn::Sub`.
fn sub_text(v: &J) -> Option<&str> {
    match v.as_object()?.get("Fn::Sub")? {
        J::String(s) => Some(s),
        J::Array(items) => items.first()?.as_str(),
        _ => None,
    }
}

fn permission<'a>(ctx: &mut Ctx<'a>, res: &Field<'a>, props: &Field<'a>) -> Permission {
    let at = ctx.loc(res);
    cfn_lambda::permission(
        |k| {
            ctx.get(props, k)
                .map_or_else(Attr::absent, |f| ctx.string_attr(&f))
        },
        at,
    )
}

fn url<'a>(ctx: &mut Ctx<'a>, res: &Field<'a>, props: &Field<'a>) -> FunctionUrl {
    let auth_type = ctx
        .get(props, "AuthType")
        .map_or_else(Attr::absent, |f| ctx.string_attr(&f));
    let cors = ctx
        .get(props, "Cors")
        .filter(|c| ctx.expect_map(c, "a CORS mapping"))
        .map(|c| {
            let allow_origins = ctx
                .get(&c, "AllowOrigins")
                .map(|o| {
                    ctx.items(&o)
                        .iter()
                        .filter_map(|i| match ctx.text(i) {
                            Text::Literal(s) | Text::Unresolved(s) => Some(s),
                            Text::Null | Text::WrongType => None,
                        })
                        .collect()
                })
                .unwrap_or_default();
            let allow_credentials = match ctx.get(&c, "AllowCredentials") {
                None => Attr::absent(),
                Some(f) => match ctx.text(&f) {
                    Text::Literal(s) if s == "true" || s == "false" => {
                        Attr::explicit(s == "true", ctx.loc(&f))
                    }
                    Text::Unresolved(expr) => Attr::unresolved(expr, ctx.loc(&f)),
                    _ => {
                        ctx.wrong_type(&f, "a boolean");
                        Attr::absent()
                    }
                },
            };
            Cors {
                allow_origins,
                allow_credentials,
                at: Some(ctx.loc(&c)),
            }
        });
    FunctionUrl {
        auth_type,
        cors,
        at: ctx.loc(res),
    }
}

/// `DestinationConfig.OnFailure.Destination` of an event invoke config.
fn on_failure<'a>(ctx: &mut Ctx<'a>, props: &Field<'a>) -> Option<DeadLetter> {
    let dest = ctx
        .get(props, "DestinationConfig")
        .and_then(|d| ctx.get(&d, "OnFailure"))
        .and_then(|o| ctx.get(&o, "Destination"))?;
    let target = ctx.string_attr(&dest);
    target.is_written().then(|| DeadLetter {
        target,
        kind: "on-failure".to_owned(),
        at: ctx.loc(&dest),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Logical ids follow the framework's normalization (`-` → `Dash`, `_` → `Underscore`,
    /// first letter upper-cased, the rest untouched).
    #[test]
    fn logical_ids_follow_the_framework() {
        assert_eq!(function_logical_id("hello"), "HelloLambdaFunction");
        assert_eq!(function_logical_id("my-fn"), "MyDashfnLambdaFunction");
        assert_eq!(
            function_logical_id("get_user-byId"),
            "GetUnderscoreuserDashbyIdLambdaFunction"
        );
        assert_eq!(function_logical_id("Hello"), "HelloLambdaFunction");
    }

    /// `Ref`, `GetAtt … Arn` and `${Id.Arn}`/`${Id}` in a `Fn::Sub` name logical ids; other
    /// attributes and escaped `${!Literal}` do not.
    #[test]
    fn referenced_ids_from_intrinsics() {
        let ids = |s: &str| referenced_ids(&serde_json::from_str(s).unwrap_or(J::Null));
        assert_eq!(
            ids(r#"{"Ref": "HelloLambdaFunction"}"#),
            ["HelloLambdaFunction"]
        );
        assert_eq!(
            ids(r#"{"Fn::GetAtt": ["HelloLambdaFunction", "Arn"]}"#),
            ["HelloLambdaFunction"]
        );
        assert!(ids(r#"{"Fn::GetAtt": ["HelloLambdaFunction", "SnapStartResponse"]}"#).is_empty());
        assert_eq!(
            ids(r#"{"Fn::Sub": "${HelloLambdaFunction.Arn}:live/${!Lit}"}"#),
            ["HelloLambdaFunction"]
        );
    }
}
