//! The value encoding: a format version byte, then postcard (compact binary).

use super::StorageError;
use serde::{de::DeserializeOwned, Serialize};

/// Bumped when a stored type changes incompatibly; old versions are then
/// migrated in `decode`.
const VERSION: u8 = 1;

/// Encodes a value for storage.
pub fn encode<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, StorageError> {
    let mut out = vec![VERSION];
    postcard::to_io(value, &mut out).map_err(|e| StorageError::Codec(e.to_string()))?;
    Ok(out)
}

/// Decodes a stored value.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, StorageError> {
    match bytes.split_first() {
        Some((&VERSION, body)) => {
            postcard::from_bytes(body).map_err(|e| StorageError::Codec(e.to_string()))
        }
        Some((v, _)) => Err(StorageError::Codec(format!("unknown format version {v}"))),
        None => Err(StorageError::Codec("empty value".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_unknown_versions() {
        let v = (7u64, "김밥".to_string(), Some(3u32));
        let bytes = encode(&v).unwrap();
        assert_eq!(bytes[0], VERSION);
        assert_eq!(decode::<(u64, String, Option<u32>)>(&bytes).unwrap(), v);
        let mut wrong = bytes.clone();
        wrong[0] = 99;
        assert!(decode::<(u64, String, Option<u32>)>(&wrong)
            .unwrap_err()
            .to_string()
            .contains("version 99"));
        assert!(decode::<u64>(&[]).is_err());
    }
}
