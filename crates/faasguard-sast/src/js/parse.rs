//! Parsing with oxc, with recovery from fatal syntax errors, and offsets to lines and columns.

use oxc_allocator::Allocator;
use oxc_ast::ast::Program;
use oxc_parser::{ParseOptions, Parser};
use oxc_span::SourceType;

/// Fatal syntax errors blank out the offending line and parse again, this many times.
const MAX_RECOVERIES: usize = 8;

/// A syntax error: 1-based line and oxc's message.
pub(crate) struct SyntaxError {
    pub line: u32,
    pub message: String,
}

/// The source type for a path, by extension (`.ts`, `.tsx`, `.jsx`, `.mjs`, `.cjs`, `.js`).
fn source_type(path: &str) -> SourceType {
    let ext = path.rsplit('.').next().unwrap_or("js");
    match ext {
        "ts" | "mts" | "cts" => SourceType::ts(),
        "tsx" => SourceType::tsx(),
        "jsx" => SourceType::jsx(),
        "cjs" => SourceType::cjs(),
        "mjs" => SourceType::mjs(),
        // Plain `.js` may be either CommonJS or ESM: parse as an unambiguous module with JSX
        // allowed (oxc's default for `.js`).
        _ => SourceType::from_path(path).unwrap_or_else(|_| SourceType::unambiguous()),
    }
}

/// Parses `text` and calls `f` with the program and the syntax errors met. When oxc gives up on
/// the file (a fatal error leaves an empty program), the line of the error is blanked (offsets
/// are kept) and the file parsed again, so the rest of the file is still analysed.
pub(crate) fn with_program<R>(
    path: &str,
    text: &str,
    f: impl for<'x> FnOnce(&'x Program<'x>, &[SyntaxError]) -> R,
) -> R {
    let source_type = source_type(path);
    let options = ParseOptions {
        allow_return_outside_function: true,
        ..ParseOptions::default()
    };
    let mut text = text.to_string();
    let mut errors: Vec<SyntaxError> = Vec::new();
    let mut attempt = 0;
    loop {
        let allocator = Allocator::default();
        let ret = Parser::new(&allocator, &text, source_type)
            .with_options(options)
            .parse();
        for diagnostic in &ret.diagnostics {
            let offset = diagnostic.labels.first().map(oxc_span::LabeledSpan::offset);
            let line = offset.map_or(1, |o| line_of(&text, o));
            if !errors.iter().any(|e| e.line == line) {
                errors.push(SyntaxError {
                    line,
                    message: diagnostic.message.to_string(),
                });
            }
            if ret.panicked {
                // Only the first error of a failed parse is real; the line is blanked below.
                break;
            }
        }
        if !ret.panicked || attempt >= MAX_RECOVERIES {
            return f(&ret.program, &errors);
        }
        attempt += 1;
        let offset = ret
            .diagnostics
            .first()
            .and_then(|d| d.labels.first())
            .map(oxc_span::LabeledSpan::offset);
        let Some(offset) = offset else {
            return f(&ret.program, &errors);
        };
        let blanked = blank_line(&text, offset as usize);
        drop(ret);
        drop(allocator);
        if blanked == text {
            // Nothing left to blank (the error is on an empty line): give up recovering.
            let allocator = Allocator::default();
            let ret = Parser::new(&allocator, &text, source_type)
                .with_options(options)
                .parse();
            return f(&ret.program, &errors);
        }
        text = blanked;
    }
}

/// The 1-based line holding byte `offset`.
fn line_of(text: &str, offset: u32) -> u32 {
    let mut end = (offset as usize).min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let count = text[..end].matches('\n').count();
    u32::try_from(count).unwrap_or(u32::MAX).saturating_add(1)
}

/// `text` with the line holding byte `offset` replaced by spaces (same length, so every other
/// offset is unchanged).
fn blank_line(text: &str, offset: usize) -> String {
    let offset = offset.min(text.len());
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let mut out = String::with_capacity(text.len());
    out.push_str(&text[..start]);
    out.extend(
        text[start..end]
            .chars()
            .map(|c| if c == '\r' { c } else { ' ' }),
    );
    out.push_str(&text[end..]);
    out
}

/// Byte offsets of line starts, for offset → (line, column).
pub(crate) struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex { starts }
    }

    /// 1-based line and 1-based column in characters.
    pub fn position(&self, text: &str, offset: u32) -> (u32, u32) {
        let offset = (offset as usize).min(text.len());
        let line = self.starts.partition_point(|&s| s <= offset).max(1) - 1;
        let start = self.starts[line];
        let column = text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        (
            u32::try_from(line + 1).unwrap_or(u32::MAX),
            u32::try_from(column + 1).unwrap_or(u32::MAX),
        )
    }
}
