//! Benchmark floor 2: open the default SQLite database and run one indexed SELECT (a customer
//! by its number, the primary key), with Spin's defaults and no pragma. The authenticated
//! `GET /profiles/{n}` is compared against it.
//!
//! `GET /bench/select/{n}`.

use spin_sdk::http::{Request, Response};
use spin_sdk::sqlite::{Connection, Value};

#[spin_sdk::http_component]
fn handle(req: Request) -> Response {
    let number: i64 = req.path().rsplit('/').next().and_then(|n| n.parse().ok()).unwrap_or(1);
    let db = match Connection::open_default() {
        Ok(db) => db,
        Err(e) => return Response::new(500, e.to_string()),
    };
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
