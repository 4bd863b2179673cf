//! Test harness: a SQLite file in a temp dir, or a database on the throwaway PostgreSQL cluster
//! of `faasguard_store::testpg` (started by this process on 127.0.0.1, stopped and removed
//! when it exits). Missing PostgreSQL binaries fail the test.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::missing_panics_doc
)]

use std::fmt::Write as _;
use std::io::Write as _;

use faasguard_store::Store;
use sqlx::Connection as _;

/// A database for one test.
pub struct TestDb {
    pub url: String,
    pub store: Store,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    /// Another handle on the same database (another pool, as a second process would have).
    pub async fn reopen(&self) -> Store {
        Store::open(&self.url).await.unwrap()
    }
}

pub async fn sqlite_db() -> TestDb {
    let dir = tempfile::tempdir().unwrap();
    let url = dir.path().join("store.db").display().to_string();
    let store = Store::open(&url).await.unwrap();
    TestDb {
        url,
        store,
        _dir: Some(dir),
    }
}

pub async fn postgres_db() -> TestDb {
    let (_, url) = faasguard_store::testpg::postgres().create_database("t");
    let store = Store::open(&url).await.unwrap();
    TestDb {
        url,
        store,
        _dir: None,
    }
}

/// Every value of every column of every table, as text (one line per row), to look for
/// strings that must not be stored.
pub async fn dump_all_tables(url: &str) -> String {
    let mut out = String::new();
    if url.starts_with("postgres") {
        let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
        let columns: Vec<(String, String)> = sqlx::query_as(
            "SELECT table_name::text, column_name::text FROM information_schema.columns \
             WHERE table_schema = 'public' ORDER BY table_name, ordinal_position",
        )
        .fetch_all(&mut conn)
        .await
        .unwrap();
        for (table, column) in columns {
            let rows: Vec<(Option<String>,)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT \"{column}\"::text FROM \"{table}\""
            )))
            .fetch_all(&mut conn)
            .await
            .unwrap();
            for (v,) in rows {
                let _ = writeln!(out, "{table}.{column}={}", v.unwrap_or_default());
            }
        }
    } else {
        let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite:{url}"))
            .await
            .unwrap();
        let tables: Vec<(String,)> =
            sqlx::query_as("SELECT name FROM sqlite_master WHERE type = 'table'")
                .fetch_all(&mut conn)
                .await
                .unwrap();
        for (table,) in tables {
            let columns: Vec<(String,)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT name FROM pragma_table_info('{table}')"
            )))
            .fetch_all(&mut conn)
            .await
            .unwrap();
            for (column,) in columns {
                // As bytes: blob columns (sqlx's checksums) need not be UTF-8.
                let rows: Vec<(Option<Vec<u8>>,)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "SELECT CAST(\"{column}\" AS BLOB) FROM \"{table}\""
                )))
                .fetch_all(&mut conn)
                .await
                .unwrap();
                for (v,) in rows {
                    let v = v.unwrap_or_default();
                    let _ = writeln!(out, "{table}.{column}={}", String::from_utf8_lossy(&v));
                }
            }
        }
    }
    out
}

/// Runs `sql` (one or more statements) on the database at `url`, outside the store.
pub async fn execute(url: &str, sql: &str) {
    if url.starts_with("postgres") {
        let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
            .execute(&mut conn)
            .await
            .unwrap();
    } else {
        let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite:{url}"))
            .await
            .unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
            .execute(&mut conn)
            .await
            .unwrap();
    }
}

/// The rows of `sql` (a text and a number per row) on the database at `url`, outside the store.
pub async fn text_and_count(url: &str, sql: &str) -> Vec<(String, i64)> {
    let sql = sqlx::AssertSqlSafe(sql.to_owned());
    if url.starts_with("postgres") {
        let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
        sqlx::query_as(sql).fetch_all(&mut conn).await.unwrap()
    } else {
        let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite:{url}"))
            .await
            .unwrap();
        sqlx::query_as(sql).fetch_all(&mut conn).await.unwrap()
    }
}

/// Flushes stdout (the crash child reports progress line by line).
pub fn flush() {
    let _ = std::io::stdout().flush();
}
