//! The handlers of [`crate::routes::API_ROUTES`]. Each maps store rows to the JSON the
//! OpenAPI document describes (times as RFC 3339, severities as words); the store already
//! redacts secret values, and nothing here adds any.

use std::collections::{BTreeMap, BTreeSet};

use axum::Json;
use axum::extract::{Extension, Path, Query, State};
use axum::http::{HeaderMap, header};
use faasguard_assurance::rfc3339;
use faasguard_core::Severity;
use faasguard_store::{
    AuditFilter, AuditInput, Block, BlockInput, BlockOutcome, FindingCursor, FindingFilter,
    FindingStatus, FunctionCursor, FunctionFilter, FunctionOutcomes, FunctionRow, Millis, Page,
    PolicyResult, Store, StoredFinding,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::AppState;
use crate::auth::{Principal, Role};
use crate::enforce::FunctionTarget;
use crate::error::ApiError;

const DEFAULT_PER_PAGE: u32 = 50;
const MAX_PER_PAGE: u32 = 500;

#[expect(
    clippy::needless_pass_by_value,
    reason = "used as map_err(store_err), which passes the error by value"
)]
fn store_err(e: faasguard_store::StoreError) -> ApiError {
    ApiError::Store(e.to_string())
}

fn time(ms: Millis) -> String {
    rfc3339(ms.div_euclid(1000))
}

/// The `page` (from 1) and `per_page` query parameters as a store [`Page`]. (Not a flattened
/// struct: serde's `flatten` cannot read numbers from a query string.)
fn paging(page: Option<u32>, per_page: Option<u32>) -> Result<(u32, u32, Page), ApiError> {
    {
        let page = page.unwrap_or(1);
        let per_page = per_page.unwrap_or(DEFAULT_PER_PAGE);
        if page == 0 {
            return Err(ApiError::BadRequest("page starts at 1".into()));
        }
        if per_page == 0 || per_page > MAX_PER_PAGE {
            return Err(ApiError::BadRequest(format!(
                "per_page must be 1 to {MAX_PER_PAGE}"
            )));
        }
        let offset = u64::from(page - 1) * u64::from(per_page);
        Ok((page, per_page, Page::new(per_page, offset)))
    }
}

#[derive(Debug, Serialize)]
pub(crate) struct PageJson<T> {
    items: Vec<T>,
    total: i64,
    page: u32,
    per_page: u32,
    /// Pass as `cursor` for the next page (absent on a short page).
    #[serde(skip_serializing_if = "Option::is_none")]
    next_cursor: Option<String>,
}

/// A function cursor: `0:` or `1:` (blocked) and the key. Opaque to clients.
fn function_cursor(text: Option<&String>) -> Result<Option<FunctionCursor>, ApiError> {
    let Some(text) = text.filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let (blocked, key) = match text.split_once(':') {
        Some(("0", key)) if !key.is_empty() => (false, key),
        Some(("1", key)) if !key.is_empty() => (true, key),
        _ => return Err(ApiError::BadRequest("invalid cursor".into())),
    };
    Ok(Some(FunctionCursor {
        blocked,
        key: key.to_owned(),
    }))
}

/// The cursor after the last function of a full page.
fn next_function_cursor(
    last: Option<&FunctionRow>,
    listed: usize,
    per_page: u32,
) -> Option<String> {
    let last = last?;
    (listed >= per_page as usize).then(|| format!("{}:{}", u8::from(last.blocked), last.key))
}

/// A finding cursor: the severity and the id. Opaque to clients.
fn finding_cursor(text: Option<&String>) -> Result<Option<FindingCursor>, ApiError> {
    let Some(text) = text.filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    text.split_once(':')
        .and_then(|(severity, id)| {
            Some(FindingCursor {
                severity: severity.parse::<Severity>().ok()?,
                id: id.parse().ok()?,
            })
        })
        .map(Some)
        .ok_or_else(|| ApiError::BadRequest("invalid cursor".into()))
}

/// The `(page, per_page, slice)` of a request with a cursor: the slice starts at the cursor.
fn cursor_paging(
    page: Option<u32>,
    per_page: Option<u32>,
    cursor: bool,
) -> Result<(u32, u32, Page), ApiError> {
    let (page, per_page, slice) = paging(page, per_page)?;
    Ok(if cursor {
        (page, per_page, Page::new(per_page, 0))
    } else {
        (page, per_page, slice)
    })
}

