//! Dashboard queries: paginated, in a stable order, with the total count.

use std::collections::BTreeMap;

use faasguard_core::{Location, Severity};
use faasguard_report::FunctionSummary;
use serde::{Deserialize, Serialize};

use crate::cache::{Position, SearchAnswer};
use crate::ingest::{severity_from_i64, severity_to_i64};
use crate::marks::{self, Near};
use crate::ops::{Block, Outcome, PolicyResult};
use crate::rows::Cols;
use crate::{Backend, Millis, Store, StoreError, now_millis, on_pool};

/// One day in milliseconds.
pub const DAY_MS: i64 = 86_400_000;

/// Which slice of a list to return. `limit` is capped at [`Page::MAX_LIMIT`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page {
    pub limit: u32,
    pub offset: u64,
}

impl Default for Page {
    fn default() -> Self {
        Page {
            limit: 50,
            offset: 0,
        }
    }
}

impl Page {
    pub const MAX_LIMIT: u32 = 1000;

    pub fn new(limit: u32, offset: u64) -> Self {
        Page { limit, offset }
    }

    pub(crate) fn limit_i64(self) -> i64 {
        i64::from(self.limit.min(Self::MAX_LIMIT))
    }

    pub(crate) fn offset_i64(self) -> i64 {
        i64::try_from(self.offset).unwrap_or(i64::MAX)
    }
}

/// A page of results and how many there are in all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paged<T> {
    pub total: i64,
    pub items: Vec<T>,
}

/// A text search counts at most this many matches: [`FindingsPage::total`] is then a lower
/// bound ([`FindingsPage::total_exact`] is `false`). Counting every match of a common term
/// (tens of thousands of findings) was the one dashboard query over 50 ms at 200,000
/// findings; "more than 1,000" is all a search page needs to show.
pub const SEARCH_COUNT_LIMIT: i64 = 1000;

/// A page of findings and how many match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingsPage {
    /// How many findings match; for a text search with more than [`SEARCH_COUNT_LIMIT`]
    /// matches, [`SEARCH_COUNT_LIMIT`] (and `total_exact` is `false`).
    pub total: i64,
    /// `false` when the store stopped counting at [`SEARCH_COUNT_LIMIT`]: at least `total`
    /// findings match.
    pub total_exact: bool,
    pub items: Vec<StoredFinding>,
}

/// A function of the assurance view and the latest outcome of each policy evaluated on it
/// (see [`Store::list_assurance`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunctionOutcomes {
    pub function: FunctionRow,
    /// By policy name.
    pub outcomes: BTreeMap<String, Outcome>,
}

/// Open findings of a function per severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeverityCounts {
    pub critical: i64,
    pub high: i64,
    pub medium: i64,
    pub low: i64,
    pub info: i64,
}

/// A function in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunctionRow {
    pub key: String,
    pub scope: String,
    pub name: Option<String>,
    pub account: Option<String>,
    pub region: Option<String>,
    pub runtime: Option<String>,
    pub provider: String,
    pub source: String,
    pub first_seen: Millis,
    pub last_seen: Millis,
    /// Set when a complete scan of its scope no longer listed it.
    pub deleted_at: Option<Millis>,
    pub open_findings: SeverityCounts,
    /// The latest policy evaluation found a violation.
    pub has_violation: bool,
    /// An active block exists.
    pub blocked: bool,
}

/// Filters for [`Store::list_functions`]; `None` means "any".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunctionFilter {
    pub account: Option<String>,
    pub region: Option<String>,
    /// Case-insensitive substring of the name or key.
    pub name: Option<String>,
    pub runtime: Option<String>,
    pub has_violation: Option<bool>,
    pub blocked: Option<bool>,
    pub scope: Option<String>,
    /// Also list deleted functions.
    pub include_deleted: bool,
    /// Keyset paging: only the functions after this one in list order (the page's offset
    /// must then be 0). Deep pages cost what the first does; the total is still the whole
    /// list's.
    pub after: Option<FunctionCursor>,
}

/// A function's place in the list order (blocked first, then by key): where a keyset page
/// starts (see [`FunctionFilter::after`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunctionCursor {
    pub blocked: bool,
    pub key: String,
}

/// A finding's place in the list order (worst first, then newest first): where a keyset page
/// starts (see [`FindingFilter::after`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingCursor {
    pub severity: Severity,
    pub id: i64,
}

/// Open or fixed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FindingStatus {
    Open,
    Fixed,
}

/// A finding as stored, with its history fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredFinding {
    pub id: i64,
    pub scope: String,
    pub fingerprint: String,
    pub rule_id: String,
    pub rule_name: String,
    /// `FG-DEP`, `FG-SEC`, `FG-IAM`, `FG-FN`, `FG-INJ`, …
    pub family: String,
    pub severity: Severity,
    pub function_key: Option<String>,
    pub message: String,
    /// Redacted for secret findings; withheld when it matched a secret rule.
    pub evidence: Option<String>,
    pub remediation: Option<String>,
    pub location: Location,
    /// Dependency findings: the package, the installed and the first fixed version, and the
    /// advisory id (`None` for a finding stored before schema 9 and not seen since).
    pub package: Option<String>,
    pub installed_version: Option<String>,
    pub fixed_version: Option<String>,
    pub advisory: Option<String>,
    pub status: FindingStatus,
    pub first_seen: Millis,
    pub last_seen: Millis,
    pub fixed_at: Option<Millis>,
    /// How many times it came back after being fixed.
    pub reopened: i64,
}

/// Filters for [`Store::list_findings`]; empty means "any".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingFilter {
    /// Any of these severities.
    pub severities: Vec<Severity>,
    /// This severity or worse.
    pub min_severity: Option<Severity>,
    /// A rule family (`FG-DEP`: `FG-` and letters) selects the family; anything longer
    /// (`FG-IAM-00`) is a rule id prefix. Case-insensitive.
    pub rule_prefix: Option<String>,
    pub function_key: Option<String>,
    pub scope: Option<String>,
    pub status: Option<FindingStatus>,
    /// Case-insensitive (ASCII letters) substring of the message, rule id or function key,
    /// served by the word index (search.rs) or, for what it cannot answer, an FTS5 trigram
    /// index on SQLite and a pg_trgm index on PostgreSQL when the extension is available.
    pub text: Option<String>,
    /// Keyset paging: only the findings after this one in list order (the page's offset must
    /// then be 0; not with `text`). The total is still the whole list's.
    pub after: Option<FindingCursor>,
}

/// One transition in a finding's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingEvent {
    pub finding_id: i64,
    pub fingerprint: String,
    pub rule_id: String,
    pub severity: Severity,
    pub message: String,
    pub scan_id: i64,
    pub at: Millis,
    /// `opened`, `fixed` or `reopened`.
    pub event: String,
}

/// Everything the function page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FunctionDetail {
    pub function: FunctionRow,
    /// The latest summary from a scan (with its cloud facts).
    pub summary: FunctionSummary,
    /// Open findings by family (`FG-DEP`, `FG-SEC`, `FG-IAM`, `FG-FN`, `FG-INJ`, …), worst first.
    pub open_findings: BTreeMap<String, Vec<StoredFinding>>,
    /// The latest transitions of its findings, newest first (at most 200).
    pub history: Vec<FindingEvent>,
    /// Its blocks, newest first.
    pub blocks: Vec<Block>,
    /// Its latest policy results, newest first (at most 100).
    pub policy_results: Vec<PolicyResult>,
}

