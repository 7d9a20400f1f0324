//! Contract §6 and §8: the legacy v1 consent model at `/customers/v2/consents/v1` and its old
//! home `/customers/v1/consents`, a view over the same given consents as v2.

use crate::consents::*;
use crate::helpers::*;
use serde_json::json;

const V1: &str = "/customers/v2/consents/v1";
const OLD_V1: &str = "/customers/v1/consents";

fn assert_deprecated(response: &TestResponse, n: i64) {
    let deprecation = response.header("deprecation").expect("Deprecation header");
    assert!(
        deprecation.starts_with('@') && deprecation[1..].parse::<i64>().is_ok(),
        "RFC 9745 form: {deprecation}"
    );
    let sunset = response.header("sunset").expect("Sunset header");
    assert!(sunset.ends_with(" GMT") && sunset.contains(", "), "an HTTP-date: {sunset}");
    assert_eq!(
        response.header("link"),
        Some(format!("</customers/v2/consents/client/given-consents?customerNumber={n}>; rel=\"successor-version\"").as_str())
    );
}

#[test]
fn a_choice_written_through_v1_is_read_through_v2_and_the_other_way_round() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let newsletter = active_consent(&a, "NEWSLETTER");
    let sms = active_consent(&a, "SMS");
    let n = customer(&a, 1);

    // v1 writes, v2 reads.
    let written = a.send("PUT", &format!("{V1}/{n}/NEWSLETTER"), Some(&json!({"consentChoice": true})));
    assert_eq!(written.status, 201, "{}", written.body);
    assert_deprecated(&written, n);
    let v1_view = written.json();
    assert_eq!(
        (v1_view["customerId"].as_i64(), v1_view["consentCode"].as_str()),
        (Some(n), Some("NEWSLETTER"))
    );
    assert_eq!(v1_view["consentChoice"], true);
    let v2 = a.get(&format!("{GIVEN}?customerNumber={n}")).json();
    assert_eq!(v2.as_array().unwrap().len(), 1);
    assert_eq!(
        (v2[0]["consentId"].as_i64(), v2[0]["consentChoice"].as_bool()),
        (Some(newsletter), Some(true))
    );
    assert_eq!(v2[0]["createdAt"], v1_view["createdAt"]);

    // v2 writes, v1 reads, at both of its paths.
    let given = a.post(GIVEN, &choice(n, sms, false));
    assert_eq!(given.status, 201);
    for base in [V1, OLD_V1] {
        let listed = a.get(&format!("{base}/{n}"));
        assert_eq!(listed.status, 200, "{base}: {}", listed.body);
        assert_deprecated(&listed, n);
        let lines: Vec<(String, bool)> = listed
            .json()
            .as_array()
            .unwrap()
            .iter()
            .map(|l| (l["consentCode"].as_str().unwrap().to_owned(), l["consentChoice"].as_bool().unwrap()))
            .collect();
        assert_eq!(lines, [("NEWSLETTER".to_owned(), true), ("SMS".to_owned(), false)]);
        let one = a.get(&format!("{base}/{n}/SMS"));
        assert_eq!((one.json()["consentChoice"].as_bool(), one.header("etag")), (Some(false), Some("\"1\"")));
    }

    // Replacing through v1 changes the v2 given consent; the history says which API.
    let stale = send_with(
        &a,
        "PUT",
        &format!("{OLD_V1}/{n}/SMS"),
        &[("if-match", "\"5\"")],
        Some(&json!({"consentChoice": true})),
    );
    assert_eq!(stale.status, 412);
    let replaced = a.send("PUT", &format!("{OLD_V1}/{n}/SMS"), Some(&json!({"consentChoice": true})));
    assert_eq!(replaced.status, 200, "{}", replaced.body);
    let id = given.json()["id"].as_i64().unwrap();
    assert_eq!(a.get(&format!("{GIVEN}/{id}")).json()["consentChoice"], true);
    let history = a.get(&format!("{GIVEN}/history?customerNumber={n}")).json();
    let apis: Vec<&str> = history.as_array().unwrap().iter().map(|h| h["api"].as_str().unwrap()).collect();
    assert_eq!(apis, ["v1", "v2", "v1"]);

    // Deleting through v1 deletes the v2 given consent.
    let deleted = a.send("DELETE", &format!("{V1}/{n}/NEWSLETTER"), None);
    assert_eq!(deleted.status, 204);
    assert_deprecated(&deleted, n);
    let remaining = a.get(&format!("{GIVEN}?customerNumber={n}")).json();
    assert_eq!(remaining.as_array().unwrap().len(), 1);
    assert_eq!(remaining[0]["consentId"], sms);
    assert_eq!(a.get(&format!("{V1}/{n}/NEWSLETTER")).status, 404);
}

