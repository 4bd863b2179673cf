//! Python taint analysis on fixture handlers: every `tests/fixtures/python/*.py` file states its
//! expected findings in `# expect:` header lines (`<Kind> <sink>` or `safe`); the special cases
//! (local imports, syntax errors, huge and deeply nested files, non-UTF-8) have their own tests.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use faasguard_sast::{Analysis, Handler, Language, Limits, SinkKind, SourceFiles, analyze};

/// A code directory on disk. `lossy` decodes non-UTF-8 files with replacement characters (what
/// the engine does); otherwise such files are "not text".
struct DirFiles {
    root: PathBuf,
    lossy: bool,
}

impl SourceFiles for DirFiles {
    fn read(&self, path: &str) -> Option<String> {
        let bytes = std::fs::read(self.root.join(path)).ok()?;
        if self.lossy {
            Some(String::from_utf8_lossy(&bytes).into_owned())
        } else {
            String::from_utf8(bytes).ok()
        }
    }

    fn list(&self) -> Vec<String> {
        fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(root, &path, out);
                } else {
                    let rel = path.strip_prefix(root).unwrap();
                    out.push(rel.to_string_lossy().replace('\\', "/"));
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.root, &self.root, &mut out);
        out
    }
}

/// Files held in memory (generated inputs).
struct MemFiles(BTreeMap<String, String>);

impl SourceFiles for MemFiles {
    fn read(&self, path: &str) -> Option<String> {
        self.0.get(path).cloned()
    }

    fn list(&self) -> Vec<String> {
        self.0.keys().cloned().collect()
    }
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/python")
}

fn py(file: &str, function: &str) -> Handler {
    Handler {
        language: Language::Python,
        file: file.to_string(),
        function: function.to_string(),
    }
}

fn run_dir(dir: &Path, file: &str, lossy: bool) -> Analysis {
    let files = DirFiles {
        root: dir.to_path_buf(),
        lossy,
    };
    analyze(&files, &py(file, "handler"), Limits::default())
}

fn kind_name(kind: SinkKind) -> String {
    format!("{kind:?}")
}

/// Each finding as (kind, sink, file of the sink).
fn sinks_reached(analysis: &faasguard_sast::Analysis) -> Vec<(SinkKind, &str, &str)> {
    analysis
        .findings
        .iter()
        .map(|f| {
            (
                f.kind,
                f.sink.as_str(),
                f.path.last().unwrap().file.as_str(),
            )
        })
        .collect()
}

/// Every fixture's findings are exactly its `# expect:` lines (kind and sink), with no
/// problems, and every path starts at the event and ends at the sink. The handler is `handler`
/// unless a `# function:` line names another.
#[test]
fn fixtures_match_their_expectations() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "py"))
        .collect();
    files.sort();
    assert!(files.len() >= 50, "fixture set shrank: {}", files.len());
    let mut failures = Vec::new();
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(path).unwrap();
        let mut expected: Vec<String> = text
            .lines()
            .filter_map(|l| l.strip_prefix("# expect: "))
            .filter(|e| *e != "safe")
            .map(str::to_string)
            .collect();
        assert!(
            text.lines().any(|l| l.starts_with("# expect: ")),
            "{name} has no expectation"
        );
        let function = text
            .lines()
            .find_map(|l| l.strip_prefix("# function: "))
            .unwrap_or("handler");
        let files = DirFiles {
            root: fixtures(),
            lossy: false,
        };
        let analysis = analyze(&files, &py(&name, function), Limits::default());
        let mut actual: Vec<String> = analysis
            .findings
            .iter()
            .map(|f| format!("{} {}", kind_name(f.kind), f.sink))
            .collect();
        expected.sort();
        actual.sort();
        if expected != actual || !analysis.problems.is_empty() {
            failures.push(format!(
                "{name}: expected {expected:?}, got {actual:?}, problems {:?}",
                analysis.problems
            ));
        }
        for finding in &analysis.findings {
            let first = finding.path.first().unwrap();
            let last = finding.path.last().unwrap();
            assert!(finding.path.len() >= 2 && finding.path.len() <= 8, "{name}");
            assert!(first.note.starts_with("event"), "{name}: {first:?}");
            assert!(last.note.starts_with("reaches"), "{name}: {last:?}");
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every sink kind has at least one vulnerable fixture and at least one safe look-alike.
#[test]
fn fixtures_cover_every_sink_kind() {
    let mut covered = Vec::new();
    for entry in std::fs::read_dir(fixtures()).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap_or_default();
        for line in text.lines().filter_map(|l| l.strip_prefix("# expect: ")) {
            covered.push(line.split(' ').next().unwrap().to_string());
        }
    }
    for kind in SinkKind::ALL {
        assert!(
            covered.contains(&kind_name(kind)),
            "{kind:?} has no fixture"
        );
    }
    assert!(covered.iter().filter(|k| *k == "safe").count() >= 14);
}

