//! The payment gateway failing: no order and no charge at checkout, and
//! refunds retried until the gateway is back.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::json;

const STORE: &str = "gangnam-chicken";

#[tokio::test]
async fn chaos_routes_exist_only_with_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let (status, body) = server
        .api
        .post("/admin/chaos/payment", json!({ "failureRate": 1.0 }))
        .await;
    assert_problem(status, &body, 404, "no route");
    server.api.place("kim", STORE).await;
}

#[tokio::test]
async fn an_unavailable_gateway_is_a_503_with_retry_after_and_no_charge() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &["--chaos"]);
    let api = &server.api;
    let (status, rules) = api
        .post("/admin/chaos/payment", json!({ "failureRate": 1.0 }))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(rules["failureRate"], 1.0);
    let (status, body) = api
        .post("/admin/chaos/payment", json!({ "failureRate": 1.5 }))
        .await;
    assert_problem(status, &body, 422, "failureRate");

    let body = order_body("unlucky", STORE);
    let res = api
        .request(reqwest::Method::POST, "/orders", Some(&body))
        .await
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(res.headers().contains_key("retry-after"));
    let body: serde_json::Value = res.json().await.unwrap();
    assert_problem(StatusCode::SERVICE_UNAVAILABLE, &body, 503, "pay again");
    let (_, orders) = api.get("/orders?customerId=unlucky").await;
    assert_eq!(orders, json!([]));
    // Nothing charged: the gateway has no charge, the payment says why.
    let (status, _) = api.get("/admin/chaos/payment/charges/1").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, payment) = api.get("/payments/1").await;
    assert_eq!(payment["status"], "Failed");
    assert_eq!(payment["customerId"], "unlucky");

    api.post("/admin/chaos/payment", json!({ "failureRate": 0.0 }))
        .await;
    let order = api.place("unlucky", STORE).await;
    assert_eq!(order["status"], "Placed");
}

#[tokio::test]
async fn a_refund_the_gateway_fails_is_retried_until_it_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &["--chaos"]);
    let api = &server.api;
    let id = api.place("kim", STORE).await["id"].as_u64().unwrap();
    api.post("/admin/chaos/payment", json!({ "failureRate": 1.0 }))
        .await;
    let (status, order) = api.post_empty(&format!("/orders/{id}/cancel")).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "a cancel does not wait for the gateway"
    );
    assert_eq!(order["status"], "Canceled");
    // The refund waits in the log while the gateway fails...
    eventually("the refund to be attempted", || async {
        let (_, health) = api.get("/health").await;
        (health["subscriberLag"]["refunds"].as_u64()? > 0 && health["subscriberLag"]["mypage"] == 0)
            .then_some(())
    })
    .await;
    // ... asked for (in the cancel's own commit) and not yet confirmed ...
    let (_, payment) = api.get(&format!("/payments/{id}")).await;
    assert_eq!(payment["status"], "Refunding");
    let refund = &payment["charges"][0]["refunds"][0];
    assert_eq!(refund["amount"], 38_000);
    assert!(refund["refundedAt"].is_null(), "{payment}");
    // ... and made once it is back, once.
    api.post("/admin/chaos/payment", json!({ "failureRate": 0.0 }))
        .await;
    let payment = await_field(api, &format!("/payments/{id}"), "status", "Refunded").await;
    let refunds = payment["charges"][0]["refunds"].as_array().unwrap();
    assert_eq!(refunds.len(), 1);
    assert!(refunds[0]["transactionId"].is_string(), "{payment}");
    let (_, charge) = api.get(&format!("/admin/chaos/payment/charges/{id}")).await;
    assert_eq!(charge["refunded"], true);
}
