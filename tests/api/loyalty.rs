//! Contract §3 sub-resources: loyalty-program memberships of a permanent profile and the
//! transactions of their balance, which never goes below zero.

use crate::helpers::*;
use serde_json::{json, Value};

fn memberships(n: i64) -> String {
    format!("/customers/v2/profiles/{n}/loyalty-programs")
}

fn transactions(n: i64, membership: i64) -> String {
    format!("{}/{membership}/transactions", memberships(n))
}

/// Creates a program in the caller's organisation's catalogue; returns its id.
fn program(client: &Client, kind: &str, valid_from: &str, valid_to: Option<&str>) -> i64 {
    let body = json!({"name": format!("{kind} program"), "type": kind, "validFrom": valid_from, "validTo": valid_to});
    let response = client.post("/customers/v2/loyalty-programs", &body);
    assert_eq!(response.status, 201, "{}", response.body);
    response.json()["id"].as_i64().expect("id")
}

/// Joins `program_id`; returns the membership id.
fn join(client: &Client, n: i64, program_id: i64) -> i64 {
    let response = client.post(&memberships(n), &json!({"programId": program_id}));
    assert_eq!(response.status, 201, "{}", response.body);
    response.json()["id"].as_i64().expect("id")
}

fn transact(client: &Client, n: i64, membership: i64, amount: i64) -> TestResponse {
    client.post(&transactions(n, membership), &json!({"amount": amount}))
}

fn balance(client: &Client, n: i64, membership: i64) -> Value {
    let listed = client.get(&memberships(n)).json();
    let found = listed.as_array().unwrap().iter().find(|m| m["id"] == membership).cloned();
    found.expect("the membership is listed")["balance"].clone()
}

#[test]
fn a_member_earns_and_spends_points_and_leaves() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let points = program(&a, "POINTS", "2020-01-01", None);
    let n = a.create_profile(&kari_nordmann());

    let joined = a.post(&memberships(n), &json!({"programId": points}));
    assert_eq!(joined.status, 201, "{}", joined.body);
    let membership = joined.json();
    let id = membership["id"].as_i64().unwrap();
    assert_eq!(joined.header("location"), Some(format!("{}/{id}", memberships(n)).as_str()));
    assert_eq!(joined.header("etag"), Some("\"1\""));
    assert_eq!(membership["programId"], points);
    assert_eq!(membership["programName"], "POINTS program");
    assert_eq!(membership["type"], "POINTS");
    assert_eq!(membership["validFrom"], "2020-01-01");
    assert_eq!(membership["balance"], 0);
    assert_eq!(a.get(&memberships(n)).json(), json!([membership]));

    let earned = a.post(&transactions(n, id), &json!({"amount": 100, "reference": " order-1 "}));
    assert_eq!(earned.status, 201, "{}", earned.body);
    let earned = earned.json();
    assert_eq!((earned["amount"].clone(), earned["balanceAfter"].clone()), (json!(100), json!(100)));
    assert_eq!(earned["reference"], "order-1");
    assert_eq!(earned["membershipId"], id);
    assert_eq!(transact(&a, n, id, -30).json()["balanceAfter"], 70);
    assert_eq!(balance(&a, n, id), 70);

    let history = a.get(&transactions(n, id));
    assert_eq!(history.status, 200);
    let amounts: Vec<Value> =
        history.json().as_array().unwrap().iter().map(|t| t["amount"].clone()).collect();
    assert_eq!(amounts, [json!(100), json!(-30)], "oldest first");
    assert_eq!(history.header("link"), None, "one page");

    assert_eq!(a.send("DELETE", &format!("{}/{id}", memberships(n)), None).status, 204);
    assert_eq!(a.get(&memberships(n)).json(), json!([]));
    assert_eq!(a.get(&transactions(n, id)).status, 404, "the transactions went with it");
}

