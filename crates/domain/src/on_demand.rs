//! A request's connection, prepared on demand ([`OnDemand`]): the connection policy's
//! settings ([`crate::connection`]) and the schema's migrations ([`crate::migrations`]) run
//! on it just before the first statement that needs them. What the components and the tools
//! open: [`OnDemand`] for a request, [`prepare_connection`] for a connection that is
//! prepared at once.

use crate::connection::{self, is_busy, while_locked, INTERRUPTED};
use crate::db::{Backend, Db, DbError, Rows, Value};
use crate::migrations::{bring_up_to_date, Check};
use std::time::Duration;

/// Prepares a freshly opened connection: the schema check (which also reads the backend),
/// the backend's connection settings, then the migrations if the schema is behind (one query
/// in all when it is current; see [`crate::migrations`]).
pub async fn prepare_connection(db: &impl Db) -> Result<Backend, DbError> {
    let check = Check::run(db).await?;
    apply(&Known { connection: db, backend: check.backend }, &check).await?;
    Ok(check.backend)
}

/// The backend's settings and the migrations, on a connection whose backend the check read.
async fn apply(db: &impl Db, check: &Check) -> Result<(), DbError> {
    for pragma in connection::pragmas(check.backend) {
        db.execute(pragma, &[]).await?;
    }
    bring_up_to_date(db, check).await
}

/// A connection whose backend is known already, so that what runs on it asks no more.
struct Known<'a, D> {
    connection: &'a D,
    backend: Backend,
}

impl<D: Db> Db for Known<'_, D> {
    fn execute(
        &self,
        sql: &str,
        params: &[Value],
    ) -> impl std::future::Future<Output = Result<Rows, DbError>> {
        self.connection.execute(sql, params)
    }

    async fn backend(&self) -> Result<Backend, DbError> {
        Ok(self.backend)
    }

    async fn pause(&self, duration: Duration) {
        self.connection.pause(duration).await
    }
}

/// Whether a statement may write, so the connection must be prepared before it runs:
/// everything but a plain `SELECT` (`BEGIN IMMEDIATE`, an `INSERT`, a `PRAGMA`).
/// `foreign_keys` must be set outside a transaction, which holds since `BEGIN` itself counts.
pub fn may_write(sql: &str) -> bool {
    !first_word(sql).eq_ignore_ascii_case("select")
}

fn first_word(sql: &str) -> &str {
    sql.trim_start().split(|c: char| !c.is_ascii_alphabetic()).next().unwrap_or("")
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
    /// What the connection talks to, known once it is prepared.
    backend: std::cell::Cell<Option<Backend>>,
    /// Whether an explicit transaction is open (between `BEGIN …` and `COMMIT`/`ROLLBACK`).
    in_transaction: std::cell::Cell<bool>,
}

impl<D: Db> OnDemand<D> {
    pub fn new(connection: D) -> Self {
        Self { connection, backend: std::cell::Cell::new(None), in_transaction: std::cell::Cell::new(false) }
    }

    /// Runs a statement that found the write lock taken again until it gets it, up to
    /// [`LOCK_WAIT`]. A libSQL server answers "database is locked" to a statement of its own
    /// (autocommit) after well under a second when another connection holds the lock (seen at
    /// 0.5 to 0.9 s while a purge ran), where a local file waits out its 5 s busy timeout
    /// before saying so. A statement that did not get the lock did nothing, so running it
    /// again is safe; inside a transaction it is not, and [`begin_immediate`] waits there.
    async fn wait_for_lock(&self, sql: &str, params: &[Value]) -> Result<Rows, DbError> {
        const PAUSE: Duration = Duration::from_millis(10);
        self.connection.pause(PAUSE).await;
        while_locked(&self.connection, PAUSE, async || self.connection.execute(sql, params).await).await
    }

    /// Whether an explicit transaction is open on the connection (a pool must not hand such
    /// a connection to another request).
    pub fn in_transaction(&self) -> bool {
        self.in_transaction.get()
    }

    /// Preparing runs its statements on the connection itself, with its backend known (not
    /// through `self`, which would make `execute` an endlessly recursive future).
    async fn prepare(&self) -> Result<Backend, DbError> {
        let check = Check::run(&self.connection).await?;
        self.backend.set(Some(check.backend));
        let known = Known { connection: &self.connection, backend: check.backend };
        match apply(&known, &check).await {
            // A migration interrupted by a libSQL server ([`INTERRUPTED`]) was rolled back as a
            // whole; it starts again from the version found under the lock.
            Err(DbError::Other(message)) if message == INTERRUPTED => {
                apply(&known, &Check::run(&known).await?).await?
            }
            other => other?,
        }
        Ok(check.backend)
    }
}