/// Open findings per severity at the end of one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayCounts {
    /// Start of the day (UTC), in milliseconds.
    pub day: Millis,
    pub open: SeverityCounts,
}

/// A bound value of a dynamically built query.
#[derive(Clone)]
pub(crate) enum Arg {
    Text(String),
    Int(i64),
}

/// `WHERE` clauses with numbered placeholders and their values.
#[derive(Default)]
pub(crate) struct Where {
    clauses: Vec<String>,
    pub(crate) args: Vec<Arg>,
}

impl Where {
    /// Adds `clause`, where every `?` is replaced by the next placeholder for `arg`.
    pub(crate) fn push(&mut self, clause: &str, args: Vec<Arg>) {
        let mut out = String::new();
        let mut n = self.args.len();
        for part in clause.split_inclusive('?') {
            if let Some(stripped) = part.strip_suffix('?') {
                n += 1;
                out.push_str(stripped);
                out.push('$');
                out.push_str(&n.to_string());
            } else {
                out.push_str(part);
            }
        }
        self.clauses.push(out);
        self.args.extend(args);
    }

    pub(crate) fn sql(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", self.clauses.join(" AND "))
        }
    }

    /// The next placeholder number.
    pub(crate) fn next(&self) -> usize {
        self.args.len() + 1
    }
}

/// Binds every [`Arg`] in order.
macro_rules! bind_args {
    ($query:expr, $args:expr) => {{
        let mut q = $query;
        for arg in $args {
            q = match arg {
                $crate::query::Arg::Text(s) => q.bind(s.as_str()),
                $crate::query::Arg::Int(i) => q.bind(*i),
            };
        }
        q
    }};
}
pub(crate) use bind_args;

/// A rule family (`FG-DEP`, `FG-IAM`): `FG-` and letters only.
pub(crate) fn is_family(prefix: &str) -> bool {
    prefix
        .strip_prefix("FG-")
        .is_some_and(|rest| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_uppercase()))
}

