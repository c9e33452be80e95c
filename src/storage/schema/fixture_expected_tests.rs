//! What each fixture's values are once upgraded: the JSON its release
//! read (`<name>.expected.json`), changed as each step since says.

use super::super::keys;
use super::{fixture, hex};

/// The values fixture `name` held, read by the release that wrote it, as
/// JSON by key (hex): `<name>.expected.json`; each as the upgrades since
/// say it now is ([`as_since_schema_4`] and after).
pub(super) fn expected_values(name: &str) -> serde_json::Map<String, serde_json::Value> {
    let text = std::fs::read_to_string(fixture(&format!("{name}.expected.json"))).unwrap();
    let read: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&text).unwrap();
    read.into_iter()
        .flat_map(|(key, value)| {
            let bytes: Vec<u8> = (0..key.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&key[i..i + 2], 16).unwrap())
                .collect();
            let (key, value) = as_since_schema_4(bytes, value);
            as_since_schema_5(key, value)
                .into_iter()
                .map(|(key, value)| (hex(&key), as_since_schema_6(&key, value)))
        })
        .collect()
}

/// What schema 5's step (`v4`) makes of a value read before it: a
/// customer's points lose their history, which becomes one value per order.
fn as_since_schema_5(key: Vec<u8>, value: serde_json::Value) -> Vec<(Vec<u8>, serde_json::Value)> {
    use serde_json::json;
    // Schema 5's own balances have no history to split.
    if !key.starts_with(keys::POINTS) || value.get("history").is_none() {
        return vec![(key, value)];
    }
    let customer = value["customerId"].as_str().unwrap().to_string();
    let mut by_order: std::collections::BTreeMap<u64, Vec<serde_json::Value>> = Default::default();
    for change in value["history"].as_array().unwrap() {
        let order = change["orderId"].as_u64().unwrap();
        by_order.entry(order).or_default().push(change.clone());
    }
    let mut out: Vec<(Vec<u8>, serde_json::Value)> = by_order
        .into_iter()
        .map(|(order, changes)| {
            let value = json!({ "orderId": order, "changes": changes });
            (keys::order_points(&customer, order), value)
        })
        .collect();
    let balance = json!({ "customerId": customer, "balance": value["balance"] });
    out.push((key, balance));
    out
}

/// What schema 4's step (`v3`) makes of a value read before it: a bare
/// `Canceled` gains an empty reason, and an idempotency key moves under its
/// customer.
fn as_since_schema_4(key: Vec<u8>, mut value: serde_json::Value) -> (Vec<u8>, serde_json::Value) {
    use serde_json::json;
    if key.starts_with(keys::LOG) || key.starts_with(keys::KITCHEN_BACKLOG) {
        if let Some(event) = value.pointer_mut("/event/Order/event") {
            if *event == json!("Canceled") {
                *event = json!({ "Canceled": { "code": null, "note": null } });
            }
        }
    }
    if key.starts_with(keys::IDEMPOTENCY) && !key.contains(&0) {
        let customer = value["request"]["customerId"].as_str().unwrap().to_string();
        let idem = String::from_utf8_lossy(&key[keys::IDEMPOTENCY.len()..]).into_owned();
        return (keys::idempotency(&customer, &idem), value);
    }
    (key, value)
}

/// What schema 6's step (`v5`) makes of a value read before it: a bare
/// `Accepted` gains an empty promise.
fn as_since_schema_6(key: &[u8], mut value: serde_json::Value) -> serde_json::Value {
    use serde_json::json;
    if key.starts_with(keys::LOG) || key.starts_with(keys::KITCHEN_BACKLOG) {
        if let Some(event) = value.pointer_mut("/event/Order/event") {
            if *event == json!("Accepted") {
                *event = json!({ "Accepted": {
                    "cooking_minutes": null, "ready_by": null, "estimated_delivery_at": null
                } });
            }
        }
    }
    value
}
