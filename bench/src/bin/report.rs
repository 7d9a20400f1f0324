//! `report`: assembles the results of one `scripts/bench` run (`<out>/seed.json`, `http.json`,
//! `native-*.json`, the `.wasm` sizes) into ONE table with the budgets, prints it and writes
//! it to `<out>/report.md`.
//!
//! ```text
//! report [--wasm-dir target/wasm32-wasip2/release] [--machine "…"] [--total-seconds N]
//! ```

use anyhow::{Context, Result};
use serde_json::Value;
use std::fmt::Write as _;
use std::path::PathBuf;

/// Budgets (docs/performance.md, "Budgets"): goals checked here, never by test asserts. The HTTP ones
/// are for real Spin at 16 connections, and at 1 keep-alive connection.
const SEARCH_P99_MS: f64 = 10.0;
const GET_OF_SELECT_FLOOR: f64 = 0.85;
const HEALTH_OF_SELECT_FLOOR: f64 = 0.90;
const UNAUTHENTICATED_OF_HELLO: f64 = 0.80;
const CREATE_OF_INSERT_FLOOR: f64 = 0.90;
const CREATE_P99_MS: f64 = 50.0;
/// A page of 100 events of the change feed (issue 17).
const EVENTS_PAGE_P99_MS: f64 = 10.0;
/// At 1 keep-alive connection a scenario's p99 is within this of its floor's: no stall.
const ONE_CONNECTION_P99_OVER_FLOOR_MS: f64 = 2.0;
/// Scenarios whose own work is far above a floor's on purpose (Argon2id; up to 100 profiles
/// per answer, or events per page): at 1 connection their tail above their median is compared
/// instead.
const HEAVY: [&str; 3] = ["create with password", "search by surname", "events page"];
const PURGE_SECONDS: f64 = 10.0;
const PURGE_LOCK_MS: f64 = 100.0;
/// Issue 15: each component under 1 MiB. (It was 1.5 MiB for a while: on real Spin a
/// component's size did not show in its cost per request, the same 401 path costing 0.80, 0.79
/// and 0.80 ms of Spin's CPU in components of 1,049,694, 823,185 and 853,387 bytes, since
/// wasmtime maps a prepared memory image; the budget keeps the components from growing
/// unnoticed.) `tests/api/platform.rs` holds the WASIp2 build to it too; the report's rows show
/// the margin, and `docs/performance.md` (**Size, issue 15**) where the bytes go.
const WASM_BYTES: u64 = 1024 * 1024;
/// The WASIp3 build (issue 16), at 16 connections: an authenticated GET at least as fast as
/// the p2 hello floor (no database, no token), a create at least half as fast; and for both a
/// p99 of at most 10 ms, at 16 connections and at 1.
const P3_GET_OF_P2_HELLO: f64 = 1.0;
const P3_CREATE_OF_P2_HELLO: f64 = 0.5;
const P3_P99_MS: f64 = 10.0;

fn read(name: &str) -> Option<Value> {
    let path = bench::out_dir().join(name);
    serde_json::from_slice(&std::fs::read(path).ok()?).ok()
}

fn verdict(pass: bool) -> &'static str {
    if pass {
        "PASS"
    } else {
        "FAIL"
    }
}

struct Table {
    rows: Vec<[String; 7]>,
}

impl Table {
    fn row(&mut self, cells: [String; 7]) {
        self.rows.push(cells);
    }

    fn markdown(&self) -> String {
        let header = ["scenario", "req/s", "p50", "p99", "÷ floor", "budget", "result"];
        let mut out = format!("| {} |\n|{}\n", header.join(" | "), "---|".repeat(header.len()));
        for row in &self.rows {
            let _ = writeln!(out, "| {} |", row.join(" | "));
        }
        out
    }
}

fn ms(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0} ms")
    } else if v >= 10.0 {
        format!("{v:.1} ms")
    } else {
        format!("{v:.2} ms")
    }
}

