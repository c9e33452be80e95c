//! Schema 3 → 4, two changes old values cannot be read into:
//!
//! - a canceled order's event was a bare `Canceled`; since schema 4 it is
//!   `Canceled { code, note }` (a reason code, issue 11). Log records (under
//!   `log/` and `kitchenq/`) holding one are rewritten with no code and no
//!   note;
//! - an `Idempotency-Key` was global (`idem/<key>`), so one customer's key
//!   could meet another's; since schema 4 it is the customer's own
//!   (`idem/<customer>\0<key>`), the customer read from the record.
//!
//! Both work on values as self-describing MessagePack (`serde_json::Value`)
//! rather than frozen copies of the types: what changes is one spot of each
//! value, and everything else is copied as it was. Like every step, it reads
//! all it will rewrite before it writes anything, and running it again
//! finds nothing left to do.

use super::super::codec::{decode, encode};
use super::super::{keys, StorageError};
use serde_json::{json, Value};

/// What the step will write: (old key, new key, new value).
type Rewrite = (Vec<u8>, Vec<u8>, Vec<u8>);

/// The order event inside a log record, if it is one (also schema 6's
/// step's).
pub(super) fn order_event(record: &mut Value) -> Option<&mut Value> {
    // A record is [seq, at, event, by]; an order's event is
    // {"Order": [order_id, customer_id, store_id, event]}.
    record.get_mut(2)?.get_mut("Order")?.get_mut(3)
}

/// A log record with a bare `Canceled`, as schema 4 writes it; `None` if
/// it has none.
fn with_cancel_reason(bytes: &[u8]) -> Result<Option<Vec<u8>>, StorageError> {
    let mut record: Value = decode(bytes)?;
    match order_event(&mut record) {
        Some(event) if *event == json!("Canceled") => {
            *event = json!({ "Canceled": [null, null] });
            Ok(Some(encode(&record)?))
        }
        _ => Ok(None),
    }
}

/// The customer an idempotency record names.
fn customer_of(bytes: &[u8]) -> Result<String, StorageError> {
    // A record is [request, order_id]; a request starts with customer_id.
    let record: Value = decode(bytes)?;
    record
        .get(0)
        .and_then(|request| request.get(0))
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| {
            StorageError::Codec(format!("an idempotency record with no customer: {record}"))
        })
}

/// Everything the step will change, read first.
pub(super) fn plan(engine: &sled::Db) -> Result<Vec<Rewrite>, StorageError> {
    let mut plan = Vec::new();
    for prefix in [keys::LOG, keys::KITCHEN_BACKLOG] {
        for entry in engine.scan_prefix(prefix) {
            let (key, bytes) = entry?;
            if let Some(rewritten) = with_cancel_reason(&bytes)? {
                plan.push((key.to_vec(), key.to_vec(), rewritten));
            }
        }
    }
    for entry in engine.scan_prefix(keys::IDEMPOTENCY) {
        let (key, bytes) = entry?;
        let rest = &key[keys::IDEMPOTENCY.len()..];
        // Already a customer's (`customer\0key`): an earlier run moved it.
        if rest.contains(&0) {
            continue;
        }
        let customer = customer_of(&bytes)?;
        let idem = String::from_utf8_lossy(rest);
        plan.push((
            key.to_vec(),
            keys::idempotency(&customer, &idem),
            bytes.to_vec(),
        ));
    }
    Ok(plan)
}

/// Writes what [`plan`] found: the new value (under its new key), then the
/// old key removed if it moved. Cut short, the next run redoes what is left.
pub(super) fn rewrite(engine: &sled::Db, plan: Vec<Rewrite>) -> Result<usize, StorageError> {
    let n = plan.len();
    for (old, new, bytes) in plan {
        engine.insert(&new, bytes)?;
        if old != new {
            engine.remove(&old)?;
        }
    }
    Ok(n)
}

#[cfg(test)]
#[path = "v3_tests.rs"]
mod tests;
