//! `Db` over Spin's `fermyon:spin/sqlite@2.0.0`.

use domain::db::{Db, DbError, Rows, Value};
use errors::ApiError;
use spin_sdk::sqlite::{self, Connection};

/// A connection to the `default` database, prepared for use.
pub struct SpinDb(Connection);

impl SpinDb {
    /// Opens `default` (a file under `spin up`, libSQL/Turso where the runtime config says
    /// so), sets the per-connection pragmas and checks the schema: one cheap query when the
    /// schema is current, the migrations when it is not.
    pub fn open_default() -> Result<Self, ApiError> {
        let connection = Connection::open_default()
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("opening SQLite: {e}")))?;
        let db = Self(connection);
        domain::db::prepare_connection(&db)?;
        Ok(db)
    }
}

impl Db for SpinDb {
    fn execute(&self, sql: &str, params: &[Value]) -> Result<Rows, DbError> {
        let params: Vec<sqlite::Value> = params.iter().map(to_spin).collect();
        let result = self.0.execute(sql, &params).map_err(|e| match e {
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
