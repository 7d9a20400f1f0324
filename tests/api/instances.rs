//! Requests that share an instance (the WASIp3 build, `E2E_MANIFEST=spin.p3.toml`: Spin reuses
//! an instance for up to 128 requests, 16 at a time, and keeps its settings, verified tokens and
//! SQLite connections). Nothing about one organisation's request may reach another's through
//! what the instance keeps: two organisations' requests run interleaved on shared instances,
//! and every answer is checked. On the WASIp2 build and the test host each request has an
//! instance of its own, and the test is a plain concurrency test.

use crate::helpers::*;
use serde_json::json;

/// Rounds per worker; each round writes (a create and a PATCH, each its own transaction) and
/// reads (a GET, a search) as its organisation and tries the other organisation's profile.
const ROUNDS: usize = 12;

#[test]
fn two_organisations_interleaved_on_shared_instances_see_only_their_own() {
    let app = spawn_app_with_spin_args(&[
        "--max-instance-reuse-count",
        "10000",
        "--max-instance-concurrent-reuse-count",
        "16",
    ]);
    let (a, b) = (app.client(ORG_A), app.client(ORG_B));
    std::thread::scope(|scope| {
        for worker in 0..8 {
            let (own, other, org) = if worker % 2 == 0 { (&a, &b, ORG_A.2) } else { (&b, &a, ORG_B.2) };
            scope.spawn(move || {
                for round in 0..ROUNDS {
                    let surname = format!("Interleaved{worker}r{round}");
                    let email = format!("w{worker}.r{round}@example.no");
                    let n = own
                        .create_profile(&json!({"firstName": "Kari", "surname": surname, "email": email,
                        "createdBy": "t", "createdByChannel": "WEB"}));
                    let got = own.get(&format!("/customers/v2/profiles/{n}"));
                    assert_eq!(got.status, 200, "{}", got.body);
                    let profile = got.json();
                    assert_eq!(
                        (
                            profile["organisationId"].as_i64(),
                            profile["surname"].as_str(),
                            profile["email"].as_str()
                        ),
                        (Some(org), Some(surname.as_str()), Some(email.as_str())),
                        "worker {worker} round {round}: {profile}"
                    );
                    let theirs = other.get(&format!("/customers/v2/profiles/{n}"));
                    assert_eq!(theirs.status, 404, "the other organisation reads {n}: {}", theirs.body);
                    let found = own.get(&format!("/customers/v2/profiles?surname={surname}"));
                    assert_eq!(found.status, 200, "{}", found.body);
                    let numbers: Vec<i64> = found
                        .json()
                        .as_array()
                        .unwrap()
                        .iter()
                        .filter_map(|p| p["customerNumber"].as_i64())
                        .collect();
                    assert_eq!(numbers, [n], "worker {worker} round {round} searched {surname}");
                    let none = other.get(&format!("/customers/v2/profiles?surname={surname}"));
                    assert_eq!(none.json(), json!([]), "the other organisation finds {surname}");
                    let patch =
                        json!({"languagePreference": "nob", "changedBy": "t", "changedByChannel": "WEB"});
                    let auth = format!("Bearer {}", own.token);
                    let headers = [
                        ("content-type", "application/merge-patch+json"),
                        ("authorization", auth.as_str()),
                        ("if-match", "\"1\""),
                    ];
                    let patched = own.app.request(
                        "PATCH",
                        &format!("/customers/v2/profiles/{n}"),
                        &headers,
                        Some(patch.to_string().into_bytes()),
                    );
                    assert_eq!(patched.status, 200, "{}", patched.body);
                    assert_eq!(patched.json()["version"], 2);
                }
            });
        }
    });
    // Every profile was made once, in its own organisation.
    for (client, org) in [(&a, ORG_A.2), (&b, ORG_B.2)] {
        for worker in (0..8).filter(|w| (w % 2 == 0) == (org == ORG_A.2)) {
            for round in 0..ROUNDS {
                let found =
                    client.get(&format!("/customers/v2/profiles?surname=Interleaved{worker}r{round}"));
                assert_eq!(found.json().as_array().unwrap().len(), 1, "worker {worker} round {round}");
            }
        }
    }
}
