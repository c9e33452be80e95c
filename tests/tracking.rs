//! Live delivery tracking through the real binary: once picked up, each
//! location the rider reports reaches that order's customer over the
//! WebSocket with the recomputed ETA; nobody else gets it, and it stops at
//! delivery.

mod common;

use common::*;
use futures_util::StreamExt;
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

const STORE: &str = "gangnam-chicken";

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A WebSocket opened as account `id` (role `role`), listening to `query`.
async fn connect(api: &Api, id: &str, role: &str, query: &str) -> Ws {
    let token = api.token(id, role).await.unwrap();
    let url = format!(
        "{}/ws?{query}&access_token={token}",
        api.base.replacen("http", "ws", 1)
    );
    let (ws, response) = tokio_tungstenite::connect_async(url).await.unwrap();
    assert_eq!(response.status(), StatusCode::SWITCHING_PROTOCOLS);
    ws
}

/// The next JSON message, within the test's patience.
async fn next(ws: &mut Ws) -> Value {
    loop {
        let msg = tokio::time::timeout(PATIENCE, ws.next())
            .await
            .expect("a message in time")
            .expect("the socket stays open")
            .expect("a frame");
        if let Message::Text(text) = msg {
            return serde_json::from_str(&text).unwrap();
        }
    }
}

/// The next message that is not a notification of `skipped` statuses.
async fn next_skipping(ws: &mut Ws, skipped: &[&str]) -> Value {
    loop {
        let m = next(ws).await;
        if !skipped.iter().any(|s| m["status"] == *s) {
            return m;
        }
    }
}

#[tokio::test]
async fn a_picked_up_delivery_is_tracked_by_its_customer_alone_until_delivered() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let api = &server.api;
    let id = api.place("kim", STORE).await["id"].as_u64().unwrap();
    api.place("lee", STORE).await;
    let mut kim = connect(api, "kim", "customer", "customerId=kim").await;
    let mut lee = connect(api, "lee", "customer", "customerId=lee").await;
    // An operator listening for kim hears her notifications, not where
    // her rider is.
    let mut operator = connect(api, "admin", "operator", "customerId=kim").await;
    api.advance(id, "rider-3", "PickedUp").await;
    let rider = api.as_rider("rider-3").await;
    let (status, body) = rider
        .put(
            "/riders/rider-3/location",
            json!({ "lat": 37.5082, "lon": 127.0473 }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let before = now_ms();
    let moved = next_skipping(
        &mut kim,
        &["Placed", "Accepted", "Cooking", "Cooked", "PickedUp"],
    )
    .await;
    let tracking = &moved["tracking"];
    assert_eq!(tracking["orderId"], id, "{moved}");
    assert_eq!(tracking["riderId"], "rider-3");
    assert_eq!(
        (tracking["lat"].as_f64(), tracking["lon"].as_f64()),
        (Some(37.5082), Some(127.0473))
    );
    // About 1 km from the drop-off: 1.3 km of road at 20 km/h, 4 minutes.
    let eta = ms(&tracking["estimatedDeliveryAt"]);
    assert_eq!(eta - ms(&tracking["at"]), 4 * 60_000, "{moved}");
    // The order answers the same ETA, from the rider's last location.
    let (_, order) = api.get(&format!("/orders/{id}")).await;
    let read = ms(&order["estimatedDeliveryAt"]);
    assert!(read >= before + 4 * 60_000 - 1_000, "{order}");
    // Delivered: the next location goes to no one; kim hears the
    // confirmation, and no position.
    api.advance(id, "rider-3", "Delivered").await;
    rider
        .put(
            "/riders/rider-3/location",
            json!({ "lat": 37.52, "lon": 127.05 }),
        )
        .await;
    api.advance(id, "rider-3", "Completed").await;
    // (Notifications trail the log a little, so earlier ones may still
    // come; a position never does.)
    loop {
        let heard = next(&mut kim).await;
        let no_position = heard.get("tracking").is_none();
        assert!(no_position, "no position after delivery: {heard}");
        if heard["status"] == "Completed" {
            break;
        }
    }
    // Neither lee nor the operator ever got a position.
    api.place("lee", STORE).await;
    let for_lee = next_skipping(&mut lee, &[]).await;
    assert_eq!(for_lee["status"], "Placed", "{for_lee}");
    loop {
        let heard = next(&mut operator).await;
        assert!(heard.get("tracking").is_none(), "{heard}");
        if heard["status"] == "Completed" {
            break;
        }
    }
}
