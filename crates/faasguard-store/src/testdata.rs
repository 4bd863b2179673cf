//! Synthetic cloud-scan reports for benchmarks and tests (cargo feature `testdata`): fill a
//! store through the real [`Store::record_scan`](crate::Store::record_scan) path.
//!
//! ```no_run
//! # async fn fill(store: &faasguard_store::Store) -> Result<(), faasguard_store::StoreError> {
//! use faasguard_store::testdata::{synthetic_report, synthetic_scope};
//! // 10,000 functions and 200,000 findings: 10 regions × 1,000 functions × 20 findings.
//! for region in 0..10 {
//!     let report = synthetic_report("123456789012", &format!("region-{region}"), 1000, 20, 7);
//!     store.record_scan("cloud", &synthetic_scope("123456789012", &format!("region-{region}")), &report, true).await?;
//! }
//! # Ok(()) }
//! ```

use faasguard_core::{Finding, Location, Severity, fingerprint, redact_secret};
use faasguard_report::{Advisory, CloudFacts, FunctionSummary, PackageEntry, Report};

/// The scope a cloud scan of one account and region records under.
pub fn synthetic_scope(account: &str, region: &str) -> String {
    format!("aws:{account}/{region}")
}

/// A deterministic pseudo-random sequence (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

const RUNTIMES: &[&str] = &[
    "python3.12",
    "nodejs20.x",
    "java21",
    "python3.9",
    "nodejs16.x",
];
const FAMILIES: &[&str] = &[
    "FG-DEP-001",
    "FG-SEC-001",
    "FG-IAM-002",
    "FG-FN-004",
    "FG-INJ-001",
];
const PACKAGES: &[&str] = &[
    "lodash",
    "requests",
    "jackson-databind",
    "urllib3",
    "minimist",
];

/// A cloud-scan report of `functions` functions in one account and region, each with
/// `findings_per_function` findings spread over the scanner families (dependency findings
/// with their package entries, secret findings with redacted evidence). Same arguments, same
/// report; a different `seed` changes severities, runtimes and which findings exist.
pub fn synthetic_report(
    account: &str,
    region: &str,
    functions: usize,
    findings_per_function: usize,
    seed: u64,
) -> Report {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut report = Report::empty("faasguard", env!("CARGO_PKG_VERSION"));
    report.targets.push(format!("aws:{account}/{region}"));
    for i in 0..functions {
        let name = format!("fn-{i:05}");
        let id = format!("{account}/{region}/{name}");
        let runtime = RUNTIMES[usize::try_from(rng.below(RUNTIMES.len() as u64)).unwrap_or(0)];
        report.functions.push(FunctionSummary {
            id: id.clone(),
            provider: "aws".to_owned(),
            source: "cloud".to_owned(),
            name: Some(name.clone()),
            runtime: Some(runtime.to_owned()),
            location: Location::file(format!("arn:aws:lambda:{region}:{account}:function:{name}")),
            cloud: Some(CloudFacts {
                arn: format!("arn:aws:lambda:{region}:{account}:function:{name}"),
                account: account.to_owned(),
                region: region.to_owned(),
                tags: [("team".to_owned(), format!("team-{}", i % 7))].into(),
                code_sha256: Some(format!("{:016x}", rng.next())),
                reserved_concurrency: None,
                unused_days: Some(u32::try_from(rng.below(90)).unwrap_or(0)),
                ..CloudFacts::default()
            }),
        });
        for j in 0..findings_per_function {
            let rule = FAMILIES[j % FAMILIES.len()];
            let severity = Severity::ALL[usize::try_from(rng.below(5)).unwrap_or(0)];
            let file = format!("{name}/code/handler_{j}.py");
            let location = Location::at(file.clone(), u32::try_from(j + 1).unwrap_or(1), 1);
            let (message, evidence) = match rule {
                "FG-DEP-001" => {
                    let package = PACKAGES[j % PACKAGES.len()];
                    let advisory = format!("GHSA-{i:04}-{j:04}-test");
                    report.packages.push(PackageEntry {
                        ecosystem: "PyPI".to_owned(),
                        name: package.to_owned(),
                        version: "1.0.0".to_owned(),
                        purl: format!("pkg:pypi/{package}@1.0.0"),
                        location: location.clone(),
                        scope: "prod".to_owned(),
                        direct: Some(true),
                        origin: "lockfile".to_owned(),
                        status: "vulnerable".to_owned(),
                        not_checked: None,
                        advisories: vec![Advisory {
                            id: advisory.clone(),
                            aliases: Vec::new(),
                            summary: "synthetic advisory".to_owned(),
                            severity,
                            cvss: None,
                            fixed: Some("1.0.1".to_owned()),
                            informational: None,
                        }],
                    });
                    (
                        format!(
                            "PyPI {package} 1.0.0 is affected by {advisory}: synthetic advisory"
                        ),
                        Some("installed 1.0.0, fixed in 1.0.1".to_owned()),
                    )
                }
                "FG-SEC-001" => (
                    "Hard-coded AWS access key id".to_owned(),
                    Some(redact_secret(&format!("AKIA{:016X}", rng.next()))),
                ),
                "FG-IAM-002" => (
                    format!("The execution role allows s3:* on * (statement {j})"),
                    None,
                ),
                "FG-FN-004" => (format!("Runtime {runtime} is deprecated ({j})"), None),
                _ => (
                    format!("Event data reaches subprocess.run in handler_{j}.py"),
                    Some("sink: subprocess.run".to_owned()),
                ),
            };
            report.findings.push(Finding {
                rule_id: rule.to_owned(),
                rule_name: "synthetic".to_owned(),
                severity,
                function: Some(id.clone()),
                fingerprint: fingerprint(rule, Some(&id), &Location::file(file), &message),
                location,
                message,
                evidence,
                remediation: Some("Fix it.".to_owned()),
                flow: Vec::new(),
            });
        }
    }
    report
}