/// `%text%` for `LIKE … ESCAPE '\'`, with the pattern characters escaped.
pub(crate) fn contains_pattern(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

const FUNCTION_COLUMNS: &str = "fkey, scope, name, account, region, runtime, provider, source, first_seen, \
    last_seen, deleted_at, open_critical, open_high, open_medium, open_low, open_info, has_violation, blocked";

fn function_from_row(row: &impl Cols) -> Result<FunctionRow, sqlx::Error> {
    Ok(FunctionRow {
        key: row.text("fkey")?,
        scope: row.text("scope")?,
        name: row.opt_text("name")?,
        account: row.opt_text("account")?,
        region: row.opt_text("region")?,
        runtime: row.opt_text("runtime")?,
        provider: row.text("provider")?,
        source: row.text("source")?,
        first_seen: row.int("first_seen")?,
        last_seen: row.int("last_seen")?,
        deleted_at: row.opt_int("deleted_at")?,
        open_findings: SeverityCounts {
            critical: row.int("open_critical")?,
            high: row.int("open_high")?,
            medium: row.int("open_medium")?,
            low: row.int("open_low")?,
            info: row.int("open_info")?,
        },
        has_violation: row.int("has_violation")? != 0,
        blocked: row.int("blocked")? != 0,
    })
}

pub(crate) const FINDING_COLUMNS: &str = "id, scope, fingerprint, rule_id, rule_name, family, severity, \
    function_key, message, evidence, remediation, file, line, col, pointer, package, installed_version, \
    fixed_version, advisory, open, first_seen, last_seen, fixed_at, reopened";

fn decode_error(column: &str, cause: String) -> sqlx::Error {
    sqlx::Error::ColumnDecode {
        index: column.to_owned(),
        source: cause.into(),
    }
}

pub(crate) fn severity_col(row: &impl Cols, col: &str) -> Result<Severity, sqlx::Error> {
    let n = row.int(col)?;
    severity_from_i64(n).ok_or_else(|| decode_error(col, format!("unknown severity {n}")))
}

/// A page answer whose rows a deep page can trim (see `Store::deep_page`).
trait Listed {
    type Row;
    fn rows(&mut self) -> &mut Vec<Self::Row>;
}

impl Listed for FindingsPage {
    type Row = StoredFinding;
    fn rows(&mut self) -> &mut Vec<StoredFinding> {
        &mut self.items
    }
}

impl<R: FunctionListing> Listed for Paged<R> {
    type Row = R;
    fn rows(&mut self) -> &mut Vec<R> {
        &mut self.items
    }
}

/// A row of a functions list: what its statement selects and how a row is read.
pub(crate) trait FunctionListing: Sized {
    fn columns() -> String;
    fn from_row(row: &impl Cols) -> Result<Self, sqlx::Error>;
    fn function(&self) -> &FunctionRow;
}

impl FunctionListing for FunctionRow {
    fn columns() -> String {
        FUNCTION_COLUMNS.to_owned()
    }

    fn from_row(row: &impl Cols) -> Result<Self, sqlx::Error> {
        function_from_row(row)
    }

    fn function(&self) -> &FunctionRow {
        self
    }
}

impl FunctionListing for FunctionOutcomes {
    /// The function's columns and its latest outcomes, one `outcome:length:policy` entry per
    /// policy in policy order (the length, in characters, delimits any policy name). Text
    /// rather than JSON: PostgreSQL builds JSON slowly (measured with benches/server/run.sh).
    fn columns() -> String {
        format!(
            "{FUNCTION_COLUMNS}, (SELECT string_agg(outcome || ':' || length(policy) || ':' || policy, '' \
               ORDER BY policy) FROM policy_latest WHERE policy_latest.function_key = functions.fkey) AS outcomes"
        )
    }

    fn from_row(row: &impl Cols) -> Result<Self, sqlx::Error> {
        let text = row.opt_text("outcomes")?.unwrap_or_default();
        let outcomes = outcomes_from_text(&text)
            .ok_or_else(|| decode_error("outcomes", format!("malformed outcome list {text:?}")))?;
        Ok(FunctionOutcomes {
            function: function_from_row(row)?,
            outcomes,
        })
    }

    fn function(&self) -> &FunctionRow {
        &self.function
    }
}

/// The outcomes of [`FunctionOutcomes::columns`]; `None` when malformed.
fn outcomes_from_text(mut text: &str) -> Option<BTreeMap<String, Outcome>> {
    let mut outcomes = BTreeMap::new();
    while !text.is_empty() {
        let (outcome, rest) = text.split_once(':')?;
        let (length, rest) = rest.split_once(':')?;
        let length: usize = length.parse().ok()?;
        let end = rest
            .char_indices()
            .nth(length)
            .map_or(rest.len(), |(at, _)| at);
        if rest[..end].chars().count() != length {
            return None;
        }
        outcomes.insert(rest[..end].to_owned(), outcome_from_text(outcome)?);
        text = &rest[end..];
    }
    Some(outcomes)
}

/// A memoised position of one list found under another's key (their keys differ by a prefix,
/// so this is a bug, reported rather than answered with the wrong page).
fn misfiled(position: &Position) -> StoreError {
    StoreError::Invalid(format!("memoised position of another list: {position:?}"))
}

/// Where the list goes on after `f` (a keyset cursor).
fn finding_cursor(f: &StoredFinding) -> FindingCursor {
    FindingCursor {
        severity: f.severity,
        id: f.id,
    }
}

/// Where the list goes on after `f` (a keyset cursor).
fn function_cursor(f: &FunctionRow) -> FunctionCursor {
    FunctionCursor {
        blocked: f.blocked,
        key: f.key.clone(),
    }
}

pub(crate) fn finding_from_row(row: &impl Cols) -> Result<StoredFinding, sqlx::Error> {
    let line = row.opt_int("line")?.and_then(|n| u32::try_from(n).ok());
    let column = row.opt_int("col")?.and_then(|n| u32::try_from(n).ok());
    Ok(StoredFinding {
        id: row.int("id")?,
        scope: row.text("scope")?,
        fingerprint: row.text("fingerprint")?,
        rule_id: row.text("rule_id")?,
        rule_name: row.text("rule_name")?,
        family: row.text("family")?,
        severity: severity_col(row, "severity")?,
        function_key: row.opt_text("function_key")?,
        message: row.text("message")?,
        evidence: row.opt_text("evidence")?,
        remediation: row.opt_text("remediation")?,
        location: Location {
            file: row.text("file")?,
            line,
            column,
            pointer: row.opt_text("pointer")?,
        },
        package: row.opt_text("package")?,
        installed_version: row.opt_text("installed_version")?,
        fixed_version: row.opt_text("fixed_version")?,
        advisory: row.opt_text("advisory")?,
        status: if row.int("open")? != 0 {
            FindingStatus::Open
        } else {
            FindingStatus::Fixed
        },
        first_seen: row.int("first_seen")?,
        last_seen: row.int("last_seen")?,
        fixed_at: row.opt_int("fixed_at")?,
        reopened: row.int("reopened")?,
    })
}

fn outcome_from_text(text: &str) -> Option<Outcome> {
    [
        Outcome::Pass,
        Outcome::Violation,
        Outcome::Excepted,
        Outcome::OutOfScope,
    ]
    .into_iter()
    .find(|o| o.as_str() == text)
}

fn event_from_row(row: &impl Cols) -> Result<FindingEvent, sqlx::Error> {
    Ok(FindingEvent {
        finding_id: row.int("finding_id")?,
        fingerprint: row.text("fingerprint")?,
        rule_id: row.text("rule_id")?,
        severity: severity_col(row, "severity")?,
        message: row.text("message")?,
        scan_id: row.int("scan_id")?,
        at: row.int("at")?,
        event: row.text("event")?,
    })
}

/// The `WHERE` of a findings list without its text search, with the part of it that
/// `finding_totals` can answer (its SQL and how many arguments it binds).
fn findings_where(filter: &FindingFilter) -> (Where, String, usize) {
    let mut w = Where::default();
    match filter.status {
        Some(FindingStatus::Open) => w.push("open = 1", vec![]),
        Some(FindingStatus::Fixed) => w.push("open = 0", vec![]),
        None => {}
    }
    if !filter.severities.is_empty() {
        let marks = vec!["?"; filter.severities.len()].join(", ");
        w.push(
            &format!("severity IN ({marks})"),
            filter
                .severities
                .iter()
                .map(|s| Arg::Int(severity_to_i64(*s)))
                .collect(),
        );
    }
    if let Some(s) = filter.min_severity {
        w.push("severity >= ?", vec![Arg::Int(severity_to_i64(s))]);
    }
    let prefix = filter.rule_prefix.as_deref().map(str::to_ascii_uppercase);
    if let Some(family) = prefix.as_ref().filter(|p| is_family(p)) {
        w.push("family = ?", vec![Arg::Text(family.clone())]);
    }
    let totals = w.sql();
    let totals_args = w.args.len();
    if let Some(prefix) = prefix.filter(|p| !is_family(p)) {
        let mut pattern = contains_pattern(&prefix);
        pattern.remove(0);
        w.push("rule_id LIKE ? ESCAPE '\\'", vec![Arg::Text(pattern)]);
    }
    if let Some(v) = &filter.function_key {
        w.push("function_key = ?", vec![Arg::Text(v.clone())]);
    }
    if let Some(v) = &filter.scope {
        w.push("scope = ?", vec![Arg::Text(v.clone())]);
    }
    (w, totals, totals_args)
}

/// What counts the findings a list without text search holds: `w` is its `WHERE` (from
/// [`findings_where`], without a cursor), of which `totals` and its first `totals_args`
/// values are the part `finding_totals` can answer.
fn findings_count(filter: &FindingFilter, w: &Where, totals: &str, totals_args: usize) -> Counted {
    // Status, severity and rule family alone: the total comes from `finding_totals`
    // (refreshed by every recorded scan) instead of a count over every finding.
    let totals_only = filter
        .rule_prefix
        .as_deref()
        .is_none_or(|p| is_family(&p.to_ascii_uppercase()))
        && filter.function_key.is_none()
        && filter.scope.is_none();
    if totals_only {
        Counted {
            sql: format!(
                "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) AS n FROM finding_totals {totals}"
            ),
            args: w.args[..totals_args].to_vec(),
        }
    } else {
        Counted {
            sql: format!("SELECT COUNT(*) AS n FROM findings {}", w.sql()),
            args: w.args.clone(),
        }
    }
}

/// The `WHERE` over `function_totals` that counts what `filter` lists, when the totals can
/// answer it: live functions filtered by account, region and flags only.
fn function_totals_where(filter: &FunctionFilter) -> Option<Where> {
    if filter.include_deleted
        || filter.name.is_some()
        || filter.runtime.is_some()
        || filter.scope.is_some()
    {
        return None;
    }
    let mut w = Where::default();
    // A missing account or region is counted under ''; an empty filter value must not match it.
    for (column, value) in [("account", &filter.account), ("region", &filter.region)] {
        if let Some(v) = value {
            if v.is_empty() {
                return None;
            }
            w.push(&format!("{column} = ?"), vec![Arg::Text(v.clone())]);
        }
    }
    for (column, value) in [
        ("has_violation", filter.has_violation),
        ("blocked", filter.blocked),
    ] {
        if let Some(v) = value {
            w.push(&format!("{column} = ?"), vec![Arg::Int(i64::from(v))]);
        }
    }
    Some(w)
}

/// The `finding_marks.list` of a findings filter (marks.rs): a state alone (`open`, `fixed`,
/// `all`), or with one rule family (`open/FG-DEP`) or one severity (`open/sev4`; then `true`:
/// the list is one severity group); `None` for a filter without marks.
fn marked_finding_list(filter: &FindingFilter) -> Option<(String, bool)> {
    let state = match filter.status {
        Some(FindingStatus::Open) => "open",
        Some(FindingStatus::Fixed) => "fixed",
        None => "all",
    };
    let plain = FindingFilter {
        status: filter.status,
        ..FindingFilter::default()
    };
    if *filter == plain {
        return Some((state.to_owned(), false));
    }
    if let [severity] = filter.severities.as_slice()
        && *filter
            == (FindingFilter {
                severities: vec![*severity],
                ..plain.clone()
            })
    {
        return Some((format!("{state}/sev{}", severity_to_i64(*severity)), true));
    }
    let family = filter
        .rule_prefix
        .as_deref()
        .map(str::to_ascii_uppercase)
        .filter(|p| is_family(p))?;
    (*filter
        == FindingFilter {
            rule_prefix: filter.rule_prefix.clone(),
            ..plain
        })
    .then(|| (format!("{state}/{family}"), false))
}

/// A deep page of a marked findings list ([`marked_finding_list`]), read from the mark before
/// it (marks.rs): the mark, the list's name and the page's SQL, whose select list is `columns`,
/// whose list `WHERE` is `filters` and whose first own placeholder is `$n` (`hide`: see
/// `marks::value`).
fn findings_near(
    filter: &FindingFilter,
    page: Page,
    columns: &str,
    filters: &str,
    n: usize,
    hide: bool,
) -> Option<(Near, String, String)> {
    let near = Near::of(page.offset)?;
    let (list, one_severity) = marked_finding_list(filter)?;
    let ids = marks::finding_ids_near(filters, n, hide, one_severity);
    let sql = format!(
        "SELECT {columns} FROM findings WHERE id IN ({ids}) ORDER BY severity DESC, id DESC"
    );
    Some((near, list, sql))
}

/// A list's total read along with a page: a query answering one row with the count in
/// column `n`, its placeholders numbered from `$1`, and their values.
struct Counted {
    sql: String,
    args: Vec<Arg>,
}

impl Counted {
    /// A page's select list `columns` plus the count as `list_total` (evaluated once per
    /// statement), its placeholders numbered after the page's last one, `$last`; bind the
    /// count's values after the page's.
    fn column(&self, columns: &str, last: usize) -> String {
        format!(
            "{columns}, ({}) AS list_total",
            shift_placeholders(&self.sql, last)
        )
    }
}

/// `sql` with every placeholder `$k` numbered `$k+by` (the SQL built here has no `$` in
/// literals).
fn shift_placeholders(sql: &str, by: usize) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut rest = sql;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..=at]);
        rest = &rest[at + 1..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        match rest[..digits].parse::<usize>() {
            Ok(k) => out.push_str(&(k + by).to_string()),
            Err(_) => out.push_str(&rest[..digits]),
        }
        rest = &rest[digits..];
    }
    out.push_str(rest);
    out
}

