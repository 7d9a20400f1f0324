//! Contract §3: reading by ref, PUT, PATCH, deactivate, connect, erasure, export, history,
//! passwords and credentials, with ETag/If-Match and Idempotency-Key.

use crate::helpers::*;
use serde_json::json;

fn path(n: i64) -> String {
    format!("/customers/v2/profiles/{n}")
}

fn with_if_match(
    app: &TestApp,
    token: &str,
    method: &str,
    path: &str,
    etag: &str,
    body: &serde_json::Value,
) -> TestResponse {
    let auth = format!("Bearer {token}");
    app.request(
        method,
        path,
        &[("authorization", &auth), ("content-type", "application/json"), ("if-match", etag)],
        Some(body.to_string().into_bytes()),
    )
}

#[test]
fn a_profile_is_found_by_its_customer_ref() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let mut body = kari_nordmann();
    body["customerRef"] = json!("CRM/42 ø");
    let n = a.create_profile(&body);
    let found = a.get("/customers/v2/profiles/by-customer-ref/CRM%2F42%20%C3%B8");
    assert_eq!(found.status, 200, "{}", found.body);
    assert_eq!(found.json()["customerNumber"], n);
    assert_eq!(app.client(ORG_B).get("/customers/v2/profiles/by-customer-ref/CRM%2F42%20%C3%B8").status, 404);
}

#[test]
fn put_replaces_the_editable_fields_and_bumps_the_version() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let n = a.create_profile(&kari_nordmann());
    let replacement = json!({"firstName": "Kari", "surname": "Hansen", "languagePreference": "nob",
                             "changedBy": "kundesenter", "changedByChannel": "APP"});
    let response = a.send("PUT", &path(n), Some(&replacement));
    assert_eq!(response.status, 200, "{}", response.body);
    let updated = response.json();
    assert_eq!(updated["surname"], "Hansen");
    assert!(updated.get("email").is_none(), "a full replacement clears what it leaves out");
    assert_eq!(updated["version"], 2);
    assert_eq!(updated["changedByChannel"], "APP");
    assert_eq!(response.header("etag"), Some("\"2\""));
    let missing = a.send("PUT", &path(n), Some(&json!({"firstName": "Kari"})));
    assert_eq!(missing.status, 400);
}

#[test]
fn a_stale_if_match_is_412_and_a_current_one_passes() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let n = a.create_profile(&kari_nordmann());
    let patch = json!({"surname": "Hansen", "changedBy": "t", "changedByChannel": "WEB"});
    assert_eq!(with_if_match(&app, &a.token, "PATCH", &path(n), "\"1\"", &patch).status, 200);
    let stale = with_if_match(&app, &a.token, "PATCH", &path(n), "\"1\"", &patch);
    assert_eq!(stale.status, 412);
    assert_eq!(stale.error_code(), "PRECONDITION_FAILED");
    assert_eq!(with_if_match(&app, &a.token, "DELETE", &path(n), "\"1\"", &json!({})).status, 412);
    assert_eq!(with_if_match(&app, &a.token, "DELETE", &path(n), "\"2\"", &json!({})).status, 204);
}

#[test]
fn patch_merges_and_null_clears_an_optional_field() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let mut body = kari_nordmann();
    body["landlineNumber"] = json!("22 33 44 55");
    let n = a.create_profile(&body);
    let auth = format!("Bearer {}", a.token);
    let patch = json!({"landlineNumber": null, "firstName": "Kari Marie", "changedBy": "t", "changedByChannel": "WEB"});
    let response = app.request(
        "PATCH",
        &path(n),
        &[("authorization", &auth), ("content-type", "application/merge-patch+json")],
        Some(patch.to_string().into_bytes()),
    );
    assert_eq!(response.status, 200, "{}", response.body);
    let patched = response.json();
    assert_eq!(patched["firstName"], "Kari Marie");
    assert_eq!(patched["email"], "kari.nordmann@example.no", "untouched fields stay");
    assert!(patched.get("landlineNumber").is_none());
    let clears_required =
        a.send("PATCH", &path(n), Some(&json!({"surname": null, "changedBy": "t", "changedByChannel": "W"})));
    assert_eq!(clears_required.status, 400);
    let unknown =
        a.send("PATCH", &path(n), Some(&json!({"shoeSize": 42, "changedBy": "t", "changedByChannel": "W"})));
    assert_eq!(unknown.status, 400);
    assert_eq!(unknown.json()["errors"][0]["field"], "shoeSize");
}

