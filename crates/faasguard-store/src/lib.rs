//! The faasguard store: what the server remembers between scans.
//!
//! One [`Store`] over either an embedded **SQLite** file (the default: no setup) or a
//! **PostgreSQL** database (`postgres://…`, when several `faasguard serve` processes share the
//! work). [`Store::open`] connects and runs the migrations; every method is `async` and takes
//! `&self` (a `Store` is a cheap handle over a connection pool: clone it into tasks).
//!
//! # Public API
//!
//! Opening:
//! - [`Store::open`]`(url_or_path) -> Result<Store, StoreError>`; [`Store::open_with`] with
//!   [`OpenOptions`] (connect timeout, pool size). A path or `sqlite:` URL opens (and creates) a
//!   SQLite file in WAL mode with foreign keys on and a busy timeout; `postgres://` or
//!   `postgresql://` opens PostgreSQL. [`Store::backend`], [`Store::database`] (the name with any
//!   password removed, as errors show it).
//!
//! Scans and history ([`ingest`]):
//! - [`Store::record_scan`]`(kind, scope, &Report, complete) -> ScanSummary`: one transaction.
//! - [`Store::begin_scan`] / [`Store::finish_scan`] / [`Store::fail_scan`] for a scheduler that
//!   wants a `running` row while the scan runs; [`Store::list_scans`], [`Store::scan`].
//!
//! Dashboard queries ([`query`]), all paginated by [`Page`] into [`Paged`] (stable order, total):
//! - [`Store::list_functions`]`(&FunctionFilter, Page)`: blocked first, then by key.
//! - [`Store::function_detail`]`(key) -> Option<FunctionDetail>`: summary, open findings by
//!   family, finding history, blocks, policy results.
//! - [`Store::list_findings`]`(&FindingFilter, Page) -> FindingsPage`: by severity, newest
//!   first. Text search is a case-insensitive substring match (ASCII letters). A word index
//!   (migration 7, `search.rs`: each finding's runs of letters and digits, filed by word,
//!   state, severity and id, kept by the writers) answers a term through the words its runs
//!   can lie in; terms without a usable run and filters it does not carry (one function, a
//!   scope, a rule id prefix) use an FTS5 trigram index (SQLite) or a `pg_trgm` GIN index
//!   (PostgreSQL, created at open when the extension can be; searching still works without
//!   it, by scanning). A text search counts at most [`SEARCH_COUNT_LIMIT`] (1,000) matches:
//!   beyond that `total` is 1,000 and `total_exact` is `false` ("more than 1,000"); every
//!   other total is exact. A rule family (`FG-DEP`) filters on an index.
//! - List totals that filters on account, region, flags, severity, status and rule family can
//!   answer come from `function_totals` / `finding_totals`, recomputed by every write that
//!   changes them, in its transaction (`totals.rs`), and are read by the page's statement.
//!   Deep pages read keys from an index first; in the unfiltered lists (functions, also
//!   filtered by violation alone; findings by state) they start from the mark before them: the
//!   writers keep the key of every 256th row (migrations 8 and 10, `marks.rs`).
//! - Memoised per store generation (`cache.rs`; every write that changes a list advances
//!   `store_generation`, migration 6): a text search's total and page ids, and where a deep
//!   offset page starts (so it is read as a keyset page). [`Store::uncached`] gives a handle
//!   that computes both afresh (the server's `Cache-Control: no-cache`).
//! - [`Store::list_assurance`]`(&FunctionFilter, Page) -> Paged<FunctionOutcomes>`: the
//!   functions list with the latest outcome of each policy for each function, read by the
//!   page's statement (the assurance view).
//! - [`Store::findings_by_day`]`(days) -> Vec<DayCounts>`: open findings per severity per day.
//!
//! Assurance and actions ([`ops`]):
//! - [`Store::record_policy_results`]`(scan_id, &[PolicyResultInput])` (also sets each listed
//!   function's `has_violation`), [`Store::policy_results_for`]`(key, limit)`,
//!   [`Store::policy_results_of_scan`]`(scan_id, Page)`.
//! - [`Store::record_block`]`(BlockInput) -> BlockOutcome` (at most one active block per
//!   function, enforced by a unique index), [`Store::take_block`]`(key, actor) -> Option<Block>`
//!   (unblock: the first caller gets the block, later ones `None`), [`Store::active_block`],
//!   [`Store::list_blocks`]. Both write their audit entry in the same transaction.
//! - [`Store::append_audit`]`(AuditInput) -> i64`, [`Store::list_audit`]`(&AuditFilter, Page)`.
//!   There is no update or delete for the audit log.
//! - [`Store::create_token`]`(name, Role, created_by) -> NewToken` (the plaintext, once),
//!   [`Store::verify_token`]`(plaintext) -> Option<TokenInfo>`, [`Store::revoke_token`],
//!   [`Store::list_tokens`].
//! - Jobs: [`Store::schedule`]`(key, kind, payload, interval)`, [`Store::claim_due`]`(worker,
//!   lease) -> Option<Job>`, [`Store::renew_lease`], [`Store::complete`]`(key, worker, ok,
//!   message)`, [`Store::list_jobs`], [`Store::unschedule`].
//! - Retention: [`Store::prune`]`(keep_days)` / [`Store::prune_before`]`(cutoff)`.
//!
//! Times are [`Millis`] (milliseconds since the Unix epoch, UTC) everywhere ([`now_millis`]).
//! With the `testdata` feature, `testdata::synthetic_report(account, region, functions,
//! findings_per_function, seed)` builds cloud-scan reports to fill a store through the real
//! `record_scan` path (`examples/query_bench.rs` and `bench.sh` time the dashboard queries on
//! 10,000 functions and 200,000 findings, on SQLite and a throwaway PostgreSQL), and
//! `testpg::postgres()` starts the throwaway PostgreSQL cluster the store's and the CLI's
//! tests use.
//!
//! # Keys
//!
//! A function's key is the report's function id for cloud scans (`123456789012/eu-west-1/name`,
//! unique across accounts and regions). For other scan kinds the id names a file
//! (`template.yaml#Fn`), which repeats across repositories, so the key is `scope::id`. A finding
//! is identified by its scope and its fingerprint ([`faasguard_core::fingerprint`]).
//!
//! # History
//!
//! Each finding keeps `first_seen`, `last_seen`, `fixed_at` and a reopen count, and every
//! transition (opened, fixed, reopened) is a row in `finding_events`. A **complete** scan of a
//! scope marks the scope's open findings it did not report as fixed and the functions it did not
//! list as deleted; an incomplete scan (some regions or functions could not be read) only adds
//! and updates, so a read failure never looks like a fix.
//!
//! # Secrets
//!
//! No secret value reaches the store. The engine already redacts, and the store defends in
//! depth ([`redact`]): it keeps only the fields it needs (no data-flow steps, no raw report);
//! secret findings (`FG-SEC`) keep their evidence only in the [`faasguard_core::redact_secret`]
//! form and are re-redacted otherwise; every other stored text (messages, evidence,
//! remediation, tag values, problems) goes through faasguard's own secret rules and is withheld
//! when one matches. API tokens are stored as SHA-256 hashes only.
//!
//! # Schema (tables)
//!
//! `scans`, `functions` (with denormalised open-finding counts, `has_violation`, `blocked`),
//! `findings` (a dependency finding also keeps its package, installed and fixed versions and,
//! since migration 9, its advisory id), `finding_events`, `finding_totals` (per rule family, severity and state, for list
//! totals; migration 4), `function_totals` (live functions per account, region and flags;
//! migration 4),
//! `store_generation` (one counter, migration 6), `policy_latest` (migration 5),
//! `search_words` / `finding_words` (the word index, migration 7), `function_marks` /
//! `finding_marks` (every 256th row's key of the unfiltered lists and of the violating
//! filter's; migrations 8 and 10),
//! `daily_counts` (the chart), `policy_results`, `blocks`, `audit_log`, `api_tokens`, `jobs`
//! (`migrations/0001_initial.sql`); SQLite's `findings_search` FTS5 table and its triggers
//! (`migrations/0002_search.sqlite.sql`); sqlx's `_sqlx_migrations`. Retention deletes old
//! `scans` and, with them, their `policy_results`; findings, their events, the counts, blocks,
//! tokens, jobs and the audit log are kept. [`SCHEMA_VERSION`] is the latest migration.
//!
//! # Why sqlx, and how
//!
//! sqlx is the one mature async Rust driver that speaks both SQLite (bundled, so no system
//! library) and PostgreSQL over the same pool and transaction API, on tokio like the server.
//! It is the heaviest dependency of the workspace after the AWS SDK: the bundled SQLite C
//! amalgamation and `sqlx-postgres` dominate its build. So the `macros` feature is off (it would
//! compile SQLite a second time for the proc-macro host build) and queries are plain
//! `sqlx::query` with run-time binding; rows are decoded by column name.
//!
//! Migrations use sqlx's own `Migrator`, built from SQL embedded with `include_str!`
//! ([`sqlx::migrate::Migrator::with_migrations`]): it records applied versions with checksums
//! and takes PostgreSQL's advisory lock, so two servers starting at once do not race. The schema
//! is one SQL text for both backends (only the auto-increment key differs, substituted at open),
//! plus one small per-dialect migration for the search index; queries are shared too (`$1`
//! placeholders work in both), except for job claiming (PostgreSQL `FOR UPDATE SKIP LOCKED`,
//! SQLite `BEGIN IMMEDIATE`) and text search (`ILIKE` over a trigram index / FTS5 `MATCH`). A
//! dynamic query builder would have bought nothing: the measured differences were these three.