/// The `list_total` of a page's rows (see [`Counted::column`]); `None` without rows.
fn list_total(rows: &[impl Cols]) -> Result<Option<i64>, sqlx::Error> {
    rows.first().map(|row| row.int("list_total")).transpose()
}

/// Whether a page by offset of a list of `total` rows has rows.
fn page_has_rows(total: i64, page: Page) -> bool {
    u64::try_from(total).is_ok_and(|total| total > page.offset)
}

/// A findings page after a cursor, in two index ranges: the rest of the cursor's severity (`id`
/// below), then, in a second query when the page is not full, the lower severities. (A
/// row-value comparison `(severity, id) < (…)` walked the cursor's whole severity on SQLite,
/// and a UNION ALL of both parts sorted full rows: both measured slower.) `filters` is the
/// `WHERE` of the list and `columns` its select list; the cursor's severity and id are `$n-2`
/// and `$n-1`, the limit and offset `$n` and `$n+1`.
fn cursor_page_sql(columns: &str, filters: &str, n: usize, lower: bool) -> String {
    let (sev, id) = (n - 2, n - 1);
    let and = if filters.is_empty() { "WHERE" } else { "AND" };
    let range = if lower {
        format!("severity < ${sev}")
    } else {
        format!("severity = ${sev} AND id < ${id}")
    };
    format!(
        "SELECT {columns} FROM findings {filters} {and} {range} \
         ORDER BY severity DESC, id DESC LIMIT ${n} OFFSET ${}",
        n + 1
    )
}

impl Store {
    /// The `WHERE` of a function list (without its cursor).
    fn functions_where(&self, filter: &FunctionFilter) -> Where {
        let mut w = Where::default();
        if !filter.include_deleted {
            w.push("deleted_at IS NULL", vec![]);
        }
        if let Some(v) = &filter.account {
            w.push("account = ?", vec![Arg::Text(v.clone())]);
        }
        if let Some(v) = &filter.region {
            w.push("region = ?", vec![Arg::Text(v.clone())]);
        }
        if let Some(v) = &filter.runtime {
            w.push("runtime = ?", vec![Arg::Text(v.clone())]);
        }
        if let Some(v) = &filter.scope {
            w.push("scope = ?", vec![Arg::Text(v.clone())]);
        }
        if let Some(v) = filter.has_violation {
            w.push("has_violation = ?", vec![Arg::Int(i64::from(v))]);
        }
        if let Some(v) = filter.blocked {
            w.push("blocked = ?", vec![Arg::Int(i64::from(v))]);
        }
        if let Some(v) = &filter.name {
            // The expression PostgreSQL's trigram index covers.
            w.push(
                &format!(
                    "(COALESCE(name, '') || ' ' || fkey) {} ? ESCAPE '\\'",
                    self.ilike()
                ),
                vec![Arg::Text(contains_pattern(v))],
            );
        }
        w
    }

    /// Functions matching `filter`, blocked ones first, then by key.
    pub async fn list_functions(
        &self,
        filter: &FunctionFilter,
        page: Page,
    ) -> Result<Paged<FunctionRow>, StoreError> {
        self.list_functions_as(filter, page).await
    }

    /// The assurance view (functions × policies): [`Store::list_functions`] with the latest
    /// outcome of each policy for each function, read by the same statement (kept in
    /// `policy_latest` by `record_policy_results`).
    pub async fn list_assurance(
        &self,
        filter: &FunctionFilter,
        page: Page,
    ) -> Result<Paged<FunctionOutcomes>, StoreError> {
        self.list_functions_as(filter, page).await
    }

    /// A functions list whose rows are `R`.
    async fn list_functions_as<R: FunctionListing>(
        &self,
        filter: &FunctionFilter,
        page: Page,
    ) -> Result<Paged<R>, StoreError> {
        if filter.after.is_some() || page.offset == 0 {
            return self.functions_listed(filter, page).await;
        }
        let list = format!("functions {filter:?}");
        let position_of = |f: &R| Position::Function(function_cursor(f.function()));
        self.deep_page(&list, page, position_of, |at, page| async move {
            match at {
                None => self.functions_listed(filter, page).await,
                Some(Position::Function(after)) => {
                    let by_key = FunctionFilter {
                        after: Some(after),
                        ..filter.clone()
                    };
                    self.functions_listed(&by_key, page).await
                }
                Some(other) => Err(misfiled(&other)),
            }
        })
        .await
    }

    /// A deep page by offset (cache.rs): read as a keyset page from where it starts when that
    /// is memoised for this generation, otherwise by offset and one row early, to learn where
    /// it starts; either way where the next page starts is filed too. `fetch(at, page)` reads
    /// the page after position `at`, or at `page`'s offset when `at` is `None`.
    async fn deep_page<L, F, Fut>(
        &self,
        list: &str,
        page: Page,
        position_of: impl Fn(&L::Row) -> Position,
        fetch: F,
    ) -> Result<L, StoreError>
    where
        L: Listed,
        F: Fn(Option<Position>, Page) -> Fut,
        Fut: std::future::Future<Output = Result<L, StoreError>>,
    {
        let generation = self.generation().await?;
        let limit = page.limit.min(Page::MAX_LIMIT);
        let known = if self.use_cache {
            self.cache.position(generation, list, page.offset)
        } else {
            None
        };
        let mut found = if known.is_some() {
            fetch(known, Page::new(limit, 0)).await?
        } else if limit < Page::MAX_LIMIT {
            let mut found = fetch(None, Page::new(limit + 1, page.offset - 1)).await?;
            if !found.rows().is_empty() {
                let before = found.rows().remove(0);
                let at = position_of(&before);
                self.cache.put_position(generation, list, page.offset, at);
            }
            found
        } else {
            fetch(None, page).await?
        };
        let rows = found.rows();
        rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        if let Some(last) = rows.last() {
            let next = page.offset + u64::try_from(rows.len()).unwrap_or(0);
            self.cache
                .put_position(generation, list, next, position_of(last));
        }
        Ok(found)
    }

