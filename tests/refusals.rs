//! Every refusal of checkout: its status, a message that says what is
//! wrong, and nothing charged or stored.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

const STORE: &str = "gangnam-chicken";

/// Nothing was stored for this customer: no order, no MyPage entry.
async fn assert_nothing_for(api: &Api, customer: &str) {
    caught_up(api).await;
    let (_, orders) = api.get(&format!("/orders?customerId={customer}")).await;
    assert_eq!(orders, json!([]), "orders of {customer}");
    let (_, pages) = api.get(&format!("/myPages?customerId={customer}")).await;
    assert_eq!(pages, json!([]), "MyPage of {customer}");
}

fn with(mut body: Value, key: &str, value: Value) -> Value {
    body[key] = value;
    body
}

#[tokio::test]
async fn invalid_orders_are_refused_with_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let api = &server.api;
    let good = order_body("bad", STORE);
    let (menu, _) = demo_dish(STORE);
    let cases: Vec<(Value, u16, &str)> = vec![
        (
            with(good.clone(), "items", json!([{ "menuId": menu, "qty": 0 }])),
            422,
            "qty",
        ),
        (
            with(
                good.clone(),
                "items",
                json!([{ "menuId": menu, "qty": 1_000_000_000_000u64 }]),
            ),
            422,
            "qty",
        ),
        (
            with(
                good.clone(),
                "items",
                json!([{ "menuId": menu, "qty": -1 }]),
            ),
            422,
            "does not fit",
        ),
        (
            with(good.clone(), "items", json!([])),
            422,
            "at least one menu item",
        ),
        (
            with(good.clone(), "address", json!("어딘가 아무데나 1")),
            422,
            "names no district",
        ),
        (with(good.clone(), "address", json!("")), 422, "address"),
        (
            with(good.clone(), "address", json!("강남구 ".repeat(2000))),
            422,
            "address",
        ),
        (
            with(good.clone(), "customerId", json!(42)),
            422,
            "does not fit",
        ),
        (
            with(good.clone(), "surprise", json!(true)),
            422,
            "unknown field",
        ),
        (with(good.clone(), "lat", json!(37.5)), 422, "together"),
        (
            with(good.clone(), "storeId", json!("no-such-store")),
            404,
            "store \"no-such-store\" does not exist",
        ),
        (
            with(
                good.clone(),
                "items",
                json!([{ "menuId": "pizza", "qty": 1 }]),
            ),
            404,
            "no menu item \"pizza\"",
        ),
        (
            with(good.clone(), "storeId", json!("dobong-baekban")),
            409,
            "closed",
        ),
        (with(good.clone(), "couponId", json!("FREE")), 409, "coupon"),
    ];
    for (body, expected, needle) in cases {
        let (status, problem) = api.post("/orders", body.clone()).await;
        assert_problem(status, &problem, expected, needle);
    }
    assert_nothing_for(api, "bad").await;
}

#[tokio::test]
async fn malformed_bodies_and_wrong_content_types() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let api = &server.api;
    let (status, body) = api
        .post_raw("/orders", "application/json", "{\"customerId\": ")
        .await;
    assert_problem(status, &body, 400, "not valid JSON");
    let (status, body) = api
        .post_raw("/orders", "application/json", "{\"customerId\" \"kim\"}")
        .await;
    assert_problem(status, &body, 400, "not valid JSON");
    let (status, body) = api
        .post_raw(
            "/orders",
            "text/plain",
            order_body("bad", STORE).to_string(),
        )
        .await;
    assert_problem(status, &body, 415, "Content-Type: application/json");
    let (status, body) = api
        .post_raw("/orders", "application/json", vec![0xffu8, 0xfe, 0x7b])
        .await;
    assert!(status == StatusCode::BAD_REQUEST, "{status} {body}");
    let huge = format!("{{\"customerId\": \"{}\"}}", "x".repeat(100_000));
    let (status, body) = api.post_raw("/orders", "application/json", huge).await;
    assert_problem(status, &body, 413, "at most");
    assert_nothing_for(api, "bad").await;
    assert_nothing_for(api, &"x".repeat(64)).await;
}

