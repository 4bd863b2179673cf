//! Parsing with oxc, with recovery from fatal syntax errors, and offsets to lines and columns.

use oxc_allocator::Allocator;
use oxc_ast::ast::Program;
use oxc_parser::{ParseOptions, Parser};
use oxc_span::{GetSpan, SourceType};

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
    let mut last_line: Option<u32> = None;
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
        // oxc either gives up (`panicked`, empty program) or may stop early after an error
        // (the program ends before the text does): both are retried with the line blanked.
        let covered = ret.program.body.last().map_or(0, |s| s.span().end as usize);
        let truncated = !ret.diagnostics.is_empty()
            && text
                .get(covered..)
                .is_some_and(|rest| !rest.trim().is_empty());
        if !(ret.panicked || truncated) || attempt >= MAX_RECOVERIES {
            return f(&ret.program, &errors);
        }
        attempt += 1;
        let label = ret
            .diagnostics
            .first()
            .and_then(|d| d.labels.first())
            .map(|l| (l.offset() as usize, l.len() as usize));
        let Some((offset, len)) = label else {
            return f(&ret.program, &errors);
        };
        // First the offending token only (an invalid character, a stray token); when the
        // parse fails on the same line again, the whole line.
        let line = line_of(&text, u32::try_from(offset).unwrap_or(u32::MAX));
        let blanked = if last_line == Some(line) {
            blank_line(&text, offset)
        } else {
            blank_range(&text, offset, len.clamp(1, 64))
        };
        last_line = Some(line);
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
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
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

/// `text` with the characters in `offset..offset + len` (within one line) replaced by spaces.
fn blank_range(text: &str, offset: usize, len: usize) -> String {
    let mut start = offset.min(text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let mut end = (start + len).min(line_end);
    while !text.is_char_boundary(end) {
        end += 1;
    }
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

/// Files nested deeper than this (brackets, by [`nesting_depth`]) are not parsed: oxc's parser
/// is recursive without a depth limit, and the worker's stack holds about 150,000 levels.
pub(crate) const MAX_PARSE_NESTING: usize = 25_000;

/// An estimate of the deepest bracket nesting (`(`, `[`, `{`, `${`) of JavaScript source,
/// skipping string literals, comments, and regular expression literals (recognised by the
/// previous significant character). One pass, no allocation.
pub(crate) fn nesting_depth(text: &str) -> usize {
    let bytes = text.as_bytes();
    let (mut depth, mut max) = (0usize, 0usize);
    // Open template literals: the code depth at which each `${` was entered.
    let mut templates: Vec<usize> = Vec::new();
    let mut prev = b';';
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'(' | b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
            }
            b'}' if templates.last() == Some(&depth) => {
                // The end of a `${…}`: back into the template's text.
                templates.pop();
                depth = depth.saturating_sub(1);
                i = skip_template(bytes, i + 1, &mut templates, &mut depth, &mut max);
                prev = b'`';
                continue;
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b'\'' | b'"' => i = skip_quoted(bytes, i + 1, b),
            b'`' => {
                i = skip_template(bytes, i + 1, &mut templates, &mut depth, &mut max);
                prev = b'`';
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                i = bytes[i..]
                    .iter()
                    .position(|&c| c == b'\n')
                    .map_or(bytes.len(), |p| i + p);
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = text[i + 2..]
                    .find("*/")
                    .map_or(bytes.len(), |p| i + 2 + p + 2);
                continue;
            }
            b'/' if b"(,=:[!&|?{};+-*%<>~^".contains(&prev) => i = skip_regex(bytes, i + 1),
            _ => {}
        }
        if !b.is_ascii_whitespace() {
            prev = b;
        }
        i += 1;
    }
    max
}

/// Past a `'`/`"` string (ends at its quote or at a line end); returns the closing index.
fn skip_quoted(bytes: &[u8], mut i: usize, quote: u8) -> usize {
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'\n' => return i,
            c if c == quote => return i,
            _ => {}
        }
        i += 1;
    }
    i
}

/// Past a regular expression literal body (with classes and escapes); returns the closing index.
fn skip_regex(bytes: &[u8], mut i: usize) -> usize {
    let mut class = false;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'[' => class = true,
            b']' => class = false,
            b'/' if !class => return i,
            b'\n' => return i,
            _ => {}
        }
        i += 1;
    }
    i
}

/// Past template text from `i` to the closing backtick (returns the index after it) or into a
/// `${` (one level deeper; records the depth and returns the index after `${`, where code
/// resumes).
fn skip_template(
    bytes: &[u8],
    mut i: usize,
    templates: &mut Vec<usize>,
    depth: &mut usize,
    max: &mut usize,
) -> usize {
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'`' => return i + 1,
            b'$' if bytes.get(i + 1) == Some(&b'{') => {
                *depth += 1;
                *max = (*max).max(*depth);
                templates.push(*depth);
                return i + 2;
            }
            _ => {}
        }
        i += 1;
    }
    i
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::{LineIndex, blank_line, nesting_depth};

    /// Brackets in strings, comments, regular expressions and template text do not count;
    /// code inside `${…}` does.
    #[test]
    fn nesting_depth_skips_literals() {
        assert_eq!(nesting_depth("f(a[1], {b: 2})"), 2);
        assert_eq!(
            nesting_depth("x = '((((' + \"[[[[\"; // ((((\n/* {{{{ */ y()"),
            1
        );
        assert_eq!(nesting_depth("s = x.replace(/[(]+/g, '')"), 1);
        assert_eq!(nesting_depth("t = `((( ${ f(g(1)) } )))`"), 3);
        assert_eq!(nesting_depth("t = `a ${ `b ${ c } d` } e`"), 2);
        assert_eq!(nesting_depth("a = b / (c / d)"), 1);
        assert_eq!(nesting_depth(&"(".repeat(30_000)), 30_000);
    }

    /// Blanking a line keeps every offset and only touches that line.
    #[test]
    fn blank_line_keeps_offsets() {
        let text = "a\nbroken {{\nc";
        let out = blank_line(text, 4);
        assert_eq!(out, "a\n         \nc");
        assert_eq!(out.len(), text.len());
    }

    /// Columns count characters, not bytes.
    #[test]
    fn positions_count_characters() {
        let text = "é = 1;\nconst x = 'ü' + y;";
        let index = LineIndex::new(text);
        let offset = u32::try_from(text.find('y').unwrap()).unwrap();
        assert_eq!(index.position(text, offset), (2, 17));
        assert_eq!(index.position(text, 0), (1, 1));
    }
}
