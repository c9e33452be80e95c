//! Reviews, coupons and ratings.

use super::{ApiResult, AppState, ByCustomer, Problem};
use crate::actors::entities::shell::Execute;
use crate::actors::projections::ratings;
use crate::domain::ids::validate_id;
use crate::domain::wallet::{ReviewedOrder, Wallet, WalletCommand, WalletEvent};
use crate::domain::{DomainError, OrderId};
use crate::read;
use actix_web::{web, HttpResponse};
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
    customer_id: String,
    rating: u8,
    #[serde(default)]
    text: String,
}

/// Reviews a completed order of the customer, once; issues a coupon.
async fn write(state: web::Data<AppState>, body: web::Json<NewReview>) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    validate_id("customerId", &body.customer_id)?;
    let order =
        read::order(&state.db, body.order_id)?.ok_or(DomainError::OrderNotFound(body.order_id))?;
    let cmd = WalletCommand::WriteReview {
        order: ReviewedOrder::from(&order),
        rating: body.rating,
        text: body.text,
        coupon_amount: state.registry.env().review_coupon,
    };
    let done = state
        .registry
        .send(&body.customer_id, Execute::<Wallet>(cmd))
        .await??;
    let review = done.events.into_iter().find_map(|e| match e {
        WalletEvent::ReviewWritten { review, .. } => Some(review),
        _ => None,
    });
    Ok(HttpResponse::Created().json(review))
}

/// Deletes a review (its author's: `?customerId=`) and revokes its coupon;
/// refused if the coupon was used.
async fn delete(
    state: web::Data<AppState>,
    id: web::Path<u64>,
    q: web::Query<ByCustomer>,
) -> ApiResult<HttpResponse> {
    validate_id("customerId", &q.customer_id)?;
    let customer = read::review_author(&state.db, *id)?.ok_or(DomainError::ReviewNotFound(*id))?;
    if customer != q.customer_id {
        return Err(Problem::new(
            actix_web::http::StatusCode::FORBIDDEN,
            "forbidden",
            format!("review {} is not yours to delete", *id),
        ));
    }
    let cmd = WalletCommand::DeleteReview { review_id: *id };
    state
        .registry
        .send(&customer, Execute::<Wallet>(cmd))
        .await??;
    Ok(HttpResponse::NoContent().finish())
}

async fn coupons(state: web::Data<AppState>, q: web::Query<ByCustomer>) -> ApiResult<HttpResponse> {
    validate_id("customerId", &q.customer_id)?;
    let wallet = read::wallet(&state.db, &q.customer_id)?;
    Ok(HttpResponse::Ok().json(wallet.coupons))
}

async fn rating(state: web::Data<AppState>, id: web::Path<String>) -> ApiResult<HttpResponse> {
    if !read::store_exists(&state.db, &id)? {
        return Err(Problem::not_found(format!(
            "store {:?} does not exist",
            id.as_str()
        )));
    }
    Ok(HttpResponse::Ok().json(ratings::rating(&state.db, &id)?))
}