    /// A functions page by offset or after a cursor. The total is read by the page's
    /// statement (one round trip less); only an empty page counts on its own.
    async fn functions_listed<R: FunctionListing>(
        &self,
        filter: &FunctionFilter,
        page: Page,
    ) -> Result<Paged<R>, StoreError> {
        let count = self.functions_count(filter);
        let (items, total) = match &filter.after {
            None => {
                // Deep in a marked list (unfiltered, or filtered by violation alone): from the
                // mark before the page (marks.rs).
                let marked = FunctionFilter {
                    has_violation: filter.has_violation,
                    ..FunctionFilter::default()
                };
                let near = Near::of(page.offset).filter(|_| *filter == marked);
                let (items, total) = match near {
                    Some(near) => {
                        self.functions_near(filter.has_violation, near, page, &count)
                            .await?
                    }
                    None => (Vec::new(), None),
                };
                if near.is_none() {
                    self.functions_page(filter, None, page, Some(&count))
                        .await?
                } else if !items.is_empty() {
                    (items, total)
                } else {
                    // No mark there: past the end, or marks not computed yet.
                    let counted = self.counted(&count).await?;
                    let items = if page_has_rows(counted, page) {
                        self.functions_page(filter, None, page, None).await?.0
                    } else {
                        items
                    };
                    (items, Some(counted))
                }
            }
            Some(after) => {
                if page.offset != 0 {
                    return Err(StoreError::Invalid(
                        "a cursor page starts at offset 0".to_owned(),
                    ));
                }
                // The order is `blocked DESC, fkey`: the rest of the cursor's group, then (after
                // the blocked ones) the unblocked ones from their start. Each part is one range
                // of the listing index.
                let group = Some((after.blocked, Some(&after.key)));
                let (mut items, total) = self
                    .functions_page(filter, group, page, Some(&count))
                    .await?;
                let room = usize::try_from(page.limit_i64())
                    .unwrap_or(0)
                    .saturating_sub(items.len());
                if after.blocked && room > 0 && filter.blocked != Some(true) {
                    let rest = Page::new(u32::try_from(room).unwrap_or(0), 0);
                    let (more, _) = self
                        .functions_page(filter, Some((false, None)), rest, None)
                        .await?;
                    items.extend(more);
                }
                (items, total)
            }
        };
        let total = match total {
            Some(total) => total,
            None => self.counted(&count).await?,
        };
        Ok(Paged { total, items })
    }

    /// What counts the functions `filter` lists (from `function_totals` when it can answer).
    fn functions_count(&self, filter: &FunctionFilter) -> Counted {
        if let Some(totals) = function_totals_where(filter) {
            Counted {
                sql: format!(
                    "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) AS n FROM function_totals {}",
                    totals.sql()
                ),
                args: totals.args,
            }
        } else {
            let w = self.functions_where(filter);
            Counted {
                sql: format!("SELECT COUNT(*) AS n FROM functions {}", w.sql()),
                args: w.args,
            }
        }
    }

    /// The count `counted` on its own.
    async fn counted(&self, counted: &Counted) -> Result<i64, StoreError> {
        self.count(counted.sql.clone(), &counted.args, "list functions")
            .await
    }

    /// The `n` column of the one row `sql` answers with `args` bound.
    pub(crate) async fn count(
        &self,
        sql: String,
        args: &[Arg],
        operation: &'static str,
    ) -> Result<i64, StoreError> {
        on_pool!(self, pool => {
            bind_args!(sqlx::query(sqlx::AssertSqlSafe(sql)), args)
                .fetch_one(pool)
                .await?
                .int("n")
        })
        .map_err(self.err(operation))
    }

    /// A page of the functions list of the violating filter `violating` (`None`: unfiltered)
    /// read from the mark `near` it (marks.rs), with the list's total (`count`); empty when the
    /// mark is missing.
    async fn functions_near<R: FunctionListing>(
        &self,
        violating: Option<bool>,
        near: Near,
        page: Page,
        count: &Counted,
    ) -> Result<(Vec<R>, Option<i64>), StoreError> {
        let list = format!(
            "SELECT {} FROM functions WHERE fkey IN ({}) ORDER BY blocked DESC, fkey",
            count.column(&R::columns(), 4),
            marks::function_keys_near(violating, 1, self.backend() == Backend::Postgres)
        );
        on_pool!(self, pool => {
            let rows = bind_args!(
                sqlx::query(sqlx::AssertSqlSafe(list))
                    .bind(near.ordinal)
                    .bind(near.reach(page.limit_i64()))
                    .bind(page.limit_i64())
                    .bind(near.skip),
                &count.args
            )
            .fetch_all(pool)
            .await?;
            let items = rows.iter().map(R::from_row).collect::<Result<Vec<_>, _>>()?;
            Ok::<_, sqlx::Error>((items, list_total(&rows)?))
        })
        .map_err(self.err("list functions"))
    }

    /// One page of functions, with the list's total when `count` is given; `group` restricts
    /// it to one `blocked` value, after a key.
    async fn functions_page<R: FunctionListing>(
        &self,
        filter: &FunctionFilter,
        group: Option<(bool, Option<&String>)>,
        page: Page,
        count: Option<&Counted>,
    ) -> Result<(Vec<R>, Option<i64>), StoreError> {
        let mut w = self.functions_where(filter);
        if let Some((blocked, after)) = group {
            w.push("blocked = ?", vec![Arg::Int(i64::from(blocked))]);
            if let Some(key) = after {
                w.push("fkey > ?", vec![Arg::Text(key.clone())]);
            }
        }
        let n = w.next();
        let columns = match count {
            Some(count) => count.column(&R::columns(), n + 1),
            None => R::columns(),
        };
        let list = if page.offset == 0 {
            format!(
                "SELECT {columns} FROM functions {} ORDER BY blocked DESC, fkey LIMIT ${n} OFFSET ${}",
                w.sql(),
                n + 1
            )
        } else {
            // A deep page: find its keys in the (covering) listing index first, then read only
            // those rows, instead of reading every skipped row. Its limit and offset stay bare
            // placeholders: hidden from PostgreSQL's planner as `(SELECT $n)`, they made its
            // generic plan expect 10 % of the list and join it by scanning the whole table.
            format!(
                "SELECT {columns} FROM functions WHERE fkey IN ( \
                   SELECT fkey FROM functions {} ORDER BY blocked DESC, fkey LIMIT ${n} OFFSET ${}) \
                 ORDER BY blocked DESC, fkey",
                w.sql(),
                n + 1
            )
        };
        let count_args: &[Arg] = count.map_or(&[], |c| &c.args);
        on_pool!(self, pool => {
            let rows = bind_args!(
                bind_args!(sqlx::query(sqlx::AssertSqlSafe(list)), &w.args)
                    .bind(page.limit_i64())
                    .bind(page.offset_i64()),
                count_args
            )
            .fetch_all(pool)
            .await?;
            let items = rows.iter().map(R::from_row).collect::<Result<Vec<_>, _>>()?;
            let total = if count.is_some() { list_total(&rows)? } else { None };
            Ok::<_, sqlx::Error>((items, total))
        })
        .map_err(self.err("list functions"))
    }

