//! A database the service uses, named as an operator names it: a path for a local SQLite file
//! (`.spin/sqlite_db.db`), a URL for a libSQL server (`http://127.0.0.1:8080` for sqld,
//! `libsql://…turso.io` or `https://…` for Turso).

use crate::LibSql;
use domain::db::{Backend, Db, DbError, Rows, Value};
use domain::test_db::TestDb;

pub enum Database {
    /// rusqlite on the file (the service's own rusqlite `Db`).
    File(TestDb),
    LibSql(LibSql),
}

impl Database {
    /// Opens `name`: a URL (`http://`, `https://`, `libsql://`) is a libSQL server, reached
    /// with `token` (any token for a local sqld); anything else is the path of a SQLite file,
    /// which must exist.
    pub fn open(name: &str, token: Option<&str>) -> anyhow::Result<Self> {
        if ["http://", "https://", "libsql://"].iter().any(|scheme| name.starts_with(scheme)) {
            return Ok(Database::LibSql(LibSql::connect(name, token)));
        }
        let path = std::path::Path::new(name);
        anyhow::ensure!(path.is_file(), "{name}: no such database file (or give a libSQL URL)");
        Ok(Database::File(TestDb::open(path)))
    }
}

impl Db for Database {
    async fn execute(&self, sql: &str, params: &[Value]) -> Result<Rows, DbError> {
        match self {
            Database::File(db) => db.execute(sql, params).await,
            Database::LibSql(db) => db.execute(sql, params).await,
        }
    }

    async fn backend(&self) -> Result<Backend, DbError> {
        match self {
            Database::File(db) => db.backend().await,
            Database::LibSql(db) => db.backend().await,
        }
    }
}
