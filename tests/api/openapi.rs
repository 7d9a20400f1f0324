//! The OpenAPI document (`openapi/openapi.json`, contract §8) against the code: every route of
//! the components' route tables has its operation and every operation its route, spin.toml
//! routes every operation to the component that serves it and has no route serving none, and
//! the file is exactly what `openapi/generate.py` writes. No running app needed. (That every
//! response matches the document is checked on every request of the other tests:
//! `conformance.rs`.)

use crate::helpers::repo_root;
use serde_json::Value;
use std::collections::BTreeSet;

/// The components whose `ROUTES` tables the document must cover.
const ROUTED_COMPONENTS: &[&str] = &["profiles", "temporary-profiles", "consents"];

/// The paths answered before routing (no token), by component.
const PUBLIC_PATHS: &[(&str, &str, &str)] = &[
    ("profiles", "GET", "/health"),
    ("profiles", "GET", "/health/profiles"),
    ("temporary-profiles", "GET", "/health/temporary-profiles"),
    ("consents", "GET", "/health/consents"),
    ("openapi", "GET", "/customers/v2/openapi.json"),
    ("token-issuer", "POST", "/oauth/token"),
    ("token-issuer", "GET", "/.well-known/jwks.json"),
];

/// spin.toml routes that serve no operation of the document: the API reference page that
/// renders it (`docs_page.rs`).
const NOT_OPERATIONS: &[&str] = &["/customers/v2/docs/..."];

const METHODS: &[&str] = &["get", "put", "post", "delete", "patch", "options", "head", "trace"];

fn source(component: &str) -> String {
    let path = repo_root().join("components").join(component).join("src/lib.rs");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    // rustfmt splits long `route(...)` calls over lines: one space for any run of whitespace.
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The string literal at the start of `text` (after optional spaces), and what follows it.
fn literal(text: &str) -> Option<(&str, &str)> {
    let rest = text.trim_start().strip_prefix('"')?;
    let end = rest.find('"')?;
    Some((&rest[..end], &rest[end + 1..]))
}

/// Every `route("METHOD", "TEMPLATE", handler)` of a component's source.
pub(crate) fn routes_of(component: &str) -> Vec<(String, String)> {
    let text = source(component);
    let mut routes = Vec::new();
    for (at, _) in text.match_indices("route(") {
        let Some((method, rest)) = literal(&text[at + "route(".len()..]) else {
            continue; // `const fn route(method: ...`
        };
        let rest = rest.trim_start().strip_prefix(',').expect("a comma after the method");
        let (template, _) = literal(rest).expect("the template after the method");
        routes.push((method.to_owned(), template.to_owned()));
    }
    assert!(!routes.is_empty(), "no route(\"METHOD\", \"TEMPLATE\", ...) found in {component}");
    routes
}

/// The public paths a component answers before routing: each `ctx.route.set("PATH")` with the
/// method of the `("METHOD", [...])` arm it sits in.
fn public_routes_of(component: &str) -> Vec<(String, String)> {
    let text = source(component);
    let mut routes = Vec::new();
    // An API component's health paths: `Handlers { health_paths: &["/health", ...], .. }`.
    if let Some((_, list)) = text.split_once("health_paths: &[") {
        let mut rest = list.split(']').next().unwrap_or("");
        while let Some((path, after)) = literal(rest) {
            routes.push(("GET".to_owned(), path.to_owned()));
            rest = after.trim_start().strip_prefix(',').unwrap_or(after);
        }
    }
    // A public component's paths: `ctx.route.set("/path")` in the arm of its method.
    for (at, _) in text.match_indices("ctx.route.set(") {
        let (path, _) = literal(&text[at + "ctx.route.set(".len()..]).expect("a literal path");
        let arm = text[..at].rfind("(\"").expect("the match arm of the public path");
        let (method, _) = literal(&text[arm + 1..]).expect("the method of the arm");
        routes.push((method.to_owned(), path.to_owned()));
    }
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
    let mut routes = BTreeSet::new();
    for component in ROUTED_COMPONENTS {
        for route in routes_of(component) {
            assert!(routes.insert(route.clone()), "{route:?} is routed twice");
        }
    }
    for (component, method, path) in PUBLIC_PATHS {
        let public = public_routes_of(component);
        let route = (method.to_string(), path.to_string());
        assert!(public.contains(&route), "{component} no longer answers {method} {path}: {public:?}");
        routes.insert(route);
    }
    let documented = operations(&document());
    let undocumented: Vec<String> = routes.difference(&documented).map(|(m, p)| format!("{m} {p}")).collect();
    let unrouted: Vec<String> = documented.difference(&routes).map(|(m, p)| format!("{m} {p}")).collect();
    assert!(
        undocumented.is_empty() && unrouted.is_empty(),
        "openapi/openapi.json is out of step with the route tables (edit openapi/generate.py and run it)\n\
         routes without an operation:\n  {}\noperations without a route:\n  {}",
        undocumented.join("\n  "),
        unrouted.join("\n  "),
    );
}

/// Every route of every component (route tables and public paths), with its component.
fn component_routes() -> Vec<(String, String, String)> {
    let mut all = Vec::new();
    for component in ROUTED_COMPONENTS {
        all.extend(routes_of(component).into_iter().map(|(m, p)| (component.to_string(), m, p)));
    }
    all.extend(PUBLIC_PATHS.iter().map(|(c, m, p)| (c.to_string(), m.to_string(), p.to_string())));
    all
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
    let components = component_routes();
    let mut served = vec![false; triggers.len()];
    let mut problems = Vec::new();
    for (method, path) in operations(&document()) {
        // A path parameter stands for one segment; Spin routes on segments alone.
        let sample: Vec<&str> =
            path.split('/').map(|s| if s.starts_with('{') && s.ends_with('}') { "1" } else { s }).collect();
        let owner =
            components.iter().find(|(_, m, p)| *m == method && *p == path).map(|(c, _, _)| c.as_str());
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
    let public: BTreeSet<(String, String)> =
        PUBLIC_PATHS.iter().map(|(_, m, p)| (m.to_string(), p.to_string())).collect();
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
    let root = repo_root();
    let output = std::process::Command::new("python3")
        .current_dir(&root)
        .args(["openapi/generate.py", "--check"])
        .output()
        .unwrap_or_else(|e| panic!("python3 is needed to check openapi/openapi.json: {e}"));
    assert!(
        output.status.success(),
        "openapi/openapi.json is not what openapi/generate.py writes: run `python3 openapi/generate.py`\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
}
