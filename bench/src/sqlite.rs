//! `domain::db::Db` over rusqlite, like `crates/domain/src/test_db.rs`, with one switch:
//! statements are prepared afresh per call as in Spin's host (what the benches measure), or
//! taken from rusqlite's statement cache (what the seeding tool uses to be fast).

use domain::db::{Db, DbError, Rows, Value};
use rusqlite::types::ValueRef;
use std::path::Path;

pub struct SqliteDb {
    pub conn: rusqlite::Connection,
    cached: bool,
}

impl SqliteDb {
    /// A connection as Spin's host opens one (rusqlite's defaults), each statement prepared
    /// afresh. Call [`domain::db::prepare_connection`] on it to set what the service sets.
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
        self.execute(sql, &[]).map_err(|e| anyhow::anyhow!("{sql}: {e:?}"))?;
        Ok(())
    }

    /// The first column of the first row as an integer.
    pub fn scalar(&self, sql: &str, params: &[Value]) -> anyhow::Result<i64> {
        let rows = self.execute(sql, params).map_err(|e| anyhow::anyhow!("{sql}: {e:?}"))?;
        match rows.rows.first().and_then(|r| r.first()) {
            Some(Value::Integer(n)) => Ok(*n),
            other => anyhow::bail!("{sql}: expected an integer, got {other:?}"),
        }
    }
}

fn to_sql(value: &Value) -> rusqlite::types::Value {
    match value {
        Value::Integer(i) => rusqlite::types::Value::Integer(*i),
        Value::Real(r) => rusqlite::types::Value::Real(*r),
        Value::Text(t) => rusqlite::types::Value::Text(t.clone()),
        Value::Blob(b) => rusqlite::types::Value::Blob(b.clone()),
        Value::Null => rusqlite::types::Value::Null,
    }
}

fn collect(stmt: &mut rusqlite::Statement<'_>, params: &[Value]) -> rusqlite::Result<Rows> {
    let columns: Vec<String> = stmt.column_names().into_iter().map(str::to_owned).collect();
    let mut rows = stmt.query(rusqlite::params_from_iter(params.iter().map(to_sql)))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let mut values = Vec::with_capacity(columns.len());
        for i in 0..columns.len() {
            values.push(match row.get_ref(i)? {
                ValueRef::Integer(i) => Value::Integer(i),
                ValueRef::Real(r) => Value::Real(r),
                ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
                ValueRef::Blob(b) => Value::Blob(b.to_vec()),
                ValueRef::Null => Value::Null,
            });
        }
        out.push(values);
    }
    Ok(Rows { columns, rows: out })
}

impl Db for SqliteDb {
    fn execute(&self, sql: &str, params: &[Value]) -> Result<Rows, DbError> {
        let result = if self.cached {
            self.conn.prepare_cached(sql).and_then(|mut stmt| collect(&mut stmt, params))
        } else {
            self.conn.prepare(sql).and_then(|mut stmt| collect(&mut stmt, params))
        };
        result.map_err(|e| errors::classify(e.to_string()))
    }
}