#[test]
fn changing_to_a_taken_email_conflicts() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    a.create_profile(&kari_nordmann());
    let mut other = kari_nordmann();
    other["email"] = json!("other@example.no");
    let n = a.create_profile(&other);
    let patch = json!({"email": "Kari.Nordmann@example.no", "changedBy": "t", "changedByChannel": "WEB"});
    let response = a.send("PATCH", &path(n), Some(&patch));
    assert_eq!(response.status, 409);
    assert_eq!(response.error_code(), "DUPLICATE_EMAIL");
}

#[test]
fn deactivation_releases_the_email_and_the_profile_vanishes_at_its_expiration() {
    if test_host_only("moves the components' clock") {
        return;
    }
    let app = spawn_app();
    let a = app.client(ORG_A);
    let n = a.create_profile(&kari_nordmann());
    let body = json!({"expirationDate": datetime_in_secs(3600), "changedBy": "t", "changedByChannel": "WEB"});
    let response = a.post(&format!("{}/deactivate", path(n)), &body);
    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(response.json()["status"], "D");
    assert_eq!(a.get(&path(n)).json()["status"], "D", "readable until it expires");
    assert_eq!(a.post("/customers/v2/profiles", &kari_nordmann()).status, 201, "the email is free again");
    app.advance_clock_secs(2 * 3600);
    assert_eq!(a.get(&path(n)).status, 404, "gone once its expiration date has passed");
    let past = json!({"expirationDate": "2020-01-01", "changedBy": "t", "changedByChannel": "WEB"});
    let m = a.create_profile(
        &json!({"firstName": "A", "surname": "B", "createdBy": "t", "createdByChannel": "W"}),
    );
    assert_eq!(a.post(&format!("{}/deactivate", path(m)), &past).status, 400);
}

#[test]
fn connect_merges_a_profile_and_its_number_then_answers_with_the_survivor() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let survivor = a.create_profile(&kari_nordmann());
    let mut dup = kari_nordmann();
    dup["email"] = json!("kari.dup@example.no");
    let merged = a.create_profile(&dup);
    let body = json!({"customerNumberToConnect": merged, "changedBy": "t", "changedByChannel": "WEB"});
    let response = a.post(&format!("{}/connect", path(survivor)), &body);
    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(a.get(&path(merged)).json()["customerNumber"], survivor);
    assert_eq!(a.post(&format!("{}/connect", path(survivor)), &body).status, 404, "already merged");
    let itself = json!({"customerNumberToConnect": survivor, "changedBy": "t", "changedByChannel": "WEB"});
    assert_eq!(a.post(&format!("{}/connect", path(survivor)), &itself).status, 400);
    let theirs = app.client(ORG_B).create_profile(&kari_nordmann());
    let foreign = json!({"customerNumberToConnect": theirs, "changedBy": "t", "changedByChannel": "WEB"});
    assert_eq!(a.post(&format!("{}/connect", path(survivor)), &foreign).status, 404);
}

#[test]
fn erasure_removes_the_profile_and_keeps_an_audit_record_without_personal_data() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let n = a.create_profile(&kari_nordmann());
    assert_eq!(a.send("DELETE", &path(n), None).status, 204);
    assert_eq!(a.get(&path(n)).status, 404);
    assert_eq!(a.send("DELETE", &path(n), None).status, 404);
    let db = app.db();
    assert_eq!(query_int(&db, "SELECT count(*) FROM customer WHERE customer_number = ?1", &[n]), 0);
    let actions =
        query_texts(&db, "SELECT action FROM audit_event WHERE customer_number = ?1 ORDER BY id", &[n]);
    assert_eq!(actions, [["CREATED"], ["ERASED"]]);
    let new = a.create_profile(&kari_nordmann());
    assert!(new > n, "customer numbers are never reused");
}

#[test]
fn history_lists_who_changed_which_fields_without_values() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let n = a.create_profile(&kari_nordmann());
    let patch = json!({"surname": "Hansen", "changedBy": "agent-7", "changedByChannel": "PHONE"});
    assert_eq!(a.send("PATCH", &path(n), Some(&patch)).status, 200);
    let history = a.get(&format!("{}/history", path(n)));
    assert_eq!(history.status, 200);
    let entries = history.json();
    assert_eq!(entries[0]["action"], "CREATED");
    assert_eq!(entries[1]["action"], "UPDATED");
    assert_eq!(entries[1]["changedFields"], json!(["surname"]));
    assert_eq!(entries[1]["changedBy"], "agent-7");
    assert_eq!(entries[1]["changedByChannel"], "PHONE");
    assert_eq!(entries[1]["clientId"], "partner-a");
    assert!(!history.body.contains("Hansen") && !history.body.contains("Nordmann"), "{}", history.body);
}

