//! The API's contract (`/openapi.json`): it names every route the server
//! registers, an independent validator (openapi-spec-validator, from PyPI,
//! installed by `scripts/test`) accepts it, and real answers conform to
//! the schemas it declares for them.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::Path;

const STORE: &str = "gangnam-chicken";

/// Every `(method, path)` the HTTP layer registers, read from its source:
/// `.route("/path", web::get()…)`, with actix's `{name:regex}` written as
/// OpenAPI's `{name}`.
fn registered_routes() -> BTreeSet<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/http");
    let mut routes = BTreeSet::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let flat: String = text.split_whitespace().collect();
        for piece in flat.split(".route(\"").skip(1) {
            let (path, rest) = piece.split_once('"').unwrap();
            let method = rest
                .strip_prefix(",web::")
                .and_then(|r| r.split_once("()"))
                .map(|(m, _)| m.to_string())
                .unwrap_or_else(|| panic!("{path}: a route whose method is not web::<method>()"));
            let path: String = path
                .split('/')
                .map(|s| match s.split_once(':') {
                    Some((name, _)) if s.starts_with('{') => format!("{name}}}"),
                    _ => s.to_string(),
                })
                .collect::<Vec<_>>()
                .join("/");
            routes.insert((method, path));
        }
    }
    routes
}

fn documented_routes(doc: &Value) -> BTreeSet<(String, String)> {
    doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .map(move |method| (method.clone(), path.clone()))
        })
        .collect()
}

#[test]
fn every_route_the_server_registers_is_in_the_contract_and_no_other() {
    let doc = baedal::http::openapi::document();
    let registered = registered_routes();
    let documented = documented_routes(&doc);
    assert!(registered.len() > 70, "{} routes found", registered.len());
    let missing: Vec<_> = registered.difference(&documented).collect();
    let extra: Vec<_> = documented.difference(&registered).collect();
    assert!(
        missing.is_empty(),
        "registered, not in /openapi.json: {missing:?}"
    );
    assert!(
        extra.is_empty(),
        "in /openapi.json, not registered: {extra:?}"
    );
}

/// The interpreter `scripts/test` installed the validator for.
fn validator_python() -> std::path::PathBuf {
    let python = std::env::var_os("BAEDAL_OPENAPI_PYTHON")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/pytools/bin/python"));
    assert!(
        python.exists(),
        "{} is missing: scripts/test installs openapi-spec-validator there",
        python.display()
    );
    python
}

/// Runs openapi-spec-validator (OpenAPI 3.1) on the document at `path`:
/// whether it accepts it, and what it said.
fn validate(path: &Path) -> (bool, String) {
    let run = std::process::Command::new(validator_python())
        .args(["-m", "openapi_spec_validator", "--schema", "3.1"])
        .arg(path)
        .output()
        .expect("the validator runs");
    let said =
        String::from_utf8_lossy(&run.stdout).to_string() + &String::from_utf8_lossy(&run.stderr);
    (run.status.success(), said)
}

#[tokio::test]
async fn an_independent_validator_accepts_the_served_document() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let api = server.api.anonymous();
    let res = reqwest::get(format!("{}/openapi.json", api.base))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    let served: Value = res.json().await.unwrap();
    assert_eq!(served["openapi"], "3.1.0");
    assert_eq!(served, baedal::http::openapi::document());
    // Kept with the other artifacts, for a look or a client generator.
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/openapi.json");
    std::fs::write(&out, serde_json::to_vec_pretty(&served).unwrap()).unwrap();
    let (accepted, said) = validate(&out);
    assert!(accepted, "openapi-spec-validator refused it:\n{said}");
    assert!(said.contains("OK"), "{said}");
}

