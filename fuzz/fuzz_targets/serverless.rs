//! Fuzzes the serverless loader: any bytes must give functions or diagnostics, never a panic or a hang.
//! The rules then run on whatever was loaded, so odd-but-accepted models are exercised too.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    let file = faasguard_iac::SourceFile {
        path: "serverless.yml".to_owned(),
        abs: std::path::PathBuf::from("/nonexistent/serverless.yml"),
        text,
    };
    let inv = faasguard_iac::serverless::load(&file);
    let _ = faasguard_rules::check_inventory(&inv, &faasguard_rules::RuleSettings::default());
});
