//! MyPage: the customer's read model.

use super::{ApiResult, AppState, ByCustomer, Problem};
use crate::actors::projections::mypage;
use crate::domain::ids::validate_id;
use crate::domain::OrderId;
use actix_web::{web, HttpResponse};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/myPages", web::get().to(list))
        .route("/myPages/{orderId}", web::get().to(get));
}

async fn list(state: web::Data<AppState>, q: web::Query<ByCustomer>) -> ApiResult<HttpResponse> {
    validate_id("customerId", &q.customer_id)?;
    Ok(HttpResponse::Ok().json(mypage::of_customer(&state.db, &q.customer_id)?))
}

async fn get(state: web::Data<AppState>, id: web::Path<OrderId>) -> ApiResult<HttpResponse> {
    let page = mypage::of_order(&state.db, *id)?
        .ok_or_else(|| Problem::not_found(format!("order {} is not on any MyPage (yet)", *id)))?;
    Ok(HttpResponse::Ok().json(page))
}
