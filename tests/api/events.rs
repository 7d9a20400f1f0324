//! The change feed, `GET /customers/v2/events` (docs/change-feed.md): every write route
//! leaves its event, a partner follows the feed with its cursor across an erasure, a merge and
//! a withdrawn consent, and nobody sees another organisation's events or a type its token does
//! not allow.

use crate::consents::{active_consent, choice, customer, GIVEN};
use crate::helpers::*;
use serde_json::{json, Value};

const EVENTS: &str = "/customers/v2/events";

/// The `after` of the `Link: <…>; rel="next"` of a feed page.
fn next_after(response: &TestResponse) -> String {
    let link = response.header("link").expect("every feed page links to the next");
    let (_, query) = link.split_once('?').expect("a query in the link");
    let query = query.split('>').next().unwrap();
    // Cursors are `k1.` and hex digits: nothing to decode.
    query.split('&').find_map(|pair| pair.strip_prefix("after=")).expect("an after in the link").to_owned()
}

/// Every event after `after` (following the links), and the cursor to poll from next.
fn follow(client: &Client<'_>, after: &str, extra: &str) -> (Vec<Value>, String) {
    let mut after = after.to_owned();
    let mut events = Vec::new();
    loop {
        let page = client.get(&format!("{EVENTS}?after={after}&limit=50{extra}"));
        assert_eq!(page.status, 200, "{}", page.body);
        let got = page.json().as_array().unwrap().clone();
        after = next_after(&page);
        if got.is_empty() {
            return (events, after);
        }
        events.extend(got);
    }
}

fn types(events: &[Value]) -> Vec<&str> {
    events.iter().map(|e| e["type"].as_str().unwrap()).collect()
}

/// Write routes that change no customer, so they have no event: the organisation's catalogues
/// (preference definitions, loyalty programs, consent bases and consents) and checking a
/// password (it writes only the sign-in lockout's counters). The purge emits `profile.expired`
/// for each profile it deletes, when there is one
/// (`purged_profiles_leave_their_expired_event_and_events_past_the_retention_go`).
const NO_CUSTOMER_CHANGED: &[(&str, &str)] = &[
    ("POST", "/customers/v2/profiles/verify-credentials"),
    ("POST", "/customers/v2/preferences"),
    ("PUT", "/customers/v2/preferences/{id}"),
    ("DELETE", "/customers/v2/preferences/{id}"),
    ("POST", "/customers/v2/loyalty-programs"),
    ("PUT", "/customers/v2/loyalty-programs/{id}"),
    ("POST", "/customers/v2/consents/admin/consent-bases"),
    ("PUT", "/customers/v2/consents/admin/consent-bases/{consentCode}"),
    ("POST", "/customers/v2/consents/admin/consents"),
    ("PUT", "/customers/v2/consents/admin/consents/{id}"),
    ("PATCH", "/customers/v2/consents/admin/consents/{id}"),
    ("POST", "/customers/v2/admin/purge-expired"),
];

/// What one write route works on: a fresh permanent profile with something on every
/// sub-resource and a given consent, another profile (to connect), and a temporary profile
/// with an address and a preference.
struct Fixture {
    n: i64,
    other: i64,
    t: i64,
    address: i64,
    temp_address: i64,
    ecard: i64,
    membership: i64,
    given: i64,
}

