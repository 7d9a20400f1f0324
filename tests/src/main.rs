//! `testhost`: the test host as a long-running server (benchmarks, schemathesis, manual runs).
//!
//! ```text
//! testhost --manifest spin.toml --listen 127.0.0.1:3000 --state-dir .spin \
//!          [--component-id NAME]... [--variable k=v]... [--clock-offset-ms MS]
//! ```
//! Mirrors `spin up` flags of the same names; runs until killed. `--clock-offset-ms` (tests
//! only, Spin has no such flag) shifts the guests' wall clock like `HostConfig::clock_offset_ms`.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use testhost::HostConfig;

const USAGE: &str = "usage: testhost --manifest spin.toml --listen 127.0.0.1:3000 --state-dir .spin \
                     [--component-id NAME]... [--variable k=v]... [--clock-offset-ms MS]";

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<HostConfig> {
    let mut manifest = PathBuf::from("spin.toml");
    let mut state_dir = PathBuf::from(".spin");
    let mut listen: SocketAddr = SocketAddr::from(([127, 0, 0, 1], 3000));
    let mut components: Vec<String> = Vec::new();
    let mut variables = HashMap::new();
    let mut clock_offset_ms = 0_i64;
    while let Some(flag) = args.next() {
        if flag == "--help" || flag == "-h" {
            bail!("{USAGE}");
        }
        let value = args.next().with_context(|| format!("{flag} needs a value\n{USAGE}"))?;
        match flag.as_str() {
            "--manifest" | "-f" => manifest = PathBuf::from(value),
            "--state-dir" => state_dir = PathBuf::from(value),
            "--listen" => {
                listen = value.parse().with_context(|| format!("--listen {value:?}: expected HOST:PORT"))?
            }
            "--component-id" | "-c" => components.push(value),
            "--variable" => {
                let (key, val) = value
                    .split_once('=')
                    .with_context(|| format!("--variable {value:?}: expected KEY=VALUE"))?;
                variables.insert(key.to_string(), val.to_string());
            }
            "--clock-offset-ms" => {
                clock_offset_ms = value
                    .parse()
                    .with_context(|| format!("--clock-offset-ms {value:?}: expected an integer"))?
            }
            other => bail!("unknown argument {other:?}\n{USAGE}"),
        }
    }
    Ok(HostConfig {
        manifest,
        state_dir,
        variables,
        components: (!components.is_empty()).then_some(components),
        listen,
        clock_offset_ms: std::sync::Arc::new(clock_offset_ms.into()),
        guest_log: None,
    })
}

fn main() -> ExitCode {
    let config = match parse_args(std::env::args().skip(1)) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("{e:#}");
            return ExitCode::from(2);
        }
    };
    match testhost::start(config) {
        Ok(host) => {
            println!("testhost: serving on {}", host.base_url());
            loop {
                std::thread::park();
            }
        }
        Err(e) => {
            eprintln!("testhost: {e:#}");
            ExitCode::FAILURE
        }
    }
}
