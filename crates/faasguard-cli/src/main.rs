//! The `faasguard` binary.

fn main() {}
