//! Embeds `migrations/*.sql` without their comments (`src/sql_code.rs`): every component
//! carries every migration, and the comments, half of the text, counted against each
//! `.wasm`'s 1 MiB budget. The files in the repository keep them for readers.

#[path = "src/sql_code.rs"]
mod sql_code;

use std::path::Path;

fn main() {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations");
    let target = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("migrations");
    std::fs::create_dir_all(&target).expect("creating OUT_DIR/migrations");
    println!("cargo:rerun-if-changed={}", source.display());
    for entry in std::fs::read_dir(&source).expect("reading migrations/") {
        let path = entry.expect("a migrations/ entry").path();
        if path.extension().is_none_or(|extension| extension != "sql") {
            continue;
        }
        println!("cargo:rerun-if-changed={}", path.display());
        let text = std::fs::read_to_string(&path).expect("reading a migration");
        let code: String = sql_code::code_lines(&text).map(|line| format!("{line}\n")).collect();
        std::fs::write(target.join(path.file_name().expect("a file name")), code)
            .expect("writing a migration");
    }
}
