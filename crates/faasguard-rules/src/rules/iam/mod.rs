//! Rules of the `iam` family.

use crate::Rule;

/// Every rule of this family.
pub static RULES: &[&dyn Rule] = &[];
