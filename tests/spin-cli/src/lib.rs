//! The real Spin CLI as a test fixture: find it, start `spin up` on a free port with a state
//! directory of its own, wait until it serves, stop it when dropped.
//!
//! Which `spin`: the one on `PATH`, else `$SPIN_BIN`, else `../shared/tools/spin` beside the
//! repository (the copy our CI machines carry). Nothing requires that copy: a developer with
//! Spin installed the official way gets the same runs.

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
        let mut last_error = String::new();
        for _ in 0..3 {
            let listen = match self.listen.port() {
                0 => free_port(self.listen.ip())?,
                _ => self.listen,
            };
            match self.start_on(listen) {
                Ok(running) => return Ok(running),
                Err(StartError::AddressInUse(log)) => last_error = log,
                Err(StartError::Failed(message)) => return Err(message),
            }
        }
        Err(format!("spin up found no free port: {last_error}"))
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
        let deadline = Instant::now() + Duration::from_secs(180);
        let connect_to = match listen.ip() {
            ip if ip.is_unspecified() => SocketAddr::from((Ipv4Addr::LOCALHOST, listen.port())),
            _ => listen,
        };
        loop {
            if let Ok(Some(status)) = running.child.try_wait() {
                let log = running.log();
                return Err(if log.contains("Address already in use") || log.contains("address in use") {
                    StartError::AddressInUse(log)
                } else {
                    StartError::Failed(format!("spin up exited ({status}):\n{log}"))
                });
            }
            if TcpStream::connect_timeout(&connect_to, Duration::from_millis(200)).is_ok() {
                return Ok(running);
            }
            if Instant::now() > deadline {
                return Err(StartError::Failed(format!(
                    "spin up did not listen on {listen}:\n{}",
                    running.log()
                )));
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }
}

enum StartError {
    AddressInUse(String),
    Failed(String),
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
