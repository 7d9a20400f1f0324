//! Connection policy: what a connection runs besides a request's own statements (settings,
//! write transactions and waiting for the write lock, checkpoints), and which backend takes
//! what. The schema check is [`crate::migrations`]'s; preparing a request's connection on
//! demand (settings, then the migrations) is [`crate::on_demand`]'s.
//!
//! Spin opens a connection to the `default` database for each request. Behind it is a local
//! SQLite file (`spin up`, the test host; Spin's host is rusqlite) or a libSQL server (sqld,
//! Turso: `type = "libsql"` in the runtime config), and the two take different settings:
//!
//! - `PRAGMA foreign_keys = ON` is per connection in SQLite; libSQL has foreign keys on by
//!   default and accepts the statement. Both get it.
//! - `secure_delete`, `synchronous`, `busy_timeout`, `journal_mode`, `cache_size`,
//!   `wal_autocheckpoint` and every `wal_checkpoint(...)` concern the file, its log and its
//!   locks. On a local file the service sets them ([`LOCAL_FILE_PRAGMAS`], [`begin_immediate`],
//!   [`checkpoint`], [`local_file_only`]). A libSQL server owns its file and refuses each of
//!   them ("unsupported statement", from Spin's libSQL client and from sqld alike), so they
//!   are never sent to it: sqld writes in WAL mode, waits for the write lock on the server,
//!   and checkpoints on its own schedule.
//!
//! Which of the two a connection talks to is decided once per connection, by the engine
//! itself: `sqlite_source_id()`, read by the schema check that runs before the first write
//! anyway ([`crate::migrations::Check`]), so knowing it costs no statement. libSQL is a fork
//! of SQLite and says so the way SQLite asks forks to: its source id ends in `alt1` where SQLite's ends in the
//! last hex digits of its check-in hash (sqld 0.24.33, as Spin's libSQL client reports it:
//! `2024-10-21 16:30:22 03a9…6f82alt1`; a local file under Spin 4.1, rusqlite's bundled
//! SQLite 3.49.1: `2025-02-18 13:38:58 873d…0e70`). Nothing is decided by trying a statement
//! and swallowing its error. Were a local file ever served by a libSQL engine, it would be
//! taken for a server and lose `secure_delete`: the end-to-end test that reads the file for
//! erased bytes (`tests/api/backups.rs`) runs on real Spin over a local file in CI.

use crate::db::{Backend, Db, DbError};
use std::future::Future;
use std::time::Duration;

/// What every new connection to `backend` sets before its first write.
pub fn pragmas(backend: Backend) -> &'static [&'static str] {
    match backend {
        Backend::LocalFile => &LOCAL_FILE_PRAGMAS,
        Backend::LibSql => &LIBSQL_PRAGMAS,
    }
}

/// Settings SQLite keeps per connection, so every connection to a local file sets them (one
/// cheap statement each; Spin opens a new connection per request). Why each one:
/// - `foreign_keys`: child rows (addresses, consents, ...) go with their customer;
/// - `secure_delete`: erased personal data is overwritten, not left in free pages (§5);
/// - `synchronous = NORMAL`: in WAL mode a commit needs no fsync, yet stays durable
///   against a process crash (platform notes: the write floor);
///
/// Not `busy_timeout`: statements wait up to 5 s for a lock by default in Spin's SQLite
/// (rusqlite's default) and in the tests' (rusqlite too), and a write transaction waits for
/// the write lock in [`begin_immediate`]'s shorter attempts and sets the 5 s back after it.
pub const LOCAL_FILE_PRAGMAS: [&str; 3] =
    ["PRAGMA foreign_keys = ON", "PRAGMA secure_delete = ON", "PRAGMA synchronous = NORMAL"];

/// The same for a libSQL server: it has foreign keys on by default, and says so only for
/// itself; the statement is accepted and keeps us independent of how it was built. It
/// refuses the other two (secure deletion on libSQL: docs/data.md, "Erasure and backups").
const LIBSQL_PRAGMAS: [&str; 1] = ["PRAGMA foreign_keys = ON"];

/// Runs statements only a local file takes (and needs): a libSQL server refuses them, and
/// manages what they set itself. E.g. the purge's page cache.
pub async fn local_file_only(db: &impl Db, statements: &[&str]) -> Result<(), DbError> {
    if db.backend().await? == Backend::LocalFile {
        for statement in statements {
            db.execute(statement, &[]).await?;
        }
    }
    Ok(())
}

/// How long a statement waits for a lock by default in Spin's SQLite (rusqlite's 5 s), set
/// back after a transaction's shorter attempts ([`begin_immediate`]).
const BUSY_TIMEOUT: &str = "PRAGMA busy_timeout = 5000";

