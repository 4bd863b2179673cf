//! Function `events` and `url` of `serverless.yml`.

use faasguard_core::Attr;
use faasguard_model::{Cors, EventKind, EventSource, FunctionUrl, Permission};

use super::value::{Ctx, Field, Text, symbolic};
use crate::yaml::Value;

/// The [`EventKind`] of a serverless event type (the single key of an `events` item).
/// `stream` events are told apart by their `type` or by the service in their ARN.
fn kind_of<'a>(ctx: &Ctx<'a>, event_type: &str, body: &Field<'a>) -> EventKind {
    match event_type {
        "http" => EventKind::Api,
        "httpApi" => EventKind::HttpApi,
        "s3" => EventKind::S3,
        "sns" => EventKind::Sns,
        "sqs" => EventKind::Sqs,
        "stream" => stream_kind(ctx, body),
        "schedule" => EventKind::Schedule,
        "eventBridge" | "cloudwatchEvent" => EventKind::EventBridge,
        "cloudwatchLog" => EventKind::CloudWatchLogs,
        "iot" | "iotFleetProvisioning" => EventKind::Iot,
        "alexaSkill" | "alexaSmartHome" => EventKind::Alexa,
        "cognitoUserPool" => EventKind::Cognito,
        "alb" => EventKind::Alb,
        // websocket, kafka, msk, activemq, rabbitmq, cloudFront, …
        _ => EventKind::Other,
    }
}

fn stream_kind<'a>(ctx: &Ctx<'a>, body: &Field<'a>) -> EventKind {
    let explicit = ctx.get(body, "type").map(|t| ctx.text(&t));
    if let Some(Text::Literal(t)) = &explicit {
        match t.as_str() {
            "dynamodb" => return EventKind::DynamoDb,
            "kinesis" => return EventKind::Kinesis,
            _ => {}
        }
    }
    // `stream: arn:aws:dynamodb:…` or `stream: {arn: …}`; intrinsics are looked at as JSON.
    let arn = ctx.get(body, "arn").unwrap_or_else(|| body.clone());
    let text = match ctx.text(&arn) {
        Text::Literal(s) | Text::Unresolved(s) => s,
        Text::WrongType | Text::Null => arn.node.to_json().to_string(),
    };
    let lower = text.to_ascii_lowercase();
    if text.contains(":kinesis:") {
        EventKind::Kinesis
    } else if text.contains(":dynamodb:") || text.contains("StreamArn") {
        // `Fn::GetAtt: [Table, StreamArn]` is a DynamoDB stream.
        EventKind::DynamoDb
    } else if lower.contains("kinesis") {
        EventKind::Kinesis
    } else if lower.contains("dynamo") || lower.contains("table") {
        EventKind::DynamoDb
    } else {
        EventKind::Other
    }
}

/// The function's `events` list.
pub(crate) fn events<'a>(ctx: &mut Ctx<'a>, f: &Field<'a>) -> Vec<EventSource> {
    if !ctx.expect_seq(f, "a list of events") {
        return Vec::new();
    }
    let mut out = Vec::new();
    for item in ctx.items(f) {
        if !ctx.expect_map(&item, "an event mapping such as `- http: GET /`") {
            continue;
        }
        let fields = ctx.fields(&item);
        let Some((event_type, body)) = fields.first() else {
            continue;
        };
        out.push(EventSource {
            kind: kind_of(ctx, event_type, body),
            name: (*event_type).to_owned(),
            auth_level: Attr::absent(),
            at: ctx.loc(&item),
        });
    }
    out
}

