//! Fault injection, routed only when the server runs with `--chaos` (the
//! contract lists these routes under the `chaos` tag all the same).

use super::caller::Operator;
use super::{ApiResult, AppState, Problem};
use crate::actors::projections::kitchen::SetStoreDown;
use crate::domain::OrderId;
use crate::error::AppError;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/chaos/payment", web::post().to(payment))
        .route(
            "/admin/chaos/payment/charges/{orderId}",
            web::get().to(charge),
        )
        .route("/admin/chaos/payment/charges", web::get().to(charges))
        .route("/admin/chaos/panic", web::post().to(panic))
        .route(
            "/admin/chaos/stores/{storeId}/down",
            web::post().to(store_down),
        )
        .route("/admin/chaos/stores/{storeId}/up", web::post().to(store_up))
        .route("/admin/chaos/flusher", web::post().to(flusher));
}

/// This module's routes in the API's contract (`http::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(payment, charge, charges, panic, store_down, store_up, flusher))]
pub(super) struct Api;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PaymentChaos {
    latency_ms: Option<u64>,
    failure_rate: Option<f64>,
}

/// Sets the sandbox gateway's latency and failure rate.
#[utoipa::path(post, path = "/admin/chaos/payment", tag = "chaos", request_body = PaymentChaos,
    responses(
        (status = 200, description = "The sandbox's latency and failure rate now: `{\"latencyMs\", \"failureRate\"}`.", body = Object),
        (status = 403, description = "Not an operator."),
    ))]
async fn payment(
    state: web::Data<AppState>,
    _: Operator,
    body: web::Json<PaymentChaos>,
) -> ApiResult<HttpResponse> {
    let rules = state.sandbox.rules();
    if let Some(rate) = body.failure_rate {
        if !(0.0..=1.0).contains(&rate) {
            return Err(Problem::invalid("failureRate must be between 0.0 and 1.0"));
        }
        rules.set_failure_rate(rate);
    }
    if let Some(ms) = body.latency_ms {
        if ms > 600_000 {
            return Err(Problem::invalid("latencyMs must be at most 600000"));
        }
        rules.set_latency_ms(ms);
    }
    Ok(HttpResponse::Ok().json(json!({
        "latencyMs": rules.latency_ms(),
        "failureRate": rules.failure_rate(),
    })))
}

/// What the sandbox gateway remembers of an order's charge (it answers even
/// while told to fail: this is the operator looking at the gateway's books).
#[utoipa::path(get, path = "/admin/chaos/payment/charges/{orderId}", tag = "chaos", params(("orderId" = u64, Path, description = "The order id")),
    responses(
        (status = 200, description = "What the sandbox gateway recorded for the order: each charge with its refunds.", body = Object),
        (status = 403, description = "Not an operator."),
    ))]
async fn charge(
    state: web::Data<AppState>,
    _: Operator,
    id: web::Path<OrderId>,
) -> ApiResult<HttpResponse> {
    let recorded = state.sandbox.recorded(*id);
    let charge = recorded.map_err(|e| AppError::Internal(e.to_string()))?;
    let charge = charge.ok_or_else(|| {
        Problem::not_found(format!("the gateway has no charge for order {}", *id))
    })?;
    // What is shown is on disk before it is shown: a test may kill the
    // server right after (the gateway's books are not flushed on their own).
    state.db.settled().await?;
    Ok(HttpResponse::Ok().json(charge))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct PanicChaos {
    kind: String,
    id: String,
}

/// Makes one order, store or rider actor panic on its next message.
#[utoipa::path(post, path = "/admin/chaos/panic", tag = "chaos", request_body = PanicChaos,
    responses(
        (status = 200, description = "`{\"kind\", \"id\", \"panicsOnNextMessage\": true}`.", body = Object),
        (status = 403, description = "Not an operator."),
    ))]
async fn panic(
    state: web::Data<AppState>,
    _: Operator,
    body: web::Json<PanicChaos>,
) -> ApiResult<HttpResponse> {
    if !matches!(body.kind.as_str(), "order" | "store" | "rider") {
        return Err(Problem::invalid("kind must be order, store or rider"));
    }
    state.faults.inject_panic(&body.kind, &body.id);
    Ok(HttpResponse::Ok()
        .json(json!({ "kind": body.kind, "id": body.id, "panicsOnNextMessage": true })))
}

async fn set_store_down(state: &AppState, store_id: String, down: bool) -> ApiResult<HttpResponse> {
    crate::domain::ids::validate_id("storeId", &store_id)?;
    let msg = SetStoreDown {
        store_id: store_id.clone(),
        down,
    };
    let delivered = state.kitchen.send(msg).await.map_err(AppError::from)??;
    Ok(HttpResponse::Ok()
        .json(json!({ "storeId": store_id, "down": down, "delivered": delivered })))
}

/// The store's side stops receiving its orders (they wait in a backlog).
#[utoipa::path(post, path = "/admin/chaos/stores/{storeId}/down", tag = "chaos", params(("storeId" = String, Path, description = "The store id")),
    responses(
        (status = 200, description = "`{\"storeId\", \"down\": true, \"delivered\"}`.", body = Object),
        (status = 403, description = "Not an operator."),
    ))]
async fn store_down(
    state: web::Data<AppState>,
    _: Operator,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    set_store_down(&state, id.into_inner(), true).await
}

/// The store's side is back: it receives what it missed, in order, once.
#[utoipa::path(post, path = "/admin/chaos/stores/{storeId}/up", tag = "chaos", params(("storeId" = String, Path, description = "The store id")),
    responses(
        (status = 200, description = "`{\"storeId\", \"down\": false, \"delivered\"}`: what it missed was delivered.", body = Object),
        (status = 403, description = "Not an operator."),
    ))]
async fn store_up(
    state: web::Data<AppState>,
    _: Operator,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    set_store_down(&state, id.into_inner(), false).await
}

/// Every order's account at the sandbox gateway: charged, refunded, net.
#[utoipa::path(get, path = "/admin/chaos/payment/charges", tag = "chaos", 
    responses(
        (status = 200, description = "Every order's account at the sandbox gateway: charged, refunded, net.", body = Vec<Object>),
        (status = 403, description = "Not an operator."),
    ))]
async fn charges(state: web::Data<AppState>, _: Operator) -> ApiResult<HttpResponse> {
    state.db.settled().await?;
    let accounts = state
        .sandbox
        .all_recorded()
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(HttpResponse::Ok().json(accounts))
}

#[derive(Deserialize, utoipa::ToSchema)]
struct FlusherFault {
    held: bool,
}

/// Holds the flusher (`{"held": true}`): every flush waits, nothing new is
/// acknowledged, as with a disk that stopped answering; the watchdog then
/// withholds its pings. `{"held": false}` lets it go.
#[utoipa::path(post, path = "/admin/chaos/flusher", tag = "chaos", request_body = FlusherFault,
    responses(
        (status = 200, description = "`{\"held\"}`.", body = Object),
        (status = 403, description = "Not an operator."),
    ))]
async fn flusher(
    state: web::Data<AppState>,
    _: Operator,
    body: web::Json<FlusherFault>,
) -> ApiResult<HttpResponse> {
    state.db.hold_flushes(body.held);
    Ok(HttpResponse::Ok().json(json!({ "held": body.held })))
}
