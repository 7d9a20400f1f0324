//! `spawn_app()` runs the real components in the test host on a fresh state directory; one
//! helper per thing a test does (get a token, send a request, read a problem).

use domain::db::{BlockOn, Db, Value as DbValue};
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

/// The release components, built once per test run (`cargo build --target wasm32-wasip2`),
/// and the files they mount (`scripts/docs-ui`). `scripts/test` does both before the tests;
/// this makes a bare `cargo test` work too.
pub fn built_components() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let root = repo_root();
        let status = std::process::Command::new(env!("CARGO"))
            .current_dir(&root)
            .args(["build", "--quiet", "--release", "--target", "wasm32-wasip2"])
            .args(api::routes::components().into_iter().flat_map(|(name, _)| ["-p", name]))
            .status()
            .expect("cargo runs");
        assert!(status.success(), "building the components failed");
        // The API reference page's files, which spin.toml mounts into the openapi component.
        let status =
            std::process::Command::new(root.join("scripts/docs-ui")).status().expect("scripts/docs-ui runs");
        assert!(status.success(), "scripts/docs-ui failed: the openapi component's files are not installed");
        root.join("target/wasm32-wasip2/release")
    })
}

/// Which server runs the components.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Server {
    TestHost,
    Spin,
}

/// `E2E_SERVER=spin` runs every test on the real Spin CLI (`spin up`, found by
/// `spin_cli::find`), anything else on the test host (`tests/src/`). `scripts/test` runs the
/// suite once on each.
pub fn server() -> Server {
    match std::env::var("E2E_SERVER").as_deref() {
        Ok("spin") => Server::Spin,
        _ => Server::TestHost,
    }
}

/// The manifest `spin up` runs: `E2E_MANIFEST` (relative to the repository), by default
/// `spin.toml` (the WASIp2 build). `E2E_MANIFEST=spin.p3.toml` runs the suite on the WASIp3
/// build of the same components (target/p3), whose instances serve many requests, up to 16
/// at a time. The test host runs spin.toml only.
pub fn manifest() -> PathBuf {
    repo_root().join(std::env::var("E2E_MANIFEST").unwrap_or_else(|_| "spin.toml".into()))
}

/// Which database the application talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    LocalFile,
    LibSql,
}

/// `E2E_DB=libsql` (with `E2E_SERVER=spin`) runs every test over a libSQL server: a `sqld`
/// (found by `spin_cli::find_sqld`) per state directory, fresh for each test, on a free port,
/// which Spin reaches through a runtime config of `type = "libsql"`, as the scaled-out
/// deployment does. Anything else: the local SQLite file in the state directory.
/// `scripts/test` runs the suite on the test host, on Spin over a file and on Spin over sqld.
pub fn backend() -> Backend {
    match std::env::var("E2E_DB").as_deref() {
        Ok("libsql") => {
            assert_eq!(
                server(),
                Server::Spin,
                "E2E_DB=libsql needs E2E_SERVER=spin: the test host serves a local file"
            );
            Backend::LibSql
        }
        _ => Backend::LocalFile,
    }
}

/// For a test that needs what only the test host can do (move the components' clock): on
/// real Spin it says so and returns true, and the test returns.
pub fn test_host_only(why: &str) -> bool {
    server() == Server::Spin && skip("real Spin", why)
}

/// For a test that needs the database to be a local file (it reads the file's bytes): over
/// libSQL it says so and returns true, and the test returns.
pub fn local_file_only(why: &str) -> bool {
    backend() == Backend::LibSql && skip("libSQL", why)
}

/// Says why the running test is skipped and notes it in `target/e2e/skipped-on-<run>.txt`,
/// which `scripts/test` empties before a run and lists after it. Returns true.
fn skip(on: &str, why: &str) -> bool {
    let test = std::thread::current().name().unwrap_or("?").to_owned();
    eprintln!("{test}: skipped on {on}: {why}");
    let run = match backend() {
        Backend::LocalFile => "spin",
        Backend::LibSql => "spin-libsql",
    };
    use std::io::Write;
    let list = repo_root().join(format!("target/e2e/skipped-on-{run}.txt"));
    if let Ok(mut file) = std::fs::OpenOptions::new().create(true).append(true).open(list) {
        let _ = writeln!(file, "{test}");
    }
    true
}

