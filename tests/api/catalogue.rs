//! Contract §3: the organisation catalogues, preference definitions and loyalty programs,
//! each organisation's its own.

use crate::helpers::*;
use serde_json::{json, Value};

const PREFERENCES: &str = "/customers/v2/preferences";
const PROGRAMS: &str = "/customers/v2/loyalty-programs";

fn newsletter() -> Value {
    json!({"preferenceCode": "NEWSLETTER", "preferenceType": "BOOLEAN", "preferenceDescription": "Wants the newsletter"})
}

fn bonus() -> Value {
    json!({"name": "Bonus", "type": "POINTS", "validFrom": "2020-01-01"})
}

/// Creates a catalogue entry; returns its id.
fn add(client: &Client, path: &str, body: &Value) -> i64 {
    let response = client.post(path, body);
    assert_eq!(response.status, 201, "{}", response.body);
    response.json()["id"].as_i64().expect("id")
}

#[test]
fn a_preference_definition_is_created_listed_read_replaced_and_deleted() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let created = a.post(PREFERENCES, &newsletter());
    assert_eq!(created.status, 201, "{}", created.body);
    let definition = created.json();
    let id = definition["id"].as_i64().unwrap();
    let path = format!("{PREFERENCES}/{id}");
    assert_eq!(created.header("location"), Some(path.as_str()));
    assert_eq!(created.header("etag"), Some("\"1\""));
    assert_eq!(definition["organisationId"], 1001);
    assert_eq!(definition["preferenceCode"], "NEWSLETTER");
    assert_eq!(definition["preferenceType"], "BOOLEAN");
    assert_eq!(definition["isActive"], true, "active unless told otherwise");
    add(&a, PREFERENCES, &json!({"preferenceCode": "ALPHA", "preferenceType": "string"}));
    let codes: Vec<Value> =
        a.get(PREFERENCES).json().as_array().unwrap().iter().map(|d| d["preferenceCode"].clone()).collect();
    assert_eq!(codes, [json!("ALPHA"), json!("NEWSLETTER")], "by code");

    let read = a.get(&path);
    assert_eq!((read.status, read.header("etag")), (200, Some("\"1\"")));
    assert_eq!(read.json(), definition);

    let retired = json!({"preferenceCode": "NEWSLETTER", "preferenceType": "BOOLEAN", "isActive": false});
    let replaced = a.send("PUT", &path, Some(&retired));
    assert_eq!((replaced.status, replaced.header("etag")), (200, Some("\"2\"")), "{}", replaced.body);
    assert_eq!(replaced.json()["isActive"], false);
    assert!(replaced.json().get("preferenceDescription").is_none(), "PUT replaces every field");

    assert_eq!(a.send("DELETE", &path, None).status, 204);
    assert_eq!(a.get(&path).status, 404);
}

#[test]
fn preference_definitions_are_checked_field_by_field() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let existing = format!("{PREFERENCES}/{}", add(&a, PREFERENCES, &newsletter()));
    let with = |field: &str, value: Value| {
        let mut body = newsletter();
        body[field] = value;
        body
    };
    let cases = [
        (json!({}), vec![("preferenceCode", "REQUIRED"), ("preferenceType", "REQUIRED")]),
        (with("preferenceCode", json!("has space")), vec![("preferenceCode", "INVALID_PREFERENCE_CODE")]),
        (with("preferenceCode", json!("x".repeat(51))), vec![("preferenceCode", "INVALID_PREFERENCE_CODE")]),
        (with("preferenceType", json!("COLOUR")), vec![("preferenceType", "INVALID_PREFERENCE_TYPE")]),
        (with("preferenceDescription", json!("x".repeat(501))), vec![("preferenceDescription", "TOO_LONG")]),
        (with("isActive", json!("yes")), vec![("isActive", "INVALID_JSON")]),
        (with("values", json!([])), vec![("values", "UNKNOWN_FIELD")]),
    ];
    for (body, expected) in cases {
        let expected: Vec<(String, String)> =
            expected.iter().map(|(f, c)| (f.to_string(), c.to_string())).collect();
        for (method, path) in [("POST", PREFERENCES), ("PUT", existing.as_str())] {
            let response = a.send(method, path, Some(&body));
            assert_eq!(response.status, 400, "{method} {body}: {}", response.body);
            assert_eq!(field_errors(&response), expected, "{method} {body}");
        }
    }
    let foreign = a.post(PREFERENCES, &with("organisationId", json!(2002)));
    assert_eq!((foreign.status, foreign.error_code().as_str()), (403, "ORGANISATION_MISMATCH"));
    assert_eq!(
        a.post(
            PREFERENCES,
            &json!({"preferenceCode": "OWN", "preferenceType": "NUMBER", "organisationId": 1001})
        )
        .status,
        201
    );
}

