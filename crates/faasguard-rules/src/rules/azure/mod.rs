//! Rules of the `azure` family.

use crate::Rule;

/// Every rule of this family.
pub static RULES: &[&dyn Rule] = &[];
