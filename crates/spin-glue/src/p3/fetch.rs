//! A bounded HTTP GET, for the issuer's JWKS (contract §2), over `wasi:http@0.3`: the whole
//! exchange races a timer, and the body is read frame by frame up to a cap, so a slow, stalled
//! or hostile key server can neither hold a request nor fill its memory.

use crate::fetch::Limits;
use anyhow::{anyhow, bail, Result};
use futures::future::{select, Either};
use http_body_util::BodyExt;
use spin_sdk::http::EmptyBody;

/// GETs `url` (`http` or `https`) with `accept`, and returns the status and the body.
pub async fn get(url: &str, accept: &str, limits: &Limits) -> Result<(u16, Vec<u8>)> {
    let exchange = std::pin::pin!(exchange(url, accept, limits.max_body_bytes));
    let deadline = std::pin::pin!(spin_sdk::time::sleep(limits.total));
    match select(exchange, deadline).await {
        Either::Left((result, _)) => result,
        Either::Right(_) => bail!("timed out"),
    }
}

async fn exchange(url: &str, accept: &str, max_body_bytes: usize) -> Result<(u16, Vec<u8>)> {
    let request = http::Request::get(url).header("accept", accept).body(EmptyBody::new())?;
    let response = spin_sdk::http::send(request).await.map_err(|e| anyhow!("sending: {e:?}"))?;
    let status = response.status().as_u16();
    let mut body = response.into_body();
    let mut bytes = Vec::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| anyhow!("reading the body: {e:?}"))?;
        if let Ok(data) = frame.into_data() {
            bytes.extend_from_slice(&data);
            if bytes.len() > max_body_bytes {
                bail!("body larger than {max_body_bytes} bytes");
            }
        }
    }
    Ok((status, bytes))
}