fn fixture(a: &Client<'_>, i: usize, program: i64, consent: i64) -> Fixture {
    let id_of = |response: TestResponse| {
        assert!(response.status == 201 || response.status == 200, "{}", response.body);
        response.json()["id"].as_i64().unwrap()
    };
    let (n, other) = (customer(a, 2 * i), customer(a, 2 * i + 1));
    let t = a.post(
        "/customers/v2/profiles/temporary",
        &json!({"expirationDate": date_in_days(10), "createdBy": "t", "createdByChannel": "WEB"}),
    );
    let t = t.json()["customerNumber"].as_i64().unwrap();
    let address = json!({"addressLine1": "Gata 1", "postCode": "0150"});
    let fixture = Fixture {
        n,
        other,
        t,
        address: id_of(a.post(&format!("/customers/v2/profiles/{n}/postal-addresses"), &address)),
        temp_address: id_of(
            a.post(&format!("/customers/v2/profiles/temporary/{t}/postal-addresses"), &address),
        ),
        ecard: id_of(a.post(
            &format!("/customers/v2/profiles/{n}/ecards"),
            &json!({"ecardOperator": 1, "ecardNumber": 1000 + i}),
        )),
        membership: id_of(
            a.post(&format!("/customers/v2/profiles/{n}/loyalty-programs"), &json!({"programId": program})),
        ),
        given: id_of(a.post(GIVEN, &choice(n, consent, true))),
    };
    for path in [format!("/customers/v2/profiles/{n}"), format!("/customers/v2/profiles/temporary/{t}")] {
        let set = a.send("PUT", &format!("{path}/preferences/SEAT"), Some(&json!({"value": true})));
        assert_eq!(set.status, 201, "{}", set.body);
    }
    fixture
}

/// A valid body for a create (`POST` of a profile or a temporary profile).
fn create_body(template: &str, i: usize) -> Value {
    if template.ends_with("/temporary") {
        return json!({"expirationDate": date_in_days(10), "createdBy": "t", "createdByChannel": "WEB"});
    }
    let mut body = kari_nordmann();
    body["email"] = json!(format!("ny{i}@example.no"));
    body
}

/// A valid request body for a write route of the consents component.
fn consent_body(method: &str, template: &str, n: i64, consent: i64) -> Option<Value> {
    match (method, template.rsplit('/').next().unwrap()) {
        ("DELETE", _) => None,
        ("POST", "given-consents") => Some(choice(n, consent, false)),
        ("PUT", "bulk") => Some(json!([choice(n, consent, false)])),
        ("PUT", "{consentCode}") => Some(json!({"consentChoice": false})),
        _ => panic!("no valid body known for {method} {template}: add one"),
    }
}

#[test]
fn every_write_route_leaves_an_event_about_the_customer_it_changed() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let definition = json!({"preferenceCode": "SEAT", "preferenceType": "BOOLEAN", "isActive": true});
    assert_eq!(a.post("/customers/v2/preferences", &definition).status, 201);
    let program = |name: &str| {
        let body = json!({"name": name, "type": "POINTS", "validFrom": "2020-01-01"});
        a.post("/customers/v2/loyalty-programs", &body).json()["id"].as_i64().unwrap()
    };
    let (joined, to_join) = (program("Poeng"), program("Bonus"));
    let consent = active_consent(&a, "NEWSLETTER");
    let (_, mut after) = follow(&a, "", "");

    let mut walked = Vec::new();
    let mut fixtures = 0;
    for component in ["profiles", "temporary-profiles", "consents"] {
        for (method, template) in crate::openapi::routes_of(component) {
            if method == "GET" || NO_CUSTOMER_CHANGED.contains(&(method.as_str(), template.as_str())) {
                continue;
            }
            fixtures += 1;
            let f = fixture(&a, fixtures, joined, consent);
            (_, after) = follow(&a, &after, "");
            let temporary = template.contains("/temporary/");
            let id = if template.contains("ecards") {
                f.ecard
            } else if template.contains("given-consents") {
                f.given
            } else if temporary {
                f.temp_address
            } else {
                f.address
            };
            let path = template
                .replace("{customerNumber}", &(if temporary { f.t } else { f.n }).to_string())
                .replace("{id}", &id.to_string())
                .replace("{membershipId}", &f.membership.to_string())
                .replace("{preferenceCode}", "SEAT")
                .replace("{consentCode}", "NEWSLETTER");
            let body = if component == "consents" {
                consent_body(&method, &template, f.n, consent)
            } else if !template.contains("{customerNumber}") {
                Some(create_body(&template, fixtures))
            } else {
                crate::tenancy::valid_body(&method, &template, to_join, f.other)
            };
            let answer = a.send(&method, &path, body.as_ref());
            if answer.status == 400 && answer.error_code() == "NOT_ALLOWED_FOR_TEMPORARY_PROFILE" {
                continue; // refused for every temporary profile: no write at all
            }
            assert!((200..300).contains(&answer.status), "{method} {template}: {}", answer.body);
            let (events, next) = follow(&a, &after, "");
            after = next;
            assert!(!events.is_empty(), "{method} {template} wrote without an event");
            let created = serde_json::from_str::<Value>(&answer.body)
                .ok()
                .and_then(|body| body.get("customerNumber").and_then(Value::as_i64))
                .unwrap_or(0);
            let touched = [f.n, f.t, f.other, created];
            for event in &events {
                let number = event["customerNumber"].as_i64().unwrap();
                assert!(touched.contains(&number), "{method} {template}: an event about {number}: {event}");
            }
            walked.push(format!("{method} {template}: {:?}", types(&events)));
        }
    }
    // Profiles: 17 v2 and 4 v1 write routes; temporary profiles: 9 (its 4 ecard and loyalty
    // write routes are refused for all); consents: 3 v2 and 4 v1.
    assert_eq!(walked.len(), 37, "{walked:#?}");
}

