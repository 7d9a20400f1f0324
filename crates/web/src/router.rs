//! Route tables: each component's endpoints as rows of an [`Operation`] (method, template,
//! operationId, permission, error codes: what the OpenAPI document and the tests read) and
//! its handler. Templates use `{name}` for one path segment; of the templates that match a
//! path the most literal one wins (see [`find`]), whatever the order of the rows.

use crate::{Operation, RequestCtx};
use auth::Caller;
use errors::ApiError;
use http::Request;
use std::future::Future;
use std::pin::Pin;

/// One endpoint: what it is, and what answers it.
pub struct Route<H> {
    pub op: Operation,
    pub handler: H,
}

/// A row of a route table.
pub const fn route<H>(op: Operation, handler: H) -> Route<H> {
    Route { op, handler }
}

/// The `{name}` segments of a matched template, percent-decoded.
#[derive(Debug, Default)]
pub struct Params(Vec<(&'static str, String)>);

impl Params {
    /// The value of `{name}`. Route tables and handlers are written together, so a missing
    /// name is a bug, answered as 404 rather than a panic.
    pub fn get(&self, name: &str) -> Result<&str, ApiError> {
        self.0.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str()).ok_or(ApiError::NotFound)
    }
}

/// Everything a handler gets.
pub struct Call<'a, D> {
    pub ctx: &'a RequestCtx,
    pub caller: &'a Caller,
    pub db: &'a D,
    pub req: &'a Request<Vec<u8>>,
    pub params: Params,
}

/// The route for the request. The path names one resource: the most specific template that
/// matches it (a literal segment beats a `{name}`, from the left), so
/// `/profiles/verify-credentials` is that resource and never the profile
/// `{customerNumber}` = "verify-credentials". 404 when no template matches the path, 405
/// (with the resource's methods, for `Allow`) when the resource has not this method.
pub fn find<'r, H, B>(routes: &'r [Route<H>], req: &Request<B>) -> Result<(&'r Route<H>, Params), ApiError> {
    let segments = crate::segments(req);
    let mut resource: Option<(&'static str, Vec<bool>)> = None;
    for route in routes {
        if matches(route.op.template, &segments).is_some() {
            let literals = literal_segments(route.op.template);
            if resource.as_ref().is_none_or(|(_, best)| literals > *best) {
                resource = Some((route.op.template, literals));
            }
        }
    }
    let Some((template, _)) = resource else { return Err(ApiError::NotFound) };
    let mut allow: Vec<&'static str> = Vec::new();
    for route in routes.iter().filter(|r| r.op.template == template) {
        if route.op.method == req.method().as_str() {
            let params = matches(route.op.template, &segments).expect("the template matched above");
            return Ok((route, params));
        }
        if !allow.contains(&route.op.method) {
            allow.push(route.op.method);
        }
    }
    Err(ApiError::MethodNotAllowed(allow))
}

/// Per segment of a template, whether it is literal; compared as a vector, the template with
/// literals further left is the larger (more specific) one.
fn literal_segments(template: &str) -> Vec<bool> {
    template.split('/').filter(|s| !s.is_empty()).map(|s| !(s.starts_with('{') && s.ends_with('}'))).collect()
}

fn matches(template: &'static str, segments: &[&str]) -> Option<Params> {
    let parts: Vec<&'static str> = template.split('/').filter(|s| !s.is_empty()).collect();
    if parts.len() != segments.len() {
        return None;
    }
    let mut params = Vec::new();
    for (part, segment) in parts.iter().zip(segments) {
        match part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
            Some(name) => {
                let decoded = percent_encoding::percent_decode_str(segment).decode_utf8().ok()?;
                params.push((name, decoded.into_owned()));
            }
            None if part == segment => {}
            None => return None,
        }
    }
    Some(Params(params))
}

/// A handler of a route table: any `async fn(&Call<'_, D>) -> Answer`. Each such function has
/// its own future type, so a table holds them as `&dyn Handler`, and a call boxes the future
/// (one small allocation per request). The future need not be `Send`: a component is
/// single-threaded, and requests that share an instance interleave only at its `.await`s.
pub trait Handler<D> {
    fn call<'a>(&'a self, call: &'a Call<'a, D>) -> Pin<Box<dyn Future<Output = crate::Answer> + 'a>>;
}

impl<D, F> Handler<D> for F
where
    F: for<'a> AsyncFn(&'a Call<'a, D>) -> crate::Answer,
{
    fn call<'a>(&'a self, call: &'a Call<'a, D>) -> Pin<Box<dyn Future<Output = crate::Answer> + 'a>> {
        Box::pin(self(call))
    }
}

/// Finds the route, records its template in the context, and calls it.
pub async fn dispatch<D>(
    routes: &[Route<&dyn Handler<D>>],
    ctx: &RequestCtx,
    caller: &Caller,
    db: &D,
    req: &Request<Vec<u8>>,
) -> crate::Answer {
    let (route, params) = find(routes, req)?;
    ctx.route.set(route.op.template);
    route.handler.call(&Call { ctx, caller, db, req, params }).await
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::op;

    const ROUTES: &[Route<u8>] = &[
        route(op("POST", "/customers/v2/profiles/verify-credentials", "verify", ""), 1),
        route(op("GET", "/customers/v2/profiles/{customerNumber}", "get", ""), 2),
        route(op("PUT", "/customers/v2/profiles/{customerNumber}", "replace", ""), 3),
        route(op("GET", "/customers/v2/profiles/by-customer-ref/{customerRef}", "getByRef", ""), 4),
    ];

    fn routed(method: &str, path: &str) -> Result<(u8, Params), u16> {
        let req = Request::builder().method(method).uri(path).body(()).unwrap();
        find(ROUTES, &req).map(|(r, p)| (r.handler, p)).map_err(|e| e.status())
    }

    #[test]
    fn a_literal_segment_wins_over_a_template() {
        assert_eq!(routed("POST", "/customers/v2/profiles/verify-credentials").unwrap().0, 1);
    }

    #[test]
    fn a_literal_path_is_its_own_resource_whatever_the_method() {
        let req = Request::put("/customers/v2/profiles/verify-credentials").body(()).unwrap();
        let Err(ApiError::MethodNotAllowed(allow)) = find(ROUTES, &req) else { panic!("405") };
        assert_eq!(allow, ["POST"]);
        assert_eq!(routed("GET", "/customers/v2/profiles/verify-credentials").unwrap_err(), 405);
    }

    #[test]
    fn template_segments_become_decoded_params() {
        let (handler, params) = routed("GET", "/customers/v2/profiles/by-customer-ref/CRM%2F7%20x").unwrap();
        assert_eq!(handler, 4);
        assert_eq!(params.get("customerRef").unwrap(), "CRM/7 x");
    }

    #[test]
    fn a_known_path_with_another_method_is_405_and_an_unknown_path_404() {
        assert_eq!(routed("DELETE", "/customers/v2/profiles/7").unwrap_err(), 405);
        let req = Request::delete("/customers/v2/profiles/7").body(()).unwrap();
        let Err(ApiError::MethodNotAllowed(allow)) = find(ROUTES, &req) else { panic!("405") };
        assert_eq!(allow, ["GET", "PUT"], "what Allow lists");
        assert_eq!(routed("GET", "/customers/v2/profiles/7/unknown").unwrap_err(), 404);
        assert_eq!(routed("GET", "/customers/v2/profile/7").unwrap_err(), 404);
    }
}
