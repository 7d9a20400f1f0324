//! What kind of profile it is and where it stands, as stored (one letter each) and served
//! (the same letter: contract §3 `Customer.status`, `Customer.profileType`).

use crate::db::{DbError, Row};
use serde::Serialize;

/// `S` standard (permanent) or `T` temporary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema), schemars(inline))]
pub enum ProfileType {
    #[serde(rename = "S")]
    Standard,
    #[serde(rename = "T")]
    Temporary,
}

impl ProfileType {
    pub fn code(self) -> &'static str {
        match self {
            Self::Standard => "S",
            Self::Temporary => "T",
        }
    }

    /// From its stored letter.
    pub fn from_code(code: &str) -> Result<Self, DbError> {
        match code {
            "S" => Ok(Self::Standard),
            "T" => Ok(Self::Temporary),
            other => Err(DbError::Other(format!("unknown profile_type {other:?}"))),
        }
    }

    pub(super) fn from_column(row: &Row<'_>) -> Result<Self, DbError> {
        Self::from_code(&row.text("profile_type")?)
    }
}

/// Where a profile stands: `A` active (takes writes), `D` deactivated (readable until it
/// expires, then erased), `P` merged into another profile (a pointer to it: contract §3
/// connect).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema), schemars(inline))]
pub enum ProfileStatus {
    #[serde(rename = "A")]
    Active,
    #[serde(rename = "D")]
    Deactivated,
    #[serde(rename = "P")]
    Merged,
}

impl ProfileStatus {
    pub fn code(self) -> &'static str {
        match self {
            Self::Active => "A",
            Self::Deactivated => "D",
            Self::Merged => "P",
        }
    }

    pub(super) fn from_column(row: &Row<'_>) -> Result<Self, DbError> {
        match row.text("status")?.as_str() {
            "A" => Ok(Self::Active),
            "D" => Ok(Self::Deactivated),
            "P" => Ok(Self::Merged),
            other => Err(DbError::Other(format!("unknown status {other:?}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_is_served_as_its_stored_letter() {
        for (status, letter) in
            [(ProfileStatus::Active, "A"), (ProfileStatus::Deactivated, "D"), (ProfileStatus::Merged, "P")]
        {
            assert_eq!(serde_json::to_value(status).unwrap(), letter);
            assert_eq!(status.code(), letter);
        }
        for (kind, letter) in [(ProfileType::Standard, "S"), (ProfileType::Temporary, "T")] {
            assert_eq!(serde_json::to_value(kind).unwrap(), letter);
            assert_eq!(ProfileType::from_code(letter).unwrap(), kind);
        }
        assert!(ProfileType::from_code("X").is_err());
    }
}
