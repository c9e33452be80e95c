//! The value encoding: one byte naming the encoding, then the value.
//!
//! Values are MessagePack in its compact form: a struct is an array of its
//! fields in declaration order, an enum variant is its name. That carries
//! types and lengths, so a field appended at the end of a struct (or of an
//! enum variant's fields) with `#[serde(default)]` reads from values
//! written before it existed; and it costs no more than postcard did
//! (BENCHMARKS.md, "Stored format"). Field names are not stored: a field is
//! never inserted before others, reordered or removed without a schema
//! step (ARCHITECTURE.md, "Add a field to a stored type"); the fixture
//! tests compare every value by name and catch it.
//!
//! Schema 1 wrote postcard, which is not self-describing; opening such a
//! database rewrites every value first (`schema::v1`), so this module never
//! meets one.

use super::StorageError;
use serde::{de::DeserializeOwned, Serialize};

/// The first byte of every stored value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Encoding {
    /// postcard, as schema 1 wrote it: read only by the upgrade.
    Postcard = 1,
    /// Compact MessagePack (`rmp_serde`'s default form), since schema 2.
    MessagePack = 2,
}

impl Encoding {
    /// The encoding of a stored value, from its first byte.
    pub fn of(bytes: &[u8]) -> Result<Encoding, StorageError> {
        match bytes.first() {
            Some(1) => Ok(Encoding::Postcard),
            Some(2) => Ok(Encoding::MessagePack),
            Some(v) => Err(StorageError::Codec(format!(
                "a value in encoding {v}, which a newer baedal wrote: this binary reads up to {}",
                Encoding::MessagePack as u8
            ))),
            None => Err(StorageError::Codec("empty value".into())),
        }
    }
}

/// Encodes a value for storage.
pub fn encode<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, StorageError> {
    let mut out = Vec::with_capacity(128);
    out.push(Encoding::MessagePack as u8);
    rmp_serde::encode::write(&mut out, value).map_err(|e| StorageError::Codec(e.to_string()))?;
    Ok(out)
}

/// Decodes a stored value.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, StorageError> {
    match Encoding::of(bytes)? {
        Encoding::MessagePack => {
            rmp_serde::from_slice(&bytes[1..]).map_err(|e| StorageError::Codec(e.to_string()))
        }
        Encoding::Postcard => Err(StorageError::Codec(
            "a schema 1 (postcard) value in a database marked upgraded".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[test]
    fn round_trips_and_refuses_newer_encodings() {
        let v = (7u64, "김밥".to_string(), Some(3u32));
        let bytes = encode(&v).unwrap();
        assert_eq!(bytes[0], Encoding::MessagePack as u8);
        assert_eq!(decode::<(u64, String, Option<u32>)>(&bytes).unwrap(), v);
        let mut newer = bytes.clone();
        newer[0] = 3;
        let refused = decode::<(u64, String, Option<u32>)>(&newer).unwrap_err();
        assert!(refused.to_string().contains("newer baedal"), "{refused}");
        assert!(decode::<u64>(&[]).is_err());
        let mut old = bytes;
        old[0] = Encoding::Postcard as u8;
        assert!(decode::<(u64, String, Option<u32>)>(&old).is_err());
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    enum Status {
        Placed,
        Cooked,
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Before {
        id: u64,
        status: Status,
        name: String,
    }

    /// `Before` with two fields appended as the recipe says.
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct After {
        id: u64,
        status: Status,
        name: String,
        #[serde(default)]
        note: Option<String>,
        #[serde(default)]
        tip: u64,
    }

    /// `Before` with a field appended without a default.
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Required {
        id: u64,
        status: Status,
        name: String,
        tip: u64,
    }

    #[test]
    fn a_field_appended_with_a_default_reads_old_values_and_one_without_is_refused() {
        let old = encode(&Before {
            id: 1,
            status: Status::Cooked,
            name: "치킨".into(),
        })
        .unwrap();
        assert_eq!(
            decode::<After>(&old).unwrap(),
            After {
                id: 1,
                status: Status::Cooked,
                name: "치킨".into(),
                note: None,
                tip: 0,
            }
        );
        let refused = decode::<Required>(&old).unwrap_err();
        assert!(refused.to_string().contains("4 elements"), "{refused}");
    }

    #[test]
    fn variants_are_stored_by_name() {
        let bytes = encode(&Status::Cooked).unwrap();
        assert!(bytes.windows(6).any(|w| w == b"Cooked"));
        assert_eq!(decode::<Status>(&bytes).unwrap(), Status::Cooked);
    }
}
