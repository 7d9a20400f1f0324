//! Contract §3 sub-resources (and §4): a profile's values for the organisation's preference
//! definitions, typed by the definition.

use crate::helpers::*;
use serde_json::{json, Value};

fn preferences(n: i64) -> String {
    format!("/customers/v2/profiles/{n}/preferences")
}

/// Defines a preference in the caller's organisation's catalogue.
fn define(client: &Client, code: &str, kind: &str, active: bool) {
    let body = json!({"preferenceCode": code, "preferenceType": kind, "isActive": active,
                      "preferenceDescription": format!("{code} of the customer")});
    let response = client.post("/customers/v2/preferences", &body);
    assert_eq!(response.status, 201, "{}", response.body);
}

fn set(client: &Client, n: i64, code: &str, value: Value) -> TestResponse {
    client.send("PUT", &format!("{}/{code}", preferences(n)), Some(&json!({"value": value})))
}

#[test]
fn values_are_set_listed_typed_changed_and_deleted() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    define(&a, "NEWSLETTER", "BOOLEAN", true);
    define(&a, "SEAT", "STRING", true);
    define(&a, "TRAVELLERS", "NUMBER", true);
    let n = a.create_profile(&kari_nordmann());

    let added = set(&a, n, "SEAT", json!("  window "));
    assert_eq!(added.status, 201, "{}", added.body);
    assert_eq!(added.header("location"), Some(format!("{}/SEAT", preferences(n)).as_str()));
    assert_eq!(added.header("etag"), Some("\"1\""));
    let seat = added.json();
    assert_eq!(seat["value"], "window", "strings are trimmed");
    assert_eq!(seat["preferenceType"], "STRING");
    assert_eq!(seat["preferenceDescription"], "SEAT of the customer");
    assert_eq!(seat["isActive"], true);
    assert_eq!(set(&a, n, "NEWSLETTER", json!(true)).status, 201);
    assert_eq!(
        set(&a, n, "TRAVELLERS", json!("2")).json()["value"],
        json!(2),
        "a numeric string is a number"
    );

    let changed = set(&a, n, "SEAT", json!("aisle"));
    assert_eq!((changed.status, changed.header("etag")), (200, Some("\"2\"")), "{}", changed.body);
    assert_eq!(changed.json()["createdAt"], seat["createdAt"]);

    let listed = a.get(&preferences(n)).json();
    let values: Vec<(&str, &Value)> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["preferenceCode"].as_str().unwrap(), &p["value"]))
        .collect();
    assert_eq!(values, [("NEWSLETTER", &json!(true)), ("SEAT", &json!("aisle")), ("TRAVELLERS", &json!(2))]);

    let seat_path = format!("{}/SEAT", preferences(n));
    assert_eq!(a.send("DELETE", &seat_path, None).status, 204);
    assert_eq!(a.send("DELETE", &seat_path, None).status, 404, "no value left to delete");
    assert_eq!(a.get(&preferences(n)).json().as_array().unwrap().len(), 2);
}

#[test]
fn a_value_must_fit_its_definitions_type() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    define(&a, "NEWSLETTER", "BOOLEAN", true);
    define(&a, "SEAT", "STRING", true);
    define(&a, "TRAVELLERS", "NUMBER", true);
    let n = a.create_profile(&kari_nordmann());
    let cases = [
        ("NEWSLETTER", json!({"value": "ja"}), "INVALID_PREFERENCE_VALUE"),
        ("NEWSLETTER", json!({"value": 1}), "INVALID_PREFERENCE_VALUE"),
        ("TRAVELLERS", json!({"value": "two"}), "INVALID_PREFERENCE_VALUE"),
        ("TRAVELLERS", json!({"value": false}), "INVALID_PREFERENCE_VALUE"),
        ("SEAT", json!({"value": 3}), "INVALID_PREFERENCE_VALUE"),
        ("SEAT", json!({"value": "   "}), "REQUIRED"),
        ("SEAT", json!({"value": "x".repeat(501)}), "TOO_LONG"),
        ("SEAT", json!({"value": null}), "REQUIRED"),
        ("SEAT", json!({}), "REQUIRED"),
    ];
    for (code, body, error) in cases {
        let response = a.send("PUT", &format!("{}/{code}", preferences(n)), Some(&body));
        assert_eq!(response.status, 400, "{code} {body}: {}", response.body);
        assert_eq!(field_errors(&response), [("value".to_owned(), error.to_owned())], "{code} {body}");
    }
    let unknown =
        a.send("PUT", &format!("{}/SEAT", preferences(n)), Some(&json!({"value": "x", "colour": 1})));
    assert_eq!(field_errors(&unknown), [("colour".to_owned(), "UNKNOWN_FIELD".to_owned())]);
    assert_eq!(a.get(&preferences(n)).json(), json!([]), "nothing was written");
}

#[test]
fn unknown_and_inactive_preference_codes_take_no_values() {
    let app = spawn_app();
    let (a, b) = (app.client(ORG_A), app.client(ORG_B));
    define(&a, "RETIRED", "BOOLEAN", false);
    define(&b, "THEIRS", "BOOLEAN", true);
    let n = a.create_profile(&kari_nordmann());
    for (code, error) in [
        ("NOPE", "UNKNOWN_PREFERENCE_CODE"),
        ("THEIRS", "UNKNOWN_PREFERENCE_CODE"),
        ("RETIRED", "PREFERENCE_INACTIVE"),
    ] {
        let response = set(&a, n, code, json!(true));
        assert_eq!((response.status, response.error_code()), (400, error.to_owned()), "{code}");
        assert_eq!(response.json()["errors"][0]["field"], "preferenceCode");
    }
}

