//! Schema 4 → 5: a customer's points history moves out of their balance.
//!
//! Until schema 4 `points/<customer>` held the balance and every change of
//! every order (`[customer_id, balance, [[order_id, delta, reason, at],
//! ...]]`): a value that grew with each order and was rewritten whole with
//! each. Since schema 5 it holds `[customer_id, balance]`, and each order's
//! changes are `pointsorder/<customer>\0<order id>` (`[order_id, changes]`,
//! `domain::points::OrderPoints`), in the order they were made.
//!
//! Like schema 4's step it edits values as self-describing MessagePack, reads
//! all it will rewrite before it writes anything, and finds nothing to do
//! when run again (a balance of two fields is done).

use super::super::codec::{decode, encode};
use super::super::{keys, StorageError};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// What the step will write: every key and its new value (the balance's
/// own key last, so that a cut-short run finds it still to do).
type Rewrite = Vec<(Vec<u8>, Vec<u8>)>;

fn unreadable(what: &str, value: &Value) -> StorageError {
    StorageError::Codec(format!("points of an unknown shape ({what}): {value}"))
}

/// The rewrites of one balance of schema 4, or `None` if it is schema 5's.
fn split(key: &[u8], bytes: &[u8]) -> Result<Option<Rewrite>, StorageError> {
    let value: Value = decode(bytes)?;
    let fields = value
        .as_array()
        .ok_or_else(|| unreadable("not an array", &value))?;
    if fields.len() == 2 {
        return Ok(None);
    }
    let [customer, balance, history] = fields.as_slice() else {
        return Err(unreadable("not three fields", &value));
    };
    let customer_id = customer
        .as_str()
        .ok_or_else(|| unreadable("no customer", &value))?;
    let mut by_order: BTreeMap<u64, Vec<Value>> = BTreeMap::new();
    for change in history
        .as_array()
        .ok_or_else(|| unreadable("no history", &value))?
    {
        let order_id = change
            .get(0)
            .and_then(Value::as_u64)
            .ok_or_else(|| unreadable("a change with no order", &value))?;
        by_order.entry(order_id).or_default().push(change.clone());
    }
    let mut rewrite: Rewrite = Vec::new();
    for (order_id, changes) in by_order {
        let order = encode(&json!([order_id, changes]))?;
        rewrite.push((keys::order_points(customer_id, order_id), order));
    }
    rewrite.push((key.to_vec(), encode(&json!([customer, balance]))?));
    Ok(Some(rewrite))
}

/// Everything the step will change, read first.
pub(super) fn plan(engine: &sled::Db) -> Result<Rewrite, StorageError> {
    let mut plan = Vec::new();
    for entry in engine.scan_prefix(keys::POINTS) {
        let (key, bytes) = entry?;
        if let Some(rewrite) = split(&key, &bytes)? {
            plan.extend(rewrite);
        }
    }
    Ok(plan)
}

/// Writes what [`plan`] found. Cut short, the next run redoes what is left
/// (an order's points written again are the same).
pub(super) fn rewrite(engine: &sled::Db, plan: Rewrite) -> Result<usize, StorageError> {
    let n = plan.len();
    for (key, bytes) in plan {
        engine.insert(key, bytes)?;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::points::{OrderPoints, Points, PointsReason};

    #[test]
    fn a_balance_with_its_history_splits_by_order_and_only_once() {
        let old = json!([
            "kim",
            190,
            [
                [7, 380, "Earned", 1],
                [9, 190, "Earned", 2],
                [7, -380, "Revoked", 3]
            ]
        ]);
        let key = keys::points("kim");
        let rewrite = split(&key, &encode(&old).unwrap()).unwrap().unwrap();
        assert_eq!(rewrite.len(), 3);
        let (k7, v7) = &rewrite[0];
        assert_eq!(*k7, keys::order_points("kim", 7));
        let seven: OrderPoints = decode(v7).unwrap();
        assert_eq!(seven.changes.len(), 2);
        assert_eq!(seven.changes[1].reason, PointsReason::Revoked);
        assert_eq!(seven.net(), 0);
        let (last_key, balance) = rewrite.last().unwrap();
        assert_eq!(*last_key, key, "the balance last");
        let balance: Points = decode(balance).unwrap();
        assert_eq!(
            (balance.customer_id.as_str(), balance.balance),
            ("kim", 190)
        );
        let again = encode(&balance).unwrap();
        assert_eq!(split(&key, &again).unwrap(), None, "done once");
    }

    #[test]
    fn points_of_an_unknown_shape_stop_the_step() {
        let odd = encode(&json!(["kim"])).unwrap();
        assert!(split(&keys::points("kim"), &odd).is_err());
    }
}