#[test]
fn a_partner_follows_the_feed_across_a_merge_an_erasure_and_a_withdrawn_consent() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let consent = active_consent(&a, "NEWSLETTER");
    let (_, start) = follow(&a, "", "");
    let kari = customer(&a, 1);
    let ola = customer(&a, 2);
    assert_eq!(a.post(GIVEN, &choice(kari, consent, true)).status, 201);
    let changed = a.send(
        "PATCH",
        &format!("/customers/v2/profiles/{kari}"),
        Some(&json!({"surname": "Hansen", "changedBy": "kundesenter", "changedByChannel": "APP"})),
    );
    assert_eq!(changed.status, 200, "{}", changed.body);

    // The first catch-up, in pages of one: each event's id continues after it.
    let page = a.get(&format!("{EVENTS}?after={start}&limit=1"));
    let first = page.json()[0].clone();
    assert_eq!(
        (first["type"].as_str(), first["customerNumber"].as_i64()),
        (Some("profile.created"), Some(kari))
    );
    let second =
        a.get(&format!("{EVENTS}?after={}&limit=1", first["id"].as_str().unwrap())).json()[0].clone();
    assert_eq!(second["customerNumber"].as_i64(), Some(ola));
    assert_eq!(next_after(&page), first["id"].as_str().unwrap(), "the link continues after the page");
    let (seen, cursor) = follow(&a, &start, "");
    assert_eq!(types(&seen), ["profile.created", "profile.created", "consent.given", "profile.updated"]);
    let updated = &seen[3];
    assert_eq!(updated["fields"], json!(["surname"]));
    assert_eq!(
        (updated["changedBy"].as_str(), updated["channel"].as_str()),
        (Some("kundesenter"), Some("APP"))
    );
    assert_eq!(updated["clientId"], "partner-a");
    assert_eq!(
        (seen[2]["consentCode"].as_str(), seen[2]["choice"].as_bool()),
        (Some("NEWSLETTER"), Some(true))
    );

    // Caught up: an empty page whose link is where to poll from.
    let idle = a.get(&format!("{EVENTS}?after={cursor}"));
    assert_eq!((idle.json(), next_after(&idle)), (json!([]), cursor.clone()));

    // Ola is merged into Kari, Kari withdraws the consent and is then erased.
    let merged = a.post(
        &format!("/customers/v2/profiles/{kari}/connect"),
        &json!({"customerNumberToConnect": ola, "changedBy": "kundesenter", "changedByChannel": "WEB"}),
    );
    assert_eq!(merged.status, 200, "{}", merged.body);
    assert_eq!(a.post(GIVEN, &choice(kari, consent, false)).status, 200);
    assert_eq!(a.send("DELETE", &format!("/customers/v2/profiles/{kari}"), None).status, 204);
    let (seen, _) = follow(&a, &cursor, "");
    assert_eq!(types(&seen), ["profile.merged", "consent.withdrawn", "profile.erased"]);
    assert_eq!(
        (seen[0]["customerNumber"].as_i64(), seen[0]["fromCustomerNumber"].as_i64()),
        (Some(kari), Some(ola))
    );
    assert_eq!(seen[1]["choice"], false);
    assert_eq!(seen[2]["customerNumber"].as_i64(), Some(kari));

    // Erasure keeps the events (no personal value in them): the whole history is still there.
    let (all, _) = follow(&a, &start, &format!("&customerNumber={kari}"));
    assert_eq!(
        types(&all),
        [
            "profile.created",
            "consent.given",
            "profile.updated",
            "profile.merged",
            "consent.withdrawn",
            "profile.erased"
        ]
    );
    let (only, _) = follow(&a, &start, "&types=profile.erased,profile.merged");
    assert_eq!(types(&only), ["profile.merged", "profile.erased"]);
    let text = a.get(&format!("{EVENTS}?limit=1000")).body;
    for personal in ["Kari", "Nordmann", "Hansen", "example.no"] {
        assert!(!text.contains(personal), "the feed holds {personal:?}: {text}");
    }
}

