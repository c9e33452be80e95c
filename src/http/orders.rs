//! Orders and payments.

use super::caller::Caller;
use super::or_empty::OrEmpty;
use super::paged::paged;
use super::{ApiResult, AppState, ByCustomer, Problem};
use crate::actors::entities::shell::Execute;
use crate::actors::services::checkout;
use crate::actors::services::checkout::PriceQuote;
use crate::domain::access::{self, OrderAction, Principal, Role};
use crate::domain::checkout::{ItemRequest, OrderRequest};
use crate::domain::order::{Order, OrderCommand};
use crate::domain::payment::Payment;
use crate::domain::payment_key::PaymentKey;
use crate::domain::reasons::{self, CancelReason};
use crate::domain::{DomainError, OrderId, Timestamp};
use crate::read;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/orders", web::post().to(place))
        .route("/orders/quote", web::post().to(quote))
        .route("/orders", web::get().to(list))
        .route("/orders/{id}", web::get().to(get))
        .route("/orders/{id}", web::delete().to(cancel))
        .route("/orders/{id}/cancel", web::post().to(cancel_by_post))
        .route("/orders/{id}/confirm", web::post().to(confirm))
        .route("/orders/{id}/revise", web::post().to(revise))
        .route("/payments/{orderId}", web::get().to(payment));
}

/// This module's routes in the API's contract (`http::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    place,
    quote,
    list,
    get,
    cancel,
    cancel_by_post,
    confirm,
    revise,
    payment
))]
pub(super) struct Api;

/// Checkout: prices the basket, charges it, and places the order.
#[utoipa::path(post, path = "/orders", tag = "orders",
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeating a request with the same key answers the first order again and charges once.")),
    request_body = OrderRequest,
    responses(
        (status = 201, description = "Placed and paid.", body = Order),
        (status = 402, description = "The gateway declined the payment (`payment-declined`)."),
        (status = 403, description = "Not a customer, or another customer's id (`forbidden`)."),
        (status = 404, description = "No such store (`not-found`)."),
        (status = 409, description = "The store is closed or paused, a dish is sold out, the coupon cannot be used, or the paymentKey was used (`store-closed`, `store-paused`, `sold-out`, `coupon-unusable`, `payment-key-used`)."),
        (status = 422, description = "Under the minimum order, outside the delivery area, or a field is wrong (`below-minimum-order`, `outside-delivery-area`, `invalid-request`)."),
    ))]
async fn place(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    body: web::Json<OrderRequest>,
) -> ApiResult<HttpResponse> {
    let key = match req.headers().get("Idempotency-Key") {
        Some(value) => Some(
            value
                .to_str()
                .map_err(|_| Problem::invalid("Idempotency-Key must be visible ASCII characters"))?
                .to_string(),
        ),
        None => None,
    };
    let result = checkout::place(&state.registry, &caller.principal, body.into_inner(), key).await;
    state.metrics.checkout(&result);
    Ok(HttpResponse::Created().json(result?))
}

/// `POST /orders/quote`, with the body of `POST /orders`: the bill
/// (`subtotal`, `discount`, `deliveryFee`, `amount`, `distanceKm`), nothing
/// charged. A customer's.
#[utoipa::path(post, path = "/orders/quote", tag = "orders",
    request_body = OrderRequest,
    responses(
        (status = 200, description = "The bill; nothing is charged.", body = PriceQuote),
        (status = 403, description = "Not a customer (`forbidden`)."),
        (status = 404, description = "No such store (`not-found`)."),
        (status = 409, description = "Closed, paused, sold out, or the coupon cannot be used."),
        (status = 422, description = "Under the minimum order, outside the delivery area, or a field is wrong."),
    ))]
async fn quote(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<OrderRequest>,
) -> ApiResult<HttpResponse> {
    let quote = checkout::quote(&state.registry, &caller.principal, body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(quote))
}

/// A page of a customer's orders (their own; an operator names the
/// customer).
#[utoipa::path(get, path = "/orders", tag = "orders", params(ByCustomer),
    responses(
        (status = 200, description = "A page of orders, oldest first; `Link: rel=\"next\"` while there are more.", body = Vec<Order>),
        (status = 403, description = "Another customer's orders (`forbidden`)."),
    ))]
async fn list(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    q: web::Query<ByCustomer>,
) -> ApiResult<HttpResponse> {
    let customer = q.whose(&caller.principal)?;
    let page = read::orders_of(&state.db, &customer, &q.page()?)?;
    Ok(paged(&req, page))
}

/// An order `by` may see (`access::sees_order`), as they may read it
/// (`access::order_as_read_by`); any other is a 404.
pub(super) fn visible_order(state: &AppState, by: &Principal, id: OrderId) -> ApiResult<Order> {
    let order =
        read::order_now(&state.db, id, Timestamp::now())?.ok_or(DomainError::OrderNotFound(id))?;
    access::check_order(by, &order, OrderAction::Read)?;
    Ok(access::order_as_read_by(by, order))
}

/// An order, as the caller may read it.
#[utoipa::path(get, path = "/orders/{id}", tag = "orders", params(("id" = u64, Path, description = "The order id")),
    responses(
        (status = 200, description = "The order, as the caller may read it (a rider sees no payment details).", body = Order),
        (status = 404, description = "No such order, or not one the caller may see."),
    ))]
