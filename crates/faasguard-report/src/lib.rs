//! The scan [`Report`] and its writers (table, JSON, SARIF, JUnit).
