//! Contract §3 sub-resources (and §4): postal addresses of permanent and temporary profiles.

use crate::helpers::*;
use serde_json::{json, Value};

fn addresses(n: i64) -> String {
    format!("/customers/v2/profiles/{n}/postal-addresses")
}

fn storgata() -> Value {
    json!({"addressLine1": "Storgata 1", "postCode": "0155", "city": "Oslo"})
}

/// Adds an address to profile `n` and returns its id.
fn add(client: &Client, n: i64) -> i64 {
    let response = client.post(&addresses(n), &storgata());
    assert_eq!(response.status, 201, "{}", response.body);
    response.json()["id"].as_i64().expect("id")
}

#[test]
fn an_address_is_added_listed_read_replaced_and_deleted() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let n = a.create_profile(&kari_nordmann());
    let base = addresses(n);

    let body =
        json!({"addressLine1": "  Storgata 1 ", "addressLine2": "", "postCode": "0155", "city": "Oslo"});
    let created = a.post(&base, &body);
    assert_eq!(created.status, 201, "{}", created.body);
    let address = created.json();
    let id = address["id"].as_i64().unwrap();
    let path = format!("{base}/{id}");
    assert_eq!(created.header("location"), Some(path.as_str()));
    assert_eq!(created.header("etag"), Some("\"1\""));
    assert_eq!(address["addressLine1"], "Storgata 1", "strings are trimmed");
    assert!(address.get("addressLine2").is_none(), "a blank optional field is absent");
    assert_eq!(address["countryCode"], "NO", "countryCode defaults to NO");
    assert_eq!(address["createdAt"], address["changedAt"]);

    assert_eq!(a.get(&base).json(), json!([address]), "lists are bare arrays");
    let read = a.get(&path);
    assert_eq!((read.status, read.header("etag")), (200, Some("\"1\"")));
    assert_eq!(read.json(), address);

    let swedish = json!({"addressLine1": "Drottninggatan 1", "postCode": "111 51", "countryCode": "se"});
    let replaced = a.send("PUT", &path, Some(&swedish));
    assert_eq!((replaced.status, replaced.header("etag")), (200, Some("\"2\"")), "{}", replaced.body);
    let replaced = replaced.json();
    assert_eq!(replaced["countryCode"], "SE");
    assert_eq!(replaced["postCode"], "111 51");
    assert!(replaced.get("city").is_none(), "PUT replaces every field");
    assert_eq!(replaced["createdAt"], address["createdAt"]);
    assert_eq!(a.get(&path).json(), replaced);

    assert_eq!(a.send("DELETE", &path, None).status, 204);
    assert_eq!(a.get(&path).status, 404);
    assert_eq!(a.get(&base).json(), json!([]));
}

#[test]
fn every_change_is_audited_by_field_name_only() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let n = a.create_profile(&kari_nordmann());
    let id = add(&a, n);
    a.send(
        "PUT",
        &format!("{}/{id}", addresses(n)),
        Some(&json!({"addressLine1": "Storgata 2", "postCode": "0155"})),
    );
    a.send("DELETE", &format!("{}/{id}", addresses(n)), None);
    let trail = query_texts(
        &app.db(),
        "SELECT action, changed_fields, client_id FROM audit_event
          WHERE customer_number = ?1 AND action LIKE 'POSTAL_ADDRESS_%' ORDER BY id",
        &[n],
    );
    let actions: Vec<&str> = trail.iter().map(|row| row[0].as_str()).collect();
    assert_eq!(actions, ["POSTAL_ADDRESS_ADDED", "POSTAL_ADDRESS_CHANGED", "POSTAL_ADDRESS_REMOVED"]);
    assert_eq!(trail[0][1], r#"["addressLine1","postCode","city","countryCode"]"#);
    assert_eq!(trail[1][1], r#"["addressLine1","city"]"#, "the fields that changed");
    assert!(trail.iter().all(|row| !row[1].contains("Storgata") && row[2] == "partner-a"));
}

#[test]
fn address_bodies_are_checked_field_by_field() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let n = a.create_profile(&kari_nordmann());
    let existing = format!("{}/{}", addresses(n), add(&a, n));
    let with = |field: &str, value: Value| {
        let mut body = storgata();
        body[field] = value;
        body
    };
    let cases = [
        (json!({"city": "Oslo"}), vec![("addressLine1", "REQUIRED"), ("postCode", "REQUIRED")]),
        (with("addressLine1", json!("   ")), vec![("addressLine1", "REQUIRED")]),
        (with("postCode", json!("155")), vec![("postCode", "INVALID_POST_CODE")]),
        (with("postCode", json!("0155!")), vec![("postCode", "INVALID_POST_CODE")]),
        (with("countryCode", json!("XX")), vec![("countryCode", "INVALID_COUNTRY_CODE")]),
        (with("countryCode", json!("NOR")), vec![("countryCode", "INVALID_COUNTRY_CODE")]),
        (with("addressLine1", json!("x".repeat(101))), vec![("addressLine1", "TOO_LONG")]),
        (with("addressLine2", json!("x".repeat(101))), vec![("addressLine2", "TOO_LONG")]),
        (with("city", json!("x".repeat(101))), vec![("city", "TOO_LONG")]),
        (with("zip", json!("0155")), vec![("zip", "UNKNOWN_FIELD")]),
        (with("postCode", json!(155)), vec![("postCode", "INVALID_JSON")]),
    ];
    for (body, expected) in cases {
        let expected: Vec<(String, String)> =
            expected.iter().map(|(f, c)| (f.to_string(), c.to_string())).collect();
        for (method, path) in [("POST", addresses(n)), ("PUT", existing.clone())] {
            let response = a.send(method, &path, Some(&body));
            assert_eq!(response.status, 400, "{method} {body}: {}", response.body);
            assert_eq!(field_errors(&response), expected, "{method} {body}");
        }
    }
    assert_eq!(a.get(&addresses(n)).json().as_array().unwrap().len(), 1, "nothing was written");
}

