//! The OpenAPI 3.1 document, generated from the route table ([`API_ROUTES`]) at run time.
//!
//! Why not utoipa: its annotations would be a second description of each route beside the
//! router, and its proc-macros add build time on a 2-core machine. Here the document, the
//! router and the auth layer read the same table, so they cannot disagree; the response and
//! request schemas below are written by hand and a test checks every route's schema exists.

use serde_json::{Map, Value, json};

use crate::auth::Role;
use crate::routes::{API_ROUTES, ParamIn};

/// The OpenAPI document of every route in [`API_ROUTES`].
pub fn document() -> Value {
    let mut paths = Map::new();
    for route in API_ROUTES {
        let mut parameters = Vec::new();
        for p in route.params {
            parameters.push(json!({
                "name": p.name,
                "in": match p.location {
                    ParamIn::Path => "path",
                    ParamIn::Query => "query",
                    ParamIn::Header => "header",
                },
                "required": p.location == ParamIn::Path,
                "description": p.description,
                "schema": {"type": p.ty},
            }));
        }
        let mut responses = Map::new();
        responses.insert(
            "200".into(),
            json!({
                "description": "OK",
                "content": {"application/json": {"schema": schema_ref(route.response)}},
            }),
        );
        responses.insert("400".into(), error_response("The request is invalid."));
        responses.insert(
            "401".into(),
            error_response("No bearer token, or one the server does not know."),
        );
        if route.role == Role::Admin {
            responses.insert(
                "403".into(),
                error_response("The token's role is viewer; this route needs admin."),
            );
        }
        if route.params.iter().any(|p| p.location == ParamIn::Path) {
            responses.insert("404".into(), error_response("No such item."));
        }
        let mut operation = json!({
            "operationId": route.operation,
            "summary": route.summary,
            "tags": [route.tag],
            "parameters": parameters,
            "responses": responses,
            "security": [{"bearer": []}],
            "x-faasguard-role": route.role.as_str(),
        });
        if let (Some(body), Some(op)) = (route.body, operation.as_object_mut()) {
            op.insert(
                "requestBody".into(),
                json!({"required": true, "content": {"application/json": {"schema": schema_ref(body)}}}),
            );
        }
        let entry = paths
            .entry(route.path)
            .or_insert_with(|| Value::Object(Map::new()));
        if let Some(entry) = entry.as_object_mut() {
            entry.insert(route.method.as_str().to_ascii_lowercase(), operation);
        }
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "faasguard API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Functions, findings, Function Assurance, enforcement and the audit log of a faasguard server. Every route needs `Authorization: Bearer <token>`; routes marked x-faasguard-role: admin need an admin token.",
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": schemas(),
        },
    })
}

fn schema_ref(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

fn error_response(description: &str) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": schema_ref("Error")}}})
}

fn page_of(item: &str, cursor: bool) -> Value {
    let mut page = json!({
        "type": "object",
        "required": ["items", "total", "page", "per_page"],
        "properties": {
            "items": {"type": "array", "items": schema_ref(item)},
            "total": {"type": "integer"},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
        },
    });
    if cursor {
        page["properties"]["next_cursor"] = json!({"type": "string", "description": "Pass as `cursor` for the next page; absent on a short page."});
    }
    page
}

fn nullable(ty: &str) -> Value {
    json!({"type": [ty, "null"]})
}

