//! JavaScript/TypeScript taint analysis: one fixture per case under `tests/fixtures/js/`, each
//! asserting the exact findings (kind, sink, source line, sink line), plus generated bad input
//! (huge one-line file, deep nesting, file over the size limit).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;
use std::path::PathBuf;

use faasguard_sast::{Analysis, Handler, Language, Limits, SinkKind, SourceFiles, analyze};

/// The fixture directory as a code root.
struct FixtureDir(PathBuf);

impl SourceFiles for FixtureDir {
    fn read(&self, path: &str) -> Option<String> {
        std::fs::read_to_string(self.0.join(path)).ok()
    }

    fn list(&self) -> Vec<String> {
        Vec::new()
    }
}

/// Files held in memory (generated input).
struct MemFiles(HashMap<String, String>);

impl SourceFiles for MemFiles {
    fn read(&self, path: &str) -> Option<String> {
        self.0.get(path).cloned()
    }

    fn list(&self) -> Vec<String> {
        self.0.keys().cloned().collect()
    }
}

fn fixtures() -> FixtureDir {
    FixtureDir(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/js"))
}

fn language(file: &str) -> Language {
    let ext = file.rsplit('.').next().unwrap_or("");
    if ext == "ts" || ext == "tsx" {
        Language::TypeScript
    } else {
        Language::JavaScript
    }
}

fn run(files: &dyn SourceFiles, file: &str, function: &str, limits: Limits) -> Analysis {
    let handler = Handler {
        language: language(file),
        file: file.to_string(),
        function: function.to_string(),
    };
    analyze(files, &handler, limits)
}

/// (kind, sink, source line, sink line) of each finding.
fn summary(analysis: &Analysis) -> Vec<(SinkKind, String, u32, u32)> {
    analysis
        .findings
        .iter()
        .map(|f| {
            (
                f.kind,
                f.sink.clone(),
                f.path.first().unwrap().line,
                f.path.last().unwrap().line,
            )
        })
        .collect()
}

type Expected = &'static [(SinkKind, &'static str, u32, u32)];

use SinkKind::{CodeEval, Command, Deserialization, FilePath, OutboundUrl, Query, XmlEntities};

