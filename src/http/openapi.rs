//! The API's contract, OpenAPI 3.1, as `GET /openapi.json` serves it.
//!
//! It is generated from the code, so it cannot drift from it:
//! - each handler's `#[utoipa::path]` gives its method, path, parameters,
//!   body and answers;
//! - each type's `#[derive(utoipa::ToSchema)]` gives its schema, read from
//!   the same serde attributes that shape the JSON;
//! - [`ProblemType::ALL`] gives the problem types.
//!
//! The rules every route shares are added here once, not on every handler:
//! the bearer scheme, and the refusals any request may get (401 without a
//! token, 429 over a rate limit, 503 when overloaded, 400/413/415/422 for
//! a body). `tests/openapi.rs` checks that every route registered is in the
//! document, validates the document with an independent validator, and
//! checks real answers against the schemas it declares.

use super::problem_types::ProblemType;
use serde_json::{json, Value};
use utoipa::OpenApi;

/// The document's head; the paths come from each module's `Api`.
#[derive(OpenApi)]
#[openapi(
    info(
    title = "baedal",
    description = "A food-delivery order platform: customers order and pay, stores cook, riders deliver, operators run it.\n\nJSON in camelCase; money in won (integers), distances in km, times RFC 3339 in UTC. Errors are `application/problem+json` (RFC 9457); every `type` is listed under the `Problem` schema. Lists answer a JSON array, and `Link: <…>; rel=\"next\"` (RFC 8288) while there are more pages.\n\nSign in with `POST /auth/login` and send `Authorization: Bearer <accessToken>`.",
        license(name = "MIT"),
    ),
    tags(
        (name = "orders", description = "주문: a customer's checkout, quote, revision, cancel and confirmation, and the payment."),
        (name = "kitchen", description = "조리: a store's kitchen tickets: accept with cooking minutes, delay, reject, start, finish."),
        (name = "deliveries", description = "배달: ready deliveries near a rider, pick-up and completion."),
        (name = "riders", description = "A rider's duty and location (pushed to the customer while carrying their food)."),
        (name = "stores", description = "Stores, menus, ratings, and a store's settings: delivery terms, kitchen terms, hours, pause, sold-out dishes."),
        (name = "myPages", description = "The customer's MyPage projection."),
        (name = "wallet", description = "Points, coupons and reviews."),
        (name = "notifications", description = "Notifications, listed or pushed live over a WebSocket."),
        (name = "webhooks", description = "Signed webhooks (Standard Webhooks) for integrators, and their delivery log."),
        (name = "accounts", description = "Sign-up, sign-in, tokens, and accounts."),
        (name = "operations", description = "Health, metrics and backups, for operators."),
        (name = "reference", description = "This contract, and its rendering."),
        (name = "console", description = "The web console's files."),
        (name = "chaos", description = "Fault injection: served only by a server started with `--chaos`, for tests."),
    )
)]
struct Head;

/// Each module's part of the contract.
fn parts() -> Vec<utoipa::openapi::OpenApi> {
    vec![
        super::orders::Api::openapi(),
        super::kitchen::Api::openapi(),
        super::deliveries::Api::openapi(),
        super::riders::Api::openapi(),
        super::accounts::Api::openapi(),
        super::stores::Api::openapi(),
        super::store_settings::Api::openapi(),
        super::mypages::Api::openapi(),
        super::points::Api::openapi(),
        super::reviews::Api::openapi(),
        super::notifications::Api::openapi(),
        super::webhooks::Api::openapi(),
        super::status::Api::openapi(),
        super::backup::Api::openapi(),
        super::chaos::Api::openapi(),
        super::console::Api::openapi(),
        super::api_docs::Api::openapi(),
    ]
}

/// The whole document, as JSON.
pub fn document() -> Value {
    let mut doc = Head::openapi();
    // A schema name two parts share is kept once (the first): the test
    // `a_schema_name_means_one_shape` keeps two types from sharing one.
    for part in parts() {
        doc.merge(part);
    }
    doc.info.version = env!("CARGO_PKG_VERSION").to_string();
    let mut doc = serde_json::to_value(doc).unwrap_or_else(|_| json!({}));
    shared_rules(&mut doc);
    doc
}