/// The request and response schemas, by name.
#[expect(
    clippy::too_many_lines,
    reason = "one JSON literal per schema, read as a list"
)]
fn schemas() -> Value {
    let string = json!({"type": "string"});
    let integer = json!({"type": "integer"});
    let boolean = json!({"type": "boolean"});
    let severity = json!({"type": "string", "enum": ["info", "low", "medium", "high", "critical"]});
    json!({
        "Error": {
            "type": "object",
            "required": ["error", "message"],
            "properties": {"error": string, "message": string},
        },
        "Me": {
            "type": "object",
            "properties": {"name": string, "role": {"type": "string", "enum": ["viewer", "admin"]}},
        },
        "OpenApi": {"type": "object", "description": "This document."},
        "SeverityCounts": {
            "type": "object",
            "properties": {"critical": integer, "high": integer, "medium": integer, "low": integer, "info": integer},
        },
        "Function": {
            "type": "object",
            "properties": {
                "id": string, "name": string, "arn": nullable("string"), "account": nullable("string"),
                "region": nullable("string"), "runtime": nullable("string"), "role": nullable("string"),
                "reserved_concurrency": nullable("integer"), "blocked": boolean, "violating": boolean,
                "previous_concurrency": nullable("integer"), "open": schema_ref("SeverityCounts"),
                "first_seen": nullable("string"), "last_seen": nullable("string"),
            },
        },
        "FunctionPage": page_of("Function", true),
        "Finding": {
            "type": "object",
            "properties": {
                "id": integer, "rule_id": string, "rule_name": string, "severity": severity,
                "function": nullable("string"), "function_id": nullable("string"), "message": string,
                "evidence": {"type": ["string", "null"], "description": "Redacted for secrets."},
                "remediation": nullable("string"), "file": string, "line": nullable("integer"),
                "status": {"type": "string", "enum": ["open", "fixed"]},
                "first_seen": string, "last_seen": string, "fixed_at": nullable("string"),
            },
        },
        "FindingPage": {
            "type": "object",
            "required": ["items", "total", "total_exact", "page", "per_page"],
            "properties": {
                "items": {"type": "array", "items": schema_ref("Finding")},
                "total": {"type": "integer", "description": "Matching findings; a lower bound when total_exact is false."},
                "total_exact": {"type": "boolean", "description": "False when a text search matched more than the server counts (1,000): at least `total` findings match."},
                "page": integer,
                "per_page": integer,
                "next_cursor": {"type": "string", "description": "Pass as `cursor` for the next page; absent on a short page and for a text search."},
            },
        },
        "Vulnerability": {
            "type": "object",
            "properties": {
                "package": string, "installed": string, "fixed": nullable("string"),
                "advisory": {"type": ["string", "null"], "description": "The advisory id (GHSA-…, PYSEC-…); null for a finding stored before the store kept it, until a scan sees it again."},
                "severity": severity, "message": string,
            },
        },
        "PolicyOutcome": {
            "type": "object",
            "properties": {
                "policy": string, "outcome": {"type": "string", "enum": ["pass", "violation", "excepted", "out-of-scope"]},
                "action": nullable("string"), "reason": nullable("string"), "evaluated_at": string,
            },
        },
        "HistoryEvent": {
            "type": "object",
            "properties": {"at": string, "event": string, "rule_id": nullable("string"), "detail": nullable("string")},
        },
        "FunctionDetail": {
            "type": "object",
            "properties": {
                "function": schema_ref("Function"),
                "vulnerabilities": {"type": "array", "items": schema_ref("Vulnerability")},
                "secrets": {"type": "array", "items": schema_ref("Finding")},
                "permissions": {"type": "array", "items": schema_ref("Finding")},
                "configuration": {"type": "array", "items": schema_ref("Finding")},
                "other": {"type": "array", "items": schema_ref("Finding")},
                "policies": {"type": "array", "items": schema_ref("PolicyOutcome")},
                "history": {"type": "array", "items": schema_ref("HistoryEvent")},
            },
        },
        "AssuranceRow": {
            "type": "object",
            "properties": {
                "id": string, "name": string, "account": nullable("string"), "region": nullable("string"),
                "blocked": boolean,
                "results": {"type": "object", "additionalProperties": string, "description": "policy name → outcome"},
            },
        },
        "AssuranceView": {
            "type": "object",
            "properties": {
                "policies": {"type": "array", "items": string},
                "rows": {"type": "array", "items": schema_ref("AssuranceRow")},
                "total": integer, "page": integer, "per_page": integer,
                "next_cursor": {"type": "string", "description": "Pass as `cursor` for the next page; absent on a short page."},
            },
        },
        "AuditEntry": {
            "type": "object",
            "properties": {
                "id": integer, "at": string, "actor": string, "action": string,
                "function": nullable("string"), "policy": nullable("string"), "detail": string,
            },
        },
        "AuditPage": page_of("AuditEntry", false),
        "SeveritySeries": {
            "type": "object",
            "properties": {
                "days": {"type": "array", "items": {
                    "type": "object",
                    "properties": {"day": string, "critical": integer, "high": integer, "medium": integer, "low": integer, "info": integer},
                }},
            },
        },
        "EnforceRequest": {
            "type": "object",
            "properties": {"reason": {"type": "string", "description": "Written to the audit log."}},
        },
        "EnforceResult": {
            "type": "object",
            "properties": {
                "function": string, "action": string, "previous": nullable("integer"),
                "current": nullable("integer"), "changed": boolean,
            },
        },
        "PolicyDocument": {
            "type": "object",
            "required": ["text"],
            "properties": {"text": {"type": "string", "description": "assurance.yaml"}, "path": nullable("string")},
        },
        "Token": {
            "type": "object",
            "properties": {
                "id": string, "name": string, "role": string, "created_at": string, "created_by": string,
                "last_used_at": nullable("string"), "revoked_at": nullable("string"),
            },
        },
        "TokenList": {"type": "object", "properties": {"items": {"type": "array", "items": schema_ref("Token")}}},
        "NewToken": {
            "type": "object",
            "required": ["name", "role"],
            "properties": {"name": string, "role": {"type": "string", "enum": ["viewer", "admin"]}},
        },
        "CreatedToken": {
            "type": "object",
            "properties": {"id": string, "name": string, "role": string, "created_at": string, "created_by": string, "token": {"type": "string", "description": "Shown once."}},
        },
        "Revoked": {"type": "object", "properties": {"id": string, "revoked": boolean}},
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every route of the table is in the document under its method, with its role, and every
    /// schema a route names is defined: the document cannot miss a route.
    #[test]
    fn every_route_is_documented() {
        let doc = document();
        for route in API_ROUTES {
            let op = &doc["paths"][route.path][route.method.as_str().to_ascii_lowercase()];
            assert_eq!(
                op["operationId"], route.operation,
                "{} {}",
                route.method, route.path
            );
            assert_eq!(op["x-faasguard-role"], route.role.as_str());
            assert_eq!(op["security"][0]["bearer"], json!([]));
            for name in std::iter::once(route.response).chain(route.body) {
                assert!(
                    doc["components"]["schemas"][name].is_object(),
                    "schema {name} of {} is not defined",
                    route.operation
                );
            }
        }
    }

    /// Every `$ref` in the document points at a defined schema.
    #[test]
    fn refs_resolve() {
        fn walk(v: &Value, doc: &Value) {
            match v {
                Value::Object(m) => {
                    if let Some(Value::String(r)) = m.get("$ref") {
                        let name = r.trim_start_matches("#/components/schemas/");
                        assert!(doc["components"]["schemas"][name].is_object(), "{r}");
                    }
                    m.values().for_each(|x| walk(x, doc));
                }
                Value::Array(a) => a.iter().for_each(|x| walk(x, doc)),
                _ => {}
            }
        }
        let doc = document();
        walk(&doc, &doc);
    }
}
