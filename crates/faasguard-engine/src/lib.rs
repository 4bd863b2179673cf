//! The scan engine: walks the paths, loads sources into the model, runs the rules, applies
//! suppressions and the baseline, and returns a report.
