//! Reviews, coupons and ratings.

use super::caller::{Caller, MaybeCaller};
use super::paged::paged;
use super::{ApiResult, AppState, ByCustomer};
use crate::actors::entities::shell::Execute;
use crate::actors::projections::ratings;
use crate::domain::access::{self, OrderAction};
use crate::domain::paging::Page;
use crate::domain::rating::Rating;
use crate::domain::wallet::{Coupon, Review, ReviewedOrder, Wallet, WalletCommand, WalletEvent};
use crate::domain::{DomainError, OrderId};
use crate::read;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/reviews", web::post().to(write))
        .route("/reviews/{id}", web::delete().to(delete))
        .route("/coupons", web::get().to(coupons))
        .route("/stores/{storeId}/rating", web::get().to(rating));
}

/// This module's routes in the API's contract (`http::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(write, delete, coupons, rating))]
pub(super) struct Api;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct NewReview {
    order_id: OrderId,
    /// The signed-in customer's own id, or left out.
    #[serde(default)]
    customer_id: String,
    rating: u8,
    #[serde(default)]
    text: String,
}

/// Reviews a completed order of the customer, once; issues a coupon.
#[utoipa::path(post, path = "/reviews", tag = "wallet",
    request_body = NewReview,
    responses(
        (status = 201, description = "The review; a coupon is issued.", body = Review),
        (status = 403, description = "Not the order's customer."),
        (status = 404, description = "No such order."),
        (status = 409, description = "Not completed, or already reviewed."),
    ))]
async fn write(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<NewReview>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let by = &caller.principal;
    let customer = access::acting_customer(by, &body.customer_id)?;
    let order =
        read::order(&state.db, body.order_id)?.ok_or(DomainError::OrderNotFound(body.order_id))?;
    access::check_order(by, &order, OrderAction::Read)?;
    let store_owner = read::store(&state.db, &order.store_id)?.and_then(|s| s.owner_id);
    let cmd = WalletCommand::WriteReview {
        order: ReviewedOrder::of(&order, store_owner),
        rating: body.rating,
        text: body.text,
        coupon: state.registry.env().review_coupon,
    };
    let done = state
        .registry
        .send(&customer, Execute::<Wallet>::new(by, cmd))
        .await??;
    let review = done.events.into_iter().find_map(|e| match e {
        WalletEvent::ReviewWritten { review, .. } => Some(review),
        _ => None,
    });
    Ok(HttpResponse::Created().json(review))
}

/// Deletes a review (its author, or an operator moderating) and revokes
/// its coupon; refused if the coupon was used. Another customer's review
/// is a 404.
#[utoipa::path(delete, path = "/reviews/{id}", tag = "wallet", params(("id" = u64, Path, description = "The review id")),
    responses(
        (status = 204, description = "Deleted; its coupon is revoked."),
        (status = 403, description = "Not its author or an operator."),
        (status = 409, description = "Its coupon was used."),
    ))]
async fn delete(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<u64>,
) -> ApiResult<HttpResponse> {
    let customer = read::review_author(&state.db, *id)?.ok_or(DomainError::ReviewNotFound(*id))?;
    let cmd = WalletCommand::DeleteReview { review_id: *id };
    state
        .registry
        .send(&customer, Execute::<Wallet>::new(&caller.principal, cmd))
        .await??;
    Ok(HttpResponse::NoContent().finish())
}

/// A customer's coupons (their own; an operator names the customer).
#[utoipa::path(get, path = "/coupons", tag = "wallet", params(super::ByCustomer),
    responses(
        (status = 200, description = "A page of coupons, as issued; `Link: rel=\"next\"` while there are more.", body = Vec<Coupon>),
        (status = 403, description = "Another customer's."),
    ))]
async fn coupons(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    q: web::Query<ByCustomer>,
) -> ApiResult<HttpResponse> {
    let customer = q.whose(&caller.principal)?;
    let page = q.page()?;
    let wallet = read::wallet(&state.db, &customer)?;
    // In the order they were issued; the cursor is a coupon id.
    let start = match &page.after {
        Some(after) => wallet
            .coupons
            .iter()
            .position(|c| &c.id == after)
            .map_or(wallet.coupons.len(), |i| i + 1),
        None => 0,
    };
    let coupons: Vec<_> = wallet
        .coupons
        .into_iter()
        .skip(start)
        .take(page.limit + 1)
        .collect();
    Ok(paged(&req, Page::of(coupons, page.limit, |c| c.id.clone())))
}

/// A store's rating: public, for a store the caller may see.
#[utoipa::path(get, path = "/stores/{storeId}/rating", tag = "stores", security((), ("bearer" = [])), params(("storeId" = String, Path, description = "The store id")),
    responses((status = 200, description = "The average and count of its reviews.", body = Rating)))]
async fn rating(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    super::stores::visible_store(&state, &caller.0, &id)?;
    Ok(HttpResponse::Ok().json(ratings::rating(&state.db, &id)?))
}
