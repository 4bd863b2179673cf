//! Project automation: `cargo run -p xtask -- gen-docs [--check]`.

fn main() {}