#[test]
fn values_of_a_deactivated_definition_stay_readable_and_deletable() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    define(&a, "SEAT", "STRING", true);
    let n = a.create_profile(&kari_nordmann());
    set(&a, n, "SEAT", json!("window"));
    let id = a.get("/customers/v2/preferences").json()[0]["id"].as_i64().unwrap();
    let retire = json!({"preferenceCode": "SEAT", "preferenceType": "STRING", "isActive": false});
    assert_eq!(a.send("PUT", &format!("/customers/v2/preferences/{id}"), Some(&retire)).status, 200);
    let listed = a.get(&preferences(n)).json();
    assert_eq!((listed[0]["value"].clone(), listed[0]["isActive"].clone()), (json!("window"), json!(false)));
    assert_eq!(set(&a, n, "SEAT", json!("aisle")).error_code(), "PREFERENCE_INACTIVE");
    assert_eq!(a.send("DELETE", &format!("{}/SEAT", preferences(n)), None).status, 204);
}

#[test]
fn another_organisations_profile_answers_like_a_missing_one() {
    let app = spawn_app();
    let (a, b) = (app.client(ORG_A), app.client(ORG_B));
    define(&a, "SEAT", "STRING", true);
    define(&b, "SEAT", "STRING", true);
    let n = a.create_profile(&kari_nordmann());
    set(&a, n, "SEAT", json!("window"));
    let body = json!({"value": "aisle"});
    let missing = 999_999_999;
    let cases = [
        ("GET", preferences(n), preferences(missing), None),
        ("PUT", format!("{}/SEAT", preferences(n)), format!("{}/SEAT", preferences(missing)), Some(&body)),
        ("DELETE", format!("{}/SEAT", preferences(n)), format!("{}/SEAT", preferences(missing)), None),
    ];
    for (method, theirs, missing, body) in cases {
        assert_answers_like_missing(&b, method, &theirs, &missing, body);
    }
    assert_eq!(a.get(&preferences(n)).json()[0]["value"], "window", "a foreign write went through");
}

#[test]
fn each_preference_endpoint_needs_its_permission() {
    let app = spawn_app_trusting_partner();
    let a = app.client(ORG_A);
    define(&a, "SEAT", "STRING", true);
    let n = a.create_profile(&kari_nordmann());
    let one = format!("{}/SEAT", preferences(n));
    let body = json!({"value": "window"});
    let cases = [
        ("GET", preferences(n), None, "customers-profile:les", 200),
        ("PUT", one.clone(), Some(&body), "customers-profile:endre", 201),
        ("DELETE", one.clone(), None, "customers-profile:slett", 204),
    ];
    assert_each_needs_its_permission(&app, 1001, &cases);
}

#[test]
fn a_stale_if_match_is_412_and_changes_nothing() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    define(&a, "SEAT", "STRING", true);
    let n = a.create_profile(&kari_nordmann());
    let path = format!("{}/SEAT", preferences(n));
    let absent =
        a.send_with_headers("PUT", &path, &[("if-match", "\"1\"")], Some(&json!({"value": "window"})));
    assert_eq!(absent.status, 412, "If-Match on a value that does not exist yet");
    set(&a, n, "SEAT", json!("window"));
    let fresh = a.send_with_headers("PUT", &path, &[("if-match", "\"1\"")], Some(&json!({"value": "aisle"})));
    assert_eq!((fresh.status, fresh.header("etag")), (200, Some("\"2\"")));
    let stale =
        a.send_with_headers("PUT", &path, &[("if-match", "\"1\"")], Some(&json!({"value": "middle"})));
    assert_eq!((stale.status, stale.error_code().as_str()), (412, "PRECONDITION_FAILED"));
    assert_eq!(a.send_with_headers("DELETE", &path, &[("if-match", "\"1\"")], None).status, 412);
    assert_eq!(a.get(&preferences(n)).json()[0]["value"], "aisle", "the stale writes changed nothing");
    assert_eq!(a.send_with_headers("DELETE", &path, &[("if-match", "\"2\"")], None).status, 204);
}

#[test]
fn temporary_profiles_have_preferences_too() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    define(&a, "NEWSLETTER", "BOOLEAN", true);
    let temporary = a.post(
        "/customers/v2/profiles/temporary",
        &json!({"expirationDate": date_in_days(30), "createdBy": "billettautomat", "createdByChannel": "APP"}),
    );
    assert_eq!(temporary.status, 201, "{}", temporary.body);
    let t = temporary.json()["customerNumber"].as_i64().unwrap();
    let base = format!("/customers/v2/profiles/temporary/{t}/preferences");
    let added = a.send("PUT", &format!("{base}/NEWSLETTER"), Some(&json!({"value": "false"})));
    assert_eq!(added.status, 201, "{}", added.body);
    assert_eq!(a.get(&base).json()[0]["value"], false);
    assert_eq!(a.get(&preferences(t)).status, 404, "not served as a permanent profile");
    assert_eq!(a.send("DELETE", &format!("{base}/NEWSLETTER"), None).status, 204);
}
