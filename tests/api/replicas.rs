//! Several replicas over one database: two (or more) separate `testhost` processes, each
//! running every component, on one state directory (one SQLite file in WAL mode, one
//! key-value file), with the requests of each test spread over them by concurrent threads.
//! On real Spin (`E2E_SERVER=spin`) each replica is a `spin up`, over the one file or, with
//! `E2E_DB=libsql`, over one libSQL server (`sqld`): the scale-out topology of production.
//! This is what SpinKube replicas (or several `spin up` behind a load balancer) do to the one
//! shared database, and each test here shows one property that must hold across processes:
//! migrations run once and fail no request, uniqueness, balances, purges (also of a large
//! backlog, which must leave the other writers their turn), idempotency keys and the log line
//! per request.
//!
//! Tokens are third-party tokens of the partner issuer (`tokens.rs`), whose JWKS every replica
//! is given inline; the local issuer is off, as in production.

use crate::helpers::*;
use crate::tokens;
use domain::db::{BlockOn, Db};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Barrier;
use std::time::Duration;

/// One replica: a `testhost` process, or a `spin up` (`E2E_SERVER=spin`); stopped (and
/// reaped) when dropped, also when a test panics.
struct Replica {
    base: String,
    server: ReplicaServer,
    /// The database it serves (over libSQL: kept running while a replica uses it).
    _database: DatabaseAt,
}

enum ReplicaServer {
    /// The process, and the file its stderr (the guests' log lines) goes to.
    TestHost(Child, PathBuf),
    Spin(spin_cli::RunningSpin),
}

impl Drop for Replica {
    fn drop(&mut self) {
        if let ReplicaServer::TestHost(child, _) = &mut self.server {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Replica {
    /// Everything its components wrote to stderr.
    fn log_text(&self) -> String {
        match &self.server {
            ReplicaServer::TestHost(_, log) => std::fs::read_to_string(log).unwrap_or_default(),
            ReplicaServer::Spin(spin) => spin.component_stderr(),
        }
    }

    /// The JSON log lines (one per request) its guests wrote.
    fn log_lines(&self) -> Vec<Value> {
        self.log_text()
            .lines()
            .filter_map(|line| serde_json::from_str::<Value>(line).ok())
            .filter(|l| l["route"].is_string())
            .collect()
    }
}

/// Starts one replica per name over the database and key-value store in `state_dir`, one
/// after the other (the first one compiles the components if no cache has them; the others
/// load them from the cache). `extra` are more `testhost` arguments for every replica.
fn start_replicas(state_dir: &Path, names: &[&str], extra: &[String]) -> Vec<Replica> {
    built_components();
    names.iter().map(|name| start_replica(state_dir, name, extra)).collect()
}

/// The partner issuer's keys inline and the local issuer off, as in production.
fn production_variables() -> Vec<(String, String)> {
    vec![("jwt_jwks".into(), tokens::partner_jwks()), ("dev_issuer_enabled".into(), "false".into())]
}

fn start_replica(state_dir: &Path, name: &str, extra: &[String]) -> Replica {
    match server() {
        Server::TestHost => start_test_host_replica(state_dir, name, extra),
        Server::Spin => {
            assert!(extra.is_empty(), "testhost arguments for a spin replica: {extra:?}");
            start_spin_replica(state_dir, name)
        }
    }
}

/// A `spin up` with a state directory of its own (its logs) and a runtime config that points
/// the `default` database and key-value store at the shared files, as an operator would.
fn start_spin_replica(state_dir: &Path, name: &str) -> Replica {
    let own_dir = state_dir.join(format!("replica-{name}"));
    std::fs::create_dir_all(&own_dir).expect("replica state dir");
    let runtime_config = own_dir.join("runtime-config.toml");
    let shared = |file: &str| state_dir.join(file).display().to_string();
    let database = DatabaseAt::of(state_dir);
    let sqlite = database.runtime_config().unwrap_or_else(|| {
        format!("[sqlite_database.default]\ntype = \"spin\"\npath = {:?}\n", shared("sqlite_db.db"))
    });
    std::fs::write(
        &runtime_config,
        format!(
            "{sqlite}\n[key_value_store.default]\ntype = \"spin\"\npath = {:?}\n",
            shared("sqlite_key_value.db")
        ),
    )
    .expect("runtime config");
    let mut spin = spin_up(manifest(), &own_dir);
    spin.variables = production_variables();
    spin.runtime_config = Some(runtime_config);
    let running = start_spin(&spin);
    Replica { base: running.base_url(), server: ReplicaServer::Spin(running), _database: database }
}

fn start_test_host_replica(state_dir: &Path, name: &str, extra: &[String]) -> Replica {
    let log_path = state_dir.join(format!("replica-{name}.log"));
    let log = std::fs::File::create(&log_path).expect("replica log file");
    let mut command = Command::new(env!("CARGO_BIN_EXE_testhost"));
    command.arg("--manifest").arg(repo_root().join("spin.toml"));
    command.arg("--state-dir").arg(state_dir).args(["--listen", "127.0.0.1:0"]);
    for (key, value) in production_variables() {
        command.args(["--variable", &format!("{key}={value}")]);
    }
    let mut child = command
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .expect("the testhost binary starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut replica = Replica {
        base: String::new(),
        server: ReplicaServer::TestHost(child, log_path),
        _database: DatabaseAt::of(state_dir),
    };
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = sender.send(line);
    });
    let line = receiver.recv_timeout(Duration::from_secs(300)).unwrap_or_default();
    let base = line
        .trim()
        .strip_prefix("testhost: serving on ")
        .unwrap_or_else(|| panic!("replica {name} did not start: {line:?}\n{}", replica.log_text()));
    replica.base = base.to_owned();
    replica
}

fn agent() -> &'static ureq::Agent {
    static AGENT: std::sync::OnceLock<ureq::Agent> = std::sync::OnceLock::new();
    AGENT.get_or_init(|| {
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .new_agent()
    })
}

