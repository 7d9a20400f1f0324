//! Benchmark floor 2: open the default SQLite database and run one indexed SELECT (a customer
//! by its number, the primary key), with Spin's defaults and no pragma. The authenticated
//! `GET /profiles/{n}` is compared against it.
//!
//! `GET /bench/select/{n}`. `GET /bench/select/rows/{k}` reads the first `k` customers instead
//! and answers how many came: the cost of the rows a query hands the component, beside
//! `/bench/select-p3/rows/{k}` (docs/performance.md, "WASIp3 beside WASIp2").

use spin_sdk::http::{Request, Response};
use spin_sdk::sqlite::{Connection, Value};

#[spin_sdk::http_component]
fn handle(req: Request) -> Response {
    let number: i64 = req.path().rsplit('/').next().and_then(|n| n.parse().ok()).unwrap_or(1);
    let db = match Connection::open_default() {
        Ok(db) => db,
        Err(e) => return Response::new(500, e.to_string()),
    };
    if req.path().contains("/rows/") {
        let sql =
            "SELECT customer_number, first_name, surname FROM customer ORDER BY customer_number LIMIT ?";
        return match db.execute(sql, &[Value::Integer(number)]) {
            Ok(rows) => Response::new(200, rows.rows().count().to_string()),
            Err(e) => Response::new(500, e.to_string()),
        };
    }
    let result = db.execute(
        "SELECT customer_number, first_name, surname FROM customer WHERE customer_number = ?",
        &[Value::Integer(number)],
    );
    match result {
        Ok(rows) => match rows.rows().next() {
            Some(row) => {
                let first: &str = row.get("first_name").unwrap_or("");
                let last: &str = row.get("surname").unwrap_or("");
                let body = format!(
                    "{{\"customerNumber\":{number},\"firstName\":\"{first}\",\"surname\":\"{last}\"}}"
                );
                Response::builder().status(200).header("content-type", "application/json").body(body).build()
            }
            None => Response::new(404, ""),
        },
        Err(e) => Response::new(500, e.to_string()),
    }
}
