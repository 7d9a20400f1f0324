//! Contract §6: consent bases and their versions, consents and their states, given consents
//! with their proof-of-consent history, the CRM listing; each rule with a test that tries to
//! break it. The legacy v1 view is in `consents_v1.rs`.

use crate::helpers::*;
use serde_json::{json, Value};

pub const BASES: &str = "/customers/v2/consents/admin/consent-bases";
pub const CONSENTS: &str = "/customers/v2/consents/admin/consents";
pub const CLIENT_CONSENTS: &str = "/customers/v2/consents/client/consents";
pub const GIVEN: &str = "/customers/v2/consents/client/given-consents";
pub const CRM: &str = "/customers/v2/consents/crm";

/// A request with extra headers (If-Match, Idempotency-Key) on behalf of `client`.
pub fn send_with(
    client: &Client<'_>,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&Value>,
) -> TestResponse {
    let auth = format!("Bearer {}", client.token);
    let mut all = vec![("content-type", "application/json"), ("authorization", auth.as_str())];
    all.extend_from_slice(headers);
    client.app.request(method, path, &all, body.map(|b| b.to_string().into_bytes()))
}

pub fn base_body(code: &str, text: &str) -> Value {
    json!({"consentCode": code, "terms": [{"language": "EN", "text": text}],
           "internalDescription": "newsletter by email"})
}

/// Creates consent base `code` and returns its body.
pub fn create_base(client: &Client<'_>, code: &str) -> Value {
    let response = client.post(BASES, &base_body(code, &format!("{code}: you may email me offers")));
    assert_eq!(response.status, 201, "base {code}: {}", response.body);
    response.json()
}

/// Creates a consent of `code` valid from `valid_from` (and until `valid_to`); returns its id.
pub fn create_consent(
    client: &Client<'_>,
    code: &str,
    valid_from: Option<&str>,
    valid_to: Option<&str>,
) -> i64 {
    let body =
        json!({"consentCode": code, "isEmailSupported": true, "validFrom": valid_from, "validTo": valid_to});
    let response = client.post(CONSENTS, &body);
    assert_eq!(response.status, 201, "consent {code}: {}", response.body);
    response.json()["id"].as_i64().unwrap()
}

/// A base `code` and an active consent of it (valid since 2020); returns the consent id.
pub fn active_consent(client: &Client<'_>, code: &str) -> i64 {
    create_base(client, code);
    create_consent(client, code, Some("2020-01-01"), None)
}

/// A permanent profile with its own email; returns its customer number.
pub fn customer(client: &Client<'_>, i: usize) -> i64 {
    let mut body = kari_nordmann();
    body["email"] = json!(format!("kunde{i}@example.no"));
    client.create_profile(&body)
}

pub fn choice(customer: i64, consent: i64, choice: bool) -> Value {
    json!({"customerNumber": customer, "consentId": consent, "consentChoice": choice, "distributionChannel": "WEB"})
}

fn fields(response: &TestResponse) -> Vec<(String, String)> {
    response.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["field"].as_str().unwrap_or("").to_owned(), e["errorCode"].as_str().unwrap().to_owned()))
        .collect()
}

// ------------------------------------------------------------------ consent bases

#[test]
fn a_consent_base_is_created_and_new_terms_make_a_new_version_while_old_ones_stay_readable() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let created = a.post(BASES, &base_body("NEWSLETTER", "You may email me"));
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.header("location"), Some(format!("{BASES}/NEWSLETTER").as_str()));
    assert_eq!(created.header("etag"), Some("\"1\""));
    let body = created.json();
    assert_eq!(body["version"], 1);
    assert_eq!(body["consentOwnerOrgId"], 1001, "owned by its creator");
    assert_eq!(body["terms"], json!([{"language": "EN", "text": "You may email me"}]));
    assert_eq!(a.get(&format!("{BASES}/NEWSLETTER")).json(), body);

    let unchanged = base_body("NEWSLETTER", "You may email me");
    let stale =
        send_with(&a, "PUT", &format!("{BASES}/NEWSLETTER"), &[("if-match", "\"7\"")], Some(&unchanged));
    assert_eq!(stale.status, 412);
    let v2 = send_with(
        &a,
        "PUT",
        &format!("{BASES}/NEWSLETTER"),
        &[("if-match", "\"1\"")],
        Some(&base_body("NEWSLETTER", "You may email and text me")),
    );
    assert_eq!(v2.status, 200, "{}", v2.body);
    assert_eq!((v2.json()["version"].as_i64(), v2.header("etag")), (Some(2), Some("\"2\"")));

    let translated = json!({"terms": [{"language": "EN", "text": "You may email and text me"},
                                      {"language": "nob", "text": "Dere kan sende meg e-post og SMS"}]});
    let translated = a.send("PUT", &format!("{BASES}/NEWSLETTER"), Some(&translated));
    assert_eq!(translated.json()["version"], 2, "a translation joins the latest version");
    assert_eq!(translated.json()["terms"].as_array().unwrap().len(), 2);

    let v1 = a.get(&format!("{BASES}/NEWSLETTER/versions/1"));
    assert_eq!(v1.status, 200);
    assert_eq!(v1.json()["terms"], json!([{"language": "EN", "text": "You may email me"}]));
    assert_eq!(v1.json()["latestVersion"], 2);
    assert_eq!(a.get(&format!("{BASES}/NEWSLETTER/versions/3")).status, 404);
    assert_eq!(a.get(&format!("{BASES}/NEWSLETTER/versions/x")).status, 404);
    let listed = a.get(BASES).json();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["version"], 2);
}

