//! The OpenAPI 3.1 document of the Customers API, built from the code: the error-code list
//! from the table in `crates/errors` ([`ErrorCode`]), and every operation's operationId,
//! summary, permission, path parameters, common headers and error responses (each listing
//! its codes) from the route tables (`api::routes`), and the schemas of the wire types
//! `domain` derives (`domain::openapi`, feature `openapi`). What the code does not
//! state yet — the other schemas, the descriptions, the query parameters, the success responses and their links —
//! comes from `openapi/base.json`, keyed by path and method; every operation there must be
//! routed and every route described there.
//!
//! Keys come out sorted, so the file only changes when the document does.

use api::routes::components;
use errors::ErrorCode;
use serde_json::{json, Map, Value};
use web::{Access, Operation};

const BASE: &str = include_str!("../../../openapi/base.json");

/// The error responses, by status (`#/components/responses/...`).
const RESPONSE_NAMES: &[(u16, &str)] = &[
    (400, "BadRequest"),
    (401, "Unauthorized"),
    (403, "Forbidden"),
    (404, "NotFound"),
    (409, "Conflict"),
    (412, "PreconditionFailed"),
    (413, "ContentTooLarge"),
    (415, "UnsupportedMediaType"),
    (422, "UnprocessableContent"),
    (429, "TooManyRequests"),
    (500, "InternalServerError"),
    (503, "ServiceUnavailable"),
];

/// The document as `openapi/openapi.json` holds it.
pub fn render() -> String {
    serde_json::to_string_pretty(&document()).expect("a JSON value serialises") + "\n"
}

/// The document.
pub fn document() -> Value {
    let mut doc: Value = serde_json::from_str(BASE).expect("openapi/base.json is JSON");
    let mut described = doc["paths"].take();
    let mut paths = Map::new();
    for (component, operations) in components() {
        for op in operations {
            let method = op.method.to_ascii_lowercase();
            let base = described
                .get_mut(op.template)
                .and_then(|item| item.as_object_mut())
                .and_then(|item| item.remove(&method))
                .unwrap_or_else(|| {
                    panic!("{component}: {} {} is not described in openapi/base.json", op.method, op.template)
                });
            let item = paths.entry(op.template).or_insert_with(|| json!({}));
            item[&method] = operation(op, base, &doc["components"]["parameters"]);
        }
    }
    let left: Vec<String> = described
        .as_object()
        .into_iter()
        .flatten()
        .flat_map(|(path, item)| {
            item.as_object().into_iter().flatten().map(move |(m, _)| format!("{m} {path}"))
        })
        .collect();
    assert!(left.is_empty(), "openapi/base.json describes operations no route table has: {left:?}");
    doc["paths"] = Value::Object(paths);
    doc["components"]["schemas"]["ErrorCode"] = error_code_schema();
    let schemas = doc["components"]["schemas"].as_object_mut().expect("base.json has components.schemas");
    for (name, schema) in domain::openapi::components() {
        let taken = schemas.insert(name.clone(), schema);
        assert!(taken.is_none(), "{name} is derived from the code: remove it from openapi/base.json");
    }
    check_references(&doc, &doc);
    doc
}

