//! Menu options through the real binary: an order names its choices,
//! checkout checks and prices them, the kitchen ticket shows them, a
//! revision and a quote handle them, and a store sets them.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

const STORE: &str = "gangnam-chicken";

fn start() -> (tempfile::TempDir, Server) {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    (dir, server)
}

/// `qty` fried chicken with `options`, to the store's district.
fn fried(qty: u64, options: Value) -> Value {
    let mut body = order_body("kim", STORE);
    body["items"] = json!([{ "menuId": "fried", "qty": qty, "options": options }]);
    body
}

#[tokio::test]
async fn chosen_options_are_priced_shown_to_the_kitchen_and_revised() {
    let (_dir, server) = start();
    let api = &server.api;
    let boneless_with_cola = json!([
        { "group": "base", "choice": "boneless" },
        { "group": "drink", "choice": "cola" }
    ]);
    let (status, quote) = api
        .post("/orders/quote", fried(2, boneless_with_cola.clone()))
        .await;
    assert_eq!(status, StatusCode::OK, "{quote}");
    assert_eq!(quote["subtotal"], 2 * (19_000 + 2_000 + 2_000));
    let (status, order) = api.post("/orders", fried(2, boneless_with_cola)).await;
    assert_eq!(status, StatusCode::CREATED, "{order}");
    assert_eq!(order["amount"], 46_000);
    let line = &order["items"][0];
    assert_eq!(line["unitPrice"], 19_000);
    assert_eq!(line["options"][0]["name"], "순살 변경");
    assert_eq!(line["options"][1]["price"], 2_000);
    let id = order["id"].as_u64().unwrap();
    caught_up(api).await;
    let (_, ticket) = api.get(&format!("/foodCookings/{id}")).await;
    assert_eq!(
        ticket["items"][0]["options"][0]["choice"], "boneless",
        "{ticket}"
    );
    // Revised to plain fried and one with a cider: two lines, the price follows.
    let revision = json!({ "items": [
        { "menuId": "fried", "qty": 1 },
        { "menuId": "fried", "qty": 1, "options": [{ "group": "drink", "choice": "cider" }] }
    ]});
    let (status, revised) = api.post(&format!("/orders/{id}/revise"), revision).await;
    assert_eq!(status, StatusCode::OK, "{revised}");
    assert_eq!(revised["items"].as_array().unwrap().len(), 2);
    assert_eq!(revised["amount"], 19_000 + 21_000);
    let (_, payment) = api.get(&format!("/payments/{id}")).await;
    assert_eq!(payment["amount"], 40_000);
}

#[tokio::test]
async fn choices_the_dish_does_not_allow_are_refused_and_nothing_is_placed() {
    let (_dir, server) = start();
    let api = &server.api;
    let cases = [
        (
            json!([{ "group": "base", "choice": "wings" }]),
            "has no choice \"wings\"",
        ),
        (
            json!([{ "group": "sauce", "choice": "hot" }]),
            "has no option group \"sauce\"",
        ),
        (
            json!([
                { "group": "base", "choice": "boneless" },
                { "group": "base", "choice": "boneless" }
            ]),
            "twice",
        ),
    ];
    for (options, needle) in cases {
        let (status, body) = api.post("/orders", fried(1, options)).await;
        assert_problem(status, &body, 422, needle);
    }
    // The jokbal takes exactly one sauce.
    let mut jokbal = order_body("kim", "cheonho-jokbal");
    jokbal["items"] = json!([{ "menuId": "jokbal-m", "qty": 1 }]);
    let (status, body) = api.post("/orders", jokbal.clone()).await;
    assert_problem(status, &body, 422, "choose exactly 1 of \"sauce\"");
    let (_, orders) = api.get("/orders?customerId=kim").await;
    assert_eq!(orders, json!([]));
    jokbal["items"][0]["options"] = json!([{ "group": "sauce", "choice": "spicy" }]);
    let (status, body) = api.post("/orders", jokbal).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

#[tokio::test]
async fn a_store_sets_its_option_groups_and_bad_ones_change_nothing() {
    let (_dir, server) = start();
    let api = &server.api;
    let owner = api.as_account("owner-gangnam-chicken", "owner").await;
    let path = format!("/stores/{STORE}/menu/cola");
    let ice = json!([{ "id": "ice", "name": "얼음", "min": 0, "max": 1,
        "choices": [{ "id": "more-ice", "name": "얼음 많이", "price": 0 }] }]);
    let body = json!({ "name": "콜라 1.25L", "price": 2500, "optionGroups": ice });
    let (status, store) = owner.put(&path, body).await;
    assert_eq!(status, StatusCode::OK, "{store}");
    let cola = |store: &Value| {
        store["menu"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == "cola")
            .cloned()
            .unwrap()
    };
    assert_eq!(cola(&store)["optionGroups"][0]["id"], "ice");
    // A new price alone keeps the groups.
    let (_, store) = owner
        .put(&path, json!({ "name": "콜라 1.25L", "price": 3000 }))
        .await;
    assert_eq!(cola(&store)["optionGroups"][0]["id"], "ice");
    let bad = json!([{ "id": "ice", "name": "얼음", "min": 2, "max": 1,
        "choices": [{ "id": "more-ice", "name": "얼음 많이", "price": 0 }] }]);
    let (status, body) = owner
        .put(
            &path,
            json!({ "name": "콜라", "price": 1, "optionGroups": bad }),
        )
        .await;
    assert_problem(status, &body, 422, "min ≤ max");
    let (_, store) = api.get(&format!("/stores/{STORE}")).await;
    assert_eq!(cola(&store)["price"], 3000, "unchanged");
}