/// One request to one replica.
fn call(
    replica: &Replica,
    method: &str,
    path: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
    body: Option<&Value>,
) -> TestResponse {
    let mut builder = http::Request::builder()
        .method(method)
        .uri(format!("{}{path}", replica.base))
        .header("content-type", "application/json");
    if let Some(token) = token {
        builder = builder.header("authorization", format!("Bearer {token}"));
    }
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let body = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
    let response = agent()
        .run(builder.body(body).expect("a valid request"))
        .unwrap_or_else(|e| panic!("{method} {path} on {}: {e}", replica.base));
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.into_body().read_to_string().unwrap_or_default();
    TestResponse { status, headers, body }
}

/// Runs `count` requests at once (released together by a barrier), request `i` on replica
/// `i % replicas.len()`; returns the answers in order.
fn race(
    replicas: &[Replica],
    count: usize,
    request: impl Fn(usize, &Replica) -> TestResponse + Sync,
) -> Vec<TestResponse> {
    let barrier = Barrier::new(count);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..count)
            .map(|i| {
                let (barrier, request) = (&barrier, &request);
                let replica = &replicas[i % replicas.len()];
                s.spawn(move || {
                    barrier.wait();
                    request(i, replica)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("a request thread")).collect()
    })
}

/// A partner-issuer token for `organisation` with every permission, valid around the guests'
/// `now` when their clock runs `shift_secs` ahead.
fn token_at(organisation: i64, shift_secs: i64) -> String {
    let mut claims = tokens::claims(organisation);
    for claim in ["iat", "nbf", "exp"] {
        claims[claim] = json!(claims[claim].as_i64().unwrap() + shift_secs);
    }
    tokens::eddsa(1, "ed-1", &claims)
}

fn token(organisation: i64) -> String {
    token_at(organisation, 0)
}

fn person(i: usize, tag: &str) -> Value {
    json!({"firstName": "Kari", "surname": format!("Nordmann-{tag}-{i}"),
           "email": format!("{tag}-{i}@example.no"), "createdBy": "replica-test", "createdByChannel": "WEB"})
}

fn statuses(answers: &[TestResponse]) -> Vec<u16> {
    answers.iter().map(|a| a.status).collect()
}

/// The first column of `sql`'s first row, read from the replicas' database.
fn count(state_dir: &Path, sql: &str) -> i64 {
    query_int(&DatabaseAt::of(state_dir).open(), sql, &[])
}

