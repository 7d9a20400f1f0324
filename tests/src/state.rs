//! The per-request store data (`Store<HostState>`) and the per-component environment it
//! points at.
//!
//! Spin gives every request a fresh instance, so everything a guest can open (SQLite
//! connections, key-value stores, WASI streams, HTTP bodies) lives in this store's
//! [`ResourceTable`] and is dropped with it: a connection left inside a transaction by a
//! trapping guest is closed (and the transaction rolled back) when the request ends.

use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use wasmtime::component::ResourceTable;
use wasmtime_wasi::cli::OutputFile;
use wasmtime_wasi::{FsPerms, HostWallClock, WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

use crate::key_value::KeyValueBackend;
use crate::outbound::{AllowedHosts, OutboundPolicy};
use crate::variables::ComponentVariables;

/// What one component is allowed to see, resolved once at start and shared by its requests.
pub struct ComponentEnv {
    /// The component id from spin.toml.
    pub id: Arc<str>,
    /// Its expanded `[component.<id>.variables]`.
    pub variables: ComponentVariables,
    /// Its `sqlite_databases` labels.
    pub sqlite_databases: Vec<String>,
    /// Its `key_value_stores` labels.
    pub key_value_stores: Vec<String>,
    /// Its parsed `allowed_outbound_hosts`.
    pub allowed_outbound_hosts: Arc<AllowedHosts>,
    /// Where `sqlite_db.db` lives (Spin's `.spin/` directory).
    pub state_dir: PathBuf,
    /// The host's key-value backend, when some loaded component declares a store.
    pub key_value: Option<Arc<KeyValueBackend>>,
    /// Test-controlled shift of the guests' wall clock (see `HostConfig::clock_offset_ms`).
    pub clock_offset_ms: Arc<AtomicI64>,
    /// The guests' stdout/stderr destination, when not inherited.
    pub guest_log: Option<OutputFile>,
    /// Its `files` mounts: (directory on the host, path the guest sees it at).
    pub files: Vec<(PathBuf, String)>,
}

/// The real wall clock shifted by the host's offset.
struct ShiftedWallClock(Arc<AtomicI64>);

impl HostWallClock for ShiftedWallClock {
    fn resolution(&self) -> Duration {
        Duration::from_nanos(1)
    }

    fn now(&self) -> Duration {
        let real = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
        let offset = self.0.load(Ordering::Relaxed);
        let shifted = real.as_millis() as i64 + offset;
        let millis = u64::try_from(shifted).unwrap_or(0);
        Duration::from_millis(millis) + Duration::from_nanos(u64::from(real.subsec_nanos() % 1_000_000))
    }
}

/// The data of one request's `Store`.
pub struct HostState {
    /// Resources of WASI, wasi:http and the Spin interfaces.
    pub table: ResourceTable,
    /// WASI p2 context: inherited stdout/stderr, no env, the component's `files` mounts
    /// (read-only), real clocks/randomness.
    pub wasi: WasiCtx,
    /// wasi:http context.
    pub http: WasiHttpCtx,
    /// wasi:http hooks enforcing the component's outbound policy.
    pub outbound: OutboundPolicy,
    /// The component being run.
    pub component: Arc<ComponentEnv>,
}

impl HostState {
    /// Fresh state for one request to `component`.
    pub fn new(component: Arc<ComponentEnv>) -> HostState {
        let mut builder = WasiCtx::builder();
        match &component.guest_log {
            Some(file) => builder.stdout(file.clone()).stderr(file.clone()),
            None => builder.inherit_stdout().inherit_stderr(),
        };
        for (host, guest) in &component.files {
            // Checked at start (`App::load`); a directory removed since then is the only way
            // here, and then the guest finds no file, as on Spin.
            if let Err(e) = builder.preopened_dir(host, guest, FsPerms::ReadOnly) {
                eprintln!("testhost: component {:?}: cannot mount {}: {e}", component.id, host.display());
            }
        }
        let wasi = builder.wall_clock(ShiftedWallClock(component.clock_offset_ms.clone())).build();
        HostState {
            table: ResourceTable::new(),
            wasi,
            http: WasiHttpCtx::new(),
            outbound: OutboundPolicy::new(component.id.clone(), component.allowed_outbound_hosts.clone()),
            component,
        }
    }
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

impl WasiHttpView for HostState {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView { ctx: &mut self.http, table: &mut self.table, hooks: &mut self.outbound }
    }
}

/// Runs blocking SQLite work off the async workers. A guest call into SQLite may wait up to
/// the 5 s busy timeout for another request's write lock; doing that on a tokio worker could
/// stall the very request that holds the lock.
pub async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> wasmtime::Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| wasmtime::Error::msg(format!("blocking host task failed: {e}")))
}
