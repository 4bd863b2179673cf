//! Fuzzes `faasguard_iac::load` over a small multi-file scan: the input is split on 0xFF bytes
//! (never valid UTF-8, so they cannot occur in real text) into files, and the first byte of each
//! part picks its name, so detection, Terraform module grouping and Azure app grouping
//! (function.json with its local.settings.json and host.json) see related files together.
//! Any input must give functions or diagnostics, never a panic or a hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

const NAMES: &[&str] = &[
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

fuzz_target!(|data: &[u8]| {
    faasguard_fuzz::report_stack_overflows();
    let files: Vec<faasguard_iac::SourceFile> = data
        .split(|&b| b == 0xFF)
        .take(8)
        .filter_map(|part| {
            let (&pick, rest) = part.split_first()?;
            let path = NAMES[usize::from(pick) % NAMES.len()];
            Some(faasguard_fuzz::source(path, rest))
        })
        .collect();
    let inv = faasguard_iac::load(&files);
    let checked = faasguard_rules::check_inventory(&inv, &faasguard_rules::RuleSettings::default());
    // A rule that panicked is caught and reported; for the fuzzer it is a crash.
    assert!(
        checked.internal_errors.is_empty(),
        "{:?}",
        checked.internal_errors
    );
});
