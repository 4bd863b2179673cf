//! Parsers for the rust ecosystem (registered in [`PARSERS`]; none yet).

use crate::Parser;

/// This ecosystem's parsers.
pub(crate) const PARSERS: &[Parser] = &[];
