//! Contract §3, the vertical slice: create and get a permanent profile, scoped by
//! organisation.

use crate::helpers::*;
use serde_json::json;

#[test]
fn a_created_profile_is_returned_with_location_and_etag_and_can_be_read_back() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let created = a.post("/customers/v2/profiles", &kari_nordmann());
    assert_eq!(created.status, 201, "{}", created.body);
    let body = created.json();
    let n = body["customerNumber"].as_i64().unwrap();
    assert_eq!(created.header("location"), Some(format!("/customers/v2/profiles/{n}").as_str()));
    assert_eq!(created.header("etag"), Some("\"1\""));
    assert_eq!(body["organisationId"], 1001);
    assert_eq!(body["customerRef"], n.to_string(), "customerRef defaults to the number");
    assert_eq!(body["status"], "A");
    assert_eq!(body["profileType"], "S");
    assert_eq!(body["uuid"].as_str().unwrap().len(), 32);
    assert_eq!(body["createdBy"], "kundesenter");
    assert!(body.get("password").is_none());
    let created_at = body["createdAt"].as_str().unwrap();
    assert!(created_at.ends_with('Z') && created_at.len() == 24, "RFC 3339 with ms: {created_at}");

    let read = a.get(&format!("/customers/v2/profiles/{n}"));
    assert_eq!(read.status, 200);
    assert_eq!(read.json(), body);
    assert_eq!(read.header("etag"), Some("\"1\""));
}

#[test]
fn another_organisations_profile_answers_exactly_like_a_missing_one() {
    let app = spawn_app();
    let (a, b) = (app.client(ORG_A), app.client(ORG_B));
    let n = a.create_profile(&kari_nordmann());
    let theirs = b.get(&format!("/customers/v2/profiles/{n}"));
    let missing = b.get("/customers/v2/profiles/999999999");
    assert_eq!(theirs.status, 404);
    assert_eq!(theirs.problem_shape(), missing.problem_shape());
    assert_eq!(a.get(&format!("/customers/v2/profiles/{n}")).status, 200);
}

#[test]
fn malformed_customer_numbers_are_simply_not_found() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    for path in ["/customers/v2/profiles/abc", "/customers/v2/profiles/-1", "/customers/v2/profiles/0"] {
        assert_eq!(a.get(path).status, 404, "{path}");
    }
}

#[test]
fn every_missing_required_field_is_named_in_one_400() {
    let app = spawn_app();
    let response = app.client(ORG_A).post("/customers/v2/profiles", &json!({"email": "not-an-email"}));
    assert_eq!(response.status, 400);
    let fields: Vec<String> = response.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(fields, ["firstName", "surname", "email", "createdBy", "createdByChannel"]);
}

#[test]
fn field_limits_are_enforced() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let cases = [
        ("firstName", json!("x".repeat(101)), "TOO_LONG"),
        ("customerRef", json!("r".repeat(41)), "TOO_LONG"),
        ("email", json!(format!("{}@example.no", "a".repeat(250))), "TOO_LONG"),
        ("languagePreference", json!("klingon"), "INVALID_LANGUAGE"),
        ("dateOfBirth", json!("2999-01-01"), "INVALID_DATE_OF_BIRTH"),
        ("telephoneNumberNoCountryCode", json!("12-ab"), "605"),
        ("countryCode", json!("47"), "605"),
    ];
    for (field, value, code) in cases {
        let mut body = kari_nordmann();
        body[field] = value;
        let response = a.post("/customers/v2/profiles", &body);
        assert_eq!(response.status, 400, "{field}");
        assert_eq!(response.json()["errors"][0]["field"], field);
        assert_eq!(response.error_code(), code, "{field}");
    }
}

#[test]
fn strings_are_trimmed_and_empty_optional_strings_are_absent() {
    let app = spawn_app();
    let mut body = kari_nordmann();
    body["firstName"] = json!("  Kari  ");
    body["email"] = json!("   ");
    let created = app.client(ORG_A).post("/customers/v2/profiles", &body).json();
    assert_eq!(created["firstName"], "Kari");
    assert!(created.get("email").is_none());
}

