//! Limits per caller: requests per account and per client IP (429 with
//! `Retry-After` and `RateLimit` headers, nothing done), and WebSockets per
//! account and in admission control.

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::json;

const STORE: &str = "gangnam-chicken";

/// Sends `req()` until it is refused with 429 (at most `tries` times);
/// the refusal, and how many went through before it.
async fn until_limited<F, Fut>(tries: usize, req: F) -> (reqwest::Response, usize)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = reqwest::Response>,
{
    until_limited_or(tries, StatusCode::OK, req).await
}

/// Like [`until_limited`], where each answer before the 429 is a success or
/// `expected`.
async fn until_limited_or<F, Fut>(
    tries: usize,
    expected: StatusCode,
    mut req: F,
) -> (reqwest::Response, usize)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = reqwest::Response>,
{
    for passed in 0..tries {
        let res = req().await;
        if res.status() == StatusCode::TOO_MANY_REQUESTS {
            return (res, passed);
        }
        assert!(
            res.status().is_success() || res.status() == expected,
            "{}",
            res.status()
        );
    }
    panic!("no 429 after {tries} requests");
}

async fn assert_rate_limited(res: reqwest::Response, policy: &str) {
    let headers = res.headers().clone();
    let retry: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(retry >= 1, "Retry-After {retry}");
    let declared = headers["ratelimit-policy"].to_str().unwrap();
    assert!(
        declared.starts_with(&format!("\"{policy}\";q=")),
        "{declared}"
    );
    let left = headers["ratelimit"].to_str().unwrap();
    assert_eq!(left, format!("\"{policy}\";r=0;t={retry}"));
    assert_eq!(headers["content-type"], "application/problem+json");
    let body: serde_json::Value = res.json().await.unwrap();
    assert_problem(
        StatusCode::TOO_MANY_REQUESTS,
        &body,
        429,
        "too many requests",
    );
}

#[tokio::test]
async fn an_account_over_its_rate_is_refused_and_nothing_is_done() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(
        dir.path(),
        &[
            "--rate-limit-per-account",
            "2",
            "--rate-limit-per-ip",
            "100000",
        ],
    );
    let api = &server.api;
    let kim = api.as_customer("kim").await;
    let lee = api.as_customer("lee").await;
    let body = order_body("kim", STORE);
    let (res, placed) = until_limited(100, || async {
        kim.request(Method::POST, "/orders", Some(&body))
            .await
            .send()
            .await
            .unwrap()
    })
    .await;
    assert!(placed >= 1, "a burst passes first");
    assert_rate_limited(res, "per-account").await;
    // Every order answered 201 is there, and no other.
    caught_up(api).await;
    let (_, orders) = api.as_admin().await.get("/orders?customerId=kim").await;
    assert_eq!(orders.as_array().unwrap().len(), placed);
    // Another account has its own allowance.
    assert_eq!(lee.get("/auth/me").await.0, StatusCode::OK);
}

#[tokio::test]
async fn an_address_over_its_rate_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &["--rate-limit-per-ip", "3"]);
    let anonymous = server.api.anonymous();
    let (res, passed) = until_limited(100, || async {
        anonymous
            .request(Method::GET, "/stores", None)
            .await
            .send()
            .await
            .unwrap()
    })
    .await;
    assert!(passed >= 1);
    assert_rate_limited(res, "per-ip").await;
}

/// A WebSocket of `token` on the customer's notifications, or why not.
async fn socket(
    api: &Api,
    token: &str,
) -> Result<
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
    u16,
> {
    let url = format!(
        "{}/ws?access_token={token}",
        api.base.replacen("http", "ws", 1)
    );
    match tokio_tungstenite::connect_async(url).await {
        Ok((ws, _)) => Ok(ws),
        Err(tokio_tungstenite::tungstenite::Error::Http(res)) => Err(res.status().as_u16()),
        Err(e) => panic!("{e}"),
    }
}

#[tokio::test]
async fn an_account_holds_at_most_its_websockets() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &["--max-websockets-per-account", "2"]);
    let api = &server.api;
    let token = api.token("kim", "customer").await.unwrap();
    let first = socket(api, &token).await.unwrap();
    let _second = socket(api, &token).await.unwrap();
    assert_eq!(
        socket(api, &token).await.err(),
        Some(429),
        "a third is refused"
    );
    // Another account is not held back by kim's.
    let lee = api.token("lee", "customer").await.unwrap();
    let _lees = socket(api, &lee).await.unwrap();
    // Closing one frees its place.
    drop(first);
    eventually("kim's closed socket to free its place", || async {
        socket(api, &token).await.ok()
    })
    .await;
}

#[tokio::test]
async fn websockets_hold_at_most_half_the_slots_in_flight() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &["--max-in-flight", "2"]);
    let api = &server.api;
    let kim = api.token("kim", "customer").await.unwrap();
    let lee = api.token("lee", "customer").await.unwrap();
    let first = socket(api, &kim).await.unwrap();
    // One socket holds one of the two slots: sockets get no more, and
    // requests keep the other.
    assert_eq!(socket(api, &lee).await.err(), Some(503));
    assert_eq!(api.anonymous().get("/stores").await.0, StatusCode::OK);
    drop(first);
    eventually("a closed socket to give its slot back", || async {
        socket(api, &lee).await.ok()
    })
    .await;
}

#[tokio::test]
async fn a_websocket_closes_once_its_sign_in_ends() {
    use futures_util::StreamExt;
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &["--websocket-ping-secs", "1"]);
    let api = &server.api;
    let kim = api.as_customer("kim").await;
    let Identity::Token(token) = kim.identity.clone() else {
        unreachable!()
    };
    let mut ws = socket(api, &token).await.unwrap();
    let (status, _) = kim.post_empty("/auth/logout").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    // Pings come and go until the server sees the session ended and closes.
    let closed = tokio::time::timeout(PATIENCE, async {
        while let Some(Ok(msg)) = ws.next().await {
            if msg.is_close() {
                return true;
            }
        }
        true
    })
    .await;
    assert_eq!(closed, Ok(true), "the socket outlived its sign-in");
}

#[tokio::test]
async fn an_address_over_its_sign_ins_is_refused_before_any_hash() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(
        dir.path(),
        &[
            "--rate-limit-sign-ins-per-ip",
            "1",
            "--rate-limit-per-ip",
            "100000",
        ],
    );
    let anonymous = server.api.anonymous();
    let login = json!({ "id": "nobody", "password": "wrong-password" });
    let (res, tried) = until_limited_or(100, StatusCode::UNAUTHORIZED, || async {
        anonymous
            .request(Method::POST, "/auth/login", Some(&login))
            .await
            .send()
            .await
            .unwrap()
    })
    .await;
    assert!(tried >= 1);
    assert_rate_limited(res, "sign-ins-per-ip").await;
}
