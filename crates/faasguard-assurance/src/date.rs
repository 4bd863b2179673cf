//! Calendar dates (`YYYY-MM-DD`) as day numbers, for exception expiry.

use std::fmt;

use faasguard_core::date::{civil_from_days, days_from_civil};
use serde::Serialize;

/// A calendar date (proleptic Gregorian), ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Days since 1970-01-01.
    days: i64,
}

impl Date {
    /// Parses `YYYY-MM-DD`; `None` for anything else, impossible days (`2026-02-30`) included.
    pub fn parse(s: &str) -> Option<Date> {
        let bytes = s.as_bytes();
        if bytes.len() != 10
            || bytes[4] != b'-'
            || bytes[7] != b'-'
            || !bytes[..4].iter().all(u8::is_ascii_digit)
        {
            return None;
        }
        let year: i64 = s.get(0..4)?.parse().ok()?;
        let month: i64 = s.get(5..7)?.parse().ok()?;
        let day: i64 = s.get(8..10)?.parse().ok()?;
        if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date {
            days: days_from_civil(year, month, day),
        })
    }

    /// The date of a day number (days since 1970-01-01).
    pub fn from_days(days: i64) -> Date {
        Date { days }
    }

    /// Days since 1970-01-01.
    pub fn days(self) -> i64 {
        self.days
    }
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = civil_from_days(self.days);
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

impl Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ` of a Unix time in seconds (UTC), for audit entries and syslog.
pub fn rfc3339(epoch_s: i64) -> String {
    let date = Date::from_days(epoch_s.div_euclid(86_400));
    let secs = epoch_s.rem_euclid(86_400);
    format!(
        "{date}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Dates round-trip through day numbers; impossible dates and other shapes are refused.
    #[test]
    fn parse_and_print() {
        for s in ["1970-01-01", "2000-02-29", "2026-11-24", "2026-12-31"] {
            assert_eq!(Date::parse(s).map(|d| d.to_string()).as_deref(), Some(s));
        }
        assert_eq!(Date::parse("2026-11-24").map(Date::days), Some(20_781));
        for bad in [
            "2026-02-29",
            "2026-13-01",
            "2026-1-01",
            "26-11-24",
            "2026/11/24",
            "next week",
        ] {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
    }

    /// Timestamps are UTC RFC 3339 with a Z.
    #[test]
    fn timestamps() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(20_781 * 86_400 + 3_723), "2026-11-24T01:02:03Z");
    }
}
