//! `load`: the HTTP half of the benchmark suite. Starts the JWKS server and real Spin
//! (`spin up`, or the test host with `--server testhost`) on the seeded state, then runs each
//! scenario at each of the given concurrencies (16 keep-alive connections, then 1; one thread
//! per connection): a warm-up, then measured windows whose latencies give throughput, p50 and
//! p99. Writes `<out>/http.json`.
//!
//! `--db libsql` serves the seeded database from a libSQL server instead of Spin's local file:
//! a `sqld` (`spin_cli::find_sqld`, or `--sqld PATH`) started on a copy of the seeded file (sqld
//! serves a SQLite file it finds at `<db-path>/dbs/default/data`; about 30 s for the 1.2 GB
//! file, copy included), reached through Spin's runtime config of `type = "libsql"`, as in the
//! scaled-out deployment. `--db file,libsql` runs both, one `spin up` each, every scenario on
//! each in the same interleaved rounds, so that the two are compared on the same machine.
//! `--spin-env` sets a variable for every `spin up` (`SSL_CERT_FILE=…` in
//! docs/upstream/spin-libsql-client-per-request.md).
//!
//! `--builds p2,p3` serves the components of both builds, each from its own `spin up` on the
//! same database: the WASIp2 build (`--manifest`, bench/spin.toml) and the WASIp3 build
//! (`--p3-manifest`, bench/spin.p3.toml, components from target/p3), every scenario on each in
//! the same interleaved rounds. The WASIp2 floors run on the p2 `spin up`, the WASIp3 floors
//! (`floor: hello p3`, `floor: select p3`: bench/floors/*-p3) on the p3 one; a p3 scenario's
//! floor is its p3 counterpart (the report also holds it to the p2 hello floor: issue 16).
//!
//! The measured time of each scenario is split into `--rounds` slices, and each round runs
//! every scenario once, floors included (after a warm-up of `--warmup` seconds in the first
//! round and half a second in the others). So a scenario and its floor are measured in
//! windows seconds apart, and what the machine's neighbours do to one they do to the other:
//! measured back to back for 10 s each, on our shared 2 cores, the same build's ratio to its
//! floor moved between 0.52 and 0.90 from run to run.
//!
//! ```text
//! load [--server spin|testhost] [--spin PATH] [--nodelay] [--testhost target/debug/testhost]
//!      [--db file|libsql|file,libsql] [--sqld PATH] [--spin-env NAME=VALUE]...
//!      [--builds p2|p3|p2,p3] [--manifest bench/spin.toml] [--p3-manifest bench/spin.p3.toml]
//!      [--state-dir target/bench/state] [--connections 16,1]
//!      [--warmup 3] [--seconds 10] [--rounds 5] [--alg RS256] [--only get,create,...]
//! ```
//!
//! `--spin` defaults to the CLI `spin_cli::find` picks (`spin` on PATH, `$SPIN_BIN`,
//! `../shared/tools/spin`). `--nodelay` runs that Spin with `SPIN_PROBE_NODELAY=1`, which only
//! `../shared/tools/spin` understands: it sets `TCP_NODELAY` on accepted connections, as the
//! one-line upstream fix would (docs/upstream/spin-tcp-nodelay.md).
//!
//! The service trusts the benchmark's partner issuer through `jwt_jwks_url`, served by
//! [`bench::http::JwksServer`], which counts the fetches: in steady state (after the first
//! request cached the document in key-value) a request must not fetch.

use anyhow::{bail, Context, Result};
use bench::data::People;
use bench::http::{encode, request, Connection, JwksServer};
use bench::keys::Keys;
use bench::stats::Summary;
use serde_json::json;
use std::io::BufRead;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Which server runs the components.
#[derive(Clone, Copy, PartialEq)]
enum Server {
    Spin,
    TestHost,
}

/// Where the `default` database is.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Database {
    /// Spin's local SQLite file, the seeded file itself.
    File,
    /// A libSQL server (`sqld`) serving a copy of the seeded file.
    LibSql,
}

impl Database {
    fn parse(name: &str) -> Result<Self> {
        match name {
            "file" => Ok(Database::File),
            "libsql" => Ok(Database::LibSql),
            other => bail!("--db {other}: file or libsql"),
        }
    }

    /// As `http.json` names it.
    fn label(self) -> &'static str {
        match self {
            Database::File => "file",
            Database::LibSql => "libsql",
        }
    }
}

