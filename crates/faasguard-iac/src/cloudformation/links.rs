//! Resources that point at a function from the outside: which function a `FunctionName`,
//! `Arn`, `Endpoint` or integration URI names, and the event sources plain CloudFormation
//! writes as their own resources (API Gateway methods and integrations, S3 notifications, SNS
//! subscriptions, EventBridge rules and schedules, log subscription filters, IoT topic rules,
//! ALB target groups, Cognito user pool triggers).

use faasguard_core::Attr;
use faasguard_model::{EventKind, EventSource, Function};

use super::Loader;
use super::view::{Slot, intrinsic, reference};
use crate::cfn_lambda::{function_name_in, sub_placeholders};
use crate::yaml::{Node, Value};

/// Most hops [`Loader::link`] follows through aliases, versions and `!Sub` variables.
const MAX_LINK_DEPTH: usize = 8;

/// The resource types that name a function as an event source, and so are read here.
pub(super) const EVENT_TYPES: &[&str] = &[
    "AWS::ApiGateway::Method",
    "AWS::ApiGatewayV2::Integration",
    "AWS::S3::Bucket",
    "AWS::SNS::Subscription",
    "AWS::SNS::Topic",
    "AWS::Events::Rule",
    "AWS::Scheduler::Schedule",
    "AWS::Logs::SubscriptionFilter",
    "AWS::IoT::TopicRule",
    "AWS::ElasticLoadBalancingV2::TargetGroup",
    "AWS::Cognito::UserPool",
];

/// One place in a resource that may name a function: the event kind it would be, the value
/// naming the function, and where the event is reported.
struct Target<'a> {
    kind: EventKind,
    value: Slot<'a>,
    at: Slot<'a>,
}

