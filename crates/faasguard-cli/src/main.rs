//! The `faasguard` binary: clap → validated settings → engine → writer.
//!
//! Exit codes: 0 when no finding reaches `--fail-on`, 1 when one does, 2 on a usage or runtime
//! error or when any file could not be read or understood (a diagnostic).
#![expect(
    clippy::print_stderr,
    reason = "the binary reports diagnostics and errors on the terminal"
)]

mod assure;
mod cloud;
mod db;
mod serve;
mod shield;

use std::fmt::Write as _;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

/// mimalloc instead of the system allocator: the analyses allocate many small, short-lived
/// objects (syntax trees, paths, findings); glibc malloc took about a fifth of the CPU time of
/// the injection benchmark (perf), mimalloc cuts the scan's user time by about a quarter
/// (BENCHMARKS.md). The `override` feature makes it the C allocator as well: `serve`'s SQLite
/// values are allocated in sqlx's worker threads and freed in tokio's, which glibc's arenas
/// handle slowly (docs/design-notes.md, "mimalloc also replaces malloc/free").
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};
use serde::Serialize;

use faasguard_core::date::civil_from_days;
use faasguard_engine::{
    CatalogRule, Config, FailOn, ScanSettings, find_config, has_failing_findings, resolve_rules,
    rule_catalog, scan,
};
use faasguard_report::{Format, Report, WriterOptions, writer};

/// faasguard: find publicly invokable, over-privileged and badly configured serverless functions
/// in SAM/CloudFormation, Serverless Framework, Terraform and Azure Functions sources.
#[derive(Debug, Parser)]
#[command(name = "faasguard", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Scan directories or files and report findings.
    Scan(ScanArgs),
    /// List every rule, or print one rule's documentation.
    Rules(RulesArgs),
    /// Manage baselines: known findings that later scans hide (`scan --baseline FILE`).
    #[command(subcommand)]
    Baseline(BaselineCommand),
    /// The vulnerability database: import OSV files, update from the OSV export, status.
    #[command(subcommand)]
    Db(db::DbCommand),
    /// Deployed functions: inventory every region and account, scan live configuration and code.
    #[command(subcommand)]
    Cloud(cloud::CloudCommand),
    /// Function Assurance: evaluate assurance.yaml policies over a cloud scan (or a report) and,
    /// with --enforce, notify and block (reserved concurrency 0); a dry run otherwise.
    Assure(assure::AssureArgs),
    /// Restore the reserved concurrency a block replaced, and remove the faasguard:blocked tag.
    Unblock(assure::UnblockArgs),
    /// Serve the REST API and the dashboard, and run the scheduled cloud scans with Function
    /// Assurance (several processes may share one PostgreSQL store).
    Serve(Box<serve::ServeArgs>),
    /// API tokens of `faasguard serve` (stored hashed).
    #[command(subcommand)]
    Token(serve::TokenCommand),
    /// faasguard-shield, the runtime protection of functions: build its Lambda layer.
    #[command(subcommand)]
    Shield(shield::ShieldCommand),
}

#[derive(Debug, Subcommand)]
enum BaselineCommand {
    /// Scan and write every current finding's fingerprint to a baseline file.
    Create(BaselineCreateArgs),
}

#[derive(Debug, Args)]
struct BaselineCreateArgs {
    #[command(flatten)]
    selection: Selection,
    /// Where to write the baseline.
    #[arg(long, short, default_value = ".faasguard-baseline.json")]
    output: PathBuf,
}

