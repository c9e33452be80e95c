//! Coupons, reviews and ratings: a review of a completed order issues a
//! coupon; the coupon discounts an order, is restored on cancel and refused
//! once used; deleting a review revokes its coupon (unless used); ratings
//! follow reviews and deletions. All of it across a restart.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

const STORE: &str = "gangnam-chicken";

async fn completed(api: &Api, customer: &str) -> u64 {
    let id = api.place(customer, STORE).await["id"].as_u64().unwrap();
    api.advance(id, "r", "Completed").await;
    id
}

fn review(order: u64, customer: &str, rating: u8) -> Value {
    json!({ "orderId": order, "customerId": customer, "rating": rating, "text": "바삭하고 맛있어요" })
}

fn with_coupon(customer: &str, coupon: &str) -> Value {
    let mut body = order_body(customer, STORE);
    body["couponId"] = json!(coupon);
    body
}

async fn coupon_status(api: &Api, customer: &str, coupon: &str) -> String {
    let (_, coupons) = api.get(&format!("/coupons?customerId={customer}")).await;
    coupons
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == coupon)
        .unwrap()["status"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn a_review_earns_a_coupon_that_discounts_once_and_comes_back_on_cancel() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let api = &server.api;
    let first = completed(api, "kim").await;
    let (status, written) = api.post("/reviews", review(first, "kim", 5)).await;
    assert_eq!(status, StatusCode::CREATED, "{written}");
    assert_eq!(written["orderId"], first);
    assert_eq!(written["storeId"], STORE);
    let coupon = written["couponId"].as_str().unwrap().to_string();
    let (_, coupons) = api.get("/coupons?customerId=kim").await;
    assert_eq!(coupons[0]["amount"], 2000);
    assert_eq!(coupons[0]["status"], "Issued");
    assert_eq!(coupons[0]["reviewId"], written["id"]);

    // Used at checkout: the charge is the discounted amount.
    let (status, order) = api.post("/orders", with_coupon("kim", &coupon)).await;
    assert_eq!(status, StatusCode::CREATED, "{order}");
    let unit = order["items"][0]["unitPrice"].as_u64().unwrap();
    assert_eq!(order["discount"], 2000);
    assert_eq!(order["amount"].as_u64().unwrap(), 2 * unit - 2000);
    let (_, payment) = api.get(&format!("/payments/{}", order["id"])).await;
    assert_eq!(payment["amount"], order["amount"]);
    assert_eq!(coupon_status(api, "kim", &coupon).await, "Used");
    let (status, body) = api.post("/orders", with_coupon("kim", &coupon)).await;
    assert_problem(status, &body, 409, "already used");

    // Canceled: the coupon is restored and can be used again.
    api.post_empty(&format!("/orders/{}/cancel", order["id"]))
        .await;
    caught_up(api).await;
    assert_eq!(coupon_status(api, "kim", &coupon).await, "Issued");
    let (status, again) = api.post("/orders", with_coupon("kim", &coupon)).await;
    assert_eq!(status, StatusCode::CREATED, "{again}");

    // Another customer's coupon, an unknown one: refused, nothing charged.
    for (customer, code, needle) in [
        ("lee", coupon.as_str(), "unknown"),
        ("kim", "FREE-FOOD", "unknown"),
    ] {
        let (status, body) = api.post("/orders", with_coupon(customer, code)).await;
        assert_problem(status, &body, 409, needle);
    }
    assert_eq!(api.get("/orders?customerId=lee").await.1, json!([]));

    assert!(server.stop().success());
    let server = Server::start(dir.path(), &[]);
    assert_eq!(
        coupon_status(&server.api, "kim", &coupon).await,
        "Used",
        "across a restart"
    );
}

#[tokio::test]
async fn reviews_are_checked_and_deleting_one_revokes_its_coupon() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let api = &server.api;
    let done = completed(api, "park").await;
    let placed = api.place("park", STORE).await["id"].as_u64().unwrap();
    let (status, body) = api.post("/reviews", review(placed, "park", 4)).await;
    assert_problem(status, &body, 409, "needs it to be Completed");
    // Another customer's order does not exist for choi.
    let (status, body) = api.post("/reviews", review(done, "choi", 4)).await;
    assert_problem(status, &body, 404, "does not exist");
    let (status, body) = api.post("/reviews", review(done, "park", 6)).await;
    assert_problem(status, &body, 422, "rating");
    let mut long = review(done, "park", 4);
    long["text"] = json!("맛".repeat(1001));
    let (status, body) = api.post("/reviews", long).await;
    assert_problem(status, &body, 422, "1000");
    let (status, body) = api.post("/reviews", review(999_999, "park", 4)).await;
    assert_problem(status, &body, 404, "does not exist");

    let (status, written) = api.post("/reviews", review(done, "park", 4)).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, body) = api.post("/reviews", review(done, "park", 1)).await;
    assert_problem(status, &body, 409, "already reviewed");
    let coupon = written["couponId"].as_str().unwrap().to_string();
    let (status, body) = api
        .as_customer("choi")
        .await
        .delete(&format!("/reviews/{}", written["id"]))
        .await;
    assert_problem(status, &body, 404, "does not exist");
    let (status, _) = api
        .as_customer("park")
        .await
        .delete(&format!("/reviews/{}", written["id"]))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(coupon_status(api, "park", &coupon).await, "Revoked");
    let (status, body) = api.post("/reviews", review(done, "park", 5)).await;
    assert_problem(status, &body, 409, "already reviewed");
    let (status, body) = api.post("/orders", with_coupon("park", &coupon)).await;
    assert_problem(status, &body, 409, "revoked");
    let (status, body) = api
        .delete(&format!("/reviews/{}?customerId=park", written["id"]))
        .await;
    assert_problem(status, &body, 404, "does not exist");

    // Across a restart: the deletion stands.
    assert!(server.stop().success());
    let server = Server::start(dir.path(), &[]);
    let api = &server.api;
    assert_eq!(coupon_status(api, "park", &coupon).await, "Revoked");
    let (status, body) = api.post("/reviews", review(done, "park", 5)).await;
    assert_problem(status, &body, 409, "already reviewed");

    // A review whose coupon was used cannot be deleted.
    let other = completed(api, "park").await;
    let (_, written) = api.post("/reviews", review(other, "park", 5)).await;
    let coupon = written["couponId"].as_str().unwrap();
    let (status, _) = api.post("/orders", with_coupon("park", coupon)).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, body) = api
        .delete(&format!("/reviews/{}?customerId=park", written["id"]))
        .await;
    assert_problem(status, &body, 409, "coupon was already used");
}