/// A finding's path names the source, the assignments on the way and the sink with 1-based
/// lines and columns.
#[test]
fn path_steps_have_locations() {
    let analysis = run_dir(&fixtures(), "cmd_os_system_json_body.py", false);
    let finding = &analysis.findings[0];
    let notes: Vec<(u32, u32, &str)> = finding
        .path
        .iter()
        .map(|s| (s.line, s.column, s.note.as_str()))
        .collect();
    assert_eq!(
        notes,
        vec![
            (6, 13, "event parameter `event` of handler `handler`"),
            (7, 12, "parsed by json.loads"),
            (7, 5, "assigned to `body`"),
            (8, 5, "reaches `os.system`"),
        ]
    );
}

/// One level of local imports is followed: `import helpers` + `helpers.fetch(…)` and
/// `from utils.shell import run_command`, with the path crossing files.
#[test]
fn local_imports_are_followed() {
    let analysis = run_dir(&fixtures().join("local_import"), "app.py", false);
    assert!(analysis.problems.is_empty(), "{:?}", analysis.problems);
    let summary = sinks_reached(&analysis);
    assert_eq!(
        summary,
        vec![
            (SinkKind::OutboundUrl, "requests.get", "helpers.py"),
            (
                SinkKind::Command,
                "subprocess.check_output(shell=True)",
                "utils/shell.py"
            ),
        ]
    );
    let command = &analysis.findings[1];
    assert_eq!(command.path[0].file, "app.py");
    assert!(
        command
            .path
            .iter()
            .any(|s| s.file == "app.py" && s.note == "passed to `run_command` as `script`")
    );
}

/// With `max_import_depth: 0` the imported modules are not read, so nothing is found in them.
#[test]
fn import_depth_zero_stays_in_the_handler_file() {
    let files = DirFiles {
        root: fixtures().join("local_import"),
        lossy: false,
    };
    let limits = Limits {
        max_import_depth: 0,
        ..Limits::default()
    };
    let analysis = analyze(&files, &py("app.py", "handler"), limits);
    assert!(analysis.findings.is_empty(), "{:?}", analysis.findings);
}

/// A syntax error later in the file is a problem with its line, and the valid handler before
/// it is still analysed (ruff's parser recovers).
#[test]
fn syntax_error_is_reported_and_the_rest_analysed() {
    let analysis = run_dir(&fixtures().join("syntax_error"), "app.py", false);
    assert!(!analysis.problems.is_empty());
    assert!(
        analysis
            .problems
            .iter()
            .all(|p| p.file == "app.py" && p.message.starts_with("syntax error"))
    );
    assert_eq!(analysis.problems[0].line, Some(8));
    assert_eq!(analysis.findings.len(), 1);
    assert_eq!(analysis.findings[0].sink, "os.system");
}

