//! What a store promises and charges, through the real binary: cooking
//! minutes and the ETA, the one delay, the quote, the delivery terms
//! (fee, minimum, radius), and the notes each party alone may read.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// A store with a fee, a minimum of 20,000 won and a 4 km radius (demo
/// data), and its owner.
const SUSHI: &str = "cheongdam-sushi";
const SUSHI_OWNER: &str = "owner-cheongdam-sushi";

fn start() -> (tempfile::TempDir, Server) {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    (dir, server)
}

/// An order body to the sushi store: `qty` of its first dish (18,000 won),
/// delivered `km_north` of the store.
fn sushi(customer: &str, qty: u64, km_north: f64) -> Value {
    json!({
        "customerId": customer,
        "storeId": SUSHI,
        "items": [{ "menuId": "moduem-sushi", "qty": qty }],
        "address": "서울특별시 강남구 도산대로 450",
        "lat": 37.5245 + km_north / 111.195,
        "lon": 127.0452,
    })
}

#[tokio::test]
async fn a_quote_answers_the_bill_and_charges_nothing() {
    let (_dir, server) = start();
    let kim = server.api.as_customer("kim").await;
    // 2.2 km: 3,500 up to 1.5 km, then 500 for each started 500 m.
    let (status, quote) = kim.post("/orders/quote", sushi("kim", 2, 2.2)).await;
    assert_eq!(status, StatusCode::OK, "{quote}");
    assert_eq!(quote["subtotal"], 36_000);
    assert_eq!(quote["discount"], 0);
    assert_eq!(quote["deliveryFee"], 3_500 + 2 * 500);
    assert_eq!(quote["amount"], 36_000 + 4_500);
    let km = quote["distanceKm"].as_f64().unwrap();
    assert!((km - 2.2).abs() < 0.02, "{km}");
    // Nothing was charged or placed.
    let (_, orders) = kim.get("/orders").await;
    assert_eq!(orders, json!([]));
    // The same body placed costs what the quote said, the fee a line of it.
    let (status, order) = kim.post("/orders", sushi("kim", 2, 2.2)).await;
    assert_eq!(status, StatusCode::CREATED, "{order}");
    assert_eq!(order["amount"], quote["amount"]);
    assert_eq!(order["fees"]["deliveryWon"], 4_500);
    let (_, payment) = kim.get(&format!("/payments/{}", order["id"])).await;
    assert_eq!(payment["amount"], quote["amount"]);
}

#[tokio::test]
async fn under_the_minimum_or_outside_the_radius_is_refused_with_what_is_wrong() {
    let (_dir, server) = start();
    let kim = server.api.as_customer("kim").await;
    for path in ["/orders/quote", "/orders"] {
        let (status, body) = kim.post(path, sushi("kim", 1, 1.0)).await;
        assert_problem(
            status,
            &body,
            422,
            "at least 20000 won of food; add 2000 won more",
        );
        assert_eq!(body["type"], "/problems/below-minimum-order");
        let (status, body) = kim.post(path, sushi("kim", 2, 4.5)).await;
        assert_problem(
            status,
            &body,
            422,
            "km from store \"cheongdam-sushi\", which delivers within 4 km",
        );
        assert_eq!(body["type"], "/problems/outside-delivery-area");
        // A drop-off in New York is not even in Seoul.
        let mut far = sushi("kim", 2, 0.0);
        far["lat"] = json!(40.71);
        far["lon"] = json!(-74.0);
        far["address"] = json!("5th Avenue, New York");
        let (status, body) = kim.post(path, far).await;
        assert_problem(status, &body, 422, "outside Seoul");
    }
    let (_, orders) = kim.get("/orders").await;
    assert_eq!(orders, json!([]), "nothing placed, nothing charged");
}

#[tokio::test]
async fn a_coupon_comes_off_the_food_never_the_fee() {
    let (_dir, server) = start();
    let api = &server.api;
    // A completed, reviewed order earns kim a coupon.
    let first = api.place("kim", "gangnam-chicken").await["id"]
        .as_u64()
        .unwrap();
    api.advance(first, "r1", "Completed").await;
    let kim = api.as_customer("kim").await;
    let review = json!({ "orderId": first, "rating": 5, "text": "맛있어요" });
    let (status, answer) = kim.post("/reviews", review).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    let coupon = eventually("the review's coupon", || async {
        let (_, wallet) = kim.get("/coupons?customerId=kim").await;
        wallet.as_array()?.first()?["id"]
            .as_str()
            .map(str::to_string)
    })
    .await;
    let mut body = sushi("kim", 2, 2.2);
    body["couponId"] = json!(coupon);
    let (status, quote) = kim.post("/orders/quote", body.clone()).await;
    assert_eq!(status, StatusCode::OK, "{quote}");
    let discount = quote["discount"].as_u64().unwrap();
    assert!(discount > 0);
    assert_eq!(quote["amount"].as_u64().unwrap(), 36_000 - discount + 4_500);
    let (status, order) = kim.post("/orders", body).await;
    assert_eq!(status, StatusCode::CREATED, "{order}");
    assert_eq!(order["amount"], quote["amount"]);
    assert_eq!(order["discount"], discount);
}

