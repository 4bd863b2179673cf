//! Recording scans: functions, findings and their history, in one transaction per scan.

use std::collections::{HashMap, HashSet};

use faasguard_core::Severity;
use faasguard_report::{FunctionSummary, Report};
use serde::{Deserialize, Serialize};

use crate::rows::Cols;
use crate::{Millis, Store, StoreError, now_millis, on_pool, redact};

/// A scan's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ScanStatus {
    Running,
    Succeeded,
    Failed,
}

impl ScanStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ScanStatus::Running => "running",
            ScanStatus::Succeeded => "succeeded",
            ScanStatus::Failed => "failed",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "running" => Some(ScanStatus::Running),
            "succeeded" => Some(ScanStatus::Succeeded),
            "failed" => Some(ScanStatus::Failed),
            _ => None,
        }
    }
}

/// One recorded scan and what it changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanSummary {
    pub id: i64,
    /// `cloud`, `ci`, …
    pub kind: String,
    /// What was scanned (`aws:123456789012/eu-west-1`, a repository).
    pub scope: String,
    pub started_at: Millis,
    pub finished_at: Option<Millis>,
    pub status: ScanStatus,
    /// The scan saw the whole scope, so what it did not report is fixed or deleted.
    pub complete: bool,
    pub error: Option<String>,
    pub functions_seen: i64,
    pub findings_seen: i64,
    pub new_findings: i64,
    pub fixed_findings: i64,
    pub reopened_findings: i64,
    pub deleted_functions: i64,
}

/// The store key of a function: the report's id for cloud scans (already unique), `scope::id`
/// for other kinds, whose ids name files that repeat across repositories.
pub fn function_key(kind: &str, scope: &str, id: &str) -> String {
    if kind == "cloud" {
        id.to_owned()
    } else {
        format!("{scope}::{id}")
    }
}

pub(crate) fn severity_to_i64(s: Severity) -> i64 {
    match s {
        Severity::Info => 0,
        Severity::Low => 1,
        Severity::Medium => 2,
        Severity::High => 3,
        Severity::Critical => 4,
    }
}

pub(crate) fn severity_from_i64(n: i64) -> Option<Severity> {
    match n {
        0 => Some(Severity::Info),
        1 => Some(Severity::Low),
        2 => Some(Severity::Medium),
        3 => Some(Severity::High),
        4 => Some(Severity::Critical),
        _ => None,
    }
}

/// The rule family: `FG-DEP-001` → `FG-DEP`.
pub(crate) fn family(rule_id: &str) -> String {
    match rule_id.rfind('-') {
        Some(i) if i > 0 => rule_id[..i].to_owned(),
        _ => rule_id.to_owned(),
    }
}

/// A function as it is written.
struct FunctionRowIn {
    key: String,
    name: Option<String>,
    account: Option<String>,
    region: Option<String>,
    runtime: Option<String>,
    provider: String,
    source: String,
    summary: String,
}

/// A finding as it is written: only the fields the store needs, scrubbed.
struct FindingRowIn {
    fingerprint: String,
    rule_id: String,
    rule_name: String,
    family: String,
    severity: i64,
    function_key: Option<String>,
    message: String,
    evidence: Option<String>,
    remediation: Option<String>,
    file: String,
    line: Option<i64>,
    col: Option<i64>,
    pointer: Option<String>,
    package: Option<String>,
    installed_version: Option<String>,
    fixed_version: Option<String>,
    advisory: Option<String>,
}

fn sanitized_summary(summary: &FunctionSummary) -> FunctionSummary {
    let mut out = summary.clone();
    if let Some(cloud) = &mut out.cloud {
        for (name, value) in &mut cloud.tags {
            *value = redact::scrub_named(name, value);
        }
        for problem in &mut cloud.problems {
            *problem = redact::scrub(problem);
        }
    }
    out
}

