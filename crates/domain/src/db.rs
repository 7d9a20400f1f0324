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
    /// so two writers never deadlock upgrading a read lock ([`begin_immediate`] waits for it);
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
        begin_immediate(db)?;
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
    // Back to the connection's busy timeout, now that the write lock is released.
    let _ = db.execute(BUSY_TIMEOUT, &[]);
    result
}

/// How long a statement waits for a lock by default in Spin's SQLite (rusqlite's 5 s), set
/// back after a transaction's shorter attempts ([`begin_immediate`]).
const BUSY_TIMEOUT: &str = "PRAGMA busy_timeout = 5000";

/// How long to wait for the write lock.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// Takes the write lock (`BEGIN IMMEDIATE`), waiting for it up to [`LOCK_WAIT`], in attempts
/// of 10 ms. SQLite's busy handler backs off to sleeps of 100 ms, so a writer that was unlucky
/// a few times sleeps through many moments the lock is free while newer writers take it: at
/// 16 connections creating profiles that made p99 875 ms; attempts of 10 ms (within which
/// SQLite retries after 1, 3 and 8 ms) brought it to about 200 ms (`scripts/bench`). The
/// caller restores the busy timeout once the lock is released again.
pub fn begin_immediate(db: &impl Db) -> Result<(), DbError> {
    db.execute("PRAGMA busy_timeout = 10", &[])?;
    let started = std::time::Instant::now();
    loop {
        match db.execute("BEGIN IMMEDIATE", &[]) {
            Err(DbError::Other(message)) if is_busy(&message) && started.elapsed() < LOCK_WAIT => {}
            other => return other.map(|_| ()),
        }
    }
}

/// SQLite's text for SQLITE_BUSY (and SQLITE_LOCKED).
fn is_busy(message: &str) -> bool {
    message.contains("database is locked") || message.contains("database table is locked")
}

/// Settings SQLite keeps per connection, so every connection sets them (one cheap statement
/// each; Spin opens a new connection per request). Why each one:
/// - `foreign_keys`: child rows (addresses, consents, ...) go with their customer;
/// - `secure_delete`: erased personal data is overwritten, not left in free pages (§5);
/// - `synchronous = NORMAL`: in WAL mode a commit needs no fsync, yet stays durable
///   against a process crash (platform notes: the write floor);
///
/// Not `busy_timeout`: statements wait up to 5 s for a lock by default in Spin's SQLite
/// (rusqlite's default) and in the tests' (rusqlite too), and a write transaction waits for
/// the write lock in [`begin_immediate`]'s shorter attempts and sets the 5 s back after it.
pub const CONNECTION_PRAGMAS: [&str; 3] =
    ["PRAGMA foreign_keys = ON", local_file::SECURE_DELETE, "PRAGMA synchronous = NORMAL"];

/// Whether a statement may write, so the connection must be prepared before it runs:
/// everything but a plain `SELECT` (`BEGIN IMMEDIATE`, an `INSERT`, a `PRAGMA`).
/// `foreign_keys` must be set outside a transaction, which holds since `BEGIN` itself counts.
fn may_write(sql: &str) -> bool {
    let first_word = sql.trim_start().split(|c: char| !c.is_ascii_alphabetic()).next().unwrap_or("");
    !first_word.eq_ignore_ascii_case("select")
}

/// Whether SQLite's error says the statement names something the schema lacks: a table,
/// column or index that a migration not yet applied adds.
fn schema_is_behind(message: &str) -> bool {
    ["no such table", "no such column", "no such index"].iter().any(|m| message.contains(m))
}

/// A connection that lives for one request (Spin opens one per request), prepared on demand:
/// [`prepare_connection`] runs just before the first statement that may write. A request
/// that only reads (most: a GET, a search) then runs no pragma and no schema check, only its
/// own statements (`scripts/bench`: the schema check alone was a tenth of a GET). That is safe
/// because a read that needs a newer schema cannot succeed on an older one: it names what a
/// migration adds, SQLite refuses it, and then the schema is brought up to date and the
/// statement runs again. (So a migration must never change the meaning of what is there
/// without a new name a reader would use: add columns, do not repurpose them.)
/// `busy_timeout` is the host's default already for the reads: Spin's SQLite is rusqlite,
/// which waits 5 s.
pub struct OnDemand<D> {
    connection: D,
    prepared: std::cell::Cell<bool>,
}