#[test]
fn duplicate_emails_conflict_case_insensitively_within_an_organisation_only() {
    let app = spawn_app();
    let (a, b) = (app.client(ORG_A), app.client(ORG_B));
    a.create_profile(&kari_nordmann());
    let mut shouting = kari_nordmann();
    shouting["email"] = json!("KARI.NORDMANN@EXAMPLE.NO");
    let duplicate = a.post("/customers/v2/profiles", &shouting);
    assert_eq!(duplicate.status, 409);
    assert_eq!(duplicate.error_code(), "DUPLICATE_EMAIL");
    assert_eq!(duplicate.json()["errors"][0]["field"], "email");
    assert_eq!(b.post("/customers/v2/profiles", &shouting).status, 201, "another organisation may use it");
}

#[test]
fn duplicate_customer_refs_conflict() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let with_ref = |email: &str| {
        let mut body = kari_nordmann();
        body["email"] = json!(email);
        body["customerRef"] = json!("CRM-1");
        body
    };
    assert_eq!(a.post("/customers/v2/profiles", &with_ref("one@example.no")).status, 201);
    let duplicate = a.post("/customers/v2/profiles", &with_ref("two@example.no"));
    assert_eq!(duplicate.status, 409);
    assert_eq!(duplicate.error_code(), "DUPLICATE_CUSTOMER_REF");
}

#[test]
fn parallel_creates_with_one_email_have_exactly_one_winner() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let handles: Vec<_> =
            (0..8).map(|_| s.spawn(|| a.post("/customers/v2/profiles", &kari_nordmann()).status)).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 409).count(), 7, "{statuses:?}");
}

#[test]
fn an_organisation_id_in_the_body_must_be_the_callers() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let mut body = kari_nordmann();
    body["organisationId"] = json!(2002);
    let response = a.post("/customers/v2/profiles", &body);
    assert_eq!(response.status, 403);
    assert_eq!(response.error_code(), "ORGANISATION_MISMATCH");
    body["organisationId"] = json!(1001);
    assert_eq!(a.post("/customers/v2/profiles", &body).status, 201);
}

#[test]
fn the_create_is_recorded_in_the_audit_trail_without_personal_data() {
    let app = spawn_app();
    let n = app.client(ORG_A).create_profile(&kari_nordmann());
    let rows = query_texts(
        &app.db(),
        "SELECT action, changed_fields, client_id FROM audit_event WHERE customer_number = ?1",
        &[n],
    );
    let [action, fields, client] = rows[0].as_slice() else { panic!("{rows:?}") };
    assert_eq!(action, "CREATED");
    assert_eq!(client, "partner-a");
    assert!(fields.contains("\"email\"") && !fields.contains("kari"), "{fields}");
}

#[test]
fn postal_addresses_given_at_create_are_part_of_the_customer() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let mut body = kari_nordmann();
    body["postalAddresses"] = json!([{"addressLine1": "Storgata 1", "postCode": "0155", "city": "Oslo"}]);
    let created = a.post("/customers/v2/profiles", &body);
    assert_eq!(created.status, 201, "{}", created.body);
    let addresses = created.json()["postalAddresses"].clone();
    assert_eq!(addresses[0]["addressLine1"], "Storgata 1");
    assert_eq!(addresses[0]["countryCode"], "NO");
    let n = created.json()["customerNumber"].as_i64().unwrap();
    assert_eq!(a.get(&format!("/customers/v2/profiles/{n}")).json()["postalAddresses"], addresses);
    let found = a.get("/customers/v2/profiles?postCode=0155").json();
    assert_eq!(found[0]["postalAddresses"], addresses, "search results carry their addresses too");

    body["email"] = json!("other@example.no");
    body["postalAddresses"] = json!([{"addressLine1": "Storgata 1"}]);
    let bad = a.post("/customers/v2/profiles", &body);
    assert_eq!(bad.status, 400);
    assert_eq!(bad.json()["errors"][0]["field"], "postalAddresses[0].postCode");
}
