//! The [`Writer`] trait, the [`Format`] names the CLI accepts, and [`writer`], which maps one to
//! the other.

use std::fmt;
use std::io;
use std::str::FromStr;

use crate::Report;
use crate::cyclonedx::CycloneDxWriter;
use crate::json::JsonWriter;
use crate::junit::JunitWriter;
use crate::sarif::SarifWriter;
use crate::table::TableWriter;

/// Renders a [`Report`] in one output format.
///
/// Implementations print what the report holds, in the order it holds it, so that the same
/// report always gives the same bytes.
pub trait Writer {
    fn write(&self, report: &Report, out: &mut dyn io::Write) -> Result<(), ReportError>;
}

/// An output format (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Format {
    /// Findings grouped by function, for a terminal.
    #[default]
    Table,
    /// The [`Report`] as pretty-printed JSON (`schemas/report.schema.json`).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// JUnit XML, one test case per function and rule, for Jenkins, Azure DevOps and GitLab.
    Junit,
    /// CycloneDX 1.6 JSON: the packages found (an SBOM) and the vulnerabilities affecting them.
    CycloneDx,
}

impl Format {
    pub const ALL: [Format; 5] = [
        Format::Table,
        Format::Json,
        Format::Sarif,
        Format::Junit,
        Format::CycloneDx,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Junit => "junit",
            Format::CycloneDx => "cyclonedx",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text was not one of `table`, `json`, `sarif`, `junit`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseFormatError(pub String);

impl fmt::Display for ParseFormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown report format `{}` (expected table, json, sarif, junit or cyclonedx)",
            self.0
        )
    }
}

impl std::error::Error for ParseFormatError {}

impl FromStr for Format {
    type Err = ParseFormatError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .into_iter()
            .find(|format| format.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| ParseFormatError(s.to_owned()))
    }
}

/// How a writer renders. The caller decides (the CLI turns colour on for a terminal).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WriterOptions {
    /// Colour the table output with ANSI escapes. The other formats ignore it.
    pub colour: bool,
}

impl WriterOptions {
    #[must_use]
    pub fn with_colour(mut self, colour: bool) -> Self {
        self.colour = colour;
        self
    }
}

/// Writing a report failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    #[error("could not write the {format} report: {source}")]
    Io {
        format: Format,
        #[source]
        source: io::Error,
    },
    #[error("could not serialise the {format} report: {source}")]
    Json {
        format: Format,
        #[source]
        source: serde_json::Error,
    },
    #[error("could not write the JUnit XML report: {0}")]
    Junit(#[from] quick_junit::SerializeError),
}

impl ReportError {
    pub(crate) fn io(format: Format) -> impl FnOnce(io::Error) -> ReportError {
        move |source| ReportError::Io { format, source }
    }

    pub(crate) fn json(format: Format) -> impl FnOnce(serde_json::Error) -> ReportError {
        move |source| ReportError::Json { format, source }
    }
}

/// The writer for `format`.
pub fn writer(format: Format, options: WriterOptions) -> Box<dyn Writer> {
    match format {
        Format::Table => Box::new(TableWriter::new(options)),
        Format::Json => Box::new(JsonWriter),
        Format::Sarif => Box::new(SarifWriter),
        Format::Junit => Box::new(JunitWriter),
        Format::CycloneDx => Box::new(CycloneDxWriter),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests fail loudly")]
mod tests {
    use super::*;

    /// Every format's name parses back to it, case-insensitively, and other names are refused
    /// with a message listing the choices.
    #[test]
    fn format_round_trips_through_its_name() {
        for format in Format::ALL {
            assert_eq!(format.to_string().parse::<Format>(), Ok(format));
            assert_eq!(format.as_str().to_uppercase().parse::<Format>(), Ok(format));
        }
        let err = "xml".parse::<Format>().unwrap_err();
        assert!(
            err.to_string()
                .contains("table, json, sarif, junit or cyclonedx")
        );
    }
}
