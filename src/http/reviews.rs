//! Reviews, coupons and ratings.

use super::caller::{Caller, MaybeCaller};
use super::paged::paged;
use super::{ApiResult, AppState, ByCustomer};
use crate::actors::entities::shell::Execute;
use crate::actors::projections::ratings;
use crate::domain::access::{self, OrderAction};
use crate::domain::paging::Page;
use crate::domain::wallet::{ReviewedOrder, Wallet, WalletCommand, WalletEvent};
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

#[derive(Deserialize)]
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
async fn rating(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    super::stores::visible_store(&state, &caller.0, &id)?;
    Ok(HttpResponse::Ok().json(ratings::rating(&state.db, &id)?))
}