    /// One function with its open findings by family, their history, its blocks and policy
    /// results; `None` if the key is unknown.
    pub async fn function_detail(&self, key: &str) -> Result<Option<FunctionDetail>, StoreError> {
        let function_sql =
            format!("SELECT {FUNCTION_COLUMNS}, summary FROM functions WHERE fkey = $1");
        let findings_sql = format!(
            "SELECT {FINDING_COLUMNS} FROM findings WHERE function_key = $1 AND open = 1 \
             ORDER BY severity DESC, id DESC LIMIT 5000"
        );
        let found = on_pool!(self, pool => {
            let Some(row) = sqlx::query(sqlx::AssertSqlSafe(function_sql)).bind(key).fetch_optional(pool).await? else {
                return Ok::<_, sqlx::Error>(None);
            };
            let function = function_from_row(&row)?;
            let summary = row.text("summary")?;
            let findings = sqlx::query(sqlx::AssertSqlSafe(findings_sql))
                .bind(key)
                .fetch_all(pool)
                .await?
                .iter()
                .map(finding_from_row)
                .collect::<Result<Vec<_>, _>>()?;
            let history = sqlx::query(
                "SELECT e.finding_id, f.fingerprint, f.rule_id, f.severity, f.message, e.scan_id, e.at, e.event \
                 FROM finding_events e JOIN findings f ON f.id = e.finding_id \
                 WHERE f.function_key = $1 ORDER BY e.id DESC LIMIT 200",
            )
            .bind(key)
            .fetch_all(pool)
            .await?
            .iter()
            .map(event_from_row)
            .collect::<Result<Vec<_>, _>>()?;
            Ok(Some((function, summary, findings, history)))
        })
        .map_err(self.err("function detail"))?;
        let Some((function, summary, findings, history)) = found else {
            return Ok(None);
        };
        let summary: FunctionSummary =
            serde_json::from_str(&summary).map_err(|e| StoreError::Decode {
                database: self.database().to_owned(),
                operation: "function detail",
                cause: format!("function {key}: summary JSON: {e}"),
            })?;
        let mut open_findings: BTreeMap<String, Vec<StoredFinding>> = BTreeMap::new();
        for f in findings {
            open_findings.entry(f.family.clone()).or_default().push(f);
        }
        let blocks = self.list_blocks(key).await?;
        let policy_results = self.policy_results_for(key, 100).await?;
        Ok(Some(FunctionDetail {
            function,
            summary,
            open_findings,
            history,
            blocks,
            policy_results,
        }))
    }

    /// Findings matching `filter`, worst first, then newest first. A text search counts at
    /// most [`SEARCH_COUNT_LIMIT`] matches (see [`FindingsPage::total_exact`]); every other
    /// total is exact.
    pub async fn list_findings(
        &self,
        filter: &FindingFilter,
        page: Page,
    ) -> Result<FindingsPage, StoreError> {
        if let Some(text) = filter.text.as_deref() {
            if filter.after.is_some() {
                return Err(StoreError::Invalid(
                    "a cursor cannot be combined with a text search".to_owned(),
                ));
            }
            return self.search_findings(filter, text, page).await;
        }
        if filter.after.is_some() && page.offset != 0 {
            return Err(StoreError::Invalid(
                "a cursor page starts at offset 0".to_owned(),
            ));
        }
        if filter.after.is_some() || page.offset == 0 {
            return self.findings_page(filter, page).await;
        }
        let list = format!("findings {filter:?}");
        let position_of = |f: &StoredFinding| Position::Finding(finding_cursor(f));
        self.deep_page(&list, page, position_of, |at, page| async move {
            match at {
                None => self.findings_page(filter, page).await,
                Some(Position::Finding(after)) => {
                    let by_key = FindingFilter {
                        after: Some(after),
                        ..filter.clone()
                    };
                    self.findings_page(&by_key, page).await
                }
                Some(other) => Err(misfiled(&other)),
            }
        })
        .await
    }

    /// A findings page by offset or after a cursor (not a text search). The total is read by
    /// the page's statement; only an empty page counts on its own.
    async fn findings_page(
        &self,
        filter: &FindingFilter,
        page: Page,
    ) -> Result<FindingsPage, StoreError> {
        let (mut w, totals, totals_args) = findings_where(filter);
        // Everything the count needs is in `w` now; the cursor only narrows the page.
        let count_where = w.sql();
        let count = findings_count(filter, &w, &totals, totals_args);
        if let Some(after) = filter.after {
            // Bound below as `$k+1` (severity) and `$k+2` (id) by the cursor query.
            w.args.push(Arg::Int(severity_to_i64(after.severity)));
            w.args.push(Arg::Int(after.id));
        }
        let n = w.next();
        let columns = count.column(FINDING_COLUMNS, n + 1);
        let hide = self.backend() == Backend::Postgres;
        let list = if filter.after.is_some() {
            cursor_page_sql(&columns, &count_where, n, false)
        } else if page.offset == 0 {
            format!(
                "SELECT {columns} FROM findings {} ORDER BY severity DESC, id DESC LIMIT ${n} OFFSET ${}",
                w.sql(),
                n + 1
            )
        } else {
            // A deep page: its ids from an index first, then only those rows (bare limit and
            // offset, as for functions).
            format!(
                "SELECT {columns} FROM findings WHERE id IN ( \
                   SELECT id FROM findings {} ORDER BY severity DESC, id DESC LIMIT ${n} OFFSET ${}) \
                 ORDER BY severity DESC, id DESC",
                w.sql(),
                n + 1
            )
        };
        let lower_severities = filter
            .after
            .map(|_| cursor_page_sql(FINDING_COLUMNS, &count_where, n, true));
        let near_columns = count.column(FINDING_COLUMNS, n + 4);
        let near = findings_near(filter, page, &near_columns, &count_where, n, hide);
        let values = |own: Vec<Arg>, counted: bool| {
            let mut all = w.args.clone();
            all.extend(own);
            if counted {
                all.extend(count.args.iter().cloned());
            }
            all
        };
        let (limit, offset) = (page.limit_i64(), page.offset_i64());
        let (mut items, mut total) = match &near {
            Some((near, list, sql)) => {
                let own = vec![
                    Arg::Text(list.clone()),
                    Arg::Int(near.ordinal),
                    Arg::Int(near.reach(limit)),
                    Arg::Int(limit),
                    Arg::Int(near.skip),
                ];
                self.read_findings(sql, &values(own, true), true).await?
            }
            None => (Vec::new(), None),
        };
        if items.is_empty() {
            if near.is_some() {
                // No mark there: past the end, or marks not computed yet.
                let counted = self
                    .count(count.sql.clone(), &count.args, "list findings")
                    .await?;
                total = Some(counted);
                if !page_has_rows(counted, page) {
                    return Ok(FindingsPage {
                        total: counted,
                        total_exact: true,
                        items,
                    });
                }
            }
            let own = vec![Arg::Int(limit), Arg::Int(offset)];
            let (rows, counted) = self.read_findings(&list, &values(own, true), true).await?;
            items = rows;
            total = total.or(counted);
        }
        let room = limit - i64::try_from(items.len()).unwrap_or(i64::MAX);
        if let Some(lower) = lower_severities.as_ref().filter(|_| room > 0) {
            let own = vec![Arg::Int(room), Arg::Int(0)];
            let (rows, _) = self
                .read_findings(lower, &values(own, false), false)
                .await?;
            items.extend(rows);
        }
        let total = match total {
            Some(total) => total,
            None => self.count(count.sql, &count.args, "list findings").await?,
        };
        Ok(FindingsPage {
            total,
            total_exact: true,
            items,
        })
    }