async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<OrderId>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(visible_order(&state, &caller.principal, *id)?))
}

/// Sends a lifecycle command `by` someone to an order's actor, which
/// decides whether they may.
pub(super) async fn command(
    state: &AppState,
    by: &Principal,
    id: OrderId,
    cmd: OrderCommand,
) -> ApiResult<Order> {
    let order = state
        .registry
        .send(&id, Execute::<Order>::new(by, cmd))
        .await??
        .state;
    Ok(access::order_as_read_by(by, order))
}

/// Why a customer cancels: a code (`CHANGED_MIND`, `ORDERED_BY_MISTAKE`,
/// `TOO_SLOW`, `OTHER`; `OTHER` if the body is left out) and an optional
/// note for the order.
#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct CancelBody {
    reason: Option<String>,
    note: Option<String>,
}

/// Cancels an order the kitchen has not started; it is refunded.
#[utoipa::path(delete, path = "/orders/{id}", tag = "orders", params(("id" = u64, Path, description = "The order id")),
    request_body(content = Option<CancelBody>, description = "Optional: why."),
    responses(
        (status = 200, description = "Canceled; the payment is refunded.", body = Order),
        (status = 403, description = "Not the order's customer or an operator."),
        (status = 409, description = "Too late: the kitchen has started (`cooking-started`), or it is no longer Placed or Accepted (`conflict`)."),
    ))]
async fn cancel(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<OrderId>,
    body: OrEmpty<CancelBody>,
) -> ApiResult<HttpResponse> {
    let body = body.0;
    let code = match &body.reason {
        Some(sent) => reasons::parse("reason", sent, &CancelReason::ALL, CancelReason::code)?,
        None => CancelReason::Other,
    };
    let cmd = OrderCommand::Cancel {
        code,
        note: reasons::note(body.note)?,
    };
    let order = command(&state, &caller.principal, *id, cmd).await?;
    Ok(HttpResponse::Ok().json(order))
}

/// `DELETE /orders/{id}`, for clients that cannot send a body with a
/// DELETE.
#[utoipa::path(post, path = "/orders/{id}/cancel", tag = "orders", params(("id" = u64, Path, description = "The order id")),
    request_body(content = Option<CancelBody>, description = "Optional: why."),
    responses(
        (status = 200, description = "Canceled; the payment is refunded.", body = Order),
        (status = 403, description = "Not the order's customer or an operator."),
        (status = 409, description = "Too late: the kitchen has started, or it is no longer Placed or Accepted."),
    ))]
async fn cancel_by_post(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<OrderId>,
    body: OrEmpty<CancelBody>,
) -> ApiResult<HttpResponse> {
    cancel(state, caller, id, body).await
}

/// The customer confirms receipt: Completed.
#[utoipa::path(post, path = "/orders/{id}/confirm", tag = "orders", params(("id" = u64, Path, description = "The order id")),
    responses(
        (status = 200, description = "Confirmed received: Completed; points are earned.", body = Order),
        (status = 403, description = "Not the order's customer."),
        (status = 409, description = "Not delivered yet."),
    ))]
async fn confirm(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<OrderId>,
) -> ApiResult<HttpResponse> {
    let order = command(&state, &caller.principal, *id, OrderCommand::Confirm).await?;
    Ok(HttpResponse::Ok().json(order))
}

/// An order's payment: its customer's and operators' to see.
#[utoipa::path(get, path = "/payments/{orderId}", tag = "orders", params(("orderId" = u64, Path, description = "The order id")),
    responses(
        (status = 200, description = "The payment, with each charge and refund at the gateway.", body = Payment),
        (status = 404, description = "No payment, or not the caller's."),
    ))]
async fn payment(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<OrderId>,
) -> ApiResult<HttpResponse> {
    // A payment may have no order (a checkout that failed): it is seen by
    // whom it charged.
    let payment = read::payment(&state.db, *id)?
        .filter(|p| access::sees_own(&caller.principal, Role::Customer, &p.customer_id))
        .ok_or_else(|| Problem::not_found(format!("order {} has no payment", *id)))?;
    Ok(HttpResponse::Ok().json(payment))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
struct ReviseRequest {
    items: Vec<ItemRequest>,
    /// For an extra charge at a real gateway: what the customer authorized
    /// in its widget (`domain::payment_key`).
    payment_key: Option<String>,
    payment_order_id: Option<String>,
}

/// Changes the items of a Placed order; the payment follows.
#[utoipa::path(post, path = "/orders/{id}/revise", tag = "orders", params(("id" = u64, Path, description = "The order id")),
    request_body = ReviseRequest,
    responses(
        (status = 200, description = "Revised: the extra is charged or the difference refunded.", body = Order),
        (status = 402, description = "The extra charge was declined; the order is as it was."),
        (status = 403, description = "Not the order's customer."),
        (status = 409, description = "No longer Placed, a dish is sold out, or the paymentKey was used."),
        (status = 422, description = "Under the minimum, or a field is wrong."),
    ))]
async fn revise(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<OrderId>,
    body: web::Json<ReviseRequest>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let authorized = PaymentKey::parse(
        body.payment_key.as_deref(),
        body.payment_order_id.as_deref(),
    )?;
    let order = checkout::revise(
        &state.registry,
        &caller.principal,
        *id,
        body.items,
        authorized,
    )
    .await?;
    Ok(HttpResponse::Ok().json(order))
}
