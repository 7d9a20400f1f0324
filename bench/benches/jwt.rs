//! JWT verification per algorithm, with the JWKS parsed once (cached), natively: the crypto
//! and claim checks `auth::Verifier::verify` does on every authenticated request. Also the
//! parsing of the JWKS document, which a component does on each request (no memory survives
//! one; the document comes from key-value or the `jwt_jwks` variable).
//!
//! Writes `<out>/native-jwt.json` (p50/p99 over individually timed calls).

use auth::{Jwks, Verifier};
use bench::keys::{Keys, ALGORITHMS};
use bench::stats::{write_json, Summary};
use criterion::Criterion;
use std::hint::black_box;
use std::time::{Duration, Instant};

fn timed(name: &str, runs: usize, mut f: impl FnMut()) -> Summary {
    for _ in 0..runs / 10 {
        f();
    }
    let started = Instant::now();
    let mut latencies: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    Summary::of(name, &mut latencies, 0, started.elapsed())
}

fn main() {
    let keys = Keys::generate();
    let jwks_text = keys.jwks();
    let jwks = Jwks::parse(&jwks_text).expect("JWKS");
    let verifier = Verifier::new(bench::ISSUER, bench::AUDIENCE);
    let now = bench::now_millis() / 1000;
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30)
        .configure_from_args();
    let mut summaries = Vec::new();
    {
        let mut group = c.benchmark_group("jwt_verify");
        for alg in ALGORITHMS {
            let token = keys.token(alg, bench::BIG_ORG, 3600);
            verifier.verify(&token, &jwks, now).expect("the benchmark token verifies");
            group.bench_function(alg, |b| b.iter(|| verifier.verify(black_box(&token), &jwks, now).unwrap()));
            summaries.push(timed(&format!("jwt_verify/{alg}"), 2000, || {
                black_box(verifier.verify(&token, &jwks, now).unwrap());
            }));
        }
        group.finish();
    }
    c.bench_function("jwks_parse/3 keys", |b| b.iter(|| Jwks::parse(black_box(&jwks_text)).unwrap()));
    summaries.push(timed("jwks_parse/3 keys", 2000, || {
        black_box(Jwks::parse(&jwks_text).unwrap());
    }));
    let path = write_json("native-jwt.json", &summaries).expect("writing results");
    eprintln!("jwt: wrote {}", path.display());
    c.final_summary();
}