#[test]
fn consent_codes_are_unique_in_the_organisation_and_terms_are_checked_field_by_field() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    create_base(&a, "ENT_INFO");
    let duplicate = a.post(BASES, &base_body("ENT_INFO", "x"));
    assert_eq!((duplicate.status, duplicate.error_code().as_str()), (409, "DUPLICATE_CONSENT_CODE"));

    let bad = json!({"consentCode": "way too long for a consent code",
                     "terms": [{"language": "EN", "text": "a"}, {"language": "EN", "text": "b"}, {"text": "c"}]});
    let response = a.post(BASES, &bad);
    assert_eq!(response.status, 400);
    assert_eq!(
        fields(&response),
        [
            ("consentCode".to_owned(), "TOO_LONG".to_owned()),
            ("terms[2].language".to_owned(), "REQUIRED".to_owned())
        ]
    );
    let twice = a.post(
        BASES,
        &json!({"consentCode": "X", "terms": [{"language": "EN", "text": "a"},
                                                                   {"language": "en", "text": "b"}]}),
    );
    assert_eq!(fields(&twice), [("terms[1].language".to_owned(), "DUPLICATE_LANGUAGE".to_owned())]);
    let unknown = a.post(BASES, &json!({"consentCode": "X", "terms": [], "validFrom": "2020-01-01"}));
    assert_eq!((unknown.status, unknown.error_code().as_str()), (400, "UNKNOWN_FIELD"));
    let mut foreign = base_body("X", "x");
    foreign["consentOwnerOrgId"] = json!(2002);
    assert_eq!(a.post(BASES, &foreign).error_code(), "ORGANISATION_MISMATCH");
}

/// Contract §6: codes are unique within an organisation, and nothing of one organisation's
/// codes shows through another's. Before, B's create answered 409 for A's code, so B could
/// discover and squat A's codes.
#[test]
fn two_organisations_each_own_a_code_and_every_endpoint_resolves_it_to_their_own() {
    let app = spawn_app();
    let (a, b) = (app.client(ORG_A), app.client(ORG_B));
    let theirs = a.post(BASES, &base_body("NEWSLETTER", "A: you may email me"));
    assert_eq!(theirs.status, 201, "{}", theirs.body);
    // B creating the same code learns nothing of A's, and gets a base of its own.
    let ours = b.post(BASES, &base_body("NEWSLETTER", "B: you may email me"));
    assert_eq!(ours.status, 201, "B's NEWSLETTER: {}", ours.body);
    assert_eq!(ours.json()["consentOwnerOrgId"], 2002);
    // B changes its terms: a version 2 of B's base only.
    let changed =
        b.send("PUT", &format!("{BASES}/NEWSLETTER"), Some(&base_body("NEWSLETTER", "B: email and SMS")));
    assert_eq!((changed.status, changed.json()["version"].as_i64()), (200, Some(2)));
    for (client, org, text, latest) in
        [(&a, 1001, "A: you may email me", 1), (&b, 2002, "B: email and SMS", 2)]
    {
        let base = client.get(&format!("{BASES}/NEWSLETTER"));
        assert_eq!(base.status, 200);
        assert_eq!(
            (base.json()["terms"][0]["text"].as_str(), base.json()["version"].as_i64()),
            (Some(text), Some(latest))
        );
        assert_eq!(base.json()["consentOwnerOrgId"], org);
        let listed = client.get(BASES).json();
        assert_eq!(listed.as_array().map(Vec::len), Some(1), "{org} sees one base");
        assert_eq!(
            client.get(&format!("{BASES}/NEWSLETTER/versions/2")).status,
            if latest == 2 { 200 } else { 404 }
        );
    }
    // Consents of the code take each organisation's own base, versions included.
    let a_consent = create_consent(&a, "NEWSLETTER", Some("2020-01-01"), None);
    let b_consent = create_consent(&b, "NEWSLETTER", Some("2020-01-01"), None);
    assert_eq!(b.get(&format!("{CONSENTS}/{b_consent}")).json()["consentBaseVersion"], 2);
    let version_two =
        json!({"consentCode": "NEWSLETTER", "consentBaseVersion": 2, "validFrom": "2031-01-01"});
    assert_eq!(a.post(CONSENTS, &version_two).status, 404, "A's base has no version 2");
    for (client, consent) in [(&a, a_consent), (&b, b_consent)] {
        let offered = client.get(&format!("{CLIENT_CONSENTS}?consentCodes=NEWSLETTER")).json();
        let ids: Vec<i64> = offered.as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
        assert_eq!(ids, [consent]);
    }
    // The v1 view resolves the code to the caller's consent, for the caller's customers.
    let (a_customer, b_customer) = (customer(&a, 1), customer(&b, 2));
    for (client, n, consent) in [(&a, a_customer, a_consent), (&b, b_customer, b_consent)] {
        let written = client.send(
            "PUT",
            &format!("/customers/v2/consents/v1/{n}/NEWSLETTER"),
            Some(&json!({"consentChoice": true})),
        );
        assert_eq!(written.status, 201, "{}", written.body);
        let given = client.get(&format!("{GIVEN}?customerNumber={n}")).json();
        assert_eq!(given[0]["consentId"].as_i64(), Some(consent));
        let history = client.get(&format!("{GIVEN}/history?customerNumber={n}")).json();
        assert_eq!(history[0]["consentCode"], "NEWSLETTER");
    }
    assert_eq!(a.get(&format!("/customers/v2/consents/v1/{b_customer}/NEWSLETTER")).status, 404);
}

