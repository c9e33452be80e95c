//! Identifiers and their validation.

use super::error::DomainError;

/// Orders are numbered by the server.
pub type OrderId = u64;

/// Longest customer, store, rider or menu id accepted.
pub const MAX_ID_CHARS: usize = 64;

/// Checks a customer, store, rider or menu id: 1–64 characters, none of them a
/// control character (keys in storage use NUL as a separator) and not blank.
pub fn validate_id(field: &'static str, id: &str) -> Result<(), DomainError> {
    let chars = id.chars().count();
    let reason = if id.trim().is_empty() {
        "must not be empty"
    } else if chars > MAX_ID_CHARS {
        "must be at most 64 characters"
    } else if id.chars().any(char::is_control) {
        "must not contain control characters"
    } else {
        return Ok(());
    };
    Err(DomainError::Invalid {
        field,
        reason: reason.to_string(),
    })
}

/// Checks free text (names, addresses, reasons): not blank, bounded length,
/// no control characters other than newlines and tabs.
pub fn validate_text(field: &'static str, text: &str, max_chars: usize) -> Result<(), DomainError> {
    let reason = if text.trim().is_empty() {
        "must not be empty".to_string()
    } else if text.chars().count() > max_chars {
        format!("must be at most {max_chars} characters")
    } else if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        "must not contain control characters".to_string()
    } else {
        return Ok(());
    };
    Err(DomainError::Invalid { field, reason })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_accept_ordinary_names() {
        assert!(validate_id("customerId", "kim-minji").is_ok());
        assert!(validate_id("customerId", "김민지").is_ok());
        assert!(validate_id("customerId", &"a".repeat(64)).is_ok());
    }

    #[test]
    fn ids_refuse_empty_long_and_control() {
        for bad in ["", "   ", "a\u{0}b", "line\nbreak"] {
            assert!(validate_id("customerId", bad).is_err(), "{bad:?}");
        }
        let err = validate_id("storeId", &"a".repeat(65)).unwrap_err();
        assert!(err.to_string().contains("storeId"));
        assert!(err.to_string().contains("64"));
    }

    #[test]
    fn text_is_bounded() {
        assert!(validate_text("address", "서울 강남구", 10).is_ok());
        assert!(validate_text("address", "", 10).is_err());
        assert!(validate_text("address", &"가".repeat(11), 10).is_err());
        assert!(validate_text("reason", "two\nlines", 20).is_ok());
    }
}