/// Which build of the components serves: WASIp2 (spin-sdk 5.2, an instance per request) or
/// WASIp3 (spin-sdk 7, instances reused).
#[derive(Clone, Copy, PartialEq, Debug)]
enum Build {
    P2,
    P3,
}

impl Build {
    fn parse(name: &str) -> Result<Self> {
        match name {
            "p2" => Ok(Build::P2),
            "p3" => Ok(Build::P3),
            other => bail!("--builds {other}: p2 or p3"),
        }
    }

    /// As `http.json` names it.
    fn label(self) -> &'static str {
        match self {
            Build::P2 => "p2",
            Build::P3 => "p3",
        }
    }

    /// The floor a scenario of this build is compared with: a p3 scenario's is the p3 floor
    /// of the same work where there is one.
    fn floor(self, floor: &'static str) -> &'static str {
        match (self, floor) {
            (Build::P3, "floor: hello") => "floor: hello p3",
            (Build::P3, "floor: select") => "floor: select p3",
            _ => floor,
        }
    }
}

struct Options {
    server: Server,
    builds: Vec<Build>,
    p3_manifest: PathBuf,
    spin: Option<PathBuf>,
    nodelay: bool,
    databases: Vec<Database>,
    sqld: Option<PathBuf>,
    spin_env: Vec<(String, String)>,
    testhost: PathBuf,
    manifest: PathBuf,
    state_dir: PathBuf,
    connections: Vec<usize>,
    warmup: Duration,
    seconds: Duration,
    rounds: u32,
    alg: String,
    only: Option<Vec<String>>,
}

fn options() -> Result<Options> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut o = Options {
        server: Server::Spin,
        builds: vec![Build::P2],
        p3_manifest: root.join("bench/spin.p3.toml"),
        spin: spin_cli::find(),
        nodelay: false,
        databases: vec![Database::File],
        sqld: spin_cli::find_sqld(),
        spin_env: Vec::new(),
        testhost: root.join("target/debug/testhost"),
        manifest: root.join("bench/spin.toml"),
        state_dir: bench::seeded_db().parent().context("state dir")?.to_path_buf(),
        connections: vec![16, 1],
        warmup: Duration::from_secs(3),
        seconds: Duration::from_secs(10),
        rounds: 5,
        alg: "RS256".into(),
        only: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        if flag == "--nodelay" {
            o.nodelay = true;
            continue;
        }
        let value = args.next().with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--server" => {
                o.server = match value.as_str() {
                    "spin" => Server::Spin,
                    "testhost" => Server::TestHost,
                    other => bail!("--server {other}: spin or testhost"),
                }
            }
            "--spin" => o.spin = Some(value.into()),
            "--db" => o.databases = value.split(',').map(Database::parse).collect::<Result<_>>()?,
            "--sqld" => o.sqld = Some(value.into()),
            "--spin-env" => {
                let (name, value) = value.split_once('=').context("--spin-env NAME=VALUE")?;
                o.spin_env.push((name.to_owned(), value.to_owned()));
            }
            "--testhost" => o.testhost = value.into(),
            "--manifest" => o.manifest = value.into(),
            "--p3-manifest" => o.p3_manifest = value.into(),
            "--builds" => o.builds = value.split(',').map(Build::parse).collect::<Result<_>>()?,
            "--state-dir" => o.state_dir = value.into(),
            "--connections" => {
                o.connections = value.split(',').map(str::parse).collect::<Result<_, _>>()?;
            }
            "--warmup" => o.warmup = Duration::from_secs_f64(value.parse()?),
            "--seconds" => o.seconds = Duration::from_secs_f64(value.parse()?),
            "--rounds" => o.rounds = value.parse::<u32>()?.max(1),
            "--alg" => o.alg = value,
            "--only" => o.only = Some(value.split(',').map(str::to_owned).collect()),
            other => bail!("unknown argument {other}"),
        }
    }
    Ok(o)
}

/// The server under load; stopped when dropped.
enum Host {
    /// `spin up` (its libSQL server, if any, is shared by the builds and stopped after them).
    Spin(spin_cli::RunningSpin, Database, Build),
    /// The test host as a child process.
    TestHost(Child, SocketAddr),
}

