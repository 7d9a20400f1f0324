//! Embeds `migrations/NNNN_name.sql` without their comments and alignment blanks
//! (`src/sql_code.rs`): every component carries every migration, and the comments, half of
//! the text, counted against each `.wasm`'s size budget. The files in the repository keep them for readers. Also
//! writes the list of them (`migrations::MIGRATIONS`): adding a migration is adding a file,
//! numbered one above the last.

#[path = "src/sql_code.rs"]
mod sql_code;

use std::path::Path;

fn main() {
    // Read at run time, not with env!: a build script compiled in another checkout (a target
    // directory copied from one worktree to another) must still read this checkout's files.
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let source = Path::new(&manifest_dir).join("../../migrations");
    let target = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("migrations");
    std::fs::create_dir_all(&target).expect("creating OUT_DIR/migrations");
    println!("cargo:rerun-if-changed={}", source.display());
    let mut names: Vec<String> = std::fs::read_dir(&source)
        .expect("reading migrations/")
        .map(|entry| entry.expect("a migrations/ entry").file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".sql"))
        .collect();
    names.sort();
    let mut list = String::from("&[\n");
    for (index, name) in names.iter().enumerate() {
        let version: i64 = name.get(..4).and_then(|n| n.parse().ok()).unwrap_or(0);
        assert!(
            version == index as i64 + 1 && name.as_bytes().get(4) == Some(&b'_'),
            "migrations/{name}: expected {:04}_name.sql (numbered in order, no gaps)",
            index + 1
        );
        let path = source.join(name);
        println!("cargo:rerun-if-changed={}", path.display());
        let text = std::fs::read_to_string(&path).expect("reading a migration");
        let code: String = sql_code::code_lines(&text).map(|line| sql_code::compact(line) + "\n").collect();
        std::fs::write(target.join(name), code).expect("writing a migration");
        list.push_str(&format!(
            "    Migration {{ version: {version}, name: {name:?}, sql: include_str!(concat!(env!(\"OUT_DIR\"), \"/migrations/{name}\")) }},\n"
        ));
    }
    list.push_str("]\n");
    std::fs::write(target.join("list.rs"), list).expect("writing the list of migrations");
}
