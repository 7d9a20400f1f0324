//! Benchmark floor 1, WASIp3 (spin-sdk 7, `wasi:http/handler@0.3.0`): hello world, as
//! `bench/floors/hello` is for WASIp2. Spin ≥ 4.1 reuses an instance of it for many requests
//! (16 at a time), so its throughput is what Spin's HTTP path costs with instantiation paid
//! once per instance: the yardstick for the p3 build (`spin.p3.toml`).
//!
//! `Content-Length` is set: without it every keep-alive response stalls 40 ms
//! (docs/upstream/spin-tcp-nodelay.md).

use spin_sdk::http::FullBody;

#[spin_sdk::http_service]
async fn handle(_req: spin_sdk::http::Request) -> http::Response<FullBody<bytes::Bytes>> {
    http::Response::builder()
        .status(200)
        .header("content-type", "text/plain")
        .header("content-length", "5")
        .body(FullBody::new(bytes::Bytes::from_static(b"hello")))
        .expect("a valid response")
}