#[tokio::test]
async fn ratings_follow_reviews_and_deletions() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let api = &server.api;
    let mut reviews = Vec::new();
    for (customer, stars) in [("a", 5), ("b", 4), ("c", 2)] {
        let id = completed(api, customer).await;
        let (_, written) = api.post("/reviews", review(id, customer, stars)).await;
        reviews.push(written);
    }
    let (status, _) = api
        .delete(&format!("/reviews/{}?customerId=c", reviews[2]["id"]))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    caught_up(api).await;
    let (_, rating) = api.get(&format!("/stores/{STORE}/rating")).await;
    assert_eq!(
        rating,
        json!({ "storeId": STORE, "average": 4.5, "count": 2, "distribution": [0, 0, 0, 1, 1] })
    );
    let (_, store) = api.get(&format!("/stores/{STORE}")).await;
    assert_eq!(store["rating"], json!({ "average": 4.5, "count": 2 }));
    let (_, stores) = api.get("/stores").await;
    let listed = stores
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == STORE)
        .unwrap()
        .clone();
    assert_eq!(listed["rating"]["count"], 2);
    let (status, body) = api.get("/stores/nope/rating").await;
    assert_problem(status, &body, 404, "nope");

    assert!(server.stop().success());
    let server = Server::start(dir.path(), &[]);
    caught_up(&server.api).await;
    assert_eq!(
        server.api.get(&format!("/stores/{STORE}/rating")).await.1,
        rating,
        "across a restart"
    );
}

#[tokio::test]
async fn a_coupon_used_on_a_declined_checkout_is_given_back() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &["--sandbox-decline-over", "50000"]);
    let api = &server.api;
    let id = completed(api, "kim").await;
    let (_, written) = api.post("/reviews", review(id, "kim", 5)).await;
    let coupon = written["couponId"].as_str().unwrap().to_string();
    let mut big = with_coupon("kim", &coupon);
    big["items"][0]["qty"] = json!(5);
    let (status, body) = api.post("/orders", big).await;
    assert_problem(status, &body, 402, "declined");
    caught_up(api).await;
    assert_eq!(coupon_status(api, "kim", &coupon).await, "Issued");
    let (status, order) = api.post("/orders", with_coupon("kim", &coupon)).await;
    assert_eq!(status, StatusCode::CREATED, "{order}");
    assert_eq!(order["discount"], 2000);
}

#[tokio::test]
async fn a_store_selling_for_one_won_farms_no_coupons() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let api = &server.api;
    let admin = api.as_admin().await;
    let (status, _) = admin
        .post(
            "/auth/signup",
            json!({ "id": "farmer", "password": PASSWORD, "role": "owner", "name": "농부" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let farmer = api.as_account("farmer", "owner").await;
    let farm = json!({
        "id": "farm", "name": "1원 가게", "address": "서울 마포구 양화로 3",
        "menu": [{ "id": "air", "name": "공기", "price": 1 }],
    });
    let (status, _) = farmer.post("/stores", farm).await;
    assert_eq!(status, StatusCode::CREATED);
    // Unapproved, it takes no orders at all.
    let order = json!({ "customerId": "kim", "storeId": "farm", "items": [{ "menuId": "air", "qty": 1 }], "address": "서울 마포구 양화로 4" });
    let (status, body) = api.post("/orders", order.clone()).await;
    assert_problem(status, &body, 404, "does not exist");
    // Approved, its 1-won orders earn reviews but no coupon.
    let (status, _) = admin.post_empty("/stores/farm/approve").await;
    assert_eq!(status, StatusCode::OK);
    for _ in 0..3 {
        let (status, placed) = api.post("/orders", order.clone()).await;
        assert_eq!(status, StatusCode::CREATED, "{placed}");
        let id = placed["id"].as_u64().unwrap();
        let (status, _) = farmer
            .post_empty(&format!("/foodCookings/{id}/accept"))
            .await;
        assert_eq!(status, StatusCode::OK);
        api.advance(id, "r", "Completed").await;
        let (status, written) = api.post("/reviews", review(id, "kim", 5)).await;
        assert_eq!(status, StatusCode::CREATED, "{written}");
        assert_eq!(written["couponId"], Value::Null);
    }
    let (_, coupons) = api.get("/coupons?customerId=kim").await;
    assert_eq!(coupons, json!([]), "no coupon farmed");
}
