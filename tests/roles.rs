//! Who may call what, route by route: eight callers against every route,
//! each getting the status the rules say. A refusal is problem+json and
//! changes nothing; a caller who may gets a 2xx. Removing any rule of
//! `domain::access` (or a handler's use of it) changes a cell here.

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const STORE: &str = "gangnam-chicken";
const OTHER_STORE: &str = "cheongdam-sushi";

/// The callers, in the order of every row's expected statuses.
const CALLERS: [&str; 8] = [
    "anonymous",
    "the customer (kim)",
    "another customer (lee)",
    "the store's owner",
    "another store's owner",
    "the assigned rider (rider-1)",
    "another rider (rider-2)",
    "an operator",
];
const OPERATOR: usize = 7;

/// Clients for the eight callers.
async fn callers(api: &Api) -> Vec<Api> {
    vec![
        api.anonymous(),
        api.as_customer("kim").await,
        api.as_customer("lee").await,
        api.as_account(&format!("owner-{STORE}"), "owner").await,
        api.as_account(&format!("owner-{OTHER_STORE}"), "owner")
            .await,
        api.as_rider("rider-1").await,
        api.as_rider("rider-2").await,
        api.as_admin().await,
    ]
}

/// What a refusal must leave as it was: the log, pending payments, and
/// every charge the gateway made.
async fn snapshot(admin: &Api) -> Value {
    caught_up(admin).await;
    let (_, health) = admin.get("/health").await;
    let (_, charges) = admin.get("/admin/chaos/payment/charges").await;
    json!([health["logSequence"], health["pendingPayments"], charges])
}

/// kim's order from STORE, driven to `status` (rider-1 delivers).
async fn order_in(api: &Api, status: &str) -> u64 {
    let id = api.place("kim", STORE).await["id"].as_u64().unwrap();
    if status != "Placed" {
        api.advance(id, "rider-1", status).await;
    }
    caught_up(api).await;
    id
}

/// One route: how to call it on resource `id`, and what each caller gets.
struct Row {
    method: Method,
    path: String,
    body: Option<Value>,
    /// The operator's body, when it differs (naming the rider it acts for).
    operator_body: Option<Value>,
    expected: [u16; 8],
}

fn row(method: Method, path: impl Into<String>, body: Option<Value>, expected: [u16; 8]) -> Row {
    Row {
        method,
        path: path.into(),
        body,
        operator_body: None,
        expected,
    }
}

/// Calls `row` as every caller: the refusals first, each checked for its
/// status, a problem+json body and no change; then the callers who may,
/// each on a fresh resource from `fresh` (a command can succeed once).
async fn check<F, Fut>(clients: &[Api], make: impl Fn(u64) -> Row, mut fresh: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = u64>,
{
    let admin = &clients[OPERATOR];
    let shared = fresh().await;
    let probe = make(shared);
    let mut order: Vec<usize> = (0..8).collect();
    order.sort_by_key(|&i| probe.expected[i] < 300);
    let mut used_shared = false;
    for i in order {
        let expected = probe.expected[i];
        let id = if expected < 300 && used_shared {
            fresh().await
        } else {
            shared
        };
        used_shared |= expected < 300;
        let row = make(id);
        let body = match (i, &row.operator_body) {
            (OPERATOR, Some(b)) => Some(b),
            _ => row.body.as_ref(),
        };
        let before = snapshot(admin).await;
        let res = clients[i]
            .request(row.method.clone(), &row.path, body)
            .await
            .send()
            .await
            .unwrap();
        let status = res.status();
        let content_type = res
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string());
        let text = res.text().await.unwrap();
        assert_eq!(
            status.as_u16(),
            expected,
            "{} {} as {}: {text}",
            row.method,
            row.path,
            CALLERS[i]
        );
        if expected >= 400 {
            assert_eq!(content_type.as_deref(), Some("application/problem+json"));
            let body: Value = serde_json::from_str(&text).unwrap();
            assert!(
                body["detail"].as_str().is_some_and(|d| !d.is_empty()),
                "{text}"
            );
            assert_eq!(
                snapshot(admin).await,
                before,
                "{} {} as {} was refused but changed something",
                row.method,
                row.path,
                CALLERS[i]
            );
        }
    }
}

