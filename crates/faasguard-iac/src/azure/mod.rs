//! Azure Functions: `function.json`, `host.json`, `local.settings.json`, ARM role assignments.

use faasguard_model::Inventory;

use crate::SourceFile;

/// Whether an Azure loader wants the file (by lower-cased file name and content).
pub fn wants(lower_name: &str, _text: &str) -> bool {
    lower_name == "function.json"
        || lower_name == "local.settings.json"
        || lower_name == "host.json"
}

/// Loads one Azure file.
pub fn load(_file: &SourceFile) -> Inventory {
    Inventory::default()
}
