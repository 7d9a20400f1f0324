//! The process-wide wasmtime `Engine` and the compiled-component caches.
//!
//! Compiling a component with cranelift takes many seconds on a small machine, and the tests
//! start many hosts (in one process, and across `cargo test` runs). So a component is
//! compiled at most once per process (in-memory cache keyed by the hash of its bytes), and
//! the machine code is kept on disk under `target/testhost-cache/` keyed by the same hash
//! plus the engine's compatibility hash, so an unchanged `.wasm` is never recompiled.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

use anyhow::{Context, Result};
use wasmtime::component::Component;
use wasmtime::{Config, Engine};

/// The wasmtime version pinned in tests/Cargo.toml; part of the disk cache key.
const WASMTIME_VERSION: &str = "48.0.8";

/// Converts a wasmtime error (its own type in wasmtime 48) into an `anyhow::Error`.
pub fn to_anyhow(error: wasmtime::Error) -> anyhow::Error {
    anyhow::Error::from_boxed(error.into())
}

/// The one engine of this process: components compiled by it can be shared by every host.
/// (Async support is always on in wasmtime 48; nothing else deviates from the defaults.)
pub fn engine() -> Result<&'static Engine> {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    if let Some(engine) = ENGINE.get() {
        return Ok(engine);
    }
    let engine = Engine::new(&Config::new()).map_err(to_anyhow)?;
    Ok(ENGINE.get_or_init(|| engine))
}

/// Where compiled components are kept: `$TESTHOST_CACHE_DIR`, else `testhost-cache/` in the
/// cargo target directory that holds this executable (found by its `CACHEDIR.TAG`), else
/// `target/testhost-cache` next to this crate.
fn cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("TESTHOST_CACHE_DIR") {
        return PathBuf::from(dir);
    }
    let target = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.ancestors().find(|dir| dir.join("CACHEDIR.TAG").is_file()).map(Path::to_path_buf))
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    target.join("testhost-cache")
}

/// How a component was obtained, for the start-up log line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Already compiled by this process.
    Memory,
    /// Loaded from the disk cache.
    Disk,
    /// Compiled now.
    Compiled,
}

/// Loads the component at `path`, compiling it only when neither cache has it.
pub fn load_component(path: &Path) -> Result<(Component, Origin)> {
    static MEMORY: OnceLock<Mutex<HashMap<u64, Component>>> = OnceLock::new();
    let engine = engine()?;
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let mut hasher = DefaultHasher::new();
    bytes.hash(&mut hasher);
    WASMTIME_VERSION.hash(&mut hasher);
    engine.precompile_compatibility_hash().hash(&mut hasher);
    let key = hasher.finish();

    // Held while compiling: a second host wanting the same component waits for this
    // compilation instead of repeating it. No guest ever runs under this lock.
    let mut memory =
        MEMORY.get_or_init(Default::default).lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(component) = memory.get(&key) {
        return Ok((component.clone(), Origin::Memory));
    }

    let cached = cache_dir().join(format!("{key:016x}.cwasm"));
    if cached.is_file() {
        // SAFETY: the file was written by `Component::serialize` of this same engine
        // configuration (the name is keyed by the engine's compatibility hash), and is only
        // ever published by an atomic rename; wasmtime additionally checks its header.
        match unsafe { Component::deserialize_file(engine, &cached) } {
            Ok(component) => {
                memory.insert(key, component.clone());
                return Ok((component, Origin::Disk));
            }
            Err(e) => eprintln!("testhost: ignoring unusable cache file {}: {e:#}", cached.display()),
        }
    }

    let started = Instant::now();
    let component = Component::from_binary(engine, &bytes)
        .map_err(to_anyhow)
        .with_context(|| format!("compiling {}", path.display()))?;
    eprintln!("testhost: compiled {} in {:.1}s", path.display(), started.elapsed().as_secs_f64());
    if let Err(e) = store_in_cache(&component, &cached) {
        eprintln!("testhost: could not write cache file {}: {e:#}", cached.display());
    }
    memory.insert(key, component.clone());
    Ok((component, Origin::Compiled))
}

/// Writes the compiled component next to its final name, then renames it into place so
/// that a concurrent reader never sees a partial file.
fn store_in_cache(component: &Component, file: &Path) -> Result<()> {
    let serialized = component.serialize().map_err(to_anyhow)?;
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let partial = file.with_extension(format!("partial-{}", std::process::id()));
    std::fs::write(&partial, serialized)?;
    std::fs::rename(&partial, file)?;
    Ok(())
}