impl Host {
    fn start(
        o: &Options,
        jwks_url: &str,
        (database, build): (Database, Build),
        sqld: Option<&spin_cli::RunningSqld>,
    ) -> Result<Host> {
        let variables = [("jwt_jwks_url", jwks_url), ("dev_issuer_enabled", "false")];
        match (o.server, database) {
            (Server::Spin, _) => {
                let cli = o.spin.clone().context("no Spin CLI: spin on PATH, $SPIN_BIN or --spin PATH")?;
                // Both builds' `spin up`s serve the same database: the seeded file, or sqld.
                let state_dir = match database {
                    Database::File => o.state_dir.clone(),
                    Database::LibSql => {
                        let state_dir = bench::out_dir().join(format!("libsql-spin-state-{}", build.label()));
                        std::fs::create_dir_all(&state_dir)?;
                        state_dir
                    }
                };
                let manifest = match build {
                    Build::P2 => &o.manifest,
                    Build::P3 => &o.p3_manifest,
                };
                let mut spin = spin_cli::SpinUp::new(cli, manifest, &state_dir);
                spin.variables = variables.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
                if database == Database::LibSql {
                    let sqld = sqld.context("a libSQL server")?;
                    let config = state_dir.join("runtime-config.toml");
                    std::fs::write(&config, sqld.runtime_config())?;
                    spin.runtime_config = Some(config);
                }
                if o.nodelay {
                    spin.env.push(("SPIN_PROBE_NODELAY".into(), "1".into()));
                }
                spin.env.extend(o.spin_env.iter().cloned());
                Ok(Host::Spin(spin.start().map_err(anyhow::Error::msg)?, database, build))
            }
            (Server::TestHost, _) if build == Build::P3 => bail!("the test host runs the WASIp2 build only"),
            (Server::TestHost, Database::File) => Self::start_test_host(o, &variables),
            (Server::TestHost, Database::LibSql) => bail!("the test host serves a local file only"),
        }
    }

    /// A `sqld` serving a fresh copy of the seeded file (the file itself stays as it is for
    /// the other runs).
    fn start_sqld(o: &Options) -> Result<spin_cli::RunningSqld> {
        let cli = o.sqld.clone().context("no sqld: sqld on PATH, $SQLD_BIN or --sqld PATH")?;
        let dir = bench::out_dir().join("sqld");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("dbs/default"))?;
        let started = Instant::now();
        std::fs::copy(o.state_dir.join("sqlite_db.db"), dir.join("dbs/default/data"))
            .context("copying the seeded database for sqld")?;
        let sqld = spin_cli::SqldUp::new(cli, &dir).start().map_err(anyhow::Error::msg)?;
        eprintln!(
            "load: sqld on {} serves a copy of the seeded file (copied and started in {:.1} s)",
            sqld.addr,
            started.elapsed().as_secs_f64()
        );
        Ok(sqld)
    }

    fn start_test_host(o: &Options, variables: &[(&str, &str)]) -> Result<Host> {
        let log = bench::out_dir().join("testhost.log");
        let mut command = Command::new(&o.testhost);
        command.args(["--manifest".as_ref(), o.manifest.as_os_str()]).args(["--listen", "127.0.0.1:0"]);
        command.args(["--state-dir".as_ref(), o.state_dir.as_os_str()]);
        for (key, value) in variables {
            command.args(["--variable", &format!("{key}={value}")]);
        }
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log)?)
            .spawn()
            .with_context(|| format!("starting {}", o.testhost.display()))?;
        let stdout = child.stdout.take().context("stdout")?;
        let mut lines = std::io::BufReader::new(stdout).lines();
        let addr = loop {
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(url) = line.strip_prefix("testhost: serving on http://") {
                        break url.trim().parse::<SocketAddr>()?;
                    }
                }
                _ => {
                    let _ = child.kill();
                    bail!("the test host did not start; see {}", log.display());
                }
            }
        };
        std::thread::spawn(move || for _ in lines {});
        Ok(Host::TestHost(child, addr))
    }

    fn addr(&self) -> SocketAddr {
        match self {
            Host::Spin(spin, ..) => spin.addr,
            Host::TestHost(_, addr) => *addr,
        }
    }

    fn describe(&self, o: &Options) -> String {
        match self {
            Host::Spin(_, database, build) => {
                let version = |cli: Option<&std::path::Path>| {
                    let output = Command::new(cli.unwrap_or("spin".as_ref())).arg("--version").output().ok();
                    output.map(|v| String::from_utf8_lossy(&v.stdout).trim().to_owned()).unwrap_or_default()
                };
                let mut nodelay = if o.nodelay { ", SPIN_PROBE_NODELAY=1".to_owned() } else { String::new() };
                for (name, value) in &o.spin_env {
                    nodelay.push_str(&format!(", {name}={value}"));
                }
                let database = match database {
                    Database::LibSql => format!("over libSQL ({}, loopback)", version(o.sqld.as_deref())),
                    Database::File => "over a local SQLite file".to_owned(),
                };
                let build = match build {
                    Build::P2 => "WASIp2 build",
                    Build::P3 => "WASIp3 build",
                };
                format!("real Spin (`spin up`, {}{nodelay}), {build}, {database}", version(o.spin.as_deref()))
            }
            Host::TestHost(..) => "the dev-profile test host (`target/debug/testhost`)".into(),
        }
    }
}