/// Non-UTF-8 source: when the reader decodes lossily (as the engine does) the file is analysed;
/// when the reader says "not text" the handler is a problem, not a panic.
#[test]
fn non_utf8_file() {
    let dir = fixtures().join("non_utf8");
    let lossy = run_dir(&dir, "app.py", true);
    assert_eq!(lossy.findings.len(), 1);
    assert!(lossy.problems.is_empty());
    let strict = run_dir(&dir, "app.py", false);
    assert!(strict.findings.is_empty());
    assert_eq!(strict.problems.len(), 1);
    assert!(strict.problems[0].message.contains("cannot read"));
}

/// A missing handler file or function is a problem naming it.
#[test]
fn missing_file_or_function_is_a_problem() {
    let analysis = analyze(
        &DirFiles {
            root: fixtures(),
            lossy: false,
        },
        &py("nope.py", "handler"),
        Limits::default(),
    );
    assert_eq!(analysis.problems[0].file, "nope.py");
    let analysis = analyze(
        &DirFiles {
            root: fixtures(),
            lossy: false,
        },
        &py("eval_query_parameter.py", "main"),
        Limits::default(),
    );
    assert!(analysis.problems[0].message.contains("`main` not found"));
}

/// A file of several MB on one line is parsed and analysed; over the size limit it is a problem.
#[test]
fn huge_single_line_file() {
    let filler = "x = 1; ".repeat(400_000);
    let text =
        format!("import os\n{filler}\ndef handler(event, context):\n    os.system(event['c'])\n");
    assert!(text.len() > 2_500_000);
    let files = MemFiles(BTreeMap::from([("big.py".to_string(), text)]));
    let analysis = analyze(&files, &py("big.py", "handler"), Limits::default());
    assert_eq!(analysis.findings.len(), 1);
    let limits = Limits {
        max_file_bytes: 1 << 20,
        ..Limits::default()
    };
    let analysis = analyze(&files, &py("big.py", "handler"), limits);
    assert!(analysis.findings.is_empty());
    assert!(analysis.problems[0].message.contains("over the"));
}

/// 10,000 levels of nested expressions (lists, calls, binary operators) do not overflow the
/// stack: the parser grows its own, the analysis stops at its nesting limit and says so.
#[test]
fn deeply_nested_expressions() {
    for (open, close) in [("[", "]"), ("f(", ")"), ("-(", ")")] {
        let nested = format!("{}event['x']{}", open.repeat(10_000), close.repeat(10_000));
        let text = format!(
            "import os\ndef f(a):\n    return a\ndef handler(event, context):\n    v = {nested}\n    os.system(event['c'])\n"
        );
        let files = MemFiles(BTreeMap::from([("deep.py".to_string(), text)]));
        let analysis = analyze(&files, &py("deep.py", "handler"), Limits::default());
        assert!(
            analysis
                .problems
                .iter()
                .any(|p| p.message.contains("nested deeper")),
            "{open}: {:?}",
            analysis.problems
        );
        assert_eq!(analysis.findings.len(), 1, "{open}");
    }
    let chain = format!("event['x']{}", " + event['x']".repeat(10_000));
    let text = format!("import os\ndef handler(event, context):\n    os.system({chain})\n");
    let files = MemFiles(BTreeMap::from([("chain.py".to_string(), text)]));
    let analysis = analyze(&files, &py("chain.py", "handler"), Limits::default());
    assert!(
        analysis
            .problems
            .iter()
            .any(|p| p.message.contains("nested deeper"))
    );
}

/// Loops are walked twice, so 30 nested loops would take 2^30 walks: the evaluation budget stops
/// the analysis with a problem instead of hanging.
#[test]
fn nested_loops_hit_the_budget() {
    let mut text = String::from("import os\ndef handler(event, context):\n");
    for level in 0..30 {
        let indent = "    ".repeat(level + 1);
        text += &indent;
        text += "for i";
        text += &level.to_string();
        text += " in event['items']:\n";
    }
    text.push_str(&"    ".repeat(31));
    text.push_str("os.system(i29)\n");
    let files = MemFiles(BTreeMap::from([("loops.py".to_string(), text)]));
    let analysis = analyze(&files, &py("loops.py", "handler"), Limits::default());
    assert!(
        analysis
            .problems
            .iter()
            .any(|p| p.message.contains("budget exhausted")),
        "{:?}",
        analysis.problems
    );
    assert_eq!(analysis.findings.len(), 1);
}