mod cache;
mod error;
pub mod ingest;
mod marks;
pub mod ops;
pub mod query;
pub mod redact;
mod rows;
mod schema;
mod search;
#[cfg(feature = "testdata")]
pub mod testdata;
#[cfg(feature = "testdata")]
pub mod testpg;
mod totals;

use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sqlx::ConnectOptions;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use crate::rows::Cols;

pub use error::StoreError;
pub use ingest::{ScanStatus, ScanSummary, function_key};
pub use ops::{
    AuditEntry, AuditFilter, AuditInput, Block, BlockInput, BlockOutcome, Job, NewToken, Outcome,
    PolicyResult, PolicyResultInput, PruneSummary, Role, TokenInfo, token_hash,
};
pub use query::{
    DayCounts, FindingCursor, FindingEvent, FindingFilter, FindingStatus, FindingsPage,
    FunctionCursor, FunctionDetail, FunctionFilter, FunctionOutcomes, FunctionRow, Page, Paged,
    SEARCH_COUNT_LIMIT, SeverityCounts, StoredFinding,
};
pub use schema::SCHEMA_VERSION;

/// Milliseconds since the Unix epoch (UTC).
pub type Millis = i64;

/// Which database a [`Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// How to open a store.
#[derive(Debug, Clone)]
pub struct OpenOptions {
    /// How long to wait for a connection (and for PostgreSQL to answer) before failing.
    pub connect_timeout: Duration,
    /// Maximum connections in the pool.
    pub max_connections: u32,
    /// SQLite: how long a writer waits for the file lock before `database is locked`.
    pub busy_timeout: Duration,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions {
            connect_timeout: Duration::from_secs(10),
            max_connections: 8,
            busy_timeout: Duration::from_secs(10),
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A handle on the store (cheap to clone; all clones share one connection pool).
#[derive(Debug, Clone)]
pub struct Store {
    pub(crate) pool: Pool,
    database: String,
    /// Text search answers and deep-page positions memoised per store generation (cache.rs),
    /// shared by every clone.
    pub(crate) cache: Arc<cache::ListCache>,
    /// `false` on an [`Store::uncached`] handle: compute afresh (and memoise the result).
    pub(crate) use_cache: bool,
}

/// Runs `$body` with `$pool` bound to the SQLite or the PostgreSQL pool: the body is compiled
/// once per backend, so the same query code serves both.
macro_rules! on_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.pool {
            $crate::Pool::Sqlite($pool) => (async { $body }).await,
            $crate::Pool::Postgres($pool) => (async { $body }).await,
        }
    };
}
pub(crate) use on_pool;

