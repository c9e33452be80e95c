//! A write batch that can read its own writes: subscribers apply many log
//! records in one commit, and a later record must see what an earlier one
//! staged for the same key.

use super::codec::{decode, encode};
use super::{Db, StorageError, WriteBatch};
use serde::{de::DeserializeOwned, Serialize};
use std::collections::BTreeMap;

/// Staged puts and removes over a database, committed as one batch.
pub struct Staged<'a> {
    db: &'a Db,
    /// In key order, so the batch writes keys in order: a reader that
    /// sees a later key of the batch also sees the earlier ones.
    overlay: BTreeMap<Vec<u8>, Option<Vec<u8>>>,
    batch: WriteBatch,
}

impl<'a> Staged<'a> {
    pub fn new(db: &'a Db) -> Self {
        Staged {
            db,
            overlay: BTreeMap::new(),
            batch: WriteBatch::new(),
        }
    }

    /// The database under the staged writes.
    pub fn db(&self) -> &'a Db {
        self.db
    }

    /// The staged value if any, else the stored one.
    pub fn get<T: DeserializeOwned>(&self, key: &[u8]) -> Result<Option<T>, StorageError> {
        match self.overlay.get(key) {
            Some(Some(bytes)) => decode(bytes).map(Some),
            Some(None) => Ok(None),
            None => self.db.get(key),
        }
    }

    pub fn put<T: Serialize + ?Sized>(
        &mut self,
        key: Vec<u8>,
        value: &T,
    ) -> Result<(), StorageError> {
        self.overlay.insert(key, Some(encode(value)?));
        Ok(())
    }

    pub fn remove(&mut self, key: Vec<u8>) {
        self.overlay.insert(key, None);
    }

    /// The batch holding everything staged.
    pub fn into_batch(mut self) -> WriteBatch {
        for (key, value) in self.overlay {
            match value {
                Some(bytes) => self.batch.put_encoded(key, bytes),
                None => self.batch.remove(key),
            }
        }
        self.batch
    }
}
