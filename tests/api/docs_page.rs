//! The API reference page for partner developers (`GET /customers/v2/docs`, served by the
//! openapi component with Swagger UI's files from its Spin `files` mount): rendered in headless
//! Chromium it lists an operation of every API component, runs under its
//! Content-Security-Policy without a violation, and loads nothing from outside the service.
//! On failure the test saves a screenshot of the page and names it.
//!
//! Chromium: `$CHROMIUM_BIN`, else `chromium`, `chromium-browser` or `google-chrome` on PATH.
//! `scripts/test` installs Debian's `chromium` when none is there; without one this test fails
//! and says so (it does not pass unseen).

use crate::conformance::document;
use crate::helpers::spawn_app;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// One operation of each API component, by (method, path) in the document.
const ONE_OPERATION_OF_EACH_COMPONENT: &[(&str, &str, &str)] = &[
    ("profiles", "get", "/customers/v2/profiles/{customerNumber}"),
    ("catalogues", "get", "/customers/v2/loyalty-programs"),
    ("temporary-profiles", "post", "/customers/v2/profiles/temporary"),
    ("consents", "post", "/customers/v2/consents/client/given-consents"),
];

#[test]
fn the_reference_page_renders_an_operation_of_every_component_from_this_service_alone() {
    let app = spawn_app();
    let page = app.request("GET", "/customers/v2/docs", &[], None);
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(page.header("content-type"), Some("text/html; charset=utf-8"));
    let policy = page.header("content-security-policy").unwrap_or_default();
    assert!(policy.starts_with("default-src 'self';"), "Content-Security-Policy: {policy:?}");

    let chromium = chromium();
    let url = app.url("/customers/v2/docs");
    let rendered = render(&chromium, &url, &app.state_dir);
    let mut problems = Vec::new();
    for (component, method, path) in ONE_OPERATION_OF_EACH_COMPONENT {
        let operation = &document()["paths"][path][method];
        let id = operation["operationId"].as_str().expect("an operationId");
        let tag = operation["tags"][0].as_str().expect("a tag");
        // Swagger UI's element of one operation, and the path it shows.
        for shown in [format!("id=\"operations-{tag}-{id}\""), format!("data-path=\"{path}\"")] {
            if !rendered.dom.contains(&shown) {
                problems.push(format!(
                    "{component}: {} {path} is not listed (no {shown})",
                    method.to_uppercase()
                ));
            }
        }
    }
    for line in
        rendered.console.lines().filter(|l| l.contains("Content Security Policy") || l.contains("Uncaught"))
    {
        problems.push(format!("console: {line}"));
    }
    let origin = app.url("");
    let from_page: Vec<&String> = rendered.page_requests(&origin);
    for wanted in ["/customers/v2/docs/swagger-ui-bundle.js", "/customers/v2/openapi.json"] {
        if !from_page.iter().any(|url| **url == format!("{origin}{wanted}")) {
            problems.push(format!("the page did not load {wanted}"));
        }
    }
    for url in from_page.iter().filter(|url| !url.starts_with(&format!("{origin}/"))) {
        problems.push(format!("the page fetched {url}, outside the service"));
    }
    if !problems.is_empty() {
        let screenshot = screenshot(&chromium, &url, &app.state_dir);
        panic!(
            "the API reference page at {url}:\n  {}\nscreenshot: {}\nChromium's log: {}",
            problems.join("\n  "),
            screenshot,
            app.state_dir.join("chromium/stderr.txt").display()
        );
    }
}

