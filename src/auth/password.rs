//! Password hashing with argon2id (the `argon2` crate's defaults: 19 MiB,
//! 2 passes, the OWASP recommendation), stored as a PHC string.

use crate::domain::DomainError;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use std::sync::OnceLock;

/// Shortest and longest password accepted, in characters (NIST SP 800-63B
/// asks for at least 8 and to allow at least 64).
pub const MIN_CHARS: usize = 8;
pub const MAX_CHARS: usize = 128;

/// Checks a new password's length.
pub fn validate(password: &str) -> Result<(), DomainError> {
    let n = password.chars().count();
    if !(MIN_CHARS..=MAX_CHARS).contains(&n) {
        return Err(DomainError::Invalid {
            field: "password",
            reason: format!("must be {MIN_CHARS} to {MAX_CHARS} characters"),
        });
    }
    Ok(())
}

/// The PHC string of `password` with a fresh random salt.
pub fn hash(password: &str) -> Result<String, String> {
    let mut bytes = [0u8; 16];
    getrandom::getrandom(&mut bytes).map_err(|e| format!("no randomness for a salt: {e}"))?;
    let salt = SaltString::encode_b64(&bytes).map_err(|e| format!("cannot make a salt: {e}"))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| format!("cannot hash a password: {e}"))
}

/// Whether `password` matches the PHC string `stored`. With no account
/// (`None`), a made-up hash is checked anyway, so that a wrong id takes as
/// long as a wrong password and ids cannot be told apart by timing.
pub fn verify(password: &str, stored: Option<&str>) -> bool {
    static DECOY: OnceLock<String> = OnceLock::new();
    let (hash, real) = match stored {
        Some(stored) => (stored, true),
        None => (
            DECOY
                .get_or_init(|| hash("not the password of anyone").unwrap_or_default())
                .as_str(),
            false,
        ),
    };
    let matches = PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    });
    matches && real
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_checks_its_password_and_nothing_else() {
        let stored = hash("correct horse").unwrap();
        assert!(stored.starts_with("$argon2id$"), "{stored}");
        assert!(!stored.contains("correct horse"));
        assert!(verify("correct horse", Some(&stored)));
        assert!(!verify("correct hors", Some(&stored)));
        assert!(!verify("correct horse", None));
        assert!(!verify("correct horse", Some("not a hash")));
        assert_ne!(hash("correct horse").unwrap(), stored, "salted");
    }

    #[test]
    fn passwords_have_a_length() {
        assert!(validate("short").is_err());
        assert!(validate("baedal-demo").is_ok());
        assert!(validate(&"x".repeat(MAX_CHARS + 1)).is_err());
    }
}
