//! Contract §1 conventions and platform properties: health, correlation ids, common
//! headers, body checks, CORS, schema migration under concurrency, and portability of the
//! built components across Spin versions.

use crate::helpers::*;
use serde_json::json;

#[test]
fn health_needs_no_token_and_reports_the_database() {
    let app = spawn_app();
    let response = app.send("GET", "/health", None, None);
    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(response.json(), json!({"status": "UP", "database": "UP"}));
}

#[test]
fn the_openapi_document_is_served_without_a_token() {
    let app = spawn_app();
    let response = app.send("GET", "/customers/v2/openapi.json", None, None);
    assert_eq!(response.status, 200);
    assert_eq!(response.json()["openapi"], "3.1.0");
}

#[test]
fn a_correlation_id_is_echoed_or_generated_and_nothing_is_cached() {
    let app = spawn_app();
    let echoed = app.request("GET", "/health", &[("x-correlation-id", "trace-42")], None);
    assert_eq!(echoed.header("x-correlation-id"), Some("trace-42"));
    let generated = app.send("GET", "/customers/v2/profiles/1", None, None);
    let id = generated.header("x-correlation-id").unwrap();
    assert_eq!(id.len(), 36, "a UUID: {id}");
    assert_eq!(generated.json()["correlationId"], id);
    assert_eq!(generated.header("cache-control"), Some("no-store"));
    assert_eq!(echoed.header("cache-control"), Some("no-store"));
}

#[test]
fn bad_bodies_are_415_413_and_400_naming_the_field() {
    let app = spawn_app();
    let token = app.token(ORG_A);
    let auth = format!("Bearer {token}");
    let post = |content_type: &str, body: Vec<u8>| {
        app.request(
            "POST",
            "/customers/v2/profiles",
            &[("authorization", &auth), ("content-type", content_type)],
            Some(body),
        )
    };
    assert_eq!(post("text/plain", b"{}".to_vec()).status, 415);
    let big = json!({"firstName": "x".repeat(70 * 1024)}).to_string().into_bytes();
    assert_eq!(post("application/json", big).status, 413);
    assert_eq!(post("application/json", b"{".to_vec()).status, 400);
    let unknown = post("application/json", br#"{"firstName":"Kari","shoeSize":42}"#.to_vec());
    assert_eq!(unknown.status, 400);
    assert_eq!(unknown.json()["errors"][0]["field"], "shoeSize");
    assert_eq!(unknown.error_code(), "UNKNOWN_FIELD");
}

/// Contract §1: `application/merge-patch+json` is a PATCH's body type only; a POST or PUT
/// sent as one is 415, on every component, and so is any other `+json` type.
#[test]
fn a_merge_patch_body_is_415_except_in_a_patch() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let n = a.create_profile(&kari_nordmann());
    let auth = format!("Bearer {}", a.token);
    let send = |method: &str, path: &str, content_type: &str, body: &serde_json::Value| {
        app.request(
            method,
            path,
            &[("authorization", &auth), ("content-type", content_type)],
            Some(body.to_string().into_bytes()),
        )
    };
    let mut other = kari_nordmann();
    other["email"] = json!("other@example.no");
    let replacement =
        json!({"firstName": "Kari", "surname": "Nordmann", "changedBy": "t", "changedByChannel": "WEB"});
    let temporary = json!({"expirationDate": "2099-01-01", "createdBy": "t", "createdByChannel": "TVM"});
    let base = json!({"consentCode": "NEWSLETTER", "terms": [{"language": "EN", "text": "Yes"}]});
    let cases = [
        ("POST", "/customers/v2/profiles".to_owned(), other),
        ("PUT", format!("/customers/v2/profiles/{n}"), replacement.clone()),
        ("POST", "/customers/v2/profiles/temporary".to_owned(), temporary),
        ("POST", "/customers/v2/consents/admin/consent-bases".to_owned(), base),
        ("PUT", format!("/customers/v1/profiles/{n}"), replacement.clone()),
    ];
    for (method, path, body) in &cases {
        for content_type in
            ["application/merge-patch+json", "application/vnd.api+json", "application/problem+json"]
        {
            let response = send(method, path, content_type, body);
            assert_eq!(response.status, 415, "{method} {path} as {content_type}: {}", response.body);
            assert_eq!(response.error_code(), "UNSUPPORTED_MEDIA_TYPE");
        }
    }
    let patch = json!({"firstName": "Kari Marie", "changedBy": "t", "changedByChannel": "WEB"});
    let patched =
        send("PATCH", &format!("/customers/v2/profiles/{n}"), "application/merge-patch+json", &patch);
    assert_eq!(patched.status, 200, "a PATCH takes it: {}", patched.body);
    let as_json = send("PUT", &format!("/customers/v2/profiles/{n}"), "application/json", &replacement);
    assert_eq!(as_json.status, 200, "and application/json stays fine: {}", as_json.body);
}

#[test]
fn browsers_get_no_cors_headers_unless_their_origin_is_allowed() {
    let app = spawn_app_with(&[("cors_allowed_origins", "https://crm.example")]);
    let preflight = |origin: &str| {
        app.request(
            "OPTIONS",
            "/customers/v2/profiles",
            &[("origin", origin), ("access-control-request-method", "POST")],
            None,
        )
    };
    let allowed = preflight("https://crm.example");
    assert_eq!(allowed.status, 204);
    assert_eq!(allowed.header("access-control-allow-origin"), Some("https://crm.example"));
    let refused = preflight("https://evil.example");
    assert_eq!(refused.status, 403);
    assert!(refused.header("access-control-allow-origin").is_none());
    let simple = app.request("GET", "/health", &[("origin", "https://evil.example")], None);
    assert!(simple.header("access-control-allow-origin").is_none());
}

