//! `GET /health` (contract §8): liveness and a database round trip, no token. Usable as a
//! Kubernetes liveness and readiness probe: 200 when the database answers, 503 when not.

use crate::SpinDb;
use domain::db::Db;
use errors::ApiError;
use http::Response;

pub async fn health() -> Result<Response<Vec<u8>>, ApiError> {
    let database_up = match SpinDb::open_default().await {
        Ok(db) => db.execute("SELECT 1", &[]).await.is_ok(),
        Err(_) => false,
    };
    let (status, body) = if database_up {
        (200, serde_json::json!({"status": "UP", "database": "UP"}))
    } else {
        (503, serde_json::json!({"status": "DOWN", "database": "DOWN"}))
    };
    web::json_response(status, &body)
}
