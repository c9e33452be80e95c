//! The webhook: every notification reaches the receiver, in order, even
//! though it refused the first tries, and even across a crash.

mod common;

use common::*;
use serde_json::Value;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A tiny HTTP receiver on loopback: refuses the first `refuse` requests
/// with `refusal`, then records each JSON body and answers 200.
struct Receiver {
    url: String,
    got: Arc<Mutex<Vec<Value>>>,
}

async fn receiver(refuse: usize) -> Receiver {
    receiver_refusing(refuse, "503 Service Unavailable").await
}

async fn receiver_refusing(refuse: usize, refusal: &'static str) -> Receiver {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/kakao", listener.local_addr().unwrap());
    let got = Arc::new(Mutex::new(Vec::new()));
    let seen = got.clone();
    tokio::spawn(async move {
        let mut refused = 0;
        loop {
            let Ok((mut conn, _)) = listener.accept().await else {
                return;
            };
            let Some(body) = read_request(&mut conn).await else {
                continue;
            };
            let status = if refused < refuse {
                refused += 1;
                refusal
            } else {
                seen.lock()
                    .unwrap()
                    .push(serde_json::from_slice(&body).expect("JSON"));
                "200 OK"
            };
            let reply =
                format!("HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
            let _ = conn.write_all(reply.as_bytes()).await;
        }
    });
    Receiver { url, got }
}

/// Reads one request (headers and a Content-Length body).
async fn read_request(conn: &mut tokio::net::TcpStream) -> Option<Vec<u8>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = conn.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_lowercase();
            let len: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            while buf.len() < end + 4 + len {
                let n = conn.read(&mut chunk).await.ok()?;
                if n == 0 {
                    return None;
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            return Some(buf[end + 4..end + 4 + len].to_vec());
        }
    }
}

fn received(r: &Receiver) -> Vec<(String, String, u64)> {
    r.got
        .lock()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["audience"].as_str().unwrap().to_string(),
                d["notification"]["status"].as_str().unwrap().to_string(),
                d["notification"]["id"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn every_notification_reaches_the_webhook_despite_failures_and_a_crash() {
    let hook = receiver(3).await;
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &["--webhook-url", &hook.url]);
    let id = server.api.place("kim", "gangnam-chicken").await["id"]
        .as_u64()
        .unwrap();
    server.api.advance(id, "rider-1", "Cooked").await;
    caught_up(&server.api).await;
    // Killed with deliveries perhaps still queued: they wait on disk.
    server.kill();
    let server = Server::start(dir.path(), &["--webhook-url", &hook.url]);
    server.api.advance(id, "rider-1", "Completed").await;
    caught_up(&server.api).await;

    let (_, for_customer) = server.api.get("/notifications?customerId=kim").await;
    let (_, for_store) = server
        .api
        .get("/notifications?storeId=gangnam-chicken")
        .await;
    let (_, for_rider) = server.api.get("/notifications?riderId=rider-1").await;
    let expected = for_customer.as_array().unwrap().len()
        + for_store.as_array().unwrap().len()
        + for_rider.as_array().unwrap().len();
    assert_eq!(expected, 7 + 1 + 2);
    // Delivery is at least once (a POST just before the kill may come
    // again): in first arrivals, everything is there, once, in order.
    let firsts = eventually("the webhook to receive everything", || async {
        let mut firsts: Vec<(String, String, u64)> = Vec::new();
        for g in received(&hook) {
            if !firsts.contains(&g) {
                firsts.push(g);
            }
        }
        (firsts.len() >= expected).then_some(firsts)
    })
    .await;
    assert_eq!(firsts.len(), expected, "{firsts:?}");
    let ids: Vec<u64> = firsts.iter().map(|g| g.2).collect();
    assert!(ids.windows(2).all(|w| w[0] <= w[1]), "{firsts:?}");
    let customer: Vec<&str> = firsts
        .iter()
        .filter(|g| g.0 == "customer")
        .map(|g| g.1.as_str())
        .collect();
    assert_eq!(
        customer,
        [
            "Placed",
            "Accepted",
            "Cooking",
            "Cooked",
            "PickedUp",
            "Delivered",
            "Completed"
        ]
    );
}

#[tokio::test]
async fn a_notification_refused_for_good_does_not_block_the_rest() {
    let hook = receiver_refusing(1, "400 Bad Request").await;
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &["--webhook-url", &hook.url]);
    let id = server.api.place("kim", "gangnam-chicken").await["id"]
        .as_u64()
        .unwrap();
    server.api.advance(id, "r", "Accepted").await;
    // Placed (customer, store) and Accepted (customer): the first was
    // refused for good and set aside; the other two arrive.
    let got = eventually("the rest to arrive", || async {
        let got = received(&hook);
        (got.len() >= 2).then_some(got)
    })
    .await;
    let statuses: Vec<&str> = got.iter().map(|g| g.1.as_str()).collect();
    assert_eq!(statuses, ["Placed", "Accepted"]);
    assert!(server.log().contains("refused a notification for good"));
}

