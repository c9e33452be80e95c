//! `/metrics` stays bounded whatever clients send: its labels come from a
//! fixed set.

mod common;

use common::*;
use reqwest::{Method, StatusCode};

#[tokio::test]
async fn invented_methods_do_not_grow_the_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &["--no-demo"]);
    let client = reqwest::Client::new();
    let base = server.api.base.clone();
    let admin = server.api.token("admin", "operator").await.unwrap();
    let metrics = || {
        let (client, url) = (client.clone(), format!("{base}/metrics"));
        let admin = admin.clone();
        async move {
            let res = client.get(url).bearer_auth(admin).send().await.unwrap();
            (res.status(), res.text().await.unwrap())
        }
    };
    let send = |method: String| {
        let (client, url) = (client.clone(), format!("{base}/stores"));
        async move {
            let method = Method::from_bytes(method.as_bytes()).unwrap();
            client.request(method, url).send().await.unwrap().status()
        }
    };
    // One invented method and one read of the metrics, so that every series
    // the rest of the test touches exists already.
    assert!(!send("BREW0".into()).await.is_server_error());
    metrics().await;
    let (_, before) = metrics().await;
    for i in 1..=200 {
        let status = send(format!("BREW{i}")).await;
        assert!(!status.is_server_error(), "{status}");
    }
    let (status, after) = metrics().await;
    assert_eq!(status, StatusCode::OK);
    assert!(!after.contains("BREW"), "an invented method became a label");
    assert!(after.contains("method=\"other\""), "{after}");
    // The same series, counted again: not one line more.
    let series = |text: &str| text.lines().filter(|l| !l.starts_with('#')).count();
    assert_eq!(series(&after), series(&before));
    assert!(server.stop().success());
}