#[tokio::test]
async fn an_accept_with_cooking_minutes_promises_a_time_and_a_delay_moves_it_once() {
    let (_dir, server) = start();
    let api = &server.api;
    let owner = api.as_account(SUSHI_OWNER, "owner").await;
    let (_, order) = api.post("/orders", sushi("kim", 2, 1.0)).await;
    let id = order["id"].as_u64().unwrap();
    // Out of bounds: refused, and the order is still waiting.
    let accept = format!("/foodCookings/{id}/accept");
    let (status, body) = owner.post(&accept, json!({ "cookingMinutes": 200 })).await;
    assert_problem(
        status,
        &body,
        422,
        "cookingMinutes must be between 5 and 120",
    );
    let (_, still) = api.get(&format!("/orders/{id}")).await;
    assert_eq!(still["status"], "Placed");
    assert_eq!(still["readyBy"], Value::Null);
    // 15 minutes: the ticket and the order say when.
    let (status, ticket) = owner.post(&accept, json!({ "cookingMinutes": 15 })).await;
    assert_eq!(status, StatusCode::OK, "{ticket}");
    let (_, order) = api.get(&format!("/orders/{id}")).await;
    let accepted_at = ms(&order["history"][1]["at"]);
    let ready_by = ms(&order["readyBy"]);
    assert_eq!(ready_by, accepted_at + 15 * 60_000);
    assert_eq!(ms(&ticket["readyBy"]), ready_by);
    // 1 km straight is 1.3 km of road at 20 km/h: 4 minutes.
    let eta = ms(&order["estimatedDeliveryAt"]);
    assert_eq!(eta, ready_by + 4 * 60_000);
    // MyPage and the customer's notification carry it.
    caught_up(api).await;
    let (_, page) = api.get(&format!("/myPages/{id}")).await;
    assert_eq!(page["estimatedDeliveryAt"], order["estimatedDeliveryAt"]);
    let (_, told) = api.get("/notifications?customerId=kim").await;
    let accepted = told
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["status"] == "Accepted")
        .unwrap();
    assert!(
        accepted["message"]
            .as_str()
            .unwrap()
            .contains("조리 15분, 도착 예정"),
        "{accepted}"
    );
    // The customer may not delay; the store may, once.
    let delay = format!("/foodCookings/{id}/delay");
    let kim = api.as_customer("kim").await;
    let (status, body) = kim.post(&delay, json!({ "minutes": 10 })).await;
    assert_problem(status, &body, 403, "");
    let (status, body) = owner.post(&delay, json!({ "minutes": 10 })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = owner.post(&delay, json!({ "minutes": 10 })).await;
    assert_problem(status, &body, 409, "already delayed once");
    let (_, delayed) = api.get(&format!("/orders/{id}")).await;
    assert_eq!(ms(&delayed["readyBy"]), ready_by + 10 * 60_000);
    assert_eq!(ms(&delayed["estimatedDeliveryAt"]), eta + 10 * 60_000);
    assert_eq!(delayed["status"], "Accepted");
    caught_up(api).await;
    let (_, told) = api.get("/notifications?customerId=kim").await;
    assert!(told
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n["status"] == "Delayed"
            && n["message"].as_str().unwrap().contains("10분 늦어집니다")));
    // No body at all is the store's default (30 minutes for the sushi bar).
    let (_, other) = api.post("/orders", sushi("kim", 2, 1.0)).await;
    let other = other["id"].as_u64().unwrap();
    let (status, _) = owner
        .post_empty(&format!("/foodCookings/{other}/accept"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, other) = api.get(&format!("/orders/{other}")).await;
    assert_eq!(
        ms(&other["readyBy"]),
        ms(&other["history"][1]["at"]) + 30 * 60_000
    );
}

#[tokio::test]
async fn a_store_that_auto_accepts_answers_the_checkout_accepted() {
    let (_dir, server) = start();
    let api = &server.api;
    // The coffee bar accepts by itself, 10 minutes; its minimum is 8,000.
    let body = json!({
        "customerId": "kim", "storeId": "euljiro-coffee",
        "items": [{ "menuId": demo_dish("euljiro-coffee").0, "qty": 2 }],
        "address": demo_dish("euljiro-coffee").1,
    });
    let (status, order) = api.post("/orders", body).await;
    assert_eq!(status, StatusCode::CREATED, "{order}");
    assert_eq!(order["status"], "Accepted");
    assert_eq!(order["history"][1]["by"]["role"], "System", "{order}");
    assert_eq!(
        ms(&order["readyBy"]),
        ms(&order["history"][1]["at"]) + 10 * 60_000
    );
}

