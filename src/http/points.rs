//! The customer's wallet: points.

use super::{ApiResult, AppState};
use crate::actors::projections::points;
use crate::domain::ids::validate_id;
use actix_web::{web, HttpResponse};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/points/{customerId}", web::get().to(points));
}

async fn points(state: web::Data<AppState>, id: web::Path<String>) -> ApiResult<HttpResponse> {
    validate_id("customerId", &id)?;
    Ok(HttpResponse::Ok().json(points::points(&state.db, &id)?))
}