#[tokio::test]
async fn the_validator_refuses_a_broken_document() {
    // The check above can fail: the same validator on a document with a
    // dangling reference.
    let mut doc = baedal::http::openapi::document();
    doc["paths"]["/orders/{id}"]["get"]["responses"]["200"]["content"]["application/json"]
        ["schema"] = json!({ "$ref": "#/components/schemas/NoSuchThing" });
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("broken.json");
    std::fs::write(&out, doc.to_string()).unwrap();
    let (accepted, said) = validate(&out);
    assert!(!accepted);
    assert!(
        said.contains("NoSuchThing"),
        "refused for another reason:\n{said}"
    );
}

/// Checks that `body`, answered with `status` to `method template`, is
/// what the contract declares: the status is listed, and the body is valid
/// against its schema (JSON Schema 2020-12, OpenAPI 3.1's dialect).
fn conforms(
    doc: &Value,
    method: &str,
    template: &str,
    status: StatusCode,
    media: Option<&str>,
    body: &Value,
) {
    let op = &doc["paths"][template][method];
    assert!(op.is_object(), "{method} {template} is not in the contract");
    let response = &op["responses"][status.as_str()];
    assert!(
        response.is_object(),
        "{method} {template} answered {status}, which the contract does not declare: {body}"
    );
    let Some(content) = response["content"].as_object() else {
        assert!(
            body.is_null(),
            "{method} {template} {status}: a body the contract does not declare"
        );
        return;
    };
    let media = media.unwrap_or_else(|| panic!("{method} {template} {status}: no Content-Type"));
    let declared = content.get(media).unwrap_or_else(|| {
        panic!("{method} {template} {status} answered {media}, not what the contract declares")
    });
    let mut schema = declared["schema"].clone();
    schema["components"] = doc["components"].clone();
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .build(&schema)
        .unwrap_or_else(|e| panic!("{method} {template}: the schema does not compile: {e}"));
    let errors: Vec<String> = validator
        .iter_errors(body)
        .map(|e| format!("{e} (at {})", e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "{method} {template} {status} does not conform:\n{}\n{body:#}",
        errors.join("\n")
    );
}

/// Sends a request as `api`, checks its answer against the contract, and
/// returns it.
struct Checked<'a> {
    doc: &'a Value,
    operations: BTreeSet<String>,
}

impl Checked<'_> {
    async fn call(
        &mut self,
        api: &Api,
        method: &str,
        template: &str,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let verb = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let req = api.request(verb, path, body.as_ref()).await;
        let (status, media, answer) = Api::answer(req).await;
        conforms(
            self.doc,
            method,
            template,
            status,
            media.as_deref(),
            &answer,
        );
        self.operations
            .insert(format!("{method} {template} {}", status.as_u16()));
        (status, answer)
    }
}

