//! A minimal HTTP/1.1 keep-alive client over `std::net::TcpStream` (what the load generator
//! needs and nothing more: Content-Length and chunked bodies), and the tiny JWKS server that
//! counts how often the service fetches its keys.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// One keep-alive connection.
pub struct Connection {
    addr: SocketAddr,
    reader: Option<BufReader<TcpStream>>,
}

/// A response: status and body.
pub struct Response {
    pub status: u16,
    pub body: Vec<u8>,
}

impl Connection {
    pub fn new(addr: SocketAddr) -> Self {
        Self { addr, reader: None }
    }

    fn stream(&mut self) -> std::io::Result<&mut BufReader<TcpStream>> {
        if self.reader.is_none() {
            let stream = TcpStream::connect(self.addr)?;
            stream.set_nodelay(true)?;
            stream.set_read_timeout(Some(Duration::from_secs(60)))?;
            self.reader = Some(BufReader::with_capacity(64 * 1024, stream));
        }
        Ok(self.reader.as_mut().expect("connected"))
    }

    /// Sends one request (already encoded) and reads the whole response. On an I/O error the
    /// connection is dropped and the next call reconnects.
    pub fn send(&mut self, request: &[u8]) -> std::io::Result<Response> {
        let result = self.exchange(request);
        if result.is_err() {
            self.reader = None;
        }
        result
    }

    fn exchange(&mut self, request: &[u8]) -> std::io::Result<Response> {
        let reader = self.stream()?;
        reader.get_mut().write_all(request)?;
        let mut line = String::new();
        reader.read_line(&mut line)?;
        let status: u16 = line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
        let (mut length, mut chunked, mut close) = (None, false, false);
        loop {
            line.clear();
            reader.read_line(&mut line)?;
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                let value = value.trim();
                match name.to_ascii_lowercase().as_str() {
                    "content-length" => length = value.parse::<usize>().ok(),
                    "transfer-encoding" => chunked = value.eq_ignore_ascii_case("chunked"),
                    "connection" => close = value.eq_ignore_ascii_case("close"),
                    _ => {}
                }
            }
        }
        let mut body = Vec::new();
        if chunked {
            loop {
                line.clear();
                reader.read_line(&mut line)?;
                let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16)
                    .map_err(|_| std::io::Error::other("bad chunk size"))?;
                if size == 0 {
                    line.clear();
                    reader.read_line(&mut line)?; // the empty line after the last chunk
                    break;
                }
                let start = body.len();
                body.resize(start + size, 0);
                reader.read_exact(&mut body[start..])?;
                let mut crlf = [0u8; 2];
                reader.read_exact(&mut crlf)?;
            }
        } else if let Some(length) = length {
            body.resize(length, 0);
            reader.read_exact(&mut body)?;
        }
        if close {
            self.reader = None;
        }
        Ok(Response { status, body })
    }
}

/// Encodes a request. `body` is sent as JSON.
pub fn request(method: &str, host: &str, path: &str, token: Option<&str>, body: Option<&str>) -> Vec<u8> {
    let mut out = format!("{method} {path} HTTP/1.1\r\nhost: {host}\r\naccept: application/json\r\n");
    if let Some(token) = token {
        out.push_str(&format!("authorization: Bearer {token}\r\n"));
    }
    match body {
        Some(body) => {
            out.push_str(&format!(
                "content-type: application/json\r\ncontent-length: {}\r\n\r\n",
                body.len()
            ));
            out.push_str(body);
        }
        None => out.push_str("\r\n"),
    }
    out.into_bytes()
}

/// Percent-encodes a query parameter value.
pub fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Serves one JSON document at `/jwks.json` on a loopback port and counts the requests for
/// it: the service fetches its issuer's keys through this (`jwt_jwks_url`).
pub struct JwksServer {
    pub addr: SocketAddr,
    fetches: Arc<AtomicU64>,
}

impl JwksServer {
    pub fn start(jwks: String) -> std::io::Result<JwksServer> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let fetches = Arc::new(AtomicU64::new(0));
        let counter = fetches.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let jwks = jwks.clone();
                let counter = counter.clone();
                std::thread::spawn(move || {
                    let _ = serve_one(stream, &jwks, &counter);
                });
            }
        });
        Ok(JwksServer { addr, fetches })
    }

    pub fn url(&self) -> String {
        format!("http://{}/jwks.json", self.addr)
    }

    /// Requests for the JWKS so far.
    pub fn fetches(&self) -> u64 {
        self.fetches.load(Ordering::SeqCst)
    }
}

fn serve_one(stream: TcpStream, jwks: &str, counter: &AtomicU64) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream);
    let mut first = String::new();
    reader.read_line(&mut first)?;
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 || line.trim_end().is_empty() {
            break;
        }
    }
    let found = first.starts_with("GET /jwks.json ");
    if found {
        counter.fetch_add(1, Ordering::SeqCst);
    }
    let (status, body) = if found { ("200 OK", jwks) } else { ("404 Not Found", "") };
    let response = format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    reader.get_mut().write_all(response.as_bytes())
}
