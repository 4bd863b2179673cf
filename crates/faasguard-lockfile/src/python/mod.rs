//! Parsers for the python ecosystem (registered in [`PARSERS`]; none yet).

use crate::Parser;

/// This ecosystem's parsers.
pub(crate) const PARSERS: &[Parser] = &[];
