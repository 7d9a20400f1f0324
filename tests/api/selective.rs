//! Selective deployment (`spin up --component-id`, SpinKube's `SpinApp.spec.components`): each
//! API component serves alone, needing nothing from any other component at run time (no call
//! between components; keys inline or by URL; the schema migrated by whichever runs first),
//! answers its own health path, and logs one line per request; routes of the components left
//! out are not served. Then the production configuration in `deploy/`, read and checked against
//! spin.toml, and each of its SpinApps run in the test host as configured.

use crate::helpers::*;
use crate::tokens;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The API components, each deployed alone in production.
const API_COMPONENTS: &[&str] = &["profiles", "catalogues", "temporary-profiles", "consents"];

/// Application variables whose spin.toml default is safe in production, with that default.
/// Every other variable an API component reads must be set by each SpinApp.
const SAFE_DEFAULTS: &[(&str, &str)] = &[
    ("jwt_jwks", ""),
    ("organisation_claim", "https://entur.io/organisationID"),
    ("cors_allowed_origins", ""),
    ("purge_one_request_in", "50"),
    ("event_retention_days", "35"),
];

/// A partner-issuer client of organisation 1001 with every permission.
fn partner(app: &TestApp) -> Client<'_> {
    Client { app, token: tokens::eddsa(1, "ed-1", &tokens::claims(ORG_A.2)) }
}

/// The component alone, trusting the partner issuer's inline JWKS, the local issuer off.
fn alone(component: &str) -> TestApp {
    let jwks = tokens::partner_jwks();
    spawn_app_on(
        fresh_state_dir(),
        &[("jwt_jwks", &jwks), ("dev_issuer_enabled", "false")],
        Some(&[component]),
    )
}

/// Not routed in this deployment: the host's own empty 404, no component reached.
fn assert_not_served(app: &TestApp, method: &str, path: &str) {
    let response = app.request(method, path, &[], None);
    assert_eq!((response.status, response.body.as_str()), (404, ""), "{method} {path} was served");
}

fn assert_healthy(app: &TestApp, path: &str) {
    let response = app.send("GET", path, None, None);
    assert_eq!(response.status, 200, "{path}: {}", response.body);
    assert_eq!(response.json(), json!({"status": "UP", "database": "UP"}));
}

/// The component migrated the fresh database by itself, every migration once.
fn assert_schema_complete(app: &TestApp) {
    let applied = query_int(&app.db(), "SELECT count(*) FROM schema_migration", &[]);
    let files = std::fs::read_dir(repo_root().join("migrations")).unwrap().count() as i64;
    assert_eq!(applied, files);
}

/// One JSON line per request that reached the component, with what an operator needs and
/// nothing personal: checks `expected` (method, route template, status) in order.
fn assert_logged(app: &TestApp, token: &str, expected: &[(&str, &str, u16)], personal: &[&str]) {
    let lines = app.log_lines();
    let seen: Vec<(String, String, u64)> = lines
        .iter()
        .filter(|l| l["route"].is_string())
        .map(|l| {
            for field in ["correlationId", "ms"] {
                assert!(!l[field].is_null(), "{field} missing in {l}");
            }
            (
                l["method"].as_str().unwrap().to_owned(),
                l["route"].as_str().unwrap().to_owned(),
                l["status"].as_u64().unwrap(),
            )
        })
        .collect();
    let expected: Vec<(String, String, u64)> =
        expected.iter().map(|(m, r, s)| (m.to_string(), r.to_string(), u64::from(*s))).collect();
    assert_eq!(seen, expected, "one line per request that reached the component");
    let log = app.log_text();
    for secret in personal.iter().chain([&token]) {
        assert!(!log.contains(secret), "the log holds {secret}");
    }
}

#[test]
fn profiles_serves_alone() {
    let app = alone("profiles");
    let a = partner(&app);
    assert_healthy(&app, "/health/profiles");
    assert_healthy(&app, "/health");
    let n = a.create_profile(&kari_nordmann());
    assert_eq!(a.get(&format!("/customers/v2/profiles/{n}")).json()["email"], "kari.nordmann@example.no");
    assert_schema_complete(&app);
    for (method, path) in [
        ("GET", "/health/consents"),
        ("GET", "/health/catalogues"),
        ("GET", "/customers/v2/preferences"),
        ("GET", "/customers/v2/loyalty-programs"),
        ("GET", "/health/temporary-profiles"),
        ("GET", "/customers/v2/consents/client/consents"),
        ("POST", "/customers/v2/admin/purge-expired"),
        ("GET", "/customers/v2/openapi.json"),
        ("POST", "/oauth/token"),
        ("GET", "/.well-known/jwks.json"),
    ] {
        assert_not_served(&app, method, path);
    }
    assert_logged(
        &app,
        &a.token,
        &[
            ("GET", "/health/profiles", 200),
            ("GET", "/health", 200),
            ("POST", "/customers/v2/profiles", 201),
            ("GET", "/customers/v2/profiles/{customerNumber}", 200),
        ],
        &["Nordmann", "kari.nordmann"],
    );
}

