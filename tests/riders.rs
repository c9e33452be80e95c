//! Riders: location and duty, kept across a restart; off duty, no pick-ups;
//! nearby search around where a rider is.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn riders_tell_where_they_are_and_whether_they_work() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let api = &server.api;
    let (_, fresh) = api.get("/riders/kim-rider").await;
    assert_eq!(fresh["onDuty"], true);
    assert!(fresh["location"].is_null());
    let (status, body) = api.get("/deliveries?riderId=kim-rider").await;
    assert_problem(status, &body, 422, "has not told where they are");

    let id = api.place("hungry", "gangnam-chicken").await["id"]
        .as_u64()
        .unwrap();
    api.advance(id, "x", "Cooked").await;
    caught_up(api).await;
    let (status, rider) = api
        .put(
            "/riders/kim-rider/location",
            json!({ "lat": 37.4979, "lon": 127.0276 }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        rider["location"],
        json!({ "lat": 37.4979, "lon": 127.0276 })
    );
    let (_, near) = api.get("/deliveries?riderId=kim-rider&radiusKm=5").await;
    assert_eq!(near[0]["orderId"], id);
    assert!(near[0]["distanceToStoreKm"].as_f64().unwrap() > 0.0);
    assert!(near[0]["distanceToCustomerKm"].as_f64().is_some());

    let (status, rider) = api
        .put("/riders/kim-rider/duty", json!({ "onDuty": false }))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(rider["onDuty"], false);
    let (status, body) = api
        .post(
            &format!("/deliveries/{id}/pick"),
            json!({ "riderId": "kim-rider" }),
        )
        .await;
    assert_problem(status, &body, 409, "off duty");
    assert_eq!(
        api.get(&format!("/orders/{id}")).await.1["status"],
        "Cooked"
    );

    assert!(server.stop().success());
    let server = Server::start(dir.path(), &[]);
    let api = &server.api;
    let (_, rider) = api.get("/riders/kim-rider").await;
    assert_eq!(rider["onDuty"], false, "kept across a restart");
    assert_eq!(
        rider["location"],
        json!({ "lat": 37.4979, "lon": 127.0276 })
    );
    let (status, body) = api
        .post(
            &format!("/deliveries/{id}/pick"),
            json!({ "riderId": "kim-rider" }),
        )
        .await;
    assert_problem(status, &body, 409, "off duty");
    api.put("/riders/kim-rider/duty", json!({ "onDuty": true }))
        .await;
    let (status, body) = api
        .post(
            &format!("/deliveries/{id}/pick"),
            json!({ "riderId": "kim-rider" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let (status, body) = api
        .put(
            "/riders/kim-rider/location",
            json!({ "lat": 95.0, "lon": 127.0 }),
        )
        .await;
    assert_problem(status, &body, 422, "latitude");
    let (status, body) = api
        .put("/riders/kim-rider/duty", json!({ "onDuty": "sometimes" }))
        .await;
    assert_problem(status, &body, 422, "does not fit");
}
