//! The Kubernetes purge CronJob (`deploy/kubernetes/purge-cronjob.yaml`) keeps its client
//! secret and its token off every command line, where anyone who can list the pod's processes
//! reads them. Its script is run here as the CronJob runs it, against the real components: a
//! token from the local issuer, then the purge endpoint, with every command it starts recorded.

use crate::helpers::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Where the script expects the Secret's files, and the Service it calls.
const MOUNT: &str = "/etc/customers-purge";
const SERVICE: &str = "http://customers-temporary-profiles";

fn job() -> Value {
    let text = std::fs::read_to_string(repo_root().join("deploy/kubernetes/purge-cronjob.yaml"))
        .expect("the CronJob");
    serde_json::to_value(serde_yaml::from_str::<serde_yaml::Value>(&text).expect("YAML")).expect("JSON")
}

/// A directory of stand-ins for the commands the script runs (`curl`, `sed`, `cat`, and
/// `printf` and `echo` should the shell not have them built in): each
/// appends its arguments to `argv.log`, then runs the real command.
fn recording_path(dir: &Path) -> PathBuf {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    for command in ["curl", "sed", "cat", "printf", "echo"] {
        let real = std::process::Command::new("sh")
            .args(["-c", &format!("command -v {command}")])
            .output()
            .ok()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| panic!("{command} is needed to run the purge job's script"));
        let stand_in = bin.join(command);
        let script = format!(
            "#!/bin/sh\nprintf '%s ' {command} \"$@\" >> '{log}'\necho >> '{log}'\nexec '{real}' \"$@\"\n",
            log = dir.join("argv.log").display()
        );
        std::fs::write(&stand_in, script).unwrap();
        std::process::Command::new("chmod").arg("+x").arg(&stand_in).status().unwrap();
    }
    bin
}

#[test]
fn the_purge_job_purges_without_putting_its_secret_or_token_on_a_command_line() {
    let job = job();
    let pod = &job["spec"]["jobTemplate"]["spec"]["template"]["spec"];
    let container = &pod["containers"][0];
    assert_eq!(container["command"], serde_json::json!(["/bin/sh", "-c"]));
    let script = container["args"][0].as_str().expect("the script");
    assert!(script.contains(MOUNT) && script.contains(SERVICE), "{script}");

    let app = spawn_app();
    let dir = fresh_state_dir().join("purge-job");
    let secret = dir.join("secret");
    std::fs::create_dir_all(&secret).unwrap();
    let (client, client_secret, _) = ORG_A;
    for (name, value) in [
        ("TOKEN_URL", app.url("/oauth/token")),
        ("CLIENT_ID", client.to_owned()),
        ("CLIENT_SECRET", client_secret.to_owned()),
        ("AUDIENCE", AUDIENCE.to_owned()),
    ] {
        std::fs::write(secret.join(name), &value).unwrap(); // as `kubectl create secret --from-literal`
    }
    let script = script.replace(MOUNT, &secret.display().to_string()).replace(SERVICE, &app.url(""));
    let path = format!("{}:{}", recording_path(&dir).display(), std::env::var("PATH").unwrap_or_default());
    // The Secret's keys are in the environment too, as an `envFrom` would put them: a script
    // that expanded them into arguments would be caught just the same.
    let run = std::process::Command::new("/bin/sh")
        .args(["-c", &script])
        .env("PATH", path)
        .env("TOKEN_URL", app.url("/oauth/token"))
        .env("CLIENT_ID", client)
        .env("CLIENT_SECRET", client_secret)
        .env("AUDIENCE", AUDIENCE)
        .output()
        .expect("sh runs");
    let output = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "the job failed: {output} {}", String::from_utf8_lossy(&run.stderr));
    assert!(output.contains("\"complete\":true"), "it purged: {output}");

    let commands = std::fs::read_to_string(dir.join("argv.log")).expect("the commands it ran");
    assert!(commands.lines().filter(|l| l.starts_with("curl ")).count() >= 2, "{commands}");
    assert!(!commands.contains(client_secret), "the client secret is on a command line:\n{commands}");
    assert!(!commands.contains("eyJ"), "the token is on a command line:\n{commands}");
}
