//! systemd's service protocol: the server says READY=1 once it listens,
//! pings WATCHDOG=1 while it is well, withholds the pings while its flusher
//! is wedged (a chaos route holds it), and says STOPPING=1 on SIGTERM. The
//! messages are read from a datagram socket set as NOTIFY_SOCKET, as
//! systemd would.

mod common;

use common::*;
use serde_json::json;
use std::time::Duration;
use tokio::net::UnixDatagram;

/// The next message from the server, one state per line.
async fn next(socket: &UnixDatagram) -> String {
    let mut buf = [0u8; 4096];
    let got = tokio::time::timeout(Duration::from_secs(60), socket.recv(&mut buf)).await;
    let n = got.expect("a message within a minute").unwrap();
    String::from_utf8_lossy(&buf[..n]).into_owned()
}

/// Messages until one containing `needle`, which is the last returned.
async fn until(socket: &UnixDatagram, needle: &str) -> Vec<String> {
    let mut seen = Vec::new();
    loop {
        let m = next(socket).await;
        let done = m.contains(needle);
        seen.push(m);
        if done {
            return seen;
        }
    }
}

#[tokio::test]
async fn a_wedged_flusher_stops_the_watchdog_pings_until_it_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notify.sock");
    let socket = UnixDatagram::bind(&path).unwrap();
    let notify = path.to_str().unwrap();
    // One second: a ping every half second, a flush stuck for longer than
    // that is a wedge.
    let envs = [("NOTIFY_SOCKET", notify), ("WATCHDOG_USEC", "1000000")];
    let server = Server::start_with_env(dir.path(), &["--chaos"], &envs);
    let api = server.api.clone();
    let first = until(&socket, "READY=1").await;
    assert!(
        first.last().unwrap().contains("STATUS=serving"),
        "{first:?}"
    );
    until(&socket, "WATCHDOG=1").await;

    api.post("/admin/chaos/flusher", json!({ "held": true }))
        .await;
    // A write waits for a flush that does not end.
    let placing = tokio::spawn({
        let api = api.clone();
        async move { api.place("kim", "gangnam-chicken").await }
    });
    let wedged = until(&socket, "STATUS=unhealthy").await;
    let why = wedged.last().unwrap();
    assert!(why.contains("flusher has been stuck"), "{why}");
    assert!(server.log().contains("withholding the watchdog ping"));

    api.post("/admin/chaos/flusher", json!({ "held": false }))
        .await;
    let meanwhile = until(&socket, "STATUS=serving").await;
    assert!(
        !meanwhile.iter().any(|m| m.contains("WATCHDOG=1")),
        "no ping while unwell: {meanwhile:?}"
    );
    until(&socket, "WATCHDOG=1").await;
    let placed = placing.await.unwrap();
    assert_eq!(
        placed["status"], "Placed",
        "the write went through once let go"
    );

    assert!(server.stop().success());
    until(&socket, "STOPPING=1").await;
}

#[tokio::test]
async fn without_systemd_nothing_is_sent_and_all_is_well() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_with_env(dir.path(), &[], &[]);
    assert_eq!(server.api.get("/health").await.1["status"], "ok");
    assert!(!server.log().contains("watchdog is on"));
    assert!(server.stop().success());
}