#[test]
fn the_balance_never_goes_below_zero() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let coupons = program(&a, "COUPONS", "2020-01-01", None);
    let n = a.create_profile(&kari_nordmann());
    let id = join(&a, n, coupons);
    assert_eq!(transact(&a, n, id, 3).status, 201);
    let overdrawn = transact(&a, n, id, -4);
    assert_eq!((overdrawn.status, overdrawn.error_code().as_str()), (409, "INSUFFICIENT_BALANCE"));
    assert_eq!(overdrawn.json()["errors"][0]["field"], "amount");
    assert_eq!(balance(&a, n, id), 3);
    assert_eq!(transact(&a, n, id, -3).json()["balanceAfter"], 0, "down to exactly zero is fine");
    assert_eq!(
        a.get(&transactions(n, id)).json().as_array().unwrap().len(),
        2,
        "the refused one left no trace"
    );
}

#[test]
fn parallel_spending_never_overdraws() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let points = program(&a, "POINTS", "2020-01-01", None);
    let n = a.create_profile(&kari_nordmann());
    let id = join(&a, n, points);
    assert_eq!(transact(&a, n, id, 5).status, 201);
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..10).map(|_| s.spawn(|| transact(&a, n, id, -1).status)).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 5, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 409).count(), 5, "{statuses:?}");
    assert_eq!(balance(&a, n, id), 0);
    let balances: Vec<i64> = a
        .get(&transactions(n, id))
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["balanceAfter"].as_i64().unwrap())
        .collect();
    assert_eq!(balances, [5, 4, 3, 2, 1, 0], "each transaction saw the one before it");
}

#[test]
fn timed_memberships_have_no_balance_to_change() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let timed = program(&a, "TIMED", "2020-01-01", None);
    let n = a.create_profile(&kari_nordmann());
    let joined = a.post(&memberships(n), &json!({"programId": timed}));
    assert!(joined.json().get("balance").is_none(), "{}", joined.body);
    let id = joined.json()["id"].as_i64().unwrap();
    let refused = transact(&a, n, id, 1);
    assert_eq!((refused.status, refused.error_code().as_str()), (400, "TIMED_PROGRAM_HAS_NO_BALANCE"));
}

#[test]
fn a_program_is_joined_once_and_only_while_it_runs() {
    let app = spawn_app();
    let (a, b) = (app.client(ORG_A), app.client(ORG_B));
    let points = program(&a, "POINTS", "2020-01-01", None);
    let ended = program(&a, "POINTS", "2020-01-01", Some("2020-12-31"));
    let upcoming = program(&a, "POINTS", &date_in_days(30), None);
    let theirs = program(&b, "POINTS", "2020-01-01", None);
    let n = a.create_profile(&kari_nordmann());
    join(&a, n, points);
    let cases = [
        (json!({"programId": points}), 409, "LOYALTY_PROGRAM_ALREADY_JOINED"),
        (json!({"programId": ended}), 400, "LOYALTY_PROGRAM_ENDED"),
        (json!({"programId": theirs}), 400, "UNKNOWN_LOYALTY_PROGRAM"),
        (json!({"programId": 999_999}), 400, "UNKNOWN_LOYALTY_PROGRAM"),
        (json!({}), 400, "REQUIRED"),
        (json!({"programId": "1"}), 400, "INVALID_JSON"),
        (json!({"programId": points, "balance": 100}), 400, "UNKNOWN_FIELD"),
    ];
    for (body, status, code) in cases {
        let response = a.post(&memberships(n), &body);
        assert_eq!(
            (response.status, response.error_code()),
            (status, code.to_owned()),
            "{body}: {}",
            response.body
        );
    }
    let early = join(&a, n, upcoming);
    let refused = transact(&a, n, early, 10);
    assert_eq!(
        (refused.status, refused.error_code().as_str()),
        (400, "LOYALTY_PROGRAM_NOT_VALID"),
        "not started"
    );
    assert_eq!(a.get(&memberships(n)).json().as_array().unwrap().len(), 2);
}

