//! The database error every engine reports, classified from SQLite's own message. Spin's host
//! passes the engine's text through `error::io(String)`: rusqlite's as it is on a local file,
//! and on libSQL wrapped by the libSQL client (see [`engine_message`]), so one classifier
//! serves both and a failure is the same `DbError` on either.

/// A failed statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbError {
    /// A UNIQUE constraint failed; holds the columns as SQLite lists them
    /// (`"customer.organisation_id, customer.email_key"`).
    Unique(String),
    /// No connection to the database: it could not be opened (a libSQL server that does not
    /// answer in time, say). The text is for the log only.
    Unavailable(String),
    /// Anything else, as SQLite words it (without libSQL's wrapping). The text is for the log
    /// only.
    Other(String),
}

impl std::fmt::Display for DbError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Unique(columns) => write!(f, "UNIQUE constraint failed: {columns}"),
            Self::Unavailable(message) | Self::Other(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for DbError {}

impl DbError {
    /// Whether the same request may succeed a moment later, and had no effect now: the
    /// database was out of reach, stayed locked past the wait, or a libSQL server cancelled
    /// the statement ([`INTERRUPTED`]; SQLite aborts it, and the transaction it was in, before
    /// anything commits). Answered with 503 `DATABASE_UNAVAILABLE` and `Retry-After`, not 500.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Unavailable(_) => true,
            Self::Other(message) => is_busy(message) || message == INTERRUPTED,
            Self::Unique(_) => false,
        }
    }
}

/// What a libSQL server (sqld 0.24.33) answers when it cancels a statement: SQLite's
/// SQLITE_INTERRUPT, raised by the server's progress handler when a cancel flag of the
/// server-side connection is set. Under load we saw it on about one request in a hundred of
/// the end-to-end suite over sqld, on plain reads and single-statement writes alike, never
/// on a local file. An interrupted statement has no effect (SQLite aborts it before it
/// commits).
pub const INTERRUPTED: &str = "interrupted";

/// Whether the engine's text says another connection holds the lock.
pub fn is_busy(message: &str) -> bool {
    message.contains("database is locked") || message.contains("database table is locked")
}

/// How Spin's libSQL client words a server that did not accept a connection in time.
const OPEN_TIMED_OUT: &str = "Timed out while opening database connection";

/// Classifies the engine's error text.
pub fn classify(message: String) -> DbError {
    if message.contains(OPEN_TIMED_OUT) {
        return DbError::Unavailable(message);
    }
    let message = engine_message(&message);
    match message.split_once("UNIQUE constraint failed: ") {
        Some((_, columns)) => DbError::Unique(columns.trim().to_owned()),
        None => DbError::Other(message.to_owned()),
    }
}