#[test]
fn catalogues_serves_alone() {
    let app = alone("catalogues");
    let a = partner(&app);
    assert_healthy(&app, "/health/catalogues");
    let definition = json!({"preferenceCode": "SEAT", "preferenceType": "STRING", "isActive": true,
                            "preferenceDescription": "Window or aisle"});
    let created = a.post("/customers/v2/preferences", &definition);
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(a.get("/customers/v2/preferences").json()[0]["preferenceCode"], "SEAT");
    assert_eq!(a.get("/customers/v2/loyalty-programs").status, 200);
    assert_schema_complete(&app);
    for (method, path) in [
        ("GET", "/health"),
        ("GET", "/health/profiles"),
        ("POST", "/customers/v2/profiles"),
        ("GET", "/customers/v2/profiles/1/preferences"),
        ("GET", "/customers/v2/profiles/temporary/1"),
        ("GET", "/customers/v2/consents/client/consents"),
        ("POST", "/oauth/token"),
    ] {
        assert_not_served(&app, method, path);
    }
    assert_logged(
        &app,
        &a.token,
        &[
            ("GET", "/health/catalogues", 200),
            ("POST", "/customers/v2/preferences", 201),
            ("GET", "/customers/v2/preferences", 200),
            ("GET", "/customers/v2/loyalty-programs", 200),
        ],
        &[],
    );
}

#[test]
fn temporary_profiles_serves_alone() {
    let app = alone("temporary-profiles");
    let a = partner(&app);
    assert_healthy(&app, "/health/temporary-profiles");
    let body = json!({"expirationDate": date_in_days(1), "firstName": "Reisende", "surname": "Gjest",
                      "createdBy": "billettautomat", "createdByChannel": "TVM"});
    let created = a.post("/customers/v2/profiles/temporary", &body);
    assert_eq!(created.status, 201, "{}", created.body);
    let n = created.json()["customerNumber"].as_i64().unwrap();
    assert_eq!(a.get(&format!("/customers/v2/profiles/temporary/{n}")).status, 200);
    let purged = a.post("/customers/v2/admin/purge-expired", &json!({}));
    assert_eq!(purged.status, 200, "{}", purged.body);
    assert_schema_complete(&app);
    let permanent = format!("/customers/v2/profiles/{n}");
    for (method, path) in [
        ("GET", "/health"),
        ("GET", "/health/profiles"),
        ("GET", "/health/consents"),
        ("GET", "/health/catalogues"),
        ("POST", "/customers/v2/profiles"),
        ("GET", permanent.as_str()),
        ("GET", "/customers/v2/consents/client/consents"),
        ("POST", "/oauth/token"),
    ] {
        assert_not_served(&app, method, path);
    }
    assert_logged(
        &app,
        &a.token,
        &[
            ("GET", "/health/temporary-profiles", 200),
            ("POST", "/customers/v2/profiles/temporary", 201),
            ("GET", "/customers/v2/profiles/temporary/{customerNumber}", 200),
            ("POST", "/customers/v2/admin/purge-expired", 200),
        ],
        &["Reisende", "Gjest"],
    );
}

#[test]
fn consents_serves_alone() {
    let app = alone("consents");
    let a = partner(&app);
    assert_healthy(&app, "/health/consents");
    let consent = crate::consents::active_consent(&a, "NEWSLETTER");
    let listed = a.get(crate::consents::CLIENT_CONSENTS);
    assert_eq!(listed.status, 200, "{}", listed.body);
    assert!(listed.json().as_array().unwrap().iter().any(|c| c["id"] == consent), "{}", listed.body);
    // A customer is looked up in the shared database, not asked of the profiles component: one
    // that does not exist is a 404 here, with profiles not running at all.
    let given = json!({"customerNumber": 424242, "consentId": consent, "consentChoice": true,
                       "distributionChannel": "EMAIL"});
    let answer = a.post(crate::consents::GIVEN, &given);
    assert_eq!(answer.status, 404, "{}", answer.body);
    assert_schema_complete(&app);
    for (method, path) in [
        ("GET", "/health"),
        ("GET", "/health/profiles"),
        ("GET", "/customers/v2/profiles/1"),
        ("GET", "/customers/v2/profiles/temporary/1"),
        ("GET", "/customers/v2/openapi.json"),
        ("POST", "/oauth/token"),
    ] {
        assert_not_served(&app, method, path);
    }
    let lines = app.log_lines();
    assert_eq!(lines.len(), 5, "health, base, consent, list, given: {lines:?}");
    assert_eq!(lines[0]["route"], "/health/consents");
    assert!(lines
        .iter()
        .skip(1)
        .all(|l| l["clientId"] == "partner-service" && l["correlationId"].is_string()));
}