#[test]
fn export_holds_the_profile_and_everything_attached() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let n = a.create_profile(&kari_nordmann());
    let export = a.get(&format!("{}/export", path(n)));
    assert_eq!(export.status, 200, "{}", export.body);
    let doc = export.json();
    assert_eq!(doc["profile"]["customerNumber"], n);
    for part in ["postalAddresses", "preferences", "ecards", "loyaltyPrograms", "consents", "history"] {
        assert!(doc.get(part).is_some(), "export lacks {part}");
    }
    assert!(!export.body.contains("password"));
    assert_eq!(doc["history"][0]["action"], "CREATED", "the audit trail is part of the export");
}

#[test]
fn passwords_are_checked_never_shown_and_wrong_or_unknown_answers_alike() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let mut body = kari_nordmann();
    body["password"] = json!("abcD123");
    let created = a.post("/customers/v2/profiles", &body);
    assert_eq!(created.status, 201, "{}", created.body);
    assert!(!created.body.contains("abcD123") && !created.body.to_lowercase().contains("password"));
    let n = created.json()["customerNumber"].as_i64().unwrap();
    let verify = |email: &str, password: &str| {
        a.post(
            "/customers/v2/profiles/verify-credentials",
            &json!({"email": email, "password": password, "lastSignInFrom": "app"}),
        )
    };
    let ok = verify("KARI.NORDMANN@example.no", "abcD123");
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(ok.json()["customerNumber"], n);
    let wrong = verify("kari.nordmann@example.no", "abcD124");
    let unknown = verify("nobody@example.no", "abcD123");
    assert_eq!((wrong.status, unknown.status), (401, 401));
    assert_eq!(wrong.error_code(), "INVALID_CREDENTIALS");
    assert_eq!(wrong.problem_shape(), unknown.problem_shape());

    let weak = a.send(
        "PUT",
        &format!("{}/password", path(n)),
        Some(&json!({"password": "weak", "changedBy": "t", "changedByChannel": "WEB"})),
    );
    assert_eq!(weak.status, 400);
    assert_eq!(weak.error_code(), "WEAK_PASSWORD");
    let changed = a.send(
        "PUT",
        &format!("{}/password", path(n)),
        Some(&json!({"password": "Xyz98765", "changedBy": "t", "changedByChannel": "WEB"})),
    );
    assert_eq!(changed.status, 204);
    assert_eq!(verify("kari.nordmann@example.no", "abcD123").status, 401);
    assert_eq!(verify("kari.nordmann@example.no", "Xyz98765").status, 200);
    let log = app.log_text();
    assert!(!log.contains("abcD123") && !log.contains("Xyz98765"));
}

#[test]
fn an_idempotent_retry_replays_the_first_response_and_another_body_is_422() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let auth = format!("Bearer {}", a.token);
    let create = |key: &str, body: &serde_json::Value| {
        app.request(
            "POST",
            "/customers/v2/profiles",
            &[("authorization", &auth), ("content-type", "application/json"), ("idempotency-key", key)],
            Some(body.to_string().into_bytes()),
        )
    };
    let first = create("order-17", &kari_nordmann());
    assert_eq!(first.status, 201);
    let retry = create("order-17", &kari_nordmann());
    assert_eq!(retry.status, 201);
    assert_eq!(retry.header("idempotent-replayed"), Some("true"));
    assert_eq!(retry.body, first.body);
    assert_eq!(retry.header("location"), first.header("location"));
    let mut other = kari_nordmann();
    other["email"] = json!("another@example.no");
    assert_eq!(create("order-17", &other).status, 422);
    assert_eq!(create(&"k".repeat(256), &other).status, 400);
    let b = app.client(ORG_B);
    let theirs = app.request(
        "POST",
        "/customers/v2/profiles",
        &[
            ("authorization", &format!("Bearer {}", b.token)),
            ("content-type", "application/json"),
            ("idempotency-key", "order-17"),
        ],
        Some(kari_nordmann().to_string().into_bytes()),
    );
    assert_eq!(theirs.status, 201, "keys are scoped to the organisation");
    assert!(theirs.header("idempotent-replayed").is_none());
}

#[test]
fn parallel_creates_with_one_customer_ref_have_exactly_one_winner() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..6)
            .map(|i| {
                let a = &a;
                s.spawn(move || {
                    let mut body = kari_nordmann();
                    body["email"] = json!(format!("p{i}@example.no"));
                    body["customerRef"] = json!("SAME-REF");
                    a.post("/customers/v2/profiles", &body).status
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
}
