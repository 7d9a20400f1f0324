//! The subset of Spin's application manifest (`spin.toml`, `spin_manifest_version = 2`) that
//! the test host understands.
//!
//! Why a hand-written model instead of Spin's own `spin-manifest` crate: the host must stay a
//! small set of crates.io dependencies that build quickly next to wasmtime. Keys this host does
//! not use (`[component.<id>.build]`, `description`, `watch`, ...) are ignored, as serde does
//! by default, so the real manifest parses unchanged.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{bail, Context, Result};
use serde::Deserialize;

/// A parsed `spin.toml`.
#[derive(Debug, Deserialize)]
pub struct Manifest {
    /// Must be 2: Spin refuses other versions with this layout.
    pub spin_manifest_version: u32,
    /// `[application]`.
    #[serde(default)]
    pub application: Application,
    /// `[variables]`: the application variables, by name.
    #[serde(default)]
    pub variables: BTreeMap<String, VariableDecl>,
    /// `[[trigger.http]]` and friends.
    #[serde(default)]
    pub trigger: Triggers,
    /// `[component.<id>]`, by component id.
    #[serde(default)]
    pub component: BTreeMap<String, ComponentDecl>,
}

/// `[application]`.
#[derive(Debug, Default, Deserialize)]
pub struct Application {
    /// The application name (informational).
    #[serde(default)]
    pub name: String,
}

/// One entry of `[variables]`: `{ default = "..." }` or `{ required = true }`, optionally
/// `secret = true` (secrecy only affects logging in Spin; this host never logs values).
#[derive(Debug, Deserialize)]
pub struct VariableDecl {
    /// The value used when no override or environment variable provides one.
    pub default: Option<String>,
    /// Spin refuses to start when a required variable has no value.
    #[serde(default)]
    pub required: bool,
    /// Whether the value is a secret.
    #[serde(default)]
    pub secret: bool,
}

/// `[trigger]`: only the HTTP trigger is supported.
#[derive(Debug, Default, Deserialize)]
pub struct Triggers {
    /// `[[trigger.http]]` entries, in manifest order.
    #[serde(default)]
    pub http: Vec<HttpTrigger>,
}

/// One `[[trigger.http]]` entry.
#[derive(Debug, Deserialize)]
pub struct HttpTrigger {
    /// The route pattern, e.g. `/health` or `/customers/v2/profiles/...`.
    pub route: String,
    /// The id of the component that handles the route.
    pub component: String,
}

/// One `[component.<id>]` table.
#[derive(Debug, Deserialize)]
pub struct ComponentDecl {
    /// Path of the `.wasm`, relative to the manifest's directory.
    pub source: String,
    /// SQLite database labels the component may open.
    #[serde(default)]
    pub sqlite_databases: Vec<String>,
    /// Key-value store labels the component may open.
    #[serde(default)]
    pub key_value_stores: Vec<String>,
    /// Outbound HTTP destinations the component may reach.
    #[serde(default)]
    pub allowed_outbound_hosts: Vec<String>,
    /// `[component.<id>.variables]`: name -> template over application variables.
    #[serde(default)]
    pub variables: BTreeMap<String, String>,
    /// Files the component can read at run time.
    #[serde(default)]
    pub files: Vec<FilesMount>,
}

/// One entry of a component's `files`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum FilesMount {
    /// `{ source = "dir", destination = "/path" }`: the directory `source` (relative to the
    /// manifest's directory) is seen by the component at `destination`, read-only.
    Placement { source: String, destination: String },
    /// `"pattern"`: a file, directory or glob, seen at its own relative path. Spin supports it;
    /// this host refuses it at start (none of our manifests uses it).
    Pattern(String),
}

impl Manifest {
    /// Reads and parses the manifest at `path`, checking what Spin checks before running
    /// anything: the manifest version and that every trigger names a declared component.
    pub fn load(path: &Path) -> Result<Manifest> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading manifest {}", path.display()))?;
        let manifest: Manifest =
            toml::from_str(&text).with_context(|| format!("parsing manifest {}", path.display()))?;
        if manifest.spin_manifest_version != 2 {
            bail!(
                "{}: spin_manifest_version {} is not supported (expected 2)",
                path.display(),
                manifest.spin_manifest_version
            );
        }
        for trigger in &manifest.trigger.http {
            if !manifest.component.contains_key(&trigger.component) {
                bail!(
                    "trigger route {:?} names component {:?}, which is not declared",
                    trigger.route,
                    trigger.component
                );
            }
        }
        for (name, decl) in &manifest.variables {
            if decl.required && decl.default.is_some() {
                bail!("variable {name:?} cannot be both required and have a default");
            }
        }
        Ok(manifest)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::outbound::AllowedHosts;
    use crate::routes::Router;
    use crate::variables::{resolve_application_variables, ComponentVariables};

    /// The project's own spin.toml loads the way `start` loads it (minus the `.wasm` files).
    #[test]
    fn the_project_manifest_loads_resolves_and_routes() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spin.toml");
        let manifest = Manifest::load(&path).unwrap();
        let app = resolve_application_variables(&manifest.variables, &HashMap::new(), |_| None).unwrap();
        for (id, component) in &manifest.component {
            ComponentVariables::resolve(id, &component.variables, &app).unwrap();
            AllowedHosts::parse(&component.allowed_outbound_hosts).unwrap();
        }

        let ids: Vec<&String> = manifest.component.keys().collect();
        let mut router = Router::default();
        for trigger in &manifest.trigger.http {
            let index = ids.iter().position(|id| **id == trigger.component).unwrap();
            router.add(&trigger.route, index).unwrap();
        }
        let component = |path: &str| router.route(path).map(|m| ids[m.component].as_str());
        assert_eq!(component("/customers/v2/profiles/temporary/1"), Some("temporary-profiles"));
        assert_eq!(component("/customers/v2/profiles/1"), Some("profiles"));
        assert_eq!(component("/customers/v2/profiles"), Some("profiles"));
        assert_eq!(component("/health"), Some("profiles"));
        assert_eq!(component("/customers/v2/profiles/1/preferences"), Some("profiles"));
        assert_eq!(component("/customers/v2/preferences"), Some("catalogues"));
        assert_eq!(component("/customers/v2/loyalty-programs/7"), Some("catalogues"));
        assert_eq!(component("/customers/v2/consents/x"), Some("consents"));
        assert_eq!(component("/oauth/token"), Some("token-issuer"));
        assert_eq!(component("/nothing/here"), None);
        assert_eq!(component("/customers/v2/docs"), Some("openapi"));
        assert_eq!(component("/customers/v2/docs/swagger-ui.css"), Some("openapi"));
        assert!(
            matches!(&manifest.component["openapi"].files[..], [FilesMount::Placement { destination, .. }] if destination == "/swagger-ui"),
            "the openapi component mounts Swagger UI's files"
        );
    }
}
