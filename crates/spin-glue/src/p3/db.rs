//! `Db` over Spin's `spin:sqlite/sqlite@3.1.0` (spin-sdk 7), with a small pool of connections
//! per instance.
//!
//! A WASIp3 instance serves up to 16 requests at once and up to 128 in its life, so a
//! connection opened by one request can serve the next: its pragmas and schema check are paid
//! once (`OnDemand` keeps what it learnt with the connection), and over libSQL the client Spin
//! makes per opened connection is made once. Each request takes a connection of its own: the
//! statements of a write transaction must never interleave with another request's on the same
//! connection (SQLite's transaction belongs to the connection, not to the request).

use domain::db::{probe, Backend, Db, DbError, Rows, Value};
use domain::on_demand::{may_write, OnDemand};
use errors::ApiError;
use spin_sdk::sqlite::wit::sqlite::{self, Connection};
use std::cell::{Cell, RefCell};

/// Connections kept open in an instance between requests. Spin lets 16 requests share an
/// instance at a time; a 17th connection is opened when needed and closed after its request.
const POOL_SIZE: usize = 16;

thread_local! {
    /// The idle connections of this instance (a component instance is single-threaded).
    static IDLE: RefCell<Vec<OnDemand<Raw>>> = const { RefCell::new(Vec::new()) };
}

/// A connection to the `default` database for one request, taken from the instance's pool and
/// given back when dropped, prepared on demand (`domain::on_demand::OnDemand`).
pub struct SpinDb(Option<OnDemand<Raw>>);

/// Spin's connection as it is (the interface's own resource, `spin:sqlite/sqlite@3.1.0`,
/// whose two ways of running a statement this chooses between; spin-sdk 7's `Connection`
/// offers only the streaming one).
pub struct Raw {
    connection: Connection,
    /// Whether a `SELECT` takes its rows in one call (the interface's synchronous `execute`)
    /// rather than as a stream (`execute-async`): on a local file. Spin streams the rows one
    /// at a time, about 12 µs each against under 1 µs in one list
    /// (docs/upstream/spin-sqlite-p3-row-stream.md). The synchronous call holds up the
    /// instance's other requests while it runs, which a local-file read in WAL mode does
    /// briefly (it never waits for a writer); a write may wait for the lock and a libSQL
    /// statement for the network, so those stream, and the other requests go on meanwhile.
    reads_at_once: Cell<bool>,
}

impl SpinDb {
    /// An idle connection of this instance, or a new one to `default`.
    pub async fn open_default() -> Result<Self, ApiError> {
        if let Some(idle) = IDLE.with(|idle| idle.borrow_mut().pop()) {
            return Ok(Self(Some(idle)));
        }
        let connection = Connection::open_async("default".to_owned())
            .await
            .map_err(|e| ApiError::Db(DbError::Unavailable(format!("opening the database: {e}"))))?;
        let raw = Raw { connection, reads_at_once: Cell::new(false) };
        // Once per connection, which serves up to 128 requests of this instance.
        raw.reads_at_once.set(probe(&raw).await? == Backend::LocalFile);
        Ok(Self(Some(OnDemand::new(raw))))
    }

    fn connection(&self) -> &OnDemand<Raw> {
        self.0.as_ref().expect("a SpinDb holds its connection until dropped")
    }
}

/// Back to the pool, unless a transaction is still open on it: a request whose future was
/// dropped half-way (its client went away) must not hand its uncommitted writes, or its write
/// lock, to the next request. Such a connection is closed, and SQLite rolls back.
impl Drop for SpinDb {
    fn drop(&mut self) {
        let Some(connection) = self.0.take() else { return };
        if connection.in_transaction() {
            return;
        }
        IDLE.with(|idle| {
            let mut idle = idle.borrow_mut();
            if idle.len() < POOL_SIZE {
                idle.push(connection);
            }
        });
    }
}

impl Db for SpinDb {
    async fn execute(&self, sql: &str, params: &[Value]) -> Result<Rows, DbError> {
        self.connection().execute(sql, params).await
    }

    async fn backend(&self) -> Result<Backend, DbError> {
        self.connection().backend().await
    }
    async fn pause(&self, duration: std::time::Duration) {
        super::sleep(duration).await
    }
}

impl Db for Raw {
    async fn execute(&self, sql: &str, params: &[Value]) -> Result<Rows, DbError> {
        let params: Vec<sqlite::Value> = params.iter().map(to_spin).collect();
        if self.reads_at_once.get() && !may_write(sql) {
            let result = self.connection.execute(sql, &params).map_err(error)?;
            return Ok(rows(result.columns, result.rows.into_iter().map(|row| row.values)));
        }
        run(&self.connection, sql, params).await
    }
    /// On the host's clock: the instance's other requests go on meanwhile.
    async fn pause(&self, duration: std::time::Duration) {
        super::sleep(duration).await
    }
}

/// The statement with its rows as a stream (`execute-async`).
async fn run(connection: &Connection, sql: &str, params: Vec<sqlite::Value>) -> Result<Rows, DbError> {
    let (columns, stream, finished) =
        connection.execute_async(sql.to_owned(), params).await.map_err(error)?;
    let streamed = stream.collect().await;
    finished.await.map_err(error)?;
    Ok(rows(columns, streamed.into_iter().map(|row| row.values)))
}

fn rows(columns: Vec<String>, rows: impl Iterator<Item = Vec<sqlite::Value>>) -> Rows {
    Rows { columns, rows: rows.map(|values| values.into_iter().map(from_spin).collect()).collect() }
}

fn error(e: sqlite::Error) -> DbError {
    match e {
        sqlite::Error::Io(message) => errors::classify(message),
        other => DbError::Other(other.to_string()),
    }
}

fn to_spin(value: &Value) -> sqlite::Value {
    match value {
        Value::Null => sqlite::Value::Null,
        Value::Integer(i) => sqlite::Value::Integer(*i),
        Value::Real(r) => sqlite::Value::Real(*r),
        Value::Text(t) => sqlite::Value::Text(t.clone()),
        Value::Blob(b) => sqlite::Value::Blob(b.clone()),
    }
}

fn from_spin(value: sqlite::Value) -> Value {
    match value {
        sqlite::Value::Null => Value::Null,
        sqlite::Value::Integer(i) => Value::Integer(i),
        sqlite::Value::Real(r) => Value::Real(r),
        sqlite::Value::Text(t) => Value::Text(t),
        sqlite::Value::Blob(b) => Value::Blob(b),
    }
}