fn prepare_functions(
    kind: &str,
    scope: &str,
    report: &Report,
) -> Result<Vec<FunctionRowIn>, StoreError> {
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(report.functions.len());
    for f in &report.functions {
        let key = function_key(kind, scope, &f.id);
        if !seen.insert(key.clone()) {
            continue;
        }
        let summary = sanitized_summary(f);
        let json = serde_json::to_string(&summary)
            .map_err(|e| StoreError::Invalid(format!("function {}: {e}", f.id)))?;
        out.push(FunctionRowIn {
            key,
            name: f.name.clone(),
            account: f.cloud.as_ref().map(|c| c.account.clone()),
            region: f.cloud.as_ref().map(|c| c.region.clone()),
            runtime: f.runtime.clone(),
            provider: f.provider.clone(),
            source: f.source.clone(),
            summary: json,
        });
    }
    Ok(out)
}

/// `(file, line, advisory id) → (package, installed, fixed)` from the report's package list,
/// to give dependency findings their package columns.
type PackageIndex<'a> =
    HashMap<(&'a str, Option<u32>), Vec<(&'a str, &'a str, &'a str, Option<&'a str>)>>;

fn package_index(report: &Report) -> PackageIndex<'_> {
    let mut index: PackageIndex<'_> = HashMap::new();
    for p in &report.packages {
        for a in &p.advisories {
            index
                .entry((p.location.file.as_str(), p.location.line))
                .or_default()
                .push((
                    a.id.as_str(),
                    p.name.as_str(),
                    p.version.as_str(),
                    a.fixed.as_deref(),
                ));
        }
    }
    index
}

fn prepare_findings(kind: &str, scope: &str, report: &Report) -> Vec<FindingRowIn> {
    let packages = package_index(report);
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(report.findings.len());
    for f in &report.findings {
        if !seen.insert(f.fingerprint.as_str()) {
            continue;
        }
        let family = family(&f.rule_id);
        let evidence = if family == "FG-SEC" {
            f.evidence.as_deref().map(redact::secret_evidence)
        } else {
            redact::scrub_opt(f.evidence.as_deref())
        };
        let (mut package, mut installed_version, mut fixed_version, mut advisory) =
            (None, None, None, None);
        if family == "FG-DEP"
            && let Some(candidates) = packages.get(&(f.location.file.as_str(), f.location.line))
            && let Some((id, name, version, fixed)) = candidates
                .iter()
                .find(|(id, ..)| f.message.contains(&format!(" by {id}")))
        {
            package = Some((*name).to_owned());
            installed_version = Some((*version).to_owned());
            fixed_version = fixed.map(str::to_owned);
            advisory = Some((*id).to_owned());
        }
        out.push(FindingRowIn {
            fingerprint: f.fingerprint.clone(),
            rule_id: f.rule_id.clone(),
            rule_name: f.rule_name.clone(),
            family,
            severity: severity_to_i64(f.severity),
            function_key: f
                .function
                .as_deref()
                .map(|id| function_key(kind, scope, id)),
            message: redact::scrub(&f.message),
            evidence,
            remediation: redact::scrub_opt(f.remediation.as_deref()),
            file: redact::scrub(&f.location.file),
            line: f.location.line.map(i64::from),
            col: f.location.column.map(i64::from),
            pointer: redact::scrub_opt(f.location.pointer.as_deref()),
            package,
            installed_version,
            fixed_version,
            advisory,
        });
    }
    out
}

pub(crate) fn scan_from_row(row: &impl Cols) -> Result<ScanSummary, sqlx::Error> {
    let status = row.text("status")?;
    Ok(ScanSummary {
        id: row.int("id")?,
        kind: row.text("kind")?,
        scope: row.text("scope")?,
        started_at: row.int("started_at")?,
        finished_at: row.opt_int("finished_at")?,
        status: ScanStatus::parse(&status).ok_or_else(|| sqlx::Error::ColumnDecode {
            index: "status".to_owned(),
            source: format!("unknown scan status {status:?}").into(),
        })?,
        complete: row.int("complete")? != 0,
        error: row.opt_text("error")?,
        functions_seen: row.int("functions_seen")?,
        findings_seen: row.int("findings_seen")?,
        new_findings: row.int("new_findings")?,
        fixed_findings: row.int("fixed_findings")?,
        reopened_findings: row.int("reopened_findings")?,
        deleted_functions: row.int("deleted_functions")?,
    })
}

