//! The one seam in front of SQLite: Spin's `fermyon:spin/sqlite@2.0.0` in the components,
//! rusqlite in native tests. The interface has `execute` only (no last-insert-rowid, no
//! change count), so statements use `RETURNING`.

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

    /// Runs `f` in one write transaction. `BEGIN IMMEDIATE` takes the write lock up front,
    /// so two writers never deadlock upgrading a read lock; keep the closure short and free
    /// of slow work (password hashing, HTTP), because every other writer waits for it.
    fn transaction<T, E: From<DbError>>(&self, f: impl FnOnce(&Self) -> Result<T, E>) -> Result<T, E>
    where
        Self: Sized,
    {
        self.execute("BEGIN IMMEDIATE", &[])?;
        match f(self) {
            Ok(value) => {
                if let Err(e) = self.execute("COMMIT", &[]) {
                    let _ = self.execute("ROLLBACK", &[]);
                    return Err(e.into());
                }
                Ok(value)
            }
            Err(e) => {
                let _ = self.execute("ROLLBACK", &[]);
                Err(e)
            }
        }
    }
}

/// Settings SQLite keeps per connection, so every connection sets them (one cheap statement
/// each; Spin opens a new connection per request). Why each one:
/// - `foreign_keys`: child rows (addresses, consents, ...) go with their customer;
/// - `secure_delete`: erased personal data is overwritten, not left in free pages (§5);
/// - `synchronous = NORMAL`: in WAL mode a commit needs no fsync, yet stays durable
///   against a process crash (platform notes: the write floor);
/// - `busy_timeout`: writers queue for the lock instead of failing at once.
pub const CONNECTION_PRAGMAS: [&str; 4] = [
    "PRAGMA foreign_keys = ON",
    "PRAGMA secure_delete = ON",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA busy_timeout = 5000",
];

/// Prepares a freshly opened connection: its pragmas, then the schema check (one query when
/// the schema is current; see [`crate::migrations`]).
pub fn prepare_connection(db: &impl Db) -> Result<(), DbError> {
    for pragma in CONNECTION_PRAGMAS {
        db.execute(pragma, &[])?;
    }
    crate::migrations::ensure_schema(db)
}

/// Moves the write-ahead log into the database file and truncates it, so old versions of
/// erased rows do not linger there (§5). Best effort: with readers active SQLite checkpoints
/// what it can, and a later checkpoint finishes the job.
pub fn checkpoint(db: &impl Db) {
    let _ = db.execute("PRAGMA wal_checkpoint(TRUNCATE)", &[]);
}
