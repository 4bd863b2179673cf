//! List marks (migration 8): the sort key of every [`MARK_EVERY`]-th row of the dashboard's
//! unfiltered lists, kept by the writers next to the list totals (`totals.rs`), so that a deep
//! page by offset starts at most [`MARK_EVERY`] - 1 rows after a known key instead of
//! skipping every row before it (measured in BENCHMARKS.md, "Server API").
//!
//! - `function_marks(list, ordinal, blocked, fkey)`: live functions, blocked first, then by
//!   key, for the unfiltered list (`all`) and for each value of the violating filter
//!   (`violating`, `passing`; migration 10).
//! - `finding_marks(list, ordinal, severity, id)`: findings worst first, then newest first,
//!   for each state filter (`open`, `fixed`, `all`) alone and with one rule family
//!   (`open/FG-DEP`) or one severity (`open/sev4`): the dashboard's findings filters.
//!
//! `ordinal` is the 0-based position of the row in its list; ordinal 0 is not marked (a first
//! page needs no mark). Marks change only with what the lists hold or their order, so the
//! recompute is a window over the listing index in every write transaction that changes them:
//! a recorded scan (both lists), a block, an unblock and recorded policy results (functions). A
//! recompute runs under the totals lock, after the transaction's last change to the list.
//!
//! A reader finds the mark at or before its offset in the same statement as the rows (one
//! snapshot): a bounded read from the mark, in two index ranges (the rest of the mark's
//! `blocked` or severity group, then the groups after it), each at most skip + limit rows
//! long, merged and cut to the page. A mark that is missing (the list is shorter, or the marks
//! were never computed) yields an empty page; the caller then reads by offset if the list's
//! total says the page is not empty, so marks only ever make a page faster.

use crate::rows::Cols;
use crate::{Backend, Store, StoreError, on_pool};

/// Rows between two marks. A deep page reads at most this many rows more than it returns;
/// 200,000 findings have 781 marks per list.
pub(crate) const MARK_EVERY: u64 = 256;

pub(crate) const DELETE_FUNCTION_MARKS: &str = "DELETE FROM function_marks";

/// Every [`MARK_EVERY`]-th live function of each list, in list order (the `256` is checked by
/// a test).
pub(crate) const INSERT_FUNCTION_MARKS: &str = "INSERT INTO function_marks (list, ordinal, blocked, fkey) \
     SELECT list, ordinal, blocked, fkey FROM ( \
       SELECT 'all' AS list, blocked, fkey, \
         ROW_NUMBER() OVER (ORDER BY blocked DESC, fkey) - 1 AS ordinal \
       FROM functions WHERE deleted_at IS NULL \
       UNION ALL \
       SELECT CASE WHEN has_violation = 1 THEN 'violating' ELSE 'passing' END AS list, blocked, fkey, \
         ROW_NUMBER() OVER (PARTITION BY has_violation ORDER BY blocked DESC, fkey) - 1 AS ordinal \
       FROM functions WHERE deleted_at IS NULL) listed \
     WHERE ordinal > 0 AND ordinal % 256 = 0";

pub(crate) const DELETE_FINDING_MARKS: &str = "DELETE FROM finding_marks";

/// The marked findings lists of one state (`$name`, rows `$where`): the whole state list
/// (`open`), each rule family's (`open/FG-DEP`) and each severity's (`open/sev4`), each row
/// with its 0-based position in its list.
macro_rules! finding_mark_lists {
    ($name:literal, $where:literal) => {
        concat!(
            "SELECT '", $name, "' AS list, severity, id, \
               ROW_NUMBER() OVER (ORDER BY severity DESC, id DESC) - 1 AS ordinal \
             FROM findings ", $where, " \
             UNION ALL \
             SELECT '", $name, "/' || family AS list, severity, id, \
               ROW_NUMBER() OVER (PARTITION BY family ORDER BY severity DESC, id DESC) - 1 AS ordinal \
             FROM findings ", $where, " \
             UNION ALL \
             SELECT '", $name, "/sev' || CAST(severity AS TEXT) AS list, severity, id, \
               ROW_NUMBER() OVER (PARTITION BY severity ORDER BY id DESC) - 1 AS ordinal \
             FROM findings ", $where
        )
    };
}

