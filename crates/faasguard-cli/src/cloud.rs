//! `faasguard cloud inventory|scan` and the digest record of `faasguard scan --record`.
//!
//! The AWS side (credentials, accounts, regions, API calls, downloads) lives in `faasguard-aws`;
//! this module turns flags into its settings, prints inventories, downloads packages on a few
//! threads, and hands everything to the engine's `scan_inventory`.

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;
use std::io::{IsTerminal, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand, ValueEnum};
use serde::{Deserialize, Serialize};

use faasguard_aws::{
    CloudInventory, CloudSettings, DownloadSettings, LiveFunction, Progress, ProgressSink, Regions,
    RuntimeStatus, collect_blocking, download_code, sha256_base64,
};
use faasguard_core::{Diagnostic, Location};
use faasguard_engine::{
    FailOn, InventoryScan, MemoryPackage, ScanSettings, has_failing_findings, integrity_rule_infos,
    package_files, scan_inventory, unrecorded_code_finding,
};
use faasguard_report::Format;

use crate::{ScanArgs, Selection, parse_fail_on, parse_format};

/// The environment variable that overrides the host of code downloads (tests, mirrors).
pub(crate) const CODE_ENDPOINT_ENV: &str = "FAASGUARD_CODE_ENDPOINT";

#[derive(Debug, Subcommand)]
#[expect(
    clippy::large_enum_variant,
    reason = "parsed once per process; boxing buys nothing"
)]
pub(crate) enum CloudCommand {
    /// List every deployed function: runtime (end-of-life flag), architecture, memory, timeout,
    /// code size, last modified, last invocation, role, URL auth type, layers, tags.
    Inventory(InventoryArgs),
    /// Build the model from live configuration, download each package and layer, and run the
    /// configuration, IAM, secret, vulnerability and injection rules (same formats and
    /// --fail-on as `scan`).
    Scan(CloudScanArgs),
}

/// Which accounts and regions, and how to call AWS.
#[derive(Debug, Clone, Args)]
pub(crate) struct AwsArgs {
    /// Named profile of the shared AWS config/credentials files [default: the standard chain:
    /// environment, profiles, SSO, container/instance role].
    #[arg(long, value_name = "NAME")]
    profile: Option<String>,
    /// `all` (every region enabled for the account) or a comma-separated list.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "all",
        value_name = "all|LIST"
    )]
    regions: Vec<String>,
    /// Assume this role and read its account (repeatable; one account per role).
    #[arg(long = "assume-role", value_name = "ARN")]
    assume_roles: Vec<String>,
    /// Read every active account of the organisation by assuming this role name in each
    /// (Organizations ListAccounts); the caller's own account is read with its own credentials.
    #[arg(long, value_name = "NAME")]
    org_role: Option<String>,
    /// Send AWS API calls to this endpoint (moto, LocalStack) [default: AWS; AWS_ENDPOINT_URL
    /// is honoured too].
    #[arg(long, value_name = "URL")]
    endpoint_url: Option<String>,
    /// Functions read at once (each takes several API calls).
    #[arg(long, default_value_t = 16, value_name = "N")]
    concurrency: usize,
    /// Attempts per API call (adaptive retry: backs off and rate-limits on throttling).
    #[arg(long, default_value_t = 5, value_name = "N")]
    max_attempts: u32,
    /// Time limit of one API call, retries included, in seconds.
    #[arg(long, default_value_t = 60, value_name = "SECS")]
    timeout: u64,
}

impl AwsArgs {
    /// The regions as given (`all` or a comma-separated list), for scan scopes.
    pub(crate) fn regions_text(&self) -> String {
        self.regions.join(",")
    }

    /// The roles to assume, one account each.
    pub(crate) fn assume_roles(&self) -> &[String] {
        &self.assume_roles
    }

    /// The same settings reading only the caller's own account.
    pub(crate) fn only_caller(&self) -> AwsArgs {
        AwsArgs {
            assume_roles: Vec::new(),
            org_role: None,
            ..self.clone()
        }
    }

    /// Whether a whole organisation is read (`--org-role`).
    pub(crate) fn has_org_role(&self) -> bool {
        self.org_role.is_some()
    }

