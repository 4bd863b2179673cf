//! Quick check of the dashboard queries at scale (not a timed test): fills a store with
//! synthetic cloud scans through the real `record_scan` path, then runs each dashboard query
//! repeatedly and prints p50 / p99 / max per query as a Markdown table.
//!
//! ```text
//! cargo run --release -p faasguard-store --features testdata --example query_bench -- \
//!     <sqlite-path-or-postgres-url> [functions=10000] [findings-per-function=20] [runs=200]
//! ```
//! `crates/faasguard-store/bench.sh` runs it on SQLite and on a throwaway PostgreSQL.

#![allow(clippy::print_stdout, reason = "a benchmark prints its table")]

use std::time::{Duration, Instant};

use faasguard_core::Severity;
use faasguard_store::testdata::{synthetic_report, synthetic_scope};
use faasguard_store::{
    AuditFilter, AuditInput, FindingFilter, FindingStatus, FunctionFilter, Outcome, Page,
    PolicyResultInput, Store,
};

const ACCOUNT: &str = "123456789012";
const PER_SCAN: usize = 1000;

fn arg(n: usize, default: usize) -> usize {
    std::env::args()
        .nth(n)
        .and_then(|a| a.parse().ok())
        .unwrap_or(default)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss,
        reason = "an index into a short list"
    )]
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Records `regions` complete scans of up to 1,000 functions each, a policy result per
/// function (every third a violation) and 2,000 audit entries.
async fn fill(
    store: &Store,
    functions: usize,
    per_function: usize,
    regions: usize,
) -> Result<(), Box<dyn std::error::Error>> {
    let started = Instant::now();
    for r in 0..regions {
        let region = format!("region-{r}");
        let n = PER_SCAN.min(functions - r * PER_SCAN);
        let report = synthetic_report(ACCOUNT, &region, n, per_function, 7);
        let scan = store
            .record_scan("cloud", &synthetic_scope(ACCOUNT, &region), &report, true)
            .await?;
        let results: Vec<PolicyResultInput> = report
            .functions
            .iter()
            .enumerate()
            .map(|(i, f)| PolicyResultInput {
                policy: "max-severity".to_owned(),
                function_key: f.id.clone(),
                outcome: if i % 3 == 0 {
                    Outcome::Violation
                } else {
                    Outcome::Pass
                },
                reasons: serde_json::json!(["synthetic"]),
                action: None,
            })
            .collect();
        store.record_policy_results(scan.id, &results).await?;
    }
    for i in 0..2000 {
        store
            .append_audit(&AuditInput {
                actor: "bench".to_owned(),
                action: "notify".to_owned(),
                function_key: Some(format!("{ACCOUNT}/region-0/fn-{:05}", i % PER_SCAN)),
                policy: Some("max-severity".to_owned()),
                details: serde_json::json!({"i": i}),
            })
            .await?;
    }
    println!(
        "filled {functions} functions × {per_function} findings in {regions} scans: {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

#[tokio::main]
#[expect(
    clippy::too_many_lines,
    reason = "one flat list of the measured queries"
)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::args()
        .nth(1)
        .ok_or("usage: query_bench <sqlite-path-or-postgres-url> [functions] [findings-per-function] [runs]")?;
    let functions = arg(2, 10_000);
    let per_function = arg(3, 20);
    let runs = arg(4, 200);
    let store = Store::open(&url).await?;
    let regions = functions.div_ceil(PER_SCAN);

    let existing = store
        .list_functions(&FunctionFilter::default(), Page::new(1, 0))
        .await?
        .total;
    if existing == 0 {
        fill(&store, functions, per_function, regions).await?;
    }

    let page = Page::new(50, 0);
    let mut rows = Vec::new();
    macro_rules! measure {
        ($name:expr, |$i:ident| $query:expr) => {{
            let mut times = Vec::with_capacity(runs);
            for $i in 0..runs {
                let started = Instant::now();
                let _ = $query.await?;
                times.push(started.elapsed());
            }
            times.sort();
            rows.push((
                $name,
                percentile(&times, 0.5),
                percentile(&times, 0.99),
                times.last().copied().unwrap_or_default(),
            ));
        }};
    }
    let key = |i: usize| {
        format!(
            "{ACCOUNT}/region-{}/fn-{:05}",
            i % regions,
            (i * 37) % PER_SCAN
        )
    };
    measure!("functions: first page (blocked first)", |_i| store
        .list_functions(&FunctionFilter::default(), page));
    measure!("functions: page 40", |_i| store
        .list_functions(&FunctionFilter::default(), Page::new(50, 2000)));
    measure!("functions: region + runtime", |i| store.list_functions(
        &FunctionFilter {
            region: Some(format!("region-{}", i % regions)),
            runtime: Some("python3.9".to_owned()),
            ..FunctionFilter::default()
        },
        page
    ));
    measure!("functions: name substring", |i| store.list_functions(
        &FunctionFilter {
            name: Some(format!("fn-0{}", i % 10)),
            ..FunctionFilter::default()
        },
        page
    ));
    measure!("functions: has violation", |_i| store.list_functions(
        &FunctionFilter {
            has_violation: Some(true),
            ..FunctionFilter::default()
        },
        page
    ));
    measure!("function detail", |i| store.function_detail(&key(i)));
    measure!("findings: open, first page", |_i| store.list_findings(
        &FindingFilter {
            status: Some(FindingStatus::Open),
            ..FindingFilter::default()
        },
        page
    ));
    measure!("findings: severity critical", |_i| store.list_findings(
        &FindingFilter {
            severities: vec![Severity::Critical],
            ..FindingFilter::default()
        },
        page
    ));
    measure!("findings: rule prefix FG-DEP", |_i| store.list_findings(
        &FindingFilter {
            rule_prefix: Some("FG-DEP".to_owned()),
            ..FindingFilter::default()
        },
        page
    ));
    measure!("findings: one function", |i| store.list_findings(
        &FindingFilter {
            function_key: Some(key(i)),
            ..FindingFilter::default()
        },
        page
    ));
    measure!("findings: text search", |i| store.list_findings(
        &FindingFilter {
            text: Some(format!("handler_{}", i % 20)),
            ..FindingFilter::default()
        },
        page
    ));
    measure!("audit log: first page", |_i| store
        .list_audit(&AuditFilter::default(), page));
    measure!("findings by day (30)", |_i| store.findings_by_day(30));

    println!(
        "\n{} ({} runs per query)\n",
        match store.backend() {
            faasguard_store::Backend::Sqlite => "SQLite",
            faasguard_store::Backend::Postgres => "PostgreSQL",
        },
        runs
    );
    println!("| query | p50 ms | p99 ms | max ms |");
    println!("|---|---:|---:|---:|");
    for (name, p50, p99, max) in rows {
        println!(
            "| {name} | {:.2} | {:.2} | {:.2} |",
            p50.as_secs_f64() * 1e3,
            p99.as_secs_f64() * 1e3,
            max.as_secs_f64() * 1e3
        );
    }
    Ok(())
}
