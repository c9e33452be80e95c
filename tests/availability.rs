//! When a store takes orders, through the real binary: a pause, a sold-out
//! dish, opening hours on Seoul's clock; each refusal says until when or
//! which dish, and `GET /stores` shows `openNow` and the next opening.

mod common;

use chrono::{Days, TimeZone, Utc};
use chrono_tz::Asia::Seoul;
use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

const STORE: &str = "gangnam-chicken";
const OWNER: &str = "owner-gangnam-chicken";

fn start() -> (tempfile::TempDir, Server) {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    (dir, server)
}

/// The store as `GET /stores` lists it.
async fn listed(api: &Api) -> Value {
    let (_, stores) = api.get("/stores?limit=500").await;
    stores
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == STORE)
        .cloned()
        .unwrap()
}

#[tokio::test]
async fn a_paused_store_refuses_orders_until_it_resumes() {
    let (_dir, server) = start();
    let api = &server.api;
    let owner = api.as_account(OWNER, "owner").await;
    let kim = api.as_customer("kim").await;
    let path = format!("/stores/{STORE}/pause");
    let (status, body) = kim.put(&path, json!({ "minutes": 30 })).await;
    assert_problem(status, &body, 403, "");
    let (status, body) = owner.put(&path, json!({ "minutes": 30 })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let until = body["pausedUntil"].clone();
    let (status, body) = kim.post("/orders", order_body("kim", STORE)).await;
    assert_problem(status, &body, 409, "is busy and takes no orders until");
    assert_eq!(body["type"], "/problems/store-paused");
    let (_, orders) = kim.get("/orders").await;
    assert_eq!(orders, json!([]), "nothing placed, nothing charged");
    let shown = listed(api).await;
    assert_eq!(shown["openNow"], false);
    assert_eq!(shown["nextOpenAt"], until);
    let (status, body) = owner.put(&path, json!({ "minutes": 2000 })).await;
    assert_problem(status, &body, 422, "at most 24 hours");
    let (status, _) = owner.delete(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(listed(api).await["openNow"], true);
    let (status, body) = kim.post("/orders", order_body("kim", STORE)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

#[tokio::test]
async fn a_sold_out_dish_is_refused_by_name_and_the_rest_of_the_menu_is_not() {
    let (_dir, server) = start();
    let api = &server.api;
    let owner = api.as_account(OWNER, "owner").await;
    let path = format!("/stores/{STORE}/menu/fried/soldOut");
    let (status, body) = api
        .as_account("owner-cheongdam-sushi", "owner")
        .await
        .put(&path, json!({ "soldOut": true }))
        .await;
    assert_problem(status, &body, 403, "");
    let (status, store) = owner.put(&path, json!({ "soldOut": true })).await;
    assert_eq!(status, StatusCode::OK, "{store}");
    assert_eq!(store["menu"][0]["soldOut"], true);
    let (status, body) = api.post("/orders", order_body("kim", STORE)).await;
    assert_problem(
        status,
        &body,
        409,
        "\"fried\" (후라이드치킨) of store \"gangnam-chicken\" is sold out",
    );
    assert_eq!(body["type"], "/problems/sold-out");
    let mut other = order_body("kim", STORE);
    other["items"] = json!([{ "menuId": "yangnyeom", "qty": 1 }]);
    let (status, body) = api.post("/orders", other).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, _) = owner.put(&path, json!({ "soldOut": false })).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = api.post("/orders", order_body("kim", STORE)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

#[tokio::test]
async fn outside_its_hours_a_store_refuses_and_shows_when_it_opens() {
    let (_dir, server) = start();
    let api = &server.api;
    let owner = api.as_account(OWNER, "owner").await;
    // Open all day every day, but closed yesterday, today and tomorrow in
    // Seoul (whatever the machine's zone): it opens at midnight the day
    // after tomorrow, Seoul time, even if a midnight passes meanwhile.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let today = Utc
        .timestamp_millis_opt(now)
        .unwrap()
        .with_timezone(&Seoul)
        .date_naive();
    let days = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"];
    let hours = json!({
        "weekly": days.iter().map(|d| json!({ "day": d, "open": "00:00", "close": "00:00" })).collect::<Vec<_>>(),
        "closedDates": [
            (today - Days::new(1)).to_string(),
            today.to_string(),
            (today + Days::new(1)).to_string(),
        ],
    });
    let path = format!("/stores/{STORE}/hours");
    let (status, body) = owner.put(&path, hours.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let opening = today + Days::new(2);
    let (status, body) = api.post("/orders", order_body("kim", STORE)).await;
    assert_problem(
        status,
        &body,
        409,
        &format!("it opens at {opening} 00:00 (Seoul)"),
    );
    assert_eq!(body["type"], "/problems/store-closed");
    let shown = listed(api).await;
    assert_eq!(shown["openNow"], false);
    let next = shown["nextOpenAt"].as_str().unwrap().to_string();
    let expected = opening
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_local_timezone(Seoul)
        .unwrap()
        .with_timezone(&Utc)
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string();
    assert_eq!(next, expected);
    // A bad time is refused and changes nothing.
    let mut bad = hours;
    bad["weekly"][0]["open"] = json!("25:00");
    let (status, body) = owner.put(&path, bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("HH:MM"), "{body}");
    let (_, store) = api.get(&format!("/stores/{STORE}")).await;
    assert_eq!(store["hours"]["weekly"][0]["open"], "00:00");
    // Hours taken away: open again.
    let (status, _) = owner.delete(&path).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = api.post("/orders", order_body("kim", STORE)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}