/// Every fixture: file, handler function, expected findings (empty for safe look-alikes).
const CASES: &[(&str, &str, Expected)] = &[
    // Command execution.
    (
        "exec_template_literal_from_body.js",
        "handler",
        &[(Command, "child_process.exec", 4, 7)],
    ),
    (
        "execsync_concat_alias.js",
        "handler",
        &[(Command, "child_process.execSync", 4, 7)],
    ),
    (
        "spawn_shell_true_from_query.js",
        "handler",
        &[(Command, "child_process.spawn(shell: true)", 4, 5)],
    ),
    (
        "destructured_event_exec.js",
        "handler",
        &[(Command, "child_process.exec", 4, 5)],
    ),
    (
        "module_exports_object_handler.js",
        "handler",
        &[(Command, "child_process.execSync", 4, 5)],
    ),
    (
        "intra_file_helper_call.js",
        "handler",
        &[(Command, "child_process.exec", 9, 5)],
    ),
    (
        "sqs_records_foreach.js",
        "handler",
        &[(Command, "child_process.exec", 4, 6)],
    ),
    (
        "export_named_specifier.ts",
        "handler",
        &[(Command, "child_process.exec", 4, 4)],
    ),
    (
        "local_import/handler.js",
        "handler",
        &[(Command, "child_process.exec", 4, 4)],
    ),
    (
        "local_import_esm/handler.ts",
        "handler",
        &[(Command, "child_process.exec", 5, 6)],
    ),
    (
        "syntax_error_partial.js",
        "handler",
        &[(Command, "child_process.exec", 5, 5)],
    ),
    (
        "spawn_shell_options_variable.js",
        "handler",
        &[(Command, "child_process.spawn(shell: true)", 5, 6)],
    ),
    (
        "middy_wrapped_handler.js",
        "handler",
        &[(Command, "child_process.exec", 6, 7)],
    ),
    (
        "execfile_program_from_event.js",
        "handler",
        &[(Command, "child_process.execFile", 4, 5)],
    ),
    (
        "closure_nested_function_returns_event_data.js",
        "handler",
        &[(Command, "child_process.exec", 4, 8)],
    ),
    (
        "local_import_default_object/handler.mjs",
        "handler",
        &[(Command, "child_process.execSync", 4, 5)],
    ),
    (
        "exec_indexof_without_comparison.js",
        "handler",
        &[(Command, "child_process.exec", 6, 8)],
    ),
    (
        "object_literal_tainted_field.js",
        "handler",
        &[(Command, "child_process.exec", 4, 5)],
    ),
    (
        "object_field_written_later.js",
        "handler",
        &[(Command, "child_process.exec", 5, 6)],
    ),
    (
        "class_service_method_call.ts",
        "handler",
        &[(Command, "child_process.execSync", 16, 9)],
    ),
    ("exec_after_parseint_safe.js", "handler", &[]),
    ("class_static_method_constant_safe.js", "handler", &[]),
    ("object_literal_other_field_safe.js", "handler", &[]),
    ("exec_allowlist_indexof_safe.js", "handler", &[]),
    ("validator_is_alphanumeric_guard_safe.js", "handler", &[]),
    ("spawn_without_shell_args_safe.js", "handler", &[]),
    ("exec_shell_quote_safe.js", "handler", &[]),
    ("exec_constant_safe.js", "handler", &[]),
    ("exec_allowlist_early_return_safe.js", "handler", &[]),
    ("exec_allowlist_guarded_branch_safe.js", "handler", &[]),
    ("exec_different_variable_safe.js", "handler", &[]),
    // Code evaluation.
    (
        "eval_from_query_string.js",
        "handler",
        &[(CodeEval, "eval", 2, 3)],
    ),
    (
        "new_function_from_body.js",
        "handler",
        &[(CodeEval, "new Function", 2, 3)],
    ),
    (
        "vm_run_in_new_context.mjs",
        "handler",
        &[(CodeEval, "vm.runInNewContext", 4, 5)],
    ),
    (
        "settimeout_string_from_event.js",
        "handler",
        &[(CodeEval, "setTimeout", 2, 3)],
    ),
    (
        "function_call_constructor_from_query.js",
        "handler",
        &[(CodeEval, "Function", 2, 3)],
    ),
    (
        "lodash_template_from_body.js",
        "handler",
        &[(CodeEval, "lodash.template", 4, 5)],
    ),
    (
        "dynamic_import_from_event.mjs",
        "handler",
        &[(CodeEval, "import()", 2, 3)],
    ),
    ("settimeout_function_safe.js", "handler", &[]),
    ("eval_after_number_safe.js", "handler", &[]),
    // Deserialization.
    (
        "node_serialize_unserialize_cookie.js",
        "handler",
        &[(Deserialization, "node-serialize.unserialize", 4, 6)],
    ),
    (
        "js_yaml_load_from_body.js",
        "handler",
        &[(Deserialization, "js-yaml.load", 4, 4)],
    ),
    (
        "eval_paren_serialize_javascript.js",
        "handler",
        &[(Deserialization, "eval('(' + … + ')')", 2, 2)],
    ),
    (
        "funcster_deep_deserialize.js",
        "handler",
        &[(Deserialization, "funcster.deepDeserialize", 4, 4)],
    ),
    (
        "js_yaml3_package/handler.js",
        "handler",
        &[(Deserialization, "js-yaml.load", 4, 4)],
    ),
    ("js_yaml_safe_schema_safe.js", "handler", &[]),
    ("js_yaml4_package/handler.js", "handler", &[]),
    // Queries.
    (
        "mysql_query_concat_from_path_params.js",
        "handler",
        &[(Query, "connection.query", 5, 8)],
    ),
    (
        "knex_raw_template.ts",
        "handler",
        &[(Query, "knex.raw", 5, 6)],
    ),
    (
        "mongo_where_from_body.js",
        "handler",
        &[(Query, "users.find($where)", 5, 7)],
    ),
    (
        "mongo_raw_filter_from_body.js",
        "handler",
        &[(Query, "users.findOne (raw filter)", 6, 6)],
    ),
    (
        "mongo_login_parsed_json_filter.js",
        "handler",
        &[(Query, "users.findOne (raw filter)", 5, 7)],
    ),
    (
        "dynamodb_partiql_statement_template.mjs",
        "handler",
        &[(Query, "ExecuteStatementCommand(Statement)", 6, 7)],
    ),
    (
        "sequelize_query_plus_equals.ts",
        "handler",
        &[(Query, "sequelize.query", 7, 8)],
    ),
    ("pg_query_parameterised_safe.js", "handler", &[]),
    ("execute_method_unbuilt_argument_safe.js", "handler", &[]),
    ("dynamodb_partiql_parameters_safe.mjs", "handler", &[]),
    ("mongo_login_stringified_filter_safe.js", "handler", &[]),
    ("mongo_filter_field_safe.js", "handler", &[]),
    // File paths.
    (
        "fs_readfile_path_join.js",
        "handler",
        &[(FilePath, "fs.readFileSync", 5, 7)],
    ),
    (
        "fs_promises_writefile.ts",
        "main",
        &[(FilePath, "fs.writeFile", 9, 10)],
    ),
    (
        "sqs_records_map_named_function.js",
        "handler",
        &[(FilePath, "fs.unlink", 9, 5)],
    ),
    ("fs_readfile_basename_safe.js", "handler", &[]),
    // Outbound URLs.
    (
        "fetch_url_from_body.mjs",
        "handler",
        &[(OutboundUrl, "fetch", 2, 3)],
    ),
    (
        "axios_get_from_query.js",
        "handler",
        &[(OutboundUrl, "axios.get", 4, 5)],
    ),
    ("https_get_encode_uri_component_safe.js", "handler", &[]),
    (
        "axios_allowlist_check_without_return.js",
        "handler",
        &[(OutboundUrl, "axios.get", 6, 10)],
    ),
    (
        "http_request_options_host_from_header.js",
        "handler",
        &[(OutboundUrl, "http.request", 4, 5)],
    ),
    ("got_constant_url_safe.js", "handler", &[]),
    ("axios_host_allowlist_or_chain_safe.js", "handler", &[]),
    // XML external entities.
    (
        "libxmljs_noent_from_body.js",
        "handler",
        &[(XmlEntities, "libxmljs.parseXml(noent: true)", 4, 4)],
    ),
    (
        "libxmljs_noent_options_constant.js",
        "handler",
        &[(XmlEntities, "libxmljs.parseXmlString(noent: true)", 6, 7)],
    ),
    ("libxmljs_without_noent_safe.js", "handler", &[]),
    // A shell run through its `-c` option, without `shell: true`.
    (
        "spawn_bash_dash_c_from_body.js",
        "handler",
        &[(Command, "child_process.spawn(sh -c)", 4, 5)],
    ),
    ("spawn_sh_script_with_argument_safe.js", "handler", &[]),
    // `eval('(' + x + ')')` of a field of a parsed document is code, not deserialization.
    (
        "eval_paren_formula_from_parsed_body.js",
        "handler",
        &[(CodeEval, "eval", 2, 4)],
    ),
    // A class method exported bound to an instance; `this` is that class.
    (
        "class_instance_bound_method_handler.js",
        "handler",
        &[(Query, "this.db.query", 13, 14)],
    ),
    (
        "class_instance_bound_method_parameterised_safe.js",
        "handler",
        &[],
    ),
    // Regular expressions validate only when they match the whole value.
    (
        "fetch_after_scheme_only_regex_check.mjs",
        "handler",
        &[(OutboundUrl, "fetch", 4, 8)],
    ),
    ("exec_full_match_regex_guard_safe.js", "handler", &[]),
    // With the `m` flag `^…$` matches one line: a newline lets a command through.
    (
        "exec_multiline_regex_guard.js",
        "handler",
        &[(Command, "child_process.execSync", 4, 8)],
    ),
    // Generators: what they yield is what iterating them gives.
    (
        "libxmljs_noent_from_async_generator.js",
        "handler",
        &[(XmlEntities, "libxmljs.parseXmlString(noent: true)", 11, 12)],
    ),
    ("libxmljs_noent_generator_constant_safe.js", "handler", &[]),
    // A prefix check contains a path only once the path is normalised.
    ("fs_readfile_join_startswith_base_safe.mjs", "handler", &[]),
    (
        "fs_readfile_concat_startswith_not_normalised.mjs",
        "handler",
        &[(FilePath, "fs.readFile", 6, 10)],
    ),
    // Event data after a constant origin cannot choose the host.
    (
        "fetch_constant_origin_search_params_safe.js",
        "handler",
        &[],
    ),
    (
        "fetch_host_from_event_with_search_params.js",
        "handler",
        &[(OutboundUrl, "fetch", 2, 4)],
    ),
    ("axios_url_prefix_check_fixed_host_safe.js", "handler", &[]),
];

