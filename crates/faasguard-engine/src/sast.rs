//! Event-data injection: the `FG-INJ` rules' metadata, and (once handlers are resolved) the
//! analysis of each function's handler with `faasguard-sast`.

use faasguard_core::Severity;
use faasguard_report::RuleInfo;
use faasguard_sast::SinkKind;

/// The rule id of a sink kind.
pub fn rule_id(kind: SinkKind) -> &'static str {
    match kind {
        SinkKind::Command => "FG-INJ-001",
        SinkKind::CodeEval => "FG-INJ-002",
        SinkKind::Deserialization => "FG-INJ-003",
        SinkKind::Query => "FG-INJ-004",
        SinkKind::FilePath => "FG-INJ-005",
        SinkKind::OutboundUrl => "FG-INJ-006",
        SinkKind::XmlEntities => "FG-INJ-007",
    }
}

struct Meta {
    name: &'static str,
    title: &'static str,
    severity: Severity,
    cwe: &'static str,
    sinks: &'static str,
    why: &'static str,
    fix: &'static str,
}

fn meta(kind: SinkKind) -> Meta {
    match kind {
        SinkKind::Command => Meta {
            name: "event-data-command-injection",
            title: "Event data reaches a shell command",
            severity: Severity::Critical,
            cwe: "CWE-78: OS Command Injection",
            sinks: "`child_process.exec`/`execSync`, `spawn`/`execFile` with `shell: true`, `os.system`, `os.popen`, `subprocess.*(…, shell=True)`",
            why: "Whoever controls the event runs commands as the function, with its role's credentials in the environment.",
            fix: "Do not build shell commands from event data: pass an argument list without a shell (`execFile`, `subprocess.run([...])`), validate against an allowlist, or quote with `shlex.quote` / `shell-quote`.",
        },
        SinkKind::CodeEval => Meta {
            name: "event-data-code-evaluation",
            title: "Event data is evaluated as code",
            severity: Severity::Critical,
            cwe: "CWE-94: Code Injection",
            sinks: "`eval`, `new Function`, `vm.runIn*`, `setTimeout`/`setInterval` with a string; Python `eval`, `exec`, `compile`",
            why: "Evaluating attacker-controlled text runs attacker code inside the function.",
            fix: "Never evaluate event data; parse it as data (`JSON.parse`, `json.loads`, `ast.literal_eval`).",
        },
        SinkKind::Deserialization => Meta {
            name: "event-data-unsafe-deserialization",
            title: "Event data is deserialized unsafely",
            severity: Severity::Critical,
            cwe: "CWE-502: Deserialization of Untrusted Data",
            sinks: "`node-serialize` `unserialize`, `js-yaml` `load` before v4, `funcster`; `pickle.loads`, `yaml.load` without a safe loader, `marshal.loads`, `jsonpickle.decode`",
            why: "These formats can carry code or object constructors that run while the data is read.",
            fix: "Use a data-only format and loader (`JSON.parse`, `yaml.safe_load`, js-yaml 4 `load`), or sign what you deserialize.",
        },
        SinkKind::Query => Meta {
            name: "event-data-query-injection",
            title: "Event data is built into a database query",
            severity: Severity::High,
            cwe: "CWE-89: SQL Injection / CWE-943: NoSQL Injection",
            sinks: "SQL strings built by concatenation or interpolation and passed to `query`/`execute`; MongoDB `$where` and raw filter objects from the event",
            why: "The caller can read or change any data the function's database user can.",
            fix: "Use parameterised queries (`query(sql, [values])`, `execute(sql, params)`) and typed filters.",
        },
        SinkKind::FilePath => Meta {
            name: "event-data-path-traversal",
            title: "Event data chooses a file path",
            severity: Severity::High,
            cwe: "CWE-22: Path Traversal",
            sinks: "`fs.*` reads, writes and deletes, Python `open`, `os.remove`, `shutil`, `pathlib`",
            why: "`../` in the event reaches files outside the intended directory: the function's code, `/proc/self/environ` with its credentials, or `/tmp` shared with later invocations.",
            fix: "Keep only the base name (`path.basename`, `os.path.basename`) or check the resolved path stays under the intended directory.",
        },
        SinkKind::OutboundUrl => Meta {
            name: "event-data-server-side-request",
            title: "Event data chooses an outbound URL",
            severity: Severity::High,
            cwe: "CWE-918: Server-Side Request Forgery",
            sinks: "`http(s).get/request`, `fetch`, `axios`, `got`, `request`; `requests.*`, `urllib`, `urllib3`, `httpx`",
            why: "The function can be made to call internal endpoints (the Lambda Runtime API, VPC services) or exfiltrate data to any host.",
            fix: "Build URLs from an allowlist of hosts; never take a whole URL from the event.",
        },
        SinkKind::XmlEntities => Meta {
            name: "event-data-xml-external-entities",
            title: "Event data is parsed as XML with external entities on",
            severity: Severity::High,
            cwe: "CWE-611: XML External Entity Reference",
            sinks: "`libxmljs.parseXml(…, {noent: true})`, lxml `XMLParser(resolve_entities=True)`, SAX/pulldom with external general entities",
            why: "An entity can read local files (the code, `/proc/self/environ`) or make requests.",
            fix: "Parse with entity resolution off (the default of most parsers) or use `defusedxml`.",
        },
    }
}

