//! The JSON writer: the [`Report`] as is, pretty-printed, and its JSON Schema.

use std::io;

use crate::{Format, Report, ReportError, Writer};

/// Writes the [`Report`] as pretty-printed JSON followed by a newline. Field order is the
/// struct's; list order is the report's.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct JsonWriter;

impl Writer for JsonWriter {
    fn write(&self, report: &Report, out: &mut dyn io::Write) -> Result<(), ReportError> {
        serde_json::to_writer_pretty(&mut *out, report).map_err(ReportError::json(Format::Json))?;
        out.write_all(b"\n").map_err(ReportError::io(Format::Json))
    }
}

/// The JSON Schema (draft 2020-12) of the JSON report, derived from the [`Report`] struct.
/// `schemas/report.schema.json` holds it pretty-printed; a test fails when the two differ.
pub fn json_schema() -> serde_json::Value {
    let mut schema = schemars::schema_for!(Report).to_value();
    if let Some(object) = schema.as_object_mut() {
        object.insert(
            "$id".to_owned(),
            serde_json::Value::String(
                "https://github.com/faasguard/faasguard/schemas/report.schema.json".to_owned(),
            ),
        );
    }
    schema
}
