//! What of a migration file is SQL: each line without its `--` comment and trailing blanks,
//! blank lines dropped. Shared by `build.rs`, which embeds the migrations this way (so the
//! comments, half their text, do not count against each component's size budget), and by
//! `migrations::split_statements`.

/// The code lines of `sql`, in order.
pub fn code_lines(sql: &str) -> impl Iterator<Item = &str> {
    sql.lines()
        .map(|line| line.split_once("--").map_or(line, |(code, _)| code).trim_end())
        .filter(|code| !code.trim().is_empty())
}