    /// The findings `sql` answers with `args` bound, and their `list_total` when `counted`
    /// (see [`Counted::column`]).
    async fn read_findings(
        &self,
        sql: &str,
        args: &[Arg],
        counted: bool,
    ) -> Result<(Vec<StoredFinding>, Option<i64>), StoreError> {
        on_pool!(self, pool => {
            let rows = bind_args!(sqlx::query(sqlx::AssertSqlSafe(sql)), args)
                .fetch_all(pool)
                .await?;
            let items = rows.iter().map(finding_from_row).collect::<Result<Vec<_>, _>>()?;
            let total = if counted { list_total(&rows)? } else { None };
            Ok::<_, sqlx::Error>((items, total))
        })
        .map_err(self.err("list findings"))
    }

    /// A findings text search: a case-insensitive substring of the message, rule id or function
    /// key, in list order (worst first, then newest first). The word index answers it when it
    /// can (`Store::search_by_words`, search.rs: a term with a run of letters or digits it can
    /// look up, filtered by state, severity or rule family only). Otherwise two plans over the
    /// trigram indexes, chosen by how many findings match, because one plan is slow for one of
    /// the cases (measured in BENCHMARKS.md, "Server API"):
    ///
    /// 1. A probe through the text index (FTS5 trigram on SQLite, pg_trgm on PostgreSQL; a
    ///    plain `LIKE` for fewer than three characters on SQLite) collects the id and severity
    ///    of at most [`SEARCH_COUNT_LIMIT`] + 1 matches. With that few, they are sorted here
    ///    and the page's rows read by id: a rare term costs one index probe.
    /// 2. More: the total is reported as a lower bound and the page comes from walking the
    ///    list order (an index) and testing each row's text, which finds the page of a common
    ///    term after a few hundred rows, where reading and sorting its tens of thousands of
    ///    matches from the text index would not. The test is written so that no text index
    ///    applies (`instr` / `strpos` on lowered text), or PostgreSQL may pick the bitmap plan.
    ///
    /// The total and the page's ids are memoised for the store generation (cache.rs): paging
    /// through a search, or a second reader of it, reads only the page's rows.
    async fn search_findings(
        &self,
        filter: &FindingFilter,
        text: &str,
        page: Page,
    ) -> Result<FindingsPage, StoreError> {
        let generation = self.generation().await?;
        let key = format!("{filter:?} {page:?}");
        if let Some(hit) = self
            .use_cache
            .then(|| self.cache.search(generation, &key))
            .flatten()
        {
            let items = self
                .findings_by_id(hit.ids.iter().map(|id| Arg::Int(*id)).collect())
                .await?;
            return Ok(FindingsPage {
                total: hit.total,
                total_exact: hit.exact,
                items,
            });
        }
        let found = self.search_findings_afresh(filter, text, page).await?;
        let answer = SearchAnswer {
            total: found.total,
            exact: found.total_exact,
            ids: found.items.iter().map(|f| f.id).collect(),
        };
        self.cache.put_search(generation, key, answer);
        Ok(found)
    }

    /// [`Store::search_findings`] without the memo.
    async fn search_findings_afresh(
        &self,
        filter: &FindingFilter,
        text: &str,
        page: Page,
    ) -> Result<FindingsPage, StoreError> {
        if let Some(found) = self.search_by_words(filter, text, page).await? {
            return Ok(found);
        }
        let (mut probe_w, _, _) = findings_where(filter);
        let from = if self.backend() == Backend::Sqlite && text.chars().count() >= 3 {
            probe_w.push(
                "findings_search MATCH ?",
                vec![Arg::Text(format!("\"{}\"", text.replace('"', "\"\"")))],
            );
            "findings_search CROSS JOIN findings ON findings.id = findings_search.rowid"
        } else {
            probe_w.push(
                &format!(
                    "(message || ' ' || rule_id || ' ' || COALESCE(function_key, '')) {} ? ESCAPE '\\'",
                    self.ilike()
                ),
                vec![Arg::Text(contains_pattern(text))],
            );
            "findings"
        };
        // The matches come back as one row (a count and their ids in list order): a
        // thousand single-row answers cost more than the probe itself.
        let probe = format!(
            "SELECT COUNT(*) AS n, string_agg(CAST(id AS TEXT), ',' ORDER BY severity DESC, id DESC) AS ids \
             FROM (SELECT findings.id AS id, findings.severity AS severity FROM {from} {} LIMIT {}) probe",
            probe_w.sql(),
            SEARCH_COUNT_LIMIT + 1
        );
        let (counted, matches) = on_pool!(self, pool => {
            let row = bind_args!(sqlx::query(sqlx::AssertSqlSafe(probe)), &probe_w.args)
                .fetch_one(pool)
                .await?;
            Ok::<_, sqlx::Error>((row.int("n")?, row.opt_text("ids")?.unwrap_or_default()))
        })
        .map_err(self.err("list findings"))?;
        if counted <= SEARCH_COUNT_LIMIT {
            return Ok(FindingsPage {
                total: counted,
                total_exact: true,
                items: self.page_of_ids(&matches, page).await?,
            });
        }
        let (mut w, _, _) = findings_where(filter);
        let (find, lower) = match self.backend() {
            Backend::Sqlite => ("instr", "lower"),
            Backend::Postgres => ("strpos", "lower"),
        };
        w.push(
            &format!(
                "{find}({lower}(message || ' ' || rule_id || ' ' || COALESCE(function_key, '')), {lower}(?)) > 0"
            ),
            vec![Arg::Text(text.to_owned())],
        );
        let n = w.next();
        let list = format!(
            "SELECT {FINDING_COLUMNS} FROM findings {} ORDER BY severity DESC, id DESC LIMIT ${n} OFFSET ${}",
            w.sql(),
            n + 1
        );
        let items = on_pool!(self, pool => {
            bind_args!(sqlx::query(sqlx::AssertSqlSafe(list)), &w.args)
                .bind(page.limit_i64())
                .bind(page.offset_i64())
                .fetch_all(pool)
                .await?
                .iter()
                .map(finding_from_row)
                .collect::<Result<Vec<_>, sqlx::Error>>()
        })
        .map_err(self.err("list findings"))?;
        Ok(FindingsPage {
            total: SEARCH_COUNT_LIMIT,
            total_exact: false,
            items,
        })
    }

