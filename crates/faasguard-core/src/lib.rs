//! Core vocabulary shared by every faasguard crate: [`Severity`], [`Location`], provenance
//! ([`Origin`], [`Attr`]), [`Finding`] and [`Diagnostic`]. No I/O happens here.

mod attr;
pub mod date;
mod finding;
mod location;
mod severity;

pub use attr::{Attr, Origin};
pub use finding::{Diagnostic, Finding, FlowStep, fingerprint, redact_secret};
pub use location::Location;
pub use severity::{ParseSeverityError, Severity};
