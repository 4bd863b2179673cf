//! The vulnerability database: OSV advisories, version order per ecosystem, matching of
//! packages against affected ranges, and a compact on-disk index.

pub mod version;
