//! A crash between the gateway's approval and the order's placement: on
//! restart the pending payment is settled from the gateway's record, so the
//! charge becomes an order, once.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn an_approved_charge_interrupted_by_a_crash_becomes_an_order() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(
        dir.path(),
        &["--chaos", "--breaker-call-timeout-ms", "60000"],
    );
    let api = server.api.clone();
    // The gateway approves at once but its answer takes a minute to arrive.
    api.post("/admin/chaos/payment", json!({ "latencyMs": 60000 }))
        .await;
    let customer = tokio::spawn({
        let api = api.clone();
        async move {
            api.post("/orders", order_body("crashed", "gangnam-chicken"))
                .await
        }
    });
    eventually("the gateway to have charged", || async {
        (api.get("/admin/chaos/payment/charges/1").await.0 == StatusCode::OK).then_some(())
    })
    .await;
    assert_eq!(api.get("/payments/1").await.1["status"], "Pending");
    server.kill();
    assert!(customer.await.is_err(), "the customer never got an answer");

    let server = Server::start(dir.path(), &["--chaos"]);
    let api = &server.api;
    let order = await_field(api, "/orders/1", "status", "Placed").await;
    assert_eq!(order["customerId"], "crashed");
    let payment = await_field(api, "/payments/1", "status", "Approved").await;
    assert_eq!(payment["amount"], order["amount"]);
    let (_, charge) = api.get("/admin/chaos/payment/charges/1").await;
    assert_eq!(payment["transactionId"], charge["transactionId"]);
    assert_eq!(charge["refunded"], false);
    let (_, mine) = api.get("/orders?customerId=crashed").await;
    assert_eq!(mine.as_array().unwrap().len(), 1, "one charge, one order");
    // The order carries on like any other.
    api.advance(1, "r", "Completed").await;
}

#[tokio::test]
async fn a_charge_whose_order_could_not_be_placed_is_refunded() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &["--chaos"]);
    let api = server.api.clone();
    api.post("/admin/chaos/payment", json!({ "latencyMs": 300 }))
        .await;
    let customer = tokio::spawn({
        let api = api.clone();
        async move {
            api.post("/orders", order_body("unlucky", "gangnam-chicken"))
                .await
        }
    });
    eventually("the gateway to have charged", || async {
        (api.get("/admin/chaos/payment/charges/1").await.0 == StatusCode::OK).then_some(())
    })
    .await;
    // The order's actor fails while the approval is on its way back.
    api.post("/admin/chaos/panic", json!({ "kind": "order", "id": "1" }))
        .await;
    let (status, body) = customer.await.unwrap();
    assert_problem(status, &body, 503, "the charge will be refunded");
    api.post("/admin/chaos/payment", json!({ "latencyMs": 0 }))
        .await;
    await_field(&api, "/payments/1", "status", "Refunded").await;
    let (_, charge) = api.get("/admin/chaos/payment/charges/1").await;
    assert_eq!(charge["refunded"], true);
    assert_eq!(api.get("/orders/1").await.0, StatusCode::NOT_FOUND);
    assert_eq!(api.get("/orders?customerId=unlucky").await.1, json!([]));
}