impl<'a> Loader<'_, 'a> {
    /// The logical id of the function `target` names: `!Ref Fn`, `!GetAtt Fn.Arn`, a `!Sub`
    /// holding `${Fn.Arn}` or `${Fn}` (also through its variable map), a `!Join` with such a
    /// part, a `!Ref` to an `AWS::Lambda::Alias` or `AWS::Lambda::Version` of the function, or
    /// a literal function name or ARN (also inside an API Gateway integration URI) equal to a
    /// function's `FunctionName`.
    pub(super) fn link<'f>(&self, target: &Node, functions: &'f [Function]) -> Option<&'f str> {
        self.link_at(target, functions, 0)
    }

    fn link_at<'f>(
        &self,
        target: &Node,
        functions: &'f [Function],
        depth: usize,
    ) -> Option<&'f str> {
        if depth > MAX_LINK_DEPTH {
            return None;
        }
        if let Some((id, attr)) = reference(target) {
            return self.link_id(id, attr.as_deref(), functions, depth);
        }
        match intrinsic(target) {
            Some(("Sub", arg)) => {
                let (text, vars) = match &arg.value {
                    Value::Str(s) => (s.as_str(), None),
                    Value::Seq(items) => (items.first()?.as_str()?, items.get(1)),
                    _ => return None,
                };
                for var in sub_variables(text) {
                    if let Some(value) = vars.and_then(|v| v.get(var)) {
                        if let Some(found) = self.link_at(value, functions, depth + 1) {
                            return Some(found);
                        }
                        continue;
                    }
                    let (id, attr) = match var.split_once('.') {
                        Some((id, attr)) => (id, Some(attr)),
                        None => (var, None),
                    };
                    if let Some(found) = self.link_id(id, attr, functions, depth) {
                        return Some(found);
                    }
                }
                by_name(function_name_in(text)?, functions)
            }
            Some(("Join", arg)) => arg
                .items()
                .get(1)?
                .items()
                .iter()
                .find_map(|part| self.link_at(part, functions, depth + 1))
                .or_else(|| by_name(function_name_in(&self.ctx.resolve(target)?)?, functions)),
            Some(_) => None,
            None => by_name(function_name_in(&self.ctx.resolve(target)?)?, functions),
        }
    }

    /// The function a reference to logical id `id` (with attribute `attr`) names: the function
    /// itself (`Ref` or `Arn`), or the function an alias or version of it points at.
    fn link_id<'f>(
        &self,
        id: &str,
        attr: Option<&str>,
        functions: &'f [Function],
        depth: usize,
    ) -> Option<&'f str> {
        if !matches!(attr, None | Some("Arn")) {
            return None;
        }
        if let Some(f) = functions.iter().find(|f| f.id.logical_id == id) {
            return Some(f.id.logical_id.as_str());
        }
        let (_, res, ty) = self.ctx.resources.iter().find(|(rid, _, _)| *rid == id)?;
        if !matches!(*ty, "AWS::Lambda::Alias" | "AWS::Lambda::Version") {
            return None;
        }
        let name = res.node.get("Properties")?.get("FunctionName")?;
        self.link_at(name, functions, depth + 1)
    }

    /// Adds the event sources that resources of [`EVENT_TYPES`] write to the functions they
    /// name. Each is named after the resource's logical id and located at the entry naming the
    /// function (a list item when the resource has several targets, else the resource).
    pub(super) fn link_events(
        &self,
        resources: &[(&'a str, Slot<'a>, &'a str)],
        functions: &mut [Function],
    ) {
        for (id, res, ty) in resources {
            if !EVENT_TYPES.contains(ty) {
                continue;
            }
            let Ok(Some(props)) = self.properties(id, res) else {
                continue;
            };
            for target in self.event_targets(ty, res, &props) {
                let Some(found) = self.link(target.value.node, functions) else {
                    continue;
                };
                let found = found.to_owned();
                if let Some(func) = functions.iter_mut().find(|f| f.id.logical_id == found) {
                    func.events.push(EventSource {
                        kind: target.kind,
                        name: (*id).to_owned(),
                        auth_level: Attr::absent(),
                        at: self.ctx.loc(&target.at),
                    });
                }
            }
        }
    }

    /// The places of one resource that may name a function.
    fn event_targets(&self, ty: &str, res: &Slot<'a>, props: &Slot<'a>) -> Vec<Target<'a>> {
        match ty {
            // `Type: AWS_PROXY` (or the non-proxy `AWS`) with a Lambda integration URI.
            "AWS::ApiGateway::Method" => {
                let integration = props.get("Integration");
                let lambda = integration
                    .as_ref()
                    .and_then(|i| i.get("Type"))
                    .is_none_or(|t| self.is_lambda_integration(&t));
                one(
                    EventKind::Api,
                    integration.filter(|_| lambda).and_then(|i| i.get("Uri")),
                    res,
                )
            }
            "AWS::ApiGatewayV2::Integration" => {
                let lambda = props
                    .get("IntegrationType")
                    .is_none_or(|t| self.is_lambda_integration(&t));
                let kind = if self.is_websocket(props) {
                    EventKind::Other
                } else {
                    EventKind::HttpApi
                };
                one(kind, props.get("IntegrationUri").filter(|_| lambda), res)
            }
            "AWS::S3::Bucket" => each(
                EventKind::S3,
                props
                    .get("NotificationConfiguration")
                    .and_then(|n| n.get("LambdaConfigurations")),
                &["Function"],
            ),
            "AWS::SNS::Subscription" => one(
                EventKind::Sns,
                props
                    .get("Endpoint")
                    .filter(|_| self.is_lambda_protocol(props)),
                res,
            ),
            "AWS::SNS::Topic" => self.topic_subscriptions(props),
            "AWS::Events::Rule" => {
                let kind = if props.get("ScheduleExpression").is_some() {
                    EventKind::Schedule
                } else {
                    EventKind::EventBridge
                };
                each(kind, props.get("Targets"), &["Arn"])
            }
            "AWS::Scheduler::Schedule" => one(
                EventKind::Schedule,
                props.get("Target").and_then(|t| t.get("Arn")),
                res,
            ),
            "AWS::Logs::SubscriptionFilter" => {
                one(EventKind::CloudWatchLogs, props.get("DestinationArn"), res)
            }
            "AWS::IoT::TopicRule" => each(
                EventKind::Iot,
                props.get("TopicRulePayload").and_then(|p| p.get("Actions")),
                &["Lambda", "FunctionArn"],
            ),
            "AWS::ElasticLoadBalancingV2::TargetGroup" => {
                let lambda = props
                    .get("TargetType")
                    .and_then(|t| self.ctx.resolve(t.node))
                    .is_some_and(|t| t.eq_ignore_ascii_case("lambda"));
                if lambda {
                    each(EventKind::Alb, props.get("Targets"), &["Id"])
                } else {
                    Vec::new()
                }
            }
            "AWS::Cognito::UserPool" => cognito_triggers(props),
            _ => Vec::new(),
        }
    }

    /// The `lambda` entries of an SNS topic's `Subscription` list.
    fn topic_subscriptions(&self, props: &Slot<'a>) -> Vec<Target<'a>> {
        props
            .get("Subscription")
            .map(|l| l.list())
            .unwrap_or_default()
            .into_iter()
            .filter(|item| self.is_lambda_protocol(item))
            .filter_map(|item| {
                Some(Target {
                    kind: EventKind::Sns,
                    value: item.get("Endpoint")?,
                    at: item,
                })
            })
            .collect()
    }

    /// An integration type that invokes Lambda (`AWS_PROXY`, `AWS`), or one left to the
    /// stack's input.
    fn is_lambda_integration(&self, ty: &Slot<'_>) -> bool {
        self.ctx
            .resolve(ty.node)
            .is_none_or(|t| matches!(t.to_ascii_uppercase().as_str(), "AWS_PROXY" | "AWS"))
    }

    /// A subscription whose `Protocol` is `lambda`.
    fn is_lambda_protocol(&self, sub: &Slot<'_>) -> bool {
        sub.get("Protocol")
            .and_then(|p| self.ctx.resolve(p.node))
            .is_some_and(|p| p.eq_ignore_ascii_case("lambda"))
    }

    /// An API Gateway v2 integration whose `ApiId` references a WebSocket API of the template.
    fn is_websocket(&self, props: &Slot<'_>) -> bool {
        let Some((api, _)) = props.get("ApiId").and_then(|a| reference(a.node)) else {
            return false;
        };
        self.ctx
            .resources
            .iter()
            .find(|(id, _, _)| *id == api)
            .and_then(|(_, res, _)| res.node.get("Properties")?.get("ProtocolType"))
            .and_then(|p| self.ctx.resolve(p))
            .is_some_and(|p| p.eq_ignore_ascii_case("WEBSOCKET"))
    }
}

/// A resource with a single place naming a function, reported at the resource.
fn one<'a>(kind: EventKind, value: Option<Slot<'a>>, res: &Slot<'a>) -> Vec<Target<'a>> {
    value
        .map(|value| Target {
            kind,
            value,
            at: res.clone(),
        })
        .into_iter()
        .collect()
}

/// The items of a list, each naming a function under `path`, reported at the item.
fn each<'a>(kind: EventKind, list: Option<Slot<'a>>, path: &[&str]) -> Vec<Target<'a>> {
    list.map(|l| l.list())
        .unwrap_or_default()
        .into_iter()
        .filter_map(|item| {
            let value = path.iter().try_fold(item.clone(), |s, k| s.get(k))?;
            Some(Target {
                kind,
                value,
                at: item,
            })
        })
        .collect()
}