// ------------------------------------------------------------------ the files of deploy/

fn deploy_dir() -> PathBuf {
    repo_root().join("deploy")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every document of every YAML file under deploy/kubernetes, as JSON, with its file name.
fn kubernetes_resources() -> Vec<(String, Value)> {
    let dir = deploy_dir().join("kubernetes");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        .collect();
    files.sort();
    let mut resources = Vec::new();
    for file in files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        for document in serde_yaml::Deserializer::from_str(&read(&file)) {
            let value = serde_yaml::Value::deserialize(document).unwrap_or_else(|e| panic!("{name}: {e}"));
            let value = serde_json::to_value(value).unwrap_or_else(|e| panic!("{name}: {e}"));
            if !value.is_null() {
                resources.push((name.clone(), value));
            }
        }
    }
    resources
}

fn of_kind(kind: &str) -> Vec<Value> {
    kubernetes_resources().into_iter().filter(|(_, r)| r["kind"] == kind).map(|(_, r)| r).collect()
}

fn name_of(resource: &Value) -> &str {
    resource["metadata"]["name"].as_str().expect("metadata.name")
}

fn components_of(spinapp: &Value) -> Vec<String> {
    let listed = spinapp["spec"]["components"].as_array();
    let listed = listed.unwrap_or_else(|| panic!("{}: no spec.components (would run all)", name_of(spinapp)));
    listed.iter().map(|c| c.as_str().expect("a component name").to_owned()).collect()
}

/// spin.toml, parsed.
struct Manifest {
    toml: toml::Table,
}

impl Manifest {
    fn load() -> Manifest {
        Manifest { toml: toml::from_str(&read(&repo_root().join("spin.toml"))).expect("spin.toml parses") }
    }

    fn components(&self) -> &toml::Table {
        self.toml["component"].as_table().expect("[component.*]")
    }

    /// The application variables a component reads (the `{{ name }}` of its variables).
    fn variables_of(&self, component: &str) -> BTreeSet<String> {
        let Some(table) = self.components()[component].get("variables").and_then(|v| v.as_table()) else {
            return BTreeSet::new();
        };
        let mut names = BTreeSet::new();
        for value in table.values() {
            let mut rest = value.as_str().expect("a template string");
            while let Some(start) = rest.find("{{") {
                let end = rest[start..].find("}}").expect("a closed template") + start;
                names.insert(rest[start + 2..end].trim().to_owned());
                rest = &rest[end + 2..];
            }
        }
        names
    }

    fn default_of(&self, variable: &str) -> Option<&str> {
        self.toml["variables"][variable].get("default").and_then(|d| d.as_str())
    }

    /// (route, component) of every `[[trigger.http]]`.
    fn routes(&self) -> Vec<(String, String)> {
        let triggers = self.toml["trigger"]["http"].as_array().expect("[[trigger.http]]");
        triggers
            .iter()
            .map(|t| (t["route"].as_str().unwrap().to_owned(), t["component"].as_str().unwrap().to_owned()))
            .collect()
    }

    /// The component Spin routes `path` to, by the test host's router (the one path matcher
    /// the tests use: exact beats wildcard, longest prefix wins).
    fn component_for(&self, path: &str) -> Option<String> {
        let routes = self.routes();
        let mut router = testhost::routes::Router::default();
        for (index, (route, _)) in routes.iter().enumerate() {
            router.add(route, index).expect("a valid route");
        }
        router.route(path).map(|found| routes[found.component].1.clone())
    }

    /// Sample request paths of every route: the route itself and one below a wildcard.
    fn sample_paths(&self) -> Vec<(String, String)> {
        let mut samples = Vec::new();
        for (route, component) in self.routes() {
            match route.strip_suffix("/...") {
                Some(prefix) => {
                    samples.push((prefix.to_owned(), component.clone()));
                    samples.push((format!("{prefix}/1"), component));
                }
                None => samples.push((route, component)),
            }
        }
        samples
    }
}

