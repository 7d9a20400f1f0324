//! The contract as a checked artefact (contract §8): every response an end-to-end test receives
//! is checked against `openapi/openapi.json` by [`check`], called from `TestApp::request`, the
//! one place every test request goes through. For the operation the request names (method and
//! path matched against the document's path templates) the status must be documented, every
//! response header the document marks `required` present and valid, and the body of the
//! documented media type and valid against its schema (JSON Schema 2020-12, formats checked).
//! So the document and the service cannot drift apart without a test failing.
//!
//! Not checked: paths and methods the document has no operation for (tests that call an unknown
//! path or method on purpose), and the test host's own empty 404 for a path no component of the
//! running app serves (tests that start only some components).

use crate::helpers::{repo_root, TestResponse};
use jsonschema::Validator;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// The document, read once per test binary.
pub fn document() -> &'static Value {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    DOCUMENT.get_or_init(|| {
        let path = repo_root().join("openapi/openapi.json");
        let text = std::fs::read_to_string(&path).expect("openapi/openapi.json is readable");
        serde_json::from_str(&text).expect("openapi/openapi.json is valid JSON")
    })
}

/// The route-table row a request reaches, found by the components' own router
/// (`web::router::find`): `None` for a path no component routes (404) or a method the path
/// has not (405).
pub fn operation_for(method: &str, path: &str) -> Option<&'static web::Operation> {
    static TABLE: OnceLock<Vec<web::Route<()>>> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        crate::openapi::component_operations().into_iter().map(|(_, op)| web::route(*op, ())).collect()
    });
    let request = http::Request::builder().method(method).uri(path).body(()).ok()?;
    let (found, _) = web::router::find(table, &request).ok()?;
    let op = &found.op;
    crate::openapi::component_operations().into_iter().map(|(_, o)| o).find(|o| o.id == op.id)
}

/// Follows a local `$ref` (`#/components/responses/NotFound`) to what it names.
fn resolve(node: &'static Value) -> &'static Value {
    match node.get("$ref").and_then(Value::as_str) {
        Some(pointer) => {
            let target = document()
                .pointer(pointer.strip_prefix('#').expect("a local $ref"))
                .unwrap_or_else(|| panic!("openapi.json: dangling $ref {pointer}"));
            resolve(target)
        }
        None => node,
    }
}

/// A validator for `schema` (a part of the document), compiled once per test binary; its
/// `$ref`s into `#/components` resolve against the document's components.
fn validator(key: String, schema: &'static Value) -> Arc<Validator> {
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<Validator>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(found) = cache.lock().unwrap().get(&key) {
        return found.clone();
    }
    let root = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "allOf": [schema],
        "components": document()["components"],
    });
    let compiled = jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(&root)
        .unwrap_or_else(|e| panic!("openapi.json: the schema of {key} does not compile: {e}"));
    let compiled = Arc::new(compiled);
    cache.lock().unwrap().insert(key, compiled.clone());
    compiled
}

fn errors_of(validator: &Validator, instance: &Value) -> Vec<String> {
    validator.iter_errors(instance).map(|e| format!("{}: {e}", e.instance_path())).collect()
}