// ------------------------------------------------------------------ consents and their states

#[test]
fn a_consent_is_a_draft_until_valid_from_then_active_then_inactive_after_valid_to() {
    if test_host_only("moves the components' clock") {
        return;
    }
    let app = spawn_app();
    let a = app.client(ORG_A);
    create_base(&a, "SMS_OFFERS");
    let id = create_consent(&a, "SMS_OFFERS", Some(&datetime_in_secs(60)), None);
    let path = format!("{CONSENTS}/{id}");
    let draft = a.get(&path);
    assert_eq!((draft.json()["state"].as_str(), draft.header("etag")), (Some("DRAFT"), Some("\"1\"")));

    // A draft takes a full replacement (with If-Match), and no given consents.
    let replacement =
        json!({"consentCode": "SMS_OFFERS", "isSmsSupported": true, "validFrom": datetime_in_secs(60)});
    assert_eq!(send_with(&a, "PUT", &path, &[("if-match", "\"9\"")], Some(&replacement)).status, 412);
    let replaced = send_with(&a, "PUT", &path, &[("if-match", "\"1\"")], Some(&replacement));
    assert_eq!(replaced.status, 200, "{}", replaced.body);
    assert_eq!(replaced.json()["isSmsSupported"], true);
    let n = customer(&a, 1);
    let early = a.post(GIVEN, &choice(n, id, true));
    assert_eq!((early.status, early.error_code().as_str()), (409, "CONSENT_NOT_ACTIVE"));

    // At validFrom it becomes active by itself: no PUT any more, only channels and validTo.
    app.advance_clock_secs(120);
    assert_eq!(a.get(&path).json()["state"], "ACTIVE");
    assert_eq!(a.post(GIVEN, &choice(n, id, true)).status, 201);
    let put = a.send("PUT", &path, Some(&replacement));
    assert_eq!((put.status, put.error_code().as_str()), (409, "CONSENT_NOT_DRAFT"));
    let moved = a.send("PATCH", &path, Some(&json!({"validFrom": datetime_in_secs(0)})));
    assert_eq!((moved.status, moved.error_code().as_str()), (409, "CONSENT_NOT_DRAFT"));
    let past_end = a.send("PATCH", &path, Some(&json!({"validTo": datetime_in_secs(90)})));
    assert_eq!((past_end.status, past_end.error_code().as_str()), (400, "VALID_TO_IN_THE_PAST"));
    let ending =
        a.send("PATCH", &path, Some(&json!({"validTo": datetime_in_secs(180), "isEmailSupported": false})));
    assert_eq!(ending.status, 200, "{}", ending.body);
    assert_eq!((ending.json()["state"].as_str(), ending.header("etag")), (Some("ACTIVE"), Some("\"3\"")));

    // After validTo it is inactive: nothing changes any more, choices can only be withdrawn.
    app.advance_clock_secs(120);
    assert_eq!(a.get(&path).json()["state"], "INACTIVE");
    let reopen = a.send("PATCH", &path, Some(&json!({"validTo": null})));
    assert_eq!((reopen.status, reopen.error_code().as_str()), (409, "CONSENT_INACTIVE"));
    assert_eq!(a.post(GIVEN, &choice(n, id, true)).error_code(), "CONSENT_NOT_ACTIVE");
    let withdrawn = a.post(GIVEN, &choice(n, id, false));
    assert_eq!(withdrawn.status, 200, "withdrawing stays possible: {}", withdrawn.body);
}

#[test]
fn consents_of_one_code_never_overlap_in_time() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    create_base(&a, "ENT_INFO");
    let first = create_consent(&a, "ENT_INFO", Some("2020-01-01"), Some(&date_in_days(10)));
    let overlapping = a.post(CONSENTS, &json!({"consentCode": "ENT_INFO", "validFrom": date_in_days(5)}));
    assert_eq!(overlapping.status, 409);
    assert_eq!(overlapping.error_code(), "OVERLAPPING_CONSENT");
    create_consent(&a, "ENT_INFO", Some(&date_in_days(10)), None);
    let extended =
        a.send("PATCH", &format!("{CONSENTS}/{first}"), Some(&json!({"validTo": date_in_days(11)})));
    assert_eq!((extended.status, extended.error_code().as_str()), (409, "OVERLAPPING_CONSENT"));
    // A draft without validFrom occupies no time, until it gets one.
    let draft = create_consent(&a, "ENT_INFO", None, None);
    let scheduled =
        a.send("PATCH", &format!("{CONSENTS}/{draft}"), Some(&json!({"validFrom": date_in_days(20)})));
    assert_eq!(scheduled.error_code(), "OVERLAPPING_CONSENT");
}