#[test]
fn the_spinapps_run_every_api_component_from_one_image_and_never_the_issuer() {
    let manifest = Manifest::load();
    let spinapps = of_kind("SpinApp");
    assert!(!spinapps.is_empty(), "no SpinApp in deploy/kubernetes");
    let mut deployed: BTreeMap<String, String> = BTreeMap::new();
    let images: BTreeSet<&str> = spinapps.iter().map(|s| s["spec"]["image"].as_str().unwrap()).collect();
    assert_eq!(images.len(), 1, "one OCI image for all SpinApps: {images:?}");
    for spinapp in &spinapps {
        let name = name_of(spinapp);
        assert_eq!(spinapp["apiVersion"], "core.spinkube.dev/v1alpha1", "{name}");
        assert_eq!(spinapp["spec"]["executor"], "containerd-shim-spin", "{name}");
        for component in components_of(spinapp) {
            assert!(
                manifest.components().contains_key(&component),
                "{name}: no component {component:?} in spin.toml"
            );
            assert_ne!(component, "token-issuer", "{name} deploys the local token issuer");
            if let Some(other) = deployed.insert(component.clone(), name.to_owned()) {
                panic!("{component} is in both {other} and {name}");
            }
        }
        let autoscaled = spinapp["spec"]["enableAutoscaling"] == true;
        assert_eq!(
            spinapp["spec"]["replicas"].is_null(),
            autoscaled,
            "{name}: replicas xor enableAutoscaling"
        );
    }
    let expected: BTreeSet<String> =
        manifest.components().keys().filter(|c| *c != "token-issuer").cloned().collect();
    assert_eq!(
        deployed.keys().cloned().collect::<BTreeSet<_>>(),
        expected,
        "every other component is deployed"
    );
    for component in API_COMPONENTS {
        let spinapp = spinapps.iter().find(|s| components_of(s) == [component.to_string()]);
        assert!(spinapp.is_some(), "{component} has no SpinApp of its own");
    }
}

#[test]
fn every_spinapp_turns_the_local_issuer_off_and_sets_what_has_no_safe_default() {
    let manifest = Manifest::load();
    let declared = manifest.toml["variables"].as_table().unwrap();
    let config_maps: BTreeMap<String, Value> =
        of_kind("ConfigMap").into_iter().map(|c| (name_of(&c).to_owned(), c["data"].clone())).collect();
    for (variable, default) in SAFE_DEFAULTS {
        assert_eq!(
            manifest.default_of(variable),
            Some(*default),
            "spin.toml's default of {variable} changed"
        );
    }
    for spinapp in of_kind("SpinApp") {
        let name = name_of(&spinapp);
        let mut given = BTreeMap::new();
        for variable in spinapp["spec"]["variables"].as_array().map(Vec::as_slice).unwrap_or_default() {
            let key = variable["name"].as_str().unwrap().to_owned();
            assert!(declared.contains_key(&key), "{name}: {key} is no variable of spin.toml");
            let value = &variable["valueFrom"]["configMapKeyRef"];
            let secret = &variable["valueFrom"]["secretKeyRef"];
            if let Some(literal) = variable["value"].as_str() {
                given.insert(key, literal.to_owned());
            } else if value.is_object() {
                let map = value["name"].as_str().unwrap();
                let data =
                    config_maps.get(map).unwrap_or_else(|| panic!("{name}: no ConfigMap {map} in deploy/"));
                let found = data[value["key"].as_str().unwrap()].as_str();
                given.insert(
                    key.clone(),
                    found.unwrap_or_else(|| panic!("{name}: {map} has no key for {key}")).to_owned(),
                );
            } else {
                assert!(secret.is_object(), "{name}: {key} has neither value nor valueFrom");
                given.insert(key, "<secret>".to_owned());
            }
        }
        assert_eq!(given.get("dev_issuer_enabled").map(String::as_str), Some("false"), "{name}");
        assert!(
            spinapp["spec"]["variables"]
                .as_array()
                .unwrap()
                .iter()
                .any(|v| v["name"] == "dev_issuer_enabled" && v["value"] == "false"),
            "{name}: dev_issuer_enabled must be the literal \"false\", not a reference"
        );
        for component in components_of(&spinapp) {
            for variable in manifest.variables_of(&component) {
                let safe = SAFE_DEFAULTS.iter().any(|(v, _)| *v == variable);
                assert!(
                    given.contains_key(&variable) || safe,
                    "{name}: {component} reads {variable}, which has no safe default"
                );
            }
            let uses_sqlite = manifest.components()[component.as_str()].get("sqlite_databases").is_some();
            let databases = spinapp["spec"]["runtimeConfig"]["sqliteDatabases"].as_array();
            if uses_sqlite {
                let default = databases.and_then(|d| d.iter().find(|d| d["name"] == "default"));
                let default =
                    default.unwrap_or_else(|| panic!("{name}: {component} needs the shared database"));
                assert_eq!(default["type"], "libsql", "{name}: replicas share one libSQL database");
                for option in ["url", "token"] {
                    let found = default["options"].as_array().unwrap().iter().find(|o| o["name"] == option);
                    let found = found.unwrap_or_else(|| panic!("{name}: no libsql {option}"));
                    assert!(found["value"].is_null(), "{name}: the libsql {option} is committed");
                    assert!(
                        found["valueFrom"]["secretKeyRef"]["name"].is_string(),
                        "{name}: {option} from a Secret"
                    );
                }
            }
        }
        if let Some(url) = given.get("jwt_jwks_url") {
            assert!(url.starts_with("https://"), "{name}: jwt_jwks_url {url}");
        }
    }
}

