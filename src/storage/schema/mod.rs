//! The database's schema version, and the upgrades from every older one.
//!
//! A database records the schema it is at under [`keys::SCHEMA`] (4 bytes,
//! big-endian, outside the value encoding so any release can read it).
//! `Db::open` calls [`refuse_newer`] before it touches anything and
//! [`upgrade`] once the journal's last commit is complete:
//!
//! - a fresh database is marked [`CURRENT`];
//! - an older one is upgraded step by step: each step first reads all it
//!   will rewrite (so a database it cannot upgrade is refused unchanged),
//!   is safe to cut short and run again, and the mark is written only once
//!   every step is done and flushed;
//! - a newer one (a later release wrote it) is refused, journal and all, so
//!   that this binary never misreads or overwrites what it does not
//!   understand.
//!
//! | schema | what changed | step |
//! | --- | --- | --- |
//! | 1 | postcard values; no mark (databases before the schema existed) | |
//! | 2 | MessagePack values (`codec`); notifications only in pages | [`v1`] |
//! | 3 | accounts (`account/`, `ownedstore/`, `meta/auth-secret`); who caused an event (`LogRecord::by`, `StatusChange::by`); a store's owner and approval | none: fields appended |
//! | 4 | a cancel's reason (`OrderEvent::Canceled` gains fields); `Idempotency-Key`s per customer (`idem/<customer>\0<key>`); a reject's code and note; a review that earned no coupon (`Review::coupon_id`, `ReviewWritten::coupon` optional: older values read as `Some`); a session's previous refresh hash (`Session::previous_hash`) | [`v3`] |
//! | 5 | a customer's points history moves out of their balance into one value per order (`pointsorder/`, `OrderPoints`); money per gateway transaction: a payment's ledger (`Payment::charges`; older records read theirs from their fields, `Payment::ledger`) and status `Refunding`; the sandbox's refunds (`sandboxrefund/`); when an `Idempotency-Key` was first used (`IdempotencyRecord::created_at`) | [`v4`] (the points; the rest: fields appended) |
//! | 6 | an accept's promise (`OrderEvent::Accepted` gains `cooking_minutes`, `ready_by`, `estimated_delivery_at`); events `Delayed`, `AcceptReminded`; cancel code `NOT_ACCEPTED`; a store's delivery and kitchen terms (`Store::delivery`, `Store::kitchen`); an order's fees, acceptance terms and deadline, ready and delivery times, delay and notes; orders' durable timers (`timer/`); the ticket's deadline, ready time and note, the delivery's note, MyPage's times; a store's hours and pause, a dish's sold-out flag and option groups, an order line's options, an item request's choices; riders' trips (`ridertrip/`); webhook endpoints, outboxes and attempts (`whendpoint/`, `whoutbox/`, `whattempt/`); a real gateway's payment keys in the checkout's draft and a pending revision, and which order each paid (`paykey/`) | [`v5`] (the accepts; the rest: fields appended) |
//!
//! Every release that changes a stored type raises [`CURRENT`] and adds its
//! row here, so that an older release refuses the database at open rather
//! than failing value by value. Appending a field with `#[serde(default)]`
//! needs no step (values carry their length since schema 2: an old value
//! reads the default). A change that old values cannot be read into (a
//! field removed or moved, a renamed key, a changed meaning) also needs a
//! step (ARCHITECTURE.md, "Add a field to a stored type").

mod v1;
mod v3;
mod v4;
mod v5;

use super::{keys, StorageError};

/// The schema this binary writes, and the newest it reads.
pub const CURRENT: u32 = 6;

/// The schema `engine` is at: its mark; or, with no mark, 1 if it holds
/// anything (schema 1 wrote none), else [`CURRENT`] (a new database).
fn found(engine: &sled::Db) -> Result<u32, StorageError> {
    Ok(match engine.get(keys::SCHEMA)? {
        Some(bytes) => {
            let bytes: [u8; 4] = bytes.as_ref().try_into().map_err(|_| {
                StorageError::Codec(format!("unreadable schema mark {:?}", bytes.as_ref()))
            })?;
            u32::from_be_bytes(bytes)
        }
        None if engine.first()?.is_none() => CURRENT,
        None => 1,
    })
}

/// Refuses a database a newer release wrote. Call first at open, before
/// the journal's recovery: nothing of the database is touched.
pub(super) fn refuse_newer(engine: &sled::Db) -> Result<(), StorageError> {
    match found(engine)? {
        found if found > CURRENT => Err(StorageError::NewerSchema {
            found,
            supported: CURRENT,
        }),
        _ => Ok(()),
    }
}

/// Brings `engine` to [`CURRENT`]. Call once at open, after the journal's
/// recovery and before any read.
pub(super) fn upgrade(engine: &sled::Db) -> Result<(), StorageError> {
    refuse_newer(engine)?;
    let found = found(engine)?;
    if found < CURRENT {
        tracing::info!(from = found, to = CURRENT, "upgrading the database");
        // Every step reads everything first: a database it cannot upgrade
        // is refused before anything in it changed. (Schema 1's values are
        // readable as MessagePack only once rewritten, so for such a
        // database the steps to schemas 4 and 5 are planned after that
        // rewrite.)
        let planned = if found == 1 {
            let values = v1::check_values(engine)?;
            tracing::info!(values, "schema 1 values readable; rewriting them");
            None
        } else {
            Some((v3::plan(engine)?, v4::plan(engine)?, v5::plan(engine)?))
        };
        // Recovery has just completed the last commit; its record holds
        // values in the old encoding and would write them again at the
        // next open, over the rewritten ones.
        engine.remove(keys::JOURNAL)?;
        if found == 1 {
            let rewritten = v1::rewrite_values(engine)?;
            let paged = v1::page_single_notifications(engine)?;
            tracing::info!(rewritten, paged, "schema 1 values rewritten");
        }
        let (to_4, to_5, to_6) = match planned {
            Some(plans) => plans,
            None => (v3::plan(engine)?, v4::plan(engine)?, v5::plan(engine)?),
        };
        let rewritten = v3::rewrite(engine, to_4)?;
        tracing::info!(
            rewritten,
            "cancels given a reason, idempotency keys their customer's"
        );
        let rewritten = v4::rewrite(engine, to_5)?;
        tracing::info!(rewritten, "points histories split by order");
        let rewritten = v5::rewrite(engine, to_6)?;
        tracing::info!(rewritten, "accepts given an empty promise");
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