/// A user pool's `LambdaConfig` triggers: each an ARN, or `{LambdaArn, LambdaVersion}` for
/// the custom senders (the `KMSKeyID` entry names no function and never links).
fn cognito_triggers<'a>(props: &Slot<'a>) -> Vec<Target<'a>> {
    props
        .get("LambdaConfig")
        .filter(Slot::is_plain_map)
        .map(|c| c.entries())
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(_, slot)| {
            let value = if slot.is_plain_map() {
                slot.get("LambdaArn")?
            } else {
                slot.clone()
            };
            Some(Target {
                kind: EventKind::Cognito,
                value,
                at: slot,
            })
        })
        .collect()
}

/// The `${…}` variables of a `!Sub` string, in order (`${!Literal}` escapes skipped).
fn sub_variables(text: &str) -> Vec<&str> {
    sub_placeholders(text)
        .filter(|var| !var.starts_with('!'))
        .map(str::trim)
        .collect()
}

/// The function whose `FunctionName` is `name`.
fn by_name<'f>(name: &str, functions: &'f [Function]) -> Option<&'f str> {
    functions
        .iter()
        .find(|f| f.id.name.as_deref() == Some(name))
        .map(|f| f.id.logical_id.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `!Sub` variables are listed in order, with `${!Literal}` skipped and an unclosed `${`
    /// ending the list.
    #[test]
    fn sub_variables_in_order() {
        assert_eq!(
            sub_variables("arn:${AWS::Partition}:x/${Fn.Arn}/${!Lit}/${Other}/${open"),
            ["AWS::Partition", "Fn.Arn", "Other"]
        );
    }
}
