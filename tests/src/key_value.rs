//! `fermyon:spin/key-value@2.0.0` backed by SQLite, like Spin's default key-value store.
//!
//! Spin keeps the `"default"` store in `.spin/sqlite_key_value.db`, table `spin_key_value`
//! keyed by (store label, key). This host uses the same file and table, one connection per
//! host (as Spin has one per process), so several hosts over the same state directory share
//! the data and SQLite's locking (5 s busy timeout) arbitrates between them. A label the
//! component does not list in `key_value_stores` is `access-denied`; any label other than
//! `"default"` is `no-such-store`.

use std::path::Path;
use std::sync::{Arc, Mutex};

use anyhow::Context;
use rusqlite::OptionalExtension;
use wasmtime::component::Resource;

use crate::bindings::fermyon::spin::key_value::{self, Error};
use crate::state::HostState;

/// The file behind the `"default"` store, relative to the state directory.
pub const KEY_VALUE_FILE: &str = "sqlite_key_value.db";

/// The host's connection to `sqlite_key_value.db`.
pub struct KeyValueBackend {
    connection: Mutex<rusqlite::Connection>,
}

impl KeyValueBackend {
    /// Opens (creating if needed) `<state_dir>/sqlite_key_value.db` and its table.
    pub fn open(state_dir: &Path) -> anyhow::Result<KeyValueBackend> {
        std::fs::create_dir_all(state_dir).with_context(|| format!("creating {}", state_dir.display()))?;
        let path = state_dir.join(KEY_VALUE_FILE);
        let connection =
            rusqlite::Connection::open(&path).with_context(|| format!("opening {}", path.display()))?;
        connection
            .execute(
                "CREATE TABLE IF NOT EXISTS spin_key_value (
                    store TEXT NOT NULL,
                    key   TEXT NOT NULL,
                    value BLOB NOT NULL,
                    PRIMARY KEY (store, key)
                )",
                [],
            )
            .with_context(|| format!("creating table spin_key_value in {}", path.display()))?;
        Ok(KeyValueBackend { connection: Mutex::new(connection) })
    }

    /// Runs `work` on the connection; errors become `other(message)` as in Spin.
    fn with<T>(&self, work: impl FnOnce(&rusqlite::Connection) -> rusqlite::Result<T>) -> Result<T, Error> {
        let connection =
            self.connection.lock().map_err(|_| Error::Other("key-value connection poisoned".to_string()))?;
        work(&connection).map_err(|e| Error::Other(e.to_string()))
    }
}

/// The host side of a guest's `store` resource.
pub struct Store {
    label: String,
    backend: Arc<KeyValueBackend>,
}

impl HostState {
    /// Runs one store operation where the request runs, telling the runtime it blocks
    /// (`block_in_place`), with cached statements: what Spin's SQLite key-value store does
    /// (spin `crates/key-value-spin`), rather than a hand-off to a blocking thread, which
    /// costs a thread switch per call that real Spin does not pay (`scripts/bench`).
    async fn kv<T: Send + 'static>(
        &mut self,
        store: &Resource<Store>,
        work: impl FnOnce(&rusqlite::Connection, &str) -> rusqlite::Result<T> + Send + 'static,
    ) -> wasmtime::Result<Result<T, Error>> {
        let store = self.table.get(store)?;
        let (label, backend) = (store.label.clone(), store.backend.clone());
        Ok(tokio::task::block_in_place(move || backend.with(|connection| work(connection, &label))))
    }
}

impl key_value::Host for HostState {}

impl key_value::HostStore for HostState {
    async fn open(&mut self, label: String) -> wasmtime::Result<Result<Resource<Store>, Error>> {
        if !self.component.key_value_stores.contains(&label) {
            return Ok(Err(Error::AccessDenied));
        }
        let Some(backend) = self.component.key_value.clone().filter(|_| label == "default") else {
            return Ok(Err(Error::NoSuchStore));
        };
        Ok(Ok(self.table.push(Store { label, backend })?))
    }

    async fn get(
        &mut self,
        store: Resource<Store>,
        key: String,
    ) -> wasmtime::Result<Result<Option<Vec<u8>>, Error>> {
        self.kv(&store, move |connection, label| {
            connection
                .prepare_cached("SELECT value FROM spin_key_value WHERE store = ?1 AND key = ?2")?
                .query_row((label, &key), |row| row.get::<_, Vec<u8>>(0))
                .optional()
        })
        .await
    }

    async fn set(
        &mut self,
        store: Resource<Store>,
        key: String,
        value: Vec<u8>,
    ) -> wasmtime::Result<Result<(), Error>> {
        self.kv(&store, move |connection, label| {
            connection
                .prepare_cached(
                    "INSERT INTO spin_key_value (store, key, value) VALUES (?1, ?2, ?3)
                     ON CONFLICT (store, key) DO UPDATE SET value = excluded.value",
                )?
                .execute((label, &key, &value))
                .map(|_| ())
        })
        .await
    }

    async fn delete(&mut self, store: Resource<Store>, key: String) -> wasmtime::Result<Result<(), Error>> {
        self.kv(&store, move |connection, label| {
            connection
                .execute("DELETE FROM spin_key_value WHERE store = ?1 AND key = ?2", (label, &key))
                .map(|_| ())
        })
        .await
    }

    async fn exists(&mut self, store: Resource<Store>, key: String) -> wasmtime::Result<Result<bool, Error>> {
        self.kv(&store, move |connection, label| {
            connection.query_row(
                "SELECT EXISTS (SELECT 1 FROM spin_key_value WHERE store = ?1 AND key = ?2)",
                (label, &key),
                |row| row.get::<_, bool>(0),
            )
        })
        .await
    }

    async fn get_keys(&mut self, store: Resource<Store>) -> wasmtime::Result<Result<Vec<String>, Error>> {
        self.kv(&store, move |connection, label| {
            let mut statement = connection.prepare("SELECT key FROM spin_key_value WHERE store = ?1")?;
            let keys = statement
                .query_map([label], |row| row.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<String>>>();
            keys
        })
        .await
    }

    async fn drop(&mut self, store: Resource<Store>) -> wasmtime::Result<()> {
        self.table.delete(store)?;
        Ok(())
    }
}