#[test]
fn transaction_bodies_are_checked() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let points = program(&a, "POINTS", "2020-01-01", None);
    let n = a.create_profile(&kari_nordmann());
    let id = join(&a, n, points);
    let cases = [
        (json!({}), ("amount", "REQUIRED")),
        (json!({"amount": 0}), ("amount", "INVALID_AMOUNT")),
        (json!({"amount": 1_000_000_001}), ("amount", "INVALID_AMOUNT")),
        (json!({"amount": 1.5}), ("amount", "INVALID_JSON")),
        (json!({"amount": 1, "reference": "r".repeat(101)}), ("reference", "TOO_LONG")),
        (json!({"amount": 1, "note": "x"}), ("note", "UNKNOWN_FIELD")),
    ];
    for (body, (field, code)) in cases {
        let response = a.post(&transactions(n, id), &body);
        assert_eq!(response.status, 400, "{body}: {}", response.body);
        assert_eq!(field_errors(&response), [(field.to_owned(), code.to_owned())], "{body}");
    }
    assert_eq!(balance(&a, n, id), 0);
}

#[test]
fn transactions_are_paged_by_cursor() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let points = program(&a, "POINTS", "2020-01-01", None);
    let n = a.create_profile(&kari_nordmann());
    let id = join(&a, n, points);
    for amount in 1..=5 {
        assert_eq!(transact(&a, n, id, amount).status, 201);
    }
    let mut seen = Vec::new();
    let mut next = Some(format!("{}?limit=2", transactions(n, id)));
    while let Some(path) = next {
        let page = a.get(&path);
        assert_eq!(page.status, 200, "{path}: {}", page.body);
        seen.extend(page.json().as_array().unwrap().iter().map(|t| t["amount"].as_i64().unwrap()));
        next = page.header("link").map(|link| {
            let target = link.split_once('<').unwrap().1.split_once('>').unwrap().0;
            assert!(link.ends_with("rel=\"next\"") && target.contains("limit=2"), "{link}");
            target.to_owned()
        });
    }
    assert_eq!(seen, [1, 2, 3, 4, 5]);
    for (query, code) in
        [("limit=0", "INVALID_LIMIT"), ("limit=1001", "INVALID_LIMIT"), ("cursor=abc", "INVALID_CURSOR")]
    {
        let response = a.get(&format!("{}?{query}", transactions(n, id)));
        assert_eq!((response.status, response.error_code()), (400, code.to_owned()), "{query}");
    }
}

#[test]
fn another_organisations_profile_and_membership_answer_like_missing_ones() {
    let app = spawn_app();
    let (a, b) = (app.client(ORG_A), app.client(ORG_B));
    let points = program(&a, "POINTS", "2020-01-01", None);
    let n = a.create_profile(&kari_nordmann());
    let id = join(&a, n, points);
    transact(&a, n, id, 10);
    let own = b.create_profile(&kari_nordmann());
    let missing = 999_999_999;
    let spend = json!({"amount": -1});
    let joining = json!({"programId": points});
    let cases = [
        ("GET", memberships(n), memberships(missing), None),
        ("POST", memberships(n), memberships(missing), Some(&joining)),
        ("DELETE", format!("{}/{id}", memberships(n)), format!("{}/{id}", memberships(missing)), None),
        ("GET", transactions(n, id), transactions(missing, id), None),
        ("POST", transactions(n, id), transactions(missing, id), Some(&spend)),
        // Their own profile, our membership id.
        ("DELETE", format!("{}/{id}", memberships(own)), format!("{}/{missing}", memberships(own)), None),
        ("GET", transactions(own, id), transactions(own, missing), None),
        ("POST", transactions(own, id), transactions(own, missing), Some(&spend)),
    ];
    for (method, theirs, missing, body) in cases {
        assert_answers_like_missing(&b, method, &theirs, &missing, body);
    }
    let joined = b.post(&memberships(own), &joining);
    assert_eq!(joined.error_code(), "UNKNOWN_LOYALTY_PROGRAM", "another organisation's program is unknown");
    assert_eq!(balance(&a, n, id), 10, "a foreign write went through");
}

