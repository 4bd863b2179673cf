//! Event-data injection end to end: the handler named in a SAM template is analysed in its code
//! directory and its findings belong to the function, with the source-to-sink path in JSON,
//! SARIF `codeFlows` and the table; without IaC, handler-shaped exports are found by shape; a
//! handler that does not exist is a diagnostic naming the function; safe look-alikes stay silent.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use std::path::Path;

use serde_json::Value;

fn run(args: &[&str]) -> (i32, String, String) {
    let out = assert_cmd::cargo::cargo_bin_cmd!("faasguard")
        .env("FAASGUARD_TODAY", "2026-11-24")
        .env("FAASGUARD_DB", "/nonexistent/faasguard-test.fgdb")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// `faasguard scan -f json --scanners sast ROOT`.
fn sast_json(root: &Path) -> (i32, String, String) {
    run(&[
        "scan",
        "-f",
        "json",
        "--scanners",
        "sast",
        root.to_str().unwrap(),
    ])
}

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn sam(handler: &str, runtime: &str) -> String {
    format!(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  ConvertFunction:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: {handler}\n      Runtime: {runtime}\n      CodeUri: src/\n"
    )
}

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    dir
}

/// A Python handler passing the event to `os.system` is FG-INJ-001 of the function, at the sink
/// line, with the path from the event; SARIF carries it as a code flow.
#[test]
fn iac_handler_is_analysed_and_owned_by_the_function() {
    let dir = project();
    write(
        dir.path(),
        "template.yaml",
        &sam("app.handler", "python3.13"),
    );
    write(
        dir.path(),
        "src/app.py",
        "import os\n\n\ndef handler(event, context):\n    name = event[\"queryStringParameters\"][\"file\"]\n    os.system(\"convert /tmp/\" + name + \" out.png\")\n    return {\"statusCode\": 200}\n",
    );
    let root = dir.path().to_str().unwrap();
    let (_, out, err) = run(&["scan", "-f", "json", "--scanners", "sast", root]);
    let report: Value = serde_json::from_str(&out).unwrap();
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{findings:?} {err}");
    let f = &findings[0];
    assert_eq!(f["rule_id"], "FG-INJ-001");
    assert_eq!(f["function"], "template.yaml#ConvertFunction");
    assert_eq!(f["location"]["file"], "src/app.py");
    assert_eq!(f["location"]["line"], 6);
    let flow = f["flow"].as_array().unwrap();
    assert!(flow.len() >= 2);
    // From the event parameter (line 4) through the query parameter (line 5) to the sink.
    assert_eq!(flow[0]["location"]["line"], 4);
    assert!(flow.iter().any(|s| s["location"]["line"] == 5), "{flow:?}");
    assert_eq!(flow.last().unwrap()["location"]["line"], 6);

    let (_, sarif, _) = run(&["scan", "-f", "sarif", "--scanners", "sast", root]);
    let sarif: Value = serde_json::from_str(&sarif).unwrap();
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "FG-INJ-001");
    assert!(
        result["codeFlows"][0]["threadFlows"][0]["locations"]
            .as_array()
            .unwrap()
            .len()
            >= 2
    );
    let (_, table, _) = run(&["scan", "--scanners", "sast", root]);
    assert!(table.contains("flow: src/app.py:4"), "{table}");
}

