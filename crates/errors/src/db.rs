//! The database error every engine reports, classified from SQLite's own message (Spin's
//! host passes rusqlite's text through `error::io(String)`, so one classifier serves all).

/// A failed statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbError {
    /// A UNIQUE constraint failed; holds the columns as SQLite lists them
    /// (`"customer.organisation_id, customer.email_key"`).
    Unique(String),
    /// Anything else. The text is for the log only.
    Other(String),
}

impl std::fmt::Display for DbError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Unique(columns) => write!(f, "UNIQUE constraint failed: {columns}"),
            Self::Other(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for DbError {}

/// Classifies SQLite's error text.
pub fn classify(message: String) -> DbError {
    match message.split_once("UNIQUE constraint failed: ") {
        Some((_, columns)) => DbError::Unique(columns.trim().to_owned()),
        None => DbError::Other(message),
    }
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
}