/// Every scenario both builds ran, side by side, with the p3 floors beside the p2 ones.
fn p2_vs_p3(scenarios: &[Value]) -> String {
    let mut out = String::from(
        "| scenario | connections | database | p2 req/s | p2 p99 | p3 req/s | p3 p99 | p3 ÷ p2 |\n|---|---|---|---|---|---|---|---|\n",
    );
    let of = |build: &str, name: &str, s: &Value| {
        scenarios.iter().find(|o| {
            o["build"].as_str().unwrap_or("p2") == build
                && o["summary"]["name"] == name
                && o["connections"] == s["connections"]
                && o["database"] == s["database"]
        })
    };
    for s in scenarios.iter().filter(|s| s["build"].as_str().unwrap_or("p2") == "p2") {
        let name = s["summary"]["name"].as_str().unwrap_or("?");
        // A floor's counterpart is the p3 floor of the same work.
        let Some(p3) = of("p3", name, s).or_else(|| of("p3", &format!("{name} p3"), s)) else { continue };
        let (a, b) = (&s["summary"], &p3["summary"]);
        let get = |v: &Value, key: &str| v[key].as_f64().unwrap_or(f64::NAN);
        let _ = writeln!(
            out,
            "| {name} | {} | {} | {:.0} | {} | {:.0} | {} | {:.2} |",
            s["connections"],
            s["database"].as_str().unwrap_or("file"),
            get(a, "perSec"),
            ms(get(a, "p99Ms")),
            get(b, "perSec"),
            ms(get(b, "p99Ms")),
            get(b, "perSec") / get(a, "perSec"),
        );
    }
    out
}