/// The `FG-INJ` rules' metadata, for `faasguard rules`, the report and the selectors.
pub fn sast_rule_infos() -> Vec<RuleInfo> {
    SinkKind::ALL
        .into_iter()
        .map(|kind| {
            let m = meta(kind);
            RuleInfo {
                id: rule_id(kind).to_owned(),
                name: m.name.to_owned(),
                title: m.title.to_owned(),
                severity: m.severity,
                family: "injection".to_owned(),
                remediation: m.fix.to_owned(),
                references: vec![
                    "OWASP Serverless Top 10 SAS-1: Function Event-Data Injection".to_owned(),
                    m.cwe.to_owned(),
                ],
                docs: format!(
                    "## What it does\nFollows the event from the function's handler (resolved from the runtime and the `Handler` setting, or an exported `(event, context)` function when there is no IaC) through assignments, string building, parsing, local function calls and one level of local imports, and reports when it reaches {sinks}. Known sanitizers stop it. The finding shows the path from the event to the sink.\n\n## Why is this bad?\nEverything in the event is attacker-controlled: HTTP bodies and parameters, S3 object keys, queue and topic messages, stream records, IoT payloads, e-mail. {why}\n\n## References\n- OWASP Serverless Top 10 SAS-1: Function Event-Data Injection\n- {cwe}\n",
                    sinks = m.sinks,
                    why = m.why,
                    cwe = m.cwe
                ),
            }
        })
        .collect()
}

/// A function's code directory as the analysis reads it: the files of its listing only (regular
/// files the walk found, without dependency and build directories), read with a size bound.
pub(crate) struct DirFiles {
    root: std::path::PathBuf,
    max_bytes: usize,
    /// Sorted, '/'-separated, relative to `root`.
    files: Vec<String>,
}

/// Directories the analysis does not list besides [`crate::code::CODE_SKIPPED_DIRS`]:
/// installed dependencies.
const DEPENDENCY_DIRS: &[&str] = &["node_modules", "site-packages"];

impl DirFiles {
    /// The view of `root`: taken from the scan's walk when a listed target holds `root`,
    /// otherwise from a walk of `root` with the same ignore files and excludes.
    pub(crate) fn new(
        root: std::path::PathBuf,
        max_bytes: usize,
        excludes: &crate::walk::Excludes,
        listings: &[crate::walk::Listing],
        deps: bool,
    ) -> DirFiles {
        // The scan's walk does not enter `node_modules`: with dependencies, walk the directory.
        let listings = if deps { &[] } else { listings };
        let listed = listings.iter().find_map(|l| {
            let dir = crate::walk::relative(&root, &l.root)?;
            // The scan's walk did not enter skipped directories (`.aws-sam/build/Fn`).
            if dir
                .split('/')
                .any(|segment| crate::walk::SKIPPED_DIRS.contains(&segment))
            {
                return None;
            }
            Some(l.under(&dir))
        });
        let mut files = listed.unwrap_or_else(|| walk_listing(&root, excludes, deps));
        files.retain(|path| code_path_wanted(path, deps));
        files.sort_unstable();
        DirFiles {
            root,
            max_bytes,
            files,
        }
    }
}