/// A path through many assignments keeps the source and the last steps, at most eight.
#[test]
fn long_paths_are_shortened() {
    let analysis = run_dir(&fixtures(), "flow_long_alias_chain.py", false);
    let path = &analysis.findings[0].path;
    assert_eq!(path.len(), 8);
    assert!(path[0].note.starts_with("event parameter"));
    assert_eq!(path[6].note, "assigned to `v12`");
    assert_eq!(path[7].note, "reaches `os.system`");
}

/// A handler bound by assignment to something other than a Mangum or Chalice app is named in a
/// problem that says why it is not analysed, rather than "not found".
#[test]
fn assigned_handler_is_explained() {
    let text = "from factory import make_handler\n\nhandler = make_handler()\n";
    let files = MemFiles(BTreeMap::from([("main.py".to_string(), text.to_string())]));
    let analysis = analyze(&files, &py("main.py", "handler"), Limits::default());
    assert!(analysis.findings.is_empty());
    assert_eq!(analysis.problems[0].line, Some(3));
    assert_eq!(
        analysis.problems[0].message,
        "handler `handler` is assigned (line 3), not defined with `def`; only Mangum and Chalice apps are followed"
    );
}

/// Packages installed into the code directory (listed in a `*.dist-info/RECORD`, like
/// `shellkit`) are dependencies and not followed; `yaml.load` is a sink even with a vendored
/// `yaml/` next to the handler; a first-party module (`storage.py`) is still followed.
#[test]
fn vendored_dependencies_are_not_first_party() {
    let analysis = run_dir(&fixtures().join("vendored_dependency"), "app.py", false);
    let summary = sinks_reached(&analysis);
    assert_eq!(
        summary,
        vec![
            (SinkKind::Deserialization, "yaml.load", "app.py"),
            (SinkKind::FilePath, "open", "storage.py"),
        ]
    );
}

/// A minified non-ASCII file with thousands of tainted assignments on one line is analysed
/// (each step's column is found without recounting the line).
#[test]
fn long_non_ascii_line_with_many_steps() {
    let mut line = String::from("v0 = event['é']");
    for i in 1..20_000 {
        line += "; v";
        line += &i.to_string();
        line += " = v";
        line += &(i - 1).to_string();
        line += " + 'é'";
    }
    line += "; os.system(v19999)";
    let text = format!("import os\ndef handler(event, context):\n    {line}\n");
    let files = MemFiles(BTreeMap::from([("min.py".to_string(), text)]));
    let analysis = analyze(&files, &py("min.py", "handler"), Limits::default());
    assert_eq!(analysis.findings.len(), 1);
    let sink = analysis.findings[0].path.last().unwrap();
    assert_eq!(sink.line, 3);
    assert!(sink.column > 400_000);
}

/// A method of a class imported from a local module (`from services import OrderService`,
/// `OrderService().export(…)`) is followed, with `self` skipped when binding arguments.
#[test]
fn imported_class_method_is_followed() {
    let app = "from services import OrderService\n\n\ndef handler(event, context):\n    return OrderService().export(event['pathParameters']['name'])\n";
    let services = "class OrderService:\n    def export(self, name):\n        return open('/tmp/exports/' + name, 'w')\n";
    let files = MemFiles(BTreeMap::from([
        ("app.py".to_string(), app.to_string()),
        ("services.py".to_string(), services.to_string()),
    ]));
    let analysis = analyze(&files, &py("app.py", "handler"), Limits::default());
    assert_eq!(analysis.findings.len(), 1, "{:?}", analysis.problems);
    let finding = &analysis.findings[0];
    assert_eq!(finding.sink, "open");
    assert_eq!(finding.path.last().unwrap().file, "services.py");
    assert!(
        finding
            .path
            .iter()
            .any(|s| s.note == "passed to `export` as `name`")
    );
}