impl Store {
    /// Opens the store at `url_or_path` with the default [`OpenOptions`] and brings its schema
    /// up to date.
    pub async fn open(url_or_path: &str) -> Result<Store, StoreError> {
        Store::open_with(url_or_path, &OpenOptions::default()).await
    }

    /// Opens the store at `url_or_path`: `postgres://…` / `postgresql://…` for PostgreSQL;
    /// `sqlite:PATH`, `sqlite://PATH` or a plain path for a SQLite file (created if missing).
    pub async fn open_with(url_or_path: &str, options: &OpenOptions) -> Result<Store, StoreError> {
        let lower = url_or_path.to_ascii_lowercase();
        let store = if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            open_postgres(url_or_path, options).await?
        } else if let Some(path) = url_or_path
            .strip_prefix("sqlite://")
            .or_else(|| url_or_path.strip_prefix("sqlite:"))
        {
            open_sqlite(path, options).await?
        } else if let Some((scheme, _)) = url_or_path.split_once("://") {
            return Err(StoreError::Open {
                database: url_or_path.to_owned(),
                cause: format!(
                    "unsupported database URL scheme `{scheme}` (use a file path, sqlite:PATH or postgres://…)"
                ),
            });
        } else {
            open_sqlite(url_or_path, options).await?
        };
        schema::migrate(&store).await?;
        Ok(store)
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// The database as errors name it: the SQLite path, or the PostgreSQL URL without its
    /// password.
    pub fn database(&self) -> &str {
        &self.database
    }

    /// A handle on the same store that computes text searches and deep-page positions afresh
    /// instead of reusing the ones memoised for the current store generation (it still files
    /// what it computes). The server uses it for a request with `Cache-Control: no-cache`.
    #[must_use]
    pub fn uncached(&self) -> Store {
        Store {
            use_cache: false,
            ..self.clone()
        }
    }