/// Whether the analysis sees a file: not in a build or cache directory, nor in a dependency
/// directory unless dependencies are analysed.
fn code_path_wanted(path: &str, deps: bool) -> bool {
    !path.split('/').any(|segment| {
        crate::code::CODE_SKIPPED_DIRS.contains(&segment)
            || (!deps && DEPENDENCY_DIRS.contains(&segment))
    })
}

/// Every regular file under `root` (relative, '/'-separated), honouring the ignore files and
/// the excludes, entering dependency directories only when `deps`.
fn walk_listing(
    root: &std::path::Path,
    excludes: &crate::walk::Excludes,
    deps: bool,
) -> Vec<String> {
    let mut out = Vec::new();
    let mut diagnostics = Vec::new();
    let skipped = if deps {
        crate::code::CODE_SKIPPED_DIRS
    } else {
        DEPENDENCY_DIRS
    };
    // A missing or unreadable root lists nothing; the handler then resolves to no file.
    let _ = crate::walk::walk_files(root, "", excludes, skipped, &mut diagnostics, |_, rel| {
        out.push(rel);
    });
    out
}

impl faasguard_sast::SourceFiles for DirFiles {
    fn read(&self, path: &str) -> Option<String> {
        // Only listed files: no file-system call for the many candidate paths module resolution
        // tries, and nothing outside the root (a listed path is a regular file under it).
        self.files.binary_search_by(|f| f.as_str().cmp(path)).ok()?;
        let bytes = read_prefix(&self.root.join(path), self.max_bytes + 1).ok()?;
        if faasguard_secrets::is_binary(&bytes) {
            return None;
        }
        Some(match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(err) => String::from_utf8_lossy(err.as_bytes()).into_owned(),
        })
    }

    fn list(&self) -> Vec<String> {
        self.files.clone()
    }
}