    /// The same settings reading only the account behind `role`.
    pub(crate) fn only_role(&self, role: &str) -> AwsArgs {
        AwsArgs {
            assume_roles: vec![role.to_owned()],
            org_role: None,
            ..self.clone()
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum InventoryFormat {
    Table,
    Json,
    Csv,
}

#[derive(Debug, Args)]
pub(crate) struct InventoryArgs {
    #[command(flatten)]
    aws: AwsArgs,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = InventoryFormat::Table)]
    format: InventoryFormat,
    /// Write to this file instead of standard output.
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// Days of CloudWatch `Invocations` to look back for the last invocation (at most 455).
    #[arg(long, default_value_t = 90, value_name = "DAYS")]
    window: u32,
}

#[derive(Debug, Args)]
pub(crate) struct CloudScanArgs {
    #[command(flatten)]
    input: CloudScanInput,
    /// Report format [default: table].
    #[arg(long, short, value_parser = parse_format)]
    format: Option<Format>,
    /// Write the report to this file instead of standard output.
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// Exit 1 when a finding is at or above this severity [default: high].
    #[arg(long, value_parser = parse_fail_on, value_name = "critical|high|medium|low|info|none")]
    fail_on: Option<FailOn>,
    /// A baseline or previous JSON report whose findings are suppressed.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Never colour the output.
    #[arg(long, alias = "no-colour")]
    no_color: bool,
}

/// What a cloud scan reads and runs (shared by `cloud scan` and `assure`).
#[derive(Debug, Clone, Args)]
pub(crate) struct CloudScanInput {
    #[command(flatten)]
    pub(crate) aws: AwsArgs,
    /// Use this configuration file (faasguard.toml) for rule selection and knobs.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Run only these rules (ids, names or family prefixes; comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "IDS")]
    select: Vec<String>,
    /// Do not run these rules (ids, names or family prefixes; comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "IDS")]
    ignore: Vec<String>,
    /// Which analyses run: `config`, `iam`, `secret`, `vuln`, `sast` (comma-separated)
    /// [default: all].
    #[arg(long, value_delimiter = ',', value_name = "LIST", value_parser = ["config", "iam", "secret", "vuln", "sast"])]
    scanners: Vec<String>,
    /// The vulnerability database [default: as for `scan`].
    #[arg(long, value_name = "FILE")]
    db: Option<PathBuf>,
    /// Digest records written by `faasguard scan --record` (repeatable): every deployed
    /// function whose CodeSha256 none of them holds is reported (FG-INT-001).
    #[arg(long, value_name = "FILE")]
    pub(crate) expect: Vec<PathBuf>,
    /// Do not download function code or layers (configuration, IAM and environment only).
    #[arg(long)]
    no_code: bool,
    /// Packages larger than this many MiB are not downloaded (reported instead).
    #[arg(long, default_value_t = 256, value_name = "MIB")]
    max_code_mib: u64,
    /// Replace the scheme and host of every code download URL with this base URL, keeping
    /// path and query (for tests against moto, whose URLs name a host it does not serve)
    /// [default: $FAASGUARD_CODE_ENDPOINT, else the URL Lambda returns].
    #[arg(long, value_name = "URL")]
    code_endpoint_url: Option<String>,
    /// Parallel code downloads.
    #[arg(long, short, default_value_t = 4, value_name = "N")]
    jobs: usize,
}

pub(crate) fn run(command: &CloudCommand) -> Result<ExitCode> {
    match command {
        CloudCommand::Inventory(args) => run_inventory(args),
        CloudCommand::Scan(args) => run_scan(args),
    }
}

pub(crate) fn now_epoch_s() -> Result<i64> {
    if let Ok(today) = crate::today()
        && std::env::var_os("FAASGUARD_TODAY").is_some()
    {
        // Reproducible runs: noon of FAASGUARD_TODAY.
        let days = day_number(&today).context("FAASGUARD_TODAY")?;
        return Ok(days * 86_400 + 43_200);
    }
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .context("the system clock is before 1970")?
        .as_secs();
    i64::try_from(secs).context("the system clock is out of range")
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date.
fn day_number(date: &str) -> Option<i64> {
    let y: i64 = date.get(0..4)?.parse().ok()?;
    let m: i64 = date.get(5..7)?.parse().ok()?;
    let d: i64 = date.get(8..10)?.parse().ok()?;
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

pub(crate) fn cloud_settings(aws: &AwsArgs) -> Result<CloudSettings> {
    let regions = if aws.regions.iter().any(|r| r.eq_ignore_ascii_case("all")) {
        if aws.regions.len() > 1 {
            bail!("--regions takes `all` or a list of regions, not both");
        }
        Regions::All
    } else {
        let list: Vec<String> = aws
            .regions
            .iter()
            .map(|r| r.trim().to_owned())
            .filter(|r| !r.is_empty())
            .collect();
        if list.is_empty() {
            bail!("--regions names no region");
        }
        Regions::List(list)
    };
    if aws.concurrency == 0 {
        bail!("--concurrency must be at least 1");
    }
    let mut settings = CloudSettings::new(regions);
    settings.profile.clone_from(&aws.profile);
    settings.assume_roles.clone_from(&aws.assume_roles);
    settings.org_role.clone_from(&aws.org_role);
    settings.endpoint_url.clone_from(&aws.endpoint_url);
    settings.concurrency = aws.concurrency;
    settings.max_attempts = aws.max_attempts.max(1);
    settings.operation_timeout = Duration::from_secs(aws.timeout.max(1));
    settings.now_epoch_s = now_epoch_s()?;
    if std::io::stderr().is_terminal() {
        settings.progress = Some(progress_line());
    }
    Ok(settings)
}

/// A progress line on stderr (a terminal): regions read, functions found, the last region.
fn progress_line() -> ProgressSink {
    let state = Mutex::new((0usize, 0usize, 0usize));
    ProgressSink(std::sync::Arc::new(move |p: &Progress| {
        if let Ok(mut s) = state.lock() {
            s.0 += 1;
            s.1 += p.functions;
            s.2 += usize::from(p.failed);
            eprint!(
                "\r\x1b[2K{} region(s) read, {} function(s), {} failed · {}/{}",
                s.0, s.1, s.2, p.account, p.region
            );
        }
    }))
}

/// Clears the progress line, if one was drawn.
fn end_progress(settings: &CloudSettings) {
    if settings.progress.is_some() {
        eprint!("\r\x1b[2K");
    }
}

/// What could not be read, as report diagnostics: failed accounts and regions, and per
/// function the calls that failed.
fn inventory_diagnostics(inv: &CloudInventory) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for e in &inv.errors {
        let scope = match (e.account.as_str(), e.region.as_str()) {
            (account, "") => format!("aws:{account}"),
            (account, region) => format!("aws:{account}/{region}"),
        };
        out.push(Diagnostic::new(
            Location::file(scope),
            format!("{} failed: {}", e.operation, e.message),
        ));
    }
    for f in &inv.functions {
        for problem in &f.problems {
            out.push(Diagnostic::new(
                Location::file(f.arn.clone()),
                format!("not fully assessed: {problem}"),
            ));
        }
    }
    out
}

fn summary_line(inv: &CloudInventory) -> String {
    let problems: usize = inv.functions.iter().map(|f| f.problems.len()).sum();
    format!(
        "read {} function(s) in {} account(s) and {} region(s); {} account/region error(s), {} call(s) failed for single functions",
        inv.functions.len(),
        inv.accounts.len(),
        inv.regions.len(),
        inv.errors.len(),
        problems
    )
}

fn run_inventory(args: &InventoryArgs) -> Result<ExitCode> {
    let mut settings = cloud_settings(&args.aws)?;
    settings.invocation_window_days = args.window.clamp(1, 455);
    let inv = collect_blocking(&settings)?;
    end_progress(&settings);
    let text = match args.format {
        InventoryFormat::Table => inventory_table(&inv),
        InventoryFormat::Json => {
            let mut s = serde_json::to_string_pretty(&inv)?;
            s.push('\n');
            s
        }
        InventoryFormat::Csv => inventory_csv(&inv),
    };
    emit(args.output.as_deref(), text.as_bytes())?;
    let diagnostics = inventory_diagnostics(&inv);
    for d in &diagnostics {
        eprintln!("error: {}: {}", d.location.file, d.message);
    }
    eprintln!("{}", summary_line(&inv));
    Ok(if diagnostics.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}

fn emit(output: Option<&Path>, bytes: &[u8]) -> Result<()> {
    if let Some(path) = output {
        return crate::write_file(path, bytes);
    }
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("cannot write to standard output"),
    }
}

fn runtime_cell(f: &LiveFunction) -> String {
    let runtime = f.runtime.clone().unwrap_or_else(|| "-".to_owned());
    match &f.runtime_status {
        RuntimeStatus::EndOfLife { date } => format!("{runtime} (EOL {date})"),
        RuntimeStatus::DeprecationSoon { date } => format!("{runtime} (EOL soon: {date})"),
        RuntimeStatus::Image => "image".to_owned(),
        RuntimeStatus::Supported | RuntimeStatus::Unknown => runtime,
    }
}

const COLUMNS: [&str; 16] = [
    "account",
    "region",
    "name",
    "runtime",
    "eol",
    "architecture",
    "memory_mb",
    "timeout_s",
    "code_size",
    "last_modified",
    "last_invocation",
    "unused_days",
    "role",
    "url_auth_type",
    "layers",
    "tags",
];

fn row(f: &LiveFunction) -> [String; 16] {
    let opt = |v: Option<String>| v.unwrap_or_default();
    [
        f.account.clone(),
        f.region.clone(),
        f.name.clone(),
        opt(f.runtime.clone()),
        match &f.runtime_status {
            RuntimeStatus::EndOfLife { date } => format!("end-of-life {date}"),
            RuntimeStatus::DeprecationSoon { date } => format!("deprecated {date}"),
            RuntimeStatus::Supported => "supported".to_owned(),
            RuntimeStatus::Unknown => "unknown".to_owned(),
            RuntimeStatus::Image => "image".to_owned(),
        },
        opt(f.architecture.clone()),
        opt(f.memory_mb.map(|m| m.to_string())),
        opt(f.timeout_s.map(|t| t.to_string())),
        f.code_size.to_string(),
        opt(f.last_modified.clone()),
        opt(f.last_invocation.clone()),
        opt(f.unused_days.map(|d| d.to_string())),
        opt(f.role.clone()),
        opt(f.url_auth_type.clone()),
        f.layers.join(" "),
        f.tags
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(" "),
    ]
}

/// RFC 4180 CSV with a header line.
fn inventory_csv(inv: &CloudInventory) -> String {
    let quote = |s: &str| {
        if s.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_owned()
        }
    };
    let mut out = COLUMNS.join(",");
    out.push_str("\r\n");
    for f in &inv.functions {
        let cells: Vec<String> = row(f).iter().map(|c| quote(c)).collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}

/// An aligned table of the columns people scan first.
fn inventory_table(inv: &CloudInventory) -> String {
    let header = [
        "ACCOUNT",
        "REGION",
        "NAME",
        "RUNTIME",
        "ARCH",
        "MEM",
        "TIMEOUT",
        "CODE",
        "LAST INVOKED",
        "UNUSED",
        "URL",
        "ROLE",
    ];
    let rows: Vec<[String; 12]> = inv
        .functions
        .iter()
        .map(|f| {
            let r = row(f);
            [
                r[0].clone(),
                r[1].clone(),
                r[2].clone(),
                runtime_cell(f),
                r[5].clone(),
                r[6].clone(),
                r[7].clone(),
                r[8].clone(),
                if r[10].is_empty() {
                    "-".to_owned()
                } else {
                    r[10].clone()
                },
                f.unused_days.map_or("-".to_owned(), |d| format!("{d}d")),
                if r[13].is_empty() {
                    "-".to_owned()
                } else {
                    r[13].clone()
                },
                f.role
                    .as_deref()
                    .and_then(|a| a.rsplit('/').next())
                    .unwrap_or("-")
                    .to_owned(),
            ]
        })
        .collect();
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: Vec<&str>| {
        let mut l = String::new();
        for (i, (c, w)) in cells.iter().zip(&widths).enumerate() {
            if i + 1 == cells.len() {
                l.push_str(c);
            } else {
                let _ = write!(l, "{c:w$}  ");
            }
        }
        out.push_str(l.trim_end());
        out.push('\n');
    };
    line(header.to_vec());
    for r in &rows {
        line(r.iter().map(String::as_str).collect());
    }
    out
}

/// One package digest in a record file.
#[derive(Debug, Serialize, Deserialize)]
struct RecordEntry {
    /// The package as the scan named it.
    path: String,
    /// Base64 SHA-256: the form of Lambda's CodeSha256.
    sha256: String,
    bytes: u64,
}

/// `faasguard scan --record FILE`: the digests of the packages a pipeline scan read.
#[derive(Debug, Serialize, Deserialize)]
struct RecordFile {
    faasguard_record: u32,
    tool_version: String,
    created: String,
    packages: Vec<RecordEntry>,
}

/// Writes the digest record of every zip package under the scan's targets.
pub(crate) fn write_record(settings: &ScanSettings, path: &Path) -> Result<usize> {
    let mut packages = Vec::new();
    for (shown, disk) in package_files(settings)? {
        let bytes =
            std::fs::read(&disk).with_context(|| format!("cannot read {}", disk.display()))?;
        packages.push(RecordEntry {
            path: shown,
            sha256: sha256_base64(&bytes),
            bytes: bytes.len() as u64,
        });
    }
    let file = RecordFile {
        faasguard_record: 1,
        tool_version: env!("CARGO_PKG_VERSION").to_owned(),
        created: settings.rules.today.clone(),
        packages,
    };
    let mut json = serde_json::to_vec_pretty(&file)?;
    json.push(b'\n');
    crate::write_file(path, &json)?;
    Ok(file.packages.len())
}

/// The digests held by the record files.
pub(crate) fn read_records(paths: &[PathBuf]) -> Result<BTreeSet<String>> {
    let mut out = BTreeSet::new();
    for path in paths {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let file: RecordFile = serde_json::from_str(&text).with_context(|| {
            format!(
                "{} is not a record written by `faasguard scan --record`",
                path.display()
            )
        })?;
        out.extend(file.packages.into_iter().map(|p| p.sha256));
    }
    Ok(out)
}

fn run_scan(args: &CloudScanArgs) -> Result<ExitCode> {
    let (report, settings, format) = scan_report(
        &args.input,
        args.fail_on,
        args.baseline.clone(),
        args.format,
        None,
    )?;
    crate::print_diagnostics(&report);
    let scan_args = ScanArgs {
        selection: selection_of(&args.input),
        format: Some(format),
        output: args.output.clone(),
        fail_on: args.fail_on,
        baseline: args.baseline.clone(),
        no_color: args.no_color,
        record: None,
    };
    crate::write_report(&report, format, &scan_args)?;
    Ok(if !report.diagnostics.is_empty() {
        ExitCode::from(2)
    } else if has_failing_findings(&report, settings.fail_on) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn selection_of(input: &CloudScanInput) -> Selection {
    Selection {
        paths: Vec::new(),
        config: input.config.clone(),
        select: input.select.clone(),
        ignore: input.ignore.clone(),
        scanners: input.scanners.clone(),
        jobs: None,
        sast_deps: false,
        db: input.db.clone(),
    }
}

/// Runs a cloud scan in process and returns its report (with each function's cloud facts),
/// the scan settings and the output format. `window_days` reads CloudWatch invocation
/// metrics over that many days (for the days unused); `None` skips them.
pub(crate) fn scan_report(
    input: &CloudScanInput,
    fail_on: Option<FailOn>,
    baseline: Option<PathBuf>,
    format: Option<Format>,
    window_days: Option<u32>,
) -> Result<(faasguard_report::Report, ScanSettings, Format)> {
    let selection = selection_of(input);
    let mut settings = crate::settings_for(&selection)?;
    if let Some(fail_on) = fail_on {
        settings.fail_on = fail_on;
    }
    settings.baseline = baseline;
    let format = match (format, &settings.format) {
        (Some(format), _) => format,
        (None, Some(name)) => parse_format(name).map_err(anyhow::Error::msg)?,
        (None, None) => Format::Table,
    };
    let expected = if input.expect.is_empty() {
        None
    } else {
        Some(read_records(&input.expect)?)
    };
    let mut cloud = cloud_settings(&input.aws)?;
    cloud.metrics = window_days.is_some();
    if let Some(days) = window_days {
        cloud.invocation_window_days = days.clamp(1, 455);
    }
    cloud.layer_code = !input.no_code;
    {
        use faasguard_rules::rules::function::{InvokeNotLogged, NoDeadLetter};
        cloud.trails = settings.rules.is_enabled(&InvokeNotLogged::META);
        cloud.invoke_config = settings.rules.is_enabled(&NoDeadLetter::META);
    }
    let inv = collect_blocking(&cloud)?;
    end_progress(&cloud);
    eprintln!("{}", summary_line(&inv));

    let mut diagnostics = inventory_diagnostics(&inv);
    let packages = if input.no_code {
        Vec::new()
    } else {
        let download = DownloadSettings {
            max_bytes: input.max_code_mib.saturating_mul(1 << 20),
            timeout: cloud.operation_timeout.max(Duration::from_mins(5)),
            host_override: input.code_endpoint_url.clone().or_else(|| {
                std::env::var(CODE_ENDPOINT_ENV)
                    .ok()
                    .filter(|v| !v.is_empty())
            }),
        };
        download_all(&inv, &download, input.jobs.max(1), &mut diagnostics)
    };
    let (findings, rules) = integrity_findings(&inv, expected.as_ref());
    let mut targets: Vec<String> = inv
        .accounts
        .iter()
        .flat_map(|a| inv.regions.iter().map(move |r| format!("aws:{a}/{r}")))
        .collect();
    if targets.is_empty() {
        targets.push("aws".to_owned());
    }
    // The injection analysis reads packages from disk: a scratch directory, removed on return.
    let work = tempfile::Builder::new()
        .prefix("faasguard-cloud-")
        .tempdir()
        .context("cannot create a temporary directory for the injection analysis")?;
    let report = scan_inventory(
        &settings,
        InventoryScan {
            targets,
            inventory: inv.model(),
            packages,
            findings,
            rules,
            diagnostics,
            work_dir: Some(work.path().to_path_buf()),
        },
    )?;
    drop(work);
    let mut report = report;
    attach_cloud_facts(&mut report, &inv);
    Ok((report, settings, format))
}

/// Adds what the cloud reported to each function of the report (matched by display id), for
/// assurance policies and the store.
fn attach_cloud_facts(report: &mut faasguard_report::Report, inv: &CloudInventory) {
    let by_id: HashMap<String, &faasguard_aws::LiveFunction> = inv
        .functions
        .iter()
        .map(|f| (f.function.display_id(), f))
        .collect();
    for summary in &mut report.functions {
        let Some(f) = by_id.get(&summary.id) else {
            continue;
        };
        summary.cloud = Some(faasguard_report::CloudFacts {
            arn: f.arn.clone(),
            account: f.account.clone(),
            region: f.region.clone(),
            tags: f.tags.clone(),
            code_sha256: f.code_sha256.clone(),
            reserved_concurrency: f.reserved_concurrency,
            unused_days: f.unused_days,
            last_invocation: f.last_invocation.clone(),
            role: f.role.clone(),
            url_auth_type: f.url_auth_type.clone(),
            layers: f.layers.clone(),
            last_modified: f.last_modified.clone(),
            problems: f.problems.clone(),
        });
    }
}

/// FG-INT-001 for every function whose deployed package no record holds (with the rule's
/// metadata); nothing without records.
fn integrity_findings(
    inv: &CloudInventory,
    expected: Option<&BTreeSet<String>>,
) -> (
    Vec<faasguard_core::Finding>,
    Vec<faasguard_report::RuleInfo>,
) {
    let Some(expected) = expected else {
        return (Vec::new(), Vec::new());
    };
    let findings = inv
        .functions
        .iter()
        .filter_map(|f| {
            let sha = f.code_sha256.as_deref()?;
            (!expected.contains(sha))
                .then(|| unrecorded_code_finding(&f.function.display_id(), &f.arn, sha))
        })
        .collect();
    (findings, integrity_rule_infos())
}

/// One package to download: function code or a layer used by some functions.
struct Download<'a> {
    /// Whose diagnostics name it (the function or layer ARN).
    arn: &'a str,
    location: Option<&'a str>,
    sha256: Option<&'a str>,
    functions: Vec<String>,
    what: &'static str,
}

/// Every package to download: each zip-packaged function's code, and each distinct layer once.
fn downloads(inv: &CloudInventory) -> Vec<Download<'_>> {
    let mut out = Vec::new();
    let mut layers: std::collections::BTreeMap<&str, Download<'_>> =
        std::collections::BTreeMap::new();
    for f in &inv.functions {
        if f.runtime_status != RuntimeStatus::Image {
            out.push(Download {
                arn: &f.arn,
                location: f.code_location.as_deref(),
                sha256: f.code_sha256.as_deref(),
                functions: vec![f.function.display_id()],
                what: "code",
            });
        }
        for layer in &f.layer_code {
            layers
                .entry(layer.arn.as_str())
                .or_insert_with(|| Download {
                    arn: &layer.arn,
                    location: layer.location.as_deref(),
                    sha256: layer.code_sha256.as_deref(),
                    functions: Vec::new(),
                    what: "layer",
                })
                .functions
                .push(f.function.display_id());
        }
    }
    out.extend(layers.into_values());
    out
}

/// Downloads every package on `jobs` threads; a failure is a diagnostic naming the function or
/// layer.
fn download_all(
    inv: &CloudInventory,
    settings: &DownloadSettings,
    jobs: usize,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<MemoryPackage> {
    let wanted = downloads(inv);
    let next = AtomicUsize::new(0);
    let results = Mutex::new(Vec::new());
    let problems = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..jobs.min(wanted.len().max(1)) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(d) = wanted.get(i) else { break };
                    let result = match d.location {
                        Some(location) => download_code(location, d.sha256, settings)
                            .map_err(|e| format!("{} not scanned: {e}", d.what)),
                        None => Err(format!("{} not scanned: no download location", d.what)),
                    };
                    match result {
                        Ok(bytes) => {
                            if let Ok(mut r) = results.lock() {
                                r.push(MemoryPackage {
                                    functions: d.functions.clone(),
                                    display: format!("{}.zip", d.arn),
                                    bytes,
                                    function_code: d.what == "code",
                                });
                            }
                        }
                        Err(message) => {
                            if let Ok(mut p) = problems.lock() {
                                p.push(Diagnostic::new(Location::file(d.arn), message));
                            }
                        }
                    }
                }
            });
        }
    });
    diagnostics.extend(problems.into_inner().unwrap_or_default());
    let mut packages = results.into_inner().unwrap_or_default();
    packages.sort_by(|a, b| a.display.cmp(&b.display));
    packages
}

