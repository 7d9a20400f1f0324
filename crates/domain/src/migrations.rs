//! Schema management with no manual step: every connection checks the schema version with
//! one cheap query, and the first request that finds the database behind applies the
//! missing migrations itself. Safe when several components (or replicas) take their first
//! request at the same moment: migrating happens under `BEGIN IMMEDIATE`, the version is
//! read again under that lock, and whoever comes second finds nothing left to do. The same
//! path brings a fresh production database (libSQL/Turso behind Spin's runtime config) to
//! the current schema, since it uses nothing but SQL through the `Db` seam. The version is
//! read by the connection's first check ([`Check`], which also tells the backend).

use crate::connection::Transactions;
use crate::db::{probe, Backend, Db, DbError, Value};

/// One numbered SQL file of `migrations/`, embedded at compile time without its comments
/// (`build.rs`).
pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

/// Every migration, in order: `migrations/*.sql`, listed by `build.rs`. Append only: a
/// released migration never changes.
pub const MIGRATIONS: &[Migration] = include!(concat!(env!("OUT_DIR"), "/migrations/list.rs"));

/// The version a fully migrated database has.
pub fn latest_version() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

/// What the first check of a connection found: the schema version and the backend, read by
/// one query ([`Check::run`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Check {
    /// The highest applied migration, 0 for an empty database.
    pub version: i64,
    pub backend: Backend,
}

impl Check {
    /// `SELECT max(version) …, sqlite_source_id() …`: the schema check every connection makes
    /// before its first write, which reads the backend in passing. On a database that has no
    /// schema yet (no `schema_migration`), the engine is asked alone.
    pub async fn run(db: &impl Db) -> Result<Check, DbError> {
        const CHECK: &str =
            "SELECT max(version) AS version, sqlite_source_id() AS engine FROM schema_migration";
        match db.execute(CHECK, &[]).await {
            Ok(rows) => {
                let row =
                    rows.first().ok_or_else(|| DbError::Other("the schema check gave no row".into()))?;
                Ok(Check {
                    version: row.opt_int("version")?.unwrap_or(0),
                    backend: Backend::from_source_id(&row.text("engine")?),
                })
            }
            Err(DbError::Other(message)) if message.contains("no such table") => {
                Ok(Check { version: 0, backend: probe(db).await? })
            }
            Err(e) => Err(e),
        }
    }
}

/// Brings the database to [`latest_version`]; one SELECT when it is there already.
pub async fn ensure_schema(db: &impl Db) -> Result<(), DbError> {
    bring_up_to_date(db, &Check::run(db).await?).await
}