/// Where an application's `default` database is, for tests that look at what the service
/// wrote ([`TestApp::db`]).
#[derive(Clone)]
pub enum DatabaseAt {
    /// `sqlite_db.db` in the state directory (the test host, `spin up`).
    File(PathBuf),
    /// A `sqld`, shared by every app and replica on one state directory while one runs.
    LibSql(Arc<spin_cli::RunningSqld>),
}

impl DatabaseAt {
    /// The database of `state_dir` on this run's [`backend`]: over libSQL, the `sqld` of
    /// that directory, started (on its data in `state_dir/sqld`) unless one runs already.
    pub fn of(state_dir: &Path) -> Self {
        match backend() {
            Backend::LocalFile => DatabaseAt::File(state_dir.join("sqlite_db.db")),
            Backend::LibSql => DatabaseAt::LibSql(sqld_of(state_dir)),
        }
    }

    /// A connection, through the service's own `Db` seam (rusqlite on the file, libSQL's HTTP
    /// API on sqld).
    pub fn open(&self) -> ops::Database {
        match self {
            DatabaseAt::File(path) => ops::Database::File(domain::test_db::TestDb::open(path)),
            DatabaseAt::LibSql(sqld) => ops::Database::LibSql(ops::LibSql::connect(&sqld.url(), None)),
        }
    }

    /// Spin's runtime config for this database (`None`: Spin's default file in the state
    /// directory).
    pub fn runtime_config(&self) -> Option<String> {
        match self {
            DatabaseAt::File(_) => None,
            DatabaseAt::LibSql(sqld) => Some(sqld.runtime_config()),
        }
    }
}

/// Every byte of the app's local database file and its write-ahead log (the test host's and
/// `spin up`'s `sqlite_db.db` in the state directory).
pub fn bytes_on_disk(app: &TestApp) -> Vec<u8> {
    let files = ["sqlite_db.db", "sqlite_db.db-wal"];
    files.iter().filter_map(|file| std::fs::read(app.state_dir.join(file)).ok()).flatten().collect()
}

/// Whether `needle` occurs in `haystack`.
pub fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// Restores the backup `file` ([`TestApp::back_up`]) for apps on `state_dir`: it becomes the
/// state directory's SQLite file, or the database of the state directory's `sqld` (which
/// serves a SQLite file it finds at `dbs/default/data`, as Turso's restore makes a new
/// database from a backup).
pub fn restore(file: &Path, state_dir: &Path) {
    let target = match backend() {
        Backend::LocalFile => state_dir.join("sqlite_db.db"),
        Backend::LibSql => state_dir.join("sqld/dbs/default/data"),
    };
    std::fs::create_dir_all(target.parent().expect("a parent")).expect("the restore's directory");
    std::fs::copy(file, &target).expect("restoring the backup");
}

/// The running `sqld` of a state directory, or a new one.
fn sqld_of(state_dir: &Path) -> Arc<spin_cli::RunningSqld> {
    static RUNNING: std::sync::Mutex<Vec<(PathBuf, std::sync::Weak<spin_cli::RunningSqld>)>> =
        std::sync::Mutex::new(Vec::new());
    let mut running = RUNNING.lock().unwrap_or_else(|e| e.into_inner());
    running.retain(|(_, sqld)| sqld.strong_count() > 0);
    if let Some(sqld) = running.iter().find(|(dir, _)| dir == state_dir).and_then(|(_, s)| s.upgrade()) {
        return sqld;
    }
    let cli = spin_cli::find_sqld()
        .expect("E2E_DB=libsql needs sqld: `sqld` on PATH, $SQLD_BIN or ../shared/tools/sqld");
    let sqld = Arc::new(
        spin_cli::SqldUp::new(cli, state_dir.join("sqld")).start().unwrap_or_else(|e| panic!("{e}")),
    );
    running.push((state_dir.to_path_buf(), Arc::downgrade(&sqld)));
    sqld
}

/// The first column of the first row of `sql` as an integer (a count), `params` bound as
/// `?1`, `?2`, ...
pub fn query_int(db: &impl Db, sql: &str, params: &[i64]) -> i64 {
    let params: Vec<DbValue> = params.iter().map(|p| DbValue::Integer(*p)).collect();
    let rows = db.execute(sql, &params).block_on().unwrap_or_else(|e| panic!("{sql}: {e}"));
    match rows.rows.first().and_then(|row| row.first()) {
        Some(DbValue::Integer(n)) => *n,
        other => panic!("{sql}: expected an integer, got {other:?}"),
    }
}

