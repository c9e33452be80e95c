//! Schema 5 → 6: an accept carries its promise (issue 13). Since schema 6
//! `OrderEvent::Accepted` is `Accepted { cooking_minutes, ready_by,
//! estimated_delivery_at }`; before, it was a bare `Accepted`, which the new
//! type cannot read. Log records (under `log/` and `kitchenq/`) holding one
//! are rewritten with the three left empty: nobody was promised a time.
//!
//! Everything else schema 6 added was appended with defaults (a store's
//! delivery and kitchen terms, an order's fees, deadline, times and notes,
//! the timers under `timer/`), and needs no step. Like [`super::v3`], it
//! edits values as self-describing MessagePack, reads everything before it
//! writes, and finds nothing left to do when run again.

use super::super::codec::{decode, encode};
use super::super::{keys, StorageError};
use super::v3::order_event;
use serde_json::{json, Value};

/// What the step will write: (key, new value).
type Rewrite = (Vec<u8>, Vec<u8>);

/// A log record with a bare `Accepted`, as schema 6 writes it; `None` if it
/// has none.
fn with_empty_promise(bytes: &[u8]) -> Result<Option<Vec<u8>>, StorageError> {
    let mut record: Value = decode(bytes)?;
    match order_event(&mut record) {
        Some(event) if *event == json!("Accepted") => {
            *event = json!({ "Accepted": [null, null, null] });
            Ok(Some(encode(&record)?))
        }
        _ => Ok(None),
    }
}

/// Everything the step will change, read first.
pub(super) fn plan(engine: &sled::Db) -> Result<Vec<Rewrite>, StorageError> {
    let mut plan = Vec::new();
    for prefix in [keys::LOG, keys::KITCHEN_BACKLOG] {
        for entry in engine.scan_prefix(prefix) {
            let (key, bytes) = entry?;
            if let Some(rewritten) = with_empty_promise(&bytes)? {
                plan.push((key.to_vec(), rewritten));
            }
        }
    }
    Ok(plan)
}

/// Writes what [`plan`] found. Cut short, the next run redoes what is left.
pub(super) fn rewrite(engine: &sled::Db, plan: Vec<Rewrite>) -> Result<usize, StorageError> {
    let n = plan.len();
    for (key, bytes) in plan {
        engine.insert(key, bytes)?;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::super::fixture_tests::{copy_fixture, raw_engine};
    use super::*;
    use crate::domain::order::OrderEvent;
    use crate::storage::Db;

    #[test]
    fn older_accepts_read_with_no_promise_and_the_step_is_done_once() {
        let dir = tempfile::tempdir().unwrap();
        copy_fixture("db-v5", dir.path());
        let before = plan(&raw_engine(dir.path())).unwrap().len();
        assert!(before > 0, "the schema 5 fixture has accepted orders");
        let db = Db::open_for_tests(dir.path());
        let accepts: Vec<OrderEvent> = db
            .read_log(0, 100_000)
            .unwrap()
            .into_iter()
            .filter_map(|r| r.event.as_order().map(|o| o.event.clone()))
            .filter(|e| matches!(e, OrderEvent::Accepted { .. }))
            .collect();
        assert!(!accepts.is_empty());
        for event in accepts {
            assert_eq!(
                event,
                OrderEvent::Accepted {
                    cooking_minutes: None,
                    ready_by: None,
                    estimated_delivery_at: None
                }
            );
        }
        drop(db);
        assert_eq!(plan(&raw_engine(dir.path())).unwrap().len(), 0);
    }
}
