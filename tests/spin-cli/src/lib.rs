//! The real Spin CLI as a test fixture: find it, start `spin up` on a free port with a state
//! directory of its own, wait until it serves, stop it when dropped.
//!
//! Which `spin`: the one on `PATH`, else `$SPIN_BIN`, else `../shared/tools/spin` beside the
//! repository (the copy our CI machines carry). Nothing requires that copy: a developer with
//! Spin installed the official way gets the same runs.
//!
//! And the libSQL server, `sqld`, the same way ([`SqldUp`]): the database of the scaled-out
//! deployment, which `spin up` reaches through a runtime config of `type = "libsql"`.

use std::io::Read;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The repository this crate lives in (`tests/spin-cli/../..`).
fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The Spin CLI to use, if there is one.
pub fn find() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths).map(|dir| dir.join("spin")).find(|candidate| is_executable(candidate))
    });
    let from_env = || std::env::var_os("SPIN_BIN").map(PathBuf::from).filter(|p| is_executable(p));
    let beside = || Some(repo_root().join("../shared/tools/spin")).filter(|p| is_executable(p));
    on_path.or_else(from_env).or_else(beside)
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata().is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// What `spin up` is told: the arguments of the same names.
#[derive(Debug, Clone)]
pub struct SpinUp {
    pub cli: PathBuf,
    /// `-f`: the manifest.
    pub manifest: PathBuf,
    /// `--state-dir`: SQLite and key-value files, and `logs/<component>_std{out,err}.txt`.
    pub state_dir: PathBuf,
    /// `--variable k=v`.
    pub variables: Vec<(String, String)>,
    /// `--component-id` for each; empty runs every component.
    pub components: Vec<String>,
    /// `--runtime-config-file`.
    pub runtime_config: Option<PathBuf>,
    /// The address to listen on; its port is chosen free when it is 0.
    pub listen: SocketAddr,
    /// Environment variables for the `spin` process (e.g. `SPIN_PROBE_NODELAY`).
    pub env: Vec<(String, String)>,
    /// Any other arguments of `spin up` (e.g. `--max-instance-reuse-count`).
    pub extra_args: Vec<String>,
}

impl SpinUp {
    /// Every component of `manifest`, listening on a free loopback port.
    pub fn new(cli: impl Into<PathBuf>, manifest: impl Into<PathBuf>, state_dir: impl Into<PathBuf>) -> Self {
        SpinUp {
            cli: cli.into(),
            manifest: manifest.into(),
            state_dir: state_dir.into(),
            variables: Vec::new(),
            components: Vec::new(),
            runtime_config: None,
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            env: Vec::new(),
            extra_args: Vec::new(),
        }
    }

    /// Starts `spin up` and returns once it accepts connections. A port taken between choosing
    /// and binding it is chosen again (three tries).
    pub fn start(&self) -> Result<RunningSpin, String> {
        start_listening(self.listen, "spin up", |listen| self.start_on(listen))
    }