#[tokio::test]
async fn real_answers_conform_to_the_schemas_the_contract_declares() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let doc = baedal::http::openapi::document();
    let api = &server.api;
    let kim = api.as_customer("kim").await;
    let rider = api.as_rider("rider-1").await;
    let anonymous = api.anonymous();
    let mut c = Checked {
        doc: &doc,
        operations: BTreeSet::new(),
    };
    let order_body = order_body("kim", STORE);

    // Reads anyone may make, and the health of the server.
    c.call(&anonymous, "get", "/stores", "/stores", None).await;
    let store_path = format!("/stores/{STORE}");
    c.call(&anonymous, "get", "/stores/{storeId}", &store_path, None)
        .await;
    c.call(api, "get", "/stores/{storeId}", &store_path, None)
        .await;
    c.call(
        &anonymous,
        "get",
        "/stores/{storeId}/rating",
        &format!("{store_path}/rating"),
        None,
    )
    .await;
    c.call(&anonymous, "get", "/health", "/health", None).await;
    c.call(&anonymous, "get", "/health/live", "/health/live", None)
        .await;
    c.call(api, "get", "/metrics", "/metrics", None).await;
    // The console and the reference are routes like the others.
    c.call(&anonymous, "get", "/", "/", None).await;
    let script = "/console/app.js";
    c.call(&anonymous, "get", "/console/{file}", script, None)
        .await;
    let missing = "/console/no-such-file.js";
    c.call(&anonymous, "get", "/console/{file}", missing, None)
        .await;
    c.call(&anonymous, "get", "/docs", "/docs", None).await;
    // This client takes no gzip: the renderer comes inflated.
    let renderer = "/docs/redoc.standalone.js";
    let (_, redoc) = c.call(&anonymous, "get", renderer, renderer, None).await;
    assert!(redoc.as_str().is_some_and(|js| js.len() > 1_000_000));
    c.call(&anonymous, "get", "/openapi.json", "/openapi.json", None)
        .await;
    c.call(&kim, "get", "/auth/me", "/auth/me", None).await;
    let signup = json!({ "id": "lee", "password": "correct horse battery", "role": "customer", "name": "이" });
    c.call(
        &anonymous,
        "post",
        "/auth/signup",
        "/auth/signup",
        Some(signup),
    )
    .await;
    let login = json!({ "id": "lee", "password": "correct horse battery" });
    c.call(
        &anonymous,
        "post",
        "/auth/login",
        "/auth/login",
        Some(login),
    )
    .await;

    // A whole lifecycle, each step's answer checked.
    c.call(
        &kim,
        "post",
        "/orders/quote",
        "/orders/quote",
        Some(order_body.clone()),
    )
    .await;
    let (status, order) = c
        .call(&kim, "post", "/orders", "/orders", Some(order_body.clone()))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let id = order["id"].as_u64().unwrap();
    let (_, read) = c
        .call(&kim, "get", "/orders/{id}", &format!("/orders/{id}"), None)
        .await;
    // The check can fail: the same order with its amount not in won.
    let mut wrong = read.clone();
    wrong["amount"] = json!("lots");
    let refused = std::panic::catch_unwind(|| {
        conforms(
            &doc,
            "get",
            "/orders/{id}",
            StatusCode::OK,
            Some("application/json"),
            &wrong,
        )
    });
    assert!(refused.is_err(), "an amount of \"lots\" conformed");
    c.call(&kim, "get", "/orders", "/orders", None).await;
    c.call(
        &kim,
        "get",
        "/payments/{orderId}",
        &format!("/payments/{id}"),
        None,
    )
    .await;
    c.call(
        api,
        "get",
        "/foodCookings",
        &format!("/foodCookings?storeId={STORE}"),
        None,
    )
    .await;
    let accept = json!({ "cookingMinutes": 15 });
    let kitchen = format!("/foodCookings/{id}");
    c.call(
        api,
        "post",
        "/foodCookings/{orderId}/accept",
        &format!("{kitchen}/accept"),
        Some(accept),
    )
    .await;
    c.call(api, "get", "/foodCookings/{orderId}", &kitchen, None)
        .await;
    let delay = json!({ "minutes": 10 });
    c.call(
        api,
        "post",
        "/foodCookings/{orderId}/delay",
        &format!("{kitchen}/delay"),
        Some(delay),
    )
    .await;
    c.call(
        api,
        "post",
        "/foodCookings/{orderId}/start",
        &format!("{kitchen}/start"),
        None,
    )
    .await;
    c.call(
        api,
        "post",
        "/foodCookings/{orderId}/finish",
        &format!("{kitchen}/finish"),
        None,
    )
    .await;
    // The delivery board is a projection: the ready delivery is on it once
    // it has caught up.
    caught_up(api).await;
    let at = &order["pickup"];
    let near = format!("/deliveries?lat={}&lon={}", at["lat"], at["lon"]);
    let (_, found) = c.call(&rider, "get", "/deliveries", &near, None).await;
    assert!(
        found.as_array().unwrap().iter().any(|d| d["orderId"] == id),
        "{found}"
    );
    let delivery = format!("/deliveries/{id}");
    c.call(
        &rider,
        "post",
        "/deliveries/{orderId}/pick",
        &format!("{delivery}/pick"),
        None,
    )
    .await;
    c.call(&rider, "get", "/deliveries/{orderId}", &delivery, None)
        .await;
    let here = json!({ "lat": 37.50, "lon": 127.03 });
    c.call(
        &rider,
        "put",
        "/riders/{riderId}/location",
        "/riders/rider-1/location",
        Some(here),
    )
    .await;
    c.call(&rider, "get", "/riders/{riderId}", "/riders/rider-1", None)
        .await;
    c.call(
        &rider,
        "post",
        "/deliveries/{orderId}/complete",
        &format!("{delivery}/complete"),
        None,
    )
    .await;
    c.call(
        &kim,
        "post",
        "/orders/{id}/confirm",
        &format!("/orders/{id}/confirm"),
        None,
    )
    .await;

    // What the customer sees afterwards.
    caught_up(api).await;
    c.call(&kim, "get", "/myPages", "/myPages", None).await;
    c.call(
        &kim,
        "get",
        "/myPages/{orderId}",
        &format!("/myPages/{id}"),
        None,
    )
    .await;
    c.call(&kim, "get", "/points/{customerId}", "/points/kim", None)
        .await;
    c.call(&kim, "get", "/notifications", "/notifications", None)
        .await;
    let review = json!({ "orderId": id, "rating": 5, "text": "따뜻하게 왔어요" });
    c.call(&kim, "post", "/reviews", "/reviews", Some(review))
        .await;
    c.call(&kim, "get", "/coupons", "/coupons", None).await;

    // A store's settings, and a canceled order.
    let pause = json!({ "minutes": 30 });
    c.call(
        api,
        "put",
        "/stores/{storeId}/pause",
        &format!("{store_path}/pause"),
        Some(pause),
    )
    .await;
    c.call(
        api,
        "delete",
        "/stores/{storeId}/pause",
        &format!("{store_path}/pause"),
        None,
    )
    .await;
    let (_, second) = c
        .call(&kim, "post", "/orders", "/orders", Some(order_body.clone()))
        .await;
    let second = second["id"].as_u64().unwrap();
    c.call(
        &kim,
        "delete",
        "/orders/{id}",
        &format!("/orders/{second}"),
        None,
    )
    .await;

    // Webhooks and their log.
    let hook = json!({ "url": "https://pos.example.com/baedal" });
    let (_, endpoint) = c
        .call(api, "post", "/webhooks", "/webhooks", Some(hook))
        .await;
    let hook_id = endpoint["id"].as_u64().unwrap();
    c.call(api, "get", "/webhooks", "/webhooks", None).await;
    c.call(
        api,
        "get",
        "/webhooks/{id}",
        &format!("/webhooks/{hook_id}"),
        None,
    )
    .await;
    c.call(
        api,
        "get",
        "/webhooks/{id}/attempts",
        &format!("/webhooks/{hook_id}/attempts"),
        None,
    )
    .await;

    // Refusals: each a Problem of a type the contract lists.
    c.call(&kim, "get", "/orders/{id}", "/orders/99999999", None)
        .await;
    c.call(&anonymous, "get", "/orders", "/orders", None).await;
    // A route open to anyone still refuses a bad token.
    let forged = api.with(Identity::Token("not-a-token".into()));
    c.call(&forged, "get", "/stores", "/stores", None).await;
    let short = json!({ "storeId": STORE, "items": [], "address": "서울 강남구" });
    c.call(&kim, "post", "/orders", "/orders", Some(short))
        .await;
    c.call(
        &kim,
        "post",
        "/orders/{id}/cancel",
        &format!("/orders/{id}/cancel"),
        None,
    )
    .await;
    c.call(
        &rider,
        "get",
        "/foodCookings",
        &format!("/foodCookings?storeId={STORE}"),
        None,
    )
    .await;

    let statuses: BTreeSet<&str> = c
        .operations
        .iter()
        .map(|o| o.rsplit(' ').next().unwrap())
        .collect();
    for status in ["200", "201", "401", "403", "404", "409", "422"] {
        assert!(
            statuses.contains(status),
            "no {status} among {:#?}",
            c.operations
        );
    }
    assert!(
        c.operations.len() >= 40,
        "{} answers checked",
        c.operations.len()
    );
}
