//! Query strings, one policy for every endpoint that reads one (`web::Query`): an unknown
//! parameter is 400 `UNKNOWN_PARAMETER`, a single-valued one given twice 400
//! `REPEATED_PARAMETER`, a boolean other than exactly `true`/`false` 400 `INVALID_BOOLEAN`,
//! each naming the parameter; lists take their items comma-separated or repeated. Each rule is
//! tried on the profiles component and on the consents component (the temporary-profiles
//! component has no endpoint that reads a query string).

use crate::consents::{active_consent, CLIENT_CONSENTS, CRM, GIVEN};
use crate::helpers::*;

/// Asserts a 400 whose only entry names `field` with `code`.
fn assert_refused(client: &Client<'_>, path: &str, field: &str, code: &str) {
    let response = client.get(path);
    assert_eq!(response.status, 400, "{path} was accepted: {}", response.body);
    assert_eq!(field_errors(&response), [(field.to_owned(), code.to_owned())], "{path}");
}

/// Every endpoint that reads a query string, each with a query it accepts.
fn endpoints(customer: i64) -> Vec<String> {
    let profile = format!("/customers/v2/profiles/{customer}");
    vec![
        "/customers/v2/profiles?surname=Nordmann".into(),
        "/customers/v2/profiles-search?surname=Nordmann".into(),
        "/customers/v1/profiles?surname=Nordmann".into(),
        format!("{profile}?includeECards=true"),
        format!("/customers/v1/profiles/{customer}?includeECards=true"),
        format!("{profile}/history?limit=10"),
        // The query is read before the membership is looked up: no membership needed.
        format!("{profile}/loyalty-programs/999999/transactions?limit=10"),
        "/customers/v2/consents/admin/consents?versions=ALL".into(),
        format!("{CLIENT_CONSENTS}?versions=ALL"),
        format!("{GIVEN}?customerNumber={customer}"),
        format!("{GIVEN}/history?customerNumber={customer}"),
        format!("{CRM}?limit=10"),
        "/customers/v2/events?limit=10".into(),
    ]
}

#[test]
fn every_endpoint_that_reads_a_query_string_refuses_a_parameter_it_does_not_take() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let customer = a.create_profile(&kari_nordmann());
    for path in endpoints(customer) {
        let accepted = a.get(&path);
        assert!(accepted.status == 200 || path.contains("999999"), "{path}: {}", accepted.body);
        assert_refused(&a, &format!("{path}&bogus=1"), "bogus", "UNKNOWN_PARAMETER");
    }
}

#[test]
fn a_misspelt_criterion_never_widens_a_search_to_the_whole_organisation() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    a.create_profile(&kari_nordmann());
    // `emial` alone, and beside a real criterion that would otherwise match.
    assert_refused(&a, "/customers/v2/profiles?emial=ola%40example.no", "emial", "UNKNOWN_PARAMETER");
    assert_refused(&a, "/customers/v2/profiles?surname=Nordmann&emial=x", "emial", "UNKNOWN_PARAMETER");
    // Names are case-sensitive: `includeEcards` is not `includeECards`.
    let customer = a.create_profile(&serde_json::json!({"firstName": "Ola", "surname": "Berg",
        "createdBy": "test", "createdByChannel": "WEB"}));
    let path = format!("/customers/v2/profiles/{customer}?includeEcards=true");
    assert_refused(&a, &path, "includeEcards", "UNKNOWN_PARAMETER");
    // The consents component alike: `consentId` is not `consentIds`.
    assert_refused(&a, &format!("{CRM}?consentId=1"), "consentId", "UNKNOWN_PARAMETER");
}

