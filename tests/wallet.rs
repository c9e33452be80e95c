//! The customer's wallet (points) and the store owner's open flag, checked
//! across a restart.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::json;

const STORE: &str = "gangnam-chicken";

#[tokio::test]
async fn points_are_earned_on_placement_and_revoked_on_refund() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let api = &server.api;
    let (_, none) = api.get("/points/kim").await;
    assert_eq!(
        none,
        json!({ "customerId": "kim", "balance": 0, "history": [] })
    );
    let kept = api.place("kim", STORE).await;
    let canceled = api.place("kim", STORE).await;
    let amount = kept["amount"].as_u64().unwrap();
    assert_eq!(
        api.post_empty(&format!("/orders/{}/cancel", canceled["id"]))
            .await
            .0,
        StatusCode::OK
    );
    caught_up(api).await;
    let (_, points) = api.get("/points/kim").await;
    assert_eq!(points["balance"], amount / 100);
    let deltas: Vec<(u64, i64, String)> = points["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["orderId"].as_u64().unwrap(),
                c["delta"].as_i64().unwrap(),
                c["reason"].as_str().unwrap().into(),
            )
        })
        .collect();
    let (k, c) = (
        kept["id"].as_u64().unwrap(),
        canceled["id"].as_u64().unwrap(),
    );
    let earned = (amount / 100) as i64;
    assert_eq!(
        deltas,
        vec![
            (k, earned, "Earned".into()),
            (c, earned, "Earned".into()),
            (c, -earned, "Revoked".into())
        ]
    );

    assert!(server.stop().success());
    let server = Server::start(dir.path(), &[]);
    caught_up(&server.api).await;
    assert_eq!(
        server.api.get("/points/kim").await.1,
        points,
        "the same after a restart"
    );
    let (status, body) = server.api.get(&format!("/points/{}", "x".repeat(65))).await;
    assert_problem(status, &body, 422, "customerId");
}

#[tokio::test]
async fn a_closed_store_refuses_checkout_before_any_charge() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let api = &server.api;
    let (status, store) = api
        .put(&format!("/stores/{STORE}/open"), json!({ "open": false }))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(store["open"], false);
    let log = api.get("/health").await.1["logSequence"].clone();
    let (status, body) = api.post("/orders", order_body("kim", STORE)).await;
    assert_problem(status, &body, 409, "closed");
    assert_eq!(
        api.get("/health").await.1["logSequence"],
        log,
        "nothing logged"
    );
    let (status, _) = api.get("/payments/1").await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "no payment was even attempted"
    );
    let (_, stores) = api.get("/stores").await;
    let listed = stores
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == STORE)
        .unwrap()
        .clone();
    assert_eq!(listed["open"], false);

    assert!(server.stop().success());
    let server = Server::start(dir.path(), &[]);
    let api = &server.api;
    let (status, body) = api.post("/orders", order_body("kim", STORE)).await;
    assert_problem(status, &body, 409, "closed");
    let (status, store) = api
        .put(&format!("/stores/{STORE}/open"), json!({ "open": true }))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(store["open"], true);
    api.place("kim", STORE).await;
    let (status, body) = api.put("/stores/nope/open", json!({ "open": true })).await;
    assert_problem(status, &body, 404, "nope");
    let (status, body) = api
        .put(&format!("/stores/{STORE}/open"), json!({ "open": "yes" }))
        .await;
    assert_problem(status, &body, 422, "does not fit");
}
