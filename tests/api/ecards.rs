//! Contract §3 sub-resources: ecards of a permanent profile, each owned by one profile at a
//! time per organisation.

use crate::helpers::*;
use serde_json::{json, Value};

fn ecards(n: i64) -> String {
    format!("/customers/v2/profiles/{n}/ecards")
}

fn card(operator: i64, number: i64) -> Value {
    json!({"ecardOperator": operator, "ecardNumber": number})
}

fn ola_nordmann() -> Value {
    json!({"firstName": "Ola", "surname": "Nordmann", "email": "ola.nordmann@example.no",
           "createdBy": "kundesenter", "createdByChannel": "WEB"})
}

/// Registers a card to profile `n` and returns its id.
fn register(client: &Client, n: i64, body: &Value) -> i64 {
    let response = client.post(&ecards(n), body);
    assert_eq!(response.status, 201, "{}", response.body);
    response.json()["id"].as_i64().expect("id")
}

#[test]
fn a_card_is_registered_listed_and_removed() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let n = a.create_profile(&kari_nordmann());
    let body = json!({"ecardOperator": 12, "ecardNumber": 345_678_901_234_i64, "ecardName": " Reisekort ",
                      "bookingDate": "2026-11-01", "startOfOwnership": "2026-11-01T08:00:00+01:00"});
    let created = a.post(&ecards(n), &body);
    assert_eq!(created.status, 201, "{}", created.body);
    let ecard = created.json();
    let id = ecard["id"].as_i64().unwrap();
    assert_eq!(created.header("location"), Some(format!("{}/{id}", ecards(n)).as_str()));
    assert_eq!(created.header("etag"), Some("\"1\""));
    assert_eq!(ecard["ecardNumber16digits"], "0012345678901234");
    assert_eq!(ecard["ecardNumber"], 345_678_901_234_i64);
    assert_eq!(ecard["ecardOperator"], 12);
    assert_eq!(ecard["ecardName"], "Reisekort");
    assert_eq!(ecard["bookingDate"], "2026-11-01");
    assert_eq!(ecard["startOfOwnership"], "2026-11-01T07:00:00.000Z", "stored in UTC");
    assert_eq!(a.get(&ecards(n)).json(), json!([ecard]));

    let sixteen = a.post(&ecards(n), &json!({"ecardNumber16digits": "0001000000000002"}));
    assert_eq!(sixteen.status, 201, "{}", sixteen.body);
    assert_eq!(
        (sixteen.json()["ecardOperator"].clone(), sixteen.json()["ecardNumber"].clone()),
        (json!(1), json!(2))
    );
    assert_eq!(
        sixteen.json()["startOfOwnership"],
        sixteen.json()["createdAt"],
        "ownership starts now by default"
    );

    assert_eq!(a.send("DELETE", &format!("{}/{id}", ecards(n)), None).status, 204);
    assert_eq!(a.send("DELETE", &format!("{}/{id}", ecards(n)), None).status, 404);
    assert_eq!(a.get(&ecards(n)).json().as_array().unwrap().len(), 1);
}

#[test]
fn ecard_bodies_are_checked_field_by_field() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let n = a.create_profile(&kari_nordmann());
    let with = |field: &str, value: Value| {
        let mut body = card(1, 2);
        body[field] = value;
        body
    };
    let cases = [
        (json!({}), vec![("ecardOperator", "REQUIRED"), ("ecardNumber", "REQUIRED")]),
        (json!({"ecardOperator": 1}), vec![("ecardNumber", "REQUIRED")]),
        (with("ecardOperator", json!(10_000)), vec![("ecardOperator", "INVALID_ECARD_OPERATOR")]),
        (with("ecardOperator", json!(-1)), vec![("ecardOperator", "INVALID_ECARD_OPERATOR")]),
        (with("ecardNumber", json!(1_000_000_000_000_i64)), vec![("ecardNumber", "INVALID_ECARD_NUMBER")]),
        (with("ecardNumber", json!(-5)), vec![("ecardNumber", "INVALID_ECARD_NUMBER")]),
        (json!({"ecardNumber16digits": "12345"}), vec![("ecardNumber16digits", "INVALID_ECARD_NUMBER")]),
        (
            json!({"ecardNumber16digits": "00010000000000ab"}),
            vec![("ecardNumber16digits", "INVALID_ECARD_NUMBER")],
        ),
        (
            with("ecardNumber16digits", json!("0001000000000003")),
            vec![("ecardNumber16digits", "ECARD_NUMBER_MISMATCH")],
        ),
        (with("ecardName", json!("x".repeat(101))), vec![("ecardName", "TOO_LONG")]),
        (with("bookingDate", json!("01.11.2026")), vec![("bookingDate", "INVALID_DATE")]),
        (with("startOfOwnership", json!("2026-11-01")), vec![("startOfOwnership", "INVALID_TIMESTAMP")]),
        (with("ecardNumber", json!("2")), vec![("ecardNumber", "INVALID_JSON")]),
        (with("colour", json!("red")), vec![("colour", "UNKNOWN_FIELD")]),
    ];
    for (body, expected) in cases {
        let response = a.post(&ecards(n), &body);
        assert_eq!(response.status, 400, "{body}: {}", response.body);
        let expected: Vec<(String, String)> =
            expected.iter().map(|(f, c)| (f.to_string(), c.to_string())).collect();
        assert_eq!(field_errors(&response), expected, "{body}");
    }
    assert_eq!(a.get(&ecards(n)).json(), json!([]), "nothing was written");
}