#[tokio::test]
async fn every_route_answers_each_caller_as_the_rules_say() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &["--chaos"]);
    let api = &server.api;
    let clients = callers(api).await;
    let (menu, _) = demo_dish(STORE);
    let picked = order_in(api, "PickedUp").await;
    let completed = order_in(api, "Completed").await;
    // A store its owner registered, still awaiting approval.
    let (status, _) = clients[3]
        .post(
            "/stores",
            json!({ "id": "waiting", "name": "대기 식당", "address": "서울 강남구 테헤란로 1" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);

    // Reads: nothing changes, so one resource serves every caller.
    let fixed = || async move { picked };
    for (path, expected) in [
        (
            format!("/orders/{picked}"),
            [401, 200, 404, 200, 404, 200, 404, 200],
        ),
        (
            format!("/payments/{picked}"),
            [401, 200, 404, 404, 404, 404, 404, 200],
        ),
        (
            format!("/myPages/{picked}"),
            [401, 200, 404, 404, 404, 404, 404, 200],
        ),
        (
            format!("/foodCookings/{picked}"),
            [401, 200, 404, 200, 404, 200, 404, 200],
        ),
        (
            format!("/deliveries/{picked}"),
            [401, 200, 404, 200, 404, 200, 404, 200],
        ),
        (
            format!("/foodCookings?storeId={STORE}"),
            [401, 403, 403, 200, 403, 403, 403, 200],
        ),
        (
            "/orders?customerId=kim".into(),
            [401, 200, 403, 403, 403, 403, 403, 200],
        ),
        (
            "/myPages?customerId=kim".into(),
            [401, 200, 403, 403, 403, 403, 403, 200],
        ),
        (
            "/coupons?customerId=kim".into(),
            [401, 200, 403, 403, 403, 403, 403, 200],
        ),
        (
            "/points/kim".into(),
            [401, 200, 404, 404, 404, 404, 404, 200],
        ),
        (
            "/notifications?customerId=kim".into(),
            [401, 200, 404, 404, 404, 404, 404, 200],
        ),
        (
            format!("/notifications?storeId={STORE}"),
            [401, 403, 403, 200, 403, 403, 403, 200],
        ),
        (
            "/notifications?riderId=rider-1".into(),
            [401, 404, 404, 404, 404, 200, 404, 200],
        ),
        (
            "/riders/rider-1".into(),
            [401, 404, 404, 404, 404, 200, 404, 200],
        ),
        (
            "/deliveries?lat=37.5&lon=127.03".into(),
            [401, 403, 403, 403, 403, 200, 200, 200],
        ),
        (
            "/stores/waiting".into(),
            [404, 404, 404, 200, 404, 404, 404, 200],
        ),
        ("/stores".into(), [200; 8]),
        (format!("/stores/{STORE}"), [200; 8]),
        (format!("/stores/{STORE}/rating"), [200; 8]),
        ("/health".into(), [200; 8]),
        ("/health/live".into(), [200; 8]),
        (
            "/admin/backup".into(),
            [401, 403, 403, 403, 403, 403, 403, 200],
        ),
        ("/auth/me".into(), [401, 200, 200, 200, 200, 200, 200, 200]),
        ("/metrics".into(), [401, 403, 403, 403, 403, 403, 403, 200]),
        (
            "/admin/chaos/payment/charges".into(),
            [401, 403, 403, 403, 403, 403, 403, 200],
        ),
    ] {
        check(
            &clients,
            |_| row(Method::GET, path.clone(), None, expected),
            fixed,
        )
        .await;
    }

    // The kitchen's steps: the store's owner and operators.
    let kitchen = [401, 403, 404, 200, 404, 404, 404, 200];
    for (step, from) in [
        ("accept", "Placed"),
        ("reject", "Placed"),
        ("start", "Accepted"),
        ("finish", "Cooking"),
    ] {
        let body = (step == "reject").then(|| json!({ "reason": "SOLD_OUT" }));
        check(
            &clients,
            |id| {
                row(
                    Method::POST,
                    format!("/foodCookings/{id}/{step}"),
                    body.clone(),
                    kitchen,
                )
            },
            || order_in(api, from),
        )
        .await;
    }

    // The customer's: cancel, confirm, revise (which charges: not even an
    // operator).
    let customers = [401, 200, 404, 403, 404, 404, 404, 200];
    check(
        &clients,
        |id| {
            row(
                Method::POST,
                format!("/orders/{id}/cancel"),
                None,
                customers,
            )
        },
        || order_in(api, "Placed"),
    )
    .await;
    check(
        &clients,
        |id| row(Method::DELETE, format!("/orders/{id}"), None, customers),
        || order_in(api, "Placed"),
    )
    .await;
    check(
        &clients,
        |id| {
            row(
                Method::POST,
                format!("/orders/{id}/confirm"),
                None,
                [401, 200, 404, 403, 404, 403, 404, 200],
            )
        },
        || order_in(api, "Delivered"),
    )
    .await;
    let revision = json!({ "items": [{ "menuId": menu, "qty": 3 }] });
    check(
        &clients,
        |id| {
            row(
                Method::POST,
                format!("/orders/{id}/revise"),
                Some(revision.clone()),
                [401, 200, 404, 403, 404, 404, 404, 403],
            )
        },
        || order_in(api, "Placed"),
    )
    .await;

    // Riders: any rider picks a ready delivery; only its rider completes
    // it; an operator acts for a rider it names.
    let for_rider_1 = Some(json!({ "riderId": "rider-1" }));
    check(
        &clients,
        |id| Row {
            operator_body: for_rider_1.clone(),
            ..row(
                Method::POST,
                format!("/deliveries/{id}/pick"),
                None,
                [401, 403, 403, 403, 403, 200, 200, 200],
            )
        },
        || order_in(api, "Cooked"),
    )
    .await;
    check(
        &clients,
        |id| Row {
            operator_body: for_rider_1.clone(),
            ..row(
                Method::POST,
                format!("/deliveries/{id}/complete"),
                None,
                [401, 403, 403, 403, 403, 200, 404, 200],
            )
        },
        || order_in(api, "PickedUp"),
    )
    .await;
    let rider_1_only = [401, 404, 404, 404, 404, 200, 404, 200];
    let location = json!({ "lat": 37.5, "lon": 127.03 });
    check(
        &clients,
        |_| {
            row(
                Method::PUT,
                "/riders/rider-1/location",
                Some(location.clone()),
                rider_1_only,
            )
        },
        fixed,
    )
    .await;
    let duty = json!({ "onDuty": true });
    check(
        &clients,
        |_| {
            row(
                Method::PUT,
                "/riders/rider-1/duty",
                Some(duty.clone()),
                rider_1_only,
            )
        },
        fixed,
    )
    .await;

    // Stores: managed by their owner; approved by operators.
    let managers = [401, 403, 403, 200, 403, 403, 403, 200];
    let dish = json!({ "name": "후라이드치킨", "price": 19000 });
    check(
        &clients,
        |_| {
            row(
                Method::PUT,
                format!("/stores/{STORE}/menu/fried"),
                Some(dish.clone()),
                managers,
            )
        },
        fixed,
    )
    .await;
    check(
        &clients,
        |_| {
            row(
                Method::PUT,
                format!("/stores/{STORE}/open"),
                Some(json!({ "open": true })),
                managers,
            )
        },
        fixed,
    )
    .await;
    let mut n = 0;
    check(
        &clients,
        |id| {
            let body = json!({ "id": format!("matrix-{id}"), "name": "새 가게", "address": "서울 강남구 역삼로 1" });
            row(Method::POST, "/stores", Some(body), [401, 403, 403, 201, 201, 403, 403, 201])
        },
        || {
            n += 1;
            let id = n;
            async move { id }
        },
    )
    .await;
    check(
        &clients,
        |_| {
            row(
                Method::POST,
                "/stores/waiting/approve",
                None,
                [401, 404, 404, 403, 404, 404, 404, 200],
            )
        },
        fixed,
    )
    .await;
    let same_owner = json!({ "ownerId": format!("owner-{STORE}") });
    check(
        &clients,
        |_| {
            row(
                Method::PUT,
                format!("/stores/{STORE}/owner"),
                Some(same_owner.clone()),
                [401, 403, 403, 403, 403, 403, 403, 200],
            )
        },
        fixed,
    )
    .await;

    // Ordering is a customer's, as themselves.
    let (_, address) = demo_dish(STORE);
    let as_kim = json!({ "customerId": "kim", "storeId": STORE, "items": [{ "menuId": menu, "qty": 1 }], "address": address });
    check(
        &clients,
        |_| {
            row(
                Method::POST,
                "/orders",
                Some(as_kim.clone()),
                [401, 201, 403, 403, 403, 403, 403, 403],
            )
        },
        fixed,
    )
    .await;

    // Reviews: the customer's own completed order; deleting is its author's
    // or an operator's (moderation).
    let review = json!({ "orderId": completed, "rating": 5 });
    check(
        &clients,
        |_| {
            row(
                Method::POST,
                "/reviews",
                Some(review.clone()),
                [401, 201, 404, 403, 403, 403, 403, 403],
            )
        },
        fixed,
    )
    .await;
    let reviewed = || async {
        let id = order_in(api, "Completed").await;
        let (status, _) = clients[1]
            .post("/reviews", json!({ "orderId": id, "rating": 4 }))
            .await;
        assert_eq!(status, StatusCode::CREATED);
        id
    };
    check(
        &clients,
        |id| {
            row(
                Method::DELETE,
                format!("/reviews/{id}"),
                None,
                [401, 204, 404, 404, 404, 404, 404, 204],
            )
        },
        reviewed,
    )
    .await;

    // Operators only: fault injection and turning accounts off.
    check(
        &clients,
        |_| {
            row(
                Method::POST,
                format!("/admin/chaos/stores/{STORE}/up"),
                None,
                [401, 403, 403, 403, 403, 403, 403, 200],
            )
        },
        fixed,
    )
    .await;
    check(
        &clients,
        |_| {
            row(
                Method::PUT,
                "/accounts/lee/disabled",
                Some(json!({ "disabled": false })),
                [401, 404, 403, 404, 404, 404, 404, 200],
            )
        },
        fixed,
    )
    .await;

    // Owners and operators are made by operators; a signed-in customer
    // signing up is signing up anonymously.
    let owner =
        json!({ "id": "made-owner", "password": PASSWORD, "role": "owner", "name": "사장" });
    check(
        &clients,
        |_| {
            row(
                Method::POST,
                "/auth/signup",
                Some(owner.clone()),
                [403, 403, 403, 403, 403, 403, 403, 201],
            )
        },
        fixed,
    )
    .await;

    // Closing an account is its own or an operator's: last, since lee's
    // session ends with it.
    check(
        &clients,
        |_| {
            row(
                Method::DELETE,
                "/accounts/lee",
                None,
                [401, 404, 204, 404, 404, 404, 404, 204],
            )
        },
        fixed,
    )
    .await;
}
