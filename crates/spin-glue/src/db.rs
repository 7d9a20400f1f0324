//! `Db` over Spin's `fermyon:spin/sqlite@2.0.0`.

use domain::db::{Db, DbError, Rows, Value};
use errors::ApiError;
use spin_sdk::sqlite::{self, Connection};
use std::cell::Cell;

/// A connection to the `default` database, prepared for use.
pub struct SpinDb {
    connection: Connection,
    /// Whether `domain::db::CONNECTION_PRAGMAS` have been set on this connection.
    pragmas_set: Cell<bool>,
}

impl SpinDb {
    /// Opens `default` (a file under `spin up`, libSQL/Turso where the runtime config says
    /// so) and checks the schema: one cheap query when the schema is current, the migrations
    /// when it is not. The per-connection pragmas are set just before the first statement that
    /// may write (`domain::db::needs_connection_pragmas`): a read-only request never needs
    /// them, and saves four statements (measured with `scripts/bench`).
    pub fn open_default() -> Result<Self, ApiError> {
        let connection = Connection::open_default()
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("opening SQLite: {e}")))?;
        let db = Self { connection, pragmas_set: Cell::new(false) };
        domain::migrations::ensure_schema(&db)?;
        Ok(db)
    }

    fn run(&self, sql: &str, params: &[Value]) -> Result<Rows, DbError> {
        let params: Vec<sqlite::Value> = params.iter().map(to_spin).collect();
        let result = self.connection.execute(sql, &params).map_err(|e| match e {
            sqlite::Error::Io(message) => errors::classify(message),
            other => DbError::Other(other.to_string()),
        })?;
        Ok(Rows {
            columns: result.columns,
            rows: result
                .rows
                .into_iter()
                .map(|row| row.values.into_iter().map(from_spin).collect())
                .collect(),
        })
    }
}

impl Db for SpinDb {
    fn execute(&self, sql: &str, params: &[Value]) -> Result<Rows, DbError> {
        if !self.pragmas_set.get() && domain::db::needs_connection_pragmas(sql) {
            for pragma in domain::db::CONNECTION_PRAGMAS {
                self.run(pragma, &[])?;
            }
            self.pragmas_set.set(true);
        }
        self.run(sql, params)
    }
}

fn to_spin(value: &Value) -> sqlite::Value {
    match value {
        Value::Integer(i) => sqlite::Value::Integer(*i),
        Value::Real(r) => sqlite::Value::Real(*r),
        Value::Text(t) => sqlite::Value::Text(t.clone()),
        Value::Blob(b) => sqlite::Value::Blob(b.clone()),
        Value::Null => sqlite::Value::Null,
    }
}

fn from_spin(value: sqlite::Value) -> Value {
    match value {
        sqlite::Value::Integer(i) => Value::Integer(i),
        sqlite::Value::Real(r) => Value::Real(r),
        sqlite::Value::Text(t) => Value::Text(t),
        sqlite::Value::Blob(b) => Value::Blob(b),
        sqlite::Value::Null => Value::Null,
    }
}
