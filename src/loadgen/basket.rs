//! What a load generator's customer orders: the stores as the server lists
//! them, and a basket that meets the store's minimum order, with options
//! chosen as each dish's groups allow (every required one, an optional one
//! now and then), sometimes with notes for the store and the rider,
//! delivered within a kilometre or so of the store (inside every demo
//! store's radius).

use serde::Deserialize;
use serde_json::{json, Value};

/// A store to order from, with what a basket needs of it.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Store {
    pub id: String,
    pub address: String,
    pub lat: f64,
    pub lon: f64,
    pub open: bool,
    #[serde(default)]
    pub menu: Vec<MenuItem>,
    #[serde(default)]
    pub delivery: Delivery,
    #[serde(default)]
    pub kitchen: Kitchen,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MenuItem {
    pub id: String,
    #[serde(default)]
    pub price: u64,
    #[serde(default)]
    pub option_groups: Vec<OptionGroup>,
}

/// A dish's option group: at least `min`, at most `max` of its choices.
#[derive(Clone, Debug, Deserialize)]
pub struct OptionGroup {
    pub id: String,
    pub min: usize,
    pub max: usize,
    pub choices: Vec<Choice>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Choice {
    pub id: String,
}

/// Options for `dish`: `min` of each group, or up to `max` one time in two.
fn options(dish: &MenuItem, rng: &mut fastrand::Rng) -> Vec<Value> {
    let mut chosen = Vec::new();
    for group in &dish.option_groups {
        let n = if rng.bool() {
            rng.usize(group.min..=group.max.min(group.choices.len()))
        } else {
            group.min
        };
        let mut choices: Vec<&Choice> = group.choices.iter().collect();
        rng.shuffle(&mut choices);
        for c in choices.into_iter().take(n) {
            chosen.push(json!({ "group": group.id, "choice": c.id }));
        }
    }
    chosen
}

/// The part of a store's delivery terms a basket must meet.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    #[serde(default)]
    pub min_order_won: u64,
}

/// Whether the store accepts by itself (then nobody else may).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Kitchen {
    #[serde(default)]
    pub auto_accept: bool,
}

/// Notes customers leave, one in three orders each.
const STORE_NOTES: [&str; 3] = ["덜 맵게 해 주세요", "수저는 빼 주세요", "소스 많이 주세요"];
const RIDER_NOTES: [&str; 3] = [
    "문 앞에 두고 벨 눌러주세요",
    "도착하면 전화 주세요",
    "경비실에 맡겨 주세요",
];

/// The body of `POST /orders`: one or two dishes, at least the store's
/// minimum (a dish's quantity raised to reach it, at most 99).
pub fn order_body(store: &Store, rng: &mut fastrand::Rng) -> Value {
    let first = &store.menu[rng.usize(0..store.menu.len())];
    let second = &store.menu[rng.usize(0..store.menu.len())];
    let mut qty = rng.u64(1..4);
    let mut total = first.price * qty
        + if second.id != first.id {
            second.price
        } else {
            0
        };
    while total < store.delivery.min_order_won && qty < 99 && first.price > 0 {
        qty += 1;
        total += first.price;
    }
    let mut items = vec![json!({ "menuId": first.id, "qty": qty, "options": options(first, rng) })];
    if second.id != first.id {
        items.push(json!({ "menuId": second.id, "qty": 1, "options": options(second, rng) }));
    }
    let mut body = json!({
        "storeId": store.id,
        "items": items,
        "address": store.address,
        "lat": store.lat + rng.f64() * 0.02 - 0.01,
        "lon": store.lon + rng.f64() * 0.02 - 0.01,
    });
    if rng.u8(0..3) == 0 {
        body["storeNote"] = json!(STORE_NOTES[rng.usize(0..STORE_NOTES.len())]);
    }
    if rng.u8(0..3) == 0 {
        body["riderNote"] = json!(RIDER_NOTES[rng.usize(0..RIDER_NOTES.len())]);
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(min: u64) -> Store {
        Store {
            id: "s".into(),
            address: "서울 강남구 1".into(),
            lat: 37.5,
            lon: 127.0,
            open: true,
            menu: vec![MenuItem {
                id: "cola".into(),
                price: 2_500,
                option_groups: vec![],
            }],
            delivery: Delivery { min_order_won: min },
            kitchen: Kitchen::default(),
        }
    }

    #[test]
    fn a_basket_reaches_the_minimum() {
        let mut rng = fastrand::Rng::with_seed(7);
        for _ in 0..50 {
            let body = order_body(&store(15_000), &mut rng);
            let qty = body["items"][0]["qty"].as_u64().unwrap();
            assert!(qty * 2_500 >= 15_000, "{body}");
        }
    }
}