    fn start_on(&self, listen: SocketAddr) -> Result<RunningSpin, StartError> {
        std::fs::create_dir_all(&self.state_dir).map_err(|e| StartError::Failed(e.to_string()))?;
        let log_path = self.state_dir.join("spin-up.log");
        let log = std::fs::File::create(&log_path).map_err(|e| StartError::Failed(e.to_string()))?;
        let mut command = Command::new(&self.cli);
        command.arg("up").arg("-f").arg(&self.manifest).arg("--listen").arg(listen.to_string());
        command.arg("--state-dir").arg(&self.state_dir);
        for (key, value) in &self.variables {
            command.arg("--variable").arg(format!("{key}={value}"));
        }
        for id in &self.components {
            command.arg("--component-id").arg(id);
        }
        if let Some(file) = &self.runtime_config {
            command.arg("--runtime-config-file").arg(file);
        }
        command.args(&self.extra_args).envs(self.env.iter().map(|(k, v)| (k, v)));
        // `spin up` runs the HTTP trigger as a child process (`spin trigger http`): a process
        // group of their own lets `Drop` stop both.
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let child = command
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(|e| StartError::Failed(e.to_string()))?)
            .stderr(log)
            .spawn()
            .map_err(|e| StartError::Failed(format!("{}: {e}", self.cli.display())))?;
        let mut running = RunningSpin { child, addr: listen, state_dir: self.state_dir.clone(), log_path };
        // A cold start compiles every component (about 20 s on 2 cores; Spin caches the
        // result), so the wait is long; a process that exits ends it at once.
        let connect_to = match listen.ip() {
            ip if ip.is_unspecified() => SocketAddr::from((Ipv4Addr::LOCALHOST, listen.port())),
            _ => listen,
        };
        let log = running.log_path.clone();
        // Ready when *this* Spin says it serves: the port answering is not enough, since another
        // test's `spin up` may have taken the same free port meanwhile (this one then fails to
        // bind and is started again on another port, `StartError::AddressInUse`).
        let port = format!(":{}", listen.port());
        let serving =
            |text: String| text.lines().any(|l| l.starts_with("Serving http://") && l.ends_with(&port));
        wait_ready(&mut running.child, &log, Duration::from_secs(180), "spin up", || {
            std::fs::read_to_string(&log).is_ok_and(serving)
                && TcpStream::connect_timeout(&connect_to, Duration::from_millis(200)).is_ok()
        })?;
        Ok(running)
    }
}

enum StartError {
    AddressInUse(String),
    Failed(String),
}

/// Starts a server with `start_on` on `listen`, or on a free port of its address when its
/// port is 0: a port taken between choosing and binding it is chosen again (three tries).
fn start_listening<T>(
    listen: SocketAddr,
    what: &str,
    start_on: impl Fn(SocketAddr) -> Result<T, StartError>,
) -> Result<T, String> {
    let mut last_error = String::new();
    for _ in 0..3 {
        let addr = match listen.port() {
            0 => free_port(listen.ip())?,
            _ => listen,
        };
        match start_on(addr) {
            Ok(running) => return Ok(running),
            Err(StartError::AddressInUse(log)) => last_error = log,
            Err(StartError::Failed(message)) => return Err(message),
        }
    }
    Err(format!("{what} found no free port: {last_error}"))
}

/// Waits until `ready` says so; a child that exits ends the wait at once (with what it wrote
/// to `log`), and so does `within`.
fn wait_ready(
    child: &mut Child,
    log: &Path,
    within: Duration,
    what: &str,
    ready: impl Fn() -> bool,
) -> Result<(), StartError> {
    let deadline = Instant::now() + within;
    let log = || std::fs::read_to_string(log).unwrap_or_default();
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            let log = log();
            return Err(if log.contains("Address already in use") || log.contains("address in use") {
                StartError::AddressInUse(log)
            } else {
                StartError::Failed(format!("{what} exited ({status}):\n{log}"))
            });
        }
        if ready() {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(StartError::Failed(format!("{what} did not answer within {within:?}:\n{}", log())));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A port nobody listens on right now.
fn free_port(ip: IpAddr) -> Result<SocketAddr, String> {
    let listener = TcpListener::bind(SocketAddr::new(ip, 0)).map_err(|e| format!("binding {ip}:0: {e}"))?;
    listener.local_addr().map_err(|e| e.to_string())
}

/// A running `spin up`; killed (and reaped) when dropped, also when a test panics.
pub struct RunningSpin {
    child: Child,
    /// Where it listens.
    pub addr: SocketAddr,
    /// Its `--state-dir`.
    pub state_dir: PathBuf,
    log_path: PathBuf,
}

impl RunningSpin {
    /// `http://<addr>`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// What `spin up` itself printed (not the components' output).
    pub fn log(&self) -> String {
        let mut text = String::new();
        let _ = std::fs::File::open(&self.log_path).and_then(|mut f| f.read_to_string(&mut text));
        text
    }

    /// What the components wrote to stderr, all components together: Spin keeps
    /// `logs/<component>_stderr.txt` in the state directory.
    pub fn component_stderr(&self) -> String {
        let mut all = String::new();
        let Ok(entries) = std::fs::read_dir(self.state_dir.join("logs")) else { return all };
        let mut files: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.to_string_lossy().ends_with("_stderr.txt"))
            .collect();
        files.sort();
        for file in files {
            all.push_str(&std::fs::read_to_string(file).unwrap_or_default());
        }
        all
    }

    /// The process id, e.g. for `perf`.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for RunningSpin {
    fn drop(&mut self) {
        // The whole group: `spin up` and the trigger process it started.
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).stderr(Stdio::null()).status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The libSQL server to use, if there is one: `sqld` on `PATH`, else `$SQLD_BIN`, else
/// `../shared/tools/sqld` beside the repository (like [`find`]).
pub fn find_sqld() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths).map(|dir| dir.join("sqld")).find(|candidate| is_executable(candidate))
    });
    let from_env = || std::env::var_os("SQLD_BIN").map(PathBuf::from).filter(|p| is_executable(p));
    let beside = || Some(repo_root().join("../shared/tools/sqld")).filter(|p| is_executable(p));
    on_path.or_else(from_env).or_else(beside)
}

