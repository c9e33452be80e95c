//! Password hashing with argon2id (the `argon2` crate's defaults: 19 MiB,
//! 2 passes, the OWASP recommendation), stored as a PHC string.
//!
//! The crate's `PasswordHasher` and `PasswordVerifier` allocate and zero
//! the 19 MiB anew for every hash; that, not the hashing, was most of the
//! server's CPU in a sign-in-heavy load (BENCHMARKS.md, "Why the database
//! grows"). So each thread keeps its working memory, and the PHC string is
//! made and checked here with the crate's own types.

use crate::domain::DomainError;
use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use std::cell::RefCell;
use std::sync::OnceLock;

thread_local! {
    /// This thread's argon2 working memory, kept for its next hash. argon2
    /// overwrites every block on its first pass, so it need not be zeroed.
    static BLOCKS: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// argon2 of `password` and `salt` into `out`, in this thread's memory.
fn hash_into(
    argon: &Argon2<'_>,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
) -> Result<(), String> {
    BLOCKS.with_borrow_mut(|blocks| {
        let n = argon.params().block_count();
        if blocks.len() < n {
            blocks.resize(n, Block::default());
        }
        argon
            .hash_password_into_with_memory(password, salt, out, &mut blocks[..n])
            .map_err(|e| format!("cannot hash a password: {e}"))
    })
}

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
    let argon = Argon2::default();
    let params = argon.params();
    let mut out = vec![0u8; params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN)];
    hash_into(&argon, password.as_bytes(), &bytes, &mut out)?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(params).map_err(|e| e.to_string())?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(|e| e.to_string())?),
    };
    Ok(phc.to_string())
}

/// Whether `password` gives the hash `stored` holds, under the algorithm,
/// version and parameters it names (constant-time comparison).
fn matches(password: &[u8], stored: &PasswordHash<'_>) -> Option<bool> {
    let algorithm = Algorithm::try_from(stored.algorithm).ok()?;
    let version = match stored.version {
        Some(v) => Version::try_from(v).ok()?,
        None => Version::default(),
    };
    let params = Params::try_from(stored).ok()?;
    let expected = stored.hash?;
    let mut salt = [0u8; 64];
    let salt = stored.salt?.decode_b64(&mut salt).ok()?;
    let mut out = vec![0u8; expected.len()];
    hash_into(
        &Argon2::new(algorithm, version, params),
        password,
        salt,
        &mut out,
    )
    .ok()?;
    Some(Output::new(&out).ok()? == expected)
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
    let matched = PasswordHash::new(hash)
        .ok()
        .and_then(|parsed| matches(password.as_bytes(), &parsed))
        .unwrap_or(false);
    matched && real
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
    fn hashes_made_by_the_crates_own_hasher_still_check_and_ours_check_there() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        // As releases before the kept working memory stored them.
        let salt = SaltString::encode_b64(b"sixteen byte salt").unwrap();
        let theirs = Argon2::default()
            .hash_password(b"correct horse", &salt)
            .unwrap()
            .to_string();
        assert!(verify("correct horse", Some(&theirs)));
        assert!(!verify("wrong horse", Some(&theirs)));
        // Other parameters are read from the string, not assumed.
        let light = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8 * 1024, 1, 1, None).unwrap(),
        )
        .hash_password(b"correct horse", &salt)
        .unwrap()
        .to_string();
        assert!(verify("correct horse", Some(&light)));
        let ours = hash("correct horse").unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(Argon2::default()
            .verify_password(b"correct horse", &parsed)
            .is_ok());
    }

    #[test]
    fn passwords_have_a_length() {
        assert!(validate("short").is_err());
        assert!(validate("baedal-demo").is_ok());
        assert!(validate(&"x".repeat(MAX_CHARS + 1)).is_err());
    }
}