#[test]
fn replicas_taking_their_first_requests_at_once_migrate_the_database_once() {
    let dir = fresh_state_dir();
    let replicas = start_replicas(&dir, &["a", "b"], &[]);
    let token = token(ORG_A.2);
    // Reads and writes of three components, none of which has seen the database yet.
    let answers = race(&replicas, 16, |i, replica| match i % 4 {
        0 => call(replica, "GET", "/health", None, &[], None),
        1 => call(replica, "GET", "/customers/v2/profiles/999", Some(&token), &[], None),
        2 => call(replica, "GET", "/customers/v2/consents/client/consents", Some(&token), &[], None),
        _ => call(replica, "POST", "/customers/v2/profiles", Some(&token), &[], Some(&person(i, "first"))),
    });
    for (i, answer) in answers.iter().enumerate() {
        let expected = [200, 404, 200, 201][i % 4];
        assert_eq!(answer.status, expected, "first request {i} failed: {}", answer.body);
    }
    let files = std::fs::read_dir(repo_root().join("migrations")).unwrap().count() as i64;
    assert_eq!(count(&dir, "SELECT count(*) FROM schema_migration"), files, "each migration applied once");
    assert_eq!(
        count(&dir, "SELECT count(DISTINCT version) FROM schema_migration"),
        files,
        "no migration recorded twice"
    );
    let mode = query_texts(&DatabaseAt::of(&dir).open(), "PRAGMA journal_mode", &[]);
    assert_eq!(mode, [["wal"]], "the first migration set WAL mode in the file (a libSQL server has it)");
    assert_eq!(count(&dir, "SELECT count(*) FROM customer"), 4, "every create committed");
}

#[test]
fn emails_customer_refs_and_ecards_stay_unique_across_replicas() {
    let dir = fresh_state_dir();
    let replicas = start_replicas(&dir, &["a", "b"], &[]);
    let token = token(ORG_A.2);
    let create = |replica: &Replica, body: &Value| {
        call(replica, "POST", "/customers/v2/profiles", Some(&token), &[], Some(body))
    };
    assert_eq!(call(&replicas[0], "GET", "/health", None, &[], None).status, 200);

    let same_email = race(&replicas, 8, |i, replica| {
        let mut body = person(i, "email");
        // One address, spelt differently: email uniqueness is case-insensitive.
        body["email"] = json!(["kari.nordmann@example.no", "KARI.Nordmann@Example.NO"][i % 2]);
        body["customerRef"] = json!(format!("email-ref-{i}"));
        create(replica, &body)
    });
    assert_eq!(statuses(&same_email).iter().filter(|s| **s == 201).count(), 1, "{:?}", statuses(&same_email));
    for refused in same_email.iter().filter(|a| a.status != 201) {
        assert_eq!(
            (refused.status, refused.error_code().as_str()),
            (409, "DUPLICATE_EMAIL"),
            "{}",
            refused.body
        );
    }

    let same_ref = race(&replicas, 8, |i, replica| {
        let mut body = person(i, "ref");
        body["customerRef"] = json!("shared-ref");
        create(replica, &body)
    });
    assert_eq!(statuses(&same_ref).iter().filter(|s| **s == 201).count(), 1, "{:?}", statuses(&same_ref));
    for refused in same_ref.iter().filter(|a| a.status != 201) {
        assert_eq!(
            (refused.status, refused.error_code().as_str()),
            (409, "DUPLICATE_CUSTOMER_REF"),
            "{}",
            refused.body
        );
    }

    let owners: Vec<i64> = (0..6)
        .map(|i| {
            let created = create(&replicas[i % 2], &person(i, "owner"));
            assert_eq!(created.status, 201, "{}", created.body);
            created.json()["customerNumber"].as_i64().unwrap()
        })
        .collect();
    let claims = race(&replicas, owners.len(), |i, replica| {
        let path = format!("/customers/v2/profiles/{}/ecards", owners[i]);
        call(
            replica,
            "POST",
            &path,
            Some(&token),
            &[],
            Some(&json!({"ecardOperator": 7, "ecardNumber": 4242})),
        )
    });
    assert_eq!(statuses(&claims).iter().filter(|s| **s == 201).count(), 1, "{:?}", statuses(&claims));
    assert!(claims.iter().filter(|a| a.status != 201).all(|a| a.status == 409), "{:?}", statuses(&claims));

    assert_eq!(count(&dir, "SELECT count(*) FROM customer WHERE email_key = 'kari.nordmann@example.no'"), 1);
    assert_eq!(count(&dir, "SELECT count(*) FROM customer WHERE customer_ref = 'shared-ref'"), 1);
    assert_eq!(count(&dir, "SELECT count(*) FROM ecard"), 1);
}