#[tokio::test]
async fn problems_are_problem_json() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let res = server
        .api
        .request(reqwest::Method::GET, "/orders/424242", None)
        .await
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["title"], "Not Found");
    assert_eq!(body["detail"], "order 424242 does not exist");
    let (status, body) = server.api.get("/orders/not-a-number").await;
    assert_problem(status, &body, 404, "no such resource");
    let (status, body) = server.api.get("/orders").await;
    assert_problem(status, &body, 422, "customerId");
}

#[tokio::test]
async fn concurrent_requests_for_what_does_not_exist_are_all_404() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let api = &server.api;
    let body = with(order_body("ghost", STORE), "storeId", json!("nope"));
    let orders = (0..8).map(|_| api.post("/orders", body.clone()));
    for (status, problem) in futures_util::future::join_all(orders).await {
        assert_problem(status, &problem, 404, "store \"nope\" does not exist");
    }
    let cancels = (0..8).map(|_| api.post_empty("/orders/999999/cancel"));
    for (status, problem) in futures_util::future::join_all(cancels).await {
        assert_problem(status, &problem, 404, "order 999999 does not exist");
    }
    // An order placed afterwards is not disturbed by the lingering actors.
    api.place("ghost", STORE).await;
}

#[tokio::test]
async fn a_declined_payment_leaves_no_order_and_no_charge() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &["--sandbox-decline-over", "50000"]);
    let api = &server.api;
    let (menu, address) = demo_dish(STORE);
    let body = json!({ "customerId": "poor", "storeId": STORE, "items": [{ "menuId": menu, "qty": 5 }], "address": address });
    let log_before = api.get("/health").await.1["logSequence"].clone();
    let (status, problem) = api.post("/orders", body).await;
    assert_problem(status, &problem, 402, "declined");
    assert_nothing_for(api, "poor").await;
    // The refused attempt left its declined payment record (the first id of
    // a new database), no order event and no charge at the gateway.
    // One event: the checkout was abandoned (it gives back what it reserved).
    let log_after = api.get("/health").await.1["logSequence"].as_u64().unwrap();
    assert_eq!(log_after, log_before.as_u64().unwrap() + 1);
    let (_, payment) = api.get("/payments/1").await;
    assert_eq!(payment["customerId"], "poor");
    assert_eq!(payment["status"], "Declined");
    assert!(payment["approvedAt"].is_null());
    // A smaller order of the same customer goes through.
    let ok = api.place("poor", STORE).await;
    assert_eq!(ok["status"], "Placed");
    let (_, health) = api.get("/health").await;
    assert!(health["logSequence"].as_u64() > log_before.as_u64());
}

#[tokio::test]
async fn a_reject_or_cancel_without_a_known_code_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let api = &server.api;
    let id = api.place("kim", STORE).await["id"].as_u64().unwrap();
    let long_note = "가".repeat(201);
    for (path, body, needle) in [
        (
            "reject",
            json!({ "reason": "재료 소진 http://spam.example" }),
            "must be one of SOLD_OUT",
        ),
        (
            "reject",
            json!({ "reason": "SOLD_OUT", "note": long_note }),
            "note",
        ),
        ("reject", json!({}), "reason"),
    ] {
        let (status, answer) = api.post(&format!("/foodCookings/{id}/{path}"), body).await;
        assert_problem(status, &answer, 422, needle);
    }
    for (body, needle) in [
        (json!({ "reason": "BORED" }), "must be one of CHANGED_MIND"),
        (json!({ "reason": "OTHER", "note": long_note }), "note"),
    ] {
        let (status, answer) = api.post(&format!("/orders/{id}/cancel"), body).await;
        assert_problem(status, &answer, 422, needle);
    }
    let (status, answer) = api
        .post_raw(
            &format!("/orders/{id}/cancel"),
            "application/json",
            "{not json",
        )
        .await;
    assert_problem(status, &answer, 400, "not valid JSON");
    let (_, order) = api.get(&format!("/orders/{id}")).await;
    assert_eq!(order["status"], "Placed");
}
