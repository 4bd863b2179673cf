//! Fuzzes the azure loader: any bytes must give functions or diagnostics, never a panic or a hang.
//! The first byte picks which Azure file the rest is (function.json, host.json,
//! local.settings.json or an ARM template), so every parser path is reached; the rules then run
//! on whatever was loaded, so odd-but-accepted models are exercised too.
#![no_main]

use libfuzzer_sys::fuzz_target;

const NAMES: &[&str] = &[
    "app/http/function.json",
    "app/host.json",
    "app/local.settings.json",
    "infra/azuredeploy.json",
];

fuzz_target!(|data: &[u8]| {
    faasguard_fuzz::report_stack_overflows();
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let path = NAMES[usize::from(pick) % NAMES.len()];
    let file = faasguard_fuzz::source(path, rest);
    let inv = faasguard_iac::azure::load_all(&[&file]);
    let checked = faasguard_rules::check_inventory(&inv, &faasguard_rules::RuleSettings::default());
    // A rule that panicked is caught and reported; for the fuzzer it is a crash.
    assert!(
        checked.internal_errors.is_empty(),
        "{:?}",
        checked.internal_errors
    );
});