    /// The store generation: advanced by every write that changes the listed functions or
    /// findings, in that write's transaction (migration 6).
    pub(crate) async fn generation(&self) -> Result<i64, StoreError> {
        on_pool!(self, pool => {
            sqlx::query("SELECT n FROM store_generation WHERE id = 1")
                .fetch_one(pool)
                .await?
                .int("n")
        })
        .map_err(self.err("store generation"))
    }

    /// Closes every connection (waits for checked-out ones to come back).
    pub async fn close(&self) {
        on_pool!(self, pool => pool.close().await);
    }

    /// An error-mapping closure naming this database and the operation.
    pub(crate) fn err(&self, operation: &'static str) -> impl Fn(sqlx::Error) -> StoreError + '_ {
        move |source| StoreError::Query {
            database: self.database.clone(),
            operation,
            source,
        }
    }

    /// The statement that starts a write transaction: SQLite takes the write lock up front
    /// (`BEGIN IMMEDIATE`) so that two writers queue on the busy timeout instead of failing
    /// on a lock upgrade.
    pub(crate) fn begin_write_sql(&self) -> &'static str {
        match self.backend() {
            Backend::Sqlite => "BEGIN IMMEDIATE",
            Backend::Postgres => "BEGIN",
        }
    }

    /// `ILIKE` on PostgreSQL; SQLite's `LIKE` is already case-insensitive for ASCII.
    pub(crate) fn ilike(&self) -> &'static str {
        match self.backend() {
            Backend::Sqlite => "LIKE",
            Backend::Postgres => "ILIKE",
        }
    }
}

/// Now, in milliseconds since the Unix epoch.
pub fn now_millis() -> Millis {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

pub(crate) fn duration_millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

async fn open_sqlite(path: &str, options: &OpenOptions) -> Result<Store, StoreError> {
    let database = path.to_owned();
    if path.is_empty() {
        return Err(StoreError::Open {
            database,
            cause: "empty SQLite path".to_owned(),
        });
    }
    let connect = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(options.busy_timeout)
        .pragma("cache_size", "-32768")
        .disable_statement_logging();
    let pool = SqlitePoolOptions::new()
        .max_connections(options.max_connections.max(1))
        .acquire_timeout(options.connect_timeout)
        .connect_with(connect)
        .await
        .map_err(|e| StoreError::Open {
            database: database.clone(),
            cause: format!("cannot open the SQLite file: {e}"),
        })?;
    Ok(Store {
        pool: Pool::Sqlite(pool),
        database,
        cache: Arc::default(),
        use_cache: true,
    })
}

async fn open_postgres(url: &str, options: &OpenOptions) -> Result<Store, StoreError> {
    let database = without_password(url);
    let connect = PgConnectOptions::from_str(url)
        .map_err(|e| StoreError::Open {
            database: database.clone(),
            cause: format!("malformed PostgreSQL URL: {e}"),
        })?
        .disable_statement_logging();
    let connecting = PgPoolOptions::new()
        .max_connections(options.max_connections.max(1))
        .acquire_timeout(options.connect_timeout)
        .connect_with(connect);
    // The acquire timeout covers the pool; the outer timeout also covers a server that accepts
    // the TCP connection and then never answers.
    let pool =
        match tokio::time::timeout(options.connect_timeout + Duration::from_secs(1), connecting)
            .await
        {
            Ok(Ok(pool)) => pool,
            Ok(Err(e)) => {
                return Err(StoreError::Open {
                    database,
                    cause: format!("cannot connect to PostgreSQL: {e}"),
                });
            }
            Err(_) => {
                return Err(StoreError::Open {
                    database,
                    cause: format!(
                        "cannot connect to PostgreSQL: no answer within {:?}",
                        options.connect_timeout
                    ),
                });
            }
        };
    Ok(Store {
        pool: Pool::Postgres(pool),
        database,
        cache: Arc::default(),
        use_cache: true,
    })
}

/// `postgres://user:secret@host/db` → `postgres://user@host/db`.
fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (authority, tail) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
            format!("{scheme}://{user}@{host}{tail}")
        }
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Error messages never show a PostgreSQL password.
    #[test]
    fn password_is_removed_from_the_url() {
        assert_eq!(
            without_password(&format!(
                "postgres://app:{}@db.local:5432/faasguard?sslmode=disable",
                "pass-word"
            )),
            "postgres://app@db.local:5432/faasguard?sslmode=disable"
        );
        assert_eq!(
            without_password("postgres://db.local/x"),
            "postgres://db.local/x"
        );
    }
}