/// Every [`MARK_EVERY`]-th finding of each marked list ([`finding_mark_lists`]), in list
/// order.
pub(crate) const INSERT_FINDING_MARKS: &str = concat!(
    "INSERT INTO finding_marks (list, ordinal, severity, id) \
     SELECT list, ordinal, severity, id FROM (",
    finding_mark_lists!("open", "WHERE open = 1"),
    " UNION ALL ",
    finding_mark_lists!("fixed", "WHERE open = 0"),
    " UNION ALL ",
    finding_mark_lists!("all", ""),
    ") listed WHERE ordinal > 0 AND ordinal % 256 = 0"
);

/// Recomputes `function_marks` inside the write transaction `$tx` (an `on_pool!` body
/// returning `sqlx::Error`), after its last change to which functions are live or blocked.
/// The caller holds the totals lock (`refresh_function_totals!` takes it).
macro_rules! refresh_function_marks {
    ($tx:expr) => {
        sqlx::query($crate::marks::DELETE_FUNCTION_MARKS)
            .execute(&mut *$tx)
            .await?;
        sqlx::query($crate::marks::INSERT_FUNCTION_MARKS)
            .execute(&mut *$tx)
            .await?;
    };
}
pub(crate) use refresh_function_marks;

/// Recomputes `finding_marks` inside the write transaction `$tx`, after its last change to
/// `findings`, under the totals lock.
macro_rules! refresh_finding_marks {
    ($tx:expr) => {
        sqlx::query($crate::marks::DELETE_FINDING_MARKS)
            .execute(&mut *$tx)
            .await?;
        sqlx::query($crate::marks::INSERT_FINDING_MARKS)
            .execute(&mut *$tx)
            .await?;
    };
}
pub(crate) use refresh_finding_marks;

/// Computes the marks of a store opened with rows but without marks (one written before
/// migration 8), so its deep pages are fast before the next write.
pub(crate) async fn backfill(store: &Store) -> Result<(), StoreError> {
    let more = MARK_EVERY + 1;
    let needed = format!(
        "SELECT CAST(CASE \
           WHEN (SELECT COUNT(*) FROM (SELECT 1 FROM functions WHERE deleted_at IS NULL LIMIT {more}) f) > {MARK_EVERY} \
             AND NOT EXISTS (SELECT 1 FROM function_marks) THEN 1 \
           WHEN (SELECT COUNT(*) FROM (SELECT 1 FROM findings LIMIT {more}) f) > {MARK_EVERY} \
             AND NOT EXISTS (SELECT 1 FROM finding_marks) THEN 1 \
           ELSE 0 END AS BIGINT) AS n"
    );
    on_pool!(store, pool => {
        let query = || sqlx::query(sqlx::AssertSqlSafe(needed.as_str()));
        if query().fetch_one(pool).await?.int("n")? == 0 {
            return Ok(());
        }
        let mut tx = pool.begin_with(store.begin_write_sql()).await?;
        if store.backend() == Backend::Postgres {
            sqlx::query(crate::totals::PG_TOTALS_LOCK).execute(&mut *tx).await?;
        }
        refresh_function_marks!(tx);
        refresh_finding_marks!(tx);
        tx.commit().await?;
        Ok::<_, sqlx::Error>(())
    })
    .map_err(store.err("compute list marks"))
}

/// Where a deep page starts relative to the marks: the mark at or before its first row and
/// how many rows after the mark's (inclusive) to skip.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Near {
    pub ordinal: i64,
    pub skip: i64,
}

impl Near {
    /// `None` when `offset` is before the first mark (a plain offset read skips fewer than
    /// [`MARK_EVERY`] rows there).
    pub(crate) fn of(offset: u64) -> Option<Near> {
        let ordinal = offset / MARK_EVERY * MARK_EVERY;
        if ordinal == 0 {
            return None;
        }
        Some(Near {
            ordinal: i64::try_from(ordinal).ok()?,
            skip: i64::try_from(offset - ordinal).ok()?,
        })
    }

    /// How many rows each of the two ranges after the mark reads at most.
    pub(crate) fn reach(self, limit: i64) -> i64 {
        self.skip.saturating_add(limit)
    }
}

/// The `function_marks.list` of the violating filter, and the condition it adds to the
/// unfiltered list's (a literal: three statements in all).
pub(crate) fn function_list(violating: Option<bool>) -> (&'static str, &'static str) {
    match violating {
        None => ("all", ""),
        Some(true) => ("violating", " AND has_violation = 1"),
        Some(false) => ("passing", " AND has_violation = 0"),
    }
}