/// Every row of `sql`, each column as text (integers written out, NULL as ""), `params`
/// bound as `?1`, `?2`, ...
pub fn query_texts(db: &impl Db, sql: &str, params: &[i64]) -> Vec<Vec<String>> {
    let params: Vec<DbValue> = params.iter().map(|p| DbValue::Integer(*p)).collect();
    let rows = db.execute(sql, &params).block_on().unwrap_or_else(|e| panic!("{sql}: {e}"));
    let text = |value: &DbValue| match value {
        DbValue::Text(t) => t.clone(),
        DbValue::Integer(i) => i.to_string(),
        DbValue::Null => String::new(),
        other => format!("{other:?}"),
    };
    rows.rows.iter().map(|row| row.iter().map(text).collect()).collect()
}

/// A running application on a fresh database and key-value store.
pub struct TestApp {
    running: Running,
    /// Its `default` database (over libSQL, kept running as long as the app).
    database: DatabaseAt,
    base_url: String,
    pub state_dir: PathBuf,
    clock_offset_ms: Arc<AtomicI64>,
    agent: ureq::Agent,
    tokens: std::sync::Mutex<HashMap<String, String>>,
}

/// The server process or thread; stopped when dropped.
enum Running {
    TestHost(#[allow(dead_code)] RunningHost),
    Spin(spin_cli::RunningSpin),
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
    spawn_app_listening(state_dir, variables, components, None)
}

/// [`spawn_app_on`] listening on `listen` (default: a free port on 127.0.0.1), like
/// `spin up --listen`.
pub fn spawn_app_listening(
    state_dir: PathBuf,
    variables: &[(&str, &str)],
    components: Option<&[&str]>,
    listen: Option<std::net::SocketAddr>,
) -> TestApp {
    spawn(state_dir, variables, components, listen, &[])
}

/// The app with spin.toml's defaults, given more arguments of `spin up` on real Spin (the test
/// host takes none).
pub fn spawn_app_with_spin_args(spin_args: &[&str]) -> TestApp {
    spawn(fresh_state_dir(), &[], None, None, spin_args)
}

fn spawn(
    state_dir: PathBuf,
    variables: &[(&str, &str)],
    components: Option<&[&str]>,
    listen: Option<std::net::SocketAddr>,
    spin_args: &[&str],
) -> TestApp {
    built_components();
    let agent = ureq::Agent::config_builder().http_status_as_error(false).build().new_agent();
    let database = DatabaseAt::of(&state_dir);
    let (running, base_url, clock_offset_ms) = match server() {
        Server::TestHost => {
            let mut config = HostConfig::new(repo_root().join("spin.toml"), &state_dir);
            config.listen = listen.unwrap_or(config.listen);
            config.variables = variables.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
            config.components = components.map(|c| c.iter().map(|s| s.to_string()).collect());
            config.guest_log = Some(state_dir.join("guest.log"));
            let clock_offset_ms = config.clock_offset_ms.clone();
            let host = testhost::start(config).expect("the test host starts");
            let base_url = host.base_url();
            (Running::TestHost(host), base_url, clock_offset_ms)
        }
        Server::Spin => {
            let mut spin = spin_up(manifest(), &state_dir);
            spin.listen = listen.unwrap_or(spin.listen);
            spin.variables = variables.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
            spin.components = components.unwrap_or_default().iter().map(|s| s.to_string()).collect();
            spin.extra_args = spin_args.iter().map(|s| s.to_string()).collect();
            if let Some(config) = database.runtime_config() {
                let path = state_dir.join("runtime-config.toml");
                std::fs::write(&path, config).expect("runtime config");
                spin.runtime_config = Some(path);
            }
            let running = start_spin(&spin);
            let base_url = running.base_url();
            (Running::Spin(running), base_url, Arc::default())
        }
    };
    TestApp { running, database, base_url, state_dir, clock_offset_ms, agent, tokens: Default::default() }
}

/// `spin up` of `manifest` on `state_dir` with the CLI `spin_cli::find` picks.
pub fn spin_up(manifest: PathBuf, state_dir: &Path) -> spin_cli::SpinUp {
    let cli = spin_cli::find()
        .expect("E2E_SERVER=spin needs the Spin CLI: `spin` on PATH, $SPIN_BIN or ../shared/tools/spin");
    spin_cli::SpinUp::new(cli, manifest, state_dir)
}

/// Starts `spin`. The first start of a test run compiles every component (Spin caches the
/// result): it runs alone, so that the tests starting at the same moment find the cache
/// instead of all compiling at once.
pub fn start_spin(spin: &spin_cli::SpinUp) -> spin_cli::RunningSpin {
    static WARM: std::sync::Mutex<bool> = std::sync::Mutex::new(false);
    let mut warm = WARM.lock().unwrap_or_else(|e| e.into_inner());
    if *warm {
        drop(warm);
        return spin.start().unwrap_or_else(|e| panic!("{e}"));
    }
    let running = spin.start().unwrap_or_else(|e| panic!("{e}"));
    *warm = true;
    running
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// A connection to the app's database, to look at what the service wrote (on a local file
    /// or over libSQL alike: [`query_int`], [`query_texts`]).
    pub fn db(&self) -> ops::Database {
        self.database.open()
    }

    /// Writes a copy of the app's database to the SQLite file `to`, as a backup holds it:
    /// `VACUUM INTO` on a local file; over libSQL, sqld's SQL dump (`GET /dump`, what
    /// `turso db shell <db> .dump` gives) loaded into a new file.
    pub fn back_up(&self, to: &Path) {
        match &self.database {
            DatabaseAt::File(_) => {
                let to = DbValue::Text(to.display().to_string());
                self.db().execute("VACUUM INTO ?1", &[to]).block_on().expect("VACUUM INTO");
            }
            DatabaseAt::LibSql(sqld) => {
                let dump = self.agent.get(format!("{}/dump", sqld.url())).call().expect("GET /dump");
                assert_eq!(dump.status(), 200, "sqld's dump");
                let dump = dump.into_body().read_to_string().expect("the dump");
                let file = rusqlite::Connection::open(to).expect("a new SQLite file");
                file.execute_batch(&dump).expect("the dump loads");
            }
        }
    }

    /// Everything the components wrote to stderr so far.
    pub fn log_text(&self) -> String {
        match &self.running {
            Running::TestHost(_) => {
                std::fs::read_to_string(self.state_dir.join("guest.log")).unwrap_or_default()
            }
            Running::Spin(spin) => spin.component_stderr(),
        }
    }

    /// The components' log lines so far (one JSON object per request).
    pub fn log_lines(&self) -> Vec<Value> {
        self.log_text().lines().filter_map(|line| serde_json::from_str(line).ok()).collect()
    }

    /// Moves the components' wall clock forward (test host only: start the test with
    /// [`test_host_only`]).
    pub fn advance_clock_secs(&self, secs: i64) {
        assert!(
            matches!(self.running, Running::TestHost(_)),
            "only the test host can move the clock: start this test with `if test_host_only(..) {{ return; }}`"
        );
        self.clock_offset_ms.fetch_add(secs * 1000, Ordering::Relaxed);
    }

    /// Sends a request; `headers` may include Content-Type (JSON bodies get it by default). The
    /// response is checked against the OpenAPI document (`conformance::check`).
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
        let response = TestResponse { status, headers, body };
        assert_length_announced(method, path, &response);
        crate::conformance::check(method, path, &response);
        response
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

/// Every answer of a component announces its length and is not chunked, so that it leaves
/// Spin in one write (`spin_glue::send`; a chunked end waits 40 ms for the client's delayed
/// ACK on keep-alive connections). Answers of the host itself (no route: no correlation id)
/// are the host's business.
fn assert_length_announced(method: &str, path: &str, response: &TestResponse) {
    if response.header("x-correlation-id").is_none() || matches!(response.status, 204 | 304) {
        return;
    }
    let length = response.header("content-length");
    assert_eq!(
        length.and_then(|l| l.parse::<usize>().ok()),
        Some(response.body.len()),
        "{method} {path} ({}): Content-Length {length:?} for a body of {} bytes",
        response.status,
        response.body.len()
    );
    assert_eq!(response.header("transfer-encoding"), None, "{method} {path}: chunked");
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

/// The UTC calendar date of a Unix time, as (year, month, day) (Howard Hinnant's
/// civil-from-days).
fn civil(unix_secs: i64) -> (i64, i64, i64) {
    let z = unix_secs.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Today plus `days`, as `YYYY-MM-DD` (UTC).
pub fn date_in_days(days: i64) -> String {
    let (y, m, d) = civil(crate::tokens::now() + days * 86_400);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Now plus `secs`, as an RFC 3339 date-time (UTC).
pub fn datetime_in_secs(secs: i64) -> String {
    let at = crate::tokens::now() + secs;
    let (y, m, d) = civil(at);
    let s = at.rem_euclid(86_400);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", s / 3600, s % 3600 / 60, s % 60)
}

/// The app trusting the partner issuer's keys too, so tests can sign tokens with chosen
/// permissions ([`client_with_only`], [`client_without`]).
pub fn spawn_app_trusting_partner() -> TestApp {
    spawn_app_with(&[("jwt_jwks", &crate::tokens::partner_jwks())])
}

/// A client of `organisation` whose token (partner issuer) grants exactly `permissions`.
pub fn client_with_only<'a>(app: &'a TestApp, organisation: i64, permissions: &[&str]) -> Client<'a> {
    let mut claims = crate::tokens::claims(organisation);
    claims["permissions"] = json!(permissions);
    Client { app, token: crate::tokens::eddsa(1, "ed-1", &claims) }
}

/// A client of `organisation` whose token (partner issuer) grants every permission but one.
pub fn client_without<'a>(app: &'a TestApp, organisation: i64, permission: &str) -> Client<'a> {
    let mut claims = crate::tokens::claims(organisation);
    let all = claims["permissions"].as_array().expect("permissions").clone();
    claims["permissions"] = all.into_iter().filter(|p| p != permission).collect();
    Client { app, token: crate::tokens::eddsa(1, "ed-1", &claims) }
}

/// One row of a permission matrix: method, path, body, the permission the endpoint needs, and
/// its status for a token with only that permission.
pub type Needs<'a> = (&'a str, String, Option<&'a Value>, &'a str, u16);

