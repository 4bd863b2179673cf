//! Event-data injection analysis: from a function's handler (resolved from the runtime and the
//! `Handler` setting, or discovered by shape), follow the event through the handler's code to
//! dangerous sinks — command execution, code evaluation, deserialization, query building, file
//! paths, outbound URLs, XML parsers with external entities.
//!
//! The crate does no I/O: the caller hands it a [`SourceFiles`] view of the function's code
//! directory. JavaScript and TypeScript are parsed with oxc, Python with ruff's parser.

pub mod handler;
mod js;
mod python;

use serde::Serialize;

/// A language the analysis reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Language {
    JavaScript,
    TypeScript,
    Python,
}

/// What kind of dangerous sink the event reached. Each kind is one rule (`FG-INJ-NNN`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum SinkKind {
    /// `child_process.exec`, `spawn(…, {shell: true})`, `os.system`, `subprocess(…, shell=True)`.
    Command,
    /// `eval`, `new Function`, `vm.runIn*`, string `setTimeout`; Python `eval`/`exec`/`compile`.
    CodeEval,
    /// `node-serialize` `unserialize`, unsafe YAML loads, `pickle.loads`, `marshal`, `jsonpickle`.
    Deserialization,
    /// SQL or NoSQL built by concatenation or interpolation (`query`, `execute`, `$where`).
    Query,
    /// File system paths (`fs.*`, `open`): path traversal.
    FilePath,
    /// Outbound URLs (`http.get`, `fetch`, `axios`, `requests.get`, `urllib`): SSRF.
    OutboundUrl,
    /// XML parsers with external entities enabled: XXE.
    XmlEntities,
}

impl SinkKind {
    pub const ALL: [SinkKind; 7] = [
        SinkKind::Command,
        SinkKind::CodeEval,
        SinkKind::Deserialization,
        SinkKind::Query,
        SinkKind::FilePath,
        SinkKind::OutboundUrl,
        SinkKind::XmlEntities,
    ];
}

/// One step of a taint path: where, and what happens there (`event.body parsed`, `assigned to
/// cmd`, `passed to exec`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    /// '/'-separated path relative to the code root.
    pub file: String,
    /// 1-based.
    pub line: u32,
    /// 1-based, in characters.
    pub column: u32,
    pub note: String,
}

/// Event data reaching a sink.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaintFinding {
    pub kind: SinkKind,
    /// The sink as written or resolved (`child_process.exec`, `subprocess.run(shell=True)`).
    pub sink: String,
    /// Source first, sink last; at least two steps.
    pub path: Vec<Step>,
}

/// A handler: the file (relative to the code root) and the exported function's name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Handler {
    pub language: Language,
    pub file: String,
    pub function: String,
}

/// Something the analysis could not do fully (a syntax error, a file over the size limit, a
/// time budget hit); the rest of the analysis goes on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub file: String,
    pub line: Option<u32>,
    pub message: String,
}

/// What analysing one handler gave.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Analysis {
    pub findings: Vec<TaintFinding>,
    pub problems: Vec<Problem>,
}

/// Read access to a function's code: files by '/'-separated path relative to the code root.
pub trait SourceFiles {
    /// The file's text, or `None` when it does not exist or is not text.
    fn read(&self, path: &str) -> Option<String>;
    /// Every file path under the root (for handler discovery and module resolution).
    fn list(&self) -> Vec<String>;
}

/// Bounds per analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Files larger than this are not parsed.
    pub max_file_bytes: usize,
    /// Local imports are followed this many levels deep from the handler's file.
    pub max_import_depth: usize,
    /// Calls into installed dependencies (`node_modules` packages, Python packages vendored
    /// into the code directory) are followed too; by default the analysis stops at first-party
    /// code. Modules the sink tables know (`child_process`, `yaml`, `requests`, …) keep their
    /// meaning either way.
    pub dependencies: bool,
}

impl Limits {
    /// The bounds for following the event into dependencies: their entry points re-export, so
    /// imports are followed three levels deep.
    #[must_use]
    pub fn with_dependencies() -> Limits {
        Limits {
            max_import_depth: 3,
            dependencies: true,
            ..Limits::default()
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 4 << 20,
            max_import_depth: 1,
            dependencies: false,
        }
    }
}