impl<D: Db> Db for OnDemand<D> {
    async fn execute(&self, sql: &str, params: &[Value]) -> Result<Rows, DbError> {
        if self.backend.get().is_none() && may_write(sql) {
            self.prepare().await?;
        }
        let result = match self.connection.execute(sql, params).await {
            Err(DbError::Other(message)) if self.backend.get().is_none() && schema_is_behind(&message) => {
                self.prepare().await?;
                self.connection.execute(sql, params).await
            }
            Err(DbError::Other(message)) if message == INTERRUPTED && !self.in_transaction.get() => {
                self.connection.execute(sql, params).await
            }
            Err(DbError::Other(message))
                if is_busy(&message)
                    && !self.in_transaction.get()
                    && self.backend.get() == Some(Backend::LibSql) =>
            {
                self.wait_for_lock(sql, params).await
            }
            other => other,
        };
        // A failed COMMIT leaves the transaction open; a ROLLBACK ends it either way.
        let word = first_word(sql);
        let is = |keyword: &str| word.eq_ignore_ascii_case(keyword);
        if is("BEGIN") && result.is_ok() {
            self.in_transaction.set(true);
        } else if is("ROLLBACK") || ((is("COMMIT") || is("END")) && result.is_ok()) {
            self.in_transaction.set(false);
        }
        result
    }

