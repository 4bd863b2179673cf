//! The one table of API routes. The router, the auth layer and the OpenAPI document are all
//! built from [`API_ROUTES`], so a route cannot exist without its role check or its
//! documentation, and the auth test can enumerate every route.

use axum::http::Method;
use axum::routing::{MethodRouter, delete, get, post, put};

use crate::AppState;
use crate::api;
use crate::auth::Role;

/// Where a parameter is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamIn {
    Path,
    Query,
    Header,
}

/// A documented request parameter.
#[derive(Debug, Clone, Copy)]
pub struct Param {
    pub name: &'static str,
    pub location: ParamIn,
    /// JSON Schema type: `string`, `integer` or `boolean`.
    pub ty: &'static str,
    pub description: &'static str,
}

/// One API route: method, path (axum syntax, `{id}` for path parameters), the least role that
/// may call it, its documentation and its handler.
#[derive(Debug, Clone)]
pub struct ApiRoute {
    pub method: Method,
    pub path: &'static str,
    pub role: Role,
    /// OpenAPI `operationId`.
    pub operation: &'static str,
    pub summary: &'static str,
    pub tag: &'static str,
    pub params: &'static [Param],
    /// Name of the request body schema in the OpenAPI document, when there is a body.
    pub body: Option<&'static str>,
    /// Name of the response schema in the OpenAPI document.
    pub response: &'static str,
    pub handler: fn() -> MethodRouter<AppState>,
}

const fn path(name: &'static str, description: &'static str) -> Param {
    Param {
        name,
        location: ParamIn::Path,
        ty: "string",
        description,
    }
}

const fn query(name: &'static str, ty: &'static str, description: &'static str) -> Param {
    Param {
        name,
        location: ParamIn::Query,
        ty,
        description,
    }
}

const PAGE: Param = query("page", "integer", "Page number, from 1 (default 1).");
const PER_PAGE: Param = query(
    "per_page",
    "integer",
    "Items per page, 1 to 500 (default 50).",
);
const CURSOR: Param = query(
    "cursor",
    "string",
    "Continue after the last item of a previous page: its `next_cursor` (opaque). Deep pages cost what the first does; `page` is then only echoed.",
);
const NO_CACHE: Param = Param {
    name: "Cache-Control",
    location: ParamIn::Header,
    ty: "string",
    description: "`no-cache`: compute a text search or a deep page's position afresh instead of reusing the one memoised since the store last changed (the answer is the same).",
};
/// The filters and paging of the function lists (the functions list and the assurance view).
const FUNCTION_LIST_PARAMS: &[Param] = &[
    query("account", "string", "Only this AWS account id."),
    query("region", "string", "Only this region."),
    query("q", "string", "Substring of the function name."),
    query(
        "violating",
        "boolean",
        "Only functions that violate at least one policy (true) or none (false).",
    ),
    query(
        "blocked",
        "boolean",
        "Only blocked (true) or unblocked (false) functions.",
    ),
    PAGE,
    PER_PAGE,
    CURSOR,
    NO_CACHE,
];
const FUNCTION_ID: Param = path("id", "The function's id in the store.");