/// One Operation Object: `base` (what the code does not state yet) with what the row says.
fn operation(op: &Operation, mut base: Value, parameters_described: &Value) -> Value {
    base["operationId"] = json!(op.id);
    base["summary"] = json!(op.summary);
    base["x-permissions"] = json!(op.permissions().iter().map(|p| p.as_str()).collect::<Vec<_>>());
    if op.access == Access::Public {
        base["security"] = json!([]);
    }
    let who = match op.access {
        Access::Public => "Public: no token needed.".to_owned(),
        Access::AnyToken => "Any valid token; no permission is checked.".to_owned(),
        Access::AnyOf(permissions) => {
            let names: Vec<String> = permissions.iter().map(|p| format!("`{p}`")).collect();
            format!("Permission: {}.", names.join(" or "))
        }
    };
    base["description"] = match base["description"].as_str() {
        Some(text) => json!(format!("{text}\n\n{who}")),
        None => json!(who),
    };

    let mut parameters: Vec<Value> = path_parameters(op.template).map(parameter).collect();
    parameters.extend(base["parameters"].as_array().cloned().unwrap_or_default());
    if op.if_match {
        parameters.push(parameter("If-Match"));
    }
    if op.idempotent {
        parameters.push(parameter("Idempotency-Key"));
    }
    parameters.extend([parameter("X-Correlation-Id"), parameter("ET-Client-Name")]);
    base["parameters"] = Value::Array(parameters);

    // The row says whether the operation reads a query string; base.json's parameters must
    // agree with it.
    let takes_query = base["parameters"].as_array().into_iter().flatten().any(|p| {
        let described = match p["$ref"].as_str().and_then(|r| r.strip_prefix("#/components/parameters/")) {
            Some(name) => &parameters_described[name],
            None => p,
        };
        described["in"] == "query"
    });
    assert_eq!(
        takes_query, op.query,
        "{} {}: openapi/base.json lists query parameters exactly when the row says `.query()`",
        op.method, op.template
    );
    let error_codes = op.error_codes();
    let prefix = deprecation_prefix(&base);
    let responses = base["responses"].as_object_mut().expect("an operation has responses");
    for (status, codes) in error_codes {
        let (_, name) = RESPONSE_NAMES
            .iter()
            .find(|(s, _)| *s == status)
            .unwrap_or_else(|| panic!("no response for {status}"));
        let listed: Vec<String> = codes.iter().map(|c| format!("`{c}`")).collect();
        responses.insert(
            status.to_string(),
            json!({
                "$ref": format!("#/components/responses/{prefix}{name}"),
                "description": format!("errorCode: {}.", listed.join(", ")),
            }),
        );
    }
    base
}

/// The `{name}`s of a path template.
fn path_parameters(template: &str) -> impl Iterator<Item = &str> {
    template.split('/').filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
}

fn parameter(name: &str) -> Value {
    json!({"$ref": format!("#/components/parameters/{name}")})
}

/// Error responses of a deprecated operation carry its deprecation headers too (a reference
/// cannot add headers): `V1Profiles...` or `V1Consents...`, by the successor link its
/// answers carry.
fn deprecation_prefix(op: &Value) -> &'static str {
    if op["deprecated"] != true {
        return "";
    }
    let headers = op["responses"].to_string();
    if headers.contains("#/components/headers/ProfileSuccessorLink") {
        "V1Profiles"
    } else {
        "V1Consents"
    }
}

/// The `ErrorCode` schema: every code, and the table as its description.
fn error_code_schema() -> Value {
    let mut rows = vec!["| errorCode | status | meaning |".to_owned(), "|---|---|---|".to_owned()];
    rows.extend(ErrorCode::ALL.iter().map(|c| format!("| `{c}` | {} | {} |", c.status(), c.meaning())));
    let mut codes: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    codes.sort_unstable();
    json!({
        "type": "string",
        "description": format!(
            "The stable, UPPER_SNAKE code of one entry of `errors` (the telephone code `605` is Entur's). \
             The problem's `type` ends in the whole error's code, lower case with dashes \
             (`.../errors/duplicate-email`).\n\n{}",
            rows.join("\n")
        ),
        "enum": codes,
    })
}

/// Every `$ref` names something the document has.
fn check_references(doc: &Value, node: &Value) {
    match node {
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get("$ref") {
                let pointer = target.strip_prefix('#').unwrap_or_else(|| panic!("a non-local $ref {target}"));
                assert!(doc.pointer(pointer).is_some(), "a dangling $ref {target}");
            }
            map.values().for_each(|value| check_references(doc, value));
        }
        Value::Array(items) => items.iter().for_each(|value| check_references(doc, value)),
        _ => {}
    }
}
