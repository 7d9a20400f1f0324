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

/// Budgets (README "Benchmarks"): goals checked here, never by test asserts.
const SEARCH_P99_MS: f64 = 10.0;
const GET_OF_SELECT_FLOOR: f64 = 0.85;
const CREATE_OF_INSERT_FLOOR: f64 = 0.90;
const CREATE_P99_MS: f64 = 100.0;
const PURGE_SECONDS: f64 = 10.0;
const PURGE_LOCK_MS: f64 = 100.0;
const WASM_BYTES: u64 = 1024 * 1024;

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
    let mut failed = 0;
    let mut check = |pass: bool| {
        if !pass {
            failed += 1;
        }
        verdict(pass).to_owned()
    };

    // HTTP through the test host.
    let http = read("http.json");
    if let Some(http) = &http {
        let scenarios = http["scenarios"].as_array().cloned().unwrap_or_default();
        let find = |name: &str| scenarios.iter().find(|s| s["summary"]["name"] == name).cloned();
        let hello = find("floor: hello").map(|s| s["summary"]["perSec"].as_f64().unwrap_or(0.0));
        for s in &scenarios {
            let sum = &s["summary"];
            let name = sum["name"].as_str().unwrap_or("?");
            let per_sec = sum["perSec"].as_f64().unwrap_or(0.0);
            let p99 = sum["p99Ms"].as_f64().unwrap_or(0.0);
            let floor_name = s["floor"].as_str();
            let floor = floor_name.and_then(find).map(|f| f["summary"]["perSec"].as_f64().unwrap_or(0.0));
            let ratio = match (floor, name.starts_with("floor:"), hello) {
                (Some(f), _, _) if f > 0.0 => per_sec / f,
                (None, true, Some(h)) if h > 0.0 => per_sec / h,
                _ => f64::NAN,
            };
            let ratio_text = match (floor_name, name.starts_with("floor:")) {
                (Some(f), _) => format!("{ratio:.2} of {}", f.trim_start_matches("floor: ")),
                (None, true) => format!("{ratio:.2} of hello"),
                _ => String::new(),
            };
            let errors = sum["errors"].as_u64().unwrap_or(0);
            let (budget, result) = match name {
                "GET /profiles/{n}" => (
                    format!("≥ {GET_OF_SELECT_FLOOR:.2} of select"),
                    check(ratio >= GET_OF_SELECT_FLOOR && errors == 0),
                ),
                "create, no password" => (
                    format!("≥ {CREATE_OF_INSERT_FLOOR:.2} of insert, p99 < {CREATE_P99_MS:.0} ms"),
                    check(ratio >= CREATE_OF_INSERT_FLOOR && p99 < CREATE_P99_MS && errors == 0),
                ),
                _ if errors > 0 => (format!("{errors} errors"), check(false)),
                _ => (String::new(), String::new()),
            };
            t.row([
                format!("HTTP: {name}"),
                format!("{per_sec:.0}"),
                ms(sum["p50Ms"].as_f64().unwrap_or(0.0)),
                ms(p99),
                ratio_text,
                budget,
                result,
            ]);
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
            "< 1024 KiB".into(),
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
            "HTTP: the dev-profile test host (`target/debug/testhost`), {} connections, {} s warm-up + {} s measured per scenario in {} interleaved rounds (every scenario and floor once per round), {} tokens; ratios are to the floor built and run the same way.\n",
            http["connections"], http["warmupSeconds"], http["measuredSeconds"], http["rounds"], http["alg"].as_str().unwrap_or("?")
        );
    }
    text.push_str(&t.markdown());
    let _ = writeln!(text, "\n{} budget(s) missed.", failed);
    if let Some(seconds) = total_seconds {
        let _ = writeln!(text, "\nThe whole run took {:.1} min.", seconds / 60.0);
    }
    print!("{text}");
    std::fs::write(bench::out_dir().join("report.md"), &text)?;
    eprintln!("report: wrote {}", bench::out_dir().join("report.md").display());
    Ok(())
}
