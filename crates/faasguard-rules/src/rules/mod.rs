//! Rule implementations, one folder per family, one file per rule.

pub mod azure;
pub mod function;
pub mod iam;
