//! The `Db` seam over a libSQL server's HTTP API (Hrana over HTTP: `POST /v2/pipeline`), the
//! protocol Spin's libSQL client speaks to sqld and Turso. One `LibSql` is one stream, one
//! connection on the server: the baton each answer carries is sent with the next request, so a
//! transaction spans `execute` calls as it does in Spin. The stream is closed when dropped.

use base64ct::{Base64, Encoding};
use domain::db::{Backend, Db, DbError, Rows, Value};
use serde_json::{json, Value as Json};
use std::cell::RefCell;
use std::time::Duration;

pub struct LibSql {
    agent: ureq::Agent,
    /// `http(s)://host[:port]` (a `libsql://` URL is HTTPS).
    url: String,
    token: Option<String>,
    stream: RefCell<Stream>,
}

/// Where the server's stream stands.
#[derive(Default)]
struct Stream {
    baton: Option<String>,
    /// The server may ask for the stream's next requests elsewhere (Turso).
    base_url: Option<String>,
}

impl LibSql {
    /// A stream to the server at `url`, authenticated with `token` (a bearer token; sqld run
    /// without auth accepts any, or none).
    pub fn connect(url: &str, token: Option<&str>) -> Self {
        let url = match url.strip_prefix("libsql://") {
            Some(host) => format!("https://{host}"),
            None => url.to_owned(),
        };
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .new_agent();
        LibSql {
            agent,
            url: url.trim_end_matches('/').to_owned(),
            token: token.map(str::to_owned),
            stream: RefCell::default(),
        }
    }

    /// Sends one request of the stream and returns its result.
    fn request(&self, request: Json) -> Result<Json, DbError> {
        let (base, baton) = {
            let stream = self.stream.borrow();
            (stream.base_url.clone().unwrap_or_else(|| self.url.clone()), stream.baton.clone())
        };
        let body = json!({"baton": baton, "requests": [request]});
        let mut call =
            self.agent.post(format!("{base}/v2/pipeline")).header("content-type", "application/json");
        if let Some(token) = &self.token {
            call = call.header("authorization", format!("Bearer {token}"));
        }
        let failed = |e: &dyn std::fmt::Display| DbError::Other(format!("libSQL at {}: {e}", self.url));
        let response = call.send(body.to_string()).map_err(|e| failed(&e))?;
        let status = response.status().as_u16();
        let text = response.into_body().read_to_string().map_err(|e| failed(&e))?;
        if status != 200 {
            return Err(failed(&format!("HTTP {status}: {text}")));
        }
        let mut answer: Json = serde_json::from_str(&text).map_err(|e| failed(&e))?;
        {
            let mut stream = self.stream.borrow_mut();
            stream.baton = answer["baton"].as_str().map(str::to_owned);
            if let Some(base_url) = answer["base_url"].as_str() {
                stream.base_url = Some(base_url.trim_end_matches('/').to_owned());
            }
        }
        let result = answer["results"][0].take();
        match result["type"].as_str() {
            Some("ok") => Ok(result),
            Some("error") => {
                // sqld's text, e.g. "SQLite error: UNIQUE constraint failed: …", classified
                // like Spin's (errors::classify).
                let message = result["error"]["message"].as_str().unwrap_or("unknown error").to_owned();
                Err(errors::classify(message))
            }
            _ => Err(failed(&format!("unexpected answer: {text}"))),
        }
    }
}

/// Synchronous (ureq): the futures are ready at once.
impl Db for LibSql {
    async fn execute(&self, sql: &str, params: &[Value]) -> Result<Rows, DbError> {
        let args: Vec<Json> = params.iter().map(to_hrana).collect();
        let mut result =
            self.request(json!({"type": "execute", "stmt": {"sql": sql, "args": args, "want_rows": true}}))?;
        let result = result["response"]["result"].take();
        let columns = result["cols"]
            .as_array()
            .map(|cols| cols.iter().map(|c| c["name"].as_str().unwrap_or("").to_owned()).collect())
            .unwrap_or_default();
        let mut rows = Vec::new();
        for row in result["rows"].as_array().into_iter().flatten() {
            rows.push(
                row.as_array().into_iter().flatten().map(from_hrana).collect::<Result<Vec<Value>, _>>()?,
            );
        }
        Ok(Rows { columns, rows })
    }

    /// A libSQL server, by construction.
    async fn backend(&self) -> Result<Backend, DbError> {
        Ok(Backend::LibSql)
    }
}

impl Drop for LibSql {
    fn drop(&mut self) {
        if self.stream.borrow().baton.is_some() {
            let _ = self.request(json!({"type": "close"}));
        }
    }
}

/// A value as Hrana writes it (integers as decimal strings, blobs in base64).
fn to_hrana(value: &Value) -> Json {
    match value {
        Value::Null => json!({"type": "null"}),
        Value::Integer(i) => json!({"type": "integer", "value": i.to_string()}),
        Value::Real(r) => json!({"type": "float", "value": r}),
        Value::Text(t) => json!({"type": "text", "value": t}),
        Value::Blob(b) => json!({"type": "blob", "base64": Base64::encode_string(b)}),
    }
}

fn from_hrana(value: &Json) -> Result<Value, DbError> {
    let bad = || DbError::Other(format!("libSQL: unreadable value {value}"));
    Ok(match value["type"].as_str() {
        Some("null") => Value::Null,
        Some("integer") => {
            Value::Integer(value["value"].as_str().and_then(|v| v.parse().ok()).ok_or_else(bad)?)
        }
        Some("float") => Value::Real(value["value"].as_f64().ok_or_else(bad)?),
        Some("text") => Value::Text(value["value"].as_str().ok_or_else(bad)?.to_owned()),
        Some("blob") => {
            let encoded = value["base64"].as_str().ok_or_else(bad)?;
            // Hrana may leave out the padding.
            let padded = format!("{encoded}{}", "=".repeat((4 - encoded.len() % 4) % 4));
            Value::Blob(Base64::decode_vec(&padded).map_err(|_| bad())?)
        }
        _ => return Err(bad()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_go_to_hrana_and_back_unchanged() {
        for value in [
            Value::Null,
            Value::Integer(-9_007_199_254_740_993),
            Value::Real(1.5),
            Value::Text("Ærlig ø".into()),
            Value::Blob(vec![0, 1, 254, 255, 7]),
        ] {
            assert_eq!(from_hrana(&to_hrana(&value)).unwrap(), value);
        }
        let unpadded = json!({"type": "blob", "base64": "AAH+/wc"});
        assert_eq!(from_hrana(&unpadded).unwrap(), Value::Blob(vec![0, 1, 254, 255, 7]));
    }
}