#[test]
fn of_concurrent_overlapping_consents_exactly_one_is_created() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    create_base(&a, "RACE");
    let body = json!({"consentCode": "RACE", "validFrom": date_in_days(1)});
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..6).map(|_| s.spawn(|| a.post(CONSENTS, &body).status)).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 409).count(), 5, "{statuses:?}");
}

#[test]
fn clients_list_active_consents_by_code_and_version() {
    if test_host_only("moves the components' clock") {
        return;
    }
    let app = spawn_app();
    let a = app.client(ORG_A);
    create_base(&a, "EMAIL");
    let old = create_consent(&a, "EMAIL", Some("2020-01-01"), Some(&datetime_in_secs(60)));
    a.send("PUT", &format!("{BASES}/EMAIL"), Some(&base_body("EMAIL", "new terms")));
    let current = create_consent(&a, "EMAIL", Some(&datetime_in_secs(60)), None);
    let sms = active_consent(&a, "SMS");
    create_consent(&a, "SMS", None, None); // a draft
    let ids = |query: &str| -> Vec<i64> {
        let response = a.get(&format!("{CLIENT_CONSENTS}{query}"));
        assert_eq!(response.status, 200, "{query}: {}", response.body);
        response.json().as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect()
    };
    assert_eq!(ids(""), [old, sms], "active ones only, never drafts");
    assert_eq!(ids("?versions=CURRENT"), [sms]);
    assert_eq!(ids("?consentCodes=EMAIL&versions=1"), [old]);
    app.advance_clock_secs(120);
    assert_eq!(ids(""), [current, sms]);
    assert_eq!(ids("?includeInactive=true&consentCodes=EMAIL"), [old, current]);
    assert_eq!(
        a.get(&format!("{CONSENTS}?consentCodes=SMS")).json().as_array().unwrap().len(),
        2,
        "admin sees drafts"
    );
    assert_eq!(a.get(&format!("{CLIENT_CONSENTS}?versions=NEWEST")).error_code(), "INVALID_VERSIONS");
}

// ------------------------------------------------------------------ given consents

#[test]
fn a_given_consent_is_created_replaced_read_and_deleted_and_every_change_is_in_the_history() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let consent = active_consent(&a, "NEWSLETTER");
    let n = customer(&a, 1);
    let mut body = choice(n, consent, true);
    body["expirationDate"] = json!(date_in_days(365));
    let created = a.post(GIVEN, &body);
    assert_eq!(created.status, 201, "{}", created.body);
    let given = created.json();
    let id = given["id"].as_i64().unwrap();
    let path = format!("{GIVEN}/{id}");
    assert_eq!(created.header("location"), Some(path.as_str()));
    assert_eq!((given["customerNumber"].as_i64(), given["consentId"].as_i64()), (Some(n), Some(consent)));
    assert_eq!(
        (given["createdByOrgId"].as_i64(), given["distributionChannel"].as_str()),
        (Some(1001), Some("WEB"))
    );
    assert!(given["expirationDate"].as_str().unwrap().starts_with(&date_in_days(366)));

    let mut withdrawal = choice(n, consent, false);
    withdrawal["distributionChannel"] = json!("APP");
    let replaced = a.post(GIVEN, &withdrawal);
    assert_eq!(replaced.status, 200, "a second POST replaces: {}", replaced.body);
    assert_eq!(
        (replaced.json()["id"].as_i64(), replaced.json()["consentChoice"].as_bool()),
        (Some(id), Some(false))
    );
    let read = a.get(&path);
    assert_eq!((read.json(), read.header("etag")), (replaced.json(), Some("\"2\"")));
    assert_eq!(a.get(&format!("{GIVEN}?customerNumber={n}")).json(), json!([replaced.json()]));

    assert_eq!(send_with(&a, "DELETE", &path, &[("if-match", "\"1\"")], None).status, 412);
    assert_eq!(send_with(&a, "DELETE", &path, &[("if-match", "\"2\"")], None).status, 204);
    assert_eq!(a.get(&path).status, 404);
    assert_eq!(a.get(&format!("{GIVEN}?customerNumber={n}")).json(), json!([]));

    let history = a.get(&format!("{GIVEN}/history?customerNumber={n}"));
    assert_eq!(history.status, 200, "{}", history.body);
    let entries = history.json();
    let summary: Vec<(&str, Value, &str)> = entries
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap(),
                e["consentChoice"].clone(),
                e["distributionChannel"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [("GIVEN", json!(true), "WEB"), ("CHANGED", json!(false), "APP"), ("DELETED", Value::Null, "")]
    );
    let proof = &entries[0];
    assert_eq!(
        (proof["changedByClientId"].as_str(), proof["changedByOrgId"].as_i64()),
        (Some("partner-a"), Some(1001))
    );
    assert_eq!(
        (proof["consentCode"].as_str(), proof["consentBaseVersion"].as_i64()),
        (Some("NEWSLETTER"), Some(1))
    );
    assert_eq!((proof["givenConsentId"].as_i64(), proof["api"].as_str()), (Some(id), Some("v2")));
    assert_eq!(proof["at"], given["createdAt"]);
}