#[test]
fn v1_reads_and_writes_the_organisations_active_consent_of_the_code() {
    if test_host_only("moves the components' clock") {
        return;
    }
    let app = spawn_app();
    let a = app.client(ORG_A);
    create_base(&a, "ENT_INFO");
    let old = create_consent(&a, "ENT_INFO", Some("2020-01-01"), Some(&datetime_in_secs(60)));
    let draft_only = create_base(&a, "LATER");
    create_consent(&a, draft_only["consentCode"].as_str().unwrap(), Some(&date_in_days(30)), None);
    let n = customer(&a, 1);

    assert_eq!(
        a.send("PUT", &format!("{V1}/{n}/ENT_INFO"), Some(&json!({"consentChoice": true}))).status,
        201
    );
    assert_eq!(a.get(&format!("{GIVEN}?customerNumber={n}")).json()[0]["consentId"], old);
    let no_active = a.send("PUT", &format!("{V1}/{n}/LATER"), Some(&json!({"consentChoice": true})));
    assert_eq!(no_active.status, 404, "only an active consent can be written through v1");
    assert_eq!(a.send("PUT", &format!("{V1}/{n}/NOPE"), Some(&json!({"consentChoice": true}))).status, 404);

    // When the next consent of the code takes over, v1 shows the choice for the new one.
    let next = create_consent(&a, "ENT_INFO", Some(&datetime_in_secs(60)), None);
    app.advance_clock_secs(120);
    assert_eq!(a.get(&format!("{V1}/{n}")).json(), json!([]), "the old choice belongs to the old consent");
    assert_eq!(
        a.send("PUT", &format!("{V1}/{n}/ENT_INFO"), Some(&json!({"consentChoice": false}))).status,
        201
    );
    let listed = a.get(&format!("{GIVEN}?customerNumber={n}")).json();
    let consents: Vec<i64> =
        listed.as_array().unwrap().iter().map(|g| g["consentId"].as_i64().unwrap()).collect();
    assert_eq!(consents, [old, next], "v2 keeps both choices");
}

#[test]
fn v1_bodies_and_paths_are_checked() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    active_consent(&a, "C");
    let n = customer(&a, 1);
    let missing = a.send("PUT", &format!("{V1}/{n}/C"), Some(&json!({})));
    assert_eq!((missing.status, missing.error_code().as_str()), (400, "REQUIRED"));
    let unknown =
        a.send("PUT", &format!("{V1}/{n}/C"), Some(&json!({"consentChoice": true, "channel": "WEB"})));
    assert_eq!(unknown.error_code(), "UNKNOWN_FIELD");
    assert_eq!(a.get(&format!("{V1}/abc")).status, 404);
    assert_eq!(a.get(&format!("{V1}/999999")).status, 404);
    assert_eq!(a.send("DELETE", &format!("{V1}/{n}/C"), None).status, 404, "no choice to delete");
    let if_match_on_nothing = send_with(
        &a,
        "PUT",
        &format!("{V1}/{n}/C"),
        &[("if-match", "\"1\"")],
        Some(&json!({"consentChoice": true})),
    );
    assert_eq!(if_match_on_nothing.status, 412);
}
