//! Assurance and operations: policy results, blocks, the audit log, API tokens, jobs and
//! retention.

use std::fmt::Write as _;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::query::{Arg, Page, Paged, Where, bind_args};
use crate::rows::Cols;
use crate::{Backend, Millis, Store, StoreError, duration_millis, now_millis, on_pool, redact};

/// What a policy said about a function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Pass,
    Violation,
    Excepted,
    OutOfScope,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Violation => "violation",
            Outcome::Excepted => "excepted",
            Outcome::OutOfScope => "out-of-scope",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "pass" => Some(Outcome::Pass),
            "violation" => Some(Outcome::Violation),
            "excepted" => Some(Outcome::Excepted),
            "out-of-scope" => Some(Outcome::OutOfScope),
            _ => None,
        }
    }
}

/// A policy result to record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyResultInput {
    pub policy: String,
    pub function_key: String,
    pub outcome: Outcome,
    /// Why (violated conditions, the exception's reason): any JSON.
    pub reasons: serde_json::Value,
    /// The action planned or taken (`notify`, `block`), if any.
    pub action: Option<String>,
}

/// A recorded policy result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyResult {
    pub id: i64,
    pub scan_id: i64,
    pub evaluated_at: Millis,
    pub policy: String,
    pub function_key: String,
    pub outcome: Outcome,
    pub reasons: serde_json::Value,
    pub action: Option<String>,
}

/// A block to record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockInput {
    pub function_key: String,
    /// The reserved concurrency before blocking; `None` = the function had no reservation.
    pub previous_concurrency: Option<i64>,
    pub policy: Option<String>,
    /// Who blocked (a user, `scheduler`, a token name).
    pub actor: String,
}

/// A block, active while `released_at` is `None`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Block {
    pub id: i64,
    pub function_key: String,
    /// The reserved concurrency to restore on unblock; `None` = remove the reservation.
    pub previous_concurrency: Option<i64>,
    pub policy: Option<String>,
    pub blocked_by: String,
    pub blocked_at: Millis,
    pub released_by: Option<String>,
    pub released_at: Option<Millis>,
}

/// What [`Store::record_block`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum BlockOutcome {
    /// The block was recorded.
    Recorded(Block),
    /// The function was already blocked (by this or another worker): nothing changed, the
    /// existing block is returned (its `previous_concurrency` is the one to restore).
    AlreadyBlocked(Block),
}

/// An audit entry to append.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditInput {
    pub actor: String,
    /// `block`, `unblock`, `notify`, `policy-change`, `token-create`, …
    pub action: String,
    pub function_key: Option<String>,
    pub policy: Option<String>,
    /// What changed, as JSON (scrubbed of secrets before it is stored).
    pub details: serde_json::Value,
}

/// An audit log entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: Millis,
    pub actor: String,
    pub action: String,
    pub function_key: Option<String>,
    pub policy: Option<String>,
    pub details: serde_json::Value,
}

/// Filters for [`Store::list_audit`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditFilter {
    pub function_key: Option<String>,
    pub action: Option<String>,
    pub actor: Option<String>,
}

/// What an API token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Read everything.
    Viewer,
    /// Also block, unblock and change policies.
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "viewer" => Some(Role::Viewer),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

/// A token as listed (never with its plaintext, which is not stored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenInfo {
    /// The public part of the token (`fgt_<id>_…`).
    pub id: String,
    pub name: String,
    pub role: Role,
    pub created_at: Millis,
    pub created_by: String,
    pub last_used_at: Option<Millis>,
    pub revoked_at: Option<Millis>,
}

/// A token just created: the plaintext is shown once and never again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewToken {
    pub info: TokenInfo,
    /// `fgt_<12 hex id>_<64 hex secret>`.
    pub plaintext: String,
}

/// A scheduled job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Job {
    pub key: String,
    /// `cloud-scan`, `assure`, …
    pub kind: String,
    pub payload: serde_json::Value,
    pub interval_ms: i64,
    pub next_run_at: Millis,
    /// The worker holding the lease, while one does.
    pub lease_owner: Option<String>,
    pub lease_until: Option<Millis>,
    /// Claims since the last successful completion (grows when a worker dies mid-run).
    pub attempts: i64,
    pub last_started_at: Option<Millis>,
    pub last_finished_at: Option<Millis>,
    pub last_ok: Option<bool>,
    pub last_message: Option<String>,
}

