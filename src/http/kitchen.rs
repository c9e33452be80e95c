//! The kitchen ("foodCookings"): a store's tickets and its commands.

use super::caller::Caller;
use super::orders::{command, visible_order};
use super::paged::paged;
use super::{ApiResult, AppState, Problem};
use crate::actors::projections::kitchen;
use crate::domain::access::{self, StoreAction};
use crate::domain::ids::validate_id;
use crate::domain::kitchen::Ticket;
use crate::domain::order::OrderCommand;
use crate::domain::paging::PageRequest;
use crate::domain::reasons::{self, RejectReason};
use crate::domain::OrderId;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/foodCookings", web::get().to(list))
        .route("/foodCookings/{orderId}", web::get().to(get))
        .route("/foodCookings/{orderId}/accept", web::post().to(accept))
        .route("/foodCookings/{orderId}/delay", web::post().to(delay))
        .route("/foodCookings/{orderId}/reject", web::post().to(reject))
        .route("/foodCookings/{orderId}/start", web::post().to(start))
        .route("/foodCookings/{orderId}/finish", web::post().to(finish));
}

/// This module's routes in the API's contract (`http::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(list, get, accept, delay, reject, start, finish))]
pub(super) struct Api;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ByStore {
    store_id: String,
    /// Items per page (50; at most 500).
    limit: Option<usize>,
    /// The cursor a `Link: rel="next"` gave.
    after: Option<String>,
}

/// A store's tickets: its owner's and operators' to see.
#[utoipa::path(get, path = "/foodCookings", tag = "kitchen", params(ByStore),
    responses(
        (status = 200, description = "A page of the store's kitchen tickets; `Link: rel=\"next\"` while there are more.", body = Vec<Ticket>),
        (status = 403, description = "Not the store's owner or an operator."),
        (status = 404, description = "No such store."),
    ))]
async fn list(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    q: web::Query<ByStore>,
) -> ApiResult<HttpResponse> {
    validate_id("storeId", &q.store_id)?;
    super::stores::visible_store(&state, &caller.principal, &q.store_id)?;
    access::check_store(&caller.principal, &q.store_id, StoreAction::ReadOrders)?;
    let page = PageRequest::parse(q.limit, q.after.clone())?;
    Ok(paged(
        &req,
        kitchen::tickets(&state.db, &q.store_id, &page)?,
    ))
}

/// A kitchen ticket: its store's owner's and operators' to see.
#[utoipa::path(get, path = "/foodCookings/{orderId}", tag = "kitchen", params(("orderId" = u64, Path, description = "The order id")),
    responses(
        (status = 200, description = "The kitchen ticket, as the caller may read it.", body = Ticket),
        (status = 404, description = "No such order or ticket, or not the caller's."),
    ))]
async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<OrderId>,
) -> ApiResult<HttpResponse> {
    visible_order(&state, &caller.principal, *id)?;
    let ticket = kitchen::ticket(&state.db, *id)?
        .ok_or_else(|| Problem::not_found(format!("order {} has no kitchen ticket (yet)", *id)))?;
    Ok(HttpResponse::Ok().json(access::ticket_as_read_by(&caller.principal, ticket)))
}

async fn act(
    state: &AppState,
    caller: Caller,
    id: OrderId,
    cmd: OrderCommand,
) -> ApiResult<HttpResponse> {
    let order = command(state, &caller.principal, id, cmd).await?;
    Ok(HttpResponse::Ok().json(Ticket::of(&order)))
}

/// `{"cookingMinutes": 5–120}`, or no body: the store's default.
#[derive(Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AcceptBody {
    #[schema(minimum = 5, maximum = 120)]
    cooking_minutes: Option<u32>,
}