#[test]
fn loyalty_balances_never_go_negative_across_replicas() {
    let dir = fresh_state_dir();
    let replicas = start_replicas(&dir, &["a", "b"], &[]);
    let token = token(ORG_A.2);
    let post = |path: &str, body: Value| {
        let answer = call(&replicas[0], "POST", path, Some(&token), &[], Some(&body));
        assert_eq!(answer.status, 201, "{path}: {}", answer.body);
        answer.json()["id"].as_i64().or(answer.json()["customerNumber"].as_i64()).expect("an id")
    };
    let program = post(
        "/customers/v2/loyalty-programs",
        json!({"name": "Poeng", "type": "POINTS", "validFrom": "2020-01-01"}),
    );
    let n = post("/customers/v2/profiles", person(0, "member"));
    let memberships = format!("/customers/v2/profiles/{n}/loyalty-programs");
    let membership = post(&memberships, json!({"programId": program}));
    let transactions = format!("{memberships}/{membership}/transactions");
    post(&transactions, json!({"amount": 5}));

    let spent = race(&replicas, 12, |_, replica| {
        call(replica, "POST", &transactions, Some(&token), &[], Some(&json!({"amount": -1})))
    });
    assert_eq!(statuses(&spent).iter().filter(|s| **s == 201).count(), 5, "{:?}", statuses(&spent));
    for refused in spent.iter().filter(|a| a.status != 201) {
        assert_eq!(
            (refused.status, refused.error_code().as_str()),
            (409, "INSUFFICIENT_BALANCE"),
            "{}",
            refused.body
        );
    }
    let history = call(&replicas[1], "GET", &transactions, Some(&token), &[], None).json();
    let balances: Vec<i64> =
        history.as_array().unwrap().iter().map(|t| t["balanceAfter"].as_i64().unwrap()).collect();
    assert_eq!(balances, [5, 4, 3, 2, 1, 0], "each transaction saw the one committed before it");
    let listed = call(&replicas[1], "GET", &memberships, Some(&token), &[], None).json();
    assert_eq!(listed[0]["balance"], 0);
}

