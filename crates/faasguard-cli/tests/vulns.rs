//! Vulnerable dependencies end to end: scans against the bundled snapshot and against databases
//! built by `faasguard db import` and `faasguard db update` (from an HTTP server on 127.0.0.1),
//! the "not checked" status, the CycloneDX SBOM, and the failure modes (malformed records, an
//! unreachable or failing mirror) that must leave the previous database usable.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;

use serde_json::Value;
use zip::write::SimpleFileOptions;

fn faasguard() -> assert_cmd::Command {
    let mut cmd = assert_cmd::cargo::cargo_bin_cmd!("faasguard");
    cmd.env("FAASGUARD_TODAY", "2026-11-24")
        .env_remove("NO_COLOR")
        // Never pick up a database from the machine running the tests.
        .env("FAASGUARD_DB", "/nonexistent/faasguard-test.fgdb");
    cmd
}

/// (exit code, stdout, stderr)
fn run(args: &[&str]) -> (i32, String, String) {
    let out = faasguard().args(args).output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A small OSV advisory for an npm package.
fn npm_advisory(id: &str, name: &str, introduced: &str, fixed: &str) -> String {
    serde_json::json!({
        "schema_version": "1.6.0",
        "id": id,
        "modified": "2026-11-01T00:00:00Z",
        "summary": format!("{name} test advisory"),
        "aliases": [format!("CVE-2026-{}", id.len() * 1000)],
        "affected": [{
            "package": {"ecosystem": "npm", "name": name},
            "ranges": [{"type": "SEMVER", "events": [{"introduced": introduced}, {"fixed": fixed}]}]
        }],
        "database_specific": {"severity": "HIGH"}
    })
    .to_string()
}

fn lockfile(root: &Path, deps: &[(&str, &str)]) {
    let mut packages = serde_json::Map::new();
    packages.insert(
        String::new(),
        serde_json::json!({"name": "fn", "version": "1.0.0", "dependencies":
            deps.iter().map(|(n, v)| ((*n).to_owned(), Value::from(*v))).collect::<serde_json::Map<_, _>>()}),
    );
    for (name, version) in deps {
        packages.insert(
            format!("node_modules/{name}"),
            serde_json::json!({"version": version}),
        );
    }
    let lock = serde_json::json!({"name": "fn", "version": "1.0.0", "lockfileVersion": 3, "packages": packages});
    write(
        root,
        "package-lock.json",
        &serde_json::to_string_pretty(&lock).unwrap(),
    );
}

fn json(stdout: &str) -> Value {
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}"))
}

/// The bundled snapshot finds real advisories for a pinned Python dependency, with the fixed
/// version, and not for the fixed version itself (jsonpickle 1.4.2 is PYSEC-2020-49's fix); a
/// package of a partially covered ecosystem, or without a match in a stale database, is "not
/// checked", never clean; the report says which database was used and that it is stale.
#[test]
fn bundled_snapshot_finds_real_advisories() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    write(dir.path(), "requirements.txt", "jsonpickle==1.4.1\n");
    write(
        dir.path(),
        "fixed/requirements.txt",
        "jsonpickle==1.4.2\nrequests==2.32.3\n",
    );
    lockfile(dir.path(), &[("left-pad", "1.3.0")]);
    let (_, out, err) = run(&["scan", "-f", "json", dir.path().to_str().unwrap()]);
    let report = json(&out);
    assert!(
        report["diagnostics"].as_array().unwrap().is_empty(),
        "{err}"
    );
    let jsonpickle: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule_id"] == "FG-DEP-001")
        .collect();
    let pysec_2020_49: Vec<&str> = jsonpickle
        .iter()
        .filter(|f| f["message"].as_str().unwrap().contains("PYSEC-2020-49"))
        .map(|f| f["location"]["file"].as_str().unwrap())
        .collect();
    assert_eq!(pysec_2020_49, ["requirements.txt"], "{jsonpickle:?}");
    let packages = report["packages"].as_array().unwrap();
    let status = |name: &str| {
        packages
            .iter()
            .find(|p| p["name"] == name)
            .map(|p| p["status"].as_str().unwrap().to_owned())
            .unwrap()
    };
    assert_eq!(status("jsonpickle"), "vulnerable");
    let fixed = packages
        .iter()
        .find(|p| p["name"] == "jsonpickle" && p["version"] == "1.4.2")
        .unwrap();
    assert!(
        fixed["advisories"]
            .as_array()
            .is_none_or(|a| a.iter().all(|x| x["id"] != "PYSEC-2020-49")),
        "{fixed}"
    );
    assert_eq!(status("left-pad"), "not-checked");
    // No advisory matches requests 2.32.3 in the 2024 snapshot, but the snapshot is stale
    // (CVE-2024-47081 was published later): not checked, not clean.
    assert_eq!(status("requests"), "not-checked");
    assert_eq!(report["vuln_db"]["stale"], true);
    assert_eq!(report["vuln_db"]["source"], "bundled snapshot");
}