#[test]
fn every_probe_asks_a_path_the_spinapps_own_components_answer() {
    let manifest = Manifest::load();
    for spinapp in of_kind("SpinApp") {
        let name = name_of(&spinapp);
        for probe in ["readiness", "liveness"] {
            let path = spinapp["spec"]["checks"][probe]["httpGet"]["path"].as_str();
            let path = path.unwrap_or_else(|| panic!("{name}: no {probe} probe"));
            let component =
                manifest.component_for(path).unwrap_or_else(|| panic!("{name}: {path} is not routed"));
            assert!(
                components_of(&spinapp).contains(&component),
                "{name}: {path} is served by {component}, not here"
            );
        }
    }
    for component in API_COMPONENTS {
        let path = format!("/health/{component}");
        assert_eq!(manifest.component_for(&path).as_deref(), Some(*component), "{path}");
    }
}

/// How a controller reads an `ImplementationSpecific` path (the Ingress uses one where
/// ingress-nginx refuses `Exact`): as an exact path, or as a plain string prefix (ingress-nginx
/// without `use-regex`).
#[derive(Clone, Copy, Debug)]
enum ImplementationSpecific {
    Exact,
    StringPrefix,
}

/// The Service an Ingress sends `path` to: Exact, or Prefix by whole segments, or
/// ImplementationSpecific read as `reading`; longest wins, exact before prefix.
fn ingress_backend(ingress: &Value, path: &str, reading: ImplementationSpecific) -> Option<String> {
    let mut best: Option<(usize, bool, String)> = None;
    for rule in ingress["spec"]["rules"].as_array().unwrap() {
        for entry in rule["http"]["paths"].as_array().unwrap() {
            let candidate = entry["path"].as_str().unwrap().trim_end_matches('/');
            let (matches, exact) = match (entry["pathType"].as_str().unwrap(), reading) {
                ("Exact", _) | ("ImplementationSpecific", ImplementationSpecific::Exact) => {
                    (path == candidate, true)
                }
                ("Prefix", _) => (path == candidate || path.starts_with(&format!("{candidate}/")), false),
                ("ImplementationSpecific", ImplementationSpecific::StringPrefix) => {
                    (path.starts_with(candidate), false)
                }
                (other, _) => panic!("pathType {other}"),
            };
            if matches && best.as_ref().is_none_or(|(l, e, _)| (candidate.len(), exact) > (*l, *e)) {
                let service = entry["backend"]["service"]["name"].as_str().unwrap().to_owned();
                assert_eq!(
                    entry["backend"]["service"]["port"]["number"], 80,
                    "SpinApp Services listen on 80"
                );
                best = Some((candidate.len(), exact, service));
            }
        }
    }
    best.map(|(_, _, service)| service)
}