/// `analyze_all` shares parsed files between handlers and gives the same findings as analysing
/// them one by one, also when one handler's file is a module another handler imports (its own
/// imports are still followed).
#[test]
fn analyze_all_matches_one_by_one() {
    let files = MemFiles(BTreeMap::from([
        (
            "orders.py".to_string(),
            "import billing\n\ndef handler(event, context):\n    return billing.handler(event, context)\n"
                .to_string(),
        ),
        (
            "billing.py".to_string(),
            "import shell\n\ndef handler(event, context):\n    return shell.run(event['invoice'])\n"
                .to_string(),
        ),
        (
            "shell.py".to_string(),
            "import os\n\ndef run(cmd):\n    return os.system('print ' + cmd)\n".to_string(),
        ),
    ]));
    let handlers = [py("orders.py", "handler"), py("billing.py", "handler")];
    let together = faasguard_sast::analyze_all(&files, &handlers, Limits::default());
    let alone: Vec<Analysis> = handlers
        .iter()
        .map(|h| analyze(&files, h, Limits::default()))
        .collect();
    assert_eq!(together, alone);
    // orders.py → billing.py is one level: shell.py is two levels away from orders.py.
    assert!(together[0].findings.is_empty());
    assert_eq!(together[1].findings.len(), 1);
    assert_eq!(
        together[1].findings[0].path.last().unwrap().file,
        "shell.py"
    );
}

/// Deep nesting of every kind (attribute chains, brackets, unary and binary chains, lambdas,
/// dict literals, match patterns) far beyond the analysis limit: the tree is taken apart without
/// recursion, so nothing overflows the stack, and the handler's sink is still found. F-strings
/// nested beyond 2,000 levels (ruff's parser is quadratic in that depth) are reported, not parsed.
#[test]
fn pathological_nesting_does_not_overflow() {
    let n = 100_000;
    let bodies = [
        format!("a{}", ".b".repeat(n)),
        format!("{}1{}", "[".repeat(n), "]".repeat(n)),
        format!("{}x", "-".repeat(n)),
        format!("{}a", "a+".repeat(n)),
        format!("{}x", "lambda: ".repeat(n)),
        format!("{}1{}", "{1:".repeat(n), "}".repeat(n)),
        format!("f{}", "()".repeat(n)),
    ];
    for body in bodies {
        let text = format!(
            "import os\ndef handler(event, context):\n    v = {body}\n    os.system(event['c'])\n"
        );
        let files = MemFiles(BTreeMap::from([("deep.py".to_string(), text)]));
        let analysis = analyze(&files, &py("deep.py", "handler"), Limits::default());
        assert_eq!(analysis.findings.len(), 1, "{}", &body[..12]);
    }
    let pattern = format!("{}x{}", "[".repeat(n), "]".repeat(n));
    let text = format!(
        "import os\ndef handler(event, context):\n    match event:\n        case {pattern}:\n            pass\n    os.system(event['c'])\n"
    );
    let files = MemFiles(BTreeMap::from([("match.py".to_string(), text)]));
    let analysis = analyze(&files, &py("match.py", "handler"), Limits::default());
    assert_eq!(analysis.findings.len(), 1);

    let fstrings = format!("{}x{}", "f\"{".repeat(5_000), "}\"".repeat(5_000));
    let text = format!("def handler(event, context):\n    return {fstrings}\n");
    let files = MemFiles(BTreeMap::from([("fs.py".to_string(), text)]));
    let analysis = analyze(&files, &py("fs.py", "handler"), Limits::default());
    assert!(analysis.problems[0].message.contains("f-strings nested"));
}
