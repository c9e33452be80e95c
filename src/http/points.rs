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
use serde::Deserialize;
use serde_json::json;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/points/{customerId}", web::get().to(points));
}

#[derive(Deserialize)]
struct HistoryPage {
    /// Orders per page of the history (50; at most 500).
    limit: Option<usize>,
    /// The cursor a `Link: rel="next"` gave (an order id).
    after: Option<String>,
}

/// A customer's points: theirs and operators' to see. The balance, and
/// the history of a page of their orders (oldest first), every change of
/// each; `Link: rel="next"` points at the next page.
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
    let body = json!({
        "customerId": balance.customer_id,
        "balance": balance.balance,
        "history": history,
    });
    Ok(with_next(&req, body, orders.next.as_deref()))
}