/// Each file the page loads, with its type and caching; nothing else of the mounted package
/// (another of its files, a path that climbs out of it), and `GET` only.
#[test]
fn the_page_s_files_are_served_with_their_types_and_nothing_else_of_the_mount() {
    let app = spawn_app();
    let installed = crate::helpers::repo_root().join("components/openapi/ui/node_modules/swagger-ui-dist");
    for (file, content_type, cache_control, same_as) in [
        ("", "text/html; charset=utf-8", "no-cache", None),
        ("/docs.js", "text/javascript; charset=utf-8", "no-cache", None),
        ("/docs.css", "text/css; charset=utf-8", "no-cache", None),
        (
            "/swagger-ui-bundle.js",
            "text/javascript; charset=utf-8",
            "public, max-age=86400",
            Some("swagger-ui-bundle.js"),
        ),
        ("/swagger-ui.css", "text/css; charset=utf-8", "public, max-age=86400", Some("swagger-ui.css")),
    ] {
        let path = format!("/customers/v2/docs{file}");
        let response = app.request("GET", &path, &[], None);
        assert_eq!(response.status, 200, "{path}: {}", response.body);
        assert_eq!(response.header("content-type"), Some(content_type), "{path}");
        assert_eq!(response.header("cache-control"), Some(cache_control), "{path}");
        assert_eq!(response.header("x-content-type-options"), Some("nosniff"), "{path}");
        if let Some(installed_file) = same_as {
            let expected =
                std::fs::read_to_string(installed.join(installed_file)).expect("the installed file");
            assert!(response.body == expected, "{path} is not the installed {installed_file}");
        }
    }
    // Not text, so not through `TestApp::request`, which reads bodies as text.
    let icon = ureq::get(app.url("/customers/v2/docs/favicon-32x32.png")).call().expect("the icon");
    assert_eq!(icon.headers()["content-type"], "image/png");
    let bytes = icon.into_body().read_to_vec().expect("the icon's bytes");
    assert_eq!(bytes, std::fs::read(installed.join("favicon-32x32.png")).expect("the installed icon"));
    for path in [
        "/customers/v2/docs/index.html",
        "/customers/v2/docs/swagger-ui.js.map",
        "/customers/v2/docs/package.json",
        "/customers/v2/docs/%2e%2e/%2e%2e/openapi.json",
        "/customers/v2/docs/..%2f..%2fetc%2fpasswd",
        "/customers/v2/docs/swagger-ui/swagger-ui.css",
    ] {
        let response = app.request("GET", path, &[], None);
        assert_eq!(response.status, 404, "{path}: {}", response.body);
    }
    let response = app.request("POST", "/customers/v2/docs", &[], Some(b"{}".to_vec()));
    assert_eq!(response.status, 405, "{}", response.body);
    assert_eq!(response.header("allow"), Some("GET"));
}

/// What Chromium made of a page.
struct Rendered {
    /// The DOM once the page's scripts have run.
    dom: String,
    /// Chromium's log: console messages are its `INFO:CONSOLE` lines.
    console: String,
    /// (URL, initiator) of every request of Chromium's network log.
    requests: Vec<(String, String)>,
}

impl Rendered {
    /// The URLs the page itself requested (its initiator is the page's origin), leaving out
    /// Chromium's own requests to its vendor's services.
    fn page_requests(&self, origin: &str) -> Vec<&String> {
        self.requests.iter().filter(|(_, initiator)| initiator == origin).map(|(url, _)| url).collect()
    }
}

/// The Chromium to drive, or a failure saying how to get one.
fn chromium() -> PathBuf {
    let on_path = |name: &str| {
        let path = std::env::var_os("PATH").unwrap_or_default();
        std::env::split_paths(&path).map(|dir| dir.join(name)).find(|file| file.is_file())
    };
    std::env::var_os("CHROMIUM_BIN")
        .map(PathBuf::from)
        .or_else(|| ["chromium", "chromium-browser", "google-chrome"].into_iter().find_map(on_path))
        .unwrap_or_else(|| {
            panic!(
                "the API reference page's test needs Chromium and found none ($CHROMIUM_BIN, or chromium, \
                 chromium-browser or google-chrome on PATH): run scripts/test, which installs Debian's \
                 chromium, or `apt-get install chromium`"
            )
        })
}

/// Chromium's flags for a headless run on a machine without a desktop session or outside
/// network: without them it waits for services it cannot reach.
const HEADLESS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

