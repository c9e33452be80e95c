//! The Toss Payments adapter (`--payment-gateway toss`) against a fake Toss
//! speaking its API over real HTTP (`common::fake_pg`): approval of what
//! the widget authorized, declines, a payment used twice, partial cancels
//! for revisions, whole cancels, a lost answer replayed under its
//! idempotency key, an approval the gateway forgot it made, a timeout
//! settled by lookup, 5xx opening the breaker, and a crash while the
//! approval is on its way.

mod common;

use common::fake_pg::Faults;
use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// A fake Toss and a server paying through it, on its own directory.
struct Paying {
    fake: FakePg,
    server: Server,
    dir: tempfile::TempDir,
}

/// A fake Toss and a server with `extra` flags paying through it.
async fn paying(extra: &[&str]) -> Paying {
    let fake = FakePg::start().await;
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), &fake, extra).await;
    Paying { fake, server, dir }
}

/// A server paying through `fake`, with `extra` flags.
async fn start(dir: &std::path::Path, fake: &FakePg, extra: &[&str]) -> Server {
    let mut flags: Vec<String> = fake.flags();
    flags.extend(extra.iter().map(|s| s.to_string()));
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    Server::start(dir, &flags)
}

/// What the customer's app does before `POST /orders`: the quote, then the
/// widget for its amount. Answers the body with `paymentKey` and
/// `paymentOrderId`, and the amount.
async fn paid_body(api: &Api, fake: &FakePg, mut body: Value, widget_order: &str) -> (Value, u64) {
    let (status, quote) = api.post("/orders/quote", body.clone()).await;
    assert_eq!(status, StatusCode::OK, "{quote}");
    let amount = quote["amount"].as_u64().unwrap();
    body["paymentKey"] = fake.authorize(widget_order, amount, false).into();
    body["paymentOrderId"] = widget_order.into();
    (body, amount)
}

/// [`paid_body`] of kim's order of two fried chickens.
async fn kim_pays(api: &Api, fake: &FakePg, widget_order: &str) -> (Value, u64) {
    paid_body(
        api,
        fake,
        order_body("kim", "gangnam-chicken"),
        widget_order,
    )
    .await
}

/// Kim orders with a payment whose outcome stays unknown: 503, and the
/// customer is told a charge, if any, comes back.
async fn kim_pays_unanswered(api: &Api, fake: &FakePg, widget_order: &str) {
    let (body, _) = kim_pays(api, fake, widget_order).await;
    let (status, answer) = api.post("/orders", body).await;
    assert_problem(
        status,
        &answer,
        503,
        "if you were charged it will be refunded",
    );
}

fn confirms(fake: &FakePg) -> Vec<common::fake_pg::Call> {
    fake.calls()
        .into_iter()
        .filter(|c| c.path == "/v1/payments/confirm")
        .collect()
}

#[tokio::test]
async fn approves_what_the_widget_authorized_and_cancels_it_whole_on_cancel() {
    let Paying { fake, server, .. } = paying(&[]).await;
    let api = &server.api;
    let (body, amount) = kim_pays(api, &fake, "web-order-0001").await;
    let (status, order) = api.post("/orders", body).await;
    assert_eq!(status, StatusCode::CREATED, "{order}");
    assert_eq!(order["amount"], amount);
    let at_toss = fake.payment("web-order-0001").unwrap();
    assert_eq!(
        (at_toss.status.as_str(), at_toss.total_amount),
        ("DONE", amount)
    );
    let (_, payment) = api.get("/payments/1").await;
    assert_eq!(payment["status"], "Approved");
    assert_eq!(payment["transactionId"], at_toss.payment_key.as_str());
    let calls = confirms(&fake);
    assert_eq!(calls.len(), 1);
    assert!(calls[0]
        .idempotency_key
        .as_deref()
        .unwrap()
        .contains("web-order-0001"));

    let (status, _) = api.post_empty("/orders/1/cancel").await;
    assert_eq!(status, StatusCode::OK);
    await_field(api, "/payments/1", "status", "Refunded").await;
    let at_toss = fake.payment("web-order-0001").unwrap();
    assert_eq!(at_toss.status, "CANCELED");
    assert_eq!(at_toss.cancels.len(), 1);
    assert_eq!(at_toss.balance_amount, 0);
}

