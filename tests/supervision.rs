//! A panic inside an actor: that request answers 500, the actor restarts
//! from its saved state, its next request succeeds, and no other actor
//! notices.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::json;

const STORE: &str = "gangnam-chicken";

#[tokio::test]
async fn a_panicking_order_actor_restarts_from_its_saved_state() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &["--chaos"]);
    let api = &server.api;
    let victim = api.place("kim", STORE).await["id"].as_u64().unwrap();
    let bystander = api.place("lee", STORE).await["id"].as_u64().unwrap();
    let before = api.advance(victim, "r", "Accepted").await;

    let (status, _) = api
        .post(
            "/admin/chaos/panic",
            json!({ "kind": "order", "id": victim.to_string() }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = api
        .post_empty(&format!("/foodCookings/{victim}/start"))
        .await;
    assert_problem(status, &body, 500, "restarted from its saved state");
    assert_eq!(
        api.get(&format!("/orders/{victim}")).await.1,
        before,
        "nothing changed"
    );

    // The other order never noticed; the victim carries on.
    api.advance(bystander, "r", "Completed").await;
    let after = api.advance(victim, "r", "Completed").await;
    assert_eq!(after["history"].as_array().unwrap().len(), 7);

    // Panics in a row back off, and each is counted.
    for _ in 0..3 {
        api.post(
            "/admin/chaos/panic",
            json!({ "kind": "order", "id": victim.to_string() }),
        )
        .await;
        let (status, _) = api.post_empty(&format!("/orders/{victim}/confirm")).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    }
    let (status, body) = api.post_empty(&format!("/orders/{victim}/confirm")).await;
    assert_problem(status, &body, 409, "already Completed");
    let metrics = api.text("/metrics").await;
    assert!(
        metrics.contains("baedal_actor_restarts_total{kind=\"order\"} 4"),
        "{metrics}"
    );
    assert!(server
        .log()
        .contains("actor panicked; restarting from its saved state"));
}

#[tokio::test]
async fn a_panicking_store_or_rider_actor_restarts_too() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &["--chaos"]);
    let api = &server.api;
    api.post(
        "/admin/chaos/panic",
        json!({ "kind": "store", "id": STORE }),
    )
    .await;
    let (status, body) = api.post("/orders", order_body("kim", STORE)).await;
    assert_problem(status, &body, 500, "store gangnam-chicken failed");
    assert_eq!(
        api.get("/orders?customerId=kim").await.1,
        json!([]),
        "no order, no charge"
    );
    let id = api.place("kim", STORE).await["id"].as_u64().unwrap();
    api.advance(id, "r", "Cooked").await;

    api.post(
        "/admin/chaos/panic",
        json!({ "kind": "rider", "id": "clumsy" }),
    )
    .await;
    let (status, _) = api
        .post(
            &format!("/deliveries/{id}/pick"),
            json!({ "riderId": "clumsy" }),
        )
        .await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    let (status, body) = api
        .post(
            &format!("/deliveries/{id}/pick"),
            json!({ "riderId": "clumsy" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = api
        .post("/admin/chaos/panic", json!({ "kind": "planet", "id": "x" }))
        .await;
    assert_problem(status, &body, 422, "kind");
}