#[test]
fn each_loyalty_endpoint_needs_its_permission() {
    let app = spawn_app_trusting_partner();
    let a = app.client(ORG_A);
    let points = program(&a, "POINTS", "2020-01-01", None);
    let n = a.create_profile(&kari_nordmann());
    let id = join(&a, n, points);
    let other = program(&a, "COUPONS", "2020-01-01", None);
    let (joining, earning) = (json!({"programId": other}), json!({"amount": 5}));
    let cases = [
        ("GET", memberships(n), None, "customers-profile:les", 200),
        ("POST", memberships(n), Some(&joining), "customers-profile:opprett", 201),
        ("GET", transactions(n, id), None, "customers-profile:les", 200),
        ("POST", transactions(n, id), Some(&earning), "customers-profile:opprett", 201),
        ("DELETE", format!("{}/{id}", memberships(n)), None, "customers-profile:slett", 204),
    ];
    assert_each_needs_its_permission(&app, 1001, &cases);
}

#[test]
fn a_stale_if_match_keeps_the_membership() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let points = program(&a, "POINTS", "2020-01-01", None);
    let n = a.create_profile(&kari_nordmann());
    let id = join(&a, n, points);
    transact(&a, n, id, 5); // version 2: every transaction changes the membership
    let path = format!("{}/{id}", memberships(n));
    let stale = a.send_with_headers("DELETE", &path, &[("if-match", "\"1\"")], None);
    assert_eq!((stale.status, stale.error_code().as_str()), (412, "PRECONDITION_FAILED"));
    assert_eq!(balance(&a, n, id), 5);
    assert_eq!(a.send_with_headers("DELETE", &path, &[("if-match", "\"2\"")], None).status, 204);
}

#[test]
fn a_retried_transaction_with_its_idempotency_key_counts_once() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let points = program(&a, "POINTS", "2020-01-01", None);
    let n = a.create_profile(&kari_nordmann());
    let id = join(&a, n, points);
    let key = [("idempotency-key", "order-42-earn")];
    let body = json!({"amount": 50, "reference": "order-42"});
    let first = a.send_with_headers("POST", &transactions(n, id), &key, Some(&body));
    assert_eq!(first.status, 201, "{}", first.body);
    let again = a.send_with_headers("POST", &transactions(n, id), &key, Some(&body));
    assert_eq!((again.status, again.header("idempotent-replayed")), (201, Some("true")));
    assert_eq!(again.body, first.body);
    assert_eq!(balance(&a, n, id), 50, "counted once");
    let other = a.send_with_headers("POST", &transactions(n, id), &key, Some(&json!({"amount": 60})));
    assert_eq!((other.status, other.error_code().as_str()), (422, "IDEMPOTENCY_KEY_REUSED"));

    let join_key = [("idempotency-key", "join-1")];
    let coupons = program(&a, "COUPONS", "2020-01-01", None);
    let joined =
        a.send_with_headers("POST", &memberships(n), &join_key, Some(&json!({"programId": coupons})));
    let rejoined =
        a.send_with_headers("POST", &memberships(n), &join_key, Some(&json!({"programId": coupons})));
    assert_eq!((rejoined.status, rejoined.header("idempotent-replayed")), (201, Some("true")), "not a 409");
    assert_eq!(rejoined.body, joined.body);
}

