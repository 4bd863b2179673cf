/// Why a store operation failed. Every variant names the database (a SQLite path, or a
/// PostgreSQL URL without its password) and the cause.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The database could not be opened or reached (malformed URL, unreachable server,
    /// unwritable path, timeout).
    #[error("database {database}: {cause}")]
    Open { database: String, cause: String },
    /// The schema could not be brought up to date.
    #[error("database {database}: migration failed: {cause}")]
    Migrate { database: String, cause: String },
    /// A query failed.
    #[error("database {database}: {operation}: {source}")]
    Query {
        database: String,
        operation: &'static str,
        #[source]
        source: sqlx::Error,
    },
    /// A stored value could not be read back (a JSON column that does not parse, an unknown
    /// enum value).
    #[error("database {database}: {operation}: stored value does not read back: {cause}")]
    Decode {
        database: String,
        operation: &'static str,
        cause: String,
    },
    /// The caller passed something the store cannot keep (an empty key, a bad interval).
    #[error("invalid input: {0}")]
    Invalid(String),
}