const SCAN_COLUMNS: &str = "id, kind, scope, started_at, finished_at, status, complete, error, \
    functions_seen, findings_seen, new_findings, fixed_findings, reopened_findings, deleted_functions";

impl Store {
    /// Records a finished scan of `scope` in **one transaction**: the scan row, every function
    /// (upserted by key), every finding (upserted by scope and fingerprint) and the history.
    /// When `complete`, the scope's open findings the report does not list become fixed and the
    /// functions it does not list become deleted. A crash before the commit leaves nothing.
    pub async fn record_scan(
        &self,
        kind: &str,
        scope: &str,
        report: &Report,
        complete: bool,
    ) -> Result<ScanSummary, StoreError> {
        self.ingest(None, kind, scope, report, complete).await
    }

    /// Creates a `running` scan row (committed at once) for a scan about to start; finish it
    /// with [`Store::finish_scan`] or [`Store::fail_scan`].
    pub async fn begin_scan(&self, kind: &str, scope: &str) -> Result<i64, StoreError> {
        check_scope(kind, scope)?;
        let now = now_millis();
        on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO scans (kind, scope, started_at, status) VALUES ($1, $2, $3, 'running') RETURNING id",
            )
            .bind(kind)
            .bind(scope)
            .bind(now)
            .fetch_one(pool)
            .await
            .and_then(|row| row.int("id"))
        })
        .map_err(self.err("begin scan"))
    }

    /// Records the report of a scan started with [`Store::begin_scan`] (as
    /// [`Store::record_scan`] does, in one transaction). Fails if the scan is not running.
    pub async fn finish_scan(
        &self,
        scan_id: i64,
        report: &Report,
        complete: bool,
    ) -> Result<ScanSummary, StoreError> {
        let scan = self
            .scan(scan_id)
            .await?
            .ok_or_else(|| StoreError::Invalid(format!("no scan {scan_id}")))?;
        if scan.status != ScanStatus::Running {
            return Err(StoreError::Invalid(format!(
                "scan {scan_id} is {}, not running",
                scan.status.as_str()
            )));
        }
        self.ingest(Some(scan_id), &scan.kind, &scan.scope, report, complete)
            .await
    }

    /// Marks a running scan failed with `error` (scrubbed of secrets). Nothing else changes:
    /// a failed scan never marks findings fixed.
    pub async fn fail_scan(&self, scan_id: i64, error: &str) -> Result<bool, StoreError> {
        let error = redact::scrub(error);
        let now = now_millis();
        on_pool!(self, pool => {
            sqlx::query(
                "UPDATE scans SET status = 'failed', error = $1, finished_at = $2 WHERE id = $3 AND status = 'running'",
            )
            .bind(&error)
            .bind(now)
            .bind(scan_id)
            .execute(pool)
            .await
            .map(|r| r.rows_affected() == 1)
        })
        .map_err(self.err("fail scan"))
    }

    /// One scan.
    pub async fn scan(&self, scan_id: i64) -> Result<Option<ScanSummary>, StoreError> {
        let sql = format!("SELECT {SCAN_COLUMNS} FROM scans WHERE id = $1");
        on_pool!(self, pool => {
            match sqlx::query(sqlx::AssertSqlSafe(sql)).bind(scan_id).fetch_optional(pool).await {
                Ok(Some(row)) => scan_from_row(&row).map(Some),
                Ok(None) => Ok(None),
                Err(e) => Err(e),
            }
        })
        .map_err(self.err("read scan"))
    }

    /// The latest scans, newest first, optionally of one scope.
    pub async fn list_scans(
        &self,
        scope: Option<&str>,
        page: crate::Page,
    ) -> Result<crate::Paged<ScanSummary>, StoreError> {
        let filter = if scope.is_some() {
            "WHERE scope = $1"
        } else {
            "WHERE $1 IS NULL"
        };
        let list = format!(
            "SELECT {SCAN_COLUMNS} FROM scans {filter} ORDER BY id DESC LIMIT $2 OFFSET $3"
        );
        let count = format!("SELECT COUNT(*) AS n FROM scans {filter}");
        on_pool!(self, pool => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(list))
                .bind(scope)
                .bind(page.limit_i64())
                .bind(page.offset_i64())
                .fetch_all(pool)
                .await?;
            let total = sqlx::query(sqlx::AssertSqlSafe(count)).bind(scope).fetch_one(pool).await?.int("n")?;
            let items = rows.iter().map(scan_from_row).collect::<Result<Vec<_>, _>>()?;
            Ok::<_, sqlx::Error>(crate::Paged { total, items })
        })
        .map_err(self.err("list scans"))
    }

    #[allow(clippy::too_many_lines)]
    async fn ingest(
        &self,
        existing_scan: Option<i64>,
        kind: &str,
        scope: &str,
        report: &Report,
        complete: bool,
    ) -> Result<ScanSummary, StoreError> {
        check_scope(kind, scope)?;
        let functions = prepare_functions(kind, scope, report)?;
        let findings = prepare_findings(kind, scope, report);
        let now = now_millis();
        let complete_flag = i64::from(complete);
        let scan_id = on_pool!(self, pool => {
            let mut tx = pool.begin_with(self.begin_write_sql()).await?;
            let scan_id = match existing_scan {
                Some(id) => id,
                None => sqlx::query(
                    "INSERT INTO scans (kind, scope, started_at, status) VALUES ($1, $2, $3, 'running') RETURNING id",
                )
                .bind(kind)
                .bind(scope)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?
                .int("id")?,
            };

            for f in &functions {
                sqlx::query(
                    "INSERT INTO functions (fkey, scope, name, account, region, runtime, provider, source, summary, \
                         first_seen, last_seen, last_scan, deleted_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11, NULL) \
                     ON CONFLICT (fkey) DO UPDATE SET scope = excluded.scope, name = excluded.name, \
                         account = excluded.account, region = excluded.region, runtime = excluded.runtime, \
                         provider = excluded.provider, source = excluded.source, summary = excluded.summary, \
                         last_seen = excluded.last_seen, last_scan = excluded.last_scan, deleted_at = NULL",
                )
                .bind(&f.key)
                .bind(scope)
                .bind(&f.name)
                .bind(&f.account)
                .bind(&f.region)
                .bind(&f.runtime)
                .bind(&f.provider)
                .bind(&f.source)
                .bind(&f.summary)
                .bind(now)
                .bind(scan_id)
                .execute(&mut *tx)
                .await?;
            }
            let deleted_functions = if complete {
                i64::try_from(
                    sqlx::query(
                        "UPDATE functions SET deleted_at = $1 WHERE scope = $2 AND deleted_at IS NULL AND last_scan <> $3",
                    )
                    .bind(now)
                    .bind(scope)
                    .bind(scan_id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected(),
                )
                .unwrap_or(i64::MAX)
            } else {
                0
            };

            // Each known finding with its search text (a changed one is filed again).
            let mut known: HashMap<String, (i64, bool, String)> = HashMap::new();
            for row in sqlx::query(
                "SELECT id, fingerprint, open, message, rule_id, function_key FROM findings WHERE scope = $1",
            )
            .bind(scope)
            .fetch_all(&mut *tx)
            .await?
            {
                let text = crate::search::search_text(
                    &row.text("message")?,
                    &row.text("rule_id")?,
                    row.opt_text("function_key")?.as_deref(),
                );
                known.insert(
                    row.text("fingerprint")?,
                    (row.int("id")?, row.int("open")? != 0, text),
                );
            }
            let (mut filed, mut unfiled) = (Vec::new(), Vec::new());
            let (mut new_findings, mut reopened_findings) = (0i64, 0i64);
            for f in &findings {
                let text = crate::search::search_text(&f.message, &f.rule_id, f.function_key.as_deref());
                let event = match known.get(&f.fingerprint) {
                    None => {
                        let id = sqlx::query(
                            "INSERT INTO findings (scope, fingerprint, rule_id, rule_name, family, severity, function_key, \
                                 message, evidence, remediation, file, line, col, pointer, package, installed_version, \
                                 fixed_version, advisory, open, first_seen, last_seen, first_scan, last_scan) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, 1, $19, $19, $20, $20) \
                             RETURNING id",
                        )
                        .bind(scope)
                        .bind(&f.fingerprint)
                        .bind(&f.rule_id)
                        .bind(&f.rule_name)
                        .bind(&f.family)
                        .bind(f.severity)
                        .bind(&f.function_key)
                        .bind(&f.message)
                        .bind(&f.evidence)
                        .bind(&f.remediation)
                        .bind(&f.file)
                        .bind(f.line)
                        .bind(f.col)
                        .bind(&f.pointer)
                        .bind(&f.package)
                        .bind(&f.installed_version)
                        .bind(&f.fixed_version)
                        .bind(&f.advisory)
                        .bind(now)
                        .bind(scan_id)
                        .fetch_one(&mut *tx)
                        .await?
                        .int("id")?;
                        filed.extend(crate::search::postings(id, 1, f.severity, &f.family, &text));
                        new_findings += 1;
                        Some((id, "opened"))
                    }
                    Some((id, open, known_text)) => {
                        let (id, open) = (*id, *open);
                        sqlx::query(
                            "UPDATE findings SET rule_id = $1, rule_name = $2, family = $3, severity = $4, function_key = $5, \
                                 message = $6, evidence = $7, remediation = $8, file = $9, line = $10, col = $11, \
                                 pointer = $12, package = $13, installed_version = $14, fixed_version = $15, \
                                 advisory = $16, last_seen = $17, last_scan = $18, open = 1, fixed_at = NULL, \
                                 reopened = reopened + $19 \
                             WHERE id = $20",
                        )
                        .bind(&f.rule_id)
                        .bind(&f.rule_name)
                        .bind(&f.family)
                        .bind(f.severity)
                        .bind(&f.function_key)
                        .bind(&f.message)
                        .bind(&f.evidence)
                        .bind(&f.remediation)
                        .bind(&f.file)
                        .bind(f.line)
                        .bind(f.col)
                        .bind(&f.pointer)
                        .bind(&f.package)
                        .bind(&f.installed_version)
                        .bind(&f.fixed_version)
                        .bind(&f.advisory)
                        .bind(now)
                        .bind(scan_id)
                        .bind(i64::from(!open))
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                        if *known_text != text {
                            unfiled.extend(crate::search::words(known_text));
                            sqlx::query("DELETE FROM finding_words WHERE finding_id = $1")
                                .bind(id)
                                .execute(&mut *tx)
                                .await?;
                            filed.extend(crate::search::postings(id, 1, f.severity, &f.family, &text));
                        }
                        if open {
                            None
                        } else {
                            reopened_findings += 1;
                            Some((id, "reopened"))
                        }
                    }
                };
                if let Some((id, event)) = event {
                    sqlx::query("INSERT INTO finding_events (finding_id, scan_id, at, event) VALUES ($1, $2, $3, $4)")
                        .bind(id)
                        .bind(scan_id)
                        .bind(now)
                        .bind(event)
                        .execute(&mut *tx)
                        .await?;
                }
            }
            crate::search::file_postings!(self, tx, &filed, &unfiled);
            let fixed_findings = if complete {
                sqlx::query(
                    "INSERT INTO finding_events (finding_id, scan_id, at, event) \
                     SELECT id, $1, $2, 'fixed' FROM findings WHERE scope = $3 AND open = 1 AND last_scan <> $1",
                )
                .bind(scan_id)
                .bind(now)
                .bind(scope)
                .execute(&mut *tx)
                .await?;
                i64::try_from(
                    sqlx::query(
                        "UPDATE findings SET open = 0, fixed_at = $1 WHERE scope = $2 AND open = 1 AND last_scan <> $3",
                    )
                    .bind(now)
                    .bind(scope)
                    .bind(scan_id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected(),
                )
                .unwrap_or(i64::MAX)
            } else {
                0
            };

            sqlx::query(
                "UPDATE functions SET \
                   open_critical = (SELECT COUNT(*) FROM findings f WHERE f.function_key = functions.fkey AND f.open = 1 AND f.severity = 4), \
                   open_high = (SELECT COUNT(*) FROM findings f WHERE f.function_key = functions.fkey AND f.open = 1 AND f.severity = 3), \
                   open_medium = (SELECT COUNT(*) FROM findings f WHERE f.function_key = functions.fkey AND f.open = 1 AND f.severity = 2), \
                   open_low = (SELECT COUNT(*) FROM findings f WHERE f.function_key = functions.fkey AND f.open = 1 AND f.severity = 1), \
                   open_info = (SELECT COUNT(*) FROM findings f WHERE f.function_key = functions.fkey AND f.open = 1 AND f.severity = 0) \
                 WHERE scope = $1",
            )
            .bind(scope)
            .execute(&mut *tx)
            .await?;

            let day = now.div_euclid(crate::query::DAY_MS);
            let mut per_severity = [0i64; 5];
            crate::totals::refresh_function_totals!(self, tx);
            crate::totals::refresh_finding_totals!(self, tx);
            crate::marks::refresh_function_marks!(tx);
            crate::marks::refresh_finding_marks!(tx);
            for row in sqlx::query(
                "SELECT severity, CAST(SUM(n) AS BIGINT) AS n FROM finding_totals WHERE open = 1 GROUP BY severity",
            )
            .fetch_all(&mut *tx)
            .await?
            {
                let (severity, n) = (row.int("severity")?, row.int("n")?);
                if let Ok(i) = usize::try_from(severity)
                    && let Some(slot) = per_severity.get_mut(i)
                {
                    *slot = n;
                }
            }
            for (severity, n) in (0i64..).zip(per_severity) {
                sqlx::query(
                    "INSERT INTO daily_counts (day, severity, open_count) VALUES ($1, $2, $3) \
                     ON CONFLICT (day, severity) DO UPDATE SET open_count = excluded.open_count",
                )
                .bind(day)
                .bind(severity)
                .bind(n)
                .execute(&mut *tx)
                .await?;
            }

            sqlx::query(
                "UPDATE scans SET status = 'succeeded', finished_at = $1, complete = $2, functions_seen = $3, \
                     findings_seen = $4, new_findings = $5, fixed_findings = $6, reopened_findings = $7, \
                     deleted_functions = $8, error = NULL \
                 WHERE id = $9",
            )
            .bind(now_millis())
            .bind(complete_flag)
            .bind(i64::try_from(functions.len()).unwrap_or(i64::MAX))
            .bind(i64::try_from(findings.len()).unwrap_or(i64::MAX))
            .bind(new_findings)
            .bind(fixed_findings)
            .bind(reopened_findings)
            .bind(deleted_functions)
            .bind(scan_id)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(scan_id)
        })
        .map_err(self.err("record scan"))?;
        self.scan(scan_id).await?.ok_or_else(|| StoreError::Decode {
            database: self.database().to_owned(),
            operation: "record scan",
            cause: format!("scan {scan_id} vanished after commit"),
        })
    }
}

fn check_scope(kind: &str, scope: &str) -> Result<(), StoreError> {
    if kind.trim().is_empty() || scope.trim().is_empty() {
        return Err(StoreError::Invalid(
            "a scan needs a kind and a scope".to_owned(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Families are the rule id without its number; keys are qualified outside the cloud.
    #[test]
    fn families_and_keys() {
        assert_eq!(family("FG-DEP-001"), "FG-DEP");
        assert_eq!(family("FG-SEC-103"), "FG-SEC");
        assert_eq!(
            function_key("cloud", "aws:1/eu-west-1", "1/eu-west-1/f"),
            "1/eu-west-1/f"
        );
        assert_eq!(
            function_key("ci", "repo-a", "template.yaml#Fn"),
            "repo-a::template.yaml#Fn"
        );
        for s in Severity::ALL {
            assert_eq!(severity_from_i64(severity_to_i64(s)), Some(s));
        }
    }
}