/// Every route under `/api/v1`.
pub const API_ROUTES: &[ApiRoute] = &[
    ApiRoute {
        method: Method::GET,
        path: "/api/v1/me",
        role: Role::Viewer,
        operation: "getMe",
        summary: "The name and role of the calling token.",
        tag: "auth",
        params: &[],
        body: None,
        response: "Me",
        handler: || get(api::me),
    },
    ApiRoute {
        method: Method::GET,
        path: "/api/v1/openapi.json",
        role: Role::Viewer,
        operation: "getOpenApi",
        summary: "This OpenAPI 3.1 document.",
        tag: "meta",
        params: &[],
        body: None,
        response: "OpenApi",
        handler: || get(api::openapi),
    },
    ApiRoute {
        method: Method::GET,
        path: "/api/v1/functions",
        role: Role::Viewer,
        operation: "listFunctions",
        summary: "Functions of the latest scans, blocked ones first.",
        tag: "functions",
        params: FUNCTION_LIST_PARAMS,
        body: None,
        response: "FunctionPage",
        handler: || get(api::list_functions),
    },
    ApiRoute {
        method: Method::GET,
        path: "/api/v1/functions/{id}",
        role: Role::Viewer,
        operation: "getFunction",
        summary: "One function: cloud facts, vulnerabilities, redacted secrets, permissions and their risks, configuration findings, policy outcomes and history.",
        tag: "functions",
        params: &[FUNCTION_ID],
        body: None,
        response: "FunctionDetail",
        handler: || get(api::function_detail),
    },
    ApiRoute {
        method: Method::POST,
        path: "/api/v1/functions/{id}/block",
        role: Role::Admin,
        operation: "blockFunction",
        summary: "Blocks the function (reserved concurrency 0; the previous setting is recorded). Written to the audit log.",
        tag: "enforcement",
        params: &[FUNCTION_ID],
        body: Some("EnforceRequest"),
        response: "EnforceResult",
        handler: || post(api::block),
    },
    ApiRoute {
        method: Method::POST,
        path: "/api/v1/functions/{id}/unblock",
        role: Role::Admin,
        operation: "unblockFunction",
        summary: "Unblocks the function, restoring the concurrency recorded when it was blocked. Written to the audit log.",
        tag: "enforcement",
        params: &[FUNCTION_ID],
        body: Some("EnforceRequest"),
        response: "EnforceResult",
        handler: || post(api::unblock),
    },
    ApiRoute {
        method: Method::GET,
        path: "/api/v1/findings",
        role: Role::Viewer,
        operation: "listFindings",
        summary: "Findings with their history, most severe first.",
        tag: "findings",
        params: &[
            query(
                "severity",
                "string",
                "Only this severity (info, low, medium, high, critical).",
            ),
            query("rule", "string", "Only this rule id (FG-IAM-001)."),
            query("function", "string", "Substring of the function name."),
            query("status", "string", "open (default), fixed or all."),
            query(
                "q",
                "string",
                "Case-insensitive text searched in the message, rule id and function id (no cursor: page with `page`).",
            ),
            PAGE,
            PER_PAGE,
            CURSOR,
            NO_CACHE,
        ],
        body: None,
        response: "FindingPage",
        handler: || get(api::list_findings),
    },
    ApiRoute {
        method: Method::GET,
        path: "/api/v1/assurance",
        role: Role::Viewer,
        operation: "getAssurance",
        summary: "The unified view, a page of functions × policies with their latest outcomes, blocked functions first.",
        tag: "assurance",
        params: FUNCTION_LIST_PARAMS,
        body: None,
        response: "AssuranceView",
        handler: || get(api::assurance),
    },
    ApiRoute {
        method: Method::GET,
        path: "/api/v1/audit",
        role: Role::Viewer,
        operation: "listAudit",
        summary: "The append-only audit log, newest first.",
        tag: "audit",
        params: &[PAGE, PER_PAGE],
        body: None,
        response: "AuditPage",
        handler: || get(api::audit),
    },
    ApiRoute {
        method: Method::GET,
        path: "/api/v1/stats/findings-by-day",
        role: Role::Viewer,
        operation: "findingsByDay",
        summary: "Open findings per severity on each of the last N days.",
        tag: "findings",
        params: &[query(
            "days",
            "integer",
            "How many days back, 1 to 366 (default 30).",
        )],
        body: None,
        response: "SeveritySeries",
        handler: || get(api::findings_by_day),
    },
    ApiRoute {
        method: Method::GET,
        path: "/api/v1/policy",
        role: Role::Viewer,
        operation: "getPolicy",
        summary: "The assurance policy document (assurance.yaml) in force.",
        tag: "assurance",
        params: &[],
        body: None,
        response: "PolicyDocument",
        handler: || get(api::get_policy),
    },
    ApiRoute {
        method: Method::PUT,
        path: "/api/v1/policy",
        role: Role::Admin,
        operation: "putPolicy",
        summary: "Replaces the policy document after validating it (errors name line and column). Written to the audit log.",
        tag: "assurance",
        params: &[],
        body: Some("PolicyDocument"),
        response: "PolicyDocument",
        handler: || put(api::put_policy),
    },
    ApiRoute {
        method: Method::GET,
        path: "/api/v1/tokens",
        role: Role::Admin,
        operation: "listTokens",
        summary: "API tokens (names, roles, dates; never the token or its hash).",
        tag: "tokens",
        params: &[],
        body: None,
        response: "TokenList",
        handler: || get(api::list_tokens),
    },
    ApiRoute {
        method: Method::POST,
        path: "/api/v1/tokens",
        role: Role::Admin,
        operation: "createToken",
        summary: "Creates a token; the response holds it once (only its hash is stored).",
        tag: "tokens",
        params: &[],
        body: Some("NewToken"),
        response: "CreatedToken",
        handler: || post(api::create_token),
    },
    ApiRoute {
        method: Method::DELETE,
        path: "/api/v1/tokens/{id}",
        role: Role::Admin,
        operation: "revokeToken",
        summary: "Revokes a token by id. Written to the audit log.",
        tag: "tokens",
        params: &[path("id", "The token's id (`fgt_<id>_…`).")],
        body: None,
        response: "Revoked",
        handler: || delete(api::revoke_token),
    },
];

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// Every route is under `/api/v1`, and no two routes share a method and path or an
    /// operation id (the router would panic or the OpenAPI document would be ambiguous).
    #[test]
    fn routes_are_unique_and_versioned() {
        let mut seen = BTreeSet::new();
        let mut operations = BTreeSet::new();
        for r in API_ROUTES {
            assert!(r.path.starts_with("/api/v1/"), "{}", r.path);
            assert!(
                seen.insert((r.method.as_str(), r.path)),
                "{} {}",
                r.method,
                r.path
            );
            assert!(operations.insert(r.operation), "{}", r.operation);
        }
    }

    /// Every path parameter in a route's path is documented, and every documented path
    /// parameter is in the path.
    #[test]
    fn path_parameters_are_documented() {
        for r in API_ROUTES {
            let in_path: BTreeSet<&str> = r
                .path
                .split('/')
                .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
                .collect();
            let documented: BTreeSet<&str> = r
                .params
                .iter()
                .filter(|p| p.location == ParamIn::Path)
                .map(|p| p.name)
                .collect();
            assert_eq!(in_path, documented, "{} {}", r.method, r.path);
        }
    }

    /// Changing state is for admins only: every route that is not a GET needs the admin role.
    #[test]
    fn writes_need_admin() {
        for r in API_ROUTES.iter().filter(|r| r.method != Method::GET) {
            assert_eq!(r.role, Role::Admin, "{} {}", r.method, r.path);
        }
    }
}
