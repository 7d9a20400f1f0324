//! `fermyon:spin/sqlite@2.0.0` with the semantics of Spin's built-in SQLite (rusqlite).
//!
//! - `open(label)`: a label the component does not list in `sqlite_databases` is
//!   `access-denied`; `"default"` is `<state_dir>/sqlite_db.db` (Spin's `.spin/sqlite_db.db`);
//!   any other label is `no-such-database`. Every `open` is a new rusqlite connection with
//!   rusqlite's defaults (5 s busy timeout, no pragmas): the guest sets what it needs. As in
//!   Spin (`crates/sqlite-inproc`), `open` only records it; the file is opened by the first
//!   statement, so opening costs no trip to a blocking thread of its own.
//! - `execute`: on a blocking thread, as in Spin, one prepared (and cached) statement
//!   (several statements in one string are rusqlite's
//!   "Multiple statements provided" error), positional parameters, and rows mapped back by
//!   SQLite's dynamic type. Every rusqlite error is `io(message)`, so guests see SQLite's own
//!   text, e.g. `UNIQUE constraint failed: customer.organisation_id, customer.email_key`.
//! - A connection is closed when the guest drops it or, at the latest, with the request's
//!   store; SQLite then rolls back any transaction it left open.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use wasmtime::component::Resource;

use crate::bindings::fermyon::spin::sqlite::{self, Error, QueryResult, RowResult, Value};
use crate::state::{blocking, HostState};

/// The file behind the `"default"` database, relative to the state directory.
pub const DEFAULT_DATABASE_FILE: &str = "sqlite_db.db";

/// The host side of a guest's `connection` resource.
pub struct Connection {
    path: PathBuf,
    /// Opened by the first statement. Shared with the blocking task running a statement;
    /// never contended otherwise.
    inner: Arc<Mutex<Option<rusqlite::Connection>>>,
}

impl sqlite::Host for HostState {}

impl sqlite::HostConnection for HostState {
    async fn open(&mut self, database: String) -> wasmtime::Result<Result<Resource<Connection>, Error>> {
        if !self.component.sqlite_databases.contains(&database) {
            return Ok(Err(Error::AccessDenied));
        }
        if database != "default" {
            return Ok(Err(Error::NoSuchDatabase));
        }
        let path = self.component.state_dir.join(DEFAULT_DATABASE_FILE);
        Ok(Ok(self.table.push(Connection { path, inner: Arc::new(Mutex::new(None)) })?))
    }

    async fn execute(
        &mut self,
        connection: Resource<Connection>,
        statement: String,
        parameters: Vec<Value>,
    ) -> wasmtime::Result<Result<QueryResult, Error>> {
        let connection = self.table.get(&connection)?;
        let (path, inner) = (connection.path.clone(), connection.inner.clone());
        let component = self.component.id.clone();
        blocking(move || {
            let mut connection =
                inner.lock().map_err(|_| Error::Io("connection poisoned by an earlier panic".to_string()))?;
            if connection.is_none() {
                let opened = open_file(path).inspect_err(|message| {
                    eprintln!(
                        "testhost: component {component:?}: opening sqlite database \"default\": {message}"
                    )
                });
                *connection = Some(opened.map_err(Error::Io)?);
            }
            let connection = connection.as_ref().expect("opened above");
            execute(connection, &statement, parameters).map_err(|e| Error::Io(e.to_string()))
        })
        .await
    }

    async fn drop(&mut self, connection: Resource<Connection>) -> wasmtime::Result<()> {
        self.table.delete(connection)?;
        Ok(())
    }
}

/// Opens (creating if needed) the database file and its directory.
fn open_file(path: PathBuf) -> Result<rusqlite::Connection, String> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    }
    rusqlite::Connection::open(&path).map_err(|e| e.to_string())
}

/// Runs one statement the way Spin's in-process SQLite does.
fn execute(
    connection: &rusqlite::Connection,
    statement: &str,
    parameters: Vec<Value>,
) -> rusqlite::Result<QueryResult> {
    let mut prepared = connection.prepare_cached(statement)?;
    let columns: Vec<String> = prepared.column_names().into_iter().map(str::to_string).collect();
    let parameters = parameters.into_iter().map(|value| match value {
        Value::Integer(i) => rusqlite::types::Value::Integer(i),
        Value::Real(f) => rusqlite::types::Value::Real(f),
        Value::Text(s) => rusqlite::types::Value::Text(s),
        Value::Blob(b) => rusqlite::types::Value::Blob(b),
        Value::Null => rusqlite::types::Value::Null,
    });
    let mut rows = prepared.query(rusqlite::params_from_iter(parameters))?;
    let mut results = Vec::new();
    while let Some(row) = rows.next()? {
        let mut values = Vec::with_capacity(columns.len());
        for index in 0..columns.len() {
            values.push(match row.get_ref(index)? {
                rusqlite::types::ValueRef::Null => Value::Null,
                rusqlite::types::ValueRef::Integer(i) => Value::Integer(i),
                rusqlite::types::ValueRef::Real(f) => Value::Real(f),
                rusqlite::types::ValueRef::Text(t) => Value::Text(std::str::from_utf8(t)?.to_string()),
                rusqlite::types::ValueRef::Blob(b) => Value::Blob(b.to_vec()),
            });
        }
        results.push(RowResult { values });
    }
    Ok(QueryResult { columns, rows: results })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn execute_maps_types_errors_and_statement_kinds() {
        let db = rusqlite::Connection::open_in_memory().unwrap();
        let run = |sql: &str, params: Vec<Value>| execute(&db, sql, params);

        let created =
            run("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE, r REAL, b BLOB)", vec![]).unwrap();
        assert!(created.rows.is_empty());
        run("BEGIN", vec![]).unwrap();
        let inserted = run(
            "INSERT INTO t (name, r, b) VALUES (?, ?, ?)",
            vec![Value::Text("a".into()), Value::Real(1.5), Value::Blob(vec![1, 2])],
        )
        .unwrap();
        assert!(inserted.rows.is_empty());
        run("COMMIT", vec![]).unwrap();

        let returned =
            run("INSERT INTO t (name) VALUES (?) RETURNING id", vec![Value::Text("b".into())]).unwrap();
        assert_eq!(returned.columns, vec!["id"]);
        assert!(matches!(returned.rows[0].values[..], [Value::Integer(2)]));

        let selected =
            run("SELECT id, name, r, b, NULL AS n FROM t WHERE id = ?", vec![Value::Integer(1)]).unwrap();
        assert_eq!(selected.columns, vec!["id", "name", "r", "b", "n"]);
        match &selected.rows[0].values[..] {
            [Value::Integer(1), Value::Text(name), Value::Real(r), Value::Blob(b), Value::Null] => {
                assert_eq!(name, "a");
                assert_eq!(*r, 1.5);
                assert_eq!(b, &vec![1, 2]);
            }
            other => panic!("unexpected row {other:?}"),
        }

        let duplicate = run("INSERT INTO t (name) VALUES ('a')", vec![]).unwrap_err();
        assert_eq!(duplicate.to_string(), "UNIQUE constraint failed: t.name");
        assert!(run("SELECT 1; SELECT 2", vec![]).is_err());
    }
}
