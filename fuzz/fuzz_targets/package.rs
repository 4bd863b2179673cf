//! Fuzzes the secret scan of one in-memory package (`faasguard_engine::scan_package_bytes`):
//! any bytes — a zip, a corrupt zip, nested archives, text, binary — must give findings,
//! diagnostics or nothing, never a panic, a hang or an allocation past the caps. The caps are
//! small here so that bombs are cut early and the fuzzer stays fast.
#![no_main]

use std::sync::LazyLock;

use faasguard_engine::{CodeLimits, scan_package_bytes};
use faasguard_secrets::{Scanner, Settings};
use libfuzzer_sys::fuzz_target;

static SCANNER: LazyLock<Scanner> = LazyLock::new(|| {
    Scanner::new(Settings {
        allow_paths: Vec::new(),
        ..Settings::default()
    })
    .expect("the built-in secret rules compile")
});

const LIMITS: CodeLimits = CodeLimits {
    max_file_bytes: 1 << 20,
    max_nested_archive_bytes: 1 << 20,
    max_archive_total_bytes: 8 << 20,
    max_archive_entries: 1000,
    max_archive_depth: 4,
    max_compression_ratio: 250,
};

fuzz_target!(|data: &[u8]| {
    faasguard_fuzz::report_stack_overflows();
    let scan = scan_package_bytes(&SCANNER, "package.zip", data.to_vec(), LIMITS);
    // Every finding is located inside the package and never carries the secret in its preview.
    for f in &scan.findings {
        assert!(f.path.starts_with("package.zip"), "{}", f.path);
        assert!(f.line >= 1 && f.end_line >= f.line);
    }
});
