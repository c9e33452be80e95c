//! Riders: location and duty.

use super::{ApiResult, AppState};
use crate::actors::entities::shell::Execute;
use crate::domain::ids::validate_id;
use crate::domain::rider::{Rider, RiderCommand};
use crate::domain::LatLon;
use crate::read;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/riders/{riderId}", web::get().to(get))
        .route("/riders/{riderId}/location", web::put().to(locate))
        .route("/riders/{riderId}/duty", web::put().to(duty));
}

async fn get(state: web::Data<AppState>, id: web::Path<String>) -> ApiResult<HttpResponse> {
    validate_id("riderId", &id)?;
    let rider = read::rider(&state.db, &id)?;
    Ok(HttpResponse::Ok().json(rider))
}

async fn update(state: &AppState, id: &str, cmd: RiderCommand) -> ApiResult<HttpResponse> {
    validate_id("riderId", id)?;
    let rider = state
        .registry
        .send(&id.to_string(), Execute::<Rider>(cmd))
        .await??
        .state;
    Ok(HttpResponse::Ok().json(rider))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Location {
    lat: f64,
    lon: f64,
}

async fn locate(
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Json<Location>,
) -> ApiResult<HttpResponse> {
    let at = LatLon::new(body.lat, body.lon)?;
    update(&state, &id, RiderCommand::Locate(at)).await
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Duty {
    on_duty: bool,
}

async fn duty(
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Json<Duty>,
) -> ApiResult<HttpResponse> {
    update(&state, &id, RiderCommand::SetDuty(body.on_duty)).await
}
