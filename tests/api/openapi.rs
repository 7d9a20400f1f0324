//! The OpenAPI document (`openapi/openapi.json`, contract §8) against the code: every route of
//! the components' route tables (`api::routes`) has its operation and every operation its
//! route, spin.toml routes every operation to the component that serves it and has no route
//! serving none, and the file is exactly what `openapi-gen` writes. No running app needed.
//! (That every response matches the document is checked on every request of the other tests:
//! `conformance.rs`.)

use crate::helpers::repo_root;
use serde_json::Value;
use std::collections::BTreeSet;

/// spin.toml routes that serve no operation of the document: the API reference page that
/// renders it (`docs_page.rs`).
const NOT_OPERATIONS: &[&str] = &["/customers/v2/docs/..."];

const METHODS: &[&str] = &["get", "put", "post", "delete", "patch", "options", "head", "trace"];

/// Every operation the components serve, with its component (`api::routes`).
pub(crate) fn component_operations() -> Vec<(&'static str, &'static web::Operation)> {
    api::routes::components()
        .into_iter()
        .flat_map(|(c, ops)| ops.into_iter().map(move |op| (c, op)))
        .collect()
}

/// (METHOD, template) of every operation `component` serves.
pub(crate) fn routes_of(component: &str) -> Vec<(String, String)> {
    let routes: Vec<(String, String)> = component_operations()
        .into_iter()
        .filter(|(c, _)| *c == component)
        .map(|(_, op)| (op.method.to_owned(), op.template.to_owned()))
        .collect();
    assert!(!routes.is_empty(), "no component {component}");
    routes
}

fn document() -> Value {
    let path = repo_root().join("openapi/openapi.json");
    let text = std::fs::read_to_string(&path).expect("openapi/openapi.json is readable");
    serde_json::from_str(&text).expect("openapi/openapi.json is valid JSON")
}

/// (METHOD, path) of every operation of the document.
fn operations(doc: &Value) -> BTreeSet<(String, String)> {
    let paths = doc["paths"].as_object().expect("the document has paths");
    let mut found = BTreeSet::new();
    for (path, item) in paths {
        for (key, _) in item.as_object().expect("a path item is an object") {
            if METHODS.contains(&key.as_str()) {
                found.insert((key.to_ascii_uppercase(), path.clone()));
            }
        }
    }
    found
}

#[test]
fn every_route_has_an_operation_and_every_operation_a_route() {
    let routes: BTreeSet<(String, String)> =
        component_operations().iter().map(|(_, op)| (op.method.to_owned(), op.template.to_owned())).collect();
    let documented = operations(&document());
    let undocumented: Vec<String> = routes.difference(&documented).map(|(m, p)| format!("{m} {p}")).collect();
    let unrouted: Vec<String> = documented.difference(&routes).map(|(m, p)| format!("{m} {p}")).collect();
    assert!(
        undocumented.is_empty() && unrouted.is_empty(),
        "openapi/openapi.json is out of step with the route tables (run `cargo run -p openapi-gen`)\n\
         routes without an operation:\n  {}\noperations without a route:\n  {}",
        undocumented.join("\n  "),
        unrouted.join("\n  "),
    );
}

#[test]
fn spin_toml_routes_every_operation_to_its_component_and_every_route_serves_one() {
    let manifest =
        testhost::manifest::Manifest::load(&repo_root().join("spin.toml")).expect("spin.toml loads");
    let triggers = &manifest.trigger.http;
    let mut router = testhost::routes::Router::default();
    for (i, trigger) in triggers.iter().enumerate() {
        router.add(&trigger.route, i).expect("a valid route");
    }
    let components = component_operations();
    let mut served = vec![false; triggers.len()];
    let mut problems = Vec::new();
    for (method, path) in operations(&document()) {
        // A path parameter stands for one segment; Spin routes on segments alone.
        let sample: Vec<&str> =
            path.split('/').map(|s| if s.starts_with('{') && s.ends_with('}') { "1" } else { s }).collect();
        let owner =
            components.iter().find(|(_, op)| op.method == method && op.template == path).map(|(c, _)| *c);
        match router.route(&sample.join("/")) {
            None => problems.push(format!("{method} {path}: no spin.toml route")),
            Some(found) => {
                served[found.component] = true;
                let routed_to = triggers[found.component].component.as_str();
                if owner.is_some_and(|owner| owner != routed_to) {
                    problems.push(format!(
                        "{method} {path}: spin.toml routes it ({}) to {routed_to}, but {} serves it",
                        found.raw_route,
                        owner.unwrap_or_default()
                    ));
                }
            }
        }
    }
    for (trigger, served) in triggers.iter().zip(served) {
        if !served && !NOT_OPERATIONS.contains(&trigger.route.as_str()) {
            problems.push(format!(
                "spin.toml route {} ({}) serves no operation",
                trigger.route, trigger.component
            ));
        }
    }
    assert!(problems.is_empty(), "spin.toml and openapi/openapi.json disagree:\n  {}", problems.join("\n  "));
}

#[test]
fn every_operation_names_its_id_its_permission_and_its_path_parameters() {
    let doc = document();
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["security"][0]["bearerAuth"], Value::Array(vec![]));
    let public: BTreeSet<(String, String)> = component_operations()
        .iter()
        .filter(|(_, op)| op.access == web::Access::Public)
        .map(|(_, op)| (op.method.to_owned(), op.template.to_owned()))
        .collect();
    let mut ids = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let name = format!("{} {path}", method.to_ascii_uppercase());
            let id = op["operationId"].as_str().unwrap_or_else(|| panic!("{name}: no operationId"));
            assert!(ids.insert(id.to_owned()), "{name}: operationId {id} is used twice");
            assert!(op["x-permissions"].is_array(), "{name}: no x-permissions");
            let is_public = public.contains(&(method.to_ascii_uppercase(), path.clone()));
            assert_eq!(op["security"] == serde_json::json!([]), is_public, "{name}: security");
            let params = op["parameters"].as_array().map(Vec::as_slice).unwrap_or_default();
            for segment in path.split('/').filter(|s| s.starts_with('{')) {
                let param = segment.trim_start_matches('{').trim_end_matches('}');
                let reference = format!("#/components/parameters/{param}");
                assert!(
                    params.iter().any(|p| p["$ref"] == reference.as_str() || p["name"] == param),
                    "{name}: path parameter {param} is not declared"
                );
            }
        }
    }
}

#[test]
fn the_document_is_what_the_generator_writes() {
    let path = repo_root().join("openapi/openapi.json");
    let committed = std::fs::read_to_string(&path).expect("openapi/openapi.json is readable");
    assert!(
        committed == openapi_gen::render(),
        "openapi/openapi.json is not what openapi-gen writes: run `cargo run -p openapi-gen`"
    );
}
