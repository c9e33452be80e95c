//! The customer's wallet: points.

use super::caller::Caller;
use super::paged::with_next;
use super::{ApiResult, AppState};
use crate::actors::projections::points;
use crate::domain::access::{self, Role};
use crate::domain::ids::validate_id;
use crate::domain::paging::PageRequest;
use crate::domain::points::PointsChange;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/points/{customerId}", web::get().to(points));
}

/// This module's routes in the API's contract (`http::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(points))]
pub(super) struct Api;

/// A customer's points: the balance and a page of its history.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
struct PointsAnswer<'a> {
    customer_id: String,
    /// Points held now.
    balance: u64,
    /// Every change of a page of the customer's orders, oldest first.
    #[schema(value_type = Vec<PointsChange>)]
    history: Vec<&'a PointsChange>,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct HistoryPage {
    /// Orders per page of the history (50; at most 500).
    limit: Option<usize>,
    /// The cursor a `Link: rel="next"` gave (an order id).
    after: Option<String>,
}

/// A customer's points: theirs and operators' to see. The balance, and
/// the history of a page of their orders (oldest first), every change of
/// each; `Link: rel="next"` points at the next page.
#[utoipa::path(get, path = "/points/{customerId}", tag = "wallet", params(("customerId" = String, Path, description = "The customer's account id"), HistoryPage),
    responses(
        (status = 200, description = "The balance and a page of the history; `Link: rel=\"next\"` while there are more.", body = PointsAnswer),
        (status = 403, description = "Another customer's."),
    ))]
async fn points(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    id: web::Path<String>,
    q: web::Query<HistoryPage>,
) -> ApiResult<HttpResponse> {
    validate_id("customerId", &id)?;
    access::check_own(&caller.principal, Role::Customer, &id, "customer")?;
    let page = PageRequest::parse(q.limit, q.after.clone())?;
    let balance = points::points(&state.db, &id)?;
    let orders = points::history(&state.db, &id, &page)?;
    let history: Vec<&PointsChange> = orders.items.iter().flat_map(|o| &o.changes).collect();
    let body = PointsAnswer {
        customer_id: balance.customer_id,
        balance: balance.balance,
        history,
    };
    Ok(with_next(&req, body, orders.next.as_deref()))
}