impl<D: Db> OnDemand<D> {
    pub fn new(connection: D) -> Self {
        Self { connection, prepared: std::cell::Cell::new(false) }
    }

    fn prepare(&self) -> Result<(), DbError> {
        self.prepared.set(true); // before: preparing runs statements through `self`
        prepare_connection(self)
    }
}

impl<D: Db> Db for OnDemand<D> {
    fn execute(&self, sql: &str, params: &[Value]) -> Result<Rows, DbError> {
        if !self.prepared.get() && may_write(sql) {
            self.prepare()?;
        }
        match self.connection.execute(sql, params) {
            Err(DbError::Other(message)) if !self.prepared.get() && schema_is_behind(&message) => {
                self.prepare()?;
                self.connection.execute(sql, params)
            }
            other => other,
        }
    }
}

/// Prepares a freshly opened connection: its pragmas, then the schema check (one query when
/// the schema is current; see [`crate::migrations`]).
pub fn prepare_connection(db: &impl Db) -> Result<(), DbError> {
    for pragma in CONNECTION_PRAGMAS {
        db.execute(pragma, &[])?;
    }
    crate::migrations::ensure_schema(db)
}

/// Everything that only a local SQLite file accepts, in one place: libSQL (sqld) refuses
/// these pragmas, so a connection to it must leave them out (and erase and purge by other
/// means there).
pub mod local_file {
    use super::Db;

    /// Erased personal data is overwritten with zeros, also where it lands in free pages
    /// (contract §5; `ON`, not `FAST`, which leaves free pages as they were).
    pub const SECURE_DELETE: &str = "PRAGMA secure_delete = ON";

    /// The connection of a purge run (`crate::purge::purge_expired`), for the run only (a
    /// connection lives for one request): a 64 MiB page cache keeps the index pages that
    /// consecutive batches delete from (deleting 100,000 profiles before migration 0007: 8.7 s
    /// with SQLite's 2 MiB default, 5.9 s; 256 MiB gained nothing more), and no checkpoint
    /// after every commit (the run checkpoints every so many rows instead,
    /// `Pacing::checkpoint_rows`). The memory is the host's, freed when the request's
    /// connection closes.
    pub const PURGE_CONNECTION_PRAGMAS: [&str; 2] =
        ["PRAGMA cache_size = -65536", "PRAGMA wal_autocheckpoint = 0"];

    /// Moves the write-ahead log into the database file and truncates it, so old versions of
    /// erased rows do not linger there (§5). Best effort: with readers active SQLite
    /// checkpoints what it can, and a later checkpoint finishes the job.
    pub fn checkpoint(db: &impl Db) {
        let _ = db.execute("PRAGMA wal_checkpoint(TRUNCATE)", &[]);
    }

    /// Moves what it can of the write-ahead log into the database file, without waiting for
    /// readers or writers and without the write lock (during a purge run).
    pub fn checkpoint_passive(db: &impl Db) {
        let _ = db.execute("PRAGMA wal_checkpoint(PASSIVE)", &[]);
    }
}

#[cfg(test)]
mod tests {
    use super::may_write;

