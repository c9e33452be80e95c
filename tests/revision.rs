//! Order revision: while Placed, the items change and the payment follows
//! (an extra charge first, or a partial refund after); a failed extra
//! charge leaves the order as it was; points follow; all across a restart.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

const STORE: &str = "gangnam-chicken";

fn items(qty: u64) -> Value {
    json!({ "items": [{ "menuId": "fried", "qty": qty }] })
}

/// The order's account at the gateway.
async fn account(api: &Api, id: u64) -> Value {
    let (_, accounts) = api.get("/admin/chaos/payment/charges").await;
    let found = accounts
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["orderId"] == id);
    found.unwrap().clone()
}

/// What the gateway keeps for an order, and whether it gave back all.
async fn gateway_net(api: &Api, id: u64) -> (u64, bool) {
    let a = account(api, id).await;
    (
        a["net"].as_u64().unwrap(),
        a["fullyRefunded"].as_bool().unwrap(),
    )
}

/// Revises `placed` up to three while the gateway answers after the call
/// timed out: a 503 that says a charge, if any, will be refunded. Answers
/// the order's id, with the gateway fast again.
async fn revise_up_timing_out(api: &Api, placed: &Value) -> u64 {
    let id = placed["id"].as_u64().unwrap();
    api.post("/admin/chaos/payment", json!({ "latencyMs": 1000 }))
        .await;
    let (status, body) = api.post(&format!("/orders/{id}/revise"), items(3)).await;
    assert_problem(status, &body, 503, "will be refunded");
    api.post("/admin/chaos/payment", json!({ "latencyMs": 0 }))
        .await;
    id
}

#[tokio::test]
async fn revising_up_and_down_moves_the_money_and_the_points() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &["--chaos"]);
    let api = &server.api;
    let placed = api.place("kim", STORE).await; // two fried chicken, 38,000 won
    let id = placed["id"].as_u64().unwrap();
    assert_eq!(placed["amount"], 38_000);

    let (status, up) = api.post(&format!("/orders/{id}/revise"), items(3)).await;
    assert_eq!(status, StatusCode::OK, "{up}");
    assert_eq!(
        (up["amount"].as_u64(), up["items"][0]["qty"].as_u64()),
        (Some(57_000), Some(3))
    );
    assert_eq!(up["revision"], 1);
    assert_eq!(
        up["history"], placed["history"],
        "a revision is not a change of status"
    );
    let (_, payment) = api.get(&format!("/payments/{id}")).await;
    assert_eq!(payment["amount"], 57_000);
    assert_eq!(payment["revisions"][0]["delta"], 19_000);
    assert!(payment["revisions"][0]["transactionId"].is_string());
    assert_eq!(gateway_net(api, id).await, (57_000, false));
    caught_up(api).await;
    assert_eq!(api.get("/points/kim").await.1["balance"], 570);
    assert_eq!(
        api.get(&format!("/foodCookings/{id}")).await.1["items"][0]["qty"],
        3
    );
    assert_eq!(api.get(&format!("/myPages/{id}")).await.1["amount"], 57_000);
    let (_, notes) = api.get("/notifications?customerId=kim").await;
    assert!(notes
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n["message"].as_str().unwrap().contains("변경")));

    let (status, down) = api.post(&format!("/orders/{id}/revise"), items(1)).await;
    assert_eq!(status, StatusCode::OK, "{down}");
    assert_eq!(
        (down["amount"].as_u64(), down["revision"].as_u64()),
        (Some(19_000), Some(2))
    );
    assert_eq!(
        api.get(&format!("/payments/{id}")).await.1["amount"],
        19_000
    );
    caught_up(api).await;
    assert_eq!(
        gateway_net(api, id).await,
        (19_000, false),
        "the difference was refunded"
    );
    assert_eq!(api.get("/points/kim").await.1["balance"], 190);

    // Across a restart, then canceled: everything that is left comes back.
    assert!(server.stop().success());
    let server = Server::start(dir.path(), &["--chaos"]);
    let api = &server.api;
    assert_eq!(api.get(&format!("/orders/{id}")).await.1["amount"], 19_000);
    api.post_empty(&format!("/orders/{id}/cancel")).await;
    let payment = await_field(api, &format!("/payments/{id}"), "status", "Refunded").await;
    assert_eq!(payment["amount"], 19_000);
    caught_up(api).await;
    assert_eq!(
        gateway_net(api, id).await,
        (0, true),
        "everything still kept was given back"
    );
    let a = account(api, id).await;
    assert_eq!(
        (a["charged"].as_u64(), a["refunded"].as_u64()),
        (Some(57_000), Some(57_000))
    );
    assert_eq!(api.get("/points/kim").await.1["balance"], 0);
}

