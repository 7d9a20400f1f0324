//! `GET /health` (contract §8): liveness and a database round trip, no token. Usable as a
//! Kubernetes liveness and readiness probe: 200 when the database answers, 503 when not.

use crate::SpinDb;
use domain::db::Db;
use errors::ApiError;
use http::Response;

pub fn health() -> Result<Response<Vec<u8>>, ApiError> {
    let database_up = SpinDb::open_default().and_then(|db| Ok(db.execute("SELECT 1", &[])?)).is_ok();
    let (status, body) = if database_up {
        (200, serde_json::json!({"status": "UP", "database": "UP"}))
    } else {
        (503, serde_json::json!({"status": "DOWN", "database": "DOWN"}))
    };
    web::json_response(status, &body)
}