/// The page's virtual time budget: Chromium runs the page until it has been idle this long
/// (timers fast-forwarded; network and script time not counted), then dumps the DOM or takes
/// the screenshot.
const VIRTUAL_TIME_BUDGET_MS: u32 = 10_000;

/// Loads `url`, lets its scripts run and returns the DOM, console and network log.
fn render(chromium: &Path, url: &str, state_dir: &Path) -> Rendered {
    let dir = state_dir.join("chromium");
    let net_log = dir.join("net-log.json");
    let flags = [
        "--enable-logging=stderr".to_owned(),
        "--v=0".to_owned(),
        format!("--log-net-log={}", net_log.display()),
        "--dump-dom".to_owned(),
    ];
    run_headless(chromium, &dir, &flags, url);
    let requests = std::fs::read_to_string(&net_log)
        .ok()
        .and_then(|text| serde_json::from_str::<Value>(&text).ok())
        .map(|log| requests_of(&log))
        .unwrap_or_else(|| panic!("Chromium wrote no readable network log at {}", net_log.display()));
    Rendered {
        dom: std::fs::read_to_string(dir.join("stdout.txt")).unwrap_or_default(),
        console: std::fs::read_to_string(dir.join("stderr.txt"))
            .unwrap_or_default()
            .lines()
            .filter(|line| line.contains(":CONSOLE"))
            .collect::<Vec<_>>()
            .join("\n"),
        requests,
    }
}

/// (URL, initiator) of each request Chromium started (`URL_REQUEST_START_JOB` events).
fn requests_of(log: &Value) -> Vec<(String, String)> {
    let start_job = &log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"];
    let events = log["events"].as_array().map(Vec::as_slice).unwrap_or_default();
    events
        .iter()
        .filter(|event| event["type"] == *start_job)
        .filter_map(|event| {
            let params = &event["params"];
            Some((params["url"].as_str()?.to_owned(), params["initiator"].as_str().unwrap_or("").to_owned()))
        })
        .collect()
}

/// Saves what the page shows to a PNG in `state_dir` and returns its path (or why there is none).
fn screenshot(chromium: &Path, url: &str, state_dir: &Path) -> String {
    let dir = state_dir.join("chromium-screenshot");
    let png = dir.join("docs-page.png");
    run_headless(
        chromium,
        &dir,
        &["--window-size=1280,2000".to_owned(), format!("--screenshot={}", png.display())],
        url,
    );
    match png.is_file() {
        true => png.display().to_string(),
        false => format!("none (Chromium wrote no {})", png.display()),
    }
}

/// Runs headless Chromium on `url` with a fresh profile and `flags`, its output in `dir`
/// (`stdout.txt`, `stderr.txt`); stops its process group if it has not finished in time (a
/// Chromium waiting for the network would never end).
fn run_headless(chromium: &Path, dir: &Path, flags: &[String], url: &str) {
    use std::os::unix::process::CommandExt;
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).expect("Chromium's directory");
    let file = |name: &str| std::fs::File::create(dir.join(name)).expect("Chromium's output file");
    let mut command = Command::new(chromium);
    command
        .args(HEADLESS)
        .arg(format!("--user-data-dir={}", dir.join("profile").display()))
        .arg(format!("--virtual-time-budget={VIRTUAL_TIME_BUDGET_MS}"))
        .args(flags)
        .arg(url);
    let mut child = command
        .stdin(Stdio::null())
        .stdout(file("stdout.txt"))
        .stderr(file("stderr.txt"))
        .process_group(0)
        .spawn()
        .unwrap_or_else(|e| panic!("starting {command:?}: {e}"));
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        match child.try_wait().expect("waiting for Chromium") {
            Some(_) => return,
            None if Instant::now() > deadline => {
                let _ = Command::new("kill").arg("--").arg(format!("-{}", child.id())).status();
                let _ = child.wait();
                panic!("Chromium did not finish within 180 s: {command:?} (its output: {})", dir.display());
            }
            None => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}
