//! What of a migration file is SQL: each line without its `--` comment and trailing blanks,
//! blank lines dropped. Shared by `build.rs`, which embeds the migrations this way (so the
//! comments, half their text, do not count against each component's size budget), and by
//! `migrations::split_statements`. `build.rs` also [`compact`]s each line.

/// The code lines of `sql`, in order.
pub fn code_lines(sql: &str) -> impl Iterator<Item = &str> {
    sql.lines()
        .map(|line| line.split_once("--").map_or(line, |(code, _)| code).trim_end())
        .filter(|code| !code.trim().is_empty())
}

/// `line` with its indentation dropped and every run of blanks outside a quoted string or
/// name (`'…'`, `"…"`) made one space: the columns of a `CREATE TABLE` aligned for readers
/// cost every component's size budget 3 kB (migrations 0001 to 0013) and SQLite nothing.
#[allow(dead_code)] // used by build.rs only
pub fn compact(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut quote: Option<char> = None;
    for c in line.trim().chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '\'' || c == '"' => quote = Some(c),
            None if c.is_whitespace() => {
                if !out.ends_with(' ') {
                    out.push(' ');
                }
                continue;
            }
            None => {}
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn blanks_shrink_to_one_outside_quotes_only() {
        let line = "    id    INTEGER  DEFAULT '  two  '  CHECK (\"a  b\" <>   '')";
        assert_eq!(super::compact(line), "id INTEGER DEFAULT '  two  ' CHECK (\"a  b\" <> '')");
    }
}
