//! `Idempotency-Key` on `POST /orders`: the same key returns the first
//! answer and charges once, also after a restart; another body is refused.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::json;

const STORE: &str = "gangnam-chicken";

#[tokio::test]
async fn the_same_key_returns_the_first_order_and_charges_once() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &["--chaos"]);
    let api = &server.api;
    let body = order_body("kim", STORE);
    let (status, first) = api.post_keyed("key-1", body.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let (status, again) = api.post_keyed("key-1", body.clone()).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(again["id"], first["id"]);

    // Eight retries at once: one order still.
    let retries = (0..8).map(|_| api.post_keyed("key-2", body.clone()));
    let answers = futures_util::future::join_all(retries).await;
    let ids: std::collections::HashSet<u64> = answers
        .iter()
        .map(|(s, o)| {
            assert_eq!(*s, StatusCode::CREATED, "{o}");
            o["id"].as_u64().unwrap()
        })
        .collect();
    assert_eq!(ids.len(), 1, "{answers:?}");
    let (_, mine) = api.get("/orders?customerId=kim").await;
    assert_eq!(mine.as_array().unwrap().len(), 2, "two keys, two orders");
    for order in mine.as_array().unwrap() {
        let (status, charge) = api
            .get(&format!("/admin/chaos/payment/charges/{}", order["id"]))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(charge["amount"], order["amount"]);
    }

    // Without a key, the same body is a new order.
    api.place("kim", STORE).await;
    assert_eq!(
        api.get("/orders?customerId=kim")
            .await
            .1
            .as_array()
            .unwrap()
            .len(),
        3
    );
}

#[tokio::test]
async fn the_same_key_with_another_body_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let api = &server.api;
    let (status, first) = api.post_keyed("k", order_body("kim", STORE)).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, body) = api
        .post_keyed("k", order_body("kim", "mangwon-ramen"))
        .await;
    assert_problem(status, &body, 422, "already used for a different order");
    assert!(body["detail"]
        .as_str()
        .unwrap()
        .contains(&first["id"].to_string()));
    let (status, body) = api
        .post_keyed(&"x".repeat(256), order_body("kim", STORE))
        .await;
    assert_problem(status, &body, 422, "Idempotency-Key");
    let (status, body) = api.post_keyed("has space", order_body("kim", STORE)).await;
    assert_problem(status, &body, 422, "Idempotency-Key");
    assert_eq!(
        api.get("/orders?customerId=kim")
            .await
            .1
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn a_key_is_remembered_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let (_, first) = server
        .api
        .post_keyed("survivor", order_body("kim", STORE))
        .await;
    assert!(server.stop().success());
    let server = Server::start(dir.path(), &[]);
    let (status, again) = server
        .api
        .post_keyed("survivor", order_body("kim", STORE))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(again["id"], first["id"]);
    assert_eq!(
        server
            .api
            .get("/orders?customerId=kim")
            .await
            .1
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn a_declined_key_stays_declined_and_a_failed_one_may_pay_again() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(
        dir.path(),
        &["--chaos", "--sandbox-decline-prefix", "broke-"],
    );
    let api = &server.api;
    let (status, body) = api.post_keyed("d", order_body("broke-lee", STORE)).await;
    assert_problem(status, &body, 402, "declined");
    let (status, body) = api.post_keyed("d", order_body("broke-lee", STORE)).await;
    assert_problem(status, &body, 402, "declined");

    api.post("/admin/chaos/payment", json!({ "failureRate": 1.0 }))
        .await;
    let (status, body) = api.post_keyed("f", order_body("kim", STORE)).await;
    assert_problem(status, &body, 503, "nothing was charged");
    api.post("/admin/chaos/payment", json!({ "failureRate": 0.0 }))
        .await;
    let (status, order) = api.post_keyed("f", order_body("kim", STORE)).await;
    assert_eq!(status, StatusCode::CREATED, "{order}");
    let (status, again) = api.post_keyed("f", order_body("kim", STORE)).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(again["id"], order["id"]);
}

#[tokio::test]
async fn a_key_is_its_customers_own() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let api = &server.api;
    let (status, kims) = api.post_keyed("shared-key", order_body("kim", STORE)).await;
    assert_eq!(status, StatusCode::CREATED, "{kims}");
    // lee picks the same key for another order: not a replay of kim's, not
    // a refusal naming it: lee's own checkout.
    let mut lees_body = order_body("lee", STORE);
    lees_body["items"][0]["qty"] = json!(1);
    let (status, lees) = api.post_keyed("shared-key", lees_body.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{lees}");
    assert_ne!(lees["id"], kims["id"]);
    assert_eq!(lees["customerId"], "lee");
    assert!(!lees.to_string().contains(&format!("order {}", kims["id"])));
    // And each still replays their own.
    let (_, again) = api.post_keyed("shared-key", lees_body).await;
    assert_eq!(again["id"], lees["id"]);
}
