//! Contract §4 and §5: temporary profiles, their restrictions, conversion, expiry at the
//! instant of `expirationDate`, the purge, and deletion you can prove on disk.

use crate::helpers::*;
use serde_json::{json, Value};

const TEMPORARY: &str = "/customers/v2/profiles/temporary";

fn traveller(expiration: &str) -> Value {
    json!({"firstName": "Reisende", "surname": "Gjest", "email": "gjest@example.no",
           "expirationDate": expiration, "createdBy": "billettautomat", "createdByChannel": "TVM"})
}

fn create(client: &Client<'_>, body: &Value) -> i64 {
    let response = client.post(TEMPORARY, body);
    assert_eq!(response.status, 201, "{}", response.body);
    response.json()["customerNumber"].as_i64().unwrap()
}

#[test]
fn a_temporary_profile_is_created_read_replaced_and_deleted() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let expiration = date_in_days(30);
    let created = a.post(TEMPORARY, &traveller(&expiration));
    assert_eq!(created.status, 201, "{}", created.body);
    let body = created.json();
    let n = body["customerNumber"].as_i64().unwrap();
    assert_eq!(body["profileType"], "T");
    assert_eq!(body["expirationDate"], expiration, "a date in, the same date out");
    assert_eq!(created.header("location"), Some(format!("{TEMPORARY}/{n}").as_str()));
    assert_eq!(a.get(&format!("{TEMPORARY}/{n}")).json(), body);

    let replacement =
        json!({"expirationDate": date_in_days(60), "changedBy": "t", "changedByChannel": "APP"});
    let replaced = a.send("PUT", &format!("{TEMPORARY}/{n}"), Some(&replacement));
    assert_eq!(replaced.status, 200, "{}", replaced.body);
    assert!(replaced.json().get("firstName").is_none(), "PUT overwrites every field");
    assert_eq!(replaced.json()["expirationDate"], date_in_days(60));

    assert_eq!(a.send("DELETE", &format!("{TEMPORARY}/{n}"), None).status, 204);
    assert_eq!(a.get(&format!("{TEMPORARY}/{n}")).status, 404);
}

/// A date means "valid through that day" and is answered as given; a date-time is answered
/// as the same instant (in UTC with milliseconds). Issue 14: "2026-12-16" came back as
/// "2026-12-17T00:00:00.000Z", which partners read as an off-by-one.
#[test]
fn the_expiration_is_answered_as_given_and_a_date_lasts_through_its_day() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let path = |n: i64| format!("{TEMPORARY}/{n}");
    // Today's date is still valid today: it ends at the start of tomorrow.
    let today = date_in_days(0);
    let n = create(&a, &traveller(&today));
    assert_eq!(a.get(&path(n)).json()["expirationDate"], today);
    let found = a.get("/customers/v2/profiles?surname=Gjest&includeTemporary=true").json();
    assert_eq!(found[0]["expirationDate"], today, "search answers it as given too");
    // A date-time with an offset: the same instant, in UTC (the clock may tick between the
    // two readings of it, hence two candidates).
    let before = datetime_in_secs(3600).replace('Z', ".000Z");
    let in_an_hour_at_plus_two = datetime_in_secs(3600 + 7200).replace('Z', "+02:00");
    let after = datetime_in_secs(3600).replace('Z', ".000Z");
    let m = create(&a, &traveller(&in_an_hour_at_plus_two));
    let instant = a.get(&path(m)).json()["expirationDate"].as_str().unwrap().to_owned();
    assert!(instant == before || instant == after, "{in_an_hour_at_plus_two} answered as {instant}");
    let in_an_hour = instant.clone();
    // Replacing a date with a date-time and back.
    let change =
        |expiration: &str| json!({"expirationDate": expiration, "changedBy": "t", "changedByChannel": "APP"});
    assert_eq!(a.send("PUT", &path(n), Some(&change(&in_an_hour))).json()["expirationDate"], instant);
    let later = date_in_days(7);
    assert_eq!(a.send("PUT", &path(n), Some(&change(&later))).json()["expirationDate"], later);
    // Deactivating a permanent profile answers its date as given too.
    let permanent = a.create_profile(&kari_nordmann());
    let deactivate = json!({"expirationDate": later, "changedBy": "t", "changedByChannel": "APP"});
    let deactivated = a.post(&format!("/customers/v2/profiles/{permanent}/deactivate"), &deactivate);
    assert!(deactivated.status < 300, "{}", deactivated.body);
    assert_eq!(a.get(&format!("/customers/v2/profiles/{permanent}")).json()["expirationDate"], later);
}

