//! A rusqlite-backed [`Db`] for native tests: real SQL, real migrations. Also built with
//! the `rusqlite` feature, for the benchmark tools (`bench/`), which share [`rows`] and
//! [`BlockOn`].

pub use crate::db::BlockOn;
use crate::db::{Backend, Db, DbError, Rows, Value};
use rusqlite::types::ValueRef;

pub struct TestDb(pub rusqlite::Connection);

impl TestDb {
    /// An in-memory database with the schema applied.
    #[allow(clippy::new_without_default)] // a database is made, not defaulted
    pub fn new() -> Self {
        let db = Self::empty();
        crate::on_demand::prepare_connection(&db).block_on().expect("migrations apply to an empty database");
        db
    }

    /// An in-memory database without a schema.
    pub fn empty() -> Self {
        Self(rusqlite::Connection::open_in_memory().expect("in-memory SQLite opens"))
    }

    /// A connection to a database file (for concurrency tests).
    pub fn open(path: &std::path::Path) -> Self {
        Self(rusqlite::Connection::open(path).expect("SQLite file opens"))
    }

    /// Whether customer `number` is there (of any organisation, in any state).
    #[cfg(test)]
    pub fn has_customer(&self, number: i64) -> bool {
        let sql = "SELECT count(*) AS n FROM customer WHERE customer_number = ?1";
        let rows = self.execute(sql, &[Value::Integer(number)]).block_on().expect("counting customers");
        rows.first().map(|r| r.int("n")).transpose().expect("a count") == Some(1)
    }
}

impl Db for TestDb {
    async fn execute(&self, sql: &str, params: &[Value]) -> Result<Rows, DbError> {
        self.0.prepare(sql).and_then(|mut statement| rows(&mut statement, params)).map_err(classify)
    }

    /// rusqlite's bundled SQLite, on a file or in memory.
    async fn backend(&self) -> Result<Backend, DbError> {
        Ok(Backend::LocalFile)
    }
}

/// Runs a prepared rusqlite statement with `params` and reads back every row the way Spin's
/// host does (SQLite's dynamic type of each value). Shared with the benchmark tools' `Db`.
pub fn rows(statement: &mut rusqlite::Statement<'_>, params: &[Value]) -> rusqlite::Result<Rows> {
    let columns: Vec<String> = statement.column_names().into_iter().map(str::to_owned).collect();
    let params = params.iter().map(|v| match v {
        Value::Integer(i) => rusqlite::types::Value::Integer(*i),
        Value::Real(r) => rusqlite::types::Value::Real(*r),
        Value::Text(t) => rusqlite::types::Value::Text(t.clone()),
        Value::Blob(b) => rusqlite::types::Value::Blob(b.clone()),
        Value::Null => rusqlite::types::Value::Null,
    });
    let mut rows = statement.query(rusqlite::params_from_iter(params))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let mut values = Vec::with_capacity(columns.len());
        for i in 0..columns.len() {
            values.push(match row.get_ref(i)? {
                ValueRef::Integer(i) => Value::Integer(i),
                ValueRef::Real(r) => Value::Real(r),
                ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
                ValueRef::Blob(b) => Value::Blob(b.to_vec()),
                ValueRef::Null => Value::Null,
            });
        }
        out.push(values);
    }
    Ok(Rows { columns, rows: out })
}

/// A rusqlite error as the `Db` seam reports it (unique violations named).
pub fn classify(e: rusqlite::Error) -> DbError {
    errors::classify(e.to_string())
}
