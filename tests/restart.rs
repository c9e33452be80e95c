//! Restart: everything acknowledged is there afterwards, whether the server
//! was stopped gracefully or killed; idle actors passivate and rehydrate.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

const STORE: &str = "mangwon-ramen";

/// Orders in every interesting state, and a store edited through the API.
async fn populate(api: &Api) -> Vec<u64> {
    let mut ids = Vec::new();
    for (customer, target) in [
        ("a", "Completed"),
        ("a", "Placed"),
        ("b", "Accepted"),
        ("b", "Cooking"),
        ("c", "Cooked"),
        ("c", "PickedUp"),
        ("d", "Delivered"),
    ] {
        let id = api.place(customer, STORE).await["id"].as_u64().unwrap();
        if target != "Placed" {
            api.advance(id, &format!("rider-{customer}"), target).await;
        }
        ids.push(id);
    }
    let canceled = api.place("e", STORE).await["id"].as_u64().unwrap();
    assert_eq!(
        api.post_empty(&format!("/orders/{canceled}/cancel"))
            .await
            .0,
        StatusCode::OK
    );
    let rejected = api.place("e", STORE).await["id"].as_u64().unwrap();
    let (status, _) = api
        .post(
            &format!("/foodCookings/{rejected}/reject"),
            json!({ "reason": "CLOSING_SOON", "note": "closed early" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    ids.extend([canceled, rejected]);
    let (status, _) = api
        .put(
            &format!("/stores/{STORE}/menu/new-dish"),
            json!({ "name": "유산슬", "price": 25000 }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    ids
}

/// Everything the API shows about these orders.
async fn snapshot(api: &Api, ids: &[u64]) -> Value {
    let mut all = serde_json::Map::new();
    for id in ids {
        for kind in [
            "orders",
            "payments",
            "foodCookings",
            "deliveries",
            "myPages",
        ] {
            let path = format!("/{kind}/{id}");
            let (status, body) = api.get(&path).await;
            assert_eq!(status, StatusCode::OK, "{path}: {body}");
            all.insert(path, body);
        }
    }
    for path in [
        "/orders?customerId=a".to_string(),
        "/myPages?customerId=c".to_string(),
        format!("/foodCookings?storeId={STORE}"),
        format!("/stores/{STORE}"),
        "/deliveries?lat=37.56&lon=126.92&radiusKm=10".to_string(),
    ] {
        let (status, body) = api.get(&path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        all.insert(path, body);
    }
    Value::Object(all)
}

#[tokio::test]
async fn a_graceful_restart_keeps_everything() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let ids = populate(&server.api).await;
    caught_up(&server.api).await;
    let before = snapshot(&server.api, &ids).await;
    assert!(
        before["/deliveries?lat=37.56&lon=126.92&radiusKm=10"]
            .as_array()
            .unwrap()
            .len()
            == 1
    );
    let status = server.stop();
    assert!(status.success(), "SIGTERM exits 0, got {status:?}");

    let server = Server::start(dir.path(), &[]);
    let after = snapshot(&server.api, &ids).await;
    assert_eq!(before, after);
    // Nothing was replayed twice: the log did not grow by restarting.
    let (_, health) = server.api.get("/health").await;
    assert_eq!(
        health["subscriberLag"],
        json!({ "coupons": 0, "deliveries": 0, "kitchen": 0, "mypage": 0, "notifier": 0, "points": 0, "ratings": 0, "refunds": 0 })
    );

    // And it carries on: the cooked order is picked, new orders get new ids.
    let cooked = ids[4];
    server.api.advance(cooked, "late-rider", "Completed").await;
    let fresh = server.api.place("a", STORE).await["id"].as_u64().unwrap();
    assert!(fresh > *ids.iter().max().unwrap());
    let (_, stores) = server.api.get("/stores").await;
    assert_eq!(
        stores.as_array().unwrap().len(),
        common_demo_store_count(),
        "demo stores are not loaded twice"
    );
}

#[tokio::test]
async fn a_compacted_database_serves_the_same_and_hands_out_new_ids() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let mut ids = populate(&server.api).await;
    // sled skips its id generator ahead at every start: after a few, the
    // ids are beyond what a copy's fresh generator would hand out.
    let mut server = server;
    for _ in 0..3 {
        assert!(server.stop().success());
        server = Server::start(dir.path(), &[]);
    }
    let late = server.api.place("f", STORE).await["id"].as_u64().unwrap();
    ids.push(late);
    caught_up(&server.api).await;
    let before = snapshot(&server.api, &ids).await;
    let data_dir = server.data_dir.clone();

    let refused = compact(&data_dir);
    assert!(
        !refused.status.success(),
        "a running server's database is refused"
    );
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("could not acquire lock"), "{said}");

    assert!(server.stop().success());
    let done = compact(&data_dir);
    let said = String::from_utf8_lossy(&done.stdout);
    assert!(
        done.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&done.stderr)
    );
    assert!(
        said.contains("compacted") && said.contains("keys"),
        "{said}"
    );

    let server = Server::start(dir.path(), &[]);
    assert_eq!(snapshot(&server.api, &ids).await, before);
    let fresh = server.api.place("a", STORE).await["id"].as_u64().unwrap();
    assert!(
        fresh > *ids.iter().max().unwrap(),
        "id {fresh} was handed out before"
    );
    server.api.advance(fresh, "rider-a", "Completed").await;
}

fn compact(data_dir: &std::path::Path) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_baedal"))
        .args(["compact", "--data-dir"])
        .arg(data_dir)
        .output()
        .expect("the baedal binary runs")
}

fn common_demo_store_count() -> usize {
    let stores: Value = serde_json::from_str(include_str!("../data/stores.json")).unwrap();
    stores.as_array().unwrap().len()
}

#[tokio::test]
async fn a_killed_server_loses_nothing_it_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let ids = populate(&server.api).await;
    // Kill at once: subscribers may be behind, nothing was flushed on exit.
    let (_, orders_before) = server.api.get("/orders?customerId=b").await;
    server.kill();

    let server = Server::start(dir.path(), &[]);
    let (_, orders_after) = server.api.get("/orders?customerId=b").await;
    assert_eq!(orders_before, orders_after);
    caught_up(&server.api).await;
    let after = snapshot(&server.api, &ids).await;
    // The views converged to the orders' states after replay.
    for id in &ids {
        let order = &after[format!("/orders/{id}").as_str()];
        assert_eq!(
            after[format!("/myPages/{id}").as_str()]["status"],
            order["status"]
        );
        let payment = &after[format!("/payments/{id}").as_str()]["status"];
        let refunded = order["status"] == "Canceled" || order["status"] == "Rejected";
        assert_eq!(
            payment,
            if refunded { "Refunded" } else { "Approved" },
            "order {id}"
        );
    }
}