#[test]
fn the_history_can_be_read_but_not_changed() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let consent = active_consent(&a, "C");
    let n = customer(&a, 1);
    a.post(GIVEN, &choice(n, consent, true));
    let path = format!("{GIVEN}/history?customerNumber={n}");
    // The path names the history (not the given consent `{id}` = "history"): only GET.
    for method in ["POST", "PUT", "PATCH", "DELETE"] {
        let response = a.send(method, &path, Some(&json!([])));
        assert_eq!(response.status, 405, "{method} on the history");
        assert_eq!(response.header("allow"), Some("GET"));
    }
    assert_eq!(a.get(&path).json().as_array().unwrap().len(), 1);
    assert_eq!(a.get(&format!("{GIVEN}/history")).error_code(), "REQUIRED");
    assert_eq!(a.get(&format!("{GIVEN}/history?customerNumber=x")).error_code(), "INVALID_CUSTOMER_NUMBER");
    assert_eq!(a.get(&format!("{GIVEN}/history?customerNumber=999999")).status, 404);
}

#[test]
fn temporary_profiles_give_consents_too() {
    if test_host_only("moves the components' clock") {
        return;
    }
    let app = spawn_app();
    let a = app.client(ORG_A);
    let consent = active_consent(&a, "C");
    let temporary = a.post(
        "/customers/v2/profiles/temporary",
        &json!({"expirationDate": datetime_in_secs(300), "createdBy": "billettautomat", "createdByChannel": "TVM"}),
    );
    assert_eq!(temporary.status, 201, "{}", temporary.body);
    let n = temporary.json()["customerNumber"].as_i64().unwrap();
    assert_eq!(a.post(GIVEN, &choice(n, consent, true)).status, 201);
    assert_eq!(a.get(&format!("{GIVEN}/history?customerNumber={n}")).json().as_array().unwrap().len(), 1);
    app.advance_clock_secs(600);
    let late = a.post(GIVEN, &choice(n, consent, false));
    assert_eq!(late.status, 404, "an expired profile is gone: {}", late.body);
}

#[test]
fn given_consent_fields_are_checked_and_references_must_exist() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let consent = active_consent(&a, "C");
    let n = customer(&a, 1);
    let response = a.post(GIVEN, &json!({"customerNumber": 0, "expirationDate": date_in_days(-1)}));
    assert_eq!(
        fields(&response),
        [
            ("consentId".to_owned(), "REQUIRED".to_owned()),
            ("consentChoice".to_owned(), "REQUIRED".to_owned()),
            ("customerNumber".to_owned(), "INVALID_CUSTOMER_NUMBER".to_owned()),
            ("distributionChannel".to_owned(), "REQUIRED".to_owned()),
            ("expirationDate".to_owned(), "EXPIRATION_DATE_IN_THE_PAST".to_owned()),
        ]
    );
    assert_eq!(a.post(GIVEN, &choice(999_999, consent, true)).status, 404, "no such customer");
    assert_eq!(a.post(GIVEN, &choice(n, 999_999, true)).status, 404, "no such consent");
    let unknown = a.post(
        GIVEN,
        &json!({"customerNumber": n, "consentId": consent, "consentChoice": true,
                                        "distributionChannel": "WEB", "organisationId": 1001}),
    );
    assert_eq!(unknown.error_code(), "UNKNOWN_FIELD");
    assert_eq!(a.get(&format!("{GIVEN}/abc")).status, 404);
    assert_eq!(a.get(&format!("{CONSENTS}/-1")).status, 404);
}

#[test]
fn a_bulk_update_is_all_or_nothing() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let consent = active_consent(&a, "C");
    let other = active_consent(&a, "D");
    let (kari, ola) = (customer(&a, 1), customer(&a, 2));
    let bulk = format!("{GIVEN}/bulk");

    let one_bad =
        json!([choice(kari, consent, true), choice(ola, consent, true), choice(999_999, other, true)]);
    let refused = a.send("PUT", &bulk, Some(&one_bad));
    assert_eq!(refused.status, 404, "{}", refused.body);
    for n in [kari, ola] {
        assert_eq!(a.get(&format!("{GIVEN}?customerNumber={n}")).json(), json!([]), "rolled back");
        assert_eq!(
            a.get(&format!("{GIVEN}/history?customerNumber={n}")).json(),
            json!([]),
            "no history either"
        );
    }
    let invalid = a.send("PUT", &bulk, Some(&json!([choice(kari, consent, true), {"customerNumber": ola}])));
    assert_eq!(invalid.status, 400);
    assert_eq!(fields(&invalid)[0], ("[1].consentId".to_owned(), "REQUIRED".to_owned()));

    let all = json!([choice(kari, consent, true), choice(kari, other, false), choice(ola, other, true)]);
    let done = a.send("PUT", &bulk, Some(&all));
    assert_eq!(done.status, 200, "{}", done.body);
    let results = done.json();
    assert_eq!(results.as_array().unwrap().len(), 3);
    assert_eq!(
        (results[1]["customerNumber"].as_i64(), results[1]["consentChoice"].as_bool()),
        (Some(kari), Some(false))
    );
    assert_eq!(a.get(&format!("{GIVEN}?customerNumber={kari}")).json().as_array().unwrap().len(), 2);
    assert_eq!(a.get(&format!("{GIVEN}/history?customerNumber={ola}")).json().as_array().unwrap().len(), 1);
}

