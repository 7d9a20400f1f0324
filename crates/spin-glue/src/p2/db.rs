//! `Db` over Spin's `fermyon:spin/sqlite@2.0.0`.

use domain::db::{Backend, BlockOn, Db, DbError, Ready, Rows, Value};
use domain::on_demand::OnDemand;
use errors::ApiError;
use spin_sdk::sqlite::{self, Connection};
use std::future::Future;

/// A connection to the `default` database, prepared on demand (`domain::on_demand::OnDemand`: the
/// pragmas and the schema check run before the first statement that may write, or when a read
/// finds the schema behind; a read-only request runs only its own statements).
pub struct SpinDb(OnDemand<Raw>);

/// Spin's connection as it is.
pub struct Raw(Connection);

impl SpinDb {
    /// Opens `default` (a file under `spin up`, libSQL/Turso where the runtime config says so).
    pub async fn open_default() -> Result<Self, ApiError> {
        let connection = Connection::open_default()
            .map_err(|e| ApiError::Db(DbError::Unavailable(format!("opening the database: {e}"))))?;
        Ok(Self(OnDemand::new(Raw(connection))))
    }
}

/// spin-sdk 5's SQLite is synchronous: a statement runs to its end when `execute` is called,
/// and the future it returns is ready ([`domain::db::Ready`]). Callers' `.await`s then compile
/// to plain calls, which keeps the components within their size budget; an `async fn` here
/// would be a state machine at each of them.
impl Db for SpinDb {
    fn execute(&self, sql: &str, params: &[Value]) -> impl Future<Output = Result<Rows, DbError>> {
        // `OnDemand` over `Raw` is ready at once too (it only awaits `Raw`).
        Ready::new(self.0.execute(sql, params).block_on())
    }

    fn backend(&self) -> impl Future<Output = Result<Backend, DbError>> {
        Ready::new(self.0.backend().block_on())
    }
}

impl Db for Raw {
    fn execute(&self, sql: &str, params: &[Value]) -> impl Future<Output = Result<Rows, DbError>> {
        Ready::new(self.run(sql, params))
    }
}

impl Raw {
    fn run(&self, sql: &str, params: &[Value]) -> Result<Rows, DbError> {
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
