//! Benchmark probe: hello world plus the host calls named in the query, so that what each one
//! costs on real Spin can be measured by itself (CPU time of the `spin` process per request,
//! `scripts/bench-probe`). `GET /bench/probe?do=variables,kv,log,random,sqlite,select`:
//! - `variables`: six `variables::get` (what an API request reads);
//! - `variable`: one;
//! - `kv`: open the default key-value store and get one key;
//! - `log`: one line to stderr;
//! - `random`: 16 bytes of `wasi:random`;
//! - `sqlite`: open the default database; `select`: and run one indexed SELECT.

use spin_sdk::http::{Request, Response};

#[spin_sdk::http_component]
fn handle(req: Request) -> Response {
    let query = req.query();
    let ops = query.strip_prefix("do=").unwrap_or("");
    let mut out = 0usize;
    for op in ops.split(',') {
        match op {
            "variables" => {
                for name in ["jwt_issuer", "jwt_audience", "jwt_jwks_url", "jwt_jwks", "organisation_claim", "dev_issuer_enabled"] {
                    out += spin_sdk::variables::get(name).map(|v| v.len()).unwrap_or(0);
                }
            }
            "variable" => out += spin_sdk::variables::get("jwt_issuer").map(|v| v.len()).unwrap_or(0),
            "kv" => {
                let store = spin_sdk::key_value::Store::open_default().expect("kv");
                out += store.get("probe").ok().flatten().map(|v| v.len()).unwrap_or(0);
            }
            "log" => eprintln!("{{\"probe\":true,\"line\":\"one json line of about the size of ours, with a correlation id\"}}"),
            "random" => out += wasi_random(),
            "sqlite" | "select" => {
                let db = spin_sdk::sqlite::Connection::open_default().expect("sqlite");
                if op == "select" {
                    let rows = db
                        .execute("SELECT surname FROM customer WHERE customer_number = ?", &[spin_sdk::sqlite::Value::Integer(12345)])
                        .expect("select");
                    out += rows.rows.len();
                }
            }
            _ => {}
        }
    }
    Response::builder().status(200).header("content-type", "text/plain").body(format!("{out}")).build()
}

fn wasi_random() -> usize {
    let mut bytes = [0u8; 16];
    let _ = getrandom(&mut bytes);
    bytes.iter().map(|b| *b as usize).sum()
}

fn getrandom(bytes: &mut [u8]) -> Result<(), ()> {
    // std's HashMap seeds come from wasi:random; RandomState draws 16 bytes.
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u8(0);
    bytes[..8].copy_from_slice(&h.finish().to_le_bytes());
    Ok(())
}
