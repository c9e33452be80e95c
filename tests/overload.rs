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
    let api = &server.api;
    // Each checkout holds its slot for half a second at the gateway.
    api.post("/admin/chaos/payment", json!({ "latencyMs": 500 }))
        .await;
    let rushes = (0..8).map(|i| {
        let api = api.clone();
        async move {
            let res = reqwest::Client::new()
                .post(format!("{}/orders", api.base))
                .json(&order_body(&format!("rush-{i}"), "gangnam-chicken"))
                .send()
                .await
                .unwrap();
            let retry = res.headers().contains_key("retry-after");
            (
                i,
                res.status(),
                retry,
                res.json::<serde_json::Value>().await.unwrap(),
            )
        }
    });
    let health = async {
        // The server is full, yet its health answers.
        eventually("the server to be full", || async {
            let (status, _) = api.get("/stores").await;
            (status == StatusCode::SERVICE_UNAVAILABLE).then_some(())
        })
        .await;
        api.get("/health").await.0
    };
    let (answers, health) = tokio::join!(futures_util::future::join_all(rushes), health);
    assert_eq!(health, StatusCode::OK);
    let (placed, refused): (Vec<_>, Vec<_>) =
        answers.iter().partition(|a| a.1 == StatusCode::CREATED);
    assert!(!placed.is_empty() && !refused.is_empty(), "{answers:?}");
    for (i, status, retry, body) in refused {
        assert_problem(*status, body, 503, "busy");
        assert!(retry);
        let (_, orders) = api.get(&format!("/orders?customerId=rush-{i}")).await;
        assert_eq!(orders, json!([]));
    }
}