#[test]
fn two_purges_at_once_delete_each_row_once_and_neither_fails() {
    if test_host_only("moves the components' clock three days on") {
        return;
    }
    let dir = fresh_state_dir();
    const TEMPORARY: usize = 600; // more than one batch of 500
    const DEACTIVATED: usize = 20;
    let (mut purged_numbers, mut survivors) = (Vec::new(), Vec::new());
    {
        // Today: two replicas create what will have expired in three days, and what will not.
        let replicas = start_replicas(&dir, &["a", "b"], &[]);
        let token = token(ORG_A.2);
        let tomorrow = date_in_days(1);
        let created = std::thread::scope(|s| {
            let handles: Vec<_> = (0..6)
                .map(|t| {
                    let (replica, token, tomorrow) = (&replicas[t % 2], &token, &tomorrow);
                    s.spawn(move || {
                        (t..TEMPORARY)
                            .step_by(6)
                            .map(|i| {
                                let body = json!({"expirationDate": tomorrow, "surname": format!("Gjest-{i}"),
                                                  "createdBy": "billettautomat", "createdByChannel": "TVM"});
                                let answer = call(
                                    replica,
                                    "POST",
                                    "/customers/v2/profiles/temporary",
                                    Some(token),
                                    &[],
                                    Some(&body),
                                );
                                assert_eq!(answer.status, 201, "{}", answer.body);
                                answer.json()["customerNumber"].as_i64().unwrap()
                            })
                            .collect::<Vec<i64>>()
                    })
                })
                .collect();
            handles.into_iter().flat_map(|h| h.join().unwrap()).collect::<Vec<i64>>()
        });
        purged_numbers.extend(created);
        for i in 0..DEACTIVATED {
            let replica = &replicas[i % 2];
            let answer =
                call(replica, "POST", "/customers/v2/profiles", Some(&token), &[], Some(&person(i, "gone")));
            let n = answer.json()["customerNumber"].as_i64().unwrap();
            let body = json!({"expirationDate": tomorrow, "changedBy": "t", "changedByChannel": "WEB"});
            let path = format!("/customers/v2/profiles/{n}/deactivate");
            assert_eq!(call(replica, "POST", &path, Some(&token), &[], Some(&body)).status, 200);
            purged_numbers.push(n);
        }
        for i in 0..5 {
            let body =
                json!({"expirationDate": date_in_days(10), "createdBy": "t", "createdByChannel": "TVM"});
            let answer = call(
                &replicas[0],
                "POST",
                "/customers/v2/profiles/temporary",
                Some(&token),
                &[],
                Some(&body),
            );
            survivors.push(format!("/customers/v2/profiles/temporary/{}", answer.json()["customerNumber"]));
            let answer = call(
                &replicas[1],
                "POST",
                "/customers/v2/profiles",
                Some(&token),
                &[],
                Some(&person(i, "stays")),
            );
            survivors.push(format!("/customers/v2/profiles/{}", answer.json()["customerNumber"]));
        }
    } // the first replicas stop

    // Three days later: two new replicas, and four purges (two on each) at the same moment,
    // while other requests read and write on both.
    let shift = 3 * 86_400;
    let replicas =
        start_replicas(&dir, &["c", "d"], &["--clock-offset-ms".into(), (shift * 1000).to_string()]);
    let token = token_at(ORG_A.2, shift);
    const PURGES: usize = 4;
    let answers = race(&replicas, 12, |i, replica| match i {
        _ if i < PURGES => {
            call(replica, "POST", "/customers/v2/admin/purge-expired", Some(&token), &[], Some(&json!({})))
        }
        _ if i % 2 == 0 => {
            call(replica, "POST", "/customers/v2/profiles", Some(&token), &[], Some(&person(i, "during")))
        }
        _ => call(replica, "GET", &survivors[i % survivors.len()], Some(&token), &[], None),
    });
    for (i, answer) in answers.iter().enumerate() {
        let expected = match i {
            _ if i < PURGES => 200,
            _ if i % 2 == 0 => 201,
            _ => 200,
        };
        assert_eq!(answer.status, expected, "request {i} during the purges: {}", answer.body);
    }
    let purges = &answers[..PURGES];
    let bodies: Vec<&str> = purges.iter().map(|a| a.body.as_str()).collect();
    for purge in purges {
        assert_eq!(purge.json()["complete"], true, "{bodies:?}");
    }
    // The calls report what each deleted: together at most everything (batches piggy-backed on
    // the other requests may have taken some), and no row twice (below).
    let reported = |kind: &str| purges.iter().map(|a| a.json()[kind].as_i64().unwrap()).sum::<i64>();
    assert!(reported("temporaryProfiles") <= TEMPORARY as i64, "{bodies:?}");
    assert!(reported("deactivatedProfiles") <= DEACTIVATED as i64, "{bodies:?}");
    assert!(reported("temporaryProfiles") > 0, "{bodies:?}");

    // Each purged profile has exactly one PURGED audit entry (written in the transaction that
    // deleted it), and none of them is left.
    let numbers = purged_numbers.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let audited = count(
        &dir,
        &format!(
            "SELECT count(*) FROM audit_event WHERE action = 'PURGED' AND customer_number IN ({numbers})"
        ),
    );
    assert_eq!(audited, purged_numbers.len() as i64, "each expired profile purged exactly once");
    assert_eq!(
        count(&dir, "SELECT count(*) FROM (SELECT customer_number FROM audit_event WHERE action = 'PURGED' GROUP BY customer_number HAVING count(*) > 1)"),
        0
    );
    assert_eq!(
        count(&dir, &format!("SELECT count(*) FROM customer WHERE customer_number IN ({numbers})")),
        0
    );
    for path in &survivors {
        assert_eq!(
            call(&replicas[0], "GET", path, Some(&token), &[], None).status,
            200,
            "{path} was not due"
        );
    }
}