/// How long to wait for the write lock.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// Takes the write lock (`BEGIN IMMEDIATE`), waiting for it up to [`LOCK_WAIT`]. On a local
/// file in attempts of 10 ms: SQLite's busy handler backs off to sleeps of 100 ms, so a writer
/// that was unlucky a few times sleeps through many moments the lock is free while newer
/// writers take it: at 16 connections creating profiles that made p99 875 ms; attempts of
/// 10 ms (within which SQLite retries after 1, 3 and 8 ms) brought it to about 200 ms
/// (`scripts/bench`). The caller restores the busy timeout once the lock is released again
/// ([`after_transaction`]). A libSQL server queues `BEGIN IMMEDIATE` itself until the lock is
/// free (and ends a transaction held open longer than 5 s), so there it is one statement.
pub async fn begin_immediate(db: &impl Db) -> Result<(), DbError> {
    if db.backend().await? == Backend::LocalFile {
        db.execute("PRAGMA busy_timeout = 10", &[]).await?;
    }
    while_locked(db, Duration::ZERO, async || db.execute("BEGIN IMMEDIATE", &[]).await).await.map(|_| ())
}

/// Runs `attempt` again while it finds the write lock taken, pausing `pause` between attempts,
/// up to [`LOCK_WAIT`]: how both [`begin_immediate`] and a libSQL statement of its own
/// ([`crate::on_demand::OnDemand`]) wait for the lock, pausing with [`Db::pause`] (which lets
/// the other requests of a WASIp3 instance go on).
pub(crate) async fn while_locked<T>(
    db: &impl Db,
    pause: Duration,
    attempt: impl AsyncFn() -> Result<T, DbError>,
) -> Result<T, DbError> {
    let started = std::time::Instant::now();
    loop {
        match attempt().await {
            Err(DbError::Other(message)) if is_busy(&message) && started.elapsed() < LOCK_WAIT => {
                db.pause(pause).await
            }
            other => return other,
        }
    }
}

/// Back to the connection's busy timeout, now that the write lock is released (a local file
/// only: see [`begin_immediate`]).
pub async fn after_transaction(db: &impl Db) {
    if matches!(db.backend().await, Ok(Backend::LocalFile)) {
        let _ = db.execute(BUSY_TIMEOUT, &[]).await;
    }
}

/// Moves a local file's write-ahead log into the database file and truncates it, so old
/// versions of erased rows do not linger there (§5). Best effort: with readers active SQLite
/// checkpoints what it can, and a later checkpoint finishes the job. A libSQL server refuses
/// checkpoint requests and checkpoints on its own schedule (docs/data.md, "Erasure and backups").
pub async fn checkpoint(db: &impl Db) {
    if matches!(db.backend().await, Ok(Backend::LocalFile)) {
        let _ = db.execute("PRAGMA wal_checkpoint(TRUNCATE)", &[]).await;
    }
}

/// A checkpoint of what no reader needs, without waiting and without truncating the log
/// (between the batches of a long purge): a local file only, like [`checkpoint`].
pub async fn checkpoint_passive(db: &impl Db) {
    if matches!(db.backend().await, Ok(Backend::LocalFile)) {
        let _ = db.execute("PRAGMA wal_checkpoint(PASSIVE)", &[]).await;
    }
}

// A libSQL server's cancellation (`errors::INTERRUPTED`, where it is described): a statement
// that ran on its own (autocommit) is run once more (`on_demand`); inside a transaction SQLite
// rolls the whole transaction back, so there it is an error like any other (503, retryable).
// `is_busy`: SQLite's text for SQLITE_BUSY (and SQLITE_LOCKED).
pub(crate) use errors::{is_busy, INTERRUPTED};

/// Whether `e` is a libSQL server's cancellation ([`INTERRUPTED`]): the statement, and the
/// transaction it was in, had no effect.
pub fn is_interrupted(e: &DbError) -> bool {
    matches!(e, DbError::Other(message) if message == INTERRUPTED)
}

/// Write transactions, on every connection (`use domain::connection::Transactions`). Policy,
/// not the seam: how a transaction takes the write lock depends on the backend.
pub trait Transactions: Db + Sized {
    /// Runs `f` in one write transaction. `BEGIN IMMEDIATE` takes the write lock up front,
    /// so two writers never deadlock upgrading a read lock
    /// ([`begin_immediate`] waits for it);
    /// keep the closure short and free of slow work (password hashing, HTTP), because every
    /// other writer waits for it.
    ///
    /// (The future of [`write`] itself, not an `async fn` around it: one state machine less at
    /// each of the many call sites.)
    fn transaction<T, E: From<DbError>>(
        &self,
        f: impl AsyncFnOnce(&Self) -> Result<T, E>,
    ) -> impl Future<Output = Result<T, E>> {
        write(self, Writes::Several, f)
    }
}

impl<D: Db> Transactions for D {}

/// How many statements a write makes, for [`write`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writes {
    /// One statement (with what its triggers write): atomic by itself.
    One,
    /// Several: they need a transaction.
    Several,
}

/// Runs the writes of `f` atomically. Several statements run in one transaction
/// ([`Transactions::transaction`]). One runs on its own: it is atomic by itself, and it holds the write
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
        begin_immediate(db).await?;
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
    after_transaction(db).await;
    result
}

#[cfg(test)]
mod write_tests {
    use super::*;
    use crate::db::{Rows, Value};
    use crate::test_db::{BlockOn, TestDb};

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
