//! Benchmark floor 2, WASIp3 (spin-sdk 7): the indexed SELECT of `bench/floors/select` on a
//! connection the instance keeps open between requests (one per concurrent request, like the
//! service's pool in `crates/spin-glue/src/p3/db.rs`), with `Content-Length` set. The p3
//! `GET /profiles/{n}` is compared against it: what the p3 build could reach at best.
//!
//! `GET /bench/select-p3/{n}`; `GET /bench/select-p3/rows/{k}` reads the first `k` customers
//! and answers how many came (see `bench/floors/select`).

use spin_sdk::http::FullBody;
use spin_sdk::sqlite::{Connection, Value};
use std::cell::RefCell;

type Response = http::Response<FullBody<bytes::Bytes>>;

thread_local! {
    /// Idle connections of this instance (an instance is single-threaded; up to 16 requests
    /// take turns at each `.await`, each on a connection of its own).
    static IDLE: RefCell<Vec<Connection>> = const { RefCell::new(Vec::new()) };
}

#[spin_sdk::http_service]
async fn handle(req: spin_sdk::http::Request) -> Response {
    let number: i64 = req.uri().path().rsplit('/').next().and_then(|n| n.parse().ok()).unwrap_or(1);
    let db = match IDLE.with(|idle| idle.borrow_mut().pop()) {
        Some(db) => db,
        None => match Connection::open_default().await {
            Ok(db) => db,
            Err(e) => return respond(500, e.to_string()),
        },
    };
    let path = req.uri().path();
    let answer = if path.contains("/sync-rows/") {
        first_rows_at_once(number).await
    } else if path.contains("/rows/") {
        first_rows(&db, number).await
    } else {
        select(&db, number).await
    };
    IDLE.with(|idle| idle.borrow_mut().push(db));
    answer
}

async fn select(db: &Connection, number: i64) -> Response {
    let result = db
        .execute(
            "SELECT customer_number, first_name, surname FROM customer WHERE customer_number = ?",
            [Value::Integer(number)],
        )
        .await;
    let rows = match result {
        Ok(result) => result.collect().await,
        Err(e) => Err(e),
    };
    match rows {
        Ok(rows) => {
            match rows.first() {
                Some(row) => {
                    let first: &str = row.get(1).unwrap_or("");
                    let last: &str = row.get(2).unwrap_or("");
                    respond(200, format!("{{\"customerNumber\":{number},\"firstName\":\"{first}\",\"surname\":\"{last}\"}}"))
                }
                None => respond(404, String::new()),
            }
        }
        Err(e) => respond(500, e.to_string()),
    }
}

async fn first_rows(db: &Connection, count: i64) -> Response {
    let sql = "SELECT customer_number, first_name, surname FROM customer ORDER BY customer_number LIMIT ?";
    match db.execute(sql, [Value::Integer(count)]).await {
        Ok(result) => match result.collect().await {
            Ok(rows) => respond(200, rows.len().to_string()),
            Err(e) => respond(500, e.to_string()),
        },
        Err(e) => respond(500, e.to_string()),
    }
}

/// The same rows through the interface's synchronous `execute`, which hands them over in one
/// call (a connection of its own, opened for this request).
async fn first_rows_at_once(count: i64) -> Response {
    use spin_sdk::sqlite::wit::sqlite::Connection as Raw;
    let sql = "SELECT customer_number, first_name, surname FROM customer ORDER BY customer_number LIMIT ?";
    let db = match Raw::open_async("default".to_owned()).await {
        Ok(db) => db,
        Err(e) => return respond(500, e.to_string()),
    };
    match db.execute(sql, &[Value::Integer(count)]) {
        Ok(result) => respond(200, result.rows.len().to_string()),
        Err(e) => respond(500, e.to_string()),
    }
}

fn respond(status: u16, body: String) -> Response {
    http::Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .header("content-length", body.len())
        .body(FullBody::new(bytes::Bytes::from(body)))
        .expect("a valid response")
}