// ------------------------------------------------------------------ tenancy and permissions

#[test]
fn another_organisations_customer_consent_and_given_consent_answer_exactly_like_missing_ones() {
    let app = spawn_app();
    let (a, b) = (app.client(ORG_A), app.client(ORG_B));
    let consent = active_consent(&a, "A_ONLY");
    let n = customer(&a, 1);
    let given = a.post(GIVEN, &choice(n, consent, true)).json()["id"].as_i64().unwrap();
    let theirs = active_consent(&b, "B_ONLY");
    let b_customer = customer(&b, 2);
    let before = a.get(&format!("{GIVEN}/history?customerNumber={n}")).body;

    // Each case is rendered twice: with organisation A's ids and code, and with ids and a code
    // that exist nowhere. B's own consent and customer stay as they are.
    let render = |template: &str, n: i64, consent: i64, given: i64, code: &str| {
        template
            .replace("{n}", &n.to_string())
            .replace("{consent}", &consent.to_string())
            .replace("{given}", &given.to_string())
            .replace("{code}", code)
            .replace("{theirs}", &theirs.to_string())
            .replace("{bcustomer}", &b_customer.to_string())
    };
    let cases: &[(&str, &str, &str)] = &[
        ("GET", "/admin/consent-bases/{code}", ""),
        ("PUT", "/admin/consent-bases/{code}", r#"{"terms":[{"language":"EN","text":"taken over"}]}"#),
        ("GET", "/admin/consent-bases/{code}/versions/1", ""),
        ("GET", "/admin/consents/{consent}", ""),
        ("PUT", "/admin/consents/{consent}", r#"{"consentCode":"B_ONLY"}"#),
        ("PATCH", "/admin/consents/{consent}", r#"{"isSmsSupported":true}"#),
        ("POST", "/admin/consents", r#"{"consentCode":"{code}"}"#),
        ("GET", "/client/given-consents/{given}", ""),
        ("DELETE", "/client/given-consents/{given}", ""),
        ("GET", "/client/given-consents?customerNumber={n}", ""),
        ("GET", "/client/given-consents/history?customerNumber={n}", ""),
        (
            "POST",
            "/client/given-consents",
            r#"{"customerNumber":{n},"consentId":{theirs},"consentChoice":true,"distributionChannel":"WEB"}"#,
        ),
        (
            "POST",
            "/client/given-consents",
            r#"{"customerNumber":{bcustomer},"consentId":{consent},"consentChoice":true,"distributionChannel":"WEB"}"#,
        ),
        (
            "PUT",
            "/client/given-consents/bulk",
            r#"[{"customerNumber":{n},"consentId":{theirs},"consentChoice":true,"distributionChannel":"WEB"}]"#,
        ),
        ("GET", "/v1/{n}", ""),
        ("GET", "/v1/{n}/{code}", ""),
        ("PUT", "/v1/{n}/B_ONLY", r#"{"consentChoice":true}"#),
        ("DELETE", "/v1/{n}/{code}", ""),
    ];
    for (method, template, body) in cases {
        let send = |n, consent, given, code| {
            let path = format!("/customers/v2/consents{}", render(template, n, consent, given, code));
            let body: Option<Value> = (!body.is_empty())
                .then(|| serde_json::from_str(&render(body, n, consent, given, code)).unwrap());
            b.send(method, &path, body.as_ref())
        };
        let foreign = send(n, consent, given, "A_ONLY");
        let missing = send(999_999, 999_998, 999_997, "NO_SUCH");
        assert_eq!(
            foreign.status, 404,
            "{method} {template} reached another organisation's data: {}",
            foreign.body
        );
        assert_eq!(
            foreign.problem_shape(),
            missing.problem_shape(),
            "{method} {template} differs from a missing one"
        );
    }
    let old_path = b.send("DELETE", &format!("/customers/v1/consents/{n}/A_ONLY"), None);
    assert_eq!(old_path.status, 404);
    assert!(b.get(BASES).json().as_array().unwrap().iter().all(|base| base["consentCode"] != "A_ONLY"));
    assert!(b.get(CLIENT_CONSENTS).json().as_array().unwrap().iter().all(|c| c["id"] != consent));
    assert_eq!(
        a.get(&format!("{GIVEN}/history?customerNumber={n}")).body,
        before,
        "a foreign write went through"
    );
    assert_eq!(a.get(&format!("{GIVEN}/{given}")).status, 200);
}

#[test]
fn every_operation_needs_its_consent_permission() {
    let app = spawn_app_trusting_partner();
    let a = app.client(ORG_A);
    let consent = active_consent(&a, "C");
    let (n, m) = (customer(&a, 1), customer(&a, 2));
    let given = a.post(GIVEN, &choice(m, consent, true)).json()["id"].as_i64().unwrap();
    let (new_base, changed_base) = (base_body("X", "x"), base_body("C", "y"));
    let (draft, no_change) = (json!({"consentCode": "C"}), json!({}));
    let (chosen, bulk, v1_choice) =
        (choice(n, consent, true), json!([choice(n, consent, false)]), json!({"consentChoice": true}));
    let rows: &[Needs<'_>] = &[
        ("POST", BASES.to_owned(), Some(&new_base), "consents:admin", 201),
        ("GET", BASES.to_owned(), None, "consents:admin", 200),
        ("GET", format!("{BASES}/C"), None, "consents:admin", 200),
        ("PUT", format!("{BASES}/C"), Some(&changed_base), "consents:admin", 200),
        ("POST", CONSENTS.to_owned(), Some(&draft), "consents:admin", 201),
        ("GET", CONSENTS.to_owned(), None, "consents:admin", 200),
        ("GET", format!("{CONSENTS}/{consent}"), None, "consents:admin", 200),
        ("PATCH", format!("{CONSENTS}/{consent}"), Some(&no_change), "consents:admin", 200),
        ("GET", CLIENT_CONSENTS.to_owned(), None, "consents:les", 200),
        ("GET", format!("{GIVEN}?customerNumber={m}"), None, "consents:les", 200),
        ("GET", format!("{GIVEN}/history?customerNumber={m}"), None, "consents:les", 200),
        ("GET", format!("{GIVEN}/{given}"), None, "consents:les", 200),
        ("GET", CRM.to_owned(), None, "consents:les", 200),
        ("POST", GIVEN.to_owned(), Some(&chosen), "consents:endre", 201),
        ("PUT", format!("{GIVEN}/bulk"), Some(&bulk), "consents:endre", 200),
        ("DELETE", format!("{GIVEN}/{given}"), None, "consents:endre", 204),
        ("GET", format!("/customers/v2/consents/v1/{n}"), None, "consents:les", 200),
        ("PUT", format!("/customers/v1/consents/{n}/C"), Some(&v1_choice), "consents:endre", 200),
        ("DELETE", format!("/customers/v2/consents/v1/{n}/C"), None, "consents:endre", 204),
    ];
    assert_each_needs_its_permission(&app, 1001, rows);
}

// ------------------------------------------------------------------ idempotency

#[test]
fn creating_posts_replay_their_first_answer_for_the_same_idempotency_key() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let base = base_body("IDEM", "x");
    let first = send_with(&a, "POST", BASES, &[("idempotency-key", "base-1")], Some(&base));
    let again = send_with(&a, "POST", BASES, &[("idempotency-key", "base-1")], Some(&base));
    assert_eq!((first.status, again.status), (201, 201), "{}", again.body);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(
        (again.body.as_str(), again.header("location")),
        (first.body.as_str(), first.header("location"))
    );

    let offer = json!({"consentCode": "IDEM", "validFrom": "2020-01-01"});
    let consent = send_with(&a, "POST", CONSENTS, &[("idempotency-key", "consent-1")], Some(&offer));
    let replay = send_with(&a, "POST", CONSENTS, &[("idempotency-key", "consent-1")], Some(&offer));
    assert_eq!(
        (replay.status, replay.header("idempotent-replayed")),
        (201, Some("true")),
        "no OVERLAPPING_CONSENT"
    );
    assert_eq!(replay.body, consent.body);

    let n = customer(&a, 1);
    let body = choice(n, consent.json()["id"].as_i64().unwrap(), true);
    let given = send_with(&a, "POST", GIVEN, &[("idempotency-key", "given-1")], Some(&body));
    let replayed = send_with(&a, "POST", GIVEN, &[("idempotency-key", "given-1")], Some(&body));
    assert_eq!((given.status, replayed.status), (201, 201));
    assert_eq!(replayed.body, given.body);
    let history = a.get(&format!("{GIVEN}/history?customerNumber={n}")).json();
    assert_eq!(history.as_array().unwrap().len(), 1, "a replay records nothing");
    let reused = send_with(&a, "POST", GIVEN, &[("idempotency-key", "given-1")], Some(&choice(n, 1, false)));
    assert_eq!((reused.status, reused.error_code().as_str()), (422, "IDEMPOTENCY_KEY_REUSED"));
}

// ------------------------------------------------------------------ CRM listing

#[test]
fn the_crm_listing_pages_with_a_cursor_and_shows_contact_data_only_when_asked() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let consent = active_consent(&a, "CRM_INFO");
    let other = active_consent(&a, "OTHER");
    let mut expected = Vec::new();
    for i in 0..5 {
        let n = customer(&a, i);
        expected.push(a.post(GIVEN, &choice(n, consent, i % 2 == 0)).json()["id"].as_i64().unwrap());
    }
    a.post(GIVEN, &choice(customer(&a, 9), other, true));

    let mut seen = Vec::new();
    let mut next = Some(format!("{CRM}?consentIds={consent}&limit=2"));
    while let Some(path) = next.take() {
        let page = a.get(&path);
        assert_eq!(page.status, 200, "{path}: {}", page.body);
        let rows = page.json();
        for row in rows.as_array().unwrap() {
            assert!(row.get("email").is_none() && row.get("telephoneNumber").is_none(), "not asked for");
            assert_eq!(row["customerRef"], row["customerNumber"].as_i64().unwrap().to_string());
            assert_eq!(
                (row["consentCode"].as_str(), row["consentOrganisationId"].as_i64()),
                (Some("CRM_INFO"), Some(1001))
            );
            seen.push(row["givenConsentId"].as_i64().unwrap());
        }
        next = page.header("link").map(|link| {
            assert!(link.ends_with(">; rel=\"next\""), "{link}");
            assert!(link.contains(&format!("consentIds={consent}")) && link.contains("limit=2"), "{link}");
            link.trim_start_matches('<').split('>').next().unwrap().to_owned()
        });
    }
    assert_eq!(seen, expected, "every page in order, none twice, the other consent left out");

    let with_contact = a.get(&format!("{CRM}?includeEmail=true&includeTelephoneNumber=true&limit=1"));
    assert_eq!(with_contact.json()[0]["email"], "kunde0@example.no");
    assert!(with_contact.header("link").is_some());
    assert_eq!(a.get(&format!("{CRM}?limit=1000")).json().as_array().unwrap().len(), 6);
    for bad in ["limit=1001", "limit=0", "cursor=bogus", "includeEmail=yes", "consentIds=x"] {
        assert_eq!(a.get(&format!("{CRM}?{bad}")).status, 400, "{bad}");
    }
    assert_eq!(app.client(ORG_B).get(CRM).json(), json!([]));
}

// ------------------------------------------------------------------ profile hooks (§3)

#[test]
fn connecting_profiles_moves_the_given_consents_and_their_history_to_the_surviving_one() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let (both, only_merged) = (active_consent(&a, "BOTH"), active_consent(&a, "ONLY_MERGED"));
    let (target, merged) = (customer(&a, 1), customer(&a, 2));
    a.post(GIVEN, &choice(target, both, false));
    a.post(GIVEN, &choice(merged, both, true)); // the newer choice: it wins
    let moved = a.post(GIVEN, &choice(merged, only_merged, true)).json()["id"].as_i64().unwrap();
    let connect =
        json!({"customerNumberToConnect": merged, "changedBy": "kundesenter", "changedByChannel": "WEB"});
    let connected = a.post(&format!("/customers/v2/profiles/{target}/connect"), &connect);
    assert_eq!(connected.status, 200, "{}", connected.body);

    let given = a.get(&format!("{GIVEN}?customerNumber={target}")).json();
    let choices: Vec<(i64, bool)> = given
        .as_array()
        .unwrap()
        .iter()
        .map(|g| (g["consentId"].as_i64().unwrap(), g["consentChoice"].as_bool().unwrap()))
        .collect();
    assert_eq!(choices, [(both, true), (only_merged, true)]);
    assert_eq!(a.get(&format!("{GIVEN}/{moved}")).json()["customerNumber"], target);
    let history = a.get(&format!("{GIVEN}/history?customerNumber={target}")).json();
    assert_eq!(history.as_array().unwrap().len(), 3, "both profiles' proof, now the survivor's");
    // The merged number now leads to the survivor, as GET /profiles does.
    assert_eq!(a.get(&format!("{GIVEN}?customerNumber={merged}")).json(), given);
    let late = a.post(GIVEN, &choice(merged, only_merged, false));
    assert_eq!((late.status, late.json()["customerNumber"].as_i64()), (200, Some(target)));
}

#[test]
fn the_profile_export_holds_the_given_consents_and_their_history() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let consent = active_consent(&a, "EXPORTED");
    let n = customer(&a, 1);
    a.post(GIVEN, &choice(n, consent, true));
    a.post(GIVEN, &choice(n, consent, false));
    let export = a.get(&format!("/customers/v2/profiles/{n}/export"));
    assert_eq!(export.status, 200, "{}", export.body);
    let consents = &export.json()["consents"];
    assert_eq!(consents["givenConsents"], a.get(&format!("{GIVEN}?customerNumber={n}")).json());
    assert_eq!(consents["history"], a.get(&format!("{GIVEN}/history?customerNumber={n}")).json());
}

#[test]
fn only_the_customers_erasure_removes_their_consent_history() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let consent = active_consent(&a, "ERASED");
    let (kari, ola) = (customer(&a, 1), customer(&a, 2));
    for n in [kari, ola] {
        let id = a.post(GIVEN, &choice(n, consent, true)).json()["id"].as_i64().unwrap();
        assert_eq!(a.send("DELETE", &format!("{GIVEN}/{id}"), None).status, 204);
    }
    let rows = |n: i64| {
        query_int(&app.db(), "SELECT count(*) FROM given_consent_history WHERE customer_number = ?1", &[n])
    };
    assert_eq!((rows(kari), rows(ola)), (2, 2), "deleting a given consent keeps its history");
    assert_eq!(a.send("DELETE", &format!("/customers/v2/profiles/{kari}"), None).status, 204);
    assert_eq!((rows(kari), rows(ola)), (0, 2), "erasure takes the history along, and only that customer's");
    assert_eq!(a.get(&format!("{GIVEN}/history?customerNumber={kari}")).status, 404);
}