/// At most `limit` bytes of a file, with as few system calls as a small file allows (open, one
/// read, the read that sees the end, close).
fn read_prefix(path: &std::path::Path, limit: usize) -> std::io::Result<Vec<u8>> {
    use std::io::Read as _;
    let mut file = std::fs::File::open(path)?;
    let mut buf = vec![0u8; limit.min(16 * 1024)];
    let mut len = 0;
    loop {
        if len == buf.len() {
            if len >= limit {
                break;
            }
            buf.resize(limit.min(len * 2), 0);
        }
        match file.read(&mut buf[len..]) {
            Ok(0) => break,
            Ok(n) => len += n,
            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
    buf.truncate(len);
    Ok(buf)
}

/// A function's zip package as the analysis reads it: its code files (outside dependency and
/// build directories), read into memory once with the code walk's archive bounds.
pub(crate) struct PackageFiles {
    files: std::collections::BTreeMap<String, String>,
}

/// File names the analysis reads from a package: code, and what tells vendored code apart.
fn package_file_wanted(path: &str, deps: bool) -> bool {
    let skipped = !code_path_wanted(path, deps);
    let name = path.rsplit('/').next().unwrap_or(path);
    let code = name
        .rsplit_once('.')
        .is_some_and(|(_, ext)| matches!(ext, "js" | "mjs" | "cjs" | "ts" | "mts" | "cts" | "py"));
    !skipped && (code || name == "package.json" || path.ends_with(".dist-info/RECORD"))
}

impl PackageFiles {
    /// Reads the package at `disk` (named `display` in diagnostics).
    fn read(
        disk: &std::path::Path,
        display: &str,
        max_bytes: usize,
        deps: bool,
    ) -> (PackageFiles, Vec<faasguard_core::Diagnostic>) {
        let (texts, diagnostics) = crate::code::package_texts(
            disk,
            display,
            crate::code::CodeLimits::default(),
            max_bytes,
            &|path: &str| package_file_wanted(path, deps),
        );
        (
            PackageFiles {
                files: texts.into_iter().collect(),
            },
            diagnostics,
        )
    }
}

impl faasguard_sast::SourceFiles for PackageFiles {
    fn read(&self, path: &str) -> Option<String> {
        self.files.get(path).cloned()
    }

    fn list(&self) -> Vec<String> {
        self.files.keys().cloned().collect()
    }
}

/// A function's code as the analysis reads it: a directory or a zip package.
enum CodeView {
    Dir(DirFiles),
    Package(PackageFiles),
}

impl CodeView {
    fn files(&self) -> &dyn faasguard_sast::SourceFiles {
        match self {
            CodeView::Dir(files) => files,
            CodeView::Package(files) => files,
        }
    }
}

/// What the injection analysis gave for the whole scan.
#[derive(Default)]
pub(crate) struct SastOutcome {
    pub findings: Vec<faasguard_core::Finding>,
    pub diagnostics: Vec<faasguard_core::Diagnostic>,
    pub rules_hit: Vec<RuleInfo>,
    /// What the analysis did not cover (a listing cut at its cap).
    pub skipped: Vec<faasguard_report::SkippedFile>,
}

/// The path of `abs` as the report names files: relative to the scan target that holds it
/// (with that target's prefix when there are several).
fn report_path(abs: &std::path::Path, roots: &[(std::path::PathBuf, String)]) -> Option<String> {
    roots.iter().find_map(|(root, prefix)| {
        let rel = crate::walk::relative(abs, root)?;
        Some(crate::walk::prefix_join(prefix, &rel))
    })
}

fn join(dir: &str, file: &str) -> String {
    crate::walk::prefix_join(dir, file)
}

/// One finding from one taint path; `dir` is the code root as the report names it.
fn finding(
    t: &faasguard_sast::TaintFinding,
    handler: &faasguard_sast::Handler,
    dir: &str,
    function: Option<String>,
) -> Option<faasguard_core::Finding> {
    let sink = t.path.last()?;
    let source = t.path.first()?;
    let rule = rule_id(t.kind);
    let m = meta(t.kind);
    let at = |s: &faasguard_sast::Step| faasguard_core::Location {
        file: join(dir, &s.file),
        line: Some(s.line),
        column: Some(s.column),
        pointer: None,
    };
    let location = at(sink);
    let message = format!(
        "{}: the event of handler `{}` reaches {} (source at line {})",
        m.title, handler.function, t.sink, source.line
    );
    let key: Vec<&str> = t.path.iter().map(|s| s.note.as_str()).collect();
    Some(faasguard_core::Finding {
        rule_id: rule.to_owned(),
        rule_name: m.name.to_owned(),
        severity: m.severity,
        fingerprint: faasguard_core::fingerprint(
            rule,
            function.as_deref(),
            &faasguard_core::Location::file(location.file.clone()),
            &format!("{}|{}", t.sink, key.join("|")),
        ),
        function,
        location,
        message,
        evidence: Some(format!("sink: {}", t.sink)),
        remediation: Some(m.fix.to_owned()),
        flow: t
            .path
            .iter()
            .map(|s| faasguard_core::FlowStep {
                location: at(s),
                message: s.note.clone(),
            })
            .collect(),
    })
}

/// One code directory or package: its file view, its path as the report names it (`pkg.zip!`
/// for a package, so files inside are `pkg.zip!/index.js`), and the handlers
/// resolved in it with the function each belongs to.
type CodeGroup = (CodeView, String, Vec<(faasguard_sast::Handler, String)>);

/// How code is read: the scan's listings and excludes, and whether dependencies are analysed.
struct Scope<'a> {
    listings: &'a [crate::walk::Listing],
    excludes: &'a crate::walk::Excludes,
    deps: bool,
    limits: faasguard_sast::Limits,
}

impl Scope<'_> {
    fn dir(&self, root: std::path::PathBuf) -> DirFiles {
        DirFiles::new(
            root,
            self.limits.max_file_bytes,
            self.excludes,
            self.listings,
            self.deps,
        )
    }
}

/// The scan targets as directories (a file target: its directory), with their report prefixes.
fn target_roots(targets: &[(std::path::PathBuf, String)]) -> Vec<(std::path::PathBuf, String)> {
    targets
        .iter()
        .filter_map(|(t, p)| {
            let c = t.canonicalize().ok()?;
            let dir = if c.is_file() {
                c.parent()?.to_path_buf()
            } else {
                c
            };
            Some((dir, p.clone()))
        })
        .collect()
}