/// The same handler with the value reduced to an integer, and one that runs a constant
/// command, are silent.
#[test]
fn sanitized_and_constant_look_alikes_are_silent() {
    let dir = project();
    write(
        dir.path(),
        "template.yaml",
        &sam("app.handler", "python3.13"),
    );
    write(
        dir.path(),
        "src/app.py",
        "import os\n\n\ndef handler(event, context):\n    size = int(event[\"queryStringParameters\"][\"size\"])\n    os.system(\"convert -resize \" + str(size) + \" in.png out.png\")\n    os.system(\"rm -f /tmp/cache\")\n    return {\"statusCode\": 200}\n",
    );
    let (code, out, err) = sast_json(dir.path());
    assert_eq!(code, 0, "{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    assert!(report["findings"].as_array().unwrap().is_empty(), "{out}");
}

/// A Handler that names no existing function is a diagnostic naming the function (exit 2).
#[test]
fn missing_handler_is_a_diagnostic() {
    let dir = project();
    write(
        dir.path(),
        "template.yaml",
        &sam("index.main", "nodejs22.x"),
    );
    write(
        dir.path(),
        "src/index.js",
        "exports.handler = async () => 1;\n",
    );
    let (code, _, err) = run(&["scan", "--scanners", "sast", dir.path().to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        err.contains("template.yaml#ConvertFunction") && err.contains("main"),
        "{err}"
    );
}

/// Without IaC, an exported `(event, context)` function is analysed: `eval` of the body is
/// FG-INJ-002, not tied to a function.
#[test]
fn handlers_are_discovered_without_iac() {
    let dir = project();
    write(
        dir.path(),
        "index.js",
        "exports.handler = async (event, context) => {\n  const expr = JSON.parse(event.body).expr;\n  return { statusCode: 200, body: String(eval(expr)) };\n};\n",
    );
    let (code, out, err) = sast_json(dir.path());
    assert_eq!(code, 1, "{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    let f = &report["findings"][0];
    assert_eq!(f["rule_id"], "FG-INJ-002");
    assert_eq!(f["location"]["file"], "index.js");
    assert_eq!(f["location"]["line"], 3);
    assert!(f.get("function").is_none());
}

/// Handler discovery honours `.faasguardignore`: an ignored directory's handlers are not
/// analysed.
#[test]
fn discovery_honours_the_ignore_file() {
    let dir = project();
    write(
        dir.path(),
        "legacy/index.js",
        "exports.handler = async (event) => eval(event.body);\n",
    );
    write(dir.path(), ".faasguardignore", "legacy/\n");
    let (code, out, err) = sast_json(dir.path());
    assert_eq!(code, 0, "{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    assert!(report["findings"].as_array().unwrap().is_empty(), "{out}");
}

fn zip_of(entries: &[(&str, &str)]) -> Vec<u8> {
    use std::io::Write as _;
    let mut buf = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut buf);
    for (name, text) in entries {
        zip.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap();
    buf.into_inner()
}

fn sam_package(handler: &str, runtime: &str, code_uri: &str) -> String {
    format!(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  ResizeFunction:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: {handler}\n      Runtime: {runtime}\n      CodeUri: {code_uri}\n"
    )
}

/// A function deployed as a zip package is analysed inside the package: the handler and its
/// local helper are read from the archive, the finding names `pkg.zip!/file`, and a sink in
/// the package's `node_modules` is not analysed (dependencies are out of scope).
#[test]
fn handler_inside_a_zip_package_is_analysed() {
    let dir = project();
    write(
        dir.path(),
        "template.yaml",
        &sam_package("src/index.handler", "nodejs20.x", "build/resize.zip"),
    );
    let package = zip_of(&[
        (
            "src/index.js",
            "const { run } = require('./shell');\nexports.handler = async (event) => {\n  const key = event.Records[0].s3.object.key;\n  return run(key);\n};\n",
        ),
        (
            "src/shell.js",
            "const cp = require('child_process');\nexports.run = (name) => cp.execSync('convert ' + name + ' out.png');\n",
        ),
        (
            "node_modules/dep/index.js",
            "exports.handler = async (event) => eval(event.body);\n",
        ),
    ]);
    std::fs::create_dir_all(dir.path().join("build")).unwrap();
    std::fs::write(dir.path().join("build/resize.zip"), package).unwrap();
    let (_, out, err) = sast_json(dir.path());
    let report: Value = serde_json::from_str(&out).unwrap();
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{findings:?} {err}");
    assert_eq!(findings[0]["rule_id"], "FG-INJ-001");
    assert_eq!(findings[0]["function"], "template.yaml#ResizeFunction");
    assert_eq!(
        findings[0]["location"]["file"],
        "build/resize.zip!/src/shell.js"
    );
    assert_eq!(findings[0]["location"]["line"], 2);
    let flow = findings[0]["flow"].as_array().unwrap();
    assert_eq!(
        flow[0]["location"]["file"],
        "build/resize.zip!/src/index.js"
    );
}

/// A package that is not a readable zip is a diagnostic naming it, and the scan goes on to
/// analyse the other function.
#[test]
fn corrupt_package_is_a_diagnostic() {
    let dir = project();
    write(
        dir.path(),
        "template.yaml",
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Broken:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: app.handler\n      Runtime: python3.12\n      CodeUri: broken.zip\n  Fine:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: app.handler\n      Runtime: python3.12\n      CodeUri: src/\n",
    );
    let mut bytes = zip_of(&[("app.py", "def handler(event, context):\n    pass\n")]);
    bytes.truncate(bytes.len() / 2);
    std::fs::write(dir.path().join("broken.zip"), bytes).unwrap();
    write(
        dir.path(),
        "src/app.py",
        "def handler(event, context):\n    eval(event['body'])\n",
    );
    let (code, out, err) = sast_json(dir.path());
    assert_eq!(code, 2, "{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    let diagnostics = report["diagnostics"].as_array().unwrap();
    assert!(
        diagnostics
            .iter()
            .any(|d| d["location"]["file"] == "broken.zip"
                && d["message"].as_str().unwrap().contains("zip")),
        "{diagnostics:?}"
    );
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0]["location"]["file"], "src/app.py");
}

/// Dependencies are out of scope by default: the event passed to an installed package is not
/// followed. With `--sast-deps` (or `sast-deps = true` in faasguard.toml) it is followed into
/// `node_modules` (through the package's `main`) and into Python packages vendored into the
/// code directory, and the sink inside the dependency is reported.
#[test]
fn sast_deps_follows_the_event_into_dependencies() {
    let dir = project();
    write(
        dir.path(),
        "template.yaml",
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  NodeFn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: index.handler\n      Runtime: nodejs20.x\n      CodeUri: node/\n  PyFn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: app.handler\n      Runtime: python3.12\n      CodeUri: py/\n",
    );
    write(
        dir.path(),
        "node/index.js",
        "const convert = require('img-convert');\nexports.handler = async (event) => convert.toPng(event.queryStringParameters.file);\n",
    );
    write(
        dir.path(),
        "node/node_modules/img-convert/package.json",
        "{\"name\": \"img-convert\", \"main\": \"lib/convert\"}\n",
    );
    write(
        dir.path(),
        "node/node_modules/img-convert/lib/convert.js",
        "const { execSync } = require('child_process');\nexports.toPng = (name) => execSync(`convert ${name} out.png`);\n",
    );
    write(
        dir.path(),
        "py/app.py",
        "import runner\n\n\ndef handler(event, context):\n    return runner.run(event['body'])\n",
    );
    write(
        dir.path(),
        "py/runner/__init__.py",
        "import os\n\n\ndef run(command):\n    return os.system(command)\n",
    );
    write(
        dir.path(),
        "py/runner-1.0.dist-info/RECORD",
        "runner/__init__.py,,\nrunner-1.0.dist-info/RECORD,,\n",
    );
    let root = dir.path().to_str().unwrap();
    let files_of = |args: &[&str]| -> Vec<String> {
        let (_, out, err) = run(args);
        let report: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {err}"));
        let mut files: Vec<String> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["location"]["file"].as_str().unwrap().to_owned())
            .collect();
        files.sort();
        files
    };
    assert!(files_of(&["scan", "-f", "json", "--scanners", "sast", root]).is_empty());
    let followed = vec![
        "node/node_modules/img-convert/lib/convert.js".to_owned(),
        "py/runner/__init__.py".to_owned(),
    ];
    assert_eq!(
        files_of(&[
            "scan",
            "-f",
            "json",
            "--scanners",
            "sast",
            "--sast-deps",
            root
        ]),
        followed
    );
    write(dir.path(), "faasguard.toml", "sast-deps = true\n");
    assert_eq!(
        files_of(&["scan", "-f", "json", "--scanners", "sast", root]),
        followed
    );
}
