//! Fills a store for the server benchmark (`benches/server/run.sh`): synthetic cloud scans
//! recorded through the real `record_scan` path (1,000 functions per region), two policy
//! results per function (every third function violates `max-severity`, every fifth
//! `no-secrets`), 25 blocked functions and 2,000 audit entries. Does nothing when the store
//! already holds functions.
//!
//! ```text
//! cargo run --release -p faasguard-store --features testdata --example fill_store -- \
//!     <sqlite-path-or-postgres-url> [functions=10000] [findings-per-function=20]
//! ```

#![allow(clippy::print_stdout, reason = "an example reports what it filled")]

use std::time::Instant;

use faasguard_store::testdata::{synthetic_report, synthetic_scope};
use faasguard_store::{
    AuditInput, BlockInput, FunctionFilter, Outcome, Page, PolicyResultInput, Store,
};

const ACCOUNT: &str = "123456789012";
const PER_SCAN: usize = 1000;
const BLOCKED: usize = 25;
const AUDIT_ENTRIES: usize = 2000;

fn arg(n: usize, default: usize) -> usize {
    std::env::args()
        .nth(n)
        .and_then(|a| a.parse().ok())
        .unwrap_or(default)
}

fn outcome(violates: bool) -> Outcome {
    if violates {
        Outcome::Violation
    } else {
        Outcome::Pass
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::args().nth(1).ok_or(
        "usage: fill_store <sqlite-path-or-postgres-url> [functions] [findings-per-function]",
    )?;
    let functions = arg(2, 10_000);
    let per_function = arg(3, 20);
    let store = Store::open(&url).await?;
    let existing = store
        .list_functions(&FunctionFilter::default(), Page::new(1, 0))
        .await?
        .total;
    if existing > 0 {
        println!("{existing} functions already stored; nothing filled");
        return Ok(());
    }
    let started = Instant::now();
    let regions = functions.div_ceil(PER_SCAN);
    for r in 0..regions {
        let region = format!("region-{r}");
        let n = PER_SCAN.min(functions - r * PER_SCAN);
        let report = synthetic_report(ACCOUNT, &region, n, per_function, 7);
        let scan = store
            .record_scan("cloud", &synthetic_scope(ACCOUNT, &region), &report, true)
            .await?;
        let mut results = Vec::with_capacity(2 * n);
        for (i, f) in report.functions.iter().enumerate() {
            results.push(PolicyResultInput {
                policy: "max-severity".to_owned(),
                function_key: f.id.clone(),
                outcome: outcome(i % 3 == 0),
                reasons: serde_json::json!(["synthetic"]),
                action: (i % 3 == 0).then(|| "notify".to_owned()),
            });
            results.push(PolicyResultInput {
                policy: "no-secrets".to_owned(),
                function_key: f.id.clone(),
                outcome: outcome(i % 5 == 0),
                reasons: serde_json::json!(["synthetic"]),
                action: (i % 5 == 0).then(|| "block".to_owned()),
            });
        }
        store.record_policy_results(scan.id, &results).await?;
    }
    for i in 0..BLOCKED {
        let region = i % regions;
        store
            .record_block(&BlockInput {
                function_key: format!("{ACCOUNT}/region-{region}/fn-{:05}", (i * 40) % PER_SCAN),
                previous_concurrency: Some(5),
                policy: Some("no-secrets".to_owned()),
                actor: "bench".to_owned(),
            })
            .await?;
    }
    for i in 0..AUDIT_ENTRIES {
        store
            .append_audit(&AuditInput {
                actor: "bench".to_owned(),
                action: "notify".to_owned(),
                function_key: Some(format!(
                    "{ACCOUNT}/region-{}/fn-{:05}",
                    i % regions,
                    i % PER_SCAN
                )),
                policy: Some("max-severity".to_owned()),
                details: serde_json::json!({ "i": i }),
            })
            .await?;
    }
    println!(
        "filled {functions} functions × {per_function} findings in {regions} scans, {BLOCKED} blocks, \
         {AUDIT_ENTRIES} audit entries: {:.1} s",
        started.elapsed().as_secs_f64()
    );
    store.close().await;
    Ok(())
}