#[tokio::test]
async fn a_failed_extra_charge_leaves_the_order_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &["--chaos", "--sandbox-decline-over", "50000"]);
    let api = &server.api;
    let placed = api.place("lee", STORE).await;
    let id = placed["id"].as_u64().unwrap();
    let (status, body) = api.post(&format!("/orders/{id}/revise"), items(5)).await;
    assert_problem(status, &body, 402, "the order is as it was");
    let (_, order) = api.get(&format!("/orders/{id}")).await;
    assert_eq!(order, placed);
    assert_eq!(
        api.get(&format!("/payments/{id}")).await.1["amount"],
        38_000
    );
    assert_eq!(gateway_net(api, id).await, (38_000, false));

    api.post("/admin/chaos/payment", json!({ "failureRate": 1.0 }))
        .await;
    let (status, body) = api.post(&format!("/orders/{id}/revise"), items(3)).await;
    assert_problem(status, &body, 503, "nothing was charged");
    assert_eq!(api.get(&format!("/orders/{id}")).await.1, placed);
    api.post("/admin/chaos/payment", json!({ "failureRate": 0.0 }))
        .await;

    // Refused: not Placed any more, unknown order, no items.
    let (status, body) = api
        .post(&format!("/orders/{id}/revise"), json!({ "items": [] }))
        .await;
    assert_problem(status, &body, 422, "at least one menu item");
    let (status, body) = api.post("/orders/999999/revise", items(1)).await;
    assert_problem(status, &body, 404, "does not exist");
    api.advance(id, "r", "Accepted").await;
    let (status, body) = api.post(&format!("/orders/{id}/revise"), items(1)).await;
    assert_problem(status, &body, 409, "revising needs it to be Placed");
}

#[tokio::test]
async fn an_extra_charge_that_timed_out_is_refunded_and_the_order_stays() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &["--chaos", "--breaker-call-timeout-ms", "200"]);
    let api = &server.api;
    let placed = api.place("park", STORE).await;
    let id = revise_up_timing_out(api, &placed).await;
    // The gateway did take the extra 19,000 won; the resolver gives it back.
    eventually("the extra charge to be compensated", || async {
        (gateway_net(api, id).await == (38_000, false)
            && server.log().contains("pending revision compensated"))
        .then_some(())
    })
    .await;
    assert_eq!(api.get(&format!("/orders/{id}")).await.1, placed);
    assert_eq!(
        api.get(&format!("/payments/{id}")).await.1["amount"],
        38_000
    );
}

/// The fault of issue 12: a revision's extra charge timed out, the order
/// was canceled at once, and the resolver later gave the extra charge back.
/// The cancel refunds the order's own charge, the resolver the extra one:
/// each charge once, by its own transaction, and the sandbox (which no
/// longer clamps) shows no more refunded than charged.
#[tokio::test]
async fn a_cancel_after_a_timed_out_extra_charge_refunds_each_charge_once() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &["--chaos", "--breaker-call-timeout-ms", "200"]);
    let api = &server.api;
    let placed = api.place("han", STORE).await;
    let id = revise_up_timing_out(api, &placed).await;
    let (status, canceled) = api.post_empty(&format!("/orders/{id}/cancel")).await;
    assert_eq!(status, StatusCode::OK, "{canceled}");
    eventually("the cancel's refund and the compensation", || async {
        let (_, health) = api.get("/health").await;
        let (_, payment) = api.get(&format!("/payments/{id}")).await;
        (health["pendingRevisions"] == 0
            && payment["status"] == "Refunded"
            && payment["charges"].as_array().unwrap().len() == 2)
            .then_some(())
    })
    .await;
    caught_up(api).await;
    let a = account(api, id).await;
    assert_eq!(
        (
            a["charged"].as_u64(),
            a["refunded"].as_u64(),
            a["net"].as_i64()
        ),
        (Some(57_000), Some(57_000), Some(0)),
        "{a}"
    );
    let per_charge: Vec<(u64, Vec<u64>)> = a["charges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let refunds = c["refunds"].as_array().unwrap();
            let refunds = refunds.iter().map(|r| r.as_u64().unwrap()).collect();
            (c["amount"].as_u64().unwrap(), refunds)
        })
        .collect();
    assert_eq!(
        per_charge,
        [(38_000, vec![38_000]), (19_000, vec![19_000])],
        "each charge refunded once, whole"
    );
    let (_, payment) = api.get(&format!("/payments/{id}")).await;
    let causes: Vec<&Value> = payment["charges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["refunds"][0]["cause"])
        .collect();
    assert_eq!(causes[0], "Order");
    assert!(causes[1]["Compensation"].is_u64(), "{payment}");
}

#[tokio::test]
async fn a_retry_after_a_timed_out_extra_charge_is_a_new_charge_never_a_replay() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &["--chaos", "--breaker-call-timeout-ms", "200"]);
    let api = &server.api;
    let placed = api.place("choi", STORE).await;
    let id = revise_up_timing_out(api, &placed).await;
    // At once: refused until the first one is settled.
    let (status, body) = api.post(&format!("/orders/{id}/revise"), items(1)).await;
    assert_problem(status, &body, 409, "still being settled");
    eventually("the first extra charge to be compensated", || async {
        (api.get("/health").await.1["pendingRevisions"] == 0).then_some(())
    })
    .await;
    // Then a retry charges anew: the order and the gateway agree.
    let (status, up) = api.post(&format!("/orders/{id}/revise"), items(3)).await;
    assert_eq!(status, StatusCode::OK, "{up}");
    assert_eq!(up["amount"], 57_000);
    let a = account(api, id).await;
    assert_eq!(a["net"], 57_000, "{a}");
    assert_eq!(
        (a["charged"].as_u64(), a["refunded"].as_u64()),
        (Some(38_000 + 19_000 + 19_000), Some(19_000))
    );
    assert_eq!(
        api.get(&format!("/payments/{id}")).await.1["amount"],
        57_000
    );
}