/// The scheme of `Authorization: Bearer`, the problem types, and the
/// refusals every operation shares.
fn shared_rules(doc: &mut Value) {
    let components = &mut doc["components"];
    components["securitySchemes"] = json!({
        "bearer": {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "The `accessToken` of `POST /auth/login` (or `/auth/refresh`), valid for `expiresIn` seconds. The WebSocket takes it as `?access_token=` (RFC 6750, section 2.3)."
        }
    });
    components["schemas"]["Problem"] = problem_schema();
    inline_integer_aliases(doc);
    doc["security"] = json!([{ "bearer": [] }]);
    let Some(paths) = doc["paths"].as_object_mut() else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (method, operation) in item.iter_mut() {
            shape_operation(path, method, operation);
        }
    }
}

/// `Won` and `OrderId` are aliases of `u64`, which utoipa publishes as a
/// component named `u64`; a client generator would make a type of it. Each
/// reference to it becomes the integer schema itself.
fn inline_integer_aliases(doc: &mut Value) {
    let Some(integer) = doc["components"]["schemas"]
        .as_object_mut()
        .and_then(|schemas| schemas.remove("u64"))
    else {
        return;
    };
    fn walk(value: &mut Value, integer: &Value) {
        match value {
            Value::Object(fields) => {
                if fields.get("$ref").and_then(Value::as_str) == Some("#/components/schemas/u64") {
                    fields.remove("$ref");
                    if let Some(shape) = integer.as_object() {
                        for (k, v) in shape {
                            fields.entry(k.clone()).or_insert_with(|| v.clone());
                        }
                    }
                    return;
                }
                fields.values_mut().for_each(|v| walk(v, integer));
            }
            Value::Array(items) => items.iter_mut().for_each(|v| walk(v, integer)),
            _ => {}
        }
    }
    walk(doc, &integer);
}

/// The `Problem` schema: RFC 9457's members, `type` one of the list.
fn problem_schema() -> Value {
    let types: Vec<String> = ProblemType::ALL.iter().map(|t| t.uri()).collect();
    let table: Vec<String> = ProblemType::ALL
        .iter()
        .map(|t| format!("- `{}` ({}): {}", t.uri(), t.status().as_u16(), t.meaning()))
        .collect();
    json!({
        "type": "object",
        "description": format!("An error (RFC 9457), sent as `application/problem+json`. Its `type` is one of:\n\n{}", table.join("\n")),
        "required": ["type", "title", "status", "detail"],
        "properties": {
            "type": { "type": "string", "enum": types, "description": "Which problem: a path under `/problems/`." },
            "title": { "type": "string", "description": "The status's reason phrase." },
            "status": { "type": "integer", "minimum": 400, "maximum": 599 },
            "detail": { "type": "string", "description": "What is wrong, for a person: which field, which item, until when." }
        }
    })
}

/// One operation: a unique `operationId`, problem answers as
/// `application/problem+json`, and the refusals it shares with the rest.
fn shape_operation(path: &str, method: &str, operation: &mut Value) {
    let tag = operation["tags"][0]
        .as_str()
        .unwrap_or("baedal")
        .to_string();
    let name = operation["operationId"]
        .as_str()
        .unwrap_or(method)
        .to_string();
    operation["operationId"] = json!(format!("{tag}.{name}"));
    // A token is taken unless the operation's only requirement is none
    // (`security(())`); a route that also allows none still refuses a bad
    // token with 401.
    let takes_token = match operation["security"].as_array() {
        Some(requirements) => requirements
            .iter()
            .any(|r| r.as_object().is_some_and(|r| !r.is_empty())),
        None => true,
    };
    let body = operation.get("requestBody").is_some();
    optional_body_without_null(operation);
    let in_path = path.contains('{');
    let has_query = operation["parameters"]
        .as_array()
        .is_some_and(|ps| ps.iter().any(|p| p["in"] == "query"));
    let Some(responses) = operation["responses"].as_object_mut() else {
        return;
    };
    for (status, response) in responses.iter_mut() {
        if status.starts_with('4') || status.starts_with('5') {
            as_problem(response);
        }
    }
    let mut shared: Vec<(u16, &str)> = vec![
        (429, "Over a rate limit (`rate-limited`, `too-many-sockets`): see `Retry-After`."),
        (503, "Overloaded, or a dependency or storage unavailable (`overloaded`, `unavailable`, `storage-unavailable`): see `Retry-After`."),
        (500, "An internal or storage failure (`internal`, `storage`)."),
    ];
    if takes_token {
        shared.push((401, "No valid access token (`unauthenticated`)."));
    }
    if body {
        shared.push((
            400,
            "The body is not JSON (`malformed-json`, `bad-request`).",
        ));
        shared.push((413, "The body is over 64 KiB (`payload-too-large`)."));
        shared.push((
            415,
            "The body is not sent as `application/json` (`unsupported-media-type`).",
        ));
    }
    if body || has_query || in_path {
        shared.push((
            422,
            "A field or parameter is not acceptable (`invalid-request`).",
        ));
    }
    if in_path {
        shared.push((
            404,
            "No such resource, or none the caller may see (`not-found`).",
        ));
    }
    for (status, description) in shared {
        responses
            .entry(status.to_string())
            .or_insert_with(|| problem_response(description));
    }
}

