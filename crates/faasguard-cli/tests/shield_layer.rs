//! `faasguard shield layer`: the layer zip built from the real wrapper and `LD_PRELOAD` library
//! of this workspace (built on demand into the same target directory), read back entry by entry,
//! extracted and run; the refusals (missing files, non-ELF files, architecture mismatches); and
//! the attach examples of docs/shield-attach.md, which must parse without diagnostics.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use std::io::{Cursor, Read};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde_json::Value;

const WRAPPER: &str = "faasguard-shield";
const PRELOAD: &str = "libfaasguard_shield.so";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The directory of the `faasguard` binary under test, holding the wrapper and the library too:
/// `cargo build` of the two shield crates, in this profile, puts them there (cargo decides
/// whether anything needs rebuilding).
fn build_dir() -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = Path::new(env!("CARGO_BIN_EXE_faasguard"))
            .parent()
            .unwrap()
            .to_path_buf();
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut cmd = Command::new(cargo);
        cmd.current_dir(repo()).args([
            "build",
            "-p",
            "faasguard-shield",
            "-p",
            "faasguard-shield-preload",
        ]);
        if dir.file_name().is_some_and(|n| n == "release") {
            cmd.arg("--release");
        }
        assert!(
            cmd.status().unwrap().success(),
            "building the shield failed"
        );
        assert!(dir.join(WRAPPER).is_file() && dir.join(PRELOAD).is_file());
        dir
    })
    .clone()
}

/// The host's architecture as the layer names it.
fn host_arch() -> &'static str {
    match std::env::consts::ARCH {
        "aarch64" => "arm64",
        other => other,
    }
}

fn other_arch() -> &'static str {
    if host_arch() == "arm64" {
        "x86_64"
    } else {
        "arm64"
    }
}

fn faasguard() -> assert_cmd::Command {
    assert_cmd::cargo::cargo_bin_cmd!("faasguard")
}

/// Runs `faasguard shield layer -o <out> [--from DIR]`: exit code and stderr.
fn layer(out: &Path, from: Option<&Path>) -> (i32, String) {
    let mut cmd = faasguard();
    cmd.args(["shield", "layer", "--output"]).arg(out);
    if let Some(from) = from {
        cmd.arg("--from").arg(from);
    }
    let output = cmd.output().unwrap();
    (
        output.status.code().unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

/// Every entry of a zip: name, Unix mode bits, contents.
fn entries(zip_bytes: &[u8]) -> Vec<(String, u32, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(Cursor::new(zip_bytes)).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index(i).unwrap();
            let mut data = Vec::new();
            file.read_to_end(&mut data).unwrap();
            (
                file.name().unwrap().into_owned(),
                file.unix_mode().unwrap() & 0o7777,
                data,
            )
        })
        .collect()
}

/// Writes the entries under `dir` with their modes (what Lambda does under /opt).
fn extract(zip_bytes: &[u8], dir: &Path) {
    for (name, mode, data) in entries(zip_bytes) {
        let path = dir.join(&name);
        if name.ends_with('/') {
            std::fs::create_dir_all(&path).unwrap();
        } else {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, data).unwrap();
        }
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    }
}

/// A 64-byte ELF header (64-bit, little-endian) of the given type and machine: enough for the
/// checks, which read the header only.
fn elf_header(e_type: u16, machine: u16) -> Vec<u8> {
    let mut h = vec![0u8; 64];
    h[..4].copy_from_slice(b"\x7fELF");
    h[4] = 2;
    h[5] = 1;
    h[6] = 1;
    h[16..18].copy_from_slice(&e_type.to_le_bytes());
    h[18..20].copy_from_slice(&machine.to_le_bytes());
    h
}