#[test]
fn another_organisations_profile_and_address_answer_like_missing_ones() {
    let app = spawn_app();
    let (a, b) = (app.client(ORG_A), app.client(ORG_B));
    let n = a.create_profile(&kari_nordmann());
    let id = add(&a, n);
    let before = a.get(&addresses(n)).body;
    let own = b.create_profile(&kari_nordmann());
    let body = storgata();
    let missing = 999_999_999;
    let cases = [
        ("GET", addresses(n), addresses(missing), None),
        ("POST", addresses(n), addresses(missing), Some(&body)),
        ("GET", format!("{}/{id}", addresses(n)), format!("{}/{id}", addresses(missing)), None),
        ("PUT", format!("{}/{id}", addresses(n)), format!("{}/{id}", addresses(missing)), Some(&body)),
        ("DELETE", format!("{}/{id}", addresses(n)), format!("{}/{id}", addresses(missing)), None),
        // Their own profile, our address id.
        ("GET", format!("{}/{id}", addresses(own)), format!("{}/{missing}", addresses(own)), None),
        ("PUT", format!("{}/{id}", addresses(own)), format!("{}/{missing}", addresses(own)), Some(&body)),
        ("DELETE", format!("{}/{id}", addresses(own)), format!("{}/{missing}", addresses(own)), None),
    ];
    for (method, theirs, missing, body) in cases {
        assert_answers_like_missing(&b, method, &theirs, &missing, body);
    }
    assert_eq!(a.get(&addresses(n)).body, before, "a foreign write went through");
}

#[test]
fn an_address_of_another_profile_is_not_reachable_through_this_one() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let (kari, ola) = (
        a.create_profile(&kari_nordmann()),
        a.create_profile(&json!({
        "firstName": "Ola", "surname": "Nordmann", "createdBy": "kundesenter", "createdByChannel": "WEB"})),
    );
    let id = add(&a, kari);
    assert_eq!(a.get(&format!("{}/{id}", addresses(ola))).status, 404);
    assert_eq!(a.send("DELETE", &format!("{}/{id}", addresses(ola)), None).status, 404);
    assert_eq!(a.get(&format!("{}/{id}", addresses(kari))).status, 200);
}

#[test]
fn each_address_endpoint_needs_its_permission() {
    let app = spawn_app_trusting_partner();
    let a = app.client(ORG_A);
    let n = a.create_profile(&kari_nordmann());
    let id = add(&a, n);
    let one = format!("{}/{id}", addresses(n));
    let body = storgata();
    let cases = [
        ("GET", addresses(n), None, "customers-profile:les", 200),
        ("GET", one.clone(), None, "customers-profile:les", 200),
        ("POST", addresses(n), Some(&body), "customers-profile:opprett", 201),
        ("PUT", one.clone(), Some(&body), "customers-profile:endre", 200),
        ("DELETE", one.clone(), None, "customers-profile:slett", 204),
    ];
    assert_each_needs_its_permission(&app, 1001, &cases);
}

#[test]
fn a_stale_if_match_is_412_and_changes_nothing() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let n = a.create_profile(&kari_nordmann());
    let path = format!("{}/{}", addresses(n), add(&a, n));
    let moved = json!({"addressLine1": "Storgata 2", "postCode": "0155"});
    let fresh = a.send_with_headers("PUT", &path, &[("if-match", "\"1\"")], Some(&moved));
    assert_eq!((fresh.status, fresh.header("etag")), (200, Some("\"2\"")));
    let stale = a.send_with_headers("PUT", &path, &[("if-match", "\"1\"")], Some(&storgata()));
    assert_eq!((stale.status, stale.error_code().as_str()), (412, "PRECONDITION_FAILED"));
    assert_eq!(a.get(&path).json()["addressLine1"], "Storgata 2", "the stale write changed nothing");
    assert_eq!(a.send_with_headers("DELETE", &path, &[("if-match", "\"1\"")], None).status, 412);
    assert_eq!(a.get(&path).status, 200);
    assert_eq!(a.send_with_headers("DELETE", &path, &[("if-match", "\"2\"")], None).status, 204);
}

