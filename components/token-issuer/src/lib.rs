//! The local token issuer (contract §2): development only. `POST /oauth/token` grants
//! client-credentials tokens to the clients of `dev_clients`; `/.well-known/jwks.json`
//! publishes the public key. The Ed25519 signing key is generated on first use and kept in
//! key-value (never in the repository); its public JWKS is kept there too, which is where
//! the API components read it from, so its tokens verify through exactly the same path as
//! any third-party token, with no call between components. When `dev_issuer_enabled` is
//! not `true` every path answers 404: production never serves tokens from here.

mod clients;
mod signing_key;

use auth::issuer::DevClaims;
use errors::{ApiError, ErrorCode};
use http::{Request, Response};
use spin_glue::variable;
use web::{route, RequestCtx, Route};

type Answer = Result<Response<Vec<u8>>, ApiError>;

/// Lifetime of an issued token (contract §2: `expires_in` 86400).
const TOKEN_LIFETIME_SECS: i64 = 86_400;

spin_glue::public_component!(public);

/// Both endpoints are public: the client authenticates with its secret, not a token. They
/// exist only for a caller on this machine while the issuer is active (contract §2,
/// `auth::issuer::serves`); to anyone else they answer 404, as if there were no issuer.
async fn public(ctx: &RequestCtx, req: &Request<Vec<u8>>) -> Answer {
    match spin_glue::dev_issuer_serves(req)? {
        true => answer(ctx, req).await,
        false => Err(ApiError::NotFound),
    }
}

/// The issuer's two endpoints.
enum Endpoint {
    Token,
    Jwks,
}

const ROUTES: &[Route<Endpoint>] =
    &[route(api::routes::ISSUE_TOKEN, Endpoint::Token), route(api::routes::JWKS, Endpoint::Jwks)];

async fn answer(ctx: &RequestCtx, req: &Request<Vec<u8>>) -> Answer {
    let (found, _) = web::router::find(ROUTES, req)?;
    ctx.route.set(found.op.template);
    match found.handler {
        Endpoint::Token => token(ctx, req).await,
        Endpoint::Jwks => {
            let key = signing_key::load_or_create().await?;
            let mut response = Response::new(key.public_jwks().into_bytes());
            response.headers_mut().insert("content-type", http::HeaderValue::from_static("application/json"));
            Ok(response)
        }
    }
}

/// POST /oauth/token: `{grant_type, client_id, client_secret, audience}` as JSON or form.
async fn token(ctx: &RequestCtx, req: &Request<Vec<u8>>) -> Answer {
    let grant = clients::TokenRequest::parse(req)?;
    if grant.grant_type.as_deref() != Some("client_credentials") {
        return Err(ApiError::BadRequest {
            code: ErrorCode::UNSUPPORTED_GRANT_TYPE,
            field: Some("grant_type".into()),
            message: "grant_type must be client_credentials".into(),
        });
    }
    let audience = variable("jwt_audience")?.ok_or_else(|| missing("jwt_audience"))?;
    // An empty `audience` counts as absent (contract §1).
    let requested = grant.audience.as_deref().map(str::trim).filter(|a| !a.is_empty());
    if requested.is_some_and(|requested| requested != audience) {
        return Err(ApiError::BadRequest {
            code: ErrorCode::INVALID_AUDIENCE,
            field: Some("audience".into()),
            message: format!("this issuer only grants tokens for {audience}"),
        });
    }
    let client = clients::authenticate(&grant)?;
    let key = signing_key::load_or_create().await?;
    let issued_at = ctx.now.unix_seconds();
    let claims = DevClaims {
        issuer: variable("jwt_issuer")?.ok_or_else(|| missing("jwt_issuer"))?,
        audience,
        client_id: client.client_id.clone(),
        organisation_claim: variable("organisation_claim")?
            .unwrap_or_else(|| auth::DEFAULT_ORGANISATION_CLAIM.to_owned()),
        organisation_id: client.organisation_id,
        permissions: client.permissions.clone(),
        issued_at,
        expires_at: issued_at + TOKEN_LIFETIME_SECS,
    };
    web::json_response(
        200,
        &serde_json::json!({
            "access_token": key.sign(&claims),
            "token_type": "Bearer",
            "expires_in": TOKEN_LIFETIME_SECS,
        }),
    )
}

fn missing(name: &str) -> ApiError {
    ApiError::Internal(anyhow::anyhow!("variable {name} must be set"))
}