/// Accepts, promising the food in `cookingMinutes`: the ticket answered
/// carries `readyBy`.
#[utoipa::path(post, path = "/foodCookings/{orderId}/accept", tag = "kitchen", params(("orderId" = u64, Path, description = "The order id")), request_body(content = Option<AcceptBody>, description = "Optional: the cooking time; left out, the store's default."),
    responses(
        (status = 200, description = "Accepted: `readyBy` and the ETA are set.", body = Ticket),
        (status = 403, description = "Not the store's owner or an operator."),
        (status = 409, description = "Not in a state that allows it (`conflict`)."),
    ))]
async fn accept(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<OrderId>,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    // The body is optional (older clients send none), so it is parsed here
    // rather than by `web::Json`, which would refuse an empty one.
    let body: AcceptBody = if body.iter().all(u8::is_ascii_whitespace) {
        AcceptBody::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| Problem::invalid(format!("body: {e}")))?
    };
    let cmd = OrderCommand::Accept {
        cooking_minutes: body.cooking_minutes,
    };
    act(&state, caller, *id, cmd).await
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct DelayBody {
    #[schema(minimum = 5, maximum = 60)]
    minutes: u32,
}

/// Pushes the ready time back by `minutes` (5–60), once; the customer is
/// notified with the new arrival time.
#[utoipa::path(post, path = "/foodCookings/{orderId}/delay", tag = "kitchen", params(("orderId" = u64, Path, description = "The order id")), request_body = DelayBody,
    responses(
        (status = 200, description = "Pushed back once; the customer is notified.", body = Ticket),
        (status = 403, description = "Not the store's owner or an operator."),
        (status = 409, description = "Not in a state that allows it (`conflict`)."),
    ))]
async fn delay(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<OrderId>,
    body: web::Json<DelayBody>,
) -> ApiResult<HttpResponse> {
    let cmd = OrderCommand::Delay {
        minutes: body.minutes,
    };
    act(&state, caller, *id, cmd).await
}

/// Why: a code (`SOLD_OUT`, `TOO_BUSY`, `CLOSING_SOON`,
/// `OUT_OF_DELIVERY_AREA`, `OTHER`) and an optional note for the order.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct RejectBody {
    reason: String,
    note: Option<String>,
}

/// The store refuses the order, with a reason; the customer is refunded.
#[utoipa::path(post, path = "/foodCookings/{orderId}/reject", tag = "kitchen", params(("orderId" = u64, Path, description = "The order id")), request_body = RejectBody,
    responses(
        (status = 200, description = "Rejected; the payment is refunded.", body = Ticket),
        (status = 403, description = "Not the store's owner or an operator."),
        (status = 409, description = "Not in a state that allows it (`conflict`)."),
    ))]
async fn reject(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<OrderId>,
    body: web::Json<RejectBody>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let code = reasons::parse(
        "reason",
        &body.reason,
        &RejectReason::ALL,
        RejectReason::code,
    )?;
    let note = reasons::note(body.note)?;
    act(&state, caller, *id, OrderCommand::Reject { code, note }).await
}

/// The kitchen starts cooking: the customer can no longer cancel.
#[utoipa::path(post, path = "/foodCookings/{orderId}/start", tag = "kitchen", params(("orderId" = u64, Path, description = "The order id")), 
    responses(
        (status = 200, description = "Cooking.", body = Ticket),
        (status = 403, description = "Not the store's owner or an operator."),
        (status = 409, description = "Not in a state that allows it (`conflict`)."),
    ))]
async fn start(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<OrderId>,
) -> ApiResult<HttpResponse> {
    act(&state, caller, *id, OrderCommand::StartCooking).await
}

/// The food is ready: Cooked, and offered to riders.
#[utoipa::path(post, path = "/foodCookings/{orderId}/finish", tag = "kitchen", params(("orderId" = u64, Path, description = "The order id")), 
    responses(
        (status = 200, description = "Cooked: ready for a rider.", body = Ticket),
        (status = 403, description = "Not the store's owner or an operator."),
        (status = 409, description = "Not in a state that allows it (`conflict`)."),
    ))]
async fn finish(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<OrderId>,
) -> ApiResult<HttpResponse> {
    act(&state, caller, *id, OrderCommand::FinishCooking).await
}
