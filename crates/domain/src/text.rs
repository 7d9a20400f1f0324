//! Free text as every part of the domain checks and compares it: at most so many characters
//! and no control characters ([`bounded`], [`multiline`]), and the folded form names and
//! addresses are searched and kept unique by ([`fold`]). Input arrives trimmed.

use errors::{ErrorCode, Invalid};

/// Free text of at most `max` characters without control characters.
pub fn bounded(raw: &str, max: usize) -> Result<String, Invalid> {
    checked(raw, max, char::is_control)
}

/// [`bounded`] for text of several lines (terms, descriptions): line breaks and tabs are
/// allowed, other control characters are not.
pub fn multiline(raw: &str, max: usize) -> Result<String, Invalid> {
    checked(raw, max, |c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
}

fn checked(raw: &str, max: usize, refused: fn(char) -> bool) -> Result<String, Invalid> {
    if raw.chars().count() > max {
        return Err(Invalid::new(ErrorCode::TOO_LONG, format!("must be at most {max} characters")));
    }
    if raw.chars().any(refused) {
        return Err(Invalid::new(ErrorCode::INVALID_CHARACTERS, "must not contain control characters"));
    }
    Ok(raw.to_owned())
}

/// The folded form used for uniqueness and search: Unicode lower case, so `ÆRLIG`,
/// `ærlig` and `Ærlig` are one name.
pub fn fold(s: &str) -> String {
    s.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_over_the_limit_or_with_control_characters_is_refused() {
        assert_eq!(bounded(&"ø".repeat(100), 100).unwrap(), "ø".repeat(100));
        assert_eq!(bounded(&"ø".repeat(101), 100).unwrap_err().code, "TOO_LONG");
        assert_eq!(bounded("a\u{0}b", 100).unwrap_err().code, "INVALID_CHARACTERS");
        assert_eq!(bounded("a\nb", 100).unwrap_err().code, "INVALID_CHARACTERS");
    }

    #[test]
    fn multiline_text_may_hold_line_breaks_and_tabs_only() {
        assert_eq!(multiline("a\r\n\tb", 100).unwrap(), "a\r\n\tb");
        assert_eq!(multiline("a\u{7}b", 100).unwrap_err().code, "INVALID_CHARACTERS");
        assert_eq!(multiline(&"a".repeat(11), 10).unwrap_err().code, "TOO_LONG");
    }

    #[test]
    fn folding_treats_every_case_of_a_norwegian_name_alike() {
        assert_eq!(fold("ÆRLIG"), fold("ærlig"));
        assert_eq!(fold("Ærlig"), "ærlig");
        assert_eq!(fold("ØSTBY Åsheim"), "østby åsheim");
    }
}