/// `db import` builds a database (a malformed record is named and skipped, exit 2), `scan --db`
/// uses it, `db status` describes it, and the CycloneDX output lists the vulnerable component.
#[test]
fn import_then_scan_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let adv = dir.path().join("advisories");
    write(
        &adv,
        "npm/GHSA-test-0001.json",
        &npm_advisory("GHSA-test-0001", "left-pad", "0", "1.3.1"),
    );
    write(&adv, "npm/broken.json", "{\"id\": ");
    let db = dir.path().join("db/osv.fgdb");
    let (code, _, err) = run(&[
        "db",
        "import",
        adv.to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("broken.json"), "{err}");
    assert!(err.contains("imported 1 advisories"), "{err}");

    let app = dir.path().join("app");
    std::fs::create_dir_all(app.join(".git")).unwrap();
    lockfile(&app, &[("left-pad", "1.3.0"), ("is-odd", "3.0.1")]);
    let (code, out, err) = run(&[
        "scan",
        "-f",
        "json",
        "--db",
        db.to_str().unwrap(),
        app.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{err}");
    let report = json(&out);
    let finding = &report["findings"][0];
    assert_eq!(finding["rule_id"], "FG-DEP-001");
    assert_eq!(finding["severity"], "high");
    assert!(
        finding["message"]
            .as_str()
            .unwrap()
            .contains("GHSA-test-0001")
    );
    assert_eq!(
        finding["evidence"],
        "installed 1.3.0, fixed in 1.3.1; aliases CVE-2026-14000"
    );
    let clean = report["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "is-odd")
        .unwrap();
    assert_eq!(clean["status"], "clean", "imported npm set is complete");

    let (code, status, _) = run(&["db", "status", "--db", db.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(
        status.contains("npm") && status.contains("complete"),
        "{status}"
    );

    let (_, bom, _) = run(&[
        "scan",
        "-f",
        "cyclonedx",
        "--db",
        db.to_str().unwrap(),
        app.to_str().unwrap(),
    ]);
    let bom = json(&bom);
    assert_eq!(bom["bomFormat"], "CycloneDX");
    assert_eq!(bom["vulnerabilities"][0]["id"], "GHSA-test-0001");
    assert_eq!(
        bom["vulnerabilities"][0]["affects"][0]["ref"],
        "pkg:npm/left-pad@1.3.0"
    );
}

/// Serves `routes` (path → bytes; anything else 404) on 127.0.0.1 for `requests` requests.
fn serve(routes: Vec<(String, Vec<u8>)>, requests: usize) -> (String, std::thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        for stream in listener.incoming().take(requests) {
            let mut stream = stream.unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            let path = line.split_whitespace().nth(1).unwrap_or("").to_owned();
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).unwrap() == 0 || header == "\r\n" {
                    break;
                }
            }
            match routes.iter().find(|(p, _)| *p == path) {
                Some((_, body)) => {
                    write!(
                        stream,
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    )
                    .unwrap();
                    stream.write_all(body).unwrap();
                }
                None => {
                    stream
                        .write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                        .unwrap();
                }
            }
        }
    });
    (base, handle)
}

fn zip_of(entries: &[(&str, String)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, text) in entries {
        w.start_file(*name, SimpleFileOptions::default()).unwrap();
        w.write_all(text.as_bytes()).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// `db update` downloads `<url>/<ecosystem>/all.zip` from a mirror and builds the database; a
/// later update whose mirror fails (404, or nothing listening) exits 2 naming the URL and leaves
/// the previous database in place and usable.
#[test]
fn update_from_a_mirror_and_failures_keep_the_old_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("osv.fgdb");
    let all = zip_of(&[(
        "GHSA-test-0002.json",
        npm_advisory("GHSA-test-0002", "lodash", "4.0.0", "4.17.21"),
    )]);
    let (base, server) = serve(vec![("/npm/all.zip".to_owned(), all)], 1);
    let (code, _, err) = run(&[
        "db",
        "update",
        "--url",
        &base,
        "--ecosystems",
        "npm",
        "--db",
        db.to_str().unwrap(),
    ]);
    server.join().unwrap();
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("imported 1 advisories"), "{err}");
    let before = std::fs::read(&db).unwrap();

    let (base, server) = serve(Vec::new(), 1);
    let (code, _, err) = run(&[
        "db",
        "update",
        "--url",
        &base,
        "--ecosystems",
        "npm",
        "--db",
        db.to_str().unwrap(),
    ]);
    server.join().unwrap();
    assert_eq!(code, 2);
    assert!(err.contains("/npm/all.zip") && err.contains("404"), "{err}");
    assert_eq!(
        std::fs::read(&db).unwrap(),
        before,
        "the old database is untouched"
    );

    // Nothing listens on this port any more.
    let closed = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let (code, _, err) = run(&[
        "db",
        "update",
        "--url",
        &closed,
        "--ecosystems",
        "npm",
        "--timeout",
        "10",
        "--db",
        db.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot download"), "{err}");
    assert_eq!(std::fs::read(&db).unwrap(), before);

    let app = dir.path().join("app");
    std::fs::create_dir_all(app.join(".git")).unwrap();
    lockfile(&app, &[("lodash", "4.17.20")]);
    let (code, out, _) = run(&[
        "scan",
        "-f",
        "json",
        "--db",
        db.to_str().unwrap(),
        app.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert!(
        json(&out)["findings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("GHSA-test-0002")
    );
}

/// `--scanners` picks analyses; `--scanners secret` does not report dependencies, and an
/// unusable `--db` is an error naming the file.
#[test]
fn scanners_and_bad_database() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    write(dir.path(), "requirements.txt", "jsonpickle==1.4.2\n");
    let (code, out, _) = run(&[
        "scan",
        "-f",
        "json",
        "--scanners",
        "secret",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    assert!(json(&out)["findings"].as_array().unwrap().is_empty());
    let bad = dir.path().join("bad.fgdb");
    std::fs::write(&bad, b"not a database").unwrap();
    let (code, _, err) = run(&[
        "scan",
        "--db",
        bad.to_str().unwrap(),
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("bad.fgdb"), "{err}");
}

/// Installed packages inside a deployment zip and a nested layer zip are found and checked,
/// located as `package.zip!/…`.
#[test]
fn packages_inside_zip_packages() {
    let dir = tempfile::tempdir().unwrap();
    let adv = dir.path().join("adv");
    write(
        &adv,
        "GHSA-test-0003.json",
        &npm_advisory("GHSA-test-0003", "left-pad", "0", "1.3.1"),
    );
    let db = dir.path().join("osv.fgdb");
    let (code, _, err) = run(&[
        "db",
        "import",
        adv.to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let layer = zip_of(&[(
        "nodejs/node_modules/left-pad/package.json",
        r#"{"name": "left-pad", "version": "1.1.0"}"#.to_owned(),
    )]);
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    w.start_file("index.js", SimpleFileOptions::default())
        .unwrap();
    w.write_all(b"exports.handler = async () => 1;\n").unwrap();
    w.start_file("layers/shared.zip", SimpleFileOptions::default())
        .unwrap();
    w.write_all(&layer).unwrap();
    let package = w.finish().unwrap().into_inner();
    let app = dir.path().join("app");
    std::fs::create_dir_all(app.join(".git")).unwrap();
    std::fs::write(app.join("function.zip"), package).unwrap();
    let (code, out, err) = run(&[
        "scan",
        "-f",
        "json",
        "--scanners",
        "vuln",
        "--db",
        db.to_str().unwrap(),
        app.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{err}");
    let report = json(&out);
    assert_eq!(
        report["findings"][0]["location"]["file"],
        "function.zip!/layers/shared.zip!/nodejs/node_modules/left-pad/package.json"
    );
    assert_eq!(report["packages"][0]["origin"], "installed");
}

/// `-r` includes of a requirements file are followed even when the included file is not named
/// like a requirements file; its pins are located in it; a missing include is named.
#[test]
fn requirements_includes_are_followed() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    write(
        dir.path(),
        "fn/requirements.txt",
        "-r common/base.in  # shared pins\n--requirement missing.in\nrequests==2.32.3\n",
    );
    write(dir.path(), "fn/common/base.in", "jsonpickle==1.4.1\n");
    let (_, out, err) = run(&[
        "scan",
        "-f",
        "json",
        "--scanners",
        "vuln",
        dir.path().to_str().unwrap(),
    ]);
    let report = json(&out);
    let jsonpickle = report["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "jsonpickle")
        .unwrap_or_else(|| panic!("{out}"));
    assert_eq!(jsonpickle["location"]["file"], "fn/common/base.in");
    assert_eq!(jsonpickle["status"], "vulnerable");
    assert!(err.contains("missing.in"), "{err}");
}
