//! The circuit breaker around the payment gateway: failures and slow calls
//! open it; while open, checkout fails fast with 503 and Retry-After and
//! charges nothing; trial calls close it again; the rest keeps answering.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

const STORE: &str = "gangnam-chicken";

/// A server whose breaker opens after 4 bad calls and stays open 3 s (long
/// enough that "open" is still open when a loaded machine looks).
fn start(extra: &[&str]) -> (tempfile::TempDir, Server) {
    let dir = tempfile::tempdir().unwrap();
    let mut args = vec![
        "--chaos",
        "--breaker-window",
        "4",
        "--breaker-min-calls",
        "4",
        "--breaker-open-wait-ms",
        "3000",
        "--breaker-half-open-calls",
        "2",
    ];
    args.extend_from_slice(extra);
    let server = Server::start(dir.path(), &args);
    (dir, server)
}

async fn breaker(api: &Api) -> String {
    api.get("/health").await.1["circuitBreaker"]["state"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn await_breaker(api: &Api, state: &str) {
    eventually(&format!("the breaker to be {state}"), || async {
        (breaker(api).await == state).then_some(())
    })
    .await;
}

async fn checkout(api: &Api, customer: &str) -> (StatusCode, Value, Option<String>) {
    let body = order_body(customer, STORE);
    let res = api
        .request(reqwest::Method::POST, "/orders", Some(&body))
        .await
        .send()
        .await
        .unwrap();
    let status = res.status();
    let retry = res
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_string());
    (status, res.json().await.unwrap(), retry)
}

#[tokio::test]
async fn failures_open_it_and_trial_calls_close_it() {
    let (_dir, server) = start(&[]);
    let api = &server.api;
    assert_eq!(breaker(api).await, "closed");
    api.post("/admin/chaos/payment", json!({ "failureRate": 1.0 }))
        .await;
    for _ in 0..4 {
        let (status, body, retry) = checkout(api, "unlucky").await;
        assert_problem(status, &body, 503, "not answering");
        assert!(retry.is_some());
    }
    assert_eq!(breaker(api).await, "open");
    // Open: refused before the gateway is called, with the time to wait.
    let (status, body, retry) = checkout(api, "unlucky").await;
    assert_problem(status, &body, 503, "payment is unavailable right now");
    let wait: u64 = retry.unwrap().parse().unwrap();
    assert!((1..=3).contains(&wait), "Retry-After {wait}");
    let (status, _) = api.get("/payments/5").await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "refused before any payment was recorded"
    );
    assert_eq!(api.get("/orders?customerId=unlucky").await.1, json!([]));
    let (_, health) = api.get("/health").await;
    assert_eq!(health["circuitBreaker"]["timesOpened"], 1);
    let metrics = api.text("/metrics").await;
    assert!(
        metrics.contains("baedal_payment_breaker_state{state=\"open\"} 1"),
        "{metrics}"
    );

    // The gateway recovers; after the wait, two trial calls close it.
    api.post("/admin/chaos/payment", json!({ "failureRate": 0.0 }))
        .await;
    await_breaker(api, "half-open").await;
    for _ in 0..2 {
        let (status, body, _) = checkout(api, "lucky").await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    assert_eq!(breaker(api).await, "closed");
}

#[tokio::test]
async fn a_failed_trial_opens_it_again() {
    let (_dir, server) = start(&[]);
    let api = &server.api;
    api.post("/admin/chaos/payment", json!({ "failureRate": 1.0 }))
        .await;
    for _ in 0..4 {
        checkout(api, "x").await;
    }
    await_breaker(api, "half-open").await;
    let (status, body, _) = checkout(api, "x").await;
    assert_problem(status, &body, 503, "not answering");
    assert_eq!(breaker(api).await, "open");
    assert_eq!(
        api.get("/health").await.1["circuitBreaker"]["timesOpened"],
        2
    );
}

#[tokio::test]
async fn slow_calls_open_it() {
    let (_dir, server) = start(&["--breaker-slow-call-ms", "50"]);
    let api = &server.api;
    api.post("/admin/chaos/payment", json!({ "latencyMs": 80 }))
        .await;
    for _ in 0..4 {
        let (status, body, _) = checkout(api, "patient").await;
        assert_eq!(status, StatusCode::CREATED, "slow but approved: {body}");
    }
    assert_eq!(breaker(api).await, "open");
    let (status, body, _) = checkout(api, "patient").await;
    assert_problem(status, &body, 503, "please pay again");
}

#[tokio::test]
async fn a_timed_out_charge_is_refunded_not_turned_into_an_order() {
    let (_dir, server) = start(&["--breaker-call-timeout-ms", "100"]);
    let api = &server.api;
    // The gateway records the charge, then answers too late.
    api.post("/admin/chaos/payment", json!({ "latencyMs": 1000 }))
        .await;
    let (status, body, _) = checkout(api, "timeout").await;
    assert_problem(
        status,
        &body,
        503,
        "if you were charged it will be refunded",
    );
    let (status, charge) = api.get("/admin/chaos/payment/charges/1").await;
    assert_eq!(status, StatusCode::OK, "the gateway did charge: {charge}");
    api.post("/admin/chaos/payment", json!({ "latencyMs": 0 }))
        .await;
    let payment = await_field(api, "/payments/1", "status", "Refunded").await;
    assert_eq!(payment["customerId"], "timeout");
    let (_, charge) = api.get("/admin/chaos/payment/charges/1").await;
    assert_eq!(charge["refunded"], true);
    let (status, _) = api.get("/orders/1").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(api.get("/orders?customerId=timeout").await.1, json!([]));
}

#[tokio::test]
async fn the_rest_keeps_answering_while_the_gateway_hangs() {
    let (_dir, server) = start(&["--breaker-call-timeout-ms", "10000"]);
    let api = server.api.clone();
    api.post("/admin/chaos/payment", json!({ "latencyMs": 5000 }))
        .await;
    let hanging = tokio::spawn({
        let api = api.clone();
        async move { checkout(&api, "waiting").await }
    });
    // While that checkout waits on the gateway, everything else answers.
    let id = eventually("the payment to be pending", || async {
        let (status, p) = api.get("/payments/1").await;
        (status == StatusCode::OK && p["status"] == "Pending").then_some(1)
    })
    .await;
    for path in [
        "/stores",
        "/health",
        "/orders?customerId=waiting",
        "/stores/gangnam-chicken",
    ] {
        let (status, _) = api.get(path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
    }
    assert!(
        !hanging.is_finished(),
        "the checkout is still waiting for the gateway"
    );
    let (status, _, _) = hanging.await.unwrap();
    assert_eq!(status, StatusCode::CREATED);
    let (_, order) = api.get(&format!("/orders/{id}")).await;
    assert_eq!(order["status"], "Placed");
}
