//! Contract §3, brute-force protection of `POST /profiles/verify-credentials`: 5 consecutive
//! failures for one email in the organisation lock it (429 `TOO_MANY_ATTEMPTS`, `Retry-After`)
//! for 1 minute, doubling with each further failure, at most 1 hour; a success resets it;
//! unknown emails are counted and locked exactly like known ones.

use crate::helpers::*;
use serde_json::json;

const VERIFY: &str = "/customers/v2/profiles/verify-credentials";
const PASSWORD: &str = "abcD123";

fn verify(client: &Client<'_>, email: &str, password: &str) -> TestResponse {
    client.post(VERIFY, &json!({"email": email, "password": password, "lastSignInFrom": "app"}))
}

fn customer_with_password(client: &Client<'_>) -> &'static str {
    let mut body = kari_nordmann();
    body["password"] = json!(PASSWORD);
    client.create_profile(&body);
    "kari.nordmann@example.no"
}

fn retry_after(response: &TestResponse) -> i64 {
    response.header("retry-after").and_then(|v| v.parse().ok()).expect("a Retry-After in seconds")
}

#[test]
fn five_failures_lock_an_email_and_an_unknown_one_alike() {
    // Two hosts over one database, like two replicas: the count is in the database.
    let state = fresh_state_dir();
    let (first, second) = (spawn_app_on(state.clone(), &[], None), spawn_app_on(state, &[], None));
    let (a, a_elsewhere) = (first.client(ORG_A), second.client(ORG_A));
    let kari = customer_with_password(&a);
    for (email, what) in [(kari, "a customer's email"), ("nobody@example.no", "an unknown email")] {
        for attempt in 1..=5 {
            let client = if attempt % 2 == 0 { &a_elsewhere } else { &a };
            let failed = verify(client, email, "wrongPassword1");
            assert_eq!(failed.status, 401, "{what}, failure {attempt}: {}", failed.body);
            assert_eq!(failed.error_code(), "INVALID_CREDENTIALS");
        }
        // Locked now: even the right password is not looked at.
        let locked = verify(&a_elsewhere, email, PASSWORD);
        assert_eq!(locked.status, 429, "{what}: {}", locked.body);
        assert_eq!(locked.error_code(), "TOO_MANY_ATTEMPTS");
        assert!((55..=60).contains(&retry_after(&locked)), "{what}: {:?}", locked.header("retry-after"));
        assert_eq!(verify(&a, email, PASSWORD).status, 429, "{what}, on the other host too");
    }
    // The lock reveals nothing: a customer's email and an unknown one answer alike.
    let (known, unknown) = (verify(&a, kari, PASSWORD), verify(&a, "nobody@example.no", PASSWORD));
    assert_eq!(known.problem_shape(), unknown.problem_shape());
    // Another email, and the same email in another organisation, are not locked.
    assert_eq!(verify(&a, "ola@example.no", "wrongPassword1").status, 401);
    let b = first.client(ORG_B);
    assert_eq!(verify(&b, kari, "wrongPassword1").status, 401);
    // Case and spaces do not make another email.
    assert_eq!(verify(&a, "  KARI.Nordmann@EXAMPLE.no ", PASSWORD).status, 429);
}

#[test]
fn a_lock_doubles_with_each_further_failure_and_a_success_resets_the_count() {
    if test_host_only("moves the components' clock") {
        return;
    }
    let app = spawn_app();
    let a = app.client(ORG_A);
    let kari = customer_with_password(&a);
    for _ in 0..5 {
        assert_eq!(verify(&a, kari, "wrongPassword1").status, 401);
    }
    // The lock started when the fifth failure arrived; the components' clock runs on in real
    // time while that failure's password is hashed (seconds, on a loaded machine), so the wait
    // left is a minute less what has passed since.
    let waited = retry_after(&verify(&a, kari, PASSWORD));
    assert!((50..=60).contains(&waited), "Retry-After {waited}, a minute less the seconds since the lock");
    app.advance_clock_secs(61);
    // Unlocked: a sixth failure locks it for two minutes.
    assert_eq!(verify(&a, kari, "wrongPassword1").status, 401);
    let locked = verify(&a, kari, PASSWORD);
    assert_eq!(locked.status, 429);
    let waited = retry_after(&locked);
    assert!((110..=120).contains(&waited), "Retry-After {waited}: two minutes, the lock doubled");
    app.advance_clock_secs(121);
    // The right password then signs in and forgets the failures.
    let signed_in = verify(&a, kari, PASSWORD);
    assert_eq!(signed_in.status, 200, "{}", signed_in.body);
    for attempt in 1..=4 {
        assert_eq!(verify(&a, kari, "wrongPassword1").status, 401, "failure {attempt} after the reset");
    }
    assert_eq!(verify(&a, kari, PASSWORD).status, 200, "four failures lock nothing");
}