/// A body that may be left out (`Option<T>` on the handler) is published
/// as not required; `null` itself is no body the API takes.
fn optional_body_without_null(operation: &mut Value) {
    // `get_mut`: indexing would insert a `null` body where there is none.
    let Some(request) = operation.get_mut("requestBody") else {
        return;
    };
    if request["required"] == json!(true) {
        return;
    }
    let Some(content) = request["content"].as_object_mut() else {
        return;
    };
    for media in content.values_mut() {
        let schema = &mut media["schema"];
        let Some(choices) = schema["oneOf"].as_array() else {
            continue;
        };
        let not_null: Vec<Value> = choices
            .iter()
            .filter(|c| c["type"] != json!("null"))
            .cloned()
            .collect();
        if let [only] = not_null.as_slice() {
            *schema = only.clone();
        }
    }
}

fn problem_response(description: &str) -> Value {
    json!({
        "description": description,
        "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } }
    })
}

/// An error answer declared on a handler with its description only: its
/// content is a `Problem`. One declared with a body of its own (`/health`'s
/// 503) keeps it.
fn as_problem(response: &mut Value) {
    if response.get("content").is_some() {
        return;
    }
    let description = response["description"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    *response = problem_response(&description);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_has_a_unique_id_and_problem_answers() {
        let doc = document();
        let mut ids = std::collections::HashSet::new();
        let mut operations = 0;
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                operations += 1;
                let id = op["operationId"].as_str().unwrap().to_string();
                assert!(ids.insert(id.clone()), "{method} {path}: {id} twice");
                if let Some(body) = op.get("requestBody") {
                    assert!(body["content"].is_object(), "{method} {path}: {body}");
                }
                let responses = op["responses"].as_object().unwrap();
                assert!(responses.contains_key("429"), "{method} {path}");
                for (status, r) in responses {
                    if status.starts_with('4') && path.as_str() != "/health" {
                        assert!(
                            r["content"]["application/problem+json"].is_object(),
                            "{method} {path} {status}"
                        );
                    }
                }
            }
        }
        assert!(operations > 70, "{operations} operations");
    }

    #[test]
    fn a_schema_name_means_one_shape() {
        let mut seen: std::collections::HashMap<String, Value> = Default::default();
        for part in parts() {
            let part = serde_json::to_value(part).unwrap();
            let Some(schemas) = part["components"]["schemas"].as_object() else {
                continue;
            };
            for (name, schema) in schemas {
                if let Some(before) = seen.insert(name.clone(), schema.clone()) {
                    assert_eq!(&before, schema, "two types publish the schema {name}");
                }
            }
        }
        assert!(seen.len() > 50, "{} schemas", seen.len());
    }

    #[test]
    fn no_alias_component_and_no_null_body() {
        let doc = document();
        assert!(doc["components"]["schemas"].get("u64").is_none());
        assert!(!doc.to_string().contains("#/components/schemas/u64"));
        let cancel = &doc["paths"]["/orders/{id}"]["delete"]["requestBody"];
        assert_ne!(cancel["required"], json!(true));
        assert_eq!(
            cancel["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/CancelBody"
        );
    }

    #[test]
    fn the_problem_schema_lists_every_type() {
        let doc = document();
        let listed = doc["components"]["schemas"]["Problem"]["properties"]["type"]["enum"]
            .as_array()
            .unwrap()
            .len();
        assert_eq!(listed, ProblemType::ALL.len());
    }
}