#[test]
fn preference_codes_are_unique_within_an_organisation() {
    let app = spawn_app();
    let (a, b) = (app.client(ORG_A), app.client(ORG_B));
    add(&a, PREFERENCES, &newsletter());
    let duplicate = a.post(PREFERENCES, &json!({"preferenceCode": "NEWSLETTER", "preferenceType": "STRING"}));
    assert_eq!((duplicate.status, duplicate.error_code().as_str()), (409, "DUPLICATE_PREFERENCE_CODE"));
    let other = add(&a, PREFERENCES, &json!({"preferenceCode": "SEAT", "preferenceType": "STRING"}));
    let renamed = json!({"preferenceCode": "NEWSLETTER", "preferenceType": "STRING"});
    assert_eq!(
        a.send("PUT", &format!("{PREFERENCES}/{other}"), Some(&renamed)).error_code(),
        "DUPLICATE_PREFERENCE_CODE"
    );
    add(&b, PREFERENCES, &newsletter()); // another organisation has a catalogue of its own
}

#[test]
fn parallel_creates_of_one_preference_code_have_exactly_one_winner() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..6).map(|_| s.spawn(|| a.post(PREFERENCES, &newsletter()).status)).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 409).count(), 5, "{statuses:?}");
}

#[test]
fn a_preference_customers_hold_values_for_is_retired_not_deleted() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let id = add(&a, PREFERENCES, &newsletter());
    let n = a.create_profile(&kari_nordmann());
    let set = a.send(
        "PUT",
        &format!("/customers/v2/profiles/{n}/preferences/NEWSLETTER"),
        Some(&json!({"value": true})),
    );
    assert_eq!(set.status, 201, "{}", set.body);
    let path = format!("{PREFERENCES}/{id}");
    let deleted = a.send("DELETE", &path, None);
    assert_eq!((deleted.status, deleted.error_code().as_str()), (409, "PREFERENCE_IN_USE"));
    let retyped =
        a.send("PUT", &path, Some(&json!({"preferenceCode": "NEWSLETTER", "preferenceType": "STRING"})));
    assert_eq!((retyped.status, retyped.error_code().as_str()), (409, "PREFERENCE_IN_USE"));
    let retired = a.send(
        "PUT",
        &path,
        Some(&json!({"preferenceCode": "NEWSLETTER", "preferenceType": "BOOLEAN", "isActive": false})),
    );
    assert_eq!(retired.status, 200, "{}", retired.body);
}

#[test]
fn a_loyalty_program_is_created_listed_read_and_replaced() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let created = a.post(
        PROGRAMS,
        &json!({"name": " Bonus ", "type": "coupons", "validFrom": "2026-01-01", "validTo": "2026-12-31"}),
    );
    assert_eq!(created.status, 201, "{}", created.body);
    let program = created.json();
    let id = program["id"].as_i64().unwrap();
    let path = format!("{PROGRAMS}/{id}");
    assert_eq!(created.header("location"), Some(path.as_str()));
    assert_eq!(created.header("etag"), Some("\"1\""));
    assert_eq!(program["name"], "Bonus");
    assert_eq!(program["type"], "COUPONS");
    assert_eq!(
        (program["validFrom"].clone(), program["validTo"].clone()),
        (json!("2026-01-01"), json!("2026-12-31"))
    );
    assert_eq!(program["organisationId"], 1001);
    assert_eq!(a.get(PROGRAMS).json(), json!([program]));
    let read = a.get(&path);
    assert_eq!((read.status, read.header("etag")), (200, Some("\"1\"")));
    assert_eq!(read.json(), program);

    let open_ended = json!({"name": "Bonus", "type": "COUPONS", "validFrom": "2026-01-01"});
    let replaced = a.send("PUT", &path, Some(&open_ended));
    assert_eq!((replaced.status, replaced.header("etag")), (200, Some("\"2\"")), "{}", replaced.body);
    assert!(replaced.json().get("validTo").is_none());
    assert_eq!(a.send("DELETE", &path, None).status, 405, "programs end by validTo, they are not deleted");
}

