//! No import circle in `crates/domain` (issue 15): the modules form layers, so each can be
//! read, tested and changed knowing only what is below it.
//!
//! The check reads the source, like a reader would: a module depends on another when its
//! code names it (`crate::address::…`, in a `use` or inline). Two levels are checked:
//! - the crate's top-level modules (`db`, `connection`, `profile`, `customer`, …), each a
//!   file or a folder;
//! - inside each folder, its files among each other (`super::offer::…`,
//!   `crate::consent::offer::…`), leaving out `mod.rs`, which declares and re-exports them.
//!
//! Test code (`#[cfg(test)] mod … { … }` at a file's end, `tests.rs`) is left out: tests may
//! reach anywhere. Run it alone with `cargo test -p domain --test no_import_circle`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Graph = BTreeMap<String, BTreeSet<String>>;

/// The source files under `dir`, recursively.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("the source folder reads") {
        let path = entry.expect("a folder entry").path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// A file's code without comments and without its test module.
fn code_of(path: &Path) -> String {
    let text = std::fs::read_to_string(path).expect("a source file reads");
    let lines: Vec<&str> = text.lines().collect();
    let mut code = String::new();
    for (i, line) in lines.iter().enumerate() {
        let next = lines.get(i + 1).map_or("", |l| l.trim());
        let opens_test_module = line.trim() == "#[cfg(test)]"
            && ["mod ", "pub mod ", "pub(crate) mod "].iter().any(|m| next.starts_with(m))
            && next.ends_with('{');
        if opens_test_module {
            break;
        }
        let without_comment = line.split("//").next().unwrap_or("");
        code.push_str(without_comment);
        code.push('\n');
    }
    code
}

/// Every `prefix` followed by an identifier in `code`: the identifiers.
fn names_after<'a>(code: &'a str, prefix: &str) -> Vec<&'a str> {
    code.match_indices(prefix)
        .filter(|(at, _)| {
            // `crate::` must not be the tail of a longer path (`my_crate::`).
            !code[..*at].ends_with(|c: char| c.is_alphanumeric() || c == '_')
        })
        .filter_map(|(at, _)| {
            let rest = &code[at + prefix.len()..];
            let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(rest.len());
            (end > 0).then(|| &rest[..end])
        })
        .collect()
}

/// Also the names inside `prefix{a, b::c}` groups.
fn grouped_names_after<'a>(code: &'a str, prefix: &str) -> Vec<&'a str> {
    let open = format!("{prefix}{{");
    let mut names = Vec::new();
    for (at, _) in code.match_indices(&open) {
        let rest = &code[at + open.len()..];
        let group = &rest[..rest.find('}').unwrap_or(rest.len())];
        for item in group.split(',') {
            let item = item.trim();
            let end = item.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(item.len());
            if end > 0 && item[end..].starts_with("::") {
                names.push(&item[..end]);
            }
        }
    }
    names
}

/// A circle in `graph`, as the path around it, if there is one.
fn find_circle(graph: &Graph) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &Graph,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(start) = path.iter().position(|n| n == node) {
            let mut circle = path[start..].to_vec();
            circle.push(node.to_owned());
            return Some(circle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(circle) = visit(next, graph, path, done) {
                return Some(circle);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    graph.keys().find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The top-level module a file belongs to (`profile/create.rs` → `profile`), and, inside a
/// folder, the file's own module name (`create`), if it is not the folder's `mod.rs`.
fn module_of(path: &Path) -> (String, Option<String>) {
    let relative = path.strip_prefix(src()).expect("under src");
    let parts: Vec<String> =
        relative.iter().map(|p| p.to_string_lossy().trim_end_matches(".rs").to_owned()).collect();
    let inner = (parts.len() > 1 && parts[parts.len() - 1] != "mod").then(|| parts[parts.len() - 1].clone());
    (parts[0].clone(), inner)
}

fn is_test_only(path: &Path) -> bool {
    path.file_name().is_some_and(|n| n == "tests.rs")
}

fn top_level_graph() -> Graph {
    let mut graph = Graph::new();
    for path in rust_files(&src()).iter().filter(|p| !is_test_only(p)) {
        let (module, _) = module_of(path);
        if module == "lib" {
            continue;
        }
        let code = code_of(path);
        let used = graph.entry(module.clone()).or_default();
        for name in names_after(&code, "crate::").into_iter().chain(grouped_names_after(&code, "crate::")) {
            if name != module {
                used.insert(name.to_owned());
            }
        }
    }
    graph
}

/// For each folder, the graph of its files (`mod.rs` left out).
fn folder_graphs() -> BTreeMap<String, Graph> {
    let mut folders: BTreeMap<String, Graph> = BTreeMap::new();
    let files: Vec<PathBuf> = rust_files(&src()).into_iter().filter(|p| !is_test_only(p)).collect();
    for path in &files {
        let (folder, Some(file)) = module_of(path) else { continue };
        let siblings: BTreeSet<String> =
            files.iter().filter_map(|p| Some(module_of(p)).filter(|(f, _)| *f == folder)?.1).collect();
        let code = code_of(path);
        let in_crate = format!("crate::{folder}::");
        let named = names_after(&code, "super::")
            .into_iter()
            .chain(grouped_names_after(&code, "super::"))
            .chain(names_after(&code, &in_crate))
            .chain(grouped_names_after(&code, &in_crate));
        let graph = folders.entry(folder.clone()).or_default();
        let used = graph.entry(file.clone()).or_default();
        for name in named {
            if name != file && siblings.contains(name) {
                used.insert(name.to_owned());
            }
        }
    }
    folders
}

#[test]
fn the_top_level_modules_form_layers() {
    let graph = top_level_graph();
    assert!(graph.contains_key("db") && graph.contains_key("profile"), "the check sees the modules");
    if let Some(circle) = find_circle(&graph) {
        panic!("import circle between modules of crates/domain: {}", circle.join(" -> "));
    }
}

#[test]
fn the_files_of_each_folder_form_layers() {
    let folders = folder_graphs();
    assert!(folders.contains_key("consent"), "the check sees the folders");
    for (folder, graph) in &folders {
        if let Some(circle) = find_circle(graph) {
            panic!("import circle in crates/domain/src/{folder}/: {}", circle.join(" -> "));
        }
    }
}

#[test]
fn db_is_the_seam_alone() {
    let graph = top_level_graph();
    for policy in ["connection", "migrations", "on_demand"] {
        assert!(!graph["db"].contains(policy), "db names {policy}: db.rs is the seam alone");
    }
}

#[test]
fn the_check_finds_a_circle() {
    let mut graph = Graph::new();
    graph.entry("a".into()).or_default().insert("b".into());
    graph.entry("b".into()).or_default().insert("c".into());
    assert_eq!(find_circle(&graph), None);
    graph.entry("c".into()).or_default().insert("a".into());
    assert_eq!(find_circle(&graph), Some(vec!["a".into(), "b".into(), "c".into(), "a".into()]));
    let code = "use crate::db::{Db, Value};\nuse crate::{audit::Actor, time};\nlet x = my_crate::y;";
    assert_eq!(names_after(code, "crate::"), vec!["db"]);
    assert_eq!(grouped_names_after(code, "crate::"), vec!["audit"]);
}