/// What to scan and with which rules (shared by `scan` and `baseline create`).
#[derive(Debug, Args)]
struct Selection {
    /// Directories, files or zip packages to scan.
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    /// Use this configuration file instead of searching for faasguard.toml.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Run only these rules (ids, names or family prefixes such as FG-SEC; comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "IDS")]
    select: Vec<String>,
    /// Do not run these rules (ids, names or family prefixes; comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "IDS")]
    ignore: Vec<String>,
    /// Which analyses run: `config` (FG-FN, FG-AZ), `iam` (FG-IAM), `secret` (FG-SEC),
    /// `vuln` (FG-DEP), `sast` (FG-INJ); comma-separated [default: all]. `--select`/`--ignore`
    /// narrow further.
    #[arg(long, value_delimiter = ',', value_name = "LIST", value_parser = ["config", "iam", "secret", "vuln", "sast"])]
    scanners: Vec<String>,
    /// Threads for the code scan [default: one per CPU].
    #[arg(long, short, value_name = "N")]
    jobs: Option<usize>,
    /// Follow the injection analysis (FG-INJ) into installed dependencies (`node_modules`,
    /// vendored Python packages) [default: first-party code only, or `sast-deps` in
    /// faasguard.toml].
    #[arg(long)]
    sast_deps: bool,
    /// The vulnerability database [default: $FAASGUARD_DB, else ~/.cache/faasguard/osv.fgdb
    /// when it exists, else the bundled snapshot].
    #[arg(long, value_name = "FILE")]
    db: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct ScanArgs {
    #[command(flatten)]
    selection: Selection,
    /// Report format [default: table, or `format` in faasguard.toml].
    #[arg(long, short, value_parser = parse_format)]
    format: Option<Format>,
    /// Write the report to this file instead of standard output.
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// Exit 1 when a finding is at or above this severity [default: high].
    #[arg(long, value_parser = parse_fail_on, value_name = "critical|high|medium|low|info|none")]
    fail_on: Option<FailOn>,
    /// A baseline (`faasguard baseline create`) or a previous JSON report: findings already in
    /// it are suppressed.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Never colour the output (colour is used only on a terminal and when NO_COLOR is unset).
    #[arg(long, alias = "no-colour")]
    no_color: bool,
    /// Record the SHA-256 of every zip package scanned in this file (for `faasguard cloud scan
    /// --expect FILE`, which flags deployed code no pipeline scan recorded).
    #[arg(long, value_name = "FILE")]
    record: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct RulesArgs {
    /// A rule id (`FG-IAM-001`) or name; without it, every rule is listed.
    rule: Option<String>,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = RulesFormat::Table)]
    format: RulesFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum RulesFormat {
    Table,
    Json,
}

fn parse_format(s: &str) -> Result<Format, String> {
    s.parse::<Format>().map_err(|e| e.to_string())
}

fn parse_fail_on(s: &str) -> Result<FailOn, String> {
    s.parse()
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Scan(args) => run_scan(&args),
        Command::Rules(args) => run_rules(&args),
        Command::Baseline(BaselineCommand::Create(args)) => run_baseline_create(&args),
        Command::Db(command) => db::run(&command),
        Command::Cloud(command) => cloud::run(&command),
        Command::Assure(args) => assure::run_assure(&args),
        Command::Unblock(args) => assure::run_unblock(&args),
        Command::Serve(args) => serve::run_serve(*args),
        Command::Token(command) => serve::run_token(&command),
        Command::Shield(command) => shield::run(&command),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}

/// Settings from the configuration file, then the flags over it.
fn settings_for(selection: &Selection) -> Result<ScanSettings> {
    let mut settings = ScanSettings::new(selection.paths.clone());
    settings.rules.today = today()?;
    let config_path = match &selection.config {
        Some(path) => Some(path.clone()),
        None => selection.paths.first().and_then(|p| find_config(p)),
    };
    if let Some(path) = config_path {
        settings.apply_config(Config::load(&path)?);
    }
    if !selection.select.is_empty() {
        settings.rules.select = resolve_rules(selection.select.iter().map(String::as_str))
            .map_err(anyhow::Error::msg)?;
    }
    if !selection.scanners.is_empty() {
        let families: Vec<&str> = selection
            .scanners
            .iter()
            .flat_map(|s| match s.as_str() {
                "config" => ["FG-FN", "FG-AZ"].as_slice(),
                "iam" => ["FG-IAM"].as_slice(),
                "secret" => ["FG-SEC"].as_slice(),
                "sast" => ["FG-INJ"].as_slice(),
                _ => ["FG-DEP"].as_slice(),
            })
            .copied()
            .collect();
        settings.rules.select = if settings.rules.select.is_empty() {
            resolve_rules(families.iter().copied()).map_err(anyhow::Error::msg)?
        } else {
            // By prefix, so that an opt-in rule named in --select stays selected.
            let keep = |id: &String| families.iter().any(|f| id.starts_with(&format!("{f}-")));
            settings
                .rules
                .select
                .iter()
                .filter(|id| keep(id))
                .cloned()
                .collect()
        };
        if settings.rules.select.is_empty() {
            bail!("--scanners and --select leave no rule to run");
        }
    }
    settings.rules.ignore.extend(
        resolve_rules(selection.ignore.iter().map(String::as_str)).map_err(anyhow::Error::msg)?,
    );
    if let Some(jobs) = selection.jobs {
        settings.threads = jobs;
    }
    if selection.sast_deps {
        settings.sast_deps = true;
    }
    let dependency_rules_on = faasguard_engine::dependency_rule_infos().iter().any(|r| {
        !settings.rules.ignore.contains(&r.id)
            && (settings.rules.select.is_empty() || settings.rules.select.contains(&r.id))
    });
    if dependency_rules_on {
        let (database, label) = db::open_for_scan(selection.db.as_deref())?;
        settings.vuln_db = Some(database);
        settings.vuln_db_source = label;
    }
    Ok(settings)
}

/// Prints each diagnostic on standard error as `error: file:line: message`.
fn print_diagnostics(report: &Report) {
    for diag in &report.diagnostics {
        match diag.location.line {
            Some(line) => eprintln!("error: {}:{line}: {}", diag.location.file, diag.message),
            None => eprintln!("error: {}: {}", diag.location.file, diag.message),
        }
    }
}

fn run_scan(args: &ScanArgs) -> Result<ExitCode> {
    let mut settings = settings_for(&args.selection)?;
    // Flags win over the configuration file.
    if let Some(fail_on) = args.fail_on {
        settings.fail_on = fail_on;
    }
    settings.baseline.clone_from(&args.baseline);
    let format = match (args.format, &settings.format) {
        (Some(format), _) => format,
        (None, Some(name)) => parse_format(name).map_err(anyhow::Error::msg)?,
        (None, None) => Format::Table,
    };

    let report = scan(&settings)?;
    print_diagnostics(&report);
    if let Some(path) = &args.record {
        let n = cloud::write_record(&settings, path)?;
        eprintln!("recorded {n} package digest(s) in {}", path.display());
    }
    if let Some(db) = report.vuln_db.as_ref().filter(|db| db.stale) {
        eprintln!(
            "warning: the vulnerability database ({}, built {}, newest advisories {}) is stale: vulnerabilities published since are not found; run `faasguard db update`",
            db.source,
            db.built_at,
            db.newest.join(", ")
        );
    }
    write_report(&report, format, args)?;

    Ok(if !report.diagnostics.is_empty() {
        ExitCode::from(2)
    } else if has_failing_findings(&report, settings.fail_on) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// One entry of a baseline file. Only `fingerprint` is read back; the rest helps review.
#[derive(Debug, Serialize)]
struct BaselineEntry<'a> {
    fingerprint: &'a str,
    rule_id: &'a str,
    file: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<u32>,
    message: &'a str,
}

/// A baseline file: readable by `scan --baseline` like a JSON report (`findings[].fingerprint`).
#[derive(Debug, Serialize)]
struct BaselineFile<'a> {
    faasguard_baseline: u32,
    tool_version: &'a str,
    created: String,
    findings: Vec<BaselineEntry<'a>>,
}

fn run_baseline_create(args: &BaselineCreateArgs) -> Result<ExitCode> {
    let settings = settings_for(&args.selection)?;
    let report = scan(&settings)?;
    print_diagnostics(&report);
    let file = BaselineFile {
        faasguard_baseline: 1,
        tool_version: &report.tool.version,
        created: settings.rules.today.clone(),
        findings: report
            .findings
            .iter()
            .map(|f| BaselineEntry {
                fingerprint: &f.fingerprint,
                rule_id: &f.rule_id,
                file: &f.location.file,
                line: f.location.line,
                message: &f.message,
            })
            .collect(),
    };
    let mut json = serde_json::to_vec_pretty(&file)?;
    json.push(b'\n');
    write_file(&args.output, &json)?;
    eprintln!(
        "wrote {} finding(s) to {}",
        file.findings.len(),
        args.output.display()
    );
    Ok(if report.diagnostics.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}

fn write_report(report: &Report, format: Format, args: &ScanArgs) -> Result<()> {
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let no_color_env = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let colour = to_terminal && !no_color_env && !args.no_color;
    let w = writer(format, WriterOptions::default().with_colour(colour));
    if let Some(path) = &args.output {
        return stream_to_file(path, |out| Ok(w.write(report, out)?));
    }
    let mut buf = Vec::new();
    w.write(report, &mut buf)?;
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(&buf).and_then(|()| stdout.flush()) {
        // The reader closed the pipe (`faasguard scan | head`): it wants no more output,
        // which is not an error; the exit code still reflects the scan.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        other => other.context("cannot write to standard output")?,
    }
    Ok(())
}

/// Writes a file through a buffer (a report of many findings is large). A regular file is
/// written to a temporary file beside it and renamed over it once complete, so a failed write
/// never leaves half a report behind; a device or pipe (`-o /dev/stdout`) is written directly.
fn stream_to_file(path: &Path, write: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
    let context = || format!("cannot write {}", path.display());
    let special = std::fs::metadata(path).is_ok_and(|m| !m.is_file());
    if special {
        let mut out = std::io::BufWriter::new(std::fs::File::create(path).with_context(context)?);
        write(&mut out)?;
        return out.flush().with_context(context);
    }
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(
        path.file_name()
            .unwrap_or_else(|| std::ffi::OsStr::new("report")),
    );
    tmp_name.push(format!(".{}.tmp", std::process::id()));
    let tmp = path.with_file_name(tmp_name);
    let written = (|| -> Result<()> {
        let file = std::fs::File::create(&tmp).with_context(context)?;
        let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
        write(&mut out)?;
        out.flush().with_context(context)?;
        std::fs::rename(&tmp, path).with_context(context)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))
}

fn run_rules(args: &RulesArgs) -> Result<ExitCode> {
    let catalog = rule_catalog();
    let mut stdout = std::io::stdout().lock();
    if let Some(key) = &args.rule {
        let key = key.trim();
        let Some(rule) = catalog
            .iter()
            .find(|r| r.info.id.eq_ignore_ascii_case(key) || r.info.name.eq_ignore_ascii_case(key))
        else {
            bail!("unknown rule `{key}` (run `faasguard rules` to list them)");
        };
        match args.format {
            RulesFormat::Json => {
                serde_json::to_writer_pretty(&mut stdout, rule)?;
                writeln!(stdout)?;
            }
            RulesFormat::Table => write!(stdout, "{}", rule_text(rule))?,
        }
    } else {
        match args.format {
            RulesFormat::Json => {
                serde_json::to_writer_pretty(&mut stdout, &catalog)?;
                writeln!(stdout)?;
            }
            RulesFormat::Table => write!(stdout, "{}", rules_table(&catalog))?,
        }
    }
    stdout.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// `ID  NAME  SEVERITY  TITLE`, aligned.
fn rules_table(rules: &[CatalogRule]) -> String {
    let id_w = rules
        .iter()
        .map(|r| r.info.id.len())
        .max()
        .unwrap_or(0)
        .max(2);
    let name_w = rules
        .iter()
        .map(|r| r.info.name.len())
        .max()
        .unwrap_or(0)
        .max(4);
    let mut out = format!(
        "{:id_w$}  {:name_w$}  {:8}  TITLE\n",
        "ID", "NAME", "SEVERITY"
    );
    for r in rules {
        let status = match r.status {
            "stable" => String::new(),
            other => format!(" ({other})"),
        };
        let _ = writeln!(
            out,
            "{:id_w$}  {:name_w$}  {:8}  {}{status}",
            r.info.id,
            r.info.name,
            r.info.severity.as_str(),
            r.info.title
        );
    }
    let _ = writeln!(
        out,
        "\n{} rules. `faasguard rules <ID>` prints a rule's documentation; `--select FG-SEC` (or FG-FN, FG-IAM, FG-AZ, FG-DEP, FG-INJ) picks a family.",
        rules.len()
    );
    out
}

/// One rule's documentation as Markdown-flavoured text.
fn rule_text(rule: &CatalogRule) -> String {
    let info = &rule.info;
    let mut out = format!(
        "# {} {}\n\n{}\n\nSeverity: {} · Status: {} · Since: {} · Family: {}\n\n",
        info.id, info.name, info.title, info.severity, rule.status, rule.since, info.family
    );
    out.push_str(&info.docs);
    let _ = writeln!(out, "\nRemediation: {}", info.remediation);
    out
}

/// Today as `YYYY-MM-DD`: `FAASGUARD_TODAY` when set (for reproducible runs), else the system clock (UTC).
fn today() -> Result<String> {
    if let Some(value) = std::env::var_os("FAASGUARD_TODAY") {
        let value = value.to_string_lossy().into_owned();
        if !is_iso_date(&value) {
            bail!("FAASGUARD_TODAY must be a date as YYYY-MM-DD, not `{value}`");
        }
        return Ok(value);
    }
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .context("the system clock is before 1970")?
        .as_secs();
    let days = i64::try_from(secs / 86_400).context("the system clock is out of range")?;
    let (y, m, d) = civil_from_days(days);
    Ok(format!("{y:04}-{m:02}-{d:02}"))
}

fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
        && matches!(s[5..7].parse::<u8>(), Ok(1..=12))
        && matches!(s[8..10].parse::<u8>(), Ok(1..=31))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The day conversion is right at the epoch, around leap days and at a known recent date.
    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(20_416), (2025, 11, 24));
    }

    /// Only well-formed dates are accepted for FAASGUARD_TODAY.
    #[test]
    fn iso_dates() {
        assert!(is_iso_date("2026-11-24"));
        assert!(!is_iso_date("2026-13-01"));
        assert!(!is_iso_date("26-11-24"));
        assert!(!is_iso_date("2026/11/24"));
    }

    /// The command line definition is consistent (clap's own check).
    #[test]
    fn cli_definition() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
