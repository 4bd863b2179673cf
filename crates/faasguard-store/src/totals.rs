//! List totals kept by the writers: `finding_totals` (per rule family, severity and state) and
//! `function_totals` (live functions per account, region and flags). A dashboard list whose
//! filter they can answer sums a few of their rows instead of counting thousands of index
//! entries on every request (migration 4; measured in BENCHMARKS.md, "Server API").
//!
//! Every write that changes what they count recomputes them in its own transaction, last:
//! [`refresh_finding_totals!`] after a recorded scan, [`refresh_function_totals!`] after a
//! recorded scan, a policy evaluation (`has_violation`), a block and an unblock. A recompute is
//! a `GROUP BY` over an index (a few milliseconds at 10,000 functions / 200,000 findings),
//! which writers can afford and readers then never pay. On PostgreSQL the recompute first
//! takes a transaction advisory lock, so two workers' transactions recompute one after the
//! other and the second counts what the first committed (each statement of a READ COMMITTED
//! transaction sees the latest commits); SQLite's write transactions are serialised already
//! (`BEGIN IMMEDIATE`).

/// PostgreSQL: serialises the recomputes of concurrent write transactions (released at
/// commit or rollback). The key is an arbitrary constant of this crate.
pub(crate) const PG_TOTALS_LOCK: &str = "SELECT pg_advisory_xact_lock(7163420904)";

pub(crate) const DELETE_FUNCTION_TOTALS: &str = "DELETE FROM function_totals";

pub(crate) const INSERT_FUNCTION_TOTALS: &str = "INSERT INTO function_totals (account, region, has_violation, blocked, n) \
     SELECT COALESCE(account, ''), COALESCE(region, ''), has_violation, blocked, COUNT(*) \
     FROM functions WHERE deleted_at IS NULL \
     GROUP BY COALESCE(account, ''), COALESCE(region, ''), has_violation, blocked";

pub(crate) const DELETE_FINDING_TOTALS: &str = "DELETE FROM finding_totals";

pub(crate) const INSERT_FINDING_TOTALS: &str = "INSERT INTO finding_totals (family, severity, open, n) \
     SELECT family, severity, open, COUNT(*) FROM findings GROUP BY family, severity, open";

/// Advances `store_generation` (migration 6): what readers memoised under the old value
/// (`cache.rs`) is recomputed.
pub(crate) const BUMP_GENERATION: &str = "UPDATE store_generation SET n = n + 1 WHERE id = 1";

/// Takes the totals lock (PostgreSQL) inside the write transaction `$tx` of `$store` and
/// advances the store generation: every write that changes a list recomputes its totals, so
/// this is also where a list's memoised answers become stale.
macro_rules! lock_totals {
    ($store:expr, $tx:expr) => {
        if $store.backend() == $crate::Backend::Postgres {
            sqlx::query($crate::totals::PG_TOTALS_LOCK)
                .execute(&mut *$tx)
                .await?;
        }
        sqlx::query($crate::totals::BUMP_GENERATION)
            .execute(&mut *$tx)
            .await?;
    };
}
pub(crate) use lock_totals;

/// Recomputes `function_totals` inside the write transaction `$tx` of `$store` (an
/// `on_pool!` body returning `sqlx::Error`). Call it after the transaction's last change to
/// `functions`.
macro_rules! refresh_function_totals {
    ($store:expr, $tx:expr) => {
        $crate::totals::lock_totals!($store, $tx);
        sqlx::query($crate::totals::DELETE_FUNCTION_TOTALS)
            .execute(&mut *$tx)
            .await?;
        sqlx::query($crate::totals::INSERT_FUNCTION_TOTALS)
            .execute(&mut *$tx)
            .await?;
    };
}
pub(crate) use refresh_function_totals;

/// Recomputes `finding_totals` inside the write transaction `$tx` of `$store`, after its last
/// change to `findings`.
macro_rules! refresh_finding_totals {
    ($store:expr, $tx:expr) => {
        $crate::totals::lock_totals!($store, $tx);
        sqlx::query($crate::totals::DELETE_FINDING_TOTALS)
            .execute(&mut *$tx)
            .await?;
        sqlx::query($crate::totals::INSERT_FINDING_TOTALS)
            .execute(&mut *$tx)
            .await?;
    };
}
pub(crate) use refresh_finding_totals;