#[test]
fn the_ingress_sends_every_route_to_the_spinapp_that_serves_it() {
    let manifest = Manifest::load();
    let spinapps = of_kind("SpinApp");
    let ingresses = of_kind("Ingress");
    assert_eq!(ingresses.len(), 1);
    let home = |component: &str| {
        spinapps
            .iter()
            .find(|s| components_of(s).iter().any(|c| c == component))
            .map(|s| name_of(s).to_owned())
    };
    for reading in [ImplementationSpecific::Exact, ImplementationSpecific::StringPrefix] {
        let backend = |path: &str| ingress_backend(&ingresses[0], path, reading);
        for (path, component) in manifest.sample_paths() {
            assert_eq!(manifest.component_for(&path), Some(component.clone()));
            assert_eq!(backend(&path), home(&component), "{path} (served by {component}), {reading:?}");
        }
        assert_eq!(
            backend("/customers/v2/profiles/temporary/7/postal-addresses"),
            home("temporary-profiles")
        );
        assert_eq!(backend("/customers/v2/profiles-search"), home("profiles"));
    }
}

#[test]
fn the_autoscalers_and_the_purge_job_aim_at_the_spinapps() {
    let spinapps = of_kind("SpinApp");
    let autoscaled: BTreeSet<&str> =
        spinapps.iter().filter(|s| s["spec"]["enableAutoscaling"] == true).map(name_of).collect();
    let hpas = of_kind("HorizontalPodAutoscaler");
    let targets: BTreeSet<&str> = hpas
        .iter()
        .map(|h| {
            let target = &h["spec"]["scaleTargetRef"];
            assert_eq!(
                (target["apiVersion"].as_str(), target["kind"].as_str()),
                (Some("apps/v1"), Some("Deployment"))
            );
            assert!(h["spec"]["minReplicas"].as_i64().unwrap() >= 2, "{}: at least two replicas", name_of(h));
            target["name"].as_str().unwrap()
        })
        .collect();
    assert_eq!(targets, autoscaled, "one autoscaler per autoscaled SpinApp (its Deployment has its name)");
    for component in API_COMPONENTS {
        let spinapp = spinapps.iter().find(|s| components_of(s).iter().any(|c| c == component)).unwrap();
        assert!(autoscaled.contains(name_of(spinapp)), "{component} scales by itself");
    }

    let jobs = of_kind("CronJob");
    assert_eq!(jobs.len(), 1);
    let script = jobs[0]["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["args"][0]
        .as_str()
        .unwrap();
    let purger =
        spinapps.iter().find(|s| components_of(s).iter().any(|c| c == "temporary-profiles")).unwrap();
    let url = format!("http://{}/customers/v2/admin/purge-expired", name_of(purger));
    assert!(script.contains(&url), "the purge job calls {url}: {script}");
    assert_eq!(jobs[0]["spec"]["concurrencyPolicy"], "Forbid");
}

#[test]
fn the_kustomization_applies_every_manifest_and_sets_the_spinapp_image() {
    let dir = deploy_dir().join("kubernetes");
    let kustomization = kubernetes_resources()
        .into_iter()
        .find(|(file, _)| file == "kustomization.yaml")
        .map(|(_, k)| k)
        .expect("deploy/kubernetes/kustomization.yaml");
    let listed: BTreeSet<String> = kustomization["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap().to_owned())
        .collect();
    let manifests: BTreeSet<String> = kubernetes_resources()
        .into_iter()
        .filter(|(_, r)| r["kind"].is_string() && r["kind"] != "Kustomization")
        .map(|(file, _)| file)
        .collect();
    assert_eq!(listed, manifests, "kustomization.yaml lists every manifest of {}", dir.display());
    // SpinApp.spec.image is set through `images:` only with the transformer configuration.
    let configurations = kustomization["configurations"].as_array().unwrap();
    assert_eq!(configurations.len(), 1);
    let config: Value = serde_json::to_value(
        serde_yaml::from_str::<serde_yaml::Value>(&read(&dir.join(configurations[0].as_str().unwrap())))
            .unwrap(),
    )
    .unwrap();
    assert_eq!(config["images"][0], json!({"path": "spec/image", "kind": "SpinApp"}));
    let image = of_kind("SpinApp")[0]["spec"]["image"].as_str().unwrap().to_owned();
    let name = kustomization["images"][0]["name"].as_str().unwrap();
    assert!(image.starts_with(&format!("{name}:")), "images[0].name {name} matches the SpinApps' {image}");
}

#[test]
fn the_runtime_configs_name_the_local_files_and_take_libsql_secrets_from_the_environment() {
    let spin = deploy_dir().join("spin");
    let local: toml::Table = toml::from_str(&read(&spin.join("runtime-config.local.toml"))).unwrap();
    assert_eq!(local["sqlite_database"]["default"]["type"].as_str(), Some("spin"));
    // Spin resolves a SQLite path from the working directory (the repository root) and a
    // key-value path from this file's directory: both must name the repository's .spin/.
    let database = local["sqlite_database"]["default"]["path"].as_str().unwrap();
    assert_eq!(
        repo_root().join(database),
        repo_root().join(".spin").join(testhost::sqlite::DEFAULT_DATABASE_FILE)
    );
    assert_eq!(local["key_value_store"]["default"]["type"].as_str(), Some("spin"));
    let store = local["key_value_store"]["default"]["path"].as_str().unwrap();
    assert_eq!(
        normalise(&spin.join(store)),
        repo_root().join(".spin").join(testhost::key_value::KEY_VALUE_FILE),
        "{store}"
    );

    let production: toml::Table = toml::from_str(&read(&spin.join("runtime-config.libsql.toml"))).unwrap();
    let database = &production["sqlite_database"]["default"];
    assert_eq!(database["type"].as_str(), Some("libsql"));
    assert_eq!(database["url"].as_str(), Some("${LIBSQL_URL}"), "the URL from the environment");
    assert_eq!(database["token"].as_str(), Some("${LIBSQL_AUTH_TOKEN}"), "the token from the environment");

    // Every database and store label a component uses is configured in both.
    let manifest = Manifest::load();
    for (id, component) in manifest.components() {
        for label in component.get("sqlite_databases").and_then(|l| l.as_array()).into_iter().flatten() {
            for config in [&local, &production] {
                assert!(config["sqlite_database"].get(label.as_str().unwrap()).is_some(), "{id}: {label}");
            }
        }
        for label in component.get("key_value_stores").and_then(|l| l.as_array()).into_iter().flatten() {
            assert_eq!(
                label.as_str(),
                Some("default"),
                "{id}: Spin defines only `default` without configuration"
            );
        }
    }
}

/// `a/b/../c` as `a/c`, without touching the file system.
fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

#[test]
fn the_fermyon_cloud_steps_link_every_label_and_turn_the_issuer_off() {
    let script_path = deploy_dir().join("fermyon-cloud/deploy.sh");
    let script = read(&script_path);
    let syntax = std::process::Command::new("bash").arg("-n").arg(&script_path).output().expect("bash runs");
    assert!(syntax.status.success(), "{}", String::from_utf8_lossy(&syntax.stderr));
    // With any `--link`, the cloud plugin (0.7 and later) needs one for every database and
    // key-value label of the application: a label left out fails the first deploy.
    let mut links = BTreeSet::new();
    for component in Manifest::load().components().values() {
        for (list, kind) in [("sqlite_databases", "sqlite"), ("key_value_stores", "kv")] {
            for label in component.get(list).and_then(|l| l.as_array()).into_iter().flatten() {
                links.insert(format!("--link \"{kind}:{}=", label.as_str().unwrap()));
            }
        }
    }
    assert!(links.len() >= 2, "at least the database and the key-value store: {links:?}");
    for link in &links {
        assert!(script.contains(link.as_str()), "deploy.sh lacks {link}");
    }
    for needed in [
        "spin deploy",
        "--variable \"dev_issuer_enabled=false\"",
        "--variable \"dev_clients=[]\"",
        "--variable \"jwt_issuer=${JWT_ISSUER}\"",
        "--variable \"jwt_audience=${JWT_AUDIENCE}\"",
        "--variable \"jwt_jwks_url=${JWT_JWKS_URL}\"",
        "cors_allowed_origins=",
    ] {
        assert!(script.contains(needed), "deploy.sh lacks {needed}");
    }
}

#[test]
fn no_secret_is_committed_in_deploy() {
    let mut files = Vec::new();
    let mut dirs = vec![deploy_dir()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path)
            } else {
                files.push(path)
            }
        }
    }
    let dev_secrets: Vec<String> =
        serde_json::from_str::<Value>(Manifest::load().default_of("dev_clients").unwrap())
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["clientSecret"].as_str().unwrap().to_owned())
            .collect();
    for file in files {
        let text = read(&file);
        let name = file.display();
        for forbidden in ["eyJ", "BEGIN PRIVATE KEY", "BEGIN RSA PRIVATE KEY", "\"d\":"] {
            assert!(!text.contains(forbidden), "{name} holds something like a token or key ({forbidden})");
        }
        for secret in &dev_secrets {
            assert!(!text.contains(secret.as_str()), "{name} holds a local issuer client secret");
        }
        for line in text.lines().map(str::trim).filter(|l| !l.starts_with('#')) {
            if let Some(value) = line.strip_prefix("token = ") {
                assert!(value.starts_with("\"${"), "{name}: a literal token: {line}");
            }
        }
    }
    for (file, resource) in kubernetes_resources() {
        assert_ne!(resource["kind"], "Secret", "{file} commits a Secret; see docs/deployment.md");
    }
}

