//! The one seam in front of SQLite: Spin's `fermyon:spin/sqlite@2.0.0` in the components,
//! rusqlite in native tests. The interface has `execute` only (no last-insert-rowid, no
//! change count), so statements use `RETURNING`. What a connection runs besides a request's
//! own statements (settings, schema check, lock waiting, checkpoints) is the connection
//! policy, [`crate::connection`].

pub use crate::connection::Backend;
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

/// The only way into SQLite. Every call is a future, because in a WASIp3 component a host
/// call is one (and several requests share an instance, taking turns at each `.await`); over
/// a synchronous host (spin-sdk 5, rusqlite) the futures are ready at once. They need not be
/// `Send`: a component is single-threaded.
#[allow(async_fn_in_trait)] // the lint asks for a `Send` bound we do not want (see above)
pub trait Db {
    /// Runs one statement.
    async fn execute(&self, sql: &str, params: &[Value]) -> Result<Rows, DbError>;

    /// What this connection talks to: a local SQLite file or a libSQL server, which take
    /// different settings ([`crate::connection`]). By default the engine is asked, one cheap
    /// query ([`crate::connection::probe`]); a connection that knows it (a prepared one, or
    /// an adapter that can only be one of them) answers without asking.
    async fn backend(&self) -> Result<Backend, DbError>
    where
        Self: Sized,
    {
        crate::connection::probe(self).await
    }

    /// Runs `f` in one write transaction. `BEGIN IMMEDIATE` takes the write lock up front,
    /// so two writers never deadlock upgrading a read lock
    /// ([`crate::connection::begin_immediate`] waits for it);
    /// keep the closure short and free of slow work (password hashing, HTTP), because every
    /// other writer waits for it.
    ///
    /// (The future of [`write`] itself, not an `async fn` around it: one state machine less at
    /// each of the many call sites.)
    fn transaction<T, E: From<DbError>>(
        &self,
        f: impl AsyncFnOnce(&Self) -> Result<T, E>,
    ) -> impl Future<Output = Result<T, E>>
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
pub async fn write<D: Db, T, E: From<DbError>>(
    db: &D,
    writes: Writes,
    f: impl AsyncFnOnce(&D) -> Result<T, E>,
) -> Result<T, E> {
    // The transaction around `f` is one function per `Db` (`atomically`), not one copy per
    // call site: `f`'s future reaches it boxed, and says whether it succeeded; its result waits
    // here. (The components' size budget counts every copy; one allocation per write.)
    let mut result = None;
    let outcome = atomically(
        db,
        writes,
        Box::pin(async {
            let r = f(db).await;
            let ok = r.is_ok();
            result = Some(r);
            ok
        }),
    )
    .await;
    match (outcome, result) {
        (Ok(()), Some(result)) => result,
        // `BEGIN` failed (`f` never ran) or `COMMIT` did.
        (Err(e), Some(Ok(_)) | None) => Err(e.into()),
        // `f` failed: its error, after the rollback.
        (_, Some(Err(e))) => Err(e),
        (Ok(()), None) => unreachable!("atomically runs the body unless BEGIN fails"),
    }
}

/// [`write`]'s transaction: `BEGIN IMMEDIATE` when `writes` is several, then `body` (whether
/// it succeeded), then `COMMIT`, or `ROLLBACK` when it failed or the commit did.
async fn atomically<D: Db>(
    db: &D,
    writes: Writes,
    body: std::pin::Pin<Box<dyn Future<Output = bool> + '_>>,
) -> Result<(), DbError> {
    let in_transaction = writes == Writes::Several;
    if in_transaction {
        crate::connection::begin_immediate(db).await?;
    }
    let ok = body.await;
    if !in_transaction {
        return Ok(());
    }
    let result = if ok {
        match db.execute("COMMIT", &[]).await {
            Ok(_) => Ok(()),
            Err(e) => {
                let _ = db.execute("ROLLBACK", &[]).await;
                Err(e)
            }
        }
    } else {
        let _ = db.execute("ROLLBACK", &[]).await;
        Ok(())
    };
    crate::connection::after_transaction(db).await;
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_db::TestDb;

    fn count(db: &TestDb) -> i64 {
        let rows = db.execute("SELECT count(*) AS n FROM t", &[]).block_on().unwrap();
        rows.first().unwrap().int("n").unwrap()
    }

    fn table() -> TestDb {
        let db = TestDb::empty();
        db.execute("CREATE TABLE t (x INTEGER NOT NULL)", &[]).block_on().unwrap();
        db
    }

    #[test]
    fn a_transaction_commits_what_its_closure_wrote_and_returns_its_value() {
        let db = table();
        let out: Result<i64, DbError> = db
            .transaction(async |tx| {
                tx.execute("INSERT INTO t (x) VALUES (1)", &[]).await?;
                tx.execute("INSERT INTO t (x) VALUES (2)", &[]).await?;
                Ok(7)
            })
            .block_on();
        assert_eq!(out, Ok(7));
        assert_eq!(count(&db), 2);
    }

    #[test]
    fn a_failing_closure_rolls_back_and_its_own_error_is_returned() {
        let db = table();
        let out: Result<(), DbError> = db
            .transaction(async |tx| {
                tx.execute("INSERT INTO t (x) VALUES (1)", &[]).await?;
                tx.execute("INSERT INTO t (x) VALUES (NULL)", &[]).await?; // NOT NULL
                Ok(())
            })
            .block_on();
        assert!(matches!(out, Err(DbError::Other(ref m)) if m.contains("NOT NULL")), "{out:?}");
        assert_eq!(count(&db), 0, "the first insert was rolled back");
        db.execute("BEGIN IMMEDIATE", &[]).block_on().expect("no transaction left open");
    }

    #[test]
    fn a_failed_begin_runs_nothing_and_is_returned() {
        let db = table();
        db.execute("BEGIN", &[]).block_on().unwrap(); // BEGIN IMMEDIATE now fails: nested
        let ran = std::cell::Cell::new(false);
        let out: Result<(), DbError> = write(&db, Writes::Several, async |_| {
            ran.set(true);
            Ok(())
        })
        .block_on();
        assert!(out.is_err(), "{out:?}");
        assert!(!ran.get(), "the closure never ran");
    }

    #[test]
    fn a_column_of_the_wrong_type_is_named_not_printed() {
        let rows =
            Rows { columns: vec!["email".into()], rows: vec![vec![Value::Text("kari@example.no".into())]] };
        let Err(DbError::Other(message)) = rows.first().unwrap().int("email") else { panic!("an error") };
        assert_eq!(message, "column email: expected integer, got text");
    }

    #[test]
    fn one_write_runs_without_a_transaction() {
        let db = table();
        let out: Result<(), DbError> = write(&db, Writes::One, async |tx| {
            tx.execute("INSERT INTO t (x) VALUES (1)", &[]).await?;
            tx.execute("INSERT INTO t (x) VALUES (NULL)", &[]).await.map(|_| ())
        })
        .block_on();
        assert!(out.is_err());
        assert_eq!(count(&db), 1, "no rollback: the first statement stands alone");
    }
}