#[test]
fn by_default_no_origin_is_allowed() {
    let app = spawn_app();
    let response = app.request(
        "OPTIONS",
        "/customers/v2/profiles",
        &[("origin", "https://crm.example"), ("access-control-request-method", "GET")],
        None,
    );
    assert_eq!(response.status, 403);
}

#[test]
fn components_taking_their_first_requests_at_once_migrate_the_database_once() {
    let app = spawn_app();
    let token = app.token(ORG_A); // the issuer needs no database
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..12)
            .map(|i| {
                let (app, token) = (&app, &token);
                s.spawn(move || match i % 3 {
                    0 => app.send("GET", "/health", None, None).status,
                    1 => app.send("GET", "/customers/v2/profiles/1", Some(token), None).status,
                    _ => app.send("GET", "/customers/v2/consents/client/consents", Some(token), None).status,
                })
            })
            .collect();
        for handle in handles {
            let status = handle.join().unwrap();
            assert!([200, 404].contains(&status), "a first request failed with {status}");
        }
    });
    let applied = query_int(&app.db(), "SELECT count(*) FROM schema_migration", &[]);
    let files = std::fs::read_dir(repo_root().join("migrations")).unwrap().count() as i64;
    assert_eq!(applied, files, "each migration applied exactly once");
}

#[test]
fn every_component_imports_only_wasi_p2_and_spin_2_interfaces() {
    let dir = built_components();
    for (name, _) in api::routes::components() {
        let path = dir.join(format!("{}.wasm", name.replace('-', "_")));
        let imports = testhost::component_imports(&path).unwrap();
        assert!(!imports.is_empty());
        for import in imports {
            let portable = (import.starts_with("wasi:") && import.contains("@0.2."))
                || (import.starts_with("fermyon:spin/") && import.ends_with("@2.0.0"));
            assert!(portable, "{name}.wasm imports {import}, which Spin 2.x / Fermyon Cloud may not provide");
        }
    }
}

/// Issue 15's budget: each component's release `.wasm` (the WASIp2 build `spin.toml` runs)
/// under 1 MiB. docs/performance.md ("Size") says where the bytes go and what kept them down.
#[test]
fn every_component_is_under_one_mebibyte() {
    const BUDGET: u64 = 1024 * 1024;
    let dir = built_components();
    for (name, _) in api::routes::components() {
        let path = dir.join(format!("{}.wasm", name.replace('-', "_")));
        let bytes = std::fs::metadata(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).len();
        assert!(bytes < BUDGET, "{name}.wasm is {bytes} bytes, over the budget of {BUDGET}");
    }
}

#[test]
fn every_request_logs_one_line_without_personal_data_or_tokens() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let n = a.create_profile(&kari_nordmann());
    assert_eq!(a.get(&format!("/customers/v2/profiles/{n}")).status, 200);
    let log = app.log_text();
    for secret in ["Nordmann", "kari.nordmann", a.token.as_str(), "partner-a-secret"] {
        assert!(!log.contains(secret), "the log holds {secret}");
    }
    let lines = app.log_lines();
    let get = lines.iter().find(|l| l["method"] == "GET").expect("a line for the GET");
    assert_eq!(get["route"], "/customers/v2/profiles/{customerNumber}");
    assert_eq!(get["status"], 200);
    assert_eq!(get["clientId"], "partner-a");
    assert!(get["correlationId"].as_str().is_some() && get["ms"].is_u64());
    assert_eq!(lines.len(), 3, "one line per request (token, create, get): {lines:?}");
}

#[test]
fn a_known_path_with_another_method_is_405() {
    let app = spawn_app();
    let response = app.client(ORG_A).send("DELETE", "/customers/v2/profiles", None);
    assert_eq!(response.status, 405);
    assert_eq!(response.error_code(), "METHOD_NOT_ALLOWED");
}

/// spin.p3.toml runs the same application as spin.toml, built as WASIp3 components: the same
/// routes, variables and component settings; only where each `.wasm` comes from differs.
#[test]
fn spin_p3_toml_is_spin_toml_with_the_p3_build() {
    let load = |name: &str| -> toml::Table {
        toml::from_str(&std::fs::read_to_string(repo_root().join(name)).unwrap()).expect(name)
    };
    let (mut p2, mut p3) = (load("spin.toml"), load("spin.p3.toml"));
    for (manifest, target) in [(&mut p2, "target/wasm32-wasip2/"), (&mut p3, "target/p3/wasm32-wasip2/")] {
        let components = manifest["component"].as_table_mut().unwrap();
        for (name, component) in components.iter_mut() {
            let component = component.as_table_mut().unwrap();
            let source = component.remove("source").unwrap();
            assert!(source.as_str().unwrap().starts_with(target), "{name}: {source}");
            let build = component.remove("build").unwrap();
            let command = build["command"].as_str().unwrap().to_owned();
            let p3 = command.contains("--no-default-features --features p3 --target-dir target/p3");
            assert_eq!(p3, target.contains("p3"), "{name}: {command}");
        }
    }
    assert_eq!(p2, p3, "spin.toml and spin.p3.toml differ beyond the build");
}
