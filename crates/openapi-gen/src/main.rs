//! `cargo run -p openapi-gen` writes `openapi/openapi.json`; `-- --check` exits 1 when the
//! file is not what it would write; `-- --stdout` prints the document instead.

use std::process::ExitCode;

fn main() -> ExitCode {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../openapi/openapi.json");
    let text = openapi_gen::render();
    match std::env::args().nth(1).as_deref() {
        None => {
            std::fs::write(&path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            ExitCode::SUCCESS
        }
        Some("--stdout") => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Some("--check") if std::fs::read_to_string(&path).ok().as_deref() == Some(text.as_str()) => {
            ExitCode::SUCCESS
        }
        Some("--check") => {
            eprintln!("{} is stale: run `cargo run -p openapi-gen`", path.display());
            ExitCode::FAILURE
        }
        Some(other) => {
            eprintln!("unknown argument {other}: none, --check or --stdout");
            ExitCode::FAILURE
        }
    }
}
