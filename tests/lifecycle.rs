//! The order lifecycle end to end, over HTTP against the real server.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

const STORE: &str = "gangnam-chicken";

fn start() -> (tempfile::TempDir, Server) {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    (dir, server)
}

fn id_of(order: &Value) -> u64 {
    order["id"].as_u64().expect("an order id")
}

fn statuses(order: &Value) -> Vec<String> {
    order["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["status"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn an_order_goes_from_placed_to_completed() {
    let (_dir, server) = start();
    let api = &server.api;
    let placed = api.place("kim", STORE).await;
    let id = id_of(&placed);
    assert_eq!(placed["status"], "Placed");
    assert_eq!(placed["storeId"], STORE);
    assert_eq!(placed["items"][0]["qty"], 2);
    let unit = placed["items"][0]["unitPrice"].as_u64().unwrap();
    assert_eq!(placed["amount"].as_u64().unwrap(), 2 * unit);

    let payment = await_field(api, &format!("/payments/{id}"), "status", "Approved").await;
    assert_eq!(payment["amount"], placed["amount"]);
    assert!(payment["transactionId"]
        .as_str()
        .is_some_and(|t| !t.is_empty()));

    let ticket = await_field(api, &format!("/foodCookings/{id}"), "status", "Requested").await;
    assert_eq!(ticket["storeId"], STORE);
    let (_, tickets) = api.get(&format!("/foodCookings?storeId={STORE}")).await;
    assert!(tickets
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["orderId"] == id));

    let completed = api.advance(id, "rider-1", "Completed").await;
    assert_eq!(
        statuses(&completed),
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
    assert_eq!(completed["riderId"], "rider-1");

    let page = await_field(api, &format!("/myPages/{id}"), "status", "Completed").await;
    assert_eq!(page["riderId"], "rider-1");
    assert_eq!(page["amount"], placed["amount"]);
    assert_eq!(statuses(&page), statuses(&completed));
    await_field(api, &format!("/deliveries/{id}"), "status", "Delivered").await;
    await_field(api, &format!("/foodCookings/{id}"), "status", "HandedOver").await;

    let (_, mine) = api.get("/orders?customerId=kim").await;
    assert_eq!(mine.as_array().unwrap().len(), 1);
    let (_, pages) = api.get("/myPages?customerId=kim").await;
    assert_eq!(pages.as_array().unwrap().len(), 1);
    let payment = api.get(&format!("/payments/{id}")).await.1;
    assert_eq!(
        payment["status"], "Approved",
        "a completed order keeps its payment"
    );
}

#[tokio::test]
async fn canceling_placed_and_accepted_orders_refunds_them() {
    let (_dir, server) = start();
    let api = &server.api;
    let placed = id_of(&api.place("lee", STORE).await);
    let accepted = id_of(&api.place("lee", STORE).await);
    api.advance(accepted, "r", "Accepted").await;

    let (status, order) = api.post_empty(&format!("/orders/{placed}/cancel")).await;
    assert_eq!(status, StatusCode::OK, "{order}");
    assert_eq!(order["status"], "Canceled");
    let (status, order) = api.delete(&format!("/orders/{accepted}")).await;
    assert_eq!(status, StatusCode::OK, "{order}");
    assert_eq!(statuses(&order), ["Placed", "Accepted", "Canceled"]);

    for id in [placed, accepted] {
        let payment = await_field(api, &format!("/payments/{id}"), "status", "Refunded").await;
        assert!(payment["refundedAt"].is_string());
        await_field(api, &format!("/foodCookings/{id}"), "status", "Canceled").await;
        await_field(api, &format!("/deliveries/{id}"), "status", "Canceled").await;
        await_field(api, &format!("/myPages/{id}"), "status", "Canceled").await;
    }
}

#[tokio::test]
async fn canceling_while_cooking_is_refused_and_changes_nothing() {
    let (_dir, server) = start();
    let api = &server.api;
    let id = id_of(&api.place("park", STORE).await);
    let before = api.advance(id, "r", "Cooking").await;
    let (status, body) = api.post_empty(&format!("/orders/{id}/cancel")).await;
    assert_problem(status, &body, 409, "cooking has started");
    let (status, body) = api.delete(&format!("/orders/{id}")).await;
    assert_problem(status, &body, 409, "cooking has started");
    let (_, after) = api.get(&format!("/orders/{id}")).await;
    assert_eq!(after, before);
    caught_up(api).await;
    let (_, ticket) = api.get(&format!("/foodCookings/{id}")).await;
    assert_eq!(ticket["status"], "Cooking");
    let (_, payment) = api.get(&format!("/payments/{id}")).await;
    assert_eq!(payment["status"], "Approved");
}

#[tokio::test]
async fn a_rejected_order_is_refunded() {
    let (_dir, server) = start();
    let api = &server.api;
    let id = id_of(&api.place("choi", STORE).await);
    let (status, ticket) = api
        .post(
            &format!("/foodCookings/{id}/reject"),
            json!({ "reason": "SOLD_OUT", "note": "닭이 다 떨어졌어요" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{ticket}");
    assert_eq!(ticket["status"], "Rejected");
    assert_eq!(ticket["rejectReason"], "재료 소진");
    let (_, order) = api.get(&format!("/orders/{id}")).await;
    assert_eq!(order["status"], "Rejected");
    assert_eq!(order["rejectCode"], "SOLD_OUT");
    assert_eq!(order["reasonNote"], "닭이 다 떨어졌어요");
    await_field(api, &format!("/payments/{id}"), "status", "Refunded").await;
    await_field(api, &format!("/myPages/{id}"), "status", "Rejected").await;
    // And a rejected order can be neither accepted nor canceled.
    let (status, body) = api.post_empty(&format!("/foodCookings/{id}/accept")).await;
    assert_problem(status, &body, 409, "already Rejected");
    let (status, body) = api.post_empty(&format!("/orders/{id}/cancel")).await;
    assert_problem(status, &body, 409, "already Rejected");
}

#[tokio::test]
async fn eight_racing_riders_one_wins() {
    let (_dir, server) = start();
    let api = &server.api;
    let id = id_of(&api.place("jung", STORE).await);
    api.advance(id, "unused", "Cooked").await;
    let races = (0..8).map(|i| {
        let api = api.clone();
        async move {
            let rider = format!("racer-{i}");
            let (status, body) = api
                .post(
                    &format!("/deliveries/{id}/pick"),
                    json!({ "riderId": rider }),
                )
                .await;
            (rider, status, body)
        }
    });
    let results = futures_util::future::join_all(races).await;
    let winners: Vec<_> = results
        .iter()
        .filter(|(_, s, _)| *s == StatusCode::OK)
        .collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    let winner = &winners[0].0;
    for (_, status, body) in results.iter().filter(|(_, s, _)| *s != StatusCode::OK) {
        assert_problem(*status, body, 409, "already taken");
    }
    let (_, order) = api.get(&format!("/orders/{id}")).await;
    assert_eq!(&order["riderId"], winner);
    let delivery = await_field(api, &format!("/deliveries/{id}"), "status", "PickedUp").await;
    assert_eq!(&delivery["riderId"], winner);
}

#[tokio::test]
async fn only_the_picking_rider_completes_and_confirm_waits_for_delivery() {
    let (_dir, server) = start();
    let api = &server.api;
    let id = id_of(&api.place("kang", STORE).await);
    api.advance(id, "r", "Cooked").await;

    let (status, body) = api.post_empty(&format!("/orders/{id}/confirm")).await;
    assert_problem(
        status,
        &body,
        409,
        "confirming delivery needs it to be Delivered",
    );

    let (status, _) = api
        .post(
            &format!("/deliveries/{id}/pick"),
            json!({ "riderId": "mine" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = api
        .post(
            &format!("/deliveries/{id}/complete"),
            json!({ "riderId": "thief" }),
        )
        .await;
    // Another rider's delivery does not exist for the thief.
    assert_problem(status, &body, 404, "does not exist");
    let (_, order) = api.get(&format!("/orders/{id}")).await;
    assert_eq!(order["status"], "PickedUp");

    let (status, body) = api.post_empty(&format!("/orders/{id}/confirm")).await;
    assert_problem(status, &body, 409, "is PickedUp");
    let (status, _) = api
        .post(
            &format!("/deliveries/{id}/complete"),
            json!({ "riderId": "mine" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, order) = api.post_empty(&format!("/orders/{id}/confirm")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(order["status"], "Completed");
    let (status, body) = api.post_empty(&format!("/orders/{id}/confirm")).await;
    assert_problem(status, &body, 409, "already Completed");
}

#[tokio::test]
async fn kitchen_steps_out_of_order_are_refused() {
    let (_dir, server) = start();
    let api = &server.api;
    let id = id_of(&api.place("yoon", STORE).await);
    let (status, body) = api.post_empty(&format!("/foodCookings/{id}/start")).await;
    assert_problem(
        status,
        &body,
        409,
        "starting to cook needs it to be Accepted",
    );
    let (status, body) = api.post_empty(&format!("/foodCookings/{id}/finish")).await;
    assert_problem(status, &body, 409, "needs it to be Cooking");
    let (status, body) = api
        .post(
            &format!("/deliveries/{id}/pick"),
            json!({ "riderId": "early" }),
        )
        .await;
    assert_problem(status, &body, 409, "needs it to be Cooked");
    let (status, body) = api
        .post(
            &format!("/foodCookings/{id}/reject"),
            json!({ "reason": "닭이 다 떨어졌어요" }),
        )
        .await;
    assert_problem(status, &body, 422, "reason must be one of SOLD_OUT");
    let (_, order) = api.get(&format!("/orders/{id}")).await;
    assert_eq!(statuses(&order), ["Placed"]);
    for path in [
        "/orders/999999/cancel",
        "/foodCookings/999999/accept",
        "/orders/999999/confirm",
    ] {
        let (status, body) = api.post_empty(path).await;
        assert_problem(status, &body, 404, "order 999999 does not exist");
    }
}

#[tokio::test]
async fn nearby_search_finds_ready_deliveries_within_the_radius_only() {
    let (_dir, server) = start();
    let api = &server.api;
    let seoul = id_of(&api.place("han", STORE).await);
    // A Busan address cannot be located (baedal delivers within Seoul) ...
    let busan = |lat_lon: Option<(f64, f64)>| {
        let mut body = json!({
            "customerId": "han", "storeId": STORE,
            "items": [{ "menuId": "fried", "qty": 1 }],
            "address": "부산광역시 해운대구 구남로 1",
        });
        if let Some((lat, lon)) = lat_lon {
            body["lat"] = json!(lat);
            body["lon"] = json!(lon);
        }
        body
    };
    let (status, body) = api.post("/orders", busan(None)).await;
    assert_problem(status, &body, 422, "names no district");
    // ... nor can its coordinates.
    let (status, body) = api.post("/orders", busan(Some((35.16, 129.16)))).await;
    assert_problem(status, &body, 422, "outside Seoul");
    // Nowon, 17 km north of Gangnam, by coordinates.
    let (status, body) = api
        .post(
            "/orders",
            json!({
                "customerId": "han", "storeId": "nowon-jjimdak",
                "items": [{ "menuId": demo_dish("nowon-jjimdak").0, "qty": 2 }],
                "address": "서울특별시 노원구 동일로 1400", "lat": 37.654, "lon": 127.06
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let nowon_by_coordinates = id_of(&body);
    let pending = id_of(&api.place("han", STORE).await);
    for id in [seoul, nowon_by_coordinates] {
        api.advance(id, "r", "Cooked").await;
    }
    caught_up(api).await;
    // `pending` is not cooked: not offered to riders.
    let _ = pending;
    // From Gangnam station: the Gangnam store's delivery, not Nowon's, not a pending one.
    let near = eventually("the ready delivery to be searchable", || async {
        let (status, found) = api
            .get("/deliveries?lat=37.4979&lon=127.0276&radiusKm=5")
            .await;
        assert_eq!(status, StatusCode::OK);
        let found = found.as_array().unwrap().clone();
        (!found.is_empty()).then_some(found)
    })
    .await;
    let ids: Vec<u64> = near
        .iter()
        .map(|d| d["orderId"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, vec![seoul]);
    assert!(near[0]["distanceToStoreKm"].as_f64().unwrap() <= 5.0);
    assert_eq!(near[0]["status"], "Ready");
    // From Nowon station: only Nowon's.
    let (_, far) = api
        .get("/deliveries?lat=37.6551&lon=127.0613&radiusKm=3")
        .await;
    let ids: Vec<u64> = far
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["orderId"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, vec![nowon_by_coordinates]);
    // A tiny radius around nowhere finds nothing.
    let (_, none) = api.get("/deliveries?lat=33.5&lon=126.5&radiusKm=1").await;
    assert_eq!(none, json!([]));
    // Once picked, it is no longer offered.
    api.advance(seoul, "r", "PickedUp").await;
    eventually("the picked delivery to leave the board", || async {
        let (_, found) = api
            .get("/deliveries?lat=37.4979&lon=127.0276&radiusKm=5")
            .await;
        found.as_array().unwrap().is_empty().then_some(())
    })
    .await;
}

#[tokio::test]
async fn nearby_search_refuses_bad_queries() {
    let (_dir, server) = start();
    let api = &server.api;
    for (query, needle) in [
        ("", "lat and lon are required"),
        ("?lat=37.5", "lat and lon are required"),
        ("?lat=91&lon=127", "lat"),
        ("?lat=37.5&lon=127&radiusKm=0", "radiusKm"),
        ("?lat=37.5&lon=127&radiusKm=500", "radiusKm"),
        ("?lat=abc&lon=127", "query string"),
    ] {
        let (status, body) = api.get(&format!("/deliveries{query}")).await;
        assert_problem(status, &body, 422, needle);
    }
}

#[tokio::test]
async fn stores_are_listed_registered_and_edited() {
    let (_dir, server) = start();
    let api = &server.api;
    let (status, stores) = api.get("/stores").await;
    assert_eq!(status, StatusCode::OK);
    assert!(stores.as_array().unwrap().len() >= 20);
    let (status, one) = api.get(&format!("/stores/{STORE}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!one["menu"].as_array().unwrap().is_empty());
    let (status, body) = api.get("/stores/no-such-store").await;
    assert_problem(status, &body, 404, "no-such-store");

    let new_store = json!({
        "id": "mapo-tteok", "name": "마포 떡볶이", "address": "서울 마포구 월드컵로 1",
        "menu": [{ "id": "tteokbokki", "name": "떡볶이", "price": 5000 }]
    });
    let (status, store) = api.post("/stores", new_store.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{store}");
    assert!(
        store["lat"].as_f64().unwrap() > 37.5,
        "located by its district: {store}"
    );
    let (status, body) = api.post("/stores", new_store).await;
    assert_problem(status, &body, 409, "already exists");
    let (status, body) = api
        .post(
            "/stores",
            json!({ "id": "x", "name": "x", "address": "nowhere" }),
        )
        .await;
    assert_problem(status, &body, 422, "names no district");
    let (status, body) = api
        .post(
            "/stores",
            json!({ "id": "", "name": "x", "address": "서울 중구 1" }),
        )
        .await;
    assert_problem(status, &body, 422, "id");

    // An order keeps the price it was placed with.
    let order = json!({
        "customerId": "oh", "storeId": "mapo-tteok",
        "items": [{ "menuId": "tteokbokki", "qty": 1 }], "address": "서울 마포구 어딘가 1"
    });
    let (_, first) = api.post("/orders", order.clone()).await;
    assert_eq!(first["amount"], 5000);
    let (status, store) = api
        .put(
            "/stores/mapo-tteok/menu/tteokbokki",
            json!({ "name": "국물떡볶이", "price": 6000 }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{store}");
    let (status, store) = api
        .put(
            "/stores/mapo-tteok/menu/sundae",
            json!({ "name": "순대", "price": 4000 }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(store["menu"].as_array().unwrap().len(), 2);
    let (_, second) = api.post("/orders", order).await;
    assert_eq!(second["amount"], 6000);
    assert_eq!(second["items"][0]["name"], "국물떡볶이");
    let (_, first_again) = api.get(&format!("/orders/{}", first["id"])).await;
    assert_eq!(first_again["amount"], 5000);
    assert_eq!(first_again["items"][0]["unitPrice"], 5000);

    let (status, body) = api
        .put("/stores/nope/menu/x", json!({ "name": "x", "price": 1 }))
        .await;
    assert_problem(status, &body, 404, "store \"nope\" does not exist");
    let (status, body) = api
        .put(
            "/stores/mapo-tteok/menu/x",
            json!({ "name": "x", "price": 0 }),
        )
        .await;
    assert_problem(status, &body, 422, "price");
}

#[tokio::test]
async fn health_and_metrics_answer() {
    let (_dir, server) = start();
    let api = &server.api;
    let (status, health) = api.get("/health").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(health["status"], "ok");
    api.place("seo", STORE).await;
    let res = api
        .request(reqwest::Method::GET, "/metrics", None)
        .await
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let text = res.text().await.unwrap();
    assert!(
        text.contains(
            "baedal_http_requests_total{method=\"POST\",route=\"/orders\",status=\"201\"} 1"
        ),
        "{text}"
    );
    assert!(
        text.contains("baedal_checkouts_total{outcome=\"placed\"} 1"),
        "{text}"
    );
    let (status, body) = api.get("/no/such/route").await;
    assert_problem(status, &body, 404, "no route");
}
