//! Limits per order: its total (`--max-order-won`) and how often it may be
//! revised (`--max-revisions`). Each refusal charges nothing and changes
//! nothing.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

const STORE: &str = "gangnam-chicken";

/// `qty` of the store's first dish (19,000 won each).
fn order_of(qty: u64) -> Value {
    let mut body = order_body("kim", STORE);
    body["items"][0]["qty"] = json!(qty);
    body
}

fn items(qty: u64) -> Value {
    let (menu, _) = demo_dish(STORE);
    json!({ "items": [{ "menuId": menu, "qty": qty }] })
}

#[tokio::test]
async fn an_order_over_the_total_limit_is_refused_and_nothing_is_charged() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &["--chaos", "--max-order-won", "50000"]);
    let api = &server.api;
    let (status, body) = api.post("/orders", order_of(3)).await;
    assert_problem(status, &body, 422, "at most 50000 won");
    let (_, orders) = api.get("/orders?customerId=kim").await;
    assert_eq!(orders, json!([]));
    let (_, charges) = api.get("/admin/chaos/payment/charges").await;
    assert_eq!(charges, json!([]), "nothing charged");

    // Under the limit it goes through; a revision over it is refused.
    let (status, placed) = api.post("/orders", order_of(2)).await;
    assert_eq!(status, StatusCode::CREATED, "{placed}");
    let id = placed["id"].as_u64().unwrap();
    let (status, body) = api.post(&format!("/orders/{id}/revise"), items(3)).await;
    assert_problem(status, &body, 422, "at most 50000 won");
    let (_, after) = api.get(&format!("/orders/{id}")).await;
    assert_eq!(
        (after["amount"].clone(), after["revision"].clone()),
        (json!(38000), json!(0))
    );
    assert!(server.stop().success());
}

#[tokio::test]
async fn an_order_is_revised_at_most_max_revisions_times() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &["--max-revisions", "1"]);
    let api = &server.api;
    let id = api.place("kim", STORE).await["id"].as_u64().unwrap();
    let (status, once) = api.post(&format!("/orders/{id}/revise"), items(1)).await;
    assert_eq!(status, StatusCode::OK, "{once}");
    let (status, body) = api.post(&format!("/orders/{id}/revise"), items(3)).await;
    assert_problem(status, &body, 409, "at most 1 revisions");
    let (_, after) = api.get(&format!("/orders/{id}")).await;
    assert_eq!(after["revision"], 1);
    assert_eq!(
        after["amount"], once["amount"],
        "as the one revision left it"
    );
    assert!(server.stop().success());
}
