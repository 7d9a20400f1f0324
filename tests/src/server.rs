//! The HTTP/1.1 front end: accept connections, route each request, run it in a fresh
//! instance of its component, and stream the guest's response back.
//!
//! Like Spin's HTTP trigger, every request gets its own `Store` and instance (nothing
//! survives between requests but SQLite files), the `spin-*` headers describing the route, and
//! a 404 with an empty body when no route matches. A trap or error in the guest before it has
//! responded becomes a 500 for that request only, logged on one line; requests run
//! concurrently, with no lock held across a guest call.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use http::header::{HeaderName, HeaderValue, HOST};
use http::{Request, Response, StatusCode, Uri};
use http_body_util::{BodyExt, Empty};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use wasmtime::Store;
use wasmtime_wasi_http::p2::bindings::http::types::Scheme;
use wasmtime_wasi_http::p2::body::HyperOutgoingBody;
use wasmtime_wasi_http::WasiHttpView;

use crate::app::{App, LoadedComponent};
use crate::compile::to_anyhow;
use crate::routes::RouteMatch;
use crate::state::HostState;

/// Serves `app` on `listener` until `shutdown` fires (or its sender is dropped).
pub async fn serve(listener: TcpListener, app: Arc<App>, mut shutdown: oneshot::Receiver<()>) {
    let local = listener.local_addr().ok();
    loop {
        let accepted = tokio::select! {
            _ = &mut shutdown => return,
            accepted = listener.accept() => accepted,
        };
        let (stream, client) = match accepted {
            Ok(accepted) => accepted,
            Err(e) => {
                eprintln!("testhost: accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let app = app.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request| {
                let app = app.clone();
                async move { Ok::<_, Infallible>(handle(&app, local, client, request).await) }
            });
            if let Err(e) =
                http1::Builder::new().keep_alive(true).serve_connection(TokioIo::new(stream), service).await
            {
                if !e.is_incomplete_message() {
                    eprintln!("testhost: connection from {client}: {e}");
                }
            }
        });
    }
}

/// An empty-bodied response.
fn empty(status: StatusCode) -> Response<HyperOutgoingBody> {
    let mut response = Response::new(Empty::<Bytes>::new().map_err(Into::into).boxed_unsync());
    *response.status_mut() = status;
    response
}

/// Errors on one line, wasm backtraces included.
fn one_line(error: &anyhow::Error) -> String {
    format!("{error:#}")
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join(" | ")
}

/// Routes and runs one request.
async fn handle(
    app: &App,
    local: Option<SocketAddr>,
    client: SocketAddr,
    request: Request<Incoming>,
) -> Response<HyperOutgoingBody> {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let Some(route) = app.router.route(&path) else {
        return empty(StatusCode::NOT_FOUND);
    };
    let component = &app.components[route.component];
    match run_guest(component, &route, local, client, request).await {
        Ok(response) => response,
        Err(e) => {
            eprintln!(
                "testhost: {method} {path} -> component {:?} failed: {}",
                component.env.id,
                one_line(&e)
            );
            empty(StatusCode::INTERNAL_SERVER_ERROR)
        }
    }
}

/// Adds Spin's headers, instantiates the component in a fresh store and calls
/// `wasi:http/incoming-handler#handle`, returning the response the guest set.
async fn run_guest(
    component: &LoadedComponent,
    route: &RouteMatch,
    local: Option<SocketAddr>,
    client: SocketAddr,
    request: Request<Incoming>,
) -> Result<Response<HyperOutgoingBody>> {
    let (mut parts, body) = request.into_parts();
    let host = parts
        .headers
        .get(HOST)
        .and_then(|host| host.to_str().ok())
        .map(str::to_string)
        .or_else(|| parts.uri.authority().map(|a| a.to_string()))
        .or_else(|| local.map(|addr| addr.to_string()))
        .context("request has no host")?;
    let path_and_query =
        parts.uri.path_and_query().map(|p| p.as_str().to_string()).unwrap_or_else(|| "/".to_string());
    for (name, value) in route.spin_headers(&host, &path_and_query, client) {
        parts.headers.insert(
            HeaderName::from_bytes(name.as_bytes())?,
            HeaderValue::from_str(&value).with_context(|| format!("header {name} cannot hold {value:?}"))?,
        );
    }
    // wasi:http's incoming-request reports scheme and authority from the URI.
    parts.uri = Uri::builder()
        .scheme("http")
        .authority(host.as_str())
        .path_and_query(path_and_query.as_str())
        .build()
        .context("building the request URI")?;
    let request = Request::from_parts(parts, body);

    let mut store = Store::new(component.pre.engine(), HostState::new(component.env.clone()));
    let (sender, receiver) = oneshot::channel();
    let request = store.data_mut().http().new_incoming_request(Scheme::Http, request).map_err(to_anyhow)?;
    let outparam = store.data_mut().http().new_response_outparam(sender).map_err(to_anyhow)?;
    let pre = component.pre.clone();
    // The guest runs in its own task: it may keep running (streaming the body) after it has
    // set the response, and the store (with its SQLite connections) is dropped when it ends.
    let guest = tokio::spawn(async move {
        let proxy = pre.instantiate_async(&mut store).await?;
        proxy.wasi_http_incoming_handler().call_handle(&mut store, request, outparam).await
    });

    match receiver.await {
        Ok(Ok(response)) => {
            let id = component.env.id.clone();
            tokio::spawn(async move {
                if let Ok(Err(e)) = guest.await {
                    eprintln!(
                        "testhost: component {id:?} failed after responding: {}",
                        one_line(&to_anyhow(e))
                    );
                }
            });
            Ok(response)
        }
        Ok(Err(code)) => bail!("guest responded with error {code:?}"),
        Err(_) => match guest.await {
            Ok(Ok(())) => bail!("guest returned without setting a response"),
            Ok(Err(e)) => Err(to_anyhow(e)),
            Err(e) => Err(anyhow::Error::new(e).context("guest task")),
        },
    }
}