#[test]
fn every_spinapp_serves_as_configured_and_refuses_local_issuer_tokens() {
    let config_map = &of_kind("ConfigMap")[0]["data"];
    for spinapp in of_kind("SpinApp") {
        let name = name_of(&spinapp);
        // The state a development run leaves: the local issuer's key in key-value, a token of it.
        let dir = fresh_state_dir();
        let local_token = {
            let dev = spawn_app_on(dir.clone(), &[], None);
            dev.token(ORG_A)
        };
        let mut variables: BTreeMap<String, String> = BTreeMap::new();
        for variable in spinapp["spec"]["variables"].as_array().unwrap() {
            let value = match variable["value"].as_str() {
                Some(literal) => literal.to_owned(),
                None => config_map[variable["valueFrom"]["configMapKeyRef"]["key"].as_str().unwrap()]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            };
            variables.insert(variable["name"].as_str().unwrap().to_owned(), value);
        }
        // The example issuer of settings.yaml is not reachable from a test: the partner issuer
        // stands in for it, its keys given inline.
        if variables.contains_key("jwt_issuer") {
            variables.insert("jwt_issuer".into(), ISSUER.into());
            variables.insert("jwt_audience".into(), AUDIENCE.into());
            variables.insert("jwt_jwks_url".into(), String::new());
            variables.insert("jwt_jwks".into(), tokens::partner_jwks());
        }
        let variables: Vec<(&str, &str)> = variables.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let components = components_of(&spinapp);
        let selected: Vec<&str> = components.iter().map(String::as_str).collect();
        let app = spawn_app_on(dir, &variables, Some(&selected));
        // The development run's lines (in the same state directory) are not this run's.
        let logged_before: Vec<Value> = app.log_lines().iter().map(|l| l["correlationId"].clone()).collect();
        let mut reached = Vec::new();
        for probe in ["readiness", "liveness"] {
            let path = spinapp["spec"]["checks"][probe]["httpGet"]["path"].as_str().unwrap();
            let answer = app.request("GET", path, &[], None);
            assert_eq!(answer.status, 200, "{name}: {probe} probe {path}: {}", answer.body);
            reached.push((path.to_owned(), 200));
        }
        assert_not_served(&app, "POST", "/oauth/token");
        assert_not_served(&app, "GET", "/.well-known/jwks.json");
        let with_token = match selected.as_slice() {
            ["profiles"] => {
                Some(("/customers/v2/profiles/424242", "/customers/v2/profiles/{customerNumber}"))
            }
            ["temporary-profiles"] => Some((
                "/customers/v2/profiles/temporary/424242",
                "/customers/v2/profiles/temporary/{customerNumber}",
            )),
            ["consents"] => Some((
                "/customers/v2/consents/client/given-consents/424242",
                "/customers/v2/consents/client/given-consents/{id}",
            )),
            _ => None, // the OpenAPI document needs no token
        };
        if let Some((path, route)) = with_token {
            let refused = app.send("GET", path, Some(&local_token), None);
            assert_eq!(refused.status, 401, "{name} trusted a token of the local issuer: {}", refused.body);
            let partner = partner(&app).get(path);
            assert_eq!(partner.status, 404, "{name}: a partner token is accepted: {}", partner.body);
            reached.extend([(route.to_owned(), 401), (route.to_owned(), 404)]);
        }
        // One log line per request that reached a component, whichever component it is.
        let lines = app.log_lines();
        let logged: Vec<(String, u16)> = lines
            .iter()
            .filter(|l| !logged_before.contains(&l["correlationId"]))
            .map(|l| {
                assert!(l["correlationId"].is_string() && l["ms"].is_u64() && l["method"] == "GET", "{l}");
                (l["route"].as_str().unwrap_or("").to_owned(), l["status"].as_u64().unwrap() as u16)
            })
            .collect();
        if with_token.is_some() {
            // A refused token is logged before routing: no route template yet.
            assert_eq!(logged.len(), reached.len(), "{name}: {logged:?}");
            assert_eq!(logged[..2], reached[..2], "{name}");
            assert_eq!(logged[2].1, 401, "{name}");
            assert_eq!(logged[3], reached[3], "{name}");
        } else {
            assert_eq!(logged, reached, "{name}");
        }
    }
}