fn non_empty(s: Option<&String>) -> Option<String> {
    s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// The last part of a function key (`123456789012/eu-west-1/name` → `name`).
fn short_name(key: &str) -> &str {
    key.rsplit(['/', '#']).next().unwrap_or(key)
}

// ---- me, openapi ---------------------------------------------------------------------------

/// The store as a list request may use it: `Cache-Control: no-cache` asks for text searches
/// and deep-page positions computed afresh instead of the ones memoised for the current store
/// generation (see `faasguard_store`'s cache; the answer is the same either way).
fn store_for(state: &AppState, headers: &HeaderMap) -> Store {
    let no_cache = headers
        .get_all(header::CACHE_CONTROL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|d| d.trim().eq_ignore_ascii_case("no-cache"));
    if no_cache {
        state.store.uncached()
    } else {
        state.store.clone()
    }
}

pub(crate) async fn me(Extension(principal): Extension<Principal>) -> Json<Principal> {
    Json(principal)
}

pub(crate) async fn openapi() -> Json<Value> {
    Json(crate::openapi::document())
}

// ---- functions -----------------------------------------------------------------------------

#[derive(Debug, Serialize)]
pub(crate) struct FunctionJson {
    id: String,
    name: String,
    arn: Option<String>,
    account: Option<String>,
    region: Option<String>,
    runtime: Option<String>,
    role: Option<String>,
    reserved_concurrency: Option<i32>,
    blocked: bool,
    violating: bool,
    previous_concurrency: Option<i64>,
    open: BTreeMap<&'static str, i64>,
    first_seen: String,
    last_seen: String,
}

impl FunctionJson {
    fn from_row(row: &FunctionRow) -> FunctionJson {
        let c = &row.open_findings;
        FunctionJson {
            id: row.key.clone(),
            name: row
                .name
                .clone()
                .unwrap_or_else(|| short_name(&row.key).to_owned()),
            arn: None,
            account: row.account.clone(),
            region: row.region.clone(),
            runtime: row.runtime.clone(),
            role: None,
            reserved_concurrency: None,
            blocked: row.blocked,
            violating: row.has_violation,
            previous_concurrency: None,
            open: BTreeMap::from([
                ("critical", c.critical),
                ("high", c.high),
                ("medium", c.medium),
                ("low", c.low),
                ("info", c.info),
            ]),
            first_seen: time(row.first_seen),
            last_seen: time(row.last_seen),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct FunctionQuery {
    account: Option<String>,
    region: Option<String>,
    q: Option<String>,
    violating: Option<bool>,
    blocked: Option<bool>,
    page: Option<u32>,
    per_page: Option<u32>,
    cursor: Option<String>,
}

impl FunctionQuery {
    fn filter(&self) -> Result<FunctionFilter, ApiError> {
        Ok(FunctionFilter {
            account: non_empty(self.account.as_ref()),
            region: non_empty(self.region.as_ref()),
            name: non_empty(self.q.as_ref()),
            has_violation: self.violating,
            blocked: self.blocked,
            after: function_cursor(self.cursor.as_ref())?,
            ..FunctionFilter::default()
        })
    }
}

pub(crate) async fn list_functions(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<FunctionQuery>,
) -> Result<Json<PageJson<FunctionJson>>, ApiError> {
    let filter = query.filter()?;
    let (page, per_page, slice) =
        cursor_paging(query.page, query.per_page, filter.after.is_some())?;
    let found = store_for(&state, &headers)
        .list_functions(&filter, slice)
        .await
        .map_err(store_err)?;
    Ok(Json(PageJson {
        items: found.items.iter().map(FunctionJson::from_row).collect(),
        total: found.total,
        page,
        per_page,
        next_cursor: next_function_cursor(found.items.last(), found.items.len(), per_page),
    }))
}

#[derive(Debug, Serialize)]
pub(crate) struct FindingJson {
    id: i64,
    rule_id: String,
    rule_name: String,
    severity: Severity,
    function: Option<String>,
    function_id: Option<String>,
    message: String,
    evidence: Option<String>,
    remediation: Option<String>,
    file: String,
    line: Option<u32>,
    status: FindingStatus,
    first_seen: String,
    last_seen: String,
    fixed_at: Option<String>,
}

impl FindingJson {
    fn from_stored(f: &StoredFinding) -> FindingJson {
        FindingJson {
            id: f.id,
            rule_id: f.rule_id.clone(),
            rule_name: f.rule_name.clone(),
            severity: f.severity,
            function: f.function_key.as_deref().map(|k| short_name(k).to_owned()),
            function_id: f.function_key.clone(),
            message: f.message.clone(),
            evidence: f.evidence.clone(),
            remediation: f.remediation.clone(),
            file: f.location.file.clone(),
            line: f.location.line,
            status: f.status,
            first_seen: time(f.first_seen),
            last_seen: time(f.last_seen),
            fixed_at: f.fixed_at.map(time),
        }
    }
}

#[derive(Debug, Serialize)]
pub(crate) struct VulnerabilityJson {
    package: String,
    installed: String,
    fixed: Option<String>,
    /// The advisory id; `None` for a finding stored before the store kept it.
    advisory: Option<String>,
    severity: Severity,
    message: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct PolicyOutcomeJson {
    policy: String,
    outcome: &'static str,
    action: Option<String>,
    reason: Option<String>,
    evaluated_at: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct HistoryJson {
    at: String,
    #[serde(skip)]
    at_ms: Millis,
    event: String,
    rule_id: Option<String>,
    detail: Option<String>,
}

#[derive(Debug, Serialize)]
pub(crate) struct FunctionDetailJson {
    function: FunctionJson,
    vulnerabilities: Vec<VulnerabilityJson>,
    secrets: Vec<FindingJson>,
    permissions: Vec<FindingJson>,
    configuration: Vec<FindingJson>,
    other: Vec<FindingJson>,
    policies: Vec<PolicyOutcomeJson>,
    history: Vec<HistoryJson>,
}

/// The newest result of each policy (results come newest first).
fn latest_per_policy(results: &[PolicyResult]) -> Vec<&PolicyResult> {
    let mut seen = BTreeSet::new();
    results
        .iter()
        .filter(|r| seen.insert(r.policy.as_str()))
        .collect()
}

/// A short text for a policy result's reasons (JSON of any shape).
fn reason_text(reasons: &Value) -> Option<String> {
    match reasons {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Array(items) if items.is_empty() => None,
        Value::Array(items) => Some(
            items
                .iter()
                .map(|v| match v {
                    Value::String(s) => s.clone(),
                    Value::Object(m) => m
                        .get("message")
                        .or_else(|| m.get("reason"))
                        .and_then(Value::as_str)
                        .map_or_else(|| v.to_string(), str::to_owned),
                    other => other.to_string(),
                })
                .collect::<Vec<_>>()
                .join("; "),
        ),
        other => Some(other.to_string()),
    }
}

fn block_events(blocks: &[Block]) -> Vec<HistoryJson> {
    let mut out = Vec::new();
    for b in blocks {
        let previous = b
            .previous_concurrency
            .map_or_else(|| "unreserved".to_owned(), |p| p.to_string());
        out.push(HistoryJson {
            at: time(b.blocked_at),
            at_ms: b.blocked_at,
            event: "blocked".into(),
            rule_id: None,
            detail: Some(format!(
                "by {}{}; previous concurrency {previous}",
                b.blocked_by,
                b.policy
                    .as_deref()
                    .map(|p| format!(" (policy {p})"))
                    .unwrap_or_default()
            )),
        });
        if let (Some(at), Some(by)) = (b.released_at, &b.released_by) {
            out.push(HistoryJson {
                at: time(at),
                at_ms: at,
                event: "unblocked".into(),
                rule_id: None,
                detail: Some(format!("by {by}; concurrency {previous} restored")),
            });
        }
    }
    out
}

pub(crate) async fn function_detail(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<FunctionDetailJson>, ApiError> {
    let detail = state
        .store
        .function_detail(&id)
        .await
        .map_err(store_err)?
        .ok_or_else(|| ApiError::NotFound(format!("no function {id}")))?;
    let mut function = FunctionJson::from_row(&detail.function);
    if let Some(cloud) = &detail.summary.cloud {
        function.arn = Some(cloud.arn.clone());
        function.role.clone_from(&cloud.role);
        function.reserved_concurrency = cloud.reserved_concurrency;
    }
    function.previous_concurrency = detail
        .blocks
        .iter()
        .find(|b| b.released_at.is_none())
        .and_then(|b| b.previous_concurrency);
    let mut out = FunctionDetailJson {
        function,
        vulnerabilities: Vec::new(),
        secrets: Vec::new(),
        permissions: Vec::new(),
        configuration: Vec::new(),
        other: Vec::new(),
        policies: Vec::new(),
        history: Vec::new(),
    };
    for finding in detail.open_findings.values().flatten() {
        let rule = finding.rule_id.as_str();
        if rule.starts_with("FG-DEP") {
            out.vulnerabilities.push(VulnerabilityJson {
                package: finding
                    .package
                    .clone()
                    .unwrap_or_else(|| finding.location.file.clone()),
                installed: finding.installed_version.clone().unwrap_or_default(),
                fixed: finding.fixed_version.clone(),
                advisory: finding.advisory.clone(),
                severity: finding.severity,
                message: finding.message.clone(),
            });
        } else if rule.starts_with("FG-SEC") {
            out.secrets.push(FindingJson::from_stored(finding));
        } else if rule.starts_with("FG-IAM") {
            out.permissions.push(FindingJson::from_stored(finding));
        } else if rule.starts_with("FG-FN") || rule.starts_with("FG-AZ") {
            out.configuration.push(FindingJson::from_stored(finding));
        } else {
            out.other.push(FindingJson::from_stored(finding));
        }
    }
    out.policies = latest_per_policy(&detail.policy_results)
        .into_iter()
        .map(|r| PolicyOutcomeJson {
            policy: r.policy.clone(),
            outcome: r.outcome.as_str(),
            action: r.action.clone(),
            reason: reason_text(&r.reasons),
            evaluated_at: time(r.evaluated_at),
        })
        .collect();
    out.history = detail
        .history
        .iter()
        .map(|e| HistoryJson {
            at: time(e.at),
            at_ms: e.at,
            event: e.event.clone(),
            rule_id: Some(e.rule_id.clone()),
            detail: Some(e.message.clone()),
        })
        .chain(block_events(&detail.blocks))
        .collect();
    out.history.sort_by_key(|h| std::cmp::Reverse(h.at_ms));
    Ok(Json(out))
}

// ---- findings ------------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
pub(crate) struct FindingQuery {
    severity: Option<String>,
    rule: Option<String>,
    function: Option<String>,
    status: Option<String>,
    q: Option<String>,
    page: Option<u32>,
    per_page: Option<u32>,
    cursor: Option<String>,
}

impl FindingQuery {
    fn filter(&self) -> Result<FindingFilter, ApiError> {
        let severities = match non_empty(self.severity.as_ref()) {
            Some(s) => vec![
                s.parse::<Severity>()
                    .map_err(|_| ApiError::BadRequest(format!("unknown severity `{s}`")))?,
            ],
            None => Vec::new(),
        };
        let status = match non_empty(self.status.as_ref()).as_deref() {
            None | Some("open") => Some(FindingStatus::Open),
            Some("fixed") => Some(FindingStatus::Fixed),
            Some("all") => None,
            Some(other) => {
                return Err(ApiError::BadRequest(format!(
                    "status must be open, fixed or all, not `{other}`"
                )));
            }
        };
        // The text search covers message, rule id and function key; a function filter is a
        // substring of the key, so it joins the text when both are given only if equal.
        let text = non_empty(self.q.as_ref());
        let function = non_empty(self.function.as_ref());
        let (function_key, text) = match (function, text) {
            (Some(f), None) if f.contains('/') => (Some(f), None),
            (Some(f), None) => (None, Some(f)),
            (f, t) => (f.filter(|f| f.contains('/')), t),
        };
        Ok(FindingFilter {
            severities,
            rule_prefix: non_empty(self.rule.as_ref()),
            function_key,
            status,
            after: if text.is_some() {
                None
            } else {
                finding_cursor(self.cursor.as_ref())?
            },
            text,
            ..FindingFilter::default()
        })
    }
}

/// A page of findings: `total_exact` is `false` when a text search matched more than the
/// store counts ([`faasguard_store::SEARCH_COUNT_LIMIT`]); `total` is then a lower bound.
#[derive(Debug, Serialize)]
pub(crate) struct FindingsPageJson {
    items: Vec<FindingJson>,
    total: i64,
    total_exact: bool,
    page: u32,
    per_page: u32,
    /// Pass as `cursor` for the next page (absent on a short page and for a text search,
    /// which pages by `page`).
    #[serde(skip_serializing_if = "Option::is_none")]
    next_cursor: Option<String>,
}

pub(crate) async fn list_findings(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<FindingQuery>,
) -> Result<Json<FindingsPageJson>, ApiError> {
    let filter = query.filter()?;
    let (page, per_page, slice) =
        cursor_paging(query.page, query.per_page, filter.after.is_some())?;
    let found = store_for(&state, &headers)
        .list_findings(&filter, slice)
        .await
        .map_err(store_err)?;
    let next_cursor = match found.items.last() {
        Some(last) if filter.text.is_none() && found.items.len() >= per_page as usize => {
            Some(format!("{}:{}", last.severity, last.id))
        }
        _ => None,
    };
    Ok(Json(FindingsPageJson {
        items: found.items.iter().map(FindingJson::from_stored).collect(),
        total: found.total,
        total_exact: found.total_exact,
        page,
        per_page,
        next_cursor,
    }))
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct DaysQuery {
    days: Option<u32>,
}

pub(crate) async fn findings_by_day(
    State(state): State<AppState>,
    Query(query): Query<DaysQuery>,
) -> Result<Json<Value>, ApiError> {
    let days = query.days.unwrap_or(30);
    if !(1..=366).contains(&days) {
        return Err(ApiError::BadRequest("days must be 1 to 366".into()));
    }
    let series = state.store.findings_by_day(days).await.map_err(store_err)?;
    let days: Vec<Value> = series
        .iter()
        .map(|d| {
            let day: String = time(d.day).chars().take(10).collect();
            json!({
                "day": day,
                "critical": d.open.critical,
                "high": d.open.high,
                "medium": d.open.medium,
                "low": d.open.low,
                "info": d.open.info,
            })
        })
        .collect();
    Ok(Json(json!({ "days": days })))
}

// ---- assurance -----------------------------------------------------------------------------

#[derive(Debug, Serialize)]
pub(crate) struct AssuranceRow {
    id: String,
    name: String,
    account: Option<String>,
    region: Option<String>,
    blocked: bool,
    results: BTreeMap<String, &'static str>,
}

pub(crate) async fn assurance(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<FunctionQuery>,
) -> Result<Json<Value>, ApiError> {
    let filter = query.filter()?;
    let (page, per_page, slice) =
        cursor_paging(query.page, query.per_page, filter.after.is_some())?;
    // The functions page and each one's latest policy outcomes, in one statement.
    let listed = store_for(&state, &headers)
        .list_assurance(&filter, slice)
        .await
        .map_err(store_err)?;
    let mut policies = BTreeSet::new();
    let mut rows = Vec::new();
    for FunctionOutcomes {
        function: f,
        outcomes,
    } in &listed.items
    {
        policies.extend(outcomes.keys().cloned());
        rows.push(AssuranceRow {
            id: f.key.clone(),
            name: f
                .name
                .clone()
                .unwrap_or_else(|| short_name(&f.key).to_owned()),
            account: f.account.clone(),
            region: f.region.clone(),
            blocked: f.blocked,
            results: outcomes
                .iter()
                .map(|(policy, outcome)| (policy.clone(), outcome.as_str()))
                .collect(),
        });
    }
    Ok(Json(json!({
        "policies": policies,
        "rows": rows,
        "total": listed.total,
        "page": page,
        "per_page": per_page,
        "next_cursor": next_function_cursor(
            listed.items.last().map(|o| &o.function),
            listed.items.len(),
            per_page,
        ),
    })))
}

// ---- audit ---------------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
pub(crate) struct AuditQuery {
    page: Option<u32>,
    per_page: Option<u32>,
}

pub(crate) async fn audit(
    State(state): State<AppState>,
    Query(query): Query<AuditQuery>,
) -> Result<Json<Value>, ApiError> {
    let (page, per_page, slice) = paging(query.page, query.per_page)?;
    let found = state
        .store
        .list_audit(&AuditFilter::default(), slice)
        .await
        .map_err(store_err)?;
    let items: Vec<Value> = found
        .items
        .iter()
        .map(|a| {
            json!({
                "id": a.id,
                "at": time(a.at),
                "actor": a.actor,
                "action": a.action,
                "function": a.function_key,
                "policy": a.policy,
                "detail": a.details.to_string(),
            })
        })
        .collect();
    Ok(Json(json!({
        "items": items, "total": found.total, "page": page, "per_page": per_page,
    })))
}

// ---- enforcement ---------------------------------------------------------------------------

/// Optional body of block/unblock.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct EnforceRequest {
    reason: Option<String>,
}

#[derive(Debug, Serialize)]
pub(crate) struct EnforceResult {
    function: String,
    action: &'static str,
    /// Block: the concurrency recorded for the unblock; unblock: the concurrency restored.
    previous: Option<i32>,
    /// Reserved concurrency now.
    current: Option<i32>,
    changed: bool,
}

/// The deployed function behind a store key (its cloud facts from the latest scan).
async fn target_of(state: &AppState, key: &str) -> Result<FunctionTarget, ApiError> {
    let detail = state
        .store
        .function_detail(key)
        .await
        .map_err(store_err)?
        .ok_or_else(|| ApiError::NotFound(format!("no function {key}")))?;
    let cloud = detail.summary.cloud.as_ref().ok_or_else(|| {
        ApiError::BadRequest(format!(
            "{key} was not read from a cloud account, so it cannot be blocked"
        ))
    })?;
    let name = detail
        .function
        .name
        .clone()
        .or_else(|| detail.summary.name.clone())
        .unwrap_or_else(|| short_name(key).to_owned());
    Ok(FunctionTarget {
        arn: cloud.arn.clone(),
        account: cloud.account.clone(),
        region: cloud.region.clone(),
        name,
    })
}

fn enforcer(state: &AppState) -> Result<&dyn crate::Enforcer, ApiError> {
    state
        .enforcer
        .as_deref()
        .ok_or_else(|| ApiError::Unavailable("this server was started without enforcement".into()))
}

fn to_i32(v: Option<i64>) -> Option<i32> {
    v.and_then(|v| i32::try_from(v).ok())
}

pub(crate) async fn block(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    body: Option<Json<EnforceRequest>>,
) -> Result<Json<EnforceResult>, ApiError> {
    let enforcer = enforcer(&state)?;
    let target = target_of(&state, &id).await?;
    if let Some(block) = state.store.active_block(&id).await.map_err(store_err)? {
        return Ok(Json(EnforceResult {
            function: id,
            action: "block",
            previous: to_i32(block.previous_concurrency),
            current: Some(0),
            changed: false,
        }))
        .inspect(|_| tracing::info!(function = %target.name, "already blocked"));
    }
    let outcome = enforcer
        .block(&target)
        .await
        .map_err(|e| ApiError::Enforce(e.0))?;
    let reason = body.and_then(|Json(b)| b.reason);
    let recorded = state
        .store
        .record_block(&BlockInput {
            function_key: id.clone(),
            previous_concurrency: outcome.previous.map(i64::from),
            policy: None,
            actor: principal.name.clone(),
        })
        .await
        .map_err(store_err)?;
    if let (BlockOutcome::Recorded(_), Some(reason)) = (&recorded, reason) {
        append_note(
            &state,
            &principal,
            "block-reason",
            Some(&id),
            json!({"reason": reason}),
        )
        .await?;
    }
    tracing::info!(actor = %principal.name, function = %target.name, "blocked");
    Ok(Json(EnforceResult {
        function: id,
        action: "block",
        previous: match &recorded {
            BlockOutcome::Recorded(b) | BlockOutcome::AlreadyBlocked(b) => {
                to_i32(b.previous_concurrency)
            }
        },
        current: outcome.current,
        changed: matches!(recorded, BlockOutcome::Recorded(_)) && outcome.changed,
    }))
}

pub(crate) async fn unblock(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    body: Option<Json<EnforceRequest>>,
) -> Result<Json<EnforceResult>, ApiError> {
    let enforcer = enforcer(&state)?;
    let target = target_of(&state, &id).await?;
    let block = state
        .store
        .active_block(&id)
        .await
        .map_err(store_err)?
        .ok_or_else(|| ApiError::Conflict(format!("{} is not blocked", target.name)))?;
    // Restore in the cloud first: if that fails, the store still says blocked and the admin
    // can retry. Two concurrent unblocks restore the same value (idempotent); only one of them
    // takes the block and writes the audit entry.
    let outcome = enforcer
        .unblock(&target, to_i32(block.previous_concurrency))
        .await
        .map_err(|e| ApiError::Enforce(e.0))?;
    let taken = state
        .store
        .take_block(&id, &principal.name)
        .await
        .map_err(store_err)?;
    if let (Some(_), Some(Json(EnforceRequest { reason: Some(r) }))) = (&taken, body) {
        append_note(
            &state,
            &principal,
            "unblock-reason",
            Some(&id),
            json!({"reason": r}),
        )
        .await?;
    }
    tracing::info!(actor = %principal.name, function = %target.name, "unblocked");
    Ok(Json(EnforceResult {
        function: id,
        action: "unblock",
        previous: outcome.previous,
        current: outcome.current,
        changed: taken.is_some(),
    }))
}

async fn append_note(
    state: &AppState,
    principal: &Principal,
    action: &str,
    function_key: Option<&str>,
    details: Value,
) -> Result<(), ApiError> {
    state
        .store
        .append_audit(&AuditInput {
            actor: principal.name.clone(),
            action: action.to_owned(),
            function_key: function_key.map(str::to_owned),
            policy: None,
            details,
        })
        .await
        .map_err(store_err)?;
    Ok(())
}

// ---- policy --------------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
pub(crate) struct PolicyBody {
    text: String,
}

pub(crate) async fn get_policy(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let text = state.policy.read().await?;
    Ok(Json(json!({
        "text": text,
        "path": state.policy.path().map(|p| p.display().to_string()),
    })))
}

pub(crate) async fn put_policy(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Json(body): Json<PolicyBody>,
) -> Result<Json<Value>, ApiError> {
    let policies = state.policy.write(&body.text).await?;
    append_note(
        &state,
        &principal,
        "policy-update",
        None,
        json!({"policies": policies, "bytes": body.text.len()}),
    )
    .await?;
    Ok(Json(json!({
        "text": body.text,
        "path": state.policy.path().map(|p| p.display().to_string()),
    })))
}

// ---- tokens --------------------------------------------------------------------------------

fn token_json(t: &faasguard_store::TokenInfo) -> Value {
    json!({
        "id": t.id,
        "name": t.name,
        "role": Role::from_store(t.role).as_str(),
        "created_at": time(t.created_at),
        "created_by": t.created_by,
        "last_used_at": t.last_used_at.map(time),
        "revoked_at": t.revoked_at.map(time),
    })
}

pub(crate) async fn list_tokens(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let tokens = state.store.list_tokens().await.map_err(store_err)?;
    Ok(Json(
        json!({"items": tokens.iter().map(token_json).collect::<Vec<_>>()}),
    ))
}

#[derive(Debug, Deserialize)]
pub(crate) struct NewTokenBody {
    name: String,
    role: Role,
}

pub(crate) async fn create_token(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Json(body): Json<NewTokenBody>,
) -> Result<Json<Value>, ApiError> {
    let name = body.name.trim();
    if name.is_empty() || name.len() > 100 || name.chars().any(char::is_control) {
        return Err(ApiError::BadRequest(
            "a token name is 1 to 100 printable characters".into(),
        ));
    }
    let created = state
        .store
        .create_token(name, body.role.to_store(), &principal.name)
        .await
        .map_err(store_err)?;
    append_note(
        &state,
        &principal,
        "token-create",
        None,
        json!({"id": created.info.id, "name": name, "role": body.role.as_str()}),
    )
    .await?;
    let mut out = token_json(&created.info);
    if let Some(m) = out.as_object_mut() {
        m.insert("token".into(), Value::String(created.plaintext));
    }
    Ok(Json(out))
}

pub(crate) async fn revoke_token(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    if !state.store.revoke_token(&id).await.map_err(store_err)? {
        return Err(ApiError::NotFound(format!("no active token {id}")));
    }
    state.tokens.clear();
    append_note(&state, &principal, "token-revoke", None, json!({"id": id})).await?;
    Ok(Json(json!({"id": id, "revoked": true})))
}