#[test]
fn loyalty_programs_are_checked_field_by_field() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let existing = format!("{PROGRAMS}/{}", add(&a, PROGRAMS, &bonus()));
    let with = |field: &str, value: Value| {
        let mut body = bonus();
        body[field] = value;
        body
    };
    let cases = [
        (json!({}), vec![("name", "REQUIRED"), ("type", "REQUIRED"), ("validFrom", "REQUIRED")]),
        (with("name", json!("x".repeat(101))), vec![("name", "TOO_LONG")]),
        (with("type", json!("MILES")), vec![("type", "INVALID_PROGRAM_TYPE")]),
        (with("validFrom", json!("2026-02-30")), vec![("validFrom", "INVALID_DATE")]),
        (with("validTo", json!("2019-12-31")), vec![("validTo", "INVALID_VALIDITY_PERIOD")]),
        (with("balance", json!(0)), vec![("balance", "UNKNOWN_FIELD")]),
    ];
    for (body, expected) in cases {
        let expected: Vec<(String, String)> =
            expected.iter().map(|(f, c)| (f.to_string(), c.to_string())).collect();
        for (method, path) in [("POST", PROGRAMS), ("PUT", existing.as_str())] {
            let response = a.send(method, path, Some(&body));
            assert_eq!(response.status, 400, "{method} {body}: {}", response.body);
            assert_eq!(field_errors(&response), expected, "{method} {body}");
        }
    }
    let foreign = a.post(PROGRAMS, &with("organisationId", json!(2002)));
    assert_eq!((foreign.status, foreign.error_code().as_str()), (403, "ORGANISATION_MISMATCH"));
}

#[test]
fn a_programs_type_is_fixed_once_it_has_members() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let id = add(&a, PROGRAMS, &bonus());
    let path = format!("{PROGRAMS}/{id}");
    let mut timed = bonus();
    timed["type"] = json!("TIMED");
    assert_eq!(a.send("PUT", &path, Some(&timed)).status, 200, "no members yet");
    assert_eq!(a.send("PUT", &path, Some(&bonus())).status, 200);
    let n = a.create_profile(&kari_nordmann());
    assert_eq!(
        a.post(&format!("/customers/v2/profiles/{n}/loyalty-programs"), &json!({"programId": id})).status,
        201
    );
    let refused = a.send("PUT", &path, Some(&timed));
    assert_eq!((refused.status, refused.error_code().as_str()), (409, "LOYALTY_PROGRAM_IN_USE"));
    let mut renamed = bonus();
    renamed["name"] = json!("Bonus+");
    assert_eq!(a.send("PUT", &path, Some(&renamed)).status, 200, "other fields may change");
}

#[test]
fn another_organisations_catalogue_answers_like_a_missing_one() {
    let app = spawn_app();
    let (a, b) = (app.client(ORG_A), app.client(ORG_B));
    let preference = add(&a, PREFERENCES, &newsletter());
    let program = add(&a, PROGRAMS, &bonus());
    let missing = 999_999_999;
    let (definition, program_body) = (newsletter(), bonus());
    let cases = [
        ("GET", format!("{PREFERENCES}/{preference}"), format!("{PREFERENCES}/{missing}"), None),
        ("PUT", format!("{PREFERENCES}/{preference}"), format!("{PREFERENCES}/{missing}"), Some(&definition)),
        ("DELETE", format!("{PREFERENCES}/{preference}"), format!("{PREFERENCES}/{missing}"), None),
        ("GET", format!("{PROGRAMS}/{program}"), format!("{PROGRAMS}/{missing}"), None),
        ("PUT", format!("{PROGRAMS}/{program}"), format!("{PROGRAMS}/{missing}"), Some(&program_body)),
    ];
    for (method, theirs, missing, body) in cases {
        assert_answers_like_missing(&b, method, &theirs, &missing, body);
    }
    assert_eq!(b.get(PREFERENCES).json(), json!([]), "lists hold only the caller's organisation's");
    assert_eq!(b.get(PROGRAMS).json(), json!([]));
    assert_eq!(a.get(&format!("{PREFERENCES}/{preference}")).header("etag"), Some("\"1\""), "unchanged");
    assert_eq!(a.get(&format!("{PROGRAMS}/{program}")).header("etag"), Some("\"1\""), "unchanged");
}

