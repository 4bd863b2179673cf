//! Helpers shared by the SAM and CloudFormation loader tests.

use std::path::Path;

use faasguard_iac::{Format, SourceFile, cloudformation, detect};
use faasguard_model::{Function, Inventory};

/// The fixture at `tests/fixtures/<rel>`, read.
pub fn source(rel: &str) -> SourceFile {
    let abs = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel);
    let text = std::fs::read_to_string(&abs).expect("fixture exists");
    SourceFile {
        path: rel.to_owned(),
        abs,
        text,
    }
}

/// The fixture at `tests/fixtures/<rel>`, detected as a template and loaded.
pub fn load(rel: &str) -> Inventory {
    let file = source(rel);
    assert_eq!(detect(&file), Some(Format::CloudFormation), "{rel}");
    cloudformation::load(&file)
}

/// The function with logical id `id` (the test fails when there is none).
pub fn func<'a>(inv: &'a Inventory, id: &str) -> &'a Function {
    inv.functions
        .iter()
        .find(|f| f.id.logical_id == id)
        .unwrap_or_else(|| panic!("no function {id}"))
}
