//! Replays every input the fuzzers found (and the hand-trimmed cases next to them) under
//! `fuzz/regressions/<target>/` through the loader its fuzz target calls, reading each input the
//! way that target does (see `fuzz/fuzz_targets/`). A regression that comes back shows up as a
//! stack overflow, a panic or a hang of this test; the table below also pins what the trimmed
//! cases must produce.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use std::path::{Path, PathBuf};

use faasguard_iac::{SourceFile, azure, cloudformation, serverless, terraform};
use faasguard_model::Inventory;

/// File names the `azure` target picks from with an input's first byte.
const AZURE_NAMES: &[&str] = &[
    "app/http/function.json",
    "app/host.json",
    "app/local.settings.json",
    "infra/azuredeploy.json",
];

/// File names the `load` target picks from with the first byte of each 0xFF-separated part.
const LOAD_NAMES: &[&str] = &[
    "template.yaml",
    "template.json",
    "serverless.yml",
    "main.tf",
    "iam.tf",
    "mod/main.tf",
    "main.tf.json",
    "app/http/function.json",
    "app/host.json",
    "app/local.settings.json",
    "infra/azuredeploy.json",
    "nested/template.yml",
];

fn regressions_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/regressions")
}

fn source(path: &str, bytes: &[u8]) -> SourceFile {
    SourceFile {
        path: path.to_owned(),
        abs: PathBuf::from("/nonexistent").join(path),
        text: String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// Runs one input through the loader of `target`, exactly as `fuzz/fuzz_targets/<target>.rs`.
fn replay(target: &str, data: &[u8]) -> Inventory {
    match target {
        "cloudformation" => cloudformation::load(&source("template.yaml", data)),
        "serverless" => serverless::load(&source("serverless.yml", data)),
        "terraform" => terraform::load(&[&source("main.tf", data)]),
        "azure" => match data.split_first() {
            Some((&pick, rest)) => azure::load_all(&[&source(
                AZURE_NAMES[usize::from(pick) % AZURE_NAMES.len()],
                rest,
            )]),
            None => Inventory::default(),
        },
        "load" => {
            let files: Vec<SourceFile> = data
                .split(|&b| b == 0xFF)
                .take(8)
                .filter_map(|part| {
                    let (&pick, rest) = part.split_first()?;
                    Some(source(
                        LOAD_NAMES[usize::from(pick) % LOAD_NAMES.len()],
                        rest,
                    ))
                })
                .collect();
            faasguard_iac::load(&files)
        }
        other => panic!("fuzz/regressions/{other}: no fuzz target of that name"),
    }
}

/// Every regression input, as `(target, file name, bytes)`, sorted.
fn inputs() -> Vec<(String, String, Vec<u8>)> {
    let mut out = Vec::new();
    for dir in std::fs::read_dir(regressions_dir()).unwrap() {
        let dir = dir.unwrap();
        if !dir.file_type().unwrap().is_dir() {
            continue;
        }
        let target = dir.file_name().to_string_lossy().into_owned();
        for file in std::fs::read_dir(dir.path()).unwrap() {
            let file = file.unwrap();
            let name = file.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            out.push((target.clone(), name, std::fs::read(file.path()).unwrap()));
        }
    }
    out.sort();
    out
}

/// What a regression input must give beyond finishing.
#[derive(Debug, Clone, Copy)]
enum Expect {
    /// At least one diagnostic whose message contains the text.
    Diagnostic(&'static str),
    /// Functions are still loaded (the bad part was skipped or left unresolved).
    Functions(usize),
}

/// The trimmed regressions and what each must produce. Raw fuzzer finds only have to finish.
const EXPECTED: &[(&str, &str, &[Expect])] = &[
    (
        "cloudformation",
        "findinmap_cycle.yaml",
        &[Expect::Functions(1)],
    ),
    (
        "cloudformation",
        "findinmap_doubling_chain.yaml",
        &[Expect::Functions(1)],
    ),
    (
        "cloudformation",
        "policy_document_plain_string.yaml",
        &[
            Expect::Diagnostic("policy document must be a mapping"),
            Expect::Functions(1),
        ],
    ),
    (
        "cloudformation",
        "policy_document_multiline_plain_scalar.yaml",
        &[Expect::Diagnostic("policy document must be a mapping")],
    ),
    (
        "terraform",
        "nested_objects_operator_chains_backtracking.tf",
        // Either the parse ends with a syntax error or it passes the deadline: both say HCL.
        &[Expect::Diagnostic("HCL"), Expect::Functions(0)],
    ),
];

/// Every file under fuzz/regressions/ loads to completion (no panic, no stack overflow, no
/// hang) through its target's loader.
#[test]
fn every_regression_input_loads_to_completion() {
    let inputs = inputs();
    assert!(
        inputs.len() >= EXPECTED.len(),
        "expected at least {} regression inputs, found {}",
        EXPECTED.len(),
        inputs.len()
    );
    for (target, name, data) in &inputs {
        let inv = replay(target, data);
        // Every diagnostic names the file it is about.
        for d in &inv.diagnostics {
            assert!(
                !d.location.file.is_empty(),
                "{target}/{name}: diagnostic without a file: {d:?}"
            );
        }
    }
}

/// The trimmed regressions give the diagnostics and functions recorded for them, so a fix that
/// silences a crash by dropping the whole file would fail here.
#[test]
fn trimmed_regressions_give_their_expected_results() {
    let inputs = inputs();
    for (target, name, expects) in EXPECTED {
        let (_, _, data) = inputs
            .iter()
            .find(|(t, n, _)| t == target && n == name)
            .unwrap_or_else(|| panic!("fuzz/regressions/{target}/{name} is missing"));
        let inv = replay(target, data);
        for expect in *expects {
            match expect {
                Expect::Diagnostic(text) => assert!(
                    inv.diagnostics.iter().any(|d| d.message.contains(text)),
                    "{target}/{name}: no diagnostic containing {text:?}: {:#?}",
                    inv.diagnostics
                ),
                Expect::Functions(n) => assert_eq!(
                    inv.functions.len(),
                    *n,
                    "{target}/{name}: functions {:?}, diagnostics {:#?}",
                    inv.functions.iter().map(|f| &f.id).collect::<Vec<_>>(),
                    inv.diagnostics
                ),
            }
        }
    }
}
