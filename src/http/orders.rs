//! Orders and payments.

use super::{ApiResult, AppState, ByCustomer, Problem};
use crate::actors::entities::shell::Execute;
use crate::actors::services::checkout;
use crate::domain::checkout::{ItemRequest, OrderRequest};
use crate::domain::ids::validate_id;
use crate::domain::order::{Order, OrderCommand};
use crate::domain::{DomainError, OrderId};
use crate::read;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/orders", web::post().to(place))
        .route("/orders", web::get().to(list))
        .route("/orders/{id}", web::get().to(get))
        .route("/orders/{id}", web::delete().to(cancel))
        .route("/orders/{id}/cancel", web::post().to(cancel))
        .route("/orders/{id}/confirm", web::post().to(confirm))
        .route("/orders/{id}/revise", web::post().to(revise))
        .route("/payments/{orderId}", web::get().to(payment));
}

async fn place(
    state: web::Data<AppState>,
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
    let result = checkout::place(&state.registry, body.into_inner(), key).await;
    state.metrics.checkout(&result);
    Ok(HttpResponse::Created().json(result?))
}

async fn list(state: web::Data<AppState>, q: web::Query<ByCustomer>) -> ApiResult<HttpResponse> {
    validate_id("customerId", &q.customer_id)?;
    Ok(HttpResponse::Ok().json(read::orders_of(&state.db, &q.customer_id)?))
}

async fn get(state: web::Data<AppState>, id: web::Path<OrderId>) -> ApiResult<HttpResponse> {
    let order = read::order(&state.db, *id)?.ok_or(DomainError::OrderNotFound(*id))?;
    Ok(HttpResponse::Ok().json(order))
}

/// Sends a lifecycle command to an order's actor.
pub(super) async fn command(state: &AppState, id: OrderId, cmd: OrderCommand) -> ApiResult<Order> {
    Ok(state
        .registry
        .send(&id, Execute::<Order>(cmd))
        .await??
        .state)
}

async fn cancel(state: web::Data<AppState>, id: web::Path<OrderId>) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(command(&state, *id, OrderCommand::Cancel).await?))
}

async fn confirm(state: web::Data<AppState>, id: web::Path<OrderId>) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(command(&state, *id, OrderCommand::Confirm).await?))
}

async fn payment(state: web::Data<AppState>, id: web::Path<OrderId>) -> ApiResult<HttpResponse> {
    let payment = read::payment(&state.db, *id)?
        .ok_or_else(|| Problem::not_found(format!("order {} has no payment", *id)))?;
    Ok(HttpResponse::Ok().json(payment))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Revision {
    items: Vec<ItemRequest>,
}

/// Changes the items of a Placed order; the payment follows.
async fn revise(
    state: web::Data<AppState>,
    id: web::Path<OrderId>,
    body: web::Json<Revision>,
) -> ApiResult<HttpResponse> {
    let order = checkout::revise(&state.registry, *id, body.into_inner().items).await?;
    Ok(HttpResponse::Ok().json(order))
}