#[test]
fn a_card_has_one_owner_at_a_time_per_organisation() {
    let app = spawn_app();
    let (a, b) = (app.client(ORG_A), app.client(ORG_B));
    let (kari, ola) = (a.create_profile(&kari_nordmann()), a.create_profile(&ola_nordmann()));
    let id = register(&a, kari, &card(12, 345));
    for (owner, who) in [(ola, "another profile"), (kari, "the same profile")] {
        let again = a.post(&ecards(owner), &json!({"ecardNumber16digits": "0012000000000345"}));
        assert_eq!((again.status, again.error_code().as_str()), (409, "ECARD_ALREADY_OWNED"), "{who}");
    }
    let elsewhere = b.create_profile(&kari_nordmann());
    register(&b, elsewhere, &card(12, 345)); // another organisation's card of the same number
    assert_eq!(a.send("DELETE", &format!("{}/{id}", ecards(kari)), None).status, 204);
    register(&a, ola, &card(12, 345)); // a released card can change hands
}

#[test]
fn parallel_claims_of_one_card_have_exactly_one_winner() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let owners: Vec<i64> = (0..6)
        .map(|i| {
            let mut body = kari_nordmann();
            body["email"] = json!(format!("owner{i}@example.no"));
            a.create_profile(&body)
        })
        .collect();
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let handles: Vec<_> =
            owners.iter().map(|n| s.spawn(|| a.post(&ecards(*n), &card(7, 4242)).status)).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 409).count(), owners.len() - 1, "{statuses:?}");
    let held: usize = owners.iter().map(|n| a.get(&ecards(*n)).json().as_array().unwrap().len()).sum();
    assert_eq!(held, 1);
}

#[test]
fn another_organisations_profile_and_card_answer_like_missing_ones() {
    let app = spawn_app();
    let (a, b) = (app.client(ORG_A), app.client(ORG_B));
    let n = a.create_profile(&kari_nordmann());
    let id = register(&a, n, &card(1, 2));
    let own = b.create_profile(&kari_nordmann());
    let missing = 999_999_999;
    let body = card(1, 3);
    let cases = [
        ("GET", ecards(n), ecards(missing), None),
        ("POST", ecards(n), ecards(missing), Some(&body)),
        ("DELETE", format!("{}/{id}", ecards(n)), format!("{}/{id}", ecards(missing)), None),
        ("DELETE", format!("{}/{id}", ecards(own)), format!("{}/{missing}", ecards(own)), None),
    ];
    for (method, theirs, missing, body) in cases {
        assert_answers_like_missing(&b, method, &theirs, &missing, body);
    }
    assert_eq!(a.get(&ecards(n)).json().as_array().unwrap().len(), 1, "a foreign write went through");
}

#[test]
fn each_ecard_endpoint_needs_its_permission() {
    let app = spawn_app_trusting_partner();
    let a = app.client(ORG_A);
    let n = a.create_profile(&kari_nordmann());
    let id = register(&a, n, &card(1, 2));
    let body = card(1, 3);
    let cases = [
        ("GET", ecards(n), None, "customers-profile:les", 200),
        ("POST", ecards(n), Some(&body), "customers-profile:opprett", 201),
        ("DELETE", format!("{}/{id}", ecards(n)), None, "customers-profile:slett", 204),
    ];
    assert_each_needs_its_permission(&app, 1001, &cases);
}

#[test]
fn a_stale_if_match_keeps_the_card() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let n = a.create_profile(&kari_nordmann());
    let path = format!("{}/{}", ecards(n), register(&a, n, &card(1, 2)));
    let stale = a.send_with_headers("DELETE", &path, &[("if-match", "\"7\"")], None);
    assert_eq!((stale.status, stale.error_code().as_str()), (412, "PRECONDITION_FAILED"));
    assert_eq!(a.get(&ecards(n)).json().as_array().unwrap().len(), 1);
    assert_eq!(a.send_with_headers("DELETE", &path, &[("if-match", "\"1\"")], None).status, 204);
}

#[test]
fn an_idempotency_key_replays_the_first_registration() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let n = a.create_profile(&kari_nordmann());
    let key = [("idempotency-key", "ecard-1")];
    let first = a.send_with_headers("POST", &ecards(n), &key, Some(&card(1, 2)));
    assert_eq!(first.status, 201);
    let again = a.send_with_headers("POST", &ecards(n), &key, Some(&card(1, 2)));
    assert_eq!((again.status, again.header("idempotent-replayed")), (201, Some("true")), "not a 409");
    assert_eq!(again.body, first.body);
    let other = a.send_with_headers("POST", &ecards(n), &key, Some(&card(1, 3)));
    assert_eq!((other.status, other.error_code().as_str()), (422, "IDEMPOTENCY_KEY_REUSED"));
    assert_eq!(a.get(&ecards(n)).json().as_array().unwrap().len(), 1);
}
