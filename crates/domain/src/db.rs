//! The one seam in front of SQLite: Spin's `fermyon:spin/sqlite@2.0.0` in the components,
//! rusqlite in native tests. The interface has `execute` only (no last-insert-rowid, no
//! change count), so statements use `RETURNING`. What a connection runs besides a request's
//! own statements (settings, schema check, lock waiting, write transactions, checkpoints) is
//! the connection policy, in `connection` and `on_demand`, which build on this seam (this
//! module names neither).

pub use errors::DbError;
use std::future::Future;
use std::task::{Context, Poll, Waker};

/// A parameter or column value, as SQLite's dynamic types.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Integer(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
    Null,
}

impl Value {
    /// SQLite's name of the value's type, for errors: naming it, not printing it, keeps column
    /// values (personal data) out of the log, and float formatting out of the components.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Integer(_) => "integer",
            Value::Real(_) => "real",
            Value::Text(_) => "text",
            Value::Blob(_) => "blob",
            Value::Null => "null",
        }
    }
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Integer(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_owned())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

/// The result of one statement.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rows {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Value>>,
}

impl Rows {
    /// The rows, each readable by column name.
    pub fn iter(&self) -> impl Iterator<Item = Row<'_>> {
        self.rows.iter().map(|values| Row { columns: &self.columns, values })
    }

    /// The first row, if any.
    pub fn first(&self) -> Option<Row<'_>> {
        self.iter().next()
    }
}

/// One row of a result.
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    columns: &'a [String],
    values: &'a [Value],
}

impl<'a> Row<'a> {
    fn get(&self, column: &str) -> Result<&'a Value, DbError> {
        self.columns
            .iter()
            .position(|c| c == column)
            .and_then(|i| self.values.get(i))
            .ok_or_else(|| DbError::Other(format!("no column {column} in result")))
    }

    /// The raw value of a column.
    pub fn values_of(&self, column: &str) -> Result<Value, DbError> {
        self.get(column).cloned()
    }

    pub fn int(&self, column: &str) -> Result<i64, DbError> {
        match self.get(column)? {
            Value::Integer(v) => Ok(*v),
            other => Err(DbError::Other(format!("column {column}: expected integer, got {}", other.kind()))),
        }
    }

    pub fn opt_int(&self, column: &str) -> Result<Option<i64>, DbError> {
        match self.get(column)? {
            Value::Null => Ok(None),
            _ => self.int(column).map(Some),
        }
    }

    pub fn text(&self, column: &str) -> Result<String, DbError> {
        match self.get(column)? {
            Value::Text(v) => Ok(v.clone()),
            other => Err(DbError::Other(format!("column {column}: expected text, got {}", other.kind()))),
        }
    }

    pub fn opt_text(&self, column: &str) -> Result<Option<String>, DbError> {
        match self.get(column)? {
            Value::Null => Ok(None),
            _ => self.text(column).map(Some),
        }
    }
}

/// `future.block_on()`: the output of a future over a synchronous database (spin-sdk 5's
/// SQLite, rusqlite), for an adapter over such a database and for tests and tools that are not
/// async themselves. Such a future is ready at its first poll, so no executor is needed; one
/// that is not is a bug, and panics.
pub trait BlockOn: Future + Sized {
    fn block_on(self) -> Self::Output {
        match std::pin::pin!(self).poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(output) => output,
            Poll::Pending => panic!("a future over a synchronous database was not ready at once"),
        }
    }
}

impl<F: Future> BlockOn for F {}

/// The future of a statement that has run already: what an adapter over a synchronous database
/// returns. Its `poll` is inlined and always ready, so an `.await` of it compiles to little more
/// than the call that ran the statement (an `async fn` would be a state machine at each caller).
pub struct Ready<T>(Option<T>);

impl<T> Ready<T> {
    pub fn new(output: T) -> Self {
        Self(Some(output))
    }
}

impl<T> Unpin for Ready<T> {} // nothing is pinned: `poll` moves the output out

impl<T> Future for Ready<T> {
    type Output = T;

    #[inline(always)]
    fn poll(self: std::pin::Pin<&mut Self>, _: &mut Context<'_>) -> Poll<T> {
        match self.get_mut().0.take() {
            Some(output) => Poll::Ready(output),
            None => polled_after_completion(),
        }
    }
}

#[cold]
#[inline(never)]
fn polled_after_completion() -> ! {
    panic!("a ready statement polled after completion")
}

/// What a connection talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A SQLite file on this machine: the service sets the file's settings itself.
    LocalFile,
    /// A libSQL server (sqld, Turso), over HTTP: it owns its file, and refuses the file's
    /// settings.
    LibSql,
}

impl Backend {
    /// The backend whose engine reports `source_id` (`sqlite_source_id()`).
    pub fn from_source_id(source_id: &str) -> Self {
        if source_id.trim_end().ends_with("alt1") {
            Backend::LibSql
        } else {
            Backend::LocalFile
        }
    }
}

/// Asks the engine what it is (one cheap query). A prepared connection knows it already
/// (a connection prepared on demand: the schema check reads it).
pub async fn probe(db: &impl Db) -> Result<Backend, DbError> {
    let rows = db.execute("SELECT sqlite_source_id() AS engine", &[]).await?;
    Ok(Backend::from_source_id(&rows.first().map(|r| r.text("engine")).transpose()?.unwrap_or_default()))
}

/// The only way into SQLite. Every call is a future, because in a WASIp3 component a host
/// call is one (and several requests share an instance, taking turns at each `.await`); over
/// a synchronous host (spin-sdk 5, rusqlite) the futures are ready at once. They need not be
/// `Send`: a component is single-threaded.
#[allow(async_fn_in_trait)] // the lint asks for a `Send` bound we do not want (see above)
pub trait Db {
    /// Runs one statement.
    async fn execute(&self, sql: &str, params: &[Value]) -> Result<Rows, DbError>;

    /// What this connection talks to: a local SQLite file or a libSQL server, which take
    /// different settings. By default the engine is asked, one cheap query ([`probe`]); a
    /// connection that knows it (a prepared one, or an adapter that can only be one of them)
    /// answers without asking.
    async fn backend(&self) -> Result<Backend, DbError>
    where
        Self: Sized,
    {
        probe(self).await
    }

    /// Waits `duration` before trying again (a purge's pause between batches, a wait for the
    /// write lock). By default the thread sleeps, which holds up nobody where an instance serves
    /// one request (WASIp2); a WASIp3 connection waits on the host's clock instead, so that the
    /// other requests of its instance go on meanwhile.
    async fn pause(&self, duration: std::time::Duration)
    where
        Self: Sized,
    {
        std::thread::sleep(duration)
    }
}