/// Every fixture gives exactly its expected findings: vulnerable handlers are found with the
/// right sink, source line and sink line; sanitized, constant, parameterised and
/// different-variable look-alikes give nothing.
#[test]
fn fixtures_give_exact_findings() {
    let files = fixtures();
    let mut failures = Vec::new();
    for (file, function, expected) in CASES {
        let analysis = run(&files, file, function, Limits::default());
        let got = summary(&analysis);
        let want: Vec<_> = expected
            .iter()
            .map(|(k, s, a, b)| (*k, (*s).to_string(), *a, *b))
            .collect();
        if got != want {
            failures.push(format!("{file}: got {got:?}, want {want:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The table covers every sink kind with at least one vulnerable case and one safe look-alike
/// of the same kind (by fixture name: the safe ones end in `_safe`).
#[test]
fn table_covers_every_sink_kind() {
    let vulnerable: BTreeSet<SinkKind> = CASES
        .iter()
        .flat_map(|(_, _, e)| e.iter().map(|x| x.0))
        .collect();
    assert_eq!(vulnerable.len(), SinkKind::ALL.len());
    let safe = CASES
        .iter()
        .filter(|(f, _, e)| e.is_empty() && f.contains("_safe"))
        .count();
    assert!(safe >= SinkKind::ALL.len(), "only {safe} safe look-alikes");
    // Every fixture file on disk is in the table.
    let root = fixtures().0;
    for entry in std::fs::read_dir(&root).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name.contains('.') {
            assert!(
                CASES.iter().any(|(f, _, _)| *f == name),
                "{name} is not in CASES"
            );
        }
    }
}

/// Paths start at the event read and end at the sink, have between 2 and 8 steps, and every
/// step has a position and a note.
#[test]
fn paths_are_short_and_positioned() {
    let files = fixtures();
    for (file, function, _) in CASES {
        for f in run(&files, file, function, Limits::default()).findings {
            assert!((2..=8).contains(&f.path.len()), "{file}: {:?}", f.path);
            assert!(
                f.path[0].note.starts_with("event data"),
                "{file}: {:?}",
                f.path[0]
            );
            assert!(f.path.last().unwrap().note.starts_with("reaches"));
            assert!(
                f.path
                    .iter()
                    .all(|s| s.line >= 1 && s.column >= 1 && !s.note.is_empty())
            );
        }
    }
}

/// The source → sink path of a concatenation shows the event read, the assignments and the sink
/// with exact columns.
#[test]
fn path_steps_of_concatenation() {
    let analysis = run(
        &fixtures(),
        "execsync_concat_alias.js",
        "handler",
        Limits::default(),
    );
    let steps: Vec<(u32, u32, &str)> = analysis.findings[0]
        .path
        .iter()
        .map(|s| (s.line, s.column, s.note.as_str()))
        .collect();
    assert_eq!(
        steps,
        vec![
            (4, 16, "event data `event['queryStringParameters'].name`"),
            (4, 16, "assigned to `name`"),
            (6, 10, "assigned to `cmd`"),
            (7, 15, "reaches `child_process.execSync`"),
        ]
    );
}

/// A call into a local module is followed: the path goes from the handler file into the
/// module's exported function, where the sink is.
#[test]
fn local_import_path_crosses_files() {
    let analysis = run(
        &fixtures(),
        "local_import/handler.js",
        "handler",
        Limits::default(),
    );
    let files: Vec<&str> = analysis.findings[0]
        .path
        .iter()
        .map(|s| s.file.as_str())
        .collect();
    assert_eq!(files.first(), Some(&"local_import/handler.js"));
    assert_eq!(files.last(), Some(&"local_import/lib/runner.js"));
    // With local imports disabled the module is not read.
    let limits = Limits {
        max_import_depth: 0,
        ..Limits::default()
    };
    assert!(
        run(&fixtures(), "local_import/handler.js", "handler", limits)
            .findings
            .is_empty()
    );
}

/// js-yaml `load` is reported with a note that the version decides: unknown without a
/// `package.json`, the declared range when there is one (and nothing for js-yaml 4).
#[test]
fn yaml_load_note_mentions_version() {
    let analysis = run(
        &fixtures(),
        "js_yaml_load_from_body.js",
        "handler",
        Limits::default(),
    );
    let note = &analysis.findings[0].path.last().unwrap().note;
    assert!(note.contains("version is not known"), "{note}");
    let analysis = run(
        &fixtures(),
        "js_yaml3_package/handler.js",
        "handler",
        Limits::default(),
    );
    let note = &analysis.findings[0].path.last().unwrap().note;
    assert!(note.contains("js-yaml ^3.14.1 is before 4"), "{note}");
}

/// A syntax error is a problem with its line, and the code after it is still analysed.
#[test]
fn syntax_error_is_a_problem_with_line() {
    let analysis = run(
        &fixtures(),
        "syntax_error_partial.js",
        "handler",
        Limits::default(),
    );
    assert_eq!(analysis.findings.len(), 1);
    assert!(
        analysis
            .problems
            .iter()
            .any(|p| p.line == Some(4) && p.message.contains("syntax error"))
    );
}

/// A class method exported bound to its instance (`exports.handler = api.list.bind(api)`)
/// resolves from the `Handler` setting and is analysed without a "not found" problem, with
/// `this` as the instance (its helper method and its database client are followed).
#[test]
fn bound_class_method_resolves_and_is_analysed() {
    let files = fixtures();
    let handler = faasguard_sast::handler::resolve(
        "nodejs20.x",
        "class_instance_bound_method_handler.handler",
        &files,
    )
    .unwrap();
    let analysis = analyze(&files, &handler, Limits::default());
    assert!(analysis.problems.is_empty(), "{:?}", analysis.problems);
    let steps: Vec<&str> = analysis.findings[0]
        .path
        .iter()
        .map(|s| s.note.as_str())
        .collect();
    assert_eq!(analysis.findings.len(), 1);
    assert!(
        steps.iter().any(|n| n.contains("filterFor")),
        "the path goes through the helper method: {steps:?}"
    );
}

/// A handler name that the file does not export is a problem, not a panic.
#[test]
fn missing_handler_function_is_a_problem() {
    let analysis = run(
        &fixtures(),
        "exec_constant_safe.js",
        "nothere",
        Limits::default(),
    );
    assert!(analysis.findings.is_empty());
    assert!(analysis.problems[0].message.contains("`nothere` not found"));
}

fn one_file(name: &str, text: String) -> MemFiles {
    MemFiles(HashMap::from([(name.to_string(), text)]))
}

/// A file of several MB on one line is analysed (the sink after a 3 MB array literal is found).
#[test]
fn huge_one_line_file_is_analysed() {
    let big = "1234,".repeat(800_000);
    let text = format!(
        "const data = [{big}]; exports.handler = async (event) => {{ require('child_process').exec('x ' + event.body); return data.length; }};"
    );
    assert!(text.len() > 3_000_000);
    let files = one_file("big.js", text);
    let analysis = run(&files, "big.js", "handler", Limits::default());
    assert_eq!(
        summary(&analysis),
        vec![(Command, "child_process.exec".to_string(), 1, 1)]
    );
}

/// A file over `max_file_bytes` is skipped with a problem naming the limit.
#[test]
fn file_over_limit_is_skipped() {
    let limits = Limits {
        max_file_bytes: 64,
        ..Limits::default()
    };
    let analysis = run(&fixtures(), "eval_from_query_string.js", "handler", limits);
    assert!(analysis.findings.is_empty());
    assert!(analysis.problems[0].message.contains("64-byte limit"));
}

/// 10,000-deep nested expressions and blocks do not overflow the stack: the analysis returns,
/// with a problem saying the deep part was not analysed, and shallow sinks are still found.
#[test]
fn deep_nesting_does_not_overflow() {
    let depth = 10_000;
    let parens = format!("{}event.body{}", "(".repeat(depth), ")".repeat(depth));
    let arrays = format!("{}event.body{}", "[".repeat(depth), "]".repeat(depth));
    let sum = format!("event.body{}", " + 'x'".repeat(depth));
    let blocks = format!(
        "{}eval(event.body);{}",
        "{".repeat(depth),
        "}".repeat(depth)
    );
    let text = format!(
        "const cp = require('child_process');\n\
         exports.handler = async (event) => {{\n\
         cp.exec('a ' + event.body);\n\
         const a = {parens};\n\
         const b = {arrays};\n\
         const c = {sum};\n\
         {blocks}\n\
         }};\n"
    );
    let files = one_file("deep.js", text);
    let analysis = run(&files, "deep.js", "handler", Limits::default());
    assert!(summary(&analysis).contains(&(Command, "child_process.exec".to_string(), 3, 3)));
    assert!(
        analysis
            .problems
            .iter()
            .any(|p| p.message.contains("nested deeper"))
    );
}

/// Brackets nested past what the parser's stack can take (100,000 levels) are refused before
/// parsing, with a problem; the process does not overflow its stack.
#[test]
fn nesting_past_parser_limit_is_refused() {
    let depth = 100_000;
    let text = format!(
        "exports.handler = async (event) => {{ eval({}event.body{}); }};",
        "(".repeat(depth),
        ")".repeat(depth)
    );
    let analysis = run(
        &one_file("deeper.js", text),
        "deeper.js",
        "handler",
        Limits::default(),
    );
    assert!(analysis.findings.is_empty());
    assert!(
        analysis.problems[0].message.contains("nested 100002 deep"),
        "{:?}",
        analysis.problems
    );
}

/// Long operator, member and conditional chains (no brackets, 200,000+ levels deep in oxc's
/// recursive parser) run on a stack sized from the file and do not overflow.
#[test]
fn long_chains_do_not_overflow() {
    let plus = " + x".repeat(200_000);
    let member = ".x".repeat(200_000);
    let cond = "a ? b : ".repeat(100_000);
    let text = format!(
        "exports.handler = async (event) => {{\n\
         require('child_process').exec('a ' + event.body);\n\
         const a = ''{plus};\n\
         const b = event{member};\n\
         const c = {cond}'d';\n\
         }};\n"
    );
    let analysis = run(
        &one_file("chains.js", text),
        "chains.js",
        "handler",
        Limits::default(),
    );
    assert!(
        summary(&analysis).contains(&(Command, "child_process.exec".to_string(), 2, 2)),
        "{analysis:?}"
    );
}

/// Loops nested 30 deep do not multiply the work (only the outer loops are walked twice): the
/// sink in the innermost loop is found.
#[test]
fn nested_loops_stay_linear() {
    let depth = 30;
    let mut loops = String::new();
    for i in 0..depth {
        write!(loops, "for (const r{i} of event.Records) {{ ").unwrap();
    }
    let text = format!(
        "exports.handler = async (event) => {{ {loops} require('child_process').exec(r0.body); {} }};",
        "}".repeat(depth)
    );
    let analysis = run(
        &one_file("loops.js", text),
        "loops.js",
        "handler",
        Limits::default(),
    );
    assert_eq!(analysis.findings.len(), 1);
    assert!(analysis.problems.is_empty(), "{:?}", analysis.problems);
}

/// Helpers that each call the next one ten times (10^4 paths at the call depth limit) hit the
/// function-walk budget: the analysis returns with a budget problem, the direct sink is found.
#[test]
fn call_fan_out_hits_the_budget() {
    let mut text = String::from("const { exec } = require('child_process');\n");
    for i in 0..6 {
        let calls = format!("f{}(x); ", i + 1).repeat(10);
        writeln!(text, "function f{i}(x) {{ {calls} }}").unwrap();
    }
    text.push_str("function f6(x) { exec(x); }\n");
    text.push_str("exports.handler = async (event) => { exec(event.body); f0(event.body); };\n");
    let analysis = run(
        &one_file("fan.js", text),
        "fan.js",
        "handler",
        Limits::default(),
    );
    assert!(summary(&analysis).contains(&(Command, "child_process.exec".to_string(), 9, 9)));
    assert!(
        analysis
            .problems
            .iter()
            .any(|p| p.message.contains("budget")),
        "{:?}",
        analysis.problems
    );
}

/// An invalid character after a statement (oxc recovers but stops early) blanks only that
/// character: the `require` on the same line still binds `cp`, and the sink is found.
#[test]
fn invalid_character_only_blanks_the_token() {
    let text = "const cp = require('child_process');\u{0}\nexports.handler = async (event) => { cp.exec(event.body); };\n";
    let analysis = run(
        &one_file("nul.js", text.to_string()),
        "nul.js",
        "handler",
        Limits::default(),
    );
    assert_eq!(
        summary(&analysis),
        vec![(Command, "child_process.exec".to_string(), 2, 2)]
    );
    assert_eq!(analysis.problems.len(), 1);
    assert_eq!(analysis.problems[0].line, Some(1));
}
