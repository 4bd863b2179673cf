//! Last invocation per function: CloudWatch `AWS/Lambda` `Invocations` summed per day over a
//! window, read with `GetMetricData` (up to 500 functions per call).

use std::collections::HashMap;

use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataQuery, MetricStat};

use crate::error_text;

/// `GetMetricData` takes at most 500 queries per call.
const QUERIES_PER_CALL: usize = 500;
const DAY_S: i64 = 86_400;

/// For each function name, the epoch second of the last day with at least one invocation in
/// the window ending at `now` (absent: no invocation). An error is the message of the first
/// failed call.
pub(crate) async fn last_invocations(
    client: &aws_sdk_cloudwatch::Client,
    names: &[String],
    now_epoch_s: i64,
    window_days: u32,
) -> Result<HashMap<String, i64>, String> {
    let end = now_epoch_s - now_epoch_s.rem_euclid(DAY_S) + DAY_S;
    let start = end - i64::from(window_days.clamp(1, 455)) * DAY_S;
    let mut out = HashMap::new();
    for chunk in names.chunks(QUERIES_PER_CALL) {
        let mut request = client
            .get_metric_data()
            .start_time(DateTime::from_secs(start))
            .end_time(DateTime::from_secs(end));
        for (i, name) in chunk.iter().enumerate() {
            let metric = Metric::builder()
                .namespace("AWS/Lambda")
                .metric_name("Invocations")
                .dimensions(
                    Dimension::builder()
                        .name("FunctionName")
                        .value(name)
                        .build(),
                )
                .build();
            let stat = MetricStat::builder()
                .metric(metric)
                .period(i32::try_from(DAY_S).unwrap_or(i32::MAX))
                .stat("Sum")
                .build();
            request = request.metric_data_queries(
                MetricDataQuery::builder()
                    .id(format!("m{i}"))
                    .metric_stat(stat)
                    .return_data(true)
                    .build(),
            );
        }
        let mut pages = request.into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| format!("GetMetricData: {}", error_text(&e)))?;
            for result in page.metric_data_results() {
                let Some(index) = result
                    .id()
                    .and_then(|id| id.strip_prefix('m'))
                    .and_then(|i| i.parse::<usize>().ok())
                else {
                    continue;
                };
                let Some(name) = chunk.get(index) else {
                    continue;
                };
                let last = result
                    .timestamps()
                    .iter()
                    .zip(result.values())
                    .filter(|(_, v)| **v > 0.0)
                    .map(|(t, _)| t.secs())
                    .max();
                if let Some(last) = last {
                    let entry = out.entry(name.clone()).or_insert(last);
                    *entry = (*entry).max(last);
                }
            }
        }
    }
    Ok(out)
}

/// `YYYY-MM-DD` (UTC) of an epoch second.
pub(crate) fn day_string(epoch_s: i64) -> String {
    let days = epoch_s.div_euclid(DAY_S);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
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
}
