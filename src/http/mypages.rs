//! MyPage: the customer's read model.

use super::caller::Caller;
use super::paged::paged;
use super::{ApiResult, AppState, ByCustomer, Problem};
use crate::actors::projections::mypage;
use crate::domain::access::{self, Role};
use crate::domain::mypage::MyPage;
use crate::domain::OrderId;
use actix_web::{web, HttpRequest, HttpResponse};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/myPages", web::get().to(list))
        .route("/myPages/{orderId}", web::get().to(get));
}

/// This module's routes in the API's contract (`http::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(list, get))]
pub(super) struct Api;

/// A customer's MyPage (their own; an operator names the customer).
#[utoipa::path(get, path = "/myPages", tag = "myPages", params(super::ByCustomer),
    responses(
        (status = 200, description = "A page of the customer's MyPage entries; `Link: rel=\"next\"` while there are more.", body = Vec<MyPage>),
        (status = 403, description = "Another customer's."),
    ))]
async fn list(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    q: web::Query<ByCustomer>,
) -> ApiResult<HttpResponse> {
    let customer = q.whose(&caller.principal)?;
    let page = mypage::of_customer(&state.db, &customer, &q.page()?)?;
    Ok(paged(&req, page))
}

/// One order's MyPage entry: its customer's and operators' to see.
#[utoipa::path(get, path = "/myPages/{orderId}", tag = "myPages", params(("orderId" = u64, Path, description = "The order id")),
    responses(
        (status = 200, description = "The order's MyPage entry.", body = MyPage),
        (status = 404, description = "Not on any MyPage (yet), or not the caller's."),
    ))]
async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<OrderId>,
) -> ApiResult<HttpResponse> {
    let page = mypage::of_order(&state.db, *id)?
        .filter(|p| access::sees_own(&caller.principal, Role::Customer, &p.customer_id))
        .ok_or_else(|| Problem::not_found(format!("order {} is not on any MyPage (yet)", *id)))?;
    Ok(HttpResponse::Ok().json(page))
}