#[cfg(test)]
mod tests {
    use super::*;

    /// CSV cells with commas, quotes or newlines are quoted, the rest left bare.
    #[test]
    fn csv_quoting() {
        let mut inv = CloudInventory::default();
        let mut tags = std::collections::BTreeMap::new();
        tags.insert("team".to_owned(), "a,b".to_owned());
        inv.functions.push(LiveFunction {
            function: faasguard_model::Function::new(
                faasguard_model::FunctionId {
                    provider: faasguard_model::Provider::Aws,
                    source: faasguard_model::SourceKind::AwsLive,
                    file: String::new(),
                    logical_id: "f".into(),
                    name: Some("f".into()),
                    account: Some("1".into()),
                    region: Some("r".into()),
                },
                Location::file("arn:f"),
            ),
            name: "f".into(),
            arn: "arn:f".into(),
            account: "1".into(),
            region: "r".into(),
            runtime: Some("python3.12".into()),
            runtime_status: RuntimeStatus::Supported,
            architecture: None,
            memory_mb: Some(128),
            timeout_s: Some(3),
            code_size: 10,
            code_sha256: None,
            last_modified: None,
            last_invocation: None,
            unused_days: Some(90),
            role: None,
            url_auth_type: None,
            layers: Vec::new(),
            tags,
            env_plaintext: false,
            reserved_concurrency: None,
            code_location: None,
            layer_code: Vec::new(),
            problems: Vec::new(),
        });
        let csv = inventory_csv(&inv);
        let line = csv.lines().nth(1).unwrap_or_default();
        assert!(line.starts_with("1,r,f,python3.12,supported,,128,3,10,,,90,,,,"));
        assert!(line.ends_with("\"team=a,b\""));
    }

    /// Dates become day numbers as the calendar says.
    #[test]
    fn day_numbers() {
        assert_eq!(day_number("1970-01-01"), Some(0));
        assert_eq!(day_number("2026-11-24"), Some(20_781));
    }
}