#[tokio::test]
async fn idle_actors_passivate_and_come_back() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &["--passivate-after-secs", "1"]);
    let api = &server.api;
    let id = api.place("sleepy", STORE).await["id"].as_u64().unwrap();
    api.advance(id, "r", "Cooked").await;
    eventually("idle actors to passivate", || async {
        let (_, health) = api.get("/health").await;
        (health["liveActors"] == json!({ "orders": 0, "stores": 0, "riders": 0 })).then_some(())
    })
    .await;
    // The next message rehydrates the order from disk, state intact.
    let order = api.advance(id, "r", "Completed").await;
    assert_eq!(order["history"].as_array().unwrap().len(), 7);
}

#[tokio::test]
async fn sigterm_finishes_what_is_in_flight_and_the_restart_replays_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &["--chaos"]);
    let api = server.api.clone();
    server.api.place("early", STORE).await;
    caught_up(&api).await;
    // A checkout whose gateway answers in a second is in flight at SIGTERM.
    api.post("/admin/chaos/payment", json!({ "latencyMs": 1000 }))
        .await;
    let in_flight = tokio::spawn({
        let api = api.clone();
        async move { api.post("/orders", order_body("late", STORE)).await }
    });
    eventually("the checkout to reach the gateway", || async {
        (api.get("/health").await.1["pendingPayments"] == 1).then_some(())
    })
    .await;
    let status = tokio::task::spawn_blocking(move || server.stop())
        .await
        .unwrap();
    assert!(
        status.success(),
        "exit 0 after a graceful stop, got {status:?}"
    );
    let (status, order) = in_flight.await.unwrap();
    assert_eq!(
        status,
        StatusCode::CREATED,
        "the in-flight checkout finished: {order}"
    );

    let server = Server::start(dir.path(), &[]);
    let (_, health) = server.api.get("/health").await;
    assert_eq!(health["pendingPayments"], 0);
    let log = health["logSequence"].as_u64().unwrap();
    caught_up(&server.api).await;
    assert_eq!(
        server.api.get("/health").await.1["logSequence"],
        log,
        "nothing new was logged"
    );
    assert!(
        !server.log().contains("pending payment settled"),
        "nothing was left to settle"
    );
    let (_, late) = server.api.get(&format!("/orders/{}", order["id"])).await;
    assert_eq!(late["status"], "Placed");
    await_field(
        &server.api,
        &format!("/myPages/{}", order["id"]),
        "status",
        "Placed",
    )
    .await;
}
