//! Lists come in pages: `limit` (50 by default, at most 500), the next
//! page behind `Link: <…>; rel="next"`, the body still a JSON array; and a
//! WebSocket's catch-up stops after 500 messages, saying where to resume.

mod common;

use common::*;
use futures_util::StreamExt;
use reqwest::{Method, StatusCode};
use serde_json::Value;

const STORE: &str = "gangnam-chicken";

/// Follows `path`'s pages to the end: every item, and how many pages.
async fn all_pages(api: &Api, path: &str) -> (Vec<Value>, usize) {
    let mut items = Vec::new();
    let mut pages = 0;
    let mut next = Some(path.to_string());
    while let Some(path) = next.take() {
        let res = api
            .request(Method::GET, &path, None)
            .await
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        next = res
            .headers()
            .get("link")
            .map(|l| l.to_str().unwrap().to_string())
            .map(|l| {
                assert!(l.ends_with("; rel=\"next\""), "{l}");
                l[1..l.find('>').unwrap()].to_string()
            });
        let page: Vec<Value> = res.json().await.unwrap();
        assert!(
            !page.is_empty() || pages == 0,
            "an empty page behind a Link"
        );
        items.extend(page);
        pages += 1;
    }
    (items, pages)
}

#[tokio::test]
async fn every_list_pages_through_all_of_it_once() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let api = &server.api;
    let mut placed = Vec::new();
    for _ in 0..7 {
        placed.push(api.place("kim", STORE).await["id"].clone());
    }
    caught_up(api).await;
    let kim = api.as_customer("kim").await;
    let owner = api.as_account(&format!("owner-{STORE}"), "owner").await;
    for (who, path, expected_pages) in [
        (&kim, "/orders?limit=3".to_string(), 3),
        (&kim, "/myPages?limit=3".to_string(), 3),
        (&owner, format!("/foodCookings?storeId={STORE}&limit=3"), 3),
        (&kim, "/notifications?limit=3".to_string(), 3),
    ] {
        let (items, pages) = all_pages(who, &path).await;
        assert_eq!(pages, expected_pages, "{path}");
        let ids: Vec<&Value> = items
            .iter()
            .map(|i| i.get("orderId").or(i.get("id")).unwrap())
            .collect();
        if path.starts_with("/notifications") {
            assert_eq!(items.len(), 7, "{path}: one notification per order");
        } else {
            assert_eq!(
                ids,
                placed.iter().collect::<Vec<_>>(),
                "{path}: each once, in order"
            );
        }
    }
    // Points: the balance whole, the history a page of orders at a time.
    let (mut earned, mut pages, mut next) =
        (Vec::new(), 0, Some("/points/kim?limit=3".to_string()));
    while let Some(path) = next.take() {
        let res = kim
            .request(Method::GET, &path, None)
            .await
            .send()
            .await
            .unwrap();
        next = res
            .headers()
            .get("link")
            .map(|l| l.to_str().unwrap().to_string())
            .map(|l| l[1..l.find('>').unwrap()].to_string());
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["balance"], 7 * 380, "{body}");
        earned.extend(
            body["history"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["orderId"].clone()),
        );
        pages += 1;
    }
    assert_eq!(pages, 3);
    assert_eq!(earned, placed, "each order's points once, in order");
    // Ready deliveries near a rider, nearest first (here all at one store:
    // by order id), a page at a time.
    for id in &placed {
        api.advance(id.as_u64().unwrap(), "rider-1", "Cooked").await;
    }
    caught_up(api).await;
    let rider = api.as_rider("rider-1").await;
    let (ready, pages) = all_pages(
        &rider,
        "/deliveries?lat=37.4979&lon=127.0276&radiusKm=20&limit=3",
    )
    .await;
    assert_eq!(pages, 3);
    let ids: Vec<&Value> = ready.iter().map(|d| &d["orderId"]).collect();
    assert_eq!(
        ids,
        placed.iter().collect::<Vec<_>>(),
        "each once, nearest first"
    );
    // The demo stores, a page of ten at a time.
    let (stores, pages) = all_pages(&api.anonymous(), "/stores?limit=10").await;
    let demo = 29;
    assert_eq!(stores.len(), demo);
    assert_eq!(pages, 3);
    // Without a limit, 50.
    let res = kim
        .request(Method::GET, "/orders", None)
        .await
        .send()
        .await
        .unwrap();
    assert!(res.headers().get("link").is_none());
}

#[tokio::test]
async fn a_limit_or_cursor_out_of_bounds_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let kim = server.api.as_customer("kim").await;
    for (path, needle) in [
        ("/orders?limit=0", "limit must be between 1 and 500"),
        ("/orders?limit=501", "limit must be between 1 and 500"),
        ("/orders?after=abc", "no cursor"),
        ("/notifications?limit=501", "limit"),
        ("/coupons?limit=0", "limit"),
        ("/points/kim?limit=501", "limit"),
        ("/points/kim?after=abc", "no cursor"),
    ] {
        let (status, body) = kim.get(path).await;
        assert_problem(status, &body, 422, needle);
    }
    let rider = server.api.as_rider("rider-1").await;
    let (status, body) = rider
        .get("/deliveries?lat=37.5&lon=127.03&after=near")
        .await;
    assert_problem(status, &body, 422, "no cursor");
}

#[tokio::test]
async fn a_websocket_catches_up_with_at_most_500_then_says_where_to_resume() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let api = &server.api;
    // 501 notifications for kim: one per order.
    for batch in 0..32 {
        let orders = (0..16).map(|_| api.place("kim", STORE));
        let _ = (batch, futures_util::future::join_all(orders).await);
    }
    caught_up(api).await;
    let token = api.token("kim", "customer").await.unwrap();
    let url = format!(
        "{}/ws?since=0&access_token={token}",
        api.base.replacen("http", "ws", 1)
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    let mut sent = 0;
    let mut resume = None;
    while let Ok(Some(Ok(msg))) = tokio::time::timeout(PATIENCE, ws.next()).await {
        if msg.is_close() {
            break;
        }
        let Ok(text) = msg.to_text() else { continue };
        let value: Value = serde_json::from_str(text).unwrap();
        match value.get("resumeSince") {
            Some(since) => resume = Some(since.clone()),
            None => sent += 1,
        }
    }
    assert_eq!(sent, 500, "at most 500 at once");
    let resume = resume.expect("told where to resume");
    // Resuming there sends the rest, and no more than that.
    let url = format!(
        "{}/ws?since={resume}&access_token={token}",
        api.base.replacen("http", "ws", 1)
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    let first = tokio::time::timeout(PATIENCE, ws.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let value: Value = serde_json::from_str(first.to_text().unwrap()).unwrap();
    assert!(value["id"].as_u64().unwrap() > resume.as_u64().unwrap());
}