/// Checks one response against the document (see the module documentation); panics with what
/// differs.
pub fn check(method: &str, path_and_query: &str, response: &TestResponse) {
    let path = path_and_query.split(['?', '#']).next().unwrap_or_default();
    let Some(row) = operation_for(method, path) else { return };
    let Some(operation) = document()["paths"][row.template].get(method.to_ascii_lowercase()) else {
        panic!("{method} {path}: the route table's {} is not in openapi/openapi.json", row.id);
    };
    let host_not_found =
        response.status == 404 && response.body.is_empty() && response.header("x-correlation-id").is_none();
    if host_not_found {
        return;
    }
    let id = row.id;
    let what = format!("{method} {path_and_query} ({id}) answered {}", response.status);
    let responses = &operation["responses"];
    let status = response.status.to_string();
    let Some(documented) = responses.get(&status).or_else(|| responses.get("default")) else {
        panic!("{what}, a status the document does not list for it: {}", response.body);
    };
    let documented = resolve(documented);

    let mut problems = Vec::new();
    for (name, header) in documented["headers"].as_object().into_iter().flatten() {
        let header = resolve(header);
        match response.header(name) {
            None if header["required"] == true => problems.push(format!("header {name} is missing")),
            None => {}
            Some(value) => {
                let schema = validator(format!("header {name} of {id} {status}"), &header["schema"]);
                for error in errors_of(&schema, &json!(value)) {
                    problems.push(format!("header {name}: {value:?}: {error}"));
                }
            }
        }
    }

    let content_type =
        response.header("content-type").map(|t| t.split(';').next().unwrap_or_default().trim());
    match (documented.get("content").and_then(Value::as_object), content_type) {
        (None, None) if response.body.is_empty() => {}
        (None, _) => problems.push(format!("a body ({content_type:?}) where the document has none")),
        (Some(content), None) => problems
            .push(format!("no content-type; the document has {:?}", content.keys().collect::<Vec<_>>())),
        (Some(content), Some(media)) => match content.get(media) {
            None => problems.push(format!(
                "content-type {media}; the document has {:?}",
                content.keys().collect::<Vec<_>>()
            )),
            Some(entry) => match serde_json::from_str::<Value>(&response.body) {
                Err(e) => problems.push(format!("the {media} body is not JSON: {e}")),
                Ok(body) => {
                    let schema = validator(format!("{id} {status} {media}"), &entry["schema"]);
                    problems.extend(errors_of(&schema, &body).into_iter().map(|e| format!("body {e}")));
                }
            },
        },
    }
    assert!(
        problems.is_empty(),
        "{what}, not as openapi/openapi.json documents it:\n  {}\nbody: {}",
        problems.join("\n  "),
        response.body
    );
}

#[test]
fn request_paths_find_the_row_of_their_route_table() {
    let cases = [
        ("/customers/v2/profiles", Some("/customers/v2/profiles")),
        ("/customers/v2/profiles/7", Some("/customers/v2/profiles/{customerNumber}")),
        ("/customers/v2/profiles/temporary", Some("/customers/v2/profiles/temporary")), // POST
        ("/customers/v2/profiles/temporary/7", Some("/customers/v2/profiles/temporary/{customerNumber}")),
        (
            "/customers/v2/profiles/by-customer-ref/x",
            Some("/customers/v2/profiles/by-customer-ref/{customerRef}"),
        ),
        (
            "/customers/v2/consents/client/given-consents/bulk", // PUT
            Some("/customers/v2/consents/client/given-consents/bulk"),
        ),
        (
            "/customers/v2/consents/client/given-consents/3",
            Some("/customers/v2/consents/client/given-consents/{id}"),
        ),
        ("/customers/v1/profiles/7/", Some("/customers/v1/profiles/{customerNumber}")),
        ("/customers/v2/nothing", None),
    ];
    for (path, expected) in cases {
        let method = match path.rsplit('/').next() {
            Some("temporary") => "POST",
            Some("bulk") => "PUT",
            _ => "GET",
        };
        assert_eq!(operation_for(method, path).map(|op| op.template), expected, "{method} {path}");
    }
    assert!(operation_for("DELETE", "/customers/v2/profiles-search").is_none(), "a method the path has not");
}

#[test]
fn a_response_unlike_the_document_is_caught() {
    let response = |status: u16, headers: &[(&str, &str)], body: &str| {
        let mut map = http::HeaderMap::new();
        for (name, value) in headers {
            map.insert(http::HeaderName::from_bytes(name.as_bytes()).unwrap(), value.parse().unwrap());
        }
        TestResponse { status, headers: map, body: body.to_owned() }
    };
    let common =
        [("x-correlation-id", "c-1"), ("cache-control", "no-store"), ("content-type", "application/json")];
    let fails = |r: TestResponse| std::panic::catch_unwind(|| check("GET", "/health", &r)).is_err();
    assert!(!fails(response(200, &common, r#"{"status":"UP","database":"UP"}"#)));
    assert!(fails(response(200, &common, r#"{"status":"FINE","database":"UP"}"#)), "a value off the schema");
    assert!(fails(response(200, &common[1..], r#"{"status":"UP","database":"UP"}"#)), "no X-Correlation-Id");
    assert!(fails(response(418, &common, "{}")), "an undocumented status");
    assert!(!fails(response(404, &[], "")), "the host's own 404 is not the service's");
    // Unknown paths and methods are not the document's business.
    check("GET", "/customers/v2/nothing", &response(404, &[], "whatever"));
    check("OPTIONS", "/health", &response(405, &[], "whatever"));
}