    #[test]
    fn a_transaction_waits_for_another_writer_and_leaves_the_busy_timeout_as_it_was() {
        use crate::db::Db;
        use crate::test_db::TestDb;
        let dir = std::env::temp_dir().join(format!("begin-wait-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("wait.db");
        let _ = std::fs::remove_file(&path);
        let first = TestDb::open(&path);
        first.execute("PRAGMA journal_mode = WAL", &[]).unwrap();
        first.execute("CREATE TABLE t (x INTEGER)", &[]).unwrap();
        first.execute("BEGIN IMMEDIATE", &[]).unwrap();
        let waiter = std::thread::spawn(move || {
            let second = TestDb::open(&path);
            let started = std::time::Instant::now();
            second.transaction(|tx| tx.execute("INSERT INTO t VALUES (2)", &[])).unwrap();
            let timeout = second.execute("PRAGMA busy_timeout", &[]).unwrap();
            (started.elapsed(), timeout.rows[0][0].clone())
        });
        std::thread::sleep(std::time::Duration::from_millis(300));
        first.execute("INSERT INTO t VALUES (1)", &[]).unwrap();
        first.execute("COMMIT", &[]).unwrap();
        let (waited, timeout) = waiter.join().unwrap();
        assert!(waited >= std::time::Duration::from_millis(250), "{waited:?}");
        assert_eq!(timeout, crate::db::Value::Integer(5000));
        let rows = first.execute("SELECT count(*) AS n FROM t", &[]).unwrap();
        assert_eq!(rows.first().unwrap().int("n").unwrap(), 2);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn only_plain_selects_run_on_an_unprepared_connection() {
        for sql in ["SELECT 1", "  select max(version) FROM t", "\n\tSELECT\n*"] {
            assert!(!may_write(sql), "{sql}");
        }
        for sql in [
            "BEGIN IMMEDIATE",
            "INSERT INTO t VALUES (1)",
            " update t set x = 1",
            "DELETE FROM t",
            "WITH x AS (SELECT 1) DELETE FROM t",
            "PRAGMA journal_mode = WAL",
            "COMMIT",
        ] {
            assert!(may_write(sql), "{sql}");
        }
    }

    /// Records every statement that reaches the connection.
    struct Recorded(crate::test_db::TestDb, std::cell::RefCell<Vec<String>>);

    impl super::Db for Recorded {
        fn execute(&self, sql: &str, params: &[super::Value]) -> Result<super::Rows, super::DbError> {
            self.1.borrow_mut().push(sql.split_whitespace().collect::<Vec<_>>().join(" "));
            self.0.execute(sql, params)
        }
    }

    #[test]
    fn a_read_only_request_runs_only_its_own_statements_and_a_write_prepares_first() {
        use super::{Db, OnDemand, Value};
        let db = OnDemand::new(Recorded(crate::test_db::TestDb::new(), Default::default()));
        db.execute("SELECT count(*) AS n FROM customer", &[]).unwrap();
        assert_eq!(*db.connection.1.borrow(), ["SELECT count(*) AS n FROM customer"]);
        db.execute("INSERT INTO preference_definition_probe VALUES (1)", &[]).unwrap_err();
        let seen = db.connection.1.borrow().clone();
        let pragmas = super::CONNECTION_PRAGMAS.len();
        assert_eq!(&seen[1..=pragmas], super::CONNECTION_PRAGMAS, "pragmas before the first write");
        assert!(seen[pragmas + 1].starts_with("SELECT max(version)"), "then the schema check: {seen:?}");
        assert_eq!(seen.len(), pragmas + 3, "and nothing twice: {seen:?}");
        db.execute("UPDATE customer SET surname = ?1 WHERE 0", &[Value::from("x")]).unwrap();
        assert_eq!(db.connection.1.borrow().len(), pragmas + 4, "a connection is prepared once");
    }

    #[test]
    fn a_read_on_a_database_behind_the_schema_migrates_it_and_runs_again() {
        use super::{Db, OnDemand};
        let db = OnDemand::new(crate::test_db::TestDb::empty());
        let rows = db.execute("SELECT count(*) AS n FROM customer", &[]).unwrap();
        assert_eq!(rows.first().unwrap().int("n").unwrap(), 0);
        let version = db.execute("SELECT max(version) AS v FROM schema_migration", &[]).unwrap();
        assert_eq!(version.first().unwrap().int("v").unwrap(), crate::migrations::latest_version());
        // A statement that is wrong for other reasons fails as it is, and only once.
        let e = db.execute("SELECT no_column FROM customer", &[]).unwrap_err();
        assert!(e.to_string().contains("no such column"), "{e}");
    }
}
