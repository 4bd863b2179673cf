//! The terminal writer: findings grouped by function, functions without findings summarised,
//! suppressions and diagnostics, then one summary line.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io;

use anstyle::{AnsiColor, Effects, Style};
use faasguard_core::{Finding, Severity};

use crate::group::ByFunction;
use crate::{Format, Report, ReportError, Writer, WriterOptions};

/// At most this many names of functions without findings are listed; the rest are counted.
const CLEAN_FUNCTIONS_LISTED: usize = 10;

/// Indentation of a finding's message, evidence and fix under its severity.
const DETAIL: &str = "            ";

#[derive(Debug, Clone, Copy)]
pub(crate) struct TableWriter {
    colour: bool,
}

impl TableWriter {
    pub(crate) fn new(options: WriterOptions) -> Self {
        TableWriter {
            colour: options.colour,
        }
    }

    fn paint(self, style: Style, text: &str) -> String {
        if self.colour {
            format!("{style}{text}{style:#}")
        } else {
            text.to_owned()
        }
    }

    fn severity(self, severity: Severity) -> String {
        let style = match severity {
            Severity::Critical => Style::new()
                .fg_color(Some(AnsiColor::Red.into()))
                .effects(Effects::BOLD),
            Severity::High => Style::new().fg_color(Some(AnsiColor::Red.into())),
            Severity::Medium => Style::new().fg_color(Some(AnsiColor::Yellow.into())),
            Severity::Low => Style::new().fg_color(Some(AnsiColor::Blue.into())),
            Severity::Info => Style::new().fg_color(Some(AnsiColor::Cyan.into())),
        };
        // Pad before painting so that escapes do not upset the alignment.
        let label = format!("{:<8}", severity.as_str().to_uppercase());
        self.paint(style, &label)
    }

    fn render(self, report: &Report) -> String {
        let mut out = String::new();
        self.findings(&mut out, report);
        self.clean_and_suppressed(&mut out, report);
        self.diagnostics_and_summary(&mut out, report);
        out
    }

    /// Findings grouped by function (in the report's function order), then findings of
    /// functions the report does not list, then findings outside any function.
    fn findings(self, out: &mut String, report: &Report) {
        let bold = Style::new().effects(Effects::BOLD);
        let dim = Style::new().effects(Effects::DIMMED);

        let grouped = ByFunction::new(report);
        for function in &report.functions {
            let findings = grouped.of(&function.id);
            if findings.is_empty() {
                continue;
            }
            let mut details = vec![function.source.clone()];
            details.extend(function.runtime.clone());
            let header = format!(
                "{} {}",
                self.paint(bold, &function.id),
                self.paint(
                    dim,
                    &format!("({}) {}", details.join(", "), function.location)
                ),
            );
            self.group(out, &header, findings);
        }
        for &id in &grouped.unlisted {
            self.group(out, &self.paint(bold, id), grouped.of(id));
        }
        if !grouped.loose.is_empty() {
            self.group(
                out,
                &self.paint(bold, "Not tied to a function"),
                &grouped.loose,
            );
        }

        if report.findings.is_empty() {
            let _ = writeln!(out, "No findings.");
        }
    }

    /// Functions without findings (named, up to a limit) and suppressed findings (counted).
    fn clean_and_suppressed(self, out: &mut String, report: &Report) {
        let grouped = ByFunction::new(report);
        let clean: Vec<&str> = report
            .functions
            .iter()
            .filter(|f| grouped.of(&f.id).is_empty())
            .map(|f| f.id.as_str())
            .collect();
        if !clean.is_empty() {
            let mut names = clean
                .iter()
                .take(CLEAN_FUNCTIONS_LISTED)
                .copied()
                .collect::<Vec<_>>()
                .join(", ");
            if clean.len() > CLEAN_FUNCTIONS_LISTED {
                let _ = write!(names, " and {} more", clean.len() - CLEAN_FUNCTIONS_LISTED);
            }
            let ok = self.paint(Style::new().fg_color(Some(AnsiColor::Green.into())), "OK");
            let _ = writeln!(
                out,
                "{ok} {} without findings: {names}",
                plural(clean.len(), "function", "functions"),
            );
        }

        if !report.suppressed.is_empty() {
            let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
            for suppressed in &report.suppressed {
                *kinds.entry(suppressed.kind.as_str()).or_default() += 1;
            }
            let kinds = kinds
                .iter()
                .map(|(kind, n)| format!("{kind}: {n}"))
                .collect::<Vec<_>>()
                .join(", ");
            let _ = writeln!(
                out,
                "{} suppressed ({kinds})",
                plural(report.suppressed.len(), "finding", "findings"),
            );
        }
    }

