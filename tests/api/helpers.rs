//! `spawn_app()` runs the real components in the test host on a fresh state directory; one
//! helper per thing a test does (get a token, send a request, read a problem).

use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use testhost::{HostConfig, RunningHost};

/// The two ready-made clients of the local issuer (spin.toml `dev_clients`).
pub const ORG_A: (&str, &str, i64) = ("partner-a", "partner-a-secret", 1001);
pub const ORG_B: (&str, &str, i64) = ("partner-b", "partner-b-secret", 2002);

/// Application defaults from spin.toml that tests sign third-party tokens for.
pub const ISSUER: &str = "http://localhost:3000/";
pub const AUDIENCE: &str = "https://api.customers.local";

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ is inside the repository").to_path_buf()
}

/// The release components, built once per test run (`cargo build --target wasm32-wasip2`).
/// `scripts/test` builds them before the tests; this makes a bare `cargo test` work too.
pub fn built_components() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let root = repo_root();
        let status = std::process::Command::new(env!("CARGO"))
            .current_dir(&root)
            .args(["build", "--quiet", "--release", "--target", "wasm32-wasip2"])
            .args(["-p", "profiles", "-p", "temporary-profiles", "-p", "consents", "-p", "token-issuer"])
            .status()
            .expect("cargo runs");
        assert!(status.success(), "building the components failed");
        root.join("target/wasm32-wasip2/release")
    })
}

/// A running application on a fresh database and key-value store.
pub struct TestApp {
    pub host: RunningHost,
    pub state_dir: PathBuf,
    clock_offset_ms: Arc<AtomicI64>,
    agent: ureq::Agent,
    tokens: std::sync::Mutex<HashMap<String, String>>,
}

/// A fresh, empty state directory under `target/`.
pub fn fresh_state_dir() -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let dir = repo_root().join("target/e2e").join(format!("{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("state dir");
    dir
}

/// The app with spin.toml's defaults (local issuer on, two clients).
pub fn spawn_app() -> TestApp {
    spawn_app_with(&[])
}

/// The app with some application variables overridden (`spin up --variable`).
pub fn spawn_app_with(variables: &[(&str, &str)]) -> TestApp {
    spawn_app_on(fresh_state_dir(), variables, None)
}

/// The app on a given state directory, optionally with only some components.
pub fn spawn_app_on(state_dir: PathBuf, variables: &[(&str, &str)], components: Option<&[&str]>) -> TestApp {
    built_components();
    let mut config = HostConfig::new(repo_root().join("spin.toml"), &state_dir);
    config.variables = variables.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    config.components = components.map(|c| c.iter().map(|s| s.to_string()).collect());
    config.guest_log = Some(state_dir.join("guest.log"));
    let clock_offset_ms = config.clock_offset_ms.clone();
    let host = testhost::start(config).expect("the test host starts");
    let agent = ureq::Agent::config_builder().http_status_as_error(false).build().new_agent();
    TestApp { host, state_dir, clock_offset_ms, agent, tokens: Default::default() }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.host.base_url())
    }

    /// Moves the components' wall clock forward.
    /// The components' log lines so far (one JSON object per request).
    pub fn log_lines(&self) -> Vec<Value> {
        let text = std::fs::read_to_string(self.state_dir.join("guest.log")).unwrap_or_default();
        text.lines().filter_map(|line| serde_json::from_str(line).ok()).collect()
    }

    pub fn advance_clock_secs(&self, secs: i64) {
        self.clock_offset_ms.fetch_add(secs * 1000, Ordering::Relaxed);
    }

    /// Sends a request; `headers` may include Content-Type (JSON bodies get it by default).
    pub fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<Vec<u8>>,
    ) -> TestResponse {
        let mut builder = http::Request::builder().method(method).uri(self.url(path));
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        let response = self
            .agent
            .run(builder.body(body.unwrap_or_default()).expect("valid request"))
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.into_body().read_to_string().unwrap_or_default();
        TestResponse { status, headers, body }
    }

    /// A request with a bearer token and an optional JSON body.
    pub fn send(&self, method: &str, path: &str, token: Option<&str>, body: Option<&Value>) -> TestResponse {
        let auth = token.map(|t| format!("Bearer {t}"));
        let mut headers = vec![("content-type", "application/json")];
        if let Some(auth) = &auth {
            headers.push(("authorization", auth.as_str()));
        }
        self.request(method, path, &headers, body.map(|b| b.to_string().into_bytes()))
    }

    /// A token from the local issuer for one of its clients (cached per app).
    pub fn token(&self, client: (&str, &str, i64)) -> String {
        if let Some(token) = self.tokens.lock().unwrap().get(client.0) {
            return token.clone();
        }
        let body = json!({"grant_type": "client_credentials", "client_id": client.0,
                          "client_secret": client.1, "audience": AUDIENCE});
        let response = self.send("POST", "/oauth/token", None, Some(&body));
        assert_eq!(response.status, 200, "token for {}: {}", client.0, response.body);
        let token = response.json()["access_token"].as_str().expect("access_token").to_owned();
        self.tokens.lock().unwrap().insert(client.0.to_owned(), token.clone());
        token
    }

    /// A client of one organisation, holding a token from the local issuer.
    pub fn client(&self, client: (&str, &str, i64)) -> Client<'_> {
        Client { app: self, token: self.token(client) }
    }
}