/// What [`Store::prune`] removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PruneSummary {
    pub scans: i64,
    pub policy_results: i64,
}

const BLOCK_COLUMNS: &str = "id, function_key, previous_concurrency, policy, blocked_by, blocked_at, released_by, released_at";

fn block_from_row(row: &impl Cols) -> Result<Block, sqlx::Error> {
    Ok(Block {
        id: row.int("id")?,
        function_key: row.text("function_key")?,
        previous_concurrency: row.opt_int("previous_concurrency")?,
        policy: row.opt_text("policy")?,
        blocked_by: row.text("blocked_by")?,
        blocked_at: row.int("blocked_at")?,
        released_by: row.opt_text("released_by")?,
        released_at: row.opt_int("released_at")?,
    })
}

fn json_col(row: &impl Cols, col: &str) -> Result<serde_json::Value, sqlx::Error> {
    let text = row.text(col)?;
    serde_json::from_str(&text).map_err(|e| sqlx::Error::ColumnDecode {
        index: col.to_owned(),
        source: Box::new(e),
    })
}

fn policy_result_from_row(row: &impl Cols) -> Result<PolicyResult, sqlx::Error> {
    let outcome = row.text("outcome")?;
    Ok(PolicyResult {
        id: row.int("id")?,
        scan_id: row.int("scan_id")?,
        evaluated_at: row.int("evaluated_at")?,
        policy: row.text("policy")?,
        function_key: row.text("function_key")?,
        outcome: Outcome::parse(&outcome).ok_or_else(|| sqlx::Error::ColumnDecode {
            index: "outcome".to_owned(),
            source: format!("unknown outcome {outcome:?}").into(),
        })?,
        reasons: json_col(row, "reasons")?,
        action: row.opt_text("action")?,
    })
}

fn audit_from_row(row: &impl Cols) -> Result<AuditEntry, sqlx::Error> {
    Ok(AuditEntry {
        id: row.int("id")?,
        at: row.int("at")?,
        actor: row.text("actor")?,
        action: row.text("action")?,
        function_key: row.opt_text("function_key")?,
        policy: row.opt_text("policy")?,
        details: json_col(row, "details")?,
    })
}

fn token_from_row(row: &impl Cols) -> Result<TokenInfo, sqlx::Error> {
    let role = row.text("role")?;
    Ok(TokenInfo {
        id: row.text("id")?,
        name: row.text("name")?,
        role: Role::parse(&role).ok_or_else(|| sqlx::Error::ColumnDecode {
            index: "role".to_owned(),
            source: format!("unknown role {role:?}").into(),
        })?,
        created_at: row.int("created_at")?,
        created_by: row.text("created_by")?,
        last_used_at: row.opt_int("last_used_at")?,
        revoked_at: row.opt_int("revoked_at")?,
    })
}

const JOB_COLUMNS: &str = "jkey, kind, payload, interval_ms, next_run_at, lease_owner, lease_until, attempts, \
    last_started_at, last_finished_at, last_ok, last_message";

fn job_from_row(row: &impl Cols) -> Result<Job, sqlx::Error> {
    Ok(Job {
        key: row.text("jkey")?,
        kind: row.text("kind")?,
        payload: json_col(row, "payload")?,
        interval_ms: row.int("interval_ms")?,
        next_run_at: row.int("next_run_at")?,
        lease_owner: row.opt_text("lease_owner")?,
        lease_until: row.opt_int("lease_until")?,
        attempts: row.int("attempts")?,
        last_started_at: row.opt_int("last_started_at")?,
        last_finished_at: row.opt_int("last_finished_at")?,
        last_ok: row.opt_int("last_ok")?.map(|v| v != 0),
        last_message: row.opt_text("last_message")?,
    })
}

fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// The SHA-256 of a token, in hex: what the store keeps instead of the token.
pub fn token_hash(plaintext: &str) -> String {
    hex(&Sha256::digest(plaintext.as_bytes()))
}