    /// The package summary: how many found, vulnerable, clean, not checked (and why), and the
    /// database used.
    fn packages(self, out: &mut String, report: &Report) {
        let bold = Style::new().effects(Effects::BOLD);
        if report.packages.is_empty() {
            return;
        }
        {
            let count = |status: &str| {
                report
                    .packages
                    .iter()
                    .filter(|p| p.status == status)
                    .count()
            };
            let _ = writeln!(
                out,
                "\n{} {} found: {} vulnerable, {} clean, {} not checked",
                self.paint(bold, "Packages:"),
                report.packages.len(),
                count("vulnerable"),
                count("clean"),
                count("not-checked"),
            );
            let mut reasons: Vec<(&str, usize)> = Vec::new();
            for p in &report.packages {
                if let Some(why) = &p.not_checked {
                    match reasons.iter_mut().find(|(r, _)| *r == why.as_str()) {
                        Some((_, n)) => *n += 1,
                        None => reasons.push((why, 1)),
                    }
                }
            }
            for (why, n) in reasons {
                let _ = writeln!(out, "  not checked: {n} × {why}");
            }
            if let Some(db) = &report.vuln_db {
                let _ = writeln!(
                    out,
                    "  database: {} (built {}{})",
                    db.source,
                    db.built_at,
                    if db.stale {
                        "; STALE: run `faasguard db update`"
                    } else {
                        ""
                    }
                );
            }
        }
    }

    /// Diagnostics, skipped files, then the one-line summary.
    fn diagnostics_and_summary(self, out: &mut String, report: &Report) {
        let bold = Style::new().effects(Effects::BOLD);
        let dim = Style::new().effects(Effects::DIMMED);
        if !report.skipped.is_empty() {
            let _ = writeln!(out, "\n{}", self.paint(bold, "Not scanned"));
            for skipped in &report.skipped {
                let _ = writeln!(
                    out,
                    "  {}  {}",
                    self.paint(dim, &skipped.location.to_string()),
                    skipped.reason
                );
            }
        }
        if !report.diagnostics.is_empty() {
            let _ = writeln!(out, "\n{}", self.paint(bold, "Diagnostics"));
            let error = self.paint(Style::new().fg_color(Some(AnsiColor::Red.into())), "error");
            for diagnostic in &report.diagnostics {
                let _ = writeln!(
                    out,
                    "  {error}  {}  {}",
                    self.paint(dim, &diagnostic.location.to_string()),
                    diagnostic.message
                );
            }
        }

        let counts = report.counts_by_severity();
        let per_severity = Severity::ALL
            .iter()
            .rev()
            .map(|severity| format!("{} {severity}", counts[*severity as usize]))
            .collect::<Vec<_>>()
            .join(", ");
        let code = &report.code;
        let code_part = if code.files > 0 || code.archives > 0 {
            format!(
                " | {} ({:.1} MB{}) searched for secrets",
                plural(
                    usize::try_from(code.files).unwrap_or(usize::MAX),
                    "file",
                    "files"
                ),
                megabytes(code.bytes),
                if code.archives > 0 {
                    format!(
                        ", {}",
                        plural(
                            usize::try_from(code.archives).unwrap_or(usize::MAX),
                            "archive",
                            "archives"
                        )
                    )
                } else {
                    String::new()
                }
            )
        } else {
            String::new()
        };
        self.packages(out, report);
        let _ = writeln!(
            out,
            "\n{} {} ({per_severity}) | {} scanned{code_part} | {} | {} suppressed",
            self.paint(bold, "Summary:"),
            plural(report.findings.len(), "finding", "findings"),
            plural(report.functions.len(), "function", "functions"),
            plural(report.diagnostics.len(), "diagnostic", "diagnostics"),
            report.suppressed.len(),
        );
    }

    fn group(self, out: &mut String, header: &str, findings: &[&Finding]) {
        let dim = Style::new().effects(Effects::DIMMED);
        let _ = writeln!(out, "{header}");
        for finding in findings {
            let _ = writeln!(
                out,
                "  {}  {}  {}  {}",
                self.severity(finding.severity),
                finding.rule_id,
                finding.rule_name,
                self.paint(dim, &finding.location.to_string()),
            );
            let _ = writeln!(out, "{DETAIL}{}", indent(&finding.message));
            if let Some(evidence) = &finding.evidence {
                let _ = writeln!(out, "{DETAIL}evidence: {}", indent(evidence));
            }
            for (i, step) in finding.flow.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "{DETAIL}{} {}  {}",
                    if i == 0 { "flow:" } else { "   →" },
                    self.paint(dim, &step.location.to_string()),
                    indent(&step.message)
                );
            }
            if let Some(remediation) = &finding.remediation {
                let _ = writeln!(out, "{DETAIL}fix: {}", indent(remediation));
            }
        }
        out.push('\n');
    }
}

/// Continuation lines of a multi-line message or evidence line up under its first line.
fn indent(text: &str) -> String {
    text.trim_end().replace('\n', &format!("\n{DETAIL}"))
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

impl Writer for TableWriter {
    fn write(&self, report: &Report, out: &mut dyn io::Write) -> Result<(), ReportError> {
        out.write_all(self.render(report).as_bytes())
            .map_err(ReportError::io(Format::Table))
    }
}

/// Bytes as decimal megabytes, for display.
#[expect(
    clippy::cast_precision_loss,
    reason = "display only; sizes are far below 2^52 bytes"
)]
fn megabytes(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}