#[test]
fn the_expiration_is_required_in_the_future_and_at_most_400_days_ahead() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    for (expiration, code) in [
        (json!(null), "REQUIRED"),
        (json!(date_in_days(-1)), "EXPIRATION_DATE_IN_THE_PAST"),
        (json!(date_in_days(401)), "EXPIRATION_DATE_TOO_FAR"),
        (json!("soon"), "INVALID_EXPIRATION_DATE"),
    ] {
        let mut body = traveller("x");
        body["expirationDate"] = expiration;
        let response = a.post(TEMPORARY, &body);
        assert_eq!(response.status, 400, "{code}");
        assert_eq!(response.error_code(), code);
    }
    let mut with_password = traveller(&date_in_days(1));
    with_password["password"] = json!("abcD123");
    assert_eq!(a.post(TEMPORARY, &with_password).error_code(), "UNKNOWN_FIELD");
    assert_eq!(a.post(TEMPORARY, &traveller(&datetime_in_secs(3600))).status, 201, "a date-time works too");
}

#[test]
fn temporary_and_permanent_paths_do_not_serve_each_other() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let temporary = create(&a, &traveller(&date_in_days(5)));
    let permanent = a.create_profile(&kari_nordmann());
    assert_eq!(a.get(&format!("/customers/v2/profiles/{temporary}")).status, 404);
    assert_eq!(a.get(&format!("{TEMPORARY}/{permanent}")).status, 404);
    assert_eq!(app.client(ORG_B).get(&format!("{TEMPORARY}/{temporary}")).status, 404);
}

#[test]
fn temporary_profiles_are_searchable_only_when_asked_for() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let n = create(&a, &traveller(&date_in_days(5)));
    assert_eq!(a.get("/customers/v2/profiles?surname=gjest").json(), json!([]));
    let found = a.get("/customers/v2/profiles?surname=gjest&includeTemporary=true").json();
    assert_eq!(found[0]["customerNumber"], n);
}

#[test]
fn ecards_and_loyalty_programs_are_refused() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let n = create(&a, &traveller(&date_in_days(5)));
    for (method, path) in [
        ("GET", format!("{TEMPORARY}/{n}/ecards")),
        ("POST", format!("{TEMPORARY}/{n}/ecards")),
        ("GET", format!("{TEMPORARY}/{n}/loyalty-programs")),
        ("POST", format!("{TEMPORARY}/{n}/loyalty-programs")),
    ] {
        let response = a.send(method, &path, Some(&json!({})));
        assert_eq!(response.status, 400, "{method} {path}");
        assert_eq!(response.error_code(), "NOT_ALLOWED_FOR_TEMPORARY_PROFILE");
    }
}

#[test]
fn conversion_keeps_the_number_and_a_taken_email_conflicts() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let n = create(&a, &traveller(&date_in_days(5)));
    let convert = json!({"firstName": "Gunn", "surname": "Gjest", "password": "abcD123",
                         "changedBy": "t", "changedByChannel": "APP"});
    let response = a.post(&format!("{TEMPORARY}/{n}/convert"), &convert);
    assert_eq!(response.status, 200, "{}", response.body);
    let converted = response.json();
    assert_eq!(
        (converted["customerNumber"].as_i64(), converted["profileType"].as_str()),
        (Some(n), Some("S"))
    );
    assert!(converted.get("expirationDate").is_none());
    assert_eq!(converted["email"], "gjest@example.no", "the email is kept");
    assert_eq!(a.get(&format!("/customers/v2/profiles/{n}")).status, 200);
    assert_eq!(a.get(&format!("{TEMPORARY}/{n}")).status, 404);

    let m = create(&a, &traveller(&date_in_days(5)));
    let taken = a.post(&format!("{TEMPORARY}/{m}/convert"), &convert);
    assert_eq!(taken.status, 409);
    assert_eq!(taken.error_code(), "DUPLICATE_EMAIL");
}

/// The app without purges piggy-backed on requests, so a test decides when purging happens.
fn app_purging_on_demand_only() -> TestApp {
    spawn_app_with(&[("purge_one_request_in", "0")])
}

