//! `testhost`: runs the real Spin components (`.wasm`) of a `spin.toml` with Spin's
//! semantics, on crates.io's wasmtime, so the end-to-end tests, benchmarks and schemathesis
//! exercise the same binaries Spin would run, without the `spin` CLI.
//!
//! What is mirrored from Spin, one module each: the manifest ([`manifest`]), variables
//! ([`variables`]), routing and `spin-*` headers ([`routes`]), per-request instances
//! ([`server`]), `fermyon:spin/sqlite@2.0.0` ([`sqlite`]), `fermyon:spin/key-value@2.0.0`
//! ([`key_value`]) and `allowed_outbound_hosts` ([`outbound`]).

pub mod app;
pub mod bindings;
pub mod compile;
pub mod imports;
pub mod key_value;
pub mod manifest;
pub mod outbound;
pub mod routes;
pub mod server;
pub mod sqlite;
pub mod state;
pub mod variables;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use anyhow::{Context, Result};
use tokio::sync::oneshot;

pub use imports::component_imports;

/// How to run an application, like the arguments of `spin up`.
#[derive(Debug, Clone)]
pub struct HostConfig {
    /// Path to spin.toml; component `source` paths are relative to its directory.
    pub manifest: PathBuf,
    /// Like Spin's `.spin/`: holds `sqlite_db.db` (database "default") and
    /// `sqlite_key_value.db` (key-value store "default").
    pub state_dir: PathBuf,
    /// Application variable overrides, like `spin up --variable k=v`.
    pub variables: HashMap<String, String>,
    /// Selective deployment, like `spin up --component-id X`: only these components are
    /// loaded and routed. `None` loads all.
    pub components: Option<Vec<String>>,
    /// Where to listen; `127.0.0.1:0` picks a free port.
    pub listen: SocketAddr,
    /// Milliseconds added to the guests' wall clock (`wasi:clocks/wall-clock`). Tests move
    /// time forward through it instead of sleeping (token expiry, JWKS refetch intervals,
    /// profile expiry). Real Spin has no such knob; it stays 0 outside tests.
    pub clock_offset_ms: Arc<std::sync::atomic::AtomicI64>,
    /// Where the guests' stdout and stderr go (appended); `None` inherits the host's, as
    /// `spin up` does. Tests point it at a file so they can read the log lines.
    pub guest_log: Option<PathBuf>,
}

impl HostConfig {
    /// All components, no overrides, listening on a free loopback port.
    pub fn new(manifest: impl Into<PathBuf>, state_dir: impl Into<PathBuf>) -> HostConfig {
        HostConfig {
            manifest: manifest.into(),
            state_dir: state_dir.into(),
            variables: HashMap::new(),
            components: None,
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            clock_offset_ms: Arc::default(),
            guest_log: None,
        }
    }
}

/// A host serving on its own thread and tokio runtime. Dropping it stops serving.
pub struct RunningHost {
    /// The address it listens on.
    pub addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl RunningHost {
    /// `http://<addr>`, to prefix request paths with.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for RunningHost {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Loads the application (compiling components that are in neither cache), binds
/// `config.listen`, and serves on a background thread. Returns once the socket is listening.
pub fn start(config: HostConfig) -> Result<RunningHost> {
    let app = Arc::new(app::App::load(&config)?);
    let listener =
        std::net::TcpListener::bind(config.listen).with_context(|| format!("binding {}", config.listen))?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("testhost-worker")
        .build()
        .context("building the tokio runtime")?;
    let (shutdown, shutdown_rx) = oneshot::channel();
    let thread = std::thread::Builder::new()
        .name(format!("testhost-{addr}"))
        .spawn(move || {
            runtime.block_on(async move {
                match tokio::net::TcpListener::from_std(listener) {
                    Ok(listener) => server::serve(listener, app, shutdown_rx).await,
                    Err(e) => eprintln!("testhost: cannot serve on {addr}: {e}"),
                }
            });
            // Cancels open connections and guests; waits briefly for blocking SQLite work.
            runtime.shutdown_timeout(Duration::from_secs(5));
        })
        .context("spawning the host thread")?;
    Ok(RunningHost { addr, shutdown: Some(shutdown), thread: Some(thread) })
}
