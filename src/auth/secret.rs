//! The key that signs access tokens: `--auth-secret` when given, else one
//! generated on first start and kept in the database (so that restarts,
//! compaction and backups keep sessions valid).

use crate::storage::{keys, Db, StorageError, WriteBatch};

/// Shortest secret accepted, in bytes: HS256's key should be at least as
/// long as its hash (RFC 7518, section 3.2).
pub const MIN_BYTES: usize = 32;

/// The signing key: `given` (checked for length), or the database's own.
pub fn load(db: &Db, given: Option<&str>) -> Result<Vec<u8>, String> {
    if let Some(given) = given {
        if given.len() < MIN_BYTES {
            return Err(format!(
                "--auth-secret must be at least {MIN_BYTES} bytes long"
            ));
        }
        return Ok(given.as_bytes().to_vec());
    }
    let stored = |e: StorageError| format!("cannot read or keep the auth secret: {e}");
    if let Some(secret) = db.get::<Vec<u8>>(keys::AUTH_SECRET).map_err(stored)? {
        return Ok(secret);
    }
    let mut secret = vec![0u8; MIN_BYTES];
    getrandom::getrandom(&mut secret).map_err(|e| format!("no randomness: {e}"))?;
    let mut batch = WriteBatch::new();
    batch
        .put(keys::AUTH_SECRET.to_vec(), &secret)
        .map_err(stored)?;
    db.commit(batch).map_err(stored)?;
    db.flush().map_err(stored)?;
    Ok(secret)
}