#[test]
fn an_idempotency_key_replays_the_first_create() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let n = a.create_profile(&kari_nordmann());
    let key = [("idempotency-key", "address-1")];
    let first = a.send_with_headers("POST", &addresses(n), &key, Some(&storgata()));
    assert_eq!(first.status, 201);
    let again = a.send_with_headers("POST", &addresses(n), &key, Some(&storgata()));
    assert_eq!((again.status, again.header("idempotent-replayed")), (201, Some("true")));
    assert_eq!(again.body, first.body);
    assert_eq!(again.header("location"), first.header("location"));
    assert_eq!(a.get(&addresses(n)).json().as_array().unwrap().len(), 1, "created once");
    let other = a.send_with_headers(
        "POST",
        &addresses(n),
        &key,
        Some(&json!({"addressLine1": "X", "postCode": "0001"})),
    );
    assert_eq!((other.status, other.error_code().as_str()), (422, "IDEMPOTENCY_KEY_REUSED"));
}

#[test]
fn temporary_profiles_have_addresses_of_their_own() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let temporary = a.post(
        "/customers/v2/profiles/temporary",
        &json!({"expirationDate": date_in_days(30), "createdBy": "billettautomat", "createdByChannel": "APP"}),
    );
    assert_eq!(temporary.status, 201, "{}", temporary.body);
    let t = temporary.json()["customerNumber"].as_i64().unwrap();
    let base = format!("/customers/v2/profiles/temporary/{t}/postal-addresses");
    let created = a.post(&base, &storgata());
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.json()["id"].as_i64().unwrap();
    assert_eq!(created.header("location"), Some(format!("{base}/{id}").as_str()));
    assert_eq!(a.get(&base).json().as_array().unwrap().len(), 1);
    let moved = json!({"addressLine1": "Storgata 2", "postCode": "0155"});
    assert_eq!(a.send("PUT", &format!("{base}/{id}"), Some(&moved)).status, 200);

    assert_eq!(a.get(&addresses(t)).status, 404, "a temporary profile is not served as a permanent one");
    let n = a.create_profile(&kari_nordmann());
    let wrong_kind = format!("/customers/v2/profiles/temporary/{n}/postal-addresses");
    assert_eq!(a.get(&wrong_kind).status, 404, "nor a permanent one as a temporary one");
    assert_eq!(a.send("DELETE", &format!("{base}/{id}"), None).status, 204);
}

#[test]
fn the_export_shows_every_child_and_erasure_takes_them_all() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let seat = json!({"preferenceCode": "SEAT", "preferenceType": "STRING"});
    assert_eq!(a.post("/customers/v2/preferences", &seat).status, 201);
    let bonus = json!({"name": "Bonus", "type": "POINTS", "validFrom": "2020-01-01"});
    let program = a.post("/customers/v2/loyalty-programs", &bonus).json()["id"].as_i64().unwrap();
    let n = a.create_profile(&kari_nordmann());
    let profile = format!("/customers/v2/profiles/{n}");
    add(&a, n);
    let value = json!({"value": "window"});
    assert_eq!(a.send("PUT", &format!("{profile}/preferences/SEAT"), Some(&value)).status, 201);
    let card = json!({"ecardOperator": 1, "ecardNumber": 2});
    assert_eq!(a.post(&format!("{profile}/ecards"), &card).status, 201);
    let joined = a.post(&format!("{profile}/loyalty-programs"), &json!({"programId": program})).json();
    let membership = joined["id"].as_i64().unwrap();
    let earn = json!({"amount": 3});
    assert_eq!(a.post(&format!("{profile}/loyalty-programs/{membership}/transactions"), &earn).status, 201);

    let export = a.get(&format!("{profile}/export")).json();
    assert_eq!(export["postalAddresses"], a.get(&addresses(n)).json());
    assert_eq!(export["preferences"][0]["value"], "window");
    assert_eq!(export["ecards"][0]["ecardNumber16digits"], "0001000000000002");
    assert_eq!(export["loyaltyPrograms"][0]["balance"], 3);
    assert_eq!(export["loyaltyPrograms"][0]["transactions"][0]["amount"], 3);

    assert_eq!(a.send("DELETE", &profile, None).status, 204);
    let db = app.db();
    for table in
        ["postal_address", "customer_preference", "ecard", "loyalty_membership", "loyalty_transaction"]
    {
        let left = query_int(&db, &format!("SELECT count(*) FROM {table} WHERE customer_number = ?1"), &[n]);
        assert_eq!(left, 0, "{table} kept rows of an erased customer");
    }
}
