//! The bounded GET of `crate::fetch` over `wasi:http@0.2`.
//!
//! Written against `wasi:http` directly rather than `spin_sdk::http::send`, which passes no
//! request options and waits as long as the host lets it. The options (connect, first-byte and
//! between-bytes timeouts) ask the host to give up too, and Spin honours them; the deadline
//! itself is kept here, by polling the response and the body together with a monotonic-clock
//! timer, so it holds on any host.

use crate::fetch::Limits;
use anyhow::{anyhow, bail, Context, Result};
use wasi::clocks::monotonic_clock;
use wasi::http::outgoing_handler;
use wasi::http::types::{Fields, Method, OutgoingRequest, RequestOptions, Scheme};
use wasi::io::poll::{poll, Pollable};
use wasi::io::streams::StreamError;

/// GETs `url` (`http` or `https`) with `accept`, and returns the status and the body.
pub async fn get(url: &str, accept: &str, limits: &Limits) -> Result<(u16, Vec<u8>)> {
    let deadline = monotonic_clock::now().saturating_add(nanos(limits.total));
    let uri: http::Uri = url.parse().context("not a URL")?;
    let scheme = match uri.scheme_str() {
        Some("https") => Scheme::Https,
        Some("http") => Scheme::Http,
        _ => bail!("not an http(s) URL"),
    };
    let headers = Fields::from_list(&[("accept".to_owned(), accept.as_bytes().to_vec())])
        .map_err(|e| anyhow!("request header: {e:?}"))?;
    let request = OutgoingRequest::new(headers);
    let set = |ok: Result<(), ()>, what: &str| ok.map_err(|()| anyhow!("cannot set the request's {what}"));
    set(request.set_method(&Method::Get), "method")?;
    set(request.set_scheme(Some(&scheme)), "scheme")?;
    set(request.set_authority(uri.authority().map(|a| a.as_str())), "authority")?;
    set(request.set_path_with_query(uri.path_and_query().map(|p| p.as_str())), "path")?;
    let options = RequestOptions::new();
    // A host that does not support an option says so; the deadline below still holds.
    let _ = options.set_connect_timeout(Some(nanos(limits.connect)));
    let _ = options.set_first_byte_timeout(Some(nanos(limits.total)));
    let _ = options.set_between_bytes_timeout(Some(nanos(limits.total)));

    let pending = outgoing_handler::handle(request, Some(options)).map_err(|e| anyhow!("sending: {e:?}"))?;
    wait_for(&pending.subscribe(), deadline)?;
    let response = match pending.get() {
        Some(Ok(Ok(response))) => response,
        Some(Ok(Err(code))) => bail!("no response: {code:?}"),
        _ => bail!("no response"),
    };
    let status = response.status();
    let body = response.consume().map_err(|()| anyhow!("response body taken twice"))?;
    let stream = body.stream().map_err(|()| anyhow!("response body stream taken twice"))?;
    let mut bytes = Vec::new();
    loop {
        match stream.read(16 * 1024) {
            Ok(chunk) if chunk.is_empty() => wait_for(&stream.subscribe(), deadline)?,
            Ok(chunk) => {
                bytes.extend_from_slice(&chunk);
                if bytes.len() > limits.max_body_bytes {
                    bail!("body larger than {} bytes", limits.max_body_bytes);
                }
            }
            Err(StreamError::Closed) => break,
            Err(StreamError::LastOperationFailed(e)) => bail!("reading the body: {}", e.to_debug_string()),
        }
    }
    // Resources go child first: the stream before its body, the body before the response
    // (the reverse order of their declaration, which is also how the early returns drop them).
    drop(stream);
    drop(body);
    Ok((status, bytes))
}

/// Waits until `ready` is, or fails once the monotonic clock passes `deadline`.
fn wait_for(ready: &Pollable, deadline: monotonic_clock::Instant) -> Result<()> {
    let timer = monotonic_clock::subscribe_instant(deadline);
    if poll(&[ready, &timer]).contains(&0) {
        Ok(())
    } else {
        bail!("timed out")
    }
}

fn nanos(duration: std::time::Duration) -> u64 {
    u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX)
}