fn main() -> Result<()> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut wasm_dir = root.join("target/wasm32-wasip2/release");
    let mut machine = String::new();
    let mut total_seconds: Option<f64> = None;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--wasm-dir" => wasm_dir = value.into(),
            "--machine" => machine = value,
            "--total-seconds" => total_seconds = Some(value.parse()?),
            other => anyhow::bail!("unknown argument {other}"),
        }
    }
    let mut t = Table { rows: Vec::new() };
    // The p2-vs-p3 table, when both builds ran (`load --builds p2,p3`).
    let mut comparison = String::new();
    let mut failed = 0;
    let mut check = |pass: bool| {
        if !pass {
            failed += 1;
        }
        verdict(pass).to_owned()
    };

    // HTTP, at each concurrency.
    let http = read("http.json");
    if let Some(http) = &http {
        let scenarios = http["scenarios"].as_array().cloned().unwrap_or_default();
        // Results of a run over libSQL say so (`load --db`); floors are compared on the same
        // database.
        let databases: std::collections::BTreeSet<&str> =
            scenarios.iter().map(|s| s["database"].as_str().unwrap_or("file")).collect();
        // And which build served it (`load --builds`; before p3, only p2).
        let build_of = |s: &Value| s["build"].as_str().unwrap_or("p2").to_owned();
        let builds: std::collections::BTreeSet<String> = scenarios.iter().map(build_of).collect();
        // A scenario's summary: of the given build, else of the p2 build (the p2 floors of a
        // p3 scenario ran beside the p2 build).
        let summary = |name: &str, connections: &Value, database: &Value, build: &str| {
            let find = |build: &str| {
                scenarios.iter().find(|s| {
                    s["summary"]["name"] == name
                        && &s["connections"] == connections
                        && &s["database"] == database
                        && build_of(s) == build
                })
            };
            find(build).or_else(|| find("p2")).map(|s| s["summary"].clone())
        };
        for s in &scenarios {
            let sum = &s["summary"];
            let connections = &s["connections"];
            let database = &s["database"];
            let build = build_of(s);
            let p3 = build == "p3";
            let mut on = match database.as_str() {
                Some("libsql") => " libSQL".to_owned(),
                _ if databases.len() > 1 => " file".to_owned(),
                _ => String::new(),
            };
            if builds.len() > 1 || p3 {
                on.push(' ');
                on.push_str(&build);
            }
            let one = connections == 1;
            let name = sum["name"].as_str().unwrap_or("?");
            let get = |key: &str, of: &Value| of[key].as_f64().unwrap_or(f64::NAN);
            let (per_sec, p50, p99) = (get("perSec", sum), get("p50Ms", sum), get("p99Ms", sum));
            let floor_name = s["floor"].as_str().or((name != "floor: hello").then_some("floor: hello"));
            let floor = floor_name.and_then(|f| summary(f, connections, database, &build));
            let p2_hello = summary("floor: hello", connections, database, "p2");
            let of_p2_hello = p2_hello.as_ref().map(|f| per_sec / get("perSec", f)).unwrap_or(f64::NAN);
            let p3_budget = p3 && matches!(name, "GET /profiles/{n}" | "create, no password");
            let ratio = floor.as_ref().map(|f| per_sec / get("perSec", f)).unwrap_or(f64::NAN);
            let floor_short = floor_name.unwrap_or("").trim_start_matches("floor: ");
            let errors = sum["errors"].as_u64().unwrap_or(0);
            let (compared, budget, result) = if p3_budget && one {
                (
                    format!(
                        "p99 {} over {floor_short}'s",
                        ms(p99 - floor.as_ref().map(|f| get("p99Ms", f)).unwrap_or(f64::NAN))
                    ),
                    format!("p99 ≤ {P3_P99_MS:.0} ms"),
                    check(p99 <= P3_P99_MS && errors == 0),
                )
            } else if p3_budget {
                let share =
                    if name == "create, no password" { P3_CREATE_OF_P2_HELLO } else { P3_GET_OF_P2_HELLO };
                (
                    format!("{of_p2_hello:.2} of p2 hello; {ratio:.2} of {floor_short}"),
                    format!("≥ {share:.1} of p2 hello, p99 ≤ {P3_P99_MS:.0} ms"),
                    check(of_p2_hello >= share && p99 <= P3_P99_MS && errors == 0),
                )
            } else if one {
                let floor_p99 = floor.as_ref().map(|f| get("p99Ms", f)).unwrap_or(f64::NAN);
                let floor_tail =
                    floor.as_ref().map(|f| get("p99Ms", f) - get("p50Ms", f)).unwrap_or(f64::NAN);
                match (name.starts_with("floor:"), HEAVY.contains(&name)) {
                    // The floors are what the scenarios are held to, not held to each other.
                    (true, _) => (String::new(), String::new(), String::new()),
                    (_, false) => (
                        format!("p99 {} over {floor_short}'s", ms(p99 - floor_p99)),
                        format!("p99 ≤ {floor_short}'s + {ONE_CONNECTION_P99_OVER_FLOOR_MS:.0} ms"),
                        check(p99 <= floor_p99 + ONE_CONNECTION_P99_OVER_FLOOR_MS && errors == 0),
                    ),
                    (_, true) => (
                        format!("p99 − p50 {} (floor {})", ms(p99 - p50), ms(floor_tail)),
                        format!("p99 − p50 ≤ {floor_short}'s + {ONE_CONNECTION_P99_OVER_FLOOR_MS:.0} ms"),
                        check(p99 - p50 <= floor_tail + ONE_CONNECTION_P99_OVER_FLOOR_MS && errors == 0),
                    ),
                }
            } else {
                let mut at_least = |share: f64, extra: bool| {
                    (format!("≥ {share:.2} of {floor_short}"), check(ratio >= share && extra && errors == 0))
                };
                let (budget, result) = match name {
                    // A p3 scenario's budgets are the p3 ones above, or none but no errors.
                    _ if p3 && errors > 0 => (format!("{errors} errors"), check(false)),
                    _ if p3 => (String::new(), String::new()),
                    "GET /profiles/{n}" => at_least(GET_OF_SELECT_FLOOR, true),
                    "GET /health" => at_least(HEALTH_OF_SELECT_FLOOR, true),
                    "401 without a token" => at_least(UNAUTHENTICATED_OF_HELLO, true),
                    "create, no password" => {
                        let (budget, result) = at_least(CREATE_OF_INSERT_FLOOR, p99 < CREATE_P99_MS);
                        (format!("{budget}, p99 < {CREATE_P99_MS:.0} ms"), result)
                    }
                    "events page" => (
                        format!("p99 < {EVENTS_PAGE_P99_MS:.0} ms"),
                        check(p99 < EVENTS_PAGE_P99_MS && errors == 0),
                    ),
                    _ if errors > 0 => (format!("{errors} errors"), check(false)),
                    _ => (String::new(), String::new()),
                };
                let compared =
                    if floor.is_some() { format!("{ratio:.2} of {floor_short}") } else { String::new() };
                (compared, budget, result)
            };
            t.row([
                format!("HTTP c={connections}{on}: {name}"),
                format!("{per_sec:.0}"),
                ms(p50),
                ms(p99),
                compared,
                budget,
                result,
            ]);
        }
        if builds.len() > 1 {
            comparison = p2_vs_p3(&scenarios);
        }
        let jwks = &http["jwks"];
        let fetches = jwks["fetchesMeasured"].as_u64().unwrap_or(0);
        let requests = jwks["authenticatedRequestsMeasured"].as_u64().unwrap_or(0);
        t.row([
            "JWKS fetches per authenticated request (steady state)".into(),
            format!("{fetches} in {requests}"),
            String::new(),
            String::new(),
            format!("{} fetches in all", jwks["fetchesTotal"].as_u64().unwrap_or(0)),
            "0".into(),
            check(fetches == 0 && requests > 0),
        ]);
    }

    // Native: JWT.
    for s in read("native-jwt.json").and_then(|v| v.as_array().cloned()).unwrap_or_default() {
        t.row([
            format!("native: {}", s["name"].as_str().unwrap_or("?")),
            format!("{:.0}", s["perSec"].as_f64().unwrap_or(0.0)),
            ms(s["p50Ms"].as_f64().unwrap_or(0.0)),
            ms(s["p99Ms"].as_f64().unwrap_or(0.0)),
            String::new(),
            String::new(),
            String::new(),
        ]);
    }
    // Native: search SQL at 1 M profiles.
    for s in read("native-search.json").and_then(|v| v.as_array().cloned()).unwrap_or_default() {
        let sum = &s["summary"];
        let p99 = sum["p99Ms"].as_f64().unwrap_or(0.0);
        t.row([
            format!("native: {} (1 M)", sum["name"].as_str().unwrap_or("?")),
            format!("{:.0}", sum["perSec"].as_f64().unwrap_or(0.0)),
            ms(sum["p50Ms"].as_f64().unwrap_or(0.0)),
            ms(p99),
            format!("{:.0} rows", s["rowsPerQuery"].as_f64().unwrap_or(0.0)),
            format!("p99 < {SEARCH_P99_MS:.0} ms"),
            check(p99 < SEARCH_P99_MS),
        ]);
    }
    // Native: purge.
    if let Some(p) = read("native-purge.json") {
        let seconds = p["seconds"].as_f64().unwrap_or(f64::NAN);
        let lock_max = p["lock"]["maxMs"].as_f64().unwrap_or(f64::NAN);
        t.row([
            format!(
                "native: purge {} expired temporary profiles ({} call(s), {} batches of {:.0} on average)",
                p["purged"],
                p["calls"],
                p["batches"],
                p["meanBatch"].as_f64().unwrap_or(0.0)
            ),
            format!("{:.0}/s", p["purged"].as_f64().unwrap_or(0.0) / seconds),
            format!("{} lock", ms(p["lock"]["p50Ms"].as_f64().unwrap_or(0.0))),
            format!("{} lock", ms(p["lock"]["p99Ms"].as_f64().unwrap_or(0.0))),
            format!(
                "{seconds:.1} s in all (checkpoints {:.1} s, pauses {:.1} s, outside the lock), longest lock {}",
                p["checkpointSeconds"].as_f64().unwrap_or(0.0),
                p["pauseSeconds"].as_f64().unwrap_or(0.0),
                ms(lock_max)
            ),
            format!("< {PURGE_SECONDS:.0} s, lock < {PURGE_LOCK_MS:.0} ms"),
            check(seconds < PURGE_SECONDS && lock_max < PURGE_LOCK_MS && p["purged"] == p["expired"]),
        ]);
    }
    // Sizes.
    let mut wasm: Vec<(String, u64)> = std::fs::read_dir(&wasm_dir)
        .with_context(|| format!("reading {}", wasm_dir.display()))?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "wasm"))
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.metadata().map(|m| m.len()).unwrap_or(0)))
        .collect();
    wasm.sort();
    for (name, bytes) in &wasm {
        t.row([
            format!("size: {name}"),
            String::new(),
            String::new(),
            String::new(),
            format!("{:.0} KiB", *bytes as f64 / 1024.0),
            format!("< {} KiB", WASM_BYTES / 1024),
            check(*bytes < WASM_BYTES),
        ]);
    }

    let seed = read("seed.json");
    let mut text = String::new();
    let _ = writeln!(text, "## Benchmark report\n");
    if !machine.is_empty() {
        let _ = writeln!(text, "Machine: {machine}\n");
    }
    if let Some(seed) = &seed {
        let _ = writeln!(
            text,
            "Seeded {} profiles ({} + {}; {} given consents, {:.0} MiB) in {:.0} s.\n",
            seed["profiles"],
            seed["bigOrganisation"],
            seed["smallOrganisation"],
            seed["givenConsents"],
            seed["bytes"].as_f64().unwrap_or(0.0) / 1048576.0,
            seed["seconds"].as_f64().unwrap_or(0.0)
        );
    }
    if let Some(http) = &http {
        let _ = writeln!(
            text,
            "HTTP: {}; {} keep-alive connections, {} s warm-up + {} s measured per scenario in {} interleaved rounds (every scenario and floor once per round), {} tokens; ratios are to the floor built and run the same way, at the same concurrency.\n",
            http["server"].as_str().unwrap_or("?"), http["connections"], http["warmupSeconds"], http["measuredSeconds"], http["rounds"], http["alg"].as_str().unwrap_or("?")
        );
    }
    text.push_str(&t.markdown());
    if !comparison.is_empty() {
        let _ = writeln!(
            text,
            "\nThe WASIp2 and WASIp3 builds side by side (same run, same rounds):\n\n{comparison}"
        );
    }
    let _ = writeln!(text, "\n{} budget(s) missed.", failed);
    if let Some(seconds) = total_seconds {
        let _ = writeln!(text, "\nThe whole run took {:.1} min.", seconds / 60.0);
    }
    print!("{text}");
    std::fs::write(bench::out_dir().join("report.md"), &text)?;
    eprintln!("report: wrote {}", bench::out_dir().join("report.md").display());
    Ok(())
}