#[tokio::test]
async fn refuses_an_order_without_a_payment_key_a_declined_one_and_one_used_twice() {
    let Paying { fake, server, .. } = paying(&[]).await;
    let api = &server.api;

    let (status, body) = api
        .post("/orders", order_body("kim", "gangnam-chicken"))
        .await;
    assert_problem(status, &body, 422, "paymentKey is required");
    assert!(fake.calls().is_empty(), "Toss was not called");
    let mut half = order_body("kim", "gangnam-chicken");
    half["paymentKey"] = "tkey".into();
    let (status, body) = api.post("/orders", half).await;
    assert_problem(
        status,
        &body,
        422,
        "paymentOrderId must come with paymentKey",
    );

    // Declined by the card company: nothing placed.
    let (mut body, amount) = paid_body(
        api,
        &fake,
        order_body("lee", "gangnam-chicken"),
        "declined-01",
    )
    .await;
    body["paymentKey"] = fake.authorize("declined-02", amount, true).into();
    body["paymentOrderId"] = "declined-02".into();
    let (status, refused) = api.post("/orders", body).await;
    assert_problem(status, &refused, 402, "한도초과 혹은 잔액부족");
    assert_eq!(fake.payment("declined-02").unwrap().status, "ABORTED");
    let (_, mine) = api.get("/orders?customerId=lee").await;
    assert_eq!(mine, json!([]), "no order for a declined payment");

    // One widget payment pays for one order.
    let (body, _) = paid_body(
        api,
        &fake,
        order_body("park", "gangnam-chicken"),
        "once-only-01",
    )
    .await;
    let (status, first) = api.post("/orders", body.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let (status, again) = api.post("/orders", body).await;
    assert_problem(status, &again, 409, "already used for order");
    assert_eq!(
        again["type"].as_str().unwrap().rsplit('/').next(),
        Some("payment-key-used")
    );
    assert_eq!(
        confirms(&fake).len(),
        2,
        "the second use never reached Toss"
    );
    let (_, mine) = api.get("/orders?customerId=park").await;
    assert_eq!(mine.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_revision_down_is_a_partial_cancel_and_one_up_a_new_approval() {
    let Paying { fake, server, .. } = paying(&[]).await;
    let api = &server.api;
    let (body, amount) = kim_pays(api, &fake, "revised-0001").await;
    let (status, order) = api.post("/orders", body.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{order}");
    let menu = body["items"][0]["menuId"].clone();

    // Down: two dishes to one, the difference cancelled at Toss.
    let (status, revised) = api
        .post(
            "/orders/1/revise",
            json!({"items": [{"menuId": menu, "qty": 1}]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{revised}");
    let difference = amount - revised["amount"].as_u64().unwrap();
    let partial = eventually("Toss to have cancelled the difference", || async {
        fake.payment("revised-0001")
            .filter(|p| !p.cancels.is_empty())
    })
    .await;
    assert_eq!(partial.status, "PARTIAL_CANCELED");
    assert_eq!(partial.cancels[0].1, difference);
    assert_eq!(partial.balance_amount, revised["amount"].as_u64().unwrap());

    // Up: needs the customer's approval of the extra in the widget.
    let three = json!({"items": [{"menuId": menu, "qty": 3}]});
    let (status, refused) = api.post("/orders/1/revise", three.clone()).await;
    assert_problem(status, &refused, 422, "paymentKey is required");
    let mut three_body = order_body("kim", "gangnam-chicken");
    three_body["items"] = three["items"].clone();
    let (_, quote) = api.post("/orders/quote", three_body).await;
    let extra = quote["amount"].as_u64().unwrap() - revised["amount"].as_u64().unwrap();
    // The checkout's own payment cannot pay for it again.
    let mut reused = three.clone();
    reused["paymentKey"] = body["paymentKey"].clone();
    reused["paymentOrderId"] = "revised-0001".into();
    let (status, refused) = api.post("/orders/1/revise", reused).await;
    assert_problem(status, &refused, 409, "already used for order 1");
    let mut up = three.clone();
    up["paymentKey"] = fake.authorize("revised-0002", extra, false).into();
    up["paymentOrderId"] = "revised-0002".into();
    let (status, grown) = api.post("/orders/1/revise", up).await;
    assert_eq!(status, StatusCode::OK, "{grown}");
    let at_toss = fake.payment("revised-0002").unwrap();
    assert_eq!(
        (at_toss.status.as_str(), at_toss.total_amount),
        ("DONE", extra)
    );
    let (_, payment) = api.get("/payments/1").await;
    assert_eq!(payment["amount"], grown["amount"]);
}

#[tokio::test]
async fn a_lost_answer_is_replayed_under_its_idempotency_key() {
    let Paying { fake, server, .. } = paying(&[]).await;
    let api = &server.api;
    fake.faults(|f| f.drop_answers = 1);
    let (body, amount) = kim_pays(api, &fake, "lost-answer-1").await;
    let (status, order) = api.post("/orders", body).await;
    assert_eq!(status, StatusCode::CREATED, "{order}");
    let calls = confirms(&fake);
    assert_eq!(calls.len(), 2, "sent again after the answer was lost");
    assert_eq!(calls[0].idempotency_key, calls[1].idempotency_key);
    let at_toss = fake.payment("lost-answer-1").unwrap();
    assert_eq!(
        (at_toss.status.as_str(), at_toss.total_amount),
        ("DONE", amount)
    );
}

#[tokio::test]
async fn an_approval_the_gateway_does_not_replay_is_found_by_lookup() {
    let Paying { fake, server, .. } = paying(&[]).await;
    let api = &server.api;
    fake.faults(|f| {
        f.drop_answers = 1;
        f.forget_idempotency = true;
    });
    let (body, _) = kim_pays(api, &fake, "forgotten-01").await;
    let (status, order) = api.post("/orders", body).await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "ALREADY_PROCESSED_PAYMENT, then found: {order}"
    );
    let paths: Vec<String> = fake
        .calls()
        .iter()
        .map(|c| format!("{} {}", c.method, c.path))
        .collect();
    assert_eq!(
        paths,
        [
            "POST /v1/payments/confirm",
            "POST /v1/payments/confirm",
            "GET /v1/payments/orders/forgotten-01"
        ]
    );
    assert_eq!(fake.payment("forgotten-01").unwrap().status, "DONE");
}

#[tokio::test]
async fn a_refusal_after_a_lost_answer_is_not_taken_for_nothing_done() {
    let Paying { fake, server, .. } = paying(&[]).await;
    let api = &server.api;
    // Approved, its answer lost; sent again, refused rather than replayed.
    fake.faults(|f| {
        f.drop_answers = 1;
        f.refuse_repeats = true;
    });
    kim_pays_unanswered(api, &fake, "refused-again-1").await;
    // Toss did approve it: found and given back, never kept without an order.
    await_field(api, "/payments/1", "status", "Refunded").await;
    let at_toss = fake.payment("refused-again-1").unwrap();
    assert_eq!(
        (at_toss.status.as_str(), at_toss.balance_amount),
        ("CANCELED", 0)
    );
    assert_eq!(api.get("/orders/1").await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_approval_still_in_flight_is_not_taken_for_none() {
    let flags = ["--breaker-call-timeout-ms", "300"];
    let Paying { fake, server, .. } = paying(&flags).await;
    let api = &server.api;
    // Toss works on it for 2 s: the call times out, and the resolver's
    // first lookups (from 0.6 s) find it IN_PROGRESS.
    fake.faults(|f| f.slow_confirms_ms = Some(2_000));
    kim_pays_unanswered(api, &fake, "in-flight-01").await;
    eventually("a lookup while it is in progress", || async {
        let looked = fake.calls().iter().any(|c| c.method == "GET");
        (looked && fake.payment("in-flight-01").unwrap().status == "IN_PROGRESS").then_some(())
    })
    .await;
    assert_eq!(
        api.get("/payments/1").await.1["status"],
        "Pending",
        "not concluded yet"
    );
    // Then Toss approves it, and the resolver gives it back.
    await_field(api, "/payments/1", "status", "Refunded").await;
    let at_toss = fake.payment("in-flight-01").unwrap();
    assert_eq!(
        (at_toss.status.as_str(), at_toss.cancels.len()),
        ("CANCELED", 1)
    );
}

#[tokio::test]
async fn a_timed_out_approval_is_settled_by_lookup_and_cancelled() {
    let Paying { fake, server, .. } = paying(&["--breaker-call-timeout-ms", "300"]).await;
    let api = &server.api;
    fake.faults(|f| f.hold_confirms_ms = Some(3_000));
    kim_pays_unanswered(api, &fake, "timed-out-01").await;
    // Toss did approve it; the resolver finds it and gives it back.
    fake.faults(|f| f.hold_confirms_ms = None);
    await_field(api, "/payments/1", "status", "Refunded").await;
    let at_toss = fake.payment("timed-out-01").unwrap();
    assert_eq!(at_toss.status, "CANCELED", "{at_toss:?}");
    assert_eq!(at_toss.cancels.len(), 1, "cancelled once");
    assert_eq!(api.get("/orders/1").await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn five_hundreds_open_the_breaker_and_nothing_is_charged() {
    let breaker = [
        "--breaker-window",
        "4",
        "--breaker-min-calls",
        "2",
        "--breaker-open-wait-ms",
        "60000",
    ];
    let Paying { fake, server, .. } = paying(&breaker).await;
    let api = &server.api;
    fake.faults(|f| f.fail_5xx = 1_000);
    for n in 0..2 {
        let widget = format!("failing-{n:04}");
        let (body, _) = kim_pays(api, &fake, &widget).await;
        let (status, answer) = api.post("/orders", body).await;
        // 5xx twice: Toss may have approved it; the customer is told so.
        assert_problem(
            status,
            &answer,
            503,
            "if you were charged it will be refunded",
        );
    }
    let before = fake.calls().len();
    let (body, _) = kim_pays(api, &fake, "failing-open").await;
    let (status, answer) = api.post("/orders", body).await;
    assert_problem(status, &answer, 503, "payment is unavailable");
    assert_eq!(fake.calls().len(), before, "refused before Toss was called");
    let (_, health) = api.get("/health").await;
    assert_eq!(health["circuitBreaker"]["state"], "open", "{health}");
    for p in fake.payments() {
        assert_ne!(p.status, "DONE", "nothing was approved: {p:?}");
    }
}

#[tokio::test]
async fn an_approval_cut_off_by_a_crash_becomes_the_order_once() {
    let Paying { fake, server, dir } = paying(&["--breaker-call-timeout-ms", "60000"]).await;
    let api = server.api.clone();
    fake.faults(|f| f.hold_confirms_ms = Some(60_000));
    let (body, amount) = kim_pays(&api, &fake, "crashed-0001").await;
    let customer = tokio::spawn({
        let api = api.clone();
        async move { api.post("/orders", body).await }
    });
    eventually("Toss to have approved", || async {
        fake.payment("crashed-0001").filter(|p| p.status == "DONE")
    })
    .await;
    server.kill();
    assert!(customer.await.is_err(), "the customer never got an answer");

    fake.faults(|f| *f = Faults::default());
    let server = start(dir.path(), &fake, &[]).await;
    let api = &server.api;
    let order = await_field(api, "/orders/1", "status", "Placed").await;
    assert_eq!(order["amount"], amount);
    let payment = await_field(api, "/payments/1", "status", "Approved").await;
    let at_toss = fake.payment("crashed-0001").unwrap();
    assert_eq!(payment["transactionId"], at_toss.payment_key.as_str());
    assert_eq!(
        (at_toss.status.as_str(), at_toss.cancels.len()),
        ("DONE", 0)
    );
    assert_eq!(confirms(&fake).len(), 1, "never approved again: looked up");
    api.advance(1, "r", "Completed").await;
}