/// The default layer (files next to `faasguard`) holds exactly the layout of docs/shield.md in
/// name order, with the wrapper and library executable, the shims identical to the assets, the
/// native files identical to the build, every timestamp fixed, and the same bytes on a rebuild;
/// the message names the architecture and the glibc versions.
#[test]
fn layer_has_the_documented_layout() {
    let dir = build_dir();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp
        .path()
        .join(format!("faasguard-shield-{}.zip", host_arch()));
    let (code, stderr) = layer(&out, None);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains(&format!("layer for {}", host_arch())),
        "{stderr}"
    );
    assert!(stderr.contains("wrapper needs glibc 2."), "{stderr}");
    let bytes = std::fs::read(&out).unwrap();

    let got = entries(&bytes);
    let names: Vec<&str> = got.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(
        names,
        [
            "faasguard-shield",
            "faasguard/",
            "faasguard/lib/",
            "faasguard/lib/libfaasguard_shield.so",
            "faasguard/node/",
            "faasguard/node/shield.cjs",
            "faasguard/python/",
            "faasguard/python/faasguard_shield_audit.py",
            "faasguard/python/sitecustomize.py",
        ]
    );
    let assets = repo().join("crates/faasguard-shield/assets");
    let expect = |name: &str, mode: u32, data: Vec<u8>| {
        let entry = got.iter().find(|e| e.0 == name).unwrap();
        assert_eq!(entry.1, mode, "mode of {name}");
        assert!(entry.2 == data, "contents of {name}");
    };
    expect(
        "faasguard-shield",
        0o755,
        std::fs::read(dir.join(WRAPPER)).unwrap(),
    );
    expect(
        "faasguard/lib/libfaasguard_shield.so",
        0o755,
        std::fs::read(dir.join(PRELOAD)).unwrap(),
    );
    expect(
        "faasguard/python/sitecustomize.py",
        0o644,
        std::fs::read(assets.join("python/sitecustomize.py")).unwrap(),
    );
    expect(
        "faasguard/python/faasguard_shield_audit.py",
        0o644,
        std::fs::read(assets.join("python/faasguard_shield_audit.py")).unwrap(),
    );
    expect(
        "faasguard/node/shield.cjs",
        0o644,
        std::fs::read(assets.join("node/shield.cjs")).unwrap(),
    );
    let mut archive = zip::ZipArchive::new(Cursor::new(&bytes)).unwrap();
    for i in 0..archive.len() {
        let file = archive.by_index(i).unwrap();
        let t = file.last_modified().unwrap();
        assert_eq!(
            (t.year(), t.month(), t.day()),
            (1980, 1, 1),
            "{}",
            file.name().unwrap()
        );
    }

    let again = tmp.path().join("again.zip");
    let (code, stderr) = layer(&again, Some(&dir));
    assert_eq!(code, 0, "{stderr}");
    assert!(std::fs::read(&again).unwrap() == bytes, "a rebuild differs");
}

/// The extracted layer works: its wrapper, pointed at the extracted `faasguard/` root (and, in a
/// second run, finding it next to itself as in /opt), prints an init line saying the
/// `LD_PRELOAD`, Python and Node pieces are set up and hands the runtime `LD_PRELOAD`,
/// `PYTHONPATH` and `NODE_OPTIONS` naming the extracted files.
#[test]
fn extracted_layer_sets_up_the_in_process_layer() {
    build_dir();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("layer.zip");
    let (code, stderr) = layer(&out, None);
    assert_eq!(code, 0, "{stderr}");
    let opt = tmp.path().join("opt");
    extract(&std::fs::read(&out).unwrap(), &opt);
    let root = opt.join("faasguard");

    for explicit_root in [true, false] {
        let mut cmd = Command::new(opt.join(WRAPPER));
        cmd.args([
            "/bin/sh",
            "-c",
            r#"printf '%s\n' "$LD_PRELOAD" "$PYTHONPATH" "$NODE_OPTIONS""#,
        ])
        .env("FAASGUARD_SHIELD_MODE", "alert")
        .env_remove("FAASGUARD_SHIELD_POLICY")
        .env_remove("LD_PRELOAD")
        .env_remove("PYTHONPATH")
        .env_remove("NODE_OPTIONS");
        if explicit_root {
            cmd.env("FAASGUARD_SHIELD_ROOT", &root);
        } else {
            cmd.env_remove("FAASGUARD_SHIELD_ROOT");
        }
        let output = cmd.output().unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(output.status.success(), "{stderr}");
        let init: Value = stderr
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .find(|v| v["faasguard_shield"] == "init")
            .unwrap_or_else(|| panic!("no init line in {stderr}"));
        for piece in ["ld_preload", "python", "node"] {
            assert_eq!(init["layers"][piece], true, "{piece}: {init}");
        }
        let degraded = init["degraded"].to_string();
        assert!(!degraded.contains("not found"), "{degraded}");

        let stdout = String::from_utf8(output.stdout).unwrap();
        let lines: Vec<&str> = stdout.lines().collect();
        assert_eq!(
            lines,
            [
                root.join("lib/libfaasguard_shield.so").to_str().unwrap(),
                root.join("python").to_str().unwrap(),
                &format!("--require {}", root.join("node/shield.cjs").display()),
            ],
            "explicit root: {explicit_root}"
        );
    }
}

