//! Loading an application: manifest, variables, component selection, compilation, linking
//! and routes, everything `spin up` does before it starts listening.
//!
//! Each selected component is compiled once and pre-instantiated once (`ProxyPre`) against
//! one linker holding WASI p2, wasi:http and the Spin interfaces, so serving a request only
//! costs an instantiation. An import the linker cannot satisfy fails here, at start.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use wasmtime::component::{HasSelf, Linker};
use wasmtime_wasi_http::p2::bindings::ProxyPre;

use crate::bindings::SpinHost;
use crate::compile::{self, to_anyhow, Origin};
use crate::key_value::KeyValueBackend;
use crate::manifest::{FilesMount, Manifest};
use crate::outbound::AllowedHosts;
use crate::routes::Router;
use crate::state::{ComponentEnv, HostState};
use crate::variables::{resolve_application_variables, ComponentVariables};
use crate::HostConfig;

/// A component ready to serve requests.
pub struct LoadedComponent {
    /// What its requests may access.
    pub env: Arc<ComponentEnv>,
    /// Pre-instantiated once; instantiated afresh for every request.
    pub pre: ProxyPre<HostState>,
}

/// A loaded application.
pub struct App {
    /// Routes of the loaded components; `RouteMatch::component` indexes `components`.
    pub router: Router,
    /// The loaded components.
    pub components: Vec<LoadedComponent>,
}

/// The linker every component is checked and instantiated against.
fn linker() -> Result<Linker<HostState>> {
    let mut linker = Linker::<HostState>::new(compile::engine()?);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker).map_err(to_anyhow)?;
    wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker).map_err(to_anyhow)?;
    SpinHost::add_to_linker::<HostState, HasSelf<HostState>>(&mut linker, |state| state)
        .map_err(to_anyhow)?;
    Ok(linker)
}

impl App {
    /// Loads the application described by `config`.
    pub fn load(config: &HostConfig) -> Result<App> {
        let manifest = Manifest::load(&config.manifest)?;
        let base_dir =
            config.manifest.parent().filter(|dir| !dir.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let app_variables = resolve_application_variables(&manifest.variables, &config.variables, |key| {
            std::env::var(key).ok()
        })?;

        let selected: Vec<&String> = match &config.components {
            None => manifest.component.keys().collect(),
            Some(ids) => {
                for id in ids {
                    if !manifest.component.contains_key(id) {
                        bail!("--component-id {id:?}: no such component in the manifest");
                    }
                }
                manifest.component.keys().filter(|id| ids.contains(id)).collect()
            }
        };

        let needs_key_value = selected
            .iter()
            .any(|id| manifest.component[*id].key_value_stores.iter().any(|label| label == "default"));
        let key_value =
            if needs_key_value { Some(Arc::new(KeyValueBackend::open(&config.state_dir)?)) } else { None };

        let guest_log = match &config.guest_log {
            Some(path) => {
                let file = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
                    .with_context(|| format!("opening guest log {}", path.display()))?;
                Some(wasmtime_wasi::cli::OutputFile::new(file))
            }
            None => None,
        };

        let linker = linker()?;
        let mut components = Vec::new();
        let mut index_of = BTreeMap::new();
        for id in selected {
            let decl = &manifest.component[id];
            let env = ComponentEnv {
                id: Arc::from(id.as_str()),
                variables: ComponentVariables::resolve(id, &decl.variables, &app_variables)?,
                sqlite_databases: decl.sqlite_databases.clone(),
                key_value_stores: decl.key_value_stores.clone(),
                allowed_outbound_hosts: Arc::new(
                    AllowedHosts::parse(&decl.allowed_outbound_hosts)
                        .with_context(|| format!("component {id:?}"))?,
                ),
                state_dir: config.state_dir.clone(),
                key_value: key_value.clone(),
                clock_offset_ms: config.clock_offset_ms.clone(),
                guest_log: guest_log.clone(),
                files: files_mounts(base_dir, &decl.files).with_context(|| format!("component {id:?}"))?,
            };
            let source = base_dir.join(&decl.source);
            let started = Instant::now();
            let (component, origin) =
                compile::load_component(&source).with_context(|| format!("component {id:?}"))?;
            if origin != Origin::Memory {
                eprintln!(
                    "testhost: component {id:?} ready ({origin:?}, {:.1}s)",
                    started.elapsed().as_secs_f64()
                );
            }
            let pre = linker
                .instantiate_pre(&component)
                .map_err(to_anyhow)
                .with_context(|| format!("component {id:?}: linking {}", source.display()))?;
            let pre = ProxyPre::new(pre)
                .map_err(to_anyhow)
                .with_context(|| format!("component {id:?}: does not export wasi:http/incoming-handler"))?;
            index_of.insert(id.clone(), components.len());
            components.push(LoadedComponent { env: Arc::new(env), pre });
        }

        let mut router = Router::default();
        for trigger in &manifest.trigger.http {
            if let Some(index) = index_of.get(&trigger.component) {
                router
                    .add(&trigger.route, *index)
                    .with_context(|| format!("component {:?}", trigger.component))?;
            }
        }
        Ok(App { router, components })
    }
}

/// A component's `files` as (host directory, guest path), each checked to exist now, as Spin
/// refuses to start without a mount's source.
fn files_mounts(base_dir: &Path, mounts: &[FilesMount]) -> Result<Vec<(PathBuf, String)>> {
    let mut resolved = Vec::new();
    for mount in mounts {
        match mount {
            FilesMount::Placement { source, destination } => {
                let host = base_dir.join(source);
                if !host.is_dir() {
                    bail!(
                        "files: {} is not a directory (the test host mounts directories only)",
                        host.display()
                    );
                }
                resolved.push((host, destination.clone()));
            }
            FilesMount::Pattern(pattern) => {
                bail!("files: {pattern:?}: the test host supports only {{ source = \"dir\", destination = \"/path\" }}")
            }
        }
    }
    Ok(resolved)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn placement(source: &str, destination: &str) -> FilesMount {
        FilesMount::Placement { source: source.into(), destination: destination.into() }
    }

    #[test]
    fn a_directory_is_mounted_at_its_destination_relative_to_the_manifest() {
        let base = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mounts = files_mounts(base, &[placement("src", "/code")]).unwrap();
        assert_eq!(mounts, vec![(base.join("src"), "/code".to_owned())]);
    }

    /// Spin refuses to start without a mount's source; so does the host, naming it.
    #[test]
    fn a_missing_source_or_a_pattern_is_refused_at_start() {
        let base = Path::new(env!("CARGO_MANIFEST_DIR"));
        let missing = files_mounts(base, &[placement("no-such-dir", "/x")]).unwrap_err().to_string();
        assert!(missing.contains("no-such-dir"), "{missing}");
        let file = files_mounts(base, &[placement("Cargo.toml", "/x")]).unwrap_err().to_string();
        assert!(file.contains("directories only"), "{file}");
        let pattern = files_mounts(base, &[FilesMount::Pattern("src/*.rs".into())]).unwrap_err().to_string();
        assert!(pattern.contains("src/*.rs"), "{pattern}");
    }
}