#[test]
fn a_single_valued_parameter_given_twice_is_refused_whichever_value_comes_first() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let customer = a.create_profile(&kari_nordmann());
    let cases = [
        // Before: the first won in search and paging...
        ("/customers/v2/profiles?surname=Nordmann&surname=Berg".to_owned(), "surname"),
        ("/customers/v2/profiles?surname=Berg&surname=Nordmann".to_owned(), "surname"),
        ("/customers/v2/profiles?surname=Nordmann&maxResultSet=1&maxResultSet=2".to_owned(), "maxResultSet"),
        (format!("/customers/v2/profiles/{customer}/history?cursor=&cursor="), "cursor"),
        (
            format!("/customers/v2/profiles/{customer}?includeECards=false&includeECards=true"),
            "includeECards",
        ),
        ("/customers/v2/events?limit=1&limit=1".to_owned(), "limit"),
        // ...and the last in the consent queries.
        (format!("{CLIENT_CONSENTS}?versions=ALL&versions=CURRENT"), "versions"),
        (format!("{GIVEN}?customerNumber=999999&customerNumber={customer}"), "customerNumber"),
        (format!("{CRM}?includeEmail=true&includeEmail=false"), "includeEmail"),
    ];
    for (path, field) in cases {
        assert_refused(&a, &path, field, "REPEATED_PARAMETER");
    }
}

#[test]
fn booleans_are_exactly_true_or_false_on_every_component() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let customer = a.create_profile(&kari_nordmann());
    let flags = [
        ("/customers/v2/profiles?surname=Nordmann&".to_owned(), "includeTemporary"),
        (format!("/customers/v2/profiles/{customer}?"), "includeECards"),
        (format!("{CLIENT_CONSENTS}?"), "includeInactive"),
        (format!("{CRM}?"), "includeEmail"),
    ];
    for (prefix, flag) in flags {
        for good in ["true", "false", ""] {
            let path = format!("{prefix}{flag}={good}");
            assert_eq!(a.get(&path).status, 200, "{path}");
        }
        // The consent queries took any case before.
        for bad in ["TRUE", "True", "FALSE", "1", "yes"] {
            assert_refused(&a, &format!("{prefix}{flag}={bad}"), flag, "INVALID_BOOLEAN");
        }
    }
}

#[test]
fn lists_take_their_items_comma_separated_repeated_or_both() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let email = active_consent(&a, "EMAIL");
    let sms = active_consent(&a, "SMS");
    active_consent(&a, "POST");
    let ids = |path: &str| -> Vec<i64> {
        let response = a.get(path);
        assert_eq!(response.status, 200, "{path}: {}", response.body);
        response.json().as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect()
    };
    for query in [
        "consentCodes=EMAIL,SMS",
        "consentCodes=EMAIL&consentCodes=SMS",
        "consentCodes=EMAIL,&consentCodes=%20SMS",
    ] {
        assert_eq!(ids(&format!("{CLIENT_CONSENTS}?{query}")), [email, sms], "{query}");
    }
    let kinds = |path: &str| -> Vec<String> {
        let response = a.get(path);
        assert_eq!(response.status, 200, "{path}: {}", response.body);
        let events = response.json().as_array().unwrap().clone();
        let mut kinds: Vec<String> = events.iter().map(|e| e["type"].as_str().unwrap().to_owned()).collect();
        kinds.dedup();
        kinds
    };
    a.create_profile(&kari_nordmann());
    let both = kinds("/customers/v2/events?types=profile.created,profile.erased");
    assert_eq!(both, ["profile.created"]);
    assert_eq!(kinds("/customers/v2/events?types=profile.created&types=profile.erased"), both);
    assert_refused(
        &a,
        "/customers/v2/events?types=profile.created&types=nonsense",
        "types",
        "INVALID_EVENT_TYPE",
    );
}

#[test]
fn a_blank_value_is_no_value() {
    let app = spawn_app();
    let a = app.client(ORG_A);
    let customer = a.create_profile(&kari_nordmann());
    for path in [
        "/customers/v2/profiles?surname=Nordmann&maxResultSet=&cursor=&email=%20".to_owned(),
        format!("/customers/v2/profiles/{customer}/history?limit=&cursor="),
        format!("{CRM}?limit=&consentIds=&includeTelephoneNumber="),
        "/customers/v2/events?limit=&after=&types=&customerNumber=".to_owned(),
    ] {
        let response = a.get(&path);
        assert_eq!(response.status, 200, "{path}: {}", response.body);
        assert!(!response.json().as_array().unwrap().is_empty() || path.contains(CRM), "{path}");
    }
    // Blank is not a way around a required parameter.
    assert_refused(&a, &format!("{GIVEN}?customerNumber="), "customerNumber", "REQUIRED");
}
