//! Contract §8: `/customers/v1/profiles/**` serves the v2 behaviour for what v1 had (create,
//! get, search, by customer ref, replace, merge patch, erase), and every answer on it, errors
//! included, carries `Deprecation` (RFC 9745), `Sunset` and a `successor-version` link; one
//! deprecation date for the whole API, the legacy consent paths included.

use crate::helpers::*;
use serde_json::json;

const V1: &str = "/customers/v1/profiles";
const V2: &str = "/customers/v2/profiles";

/// The deprecation headers, with the successor the link must name.
fn assert_deprecated(response: &TestResponse, successor: &str) {
    let deprecation = response.header("deprecation").expect("Deprecation header");
    let unix: i64 =
        deprecation.strip_prefix('@').and_then(|t| t.parse().ok()).expect("RFC 9745: @<unix time>");
    let sunset = response.header("sunset").expect("Sunset header");
    assert!(sunset.ends_with(" GMT") && sunset.contains(", "), "an HTTP-date: {sunset}");
    assert!(unix > 1_700_000_000, "{deprecation}");
    let link = response.header("link").expect("Link header");
    assert!(link.ends_with(&format!("<{successor}>; rel=\"successor-version\"")), "{link}");
}

#[test]
fn v1_profile_paths_serve_the_v2_operations_with_deprecation_headers() {
    let app = spawn_app();
    let a = app.client(ORG_A);

    let created = a.post(V1, &kari_nordmann());
    assert_eq!(created.status, 201, "{}", created.body);
    assert_deprecated(&created, V2);
    let n = created.json()["customerNumber"].as_i64().unwrap();
    assert_eq!(created.header("location"), Some(format!("{V2}/{n}").as_str()), "the resource's v2 path");

    let v1 = a.get(&format!("{V1}/{n}"));
    assert_eq!(v1.status, 200);
    assert_deprecated(&v1, &format!("{V2}/{n}"));
    let v2 = a.get(&format!("{V2}/{n}"));
    assert_eq!((v1.json(), v1.header("etag")), (v2.json(), v2.header("etag")), "the same profile");
    assert_eq!(v2.header("deprecation"), None, "v2 is not deprecated");

    let found = a.get(&format!("{V1}?surname=NORDMANN"));
    assert_eq!(found.status, 200);
    assert_eq!(found.json().as_array().unwrap().len(), 1);
    assert_deprecated(&found, V2);
    let by_ref = a.get(&format!("{V1}/by-customer-ref/{n}"));
    assert_eq!((by_ref.status, by_ref.json()["customerNumber"].as_i64()), (200, Some(n)));

    let replaced = a.send(
        "PUT",
        &format!("{V1}/{n}"),
        Some(
            &json!({"firstName": "Kari", "surname": "Hansen", "changedBy": "crm", "changedByChannel": "WEB"}),
        ),
    );
    assert_eq!(
        (replaced.status, replaced.json()["surname"].as_str()),
        (200, Some("Hansen")),
        "{}",
        replaced.body
    );
    let stale = a.send_with_headers(
        "PATCH",
        &format!("{V1}/{n}"),
        &[("if-match", "\"1\"")],
        Some(&json!({"firstName": "Ola", "changedBy": "crm", "changedByChannel": "WEB"})),
    );
    assert_eq!(stale.status, 412, "If-Match works as in v2");
    assert_deprecated(&stale, &format!("{V2}/{n}"));
    let patched = a.send_with_headers(
        "PATCH",
        &format!("{V1}/{n}"),
        &[("content-type", "application/merge-patch+json"), ("if-match", "\"2\"")],
        Some(&json!({"firstName": "Ola", "changedBy": "crm", "changedByChannel": "WEB"})),
    );
    assert_eq!(
        (patched.status, patched.json()["firstName"].as_str()),
        (200, Some("Ola")),
        "{}",
        patched.body
    );

    let erased = a.send("DELETE", &format!("{V1}/{n}"), None);
    assert_eq!(erased.status, 204);
    assert_deprecated(&erased, &format!("{V2}/{n}"));
    assert_eq!(a.get(&format!("{V2}/{n}")).status, 404);
}

#[test]
fn errors_on_v1_paths_are_deprecated_too_and_tenancy_holds() {
    let app = spawn_app();
    let (a, b) = (app.client(ORG_A), app.client(ORG_B));
    let n = a.create_profile(&kari_nordmann());

    let theirs = b.get(&format!("{V1}/{n}"));
    assert_eq!(theirs.status, 404, "another organisation's profile");
    assert_deprecated(&theirs, &format!("{V2}/{n}"));
    assert_eq!(theirs.problem_shape(), b.get(&format!("{V1}/999999")).problem_shape());

    let anonymous = app.send("GET", &format!("{V1}/{n}"), None, None);
    assert_eq!(anonymous.status, 401);
    assert_deprecated(&anonymous, &format!("{V2}/{n}"));

    let invalid = a.post(V1, &json!({"firstName": "Kari"}));
    assert_eq!(invalid.status, 400);
    assert_deprecated(&invalid, V2);

    // What v1 did not have is not there.
    assert_eq!(a.get(&format!("{V1}/{n}/export")).status, 404);
}

#[test]
fn the_api_has_one_deprecation_date() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let n = a.create_profile(&kari_nordmann());
    let profile = a.get(&format!("{V1}/{n}"));
    for consent_path in [format!("/customers/v1/consents/{n}"), format!("/customers/v2/consents/v1/{n}")] {
        let consents = a.get(&consent_path);
        assert_eq!(consents.status, 200, "{consent_path}: {}", consents.body);
        for header in ["deprecation", "sunset"] {
            assert_eq!(consents.header(header), profile.header(header), "{consent_path}: {header}");
        }
    }
    let missing_consent = a.get(&format!("/customers/v1/consents/{n}/NONE"));
    assert_eq!(missing_consent.status, 404);
    assert_eq!(missing_consent.header("deprecation"), profile.header("deprecation"), "errors too");
}