/// For each row, in order (so a DELETE may come last): a token of `organisation` with every
/// permission but the one needed is 403 `MISSING_PERMISSION` naming it, and a token with only
/// that one gets the row's status. The app must trust the partner issuer
/// ([`spawn_app_trusting_partner`]).
pub fn assert_each_needs_its_permission(app: &TestApp, organisation: i64, rows: &[Needs<'_>]) {
    for (method, path, body, permission, success) in rows {
        let refused = client_without(app, organisation, permission).send(method, path, *body);
        assert_eq!(
            (refused.status, refused.error_code().as_str()),
            (403, "MISSING_PERMISSION"),
            "{method} {path} without {permission}: {}",
            refused.body
        );
        let detail = refused.json()["detail"].as_str().unwrap_or_default().to_owned();
        assert!(detail.contains(permission), "{method} {path}: the 403 does not name {permission}: {detail}");
        let allowed = client_with_only(app, organisation, &[permission]).send(method, path, *body);
        assert_eq!(allowed.status, *success, "{method} {path} with only {permission}: {}", allowed.body);
    }
}

impl Client<'_> {
    /// A request with extra headers (`If-Match`, `Idempotency-Key`) and an optional JSON body.
    pub fn send_with_headers(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&Value>,
    ) -> TestResponse {
        let auth = format!("Bearer {}", self.token);
        let mut all = vec![("content-type", "application/json"), ("authorization", auth.as_str())];
        all.extend_from_slice(headers);
        self.app.request(method, path, &all, body.map(|b| b.to_string().into_bytes()))
    }
}

/// Asserts that `theirs` (another organisation's resource) is answered exactly like `missing`:
/// 404 with the same problem body.
pub fn assert_answers_like_missing(
    client: &Client,
    method: &str,
    theirs: &str,
    missing: &str,
    body: Option<&Value>,
) {
    let (their_answer, missing_answer) =
        (client.send(method, theirs, body), client.send(method, missing, body));
    assert_eq!(
        their_answer.status, 404,
        "{method} {theirs} reached another organisation's data: {}",
        their_answer.body
    );
    assert_eq!(
        their_answer.problem_shape(),
        missing_answer.problem_shape(),
        "{method} {theirs} differs from a missing one"
    );
}

/// The `(field, errorCode)` of every entry of a problem body.
pub fn field_errors(response: &TestResponse) -> Vec<(String, String)> {
    let entries = response.json()["errors"].as_array().cloned().unwrap_or_default();
    entries
        .iter()
        .map(|e| {
            (e["field"].as_str().unwrap_or("").to_owned(), e["errorCode"].as_str().unwrap_or("").to_owned())
        })
        .collect()
}
