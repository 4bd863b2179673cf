//! Rules of the `function` family.

use crate::Rule;

/// Every rule of this family.
pub static RULES: &[&dyn Rule] = &[];