/// Placeholder `$n`, or `(SELECT $n)` with `hide`: on PostgreSQL a statement whose values
/// all sit in such subqueries gets one generic plan after five runs, where bare `LIMIT $n`
/// values are planned afresh on every run (0.35 ms of a 0.7 ms deep page, measured with
/// `log_min_duration_statement`).
fn value(n: usize, hide: bool) -> String {
    if hide {
        format!("(SELECT ${n})")
    } else {
        format!("${n}")
    }
}

/// The keys of a live-functions page near a mark, in list order, for the violating filter
/// `violating` ([`function_list`]): `$n` is the mark's ordinal, `$n+1` how far each range
/// reads ([`Near::reach`]), `$n+2` the page's limit and `$n+3` the rows to skip; `hide` as for
/// [`value`].
pub(crate) fn function_keys_near(violating: Option<bool>, n: usize, hide: bool) -> String {
    let (list, only) = function_list(violating);
    let [ordinal, reach, limit, skip] = [n, n + 1, n + 2, n + 3].map(|k| value(k, hide));
    let mark = |column: &str| {
        format!(
            "(SELECT {column} FROM function_marks WHERE list = '{list}' AND ordinal = {ordinal})"
        )
    };
    let (blocked, fkey) = (mark("blocked"), mark("fkey"));
    format!(
        "SELECT fkey FROM ( \
           SELECT blocked, fkey FROM (SELECT blocked, fkey FROM functions \
             WHERE deleted_at IS NULL{only} AND blocked = {blocked} AND fkey >= {fkey} \
             ORDER BY fkey LIMIT {reach}) rest \
           UNION ALL \
           SELECT blocked, fkey FROM (SELECT blocked, fkey FROM functions \
             WHERE deleted_at IS NULL{only} AND blocked < {blocked} \
             ORDER BY blocked DESC, fkey LIMIT {reach}) later \
         ) near ORDER BY blocked DESC, fkey LIMIT {limit} OFFSET {skip}"
    )
}

/// The ids of a findings page near a mark, in list order. `filters` is the list's `WHERE`
/// (its placeholders numbered before `$n`); `$n` is the mark list's name, `$n+1` the mark's
/// ordinal, `$n+2` how far each range reads, `$n+3` the page's limit and `$n+4` the rows to
/// skip; `hide` as for [`value`]. A list of `one_severity` is a single group: it has no range
/// after the mark's (SQLite would walk the whole list to find that empty).
pub(crate) fn finding_ids_near(filters: &str, n: usize, hide: bool, one_severity: bool) -> String {
    let [list, ordinal, reach, limit, skip] =
        [n, n + 1, n + 2, n + 3, n + 4].map(|k| value(k, hide));
    let mark = |column: &str| {
        format!("(SELECT {column} FROM finding_marks WHERE list = {list} AND ordinal = {ordinal})")
    };
    let (severity, id) = (mark("severity"), mark("id"));
    let and = if filters.is_empty() { "WHERE" } else { "AND" };
    let later = if one_severity {
        String::new()
    } else {
        format!(
            "UNION ALL \
             SELECT severity, id FROM (SELECT severity, id FROM findings {filters} {and} \
               severity < {severity} ORDER BY severity DESC, id DESC LIMIT {reach}) later "
        )
    };
    format!(
        "SELECT id FROM ( \
           SELECT severity, id FROM (SELECT severity, id FROM findings {filters} {and} \
             severity = {severity} AND id <= {id} ORDER BY id DESC LIMIT {reach}) rest \
           {later}\
         ) near ORDER BY severity DESC, id DESC LIMIT {limit} OFFSET {skip}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The recompute statements mark the rows [`MARK_EVERY`] apart, as readers assume.
    #[test]
    fn recomputes_use_the_mark_spacing() {
        let spacing = format!("ordinal % {MARK_EVERY} = 0");
        assert!(INSERT_FUNCTION_MARKS.contains(&spacing));
        assert!(INSERT_FINDING_MARKS.contains(&spacing));
    }

    #[test]
    fn near_splits_an_offset_at_the_mark_before_it() {
        assert_eq!(Near::of(0), None);
        assert_eq!(Near::of(MARK_EVERY - 1), None);
        assert_eq!(
            Near::of(MARK_EVERY),
            Some(Near {
                ordinal: 256,
                skip: 0
            })
        );
        assert_eq!(
            Near::of(4949),
            Some(Near {
                ordinal: 4864,
                skip: 85
            })
        );
        assert_eq!(Near::of(4949).map(|n| n.reach(51)), Some(136));
    }
}
