//! Fuzzes the serverless loader: any bytes must give functions or diagnostics, never a panic or a hang.
//! The rules then run on whatever was loaded, so odd-but-accepted models are exercised too.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    faasguard_fuzz::report_stack_overflows();
    let file = faasguard_fuzz::source("serverless.yml", data);
    let inv = faasguard_iac::serverless::load(&file);
    let checked = faasguard_rules::check_inventory(&inv, &faasguard_rules::RuleSettings::default());
    // A rule that panicked is caught and reported; for the fuzzer it is a crash.
    assert!(
        checked.internal_errors.is_empty(),
        "{:?}",
        checked.internal_errors
    );
});