#[test]
fn an_expired_profile_vanishes_at_that_instant_and_the_purge_deletes_it() {
    if test_host_only("moves the components' clock") {
        return;
    }
    let app = app_purging_on_demand_only();
    let a = app.client(ORG_A);
    let n = create(&a, &traveller(&datetime_in_secs(5)));
    let permanent = a.create_profile(&kari_nordmann());
    assert_eq!(a.get(&format!("{TEMPORARY}/{n}")).status, 200);
    app.advance_clock_secs(10);
    assert_eq!(a.get(&format!("{TEMPORARY}/{n}")).status, 404, "invisible before any purge");
    assert_eq!(a.get("/customers/v2/profiles?surname=gjest&includeTemporary=true").json(), json!([]));
    let connect = json!({"customerNumberToConnect": n, "changedBy": "t", "changedByChannel": "W"});
    assert_eq!(a.post(&format!("/customers/v2/profiles/{permanent}/connect"), &connect).status, 404);
    let convert = json!({"firstName": "G", "surname": "G", "changedBy": "t", "changedByChannel": "W"});
    assert_eq!(a.post(&format!("{TEMPORARY}/{n}/convert"), &convert).status, 404);

    let purged = a.post("/customers/v2/admin/purge-expired", &json!({}));
    assert_eq!(purged.status, 200, "{}", purged.body);
    assert_eq!(purged.json()["temporaryProfiles"], 1);
    assert_eq!(purged.json()["complete"], true);
    assert_eq!(a.get(&format!("{TEMPORARY}/{n}")).status, 404);
    assert_eq!(a.post("/customers/v2/admin/purge-expired", &json!({})).json()["temporaryProfiles"], 0);
}

#[test]
fn the_purge_needs_the_delete_permission_and_touches_only_the_callers_organisation() {
    if test_host_only("moves the components' clock") {
        return;
    }
    let app = spawn_app_with(&[("jwt_jwks", &crate::tokens::partner_jwks()), ("purge_one_request_in", "0")]);
    let mut claims = crate::tokens::claims(1001);
    claims["permissions"] = json!(["customers-profile:les"]);
    let reader = crate::tokens::eddsa(1, "ed-1", &claims);
    let response = app.send("POST", "/customers/v2/admin/purge-expired", Some(&reader), Some(&json!({})));
    assert_eq!(response.status, 403);

    let b = app.client(ORG_B);
    let theirs = create(&b, &traveller(&datetime_in_secs(5)));
    app.advance_clock_secs(10);
    let ours = app.client(ORG_A).post("/customers/v2/admin/purge-expired", &json!({})).json();
    assert_eq!(ours["temporaryProfiles"], 0, "another organisation's expired profile is not ours to count");
    assert_eq!(
        query_int(&app.db(), "SELECT count(*) FROM customer WHERE customer_number = ?1", &[theirs]),
        1
    );
}

#[test]
fn purged_and_erased_profiles_leave_no_byte_on_disk() {
    if test_host_only("moves the components' clock") {
        return;
    }
    let app = app_purging_on_demand_only();
    let a = app.client(ORG_A);
    let marker_t = "Qzxmarkertemp";
    let marker_p = "Qzxmarkerperm";
    let mut temporary = traveller(&datetime_in_secs(5));
    temporary["surname"] = json!(marker_t);
    temporary["email"] = json!(format!("{}@example.no", marker_t.to_lowercase()));
    let t = create(&a, &temporary);
    let address = json!({"addressLine1": format!("{marker_t} gate 1"), "postCode": "0150"});
    let added = a.post(&format!("{TEMPORARY}/{t}/postal-addresses"), &address);
    assert_eq!(added.status, 201, "{}", added.body);
    let mut permanent = kari_nordmann();
    permanent["surname"] = json!(marker_p);
    permanent["email"] = json!(format!("{}@example.no", marker_p.to_lowercase()));
    let p = a.create_profile(&permanent);
    assert!(
        contains(&bytes_on_disk(&app), marker_t) && contains(&bytes_on_disk(&app), marker_p),
        "markers were written"
    );

    assert_eq!(a.send("DELETE", &format!("/customers/v2/profiles/{p}"), None).status, 204);
    app.advance_clock_secs(10);
    assert_eq!(a.post("/customers/v2/admin/purge-expired", &json!({})).json()["temporaryProfiles"], 1);
    let disk = bytes_on_disk(&app);
    for marker in [marker_t, marker_p, &marker_t.to_lowercase(), &marker_p.to_lowercase()] {
        assert!(!contains(&disk, marker), "{marker} is still on disk after erasure");
    }
    assert_eq!(a.get(&format!("/customers/v2/profiles/{p}")).status, 404);
}

#[test]
fn requests_purge_expired_profiles_by_themselves() {
    if test_host_only("moves the components' clock") {
        return;
    }
    let app = spawn_app_with(&[("purge_one_request_in", "1")]); // every request, to see it happen
    let a = app.client(ORG_A);
    let n = create(&a, &traveller(&datetime_in_secs(5)));
    app.advance_clock_secs(10);
    assert_eq!(a.get("/customers/v2/profiles?surname=gjest&includeTemporary=true").status, 200);
    let left = query_int(&app.db(), "SELECT count(*) FROM customer WHERE customer_number = ?1", &[n]);
    assert_eq!(left, 0, "an ordinary request purged the expired profile");
}