#[test]
fn another_organisations_events_are_never_visible() {
    let app = spawn_app();
    let (a, b) = (app.client(ORG_A), app.client(ORG_B));
    let kari = a.create_profile(&kari_nordmann());
    assert_eq!(a.send("DELETE", &format!("/customers/v2/profiles/{kari}"), None).status, 204);
    let (theirs, cursor) = follow(&a, "", "");
    assert_eq!(types(&theirs), ["profile.created", "profile.erased"]);
    assert_eq!(follow(&b, "", "").0, Vec::<Value>::new());
    assert_eq!(follow(&b, "", &format!("&customerNumber={kari}")).0, Vec::<Value>::new());
    // A's cursor in B's hands only leads past A's events, to B's own.
    let own = b.create_profile(&kari_nordmann());
    let (seen, _) = follow(&b, &cursor, "");
    assert_eq!(seen.iter().map(|e| e["customerNumber"].as_i64().unwrap()).collect::<Vec<_>>(), [own]);
    let (seen, _) = follow(&b, "", "");
    assert_eq!(seen.len(), 1, "B sees only its own: {seen:?}");
}

#[test]
fn each_read_permission_shows_its_own_types_and_nothing_without_either() {
    let app = spawn_app_trusting_partner();
    let a = app.client(ORG_A);
    let consent = active_consent(&a, "NEWSLETTER");
    let kari = customer(&a, 1);
    assert_eq!(a.post(GIVEN, &choice(kari, consent, true)).status, 201);

    let profiles = client_with_only(&app, ORG_A.2, &["customers-profile:les"]);
    assert_eq!(types(&follow(&profiles, "", "").0), ["profile.created"]);
    let consents = client_with_only(&app, ORG_A.2, &["consents:les"]);
    assert_eq!(types(&follow(&consents, "", "").0), ["consent.given"]);
    let forbidden = consents.get(&format!("{EVENTS}?types=profile.created"));
    assert_eq!((forbidden.status, forbidden.error_code().as_str()), (403, "MISSING_PERMISSION"));
    let forbidden = profiles.get(&format!("{EVENTS}?types=profile.created,consent.given"));
    assert_eq!(forbidden.status, 403);
    let writer = client_with_only(&app, ORG_A.2, &["customers-profile:endre", "consents:endre"]);
    let refused = writer.get(EVENTS);
    assert_eq!((refused.status, refused.error_code().as_str()), (403, "MISSING_PERMISSION"));
}

