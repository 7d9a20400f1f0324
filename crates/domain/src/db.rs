//! The one seam in front of SQLite: Spin's `fermyon:spin/sqlite@2.0.0` in the components,
//! rusqlite in native tests. The interface has `execute` only (no last-insert-rowid, no
//! change count), so statements use `RETURNING`. What a connection runs besides a request's
//! own statements (settings, schema check, lock waiting, checkpoints) is the connection
//! policy, [`crate::connection`].

pub use crate::connection::Backend;
pub use errors::DbError;

/// A parameter or column value, as SQLite's dynamic types.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Integer(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
    Null,
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
            other => Err(DbError::Other(format!("column {column}: expected integer, got {other:?}"))),
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
            other => Err(DbError::Other(format!("column {column}: expected text, got {other:?}"))),
        }
    }

    pub fn opt_text(&self, column: &str) -> Result<Option<String>, DbError> {
        match self.get(column)? {
            Value::Null => Ok(None),
            _ => self.text(column).map(Some),
        }
    }
}

/// The only way into SQLite.
pub trait Db {
    /// Runs one statement.
    fn execute(&self, sql: &str, params: &[Value]) -> Result<Rows, DbError>;

    /// What this connection talks to: a local SQLite file or a libSQL server, which take
    /// different settings ([`crate::connection`]). By default the engine is asked, one cheap
    /// query ([`crate::connection::probe`]); a connection that knows it (a prepared one, or
    /// an adapter that can only be one of them) answers without asking.
    fn backend(&self) -> Result<Backend, DbError>
    where
        Self: Sized,
    {
        crate::connection::probe(self)
    }

    /// Runs `f` in one write transaction. `BEGIN IMMEDIATE` takes the write lock up front,
    /// so two writers never deadlock upgrading a read lock
    /// ([`crate::connection::begin_immediate`] waits for it);
    /// keep the closure short and free of slow work (password hashing, HTTP), because every
    /// other writer waits for it.
    fn transaction<T, E: From<DbError>>(&self, f: impl FnOnce(&Self) -> Result<T, E>) -> Result<T, E>
    where
        Self: Sized,
    {
        write(self, Writes::Several, f)
    }
}

/// How many statements a write makes, for [`write`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writes {
    /// One statement (with what its triggers write): atomic by itself.
    One,
    /// Several: they need a transaction.
    Several,
}

/// Runs the writes of `f` atomically. Several statements run in one transaction
/// ([`Db::transaction`]). One runs on its own: it is atomic by itself, and it holds the write
/// lock only while it runs instead of across the host calls of `BEGIN`, the statements and
/// `COMMIT`, during which a request on a busy machine may wait for a CPU while every other
/// writer waits for it (`scripts/bench`: create p99 224 ms → 54 ms at 16 connections). It
/// waits for the lock in SQLite's busy handler, which is fair enough for so short a hold.
pub fn write<D: Db, T, E: From<DbError>>(
    db: &D,
    writes: Writes,
    f: impl FnOnce(&D) -> Result<T, E>,
) -> Result<T, E> {
    // `f` is called in one place only: the components' size budget counts every copy.
    let in_transaction = writes == Writes::Several;
    if in_transaction {
        crate::connection::begin_immediate(db)?;
    }
    let result = f(db);
    if !in_transaction {
        return result;
    }
    let result = match result {
        Ok(value) => match db.execute("COMMIT", &[]) {
            Ok(_) => Ok(value),
            Err(e) => {
                let _ = db.execute("ROLLBACK", &[]);
                Err(e.into())
            }
        },
        Err(e) => {
            let _ = db.execute("ROLLBACK", &[]);
            Err(e)
        }
    };
    crate::connection::after_transaction(db);
    result
}
