//! The clients the local issuer knows (`dev_clients`) and the token request.

use errors::ApiError;
use http::Request;
use serde::Deserialize;

/// One configured client.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DevClient {
    pub client_id: String,
    pub client_secret: String,
    pub organisation_id: i64,
    #[serde(default)]
    pub permissions: Vec<String>,
}

/// The body of `POST /oauth/token`, JSON or form-encoded (OAuth 2.0 names).
#[derive(Debug, Default, Deserialize)]
pub struct TokenRequest {
    pub grant_type: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub audience: Option<String>,
}

impl TokenRequest {
    pub fn parse(req: &Request<Vec<u8>>) -> Result<Self, ApiError> {
        let form = web::header(req, "content-type")
            .is_some_and(|t| t.to_ascii_lowercase().starts_with("application/x-www-form-urlencoded"));
        if !form {
            return web::json(req);
        }
        if req.body().len() > web::MAX_BODY_BYTES || req.extensions().get::<web::BodyTooLarge>().is_some() {
            return Err(ApiError::PayloadTooLarge);
        }
        let mut parsed = Self::default();
        for (name, value) in form_urlencoded::parse(req.body()) {
            let slot = match name.as_ref() {
                "grant_type" => &mut parsed.grant_type,
                "client_id" => &mut parsed.client_id,
                "client_secret" => &mut parsed.client_secret,
                "audience" => &mut parsed.audience,
                _ => continue, // OAuth servers ignore parameters they do not know
            };
            *slot = Some(value.into_owned());
        }
        Ok(parsed)
    }
}

/// The configured client with this id and secret, else 401 `INVALID_CLIENT`.
pub fn authenticate(request: &TokenRequest) -> Result<DevClient, ApiError> {
    let configured = spin_glue::variable("dev_clients")?.unwrap_or_else(|| "[]".into());
    let clients: Vec<DevClient> = serde_json::from_str(&configured)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("variable dev_clients is not valid: {e}")))?;
    let (Some(id), Some(secret)) = (&request.client_id, &request.client_secret) else {
        return Err(ApiError::InvalidClient);
    };
    clients
        .into_iter()
        .find(|c| &c.client_id == id && constant_time_eq(c.client_secret.as_bytes(), secret.as_bytes()))
        .ok_or(ApiError::InvalidClient)
}

/// Compares secrets without an early exit, so timing says nothing about the prefix.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