#[tokio::test]
async fn only_the_owner_or_an_operator_sets_a_stores_terms_and_bad_terms_change_nothing() {
    let (_dir, server) = start();
    let api = &server.api;
    let terms = json!({
        "minOrderWon": 30000, "baseFeeWon": 2000, "baseDistanceKm": 1.0,
        "stepFeeWon": 1000, "stepKm": 1.0, "radiusKm": 3.0, "acceptDeadlineMinutes": 5
    });
    let path = format!("/stores/{SUSHI}/delivery");
    let other = api.as_account("owner-gangnam-chicken", "owner").await;
    let (status, body) = other.put(&path, terms.clone()).await;
    assert_problem(status, &body, 403, "");
    let kim = api.as_customer("kim").await;
    let (status, body) = kim.put(&path, terms.clone()).await;
    assert_problem(status, &body, 403, "");
    let (status, body) = api.anonymous().put(&path, terms.clone()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let owner = api.as_account(SUSHI_OWNER, "owner").await;
    let mut bad = terms.clone();
    bad["acceptDeadlineMinutes"] = json!(45);
    let (status, body) = owner.put(&path, bad).await;
    assert_problem(
        status,
        &body,
        422,
        "acceptDeadlineMinutes must be between 3 and 30",
    );
    let (_, store) = api.get(&format!("/stores/{SUSHI}")).await;
    assert_eq!(store["delivery"]["minOrderWon"], 20_000, "unchanged");
    let (status, store) = owner.put(&path, terms.clone()).await;
    assert_eq!(status, StatusCode::OK, "{store}");
    assert_eq!(store["delivery"], terms);
    let (status, body) = kim.post("/orders/quote", sushi("kim", 1, 1.0)).await;
    assert_problem(status, &body, 422, "add 12000 won more");
    let kitchen = json!({ "defaultCookingMinutes": 40, "autoAccept": false });
    let (status, store) = owner
        .put(&format!("/stores/{SUSHI}/kitchen"), kitchen.clone())
        .await;
    assert_eq!(status, StatusCode::OK, "{store}");
    assert_eq!(store["kitchen"], kitchen);
    let (status, body) = other
        .put(&format!("/stores/{SUSHI}/kitchen"), kitchen)
        .await;
    assert_problem(status, &body, 403, "");
}

#[tokio::test]
async fn each_note_is_read_by_its_party_only_and_never_in_a_notification() {
    let (_dir, server) = start();
    let api = &server.api;
    let mut body = order_body("kim", "gangnam-chicken");
    body["storeNote"] = json!("덜 맵게 해 주세요");
    body["riderNote"] = json!("문 앞에 두고 벨 눌러주세요");
    let (status, order) = api.post("/orders", body.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{order}");
    let id = order["id"].as_u64().unwrap();
    assert_eq!(
        order["notes"]["forStore"], "덜 맵게 해 주세요",
        "the customer's own"
    );
    let owner = api.as_account("owner-gangnam-chicken", "owner").await;
    let (_, seen) = owner.get(&format!("/orders/{id}")).await;
    assert_eq!(seen["notes"]["forStore"], "덜 맵게 해 주세요");
    assert_eq!(seen["notes"]["forRider"], Value::Null);
    caught_up(api).await;
    let (_, ticket) = owner.get(&format!("/foodCookings/{id}")).await;
    assert_eq!(ticket["note"], "덜 맵게 해 주세요");
    api.advance(id, "rider-1", "Cooked").await;
    caught_up(api).await;
    let rider = api.as_rider("rider-1").await;
    let (_, delivery) = rider.get(&format!("/deliveries/{id}")).await;
    assert_eq!(delivery["note"], "문 앞에 두고 벨 눌러주세요", "{delivery}");
    let (_, seen) = rider.get(&format!("/orders/{id}")).await;
    assert_eq!(seen["notes"]["forStore"], Value::Null);
    assert_eq!(seen["notes"]["forRider"], "문 앞에 두고 벨 눌러주세요");
    // Each view keeps its note from the other party.
    let (status, ticket) = rider.get(&format!("/foodCookings/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{ticket}");
    assert_eq!(ticket["note"], Value::Null, "a rider reads no store note");
    let (status, delivery) = owner.get(&format!("/deliveries/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{delivery}");
    assert_eq!(
        delivery["note"],
        Value::Null,
        "an owner reads no rider note"
    );
    let (_, told) = api.get("/notifications?customerId=kim").await;
    let (_, store_told) = api.get("/notifications?storeId=gangnam-chicken").await;
    let all = format!("{told}{store_told}");
    assert!(!all.contains("맵게") && !all.contains("벨"), "{all}");
    // Longer than 200 characters: refused.
    body["riderNote"] = json!("벨".repeat(201));
    let (status, answer) = api.post("/orders", body).await;
    assert_problem(status, &answer, 422, "riderNote");
}