impl Drop for Host {
    fn drop(&mut self) {
        if let Host::TestHost(child, _) = self {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// What the scenarios draw from: existing customers of the big organisation.
struct Sample {
    numbers: Vec<i64>,
    emails: Vec<String>,
    surnames: Vec<String>,
    phones: Vec<String>,
    consent_id: i64,
    /// The range of ids of the organisation's change feed (every seeded profile, address and
    /// consent left its event, written by the same triggers as in service).
    event_ids: (i64, i64),
}

fn sample(o: &Options) -> Result<Sample> {
    let db = rusqlite::Connection::open_with_flags(
        o.state_dir.join("sqlite_db.db"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )?;
    let mut stmt = db.prepare(
        "SELECT customer_number, email, surname, country_code, telephone_number FROM customer
          WHERE organisation_id = ?1 AND profile_type = 'S' AND status = 'A' ORDER BY random() LIMIT 20000",
    )?;
    let mut s = Sample {
        numbers: vec![],
        emails: vec![],
        surnames: vec![],
        phones: vec![],
        consent_id: 0,
        event_ids: (0, 0),
    };
    let mut rows = stmt.query([bench::BIG_ORG])?;
    while let Some(row) = rows.next()? {
        s.numbers.push(row.get(0)?);
        if let Some(email) = row.get::<_, Option<String>>(1)? {
            s.emails.push(email);
        }
        s.surnames.push(row.get(2)?);
        if let (Some(code), Some(number)) =
            (row.get::<_, Option<String>>(3)?, row.get::<_, Option<String>>(4)?)
        {
            s.phones.push(format!("{code}{}", number.replace([' ', '-'], "")));
        }
    }
    s.consent_id = db.query_row(
        "SELECT id FROM consent WHERE organisation_id = ?1 AND consent_code = ?2",
        rusqlite::params![bench::BIG_ORG, bench::BIG_ORG_CONSENT],
        |r| r.get(0),
    )?;
    s.event_ids = db.query_row(
        "SELECT min(id), max(id) FROM customer_event WHERE organisation_id = ?1",
        [bench::BIG_ORG],
        |r| Ok((r.get::<_, Option<i64>>(0)?.unwrap_or(0), r.get::<_, Option<i64>>(1)?.unwrap_or(0))),
    )?;
    if s.numbers.is_empty() {
        bail!("the database has no profiles: run seed first");
    }
    Ok(s)
}

/// Makes the i-th request of connection c.
type MakeRequest = Box<dyn Fn(usize, u64, &mut bench::data::Rng) -> Vec<u8> + Send + Sync>;

/// One scenario: how to make the i-th request of a connection, and what answer is success.
struct Scenario {
    name: &'static str,
    /// The floor scenario it is compared with.
    floor: Option<&'static str>,
    authenticated: bool,
    ok: fn(u16) -> bool,
    make: MakeRequest,
}

fn ok_2xx(status: u16) -> bool {
    (200..300).contains(&status)
}

fn ok_401(status: u16) -> bool {
    status == 401
}

fn scenarios(host: &str, token: &str, s: Arc<Sample>, run: u64) -> Vec<Scenario> {
    let host = host.to_owned();
    let token = token.to_owned();
    let mut list = Vec::new();
    macro_rules! scenario {
        ($name:expr, $floor:expr, $auth:expr, |$conn:ident, $i:ident, $rng:ident, $h:ident, $t:ident, $s:ident| $body:expr) => {{
            let $h = host.clone();
            let $t = token.clone();
            let $s = s.clone();
            list.push(Scenario {
                name: $name,
                floor: $floor,
                authenticated: $auth,
                ok: if $name.starts_with("401") { ok_401 } else { ok_2xx },
                make: Box::new(move |$conn, $i, $rng| {
                    let _ = (&$h, &$t, &$s, $conn, $i, &$rng);
                    $body
                }),
            });
        }};
    }
    scenario!("floor: hello", None, false, |c, i, r, h, t, s| request("GET", &h, "/bench/hello", None, None));
    scenario!("floor: hello p3", None, false, |c, i, r, h, t, s| request(
        "GET",
        &h,
        "/bench/hello-p3",
        None,
        None
    ));
    scenario!("floor: select p3", None, false, |c, i, r, h, t, s| {
        let n = *r.pick(&s.numbers);
        request("GET", &h, &format!("/bench/select-p3/{n}"), None, None)
    });
    // What the request pipeline costs without the database and token (a 401), and with one
    // database round trip and no token (`/health`).
    scenario!("401 without a token", Some("floor: hello"), false, |c, i, r, h, t, s| {
        request("GET", &h, "/customers/v2/profiles/1", None, None)
    });
    scenario!("GET /health", Some("floor: select"), false, |c, i, r, h, t, s| {
        request("GET", &h, "/health", None, None)
    });
    scenario!("floor: select", None, false, |c, i, r, h, t, s| {
        let n = *r.pick(&s.numbers);
        request("GET", &h, &format!("/bench/select/{n}"), None, None)
    });
    scenario!("GET /profiles/{n}", Some("floor: select"), true, |c, i, r, h, t, s| {
        let n = *r.pick(&s.numbers);
        request("GET", &h, &format!("/customers/v2/profiles/{n}"), Some(&t), None)
    });
    scenario!("search by email", Some("floor: select"), true, |c, i, r, h, t, s| {
        let email = r.pick(&s.emails);
        request("GET", &h, &format!("/customers/v2/profiles?email={}", encode(email)), Some(&t), None)
    });
    scenario!("search by surname", Some("floor: select"), true, |c, i, r, h, t, s| {
        let surname = r.pick(&s.surnames);
        request("GET", &h, &format!("/customers/v2/profiles?surname={}", encode(surname)), Some(&t), None)
    });
    scenario!("search by phone", Some("floor: select"), true, |c, i, r, h, t, s| {
        let phone = r.pick(&s.phones);
        request(
            "GET",
            &h,
            &format!("/customers/v2/profiles?telephoneNumber={}", encode(phone)),
            Some(&t),
            None,
        )
    });
    // A partner catching up: a page of 100 events after a cursor anywhere in the feed.
    scenario!("events page", Some("floor: select"), true, |c, i, r, h, t, s| {
        let (first, last) = s.event_ids;
        let after = first + (r.next_u64() % (last - first).max(1) as u64) as i64;
        let path = format!("/customers/v2/events?after={}&limit=100", web::paging::encode_cursor(after));
        request("GET", &h, &path, Some(&t), None)
    });
    scenario!("floor: insert", None, false, |c, i, r, h, t, s| {
        request("POST", &h, "/bench/insert", None, Some(&format!("{{\"connection\":{c},\"i\":{i}}}")))
    });
    for (name, password) in [("create, no password", None), ("create with password", Some("Sommer2026x"))] {
        scenario!(name, Some("floor: insert"), true, |c, i, r, h, t, s| {
            let person = People::new(r.next_u64()).person(i);
            let mut body = json!({
                "firstName": person.first_name, "surname": person.surname,
                "email": format!("bench.{run}.{c}.{i}.{}@example.no", password.is_some() as u8),
                "dateOfBirth": person.date_of_birth, "languagePreference": "nob",
                "telephoneNumberNoCountryCode": person.telephone, "countryCode": "+47",
                "createdBy": "bench", "createdByChannel": "WEB",
            });
            if let Some(password) = password {
                body["password"] = json!(password);
            }
            request("POST", &h, "/customers/v2/profiles", Some(&t), Some(&body.to_string()))
        });
    }
    scenario!("given-consent upsert", Some("floor: insert"), true, |c, i, r, h, t, s| {
        let body = json!({
            "customerNumber": *r.pick(&s.numbers), "consentId": s.consent_id,
            "consentChoice": r.chance(70), "distributionChannel": "WEB",
        });
        request("POST", &h, "/customers/v2/consents/client/given-consents", Some(&t), Some(&body.to_string()))
    });
    list
}

struct Outcome {
    latencies: Vec<Duration>,
    errors: u64,
    statuses: std::collections::BTreeMap<u16, u64>,
    jwks_fetches: u64,
}

impl Outcome {
    fn add(&mut self, other: Outcome) {
        self.latencies.extend(other.latencies);
        self.errors += other.errors;
        for (status, n) in other.statuses {
            *self.statuses.entry(status).or_insert(0) += n;
        }
        self.jwks_fetches += other.jwks_fetches;
    }
}

/// One window of one scenario: `warmup`, then `seconds` measured. Request numbers start at
/// `first_i`, so that creates stay unique across windows.
fn run(
    connections: usize,
    addr: SocketAddr,
    scenario: &Scenario,
    jwks: &JwksServer,
    (warmup, seconds, first_i): (Duration, Duration, u64),
) -> Outcome {
    let start = Instant::now();
    let measure_from = start + warmup;
    let until = measure_from + seconds;
    let fetches_before = Arc::new(AtomicU64::new(u64::MAX));
    let results: Vec<(Vec<Duration>, u64, Vec<u16>)> = std::thread::scope(|scope| {
        // Counts the JWKS fetches at the start of the measured window.
        scope.spawn(|| {
            std::thread::sleep(measure_from.saturating_duration_since(Instant::now()));
            fetches_before.store(jwks.fetches(), Ordering::SeqCst);
        });
        let handles: Vec<_> = (0..connections)
            .map(|c| {
                scope.spawn(move || {
                    let mut rng = bench::data::Rng::new(
                        0xB3AC_u64 ^ (c as u64) << 32 ^ start.elapsed().as_nanos() as u64,
                    );
                    let mut connection = Connection::new(addr);
                    let (mut latencies, mut errors, mut statuses) = (Vec::new(), 0u64, Vec::new());
                    let mut i = first_i;
                    loop {
                        let sent = Instant::now();
                        if sent >= until {
                            break;
                        }
                        let raw = (scenario.make)(c, i, &mut rng);
                        i += 1;
                        let answer = connection.send(&raw);
                        let took = sent.elapsed();
                        if sent < measure_from {
                            continue;
                        }
                        match answer {
                            Ok(response) => {
                                statuses.push(response.status);
                                if !(scenario.ok)(response.status) {
                                    errors += 1;
                                    if errors <= 2 {
                                        eprintln!(
                                            "load: {}: {} {}",
                                            scenario.name,
                                            response.status,
                                            String::from_utf8_lossy(&response.body)
                                                .chars()
                                                .take(300)
                                                .collect::<String>()
                                        );
                                    }
                                }
                            }
                            Err(e) => {
                                errors += 1;
                                statuses.push(0);
                                if errors <= 2 {
                                    eprintln!("load: {}: {e}", scenario.name);
                                }
                            }
                        }
                        latencies.push(took);
                    }
                    (latencies, errors, statuses)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("load thread")).collect()
    });
    let jwks_fetches = jwks.fetches() - fetches_before.load(Ordering::SeqCst).min(jwks.fetches());
    let latencies: Vec<Duration> = results.iter().flat_map(|r| r.0.iter().copied()).collect();
    let errors = results.iter().map(|r| r.1).sum();
    let mut statuses = std::collections::BTreeMap::new();
    for status in results.iter().flat_map(|r| r.2.iter()) {
        *statuses.entry(*status).or_insert(0) += 1;
    }
    Outcome { latencies, errors, statuses, jwks_fetches }
}

fn main() -> Result<()> {
    let o = options()?;
    std::fs::create_dir_all(bench::out_dir())?;
    let keys = Keys::generate();
    let jwks = JwksServer::start(keys.jwks())?;
    let sample = Arc::new(sample(&o)?);
    // sqld first: it copies the seeded file before a Spin writes to it. Both builds share it.
    let sqld = match o.databases.contains(&Database::LibSql) {
        true => Some(Host::start_sqld(&o)?),
        false => None,
    };
    let mut hosts = Vec::new();
    for &database in &o.databases {
        for &build in &o.builds {
            let started = Instant::now();
            let host = Host::start(&o, &jwks.url(), (database, build), sqld.as_ref())?;
            let server = host.describe(&o);
            eprintln!("load: {server} on {} ready in {:.1} s", host.addr(), started.elapsed().as_secs_f64());
            hosts.push(((database, build), server, host));
        }
    }
    hosts.sort_by_key(|((database, _), ..)| *database != Database::File);
    let server = hosts.iter().map(|(_, server, _)| server.as_str()).collect::<Vec<_>>().join("; and ");
    let token = keys.token(&o.alg, bench::BIG_ORG, 4 * 3600);
    let run_id = bench::now_millis() as u64;
    // The p2 floors run where the p2 build does (or, without it, beside the p3 build), the p3
    // floors beside the p3 build.
    let has_p2 = o.builds.contains(&Build::P2);
    let runs_here = |build: Build, name: &str| match (name.starts_with("floor:"), name.ends_with(" p3")) {
        (false, _) => true,
        (true, true) => build == Build::P3,
        (true, false) => build == Build::P2 || !has_p2,
    };
    let scenarios: Vec<Vec<Scenario>> = hosts
        .iter()
        .map(|((_, build), _, host)| {
            scenarios(&host.addr().to_string(), &token, sample.clone(), run_id)
                .into_iter()
                .filter(|scenario| runs_here(*build, scenario.name))
                .filter(|scenario| match &o.only {
                    Some(only) => only.iter().any(|n| scenario.name.contains(n.as_str())),
                    None => true,
                })
                .collect()
        })
        .collect();
    // Every (scenario, connections, host) triple, measured in interleaved rounds.
    let runs: Vec<(&Scenario, usize, usize)> = o
        .connections
        .iter()
        .flat_map(|&c| {
            scenarios.iter().enumerate().flat_map(move |(h, list)| list.iter().map(move |s| (s, c, h)))
        })
        .collect();
    let slice = o.seconds / o.rounds;
    let mut outcomes: Vec<Option<Outcome>> = runs.iter().map(|_| None).collect();
    for round in 0..o.rounds {
        let warmup = if round == 0 { o.warmup } else { Duration::from_millis(500) };
        for (&(scenario, connections, h), total) in runs.iter().zip(outcomes.iter_mut()) {
            let first_i = (u64::from(round) << 32) | ((connections as u64) << 24);
            let outcome = run(connections, hosts[h].2.addr(), scenario, &jwks, (warmup, slice, first_i));
            match total {
                Some(total) => total.add(outcome),
                None => *total = Some(outcome),
            }
        }
        eprintln!("load: round {} of {} done", round + 1, o.rounds);
    }
    let mut results = Vec::new();
    let (mut measured_auth_requests, mut measured_fetches) = (0u64, 0u64);
    for (&(scenario, connections, h), outcome) in runs.iter().zip(outcomes) {
        let mut outcome = outcome.expect("every scenario ran");
        let summary = Summary::of(scenario.name, &mut outcome.latencies, outcome.errors, slice * o.rounds);
        let s = &summary;
        let (database, build) = (hosts[h].0 .0.label(), hosts[h].0 .1);
        eprintln!(
            "load: {database:<6} {} {:<32} c={connections:<3} {:>8.0} req/s  p50 {:>7.2} ms  p99 {:>8.2} ms  errors {}  statuses {:?}  jwks fetches {}",
            build.label(), s.name, s.per_sec, s.p50_ms, s.p99_ms, s.errors, outcome.statuses, outcome.jwks_fetches
        );
        if scenario.authenticated {
            measured_auth_requests += s.count;
            measured_fetches += outcome.jwks_fetches;
        }
        results.push(json!({
            "summary": summary, "floor": scenario.floor.map(|f| build.floor(f)), "authenticated": scenario.authenticated,
            "connections": connections, "database": database, "build": build.label(), "statuses": outcome.statuses,
            "jwksFetches": outcome.jwks_fetches,
        }));
    }
    drop(hosts);
    drop(sqld);
    let path = bench::stats::write_json(
        "http.json",
        &json!({
            "server": server, "connections": o.connections, "warmupSeconds": o.warmup.as_secs_f64(),
            "rounds": o.rounds, "measuredSeconds": o.seconds.as_secs_f64(), "alg": o.alg, "scenarios": results,
            "jwks": {"fetchesTotal": jwks.fetches(), "fetchesMeasured": measured_fetches,
                     "authenticatedRequestsMeasured": measured_auth_requests},
        }),
    )?;
    eprintln!("load: wrote {}", path.display());
    Ok(())
}