    async fn backend(&self) -> Result<Backend, DbError> {
        match self.backend.get() {
            Some(backend) => Ok(backend),
            None => self.prepare().await,
        }
    }
    async fn pause(&self, duration: Duration) {
        self.connection.pause(duration).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connection::{
        checkpoint, checkpoint_passive, local_file_only, Transactions, LOCAL_FILE_PRAGMAS,
    };
    use crate::db::probe;
    use crate::test_db::{BlockOn, TestDb};

    /// A connection that interrupts, once, the first statement that contains `interrupt`.
    struct Interrupting {
        db: TestDb,
        interrupt: std::cell::Cell<Option<&'static str>>,
        seen: std::cell::RefCell<Vec<String>>,
    }

    impl Interrupting {
        fn runs_of(&self, text: &str) -> usize {
            self.seen.borrow().iter().filter(|s| s.contains(text)).count()
        }
    }

    impl Db for Interrupting {
        async fn execute(&self, sql: &str, params: &[Value]) -> Result<crate::db::Rows, DbError> {
            self.seen.borrow_mut().push(sql.to_owned());
            if self.interrupt.get().is_some_and(|text| sql.contains(text)) {
                self.interrupt.set(None);
                return Err(DbError::Other(INTERRUPTED.into()));
            }
            self.db.execute(sql, params).await
        }
    }

    #[test]
    fn an_interrupted_statement_runs_again_only_outside_a_transaction() {
        let db = OnDemand::new(Interrupting {
            db: TestDb::new(),
            interrupt: Default::default(),
            seen: Default::default(),
        });
        db.execute("SELECT 1", &[]).block_on().unwrap();
        db.connection.interrupt.set(Some("count(*)"));
        db.execute("SELECT count(*) FROM customer", &[]).block_on().unwrap();
        assert_eq!(db.connection.runs_of("count(*)"), 2, "run again once");

        db.execute("BEGIN IMMEDIATE", &[]).block_on().unwrap();
        db.connection.interrupt.set(Some("DELETE"));
        let e = db.execute("DELETE FROM customer", &[]).block_on().unwrap_err();
        assert_eq!(e, DbError::Other(INTERRUPTED.into()), "not inside a transaction");
        db.execute("ROLLBACK", &[]).block_on().unwrap();
        db.connection.interrupt.set(Some("DELETE"));
        db.execute("DELETE FROM customer", &[]).block_on().unwrap();
    }

    /// A connection whose next `busy` statements find the write lock taken.
    struct Locked {
        db: TestDb,
        busy: std::cell::Cell<usize>,
        runs: std::cell::Cell<usize>,
    }

    impl Db for Locked {
        async fn execute(&self, sql: &str, params: &[Value]) -> Result<crate::db::Rows, DbError> {
            self.runs.set(self.runs.get() + 1);
            if self.busy.get() > 0 {
                self.busy.set(self.busy.get() - 1);
                return Err(DbError::Other("database is locked".into()));
            }
            self.db.execute(sql, params).await
        }
    }

    #[test]
    fn on_libsql_a_statement_of_its_own_waits_for_the_write_lock() {
        let db =
            OnDemand::new(Locked { db: TestDb::new(), busy: Default::default(), runs: Default::default() });
        db.backend.set(Some(Backend::LibSql));
        db.connection.busy.set(3);
        db.execute("DELETE FROM customer", &[]).block_on().unwrap();
        assert_eq!(db.connection.runs.get(), 4, "three refusals, then it ran");

        db.execute("BEGIN IMMEDIATE", &[]).block_on().unwrap();
        db.connection.busy.set(1);
        db.execute("DELETE FROM customer", &[]).block_on().unwrap_err(); // inside a transaction: an error
        db.execute("ROLLBACK", &[]).block_on().unwrap();

        let local =
            OnDemand::new(Locked { db: TestDb::new(), busy: Default::default(), runs: Default::default() });
        local.backend.set(Some(Backend::LocalFile));
        local.connection.busy.set(1);
        local.execute("DELETE FROM customer", &[]).block_on().unwrap_err(); // a local file waited 5 s already
    }

    #[test]
    fn an_interrupted_migration_is_rolled_back_and_runs_again() {
        let db = OnDemand::new(Interrupting {
            db: TestDb::empty(),
            interrupt: std::cell::Cell::new(Some("CREATE TABLE customer (")),
            seen: Default::default(),
        });
        db.execute("INSERT INTO customer_probe VALUES (1)", &[]).block_on().unwrap_err(); // prepares first
        assert_eq!(db.connection.runs_of("CREATE TABLE customer ("), 2, "the migration ran again");
        let version = db.execute("SELECT max(version) AS v FROM schema_migration", &[]).block_on().unwrap();
        assert_eq!(version.first().unwrap().int("v").unwrap(), crate::migrations::latest_version());
    }

    #[test]
    fn libsql_and_a_local_file_are_told_apart_by_the_engines_source_id() {
        // As Spin 4.1 reports them: sqld 0.24.33 through the libSQL client, and a local file.
        let sqld = "2024-10-21 16:30:22 03a9703e27c44437c39363d0baf82db4ebc94538a0f28411c85dda156f82alt1";
        let local = "2025-02-18 13:38:58 873d4e274b4988d260ba8354a9718324a1c26187a4ab4c1cc0227c03d0f10e70";
        assert_eq!(Backend::from_source_id(sqld), Backend::LibSql);
        assert_eq!(Backend::from_source_id(local), Backend::LocalFile);
        assert_eq!(
            probe(&TestDb::empty()).block_on().unwrap(),
            Backend::LocalFile,
            "rusqlite's SQLite is a local file"
        );
    }

    #[test]
    fn a_libsql_connection_is_sent_none_of_the_statements_it_refuses() {
        // What sqld refuses (as Spin's libSQL client reports it: "unsupported statement").
        let refused = ["secure_delete", "synchronous", "busy_timeout", "journal_mode", "cache_size", "wal_"];
        let db = OnDemand::new(AsLibSql(Recorded::new(TestDb::empty())));
        db.execute("INSERT INTO customer_probe VALUES (1)", &[]).block_on().unwrap_err(); // prepares: migrates
        db.transaction(async |tx| tx.execute("UPDATE customer SET surname = 'x' WHERE 0", &[]).await)
            .block_on()
            .unwrap();
        local_file_only(&db, &["PRAGMA cache_size = -65536"]).block_on().unwrap();
        checkpoint(&db).block_on();
        checkpoint_passive(&db).block_on();
        let seen = db.connection.0.statements();
        assert!(seen.iter().any(|s| s.starts_with("CREATE TABLE")), "it migrated: {seen:?}");
        assert!(seen.contains(&"PRAGMA foreign_keys = ON".to_owned()), "{seen:?}");
        for statement in &seen {
            assert!(!refused.iter().any(|r| statement.contains(r)), "sent to libSQL: {statement}");
        }
        let local = OnDemand::new(Recorded::new(TestDb::empty()));
        local
            .transaction(async |tx| tx.execute("UPDATE customer SET surname = 'x' WHERE 0", &[]).await)
            .block_on()
            .unwrap();
        checkpoint(&local).block_on();
        let seen = local.connection.statements();
        for expected in ["PRAGMA secure_delete = ON", "PRAGMA journal_mode = WAL", "PRAGMA busy_timeout = 10"]
        {
            assert!(seen.contains(&expected.to_owned()), "a local file gets {expected}: {seen:?}");
        }
        assert!(seen.contains(&"PRAGMA wal_checkpoint(TRUNCATE)".to_owned()), "{seen:?}");
    }

    #[test]
    fn the_schema_check_reads_the_backend_on_an_empty_and_on_a_migrated_database() {
        let empty = TestDb::empty();
        assert_eq!(Check::run(&empty).block_on().unwrap(), Check { version: 0, backend: Backend::LocalFile });
        let migrated = TestDb::new();
        let check = Check::run(&migrated).block_on().unwrap();
        assert_eq!(
            check,
            Check { version: crate::migrations::latest_version(), backend: Backend::LocalFile }
        );
    }

    #[test]
    fn a_transaction_waits_for_another_writer_and_leaves_the_busy_timeout_as_it_was() {
        let dir = std::env::temp_dir().join(format!("begin-wait-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("wait.db");
        let _ = std::fs::remove_file(&path);
        let first = TestDb::open(&path);
        first.execute("PRAGMA journal_mode = WAL", &[]).block_on().unwrap();
        first.execute("CREATE TABLE t (x INTEGER)", &[]).block_on().unwrap();
        first.execute("BEGIN IMMEDIATE", &[]).block_on().unwrap();
        let waiter = std::thread::spawn(move || {
            let second = TestDb::open(&path);
            let started = std::time::Instant::now();
            second
                .transaction(async |tx| tx.execute("INSERT INTO t VALUES (2)", &[]).await)
                .block_on()
                .unwrap();
            let timeout = second.execute("PRAGMA busy_timeout", &[]).block_on().unwrap();
            (started.elapsed(), timeout.rows[0][0].clone())
        });
        std::thread::sleep(std::time::Duration::from_millis(300));
        first.execute("INSERT INTO t VALUES (1)", &[]).block_on().unwrap();
        first.execute("COMMIT", &[]).block_on().unwrap();
        let (waited, timeout) = waiter.join().unwrap();
        assert!(waited >= std::time::Duration::from_millis(250), "{waited:?}");
        assert_eq!(timeout, Value::Integer(5000));
        let rows = first.execute("SELECT count(*) AS n FROM t", &[]).block_on().unwrap();
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
    struct Recorded(TestDb, std::cell::RefCell<Vec<String>>);

    impl Recorded {
        fn new(db: TestDb) -> Self {
            Self(db, Default::default())
        }

        fn statements(&self) -> Vec<String> {
            self.1.borrow().clone()
        }
    }

    impl Db for Recorded {
        async fn execute(&self, sql: &str, params: &[Value]) -> Result<crate::db::Rows, DbError> {
            self.1.borrow_mut().push(sql.split_whitespace().collect::<Vec<_>>().join(" "));
            self.0.execute(sql, params).await
        }
    }

    /// A connection whose engine says it is libSQL, as sqld's does.
    struct AsLibSql(Recorded);

    impl Db for AsLibSql {
        async fn execute(&self, sql: &str, params: &[Value]) -> Result<crate::db::Rows, DbError> {
            let sql = sql.replace("sqlite_source_id()", "'2024-10-21 16:30:22 03a9alt1'");
            self.0.execute(&sql, params).await
        }
    }

    #[test]
    fn a_read_only_request_runs_only_its_own_statements_and_a_write_prepares_first() {
        let db = OnDemand::new(Recorded::new(TestDb::new()));
        db.execute("SELECT count(*) AS n FROM customer", &[]).block_on().unwrap();
        assert_eq!(db.connection.statements(), ["SELECT count(*) AS n FROM customer"]);
        db.execute("INSERT INTO preference_definition_probe VALUES (1)", &[]).block_on().unwrap_err();
        let seen = db.connection.statements();
        assert!(seen[1].starts_with("SELECT max(version)"), "first the schema check: {seen:?}");
        let pragmas = LOCAL_FILE_PRAGMAS.len();
        assert_eq!(&seen[2..2 + pragmas], LOCAL_FILE_PRAGMAS, "then the pragmas, before the first write");
        assert_eq!(seen.len(), pragmas + 3, "and nothing twice: {seen:?}");
        db.execute("UPDATE customer SET surname = ?1 WHERE 0", &[Value::from("x")]).block_on().unwrap();
        assert_eq!(db.connection.statements().len(), pragmas + 4, "a connection is prepared once");
    }

    #[test]
    fn a_read_on_a_database_behind_the_schema_migrates_it_and_runs_again() {
        let db = OnDemand::new(TestDb::empty());
        let rows = db.execute("SELECT count(*) AS n FROM customer", &[]).block_on().unwrap();
        assert_eq!(rows.first().unwrap().int("n").unwrap(), 0);
        let version = db.execute("SELECT max(version) AS v FROM schema_migration", &[]).block_on().unwrap();
        assert_eq!(version.first().unwrap().int("v").unwrap(), crate::migrations::latest_version());
        // A statement that is wrong for other reasons fails as it is, and only once.
        let e = db.execute("SELECT no_column FROM customer", &[]).block_on().unwrap_err();
        assert!(e.to_string().contains("no such column"), "{e}");
    }
}