/// Analyses one handler: taint from its event parameter to sinks, within its file and the files
/// it imports locally (up to [`Limits::max_import_depth`]).
pub fn analyze(files: &dyn SourceFiles, handler: &Handler, limits: Limits) -> Analysis {
    match handler.language {
        Language::JavaScript | Language::TypeScript => js::analyze(files, handler, limits),
        Language::Python => python::analyze(files, handler, limits),
    }
}

/// Analyses several handlers of one code directory (same [`SourceFiles`]), reading and parsing
/// each Python file once for all of them. Results are in the order of `handlers`; a file's syntax
/// errors are reported with the first handler that reads it.
pub fn analyze_all(files: &dyn SourceFiles, handlers: &[Handler], limits: Limits) -> Vec<Analysis> {
    let mut python = python::Session::new(files, limits);
    handlers
        .iter()
        .map(|handler| match handler.language {
            Language::JavaScript | Language::TypeScript => js::analyze(files, handler, limits),
            Language::Python => python.analyze(handler),
        })
        .collect()
}

/// Whether a URL built from `prefix` and then event data keeps a fixed origin: the prefix is
/// `scheme://host` followed by `/`, `?` or `#`, so what follows cannot change the host. A host
/// holding one of `placeholders` (a language's interpolation characters) is not fixed.
pub(crate) fn fixes_origin(prefix: &str, placeholders: &[char]) -> bool {
    let Some((scheme, rest)) = prefix.split_once("://") else {
        return false;
    };
    if scheme.is_empty()
        || !scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '+')
    {
        return false;
    }
    rest.find(['/', '?', '#']).is_some_and(|i| {
        let authority = &rest[..i];
        !authority.is_empty() && !authority.contains(placeholders)
    })
}

/// Discovers the handler-shaped functions of a code directory (as [`handler::discover`]) and
/// analyses each, file by file: a handler's file is read once for both, and parsed files are
/// shared as in [`analyze_all`]. Results are sorted by file, then function.
pub fn discover_and_analyze(files: &dyn SourceFiles, limits: Limits) -> Vec<(Handler, Analysis)> {
    let files = LastRead::new(files);
    let mut python = python::Session::new(&files, limits);
    let mut out = Vec::new();
    for candidate in handler::candidates(&files) {
        let Some(text) = files.read(&candidate.path) else {
            continue;
        };
        let handlers = if candidate.language == Language::Python {
            // Parsed once, into the session the analysis then uses.
            if text.len() > limits.max_file_bytes
                || !handler::python_may_hold_handler(&text, candidate.handler_file)
            {
                continue;
            }
            let mut functions = python.discover(&candidate.path, candidate.handler_file);
            functions.sort();
            functions.dedup();
            functions
                .into_iter()
                .map(|function| Handler {
                    language: Language::Python,
                    file: candidate.path.clone(),
                    function,
                })
                .collect()
        } else {
            candidate.handlers(&text)
        };
        for handler in handlers {
            let analysis = match handler.language {
                Language::JavaScript | Language::TypeScript => {
                    js::analyze(&files, &handler, limits)
                }
                Language::Python => python.analyze(&handler),
            };
            out.push((handler, analysis));
        }
    }
    out
}

/// A [`SourceFiles`] that keeps the last file it read, so that reading a file to find its
/// handlers and reading it again to analyse them costs one read.
struct LastRead<'f> {
    inner: &'f dyn SourceFiles,
    last: std::cell::RefCell<Option<(String, Option<String>)>>,
}

impl<'f> LastRead<'f> {
    fn new(inner: &'f dyn SourceFiles) -> Self {
        LastRead {
            inner,
            last: std::cell::RefCell::new(None),
        }
    }
}

impl SourceFiles for LastRead<'_> {
    fn read(&self, path: &str) -> Option<String> {
        if let Some((last, text)) = self.last.borrow().as_ref()
            && last == path
        {
            return text.clone();
        }
        let text = self.inner.read(path);
        *self.last.borrow_mut() = Some((path.to_string(), text.clone()));
        text
    }

    fn list(&self) -> Vec<String> {
        self.inner.list()
    }
}