#[test]
fn a_write_that_fails_halfway_leaves_no_event() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let consent = active_consent(&a, "NEWSLETTER");
    let kari = customer(&a, 1);
    let (_, cursor) = follow(&a, "", "");
    // The bulk's first choice is written (with its history entry and event) before the second
    // finds no such customer: the transaction rolls back, event included.
    let bulk = json!([choice(kari, consent, true), choice(999_999, consent, true)]);
    assert_eq!(a.send("PUT", &format!("{GIVEN}/bulk"), Some(&bulk)).status, 404);
    assert_eq!(follow(&a, &cursor, "").0, Vec::<Value>::new());
    assert_eq!(a.get(&format!("{GIVEN}?customerNumber={kari}")).json(), json!([]), "no change either");
    let bulk = json!([choice(kari, consent, true)]);
    assert_eq!(a.send("PUT", &format!("{GIVEN}/bulk"), Some(&bulk)).status, 200);
    assert_eq!(types(&follow(&a, &cursor, "").0), ["consent.given"]);
}

#[test]
fn feed_parameters_are_checked() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    for (query, field, code) in [
        ("limit=0", "limit", "INVALID_LIMIT"),
        ("limit=1001", "limit", "INVALID_LIMIT"),
        ("after=42", "after", "INVALID_CURSOR"),
        ("types=profile.created,profile.exploded", "types", "INVALID_EVENT_TYPE"),
        ("customerNumber=-3", "customerNumber", "INVALID_CUSTOMER_NUMBER"),
    ] {
        let refused = a.get(&format!("{EVENTS}?{query}"));
        assert_eq!(refused.status, 400, "{query}: {}", refused.body);
        assert_eq!(field_errors(&refused), [(field.to_owned(), code.to_owned())], "{query}");
    }
    let none = app.send("GET", EVENTS, None, None);
    assert_eq!(none.status, 401);
}

/// A client of organisation A whose token (partner issuer) is valid `days_ahead` days from
/// now: the components' clock has moved that far.
fn client_days_ahead(app: &TestApp, days_ahead: i64) -> Client<'_> {
    let mut claims = crate::tokens::claims(ORG_A.2);
    for claim in ["iat", "nbf", "exp"] {
        claims[claim] = json!(claims[claim].as_i64().unwrap() + days_ahead * 86_400);
    }
    Client { app, token: crate::tokens::eddsa(1, "ed-1", &claims) }
}

#[test]
fn purged_profiles_leave_their_expired_event_and_events_past_the_retention_go() {
    if test_host_only("moves the components' clock") {
        return;
    }
    let app = spawn_app_with(&[
        ("jwt_jwks", &crate::tokens::partner_jwks()),
        ("purge_one_request_in", "0"),
        ("event_retention_days", "3"),
    ]);
    let t = client_days_ahead(&app, 0).post(
        "/customers/v2/profiles/temporary",
        &json!({"expirationDate": datetime_in_secs(2 * 86_400), "createdBy": "t", "createdByChannel": "WEB"}),
    );
    let t = t.json()["customerNumber"].as_i64().unwrap();
    app.advance_clock_secs(2 * 86_400 + 60);
    let a = client_days_ahead(&app, 2);
    let purged = a.post("/customers/v2/admin/purge-expired", &json!({}));
    assert_eq!(
        (purged.status, purged.json()["temporaryProfiles"].as_i64()),
        (200, Some(1)),
        "{}",
        purged.body
    );
    let (seen, _) = follow(&a, "", "");
    assert_eq!(types(&seen), ["profile.created", "profile.expired"]);
    assert!(seen.iter().all(|e| e["customerNumber"].as_i64() == Some(t)));
    // Two days later the create is past the three days of retention, the expiry not yet.
    app.advance_clock_secs(2 * 86_400);
    let a = client_days_ahead(&app, 4);
    assert_eq!(a.post("/customers/v2/admin/purge-expired", &json!({})).status, 200);
    assert_eq!(types(&follow(&a, "", "").0), ["profile.expired"]);
}

#[test]
fn the_document_lists_exactly_the_types_the_service_writes() {
    let schema = &crate::conformance::document()["components"]["schemas"]["CustomerEvent"];
    let listed: Vec<&str> = schema["properties"]["type"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    let written: Vec<&str> = domain::event::TYPES.iter().map(|(name, _)| *name).collect();
    assert_eq!(listed, written);
}
