//! Notifications: one per status change for the customer (and the store and
//! rider where it concerns them), kept in a log and pushed over WebSocket; a
//! client that reconnects with `since` gets what it missed.

mod common;

use common::*;
use futures_util::StreamExt;
use reqwest::StatusCode;
use serde_json::Value;
use tokio_tungstenite::tungstenite::Message;

const STORE: &str = "gangnam-chicken";
const LIFECYCLE: [&str; 7] = [
    "Placed",
    "Accepted",
    "Cooking",
    "Cooked",
    "PickedUp",
    "Delivered",
    "Completed",
];

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn connect(api: &Api, query: &str) -> Ws {
    let token = api.token("admin", "operator").await.unwrap();
    let url = format!(
        "{}/ws?{query}&access_token={token}",
        api.base.replacen("http", "ws", 1)
    );
    let (ws, response) = tokio_tungstenite::connect_async(url)
        .await
        .expect("a WebSocket");
    assert_eq!(response.status(), StatusCode::SWITCHING_PROTOCOLS);
    ws
}

/// The next notification pushed, within the test's patience.
async fn next(ws: &mut Ws) -> Value {
    loop {
        let msg = tokio::time::timeout(PATIENCE, ws.next())
            .await
            .expect("a notification in time")
            .expect("the socket stays open")
            .expect("a frame");
        if let Message::Text(text) = msg {
            return serde_json::from_str(&text).unwrap();
        }
    }
}

fn statuses(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|n| n["status"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn every_status_change_is_kept_and_told_to_whom_it_concerns() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let api = &server.api;
    let id = api.place("kim", STORE).await["id"].as_u64().unwrap();
    api.advance(id, "rider-9", "Completed").await;
    let canceled = api.place("kim", STORE).await["id"].as_u64().unwrap();
    api.post_empty(&format!("/orders/{canceled}/cancel")).await;
    caught_up(api).await;

    let (_, mine) = api.get("/notifications?customerId=kim").await;
    let mut expected: Vec<String> = LIFECYCLE.iter().map(|s| s.to_string()).collect();
    expected.extend(["Placed".into(), "Canceled".into()]);
    assert_eq!(statuses(&mine), expected, "newest last");
    let first = &mine[0];
    assert_eq!(first["orderId"], id);
    assert!(first["message"]
        .as_str()
        .unwrap()
        .contains("주문이 접수되었습니다"));
    assert!(mine[4]["message"]
        .as_str()
        .unwrap()
        .contains("배달이 시작되었습니다"));
    let ids: Vec<u64> = mine
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_u64().unwrap())
        .collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]));

    let (_, store) = api.get(&format!("/notifications?storeId={STORE}")).await;
    assert_eq!(statuses(&store), ["Placed", "Placed", "Canceled"]);
    let (_, rider) = api.get("/notifications?riderId=rider-9").await;
    assert_eq!(statuses(&rider), ["PickedUp", "Delivered"]);

    // Pages: `since` and `limit`.
    let (_, page) = api
        .get(&format!(
            "/notifications?customerId=kim&since={}&limit=2",
            ids[2]
        ))
        .await;
    assert_eq!(statuses(&page), ["Cooked", "PickedUp"]);
    for (query, needle) in [
        ("", "exactly one"),
        ("?customerId=kim&storeId=x", "exactly one"),
        ("?customerId=kim&limit=0", "limit"),
    ] {
        let (status, body) = api.get(&format!("/notifications{query}")).await;
        assert_problem(status, &body, 422, needle);
    }

    assert!(server.stop().success());
    let server = Server::start(dir.path(), &[]);
    caught_up(&server.api).await;
    assert_eq!(
        server.api.get("/notifications?customerId=kim").await.1,
        mine,
        "kept across a restart"
    );
}

#[tokio::test]
async fn a_websocket_gets_each_change_in_order_and_what_it_missed_on_reconnect() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let api = &server.api;
    let mut ws = connect(api, "customerId=lee").await;
    let id = api.place("lee", STORE).await["id"].as_u64().unwrap();
    api.advance(id, "r", "Cooking").await;
    let mut seen = Vec::new();
    for status in &LIFECYCLE[..3] {
        let n = next(&mut ws).await;
        assert_eq!(n["status"], *status);
        assert_eq!(n["orderId"], id);
        seen.push(n);
    }
    // Gone for a while; the order moves on.
    ws.close(None).await.unwrap();
    api.advance(id, "r", "Completed").await;
    let last = seen.last().unwrap()["id"].as_u64().unwrap();
    let mut ws = connect(api, &format!("customerId=lee&since={last}")).await;
    for status in &LIFECYCLE[3..] {
        assert_eq!(next(&mut ws).await["status"], *status);
    }
    // And it stays live: another order arrives as it happens.
    let again = api.place("lee", STORE).await["id"].as_u64().unwrap();
    let n = next(&mut ws).await;
    assert_eq!(
        (n["orderId"].as_u64(), n["status"].as_str()),
        (Some(again), Some("Placed"))
    );

    // A store's socket hears of its new orders.
    let mut store_ws = connect(api, &format!("storeId={STORE}")).await;
    let third = api.place("park", STORE).await["id"].as_u64().unwrap();
    let n = next(&mut store_ws).await;
    assert_eq!(n["orderId"], third);
    assert!(n["message"].as_str().unwrap().contains("새 주문"));

    let token = api.token("admin", "operator").await.unwrap();
    let refused = tokio_tungstenite::connect_async(format!(
        "{}/ws?access_token={token}",
        api.base.replacen("http", "ws", 1)
    ))
    .await;
    assert!(
        refused.is_err(),
        "a socket must say whose notifications it wants"
    );
}

#[tokio::test]
async fn a_socket_opened_right_after_an_order_still_gets_it() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let api = &server.api;
    // The order is placed (its event acknowledged) before the socket opens,
    // but the notifier may not have written it yet: it must still come.
    let id = api.place("quick", STORE).await["id"].as_u64().unwrap();
    let mut ws = connect(api, "customerId=quick").await;
    api.post_empty(&format!("/foodCookings/{id}/accept")).await;
    let mut statuses = Vec::new();
    while statuses.last().map(String::as_str) != Some("Accepted") {
        statuses.push(next(&mut ws).await["status"].as_str().unwrap().to_string());
    }
    assert!(
        statuses == ["Accepted"] || statuses == ["Placed", "Accepted"],
        "{statuses:?}"
    );
}

#[tokio::test]
async fn a_socket_catches_up_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let mut ws = connect(&server.api, "customerId=han").await;
    let id = server.api.place("han", STORE).await["id"].as_u64().unwrap();
    let first = next(&mut ws).await;
    assert_eq!(first["status"], "Placed");
    server.api.advance(id, "r", "Cooking").await;
    assert!(server.stop().success());

    let server = Server::start(dir.path(), &[]);
    let since = first["id"].as_u64().unwrap();
    let mut ws = connect(&server.api, &format!("customerId=han&since={since}")).await;
    for status in ["Accepted", "Cooking"] {
        assert_eq!(next(&mut ws).await["status"], status);
    }
}