/// A build directory without the wrapper, or with the wrapper but without the library, is
/// refused with the missing file's path and the build command; nothing is written.
#[test]
fn missing_native_files_are_named() {
    let from = tempfile::tempdir().unwrap();
    let out = from.path().join("faasguard-shield.zip");
    let (code, stderr) = layer(&out, Some(from.path()));
    assert_eq!(code, 2);
    assert!(
        stderr.contains(&from.path().join(WRAPPER).display().to_string()),
        "{stderr}"
    );
    assert!(
        stderr.contains("cargo build --release -p faasguard-shield -p faasguard-shield-preload"),
        "{stderr}"
    );

    std::fs::write(from.path().join(WRAPPER), elf_header(3, 62)).unwrap();
    let (code, stderr) = layer(&out, Some(from.path()));
    assert_eq!(code, 2);
    assert!(stderr.contains("the LD_PRELOAD library"), "{stderr}");
    assert!(
        stderr.contains(&from.path().join(PRELOAD).display().to_string()),
        "{stderr}"
    );
    assert!(!out.exists());
}

/// A wrapper that is not an ELF file (a shell script), a library that is not a shared object,
/// and an ELF file of another machine are refused with the reason.
#[test]
fn non_elf_and_foreign_files_are_refused() {
    let from = tempfile::tempdir().unwrap();
    let out = from.path().join("layer.zip");
    std::fs::write(from.path().join(WRAPPER), "#!/bin/sh\nexec \"$@\"\n").unwrap();
    std::fs::write(from.path().join(PRELOAD), elf_header(3, 62)).unwrap();
    let (code, stderr) = layer(&out, Some(from.path()));
    assert_eq!(code, 2);
    assert!(stderr.contains("not an ELF file"), "{stderr}");

    std::fs::write(from.path().join(WRAPPER), elf_header(3, 62)).unwrap();
    std::fs::write(from.path().join(PRELOAD), elf_header(2, 62)).unwrap();
    let (code, stderr) = layer(&out, Some(from.path()));
    assert_eq!(code, 2);
    assert!(stderr.contains("is not a shared library"), "{stderr}");

    std::fs::write(from.path().join(PRELOAD), elf_header(3, 40)).unwrap();
    let (code, stderr) = layer(&out, Some(from.path()));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("ELF machine 40 is neither x86_64 nor aarch64"),
        "{stderr}"
    );
    assert!(!out.exists());
}

/// The architecture: a zip named after the other architecture than the real build is refused
/// (and not written); aarch64 files make an arm64 layer and are refused under an x86_64 name;
/// a wrapper and a library of different architectures are refused.
#[test]
fn architecture_must_match_the_name() {
    let dir = build_dir();
    let tmp = tempfile::tempdir().unwrap();
    let wrong = tmp
        .path()
        .join(format!("faasguard-shield-{}.zip", other_arch()));
    let (code, stderr) = layer(&wrong, Some(&dir));
    assert_eq!(code, 2);
    assert!(
        stderr.contains(&format!(
            "names {} but the files in {} are {}",
            other_arch(),
            dir.display(),
            host_arch()
        )),
        "{stderr}"
    );
    assert!(!wrong.exists());

    let arm = tempfile::tempdir().unwrap();
    std::fs::write(arm.path().join(WRAPPER), elf_header(3, 183)).unwrap();
    std::fs::write(arm.path().join(PRELOAD), elf_header(3, 183)).unwrap();
    let (code, stderr) = layer(
        &tmp.path().join("faasguard-shield-x86_64.zip"),
        Some(arm.path()),
    );
    assert_eq!(code, 2);
    assert!(stderr.contains("names x86_64 but"), "{stderr}");
    let arm_zip = tmp.path().join("faasguard-shield-arm64.zip");
    let (code, stderr) = layer(&arm_zip, Some(arm.path()));
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("layer for arm64"), "{stderr}");
    assert_eq!(entries(&std::fs::read(&arm_zip).unwrap()).len(), 9);

    std::fs::write(arm.path().join(WRAPPER), elf_header(3, 62)).unwrap();
    let (code, stderr) = layer(&tmp.path().join("mixed.zip"), Some(arm.path()));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("the wrapper is x86_64 but the LD_PRELOAD library is arm64"),
        "{stderr}"
    );
}

fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for entry in std::fs::read_dir(src).unwrap() {
        let entry = entry.unwrap();
        let to = dst.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &to);
        } else {
            std::fs::copy(entry.path(), &to).unwrap();
        }
    }
}

/// The SAM, Serverless Framework and Terraform attach examples (docs/examples/shield/) are read
/// by `faasguard scan` without a diagnostic, each giving its one function with the runtime it
/// declares; each sets the wrapper variable and names the zip `faasguard shield layer` writes.
#[test]
fn attach_examples_parse_without_diagnostics() {
    let examples = repo().join("docs/examples/shield");
    for (dir, file, source, runtime) in [
        ("sam", "template.yaml", "sam", "python3.12"),
        ("serverless", "serverless.yml", "serverless", "nodejs22.x"),
        ("terraform", "main.tf", "terraform", "python3.12"),
    ] {
        // A fresh repository root, so that no configuration of this repository applies.
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir(tmp.path().join(".git")).unwrap();
        let copy = tmp.path().join(dir);
        copy_dir(&examples.join(dir), &copy);
        let output = faasguard()
            .env("FAASGUARD_TODAY", "2026-11-24")
            .args(["scan", "--format", "json", "--fail-on", "none"])
            .arg(&copy)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{dir}: {stderr}");
        let report: Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(report["diagnostics"], Value::Array(vec![]), "{dir}");
        let functions = report["functions"].as_array().unwrap();
        assert_eq!(functions.len(), 1, "{dir}: {functions:?}");
        assert_eq!(functions[0]["source"], source, "{dir}");
        assert_eq!(functions[0]["runtime"], runtime, "{dir}");

        let text = std::fs::read_to_string(examples.join(dir).join(file)).unwrap();
        assert!(text.contains("/opt/faasguard-shield"), "{dir}");
        assert!(text.contains("faasguard-shield-x86_64.zip"), "{dir}");
    }
}

/// The AWS CLI example is valid bash, and publishes, merges and updates as the docs say.
#[test]
fn cli_example_is_valid_bash() {
    let script = repo().join("docs/examples/shield/cli.sh");
    let status = Command::new("bash")
        .arg("-n")
        .arg(&script)
        .status()
        .unwrap();
    assert!(status.success());
    let text = std::fs::read_to_string(&script).unwrap();
    for needle in [
        "faasguard shield layer --output",
        "aws lambda publish-layer-version",
        "aws lambda update-function-configuration",
        "AWS_LAMBDA_EXEC_WRAPPER: \"/opt/faasguard-shield\"",
    ] {
        assert!(text.contains(needle), "{needle}");
    }
}

/// docs/shield-attach.md shows each example file verbatim, so the page cannot drift from the
/// files the tests check.
#[test]
fn attach_page_embeds_the_examples() {
    let page = std::fs::read_to_string(repo().join("docs/shield-attach.md")).unwrap();
    for file in [
        "sam/template.yaml",
        "serverless/serverless.yml",
        "terraform/main.tf",
        "cli.sh",
    ] {
        let text = std::fs::read_to_string(repo().join("docs/examples/shield").join(file)).unwrap();
        assert!(
            page.contains(&text),
            "docs/shield-attach.md does not show {file} as it is"
        );
    }
}
