//! Sending a response so that it leaves Spin in one piece.
//!
//! Spin's HTTP server does not set `TCP_NODELAY`. When the end of a response goes out in a
//! second small write (a chunked body finished after the head was flushed), Nagle's algorithm
//! holds it until the client's delayed ACK, 40 ms later, on every keep-alive connection
//! (docs/upstream/spin-tcp-nodelay.md). spin-sdk's own glue sets the response first and
//! writes the body after it, without `Content-Length`, so hyper flushes the head alone
//! and the body and the chunked terminator follow in further writes.
//!
//! Here the body is written into the response's stream *before* the response is handed to
//! Spin, with `Content-Length` set: when hyper asks for the body, all of it is already there,
//! and the head and body leave in one write with nothing to follow. The stream buffers what
//! the host lets it (`check-write`); a body larger than that is finished after the hand-over.

use spin_sdk::http::{Fields, OutgoingBody, OutgoingResponse, ResponseOutparam};
use wasi::io::streams::OutputStream;

/// Hands `response` to Spin, with `Content-Length`, body written first where it fits.
pub fn send(out: ResponseOutparam, response: http::Response<Vec<u8>>) {
    let (parts, body) = response.into_parts();
    let mut fields: Vec<(String, Vec<u8>)> = parts
        .headers
        .iter()
        .map(|(name, value)| (name.as_str().to_owned(), value.as_bytes().to_vec()))
        .collect();
    // A 204 or 304 has no body and must not announce one (RFC 9110 §8.6).
    if !matches!(parts.status.as_u16(), 204 | 304) {
        fields.push(("content-length".to_owned(), body.len().to_string().into_bytes()));
    }
    // Our own headers are valid by construction (`http::HeaderMap`); Spin refuses only
    // forbidden ones (hop-by-hop), which no handler sets.
    let headers = Fields::from_list(&fields).unwrap_or_else(|_| Fields::new());
    let outgoing = OutgoingResponse::new(headers);
    let _ = outgoing.set_status_code(parts.status.as_u16());
    let outgoing_body = outgoing.body().expect("a new response's body is taken once");
    let stream = outgoing_body.write().expect("a new body's stream is taken once");

    let written = write_what_fits(&stream, &body);
    if written == body.len() {
        drop(stream);
        let _ = OutgoingBody::finish(outgoing_body, None);
        out.set(outgoing);
        return;
    }
    // The rest waits for the host to read, which it does only once it has the response.
    out.set(outgoing);
    for chunk in body[written..].chunks(4096) {
        if stream.blocking_write_and_flush(chunk).is_err() {
            return; // the client went away; dropping the body without finishing aborts it
        }
    }
    drop(stream);
    let _ = OutgoingBody::finish(outgoing_body, None);
}

/// Writes as much of `bytes` as the stream accepts without waiting; returns how much.
fn write_what_fits(stream: &OutputStream, bytes: &[u8]) -> usize {
    let mut written = 0;
    while written < bytes.len() {
        let permitted = match stream.check_write() {
            Ok(0) | Err(_) => break,
            Ok(n) => usize::try_from(n).unwrap_or(usize::MAX),
        };
        let end = bytes.len().min(written.saturating_add(permitted));
        if stream.write(&bytes[written..end]).is_err() {
            break;
        }
        written = end;
    }
    written
}
