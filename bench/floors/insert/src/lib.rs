//! Benchmark floor 3: open the default SQLite database and run one INSERT, with Spin's
//! defaults and no pragma (no `synchronous`, no explicit transaction): the naive write. Creating
//! a profile is compared against it.
//!
//! `POST /bench/insert`. The table `bench_insert_floor` is made by the seeding tool.

use spin_sdk::http::{Request, Response};
use spin_sdk::sqlite::{Connection, Value};

#[spin_sdk::http_component]
fn handle(req: Request) -> Response {
    let db = match Connection::open_default() {
        Ok(db) => db,
        Err(e) => return Response::new(500, e.to_string()),
    };
    let payload = String::from_utf8_lossy(req.body()).into_owned();
    let result = db.execute(
        "INSERT INTO bench_insert_floor (organisation_id, payload, at)
         VALUES (1001, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) RETURNING id",
        &[Value::Text(payload)],
    );
    match result {
        Ok(rows) => {
            let id: i64 = rows.rows().next().and_then(|r| r.get("id")).unwrap_or(0);
            Response::builder()
                .status(201)
                .header("content-type", "application/json")
                .body(format!("{{\"id\":{id}}}"))
                .build()
        }
        Err(e) => Response::new(500, e.to_string()),
    }
}