#[tokio::test]
async fn the_webhook_url_must_be_http() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_baedal"))
        .args(["--addr", "127.0.0.1:0", "--webhook-url", "ftp://nope"])
        .arg("--data-dir")
        .arg(dir.path().join("db"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("must start with http://"));
}

/// Relaxed durability may lose what it acknowledged in its window, but
/// never acts on it: an order placed and canceled inside the window is
/// neither refunded nor announced, and after a SIGKILL the charge (made
/// only once its pending record was on disk) is found again and kept by
/// the order the customer was told about.
#[tokio::test]
async fn relaxed_mode_dispatches_nothing_a_crash_takes_back() {
    let hook = receiver(0).await;
    let dir = tempfile::tempdir().unwrap();
    let flags = [
        "--chaos",
        "--webhook-url",
        &hook.url,
        "--durability",
        "relaxed",
        "--flush-interval-ms",
        "60000",
    ];
    let server = Server::start(dir.path(), &flags);
    let api = &server.api;
    let id = api.place("kim", "gangnam-chicken").await["id"]
        .as_u64()
        .unwrap();
    let (status, canceled) = api.post_empty(&format!("/orders/{id}/cancel")).await;
    assert_eq!(canceled["status"], "Canceled", "{status} {canceled}");
    let (_, health) = api.get("/health").await;
    assert!(
        health["acknowledgedLogSequence"].as_u64().unwrap()
            >= health["logSequence"].as_u64().unwrap() + 2,
        "placed and canceled, not yet on disk: {health}"
    );
    // The subscribers caught up with what is on disk, which is not that.
    caught_up(api).await;
    assert!(received(&hook).is_empty(), "{:?}", received(&hook));
    server.kill();

    let server = Server::start(dir.path(), &flags);
    let api = &server.api;
    eventually("the pending payment to be settled", || async {
        (api.get("/health").await.1["pendingPayments"] == 0).then_some(())
    })
    .await;
    caught_up(api).await;
    let (status, order) = api.get(&format!("/orders/{id}")).await;
    assert_eq!(
        (status.as_u16(), order["status"].as_str()),
        (200, Some("Placed")),
        "{order}"
    );
    let (_, payment) = api.get(&format!("/payments/{id}")).await;
    assert_eq!(payment["status"], "Approved", "{payment}");
    let (_, accounts) = api.get("/admin/chaos/payment/charges").await;
    let account = accounts
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["orderId"] == id)
        .unwrap()
        .clone();
    assert_eq!(
        (account["charged"].as_u64(), account["refunded"].as_u64()),
        (Some(38_000), Some(0)),
        "nothing refunded for a cancel that is gone: {account}"
    );
    let statuses: Vec<String> = received(&hook).into_iter().map(|g| g.1).collect();
    assert!(!statuses.iter().any(|s| s == "Canceled"), "{statuses:?}");
}
