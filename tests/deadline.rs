//! The acceptance deadline through the real binary and a SIGKILL: an order
//! no store accepts is canceled (`NOT_ACCEPTED`) and refunded exactly once
//! after the restart, never before its time, and the store is reminded
//! half-way, once.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// A store registered without terms, so the server's deadline applies.
const STORE: &str = "late-bap";
/// `--accept-deadline-secs`: the least the server takes.
const DEADLINE_SECS: &str = "5";

fn start(dir: &std::path::Path) -> Server {
    Server::start(dir, &["--chaos", "--accept-deadline-secs", DEADLINE_SECS])
}

/// The sandbox gateway's refunds of order `id`'s charges.
async fn refunds_at_gateway(api: &Api, id: u64) -> usize {
    let (_, accounts) = api.get("/admin/chaos/payment/charges").await;
    accounts
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["orderId"] == id)
        .flat_map(|a| a["charges"].as_array().unwrap())
        .map(|c| c["refunds"].as_array().unwrap().len())
        .sum()
}

#[tokio::test]
async fn an_order_not_accepted_is_canceled_and_refunded_once_across_a_kill() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path());
    let store = json!({
        "id": STORE, "name": "늦은 밥집", "address": "서울특별시 마포구 양화로 1",
        "menu": [{ "id": "bap", "name": "제육덮밥", "price": 9000 }]
    });
    let (status, body) = server.api.post("/stores", store).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let order = json!({
        "customerId": "kim", "storeId": STORE,
        "items": [{ "menuId": "bap", "qty": 2 }],
        "address": "서울특별시 마포구 양화로 3",
    });
    let (status, placed) = server.api.post("/orders", order).await;
    assert_eq!(status, StatusCode::CREATED, "{placed}");
    let id = placed["id"].as_u64().unwrap();
    let placed_at = ms(&placed["history"][0]["at"]);
    let accept_by = ms(&placed["acceptBy"]);
    assert_eq!(accept_by, placed_at + 5_000);
    // Killed before anything is due: the deadline is only on disk now.
    server.kill();

    let server = start(dir.path());
    let api = &server.api;
    let (_, first) = api.get(&format!("/orders/{id}")).await;
    if now_ms() < accept_by {
        assert_eq!(first["status"], "Placed", "never before its time");
    }
    let canceled = await_field(api, &format!("/orders/{id}"), "status", "Canceled").await;
    assert_eq!(canceled["cancelCode"], "NOT_ACCEPTED");
    let change = canceled["history"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert!(
        ms(&change["at"]) >= accept_by,
        "canceled at its time: {change}"
    );
    assert_eq!(change["by"]["role"], "System");
    let paid = await_field(api, &format!("/payments/{id}"), "status", "Refunded").await;
    assert_eq!(paid["amount"], 18_000);
    assert_eq!(refunds_at_gateway(api, id).await, 1);
    caught_up(api).await;
    let (_, told) = api.get(&format!("/notifications?storeId={STORE}")).await;
    let told: Vec<&Value> = told.as_array().unwrap().iter().collect();
    let reminders = told
        .iter()
        .filter(|n| n["status"] == "AcceptReminded")
        .count();
    assert_eq!(reminders, 1, "{told:?}");
    assert!(told.iter().any(|n| n["message"]
        .as_str()
        .unwrap()
        .contains("수락 시간 초과로 취소")));
    let (_, kim) = api.get("/notifications?customerId=kim").await;
    assert!(
        kim.to_string().contains("제시간에 주문을 수락하지 않아"),
        "{kim}"
    );

    // Killed and started again: nothing fires twice.
    server.kill();
    let server = start(dir.path());
    let api = &server.api;
    caught_up(api).await;
    let (_, again) = api.get(&format!("/orders/{id}")).await;
    assert_eq!(again["history"], canceled["history"]);
    assert_eq!(refunds_at_gateway(api, id).await, 1);
    let (_, told) = api.get(&format!("/notifications?storeId={STORE}")).await;
    let reminders = told
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["status"] == "AcceptReminded")
        .count();
    assert_eq!(reminders, 1);
}

#[tokio::test]
async fn an_accepted_order_is_never_canceled_by_its_deadline() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path());
    let api = &server.api;
    let store = json!({
        "id": STORE, "name": "늦은 밥집", "address": "서울특별시 마포구 양화로 1",
        "menu": [{ "id": "bap", "name": "제육덮밥", "price": 9000 }]
    });
    api.post("/stores", store).await;
    let order = json!({
        "customerId": "kim", "storeId": STORE,
        "items": [{ "menuId": "bap", "qty": 1 }],
        "address": "서울특별시 마포구 양화로 3",
    });
    let (_, placed) = api.post("/orders", order.clone()).await;
    let id = placed["id"].as_u64().unwrap();
    let (status, _) = api.post_empty(&format!("/foodCookings/{id}/accept")).await;
    assert_eq!(status, StatusCode::OK);
    // A second order past its deadline shows the clock has run past the first's.
    let (_, later) = api.post("/orders", order).await;
    let later = later["id"].as_u64().unwrap();
    await_field(api, &format!("/orders/{later}"), "status", "Canceled").await;
    let (_, first) = api.get(&format!("/orders/{id}")).await;
    assert_eq!(first["status"], "Accepted", "{first}");
}