/// Brings the database to [`latest_version`] after the connection's schema check found it at
/// `check.version` (nothing to do when it is there already).
pub(crate) async fn bring_up_to_date(db: &impl Db, check: &Check) -> Result<(), DbError> {
    if check.version >= latest_version() {
        return Ok(());
    }
    if check.backend == Backend::LocalFile {
        // WAL lets readers run while a writer commits; it is stored in the database file, so
        // it is set once, here, outside any transaction. Best effort: a connection that
        // migrates at the same moment may hold the file, and then it sets it. (A libSQL
        // server always writes in WAL mode and refuses the statement.)
        let _ = db.execute("PRAGMA journal_mode = WAL", &[]).await;
    }
    db.transaction(async |db| {
        db.execute(
            "CREATE TABLE IF NOT EXISTS schema_migration (
                 version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
            &[],
        )
        .await?;
        let current = current_version(db).await?; // again, now under the write lock
        for migration in MIGRATIONS.iter().filter(|m| m.version > current) {
            for statement in split_statements(migration.sql) {
                db.execute(&statement, &[]).await?;
            }
            db.execute(
                "INSERT INTO schema_migration (version, name, applied_at)
                 VALUES (?1, ?2, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
                &[Value::Integer(migration.version), Value::Text(migration.name.into())],
            )
            .await?;
        }
        Ok(())
    })
    .await
}

/// Applies the migrations up to `version` only, as a database of an older release has them
/// (tests of a migration's data conversion).
#[cfg(test)]
pub(crate) async fn apply_up_to(db: &impl Db, version: i64) {
    for pragma in crate::connection::LOCAL_FILE_PRAGMAS {
        db.execute(pragma, &[]).await.expect("pragma");
    }
    db.execute("CREATE TABLE schema_migration (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)", &[]).await
        .expect("schema_migration");
    for migration in MIGRATIONS.iter().filter(|m| m.version <= version) {
        for statement in split_statements(migration.sql) {
            db.execute(&statement, &[]).await.expect("an older migration applies");
        }
        db.execute(
            "INSERT INTO schema_migration (version, name, applied_at) VALUES (?1, ?2, 't')",
            &[Value::Integer(migration.version), Value::Text(migration.name.into())],
        )
        .await
        .expect("recording it");
    }
}

/// The highest applied migration, 0 for an empty database.
async fn current_version(db: &impl Db) -> Result<i64, DbError> {
    match db.execute("SELECT max(version) AS version FROM schema_migration", &[]).await {
        Ok(rows) => Ok(rows.first().map(|r| r.opt_int("version")).transpose()?.flatten().unwrap_or(0)),
        Err(DbError::Other(message)) if message.contains("no such table") => Ok(0),
        Err(e) => Err(e),
    }
}

/// Splits a migration file into statements, because the SQLite interface runs one
/// statement per call. A statement ends with `;` at the end of a line; `--` comments and
/// blank lines are dropped. (Our migration files follow that rule; a trigger's body is
/// written on one line, so its inner `;` does not end a line.)
pub fn split_statements(sql: &str) -> Vec<String> {
    let mut statements = Vec::new();
    let mut current = String::new();
    for code in crate::sql_code::code_lines(sql) {
        current.push_str(code);
        current.push('\n');
        if code.ends_with(';') {
            statements.push(current.trim().trim_end_matches(';').to_owned());
            current.clear();
        }
    }
    if !current.trim().is_empty() {
        statements.push(current.trim().to_owned());
    }
    statements
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_db::{BlockOn, TestDb};

    #[test]
    fn statements_split_at_line_ending_semicolons_without_comments() {
        let sql = "-- header\nCREATE TABLE a (\n  x INTEGER -- why x\n);\n\nCREATE INDEX i ON a (x);\n";
        assert_eq!(split_statements(sql), ["CREATE TABLE a (\n  x INTEGER\n)", "CREATE INDEX i ON a (x)"]);
    }

    #[test]
    fn an_empty_database_is_brought_to_the_latest_version() {
        let db = TestDb::empty();
        ensure_schema(&db).block_on().unwrap();
        assert_eq!(current_version(&db).block_on().unwrap(), latest_version());
        db.execute("SELECT customer_number FROM customer", &[]).block_on().unwrap();
    }

    #[test]
    fn migrating_twice_changes_nothing() {
        let db = TestDb::empty();
        ensure_schema(&db).block_on().unwrap();
        ensure_schema(&db).block_on().unwrap();
        let rows = db.execute("SELECT count(*) AS n FROM schema_migration", &[]).block_on().unwrap();
        assert_eq!(rows.first().unwrap().int("n").unwrap(), MIGRATIONS.len() as i64);
    }

    #[test]
    fn migration_versions_are_increasing_and_named_after_their_file() {
        for pair in MIGRATIONS.windows(2) {
            assert!(pair[0].version < pair[1].version);
        }
        for m in MIGRATIONS {
            assert!(m.name.starts_with(&format!("{:04}_", m.version)), "{}", m.name);
        }
    }

    #[test]
    fn concurrent_first_connections_migrate_exactly_once() {
        let dir = std::env::temp_dir().join(format!("migrate-race-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("race.db");
        let _ = std::fs::remove_file(&path);
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let path = path.clone();
                std::thread::spawn(move || {
                    let db = TestDb::open(&path);
                    db.execute("PRAGMA busy_timeout = 5000", &[]).block_on().unwrap();
                    ensure_schema(&db).block_on()
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap().expect("no first request fails while another migrates");
        }
        let db = TestDb::open(&path);
        let rows = db.execute("SELECT count(*) AS n FROM schema_migration", &[]).block_on().unwrap();
        assert_eq!(rows.first().unwrap().int("n").unwrap(), MIGRATIONS.len() as i64);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