#[test]
fn connecting_profiles_merges_their_children_by_the_documented_rules() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let (points, coupons) =
        (program(&a, "POINTS", "2020-01-01", None), program(&a, "COUPONS", "2020-01-01", None));
    for (code, kind) in [("SEAT", "STRING"), ("NEWSLETTER", "BOOLEAN")] {
        let body = json!({"preferenceCode": code, "preferenceType": kind});
        assert_eq!(a.post("/customers/v2/preferences", &body).status, 201);
    }
    let survivor = a.create_profile(&kari_nordmann());
    let mut other = kari_nordmann();
    other["email"] = json!("kari.other@example.no");
    let merged = a.create_profile(&other);
    let preference = |n: i64, code: &str, value: Value| {
        let path = format!("/customers/v2/profiles/{n}/preferences/{code}");
        assert_eq!(a.send("PUT", &path, Some(&json!({"value": value}))).status, 201);
    };
    let address = |n: i64, line: &str| {
        let body = json!({"addressLine1": line, "postCode": "0155"});
        assert_eq!(a.post(&format!("/customers/v2/profiles/{n}/postal-addresses"), &body).status, 201);
    };
    address(survivor, "Storgata 1");
    preference(survivor, "SEAT", json!("window"));
    let kept = join(&a, survivor, points);
    transact(&a, survivor, kept, 5);
    address(merged, "Kirkegata 2");
    preference(merged, "SEAT", json!("aisle"));
    preference(merged, "NEWSLETTER", json!(true));
    let card = json!({"ecardOperator": 1, "ecardNumber": 2});
    assert_eq!(a.post(&format!("/customers/v2/profiles/{merged}/ecards"), &card).status, 201);
    let dropped = join(&a, merged, points);
    transact(&a, merged, dropped, 7);
    let moved = join(&a, merged, coupons);
    transact(&a, merged, moved, 2);

    let body = json!({"customerNumberToConnect": merged, "changedBy": "t", "changedByChannel": "WEB"});
    let connected = a.post(&format!("/customers/v2/profiles/{survivor}/connect"), &body);
    assert_eq!(connected.status, 200, "{}", connected.body);

    let lines: Vec<Value> = a
        .get(&format!("/customers/v2/profiles/{survivor}/postal-addresses"))
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["addressLine1"].clone())
        .collect();
    assert_eq!(lines, [json!("Storgata 1"), json!("Kirkegata 2")], "addresses all move");
    let values: Vec<(Value, Value)> = a
        .get(&format!("/customers/v2/profiles/{survivor}/preferences"))
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["preferenceCode"].clone(), p["value"].clone()))
        .collect();
    assert_eq!(
        values,
        [(json!("NEWSLETTER"), json!(true)), (json!("SEAT"), json!("window"))],
        "the target's value wins"
    );
    assert_eq!(
        a.get(&format!("/customers/v2/profiles/{survivor}/ecards")).json().as_array().unwrap().len(),
        1
    );
    let balances: Vec<(Value, Value, Value)> = a
        .get(&memberships(survivor))
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["id"].clone(), m["programId"].clone(), m["balance"].clone()))
        .collect();
    assert_eq!(
        balances,
        [(json!(kept), json!(points), json!(12)), (json!(moved), json!(coupons), json!(2))],
        "the target keeps its membership and gains the source's balance"
    );
    let amounts: Vec<Value> = a
        .get(&transactions(survivor, kept))
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["amount"].clone())
        .collect();
    assert_eq!(amounts, [json!(5), json!(7)], "the source's history joins the kept membership");
}

#[test]
fn a_profile_that_is_not_active_takes_no_new_children() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let points = program(&a, "POINTS", "2020-01-01", None);
    let n = a.create_profile(&kari_nordmann());
    let id = join(&a, n, points);
    let body = json!({"expirationDate": date_in_days(30), "changedBy": "t", "changedByChannel": "WEB"});
    assert_eq!(a.post(&format!("/customers/v2/profiles/{n}/deactivate"), &body).status, 200);
    let writes = [
        (
            "POST",
            format!("/customers/v2/profiles/{n}/postal-addresses"),
            json!({"addressLine1": "X", "postCode": "0155"}),
        ),
        ("POST", format!("/customers/v2/profiles/{n}/ecards"), json!({"ecardOperator": 1, "ecardNumber": 2})),
        ("POST", transactions(n, id), json!({"amount": 1})),
    ];
    for (method, path, body) in writes {
        let refused = a.send(method, &path, Some(&body));
        assert_eq!(
            (refused.status, refused.error_code().as_str()),
            (409, "PROFILE_NOT_ACTIVE"),
            "{method} {path}"
        );
    }
    assert_eq!(a.get(&memberships(n)).status, 200, "still readable until it expires");
}