#[test]
fn an_idempotency_key_replays_on_any_replica() {
    let dir = fresh_state_dir();
    let replicas = start_replicas(&dir, &["a", "b"], &[]);
    let token = token(ORG_A.2);
    let create = |replica: &Replica, key: &str, body: &Value| {
        call(replica, "POST", "/customers/v2/profiles", Some(&token), &[("idempotency-key", key)], Some(body))
    };

    let body = person(1, "retry");
    let first = create(&replicas[0], "order-1", &body);
    assert_eq!(first.status, 201, "{}", first.body);
    assert_eq!(first.header("idempotent-replayed"), None);
    let retried = create(&replicas[1], "order-1", &body);
    assert_eq!(retried.status, 201, "{}", retried.body);
    assert_eq!(retried.header("idempotent-replayed"), Some("true"));
    assert_eq!(retried.json(), first.json(), "the same response, from the other replica");
    assert_eq!(retried.header("location"), first.header("location"));
    let reused = create(&replicas[1], "order-1", &person(2, "other"));
    assert_eq!((reused.status, reused.error_code().as_str()), (422, "IDEMPOTENCY_KEY_REUSED"));

    // The same key sent to both replicas at once: one create, every answer the same profile.
    let body = person(3, "twins");
    let twins = race(&replicas, 8, |_, replica| create(replica, "order-2", &body));
    assert!(twins.iter().all(|a| a.status == 201), "{:?}", statuses(&twins));
    let numbers: std::collections::BTreeSet<i64> =
        twins.iter().map(|a| a.json()["customerNumber"].as_i64().unwrap()).collect();
    assert_eq!(numbers.len(), 1, "one profile for one key: {numbers:?}");
    let replayed = twins.iter().filter(|a| a.header("idempotent-replayed") == Some("true")).count();
    assert_eq!(replayed, twins.len() - 1, "all but the first are replays");
    assert_eq!(count(&dir, "SELECT count(*) FROM customer WHERE email_key = 'twins-3@example.no'"), 1);
}

#[test]
fn each_replica_logs_one_line_per_request_it_served() {
    let dir = fresh_state_dir();
    let replicas = start_replicas(&dir, &["a", "b"], &[]);
    let token = token(ORG_A.2);
    let created =
        call(&replicas[0], "POST", "/customers/v2/profiles", Some(&token), &[], Some(&person(1, "logged")));
    let n = created.json()["customerNumber"].as_i64().unwrap();
    // Many requests at once, so that each host runs many guests writing to its stderr together.
    const REQUESTS: usize = 48;
    let answers = race(&replicas, REQUESTS, |i, replica| match i % 3 {
        0 => call(replica, "GET", &format!("/customers/v2/profiles/{n}"), Some(&token), &[], None),
        1 => {
            let correlation = format!("corr-{i}");
            call(replica, "GET", "/health/consents", None, &[("x-correlation-id", &correlation)], None)
        }
        _ => call(replica, "GET", "/customers/v2/profiles/temporary/1", Some(&token), &[], None),
    });
    assert!(answers.iter().all(|a| [200, 404].contains(&a.status)), "{:?}", statuses(&answers));
    let expected = (1 + REQUESTS / 2, REQUESTS / 2);
    // A guest's stderr reaches the file shortly after its response: wait for the lines.
    let mut waited = 0;
    let (a, b) = loop {
        let (a, b) = (replicas[0].log_lines(), replicas[1].log_lines());
        if (a.len(), b.len()) == expected || waited >= 50 {
            break (a, b);
        }
        std::thread::sleep(Duration::from_millis(100));
        waited += 1;
    };
    let logs = replicas[0].log_text() + &replicas[1].log_text();
    let garbled: Vec<&str> = logs
        .lines()
        .filter(|l| !l.starts_with("testhost: ") && serde_json::from_str::<Value>(l).is_err())
        .collect();
    assert!(garbled.is_empty(), "lines of concurrent requests ran into each other: {:?}", &garbled[..1]);
    assert_eq!((a.len(), b.len()), expected, "one line per request, by the replica that served it");
    for line in a.iter().chain(&b) {
        for field in ["correlationId", "route", "status", "ms", "method"] {
            assert!(!line[field].is_null(), "{field} missing in {line}");
        }
    }
    let health: Vec<&Value> = a.iter().chain(&b).filter(|l| l["route"] == "/health/consents").collect();
    assert_eq!(health.len(), REQUESTS / 3);
    assert!(health.iter().all(|l| l["correlationId"].as_str().unwrap().starts_with("corr-")));
    for secret in [token.as_str(), "Nordmann-logged", "logged-1@example.no"] {
        assert!(!logs.contains(secret), "a replica logged {secret}");
    }
}