/// The IaC functions of the Node and Python runtimes grouped by code directory or package, each
/// with its handler resolved; what cannot be read or resolved is a diagnostic.
fn code_groups(
    inventory: &faasguard_model::Inventory,
    roots: &[(std::path::PathBuf, String)],
    scope: &Scope<'_>,
    diagnostics: &mut Vec<faasguard_core::Diagnostic>,
) -> std::collections::BTreeMap<std::path::PathBuf, CodeGroup> {
    let mut groups = std::collections::BTreeMap::new();
    for func in &inventory.functions {
        let (Some(runtime), Some(handler), Some(code)) =
            (func.runtime.get(), func.handler.get(), func.code.get())
        else {
            continue;
        };
        let Ok(code) = code.canonicalize() else {
            continue;
        };
        let runtime_lower = runtime.to_ascii_lowercase();
        if !runtime_lower.starts_with("nodejs") && !runtime_lower.starts_with("python") {
            continue;
        }
        let Some(dir) = report_path(&code, roots) else {
            continue;
        };
        let group: &mut CodeGroup = groups.entry(code.clone()).or_insert_with(|| {
            if code.is_dir() {
                (CodeView::Dir(scope.dir(code.clone())), dir, Vec::new())
            } else {
                let (files, problems) =
                    PackageFiles::read(&code, &dir, scope.limits.max_file_bytes, scope.deps);
                diagnostics.extend(problems);
                (CodeView::Package(files), format!("{dir}!"), Vec::new())
            }
        });
        match faasguard_sast::handler::resolve(runtime, handler, group.0.files()) {
            Ok(h) => group.2.push((h, func.display_id())),
            Err(faasguard_sast::handler::ResolveError::UnsupportedRuntime { .. }) => {}
            Err(err) => diagnostics.push(faasguard_core::Diagnostic::new(
                func.at.clone(),
                format!("function {}: {err}", func.display_id()),
            )),
        }
    }
    groups
}

/// Runs the analysis on every function whose handler resolves (IaC), or — when the scan found
/// no function at all — on every handler-shaped export under the targets.
pub(crate) fn analyze(
    inventory: &faasguard_model::Inventory,
    targets: &[(std::path::PathBuf, String)],
    listings: &[crate::walk::Listing],
    excludes: &crate::walk::Excludes,
    deps: bool,
    enabled: &dyn Fn(&str) -> bool,
) -> SastOutcome {
    let mut out = SastOutcome::default();
    let scope = Scope {
        listings,
        excludes,
        deps,
        limits: if deps {
            faasguard_sast::Limits::with_dependencies()
        } else {
            faasguard_sast::Limits::default()
        },
    };
    let roots = target_roots(targets);
    let mut seen = std::collections::BTreeSet::new();
    let mut record = |analysis: faasguard_sast::Analysis,
                      handler: &faasguard_sast::Handler,
                      dir: &str,
                      function: Option<String>,
                      out: &mut SastOutcome| {
        for t in &analysis.findings {
            if let Some(f) = finding(t, handler, dir, function.clone())
                && enabled(&f.rule_id)
            {
                out.findings.push(f);
            }
        }
        for p in analysis.problems {
            let key = (join(dir, &p.file), p.line, p.message.clone());
            if seen.insert(key) {
                out.diagnostics.push(faasguard_core::Diagnostic::new(
                    faasguard_core::Location {
                        file: join(dir, &p.file),
                        line: p.line,
                        ..faasguard_core::Location::default()
                    },
                    format!("injection analysis: {}", p.message),
                ));
            }
        }
    };
    // Functions sharing a code directory share one file view, so each file is parsed once.
    let groups = code_groups(inventory, &roots, &scope, &mut out.diagnostics);
    for (files, dir, handlers) in groups.values() {
        let only: Vec<faasguard_sast::Handler> = handlers.iter().map(|(h, _)| h.clone()).collect();
        let analyses = faasguard_sast::analyze_all(files.files(), &only, scope.limits);
        for (analysis, (handler, function)) in analyses.into_iter().zip(handlers) {
            record(analysis, handler, dir, Some(function.clone()), &mut out);
        }
    }
    if inventory.functions.is_empty() {
        for (root, prefix) in &roots {
            let files = scope.dir(root.clone());
            for (handler, analysis) in faasguard_sast::discover_and_analyze(&files, scope.limits) {
                record(analysis, &handler, prefix, None, &mut out);
            }
        }
    }
    let hit: std::collections::BTreeSet<&str> =
        out.findings.iter().map(|f| f.rule_id.as_str()).collect();
    out.rules_hit = sast_rule_infos()
        .into_iter()
        .filter(|r| hit.contains(r.id.as_str()))
        .collect();
    out
}
