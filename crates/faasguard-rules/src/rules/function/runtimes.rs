//! The AWS Lambda runtime lifecycle table (`data/lambda-runtimes.json`, taken from cfn-lint's
//! `LmbdRuntimeLifecycle.json`; see `data/PROVENANCE.md`), parsed once, and the date arithmetic
//! the runtime rules need. Dates are `YYYY-MM-DD` strings; the library never reads the clock.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use faasguard_model::Function;
use serde::Deserialize;

use crate::rules::function::support::is_aws;

/// The lifecycle of one runtime identifier (`python3.9`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct RuntimeLifecycle {
    /// AWS stops security patches and support on this date.
    pub deprecated: Option<String>,
    /// New functions can no longer be created with the runtime from this date.
    #[serde(rename = "create-block")]
    pub create_block: Option<String>,
    /// Existing functions can no longer be updated with the runtime from this date.
    #[serde(rename = "update-block")]
    pub update_block: Option<String>,
    /// The runtime AWS recommends migrating to, when there is one.
    pub successor: Option<String>,
}

#[derive(Debug, Deserialize)]
struct RuntimeTable {
    runtimes: BTreeMap<String, RuntimeLifecycle>,
}

static TABLE: LazyLock<BTreeMap<String, RuntimeLifecycle>> = LazyLock::new(|| {
    // The file is compiled in and checked by a unit test, so a parse failure can only come from
    // a broken refresh; an empty table then means "no runtime findings", never a panic.
    serde_json::from_str::<RuntimeTable>(include_str!("../../../data/lambda-runtimes.json"))
        .map(|t| t.runtimes)
        .unwrap_or_default()
});

/// The lifecycle of `runtime`, or `None` for identifiers the table does not know (container
/// images, custom names, future runtimes).
pub fn lookup(runtime: &str) -> Option<&'static RuntimeLifecycle> {
    TABLE.get(runtime.trim())
}

/// For an AWS function whose runtime the table knows and gives a deprecation date: the runtime
/// as written, its lifecycle and that date.
pub(crate) fn deprecation(
    func: &Function,
) -> Option<(&str, &'static RuntimeLifecycle, &'static str)> {
    if !is_aws(func) {
        return None;
    }
    let runtime = func.runtime.get()?;
    let lc = lookup(runtime)?;
    let deprecated = lc.deprecated.as_deref()?;
    Some((runtime, lc, deprecated))
}

/// Every runtime identifier in the table.
pub fn known_runtimes() -> impl Iterator<Item = &'static str> {
    TABLE.keys().map(String::as_str)
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date, or `None` when it is not such a date.
pub fn day_number(date: &str) -> Option<i64> {
    let bytes = date.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let year: i64 = date.get(0..4)?.parse().ok()?;
    let month: i64 = date.get(5..7)?.parse().ok()?;
    let day: i64 = date.get(8..10)?.parse().ok()?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    Some(faasguard_core::date::days_from_civil(year, month, day))
}

/// `date` is on or before `today` (both `YYYY-MM-DD`); `false` when either is malformed.
pub fn reached(date: &str, today: &str) -> bool {
    match (day_number(date), day_number(today)) {
        (Some(d), Some(t)) => d <= t,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The compiled-in table parses and holds every runtime of cfn-lint 1.58.0 (47), with
    /// well-formed dates and successors that are themselves known runtimes.
    #[test]
    fn table_parses_and_is_consistent() {
        assert_eq!(known_runtimes().count(), 47);
        for name in known_runtimes() {
            let lc = lookup(name).unwrap_or_else(|| panic!("{name} missing"));
            for date in [&lc.deprecated, &lc.create_block, &lc.update_block]
                .into_iter()
                .flatten()
            {
                assert!(day_number(date).is_some(), "{name}: bad date {date}");
            }
            if let Some(succ) = &lc.successor {
                assert!(lookup(succ).is_some(), "{name}: unknown successor {succ}");
            }
        }
        let py37 = lookup("python3.7").unwrap_or_else(|| panic!("python3.7 missing"));
        assert_eq!(py37.deprecated.as_deref(), Some("2023-12-04"));
        assert_eq!(py37.successor.as_deref(), Some("python3.14"));
        assert!(lookup("cobol85").is_none());
    }

    /// Day numbers match known values, count leap days, and reject malformed dates.
    #[test]
    fn day_numbers() {
        assert_eq!(day_number("1970-01-01"), Some(0));
        assert_eq!(day_number("2000-03-01"), Some(11_017));
        assert_eq!(
            day_number("2028-03-01").zip(day_number("2028-02-28")),
            Some((21_244, 21_242))
        );
        for bad in [
            "",
            "2026-13-01",
            "2026/11/24",
            "26-11-24",
            "2026-11-2x",
            "２０２６-11-24",
        ] {
            assert_eq!(day_number(bad), None, "{bad}");
        }
        assert!(reached("2026-11-24", "2026-11-24"));
        assert!(!reached("2026-11-25", "2026-11-24"));
        assert!(!reached("2026-11-24", "today"));
    }
}
