//! `domain::db::Db` over rusqlite, reading rows with `domain::test_db::rows`, with one switch:
//! statements are prepared afresh per call as in Spin's host (what the benches measure), or
//! taken from rusqlite's statement cache (what the seeding tool uses to be fast).

use domain::db::{Backend, Db, DbError, Rows, Value};
use domain::test_db::{classify, rows, BlockOn};
use std::path::Path;

pub struct SqliteDb {
    pub conn: rusqlite::Connection,
    cached: bool,
}

impl SqliteDb {
    /// A connection as Spin's host opens one (rusqlite's defaults), each statement prepared
    /// afresh. Call [`domain::on_demand::prepare_connection`] on it to set what the service sets.
    pub fn open(path: &Path) -> anyhow::Result<Self> {
        Ok(Self { conn: rusqlite::Connection::open(path)?, cached: false })
    }

    /// A connection that keeps its prepared statements (bulk loading).
    pub fn open_cached(path: &Path) -> anyhow::Result<Self> {
        let conn = rusqlite::Connection::open(path)?;
        conn.set_prepared_statement_cache_capacity(128);
        Ok(Self { conn, cached: true })
    }

    /// Runs statements that return nothing interesting (pragmas, DDL), failing on error.
    pub fn run(&self, sql: &str) -> anyhow::Result<()> {
        self.execute(sql, &[]).block_on().map_err(|e| anyhow::anyhow!("{sql}: {e:?}"))?;
        Ok(())
    }

    /// The first column of the first row as an integer.
    pub fn scalar(&self, sql: &str, params: &[Value]) -> anyhow::Result<i64> {
        let rows = self.execute(sql, params).block_on().map_err(|e| anyhow::anyhow!("{sql}: {e:?}"))?;
        match rows.rows.first().and_then(|r| r.first()) {
            Some(Value::Integer(n)) => Ok(*n),
            other => anyhow::bail!("{sql}: expected an integer, got {other:?}"),
        }
    }
}

impl Db for SqliteDb {
    async fn execute(&self, sql: &str, params: &[Value]) -> Result<Rows, DbError> {
        let result = if self.cached {
            self.conn.prepare_cached(sql).and_then(|mut stmt| rows(&mut stmt, params))
        } else {
            self.conn.prepare(sql).and_then(|mut stmt| rows(&mut stmt, params))
        };
        result.map_err(classify)
    }

    /// rusqlite's bundled SQLite on a file.
    async fn backend(&self) -> Result<Backend, DbError> {
        Ok(Backend::LocalFile)
    }
}
