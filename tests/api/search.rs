//! Contract §3 search: every criterion, case-insensitive names and emails for all of
//! Unicode, normalised phone numbers, paging with `Link`, read-after-write, tenancy.

use crate::helpers::*;
use serde_json::{json, Value};

fn profile(first: &str, surname: &str, email: &str, phone: &str) -> Value {
    json!({"firstName": first, "surname": surname, "email": email, "countryCode": "+47",
           "telephoneNumberNoCountryCode": phone, "dateOfBirth": "1990-05-17",
           "createdBy": "test", "createdByChannel": "WEB"})
}

fn numbers(response: &TestResponse) -> Vec<i64> {
    assert_eq!(response.status, 200, "{}", response.body);
    response.json().as_array().unwrap().iter().map(|p| p["customerNumber"].as_i64().unwrap()).collect()
}

#[test]
fn each_criterion_finds_the_profile_the_moment_it_was_created() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let n = a.create_profile(&profile("Åse", "Ærlig", "ase.aerlig@example.no", "912 34 567"));
    let mut with_ref = profile("Ola", "Nordmann", "ola@example.no", "40000000");
    with_ref["customerRef"] = json!("CRM-77");
    with_ref["landlineNumber"] = json!("22 33 44 55");
    let m = a.create_profile(&with_ref);
    let cases: &[(&str, i64)] = &[
        ("surname=%C3%86RLIG", n),
        ("surname=%C3%A6rlig", n),
        ("firstName=%C3%85SE", n),
        ("email=ASE.AERLIG%40EXAMPLE.NO", n),
        ("countryCode=%2B47&telephoneNumberNoCountryCode=91234567", n),
        ("telephoneNumber=%2B47%20912-34-567", n),
        ("customerRef=CRM-77", m),
        ("landlineNumber=22334455", m),
        ("surname=Nordmann&firstName=ola", m),
    ];
    for (query, expected) in cases {
        for path in ["/customers/v2/profiles", "/customers/v2/profiles-search"] {
            assert_eq!(numbers(&a.get(&format!("{path}?{query}"))), [*expected], "{path}?{query}");
        }
    }
    assert_eq!(numbers(&a.get("/customers/v2/profiles?dateOfBirth=1990-05-17")), [n, m]);
    assert!(
        numbers(&a.get("/customers/v2/profiles?surname=%C3%86rlig&firstName=Ola")).is_empty(),
        "AND of criteria"
    );
}

#[test]
fn another_organisation_never_finds_them() {
    let app = spawn_app();
    app.client(ORG_A).create_profile(&profile("Kari", "Nordmann", "kari@example.no", "91234567"));
    assert!(numbers(&app.client(ORG_B).get("/customers/v2/profiles?surname=Nordmann")).is_empty());
}

#[test]
fn pages_follow_the_link_until_the_end() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let created: Vec<i64> = (0..5)
        .map(|i| a.create_profile(&profile("Kari", "Hansen", &format!("k{i}@example.no"), "91234567")))
        .collect();
    let mut seen = Vec::new();
    let mut next = Some("/customers/v2/profiles?surname=hansen&maxResultSet=2".to_owned());
    while let Some(path) = next {
        let response = a.get(&path);
        seen.extend(numbers(&response));
        next = response.header("link").map(|link| {
            assert!(link.ends_with("; rel=\"next\""), "{link}");
            link.trim_start_matches('<').split('>').next().unwrap().to_owned()
        });
    }
    assert_eq!(seen, created);
}

#[test]
fn bad_searches_are_400() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    for query in [
        "",
        "?includeTemporary=true",
        "?surname=x&maxResultSet=1001",
        "?surname=x&maxResultSet=0",
        "?shoeSize=42",
        "?surname=x&cursor=bogus",
        "?telephoneNumber=abc",
        "?dateOfBirth=17.05.1990",
    ] {
        let response = a.get(&format!("/customers/v2/profiles{query}"));
        assert_eq!(response.status, 400, "{query}: {}", response.body);
    }
}

#[test]
fn deactivated_profiles_are_found_merged_ones_not() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let kept = a.create_profile(&profile("Kari", "Berg", "kari.berg@example.no", "91234567"));
    let merged = a.create_profile(&profile("Kari", "Berg", "kari.berg2@example.no", "91234567"));
    let connect = json!({"customerNumberToConnect": merged, "changedBy": "t", "changedByChannel": "WEB"});
    assert_eq!(a.post(&format!("/customers/v2/profiles/{kept}/connect"), &connect).status, 200);
    assert_eq!(numbers(&a.get("/customers/v2/profiles?surname=berg")), [kept]);
}
