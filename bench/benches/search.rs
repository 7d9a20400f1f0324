//! Every search statement of `domain::profile::search` against the seeded database
//! (1,000,000 profiles in organisation 1001): the service's SQL, made by
//! `Criteria::parse` + `Criteria::statement` from query parameters exactly as the endpoint
//! makes it, on a connection prepared as the service prepares one, each statement prepared
//! afresh as Spin's host does. The inputs are drawn from random existing customers, so
//! common surnames and first names come up as often as they occur.
//!
//! Writes `<out>/native-search.json`: p50/p99 per path over individually timed queries, and
//! each statement's query plan.

use bench::sqlite::SqliteDb;
use bench::stats::{write_json, Summary};
use criterion::Criterion;
use domain::db::{Db, Value};
use domain::profile::search::Criteria;
use domain::test_db::BlockOn;
use domain::time::Timestamp;
use errors::FieldErrors;
use std::hint::black_box;
use std::time::{Duration, Instant};

type Query = Vec<(String, String)>;
/// A search path: its name and the query parameters it makes from a sampled customer.
type Path = (&'static str, fn(&Customer) -> Option<Query>);

/// The search paths, each a function from a sampled customer to query parameters.
fn paths() -> Vec<Path> {
    fn q(pairs: &[(&str, &str)]) -> Query {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }
    vec![
        ("email", |c| Some(q(&[("email", c.email.as_deref()?)]))),
        ("surname", |c| Some(q(&[("surname", &c.surname)]))),
        ("firstName", |c| Some(q(&[("firstName", &c.first_name)]))),
        ("surname+firstName", |c| Some(q(&[("surname", &c.surname), ("firstName", &c.first_name)]))),
        ("telephoneNumber", |c| Some(q(&[("telephoneNumber", c.phone.as_deref()?)]))),
        ("landlineNumber", |c| Some(q(&[("landlineNumber", c.landline.as_deref()?)]))),
        ("customerRef", |c| Some(q(&[("customerRef", &c.customer_ref)]))),
        ("dateOfBirth", |c| Some(q(&[("dateOfBirth", c.date_of_birth.as_deref()?)]))),
        ("postCode", |c| Some(q(&[("postCode", c.post_code.as_deref()?)]))),
        ("postalAddress", |c| Some(q(&[("postalAddress", c.address_line1.as_deref()?)]))),
        ("surname+postCode+includeTemporary", |c| {
            Some(q(&[
                ("surname", &c.surname),
                ("postCode", c.post_code.as_deref()?),
                ("includeTemporary", "true"),
            ]))
        }),
    ]
}

struct Customer {
    first_name: String,
    surname: String,
    email: Option<String>,
    customer_ref: String,
    phone: Option<String>,
    landline: Option<String>,
    date_of_birth: Option<String>,
    post_code: Option<String>,
    address_line1: Option<String>,
}

fn sample(db: &SqliteDb) -> Vec<Customer> {
    let rows = db
        .execute(
            "SELECT c.first_name, c.surname, c.email, c.customer_ref, c.country_code, c.telephone_number,
                    c.landline_number, c.date_of_birth, a.post_code, a.address_line1
               FROM customer c LEFT JOIN postal_address a ON a.customer_number = c.customer_number
              WHERE c.organisation_id = ?1 AND c.profile_type = 'S' AND c.status = 'A'
              ORDER BY random() LIMIT 4000",
            &[Value::Integer(bench::BIG_ORG)],
        )
        .block_on()
        .expect("sampling customers");
    rows.iter()
        .map(|r| Customer {
            first_name: r.text("first_name").unwrap(),
            surname: r.text("surname").unwrap(),
            email: r.opt_text("email").unwrap(),
            customer_ref: r.text("customer_ref").unwrap(),
            phone: r
                .opt_text("telephone_number")
                .unwrap()
                .map(|n| format!("{}{n}", r.opt_text("country_code").unwrap().unwrap_or_default())),
            landline: r.opt_text("landline_number").unwrap(),
            date_of_birth: r.opt_text("date_of_birth").unwrap(),
            post_code: r.opt_text("post_code").unwrap(),
            address_line1: r.opt_text("address_line1").unwrap(),
        })
        .collect()
}

fn main() {
    let path = bench::seeded_db();
    assert!(path.is_file(), "no seeded database at {}: run the seed tool first", path.display());
    let db = SqliteDb::open(&path).expect("opening the seeded database");
    domain::on_demand::prepare_connection(&db).block_on().expect("the service's connection setup");
    let customers = sample(&db);
    let now = Timestamp(bench::now_millis());
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(20)
        .configure_from_args();
    let mut results = Vec::new();
    let mut group = c.benchmark_group("search_sql");
    for (name, make) in paths() {
        // The statements this path runs: the first page (100 + 1 rows) as the endpoint asks.
        let statements: Vec<(String, Vec<Value>)> = customers
            .iter()
            .filter_map(make)
            .map(|query| {
                let mut errs = FieldErrors::default();
                let criteria = Criteria::parse(&query, &mut errs);
                assert!(errs.is_empty(), "{name}: {query:?}: {errs:?}");
                criteria.statement(bench::BIG_ORG, now, 0, 101)
            })
            .collect();
        let (sql, params) = &statements[0];
        let plan: Vec<String> = db
            .execute(&format!("EXPLAIN QUERY PLAN {sql}"), params)
            .block_on()
            .expect("plan")
            .iter()
            .map(|r| r.text("detail").unwrap())
            .collect();
        let mut i = 0;
        group.bench_function(name, |b| {
            b.iter(|| {
                let (sql, params) = &statements[i % statements.len()];
                i += 1;
                black_box(db.execute(sql, params).block_on().unwrap())
            })
        });
        // The distribution: every input once (up to 1,000), each query timed on its own.
        let started = Instant::now();
        let mut rows = 0usize;
        let mut latencies: Vec<Duration> = statements
            .iter()
            .take(1000)
            .map(|(sql, params)| {
                let t = Instant::now();
                rows += db.execute(sql, params).block_on().unwrap().rows.len();
                t.elapsed()
            })
            .collect();
        let n = latencies.len();
        let summary = Summary::of(&format!("search_sql/{name}"), &mut latencies, 0, started.elapsed());
        eprintln!(
            "search: {name:<36} p50 {:>7.3} ms  p99 {:>7.3} ms  max {:>7.3} ms  ({n} queries, {:.1} rows each)  plan: {}",
            summary.p50_ms,
            summary.p99_ms,
            summary.max_ms,
            rows as f64 / n as f64,
            plan.join(" | ")
        );
        results.push(
            serde_json::json!({"summary": summary, "plan": plan, "rowsPerQuery": rows as f64 / n as f64}),
        );
    }
    group.finish();
    let path = write_json("native-search.json", &results).expect("writing results");
    eprintln!("search: wrote {}", path.display());
    c.final_summary();
}
