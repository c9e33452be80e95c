//! The customer's wallet: points.

use super::caller::Caller;
use super::{ApiResult, AppState};
use crate::actors::projections::points;
use crate::domain::access::{self, Role};
use crate::domain::ids::validate_id;
use actix_web::{web, HttpResponse};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/points/{customerId}", web::get().to(points));
}

/// A customer's points: theirs and operators' to see.
async fn points(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    validate_id("customerId", &id)?;
    access::check_own(&caller.principal, Role::Customer, &id, "customer")?;
    Ok(HttpResponse::Ok().json(points::points(&state.db, &id)?))
}
