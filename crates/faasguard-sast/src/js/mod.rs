//! JavaScript and TypeScript taint analysis over oxc's AST.
//!
//! The handler's first parameter (the event) is the taint source. The walk is a single forward
//! pass over the handler's statements (run twice so that flows through later assignments and
//! loops are seen), tracking tainted variables by oxc_semantic symbol. Calls to functions of the
//! same file and to exported functions of one level of local modules are followed with the
//! tainted arguments bound to their parameters (bounded by depth and a budget). See
//! [`sinks`] for the sink, sanitizer and propagator tables.
//!
//! What is tracked:
//! - Handler: `exports.x =`, `module.exports.x =`, `module.exports = { x }` (or a function),
//!   `export const/function x`, `export { y as x }`, `export default`, wrappers
//!   (`middy(base).use(…)`), methods of classes of the file (`svc.handle.bind(svc)`, with `this`
//!   the class). Its first parameter is the event, destructured or not.
//! - Propagation: member reads, destructuring, assignments and `+=`, concatenation, template
//!   literals, array/object literals (object literals field by field while not written),
//!   conditional/logical expressions, methods called on tainted values (except ones returning
//!   booleans or numbers), `JSON.parse`, `Buffer.from`, URL/query-string parsers, `path.join`
//!   and friends, iteration callbacks (`event.Records.forEach(r => …)`, also named functions),
//!   `for…of`/`for…in`, calls to functions of the file (arguments to parameters, return
//!   values and generator yields back; nested functions as closures; methods of classes of the
//!   file on instances, statically and through `this`), and one level of local
//!   `require`/`import`.
//! - Strings built on a constant origin (`` `${API}/x?${q}` `` with `API` a `const` URL that
//!   fixes scheme and host) are safe for outbound URLs: event data after the host cannot move
//!   the request elsewhere.
//! - Sinks and sanitizers: [`sinks`].
//!
//! oxc's parser and semantic builder recurse once per nesting level (brackets, but also
//! operator, member and call chains, at least two source bytes per level) without a depth
//! limit. So each file is parsed and walked on a stack sized from that file (with `stacker`,
//! on the calling thread: its bracket nesting times 4 KiB plus 1 KiB per byte; virtual memory,
//! touched only as deep as the input goes), files with brackets nested deeper than
//! [`parse::MAX_PARSE_NESTING`] are refused, and the walk itself stops descending past
//! [`taint::MAX_DEPTH`] levels.

mod parse;
mod sinks;
mod taint;

use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::{Analysis, Handler, Limits, Problem, SourceFiles};

pub(crate) fn analyze(files: &dyn SourceFiles, handler: &Handler, limits: Limits) -> Analysis {
    let read = |path: &str| files.read(path);
    let text = files.read(&handler.file);
    // A panic inside the analysis (a bug, or a stack that could not be allocated) is a problem
    // for this handler, not the end of the scan.
    catch_unwind(AssertUnwindSafe(|| {
        taint::run(&read, handler, text, limits)
    }))
    .unwrap_or_else(|_| Analysis {
        findings: Vec::new(),
        problems: vec![Problem {
            file: handler.file.clone(),
            line: None,
            message: "internal error: the JavaScript analysis did not complete".to_string(),
        }],
    })
}