/// Requests on behalf of one token.
pub struct Client<'a> {
    pub app: &'a TestApp,
    pub token: String,
}

impl Client<'_> {
    pub fn get(&self, path: &str) -> TestResponse {
        self.app.send("GET", path, Some(&self.token), None)
    }
    pub fn post(&self, path: &str, body: &Value) -> TestResponse {
        self.app.send("POST", path, Some(&self.token), Some(body))
    }
    pub fn send(&self, method: &str, path: &str, body: Option<&Value>) -> TestResponse {
        self.app.send(method, path, Some(&self.token), body)
    }
    /// Creates a profile and returns its customer number.
    pub fn create_profile(&self, body: &Value) -> i64 {
        let response = self.post("/customers/v2/profiles", body);
        assert_eq!(response.status, 201, "create: {}", response.body);
        response.json()["customerNumber"].as_i64().expect("customerNumber")
    }
}

/// What came back.
#[derive(Debug)]
pub struct TestResponse {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: String,
}

impl TestResponse {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The first `errorCode` of a problem body.
    pub fn error_code(&self) -> String {
        self.json()["errors"][0]["errorCode"].as_str().unwrap_or_default().to_owned()
    }

    /// A problem body with the request-specific members removed, to compare two answers.
    pub fn problem_shape(&self) -> Value {
        let mut body = self.json();
        for member in ["timestamp", "correlationId", "instance", "path"] {
            body.as_object_mut().expect("problem body is an object").remove(member);
        }
        body
    }
}

/// A valid create body.
pub fn kari_nordmann() -> Value {
    json!({"firstName": "Kari", "surname": "Nordmann", "email": "kari.nordmann@example.no",
           "createdBy": "kundesenter", "createdByChannel": "WEB"})
}

/// A stand-in for an issuer's `/.well-known/jwks.json` on loopback: serves whatever
/// document the test sets and counts how often it was fetched.
pub struct JwksServer {
    pub url: String,
    document: Arc<std::sync::Mutex<String>>,
    fetches: Arc<AtomicU64>,
}

impl JwksServer {
    pub fn start(document: String) -> Self {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}/.well-known/jwks.json", listener.local_addr().unwrap());
        let document = Arc::new(std::sync::Mutex::new(document));
        let fetches = Arc::new(AtomicU64::new(0));
        let (doc, count) = (document.clone(), fetches.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
                    head.push(byte[0]);
                }
                count.fetch_add(1, Ordering::SeqCst);
                let body = doc.lock().unwrap().clone();
                let response = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(response.as_bytes());
            }
        });
        Self { url, document, fetches }
    }

    pub fn set_document(&self, document: String) {
        *self.document.lock().unwrap() = document;
    }

    pub fn fetches(&self) -> u64 {
        self.fetches.load(Ordering::SeqCst)
    }
}