/// Equal in time independent of where the first difference is.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A JSON value with every string scrubbed of secrets.
fn scrub_json(value: &serde_json::Value) -> serde_json::Value {
    match value {
        serde_json::Value::String(s) => serde_json::Value::String(redact::scrub(s)),
        serde_json::Value::Array(items) => {
            serde_json::Value::Array(items.iter().map(scrub_json).collect())
        }
        serde_json::Value::Object(map) => serde_json::Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let v = match v {
                        serde_json::Value::String(s) => {
                            serde_json::Value::String(redact::scrub_named(k, s))
                        }
                        other => scrub_json(other),
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

impl Store {
    /// Records a policy evaluation made against scan `scan_id`, and sets each listed function's
    /// `has_violation` flag from it (a function with any `violation` here is flagged, the others
    /// listed are cleared). One transaction.
    pub async fn record_policy_results(
        &self,
        scan_id: i64,
        results: &[PolicyResultInput],
    ) -> Result<usize, StoreError> {
        let now = now_millis();
        let rows: Vec<(&PolicyResultInput, String)> = results
            .iter()
            .map(|r| (r, scrub_json(&r.reasons).to_string()))
            .collect();
        let mut violating = std::collections::BTreeMap::<&str, bool>::new();
        for r in results {
            *violating.entry(r.function_key.as_str()).or_default() |=
                r.outcome == Outcome::Violation;
        }
        on_pool!(self, pool => {
            let mut tx = pool.begin_with(self.begin_write_sql()).await?;
            for (r, reasons) in &rows {
                let id = sqlx::query(
                    "INSERT INTO policy_results (scan_id, evaluated_at, policy, function_key, outcome, reasons, action) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                )
                .bind(scan_id)
                .bind(now)
                .bind(&r.policy)
                .bind(&r.function_key)
                .bind(r.outcome.as_str())
                .bind(reasons)
                .bind(&r.action)
                .fetch_one(&mut *tx)
                .await?
                .int("id")?;
                sqlx::query(
                    "INSERT INTO policy_latest (function_key, policy, outcome, evaluated_at, result_id) \
                     VALUES ($1, $2, $3, $4, $5) \
                     ON CONFLICT (function_key, policy) DO UPDATE SET outcome = excluded.outcome, \
                         evaluated_at = excluded.evaluated_at, result_id = excluded.result_id \
                     WHERE policy_latest.result_id < excluded.result_id",
                )
                .bind(&r.function_key)
                .bind(&r.policy)
                .bind(r.outcome.as_str())
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            }
            for (key, violation) in &violating {
                sqlx::query("UPDATE functions SET has_violation = $1 WHERE fkey = $2")
                    .bind(i64::from(*violation))
                    .bind(*key)
                    .execute(&mut *tx)
                    .await?;
            }
            crate::totals::refresh_function_totals!(self, tx);
            // The violating filter's marks follow `has_violation`.
            crate::marks::refresh_function_marks!(tx);
            tx.commit().await
        })
        .map_err(self.err("record policy results"))?;
        Ok(results.len())
    }

    /// A function's latest policy results, newest first.
    pub async fn policy_results_for(
        &self,
        function_key: &str,
        limit: u32,
    ) -> Result<Vec<PolicyResult>, StoreError> {
        on_pool!(self, pool => {
            sqlx::query(
                "SELECT id, scan_id, evaluated_at, policy, function_key, outcome, reasons, action \
                 FROM policy_results WHERE function_key = $1 ORDER BY id DESC LIMIT $2",
            )
            .bind(function_key)
            .bind(i64::from(limit.min(Page::MAX_LIMIT)))
            .fetch_all(pool)
            .await?
            .iter()
            .map(policy_result_from_row)
            .collect::<Result<Vec<_>, _>>()
        })
        .map_err(self.err("policy results"))
    }

    /// The policy results of one scan, in the order they were recorded.
    pub async fn policy_results_of_scan(
        &self,
        scan_id: i64,
        page: Page,
    ) -> Result<Paged<PolicyResult>, StoreError> {
        on_pool!(self, pool => {
            let items = sqlx::query(
                "SELECT id, scan_id, evaluated_at, policy, function_key, outcome, reasons, action \
                 FROM policy_results WHERE scan_id = $1 ORDER BY id LIMIT $2 OFFSET $3",
            )
            .bind(scan_id)
            .bind(page.limit_i64())
            .bind(page.offset_i64())
            .fetch_all(pool)
            .await?
            .iter()
            .map(policy_result_from_row)
            .collect::<Result<Vec<_>, _>>()?;
            let total = sqlx::query("SELECT COUNT(*) AS n FROM policy_results WHERE scan_id = $1")
                .bind(scan_id)
                .fetch_one(pool)
                .await?
                .int("n")?;
            Ok::<_, sqlx::Error>(Paged { total, items })
        })
        .map_err(self.err("policy results of scan"))
    }

    /// Records that a function was blocked, with the concurrency to restore, and appends the
    /// `block` audit entry, in one transaction. At most one block is active per function: if
    /// one already is (another worker got there first), nothing is written and it is returned.
    pub async fn record_block(&self, input: &BlockInput) -> Result<BlockOutcome, StoreError> {
        if input.function_key.is_empty() {
            return Err(StoreError::Invalid(
                "a block needs a function key".to_owned(),
            ));
        }
        let now = now_millis();
        let details = serde_json::json!({
            "previous_concurrency": input.previous_concurrency,
            "reserved_concurrency": 0,
        })
        .to_string();
        let select = format!(
            "SELECT {BLOCK_COLUMNS} FROM blocks WHERE function_key = $1 AND released_at IS NULL"
        );
        let insert = format!(
            "INSERT INTO blocks (function_key, previous_concurrency, policy, blocked_by, blocked_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING {BLOCK_COLUMNS}"
        );
        on_pool!(self, pool => {
            let mut tx = pool.begin_with(self.begin_write_sql()).await?;
            let inserted = sqlx::query(sqlx::AssertSqlSafe(insert))
                .bind(&input.function_key)
                .bind(input.previous_concurrency)
                .bind(&input.policy)
                .bind(&input.actor)
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
            let Some(row) = inserted else {
                let existing = sqlx::query(sqlx::AssertSqlSafe(select))
                    .bind(&input.function_key)
                    .fetch_one(&mut *tx)
                    .await?;
                let block = block_from_row(&existing)?;
                tx.rollback().await?;
                return Ok::<_, sqlx::Error>(BlockOutcome::AlreadyBlocked(block));
            };
            let block = block_from_row(&row)?;
            sqlx::query("UPDATE functions SET blocked = 1 WHERE fkey = $1")
                .bind(&input.function_key)
                .execute(&mut *tx)
                .await?;
            crate::totals::refresh_function_totals!(self, tx);
            crate::marks::refresh_function_marks!(tx);
            sqlx::query(
                "INSERT INTO audit_log (at, actor, action, function_key, policy, details) VALUES ($1, $2, 'block', $3, $4, $5)",
            )
            .bind(now)
            .bind(&input.actor)
            .bind(&input.function_key)
            .bind(&input.policy)
            .bind(&details)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(BlockOutcome::Recorded(block))
        })
        .map_err(self.err("record block"))
    }

    /// Releases the function's active block (for unblock) and appends the `unblock` audit
    /// entry, in one transaction. Exactly one caller gets the block back; any later or
    /// concurrent call gets `None`, so a restore is never done twice.
    pub async fn take_block(
        &self,
        function_key: &str,
        actor: &str,
    ) -> Result<Option<Block>, StoreError> {
        let now = now_millis();
        let update = format!(
            "UPDATE blocks SET released_at = $1, released_by = $2 \
             WHERE function_key = $3 AND released_at IS NULL RETURNING {BLOCK_COLUMNS}"
        );
        on_pool!(self, pool => {
            let mut tx = pool.begin_with(self.begin_write_sql()).await?;
            let Some(row) = sqlx::query(sqlx::AssertSqlSafe(update))
                .bind(now)
                .bind(actor)
                .bind(function_key)
                .fetch_optional(&mut *tx)
                .await?
            else {
                tx.rollback().await?;
                return Ok::<_, sqlx::Error>(None);
            };
            let block = block_from_row(&row)?;
            sqlx::query("UPDATE functions SET blocked = 0 WHERE fkey = $1")
                .bind(function_key)
                .execute(&mut *tx)
                .await?;
            crate::totals::refresh_function_totals!(self, tx);
            crate::marks::refresh_function_marks!(tx);
            let details = serde_json::json!({
                "restored_concurrency": block.previous_concurrency,
                "block_id": block.id,
            })
            .to_string();
            sqlx::query(
                "INSERT INTO audit_log (at, actor, action, function_key, policy, details) VALUES ($1, $2, 'unblock', $3, $4, $5)",
            )
            .bind(now)
            .bind(actor)
            .bind(function_key)
            .bind(&block.policy)
            .bind(&details)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(Some(block))
        })
        .map_err(self.err("take block"))
    }

    /// The function's active block, if any.
    pub async fn active_block(&self, function_key: &str) -> Result<Option<Block>, StoreError> {
        let sql = format!(
            "SELECT {BLOCK_COLUMNS} FROM blocks WHERE function_key = $1 AND released_at IS NULL"
        );
        on_pool!(self, pool => {
            match sqlx::query(sqlx::AssertSqlSafe(sql)).bind(function_key).fetch_optional(pool).await? {
                Some(row) => block_from_row(&row).map(Some),
                None => Ok(None),
            }
        })
        .map_err(self.err("active block"))
    }

    /// Every block of a function, newest first.
    pub async fn list_blocks(&self, function_key: &str) -> Result<Vec<Block>, StoreError> {
        let sql = format!(
            "SELECT {BLOCK_COLUMNS} FROM blocks WHERE function_key = $1 ORDER BY id DESC LIMIT 1000"
        );
        on_pool!(self, pool => {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(function_key)
                .fetch_all(pool)
                .await?
                .iter()
                .map(block_from_row)
                .collect::<Result<Vec<_>, _>>()
        })
        .map_err(self.err("list blocks"))
    }

    /// Appends an audit entry (its details scrubbed of secrets) and returns its id. Entries are
    /// never changed or deleted through this API, and retention keeps them.
    pub async fn append_audit(&self, entry: &AuditInput) -> Result<i64, StoreError> {
        let details = scrub_json(&entry.details).to_string();
        let now = now_millis();
        on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO audit_log (at, actor, action, function_key, policy, details) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(now)
            .bind(&entry.actor)
            .bind(&entry.action)
            .bind(&entry.function_key)
            .bind(&entry.policy)
            .bind(&details)
            .fetch_one(pool)
            .await
            .and_then(|row| row.int("id"))
        })
        .map_err(self.err("append audit"))
    }

    /// Audit entries matching `filter`, newest first.
    pub async fn list_audit(
        &self,
        filter: &AuditFilter,
        page: Page,
    ) -> Result<Paged<AuditEntry>, StoreError> {
        let mut w = Where::default();
        if let Some(v) = &filter.function_key {
            w.push("function_key = ?", vec![Arg::Text(v.clone())]);
        }
        if let Some(v) = &filter.action {
            w.push("action = ?", vec![Arg::Text(v.clone())]);
        }
        if let Some(v) = &filter.actor {
            w.push("actor = ?", vec![Arg::Text(v.clone())]);
        }
        let n = w.next();
        let list = format!(
            "SELECT id, at, actor, action, function_key, policy, details FROM audit_log {} \
             ORDER BY id DESC LIMIT ${n} OFFSET ${}",
            w.sql(),
            n + 1
        );
        let count = format!("SELECT COUNT(*) AS n FROM audit_log {}", w.sql());
        on_pool!(self, pool => {
            let items = bind_args!(sqlx::query(sqlx::AssertSqlSafe(list)), &w.args)
                .bind(page.limit_i64())
                .bind(page.offset_i64())
                .fetch_all(pool)
                .await?
                .iter()
                .map(audit_from_row)
                .collect::<Result<Vec<_>, _>>()?;
            let total = bind_args!(sqlx::query(sqlx::AssertSqlSafe(count)), &w.args)
                .fetch_one(pool)
                .await?
                .int("n")?;
            Ok::<_, sqlx::Error>(Paged { total, items })
        })
        .map_err(self.err("list audit"))
    }

    /// Creates an API token: 32 random bytes from the OS, shown once as
    /// `fgt_<id>_<secret>`; only its SHA-256 is stored.
    pub async fn create_token(
        &self,
        name: &str,
        role: Role,
        created_by: &str,
    ) -> Result<NewToken, StoreError> {
        let mut id = [0u8; 6];
        let mut secret = [0u8; 32];
        getrandom::fill(&mut id)
            .and_then(|()| getrandom::fill(&mut secret))
            .map_err(|e| StoreError::Invalid(format!("the OS random generator failed: {e}")))?;
        let id = hex(&id);
        let plaintext = format!("fgt_{id}_{}", hex(&secret));
        let now = now_millis();
        let info = TokenInfo {
            id: id.clone(),
            name: name.to_owned(),
            role,
            created_at: now,
            created_by: created_by.to_owned(),
            last_used_at: None,
            revoked_at: None,
        };
        let hash = token_hash(&plaintext);
        on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO api_tokens (id, name, role, hash, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&id)
            .bind(name)
            .bind(role.as_str())
            .bind(&hash)
            .bind(now)
            .bind(created_by)
            .execute(pool)
            .await
            .map(|_| ())
        })
        .map_err(self.err("create token"))?;
        Ok(NewToken { info, plaintext })
    }

    /// The token's info if `plaintext` is a valid, unrevoked token (hash compared in constant
    /// time); `None` otherwise. Records the last use at most once a minute.
    pub async fn verify_token(&self, plaintext: &str) -> Result<Option<TokenInfo>, StoreError> {
        let Some(id) = plaintext
            .strip_prefix("fgt_")
            .and_then(|rest| rest.split_once('_'))
            .map(|(id, _)| id)
        else {
            return Ok(None);
        };
        let hash = token_hash(plaintext);
        let found = on_pool!(self, pool => {
            let Some(row) = sqlx::query(
                "SELECT id, name, role, hash, created_at, created_by, last_used_at, revoked_at FROM api_tokens WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(pool)
            .await?
            else {
                return Ok::<_, sqlx::Error>(None);
            };
            Ok(Some((token_from_row(&row)?, row.text("hash")?)))
        })
        .map_err(self.err("verify token"))?;
        let Some((info, stored)) = found else {
            return Ok(None);
        };
        if !constant_time_eq(stored.as_bytes(), hash.as_bytes()) || info.revoked_at.is_some() {
            return Ok(None);
        }
        let now = now_millis();
        if info.last_used_at.is_none_or(|t| now - t > 60_000) {
            on_pool!(self, pool => {
                sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
                    .bind(now)
                    .bind(&info.id)
                    .execute(pool)
                    .await
                    .map(|_| ())
            })
            .map_err(self.err("verify token"))?;
        }
        Ok(Some(info))
    }

    /// Revokes a token by id; `false` if there is no such unrevoked token.
    pub async fn revoke_token(&self, id: &str) -> Result<bool, StoreError> {
        let now = now_millis();
        on_pool!(self, pool => {
            sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
                .bind(now)
                .bind(id)
                .execute(pool)
                .await
                .map(|r| r.rows_affected() == 1)
        })
        .map_err(self.err("revoke token"))
    }

    /// Every token (revoked ones too), oldest first, without plaintext or hash.
    pub async fn list_tokens(&self) -> Result<Vec<TokenInfo>, StoreError> {
        on_pool!(self, pool => {
            sqlx::query(
                "SELECT id, name, role, created_at, created_by, last_used_at, revoked_at FROM api_tokens ORDER BY created_at, id",
            )
            .fetch_all(pool)
            .await?
            .iter()
            .map(token_from_row)
            .collect::<Result<Vec<_>, _>>()
        })
        .map_err(self.err("list tokens"))
    }

    /// Creates or updates a periodic job. A new job is due at once; an existing one keeps its
    /// schedule and lease but takes the new kind, payload and interval.
    pub async fn schedule(
        &self,
        key: &str,
        kind: &str,
        payload: &serde_json::Value,
        interval: Duration,
    ) -> Result<(), StoreError> {
        if key.is_empty() || interval.is_zero() {
            return Err(StoreError::Invalid(
                "a job needs a key and a non-zero interval".to_owned(),
            ));
        }
        let now = now_millis();
        let payload = payload.to_string();
        on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO jobs (jkey, kind, payload, interval_ms, next_run_at, created_at) VALUES ($1, $2, $3, $4, $5, $5) \
                 ON CONFLICT (jkey) DO UPDATE SET kind = excluded.kind, payload = excluded.payload, interval_ms = excluded.interval_ms",
            )
            .bind(key)
            .bind(kind)
            .bind(&payload)
            .bind(duration_millis(interval))
            .bind(now)
            .execute(pool)
            .await
            .map(|_| ())
        })
        .map_err(self.err("schedule job"))?;
        Ok(())
    }

    /// Removes a job; `false` if there was none.
    pub async fn unschedule(&self, key: &str) -> Result<bool, StoreError> {
        on_pool!(self, pool => {
            sqlx::query("DELETE FROM jobs WHERE jkey = $1")
                .bind(key)
                .execute(pool)
                .await
                .map(|r| r.rows_affected() == 1)
        })
        .map_err(self.err("unschedule job"))
    }

    /// Every job, by key.
    pub async fn list_jobs(&self) -> Result<Vec<Job>, StoreError> {
        let sql = format!("SELECT {JOB_COLUMNS} FROM jobs ORDER BY jkey");
        on_pool!(self, pool => {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .fetch_all(pool)
                .await?
                .iter()
                .map(job_from_row)
                .collect::<Result<Vec<_>, _>>()
        })
        .map_err(self.err("list jobs"))
    }

    /// Claims the most overdue job for `worker` for `lease`: a job that is due and not leased,
    /// or whose lease expired (its worker died). The claim bumps `attempts`. Two workers never
    /// get the same job: PostgreSQL locks the row with `FOR UPDATE SKIP LOCKED` inside the
    /// transaction, SQLite runs the claim as a single writer (`BEGIN IMMEDIATE`).
    pub async fn claim_due(
        &self,
        worker: &str,
        lease: Duration,
    ) -> Result<Option<Job>, StoreError> {
        let now = now_millis();
        let until = now.saturating_add(duration_millis(lease));
        let lock = match self.backend() {
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let select = format!(
            "SELECT jkey FROM jobs \
             WHERE (lease_until IS NULL AND next_run_at <= $1) OR (lease_until IS NOT NULL AND lease_until <= $1) \
             ORDER BY next_run_at, jkey LIMIT 1{lock}"
        );
        let update = format!(
            "UPDATE jobs SET lease_owner = $1, lease_until = $2, attempts = attempts + 1, last_started_at = $3 \
             WHERE jkey = $4 RETURNING {JOB_COLUMNS}"
        );
        on_pool!(self, pool => {
            let mut tx = pool.begin_with(self.begin_write_sql()).await?;
            let Some(row) = sqlx::query(sqlx::AssertSqlSafe(select))
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?
            else {
                tx.rollback().await?;
                return Ok::<_, sqlx::Error>(None);
            };
            let key = row.text("jkey")?;
            let row = sqlx::query(sqlx::AssertSqlSafe(update))
                .bind(worker)
                .bind(until)
                .bind(now)
                .bind(&key)
                .fetch_one(&mut *tx)
                .await?;
            let job = job_from_row(&row)?;
            tx.commit().await?;
            Ok(Some(job))
        })
        .map_err(self.err("claim job"))
    }

    /// Extends `worker`'s lease on a job; `false` if the worker no longer holds it (the lease
    /// expired and another worker claimed the job): stop working on it.
    pub async fn renew_lease(
        &self,
        key: &str,
        worker: &str,
        lease: Duration,
    ) -> Result<bool, StoreError> {
        let now = now_millis();
        let until = now.saturating_add(duration_millis(lease));
        on_pool!(self, pool => {
            sqlx::query(
                "UPDATE jobs SET lease_until = $1 WHERE jkey = $2 AND lease_owner = $3 AND lease_until IS NOT NULL",
            )
            .bind(until)
            .bind(key)
            .bind(worker)
            .execute(pool)
            .await
            .map(|r| r.rows_affected() == 1)
        })
        .map_err(self.err("renew lease"))
    }

    /// Gives up `worker`'s run of a job without finishing it (the worker is shutting down):
    /// the lease is released and the job stays due, so another worker, or this one after a
    /// restart, claims it at once instead of after the lease expires. `false` if the worker
    /// no longer held the job (nothing changed).
    pub async fn release_lease(&self, key: &str, worker: &str) -> Result<bool, StoreError> {
        on_pool!(self, pool => {
            sqlx::query(
                "UPDATE jobs SET lease_owner = NULL, lease_until = NULL \
                 WHERE jkey = $1 AND lease_owner = $2 AND lease_until IS NOT NULL",
            )
            .bind(key)
            .bind(worker)
            .execute(pool)
            .await
            .map(|r| r.rows_affected() == 1)
        })
        .map_err(self.err("release lease"))
    }

    /// Finishes `worker`'s run of a job: releases the lease and schedules the next run one
    /// interval from now. `ok` resets the attempt counter. `false` if the worker no longer
    /// held the job (nothing changed).
    pub async fn complete(
        &self,
        key: &str,
        worker: &str,
        ok: bool,
        message: &str,
    ) -> Result<bool, StoreError> {
        let now = now_millis();
        let message = redact::scrub(message);
        on_pool!(self, pool => {
            sqlx::query(
                "UPDATE jobs SET lease_owner = NULL, lease_until = NULL, next_run_at = $1 + interval_ms, \
                     last_finished_at = $1, last_ok = $2, last_message = $3, \
                     attempts = CASE WHEN $2 = 1 THEN 0 ELSE attempts END \
                 WHERE jkey = $4 AND lease_owner = $5 AND lease_until IS NOT NULL",
            )
            .bind(now)
            .bind(i64::from(ok))
            .bind(&message)
            .bind(key)
            .bind(worker)
            .execute(pool)
            .await
            .map(|r| r.rows_affected() == 1)
        })
        .map_err(self.err("complete job"))
    }

    /// Deletes scans (and their policy results) that started more than `keep_days` days ago.
    /// Finding history, functions, blocks, jobs and the audit log are kept.
    pub async fn prune(&self, keep_days: u32) -> Result<PruneSummary, StoreError> {
        let cutoff = now_millis() - i64::from(keep_days) * crate::query::DAY_MS;
        self.prune_before(cutoff).await
    }

    /// Deletes scans that started before `cutoff`, and their policy results.
    pub async fn prune_before(&self, cutoff: Millis) -> Result<PruneSummary, StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_with(self.begin_write_sql()).await?;
            let policy_results = sqlx::query(
                "DELETE FROM policy_results WHERE scan_id IN (SELECT id FROM scans WHERE started_at < $1)",
            )
            .bind(cutoff)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            let scans = sqlx::query("DELETE FROM scans WHERE started_at < $1 AND status <> 'running'")
                .bind(cutoff)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            tx.commit().await?;
            Ok::<_, sqlx::Error>(PruneSummary {
                scans: i64::try_from(scans).unwrap_or(i64::MAX),
                policy_results: i64::try_from(policy_results).unwrap_or(i64::MAX),
            })
        })
        .map_err(self.err("prune"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Equal hashes compare equal, different ones (or lengths) do not.
    #[test]
    fn constant_time_comparison() {
        assert!(constant_time_eq(b"abcd", b"abcd"));
        assert!(!constant_time_eq(b"abcd", b"abce"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
    }

    /// Every string inside a JSON value is scrubbed, keys and numbers stay.
    #[test]
    fn json_details_are_scrubbed() {
        // Built at run time so that faasguard's own scan of this file finds no key.
        let key = ["AKIA", "Z7Q2WLMN4RTB3XKD"].concat();
        let v = serde_json::json!({"env": {"ID": key}, "n": 3});
        let out = scrub_json(&v).to_string();
        assert!(!out.contains(&key), "{out}");
        assert!(out.contains("\"n\":3"));
    }
}
