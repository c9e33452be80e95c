//! Overload: past the in-flight limit, requests are refused at once with
//! 503 and Retry-After (nothing stored), while health still answers.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn past_the_limit_requests_get_a_quick_503() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &["--chaos", "--max-in-flight", "2"]);
    let api = server.api.clone();
    // Two checkouts hold both slots while the gateway takes its time.
    api.post("/admin/chaos/payment", json!({ "latencyMs": 1000 }))
        .await;
    let holders: Vec<_> = (0..2)
        .map(|i| {
            let api = api.clone();
            tokio::spawn(async move {
                api.post(
                    "/orders",
                    order_body(&format!("holder-{i}"), "gangnam-chicken"),
                )
                .await
            })
        })
        .collect();
    // Health passes admission, so it can watch the slots fill up.
    eventually("both slots to be taken", || async {
        (api.get("/health").await.1["pendingPayments"] == 2).then_some(())
    })
    .await;
    for i in 0..3 {
        let body = order_body(&format!("rush-{i}"), "gangnam-chicken");
        let res = api
            .request(reqwest::Method::POST, "/orders", Some(&body))
            .await
            .send()
            .await
            .unwrap();
        assert!(res.headers().contains_key("retry-after"));
        let status = res.status();
        let body: serde_json::Value = res.json().await.unwrap();
        assert_problem(status, &body, 503, "busy");
        let (status, body) = api.get("/stores").await;
        assert_problem(status, &body, 503, "busy");
    }
    for holder in holders {
        let (status, order) = holder.await.unwrap();
        assert_eq!(status, StatusCode::CREATED, "{order}");
    }
    for i in 0..3 {
        let (_, orders) = api.get(&format!("/orders?customerId=rush-{i}")).await;
        assert_eq!(orders, json!([]), "a refused request stored nothing");
    }
    let (status, _) = api.get("/stores").await;
    assert_eq!(status, StatusCode::OK, "served again once there is room");
}
