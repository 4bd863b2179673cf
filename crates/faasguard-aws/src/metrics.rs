//! Last invocation per function: CloudWatch `AWS/Lambda` `Invocations` summed per day over a
//! window, read with `GetMetricData` (up to 500 functions per call) through the Query protocol
//! ([`crate::query`]).

use std::collections::HashMap;
use std::fmt::Write as _;

use crate::query::{QueryClient, elements, form_value};

/// `GetMetricData` takes at most 500 queries per call.
const QUERIES_PER_CALL: usize = 500;
const DAY_S: i64 = 86_400;

/// For each function name, the epoch second of the last day with at least one invocation in
/// the window ending at `now` (absent: no invocation). An error is the message of the first
/// failed call.
pub(crate) async fn last_invocations(
    client: &QueryClient,
    names: &[String],
    now_epoch_s: i64,
    window_days: u32,
) -> Result<HashMap<String, i64>, String> {
    let end = now_epoch_s - now_epoch_s.rem_euclid(DAY_S) + DAY_S;
    let start = end - i64::from(window_days.clamp(1, 455)) * DAY_S;
    let mut out = HashMap::new();
    for chunk in names.chunks(QUERIES_PER_CALL) {
        let mut body = format!(
            "Action=GetMetricData&Version=2010-08-01&StartTime={}T00%3A00%3A00Z&EndTime={}T00%3A00%3A00Z&ScanBy=TimestampDescending",
            day_string(start),
            day_string(end)
        );
        for (i, name) in chunk.iter().enumerate() {
            let q = format!("MetricDataQueries.member.{}", i + 1);
            let _ = write!(
                body,
                "&{q}.Id=m{i}&{q}.MetricStat.Metric.Namespace=AWS%2FLambda&{q}.MetricStat.Metric.MetricName=Invocations&{q}.MetricStat.Metric.Dimensions.member.1.Name=FunctionName&{q}.MetricStat.Metric.Dimensions.member.1.Value={}&{q}.MetricStat.Period=86400&{q}.MetricStat.Stat=Sum&{q}.ReturnData=true",
                form_value(name)
            );
        }
        let mut token: Option<String> = None;
        loop {
            let mut request = body.clone();
            if let Some(t) = &token {
                let _ = write!(request, "&NextToken={}", form_value(t));
            }
            let xml = client
                .call(request)
                .await
                .map_err(|e| format!("GetMetricData: {e}"))?;
            for (index, last) in parse_results(&xml) {
                if let Some(name) = chunk.get(index) {
                    let entry = out.entry(name.clone()).or_insert(last);
                    *entry = (*entry).max(last);
                }
            }
            token = elements(&xml, "NextToken")
                .into_iter()
                .next()
                .filter(|t| !t.is_empty());
            if token.is_none() {
                break;
            }
        }
    }
    Ok(out)
}

/// (query index, epoch second of the latest data point with a sum above 0) per result.
fn parse_results(xml: &str) -> Vec<(usize, i64)> {
    let mut out = Vec::new();
    for segment in xml.split("<Id>").skip(1) {
        let Some((id, rest)) = segment.split_once("</Id>") else {
            continue;
        };
        let Some(index) = id
            .trim()
            .strip_prefix('m')
            .and_then(|i| i.parse::<usize>().ok())
        else {
            continue;
        };
        let block = |tag: &str| {
            rest.split_once(&format!("<{tag}>"))
                .and_then(|(_, r)| r.split_once(&format!("</{tag}>")))
                .map_or_else(Vec::new, |(inner, _)| elements(inner, "member"))
        };
        let times = block("Timestamps");
        let values = block("Values");
        let last = times
            .iter()
            .zip(&values)
            .filter(|(_, v)| v.parse::<f64>().is_ok_and(|v| v > 0.0))
            .filter_map(|(t, _)| epoch_of(t))
            .max();
        if let Some(last) = last {
            out.push((index, last));
        }
    }
    out
}

/// Epoch seconds of an ISO 8601 UTC time (`2026-11-20T00:00:00Z`, fractions ignored).
fn epoch_of(text: &str) -> Option<i64> {
    let days = day_number(text.get(0..10)?)?;
    let h: i64 = text.get(11..13)?.parse().ok()?;
    let m: i64 = text.get(14..16)?.parse().ok()?;
    let s: i64 = text.get(17..19)?.parse().ok()?;
    Some(days * DAY_S + h * 3_600 + m * 60 + s)
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date.
fn day_number(date: &str) -> Option<i64> {
    faasguard_rules::rules::function::runtimes::day_number(date)
}

/// `YYYY-MM-DD` (UTC) of an epoch second.
pub(crate) fn day_string(epoch_s: i64) -> String {
    let (y, m, d) = faasguard_core::date::civil_from_days(epoch_s.div_euclid(DAY_S));
    format!("{y:04}-{m:02}-{d:02}")
}

/// Whole days between two epoch seconds (never negative).
pub(crate) fn days_between(from_s: i64, to_s: i64) -> u32 {
    u32::try_from((to_s - from_s).max(0) / DAY_S).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Epoch seconds become calendar days, and day counts round down.
    #[test]
    fn days() {
        assert_eq!(day_string(0), "1970-01-01");
        assert_eq!(day_string(1_795_478_400), "2026-11-24");
        assert_eq!(days_between(0, DAY_S * 3 - 1), 2);
        assert_eq!(days_between(10, 0), 0);
    }

    /// A GetMetricData answer gives, per query, the latest day with invocations (zero sums
    /// are not invocations).
    #[test]
    fn parses_metric_data() {
        let xml = "<GetMetricDataResponse><GetMetricDataResult><MetricDataResults>\
            <member><Id>m0</Id><Label>a</Label><Timestamps><member>2026-11-20T00:00:00Z</member><member>2026-11-22T00:00:00Z</member></Timestamps><Values><member>3.0</member><member>0.0</member></Values><StatusCode>Complete</StatusCode></member>\
            <member><Id>m1</Id><Timestamps></Timestamps><Values></Values></member>\
            </MetricDataResults></GetMetricDataResult></GetMetricDataResponse>";
        assert_eq!(parse_results(xml), [(0, 1_795_132_800)]);
        assert_eq!(day_string(1_795_132_800), "2026-11-20");
    }
}