#[test]
fn a_purge_of_a_large_backlog_leaves_every_other_writer_its_turn() {
    let dir = fresh_state_dir();
    let replicas = start_replicas(&dir, &["a", "b"], &[]);
    let token = token(ORG_A.2);
    let seed =
        call(&replicas[0], "POST", "/customers/v2/profiles", Some(&token), &[], Some(&person(0, "seed")));
    assert_eq!(seed.status, 201, "{}", seed.body);

    // A backlog no scheduler worked off: 110,000 temporary profiles that expired long ago,
    // written straight into the shared database (through the API that would take minutes).
    // More than one call may purge (api::purge::PACING: at most 100,000 profiles), so that
    // the call must stop and say so, however fast the machine.
    const BACKLOG: i64 = 110_000;
    let backlog = format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {BACKLOG})
         INSERT INTO customer (organisation_id, uuid, customer_ref, profile_type, status, expiration_date,
                               surname, surname_key, created_at, created_by, created_by_channel,
                               changed_at, changed_by, changed_by_channel)
         SELECT {org}, hex(randomblob(16)), 'backlog-' || i, 'T', 'A', '2020-01-01T00:00:00.000Z',
                'Gjest', 'gjest', '2019-12-01T00:00:00.000Z', 't', 'TVM', '2019-12-01T00:00:00.000Z', 't', 'TVM'
           FROM n",
        org = ORG_A.2
    );
    DatabaseAt::of(&dir).open().execute(&backlog, &[]).block_on().expect("the backlog is written");

    // One purge call, and writers on both replicas, one create after the other, for as long
    // as it runs. Before purges paused between batches, the call took the write lock back the
    // moment it committed, batch after batch, for as long as the backlog lasted, and writers
    // waiting in SQLite's busy handler gave up after 5 s: 500 "database is locked".
    let purging = std::sync::atomic::AtomicBool::new(true);
    let (purge, writes) = std::thread::scope(|s| {
        let purge = s.spawn(|| {
            let answer = call(
                &replicas[0],
                "POST",
                "/customers/v2/admin/purge-expired",
                Some(&token),
                &[],
                Some(&json!({})),
            );
            purging.store(false, std::sync::atomic::Ordering::SeqCst);
            answer
        });
        let writers: Vec<_> = (0..6)
            .map(|w| {
                let (replica, token, purging) = (&replicas[w % 2], &token, &purging);
                s.spawn(move || {
                    std::thread::sleep(Duration::from_millis(300)); // the purge has begun
                    let mut answers = Vec::new();
                    while purging.load(std::sync::atomic::Ordering::SeqCst) || answers.is_empty() {
                        let body = person(w * 10_000 + answers.len(), "writer");
                        answers.push(call(
                            replica,
                            "POST",
                            "/customers/v2/profiles",
                            Some(token),
                            &[],
                            Some(&body),
                        ));
                    }
                    answers
                })
            })
            .collect();
        let writes: Vec<TestResponse> = writers.into_iter().flat_map(|w| w.join().unwrap()).collect();
        (purge.join().unwrap(), writes)
    });
    let failed: Vec<&str> = writes.iter().filter(|a| a.status != 201).map(|a| a.body.as_str()).collect();
    assert!(
        failed.is_empty(),
        "{} of {} writes failed while purging: {:?}",
        failed.len(),
        writes.len(),
        failed.first()
    );
    assert_eq!(purge.status, 200, "{}", purge.body);
    let body = purge.json();
    assert!(body["temporaryProfiles"].as_i64().unwrap() > 0, "{body}");
    assert_eq!(body["complete"], false, "a call is bounded and leaves the rest for the next one: {body}");
    let left = count(&dir, "SELECT count(*) FROM customer WHERE customer_ref LIKE 'backlog-%'");
    let audited = count(&dir, "SELECT count(*) FROM audit_event WHERE action = 'PURGED'");
    assert_eq!(audited, BACKLOG - left, "every purged row once in the audit trail");
    drop(replicas);
    let _ = std::fs::remove_dir_all(&dir); // 30 MB of backlog
}