#[test]
fn catalogue_reads_need_les_and_writes_need_endre_or_slett() {
    let app = spawn_app_trusting_partner();
    let a = app.client(ORG_A);
    let preference = format!("{PREFERENCES}/{}", add(&a, PREFERENCES, &newsletter()));
    let program = format!("{PROGRAMS}/{}", add(&a, PROGRAMS, &bonus()));
    let seat = json!({"preferenceCode": "SEAT", "preferenceType": "STRING"});
    let (definition, program_body) = (newsletter(), bonus());
    let cases = [
        ("GET", PREFERENCES.to_owned(), None, "customers-profile:les", 200),
        ("GET", preference.clone(), None, "customers-profile:les", 200),
        ("POST", PREFERENCES.to_owned(), Some(&seat), "customers-profile:endre", 201),
        ("PUT", preference.clone(), Some(&definition), "customers-profile:endre", 200),
        ("DELETE", preference.clone(), None, "customers-profile:slett", 204),
        ("GET", PROGRAMS.to_owned(), None, "customers-profile:les", 200),
        ("GET", program.clone(), None, "customers-profile:les", 200),
        ("POST", PROGRAMS.to_owned(), Some(&program_body), "customers-profile:endre", 201),
        ("PUT", program.clone(), Some(&program_body), "customers-profile:endre", 200),
    ];
    assert_each_needs_its_permission(&app, 1001, &cases);
    let creator = client_with_only(&app, 1001, &["customers-profile:opprett"]);
    assert_eq!(
        creator.post(PROGRAMS, &bonus()).status,
        403,
        "creating profiles is not configuring the catalogue"
    );
}

#[test]
fn a_stale_if_match_is_412_for_catalogue_writes() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let preference = format!("{PREFERENCES}/{}", add(&a, PREFERENCES, &newsletter()));
    let program = format!("{PROGRAMS}/{}", add(&a, PROGRAMS, &bonus()));
    for (path, body) in [(&preference, newsletter()), (&program, bonus())] {
        assert_eq!(a.send_with_headers("PUT", path, &[("if-match", "\"1\"")], Some(&body)).status, 200);
        let stale = a.send_with_headers("PUT", path, &[("if-match", "\"1\"")], Some(&body));
        assert_eq!((stale.status, stale.error_code().as_str()), (412, "PRECONDITION_FAILED"), "{path}");
        assert_eq!(a.get(path).header("etag"), Some("\"2\""), "{path}");
    }
    assert_eq!(a.send_with_headers("DELETE", &preference, &[("if-match", "\"1\"")], None).status, 412);
    assert_eq!(a.send_with_headers("DELETE", &preference, &[("if-match", "\"2\"")], None).status, 204);
}

#[test]
fn an_idempotency_key_replays_the_first_catalogue_create() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    for (path, key, body, other) in [
        (
            PREFERENCES,
            "preference-1",
            newsletter(),
            json!({"preferenceCode": "SEAT", "preferenceType": "STRING"}),
        ),
        (
            PROGRAMS,
            "program-1",
            bonus(),
            json!({"name": "Other", "type": "TIMED", "validFrom": "2020-01-01"}),
        ),
    ] {
        let key = [("idempotency-key", key)];
        let first = a.send_with_headers("POST", path, &key, Some(&body));
        assert_eq!(first.status, 201, "{path}: {}", first.body);
        let again = a.send_with_headers("POST", path, &key, Some(&body));
        assert_eq!((again.status, again.header("idempotent-replayed")), (201, Some("true")), "{path}");
        assert_eq!(again.body, first.body);
        assert_eq!(a.get(path).json().as_array().unwrap().len(), 1, "{path}: created once");
        let reused = a.send_with_headers("POST", path, &key, Some(&other));
        assert_eq!((reused.status, reused.error_code().as_str()), (422, "IDEMPOTENCY_KEY_REUSED"), "{path}");
    }
}