/// SQLite's own words inside the libSQL client's report of a failed statement, which Spin
/// passes on as it is (Spin 4.1, libSQL client 0.5, sqld 0.24.33):
///
/// ```text
/// Hrana: `cursor error: `error at step 0: (error code: SQLITE_CONSTRAINT) `SQLite error: UNIQUE constraint failed: ch.e, ch.k```
/// ```
///
/// sqld's own HTTP API (the operator tools, `ops/`) reports the inner part, `SQLite error: …`.
/// Any other text (a local file's, or one of libSQL's own, like "unsupported statement")
/// is returned as it is.
fn engine_message(message: &str) -> &str {
    let inner = match message.strip_prefix("Hrana: ") {
        Some(report) => {
            let report = report.trim_end_matches('`');
            report.rsplit_once(") `").map_or(report, |(_, engine)| engine)
        }
        None => message,
    };
    ["SQLite error: ", "SQL input error: "].iter().find_map(|p| inner.strip_prefix(p)).unwrap_or(inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_violations_name_their_columns() {
        let e = classify("UNIQUE constraint failed: customer.organisation_id, customer.customer_ref".into());
        assert_eq!(e, DbError::Unique("customer.organisation_id, customer.customer_ref".into()));
    }

    #[test]
    fn other_errors_keep_their_text() {
        assert_eq!(classify("database is locked".into()), DbError::Other("database is locked".into()));
    }

    #[test]
    fn a_connection_that_could_not_be_opened_is_unavailable() {
        let e = classify("Timed out while opening database connection".into());
        assert_eq!(e, DbError::Unavailable("Timed out while opening database connection".into()));
    }

    #[test]
    fn only_an_out_of_reach_locked_or_cancelled_database_is_transient() {
        for transient in [
            DbError::Unavailable("opening the database: no such host".into()),
            classify("database is locked".into()),
            classify("database table is locked: customer".into()),
            classify(from_libsql("SQLITE_INTERRUPT", "SQLite error: interrupted")),
        ] {
            assert!(transient.is_transient(), "{transient:?}");
        }
        for lasting in [
            classify("UNIQUE constraint failed: customer.email_key".into()),
            classify("no such table: customer".into()),
            classify("NOT NULL constraint failed: customer.surname".into()),
            classify("interrupted by a bug".into()),
        ] {
            assert!(!lasting.is_transient(), "{lasting:?}");
        }
    }

    /// How Spin's libSQL client reports what sqld answered (collected from Spin 4.1 over
    /// sqld 0.24.33).
    fn from_libsql(code: &str, engine_text: &str) -> String {
        format!("Hrana: `cursor error: `error at step 0: (error code: {code}) `{engine_text}```")
    }

    #[test]
    fn libsql_and_a_local_file_give_the_same_error_for_the_same_failure() {
        // (local file, libSQL), each as Spin's host passes it on.
        let cases = [
            (
                "UNIQUE constraint failed: customer.organisation_id, customer.email_key",
                from_libsql(
                    "SQLITE_CONSTRAINT",
                    "SQLite error: UNIQUE constraint failed: customer.organisation_id, customer.email_key",
                ),
            ),
            (
                "UNIQUE constraint failed: ch.id",
                from_libsql("SQLITE_CONSTRAINT", "SQLite error: UNIQUE constraint failed: ch.id"),
            ),
            (
                "FOREIGN KEY constraint failed",
                from_libsql("SQLITE_CONSTRAINT", "SQLite error: FOREIGN KEY constraint failed"),
            ),
            (
                "CHECK constraint failed: n >= 0",
                from_libsql("SQLITE_CONSTRAINT", "SQLite error: CHECK constraint failed: n >= 0"),
            ),
            (
                "NOT NULL constraint failed: ch.k",
                from_libsql("SQLITE_CONSTRAINT", "SQLite error: NOT NULL constraint failed: ch.k"),
            ),
            ("no such table: nope", from_libsql("SQLITE_UNKNOWN", "SQLite error: no such table: nope")),
        ];
        for (local, libsql) in cases {
            let (on_file, on_libsql) = (classify(local.to_owned()), classify(libsql.clone()));
            assert_eq!(on_file, on_libsql, "{libsql}");
            let (file_error, libsql_error) = (crate::ApiError::Db(on_file), crate::ApiError::Db(on_libsql));
            assert_eq!(
                (file_error.status(), file_error.error_code()),
                (libsql_error.status(), libsql_error.error_code()),
                "{libsql}"
            );
        }
        assert_eq!(
            classify(from_libsql(
                "SQLITE_CONSTRAINT",
                "SQLite error: UNIQUE constraint failed: customer.organisation_id, customer.email_key"
            )),
            DbError::Unique("customer.organisation_id, customer.email_key".into()),
            "the columns without libSQL's backticks, so `OnUnique` matches them"
        );
    }

    #[test]
    fn libsqls_wording_of_schema_and_lock_errors_keeps_what_the_connection_policy_looks_for() {
        let column =
            classify(from_libsql("SQL_INPUT_ERROR", "SQL input error: no such column: nope (at offset 7)"));
        assert_eq!(column, DbError::Other("no such column: nope (at offset 7)".into()));
        // Not seen from sqld, which queues writers itself; any SQLite error comes wrapped so.
        let locked = classify(from_libsql("SQLITE_BUSY", "SQLite error: database is locked"));
        assert_eq!(locked, DbError::Other("database is locked".into()));
        // sqld's HTTP API, without the client's wrapping.
        let unique = classify("SQLite error: UNIQUE constraint failed: ch.e, ch.k".into());
        assert_eq!(unique, DbError::Unique("ch.e, ch.k".into()));
        // libSQL's own refusals are not wrapped.
        assert_eq!(classify("unsupported statement".into()), DbError::Other("unsupported statement".into()));
    }
}
