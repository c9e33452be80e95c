//! The database's schema version, and the upgrades from every older one.
//!
//! A database records the schema it is at under [`keys::SCHEMA`] (4 bytes,
//! big-endian, outside the value encoding so any release can read it).
//! `Db::open` calls [`upgrade`] before anything else reads:
//!
//! - a fresh database is marked [`CURRENT`];
//! - an older one is upgraded step by step, each step safe to cut short
//!   and run again, and marked only once every step is done and flushed;
//! - a newer one (a later release wrote it) is refused, so that this binary
//!   never misreads or overwrites what it does not understand.
//!
//! | schema | what changed | step |
//! | --- | --- | --- |
//! | 1 | postcard values; no mark (databases before the schema existed) | |
//! | 2 | MessagePack values (`codec`); notifications only in pages | [`v1`] |
//!
//! Appending a field with `#[serde(default)]` needs no step and no new
//! schema: values carry their length since schema 2. A change that old
//! values cannot be read into (a field removed or moved, a renamed key, a
//! changed meaning) takes a new schema number and a step here
//! (ARCHITECTURE.md, "Add a field to a stored type").

mod v1;

use super::{keys, StorageError};

/// The schema this binary writes, and the newest it reads.
pub const CURRENT: u32 = 2;

/// Brings `engine` to [`CURRENT`], or refuses a database from a newer
/// release. Call once at open, after the journal's recovery and before any
/// read.
pub(super) fn upgrade(engine: &sled::Db) -> Result<(), StorageError> {
    let found = match engine.get(keys::SCHEMA)? {
        Some(bytes) => {
            let bytes: [u8; 4] = bytes.as_ref().try_into().map_err(|_| {
                StorageError::Codec(format!("unreadable schema mark {:?}", bytes.as_ref()))
            })?;
            u32::from_be_bytes(bytes)
        }
        // Schema 1 wrote no mark. A database with no keys at all is new.
        None if engine.first()?.is_none() => CURRENT,
        None => 1,
    };
    if found > CURRENT {
        return Err(StorageError::NewerSchema {
            found,
            supported: CURRENT,
        });
    }
    if found < CURRENT {
        tracing::info!(from = found, to = CURRENT, "upgrading the database");
    }
    if found < CURRENT {
        // Recovery has just completed the last commit; its record holds
        // values in the old encoding and would write them again at the
        // next open, over the rewritten ones.
        engine.remove(keys::JOURNAL)?;
    }
    if found == 1 {
        let rewritten = v1::rewrite_values(engine)?;
        let paged = v1::page_single_notifications(engine)?;
        tracing::info!(rewritten, paged, "schema 1 values rewritten");
    }
    // The steps' writes first, then the mark: a crash in between leaves
    // the old mark, and the steps run again (finding nothing left to do).
    engine.flush()?;
    if engine.get(keys::SCHEMA)?.as_deref() != Some(&CURRENT.to_be_bytes()[..]) {
        engine.insert(keys::SCHEMA, &CURRENT.to_be_bytes())?;
        engine.flush()?;
    }
    Ok(())
}

#[cfg(test)]
#[path = "fixture_tests.rs"]
mod fixture_tests;
#[cfg(test)]
#[path = "schema_tests.rs"]
mod tests;