/// The function `url`: `true` (a public URL, `AuthType: NONE`), or a mapping with
/// `authorizer: aws_iam` and `cors`. A `NONE` URL also gets the public
/// `lambda:InvokeFunctionUrl` permission the framework adds.
pub(crate) fn url<'a>(
    ctx: &mut Ctx<'a>,
    f: &Field<'a>,
) -> (Option<FunctionUrl>, Option<Permission>) {
    let at = ctx.loc(f);
    let (auth_type, cors) = match &f.node.value {
        Value::Bool(false) | Value::Null => return (None, None),
        Value::Bool(true) => (Attr::explicit("NONE".to_owned(), at.clone()), None),
        Value::Map(_) if symbolic(f).is_none() => {
            let auth_type = match ctx.get(f, "authorizer") {
                None => Attr::explicit("NONE".to_owned(), at.clone()),
                Some(a) => match ctx.string_attr(&a) {
                    Attr {
                        value: Some(v),
                        at: Some(loc),
                        ..
                    } if v.eq_ignore_ascii_case("aws_iam") => {
                        Attr::explicit("AWS_IAM".to_owned(), loc)
                    }
                    Attr {
                        value: Some(v),
                        at: Some(loc),
                        ..
                    } => {
                        ctx.diag(
                            &a,
                            format!(
                                "serverless: `{}` must be `aws_iam`, found `{v}`; taken as no authorization",
                                a.pointer
                            ),
                        );
                        Attr::explicit("NONE".to_owned(), loc)
                    }
                    other => other,
                },
            };
            let cors = ctx.get(f, "cors").and_then(|c| cors(ctx, &c));
            (auth_type, cors)
        }
        _ => {
            if let Some(expr) = symbolic(f) {
                (Attr::unresolved(expr, at.clone()), None)
            } else {
                ctx.wrong_type(f, "`true` or a mapping with `authorizer` and `cors`");
                return (None, None);
            }
        }
    };
    let permission = (auth_type.get().map(String::as_str) == Some("NONE")).then(|| Permission {
        action: Attr::explicit("lambda:InvokeFunctionUrl".to_owned(), at.clone()),
        principal: Attr::explicit("*".to_owned(), at.clone()),
        source_arn: Attr::absent(),
        source_account: Attr::absent(),
        principal_org_id: Attr::absent(),
        function_url_auth_type: Attr::explicit("NONE".to_owned(), at.clone()),
        at: at.clone(),
    });
    (
        Some(FunctionUrl {
            auth_type,
            cors,
            at,
        }),
        permission,
    )
}

/// `cors: true` allows every origin (the framework's default `allowedOrigins: ['*']`); a
/// mapping without `allowedOrigins` keeps that default.
fn cors<'a>(ctx: &mut Ctx<'a>, f: &Field<'a>) -> Option<Cors> {
    let at = Some(ctx.loc(f));
    match &f.node.value {
        Value::Bool(true) => Some(Cors {
            allow_origins: vec!["*".to_owned()],
            allow_credentials: Attr::default_value(false),
            at,
        }),
        Value::Map(_) if symbolic(f).is_none() => {
            let allow_origins = match ctx.get(f, "allowedOrigins") {
                None => vec!["*".to_owned()],
                Some(o) => {
                    let items = match &o.node.value {
                        Value::Seq(_) => ctx.items(&o),
                        _ => vec![o.clone()],
                    };
                    items
                        .iter()
                        .filter_map(|i| match ctx.text(i) {
                            Text::Literal(s) | Text::Unresolved(s) => Some(s),
                            Text::WrongType => {
                                ctx.wrong_type(i, "an origin string");
                                None
                            }
                            Text::Null => None,
                        })
                        .collect()
                }
            };
            let allow_credentials = match ctx.get(f, "allowCredentials") {
                None => Attr::default_value(false),
                Some(c) => match ctx.text(&c) {
                    Text::Literal(s) if s == "true" || s == "false" => {
                        Attr::explicit(s == "true", ctx.loc(&c))
                    }
                    Text::Unresolved(expr) => Attr::unresolved(expr, ctx.loc(&c)),
                    _ => {
                        ctx.wrong_type(&c, "a boolean");
                        Attr::default_value(false)
                    }
                },
            };
            Some(Cors {
                allow_origins,
                allow_credentials,
                at,
            })
        }
        Value::Bool(false) | Value::Null => None,
        _ => {
            if symbolic(f).is_none() {
                ctx.wrong_type(f, "`true` or a CORS mapping");
            }
            None
        }
    }
}