    /// The page `page` of a search's matches, given as their ids in list order, joined by
    /// commas (what a search probe returns).
    pub(crate) async fn page_of_ids(
        &self,
        ids: &str,
        page: Page,
    ) -> Result<Vec<StoredFinding>, StoreError> {
        let offset = usize::try_from(page.offset).unwrap_or(usize::MAX);
        let limit = usize::try_from(page.limit_i64()).unwrap_or(0);
        let ids = ids
            .split(',')
            .filter(|id| !id.is_empty())
            .skip(offset)
            .take(limit)
            .map(|id| {
                id.parse().map(Arg::Int).map_err(|e| StoreError::Decode {
                    database: self.database().to_owned(),
                    operation: "list findings",
                    cause: format!("search probe: id `{id}`: {e}"),
                })
            })
            .collect::<Result<Vec<Arg>, StoreError>>()?;
        self.findings_by_id(ids).await
    }

    /// The findings with these ids (`Arg::Int`), in list order.
    pub(crate) async fn findings_by_id(
        &self,
        ids: Vec<Arg>,
    ) -> Result<Vec<StoredFinding>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut w = Where::default();
        let marks = vec!["?"; ids.len()].join(", ");
        w.push(&format!("id IN ({marks})"), ids);
        let sql = format!(
            "SELECT {FINDING_COLUMNS} FROM findings {} ORDER BY severity DESC, id DESC",
            w.sql()
        );
        on_pool!(self, pool => {
            bind_args!(sqlx::query(sqlx::AssertSqlSafe(sql)), &w.args)
                .fetch_all(pool)
                .await?
                .iter()
                .map(finding_from_row)
                .collect::<Result<Vec<_>, sqlx::Error>>()
        })
        .map_err(self.err("list findings"))
    }

    /// Open findings per severity for each of the last `days` days (today last). A day with no
    /// scan carries the previous day's counts forward.
    pub async fn findings_by_day(&self, days: u32) -> Result<Vec<DayCounts>, StoreError> {
        let days = i64::from(days.clamp(1, 3660));
        let today = now_millis().div_euclid(DAY_MS);
        let first = today - days + 1;
        let rows: Vec<(i64, i64, i64)> = on_pool!(self, pool => {
            let rows = sqlx::query(
                "SELECT day, severity, open_count FROM daily_counts \
                 WHERE day >= (SELECT COALESCE(MAX(day), $1) FROM daily_counts WHERE day <= $1) AND day <= $2 \
                 ORDER BY day",
            )
            .bind(first)
            .bind(today)
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|r| Ok((r.int("day")?, r.int("severity")?, r.int("open_count")?)))
                .collect::<Result<Vec<_>, sqlx::Error>>()
        })
        .map_err(self.err("findings by day"))?;
        let mut by_day: BTreeMap<i64, SeverityCounts> = BTreeMap::new();
        for (day, severity, n) in rows {
            let counts = by_day.entry(day).or_default();
            match severity_from_i64(severity) {
                Some(Severity::Critical) => counts.critical = n,
                Some(Severity::High) => counts.high = n,
                Some(Severity::Medium) => counts.medium = n,
                Some(Severity::Low) => counts.low = n,
                Some(Severity::Info) => counts.info = n,
                None => {}
            }
        }
        let mut current = by_day
            .range(..first)
            .next_back()
            .map(|(_, c)| *c)
            .unwrap_or_default();
        let mut out = Vec::new();
        for day in first..=today {
            if let Some(c) = by_day.get(&day) {
                current = *c;
            }
            out.push(DayCounts {
                day: day * DAY_MS,
                open: current,
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;

    /// Placeholders are numbered across clauses and LIKE patterns escape their wildcards.
    #[test]
    fn placeholders_shift_past_a_statement() {
        assert_eq!(
            shift_placeholders(
                "SELECT n FROM t WHERE a = $1 AND b IN ($2, $10) AND c = '$'",
                4
            ),
            "SELECT n FROM t WHERE a = $5 AND b IN ($6, $14) AND c = '$'"
        );
        assert_eq!(shift_placeholders("SELECT 1", 3), "SELECT 1");
    }

    #[test]
    fn outcome_lists_decode_any_policy_name() {
        let text = "violation:7:no-:admpass:3:été";
        let outcomes = outcomes_from_text(text).unwrap();
        assert_eq!(
            outcomes.into_iter().collect::<Vec<_>>(),
            vec![
                ("no-:adm".to_owned(), Outcome::Violation),
                ("été".to_owned(), Outcome::Pass)
            ]
        );
        assert_eq!(outcomes_from_text(""), Some(BTreeMap::new()));
        for bad in ["pass:9:short", "pass:x:p", "maybe:1:p", "pass:1"] {
            assert_eq!(outcomes_from_text(bad), None, "{bad}");
        }
    }

    #[test]
    fn where_numbers_placeholders() {
        let mut w = Where::default();
        w.push("a = ?", vec![Arg::Int(1)]);
        w.push("(b LIKE ? OR c LIKE ?)", vec![Arg::Int(2), Arg::Int(3)]);
        assert_eq!(w.sql(), "WHERE a = $1 AND (b LIKE $2 OR c LIKE $3)");
        assert_eq!(w.next(), 4);
        assert_eq!(contains_pattern("50%_a\\"), "%50\\%\\_a\\\\%");
    }

    #[cfg(feature = "testdata")]
    async fn filled(functions: usize) -> (tempfile::TempDir, Store, faasguard_report::Report, i64) {
        use crate::testdata::{synthetic_report, synthetic_scope};
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("s.db").to_str().unwrap())
            .await
            .unwrap();
        let report = synthetic_report("123456789012", "eu-west-1", functions, 20, 7);
        let scan = store
            .record_scan(
                "cloud",
                &synthetic_scope("123456789012", "eu-west-1"),
                &report,
                true,
            )
            .await
            .unwrap();
        (dir, store, report, scan.id)
    }

    /// A text search matching more than `SEARCH_COUNT_LIMIT` findings reports the limit as a
    /// lower bound (`total_exact` false) and still returns the first page; a search with
    /// fewer matches, and every non-text filter, counts exactly.
    #[cfg(feature = "testdata")]
    #[tokio::test]
    async fn text_search_total_is_capped() {
        // 60 functions x 20 findings: every finding's function key contains `fn-000`.
        let (_dir, store, report, _) = filled(60).await;
        assert_eq!(report.findings.len(), 1200);
        let search = |text: &str| FindingFilter {
            text: Some(text.to_owned()),
            ..FindingFilter::default()
        };
        let common = store
            .list_findings(&search("fn-000"), Page::new(50, 0))
            .await
            .unwrap();
        assert_eq!(
            (common.total, common.total_exact, common.items.len()),
            (SEARCH_COUNT_LIMIT, false, 50)
        );
        // Two characters: the LIKE path (no trigram) is capped the same way.
        let short = store
            .list_findings(&search("fn"), Page::new(10, 0))
            .await
            .unwrap();
        assert_eq!(
            (short.total, short.total_exact),
            (SEARCH_COUNT_LIMIT, false)
        );
        // One function's findings: 20 matches, counted exactly.
        let one = store
            .list_findings(&search("/fn-00042"), Page::new(50, 0))
            .await
            .unwrap();
        assert_eq!(
            (one.total, one.total_exact, one.items.len()),
            (20, true, 20)
        );
        let family = store
            .list_findings(
                &FindingFilter {
                    rule_prefix: Some("FG-DEP".to_owned()),
                    ..FindingFilter::default()
                },
                Page::new(5, 0),
            )
            .await
            .unwrap();
        assert_eq!((family.total, family.total_exact), (240, true));
    }
}
