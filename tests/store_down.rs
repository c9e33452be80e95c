//! The store side being down never stops orders from being taken: they wait
//! in the log, and the kitchen gets every one, in order, once, when it is up.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::Value;

const STORE: &str = "gangnam-chicken";

async fn ticket_ids(api: &Api) -> Vec<u64> {
    let (_, tickets) = api.get(&format!("/foodCookings?storeId={STORE}")).await;
    tickets
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["orderId"].as_u64().unwrap())
        .collect()
}

async fn place_while_down(api: &Api, n: usize) -> Vec<u64> {
    let mut ids = Vec::new();
    for i in 0..n {
        let order = api.place(&format!("hungry-{i}"), STORE).await;
        ids.push(order["id"].as_u64().unwrap());
        assert_eq!(
            api.get(&format!("/payments/{}", order["id"])).await.1["status"],
            "Approved"
        );
    }
    caught_up(api).await;
    ids
}

#[tokio::test]
async fn orders_to_a_down_store_are_taken_and_reach_its_kitchen_when_it_is_up() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &["--chaos"]);
    let api = &server.api;
    let before = api.place("early", STORE).await["id"].as_u64().unwrap();
    let other_store = api.place("elsewhere", "mangwon-ramen").await["id"]
        .as_u64()
        .unwrap();
    caught_up(api).await;
    assert_eq!(ticket_ids(api).await, vec![before]);

    let (status, _) = api
        .post_empty(&format!("/admin/chaos/stores/{STORE}/down"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let held = place_while_down(api, 5).await;
    // Accepted by the store? Its kitchen has not seen them.
    assert_eq!(ticket_ids(api).await, vec![before]);
    // Other stores and the other views carry on.
    let elsewhere = api.place("elsewhere", "mangwon-ramen").await["id"]
        .as_u64()
        .unwrap();
    await_field(
        api,
        &format!("/foodCookings/{elsewhere}"),
        "status",
        "Requested",
    )
    .await;
    let _ = other_store;
    await_field(api, &format!("/myPages/{}", held[4]), "status", "Placed").await;

    let (status, up) = api
        .post_empty(&format!("/admin/chaos/stores/{STORE}/up"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(up["delivered"], 5);
    let mut expected = vec![before];
    expected.extend(&held);
    assert_eq!(ticket_ids(api).await, expected, "every one, in order, once");
    let (status, ticket) = api
        .post_empty(&format!("/foodCookings/{}/accept", held[0]))
        .await;
    assert_eq!(status, StatusCode::OK, "{ticket}");
    await_field(
        api,
        &format!("/foodCookings/{}", held[0]),
        "status",
        "Accepted",
    )
    .await;
    // Up again, new orders flow straight in.
    let after = api.place("late", STORE).await["id"].as_u64().unwrap();
    await_field(
        api,
        &format!("/foodCookings/{after}"),
        "status",
        "Requested",
    )
    .await;
    let (_, up_again) = api
        .post_empty(&format!("/admin/chaos/stores/{STORE}/up"))
        .await;
    assert_eq!(up_again["delivered"], 0);
}

#[tokio::test]
async fn held_back_events_are_delivered_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &["--chaos"]);
    server
        .api
        .post_empty(&format!("/admin/chaos/stores/{STORE}/down"))
        .await;
    let held = place_while_down(&server.api, 3).await;
    // Canceling one while down: the kitchen must see it placed, then canceled.
    let (status, _) = server
        .api
        .post_empty(&format!("/orders/{}/cancel", held[1]))
        .await;
    assert_eq!(status, StatusCode::OK);
    caught_up(&server.api).await;
    assert!(ticket_ids(&server.api).await.is_empty());
    server.kill();

    let server = Server::start(dir.path(), &["--chaos"]);
    let api = &server.api;
    // The backlog (if it was flushed before the kill) or the log (if not)
    // delivers them: either way, all of them, in order, once.
    caught_up(api).await;
    assert_eq!(ticket_ids(api).await, held);
    let statuses: Vec<Value> = {
        let (_, tickets) = api.get(&format!("/foodCookings?storeId={STORE}")).await;
        tickets
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["status"].clone())
            .collect()
    };
    assert_eq!(statuses, vec!["Requested", "Canceled", "Requested"]);
}