/// A libSQL server (`sqld`) on a free loopback port, as the scaled-out deployment's database:
/// what Spin's runtime config `type = "libsql"` talks to. No authentication (any token).
#[derive(Debug, Clone)]
pub struct SqldUp {
    pub cli: PathBuf,
    /// `--db-path`: sqld's directory (the database is `dbs/default/data` in it). A fresh
    /// directory gives a fresh database; one holding a SQLite file there serves that file.
    pub db_path: PathBuf,
}

impl SqldUp {
    pub fn new(cli: impl Into<PathBuf>, db_path: impl Into<PathBuf>) -> Self {
        SqldUp { cli: cli.into(), db_path: db_path.into() }
    }

    /// Starts `sqld` and returns once it answers `/health` (about 0.2 s). A port taken
    /// between choosing and binding it is chosen again (three tries).
    pub fn start(&self) -> Result<RunningSqld, String> {
        start_listening(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), "sqld", |addr| self.start_on(addr))
    }

    fn start_on(&self, addr: SocketAddr) -> Result<RunningSqld, StartError> {
        let failed = |e: std::io::Error| StartError::Failed(e.to_string());
        std::fs::create_dir_all(&self.db_path).map_err(failed)?;
        let log_path = self.db_path.with_extension("log");
        let log = std::fs::File::create(&log_path).map_err(failed)?;
        let mut command = Command::new(&self.cli);
        command.arg("--db-path").arg(&self.db_path).arg("--http-listen-addr").arg(addr.to_string());
        command.arg("--no-welcome").arg("--disable-metrics");
        let child = command
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(failed)?)
            .stderr(log)
            .spawn()
            .map_err(|e| StartError::Failed(format!("{}: {e}", self.cli.display())))?;
        let mut running = RunningSqld { child, addr, log_path };
        let log = running.log_path.clone();
        // It answers at once on a fresh directory; a large database file it finds there is
        // read into its replication log first.
        wait_ready(&mut running.child, &log, Duration::from_secs(600), "sqld", || healthy(addr))?;
        Ok(running)
    }
}

/// Whether the sqld at `addr` answers `GET /health` with 200.
fn healthy(addr: SocketAddr) -> bool {
    use std::io::Write;
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_millis(200)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let request = format!("GET /health HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n\r\n");
    let mut answer = String::new();
    stream.write_all(request.as_bytes()).is_ok()
        && stream.read_to_string(&mut answer).is_ok()
        && answer.starts_with("HTTP/1.1 200")
}

/// A running `sqld`; killed (and reaped) when dropped.
pub struct RunningSqld {
    child: Child,
    /// Where its HTTP API listens.
    pub addr: SocketAddr,
    log_path: PathBuf,
}

impl RunningSqld {
    /// `http://<addr>`: the URL of Spin's runtime config and of the HTTP API.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Spin's runtime config for the `default` database on this server (the token is not
    /// checked locally).
    pub fn runtime_config(&self) -> String {
        format!(
            "[sqlite_database.default]\ntype = \"libsql\"\nurl = \"{}\"\ntoken = \"unused-locally\"\n",
            self.url()
        )
    }

    /// What it printed.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log_path).unwrap_or_default()
    }

    /// The process id, e.g. for `perf`.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for RunningSqld {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
