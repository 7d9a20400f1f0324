//! Benchmark floor 1: hello world. No host call at all besides receiving the request and
//! sending the response, so its throughput is what instantiating a component and the HTTP
//! path cost by themselves (platform notes: ≈ 4,300 requests/s on real Spin, 2 cores).

use spin_sdk::http::{Request, Response};

#[spin_sdk::http_component]
fn handle(_req: Request) -> Response {
    Response::builder().status(200).header("content-type", "text/plain").body("hello").build()
}
