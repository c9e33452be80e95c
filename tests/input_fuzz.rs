//! Generated bodies thrown at every POST and PUT route: never a 5xx, every
//! refusal is problem+json, and a refusal changes nothing (the event log
//! does not move).

mod common;

use common::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use reqwest::StatusCode;
use serde_json::{json, Map, Value};

/// Any JSON, weighted towards what breaks parsers and validators.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        prop_oneof![Just(-1.0), Just(1e300), Just(0.5), Just(-0.0)].prop_map(|f: f64| json!(f)),
        Just(json!(u64::MAX)),
        Just(json!(1_000_000_000_000u64)),
        "\\PC{0,12}".prop_map(Value::String),
        Just(Value::String("가".repeat(10_000))),
        Just(Value::String("a\u{0}b\u{7}".into())),
        Just(Value::String(String::new())),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((field(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Field names the routes know, and some they do not.
fn field() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "customerId",
            "storeId",
            "items",
            "menuId",
            "qty",
            "address",
            "lat",
            "lon",
            "couponId",
            "reason",
            "riderId",
            "id",
            "name",
            "price",
            "menu",
            "open",
        ])
        .prop_map(String::from),
        "[a-zA-Z]{1,8}",
    ]
}

/// A valid body for the route with one field replaced by anything.
fn mutated(route: usize) -> impl Strategy<Value = Value> {
    (field(), any_json()).prop_map(move |(k, v)| {
        let mut body = valid_body(route);
        if let Value::Object(m) = &mut body {
            m.insert(k, v);
        }
        body
    })
}

const ROUTES: [(&str, &str); 12] = [
    ("POST", "/orders"),
    ("POST", "/stores"),
    ("PUT", "/stores/gangnam-chicken/menu/fried"),
    ("POST", "/orders/1/cancel"),
    ("POST", "/orders/1/confirm"),
    ("POST", "/foodCookings/1/accept"),
    ("POST", "/foodCookings/1/reject"),
    ("POST", "/foodCookings/1/start"),
    ("POST", "/foodCookings/1/finish"),
    ("POST", "/deliveries/1/pick"),
    ("POST", "/deliveries/1/complete"),
    ("POST", "/admin/chaos/payment"),
];

fn valid_body(route: usize) -> Value {
    match ROUTES[route].1 {
        "/orders" => order_body("fuzz", "gangnam-chicken"),
        "/stores" => json!({ "id": "fuzz-store", "name": "퍼즈", "address": "서울 중구 1" }),
        "/stores/gangnam-chicken/menu/fried" => json!({ "name": "후라이드치킨", "price": 19000 }),
        "/foodCookings/1/reject" => json!({ "reason": "SOLD_OUT" }),
        "/deliveries/1/pick" | "/deliveries/1/complete" => json!({ "riderId": "r" }),
        "/admin/chaos/payment" => json!({ "latencyMs": 0 }),
        _ => Value::Null,
    }
}

/// A body: anything, a mutated valid one, or bytes that are not JSON.
#[derive(Clone, Debug)]
enum Body {
    Json(Value),
    Raw(Vec<u8>),
}

fn body(route: usize) -> impl Strategy<Value = Body> {
    prop_oneof![
        any_json().prop_map(Body::Json),
        mutated(route).prop_map(Body::Json),
        prop::collection::vec(any::<u8>(), 0..64).prop_map(Body::Raw),
    ]
}

#[test]
fn generated_bodies_never_cause_a_5xx_or_a_change_on_refusal() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &["--chaos"]);
    let api = server.api.clone();
    let http = reqwest::Client::new();
    // Order 1 exists, so the lifecycle routes reach its actor.
    rt.block_on(async {
        let (status, order) = api
            .post("/orders", order_body("fuzz", "gangnam-chicken"))
            .await;
        assert_eq!(status, StatusCode::CREATED);
        assert_eq!(order["id"], 1);
        caught_up(&api).await;
    });
    // The customer's routes as the customer, the rest as the operator: a
    // body reaches its handler rather than stopping at who may call it.
    let (customer, admin) = rt.block_on(async {
        (
            api.token("fuzz", "customer").await.unwrap(),
            api.token("admin", "operator").await.unwrap(),
        )
    });
    // A fixed seed: the same 300 cases every run.
    let config = Config {
        cases: 300,
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner =
        TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha));
    let strategy = (0..ROUTES.len()).prop_flat_map(|r| (Just(r), body(r)));
    runner
        .run(&strategy, |(route, body)| {
            let (method, path) = ROUTES[route];
            rt.block_on(async {
                let state = || async {
                    let (_, health) = api.get("/health").await;
                    let (_, charges) = api.get("/admin/chaos/payment/charges").await;
                    (
                        health["logSequence"].clone(),
                        health["pendingPayments"].clone(),
                        charges,
                    )
                };
                let before = state().await;
                let token = if path.starts_with("/orders") || path.starts_with("/reviews") {
                    &customer
                } else {
                    &admin
                };
                let mut req = http
                    .request(method.parse().unwrap(), format!("{}{path}", api.base))
                    .bearer_auth(token);
                req = match &body {
                    Body::Json(v) => req.json(v),
                    Body::Raw(bytes) => req
                        .header("content-type", "application/json")
                        .body(bytes.clone()),
                };
                let res = req.send().await.unwrap();
                let status = res.status();
                let content_type = res
                    .headers()
                    .get("content-type")
                    .map(|v| v.to_str().unwrap().to_string());
                let text = res.text().await.unwrap();
                prop_assert!(
                    !status.is_server_error(),
                    "{method} {path} {body:?} -> {status} {text}"
                );
                if status.is_success() {
                    // Accepted: let its effects (a refund, say) land before
                    // the next case compares anything.
                    caught_up(&api).await;
                }
                if status.is_client_error() {
                    prop_assert_eq!(
                        content_type.as_deref(),
                        Some("application/problem+json"),
                        "{}",
                        text
                    );
                    let problem: Value = serde_json::from_str(&text).unwrap();
                    prop_assert!(problem["detail"].as_str().is_some_and(|d| !d.is_empty()));
                    let after = state().await;
                    prop_assert_eq!(
                        &after,
                        &before,
                        "{} {} {:?} was refused but changed something",
                        method,
                        path,
                        body
                    );
                }
                Ok(())
            })
        })
        .unwrap();
}
