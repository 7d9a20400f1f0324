//! Contract §2 tenancy, over every route of the profiles and temporary-profiles components
//! that names a customer: another organisation's customer (and its addresses, ecards,
//! memberships) is answered exactly like one that does not exist — with a valid request,
//! so that nothing but the organisation can make the difference.

use crate::helpers::*;
use serde_json::{json, Value};

/// Every route of a component that has `{customerNumber}` (`api::routes`).
fn customer_routes(component: &str) -> Vec<(String, String)> {
    crate::openapi::routes_of(component)
        .into_iter()
        .filter(|(_, template)| template.contains("{customerNumber}"))
        .collect()
}

/// A request body that would be valid for `(method, template)`.
pub(crate) fn valid_body(method: &str, template: &str, program: i64, other: i64) -> Option<Value> {
    let who = json!({"changedBy": "t", "changedByChannel": "WEB"});
    let with_who = |mut body: Value| {
        body.as_object_mut().unwrap().extend(who.as_object().unwrap().clone());
        Some(body)
    };
    let last = template.rsplit('/').next().unwrap();
    match (method, last) {
        ("GET" | "DELETE", _) => None,
        ("PUT", "{customerNumber}") if template.contains("/temporary/") => {
            with_who(json!({"expirationDate": date_in_days(10)}))
        }
        ("PUT" | "PATCH", "{customerNumber}") => with_who(json!({"firstName": "A", "surname": "B"})),
        ("POST", "deactivate") => with_who(json!({"expirationDate": date_in_days(10)})),
        ("POST", "connect") => with_who(json!({"customerNumberToConnect": other})),
        ("POST", "convert") => with_who(json!({"firstName": "A", "surname": "B"})),
        ("PUT", "password") => with_who(json!({"password": "abcD1234"})),
        ("POST" | "PUT", "postal-addresses" | "{id}") if template.contains("postal-addresses") => {
            Some(json!({"addressLine1": "Gata 1", "postCode": "0150"}))
        }
        ("PUT", "{preferenceCode}") => Some(json!({"value": true})),
        ("POST", "ecards") => Some(json!({"ecardOperator": 7, "ecardNumber": 123_456_789_i64})),
        ("POST", "loyalty-programs") => Some(json!({"programId": program})),
        ("POST", "transactions") => Some(json!({"amount": 1})),
        _ => panic!("no valid body known for {method} {template}: add one"),
    }
}

#[test]
fn another_organisations_customer_answers_like_a_missing_one_on_every_route() {
    let app = spawn_app();
    let (a, b) = (app.client(ORG_A), app.client(ORG_B));
    // Organisation A: a permanent and a temporary customer with something on every sub-resource.
    let n = a.create_profile(&kari_nordmann());
    let t = a.post(
        "/customers/v2/profiles/temporary",
        &json!({"expirationDate": date_in_days(10), "createdBy": "t", "createdByChannel": "WEB"}),
    );
    let t = t.json()["customerNumber"].as_i64().unwrap();
    let id_of = |response: TestResponse| {
        assert!(response.status == 201 || response.status == 200, "{}", response.body);
        response.json()["id"].as_i64().unwrap()
    };
    let address = id_of(a.post(
        &format!("/customers/v2/profiles/{n}/postal-addresses"),
        &json!({"addressLine1": "Gata 1", "postCode": "0150"}),
    ));
    let temp_address = id_of(a.post(
        &format!("/customers/v2/profiles/temporary/{t}/postal-addresses"),
        &json!({"addressLine1": "Gata 1", "postCode": "0150"}),
    ));
    let ecard = id_of(a.post(
        &format!("/customers/v2/profiles/{n}/ecards"),
        &json!({"ecardOperator": 1, "ecardNumber": 42}),
    ));
    let program = |client: &Client| {
        id_of(client.post(
            "/customers/v2/loyalty-programs",
            &json!({"name": "Poeng", "type": "POINTS", "validFrom": "2020-01-01"}),
        ))
    };
    let membership = id_of(
        a.post(&format!("/customers/v2/profiles/{n}/loyalty-programs"), &json!({"programId": program(&a)})),
    );
    for (client, code) in [(&a, "SEAT"), (&b, "SEAT")] {
        let definition = json!({"preferenceCode": code, "preferenceType": "BOOLEAN", "isActive": true});
        assert_eq!(client.post("/customers/v2/preferences", &definition).status, 201);
    }
    assert_eq!(
        a.send("PUT", &format!("/customers/v2/profiles/{n}/preferences/SEAT"), Some(&json!({"value": true})))
            .status,
        201
    );
    // Organisation B: what its own valid requests would refer to.
    let b_program = program(&b);
    let b_other = b.create_profile(&kari_nordmann());

    let mut checked = 0;
    for component in ["profiles", "temporary-profiles"] {
        for (method, template) in customer_routes(component) {
            let temporary = template.contains("/temporary/");
            let fill = |number: i64| {
                template
                    .replace("{customerNumber}", &number.to_string())
                    .replace(
                        "{id}",
                        &(if template.contains("ecards") {
                            ecard
                        } else if temporary {
                            temp_address
                        } else {
                            address
                        })
                        .to_string(),
                    )
                    .replace("{membershipId}", &membership.to_string())
                    .replace("{preferenceCode}", "SEAT")
            };
            let theirs = fill(if temporary { t } else { n });
            let missing = fill(999_999_999);
            let body = valid_body(&method, &template, b_program, b_other);
            let (their_answer, missing_answer) =
                (b.send(&method, &theirs, body.as_ref()), b.send(&method, &missing, body.as_ref()));
            if their_answer.status == 400 && their_answer.error_code() == "NOT_ALLOWED_FOR_TEMPORARY_PROFILE"
            {
                assert_eq!(missing_answer.status, 400, "{method} {template}");
                continue; // refused for every temporary profile, whoever asks
            }
            assert_eq!(
                their_answer.status, 404,
                "{method} {template} reached another organisation: {}",
                their_answer.body
            );
            assert_eq!(their_answer.problem_shape(), missing_answer.problem_shape(), "{method} {template}");
            checked += 1;
        }
    }
    // 37 v2 routes and the 4 of `/customers/v1/profiles/{customerNumber}` (contract §8).
    assert_eq!(
        checked, 41,
        "routes checked (the 8 ecard/loyalty routes of temporary profiles are refused for all)"
    );
    // And nothing of A's changed.
    let still = a.get(&format!("/customers/v2/profiles/{n}"));
    assert_eq!((still.status, still.json()["version"].as_i64()), (200, Some(1)));
    assert_eq!(a.get(&format!("/customers/v2/profiles/{n}/ecards")).json().as_array().unwrap().len(), 1);
}
